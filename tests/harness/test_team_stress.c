/*
 * The harness's concurrent paths under ThreadSanitizer (label stress): the
 * pinned team, the go-flag start barrier and the end-of-repetition wait,
 * driven through `pagebench run` itself with more threads than PUs.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

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
	struct pb_plan plan;
	PB_CHECK(pb_plan_make(6, PB_PIN_COMPACT, &plan) == 0);
	struct ctx c = {0};
	struct pb_bound bound[6];
	for (int i = 0; i < 20; i++)
		pb_team_run(&plan, body, &c, bound);
	PB_CHECK_EQ_U64(c.total, 120);
	for (int t = 0; t < 6; t++)
		PB_CHECK_EQ_U64(c.hits[t], 20);
	pb_plan_free(&plan);

	char root[] = "/tmp/pb-test-teamXXXXXX";
	PB_CHECK(mkdtemp(root) != NULL);
	char *argv[] = {"run", "chase", "--threads", "1,3,5", "--reps", "4", "--size", "256K",
			"--ops", "20000", "--results", root, NULL};
	PB_CHECK_EQ_U64(pb_cmd_run(12, argv), 0);
	char *argv2[] = {"run", "memtouch", "--threads", "4", "--reps", "3", "--size", "1M",
			 "--results", root, NULL};
	PB_CHECK_EQ_U64(pb_cmd_run(10, argv2), 0);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	PB_CHECK(system(cmd) == 0);
	return pb_test_done();
}
