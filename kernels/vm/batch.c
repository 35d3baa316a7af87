/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/batch.c - batched free order: faults that need no policy
 * section of their own.
 *
 * With fine-grained faults (hints.c) every fault still took the policy
 * lock once, to insert its page and name a victim; with a third of the
 * references faulting that was one lock hand-over every three references,
 * and two threads ran slower than one.  Linux does not serialise its faults
 * on lru_lock either: a fault takes a page from a per-CPU free list,
 * queues it for the LRU in a per-CPU batch (folio_batch_add_and_move), and
 * reclaim isolates pages from the LRU's tail in batches.  So here, for a
 * policy that can name its victim ahead (victim_node and remove: LRU,
 * FIFO) and with frames enough (vm_batch_init):
 *
 *   - each thread keeps a reserve of free frames (rsv[]).  An empty reserve
 *     is refilled from the allocator while the pool fills, then by one
 *     policy section that applies the thread's pending hints and
 *     insertions and takes rsv_k victims out of the policy
 *     (pb_policy_reclaim): each victim's frame stops naming it (pfn_key),
 *     so hints of it are dropped, and its page object gets PGS_EVICT.
 *     After the section the thread waits until each victim's page lock is
 *     free, unmaps it through its reverse map, writes it out, clears
 *     PGS_EVICT (release) and keeps its frame;
 *   - a fault of a page that is not resident takes its page lock, a frame
 *     from its reserve, fills and maps the page, drops the page lock,
 *     fills its own TLB (no other thread can unmap the page yet: see
 *     vm_fault_batch) and queues the page's insertion (ins[]); the
 *     insertion reaches the policy with the thread's next section (the
 *     refill that empties the reserve as the queue fills, a full queue
 *     after a refill from the allocator, the end of a chunk).  Until then
 *     the frame names no page (pfn_key is UINT64_MAX), so a hit on it is
 *     dropped: the insertion, applied later, puts the page at least as
 *     far up as the hit would have;
 *   - hits are flushed every HINT_BATCH_FREE (63, four pagevecs: a
 *     quarter of the lock hand-overs); a vector of hits that fills while another
 *     thread holds the policy lock grows (to HINT_MAX) instead of waiting,
 *     as per-CPU LRU batches do; a full HINT_MAX waits;
 *   - the TLBs count their entries per frame (pb_tlb_track_pfns), so a
 *     reclaim's shootdown (vm_shoot_flush) skips every TLB that holds no
 *     entry for a victim's frame: most victims, cold LRU-tail pages.
 *
 * Invariants.  Under the policy lock, "pfn_key[f] == key" implies "the
 * policy holds key", and every frame is in exactly one of: the policy (its
 * page resident, named by its frame), a pending insertion (page resident
 * and mapped, frame unnamed), a reserve (no page), an eviction in progress
 * (counted in its evictor's reserve), the allocator.  A thread holds at
 * most rsv_k reserved and rsv_k pending frames, and T * 2 * rsv_k <=
 * frames / 4, so when the allocator is empty the policy holds at least
 * half the frames and a refill always finds victims.
 *
 * Page lock vs PGS_EVICT: both are bits of the page's atomic state word,
 * so the reclaimer's fetch_or and a fault's lock CAS are ordered: a fault
 * whose CAS comes first holds the lock, and the reclaimer waits for its
 * unlock (acquire) before touching the page; a fault whose CAS comes later
 * sees PGS_EVICT, lets go without reading the object, and waits until the
 * mark is cleared (acquire: the unmap and the object's reset are visible).
 * A fault reads the object only holding its lock with the mark clear, so
 * it never races with an eviction.  The waits cannot form a cycle: a
 * reclaimer holds its faulting page's lock (a page that is not resident,
 * so nobody reclaims it) and waits for victims' locks, whose holders
 * (faults that find the victim mapped, or that see the mark) wait for
 * nothing.
 *
 * The whole machine (vm_lock) first drains every thread: insertions
 * applied, reserves back to the allocator, so the exclusive fault path
 * sees the policy and the pool as without batching.  Insertions and
 * reserves are touched only under the mm read side or by that writer.
 * What changes against unbatched free order: the policy sees a thread's
 * faults late (at most rsv_k of them) and some hits not at all (on a page
 * whose insertion is pending, on a victim chosen early); victims are
 * chosen up to rsv_k faults early.  One thread and STRICT order never
 * batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>

#include "pagebench/atomic.h"
#include "pagebench/frames.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

void vm_batch_init(struct pb_vm *vm)
{
	const struct pb_policy_desc *d = vm->cfg.policy;
	uint64_t per = vm->cfg.frames / (8ULL * vm->cfg.nthreads);
	vm->rsv_k = per < RSV_MAX ? (unsigned)per : RSV_MAX;
	/* 4 at least, or a refill would not pay for its section */
	vm->batch = vm->fine && d->victim_node && d->remove && vm->rsv_k >= 4;
	/* each TLB counts its entries per frame, so a reclaim's shootdown
	 * skips the TLBs (its own included) that hold no entry for a victim's
	 * frame: most victims, cold LRU-tail pages, are in none
	 * (vm_shoot_flush).  Without the memory every TLB is probed. */
	for (unsigned i = 0; vm->batch && i < vm->cfg.nthreads; i++)
		if (pb_tlb_track_pfns(&vm->thr[i].tlb, vm->cfg.frames))
			break;
	/* the page-object table at the stream's size now: a growth moves
	 * every object, so it takes the whole machine (vm_lock), and each of
	 * the dozen doublings of a 100k-page replay stopped the other thread
	 * for milliseconds (tens of thousands of sched_yield calls).  The
	 * mapping is lazy: pages untouched cost nothing.  Failing here is no
	 * error: the table grows on demand as before */
	while (vm->fine && vm->pcap < vm->cfg.expected_keys && !vm_pages_grow(vm))
		;
}

void vm_batch_apply_ins(struct pb_vm *vm, struct vm_thread *t)
{
	for (unsigned i = 0; i < t->nins; i++) {
		uint64_t victim;
		enum pb_pol_result res = vm->cfg.policy->access(vm->pol, &t->ins[i], &victim);
		if (res != PB_POL_MISS) {
			vm_fail(vm, -EPROTO,
				"a batched insertion found its page in the policy or the policy "
				"full (engine/policy out of sync)");
			break;
		}
		/* from now on the frame names the page: its hits reach the
		 * policy (relaxed: compared under this lock) */
		pb_atomic_store(&vm->pfn_key[t->ins_pfn[i]], t->ins[i].key, PB_RELAXED);
	}
	t->nins = 0;
}

/* t's hits, then its insertions (policy lock held). */
static void batch_apply(struct pb_vm *vm, struct vm_thread *t)
{
	vm_apply_hints_locked(vm, t);
	vm_batch_apply_ins(vm, t);
}

/* t's reserve back to the allocator, its count of resident pages into
 * the engine's (a shared counter written on every fault would bounce its
 * line, which every fault reads, between the CPUs). */
static void batch_release(struct pb_vm *vm, struct vm_thread *t)
{
	(void)pb_atomic_fetch_add(&vm->resident, (uint64_t)t->res_delta, PB_RELAXED);
	t->res_delta = 0;
	if (t->nrsv) /* relaxed: as in batch_refill */
		pb_atomic_store(&vm->pool_empty, 0, PB_RELAXED);
	while (t->nrsv) {
		uint64_t pfn = t->rsv[--t->nrsv];
		if (pb_frames_free(vm->fa, PB_PFN(pfn), 0))
			vm_fail(vm, -EPROTO, "frame allocator refused a free (double free?)");
	}
}

void vm_batch_drain_all(struct pb_vm *vm)
{
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		struct vm_thread *t = &vm->thr[i];
		if (t->nins) {
			vm_plock(vm);
			vm_batch_apply_ins(vm, t);
			vm_punlock(vm);
		}
		batch_release(vm, t);
	}
}

void vm_batch_flush(struct pb_vm *vm, struct vm_thread *t, int release)
{
	vm_mm_read_lock(vm, t); /* a vm_lock holder may drain t meanwhile */
	if (t->nhints || t->nins) {
		vm_hints_prefetch(vm, t);
		vm_plock(vm);
		batch_apply(vm, t);
		vm_punlock(vm);
	}
	if (release)
		batch_release(vm, t);
	vm_mm_read_unlock(vm, t);
}

/* Fill t's reserve from the allocator, as far as it has frames. */
static void batch_take_free(struct pb_vm *vm, struct vm_thread *t)
{
	/* relaxed: a hint; a stale one only sends a refill to the policy */
	while (t->nrsv < vm->rsv_k && !pb_atomic_load(&vm->pool_empty, PB_RELAXED)) {
		pb_pfn_t f;
		if (pb_frames_alloc(vm->fa, -1, 0, &f)) {
			pb_atomic_store(&vm->pool_empty, 1, PB_RELAXED);
			break;
		}
		/* a fresh frame names no page (relaxed: read under the policy
		 * lock, after our own section) */
		pb_atomic_store(&vm->pfn_key[f.v], UINT64_MAX, PB_RELAXED);
		t->rsv[t->nrsv++] = f.v;
	}
}

/* pb_policy_reclaim's walk found keys[n] (policy lock held): its page-index
 * slot starts loading now, and the object of the victim found 4 steps
 * earlier, whose slot is cached by then; the walk, one node miss after
 * the other, hides both. */
struct reclaim_ahead {
	struct pb_vm *vm;
	const uint64_t *keys;
	unsigned n;
};

static void reclaim_seen(void *ctx, uint64_t key)
{
	struct reclaim_ahead *r = ctx;
	vm_page_prefetch(r->vm, key, 0);
	if (r->n >= 4)
		vm_page_prefetch(r->vm, r->keys[r->n - 4], 1);
	r->n++;
}

/* Refill t's empty reserve: from the allocator while the pool fills, else
 * by reclaiming rsv_k victims in one policy section (see the top). */
static int batch_refill(struct pb_vm *vm, struct vm_thread *t)
{
	batch_take_free(vm, t);
	if (t->nrsv)
		return 0;
	struct vm_page *vict[RSV_MAX];
	uint64_t keys[RSV_MAX];
	vm_hints_prefetch(vm, t);
	vm_plock(vm);
	batch_apply(vm, t);
	/* the victims' index slots and objects are cold: they load while the
	 * walk runs (reclaim_seen), then their frame names, masks and PTEs
	 * in parallel before the section's stores */
	struct reclaim_ahead ra = {vm, keys, 0};
	unsigned nv = pb_policy_reclaim(vm->pol, keys, vm->rsv_k, reclaim_seen, &ra);
	for (unsigned i = 0; i < nv; i++) {
		vict[i] = vm_page_get(vm, keys[i], 0);
		if (vict[i] && i + 4 >= nv)
			__builtin_prefetch(vict[i], 1); /* not reached by the walk */
	}
	for (unsigned i = 0; i < nv; i++) {
		struct vm_page *v = vict[i];
		if (!v || v->pfn == UINT64_MAX) {
			vm_punlock(vm);
			vm_fail(vm, -EPROTO, "policy reclaimed a page that is not resident");
			return -EPROTO;
		}
		/* what the section writes and the unmap reads: the frame's
		 * name and CPU mask, the PTE (v's mapping was written before
		 * its insertion: read under the lock) */
		__builtin_prefetch(&vm->pfn_key[v->pfn], 1);
		__builtin_prefetch(&vm->frm[v->pfn]);
		if (v->map)
			vm_pt_prefetch(vm->pt, (pb_asid_t)((v->map - 1) >> PB_PAGE_VPN_BITS),
				       (v->map - 1) & PB_PAGE_VPN_MASK);
	}
	/* out of the policy: each frame stops naming its victim in this
	 * section (hints drop), and its faults wait for the mark.  The
	 * stores first, then the locked RMWs: the first RMW drains the
	 * stores' misses together, not one RMW per miss */
	for (unsigned i = 0; i < nv; i++)
		pb_atomic_store(&vm->pfn_key[vict[i]->pfn], UINT64_MAX, PB_RELAXED);
	for (unsigned i = 0; i < nv; i++)
		(void)pb_atomic_fetch_or(&vict[i]->state, (uint16_t)PGS_EVICT, PB_RELAXED);
	vm_punlock(vm);
	if (!nv) {
		/* pool_empty may be stale (a thread's reserve went back after
		 * another's allocation failed): look again before failing */
		pb_atomic_store(&vm->pool_empty, 0, PB_RELAXED);
		batch_take_free(vm, t);
		if (t->nrsv)
			return 0;
		vm_fail(vm, -EPROTO, "no victim to reclaim (engine/policy out of sync)");
		return -EPROTO;
	}
	/* the victims' TLB kills wait for the batch's end (vm_shoot_flush):
	 * one fence, one pass per TLB.  Not where an OOM kill may free
	 * frames of other pages meanwhile (a swap limit, swap.c) */
	t->shoot_defer = !vm->bk.max_slots;
	int rc = 0;
	unsigned done = 0;
	for (; done < nv; done++) {
		struct vm_page *v = vict[done];
		/* a fault of v that locked it before the mark: wait for it */
		if (vm_page_wait(vm, v, PGS_LOCKED)) {
			rc = pb_atomic_load(&vm->failed, PB_RELAXED);
			break;
		}
		uint64_t pfn = v->pfn;
		if ((rc = vm_evict_fine(vm, t, v)))
			break;
		t->res_delta--;
		t->rsv[t->nrsv++] = pfn;
	}
	t->shoot_defer = 0;
	vm_shoot_flush(vm, t);
	if (rc)
		return rc;
	/* release: the unmaps, shootdowns and the victims' resets
	 * happen-before a fault that finds the mark cleared (seq_cst, the
	 * same locked instruction: the Dekker with a sleeping wait, hints.c) */
	for (unsigned i = 0; i < nv; i++)
		(void)pb_atomic_fetch_and(&vict[i]->state, (uint16_t)~PGS_EVICT, PB_SEQ_CST);
	vm_page_wake();
	return 0;
}

int vm_fine_map(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, pb_asid_t as,
		uint64_t vpn, unsigned write)
{
	/* nobody maps the frame now: no TLB may hold it but ours, which the
	 * fault fills next - its bit set now saves the fill's locked RMW
	 * (vm_tlb_note: this thread's own store, before the fill's fence;
	 * relaxed: the PTE's release publishes it with the mapping) */
	unsigned me = (unsigned)(t - vm->thr);
	pb_atomic_store(&vm->frm[p->pfn].cpus, 1ULL << (me < 63 ? me : 63), PB_RELAXED);
	int rc = vm_fill(vm, t, p, 0);
	if (rc >= 0) {
		if (rc)
			t->st.major_faults++;
		else
			t->st.minor_faults++;
		rc = vm_map_page(vm, as, vpn, p, 1, write, 1);
	}
	vm_page_unlock(p);
	return rc;
}

int vm_fault_batch(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
		   struct vm_page *p, uint64_t pos, uint64_t next)
{
	pb_asid_t as = a->asid;
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	unsigned write = a->op == PB_OP_WRITE;
	for (;;) {
		if (vm_page_lock(vm, p))
			return pb_atomic_load(&vm->failed, PB_RELAXED);
		/* at least the value our lock's CAS read (see the top); acquire:
		 * the mark may have been cleared since that CAS, and a clear read
		 * here must bring the eviction's writes with it (the release that
		 * cleared it; ThreadSanitizer found the relaxed load's race) */
		if (!(pb_atomic_load(&p->state, PB_ACQUIRE) & PGS_EVICT))
			break;
		vm_page_unlock(p);
		if (vm_page_wait(vm, p, PGS_EVICT))
			return pb_atomic_load(&vm->failed, PB_RELAXED);
	}
	uint64_t pte = vm_pt_get(vm->pt, as, vpn);
	if (p->pfn != UINT64_MAX) {
		/* resident, not mapped here (a shared page another address
		 * space faulted in): a minor fault, which the whole machine
		 * maps (this path only maps pages it makes resident) */
		int rc = VM_FINE_FALLBACK;
		if ((pte & VM_PTE_P) && VM_PTE_PFN(pte) == p->pfn) {
			/* another thread resolved it while we waited: not a fault */
			vm_pt_or(vm->pt, as, vpn, VM_PTE_A | (write ? VM_PTE_D : 0));
			rc = 0;
		}
		vm_page_unlock(p);
		return rc;
	}
	if (pte & VM_PTE_P) {
		vm_page_unlock(p);
		return VM_FINE_FALLBACK; /* another page (a COW original or copy) is mapped here */
	}
	int rc = 0;
	if (!t->nrsv && (rc = batch_refill(vm, t))) {
		vm_page_unlock(p);
		return rc;
	}
	uint64_t pfn = t->rsv[--t->nrsv];
	if (vm->pol_hw) /* a policy miss: the accessed-bit epoch (hit_hint) */
		(void)pb_atomic_fetch_add(&vm->epoch, 1, PB_RELAXED);
	t->st.faults++;
	p->pfn = pfn;
	t->res_delta++; /* folded into vm->resident at the thread's flush */
	if ((rc = vm_fine_map(vm, t, p, as, vpn, write)))
		return rc;
	/* The TLB fill of the retried access, here: until this thread's next
	 * policy section the page is in no policy (its insertion is queued
	 * below), so no reclaim picks it, and no vm_lock writer runs while
	 * we hold the mm read side: nobody can clear the PTE just set.  So
	 * the fill needs no fence and no second walk, and no invalidate: no
	 * PTE was present, and no TLB entry outlives its PTE.  The frame's
	 * mask has our bit (vm_fine_map), published to a later evictor with
	 * the insertion (policy lock).  The PTE is P|W|A|U (D on a write) */
	(void)pb_tlb_fill(&t->tlb, priv_key(as, vpn), pfn,
			  PB_TLBE_WRITABLE | (write ? PB_TLBE_DIRTY : 0u), a->op == PB_OP_FETCH);
	vm_cache_touch(t, pfn, a->addr, a->op == PB_OP_FETCH);
	/* its insertion waits for the thread's next policy section: the
	 * refill after rsv_k faults (a full queue and an empty reserve go
	 * together: one section for both, not two), or a section of its own
	 * when the queue is full and a refill came from the allocator */
	if (t->nins == vm->rsv_k) {
		vm_hints_prefetch(vm, t);
		vm_plock(vm);
		batch_apply(vm, t);
		vm_punlock(vm);
	}
	t->ins[t->nins] =
	    (struct pb_ref){.key = p->key, .pos = pos, .next_use = next, .write = write};
	t->ins_pfn[t->nins++] = pfn;
	t->st.policy_calls++;
	return VM_FINE_FILLED;
}
