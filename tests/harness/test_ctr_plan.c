/* SPDX-License-Identifier: MIT */
/*
 * The hardware-event planner against capability tables of real CPUs (no
 * PMU needed): 4 programmable counters (Intel core with HT on), 6 (AMD
 * Zen), 8 (Intel without HT), a derived TLB preset needing 2 counters,
 * multiplexing, fixed counters and an event wider than the PMU.
 */
#include <string.h>

#include "pagebench/counters.h"
#include "pbtest.h"

/* The seven presets pagebench asks for; PAPI_TLB_DM derived from 2. */
static const struct pb_ctr_want presets[] = {
    {"PAPI_TOT_CYC", 1, 1}, {"PAPI_TOT_INS", 1, 1}, {"PAPI_L1_DCM", 1, 0}, {"PAPI_L2_DCM", 1, 0},
    {"PAPI_L3_TCM", 1, 0},  {"PAPI_TLB_DM", 2, 0},  {"PAPI_TLB_IM", 1, 0},
};
#define N (sizeof(presets) / sizeof(presets[0]))

/* Every pass fits the counters; every event is in exactly one pass. */
static void check_fits(const struct pb_ctr_cap *cap, const struct pb_ctr_plan *p)
{
	for (unsigned pass = 0; pass < p->npasses; pass++) {
		unsigned used = 0;
		for (size_t i = 0; i < N; i++)
			if (p->pass[i] == (int)pass)
				used += presets[i].width;
		if (p->method != PB_CTR_MULTIPLEX)
			PB_CHECK_MSG(used <= cap->ncounters, "pass %u uses %u of %u", pass, used,
				     cap->ncounters);
		PB_CHECK_MSG(used > 0, "pass %u is empty", pass);
	}
	for (size_t i = 0; i < N; i++)
		PB_CHECK(p->pass[i] == PB_CTR_EVERY_PASS || p->pass[i] == PB_CTR_NO_PASS ||
			 (p->pass[i] >= 0 && (unsigned)p->pass[i] < p->npasses));
}

int main(void)
{
	struct pb_ctr_plan p;
	/* 8 counters: 8 counters' worth (1+1+1+1+1+2+1) fits one set. */
	struct pb_ctr_cap c8 = {8, 0, 1};
	PB_CHECK(pb_ctr_plan_make(&c8, presets, N, 0, &p) == 0);
	PB_CHECK(p.method == PB_CTR_ONE_SET && p.npasses == 1);
	for (size_t i = 0; i < N; i++)
		PB_CHECK_EQ_U64(p.pass[i], 0);
	check_fits(&c8, &p);

	/* 6 counters (Zen): 8 wide does not fit: two passes; the derived TLB
	 * preset goes first (widest) and stays whole. */
	struct pb_ctr_cap c6 = {6, 0, 1};
	PB_CHECK(pb_ctr_plan_make(&c6, presets, N, 0, &p) == 0);
	PB_CHECK(p.method == PB_CTR_PASSES && p.npasses == 2);
	PB_CHECK_EQ_U64(p.pass[5], 0);
	check_fits(&c6, &p);

	/* 4 counters: two passes (4 + 4). */
	struct pb_ctr_cap c4 = {4, 0, 1};
	PB_CHECK(pb_ctr_plan_make(&c4, presets, N, 0, &p) == 0);
	PB_CHECK(p.method == PB_CTR_PASSES && p.npasses == 2);
	check_fits(&c4, &p);
	/* ... or one multiplexed set when asked and possible ... */
	PB_CHECK(pb_ctr_plan_make(&c4, presets, N, 1, &p) == 0);
	PB_CHECK(p.method == PB_CTR_MULTIPLEX && p.npasses == 1);
	for (size_t i = 0; i < N; i++)
		PB_CHECK_EQ_U64(p.pass[i], 0);
	/* ... but passes when the component cannot multiplex. */
	struct pb_ctr_cap c4n = {4, 0, 0};
	PB_CHECK(pb_ctr_plan_make(&c4n, presets, N, 1, &p) == 0);
	PB_CHECK(p.method == PB_CTR_PASSES && p.npasses == 2);

	/* 4 programmable + 2 fixed (cycles, instructions): 6 wide in 4 = 2 passes,
	 * cycles and instructions counted in every pass. */
	struct pb_ctr_cap c4f = {4, 2, 0};
	PB_CHECK(pb_ctr_plan_make(&c4f, presets, N, 0, &p) == 0);
	PB_CHECK(p.pass[0] == PB_CTR_EVERY_PASS && p.pass[1] == PB_CTR_EVERY_PASS);
	PB_CHECK(p.npasses == 2);
	check_fits(&c4f, &p);

	/* 3 presets that fit 4 counters exactly: one set. */
	PB_CHECK(pb_ctr_plan_make(&c4, presets + 2, 3, 0, &p) == 0);
	PB_CHECK(p.method == PB_CTR_ONE_SET && p.npasses == 1);

	/* 1 counter: the 2-wide TLB preset can never be counted; the others
	 * take one pass each. */
	struct pb_ctr_cap c1 = {1, 0, 0};
	PB_CHECK(pb_ctr_plan_make(&c1, presets, N, 0, &p) == 0);
	PB_CHECK(p.pass[5] == PB_CTR_NO_PASS);
	PB_CHECK_EQ_U64(p.npasses, 6);
	PB_CHECK(!strcmp(pb_ctr_method_name(p.method), "passes"));

	/* Bad input. */
	struct pb_ctr_want zero = {"X", 0, 0};
	PB_CHECK(pb_ctr_plan_make(&c4, &zero, 1, 0, &p) < 0);
	PB_CHECK(pb_ctr_plan_make(&c4, presets, PB_CTR_MAX_WANT + 1, 0, &p) < 0);
	return pb_test_done();
}
