/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/twoq.c - 2Q (full version).
 *
 * How it works (Johnson & Shasha, "2Q: a low overhead high performance
 * buffer management replacement algorithm", VLDB 1994, "full version"):
 * A1in is a FIFO of pages seen once recently (at most Kin resident pages),
 * A1out a FIFO of the keys (not the data) evicted from A1in (at most Kout
 * entries), Am an LRU of pages re-referenced after leaving A1in.
 *   hit in Am     -> move to Am's MRU end;
 *   hit in A1in   -> nothing (correlated references);
 *   key in A1out  -> fault: reclaim a frame, load into Am (MRU);
 *   new key       -> fault: reclaim a frame, load at the head of A1in.
 * reclaimfor: a free frame if any; else if |A1in| > Kin, evict A1in's tail
 * and remember its key at the head of A1out (dropping A1out's tail when
 * |A1out| > Kout); else evict Am's LRU page (forgotten).  Needs every hit
 * in Am: PB_POL_ORACLE.
 *
 * Variant details: Kin = kin * frames (default 0.25), Kout = kout * frames
 * (default 0.5), the paper's recommended settings; both at least 1.  When
 * Am is empty the A1in tail goes even if |A1in| <= Kin (only possible with
 * Kin >= frames).
 */
#include "polint.h"

enum { Q_A1IN, Q_AM, Q_A1OUT };

struct twoq {
	struct pb_policy b;
	struct plist a1in, am, a1out;
	uint64_t kin, kout;
	double fin, fout;
};

static int q_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		    size_t errlen)
{
	int rc =
	    pb_pol_alloc(&pb_pol_2q, cfg, sizeof(struct twoq), cfg->frames * 2, out, err, errlen);
	if (rc)
		return rc;
	struct twoq *p = (struct twoq *)*out;
	p->a1in = p->am = p->a1out = PLIST_INIT;
	rc = pb_pol_params_apply(&pb_pol_2q, cfg, p, err, errlen);
	if (rc) {
		pb_pol_free(*out);
		return rc;
	}
	p->kin = pb_pol_frac_of(cfg->frames, p->fin);
	p->kout = pb_pol_frac_of(cfg->frames, p->fout);
	return 0;
}

static struct plist *q_list(struct twoq *p, uint8_t where)
{
	return where == Q_A1IN ? &p->a1in : where == Q_AM ? &p->am : &p->a1out;
}

/* Free a frame; returns the victim's key.  *spare: the node it lets go
 * of (Am's victim, or the ghost A1out drops), out of its list but still
 * mapped, or PN_NIL. */
static uint64_t q_reclaim(struct twoq *p, uint32_t *spare)
{
	struct pnode *n = p->b.pool.n;
	uint32_t y;
	uint64_t key;
	if (p->a1in.size > p->kin || !p->am.size) {
		y = p->a1in.tail;
		key = n[y].key;
		pl_unlink(n, &p->a1in, y);
		n[y].where = Q_A1OUT;
		pl_push_head(n, &p->a1out, y);
		if (p->a1out.size > p->kout) {
			uint32_t z = p->a1out.tail;
			pl_unlink(n, &p->a1out, z);
			pb_pol_tail_ahead(&p->b, &p->a1out);
			*spare = z;
		}
	} else {
		y = p->am.tail;
		key = n[y].key;
		pl_unlink(n, &p->am, y);
		*spare = y;
	}
	p->b.res--;
	return key;
}

/*
 * A miss: key's ghost node i (in A1out), or i = PN_NIL with the lookup's
 * at.  The node the reclaim lets go of (dropped, then allocated again for
 * a new key, before) is renamed to a new key at at: no second probe, no
 * clearing.  Out of line: a hit saves no registers.
 */
static __attribute__((noinline)) enum pb_pol_result q_miss(struct twoq *p, uint32_t i, uint64_t key,
							   uint64_t at, uint64_t *victim)
{
	struct pnode *n = p->b.pool.n;
	enum pb_pol_result rc = PB_POL_MISS;
	uint32_t spare = PN_NIL;
	/* Take the ghost out first so reclaim cannot let it go. */
	if (i != PN_NIL)
		pl_unlink(n, &p->a1out, i);
	if (p->b.res == p->b.frames) {
		*victim = q_reclaim(p, &spare);
		rc = PB_POL_MISS_EVICT;
	}
	if (i != PN_NIL) {
		if (spare != PN_NIL)
			pb_pol_node_drop(&p->b, spare);
		n[i].where = Q_AM;
		pl_push_head(n, &p->am, i);
	} else {
		if (spare != PN_NIL)
			pb_pol_node_rekey_at(&p->b, spare, key, at);
		else
			spare = pb_pol_node_must(&p->b, key);
		n = p->b.pool.n;
		n[spare].where = Q_A1IN;
		pl_push_head(n, &p->a1in, spare);
	}
	p->b.res++;
	return rc;
}

static enum pb_pol_result q_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct twoq *p = (struct twoq *)pp;
	uint64_t key = r->key, at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, key, &at);
	if (i != PN_NIL) {
		struct pnode *n = p->b.pool.n;
		if (n[i].where == Q_AM) {
			pl_to_head(n, &p->am, i);
			return PB_POL_HIT;
		}
		if (n[i].where == Q_A1IN)
			return PB_POL_HIT;
	}
	return q_miss(p, i, key, at, victim);
}

static int q_remove(struct pb_policy *pp, uint64_t key)
{
	struct twoq *p = (struct twoq *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL || n[i].where == Q_A1OUT)
		return -ENOENT;
	pl_unlink(n, q_list(p, n[i].where), i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static const struct pb_param twoq_params[] = {
    {"kin", PB_PT_DBL, offsetof(struct twoq, fin), "0.25", "A1in share of frames", NULL, 0, 1, 0,
     PB_PF_LO_OPEN, NULL},
    {"kout", PB_PT_DBL, offsetof(struct twoq, fout), "0.5", "A1out ghost entries per frame", NULL,
     0, 1, 0, PB_PF_LO_OPEN, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_2q = {
    .name = "2q",
    .title = "2Q (full version, A1in/A1out/Am)",
    .paper = "Johnson & Shasha, VLDB 1994",
    .flags = PB_POL_ORACLE,
    .params = twoq_params,
    .create = q_create,
    .destroy = pb_pol_free,
    .access = q_access,
    .remove = q_remove,
    .resident = pb_pol_resident,
};
