/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/page.c - policy keys and the page-object table.
 *
 * Every page the engine knows is a struct vm_page in one dense array (its
 * capacity doubled in place inside one reserved address space, never
 * shrunk: a page that was ever touched keeps its swap slot and content
 * version).  The key is pb_page_key
 * (pagebench/pagekey.h), naming the page, not the mapping: a private page
 * is (asid << 48) | vpn; a shared anonymous page, a file page and the
 * pre-fork original of a copy-on-write region live in namespaces above
 * every asid (PB_PAGE_NS_*), so several address spaces mapping them find one
 * object - Linux's page cache indexed by (mapping, index).  A write to a
 * COW region makes the private key the page's name from then on.
 *
 * An object is found by its key through a direct index, not a hash: the
 * namespace (key >> 48) selects a directory, vpn >> 16 a leaf, and the
 * leaf holds index + 1 of the object for 65536 consecutive vpns (0: none).
 * Directories and leaves are mapped lazily (pidx_map), so only the pages of
 * the index that cover touched vpns cost memory, and a lookup is two loads
 * from small, hot tables and one from the leaf (4 bytes per page, dense
 * for a contiguous working set) - the hash probe it replaces missed the
 * cache on nearly every fault.  vpns below 2^37 are indexed (access_one
 * refuses 2^36 and above; readahead may run a window past it).
 *
 * The table is touched only by the fault path, under the fault lock; the
 * lock-free hit path names a page through pfn_key[] instead (fault.c).
 * Fine-grained faults (hints.c) look objects up without a lock and create
 * them under create_lock (vm_page_get_mt); growth, which moves every
 * object, stays under the fault lock, which excludes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pagebench/atomic.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

uint64_t pb_vm_key(const struct pb_access *a)
{
	return pb_page_key_rw(a->asid, a->addr >> PB_PAGE_SHIFT, a->flags, a->op == PB_OP_WRITE);
}

/*
 * A directory (16 MiB) or leaf (256 KiB) of the index: zeroed memory, carved
 * from chunks of PIDX_CHUNK bytes.  Looked up before created, so a read
 * must not map the zero page that the creating write then copies
 * (common.h, pb_map_nozero: shared anonymous memory).  Shared mappings do
 * not merge as adjacent private ones do: a mapping per leaf would reach
 * vm.max_map_count (65530 by default) at some 65000 leaves, a chunk holds
 * 256 (untouched, it costs address space only).
 */
#define PIDX_CHUNK ((size_t)64 << 20)
static void *pidx_map(struct pb_vm *vm, size_t bytes)
{
	if (bytes > vm->pchunk_left) {
		if (vm->npmaps == vm->pmaps_cap) {
			size_t cap = vm->pmaps_cap ? vm->pmaps_cap * 2 : 16;
			void *n = realloc(vm->pmaps, cap * sizeof(*vm->pmaps));
			if (!n)
				return NULL;
			vm->pmaps = n;
			vm->pmaps_cap = cap;
		}
		size_t cb = bytes > PIDX_CHUNK ? bytes : PIDX_CHUNK;
		char *c = pb_map_nozero(cb);
		if (!c)
			return NULL;
		vm->pmaps[vm->npmaps++] = (struct vm_pidx_map){c, cb};
		vm->pchunk = c;
		vm->pchunk_left = cb;
	}
	void *p = vm->pchunk;
	vm->pchunk += bytes;
	vm->pchunk_left -= bytes;
	return p;
}

/* The index slot of key (NULL: not there and !create, or out of memory).
 * Lookups may run on any thread while a fine-grained fault creates under
 * create_lock: directories and leaves are published by release stores
 * and found by acquire loads. */
static uint32_t *pidx_slot(struct pb_vm *vm, uint64_t key, int create)
{
	uint64_t ns = key >> PB_PAGE_VPN_BITS, vpn = key & PB_PAGE_VPN_MASK;
	if (pb_unlikely(vpn >> (PIDX_DIR_BITS + PIDX_LEAF_BITS)))
		return NULL;
	if (!create)
		return vm_pidx_find(vm, key);
	uint32_t **dir = pb_atomic_load(&vm->pdir[ns], PB_ACQUIRE);
	if (pb_unlikely(!dir)) {
		if (!create || !(dir = pidx_map(vm, sizeof(*dir) << PIDX_DIR_BITS)))
			return NULL;
		pb_atomic_store(&vm->pdir[ns], dir, PB_RELEASE);
	}
	uint32_t *leaf = pb_atomic_load(&dir[vpn >> PIDX_LEAF_BITS], PB_ACQUIRE);
	if (pb_unlikely(!leaf)) {
		if (!create || !(leaf = pidx_map(vm, sizeof(*leaf) << PIDX_LEAF_BITS)))
			return NULL;
		pb_atomic_store(&dir[vpn >> PIDX_LEAF_BITS], leaf, PB_RELEASE);
	}
	return &leaf[vpn & ((1u << PIDX_LEAF_BITS) - 1)];
}

/* The bytes mapped for cap objects: from 2 MiB on a multiple of 2 MiB, so
 * that huge pages cover all of it. */
static size_t pages_bytes(uint64_t cap)
{
	size_t b = cap * sizeof(struct vm_page);
	return b < PB_HUGE_SIZE ? b : (b + PB_HUGE_SIZE - 1) & ~(size_t)(PB_HUGE_SIZE - 1);
}

/*
 * The objects' address space, reserved once (MAP_NORESERVE: memory only
 * where touched) for up to 2^28 objects (12 GiB) or as many as the
 * machine's memory holds, on huge pages past its first 2 MiB.  The table
 * then grows in place: doubling into a new mapping copied every object and
 * zeroed twice the final table (8% of a 51-job sweep's CPU).  Where the
 * reservation is refused (vm.overcommit_memory=2, a small RLIMIT_AS) or
 * outgrown, growth maps twice the objects and copies them.
 */
#define PAGES_RESERVE_MAX (1ULL << 28)
static void pages_reserve(struct pb_vm *vm)
{
	uint64_t objs = pb_phys_bytes() / sizeof(struct vm_page);
	if (objs > PAGES_RESERVE_MAX)
		objs = PAGES_RESERVE_MAX;
	struct vm_page *a = pb_map_huge(pages_bytes(objs), PB_HUGE_SIZE, &vm->pmap);
	if (a) {
		vm->pmap_cap = objs;
		vm->pages = a;
	}
}

int vm_pages_grow(struct pb_vm *vm)
{
	if (!vm->pdir && !(vm->pdir = pb_map_nozero(PIDX_NS * sizeof(*vm->pdir))))
		return -ENOMEM;
	uint64_t cap = vm->pcap ? vm->pcap * 2 : 1 << 10;
	if (cap > UINT32_MAX)
		return -ENOMEM; /* the index holds 32-bit object numbers */
	if (!vm->pages)
		pages_reserve(vm);
	if (vm->pages && cap <= vm->pmap_cap) {
		vm->pcap = cap; /* in place: no object moves */
		return 0;
	}
	/* the fault path reads objects at random (a zipf replay over 100k
	 * pages: 4.8 MiB): 2 MiB pages spare it most dTLB misses */
	struct pb_region nr;
	struct vm_page *n = pb_map_huge(pages_bytes(cap), 0, &nr);
	if (!n)
		return -ENOMEM;
	if (vm->pages) {
		memcpy(n, vm->pages, vm->pcount * sizeof(*n));
		pb_unmap_region(&vm->pmap);
	}
	vm->pmap = nr;
	vm->pmap_cap = cap;
	/* relaxed atomic: the free-order prefetch (vm_page_prefetch) reads it
	 * outside the lock, for an address only */
	pb_atomic_store(&vm->pages, n, PB_RELAXED);
	vm->pcap = cap;
	return 0;
}

void vm_pages_free(struct pb_vm *vm)
{
	pb_unmap_region(&vm->pmap);
	for (size_t i = 0; i < vm->npmaps; i++)
		pb_unmap(vm->pmaps[i].p, vm->pmaps[i].bytes);
	free(vm->pmaps);
	if (vm->pdir)
		pb_unmap(vm->pdir, PIDX_NS * sizeof(*vm->pdir));
}

/* A new object for key in index slot i (room checked). */
static struct vm_page *page_new(struct pb_vm *vm, uint32_t *i, uint64_t key)
{
	struct vm_page *p = &vm->pages[vm->pcount];
	p->key = key;
	p->pfn = UINT64_MAX;
	p->slot = UINT64_MAX;
	p->flags = PG_USED;
	p->version = 0;
	p->map = 0;
	p->more = 0;
	p->dirty = 0;
	p->state = 0;
	/* release: a lookup that finds the number finds the object whole */
	pb_atomic_store(i, (uint32_t)(++vm->pcount), PB_RELEASE);
	return p;
}

/* Find the object of key; create it (not resident, no slot) if `create`. */
struct vm_page *vm_page_get(struct pb_vm *vm, uint64_t key, int create)
{
	/* an object found needs no creation path (three loads, inline) */
	struct vm_page *p = vm_page_find(vm, key);
	uint32_t *i;
	if (pb_likely(p != NULL) || !create || !(i = pidx_slot(vm, key, 1)))
		return p;
	uint32_t n = pb_atomic_load(i, PB_ACQUIRE);
	if (n)
		return &vm->pages[n - 1];
	if (vm->pcount == vm->pcap && vm_pages_grow(vm))
		return NULL;
	return page_new(vm, i, key);
}

int vm_page_get_mt(struct pb_vm *vm, uint64_t key, struct vm_page **out)
{
	struct vm_page *p = vm_page_get(vm, key, 0);
	int rc = 0;
	if (pb_likely(p != NULL)) {
		*out = p;
		return 0;
	}
	vm_leaf_lock(vm, &vm->create_lock);
	uint32_t *i = pidx_slot(vm, key, 1);
	uint32_t n = i ? pb_atomic_load(i, PB_ACQUIRE) : 0;
	if (!i)
		rc = -ENOMEM;
	else if (n)
		*out = &vm->pages[n - 1]; /* another thread created it meanwhile */
	else if (vm->pcount == vm->pcap)
		rc = -EAGAIN; /* growth moves every object: vm_lock's */
	else
		*out = page_new(vm, i, key);
	vm_leaf_unlock(vm, &vm->create_lock);
	return rc;
}
