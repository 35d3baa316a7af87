/* SPDX-License-Identifier: MIT */
/*
 * The statistics compare decides with (pagebench/stats.h), on inputs whose
 * answers are known by hand or from textbook tables:
 *  - Mann-Whitney U exact: {1,2,3} vs {4,5,6}: U = 0, p = 2/20; the 5 vs 5
 *    table value P(U <= 2) = 4/252; 6 vs 6 fully separated: p = 2/924;
 *  - normal approximation with ties: {1,2,2} vs {2,3,3}: U = 1, tie term
 *    sum(t^3 - t) = 24 + 6, sigma^2 = 9/12 (7 - 30/30) = 4.5,
 *    z = (3.5 - 0.5) / sqrt(4.5) = sqrt(2), p = erfc(1) = 0.1572992;
 *  - the bootstrap interval of a ratio of medians: the same for the same
 *    seed, containing the true ratio on synthetic data, and the
 *    baseline-normalised ratio near 1 when kernel and baseline slow alike.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/stats.h"
#include "pbtest.h"

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

static void test_mwu(void)
{
	struct pb_mwu u;
	double a[] = {1, 2, 3}, b[] = {4, 5, 6};
	PB_CHECK(pb_mwu_test(a, 3, b, 3, &u) == 0);
	PB_CHECK(u.method == PB_MWU_EXACT);
	PB_CHECK(u.u_x == 0 && u.u_y == 9);
	PB_CHECK_MSG(near(u.p, 0.1, 1e-12), "p %g", u.p);
	/* symmetric */
	PB_CHECK(pb_mwu_test(b, 3, a, 3, &u) == 0);
	PB_CHECK(u.u_x == 9 && near(u.p, 0.1, 1e-12));

	/* 5 vs 5, U = 2: the tables' P(U <= 2) = 4/252 = 0.0159 */
	double x[] = {1, 2, 3, 4, 7}, y[] = {5, 6, 8, 9, 10};
	PB_CHECK(pb_mwu_test(x, 5, y, 5, &u) == 0);
	PB_CHECK(u.u_x == 2);
	PB_CHECK_MSG(near(u.p, 8.0 / 252, 1e-12), "p %g", u.p);

	/* 6 vs 6 fully separated: 2 / C(12,6) */
	double s[] = {1, 2, 3, 4, 5, 6}, t[] = {7, 8, 9, 10, 11, 12};
	PB_CHECK(pb_mwu_test(t, 6, s, 6, &u) == 0);
	PB_CHECK(u.u_x == 36 && u.method == PB_MWU_EXACT);
	PB_CHECK_MSG(near(u.p, 2.0 / 924, 1e-12), "p %g", u.p);

	/* ties: normal approximation with the tie-corrected variance */
	double tx[] = {1, 2, 2}, ty[] = {2, 3, 3};
	PB_CHECK(pb_mwu_test(tx, 3, ty, 3, &u) == 0);
	PB_CHECK(u.method == PB_MWU_NORMAL);
	PB_CHECK(u.u_x == 1 && u.n_tied == 5);
	PB_CHECK_MSG(near(u.z, -sqrt(2.0), 1e-12), "z %g", u.z);
	PB_CHECK_MSG(near(u.p, 0.15729920705028513, 1e-12), "p %g", u.p);

	/* identical samples: no evidence of a difference */
	PB_CHECK(pb_mwu_test(s, 6, s, 6, &u) == 0);
	PB_CHECK(near(u.p, 1, 1e-12));

	/* large samples (beyond the exact limit), no ties */
	double big_x[40], big_y[40];
	for (int i = 0; i < 40; i++) {
		big_x[i] = i;
		big_y[i] = 40 + i;
	}
	PB_CHECK(pb_mwu_test(big_x, 40, big_y, 40, &u) == 0);
	PB_CHECK(u.method == PB_MWU_NORMAL && u.u_x == 0);
	/* z = -(800 - 0.5) / sqrt(40*40/12*81) */
	PB_CHECK_MSG(near(u.z, -799.5 / sqrt(10800.0), 1e-9), "z %g", u.z);
	PB_CHECK(u.p < 1e-10);

	/* an exact result agrees with the normal one where both are fair:
	 * 10 vs 10 interleaved, U = 40 */
	double ix[10], iy[10];
	for (int i = 0; i < 10; i++) {
		ix[i] = 2 * i + (i < 5 ? 0 : 1);
		iy[i] = 2 * i + (i < 5 ? 1 : 0);
	}
	PB_CHECK(pb_mwu_test(ix, 10, iy, 10, &u) == 0);
	PB_CHECK(u.method == PB_MWU_EXACT && u.p > 0.5 && u.p <= 1);

	/* bad input */
	double nanv[] = {1, NAN};
	PB_CHECK(pb_mwu_test(a, 0, b, 3, &u) == -EINVAL);
	PB_CHECK(pb_mwu_test(nanv, 2, b, 3, &u) == -EINVAL);
}

static void synth(double *v, size_t n, double scale, uint64_t seed)
{
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		v[i] = scale * (1 + 0.1 * pb_rng_double(&r));
}

static void test_bootstrap(void)
{
	double num[30], den[30];
	synth(num, 30, 2.0, 11);
	synth(den, 30, 1.0, 12);
	struct pb_sample sn = {num, 30}, sd = {den, 30};
	struct pb_boot_ci a, b, c;
	PB_CHECK(pb_boot_median_ratio(&sn, 1, &sd, 1, 2000, 7, 0.95, &a) == 0);
	PB_CHECK(pb_boot_median_ratio(&sn, 1, &sd, 1, 2000, 7, 0.95, &b) == 0);
	PB_CHECK(a.lo == b.lo && a.hi == b.hi && a.estimate == b.estimate); /* deterministic */
	PB_CHECK(a.seed == 7 && a.resamples == 2000);
	PB_CHECK_MSG(a.lo < 2.0 && 2.0 < a.hi, "[%g, %g]", a.lo, a.hi); /* true ratio inside */
	PB_CHECK_MSG(a.lo > 1.8 && a.hi < 2.2, "[%g, %g]", a.lo, a.hi); /* and tight */
	PB_CHECK(a.lo <= a.estimate && a.estimate <= a.hi);
	PB_CHECK(pb_boot_median_ratio(&sn, 1, &sd, 1, 2000, 8, 0.95, &c) == 0);
	PB_CHECK(c.lo != a.lo || c.hi != a.hi); /* the seed matters */
	PB_CHECK(c.lo < 2.0 && 2.0 < c.hi);

	/* normalised: the machine got 1.5x slower for kernel and baseline alike */
	double bk[12], bb[12], nk[12], nb[12];
	synth(bk, 12, 2.0, 21);
	synth(bb, 12, 1.0, 22);
	synth(nk, 12, 3.0, 23);
	synth(nb, 12, 1.5, 24);
	struct pb_sample n2[2] = {{nk, 12}, {bb, 12}}, d2[2] = {{nb, 12}, {bk, 12}};
	PB_CHECK(pb_boot_median_ratio(n2, 2, d2, 2, 2000, 1, 0.95, &a) == 0);
	PB_CHECK_MSG(a.lo < 1.0 && 1.0 < a.hi, "normalised [%g, %g]", a.lo, a.hi);
	struct pb_sample rn = {nk, 12}, rd = {bk, 12};
	PB_CHECK(pb_boot_median_ratio(&rn, 1, &rd, 1, 2000, 1, 0.95, &b) == 0);
	PB_CHECK_MSG(b.lo > 1.3, "raw [%g, %g]", b.lo, b.hi); /* raw sees the machine */

	/* bad input */
	double zero[3] = {0, 0, 0};
	struct pb_sample z = {zero, 3}, e = {num, 0};
	PB_CHECK(pb_boot_median_ratio(&sn, 1, &z, 1, 100, 1, 0.95, &a) == -EDOM);
	PB_CHECK(pb_boot_median_ratio(&sn, 1, &e, 1, 100, 1, 0.95, &a) == -EINVAL);
	PB_CHECK(pb_boot_median_ratio(&sn, 1, &sd, 1, 100, 1, 1.5, &a) == -EINVAL);

	double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2};
	PB_CHECK(pb_stat_median(odd, 3) == 2 && pb_stat_median(even, 4) == 2.5);
	PB_CHECK(isnan(pb_stat_median(odd, 0)));
}

int main(void)
{
	test_mwu();
	test_bootstrap();
	return pb_test_done();
}
