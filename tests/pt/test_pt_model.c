/* SPDX-License-Identifier: MIT */
/*
 * tests/pt/test_pt_model.c - model-based randomized test: a long seeded
 * sequence of random calls (pt_model.h), each compared with a reference
 * model of the contract in pt.h.  Both kinds, same code; pb_pt_check and the
 * leaf count every 1000 calls; each kind shared and single-caller.
 */
#define _GNU_SOURCE
#include "pbtest.h"

static unsigned fails;

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		PB_CHECK_MSG(cond, __VA_ARGS__);                                                   \
		if (!(cond) && ++fails > 10) {                                                     \
			fprintf(stderr, "too many failures, stopping\n");                          \
			exit(pb_test_done());                                                      \
		}                                                                                  \
	} while (0)

#include "pt_model.h"

#define STEPS 200000u

static struct pb_rng rng;

static uint64_t from_rng(void)
{
	return pb_rng_next(&rng);
}

int main(void)
{
	/* each kind twice: shared, and created single (one caller: plain
	 * stores, PT-page hints), which must behave the same */
	for (unsigned ks = 0; pb_pt_kinds[ks / 2]; ks++) {
		unsigned k = ks / 2;
		struct pb_pt *pt;
		struct pb_pt_cfg cfg = {
		    .nframes = 1 << 14, .max_nodes = 256, .hash_slots = 1024, .single = ks & 1};
		PB_CHECK(pb_pt_create(pb_pt_kinds[k], &cfg, &pt) == 0);
		model_reset(pt);
		m_single = cfg.single;
		model_src = from_rng;
		pb_rng_seed(&rng, 42 + k);
		fprintf(stderr, "%s%s\n", pb_pt_kinds[k], cfg.single ? " (single)" : "");
		for (unsigned s = 0; s < STEPS; s++) {
			model_step(pt, s);
			if (s % 1000 == 999) {
				char err[200];
				uint64_t leaves = 0;
				int rc = pb_pt_check(pt, &leaves, err, sizeof(err));
				EXPECT(rc == 0, "step %u: check: %s", s, err);
				EXPECT(leaves == m_leaves(), "step %u: %llu leaves, model %llu", s,
				       (unsigned long long)leaves, (unsigned long long)m_leaves());
			}
		}
		/* pb_pt_leaf gives words on single-caller radix tables only */
		int leafy = cfg.single && pb_pt_kind(pt) == PB_PT_RADIX;
		EXPECT(leafy ? m_leaf_words > 0 : m_leaf_words == 0, "%s%s: %llu leaf words",
		       pb_pt_kinds[k], cfg.single ? " (single)" : "",
		       (unsigned long long)m_leaf_words);
		m_leaf_words = 0;
		pb_pt_destroy(pt);
	}
	return pb_test_done();
}
