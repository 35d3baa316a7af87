/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/pt.c - the pb_pt interface: creation, argument checks, epoch
 * sections around updates, and dispatch to the two implementations.
 *
 * Dispatch: the hot call (pb_pt_lookup) switches on the kind and runs the
 * implementation's walk inlined from pt_internal.h (a predictable branch,
 * no indirect call); everything else goes through the ops vtable, whose
 * cost is noise next to a CAS.  `pagebench run pt-lookup --param
 * dispatch=vtable` measures the difference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_internal.h"

const char *const pb_pt_kinds[] = {"radix", "hashed", NULL};

int pb_pt_kind_parse(const char *name, enum pb_pt_kind *out)
{
	if (!name || !strcmp(name, "radix"))
		*out = PB_PT_RADIX;
	else if (!strcmp(name, "hashed"))
		*out = PB_PT_HASHED;
	else
		return -EINVAL;
	return 0;
}

int pb_pt_create(const char *kind, const struct pb_pt_cfg *cfg, struct pb_pt **out)
{
	enum pb_pt_kind k;
	struct pb_pt_cfg c = {0};
	if (pb_pt_kind_parse(kind, &k))
		return -EINVAL;
	if (cfg)
		c = *cfg;
	if (!c.nframes)
		c.nframes = 1ULL << 18;
	if (c.nframes > (1ULL << 40))
		return -EINVAL;
	/* The handle only (tables are pb_map'ed).  Cache-line aligned and
	 * padded: every lookup reads it, so no neighbouring heap object that
	 * some thread writes may share its lines. */
	size_t bytes = (sizeof(struct pb_pt) + PB_CACHELINE - 1) / PB_CACHELINE * PB_CACHELINE;
	struct pb_pt *pt = aligned_alloc(PB_CACHELINE, bytes);
	if (!pt)
		return -ENOMEM;
	memset(pt, 0, bytes);
	pt->kind = k;
	pt->single = c.single != 0;
	pt->ops = k == PB_PT_RADIX ? &pt_radix_ops : &pt_hashed_ops;
	int rc = k == PB_PT_RADIX ? pt_radix_init(pt, &c) : pt_hashed_init(pt, &c);
	if (rc) {
		free(pt);
		return rc;
	}
	*out = pt;
	return 0;
}

void pb_pt_destroy(struct pb_pt *pt)
{
	if (!pt)
		return;
	if (pt->kind == PB_PT_RADIX) {
		/* retired pages hold epoch entries that point into the pool */
		while (pb_atomic_load(&pt->u.radix.pool.retired, PB_ACQUIRE))
			pb_epoch_barrier();
	}
	pt->ops->fini(pt);
	free(pt);
}

enum pb_pt_kind pb_pt_kind(const struct pb_pt *pt)
{
	return pt->kind;
}

const char *pb_pt_kind_name(const struct pb_pt *pt)
{
	return pb_pt_kinds[pt->kind];
}

unsigned pb_pt_features(const struct pb_pt *pt)
{
	return pt->kind == PB_PT_RADIX ? PB_PT_F_HUGE : 0;
}

uint64_t pb_pt_lookup(struct pb_pt *pt, pb_vpn_t vpn)
{
#ifndef NDEBUG
	if (!pb_epoch_in_section()) {
		/* like lockdep's "suspicious rcu_dereference": a caller bug that
		 * would let a torn-down page be reused under it */
		fprintf(stderr, "pb_pt_lookup called outside an epoch section\n");
		abort();
	}
#endif
	if (pb_likely(pt->kind == PB_PT_RADIX))
		return pt->single ? pt_radix_lookup_single(pt, vpn.v)
				  : pt_radix_lookup_inline(pt, vpn.v);
	return pt_hashed_lookup_inline(pt, vpn.v);
}

void pb_pt_prefetch(struct pb_pt *pt, pb_vpn_t vpn)
{
	if (pb_unlikely(vpn.v >= PB_PT_VPN_LIMIT))
		return;
	if (pb_likely(pt->kind == PB_PT_RADIX)) {
		const uint64_t *leaf = pt->single ? pt_radix_hint(&pt->u.radix, vpn.v) : NULL;
		if (leaf) { /* a single caller's hinted PT page: no walk */
			__builtin_prefetch(&leaf[vpn.v & 511]);
			return;
		}
		uint64_t e = pt_radix_pd_entry(pt, vpn.v);
		if ((e & PB_PTE_P) && !(e & PB_PTE_PS))
			__builtin_prefetch(&pt_entry_node(e)[vpn.v & 511]);
		return;
	}
	const struct pt_hashed *h = &pt->u.hashed;
	__builtin_prefetch(&h->keys[pt_hash64((vpn.v >> PT_CLUSTER_SHIFT) + 1) & h->mask]);
}

uint64_t *pb_pt_prefetch_leaf(struct pb_pt *pt, pb_vpn_t vpn)
{
	if (pb_unlikely(vpn.v >= PB_PT_VPN_LIMIT))
		return NULL;
	if (pb_unlikely(pt->kind != PB_PT_RADIX)) {
		pb_pt_prefetch(pt, vpn);
		return NULL;
	}
	/* a single caller's hinted PT page, else the walk (which hints it
	 * for a single caller, as the lookup that follows would; the hint is
	 * the single caller's alone) */
	struct pt_radix *r = &pt->u.radix;
	uint64_t *leaf = pt->single ? pt_radix_hint(r, vpn.v) : NULL;
	if (!leaf) {
		uint64_t e = pt_radix_pd_entry(pt, vpn.v);
		if (!(e & PB_PTE_P) || (e & PB_PTE_PS))
			return NULL;
		leaf = pt_entry_node(e);
		if (pt->single)
			pt_radix_hint_set(r, vpn.v, leaf);
	}
	__builtin_prefetch(&leaf[vpn.v & 511]);
	return &leaf[vpn.v & 511];
}

uint64_t *pb_pt_leaf(struct pb_pt *pt, pb_vpn_t vpn, bool create)
{
	if (pt->kind != PB_PT_RADIX || !pt->single || vpn.v >= PB_PT_VPN_LIMIT)
		return NULL;
	return pt_radix_leaf_single(pt, vpn.v, create);
}

/* A leaf word for vpn: 0 (none) or a valid 4 KiB / 2 MiB leaf.  Returns
 * 0, -EINVAL or -EOPNOTSUPP; *huge tells which. */
static int check_word(const struct pb_pt *pt, uint64_t vpn, uint64_t w, bool *huge)
{
	*huge = false;
	if (w == 0)
		return 0;
	if ((w & PB_PTE_P) && (w & PB_PTE_PS)) {
		if (!pt_valid_huge(w) || (vpn & (PB_PT_HUGE_PAGES - 1)))
			return -EINVAL;
		if (!(pb_pt_features(pt) & PB_PT_F_HUGE))
			return -EOPNOTSUPP;
		*huge = true;
		return 0;
	}
	return pt_valid_small(w) ? 0 : -EINVAL;
}

int pb_pt_cmpxchg(struct pb_pt *pt, pb_vpn_t vpn, uint64_t *expected, uint64_t desired)
{
	bool he, hd;
	if (vpn.v >= PB_PT_VPN_LIMIT)
		return -EINVAL;
	int rc = check_word(pt, vpn.v, *expected, &he);
	if (!rc)
		rc = check_word(pt, vpn.v, desired, &hd);
	if (rc)
		return rc;
	if (*expected && desired && he != hd)
		return -EINVAL; /* no split / merge through cmpxchg */
	pb_epoch_enter();
	rc = pt->ops->cas(pt, vpn.v, expected, desired);
	pb_epoch_exit();
	return rc;
}

int pb_pt_map(struct pb_pt *pt, pb_vpn_t vpn, uint64_t pte)
{
	bool huge;
	if (vpn.v >= PB_PT_VPN_LIMIT || pte == 0)
		return -EINVAL;
	int rc = check_word(pt, vpn.v, pte, &huge);
	if (rc)
		return rc;
	uint64_t exp = 0;
	pb_epoch_enter();
	rc = pt->ops->cas(pt, vpn.v, &exp, pte);
	pb_epoch_exit();
	return rc == -EAGAIN ? -EEXIST : rc;
}

int pb_pt_unmap(struct pb_pt *pt, pb_vpn_t vpn, uint64_t *old)
{
	if (vpn.v >= PB_PT_VPN_LIMIT)
		return -EINVAL;
	int rc;
	pb_epoch_enter();
	uint64_t cur = pb_pt_lookup(pt, vpn);
	for (;;) {
		if (cur == 0) {
			rc = -ENOENT;
			break;
		}
		if (pb_pte_huge(cur) && (vpn.v & (PB_PT_HUGE_PAGES - 1))) {
			rc = -EINVAL; /* inside a 2 MiB leaf: no split */
			break;
		}
		uint64_t exp = cur;
		rc = pt->ops->cas(pt, vpn.v, &exp, 0);
		if (rc == 0) {
			if (old)
				*old = cur;
			break;
		}
		if (rc != -EAGAIN && rc != -EEXIST)
			break;
		cur = pb_pt_lookup(pt, vpn); /* changed under us: look again */
	}
	pb_epoch_exit();
	return rc;
}

int pb_pt_exchange(struct pb_pt *pt, pb_vpn_t vpn, uint64_t desired, uint64_t *old)
{
	if (vpn.v >= PB_PT_VPN_LIMIT || (desired != 0 && !pt_valid_small(desired)))
		return -EINVAL;
	int rc;
	pb_epoch_enter();
	uint64_t cur = pb_pt_lookup(pt, vpn);
	for (;;) {
		if (pb_pte_huge(cur)) {
			rc = -EEXIST;
			break;
		}
		uint64_t exp = cur;
		rc = pt->ops->cas(pt, vpn.v, &exp, desired);
		if (rc != -EAGAIN)
			break;
		cur = exp; /* the word seen by the failed CAS */
	}
	pb_epoch_exit();
	if (rc == 0 && old)
		*old = cur;
	return rc;
}

static int modify(struct pb_pt *pt, pb_vpn_t vpn, uint64_t set, uint64_t clear, uint64_t test,
		  uint64_t *old)
{
	if (vpn.v >= PB_PT_VPN_LIMIT)
		return -EINVAL;
	pb_epoch_enter();
	int rc = pt->ops->modify(pt, vpn.v, set, clear, test, old);
	pb_epoch_exit();
	return rc;
}

int pb_pt_test_clear_accessed(struct pb_pt *pt, pb_vpn_t vpn)
{
	return modify(pt, vpn, 0, PB_PTE_A, PB_PTE_A, NULL);
}

int pb_pt_test_clear_dirty(struct pb_pt *pt, pb_vpn_t vpn)
{
	return modify(pt, vpn, 0, PB_PTE_D, PB_PTE_D, NULL);
}

int pb_pt_set_accessed(struct pb_pt *pt, pb_vpn_t vpn)
{
	int rc = modify(pt, vpn, PB_PTE_A, 0, 0, NULL);
	return rc < 0 ? rc : 0;
}

int pb_pt_set_dirty(struct pb_pt *pt, pb_vpn_t vpn)
{
	int rc = modify(pt, vpn, PB_PTE_D, 0, 0, NULL);
	return rc < 0 ? rc : 0;
}

int pb_pt_touch(struct pb_pt *pt, pb_vpn_t vpn, bool write)
{
	int rc = modify(pt, vpn, PB_PTE_A | (write ? PB_PTE_D : 0), 0, 0, NULL);
	return rc < 0 ? rc : 0;
}

int pb_pt_protect(struct pb_pt *pt, pb_vpn_t vpn, uint64_t set, uint64_t clear, uint64_t *old)
{
	if ((set | clear) & ~PB_PTE_PROT_MASK)
		return -EINVAL;
	int rc = modify(pt, vpn, set, clear, 0, old);
	return rc < 0 ? rc : 0;
}

static int range_ok(pb_vpn_t start, uint64_t npages)
{
	if (start.v >= PB_PT_VPN_LIMIT || npages > PB_PT_VPN_LIMIT - start.v)
		return -EINVAL;
	return 0;
}

int pb_pt_walk(struct pb_pt *pt, pb_vpn_t start, uint64_t npages,
	       int (*cb)(void *arg, pb_vpn_t vpn, uint64_t pte), void *arg)
{
	if (range_ok(start, npages) || !cb)
		return -EINVAL;
	if (!npages)
		return 0;
	pb_epoch_enter();
	int rc = pt->ops->walk(pt, start.v, start.v + npages, cb, arg);
	pb_epoch_exit();
	return rc;
}

int pb_pt_unmap_range(struct pb_pt *pt, pb_vpn_t start, uint64_t npages,
		      void (*cb)(void *arg, pb_vpn_t vpn, uint64_t old), void *arg)
{
	if (range_ok(start, npages))
		return -EINVAL;
	if (!npages)
		return 0;
	pb_epoch_enter();
	int rc = pt->ops->unmap_range(pt, start.v, start.v + npages, cb, arg);
	pb_epoch_exit();
	return rc;
}

void pb_pt_stats(struct pb_pt *pt, struct pb_pt_stats *st)
{
	memset(st, 0, sizeof(*st));
	pt->ops->stats(pt, st);
}

int pb_pt_check(struct pb_pt *pt, uint64_t *leaves, char *err, size_t errlen)
{
	if (errlen)
		err[0] = 0;
	return pt->ops->check(pt, leaves, err, errlen);
}
