/* SPDX-License-Identifier: MIT */
/*
 * pagebench/measure.h - the one measurement skeleton: how every number
 * pagebench prints is taken, summarised and written.
 *
 * Four pieces, usable apart:
 *
 *  1. Statistics of repetitions.  A configuration is measured 1 warm-up +
 *     R times; pb_stat_of() takes the per-repetition samples (seconds, ns
 *     per op, faults ...), drops the warm-up, and returns the median with
 *     a distribution-free 95% confidence interval of the median
 *     (ci95_valid = 0 below 6 measured samples).  `run`, `suite`, `sim`
 *     and `mrc` all summarise through it, so every median gets the same
 *     treatment.
 *
 *  2. Column descriptors.  A CSV is a const table of struct pb_col (name
 *     with its unit, kind, where the value lives in a row struct); the
 *     header and every row come from the table, so a column is added in
 *     one place.  pb_csv_open_cols() / pb_row_emit() on top of results.h.
 *
 *  3. The start gate (struct pb_gate in team.h, implemented in
 *     harness/measure_gate.c): per-repetition release timestamps sized by
 *     the repetition count; waiters spin a bounded number of times, then
 *     yield, then sleep on a futex, so 128 threads on 2 cores finish.
 *
 *  4. The kernel skeleton (pb_measure_*): plans placement, sets a kernel
 *     up, runs the pinned team through the gate, reads the counter ladder
 *     around each run(), marks repetition 0 as warm-up, writes runs.csv,
 *     summary.csv and events.csv, and stops between repetitions when a
 *     fatal signal is pending (results.h's deferred mode).
 *
 * Caller: one thread (the command's main thread) for everything here except
 * the gate, whose functions are called by the team threads as documented.
 */
#ifndef PAGEBENCH_MEASURE_H
#define PAGEBENCH_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/kernel.h"
#include "pagebench/results.h"
#include "pagebench/team.h"

/* ---- 1. statistics of repetitions ---- */

struct pb_stat {
	double median;
	double lo, hi;	/* 95% CI of the median if ci95_valid, else min and max */
	int ci95_valid; /* 1 with >= 6 measured samples */
	unsigned n;	/* measured samples used (warm-up and NaN excluded) */
};

/* Measured repetitions needed for a 95% CI of the median. */
#define PB_STAT_MIN_CI_REPS 6

/*
 * Summarise samples[0..nreps): the first `warmup` entries are warm-up and
 * excluded, NaN entries (not measured) are skipped.  No samples left: all
 * fields NaN, n = 0.  Pure function, any thread.
 */
struct pb_stat pb_stat_of(const double *samples, size_t nreps, size_t warmup);

/*
 * Write a stat as four cells: median, ci95_lo, ci95_hi, ci95_valid (lo/hi
 * NA when the CI is not valid).  Name the columns e.g. "median_seconds",
 * "ci95_lo_seconds", "ci95_hi_seconds", "ci95_valid".
 */
void pb_csv_stat(struct pb_csv *c, const struct pb_stat *s);

/* ---- 2. column descriptors ---- */

/* A column's type: what its cells hold (NA aside), so a reader can give
 * each cell its type from the column, never from how the text looks (a
 * run id "434e17" is a string, not 4.34e19). */
enum pb_col_kind {
	PB_COL_STR, /* const char * at off; NULL -> NA */
	PB_COL_U64, /* uint64_t at off */
	PB_COL_I64, /* int64_t at off; PB_NA_I64 -> NA */
	PB_COL_DBL, /* double at off; NaN/inf -> NA */
};
#define PB_NA_I64 INT64_MIN

struct pb_col {
	const char *name; /* CSV header; the unit is part of the name */
	const char *unit; /* for results/README.md and meta.json: "ns", "count", "" */
	enum pb_col_kind kind;
	size_t off;
	/* if set, writes the cell (exactly one, of kind) instead of off */
	void (*fn)(struct pb_csv *c, const void *row, size_t arg);
	size_t arg;
};
#define PB_COL_FIELD(name, unit, kind, type, field)                                                \
	{                                                                                          \
		name, unit, kind, offsetof(type, field), NULL, 0                                   \
	}
#define PB_COL_CALL(name, unit, kind, fn, arg)                                                     \
	{                                                                                          \
		name, unit, kind, 0, fn, arg                                                       \
	}

/* Concatenate NULL-name-terminated tables a and b (b may be NULL) into a
 * malloc'ed NULL-name-terminated table.  NULL on out of memory. */
struct pb_col *pb_cols_concat(const struct pb_col *a, const struct pb_col *b);
/* Open CSV `name` in run with the header from cols (NULL-name terminated). */
struct pb_csv *pb_csv_open_cols(struct pb_run *run, const char *name, const struct pb_col *cols,
				FILE *echo);
/* One row: one cell per column of cols, from `row`. */
void pb_row_emit(struct pb_csv *c, const struct pb_col *cols, const void *row);
/* The type of summary.csv's column `name` (results.h's lead columns
 * included) into *kind: 0, or -ENOENT for a column summary.csv does not
 * have (another version's).  For readers that type cells by column. */
int pb_measure_summary_kind(const char *name, enum pb_col_kind *kind);
/* The counters summary.csv's rate column `name` (l1_dcm_per_kop, ipc,
 * ...) is computed from: runs.csv's column of its numerator into *num,
 * of its denominator into *den (NULL: per 1000 operations).  0, or
 * -ENOENT for a column that is not a rate.  For readers that say why a
 * rate is NA. */
int pb_measure_rate_inputs(const char *name, const char **num, const char **den);

/* ---- 4. the kernel skeleton ---- */

struct pb_measure_opts {
	unsigned reps;		  /* measured repetitions (>= 1); one warm-up is added */
	enum pb_pin pin;	  /* placement policy */
	uint64_t ops, size, seed; /* handed to the kernel's setup (0: kernel default) */
	int baseline;		  /* run each kernel's baseline in the same process */
	int csv_echo;		  /* also print runs.csv on stdout */
};

struct pb_measure;

/*
 * Start a measurement session writing into `run` (runs.csv, summary.csv,
 * events.csv).  0 or -errno (message in err).
 */
int pb_measure_open(struct pb_measure **out, struct pb_run *run, const struct pb_measure_opts *o,
		    char *err, size_t errlen) PB_MUST_CHECK;
/*
 * Run kernel d at every thread count in threads[0..nthreads) (after its
 * baseline unless disabled), with kernel parameters params ("" = none).
 * Returns 0; -EINVAL (bad parameters: nothing more to try); -ENOTSUP
 * (the machine lacks what the kernel needs, its setup said: the reason
 * printed once, nothing more tried; a baseline's own -ENOTSUP is printed
 * once and the kernel runs without it); -EINTR (a
 * fatal signal is pending: the configuration in progress was discarded);
 * -EIO (the run folder cannot be written); another -errno if a
 * configuration failed (counted in *failures, message printed, the others
 * still ran).
 */
int pb_measure_kernel(struct pb_measure *m, const struct pb_kernel_desc *d, const uint64_t *threads,
		      size_t nthreads, const char *params, unsigned *failures);
/* Configurations measured and written so far. */
unsigned pb_measure_done(const struct pb_measure *m);
void pb_measure_close(struct pb_measure *m);

#endif /* PAGEBENCH_MEASURE_H */
