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
 * How: a Fenwick tree over time slots holds a 1 at the slot of each key's
 * latest reference; a pb_hmap maps key -> its slot.  A reference at slot t
 * to a key last seen at slot s has distance sum(s+1 .. t-1) + 1; then s is
 * cleared and t set (Bennett & Kruskal 1975, in Olken's tree form).  The
 * slots run out after `cap` references; then the live slots (one per
 * distinct key, d of them) are renumbered 1..d in order and the tree is
 * rebuilt in O(cap), with cap kept at >= 4 d: amortised O(1) per reference
 * on top of the O(log cap) tree walk, and O(distinct) memory, whatever the
 * stream's length.
 */
#ifndef PAGEBENCH_STACKDIST_H
#define PAGEBENCH_STACKDIST_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/hmap.h"

#define PB_STACKDIST_COLD UINT64_MAX

struct pb_stackdist {
	struct pb_hmap last; /* key -> time slot (1-based) of its latest reference */
	uint32_t *bit;	     /* Fenwick tree, 1-based, cap entries */
	uint64_t cap;	     /* slots */
	uint64_t now;	     /* last slot used */
	uint64_t refs;	     /* references fed */
};

/* 0 or -ENOMEM.  `expect`: distinct keys expected (0: unknown). */
int pb_stackdist_init(struct pb_stackdist *s, uint64_t expect);
void pb_stackdist_fini(struct pb_stackdist *s);

/* Feed one reference; *dist = its stack distance (>= 1) or
 * PB_STACKDIST_COLD.  0, -ENOMEM or -E2BIG (over 2^30 distinct keys). */
int pb_stackdist_feed(struct pb_stackdist *s, uint64_t key, uint64_t *dist);

/* Distinct keys seen so far. */
static inline uint64_t pb_stackdist_distinct(const struct pb_stackdist *s)
{
	return pb_hmap_count(&s->last);
}

#endif /* PAGEBENCH_STACKDIST_H */
