/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_shrink.c - a binary trace read from a mapping of the
 * file (bigger than the reader's window) that another process truncates
 * while it is read: the stream fails with one message naming the file and
 * its new size (-EIO), the process lives on; an untruncated file still reads
 * every record; another thread's stream is not disturbed; a SIGBUS that is
 * not the reader's (a mapping of the test's own, one sent by kill) still
 * kills the process that gets it.  With the binary (test_shrink
 * PAGEBENCH_BINARY): sim and mrc, stopped while they read such a trace
 * and resumed after the cut, exit 1 (a failure on the way), as `trace
 * info` and `trace convert` do, not 2 (a usage error).
 */
#include "wltest.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pbtest.h"
#include "spawn.h"

#define NREC  200000u /* 4.8 MB of 24-byte records: over the 1 MiB window */
#define SHIFT 12

static unsigned char *image;

static uint64_t id_of(uint32_t i)
{
	return (uint64_t)i * 7919u % 100003u;
}

static void make_image(void)
{
	image = malloc((size_t)NREC * 24);
	for (uint32_t i = 0; i < NREC; i++) {
		unsigned char *r = image + (size_t)i * 24;
		uint64_t id = id_of(i);
		uint32_t size = 4096;
		int64_t nx = i + 3 < NREC ? (int64_t)i + 3 : -1;
		memcpy(r, &i, 4);
		memcpy(r + 4, &id, 8);
		memcpy(r + 12, &size, 4);
		memcpy(r + 16, &nx, 8);
	}
}

static struct pb_workload *open_oracle(const char *path)
{
	char spec[PATH_MAX + 64], err[512];
	struct pb_workload *w = NULL;
	snprintf(spec, sizeof(spec), "trace:path=%s,format=oracle", path);
	PB_CHECK_MSG(pb_workload_open(spec, NULL, &w, err, sizeof(err)) == 0, "%s", err);
	return w;
}

/* Read into the counter; returns the last pb_workload_next result (0 at the
 * end, < 0 on error) after at most upto accesses.  Every access must be the
 * record of its index. */
static ssize_t read_upto(struct pb_workload *w, uint32_t *got, uint32_t upto, uint32_t valid)
{
	struct pb_access b[1000];
	ssize_t r = 1;
	while (*got < upto) {
		size_t want = upto - *got < 1000 ? upto - *got : 1000;
		r = pb_workload_next(w, b, want);
		if (r <= 0)
			return r;
		for (ssize_t i = 0; i < r; i++) {
			uint32_t at = *got + (uint32_t)i;
			/* past the new end: a truncated last page reads as zeros */
			if (at < valid && b[i].addr != id_of(at) << SHIFT) {
				fprintf(stderr, "record %u: %#llx\n", at,
					(unsigned long long)b[i].addr);
				return -1000;
			}
		}
		*got += (uint32_t)r;
	}
	return r;
}

/* Read part, truncate to newsize, read on: a clean -EIO naming the file. */
static void shrink_case(const char *name, uint32_t first, off_t newsize)
{
	const char *path = wl_path(name);
	wl_write(path, image, (size_t)NREC * 24);
	struct pb_workload *w = open_oracle(path);
	uint32_t got = 0;
	PB_CHECK(read_upto(w, &got, first, NREC) > 0 && got == first);
	int fd = open(path, O_WRONLY);
	PB_CHECK(fd >= 0 && ftruncate(fd, newsize) == 0);
	close(fd);
	ssize_t r = read_upto(w, &got, NREC, (uint32_t)(newsize / 24));
	const char *e = pb_workload_error(w);
	char want[128];
	snprintf(want, sizeof(want), "the file shrank while it was read (now %lld bytes)",
		 (long long)newsize);
	PB_CHECK_MSG(r == -EIO, "%s: r=%zd got=%u: %s", name, r, got, e);
	PB_CHECK_MSG(strstr(e, path) == e && strstr(e, ": byte ") && strstr(e, want), "%s", e);
	/* after the truncation, no record past the page that holds the new end */
	PB_CHECK_MSG(got == first || (uint64_t)got * 24 <= ((uint64_t)newsize + 4095) / 4096 * 4096,
		     "%s: %u records delivered", name, got);
	/* the stream stays failed */
	struct pb_access b[8];
	PB_CHECK(pb_workload_next(w, b, 8) < 0);
	printf("%s: %u records, then: %s\n", name, got, e); /* e: until the close */
	pb_workload_close(w);
}

static const char *whole_path;
static int whole_ok;

static void *whole_reader(void *arg)
{
	(void)arg;
	for (int round = 0; round < 3; round++) {
		struct pb_workload *w = open_oracle(whole_path);
		uint32_t got = 0;
		ssize_t r = read_upto(w, &got, NREC + 1, NREC);
		whole_ok += r == 0 && got == NREC;
		pb_workload_close(w);
	}
	return NULL;
}

/* Dies by SIGBUS: a truncated mapping of its own, outside any reader. */
static int child_status(int sent)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no = {0, 0};
		setrlimit(RLIMIT_CORE, &no);
		if (sent)
			kill(getpid(), SIGBUS);
		int fd = open(wl_path("own"), O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 2 * 4096))
			_exit(3);
		volatile const char *p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED || ftruncate(fd, 0))
			_exit(3);
		(void)p[4096];
		_exit(0);
	}
	int st = 0;
	PB_CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	return st;
}

/* 1 while pid's mappings include a file named name (its reader's window). */
static int maps_file(pid_t pid, const char *name)
{
	char p[64], line[PATH_MAX + 256];
	snprintf(p, sizeof(p), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(p, "r");
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, name) != NULL;
	if (f)
		fclose(f);
	return found;
}

/*
 * Run bin with args on a copy of the big trace, stop it once its reader
 * has mapped the file, cut the file to 1 MB and let it go on: the exit code
 * and stderr (err), or -1 when it ended before it was caught.
 */
static int cli_shrink_once(const char *bin, char *const *args, const char *trace,
			   const unsigned char *big, size_t bigsz, char *err, size_t errlen)
{
	wl_write(trace, big, bigsz);
	const char *errf = wl_path("cli.err");
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY),
		    e = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (null < 0 || e < 0)
			_exit(127);
		dup2(null, 1);
		dup2(e, 2);
		char *av[32] = {(char *)bin};
		for (int i = 0; args[i] && i < 30; i++)
			av[i + 1] = args[i];
		execv(bin, av);
		_exit(127);
	}
	PB_CHECK(pid > 0);
	const char *base = strrchr(trace, '/') + 1;
	int st = 0, caught = 0;
	for (;;) {
		if (maps_file(pid, base)) {
			caught = kill(pid, SIGSTOP) == 0;
			break;
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1; /* ended before its reader was seen */
	}
	PB_CHECK(truncate(trace, 1000000) == 0);
	PB_CHECK(!caught || kill(pid, SIGCONT) == 0);
	PB_CHECK(waitpid(pid, &st, 0) == pid);
	size_t n = 0;
	char *e = wl_slurp(errf, &n);
	snprintf(err, errlen, "%.*s", e ? (int)n : 0, e ? e : "");
	free(e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* sim and mrc on a trace that shrinks while they read it: exit 1, the
 * reader's one line.  A run that ended before its reader was seen, or
 * after its last size check, proves nothing and runs again. */
static void test_cli_shrink(const char *bin)
{
	const uint32_t nbig = 1000000; /* 24 MB: the reader is seen long before its end */
	size_t bigsz = (size_t)nbig * 24;
	unsigned char *big = malloc(bigsz);
	for (uint32_t i = 0; i < nbig; i++) {
		unsigned char *r = big + (size_t)i * 24;
		uint64_t id = id_of(i);
		uint32_t size = 4096;
		int64_t nx = -1;
		memcpy(r, &i, 4);
		memcpy(r + 4, &id, 8);
		memcpy(r + 12, &size, 4);
		memcpy(r + 16, &nx, 8);
	}
	static char trace[PATH_MAX], res[PATH_MAX], wl[PATH_MAX + 64];
	snprintf(trace, sizeof(trace), "%s", wl_path("cli.oracleGeneral"));
	snprintf(res, sizeof(res), "%s", wl_path("results"));
	snprintf(wl, sizeof(wl), "trace:path=%s,format=oracle", trace);
	/* streamed (sim's default, mrc's stack pass), loaded (sim --threads 2,
	 * mrc --replay load): every way sim and mrc read a trace */
	char *runs[][14] = {
	    {"sim", "--workload", wl, "--policy", "lru", "--frames", "1000", "--results", res},
	    {"sim", "--workload", wl, "--policy", "opt", "--frames", "1000", "--results", res},
	    {"sim", "--workload", wl, "--policy", "lru", "--frames", "1000", "--threads", "2",
	     "--results", res},
	    {"mrc", "--workload", wl, "--policy", "lru", "--frames", "100:1000:100", "--results",
	     res},
	    {"mrc", "--workload", wl, "--policy", "lru", "--frames", "100:1000:100", "--replay",
	     "load", "--results", res},
	};
	for (size_t r = 0; r < PB_ARRAY_SIZE(runs); r++) {
		char err[4096] = "";
		int code = -1;
		for (int tries = 0; tries < 8 && (code == -1 || code == 0); tries++)
			code = cli_shrink_once(bin, runs[r], trace, big, bigsz, err, sizeof(err));
		PB_CHECK_MSG(code == 1 && strstr(err, "the file shrank while it was read") &&
				 count_lines(err) == 1,
			     "case %zu (%s --policy %s): exit %d, want 1: %s", r, runs[r][0],
			     runs[r][4], code, err);
		printf("case %zu (%s --policy %s): exit %d: %s", r, runs[r][0], runs[r][4], code,
		       err);
	}
	free(big);
}

int main(int argc, char **argv)
{
	wl_mkdir();
	if (argc > 1)
		test_cli_shrink(argv[1]);
	make_image();

	/* whole files, on another thread meanwhile */
	/* a copy: wl_path reuses 4 buffers, and the shrink cases below call it
	 * while the reader thread still opens this name (it read "tail" once) */
	static char whole[PATH_MAX];
	snprintf(whole, sizeof(whole), "%s", wl_path("whole.oracleGeneral"));
	whole_path = whole;
	wl_write(whole_path, image, (size_t)NREC * 24);
	pthread_t th;
	PB_CHECK(pthread_create(&th, NULL, whole_reader, NULL) == 0);

	/* SIGBUS: a page past the new end (inside one WL_MAP_DROP step) */
	shrink_case("mid.oracleGeneral", 60000, (off_t)62000 * 24 + 5);
	shrink_case("zero.oracleGeneral", 60000, 0);
	/* the size check at a WL_MAP_DROP step (2 MiB) */
	shrink_case("step.oracleGeneral", 60000, (off_t)100000 * 24 + 5);
	/* within the last page, past the last step: no SIGBUS, the check at the end */
	shrink_case("tail.oracleGeneral", NREC - 1000, (off_t)NREC * 24 - 30);
	/* before the first record is read from the mapping */
	shrink_case("early.oracleGeneral", 1, 4096);

	PB_CHECK(pthread_join(th, NULL) == 0);
	PB_CHECK(whole_ok == 3);

	/* the reader's handler is installed: other SIGBUS still kill */
	struct sigaction cur;
	PB_CHECK(sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO));
	int st = child_status(0);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "own mapping: status %#x", st);
	st = child_status(1);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "kill: status %#x", st);

	free(image);
	wl_rmdir();
	return pb_test_done();
}
