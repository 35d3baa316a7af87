/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_bounds.c - a generator's bounds, through sim: the one
 * a value is refused by is the one its message gives.
 *  - pages= above what the private region holds in pages of 4096 bytes
 *    (34,091,237,376 below the library region) is refused when parsed,
 *    the message giving that bound; the bound itself runs;
 *  - with a larger page= the region holds fewer: refused naming that
 *    page size's bound;
 *  - procs= above 65521 (asids 0..65520, the engine's last) is refused
 *    when parsed, not by the engine midway through the stream.
 * Every refusal: exit 2, one line, no run folder.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[512];
static char env_results[600];
static char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", NULL};

/* sim of workload spec on 4 frames into root; its exit code */
static int sim(struct spawn_out *o, const char *spec)
{
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", root);
	return spawn_runl(bin, envv, o, "sim", "--workload", spec, "--policy", "lru", "--frames",
			  "4", "--reps", "1", NULL);
}

static void refused(struct spawn_out *o, const char *spec, const char *said)
{
	char dir[1024];
	int code = sim(o, spec);
	PB_CHECK_MSG(code == 2 && strstr(o->err, said) && count_lines(o->err) == 1,
		     "%s: exit %d, want 2 and '%s': %s", spec, code, said, o->err);
	int n = pbt_run_dirs(root, dir, sizeof(dir));
	PB_CHECK_MSG(n <= 0, "%s: %d entries under %s", spec, n, root);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	char dir[256];
	if (!pbt_tmpdir(dir, sizeof(dir), "simbounds"))
		return 1;
	snprintf(root, sizeof(root), "%s/results", dir);
	struct spawn_out *o = malloc(sizeof(*o));
	if (!o)
		return 1;

	refused(o, "zipf:pages=34091237377,refs=10",
		"bad value '34091237377' for pages (a size in [1, 34091237376])");
	refused(o, "uniform:pages=68719476736,refs=10", "a size in [1, 34091237376]");
	refused(o, "seq:pages=34091237377,refs=10", "a size in [0, 34091237376]");
	refused(o, "zipf:pages=17045618689,page=8192,refs=10",
		"the region it spans exceeds the 139637708292096 bytes below the library region "
		"(at most 17045618688 pages of 8192 bytes)");
	refused(o, "zipf:pages=100,refs=65530,procs=65522,quantum=1",
		"bad value '65522' for procs (an integer in [1, 65521])");

	/* the bounds themselves are accepted */
	char last[1024];
	int code = sim(o, "zipf:pages=34091237376,refs=10");
	PB_CHECK_MSG(code == 0 && pbt_run_dirs(root, last, sizeof(last)) == 1,
		     "pages at the bound: exit %d: %s", code, o->err);
	free(o);
	if (pbt_rmtree(dir))
		fprintf(stderr, "cleanup of %s failed\n", dir);
	return pb_test_done();
}
