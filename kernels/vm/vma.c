/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/vma.c - regions (VMAs): protection, the kernel region and the
 * isolation check.
 *
 * How it works.  pb_vm_cfg.regions (pagebench/vma.h) is copied, sorted by
 * (asid, start) and checked at creation.  The engine then behaves as an
 * MMU with an OS that keeps VMAs:
 *
 *  - The kernel region (asid PB_VMA_ALL) is mapped in every address space.
 *    Its PTEs live in one page table, address space VM_KERNEL_AS, that
 *    every process shares (Linux shares the kernel half of the page tables
 *    the same way), so its TLB entries are tagged with VM_KERNEL_AS, not
 *    the process: one entry serves every process, a global entry (x86's G
 *    bit, set in the PTE too).  vm_vma_access sends an access whose address
 *    lies in the kernel region's range there before the TLB lookup.  Its
 *    pages are shared anonymous memory (one set of frames), demand-zero on
 *    first touch and evictable like any page (Linux pins kernel memory: a
 *    variant, written down in docs/engine.md).
 *  - PTEs carry the region's permissions: W only where the region is
 *    writable (and, for a page of a shared namespace, only in a shared
 *    region: a private region maps the shared original read-only, so a
 *    write is a copy-on-write fault), U only in user regions, NX where the
 *    region is not executable.  TLB entries cache them (PB_TLBE_WRITABLE,
 *    VM_TLBE_SUPER, VM_TLBE_NX): a write through a read-only entry, a
 *    user-mode access through a supervisor entry and a fetch through an NX
 *    entry leave the hit path, as do the same PTEs found by a walk.
 *  - The fault path (fault.c) first calls vm_vma_fault_check: an address in
 *    no region, a write to a region without w, a fetch from one without x,
 *    a read from one without r, or a user-mode access (no PB_ACC_KERNEL) to
 *    a supervisor region is a protection fault: counted in `segv`, nothing
 *    is read or mapped, the policy does not see it, and the replay goes on
 *    with the next access (the simulated process gets SIGSEGV and its
 *    handler skips the instruction; Linux's default action would kill it -
 *    skipping keeps the stream's later references meaningful).  A write to
 *    a read-only page of a writable private region is not a protection
 *    fault: it is copy-on-write, the one write fault on a read-only private
 *    page that succeeds.  A kernel-mode access may touch user regions (no
 *    SMAP).
 *  - The access flags (PB_ACC_FILE/SHARED/COW) still name the page, as
 *    without regions (pb_vm_key, the policy and OPT's next uses depend on
 *    them); an access whose flags disagree with its region's kind is a
 *    workload error (-EINVAL), not silently re-keyed.
 *
 * pb_vm_check_isolation walks every address space's page table at a
 * quiescent point and checks each present PTE against the page in its
 * frame and its region (see vm.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/pt.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

_Static_assert(VM_PTE_U == PB_PTE_U && VM_PTE_G == PB_PTE_G && VM_PTE_NX == PB_PTE_NX,
	       "engine PTE bits are x86-64's, as pb_pt's");
_Static_assert((VM_TLBE_SUPER | VM_TLBE_NX) &
		   ~(unsigned)(PB_TLBE_WRITABLE | PB_TLBE_DIRTY | PB_TLBE_USER1),
	       "region bits of a TLB entry are the engine's own");

struct vm_vmas {
	struct pb_vma *v; /* [0, nuser): per address space, sorted by (asid, start); then global */
	size_t n, nuser;
	uint64_t kstart, kend; /* hull of the global regions (0, 0: none) */
};

static int vma_cmp(const void *x, const void *y)
{
	const struct pb_vma *a = x, *b = y;
	if (a->asid != b->asid)
		return a->asid < b->asid ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

static const char *kind_name(unsigned k)
{
	static const char *const n[] = {"anon", "file-shared", "file-private", "shm"};
	return k < 4 ? n[k] : "?";
}

int vm_vma_init(struct pb_vm *vm, char *err, size_t errlen)
{
	const struct pb_vma *in = vm->cfg.regions;
	size_t n = vm->cfg.nregions;
	if (!in || !n)
		return 0;
	struct vm_vmas *x = calloc(1, sizeof(*x));
	if (x)
		x->v = malloc(n * sizeof(*x->v));
	if (!x || !x->v) {
		free(x);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(x->v, in, n * sizeof(*x->v));
	x->n = n;
	vm->vma = x;
	qsort(x->v, n, sizeof(*x->v), vma_cmp); /* PB_VMA_ALL sorts last */
	uint64_t mask = PB_PAGE_SIZE - 1;
	for (size_t i = 0; i < n; i++) {
		const struct pb_vma *r = &x->v[i];
		if (r->start >= r->end || ((r->start | r->end) & mask) || r->end > (1ULL << 48) ||
		    r->kind > PB_VMA_SHM || (r->asid >= VM_KERNEL_AS && r->asid != PB_VMA_ALL)) {
			snprintf(err, errlen,
				 "region %zu '%.12s' (asid %u, %#llx-%#llx): empty, not page "
				 "aligned, beyond 2^48, of an unknown kind or an asid >= %u",
				 i, r->name, r->asid, (unsigned long long)r->start,
				 (unsigned long long)r->end, VM_KERNEL_AS);
			return -EINVAL;
		}
		if (i && r->asid == x->v[i - 1].asid && r->start < x->v[i - 1].end) {
			snprintf(err, errlen, "regions '%.12s' and '%.12s' of asid %u overlap",
				 x->v[i - 1].name, r->name, r->asid);
			return -EINVAL;
		}
		if (r->asid == PB_VMA_ALL) {
			if (!x->kend) {
				x->nuser = i;
				x->kstart = r->start;
			}
			x->kend = r->end;
		}
	}
	if (!x->kend)
		x->nuser = n;
	for (size_t i = 0; i < x->nuser; i++)
		if (x->v[i].start < x->kend && x->v[i].end > x->kstart) {
			snprintf(err, errlen,
				 "region '%.12s' of asid %u lies in the kernel's range %#llx-%#llx",
				 x->v[i].name, x->v[i].asid, (unsigned long long)x->kstart,
				 (unsigned long long)x->kend);
			return -EINVAL;
		}
	return 0;
}

void vm_vma_fini(struct pb_vm *vm)
{
	if (!vm->vma)
		return;
	free(vm->vma->v);
	free(vm->vma);
	vm->vma = NULL;
}

/* The region of (as, addr), NULL if none.  VM_KERNEL_AS: the global ones. */
static const struct pb_vma *lookup(const struct vm_vmas *x, pb_asid_t as, uint64_t addr)
{
	if (as == VM_KERNEL_AS) {
		for (size_t i = x->nuser; i < x->n; i++)
			if (addr >= x->v[i].start && addr < x->v[i].end)
				return &x->v[i];
		return NULL;
	}
	size_t lo = 0, hi = x->nuser; /* last region with (asid, start) <= (as, addr) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pb_vma *r = &x->v[mid];
		if (r->asid < as || (r->asid == as && r->start <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct pb_vma *r = &x->v[lo - 1];
	return r->asid == as && addr < r->end ? r : NULL;
}

const struct pb_access *vm_vma_access(struct pb_vm *vm, const struct pb_access *a,
				      struct pb_access *tmp)
{
	const struct vm_vmas *x = vm->vma;
	if (pb_unlikely(a->asid == VM_KERNEL_AS)) {
		vm_fail(vm, -EINVAL,
			"asid 65520 is the kernel region's address space when regions are "
			"configured");
		return NULL;
	}
	if (a->addr >= x->kstart && a->addr < x->kend) {
		*tmp = *a;
		tmp->asid = VM_KERNEL_AS;
		return tmp;
	}
	return a;
}

/* The PB_ACC_FILE/SHARED/COW bits an access in a region of kind k has. */
static int flags_fit(unsigned kind, uint16_t flags)
{
	unsigned f = flags & (PB_ACC_FILE | PB_ACC_SHARED | PB_ACC_COW);
	switch (kind) {
	case PB_VMA_ANON:
		return f == 0 || f == PB_ACC_COW;
	case PB_VMA_FILE_SHARED:
		return f == (PB_ACC_FILE | PB_ACC_SHARED);
	case PB_VMA_FILE_PRIVATE:
		return f == PB_ACC_FILE;
	default:
		return f == PB_ACC_SHARED;
	}
}

int vm_vma_fault_check(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a)
{
	const struct pb_vma *r = lookup(vm->vma, a->asid, a->addr);
	unsigned need = a->op == PB_OP_WRITE   ? PB_VMA_W
			: a->op == PB_OP_FETCH ? PB_VMA_X
					       : PB_VMA_R;
	t->vma = NULL;
	if (!r || !(r->prot & need) || (!(r->flags & PB_VMA_USER) && !(a->flags & PB_ACC_KERNEL))) {
		t->st.segv++;
		return 1;
	}
	if (!flags_fit(r->kind, a->flags)) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "access to %#llx (asid %u) with flags %#x in %s region '%.12s': the "
			 "workload's flags disagree with its regions",
			 (unsigned long long)a->addr, a->asid, a->flags, kind_name(r->kind),
			 r->name);
		vm_fail(vm, -EINVAL, msg);
		return -EINVAL;
	}
	t->vma = r;
	return 0;
}

static int shared_ns(uint64_t key)
{
	return (key >> PB_PAGE_VPN_BITS) >= PB_PAGE_NS_COW;
}

uint64_t vm_vma_pte_bits(struct pb_vm *vm, pb_asid_t as, uint64_t vpn, uint64_t key, uint64_t bits)
{
	const struct pb_vma *r = lookup(vm->vma, as, vpn << PB_PAGE_SHIFT);
	if (!r)
		return 0;
	if (!(r->flags & PB_VMA_USER))
		bits &= ~VM_PTE_U;
	if (as == VM_KERNEL_AS)
		bits |= VM_PTE_G;
	if (!(r->prot & PB_VMA_X))
		bits |= VM_PTE_NX;
	if (!(r->prot & PB_VMA_W) ||
	    (shared_ns(key) && r->kind != PB_VMA_FILE_SHARED && r->kind != PB_VMA_SHM))
		bits &= ~(VM_PTE_W | VM_PTE_D);
	return bits;
}

/* May a 2 MiB page map (as, base..base+511) for access a (huge.c)?  Only
 * in a user, private anonymous, readable and writable region that holds
 * the whole range (Linux maps a huge PMD only where the aligned 2 MiB lies
 * inside one VMA), and only for an access the region allows (else the
 * 4 KiB path's check counts the segv).  1 with *bits given the region's
 * bits (NX where not executable), else 0. */
int vm_vma_huge_ok(struct pb_vm *vm, const struct pb_access *a, uint64_t base, uint64_t *bits)
{
	const struct pb_vma *r = lookup(vm->vma, a->asid, base << PB_PAGE_SHIFT);
	if (!r || r->kind != PB_VMA_ANON || !(r->flags & PB_VMA_USER) ||
	    (r->prot & (PB_VMA_R | PB_VMA_W)) != (PB_VMA_R | PB_VMA_W) ||
	    ((base + PB_PT_HUGE_PAGES) << PB_PAGE_SHIFT) > r->end ||
	    (a->op == PB_OP_FETCH && !(r->prot & PB_VMA_X)))
		return 0;
	*bits = vm_vma_pte_bits(vm, a->asid, base, priv_key(a->asid, base), *bits);
	return 1;
}

/* ---- the isolation check ---- */
struct iso_ctx {
	struct pb_vm *vm;
	char *err;
	size_t errlen;
};

static int iso_fail(struct iso_ctx *c, pb_asid_t as, uint64_t vpn, uint64_t pte, const char *what)
{
	snprintf(c->err, c->errlen, "isolation: asid %u vpn %#llx (PTE %#llx): %s", as,
		 (unsigned long long)vpn, (unsigned long long)pte, what);
	return -EINVAL;
}

/* Does a page of key's namespace belong in a region of kind k? */
static int ns_fits(unsigned kind, uint64_t key, pb_asid_t as)
{
	uint64_t ns = key >> PB_PAGE_VPN_BITS;
	switch (kind) {
	case PB_VMA_ANON:
		return ns == as || ns == PB_PAGE_NS_COW;
	case PB_VMA_FILE_SHARED:
		return ns == PB_PAGE_NS_FILE;
	case PB_VMA_FILE_PRIVATE:
		return ns == as || ns == PB_PAGE_NS_FILE;
	default:
		return ns == PB_PAGE_NS_SHM;
	}
}

static int iso_leaf(void *arg, pb_asid_t as, uint64_t vpn, uint64_t pte)
{
	struct iso_ctx *c = arg;
	struct pb_vm *vm = c->vm;
	if (!(pte & VM_PTE_P))
		return 0;
	uint64_t pfn = VM_PTE_PFN(pte);
	if (pfn >= vm->cfg.frames)
		return iso_fail(c, as, vpn, pte, "frame beyond the pool");
	uint64_t key = pb_atomic_load(&vm->pfn_key[pfn], PB_RELAXED);
	const struct vm_page *p = vm_page_get(vm, key, 0);
	if (!p || p->pfn != pfn)
		return iso_fail(c, as, vpn, pte, "the frame holds no resident page");
	uint64_t ns = key >> PB_PAGE_VPN_BITS;
	if (!shared_ns(key) && ns != as) {
		char what[96];
		snprintf(what, sizeof(what), "maps frame %llu, a private page of asid %llu",
			 (unsigned long long)pfn, (unsigned long long)ns);
		return iso_fail(c, as, vpn, pte, what);
	}
	if ((key & PB_PAGE_VPN_MASK) != vpn)
		return iso_fail(c, as, vpn, pte, "maps a page of another virtual page number");
	if (!vm->vma)
		return 0;
	const struct pb_vma *r = lookup(vm->vma, as, vpn << PB_PAGE_SHIFT);
	if (!r)
		return iso_fail(c, as, vpn, pte, "present outside every region");
	if (!(pte & VM_PTE_U) != !(r->flags & PB_VMA_USER))
		return iso_fail(c, as, vpn, pte, "U bit differs from the region's user flag");
	if ((pte & VM_PTE_W) && !(r->prot & PB_VMA_W))
		return iso_fail(c, as, vpn, pte, "writable in a read-only region");
	if ((pte & VM_PTE_W) && shared_ns(key) && r->kind != PB_VMA_FILE_SHARED &&
	    r->kind != PB_VMA_SHM)
		return iso_fail(c, as, vpn, pte, "a shared page writable in a private region");
	if (!(pte & VM_PTE_NX) != !!(r->prot & PB_VMA_X))
		return iso_fail(c, as, vpn, pte, "NX bit differs from the region's x");
	if (!ns_fits(r->kind, key, as))
		return iso_fail(c, as, vpn, pte, "a page of the wrong kind for its region");
	return 0;
}

int pb_vm_check_isolation(struct pb_vm *vm, char *err, size_t errlen)
{
	struct iso_ctx c = {.vm = vm, .err = err, .errlen = errlen};
	int rc = vm_pt_each(vm->pt, iso_leaf, &c);
	return rc ? -EINVAL : 0;
}
