/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/pt_internal.h - private to the pt module: the table object,
 * the ops vtable, the page-table-page pool and the two lookup fast paths
 * (inline, so that pb_pt_lookup dispatches with one switch, no indirect
 * call; bench.c measures the vtable path against it).
 */
#ifndef PAGEBENCH_PT_INTERNAL_H
#define PAGEBENCH_PT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/epoch.h"
#include "pagebench/pt.h"

#define PT_NODE_ENTRIES 512u
#define PT_FROZEN	PB_PTE_RSVD /* non-present marker: entry of a page being torn down */
#define PT_TABLE_BITS	(PB_PTE_P | PB_PTE_W | PB_PTE_U) /* interior entry flags */

/* ---- table memory (pool.c) ---- */

/*
 * Memory for page-table pages and hash tables: pb_map_huge's, on
 * transparent huge pages past small_head bytes - a kernel's page tables
 * live in its direct map (1 GiB pages), so walking them costs no TLB
 * misses of their own, and a simulated walk should not either; a small
 * table's few pages fit the dTLB on 4 KiB pages.  Then pre-faulted unless
 * lazy (freed with pb_unmap_region).  NULL if out of memory.
 */
void *pt_map_table(size_t bytes, int prefault, size_t small_head, struct pb_region *r);

/* ---- page-table-page pool (pool.c) ---- */

#define PT_SLAB_MAX    30u
#define PT_SLAB_REFILL 8u

/* One thread's slab of free (zeroed) pages, indexed by pb_epoch_self(). */
struct pt_slab {
	uint32_t n;
	uint32_t idx[PT_SLAB_MAX];
	uint32_t pad_;
} PB_ALIGNED(PB_CACHELINE);

struct pt_pool;
struct pt_node_meta {
	struct pb_epoch_entry ent; /* retire hook: a page's own words stay readable */
	struct pt_pool *pool;
	uint32_t next_free; /* free-list link: index + 1, 0 = end (atomic) */
	uint32_t pad_;
};

struct pt_pool {
	uint64_t *base; /* page i at base + i * 512, 4 KiB aligned */
	struct pt_node_meta *meta;
	struct pt_slab *slabs; /* PB_EPOCH_MAX_THREADS */
	uint64_t cap;
	PB_ALIGNED(PB_CACHELINE) uint64_t bump;	     /* atomic: next never-used page */
	PB_ALIGNED(PB_CACHELINE) uint64_t free_head; /* atomic: tag << 32 | (index + 1) */
	PB_ALIGNED(PB_CACHELINE) uint64_t used;	     /* atomic: pages handed out */
	uint64_t retired;			     /* atomic: retired, not yet freed */
	size_t bytes_base, bytes_meta, bytes_slabs;
	struct pb_region base_region;
};

int pt_pool_init(struct pt_pool *p, uint64_t cap, int prefault);
void pt_pool_fini(struct pt_pool *p);
/* A zeroed page, or NULL (pool exhausted).  Any thread. */
uint64_t *pt_pool_alloc(struct pt_pool *p);
/* Give back a page that was never published (still zero). */
void pt_pool_free_unpublished(struct pt_pool *p, uint64_t *node);
/* Retire a page unlinked from the tree: zeroed and freed after a grace. */
void pt_pool_retire(struct pt_pool *p, uint64_t *node);
/* Quiescent: free pages counted by walking free list, slabs and the tail. */
uint64_t pt_pool_count_free(struct pt_pool *p);
static inline uint64_t pt_pool_index(const struct pt_pool *p, const uint64_t *node)
{
	return (uint64_t)(node - p->base) / PT_NODE_ENTRIES;
}

/* ---- the table ---- */

struct pt_ops {
	uint64_t (*lookup)(struct pb_pt *pt, uint64_t vpn);
	int (*cas)(struct pb_pt *pt, uint64_t vpn, uint64_t *expected, uint64_t desired);
	/* RMW on a present leaf: new = (old | set) & ~clear; 1 if the
	 * test_mask bits were set before (for test-and-clear), 0 if not, or
	 * -ENOENT.  *old gets the word before (if non-NULL). */
	int (*modify)(struct pb_pt *pt, uint64_t vpn, uint64_t set, uint64_t clear,
		      uint64_t test_mask, uint64_t *old);
	int (*walk)(struct pb_pt *pt, uint64_t start, uint64_t end,
		    int (*cb)(void *arg, pb_vpn_t vpn, uint64_t pte), void *arg);
	int (*unmap_range)(struct pb_pt *pt, uint64_t start, uint64_t end,
			   void (*cb)(void *arg, pb_vpn_t vpn, uint64_t old), void *arg);
	void (*stats)(struct pb_pt *pt, struct pb_pt_stats *st);
	int (*check)(struct pb_pt *pt, uint64_t *leaves, char *err, size_t errlen);
	void (*fini)(struct pb_pt *pt);
};

/* Single-caller tables (pb_pt_cfg.single): the level-1 (PT) pages last
 * walked to, direct-mapped by 2 MiB block (vpn >> 9); blk = block + 1,
 * 0: empty.  Cleared whenever a page-table page is torn down.  256 of them
 * (4 KiB, block and page side by side: one line per lookup) cover 512 MiB
 * of contiguous pages: a 100k-page working set walks from the root only
 * on its first touch of each block (8 hinted blocks missed 96% of lookups
 * under a zipf replay, each a 3-load walk). */
#define PT_HINTS 256u
struct pt_hint {
	uint64_t blk;
	uint64_t *leaf;
};
struct pt_radix {
	uint64_t *root;
	struct pt_pool pool;
	struct pt_hint hint[PT_HINTS];
};

#define PT_CLUSTER_SHIFT 4u
#define PT_CLUSTER	 (1u << PT_CLUSTER_SHIFT) /* 16 pages, 64 KiB per slot */

struct pt_hashed {
	uint64_t *keys; /* atomic: 0 = empty, else cluster number + 1 (never removed) */
	uint64_t (*cl)[PT_CLUSTER];
	uint64_t mask, limit;
	PB_ALIGNED(PB_CACHELINE) uint64_t used; /* atomic: claimed slots */
	size_t bytes_keys, bytes_cl;
	struct pb_region keys_region, cl_region;
};

struct pb_pt {
	enum pb_pt_kind kind;
	bool single; /* pb_pt_cfg.single: one caller */
	const struct pt_ops *ops;
	union {
		struct pt_radix radix;
		struct pt_hashed hashed;
	} u;
};

extern const struct pt_ops pt_radix_ops, pt_hashed_ops;
int pt_radix_init(struct pb_pt *pt, const struct pb_pt_cfg *cfg);
/* pb_pt_leaf of a single-caller radix table (radix.c). */
uint64_t *pt_radix_leaf_single(struct pb_pt *pt, uint64_t vpn, bool create);
int pt_hashed_init(struct pb_pt *pt, const struct pb_pt_cfg *cfg);

/* Valid leaf words (none allowed where noted by callers). */
static inline bool pt_valid_small(uint64_t w)
{
	if (w & PT_FROZEN)
		return false;
	if (w & PB_PTE_P)
		return !(w & PB_PTE_PS);
	/* swap entry: SWP, type bits 1..5, offset bits 12..62, nothing else */
	return (w & PB_PTE_SWP) && !(w & ~(PB_PTE_SWP | (0x1fULL << 1) |
					   ((PB_SWP_OFFSET_LIMIT - 1) << PB_PTE_PFN_SHIFT)));
}
static inline bool pt_valid_huge(uint64_t w)
{
	return (w & (PB_PTE_P | PB_PTE_PS | PT_FROZEN)) == (PB_PTE_P | PB_PTE_PS) &&
	       !(w & ((PB_PT_HUGE_PAGES - 1) << PB_PTE_PFN_SHIFT));
}

static inline uint64_t *pt_entry_node(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & PB_PTE_PFN_MASK);
}

/* The level-2 (PD) entry covering vpn, 0 when an upper level is absent:
 * three dependent acquire loads (plain movs on x86). */
static inline uint64_t pt_radix_pd_entry(struct pb_pt *pt, uint64_t vpn)
{
	uint64_t e = pb_atomic_load(&pt->u.radix.root[vpn >> 27], PB_ACQUIRE);
	if (!(e & PB_PTE_P))
		return 0;
	e = pb_atomic_load(&pt_entry_node(e)[(vpn >> 18) & 511], PB_ACQUIRE);
	if (!(e & PB_PTE_P))
		return 0;
	return pb_atomic_load(&pt_entry_node(e)[(vpn >> 9) & 511], PB_ACQUIRE);
}

/* Radix fast path: four dependent acquire loads. */
static inline uint64_t pt_radix_lookup_inline(struct pb_pt *pt, uint64_t vpn)
{
	if (pb_unlikely(vpn >= PB_PT_VPN_LIMIT))
		return 0;
	uint64_t e = pt_radix_pd_entry(pt, vpn);
	if (!(e & PB_PTE_P))
		return 0;
	if (e & PB_PTE_PS)
		return e;
	e = pb_atomic_load(&pt_entry_node(e)[vpn & 511], PB_ACQUIRE);
	return (e & PT_FROZEN) ? 0 : e;
}

/* The PT page of vpn's 2 MiB block from the hints of a single-caller
 * table, or NULL. */
static inline uint64_t *pt_radix_hint(struct pt_radix *r, uint64_t vpn)
{
	const struct pt_hint *h = &r->hint[(vpn >> 9) & (PT_HINTS - 1)];
	return h->blk == (vpn >> 9) + 1 ? h->leaf : NULL;
}

static inline void pt_radix_hint_set(struct pt_radix *r, uint64_t vpn, uint64_t *leaf)
{
	struct pt_hint *h = &r->hint[(vpn >> 9) & (PT_HINTS - 1)];
	h->blk = (vpn >> 9) + 1;
	h->leaf = leaf;
}

/* A single-caller table's lookup: the hinted PT page, else the walk, which
 * hints the PT page it reaches.  Same result as pt_radix_lookup_inline. */
static inline uint64_t pt_radix_lookup_single(struct pb_pt *pt, uint64_t vpn)
{
	if (pb_unlikely(vpn >= PB_PT_VPN_LIMIT))
		return 0;
	struct pt_radix *r = &pt->u.radix;
	uint64_t *leaf = pt_radix_hint(r, vpn);
	if (!leaf) {
		uint64_t e = pt_radix_pd_entry(pt, vpn);
		if (!(e & PB_PTE_P))
			return 0;
		if (e & PB_PTE_PS)
			return e;
		leaf = pt_entry_node(e);
		pt_radix_hint_set(r, vpn, leaf);
	}
	uint64_t e = pb_atomic_load(&leaf[vpn & 511], PB_ACQUIRE);
	return (e & PT_FROZEN) ? 0 : e;
}

static inline uint64_t pt_hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* Hashed fast path: one hash, a linear probe over the key array, one load
 * of the PTE word in the matching cluster. */
static inline uint64_t pt_hashed_lookup_inline(struct pb_pt *pt, uint64_t vpn)
{
	const struct pt_hashed *h = &pt->u.hashed;
	if (pb_unlikely(vpn >= PB_PT_VPN_LIMIT))
		return 0;
	uint64_t key = (vpn >> PT_CLUSTER_SHIFT) + 1;
	for (uint64_t i = pt_hash64(key) & h->mask;; i = (i + 1) & h->mask) {
		uint64_t k = pb_atomic_load(&h->keys[i], PB_ACQUIRE);
		if (k == key)
			return pb_atomic_load(&h->cl[i][vpn & (PT_CLUSTER - 1)], PB_ACQUIRE);
		if (k == 0)
			return 0;
	}
}

#endif /* PAGEBENCH_PT_INTERNAL_H */
