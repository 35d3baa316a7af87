/* SPDX-License-Identifier: MIT */
/*
 * pagebench/stats.h - tests across repetitions: Mann-Whitney U and a
 * bootstrap interval of a ratio of medians.
 *
 * `pagebench compare` decides with these; they are public so other tools
 * (a CI script written in C, the plot command) reach the same verdicts.
 *
 * Caller: any thread; no global state (the bootstrap's generator is
 * seeded per call, so a result depends only on its inputs and the seed).
 * Errors: 0 or -errno (-EINVAL on an empty sample, a NaN or a bad level,
 * -ENOMEM).
 */
#ifndef PAGEBENCH_STATS_H
#define PAGEBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"

/* Median of n values (n > 0; the mean of the two middle ones for even n).
 * NaN when n == 0 or on allocation failure. */
double pb_stat_median(const double *x, size_t n);

enum pb_mwu_method {
	PB_MWU_EXACT = 0,  /* exact null distribution (no ties, n + m <= PB_MWU_EXACT_MAX) */
	PB_MWU_NORMAL = 1, /* normal approximation, tie-corrected variance, continuity correction */
};
#define PB_MWU_EXACT_MAX 60

struct pb_mwu {
	double u_x; /* U of x: pairs with x_i > y_j, plus half the ties */
	double u_y; /* n_x * n_y - u_x */
	double z;   /* standardised statistic (normal method; 0 for exact) */
	double p;   /* two-sided p-value */
	enum pb_mwu_method method;
	size_t n_tied; /* values involved in ties */
};

/*
 * Two-sided Mann-Whitney U test of x against y (the Wilcoxon rank-sum
 * test): do values of x tend to be larger or smaller than those of y?
 * Exact when there are no ties and n_x + n_y <= PB_MWU_EXACT_MAX (the
 * distribution of U by the Gaussian-binomial recurrence), else the normal
 * approximation with the tie correction of the variance,
 *   sigma^2 = n_x n_y / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1))),
 * and a continuity correction of 0.5.
 */
int pb_mwu_test(const double *x, size_t n_x, const double *y, size_t n_y,
		struct pb_mwu *out) PB_MUST_CHECK;

struct pb_sample {
	const double *x;
	size_t n;
};

struct pb_boot_ci {
	double estimate; /* the statistic on the data itself */
	double lo, hi;	 /* percentile interval at `level` */
	unsigned resamples;
	uint64_t seed;
};

/*
 * Bootstrap percentile interval of
 *     prod median(num[i]) / prod median(den[j])
 * resampling each sample independently with replacement (`resamples`
 * times, generator seeded with `seed`: the same inputs and seed give the
 * same interval).  One sample on each side is the ratio of medians
 * new/base; two on each side, num = {new_kernel, base_baseline} and
 * den = {new_baseline, base_kernel}, is the baseline-normalised ratio
 * (new_k / new_b) / (base_k / base_b).  level is e.g. 0.95.
 * -EDOM if a resampled denominator median is 0.
 */
int pb_boot_median_ratio(const struct pb_sample *num, size_t n_num, const struct pb_sample *den,
			 size_t n_den, unsigned resamples, uint64_t seed, double level,
			 struct pb_boot_ci *out) PB_MUST_CHECK;

#endif /* PAGEBENCH_STATS_H */
