/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/prepage_faultaround.c - fault-around.
 *
 * Linux's do_fault_around (fault_around_bytes = 64 KiB): a fault on a
 * shared or file page also maps the neighbours of its aligned block of
 * cfg.faultaround pages (default 16) that are resident already (page
 * cache) but not mapped in this address space.  No I/O: it saves minor
 * faults.  The PTEs are installed "old" (no accessed bit), as Linux does,
 * so an eviction can tell a mapping that was never used (prepage_unused)
 * and the first reference through it is counted (prepage_used, fault.c:
 * pte_ref); each counts as prepage_mapped.  Private anonymous neighbours
 * are mapped already or not resident, so anonymous faults do nothing.
 */
#include <stdint.h>

#include "pagebench/vm.h"
#include "vm_internal.h"

static void faultaround_after_fault(struct pb_vm *vm, const struct vm_fault_ctx *f)
{
	const struct pb_access *a = f->a;
	enum pg_kind k = kind_of(a->flags);
	if (k == K_ANON || (cow_region(a->flags) && a->op == PB_OP_WRITE))
		return; /* private neighbours are mapped already or not resident */
	uint64_t n = vm->cfg.faultaround ? vm->cfg.faultaround : 1;
	uint64_t v0 = f->vpn / n * n;
	for (uint64_t v = v0; v < v0 + n; v++) {
		if (v == f->vpn || (vm_pt_get(vm->pt, a->asid, v) & VM_PTE_P))
			continue;
		struct vm_page *q = vm_page_get(vm, shared_key(k, v), 0);
		if (!q || q->pfn == UINT64_MAX)
			continue;
		int w = !cow_region(a->flags);
		/* mapped "old" (no accessed bit), as Linux does */
		if (vm_map_page(vm, a->asid, v, q, w, 0, 0))
			return;
		f->t->st.prepage_mapped++;
	}
}

const struct pb_prepage_desc pb_prepage_faultaround = {
    .name = "faultaround",
    .help = "map resident neighbours of a shared/file fault (Linux fault_around_bytes)",
    .after_fault = faultaround_after_fault,
};
