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
static int nroot;

/* 1 when meta.json's not_available gives col of t (row r) a reason. */
static int has_reason(json_t *na, const struct pb_csv *t, size_t r, const char *col)
{
	const char *why = json_string_value(json_object_get(na, col));
	if (!why && !strcmp(col, "value") && pb_csv_col(t, "event") >= 0)
		why = json_string_value(json_object_get(na, pb_csv_get(t, r, "event")));
	return why && *why;
}

/* Check every CSV of run folder dir against its meta.json; returns the
 * number of CSVs read. */
static int check_dir(const char *what, const char *dir)
{
	char path[4700], err[4800];
	json_t *m = pbt_meta(dir);
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

/* Run pagebench with args (NULL-terminated, after the binary; --results
 * is added) and env ("K=V", NULL-terminated or NULL), then check its run
 * folder, which must hold at least ncsv CSVs. */
static void check(const char *what, char *const *env, int ncsv, char *const *args)
{
	static struct spawn_out o;
	char root[4200], dir[4400];
	char *a[32];
	size_t n = 0;
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	a[n++] = getenv("PB_BIN");
	for (; *args && n < 28; args++)
		a[n++] = *args;
	a[n++] = "--results";
	a[n++] = root;
	a[n] = NULL;
	spawn_run(a, env, &o);
	PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", what, o.code, o.err);
	if (o.code || pbt_run_dirs(root, dir, sizeof(dir)) != 1) {
		PB_CHECK_MSG(0, "%s: no run folder under %s", what, root);
		return;
	}
	int got = check_dir(what, dir);
	PB_CHECK_MSG(got >= ncsv, "%s: %d CSVs in %s, want %d", what, got, dir, ncsv);
}

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_na_reasons PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "nareasons") != NULL);
	const char *wl = "zipf:pages=256,refs=20000";

	/* fewer than 6 repetitions, no 1-thread run, a baseline: runs.csv,
	 * summary.csv, events.csv */
	check("run pt-lookup", NULL, 3,
	      ARGS("run", "pt-lookup", "--threads", "2", "--reps", "2", "--ops", "2000"));
	/* events NA in every row (no fault in zap's timed passes), --pin none */
	check("run zap-munmap", NULL, 3,
	      ARGS("run", "zap-munmap", "--threads", "2", "--reps", "2", "--size", "4M", "--pin",
		   "none", "--no-baseline"));
	/* another machine's topology: where a thread ran is not read back */
	check("run synthetic", (char *const[]){"HWLOC_SYNTHETIC=pack:1 numa:2 core:2 pu:1", NULL},
	      3, ARGS("run", "chase", "--threads", "2", "--reps", "1", "--ops", "1000"));
	/* the policy model: every engine-only column NA */
	check("sim --model policy", NULL, 2,
	      ARGS("sim", "--workload", (char *)wl, "--policy", "lru,clock", "--frames", "32,64",
		   "--reps", "3", "--model", "policy"));
	/* the engine without regions or caches, fewer than 6 repetitions */
	check("sim --model engine", NULL, 2,
	      ARGS("sim", "--workload", (char *)wl, "--policy", "lru,clock", "--frames", "32,64",
		   "--reps", "2", "--model", "engine"));
	check("mrc", NULL, 1,
	      ARGS("mrc", "--workload", (char *)wl, "--policy", "lru,opt,clock", "--frames",
		   "16:128:16"));
	/* sampled sizes below --sample-min: their rows' counts NA */
	check("mrc --sample", NULL, 1,
	      ARGS("mrc", "--workload", "zipf:pages=4096,refs=50000", "--policy", "lru,clock",
		   "--frames", "100:2000:300", "--sample", "0.1"));
	pbt_rmtree(top);
	return pb_test_done();
}
