/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/fault.c - the access path and the fault handler.
 *
 * How it works.  Each access of the workload stream goes, on the engine
 * CPU (thread) that replays it, through the path of a real MMU and OS:
 *
 *   1. TLB lookup (per-thread pb_tlb: L1 d/i, unified L2).  A hit needs no
 *      page-table access, except a first write through a clean entry
 *      (x86 walks to set the PTE dirty bit) and a write through a
 *      read-only entry (a copy-on-write fault).
 *   2. Page walk on a miss: the asid's page table (vm_pt.c).  A present
 *      PTE sets the accessed (and dirty) bit and fills the TLB; the fill
 *      is the second half of the shootdown handshake (evict.c): a full
 *      fence, then the PTE is read again and the entry dropped if it
 *      changed.
 *   3. Page fault on a non-present PTE, under the engine's fault lock (the
 *      simulated mmap_lock; each policy call also takes the policy lock,
 *      lru_lock, hints.c; an engine of one thread takes neither; in
 *      FREE order on several threads a fault in a region without
 *      copy-on-write takes only its page's lock and the policy lock for
 *      its policy call: fault_fine, with the protocol in hints.c): the
 *      page object (page.c, found through a direct index by key, no hash
 *      probe) says what the page is, and the fault is classified:
 *        - resident but not mapped here: minor (page cache / swap cache
 *          hit, a shared page another process faulted in, a prepaged page);
 *        - anonymous, never written out: demand-zero fill (no I/O: all-zero
 *          pages never exist on disk);
 *        - anonymous with a swap copy: swap-in (major);
 *        - file-backed (PB_ACC_FILE): file read (major);
 *        - write to a copy-on-write page (PB_ACC_COW, or a private file
 *          mapping): copy into a private page (cow_copies) while another
 *          process maps the original; the only mapper takes it over
 *          (minor); an anonymous page nobody populated since the fork is
 *          a demand-zero fill (fault_cow).
 *      A page that is not resident gets a frame from vm_make_resident,
 *      which asks the policy; when the pool is full the policy's victim is
 *      evicted (evict.c) and its frame handed straight to the new page, so
 *      the frame allocator is called only while the pool fills.  The
 *      reverse map (the page object's inline slot, an overflow list for
 *      shared pages) and the dirty flag are the engine's own; TLB
 *      shootdowns go only to the threads whose bit is in the frame's CPU
 *      mask (vm_tlb_note on every fill).  After the page is mapped the
 *      configured prepaging strategy runs (prepage.c).
 *
 * Hits are reported to the policy through per-thread hint batches
 * (hints.c); the hit path takes no lock.  With one engine thread nothing
 * else changes a PTE, so a fill needs neither the fence nor the second
 * walk of the shootdown handshake, and the fill after a fault no
 * invalidation (the fault unmapped, and so shot down, whatever was there).
 *
 * Cost (vm-fault kernel, `pagebench run vm-fault`, every reference a
 * fault that evicts, CPU time per fault on a loaded 2-vCPU guest): 268 ns
 * before this layout (hash-map page objects, pb_frames alloc/free and
 * locked rmap per fault, shootdown broadcast, a lock per fault), 129 ns
 * after; what remains is mostly the TLB model's fills and the page
 * table's walks and CAS (perf: pb_pt_lookup, array_insert, radix_cas).
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

static inline unsigned tlbe_flags(uint64_t pte)
{
	return ((pte & VM_PTE_W) ? PB_TLBE_WRITABLE : 0) | ((pte & VM_PTE_D) ? PB_TLBE_DIRTY : 0) |
	       (!(pte & VM_PTE_U) ? VM_TLBE_SUPER : 0) | ((pte & VM_PTE_NX) ? VM_TLBE_NX : 0);
}

/* tlbe_flags without regions, where every PTE has U and none NX (map_page):
 * W and D shifted into place, no tests. */
_Static_assert(PB_TLBE_WRITABLE == VM_PTE_W >> 1 && PB_TLBE_DIRTY == VM_PTE_D >> 5,
	       "W and D shift into the entry's flags");
static inline unsigned tlbe_flags_user(uint64_t pte)
{
	return (unsigned)(((pte & VM_PTE_W) >> 1) | ((pte & VM_PTE_D) >> 5));
}

/*
 * The policy named the pinned page (the fault's own, vm_make_resident_pinned)
 * as the victim for key, a page brought in ahead of use: the pinned page
 * stays and key does not come in.  The policy lock is held and released
 * here.  As the engine's policies have no way to skip a page, it is put back
 * the way the OOM path puts back a victim that stays (swap.c): key leaves
 * the policy, the pinned page is referenced again and, the policy having
 * one page less, inserted without an eviction (vm_policy_replace, hints.c).
 * Its frame never changed hands, so it keeps its name (the hint rule of
 * hints.c holds).  Returns NULL with *was_resident = -1.
 */
static __attribute__((noinline)) struct vm_page *pin_keep(struct pb_vm *vm, struct vm_thread *t,
							  uint64_t key, uint64_t pos, uint64_t pin,
							  unsigned pin_write, int *was_resident)
{
	struct pb_ref r = {.key = pin, .pos = pos, .next_use = PB_NEXT_NONE, .write = pin_write};
	/* make_resident's access, which named pin, returns through here
	 * uncounted; the put-back counts its own.  Their two misses move the
	 * accessed-bit epoch once (the put-back's) */
	t->st.policy_calls++;
	int rc = vm_policy_replace(vm, t, key, &r, "keeping the faulting page");
	vm_punlock(vm);
	if (rc)
		return NULL;
	*was_resident = -1;
	return NULL;
}

/*
 * Tell the policy that `key` is referenced and, if not resident, give it a
 * frame (evicting the policy's victim).  *was_resident says which.  Lock
 * held.  The object pointer may move (table growth): returned afresh.
 * Inline into fault()'s common path, with vm_fill's and vm_map_page's
 * bodies: one function for the whole fault, not four calls each saving
 * and restoring its registers (vm_make_resident etc. for the rest).
 * pin: a page that must not be the victim (UINT64_MAX: none; a constant
 * in the fault's own calls, so the test compiles away there): when the
 * policy names it, pin_keep.
 */
static inline __attribute__((always_inline)) struct vm_page *
make_resident(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos, uint64_t next,
	      unsigned write, int *was_resident, const int one, const uint64_t pin,
	      const unsigned pin_write)
{
	struct vm_page *p = vm_page_find_memo(vm, key, &vm->fmemo);
	if (pb_unlikely(!p) && !(p = vm_page_get(vm, key, 1))) {
		vm_fail(vm, -ENOMEM, "out of memory for page objects");
		return NULL;
	}
	struct pb_ref r = {.key = key, .pos = pos, .next_use = next, .write = write};
	uint64_t victim = 0;
	struct vm_page *v = NULL; /* the victim's object */
	vm_plock(vm);
	enum pb_pol_result res = vm->cfg.policy->access(vm->pol, &r, &victim);
	if (pin != UINT64_MAX && pb_unlikely(res == PB_POL_MISS_EVICT && victim == pin))
		return pin_keep(vm, t, key, pos, pin, pin_write, was_resident);
	if (res == PB_POL_MISS_EVICT && victim != key) {
		v = vm_page_find_memo(vm, victim, &vm->fmemo);
		/* the victim's frame stops naming it in the same policy-lock
		 * section (hints.c): a hint flushed under the policy lock alone
		 * must never reach the policy for a page it no longer holds */
		if (!one && vm->cfg.nthreads > 1 && v && v->pfn != UINT64_MAX)
			pb_atomic_store(&vm->pfn_key[v->pfn], UINT64_MAX, PB_RELAXED);
	}
	vm_punlock(vm);
	t->st.policy_calls++;
	if (p->pfn != UINT64_MAX) {
		*was_resident = 1;
		if (res != PB_POL_HIT) {
			vm_fail(vm, -EPROTO,
				"policy missed a resident page (engine/policy out of sync)");
			return NULL;
		}
		return p;
	}
	*was_resident = 0;
	if (vm->pol_hw) /* a policy miss: the accessed-bit epoch (hit_hint) */
		pb_atomic_store(&vm->epoch, vm->epoch + 1, PB_RELAXED); /* writer: lock holder */
	if (res == PB_POL_HIT) {
		vm_fail(vm, -EPROTO,
			"policy hit on a non-resident page (engine/policy out of sync)");
		return NULL;
	}
	uint64_t pfn = UINT64_MAX;
	if (res == PB_POL_MISS_EVICT) {
		if (victim == key) {
			vm_fail(vm, -EPROTO, "policy evicted the page it inserted");
			return NULL;
		}
		/* the victim's frame goes straight to this page (evict.c);
		 * eviction creates no object, so p has not moved */
		if (vm_evict_take(vm, t, v, &pfn))
			return NULL;
	}
	if (pfn == UINT64_MAX) {
		/* the pool fills, or the victim's memory went back to the
		 * allocator (a 2 MiB page, an OOM kill) */
		pb_pfn_t f;
		int rc = pb_frames_alloc(vm->fa, -1, 0, &f);
		if (rc) {
			vm_fail(vm, rc,
				"no free frame although the policy had room (engine/policy out of "
				"sync)");
			return NULL;
		}
		pfn = f.v;
		vm->resident++; /* a victim's frame stayed counted (evict.c) */
	}
	p->pfn = pfn;
	/* nobody maps the frame now: no TLB may hold it (relaxed: the PTE's
	 * release publishes it with the mapping) */
	if (!one && vm->cfg.nthreads > 1)
		pb_atomic_store(&vm->frm[pfn].cpus, 0, PB_RELAXED);
	/* the frame's new name (a victim's named it until now; published by
	 * the PTE's release) */
	pb_atomic_store(&vm->pfn_key[pfn], key, PB_RELAXED);
	return p;
}

struct vm_page *vm_make_resident(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos,
				 uint64_t next, unsigned write, int *was_resident)
{
	return make_resident(vm, t, key, pos, next, write, was_resident, 0, UINT64_MAX, 0);
}

struct vm_page *vm_make_resident_pinned(struct pb_vm *vm, struct vm_thread *t, uint64_t key,
					uint64_t pos, uint64_t pin, unsigned pin_write,
					int *was_resident)
{
	return make_resident(vm, t, key, pos, PB_NEXT_NONE, 0, was_resident, 0, pin, pin_write);
}

/* Fill a newly resident page's contents: zero, swap-in or file read.
 * Counts the event; returns 1 if it took I/O (a major fault), 0 for a zero
 * fill, or -errno.  Lock held. */
static inline __attribute__((always_inline)) int fill(struct pb_vm *vm, struct vm_thread *t,
						      struct vm_page *p, int prepaged)
{
	enum pg_kind k = key_kind(p->key);
	int rc = 0;
	if (k == K_FILE) {
		if (!prepaged) {
			t->st.file_reads++;
			t->st.read_ios++;
			if (t->vma && (t->vma->flags & PB_VMA_IMAGE))
				t->st.exec_reads++; /* program loading (regions only) */
		}
		rc = vm_backing_file_read(&vm->bk, p->key & PB_PAGE_VPN_MASK);
	} else if (p->flags & PG_ONDISK) {
		if (!prepaged) {
			t->st.swap_ins++;
			t->st.read_ios++;
		}
		rc = vm_backing_swap_read(&vm->bk, p->slot, p->key, p->version);
	} else {
		if (prepaged)
			return -EINVAL; /* nothing to read ahead */
		t->st.zero_fills++;
		return 0;
	}
	if (rc) {
		vm_fail(vm, rc, vm->bk.err);
		return rc;
	}
	return 1;
}

int vm_fill(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, int prepaged)
{
	return fill(vm, t, p, prepaged);
}

/* Map the page of object p into (as, vpn).  ptep: the PTE's word when the
 * caller knows it (the one-thread fault: vm_pt_set_word), NULL: vm_pt_set
 * finds it.  Lock held. */
static inline __attribute__((always_inline)) int map_page(struct pb_vm *vm, pb_asid_t as,
							  uint64_t vpn, struct vm_page *p,
							  int writable, int dirty, int accessed,
							  uint64_t *ptep, const int one)
{
	uint64_t bits = VM_PTE_P | (writable ? VM_PTE_W : 0) | (dirty ? VM_PTE_D : 0) |
			(accessed ? VM_PTE_A : 0) | VM_PTE_U;
	if (!one && vm->vma && !(bits = vm_vma_pte_bits(vm, as, vpn, p->key, bits)))
		return 0; /* in no region: not mapped */
	int rc = ptep ? vm_pt_set_word(ptep, VM_PTE_MK(p->pfn, bits))
		      : vm_pt_set(vm->pt, as, vpn, VM_PTE_MK(p->pfn, bits));
	if (rc) {
		vm_fail(vm, rc, "page table: out of memory");
		return rc;
	}
	if (one || vm->cfg.nthreads == 1) {
		vm->mapped_key = priv_key(as, vpn) + 1;
		vm->mapped_pte = VM_PTE_MK(p->pfn, bits);
		vm->frm[p->pfn].pte = ptep; /* the eviction's unmap (evict.c) */
	}
	rc = vm_rmap_add(vm, p, as, vpn);
	if (rc && rc != -EEXIST) {
		vm_fail(vm, rc, "reverse map: out of memory");
		return rc;
	}
	if (dirty) {
		p->dirty = 1;
		vm_swap_dirtied(vm, p); /* its swap copy is stale (swap.c) */
	}
	return 0;
}

int vm_map_page(struct pb_vm *vm, pb_asid_t as, uint64_t vpn, struct vm_page *p, int writable,
		int dirty, int accessed)
{
	return map_page(vm, as, vpn, p, writable, dirty, accessed, NULL, 0);
}

/*
 * The first reference through a PTE installed without the accessed bit: set
 * A (and D for a write) and count it prepage_used.  Only fault-around
 * installs such a PTE ("old", prepage_faultaround.c) and nothing clears A,
 * so a present PTE without A is a fault-around mapping never referenced: its
 * first reference is one used, as its unmap unreferenced is one
 * prepage_unused (evict.c).  pte: the word the caller read.  One engine
 * thread sets it with a plain OR; several count only through the CAS that
 * sets A, so two threads walking to the same PTE count it once.  Rare (a
 * fault-around PTE's first touch): out of line.
 */
static __attribute__((noinline)) void pte_first_ref(struct pb_vm *vm, struct vm_thread *t,
						    pb_asid_t as, uint64_t vpn, uint64_t pte,
						    uint64_t set)
{
	struct pb_pt *tb = vm_pt_table(vm->pt, as);
	if (!tb)
		return;
	if (vm->cfg.nthreads == 1) {
		/* pb_pt_touch, not vm_pt_or: a write must set A too (vm_pt_or
		 * sets D alone, which left a written fault-around PTE "old",
		 * so its unmap counted it unused as well) */
		(void)pb_pt_touch(tb, PB_VPN(vpn), (set & VM_PTE_D) != 0);
		t->st.prepage_used++;
		return;
	}
	uint64_t old = pte;
	int rc = -EAGAIN;
	while (rc == -EAGAIN && (old & VM_PTE_P) && !(old & VM_PTE_A)) {
		rc = pb_pt_cmpxchg(tb, PB_VPN(vpn), &old, old | set); /* -EAGAIN: old reread */
		if (!rc) {
			t->st.prepage_used++;
			return;
		}
	}
	if (old & VM_PTE_P)
		vm_pt_or(vm->pt, as, vpn, set); /* another thread's reference came first */
}

/* Set A (and D for a write) in the present PTE of (as, vpn) that the
 * caller read as pte: pte_first_ref when it was a fault-around PTE never
 * referenced. */
static inline void pte_ref(struct pb_vm *vm, struct vm_thread *t, pb_asid_t as, uint64_t vpn,
			   uint64_t pte, uint64_t set)
{
	if (pb_unlikely((pte & VM_PTE_P) && !(pte & VM_PTE_A)))
		pte_first_ref(vm, t, as, vpn, pte, set);
	else
		vm_pt_or(vm->pt, as, vpn, set);
}

/* Another thread resolved the fault while we waited for the lock: not a
 * fault, a hit on what it mapped.  Lock held. */
static __attribute__((noinline)) int fault_resolved(struct pb_vm *vm, struct vm_thread *t,
						    const struct pb_access *a, uint64_t pte,
						    uint64_t pos, uint64_t next)
{
	unsigned write = a->op == PB_OP_WRITE;
	uint64_t key = pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(pte)], PB_RELAXED);
	uint64_t victim;
	struct pb_ref r = {.key = key, .pos = pos, .next_use = next, .write = write};
	vm_plock(vm);
	(void)vm->cfg.policy->access(vm->pol, &r, &victim);
	vm_punlock(vm);
	t->st.policy_calls++;
	/* (fault-around may have mapped it: then this is its first reference) */
	pte_ref(vm, t, a->asid, a->addr >> PB_PAGE_SHIFT, pte, VM_PTE_A | (write ? VM_PTE_D : 0));
	return 0;
}

/* Does a process other than the mapping m (priv_key + 1) map page o? */
static int mapped_by_another(struct pb_vm *vm, const struct vm_page *o, uint64_t m)
{
	if (o->map && o->map != m)
		return 1;
	for (uint32_t i = o->more; i; i = vm->rmo[i - 1].next)
		if (vm->rmo[i - 1].map != m)
			return 1;
	return 0;
}

/*
 * wp_page_reuse: a write to the copy-on-write original o (resident, key sk)
 * that no other process maps.  The page becomes the writer's private page
 * pk in place: its read-only mapping here (if any) goes, o leaves the
 * policy and pk comes in, in one policy-lock section with the frame's new
 * name (the hint rule of hints.c), so the policy has room and evicts
 * nothing.  No copy, no zeroing, no I/O: a minor fault that found its page
 * resident, counted in pagecache_hits.  Returns pk's object (mapped by the
 * caller), or NULL after vm_fail.  Lock held.
 */
static struct vm_page *cow_reuse(struct pb_vm *vm, struct vm_thread *t, pb_asid_t as, uint64_t vpn,
				 uint64_t sk, uint64_t pk, uint64_t pos, uint64_t next)
{
	struct vm_page *p = vm_page_get(vm, pk, 1); /* may move every object: o after */
	if (!p) {
		vm_fail(vm, -ENOMEM, "out of memory for page objects");
		return NULL;
	}
	struct vm_page *o = vm_page_get(vm, sk, 0);
	uint64_t pfn = o->pfn;
	uint64_t pte = vm_pt_get(vm->pt, as, vpn);
	if (pte & VM_PTE_P) {
		/* the write references it; then the read-only mapping goes */
		pte_ref(vm, t, as, vpn, pte, VM_PTE_A);
		(void)vm_unmap_one(vm, t, as, vpn);
		(void)vm_rmap_remove(vm, o, as, vpn);
	}
	struct pb_ref r = {.key = pk, .pos = pos, .next_use = next, .write = 1};
	vm_plock(vm);
	int rc = vm_policy_replace(vm, t, sk, &r, "copy-on-write reuse");
	pb_atomic_store(&vm->pfn_key[pfn], pk, PB_RELAXED);
	vm_punlock(vm);
	if (rc)
		return NULL;
	/* nobody maps the frame now (the unmap shot its TLBs down) */
	if (vm->cfg.nthreads > 1)
		pb_atomic_store(&vm->frm[pfn].cpus, 0, PB_RELAXED);
	o->pfn = UINT64_MAX;
	o->dirty = 0;
	o->flags &= ~PG_PREPAGED;
	vm_swap_release(vm, o); /* a swap copy of the original (none: it is never written) */
	p->pfn = pfn;
	t->st.pagecache_hits++;
	return p;
}

/*
 * A write fault that breaks copy-on-write (counted in faults already): the
 * private page, mapped writable and dirty.  As Linux's do_wp_page and
 * do_anonymous_page:
 *   - the private page exists already (swapped out, or resident and not
 *     mapped here): swap-in or minor fault;
 *   - anonymous (PB_ACC_COW) whose original was never populated (no
 *     process read it since the fork, or it was dropped: all zeros):
 *     do_anonymous_page, a demand-zero fill of the private page, no copy;
 *   - anonymous whose resident original no other process maps:
 *     wp_page_reuse (cow_reuse), no copy;
 *   - otherwise a copy (cow_copies) of the original, which is read first
 *     if not resident: a private file mapping's page comes from the file
 *     and stays in the page cache (exec's data pages), an anonymous
 *     original stays for the processes that still map it.
 * So an anonymous original lives while a process maps it: the last mapper
 * that writes takes it over, and one that leaves otherwise (OOM kill)
 * frees it (swap.c).  Lock held.
 */
static __attribute__((noinline)) int fault_cow(struct pb_vm *vm, struct vm_thread *t,
					       const struct pb_access *a, uint64_t pte,
					       uint64_t pos, uint64_t next)
{
	pb_asid_t as = a->asid;
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	int was = 0, major = 0, r;
	struct vm_page *p;
	/* the private copy may already exist (swapped out) */
	uint64_t pk = priv_key(as, vpn);
	struct vm_page *mine = vm_page_get(vm, pk, 0);
	/* the source: the shared original, mapped or not */
	uint64_t sk = (pte & VM_PTE_P) ? pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(pte)], PB_RELAXED)
				       : shared_key(kind_of(a->flags), vpn);
	if (key_kind(sk) == K_ANON)
		sk = shared_key(K_COWORIG, vpn);
	struct vm_page *o = key_kind(sk) == K_COWORIG ? vm_page_get(vm, sk, 0) : NULL;
	if (mine && (mine->pfn != UINT64_MAX || (mine->flags & PG_ONDISK))) {
		p = vm_make_resident(vm, t, pk, pos, next, 1, &was);
		if (!p)
			return vm->failed;
		if (!was && (r = vm_fill(vm, t, p, 0)) < 0)
			return vm->failed;
		if (was)
			t->st.pagecache_hits++;
		else
			major = r;
	} else if (key_kind(sk) == K_COWORIG &&
		   (!o || (o->pfn == UINT64_MAX && !(o->flags & PG_ONDISK)))) {
		/* do_anonymous_page: nothing to copy, the private page is
		 * zero-filled (pk has no swap copy: vm_fill zeroes it) */
		p = vm_make_resident(vm, t, pk, pos, next, 1, &was);
		if (!p)
			return vm->failed;
		if (!was && vm_fill(vm, t, p, 0) < 0)
			return vm->failed;
		if (was)
			t->st.pagecache_hits++;
	} else if (key_kind(sk) == K_COWORIG && o->pfn != UINT64_MAX &&
		   !mapped_by_another(vm, o, priv_key(as, vpn) + 1)) {
		if (!(p = cow_reuse(vm, t, as, vpn, sk, pk, pos, next)))
			return vm->failed;
	} else {
		struct vm_page *src = vm_make_resident(vm, t, sk, pos, next, 0, &was);
		if (!src)
			return vm->failed;
		if (!was && (r = vm_fill(vm, t, src, 0)) < 0)
			return vm->failed;
		if (!was)
			major = r; /* the original had to be read first */
		if (src->flags & PG_PREPAGED) {
			src->flags &= ~PG_PREPAGED;
			t->st.prepage_used++;
		}
		uint64_t spfn = src->pfn;
		p = vm_make_resident(vm, t, pk, pos, next, 1, &was);
		if (!p)
			return vm->failed;
		/* the source may have been the victim: a copy needs it
		 * only for the duration of the copy, as the kernel holds
		 * a reference on the old page.  An anonymous original
		 * stays: another process maps it (else cow_reuse), or the
		 * victim was the original itself */
		(void)spfn;
		t->st.cow_copies++;
	}
	pte = vm_pt_get(vm->pt, as, vpn); /* the original may have been evicted */
	if (pte & VM_PTE_P) {
		/* drop the read-only mapping of the original (the write
		 * references it: a fault-around PTE's first use) */
		pte_ref(vm, t, as, vpn, pte, VM_PTE_A);
		uint64_t old = vm_unmap_one(vm, t, as, vpn);
		struct vm_page *src =
		    vm_page_get(vm, pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(old)], PB_RELAXED), 0);
		if (src)
			(void)vm_rmap_remove(vm, src, as, vpn);
	}
	if (p->flags & PG_PREPAGED) {
		p->flags &= ~PG_PREPAGED;
		t->st.prepage_used++;
	}
	if (major)
		t->st.major_faults++;
	else
		t->st.minor_faults++;
	return vm_map_page(vm, as, vpn, p, 1, 1, 1);
}

/* The page a read of a copy-on-write mapping maps (read-only unless COW
 * is broken already); *writable says which.  Lock held. */
static __attribute__((noinline)) uint64_t cow_read_key(struct pb_vm *vm, const struct pb_access *a,
						       uint64_t vpn, int *writable)
{
	struct vm_page *mine = vm_page_get(vm, priv_key(a->asid, vpn), 0);
	if (mine && (mine->pfn != UINT64_MAX || (mine->flags & PG_ONDISK))) {
		*writable = 1;
		return mine->key; /* COW already broken: our private copy */
	}
	*writable = 0;
	return shared_key(kind_of(a->flags), vpn);
}

/* The configured prepaging after the fault that mapped p.  Lock held. */
static __attribute__((noinline)) void fault_prepage(struct pb_vm *vm, struct vm_thread *t,
						    const struct pb_access *a, uint64_t vpn,
						    uint64_t pos, struct vm_page *p, int major,
						    uint64_t slot)
{
	struct vm_fault_ctx f = {
	    .t = t, .a = a, .vpn = vpn, .pos = pos, .p = p, .major = major, .slot = slot};
	/* the faulting page is pinned while its neighbours come in: Linux
	 * holds the faulting folio locked (and referenced) until it is mapped
	 * and the access retried, and reclaim cannot take a folio it cannot
	 * lock; a readahead page that would need its frame is not allocated,
	 * which ends the window (page_cache_ra_unbounded stops at the first
	 * allocation that fails).  Without the pin the policy's victim could
	 * be p itself, and the access that faulted would never complete */
	vm->prepage_pin = p->key;
	vm->prepage_pin_write = a->op == PB_OP_WRITE;
	vm->prepage_stop = 0;
	vm->cfg.prepage->after_fault(vm, &f);
	vm->prepage_pin = UINT64_MAX;
}

/*
 * The fault path.  Returns 0 when the access has been satisfied (the page
 * is mapped; the caller does not retry), 1 for a protection fault (regions
 * only: the access is skipped), or -errno.  Lock held.  What is rare
 * (copy-on-write, a fault another thread resolved, prepaging) is in
 * functions of its own, so that the common fault - a page that is not
 * mapped, with make_resident, fill and map_page inline - compiles to a
 * short function with few registers to save and little on the stack.
 * ptep: the PTE's word when access_one knows it (the one-thread pipeline:
 * a radix table whose PT page existed when stage 0 looked, no 2 MiB pages
 * or regions), which the common fault maps through without a walk; NULL
 * (the PT page came later, or any other case): vm_pt_set walks.  one (a
 * constant): access_one_inl's (one thread, no 2 MiB pages, no regions),
 * whose tests compile away in fault_one; fault for everything else.
 */
static inline __attribute__((always_inline)) int fault_body(struct pb_vm *vm, struct vm_thread *t,
							    const struct pb_access *a, uint64_t pos,
							    uint64_t next, uint64_t *ptep,
							    const int one)
{
	pb_asid_t as = a->asid;
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	unsigned write = a->op == PB_OP_WRITE;
	/* one thread: the walk that led here read the PTE and nobody changed
	 * it since */
	uint64_t pte =
	    (one || vm->cfg.nthreads == 1) && t->walked ? t->walk_pte : vm_pt_get(vm->pt, as, vpn);
	int cow = cow_region(a->flags), rc0;

	if (!one && vm->vma && (rc0 = vm_vma_fault_check(vm, t, a)) != 0)
		return rc0; /* 1: a protection fault, counted (segv), nothing mapped */
	if (pb_unlikely(pte & VM_PTE_P)) {
		if (!write || (pte & VM_PTE_W))
			return fault_resolved(vm, t, a, pte, pos, next);
		/* a write through a read-only mapping: copy-on-write,
		 * whatever the access says (the mapping is the truth) */
		cow = 1;
	}
	t->st.faults++;
	if (pb_unlikely(write && cow))
		return fault_cow(vm, t, a, pte, pos, next);

	/* not present: find the page the mapping shows */
	int was = 0, major = 0, r, writable = 1;
	uint64_t key =
	    pb_unlikely(cow) ? cow_read_key(vm, a, vpn, &writable) : access_key(as, vpn, a->flags);
	struct vm_page *p = make_resident(vm, t, key, pos, next, write, &was, one, UINT64_MAX, 0);
	if (!p)
		return vm->failed;
	if (was) {
		t->st.pagecache_hits++;
	} else {
		if ((r = fill(vm, t, p, 0)) < 0)
			return vm->failed;
		major = r;
	}
	if (major)
		t->st.major_faults++;
	else
		t->st.minor_faults++;
	if (p->flags & PG_PREPAGED) {
		p->flags &= ~PG_PREPAGED;
		t->st.prepage_used++;
	}
	/* the swap slot the page came from: a write's mapping frees it
	 * (map_page: the copy is stale), and swap-in clustering reads the
	 * slot's neighbours as Linux's swapin_readahead does, before the
	 * page is mapped */
	const struct pb_prepage_desc *pp = vm->cfg.prepage;
	uint64_t slot = major && (p->flags & PG_ONDISK) ? p->slot : UINT64_MAX;
	int rc = map_page(vm, as, vpn, p, writable, write && writable, 1, ptep, one);
	if (rc)
		return rc;
	if (pp && pp->after_fault)
		fault_prepage(vm, t, a, vpn, pos, p, major, slot);
	return 0;
}

static __attribute__((noinline)) int fault(struct pb_vm *vm, struct vm_thread *t,
					   const struct pb_access *a, uint64_t pos, uint64_t next,
					   uint64_t *ptep)
{
	return fault_body(vm, t, a, pos, next, ptep, 0);
}

static __attribute__((noinline)) int fault_one(struct pb_vm *vm, struct vm_thread *t,
					       const struct pb_access *a, uint64_t pos,
					       uint64_t next, uint64_t *ptep)
{
	return fault_body(vm, t, a, pos, next, ptep, 1);
}

#define FINE_FALLBACK VM_FINE_FALLBACK /* the exclusive path must handle it */

/* Drop the page lock (and the policy lock if held) and fail with rc. */
static int fine_fail(struct pb_vm *vm, struct vm_page *p, int plocked, int rc, const char *msg)
{
	if (plocked)
		vm_punlock(vm);
	vm_page_unlock(p);
	if (msg)
		vm_fail(vm, rc, msg);
	return rc;
}

/*
 * The fault of a page of a region without copy-on-write - anonymous
 * private, shared anonymous or a shared file mapping (every access of a
 * block or cache trace replayed as file pages) - with fine-grained locking
 * (vm->fine; the mm read side held; the protocol and the lock order are in
 * hints.c): 0 when the access is satisfied, -errno, or FINE_FALLBACK when
 * it needs the whole machine (another page is mapped there, the
 * page-object table must grow; batched: a page resident but not mapped
 * here).  Its page is named by access_key: a shared page's object is every
 * address space's, and its mappings sit in its reverse map (a second one
 * under rmo_lock), as on the exclusive path; only a copy-on-write region
 * needs the whole machine, since its write makes a second page.
 */
static int fault_fine(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
		      uint64_t pos, uint64_t next)
{
	pb_asid_t as = a->asid;
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	unsigned write = a->op == PB_OP_WRITE;
	uint64_t key = access_key(as, vpn, a->flags);
	struct vm_page *p;
	int rc = vm_page_get_mt(vm, key, &p);
	if (rc == -EAGAIN)
		return FINE_FALLBACK;
	if (rc) {
		vm_fail(vm, rc, "out of memory for page objects");
		return rc;
	}
	if (vm->batch) /* no policy section of its own (batch.c) */
		return vm_fault_batch(vm, t, a, p, pos, next);
	uint64_t pte;
	unsigned me = (unsigned)(t - vm->thr);
	for (;;) {
		if (vm_page_lock(vm, p))
			return pb_atomic_load(&vm->failed, PB_RELAXED);
		/* only this page's lock holder maps it and only the whole machine
		 * maps another page here, so what the PTE names stays put but
		 * for an unmap */
		pte = vm_pt_get(vm->pt, as, vpn);
		if ((pte & VM_PTE_P) &&
		    pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(pte)], PB_RELAXED) != key) {
			vm_page_unlock(p);
			return FINE_FALLBACK; /* another page (shared, COW) or ours leaving */
		}
		vm_hints_prefetch(vm, t);
		vm_plock(vm);
		if (!vm_in_transit(vm, key))
			break;
		/* its eviction is under way: wait for the unmap, then start over */
		vm_punlock(vm);
		vm_page_unlock(p);
		if (vm_transit_wait(vm, key))
			return pb_atomic_load(&vm->failed, PB_RELAXED);
	}
	/* policy lock and page lock held; p is not being evicted.  This
	 * thread's earlier hits reach the policy first, in this section */
	vm_apply_hints_locked(vm, t);
	struct pb_ref r = {.key = key, .pos = pos, .next_use = next, .write = write};
	uint64_t victim = 0, pfn;
	enum pb_pol_result res = vm->cfg.policy->access(vm->pol, &r, &victim);
	t->st.policy_calls++;
	if (p->pfn != UINT64_MAX) {
		vm_punlock(vm);
		if (res != PB_POL_HIT)
			return fine_fail(
			    vm, p, 0, -EPROTO,
			    "policy missed a resident page (engine/policy out of sync)");
		if (pte & VM_PTE_P) {
			/* another thread resolved it while we waited: not a fault */
			vm_pt_or(vm->pt, as, vpn, VM_PTE_A | (write ? VM_PTE_D : 0));
			vm_page_unlock(p);
			return 0;
		}
		t->st.faults++; /* resident, not mapped: a minor fault */
		t->st.pagecache_hits++;
		t->st.minor_faults++;
		rc = vm_map_page(vm, as, vpn, p, 1, write, 1);
		vm_page_unlock(p);
		return rc;
	}
	if (res == PB_POL_HIT)
		return fine_fail(vm, p, 1, -EPROTO,
				 "policy hit on a non-resident page (engine/policy out of sync)");
	if (res == PB_POL_MISS_EVICT) {
		if (victim == key)
			return fine_fail(vm, p, 1, -EPROTO, "policy evicted the page it inserted");
		/* the victim is in transit from the policy's choice until its
		 * frame names p (relaxed: read under the policy lock, or after
		 * the release that clears it) */
		pb_atomic_store(&vm->transit[me], victim + 1, PB_RELAXED);
	}
	vm_punlock(vm);
	if (vm->pol_hw) /* a policy miss: the accessed-bit epoch (hit_hint) */
		(void)pb_atomic_fetch_add(&vm->epoch, 1, PB_RELAXED);
	t->st.faults++;
	if (res == PB_POL_MISS_EVICT) {
		/* the victim's own fault, if still in progress, inserted it in
		 * an earlier policy section: wait for it to map, then unmap */
		struct vm_page *v = vm_page_get(vm, victim, 0);
		rc = v ? vm_page_wait(vm, v, PGS_LOCKED) : -EPROTO;
		if (rc == -1)
			rc = pb_atomic_load(&vm->failed, PB_RELAXED); /* failed meanwhile */
		else if (!rc && v->pfn == UINT64_MAX)
			rc = -EPROTO;
		if (rc == -EPROTO)
			vm_fail(vm, rc, "policy evicted a page that is not resident");
		pfn = rc ? UINT64_MAX : v->pfn;
		if (!rc)
			rc = vm_evict_fine(vm, t, v);
		/* the frame names p before the victim leaves transit: a flush
		 * that finds it out of transit finds the new name (release) */
		if (!rc)
			pb_atomic_store(&vm->pfn_key[pfn], key, PB_RELAXED);
		pb_atomic_store(&vm->transit[me], 0, PB_RELEASE);
		if (rc)
			return fine_fail(vm, p, 0, rc, NULL);
	} else {
		/* the policy grew: a free frame is there (frames are only ever
		 * handed from victim to page, never freed, by fine faults) */
		pb_pfn_t f;
		rc = pb_frames_alloc(vm->fa, -1, 0, &f);
		if (rc)
			return fine_fail(
			    vm, p, 0, rc,
			    "no free frame although the policy had room (engine/policy "
			    "out of sync)");
		pfn = f.v;
		(void)pb_atomic_fetch_add(&vm->resident, 1, PB_RELAXED);
		/* p is in the policy since our section (relaxed: the PTE's
		 * release publishes it) */
		pb_atomic_store(&vm->pfn_key[pfn], key, PB_RELAXED);
	}
	p->pfn = pfn;
	return vm_fine_map(vm, t, p, as, vpn, write); /* batch.c */
}

static inline void hit_hint(struct pb_vm *vm, struct vm_thread *t, struct pb_tlb_entry *e,
			    const struct pb_access *a, uint64_t vpn, uint64_t pos, uint64_t next,
			    unsigned write)
{
	if (vm->pol_hw) {
		/* accessed-bit semantics: a hit only sets a reference bit, which
		 * nothing clears before the policy's next miss; so an entry hints
		 * at most once per policy epoch (and once more for a write) */
		uint32_t ep = pb_atomic_load(&vm->epoch, PB_RELAXED);
		if (e->hintgen == ep && (!write || (e->flags & PB_TLBE_USER1)))
			return;
		e->hintgen = ep;
		if (write)
			e->flags |= PB_TLBE_USER1;
		else
			e->flags &= (uint8_t)~PB_TLBE_USER1;
	}
	vm_hint_pfn(vm, t, e->pfn, pos, next, write);
}

/* ptep: the PTE's word (the one-thread pipeline's, batch_prefetched, or
 * the batched free order's, access_prefetch_mt), read on a TLB miss and in
 * the fill's re-check instead of walking, and one engine CPU's fault maps
 * through it (several CPUs' faults walk: their updates are CASes); NULL:
 * walk.  one (a constant): one engine thread, no 2 MiB pages, no regions
 * (batch_run's common configuration), whose tests then compile away.
 * *faulted set when the access took the fault path. */
static inline __attribute__((always_inline)) int
access_one_inl(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a, uint64_t pos,
	       uint64_t next, uint64_t *ptep, const int one, int *faulted)
{
	struct pb_access ka; /* regions: the kernel region's accesses go to VM_KERNEL_AS */
	if (!one && pb_unlikely(vm->vma != NULL) && !(a = vm_vma_access(vm, a, &ka)))
		return vm->failed;
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	uint64_t tkey = priv_key(a->asid, vpn);
	unsigned write = a->op == PB_OP_WRITE;
	int fetch = a->op == PB_OP_FETCH;
	/* one: a word was found for the reference only in range (stage 0) */
	if ((!one || !ptep) && pb_unlikely(a->asid > VM_ASID_MAX || vpn >> 36)) {
		vm_fail(vm, -EINVAL,
			a->asid > VM_ASID_MAX ? "asid above the engine's limit (65520)"
					      : "address beyond 48 bits (vpn >= 2^36)");
		return -EINVAL;
	}
	if (pb_unlikely(pb_atomic_load(&vm->oom_ndead, PB_RELAXED)) && vm_oom_skip(vm, t, a))
		return 0; /* its process was killed (swap.c) */
	if (!one && vm->huge) {
		int hr = vm_huge_access(vm, t, a, pos, next); /* 2 MiB pages (huge.c) */
		if (hr <= 0)
			return hr;
	}
	for (int tries = 0;; tries++) {
		/* a retry walks again without a lookup: its TLB cannot hold the
		 * key (invalidated below, and only this CPU fills it), and the
		 * reference's one TLB outcome, its miss, is counted already
		 * (tlb_l1_hits + tlb_l2_hits + tlb_misses = refs - oom_skipped);
		 * the retry's walk is counted in walk_retries */
		struct pb_tlb_entry *e = tries ? NULL : pb_tlb_lookup(&t->tlb, tkey, fetch);
		if (pb_likely(e != NULL)) {
			if (write && !(e->flags & PB_TLBE_WRITABLE)) {
				t->walked = 0;
				goto do_fault; /* copy-on-write */
			}
			if (pb_unlikely(e->flags & (VM_TLBE_SUPER | VM_TLBE_NX)) &&
			    vm_tlbe_denied(e->flags, a)) {
				t->walked = 0;
				goto do_fault; /* the fault path checks the region */
			}
			if (write && !(e->flags & PB_TLBE_DIRTY)) {
				vm_pt_or(vm->pt, a->asid, vpn, VM_PTE_D);
				pb_tlb_set_flags(&t->tlb, tkey, e->flags | PB_TLBE_DIRTY);
			}
			hit_hint(vm, t, e, a, vpn, pos, next, write);
			vm_cache_touch(t, e->pfn, a->addr, fetch);
			return 0;
		}
		uint64_t pte =
		    ptep ? pb_atomic_load(ptep, PB_ACQUIRE) : vm_pt_get(vm->pt, a->asid, vpn);
		if (!(pte & VM_PTE_P) || (write && !(pte & VM_PTE_W)) || vm_pte_denied(pte, a)) {
			t->walk_pte = pte;
			t->walked = 1;
			goto do_fault;
		}
		uint64_t set = VM_PTE_A | (write ? VM_PTE_D : 0);
		if ((pte & set) != set)
			pte_ref(vm, t, a->asid, vpn, pte, set);
		unsigned fl = one ? tlbe_flags_user(pte | set) : tlbe_flags(pte | set);
		e = pb_tlb_fill(&t->tlb, tkey, VM_PTE_PFN(pte), fl, fetch);
		if (!one && vm->cfg.nthreads > 1) {
			/* one thread: nobody else changes a PTE */
			vm_tlb_note(vm, t, VM_PTE_PFN(pte));
			pb_fence_full(); /* Dekker with vm_unmap_one() */
			uint64_t again = ptep ? pb_atomic_load(ptep, PB_ACQUIRE)
					      : vm_pt_get(vm->pt, a->asid, vpn);
			if (pb_unlikely(!(again & VM_PTE_P) ||
					VM_PTE_PFN(again) != VM_PTE_PFN(pte))) {
				pb_tlb_invalidate(&t->tlb, tkey);
				if (tries < 3) {
					t->st.walk_retries++; /* the next round's walk */
					continue;
				}
				t->walked = 0;
				goto do_fault;
			}
		}
		if (e)
			hit_hint(vm, t, e, a, vpn, pos, next, write);
		else
			vm_hint_pfn(vm, t, VM_PTE_PFN(pte), pos, next, write);
		vm_cache_touch(t, VM_PTE_PFN(pte), a->addr, fetch);
		return 0;
	}
do_fault:;
	*faulted = 1;
	int rc = FINE_FALLBACK;
	if (!one && vm->fine && !cow_region(a->flags)) {
		/* a page of a region without copy-on-write (anonymous, shared
		 * anonymous, a shared file mapping): its own lock (hints.c);
		 * earlier hits reach the policy in the fault's policy section */
		vm_mm_read_lock(vm, t);
		rc = pb_atomic_load(&vm->failed, PB_RELAXED);
		if (!rc)
			rc = fault_fine(vm, t, a, pos, next);
		vm_mm_read_unlock(vm, t);
		t->walked = 0;
		if (rc == VM_FINE_FILLED) /* batch.c filled the TLB already */
			return 0;
	}
	if (rc == FINE_FALLBACK) {
		if (!one && vm->fine)
			t->st.exclusive_faults++;
		/* earlier hits reach the policy before the fault; named hints
		 * need only the policy lock, so they are applied before the
		 * fault lock; one engine CPU applied them as they came
		 * (vm_hint_at): only the batch they would have made is
		 * counted, here without a call */
		if (one || vm->cfg.nthreads == 1) {
			t->st.hint_flushes += t->nhints != 0;
			t->nhints = 0;
		} else {
			pb_vm_flush_hints(vm, (unsigned)(t - vm->thr));
		}
		if (!one) /* one thread: nobody to exclude (a no-op call) */
			vm_lock(vm);
		if (one || vm->cfg.nthreads == 1)
			vm->mapped_key = 0; /* set by this fault's vm_map_page only */
		rc = pb_atomic_load(&vm->failed, PB_RELAXED);
		if (!rc)
			rc = one ? fault_one(vm, t, a, pos, next, ptep)
				 : fault(vm, t, a, pos, next, vm->cfg.nthreads == 1 ? ptep : NULL);
		t->walked = 0; /* valid for this fault only */
		if (pb_unlikely(pb_atomic_load(&vm->oom_ndead, PB_RELAXED)))
			vm_oom_reap(vm, t, a->asid); /* killed during its own fault */
		if (!one)
			vm_unlock(vm);
	}
	/* the fault handler installed the PTE; the TLB fills on the next
	 * touch (the retried instruction) - charge that walk now */
	if (!rc) {
		/* one thread: the fault's own mapping, unless something since
		 * unmapped it (an OOM kill or reap, which unmap through
		 * vm_unmap_one, which forgets it; never prepaging, which may
		 * not evict the faulting page: fault_prepage) */
		uint64_t pte = (one || vm->cfg.nthreads == 1) && vm->mapped_key == tkey + 1
				   ? vm->mapped_pte
				   : vm_pt_get(vm->pt, a->asid, vpn);
		if (pte & VM_PTE_P) {
			unsigned fl = one ? tlbe_flags_user(pte) : tlbe_flags(pte);
			/* only "another thread resolved it" leaves an entry
			 * here: the fault path unmapped (and so shot down) or
			 * found no PTE, and no TLB outlives a PTE */
			if (!one && vm->cfg.nthreads > 1)
				pb_tlb_invalidate(&t->tlb, tkey);
			/* hintgen stays 0: the fault inserted the page, the next
			 * hit must still reach the policy (SIEVE inserts unvisited) */
			(void)pb_tlb_fill(&t->tlb, tkey, VM_PTE_PFN(pte), fl, fetch);
			if (!one && vm->cfg.nthreads > 1) {
				vm_tlb_note(vm, t, VM_PTE_PFN(pte));
				pb_fence_full(); /* Dekker with vm_unmap_one() */
				uint64_t again = ptep ? pb_atomic_load(ptep, PB_ACQUIRE)
						      : vm_pt_get(vm->pt, a->asid, vpn);
				if (!(again & VM_PTE_P) || VM_PTE_PFN(again) != VM_PTE_PFN(pte))
					pb_tlb_invalidate(&t->tlb, tkey);
			}
			vm_cache_touch(t, VM_PTE_PFN(pte), a->addr, fetch);
		}
	}
	return rc > 0 ? 0 : rc; /* a protection fault: the access is skipped */
}

/* access_one_inl out of line (the batches of several CPUs, and the
 * one-thread batch with 2 MiB pages or regions). */
static __attribute__((noinline)) int access_one(struct pb_vm *vm, struct vm_thread *t,
						const struct pb_access *a, uint64_t pos,
						uint64_t next, uint64_t *ptep, int *faulted)
{
	return access_one_inl(vm, t, a, pos, next, ptep, 0, faulted);
}

/*
 * Software pipelining of the batch's cache misses (one engine CPU): the
 * structures a reference reads - its PTE, the policy's key map and node,
 * and on a fault its page object - are each one cache miss once the
 * workload's pages outgrow the CPU caches, and each waits for the one
 * before it.  So PREFETCH_D references ahead the PTE's line, the page
 * index slot and the policy's map slot start loading (stage 0), and
 * PREFETCH_D / 2 ahead, those being cached by then, the policy's node
 * and, when the PTE is not present (the reference will fault), the page
 * object (stage 1).  Only from PREFETCH_MIN_PAGES page objects on: below,
 * everything stays cached and the prefetches would only cost instructions
 * (vm-fault's 4096 pages).  The policy's part (its key map and nodes)
 * only from PREFETCH_MIN_FRAMES frames on: a smaller policy stays cached
 * (zipf replay, 1000 frames: 4% less CPU without it; 8000 frames: 20-30%
 * more without it; clock at 2000 frames 8% more with it, at 4000 even).
 * The victims' chain (below) from PREFETCH_MIN_VICTIMS on: LRU and FIFO
 * at 3000 and 4000 frames spend 8-15% less CPU with it, at 2000 frames
 * 1-5% more.  Loads into the cache only: no count changes.
 * Several engine CPUs do not prefetch: the index and the policy belong to
 * the fault and policy locks' holders.  What stage 0 finds (struct pf_ref
 * below) serves stage 1 and the access: each reference's key, hash and
 * walk are computed once.
 */
#define PREFETCH_D	     4u
#define PREFETCH_MIN_PAGES   16384u
#define PREFETCH_MIN_FRAMES  4096u
#define PREFETCH_MIN_VICTIMS 2560u
/* What stage 0 found of a reference, for stage 1 and the access itself: a
 * ring of PF_RING slots (PREFETCH_D + 1 in use), so each reference's key,
 * hash and walks are computed once. */
#define PF_RING 8u
_Static_assert(PF_RING > PREFETCH_D && !(PF_RING & (PF_RING - 1)), "the ring holds the pipeline");
struct pf_ref {
	uint64_t *pte;	/* the PTE's word (vm_pt_prefetch_leaf; the fault maps
			 * through it), NULL: walk */
	uint32_t *pidx; /* the page-object index slot, NULL: no object */
	uint64_t pol;	/* the policy's stage 1 (pb_policy_prefetch_map) */
	int ok;		/* asid and address in range (without leaf: with it,
			 * out of range leaves pte NULL) */
};

/* Stage 0.  leaf: the PTE's address may be kept (no 2 MiB page can free
 * its PT page, and the access walks the same address space: no regions).
 * pt and po: vm->pt and vm->pol, fixed at creation, in registers across
 * the batch (the access between two stages is a call that could, as far
 * as the compiler knows, change them).  Inline with constant pol and leaf
 * (batch_run): no per-reference branch on the configuration. */
static inline __attribute__((always_inline)) void
access_prefetch0(struct pb_vm *vm, struct vm_pt *pt, struct pb_policy *po,
		 const struct pb_access *a, struct pf_ref *r, struct vm_pidx_memo *m, int pol,
		 int leaf)
{
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	if (pb_unlikely(a->asid > VM_ASID_MAX || vpn >> 36)) {
		*r = (struct pf_ref){.ok = 0}; /* no word, no slot: stage 1 stops */
		return;
	}
	if (!leaf)
		r->ok = 1;
	uint64_t key = access_key(a->asid, vpn, a->flags);
	if (pol)
		r->pol = pb_policy_prefetch_map(po, key);
	if (leaf)
		r->pte = vm_pt_prefetch_leaf(pt, a->asid, vpn);
	else
		vm_pt_prefetch(pt, a->asid, vpn);
	r->pidx = vm_pidx_find_memo(vm, key, m);
	if (r->pidx)
		__builtin_prefetch(r->pidx);
}

/* Stage 1: what stage 0's lines name. */
static inline __attribute__((always_inline)) void
access_prefetch1(struct pb_vm *vm, struct vm_pt *pt, struct pb_policy *po,
		 const struct pb_access *a, const struct pf_ref *r, int pol, int leaf)
{
	if (!leaf && pb_unlikely(!r->ok))
		return;
	if (pol)
		pb_policy_prefetch_node(po, r->pol);
	/* leaf: no word - out of range, or no PT page yet (the address
	 * space's first touch of these 2 MiB: rare, skipped) */
	if (leaf && !r->pte)
		return;
	uint64_t pte = leaf ? pb_atomic_load(r->pte, PB_RELAXED)
			    : vm_pt_get(pt, a->asid, a->addr >> PB_PAGE_SHIFT);
	if (pte & VM_PTE_P) {
		/* the hit's hint names it; a smaller pool's names stay cached */
		if (pol)
			__builtin_prefetch(&vm->pfn_key[VM_PTE_PFN(pte)]);
	} else if (r->pidx) {
		vm_page_prefetch_obj(vm, r->pidx);
	}
}

/* Batched free order (several CPUs): only what is read lock-free - the
 * PTE's line and the page index slot PREFETCH_D references ahead; PREFETCH_D
 * / 2 ahead the page object when the PTE is not present, else the frame's
 * CPU mask and name (the TLB fill's vm_tlb_note, the hit's hint).  w: the
 * reference's slot for its PTE's address, kept since no page table page
 * is freed during a batched one (vm->batch implies fine-grained faults: no
 * 2 MiB pages, no regions): stage 0 finds it by one walk, stage 1 and the access read the PTE
 * through it (an address space's first touch of its 2 MiB leaves it NULL:
 * they walk) instead of walking two and three times more. */
static inline void access_prefetch_mt(struct pb_vm *vm, const struct pb_access *a, int stage,
				      uint64_t **w)
{
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	if (pb_unlikely(a->asid > VM_ASID_MAX || vpn >> 36)) {
		*w = NULL;
		return;
	}
	uint64_t key = access_key(a->asid, vpn, a->flags);
	if (!stage) {
		*w = vm_pt_prefetch_leaf(vm->pt, a->asid, vpn);
		vm_page_prefetch(vm, key, 0);
		return;
	}
	uint64_t pte = *w ? pb_atomic_load(*w, PB_RELAXED) : vm_pt_get(vm->pt, a->asid, vpn);
	if (!(pte & VM_PTE_P)) {
		vm_page_prefetch(vm, key, 1);
	} else if (VM_PTE_PFN(pte) < vm->cfg.frames) {
		__builtin_prefetch(&vm->frm[VM_PTE_PFN(pte)]);
		__builtin_prefetch(&vm->pfn_key[VM_PTE_PFN(pte)]);
	}
}

/*
 * The same for the policy's victims (policies that know their eviction
 * order: LRU, FIFO), whose eviction is otherwise a chain of dependent
 * misses (policy node, key-map slot, index slot, object, vm_frame, PTE).
 * Each time the next victim changes (an eviction), every victim a few
 * evictions ahead moves one step: the 5th's node, the 4th's key-map and
 * index slots, the 3rd's object, the 2nd's vm_frame (the address of its
 * PTE), the 1st's PTE; each step reads only what the step before loaded
 * one eviction earlier.  (The PTE was the 2nd's, by a walk of its page
 * table from its object: pb_pt_prefetch, a call; the word its fault
 * mapped is one load from the vm_frame.)  q->k[d]: the key of the d-th victim when
 * last seen; when the order just moved by one (the new first is the old
 * second), the 1st to 3rd are the old 2nd to 4th, and only the 4th is
 * looked up (each lookup walks the order from its end: the full set cost
 * 13 steps an eviction, this 7), in one policy call
 * (pb_policy_victims_step); q->slot[d]: k[d]'s index slot, found for the
 * 4th and moving with the keys, so the later steps take no index lookup.
 */
struct victims {
	uint64_t k[4];
	uint32_t *slot[4]; /* k[d]'s page-index slot, NULL: none */
};

static inline __attribute__((always_inline)) void
victims_prefetch(struct pb_vm *vm, struct victims *q, struct vm_pidx_memo *m)
{
	int moved = pb_policy_victims_step(vm->pol, q->k); /* nodes, key-map slot */
	if (!moved)
		return;
	if (moved == 1) { /* the slots move with their keys */
		q->slot[0] = q->slot[1];
		q->slot[1] = q->slot[2];
		q->slot[2] = q->slot[3];
	}
	for (unsigned d = moved == 1 ? 3 : 0; d <= 3; d++)
		q->slot[d] = q->k[d] != UINT64_MAX ? vm_pidx_find_memo(vm, q->k[d], m) : NULL;
	if (q->slot[3])
		__builtin_prefetch(q->slot[3]);
	if (q->slot[2])
		vm_page_prefetch_obj(vm, q->slot[2]);
	if (q->slot[1])
		vm_page_prefetch_frame(vm, q->slot[1]);
	if (q->slot[0])
		vm_page_prefetch_word(vm, q->slot[0]);
}

/* The end of a chunk of one engine CPU's batch: pb_vm_flush_hints (the
 * hints were applied as they came, vm_hint_at: only the batch they would
 * have made is counted), and the epoch section left and entered again, as
 * between two pb_vm_access_batch calls. */
static void chunk_end(struct pb_vm *vm, struct vm_thread *t)
{
	pb_vm_flush_hints(vm, (unsigned)(t - vm->thr));
	pb_epoch_exit();
	pb_epoch_enter();
}

/* A chunk starts at reference i of n (chunked batch_run): the one before
 * ends (i > 0), and the new one's references are counted; returns its end. */
static inline size_t chunk_next(struct pb_vm *vm, struct vm_thread *t, size_t i, size_t n,
				size_t chunk)
{
	if (i)
		chunk_end(vm, t);
	size_t end = n - i > chunk ? i + chunk : n;
	t->st.refs += end - i;
	return end;
}

/* batch_run's failed access: its chunk ends (chunked) as after the last. */
static int batch_failed(struct pb_vm *vm, struct vm_thread *t, size_t chunk, int rc)
{
	if (chunk)
		chunk_end(vm, t);
	return rc;
}

/* The one-thread batch with the prefetches above.  The next victim changes
 * with an eviction, so only after a fault (a hint that moves LRU's tail
 * page is rare, and a missed step costs a cache miss, not a count).
 * Inline into batch_prefetched once per configuration (pol, vic, leaf
 * constants): what each reference's stages do is decided once a batch.
 * chunk: the batch is chunk_end'ed every chunk references (and after its
 * last, or a failed, reference), as a run of pb_vm_access_batch calls each
 * followed by pb_vm_flush_hints; 0: one plain batch.  The pipeline (its
 * ring, the victims' chain) runs across the chunks: a restart per chunk
 * left the first references of every chunk without their prefetches. */
static inline __attribute__((always_inline)) int
batch_run(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a, size_t n, uint64_t pos,
	  const uint64_t *next_use, size_t chunk, const int pol, const int vic, const int leaf)
{
	struct victims q = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}, {NULL}};
	struct pf_ref ring[PF_RING];
	struct vm_pidx_memo memo = {0, NULL};
	struct vm_pt *pt = vm->pt;
	struct pb_policy *po = vm->pol;
	int faulted = 0; /* the access before took the fault path */
	/* the batch's first references: stage 0 (and 1) now, so that every
	 * reference has its ring slot */
	for (size_t i = 0; i < n && i < PREFETCH_D; i++)
		access_prefetch0(vm, pt, po, &a[i], &ring[i], &memo, pol, leaf);
	for (size_t i = 0; i < n && i < PREFETCH_D / 2; i++)
		access_prefetch1(vm, pt, po, &a[i], &ring[i], pol, leaf);
	size_t end = chunk ? 0 : n; /* the chunk's end (chunked: counts its refs) */
	/* the references with both stages still ahead: no bounds test per
	 * stage; the last PREFETCH_D after them (once a batch) take what is
	 * left of stage 1 and the access out of line */
	size_t i = 0, body = n > PREFETCH_D ? n - PREFETCH_D : 0;
	for (; i < body; i++) {
		if (pb_unlikely(i == end))
			end = chunk_next(vm, t, i, n, chunk);
		if (vic && faulted) {
			faulted = 0;
			victims_prefetch(vm, &q, &memo);
		}
		access_prefetch0(vm, pt, po, &a[i + PREFETCH_D], &ring[(i + PREFETCH_D) % PF_RING],
				 &memo, pol, leaf);
		access_prefetch1(vm, pt, po, &a[i + PREFETCH_D / 2],
				 &ring[(i + PREFETCH_D / 2) % PF_RING], pol, leaf);
		/* the common configuration's access inline: no call, no
		 * registers saved and restored per reference (the fault's
		 * path stays a call: fault) */
		uint64_t next = next_use ? next_use[i] : PB_NEXT_NONE;
		int rc = leaf ? access_one_inl(vm, t, &a[i], pos + i, next, ring[i % PF_RING].pte,
					       1, &faulted)
			      : access_one(vm, t, &a[i], pos + i, next, NULL, &faulted);
		if (pb_unlikely(rc))
			return batch_failed(vm, t, chunk, rc);
	}
	for (; i < n; i++) {
		if (pb_unlikely(i == end))
			end = chunk_next(vm, t, i, n, chunk);
		if (i + PREFETCH_D / 2 < n)
			access_prefetch1(vm, pt, po, &a[i + PREFETCH_D / 2],
					 &ring[(i + PREFETCH_D / 2) % PF_RING], pol, leaf);
		uint64_t next = next_use ? next_use[i] : PB_NEXT_NONE;
		int rc = access_one(vm, t, &a[i], pos + i, next,
				    leaf ? ring[i % PF_RING].pte : NULL, &faulted);
		if (pb_unlikely(rc))
			return batch_failed(vm, t, chunk, rc);
	}
	if (chunk && n)
		chunk_end(vm, t);
	return 0;
}

_Static_assert(PREFETCH_MIN_FRAMES >= PREFETCH_MIN_VICTIMS,
	       "the policy's part implies the victims'");

/* batch_run for this engine's configuration: the common one (no 2 MiB
 * pages, no regions) by frame count, the rest in one generic copy. */
static int batch_prefetched(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
			    size_t n, uint64_t pos, const uint64_t *next_use, size_t chunk)
{
	uint64_t frames = vm->cfg.frames;
	if (pb_likely(!vm->huge && !vm->vma)) {
		if (frames >= PREFETCH_MIN_FRAMES)
			return batch_run(vm, t, a, n, pos, next_use, chunk, 1, 1, 1);
		if (frames >= PREFETCH_MIN_VICTIMS)
			return batch_run(vm, t, a, n, pos, next_use, chunk, 0, 1, 1);
		return batch_run(vm, t, a, n, pos, next_use, chunk, 0, 0, 1);
	}
	return batch_run(vm, t, a, n, pos, next_use, chunk, frames >= PREFETCH_MIN_FRAMES,
			 frames >= PREFETCH_MIN_VICTIMS, 0);
}

/* The one-thread prefetch pipeline runs (batch_prefetched): one engine CPU
 * (so no batched free order either), and enough page objects that they
 * outgrow the CPU caches. */
static inline int pipelined(const struct pb_vm *vm)
{
	return vm->cfg.nthreads == 1 && vm->pcount >= PREFETCH_MIN_PAGES;
}

int pb_vm_access_batch(struct pb_vm *vm, unsigned tid, const struct pb_access *a, size_t n,
		       uint64_t pos, const uint64_t *next_use)
{
	struct vm_thread *t = &vm->thr[tid];
	t->st.refs += n;
	int rc = 0;
	pb_epoch_enter(); /* page-table walks read pages that epochs protect */
	if (pipelined(vm)) {
		rc = batch_prefetched(vm, t, a, n, pos, next_use, 0);
	} else {
		int pfm = vm->batch, faulted; /* several CPUs: access_prefetch_mt */
		/* the PTEs' addresses (access_prefetch_mt), PREFETCH_D + 1 in use */
		uint64_t *lw[PF_RING];
		for (size_t i = 0; pfm && i < n && i < PREFETCH_D; i++)
			access_prefetch_mt(vm, &a[i], 0, &lw[i]);
		for (size_t i = 0; pfm && i < n && i < PREFETCH_D / 2; i++)
			access_prefetch_mt(vm, &a[i], 1, &lw[i]);
		for (size_t i = 0; i < n; i++) {
			size_t j0 = i + PREFETCH_D, j1 = i + PREFETCH_D / 2;
			if (pfm && pb_likely(j0 < n))
				access_prefetch_mt(vm, &a[j0], 0, &lw[j0 % PF_RING]);
			if (pfm && pb_likely(j1 < n))
				access_prefetch_mt(vm, &a[j1], 1, &lw[j1 % PF_RING]);
			uint64_t next = next_use ? next_use[i] : PB_NEXT_NONE;
			rc = access_one(vm, t, &a[i], pos + i, next, pfm ? lw[i % PF_RING] : NULL,
					&faulted);
			if (pb_unlikely(rc))
				break;
		}
	}
	pb_epoch_exit();
	return rc;
}

int pb_vm_access_chunks(struct pb_vm *vm, unsigned tid, const struct pb_access *a, size_t n,
			uint64_t pos, const uint64_t *next_use, size_t chunk)
{
	struct vm_thread *t = &vm->thr[tid];
	size_t lo = 0;
	if (!chunk)
		chunk = n;
	/* chunk by chunk while the pipeline would not run (several CPUs, or
	 * too few pages yet: pb_vm_access_batch's choice), then one pipeline
	 * over the rest */
	while (lo < n && !pipelined(vm)) {
		size_t len = n - lo < chunk ? n - lo : chunk;
		int rc = pb_vm_access_batch(vm, tid, a + lo, len, pos + lo,
					    next_use ? next_use + lo : NULL);
		pb_vm_flush_hints(vm, tid);
		if (rc)
			return rc;
		lo += len;
	}
	if (lo == n)
		return 0;
	pb_epoch_enter(); /* page-table walks read pages that epochs protect */
	int rc = batch_prefetched(vm, t, a + lo, n - lo, pos + lo, next_use ? next_use + lo : NULL,
				  chunk);
	pb_epoch_exit();
	return rc;
}
