/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/page.c - policy keys and the page-object table.
 *
 * Every page the engine knows is a struct vm_page, found by its policy key
 * in one open-addressing table (linear probing, grown at 70% load, never
 * shrunk: a page that was ever touched keeps its swap slot and content
 * version).  The key names the page, not the mapping: a private page is
 * (asid << 48) | vpn; a shared anonymous page, a file page and the
 * pre-fork original of a copy-on-write region live in namespaces above
 * every asid (VM_NS_*), so several address spaces mapping them find one
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
	uint64_t ocap = vm->pages ? vm->pmask + 1 : 0;
	uint64_t cap = ocap ? ocap * 2 : 1 << 10;
	struct vm_page *n = pb_map(cap * sizeof(*n), 0);
	if (!n)
		return -ENOMEM;
	for (uint64_t i = 0; i < ocap; i++) {
		struct vm_page *p = &vm->pages[i];
		if (!(p->flags & PG_USED))
			continue;
		for (uint64_t j = vm_mix(p->key) & (cap - 1);; j = (j + 1) & (cap - 1)) {
			if (!(n[j].flags & PG_USED)) {
				n[j] = *p;
				break;
			}
		}
	}
	if (vm->pages)
		pb_unmap(vm->pages, ocap * sizeof(*n));
	vm->pages = n;
	vm->pmask = cap - 1;
	return 0;
}

/* Find the object of key; create it (not resident, no slot) if `create`. */
struct vm_page *vm_page_get(struct pb_vm *vm, uint64_t key, int create)
{
	if (create && (vm->pcount + 1) * 10 > (vm->pmask + 1) * 7 && vm_pages_grow(vm))
		return NULL;
	for (uint64_t i = vm_mix(key) & vm->pmask;; i = (i + 1) & vm->pmask) {
		struct vm_page *p = &vm->pages[i];
		if (!(p->flags & PG_USED)) {
			if (!create)
				return NULL;
			p->key = key;
			p->pfn = UINT64_MAX;
			p->slot = UINT64_MAX;
			p->flags = PG_USED;
			p->version = 0;
			vm->pcount++;
			return p;
		}
		if (p->key == key)
			return p;
	}
}
