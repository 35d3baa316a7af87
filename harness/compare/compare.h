/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/compare.h - private to `pagebench compare`: run folders
 * read back (CSV tables, meta.json), the rows of a comparison, and the
 * steps that fill them.
 *
 * The command (harness/cmd_compare.c) is thin: it loads each side's run
 * folders (rundir.c), checks that their configurations may be compared
 * (rundir.c), matches and judges the timed experiments (perf.c) and the
 * exact counts of sim/mrc replays (exact.c), and writes the rows as text,
 * CSV or JSON (report.c).  `--machines` lines up several machines' runs
 * (machines.c).  The statistics are public: pagebench/stats.h.
 *
 * Nothing read from a file is trusted: every number is parsed strictly
 * and a bad cell is an error naming the file, line and column; names have
 * no length limit (everything is heap-allocated).
 *
 * Caller: one thread (the command's).
 */
#ifndef PAGEBENCH_HARNESS_COMPARE_H
#define PAGEBENCH_HARNESS_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pagebench/common.h"
#include "pagebench/measure.h"

#define CMP_ERRLEN 8192

/* ---- a CSV file of a run folder (table.c) ---- */
struct cmp_table {
	char *path;
	size_t ncols, nrows;
	char **header; /* ncols names */
	char **cells;  /* nrows * ncols, row-major */
	size_t *line;  /* 1-based line of each row */
	void *priv_;   /* the reader's storage */
};

/* Read path; -ENOENT when it does not exist (err untouched), other -errno
 * with one line in err. */
int cmp_table_load(const char *path, struct cmp_table *t, char *err, size_t errlen);
void cmp_table_free(struct cmp_table *t);
/* Column indexes of names[0..n); -EINVAL naming the first missing one. */
int cmp_table_need(const struct cmp_table *t, const char *const *names, size_t n, int *idx,
		   char *err, size_t errlen);
/* The index of column name, or -1 (an optional column). */
int cmp_table_col(const struct cmp_table *t, const char *name);
const char *cmp_cell(const struct cmp_table *t, size_t row, int col);
/* A number: strict (no junk, finite); "NA" gives NaN when na_ok. */
int cmp_num(const struct cmp_table *t, size_t row, int col, int na_ok, double *out, char *err,
	    size_t errlen);
/* A time per op (runs.csv's ns_per_op, summary.csv's median_ns_per_op):
 * a number above 0, strict, or NA (NaN).  0 or a negative number is no
 * measurement: -EINVAL naming the file, line and column, as for "3.4x". */
int cmp_time(const struct cmp_table *t, size_t row, int col, double *out, char *err, size_t errlen);
/* A non-negative integer count (strict). */
int cmp_count(const struct cmp_table *t, size_t row, int col, uint64_t *out, char *err,
	      size_t errlen);
/* Text as a JSON value of its column's type (kind), never of how it
 * looks (a run id "434e17" stays a string): a string as written; a number
 * parsed strictly, as cmp_num and cmp_count read it (an integer for a
 * count); "NA" null.  Into *out (out may be NULL: only checked); -EINVAL
 * when it is not of its type. */
int cmp_text_json(const char *v, enum pb_col_kind kind, json_t **out);
/* cmp_text_json of a cell; -EINVAL naming the file, line and column. */
int cmp_cell_json(const struct cmp_table *t, size_t row, int col, enum pb_col_kind kind,
		  json_t **out, char *err, size_t errlen);

/* cmp_cell_json, checked only, and a number below 0 refused as well:
 * summary.csv's numbers (times, rates, counts, ratios) are never
 * negative. */
int cmp_cell_nonneg(const struct cmp_table *t, size_t row, int col, enum pb_col_kind kind,
		    char *err, size_t errlen);

/* ---- a run folder (rundir.c) ---- */
struct cmp_run {
	char *dir;
	json_t *meta; /* meta.json, parsed */
	struct cmp_table summary, runs, sim, mrc;
	int has_summary, has_runs, has_sim, has_mrc;
	/* from meta.json, "" when absent */
	const char *label, *host, *commit, *build_type;
	const char *status; /* "complete", "partial", "failed"; "" in older runs */
	char *name;	    /* --machines: the name made unique (cmp_run_name) */
	/* "suite DIR, task 3 of 5 (COMMAND)": this is a suite's one task, compared
	 * with a single run in its suite's place (cmp_suite_task); else NULL */
	char *suite_task;
};

/* Load dir (its meta.json and whichever of summary.csv, runs.csv, sim.csv
 * and mrc.csv it has).  -errno with one line in err. */
int cmp_run_load(const char *dir, struct cmp_run *r, char *err, size_t errlen);
void cmp_run_free(struct cmp_run *r);
/* What r holds, as bits: timed experiments (summary.csv, runs.csv), sim
 * replays (sim.csv), mrc curves (mrc.csv).  Runs that share none have no
 * row to match: the command refuses them before any configuration check. */
enum { CMP_KIND_RUN = 1, CMP_KIND_SIM = 2, CMP_KIND_MRC = 4 };
unsigned cmp_run_kinds(const struct cmp_run *r);
/* r's kinds in words: "a run folder (summary.csv)", "a sim and mrc
 * folder (sim.csv, mrc.csv)"; into buf. */
const char *cmp_run_kind_text(const struct cmp_run *r, char *buf, size_t len);
/* 1 if r is a suite's folder (meta.json config.tasks, harness/cmd_suite.c). */
int cmp_run_is_suite(const struct cmp_run *r);
/* A suite's folder against a single run (ref): the suite's rows are every
 * task's, its config the suite's own, so neither lines up with a run of
 * one kernel.  The one task of *suite of ref's kind and subject (a timed
 * run's config.kernel, a sim or mrc run's config.workload) replaces
 * *suite, its suite_task saying which; 0.  -ENOENT when no task matches,
 * -E2BIG when several do, each with what into err (the caller names the
 * sides). */
int cmp_suite_task(struct cmp_run *suite, const struct cmp_run *ref, char *err, size_t errlen);
/* A string from meta.json by a dotted path ("build.git_commit"), "" if
 * absent; numbers are printed into buf. */
const char *cmp_meta_str(const struct cmp_run *r, const char *path, char *buf, size_t len);
/* The machine's name for tables: label, else host (made unique among
 * --machines' runs: "vm", "vm (2)"). */
const char *cmp_run_name(const struct cmp_run *r);
/* 1 if k is one of the n strings of list. */
int cmp_in_list(const char *k, const char *const *list, size_t n);

/* The machine's cache-line round trip between CPUs, in ns, from r's
 * meta.json cpu_round_trip (harness/c2c.c): the start's median when it
 * was measured, else the end's; *which (may be NULL) "start", "end", or
 * "" with NAN when neither was, *why (may be NULL) then the reason
 * meta.json gives (the start's, else the end's), else why there is none;
 * with the end's figure, why the start's is missing; NULL with the
 * start's. */
double cmp_round_trip(const struct cmp_run *r, const char **which, const char **why);

/* What names a timed experiment: params of kernel (a row's params cell,
 * config.params) less the entries its table marks PB_PF_NOIDENT (where
 * output goes, pagebench/param.h: uffd-pager's latency_csv), as runs made
 * since write them; a run made before has them in its rows and config.
 * params as it is for a kernel this build lacks.  New string. */
char *cmp_ident_params(const char *kernel, const char *params);
/* experiment e of a row of kernel with params p, named likewise: e
 * itself unless it is "KERNEL[:p]" (a suite's or an old run's name).  New
 * string. */
char *cmp_ident_experiment(const char *e, const char *kernel, const char *p);
/* What matches a timed configuration across runs (compare's rows, perf.c;
 * --machines' table, machines.c): a total row's experiment e, kernel k,
 * params p and threads t, and pin where pin is not NULL (--match-pin),
 * e and p as they name it (cmp_ident_experiment, cmp_ident_params), so a
 * run made before PB_PF_NOIDENT matches one made since.  New string. */
char *cmp_row_key(const char *e, const char *k, const char *p, const char *t, const char *pin);

/* A difference between two runs' configurations. */
struct cmp_mismatch {
	char *what;	 /* "config.size_override_bytes", "build.build_type" */
	char *a, *b;	 /* the values as text ("(absent)": not in that meta.json) */
	json_t *ja, *jb; /* the values as meta.json has them (copies); NULL: absent */
	const char *a_dir, *b_dir;
	int fatal; /* refused unless --allow-config-mismatch */
};
struct cmp_mismatches {
	struct cmp_mismatch *v;
	size_t n;
};
/* Compare a's and b's configuration (meta.json "config" and "build"):
 * appends one entry per differing key.  Keys that only change which rows
 * exist (threads, pin, the kernel and, between runs of different kernels,
 * its params and its entries in kernel_resolved and baseline_params;
 * between a run with --no-baseline and one without, the baseline's entries
 * there, ...) are notes: with --match-pin, pin is part of
 * each row's configuration (perf.c), and rows pinned differently are
 * MISSING on either side. */
void cmp_config_diff(const struct cmp_run *a, const struct cmp_run *b, struct cmp_mismatches *out);
void cmp_mismatches_free(struct cmp_mismatches *m);

/* ---- the rows of a comparison ---- */
enum cmp_verdict {
	CMP_SAME,
	CMP_IMPROVEMENT,
	CMP_REGRESSION,
	CMP_CHANGED,	  /* an exact count differs */
	CMP_MISSING_BASE, /* only in NEW */
	CMP_MISSING_NEW,  /* only in BASE */
	CMP_INVALID,	  /* valid=0 on either side */
	CMP_MACHINE,	  /* a baseline kernel in normalised mode: measures the machine */
	CMP_NA,		  /* no number to judge (NA medians) */
	CMP_UNDECIDED,	  /* too few repetitions for the test to call anything */
};
const char *cmp_verdict_name(enum cmp_verdict v);
int cmp_verdict_fails(enum cmp_verdict v);

enum cmp_mode { CMP_MODE_AUTO, CMP_MODE_RAW, CMP_MODE_NORM };

struct cmp_row {
	const char *kind; /* "perf", "sim", "mrc" */
	char *experiment, *kernel, *params, *threads, *pin;
	char *metric;	  /* "ns_per_op" or the count(s) compared */
	const char *mode; /* "normalised", "raw", "exact" */
	size_t n_base, n_new;
	double base, new_, ratio, lo, hi, p;
	double raw_ratio, raw_lo, raw_hi, raw_p; /* the raw comparison (also in normalised mode) */
	const char *mwu;			 /* "exact", "normal", "" */
	char *baseline;
	enum cmp_verdict verdict;
	char *detail;
};

struct cmp_opts {
	double threshold; /* fraction, 0.05 */
	double alpha;	  /* 0.05 */
	unsigned resamples;
	uint64_t seed;
	enum cmp_mode mode;
	int match_pin;
};

struct cmp_rows {
	struct cmp_row *v;
	size_t n, cap;
	int normalised_used; /* some row was judged baseline-normalised */
	/* some configuration of BASE, of NEW, ran its baseline (perf.c) */
	int baselines_base, baselines_new;
};
struct cmp_row *cmp_rows_add(struct cmp_rows *rows);
void cmp_rows_free(struct cmp_rows *rows);

/* Match and judge the timed experiments of both sides (perf.c).  -errno
 * with one line in err (a bad cell). */
int cmp_perf(struct cmp_run *base, size_t nbase, struct cmp_run *new_, size_t nnew,
	     const struct cmp_opts *o, struct cmp_rows *rows, char *err, size_t errlen);
/* The exact counts of sim.csv and mrc.csv (exact.c). */
int cmp_exact(struct cmp_run *base, size_t nbase, struct cmp_run *new_, size_t nnew,
	      struct cmp_rows *rows, char *err, size_t errlen);

/* ---- output (report.c) ---- */
enum cmp_format { CMP_FMT_TEXT, CMP_FMT_CSV, CMP_FMT_JSON };
struct cmp_report {
	struct cmp_run *base, *new_;
	size_t nbase, nnew;
	const struct cmp_opts *o;
	const struct cmp_mismatches *mm;
	const struct cmp_rows *rows;
	int exit_code;
};
/* The type of compare.csv column name (the JSON rows' values take it):
 * threads a count, the statistics numbers, the rest strings. */
enum pb_col_kind cmp_csv_kind(const char *name);
/* compare.csv's contents (header and rows), into f. */
void cmp_write_csv(FILE *f, const struct cmp_report *r);
void cmp_write_text(FILE *f, const struct cmp_report *r);
/* The JSON document (jansson), or NULL on allocation failure. */
json_t *cmp_json(const struct cmp_report *r);

/* `compare --machines` (machines.c): returns the exit code. */
int cmp_machines(const char *cmd, struct cmp_run *runs, size_t n, enum cmp_format fmt,
		 const char *out_dir, int force);

/* Write text through pagebench/outfile.h (temp file, rename, no clobber
 * unless force).  0 or -errno with one line in err. */
int cmp_write_file(const char *path, int force, const char *text, size_t len, char *err,
		   size_t errlen);
/* The --out folder dir.  make 0: checked, nothing made (one that is not
 * there yet is fine where it can be made: pb_dir_creatable); make 1,
 * after every refusal that can come before writing: made with its
 * parents, so a refused command leaves no empty folder behind.  0, or
 * -errno with one line naming dir on stderr (as cmd). */
int cmp_out_dir(const char *cmd, const char *dir, int make);

/* A JSON string of s; bytes that are not UTF-8 become '?' (CSV cells are
 * not trusted to be UTF-8). */
json_t *cmp_json_str(const char *s);
/* Why a run's label is null in JSON (meta.json has none, or ""). */
#define CMP_LABEL_NA "not set (the run had no --label)"
/* r's label as JSON: its string, or null with CMP_LABEL_NA as na's
 * "label" (the not_available object of the run's entry).  The one place
 * that decides a run has no label: base[] and new[], --machines'
 * machines[], and its rows where summary.csv has no label column (a
 * label cell of NA is null already; machines.c says why). */
json_t *cmp_json_label(const struct cmp_run *r, json_t *na);
/* A JSON number; null for NaN or an infinity (what the CSV calls NA). */
json_t *cmp_json_num(double v);

/* Helpers */
char *cmp_strdup(const char *s); /* aborts on out of memory */
/* name in folder dir, joined with one '/' (pb_path_sep: a run folder
 * given as "out/run/" has "out/run/meta.json"). */
char *cmp_path(const char *dir, const char *name);
char *cmp_asprintf(const char *fmt, ...) PB_PRINTF(1, 2);

#endif /* PAGEBENCH_HARNESS_COMPARE_H */
