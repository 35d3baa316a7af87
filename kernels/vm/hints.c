/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/hints.c - the fault lock and the per-thread batches of
 * policy hints.
 *
 * Policy hooks and threads.  A policy object is not thread-safe, and
 * taking a lock for every access would serialise the engine, so each
 * thread batches its hits in a small per-thread vector of hints (as
 * Linux's per-CPU pagevecs / folio batches for the LRU lists) and applies
 * them under the policy lock when the vector is full, before any fault it takes
 * (so a single thread's policy sees exactly the stream order), and at the
 * end of each chunk.  By default (PB_VM_HINTS_EXACT) every reference is
 * reported, so a single-thread replay equals pb_policy_replay.  With
 * PB_VM_HINTS_ABIT a PB_POL_HW policy (CLOCK family, SIEVE, NRU, ...) sees
 * what an OS gets from accessed bits: a hit only sets a reference bit,
 * which nothing clears before the policy's next miss (the "epoch"), so a
 * TLB entry reports at most once per epoch - the same faults for policies
 * whose hit is idempotent, at a fraction of the policy calls (fault.c,
 * hit_hint).  PB_POL_ORACLE policies (LRU, ARC, LIRS, ...) always get every
 * access.  A page's policy key is found from its frame (pfn_key[], Linux's
 * page->mapping + index), so the hit path needs no lookup by address.  In
 * FREE order with several threads a hint may name a page another thread
 * evicted meanwhile; the flush drops a hint whose frame no longer names
 * its page (an eviction clears the name and a new page sets it, both under
 * the fault lock), so a hint never inserts a page.
 *
 * Two locks, each spinning briefly (a fault is a few hundred nanoseconds)
 * and then sleeping on a futex (Drepper's three-state mutex: free, held,
 * held with sleepers), so that threads outnumbering CPUs do not burn the
 * holder's time; an engine of one thread takes neither.  The fault lock
 * (the simulated mmap_lock) is held for a whole fault; the policy lock
 * (lru_lock) for each policy call of a fault and for each batch of 15
 * hints, taken inside the fault lock by a fault and alone by a flush, so
 * hits of one thread reach the policy while another thread handles a
 * fault.  What makes that safe: a hint whose frame no longer names its
 * page is dropped, and an eviction clears the victim frame's name in the
 * same policy-lock section in which the policy chose the victim, so under
 * the policy lock "the frame names the page" implies "the policy holds
 * the page".  Faults still serialise on the fault lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

/* ---- the fault lock ---- */
/* fault_lock: 0 free, 1 held, 2 held and a thread may sleep on it. */
#define LOCK_SPIN 128 /* pb_cpu_relax rounds before sleeping */

static void lock_sleep(unsigned *w)
{
	/* returns at once if the word is no longer 2 (the kernel compares) */
	(void)syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

static void word_lock(unsigned *w)
{
	unsigned z = 0;
	/* acquire: the holder's critical section happens-after the last
	 * release of the lock */
	if (pb_likely(pb_atomic_cas(w, &z, 1, PB_ACQUIRE, PB_RELAXED)))
		return;
	for (unsigned i = 0; i < LOCK_SPIN; i++) {
		pb_cpu_relax();
		z = 0;
		if (!pb_atomic_load(w, PB_RELAXED) &&
		    pb_atomic_cas(w, &z, 1, PB_ACQUIRE, PB_RELAXED))
			return;
	}
	/* sleep (Drepper's mutex): mark the lock contended, and own it when
	 * the exchange finds it free; acquire as above */
	while (pb_atomic_exchange(w, 2, PB_ACQUIRE) != 0)
		lock_sleep(w);
}

static void word_unlock(unsigned *w)
{
	/* release: publishes the critical section to the next holder */
	if (pb_atomic_exchange(w, 0, PB_RELEASE) == 2)
		(void)syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void vm_lock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads > 1) /* one engine CPU: nobody to exclude */
		word_lock(&vm->fault_lock);
}

void vm_unlock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads > 1)
		word_unlock(&vm->fault_lock);
}

void vm_plock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads > 1)
		word_lock(&vm->policy_lock);
}

void vm_punlock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads > 1)
		word_unlock(&vm->policy_lock);
}

void vm_fail(struct pb_vm *vm, int rc, const char *msg)
{
	if (!pb_atomic_load(&vm->failed, PB_RELAXED)) {
		snprintf(vm->err, sizeof(vm->err), "%s", msg);
		pb_atomic_store(&vm->failed, rc, PB_RELEASE);
	}
}

/* Caller holds the fault lock, or every pending hint knows its frame;
 * takes the policy lock. */
void vm_apply_hints(struct pb_vm *vm, struct vm_thread *t)
{
	if (!t->nhints)
		return;
	vm_plock(vm);
	int check = vm->cfg.nthreads > 1 && vm->cfg.order == PB_VM_ORDER_FREE;
	for (unsigned i = 0; i < t->nhints; i++) {
		struct pb_ref *r = &t->hints[i];
		if (check) {
			/* another thread may have evicted it meanwhile: a hint
			 * must never insert a page.  A frame names the page it
			 * holds (an eviction clears the name under this lock),
			 * so a hint that knows its frame needs no lookup */
			uint64_t pfn = t->hint_pfn[i];
			if (r->key == UINT64_MAX)
				continue; /* read while its frame was between pages */
			if (pfn != UINT64_MAX) {
				if (pb_atomic_load(&vm->pfn_key[pfn], PB_RELAXED) != r->key)
					continue;
			} else {
				struct vm_page *p = vm_page_get(vm, r->key, 0);
				if (!p || p->pfn == UINT64_MAX)
					continue;
			}
		}
		uint64_t victim;
		enum pb_pol_result res = vm->cfg.policy->access(vm->pol, r, &victim);
		t->st.policy_calls++;
		if (res != PB_POL_HIT) {
			vm_fail(vm, -EPROTO,
				"policy reported a miss for a resident page (engine/policy out of "
				"sync)");
			break;
		}
	}
	vm_punlock(vm);
	t->nhints = 0;
	t->st.hint_flushes++;
}

void pb_vm_flush_hints(struct pb_vm *vm, unsigned tid)
{
	struct vm_thread *t = &vm->thr[tid];
	if (!t->nhints)
		return;
	/* hints that know their frame need only the policy lock: the frame's
	 * name and the policy's residency change together under it */
	int named = 1;
	for (unsigned i = 0; i < t->nhints; i++)
		named &= t->hint_pfn[i] != UINT64_MAX;
	if (named) {
		vm_apply_hints(vm, t);
		return;
	}
	vm_lock(vm);
	vm_apply_hints(vm, t);
	vm_unlock(vm);
}
