/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/hashed.c - the clustered hashed page table.
 *
 * How it works.  A hashed (or "inverted", as on PowerPC and IA-64's VHPT)
 * page table replaces the four dependent loads of a radix walk with one
 * hash and a short probe, and its size follows the physical memory (the
 * frame count) instead of the virtual address space.  We use the clustered
 * variant of Talluri, Hill & Khalidi ("A new page table for 64-bit address
 * spaces", SOSP 1995): each slot maps a 64 KiB cluster of 16 consecutive
 * pages and holds their 16 PTE words inline, which amortises the key over
 * 16 pages (dense regions cost ~9 bytes per page) and keeps neighbouring
 * pages in the same two cache lines.
 *
 * Layout: a key array (8 bytes per slot; 0 = empty, else cluster number +
 * 1) that a probe scans linearly, and a parallel array of clusters.  Open
 * addressing with linear probing (no chains, no pointers to chase, no
 * allocation after creation).
 *
 * Concurrency: a cluster is claimed by CAS(key: 0 -> cluster + 1) on the
 * first empty slot of its probe sequence; two threads claiming the same
 * cluster meet on that slot (probes are deterministic and keys are never
 * removed), so a cluster has exactly one slot.  PTE words are then updated
 * with CAS/RMW exactly as radix leaves.  Because keys are never removed
 * while the table lives (removing a key from a lock-free linear-probing
 * table would let a concurrent claimer insert a duplicate further on), a
 * claimed slot whose 16 PTEs are all none stays claimed; a table that
 * touches more distinct clusters than 3/4 of its slots returns -ENOMEM.
 * Size it from the frames and the sparsity of the mappings (pb_pt_cfg).
 * No page is ever freed, so readers need no epoch here (the interface still
 * asks for one, so that callers are kind-agnostic).
 *
 * 2 MiB leaves are not supported (-EOPNOTSUPP): a clustered table stores
 * large pages as replicated or partial-subblock entries, which would need
 * 32 slots per 2 MiB page; the radix table is the one to use with THP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_internal.h"

static uint64_t hashed_lookup(struct pb_pt *pt, uint64_t vpn)
{
	return pt_hashed_lookup_inline(pt, vpn);
}

/* The cluster (16 PTE words) holding vpn, claiming a slot when create.
 * NULL with *err -ENOENT (absent, !create) or -ENOMEM (table full). */
static uint64_t *hashed_cluster(struct pt_hashed *h, uint64_t vpn, bool create, int *err)
{
	uint64_t key = (vpn >> PT_CLUSTER_SHIFT) + 1;
	for (uint64_t i = pt_hash64(key) & h->mask;; i = (i + 1) & h->mask) {
		uint64_t k = pb_atomic_load(&h->keys[i], PB_ACQUIRE);
		if (k == key)
			return h->cl[i];
		if (k != 0)
			continue;
		if (!create) {
			*err = -ENOENT;
			return NULL;
		}
		/* reserve capacity first, so the probe always ends at an empty slot */
		if (pb_atomic_fetch_add(&h->used, 1, PB_RELAXED) >= h->limit) {
			pb_atomic_fetch_sub(&h->used, 1, PB_RELAXED);
			*err = -ENOMEM;
			return NULL;
		}
		if (pb_atomic_cas(&h->keys[i], &k, key, PB_ACQ_REL, PB_ACQUIRE))
			return h->cl[i];
		pb_atomic_fetch_sub(&h->used, 1, PB_RELAXED);
		if (k == key)
			return h->cl[i]; /* the same cluster, claimed by another thread */
	}
}

static int hashed_cas(struct pb_pt *pt, uint64_t vpn, uint64_t *expected, uint64_t desired)
{
	struct pt_hashed *h = &pt->u.hashed;
	const uint64_t exp0 = *expected;
	int err = 0;
	uint64_t *cl = hashed_cluster(h, vpn, exp0 == 0 && desired != 0, &err);
	if (!cl) {
		if (err != -ENOENT)
			return err;
		if (exp0 == 0)
			return 0; /* compare-only on none */
		*expected = 0;
		return -EAGAIN;
	}
	uint64_t *w = &cl[vpn & (PT_CLUSTER - 1)];
	if (pt->single) {
		/* one caller: nobody else writes the word */
		uint64_t cur = pb_atomic_load(w, PB_ACQUIRE);
		if (cur != exp0) {
			*expected = cur;
			return -EAGAIN;
		}
		pb_atomic_store(w, desired, PB_RELEASE);
		return 0;
	}
	return pb_atomic_cas(w, expected, desired, PB_ACQ_REL, PB_ACQUIRE) ? 0 : -EAGAIN;
}

static int hashed_modify(struct pb_pt *pt, uint64_t vpn, uint64_t set, uint64_t clear,
			 uint64_t test_mask, uint64_t *old)
{
	const int order = ((set | clear) & PB_PTE_PROT_MASK) ? PB_RELEASE : PB_RELAXED;
	int err = 0;
	uint64_t *cl = hashed_cluster(&pt->u.hashed, vpn, false, &err);
	if (!cl)
		return -ENOENT;
	uint64_t *slot = &cl[vpn & (PT_CLUSTER - 1)];
	uint64_t cur = pb_atomic_load(slot, PB_RELAXED);
	for (;;) {
		if (!(cur & PB_PTE_P))
			return -ENOENT;
		if (old)
			*old = cur;
		int was = (cur & test_mask) != 0;
		uint64_t nw = (cur | set) & ~clear;
		if (nw == cur)
			return was;
		if (pt->single) {
			pb_atomic_store(slot, nw, PB_RELEASE); /* one caller */
			return was;
		}
		if (pb_atomic_cas_weak(slot, &cur, nw, order, PB_RELAXED))
			return was;
	}
}

/*
 * Visit the clusters overlapping [start, end) in increasing order: by
 * probing each cluster number when the range is small, else by scanning
 * the key array once and sorting the hits.  fn returns non-zero to stop.
 */
static int hashed_each_cluster(struct pt_hashed *h, uint64_t start, uint64_t end,
			       int (*fn)(void *ctx, uint64_t c, uint64_t *cl), void *ctx)
{
	uint64_t c0 = start >> PT_CLUSTER_SHIFT, c1 = (end - 1) >> PT_CLUSTER_SHIFT;
	if (c1 - c0 + 1 > h->mask + 1) {
		uint64_t *hits = malloc((h->mask + 1) * sizeof(*hits)); /* not a measured path */
		if (hits) {
			uint64_t n = 0;
			for (uint64_t i = 0; i <= h->mask; i++) {
				uint64_t k = pb_atomic_load(&h->keys[i], PB_ACQUIRE);
				if (k && k - 1 >= c0 && k - 1 <= c1)
					hits[n++] = ((k - 1) << 32) | i;
			}
			/* (cluster << 32 | slot): clusters < 2^32 (36-bit vpns,
			 * 16-page clusters) and slots <= 2^32 */
			qsort(hits, n, sizeof(*hits), pb_cmp_u64);
			int rc = 0;
			for (uint64_t j = 0; j < n && !rc; j++)
				rc = fn(ctx, hits[j] >> 32, h->cl[hits[j] & 0xffffffffu]);
			free(hits);
			return rc;
		}
	}
	for (uint64_t c = c0; c <= c1; c++) {
		int err;
		uint64_t *cl = hashed_cluster(h, c << PT_CLUSTER_SHIFT, false, &err);
		if (cl) {
			int rc = fn(ctx, c, cl);
			if (rc)
				return rc;
		}
	}
	return 0;
}

struct hwalk {
	uint64_t start, end;
	int (*cb)(void *arg, pb_vpn_t vpn, uint64_t pte);
	void (*ucb)(void *arg, pb_vpn_t vpn, uint64_t old);
	void *arg;
};

static int hashed_walk_cluster(void *ctx, uint64_t c, uint64_t *cl)
{
	struct hwalk *w = ctx;
	for (unsigned i = 0; i < PT_CLUSTER; i++) {
		uint64_t vpn = (c << PT_CLUSTER_SHIFT) + i;
		if (vpn < w->start || vpn >= w->end)
			continue;
		uint64_t e = pb_atomic_load(&cl[i], PB_ACQUIRE);
		if (e) {
			int rc = w->cb(w->arg, PB_VPN(vpn), e);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int hashed_walk(struct pb_pt *pt, uint64_t start, uint64_t end,
		       int (*cb)(void *arg, pb_vpn_t vpn, uint64_t pte), void *arg)
{
	struct hwalk w = {.start = start, .end = end, .cb = cb, .arg = arg};
	return hashed_each_cluster(&pt->u.hashed, start, end, hashed_walk_cluster, &w);
}

static int hashed_unmap_cluster(void *ctx, uint64_t c, uint64_t *cl)
{
	struct hwalk *w = ctx;
	for (unsigned i = 0; i < PT_CLUSTER; i++) {
		uint64_t vpn = (c << PT_CLUSTER_SHIFT) + i;
		if (vpn < w->start || vpn >= w->end)
			continue;
		uint64_t old = pb_atomic_exchange(&cl[i], 0, PB_ACQ_REL);
		if (old && w->ucb)
			w->ucb(w->arg, PB_VPN(vpn), old);
	}
	return 0;
}

static int hashed_unmap_range(struct pb_pt *pt, uint64_t start, uint64_t end,
			      void (*cb)(void *arg, pb_vpn_t vpn, uint64_t old), void *arg)
{
	struct hwalk w = {.start = start, .end = end, .ucb = cb, .arg = arg};
	return hashed_each_cluster(&pt->u.hashed, start, end, hashed_unmap_cluster, &w);
}

static void hashed_stats(struct pb_pt *pt, struct pb_pt_stats *st)
{
	struct pt_hashed *h = &pt->u.hashed;
	st->slots_total = h->mask + 1;
	st->slots_used = pb_atomic_load(&h->used, PB_RELAXED);
	st->bytes = h->bytes_keys + h->bytes_cl;
}

static int hashed_check(struct pb_pt *pt, uint64_t *leaves, char *err, size_t errlen)
{
	struct pt_hashed *h = &pt->u.hashed;
	uint64_t used = 0, nleaves = 0;
	for (uint64_t i = 0; i <= h->mask; i++) {
		uint64_t k = pb_atomic_load(&h->keys[i], PB_RELAXED);
		if (!k) {
			for (unsigned j = 0; j < PT_CLUSTER; j++) {
				if (pb_atomic_load(&h->cl[i][j], PB_RELAXED)) {
					snprintf(err, errlen, "free slot %llu holds a PTE",
						 (unsigned long long)i);
					return -EINVAL;
				}
			}
			continue;
		}
		used++;
		if (k - 1 >= (PB_PT_VPN_LIMIT >> PT_CLUSTER_SHIFT)) {
			snprintf(err, errlen, "slot %llu: key %#llx out of range",
				 (unsigned long long)i, (unsigned long long)k);
			return -EINVAL;
		}
		/* the probe from the key's home must reach i over claimed slots
		 * holding other keys (no duplicate before it, no hole) */
		for (uint64_t j = pt_hash64(k) & h->mask; j != i; j = (j + 1) & h->mask) {
			uint64_t kj = pb_atomic_load(&h->keys[j], PB_RELAXED);
			if (kj == 0 || kj == k) {
				snprintf(err, errlen, "slot %llu: key %#llx %s on its probe path",
					 (unsigned long long)i, (unsigned long long)k,
					 kj ? "duplicated" : "unreachable: hole");
				return -EINVAL;
			}
		}
		for (unsigned j = 0; j < PT_CLUSTER; j++) {
			uint64_t e = pb_atomic_load(&h->cl[i][j], PB_RELAXED);
			if (!e)
				continue;
			if (!pt_valid_small(e)) {
				snprintf(err, errlen, "bad leaf %#llx at vpn %#llx",
					 (unsigned long long)e,
					 (unsigned long long)(((k - 1) << PT_CLUSTER_SHIFT) + j));
				return -EINVAL;
			}
			nleaves++;
		}
	}
	if (used != pb_atomic_load(&h->used, PB_RELAXED)) {
		snprintf(err, errlen, "%llu slots claimed but %llu counted",
			 (unsigned long long)used,
			 (unsigned long long)pb_atomic_load(&h->used, PB_RELAXED));
		return -EINVAL;
	}
	if (leaves)
		*leaves = nleaves;
	return 0;
}

static void hashed_fini(struct pb_pt *pt)
{
	struct pt_hashed *h = &pt->u.hashed;
	pb_unmap_region(&h->keys_region);
	pb_unmap_region(&h->cl_region);
	h->keys = NULL;
	h->cl = NULL;
}

int pt_hashed_init(struct pb_pt *pt, const struct pb_pt_cfg *cfg)
{
	struct pt_hashed *h = &pt->u.hashed;
	uint64_t want = cfg->hash_slots ? cfg->hash_slots : cfg->nframes / 4;
	if (want < 1024 && !cfg->hash_slots)
		want = 1024;
	if (want < 4 || want > (1ULL << 32))
		return -EINVAL;
	uint64_t cap = 1;
	while (cap < want)
		cap <<= 1;
	h->mask = cap - 1;
	h->limit = cap / 4 * 3;
	h->bytes_keys = cap * sizeof(uint64_t);
	h->bytes_cl = cap * sizeof(*h->cl);
	h->keys = pt_map_table(h->bytes_keys, !cfg->lazy, 0, &h->keys_region);
	h->cl = pt_map_table(h->bytes_cl, !cfg->lazy, 0, &h->cl_region);
	if (!h->keys || !h->cl) {
		hashed_fini(pt);
		return -ENOMEM;
	}
	return 0;
}

const struct pt_ops pt_hashed_ops = {
    .lookup = hashed_lookup,
    .cas = hashed_cas,
    .modify = hashed_modify,
    .walk = hashed_walk,
    .unmap_range = hashed_unmap_range,
    .stats = hashed_stats,
    .check = hashed_check,
    .fini = hashed_fini,
};
