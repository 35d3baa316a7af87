/* SPDX-License-Identifier: MIT */
/*
 * harness/measure.c - the kernel skeleton (see pagebench/measure.h).
 *
 * For each thread count: plan placement, set the kernel up, start a pinned
 * team; every thread runs thread_init, then 1 + reps repetitions.  Each
 * repetition starts at the gate (measure_gate.c): the last thread to
 * arrive stamps the release time and releases the rest; each thread times
 * its own run() and reads its own counters.  Repetition 0 is warm-up
 * (written with warmup=1 and left out of medians).  A fatal signal pending
 * at a gate stops the team there; the configuration is discarded (no row
 * written) and -EINTR returned, so only whole experiments reach the files.
 *
 * Per configuration the rows of runs.csv carry the median and a 95%
 * confidence interval of the median over the measured repetitions;
 * summary.csv has one row per (kernel, threads, thread|total) with the
 * median, CI, scaling against 1 thread, the ratio against the kernel's
 * baseline run in the same process, and counter medians and per-op rates.
 *
 * Totals: ops summed over threads; seconds = wall time from the release to
 * the last thread's finish; ops_per_s = summed ops / wall seconds;
 * ns_per_op = summed thread-seconds / summed ops (the per-thread cost of
 * one op).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/counters.h"
#include "pagebench/measure.h"
#include "pagebench/outfile.h"

#define WARMUP 1

/* Per thread, per repetition. */
struct thr_rec {
	uint64_t ops, t0, t1;
	uint64_t ctr[PB_CTR__COUNT];
	int ctr_ok[PB_CTR__COUNT];
	uint64_t extra[PB_KERNEL_MAX_EXTRA];
};

struct team_ctx {
	const struct pb_kernel_desc *d;
	void *state;
	unsigned n, reps;    /* reps includes the warm-up */
	struct thr_rec *rec; /* [rep * n + tid] */
	struct pb_kthread *kt;
	char (*kerr)[PB_KERNEL_ERRLEN]; /* thread_init messages, [n] */
	int *init_rc;			/* [n], written by each thread, read after the join */
	const struct pb_plan *plan;
	struct pb_gate gate;
	int children; /* the work runs in child processes: runs_in_children() */
};

/*
 * A kernel given procs=1 (a `procs` entry in its parameter table, set:
 * kernels/real/faults.c) runs each team member's work in a process it
 * forks and reaps inside run().  The perf rung counts that process with
 * the thread (its events are inherited: counters_perf.c).  PAPI's event
 * sets and getrusage(RUSAGE_THREAD) count the thread alone, which only
 * waits: those columns are NA, never the waiting thread's numbers.
 * Returns the reason for column k, or NULL where k counts the children.
 */
static const char *children_na(enum pb_ctr k)
{
	const char *src = pb_ctr_source(k);
	if (!strcmp(src, "perf"))
		return NULL;
	if (!strcmp(src, "rusage"))
		return "procs=1: the work runs in child processes, which "
		       "getrusage(RUSAGE_THREAD) and the thread's CPU clock do not count";
	return "procs=1: the work runs in child processes, which PAPI's per-thread event sets "
	       "do not count";
}

/* 1 when d, given params, runs its work in child processes (procs=1). */
static int runs_in_children(const struct pb_kernel_desc *d, const char *params)
{
	char err[PB_KERNEL_ERRLEN];
	json_t *j = NULL;
	if (!d->params || !pb_param_find(d->params, "procs") ||
	    pb_kernel_params_check(d, params, &j, err, sizeof(err)))
		return 0;
	json_t *v = json_object_get(j, "procs");
	int on = json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0);
	json_decref(j);
	return on;
}

static void team_body(void *arg, unsigned tid)
{
	struct team_ctx *c = arg;
	struct pb_kthread *kt = &c->kt[tid];
	kt->tid = tid;
	kt->nthreads = c->n;
	kt->node = c->plan->place[tid].node;
	kt->cpu = c->plan->place[tid].pu;
	kt->err = c->kerr[tid];
	kt->errlen = sizeof(c->kerr[tid]);
	int rc = c->d->thread_init ? c->d->thread_init(c->state, kt) : 0;
	c->init_rc[tid] = rc;
	struct pb_ctrset *cs = rc ? NULL : pb_ctrset_open();
	for (unsigned rep = 0; rep < c->reps; rep++) {
		if (rc || pb_signal_pending())
			pb_gate_abort(&c->gate, rep);
		if (pb_gate_arrive(&c->gate, rep))
			break;
		struct thr_rec *r = &c->rec[rep * c->n + tid];
		memset(kt->extra, 0, sizeof(kt->extra));
		pb_ctrset_start_rep(cs, rep);
		r->t0 = pb_now_ns();
		r->ops = c->d->run(c->state, kt);
		r->t1 = pb_now_ns();
		pb_ctrset_stop(cs, r->ctr, r->ctr_ok);
		for (int k = 0; c->children && k < PB_CTR__COUNT; k++)
			if (children_na((enum pb_ctr)k))
				r->ctr_ok[k] = 0;
		memcpy(r->extra, kt->extra, sizeof(r->extra));
		pb_progress_add(1);
	}
	pb_ctrset_close(cs);
	if (!rc && c->d->thread_fini)
		c->d->thread_fini(c->state, kt);
}

/* ---- runs.csv ---- */
struct run_row {
	const char *experiment, *kernel, *module, *params, *op_unit;
	uint64_t threads;
	const char *pin;
	uint64_t seed, rep, warmup;
	const char *thread;
	int64_t pu_planned, pu, node_planned, node;
	uint64_t ops;
	double seconds, ns_per_op, ops_per_s;
	double median_ns_per_op, ci_lo_ns, ci_hi_ns, median_ops_per_s;
	uint64_t valid;
	int64_t heap;
	const uint64_t *ctr;
	const int *ctr_ok;
};

#define RUN(name, unit, kind, field) PB_COL_FIELD(name, unit, kind, struct run_row, field)
static const struct pb_col run_cols[] = {
    RUN("experiment", "", PB_COL_STR, experiment),
    RUN("kernel", "", PB_COL_STR, kernel),
    RUN("module", "", PB_COL_STR, module),
    RUN("params", "", PB_COL_STR, params),
    RUN("op_unit", "", PB_COL_STR, op_unit),
    RUN("threads", "count", PB_COL_U64, threads),
    RUN("pin", "", PB_COL_STR, pin),
    RUN("seed", "", PB_COL_U64, seed),
    RUN("rep", "index", PB_COL_U64, rep),
    RUN("warmup", "0/1", PB_COL_U64, warmup),
    RUN("thread", "index|total", PB_COL_STR, thread),
    RUN("pu_planned", "OS index", PB_COL_I64, pu_planned),
    RUN("pu", "OS index", PB_COL_I64, pu),
    RUN("node_planned", "OS index", PB_COL_I64, node_planned),
    RUN("node", "OS index", PB_COL_I64, node),
    RUN("ops", "count", PB_COL_U64, ops),
    RUN("seconds", "s", PB_COL_DBL, seconds),
    RUN("ns_per_op", "ns", PB_COL_DBL, ns_per_op),
    RUN("ops_per_s", "1/s", PB_COL_DBL, ops_per_s),
    RUN("median_ns_per_op", "ns", PB_COL_DBL, median_ns_per_op),
    RUN("ci95_lo_ns_per_op", "ns", PB_COL_DBL, ci_lo_ns),
    RUN("ci95_hi_ns_per_op", "ns", PB_COL_DBL, ci_hi_ns),
    RUN("median_ops_per_s", "1/s", PB_COL_DBL, median_ops_per_s),
    RUN("valid", "0/1", PB_COL_U64, valid),
    RUN("heap_metadata_bytes", "B", PB_COL_I64, heap),
    {0},
};

static void ctr_cell(struct pb_csv *c, const void *row, size_t k)
{
	const struct run_row *r = row;
	if (r->ctr_ok[k])
		pb_csv_u64(c, r->ctr[k]);
	else
		pb_csv_na(c);
}

/* ---- summary.csv ---- */
enum rate { RATE_L1, RATE_L2, RATE_L3, RATE_TLB_D, RATE_TLB_I, RATE_MINFLT, RATE_IPC, RATE__N };
static const struct {
	const char *name;
	enum pb_ctr num, den; /* den = PB_CTR__COUNT: per 1000 ops */
} rates[RATE__N] = {
    [RATE_L1] = {"l1_dcm_per_kop", PB_CTR_L1_DCM, PB_CTR__COUNT},
    [RATE_L2] = {"l2_dcm_per_kop", PB_CTR_L2_DCM, PB_CTR__COUNT},
    [RATE_L3] = {"l3_tcm_per_kop", PB_CTR_L3_TCM, PB_CTR__COUNT},
    [RATE_TLB_D] = {"tlb_dm_per_kop", PB_CTR_TLB_DM, PB_CTR__COUNT},
    [RATE_TLB_I] = {"tlb_im_per_kop", PB_CTR_TLB_IM, PB_CTR__COUNT},
    [RATE_MINFLT] = {"minor_faults_per_kop", PB_CTR_PF_MINOR, PB_CTR__COUNT},
    [RATE_IPC] = {"ipc", PB_CTR_INSTRUCTIONS, PB_CTR_CYCLES},
};

struct sum_row {
	const char *experiment, *kernel, *params;
	uint64_t threads;
	const char *pin, *thread;
	uint64_t reps;
	struct pb_stat ns, ops;
	double speedup;
	const char *baseline;
	double base_ns, ratio;
	uint64_t valid;
	struct pb_stat ctr[PB_CTR__COUNT];
	struct pb_stat rate[RATE__N];
};

static void sum_stat_cell(struct pb_csv *c, const void *row, size_t arg)
{
	const struct sum_row *r = row;
	const struct pb_stat *s = arg & 1 ? &r->ops : &r->ns;
	switch (arg >> 1) {
	case 0:
		pb_csv_dbl(c, s->median);
		break;
	case 1:
		pb_csv_dbl(c, s->lo);
		break;
	case 2:
		pb_csv_dbl(c, s->hi);
		break;
	default:
		pb_csv_u64(c, (uint64_t)s->ci95_valid);
		break;
	}
}

static void sum_ctr_cell(struct pb_csv *c, const void *row, size_t k)
{
	pb_csv_dbl(c, ((const struct sum_row *)row)->ctr[k].median);
}

static void sum_rate_cell(struct pb_csv *c, const void *row, size_t k)
{
	pb_csv_dbl(c, ((const struct sum_row *)row)->rate[k].median);
}

#define SUM(name, unit, kind, field) PB_COL_FIELD(name, unit, kind, struct sum_row, field)
static const struct pb_col sum_cols[] = {
    SUM("experiment", "", PB_COL_STR, experiment),
    SUM("kernel", "", PB_COL_STR, kernel),
    SUM("params", "", PB_COL_STR, params),
    SUM("threads", "count", PB_COL_U64, threads),
    SUM("pin", "", PB_COL_STR, pin),
    SUM("thread", "index|total", PB_COL_STR, thread),
    SUM("reps", "count", PB_COL_U64, reps),
    PB_COL_CALL("median_ns_per_op", "ns", PB_COL_DBL, sum_stat_cell, 0 << 1),
    PB_COL_CALL("ci95_lo_ns_per_op", "ns", PB_COL_DBL, sum_stat_cell, 1 << 1),
    PB_COL_CALL("ci95_hi_ns_per_op", "ns", PB_COL_DBL, sum_stat_cell, 2 << 1),
    PB_COL_CALL("ci95_valid", "0/1", PB_COL_U64, sum_stat_cell, 3 << 1),
    PB_COL_CALL("median_ops_per_s", "1/s", PB_COL_DBL, sum_stat_cell, (0 << 1) | 1),
    PB_COL_CALL("ci95_lo_ops_per_s", "1/s", PB_COL_DBL, sum_stat_cell, (1 << 1) | 1),
    PB_COL_CALL("ci95_hi_ops_per_s", "1/s", PB_COL_DBL, sum_stat_cell, (2 << 1) | 1),
    SUM("speedup_vs_1_thread", "x", PB_COL_DBL, speedup),
    SUM("baseline", "", PB_COL_STR, baseline),
    SUM("baseline_median_ns_per_op", "ns", PB_COL_DBL, base_ns),
    SUM("ratio_vs_baseline", "x", PB_COL_DBL, ratio),
    SUM("valid", "0/1", PB_COL_U64, valid),
    {0},
};

/* summary.csv's columns after sum_cols, into extra[PB_CTR__COUNT +
 * RATE__N]: each counter's median (a median of counts can be a half: a
 * double), then the rates; the medians' names go into names. */
static void sum_extra_cols(struct pb_col *extra, char (*names)[64])
{
	for (int k = 0; k < PB_CTR__COUNT; k++) {
		snprintf(names[k], sizeof(names[k]), "median_%s", pb_ctr_column((enum pb_ctr)k));
		extra[k] = (struct pb_col)PB_COL_CALL(names[k], "count", PB_COL_DBL, sum_ctr_cell,
						      (size_t)k);
	}
	for (int k = 0; k < RATE__N; k++)
		extra[PB_CTR__COUNT + k] = (struct pb_col)PB_COL_CALL(
		    rates[k].name, "ratio", PB_COL_DBL, sum_rate_cell, (size_t)k);
}

int pb_measure_summary_kind(const char *name, enum pb_col_kind *kind)
{
	int lead = pb_run_lead_numeric(name);
	if (lead >= 0) {
		*kind = lead ? PB_COL_U64 : PB_COL_STR;
		return 0;
	}
	for (const struct pb_col *c = sum_cols; c->name; c++)
		if (!strcmp(c->name, name)) {
			*kind = c->kind;
			return 0;
		}
	struct pb_col extra[PB_CTR__COUNT + RATE__N];
	char names[PB_CTR__COUNT][64];
	sum_extra_cols(extra, names);
	for (size_t i = 0; i < PB_ARRAY_SIZE(extra); i++)
		if (!strcmp(extra[i].name, name)) {
			*kind = extra[i].kind;
			return 0;
		}
	return -ENOENT;
}

int pb_measure_rate_inputs(const char *name, const char **num, const char **den)
{
	for (int k = 0; k < RATE__N; k++)
		if (!strcmp(rates[k].name, name)) {
			*num = pb_ctr_column(rates[k].num);
			*den = rates[k].den == PB_CTR__COUNT ? NULL : pb_ctr_column(rates[k].den);
			return 0;
		}
	return -ENOENT;
}

struct event_row {
	const char *experiment, *kernel;
	uint64_t threads, rep;
	const char *thread, *event;
	uint64_t value;
};
#define EVT(name, unit, kind, field) PB_COL_FIELD(name, unit, kind, struct event_row, field)
/* Why d's extra column k is NA where it is: a statistic of one thread
 * (extra_na), a rate whose denominator was 0 (extra_rate), or neither. */
static const char *extra_na_why(const struct pb_kernel_desc *d, int k)
{
	if (d->extra_na && d->extra_na[k])
		return d->extra_na[k];
	if (d->extra_rate && d->extra_rate[k])
		return d->extra_rate[k];
	return "not measured by the kernel";
}

/* value: NA for PB_EXTRA_NA (not measured, a statistic's total row, a rate
 * of nothing) */
static void event_value(struct pb_csv *c, const void *row, size_t arg)
{
	(void)arg;
	uint64_t v = ((const struct event_row *)row)->value;
	if (v == PB_EXTRA_NA)
		pb_csv_na(c);
	else
		pb_csv_u64(c, v);
}
static const struct pb_col event_cols[] = {
    EVT("experiment", "", PB_COL_STR, experiment),
    EVT("kernel", "", PB_COL_STR, kernel),
    EVT("threads", "count", PB_COL_U64, threads),
    EVT("rep", "index", PB_COL_U64, rep),
    EVT("thread", "index|total", PB_COL_STR, thread),
    EVT("event", "", PB_COL_STR, event),
    PB_COL_CALL("value", "count", PB_COL_U64, event_value, 0),
    {0},
};

/* ---- the session ---- */
struct memo {
	char *kernel, *params;
	unsigned threads;
	double median_ns_per_op, median_ops_per_s;
};

struct pb_measure {
	struct pb_run *run;
	struct pb_measure_opts o;
	struct pb_csv *runs, *summary, *events;
	struct pb_col *run_table, *sum_table, *ctr_cols, *sum_extra;
	char (*ctr_names)[64];
	struct memo *memo;
	size_t nmemo, capmemo;
	unsigned done;
	int banner;
	/* a baseline's -ENOTSUP / -EINVAL reason, "KERNEL: why" (run_config's HOLD_*) */
	char held[PB_KERNEL_ERRLEN + 64];
	json_t *resolved;    /* config.kernel_resolved: kernel -> its setup's cfg.resolved */
	json_t *base_params; /* config.baseline_params: experiment -> its baseline's params */
};

static const struct memo *memo_find(const struct pb_measure *m, const char *kernel,
				    const char *params, unsigned threads)
{
	for (size_t i = 0; i < m->nmemo; i++)
		if (!strcmp(m->memo[i].kernel, kernel) && !strcmp(m->memo[i].params, params) &&
		    m->memo[i].threads == threads)
			return &m->memo[i];
	return NULL;
}

static void memo_put(struct pb_measure *m, const char *kernel, const char *params, unsigned threads,
		     double ns, double ops)
{
	if (m->nmemo == m->capmemo) {
		size_t cap = m->capmemo ? 2 * m->capmemo : 32;
		struct memo *n = realloc(m->memo, cap * sizeof(*n));
		if (!n)
			return;
		m->memo = n;
		m->capmemo = cap;
	}
	m->memo[m->nmemo++] = (struct memo){strdup(kernel), strdup(params), threads, ns, ops};
}

int pb_measure_open(struct pb_measure **out, struct pb_run *run, const struct pb_measure_opts *o,
		    char *err, size_t errlen)
{
	struct pb_measure *m = calloc(1, sizeof(*m));
	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->run = run;
	m->o = *o;
	/* meta.json's counters.columns: what this run counts (available), not
	 * only what the machine can (machine_available) */
	pb_counters_run_begin();
	m->ctr_cols = calloc(PB_CTR__COUNT + 1, sizeof(*m->ctr_cols));
	m->sum_extra = calloc(PB_CTR__COUNT + RATE__N + 1, sizeof(*m->sum_extra));
	m->ctr_names = calloc(PB_CTR__COUNT, sizeof(*m->ctr_names));
	if (!m->ctr_cols || !m->sum_extra || !m->ctr_names) {
		pb_measure_close(m);
		return -ENOMEM;
	}
	for (int k = 0; k < PB_CTR__COUNT; k++)
		m->ctr_cols[k] = (struct pb_col)PB_COL_CALL(pb_ctr_column((enum pb_ctr)k), "count",
							    PB_COL_U64, ctr_cell, (size_t)k);
	sum_extra_cols(m->sum_extra, m->ctr_names);
	m->run_table = pb_cols_concat(run_cols, m->ctr_cols);
	m->sum_table = pb_cols_concat(sum_cols, m->sum_extra);
	if (!m->run_table || !m->sum_table) {
		pb_measure_close(m);
		return -ENOMEM;
	}
	m->runs = pb_csv_open_cols(run, "runs.csv", m->run_table, o->csv_echo ? stdout : NULL);
	m->summary = pb_csv_open_cols(run, "summary.csv", m->sum_table, NULL);
	m->events = pb_csv_open_cols(run, "events.csv", event_cols, NULL);
	if (!m->runs || !m->summary || !m->events) {
		snprintf(err, errlen, "cannot create CSV files in %s", pb_run_dir(run));
		pb_measure_close(m);
		return -EIO;
	}
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		const char *why;
		if (!pb_ctr_available((enum pb_ctr)c, &why))
			pb_run_note_na(m->run, pb_ctr_column((enum pb_ctr)c), why);
	}
	const char *h = pb_heap_na_reason();
	if (h)
		pb_run_note_na(m->run, "heap_metadata_bytes", h);
	*out = m;
	return 0;
}

unsigned pb_measure_done(const struct pb_measure *m)
{
	return m->done;
}

void pb_measure_close(struct pb_measure *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nmemo; i++) {
		free(m->memo[i].kernel);
		free(m->memo[i].params);
	}
	free(m->memo);
	free(m->run_table);
	free(m->sum_table);
	free(m->ctr_cols);
	free(m->sum_extra);
	free(m->ctr_names);
	json_decref(m->resolved);
	json_decref(m->base_params);
	free(m);
}

static double per_rep(const struct thr_rec *r, double ops, enum pb_ctr num, enum pb_ctr den)
{
	if (!r->ctr_ok[num])
		return NAN;
	if (den == PB_CTR__COUNT)
		return ops > 0 ? (double)r->ctr[num] * 1000.0 / ops : NAN;
	if (!r->ctr_ok[den] || !r->ctr[den])
		return NAN;
	return (double)r->ctr[num] / (double)r->ctr[den];
}

/* Everything measured for one configuration, ready to be written. */
struct measured {
	unsigned n, reps;
	struct thr_rec *rec;  /* [rep * (n + 1) + t]; t == n: the total */
	uint64_t *wall;	      /* [rep] */
	uint64_t *sum_t;      /* [rep] summed thread-ns */
	const uint64_t **thr; /* [n]: one repetition's threads' extra[] (extra_total) */
};

/* Sums over the team; NA (PB_EXTRA_NA) for an extra column that does not
 * add up (d->extra_na) or that a thread did not measure; a rate column
 * (d->extra_rate) is d->extra_total's. */
static void totals(struct measured *x, const struct thr_rec *rec, const struct pb_gate *g,
		   const struct pb_kernel_desc *d)
{
	const char *const *extra = d->extra_cols;
	unsigned n = x->n;
	const uint64_t **thr = d->extra_total ? x->thr : NULL;
	for (unsigned rep = 0; rep < x->reps; rep++) {
		struct thr_rec *tot = &x->rec[rep * (n + 1) + n];
		uint64_t end = 0, sum_t = 0;
		memset(tot, 0, sizeof(*tot));
		for (int k = 0; k < PB_CTR__COUNT; k++)
			tot->ctr_ok[k] = 1;
		for (unsigned t = 0; t < n; t++) {
			const struct thr_rec *r = &rec[rep * n + t];
			x->rec[rep * (n + 1) + t] = *r;
			tot->ops += r->ops;
			sum_t += r->t1 - r->t0;
			if (r->t1 > end)
				end = r->t1;
			for (int k = 0; k < PB_CTR__COUNT; k++) {
				tot->ctr[k] += r->ctr[k];
				tot->ctr_ok[k] &= r->ctr_ok[k];
			}
			for (int k = 0; extra && k < PB_KERNEL_MAX_EXTRA && extra[k]; k++)
				if (d->extra_rate && d->extra_rate[k])
					continue; /* extra_total's, below */
				else if ((d->extra_na && d->extra_na[k]) ||
					 r->extra[k] == PB_EXTRA_NA)
					tot->extra[k] = PB_EXTRA_NA;
				else if (tot->extra[k] != PB_EXTRA_NA)
					tot->extra[k] += r->extra[k];
			if (thr)
				thr[t] = x->rec[rep * (n + 1) + t].extra;
		}
		if (thr)
			d->extra_total(thr, n, tot->extra);
		uint64_t go = pb_gate_go_ns(g, rep);
		x->wall[rep] = end > go ? end - go : 0;
		x->sum_t[rep] = sum_t;
	}
}

static double rec_secs(const struct measured *x, unsigned rep, unsigned t)
{
	const struct thr_rec *r = &x->rec[rep * (x->n + 1) + t];
	return t == x->n ? (double)x->wall[rep] / 1e9 : (double)(r->t1 - r->t0) / 1e9;
}

static double rec_ns_per_op(const struct measured *x, unsigned rep, unsigned t)
{
	const struct thr_rec *r = &x->rec[rep * (x->n + 1) + t];
	uint64_t dt = t == x->n ? x->sum_t[rep] : r->t1 - r->t0;
	return r->ops ? (double)dt / (double)r->ops : NAN;
}

static double rec_ops_per_s(const struct measured *x, unsigned rep, unsigned t)
{
	double s = rec_secs(x, rep, t);
	const struct thr_rec *r = &x->rec[rep * (x->n + 1) + t];
	return s > 0 ? (double)r->ops / s : NAN;
}

/* What d's setup chose itself (cfg.resolved, a non-empty object) into
 * meta.json config.kernel_resolved.KERNEL, shared with the run's config. */
static void record_resolved(struct pb_measure *m, const struct pb_kernel_desc *d, json_t *r)
{
	if (!m->resolved) {
		m->resolved = json_object();
		pb_run_config_set(m->run, "kernel_resolved", json_incref(m->resolved));
	}
	json_object_set(m->resolved, d->name, r);
}

char *pb_experiment_label(const char *kernel, const char *params, unsigned threads, const char *why)
{
	char *s;
	if (asprintf(&s, "%s%s%s threads=%u%s%s", kernel, params[0] ? ":" : "", params, threads,
		     why ? ": " : "", why ? why : "") < 0)
		return NULL;
	return s;
}

int pb_experiment_parse(const char *label, struct pb_experiment_id *out)
{
	static const char th[] = " threads=";
	const char *t = NULL;
	for (const char *p = strstr(label, th); p; p = strstr(p + 1, th))
		t = p; /* the last: a param value may hold " threads=" */
	if (!t)
		return -EINVAL;
	const char *num = t + strlen(th);
	unsigned long long v = 0;
	if (!*num)
		return -EINVAL;
	for (const char *c = num; *c; c++) {
		if (*c < '0' || *c > '9' || v > (UINT_MAX - (unsigned)(*c - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned)(*c - '0');
	}
	size_t head = (size_t)(t - label), kl = strcspn(label, ":");
	if (kl > head)
		kl = head;
	if (!kl)
		return -EINVAL;
	*out = (struct pb_experiment_id){
	    .kernel = label,
	    .klen = kl,
	    .params = kl < head ? label + kl + 1 : label + kl,
	    .plen = kl < head ? head - kl - 1 : 0,
	    .threads = (unsigned)v,
	};
	return 0;
}

/* The params that name d's experiment: the --param less the entries that
 * only say where output goes (PB_PF_NOIDENT: uffd-pager's latency_csv), so
 * that two runs writing to different files are one experiment to compare;
 * meta.json keeps the whole --param (config.params, kernel_params).  NULL
 * without memory. */
static char *ident_params(const struct pb_kernel_desc *d, const char *params)
{
	return pb_param_identity(d ? d->params : NULL, params);
}

/* "KERNEL[:params] threads=N", then ": why" when why is not NULL: an
 * experiment's entry in meta.json (experiments, errors), whole however
 * long its --param (fixed buffers of 320 bytes cut it until 2026-12-05),
 * its params as they name it (ident_params).  NULL without memory. */
static char *experiment_label(const struct pb_kernel_desc *d, const char *params, unsigned n,
			      const char *why)
{
	char *ip = ident_params(d, params);
	char *s = ip ? pb_experiment_label(d->name, ip, n, why) : NULL;
	free(ip);
	return s;
}

/* Why a statistic's CI (ci95_lo_X, ci95_hi_X) is NA: a distribution-free
 * CI of the median needs PB_STAT_MIN_CI_REPS samples. */
_Static_assert(PB_STAT_MIN_CI_REPS == 6, "CI_FEW_REPS names the number");
#define CI_FEW_REPS                                                                                \
	"fewer than 6 measured repetitions with a value (--reps below 6): a distribution-free "    \
	"95% CI of the median needs at least 6"
#define NO_OPS "no measured repetition gave a value (ops 0, or no measurable time)"

/* The reason counter column k is NA in a row: the machine lacks it, the
 * work ran in child processes (children: procs=1), its pass did not run
 * in this repetition, its backend judged the value no measurement
 * (pb_ctr_rep_na_reason: ru_utime_ns of a repetition under 2 ticks), or
 * its read failed. */
static const char *ctr_na_why(enum pb_ctr k, int children)
{
	const char *why;
	if (!pb_ctr_available(k, &why))
		return why ? why : "not available on this machine";
	if (children && children_na(k))
		return children_na(k);
	if (pb_counters_npasses() > 1 && !strcmp(pb_ctr_source(k), "papi"))
		return "counted in one of the passes that rotate over the repetitions (meta.json "
		       "counters.columns: pass): NA in the repetitions of the other passes";
	if ((why = pb_ctr_rep_na_reason(k)) != NULL)
		return why;
	return "the counter could not be read in this repetition";
}

/*
 * Every NA cell of a runs.csv row gets its reason in meta.json
 * not_available, from the row's values (what was written): a total row
 * (b NULL) runs on no single PU or node; a thread without a planned PU or
 * node (the plan's -1: --pin none places nothing; a PU outside every NUMA
 * node) or whose PU was not read back; a CI of fewer than 6 repetitions;
 * a rate of no op.  A counter not read: note_ctr_na, once per
 * configuration.
 */
static void note_run_na(struct pb_measure *m, const struct run_row *row, const struct pb_bound *b)
{
	int none = m->o.pin == PB_PIN_NONE, syn = pb_topo_is_synthetic();
	if (!b) {
		static const char *const place[] = {"pu_planned", "pu", "node_planned", "node"};
		for (size_t i = 0; i < PB_ARRAY_SIZE(place); i++)
			pb_run_note_na(m->run, place[i],
				       "total rows: the team's, which runs on no single PU or "
				       "NUMA node");
	} else {
		if (row->pu_planned == PB_NA_I64)
			pb_run_note_na(m->run, "pu_planned",
				       none ? "--pin none: threads are not placed, no PU is planned"
					    : "the plan has no PU for this thread");
		if (row->node_planned == PB_NA_I64)
			pb_run_note_na(
			    m->run, "node_planned",
			    none ? "--pin none: threads are not placed, no NUMA node is "
				   "planned"
				 : "the planned PU is in no NUMA node the topology lists");
		if (row->pu == PB_NA_I64)
			pb_run_note_na(
			    m->run, "pu",
			    syn ? "a synthetic topology (HWLOC_SYNTHETIC, HWLOC_XMLFILE): "
				  "not this machine's, where a thread ran is not read back"
				: "hwloc could not read back the PU the thread ran on");
		if (row->node == PB_NA_I64)
			pb_run_note_na(m->run, "node",
				       syn || row->pu == PB_NA_I64
					   ? "the PU the thread ran on was not read back"
					   : "the PU the thread ran on is in no NUMA node the "
					     "topology lists");
	}
	if (isnan(row->ns_per_op))
		pb_run_note_na(m->run, "ns_per_op", "no operation in this repetition (ops 0)");
	if (isnan(row->ops_per_s))
		pb_run_note_na(m->run, "ops_per_s", "the repetition took no measurable time");
	if (isnan(row->median_ns_per_op))
		pb_run_note_na(m->run, "median_ns_per_op", NO_OPS);
	if (isnan(row->median_ops_per_s))
		pb_run_note_na(m->run, "median_ops_per_s", NO_OPS);
	if (isnan(row->ci_lo_ns) || isnan(row->ci_hi_ns)) {
		const char *why = isnan(row->median_ns_per_op) ? NO_OPS : CI_FEW_REPS;
		pb_run_note_na(m->run, "ci95_lo_ns_per_op", why);
		pb_run_note_na(m->run, "ci95_hi_ns_per_op", why);
	}
	if (row->heap == PB_NA_I64)
		pb_run_note_na(m->run, "heap_metadata_bytes",
			       pb_heap_na_reason() ? pb_heap_na_reason()
						   : "jemalloc's stats.metadata could not be read");
}

/*
 * The counter columns of one configuration's runs.csv rows (x): a column
 * with an NA cell gets its reason once (ctr_na_why depends on the column
 * and the configuration, not on the row), and the run's record of what
 * it counted (meta.json counters.columns.*.available) hears whether a
 * measured repetition read it.
 */
static void note_ctr_na(struct pb_measure *m, const struct measured *x, int children)
{
	size_t rows = (size_t)x->reps * (x->n + 1);
	for (int k = 0; k < PB_CTR__COUNT; k++) {
		int na = 0, counted = 0;
		for (size_t i = 0; i < rows; i++) {
			na |= !x->rec[i].ctr_ok[k];
			counted |= x->rec[i].ctr_ok[k] && i / (x->n + 1) >= WARMUP;
		}
		const char *why = na ? ctr_na_why((enum pb_ctr)k, children) : NULL;
		if (na)
			pb_run_note_na(m->run, pb_ctr_column((enum pb_ctr)k), why);
		pb_counters_run_note((enum pb_ctr)k, counted, why);
	}
}

/* The reason summary.csv's rate k is NA in a row: a counter it is
 * computed from was never counted (that counter's reason), no op, or a
 * zero denominator. */
static void note_rate_na(struct pb_measure *m, const struct sum_row *s, int k, int children)
{
	enum pb_ctr in[2] = {rates[k].num, rates[k].den};
	for (int i = 0; i < 2; i++)
		if (in[i] != PB_CTR__COUNT && !s->ctr[in[i]].n) {
			char why[512];
			snprintf(why, sizeof(why), "%s not counted: %s", pb_ctr_column(in[i]),
				 ctr_na_why(in[i], children));
			pb_run_note_na(m->run, rates[k].name, why);
			return;
		}
	pb_run_note_na(m->run, rates[k].name,
		       rates[k].den == PB_CTR__COUNT
			   ? NO_OPS
			   : "its denominator was 0 in every measured repetition");
}

/* Every NA cell of a summary.csv row (from its values) gets its reason:
 * `total` the team's row; `one` and `base`, the 1-thread run and the
 * baseline found for it. */
static void note_sum_na(struct pb_measure *m, const struct pb_kernel_desc *d,
			const struct sum_row *s, int total, int one, int base, int children)
{
	const struct pb_stat *st[2] = {&s->ns, &s->ops};
	static const char *const stat_cols[2][3] = {
	    {"median_ns_per_op", "ci95_lo_ns_per_op", "ci95_hi_ns_per_op"},
	    {"median_ops_per_s", "ci95_lo_ops_per_s", "ci95_hi_ops_per_s"}};
	for (int i = 0; i < 2; i++) {
		double v[3] = {st[i]->median, st[i]->lo, st[i]->hi};
		for (int j = 0; j < 3; j++)
			if (isnan(v[j]))
				pb_run_note_na(m->run, stat_cols[i][j], NO_OPS);
	}
	const char *team = "per-thread rows: it is the team's, in the total row";
	if (isnan(s->speedup))
		pb_run_note_na(m->run, "speedup_vs_1_thread",
			       !total ? team
			       : !one ? "no 1-thread run of this experiment in this process "
					"(--threads without 1)"
				      : "the 1-thread median throughput is NA or 0");
	const char *nobase =
	    !d->baseline     ? "the kernel has no baseline"
	    : !m->o.baseline ? "--no-baseline: the baseline was not run"
	    : !base	     ? "the baseline did not run here (its setup refused this machine or "
			       "these parameters, or it failed: stderr and meta.json errors)"
			     : "the baseline's median is NA or 0";
	if (!s->baseline)
		pb_run_note_na(m->run, "baseline", nobase);
	if (isnan(s->base_ns))
		pb_run_note_na(m->run, "baseline_median_ns_per_op", total ? nobase : team);
	if (isnan(s->ratio))
		pb_run_note_na(m->run, "ratio_vs_baseline", total ? nobase : team);
	for (int k = 0; k < PB_CTR__COUNT; k++)
		if (isnan(s->ctr[k].median)) {
			char col[96];
			snprintf(col, sizeof(col), "median_%s", pb_ctr_column((enum pb_ctr)k));
			pb_run_note_na(m->run, col, ctr_na_why((enum pb_ctr)k, children));
		}
	for (int k = 0; k < RATE__N; k++)
		if (isnan(s->rate[k].median))
			note_rate_na(m, s, k, children);
}

/* run_config's quiet: the setup failures it does not print */
enum {
	HOLD_ENOTSUP = 2, /* the machine lacks what it needs: the reason kept in m->held */
	HOLD_EINVAL = 1,  /* parameters it refuses: the reason kept in m->held */
};

/* One configuration.  Returns 0, -EINVAL (bad params), -ENOTSUP (the
 * machine lacks what the kernel needs), -EINTR, -EIO, or another -errno
 * (message printed, unless quiet says otherwise). */
static int run_config(struct pb_measure *m, const struct pb_kernel_desc *d, unsigned n,
		      const char *params, const char *base_params, int quiet)
{
	const struct pb_measure_opts *ro = &m->o;
	struct pb_plan plan;
	char *experiment = NULL;      /* KERNEL:params, whole (rows, meta.json) */
	char *ip = NULL, *bip = NULL; /* params, base_params as they name experiments */
	int rc = pb_plan_make(n, ro->pin, &plan);
	if (rc) {
		pb_error("run", "%s: cannot plan %u threads: %s", d->name, n, strerror(-rc));
		return rc;
	}
	int *thread_node = calloc(n, sizeof(int));
	if (!thread_node) {
		pb_plan_free(&plan);
		return -ENOMEM;
	}
	for (unsigned t = 0; t < n; t++)
		thread_node[t] = plan.place[t].node;
	char err[PB_KERNEL_ERRLEN] = ""; /* a whole path and its reason */
	struct pb_kernel_cfg cfg = {
	    .nthreads = n,
	    .ops = ro->ops,
	    .size = ro->size,
	    .seed = ro->seed,
	    .params = params,
	    .thread_node = thread_node,
	    .nnodes = pb_topo_nnodes(),
	    .err = err,
	    .errlen = sizeof(err),
	    .resolved = json_object(),
	};
	void *state = NULL;
	rc = d->setup(&cfg, &state);
	if (!rc && json_object_size(cfg.resolved))
		record_resolved(m, d, cfg.resolved);
	json_decref(cfg.resolved);
	if (rc) {
		if ((rc == -ENOTSUP && (quiet & HOLD_ENOTSUP)) ||
		    (rc == -EINVAL && (quiet & HOLD_EINVAL)))
			snprintf(m->held, sizeof(m->held), "%s: %s", d->name,
				 err[0] ? err : strerror(-rc));
		else
			pb_error("run", "%s: %s", d->name, err[0] ? err : strerror(-rc));
		free(thread_node);
		pb_plan_free(&plan);
		return rc;
	}
	if (!m->banner++) {
		double rt = pb_run_round_trip_ns(m->run);
		fprintf(stderr, "%u reps + %d warm-up each, pin %s, seed %llu", ro->reps, WARMUP,
			pb_pin_name(ro->pin), (unsigned long long)ro->seed);
		/* what a second thread's shared lines cost here (meta.json) */
		if (!isnan(rt))
			fprintf(stderr, "; a cache line's round trip between CPUs: %.0f ns", rt);
		fputc('\n', stderr);
	}
	unsigned reps = ro->reps + WARMUP;
	struct team_ctx c = {.d = d,
			     .state = state,
			     .n = n,
			     .reps = reps,
			     .plan = &plan,
			     .children = runs_in_children(d, params)};
	for (int k = 0; c.children && k < PB_CTR__COUNT; k++)
		if (children_na((enum pb_ctr)k))
			pb_run_note_na(m->run, pb_ctr_column((enum pb_ctr)k),
				       children_na((enum pb_ctr)k));
	c.rec = calloc((size_t)reps * n, sizeof(*c.rec));
	c.kt = calloc(n, sizeof(*c.kt));
	c.kerr = calloc(n, sizeof(*c.kerr));
	c.init_rc = calloc(n, sizeof(*c.init_rc));
	struct pb_bound *bound = calloc(n, sizeof(*bound));
	struct measured x = {.n = n, .reps = reps};
	x.rec = calloc((size_t)reps * (n + 1), sizeof(*x.rec));
	x.wall = calloc(reps, sizeof(*x.wall));
	x.sum_t = calloc(reps, sizeof(*x.sum_t));
	x.thr = calloc(n, sizeof(*x.thr));
	double *samp = calloc((size_t)reps * 3, sizeof(double));
	struct pb_stat *sns = calloc(n + 1, sizeof(*sns)), *sops = calloc(n + 1, sizeof(*sops));
	rc = -ENOMEM;
	if (!c.rec || !c.kt || !c.kerr || !c.init_rc || !bound || !x.rec || !x.wall || !x.sum_t ||
	    !x.thr || !samp || !sns || !sops || pb_gate_init(&c.gate, n, reps)) {
		pb_error("run", "%s: out of memory", d->name);
		d->teardown(state);
		goto out;
	}
	pb_team_run(&plan, team_body, &c, bound);
	/* relaxed: the team has been joined (happens-before). */
	unsigned stopped = pb_atomic_load(&c.gate.stop_rep, PB_RELAXED);
	int valid = 1;
	char verr[PB_KERNEL_ERRLEN + 64] = ""; /* "thread N setup: " and a kerr */
	for (unsigned t = 0; t < n; t++) {
		if (c.init_rc[t]) {
			snprintf(verr, sizeof(verr), "thread %u setup: %s", t,
				 c.kerr[t][0] ? c.kerr[t] : strerror(-c.init_rc[t]));
			rc = c.init_rc[t];
			break;
		}
	}
	if (verr[0]) {
		d->teardown(state);
		pb_error("run", "%s (%u threads): %s", d->name, n, verr);
		goto out;
	}
	if (stopped < reps) {
		/* A fatal signal: discard this configuration. */
		d->teardown(state);
		rc = -EINTR;
		goto out;
	}
	if (d->verify && d->verify(state, verr, sizeof(verr)))
		valid = 0;
	if (!valid)
		pb_error("run", "%s (%u threads): self-check failed: %s; rows marked valid=0",
			 d->name, n, verr);
	d->teardown(state);
	int64_t heap = pb_heap_metadata_bytes();
	totals(&x, c.rec, &c.gate, d);

	/* Medians over the measured repetitions, per thread and total. */
	for (unsigned t = 0; t <= n; t++) {
		for (unsigned rep = 0; rep < reps; rep++) {
			samp[rep] = rec_ns_per_op(&x, rep, t);
			samp[reps + rep] = rec_ops_per_s(&x, rep, t);
		}
		sns[t] = pb_stat_of(samp, reps, WARMUP);
		sops[t] = pb_stat_of(samp + reps, reps, WARMUP);
	}
	/* whole, however long its --param (a 256-byte buffer cut it, and two
	 * experiments differing past it shared one name, until 2026-12-05);
	 * its params as they name it (ident_params), in rows and name alike */
	char tname[16];
	ip = ident_params(d, params);
	int named_base = base_params && d->baseline;
	bip = named_base ? ident_params(pb_kernel_find(d->baseline), base_params) : NULL;
	if (!ip || (named_base && !bip) ||
	    asprintf(&experiment, "%s%s%s", d->name, ip[0] ? ":" : "", ip) < 0) {
		experiment = NULL;
		pb_error("run", "%s: out of memory", d->name);
		rc = -ENOMEM;
		goto out;
	}
	const char *const *extra = d->extra_cols;
	for (unsigned rep = 0; rep < reps; rep++) {
		for (unsigned t = 0; t <= n; t++) {
			int total = t == n;
			const struct thr_rec *r = &x.rec[rep * (n + 1) + t];
			snprintf(tname, sizeof(tname), "%u", t);
			struct run_row row = {
			    .experiment = experiment,
			    .kernel = d->name,
			    .module = d->module,
			    .params = ip,
			    .op_unit = d->op_unit,
			    .threads = n,
			    .pin = pb_pin_name(ro->pin),
			    .seed = ro->seed,
			    .rep = rep,
			    .warmup = rep < WARMUP,
			    .thread = total ? "total" : tname,
			    .pu_planned =
				total || bound[t].pu_planned < 0 ? PB_NA_I64 : bound[t].pu_planned,
			    .pu = total || bound[t].pu_got < 0 ? PB_NA_I64 : bound[t].pu_got,
			    .node_planned = total || bound[t].node_planned < 0
						? PB_NA_I64
						: bound[t].node_planned,
			    .node = total || bound[t].node_got < 0 ? PB_NA_I64 : bound[t].node_got,
			    .ops = r->ops,
			    .seconds = rec_secs(&x, rep, t),
			    .ns_per_op = rec_ns_per_op(&x, rep, t),
			    .ops_per_s = rec_ops_per_s(&x, rep, t),
			    .median_ns_per_op = sns[t].median,
			    .ci_lo_ns = sns[t].ci95_valid ? sns[t].lo : NAN,
			    .ci_hi_ns = sns[t].ci95_valid ? sns[t].hi : NAN,
			    .median_ops_per_s = sops[t].median,
			    .valid = (uint64_t)valid,
			    .heap = heap >= 0 ? heap : PB_NA_I64,
			    .ctr = r->ctr,
			    .ctr_ok = r->ctr_ok,
			};
			pb_row_emit(m->runs, m->run_table, &row);
			note_run_na(m, &row, total ? NULL : &bound[t]);
			for (int k = 0; extra && k < PB_KERNEL_MAX_EXTRA && extra[k]; k++) {
				struct event_row e = {experiment, d->name,  n,		rep,
						      row.thread, extra[k], r->extra[k]};
				pb_row_emit(m->events, event_cols, &e);
				if (e.value == PB_EXTRA_NA)
					pb_run_note_na(m->run, extra[k], extra_na_why(d, k));
			}
		}
	}
	note_ctr_na(m, &x, c.children);
	/* summary rows */
	memo_put(m, d->name, params, n, sns[n].median, sops[n].median);
	const struct memo *one = memo_find(m, d->name, params, 1);
	const struct memo *base =
	    d->baseline && base_params ? memo_find(m, d->baseline, base_params, n) : NULL;
	char base_name[256];
	snprintf(base_name, sizeof(base_name), "%s%s%s", d->baseline ? d->baseline : "",
		 bip && bip[0] ? ":" : "", bip ? bip : "");
	for (unsigned t = 0; t <= n; t++) {
		snprintf(tname, sizeof(tname), "%u", t);
		struct sum_row s = {
		    .experiment = experiment,
		    .kernel = d->name,
		    .params = ip,
		    .threads = n,
		    .pin = pb_pin_name(ro->pin),
		    .thread = t == n ? "total" : tname,
		    .reps = ro->reps,
		    .ns = sns[t],
		    .ops = sops[t],
		    .speedup = t == n && one ? sops[n].median / one->median_ops_per_s : NAN,
		    .baseline = d->baseline ? base_name : NULL,
		    .base_ns = t == n && base ? base->median_ns_per_op : NAN,
		    .ratio = t == n && base ? sns[n].median / base->median_ns_per_op : NAN,
		    .valid = (uint64_t)valid,
		};
		for (int k = 0; k < PB_CTR__COUNT; k++) {
			for (unsigned rep = 0; rep < reps; rep++) {
				const struct thr_rec *r = &x.rec[rep * (n + 1) + t];
				samp[rep] = r->ctr_ok[k] ? (double)r->ctr[k] : NAN;
			}
			s.ctr[k] = pb_stat_of(samp, reps, WARMUP);
		}
		for (int k = 0; k < RATE__N; k++) {
			for (unsigned rep = 0; rep < reps; rep++) {
				const struct thr_rec *r = &x.rec[rep * (n + 1) + t];
				samp[rep] = per_rep(r, (double)r->ops, rates[k].num, rates[k].den);
			}
			s.rate[k] = pb_stat_of(samp, reps, WARMUP);
		}
		pb_row_emit(m->summary, m->sum_table, &s);
		note_sum_na(m, d, &s, t == n, one != NULL, base != NULL, c.children);
	}
	pb_progress_clear();
	/* a median no repetition gave (no operation done: a failed pager) is
	 * NA, as in summary.csv, not "nan" */
	char ns_s[32], ops_s[32], ratio_s[32];
	pb_fmt_num_na(ns_s, sizeof(ns_s), sns[n].median, "%.2f");
	pb_fmt_num_na(ops_s, sizeof(ops_s), sops[n].median, "%.4g");
	fprintf(stderr, "  %-22s %2u thr  %10s ns/%s  %12s ops/s total%s%s\n", d->name, n, ns_s,
		d->op_unit ? d->op_unit : "op", ops_s, valid ? "" : "  [INVALID]",
		plan.oversubscribed ? "  [oversubscribed]" : "");
	if (base) {
		pb_fmt_num_na(ratio_s, sizeof(ratio_s), sns[n].median / base->median_ns_per_op,
			      "%.2fx");
		fprintf(stderr, "  %-22s         ratio vs %s: %s\n", "", base_name, ratio_s);
	}
	if (pb_run_error(m->run)) {
		rc = -EIO;
		goto out;
	}
	char *done = experiment_label(d, params, n, NULL);
	pb_run_experiment_done(m->run, done ? done : experiment);
	if (plan.oversubscribed)
		pb_run_note_oversubscribed(m->run, done ? done : experiment, n, pb_topo_npus());
	free(done);
	m->done++;
	rc = valid ? 0 : -EPROTO;
out:
	free(experiment);
	free(ip);
	free(bip);
	pb_gate_fini(&c.gate);
	free(sns);
	free(sops);
	free(samp);
	free(x.rec);
	free(x.wall);
	free(x.sum_t);
	free(x.thr);
	free(c.rec);
	free(c.kt);
	free(c.kerr);
	free(c.init_rc);
	free(bound);
	free(thread_node);
	pb_plan_free(&plan);
	return rc;
}

/* The entries of params ("k=v,...") whose key b's table has, in order, as
 * a new string ("" if none); NULL when out of memory.  A baseline runs
 * with these when it refuses a key of the kernel's (pt-lookup's huge=1):
 * the sizes it shares with the kernel still hold. */
static char *params_known(const struct pb_kernel_desc *b, const char *params)
{
	char *out = strdup("");
	for (struct pb_kv e = {0}; out && b->params && pb_kv_next(params, &e);) {
		char key[128];
		if (e.klen >= sizeof(key))
			continue;
		memcpy(key, e.s, e.klen);
		key[e.klen] = 0;
		if (pb_param_find(b->params, key) && pb_kv_appendn(&out, e.s, e.len)) {
			free(out);
			out = NULL;
		}
	}
	return out;
}

/* meta.json config.baseline_params.EXPERIMENT: the params its baseline ran
 * with (null: it did not run). */
static void record_base_params(struct pb_measure *m, const struct pb_kernel_desc *d,
			       const char *params, const char *bp)
{
	/* named as its rows name them (ident_params), the baseline's params
	 * likewise: config.params keeps the whole --param */
	char *key = NULL, *ip = ident_params(d, params),
	     *bip = bp ? ident_params(d->baseline ? pb_kernel_find(d->baseline) : NULL, bp) : NULL;
	if (ip && (!bp || bip) && asprintf(&key, "%s%s%s", d->name, ip[0] ? ":" : "", ip) >= 0) {
		if (!m->base_params) {
			m->base_params = json_object();
			pb_run_config_set(m->run, "baseline_params", json_incref(m->base_params));
		}
		json_object_set_new(m->base_params, key, bip ? json_string(bip) : json_null());
		free(key);
	}
	free(ip);
	free(bip);
}

/* params ("k=v,...") without its i-th entry, as a new string; NULL when
 * it has no i-th entry or out of memory. */
static char *params_without(const char *params, size_t i)
{
	char *out = strdup("");
	size_t k = 0;
	for (struct pb_kv e = {0}; out && pb_kv_next(params, &e); k++)
		if (k != i && pb_kv_appendn(&out, e.s, e.len)) {
			free(out);
			out = NULL;
		}
	if (k <= i) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * The baseline b for n threads: with the kernel's params when it takes
 * them (same pattern, same sizes), else with the ones its table knows,
 * else with those less one entry (pt-baseline-array refuses pt-lookup's
 * huge=1 but takes its pages=N), never with its defaults for a key the
 * run gave (a different working set: the ratio compared nothing).  *bp
 * gets the params it ran with (memo-owned), NULL if none did: the
 * baseline columns are NA.  Its -EINVAL is held in m->held, said only if
 * the kernel runs (one line when both refuse --size).  Returns 0 or the
 * last run_config's code.
 */
static int run_baseline(struct pb_measure *m, const struct pb_kernel_desc *b, unsigned n,
			const char *params, const char **bp)
{
	const struct memo *had = memo_find(m, b->name, params, n);
	*bp = NULL;
	if (had) {
		*bp = had->params;
		return 0;
	}
	int r = run_config(m, b, n, params, NULL, HOLD_ENOTSUP | HOLD_EINVAL);
	char *known = r == -EINVAL ? params_known(b, params) : NULL;
	if (r == -EINVAL && !known)
		return -ENOMEM;
	for (size_t i = 0; r == -EINVAL; i++) {
		/* i 0: the known ones; i > 0: those less entry i - 1 */
		char *try = i ? params_without(known, i - 1) : strdup(known);
		if (!try)
			break;
		if (!strcmp(try, params)) {
			free(try);
			continue;
		}
		had = memo_find(m, b->name, try, n);
		r = had ? 0 : run_config(m, b, n, try, NULL, HOLD_ENOTSUP | HOLD_EINVAL);
		had = r ? NULL : memo_find(m, b->name, try, n);
		if (!r)
			params = had ? had->params : NULL; /* NULL: memo_put had no memory */
		free(try);
	}
	free(known);
	if (!r)
		*bp = params;
	return r;
}

int pb_measure_kernel(struct pb_measure *m, const struct pb_kernel_desc *d, const uint64_t *threads,
		      size_t nthreads, const char *params, unsigned *failures)
{
	int rc = 0;
	/* 1: the baseline's setup said -ENOTSUP (m->held): it is not tried
	 * again, and its reason is said once, by the kernel when the kernel
	 * cannot run either (the same machine), else here (2: said). */
	int base_out = 0, base_inval = 0;
	const struct pb_kernel_desc *b = NULL;
	if (m->o.baseline && d->baseline) {
		b = pb_kernel_find(d->baseline);
		if (!b)
			pb_error("run", "%s: baseline kernel '%s' is not registered", d->name,
				 d->baseline);
	}
	for (size_t i = 0; i < nthreads; i++) {
		unsigned n = (unsigned)threads[i];
		/* The baseline: run_baseline says with which parameters. */
		const char *bp = NULL;
		if (b && !base_out) {
			int r = run_baseline(m, b, n, params, &bp);
			if (r == -EINTR || r == -EIO || r == -ENOMEM)
				return r;
			base_out = r == -ENOTSUP;
			base_inval = !bp && !base_out;
			record_base_params(m, d, params, bp);
		}
		/* In a suite a baseline may already have run with its defaults. */
		if (!params[0] && memo_find(m, d->name, "", n))
			continue;
		int r = run_config(m, d, n, params, bp, 0);
		if (base_inval && r != -EINVAL)
			pb_error("run", "%s", m->held);
		base_inval = 0;
		if (base_out == 1 && r != -ENOTSUP) {
			pb_error("run", "%s", m->held);
			base_out = 2;
		}
		if (r == -EINTR || r == -EIO)
			return r;
		if (r) {
			const char *reason =
			    r == -EPROTO ? "self-check failed (rows valid=0)" : strerror(-r);
			char *why = experiment_label(d, params, n, reason);
			pb_run_set_status(m->run, PB_RUN_FAILED, why ? why : reason);
			free(why);
			(*failures)++;
			/* bad parameters, or a machine without what the kernel
			 * needs: no point in other thread counts */
			if (r == -EINVAL || r == -ENOTSUP)
				return r;
			rc = r;
		}
	}
	return rc;
}
