/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/clockpro.c - CLOCK-Pro.
 *
 * How it works (Jiang, Chen & Zhang, "CLOCK-Pro: an effective improvement
 * of the CLOCK replacement", USENIX ATC 2005): LIRS's idea (reuse distance,
 * not recency, decides) on one CLOCK.  Pages are hot (resident), cold
 * resident, or cold non-resident (metadata only, kept while in their "test
 * period").  All sit on one circle with three hands; "the list head" is just
 * behind HAND_hot.  A hit only sets the reference bit (PB_POL_HW).
 *  HAND_cold (on a fault, memory full) skips hot and non-resident pages; at a
 *   resident cold page: bit 0 -> evict it (kept as non-resident if in its
 *   test period, else forgotten), done; bit 1 and in test period -> clear
 *   the bit, the page turns hot (m_c += 1), moves to the list head, and
 *   HAND_hot runs; bit 1 not in test -> clear it, a new test period starts,
 *   move to the list head.
 *  HAND_hot runs while hot pages exceed m_h = frames - m_c: at a hot page,
 *   bit 1 -> clear and pass; bit 0 -> it turns cold (no test period).  At a
 *   cold page it ends the test period (m_c -= 1 when it ends unused) and
 *   forgets it if non-resident.  After demoting it moves on to the next hot
 *   page, doing the same to the cold pages on the way.
 *  HAND_test runs while non-resident cold pages exceed frames: it ends the
 *   test period of each cold page it passes (m_c -= 1), forgetting the
 *   non-resident ones.
 * A fault on a non-resident page in its test period makes it hot (m_c += 1)
 * at the list head (and HAND_hot runs); any other fault loads a cold page in
 * its test period at the list head.
 *
 * Variant details: m_c starts at max(1, frames/100) and adapts within
 * [1, frames - 1] (m_h >= 1 when frames >= 2).  While memory fills, faulted
 * pages are hot until there are m_h of them.  A cold page whose bit is set
 * outside its test period gets a new test period (the paper leaves its
 * status unchanged and is silent on test periods there; giving one lets a
 * re-used cold page prove itself).  New pages enter with the bit clear.
 */
#include "polint.h"

enum { P_HOT, P_COLD, P_NONRES };

struct cpro {
	struct pb_policy b;
	uint32_t first, hh, ht; /* the clock (prev/next) and two of its hands */
	uint32_t hc;		/* HAND_cold: always on a resident cold page (a/b ring) */
	uint32_t cbh;		/* the last resident cold page before HAND_hot */
	uint64_t mc, mc_max, nhot, ncold, nnonres;
};

static int cpro_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		       size_t errlen)
{
	int rc = pb_pol_params_apply(&pb_pol_clockpro, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(&pb_pol_clockpro, cfg, sizeof(struct cpro), cfg->frames * 2 + 1, out, err,
			  errlen);
	if (rc)
		return rc;
	struct cpro *p = (struct cpro *)*out;
	p->first = p->hh = p->hc = p->ht = p->cbh = PN_NIL;
	p->mc_max = cfg->frames > 1 ? cfg->frames - 1 : 1;
	p->mc = cfg->frames / 100 > 1 ? cfg->frames / 100 : 1;
	if (p->mc > p->mc_max)
		p->mc = p->mc_max;
	return 0;
}

static inline uint64_t cpro_mh(const struct cpro *p)
{
	return p->b.frames - p->mc;
}

/*
 * The resident cold pages also form a ring of their own (links a/b) in the
 * clock's order, so HAND_cold goes from cold page to cold page without
 * stepping over the hot and non-resident ones (the paper's hand "stops at
 * the next resident cold page").  Pages become cold only just behind
 * HAND_hot, so they enter this ring just after `cbh`.
 */
static void cold_add(struct cpro *p, struct pnode *n, uint32_t i)
{
	if (p->hc == PN_NIL) {
		n[i].a = n[i].b = i;
		p->hc = i;
	} else {
		uint32_t after = p->cbh, nx = n[after].b;
		n[i].a = after;
		n[i].b = nx;
		n[after].b = i;
		n[nx].a = i;
	}
	p->cbh = i;
	p->ncold++;
}

static void cold_del(struct cpro *p, struct pnode *n, uint32_t i)
{
	int alone = n[i].b == i;
	if (p->hc == i)
		p->hc = alone ? PN_NIL : n[i].b;
	if (p->cbh == i)
		p->cbh = alone ? PN_NIL : n[i].a;
	if (!alone) {
		n[n[i].a].b = n[i].b;
		n[n[i].b].a = n[i].a;
	}
	p->ncold--;
}

static void cpro_unlink(struct cpro *p, struct pnode *n, uint32_t i)
{
	p->hh = ring_hand_off(n, p->hh, i);
	p->ht = ring_hand_off(n, p->ht, i);
	ring_unlink(n, &p->first, i);
}

/* Link i (not a cold resident page right now) at the list head, just
 * behind HAND_hot. */
static void cpro_to_head(struct cpro *p, struct pnode *n, uint32_t i, int linked)
{
	if (linked) {
		if (p->hh == i) {
			/* Under HAND_hot: one step of the hand leaves i behind it. */
			p->hh = n[i].next;
			return;
		}
		cpro_unlink(p, n, i);
	}
	if (p->first == PN_NIL) {
		ring_insert(n, &p->first, PN_NIL, i);
		p->hh = p->ht = i;
		return;
	}
	ring_insert(n, &p->first, p->hh, i);
}

static void cpro_end_test(struct cpro *p, struct pnode *n, uint32_t i)
{
	if (n[i].flag) {
		n[i].flag = 0;
		if (p->mc > 1)
			p->mc--;
	}
	if (n[i].where == P_NONRES) {
		cpro_unlink(p, n, i);
		pb_pol_node_drop(&p->b, i);
		p->nnonres--;
	}
}

/* A cold page reused in its test period turns hot. */
static void cpro_promote(struct cpro *p)
{
	if (p->mc < p->mc_max)
		p->mc++;
}

static void cpro_run_hot(struct cpro *p)
{
	struct pnode *n = p->b.pool.n;
	int demoted = 0;
	while (p->hh != PN_NIL) {
		uint32_t x = p->hh;
		if (n[x].where == P_HOT) {
			if (demoted)
				return; /* stops at the next hot page */
			p->hh = n[x].next;
			if (n[x].ref) {
				n[x].ref = 0;
			} else {
				n[x].where = P_COLD;
				n[x].flag = 0;
				p->nhot--;
				cold_add(p, n, x); /* just behind HAND_hot now */
				if (p->nhot <= cpro_mh(p))
					demoted = 1;
				if (!p->nhot)
					return;
			}
		} else if (n[x].where == P_NONRES) {
			cpro_end_test(p, n, x); /* forgets x; the hand moves on */
		} else {
			cpro_end_test(p, n, x);
			p->cbh = x;
			p->hh = n[x].next;
		}
	}
}

static void cpro_run_test(struct cpro *p)
{
	struct pnode *n = p->b.pool.n;
	while (p->nnonres > p->b.frames) {
		uint32_t x = p->ht;
		if (n[x].where == P_NONRES) {
			cpro_end_test(p, n, x); /* forgets x; the hand moves on */
		} else {
			if (n[x].where == P_COLD)
				cpro_end_test(p, n, x);
			p->ht = n[x].next;
		}
	}
}

/* HAND_cold: free one frame; returns the victim's key. */
static uint64_t cpro_run_cold(struct cpro *p)
{
	for (;;) {
		struct pnode *n = p->b.pool.n;
		uint32_t x = p->hc;
		if (!n[x].ref) {
			uint64_t key = n[x].key;
			cold_del(p, n, x);
			p->b.res--;
			if (n[x].flag) {
				n[x].where = P_NONRES;
				p->nnonres++;
			} else {
				cpro_unlink(p, n, x);
				pb_pol_node_drop(&p->b, x);
			}
			return key;
		}
		n[x].ref = 0;
		cold_del(p, n, x);
		if (n[x].flag) {
			n[x].flag = 0;
			n[x].where = P_HOT;
			p->nhot++;
			cpro_promote(p);
			cpro_to_head(p, n, x, 1);
			if (p->nhot > cpro_mh(p))
				cpro_run_hot(p);
		} else {
			n[x].flag = 1;
			cpro_to_head(p, n, x, 1);
			cold_add(p, n, x);
		}
	}
}

static enum pb_pol_result cpro_access(struct pb_policy *pp, const struct pb_ref *r,
				      uint64_t *victim)
{
	struct cpro *p = (struct cpro *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, r->key);
	enum pb_pol_result rc = PB_POL_MISS;
	if (i != PN_NIL && n[i].where != P_NONRES) {
		n[i].ref = 1;
		return PB_POL_HIT;
	}
	if (p->b.res == p->b.frames) {
		*victim = cpro_run_cold(p);
		rc = PB_POL_MISS_EVICT;
		/* The hands may have ended x's test period meanwhile (they
		 * only forget keys: one not found stays so). */
		if (i != PN_NIL)
			i = pb_pol_find(&p->b, r->key);
	}
	n = p->b.pool.n;
	if (i != PN_NIL) { /* non-resident cold page in its test period */
		p->nnonres--;
		n[i].where = P_HOT;
		n[i].flag = 0;
		n[i].ref = 0;
		p->nhot++;
		cpro_promote(p);
		cpro_to_head(p, n, i, 1);
		p->b.res++;
		if (p->nhot > cpro_mh(p))
			cpro_run_hot(p);
		return rc;
	}
	i = pb_pol_node_must(&p->b, r->key);
	n = p->b.pool.n;
	n[i].ref = 0;
	if (p->nhot < cpro_mh(p) && rc == PB_POL_MISS) {
		n[i].where = P_HOT;
		p->nhot++;
		cpro_to_head(p, n, i, 0);
	} else {
		n[i].where = P_COLD;
		n[i].flag = 1;
		cpro_to_head(p, n, i, 0);
		cold_add(p, n, i);
	}
	p->b.res++;
	if (p->nnonres > p->b.frames)
		cpro_run_test(p);
	return rc;
}

static int cpro_remove(struct pb_policy *pp, uint64_t key)
{
	struct cpro *p = (struct cpro *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL || n[i].where == P_NONRES)
		return -ENOENT;
	if (n[i].where == P_HOT)
		p->nhot--;
	else
		cold_del(p, n, i);
	cpro_unlink(p, n, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

const struct pb_policy_desc pb_pol_clockpro = {
    .name = "clockpro",
    .title = "CLOCK-Pro",
    .paper = "Jiang, Chen & Zhang, USENIX ATC 2005",
    .flags = PB_POL_HW,
    .create = cpro_create,
    .destroy = pb_pol_free,
    .access = cpro_access,
    .remove = cpro_remove,
    .resident = pb_pol_resident,
};
