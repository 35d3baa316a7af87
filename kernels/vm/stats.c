/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/stats.c - events, sums, cost, the consistency check, next use.
 *
 * Every event is counted by the thread it happens on, in its own struct
 * vm_thread (no shared cache line on the hit path); a quiescent reader
 * sums them.  The list of events is written once (vm_events.h): the
 * descriptor table and the sums below are produced from it.  hits is not
 * counted but derived (refs - faults: every reference is one or the
 * other), and the TLB counts come from each thread's TLB.
 *
 * pb_vm_check is the engine's self-validation at a quiescent point: the
 * page objects, the residency counter, the policy and the frame allocator
 * agree on the resident set, and no TLB entry outlives its PTE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/epoch.h"
#include "pagebench/frames.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

const struct pb_vm_event_desc pb_vm_events[PB_VM_EV__COUNT] = {
#define PB_VM_EV_DESC_(n, f, h) [PB_VM_EV_##n] = {.name = #n, .flags = (f), .help = (h)},
    PB_VM_EVENTS(PB_VM_EV_DESC_)
#undef PB_VM_EV_DESC_
};

void pb_vm_stats_add(struct pb_vm_stats *dst, const struct pb_vm_stats *src)
{
#define PB_VM_EV_ADD_(n, f, h) dst->n += src->n;
	PB_VM_EVENTS(PB_VM_EV_ADD_)
#undef PB_VM_EV_ADD_
}

uint64_t pb_vm_stats_get(const struct pb_vm_stats *s, enum pb_vm_event e)
{
	switch (e) {
#define PB_VM_EV_GET_(n, f, h)                                                                     \
	case PB_VM_EV_##n:                                                                         \
		return s->n;
		PB_VM_EVENTS(PB_VM_EV_GET_)
#undef PB_VM_EV_GET_
	case PB_VM_EV__COUNT:
		break;
	}
	return 0;
}

void pb_vm_thread_stats(const struct pb_vm *vm, unsigned tid, struct pb_vm_stats *out)
{
	*out = vm->thr[tid].st;
	/* every reference is one or the other (or a protection fault) */
	out->hits = out->refs - out->faults - out->segv - out->oom_skipped;
	out->tlb_l1_hits = vm->thr[tid].tlb.st.l1_hits;
	out->tlb_l2_hits = vm->thr[tid].tlb.st.l2_hits;
	out->tlb_misses = vm->thr[tid].tlb.st.misses;
	vm_caches_stats(vm, tid, out);
}

void pb_vm_stats(const struct pb_vm *vm, struct pb_vm_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		struct pb_vm_stats s;
		pb_vm_thread_stats(vm, i, &s);
		pb_vm_stats_add(out, &s);
	}
	out->hits = out->refs - out->faults - out->segv - out->oom_skipped;
}

double pb_vm_eat_ns(const struct pb_vm *vm, const struct pb_vm_stats *s)
{
	struct pb_cost_events e = {
	    .refs = s->refs,
	    .l2_tlb_hits = s->tlb_l2_hits,
	    .walks = s->tlb_misses,
	    .faults = s->faults + s->segv, /* a protection fault traps as a fault does */
	    .zero_fills = s->zero_fills,
	    .cow_copies = s->cow_copies,
	    .read_ios = s->read_ios,
	    .extra_pages_read = s->extra_pages_read,
	    .write_ios = s->write_ios,
	    .extra_pages_written = s->extra_pages_written,
	};
	vm_caches_cost(vm, s, &e);
	return pb_cost_eat_ns(vm->cfg.device, &e);
}

uint64_t pb_vm_resident(const struct pb_vm *vm)
{
	return vm->resident;
}

int pb_vm_check(struct pb_vm *vm, char *err, size_t errlen)
{
	uint64_t res = 0;
	for (uint64_t i = 0; i < vm->pcount; i++)
		if (vm->pages[i].pfn != UINT64_MAX)
			res++;
	uint64_t pr = vm->cfg.policy->resident(vm->pol);
	struct pb_frames_stats fs;
	(void)pb_frames_stats(vm->fa, -1, &fs);
	if (res != vm->resident || pr != res || fs.used != res || res > vm->cfg.frames) {
		snprintf(err, errlen,
			 "residency out of sync: objects %llu, counter %llu, policy %llu, frames "
			 "used %llu, frames %llu",
			 (unsigned long long)res, (unsigned long long)vm->resident,
			 (unsigned long long)pr, (unsigned long long)fs.used,
			 (unsigned long long)vm->cfg.frames);
		return -EINVAL;
	}
	/* no translation outlives its PTE: every valid TLB entry of every
	 * thread names a present PTE of the same frame */
	int bad = 0;
	pb_epoch_enter();
	for (unsigned i = 0; i < vm->cfg.nthreads && !bad; i++) {
		struct pb_tlb *tlb = &vm->thr[i].tlb;
		struct pb_tlb_array *arr[3] = {&tlb->l1d, &tlb->l1i, &tlb->l2};
		for (int l = 0; l < 3 && !bad; l++) {
			for (size_t j = 0; j < (size_t)arr[l]->sets * arr[l]->ways; j++) {
				uint64_t tag = pb_atomic_load(&arr[l]->e[j].tag, PB_RELAXED);
				if (!tag)
					continue;
				uint64_t key = tag - 1;
				if (key & VM_HUGE_TBIT)
					continue; /* 2 MiB: vm_huge_check */
				uint64_t pte =
				    vm_pt_get(vm->pt, (pb_asid_t)(key >> PB_PAGE_VPN_BITS),
					      key & PB_PAGE_VPN_MASK);
				if (!(pte & VM_PTE_P) || VM_PTE_PFN(pte) != arr[l]->e[j].pfn) {
					snprintf(err, errlen,
						 "thread %u TLB (level %d) holds asid %llu vpn "
						 "%#llx -> frame "
						 "%llu, PTE %#llx",
						 i, l,
						 (unsigned long long)(key >> PB_PAGE_VPN_BITS),
						 (unsigned long long)(key & PB_PAGE_VPN_MASK),
						 (unsigned long long)arr[l]->e[j].pfn,
						 (unsigned long long)pte);
					bad = 1;
					break;
				}
			}
		}
	}
	pb_epoch_exit();
	if (bad || vm_huge_check(vm, err, errlen))
		return -EINVAL;
	if (vm_rmap_check(vm, err, errlen)) /* evict.c */
		return -EINVAL;
	char ferr[256];
	if (pb_frames_check(vm->fa, ferr, sizeof(ferr))) {
		snprintf(err, errlen, "frame allocator: %s", ferr);
		return -EINVAL;
	}
	if (vm->vma)
		return pb_vm_check_isolation(vm, err, errlen);
	return 0;
}

/* ---- next use (OPT) ---- */
int pb_vm_next_use(const struct pb_access *a, size_t n, uint64_t *next_use)
{
	uint64_t *keys = pb_map((n ? n : 1) * sizeof(uint64_t), 0);
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		keys[i] = pb_vm_key(&a[i]);
	int rc = pb_next_use(keys, n, next_use);
	pb_unmap(keys, (n ? n : 1) * sizeof(uint64_t));
	return rc;
}
