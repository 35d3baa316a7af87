/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/polgen.h - seeded reference-string generators shared by the
 * policy tests and bench_policy (header-only, static functions).
 */
#ifndef PB_TESTS_POLGEN_H
#define PB_TESTS_POLGEN_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "pagebench/common.h"

/* Zipf(s) over [0, n) by inverse CDF on a precomputed table; keys are
 * scattered (multiplied by an odd constant) so hot keys are not adjacent. */
static inline void polgen_zipf(uint64_t *out, size_t len, uint64_t n, double s, uint64_t seed)
{
	double *cdf = malloc(n * sizeof(double));
	double sum = 0;
	for (uint64_t i = 0; i < n; i++) {
		sum += 1.0 / pow((double)(i + 1), s);
		cdf[i] = sum;
	}
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	for (size_t i = 0; i < len; i++) {
		double u = pb_rng_double(&r) * sum;
		uint64_t lo = 0, hi = n - 1;
		while (lo < hi) {
			uint64_t mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		out[i] = lo * 0x9e3779b97f4a7c15ULL;
	}
	free(cdf);
}

/* Loops over `loop` pages with a `noise` share of uniform references to
 * [0, n): the pattern that defeats LRU. */
static inline void polgen_loop(uint64_t *out, size_t len, uint64_t loop, uint64_t n, double noise,
			       uint64_t seed)
{
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	uint64_t pos = 0;
	for (size_t i = 0; i < len; i++) {
		if (pb_rng_double(&r) < noise) {
			out[i] = 1000000 + pb_rng_below(&r, n);
		} else {
			out[i] = pos;
			pos = (pos + 1) % loop;
		}
	}
}

/* Phases: a hot set that shifts every `phase` references, plus scans. */
static inline void polgen_mixed(uint64_t *out, uint8_t *wr, size_t len, uint64_t seed)
{
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	for (size_t i = 0; i < len; i++) {
		uint64_t phase = i / 2000;
		double u = pb_rng_double(&r);
		if (u < 0.7)
			out[i] = phase * 37 + pb_rng_below(&r, 60);
		else if (u < 0.85)
			out[i] = 5000 + (i % 400);
		else
			out[i] = 10000 + pb_rng_below(&r, 3000);
		if (wr)
			wr[i] = pb_rng_below(&r, 4) == 0;
	}
}

#endif
