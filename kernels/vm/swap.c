/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/swap.c - swap slots that are reused, a swap area of a given
 * size, and the OOM killer when it is full.
 *
 * Slots.  A dirty anonymous page written out gets a slot: a freed one
 * first (a stack of freed slots, so the most recently freed is reused),
 * else a new one (backing.c numbers them).  A slot is freed
 *   - when the page it holds is mapped dirty again: a write fault that
 *     swaps the page in, finds it in the swap cache or copies it for COW
 *     (vm_map_page with dirty set) - the swap copy is stale from then on,
 *     as Linux frees swap on a write after swap-in (do_swap_page /
 *     do_wp_page: folio_free_swap);
 *   - when its owner is killed (OOM).
 * A page read in by a read fault keeps its slot while it is clean (the
 * swap cache: dropped, not rewritten, when evicted clean).  The engine
 * maps such a page writable, so a later write through the mapping sets
 * the PTE dirty bit without a fault; that page keeps its (now stale) slot
 * and is rewritten into it when evicted (Linux would have mapped it
 * read-only and freed the slot at the write-protect fault; the engine
 * does not add that fault, so fault counts stay those of earlier
 * versions).  So slots in use never exceed the distinct pages ever
 * swapped out, and a slot is created only when none is free: the most
 * slots ever in use at once equals the slots ever created.
 *
 * Size.  cfg.swap_pages = 0: unlimited (slots are still reused).  With a
 * size, a dirty anonymous victim (or a 2 MiB page: 512 slots) that finds
 * no room is the OOM case.  The engine's policy names one victim and the
 * engine does not look for another (Linux would first try other pages,
 * e.g. clean ones): the OOM killer runs at once.  It kills the process
 * (address space) with the most private pages resident or in swap (ties:
 * the lower asid), as Linux's oom_badness (rss + swap entries) does,
 * counted in oom_kills: every private page of it is freed (frames and
 * slots, counted in oom_pages_freed), its mappings of shared pages are
 * removed (the shared pages stay, but for a copy-on-write original that no
 * other process maps: freed and counted too), and every later access of it
 * is skipped (oom_skipped; neither a hit nor a fault, not a TLB lookup).
 * Then, for the victim:
 *   - it belonged to the killed process: it is gone;
 *   - the kill freed enough slots: it is written out;
 *   - the kill freed frames: the victim stays resident (put back in the
 *     policy, unmapped; the next touch is a minor fault), as memory freed
 *     by a kill lets the allocation that triggered reclaim succeed;
 *   - else the next largest process is killed.
 * A shared anonymous victim when no process is left to kill is discarded
 * (counted in oom_pages_freed).  A page of a process killed in the middle
 * of its own fault is freed right after that fault (vm_oom_reap).  The
 * run goes on: an OOM kill is a counted outcome, never an error.
 *
 * Mappings are found through the engine's reverse map in the page objects
 * (evict.c: vm_rmap_unmap_all, vm_rmap_unmap_as), and a page leaves the
 * policy and its frame's name in one policy-lock section (hints.c).
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

#define NASID (VM_ASID_MAX + 1u)

int vm_swap_init(struct pb_vm *vm, char *err, size_t errlen)
{
	vm->bk.max_slots = vm->cfg.swap_pages;
	if (!vm->cfg.swap_pages)
		return 0;
	vm->oom_dead = pb_map(NASID, 0);
	if (!vm->oom_dead) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void vm_swap_fini(struct pb_vm *vm)
{
	if (vm->oom_dead)
		pb_unmap(vm->oom_dead, NASID);
	vm->oom_dead = NULL;
	free(vm->oom_count);
	vm->oom_count = NULL;
	free(vm->bk.free_slots);
	vm->bk.free_slots = NULL;
}

void pb_vm_swap_usage(const struct pb_vm *vm, uint64_t *in_use, uint64_t *peak, uint64_t *size)
{
	*in_use = vm->bk.in_use;
	*peak = vm->bk.peak;
	*size = vm->bk.max_slots;
}

/* vm_swap_take under swap_lock. */
static int swap_take(struct pb_vm *vm, uint64_t key, uint64_t *slot)
{
	struct vm_backing *b = &vm->bk;
	if (b->nfree) {
		*slot = b->free_slots[--b->nfree];
		b->slot_key[*slot] = key;
	} else {
		if (b->max_slots && b->next_slot >= b->max_slots)
			return -ENOSPC;
		int rc = vm_backing_slot(b, key, slot);
		if (rc)
			return rc;
	}
	if (++b->in_use > b->peak)
		b->peak = b->in_use;
	return 0;
}

int vm_swap_take(struct pb_vm *vm, uint64_t key, uint64_t *slot)
{
	/* the slot stacks are shared by fine-grained faults (hints.c) */
	vm_leaf_lock(vm, &vm->swap_lock);
	int rc = swap_take(vm, key, slot);
	vm_leaf_unlock(vm, &vm->swap_lock);
	return rc;
}

/* Put slot s back on the free stack (swap_lock held). */
static void slot_free(struct vm_backing *b, uint64_t s)
{
	if (b->nfree == b->free_cap) {
		uint64_t cap = b->free_cap ? b->free_cap * 2 : 1024;
		uint64_t *n = realloc(b->free_slots, cap * sizeof(*n));
		if (!n) {
			b->in_use--; /* leaked: never reused, still accounted free */
			return;
		}
		b->free_slots = n;
		b->free_cap = cap;
	}
	b->slot_key[s] = UINT64_MAX; /* swap clustering skips it */
	b->free_slots[b->nfree++] = s;
	b->in_use--;
}

void vm_swap_release(struct pb_vm *vm, struct vm_page *p)
{
	uint64_t s = p->slot;
	p->slot = UINT64_MAX;
	p->flags &= ~PG_ONDISK;
	if (s == UINT64_MAX)
		return;
	vm_leaf_lock(vm, &vm->swap_lock);
	slot_free(&vm->bk, s);
	vm_leaf_unlock(vm, &vm->swap_lock);
}

static inline int owned_by(uint64_t key, pb_asid_t as)
{
	return key_kind(key) == K_ANON && (key >> PB_PAGE_VPN_BITS) == as;
}

static inline int is_dead(const struct pb_vm *vm, pb_asid_t as)
{
	return vm->oom_dead && pb_atomic_load(&vm->oom_dead[as], PB_RELAXED);
}

/* Free a resident 4 KiB page without writing it; skip: a key already out
 * of the policy.  The page leaves the policy and its frame loses its name
 * in one policy-lock section (the hint rule of hints.c). */
static void free_small(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, uint64_t skip)
{
	uint64_t pfn = p->pfn;
	(void)vm_rmap_unmap_all(vm, t, p); /* the engine's reverse map (evict.c) */
	vm_plock(vm);
	if (p->key != skip && vm->cfg.policy->remove(vm->pol, p->key))
		vm_fail(vm, -EPROTO, "OOM kill: the policy lost a resident page");
	pb_atomic_store(&vm->pfn_key[pfn], UINT64_MAX, PB_RELAXED);
	vm_punlock(vm);
	if (pb_frames_free(vm->fa, PB_PFN(pfn), 0))
		vm_fail(vm, -EPROTO, "frame allocator refused a free (double free?)");
	p->pfn = UINT64_MAX;
	p->flags &= ~PG_PREPAGED;
	vm->resident--;
}

/* Free everything process as holds; its mappings of shared pages go. */
static void free_process(struct pb_vm *vm, struct vm_thread *t, pb_asid_t as, uint64_t skip)
{
	for (uint64_t i = 0; i < vm->pcount; i++) {
		struct vm_page *p = &vm->pages[i];
		if (owned_by(p->key, as)) {
			if (p->pfn != UINT64_MAX) {
				if (p->flags & PG_HUGE) {
					vm_huge_free(vm, t, p, skip);
					t->st.oom_pages_freed += 512;
				} else {
					free_small(vm, t, p, skip);
					t->st.oom_pages_freed++;
				}
				vm_swap_release(vm, p);
			} else if (p->slot != UINT64_MAX || (p->flags & PG_ONDISK)) {
				vm_swap_release(vm, p);
				t->st.oom_pages_freed++;
			}
		} else if (p->pfn != UINT64_MAX && key_kind(p->key) != K_ANON) {
			vm_rmap_unmap_as(vm, t, p, as); /* a shared page stays */
			/* but not a copy-on-write original it was the last to
			 * map: an anonymous page no process maps is freed, as
			 * Linux frees it with its last mapping (fault.c) */
			if (key_kind(p->key) == K_COWORIG && !p->map && !p->more &&
			    !(p->flags & PG_HUGE)) {
				free_small(vm, t, p, skip);
				vm_swap_release(vm, p);
				t->st.oom_pages_freed++;
			}
		}
	}
}

/* Kill the largest live process.  1: skip (the victim) was its page;
 * 0: another's; -ENOENT: nobody left to kill; -ENOMEM. */
static int oom_kill(struct pb_vm *vm, struct vm_thread *t, uint64_t skip)
{
	if (!vm->oom_count && !(vm->oom_count = calloc(NASID, sizeof(*vm->oom_count))))
		return -ENOMEM;
	memset(vm->oom_count, 0, NASID * sizeof(*vm->oom_count));
	for (uint64_t i = 0; i < vm->pcount; i++) {
		const struct vm_page *p = &vm->pages[i];
		if (key_kind(p->key) != K_ANON)
			continue;
		if (p->pfn != UINT64_MAX || p->slot != UINT64_MAX || (p->flags & PG_ONDISK))
			vm->oom_count[p->key >> PB_PAGE_VPN_BITS]++;
	}
	pb_asid_t best = 0;
	uint32_t most = 0;
	for (uint32_t as = 0; as < NASID; as++)
		if (vm->oom_count[as] > most && !is_dead(vm, (pb_asid_t)as)) {
			most = vm->oom_count[as];
			best = (pb_asid_t)as;
		}
	if (!most)
		return -ENOENT;
	pb_atomic_store(&vm->oom_dead[best], 1, PB_RELAXED);
	pb_atomic_fetch_add(&vm->oom_ndead, 1, PB_RELAXED);
	t->st.oom_kills++;
	free_process(vm, t, best, skip);
	return owned_by(skip, best);
}

int vm_swap_reserve(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, unsigned n)
{
	struct vm_backing *b = &vm->bk;
	pb_asid_t owner = (pb_asid_t)(p->key >> PB_PAGE_VPN_BITS);
	if (key_kind(p->key) == K_ANON && is_dead(vm, owner)) {
		vm_swap_release(vm, p);
		return 2;
	}
	if (n == 1 && p->slot != UINT64_MAX)
		return 0; /* rewritten into its own slot */
	for (;;) {
		if (!b->max_slots || b->nfree + (b->max_slots - b->next_slot) >= n)
			break;
		uint64_t before = vm->resident;
		int rc = oom_kill(vm, t, p->key);
		if (rc == 1)
			return 1;
		if (rc == -ENOENT) {
			/* a shared page and nobody left to kill: discarded */
			if (p->flags & PG_HUGE) {
				vm_huge_free(vm, t, p, p->key);
				t->st.oom_pages_freed += 512;
			} else {
				free_small(vm, t, p, p->key);
				t->st.oom_pages_freed++;
			}
			vm_swap_release(vm, p);
			return 1;
		}
		if (rc < 0) {
			vm_fail(vm, rc, "OOM killer: out of memory");
			return rc;
		}
		if (b->nfree + (b->max_slots - b->next_slot) >= n)
			break;
		vm_plock(vm);
		int room =
		    vm->resident < before && vm->cfg.policy->resident(vm->pol) < vm->cfg.frames;
		if (room) {
			/* memory was freed: the victim stays, back in the policy,
			 * and its frame names it again in the same section (the
			 * fault cleared the name when the policy chose it) */
			struct pb_ref r = {.key = p->key, .next_use = PB_NEXT_NONE, .write = 1};
			int prc = vm_policy_replace(vm, t, UINT64_MAX, &r,
						    "OOM kill: the victim that stays");
			pb_atomic_store(&vm->pfn_key[p->pfn], p->key, PB_RELAXED);
			vm_punlock(vm);
			if (prc)
				return prc;
			if (!(p->flags & PG_HUGE))
				p->dirty = 1; /* unmapped dirty; huge.c marks a 2 MiB page */
			return 3;
		}
		vm_punlock(vm);
	}
	if (n == 1) {
		int rc = vm_swap_take(vm, p->key, &p->slot);
		if (rc) {
			vm_fail(vm, rc, "swap: out of memory for slots");
			return rc;
		}
	}
	return 0;
}

int vm_oom_skip(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a)
{
	if (a->asid > VM_ASID_MAX || !is_dead(vm, (pb_asid_t)a->asid))
		return 0;
	t->st.oom_skipped++;
	return 1;
}

void vm_oom_reap(struct pb_vm *vm, struct vm_thread *t, pb_asid_t as)
{
	if (is_dead(vm, as))
		free_process(vm, t, as, UINT64_MAX);
}
