/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/stackdist.c - streaming LRU stack distances in O(distinct)
 * memory (the design is in pagebench/stackdist.h).
 */
#include <string.h>

#include "base_internal.h"
#include "pagebench/stackdist.h"

#define SD_MIN_CAP	1024
#define SD_MAX_DISTINCT (1ULL << 30) /* 4 d slots must fit the u32 tree */

static void bit_add(uint32_t *bit, uint64_t cap, uint64_t i, uint32_t v)
{
	for (; i <= cap; i += i & (0 - i))
		bit[i] += v; /* v = (uint32_t)-1 subtracts (modular) */
}

static uint64_t bit_sum(const uint32_t *bit, uint64_t i) /* sum of [1, i] */
{
	uint64_t r = 0;
	for (; i; i -= i & (0 - i))
		r += bit[i];
	return r;
}

int pb_stackdist_init(struct pb_stackdist *s, uint64_t expect)
{
	memset(s, 0, sizeof(*s));
	s->cap = SD_MIN_CAP;
	while (s->cap < 4 * expect && s->cap < 4 * SD_MAX_DISTINCT)
		s->cap <<= 1;
	s->bit = pb_base_map((s->cap + 1) * sizeof(*s->bit));
	if (!s->bit || pb_hmap_init(&s->last, expect ? expect : 1024)) {
		pb_stackdist_fini(s);
		return -ENOMEM;
	}
	return 0;
}

void pb_stackdist_fini(struct pb_stackdist *s)
{
	if (s->bit)
		pb_base_unmap(s->bit, (s->cap + 1) * sizeof(*s->bit));
	pb_hmap_fini(&s->last);
	memset(s, 0, sizeof(*s));
}

/*
 * All slots used: renumber the d live slots 1..d keeping their order, into
 * a tree of cap' >= 4 d slots.  The rank of a live slot is the prefix count
 * of live slots, computed in O(cap) through a flag array (the old tree is
 * reused as that array once its job is done).
 */
static int sd_compact(struct pb_stackdist *s)
{
	uint64_t d = pb_hmap_count(&s->last);
	if (d > SD_MAX_DISTINCT)
		return -E2BIG;
	uint64_t ncap = s->cap;
	while (ncap < 4 * d)
		ncap <<= 1;
	uint32_t *nbit = pb_base_map((ncap + 1) * sizeof(*nbit));
	if (!nbit)
		return -ENOMEM;
	uint32_t *rank = s->bit; /* reused: rank[slot] after the prefix pass */
	memset(rank, 0, (s->cap + 1) * sizeof(*rank));
	/* The map's slots directly (key 0 in its side slot): this is the
	 * base layer's own map. */
	struct pb_hmap *m = &s->last;
	if (m->zhas)
		rank[m->zval] = 1;
	for (uint64_t i = 0; i <= m->mask; i++)
		if (m->s[i].key)
			rank[m->s[i].val] = 1;
	uint32_t r = 0;
	for (uint64_t i = 1; i <= s->cap; i++)
		if (rank[i])
			rank[i] = ++r;
	if (m->zhas)
		m->zval = rank[m->zval];
	for (uint64_t i = 0; i <= m->mask; i++)
		if (m->s[i].key)
			m->s[i].val = rank[m->s[i].val];
	pb_base_unmap(s->bit, (s->cap + 1) * sizeof(*s->bit));
	/* Slots 1..d hold a 1 each: O(ncap) Fenwick build. */
	for (uint64_t i = 1; i <= d; i++)
		nbit[i] = 1;
	for (uint64_t i = 1; i <= ncap; i++) {
		uint64_t p = i + (i & (0 - i));
		if (p <= ncap)
			nbit[p] += nbit[i];
	}
	s->bit = nbit;
	s->cap = ncap;
	s->now = d;
	return 0;
}

int pb_stackdist_feed(struct pb_stackdist *s, uint64_t key, uint64_t *dist)
{
	if (s->now == s->cap) {
		int rc = sd_compact(s);
		if (rc)
			return rc;
	}
	int isnew;
	uint64_t *v = pb_hmap_upsert(&s->last, key, &isnew);
	if (!v)
		return -ENOMEM;
	uint64_t t = ++s->now;
	if (isnew) {
		*dist = PB_STACKDIST_COLD;
	} else {
		uint64_t last = *v;
		*dist = bit_sum(s->bit, t - 1) - bit_sum(s->bit, last) + 1;
		bit_add(s->bit, s->cap, last, (uint32_t)-1);
	}
	bit_add(s->bit, s->cap, t, 1);
	*v = t;
	s->refs++;
	return 0;
}
