/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/sieve.c - SIEVE.
 *
 * How it works (Zhang, Yang, Yue, Vigfusson & Rashmi, "SIEVE is simpler
 * than LRU: an efficient turn-key eviction algorithm for web caches", NSDI
 * 2024): one FIFO queue, new pages inserted at the head with visited = 0;
 * a hit only sets visited.  A hand starts at the tail and moves toward the
 * head: a visited page has its bit cleared and STAYS where it is (unlike
 * CLOCK, which moves it to the head); the first unvisited page is evicted
 * and the hand rests on the page after it (toward the head), wrapping to the
 * tail when it passes the head.  Needs only an accessed bit: PB_POL_HW.
 *
 * Variant details: exactly the paper's Algorithm 1; hand = PN_NIL means
 * "start at the tail".
 */
#include "polint.h"

struct sieve {
	struct pb_policy b;
	struct plist q;
	uint32_t hand;
};

static int sieve_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
			size_t errlen)
{
	int rc = pb_pol_params_apply(&pb_pol_sieve, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(&pb_pol_sieve, cfg, sizeof(struct sieve), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct sieve *p = (struct sieve *)*out;
	p->q = PLIST_INIT;
	p->hand = PN_NIL;
	return 0;
}

/*
 * The misses, out of line so that a hit (setting one byte) saves no
 * registers, the eviction (most misses) calls nothing, and the fill of a
 * free frame, which does, is a tail call.
 */
static __attribute__((noinline)) enum pb_pol_result sieve_fill(struct sieve *p, uint64_t key)
{
	uint32_t i = pb_pol_node_must(&p->b, key);
	struct pnode *n = p->b.pool.n;
	n[i].ref = 0;
	pl_push_head(n, &p->q, i);
	p->b.res++;
	return PB_POL_MISS;
}

/* key missed with at: a free frame, or the hand's walk and the victim's
 * node becomes key's, at the head. */
static __attribute__((noinline)) enum pb_pol_result sieve_evict(struct sieve *p, uint64_t key,
								uint64_t at, uint64_t *victim)
{
	if (p->b.res < p->b.frames)
		return sieve_fill(p, key);
	struct pnode *n = p->b.pool.n;
	uint32_t o = p->hand != PN_NIL ? p->hand : p->q.tail;
	while (n[o].ref) {
		n[o].ref = 0;
		o = n[o].prev != PN_NIL ? n[o].prev : p->q.tail;
	}
	p->hand = n[o].prev;
	*victim = n[o].key;
	pl_unlink(n, &p->q, o);
	pb_pol_node_rekey_at(&p->b, o, key, at);
	n[o].ref = 0;
	pl_push_head(n, &p->q, o);
	return PB_POL_MISS_EVICT;
}

static enum pb_pol_result sieve_access(struct pb_policy *pp, const struct pb_ref *r,
				       uint64_t *victim)
{
	struct sieve *p = (struct sieve *)pp;
	uint64_t key = r->key, at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, key, &at);
	if (i == PN_NIL)
		return sieve_evict(p, key, at, victim);
	p->b.pool.n[i].ref = 1;
	return PB_POL_HIT;
}

static int sieve_remove(struct pb_policy *pp, uint64_t key)
{
	struct sieve *p = (struct sieve *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	if (p->hand == i)
		p->hand = n[i].prev;
	pl_unlink(n, &p->q, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

const struct pb_policy_desc pb_pol_sieve = {
    .name = "sieve",
    .title = "SIEVE",
    .paper = "Zhang, Yang, Yue, Vigfusson & Rashmi, NSDI 2024",
    .flags = PB_POL_HW,
    .create = sieve_create,
    .destroy = pb_pol_free,
    .access = sieve_access,
    .remove = sieve_remove,
    .resident = pb_pol_resident,
};
