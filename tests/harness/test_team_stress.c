/* SPDX-License-Identifier: MIT */
/*
 * The harness's concurrent paths under ThreadSanitizer (label stress): the
 * pinned team (OpenMP's, and the POSIX threads of pb_team_run_threads) and
 * the start gate (spin, yield, futex sleep), driven through
 * `pagebench run` itself with more threads than PUs; and the signal path: a
 * SIGINT arriving while a team runs stops it at the next gate, in a child
 * whose stderr must carry no ThreadSanitizer report.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/commands.h"
#include "pagebench/team.h"
#include "pbtest.h"

struct ctx {
	unsigned hits[8];
	unsigned total;
};

static void body(void *arg, unsigned tid)
{
	struct ctx *c = arg;
	c->hits[tid]++; /* each thread its own slot */
	pb_atomic_fetch_add(&c->total, 1, PB_RELAXED);
}

int main(void)
{
	char root[4096];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "team") != NULL);
	/* First, before this process starts any team: libgomp's pool does not
	 * survive fork(). */
	/* SIGINT while 6 threads run repetitions: stops at a gate. */
	char errpath[4200]; /* hidden: the wait below counts the run folders */
	snprintf(errpath, sizeof(errpath), "%s/.errXXXXXX", root);
	int efd = mkstemp(errpath);
	PB_CHECK(efd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(efd, 2);
		char *argv3[] = {"run",		  "chase",     "--threads", "6",     "--reps",
				 "10000",	  "--size",    "64K",	    "--ops", "2000",
				 "--no-baseline", "--results", root,	    NULL};
		_exit(pb_cmd_run(13, argv3));
	}
	/* Once the run folder exists the handler is installed; then let the
	 * team run a little. */
	for (int i = 0; i < 20000; i++) {
		struct timespec t1 = {0, 1000 * 1000};
		nanosleep(&t1, NULL);
		DIR *d = opendir(root);
		struct dirent *e;
		int n = 0;
		while (d && (e = readdir(d)))
			n += e->d_name[0] != '.';
		if (d)
			closedir(d);
		if (n)
			break;
	}
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	kill(pid, SIGINT);
	int st;
	waitpid(pid, &st, 0);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "child status %d", st);
	char buf[8192] = "";
	ssize_t n = pread(efd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	PB_CHECK_MSG(!strstr(buf, "ThreadSanitizer"), "%s", buf);
	close(efd);
	unlink(errpath);

	struct pb_plan plan;
	PB_CHECK(pb_plan_make(6, PB_PIN_COMPACT, &plan) == 0);
	struct ctx c = {0};
	struct pb_bound bound[6];
	for (int i = 0; i < 20; i++)
		pb_team_run(&plan, body, &c, bound);
	PB_CHECK_EQ_U64(c.total, 120);
	for (int t = 0; t < 6; t++)
		PB_CHECK_EQ_U64(c.hits[t], 20);
	/* the simulation's POSIX-thread team: every tid once a run, each
	 * thread's placement read back as planned */
	struct pb_bound tb[6];
	memset(tb, 0xff, sizeof(tb));
	for (int i = 0; i < 20; i++)
		pb_team_run_threads(&plan, body, &c, tb);
	PB_CHECK_EQ_U64(c.total, 240);
	for (int t = 0; t < 6; t++) {
		PB_CHECK_EQ_U64(c.hits[t], 40);
		PB_CHECK_EQ_U64((uint64_t)(int64_t)tb[t].pu_planned,
				(uint64_t)(int64_t)bound[t].pu_planned);
		PB_CHECK(tb[t].pu_got >= 0);
	}
	pb_plan_free(&plan);

	char *argv[] = {"run",	"chase", "--threads", "1,3,5",	   "--reps", "4", "--size",
			"256K", "--ops", "20000",     "--results", root,     NULL};
	PB_CHECK_EQ_U64(pb_cmd_run(12, argv), 0);
	char *argv2[] = {"run",	   "memtouch", "--threads", "4",  "--reps", "3",
			 "--size", "1M",       "--results", root, NULL};
	PB_CHECK_EQ_U64(pb_cmd_run(10, argv2), 0);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
