/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/mrc.c - LRU miss-ratio curve in one pass (see mrc.h).
 *
 * How it works: the base layer's streaming stack-distance counter
 * (pagebench/stackdist.h: a Fenwick tree over compacted time slots, O(n log
 * distinct) time, O(distinct) memory) gives a histogram of distances capped
 * at the largest size asked for plus one; for every size c, misses(c) =
 * cold + #(d > c).  Mattson et al. 1970.
 */
#include "polint.h"

#include "pagebench/mrc.h"
#include "pagebench/stackdist.h"

int pb_mrc_lru(const uint64_t *keys, size_t n, const uint64_t *sizes, size_t nsizes,
	       uint64_t *misses)
{
	if ((!keys && n) || (!sizes && nsizes) || (!misses && nsizes))
		return -EINVAL;
	uint64_t cap = 0;
	for (size_t k = 0; k < nsizes; k++)
		if (sizes[k] > cap)
			cap = sizes[k];
	if (cap > n)
		cap = n;
	size_t hb = (cap + 2) * sizeof(uint64_t);
	uint64_t *hist = pb_map(hb, 0); /* hist[d] for d <= cap, hist[cap+1]: beyond */
	uint64_t cold;
	if (!hist)
		return -ENOMEM;
	int rc = pb_stackdist_hist(keys, n, cap, hist, &cold);
	if (rc)
		goto out;
	/* Suffix sums in place: hist[c] becomes #(d > c). */
	uint64_t over = hist[cap + 1];
	for (uint64_t c = cap + 1; c-- > 0;) {
		uint64_t here = hist[c];
		hist[c] = over;
		over += here;
	}
	for (size_t k = 0; k < nsizes; k++)
		misses[k] = cold + hist[sizes[k] < cap ? sizes[k] : cap];
out:
	pb_unmap(hist, hb);
	return rc;
}
