/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/mrc_sample.c - spatially hashed sampling for miniature
 * simulations (SHARDS, Waldspurger et al. FAST 2015; miniature
 * simulations, Waldspurger et al. USENIX ATC 2017); see mrc.h.
 *
 * The sampler only filters the key stream; the callers run the policies on
 * the sampled stream with scaled sizes (LRU and OPT by their one-pass
 * stacks, pb_mrc_lru / pb_mrc_opt, every other policy by a replay per
 * scaled size) and scale the misses back with pb_mrc_sample_ratio.
 */
#include <math.h>

#include "polint.h"

#include "pagebench/mrc.h"

int pb_mrc_sampler_init(struct pb_mrc_sampler *s, double rate, uint64_t seed)
{
	const double P = (double)(1ULL << PB_MRC_SAMPLE_BITS);
	if (!s || !(rate > 0) || !(rate <= 1))
		return -EINVAL;
	double t = nearbyint(rate * P);
	if (t < 1)
		return -EINVAL;
	s->threshold = (uint64_t)t;
	s->rate = t / P;
	/* seed 0 must not give salt 0 for every caller that forgets a seed:
	 * the mixer of seed + a constant */
	s->salt = pb_hash64(seed + 0x2545f4914f6cdd1dULL);
	return 0;
}

uint64_t pb_mrc_scaled(const struct pb_mrc_sampler *s, uint64_t frames)
{
	return (uint64_t)llround(s->rate * (double)frames);
}

int pb_mrc_sample(const struct pb_mrc_sampler *s, const uint64_t *keys, const uint8_t *writes,
		  size_t n, uint64_t **okeys, uint8_t **owrites, size_t *on)
{
	if (!s || (!keys && n) || !okeys || !on || (writes && !owrites))
		return -EINVAL;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		m += (size_t)pb_mrc_keep(s, keys[i]);
	uint64_t *k = pb_map((m ? m : 1) * sizeof(*k), 0);
	uint8_t *w = writes ? pb_map(m ? m : 1, 0) : NULL;
	if (!k || (writes && !w)) {
		pb_mrc_sample_free(k, w, m);
		return -ENOMEM;
	}
	for (size_t i = 0, j = 0; i < n; i++)
		if (pb_mrc_keep(s, keys[i])) {
			if (w)
				w[j] = writes[i];
			k[j++] = keys[i];
		}
	*okeys = k;
	if (owrites)
		*owrites = w;
	*on = m;
	return 0;
}

void pb_mrc_sample_free(uint64_t *keys, uint8_t *writes, size_t n)
{
	if (keys)
		pb_unmap(keys, (n ? n : 1) * sizeof(*keys));
	if (writes)
		pb_unmap(writes, n ? n : 1);
}

double pb_mrc_sample_ratio(const struct pb_mrc_sampler *s, uint64_t sampled_misses, uint64_t n)
{
	if (!n)
		return NAN;
	double r = (double)sampled_misses / (s->rate * (double)n);
	return r < 1 ? r : 1;
}
