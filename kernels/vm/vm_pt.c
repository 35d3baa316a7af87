/*
 * kernels/vm/vm_pt.c - the engine's page-table adapter.
 *
 * The engine walks one page table per address space through five calls
 * (get, set, clear, or).  This file implements them with a 4-level radix
 * table of 512-entry nodes (x86-64 shape, 9 bits per level, 36-bit vpns)
 * whose interior nodes are installed by CAS, so walks never lock; nodes are
 * carved from large pb_map'ed arenas and never freed before the engine is
 * destroyed, so a reader can never see a freed node (no epochs needed).
 * Leaves are PTE words updated with atomics (x86 layout, vm_internal.h).
 *
 * PB_VM_PT_HASHED uses the same leaves found through an open-addressing
 * hash of (asid, vpn >> 9) instead of the upper levels (an inverted-table
 * shape: one probe sequence instead of three dependent loads).  Both give
 * identical paging decisions; only the walk differs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "vm_internal.h"

#define NODE_ENTRIES 512
#define ARENA_BYTES (4UL << 20)
#define MAX_ARENAS 4096

struct vm_pt {
	enum pb_vm_pt kind;
	uint64_t **roots; /* asid -> level-4 node (radix) */
	/* hashed: (asid, vpn >> 9) -> leaf */
	uint64_t *hkeys;
	uint64_t **hleaf;
	uint64_t hmask;
	uint64_t hcount;
	/* node arenas */
	char *arena[MAX_ARENAS];
	unsigned narena;
	size_t arena_used;
};

static uint64_t *node_alloc(struct vm_pt *pt)
{
	if (!pt->narena || pt->arena_used + PB_PAGE_SIZE > ARENA_BYTES) {
		if (pt->narena == MAX_ARENAS)
			return NULL;
		char *a = pb_map(ARENA_BYTES, 0);
		if (!a)
			return NULL;
		pt->arena[pt->narena++] = a;
		pt->arena_used = 0;
	}
	uint64_t *n = (uint64_t *)(pt->arena[pt->narena - 1] + pt->arena_used);
	pt->arena_used += PB_PAGE_SIZE;
	return n;
}

int vm_pt_create(enum pb_vm_pt kind, uint64_t expected_pages, struct vm_pt **out)
{
	struct vm_pt *pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->kind = kind;
	pt->roots = pb_map((VM_ASID_MAX + 1) * sizeof(uint64_t *), 0);
	if (!pt->roots) {
		free(pt);
		return -ENOMEM;
	}
	if (kind == PB_VM_PT_HASHED) {
		/* leaves cover 512 pages; size for a load factor <= 1/2 */
		uint64_t want = 2 * (expected_pages / NODE_ENTRIES + 1024);
		uint64_t cap = 1;
		while (cap < want)
			cap <<= 1;
		if (cap < (1ULL << 16))
			cap = 1ULL << 16;
		pt->hkeys = pb_map(cap * sizeof(uint64_t), 0);
		pt->hleaf = pb_map(cap * sizeof(uint64_t *), 0);
		if (!pt->hkeys || !pt->hleaf) {
			vm_pt_destroy(pt);
			return -ENOMEM;
		}
		pt->hmask = cap - 1;
	}
	*out = pt;
	return 0;
}

void vm_pt_destroy(struct vm_pt *pt)
{
	if (!pt)
		return;
	for (unsigned i = 0; i < pt->narena; i++)
		pb_unmap(pt->arena[i], ARENA_BYTES);
	if (pt->roots)
		pb_unmap(pt->roots, (VM_ASID_MAX + 1) * sizeof(uint64_t *));
	if (pt->hkeys)
		pb_unmap(pt->hkeys, (pt->hmask + 1) * sizeof(uint64_t));
	if (pt->hleaf)
		pb_unmap(pt->hleaf, (pt->hmask + 1) * sizeof(uint64_t *));
	free(pt);
}

const char *vm_pt_impl(const struct vm_pt *pt)
{
	return pt->kind == PB_VM_PT_HASHED ? "hashed" : "radix";
}

static inline uint64_t hslot(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

/* Leaf (512 PTEs) covering vpn, or NULL; create it if `create` (fault
 * path only: creation is serialised by the engine lock, readers are not). */
static uint64_t *leaf_of(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, int create)
{
	if (pt->kind == PB_VM_PT_HASHED) {
		uint64_t k = ((uint64_t)as << 40 | (vpn >> 9)) + 1;
		for (uint64_t i = hslot(k) & pt->hmask;; i = (i + 1) & pt->hmask) {
			uint64_t cur = pb_atomic_load(&pt->hkeys[i], PB_ACQUIRE);
			if (cur == k)
				return pb_atomic_load(&pt->hleaf[i], PB_ACQUIRE);
			if (cur == 0) {
				if (!create || pt->hcount * 4 >= (pt->hmask + 1) * 3)
					return NULL;
				uint64_t *leaf = node_alloc(pt);
				if (!leaf)
					return NULL;
				/* publish the leaf before the key: a reader that
				 * sees the key (acquire) sees the leaf */
				pb_atomic_store(&pt->hleaf[i], leaf, PB_RELEASE);
				pb_atomic_store(&pt->hkeys[i], k, PB_RELEASE);
				pt->hcount++;
				return leaf;
			}
		}
	}
	if (vpn >> 36)
		return NULL;
	uint64_t **slot = &pt->roots[as];
	uint64_t *node = pb_atomic_load(slot, PB_ACQUIRE);
	for (int level = 3; level >= 1; level--) {
		if (!node) {
			if (!create)
				return NULL;
			uint64_t *n = node_alloc(pt);
			if (!n)
				return NULL;
			uint64_t *expect = NULL;
			if (!pb_atomic_cas(slot, &expect, n, PB_RELEASE, PB_ACQUIRE))
				n = expect; /* cannot happen under the engine lock */
			node = n;
		}
		unsigned idx = (unsigned)(vpn >> (9 * level)) & (NODE_ENTRIES - 1);
		slot = (uint64_t **)&node[idx];
		node = pb_atomic_load(slot, PB_ACQUIRE);
	}
	if (!node && create) {
		uint64_t *n = node_alloc(pt);
		if (!n)
			return NULL;
		uint64_t *expect = NULL;
		if (!pb_atomic_cas(slot, &expect, n, PB_RELEASE, PB_ACQUIRE))
			n = expect;
		node = n;
	}
	return node;
}

uint64_t vm_pt_get(struct vm_pt *pt, pb_asid_t as, uint64_t vpn)
{
	uint64_t *leaf = leaf_of(pt, as, vpn, 0);
	if (!leaf)
		return 0;
	return pb_atomic_load(&leaf[vpn & (NODE_ENTRIES - 1)], PB_ACQUIRE);
}

int vm_pt_set(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte)
{
	uint64_t *leaf = leaf_of(pt, as, vpn, 1);
	if (!leaf)
		return -ENOMEM;
	pb_atomic_store(&leaf[vpn & (NODE_ENTRIES - 1)], pte, PB_RELEASE);
	return 0;
}

uint64_t vm_pt_clear(struct vm_pt *pt, pb_asid_t as, uint64_t vpn)
{
	uint64_t *leaf = leaf_of(pt, as, vpn, 0);
	if (!leaf)
		return 0;
	return pb_atomic_exchange(&leaf[vpn & (NODE_ENTRIES - 1)], 0, PB_ACQ_REL);
}

void vm_pt_or(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t bits)
{
	uint64_t *leaf = leaf_of(pt, as, vpn, 0);
	if (!leaf)
		return;
	uint64_t *p = &leaf[vpn & (NODE_ENTRIES - 1)];
	uint64_t cur = pb_atomic_load(p, PB_RELAXED);
	/* only while present: never resurrect bits on a cleared PTE */
	while ((cur & VM_PTE_P) && (cur & bits) != bits &&
	       !pb_atomic_cas_weak(p, &cur, cur | bits, PB_RELAXED, PB_RELAXED))
		;
}
