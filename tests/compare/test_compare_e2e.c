/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare end to end, on run folders made by the real binary
 * (small --ops, --reps 6) and copies of them edited the way a broken or
 * changed run would look:
 *  - a run compared with itself exits 0 (baseline-normalised: pt-lookup
 *    and its baseline); pooled with itself (A A -- A) it is refused;
 *  - a kernel slowed 5x by the test knob (PAGEBENCH_TEST_SLOWDOWN) exits 1
 *    and names it, and the knob is in meta.json's environment and a note (two runs of 6 repetitions
 * a side, pooled);
 *  - a vanished experiment and a valid=0 row exit 1 and are named, and so
 *    does a configuration with nothing measured on one side (NA);
 *  - a garbled median is a parse error naming file, line and column (exit
 *    2), not a 0 read as "same"; a 600-character experiment name works;
 *  - a Sanitize build against a Release build is refused (exit 2) unless
 *    --allow-config-mismatch;
 *  - --format json parses (jansson); compare.csv is read back; an
 *    existing compare.csv is not clobbered;
 *  - a suite's folder with one experiment from two processes (run_id):
 *    two configurations, each with its own 6 repetitions, not one of 24;
 *    runs.csv missing a repetition that summary.csv counts, or summary.csv
 *    missing a configuration runs.csv has: exit 2;
 *  - two sim folders with one changed fault count exit 1 (CHANGED);
 *  - --format json's rows take compare.csv's column types (threads and
 *    the repetition counts integers, the statistics numbers, NA null with
 *    its reason in not_available, the rest strings), read back against
 *    compare.csv; a threads cell that is not a count is exit 2;
 *  - --machines of two runs labelled differently prints both and writes
 *    machines.csv, read back (cpu_round_trip_ns: meta.json's, or NA); an
 *    interval of fewer than 6 repetitions is called min-max, not 95% CI;
 *    a counter not read is named with its reason (text and JSON); the
 *    JSON's cells are typed by their column (numbers, counts as integers,
 *    NA null with its reason - a counter's, a rate's counter's, a label
 *    not set -, ids strings however they look) and a count that is not
 *    one is refused (exit 2);
 *    a suite's folder shows each process's row of one experiment;
 *  - two runs whose CPU-to-CPU round trips are 6x apart get a note, not a
 *    refusal; 1.2x apart, none;
 *  - --format json's config_differences hold meta.json's values as JSON
 *    values (the round trips numbers, a config flag a boolean), not their
 *    text ("60.0" strings until 2026-12-05), and leave out the side whose
 *    meta.json lacks the key (the text says "(absent)").
 * No timing thresholds: the only timed decision uses a 5x slowdown.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare/compare.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096]; /* pbt_tmpdir: under $TMPDIR */
static struct spawn_out o;

static char *path(const char *fmt, ...)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, 4096, fmt, ap);
	va_end(ap);
	return b;
}

/* A path kept for the whole test (no heap: nothing to free). */
static char *keep(const char *s)
{
	static char pool[64][4096];
	static int n;
	if (n == 64)
		abort();
	snprintf(pool[n], sizeof(pool[n]), "%s", s);
	return pool[n++];
}

static int sh(const char *fmt, ...)
{
	char cmd[20480]; /* up to four paths */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Run `pagebench ARGS... --results root/NAME`; return the run folder. */
static char *make_run(const char *name, char *env, char **args)
{
	char *argv[32] = {(char *)bin};
	int n = 1;
	for (; args[n - 1]; n++)
		argv[n] = args[n - 1];
	char *res = path("%s/%s", root, name);
	argv[n++] = "--results";
	argv[n++] = res;
	argv[n] = NULL;
	char *envv[] = {env, NULL};
	spawn_run(argv, env ? envv : NULL, &o);
	PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", name, o.code, o.err);
	DIR *d = opendir(res);
	struct dirent *e;
	char *run = NULL;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			run = path("%s/%s", res, e->d_name);
	if (d)
		closedir(d);
	PB_CHECK(run != NULL);
	return keep(run ? run : "/nonexistent");
}

static int compare(const char *const *args)
{
	char *argv[32] = {(char *)bin, "compare"};
	int n = 2;
	for (; args[n - 2]; n++)
		argv[n] = (char *)args[n - 2];
	argv[n] = NULL;
	return spawn_run(argv, NULL, &o);
}

/* Row index of the first row with col == val (and col2 == val2). */
static long csv_find(const char *file, const char *col, const char *val, const char *col2,
		     const char *val2)
{
	struct cmp_table t;
	char err[512];
	if (cmp_table_load(file, &t, err, sizeof(err)))
		return -1;
	long found = -1;
	int c = -1, c2 = -1;
	for (size_t i = 0; i < t.ncols; i++) {
		if (!strcmp(t.header[i], col))
			c = (int)i;
		if (col2 && !strcmp(t.header[i], col2))
			c2 = (int)i;
	}
	for (size_t r = 0; r < t.nrows && found < 0; r++)
		if (!strcmp(cmp_cell(&t, r, c), val) &&
		    (!col2 || !strcmp(cmp_cell(&t, r, c2), val2)))
			found = (long)r;
	cmp_table_free(&t);
	return found;
}

/* Set m[obj][obj2][key] = val in meta.json through jansson (obj, obj2:
 * NULL for fewer levels; val is taken). */
static void meta_put(const char *dir, const char *obj, const char *obj2, const char *key,
		     json_t *val)
{
	char *p = path("%s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(p, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s:%d: %s", p, je.line, je.text);
	if (!m) {
		json_decref(val);
		return;
	}
	json_t *target = obj ? json_object_get(m, obj) : m;
	if (obj2)
		target = json_object_get(target, obj2);
	PB_CHECK(json_is_object(target));
	json_object_set_new(target, key, val);
	PB_CHECK(json_dump_file(m, p, JSON_INDENT(2)) == 0);
	json_decref(m);
}

/* meta.json's experiments without those of kernel ("KERNEL threads=N",
 * "KERNEL:PARAMS threads=N"): a run that did not run it */
static void meta_drop_experiments(const char *dir, const char *kernel)
{
	json_t *m = json_load_file(path("%s/meta.json", dir), 0, NULL);
	json_t *e = json_object_get(m, "experiments"), *keep = json_array();
	size_t i, l = strlen(kernel);
	json_t *v;
	PB_CHECK(json_is_array(e));
	json_array_foreach(e, i, v)
	{
		const char *s = json_string_value(v);
		if (!(s && !strncmp(s, kernel, l) && (s[l] == ' ' || s[l] == ':')))
			json_array_append(keep, v);
	}
	PB_CHECK(json_array_size(keep) < json_array_size(e));
	json_object_set_new(m, "experiments", keep);
	PB_CHECK(json_dump_file(m, path("%s/meta.json", dir), JSON_INDENT(2)) == 0);
	json_decref(m);
}

/* Set a string in meta.json. */
static void meta_set(const char *dir, const char *obj, const char *key, const char *val)
{
	meta_put(dir, obj, NULL, key, json_string(val));
}

/* Set meta.json's cpu_round_trip.start.median_ns (c2c.c) to v. */
static void meta_set_round_trip(const char *dir, double v)
{
	meta_put(dir, "cpu_round_trip", "start", "median_ns", json_real(v));
}

/* The JSON rows of a plain compare (doc) against compare.csv, written by
 * the same call: every column is there with its column's type, not the
 * look of its text - threads, n_base, n_new integers; the statistics
 * numbers (compare.csv's to its 6 digits) or, where it says NA, null with
 * a reason in the row's not_available; the rest the CSV's strings (detail
 * null where the CSV's is empty).  Returns the row whose experiment is
 * exp (NULL if none), for the caller's own checks. */
static json_t *check_typed_rows(const char *what, json_t *doc, const char *csv, const char *exp)
{
	static const char *const ints[] = {"threads", "n_base", "n_new"};
	static const char *const nums[] = {"base",	  "new",	"ratio",     "ci95_lo",
					   "ci95_hi",	  "p_value",	"raw_ratio", "raw_ci95_lo",
					   "raw_ci95_hi", "raw_p_value"};
	struct cmp_table t;
	char err[512];
	json_t *rows = json_object_get(doc, "rows"), *found = NULL;
	PB_CHECK_MSG(cmp_table_load(csv, &t, err, sizeof(err)) == 0, "%s: %s", what, err);
	PB_CHECK_MSG(json_array_size(rows) == t.nrows, "%s: %zu rows, compare.csv %zu", what,
		     json_array_size(rows), t.nrows);
	for (size_t q = 0; q < t.nrows && q < json_array_size(rows); q++) {
		json_t *row = json_array_get(rows, q), *na = json_object_get(row, "not_available");
		PB_CHECK_MSG(json_is_object(na), "%s row %zu: no not_available", what, q);
		for (size_t c = 1; c < t.ncols; c++) { /* after schema_version */
			const char *col = t.header[c], *cell = cmp_cell(&t, q, (int)c);
			json_t *v = json_object_get(row, col);
			int is_int = 0, is_num = 0;
			for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++)
				is_int |= !strcmp(col, ints[k]);
			for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
				is_num |= !strcmp(col, nums[k]);
			if (is_int) {
				uint64_t want = 0;
				PB_CHECK(cmp_count(&t, q, (int)c, &want, err, sizeof(err)) == 0);
				PB_CHECK_MSG(
				    json_is_integer(v) && json_integer_value(v) == (json_int_t)want,
				    "%s row %zu: %s is not the integer %s", what, q, col, cell);
			} else if (is_num && !strcmp(cell, "NA")) {
				PB_CHECK_MSG(
				    json_is_null(v) && json_is_string(json_object_get(na, col)),
				    "%s row %zu: %s NA without null and a reason", what, q, col);
			} else if (is_num) {
				double want = 0;
				PB_CHECK(cmp_num(&t, q, (int)c, 0, &want, err, sizeof(err)) == 0);
				PB_CHECK_MSG(json_is_number(v) && fabs(json_number_value(v) -
								       want) <= 1e-5 * fabs(want),
					     "%s row %zu: %s is not the number %s", what, q, col,
					     cell);
			} else if (!strcmp(col, "detail") && !*cell) {
				PB_CHECK_MSG(json_is_null(v), "%s row %zu: detail", what, q);
			} else {
				PB_CHECK_MSG(
				    json_is_string(v) && !strcmp(json_string_value(v), cell),
				    "%s row %zu: %s is not the string '%s'", what, q, col, cell);
			}
		}
		const char *e = json_string_value(json_object_get(row, "experiment"));
		if (exp && e && !strcmp(e, exp))
			found = row;
	}
	cmp_table_free(&t);
	return found;
}

/* `compare BASE NEW --out OUT --force --format json`: it exits want and
 * its stdout parses (jansson); the document, or NULL. */
static json_t *compare_json(const char *base, const char *new_, const char *out, int want)
{
	json_error_t je;
	PB_CHECK_EQ_U64(compare((const char *[]){base, new_, "--out", out, "--force", "--format",
						 "json", NULL}),
			want);
	json_t *j = json_loads(o.out, 0, &je);
	PB_CHECK_MSG(j != NULL, "%s %s: json: %s", base, new_, je.text);
	return j;
}

static char *copy(const char *src, const char *name)
{
	char *dst = path("%s/%s", root, name);
	PB_CHECK(sh("cp -r '%s' '%s'", src, dst) == 0);
	return keep(dst);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_e2e PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmp2") != NULL);
	char *out = path("%s/out", root);
	PB_CHECK(mkdir(out, 0777) == 0);
	out = keep(out);

	/* pt-lookup with its baseline (normalised mode) */
	char *pt_args[] = {"run", "pt-lookup", "--threads", "1", "--reps",
			   "6",	  "--ops",     "200000",    NULL};
	char *a = make_run("a", NULL, pt_args);

	/* 1. a run with itself: exit 0, normalised, said so; compare.csv read back */
	PB_CHECK_EQ_U64(compare((const char *[]){a, a, "--out", out, NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "baseline-normalised") != NULL, "%s", o.out);
	PB_CHECK(strstr(o.out, "seed 1") != NULL);
	struct cmp_table t;
	char err[512];
	char *csv = keep(path("%s/compare.csv", out));
	PB_CHECK(cmp_table_load(csv, &t, err, sizeof(err)) == 0);
	if (t.nrows) {
		int ix[5];
		static const char *const cols[] = {"experiment", "verdict", "mode", "n_base",
						   "ci95_lo"};
		PB_CHECK(cmp_table_need(&t, cols, 5, ix, err, sizeof(err)) == 0);
		PB_CHECK_EQ_U64(t.nrows, 2); /* pt-baseline-array, pt-lookup */
		long lk = -1;
		for (size_t r = 0; r < t.nrows; r++)
			if (!strcmp(cmp_cell(&t, r, ix[0]), "pt-lookup"))
				lk = (long)r;
		PB_CHECK(lk >= 0);
		PB_CHECK(!strcmp(cmp_cell(&t, (size_t)lk, ix[1]), "same"));
		PB_CHECK(!strcmp(cmp_cell(&t, (size_t)lk, ix[2]), "normalised"));
		PB_CHECK(!strcmp(cmp_cell(&t, (size_t)lk, ix[3]), "6"));
		double lo;
		PB_CHECK(cmp_num(&t, (size_t)lk, ix[4], 0, &lo, err, sizeof(err)) == 0 && lo <= 1);
	}
	cmp_table_free(&t);
	/* an existing compare.csv is not clobbered */
	PB_CHECK_EQ_U64(compare((const char *[]){a, a, "--out", out, NULL}), 2);
	PB_CHECK(count_lines(o.err) == 1 && strstr(o.err, "exists"));
	/* one run pooled with itself would count its 6 repetitions as 12:
	 * refused, both arguments named (tests/compare/test_compare_pool_twice.c) */
	PB_CHECK_EQ_U64(compare((const char *[]){"--out", out, "--force", a, a, "--", a, NULL}), 2);
	PB_CHECK(count_lines(o.err) == 1 && strstr(o.err, "count twice"));

	/* a small threshold is printed as itself, not rounded to "above 1"
	 * (with its % sign: a bare 0.05 is refused, tests/harness/test_compare.c) */
	PB_CHECK_EQ_U64(
	    compare((const char *[]){a, a, "--out", out, "--force", "--threshold", "0.05%", NULL}),
	    0);
	PB_CHECK_MSG(strstr(o.out, "lies above 1.0005 (the threshold)") &&
			 strstr(o.out, "threshold 0.05%"),
		     "%s", o.out);

	/* 2. --format json parses */
	PB_CHECK_EQ_U64(
	    compare((const char *[]){a, a, "--out", out, "--force", "--format", "json", NULL}), 0);
	json_error_t je;
	json_t *doc = json_loads(o.out, 0, &je);
	PB_CHECK_MSG(doc != NULL, "json: %d: %s", je.line, je.text);
	if (doc) {
		PB_CHECK(json_array_size(json_object_get(doc, "rows")) == 2);
		PB_CHECK(!strcmp(json_string_value(json_object_get(doc, "mode")), "normalised"));
		json_t *s = json_object_get(doc, "summary");
		PB_CHECK(json_integer_value(json_object_get(s, "exit_code")) == 0);
		PB_CHECK(json_integer_value(
			     json_object_get(json_object_get(doc, "bootstrap"), "seed")) == 1);
		json_decref(doc);
	}

	/* 3. a vanished experiment: a run without it (its rows gone, and
	 * meta.json's experiments without it; the rows alone gone are a cut
	 * file, tests/compare/test_compare_review.c) */
	char *gone = copy(a, "gone");
	PB_CHECK(pbt_csv_drop(path("%s/summary.csv", gone), "kernel", "pt-lookup") > 0);
	PB_CHECK(pbt_csv_drop(path("%s/runs.csv", gone), "kernel", "pt-lookup") > 0);
	PB_CHECK_EQ_U64(compare((const char *[]){a, gone, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "no total row for 'pt-lookup"), "%s",
		     o.err);
	meta_drop_experiments(gone, "pt-lookup");
	PB_CHECK_EQ_U64(compare((const char *[]){a, gone, "--out", out, "--force", NULL}), 1);
	PB_CHECK(strstr(o.out, "MISSING_IN_NEW") && strstr(o.out, "pt-lookup"));
	PB_CHECK_EQ_U64(compare((const char *[]){gone, a, "--out", out, "--force", NULL}), 1);
	PB_CHECK(strstr(o.out, "MISSING_IN_BASE") != NULL);

	/* 3b. summary.csv cut short inside its header (a full disk, a killed
	 * writer): one line naming file, line 1 and the column it ends in,
	 * exit 2 - not an empty table read as "every experiment vanished" */
	char *cut = copy(a, "cut");
	{
		const char *sp = path("%s/summary.csv", cut);
		FILE *f = fopen(sp, "r");
		char hdr[8192] = "";
		PB_CHECK(f && fgets(hdr, sizeof(hdr), f));
		if (f)
			fclose(f);
		size_t half = strlen(hdr) / 2;
		f = fopen(sp, "w");
		PB_CHECK(f && fwrite(hdr, 1, half, f) == half);
		if (f)
			fclose(f);
		PB_CHECK_EQ_U64(compare((const char *[]){a, cut, "--out", out, "--force", NULL}),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "summary.csv:1:") &&
				 strstr(o.err, "truncated inside the header") &&
				 strstr(o.err, "column"),
			     "%s", o.err);
		/* and cut inside a row: the row's line, exit 2 */
		PB_CHECK(sh("cp '%s/summary.csv' '%s' && truncate -s -3 '%s'", a, sp, sp) == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){a, cut, "--out", out, "--force", NULL}),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "summary.csv:"), "%s", o.err);
	}

	/* 3c. summary.csv cut at a row boundary (its last configuration's
	 * rows gone, runs.csv whole): a bad file, exit 2 - not pt-lookup
	 * "vanished" (MISSING, exit 1) */
	{
		char *cs = copy(a, "cut_summary");
		PB_CHECK(pbt_csv_drop(path("%s/summary.csv", cs), "kernel", "pt-lookup") > 0);
		PB_CHECK_EQ_U64(compare((const char *[]){a, cs, "--out", out, "--force", NULL}), 2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "no total row") &&
				 strstr(o.err, "pt-lookup"),
			     "%s", o.err);
	}

	/* 4. an INVALID row */
	char *inv = copy(a, "inv");
	long r = csv_find(path("%s/summary.csv", inv), "kernel", "pt-lookup", "thread", "total");
	PB_CHECK(r >= 0 && pbt_csv_set(path("%s/summary.csv", inv), (size_t)r, "valid", "0") == 0);
	PB_CHECK_EQ_U64(compare((const char *[]){a, inv, "--out", out, "--force", NULL}), 1);
	PB_CHECK(strstr(o.out, "INVALID") && strstr(o.out, "summary.csv:"));

	/* 4b. nothing measured on one side (every repetition's ns_per_op NA:
	 * no operations): the row cannot be judged, so the exit is 1, not a
	 * clean 0 a CI would pass */
	{
		char *nam = copy(a, "nam");
		const char *rp = path("%s/runs.csv", nam);
		struct cmp_table rt;
		PB_CHECK(cmp_table_load(rp, &rt, err, sizeof(err)) == 0);
		size_t nrows = rt.nrows;
		int kc = cmp_table_col(&rt, "kernel");
		char *is_lk = calloc(nrows + 1, 1);
		for (size_t q = 0; q < nrows && is_lk; q++)
			is_lk[q] = !strcmp(cmp_cell(&rt, q, kc), "pt-lookup");
		cmp_table_free(&rt);
		for (size_t q = 0; q < nrows && is_lk; q++)
			if (is_lk[q])
				PB_CHECK(pbt_csv_set(rp, q, "ns_per_op", "NA") == 0);
		free(is_lk);
		PB_CHECK_EQ_U64(compare((const char *[]){a, nam, "--out", out, "--force", NULL}),
				1);
		PB_CHECK_MSG(strstr(o.out, "1 not measured") && strstr(o.out, "exit 1"), "%s",
			     o.out);
	}

	/* 5. a garbled median: file, line and column, exit 2 */
	char *garb = copy(a, "garb");
	r = csv_find(path("%s/runs.csv", garb), "kernel", "pt-lookup", "warmup", "0");
	PB_CHECK(r >= 0 &&
		 pbt_csv_set(path("%s/runs.csv", garb), (size_t)r, "ns_per_op", "1.5x") == 0);
	PB_CHECK_EQ_U64(compare((const char *[]){a, garb, "--out", out, "--force", NULL}), 2);
	PB_CHECK(count_lines(o.err) == 1);
	PB_CHECK_MSG(strstr(o.err, "runs.csv:") && strstr(o.err, "(ns_per_op)") &&
			 strstr(o.err, "'1.5x'"),
		     "%s", o.err);
	char *garb2 = copy(a, "garb2");
	r = csv_find(path("%s/summary.csv", garb2), "kernel", "pt-lookup", "thread", "total");
	PB_CHECK(pbt_csv_set(path("%s/summary.csv", garb2), (size_t)r, "median_ns_per_op", "") ==
		 0);
	PB_CHECK_EQ_U64(compare((const char *[]){garb2, a, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(strstr(o.err, "summary.csv:") && strstr(o.err, "column"), "%s", o.err);

	/* 6. a 600-character experiment name on both sides */
	char longname[601];
	memset(longname, 'x', 600);
	longname[600] = 0;
	char *l1 = copy(a, "long1");
	for (int k = 0; k < 2; k++) {
		const char *f = path("%s/%s", l1, k ? "runs.csv" : "summary.csv");
		long row;
		while ((row = csv_find(f, "experiment", "pt-lookup", NULL, NULL)) >= 0)
			PB_CHECK(pbt_csv_set(f, (size_t)row, "experiment", longname) == 0);
	}
	char *l2 = copy(l1, "long2");
	PB_CHECK_EQ_U64(compare((const char *[]){l1, l2, "--out", out, "--force", NULL}), 0);
	PB_CHECK(strstr(o.out, longname) != NULL);

	/* 7. a sanitizer build against a Release build */
	char *san = copy(a, "san");
	{ /* the other build type than the one that made the run */
		json_t *m = json_load_file(path("%s/meta.json", a), 0, NULL);
		const char *bt =
		    json_string_value(json_object_get(json_object_get(m, "build"), "build_type"));
		meta_set(san, "build", "build_type",
			 bt && !strcmp(bt, "Sanitize") ? "Release" : "Sanitize");
		json_decref(m);
	}
	PB_CHECK_EQ_U64(compare((const char *[]){a, san, "--out", out, "--force", NULL}), 2);
	PB_CHECK(count_lines(o.err) == 1 && strstr(o.err, "build_type"));
	PB_CHECK_EQ_U64(compare((const char *[]){a, san, "--out", out, "--force",
						 "--allow-config-mismatch", NULL}),
			0);
	PB_CHECK(strstr(o.out, "CONFIGURATION MISMATCH") && strstr(o.err, "WARNING"));

	/* 7b. options that only change which rows exist (--label, --threads)
	 * are notes in config.options as at config's top level; one that
	 * changes what is measured (--size) is refused there too */
	{
		char *lab = copy(a, "lab");
		meta_put(lab, "config", "options", "label", json_string("ci-other"));
		meta_put(lab, "config", "options", "threads", json_string("1,2"));
		meta_put(lab, "config", NULL, "threads", json_pack("[i,i]", 1, 2));
		PB_CHECK_EQ_U64(compare((const char *[]){a, lab, "--out", out, "--force", NULL}),
				0);
		PB_CHECK_MSG(strstr(o.out, "note: config.options.label") &&
				 strstr(o.out, "note: config.options.threads"),
			     "%s%s", o.out, o.err);
		meta_put(lab, "config", "options", "size", json_integer(4096));
		PB_CHECK_EQ_U64(compare((const char *[]){a, lab, "--out", out, "--force", NULL}),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "config.options.size"), "%s",
			     o.err);
	}

	/* 7c. suites: each task's own configuration (its meta.json) is
	 * checked, so a task run at another --size is refused (exit 2), and
	 * two runs of one suite are not told apart by their tasks' times */
	{
		const char *sf[2] = {path("%s/a.suite", root), path("%s/b.suite", root)};
		const char *size[2] = {"256K", "1M"};
		for (int k = 0; k < 2; k++) {
			FILE *f = fopen(sf[k], "w");
			PB_CHECK(f != NULL);
			if (f) {
				fprintf(f, "run chase --threads 1 --reps 6 --ops 20000 --size %s\n",
					size[k]);
				fclose(f);
			}
		}
		char *sa_args[] = {"suite", (char *)sf[0], NULL};
		char *sb_args[] = {"suite", (char *)sf[1], NULL};
		char *su1 = make_run("su1", "PAGEBENCH_NO_FIGURES=1", sa_args);
		char *su2 = make_run("su2", "PAGEBENCH_NO_FIGURES=1", sa_args);
		char *su3 = make_run("su3", "PAGEBENCH_NO_FIGURES=1", sb_args);
		int code = compare((const char *[]){su1, su2, "--out", out, "--force", NULL});
		PB_CHECK_MSG(code == 0 || code == 1, "exit %d: %s", code, o.err);
		PB_CHECK_MSG(!strstr(o.out, "config.tasks"), "%s", o.out);
		PB_CHECK_EQ_U64(compare((const char *[]){su1, su3, "--out", out, "--force", NULL}),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "config.tasks[1].config") &&
				 strstr(o.err, "size"),
			     "%s", o.err);
	}

	/* 8. a kernel slowed 5x (test knob): exit 1, named.  Two runs of 6
	 * repetitions a side, pooled: on a shared 2-core machine one
	 * repetition in six can take 25x longer (seen: 234 ns/op against 9),
	 * which 6 values cannot outvote, 12 can. */
	char *ch_args[] = {"run",    "chase", "--threads", "1",	      "--reps", "6",
			   "--size", "256K",  "--ops",	   "2000000", NULL};
	char *c1 = make_run("c1", NULL, ch_args);
	char *c2 = make_run("c2", NULL, ch_args);
	char *c3 = make_run("c3", "PAGEBENCH_TEST_SLOWDOWN=chase:5", ch_args);
	PB_CHECK(strstr(o.err, "PAGEBENCH_TEST_SLOWDOWN") != NULL);
	char *c4 = make_run("c4", "PAGEBENCH_TEST_SLOWDOWN=chase:5", ch_args);
	PB_CHECK_EQ_U64(
	    compare((const char *[]){"--out", out, "--force", c1, c2, "--", c3, c4, NULL}), 1);
	PB_CHECK_MSG(strstr(o.out, "chase") && strstr(o.out, "REGRESSION"), "%s", o.out);
	/* the knob is in meta.json's environment, and compare says it differs */
	{
		json_t *m3 = json_load_file(path("%s/meta.json", c3), 0, NULL);
		json_t *m1 = json_load_file(path("%s/meta.json", c1), 0, NULL);
		const char *v3 = json_string_value(
		    json_object_get(json_object_get(m3, "environment"), "PAGEBENCH_TEST_SLOWDOWN"));
		PB_CHECK_MSG(v3 && !strcmp(v3, "chase:5"), "%s", v3 ? v3 : "(absent)");
		PB_CHECK(json_is_object(json_object_get(m1, "environment")) &&
			 !json_object_get(json_object_get(m1, "environment"),
					  "PAGEBENCH_TEST_SLOWDOWN"));
		json_decref(m1);
		json_decref(m3);
		PB_CHECK_MSG(strstr(o.out, "note: environment.PAGEBENCH_TEST_SLOWDOWN differs"),
			     "%s", o.out);
	}
	PB_CHECK_EQ_U64(
	    compare((const char *[]){"--out", out, "--force", c3, c4, "--", c1, c2, NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "improvement") != NULL, "%s", o.out);
	/* a malformed knob is an error of the run, not a silent 1x */
	char *bad_env[] = {"PAGEBENCH_TEST_SLOWDOWN=chase", NULL};
	char *bad_argv[] = {(char *)bin,
			    "run",
			    "chase",
			    "--reps",
			    "1",
			    "--ops",
			    "1000",
			    "--size",
			    "64K",
			    "--results",
			    path("%s/bad", root),
			    NULL};
	PB_CHECK(spawn_run(bad_argv, bad_env, &o) != 0);
	PB_CHECK_MSG(strstr(o.err, "PAGEBENCH_TEST_SLOWDOWN") != NULL, "%s", o.err);

	/* 8b. a suite's folder: its merged CSVs hold the same experiment from
	 * two processes (one kernel at two sizes or loads; here c1 and the
	 * slowed c3), told apart by run_id.  Each is its own configuration
	 * ("chase", "chase (2)"), matched in order with the other side's,
	 * its 6 repetitions counted once and normalised by nothing else. */
	{
		char *sa = copy(c1, "suite_a"), *sb = copy(c2, "suite_b");
		const char *files[] = {"summary.csv", "runs.csv"};
		for (int k = 0; k < 2; k++) {
			PB_CHECK(sh("tail -n +2 '%s/%s' >> '%s/%s'", c3, files[k], sa, files[k]) ==
				 0);
			PB_CHECK(sh("tail -n +2 '%s/%s' >> '%s/%s'", c4, files[k], sb, files[k]) ==
				 0);
		}
		int code = compare((const char *[]){sa, sb, "--out", out, "--force", NULL});
		PB_CHECK_MSG(code == 0 || code == 1, "exit %d: %s", code, o.err);
		PB_CHECK(cmp_table_load(csv, &t, err, sizeof(err)) == 0);
		int ix[4];
		static const char *const cols[] = {"experiment", "n_base", "n_new", "base"};
		PB_CHECK(cmp_table_need(&t, cols, 4, ix, err, sizeof(err)) == 0);
		PB_CHECK_EQ_U64(t.nrows, 2);
		for (size_t q = 0; q < t.nrows && q < 2; q++) {
			PB_CHECK(!strcmp(cmp_cell(&t, q, ix[0]), q ? "chase (2)" : "chase"));
			PB_CHECK(!strcmp(cmp_cell(&t, q, ix[1]), "6"));
			PB_CHECK(!strcmp(cmp_cell(&t, q, ix[2]), "6"));
			/* the base median is the median of that run's own rows */
			struct cmp_table su;
			const char *src = q ? c3 : c1;
			PB_CHECK(cmp_table_load(path("%s/summary.csv", src), &su, err,
						sizeof(err)) == 0);
			long sr =
			    csv_find(path("%s/summary.csv", src), "thread", "total", NULL, NULL);
			int mi[1];
			static const char *const mcol[] = {"median_ns_per_op"};
			double want = NAN, got = NAN;
			PB_CHECK(sr >= 0 &&
				 cmp_table_need(&su, mcol, 1, mi, err, sizeof(err)) == 0);
			PB_CHECK(cmp_num(&su, (size_t)sr, mi[0], 0, &want, err, sizeof(err)) == 0);
			PB_CHECK(cmp_num(&t, q, ix[3], 0, &got, err, sizeof(err)) == 0);
			PB_CHECK_MSG(fabs(got - want) <= 1e-5 * want, "%s: base %g, summary %g",
				     cmp_cell(&t, q, ix[0]), got, want);
			cmp_table_free(&su);
		}
		cmp_table_free(&t);
	}

	/* 8c. runs.csv cut at a row boundary (the last repetition's rows
	 * gone) still parses, but its repetitions no longer add up to
	 * summary.csv's reps: exit 2 naming both files, not a comparison of
	 * 5 repetitions that claims 6 */
	{
		char *cs = copy(a, "cut_reps");
		PB_CHECK(pbt_csv_drop(path("%s/runs.csv", cs), "rep", "6") > 0);
		PB_CHECK_EQ_U64(compare((const char *[]){a, cs, "--out", out, "--force", NULL}), 2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "runs.csv") &&
				 strstr(o.err, "reps=6"),
			     "%s", o.err);
	}

	/* 9. sim: one changed fault count */
	char *sim_args[] = {"sim",	"--workload", "zipf:pages=500,refs=20000",
			    "--policy", "lru,fifo",   "--frames",
			    "50,100",	NULL};
	char *s1 = make_run("s1", NULL, sim_args);
	PB_CHECK_EQ_U64(compare((const char *[]){s1, s1, "--out", out, "--force", NULL}), 0);
	PB_CHECK(strstr(o.out, "4 replay row(s) with identical counts") != NULL);
	/* two runs made apart (not a copy): their sweep's timings in
	 * meta.json (config.sweep_feed) differ and are no reason to refuse */
	char *s3 = make_run("s3", NULL, sim_args);
	PB_CHECK_EQ_U64(compare((const char *[]){s1, s3, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "4 replay row(s) with identical counts") != NULL, "%s%s", o.out,
		     o.err);
	/* a trace's skipped lines (config.trace.skipped_lines) are not
	 * compared: a run made before they were recorded lacks them; the
	 * trace's hash still is */
	{
		char *t1 = copy(s1, "t1"), *t2 = copy(s1, "t2");
		meta_put(t1, "config", NULL, "trace",
			 json_pack("{s:s, s:s, s:i}", "path", "x.trc", "hash", "fnv1a64:1",
				   "skipped_lines", 2));
		meta_put(t2, "config", NULL, "trace",
			 json_pack("{s:s, s:s}", "path", "x.trc", "hash", "fnv1a64:1"));
		PB_CHECK_EQ_U64(compare((const char *[]){t1, t2, "--out", out, "--force", NULL}),
				0);
		meta_put(t2, "config", "trace", "hash", json_string("fnv1a64:2"));
		PB_CHECK_EQ_U64(compare((const char *[]){t1, t2, "--out", out, "--force", NULL}),
				2);
		PB_CHECK_MSG(strstr(o.err, "config.trace") != NULL, "%s", o.err);
	}
	char *mrc_args[] = {"mrc",	 "--workload", "zipf:pages=500,refs=20000",
			    "--policy",	 "lru,fifo",   "--frames",
			    "50:150:50", NULL};
	char *m1 = make_run("m1", NULL, mrc_args), *m2 = make_run("m2", NULL, mrc_args);
	PB_CHECK_EQ_U64(compare((const char *[]){m1, m2, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "6 replay row(s) with identical counts") != NULL, "%s%s", o.out,
		     o.err);
	char *s2 = copy(s1, "s2");
	const char *simcsv = path("%s/sim.csv", s2);
	struct cmp_table st;
	PB_CHECK(cmp_table_load(simcsv, &st, err, sizeof(err)) == 0);
	int fc[1];
	static const char *const fcol[] = {"faults"};
	PB_CHECK(cmp_table_need(&st, fcol, 1, fc, err, sizeof(err)) == 0);
	uint64_t faults = 0;
	PB_CHECK(cmp_count(&st, 0, fc[0], &faults, err, sizeof(err)) == 0);
	cmp_table_free(&st);
	char nf[32];
	snprintf(nf, sizeof(nf), "%llu", (unsigned long long)faults + 1);
	PB_CHECK(pbt_csv_set(simcsv, 0, "faults", nf) == 0);
	PB_CHECK_EQ_U64(compare((const char *[]){s1, s2, "--out", out, "--force", NULL}), 1);
	PB_CHECK_MSG(strstr(o.out, "CHANGED") && strstr(o.out, "faults"), "%s", o.out);

	/* 9a. what an exact row is and how pooled runs count: (1) two rows of
	 * one policy with other parameters are two rows (they were one, and
	 * the second's change was lost); (2) runs pooled on one side must
	 * agree (only the first run's row was read); (3) a count NA on both
	 * sides (a model that does not count it) is not compared, NA on one
	 * side is a change (NA was refused as "not a count") */
	{
		char *pp_args[] = {"sim",
				   "--workload",
				   "zipf:pages=500,refs=20000",
				   "--policy",
				   "2q:kin=0.1,2q:kin=0.5",
				   "--frames",
				   "100",
				   "--reps",
				   "1",
				   NULL};
		char *p1 = make_run("pp1", NULL, pp_args), *p2 = copy(p1, "pp2");
		long r2 = csv_find(path("%s/sim.csv", p2), "policy_params", "kin=0.5,kout=0.5",
				   NULL, NULL);
		PB_CHECK(r2 >= 0 &&
			 pbt_csv_set(path("%s/sim.csv", p2), (size_t)r2, "faults", "1") == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){p1, p2, "--out", out, "--force", NULL}),
				1);
		PB_CHECK_MSG(strstr(o.out, "2 compared") && strstr(o.out, "-> 1\n") &&
				 strstr(o.out, "policy_params=kin=0.5"),
			     "%s", o.out);
		/* pooled with another run of it (p1 with its copy p2 would be
		 * one run twice, refused) */
		char *p4 = make_run("pp4", NULL, pp_args);
		PB_CHECK_EQ_U64(
		    compare((const char *[]){"--out", out, "--force", p1, "--", p4, p2, NULL}), 1);
		PB_CHECK_MSG(strstr(o.out, "NEW's runs differ") && strstr(o.out, "-> 1"), "%s",
			     o.out);
		PB_CHECK_EQ_U64(
		    compare((const char *[]){"--out", out, "--force", p1, p4, "--", p1, NULL}), 0);
		/* (4) a list written before a parameter was added (at its
		 * default: kout=0.5 here) is the same configuration */
		char *p3 = copy(p1, "pp3");
		long r3 = csv_find(path("%s/sim.csv", p3), "policy_params", "kin=0.5,kout=0.5",
				   NULL, NULL);
		PB_CHECK(r3 >= 0 && pbt_csv_set(path("%s/sim.csv", p3), (size_t)r3, "policy_params",
						"kin=0.5") == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){p3, p1, "--out", out, "--force", NULL}),
				0);
		PB_CHECK_MSG(strstr(o.out, "2 replay row(s) with identical counts"), "%s%s", o.out,
			     o.err);
		char *pol_args[] = {
		    "sim",	"--model", "policy",   "--workload", "zipf:pages=500,refs=20000",
		    "--policy", "lru",	   "--frames", "100",	     "--reps",
		    "1",	NULL};
		char *q1 = make_run("q1", NULL, pol_args), *q2 = copy(q1, "q2");
		PB_CHECK_EQ_U64(compare((const char *[]){q1, q2, "--out", out, "--force", NULL}),
				0);
		PB_CHECK_MSG(strstr(o.out, "1 replay row(s) with identical counts"), "%s%s", o.out,
			     o.err);
		PB_CHECK(pbt_csv_set(path("%s/sim.csv", q2), 0, "tlb_misses", "7") == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){q1, q2, "--out", out, "--force", NULL}),
				1);
		PB_CHECK_MSG(strstr(o.out, "tlb_misses NA -> 7"), "%s", o.out);
	}

	/* 9b. plain compare's JSON: every value of its column's type, as
	 * compare.csv (read back) has it, and a null's reason beside it:
	 * timed rows, a vanished experiment (each number null with the
	 * detail's reason), a sim row with a changed count (threads from
	 * sim.csv; an exact count has no interval), mrc rows; then a threads
	 * cell that is not a count is refused (it was shown as text) */
	{
		const char *cc = path("%s/compare.csv", out);
		json_t *j = compare_json(a, a, out, 0);
		json_t *row = check_typed_rows("a a", j, cc, "pt-lookup");
		PB_CHECK(row && json_integer_value(json_object_get(row, "threads")) == 1 &&
			 json_object_size(json_object_get(row, "not_available")) == 0);
		json_decref(j);
		j = compare_json(a, gone, out, 1);
		row = check_typed_rows("a gone", j, cc, "pt-lookup");
		const char *why = json_string_value(
		    json_object_get(json_object_get(row, "not_available"), "base"));
		PB_CHECK_MSG(why && !strcmp(why, "in BASE only: the experiment vanished"),
			     "reason %s", why ? why : "(none)");
		json_decref(j);
		j = compare_json(s1, s2, out, 1);
		check_typed_rows("s1 s2", j, cc, NULL);
		row = json_array_get(json_object_get(j, "rows"), 0);
		why = json_string_value(
		    json_object_get(json_object_get(row, "not_available"), "ci95_lo"));
		PB_CHECK_MSG(why && strstr(why, "exact counts"), "reason %s", why ? why : "(none)");
		json_decref(j);
		j = compare_json(m1, m2, out, 0);
		check_typed_rows("m1 m2", j, cc, NULL);
		json_decref(j);
		/* the bootstrap seed's 64 bits exactly (it was a negative) */
		PB_CHECK_EQ_U64(
		    compare((const char *[]){a, a, "--out", out, "--force", "--format", "json",
					     "--seed", "18446744073709551615", NULL}),
		    0);
		j = json_loads(o.out, 0, NULL);
		const char *sd =
		    json_string_value(json_object_get(json_object_get(j, "bootstrap"), "seed"));
		PB_CHECK_MSG(sd && !strcmp(sd, "18446744073709551615"), "seed %s", sd ? sd : "?");
		json_decref(j);
		char *tx = copy(a, "threads_x");
		long tr =
		    csv_find(path("%s/summary.csv", tx), "kernel", "pt-lookup", "thread", "0");
		PB_CHECK(tr >= 0 &&
			 pbt_csv_set(path("%s/summary.csv", tx), (size_t)tr, "threads", "1x") == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){a, tx, "--out", out, "--force", "--format",
							 "json", NULL}),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "summary.csv:") &&
				 strstr(o.err, "(threads): '1x'"),
			     "%s", o.err);
		char *sx = copy(s1, "sim_threads_x");
		PB_CHECK(pbt_csv_set(path("%s/sim.csv", sx), 0, "threads", "1x") == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){s1, sx, "--out", out, "--force", NULL}),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "sim.csv:") &&
				 strstr(o.err, "(threads): '1x'"),
			     "%s", o.err);
	}

	/* 10. machines side by side */
	char *ma = copy(a, "ma"), *mb = copy(a, "mb");
	meta_set(ma, NULL, "label", "alpha");
	meta_set(mb, NULL, "label", "beta");
	/* beta's run could not count ru_minflt (procs=1) on a machine that
	 * can: the machine's description lists it as available, not NA */
	meta_put(mb, "counters", "columns", "ru_minflt",
		 json_pack("{s:s, s:b, s:s, s:b}", "source", "rusage", "available", 0, "reason",
			   "procs=1: the work runs in child processes", "machine_available", 1));
	char *mo = path("%s/mout", root);
	PB_CHECK(mkdir(mo, 0777) == 0);
	mo = keep(mo);
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", ma, mb, "--out", mo, NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "alpha") && strstr(o.out, "beta"), "%s", o.out);
	struct cmp_table mt;
	PB_CHECK(cmp_table_load(path("%s/machines.csv", mo), &mt, err, sizeof(err)) == 0);
	struct cmp_table sa;
	PB_CHECK(cmp_table_load(path("%s/summary.csv", a), &sa, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(mt.nrows, 2 * sa.nrows);
	int mc[4];
	static const char *const mcols[] = {"machine", "experiment", "median_ops_per_s",
					    "cpu_model"};
	PB_CHECK(cmp_table_need(&mt, mcols, 4, mc, err, sizeof(err)) == 0);
	PB_CHECK(!strcmp(cmp_cell(&mt, 0, mc[0]), "alpha"));
	PB_CHECK(!strcmp(cmp_cell(&mt, mt.nrows - 1, mc[0]), "beta"));
	double ops;
	PB_CHECK(cmp_num(&mt, 0, mc[2], 0, &ops, err, sizeof(err)) == 0 && ops > 0);
	int pc[1];
	static const char *const pcol[] = {"params"};
	PB_CHECK(cmp_table_need(&mt, pcol, 1, pc, err, sizeof(err)) == 0);
	PB_CHECK(!strcmp(cmp_cell(&mt, 0, pc[0]), "")); /* empty stays empty, not NA */
	/* the machine's CPU-to-CPU round trip: meta.json's start median, NA
	 * where it was not measured (a one-CPU machine) */
	{
		json_t *m = json_load_file(path("%s/meta.json", a), 0, NULL);
		json_t *med = json_object_get(
		    json_object_get(json_object_get(m, "cpu_round_trip"), "start"), "median_ns");
		int rc[1];
		static const char *const rcol[] = {"cpu_round_trip_ns"};
		PB_CHECK(cmp_table_need(&mt, rcol, 1, rc, err, sizeof(err)) == 0);
		double v;
		if (json_is_number(med))
			PB_CHECK(cmp_num(&mt, 0, rc[0], 0, &v, err, sizeof(err)) == 0 &&
				 fabs(v - json_number_value(med)) < 0.01);
		else
			PB_CHECK(!strcmp(cmp_cell(&mt, 0, rc[0]), "NA"));
		json_decref(m);
	}
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", ma, mb, "--out", mo, NULL}), 2);
	PB_CHECK(strstr(o.err, "exists") != NULL); /* no clobber */
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", ma, mb, "--out", mo, "--force",
						 "--format", "json", NULL}),
			0);
	json_t *mj = json_loads(o.out, 0, &je);
	PB_CHECK_MSG(mj != NULL, "machines json: %s", je.text);
	if (mj) {
		json_t *ms = json_object_get(mj, "machines");
		PB_CHECK(json_array_size(ms) == 2);
		PB_CHECK(!strcmp(
		    json_string_value(json_object_get(json_array_get(ms, 1), "machine")), "beta"));
		const char *ca = json_string_value(
			       json_object_get(json_array_get(ms, 1), "counters_available")),
			   *cn = json_string_value(
			       json_object_get(json_array_get(ms, 1), "counters_na"));
		PB_CHECK_MSG(ca && strstr(ca, "ru_minflt") && !(cn && strstr(cn, "procs=1")),
			     "beta: counters_available '%s', counters_na '%s'", ca ? ca : "(null)",
			     cn ? cn : "(null)");
		PB_CHECK_EQ_U64(json_array_size(json_object_get(mj, "rows")), mt.nrows);
		json_decref(mj);
	}
	/* JSON cells take their column's type, not the look of their text:
	 * numbers are numbers (counts integers), NA is null with meta.json's
	 * reason beside it (not_available), and identifiers stay strings even
	 * when they look numeric (a run_id "434e17", a label "1e3", a thread
	 * "0"); the numbers are machines.csv's */
	{
		char *mty = copy(mb, "mtyped");
		const char *sp = path("%s/summary.csv", mty);
		struct cmp_table sty;
		PB_CHECK(cmp_table_load(sp, &sty, err, sizeof(err)) == 0);
		size_t nst = sty.nrows;
		cmp_table_free(&sty);
		for (size_t q = 0; q < nst; q++) {
			PB_CHECK(pbt_csv_set(sp, q, "run_id", "434e17") == 0);
			PB_CHECK(pbt_csv_set(sp, q, "label", "1e3") == 0);
		}
		/* the run's other files and meta.json name the same run (a
		 * meta.json none of its rows carries is another run's) */
		const char *rp = path("%s/runs.csv", mty);
		PB_CHECK(cmp_table_load(rp, &sty, err, sizeof(err)) == 0);
		size_t nrt = sty.nrows;
		cmp_table_free(&sty);
		for (size_t q = 0; q < nrt; q++)
			PB_CHECK(pbt_csv_set(rp, q, "run_id", "434e17") == 0);
		meta_put(mty, NULL, NULL, "run_id", json_string("434e17"));
		sp = path("%s/summary.csv", mty); /* path()'s ring moved on */
		PB_CHECK(pbt_csv_set(sp, 0, "median_ru_minflt", "NA") == 0);
		meta_put(mty, "not_available", NULL, "ru_minflt",
			 json_string("no rusage in this test"));
		/* a rate NA: the reason of a counter it is computed from */
		PB_CHECK(pbt_csv_set(sp, 0, "ipc", "NA") == 0);
		meta_put(mty, "not_available", NULL, "papi_tot_ins",
			 json_string("no PMU in this test"));
		/* the run's own reasons for the summary columns give way, so the
		 * reasons compare derives from the counters are what is checked */
		meta_put(mty, "not_available", NULL, "ipc", json_null());
		meta_put(mty, "not_available", NULL, "median_ru_minflt", json_null());
		/* --format json draws the figures too (their paths on stderr:
		 * stdout is the document) */
		unlink(path("%s/machines.pdf", mo));
		PB_CHECK_EQ_U64(compare((const char *[]){"--machines", ma, mty, "--out", mo,
							 "--force", "--format", "json", NULL}),
				0);
		json_t *tj = json_loads(o.out, 0, &je);
		PB_CHECK_MSG(tj != NULL, "machines json: %s", je.text);
		PB_CHECK_MSG(access(path("%s/machines.pdf", mo), F_OK) == 0 &&
				 strstr(o.err, "machines.pdf"),
			     "json: no figure: %s", o.err);
		struct cmp_table tc;
		PB_CHECK(cmp_table_load(path("%s/machines.csv", mo), &tc, err, sizeof(err)) == 0);
		json_t *rows = json_object_get(tj, "rows");
		PB_CHECK_EQ_U64(json_array_size(rows), tc.nrows);
		static const char *const ints[] = {"schema_version", "threads", "reps",
						   "ci95_valid",     "valid",	"cores",
						   "numa_nodes"};
		static const char *const nums[] = {"median_ns_per_op", "median_ops_per_s",
						   "ci95_lo_ops_per_s", "ci95_hi_ops_per_s"};
		static const char *const maybe[] = {"speedup_vs_1_thread", "ratio_vs_baseline",
						    "baseline_median_ns_per_op",
						    "cpu_round_trip_ns"};
		/* (label: NA, null, in the runs without --label) */
		static const char *const strs[] = {"machine",	 "host",   "run_id",
						   "experiment", "kernel", "params",
						   "pin",	 "thread", "run_dir"};
		int csv_ops = cmp_table_col(&tc, "median_ops_per_s");
		for (size_t q = 0; q < json_array_size(rows) && q < tc.nrows; q++) {
			json_t *row = json_array_get(rows, q),
			       *na = json_object_get(row, "not_available");
			PB_CHECK_MSG(json_is_object(na), "row %zu: no not_available", q);
			for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++)
				PB_CHECK_MSG(json_is_integer(json_object_get(row, ints[k])),
					     "row %zu: %s is not an integer", q, ints[k]);
			for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
				PB_CHECK_MSG(json_is_number(json_object_get(row, nums[k])),
					     "row %zu: %s is not a number", q, nums[k]);
			for (size_t k = 0; k < sizeof(maybe) / sizeof(maybe[0]); k++) {
				json_t *v = json_object_get(row, maybe[k]);
				PB_CHECK_MSG(json_is_number(v) || json_is_null(v),
					     "row %zu: %s is neither a number nor null", q,
					     maybe[k]);
			}
			for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
				PB_CHECK_MSG(json_is_string(json_object_get(row, strs[k])),
					     "row %zu: %s is not a string", q, strs[k]);
			/* a machine without a measured round trip says why */
			if (json_is_null(json_object_get(row, "cpu_round_trip_ns")))
				PB_CHECK(json_is_string(json_object_get(na, "cpu_round_trip_ns")));
			/* so do a rate whose counter was not counted (the PAPI
			 * ones where there is no PMU) and a label not set (the
			 * run without --label: ma's rows) */
			for (size_t c = 0; c < tc.ncols; c++) {
				const char *h = tc.header[c];
				size_t hl = strlen(h);
				int rate = !strcmp(h, "ipc") ||
					   (hl > 8 && !strcmp(h + hl - 8, "_per_kop"));
				const char *w = json_string_value(json_object_get(na, h));
				if (rate && json_is_null(json_object_get(row, h)))
					PB_CHECK_MSG(w && strstr(w, " not counted: "),
						     "row %zu: %s null, reason %s", q, h,
						     w ? w : "(none)");
			}
			if (json_is_null(json_object_get(row, "label"))) {
				const char *w = json_string_value(json_object_get(na, "label"));
				PB_CHECK_MSG(w && !strcmp(w, "not set (the run had no --label)"),
					     "row %zu: label null, reason %s", q, w ? w : "(none)");
			}
			double want;
			PB_CHECK(cmp_num(&tc, q, csv_ops, 0, &want, err, sizeof(err)) == 0 &&
				 json_number_value(json_object_get(row, "median_ops_per_s")) ==
				     want);
		}
		/* the edited machine's rows: its first row is the summary's row 0 */
		size_t first = json_array_size(rows) - nst;
		json_t *r0 = json_array_get(rows, first);
		PB_CHECK(!strcmp(json_string_value(json_object_get(r0, "run_id")) ?: "", "434e17"));
		PB_CHECK(!strcmp(json_string_value(json_object_get(r0, "label")) ?: "", "1e3"));
		PB_CHECK(json_is_null(json_object_get(r0, "median_ru_minflt")));
		const char *why = json_string_value(
		    json_object_get(json_object_get(r0, "not_available"), "median_ru_minflt"));
		PB_CHECK_MSG(why && !strcmp(why, "no rusage in this test"), "reason %s",
			     why ? why : "(absent)");
		PB_CHECK(json_is_null(json_object_get(r0, "ipc")));
		why =
		    json_string_value(json_object_get(json_object_get(r0, "not_available"), "ipc"));
		PB_CHECK_MSG(why && !strcmp(why, "papi_tot_ins not counted: no PMU in this test"),
			     "ipc reason %s", why ? why : "(absent)");
		/* ma's rows were written without --label: null, and why */
		PB_CHECK(json_is_null(json_object_get(json_array_get(rows, 0), "label")));
		json_t *m0 = json_array_get(json_object_get(tj, "machines"), 0);
		PB_CHECK(json_is_integer(json_object_get(m0, "topology.cores")));
		json_t *rt = json_object_get(m0, "cpu_round_trip_ns");
		PB_CHECK(json_is_number(rt) ||
			 (json_is_null(rt) &&
			  json_is_string(json_object_get(json_object_get(m0, "not_available"),
							 "cpu_round_trip_ns"))));
		cmp_table_free(&tc);
		json_decref(tj);
		/* a count that is not one is refused (it was shown as text) */
		PB_CHECK(pbt_csv_set(sp, 0, "threads", "1x") == 0);
		PB_CHECK_EQ_U64(compare((const char *[]){"--machines", ma, mty, "--out", mo,
							 "--force", "--format", "json", NULL}),
				2);
		PB_CHECK_MSG(strstr(o.err, "summary.csv") && strstr(o.err, "(threads): '1x'"), "%s",
			     o.err);
	}
	/* a counter that was not read is named with its reason (meta.json),
	 * in the text and the JSON, not just left out */
	{
		char *mr = copy(mb, "mreason");
		meta_put(mr, "counters", "columns", "papi_tot_cyc",
			 json_pack("{s:s, s:b, s:s}", "source", "papi", "available", 0, "reason",
				   "no PMU in this test"));
		PB_CHECK_EQ_U64(
		    compare((const char *[]){"--machines", ma, mr, "--out", mo, "--force", NULL}),
		    0);
		PB_CHECK_MSG(strstr(o.out, "counters NA: ") &&
				 strstr(o.out, "no PMU in this test (papi_tot_cyc"),
			     "%s", o.out);
		PB_CHECK_EQ_U64(compare((const char *[]){"--machines", ma, mr, "--out", mo,
							 "--force", "--format", "json", NULL}),
				0);
		json_t *rj = json_loads(o.out, 0, &je);
		const char *na = json_string_value(json_object_get(
		    json_array_get(json_object_get(rj, "machines"), 1), "counters_na"));
		PB_CHECK_MSG(na && strstr(na, "no PMU in this test (papi_tot_cyc"), "%s",
			     na ? na : "(absent)");
		json_decref(rj);
	}
	/* fewer than 6 repetitions: summary.csv's interval is the min and max
	 * (ci95_valid=0), and the table says so instead of calling it a 95%
	 * interval */
	{
		char *mf = copy(mb, "mfew");
		const char *sp = path("%s/summary.csv", mf);
		long row;
		while ((row = csv_find(sp, "ci95_valid", "1", NULL, NULL)) >= 0)
			PB_CHECK(pbt_csv_set(sp, (size_t)row, "ci95_valid", "0") == 0);
		PB_CHECK_EQ_U64(
		    compare((const char *[]){"--machines", ma, mf, "--out", mo, "--force", NULL}),
		    0);
		const char *beta = strstr(o.out, "\n  beta "), *alpha = strstr(o.out, "\n  alpha ");
		PB_CHECK_MSG(beta && strstr(beta, "min-max of 6 reps [") &&
				 strstr(beta, "min-max of 6 reps [") < strchr(beta + 1, '\n'),
			     "%s", o.out);
		PB_CHECK_MSG(alpha && strstr(alpha, "95% CI [") &&
				 strstr(alpha, "95% CI [") < strchr(alpha + 1, '\n'),
			     "%s", o.out);
	}
	/* a suite's folder with one experiment from two processes (8b): both
	 * shown, each named by its run_id, not the first alone */
	{
		char id1[64] = "", id3[64] = "";
		const char *dirs[2] = {c1, c3};
		char *ids[2] = {id1, id3};
		for (int k = 0; k < 2; k++) {
			json_t *m = json_load_file(path("%s/meta.json", dirs[k]), 0, NULL);
			const char *v = json_string_value(json_object_get(m, "run_id"));
			snprintf(ids[k], 64, "run %s ", v ? v : "?");
			json_decref(m);
		}
		PB_CHECK_EQ_U64(compare((const char *[]){"--machines", path("%s/suite_a", root), ma,
							 "--out", mo, "--force", NULL}),
				0);
		PB_CHECK_MSG(strstr(o.out, id1) && strstr(o.out, id3), "%s / %s: %s", id1, id3,
			     o.out);
	}
	/* two machines without labels on hosts of one name (guests are
	 * often all "vm" or "localhost") are told apart, not merged */
	char *mc1 = copy(a, "mc1"), *mc2 = copy(a, "mc2");
	meta_set(mc1, NULL, "label", "");
	meta_set(mc2, NULL, "label", "");
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", mc1, mc2, "--out", mo, "--force",
						 "--format", "json", NULL}),
			0);
	mj = json_loads(o.out, 0, &je);
	PB_CHECK_MSG(mj != NULL, "machines json: %s", je.text);
	if (mj) {
		json_t *ms = json_object_get(mj, "machines");
		const char *n0 =
			       json_string_value(json_object_get(json_array_get(ms, 0), "machine")),
			   *n1 =
			       json_string_value(json_object_get(json_array_get(ms, 1), "machine"));
		PB_CHECK_MSG(n0 && n1 && strcmp(n0, n1) && !strncmp(n1, n0, strlen(n0)) &&
				 !strcmp(n1 + strlen(n0), " (2)"),
			     "machines %s, %s", n0 ? n0 : "-", n1 ? n1 : "-");
		json_decref(mj);
	}
	/* numbers where meta.json usually holds strings (a hand-edited or
	 * another tool's meta.json): each field prints as itself, none
	 * takes another's formatted value */
	char *mn = copy(a, "mn");
	meta_put(mn, NULL, NULL, "cpu_model", json_integer(7302));
	meta_put(mn, NULL, NULL, "kernel", json_real(6.5));
	meta_put(mn, NULL, NULL, "thp_enabled", json_integer(0));
	PB_CHECK_EQ_U64(
	    compare((const char *[]){"--machines", mn, mb, "--out", mo, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, ", 7302, ") && strstr(o.out, ", 6.5, THP 0,"), "%s", o.out);
	cmp_table_free(&mt);
	cmp_table_free(&sa);

	/* 11. machines whose CPUs pass a cache line 6x slower: a note, not a
	 * refusal (exit 0); 1.2x apart: none */
	char *rt0 = copy(a, "rt0"), *rt1 = copy(a, "rt1");
	meta_set_round_trip(rt0, 60);
	meta_set_round_trip(rt1, 360);
	PB_CHECK_EQ_U64(compare((const char *[]){rt0, rt1, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "note: cpu_round_trip.start.median_ns") && strstr(o.out, "360"),
		     "%s", o.out);
	meta_set_round_trip(rt1, 72);
	PB_CHECK_EQ_U64(compare((const char *[]){rt0, rt1, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(!strstr(o.out, "cpu_round_trip"), "%s", o.out);

	/* 12. config_differences in JSON: meta.json's values as they are */
	char *jd0 = copy(a, "jd0"), *jd1 = copy(a, "jd1");
	meta_set_round_trip(jd0, 60);
	meta_set_round_trip(jd1, 360);
	meta_put(jd1, "config", NULL, "force", json_true()); /* a note: jd0 has none */
	json_t *jd = compare_json(jd0, jd1, out, 0);
	json_t *diffs = json_object_get(jd, "config_differences"), *d;
	size_t di;
	int seen_rt = 0, seen_force = 0;
	json_array_foreach(diffs, di, d)
	{
		const char *what = json_string_value(json_object_get(d, "what"));
		json_t *b = json_object_get(d, "base"), *n = json_object_get(d, "new");
		if (what && !strncmp(what, "cpu_round_trip.start.median_ns", 30)) {
			seen_rt = 1;
			PB_CHECK_MSG(json_is_number(b) && json_number_value(b) == 60 &&
					 json_is_number(n) && json_number_value(n) == 360,
				     "%s: base %s, new %s", what,
				     json_is_string(b) ? "a string" : "?",
				     json_is_string(n) ? "a string" : "?");
		}
		if (what && !strcmp(what, "config.force")) {
			seen_force = 1;
			PB_CHECK_MSG(!b && json_is_true(n), "config.force: base %s, new %s",
				     b ? "present" : "absent",
				     json_is_true(n) ? "true" : "not true");
		}
	}
	PB_CHECK_MSG(seen_rt && seen_force, "config_differences: round trip %d, force %d", seen_rt,
		     seen_force);
	json_decref(jd);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
