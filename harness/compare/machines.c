/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/machines.c - `pagebench compare --machines RUN_A RUN_B
 * ...`: the same suite run on different machines, side by side.
 *
 * Each run is labelled from its meta.json (label, else host) and described
 * (CPU model, cores, NUMA nodes, kernel, THP mode, counters available).
 * The table lines up every total row of summary.csv by (experiment,
 * kernel, params, threads) as plain compare matches them (cmp_row_key: an
 * output path, PB_PF_NOIDENT, is no part of it): per machine the median
 * throughput with its 95% interval, the scaling (speedup_vs_1_thread), the
 * baseline ratio and any counter medians summary.csv carries (columns
 * median_X with ci95_lo_X and ci95_hi_X).  Pin is not part of the match:
 * machines differ in topology.
 *
 * machines.csv is the tidy merge: every summary row of every run (per
 * thread and total), with the machine's columns first (schema_version,
 * machine, host, label, run_dir, cpu_model, cores, numa_nodes,
 * cpu_round_trip_ns: c2c.c's median at the run's start) and then
 * the union of the summary.csv columns (NA where a run lacks one), so
 * `pagebench plot` or any CSV tool can draw the machines side by side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../internal.h"
#include "compare.h"
#include "pagebench/cli.h"
#include "pagebench/measure.h"
#include "pagebench/outfile.h"
#include "pagebench/parse.h"

extern char **environ;

#define MACHINES_SCHEMA 2 /* 2: cpu_round_trip_ns */

/* machines.csv's own columns, with the type of each (the JSON rows' cells
 * take it; the other columns are summary.csv's, typed by measure.c) */
static const struct {
	const char *name;
	enum pb_col_kind kind;
} machine_cols[] = {
    {"schema_version", PB_COL_U64}, {"machine", PB_COL_STR},	{"host", PB_COL_STR},
    {"label", PB_COL_STR},	    {"run_dir", PB_COL_STR},	{"cpu_model", PB_COL_STR},
    {"cores", PB_COL_U64},	    {"numa_nodes", PB_COL_U64}, {"cpu_round_trip_ns", PB_COL_DBL},
};
#define N_MACHINE_COLS (sizeof(machine_cols) / sizeof(machine_cols[0]))

/* The type of machines.csv column col: its own, else summary.csv's (as
 * measure.c writes it); a median_X, ci95_lo_X or ci95_hi_X of a counter
 * this build does not know is a number, as the text reads it; any other
 * column this build does not know is a string (its text as written). */
static enum pb_col_kind col_kind(const char *col)
{
	enum pb_col_kind k;
	for (size_t i = 0; i < N_MACHINE_COLS; i++)
		if (!strcmp(machine_cols[i].name, col))
			return machine_cols[i].kind;
	if (!pb_measure_summary_kind(col, &k))
		return k;
	if (!strncmp(col, "median_", 7) || !strncmp(col, "ci95_lo_", 8) ||
	    !strncmp(col, "ci95_hi_", 8))
		return PB_COL_DBL;
	return PB_COL_STR;
}

struct strv {
	char **v;
	size_t n;
};

static int strv_has(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return 1;
	return 0;
}

static void strv_add(struct strv *s, const char *x)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (!s->v)
		abort();
	s->v[s->n++] = cmp_strdup(x);
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The cache-line round trip between the machine's CPUs at the start of
 * the run, else at its end (meta.json cpu_round_trip, harness/c2c.c;
 * cmp_round_trip), NA where neither was measured (one CPU, a busy partner
 * CPU) or the run predates it. */
static const char *round_trip(const struct cmp_run *r, char *buf, size_t len)
{
	double v = cmp_round_trip(r, NULL, NULL);
	if (isnan(v))
		return "NA";
	snprintf(buf, len, "%g", v);
	return buf;
}

/* The same for the text: "105.6 ns", "327.6 ns (at the run's end; at its
 * start: REASON)" or "NA (REASON)"; into buf. */
static const char *round_trip_text(const struct cmp_run *r, char *buf, size_t len)
{
	const char *why;
	double v = cmp_round_trip(r, NULL, &why);
	if (isnan(v))
		snprintf(buf, len, "NA (%.300s)", why);
	else if (why) /* the end's figure (cmp_round_trip) */
		snprintf(buf, len, "%.1f ns (at the run's end; at its start: %.300s)", v, why);
	else
		snprintf(buf, len, "%.1f ns", v);
	return buf;
}

/* A machine column's value from meta.json. */
static const char *machine_value(const struct cmp_run *r, const char *col, char *buf, size_t len)
{
	if (!strcmp(col, "schema_version")) {
		snprintf(buf, len, "%d", MACHINES_SCHEMA);
		return buf;
	}
	if (!strcmp(col, "machine"))
		return cmp_run_name(r);
	if (!strcmp(col, "host"))
		return r->host;
	if (!strcmp(col, "label"))
		return r->label;
	if (!strcmp(col, "run_dir"))
		return r->dir;
	if (!strcmp(col, "cpu_model"))
		return cmp_meta_str(r, "cpu_model", buf, len);
	if (!strcmp(col, "cores"))
		return cmp_meta_str(r, "topology.cores", buf, len);
	if (!strcmp(col, "numa_nodes"))
		return cmp_meta_str(r, "topology.numa_nodes", buf, len);
	if (!strcmp(col, "cpu_round_trip_ns"))
		return round_trip(r, buf, len);
	return "";
}

/* The cell of machines.csv column c (named col) for summary row r of run. */
static const char *value(const struct cmp_run *run, size_t r, size_t c, const char *col, char *buf,
			 size_t len)
{
	const struct cmp_table *t = &run->summary;
	int sc = c ? cmp_table_col(t, col) : -1; /* column 0: machines.csv's own schema */
	if (sc >= 0)
		return cmp_cell(t, r, sc); /* as written, empty cells included */
	return c < N_MACHINE_COLS ? machine_value(run, col, buf, len) : "NA";
}

/* meta.json's counter list: {column: {available, reason, ...}}. */
static json_t *counter_list(const struct cmp_run *r)
{
	json_t *c = json_object_get(r->meta, "counters");
	if (json_is_object(json_object_get(c, "columns"))) /* {method, passes, columns: {...}} */
		c = json_object_get(c, "columns");
	return c;
}

/* A column as the machine has it: machine_available (meta.json since
 * 2026-12-07; available became the run's, false for ru_* of a procs=1
 * run), else available (older runs, and columns PAGEBENCH_COUNTERS left
 * unprobed, whose machine_available is null). */
static int col_available(json_t *v)
{
	json_t *m = json_object_get(v, "machine_available");
	return json_is_boolean(m) ? json_is_true(m) : json_is_true(json_object_get(v, "available"));
}

static char *counters_available(const struct cmp_run *r)
{
	json_t *c = counter_list(r);
	char *s = cmp_strdup("");
	const char *k;
	json_t *v;
	if (!json_is_object(c))
		return s;
	json_object_foreach(c, k, v)
	{
		if (col_available(v)) {
			char *n = cmp_asprintf("%s%s%s", s, s[0] ? "," : "", k);
			free(s);
			s = n;
		}
	}
	return s;
}

/* The counters that were not read and why, from meta.json: "REASON
 * (col,col,...); REASON (...)", one group per reason, "" if none. */
static char *counters_na(const struct cmp_run *r)
{
	json_t *c = json_object_get(json_object_get(r->meta, "counters"), "columns");
	char *s = cmp_strdup("");
	const char *k, *k2;
	json_t *v, *v2;
	if (!json_is_object(c))
		return s;
	json_t *done = json_object();
	json_object_foreach(c, k, v)
	{
		const char *why = json_string_value(json_object_get(v, "reason"));
		if (col_available(v) || !why || json_object_get(done, why))
			continue;
		json_object_set_new(done, why, json_true());
		char *cols = cmp_strdup("");
		json_object_foreach(c, k2, v2)
		{
			const char *w2 = json_string_value(json_object_get(v2, "reason"));
			if (col_available(v2) || !w2 || strcmp(w2, why))
				continue;
			char *n = cmp_asprintf("%s%s%s", cols, cols[0] ? "," : "", k2);
			free(cols);
			cols = n;
		}
		char *n = cmp_asprintf("%s%s%s (%s)", s, s[0] ? "; " : "", why, cols);
		free(cols);
		free(s);
		s = n;
	}
	json_decref(done);
	return s;
}

/* Why run has no value for summary.csv column col, from its meta.json
 * (not_available, or the counter list's reason for a counter's median_X,
 * what the text's "counters NA" line says; for a rate, X_per_kop or ipc,
 * the reason of a counter it is computed from, into buf), or a label
 * that was not set; NULL where nothing says. */
static const char *na_reason(const struct cmp_run *r, const char *col, char *buf, size_t len)
{
	const char *x = strncmp(col, "median_", 7) ? col : col + 7;
	json_t *na = json_object_get(r->meta, "not_available");
	json_t *c = json_object_get(counter_list(r), x);
	const char *why = json_string_value(json_object_get(na, col)), *in[2];
	if (!why)
		why = json_string_value(json_object_get(na, x));
	if (!why && json_is_object(c) && !json_is_true(json_object_get(c, "available")))
		why = json_string_value(json_object_get(c, "reason"));
	if (!why && !pb_measure_rate_inputs(col, &in[0], &in[1]))
		for (int k = 0; k < 2 && !why; k++) {
			const char *w = in[k] ? na_reason(r, in[k], buf, len) : NULL;
			if (w) {
				snprintf(buf, len, "%s not counted: %s", in[k], w);
				why = buf;
			}
		}
	/* summary.csv's label is NA where the run that wrote it had none */
	if (!why && !strcmp(col, "label"))
		why = CMP_LABEL_NA;
	return why;
}

/* Machine column col (from meta.json) as JSON of its type; a null's reason
 * into why ("" where there is none). */
static json_t *machine_json(const struct cmp_run *r, const char *col, char *why, size_t len)
{
	char buf[64];
	const char *v = machine_value(r, col, buf, sizeof(buf));
	uint64_t n;
	why[0] = 0;
	if (col_kind(col) == PB_COL_STR)
		return cmp_json_str(v);
	if (!strcmp(col, "cpu_round_trip_ns")) {
		const char *w;
		double ns = cmp_round_trip(r, NULL, &w);
		if (isnan(ns))
			snprintf(why, len, "%s", w);
		return cmp_json_num(ns);
	}
	if (!pb_parse_u64(v, &n) && n <= INT64_MAX)
		return json_integer((json_int_t)n);
	if (*v)
		snprintf(why, len, "meta.json's %s '%.32s' is not a count", col, v);
	else
		snprintf(why, len, "not in meta.json");
	return json_null();
}

/* The JSON of machines.csv column c (named col) for summary row r of run,
 * typed by its column (value()'s cell); a null's reason, where one is
 * known, into na[col].  Cells were checked. */
static json_t *json_value(const struct cmp_run *run, size_t r, size_t c, const char *col,
			  json_t *na)
{
	const struct cmp_table *t = &run->summary;
	int sc = c ? cmp_table_col(t, col) : -1;
	char why[256] = "", err[256];
	json_t *j = NULL;
	if (sc >= 0) {
		(void)cmp_cell_json(t, r, sc, col_kind(col), &j, err, sizeof(err));
		char buf[256];
		const char *w = j && json_is_null(j) ? na_reason(run, col, buf, sizeof(buf)) : NULL;
		snprintf(why, sizeof(why), "%s", w ? w : "");
	} else if (!strcmp(col, "label")) { /* a summary.csv without the column */
		j = cmp_json_label(run, na);
	} else if (c < N_MACHINE_COLS) {
		j = machine_json(run, col, why, sizeof(why));
	} else {
		j = json_null();
		snprintf(why, sizeof(why), "this run's summary.csv has no such column");
	}
	if (why[0])
		json_object_set_new(na, col, cmp_json_str(why));
	return j ? j : json_null();
}

/* Counter columns: median_X with ci95_lo_X and ci95_hi_X, X not a time. */
static void counter_cols(const struct cmp_table *t, struct strv *out)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const char *h = t->header[i];
		if (strncmp(h, "median_", 7) || !strcmp(h, "median_ns_per_op") ||
		    !strcmp(h, "median_ops_per_s"))
			continue;
		if (!strv_has(out, h + 7))
			strv_add(out, h + 7);
	}
}

/* A counter's median (and interval, if summary.csv has one); NA ones are
 * left out (meta.json's counter list says why).  Cells were checked. */
static void print_value(FILE *f, const struct cmp_table *t, size_t row, const char *x)
{
	char *m = cmp_asprintf("median_%s", x), *lo = cmp_asprintf("ci95_lo_%s", x),
	     *hi = cmp_asprintf("ci95_hi_%s", x), err[256];
	int cm = cmp_table_col(t, m), cl = cmp_table_col(t, lo), ch = cmp_table_col(t, hi);
	double v = NAN, l = NAN, h = NAN;
	if (cm >= 0)
		(void)cmp_num(t, row, cm, 1, &v, err, sizeof(err));
	if (cl >= 0 && ch >= 0) {
		(void)cmp_num(t, row, cl, 1, &l, err, sizeof(err));
		(void)cmp_num(t, row, ch, 1, &h, err, sizeof(err));
	}
	if (!isnan(v)) {
		fprintf(f, "  %s %.4g", x, v);
		if (!isnan(l) && !isnan(h))
			fprintf(f, " [%.4g, %.4g]", l, h);
	}
	free(m);
	free(lo);
	free(hi);
}

/* The side-by-side figure: `pagebench plot RUN... --kind machines --out
 * DIR` as a child (its paths go to stderr); a figure that cannot be drawn
 * is said, and does not change the verdict. */
/* The side-by-side figures (pagebench plot --kind machines) into out_dir;
 * quiet: plot's lines (the figures' paths) to stderr, so that stdout
 * stays the CSV or JSON document. */
static void machines_figure(const char *cmd, const struct cmp_run *runs, size_t n,
			    const char *out_dir, int quiet)
{
	char **argv = calloc(n + 8, sizeof(char *));
	size_t k = 0;
	pid_t pid;
	int st = 0;
	if (!argv)
		return;
	argv[k++] = "pagebench";
	argv[k++] = "plot";
	for (size_t i = 0; i < n; i++)
		argv[k++] = runs[i].dir;
	argv[k++] = "--kind";
	argv[k++] = "machines";
	argv[k++] = "--out";
	argv[k++] = (char *)out_dir;
	argv[k] = NULL;
	fflush(stdout);
	posix_spawn_file_actions_t fa;
	int hasfa = quiet && !posix_spawn_file_actions_init(&fa);
	if (hasfa && posix_spawn_file_actions_adddup2(&fa, 2, 1)) {
		posix_spawn_file_actions_destroy(&fa);
		hasfa = 0;
	}
	if (posix_spawn(&pid, "/proc/self/exe", hasfa ? &fa : NULL, NULL, argv, environ) == 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			pb_error(cmd,
				 "the machines figure was not drawn (pagebench plot exited %d)",
				 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	if (hasfa)
		posix_spawn_file_actions_destroy(&fa);
	free(argv);
}

/* Each total row's key of t (cmp_row_key without pin: machines differ in
 * topology), NULL for a per-thread row: an experiment's name as it names
 * it, so a run made before PB_PF_NOIDENT (uffd-pager's latency_csv=FILE
 * in its rows) lines up with one made since.  ix: need[]'s columns. */
static char **row_keys(const struct cmp_table *t, const int *ix)
{
	char **k = calloc(t->nrows ? t->nrows : 1, sizeof(*k));
	if (!k)
		abort(); /* as cmp_strdup */
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(cmp_cell(t, r, ix[4]), "total"))
			k[r] = cmp_row_key(cmp_cell(t, r, ix[0]), cmp_cell(t, r, ix[1]),
					   cmp_cell(t, r, ix[2]), cmp_cell(t, r, ix[3]), NULL);
	return k;
}

static void row_keys_free(char **k, size_t nrows)
{
	for (size_t r = 0; k && r < nrows; r++)
		free(k[r]);
	free(k);
}

/* One machine's line for total row r.  The interval is a 95% CI only
 * where summary.csv says so (ci95_valid): with fewer than 6 repetitions
 * it holds the min and max.  A machine with this configuration from
 * several processes (a suite's tasks) names each by its run_id. */
static void print_total(const struct cmp_table *t, size_t r, const struct cmp_run *run,
			char *const *rk, const struct strv *ctrs)
{
	char err[256];
	/* checked before: these parse */
	double v[4] = {NAN, NAN, NAN, NAN}, ratio = NAN;
	const char *names[] = {"median_ops_per_s", "ci95_lo_ops_per_s", "ci95_hi_ops_per_s",
			       "speedup_vs_1_thread"};
	for (int q = 0; q < 4; q++)
		if (cmp_table_col(t, names[q]) >= 0)
			(void)cmp_num(t, r, cmp_table_col(t, names[q]), 1, &v[q], err, sizeof(err));
	if (cmp_table_col(t, "ratio_vs_baseline") >= 0)
		(void)cmp_num(t, r, cmp_table_col(t, "ratio_vs_baseline"), 1, &ratio, err,
			      sizeof(err));
	char f[5][32];
	double show[5] = {v[0] / 1e6, v[1] / 1e6, v[2] / 1e6, v[3], ratio};
	for (int q = 0; q < 5; q++)
		snprintf(f[q], sizeof(f[q]), isnan(show[q]) ? "NA" : "%.4g", show[q]);
	int cv = cmp_table_col(t, "ci95_valid"), reps = cmp_table_col(t, "reps");
	char what[64] = "95% CI";
	if (cv >= 0 && strcmp(cmp_cell(t, r, cv), "1"))
		snprintf(what, sizeof(what), "min-max of %.16s reps",
			 reps >= 0 ? cmp_cell(t, r, reps) : "< 6");
	char *name = cmp_strdup(cmp_run_name(run));
	int rid = cmp_table_col(t, "run_id");
	size_t same = 0;
	for (size_t q = 0; q < t->nrows; q++)
		same += rk[q] && !strcmp(rk[q], rk[r]);
	if (same > 1 && rid >= 0) {
		char *n2 = cmp_asprintf("%s run %s", name, cmp_cell(t, r, rid));
		free(name);
		name = n2;
	}
	printf("  %-20s %10s Mops/s %s [%s, %s]  speedup %s  vs baseline %s", name, f[0], what,
	       f[1], f[2], f[3], f[4]);
	free(name);
	for (size_t c = 0; c < ctrs->n; c++)
		print_value(stdout, t, r, ctrs->v[c]);
	printf("\n");
}

int cmp_machines(const char *cmd, struct cmp_run *runs, size_t n, enum cmp_format fmt,
		 const char *out_dir, int force)
{
	char err[CMP_ERRLEN], buf[64];
	char *out_path = cmp_path(out_dir, "machines.csv");
	int code = PB_EXIT_USAGE;
	struct strv cols = {0}, keys = {0}, ctrs = {0};
	char ***rk = NULL; /* the text's: each run's row_keys */
	char *csv = NULL;
	size_t csvlen = 0;
	FILE *mf = NULL;
	int rc = pb_out_check(out_path, force ? PB_OUT_FORCE : 0, err, sizeof(err));
	if (rc == -EEXIST) {
		pb_error(cmd, "%s exists (--force replaces it, --out DIR writes elsewhere)",
			 out_path);
		goto out;
	}
	if (rc) {
		pb_error(cmd, "%s", err);
		goto out;
	}
	/* machines that share a label or host (two guests both called "vm")
	 * get distinct names, as the machines figure gives them */
	char **uniq = calloc(n ? n : 1, sizeof(*uniq));
	for (size_t i = 0; uniq && i < n; i++) {
		char nm[512];
		pb_name_unique(nm, sizeof(nm), cmp_run_name(&runs[i]), uniq, i);
		if (!(uniq[i] = strdup(nm)))
			break;
	}
	for (size_t i = 0; i < n; i++)
		runs[i].name = uniq ? uniq[i] : NULL;
	int named = uniq && (!n || runs[n - 1].name);
	free(uniq);
	if (!named) {
		pb_error(cmd, "out of memory");
		goto out;
	}
	static const char *const need[] = {"experiment", "kernel", "params",
					   "threads",	 "thread", "median_ops_per_s"};
	for (size_t i = 0; i < n; i++) {
		if (!runs[i].has_summary) {
			pb_error(cmd, "%s: no summary.csv (--machines lines up timed runs)",
				 runs[i].dir);
			goto out;
		}
		int ix[6];
		if (cmp_table_need(&runs[i].summary, need, 6, ix, err, sizeof(err))) {
			pb_error(cmd, "%s", err);
			goto out;
		}
		/* every cell is checked against its column's type before it is
		 * shown: a number is one (or NA), and not negative, in every
		 * format */
		const struct cmp_table *t = &runs[i].summary;
		for (size_t r = 0; r < t->nrows; r++)
			for (size_t c = 0; c < t->ncols; c++)
				if (cmp_cell_nonneg(t, r, (int)c, col_kind(t->header[c]), err,
						    sizeof(err))) {
					pb_error(cmd, "%s", err);
					goto out;
				}
	}
	for (size_t i = 0; i < N_MACHINE_COLS; i++)
		strv_add(&cols, machine_cols[i].name);
	for (size_t i = 0; i < n; i++) {
		const struct cmp_table *t = &runs[i].summary;
		for (size_t c = 0; c < t->ncols; c++)
			if (!strv_has(&cols, t->header[c]))
				strv_add(&cols, t->header[c]);
		counter_cols(t, &ctrs);
	}
	/* machines.csv */
	mf = open_memstream(&csv, &csvlen);
	if (!mf) {
		pb_error(cmd, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < cols.n; c++)
		pb_csv_fput(mf, cols.v[c], c + 1 == cols.n);
	for (size_t i = 0; i < n; i++) {
		const struct cmp_table *t = &runs[i].summary;
		for (size_t r = 0; r < t->nrows; r++)
			for (size_t c = 0; c < cols.n; c++)
				pb_csv_fput(mf, value(&runs[i], r, c, cols.v[c], buf, sizeof(buf)),
					    c + 1 == cols.n);
	}
	if (fclose(mf)) {
		mf = NULL;
		pb_error(cmd, "out of memory");
		goto out;
	}
	mf = NULL;
	if (cmp_out_dir(cmd, out_dir, 1)) /* every refusal above: none made for them */
		goto out;
	if (cmp_write_file(out_path, force, csv, csvlen, err, sizeof(err))) {
		pb_error(cmd, "%s", err);
		code = PB_EXIT_FAIL;
		goto out;
	}
	if (fmt == CMP_FMT_CSV) {
		fwrite(csv, 1, csvlen, stdout);
		machines_figure(cmd, runs, n, out_dir, 1);
		code = PB_EXIT_OK;
		goto out;
	}
	if (fmt == CMP_FMT_JSON) {
		json_t *doc = json_object(), *ms = json_array(), *rows = json_array();
		for (size_t i = 0; i < n; i++) {
			char *ca = counters_available(&runs[i]);
			json_t *m = json_object(), *na = json_object();
			static const char *const meta_keys[] = {"cpu_model", "kernel",
								"thp_enabled"};
			/* the numbers, typed as machines.csv's columns of them */
			static const char *const num_keys[][2] = {
			    {"topology.cores", "cores"},
			    {"topology.numa_nodes", "numa_nodes"},
			    {"cpu_round_trip_ns", "cpu_round_trip_ns"}};
			json_object_set_new(m, "machine", cmp_json_str(cmp_run_name(&runs[i])));
			json_object_set_new(m, "host", cmp_json_str(runs[i].host));
			json_object_set_new(m, "label", cmp_json_label(&runs[i], na));
			json_object_set_new(m, "run_dir", cmp_json_str(runs[i].dir));
			for (size_t k = 0; k < sizeof(meta_keys) / sizeof(meta_keys[0]); k++)
				json_object_set_new(m, meta_keys[k],
						    cmp_json_str(cmp_meta_str(
							&runs[i], meta_keys[k], buf, sizeof(buf))));
			for (size_t k = 0; k < sizeof(num_keys) / sizeof(num_keys[0]); k++) {
				char why[256];
				json_object_set_new(
				    m, num_keys[k][0],
				    machine_json(&runs[i], num_keys[k][1], why, sizeof(why)));
				if (why[0])
					json_object_set_new(na, num_keys[k][0], cmp_json_str(why));
			}
			/* which figure cpu_round_trip_ns is: the start's, else the end's */
			const char *at;
			(void)cmp_round_trip(&runs[i], &at, NULL);
			json_object_set_new(m, "cpu_round_trip_at",
					    at[0] ? json_string(at) : json_null());
			json_object_set_new(m, "not_available", na);
			json_object_set_new(m, "git_commit", cmp_json_str(runs[i].commit));
			json_object_set_new(m, "build_type", cmp_json_str(runs[i].build_type));
			json_object_set_new(m, "counters_available", cmp_json_str(ca));
			char *cn = counters_na(&runs[i]);
			json_object_set_new(m, "counters_na", cmp_json_str(cn));
			free(cn);
			json_array_append_new(ms, m);
			free(ca);
		}
		json_object_set_new(doc, "schema_version", json_integer(MACHINES_SCHEMA));
		json_object_set_new(doc, "machines", ms);
		json_object_set_new(doc, "machines_csv", cmp_json_str(out_path));
		for (size_t i = 0; i < n; i++)
			for (size_t r = 0; r < runs[i].summary.nrows; r++) {
				json_t *o = json_object(), *na = json_object();
				for (size_t c = 0; c < cols.n; c++)
					json_object_set_new(
					    o, cols.v[c],
					    json_value(&runs[i], r, c, cols.v[c], na));
				/* why a null is null, where meta.json says */
				json_object_set_new(o, "not_available", na);
				json_array_append_new(rows, o);
			}
		json_object_set_new(doc, "rows", rows);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(doc);
		machines_figure(cmd, runs, n, out_dir, 1);
		code = PB_EXIT_OK;
		goto out;
	}
	/* text */
	printf("machines:\n");
	for (size_t i = 0; i < n; i++) {
		const struct cmp_run *r = &runs[i];
		/* a buffer per field: cmp_meta_str formats a number into the
		 * one it is given, and all of them are read by one printf */
		char model[64], cores[32], nodes[32], kern[64], thp[32], rt[400];
		char *ca = counters_available(r), *cn = counters_na(r);
		printf("  %s: host %s, %s, %s cores, %s NUMA node(s), %s, THP %s, commit %s, %s "
		       "build\n"
		       "      cache-line round trip between CPUs: %s; counters available: %s\n",
		       cmp_run_name(r), r->host[0] ? r->host : "unknown",
		       cmp_meta_str(r, "cpu_model", model, sizeof(model)),
		       cmp_meta_str(r, "topology.cores", cores, sizeof(cores)),
		       cmp_meta_str(r, "topology.numa_nodes", nodes, sizeof(nodes)),
		       cmp_meta_str(r, "kernel", kern, sizeof(kern)),
		       cmp_meta_str(r, "thp_enabled", thp, sizeof(thp)),
		       r->commit[0] ? r->commit : "unknown",
		       r->build_type[0] ? r->build_type : "unknown",
		       round_trip_text(r, rt, sizeof(rt)), ca[0] ? ca : "none");
		if (cn[0])
			printf("      counters NA: %s\n", cn);
		/* a plan made for another machine's tree (meta.c): nothing was
		 * bound; a run before 2026-12-07 even described that tree */
		char ts[16], src[200], syn[16];
		if (!strcmp(cmp_meta_str(r, "topology_is_thissystem", ts, sizeof(ts)), "false"))
			printf(
			    "      topology: not this machine's (%s): threads were not bound; the "
			    "cores and nodes above are the machine's own\n",
			    cmp_meta_str(r, "topology_source", src, sizeof(src)));
		else if (!strcmp(cmp_meta_str(r, "topology.synthetic", syn, sizeof(syn)), "true"))
			printf("      topology: synthetic (a run before topology_is_thissystem): "
			       "threads "
			       "were not bound, and the cores and nodes above are the synthetic "
			       "tree's, not the machine's\n");
		free(ca);
		free(cn);
	}
	/* round trips far apart: several threads' rows measure them too */
	size_t ilo = n, ihi = n;
	double lo = NAN, hi = NAN;
	for (size_t i = 0; i < n; i++) {
		double v = cmp_round_trip(&runs[i], NULL, NULL);
		if (isnan(v))
			continue;
		if (ilo == n || v < lo)
			ilo = i, lo = v;
		if (ihi == n || v > hi)
			ihi = i, hi = v;
	}
	if (ilo < n && hi > 1.5 * lo)
		printf("note: CPU-to-CPU round trips %.1f ns (%s) and %.1f ns (%s) are more than "
		       "1.5x apart: rows of several threads compare that latency too\n",
		       lo, cmp_run_name(&runs[ilo]), hi, cmp_run_name(&runs[ihi]));
	/* the total rows, keyed without pin, in order of first appearance */
	rk = calloc(n ? n : 1, sizeof(*rk));
	if (!rk)
		abort(); /* as cmp_strdup */
	for (size_t i = 0; i < n; i++) {
		const struct cmp_table *t = &runs[i].summary;
		int ix[6];
		(void)cmp_table_need(t, need, 6, ix, err, sizeof(err));
		rk[i] = row_keys(t, ix);
		for (size_t r = 0; r < t->nrows; r++)
			if (rk[i][r] && !strv_has(&keys, rk[i][r]))
				strv_add(&keys, rk[i][r]);
	}
	for (size_t k = 0; k < keys.n; k++) {
		int header = 0;
		for (size_t i = 0; i < n; i++) {
			const struct cmp_table *t = &runs[i].summary;
			int ix[6];
			(void)cmp_table_need(t, need, 6, ix, err, sizeof(err));
			for (size_t r = 0; r < t->nrows; r++) {
				if (!rk[i][r] || strcmp(rk[i][r], keys.v[k]))
					continue;
				if (!header) {
					/* named as its key names it: an old run's
					 * output path is no part of the group's name */
					char *e = cmp_ident_experiment(cmp_cell(t, r, ix[0]),
								       cmp_cell(t, r, ix[1]),
								       cmp_cell(t, r, ix[2]));
					printf("%s, %s thread(s):\n", e, cmp_cell(t, r, ix[3]));
					free(e);
					header = 1;
				}
				print_total(t, r, &runs[i], rk[i], &ctrs);
			}
		}
	}
	printf("machines.csv: %s\n", out_path);
	machines_figure(cmd, runs, n, out_dir, 0);
	code = PB_EXIT_OK;
out:
	if (mf)
		fclose(mf);
	free(csv);
	strv_free(&cols);
	strv_free(&keys);
	strv_free(&ctrs);
	for (size_t i = 0; rk && i < n; i++)
		row_keys_free(rk[i], runs[i].summary.nrows);
	free(rk);
	free(out_path);
	return code;
}
