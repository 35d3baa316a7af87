/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/page.c - policy keys and the page-object table.
 *
 * Every page the engine knows is a struct vm_page in one dense array (grown
 * by doubling, never shrunk: a page that was ever touched keeps its swap
 * slot and content version), found by its policy key through the base
 * layer's hash map (pb_hmap: key -> index).  The key is pb_page_key
 * (pagebench/pagekey.h), naming the page, not the mapping: a private page
 * is (asid << 48) | vpn; a shared anonymous page, a file page and the
 * pre-fork original of a copy-on-write region live in namespaces above
 * every asid (PB_PAGE_NS_*), so several address spaces mapping them find one
 * object - Linux's page cache indexed by (mapping, index).  A write to a
 * COW region makes the private key the page's name from then on.
 *
 * The table is touched only by the fault path, under the fault lock; the
 * lock-free hit path names a page through pfn_key[] instead (fault.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vm.h"
#include "vm_internal.h"

uint64_t pb_vm_key(const struct pb_access *a)
{
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	return policy_key(a->asid, vpn, a->flags, cow_region(a->flags) && a->op == PB_OP_WRITE);
}

int vm_pages_grow(struct pb_vm *vm)
{
	if (!vm->pidx.s && pb_hmap_init(&vm->pidx, vm->cfg.expected_keys))
		return -ENOMEM;
	uint64_t cap = vm->pcap ? vm->pcap * 2 : 1 << 10;
	struct vm_page *n = pb_map(cap * sizeof(*n), 0);
	if (!n)
		return -ENOMEM;
	if (vm->pages) {
		memcpy(n, vm->pages, vm->pcount * sizeof(*n));
		pb_unmap(vm->pages, vm->pcap * sizeof(*n));
	}
	vm->pages = n;
	vm->pcap = cap;
	return 0;
}

/* Find the object of key; create it (not resident, no slot) if `create`. */
struct vm_page *vm_page_get(struct pb_vm *vm, uint64_t key, int create)
{
	if (!create) {
		uint64_t *i = pb_hmap_find(&vm->pidx, key);
		return i ? &vm->pages[*i] : NULL;
	}
	int isnew;
	uint64_t *i = pb_hmap_upsert(&vm->pidx, key, &isnew);
	if (!i)
		return NULL;
	if (!isnew)
		return &vm->pages[*i];
	if (vm->pcount == vm->pcap && vm_pages_grow(vm)) {
		pb_hmap_del(&vm->pidx, key);
		return NULL;
	}
	*i = vm->pcount;
	struct vm_page *p = &vm->pages[vm->pcount++];
	p->key = key;
	p->pfn = UINT64_MAX;
	p->slot = UINT64_MAX;
	p->flags = PG_USED;
	p->version = 0;
	return p;
}
