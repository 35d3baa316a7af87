/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/lirs.c - LIRS, Low Inter-reference Recency Set.
 *
 * How it works (Jiang & Zhang, "LIRS: an efficient low inter-reference
 * recency set replacement policy to improve buffer cache performance",
 * SIGMETRICS 2002): pages with a small inter-reference recency (IRR) are LIR
 * and always resident (at most Llirs of them); the others are HIR, of which
 * only Lhirs frames' worth are resident.  Stack S holds LIR pages and HIR
 * pages (resident or not) more recent than the least recent LIR page; list Q
 * holds the resident HIR pages, the victim being Q's front.  "Stack pruning"
 * removes HIR entries from S's bottom until a LIR page is there.
 *   LIR page hit:          move to S's top; prune if it was at the bottom.
 *   resident HIR hit, in S: becomes LIR (top of S, out of Q); S's bottom LIR
 *                          page becomes HIR at Q's end; prune.
 *   resident HIR hit, not in S: to S's top and Q's end, stays HIR.
 *   fault: evict Q's front (it stays in S as a non-resident HIR entry if it
 *          is there); then, if the key is a non-resident HIR entry in S it
 *          becomes LIR (S's bottom LIR becomes HIR at Q's end; prune), else
 *          it enters S's top and Q's end as resident HIR.
 * While fewer than Llirs pages are LIR, faulted pages become LIR directly.
 * Needs every hit: PB_POL_ORACLE.
 *
 * Variant details: Lhirs = hirs * frames (default 1%, the paper's setting),
 * at least 1; Llirs = frames - Lhirs.  With one frame Llirs = 0 and LIRS
 * degenerates to FIFO on the single frame.
 *
 * Bounded stack (parameter stack_bound, default 0).  With 0, S is not
 * bounded beyond what pruning removes (the paper's definition):
 * non-resident entries cost one node each, proportional to the pages
 * touched.  With stack_bound = B > 0, S holds at most B x frames entries,
 * as libCacheSim's LIRS does with B = 2: when an entry enters S and S is
 * over the bound, the non-resident HIR entry of S that became non-resident
 * longest ago is forgotten (unlinked from S, node dropped).  Non-resident
 * entries are never in Q, so they reuse Q's links (a/b) for that FIFO
 * (list `nr`, head = newest; kept only when bounded, so the paper's LIRS
 * runs exactly the code it ran before).  If S holds no non-resident entry, nothing is
 * dropped (LIR pages and resident HIR pages are bounded by the frames).
 */
#include "polint.h"

enum { L_LIR, L_HIR, L_NONRES };
#define IN_S 1
#define IN_Q 2

struct lirs {
	struct pb_policy b;
	struct plist s;	 /* prev/next; head = top */
	struct plist q;	 /* a/b; head = end (newest), tail = front (victim) */
	struct plist nr; /* a/b: non-resident HIR entries of S; tail = oldest */
	uint64_t llirs, nlir;
	double fhirs;
	uint64_t stack_bound; /* S <= stack_bound * frames entries; 0: unbounded */
	uint64_t s_max;	      /* stack_bound * frames, or UINT64_MAX */
};

static int lirs_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		       size_t errlen)
{
	int rc =
	    pb_pol_alloc(&pb_pol_lirs, cfg, sizeof(struct lirs), cfg->frames * 2, out, err, errlen);
	if (rc)
		return rc;
	struct lirs *p = (struct lirs *)*out;
	p->s = p->q = p->nr = PLIST_INIT;
	rc = pb_pol_params_apply(&pb_pol_lirs, cfg, p, err, errlen);
	if (rc) {
		pb_pol_free(*out);
		return rc;
	}
	p->llirs = cfg->frames - pb_pol_frac_of(cfg->frames, p->fhirs);
	p->s_max = p->stack_bound ? p->stack_bound * cfg->frames : UINT64_MAX;
	return 0;
}

static void lirs_prune(struct lirs *p)
{
	struct pnode *n = p->b.pool.n;
	while (p->s.tail != PN_NIL && n[p->s.tail].where != L_LIR) {
		uint32_t t = p->s.tail;
		pl_unlink(n, &p->s, t);
		n[t].flag &= (uint8_t)~IN_S;
		if (n[t].where == L_NONRES) {
			if (p->stack_bound)
				pl2_unlink(n, &p->nr, t);
			pb_pol_node_drop(&p->b, t);
		}
	}
}

/* stack_bound: forget the oldest non-resident entries while S is over. */
static void lirs_bound(struct lirs *p)
{
	struct pnode *n = p->b.pool.n;
	while (pb_unlikely(p->s.size > p->s_max) && p->nr.tail != PN_NIL) {
		uint32_t t = p->nr.tail;
		pl2_unlink(n, &p->nr, t);
		pl_unlink(n, &p->s, t);
		pb_pol_node_drop(&p->b, t);
	}
}

/* S's bottom LIR page becomes resident HIR at Q's end; then prune. */
static void lirs_demote_bottom(struct lirs *p)
{
	struct pnode *n = p->b.pool.n;
	lirs_prune(p);
	n = p->b.pool.n;
	uint32_t t = p->s.tail;
	pl_unlink(n, &p->s, t);
	n[t].flag = IN_Q;
	n[t].where = L_HIR;
	pl2_push_head(n, &p->q, t);
	p->nlir--;
	lirs_prune(p);
}

static void lirs_to_top(struct lirs *p, struct pnode *n, uint32_t i)
{
	if (n[i].flag & IN_S) {
		pl_to_head(n, &p->s, i);
	} else {
		pl_push_head(n, &p->s, i);
		n[i].flag |= IN_S;
	}
}

static enum pb_pol_result lirs_access(struct pb_policy *pp, const struct pb_ref *r,
				      uint64_t *victim)
{
	struct lirs *p = (struct lirs *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at), fresh = PN_NIL;
	enum pb_pol_result rc = PB_POL_MISS;
	if (i != PN_NIL && n[i].where == L_LIR) {
		int bottom = p->s.tail == i;
		pl_to_head(n, &p->s, i);
		if (bottom)
			lirs_prune(p);
		return PB_POL_HIT;
	}
	if (i != PN_NIL && n[i].where == L_HIR) {
		if (n[i].flag & IN_S) {
			pl_to_head(n, &p->s, i);
			pl2_unlink(n, &p->q, i);
			n[i].flag = IN_S;
			n[i].where = L_LIR;
			p->nlir++;
			lirs_demote_bottom(p);
		} else {
			lirs_to_top(p, n, i);
			pl2_unlink(n, &p->q, i);
			pl2_push_head(n, &p->q, i);
			if (p->stack_bound)
				lirs_bound(p);
		}
		return PB_POL_HIT;
	}
	if (p->b.res == p->b.frames) {
		uint32_t v = p->q.tail;
		if (v == PN_NIL) { /* only with llirs = frames: cannot happen */
			v = p->s.tail;
			pl_unlink(n, &p->s, v);
			n[v].flag &= (uint8_t)~IN_S;
			p->nlir--;
		} else {
			pl2_unlink(n, &p->q, v);
			n[v].flag &= (uint8_t)~IN_Q;
		}
		*victim = n[v].key;
		if (n[v].flag & IN_S) {
			n[v].where = L_NONRES;
			if (p->stack_bound)
				pl2_push_head(n, &p->nr, v);
		} else if (i == PN_NIL) {
			/* the node drop + alloc would hand back (flag 0, out of
			 * every list), renamed at the lookup's slot: the map is
			 * unchanged since */
			pb_pol_node_rekey_at(&p->b, v, r->key, at);
			fresh = v;
		} else {
			pb_pol_node_drop(&p->b, v);
		}
		p->b.res--;
		rc = PB_POL_MISS_EVICT;
	}
	if (i != PN_NIL && p->stack_bound) /* a non-resident HIR entry of S comes back */
		pl2_unlink(p->b.pool.n, &p->nr, i);
	if (i != PN_NIL && p->llirs > 0) { /* non-resident HIR in S */
		n = p->b.pool.n;
		pl_to_head(n, &p->s, i);
		n[i].where = L_LIR;
		p->nlir++;
		if (p->nlir > p->llirs)
			lirs_demote_bottom(p);
	} else {
		if (i == PN_NIL)
			i = fresh != PN_NIL ? fresh : pb_pol_node_must(&p->b, r->key);
		n = p->b.pool.n;
		lirs_to_top(p, n, i);
		if (p->nlir < p->llirs) {
			n[i].where = L_LIR;
			p->nlir++;
			/* Only after remove() can HIR entries lie below: prune so
			 * S's bottom stays LIR. */
			lirs_prune(p);
		} else {
			n[i].where = L_HIR;
			n[i].flag |= IN_Q;
			pl2_push_head(n, &p->q, i);
			if (!p->llirs)
				lirs_prune(p);
		}
	}
	p->b.res++;
	if (p->stack_bound)
		lirs_bound(p);
	return rc;
}

static int lirs_remove(struct pb_policy *pp, uint64_t key)
{
	struct lirs *p = (struct lirs *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL || n[i].where == L_NONRES)
		return -ENOENT;
	if (n[i].flag & IN_S)
		pl_unlink(n, &p->s, i);
	if (n[i].flag & IN_Q)
		pl2_unlink(n, &p->q, i);
	if (n[i].where == L_LIR)
		p->nlir--;
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	lirs_prune(p);
	return 0;
}

static const struct pb_param lirs_params[] = {
    {"hirs", PB_PT_DBL, offsetof(struct lirs, fhirs), "0.01",
     "share of frames for resident HIR pages", NULL, 0, 1, 0, PB_PF_LO_OPEN, NULL},
    {"stack_bound", PB_PT_U64, offsetof(struct lirs, stack_bound), "0",
     "S holds at most this x frames entries; 0: unbounded (the paper; libCacheSim: 2)", NULL, 0,
     1024, 0, PB_PF_FRAMES, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_lirs = {
    .name = "lirs",
    .title = "LIRS (Low Inter-reference Recency Set)",
    .paper = "Jiang & Zhang, SIGMETRICS 2002",
    .flags = PB_POL_ORACLE,
    .params = lirs_params,
    .create = lirs_create,
    .destroy = pb_pol_free,
    .access = lirs_access,
    .remove = lirs_remove,
    .resident = pb_pol_resident,
};
