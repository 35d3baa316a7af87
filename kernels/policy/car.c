/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/car.c - CAR, Clock with Adaptive Replacement.
 *
 * How it works (Bansal & Modha, "CAR: Clock with Adaptive Replacement",
 * FAST 2004, Fig. 2): ARC's structure with its two LRU lists T1, T2 replaced
 * by two CLOCKs, so a hit only sets a reference bit (no list move on a hit).
 * B1 and B2 are LRU ghost lists as in ARC; p is T1's target size.
 *   hit: set x's reference bit.
 *   miss with |T1|+|T2| = c: replace(); then if x is in neither ghost list,
 *     discard B1's LRU entry when |T1|+|B1| = c, else B2's LRU entry when
 *     |T1|+|T2|+|B1|+|B2| = 2c.
 *   x new: insert at the tail of T1 (just behind its hand), bit 0.
 *   x in B1: p = min(p + max(1, |B2|/|B1|), c); move x to T2's tail, bit 0.
 *   x in B2: p = max(p - max(1, |B1|/|B2|), 0); move x to T2's tail, bit 0.
 * replace(): repeat: if |T1| >= max(1, p): T1's head page (under its hand)
 *   with bit 0 is demoted to B1's MRU end (done); with bit 1 its bit is
 *   cleared and it moves to T2's tail.  Else the same on T2's head, a
 *   referenced page going round to T2's tail, a victim to B2's MRU end.
 * Hits only set a reference bit; the lists are moved only on faults, which
 * an OS sees: PB_POL_HW (the ghost lists are the OS's own bookkeeping).
 *
 * Variant details: each clock is a queue (my tail = the clock's head under
 * the hand, my head = the clock's tail); p and the ratios are real numbers,
 * as in the paper (and as arc.c).
 */
#include "polint.h"

enum { C_T1, C_T2, C_B1, C_B2 };

struct car {
	struct pb_policy b;
	struct plist l[4]; /* T1/T2: head = clock tail (newest); B1/B2: head = MRU */
	double p;	   /* target size of T1, real-valued as in the paper */
};

static int car_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc = pb_pol_params_apply(&pb_pol_car, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(&pb_pol_car, cfg, sizeof(struct car), cfg->frames * 2, out, err, errlen);
	if (rc)
		return rc;
	struct car *p = (struct car *)*out;
	for (int k = 0; k < 4; k++)
		p->l[k] = PLIST_INIT;
	return 0;
}

static inline void car_move(struct car *p, struct pnode *n, uint32_t i, uint8_t to)
{
	pl_unlink(n, &p->l[n[i].where], i);
	n[i].where = to;
	pl_push_head(n, &p->l[to], i);
}

static uint64_t car_replace(struct car *p, struct pnode *n)
{
	for (;;) {
		uint64_t t1 = p->l[C_T1].size;
		if ((double)t1 >= (p->p > 1.0 ? p->p : 1.0)) {
			uint32_t h = p->l[C_T1].tail;
			if (!n[h].ref) {
				car_move(p, n, h, C_B1);
				p->b.res--;
				return n[h].key;
			}
			n[h].ref = 0;
			car_move(p, n, h, C_T2);
		} else {
			uint32_t h = p->l[C_T2].tail;
			if (!n[h].ref) {
				car_move(p, n, h, C_B2);
				p->b.res--;
				return n[h].key;
			}
			n[h].ref = 0;
			car_move(p, n, h, C_T2);
		}
	}
}

/* Take list's LRU node out of the list (still mapped): the node that
 * the directory replacement drops. */
static uint32_t car_take_lru(struct car *p, int list)
{
	uint32_t v = p->l[list].tail;
	pl_unlink(p->b.pool.n, &p->l[list], v);
	pb_pol_tail_ahead(&p->b, &p->l[list]);
	return v;
}

/*
 * A miss: key's ghost node i, or i = PN_NIL with the lookup's at.  The
 * node a directory replacement drops (then allocated again for key,
 * before) is renamed to key at at: no second probe, no clearing (the
 * clock replacement before it moves nodes between lists, never changes
 * the map).  Out of line: a hit saves no registers.
 */
static __attribute__((noinline)) enum pb_pol_result
car_miss(struct car *p, uint32_t i, uint64_t key, uint64_t at, uint64_t *victim)
{
	struct pnode *n = p->b.pool.n;
	uint64_t c = p->b.frames;
	enum pb_pol_result rc = PB_POL_MISS;
	int ghost = i != PN_NIL;
	if (p->b.res == c) {
		*victim = car_replace(p, n);
		rc = PB_POL_MISS_EVICT;
	}
	/*
	 * Directory replacement.  The paper does this only with memory full,
	 * where its invariants make the tests below equalities; after remove()
	 * freed frames the >= forms keep the ghost lists bounded all the same.
	 */
	if (!ghost) {
		uint64_t t1b1 = p->l[C_T1].size + p->l[C_B1].size;
		uint64_t all = t1b1 + p->l[C_T2].size + p->l[C_B2].size;
		if (t1b1 >= c && p->l[C_B1].size)
			i = car_take_lru(p, C_B1);
		else if (all >= 2 * c && p->l[C_B2].size)
			i = car_take_lru(p, C_B2);
		if (i != PN_NIL)
			pb_pol_node_rekey_at(&p->b, i, key, at);
		else
			i = pb_pol_node_must(&p->b, key);
		n = p->b.pool.n;
		n[i].where = C_T1;
		n[i].ref = 0;
		pl_push_head(n, &p->l[C_T1], i);
	} else {
		uint64_t b1 = p->l[C_B1].size, b2 = p->l[C_B2].size;
		if (n[i].where == C_B1) {
			double d = (double)b2 / (double)b1 > 1.0 ? (double)b2 / (double)b1 : 1.0;
			p->p = p->p + d < (double)c ? p->p + d : (double)c;
		} else {
			double d = (double)b1 / (double)b2 > 1.0 ? (double)b1 / (double)b2 : 1.0;
			p->p = p->p > d ? p->p - d : 0.0;
		}
		n[i].ref = 0;
		car_move(p, n, i, C_T2);
	}
	p->b.res++;
	return rc;
}

static enum pb_pol_result car_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct car *p = (struct car *)pp;
	uint64_t key = r->key, at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, key, &at);
	if (i != PN_NIL) {
		struct pnode *n = p->b.pool.n;
		if (n[i].where <= C_T2) {
			n[i].ref = 1;
			return PB_POL_HIT;
		}
	}
	return car_miss(p, i, key, at, victim);
}

static int car_remove(struct pb_policy *pp, uint64_t key)
{
	struct car *p = (struct car *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL || n[i].where >= C_B1)
		return -ENOENT;
	pl_unlink(n, &p->l[n[i].where], i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

const struct pb_policy_desc pb_pol_car = {
    .name = "car",
    .title = "CAR (Clock with Adaptive Replacement)",
    .paper = "Bansal & Modha, FAST 2004",
    .flags = PB_POL_HW,
    .create = car_create,
    .destroy = pb_pol_free,
    .access = car_access,
    .remove = car_remove,
    .resident = pb_pol_resident,
};
