/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/mrc_opt.c - OPT (Belady's MIN) misses for many memory
 * sizes in one pass: Mattson's priority stack (see mrc.h).
 *
 * How it works (Mattson, Gecsei, Slutz & Traiger, IBM Systems Journal
 * 1970, "stack processing" with a priority list): the stack S holds every
 * key so that the top c entries are exactly what OPT with c frames holds.
 * A key's priority is its next use (sooner = higher); the lowest priority
 * is what OPT evicts.  On a reference to x at depth D (infinity: not in
 * the stack) every size c >= D hits; for c < D the cache of size c evicts
 * y_c, the lowest-priority key of S(1..c), so the new stack is
 *     S'(1) = x,  S'(i) = the higher of (y_{i-1}, S(i)) for 1 < i < D,
 *     S'(D) = y_{D-1},
 * with y_1 = S(1) and y_i the lower of (y_{i-1}, S(i)).  Only the prefix
 * minima ("records") of S(1..D-1) move: each record moves down into the
 * slot of the next one, and the last into D.  So a segment tree of
 * priorities over the slots finds each next record in O(log cap) and the
 * update costs O((records + 1) log cap).  The stack is nearly sorted by
 * next use (deeper = later), so records come in long runs and grow with
 * cap: 46 a reference at cap 5 000, 1 164 at 50 000 on zipf 0.9 over 100k
 * pages (mrc.h); an order-statistics tree that moves a whole run at once
 * would make it O(runs log cap), about 4 runs a reference there.
 *
 * Priorities are one u64 each, smallest = evicted first: a key never used
 * again gets the position of its latest reference (the oldest goes first,
 * opt.c's tie-break), any other key 2n - next_use (the farthest next use
 * goes first).  Ties are impossible, so the order is total, and the tie
 * among keys never used again cannot change a fault count at any size
 * (none of them hits again), so the counts equal opt.c's replay at every
 * size (checked in tests/policy/test_mrc.c).
 *
 * Only the top `cap` (largest size asked for) slots are kept: S'(1..cap)
 * depends only on S(1..cap) and x, so a key pushed below cap is forgotten
 * (its next reference misses at every size <= cap).  Memory O(cap).
 */
#include "polint.h"

#include "pagebench/mrc.h"

struct ostack {
	uint64_t *t;	/* segment tree of priorities (min), leaves at S + slot */
	uint64_t *key;	/* key of each slot (0-based slot = depth - 1) */
	uint64_t S;	/* leaves: a power of two >= cap */
	uint64_t depth; /* slots in use */
	struct pb_hmap pos;
};

static void os_set(struct ostack *o, uint64_t slot, uint64_t pri)
{
	uint64_t i = o->S + slot;
	o->t[i] = pri;
	for (i >>= 1; i; i >>= 1) {
		uint64_t m = o->t[2 * i] < o->t[2 * i + 1] ? o->t[2 * i] : o->t[2 * i + 1];
		if (o->t[i] == m)
			break;
		o->t[i] = m;
	}
}

/* First slot >= lo whose priority is below x, or UINT64_MAX. */
static uint64_t os_first_below(const struct ostack *o, uint64_t lo, uint64_t x)
{
	uint64_t i = o->S + lo;
	while (o->t[i] >= x) {
		while (i & 1)
			i >>= 1;
		if (!i)
			return UINT64_MAX;
		i++;
	}
	while (i < o->S)
		i = o->t[2 * i] < x ? 2 * i : 2 * i + 1;
	return i - o->S;
}

/* Move (k, pri) into slot, recording where k now lives.  0 or -ENOMEM. */
static int os_put(struct ostack *o, uint64_t slot, uint64_t k, uint64_t pri)
{
	o->key[slot] = k;
	os_set(o, slot, pri);
	return pb_hmap_put(&o->pos, k, slot);
}

/* hist[d] (1 <= d <= cap): references at depth d. */
static int opt_hist(const uint64_t *keys, size_t n, const uint64_t *nu, uint64_t cap,
		    uint64_t *hist)
{
	struct ostack o = {0};
	o.S = 1;
	while (o.S < cap)
		o.S <<= 1;
	size_t tb = 2 * o.S * sizeof(uint64_t), kb = o.S * sizeof(uint64_t);
	o.t = pb_map(tb, 0);
	o.key = pb_map(kb, 0);
	int rc = -ENOMEM;
	if (!o.t || !o.key || pb_hmap_init(&o.pos, cap))
		goto out;
	memset(o.t, 0xff, tb);
	rc = 0;
	for (size_t t = 0; !rc && t < n; t++) {
		uint64_t x = keys[t];
		uint64_t px = nu[t] == PB_NEXT_NONE ? t : 2 * (uint64_t)n - nu[t];
		uint64_t *pp = pb_hmap_find(&o.pos, x), p = pp ? *pp : UINT64_MAX;
		uint64_t hi = pp ? p : o.depth; /* records lie in slots [1, hi) */
		if (pp)
			hist[p + 1]++;
		if (p == 0) {
			os_set(&o, 0, px);
			continue;
		}
		if (o.depth == 0) {
			rc = os_put(&o, 0, x, px);
			o.depth = 1;
			continue;
		}
		uint64_t ck = o.key[0], cp = o.t[o.S];
		rc = os_put(&o, 0, x, px);
		for (uint64_t i = 1; !rc;) {
			uint64_t j = os_first_below(&o, i, cp);
			if (j >= hi)
				break;
			uint64_t nk = o.key[j], np = o.t[o.S + j];
			rc = os_put(&o, j, ck, cp);
			ck = nk;
			cp = np;
			i = j + 1;
		}
		if (rc)
			break;
		if (pp)
			rc = os_put(&o, p, ck, cp);
		else if (o.depth < cap)
			rc = os_put(&o, o.depth++, ck, cp);
		else
			(void)pb_hmap_del(&o.pos, ck); /* pushed below cap: forgotten */
	}
out:
	pb_hmap_fini(&o.pos);
	if (o.t)
		pb_unmap(o.t, tb);
	if (o.key)
		pb_unmap(o.key, kb);
	return rc;
}

int pb_mrc_opt(const uint64_t *keys, size_t n, const uint64_t *next_use, const uint64_t *sizes,
	       size_t nsizes, uint64_t *misses)
{
	if ((!keys && n) || (!sizes && nsizes) || (!misses && nsizes))
		return -EINVAL;
	uint64_t cap = 0;
	for (size_t k = 0; k < nsizes; k++)
		if (sizes[k] > cap)
			cap = sizes[k];
	if (cap > n)
		cap = n;
	if (cap >= (1ULL << 32))
		return -E2BIG;
	size_t hb = (cap + 1) * sizeof(uint64_t), nb = (n ? n : 1) * sizeof(uint64_t);
	uint64_t *hist = pb_map(hb, 0), *own = NULL;
	int rc = hist ? 0 : -ENOMEM;
	if (!rc && !next_use && n) {
		own = pb_map(nb, 0);
		rc = own ? pb_next_use(keys, n, own) : -ENOMEM;
		next_use = own;
	}
	if (!rc && cap)
		rc = opt_hist(keys, n, next_use, cap, hist);
	if (!rc) {
		/* prefix sums: hist[c] becomes the hits with c frames */
		for (uint64_t c = 1; c <= cap; c++)
			hist[c] += hist[c - 1];
		for (size_t k = 0; k < nsizes; k++)
			misses[k] = n - hist[sizes[k] < cap ? sizes[k] : cap];
	}
	if (own)
		pb_unmap(own, nb);
	if (hist)
		pb_unmap(hist, hb);
	return rc;
}
