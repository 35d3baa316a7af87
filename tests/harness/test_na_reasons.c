/* SPDX-License-Identifier: MIT */
/*
 * Every NA has its reason: for representative invocations of `run`, `sim`
 * and `mrc`, every column of every CSV in the run folder that holds an NA
 * cell has an entry in meta.json's not_available (a non-empty string)
 * under the column's name; in a long-format CSV (events.csv: `event`,
 * `value`) an NA value is keyed by its row's event.  Read back with the
 * project's quote-aware CSV reader and jansson.  Before 2026-12-06 none of
 * these had a reason: ci95_lo_* / ci95_hi_* with fewer than 6 repetitions
 * (runs.csv, sim_summary.csv), speedup_vs_1_thread without a 1-thread run
 * and in thread rows, the baseline columns, the total rows' pu / node,
 * the counters' medians and rates in summary.csv, sim's segv and
 * exec_reads without regions, sim_summary's CI of the EAT under --model
 * policy, and the label of a run without --label.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static const char *bin; /* argv[1] */
static int nroot;
static struct spawn_out o;
static char dir[4400]; /* the run folder of the last run */

/* 1 when meta.json's not_available gives col of t (row r) a reason. */
static int has_reason(json_t *na, const struct pb_csv *t, size_t r, const char *col)
{
	const char *why = json_string_value(json_object_get(na, col));
	if (!why && !strcmp(col, "value") && pb_csv_col(t, "event") >= 0)
		why = json_string_value(json_object_get(na, pb_csv_get(t, r, "event")));
	return why && *why;
}

/* Check every CSV of run folder dir against its meta.json m (released); returns the
 * number of CSVs read. */
static int check_dir(const char *what, json_t *m)
{
	char path[4700], err[4800];
	json_t *na = json_object_get(m, "not_available");
	PB_CHECK_MSG(json_is_object(na), "%s: meta.json has no not_available object", what);
	DIR *d = opendir(dir);
	PB_CHECK_MSG(d != NULL, "%s: cannot open %s", what, dir);
	int ncsv = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".csv"))
			continue;
		struct pb_csv t;
		snprintf(path, sizeof(path), "%.4400s/%s", dir, e->d_name);
		int rc = pb_csv_read_file(path, &t, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", what, err);
		if (rc)
			continue;
		ncsv++;
		for (size_t c = 0; c < t.ncols; c++)
			for (size_t r = 0; r < t.nrows; r++) {
				if (strcmp(pb_csv_cell(&t, r, (int)c), "NA"))
					continue;
				int ok = has_reason(na, &t, r, t.header[c]);
				PB_CHECK_MSG(ok,
					     "%s: %s column %s is NA (line %zu) but meta.json "
					     "not_available has no reason for it",
					     what, e->d_name, t.header[c], t.line[r]);
				if (!ok)
					break; /* one failure per column */
			}
		pb_csv_free(&t);
	}
	if (d)
		closedir(d);
	json_decref(m);
	return ncsv;
}

/* A fresh results root under top for the next run (static). */
static const char *next_root(void)
{
	static char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	return root;
}

/* Check the run folder of the last run (dir), whose meta.json is m (NULL:
 * the run failed, said by pbt_run_meta), which must hold at least ncsv
 * CSVs. */
static void check(const char *what, int ncsv, json_t *m)
{
	if (!m)
		return;
	int got = check_dir(what, m);
	PB_CHECK_MSG(got >= ncsv, "%s: %d CSVs in %s, want %d", what, got, dir, ncsv);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_na_reasons PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "nareasons") != NULL);
	const char *wl = "zipf:pages=256,refs=20000";

	/* fewer than 6 repetitions, no 1-thread run, a baseline: runs.csv,
	 * summary.csv, events.csv */
	check("run pt-lookup", 3,
	      pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "run", "pt-lookup", "--threads",
			   "2", "--reps", "2", "--ops", "2000", NULL));
	/* events NA in every row (no fault in zap's timed passes), --pin none */
	check("run zap-munmap", 3,
	      pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "run", "zap-munmap", "--threads",
			   "2", "--reps", "2", "--size", "4M", "--pin", "none", "--no-baseline",
			   NULL));
	/* another machine's topology: where a thread ran is not read back */
	check("run synthetic", 3,
	      pbt_run_meta_env(bin,
			       (char *const[]){"HWLOC_SYNTHETIC=pack:1 numa:2 core:2 pu:1", NULL},
			       next_root(), &o, dir, sizeof(dir), "run", "chase", "--threads", "2",
			       "--reps", "1", "--ops", "1000", NULL));
	/* the policy model: every engine-only column NA */
	check("sim --model policy", 2,
	      pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "sim", "--workload", wl,
			   "--policy", "lru,clock", "--frames", "32,64", "--reps", "3", "--model",
			   "policy", NULL));
	/* the engine without regions or caches, fewer than 6 repetitions */
	check("sim --model engine", 2,
	      pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "sim", "--workload", wl,
			   "--policy", "lru,clock", "--frames", "32,64", "--reps", "2", "--model",
			   "engine", NULL));
	check("mrc", 1,
	      pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "mrc", "--workload", wl,
			   "--policy", "lru,opt,clock", "--frames", "16:128:16", NULL));
	/* sampled sizes below --sample-min: their rows' counts NA */
	check("mrc --sample", 1,
	      pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "mrc", "--workload",
			   "zipf:pages=4096,refs=50000", "--policy", "lru,clock", "--frames",
			   "100:2000:300", "--sample", "0.1", NULL));
	pbt_rmtree(top);
	return pb_test_done();
}
