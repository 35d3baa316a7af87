/* SPDX-License-Identifier: MIT */
/* Median and its distribution-free 95% confidence interval; pb_stat_of
 * (warm-up excluded, NaN skipped, a CI from 6 measured samples). */
#include <math.h>

#include "internal.h"
#include "pagebench/measure.h"
#include "pbtest.h"

int main(void)
{
	double a[] = {5, 1, 3};
	struct pb_median_ci r = pb_median_ci(a, 3);
	PB_CHECK(r.median == 3 && !r.ci_valid && r.lo == 1 && r.hi == 5);
	double b[] = {4, 1, 3, 2};
	r = pb_median_ci(b, 4);
	PB_CHECK(r.median == 2.5);
	double c[11];
	for (int i = 0; i < 11; i++)
		c[i] = 10 - i; /* 10..0 */
	r = pb_median_ci(c, 11);
	PB_CHECK(r.median == 5);
	PB_CHECK(r.ci_valid);
	/* n=11: j = floor((11-6.5)/2) = 2, k = ceil(1+(11+6.5)/2) = 10 (1-based) */
	PB_CHECK(r.lo == 1 && r.hi == 9);
	PB_CHECK(r.lo <= r.median && r.median <= r.hi);
	r = pb_median_ci(c, 0);
	PB_CHECK(isnan(r.median));

	/* The warm-up sample (1000) is left out; NaN is not a sample. */
	double s[] = {1000, 5, 1, NAN, 3, 2, 4, 6};
	struct pb_stat st = pb_stat_of(s, 8, 1);
	PB_CHECK_EQ_U64(st.n, 6);
	PB_CHECK(st.median == 3.5 && st.ci95_valid && st.lo == 1 && st.hi == 6);
	st = pb_stat_of(s, 5, 1); /* 5, 1, NaN, 3: three samples, no CI */
	PB_CHECK(st.n == 3 && st.median == 3 && !st.ci95_valid && st.lo == 1 && st.hi == 5);
	st = pb_stat_of(s, 1, 1); /* only the warm-up */
	PB_CHECK(st.n == 0 && isnan(st.median) && !st.ci95_valid);
	PB_CHECK_EQ_U64(PB_STAT_MIN_CI_REPS, 6);
	double six[] = {0, 1, 2, 3, 4, 5, 6};
	PB_CHECK(pb_stat_of(six, 7, 1).ci95_valid && !pb_stat_of(six, 6, 1).ci95_valid);
	return pb_test_done();
}
