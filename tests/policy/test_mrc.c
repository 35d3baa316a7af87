/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/test_mrc.c - pb_mrc_lru (one-pass Mattson stack distances)
 * must equal a per-size LRU replay at every size, on seeded traces.
 */
#include <errno.h>

#include "pagebench/mrc.h"
#include "pagebench/policy.h"
#include "pbtest.h"
#include "polgen.h"

#define N 30000

int main(void)
{
	static uint64_t k[N];
	uint64_t sizes[64], mrc[64];
	size_t ns = 0;
	for (uint64_t s = 0; s <= 40; s++)
		sizes[ns++] = s;
	for (uint64_t s = 50; s <= 3000 && ns < 64; s = s * 5 / 4)
		sizes[ns++] = s;
	const struct pb_policy_desc *lru = pb_policy_find("lru");
	for (int t = 0; t < 3; t++) {
		if (t == 0)
			polgen_zipf(k, N, 2500, 0.8, 31);
		else if (t == 1)
			polgen_loop(k, N, 300, 2000, 0.2, 32);
		else
			polgen_mixed(k, NULL, N, 33);
		PB_CHECK(pb_mrc_lru(k, N, sizes, ns, mrc) == 0);
		for (size_t i = 0; i < ns; i++) {
			uint64_t m = 0;
			char err[128];
			if (sizes[i] == 0) {
				PB_CHECK_EQ_U64(mrc[i], N);
				continue;
			}
			struct pb_policy_cfg cfg = {.frames = sizes[i]};
			PB_CHECK(pb_policy_replay(lru, &cfg, k, NULL, NULL, N, &m, err,
						  sizeof(err)) == 0);
			PB_CHECK_EQ_U64(mrc[i], m);
		}
	}
	/* Edge cases. */
	uint64_t one = 5, m1;
	PB_CHECK(pb_mrc_lru(NULL, 0, &one, 1, &m1) == 0 && m1 == 0);
	PB_CHECK(pb_mrc_lru(NULL, 3, &one, 1, &m1) == -EINVAL);
	return pb_test_done();
}
