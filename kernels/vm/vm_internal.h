/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/vm_internal.h - private to the vm module: the engine object,
 * page objects, keys, and the functions the files of the module share.
 *
 * The engine is split by job, as Linux mm/ is:
 *   vm.c          creation, configuration, errors
 *   page.c        policy keys and the page-object table
 *   fault.c       the access path (TLB, walk) and the fault handler
 *   evict.c       reverse-map unmapping, TLB shootdown, write-out
 *   hints.c       the fault lock and the per-thread batches of policy hints
 *   batch.c       batched free order: frame reserves, late insertions
 *   prepage.c     the prepaging registry; prepage_<name>.c one strategy each
 *   replay.c      chunked replay of a stream by the caller's threads
 *   stats.c       event table, sums, cost, consistency check, next use
 *   sweep.c       a pool of fresh engines over (policy, frames, rep) jobs
 *   vm_pt.c, backing.c, tlb.c, cost.c: page tables, backing store, TLB, cost
 */
#ifndef PAGEBENCH_VM_INTERNAL_H
#define PAGEBENCH_VM_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/frames.h"
#include "pagebench/hmap.h"
#include "pagebench/pagekey.h"
#include "pagebench/pt.h"
#include "pagebench/vm.h"

/* ---- PTE word, x86-64 layout (the bits the engine uses) ---- */
#define VM_PTE_P	     0x1ULL  /* present */
#define VM_PTE_W	     0x2ULL  /* writable */
#define VM_PTE_A	     0x20ULL /* accessed */
#define VM_PTE_D	     0x40ULL /* dirty */
#define VM_PTE_PFN_MASK	     0x000ffffffffff000ULL
#define VM_PTE_PFN(p)	     (((p)&VM_PTE_PFN_MASK) >> 12)
#define VM_PTE_MK(pfn, bits) ((((uint64_t)(pfn)) << 12) | (bits))

/* Largest simulated asid: the policy-key namespaces above it hold shared
 * pages (see pb_vm_key). */
#define VM_ASID_MAX 0xfff0u
/* Keys and their namespaces: pagebench/pagekey.h (pb_page_key, PB_PAGE_NS_*). */
_Static_assert(VM_ASID_MAX < PB_PAGE_NS_COW, "asids stay below the shared namespaces");
_Static_assert(PB_PAGE_FILE == PB_ACC_FILE && PB_PAGE_SHARED == PB_ACC_SHARED &&
		   PB_PAGE_COW == PB_ACC_COW,
	       "page-key flags are the access flags");

/* ---- page tables: one per address space, behind a small adapter ---- */
struct vm_pt {
	enum pb_vm_pt kind;
	struct pb_pt_cfg cfg;
	struct pb_pt **as; /* asid -> table (atomic pointer) */
	uint32_t as_end;   /* one past the highest asid with a table (atomic,
			    * raised after the table is published): what
			    * vm_pt_each and destroy scan of as[], not 65520
			    * slots whose mostly untouched pages each read
			    * would fault in */
};
/* single: one engine CPU, the tables' one caller (pb_pt_cfg.single). */
int vm_pt_create(enum pb_vm_pt kind, uint64_t expected_pages, int single, struct vm_pt **out);
void vm_pt_destroy(struct vm_pt *pt);
const char *vm_pt_impl(const struct vm_pt *pt);
/* Lock-free lookup of the PTE word (0 if none).  Any thread, inside an
 * epoch section (pb_epoch_enter).  Inline, as vm_pt_prefetch: every
 * reference that misses the TLB walks, and the one-thread replay calls
 * both once more per reference to prefetch (fault.c). */
/* The table of as, or NULL before its first fault (acquire: published by
 * the release of its creation, vm_pt.c). */
static inline struct pb_pt *vm_pt_table(struct vm_pt *pt, pb_asid_t as)
{
	return pb_atomic_load(&pt->as[as], PB_ACQUIRE);
}
static inline uint64_t vm_pt_get(struct vm_pt *pt, pb_asid_t as, uint64_t vpn)
{
	struct pb_pt *t = vm_pt_table(pt, as);
	return t ? pb_pt_lookup(t, PB_VPN(vpn)) : 0;
}
/* Start loading the PTE of (as, vpn) into the CPU cache (pb_pt_prefetch);
 * as vm_pt_get, inside an epoch section. */
static inline void vm_pt_prefetch(struct vm_pt *pt, pb_asid_t as, uint64_t vpn)
{
	struct pb_pt *t = vm_pt_table(pt, as);
	if (t)
		pb_pt_prefetch(t, PB_VPN(vpn));
}
/* The same, returning the PTE's address for a later read (pb_pt_prefetch_leaf;
 * NULL: none known, walk then).  Valid while no 2 MiB page is mapped in
 * the table (vm->huge unset): the engine frees no other PT page. */
static inline uint64_t *vm_pt_prefetch_leaf(struct vm_pt *pt, pb_asid_t as, uint64_t vpn)
{
	struct pb_pt *t = vm_pt_table(pt, as);
	return t ? pb_pt_prefetch_leaf(t, PB_VPN(vpn)) : NULL;
}
/* Install / replace a PTE (fault path, under the engine lock). */
int vm_pt_set(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte);
/* Clear a PTE; returns the old word (fault path). */
uint64_t vm_pt_clear(struct vm_pt *pt, pb_asid_t as, uint64_t vpn);
/* Atomically OR bits (A, D) into a present PTE (any thread). */
void vm_pt_or(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t bits);

/* ---- backing store (backing.c) ---- */
struct vm_backing {
	int fd;		    /* -1: simulated */
	uint64_t next_slot; /* slots handed out */
	uint64_t *slot_key; /* slot -> policy key (swap clustering) */
	uint64_t slot_cap;
	uint8_t *buf; /* one page for real I/O */
	char *path;   /* the file, while open */
	int created;  /* we created it: removed on close */
	char err[256];
	/* slot reuse and the area's size (swap.c) */
	uint64_t *free_slots; /* freed slots, reused first (a stack) */
	uint64_t nfree, free_cap;
	uint64_t max_slots; /* 0: unlimited */
	uint64_t in_use, peak;
};
/* Open (create with O_EXCL; with force reuse an existing regular file)
 * and lock the backing file; NULL path: simulated.  0 or -errno (-EEXIST,
 * -EBUSY: locked by another run, -EINVAL: not a regular file) with err. */
int vm_backing_open(struct vm_backing *b, const char *path, int force, char *err, size_t errlen);
void vm_backing_close(struct vm_backing *b);
/* New swap slot for key.  0 or -ENOMEM. */
int vm_backing_slot(struct vm_backing *b, uint64_t key, uint64_t *slot);
uint64_t vm_backing_slot_key(const struct vm_backing *b, uint64_t slot);
/* Real I/O when a file is configured (no-ops otherwise): the page written
 * carries its key and a version, checked on read.  0 or -EIO.  Inline
 * tests of the file, so a simulated store costs the fault path no call;
 * the _io functions (backing.c) do the I/O. */
int vm_backing_swap_write_io(struct vm_backing *b, uint64_t slot, uint64_t key, uint64_t version);
int vm_backing_swap_read_io(struct vm_backing *b, uint64_t slot, uint64_t key, uint64_t version);
int vm_backing_file_write_io(struct vm_backing *b, uint64_t vpn, uint64_t key, uint64_t version);
int vm_backing_file_read_io(struct vm_backing *b, uint64_t vpn);
static inline int vm_backing_swap_write(struct vm_backing *b, uint64_t slot, uint64_t key,
					uint64_t version)
{
	return b->fd < 0 ? 0 : vm_backing_swap_write_io(b, slot, key, version);
}
static inline int vm_backing_swap_read(struct vm_backing *b, uint64_t slot, uint64_t key,
				       uint64_t version)
{
	return b->fd < 0 ? 0 : vm_backing_swap_read_io(b, slot, key, version);
}
static inline int vm_backing_file_write(struct vm_backing *b, uint64_t vpn, uint64_t key,
					uint64_t version)
{
	return b->fd < 0 ? 0 : vm_backing_file_write_io(b, vpn, key, version);
}
static inline int vm_backing_file_read(struct vm_backing *b, uint64_t vpn)
{
	return b->fd < 0 ? 0 : vm_backing_file_read_io(b, vpn);
}

/* ---- the engine object ---- */
#define HINT_BATCH 15 /* PAGEVEC_SIZE */
/* batched free order (batch.c): a hint vector grows to HINT_MAX while
 * another thread holds the policy lock; RSV_MAX free frames and INS_MAX
 * pending insertions per thread at most */
#define HINT_MAX	128
#define HINT_BATCH_FREE 63 /* the vector's size between flushes (hints.c) */
#define RSV_MAX		32
#define SHOOT_MAX	32 /* deferred shootdowns of a reclaim batch (<= 64) */
#define INS_MAX		32

/* page object flags */
#define PG_ONDISK   0x1u /* swap slot holds valid contents (anon) */
#define PG_PREPAGED 0x2u /* brought in ahead of use, not referenced yet */
#define PG_USED	    0x4u /* object in use (every object of the array is) */
#define PG_HUGE	    0x8u /* a 512th of a resident 2 MiB page (huge.c) */

enum pg_kind { K_ANON = 0, K_SHM, K_FILE, K_COWORIG };

struct vm_page {
	uint64_t key;
	uint64_t pfn;  /* UINT64_MAX: not resident */
	uint64_t slot; /* swap slot, UINT64_MAX: none */
	uint32_t flags;
	uint32_t version; /* content version written to the backing store */
	/* reverse map of the frame while resident (evict.c): the one mapping
	 * of an unshared page inline, further ones in the overflow pool - kept
	 * with the object, whose line the eviction reads anyway */
	uint64_t map;  /* priv_key(as, vpn) + 1; 0: none */
	uint32_t more; /* vm->rmo index + 1; 0: none */
	uint16_t dirty;
	uint16_t state; /* PGS_* (atomic; fine-grained faults only, hints.c) */
};

/* page object state bits (hints.c: the page lock and the eviction mark) */
#define PGS_LOCKED 0x1u /* a fault of this page is in progress (its page lock) */
#define PGS_EVICT  0x2u /* batched free order: a reclaimed victim being unmapped (batch.c) */

struct vm_thread {
	struct pb_tlb tlb;
	struct pb_vm_stats st;
	unsigned nhints;
	unsigned hint_at; /* flush when nhints reaches it: HINT_BATCH, more in batch.c */
	struct pb_ref hints[HINT_MAX];
	/* the frame each hint's page was found in (UINT64_MAX: not known):
	 * a free-order flush checks residency by pfn_key[], not a lookup */
	uint64_t hint_pfn[HINT_MAX];
	/* one engine thread only: the PTE the walk before a fault read
	 * (walked: valid), so the fault handler need not walk again */
	uint64_t walk_pte;
	int walked;
	/* in a fine-grained fault (the read side of the mm lock; atomic,
	 * hints.c): on this thread's own lines, so entering one writes none
	 * that another thread reads often */
	unsigned mm_reader;
	const struct pb_vma *vma;     /* region of the fault in progress (regions only) */
	struct pb_cache_hier *caches; /* NULL: no CPU caches (caches.c) */
	/* batched free order (batch.c): free frames this thread reclaimed or
	 * took from the allocator, and its faults' policy insertions not yet
	 * applied; touched only under the mm read side (or by a vm_lock
	 * holder, every reader out) */
	unsigned nrsv, nins;
	int64_t res_delta; /* resident pages gained, not yet in vm->resident */
	uint64_t rsv[RSV_MAX];
	struct pb_ref ins[INS_MAX];
	uint64_t ins_pfn[INS_MAX];
	/* a reclaim batch's unmaps (shoot_defer set): their TLB kills wait
	 * for vm_shoot_flush, one fence and one pass per TLB (evict.c);
	 * shoot_pfn UINT64_MAX: the PTE was not present (own TLB only) */
	unsigned nshoot;
	int shoot_defer;
	uint64_t shoot_key[SHOOT_MAX];
	uint64_t shoot_pfn[SHOOT_MAX];
} PB_ALIGNED(PB_CACHELINE);

/* Readahead state, one per (address space, kind) stream, like a file's
 * file_ra_state; kept in the engine (under the lock), not per thread, so
 * that a replay's decisions do not depend on the thread count. */
#define RA_SLOTS 256
struct vm_ra {
	uint64_t next;	 /* vpn expected next for a sequential stream */
	uint32_t window; /* current window (pages) */
	uint32_t as;
};

/* What the engine keeps per physical frame (vm->frm[pfn]) besides pfn_key:
 * with several engine threads, the threads whose TLB may hold a
 * translation to the frame (atomic); with one, the PTE word the fault that
 * mapped the frame's page wrote (map_page with the pipeline's word, NULL:
 * not known), so the eviction clears it without a walk (evict.c checks it
 * still maps the frame: a word of a later mapping elsewhere, or of an
 * unmapped one, is never taken for the page's).  One thread's words stay
 * valid addresses: without 2 MiB pages no PT page is freed, and only the
 * pipeline gives a word, which it does not with 2 MiB pages. */
struct vm_frame {
	union {
		uint64_t cpus; /* bit min(tid, 63): that thread's TLB may map it */
		uint64_t *pte; /* one thread */
	};
};

struct vm_rmap_node {
	uint64_t map; /* priv_key(as, vpn) + 1 */
	uint32_t next;
};

/* The page-object index leaf last found (page.c; index leaves stay until
 * the engine is destroyed): blk, its key >> PIDX_LEAF_BITS + 1, 0: none. */
struct vm_pidx_memo {
	uint64_t blk;
	uint32_t *leaf;
};

struct pb_vm {
	struct pb_vm_cfg cfg;
	struct pb_policy *pol;
	int pol_hw, pol_offline;
	struct pb_frames *fa;
	struct vm_pt *pt;
	struct vm_backing bk;
	/* page objects: a dense array, found by key through a direct index
	 * (pdir, page.c; fault path only) */
	struct vm_page *pages;
	uint64_t pcap, pcount;
	/* the mapping of pages (page.c: reserved once, pages grown in place
	 * up to pmap_cap objects) */
	struct pb_region pmap;
	uint64_t pmap_cap;
	/* the fault path's memo of the index leaf (vm_page_find_memo; fault
	 * lock held) */
	struct vm_pidx_memo fmemo;
	uint64_t resident;
	/* frame -> policy key of the page in it (struct page's mapping+index):
	 * written under the lock before the page is mapped (release by the
	 * PTE store), read by walkers to name the page a hit touches */
	uint64_t *pfn_key;
	struct vm_ra ra[RA_SLOTS];
	/* the fault whose prepaging runs (fault.c, fault_prepage): its page's
	 * key, which no page brought in ahead of use may evict (UINT64_MAX:
	 * none), whether its access writes, and whether its window has ended
	 * (prepage.c, vm_prepage_one); fault lock held */
	uint64_t prepage_pin;
	unsigned prepage_pin_write, prepage_stop;
	unsigned fault_lock PB_ALIGNED(PB_CACHELINE);
	/* fine-grained faults (hints.c): FREE order on several threads with
	 * none of the configurations that need the whole machine (vm.c); a
	 * writer (vm_lock) excludes every fine fault */
	int fine;
	/* batched free order (batch.c): fine, a policy that can reclaim, and
	 * frames enough; rsv_k: frames a refill takes (<= RSV_MAX) */
	int batch;
	unsigned rsv_k;
	unsigned pool_empty; /* the allocator had no frame (atomic; a hint) */
	unsigned mm_writer;  /* a vm_lock holder waits for or excludes readers (atomic) */
	/* per engine thread: key + 1 of the victim its fault is evicting,
	 * from the policy's choice until the victim's frame names the new
	 * page (0: none; atomic, hints.c) */
	uint64_t *transit;
	/* short leaf locks of fine-grained faults: page-object creation, the
	 * rmap overflow pool, swap slots (hints.c) */
	unsigned create_lock PB_ALIGNED(PB_CACHELINE);
	unsigned rmo_lock, swap_lock;
	uint32_t epoch PB_ALIGNED(PB_CACHELINE); /* policy misses (atomic; abit hints) */
	int failed;
	int fail_claimed; /* the first vm_fail owns err (atomic exchange) */
	char err[256];
	struct vm_thread *thr; /* nthreads, pb_map'ed */
	/* page-object index (page.c): namespace -> directory -> leaf of
	 * object index + 1; every chunk mapped is listed for destroy, the
	 * directories and leaves carved from the last one's rest (pchunk) */
	uint32_t ***pdir;
	struct vm_pidx_map *pmaps;
	size_t npmaps, pmaps_cap;
	char *pchunk;
	size_t pchunk_left;
	/* per-frame TLB masks and the rmap overflow pool (evict.c) */
	struct vm_frame *frm;
	struct vm_rmap_node *rmo;
	uint32_t rmo_cap, rmo_n, rmo_free;
	/* one engine thread only: the PTE the last vm_map_page installed and
	 * its priv_key + 1 (0: none; an unmap of it clears it), so the fill
	 * after a fault need not walk again */
	uint64_t mapped_key, mapped_pte;
	uint64_t lock_spin_ns; /* a contended lock spins this long before sleeping (hints.c) */
	unsigned policy_lock PB_ALIGNED(PB_CACHELINE); /* hints.c */
	struct vm_vmas *vma;			       /* regions (vma.c), NULL: none configured */
	struct vm_huge *huge;			       /* thp != never (huge.c), else NULL */
	uint8_t *oom_dead;   /* asid -> killed (atomic bytes; swap.c), or NULL */
	unsigned oom_ndead;  /* processes killed (atomic: read by the hit path) */
	uint32_t *oom_count; /* scratch: pages per asid (swap.c) */
};

/* What a prepaging strategy learns of the fault it follows (lock held). */
struct vm_fault_ctx {
	struct vm_thread *t;
	const struct pb_access *a;
	uint64_t vpn, pos;
	struct vm_page *p; /* the page just mapped */
	int major;	   /* the fault waited for I/O */
	uint64_t slot;	   /* the swap slot p was read from, UINT64_MAX: none
			    * (p->slot is gone once a write mapped p) */
};

/* ---- keys (page.c) ---- */
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

/* The key of a private page (asid's own namespace). */
static inline uint64_t priv_key(pb_asid_t as, uint64_t vpn)
{
	return pb_page_key(as, vpn, 0);
}

/* The key of a page in a shared namespace (file, shared anonymous, COW
 * original): the same formula with the kind's region bit. */
static inline uint64_t shared_key(enum pg_kind k, uint64_t vpn)
{
	unsigned f = k == K_FILE ? PB_PAGE_FILE : k == K_SHM ? PB_PAGE_SHARED : PB_PAGE_COW;
	return pb_page_key(0, vpn, f);
}

/* The policy key of the page an access (as, vpn, flags) touches where
 * nothing is mapped yet: pb_page_key_rw without the write, whose
 * copy-on-write case never applies here (the mapping is writable exactly
 * where no write copies), so the namespace follows from the region bits
 * alone: none, the asid's; else the first of file, shared, COW original. */
static inline uint64_t access_key(pb_asid_t as, uint64_t vpn, uint16_t flags)
{
	return pb_page_key_rw(as, vpn, flags, 0);
}

static inline enum pg_kind key_kind(uint64_t key)
{
	uint64_t ns = key >> PB_PAGE_VPN_BITS;
	return ns == PB_PAGE_NS_FILE  ? K_FILE
	       : ns == PB_PAGE_NS_SHM ? K_SHM
	       : ns == PB_PAGE_NS_COW ? K_COWORIG
				      : K_ANON;
}

/* ---- page objects (page.c); fault path, lock held ---- */
struct vm_pidx_map {
	void *p;
	size_t bytes;
};
int vm_pages_grow(struct pb_vm *vm);
/* Unmap the page-object table and its index (destroy). */
void vm_pages_free(struct pb_vm *vm);
/* Find the object of key; create it (not resident, no slot) if `create`.
 * Creation may move every object (array growth). */
struct vm_page *vm_page_get(struct pb_vm *vm, uint64_t key, int create);
/* The page-object index (page.c): namespace -> directory -> leaf. */
#define PIDX_NS	       (1u << (64 - PB_PAGE_VPN_BITS)) /* namespaces: 65536 */
#define PIDX_LEAF_BITS 16
#define PIDX_DIR_BITS  21 /* vpn < 2^(21 + 16) */
/* The index slot of key if its directory and leaf exist, else NULL
 * (acquire: both are published by release stores, page.c). */
static inline uint32_t *vm_pidx_find(struct pb_vm *vm, uint64_t key)
{
	uint64_t ns = key >> PB_PAGE_VPN_BITS, vpn = key & PB_PAGE_VPN_MASK;
	if (pb_unlikely(vpn >> (PIDX_DIR_BITS + PIDX_LEAF_BITS)))
		return NULL;
	uint32_t **dir = pb_atomic_load(&vm->pdir[ns], PB_ACQUIRE);
	if (pb_unlikely(!dir))
		return NULL;
	uint32_t *leaf = pb_atomic_load(&dir[vpn >> PIDX_LEAF_BITS], PB_ACQUIRE);
	if (pb_unlikely(!leaf))
		return NULL;
	return &leaf[vpn & ((1u << PIDX_LEAF_BITS) - 1)];
}
/* The object of key, NULL if it has none: vm_page_get without create,
 * inline (every fault finds its page and its victim's; acquire: see
 * page_new). */
static inline struct vm_page *vm_page_find(struct pb_vm *vm, uint64_t key)
{
	uint32_t *i = vm_pidx_find(vm, key);
	uint32_t n = pb_likely(i != NULL) ? pb_atomic_load(i, PB_ACQUIRE) : 0;
	return pb_likely(n) ? &vm->pages[n - 1] : NULL;
}
/* vm_pidx_find through a memo of the last leaf it found (struct
 * vm_pidx_memo above): a stream of references finds most of its slots in
 * one or two leaves of 65536 pages. */
static inline uint32_t *vm_pidx_find_memo(struct pb_vm *vm, uint64_t key, struct vm_pidx_memo *m)
{
	uint64_t blk = (key >> PIDX_LEAF_BITS) + 1, off = key & ((1u << PIDX_LEAF_BITS) - 1);
	if (pb_likely(m->blk == blk))
		return &m->leaf[off];
	uint32_t *i = vm_pidx_find(vm, key);
	if (i) {
		m->blk = blk;
		m->leaf = i - off;
	}
	return i;
}
/* vm_page_find through memo m (vm_pidx_find_memo). */
static inline struct vm_page *vm_page_find_memo(struct pb_vm *vm, uint64_t key,
						struct vm_pidx_memo *m)
{
	uint32_t *i = vm_pidx_find_memo(vm, key, m);
	uint32_t n = pb_likely(i != NULL) ? pb_atomic_load(i, PB_ACQUIRE) : 0;
	return pb_likely(n) ? &vm->pages[n - 1] : NULL;
}
/* Start loading the object index slot i names (cached by now), if any. */
static inline void vm_page_prefetch_obj(struct pb_vm *vm, const uint32_t *i)
{
	/* relaxed atomics: several engine CPUs call this outside any lock
	 * (batched free order); only an address is computed from them */
	uint32_t n = pb_atomic_load(i, PB_RELAXED);
	if (!n)
		return;
	/* 48-byte objects: the first byte's line, and the last byte's when
	 * the object straddles two */
	const char *p = (const char *)&pb_atomic_load(&vm->pages, PB_RELAXED)[n - 1];
	__builtin_prefetch(p);
	if (((uintptr_t)p & (PB_CACHELINE - 1)) + sizeof(struct vm_page) > PB_CACHELINE)
		__builtin_prefetch(p + sizeof(struct vm_page) - 1);
}
/* One engine thread: start loading the vm_frame of the frame of the object
 * index slot i names (slot and object cached by now), if resident: the
 * address of the PTE its eviction clears (evict.c). */
static inline void vm_page_prefetch_frame(struct pb_vm *vm, const uint32_t *i)
{
	if (!*i)
		return;
	uint64_t pfn = vm->pages[*i - 1].pfn;
	if (pfn != UINT64_MAX)
		__builtin_prefetch(&vm->frm[pfn]);
}
/* The next step (the vm_frame cached by now): that PTE itself, through the
 * word its fault mapped (no walk; a stale word is still a PT page's, see
 * struct vm_frame, and a prefetch changes nothing). */
static inline void vm_page_prefetch_word(struct pb_vm *vm, const uint32_t *i)
{
	if (!*i)
		return;
	uint64_t pfn = vm->pages[*i - 1].pfn;
	if (pfn != UINT64_MAX && vm->frm[pfn].pte)
		__builtin_prefetch(vm->frm[pfn].pte);
}
/* Start loading what vm_page_get(key) reads into the CPU cache: its index
 * slot (stage 0), or, once that is cached, the object (stage 1).  No effect
 * on any result.  Fault-path thread, inside an epoch section. */
static inline void vm_page_prefetch(struct pb_vm *vm, uint64_t key, int stage)
{
	uint32_t *i = vm_pidx_find(vm, key);
	if (!i)
		return;
	if (!stage)
		__builtin_prefetch(i);
	else
		vm_page_prefetch_obj(vm, i);
}
/* The same with create for fine-grained faults (any thread, mm read
 * side): 0 and the object, -EAGAIN when the table must grow (objects
 * move: only under vm_lock), -ENOMEM. */
int vm_page_get_mt(struct pb_vm *vm, uint64_t key, struct vm_page **out);

/* ---- lock, errors, hints (hints.c) ---- */
/* The whole machine (today's fault lock; with fine-grained faults the
 * write side of the mm lock: waits until no fine fault is in progress). */
void vm_lock(struct pb_vm *vm);
void vm_unlock(struct pb_vm *vm);
/* The read side (fine-grained faults only): any number of threads, each
 * faulting under its page's lock. */
void vm_mm_read_lock(struct pb_vm *vm, struct vm_thread *t);
void vm_mm_read_unlock(struct pb_vm *vm, struct vm_thread *t);
/* Page lock (PGS_LOCKED) and waits on a page's state; each returns
 * nonzero, without the lock, when the engine failed meanwhile. */
int vm_page_lock(struct pb_vm *vm, struct vm_page *p);
void vm_page_unlock(struct vm_page *p);
int vm_page_wait(struct pb_vm *vm, struct vm_page *p, unsigned bits);
/* After clearing PGS_LOCKED or PGS_EVICT by a seq_cst RMW: wake the page
 * waits that sleep (hints.c). */
void vm_page_wake(void);
/* Is key a victim in transit (policy lock held, or after the acquire of
 * vm_transit_wait)?  Wait until it is not (no lock held): 0, or nonzero
 * when the engine failed meanwhile. */
int vm_in_transit(struct pb_vm *vm, uint64_t key);
int vm_transit_wait(struct pb_vm *vm, uint64_t key);
/* A leaf lock (create_lock, rmo_lock, swap_lock): taken only with
 * fine-grained faults (a writer or one thread excludes everyone anyway). */
void vm_leaf_lock(struct pb_vm *vm, unsigned *w);
void vm_leaf_unlock(struct pb_vm *vm, unsigned *w);
/* The policy lock: every policy call (inside the fault lock, or alone for
 * a flush of hints that know their frames). */
uint64_t vm_lock_spin_ns(unsigned nthreads);
void vm_plock(struct pb_vm *vm);
void vm_punlock(struct pb_vm *vm);
/* Record the first failure (any thread). */
void vm_fail(struct pb_vm *vm, int rc, const char *msg);
/* One page for another in the policy (hints.c), policy lock held and
 * still held on return (the caller renames frames in the same section):
 * old_key leaves the policy (UINT64_MAX: none, a page already out or a
 * frame known free), then r->key is referenced, which must insert it
 * without an eviction (PB_POL_MISS).  Counts one policy call, moves the
 * accessed-bit epoch where the policy reads it (pol_hw).  0, or -EPROTO
 * after vm_fail: "WHAT: the policy ... (engine/policy out of sync)", saying
 * which of the three went wrong. */
int vm_policy_replace(struct pb_vm *vm, struct vm_thread *t, uint64_t old_key,
		      const struct pb_ref *r, const char *what);
/* Apply t's pending hints: the fault lock held, or every pending hint
 * knows its frame (pb_vm_flush_hints chooses); takes the policy lock. */
void vm_apply_hints(struct pb_vm *vm, struct vm_thread *t);
/* The same with the policy lock held (a fine-grained fault applies them
 * in its own policy section: one lock hand-over fewer); prefetch: the
 * frame names the check will read, before taking the lock. */
void vm_apply_hints_locked(struct pb_vm *vm, struct vm_thread *t);
void vm_hints_prefetch(struct pb_vm *vm, const struct vm_thread *t);
void vm_batch_hints_full(struct pb_vm *vm, struct vm_thread *t); /* batch.c */
/* A hint the policy missed (engine and policy out of sync): fail. */
void vm_hint_missed(struct pb_vm *vm);
/* Queue a hit for the policy; applies the batch when full (takes the
 * lock).  Inline: it is on the hit path.  One engine CPU applies it at
 * once: a batch there would only delay it to the next flush, which comes
 * before any other policy call (the next fault, the chunk's end), so the
 * policy sees the same stream in the same order; nhints then only counts
 * the hints a batch would hold, so hint_flushes stays what batching
 * gives (pb_vm_flush_hints). */
static inline void vm_hint_at(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pfn,
			      uint64_t pos, uint64_t next, unsigned write)
{
	if (vm->cfg.nthreads == 1) {
		struct pb_ref r = {.key = key, .pos = pos, .next_use = next, .write = write};
		uint64_t victim;
		if (pb_unlikely(vm->cfg.policy->access(vm->pol, &r, &victim) != PB_POL_HIT))
			vm_hint_missed(vm);
		t->st.policy_calls++;
		if (pb_unlikely(++t->nhints >= HINT_BATCH)) {
			t->nhints = 0;
			t->st.hint_flushes++;
		}
		return;
	}
	t->hint_pfn[t->nhints] = pfn;
	struct pb_ref *r = &t->hints[t->nhints++];
	r->key = key;
	r->pos = pos;
	r->next_use = next;
	r->write = write;
	if (pb_unlikely(t->nhints >= t->hint_at)) {
		if (vm->batch)
			vm_batch_hints_full(vm, t);
		else
			pb_vm_flush_hints(vm, (unsigned)(t - vm->thr));
	}
}

static inline void vm_hint(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos,
			   uint64_t next, unsigned write)
{
	vm_hint_at(vm, t, key, UINT64_MAX, pos, next, write);
}

/* A hit on the page in frame pfn (named by pfn_key[]). */
static inline void vm_hint_pfn(struct pb_vm *vm, struct vm_thread *t, uint64_t pfn, uint64_t pos,
			       uint64_t next, unsigned write)
{
	/* relaxed: published by the PTE's release (fault.c) */
	vm_hint_at(vm, t, pb_atomic_load(&vm->pfn_key[pfn], PB_RELAXED), pfn, pos, next, write);
}

/* ---- batched free order (batch.c) ---- */
/* fault_fine: the exclusive path (vm_lock) must handle this fault. */
#define VM_FINE_FALLBACK 2
/* vm_fault_batch: mapped, and the faulting thread's TLB filled already
 * (under the mm read side; batch.c): the access is satisfied. */
#define VM_FINE_FILLED 3
/* Decide at creation whether the engine batches (sets batch, rsv_k). */
void vm_batch_init(struct pb_vm *vm);
/* The fault of anonymous private page p (mm read side held, p not locked):
 * 0, -errno, VM_FINE_FALLBACK or VM_FINE_FILLED. */
int vm_fault_batch(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a,
		   struct vm_page *p, uint64_t pos, uint64_t next);
/* A fine fault's end: fill p (its frame set), count it minor or major, map
 * it at (as, vpn), drop its page lock.  0 or -errno. */
int vm_fine_map(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, pb_asid_t as,
		uint64_t vpn, unsigned write);
/* Apply t's pending insertions (policy lock held, t's fault state owned). */
void vm_batch_apply_ins(struct pb_vm *vm, struct vm_thread *t);
/* A vm_lock holder (every reader out): every thread's insertions applied,
 * their reserves back to the allocator. */
void vm_batch_drain_all(struct pb_vm *vm);
/* t's own insertions and hints applied; with release, its reserve goes
 * back to the allocator too (the thread's last chunk, pb_vm_flush_hints). */
void vm_batch_flush(struct pb_vm *vm, struct vm_thread *t, int release);

/* ---- fault path (fault.c), lock held ---- */
struct vm_page *vm_make_resident(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos,
				 uint64_t next, unsigned write, int *was_resident);
/* vm_make_resident for a page brought in ahead of use (no next use, a
 * read) while the fault's own page pin is held: if the policy names pin
 * as the victim, pin stays and key is not brought in (NULL with
 * *was_resident = -1; vm->failed unset). */
struct vm_page *vm_make_resident_pinned(struct pb_vm *vm, struct vm_thread *t, uint64_t key,
					uint64_t pos, uint64_t pin, unsigned pin_write,
					int *was_resident);
int vm_fill(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, int prepaged);
int vm_map_page(struct pb_vm *vm, pb_asid_t as, uint64_t vpn, struct vm_page *p, int writable,
		int dirty, int accessed);

/* ---- reverse map and TLB tracking (evict.c), lock held ---- */
/* Add / remove the mapping (as, vpn) of resident page p.  add: 0,
 * -EEXIST, -ENOMEM; remove: 0 or -ENOENT.  add is inline for a page's
 * first mapping (the inline slot: every fault); vm_rmap_add_more the rest. */
int vm_rmap_add_more(struct pb_vm *vm, struct vm_page *p, uint64_t m);
static inline int vm_rmap_add(struct pb_vm *vm, struct vm_page *p, pb_asid_t as, uint64_t vpn)
{
	uint64_t m = priv_key(as, vpn) + 1;
	if (pb_likely(!p->map && !p->more)) {
		p->map = m;
		return 0;
	}
	return vm_rmap_add_more(vm, p, m);
}
int vm_rmap_remove(struct pb_vm *vm, struct vm_page *p, pb_asid_t as, uint64_t vpn);
/* Unmap (and shoot down) every mapping of p, emptying its reverse map:
 * returns whether it was dirty (p->dirty or a PTE's D; p->dirty cleared). */
int vm_rmap_unmap_all(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p);
/* The same for the mappings of p in address space as only (OOM kill); a
 * dirty PTE sets p->dirty. */
void vm_rmap_unmap_as(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, pb_asid_t as);
/* A thread filled its TLB with a translation to pfn: the next unmap of the
 * frame must shoot it down.  Call between pb_tlb_fill and the fence before
 * the PTE is read again (the Dekker pair with vm_unmap_one); any thread, no
 * lock.  One thread needs no mask: its own TLB is always checked. */
static inline void vm_tlb_note(struct pb_vm *vm, const struct vm_thread *t, uint64_t pfn)
{
	if (vm->cfg.nthreads == 1)
		return;
	unsigned i = (unsigned)(t - vm->thr);
	uint64_t bit = 1ULL << (i < 63 ? i : 63);
	/* relaxed: the fence after the fill orders it before the PTE re-read.
	 * Only this thread sets its bit, so a bit seen set was set by its own
	 * earlier RMW, itself before that fence: the Dekker pair still holds */
	if (!(pb_atomic_load(&vm->frm[pfn].cpus, PB_RELAXED) & bit))
		(void)pb_atomic_fetch_or(&vm->frm[pfn].cpus, bit, PB_RELAXED);
}

/* pb_vm_check's part for frames and the reverse map (quiescent): 0 /
 * -EINVAL with a message. */
int vm_rmap_check(struct pb_vm *vm, char *err, size_t errlen);

/* ---- eviction (evict.c), lock held ---- */
uint64_t vm_unmap_one(struct pb_vm *vm, struct vm_thread *self, pb_asid_t as, uint64_t vpn);
/* After a PTE of frame pfn was cleared: a full fence, then kill(tkey) in
 * the TLB of every other thread in the frame's CPU mask (counted as
 * shootdowns).  Several threads only. */
void vm_shoot_others(struct pb_vm *vm, struct vm_thread *self, uint64_t pfn, uint64_t tkey,
		     int (*kill)(struct pb_tlb *, uint64_t));
/* The TLB kills vm_unmap_one deferred (self->shoot_defer): own TLB, one
 * full fence, then each other thread's TLB once for the keys of frames in
 * its mask.  Before any deferred frame is reused or its page remapped. */
void vm_shoot_flush(struct pb_vm *vm, struct vm_thread *self);
/* Evict the page of object p (NULL: -EPROTO; the policy's victim): unmap
 * everywhere, write out if dirty.  Its frame stays allocated, counted
 * resident and named p's until the caller renames it for the page it hands
 * it to (fault.c); *pfn: that frame (UINT64_MAX: none handed over - a
 * 2 MiB victim or an OOM kill returned memory to the allocator). */
int vm_evict_take(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, uint64_t *pfn);
/* A fine-grained fault's eviction of victim p (in transit, its fault
 * finished): unmap, write out, not resident; the caller renames its frame
 * for the faulting page, and resident is unchanged (fault.c). */
int vm_evict_fine(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p);

/* ---- prepaging helpers (prepage.c), lock held ---- */
/* Is there something on the backing store to prepage for key? */
int vm_prepage_readable(struct pb_vm *vm, uint64_t key);
/* Bring one page in ahead of use (not mapped), unless it would evict the
 * faulting page (vm->prepage_pin): then it and the rest of the window
 * stay out (vm->prepage_stop). */
void vm_prepage_one(struct pb_vm *vm, struct vm_thread *t, uint64_t key, uint64_t pos);

/* ---- regions: protection, the kernel region, isolation (vma.c) ---- */
#define VM_PTE_U  0x4ULL       /* user-accessible (x86 U/S) */
#define VM_PTE_G  0x100ULL     /* global (the kernel region) */
#define VM_PTE_NX (1ULL << 63) /* no execute */
/* Install the engine's 4 KiB PTE through its leaf word w, known already
 * (a single-caller radix table's: pb_pt_leaf, pb_pt_prefetch_leaf): as
 * pb_pt_map, -EEXIST where a leaf is, else one release store of pte's
 * frame and flags (a valid leaf: VM_PTE_MK).  vm_pt_set's one-CPU path;
 * the one-thread fault calls it with the address its access read. */
static inline int vm_pt_set_word(uint64_t *w, uint64_t pte)
{
	if (pb_atomic_load(w, PB_RELAXED))
		return -EEXIST;
	uint64_t flags = pte & (VM_PTE_W | VM_PTE_A | VM_PTE_D | VM_PTE_U | VM_PTE_G | VM_PTE_NX);
	pb_atomic_store(w, pb_pte_mk(PB_PFN(VM_PTE_PFN(pte)), flags), PB_RELEASE);
	return 0;
}
/* With regions, the kernel region's PTEs live in this one address space
 * (the page tables every process shares, as Linux's kernel half), so one
 * TLB entry serves every process: a global entry. */
#define VM_KERNEL_AS  VM_ASID_MAX
#define VM_TLBE_SUPER PB_TLBE_USER2 /* supervisor-only translation */
#define VM_TLBE_NX    PB_TLBE_USER3 /* not executable */
struct vm_vmas;
/* Copy and check cfg.regions (none: vm->vma stays NULL).  0 / -errno. */
int vm_vma_init(struct pb_vm *vm, char *err, size_t errlen);
void vm_vma_fini(struct pb_vm *vm);
/* Before the TLB: an access to the kernel region goes to VM_KERNEL_AS (a
 * copy in *tmp); NULL after vm_fail when the workload uses that asid. */
const struct pb_access *vm_vma_access(struct pb_vm *vm, const struct pb_access *a,
				      struct pb_access *tmp);
/* Fault path, lock held: 1 = protection fault (counted, map nothing), 0 =
 * allowed (t->vma set), -errno (flags disagree with the region's kind). */
int vm_vma_fault_check(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a);
/* PTE bits for mapping page `key` at (as, vpn): U, G, NX from the region,
 * W and D cleared where the region or the page's sharing forbids writing;
 * 0: no region there (do not map).  Lock held. */
uint64_t vm_vma_pte_bits(struct pb_vm *vm, pb_asid_t as, uint64_t vpn, uint64_t key, uint64_t bits);
/* May a 2 MiB page map (as, base..+511) for a?  1 with *bits narrowed to
 * the region's (vma.c), 0: the 4 KiB path decides. */
int vm_vma_huge_ok(struct pb_vm *vm, const struct pb_access *a, uint64_t base, uint64_t *bits);
/* A cached translation the access may not use without the fault path's
 * check (hit path; with no regions every entry has neither bit). */
static inline int vm_tlbe_denied(unsigned flags, const struct pb_access *a)
{
	return ((flags & VM_TLBE_SUPER) && !(a->flags & PB_ACC_KERNEL)) ||
	       ((flags & VM_TLBE_NX) && a->op == PB_OP_FETCH);
}
/* The same for a PTE found by a walk (no regions: every PTE has U). */
static inline int vm_pte_denied(uint64_t pte, const struct pb_access *a)
{
	return (!(pte & VM_PTE_U) && !(a->flags & PB_ACC_KERNEL)) ||
	       ((pte & VM_PTE_NX) && a->op == PB_OP_FETCH);
}
/* Every leaf of every address space's table: cb(arg, as, vpn, pte) until
 * it returns nonzero (returned).  Quiescent point. */
int vm_pt_each(struct vm_pt *pt, int (*cb)(void *arg, pb_asid_t as, uint64_t vpn, uint64_t pte),
	       void *arg);
/* ---- CPU caches in front of DRAM (caches.c) ---- */
/* Give every engine CPU its hierarchy when cfg.caches has a level.  0 or
 * -ENOMEM / -EINVAL with a message. */
int vm_caches_init(struct pb_vm *vm, char *err, size_t errlen);
void vm_caches_fini(struct pb_vm *vm);
/* tid's cache events into out (the l1d_hits .. l3_misses fields). */
void vm_caches_stats(const struct pb_vm *vm, unsigned tid, struct pb_vm_stats *out);
/* The cache terms of the cost model for the counts s (off: none). */
void vm_caches_cost(const struct pb_vm *vm, const struct pb_vm_stats *s, struct pb_cost_events *e);
/* The access itself, after translation gave the frame: the physical
 * address (pfn, offset within the page) through the owner's hierarchy;
 * fetches through L1i.  Owner thread only.  The test inline, the access
 * out of line (caches.c): GCC had outlined the whole, so every reference
 * of an engine without caches (the default) paid a call to learn that. */
void vm_cache_access(struct vm_thread *t, uint64_t pfn, uint64_t addr, int fetch);
static inline void vm_cache_touch(struct vm_thread *t, uint64_t pfn, uint64_t addr, int fetch)
{
	if (pb_unlikely(t->caches != NULL))
		vm_cache_access(t, pfn, addr, fetch);
}
/* ---- huge pages (huge.c) ---- */
/* 2 MiB leaf for (as, vpn 512-aligned) (vm_pt.c). */
int vm_pt_set_huge(struct vm_pt *pt, pb_asid_t as, uint64_t vpn, uint64_t pte);
int vm_huge_init(struct pb_vm *vm, char *err, size_t errlen);
void vm_huge_fini(struct pb_vm *vm);
/* The access path of a THP engine, before the 4 KiB one: 0 done, 1 not
 * a 2 MiB page (the 4 KiB path takes it), -errno. */
int vm_huge_access(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a, uint64_t pos,
		   uint64_t next);
/* Evict the 2 MiB page holding p (the policy's victim).  Lock held. */
int vm_huge_evict(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p);
/* Free the 2 MiB page holding p without writing it (OOM kill); skip: a
 * key already out of the policy.  Lock held. */
void vm_huge_free(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, uint64_t skip);
/* TLB tags of 2 MiB translations (bit 47: above every vpn). */
#define VM_HUGE_TBIT (1ULL << 47)
/* pb_vm_check's part for 2 MiB pages and translations: 0 / -EINVAL. */
int vm_huge_check(struct pb_vm *vm, char *err, size_t errlen);

/* ---- swap slots and the OOM killer (swap.c), lock held ---- */
int vm_swap_init(struct pb_vm *vm, char *err, size_t errlen);
void vm_swap_fini(struct pb_vm *vm);
/* A slot for key: a freed one first, else a new one; -ENOSPC when full. */
int vm_swap_take(struct pb_vm *vm, uint64_t key, uint64_t *slot);
/* Release p's slot (its copy is stale or its owner died). */
void vm_swap_release(struct pb_vm *vm, struct vm_page *p);
/* Before a dirty anonymous victim p is written out (n pages: 512 for a
 * 2 MiB page): 0: n slots are there (p->slot set when n == 1); 1: p is
 * gone (an OOM kill freed it); 2: p's owner is dead: drop it; 3: an OOM
 * kill freed memory, p stays resident (back in the policy, unmapped);
 * -errno. */
int vm_swap_reserve(struct pb_vm *vm, struct vm_thread *t, struct vm_page *p, unsigned n);
/* A page mapped dirty: a swap copy it has is stale (Linux frees swap on
 * write after swap-in). */
static inline void vm_swap_dirtied(struct pb_vm *vm, struct vm_page *p)
{
	if (p->slot != UINT64_MAX && key_kind(p->key) != K_FILE)
		vm_swap_release(vm, p);
}
/* Accesses of a killed process are skipped (counted): 1 if a's is. */
int vm_oom_skip(struct pb_vm *vm, struct vm_thread *t, const struct pb_access *a);
/* After a fault of a process killed meanwhile: free what it got. */
void vm_oom_reap(struct pb_vm *vm, struct vm_thread *t, pb_asid_t as);

#endif
