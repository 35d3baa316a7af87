/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/prepage_swapcluster.c - swap-in clustering.
 *
 * Linux's swapin_readahead with page-cluster = 3: a major fault on an
 * anonymous page with a swap copy also reads the other slots of its
 * aligned cluster of cfg.swapcluster slots (default 8).  Slots are handed
 * out in eviction order, so a cluster holds pages evicted together - the
 * locality this strategy bets on.  File pages are left to readahead.
 */
#include <stdint.h>

#include "pagebench/vm.h"
#include "vm_internal.h"

static void swapcluster_after_fault(struct pb_vm *vm, const struct vm_fault_ctx *f)
{
	/* f->slot, not p->slot: a write swap-in's slot is freed when it is
	 * mapped (its copy is stale), and the cluster is read all the same */
	if (!f->major || kind_of(f->a->flags) == K_FILE || f->slot == UINT64_MAX)
		return;
	uint64_t key0 = f->p->key;
	uint64_t c = vm->cfg.swapcluster ? vm->cfg.swapcluster : 1;
	uint64_t s0 = f->slot / c * c;
	for (uint64_t s = s0; s < s0 + c; s++) {
		uint64_t key = vm_backing_slot_key(&vm->bk, s);
		if (key == UINT64_MAX || key == key0)
			continue;
		if (vm_prepage_readable(vm, key))
			vm_prepage_one(vm, f->t, key, f->pos);
	}
}

const struct pb_prepage_desc pb_prepage_swapcluster = {
    .name = "swapcluster",
    .help = "read neighbouring swap slots on a swap-in (Linux page-cluster)",
    .after_fault = swapcluster_after_fault,
};
