/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/report.c - the rows of a comparison as a table, as
 * compare.csv and as JSON (jansson), and the --out folder and the safe
 * file writer they use.
 *
 * compare.csv (and the JSON "rows") has one row per matched or missing
 * configuration; docs/compare.md documents every column.  Numbers that
 * do not exist are NA in CSV and null in JSON, never 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../internal.h"
#include "compare.h"
#include "pagebench/cli.h"
#include "pagebench/outfile.h"

static const char *const verdict_names[] = {
    [CMP_SAME] = "same",
    [CMP_IMPROVEMENT] = "improvement",
    [CMP_REGRESSION] = "REGRESSION",
    [CMP_CHANGED] = "CHANGED",
    [CMP_MISSING_BASE] = "MISSING_IN_BASE",
    [CMP_MISSING_NEW] = "MISSING_IN_NEW",
    [CMP_INVALID] = "INVALID",
    [CMP_MACHINE] = "machine",
    [CMP_NA] = "NA",
    [CMP_UNDECIDED] = "UNDECIDED",
};

const char *cmp_verdict_name(enum cmp_verdict v)
{
	return verdict_names[v];
}

int cmp_verdict_fails(enum cmp_verdict v)
{
	/* NA: a configuration with nothing measured on one side cannot pass */
	return v == CMP_REGRESSION || v == CMP_CHANGED || v == CMP_MISSING_BASE ||
	       v == CMP_MISSING_NEW || v == CMP_INVALID || v == CMP_NA || v == CMP_UNDECIDED;
}

struct cmp_row *cmp_rows_add(struct cmp_rows *rows)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? 2 * rows->cap : 32;
		rows->v = realloc(rows->v, rows->cap * sizeof(*rows->v));
		if (!rows->v)
			abort();
	}
	struct cmp_row *r = &rows->v[rows->n++];
	*r = (struct cmp_row){0};
	return r;
}

void cmp_rows_free(struct cmp_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		struct cmp_row *r = &rows->v[i];
		free(r->experiment);
		free(r->kernel);
		free(r->params);
		free(r->threads);
		free(r->pin);
		free(r->metric);
		free(r->baseline);
		free(r->detail);
	}
	free(rows->v);
	*rows = (struct cmp_rows){0};
}

int cmp_write_file(const char *path, int force, const char *text, size_t len, char *err,
		   size_t errlen)
{
	return pb_out_write_all(path, force ? PB_OUT_FORCE : 0, text, len, err, errlen);
}

int cmp_out_dir(const char *cmd, const char *dir, int make)
{
	struct stat st;
	int e;
	if (!dir[0])
		e = ENOENT;
	else if (!make)
		/* nothing made: the folder is made after every refusal, so a
		 * refused compare leaves none behind; but one that could not be
		 * made or written in (below a regular file or a dangling
		 * symbolic link, under a folder this process may not write in)
		 * is refused now, before the statistics */
		e = -pb_dir_creatable(dir);
	else if (!(e = -pb_mkdir_p(dir))) /* as `plot --out` makes its folder */
		e = stat(dir, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e)
		pb_error(cmd, "--out %.200s: %s", dir, strerror(e));
	return -e;
}

/* ---- CSV (cells: pb_csv_fput) ---- */
static void csv_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("NA,", f);
	else
		fprintf(f, "%.6g,", v);
}

/* compare.csv's columns, with each one's type: the JSON rows' values take
 * it (threads, summary.csv's and sim.csv's count, is a number there, not
 * the string the row keeps) */
static const struct {
	const char *name;
	enum pb_col_kind kind;
} csv_cols[] = {
    {"schema_version", PB_COL_U64},
    {"kind", PB_COL_STR},
    {"experiment", PB_COL_STR},
    {"kernel", PB_COL_STR},
    {"params", PB_COL_STR},
    {"threads", PB_COL_U64},
    {"pin", PB_COL_STR},
    {"metric", PB_COL_STR},
    {"mode", PB_COL_STR},
    {"n_base", PB_COL_U64},
    {"n_new", PB_COL_U64},
    {"base", PB_COL_DBL},
    {"new", PB_COL_DBL},
    {"ratio", PB_COL_DBL},
    {"ci95_lo", PB_COL_DBL},
    {"ci95_hi", PB_COL_DBL},
    {"p_value", PB_COL_DBL},
    {"mwu", PB_COL_STR},
    {"raw_ratio", PB_COL_DBL},
    {"raw_ci95_lo", PB_COL_DBL},
    {"raw_ci95_hi", PB_COL_DBL},
    {"raw_p_value", PB_COL_DBL},
    {"baseline", PB_COL_STR},
    {"verdict", PB_COL_STR},
    {"detail", PB_COL_STR},
};
#define CMP_CSV_SCHEMA 1

enum pb_col_kind cmp_csv_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(csv_cols) / sizeof(csv_cols[0]); i++)
		if (!strcmp(csv_cols[i].name, name))
			return csv_cols[i].kind;
	return PB_COL_STR;
}

void cmp_write_csv(FILE *f, const struct cmp_report *rep)
{
	size_t nc = sizeof(csv_cols) / sizeof(csv_cols[0]);
	for (size_t i = 0; i < nc; i++)
		fprintf(f, "%s%c", csv_cols[i].name, i + 1 < nc ? ',' : '\n');
	for (size_t i = 0; i < rep->rows->n; i++) {
		const struct cmp_row *r = &rep->rows->v[i];
		fprintf(f, "%d,", CMP_CSV_SCHEMA);
		pb_csv_fput(f, r->kind, 0);
		pb_csv_fput(f, r->experiment, 0);
		pb_csv_fput(f, r->kernel, 0);
		pb_csv_fput(f, r->params, 0);
		pb_csv_fput(f, r->threads, 0);
		pb_csv_fput(f, r->pin, 0);
		pb_csv_fput(f, r->metric, 0);
		pb_csv_fput(f, r->mode, 0);
		fprintf(f, "%zu,%zu,", r->n_base, r->n_new);
		csv_num(f, r->base);
		csv_num(f, r->new_);
		csv_num(f, r->ratio);
		csv_num(f, r->lo);
		csv_num(f, r->hi);
		csv_num(f, r->p);
		pb_csv_fput(f, r->mwu, 0);
		csv_num(f, r->raw_ratio);
		csv_num(f, r->raw_lo);
		csv_num(f, r->raw_hi);
		csv_num(f, r->raw_p);
		pb_csv_fput(f, r->baseline, 0);
		pb_csv_fput(f, cmp_verdict_name(r->verdict), 0);
		pb_csv_fput(f, r->detail, 1);
	}
}

/* ---- text ---- */
static void describe_runs(FILE *f, const char *side, const struct cmp_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cmp_run *r = &runs[i];
		if (r->suite_task)
			fprintf(f,
				"%-5s %s: the only task of the other side's kind and kernel "
				"or workload, compared alone:\n",
				i ? "" : side, r->suite_task);
		fprintf(f, "%-5s %s  (%s%scommit %s, %s build, host %s%s%s)\n",
			i || r->suite_task ? "" : side, r->dir,
			r->status[0] && strcmp(r->status, "complete") ? r->status : "",
			r->status[0] && strcmp(r->status, "complete") ? " RUN, " : "",
			r->commit[0] ? r->commit : "unknown",
			r->build_type[0] ? r->build_type : "unknown",
			r->host[0] ? r->host : "unknown", r->label[0] ? ", label " : "", r->label);
	}
}

struct tally {
	size_t compared, regress, improve, changed, missing, invalid, unmeasured, undecided;
};

static struct tally count(const struct cmp_rows *rows)
{
	struct tally t = {0};
	for (size_t i = 0; i < rows->n; i++) {
		switch (rows->v[i].verdict) {
		case CMP_REGRESSION:
			t.regress++;
			break;
		case CMP_IMPROVEMENT:
			t.improve++;
			break;
		case CMP_CHANGED:
			t.changed++;
			break;
		case CMP_MISSING_BASE:
		case CMP_MISSING_NEW:
			t.missing++;
			continue;
		case CMP_INVALID:
			t.invalid++;
			break;
		case CMP_NA:
			t.unmeasured++;
			break;
		case CMP_UNDECIDED:
			t.undecided++;
			break;
		default:
			break;
		}
		t.compared++;
	}
	return t;
}

void cmp_write_text(FILE *f, const struct cmp_report *rep)
{
	const struct cmp_opts *o = rep->o;
	describe_runs(f, "BASE", rep->base, rep->nbase);
	describe_runs(f, "NEW", rep->new_, rep->nnew);
	for (size_t i = 0; i < rep->mm->n; i++) {
		const struct cmp_mismatch *m = &rep->mm->v[i];
		fprintf(f, "%s: %s differs: %s (%s) vs %s (%s)\n",
			m->fatal ? "WARNING: CONFIGURATION MISMATCH" : "note", m->what, m->a,
			m->a_dir, m->b, m->b_dir);
	}
	int perf = 0, exact = 0;
	for (size_t i = 0; i < rep->rows->n; i++) {
		if (!strcmp(rep->rows->v[i].kind, "perf"))
			perf = 1;
		else
			exact = 1;
	}
	if (perf) {
		if (rep->rows->normalised_used)
			fprintf(f,
				"mode: baseline-normalised: ratio = (new kernel / new baseline) / "
				"(base kernel / base baseline), the baselines run in the same "
				"process; a change is called only when the raw kernel time agrees "
				"(%s; --mode raw judges raw times)\n",
				o->mode == CMP_MODE_NORM
				    ? "--mode normalised"
				    : "the default when both sides have baselines");
		else {
			int bb = rep->rows->baselines_base, nb = rep->rows->baselines_new;
			const char *why = !bb && !nb ? "neither side ran baselines"
					  : !nb	     ? "only BASE ran baselines"
					  : !bb	     ? "only NEW ran baselines"
						: "no configuration has its baseline on both sides";
			if (o->mode == CMP_MODE_RAW)
				fprintf(
				    f, "mode: raw: ratio = new / base median ns/op (--mode raw)\n");
			else
				fprintf(f, "mode: raw: ratio = new / base median ns/op (%s%s%s)\n",
					o->mode == CMP_MODE_NORM ? "--mode normalised, but " : "",
					why, o->mode == CMP_MODE_NORM ? ": judged raw" : "");
		}
		fprintf(f,
			"decision: REGRESSION when the ratio's bootstrap 95%% interval lies above "
			"%.10g "
			"(the threshold) and Mann-Whitney U p < %.3g (per-repetition rows of "
			"runs.csv); bootstrap %u resamples, seed %llu\n",
			1 + o->threshold, o->alpha, o->resamples, (unsigned long long)o->seed);
		fprintf(f, "%-36s %7s %11s %11s %8s %19s %8s  %s\n", "experiment", "threads",
			"base_ns/op", "new_ns/op", "ratio", "95% interval", "p", "verdict");
		for (size_t i = 0; i < rep->rows->n; i++) {
			const struct cmp_row *r = &rep->rows->v[i];
			if (strcmp(r->kind, "perf"))
				continue;
			char b[32], n[32], ra[32], lo[32], hi[32], p[32], ci[80];
			pb_fmt_num_na(b, sizeof(b), r->base, "%.4g");
			pb_fmt_num_na(n, sizeof(n), r->new_, "%.4g");
			pb_fmt_num_na(ra, sizeof(ra), r->ratio, "%.3f");
			pb_fmt_num_na(lo, sizeof(lo), r->lo, "%.3f");
			pb_fmt_num_na(hi, sizeof(hi), r->hi, "%.3f");
			pb_fmt_num_na(p, sizeof(p), r->p, "%.3g");
			if (isnan(r->ratio) && !isnan(r->raw_ratio))
				pb_fmt_num_na(ra, sizeof(ra), r->raw_ratio, "%.3f");
			snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
			fprintf(f, "%-36s %7s %11s %11s %8s %19s %8s  %s%s%s%s\n", r->experiment,
				r->threads, b, n, ra, ci, p, cmp_verdict_name(r->verdict),
				r->mode[0] && r->verdict != CMP_MACHINE ? " (" : "",
				r->mode[0] && r->verdict != CMP_MACHINE ? r->mode : "",
				r->mode[0] && r->verdict != CMP_MACHINE ? ")" : "");
			if (r->detail)
				fprintf(f, "%-36s   %s\n", "", r->detail);
		}
	}
	if (exact) {
		fprintf(f, "exact counts (sim.csv, mrc.csv): must be equal\n");
		size_t same = 0;
		for (size_t i = 0; i < rep->rows->n; i++) {
			const struct cmp_row *r = &rep->rows->v[i];
			if (!strcmp(r->kind, "perf"))
				continue;
			if (r->verdict == CMP_SAME && !r->detail) {
				same++;
				continue;
			}
			fprintf(f, "%-8s %s  %s: %s\n", cmp_verdict_name(r->verdict), r->kind,
				r->params, r->detail ? r->detail : "");
		}
		fprintf(f, "%zu replay row(s) with identical counts\n", same);
	}
	struct tally t = count(rep->rows);
	fprintf(f,
		"%zu compared: %zu regression(s), %zu improvement(s), %zu changed, %zu missing, "
		"%zu invalid, %zu not measured, %zu undecided (too few repetitions); threshold "
		"%.4g%%; exit %d\n",
		t.compared, t.regress, t.improve, t.changed, t.missing, t.invalid, t.unmeasured,
		t.undecided, o->threshold * 100, rep->exit_code);
}

/* ---- JSON ---- */
json_t *cmp_json_str(const char *s)
{
	s = s ? s : "";
	json_t *j = json_string(s);
	if (j)
		return j;
	/* not UTF-8: keep ASCII, replace the rest */
	char *c = cmp_strdup(s);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(c);
	free(c);
	return j;
}

json_t *cmp_json_num(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

json_t *cmp_json_label(const struct cmp_run *r, json_t *na)
{
	if (r->label[0])
		return cmp_json_str(r->label);
	json_object_set_new(na, "label", json_string(CMP_LABEL_NA));
	return json_null();
}

/* base[] and new[]: each run, a label not set null with its reason in
 * not_available, as --machines' machines[] */
static json_t *jruns(const struct cmp_run *runs, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct cmp_run *r = &runs[i];
		json_t *na = json_object(), *label = cmp_json_label(r, na);
		json_array_append_new(
		    a, json_pack(
			   "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "dir", cmp_json_str(r->dir),
			   "suite_task", r->suite_task ? cmp_json_str(r->suite_task) : json_null(),
			   "git_commit", cmp_json_str(r->commit), "build_type",
			   cmp_json_str(r->build_type), "host", cmp_json_str(r->host), "label",
			   label, "status", cmp_json_str(r->status), "not_available", na));
	}
	return a;
}

/* Cell v of compare.csv column col as JSON of the column's type (threads
 * a number).  The cells were checked where they were read (perf.c,
 * exact.c); one that is not of its type stays the string it is. */
static void row_cell(json_t *o, const char *col, const char *v)
{
	json_t *j;
	if (cmp_text_json(v ? v : "", cmp_csv_kind(col), &j))
		j = cmp_json_str(v);
	json_object_set_new(o, col, j);
}

/* Why row r has no number in column col (null in the JSON), where the
 * text says it: an exact count has no interval or test (the text's "exact
 * counts: must be equal"); a row that judged nothing (missing, invalid,
 * nothing measured, counts not compared) has its detail line; an exact
 * ratio over a base count of 0 has none.  NULL where nothing says. */
static const char *row_na(const struct cmp_row *r, const char *col)
{
	static const char *const stats[] = {"ci95_lo",	   "ci95_hi",	  "p_value",	"raw_ratio",
					    "raw_ci95_lo", "raw_ci95_hi", "raw_p_value"};
	int exact = !strcmp(r->mode, "exact");
	if (exact && cmp_in_list(col, stats, PB_ARRAY_SIZE(stats)))
		return "exact counts (sim.csv, mrc.csv) must be equal: no interval or test";
	if (r->verdict == CMP_MISSING_BASE || r->verdict == CMP_MISSING_NEW ||
	    r->verdict == CMP_INVALID || r->verdict == CMP_NA ||
	    (exact && !(r->metric && *r->metric)))
		return r->detail;
	if (exact && !strcmp(col, "ratio") && r->base == 0)
		return "the base count is 0: no ratio";
	return NULL;
}

/* Number v of column col: null where it does not exist, with the reason
 * (row_na) in na. */
static void row_num(json_t *o, json_t *na, const struct cmp_row *r, const char *col, double v)
{
	const char *why = isfinite(v) ? NULL : row_na(r, col);
	json_object_set_new(o, col, cmp_json_num(v));
	if (why)
		json_object_set_new(na, col, cmp_json_str(why));
}

json_t *cmp_json(const struct cmp_report *rep)
{
	const struct cmp_opts *o = rep->o;
	json_t *doc = json_object();
	if (!doc)
		return NULL;
	json_object_set_new(doc, "schema_version", json_integer(CMP_CSV_SCHEMA));
	json_object_set_new(doc, "base", jruns(rep->base, rep->nbase));
	json_object_set_new(doc, "new", jruns(rep->new_, rep->nnew));
	int perf = 0;
	for (size_t i = 0; i < rep->rows->n; i++)
		perf |= !strcmp(rep->rows->v[i].kind, "perf");
	json_object_set_new(doc, "mode",
			    json_string(!perf			     ? "exact"
					: rep->rows->normalised_used ? "normalised"
								     : "raw"));
	json_object_set_new(doc, "threshold", json_real(o->threshold));
	json_object_set_new(doc, "alpha", json_real(o->alpha));
	/* the seed's 64 bits exactly: above INT64_MAX (jansson's integers)
	 * its decimal digits as a string (it was shown as a negative) */
	char sd[24];
	snprintf(sd, sizeof(sd), "%llu", (unsigned long long)o->seed);
	json_object_set_new(
	    doc, "bootstrap",
	    json_pack("{s:i, s:o, s:f}", "resamples", (int)o->resamples, "seed",
		      o->seed <= INT64_MAX ? json_integer((json_int_t)o->seed) : json_string(sd),
		      "level", 0.95));
	json_t *mm = json_array();
	for (size_t i = 0; i < rep->mm->n; i++) {
		/* base and new: the values as meta.json has them (a number, a
		 * boolean, an object ...), not their text; left out where that
		 * run's meta.json lacks the key */
		const struct cmp_mismatch *m = &rep->mm->v[i];
		json_t *d = json_object();
		json_object_set_new(d, "what", cmp_json_str(m->what));
		if (m->ja)
			json_object_set_new(d, "base", json_deep_copy(m->ja));
		if (m->jb)
			json_object_set_new(d, "new", json_deep_copy(m->jb));
		json_object_set_new(d, "base_dir", cmp_json_str(m->a_dir));
		json_object_set_new(d, "new_dir", cmp_json_str(m->b_dir));
		json_object_set_new(d, "fatal", json_boolean(m->fatal));
		json_array_append_new(mm, d);
	}
	json_object_set_new(doc, "config_differences", mm);
	json_t *rows = json_array();
	for (size_t i = 0; i < rep->rows->n; i++) {
		const struct cmp_row *r = &rep->rows->v[i];
		json_t *o2 = json_object(), *na = json_object();
		json_object_set_new(o2, "kind", cmp_json_str(r->kind));
		/* the configuration, as summary.csv's (sim.csv's) cells were */
		row_cell(o2, "experiment", r->experiment);
		row_cell(o2, "kernel", r->kernel);
		row_cell(o2, "params", r->params);
		row_cell(o2, "threads", r->threads);
		row_cell(o2, "pin", r->pin);
		json_object_set_new(o2, "metric", cmp_json_str(r->metric ? r->metric : ""));
		json_object_set_new(o2, "mode", cmp_json_str(r->mode));
		json_object_set_new(o2, "n_base", json_integer((json_int_t)r->n_base));
		json_object_set_new(o2, "n_new", json_integer((json_int_t)r->n_new));
		row_num(o2, na, r, "base", r->base);
		row_num(o2, na, r, "new", r->new_);
		row_num(o2, na, r, "ratio", r->ratio);
		row_num(o2, na, r, "ci95_lo", r->lo);
		row_num(o2, na, r, "ci95_hi", r->hi);
		row_num(o2, na, r, "p_value", r->p);
		json_object_set_new(o2, "mwu", cmp_json_str(r->mwu));
		row_num(o2, na, r, "raw_ratio", r->raw_ratio);
		row_num(o2, na, r, "raw_ci95_lo", r->raw_lo);
		row_num(o2, na, r, "raw_ci95_hi", r->raw_hi);
		row_num(o2, na, r, "raw_p_value", r->raw_p);
		json_object_set_new(o2, "baseline", cmp_json_str(r->baseline));
		json_object_set_new(o2, "verdict", json_string(cmp_verdict_name(r->verdict)));
		json_object_set_new(o2, "detail",
				    r->detail ? cmp_json_str(r->detail) : json_null());
		/* why a null is null, where the text says */
		json_object_set_new(o2, "not_available", na);
		json_array_append_new(rows, o2);
	}
	json_object_set_new(doc, "rows", rows);
	struct tally t = count(rep->rows);
	json_object_set_new(doc, "summary",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "compared",
				      (json_int_t)t.compared, "regressions", (json_int_t)t.regress,
				      "improvements", (json_int_t)t.improve, "changed",
				      (json_int_t)t.changed, "missing", (json_int_t)t.missing,
				      "invalid", (json_int_t)t.invalid, "not_measured",
				      (json_int_t)t.unmeasured, "undecided",
				      (json_int_t)t.undecided, "exit_code", rep->exit_code));
	return doc;
}
