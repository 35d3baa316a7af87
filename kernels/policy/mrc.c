/*
 * kernels/policy/mrc.c - LRU miss-ratio curve in one pass (see mrc.h).
 *
 * How it works: time t = 0..n-1; a Fenwick (binary indexed) tree over times
 * holds 1 at each key's most recent access.  At a reference to key k at
 * time t whose previous access was at time s, the number of distinct keys
 * touched since then is sum(s+1 .. t-1) + 1 = its LRU stack distance d.
 * Then clear s, set t.  A histogram of d (capped at the largest size asked
 * for plus one) gives, for every size c, misses(c) = cold + #(d > c).
 * Mattson et al. 1970; the Fenwick-tree counting is Bennett & Kruskal's
 * 1975 idea in its modern form (e.g. Olken's 1981 tree method).
 */
#include "polint.h"

#include "pagebench/mrc.h"

static inline void fw_add(uint32_t *t, size_t n, size_t i, int32_t v)
{
	for (i++; i <= n; i += i & (~i + 1))
		t[i - 1] = (uint32_t)((int32_t)t[i - 1] + v);
}

static inline uint64_t fw_sum(const uint32_t *t, size_t i) /* sum of [0, i) */
{
	uint64_t s = 0;
	for (; i > 0; i -= i & (~i + 1))
		s += t[i - 1];
	return s;
}

int pb_mrc_lru(const uint64_t *keys, size_t n, const uint64_t *sizes, size_t nsizes,
	       uint64_t *misses)
{
	if ((!keys && n) || (!sizes && nsizes) || (!misses && nsizes))
		return -EINVAL;
	if (n >= PN_NIL)
		return -E2BIG;
	uint64_t cap = 0;
	for (size_t k = 0; k < nsizes; k++)
		if (sizes[k] > cap)
			cap = sizes[k];
	if (cap > n)
		cap = n;
	size_t tb = (n ? n : 1) * sizeof(uint32_t), hb = (cap + 2) * sizeof(uint64_t);
	uint32_t *tree = pb_map(tb, 0);
	uint64_t *hist = pb_map(hb, 0); /* hist[d] for d <= cap, hist[cap+1]: beyond */
	struct kvmap m = {0};
	int rc = -ENOMEM;
	if (!tree || !hist || pb_pol_kv_init(&m, 1024))
		goto out;
	uint64_t cold = 0;
	for (size_t t = 0; t < n; t++) {
		struct kvslot *s = kv_slot(&m, keys[t]);
		if (s->val == PN_NIL) {
			cold++;
			if (kv_put(&m, keys[t], (uint32_t)t))
				goto out;
		} else {
			size_t last = s->val;
			uint64_t d = fw_sum(tree, t) - fw_sum(tree, last + 1) + 1;
			hist[d <= cap ? d : cap + 1]++;
			fw_add(tree, n, last, -1);
			s->val = (uint32_t)t;
		}
		fw_add(tree, n, t, 1);
	}
	/* Suffix sums in place: hist[c] becomes #(d > c). */
	uint64_t over = hist[cap + 1];
	for (uint64_t c = cap + 1; c-- > 0;) {
		uint64_t here = hist[c];
		hist[c] = over;
		over += here;
	}
	for (size_t k = 0; k < nsizes; k++)
		misses[k] = cold + hist[sizes[k] < cap ? sizes[k] : cap];
	rc = 0;
out:
	if (m.s)
		pb_pol_kv_fini(&m);
	pb_unmap(tree, tb);
	pb_unmap(hist, hb);
	return rc;
}
