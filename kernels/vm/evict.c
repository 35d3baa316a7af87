/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/evict.c - eviction: unmap everywhere, shoot down, write out.
 *
 * A page that is not resident must get a frame: the eviction policy
 * (pb_policies[]) is told of the miss and names a victim when the pool is
 * full (fault.c, vm_make_resident).  The victim is unmapped from every
 * address space through the frame's reverse map, every TLB that may hold
 * it is shot down (counted per thread: shootdowns for other CPUs' TLBs,
 * local_flushes for the evictor's own), and it is
 * written to swap (dirty anonymous: a swap slot is allocated on first
 * write-out and kept), written back to its file (dirty shared file page)
 * or dropped (clean).  A prepaged page evicted before any reference, and a
 * fault-around mapping never used, count as prepage_unused (pollution).
 *
 * The reverse map is the engine's own, not pb_frames' locked metadata: a
 * resident page's object holds the one mapping of an unshared page inline
 * (its line is read by the eviction anyway), further mappings of a shared
 * page sit in a list of nodes from an overflow pool (a free list; it grows
 * by doubling).  The dirty flag lives there too.  The victim's frame is not returned to the
 * allocator: vm_make_resident takes it over for the page that needed it
 * (the allocator is asked only while the pool fills), so a fault costs no
 * allocator call and no metadata reset.  Two evictions hand no frame over:
 * a 2 MiB victim (huge.c frees its frame whole; a huge page has one
 * mapping, named by its key, no rmap entry, and its dirty flag is the head
 * subpage's) and one during which the OOM killer freed the victim or other
 * memory (swap.c); the faulting page then takes a frame from the
 * allocator.  The OOM killer unmaps through the same reverse map.
 *
 * TLB shootdown is a Dekker handshake: the evictor clears the PTE, issues a
 * full fence, reads the frame's CPU mask and clears matching entries in
 * the TLB of every thread in the mask (and always its own); a thread
 * filling its TLB from a walk sets its bit in the mask (vm_tlb_note),
 * issues a full fence and re-reads the PTE, dropping the entry if it
 * changed (fault.c).  So no translation outlives its PTE (a hit that races
 * with an eviction in the window is the simulated equivalent of an access
 * before the IPI lands), and a thread that never mapped the frame is not
 * interrupted - with one thread nobody is.  Skipping a TLB that holds no
 * entry changes no count: a shootdown is counted only where an entry was
 * dropped.  The mask is reset when the frame is given to another page,
 * before that page is mapped anywhere.
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

/* ---- reverse map ---- */
static int rmap_add_slow(struct pb_vm *vm, struct vm_page *f, uint64_t m);

/* vm_rmap_add (vm_internal.h) when the inline slot is taken or a list
 * exists. */
int vm_rmap_add_more(struct pb_vm *vm, struct vm_page *f, uint64_t m)
{
	if (f->map == m)
		return -EEXIST;
	vm_leaf_lock(vm, &vm->rmo_lock); /* the pool is shared (fine-grained faults) */
	int rc = rmap_add_slow(vm, f, m);
	vm_leaf_unlock(vm, &vm->rmo_lock);
	return rc;
}

/* vm_rmap_add's overflow part (rmo_lock held). */
static int rmap_add_slow(struct pb_vm *vm, struct vm_page *f, uint64_t m)
{
	for (uint32_t i = f->more; i; i = vm->rmo[i - 1].next)
		if (vm->rmo[i - 1].map == m)
			return -EEXIST;
	if (!f->map) {
		f->map = m;
		return 0;
	}
	uint32_t n = vm->rmo_free;
	if (n) {
		vm->rmo_free = vm->rmo[n - 1].next;
	} else {
		if (vm->rmo_n == vm->rmo_cap) {
			uint32_t cap = vm->rmo_cap ? vm->rmo_cap * 2 : 64;
			if (cap <= vm->rmo_cap)
				return -ENOMEM;
			void *nn = realloc(vm->rmo, (size_t)cap * sizeof(*vm->rmo));
			if (!nn)
				return -ENOMEM;
			vm->rmo = nn;
			vm->rmo_cap = cap;
		}
		n = ++vm->rmo_n;
	}
	vm->rmo[n - 1] = (struct vm_rmap_node){.map = m, .next = f->more};
	f->more = n;
	return 0;
}

int vm_rmap_remove(struct pb_vm *vm, struct vm_page *f, pb_asid_t as, uint64_t vpn)
{
	uint64_t m = priv_key(as, vpn) + 1;
	if (f->map == m) {
		f->map = 0;
		return 0;
	}
	int rc = -ENOENT;
	vm_leaf_lock(vm, &vm->rmo_lock);
	for (uint32_t *link = &f->more; *link; link = &vm->rmo[*link - 1].next) {
		uint32_t i = *link;
		if (vm->rmo[i - 1].map == m) {
			*link = vm->rmo[i - 1].next;
			vm->rmo[i - 1].next = vm->rmo_free;
			vm->rmo_free = i;
			rc = 0;
			break;
		}
	}
	vm_leaf_unlock(vm, &vm->rmo_lock);
	return rc;
}

void vm_shoot_others(struct pb_vm *vm, struct vm_thread *self, uint64_t pfn, uint64_t tkey,
		     int (*kill)(struct pb_tlb *, uint64_t))
{
	unsigned nt = vm->cfg.nthreads;
	pb_fence_full(); /* Dekker with the TLB fill (access_one, huge_fill) */
	/* relaxed: the fence orders the PTE clear before this load, as
	 * the filler's fence orders its bit before its PTE re-read */
	uint64_t cpus = pb_atomic_load(&vm->frm[pfn].cpus, PB_RELAXED);
	unsigned me = (unsigned)(self - vm->thr);
	while (cpus) {
		unsigned b = (unsigned)__builtin_ctzll(cpus);
		cpus &= cpus - 1;
		/* bit 63 stands for every thread from 63 on */
		unsigned hi = b == 63 ? nt : b + 1;
		for (unsigned i = b; i < hi && i < nt; i++)
			if (i != me && kill(&vm->thr[i].tlb, tkey))
				self->st.shootdowns++;
	}
}

void vm_shoot_flush(struct pb_vm *vm, struct vm_thread *self)
{
	unsigned n = self->nshoot, nt = vm->cfg.nthreads;
	unsigned me = (unsigned)(self - vm->thr);
	uint64_t cpus[SHOOT_MAX], keys[SHOOT_MAX], any = 0;
	if (!n)
		return;
	self->nshoot = 0;
	/* only the keys whose frame a TLB counts entries for (batch.c
	 * tracks them): the own TLB's counts are its own */
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		if (self->shoot_pfn[i] == UINT64_MAX ||
		    pb_tlb_may_hold(&self->tlb, self->shoot_pfn[i]))
			keys[k++] = self->shoot_key[i];
	if (k)
		self->st.local_flushes += pb_tlb_shootdown_n(&self->tlb, keys, k);
	pb_fence_full(); /* Dekker with the TLB fill, once for every PTE cleared */
	for (unsigned i = 0; i < n; i++) {
		uint64_t pfn = self->shoot_pfn[i];
		/* relaxed: as in vm_shoot_others */
		cpus[i] = pfn == UINT64_MAX ? 0 : pb_atomic_load(&vm->frm[pfn].cpus, PB_RELAXED);
		any |= cpus[i];
	}
	/* one pass per TLB that may hold one of the batch's frames, as Linux
	 * flushes once for a reclaim batch (try_to_unmap_flush) */
	for (unsigned th = 0; th < nt && any; th++) {
		uint64_t bit = 1ULL << (th < 63 ? th : 63);
		if (th == me || !(any & bit))
			continue;
		/* relaxed counts, read after the fence: the owner counts an
		 * entry before its fill's fence and PTE re-read (Dekker) */
		k = 0;
		for (unsigned i = 0; i < n; i++)
			if ((cpus[i] & bit) &&
			    pb_tlb_may_hold(&vm->thr[th].tlb, self->shoot_pfn[i]))
				keys[k++] = self->shoot_key[i];
		if (k)
			self->st.shootdowns += pb_tlb_shootdown_n(&vm->thr[th].tlb, keys, k);
	}
}

/* Unmap one mapping: clear the PTE, shoot down the TLBs that may hold it.
 * Returns the old PTE.  Inline into the eviction (every fault once the
 * pool is full): vm_unmap_one for the other callers.  w: the word of
 * (as, vpn) if it still maps frame pfn (one thread's vm_frame.pte: the
 * page's only mapping), else NULL or another word: vm_pt_clear walks. */
static inline __attribute__((always_inline)) uint64_t unmap_one(struct pb_vm *vm,
								struct vm_thread *self,
								pb_asid_t as, uint64_t vpn,
								uint64_t *w, uint64_t pfn)
{
	uint64_t old;
	/* a present word that maps the frame is one of the page's mappings
	 * (no PTE outlives its rmap entry), and the page has only this one;
	 * cleared as vm_pt_clear clears a single caller's word */
	if (w && ((old = pb_atomic_load(w, PB_RELAXED)) & VM_PTE_P) && VM_PTE_PFN(old) == pfn)
		pb_atomic_store(w, 0, PB_RELEASE);
	else
		old = vm_pt_clear(vm->pt, as, vpn);
	uint64_t tkey = priv_key(as, vpn);
	if (vm->cfg.nthreads == 1 && vm->mapped_key == tkey + 1)
		vm->mapped_key = 0; /* the fill after the fault must walk */
	/* a reclaim batch (batch.c): the kills wait for vm_shoot_flush */
	if (self->shoot_defer) {
		if (self->nshoot == SHOOT_MAX)
			vm_shoot_flush(vm, self);
		self->shoot_key[self->nshoot] = tkey;
		self->shoot_pfn[self->nshoot++] = (old & VM_PTE_P) ? VM_PTE_PFN(old) : UINT64_MAX;
		if ((old & VM_PTE_P) && !(old & VM_PTE_A))
			self->st.prepage_unused++;
		return old;
	}
	if (pb_tlb_shootdown(&self->tlb, tkey))
		self->st.local_flushes++;
	if (vm->cfg.nthreads > 1 && (old & VM_PTE_P))
		vm_shoot_others(vm, self, VM_PTE_PFN(old), tkey, pb_tlb_shootdown);
	if ((old & VM_PTE_P) && !(old & VM_PTE_A))
		self->st.prepage_unused++; /* fault-around mapping never used */
	return old;
}

uint64_t vm_unmap_one(struct pb_vm *vm, struct vm_thread *self, pb_asid_t as, uint64_t vpn)
{
	return unmap_one(vm, self, as, vpn, NULL, 0);
}

/* Unmap every mapping of resident page p and empty its reverse map;
 * returns whether a PTE or the page was dirty (the flag is cleared).  Lock
 * held.  Inline into the eviction as unmap_one; the overflow list (shared
 * pages) is not. */
static int rmap_unmap_more(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p);
static inline __attribute__((always_inline)) int
rmap_unmap_all(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, int hinted)
{
	int dirty = p->dirty != 0;
	if (p->map) {
		uint64_t m = p->map - 1;
		/* hinted: p is resident, so its frame's word may be known (one
		 * thread, the inline mapping the only one) */
		uint64_t *w =
		    hinted && vm->cfg.nthreads == 1 && !p->more ? vm->frm[p->pfn].pte : NULL;
		uint64_t old = unmap_one(vm, t, (pb_asid_t)(m >> PB_PAGE_VPN_BITS),
					 m & PB_PAGE_VPN_MASK, w, p->pfn);
		if (old & VM_PTE_D)
			dirty = 1;
		p->map = 0;
	}
	if (pb_unlikely(p->more) && rmap_unmap_more(vm, t, p))
		dirty = 1;
	p->dirty = 0;
	return dirty;
}

int vm_rmap_unmap_all(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p)
{
	return rmap_unmap_all(vm, t, p, 0);
}

/* rmap_unmap_all's overflow list: whether a PTE was dirty. */
static int rmap_unmap_more(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p)
{
	int dirty = 0;
	while (p->more) {
		vm_leaf_lock(vm, &vm->rmo_lock); /* the pool is shared (fine-grained faults) */
		uint32_t i = p->more;
		uint64_t m = vm->rmo[i - 1].map - 1;
		p->more = vm->rmo[i - 1].next;
		vm->rmo[i - 1].next = vm->rmo_free;
		vm->rmo_free = i;
		vm_leaf_unlock(vm, &vm->rmo_lock);
		uint64_t old =
		    vm_unmap_one(vm, t, (pb_asid_t)(m >> PB_PAGE_VPN_BITS), m & PB_PAGE_VPN_MASK);
		if (old & VM_PTE_D)
			dirty = 1;
	}
	return dirty;
}

/* Unmap and forget the mappings of resident page p in address space as
 * (an OOM kill, swap.c).  Lock held. */
void vm_rmap_unmap_as(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, pb_asid_t as)
{
	if (p->map && (pb_asid_t)((p->map - 1) >> PB_PAGE_VPN_BITS) == as) {
		uint64_t m = p->map - 1;
		if (vm_unmap_one(vm, t, as, m & PB_PAGE_VPN_MASK) & VM_PTE_D)
			p->dirty = 1; /* the page keeps what was written */
		p->map = 0;
	}
	for (uint32_t *link = &p->more; *link;) {
		uint32_t i = *link;
		uint64_t m = vm->rmo[i - 1].map - 1;
		if ((pb_asid_t)(m >> PB_PAGE_VPN_BITS) != as) {
			link = &vm->rmo[i - 1].next;
			continue;
		}
		*link = vm->rmo[i - 1].next;
		vm->rmo[i - 1].next = vm->rmo_free;
		vm->rmo_free = i;
		if (vm_unmap_one(vm, t, as, m & PB_PAGE_VPN_MASK) & VM_PTE_D)
			p->dirty = 1;
	}
}

/* evict_page's write-out of dirty victim p: to its swap slot (one is
 * allocated on the first) or its file, counted.  Out of line: a clean
 * victim, the common case of a read-mostly replay, needs none of it. */
static __attribute__((noinline)) int evict_write(struct pb_vm *vm, struct vm_thread *t,
						 struct vm_page *p)
{
	uint64_t key = p->key;
	int rc;
	t->st.writebacks++;
	t->st.write_ios++;
	p->version++;
	if (key_kind(key) == K_FILE) {
		t->st.file_writebacks++;
		rc = vm_backing_file_write(&vm->bk, key & PB_PAGE_VPN_MASK, key, p->version);
	} else {
		if (p->slot == UINT64_MAX && (rc = vm_backing_slot(&vm->bk, key, &p->slot)))
			return rc;
		t->st.swap_outs++;
		p->flags |= PG_ONDISK;
		rc = vm_backing_swap_write(&vm->bk, p->slot, key, p->version);
	}
	if (rc)
		vm_fail(vm, rc, vm->bk.err);
	return rc;
}

/* Unmap p's page everywhere, write it out if dirty; its frame stays
 * allocated (returned in *pfn_out) with a clean engine state, and still
 * counted resident and named p's until the caller renames it for the page
 * it is handed to (one store, not a clear and a store; resident
 * unchanged, not decremented and incremented again).  *pfn_out is
 * UINT64_MAX when no frame is handed over: a 2 MiB victim (its frame goes
 * back to the allocator whole), or an OOM kill freed the victim or other
 * memory (swap.c) - the caller then allocates.  Lock held.  Inline into
 * vm_evict_take, and so into the fault (every fault once the pool is full:
 * no call, no registers saved and restored). */
static inline __attribute__((always_inline)) int evict_page(struct pb_vm *vm, struct vm_thread *t,
							    struct vm_page *p, uint64_t *pfn_out)
{
	*pfn_out = UINT64_MAX;
	if (p->flags & PG_HUGE)
		return vm_huge_evict(vm, t, p); /* the whole 2 MiB page (huge.c) */
	uint64_t pfn = p->pfn;
	int dirty = rmap_unmap_all(vm, t, p, 1);
	if (dirty && key_kind(p->key) != K_FILE) {
		/* a slot, or the OOM killer when swap is full (swap.c) */
		int rc = vm_swap_reserve(vm, t, p, 1);
		if (rc < 0 || rc == 1 || rc == 3)
			return rc < 0 ? rc : 0; /* 1: freed by the kill; 3: stays */
		dirty = rc != 2;		/* 2: its owner was killed: dropped */
	}
	t->st.evictions++;
	if (p->flags & PG_PREPAGED) {
		t->st.prepage_unused++;
		p->flags &= ~PG_PREPAGED;
	}
	int rc;
	if (dirty) {
		if ((rc = evict_write(vm, t, p)))
			return rc;
	} else {
		t->st.dropped_clean++;
	}
	p->pfn = UINT64_MAX;
	*pfn_out = pfn;
	return 0;
}

/* Evict the victim the policy named (its object, NULL if it has none)
 * for a page that needs a frame, and hand its frame over (fault.c).  Lock
 * held. */
int vm_evict_take(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, uint64_t *pfn)
{
	if (!p || p->pfn == UINT64_MAX) {
		vm_fail(vm, -EPROTO, "policy evicted a page that is not resident");
		return -EPROTO;
	}
	return evict_page(vm, t, p, pfn);
}

int vm_evict_fine(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p)
{
	uint64_t pfn;
	return evict_page(vm, t, p, &pfn);
}

/* ---- consistency (pb_vm_check) ---- */
struct rmap_check {
	struct pb_vm *vm;
	uint64_t ptes; /* present 4 KiB PTEs */
	uint8_t *owned;
	char *err;
	size_t errlen;
};

static int rmap_check_pte(void *arg, pb_asid_t as, uint64_t vpn, uint64_t pte)
{
	struct rmap_check *c = arg;
	if (!(pte & VM_PTE_P))
		return 0;
	c->ptes++;
	uint64_t pfn = VM_PTE_PFN(pte);
	if (pfn >= c->vm->cfg.frames || !c->owned[pfn]) {
		snprintf(c->err, c->errlen, "asid %u vpn %#llx maps frame %llu, which no page owns",
			 as, (unsigned long long)vpn, (unsigned long long)pfn);
		return -EINVAL;
	}
	return 0;
}

/* One mapping m (priv_key + 1) of resident page p: its PTE must map p's
 * frame. */
static int rmap_check_one(struct rmap_check *c, const struct vm_page *p, uint64_t m)
{
	m--;
	pb_asid_t as = (pb_asid_t)(m >> PB_PAGE_VPN_BITS);
	uint64_t vpn = m & PB_PAGE_VPN_MASK;
	uint64_t pte = vm_pt_get(c->vm->pt, as, vpn);
	if ((pte & VM_PTE_P) && VM_PTE_PFN(pte) == p->pfn)
		return 0;
	snprintf(c->err, c->errlen,
		 "page %#llx in frame %llu: its reverse map names asid %u vpn %#llx, PTE %#llx",
		 (unsigned long long)p->key, (unsigned long long)p->pfn, as,
		 (unsigned long long)vpn, (unsigned long long)pte);
	return -EINVAL;
}

/* Quiescent point: every resident 4 KiB page owns its frame alone, the
 * frame names it, no page lock or eviction mark is left, a copy-on-write
 * original is mapped somewhere, every mapping its reverse map lists is a
 * present PTE of its frame, and every present PTE is listed (counts
 * equal, each maps an owned frame). */
int vm_rmap_check(struct pb_vm *vm, char *err, size_t errlen)
{
	struct rmap_check c = {.vm = vm, .err = err, .errlen = errlen};
	c.owned = calloc(vm->cfg.frames, 1);
	if (!c.owned) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	uint64_t maps = 0;
	int rc = 0;
	pb_epoch_enter();
	for (uint64_t i = 0; i < vm->pcount && !rc; i++) {
		const struct vm_page *p = &vm->pages[i];
		if (pb_atomic_load(&p->state, PB_RELAXED)) {
			snprintf(err, errlen, "page %#llx: state %#x left after the run",
				 (unsigned long long)p->key, (unsigned)p->state);
			rc = -EINVAL;
			break;
		}
		if (p->pfn == UINT64_MAX || (p->flags & PG_HUGE))
			continue;
		if (p->pfn >= vm->cfg.frames || c.owned[p->pfn] ||
		    pb_atomic_load(&vm->pfn_key[p->pfn], PB_RELAXED) != p->key) {
			snprintf(err, errlen, "page %#llx: frame %llu %s",
				 (unsigned long long)p->key, (unsigned long long)p->pfn,
				 p->pfn >= vm->cfg.frames ? "beyond the pool"
				 : c.owned[p->pfn]	  ? "owned by another page too"
							  : "names another page");
			rc = -EINVAL;
			break;
		}
		c.owned[p->pfn] = 1;
		if (key_kind(p->key) == K_COWORIG && !p->map && !p->more) {
			/* fault.c frees an original with its last mapping */
			snprintf(err, errlen,
				 "copy-on-write original %#llx in frame %llu: no process maps it",
				 (unsigned long long)p->key, (unsigned long long)p->pfn);
			rc = -EINVAL;
			break;
		}
		if (p->map) {
			maps++;
			rc = rmap_check_one(&c, p, p->map);
		}
		for (uint32_t n = p->more; n && !rc; n = vm->rmo[n - 1].next) {
			maps++;
			rc = rmap_check_one(&c, p, vm->rmo[n - 1].map);
		}
	}
	if (!rc && !vm->huge) { /* a 2 MiB leaf has no rmap entry (vm_huge_check) */
		rc = vm_pt_each(vm->pt, rmap_check_pte, &c) ? -EINVAL : 0;
		if (!rc && c.ptes != maps) {
			snprintf(err, errlen, "%llu present PTEs, %llu reverse-map entries",
				 (unsigned long long)c.ptes, (unsigned long long)maps);
			rc = -EINVAL;
		}
	}
	pb_epoch_exit();
	free(c.owned);
	return rc;
}
