/* SPDX-License-Identifier: MIT */
/*
 * pagebench/mrc.h - miss-ratio curves.
 *
 * pb_mrc_lru(): LRU misses for many memory sizes in one pass over a key
 * stream, by Mattson's stack distances (Mattson, Gecsei, Slutz & Traiger,
 * IBM Systems Journal 1970).  The stack distance of a reference is the
 * number of distinct keys referenced since the previous reference to the
 * same key (inclusive of it); LRU with c frames misses exactly the
 * references whose distance exceeds c, plus the cold ones.  Distances are
 * counted by the base layer (pagebench/stackdist.h): a Fenwick tree over
 * compacted time slots, O(n log distinct) time, O(distinct keys) memory.
 */
#ifndef PAGEBENCH_MRC_H
#define PAGEBENCH_MRC_H

#include <stddef.h>
#include <stdint.h>

/*
 * keys[0..n): the reference stream; sizes[0..nsizes): memory sizes in pages
 * (any order, 0 allowed: everything misses); misses[k] receives LRU's
 * fault count (cold misses included) with sizes[k] frames.
 * Returns 0, -EINVAL (NULL arrays), -ENOMEM or -E2BIG (over 2^30 distinct
 * keys).  Single-threaded.
 */
int pb_mrc_lru(const uint64_t *keys, size_t n, const uint64_t *sizes, size_t nsizes,
	       uint64_t *misses);

#endif /* PAGEBENCH_MRC_H */
