/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/pool.c - the pool of 4 KiB page-table pages behind a radix
 * table.
 *
 * One pb_map'ed array of `cap` pages (2 MiB aligned, on transparent huge
 * pages where the kernel allows, pre-faulted unless lazy), handed out
 * in three tiers, so that no malloc and no shared cache line is on the path
 * of a thread that maps into new regions:
 *
 *   1. a per-thread slab (indexed by pb_epoch_self(); plain loads/stores by
 *      its owner only) of up to PT_SLAB_MAX free, zeroed pages;
 *   2. a global free list of pages returned after an epoch grace period: a
 *      Treiber stack whose head packs a 32-bit tag with the page index, so
 *      a pop's CAS cannot succeed on a recycled head (no ABA);
 *   3. the never-used tail, claimed PT_SLAB_REFILL pages at a time with one
 *      fetch_add.
 *
 * Invariant: every free page is all-zero.  Never-used pages are zero from
 * mmap; an unpublished page (lost install race) was never written; a retired
 * page is zeroed by its epoch callback, when no reader can see it any more.
 * Per-page metadata (the epoch hook, the free-list link) lives beside the
 * pages, because a retired page's own words must stay intact for readers
 * still walking it until the grace period ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "pt_internal.h"

void *pt_map_table(size_t bytes, int prefault, size_t small_head, struct pb_region *r)
{
	char *a = pb_map_huge(bytes, small_head, r);
	if (a && prefault) {
		for (size_t off = 0; off < bytes; off += PB_PAGE_SIZE)
			((volatile char *)a)[off] = 0;
	}
	return a;
}

int pt_pool_init(struct pt_pool *p, uint64_t cap, int prefault)
{
	memset(p, 0, sizeof(*p));
	if (cap < 1 || cap > UINT32_MAX - 1)
		return -EINVAL;
	p->cap = cap;
	p->bytes_base = cap * PB_PAGE_SIZE;
	p->bytes_meta = cap * sizeof(struct pt_node_meta);
	p->bytes_slabs = PB_EPOCH_MAX_THREADS * sizeof(struct pt_slab);
	/* handed out from the start: a lazy pool's first 512 pages stay on
	 * 4 KiB pages, so a small table (an engine's address space of a few
	 * dozen PT pages) does not fault in and zero a whole 2 MiB page (8 per
	 * engine: 24% of a 51-job sweep's CPU went to zeroing them).  Putting
	 * the head on a huge page once a table grows (MADV_COLLAPSE) cost more
	 * than it saved (a copy and a zeroed 2 MiB page each) */
	p->base =
	    pt_map_table(p->bytes_base, prefault, prefault ? 0 : PB_HUGE_SIZE, &p->base_region);
	p->meta = pb_map(p->bytes_meta, 0);
	p->slabs = pb_map(p->bytes_slabs, 0);
	if (!p->base || !p->meta || !p->slabs) {
		pt_pool_fini(p);
		return -ENOMEM;
	}
	if (((uintptr_t)p->base & (PB_PAGE_SIZE - 1)) ||
	    ((uintptr_t)p->base + p->bytes_base) > (1ULL << 52)) {
		pt_pool_fini(p); /* entries hold page addresses in bits 12..51 */
		return -ENOMEM;
	}
	/* meta[i].pool is set when page i is retired (its only reader is the
	 * retire callback), so a large, sparsely used pool costs address
	 * space, not memory: nothing here touches its pages */
	return 0;
}

void pt_pool_fini(struct pt_pool *p)
{
	pb_unmap_region(&p->base_region);
	if (p->meta)
		pb_unmap(p->meta, p->bytes_meta);
	if (p->slabs)
		pb_unmap(p->slabs, p->bytes_slabs);
	p->base = NULL;
	p->meta = NULL;
	p->slabs = NULL;
}

static uint64_t *pool_page(struct pt_pool *p, uint64_t idx)
{
	return p->base + idx * PT_NODE_ENTRIES;
}

/* Pop one page index from the global free list, or UINT64_MAX. */
static uint64_t pool_pop(struct pt_pool *p)
{
	uint64_t h = pb_atomic_load(&p->free_head, PB_ACQUIRE);
	for (;;) {
		uint32_t top = (uint32_t)h;
		if (!top)
			return UINT64_MAX;
		uint32_t next = pb_atomic_load(&p->meta[top - 1].next_free, PB_RELAXED);
		uint64_t nh = ((h >> 32) + 1) << 32 | next;
		if (pb_atomic_cas_weak(&p->free_head, &h, nh, PB_ACQUIRE, PB_ACQUIRE))
			return top - 1;
	}
}

static void pool_push(struct pt_pool *p, uint64_t idx)
{
	uint64_t h = pb_atomic_load(&p->free_head, PB_RELAXED);
	for (;;) {
		pb_atomic_store(&p->meta[idx].next_free, (uint32_t)h, PB_RELAXED);
		uint64_t nh = ((h >> 32) + 1) << 32 | (idx + 1);
		if (pb_atomic_cas_weak(&p->free_head, &h, nh, PB_RELEASE, PB_RELAXED))
			return;
	}
}

/* Up to `want` pages from the free list, then from the tail. */
static unsigned pool_grab(struct pt_pool *p, uint32_t *out, unsigned want)
{
	unsigned n = 0;
	while (n < want) {
		uint64_t i = pool_pop(p);
		if (i == UINT64_MAX)
			break;
		out[n++] = (uint32_t)i;
	}
	if (n < want && pb_atomic_load(&p->bump, PB_RELAXED) < p->cap) {
		uint64_t first = pb_atomic_fetch_add(&p->bump, want - n, PB_RELAXED);
		for (uint64_t i = first; i < p->cap && n < want; i++)
			out[n++] = (uint32_t)i;
		/* the overshoot past cap is simply never used */
	}
	return n;
}

uint64_t *pt_pool_alloc(struct pt_pool *p)
{
	int self = pb_epoch_self();
	uint32_t idx;
	if (pb_likely(self >= 0)) {
		struct pt_slab *s = &p->slabs[self];
		if (!s->n) {
			s->n = pool_grab(p, s->idx, PT_SLAB_REFILL);
			if (!s->n) {
				/* pages may be waiting for a grace period */
				pb_epoch_reclaim();
				s->n = pool_grab(p, s->idx, PT_SLAB_REFILL);
				if (!s->n)
					return NULL;
			}
		}
		idx = s->idx[--s->n];
	} else {
		if (!pool_grab(p, &idx, 1))
			return NULL;
	}
	pb_atomic_fetch_add(&p->used, 1, PB_RELAXED);
	uint64_t *pg = pool_page(p, idx);
	/* written before it is published: a never-used page of a lazy pool
	 * is then faulted in writable once, here.  Read first (a walk or a
	 * prefetch of the new table), the kernel maps its zero page, and the
	 * first PTE stored copies it and flushes every CPU of the process
	 * (do_wp_page): two faults and an IPI per table.  The page is zero
	 * (the pool's invariant), so the store changes nothing */
	*pg = 0;
	return pg;
}

static void pool_release(struct pt_pool *p, uint64_t idx)
{
	int self = pb_epoch_self();
	if (self >= 0 && p->slabs[self].n < PT_SLAB_MAX) {
		struct pt_slab *s = &p->slabs[self];
		s->idx[s->n++] = (uint32_t)idx;
		return;
	}
	pool_push(p, idx);
}

void pt_pool_free_unpublished(struct pt_pool *p, uint64_t *node)
{
	pb_atomic_fetch_sub(&p->used, 1, PB_RELAXED);
	pool_release(p, pt_pool_index(p, node));
}

static void pool_retired_cb(struct pb_epoch_entry *e)
{
	struct pt_node_meta *m = (struct pt_node_meta *)e; /* ent is the first member */
	struct pt_pool *p = m->pool;
	uint64_t idx = (uint64_t)(m - p->meta);
	/* no reader can reach the page now (grace period over): zero it for
	 * its next user.  The callback may run on any thread, whose slab is
	 * not ours to touch, so it goes to the global list. */
	memset(pool_page(p, idx), 0, PB_PAGE_SIZE);
	pool_push(p, idx);
	pb_atomic_fetch_sub(&p->retired, 1, PB_RELEASE);
}

void pt_pool_retire(struct pt_pool *p, uint64_t *node)
{
	uint64_t idx = pt_pool_index(p, node);
	pb_atomic_fetch_sub(&p->used, 1, PB_RELAXED);
	pb_atomic_fetch_add(&p->retired, 1, PB_RELAXED);
	p->meta[idx].pool = p; /* published to the callback by the retire */
	pb_epoch_retire(&p->meta[idx].ent, pool_retired_cb);
}

uint64_t pt_pool_count_free(struct pt_pool *p)
{
	uint64_t n = 0;
	uint64_t bump = pb_atomic_load(&p->bump, PB_RELAXED);
	if (bump < p->cap)
		n += p->cap - bump;
	for (uint32_t top = (uint32_t)pb_atomic_load(&p->free_head, PB_ACQUIRE); top && n <= p->cap;
	     top = pb_atomic_load(&p->meta[top - 1].next_free, PB_RELAXED))
		n++;
	for (unsigned i = 0; i < PB_EPOCH_MAX_THREADS; i++)
		n += p->slabs[i].n;
	return n;
}
