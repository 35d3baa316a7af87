/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/significance.c - Mann-Whitney U and the bootstrap
 * interval of a ratio of medians (pagebench/stats.h).
 *
 * Why these two: repetitions of a benchmark are not normal (a long right
 * tail from interrupts and migrations; a second mode when a run lands on
 * a busy sibling), so the test must be distribution-free.  Mann-Whitney U
 * asks whether one side's repetitions tend to be larger than the other's;
 * the bootstrap gives an interval for the size of the change (the ratio of
 * medians), which is what a threshold is written in.  compare calls a
 * regression only when both agree and the estimate is beyond the
 * threshold (see harness/compare/perf.c).
 *
 * Exact U distribution: the number of orderings of x (m values) and y (n
 * values) with U_x = u obeys f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u)
 * (the largest value is an x, beating all j y's, or a y); additions only,
 * so no cancellation, computed row by row in O(m n^2 m) time for the small
 * samples benchmarks have (m + n <= PB_MWU_EXACT_MAX).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/stats.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

double pb_stat_median(const double *x, size_t n)
{
	if (!n)
		return NAN;
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_dbl);
	double m = median_sorted(s, n);
	free(s);
	return m;
}

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

/* P(U_x <= u) under the null for sizes m, n (no ties). */
static int exact_cdf(size_t m, size_t n, size_t u, double *p)
{
	size_t deg = m * n + 1;
	/* prev[j], cur[j]: polynomials of degree (i-1) j and i j */
	double *prev = calloc((n + 1) * deg, sizeof(double));
	double *cur = calloc((n + 1) * deg, sizeof(double));
	if (!prev || !cur) {
		free(prev);
		free(cur);
		return -ENOMEM;
	}
	for (size_t j = 0; j <= n; j++)
		prev[j * deg] = 1; /* i = 0: one ordering, U = 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * deg * sizeof(double));
		cur[0] = 1; /* j = 0 */
		for (size_t j = 1; j <= n; j++) {
			double *c = cur + j * deg, *left = cur + (j - 1) * deg,
			       *up = prev + j * deg;
			for (size_t k = 0; k <= i * j; k++) {
				double v = k <= i * (j - 1) ? left[k] : 0;
				if (k >= j && k - j <= (i - 1) * j)
					v += up[k - j];
				c[k] = v;
			}
		}
		double *t = prev;
		prev = cur;
		cur = t;
	}
	const double *f = prev + n * deg;
	double total = 0, below = 0;
	for (size_t k = 0; k < deg; k++) {
		total += f[k];
		if (k <= u)
			below += f[k];
	}
	*p = below / total;
	free(prev);
	free(cur);
	return 0;
}

struct tagged {
	double v;
	int from_x;
};

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_dbl(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

int pb_mwu_test(const double *x, size_t n_x, const double *y, size_t n_y, struct pb_mwu *out)
{
	if (!n_x || !n_y || !all_finite(x, n_x) || !all_finite(y, n_y))
		return -EINVAL;
	size_t N = n_x + n_y;
	struct tagged *a = malloc(N * sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < n_x; i++)
		a[i] = (struct tagged){x[i], 1};
	for (size_t i = 0; i < n_y; i++)
		a[n_x + i] = (struct tagged){y[i], 0};
	qsort(a, N, sizeof(*a), cmp_tagged);
	/* Mid-ranks; rank sum of x; tie term sum(t^3 - t). */
	double rank_x = 0, tie_term = 0;
	size_t tied = 0;
	for (size_t i = 0; i < N;) {
		size_t j = i;
		while (j < N && a[j].v == a[i].v)
			j++;
		double t = (double)(j - i), mid = 0.5 * (double)(i + 1 + j); /* ranks i+1..j */
		for (size_t k = i; k < j; k++)
			if (a[k].from_x)
				rank_x += mid;
		if (j - i > 1) {
			tie_term += t * t * t - t;
			tied += j - i;
		}
		i = j;
	}
	free(a);
	double mn = (double)n_x * (double)n_y;
	*out = (struct pb_mwu){0};
	out->u_x = rank_x - (double)n_x * (double)(n_x + 1) / 2;
	out->u_y = mn - out->u_x;
	out->n_tied = tied;
	if (!tied && N <= PB_MWU_EXACT_MAX) {
		double umin = out->u_x < out->u_y ? out->u_x : out->u_y, cdf;
		int rc = exact_cdf(n_x, n_y, (size_t)llround(umin), &cdf);
		if (rc)
			return rc;
		out->method = PB_MWU_EXACT;
		out->p = fmin(1.0, 2 * cdf);
		return 0;
	}
	out->method = PB_MWU_NORMAL;
	double dn = (double)N;
	double var = mn / 12.0 * ((dn + 1) - tie_term / (dn * (dn - 1)));
	if (var <= 0) { /* every value tied: no evidence either way */
		out->p = 1;
		return 0;
	}
	double d = fabs(out->u_x - mn / 2) - 0.5;
	if (d < 0)
		d = 0;
	out->z = (out->u_x > mn / 2 ? d : -d) / sqrt(var);
	out->p = fmin(1.0, erfc(fabs(out->z) / sqrt(2.0)));
	return 0;
}

/* Median of a resample of s drawn into buf. */
static double resample_median(const struct pb_sample *s, double *buf, struct pb_rng *r)
{
	for (size_t i = 0; i < s->n; i++)
		buf[i] = s->x[pb_rng_below(r, s->n)];
	qsort(buf, s->n, sizeof(*buf), cmp_dbl);
	return median_sorted(buf, s->n);
}

/* The q-quantile of sorted v[0..n) (linear interpolation, as R type 7). */
static double quantile_sorted(const double *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

int pb_boot_median_ratio(const struct pb_sample *num, size_t n_num, const struct pb_sample *den,
			 size_t n_den, unsigned resamples, uint64_t seed, double level,
			 struct pb_boot_ci *out)
{
	if (!n_num || !n_den || resamples < 10 || !(level > 0 && level < 1))
		return -EINVAL;
	size_t maxn = 0;
	const struct pb_sample *all[2] = {num, den};
	size_t cnt[2] = {n_num, n_den};
	for (int side = 0; side < 2; side++)
		for (size_t i = 0; i < cnt[side]; i++) {
			const struct pb_sample *s = &all[side][i];
			if (!s->n || !all_finite(s->x, s->n))
				return -EINVAL;
			if (s->n > maxn)
				maxn = s->n;
		}
	double *buf = malloc(maxn * sizeof(*buf));
	double *stat = malloc(resamples * sizeof(*stat));
	if (!buf || !stat) {
		free(buf);
		free(stat);
		return -ENOMEM;
	}
	*out = (struct pb_boot_ci){.resamples = resamples, .seed = seed};
	double nprod = 1, dprod = 1;
	for (size_t i = 0; i < n_num; i++)
		nprod *= pb_stat_median(num[i].x, num[i].n);
	for (size_t i = 0; i < n_den; i++)
		dprod *= pb_stat_median(den[i].x, den[i].n);
	int rc = 0;
	if (dprod == 0) {
		rc = -EDOM;
		goto out;
	}
	out->estimate = nprod / dprod;
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	for (unsigned b = 0; b < resamples; b++) {
		double np = 1, dp = 1;
		for (size_t i = 0; i < n_num; i++)
			np *= resample_median(&num[i], buf, &r);
		for (size_t i = 0; i < n_den; i++)
			dp *= resample_median(&den[i], buf, &r);
		if (dp == 0) {
			rc = -EDOM;
			goto out;
		}
		stat[b] = np / dp;
	}
	qsort(stat, resamples, sizeof(*stat), cmp_dbl);
	out->lo = quantile_sorted(stat, resamples, (1 - level) / 2);
	out->hi = quantile_sorted(stat, resamples, 1 - (1 - level) / 2);
out:
	free(buf);
	free(stat);
	return rc;
}
