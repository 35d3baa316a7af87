/* SPDX-License-Identifier: MIT */
/*
 * harness/stats.c - median and its 95% confidence interval.
 *
 * Distribution-free CI of the median from order statistics (as in
 * Le Boudec, "Performance Evaluation of Computer and Communication
 * Systems", 2.2.1): with n samples sorted, the interval
 * [x_(j), x_(k)], j = floor((n - 1.96 sqrt(n)) / 2), k = ceil(1 + (n +
 * 1.96 sqrt(n)) / 2) (1-based) covers the median with >= 95% probability.
 * For n < 6 no such interval exists: ci_valid = 0 and lo/hi are the min and
 * max of the samples.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/measure.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct pb_median_ci pb_median_ci(const double *x, size_t n)
{
	struct pb_median_ci r = {NAN, NAN, NAN, 0};
	if (n == 0)
		return r;
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return r;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_dbl);
	r.median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
	if (n >= 6) {
		double h = 1.96 * sqrt((double)n);
		long j = (long)floor(((double)n - h) / 2.0);
		long k = (long)ceil(1.0 + ((double)n + h) / 2.0);
		if (j < 1)
			j = 1;
		if (k > (long)n)
			k = (long)n;
		r.lo = s[j - 1];
		r.hi = s[k - 1];
		r.ci_valid = 1;
	} else {
		r.lo = s[0];
		r.hi = s[n - 1];
	}
	free(s);
	return r;
}

struct pb_stat pb_stat_of(const double *samples, size_t nreps, size_t warmup)
{
	struct pb_stat st = {NAN, NAN, NAN, 0, 0};
	if (nreps <= warmup)
		return st;
	double *x = malloc((nreps - warmup) * sizeof(*x));
	if (!x)
		return st;
	size_t n = 0;
	for (size_t i = warmup; i < nreps; i++)
		if (!isnan(samples[i]))
			x[n++] = samples[i];
	struct pb_median_ci m = pb_median_ci(x, n);
	free(x);
	st.median = m.median;
	st.lo = m.lo;
	st.hi = m.hi;
	st.ci95_valid = m.ci_valid;
	st.n = (unsigned)n;
	return st;
}
