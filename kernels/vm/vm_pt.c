/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/vm_pt.c - the engine's page-table adapter over pb_pt.
 *
 * One pb_pt (include/pagebench/pt.h: the lock-free radix or clustered
 * hashed table) per simulated address space, created on the first fault
 * in it (under the engine's fault lock) and published with a release store,
 * so walkers find it with one acquire load and never lock.  The engine's
 * PTEs are plain x86-64 leaves: a page that is not resident is "none" (the
 * engine keeps swap slots and file offsets in its page objects, so one
 * shared page needs no per-mapper swap entries).  Lookups must run inside
 * an epoch section (the engine holds one around each batch of accesses).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/pt.h"
#include "vm_internal.h"

_Static_assert(VM_PTE_P == PB_PTE_P && VM_PTE_W == PB_PTE_W && VM_PTE_A == PB_PTE_A &&
		   VM_PTE_D == PB_PTE_D && VM_PTE_PFN_MASK == PB_PTE_PFN_MASK,
	       "engine PTE bits are x86-64's, as pb_pt's");

int vm_pt_create(enum pb_vm_pt kind, uint64_t expected_pages, int single, struct vm_pt **out)
{
	struct vm_pt *pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->kind = kind;
	pt->as = pb_map((VM_ASID_MAX + 1) * sizeof(*pt->as), 0);
	if (!pt->as) {
		free(pt);
		return -ENOMEM;
	}
	/* Size each table for every distinct page of the workload: a hashed
	 * cluster, once claimed, stays claimed; radix pages are not freed
	 * while the engine runs.  Both pools are mapped lazily. */
	uint64_t d = expected_pages < 1024 ? 1024 : expected_pages;
	pt->cfg.nframes = d;
	/* Radix: at worst every page needs its own leaf and the two tables
	 * above it (pages one leaf apart or sparser: a sparse trace), so 3d
	 * nodes plus the root.  The pool is address space until used (pool.c
	 * touches no page or metadata it has not handed out), capped at 2^30
	 * nodes (4 TiB of address space) a table. */
	pt->cfg.max_nodes = 3 * d + 64 < (1ULL << 30) ? 3 * d + 64 : 1ULL << 30;
	uint64_t slots = 1024;
	while (slots < 2 * d && slots < (1ULL << 26))
		slots <<= 1;
	pt->cfg.hash_slots = slots;
	pt->cfg.lazy = 1;
	/* one engine CPU: plain stores and PT-page hints (pt.h) */
	pt->cfg.single = single;
	*out = pt;
	return 0;
}

void vm_pt_destroy(struct vm_pt *pt)
{
	if (!pt)
		return;
	for (size_t i = 0, end = pb_atomic_load(&pt->as_end, PB_ACQUIRE); i < end; i++)
		if (pt->as[i])
			pb_pt_destroy(pt->as[i]);
	pb_unmap(pt->as, (VM_ASID_MAX + 1) * sizeof(*pt->as));
	free(pt);
}

const char *vm_pt_impl(const struct vm_pt *pt)
{
	return pt->kind == PB_VM_PT_HASHED ? "hashed" : "radix";
}

/* The table of as, created on first use (fault path). */
static int table_make(struct vm_pt *pt, pb_asid_t as, struct pb_pt **out)
{
	struct pb_pt *t = vm_pt_table(pt, as);
	if (!t) {
		int rc =
		    pb_pt_create(pt->kind == PB_VM_PT_HASHED ? "hashed" : "radix", &pt->cfg, &t);
		if (rc)
			return rc;
		/* fine-grained faults of two threads may both create it: the
		 * first CAS publishes (release), the loser uses that one
		 * (acquire) and destroys its own, which nobody saw */
		struct pb_pt *seen = NULL;
		if (!pb_atomic_cas(&pt->as[as], &seen, t, PB_ACQ_REL, PB_ACQUIRE)) {
			pb_pt_destroy(t);
			t = seen;
		}
		/* raised to cover as (release: a scan that reads the new end
		 * finds the table) */
		uint32_t end = pb_atomic_load(&pt->as_end, PB_RELAXED);
		while (end <= as &&
		       !pb_atomic_cas(&pt->as_end, &end, (uint32_t)as + 1, PB_RELEASE, PB_RELAXED))
			;
	}
	*out = t;
	return 0;
}

/* Install a 4 KiB or (huge) 2 MiB leaf from the engine's PTE word. */
static int set_leaf(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte, int huge)
{
	struct pb_pt *t;
	int rc = table_make(pt, as, &t);
	if (rc)
		return rc;
	if (vpn >= PB_PT_VPN_LIMIT)
		return -EINVAL;
	uint64_t flags = pte & (VM_PTE_W | VM_PTE_A | VM_PTE_D | VM_PTE_U | VM_PTE_G | VM_PTE_NX);
	pb_pfn_t pfn = PB_PFN(VM_PTE_PFN(pte));
	return pb_pt_map(t, PB_VPN(vpn), huge ? pb_pte_mk_huge(pfn, flags) : pb_pte_mk(pfn, flags));
}

/* The leaf word of (as, vpn) in a single-caller radix table (pb_pt_leaf),
 * or NULL: the general calls handle it (no such table, a 2 MiB leaf, a
 * shared or hashed table, out of memory). */
static uint64_t *leaf_word(struct vm_pt *pt, struct pb_pt *t, uint64_t vpn, bool create)
{
	if (!t || !pt->cfg.single || pt->kind != PB_VM_PT_RADIX)
		return NULL;
	return pb_pt_leaf(t, PB_VPN(vpn), create);
}

int vm_pt_set(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte)
{
	/* one engine CPU: the word's address and one release store, as
	 * pb_pt_map's (vm_pt_set_word) */
	uint64_t *w = leaf_word(pt, vm_pt_table(pt, as), vpn, true);
	return w ? vm_pt_set_word(w, pte) : set_leaf(pt, as, vpn, pte, 0);
}

uint64_t vm_pt_clear(struct vm_pt *pt, pb_asid_t as, uint64_t vpn)
{
	struct pb_pt *t = vm_pt_table(pt, as);
	uint64_t old = 0, *w = leaf_word(pt, t, vpn, false);
	if (w) {
		/* as pb_pt_unmap: none stays none, a leaf goes (release) */
		old = pb_atomic_load(w, PB_RELAXED);
		if (old)
			pb_atomic_store(w, 0, PB_RELEASE);
		return old;
	}
	if (!t || pb_pt_unmap(t, PB_VPN(vpn), &old))
		return 0;
	return old;
}

void vm_pt_or(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t bits)
{
	struct pb_pt *t = vm_pt_table(pt, as);
	if (!t)
		return;
	if (bits & VM_PTE_D)
		(void)pb_pt_set_dirty(t, PB_VPN(vpn)); /* D and A, as the MMU on a write */
	else if (bits & VM_PTE_A)
		(void)pb_pt_set_accessed(t, PB_VPN(vpn));
}

struct each_ctx {
	int (*cb)(void *arg, pb_asid_t as, uint64_t vpn, uint64_t pte);
	void *arg;
	pb_asid_t as;
};

static int each_leaf(void *arg, pb_vpn_t vpn, uint64_t pte)
{
	struct each_ctx *c = arg;
	return c->cb(c->arg, c->as, vpn.v, pte);
}

int vm_pt_each(struct vm_pt *pt, int (*cb)(void *arg, pb_asid_t as, uint64_t vpn, uint64_t pte),
	       void *arg)
{
	struct each_ctx c = {.cb = cb, .arg = arg};
	for (size_t i = 0, end = pb_atomic_load(&pt->as_end, PB_ACQUIRE); i < end; i++) {
		struct pb_pt *t = vm_pt_table(pt, (pb_asid_t)i);
		if (!t)
			continue;
		c.as = (pb_asid_t)i;
		int rc = pb_pt_walk(t, PB_VPN(0), PB_PT_VPN_LIMIT, each_leaf, &c);
		if (rc)
			return rc;
	}
	return 0;
}

int vm_pt_set_huge(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte)
{
	return set_leaf(pt, as, vpn, pte, 1);
}
