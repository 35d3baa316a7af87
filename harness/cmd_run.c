/*
 * harness/cmd_run.c - `pagebench run KERNEL` and `pagebench suite NAME`.
 *
 * The one benchmark skeleton.  For each thread count: plan placement, set
 * the kernel up, start a pinned team; every thread runs thread_init, then
 * 1 + reps repetitions.  Each repetition starts on a go flag: thread 0
 * waits until every thread has arrived, then releases the flag; each
 * thread times its own run() and reads its own counters.  Repetition 0 is
 * warm-up (written with warmup=1 and left out of medians).
 *
 * Per configuration the rows of runs.csv carry the median and a 95%
 * confidence interval of the median over the measured repetitions;
 * summary.csv has one row per (kernel, threads, thread|total) with the
 * median, CI, scaling against 1 thread and the ratio against the kernel's
 * baseline run in the same process.
 *
 * Totals: ops summed over threads; seconds = wall time from the go flag to
 * the last thread's finish; ops_per_s = summed ops / wall seconds;
 * ns_per_op = summed thread-seconds / summed ops (the per-thread cost of
 * one op).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/counters.h"
#include "pagebench/kernel.h"
#include "pagebench/results.h"
#include "pagebench/team.h"

struct run_opts {
	uint64_t *threads;
	size_t nthreads;
	unsigned reps;
	enum pb_pin pin;
	uint64_t ops, size, seed;
	const char *params;
	int csv;
	int baseline;
	const char *results;
};

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
	unsigned n, reps; /* reps includes the warm-up */
	struct thr_rec *rec; /* [rep * n + tid] */
	struct pb_kthread *kt;
	const struct pb_plan *plan;
	unsigned arrived; /* atomic */
	unsigned go;      /* atomic: generation released */
	unsigned finished; /* atomic */
	int init_err;      /* atomic */
	uint64_t go_ns[64 + 1];
};

static void team_body(void *arg, unsigned tid)
{
	struct team_ctx *c = arg;
	struct pb_kthread *kt = &c->kt[tid];
	kt->tid = tid;
	kt->nthreads = c->n;
	kt->node = c->plan->place[tid].node;
	kt->cpu = c->plan->place[tid].pu;
	if (c->d->thread_init && c->d->thread_init(c->state, kt))
		pb_atomic_store(&c->init_err, 1, PB_RELAXED);
	struct pb_ctrset *cs = pb_ctrset_open();
	for (unsigned rep = 0; rep < c->reps; rep++) {
		/* Arrive; thread 0 releases everyone once all have arrived.
		 * acq_rel on the arrival pairs with thread 0's acquire load;
		 * the release store of `go` publishes go_ns[rep]. */
		pb_atomic_fetch_add(&c->arrived, 1, PB_ACQ_REL);
		if (tid == 0) {
			while (pb_atomic_load(&c->arrived, PB_ACQUIRE) < (rep + 1) * c->n)
				pb_cpu_relax();
			c->go_ns[rep < 64 ? rep : 64] = pb_now_ns();
			pb_atomic_store(&c->go, rep + 1, PB_RELEASE);
		} else {
			while (pb_atomic_load(&c->go, PB_ACQUIRE) < rep + 1)
				pb_cpu_relax();
		}
		struct thr_rec *r = &c->rec[rep * c->n + tid];
		memset(kt->extra, 0, sizeof(kt->extra));
		int failed = pb_atomic_load(&c->init_err, PB_RELAXED);
		pb_ctrset_start(cs);
		r->t0 = pb_now_ns();
		r->ops = failed ? 0 : c->d->run(c->state, kt);
		r->t1 = pb_now_ns();
		pb_ctrset_stop(cs, r->ctr, r->ctr_ok);
		memcpy(r->extra, kt->extra, sizeof(r->extra));
		pb_atomic_fetch_add(&c->finished, 1, PB_RELEASE);
		pb_progress_add(1);
		/* Wait for the whole team before the next repetition. */
		while (pb_atomic_load(&c->finished, PB_ACQUIRE) < (rep + 1) * c->n)
			pb_cpu_relax();
	}
	pb_ctrset_close(cs);
	if (c->d->thread_fini)
		c->d->thread_fini(c->state, kt);
}

static const char *const base_cols[] = {
	"experiment", "kernel", "module", "params", "op_unit", "threads", "pin", "seed", "rep",
	"warmup", "thread", "pu_planned", "pu", "node_planned", "node", "ops", "seconds",
	"ns_per_op", "ops_per_s", "median_ns_per_op", "ci95_lo_ns_per_op", "ci95_hi_ns_per_op",
	"median_ops_per_s", "valid", "heap_metadata_bytes", NULL};

static const char *const summary_cols[] = {
	"experiment", "kernel", "params", "threads", "pin", "thread", "reps", "median_ns_per_op",
	"ci95_lo_ns_per_op", "ci95_hi_ns_per_op", "ci95_valid", "median_ops_per_s",
	"ci95_lo_ops_per_s", "ci95_hi_ops_per_s", "speedup_vs_1_thread", "baseline",
	"baseline_median_ns_per_op", "ratio_vs_baseline", "valid", NULL};

static const char *const event_cols[] = {"experiment", "kernel", "threads", "rep", "thread",
					 "event", "value", NULL};

struct out {
	struct pb_run *run;
	struct pb_csv *runs, *summary, *events;
	const char **cols; /* runs.csv columns incl. counters */
	int counter_notes_done;
};

/* Remember total medians per kernel+threads for scaling and baselines. */
struct result_memo {
	char kernel[64];
	char params[192];
	unsigned threads;
	double median_ns_per_op, median_ops_per_s;
};
static struct result_memo memo[512];
static unsigned nmemo;

static const struct result_memo *memo_find(const char *kernel, const char *params,
					     unsigned threads)
{
	for (unsigned i = 0; i < nmemo; i++)
		if (!strcmp(memo[i].kernel, kernel) && !strcmp(memo[i].params, params) &&
		    memo[i].threads == threads)
			return &memo[i];
	return NULL;
}

static void memo_put(const char *kernel, const char *params, unsigned threads, double ns,
		     double ops)
{
	if (nmemo == PB_ARRAY_SIZE(memo))
		return;
	snprintf(memo[nmemo].kernel, sizeof(memo[nmemo].kernel), "%s", kernel);
	snprintf(memo[nmemo].params, sizeof(memo[nmemo].params), "%s", params);
	memo[nmemo].threads = threads;
	memo[nmemo].median_ns_per_op = ns;
	memo[nmemo].median_ops_per_s = ops;
	nmemo++;
}

static void note_counter_nas(struct out *o)
{
	if (o->counter_notes_done)
		return;
	o->counter_notes_done = 1;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		const char *why;
		if (!pb_ctr_available((enum pb_ctr)c, &why))
			pb_run_note_na(o->run, pb_ctr_column((enum pb_ctr)c), why);
	}
	const char *h = pb_heap_na_reason();
	if (h)
		pb_run_note_na(o->run, "heap_metadata_bytes", h);
}

/*
 * Run one kernel at one thread count; write its rows.  Returns 0, or
 * -errno if setup failed (message printed).  *median_total gets the total
 * row's median ns/op.
 */
static int run_config(struct out *o, const struct pb_kernel_desc *d, const struct run_opts *ro,
		      unsigned n, const char *params, const char *base_params, int quiet_setup)
{
	struct pb_plan plan;
	int rc = pb_plan_make(n, ro->pin, &plan);
	if (rc) {
		pb_error("run", "%s: cannot plan %u threads: %s", d->name, n, strerror(-rc));
		return rc;
	}
	int *thread_node = calloc(n, sizeof(int));
	for (unsigned t = 0; t < n; t++)
		thread_node[t] = plan.place[t].node;
	char err[512] = "";
	struct pb_kernel_cfg cfg = {
		.nthreads = n, .ops = ro->ops, .size = ro->size, .seed = ro->seed,
		.params = params, .thread_node = thread_node, .nnodes = pb_topo_nnodes(),
		.err = err, .errlen = sizeof(err),
	};
	void *state = NULL;
	rc = d->setup(&cfg, &state);
	if (rc) {
		if (!(quiet_setup && rc == -EINVAL))
			pb_error("run", "%s: %s", d->name, err[0] ? err : strerror(-rc));
		free(thread_node);
		pb_plan_free(&plan);
		return rc;
	}
	static int banner;
	if (!banner++)
		fprintf(stderr, "%u reps + 1 warm-up each, pin %s, seed %llu\n", ro->reps,
			pb_pin_name(ro->pin), (unsigned long long)ro->seed);
	unsigned reps = ro->reps + 1;
	struct team_ctx c = {.d = d, .state = state, .n = n, .reps = reps, .plan = &plan};
	c.rec = calloc((size_t)reps * n, sizeof(*c.rec));
	c.kt = calloc(n, sizeof(*c.kt));
	struct pb_bound *bound = calloc(n, sizeof(*bound));
	pb_team_run(&plan, team_body, &c, bound);
	int valid = !pb_atomic_load(&c.init_err, PB_RELAXED);
	char verr[512] = "";
	if (!valid)
		snprintf(verr, sizeof(verr), "thread_init failed");
	if (valid && d->verify && d->verify(state, verr, sizeof(verr)))
		valid = 0;
	if (!valid)
		pb_error("run", "%s (%u threads): self-check failed: %s; rows marked valid=0", d->name,
			 n, verr);
	d->teardown(state);
	int64_t heap = pb_heap_metadata_bytes();

	/* Medians over measured repetitions: per thread and total. */
	unsigned m = ro->reps;
	double *ns = calloc((size_t)(n + 1) * m, sizeof(double));
	double *rate = calloc((size_t)(n + 1) * m, sizeof(double));
	for (unsigned rep = 1; rep < reps; rep++) {
		uint64_t sum_ops = 0, sum_t = 0, end = 0;
		uint64_t go = c.go_ns[rep < 64 ? rep : 64];
		for (unsigned t = 0; t < n; t++) {
			struct thr_rec *r = &c.rec[rep * n + t];
			uint64_t dt = r->t1 - r->t0;
			ns[t * m + rep - 1] = r->ops ? (double)dt / (double)r->ops : NAN;
			rate[t * m + rep - 1] = dt ? (double)r->ops * 1e9 / (double)dt : NAN;
			sum_ops += r->ops;
			sum_t += dt;
			if (r->t1 > end)
				end = r->t1;
		}
		uint64_t wall = end > go ? end - go : 1;
		ns[n * m + rep - 1] = sum_ops ? (double)sum_t / (double)sum_ops : NAN;
		rate[n * m + rep - 1] = (double)sum_ops * 1e9 / (double)wall;
	}
	char experiment[256];
	snprintf(experiment, sizeof(experiment), "%s%s%s", d->name, params[0] ? ":" : "", params);
	struct pb_median_ci *mns = calloc(n + 1, sizeof(*mns)), *mrate = calloc(n + 1, sizeof(*mrate));
	for (unsigned t = 0; t <= n; t++) {
		mns[t] = pb_median_ci(&ns[t * m], m);
		mrate[t] = pb_median_ci(&rate[t * m], m);
	}
	const char *const *extra = d->extra_cols;
	for (unsigned rep = 0; rep < reps; rep++) {
		uint64_t sum_ops = 0, sum_t = 0, end = 0, go = c.go_ns[rep < 64 ? rep : 64];
		uint64_t tot_ctr[PB_CTR__COUNT] = {0};
		int tot_ok[PB_CTR__COUNT];
		for (int k = 0; k < PB_CTR__COUNT; k++)
			tot_ok[k] = 1;
		uint64_t tot_extra[PB_KERNEL_MAX_EXTRA] = {0};
		for (unsigned t = 0; t <= n; t++) {
			int total = t == n;
			uint64_t ops, dt;
			const uint64_t *cv;
			const int *cok;
			const uint64_t *ev;
			if (!total) {
				struct thr_rec *r = &c.rec[rep * n + t];
				ops = r->ops;
				dt = r->t1 - r->t0;
				sum_ops += ops;
				sum_t += dt;
				if (r->t1 > end)
					end = r->t1;
				for (int k = 0; k < PB_CTR__COUNT; k++) {
					tot_ctr[k] += r->ctr[k];
					tot_ok[k] &= r->ctr_ok[k];
				}
				for (int k = 0; extra && extra[k] && k < PB_KERNEL_MAX_EXTRA; k++)
					tot_extra[k] += r->extra[k];
				cv = r->ctr;
				cok = r->ctr_ok;
				ev = r->extra;
			} else {
				ops = sum_ops;
				dt = end > go ? end - go : 0;
				cv = tot_ctr;
				cok = tot_ok;
				ev = tot_extra;
			}
			struct pb_csv *w = o->runs;
			pb_csv_begin(w);
			pb_csv_str(w, experiment);
			pb_csv_str(w, d->name);
			pb_csv_str(w, d->module);
			pb_csv_str(w, params);
			pb_csv_str(w, d->op_unit);
			pb_csv_u64(w, n);
			pb_csv_str(w, pb_pin_name(ro->pin));
			pb_csv_u64(w, ro->seed);
			pb_csv_u64(w, rep);
			pb_csv_u64(w, rep == 0);
			if (total) {
				pb_csv_str(w, "total");
				for (int k = 0; k < 4; k++)
					pb_csv_na(w);
			} else {
				pb_csv_u64(w, t);
				pb_csv_i64(w, bound[t].pu_planned);
				if (bound[t].pu_got >= 0)
					pb_csv_i64(w, bound[t].pu_got);
				else
					pb_csv_na(w);
				pb_csv_i64(w, bound[t].node_planned);
				if (bound[t].node_got >= 0)
					pb_csv_i64(w, bound[t].node_got);
				else
					pb_csv_na(w);
			}
			pb_csv_u64(w, ops);
			pb_csv_dbl(w, (double)dt / 1e9);
			if (total) {
				pb_csv_dbl(w, sum_ops ? (double)sum_t / (double)sum_ops : NAN);
				pb_csv_dbl(w, dt ? (double)ops * 1e9 / (double)dt : NAN);
			} else {
				pb_csv_dbl(w, ops ? (double)dt / (double)ops : NAN);
				pb_csv_dbl(w, dt ? (double)ops * 1e9 / (double)dt : NAN);
			}
			pb_csv_dbl(w, mns[t].median);
			pb_csv_dbl(w, mns[t].ci_valid ? mns[t].lo : NAN);
			pb_csv_dbl(w, mns[t].ci_valid ? mns[t].hi : NAN);
			pb_csv_dbl(w, mrate[t].median);
			pb_csv_u64(w, (uint64_t)valid);
			if (heap >= 0)
				pb_csv_i64(w, heap);
			else
				pb_csv_na(w);
			for (int k = 0; k < PB_CTR__COUNT; k++) {
				if (cok[k])
					pb_csv_u64(w, cv[k]);
				else
					pb_csv_na(w);
			}
			pb_csv_end(w);
			for (int k = 0; extra && extra[k] && k < PB_KERNEL_MAX_EXTRA; k++) {
				struct pb_csv *e = o->events;
				pb_csv_begin(e);
				pb_csv_str(e, experiment);
				pb_csv_str(e, d->name);
				pb_csv_u64(e, n);
				pb_csv_u64(e, rep);
				if (total)
					pb_csv_str(e, "total");
				else
					pb_csv_u64(e, t);
				pb_csv_str(e, extra[k]);
				pb_csv_u64(e, ev[k]);
				pb_csv_end(e);
			}
		}
	}
	/* summary rows */
	memo_put(d->name, params, n, mns[n].median, mrate[n].median);
	const struct result_memo *one = memo_find(d->name, params, 1);
	const struct result_memo *base =
		d->baseline && base_params ? memo_find(d->baseline, base_params, n) : NULL;
	char base_name[256];
	snprintf(base_name, sizeof(base_name), "%s%s%s", d->baseline ? d->baseline : "",
		 base_params && base_params[0] ? ":" : "", base_params ? base_params : "");
	for (unsigned t = 0; t <= n; t++) {
		struct pb_csv *s = o->summary;
		pb_csv_begin(s);
		pb_csv_str(s, experiment);
		pb_csv_str(s, d->name);
		pb_csv_str(s, params);
		pb_csv_u64(s, n);
		pb_csv_str(s, pb_pin_name(ro->pin));
		if (t == n)
			pb_csv_str(s, "total");
		else
			pb_csv_u64(s, t);
		pb_csv_u64(s, m);
		pb_csv_dbl(s, mns[t].median);
		pb_csv_dbl(s, mns[t].lo);
		pb_csv_dbl(s, mns[t].hi);
		pb_csv_u64(s, (uint64_t)mns[t].ci_valid);
		pb_csv_dbl(s, mrate[t].median);
		pb_csv_dbl(s, mrate[t].lo);
		pb_csv_dbl(s, mrate[t].hi);
		if (t == n && one)
			pb_csv_dbl(s, mrate[n].median / one->median_ops_per_s);
		else
			pb_csv_na(s);
		pb_csv_str(s, d->baseline ? base_name : NULL);
		if (t == n && base) {
			pb_csv_dbl(s, base->median_ns_per_op);
			pb_csv_dbl(s, mns[n].median / base->median_ns_per_op);
		} else {
			pb_csv_na(s);
			pb_csv_na(s);
		}
		pb_csv_u64(s, (uint64_t)valid);
		pb_csv_end(s);
	}
	pb_progress_clear();
	fprintf(stderr, "  %-22s %2u thr  %10.2f ns/%s  %12.4g ops/s total%s%s\n", d->name, n,
		mns[n].median, d->op_unit ? d->op_unit : "op", mrate[n].median,
		valid ? "" : "  [INVALID]", plan.oversubscribed ? "  [oversubscribed]" : "");
	if (base)
		fprintf(stderr, "  %-22s         ratio vs %s: %.2fx\n", "", base_name,
			mns[n].median / base->median_ns_per_op);
	free(mns);
	free(mrate);
	free(ns);
	free(rate);
	free(c.rec);
	free(c.kt);
	free(bound);
	free(thread_node);
	pb_plan_free(&plan);
	return valid ? 0 : -EPROTO;
}

static int open_outputs(struct out *o, const struct run_opts *ro, int argc, char **argv)
{
	char err[512];
	o->run = pb_run_create(ro->results, argc, argv, err, sizeof(err));
	if (!o->run) {
		pb_error("run", "%s", err);
		return -EIO;
	}
	size_t nb = PB_ARRAY_SIZE(base_cols) - 1;
	o->cols = calloc(nb + PB_CTR__COUNT + 1, sizeof(char *));
	for (size_t i = 0; i < nb; i++)
		o->cols[i] = base_cols[i];
	for (int k = 0; k < PB_CTR__COUNT; k++)
		o->cols[nb + (size_t)k] = pb_ctr_column((enum pb_ctr)k);
	o->runs = pb_run_csv(o->run, "runs.csv", o->cols, ro->csv ? stdout : NULL);
	o->summary = pb_run_csv(o->run, "summary.csv", summary_cols, NULL);
	o->events = pb_run_csv(o->run, "events.csv", event_cols, NULL);
	if (!o->runs || !o->summary || !o->events) {
		pb_error("run", "cannot create CSV files in %s", pb_run_dir(o->run));
		pb_run_abort(o->run);
		free(o->cols);
		return -EIO;
	}
	note_counter_nas(o);
	char buf[256] = "";
	for (size_t i = 0; i < ro->nthreads; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%llu", i ? "," : "",
			 (unsigned long long)ro->threads[i]);
	pb_run_config_json(o->run, "threads", buf[0] ? buf : "null");
	snprintf(buf, sizeof(buf), "%u", ro->reps);
	pb_run_config_json(o->run, "reps", buf);
	pb_run_config_json(o->run, "warmup_reps", "1");
	pb_run_config_str(o->run, "pin", pb_pin_name(ro->pin));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ro->seed);
	pb_run_config_json(o->run, "seed", buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ro->ops);
	pb_run_config_json(o->run, "ops_per_thread_override", ro->ops ? buf : "null");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ro->size);
	pb_run_config_json(o->run, "size_override_bytes", ro->size ? buf : "null");
	return 0;
}

static int finish_outputs(struct out *o)
{
	free(o->cols);
	const char *dir = pb_run_dir(o->run);
	char d[4096];
	snprintf(d, sizeof(d), "%s", dir);
	int rc = pb_run_finish(o->run);
	if (rc) {
		pb_error("run", "cannot write results in %s: %s", d, strerror(-rc));
		return rc;
	}
	fprintf(stderr, "results: %s\n", d);
	return 0;
}

/* Run kernel d (and first its baseline, unless disabled) at every thread count. */
static int run_kernel(struct out *o, const struct pb_kernel_desc *d, const struct run_opts *ro,
		      const char *params, unsigned *failures)
{
	int rc = 0;
	const struct pb_kernel_desc *b = NULL;
	if (ro->baseline && d->baseline) {
		b = pb_kernel_find(d->baseline);
		if (!b)
			pb_error("run", "%s: baseline kernel '%s' is not registered", d->name,
				 d->baseline);
	}
	for (size_t i = 0; i < ro->nthreads; i++) {
		unsigned n = (unsigned)ro->threads[i];
		/* The baseline runs with the kernel's parameters when it takes
		 * them (same pattern, same sizes), else with its defaults. */
		const char *bp = NULL;
		if (b) {
			if (memo_find(b->name, params, n) ||
			    (params[0] && run_config(o, b, ro, n, params, NULL, 1) == 0))
				bp = params;
			else if (memo_find(b->name, "", n) || run_config(o, b, ro, n, "", NULL, 0) == 0)
				bp = "";
		}
		/* In a suite a baseline may already have run with its defaults. */
		if (!params[0] && memo_find(d->name, "", n))
			continue;
		int r = run_config(o, d, ro, n, params, bp, 0);
		if (r) {
			(*failures)++;
			if (r == -EINVAL) /* bad parameters: no point in other thread counts */
				return r;
			rc = r;
		}
	}
	return rc;
}

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: pagebench run KERNEL [options]\n"
		"       pagebench suite default|bench|all [options]\n"
		"Runs a registered kernel (see `pagebench list kernels`) on pinned threads and\n"
		"writes a new folder results/<UTC>-<host>-<id>/ with runs.csv, summary.csv,\n"
		"events.csv and meta.json.\n"
		"options:\n"
		"  --threads LIST   thread counts, e.g. 1,2,4 or 1-4 (default: 1,2 capped at PUs)\n"
		"  --reps N         measured repetitions after one warm-up (default 5)\n"
		"  --pin P          compact|scatter|numa|none (default compact)\n"
		"  --ops N          operations per thread per repetition (default: kernel's)\n"
		"  --size S         working-set size, K/M/G suffix (default: kernel's)\n"
		"  --seed N         seed for every random choice (default 1; recorded)\n"
		"  --param K=V,...  kernel parameters (see `pagebench list kernels -v`)\n"
		"  --no-baseline    do not run the kernel's baseline for the overhead ratio\n"
		"  --results DIR    results root (default $PAGEBENCH_RESULTS or ./results)\n"
		"  --csv            also print runs.csv rows on stdout\n");
}

static void parse_run_opts(const char *cmd, int argc, char **argv, struct run_opts *ro)
{
	static const struct option lo[] = {
		{"threads", required_argument, 0, 't'}, {"reps", required_argument, 0, 'r'},
		{"pin", required_argument, 0, 'p'},     {"ops", required_argument, 0, 'o'},
		{"size", required_argument, 0, 's'},    {"seed", required_argument, 0, 'S'},
		{"param", required_argument, 0, 'P'},   {"csv", no_argument, 0, 'c'},
		{"no-baseline", no_argument, 0, 'B'},   {"results", required_argument, 0, 'R'},
		{"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
	memset(ro, 0, sizeof(*ro));
	ro->reps = 5;
	ro->pin = PB_PIN_COMPACT;
	ro->seed = 1;
	ro->params = "";
	ro->baseline = 1;
	opterr = 0;
	optind = 1;
	int ch;
	uint64_t v;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (pb_parse_u64_list(optarg, &ro->threads, &ro->nthreads))
				pb_usage_error(cmd, "bad --threads '%s' (expected e.g. 1,2,4 or 1-4)", optarg);
			for (size_t i = 0; i < ro->nthreads; i++)
				if (ro->threads[i] < 1 || ro->threads[i] > 1024)
					pb_usage_error(cmd, "bad --threads '%s' (each count 1..1024)", optarg);
			break;
		case 'r':
			if (pb_parse_u64(optarg, &v) || v < 1 || v > 10000)
				pb_usage_error(cmd, "bad --reps '%s' (expected 1..10000)", optarg);
			ro->reps = (unsigned)v;
			break;
		case 'p':
			if (pb_pin_parse(optarg, &ro->pin))
				pb_usage_error(cmd, "bad --pin '%s' (expected compact|scatter|numa|none)", optarg);
			break;
		case 'o':
			if (pb_parse_size(optarg, &ro->ops) || ro->ops == 0)
				pb_usage_error(cmd, "bad --ops '%s' (expected a positive count)", optarg);
			break;
		case 's':
			if (pb_parse_size(optarg, &ro->size) || ro->size == 0)
				pb_usage_error(cmd, "bad --size '%s' (expected bytes, e.g. 64M)", optarg);
			break;
		case 'S':
			if (pb_parse_u64(optarg, &ro->seed))
				pb_usage_error(cmd, "bad --seed '%s' (expected an unsigned integer)", optarg);
			break;
		case 'P': ro->params = optarg; break;
		case 'c': ro->csv = 1; break;
		case 'B': ro->baseline = 0; break;
		case 'R':
			if (!optarg[0])
				pb_usage_error(cmd, "bad --results '' (expected a folder)");
			ro->results = optarg;
			break;
		case 'h': run_usage(stdout); exit(0);
		default:
			if (ch == ':' || (optopt && strchr("trposSPR", optopt)))
				pb_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			pb_usage_error(cmd, "unknown or incomplete option '%s' (see pagebench %s --help)",
				       argv[optind - 1], cmd);
		}
	}
	if (!ro->threads) {
		unsigned npu = pb_topo_npus();
		ro->nthreads = npu >= 2 ? 2 : 1;
		ro->threads = calloc(2, sizeof(uint64_t));
		ro->threads[0] = 1;
		ro->threads[1] = 2;
	}
}

int pb_cmd_run(int argc, char **argv)
{
	struct run_opts ro;
	parse_run_opts("run", argc, argv, &ro);
	if (optind >= argc)
		pb_usage_error("run", "missing KERNEL (see `pagebench list kernels`)");
	if (optind + 1 < argc)
		pb_usage_error("run", "unexpected argument '%s'", argv[optind + 1]);
	const struct pb_kernel_desc *d = pb_kernel_find(argv[optind]);
	if (!d)
		pb_usage_error("run", "unknown kernel '%s' (see `pagebench list kernels`)", argv[optind]);
	if (ro.params[0]) {
		/* Reject bad parameters before a run folder is created. */
		int node0 = 0;
		char err[512] = "";
		struct pb_kernel_cfg cfg = {
			.nthreads = 1, .ops = ro.ops, .size = ro.size, .seed = ro.seed,
			.params = ro.params, .thread_node = &node0, .nnodes = 1,
			.err = err, .errlen = sizeof(err),
		};
		void *state = NULL;
		int src = d->setup(&cfg, &state);
		if (src == 0)
			d->teardown(state);
		else if (src == -EINVAL)
			pb_usage_error("run", "%s: %s", d->name, err[0] ? err : strerror(-src));
	}
	struct out o = {0};
	if (open_outputs(&o, &ro, argc, argv))
		return PB_EXIT_FAIL;
	pb_run_config_str(o.run, "kernel", d->name);
	pb_run_config_str(o.run, "params", ro.params);
	uint64_t total_reps = 0;
	for (size_t i = 0; i < ro.nthreads; i++)
		total_reps += (ro.reps + 1) * ro.threads[i] * (d->baseline && ro.baseline ? 2 : 1);
	pb_progress_begin(d->name, total_reps);
	unsigned failures = 0;
	int rc = run_kernel(&o, d, &ro, ro.params, &failures);
	pb_progress_end();
	if (rc == -EINVAL) {
		pb_run_abort(o.run);
		free(o.cols);
		free(ro.threads);
		return PB_EXIT_USAGE;
	}
	int frc = finish_outputs(&o);
	free(ro.threads);
	return frc || failures ? PB_EXIT_FAIL : PB_EXIT_OK;
}
