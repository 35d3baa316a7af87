/* Median and its distribution-free 95% confidence interval. */
#include <math.h>

#include "internal.h"
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
	return pb_test_done();
}
