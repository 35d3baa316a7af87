/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/s3fifo.c - S3-FIFO.
 *
 * How it works (Yang, Zhang, Qiu, Yue & Rashmi, "FIFO queues are all you
 * need for cache eviction", SOSP 2023): three FIFO queues, S (small, 10% of
 * the frames), M (main, 90%) and G (ghost: keys only, as many entries as M
 * has frames).  Each resident page has a 2-bit frequency, capped at 3, that
 * a hit increments.  A fault on a key found in G loads it into M, any other
 * fault loads into S.  To free a frame: if |S| >= 10% of the frames, take
 * S's tail: accessed (freq >= move_threshold) -> moved to M's head with its
 * bits cleared, and go on with the next tail; not accessed -> evicted, its
 * key enters G (G drops its oldest key when over capacity).  Otherwise take
 * M's tail: freq > 0 -> reinserted at M's head with freq - 1; freq 0 ->
 * evicted (not remembered).  Hits only bump a small counter (no list
 * move): PB_POL_HW in spirit, but the counter is 2 bits, more than an
 * accessed bit gives, so we class it PB_POL_ORACLE.
 *
 * Variant details: one victim per fault (the engine frees one frame per
 * fault): when S promotes its tail into a full M, M's overflow is evicted on
 * the next fault (S + M = frames, so then |S| < 10%), as in the authors'
 * libCacheSim implementation, rather than evicting a second page at once;
 * if S empties without an eviction, M evicts.  Ghost ratio 0.9 as in the
 * paper.  move_threshold = 1 (any hit while in S promotes: the paper's
 * "accessed") is our default; libCacheSim's S3-FIFO sets its
 * move-to-main threshold to 2, which move_threshold=2 reproduces.
 *
 * libCacheSim's ghost (lcs_ghost=1; S3FIFO.c at aa0fc40): its lookup takes
 * a missed key out of G before the eviction runs (ours, the paper's
 * insert(), evicts first: S's victim entering a full G can push the key's
 * own ghost out, and the key then loads into S, not M), and G holds
 * floor(0.9 x frames) keys (ours: as many as M has frames, frames -
 * floor(0.1 x frames), one more where 0.1 x frames is not whole).  With
 * move_threshold=2 its counts are libCacheSim's.
 */
#include "polint.h"

enum { S_S, S_M, S_G };

struct s3 {
	struct pb_policy b;
	struct plist l[3]; /* head = newest */
	double fsmall;
	uint64_t small_cap; /* |S| >= small_cap: evict from S */
	uint64_t ghost_cap;
	uint64_t threshold;
	uint64_t lcs_ghost; /* 1: libCacheSim's ghost (above) */
};

static int s3_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		     size_t errlen)
{
	int rc =
	    pb_pol_alloc(&pb_pol_s3fifo, cfg, sizeof(struct s3), cfg->frames * 2, out, err, errlen);
	if (rc)
		return rc;
	struct s3 *p = (struct s3 *)*out;
	for (int k = 0; k < 3; k++)
		p->l[k] = PLIST_INIT;
	rc = pb_pol_params_apply(&pb_pol_s3fifo, cfg, p, err, errlen);
	if (rc) {
		pb_pol_free(*out);
		return rc;
	}
	p->small_cap = pb_pol_frac_of(cfg->frames, p->fsmall);
	p->ghost_cap = p->lcs_ghost ? (uint64_t)((double)cfg->frames * 0.9)
				    : cfg->frames - (uint64_t)((double)cfg->frames * p->fsmall);
	if (p->ghost_cap < 1)
		p->ghost_cap = 1;
	return 0;
}

/* M's eviction: its victim leaves M but keeps its map entry and node,
 * *spare, for the caller to give away or drop. */
static uint64_t s3_evict_m(struct s3 *p, struct pnode *n, uint32_t *spare)
{
	for (;;) {
		uint32_t t = p->l[S_M].tail;
		if (n[t].ref) {
			n[t].ref--;
			pl_to_head(n, &p->l[S_M], t);
			continue;
		}
		pl_unlink(n, &p->l[S_M], t);
		*spare = t;
		return n[t].key;
	}
}

/* Free one frame: the victim's key.  *spare: the node the eviction lets
 * go of (M's victim, or the ghost G drops), out of its list but still
 * mapped, or PN_NIL. */
static uint64_t s3_evict(struct s3 *p, uint32_t *spare)
{
	struct pnode *n = p->b.pool.n;
	if (p->l[S_S].size >= p->small_cap) {
		while (p->l[S_S].size) {
			uint32_t t = p->l[S_S].tail;
			pl_unlink(n, &p->l[S_S], t);
			if (n[t].ref >= p->threshold) {
				n[t].ref = 0;
				n[t].where = S_M;
				pl_push_head(n, &p->l[S_M], t);
				continue;
			}
			n[t].where = S_G;
			pl_push_head(n, &p->l[S_G], t);
			if (p->l[S_G].size > p->ghost_cap) {
				uint32_t g = p->l[S_G].tail;
				pl_unlink(n, &p->l[S_G], g);
				pb_pol_tail_ahead(&p->b, &p->l[S_G]);
				*spare = g;
			}
			return n[t].key;
		}
	}
	return s3_evict_m(p, n, spare);
}

/*
 * A miss: key's ghost node i, or i = PN_NIL with the lookup's at.  The
 * node the eviction lets go of (dropped, then allocated again for a new
 * key, before) goes to key when key has no node: renamed at at (no second
 * probe, no clearing), or, when it is key's own ghost that just aged out
 * of G, kept as it is for key's new page in S.  Out of line: a hit saves
 * no registers.
 */
static __attribute__((noinline)) enum pb_pol_result s3_miss(struct s3 *p, uint32_t i, uint64_t key,
							    uint64_t at, uint64_t *victim)
{
	enum pb_pol_result rc = PB_POL_MISS;
	uint32_t spare = PN_NIL;
	struct pnode *n = p->b.pool.n;
	int out_of_g = 0;
	if (i != PN_NIL && p->lcs_ghost) { /* libCacheSim: out of G first */
		pl_unlink(n, &p->l[S_G], i);
		n[i].where = S_M;
		out_of_g = 1;
	}
	if (p->b.res == p->b.frames) {
		*victim = s3_evict(p, &spare);
		p->b.res--;
		rc = PB_POL_MISS_EVICT;
	}
	n = p->b.pool.n;
	if (spare != PN_NIL) {
		if (spare == i) { /* the ghost aged out of G just now: key is new */
			i = PN_NIL;
		} else if (i == PN_NIL) {
			pb_pol_node_rekey_at(&p->b, spare, key, at);
		} else {
			pb_pol_node_drop(&p->b, spare);
			spare = PN_NIL;
		}
	}
	if (i != PN_NIL) { /* a ghost: into M */
		if (!out_of_g)
			pl_unlink(n, &p->l[S_G], i);
		n[i].where = S_M;
		n[i].ref = 0;
		pl_push_head(n, &p->l[S_M], i);
	} else {
		if (spare == PN_NIL) {
			spare = pb_pol_node_must(&p->b, key);
			n = p->b.pool.n;
		}
		n[spare].where = S_S;
		n[spare].ref = 0;
		pl_push_head(n, &p->l[S_S], spare);
	}
	p->b.res++;
	return rc;
}

static enum pb_pol_result s3_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct s3 *p = (struct s3 *)pp;
	uint64_t key = r->key, at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, key, &at);
	if (i != PN_NIL) {
		struct pnode *n = p->b.pool.n;
		if (n[i].where != S_G) {
			if (n[i].ref < 3)
				n[i].ref++;
			return PB_POL_HIT;
		}
	}
	return s3_miss(p, i, key, at, victim);
}

static int s3_remove(struct pb_policy *pp, uint64_t key)
{
	struct s3 *p = (struct s3 *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL || n[i].where == S_G)
		return -ENOENT;
	pl_unlink(n, &p->l[n[i].where], i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static const struct pb_param s3fifo_params[] = {
    {"small", PB_PT_DBL, offsetof(struct s3, fsmall), "0.1", "S (small FIFO) share of frames", NULL,
     0, 1, 0, PB_PF_LO_OPEN, NULL},
    {"move_threshold", PB_PT_U64, offsetof(struct s3, threshold), "1",
     "S->M when freq >= this (libCacheSim: 2)", NULL, 1, 3, 0, PB_PF_FRAMES, NULL},
    {"lcs_ghost", PB_PT_U64, offsetof(struct s3, lcs_ghost), "0",
     "1: libCacheSim's ghost (a miss leaves G before evicting; G holds floor(0.9 x frames))", NULL,
     0, 1, 0, 0, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_s3fifo = {
    .name = "s3fifo",
    .title = "S3-FIFO (small, main and ghost FIFO queues)",
    .paper = "Yang, Zhang, Qiu, Yue & Rashmi, SOSP 2023",
    .flags = PB_POL_ORACLE,
    .params = s3fifo_params,
    .create = s3_create,
    .destroy = pb_pol_free,
    .access = s3_access,
    .remove = s3_remove,
    .resident = pb_pol_resident,
};
