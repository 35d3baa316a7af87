/* SPDX-License-Identifier: MIT */
/*
 * The userfaultfd pager never hangs and never loses data (issue 11 #5,
 * issue 13 item 4):
 *  - a repeated fault message (what the kernel sends after a fault that a
 *    signal interrupted: SIGSTOP/SIGCONT) is harmless, with hints=1 and 2
 *    threads: before the fix the pager evicted the hinted victim twice and
 *    faulted on its own registered memory, a deadlock (inject=dupmsg
 *    replays every message, deterministically);
 *  - real SIGSTOP/SIGCONT storms during a hints=1 run: it finishes;
 *  - swap full, an injected I/O error, the region unregistered under a
 *    fault, a stuck handler: the run ends with exit 1 and one clear reason,
 *    within the test's bound (no hang);
 *  - without userfaultfd (simulated: PAGEBENCH_UFFD=eperm|enosys) setup
 *    fails with a one-line reason;
 *  - io=move (UFFDIO_MOVE out to and back from the swap area) and io=mixed
 *    (UFFDIO_MOVE out, UFFDIO_COPY back, the slot emptied before the page's
 *    next move out): every byte checked after each page went out and came
 *    back about a dozen times, 4 threads, under each dirty tracking,
 *    batched, shared handlers and hints; their failures end the run like
 *    io=copy's; without the feature (simulated: PAGEBENCH_UFFD=nomove)
 *    setup fails with the reason.
 * Every child runs under a timeout here: a hang is a failure, not a stuck CI.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pbtest.h"

static char top[4096]; /* pbt_tmpdir: under $TMPDIR */
static const char *bin;

struct res {
	int code; /* exit code, 128+signal, or -1: timed out (killed) */
	char err[1 << 16];
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/*
 * Run pagebench with args; SIGSTOP/SIGCONT it `storms` times while it runs;
 * kill it after limit_s.  stderr captured.
 */
static void run_bounded(char *const *args, const char *env, int storms, int limit_s, struct res *o)
{
	char tmpl[4200];
	snprintf(tmpl, sizeof(tmpl), "%s/errXXXXXX", top);
	int fe = mkstemp(tmpl);
	unlink(tmpl);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fe, 2);
		int dn = open("/dev/null", O_WRONLY);
		dup2(dn, 1);
		if (env)
			putenv((char *)env);
		execv(bin, args);
		_exit(127);
	}
	int st = 0, done = 0;
	for (long waited = 0; waited < limit_s * 1000L; waited += 10) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			done = 1;
			break;
		}
		if (storms > 0 && waited >= 200 && waited % 30 == 0) {
			kill(pid, SIGSTOP);
			sleep_ms(3);
			kill(pid, SIGCONT);
			storms--;
		}
		sleep_ms(10);
	}
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		o->code = -1;
	} else {
		o->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	lseek(fe, 0, SEEK_SET);
	ssize_t n = read(fe, o->err, sizeof(o->err) - 1);
	o->err[n > 0 ? n : 0] = 0;
	close(fe);
}

static int nrun;

static void pager(const char *params, const char *threads, const char *ops, const char *env,
		  int storms, struct res *o)
{
	char root[4200], par[512];
	snprintf(root, sizeof(root), "%s/%d", top, nrun++);
	snprintf(par, sizeof(par), "%s", params);
	char *a[] = {(char *)bin, "run",       "uffd-pager", "--threads",     (char *)threads,
		     "--reps",	  "2",	       "--ops",	     (char *)ops,     "--param",
		     par,	  "--results", root,	     "--no-baseline", NULL};
	run_bounded(a, env, storms, 120, o);
}

/* Sum of an event over measured total rows of the newest run's events.csv. */
static long long event_sum(const char *event)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/%d", top, nrun - 1);
	DIR *d = opendir(root);
	struct dirent *e;
	char best[256] = "";
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(best, sizeof(best), "%s", e->d_name);
	if (d)
		closedir(d);
	char p[8192], err[256];
	snprintf(p, sizeof(p), "%s/%s/events.csv", root, best);
	struct pb_csv t;
	if (pb_csv_read_file(p, &t, err, sizeof(err)))
		return -1;
	long long sum = 0;
	for (size_t r = 0; r < t.nrows; r++)
		if (strcmp(pb_csv_get(&t, r, "rep"), "0") &&
		    !strcmp(pb_csv_get(&t, r, "thread"), "total") &&
		    !strcmp(pb_csv_get(&t, r, "event"), event))
			sum += atoll(pb_csv_get(&t, r, "value"));
	pb_csv_free(&t);
	return sum;
}

/* The first line of s holds both needles. */
static int first_line_has(const char *s, const char *a, const char *b)
{
	char line[1024];
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(s, "\n"), s);
	return strstr(line, a) && strstr(line, b);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_pager_safety PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pager_safety") != NULL);
	static struct res o;

	/* Probe: without userfaultfd here, the rest cannot run. */
	pager("pages=64,frames=16", "1", "100", NULL, 0, &o);
	if (o.code != 0 && strstr(o.err, "userfaultfd unavailable")) {
		PB_CHECK(pbt_rmtree(top) == 0);
		PB_SKIP("userfaultfd is not available to this user");
	}
	PB_CHECK_MSG(o.code == 0, "probe: exit %d: %s", o.code, o.err);

	/* 1. Repeated messages, hints=1, 2 threads: no deadlock, data intact,
	 *    the repeats counted as spurious. */
	pager("pages=512,frames=128,hints=1,inject=dupmsg,check=full,write=0.5", "2", "20000", NULL,
	      0, &o);
	PB_CHECK_MSG(o.code == 0, "dupmsg hints=1: exit %d (-1: hung): %s", o.code, o.err);
	PB_CHECK_MSG(event_sum("spurious") > 0, "dupmsg: spurious %lld", event_sum("spurious"));
	pager("pages=512,frames=128,hints=0,inject=dupmsg,check=full,write=0.5,evict_batch=8", "2",
	      "20000", NULL, 0, &o);
	PB_CHECK_MSG(o.code == 0, "dupmsg hints=0: exit %d (-1: hung): %s", o.code, o.err);

	/* 2. Real stop/continue storms against a hints=1 pager, 2 threads. */
	pager("pages=512,frames=128,hints=1,policy=lru", "2", "200000", NULL, 60, &o);
	PB_CHECK_MSG(o.code == 0, "SIGSTOP/SIGCONT: exit %d (-1: hung): %s", o.code, o.err);

	/* 3. Unresolvable faults end the run: exit 1, the reason, bounded. */
	static const struct {
		const char *params, *why;
	} bad[] = {
	    {"pages=512,frames=128,pattern=loop,swap_pages=64", "swap is full"},
	    {"pages=512,frames=128,pattern=loop,inject=eio:10,dirty=off", "Input/output error"},
	    {"pages=512,frames=128,pattern=loop,inject=unregister:50", "no longer registered"},
	    {"pages=512,frames=128,pattern=loop,inject=wedge:50,watchdog_ms=200", "unserved"},
	    {"pages=512,frames=128,pattern=loop,inject=eio:3,dirty=off,swap=/tmp",
	     "Input/output error"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int h = 0; h < 2; h++) {
			char par[256];
			snprintf(par, sizeof(par), "%s%s", bad[i].params, h ? ",handlers=2" : "");
			pager(par, "2", "5000", NULL, 0, &o);
			PB_CHECK_MSG(o.code == 1, "%s: exit %d (-1: hung): %s", par, o.code, o.err);
			PB_CHECK_MSG(strstr(o.err, bad[i].why) != NULL, "%s: reason missing: %s",
				     par, o.err);
			/* a median no repetition gave reads NA, as in summary.csv */
			PB_CHECK_MSG(!strstr(o.err, " nan ") && !strstr(o.err, ": nanx"),
				     "%s: a 'nan' printed: %s", par, o.err);
		}
	}

	/* 5. io=move.  Probe: a kernel before 6.8 has no UFFDIO_MOVE. */
	pager("pages=64,frames=16,io=move", "1", "100", NULL, 0, &o);
	if (o.code != 0 && strstr(o.err, "UFFD_FEATURE_MOVE")) {
		fprintf(stderr, "note: io=move skipped: %s", o.err);
	} else {
		PB_CHECK_MSG(o.code == 0, "io=move probe: exit %d: %s", o.code, o.err);
		/* 256 pages in 32 frames, uniform, half writes, 4 threads x 1500
		 * accesses per repetition (3 with the warm-up): each page out and
		 * back about 15 times, every byte checked at every access and at
		 * the end. */
		static const char *const mv[] = {
		    "dirty=off",
		    "dirty=wp",
		    "dirty=auto",
		    "dirty=off,evict_batch=8",
		    "dirty=auto,evict_batch=8",
		    "handlers=2,dirty=wp",
		    "hints=1,evict_batch=4",
		    "policy=lru,hints=1,inject=dupmsg",
		};
		for (size_t i = 0; i < 2 * sizeof(mv) / sizeof(mv[0]); i++) {
			char par[256];
			size_t j = i % (sizeof(mv) / sizeof(mv[0]));
			snprintf(
			    par, sizeof(par),
			    "pages=256,frames=32,pattern=uniform,write=0.5,check=full,io=%s,%s",
			    i == j ? "move" : "mixed", mv[j]);
			pager(par, "4", "1500", NULL, 0, &o);
			PB_CHECK_MSG(o.code == 0, "%s: exit %d (-1: hung): %s", par, o.code, o.err);
			long long in = event_sum("swap_ins"), out = event_sum("evictions");
			PB_CHECK_MSG(in > 4 * 256 && out > 4 * 256,
				     "%s: swap_ins %lld, evictions %lld: pages did not cycle", par,
				     in, out);
		}
		/* Its failures end the run with the reason, as io=copy's. */
		for (size_t i = 0; i < 3; i++)
			for (int h = 0; h < 4; h++) {
				char par[256];
				snprintf(par, sizeof(par), "%s,io=%s%s", bad[i].params,
					 h & 2 ? "mixed" : "move", h & 1 ? ",handlers=2" : "");
				pager(par, "2", "5000", NULL, 0, &o);
				PB_CHECK_MSG(o.code == 1, "%s: exit %d (-1: hung): %s", par, o.code,
					     o.err);
				PB_CHECK_MSG(strstr(o.err, bad[i].why) != NULL,
					     "%s: reason missing: %s", par, o.err);
			}
		/* Linux 6.18 can move a page and then report -EEXIST (inject=eexist:N
		 * does so at each region's Nth move, in the first measured
		 * repetition): the page is where it belongs, the run goes on with
		 * every byte checked, and each of the 2 regions counts one.  A
		 * destination that is really mapped (occupied:N) still ends the
		 * run with the reason. */
		for (int h = 0; h < 4; h++) {
			char par[256];
			snprintf(par, sizeof(par),
				 "pages=512,frames=128,pattern=loop,dirty=off,check=full,"
				 "evict_batch=%d,io=%s,inject=%s:%d",
				 h & 1 ? 8 : 1, h & 1 ? "mixed" : "move",
				 h & 2 ? "occupied" : "eexist", h & 1 ? 900 : 15000);
			pager(par, "2", "5000", NULL, 0, &o);
			if (h & 2) {
				PB_CHECK_MSG(o.code == 1, "%s: exit %d (-1: hung): %s", par, o.code,
					     o.err);
				PB_CHECK_MSG(strstr(o.err, "found its destination populated") !=
						 NULL,
					     "%s: reason missing: %s", par, o.err);
			} else {
				PB_CHECK_MSG(o.code == 0, "%s: exit %d (-1: hung): %s", par, o.code,
					     o.err);
				PB_CHECK_MSG(event_sum("move_eexist") == 2, "%s: move_eexist %lld",
					     par, event_sum("move_eexist"));
			}
		}
	}
	/* Without the feature: one line with the reason, exit 1; io=move with a
	 * swap file or prepaging is refused with the reason. */
	pager("pages=64,frames=16,io=move", "1", "100", "PAGEBENCH_UFFD=nomove", 0, &o);
	PB_CHECK_MSG(o.code == 1, "nomove: exit %d", o.code);
	PB_CHECK_MSG(first_line_has(o.err, "io=move needs UFFDIO_MOVE", "use io=copy"),
		     "nomove: %s", o.err);
	pager("pages=64,frames=16,io=mixed", "1", "100", "PAGEBENCH_UFFD=nomove", 0, &o);
	PB_CHECK_MSG(o.code == 1, "nomove mixed: exit %d", o.code);
	PB_CHECK_MSG(first_line_has(o.err, "io=mixed needs UFFDIO_MOVE", "use io=copy"),
		     "nomove mixed: %s", o.err);
	pager("pages=64,frames=16,io=move,prepage=around", "1", "100", NULL, 0, &o);
	PB_CHECK_MSG(o.code != 0 && strstr(o.err, "prepage=none"), "io=move,prepage: %d %s", o.code,
		     o.err);

	/* 4. No userfaultfd: one line with the reason, exit 1. */
	const char *envs[] = {"PAGEBENCH_UFFD=eperm", "PAGEBENCH_UFFD=enosys"};
	const char *why[] = {"Operation not permitted", "Function not implemented"};
	for (int i = 0; i < 2; i++) {
		pager("pages=64,frames=16", "1", "100", envs[i], 0, &o);
		PB_CHECK_MSG(o.code == 1, "%s: exit %d", envs[i], o.code);
		PB_CHECK_MSG(first_line_has(o.err, "userfaultfd unavailable", why[i]), "%s: %s",
			     envs[i], o.err);
	}

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
