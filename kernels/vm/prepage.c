/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/prepage.c - the prepaging registry and what strategies share.
 *
 * Prepaging brings pages in (or maps them) ahead of use, after a fault has
 * been handled: readahead with a window that doubles on sequential major
 * faults (prepage_readahead.c, Linux ondemand readahead, ra_pages 32),
 * fault-around (prepage_faultaround.c, map neighbours already resident,
 * Linux's fault_around_bytes = 64 KiB), swap-in clustering
 * (prepage_swapcluster.c, read the aligned cluster of 8 swap slots, Linux
 * page-cluster = 3), or nothing (prepage_demand.c).  Prepaged pages are
 * charged: their I/O is counted (prepaged, extra_pages_read), a prepaged
 * page referenced later counts as prepage_used, one evicted before its
 * first use as prepage_unused (pollution); a fault-around PTE likewise
 * (prepage_mapped; fault.c and evict.c count its use or its unmap unused).
 * The faulting page is pinned meanwhile (fault.c, fault_prepage): no page
 * brought in ahead of use may take its frame.
 *
 * Each strategy is a struct pb_prepage_desc in its own file; pb_prepages[]
 * lists them and drives --prepage parsing, --help and the CSV names.
 * Adding one: a file with its descriptor and an entry below (see
 * docs/engine.md, "How to add a prepaging strategy").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pagebench/vm.h"
#include "vm_internal.h"

const struct pb_prepage_desc *const pb_prepages[] = {
    &pb_prepage_demand,
    &pb_prepage_readahead,
    &pb_prepage_faultaround,
    &pb_prepage_swapcluster,
    NULL,
};

const char *pb_prepage_name(const struct pb_prepage_desc *p)
{
	return p ? p->name : pb_prepage_demand.name;
}

int pb_prepage_parse(const char *s, const struct pb_prepage_desc **out)
{
	for (size_t i = 0; pb_prepages[i]; i++) {
		if (!strcmp(s, pb_prepages[i]->name)) {
			*out = pb_prepages[i];
			return 0;
		}
	}
	return -EINVAL;
}

void pb_prepage_names(char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (size_t i = 0; pb_prepages[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "", pb_prepages[i]->name);
}

int vm_prepage_readable(struct pb_vm *vm, uint64_t key)
{
	struct vm_page *p = vm_page_get(vm, key, 0);
	if (key_kind(key) == K_FILE)
		return !p || p->pfn == UINT64_MAX;
	return p && p->pfn == UINT64_MAX && (p->flags & PG_ONDISK);
}

void vm_prepage_one(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos)
{
	int was;
	if (vm->prepage_stop)
		return; /* the window ended (below) */
	/* the fault's own page is pinned (fault.c, fault_prepage): a page
	 * that would evict it is not brought in, and neither are the rest of
	 * the window's, as Linux's readahead stops at the first page it cannot
	 * allocate */
	struct vm_page *p =
	    vm_make_resident_pinned(vm, t, key, pos, vm->prepage_pin, vm->prepage_pin_write, &was);
	if (!p) {
		if (was < 0)
			vm->prepage_stop = 1;
		return;
	}
	if (was)
		return;
	if (vm_fill(vm, t, p, 1) < 0)
		return;
	p->flags |= PG_PREPAGED;
	t->st.prepaged++;
	t->st.extra_pages_read++;
}
