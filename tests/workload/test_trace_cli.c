/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_trace_cli.c - `pagebench trace` under hostile use
 * (issue 11 #3, #8, #10, #13): outputs that must not be clobbered (an
 * existing file, a FIFO, a symlink, a device), temporaries left by a fatal
 * signal, crafted records that expand to a huge number of pages, a wrong
 * --format, unusable input (missing, a directory, unreadable: exit 2, like
 * sim's), --no-ifetch on pbt input, and the trace-info memory bound (exit
 * 1).
 * Usage: test_trace_cli PAGEBENCH_BINARY
 */
#include "wltest.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "pagebench/outfile.h"
#include "pagebench/trace.h"
#include "pbtest.h"
#include "spawn.h"

static char *bin;
static struct spawn_out *o;

static int run(char *a0, char *a1, char *a2, char *a3, char *a4, char *a5, char *a6)
{
	char *av[] = {bin, a0, a1, a2, a3, a4, a5, a6, NULL};
	return spawn_run(av, NULL, o);
}

/* one line on stderr, starting "pagebench trace: " */
static void check_one_line(const char *what)
{
	PB_CHECK_MSG(!strncmp(o->err, "pagebench trace: ", 17) && count_lines(o->err) == 1,
		     "%s: stderr: %s", what, o->err);
}

static int count_sized(const char *part, off_t min_size)
{
	return wl_entries(part, min_size, 0);
}

static int count_named(const char *part)
{
	return wl_entries(part, 0, 0);
}

static const char lackey_log[] = "==12== Lackey, an example Valgrind tool\n"
				 "I  04000000,4\n"
				 " L 7ff000ffc,8\n"
				 " S 1000,4\n"
				 " M 2000,4\n"
				 "==12== \n";

/* a text trace's lines that are not page numbers: left out of the pbt,
 * and said on stderr (the pbt cannot tell sim later); a clean one: no word */
static void test_convert_skipped(void)
{
	char in[PATH_MAX], out[PATH_MAX];
	snprintf(in, sizeof(in), "%s", wl_path("garbled.trc"));
	snprintf(out, sizeof(out), "%s", wl_path("garbled.pbt"));
	static const char txt[] = "1\n2\n12x34\n3\n";
	wl_write(in, txt, strlen(txt));
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", "--format", "text", in, out), 0);
	PB_CHECK_MSG(strstr(o->err, "warning: 1 line of ") &&
			 strstr(o->err, " was not a reference, left out of ") &&
			 strstr(o->err, "(first at line 3)") && count_lines(o->err) == 2 &&
			 strstr(o->err, "pagebench trace: converted trace:path="),
		     "garbled convert: %s", o->err);
	PB_CHECK_MSG(strstr(o->out, "3 references written"), "%s", o->out);
	wl_write(in, "1\n2\n3\n", 6);
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", "--format", "text", in, out), 0);
	PB_CHECK_MSG(!strstr(o->err, "warning"), "clean convert: %s", o->err);
	/* LIRS's '*' breakpoints are a part of the format: no warning */
	wl_write(in, "1\n*\n2\n* \n3\n", 11);
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", "--format", "text", in, out), 0);
	PB_CHECK_MSG(!strstr(o->err, "warning") && strstr(o->out, "3 references written"),
		     "LIRS breakpoints: %s%s", o->out, o->err);
}

static void test_outputs(void)
{
	char in[PATH_MAX], out[PATH_MAX];
	snprintf(in, sizeof(in), "%s", wl_path("a.lackey"));
	wl_write(in, lackey_log, strlen(lackey_log));

	/* an existing regular file: refused without --force, untouched */
	snprintf(out, sizeof(out), "%s", wl_path("exists.pbt"));
	wl_write(out, "precious\n", 9);
	PB_CHECK_EQ_U64(run("trace", "convert", in, out, NULL, NULL, NULL), 2);
	check_one_line("existing OUT");
	PB_CHECK_MSG(strstr(o->err, "--force") != NULL, "stderr: %s", o->err);
	size_t n = 0;
	char *c = wl_slurp(out, &n);
	PB_CHECK(c && n == 9 && !memcmp(c, "precious\n", 9));
	free(c);
	/* with --force: replaced by a pbt a real reader reads back */
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", in, out, NULL, NULL), 0);
	char spec[PATH_MAX + 64], err[512];
	snprintf(spec, sizeof(spec), "trace:path=%s", out);
	PB_CHECK_EQ_U64(wl_readall(spec, NULL, NULL, err, sizeof(err)), 6);

	/* a FIFO: never replaced, even with --force; no work done, no temp */
	snprintf(out, sizeof(out), "%s", wl_path("fifo"));
	PB_CHECK(mkfifo(out, 0600) == 0);
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", in, out, NULL, NULL), 2);
	check_one_line("FIFO OUT");
	struct stat st;
	PB_CHECK(lstat(out, &st) == 0 && S_ISFIFO(st.st_mode));
	PB_CHECK_EQ_U64(count_named("fifo"), 1);
	/* trace record -o FIFO: refused before anything runs */
	PB_CHECK_EQ_U64(run("trace", "record", "-o", out, "--", "/bin/true", NULL), 2);
	check_one_line("record -o FIFO");
	PB_CHECK(lstat(out, &st) == 0 && S_ISFIFO(st.st_mode));

	/* a symlink: never written through nor replaced */
	char target[PATH_MAX];
	snprintf(target, sizeof(target), "%s", wl_path("target"));
	wl_write(target, "keep", 4);
	snprintf(out, sizeof(out), "%s", wl_path("link.pbt"));
	PB_CHECK(symlink(target, out) == 0);
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", in, out, NULL, NULL), 2);
	check_one_line("symlink OUT");
	PB_CHECK(lstat(out, &st) == 0 && S_ISLNK(st.st_mode));
	c = wl_slurp(target, &n);
	PB_CHECK(c && n == 4 && !memcmp(c, "keep", 4));
	free(c);

	/* a device: pb_out_check refuses /dev/null, which stays a device */
	PB_CHECK(pb_out_check("/dev/null", PB_OUT_FORCE, err, sizeof(err)) == -EINVAL);
	PB_CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", in, "/dev/null", NULL, NULL), 2);
	check_one_line("device OUT");
	PB_CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	/* the library refuses too */
	uint64_t nw;
	snprintf(spec, sizeof(spec), "trace:path=%s", in);
	PB_CHECK(pb_trace_convert(spec, 0, wl_path("fifo"), 3, PB_OUT_FORCE, &nw, err,
				  sizeof(err)) == -EINVAL);
}

/* Accesses of spec with any of the flags; -1 if it cannot be read. */
static long count_flagged(const char *spec, uint16_t flags)
{
	struct pb_access *v = NULL;
	char err[512] = "";
	long n = wl_readall(spec, NULL, &v, err, sizeof(err));
	PB_CHECK_MSG(n >= 0, "%s: %s", spec, err);
	long k = n < 0 ? -1 : 0;
	for (long i = 0; i < n; i++)
		k += (v[i].flags & flags) != 0;
	free(v);
	return k;
}

/*
 * An OUT.maps an earlier trace left (trace record -o OUT) is applied by
 * every reader of OUT: convert over OUT must not leave it beside the new
 * trace.  --force removes it (only once OUT is written); without --force
 * it is refused as OUT is; a sidecar that is not a regular file is never
 * removed.
 */
static void test_stale_maps(void)
{
	char in[PATH_MAX], out[PATH_MAX], maps[PATH_MAX], spec[PATH_MAX + 64];
	snprintf(in, sizeof(in), "%s", wl_path("syn.lackey"));
	snprintf(out, sizeof(out), "%s", wl_path("rec.pbt"));
	snprintf(maps, sizeof(maps), "%s", wl_path("rec.pbt.maps"));
	snprintf(spec, sizeof(spec), "trace:path=%s", out);
	/* references inside the recorded program's text and data */
	static const char syn[] = "I  00108100,4\n L 00109000,8\nI  0010a000,4\n";
	static const char rec_maps[] =
	    "# pagebench trace record: the traced process's mappings\n"
	    "00108000-0010a000 r--p 00000000 fe:00 248139      /usr/bin/true\n"
	    "0010a000-0010e000 r-xp 00002000 fe:00 248139      /usr/bin/true\n";
	wl_write(in, syn, strlen(syn));
	/* what `trace record -o rec.pbt` leaves: a trace and its sidecar */
	PB_CHECK_EQ_U64(run("trace", "convert", in, out, NULL, NULL, NULL), 0);
	wl_write(maps, rec_maps, strlen(rec_maps));
	PB_CHECK_EQ_U64(count_flagged(spec, PB_ACC_FILE), 3); /* the sidecar applies */
	/* a convert that fails on the way keeps the old trace and its sidecar */
	char bad[PATH_MAX];
	snprintf(bad, sizeof(bad), "%s", wl_path("bad.lackey"));
	wl_write(bad, "I  00108100,4\nnot a record\n", 27);
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", bad, out, NULL, NULL), 2);
	PB_CHECK(access(maps, F_OK) == 0);
	PB_CHECK_EQ_U64(count_flagged(spec, PB_ACC_FILE), 3);
	/* a new trace over it: the old sidecar goes with the old trace */
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", in, out, NULL, NULL), 0);
	PB_CHECK_MSG(access(maps, F_OK) != 0, "%s survived convert --force", maps);
	PB_CHECK_EQ_U64(count_flagged(spec, PB_ACC_FILE), 0);
	/* a sidecar without its trace: refused without --force, nothing
	 * written, the sidecar kept */
	PB_CHECK(unlink(out) == 0);
	wl_write(maps, rec_maps, strlen(rec_maps));
	PB_CHECK_EQ_U64(run("trace", "convert", in, out, NULL, NULL, NULL), 2);
	check_one_line("stale OUT.maps");
	PB_CHECK_MSG(strstr(o->err, "rec.pbt.maps") && strstr(o->err, "--force"), "stderr: %s",
		     o->err);
	PB_CHECK(access(out, F_OK) != 0 && access(maps, F_OK) == 0);
	/* the library alike */
	char lspec[PATH_MAX + 64], err[512];
	uint64_t nw = 0;
	snprintf(lspec, sizeof(lspec), "trace:path=%s", in);
	PB_CHECK(pb_trace_convert(lspec, 0, out, 3, 0, &nw, err, sizeof(err)) == -EEXIST);
	/* input that cannot be used is the error, before the stale OUT.maps
	 * (as the command has always said it) */
	PB_CHECK_MSG(pb_trace_convert("zipf:bogus=1", 0, out, 3, 0, &nw, err, sizeof(err)) ==
			     -EINVAL &&
			 strstr(err, "unknown parameter 'bogus'"),
		     "%s", err);
	PB_CHECK(access(out, F_OK) != 0 && access(maps, F_OK) == 0);
	PB_CHECK_MSG(pb_trace_convert(lspec, 0, out, 3, PB_OUT_FORCE, &nw, err, sizeof(err)) == 0,
		     "%s", err);
	PB_CHECK(nw == 3 && access(maps, F_OK) != 0);
	/* a directory named OUT.maps: refused even with --force, left alone */
	PB_CHECK(mkdir(maps, 0700) == 0);
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", in, out, NULL, NULL), 2);
	check_one_line("OUT.maps a directory");
	struct stat st;
	PB_CHECK(stat(maps, &st) == 0 && S_ISDIR(st.st_mode));
	PB_CHECK(rmdir(maps) == 0);
}

/* 1 if the streams of specs a (opened with seed) and b are the same. */
static int same_stream(const char *a, uint64_t seed, const char *b)
{
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = seed};
	struct pb_access *x = NULL, *y = NULL;
	char err[512] = "";
	long nx = wl_readall(a, &wo, &x, err, sizeof(err));
	long ny = wl_readall(b, NULL, &y, err, sizeof(err));
	PB_CHECK_MSG(nx > 0 && ny > 0, "%s: %ld, %s: %ld (%s)", a, nx, b, ny, err);
	int same = nx == ny;
	for (long i = 0; same && i < nx; i++)
		same = x[i].addr >> 12 == y[i].addr >> 12 && x[i].op == y[i].op &&
		       x[i].asid == y[i].asid;
	free(x);
	free(y);
	return same;
}

/* The `distinct pages:` count `trace info` printed. */
static uint64_t info_distinct(void)
{
	const char *d = strstr(o->out, "distinct pages:");
	return d ? strtoull(d + 15, NULL, 10) : 0;
}

/*
 * A generator spec converted or summarised is the stream sim and mrc
 * replay: seed 1 by default (their --seed), --seed S another, a spec's own
 * seed= before either.
 */
static void test_generator_seed(void)
{
	char gen[] = "zipf:pages=1000,refs=20000", out[PATH_MAX], pspec[PATH_MAX + 64];
	snprintf(out, sizeof(out), "%s", wl_path("gen.pbt"));
	snprintf(pspec, sizeof(pspec), "trace:path=%s", out);
	PB_CHECK_EQ_U64(run("trace", "convert", gen, out, NULL, NULL, NULL), 0);
	PB_CHECK_MSG(same_stream(gen, 1, pspec), "convert %s: not sim's stream (seed 1)", gen);
	PB_CHECK(!same_stream(gen, 0, pspec)); /* the seeds differ: the check can fail */
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", "--seed", "7", gen, out), 0);
	PB_CHECK_MSG(same_stream(gen, 7, pspec), "convert --seed 7 %s", gen);
	char own[] = "zipf:pages=1000,refs=20000,seed=5";
	PB_CHECK_EQ_U64(run("trace", "convert", "--force", "--seed", "7", own, out), 0);
	PB_CHECK_MSG(same_stream(gen, 5, pspec), "convert --seed 7 %s: not seed 5", own);
	/* info: the pages of seed 1's stream, those of --seed 0's */
	struct pb_trace_stats st[2];
	char err[512];
	PB_CHECK(pb_trace_info("zipf:pages=1000,refs=20000,seed=1", NULL, &st[0], err,
			       sizeof(err)) == 0);
	PB_CHECK(pb_trace_info("zipf:pages=1000,refs=20000,seed=0", NULL, &st[1], err,
			       sizeof(err)) == 0);
	PB_CHECK(st[0].distinct_pages != st[1].distinct_pages);
	/* the library takes the seed as sim's stream does (not through the spec) */
	struct pb_trace_stats sl;
	struct pb_trace_info_opts io = {.seed = 1};
	PB_CHECK(pb_trace_info(gen, &io, &sl, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(sl.distinct_pages, st[0].distinct_pages);
	/* and names the stream as sim does: the seed in, whichever way given */
	PB_CHECK_MSG(strstr(sl.canonical, ",seed=1,") && !strcmp(sl.canonical, st[0].canonical) &&
			 strstr(st[1].canonical, ",seed=0,"),
		     "canonical '%s', '%s', '%s'", sl.canonical, st[0].canonical, st[1].canonical);
	io.seed = 9; /* the spec's own seed= wins */
	PB_CHECK(pb_trace_info("zipf:pages=1000,refs=20000,seed=0", &io, &sl, err, sizeof(err)) ==
		 0);
	PB_CHECK_EQ_U64(sl.distinct_pages, st[1].distinct_pages);
	uint64_t nw = 0;
	char canon[PB_WORKLOAD_CANONLEN];
	PB_CHECK(pb_trace_convert_named(gen, 3, out, 1, PB_OUT_FORCE, &nw, canon, sizeof(canon),
					err, sizeof(err)) == 0);
	PB_CHECK_MSG(same_stream(gen, 3, pspec), "pb_trace_convert(seed 3) %s", gen);
	PB_CHECK_MSG(!strncmp(canon, "zipf:pages=1000,", 16) && strstr(canon, ",seed=3,"),
		     "pb_trace_convert_named(seed 3): '%s'", canon);
	/* convert X X: named by X as it was opened (a pbt trace), then replaced */
	PB_CHECK(pb_trace_convert_named(pspec, 0, out, 1, PB_OUT_FORCE, &nw, canon, sizeof(canon),
					err, sizeof(err)) == 0);
	PB_CHECK_MSG(strstr(canon, ",format=pbt,"), "'%s'", canon);
	PB_CHECK_EQ_U64(run("trace", "info", gen, NULL, NULL, NULL, NULL), 0);
	PB_CHECK_EQ_U64(info_distinct(), st[0].distinct_pages);
	PB_CHECK_EQ_U64(run("trace", "info", "--seed", "0", gen, NULL, NULL), 0);
	PB_CHECK_EQ_U64(info_distinct(), st[1].distinct_pages);
	/* a trace has no seed: --seed changes nothing */
	PB_CHECK_EQ_U64(run("trace", "info", "--seed", "0", out, NULL, NULL), 0);
	PB_CHECK_EQ_U64(run("trace", "info", "--seed", "0", pspec, NULL, NULL), 0);
	PB_CHECK_EQ_U64(run("trace", "record", "--seed", "0", "--", "/bin/true", NULL), 2);
}

/* A long convert killed by sig leaves neither OUT nor its temporary. */
static void test_signal(int sig)
{
	char out[PATH_MAX];
	snprintf(out, sizeof(out), "%s", wl_path("long.pbt"));
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = {0, 0};
		setrlimit(RLIMIT_CORE, &nocore); /* SIGQUIT */
		signal(sig, SIG_DFL);		 /* not inherited as ignored */
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		/* a generator spec: runs until killed */
		execl(bin, bin, "trace", "convert", "uniform:pages=1M,refs=100G", out,
		      (char *)NULL);
		_exit(127);
	}
	/* wait for the temporary to hold the pbt header: the convert is under
	 * way (and past creating the temporary, which pagebench/outfile.h
	 * registers for removal right after creating it) */
	int seen = 0;
	for (int i = 0; i < 2000 && !seen; i++) {
		seen = count_sized("long.pbt", 64) > 0;
		if (!seen) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	PB_CHECK_MSG(seen, "signal %d: no temporary appeared", sig);
	kill(pid, sig);
	int status = 0, done = 0;
	for (int i = 0; i < 3000 && !done; i++) {
		done = waitpid(pid, &status, WNOHANG) == pid;
		if (!done) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	PB_CHECK_MSG(done && WIFSIGNALED(status) && WTERMSIG(status) == sig,
		     "signal %d: done %d status %#x", sig, done, status);
	PB_CHECK_MSG(count_named("long.pbt") == 0, "signal %d left a temporary or OUT", sig);
	wl_entries("long.pbt", 0, 1); /* the next signal starts clean even after a failure */
}

static void test_limits(void)
{
	char f[PATH_MAX], out[PATH_MAX], spec[PATH_MAX + 64], err[512];
	/* an MSR line of 1 GiB: 262144 pages, above the default maxpages */
	snprintf(f, sizeof(f), "%s", wl_path("huge.csv"));
	const char *msr = "128166385295514663,hm,0,Read,0,4096,1\n"
			  "128166385295514664,hm,0,Read,0,1073741824,1\n";
	wl_write(f, msr, strlen(msr));
	snprintf(out, sizeof(out), "%s", wl_path("huge.pbt"));
	PB_CHECK_EQ_U64(run("trace", "convert", f, out, NULL, NULL, NULL), 2);
	check_one_line("huge MSR line");
	PB_CHECK_MSG(strstr(o->err, "huge.csv:2:") && strstr(o->err, "maxpages"), "stderr: %s",
		     o->err);
	PB_CHECK(access(out, F_OK) != 0);
	/* the crafted line of issue 11 (a size of 2^63 bytes): an error, at
	 * once; first with the bound named (fails fast where there is none),
	 * then with the default bound */
	const char *msr2 = "128166385295514663,hm,0,Write,0,9223372036854775807,1\n";
	wl_write(f, msr2, strlen(msr2));
	int ok = run("trace", "convert", "--maxpages", "65536", f, out, NULL) == 2 &&
		 strstr(o->err, "huge.csv:1:") && strstr(o->err, "maxpages");
	PB_CHECK_MSG(ok, "stderr: %s", o->err);
	if (ok) {
		PB_CHECK_EQ_U64(run("trace", "convert", f, out, NULL, NULL, NULL), 2);
		PB_CHECK_MSG(strstr(o->err, "huge.csv:1:") && strstr(o->err, "maxpages"),
			     "stderr: %s", o->err);
	}
	/* the 22-byte .lis line that exhausted memory in trace info */
	snprintf(f, sizeof(f), "%s", wl_path("huge.lis"));
	const char *lis = "0 999999999999999 0 0\n";
	PB_CHECK(strlen(lis) == 22);
	wl_write(f, lis, strlen(lis));
	struct pb_trace_stats st;
	snprintf(spec, sizeof(spec), "trace:path=%s,maxpages=65536", f);
	ok = pb_trace_info(spec, NULL, &st, err, sizeof(err)) == -EINVAL &&
	     strstr(err, "huge.lis:1:") && strstr(err, "maxpages=65536");
	PB_CHECK_MSG(ok, "err: %s", err);
	if (ok) {
		snprintf(spec, sizeof(spec), "trace:path=%s", f);
		PB_CHECK(pb_trace_info(spec, NULL, &st, err, sizeof(err)) == -EINVAL);
		PB_CHECK_MSG(strstr(err, "huge.lis:1:") && strstr(err, "maxpages=65536"), "err: %s",
			     err);
	}
	ok = run("trace", "info", "--maxpages", "65536", f, NULL, NULL) == 2 &&
	     strstr(o->err, "huge.lis:1:");
	PB_CHECK_MSG(ok, "stderr: %s", o->err);
	if (ok) {
		PB_CHECK_EQ_U64(run("trace", "info", f, NULL, NULL, NULL, NULL), 2);
		check_one_line("huge lis line");
	}
	/* a request of 100000 blocks: over the default, fine with maxpages= */
	const char *lis2 = "7 100000 0 0\n";
	wl_write(f, lis2, strlen(lis2));
	PB_CHECK(pb_trace_info(spec, NULL, &st, err, sizeof(err)) == -EINVAL);
	snprintf(spec, sizeof(spec), "trace:path=%s,maxpages=100000", f);
	PB_CHECK_MSG(pb_trace_info(spec, NULL, &st, err, sizeof(err)) == 0, "%s", err);
	PB_CHECK_EQ_U64(st.refs, 100000);
	PB_CHECK_EQ_U64(run("trace", "info", "--maxpages", "100000", f, NULL, NULL), 0);
	/* the memory bound of trace info: more distinct pages than allowed */
	struct pb_trace_info_opts io = {.max_distinct = 1000};
	PB_CHECK(pb_trace_info(spec, &io, &st, err, sizeof(err)) == -E2BIG);
	PB_CHECK_MSG(strstr(err, "1000 distinct pages") != NULL, "err: %s", err);
	PB_CHECK_EQ_U64(run("trace", "info", "--maxpages", "100000", "--max-distinct", "1000", f),
			1);
	check_one_line("max-distinct");
}

static void test_formats_and_io(void)
{
	char in[PATH_MAX], out[PATH_MAX];
	snprintf(in, sizeof(in), "%s", wl_path("a.lackey"));
	snprintf(out, sizeof(out), "%s", wl_path("wrong.pbt"));
	/* a lackey log read as text: an error naming the format and the
	 * first line that is not a page number, no output */
	PB_CHECK_EQ_U64(run("trace", "convert", "--format", "text", in, out, NULL), 2);
	check_one_line("wrong format");
	PB_CHECK_MSG(strstr(o->err, "a.lackey:1:") && strstr(o->err, "text"), "stderr: %s", o->err);
	PB_CHECK(access(out, F_OK) != 0);
	PB_CHECK_EQ_U64(run("trace", "info", "--format", "text", in, NULL, NULL), 2);
	/* text with some page numbers still reads (LIRS '*' lines skipped) */
	char t[PATH_MAX];
	snprintf(t, sizeof(t), "%s", wl_path("ok.trc"));
	wl_write(t, "*\n5\n*\n6\n", 8);
	PB_CHECK_EQ_U64(run("trace", "info", "--format", "text", t, NULL, NULL), 0);
	PB_CHECK(strstr(o->out, "references:     2") != NULL);
	/* input that cannot be used is bad input: exit 2, one line, as sim
	 * and mrc exit on it (a failure on the way, such as the memory bound
	 * of test_limits, stays 1); convert writes nothing */
	char missing[PATH_MAX];
	snprintf(missing, sizeof(missing), "%s", wl_path("no-such-file"));
	PB_CHECK_EQ_U64(run("trace", "info", missing, NULL, NULL, NULL, NULL), 2);
	check_one_line("info: missing input");
	PB_CHECK_MSG(strstr(o->err, "no-such-file"), "stderr: %s", o->err);
	PB_CHECK_EQ_U64(run("trace", "info", wl_dir, NULL, NULL, NULL, NULL), 2);
	check_one_line("info: directory input");
	PB_CHECK_MSG(strstr(o->err, "a directory"), "stderr: %s", o->err);
	PB_CHECK_EQ_U64(run("trace", "convert", missing, out, NULL, NULL, NULL), 2);
	check_one_line("convert: missing input");
	PB_CHECK_EQ_U64(run("trace", "convert", wl_dir, out, NULL, NULL, NULL), 2);
	check_one_line("convert: directory input");
	PB_CHECK_EQ_U64(run("trace", "info", "--format", "pbt", in, NULL, NULL), 2);
	check_one_line("info: not a pbt");
	PB_CHECK(access(out, F_OK) != 0);
	/* an output in a folder that does not exist: refused, exit 2 */
	char nodir[sizeof(missing) + 8];
	snprintf(nodir, sizeof(nodir), "%s/x.pbt", missing);
	PB_CHECK_EQ_U64(run("trace", "convert", in, nodir, NULL, NULL, NULL), 2);
	check_one_line("convert: OUT in a missing folder");
	/* unreadable (root reads it anyway: checked only when it cannot) */
	char locked[PATH_MAX];
	snprintf(locked, sizeof(locked), "%s", wl_path("locked.trc"));
	wl_write(locked, "1\n2\n", 4);
	PB_CHECK(chmod(locked, 0) == 0);
	if (access(locked, R_OK) != 0) {
		PB_CHECK_EQ_U64(run("trace", "info", locked, NULL, NULL, NULL, NULL), 2);
		check_one_line("info: unreadable input");
		PB_CHECK_EQ_U64(run("trace", "convert", locked, out, NULL, NULL, NULL), 2);
		check_one_line("convert: unreadable input");
	}
	PB_CHECK(chmod(locked, 0600) == 0);
	PB_CHECK_EQ_U64(run("trace", "info", "--bogus", in, NULL, NULL, NULL), 2);
	PB_CHECK_EQ_U64(run("trace", "info", "--force", in, NULL, NULL, NULL), 2);
}

static void test_pbt_ifetch(void)
{
	char in[PATH_MAX], out[PATH_MAX], spec[PATH_MAX + 64], err[512];
	snprintf(in, sizeof(in), "%s", wl_path("a.lackey"));
	snprintf(out, sizeof(out), "%s", wl_path("if.pbt"));
	PB_CHECK_EQ_U64(run("trace", "convert", in, out, NULL, NULL, NULL), 0);
	/* ifetch=0 on pbt drops the fetch (the reference sequence as lackey's) */
	struct pb_access *a = NULL, *b = NULL;
	snprintf(spec, sizeof(spec), "trace:path=%s,ifetch=0", out);
	long na = wl_readall(spec, NULL, &a, err, sizeof(err));
	snprintf(spec, sizeof(spec), "trace:path=%s,ifetch=0", in);
	long nb = wl_readall(spec, NULL, &b, err, sizeof(err));
	PB_CHECK_MSG(na == 5 && nb == 5, "pbt %ld, lackey %ld", na, nb);
	for (long i = 0; na == 5 && nb == 5 && i < na; i++)
		PB_CHECK(a[i].op != PB_OP_FETCH && a[i].op == b[i].op &&
			 a[i].addr >> 12 == b[i].addr >> 12);
	free(a);
	free(b);
	PB_CHECK_EQ_U64(run("trace", "info", "--no-ifetch", out, NULL, NULL, NULL), 0);
	PB_CHECK_MSG(strstr(o->out, "fetches:      0") && strstr(o->out, "references:     5"),
		     "stdout: %s", o->out);
}

/* --fast N reaches zstd (a file of another size than level 3's, zstd
 * blocks), reads back whole, and is bounded like every option; trace info
 * counts the blocks by codec */
static void test_fast_level(void)
{
	const char *in = "zipf:pages=4096,alpha=0.9,refs=200000,seed=7";
	char l3[PATH_MAX], f1[PATH_MAX], spec[PATH_MAX + 64], err[512];
	snprintf(l3, sizeof(l3), "%s", wl_path("l3.pbt"));
	snprintf(f1, sizeof(f1), "%s", wl_path("f1.pbt"));
	PB_CHECK_EQ_U64(run("trace", "convert", (char *)in, l3, NULL, NULL, NULL), 0);
	PB_CHECK_EQ_U64(run("trace", "convert", "--fast", "1", (char *)in, f1, NULL), 0);
	size_t n3 = 0, n1 = 0;
	unsigned char *a = (unsigned char *)wl_slurp(l3, &n3);
	unsigned char *b = (unsigned char *)wl_slurp(f1, &n1);
	/* the first block's header follows the 64-byte file header; its
	 * codec word (offset 20) is 1 for a zstd block */
	PB_CHECK_MSG(a && b && n3 > 96 && n1 > 96 && b[64 + 20] == 1 && a[64 + 20] == 1,
		     "codec of the first block: level 3 %d, fast 1 %d", a && n3 > 96 ? a[84] : -1,
		     b && n1 > 96 ? b[84] : -1);
	PB_CHECK_MSG(n1 != n3,
		     "--fast 1 wrote %zu bytes, level 3 %zu: the level did not reach zstd", n1, n3);
	free(a);
	free(b);
	snprintf(spec, sizeof(spec), "trace:path=%s", f1);
	PB_CHECK_EQ_U64(wl_readall(spec, NULL, NULL, err, sizeof(err)), 200000);
	/* trace info counts the blocks by codec: all zstd at --fast 1, all
	 * stored at --level 0, as many either way */
	unsigned long long nz[2] = {0}, nzst[2] = {0}, nst[2] = {0};
	for (int lv = 0; lv < 2; lv++) {
		if (lv)
			PB_CHECK_EQ_U64(
			    run("trace", "convert", "--level", "0", (char *)in, l3, "--force"), 0);
		PB_CHECK_EQ_U64(run("trace", "info", lv ? l3 : f1, NULL, NULL, NULL, NULL), 0);
		const char *line = strstr(o->out, "pbt blocks:");
		PB_CHECK_MSG(line && sscanf(line, "pbt blocks: %llu (zstd %llu, stored %llu)",
					    &nz[lv], &nzst[lv], &nst[lv]) == 3,
			     "trace info: %s", o->out);
	}
	PB_CHECK_MSG(nz[0] > 0 && nzst[0] == nz[0] && nst[0] == 0 && nz[1] == nz[0] &&
			 nzst[1] == 0 && nst[1] == nz[1],
		     "pbt blocks: --fast 1 %llu (zstd %llu, stored %llu), --level 0 %llu (zstd "
		     "%llu, stored %llu)",
		     nz[0], nzst[0], nst[0], nz[1], nzst[1], nst[1]);
	PB_CHECK_EQ_U64(run("trace", "convert", "--fast", "8", (char *)in, f1, "--force"), 2);
	check_one_line("--fast 8");
}

/* The literals section type of the first block of the zstd frame that
 * is the first pbt block's payload (RFC 8878: 0 raw, 1 RLE, 2 Huffman,
 * 3 Huffman with the previous table); -1 if that block is not a
 * compressed zstd block. */
static int first_literals_type(const unsigned char *f, size_t n)
{
	const size_t at = 64 + 32; /* file header, block header */
	if (n < at + 16 || f[64 + 20] != 1 || memcmp(f + at, "\x28\xb5\x2f\xfd", 4))
		return -1;
	unsigned d = f[at + 4]; /* frame header descriptor */
	unsigned fcs = d >> 6, single = (d >> 5) & 1, did = d & 3;
	static const unsigned did_len[4] = {0, 1, 2, 4}, fcs_len[4] = {0, 2, 4, 8};
	size_t b =
	    at + 5 + (single ? 0 : 1) + did_len[did] + (fcs == 0 && single ? 1 : fcs_len[fcs]);
	if (b + 4 > n || ((f[b] >> 1) & 3) != 2) /* block type 2: compressed */
		return -1;
	return f[b + 3] & 3;
}

/* zstd's literals are stored raw by default (replay decodes them for
 * free), Huffman-coded with --huffman (a smaller file); both read back
 * the same references; --huffman with --fast or --level 0 is refused */
static void test_literals(void)
{
	const char *in = "zipf:pages=4096,alpha=0.9,write=0.3,refs=200000,seed=7";
	char raw[PATH_MAX], huf[PATH_MAX], spec[PATH_MAX + 64], err[512];
	snprintf(raw, sizeof(raw), "%s", wl_path("raw.pbt"));
	snprintf(huf, sizeof(huf), "%s", wl_path("huf.pbt"));
	PB_CHECK_EQ_U64(run("trace", "convert", (char *)in, raw, NULL, NULL, NULL), 0);
	PB_CHECK_EQ_U64(run("trace", "convert", "--huffman", (char *)in, huf, NULL, NULL), 0);
	size_t nr = 0, nh = 0;
	unsigned char *a = (unsigned char *)wl_slurp(raw, &nr);
	unsigned char *b = (unsigned char *)wl_slurp(huf, &nh);
	int ta = a ? first_literals_type(a, nr) : -1, tb = b ? first_literals_type(b, nh) : -1;
	PB_CHECK_MSG(ta == 0 && (tb == 2 || tb == 3),
		     "first block's literals: default type %d (want 0, raw), --huffman %d (want 2)",
		     ta, tb);
	PB_CHECK_MSG(nh < nr, "--huffman wrote %zu bytes, the default %zu: not smaller", nh, nr);
	free(a);
	free(b);
	struct pb_access *x = NULL, *y = NULL;
	snprintf(spec, sizeof(spec), "trace:path=%s", raw);
	long n1 = wl_readall(spec, NULL, &x, err, sizeof(err));
	snprintf(spec, sizeof(spec), "trace:path=%s", huf);
	long n2 = wl_readall(spec, NULL, &y, err, sizeof(err));
	PB_CHECK_MSG(n1 == 200000 && n2 == 200000, "read back %ld and %ld references: %s", n1, n2,
		     err);
	long bad = 0;
	for (long i = 0; n1 == n2 && i < n1; i++)
		bad += x[i].addr != y[i].addr || x[i].op != y[i].op;
	PB_CHECK_MSG(bad == 0, "%ld references differ between the two files", bad);
	free(x);
	free(y);
	/* refused before any work (a new OUT, so nothing else could refuse) */
	snprintf(huf, sizeof(huf), "%s", wl_path("huf2.pbt"));
	PB_CHECK_EQ_U64(run("trace", "convert", "--huffman", "--fast", "1", (char *)in, huf), 2);
	check_one_line("--huffman --fast 1");
	PB_CHECK_MSG(strstr(o->err, "--huffman"), "stderr: %s", o->err);
	PB_CHECK_EQ_U64(run("trace", "convert", "--huffman", "--level", "0", (char *)in, huf), 2);
	check_one_line("--huffman --level 0");
	PB_CHECK_MSG(access(huf, F_OK) != 0, "%s written by a refused command", huf);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_trace_cli PAGEBENCH_BINARY");
	bin = argv[1];
	o = malloc(sizeof(*o));
	wl_mkdir();
	test_outputs();
	test_stale_maps();
	test_generator_seed();
	test_convert_skipped();
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	for (size_t i = 0; i < PB_ARRAY_SIZE(sigs); i++)
		test_signal(sigs[i]);
	test_limits();
	test_formats_and_io();
	test_pbt_ifetch();
	test_fast_level();
	test_literals();
	wl_rmdir();
	free(o);
	return pb_test_done();
}
