/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/huge.c - transparent huge pages: 2 MiB pages in the engine.
 *
 * With cfg.thp = always (every private anonymous region) or madvise
 * (accesses flagged PB_ACC_THP, madvise(MADV_HUGEPAGE)), the first fault
 * in an aligned 2 MiB range takes a 2 MiB frame from the frame allocator
 * (order 9) and maps the whole range with one huge PTE (pb_pt's 2 MiB
 * leaf): one fault (thp_faults; a minor fault whose zero fill clears 512
 * pages, zero_fills += 512) instead of 512, as Linux's
 * do_huge_pmd_anonymous_page.  When no 2 MiB frame is free (fewer than 512
 * frames free, or free frames scattered over every 2 MiB area) the fault
 * falls back to a 4 KiB page (thp_fallbacks) and the range stays 4 KiB
 * from then on, as a PMD that points to a page table does (no khugepaged
 * collapse is modelled).  No reclaim or compaction runs to make a 2 MiB
 * frame (Linux's defrag=never; also for madvise regions).  A range that
 * already holds a 4 KiB page (resident, in swap, or mapped) never gets a
 * huge page.
 *
 * Residency.  The engine's frames stay 4 KiB units: a huge page occupies
 * 512 frames (the allocator counts a 2 MiB frame as 512 used), and the
 * policy holds its 512 subpages as 512 keys (inserted at the huge fault:
 * the other 511 first, unreferenced, then the faulting page), so policy
 * residency = frames in use = resident page objects, as pb_vm_check wants.
 * A hit through a 2 MiB translation is reported to the policy under the
 * key of the 4 KiB subpage it touches.  A 2 MiB frame is free only when
 * 512 frames are, so a huge fault never evicts.
 *
 * Eviction: the whole 2 MiB page.  When the policy names a subpage as its
 * victim, the huge PTE is cleared (one 2 MiB TLB shootdown), the other
 * 511 keys leave the policy, and the 2 MiB frame is freed: dropped if the
 * huge PTE is clean (it was never written: all zeros), else written to
 * swap as 512 pages in one 2 MiB write (evictions and swap_outs += 512,
 * write_ios += 1, extra_pages_written += 511: the EAT charges one
 * positioning and 511 further transfers, cost.h), as Linux's THP
 * swap-out (CONFIG_THP_SWAP, 4.13+) does
 * without splitting.  Why not split: the frame allocator cannot free a
 * 4 KiB piece of a 2 MiB frame, a split would have to move 511 pages to
 * new frames, and writing the whole page keeps the accounting one
 * operation; the cost is that the hot subpages of a page leave with the
 * cold one (a split would keep them, as 4 KiB pages).  So no split event
 * exists.  A range written to swap comes back in 4 KiB pages (swap-in is
 * per page, as Linux before mTHP swap-in) and stays 4 KiB; a range
 * dropped clean may get a huge page again.
 *
 * CPU caches: an access through a 2 MiB translation (a hit, or the
 * access after the huge fault) goes through the hierarchy at the 4 KiB
 * frame it falls in, head + vpn % 512, so every reference is one cache
 * access whatever its page size (caches.c).
 *
 * TLB: 2 MiB translations live in the TLB's 2 MiB L1 array (Skylake: 32
 * entries 4-way) and the shared L2 (pb_tlb_huge_*), under a tag with bit
 * 47 set (no 4 KiB key has it).  The 4 KiB and 2 MiB L1 arrays are looked
 * up together: an L1 hit in either counts once, then L2, then one walk.
 * A 2 MiB fill sets the filling thread's bit in the head frame's CPU mask
 * (vm_tlb_note), and the huge unmap shoots down only the threads in that
 * mask and its own, with evict.c's handshake; one engine thread needs
 * neither the mask nor the fence.
 *
 * The engine's structures (evict.c): a huge page has exactly one mapping,
 * (as, base), which its subpages' keys name, so it takes no reverse-map
 * entry; its dirty flag is the head subpage's object's.  Every policy call
 * here takes the policy lock, and a subpage leaves the policy and its
 * frame's name (pfn_key) in one section (hints.c's rule).
 *
 * Restrictions: THP needs the radix page table (the hashed one has no
 * 2 MiB leaves) and an online policy (OPT would need the future of the
 * 511 subpages a huge fault inserts); shared anonymous memory, file pages
 * and copy-on-write regions stay 4 KiB (Linux's shmem and file THP are
 * separate settings).
 *
 * With regions (vma.c): a huge page maps only where the aligned 2 MiB
 * range lies wholly inside one user, private anonymous rw region (as
 * Linux's THP wants the range inside one VMA); elsewhere the range stays
 * 4 KiB, and an access in no region is the 4 KiB path's segv, never a huge
 * fault.  The huge PTE carries the region's bits (U, NX where the region
 * is not executable), its TLB entries cache them, and an access they deny
 * (a fetch from the heap) leaves the 2 MiB path for the 4 KiB fault path,
 * which counts the segv.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/epoch.h"
#include "pagebench/frames.h"
#include "pagebench/pt.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

#define HPAGES	 512u
#define HR_HUGE	 1u /* mapped by a huge PTE */
#define HR_SMALL 2u /* holds 4 KiB pages: never huge again */

struct vm_huge {
	struct pb_hmap ranges; /* priv_key(as, base vpn) -> HR_* (absent: none yet) */
};

const char *const pb_vm_thp_names[] = {"never", "always", "madvise", NULL};

const char *pb_vm_thp_name(enum pb_vm_thp t)
{
	return (unsigned)t < 3u ? pb_vm_thp_names[t] : NULL;
}

int pb_vm_thp_parse(const char *s, enum pb_vm_thp *out)
{
	for (unsigned i = 0; i < 3u; i++)
		if (!strcmp(s, pb_vm_thp_names[i])) {
			*out = (enum pb_vm_thp)i;
			return 0;
		}
	return -EINVAL;
}

static inline uint64_t huge_tkey(pb_asid_t as, uint64_t vpn)
{
	return ((uint64_t)as << PB_PAGE_VPN_BITS) | VM_HUGE_TBIT | (vpn >> PB_HUGE_ORDER);
}

static inline unsigned tlbe_flags(uint64_t pte)
{
	return ((pte & VM_PTE_W) ? PB_TLBE_WRITABLE : 0) | ((pte & VM_PTE_D) ? PB_TLBE_DIRTY : 0) |
	       (!(pte & VM_PTE_U) ? VM_TLBE_SUPER : 0) | ((pte & VM_PTE_NX) ? VM_TLBE_NX : 0);
}

int vm_huge_init(struct pb_vm *vm, char *err, size_t errlen)
{
	if (vm->cfg.thp == PB_VM_THP_NEVER)
		return 0;
	if (!pb_vm_thp_name(vm->cfg.thp)) {
		snprintf(err, errlen, "thp: unknown mode %u", (unsigned)vm->cfg.thp);
		return -EINVAL;
	}
	if (vm->cfg.pt != PB_VM_PT_RADIX) {
		snprintf(err, errlen, "thp=%s needs 2 MiB page-table leaves: use pt radix",
			 pb_vm_thp_name(vm->cfg.thp));
		return -EINVAL;
	}
	if (vm->cfg.policy->flags & PB_POL_OFFLINE) {
		snprintf(err, errlen, "policy %s needs the future of every page: not with thp=%s",
			 vm->cfg.policy->name, pb_vm_thp_name(vm->cfg.thp));
		return -EINVAL;
	}
	vm->huge = calloc(1, sizeof(*vm->huge));
	if (!vm->huge || pb_hmap_init(&vm->huge->ranges, 1024)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vm->cfg.nthreads; i++)
		if (pb_tlb_huge_init(&vm->thr[i].tlb, &vm->cfg.tlb.l1d_2m)) {
			snprintf(err, errlen, "TLB: out of memory");
			return -ENOMEM;
		}
	return 0;
}

void vm_huge_fini(struct pb_vm *vm)
{
	if (!vm->huge)
		return;
	if (vm->thr)
		for (unsigned i = 0; i < vm->cfg.nthreads; i++)
			pb_tlb_huge_fini(&vm->thr[i].tlb);
	pb_hmap_fini(&vm->huge->ranges);
	free(vm->huge);
	vm->huge = NULL;
}

/* May this access's region get huge pages? */
static inline int thp_region(const struct pb_vm *vm, const struct pb_access *a)
{
	if (a->flags & (PB_ACC_FILE | PB_ACC_SHARED | PB_ACC_COW))
		return 0;
	return vm->cfg.thp == PB_VM_THP_ALWAYS || (a->flags & PB_ACC_THP);
}

/* A hit through a 2 MiB translation: the policy hears of the 4 KiB
 * subpage, and the access goes through the CPU caches at its physical
 * address, the 2 MiB frame + the offset in it: (head frame + vpn % 512)
 * << 12 | the offset in the 4 KiB page, as the 4 KiB path's
 * vm_cache_touch (fault.c). */
static int huge_hit(struct pb_vm *vm, struct vm_thread *t, struct pb_tlb_entry *e,
		    const struct pb_access *a, uint64_t vpn, uint64_t pos, uint64_t next)
{
	unsigned write = a->op == PB_OP_WRITE;
	if (write && !(e->flags & PB_TLBE_DIRTY)) {
		vm_pt_or(vm->pt, a->asid, vpn, VM_PTE_D);
		pb_tlb_huge_set_flags(&t->tlb, huge_tkey(a->asid, vpn), e->flags | PB_TLBE_DIRTY);
	}
	uint64_t pfn = e->pfn + (vpn & (HPAGES - 1));
	vm_hint_pfn(vm, t, pfn, pos, next, write);
	vm_cache_touch(t, pfn, a->addr, a->op == PB_OP_FETCH);
	return 0;
}

/* Fill the 2 MiB TLB from a huge PTE; NULL if the PTE changed meanwhile
 * (the shootdown handshake of evict.c). */
static struct pb_tlb_entry *huge_fill(struct pb_vm *vm, struct vm_thread *t,
				      const struct pb_access *a, uint64_t vpn, uint64_t pte)
{
	uint64_t hkey = huge_tkey(a->asid, vpn);
	struct pb_tlb_entry *e = pb_tlb_huge_fill(&t->tlb, hkey, VM_PTE_PFN(pte), tlbe_flags(pte));
	if (vm->cfg.nthreads == 1)
		return e;		     /* nobody else changes a PTE */
	vm_tlb_note(vm, t, VM_PTE_PFN(pte)); /* the head frame's mask: huge_unmap */
	pb_fence_full();
	uint64_t again = vm_pt_get(vm->pt, a->asid, vpn);
	if (!(again & VM_PTE_P) || !(again & PB_PTE_PS) || VM_PTE_PFN(again) != VM_PTE_PFN(pte)) {
		pb_tlb_huge_kill(&t->tlb, hkey);
		return NULL;
	}
	return e;
}

/* Can range (as, base) get a huge page?  Lock held. */
static int range_free(struct pb_vm *vm, pb_asid_t as, uint64_t base)
{
	if (base + HPAGES > PB_PT_VPN_LIMIT)
		return 0;
	for (unsigned i = 0; i < HPAGES; i++) {
		if (vm_pt_get(vm->pt, as, base + i))
			return 0;
		const struct vm_page *p = vm_page_get(vm, priv_key(as, base + i), 0);
		if (p && (p->pfn != UINT64_MAX || (p->flags & PG_ONDISK)))
			return 0;
	}
	return 1;
}

/* The huge fault: 0 mapped, 1 not (4 KiB fault follows), -errno.  Lock
 * held. */
static int huge_fault(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
		      uint64_t vpn, uint64_t pos, uint64_t next)
{
	pb_asid_t as = a->asid;
	uint64_t base = vpn & ~(uint64_t)(HPAGES - 1);
	unsigned write = a->op == PB_OP_WRITE;
	/* user memory, as vm_map_page's; the region may take bits away (vma.c) */
	uint64_t bits = VM_PTE_P | VM_PTE_W | VM_PTE_A | VM_PTE_U | (write ? VM_PTE_D : 0);
	if (vm->vma && !vm_vma_huge_ok(vm, a, base, &bits))
		return 1; /* not wholly in one anonymous region, or not allowed there */
	uint64_t rk = priv_key(as, base);
	uint64_t *st = pb_hmap_find(&vm->huge->ranges, rk);
	if (st && *st == HR_SMALL)
		return 1;
	if (!st && !range_free(vm, as, base)) {
		if (pb_hmap_put(&vm->huge->ranges, rk, HR_SMALL))
			return -ENOMEM;
		return 1;
	}
	pb_pfn_t pfn;
	if (pb_frames_alloc(vm->fa, -1, PB_FRAMES_ORDER_HUGE, &pfn)) {
		t->st.thp_fallbacks++; /* the PMD gets a page table: 4 KiB from now on */
		if (pb_hmap_put(&vm->huge->ranges, rk, HR_SMALL))
			return -ENOMEM;
		return 1;
	}
	/* the page objects first (creation may move the array), then the
	 * policy: the other 511 subpages, unreferenced, then the faulting one */
	for (unsigned i = 0; i < HPAGES; i++)
		if (!vm_page_get(vm, priv_key(as, base + i), 1)) {
			vm_fail(vm, -ENOMEM, "out of memory for page objects");
			return -ENOMEM;
		}
	for (unsigned j = 0; j <= HPAGES; j++) {
		unsigned i = j < HPAGES ? j : (unsigned)(vpn - base);
		if (j < HPAGES && base + j == vpn)
			continue;
		uint64_t key = priv_key(as, base + i);
		int me = j == HPAGES;
		struct pb_ref r = {.key = key,
				   .pos = pos,
				   .next_use = me ? next : PB_NEXT_NONE,
				   .write = me ? write : 0};
		vm_plock(vm);
		int rc = vm_policy_replace(vm, t, UINT64_MAX, &r, "a 2 MiB page's subpage");
		vm_punlock(vm);
		if (rc)
			return rc;
		struct vm_page *p = vm_page_get(vm, key, 0);
		p->pfn = pfn.v + i;
		p->flags |= PG_HUGE;
		pb_atomic_store(&vm->pfn_key[pfn.v + i], key, PB_RELAXED);
	}
	vm->resident += HPAGES;
	/* the engine's reverse map and dirty flag (evict.c): a huge page has
	 * one mapping, (as, base), named by its key, so no rmap entry; its
	 * dirty flag is the head subpage's.  Nobody maps the frame now: no
	 * TLB may hold it (the head frame's mask serves 2 MiB translations) */
	if (vm->cfg.nthreads > 1)
		pb_atomic_store(&vm->frm[pfn.v].cpus, 0, PB_RELAXED);
	int rc = vm_pt_set_huge(vm->pt, as, base, VM_PTE_MK(pfn.v, bits));
	if (!rc)
		rc = pb_hmap_put(&vm->huge->ranges, rk, HR_HUGE);
	if (rc) {
		vm_fail(vm, rc, "huge page: page table or range table failed");
		return rc;
	}
	if (write)
		vm_page_get(vm, rk, 0)->dirty = 1;
	t->st.faults++;
	t->st.minor_faults++;
	t->st.thp_faults++;
	t->st.zero_fills += HPAGES; /* 2 MiB cleared */
	return 0;
}

int vm_huge_access(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a, uint64_t pos,
		   uint64_t next)
{
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	uint64_t hkey = huge_tkey(a->asid, vpn);
	int fetch = a->op == PB_OP_FETCH;
	struct pb_tlb *tlb = &t->tlb;
	struct pb_tlb_entry *e = pb_tlb_huge_l1(tlb, hkey);
	if (e && pb_unlikely(e->flags & (VM_TLBE_SUPER | VM_TLBE_NX)) &&
	    vm_tlbe_denied(e->flags, a))
		return 1; /* a fetch from a non-executable region: the 4 KiB path's segv */
	if (e) {
		tlb->st.l1_hits++;
		return huge_hit(vm, t, e, a, vpn, pos, next);
	}
	if (pb_tlb_probe(fetch ? &tlb->l1i : &tlb->l1d, priv_key(a->asid, vpn)))
		return 1; /* a 4 KiB translation: the 4 KiB path counts the hit */
	e = pb_tlb_huge_l2(tlb, hkey);
	if (e && pb_unlikely(e->flags & (VM_TLBE_SUPER | VM_TLBE_NX)) &&
	    vm_tlbe_denied(e->flags, a))
		return 1;
	if (e) {
		tlb->st.l2_hits++;
		return huge_hit(vm, t, e, a, vpn, pos, next);
	}
	for (int tries = 0; tries < 4; tries++) {
		uint64_t pte = vm_pt_get(vm->pt, a->asid, vpn);
		if (pte & VM_PTE_P) {
			if (!(pte & PB_PTE_PS) || vm_pte_denied(pte, a))
				return 1; /* 4 KiB page: its path walks and counts; or a segv */
			uint64_t set = VM_PTE_A | (a->op == PB_OP_WRITE ? VM_PTE_D : 0);
			if ((pte & set) != set)
				vm_pt_or(vm->pt, a->asid, vpn, set);
			e = huge_fill(vm, t, a, vpn, pte | set);
			if (!e) {
				/* evicted meanwhile: walk again, the reference's
				 * one miss counted when a fill holds */
				t->st.walk_retries += tries < 3;
				continue;
			}
			tlb->st.misses++;
			return huge_hit(vm, t, e, a, vpn, pos, next);
		}
		if (pte || !thp_region(vm, a))
			return 1;
		vm_lock(vm);
		vm_apply_hints(vm, t);
		int rc = vm->failed;
		if (!rc && !vm_pt_get(vm->pt, a->asid, vpn))
			rc = huge_fault(vm, t, a, vpn, pos, next);
		else if (!rc)
			rc = 2; /* mapped meanwhile: walk again */
		vm_unlock(vm);
		if (rc == 2)
			continue;
		if (rc)
			return rc; /* 1: 4 KiB fault; -errno */
		tlb->st.misses++;  /* the walk that found nothing */
		pte = vm_pt_get(vm->pt, a->asid, vpn);
		if (pte & VM_PTE_P) { /* the retried access fills the TLB */
			(void)huge_fill(vm, t, a, vpn, pte);
			/* and reaches memory (the 4 KiB fault path's touch) */
			uint64_t sub = (pte & PB_PTE_PS) ? vpn & (HPAGES - 1) : 0;
			vm_cache_touch(t, VM_PTE_PFN(pte) + sub, a->addr, fetch);
		}
		return 0;
	}
	return 1;
}

/* Clear the huge PTE of (as, base) and shoot its translation down. */
static uint64_t huge_unmap(struct pb_vm *vm, struct vm_thread *self, pb_asid_t as, uint64_t base)
{
	uint64_t old = vm_pt_clear(vm->pt, as, base);
	uint64_t hkey = huge_tkey(as, base);
	if (pb_tlb_huge_kill(&self->tlb, hkey))
		self->st.local_flushes++;
	/* the threads in the head frame's mask (huge_fill notes them), as
	 * vm_unmap_one does for 4 KiB pages */
	if (vm->cfg.nthreads > 1 && (old & VM_PTE_P))
		vm_shoot_others(vm, self, VM_PTE_PFN(old), hkey, pb_tlb_huge_kill);
	return old;
}

/* Release the 512 subpages of the unit at base_pfn: out of the policy
 * (but skip), not resident, frame freed.  Swap slots are the caller's. */
static int huge_release(struct pb_vm *vm, pb_asid_t as, uint64_t base, uint64_t base_pfn,
			uint64_t skip)
{
	for (unsigned i = 0; i < HPAGES; i++) {
		uint64_t key = priv_key(as, base + i);
		struct vm_page *q = vm_page_get(vm, key, 0);
		if (!q || q->pfn != base_pfn + i || !(q->flags & PG_HUGE)) {
			vm_fail(vm, -EPROTO, "huge page: a subpage is missing");
			return -EPROTO;
		}
		/* out of the policy and unnamed in one policy-lock section
		 * (the hint rule of hints.c) */
		vm_plock(vm);
		int lost = key != skip && vm->cfg.policy->remove(vm->pol, key);
		pb_atomic_store(&vm->pfn_key[base_pfn + i], UINT64_MAX, PB_RELAXED);
		vm_punlock(vm);
		if (lost) {
			vm_fail(vm, -EPROTO, "huge page: the policy lost a subpage");
			return -EPROTO;
		}
		q->flags &= ~(PG_HUGE | PG_PREPAGED);
		q->pfn = UINT64_MAX;
		q->dirty = 0;
	}
	if (pb_frames_free(vm->fa, PB_PFN(base_pfn), PB_FRAMES_ORDER_HUGE)) {
		vm_fail(vm, -EPROTO, "frame allocator refused a 2 MiB free");
		return -EPROTO;
	}
	vm->resident -= HPAGES;
	return 0;
}

int vm_huge_evict(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p)
{
	uint64_t key = p->key;
	pb_asid_t as = (pb_asid_t)(key >> PB_PAGE_VPN_BITS);
	uint64_t vpn = key & PB_PAGE_VPN_MASK;
	uint64_t base = vpn & ~(uint64_t)(HPAGES - 1);
	uint64_t base_pfn = p->pfn - (vpn - base);
	uint64_t old = huge_unmap(vm, t, as, base);
	struct vm_page *head = vm_page_get(vm, priv_key(as, base), 0);
	int dirty = (old & VM_PTE_D) || head->dirty;
	if (dirty) {
		/* room for 512 pages before anything is undone */
		int rc = vm_swap_reserve(vm, t, p, HPAGES);
		if (rc < 0 || rc == 1)
			return rc < 0 ? rc : 0; /* 1: an OOM kill freed this very page */
		if (rc == 3) {
			/* a kill freed memory: the page stays, mapped again */
			head->dirty = 1;
			/* with the region's bits it had (U, NX: vma.c) */
			rc = vm_pt_set_huge(vm->pt, as, base,
					    VM_PTE_MK(base_pfn, VM_PTE_P | VM_PTE_D) |
						(old & (VM_PTE_W | VM_PTE_U | VM_PTE_NX)));
			if (rc)
				vm_fail(vm, rc, "page table: out of memory");
			return rc;
		}
		if (rc == 2)
			dirty = 0; /* its owner was killed */
	}
	t->st.evictions += HPAGES;
	if (!dirty) {
		t->st.dropped_clean += HPAGES;
	} else {
		t->st.writebacks += HPAGES;
		t->st.swap_outs += HPAGES;
		/* one 2 MiB write: its first page and 511 further transfers */
		t->st.write_ios++;
		t->st.extra_pages_written += HPAGES - 1;
	}
	for (unsigned i = 0; dirty && i < HPAGES; i++) {
		struct vm_page *q = vm_page_get(vm, priv_key(as, base + i), 0);
		int rc = vm_swap_take(vm, q->key, &q->slot);
		if (!rc) {
			q->version++;
			q->flags |= PG_ONDISK;
			rc = vm_backing_swap_write(&vm->bk, q->slot, q->key, q->version);
		}
		if (rc) {
			vm_fail(vm, rc, rc == -EIO ? vm->bk.err : "swap: no slot after reserving");
			return rc;
		}
	}
	int rc = huge_release(vm, as, base, base_pfn, key);
	if (rc)
		return rc;
	uint64_t rk = priv_key(as, base);
	if (dirty)
		return pb_hmap_put(&vm->huge->ranges, rk, HR_SMALL);
	(void)pb_hmap_del(&vm->huge->ranges, rk);
	return 0;
}

void vm_huge_free(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, uint64_t skip)
{
	pb_asid_t as = (pb_asid_t)(p->key >> PB_PAGE_VPN_BITS);
	uint64_t vpn = p->key & PB_PAGE_VPN_MASK;
	uint64_t base = vpn & ~(uint64_t)(HPAGES - 1);
	uint64_t base_pfn = p->pfn - (vpn - base);
	(void)huge_unmap(vm, t, as, base);
	if (!huge_release(vm, as, base, base_pfn, skip))
		(void)pb_hmap_del(&vm->huge->ranges, priv_key(as, base));
}

int vm_huge_check(struct pb_vm *vm, char *err, size_t errlen)
{
	if (!vm->huge)
		return 0;
	uint64_t sub = 0, units = 0;
	for (uint64_t i = 0; i < vm->pcount; i++)
		if (vm->pages[i].flags & PG_HUGE)
			sub++;
	uint64_t cur = 0, key, *val;
	pb_epoch_enter();
	while (pb_hmap_next(&vm->huge->ranges, &cur, &key, &val))
		if (*val == HR_HUGE) {
			uint64_t pte = vm_pt_get(vm->pt, (pb_asid_t)(key >> PB_PAGE_VPN_BITS),
						 key & PB_PAGE_VPN_MASK);
			if ((pte & (VM_PTE_P | PB_PTE_PS)) == (VM_PTE_P | PB_PTE_PS))
				units++;
		}
	int bad = 0;
	for (unsigned i = 0; i < vm->cfg.nthreads && !bad; i++) {
		struct pb_tlb *tlb = &vm->thr[i].tlb;
		struct pb_tlb_array *arr[3] = {&tlb->l1_2m, &tlb->l1d, &tlb->l2};
		for (int l = 0; l < 3 && !bad; l++)
			for (size_t j = 0; j < (size_t)arr[l]->sets * arr[l]->ways; j++) {
				uint64_t tag = pb_atomic_load(&arr[l]->e[j].tag, PB_RELAXED);
				if (!tag || !((tag - 1) & VM_HUGE_TBIT))
					continue;
				uint64_t k = tag - 1;
				pb_asid_t as = (pb_asid_t)(k >> PB_PAGE_VPN_BITS);
				uint64_t base = (k & (VM_HUGE_TBIT - 1)) << PB_HUGE_ORDER;
				uint64_t pte = vm_pt_get(vm->pt, as, base);
				if (!(pte & PB_PTE_PS) || VM_PTE_PFN(pte) != arr[l]->e[j].pfn) {
					snprintf(err, errlen,
						 "thread %u TLB holds a 2 MiB translation of asid "
						 "%u vpn %#llx -> frame %llu, PTE %#llx",
						 i, (unsigned)as, (unsigned long long)base,
						 (unsigned long long)arr[l]->e[j].pfn,
						 (unsigned long long)pte);
					bad = 1;
					break;
				}
			}
	}
	pb_epoch_exit();
	if (bad)
		return -EINVAL;
	if (sub != units * HPAGES) {
		snprintf(err, errlen, "huge pages: %llu subpages resident for %llu huge PTEs",
			 (unsigned long long)sub, (unsigned long long)units);
		return -EINVAL;
	}
	return 0;
}
