/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/vm.c - creating and destroying an engine; errors; the sink
 * for finished engines' counts.
 *
 * An engine is a simulated machine: nthreads CPUs (struct vm_thread: a
 * TLB, event counts, a hint batch; each on its own cache lines), one page
 * table for every address space (vm_pt.c), a frame pool (pb_frames), an
 * eviction policy, a prepaging strategy and a backing store.  Everything
 * is sized at creation (the per-frame state too); the page-object table,
 * its index and the reverse map's overflow pool grow under the fault lock
 * (vm_lock; fine-grained faults, hints.c, create objects under a leaf lock
 * and leave growth to vm_lock).
 * Creation checks what the configuration cannot honour (an OFFLINE policy
 * with prepaging or free-running threads)
 * and fails with one line; errors during a replay are recorded once
 * (vm_fail, hints.c) and read back with pb_vm_error.
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

void pb_vm_cfg_default(struct pb_vm_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = pb_policy_find("lru");
	c->frames = 64;
	c->prepage = &pb_prepage_demand;
	c->readahead_max = 32;
	c->faultaround = 16;
	c->swapcluster = 8;
	c->pt = PB_VM_PT_RADIX;
	c->nthreads = 1;
	c->order = PB_VM_ORDER_STRICT;
	c->seed = 1;
	char err[64];
	(void)pb_tlb_parse("skylake", &c->tlb, err, sizeof(err));
	c->device = pb_cost_device_find("nvme");
}

int pb_vm_create(const struct pb_vm_cfg *cfg, struct pb_vm **out, char *err, size_t errlen)
{
	if (!cfg->policy) {
		snprintf(err, errlen, "no eviction policy");
		return -EINVAL;
	}
	if (!cfg->frames || cfg->frames > (1ULL << 36)) {
		snprintf(err, errlen, "frames must be 1 .. 2^36");
		return -EINVAL;
	}
	if (!cfg->nthreads || cfg->nthreads > 1024) {
		snprintf(err, errlen, "threads must be 1 .. 1024");
		return -EINVAL;
	}
	if ((cfg->policy->flags & PB_POL_OFFLINE) && cfg->prepage && cfg->prepage->after_fault) {
		snprintf(err, errlen,
			 "policy %s needs the future of every page: use --prepage demand",
			 cfg->policy->name);
		return -EINVAL;
	}
	if ((cfg->policy->flags & PB_POL_OFFLINE) && cfg->nthreads > 1 &&
	    cfg->order == PB_VM_ORDER_FREE) {
		snprintf(err, errlen, "policy %s needs stream order: not with free-running threads",
			 cfg->policy->name);
		return -EINVAL;
	}
	struct pb_vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cfg = *cfg;
	vm->bk.fd = -1; /* not open: destroy must not close fd 0 */
	if (!vm->cfg.device)
		vm->cfg.device = pb_cost_device_find("nvme");
	vm->pol_hw = pb_vm_hints_abit(cfg->policy, cfg->hints);
	vm->epoch = 1;
	vm->pol_offline = (cfg->policy->flags & PB_POL_OFFLINE) != 0;
	struct pb_policy_cfg pc = {.frames = cfg->frames,
				   .seed = cfg->seed,
				   .expected_keys = cfg->expected_keys,
				   .params = cfg->policy_params};
	int rc = cfg->policy->create(&pc, &vm->pol, err, errlen);
	if (rc)
		goto out;
	struct pb_frames_cfg fc = {.nframes = cfg->frames, .nnodes = 1};
	rc = pb_frames_create(&fc, &vm->fa);
	if (rc) {
		snprintf(err, errlen, "frame allocator: %s", strerror(-rc));
		goto out;
	}
	rc = vm_pt_create(cfg->pt, cfg->expected_keys ? cfg->expected_keys : (1u << 16),
			  cfg->nthreads == 1, &vm->pt);
	if (rc) {
		snprintf(err, errlen, "page table: %s", strerror(-rc));
		goto out;
	}
	rc = vm_backing_open(&vm->bk, cfg->backing_path, cfg->backing_force, err, errlen);
	if (rc)
		goto out;
	vm->pfn_key = pb_map(cfg->frames * sizeof(uint64_t), 0);
	vm->frm = pb_map(cfg->frames * sizeof(struct vm_frame), 0);
	rc = vm->pfn_key && vm->frm ? vm_pages_grow(vm) : -ENOMEM;
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	vm->thr = pb_map(cfg->nthreads * sizeof(struct vm_thread), 0);
	if (!vm->thr) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < cfg->nthreads; i++) {
		rc = pb_tlb_init(&vm->thr[i].tlb, &cfg->tlb);
		if (rc) {
			snprintf(err, errlen, "TLB: out of memory");
			goto out;
		}
		vm->thr[i].tlb.shared = cfg->nthreads > 1; /* shootdowns from other CPUs */
	}
	rc = vm_vma_init(vm, err, errlen);
	if (!rc)
		rc = vm_caches_init(vm, err, errlen);
	if (!rc)
		rc = vm_huge_init(vm, err, errlen); /* huge.c */
	if (!rc)
		rc = vm_swap_init(vm, err, errlen); /* swap.c */
	if (rc)
		goto out;
	/* fine-grained faults (hints.c): free-running threads and nothing
	 * that needs the whole machine on a fault (prepaging's neighbours,
	 * 2 MiB pages, regions, the OOM killer, real I/O on one buffer) */
	vm->fine = cfg->nthreads > 1 && cfg->order == PB_VM_ORDER_FREE && !vm->huge && !vm->vma &&
		   !(cfg->prepage && cfg->prepage->after_fault) && !cfg->swap_pages &&
		   vm->bk.fd < 0;
	vm_batch_init(vm);				   /* batch.c */
	vm->lock_spin_ns = vm_lock_spin_ns(cfg->nthreads); /* hints.c */
	for (unsigned i = 0; i < cfg->nthreads; i++)
		vm->thr[i].hint_at = HINT_BATCH;
	if (vm->fine && !(vm->transit = calloc(cfg->nthreads, sizeof(*vm->transit)))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*out = vm;
	return 0;
out:
	pb_vm_destroy(vm);
	return rc;
}

void pb_vm_destroy(struct pb_vm *vm)
{
	if (!vm)
		return;
	vm_huge_fini(vm);
	vm_swap_fini(vm);
	if (vm->thr) {
		vm_caches_fini(vm);
		for (unsigned i = 0; i < vm->cfg.nthreads; i++)
			pb_tlb_fini(&vm->thr[i].tlb);
		pb_unmap(vm->thr, vm->cfg.nthreads * sizeof(struct vm_thread));
	}
	if (vm->pol)
		vm->cfg.policy->destroy(vm->pol);
	if (vm->fa)
		pb_frames_destroy(vm->fa);
	vm_pt_destroy(vm->pt);
	vm_backing_close(&vm->bk);
	vm_pages_free(vm);
	if (vm->pfn_key)
		pb_unmap(vm->pfn_key, vm->cfg.frames * sizeof(uint64_t));
	if (vm->frm)
		pb_unmap(vm->frm, vm->cfg.frames * sizeof(struct vm_frame));
	free(vm->rmo);
	free(vm->transit);
	vm_vma_fini(vm);
	free(vm);
}

const char *pb_vm_error(const struct pb_vm *vm)
{
	return pb_atomic_load(&vm->failed, PB_ACQUIRE) ? vm->err : "";
}

unsigned pb_vm_nthreads(const struct pb_vm *vm)
{
	return vm->cfg.nthreads;
}

/* The sink is set once, before engines run (harness start-up); read with
 * acquire so a sink installed by another thread is seen whole. */
static pb_vm_event_sink event_sink;

void pb_vm_set_event_sink(pb_vm_event_sink sink)
{
	pb_atomic_store(&event_sink, sink, PB_RELEASE);
}

void pb_vm_emit_events(const struct pb_vm_stats *s)
{
	pb_vm_event_sink sink = pb_atomic_load(&event_sink, PB_ACQUIRE);
	if (sink)
		sink(s);
}
