/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/radix.c - the 4-level radix page table (x86-64 shape).
 *
 * How it works.  Four levels of 4 KiB page-table pages of 512 64-bit
 * entries (PML4 -> PDPT -> PD -> PT), 9 bits of the 36-bit vpn per level,
 * exactly as the x86-64 MMU walks them.  An interior entry is the address of
 * the next page | P | W | U; a PD entry with PS set is a 2 MiB leaf; a PT
 * entry is a 4 KiB leaf or a swap entry.  A lookup is four dependent acquire
 * loads and takes no lock (pt_internal.h).
 *
 * Growth: a missing page-table page is taken from the pool (zeroed) and
 * installed by CAS(0 -> page); the loser of a race gives its unpublished
 * page back and uses the winner's.  Leaves change only by CAS / RMW on
 * their own word, so updates to different pages never wait for each other.
 *
 * Shrinking (the hard part, and why epochs): a page-table page may be freed
 * by pb_pt_unmap_range once empty, and a PT page is collapsed when a 2 MiB
 * leaf replaces it.  A page is torn down by *freezing* it: CAS every entry,
 * in index order, from 0 to the non-present marker PT_FROZEN.  A live entry
 * aborts the freeze (the frozen prefix is reset to 0); a mapper racing the
 * freeze either wins its CAS on an entry (and the freeze aborts) or finds
 * FROZEN and restarts from the root.  Fully frozen, the page can no longer
 * change; it is unlinked from its parent (whose entry still points to it, so
 * that entry cannot be frozen meanwhile) and retired to the epoch domain:
 * readers that loaded its address before the unlink keep reading frozen
 * (= empty) entries until their sections end, and only then is it zeroed
 * and reused.  Two teardowns of one page meet on entry 0: the loser sees
 * FROZEN there and backs off without holding anything, so they cannot
 * livelock.  Lookups that read FROZEN report none: the entry was empty when
 * frozen and the page was still linked when the reader reached it, so
 * "none" was true at some instant of the lookup (it stays linearizable).
 *
 * This is the scheme of lock-free trees that freeze a node before removing
 * it (Brown, Ellen & Ruppert's LLX/SCX, 2013-14, specialised to one writer
 * per entry), with reclamation as in Fraser's epochs (epoch.c).  Linux uses
 * page-table locks for the same teardown; here mappers never hold locks and
 * only a mapper that meets a page mid-teardown waits (at most 512 CASes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_internal.h"

#define LVL_SHIFT(level) (9u * ((level)-1u)) /* pages per entry at level: 1 << shift */

static uint64_t radix_lookup(struct pb_pt *pt, uint64_t vpn)
{
	return pt_radix_lookup_inline(pt, vpn);
}

/*
 * The child page behind *slot (an interior entry), installing a fresh one
 * when create.  NULL with *err: -ENOENT (none, !create), -EAGAIN (frozen:
 * the page holding slot is being torn down, restart), -EEXIST (a 2 MiB
 * leaf), -ENOMEM.
 */
static uint64_t *radix_child(struct pt_radix *r, uint64_t *slot, bool create, int *err)
{
	uint64_t e = pb_atomic_load(slot, PB_ACQUIRE);
	for (;;) {
		if (e & PB_PTE_P) {
			if (e & PB_PTE_PS) {
				*err = -EEXIST;
				return NULL;
			}
			return pt_entry_node(e);
		}
		if (e == PT_FROZEN) {
			*err = -EAGAIN;
			return NULL;
		}
		if (!create) {
			*err = -ENOENT;
			return NULL;
		}
		uint64_t *n = pt_pool_alloc(&r->pool);
		if (!n) {
			*err = -ENOMEM;
			return NULL;
		}
		/* release: the page's zeroes before its address */
		if (pb_atomic_cas(slot, &e, (uint64_t)(uintptr_t)n | PT_TABLE_BITS, PB_RELEASE,
				  PB_ACQUIRE))
			return n;
		pt_pool_free_unpublished(&r->pool, n); /* lost the race: e is the winner's */
	}
}

/* The PD (level-2) entry covering vpn, creating levels 3 and 2 if create. */
static uint64_t *radix_pd_slot(struct pt_radix *r, uint64_t vpn, bool create, int *err)
{
	uint64_t *node = r->root;
	for (unsigned level = 4; level > 2; level--) {
		node = radix_child(r, &node[(vpn >> LVL_SHIFT(level)) & 511], create, err);
		if (!node)
			return NULL;
	}
	return &node[(vpn >> 9) & 511];
}

static void radix_unfreeze(uint64_t *node, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pb_atomic_store(&node[i], 0, PB_RELEASE);
}

/*
 * Freeze all 512 entries of node (0 -> FROZEN, index order).  0: frozen,
 * the caller must unlink it or unfreeze it; -EEXIST: a live entry (nothing
 * left frozen); -EBUSY: another teardown got there first (nothing left
 * frozen).
 */
static int radix_freeze(uint64_t *node)
{
	for (unsigned i = 0; i < PT_NODE_ENTRIES; i++) {
		uint64_t cur = 0;
		if (!pb_atomic_cas(&node[i], &cur, PT_FROZEN, PB_ACQ_REL, PB_ACQUIRE)) {
			radix_unfreeze(node, i);
			return cur == PT_FROZEN ? -EBUSY : -EEXIST;
		}
	}
	return 0;
}

/*
 * Tear down the page `child` linked from *slot (value e): freeze it,
 * replace the link by `repl` (0, or a 2 MiB leaf) and retire it.  Returns
 * freeze's -EEXIST / -EBUSY, or 0.
 */
static int radix_teardown(struct pt_radix *r, uint64_t *slot, uint64_t e, uint64_t repl)
{
	uint64_t *child = pt_entry_node(e);
	int rc = radix_freeze(child);
	if (rc)
		return rc;
	/* The link cannot have changed: only a teardown of child (frozen by
	 * us) or of slot's page (needs slot == 0) could change it. */
	if (!pb_atomic_cas(slot, &e, repl, PB_RELEASE, PB_RELAXED)) {
		radix_unfreeze(child, PT_NODE_ENTRIES);
		return -EBUSY;
	}
	pt_pool_retire(&r->pool, child);
	/* a single-caller table may hint at it (or at a page below it) */
	memset(r->hint, 0, sizeof(r->hint));
	return 0;
}

/* CAS on a PD entry holding (or to hold) a 2 MiB leaf.  -EBUSY: restart. */
static int radix_cas_huge(struct pt_radix *r, uint64_t *pd, uint64_t *expected, uint64_t desired)
{
	uint64_t exp0 = *expected, cur = exp0;
	if (exp0 == 0 && desired == 0) {
		cur = pb_atomic_load(pd, PB_ACQUIRE);
		if (cur == 0 || cur == PT_FROZEN || !(cur & PB_PTE_PS))
			return 0; /* the 2 MiB leaf is none */
		*expected = cur;
		return -EAGAIN;
	}
	if (pb_atomic_cas(pd, &cur, desired, PB_ACQ_REL, PB_ACQUIRE))
		return 0;
	if (cur == PT_FROZEN)
		return -EBUSY; /* the PD page is being torn down */
	if ((cur & PB_PTE_P) && !(cur & PB_PTE_PS)) {
		/* a PT page: the 2 MiB leaf is none */
		if (exp0 != 0) {
			*expected = 0;
			return -EAGAIN;
		}
		/* collapse it if empty (desired != 0 here) */
		return radix_teardown(r, pd, cur, desired);
	}
	*expected = cur;
	return -EAGAIN;
}

/* A single-caller table's PT page of vpn: hinted, else walked to (created
 * if create) and hinted.  NULL with *err as radix_child's. */
static uint64_t *radix_leaf_single(struct pt_radix *r, uint64_t vpn, bool create, int *err)
{
	uint64_t *leaf = pt_radix_hint(r, vpn);
	if (leaf)
		return leaf;
	uint64_t *pd = radix_pd_slot(r, vpn, create, err);
	if (pd && (leaf = radix_child(r, pd, create, err)) != NULL)
		pt_radix_hint_set(r, vpn, leaf);
	return leaf;
}

uint64_t *pt_radix_leaf_single(struct pb_pt *pt, uint64_t vpn, bool create)
{
	int err = 0;
	uint64_t *leaf = radix_leaf_single(&pt->u.radix, vpn, create, &err);
	/* a frozen word is never seen here: only this caller's own teardown
	 * freezes, and it unlinks or unfreezes before returning */
	return leaf ? &leaf[vpn & 511] : NULL;
}

/* radix_cas of a single-caller table for a 4 KiB word: no other thread
 * writes the word, so a load and a release store are the CAS.  1: not
 * decided here (a frozen entry: the general path handles it). */
static int radix_cas_single(struct pt_radix *r, uint64_t vpn, uint64_t *expected, uint64_t desired,
			    bool create)
{
	const uint64_t exp0 = *expected;
	int err = 0;
	uint64_t *leaf = radix_leaf_single(r, vpn, create, &err);
	if (!leaf) {
		if (err == -EAGAIN)
			return 1;
		if (err != -ENOENT)
			return err;
		if (exp0 == 0)
			return 0;
		*expected = 0;
		return -EAGAIN;
	}
	uint64_t *slot = &leaf[vpn & 511];
	uint64_t cur = pb_atomic_load(slot, PB_ACQUIRE);
	if (cur == PT_FROZEN)
		return 1;
	if (cur == exp0) {
		pb_atomic_store(slot, desired, PB_RELEASE);
		return 0;
	}
	*expected = cur;
	return -EAGAIN;
}

static int radix_cas(struct pb_pt *pt, uint64_t vpn, uint64_t *expected, uint64_t desired)
{
	struct pt_radix *r = &pt->u.radix;
	const uint64_t exp0 = *expected;
	const bool huge = ((exp0 | desired) & PB_PTE_PS) != 0;
	const bool create = exp0 == 0 && desired != 0;
	int err = 0;
	if (pt->single && !huge) {
		int rc = radix_cas_single(r, vpn, expected, desired, create);
		if (rc <= 0)
			return rc;
	}
	for (;; pb_cpu_relax()) {
		*expected = exp0;
		uint64_t *pd = radix_pd_slot(r, vpn, create, &err);
		if (!pd) {
			if (err == -EAGAIN)
				continue;
			if (err != -ENOENT)
				return err;
			if (exp0 == 0)
				return 0; /* compare-only on none */
			*expected = 0;
			return -EAGAIN;
		}
		if (huge) {
			int rc = radix_cas_huge(r, pd, expected, desired);
			if (rc == -EBUSY)
				continue;
			return rc;
		}
		uint64_t *leaf = radix_child(r, pd, create, &err);
		if (!leaf) {
			if (err == -EAGAIN)
				continue;
			if (err != -ENOENT)
				return err; /* -EEXIST (inside a 2 MiB leaf) or -ENOMEM */
			if (exp0 == 0)
				return 0;
			*expected = 0;
			return -EAGAIN;
		}
		uint64_t cur = exp0;
		if (pb_atomic_cas(&leaf[vpn & 511], &cur, desired, PB_ACQ_REL, PB_ACQUIRE))
			return 0;
		if (cur == PT_FROZEN) {
			if (create)
				continue; /* the PT page is going away: retry in its successor */
			cur = 0;	  /* frozen = empty */
			if (exp0 == 0)
				return 0;
		}
		*expected = cur;
		return -EAGAIN;
	}
}

static int radix_modify(struct pb_pt *pt, uint64_t vpn, uint64_t set, uint64_t clear,
			uint64_t test_mask, uint64_t *old)
{
	struct pt_radix *r = &pt->u.radix;
	const int order = ((set | clear) & PB_PTE_PROT_MASK) ? PB_RELEASE : PB_RELAXED;
	int err = 0;
	uint64_t *leaf;
	if (pt->single && (leaf = pt_radix_hint(r, vpn)) != NULL) {
		/* one caller: the hinted PT page is linked, and nobody else
		 * writes its words */
		uint64_t *slot = &leaf[vpn & 511];
		uint64_t cur = pb_atomic_load(slot, PB_RELAXED);
		if (!(cur & PB_PTE_P))
			return -ENOENT;
		if (old)
			*old = cur;
		int was = (cur & test_mask) != 0;
		uint64_t nw = (cur | set) & ~clear;
		if (nw != cur)
			pb_atomic_store(slot, nw, PB_RELEASE);
		return was;
	}
	for (;; pb_cpu_relax()) {
		uint64_t *pd = radix_pd_slot(r, vpn, false, &err);
		if (!pd) {
			if (err == -EAGAIN)
				continue; /* a frozen interior entry: restart */
			return -ENOENT;
		}
		uint64_t e = pb_atomic_load(pd, PB_ACQUIRE);
		if (!(e & PB_PTE_P))
			return -ENOENT;
		uint64_t *slot = (e & PB_PTE_PS) ? pd : &pt_entry_node(e)[vpn & 511];
		bool at_pd = slot == pd;
		uint64_t cur = pb_atomic_load(slot, PB_RELAXED);
		for (;;) {
			if (!(cur & PB_PTE_P))
				return -ENOENT; /* none, swap entry or frozen */
			if (at_pd && !(cur & PB_PTE_PS))
				break; /* the 2 MiB leaf became a PT page: walk again */
			if (old)
				*old = cur;
			int was = (cur & test_mask) != 0;
			uint64_t nw = (cur | set) & ~clear;
			if (nw == cur)
				return was; /* nothing to write: keep the line shared */
			if (pb_atomic_cas_weak(slot, &cur, nw, order, PB_RELAXED))
				return was;
		}
	}
}

static int radix_walk_node(uint64_t *node, unsigned level, uint64_t base, uint64_t start,
			   uint64_t end, int (*cb)(void *, pb_vpn_t, uint64_t), void *arg)
{
	unsigned shift = LVL_SHIFT(level);
	unsigned first = start > base ? (unsigned)((start - base) >> shift) : 0;
	for (unsigned i = first; i < PT_NODE_ENTRIES; i++) {
		uint64_t va = base + ((uint64_t)i << shift);
		if (va >= end)
			break;
		uint64_t e = pb_atomic_load(&node[i], PB_ACQUIRE);
		int rc = 0;
		if (level == 1) {
			if (e && e != PT_FROZEN)
				rc = cb(arg, PB_VPN(va), e);
		} else if (!(e & PB_PTE_P)) {
			continue;
		} else if (e & PB_PTE_PS) {
			rc = cb(arg, PB_VPN(va), e);
		} else {
			rc = radix_walk_node(pt_entry_node(e), level - 1, va, start, end, cb, arg);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int radix_walk(struct pb_pt *pt, uint64_t start, uint64_t end,
		      int (*cb)(void *arg, pb_vpn_t vpn, uint64_t pte), void *arg)
{
	return radix_walk_node(pt->u.radix.root, 4, 0, start, end, cb, arg);
}

/* Remove a leaf word (any value but none/frozen) by CAS; the removed word. */
static uint64_t radix_take(uint64_t *slot, bool huge)
{
	uint64_t cur = pb_atomic_load(slot, PB_ACQUIRE);
	for (;;) {
		if (cur == 0 || cur == PT_FROZEN)
			return 0;
		if (huge && !((cur & PB_PTE_P) && (cur & PB_PTE_PS)))
			return 0; /* no longer a 2 MiB leaf */
		if (pb_atomic_cas_weak(slot, &cur, 0, PB_ACQ_REL, PB_ACQUIRE))
			return cur;
	}
}

struct unmap_ctx {
	struct pt_radix *r;
	uint64_t start, end;
	void (*cb)(void *arg, pb_vpn_t vpn, uint64_t old);
	void *arg;
	int partial;
};

static void radix_unmap_node(struct unmap_ctx *c, uint64_t *node, unsigned level, uint64_t base)
{
	unsigned shift = LVL_SHIFT(level);
	unsigned first = c->start > base ? (unsigned)((c->start - base) >> shift) : 0;
	for (unsigned i = first; i < PT_NODE_ENTRIES; i++) {
		uint64_t va = base + ((uint64_t)i << shift);
		uint64_t span = 1ULL << shift;
		if (va >= c->end)
			break;
		if (level == 1) {
			uint64_t old = radix_take(&node[i], false);
			if (old && c->cb)
				c->cb(c->arg, PB_VPN(va), old);
			continue;
		}
		uint64_t e = pb_atomic_load(&node[i], PB_ACQUIRE);
		if (!(e & PB_PTE_P))
			continue;
		bool inside = va >= c->start && va + span <= c->end;
		if (e & PB_PTE_PS) {
			if (!inside) {
				c->partial = 1;
				continue;
			}
			uint64_t old = radix_take(&node[i], true);
			if (old && c->cb)
				c->cb(c->arg, PB_VPN(va), old);
			continue;
		}
		radix_unmap_node(c, pt_entry_node(e), level - 1, va);
		if (inside)
			(void)radix_teardown(c->r, &node[i], e, 0); /* kept if refilled */
	}
}

static int radix_unmap_range(struct pb_pt *pt, uint64_t start, uint64_t end,
			     void (*cb)(void *arg, pb_vpn_t vpn, uint64_t old), void *arg)
{
	struct unmap_ctx c = {.r = &pt->u.radix, .start = start, .end = end, .cb = cb, .arg = arg};
	radix_unmap_node(&c, pt->u.radix.root, 4, 0);
	return c.partial ? -ERANGE : 0;
}

static void radix_stats(struct pb_pt *pt, struct pb_pt_stats *st)
{
	struct pt_pool *p = &pt->u.radix.pool;
	st->nodes_total = p->cap;
	st->nodes_used = pb_atomic_load(&p->used, PB_RELAXED);
	st->nodes_retired = pb_atomic_load(&p->retired, PB_RELAXED);
	uint64_t busy = st->nodes_used + st->nodes_retired;
	st->nodes_free = busy < p->cap ? p->cap - busy : 0;
	st->bytes = p->bytes_base + p->bytes_meta + p->bytes_slabs;
}

struct check_ctx {
	struct pt_pool *p;
	uint8_t *seen;
	uint64_t reachable, leaves;
	char *err;
	size_t errlen;
};

static int radix_check_node(struct check_ctx *c, uint64_t *node, unsigned level, uint64_t base)
{
	uint64_t idx = pt_pool_index(c->p, node);
	if (node < c->p->base || idx >= c->p->cap ||
	    (uintptr_t)node != (uintptr_t)(c->p->base + idx * PT_NODE_ENTRIES)) {
		snprintf(c->err, c->errlen, "level-%u page %p outside the pool", level,
			 (void *)node);
		return -EINVAL;
	}
	if (c->seen[idx]) {
		snprintf(c->err, c->errlen, "page %llu linked twice", (unsigned long long)idx);
		return -EINVAL;
	}
	c->seen[idx] = 1;
	c->reachable++;
	for (unsigned i = 0; i < PT_NODE_ENTRIES; i++) {
		uint64_t e = pb_atomic_load(&node[i], PB_RELAXED);
		uint64_t va = base + ((uint64_t)i << LVL_SHIFT(level));
		if (e == 0)
			continue;
		if (e == PT_FROZEN) {
			snprintf(c->err, c->errlen, "frozen entry left at level %u vpn %#llx",
				 level, (unsigned long long)va);
			return -EINVAL;
		}
		if (level == 1) {
			if (!pt_valid_small(e)) {
				snprintf(c->err, c->errlen, "bad leaf %#llx at vpn %#llx",
					 (unsigned long long)e, (unsigned long long)va);
				return -EINVAL;
			}
			c->leaves++;
			continue;
		}
		if (e & PB_PTE_PS) {
			if (level != 2 || !pt_valid_huge(e)) {
				snprintf(c->err, c->errlen,
					 "bad 2 MiB leaf %#llx at level %u vpn %#llx",
					 (unsigned long long)e, level, (unsigned long long)va);
				return -EINVAL;
			}
			c->leaves += PB_PT_HUGE_PAGES;
			continue;
		}
		if ((e & ~PB_PTE_PFN_MASK) != PT_TABLE_BITS) {
			snprintf(c->err, c->errlen, "bad interior entry %#llx at level %u",
				 (unsigned long long)e, level);
			return -EINVAL;
		}
		int rc = radix_check_node(c, pt_entry_node(e), level - 1, va);
		if (rc)
			return rc;
	}
	return 0;
}

static int radix_check(struct pb_pt *pt, uint64_t *leaves, char *err, size_t errlen)
{
	struct pt_pool *p = &pt->u.radix.pool;
	struct check_ctx c = {.p = p, .err = err, .errlen = errlen};
	c.seen = calloc(p->cap, 1);
	if (!c.seen) {
		snprintf(err, errlen, "out of memory for the check");
		return -EINVAL;
	}
	int rc = radix_check_node(&c, pt->u.radix.root, 4, 0);
	uint64_t used = pb_atomic_load(&p->used, PB_RELAXED);
	uint64_t retired = pb_atomic_load(&p->retired, PB_RELAXED);
	if (!rc && c.reachable != used) {
		snprintf(err, errlen, "%llu pages reachable but %llu counted used",
			 (unsigned long long)c.reachable, (unsigned long long)used);
		rc = -EINVAL;
	}
	if (!rc) {
		uint64_t fr = pt_pool_count_free(p);
		if (used + retired + fr != p->cap) {
			snprintf(err, errlen,
				 "pool: used %llu + retired %llu + free %llu != capacity %llu",
				 (unsigned long long)used, (unsigned long long)retired,
				 (unsigned long long)fr, (unsigned long long)p->cap);
			rc = -EINVAL;
		}
	}
	free(c.seen);
	if (!rc && leaves)
		*leaves = c.leaves;
	return rc;
}

static void radix_fini(struct pb_pt *pt)
{
	pt_pool_fini(&pt->u.radix.pool);
}

int pt_radix_init(struct pb_pt *pt, const struct pb_pt_cfg *cfg)
{
	uint64_t cap = cfg->max_nodes ? cfg->max_nodes : cfg->nframes / 64 + 64;
	int rc = pt_pool_init(&pt->u.radix.pool, cap, !cfg->lazy);
	if (rc)
		return rc;
	pt->u.radix.root = pt_pool_alloc(&pt->u.radix.pool);
	if (!pt->u.radix.root) {
		pt_pool_fini(&pt->u.radix.pool);
		return -ENOMEM;
	}
	return 0;
}

const struct pt_ops pt_radix_ops = {
    .lookup = radix_lookup,
    .cas = radix_cas,
    .modify = radix_modify,
    .walk = radix_walk,
    .unmap_range = radix_unmap_range,
    .stats = radix_stats,
    .check = radix_check,
    .fini = radix_fini,
};
