/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/twolist.c - Linux-style active/inactive two-list LRU.
 *
 * How it works (the Linux page cache and anonymous-memory reclaim since
 * 2.6, mm/vmscan.c; described by Gorman, "Understanding the Linux Virtual
 * Memory Manager", 2004, ch. 10): resident pages sit on an inactive and an
 * active list; a hit only sets the PTE accessed bit (PB_POL_HW).  Reclaim
 * takes pages from the inactive list's tail: accessed -> bit cleared and
 * promoted to the active list's head; not accessed -> evicted.  Before that,
 * while the active list is larger than its share of memory, its tail is
 * aged: an accessed page has its bit cleared and goes back to the active
 * head, an unaccessed one is deactivated to the inactive list's head.  So a
 * page is evicted only after two scans found it unused, and pages touched
 * once die on the inactive list without disturbing the active one.
 *
 * Variant details: new pages enter the inactive head with the accessed bit
 * clear (the fault itself counts as the first use, as Linux's
 * mark_page_accessed treats a first touch; a second reference before the
 * page reaches the tail activates it).  The active list may hold at most
 * `active` * frames pages (default 0.5: Linux's inactive_ratio = 1 for
 * small memories, active <= inactive).  Referenced active pages rotate on
 * the active list as in 2.6's shrink_active_list for mapped pages.
 */
#include "polint.h"

enum { T_INACTIVE, T_ACTIVE };

struct twolist {
	struct pb_policy b;
	struct plist in, act; /* head = newest */
	double factive;
	uint64_t max_active;
};

static int tl_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		     size_t errlen)
{
	int rc = pb_pol_alloc(&pb_pol_twolist, cfg, sizeof(struct twolist), cfg->frames, out, err,
			      errlen);
	if (rc)
		return rc;
	struct twolist *p = (struct twolist *)*out;
	p->in = p->act = PLIST_INIT;
	rc = pb_pol_params_apply(&pb_pol_twolist, cfg, p, err, errlen);
	if (rc) {
		pb_pol_free(*out);
		return rc;
	}
	p->max_active = (uint64_t)((double)cfg->frames * p->factive);
	if (p->max_active >= cfg->frames)
		p->max_active = cfg->frames - 1;
	return 0;
}

/* shrink_active_list: age the active tail until it fits its share. */
static void tl_shrink_active(struct twolist *p, struct pnode *n)
{
	uint64_t budget = 2 * p->act.size + 1;
	while (p->act.size > p->max_active && budget--) {
		uint32_t t = p->act.tail;
		pl_unlink(n, &p->act, t);
		if (n[t].ref) {
			n[t].ref = 0;
			pl_push_head(n, &p->act, t);
		} else {
			n[t].where = T_INACTIVE;
			pl_push_head(n, &p->in, t);
		}
	}
}

static uint32_t tl_reclaim(struct twolist *p, struct pnode *n)
{
	for (;;) {
		tl_shrink_active(p, n);
		uint32_t t = p->in.tail;
		if (t == PN_NIL) { /* everything active: deactivate the oldest */
			t = p->act.tail;
			pl_unlink(n, &p->act, t);
			n[t].ref = 0;
			n[t].where = T_INACTIVE;
			pl_push_head(n, &p->in, t);
			continue;
		}
		pl_unlink(n, &p->in, t);
		if (!n[t].ref)
			return t;
		n[t].ref = 0;
		n[t].where = T_ACTIVE;
		pl_push_head(n, &p->act, t);
	}
}

static enum pb_pol_result tl_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct twolist *p = (struct twolist *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	if (i != PN_NIL) {
		n[i].ref = 1;
		if (r->write)
			n[i].dirty = 1;
		return PB_POL_HIT;
	}
	enum pb_pol_result rc = PB_POL_MISS;
	if (p->b.res == p->b.frames) {
		i = tl_reclaim(p, n);
		*victim = n[i].key;
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		p->b.res--;
		rc = PB_POL_MISS_EVICT;
	} else {
		i = pb_pol_node_must(&p->b, r->key);
		n = p->b.pool.n;
	}
	n[i].ref = 0;
	n[i].dirty = r->write ? 1 : 0;
	n[i].where = T_INACTIVE;
	pl_push_head(n, &p->in, i);
	p->b.res++;
	return rc;
}

static int tl_remove(struct pb_policy *pp, uint64_t key)
{
	struct twolist *p = (struct twolist *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	pl_unlink(n, n[i].where == T_ACTIVE ? &p->act : &p->in, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static const struct pb_param twolist_params[] = {
    {"active", PB_PT_DBL, offsetof(struct twolist, factive), "0.5",
     "largest share of frames on the active list", NULL, 0, 1, 0, PB_PF_LO_OPEN, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_twolist = {
    .name = "twolist",
    .title = "Two-list LRU (Linux active/inactive)",
    .paper = "Linux 2.6 mm/vmscan.c; Gorman, Understanding the Linux VMM, 2004",
    .flags = PB_POL_HW,
    .params = twolist_params,
    .create = tl_create,
    .destroy = pb_pol_free,
    .access = tl_access,
    .remove = tl_remove,
    .resident = pb_pol_resident,
};
