/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_thp.c - `pagebench sim --thp` and `--swap` end to end:
 * the counts worked by hand in test_vm_huge.c and test_vm_swap.c come out
 * of the command, in sim.csv read back with the project's CSV reader, and
 * bad values are usage errors (exit 2).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char results[4200], env_results[4200 + sizeof("PAGEBENCH_RESULTS=")];
static char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", NULL};

#define pb(o, ...) spawn_runl(bin, envv, o, __VA_ARGS__)

static struct pb_csv csv;
static int have_csv;

/* Read the sim.csv of the run just made with pb_csv_read_file, then
 * remove the run folder (so the next run is again the only one). */
static void load_csv(void)
{
	if (have_csv)
		pb_csv_free(&csv);
	have_csv = 0;
	char pat[4300], err[256];
	snprintf(pat, sizeof(pat), "%s/*/sim.csv", results);
	glob_t g;
	if (!glob(pat, 0, NULL, &g) && g.gl_pathc == 1)
		have_csv = !pb_csv_read_file(g.gl_pathv[0], &csv, err, sizeof(err));
	globfree(&g);
	PB_CHECK(have_csv);
	PB_CHECK(pbt_rmtree(results) == 0); /* the next run makes it again */
}

/* Column name of row 0 (UINT64_MAX if absent). */
static uint64_t get(const char *name)
{
	const char *c = have_csv ? pb_csv_get(&csv, 0, name) : NULL;
	return c ? strtoull(c, NULL, 10) : UINT64_MAX;
}

/* sim of a cyclic write loop over 256 pages with 64 frames, swap area
 * `swap` pages; its sim.csv loaded. */
static void loop_run(struct spawn_out *o, const char *swap)
{
	pb(o, "sim", "--workload", "loop:pages=256,write=1,refs=1024", "--policy", "lru",
	   "--frames", "64", "--reps", "1", "--swap", swap, NULL);
	PB_CHECK_MSG(o->code == 0, "sim exit %d: %s", o->code, o->err);
	load_csv();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_sim_thp PAGEBENCH");
	bin = argv[1];
	char dir[4096];
	if (!pbt_tmpdir(dir, sizeof(dir), "simthp"))
		PB_SKIP("no temp dir");
	snprintf(results, sizeof(results), "%s/results", dir);
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", results);
	char trace[4200], wl[4300];
	snprintf(trace, sizeof(trace), "%s/seq.txt", dir);
	FILE *f = fopen(trace, "w");
	if (!f)
		PB_SKIP("no temp file");
	for (int pass = 0; pass < 2; pass++) /* pages 0 .. 4095 twice */
		for (int p = 0; p < 4096; p++)
			fprintf(f, "%d\n", p);
	fclose(f);
	snprintf(wl, sizeof(wl), "trace:path=%s,format=text", trace);
	struct spawn_out *o = malloc(sizeof(*o));

	/* 8 ranges of 2 MiB: 8 faults and 8 walks with THP, 4096 and 8192
	 * without (test_vm_huge.c, sequential) */
	pb(o, "sim", "--workload", wl, "--policy", "lru", "--frames", "8192", "--reps", "1",
	   "--thp", "always", NULL);
	PB_CHECK_MSG(o->code == 0, "sim exit %d: %s", o->code, o->err);
	load_csv();
	PB_CHECK_EQ_U64(get("faults"), 8);
	PB_CHECK_EQ_U64(get("thp_faults"), 8);
	PB_CHECK_EQ_U64(get("tlb_misses"), 8);
	pb(o, "sim", "--workload", wl, "--policy", "lru", "--frames", "8192", "--reps", "1", NULL);
	load_csv();
	PB_CHECK_EQ_U64(get("faults"), 4096);
	PB_CHECK_EQ_U64(get("tlb_misses"), 8192);
	/* fewer than 512 frames: no 2 MiB frame ever; each of the 8 ranges
	 * falls back once (then stays 4 KiB), and LRU with 500 frames misses
	 * every reference of the 4096-page loop */
	pb(o, "sim", "--workload", wl, "--policy", "lru", "--frames", "500", "--reps", "1", "--thp",
	   "always", NULL);
	load_csv();
	PB_CHECK_EQ_U64(get("thp_fallbacks"), 8);
	PB_CHECK_EQ_U64(get("thp_faults"), 0);
	PB_CHECK_EQ_U64(get("faults"), 8192);

	/* a cyclic write loop over 256 pages with 64 frames (test_vm_swap.c,
	 * reuse): 193 swap slots suffice, 192 end in one OOM kill */
	loop_run(o, "193");
	PB_CHECK_EQ_U64(get("oom_kills"), 0);
	PB_CHECK_EQ_U64(get("swap_outs"), 960);
	loop_run(o, "192");
	PB_CHECK_EQ_U64(get("oom_kills"), 1);
	PB_CHECK_EQ_U64(get("oom_pages_freed"), 257);
	PB_CHECK_EQ_U64(get("oom_skipped"), 1024 - 257);
	PB_CHECK_EQ_U64(get("faults") + get("hits") + get("oom_skipped"), 1024);

	/* usage errors: exit 2, one line */
	static const char *const bad[][4] = {
	    {"--thp", "sometimes", NULL, NULL},
	    {"--thp", "always", "--pt", "hashed"},
	    {"--thp", "madvise", "--policy", "opt"},
	    {"--swap", "-3", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *pol = bad[i][2] && !strcmp(bad[i][2], "--policy") ? bad[i][3] : "lru";
		if (bad[i][2] && strcmp(bad[i][2], "--policy"))
			pb(o, "sim", "--workload", wl, "--policy", pol, "--frames", "64", bad[i][0],
			   bad[i][1], bad[i][2], bad[i][3], NULL);
		else
			pb(o, "sim", "--workload", wl, "--policy", pol, "--frames", "64", bad[i][0],
			   bad[i][1], NULL);
		PB_CHECK_MSG(o->code == 2 && strchr(o->err, '\n') == o->err + strlen(o->err) - 1,
			     "%s %s: exit %d: %s", bad[i][0], bad[i][1], o->code, o->err);
	}
	free(o);
	if (have_csv)
		pb_csv_free(&csv);
	PB_CHECK(pbt_rmtree(dir) == 0);
	return pb_test_done();
}
