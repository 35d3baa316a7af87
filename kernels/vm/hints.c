/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/hints.c - the engine's locks (the whole machine, page locks,
 * the policy lock) and the per-thread batches of policy hints.
 *
 * Policy hooks and threads.  A policy object is not thread-safe, and
 * taking a lock for every access would serialise the engine, so each
 * thread batches its hits in a small per-thread vector of hints (as
 * Linux's per-CPU pagevecs / folio batches for the LRU lists) and applies
 * them under the policy lock when the vector is full, before any fault it takes
 * (so a single thread's policy sees exactly the stream order), and at the
 * end of each chunk.  By default (PB_VM_HINTS_EXACT) every reference is
 * reported, so a single-thread replay equals pb_policy_replay.  One
 * engine thread has no lock to save and the flush comes before any other
 * policy call anyway, so it applies each hint at once (vm_hint_at) and
 * only counts the batches it would have made (hint_flushes).  With
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
 * its page or whose page is a victim in transit, so a hint never inserts
 * a page.
 *
 * Locks.  Each spins briefly (a fault is a few hundred nanoseconds; up to
 * 20 us when every engine thread has a CPU: vm_lock_spin_ns), then
 * sleeps (a futex for the word locks: Drepper's three-state mutex; one
 * futex word for all page waits; a sched_yield for the transit and mm
 * waits), so that threads
 * outnumbering CPUs do not burn the holder's time; an engine of one
 * thread takes none.
 *
 *   policy lock (lru_lock): every policy call and each flush of hints;
 *     never held while waiting for anything.  Under it, "the frame names
 *     the page (pfn_key) and the page is in no thread's transit slot"
 *     implies "the policy holds the page": a victim's key enters its
 *     evictor's transit slot in the section in which the policy chose it
 *     and leaves only after its frame was renamed (the exclusive path
 *     renames the frame in that section), and a page's frame names it only
 *     after the section that inserted it.  A transit slot is read before
 *     the frame's name (acquire), so a slot found empty means the rename
 *     is visible.
 *   the whole machine (vm_lock; the simulated mmap_lock held for write):
 *     a fault that needs more than its own page (copy-on-write regions,
 *     whose write makes a second page; another page mapped where it
 *     faults; batched, a page resident but not mapped in the faulting
 *     address space; huge pages, prepaging, regions, the OOM killer, a real
 *     backing file, page-object table growth) and every fault when
 *     fine-grained faults are off (one thread, STRICT order, those
 *     configurations); exclusive_faults counts the entries where they are on.
 *   fine-grained faults (vm->fine: FREE order, several threads, none of
 *     the configurations above; a page of a region without copy-on-write:
 *     anonymous, shared anonymous, a shared file mapping, whose one page
 *     object serves every address space that maps it): the read side
 *     of the mm lock (a flag per thread, Dekker with the writer), then the
 *     page lock (PGS_LOCKED in the page object), then the policy lock for
 *     one section: the thread's pending hints, the policy call (which
 *     inserts the page and may name a victim), and the victim's key in
 *     the thread's transit slot.  After the section the thread waits until
 *     the victim's page lock is free (its fault has mapped it), unmaps it
 *     (reverse map, shootdown), writes it out, renames its frame for the
 *     new page and empties the transit slot (release); then fills and maps
 *     its own page and drops its page lock.  A fault that finds its page
 *     in a transit slot (under the policy lock) lets go of both locks,
 *     waits until it leaves, and starts again.
 *   batched free order (vm->batch, batch.c: LRU and FIFO with frames
 *     enough): the same locks, but a fault of a page that is not resident
 *     takes a frame from its thread's reserve and needs no policy section;
 *     victims are reclaimed several at a time (PGS_EVICT in the page's
 *     state word instead of a transit slot, the frame's name cleared in the
 *     reclaiming section), insertions reach the policy in the thread's next
 *     section; vm_lock drains every thread's batches first.
 *   leaf locks, taken last and held for a few stores: page-object
 *     creation (create_lock), the rmap overflow pool (rmo_lock), swap
 *     slots (swap_lock); only with fine-grained faults.
 *
 * Lock order: mm read side -> page lock -> policy lock; create_lock
 * (before the page lock), rmo_lock and swap_lock are leaves; the frame
 * allocator and page tables are lock-free.  vm_lock is taken with nothing
 * held.  The one wait while holding a page lock is for a victim's page
 * lock, and it cannot close a cycle: the victim's lock is held either by a
 * fault of the victim that has not reached its policy section (it finds
 * the victim in transit there and lets go without waiting for anything),
 * or by the fault that inserted the victim, whose policy section came
 * before ours; that fault waits, if at all, only for a victim inserted by
 * a still earlier section, so every chain of waits runs back in the
 * policy lock's order and ends.
 *
 * One page for another (vm_policy_replace).  The policies have no way to
 * skip a victim or to rename a page, so where the engine must keep a page
 * the policy chose (pin_keep, the OOM killer's victim that stays) or hand
 * a frame to another key (copy-on-write reuse), or inserts while a frame
 * is known free (a 2 MiB page's subpages), it takes one page out and
 * references the other in one policy-lock section: the policy, one page
 * lighter, inserts without an eviction.  Anything else means the engine
 * and the policy disagree on the resident set: a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

/* ---- the fault lock ---- */
/* fault_lock: 0 free, 1 held, 2 held and a thread may sleep on it. */
#define LOCK_SPIN    128   /* pb_cpu_relax rounds before sleeping, at least */
#define LOCK_SPIN_NS 20000 /* and this long when every engine thread has a CPU */

/*
 * How long a contended lock spins before it sleeps.  A policy section
 * (a reclaim of up to 32 victims, a flush of 63 hints) takes several
 * microseconds, longer than LOCK_SPIN pauses (1.4 us where a pause is 10 ns),
 * so on idle cores a waiter slept and was woken on nearly every contended
 * acquisition: 14308 context switches and 10144 futex calls in 3 repetitions
 * of a 2-thread LRU replay, 20% of its samples in the kernel (2026-12-04).
 * When the engine's threads do not outnumber the CPUs this process could
 * run on when it started (its affinity before any thread was pinned), the
 * holder is most likely running, so the waiter spins up to LOCK_SPIN_NS
 * first (by the clock: a pause takes 10 to 140 cycles by CPU); when they
 * outnumber them the holder may be waiting for our CPU, so the waiter
 * sleeps after LOCK_SPIN pauses, as before.  Other work on our CPUs (other
 * processes, other engines of a sweep) costs at most LOCK_SPIN_NS a
 * contended acquisition whose holder was preempted.
 */
static unsigned start_cpus; /* CPUs the process could run on when it started */

/* Read before main(), before the harness pins any thread to one PU. */
__attribute__((constructor)) static void read_start_cpus(void)
{
	cpu_set_t set;
	if (!sched_getaffinity(0, sizeof(set), &set))
		start_cpus = (unsigned)CPU_COUNT(&set);
}

uint64_t vm_lock_spin_ns(unsigned nthreads)
{
	return start_cpus >= nthreads ? LOCK_SPIN_NS : 0;
}

static void lock_sleep(unsigned *w)
{
	/* returns at once if the word is no longer 2 (the kernel compares) */
	(void)syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

/* LOCK_SPIN rounds of a try; 1 when it took the lock. */
static int word_spin(unsigned *w)
{
	for (unsigned i = 0; i < LOCK_SPIN; i++) {
		pb_cpu_relax();
		unsigned z = 0;
		/* acquire: as word_lock */
		if (!pb_atomic_load(w, PB_RELAXED) &&
		    pb_atomic_cas(w, &z, 1, PB_ACQUIRE, PB_RELAXED))
			return 1;
	}
	return 0;
}

static void word_lock(unsigned *w, uint64_t spin_ns)
{
	unsigned z = 0;
	/* acquire: the holder's critical section happens-after the last
	 * release of the lock */
	if (pb_likely(pb_atomic_cas(w, &z, 1, PB_ACQUIRE, PB_RELAXED)))
		return;
	if (word_spin(w))
		return;
	if (spin_ns) /* every thread has a CPU: the holder is likely running */
		for (uint64_t t0 = pb_now_ns(); pb_now_ns() - t0 < spin_ns;)
			if (word_spin(w))
				return;
	/* sleep (Drepper's mutex): mark the lock contended, and own it when
	 * the exchange finds it free; acquire as above */
	while (pb_atomic_exchange(w, 2, PB_ACQUIRE) != 0)
		lock_sleep(w);
}

static int word_trylock(unsigned *w)
{
	unsigned z = 0;
	/* acquire: as word_lock */
	return pb_atomic_cas(w, &z, 1, PB_ACQUIRE, PB_RELAXED);
}

static void word_unlock(unsigned *w)
{
	/* release: publishes the critical section to the next holder */
	if (pb_atomic_exchange(w, 0, PB_RELEASE) == 2)
		(void)syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

#define WAIT_SPIN 64 /* pb_cpu_relax rounds before yielding */

/* One round of a wait on a flag another thread clears: spin, then yield. */
static void wait_round(unsigned *spins)
{
	if (*spins < WAIT_SPIN) {
		++*spins;
		pb_cpu_relax();
	} else {
		(void)sched_yield();
	}
}

static int failed(struct pb_vm *vm)
{
	return pb_atomic_load(&vm->failed, PB_RELAXED) != 0;
}

void vm_lock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads == 1) /* one engine CPU: nobody to exclude */
		return;
	word_lock(&vm->fault_lock, vm->lock_spin_ns); /* writers one at a time */
	if (!vm->fine)
		return;
	/* seq_cst: the store of the flag and the loads of the readers' flags
	 * are the Dekker pair with vm_mm_read_lock (one of the two sides
	 * sees the other) */
	(void)pb_atomic_exchange(&vm->mm_writer, 1, PB_SEQ_CST);
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		unsigned spins = 0;
		/* acquire: the reader's fault happens-before this section */
		while (pb_atomic_load(&vm->thr[i].mm_reader, PB_SEQ_CST))
			wait_round(&spins);
	}
	if (vm->batch) /* the exclusive path sees policy and pool unbatched */
		vm_batch_drain_all(vm);
}

void vm_unlock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads == 1)
		return;
	if (vm->fine) /* release: this section happens-before the next reader */
		pb_atomic_store(&vm->mm_writer, 0, PB_RELEASE);
	word_unlock(&vm->fault_lock);
}

void vm_mm_read_lock(struct pb_vm *vm, struct vm_thread *t)
{
	for (;;) {
		/* seq_cst: Dekker with vm_lock (exchange, then load) */
		(void)pb_atomic_exchange(&t->mm_reader, 1, PB_SEQ_CST);
		if (!pb_atomic_load(&vm->mm_writer, PB_SEQ_CST))
			return;
		/* a writer is in or waiting: step back until it is done
		 * (release: nothing of ours to publish, but the writer's
		 * acquire load reads it) */
		pb_atomic_store(&t->mm_reader, 0, PB_RELEASE);
		unsigned spins = 0;
		/* acquire: the writer's section happens-before our fault */
		while (pb_atomic_load(&vm->mm_writer, PB_ACQUIRE))
			wait_round(&spins);
	}
}

void vm_mm_read_unlock(struct pb_vm *vm, struct vm_thread *t)
{
	(void)vm;
	/* release: this fault happens-before the next writer's section */
	pb_atomic_store(&t->mm_reader, 0, PB_RELEASE);
}

/*
 * Page waits (a page's lock, its eviction) spin briefly, then sleep on one
 * futex word for all pages (Linux hashes its page waitqueues): the 16-bit
 * state word has no room for a waiters bit, and such waits are rare - a
 * fault of a page whose fault or eviction another thread has under way -
 * but long when that thread is preempted: a yield loop then burnt the
 * waiter's CPU, 70k sched_yield calls in a 3-rep replay on a loaded
 * 2-vCPU guest.  A waiter counts itself in page_waiters, reads page_wake,
 * re-checks the state and sleeps while page_wake is unchanged; whoever
 * clears PGS_LOCKED or PGS_EVICT (seq_cst) and then finds a waiter
 * counted (seq_cst: one of the two sees the other) bumps page_wake and
 * wakes them all, as does a failure.  Process-wide: engines share it, a
 * spurious wake-up only re-checks.
 */
static unsigned page_waiters, page_wake;
#define PAGE_SLEEP_NS 2000000 /* a bound on a sleep, for safety: not a poll */

static void page_wake_all(void)
{
	/* seq_cst: a waiter that read the old value sleeps only while the
	 * word still holds it (the kernel compares) */
	(void)pb_atomic_fetch_add(&page_wake, 1, PB_SEQ_CST);
	(void)syscall(SYS_futex, &page_wake, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void vm_page_wake(void)
{
	if (pb_atomic_load(&page_waiters, PB_SEQ_CST))
		page_wake_all();
}

/* One round of a wait for bits of p's state to clear: spin, then sleep. */
static void page_wait_round(struct pb_vm *vm, struct vm_page *p, unsigned bits, unsigned *spins)
{
	if (*spins < WAIT_SPIN) {
		++*spins;
		pb_cpu_relax();
		return;
	}
	(void)pb_atomic_fetch_add(&page_waiters, 1, PB_SEQ_CST);
	unsigned seq = pb_atomic_load(&page_wake, PB_SEQ_CST);
	if ((pb_atomic_load(&p->state, PB_SEQ_CST) & bits) && !failed(vm)) {
		struct timespec ts = {0, PAGE_SLEEP_NS};
		(void)syscall(SYS_futex, &page_wake, FUTEX_WAIT_PRIVATE, seq, &ts, NULL, 0);
	}
	(void)pb_atomic_fetch_sub(&page_waiters, 1, PB_RELAXED);
}

int vm_page_lock(struct pb_vm *vm, struct vm_page *p)
{
	unsigned spins = 0;
	for (;;) {
		uint16_t s = pb_atomic_load(&p->state, PB_RELAXED);
		/* acquire: the last holder's writes to the object happen-before
		 * ours */
		if (!(s & PGS_LOCKED) && pb_atomic_cas(&p->state, &s, (uint16_t)(s | PGS_LOCKED),
						       PB_ACQUIRE, PB_RELAXED))
			return 0;
		if (failed(vm))
			return -1;
		page_wait_round(vm, p, PGS_LOCKED, &spins);
	}
}

void vm_page_unlock(struct vm_page *p)
{
	/* release (seq_cst, for the waiters' Dekker: the same locked
	 * instruction): publishes this fault's writes to the object */
	(void)pb_atomic_fetch_and(&p->state, (uint16_t)~PGS_LOCKED, PB_SEQ_CST);
	vm_page_wake();
}

int vm_in_transit(struct pb_vm *vm, uint64_t key)
{
	for (unsigned i = 0; i < vm->cfg.nthreads; i++)
		/* acquire: a slot cleared after an eviction publishes the
		 * victim's unmap and its frame's new name (fault.c) */
		if (pb_atomic_load(&vm->transit[i], PB_ACQUIRE) == key + 1)
			return 1;
	return 0;
}

int vm_transit_wait(struct pb_vm *vm, uint64_t key)
{
	unsigned spins = 0;
	while (vm_in_transit(vm, key)) {
		if (failed(vm))
			return -1;
		wait_round(&spins);
	}
	return 0;
}

int vm_page_wait(struct pb_vm *vm, struct vm_page *p, unsigned bits)
{
	unsigned spins = 0;
	/* acquire: pairs with the release that cleared the bits (an unlock,
	 * the end of an eviction) */
	while (pb_atomic_load(&p->state, PB_ACQUIRE) & bits) {
		if (failed(vm))
			return -1;
		page_wait_round(vm, p, bits, &spins);
	}
	return 0;
}

void vm_leaf_lock(struct pb_vm *vm, unsigned *w)
{
	if (vm->fine)
		word_lock(w, vm->lock_spin_ns);
}

void vm_leaf_unlock(struct pb_vm *vm, unsigned *w)
{
	if (vm->fine)
		word_unlock(w);
}

void vm_plock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads > 1)
		word_lock(&vm->policy_lock, vm->lock_spin_ns);
}

void vm_punlock(struct pb_vm *vm)
{
	if (vm->cfg.nthreads > 1)
		word_unlock(&vm->policy_lock);
}

void vm_fail(struct pb_vm *vm, int rc, const char *msg)
{
	/* Engine threads can fail at once: only the first writes the message
	 * (the exchange), and `failed` publishes it (release; readers acquire
	 * it before reading err).  A later failure keeps the first reason. */
	if (!pb_atomic_exchange(&vm->fail_claimed, 1, PB_ACQ_REL)) {
		snprintf(vm->err, sizeof(vm->err), "%s", msg);
		pb_atomic_store(&vm->failed, rc, PB_RELEASE);
		page_wake_all(); /* sleeping page waits see it */
	}
}

int vm_policy_replace(struct pb_vm *vm, struct vm_thread *t, uint64_t old_key,
		      const struct pb_ref *r, const char *what)
{
	uint64_t victim = 0;
	/* nonzero: old_key was not in the policy (-ENOENT) */
	int lost = old_key != UINT64_MAX && vm->cfg.policy->remove(vm->pol, old_key);
	enum pb_pol_result res = lost ? PB_POL_HIT : vm->cfg.policy->access(vm->pol, r, &victim);
	t->st.policy_calls++; /* the access (a remove is no call counted) */
	if (pb_unlikely(res != PB_POL_MISS)) {
		char msg[200];
		snprintf(msg, sizeof(msg), "%s: the policy %s (engine/policy out of sync)", what,
			 lost		     ? "did not hold the page given up"
			 : res == PB_POL_HIT ? "held the page given to it already"
					     : "evicted a page to take the one given to it");
		vm_fail(vm, -EPROTO, msg);
		return -EPROTO;
	}
	/* a policy miss: the accessed-bit epoch (hit_hint), which only a
	 * policy that reads it needs.  Relaxed: hit_hint reads it relaxed,
	 * for an equality test.  A plain store by the lock holder would do
	 * (vm_lock shuts out the readers that bump it, as make_resident's
	 * store relies on); the RMW, as the fine-grained faults' bumps, keeps
	 * this helper free of an assumption about which lock its callers
	 * hold, and is off the common fault path */
	if (vm->pol_hw)
		(void)pb_atomic_fetch_add(&vm->epoch, 1, PB_RELAXED);
	return 0;
}

void vm_hints_prefetch(struct pb_vm *vm, const struct vm_thread *t)
{
	for (unsigned i = 0; i < t->nhints; i++)
		if (t->hint_pfn[i] != UINT64_MAX)
			__builtin_prefetch(&vm->pfn_key[t->hint_pfn[i]]);
}

/* Caller holds the fault lock, or every pending hint knows its frame;
 * takes the policy lock. */
void vm_apply_hints(struct pb_vm *vm, struct vm_thread *t)
{
	if (!t->nhints)
		return;
	if (vm->fine) /* the names the check reads: fetched before the serial section */
		vm_hints_prefetch(vm, t);
	vm_plock(vm);
	vm_apply_hints_locked(vm, t);
	vm_punlock(vm);
}

void vm_hint_missed(struct pb_vm *vm)
{
	vm_fail(vm, -EPROTO,
		"policy reported a miss for a resident page (engine/policy out of sync)");
}

void vm_apply_hints_locked(struct pb_vm *vm, struct vm_thread *t)
{
	if (!t->nhints)
		return;
	if (vm->cfg.nthreads == 1) {
		/* applied as they came (vm_hint_at): count the batch they
		 * would have made */
		t->nhints = 0;
		t->st.hint_flushes++;
		return;
	}
	int check = vm->cfg.nthreads > 1 && vm->cfg.order == PB_VM_ORDER_FREE;
	if (vm->batch) {
		/* the policy's map slots, then its nodes, of the whole vector:
		 * their misses overlap instead of queueing one by one */
		for (unsigned i = 0; i < t->nhints; i++)
			pb_policy_prefetch(vm->pol, t->hints[i].key, 0);
		for (unsigned i = 0; i < t->nhints; i++)
			pb_policy_prefetch(vm->pol, t->hints[i].key, 1);
	}
	for (unsigned i = 0; i < t->nhints; i++) {
		struct pb_ref *r = &t->hints[i];
		if (check) {
			/* another thread may have evicted it meanwhile: a hint
			 * must never insert a page.  A frame names the page it
			 * holds (an eviction renames it under this lock, or
			 * before its victim leaves transit), so a hint that
			 * knows its frame needs no lookup */
			uint64_t pfn = t->hint_pfn[i];
			if (r->key == UINT64_MAX)
				continue; /* read while its frame was between pages */
			/* a victim between the policy's choice and its frame's
			 * new name (fine-grained faults): out of the policy.  Read
			 * before the name: out of transit means renamed */
			if (vm->fine && !vm->batch && vm_in_transit(vm, r->key))
				continue;
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
			vm_hint_missed(vm);
			break;
		}
	}
	t->nhints = 0;
	/* batched free order: four pagevecs, a quarter of the lock hand-overs
	 * (the policy lock's line and the policy's own move between the CPUs
	 * at each); the hits reach the policy up to 63 references late */
	t->hint_at = vm->batch ? HINT_BATCH_FREE : HINT_BATCH;
	t->st.hint_flushes++;
}

void vm_batch_hints_full(struct pb_vm *vm, struct vm_thread *t)
{
	vm_hints_prefetch(vm, t);
	if (t->nhints < HINT_MAX && !word_trylock(&vm->policy_lock)) {
		/* another thread is in a section: keep batching (per-CPU LRU
		 * batches), up to HINT_MAX */
		t->hint_at = t->nhints + 8 < HINT_MAX ? t->nhints + 8 : HINT_MAX;
		return;
	}
	if (t->nhints == HINT_MAX)
		vm_plock(vm);
	vm_apply_hints_locked(vm, t);
	vm_punlock(vm);
}

void pb_vm_flush_hints(struct pb_vm *vm, unsigned tid)
{
	struct vm_thread *t = &vm->thr[tid];
	if (vm->batch) {
		vm_batch_flush(vm, t, 1); /* and its insertions and reserve */
		return;
	}
	if (!t->nhints)
		return;
	if (vm->cfg.nthreads == 1) { /* applied as they came: only counted */
		vm_apply_hints_locked(vm, t);
		return;
	}
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
