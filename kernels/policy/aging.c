/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/aging.c - Aging (NFU with shifting counters).
 *
 * How it works (Tanenbaum, "Modern Operating Systems", the aging algorithm
 * that approximates LRU in software): every resident page has an 8-bit
 * counter and the referenced bit R that the MMU sets on a hit (PB_POL_HW).
 * Every `period` accesses (the clock tick) each counter is shifted right by
 * one and R is shifted into its top bit, then R is cleared; so the counter
 * records R over the last 8 ticks, recent ticks weighing most.  On a fault
 * with memory full the page with the smallest counter is evicted.
 *
 * Variant details: a newly loaded page starts with counter 0x80 (its
 * faulting reference recorded as if a tick had just passed; with 0 the page
 * just loaded would be the next victim) and R = 0.  Ties among equal
 * counters go to the page that has held that counter longest (FIFO within a
 * counter value).  Pages sit in 256 lists by counter value with a bitmap of
 * non-empty lists, so a victim costs O(1); a tick re-files every resident
 * page, O(frames) every `period` accesses (default period = frames).
 */
#include "polint.h"

struct aging {
	struct pb_policy b;
	struct plist bucket[256];
	uint64_t nonempty[4];
	uint64_t period, until_tick;
	uint64_t ticks;
};

static inline void ag_add(struct aging *p, struct pnode *n, uint32_t i)
{
	unsigned c = n[i].where;
	pl_push_head(n, &p->bucket[c], i);
	p->nonempty[c >> 6] |= 1ULL << (c & 63);
}

static inline void ag_del(struct aging *p, struct pnode *n, uint32_t i)
{
	unsigned c = n[i].where;
	pl_unlink(n, &p->bucket[c], i);
	if (!p->bucket[c].size)
		p->nonempty[c >> 6] &= ~(1ULL << (c & 63));
}

static int ag_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		     size_t errlen)
{
	int rc =
	    pb_pol_alloc(&pb_pol_aging, cfg, sizeof(struct aging), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct aging *p = (struct aging *)*out;
	for (int c = 0; c < 256; c++)
		p->bucket[c] = PLIST_INIT;
	rc = pb_pol_params_apply(&pb_pol_aging, cfg, p, err, errlen);
	if (rc) {
		pb_pol_free(*out);
		return rc;
	}
	p->until_tick = p->period;
	return 0;
}

/* The clock tick: shift R into every counter and re-file the pages. */
static void ag_tick(struct aging *p)
{
	struct pnode *n = p->b.pool.n;
	struct plist old[256];
	memcpy(old, p->bucket, sizeof(old));
	for (int c = 0; c < 256; c++)
		p->bucket[c] = PLIST_INIT;
	memset(p->nonempty, 0, sizeof(p->nonempty));
	/* Oldest first within each old list, so relative age order is kept. */
	for (int c = 0; c < 256; c++) {
		uint32_t i = old[c].tail;
		while (i != PN_NIL) {
			uint32_t up = n[i].prev;
			n[i].where = (uint8_t)((n[i].where >> 1) | (n[i].ref ? 0x80 : 0));
			n[i].ref = 0;
			ag_add(p, n, i);
			i = up;
		}
	}
	p->ticks++;
}

static uint32_t ag_victim(struct aging *p)
{
	for (int w = 0; w < 4; w++) {
		if (p->nonempty[w]) {
			unsigned c = (unsigned)(w * 64 + __builtin_ctzll(p->nonempty[w]));
			return p->bucket[c].tail;
		}
	}
	return PN_NIL;
}

static enum pb_pol_result ag_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct aging *p = (struct aging *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	enum pb_pol_result rc;
	if (i != PN_NIL) {
		n[i].ref = 1;
		rc = PB_POL_HIT;
	} else {
		rc = PB_POL_MISS;
		if (p->b.res == p->b.frames) {
			i = ag_victim(p);
			*victim = n[i].key;
			ag_del(p, n, i);
			pb_pol_node_rekey_at(&p->b, i, r->key, at);
			rc = PB_POL_MISS_EVICT;
		} else {
			i = pb_pol_node_must(&p->b, r->key);
			n = p->b.pool.n;
			p->b.res++;
		}
		n[i].where = 0x80;
		n[i].ref = 0;
		ag_add(p, n, i);
	}
	if (--p->until_tick == 0) {
		ag_tick(p);
		p->until_tick = p->period;
	}
	return rc;
}

static int ag_remove(struct pb_policy *pp, uint64_t key)
{
	struct aging *p = (struct aging *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	ag_del(p, p->b.pool.n, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static const struct pb_param aging_params[] = {
    {"period", PB_PT_U64, offsetof(struct aging, period), "frames",
     "accesses between two aging ticks", NULL, 1, (double)UINT64_MAX, 0, PB_PF_FRAMES, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_aging = {
    .name = "aging",
    .title = "Aging (NFU with 8-bit shifting counters)",
    .paper = "Tanenbaum, Modern Operating Systems (aging algorithm)",
    .flags = PB_POL_HW,
    .params = aging_params,
    .create = ag_create,
    .destroy = pb_pol_free,
    .access = ag_access,
    .remove = ag_remove,
    .resident = pb_pol_resident,
};
