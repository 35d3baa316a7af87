/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/lru.c - Least Recently Used.
 *
 * How it works: one list in recency order; a hit moves the page to the MRU
 * end, a fault on a full memory evicts the LRU end.  LRU is a stack
 * algorithm (Mattson, Gecsei, Slutz & Traiger, "Evaluation techniques for
 * storage hierarchies", IBM Systems Journal 1970): the resident set with c
 * frames is always a subset of the one with c+1, so faults never increase
 * with more frames (tests/policy checks this property).  It needs the exact
 * time of every access, which an MMU does not give an OS: an oracle policy.
 *
 * Variant details: list head = MRU, tail = LRU; the victim's node is reused
 * for the faulting page (no allocation on a fault once memory is full).
 */
#include "polint.h"

struct lru {
	struct pb_policy b;
	struct plist l;
};

static int lru_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc = pb_pol_params_apply(&pb_pol_lru, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(&pb_pol_lru, cfg, sizeof(struct lru), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct lru *p = (struct lru *)*out;
	p->l = PLIST_INIT;
	p->b.vlist = &p->l;
	return 0;
}

/*
 * The misses, out of line so that a hit (most accesses at 20000 frames)
 * saves no registers, the eviction (most misses) calls nothing, and the
 * fill of a free frame, which does, is a tail call.
 */
static __attribute__((noinline)) enum pb_pol_result lru_fill(struct lru *p, uint64_t key)
{
	uint32_t i = pb_pol_node_must(&p->b, key);
	pl_push_head(p->b.pool.n, &p->l, i);
	p->b.res++;
	return PB_POL_MISS;
}

/* key missed with at: a free frame, or the LRU page's node becomes key's. */
static __attribute__((noinline)) enum pb_pol_result lru_evict(struct lru *p, uint64_t key,
							      uint64_t at, uint64_t *victim)
{
	if (p->b.res < p->b.frames)
		return lru_fill(p, key);
	struct pnode *n = p->b.pool.n;
	uint32_t i = p->l.tail;
	*victim = n[i].key;
	pb_pol_node_rekey_at(&p->b, i, key, at);
	pl_to_head(n, &p->l, i);
	return PB_POL_MISS_EVICT;
}

static enum pb_pol_result lru_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct lru *p = (struct lru *)pp;
	uint64_t key = r->key, at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, key, &at);
	if (i == PN_NIL)
		return lru_evict(p, key, at, victim);
	pl_to_head(p->b.pool.n, &p->l, i);
	return PB_POL_HIT;
}

static int lru_remove(struct pb_policy *pp, uint64_t key)
{
	struct lru *p = (struct lru *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	pl_unlink(p->b.pool.n, &p->l, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static uint32_t lru_victim_node(const struct pb_policy *pp, unsigned d)
{
	return pb_pol_list_victim(pp, &((const struct lru *)pp)->l, d);
}

const struct pb_policy_desc pb_pol_lru = {
    .name = "lru",
    .title = "Least Recently Used",
    .paper = "Mattson, Gecsei, Slutz & Traiger, IBM Systems Journal 1970",
    .flags = PB_POL_ORACLE,
    .create = lru_create,
    .destroy = pb_pol_free,
    .access = lru_access,
    .remove = lru_remove,
    .resident = pb_pol_resident,
    .victim_node = lru_victim_node,
};
