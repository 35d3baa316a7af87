/* SPDX-License-Identifier: MIT */
/*
 * `pagebench run` killed by SIGTERM before its first configuration
 * finished: it dies of the signal (as a run interrupted later does), leaves
 * no run folder, and says so on one line of stderr (it printed nothing
 * until 2026-12-06).  The signal is sent once the run folder exists (the
 * handlers are installed before it is made) and long before the one
 * configuration (10000 repetitions of a million loads) could finish.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pbtest.h"
#include "spawn.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_run_sigterm PATH_TO_PAGEBENCH");
	const char *bin = argv[1];
	char top[4096], root[4200], errf[4200], dir[4400];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "sigterm") != NULL);
	snprintf(root, sizeof(root), "%s/results", top);
	snprintf(errf, sizeof(errf), "%s/stderr", top);
	int fe = open(errf, O_RDWR | O_CREAT | O_TRUNC, 0600);
	PB_CHECK(fe >= 0);
	char *a[] = {(char *)bin, "run",	   "chase",	"--threads", "1",
		     "--reps",	  "10000",	   "--ops",	"1M",	     "--size",
		     "64K",	  "--no-baseline", "--results", root,	     NULL};
	pid_t pid = pbt_start(a, fe);
	PB_CHECK(pid > 0);
	/* the run folder exists: the handlers are in place */
	for (int i = 0; i < 60000 && pbt_run_dirs(root, dir, sizeof(dir)) == 0; i++) {
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	PB_CHECK(pbt_run_dirs(root, dir, sizeof(dir)) == 1);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %d", st);
	PB_CHECK_EQ_U64(pbt_run_dirs(root, dir, sizeof(dir)), 0);
	static char err[1 << 16];
	lseek(fe, 0, SEEK_SET);
	spawn_read(fe, err, sizeof(err));
	close(fe);
	/* one line, and no other line of pagebench's */
	const char *l = strstr(err, "pagebench run: ");
	PB_CHECK_MSG(l && strstr(l, "interrupted by SIGTERM before any configuration finished") &&
			 strstr(l, "nothing written") && strchr(l, '\n') &&
			 !strstr(strchr(l, '\n'), "pagebench") && !strstr(err, "results"),
		     "stderr: %s", err);
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
