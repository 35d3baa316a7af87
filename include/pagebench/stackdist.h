/* SPDX-License-Identifier: MIT */
/*
 * pagebench/stackdist.h - LRU stack distances of a key stream, streaming,
 * in memory proportional to the distinct keys (base layer).
 *
 * The stack distance of a reference is the number of distinct keys
 * referenced since the previous reference to the same key, that key
 * included (so a repeat of the last key has distance 1); the first
 * reference to a key is cold (PB_STACKDIST_COLD).  LRU with c frames hits
 * exactly the references of distance <= c (Mattson, Gecsei, Slutz &
 * Traiger, IBM Systems Journal 1970).
 *
 * How: one bit per time slot marks the slot of each key's latest
 * reference, and a pb_hmap maps key -> its slot.  A reference at slot t to
 * a key last seen at slot s has distance d - rank(s) + 1, where d is the
 * number of distinct keys (every live slot is below t) and rank(s) counts
 * the live slots up to s; then s is cleared and t set (Bennett & Kruskal
 * 1975).  rank() is a counted bitmap, not a Fenwick tree: above the bits,
 * levels of 32-bit counts of blocks of 512, 8192, 131072... slots, sixteen
 * counts (one cache line) a group, so a rank is the popcount of at most
 * eight bitmap words of one line and the sum of at most fifteen counts of
 * one line per level.  For a million distinct keys that is 0.5 MiB, which
 * stays in the caches; the Fenwick tree it replaced (session 25) took 16
 * MiB and walked 22 levels three times a reference, most of them cache
 * misses.  The slots run out after `cap`
 * references; then the live slots (one per distinct key, d of them) are
 * renumbered 1..d in order and the counts rebuilt in O(cap / 64 + d),
 * with cap kept at >= 4 d: amortised O(1) per reference, and O(distinct)
 * memory, whatever the stream's length.
 *
 * pb_stackdist_feed_n() feeds a batch and prefetches the map's home slot
 * of the key 16 references ahead (the map is the one structure that
 * misses the caches on a large key set).
 */
#ifndef PAGEBENCH_STACKDIST_H
#define PAGEBENCH_STACKDIST_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/hmap.h"

#define PB_STACKDIST_COLD UINT64_MAX

#define PB_STACKDIST_LEVELS 7 /* count levels: 16 blocks of 2^33 slots at most */

struct pb_stackdist {
	struct pb_hmap last; /* key -> time slot (1-based) of its latest reference */
	uint64_t *bits;	     /* one bit per slot 0..cap (slot 0 unused), then the counts */
	uint32_t *cnt;	     /* counts of level a from cnt + lvl[a]; in the same mapping */
	size_t lvl[PB_STACKDIST_LEVELS];
	unsigned levels; /* the last level's blocks fit one group of 16 */
	size_t bytes;	 /* of the mapping */
	uint64_t cap;	 /* slots */
	uint64_t now;	 /* last slot used */
	uint64_t refs;	 /* references fed */
};

/* 0 or -ENOMEM.  `expect`: distinct keys expected (0: unknown). */
int pb_stackdist_init(struct pb_stackdist *s, uint64_t expect);
void pb_stackdist_fini(struct pb_stackdist *s);

/* Feed one reference; *dist = its stack distance (>= 1) or
 * PB_STACKDIST_COLD.  0, -ENOMEM or -E2BIG (over 2^30 distinct keys). */
int pb_stackdist_feed(struct pb_stackdist *s, uint64_t key, uint64_t *dist);
/* Feed keys[0..n): dist[i] as pb_stackdist_feed's.  On an error the
 * references before it are fed (s->refs says how many). */
int pb_stackdist_feed_n(struct pb_stackdist *s, const uint64_t *keys, size_t n, uint64_t *dist);

/* Distinct keys seen so far. */
static inline uint64_t pb_stackdist_distinct(const struct pb_stackdist *s)
{
	return pb_hmap_count(&s->last);
}

#endif /* PAGEBENCH_STACKDIST_H */
