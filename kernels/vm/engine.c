/*
 * kernels/vm/engine.c - the demand-paging engine.
 *
 * How it works.  Each access of the workload stream goes, on the engine
 * CPU (thread) that replays it, through the path of a real MMU and OS:
 *
 *   1. TLB lookup (per-thread pb_tlb: L1 d/i, unified L2).  A hit needs no
 *      page-table access, except a first write through a clean entry
 *      (x86 walks to set the PTE dirty bit) and a write through a
 *      read-only entry (a copy-on-write fault).
 *   2. Page walk on a miss: the asid's page table (vm_pt.c).  A present
 *      PTE sets the accessed (and dirty) bit and fills the TLB.
 *   3. Page fault on a non-present PTE, under the engine's fault lock (the
 *      simulated mmap_lock + lru_lock): the page object (kept by policy key
 *      in a hash table) says what the page is, and the fault is classified:
 *        - resident but not mapped here: minor (page cache / swap cache
 *          hit, a shared page another process faulted in, a prepaged page);
 *        - anonymous, never written out: demand-zero fill (no I/O: all-zero
 *          pages never exist on disk);
 *        - anonymous with a swap copy: swap-in (major);
 *        - file-backed (PB_ACC_FILE): file read (major);
 *        - write to a copy-on-write page (PB_ACC_COW, or a private file
 *          mapping): copy into a private page (cow_copies).
 *      A page that is not resident must get a frame: the eviction policy
 *      (pb_policies[]) is told of the miss and names a victim when the
 *      pool is full.  The victim is unmapped from every address space
 *      through the frame's reverse map (pb_frames rmap), every TLB that
 *      may hold it is shot down (counted per thread), and it is written
 *      to swap (dirty anonymous), written back to its file (dirty shared
 *      file page) or dropped (clean).
 *   4. Prepaging (--prepage): readahead with a window that doubles on
 *      sequential major faults (Linux ondemand readahead, ra_pages 32),
 *      fault-around (map neighbours already resident, Linux's
 *      fault_around_bytes = 64 KiB), swap-in clustering (read the aligned
 *      cluster of 8 swap slots, Linux page-cluster = 3).  Prepaged pages
 *      are charged: their I/O is counted, and a prepaged page evicted
 *      before its first use counts as pollution (prepage_unused).
 *
 * Policy hooks and threads.  A policy object is not thread-safe, and
 * taking a lock for every access would serialise the engine, so each
 * thread batches its hits in a small per-thread vector of hints (as
 * Linux's per-CPU pagevecs / folio batches for the LRU lists) and applies
 * them under the lock when the vector is full, before any fault it takes
 * (so a single thread's policy sees exactly the stream order), and at the
 * end of each chunk.  By default (PB_VM_HINTS_EXACT) every reference is
 * reported, so a single-thread replay equals pb_policy_replay.  With
 * PB_VM_HINTS_ABIT a PB_POL_HW policy (CLOCK family, SIEVE, NRU, ...) sees
 * what an OS gets from accessed bits: a hit only sets a reference bit,
 * which nothing clears before the policy's next miss (the "epoch"), so a
 * TLB entry reports at most once per epoch - the same faults for policies
 * whose hit is idempotent, at a fraction of the policy calls.
 * PB_POL_ORACLE policies (LRU, ARC, LIRS, ...) always get every access.
 * A page's policy key is found from its frame (pfn_key[], Linux's
 * page->mapping + index), so the hit path needs no lookup by address.  In STRICT
 * order the threads take fixed chunks of the stream in turn, so the policy
 * sees the same sequence for any thread count and fault counts are
 * identical to a single-thread replay; in FREE order they run concurrently
 * (throughput and scaling), with the same lock-free hit path.
 *
 * TLB shootdown is a Dekker handshake: the evictor clears the PTE, issues a
 * full fence and clears matching entries in every thread's TLB; a thread
 * filling its TLB from a walk issues a full fence after the fill and
 * re-reads the PTE, dropping the entry if it changed.  So no translation
 * outlives its PTE (a hit that races with an eviction in the window is the
 * simulated equivalent of an access before the IPI lands).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/counters.h"
#include "pagebench/epoch.h"
#include "pagebench/frames.h"
#include "pagebench/team.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

#define HINT_BATCH 15 /* PAGEVEC_SIZE */
#define RA_INIT 4     /* first readahead window (pages) */

/* page object flags */
#define PG_ONDISK 0x1u   /* swap slot holds valid contents (anon) */
#define PG_PREPAGED 0x2u /* brought in ahead of use, not referenced yet */
#define PG_USED 0x4u     /* object slot in use */

enum pg_kind { K_ANON = 0, K_SHM, K_FILE, K_COWORIG };

struct vm_page {
	uint64_t key;
	uint64_t pfn;  /* UINT64_MAX: not resident */
	uint64_t slot; /* swap slot, UINT64_MAX: none */
	uint32_t flags;
	uint32_t version; /* content version written to the backing store */
};

struct vm_thread {
	struct pb_tlb tlb;
	struct pb_vm_stats st;
	unsigned nhints;
	struct pb_ref hints[HINT_BATCH];
} PB_ALIGNED(PB_CACHELINE);

/* Readahead state, one per (address space, kind) stream, like a file's
 * file_ra_state; kept in the engine (under the lock), not per thread, so
 * that a replay's decisions do not depend on the thread count. */
#define RA_SLOTS 256
struct vm_ra {
	uint64_t next;   /* vpn expected next for a sequential stream */
	uint32_t window; /* current window (pages) */
	uint32_t as;
};

struct pb_vm {
	struct pb_vm_cfg cfg;
	struct pb_policy *pol;
	int pol_hw, pol_offline;
	struct pb_frames *fa;
	struct vm_pt *pt;
	struct vm_backing bk;
	/* page objects: open addressing by key (fault path only) */
	struct vm_page *pages;
	uint64_t pmask, pcount;
	/* reverse-map scratch */
	struct rmap_ent {
		pb_asid_t as;
		uint64_t vpn;
	} *rm;
	size_t rm_cap, rm_n;
	uint64_t resident;
	/* frame -> policy key of the page in it (struct page's mapping+index):
	 * written under the lock before the page is mapped (release by the
	 * PTE store), read by walkers to name the page a hit touches */
	uint64_t *pfn_key;
	struct vm_ra ra[RA_SLOTS];
	unsigned fault_lock PB_ALIGNED(PB_CACHELINE);
	uint64_t turn PB_ALIGNED(PB_CACHELINE); /* STRICT order: next chunk */
	uint32_t epoch PB_ALIGNED(PB_CACHELINE); /* policy misses (atomic; abit hints) */
	int failed;
	char err[256];
	struct vm_thread *thr; /* nthreads, pb_map'ed */
};

/* ---- names ---- */
static const char *const prepage_names[] = {"demand", "readahead", "faultaround", "swapcluster"};

const char *pb_prepage_name(enum pb_prepage p)
{
	return (unsigned)p < PB_ARRAY_SIZE(prepage_names) ? prepage_names[p] : "?";
}

int pb_prepage_parse(const char *s, enum pb_prepage *out)
{
	for (unsigned i = 0; i < PB_ARRAY_SIZE(prepage_names); i++) {
		if (!strcmp(s, prepage_names[i])) {
			*out = (enum pb_prepage)i;
			return 0;
		}
	}
	return -EINVAL;
}

void pb_vm_cfg_default(struct pb_vm_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = pb_policy_find("lru");
	c->frames = 64;
	c->prepage = PB_PREPAGE_DEMAND;
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

/* ---- keys ---- */
static inline enum pg_kind kind_of(uint16_t flags)
{
	if (flags & PB_ACC_FILE)
		return K_FILE;
	if (flags & PB_ACC_SHARED)
		return K_SHM;
	if (flags & PB_ACC_COW)
		return K_COWORIG;
	return K_ANON;
}

/* A write to this region must first make a private copy. */
static inline int cow_region(uint16_t flags)
{
	return (flags & PB_ACC_COW) || ((flags & PB_ACC_FILE) && !(flags & PB_ACC_SHARED));
}

static inline uint64_t priv_key(pb_asid_t as, uint64_t vpn)
{
	return ((uint64_t)as << VM_VPN_BITS) | (vpn & VM_VPN_MASK);
}

static inline uint64_t shared_key(enum pg_kind k, uint64_t vpn)
{
	uint64_t ns = k == K_FILE ? VM_NS_FILE : k == K_SHM ? VM_NS_SHM : VM_NS_COW;
	return (ns << VM_VPN_BITS) | (vpn & VM_VPN_MASK);
}

/* Policy key of the page an access touches given whether its mapping is a
 * private (writable) one. */
static inline uint64_t policy_key(pb_asid_t as, uint64_t vpn, uint16_t flags, int writable)
{
	enum pg_kind k = kind_of(flags);
	if (k == K_ANON || (cow_region(flags) && writable))
		return priv_key(as, vpn);
	return shared_key(k, vpn);
}

static inline unsigned tlbe_flags(uint64_t pte)
{
	return ((pte & VM_PTE_W) ? PB_TLBE_WRITABLE : 0) | ((pte & VM_PTE_D) ? PB_TLBE_DIRTY : 0);
}

uint64_t pb_vm_key(const struct pb_access *a)
{
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	return policy_key(a->asid, vpn, a->flags, cow_region(a->flags) && a->op == PB_OP_WRITE);
}

static inline enum pg_kind key_kind(uint64_t key)
{
	uint64_t ns = key >> VM_VPN_BITS;
	return ns == VM_NS_FILE ? K_FILE : ns == VM_NS_SHM ? K_SHM : ns == VM_NS_COW ? K_COWORIG : K_ANON;
}

/* ---- page objects ---- */
static inline uint64_t mix(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x7fb5d329728ea185ULL;
	k ^= k >> 27;
	k *= 0x81dadef4bc2dd44dULL;
	return k ^ (k >> 33);
}

static int pages_grow(struct pb_vm *vm)
{
	uint64_t ocap = vm->pages ? vm->pmask + 1 : 0;
	uint64_t cap = ocap ? ocap * 2 : 1 << 10;
	struct vm_page *n = pb_map(cap * sizeof(*n), 0);
	if (!n)
		return -ENOMEM;
	for (uint64_t i = 0; i < ocap; i++) {
		struct vm_page *p = &vm->pages[i];
		if (!(p->flags & PG_USED))
			continue;
		for (uint64_t j = mix(p->key) & (cap - 1);; j = (j + 1) & (cap - 1)) {
			if (!(n[j].flags & PG_USED)) {
				n[j] = *p;
				break;
			}
		}
	}
	if (vm->pages)
		pb_unmap(vm->pages, ocap * sizeof(*n));
	vm->pages = n;
	vm->pmask = cap - 1;
	return 0;
}

/* Find the object of key; create it (not resident, no slot) if `create`. */
static struct vm_page *page_get(struct pb_vm *vm, uint64_t key, int create)
{
	if (create && (vm->pcount + 1) * 10 > (vm->pmask + 1) * 7 && pages_grow(vm))
		return NULL;
	for (uint64_t i = mix(key) & vm->pmask;; i = (i + 1) & vm->pmask) {
		struct vm_page *p = &vm->pages[i];
		if (!(p->flags & PG_USED)) {
			if (!create)
				return NULL;
			p->key = key;
			p->pfn = UINT64_MAX;
			p->slot = UINT64_MAX;
			p->flags = PG_USED;
			p->version = 0;
			vm->pcount++;
			return p;
		}
		if (p->key == key)
			return p;
	}
}


/* ---- the fault lock ---- */
static void lock(struct pb_vm *vm)
{
	for (;;) {
		unsigned z = 0;
		if (pb_atomic_cas_weak(&vm->fault_lock, &z, 1, PB_ACQUIRE, PB_RELAXED))
			return;
		while (pb_atomic_load(&vm->fault_lock, PB_RELAXED))
			pb_cpu_relax();
	}
}

static void unlock(struct pb_vm *vm)
{
	pb_atomic_store(&vm->fault_lock, 0, PB_RELEASE);
}

static void fail(struct pb_vm *vm, int rc, const char *msg)
{
	if (!pb_atomic_load(&vm->failed, PB_RELAXED)) {
		snprintf(vm->err, sizeof(vm->err), "%s", msg);
		pb_atomic_store(&vm->failed, rc, PB_RELEASE);
	}
}

/* ---- hints (caller holds the lock) ---- */
static void apply_hints(struct pb_vm *vm, struct vm_thread *t)
{
	if (!t->nhints)
		return;
	int check = vm->cfg.nthreads > 1 && vm->cfg.order == PB_VM_ORDER_FREE;
	for (unsigned i = 0; i < t->nhints; i++) {
		struct pb_ref *r = &t->hints[i];
		if (check) {
			/* another thread may have evicted it meanwhile: a hint
			 * must never insert a page */
			struct vm_page *p = page_get(vm, r->key, 0);
			if (!p || p->pfn == UINT64_MAX)
				continue;
		}
		uint64_t victim;
		enum pb_pol_result res = vm->cfg.policy->access(vm->pol, r, &victim);
		t->st.policy_calls++;
		if (res != PB_POL_HIT) {
			fail(vm, -EPROTO, "policy reported a miss for a resident page (engine/policy out of sync)");
			break;
		}
	}
	t->nhints = 0;
	t->st.hint_flushes++;
}

void pb_vm_flush_hints(struct pb_vm *vm, unsigned tid)
{
	struct vm_thread *t = &vm->thr[tid];
	if (!t->nhints)
		return;
	lock(vm);
	apply_hints(vm, t);
	unlock(vm);
}

static inline void hint(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos,
			uint64_t next, unsigned write)
{
	struct pb_ref *r = &t->hints[t->nhints++];
	r->key = key;
	r->pos = pos;
	r->next_use = next;
	r->write = write;
	if (pb_unlikely(t->nhints == HINT_BATCH)) {
		lock(vm);
		apply_hints(vm, t);
		unlock(vm);
	}
}

/* ---- eviction ---- */
static int rmap_collect(void *arg, pb_asid_t as, pb_vpn_t vpn)
{
	struct pb_vm *vm = arg;
	if (vm->rm_n == vm->rm_cap) {
		size_t cap = vm->rm_cap ? vm->rm_cap * 2 : 64;
		void *n = realloc(vm->rm, cap * sizeof(*vm->rm));
		if (!n)
			return -ENOMEM;
		vm->rm = n;
		vm->rm_cap = cap;
	}
	vm->rm[vm->rm_n].as = as;
	vm->rm[vm->rm_n].vpn = vpn.v;
	vm->rm_n++;
	return 0;
}

/* Unmap one mapping: clear the PTE, shoot down the TLBs that may hold it.
 * Returns the old PTE. */
static uint64_t unmap_one(struct pb_vm *vm, struct vm_thread *self, pb_asid_t as, uint64_t vpn)
{
	uint64_t old = vm_pt_clear(vm->pt, as, vpn);
	pb_fence_full(); /* Dekker with the TLB fill in access() */
	uint64_t tkey = priv_key(as, vpn);
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		struct vm_thread *t = &vm->thr[i];
		if (t == self) {
			if (pb_tlb_shootdown(&t->tlb, tkey))
				self->st.local_flushes++;
		} else if (pb_tlb_shootdown(&t->tlb, tkey)) {
			self->st.shootdowns++;
		}
	}
	if ((old & VM_PTE_P) && !(old & VM_PTE_A))
		self->st.prepage_unused++; /* fault-around mapping never used */
	return old;
}

/* Evict the page of `key` (chosen by the policy): unmap everywhere, write
 * out if dirty, free its frame.  Lock held. */
static int evict(struct pb_vm *vm, struct vm_thread *t, uint64_t key)
{
	struct vm_page *p = page_get(vm, key, 0);
	if (!p || p->pfn == UINT64_MAX) {
		fail(vm, -EPROTO, "policy evicted a page that is not resident");
		return -EPROTO;
	}
	pb_pfn_t pfn = PB_PFN(p->pfn);
	vm->rm_n = 0;
	int rc = pb_frames_rmap_each(vm->fa, pfn, rmap_collect, vm);
	if (rc)
		return rc;
	int dirty = pb_frames_is_dirty(vm->fa, pfn);
	for (size_t i = 0; i < vm->rm_n; i++) {
		uint64_t old = unmap_one(vm, t, vm->rm[i].as, vm->rm[i].vpn);
		if (old & VM_PTE_D)
			dirty = 1;
	}
	enum pg_kind k = key_kind(key);
	t->st.evictions++;
	if (p->flags & PG_PREPAGED) {
		t->st.prepage_unused++;
		p->flags &= ~PG_PREPAGED;
	}
	if (dirty) {
		t->st.writebacks++;
		t->st.write_ios++;
		p->version++;
		if (k == K_FILE) {
			t->st.file_writebacks++;
			rc = vm_backing_file_write(&vm->bk, key & VM_VPN_MASK, key, p->version);
		} else {
			if (p->slot == UINT64_MAX && (rc = vm_backing_slot(&vm->bk, key, &p->slot)))
				return rc;
			t->st.swap_outs++;
			p->flags |= PG_ONDISK;
			rc = vm_backing_swap_write(&vm->bk, p->slot, key, p->version);
		}
		if (rc) {
			fail(vm, rc, vm->bk.err);
			return rc;
		}
	} else {
		t->st.dropped_clean++;
	}
	pb_frames_meta_reset(vm->fa, pfn);
	rc = pb_frames_free(vm->fa, pfn, 0);
	if (rc) {
		fail(vm, rc, "frame allocator refused a free (double free?)");
		return rc;
	}
	p->pfn = UINT64_MAX;
	vm->resident--;
	return 0;
}

/*
 * Tell the policy that `key` is referenced and, if not resident, give it a
 * frame (evicting the policy's victim).  *was_resident says which.  Lock
 * held.  The object pointer may move (table growth): returned afresh.
 */
static struct vm_page *make_resident(struct pb_vm *vm, struct vm_thread *t, uint64_t key,
				     uint64_t pos, uint64_t next, unsigned write, int *was_resident)
{
	struct vm_page *p = page_get(vm, key, 1);
	if (!p) {
		fail(vm, -ENOMEM, "out of memory for page objects");
		return NULL;
	}
	struct pb_ref r = {.key = key, .pos = pos, .next_use = next, .write = write};
	uint64_t victim = 0;
	enum pb_pol_result res = vm->cfg.policy->access(vm->pol, &r, &victim);
	t->st.policy_calls++;
	if (p->pfn != UINT64_MAX) {
		*was_resident = 1;
		if (res != PB_POL_HIT) {
			fail(vm, -EPROTO, "policy missed a resident page (engine/policy out of sync)");
			return NULL;
		}
		return p;
	}
	*was_resident = 0;
	pb_atomic_store(&vm->epoch, vm->epoch + 1, PB_RELAXED); /* writer: lock holder */
	if (res == PB_POL_HIT) {
		fail(vm, -EPROTO, "policy hit on a non-resident page (engine/policy out of sync)");
		return NULL;
	}
	if (res == PB_POL_MISS_EVICT) {
		if (victim == key) {
			fail(vm, -EPROTO, "policy evicted the page it inserted");
			return NULL;
		}
		if (evict(vm, t, victim))
			return NULL;
		p = page_get(vm, key, 0);
	}
	pb_pfn_t pfn;
	int rc = pb_frames_alloc(vm->fa, -1, 0, &pfn);
	if (rc) {
		fail(vm, rc, "no free frame although the policy had room (engine/policy out of sync)");
		return NULL;
	}
	p->pfn = pfn.v;
	pb_atomic_store(&vm->pfn_key[pfn.v], key, PB_RELAXED); /* published by the PTE's release */
	vm->resident++;
	return p;
}

/* Fill a newly resident page's contents: zero, swap-in or file read.
 * Counts the event; returns 1 if it took I/O (a major fault), 0 for a zero
 * fill, or -errno.  Lock held. */
static int fill(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, int prepaged)
{
	enum pg_kind k = key_kind(p->key);
	int rc = 0;
	if (k == K_FILE) {
		if (!prepaged) {
			t->st.file_reads++;
			t->st.read_ios++;
		}
		rc = vm_backing_file_read(&vm->bk, p->key & VM_VPN_MASK);
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
		fail(vm, rc, vm->bk.err);
		return rc;
	}
	return 1;
}

/* Is there something on the backing store to prepage for key? */
static int readable(struct pb_vm *vm, uint64_t key, struct vm_page **out)
{
	struct vm_page *p = page_get(vm, key, 0);
	*out = p;
	if (key_kind(key) == K_FILE)
		return !p || p->pfn == UINT64_MAX;
	return p && p->pfn == UINT64_MAX && (p->flags & PG_ONDISK);
}

/* Bring one page in ahead of use (not mapped).  Lock held. */
static void prepage_one(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos)
{
	int was;
	struct vm_page *p = make_resident(vm, t, key, pos, PB_NEXT_NONE, 0, &was);
	if (!p || was)
		return;
	if (fill(vm, t, p, 1) < 0)
		return;
	p->flags |= PG_PREPAGED;
	t->st.prepaged++;
	t->st.extra_pages_read++;
}

/* Map the page of object p into (as, vpn).  Lock held. */
static int map_page(struct pb_vm *vm, pb_asid_t as, uint64_t vpn, struct vm_page *p,
		    int writable, int dirty, int accessed)
{
	uint64_t bits = VM_PTE_P | (writable ? VM_PTE_W : 0) | (dirty ? VM_PTE_D : 0) |
			(accessed ? VM_PTE_A : 0);
	int rc = vm_pt_set(vm->pt, as, vpn, VM_PTE_MK(p->pfn, bits));
	if (rc) {
		fail(vm, rc, "page table: out of memory");
		return rc;
	}
	rc = pb_frames_rmap_add(vm->fa, PB_PFN(p->pfn), as, PB_VPN(vpn));
	if (rc && rc != -EEXIST) {
		fail(vm, rc, "reverse map: out of memory");
		return rc;
	}
	if (dirty)
		pb_frames_set_dirty(vm->fa, PB_PFN(p->pfn));
	return 0;
}

static void prepage_after(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
			  uint64_t vpn, uint64_t pos, struct vm_page *p, int major)
{
	enum pg_kind k = kind_of(a->flags);
	uint64_t key0 = p->key;
	switch (vm->cfg.prepage) {
	case PB_PREPAGE_DEMAND:
		return;
	case PB_PREPAGE_READAHEAD: {
		if (!major)
			return;
		struct vm_ra *ra = &vm->ra[(a->asid * 4u + (unsigned)k) % RA_SLOTS];
		if (ra->as == a->asid && vpn == ra->next && ra->window) {
			ra->window *= 2;
			if (ra->window > vm->cfg.readahead_max)
				ra->window = vm->cfg.readahead_max;
		} else {
			ra->window = RA_INIT < vm->cfg.readahead_max ? RA_INIT : vm->cfg.readahead_max;
		}
		ra->as = a->asid;
		uint64_t w = ra->window;
		for (uint64_t i = 1; i < w; i++) {
			uint64_t key = k == K_ANON ? priv_key(a->asid, vpn + i) : shared_key(k, vpn + i);
			struct vm_page *q;
			if (readable(vm, key, &q))
				prepage_one(vm, t, key, pos);
		}
		ra->next = vpn + w;
		return;
	}
	case PB_PREPAGE_SWAPCLUSTER: {
		if (!major || k == K_FILE || !(p->flags & PG_ONDISK))
			return;
		uint64_t c = vm->cfg.swapcluster ? vm->cfg.swapcluster : 1;
		uint64_t s0 = p->slot / c * c;
		for (uint64_t s = s0; s < s0 + c; s++) {
			uint64_t key = vm_backing_slot_key(&vm->bk, s);
			struct vm_page *q;
			if (key == UINT64_MAX || key == key0)
				continue;
			if (readable(vm, key, &q))
				prepage_one(vm, t, key, pos);
		}
		return;
	}
	case PB_PREPAGE_FAULTAROUND: {
		if (k == K_ANON || (cow_region(a->flags) && a->op == PB_OP_WRITE))
			return; /* private neighbours are mapped already or not resident */
		uint64_t f = vm->cfg.faultaround ? vm->cfg.faultaround : 1;
		uint64_t v0 = vpn / f * f;
		for (uint64_t v = v0; v < v0 + f; v++) {
			if (v == vpn || (vm_pt_get(vm->pt, a->asid, v) & VM_PTE_P))
				continue;
			struct vm_page *q = page_get(vm, shared_key(k, v), 0);
			if (!q || q->pfn == UINT64_MAX)
				continue;
			int w = !cow_region(a->flags);
			/* mapped "old" (no accessed bit), as Linux does */
			if (map_page(vm, a->asid, v, q, w, 0, 0))
				return;
			t->st.prepage_mapped++;
		}
		return;
	}
	}
}

/*
 * The fault path.  Returns 0 when the access has been satisfied (the page
 * is mapped; the caller does not retry), or -errno.  Lock held.
 */
static int fault(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a, uint64_t pos,
		 uint64_t next)
{
	pb_asid_t as = a->asid;
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	unsigned write = a->op == PB_OP_WRITE;
	uint64_t pte = vm_pt_get(vm->pt, as, vpn);
	int cow = cow_region(a->flags);

	if ((pte & VM_PTE_P) && (!write || (pte & VM_PTE_W))) {
		/* another thread resolved it while we waited for the lock: not a fault */
		uint64_t key = pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(pte)], PB_RELAXED);
		uint64_t victim;
		struct pb_ref r = {.key = key, .pos = pos, .next_use = next, .write = write};
		(void)vm->cfg.policy->access(vm->pol, &r, &victim);
		t->st.policy_calls++;
		vm_pt_or(vm->pt, as, vpn, VM_PTE_A | (write ? VM_PTE_D : 0));
		return 0;
	}
	t->st.faults++;
	int was = 0, major = 0, r;
	struct vm_page *p;

	if ((pte & VM_PTE_P) && write) {
		/* a write through a read-only mapping: copy-on-write, whatever
		 * the access says (the mapping is the truth) */
		cow = 1;
	}
	if (write && cow) {
		/* copy-on-write: the private copy may already exist (swapped out) */
		uint64_t pk = priv_key(as, vpn);
		struct vm_page *mine = page_get(vm, pk, 0);
		if (mine && (mine->pfn != UINT64_MAX || (mine->flags & PG_ONDISK))) {
			p = make_resident(vm, t, pk, pos, next, 1, &was);
			if (!p)
				return vm->failed;
			if (!was && (r = fill(vm, t, p, 0)) < 0)
				return vm->failed;
			if (was)
				t->st.pagecache_hits++;
			else
				major = r;
		} else {
			/* the source: the shared original, mapped or not */
			uint64_t sk = (pte & VM_PTE_P)
					      ? pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(pte)], PB_RELAXED)
					      : shared_key(kind_of(a->flags), vpn);
			if (key_kind(sk) == K_ANON)
				sk = shared_key(K_COWORIG, vpn);
			struct vm_page *src = make_resident(vm, t, sk, pos, next, 0, &was);
			if (!src)
				return vm->failed;
			if (!was && (r = fill(vm, t, src, 0)) < 0)
				return vm->failed;
			if (!was)
				major = r; /* the original had to be read first */
			if (src->flags & PG_PREPAGED) {
				src->flags &= ~PG_PREPAGED;
				t->st.prepage_used++;
			}
			uint64_t spfn = src->pfn;
			p = make_resident(vm, t, pk, pos, next, 1, &was);
			if (!p)
				return vm->failed;
			/* the source may have been the victim: a copy needs it
			 * only for the duration of the copy, as the kernel holds
			 * a reference on the old page */
			(void)spfn;
			t->st.cow_copies++;
		}
		pte = vm_pt_get(vm->pt, as, vpn); /* the original may have been evicted */
		if (pte & VM_PTE_P) {
			/* drop the read-only mapping of the original */
			vm_pt_or(vm->pt, as, vpn, VM_PTE_A);
			uint64_t old = unmap_one(vm, t, as, vpn);
			(void)pb_frames_rmap_remove(vm->fa, PB_PFN(VM_PTE_PFN(old)), as, PB_VPN(vpn));
		}
		if (p->flags & PG_PREPAGED) {
			p->flags &= ~PG_PREPAGED;
			t->st.prepage_used++;
		}
		if (major)
			t->st.major_faults++;
		else
			t->st.minor_faults++;
		return map_page(vm, as, vpn, p, 1, 1, 1);
	}

	/* not present: find the page the mapping shows */
	uint64_t key;
	int writable;
	if (cow) {
		struct vm_page *mine = page_get(vm, priv_key(as, vpn), 0);
		if (mine && (mine->pfn != UINT64_MAX || (mine->flags & PG_ONDISK))) {
			key = mine->key; /* COW already broken: our private copy */
			writable = 1;
		} else {
			key = shared_key(kind_of(a->flags), vpn);
			writable = 0;
		}
	} else {
		key = policy_key(as, vpn, a->flags, 1);
		writable = 1;
	}
	p = make_resident(vm, t, key, pos, next, write, &was);
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
	int rc = map_page(vm, as, vpn, p, writable, write && writable, 1);
	if (rc)
		return rc;
	uint64_t pfn = p->pfn;
	prepage_after(vm, t, a, vpn, pos, p, major);
	(void)pfn;
	return 0;
}

/* ---- the access path ---- */
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
	hint(vm, t, pb_atomic_load(&vm->pfn_key[e->pfn], PB_RELAXED), pos, next, write);
}

static int access_one(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
		      uint64_t pos, uint64_t next)
{
	uint64_t vpn = a->addr >> PB_PAGE_SHIFT;
	uint64_t tkey = priv_key(a->asid, vpn);
	unsigned write = a->op == PB_OP_WRITE;
	int fetch = a->op == PB_OP_FETCH;
	if (pb_unlikely(a->asid > VM_ASID_MAX || vpn >> 36)) {
		fail(vm, -EINVAL, a->asid > VM_ASID_MAX ? "asid above the engine's limit (65520)"
							: "address beyond 48 bits (vpn >= 2^36)");
		return -EINVAL;
	}
	for (int tries = 0;; tries++) {
		struct pb_tlb_entry *e = pb_tlb_lookup(&t->tlb, tkey, fetch);
		if (pb_likely(e != NULL)) {
			if (write && !(e->flags & PB_TLBE_WRITABLE))
				goto do_fault; /* copy-on-write */
			if (write && !(e->flags & PB_TLBE_DIRTY)) {
				vm_pt_or(vm->pt, a->asid, vpn, VM_PTE_D);
				pb_tlb_set_flags(&t->tlb, tkey, e->flags | PB_TLBE_DIRTY);
			}
			hit_hint(vm, t, e, a, vpn, pos, next, write);
			return 0;
		}
		uint64_t pte = vm_pt_get(vm->pt, a->asid, vpn);
		if (!(pte & VM_PTE_P) || (write && !(pte & VM_PTE_W)))
			goto do_fault;
		uint64_t set = VM_PTE_A | (write ? VM_PTE_D : 0);
		if ((pte & set) != set)
			vm_pt_or(vm->pt, a->asid, vpn, set);
		unsigned fl = tlbe_flags(pte | set);
		e = pb_tlb_fill(&t->tlb, tkey, VM_PTE_PFN(pte), fl, fetch);
		pb_fence_full(); /* Dekker with unmap_one() */
		uint64_t again = vm_pt_get(vm->pt, a->asid, vpn);
		if (pb_unlikely(!(again & VM_PTE_P) || VM_PTE_PFN(again) != VM_PTE_PFN(pte))) {
			pb_tlb_invalidate(&t->tlb, tkey);
			if (tries < 3)
				continue;
			goto do_fault;
		}
		if (e)
			hit_hint(vm, t, e, a, vpn, pos, next, write);
		else
			hint(vm, t, pb_atomic_load(&vm->pfn_key[VM_PTE_PFN(pte)], PB_RELAXED), pos,
			     next, write);
		return 0;
	}
do_fault:
	lock(vm);
	apply_hints(vm, t); /* earlier hits reach the policy before the fault */
	int rc = vm->failed ? vm->failed : fault(vm, t, a, pos, next);
	unlock(vm);
	/* the fault handler installed the PTE; the TLB fills on the next
	 * touch (the retried instruction) - charge that walk now */
	if (!rc) {
		uint64_t pte = vm_pt_get(vm->pt, a->asid, vpn);
		if (pte & VM_PTE_P) {
			unsigned fl = tlbe_flags(pte);
			pb_tlb_invalidate(&t->tlb, tkey);
			/* hintgen stays 0: the fault inserted the page, the next
			 * hit must still reach the policy (SIEVE inserts unvisited) */
			(void)pb_tlb_fill(&t->tlb, tkey, VM_PTE_PFN(pte), fl, fetch);
			pb_fence_full();
			uint64_t again = vm_pt_get(vm->pt, a->asid, vpn);
			if (!(again & VM_PTE_P) || VM_PTE_PFN(again) != VM_PTE_PFN(pte))
				pb_tlb_invalidate(&t->tlb, tkey);
		}
	}
	return rc;
}

int pb_vm_access_batch(struct pb_vm *vm, unsigned tid, const struct pb_access *a, size_t n,
		       uint64_t pos, const uint64_t *next_use)
{
	struct vm_thread *t = &vm->thr[tid];
	t->st.refs += n;
	int rc = 0;
	pb_epoch_enter(); /* page-table walks read pages that epochs protect */
	for (size_t i = 0; i < n; i++) {
		uint64_t next = next_use ? next_use[i] : PB_NEXT_NONE;
		rc = access_one(vm, t, &a[i], pos + i, next);
		if (pb_unlikely(rc))
			break;
	}
	pb_epoch_exit();
	return rc;
}

/* ---- creation ---- */
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
	if ((cfg->policy->flags & PB_POL_OFFLINE) && cfg->prepage != PB_PREPAGE_DEMAND) {
		snprintf(err, errlen, "policy %s needs the future of every page: use --prepage demand",
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
	if (!vm->cfg.device)
		vm->cfg.device = pb_cost_device_find("nvme");
	vm->pol_hw = (cfg->policy->flags & (PB_POL_HW | PB_POL_ORACLE | PB_POL_OFFLINE)) == PB_POL_HW &&
		     cfg->hints == PB_VM_HINTS_ABIT;
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
			  &vm->pt);
	if (rc) {
		snprintf(err, errlen, "page table: %s", strerror(-rc));
		goto out;
	}
	rc = vm_backing_open(&vm->bk, cfg->backing_path, err, errlen);
	if (rc)
		goto out;
	vm->pfn_key = pb_map(cfg->frames * sizeof(uint64_t), 0);
	rc = vm->pfn_key ? pages_grow(vm) : -ENOMEM;
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
	if (vm->thr) {
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
	if (vm->pages)
		pb_unmap(vm->pages, (vm->pmask + 1) * sizeof(struct vm_page));
	if (vm->pfn_key)
		pb_unmap(vm->pfn_key, vm->cfg.frames * sizeof(uint64_t));
	free(vm->rm);
	free(vm);
}

const char *pb_vm_error(const struct pb_vm *vm)
{
	return vm->failed ? vm->err : "";
}

/* ---- replay on a team ---- */
struct replay_arg {
	struct pb_vm *vm;
	const struct pb_access *a;
	size_t n, chunk;
	const uint64_t *next_use;
	int rc;
};

static void replay_thread(struct replay_arg *ra, unsigned tid)
{
	struct pb_vm *vm = ra->vm;
	unsigned nt = vm->cfg.nthreads;
	size_t nchunks = (ra->n + ra->chunk - 1) / ra->chunk;
	for (size_t c = tid; c < nchunks; c += nt) {
		if (vm->cfg.order == PB_VM_ORDER_STRICT && nt > 1) {
			for (unsigned spins = 0; pb_atomic_load(&vm->turn, PB_ACQUIRE) != c; spins++) {
				if (pb_atomic_load(&vm->failed, PB_RELAXED))
					return;
				if (spins < 256)
					pb_cpu_relax();
				else
					sched_yield(); /* more threads than PUs: let the turn holder run */
			}
		}
		size_t lo = c * ra->chunk, hi = lo + ra->chunk < ra->n ? lo + ra->chunk : ra->n;
		int rc = pb_vm_access_batch(vm, tid, ra->a + lo, hi - lo, lo,
					    ra->next_use ? ra->next_use + lo : NULL);
		pb_vm_flush_hints(vm, tid);
		if (rc) {
			lock(vm);
			if (!ra->rc)
				ra->rc = rc;
			fail(vm, rc, "access failed");
			unlock(vm);
		}
		if (vm->cfg.order == PB_VM_ORDER_STRICT && nt > 1)
			pb_atomic_store(&vm->turn, c + 1, PB_RELEASE);
		if (rc)
			return;
	}
}

static void replay_team_fn(void *arg, unsigned tid)
{
	replay_thread(arg, tid);
}

int pb_vm_replay(struct pb_vm *vm, const struct pb_access *a, size_t n, const uint64_t *next_use,
		 size_t chunk)
{
	struct replay_arg ra = {.vm = vm, .a = a, .n = n, .chunk = chunk ? chunk : 256,
				.next_use = next_use};
	pb_atomic_store(&vm->turn, 0, PB_RELAXED);
	if (vm->pol_offline && !next_use) {
		fail(vm, -EINVAL, "policy needs next_use");
		return -EINVAL;
	}
	if (vm->cfg.nthreads == 1) {
		replay_thread(&ra, 0);
		return ra.rc ? ra.rc : vm->failed;
	}
	struct pb_plan plan;
	int rc = pb_plan_make(vm->cfg.nthreads, PB_PIN_COMPACT, &plan);
	if (rc)
		return rc;
	pb_team_run(&plan, replay_team_fn, &ra, NULL);
	pb_plan_free(&plan);
	return ra.rc ? ra.rc : vm->failed;
}

/* ---- results ---- */
static void add_stats(struct pb_vm_stats *o, const struct pb_vm_stats *s)
{
	const uint64_t *src = (const uint64_t *)s;
	uint64_t *dst = (uint64_t *)o;
	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

void pb_vm_thread_stats(const struct pb_vm *vm, unsigned tid, struct pb_vm_stats *out)
{
	*out = vm->thr[tid].st;
	out->hits = out->refs - out->faults; /* every reference is one or the other */
	out->tlb_l1_hits = vm->thr[tid].tlb.st.l1_hits;
	out->tlb_l2_hits = vm->thr[tid].tlb.st.l2_hits;
	out->tlb_misses = vm->thr[tid].tlb.st.misses;
}

void pb_vm_stats(const struct pb_vm *vm, struct pb_vm_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		struct pb_vm_stats s;
		pb_vm_thread_stats(vm, i, &s);
		add_stats(out, &s);
	}
	out->hits = out->refs - out->faults;
}

double pb_vm_eat_ns(const struct pb_vm *vm, const struct pb_vm_stats *s)
{
	struct pb_cost_events e = {
		.refs = s->refs,
		.l2_tlb_hits = s->tlb_l2_hits,
		.walks = s->tlb_misses,
		.faults = s->faults,
		.zero_fills = s->zero_fills,
		.cow_copies = s->cow_copies,
		.read_ios = s->read_ios,
		.extra_pages_read = s->extra_pages_read,
		.write_ios = s->write_ios,
	};
	return pb_cost_eat_ns(vm->cfg.device, &e);
}

uint64_t pb_vm_resident(const struct pb_vm *vm)
{
	return vm->resident;
}

int pb_vm_check(struct pb_vm *vm, char *err, size_t errlen)
{
	uint64_t res = 0;
	for (uint64_t i = 0; i <= vm->pmask; i++)
		if ((vm->pages[i].flags & PG_USED) && vm->pages[i].pfn != UINT64_MAX)
			res++;
	uint64_t pr = vm->cfg.policy->resident(vm->pol);
	struct pb_frames_stats fs;
	(void)pb_frames_stats(vm->fa, -1, &fs);
	if (res != vm->resident || pr != res || fs.used != res || res > vm->cfg.frames) {
		snprintf(err, errlen,
			 "residency out of sync: objects %llu, counter %llu, policy %llu, frames used %llu, frames %llu",
			 (unsigned long long)res, (unsigned long long)vm->resident,
			 (unsigned long long)pr, (unsigned long long)fs.used,
			 (unsigned long long)vm->cfg.frames);
		return -EINVAL;
	}
	/* no translation outlives its PTE: every valid TLB entry of every
	 * thread names a present PTE of the same frame */
	int bad = 0;
	pb_epoch_enter();
	for (unsigned i = 0; i < vm->cfg.nthreads && !bad; i++) {
		struct pb_tlb *tlb = &vm->thr[i].tlb;
		struct pb_tlb_array *arr[3] = {&tlb->l1d, &tlb->l1i, &tlb->l2};
		for (int l = 0; l < 3 && !bad; l++) {
			for (size_t j = 0; j < (size_t)arr[l]->sets * arr[l]->ways; j++) {
				uint64_t tag = pb_atomic_load(&arr[l]->e[j].tag, PB_RELAXED);
				if (!tag)
					continue;
				uint64_t key = tag - 1;
				uint64_t pte = vm_pt_get(vm->pt, (pb_asid_t)(key >> VM_VPN_BITS),
							 key & VM_VPN_MASK);
				if (!(pte & VM_PTE_P) || VM_PTE_PFN(pte) != arr[l]->e[j].pfn) {
					snprintf(err, errlen,
						 "thread %u TLB holds asid %llu vpn %#llx -> frame %llu, PTE %#llx",
						 i, (unsigned long long)(key >> VM_VPN_BITS),
						 (unsigned long long)(key & VM_VPN_MASK),
						 (unsigned long long)arr[l]->e[j].pfn, (unsigned long long)pte);
					bad = 1;
					break;
				}
			}
		}
	}
	pb_epoch_exit();
	if (bad)
		return -EINVAL;
	char ferr[256];
	if (pb_frames_check(vm->fa, ferr, sizeof(ferr))) {
		snprintf(err, errlen, "frame allocator: %s", ferr);
		return -EINVAL;
	}
	return 0;
}

/* ---- next use (OPT) ---- */
int pb_vm_next_use(const struct pb_access *a, size_t n, uint64_t *next_use)
{
	uint64_t cap = 1024;
	while (cap < 2 * (uint64_t)n)
		cap <<= 1;
	uint64_t *keys = pb_map(cap * sizeof(uint64_t), 0);
	uint64_t *idx = pb_map(cap * sizeof(uint64_t), 0);
	if (!keys || !idx) {
		if (keys)
			pb_unmap(keys, cap * sizeof(uint64_t));
		if (idx)
			pb_unmap(idx, cap * sizeof(uint64_t));
		return -ENOMEM;
	}
	for (size_t i = n; i-- > 0;) {
		uint64_t k = pb_vm_key(&a[i]) + 1;
		uint64_t j = mix(k) & (cap - 1);
		while (keys[j] && keys[j] != k)
			j = (j + 1) & (cap - 1);
		next_use[i] = keys[j] ? idx[j] : PB_NEXT_NONE;
		keys[j] = k;
		idx[j] = i;
	}
	pb_unmap(keys, cap * sizeof(uint64_t));
	pb_unmap(idx, cap * sizeof(uint64_t));
	return 0;
}

/* ---- PAPI software-defined events ---- */
static long long sde_ctr[12];
static const char *const sde_names[12] = {
	"vm_refs",	 "vm_faults",	"vm_major_faults", "vm_zero_fills",
	"vm_swap_ins",	 "vm_file_reads", "vm_cow_copies",  "vm_evictions",
	"vm_writebacks", "vm_tlb_misses", "vm_shootdowns",  "vm_prepaged",
};

void pb_vm_publish_sde(const struct pb_vm_stats *s)
{
	static int registered;
	if (!registered) {
		registered = 1;
		for (size_t i = 0; i < PB_ARRAY_SIZE(sde_names); i++)
			pb_sde_register(sde_names[i], "pagebench demand-paging engine event count",
					&sde_ctr[i]);
	}
	uint64_t v[12] = {s->refs,	 s->faults,	s->major_faults, s->zero_fills,
			  s->swap_ins,	 s->file_reads, s->cow_copies,	 s->evictions,
			  s->writebacks, s->tlb_misses, s->shootdowns,	 s->prepaged};
	for (size_t i = 0; i < PB_ARRAY_SIZE(sde_ctr); i++)
		pb_atomic_fetch_add(&sde_ctr[i], (long long)v[i], PB_RELAXED);
}
