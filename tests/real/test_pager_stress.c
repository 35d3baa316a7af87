/* SPDX-License-Identifier: MIT */
/*
 * Pager stress (label `stress`; `./run.sh test` runs it in the TSan build):
 * every online eviction strategy, 4 worker threads, a region of 256 pages
 * with 32 frames under uniform accesses (half of them writes), so that each
 * page goes out and comes back about a dozen times per repetition; every
 * byte of a page is a function of (page, version) and is checked on every
 * access and once more for every page at the end (check=full).  Each policy
 * runs under one of the pager's configurations in turn (dirty tracking by
 * WP faults, by WP_ASYNC, none; batched zaps; prepaging of three kinds;
 * shared handlers, blocking and polling with batched reads; hints; a swap
 * file; pages moved out and back by UFFDIO_MOVE, io=move, or moved out and
 * copied back, io=mixed), so all of
 * them meet several strategies.  A run that loses a byte
 * exits 1 (valid=0), a data race exits 66 under TSan, a hang is killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/policy.h"
#include "pbtest.h"

static char top[4096]; /* pbt_tmpdir: under $TMPDIR */

static int run_bounded(char *const *args, int limit_s, char *err, size_t errlen)
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
		execv(args[0], args);
		_exit(127);
	}
	int st = 0, code = -1;
	for (long ms = 0; ms < limit_s * 1000L; ms += 20) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		struct timespec ts = {0, 20000000L};
		nanosleep(&ts, NULL);
	}
	if (code == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	lseek(fe, 0, SEEK_SET);
	ssize_t n = read(fe, err, errlen - 1);
	err[n > 0 ? n : 0] = 0;
	close(fe);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_real_pager_stress PATH_TO_PAGEBENCH");
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pager_stress") != NULL);
	static char err[1 << 16];
	char swapdir[4200];
	snprintf(swapdir, sizeof(swapdir), "swap=%s", top);
	const char *variants[] = {
	    "dirty=wp",
	    "dirty=auto",
	    "dirty=off",
	    "evict_batch=8",
	    "prepage=around,prepage_n=3",
	    "prepage=readahead,prepage_n=4",
	    "prepage=cluster,prepage_n=4",
	    "handlers=2",
	    "handlers=2,poll=1,batch=4",
	    "hints=1,evict_batch=4",
	    swapdir,
	    "io=move,dirty=auto",
	    "io=move,dirty=off,evict_batch=8",
	    "io=mixed,dirty=auto,evict_batch=8",
	    "io=mixed,dirty=wp",
	    "io=mixed,dirty=off,handlers=2",
	};
	size_t nv = sizeof(variants) / sizeof(variants[0]);
	unsigned runs = 0, k = 0;
	for (size_t i = 0; pb_policies[i]; i++) {
		const struct pb_policy_desc *d = pb_policies[i];
		if (d->flags & PB_POL_OFFLINE)
			continue;
		/* Two configurations per policy, rotating through all of them. */
		for (int rep = 0; rep < 2; rep++, k++) {
			char par[4400], root[4300];
			snprintf(
			    par, sizeof(par),
			    "pages=256,frames=32,pattern=uniform,write=0.5,check=full,policy=%s,%s",
			    d->name, variants[k % nv]);
			snprintf(root, sizeof(root), "%s/r%u", top, runs++);
			char *a[] = {argv[1], "run",	       "uffd-pager", "--threads",
				     "4",     "--reps",	       "1",	     "--ops",
				     "4000",  "--param",       par,	     "--results",
				     root,    "--no-baseline", NULL};
			int code = run_bounded(a, 240, err, sizeof(err));
			if (code == 1 && strstr(err, "UFFD_FEATURE_MOVE"))
				continue; /* io=move before Linux 6.8: the others still run */
			if (code == 1 && strstr(err, "userfaultfd unavailable")) {
				PB_CHECK(pbt_rmtree(top) == 0);
				PB_SKIP("userfaultfd is not available to this user");
			}
			PB_CHECK_MSG(code == 0, "%s: exit %d (-1: hung): %.2000s", par, code, err);
		}
	}
	PB_CHECK(runs >= 20);
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
