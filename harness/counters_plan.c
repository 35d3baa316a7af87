/* SPDX-License-Identifier: MIT */
/*
 * harness/counters_plan.c - which hardware events are counted together.
 *
 * A PMU has a few programmable counters (4 per SMT thread on recent Intel
 * cores with HT on, 6 on AMD Zen, 8 on Intel without HT) and a few fixed
 * ones (instructions, cycles).  A PAPI preset may be derived from several
 * native events (PAPI_TLB_DM = DTLB load + store misses on many Intel
 * parts) and then occupies that many counters.  The plan:
 *   1. fixed_ok events take the fixed counters (counted in every pass);
 *   2. an event wider than the programmable counters is never counted
 *      (PB_CTR_NO_PASS: NA with that reason);
 *   3. the rest are packed first-fit-decreasing into passes of ncounters;
 *      one pass is one event set, several passes rotate over the
 *      repetitions, or, with multiplexing asked for and possible, all go
 *      into one multiplexed set (counts scaled by PAPI).
 * Pure: no PAPI here, so tests drive it with capability tables.
 */
#include <errno.h>

#include "pagebench/counters.h"

const char *pb_ctr_method_name(enum pb_ctr_method m)
{
	switch (m) {
	case PB_CTR_ONE_SET:
		return "one_set";
	case PB_CTR_PASSES:
		return "passes";
	case PB_CTR_MULTIPLEX:
		return "multiplex";
	}
	return "?";
}

int pb_ctr_plan_make(const struct pb_ctr_cap *cap, const struct pb_ctr_want *want, size_t n,
		     int multiplex, struct pb_ctr_plan *out)
{
	if (n > PB_CTR_MAX_WANT || !cap)
		return -EINVAL;
	*out = (struct pb_ctr_plan){.method = PB_CTR_ONE_SET, .npasses = 1};
	unsigned fixed_left = cap->nfixed;
	int placed[PB_CTR_MAX_WANT] = {0};
	for (size_t i = 0; i < n; i++) {
		out->pass[i] = PB_CTR_NO_PASS;
		if (want[i].width == 0)
			return -EINVAL;
		if (want[i].fixed_ok && want[i].width == 1 && fixed_left) {
			fixed_left--;
			out->pass[i] = PB_CTR_EVERY_PASS;
			placed[i] = 1;
		} else if (want[i].width > cap->ncounters) {
			placed[i] = 1; /* never countable */
		}
	}
	/* First-fit decreasing: widest first, stable by index. */
	unsigned used[PB_CTR_MAX_WANT] = {0};
	unsigned npasses = 0;
	for (unsigned w = cap->ncounters; w >= 1; w--) {
		for (size_t i = 0; i < n; i++) {
			if (placed[i] || want[i].width != w)
				continue;
			unsigned p = 0;
			while (p < npasses && used[p] + w > cap->ncounters)
				p++;
			if (p == npasses)
				npasses++;
			used[p] += w;
			out->pass[i] = (int)p;
			placed[i] = 1;
		}
	}
	out->npasses = npasses ? npasses : 1;
	if (npasses > 1) {
		if (multiplex && cap->multiplex_ok) {
			out->method = PB_CTR_MULTIPLEX;
			out->npasses = 1;
			for (size_t i = 0; i < n; i++)
				if (out->pass[i] >= 0)
					out->pass[i] = 0;
		} else {
			out->method = PB_CTR_PASSES;
		}
	}
	return 0;
}
