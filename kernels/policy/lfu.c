/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/lfu.c - Least Frequently Used.
 *
 * How it works: each resident page counts its references since it was
 * loaded; a fault on a full memory evicts the page with the smallest count.
 * The classic frequency policy analysed next to LRU and FIFO in Aho, Denning
 * & Ullman, "Principles of optimal page replacement" (JACM 1971) and in
 * Coffman & Denning's "Operating Systems Theory" (1973).  Needs a count per
 * access: PB_POL_ORACLE.
 *
 * Variant details: "in-cache" LFU: the count starts at 1 on load and is
 * forgotten on eviction (no history of evicted pages).  Ties go to the least
 * recently used page among those with the smallest count.  Resident pages
 * sit in a binary heap keyed by (count, last access): O(log frames).
 */
#include "polint.h"

static inline unsigned __int128 lfu_pri(uint64_t freq, uint64_t now)
{
	return ((unsigned __int128)freq << 64) | now;
}

static int lfu_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	return pb_pol_heaped_create(&pb_pol_lfu, cfg, out, err, errlen);
}

static enum pb_pol_result lfu_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct pb_pol_heaped *p = (struct pb_pol_heaped *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	uint64_t now = p->b.now++;
	if (i != PN_NIL) {
		/* count lives in a (low) and b (high) */
		uint64_t f = ((uint64_t)n[i].b << 32 | n[i].a) + 1;
		n[i].a = (uint32_t)f;
		n[i].b = (uint32_t)(f >> 32);
		pb_pol_pheap_update(&p->h, n, i, lfu_pri(f, now));
		return PB_POL_HIT;
	}
	if (p->b.res == p->b.frames) {
		i = p->h.e[0].node;
		*victim = n[i].key;
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		n[i].a = 1;
		n[i].b = 0;
		pb_pol_pheap_update(&p->h, n, i, lfu_pri(1, now));
		return PB_POL_MISS_EVICT;
	}
	i = pb_pol_node_must(&p->b, r->key);
	n = p->b.pool.n;
	n[i].a = 1;
	n[i].b = 0;
	pb_pol_pheap_push(&p->h, n, i, lfu_pri(1, now));
	p->b.res++;
	return PB_POL_MISS;
}

const struct pb_policy_desc pb_pol_lfu = {
    .name = "lfu",
    .title = "Least Frequently Used (in-cache counts, LRU tie-break)",
    .paper = "Aho, Denning & Ullman, JACM 1971",
    .flags = PB_POL_ORACLE,
    .create = lfu_create,
    .destroy = pb_pol_heaped_destroy,
    .access = lfu_access,
    .remove = pb_pol_heaped_remove,
    .resident = pb_pol_resident,
};
