/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/evict.c - eviction: unmap everywhere, shoot down, write out.
 *
 * A page that is not resident must get a frame: the eviction policy
 * (pb_policies[]) is told of the miss and names a victim when the pool is
 * full (fault.c, vm_make_resident).  The victim is unmapped from every
 * address space through the frame's reverse map (pb_frames rmap), every
 * TLB that may hold it is shot down (counted per thread: shootdowns for
 * other CPUs' TLBs, local_flushes for the evictor's own), and it is
 * written to swap (dirty anonymous: a swap slot is allocated on first
 * write-out and kept), written back to its file (dirty shared file page)
 * or dropped (clean).  A prepaged page evicted before any reference, and a
 * fault-around mapping never used, count as prepage_unused (pollution).
 *
 * TLB shootdown is a Dekker handshake: the evictor clears the PTE, issues a
 * full fence and clears matching entries in every thread's TLB; a thread
 * filling its TLB from a walk issues a full fence after the fill and
 * re-reads the PTE, dropping the entry if it changed (fault.c).  So no
 * translation outlives its PTE (a hit that races with an eviction in the
 * window is the simulated equivalent of an access before the IPI lands).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/frames.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

static int rmap_collect(void *arg, pb_asid_t as, pb_vpn_t vpn)
{
	struct pb_vm *vm = arg;
	if (vm->rm_n == vm->rm_cap) {
		size_t cap = vm->rm_cap ? vm->rm_cap * 2 : 64;
		void *n = realloc(vm->rm, cap * sizeof(*vm->rm));
		if (!n)
			return -ENOMEM;
		vm->rm = n;
		vm->rm_cap = cap;
	}
	vm->rm[vm->rm_n].as = as;
	vm->rm[vm->rm_n].vpn = vpn.v;
	vm->rm_n++;
	return 0;
}

/* Unmap one mapping: clear the PTE, shoot down the TLBs that may hold it.
 * Returns the old PTE. */
uint64_t vm_unmap_one(struct pb_vm *vm, struct vm_thread *self, pb_asid_t as, uint64_t vpn)
{
	uint64_t old = vm_pt_clear(vm->pt, as, vpn);
	pb_fence_full(); /* Dekker with the TLB fill in access() */
	uint64_t tkey = priv_key(as, vpn);
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		struct vm_thread *t = &vm->thr[i];
		if (t == self) {
			if (pb_tlb_shootdown(&t->tlb, tkey))
				self->st.local_flushes++;
		} else if (pb_tlb_shootdown(&t->tlb, tkey)) {
			self->st.shootdowns++;
		}
	}
	if ((old & VM_PTE_P) && !(old & VM_PTE_A))
		self->st.prepage_unused++; /* fault-around mapping never used */
	return old;
}

/* Evict the page of `key` (chosen by the policy): unmap everywhere, write
 * out if dirty, free its frame.  Lock held. */
int vm_evict(struct pb_vm *vm, struct vm_thread *t, uint64_t key)
{
	struct vm_page *p = vm_page_get(vm, key, 0);
	if (!p || p->pfn == UINT64_MAX) {
		vm_fail(vm, -EPROTO, "policy evicted a page that is not resident");
		return -EPROTO;
	}
	if (p->flags & PG_HUGE)
		return vm_huge_evict(vm, t, p); /* the whole 2 MiB page (huge.c) */
	pb_pfn_t pfn = PB_PFN(p->pfn);
	vm->rm_n = 0;
	int rc = pb_frames_rmap_each(vm->fa, pfn, rmap_collect, vm);
	if (rc)
		return rc;
	int dirty = pb_frames_is_dirty(vm->fa, pfn);
	for (size_t i = 0; i < vm->rm_n; i++) {
		uint64_t old = vm_unmap_one(vm, t, vm->rm[i].as, vm->rm[i].vpn);
		if (old & VM_PTE_D)
			dirty = 1;
	}
	enum pg_kind k = key_kind(key);
	if (dirty && k != K_FILE) {
		/* a slot, or the OOM killer when swap is full (swap.c) */
		rc = vm_swap_reserve(vm, t, p, 1);
		if (rc < 0 || rc == 1 || rc == 3)
			return rc < 0 ? rc : 0; /* 1: freed by the kill; 3: stays */
		dirty = rc != 2;		/* 2: its owner was killed: dropped */
	}
	t->st.evictions++;
	if (p->flags & PG_PREPAGED) {
		t->st.prepage_unused++;
		p->flags &= ~PG_PREPAGED;
	}
	if (dirty) {
		t->st.writebacks++;
		t->st.write_ios++;
		p->version++;
		if (k == K_FILE) {
			t->st.file_writebacks++;
			rc =
			    vm_backing_file_write(&vm->bk, key & PB_PAGE_VPN_MASK, key, p->version);
		} else {
			if (p->slot == UINT64_MAX && (rc = vm_backing_slot(&vm->bk, key, &p->slot)))
				return rc;
			t->st.swap_outs++;
			p->flags |= PG_ONDISK;
			rc = vm_backing_swap_write(&vm->bk, p->slot, key, p->version);
		}
		if (rc) {
			vm_fail(vm, rc, vm->bk.err);
			return rc;
		}
	} else {
		t->st.dropped_clean++;
	}
	pb_frames_meta_reset(vm->fa, pfn);
	rc = pb_frames_free(vm->fa, pfn, 0);
	if (rc) {
		vm_fail(vm, rc, "frame allocator refused a free (double free?)");
		return rc;
	}
	p->pfn = UINT64_MAX;
	vm->resident--;
	return 0;
}
