/* SPDX-License-Identifier: MIT */
/*
 * A kernel parameter that only says where output goes (PB_PF_NOIDENT:
 * uffd-pager's latency_csv=FILE) is not part of an experiment's name: two
 * runs that differ only in it are the same experiment to compare (exit 0,
 * no configuration refused), their meta.json experiments, baseline_params
 * and rows' experiment and params name it without the path, and meta.json
 * still records the path (config.params, config.kernel_params), read back
 * with jansson; the rows with the project's CSV reader.  Until 2026-12-07
 * the path was in the label and the rows: "configurations differ:
 * config.options.param", exit 2, and with --allow-config-mismatch each
 * side's experiment MISSING on the other.  A run made before (the path in
 * its rows and config, a copy edited back so) still compares with one made
 * since, its row named without the path (the table, compare.csv, the
 * JSON), and lines up with it in `compare --machines`' table.  Skipped
 * where userfaultfd is unavailable.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};
#define BASE_PARAM "pages=64,frames=16"

/* `run uffd-pager --param BASE_PARAM,latency_csv=top/CSV --results
 * top/NAME`: 0 and its folder in dir, or 1 where userfaultfd is missing */
static int pager(const char *name, const char *csv, char *dir, size_t len)
{
	char res[4200], param[4400];
	snprintf(res, sizeof(res), "%s/%s", top, name);
	snprintf(param, sizeof(param), "%s,latency_csv=%s/%s", BASE_PARAM, top, csv);
	int rc = spawn_runl(bin, envv, &o, "run", "uffd-pager", "--threads", "1", "--reps", "4",
			    "--ops", "3000", "--param", param, "--results", res, NULL);
	if (rc && strstr(o.err, "userfaultfd unavailable"))
		return 1;
	PB_CHECK_MSG(rc == 0, "%s: exit %d: %s", name, rc, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
	return 0;
}

/* run folder dir's meta.json: experiments and baseline_params name the
 * experiment without the path; config.params and config.kernel_params
 * keep it */
static void check_meta(const char *dir, const char *csv)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", top, csv);
	json_t *m = pbt_meta(dir), *c = json_object_get(m, "config");
	json_t *ex = json_object_get(m, "experiments"), *v;
	size_t i, pager_seen = 0;
	json_array_foreach(ex, i, v)
	{
		const char *e = json_string_value(v);
		PB_CHECK_MSG(e && !strstr(e, "latency_csv") && !strstr(e, path), "%s", e);
		pager_seen += e && !strcmp(e, "uffd-pager:" BASE_PARAM " threads=1");
	}
	PB_CHECK_EQ_U64(pager_seen, 1);
	const char *params = json_string_value(json_object_get(c, "params"));
	PB_CHECK_MSG(params && strstr(params, path), "config.params: %s", params ? params : "null");
	const char *kp =
	    json_string_value(json_object_get(json_object_get(c, "kernel_params"), "latency_csv"));
	PB_CHECK_MSG(kp && !strcmp(kp, path), "config.kernel_params.latency_csv: %s",
		     kp ? kp : "null");
	json_t *bp = json_object_get(c, "baseline_params");
	const char *b = json_string_value(json_object_get(bp, "uffd-pager:" BASE_PARAM));
	PB_CHECK_MSG(b && !strcmp(b, BASE_PARAM), "config.baseline_params: %s",
		     b ? b : "(no entry named without the path)");
	json_decref(m);
}

/* every row of dir's runs.csv and summary.csv: experiment and params
 * without the path (read with pagebench/csvread.h) */
static void check_rows(const char *dir)
{
	static const char *const files[] = {"runs.csv", "summary.csv"};
	for (size_t f = 0; f < 2; f++) {
		char p[4500], err[512];
		snprintf(p, sizeof(p), "%s/%s", dir, files[f]);
		struct pb_csv t;
		PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
		int ce = pb_csv_col(&t, "experiment"), cp = pb_csv_col(&t, "params");
		PB_CHECK(ce >= 0 && cp >= 0 && t.nrows > 0);
		for (size_t r = 0; r < t.nrows; r++) {
			PB_CHECK_MSG(!strstr(pb_csv_cell(&t, r, ce), "latency_csv"), "%s:%zu: %s",
				     p, t.line[r], pb_csv_cell(&t, r, ce));
			PB_CHECK_MSG(!strstr(pb_csv_cell(&t, r, cp), "latency_csv"), "%s:%zu: %s",
				     p, t.line[r], pb_csv_cell(&t, r, cp));
		}
		pb_csv_free(&t);
	}
}

/* `compare BASE NEW --format json`: exit 0, no configuration refused,
 * and uffd-pager's row compared (in both, not MISSING), named as it is
 * matched: experiment "uffd-pager:BASE_PARAM", params BASE_PARAM, in the
 * JSON, in compare.csv (read back with the CSV reader) and in the text
 * table.  Until 2026-12-07 a BASE made before the path was left out had
 * its row named as BASE wrote it, latency_csv=PATH (a path of the machine
 * that ran it) in all three. */
static void check_compare(const char *base, const char *new_, const char *out)
{
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", base, new_, "--out", out, "--force",
				   "--format", "json", "--threshold", "1000%", NULL),
			0);
	PB_CHECK_MSG(!strstr(o.err, "configurations differ"), "%s", o.err);
	json_error_t je;
	json_t *doc = json_loads(o.out, 0, &je), *x;
	PB_CHECK_MSG(doc != NULL, "JSON: %d: %s\n%s", je.line, je.text, o.out);
	size_t i, seen = 0;
	json_array_foreach(json_object_get(doc, "rows"), i, x)
	{
		const char *k = json_string_value(json_object_get(x, "kernel"));
		const char *v = json_string_value(json_object_get(x, "verdict"));
		const char *e = json_string_value(json_object_get(x, "experiment"));
		const char *p = json_string_value(json_object_get(x, "params"));
		PB_CHECK_MSG(v && !strstr(v, "MISSING"), "%s: %s", k ? k : "?", v ? v : "?");
		if (!k || strcmp(k, "uffd-pager"))
			continue;
		seen++;
		PB_CHECK_MSG(e && p && !strcmp(e, "uffd-pager:" BASE_PARAM) &&
				 !strcmp(p, BASE_PARAM),
			     "JSON row: experiment %s, params %s", e ? e : "null", p ? p : "null");
	}
	PB_CHECK_EQ_U64(seen, 1);
	json_decref(doc);
	char path[4500], err[512];
	snprintf(path, sizeof(path), "%s/compare.csv", out);
	struct pb_csv t;
	PB_CHECK_MSG(pb_csv_read_file(path, &t, err, sizeof(err)) == 0, "%s", err);
	seen = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		if (strcmp(pb_csv_get(&t, r, "kernel"), "uffd-pager"))
			continue;
		seen++;
		const char *e = pb_csv_get(&t, r, "experiment"), *p = pb_csv_get(&t, r, "params");
		PB_CHECK_MSG(!strcmp(e, "uffd-pager:" BASE_PARAM) && !strcmp(p, BASE_PARAM),
			     "%s:%zu: experiment %s, params %s", path, t.line[r], e, p);
	}
	PB_CHECK_EQ_U64(seen, 1);
	pb_csv_free(&t);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", base, new_, "--out", out, "--force",
				   "--threshold", "1000%", NULL),
			0);
	PB_CHECK_MSG(!strstr(o.out, "latency_csv") && strstr(o.out, "\nuffd-pager:" BASE_PARAM " "),
		     "the table names an output path, or not the experiment:\n%s", o.out);
}

/* `compare --machines BASE NEW`: exit 0, and uffd-pager's total rows lined
 * up as plain compare matches them (harness/compare/machines.c, cmp_row_key):
 * one group, named without the path, with both machines' lines under it.
 * Until 2026-12-07 the table keyed rows by their experiment text as
 * written, so a run made before had its own group, "uffd-pager:...,
 * latency_csv=PATH, 1 thread(s):", and the new run another.  machines.csv
 * (read back with the CSV reader) keeps each run's rows as written: one
 * total row of uffd-pager per machine. */
static void check_machines(const char *base, const char *new_, const char *out)
{
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", "--machines", base, new_, "--out", out,
				   "--force", NULL),
			0);
	static const char want[] = "uffd-pager:" BASE_PARAM ", 1 thread(s):";
	static const char tail[] = " thread(s):";
	size_t groups = 0, machines = 0;
	int in = 0; /* the lines under uffd-pager's group */
	for (const char *l = o.out; *l;) {
		size_t len = strcspn(l, "\n");
		if (l[0] == ' ') {
			machines += (size_t)in;
		} else {
			in = len > sizeof(tail) - 1 &&
			     !strncmp(l + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1) &&
			     !strncmp(l, "uffd-pager", 10);
			groups += (size_t)in;
			PB_CHECK_MSG(!in || (len == sizeof(want) - 1 && !strncmp(l, want, len)),
				     "group '%.*s', want '%s'", (int)len, l, want);
		}
		l += len + (l[len] == '\n');
	}
	PB_CHECK_MSG(groups == 1 && machines == 2,
		     "%zu uffd-pager group(s), %zu machine line(s) under them:\n%s", groups,
		     machines, o.out);
	char p[4500], err[512];
	snprintf(p, sizeof(p), "%s/machines.csv", out);
	struct pb_csv t;
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	int ck = pb_csv_col(&t, "kernel"), ct = pb_csv_col(&t, "thread"),
	    cm = pb_csv_col(&t, "machine");
	PB_CHECK(ck >= 0 && ct >= 0 && cm >= 0);
	size_t totals = 0;
	for (size_t r = 0; ck >= 0 && ct >= 0 && r < t.nrows; r++)
		totals += !strcmp(pb_csv_cell(&t, r, ck), "uffd-pager") &&
			  !strcmp(pb_csv_cell(&t, r, ct), "total");
	PB_CHECK_EQ_U64(totals, 2);
	pb_csv_free(&t);
}

/* A copy of run folder src as top/name as a run made before 2026-12-07
 * wrote it: the path in its rows' experiment and params
 * (pbt_as_old_pager_run) and in its meta.json experiments (rewritten
 * through jansson). */
static void as_old_run(const char *src, const char *name, const char *csv, char *dst, size_t len)
{
	char cmd[9000], p[4500], path[4400];
	snprintf(dst, len, "%s/%s", top, name);
	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s'", src, dst);
	PB_CHECK(system(cmd) == 0);
	snprintf(path, sizeof(path), "%s/%s", top, csv);
	PB_CHECK_EQ_U64(pbt_as_old_pager_run(dst, path), 2);
	json_t *m = pbt_meta(dst), *ex = json_array();
	char *e;
	PB_CHECK(asprintf(&e, "uffd-pager:" BASE_PARAM ",latency_csv=%s threads=1", path) > 0);
	json_array_append_new(ex, json_string(e));
	free(e);
	json_object_set_new(m, "experiments", ex);
	snprintf(p, sizeof(p), "%s/meta.json", dst);
	PB_CHECK(json_dump_file(m, p, JSON_INDENT(2)) == 0);
	json_decref(m);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_ident PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "cmpident") != NULL);
	char a[4400], b[4400], out[4400], old[4400];
	if (pager("a", "a.csv", a, sizeof(a))) {
		printf("SKIP: no userfaultfd here: %s", o.err);
		pbt_rmtree(top);
		return 77;
	}
	PB_CHECK(pager("b", "b.csv", b, sizeof(b)) == 0);
	check_meta(a, "a.csv");
	check_meta(b, "b.csv");
	check_rows(a);
	check_rows(b);
	snprintf(out, sizeof(out), "%s/cmp", top);
	check_compare(a, b, out);
	/* a run made before the path was left out, against one made since */
	as_old_run(a, "old", "a.csv", old, sizeof(old));
	check_compare(old, b, out);
	/* and side by side, as two machines */
	check_machines(old, b, out);
	pbt_rmtree(top);
	return pb_test_done();
}
