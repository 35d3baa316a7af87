/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/perf.c - the timed experiments of two sides, matched by
 * configuration and judged across repetitions.
 *
 * Matching: a configuration is (experiment, kernel, params, threads), and
 * pin too with --match-pin, so the same suite pinned differently on two
 * machines still lines up.  Several run folders on one side pool their
 * repetitions.  A configuration on one side only is a failure
 * (MISSING), so a kernel that vanishes cannot pass; a valid=0 row on
 * either side is a failure (INVALID).
 *
 * The samples are the per-repetition rows of runs.csv (warmup=0,
 * thread=total): ns_per_op of each measured repetition.  Two ways to judge:
 *
 *  raw         ratio r = median(new) / median(base);
 *  normalised  each side's kernel is divided by its baseline kernel, run
 *              in the same process (summary.csv's `baseline` column, its
 *              repetitions in runs.csv under the baseline's name):
 *              r = (median(new_k) / median(new_b)) / (median(base_k) /
 *              median(base_b)).  A machine that got slower between the
 *              runs slows kernel and baseline alike and r stays near 1;
 *              slower code moves r.
 *
 * The interval is a seeded bootstrap (pagebench/stats.h) of r, resampling
 * each of the two (raw) or four (normalised) samples; the test is
 * Mann-Whitney U on the repetitions (normalised: each repetition divided
 * by the median of its own run's baseline).  A REGRESSION is called when
 * the whole interval lies beyond the threshold (low end > 1 + threshold)
 * and p < alpha; an improvement is the mirror image.  (An interval that
 * only clears 1 is not enough: back-to-back identical runs here gave
 * [1.001, 1.348] when the kernel's phase of one process was slowed.)  In
 * the normalised mode the raw comparison of the kernel must agree as well
 * (ratio beyond the threshold, interval above 1, p < alpha): a
 * slower machine moves the raw ratio but not the normalised one, and a
 * disturbed baseline (a burst of load while only the baseline ran, seen
 * on a shared 2-core machine at 20x) moves the normalised ratio but not
 * the raw one; only slower code moves both.  Anything else is "same",
 * with the reason in the row: a change the repetitions cannot tell from
 * noise is not called.
 *
 * Normalised is the default when both sides ran baselines; then the
 * baseline kernels' own rows measure the machine, not the code, and are
 * shown as "machine" with their raw ratio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "pagebench/stats.h"

struct dv {
	double *v;
	size_t n, cap;
};

static void dv_push(struct dv *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
		if (!d->v)
			abort();
	}
	d->v[d->n++] = x;
}

/* One configuration of one side, pooled over that side's runs. */
struct pcfg {
	char *key;
	char *experiment, *kernel, *params, *threads, *pin, *baseline;
	int invalid;
	char *invalid_where;
	struct dv ns, bns, norm;
	int runs, runs_with_base;
};

struct side {
	struct pcfg *v;
	size_t n;
};

/* The repetitions of one run, grouped.  A suite's merged runs.csv holds
 * every task's rows: run_id (empty in runs that lack the column) keeps
 * the processes apart, so the same kernel at two --size is two groups. */
struct group {
	const char *experiment, *kernel, *params, *threads, *pin, *run_id;
	struct dv ns;
	size_t nreps; /* measured repetitions, NA ones included */
	int used;     /* summary.csv has its total row */
	int invalid;
	size_t invalid_line;
};

struct groups {
	struct group *v;
	size_t n;
};

static struct pcfg *side_find(struct side *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].key, key))
			return &s->v[i];
	return NULL;
}

static int parse_flag(const struct cmp_table *t, size_t row, int col, int *out, char *err,
		      size_t errlen)
{
	uint64_t v;
	int rc = cmp_count(t, row, col, &v, err, errlen);
	if (rc || v > 1) {
		const char *c = cmp_cell(t, row, col);
		snprintf(err, errlen, "%s:%zu: column %d (%s): '%.40s' is not 0 or 1", t->path,
			 t->line[row], col + 1, t->header[col], c);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

enum { R_EXP, R_KER, R_PAR, R_THR, R_PIN, R_WARM, R_THREAD, R_NS, R_VALID, R_N };

static int group_is(const struct group *x, const char *const *f, const char *run_id)
{
	return !strcmp(x->experiment, f[0]) && !strcmp(x->kernel, f[1]) &&
	       !strcmp(x->params, f[2]) && !strcmp(x->threads, f[3]) && !strcmp(x->pin, f[4]) &&
	       !strcmp(x->run_id, run_id);
}

static int load_groups(const struct cmp_table *t, struct groups *g, char *err, size_t errlen)
{
	static const char *const need[R_N] = {"experiment", "kernel", "params",	   "threads", "pin",
					      "warmup",	    "thread", "ns_per_op", "valid"};
	int ix[R_N];
	int rc = cmp_table_need(t, need, R_N, ix, err, errlen);
	if (rc)
		return rc;
	int rid = cmp_table_col(t, "run_id");
	for (size_t r = 0; r < t->nrows; r++) {
		int warm, valid;
		if ((rc = parse_flag(t, r, ix[R_WARM], &warm, err, errlen)) ||
		    (rc = parse_flag(t, r, ix[R_VALID], &valid, err, errlen)))
			return rc;
		double ns; /* every row's number is checked, used or not */
		if ((rc = cmp_time(t, r, ix[R_NS], &ns, err, errlen)))
			return rc;
		if (warm || strcmp(cmp_cell(t, r, ix[R_THREAD]), "total"))
			continue;
		const char *f[5];
		for (int k = 0; k < 5; k++)
			f[k] = cmp_cell(t, r, ix[k]);
		const char *run_id = rid >= 0 ? cmp_cell(t, r, rid) : "";
		struct group *grp = NULL;
		for (size_t i = 0; i < g->n && !grp; i++)
			if (group_is(&g->v[i], f, run_id))
				grp = &g->v[i];
		if (!grp) {
			g->v = realloc(g->v, (g->n + 1) * sizeof(*g->v));
			if (!g->v)
				abort();
			grp = &g->v[g->n++];
			*grp =
			    (struct group){f[0], f[1], f[2], f[3], f[4], run_id, {0}, 0, 0, 0, 0};
		}
		grp->nreps++;
		if (!isnan(ns))
			dv_push(&grp->ns, ns);
		if (!valid && !grp->invalid) {
			grp->invalid = 1;
			grp->invalid_line = t->line[r];
		}
	}
	return 0;
}

static void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].ns.v);
	free(g->v);
}

/* The baseline's repetitions: kernel NAME with params P ("NAME[:P]"),
 * same threads, pin and process (run_id), whatever its experiment name. */
static struct group *find_baseline(struct groups *g, const char *baseline, const char *threads,
				   const char *pin, const char *run_id)
{
	const char *colon = strchr(baseline, ':');
	size_t nl = colon ? (size_t)(colon - baseline) : strlen(baseline);
	const char *params = colon ? colon + 1 : "";
	for (size_t i = 0; i < g->n; i++) {
		struct group *x = &g->v[i];
		if (strlen(x->kernel) == nl && !strncmp(x->kernel, baseline, nl) &&
		    !strcmp(x->params, params) && !strcmp(x->threads, threads) &&
		    !strcmp(x->pin, pin) && !strcmp(x->run_id, run_id))
			return x;
	}
	return NULL;
}

enum { S_EXP, S_KER, S_PAR, S_THR, S_PIN, S_THREAD, S_BASE, S_VALID, S_MED, S_N };

static int load_side(struct cmp_run *runs, size_t nruns, int match_pin, struct side *s, char *err,
		     size_t errlen)
{
	static const char *const need[S_N] = {"experiment", "kernel", "params",
					      "threads",    "pin",    "thread",
					      "baseline",   "valid",  "median_ns_per_op"};
	for (size_t ri = 0; ri < nruns; ri++) {
		struct cmp_run *run = &runs[ri];
		if (!run->has_summary)
			continue;
		const struct cmp_table *t = &run->summary;
		int ix[S_N], rc;
		if ((rc = cmp_table_need(t, need, S_N, ix, err, errlen)))
			return rc;
		struct groups g = {0};
		if ((rc = load_groups(&run->runs, &g, err, errlen))) {
			groups_free(&g);
			return rc;
		}
		int rid = cmp_table_col(t, "run_id"), nreps = cmp_table_col(t, "reps");
		/* each total row's key (cmp_row_key), made once: every later
		 * row looks through the ones before it */
		char **keys = calloc(t->nrows ? t->nrows : 1, sizeof(*keys));
		if (!keys)
			abort(); /* as cmp_strdup */
		for (size_t r = 0; r < t->nrows; r++)
			if (!strcmp(cmp_cell(t, r, ix[S_THREAD]), "total"))
				keys[r] = cmp_row_key(
				    cmp_cell(t, r, ix[S_EXP]), cmp_cell(t, r, ix[S_KER]),
				    cmp_cell(t, r, ix[S_PAR]), cmp_cell(t, r, ix[S_THR]),
				    match_pin ? cmp_cell(t, r, ix[S_PIN]) : NULL);
		for (size_t r = 0; r < t->nrows && !rc; r++) {
			int valid;
			double med;
			/* threads goes into compare.csv's threads, a number in the
			 * JSON: a cell that is not one is refused here */
			if ((rc = parse_flag(t, r, ix[S_VALID], &valid, err, errlen)) ||
			    (rc = cmp_time(t, r, ix[S_MED], &med, err, errlen)) ||
			    (rc = cmp_cell_json(t, r, ix[S_THR], cmp_csv_kind("threads"), NULL, err,
						errlen)))
				break;
			if (strcmp(cmp_cell(t, r, ix[S_THREAD]), "total"))
				continue;
			const char *f[5];
			for (int k = 0; k < 5; k++)
				f[k] = cmp_cell(t, r, ix[k]);
			const char *run_id = rid >= 0 ? cmp_cell(t, r, rid) : "";
			/* The same configuration measured by several processes of
			 * one folder (a suite's tasks: one kernel at two --size):
			 * the k-th of them matches the k-th of the other side, and
			 * is named "NAME (k)" */
			unsigned nth = 1;
			for (size_t q = 0; q < r; q++) {
				if (!keys[q] || strcmp(keys[q], keys[r]))
					continue;
				if (!strcmp(rid >= 0 ? cmp_cell(t, q, rid) : "", run_id)) {
					snprintf(err, errlen,
						 "%s:%zu: experiment '%.200s' (%s threads) is "
						 "already at line %zu of the same run",
						 t->path, t->line[r], f[0], f[3], t->line[q]);
					rc = -EINVAL;
					break;
				}
				nth++;
			}
			if (rc)
				break;
			char *k2 = nth > 1 ? cmp_asprintf("%s\x1f#%u", keys[r], nth) : NULL;
			struct pcfg *c = side_find(s, k2 ? k2 : keys[r]);
			if (!c) {
				s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
				if (!s->v)
					abort();
				c = &s->v[s->n++];
				*c = (struct pcfg){0};
				c->key = k2 ? k2 : cmp_strdup(keys[r]);
				/* named as it is matched (cmp_row_key), not as the
				 * side's first row wrote it: an old run's uffd-pager
				 * row would show its latency_csv=PATH, a path of the
				 * machine that ran it, in the table, compare.csv and
				 * the JSON */
				char *ie = cmp_ident_experiment(f[0], f[1], f[2]);
				c->experiment =
				    nth > 1 ? cmp_asprintf("%s (%u)", ie, nth) : cmp_strdup(ie);
				free(ie);
				c->kernel = cmp_strdup(f[1]);
				c->params = cmp_ident_params(f[1], f[2]);
				c->threads = cmp_strdup(f[3]);
				c->pin = cmp_strdup(f[4]);
				const char *b = cmp_cell(t, r, ix[S_BASE]);
				c->baseline = cmp_strdup(strcmp(b, "NA") ? b : "");
			} else {
				free(k2);
			}
			c->runs++;
			if (!valid && !c->invalid) {
				c->invalid = 1;
				c->invalid_where = cmp_asprintf("%s:%zu", t->path, t->line[r]);
			}
			struct group *grp = NULL;
			for (size_t i = 0; i < g.n && !grp; i++)
				if (group_is(&g.v[i], f, run_id))
					grp = &g.v[i];
			if (!grp) {
				snprintf(
				    err, errlen,
				    "%s:%zu: experiment '%.200s' (%s threads) has no repetitions "
				    "in runs.csv",
				    t->path, t->line[r], f[0], f[3]);
				rc = -EINVAL;
				break;
			}
			/* runs.csv cut at a row boundary (a bad copy, a hand edit)
			 * parses; its repetitions must still all be there */
			uint64_t want;
			if (nreps >= 0 && (rc = cmp_count(t, r, nreps, &want, err, errlen)))
				break;
			if (nreps >= 0 && grp->nreps != want) {
				snprintf(
				    err, errlen,
				    "%s: %zu measured repetition(s) of '%.200s' (%s threads), "
				    "but %s:%zu says reps=%llu (runs.csv cut short or edited?)",
				    run->runs.path, grp->nreps, f[0], f[3], t->path, t->line[r],
				    (unsigned long long)want);
				rc = -EINVAL;
				break;
			}
			grp->used = 1;
			if (grp->invalid && !c->invalid) {
				c->invalid = 1;
				c->invalid_where =
				    cmp_asprintf("%s:%zu", run->runs.path, grp->invalid_line);
			}
			for (size_t i = 0; i < grp->ns.n; i++)
				dv_push(&c->ns, grp->ns.v[i]);
			struct group *b = c->baseline[0]
					      ? find_baseline(&g, c->baseline, f[3], f[4], run_id)
					      : NULL;
			if (b && b->ns.n) {
				double bm = pb_stat_median(b->ns.v, b->ns.n);
				for (size_t i = 0; i < b->ns.n; i++)
					dv_push(&c->bns, b->ns.v[i]);
				if (bm > 0) {
					c->runs_with_base++;
					for (size_t i = 0; i < grp->ns.n; i++)
						dv_push(&c->norm, grp->ns.v[i] / bm);
				}
			}
		}
		/* and every configuration of runs.csv must be in summary.csv:
		 * one missing there (summary.csv cut at a row boundary) is a bad
		 * file, not an experiment that vanished */
		for (size_t i = 0; i < g.n && !rc; i++) {
			if (g.v[i].used)
				continue;
			snprintf(err, errlen,
				 "%s: %zu measured repetition(s) of '%.200s' (%s threads) but no "
				 "total row for it in %s (summary.csv cut short or edited?)",
				 run->runs.path, g.v[i].nreps, g.v[i].experiment, g.v[i].threads,
				 t->path);
			rc = -EINVAL;
		}
		groups_free(&g);
		for (size_t r = 0; r < t->nrows; r++)
			free(keys[r]);
		free(keys);
		if (rc)
			return rc;
	}
	return 0;
}

static void side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct pcfg *c = &s->v[i];
		free(c->key);
		free(c->experiment);
		free(c->kernel);
		free(c->params);
		free(c->threads);
		free(c->pin);
		free(c->baseline);
		free(c->invalid_where);
		free(c->ns.v);
		free(c->bns.v);
		free(c->norm.v);
	}
	free(s->v);
}

static int has_base(const struct pcfg *c)
{
	return c->runs > 0 && c->runs_with_base == c->runs && c->bns.n;
}

/* Is kernel the baseline of some configuration of s? */
static int is_baseline_kernel(const struct side *s, const char *kernel)
{
	size_t l = strlen(kernel);
	for (size_t i = 0; i < s->n; i++) {
		const char *b = s->v[i].baseline;
		if (!strncmp(b, kernel, l) && (b[l] == 0 || b[l] == ':'))
			return 1;
	}
	return 0;
}

static struct cmp_row *row_for(struct cmp_rows *rows, const struct pcfg *c)
{
	struct cmp_row *r = cmp_rows_add(rows);
	r->kind = "perf";
	r->experiment = cmp_strdup(c->experiment);
	r->kernel = cmp_strdup(c->kernel);
	r->params = cmp_strdup(c->params);
	r->threads = cmp_strdup(c->threads);
	r->pin = cmp_strdup(c->pin);
	r->metric = cmp_strdup("ns_per_op");
	r->baseline = cmp_strdup(c->baseline);
	r->mode = "";
	r->mwu = "";
	r->base = r->new_ = r->ratio = r->lo = r->hi = r->p = r->raw_ratio = NAN;
	r->raw_lo = r->raw_hi = r->raw_p = NAN;
	return r;
}

/* -1 improvement, +1 regression, 0 neither: the estimate beyond the
 * threshold, the test significant, and the interval clear of 1 (loose:
 * the witness) or of the threshold itself (strict: the decision). */
static int direction(double est, const struct pb_boot_ci *ci, double p, const struct cmp_opts *o,
		     int strict)
{
	double margin = strict ? o->threshold : 0;
	if (p >= o->alpha)
		return 0;
	if (est > 1 + o->threshold && ci->lo > 1 + margin)
		return 1;
	if (est < 1 - o->threshold && ci->hi < 1 - margin)
		return -1;
	return 0;
}

/* The smallest two-sided p of the exact Mann-Whitney test with n and m
 * values (all of one side above all of the other): 2 / C(n + m, n), at
 * most 1.  Where it is not below alpha, no sample of these sizes can be
 * significant. */
static double mwu_p_floor(size_t n, size_t m)
{
	double c = 1; /* C(n + m, n), built as prod (m + i) / i */
	for (size_t i = 1; i <= n && c < 1e18; i++)
		c = c * (double)(m + i) / (double)i;
	return c > 2 ? 2 / c : 1;
}

static int judge(const struct pcfg *a, const struct pcfg *b, int norm, const struct cmp_opts *o,
		 struct cmp_row *r, char *err, size_t errlen)
{
	r->n_base = a->ns.n;
	r->n_new = b->ns.n;
	r->base = pb_stat_median(a->ns.v, a->ns.n);
	r->new_ = pb_stat_median(b->ns.v, b->ns.n);
	r->raw_ratio = r->new_ / r->base;
	r->mode = norm ? "normalised" : "raw";
	if (!a->ns.n || !b->ns.n || !(r->base > 0)) {
		r->verdict = CMP_NA;
		r->detail = cmp_strdup("no measured repetitions on one side");
		return 0;
	}
	/* raw: always computed (in normalised mode it is the second witness) */
	struct pb_boot_ci rci, nci;
	struct pb_mwu ru, nu;
	struct pb_sample num = {b->ns.v, b->ns.n}, den = {a->ns.v, a->ns.n};
	int rc = pb_boot_median_ratio(&num, 1, &den, 1, o->resamples, o->seed, 0.95, &rci);
	if (!rc)
		rc = pb_mwu_test(b->ns.v, b->ns.n, a->ns.v, a->ns.n, &ru);
	if (!rc && norm) {
		struct pb_sample n2[2] = {{b->ns.v, b->ns.n}, {a->bns.v, a->bns.n}};
		struct pb_sample d2[2] = {{b->bns.v, b->bns.n}, {a->ns.v, a->ns.n}};
		rc = pb_boot_median_ratio(n2, 2, d2, 2, o->resamples, o->seed, 0.95, &nci);
		if (!rc)
			rc = pb_mwu_test(b->norm.v, b->norm.n, a->norm.v, a->norm.n, &nu);
	}
	/* Each cause its own reason.  Times of 0 or below are refused as they
	 * are read (cmp_time), so neither should happen; if one does, the row
	 * is NA and says which, not a median that was never 0. */
	if (rc == -EDOM) {
		r->verdict = CMP_NA;
		r->detail = cmp_strdup("a bootstrap resample's median of 0 ns/op (a denominator): "
				       "no ratio");
		return 0;
	}
	if (rc == -EINVAL) {
		r->verdict = CMP_NA;
		r->detail = cmp_strdup("the statistics refused a sample (empty, or not a number): "
				       "no ratio");
		return 0;
	}
	if (rc) {
		snprintf(err, errlen, "statistics: %s", strerror(-rc));
		return rc;
	}
	r->raw_lo = rci.lo;
	r->raw_hi = rci.hi;
	r->raw_p = ru.p;
	const struct pb_boot_ci *ci = norm ? &nci : &rci;
	const struct pb_mwu *u = norm ? &nu : &ru;
	r->ratio = ci->estimate;
	r->lo = ci->lo;
	r->hi = ci->hi;
	r->p = u->p;
	r->mwu = u->method == PB_MWU_EXACT ? "exact" : "normal";
	/* Too few repetitions for the rank test ever to reach alpha (3 and 3:
	 * its smallest p is 0.1): nothing could be called, so "same" would
	 * pass a 1.7x slowdown.  The row fails, with the counts it needs. */
	size_t tn_b = norm ? a->norm.n : a->ns.n, tn_n = norm ? b->norm.n : b->ns.n;
	double floor_p = mwu_p_floor(tn_b, tn_n);
	if (floor_p >= o->alpha) {
		r->verdict = CMP_UNDECIDED;
		r->detail = cmp_asprintf("%zu and %zu repetitions: the rank test's smallest "
					 "two-sided p is %.3g, not below %g, so no change can be "
					 "called (%.3fx); rerun with --reps 4 or more on each side",
					 tn_b, tn_n, floor_p, o->alpha, r->ratio);
		return 0;
	}
	int raw = direction(rci.estimate, &rci, ru.p, o, 0);
	int dir = norm ? direction(nci.estimate, &nci, nu.p, o, 1)
		       : direction(rci.estimate, &rci, ru.p, o, 1);
	/* Normalised: the kernel must have moved against its baseline AND by
	 * itself, so neither a slower machine (both move) nor a disturbed
	 * baseline (only the baseline moves) is called a change of code. */
	int call = norm ? (dir == raw ? dir : 0) : dir;
	r->verdict = call > 0 ? CMP_REGRESSION : call < 0 ? CMP_IMPROVEMENT : CMP_SAME;
	if (call)
		return 0;
	/* Not called: say why. */
	int loose = norm ? direction(nci.estimate, &nci, nu.p, o, 0) : raw;
	if (norm && raw && !loose)
		r->detail =
		    cmp_asprintf("raw %.3fx, but the baseline moved alike: the machine, not "
				 "the code",
				 r->raw_ratio);
	else if (norm && loose && !raw)
		r->detail =
		    cmp_asprintf("normalised %.3fx, but the kernel itself did not change (raw "
				 "%.3fx): the baseline was disturbed",
				 r->ratio, r->raw_ratio);
	else if (norm && loose && raw && loose != raw)
		r->detail = cmp_asprintf("normalised and raw disagree in direction (raw %.3fx)",
					 r->raw_ratio);
	else if (loose)
		r->detail =
		    cmp_strdup("significant, but its 95% interval reaches into the threshold");
	else if (fabs(r->ratio - 1) > o->threshold && r->p < o->alpha)
		/* significant, but the interval spans no change: the test and
		 * the interval disagree (a bimodal sample), so not called */
		r->detail = cmp_asprintf("beyond the threshold (p=%.3g), but its 95%% interval "
					 "[%.3f, %.3f] reaches %s 1",
					 r->p, r->lo, r->hi, r->ratio > 1 ? "below" : "above");
	else if (fabs(r->ratio - 1) > o->threshold)
		r->detail =
		    cmp_strdup("beyond the threshold but not significant across repetitions");
	else if (r->p < o->alpha)
		/* a real but small change (seen: 0.995x, p=0.041): the
		 * threshold is what a CI gates on, so it is said, not called */
		r->detail = cmp_asprintf("significant (p=%.3g), but %.3fx is within the %g%% "
					 "threshold",
					 r->p, r->ratio, o->threshold * 100);
	else
		r->detail = cmp_asprintf("within the %g%% threshold (%.3fx) and not significant "
					 "(p=%.3g)",
					 o->threshold * 100, r->ratio, r->p);
	return 0;
}

int cmp_perf(struct cmp_run *base, size_t nbase, struct cmp_run *new_, size_t nnew,
	     const struct cmp_opts *o, struct cmp_rows *rows, char *err, size_t errlen)
{
	struct side a = {0}, b = {0};
	int rc = load_side(base, nbase, o->match_pin, &a, err, errlen);
	if (!rc)
		rc = load_side(new_, nnew, o->match_pin, &b, err, errlen);
	if (rc)
		goto out;
	/* Normalised when asked, or by default when both sides ran baselines. */
	int both = 0;
	for (size_t i = 0; i < a.n && !both; i++) {
		struct pcfg *y = side_find(&b, a.v[i].key);
		both = y && has_base(&a.v[i]) && has_base(y);
	}
	int norm_mode = o->mode == CMP_MODE_NORM || (o->mode == CMP_MODE_AUTO && both);
	for (size_t i = 0; i < a.n; i++)
		rows->baselines_base |= has_base(&a.v[i]);
	for (size_t i = 0; i < b.n; i++)
		rows->baselines_new |= has_base(&b.v[i]);
	for (size_t i = 0; i < a.n; i++) {
		struct pcfg *x = &a.v[i], *y = side_find(&b, x->key);
		struct cmp_row *r = row_for(rows, x);
		if (!y) {
			r->verdict = CMP_MISSING_NEW;
			r->detail = cmp_strdup("in BASE only: the experiment vanished");
			continue;
		}
		if (x->invalid || y->invalid) {
			r->verdict = CMP_INVALID;
			r->detail = cmp_asprintf("valid=0 (a self-check failed) at %s",
						 x->invalid ? x->invalid_where : y->invalid_where);
			r->n_base = x->ns.n;
			r->n_new = y->ns.n;
			continue;
		}
		int norm = norm_mode && has_base(x) && has_base(y);
		if ((rc = judge(x, y, norm, o, r, err, errlen)))
			goto out;
		if (norm)
			rows->normalised_used = 1;
		if (norm_mode && !norm) {
			if (is_baseline_kernel(&a, x->kernel) ||
			    is_baseline_kernel(&b, x->kernel)) {
				if (r->verdict != CMP_NA) {
					r->verdict = CMP_MACHINE;
					free(r->detail);
					r->detail =
					    cmp_strdup("a baseline: its raw ratio measures the "
						       "machine");
				}
			} else if (r->verdict != CMP_NA) {
				/* the reason judge() gave stays, with how it was judged */
				const char *why = has_base(x)	? "a baseline in BASE only"
						  : has_base(y) ? "a baseline in NEW only"
								: "no baseline on either side";
				char *d = r->detail;
				r->detail = d ? cmp_asprintf("%s: judged raw; %s", why, d)
					      : cmp_asprintf("%s: judged raw", why);
				free(d);
			}
		}
	}
	for (size_t i = 0; i < b.n; i++) {
		if (side_find(&a, b.v[i].key))
			continue;
		struct cmp_row *r = row_for(rows, &b.v[i]);
		r->verdict = CMP_MISSING_BASE;
		r->detail = cmp_strdup("in NEW only: not in the base run");
	}
out:
	side_free(&a);
	side_free(&b);
	return rc;
}
