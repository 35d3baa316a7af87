/* SPDX-License-Identifier: MIT */
/*
 * A configuration with more threads than the PUs the process may use is
 * marked "[oversubscribed]" on its line; meta.json "oversubscribed" lists
 * it with its threads and the PUs (the mark was printed and stored
 * nowhere).  The test limits itself to one CPU (inherited by the run),
 * runs memtouch on 1 and 2 threads and reads meta.json with jansson.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbtest.h"
#include "spawn.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_oversub PATH_TO_PAGEBENCH");
	cpu_set_t cs;
	PB_CHECK(sched_getaffinity(0, sizeof(cs), &cs) == 0);
	int cpu = -1;
	for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
		if (CPU_ISSET(i, &cs))
			cpu = i;
	CPU_ZERO(&cs);
	CPU_SET(cpu, &cs);
	if (cpu < 0 || sched_setaffinity(0, sizeof(cs), &cs))
		PB_SKIP("cannot limit the process to one CPU");
	setenv("PAGEBENCH_COUNTERS", "none", 1);
	char top[4096];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "oversub") != NULL);
	struct spawn_out o;
	json_t *m = pbt_run_meta(argv[1], top, &o, NULL, 0, "run", "memtouch", "--threads", "1,2",
				 "--reps", "1", "--size", "1M", "--no-baseline", (char *)NULL);
	PB_CHECK_MSG(strstr(o.err, "[oversubscribed]"), "stderr: %s", o.err);
	json_t *ov = json_object_get(m, "oversubscribed"), *e = json_array_get(ov, 0);
	const char *x = json_string_value(json_object_get(e, "experiment"));
	PB_CHECK_MSG(json_array_size(ov) == 1 && x && strstr(x, "threads=2") &&
			 json_integer_value(json_object_get(e, "threads")) == 2 &&
			 json_integer_value(json_object_get(e, "pus")) == 1,
		     "oversubscribed: %s", ov ? json_dumps(ov, JSON_COMPACT) : "(absent)");
	json_decref(m);
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
