/* SPDX-License-Identifier: MIT */
/*
 * The rusage rung's user/system split is no number where Linux cannot
 * make one.  The kernel divides a thread's precise runtime into user and
 * system time by tick samples, so a repetition of less than two ticks of
 * CPU read ru_utime_ns 0 though it certainly ran (before 2026-12-07: a
 * pt-lookup repetition of a few microseconds gave ru_utime_ns=0,
 * ru_stime_ns=0).  Now, read back from runs.csv, summary.csv (the
 * project's quote-aware CSV reader) and meta.json (jansson), with
 * PAGEBENCH_COUNTERS=rusage:
 *  - every row has thread_cpu_ns, the thread's precise CPU time
 *    (CLOCK_THREAD_CPUTIME_ID), a number, and > 0 in a thread's row;
 *  - ru_utime_ns / ru_stime_ns are NA exactly in the rows whose
 *    thread_cpu_ns is under two ticks (a tick bounded by
 *    1 s / sysconf(_SC_CLK_TCK), as counters_rusage.c does), numbers in
 *    the others; NA with meta.json's reason "user/system split is
 *    tick-sampled", in not_available, in summary.csv's medians and in
 *    counters.columns (not available in the run);
 *  - a short run (1000 lookups a repetition) has them NA; a long one
 *    (64M lookups a repetition, far over two ticks of CPU anywhere) keeps
 *    numbers, as before.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pagebench/parse.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static const char *bin; /* argv[1] */
static int nroot;
static struct spawn_out o;
static const char *const split_cols[] = {"ru_utime_ns", "ru_stime_ns"};
#define TICK_SAMPLED "user/system split is tick-sampled"

/* A fresh results root under top for the next run (static). */
static const char *next_root(void)
{
	static char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	return root;
}

/* The CSV file name of run folder dir into t; 0 or a failed check. */
static int read_csv(const char *dir, const char *name, struct pb_csv *t)
{
	char path[4600], err[4800];
	snprintf(path, sizeof(path), "%.4400s/%s", dir, name);
	int rc = pb_csv_read_file(path, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	return rc;
}

/* Cell (r, col) of t as a number; 0 where it is not one (a failed check). */
static int cell_u64(const struct pb_csv *t, size_t r, const char *col, uint64_t *v)
{
	const char *s = pb_csv_get(t, r, col);
	int ok = s && pb_parse_u64(s, v) == 0;
	PB_CHECK_MSG(ok, "runs.csv line %zu: %s is '%s', not a number", t->line[r], col,
		     s ? s : "(no such column)");
	return ok;
}

/* One run of pt-lookup with ops lookups in each of reps repetitions;
 * want_na: 1 (every measured row's split NA), 0 (every measured row's a
 * number). */
static void check_run(const char *ops, const char *reps, int want_na, uint64_t split_min)
{
	char dir[4400];
	json_t *m =
	    pbt_run_meta_env(bin, (char *const[]){"PAGEBENCH_COUNTERS=rusage", NULL}, next_root(),
			     &o, dir, sizeof(dir), "run", "pt-lookup", "--threads", "1", "--reps",
			     reps, "--ops", ops, "--no-baseline", NULL);
	if (!m)
		return;
	json_t *na = json_object_get(m, "not_available");
	json_t *cols = json_object_get(json_object_get(m, "counters"), "columns");
	struct pb_csv t;
	if (read_csv(dir, "runs.csv", &t)) {
		json_decref(m);
		return;
	}
	int rows = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		uint64_t cpu;
		if (!cell_u64(&t, r, "thread_cpu_ns", &cpu))
			continue;
		int thread_row = strcmp(pb_csv_get(&t, r, "thread"), "total") != 0;
		PB_CHECK_MSG(!thread_row || cpu > 0,
			     "ops %s, line %zu: thread_cpu_ns 0 in a repetition that ran", ops,
			     t.line[r]);
		int short_rep = cpu < split_min;
		for (size_t k = 0; k < PB_ARRAY_SIZE(split_cols); k++) {
			const char *v = pb_csv_get(&t, r, split_cols[k]);
			int is_na = v && !strcmp(v, "NA");
			uint64_t x;
			/* NA exactly where the repetition is under two ticks */
			PB_CHECK_MSG(is_na == short_rep,
				     "ops %s, line %zu: %s=%s with thread_cpu_ns %llu (two ticks: "
				     "%llu ns)",
				     ops, t.line[r], split_cols[k], v ? v : "(no such column)",
				     (unsigned long long)cpu, (unsigned long long)split_min);
			if (!is_na)
				cell_u64(&t, r, split_cols[k], &x);
		}
		if (strcmp(pb_csv_get(&t, r, "warmup"), "0"))
			continue;
		rows++;
		PB_CHECK_MSG(short_rep == want_na,
			     "ops %s, line %zu: thread_cpu_ns %llu, want a repetition %s two ticks "
			     "(%llu ns)",
			     ops, t.line[r], (unsigned long long)cpu, want_na ? "under" : "over",
			     (unsigned long long)split_min);
	}
	PB_CHECK_MSG(rows > 0, "ops %s: no measured row in runs.csv", ops);
	pb_csv_free(&t);
	/* the reason, wherever the split is NA; thread_cpu_ns counted */
	json_t *tc = json_object_get(cols, "thread_cpu_ns");
	PB_CHECK_MSG(json_is_true(json_object_get(tc, "available")),
		     "ops %s: counters.columns.thread_cpu_ns not available in the run", ops);
	PB_CHECK_MSG(!strcmp(json_string_value(json_object_get(tc, "domain")) ?: "", "user+kernel"),
		     "ops %s: thread_cpu_ns's domain", ops);
	for (size_t k = 0; k < PB_ARRAY_SIZE(split_cols); k++) {
		const char *why = json_string_value(json_object_get(na, split_cols[k]));
		json_t *c = json_object_get(cols, split_cols[k]);
		const char *cwhy = json_string_value(json_object_get(c, "reason"));
		if (want_na) {
			PB_CHECK_MSG(why && strstr(why, TICK_SAMPLED),
				     "ops %s: not_available.%s '%s'", ops, split_cols[k],
				     why ? why : "(none)");
			PB_CHECK_MSG(json_is_false(json_object_get(c, "available")) && cwhy &&
					 strstr(cwhy, TICK_SAMPLED),
				     "ops %s: counters.columns.%s reason '%s'", ops, split_cols[k],
				     cwhy ? cwhy : "(none)");
		} else {
			PB_CHECK_MSG(json_is_true(json_object_get(c, "available")),
				     "ops %s: counters.columns.%s not available: '%s'", ops,
				     split_cols[k], cwhy ? cwhy : "(none)");
		}
	}
	/* summary.csv: the medians NA with the reason where no measured
	 * repetition split; thread_cpu_ns's median a number */
	if (!read_csv(dir, "summary.csv", &t)) {
		for (size_t r = 0; r < t.nrows; r++) {
			const char *v = pb_csv_get(&t, r, "median_thread_cpu_ns");
			double d;
			PB_CHECK_MSG(v && pb_parse_double(v, &d) == 0 && d > 0,
				     "ops %s: summary.csv line %zu: median_thread_cpu_ns '%s'", ops,
				     t.line[r], v ? v : "(no such column)");
			for (size_t k = 0; want_na && k < PB_ARRAY_SIZE(split_cols); k++) {
				char col[64];
				snprintf(col, sizeof(col), "median_%s", split_cols[k]);
				v = pb_csv_get(&t, r, col);
				PB_CHECK_MSG(v && !strcmp(v, "NA"), "ops %s: summary.csv %s '%s'",
					     ops, col, v ? v : "(no such column)");
				const char *why = json_string_value(json_object_get(na, col));
				PB_CHECK_MSG(why && strstr(why, TICK_SAMPLED),
					     "ops %s: not_available.%s '%s'", ops, col,
					     why ? why : "(none)");
			}
		}
		pb_csv_free(&t);
	}
	json_decref(m);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_counters_split PATH_TO_PAGEBENCH");
	bin = argv[1];
	unsetenv("PAGEBENCH_COUNTERS");
	setenv("PAGEBENCH_NO_PROGRESS", "1", 1);
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t split_min = 2 * (1000000000ULL / (uint64_t)(hz > 0 ? hz : 100));
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "ctrsplit") != NULL);
	check_run("1000", "3", 1, split_min);
	check_run("64M", "1", 0, split_min);
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
