/* SPDX-License-Identifier: MIT */
/*
 * pagebench/pt.h - the lock-free page table (pb_pt).
 *
 * One pb_pt is the page table of one address space: it maps virtual page
 * numbers (pb_vpn_t, 4 KiB pages, 48-bit virtual addresses, so vpn < 2^36)
 * to 64-bit PTE words in the x86-64 layout below.  Two implementations sit
 * behind this one interface, chosen by name at creation ("radix" or
 * "hashed", the CLI's --pt):
 *
 *   radix   4-level radix tree of 512-entry page-table pages, exactly the
 *           x86-64 shape (PML4/PDPT/PD/PT), with 4 KiB leaves and 2 MiB
 *           leaves (PS bit in a level-2 entry).  Page-table pages come from
 *           a pre-faulted pool (pb_map) with per-thread slabs; they are
 *           installed by CAS and freed only through epoch reclamation.
 *   hashed  clustered hashed page table (Talluri, Hill & Khalidi, SOSP'95):
 *           one open-addressing (linear probing) array sized from the frame
 *           count; each slot maps 16 consecutive pages (a 64 KiB cluster)
 *           and holds their 16 PTE words inline, so a walk is one hash and
 *           one probe sequence instead of four dependent loads.  4 KiB
 *           leaves only (2 MiB maps: -EOPNOTSUPP).  A cluster slot, once
 *           claimed, stays claimed until pb_pt_destroy (its PTEs return to
 *           none): the table returns -ENOMEM when more distinct clusters
 *           than 3/4 of the slots have ever been touched.
 *
 * PTE words (x86-64): P bit 0, W 1, U 2, A 5, D 6, PS 7 (2 MiB leaf), G 8,
 * NX 63, frame number bits 12..51.  A non-present, non-zero PTE holds a swap
 * entry (SWP bit 9 set; type bits 1..5, offset bits 12..62, as Linux's swap
 * entries) or a file offset (swap type PB_SWP_TYPE_FILE).  0 is "none".  Bit
 * 10 is reserved to the table (a page-table page being torn down) and never
 * reaches a caller.
 *
 * Errors: 0 or -errno.  -EINVAL: vpn >= 2^36 (PB_PT_VPN_LIMIT), misaligned
 * huge vpn or frame, a PTE word that is not a valid leaf, an unknown kind.
 * -EEXIST: the slot (or an overlapping 2 MiB / 4 KiB leaf) is not none.
 * -ENOENT: nothing mapped there.  -ENOMEM: the node pool or hash table is
 * exhausted (nothing is left half-done).  -EOPNOTSUPP: huge leaf on a table
 * without huge support (see pb_pt_features).
 *
 * Concurrency, in one paragraph (a table created `single` has one caller,
 * see pb_pt_cfg): every call may be made from any thread at any time, on
 * any pages, overlapping or not, except create/destroy/check.
 * Readers (lookup, walk) never lock and never write shared memory.  Every
 * update is one atomic RMW (CAS / exchange) on one PTE word, so concurrent
 * updates of different pages never block each other and updates of the same
 * page serialise on its word; each update is linearizable at that RMW
 * (range calls are not atomic over the range: one RMW per leaf).  A
 * successful map / unmap / cmpxchg / exchange / protect is a release (what
 * the caller wrote before it - e.g. the frame's contents - is visible to
 * whoever reads the new PTE; A/D-bit calls are relaxed); a lookup is an
 * acquire load.  The one place a thread may wait: a mapper or huge-map
 * that meets a page-table page being torn down (by pb_pt_unmap_range or a
 * 2 MiB map collapsing an empty PT page) spins until that teardown of at
 * most 512 words finishes or backs off.
 *
 * Epochs: lookup and walk read page-table pages that a concurrent
 * unmap_range may free, so the caller of pb_pt_lookup must be inside an
 * epoch section (pagebench/epoch.h: pb_epoch_enter/exit; hold one around a
 * batch of lookups, it nests).  Every other call enters a section itself.
 */
#ifndef PAGEBENCH_PT_H
#define PAGEBENCH_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"

struct pb_pt; /* one address space's page table (opaque) */

/* ---- PTE word, x86-64 layout ---- */
#define PB_PTE_P	 (1ULL << 0)  /* present */
#define PB_PTE_W	 (1ULL << 1)  /* writable */
#define PB_PTE_U	 (1ULL << 2)  /* user */
#define PB_PTE_A	 (1ULL << 5)  /* accessed */
#define PB_PTE_D	 (1ULL << 6)  /* dirty */
#define PB_PTE_PS	 (1ULL << 7)  /* page size: 2 MiB leaf (level-2 entry) */
#define PB_PTE_G	 (1ULL << 8)  /* global */
#define PB_PTE_SWP	 (1ULL << 9)  /* software bit: non-present entry is a swap/file entry */
#define PB_PTE_RSVD	 (1ULL << 10) /* software bit reserved to the table */
#define PB_PTE_NX	 (1ULL << 63) /* no execute */
#define PB_PTE_PFN_SHIFT 12
#define PB_PTE_PFN_MASK	 0x000ffffffffff000ULL /* bits 12..51 */
#define PB_PTE_PROT_MASK (PB_PTE_W | PB_PTE_U | PB_PTE_NX)
/* Flag bits a caller may give to pb_pte_mk / pb_pte_mk_huge. */
#define PB_PTE_FLAGS_MASK (PB_PTE_W | PB_PTE_U | PB_PTE_A | PB_PTE_D | PB_PTE_G | PB_PTE_NX)

#define PB_PT_VPN_BITS	 36 /* 48-bit virtual addresses, 4 KiB pages */
#define PB_PT_VPN_LIMIT	 (1ULL << PB_PT_VPN_BITS)
#define PB_PT_HUGE_PAGES (1ULL << PB_HUGE_ORDER) /* 512 small pages per 2 MiB leaf */

/* Swap entries: non-present, SWP set, type 0..31 in bits 1..5, offset in
 * bits 12..62 (< 2^51).  Type PB_SWP_TYPE_FILE: the offset is a page offset
 * in the backing file (Linux's old pte_file). */
#define PB_SWP_TYPE_BITS    5
#define PB_SWP_TYPE_MAX	    ((1u << PB_SWP_TYPE_BITS) - 1)
#define PB_SWP_TYPE_FILE    PB_SWP_TYPE_MAX
#define PB_SWP_OFFSET_LIMIT (1ULL << 51)

static inline uint64_t pb_pte_mk(pb_pfn_t pfn, uint64_t flags)
{
	return ((pfn.v << PB_PTE_PFN_SHIFT) & PB_PTE_PFN_MASK) | (flags & PB_PTE_FLAGS_MASK) |
	       PB_PTE_P;
}
/* 2 MiB leaf: pfn must be a multiple of 512 (pb_pt_map checks). */
static inline uint64_t pb_pte_mk_huge(pb_pfn_t pfn, uint64_t flags)
{
	return pb_pte_mk(pfn, flags) | PB_PTE_PS;
}
/* type <= PB_SWP_TYPE_MAX, offset < PB_SWP_OFFSET_LIMIT (truncated otherwise). */
static inline uint64_t pb_pte_mk_swap(unsigned type, uint64_t offset)
{
	return ((uint64_t)(type & PB_SWP_TYPE_MAX) << 1) |
	       ((offset & (PB_SWP_OFFSET_LIMIT - 1)) << PB_PTE_PFN_SHIFT) | PB_PTE_SWP;
}
static inline uint64_t pb_pte_mk_file(uint64_t pgoff)
{
	return pb_pte_mk_swap(PB_SWP_TYPE_FILE, pgoff);
}
static inline bool pb_pte_none(uint64_t pte)
{
	return pte == 0;
}
static inline bool pb_pte_present(uint64_t pte)
{
	return (pte & PB_PTE_P) != 0;
}
static inline bool pb_pte_huge(uint64_t pte)
{
	return (pte & (PB_PTE_P | PB_PTE_PS)) == (PB_PTE_P | PB_PTE_PS);
}
static inline bool pb_pte_is_swap(uint64_t pte)
{
	return (pte & (PB_PTE_P | PB_PTE_SWP)) == PB_PTE_SWP;
}
static inline bool pb_pte_is_file(uint64_t pte)
{
	return pb_pte_is_swap(pte) && ((pte >> 1) & PB_SWP_TYPE_MAX) == PB_SWP_TYPE_FILE;
}
static inline bool pb_pte_writable(uint64_t pte)
{
	return (pte & PB_PTE_W) != 0;
}
static inline bool pb_pte_accessed(uint64_t pte)
{
	return (pte & PB_PTE_A) != 0;
}
static inline bool pb_pte_dirty(uint64_t pte)
{
	return (pte & PB_PTE_D) != 0;
}
/* Frame of a present PTE (for a 2 MiB leaf: its first frame). */
static inline pb_pfn_t pb_pte_pfn(uint64_t pte)
{
	return PB_PFN((pte & PB_PTE_PFN_MASK) >> PB_PTE_PFN_SHIFT);
}
/* Frame backing vpn given the leaf PTE that maps it (4 KiB or 2 MiB). */
static inline pb_pfn_t pb_pte_pfn_at(uint64_t pte, pb_vpn_t vpn)
{
	uint64_t pfn = (pte & PB_PTE_PFN_MASK) >> PB_PTE_PFN_SHIFT;
	if (pte & PB_PTE_PS)
		pfn += vpn.v & (PB_PT_HUGE_PAGES - 1);
	return PB_PFN(pfn);
}
static inline unsigned pb_pte_swp_type(uint64_t pte)
{
	return (unsigned)(pte >> 1) & PB_SWP_TYPE_MAX;
}
static inline uint64_t pb_pte_swp_offset(uint64_t pte)
{
	return (pte >> PB_PTE_PFN_SHIFT) & (PB_SWP_OFFSET_LIMIT - 1);
}

/*
 * Virtual address -> vpn.  va must be canonical (bits 63..47 all equal);
 * the upper half maps to vpns >= 2^35 as in x86-64's PML4 slots 256..511.
 * 0 or -EINVAL (non-canonical).
 */
static inline int pb_pt_va_to_vpn(uint64_t va, pb_vpn_t *out)
{
	int64_t s = (int64_t)(va << 16) >> 16; /* sign-extend bit 47 */
	if ((uint64_t)s != va)
		return -22; /* -EINVAL */
	*out = PB_VPN((va >> PB_PAGE_SHIFT) & (PB_PT_VPN_LIMIT - 1));
	return 0;
}

/* ---- creation ---- */

enum pb_pt_kind { PB_PT_RADIX = 0, PB_PT_HASHED = 1 };
/* NULL-terminated names accepted by pb_pt_create ("radix", "hashed"). */
extern const char *const pb_pt_kinds[];

struct pb_pt_cfg {
	/* Frames this address space may map at once (sizes the hashed table
	 * and the default radix pool).  0: 2^18 (1 GiB). */
	uint64_t nframes;
	/* radix: page-table pages in the pool, root included; 0: derived
	 * from nframes (nframes / 64 + 64, i.e. room for leaves at least 1/8
	 * full).  Beyond it map returns -ENOMEM. */
	uint64_t max_nodes;
	/* hashed: slots (rounded up to a power of two); 0: derived from
	 * nframes (nframes / 4, at least 1024). */
	uint64_t hash_slots;
	/* 1: do not pre-fault the pool / table at creation (cheap creation of
	 * many tables; the first touch of each page then faults). */
	int lazy;
	/* 1: one thread makes every call on this table (an engine of one
	 * simulated CPU; creation and destruction may be on others, ordered
	 * by thread start and join).  Leaf updates are then a plain load and
	 * a release store instead of a locked RMW, and a radix table keeps the
	 * last page-table pages it walked to (8 of them, by 2 MiB block), so
	 * the map after a lookup of the same page does not walk again.  Same
	 * results as 0; a call from a second thread while another runs is a
	 * data race. */
	int single;
};

/*
 * Create: kind "radix" or "hashed" (NULL: "radix"); cfg NULL: defaults.
 * 0, -EINVAL (unknown kind or bad cfg) or -ENOMEM.  Destroy: the caller
 * guarantees no other thread uses pt any more; waits (outside any epoch
 * section of the caller) for pt's retired pages to be reclaimed first.
 */
int pb_pt_create(const char *kind, const struct pb_pt_cfg *cfg, struct pb_pt **out) PB_MUST_CHECK;
void pb_pt_destroy(struct pb_pt *pt);
enum pb_pt_kind pb_pt_kind(const struct pb_pt *pt);
const char *pb_pt_kind_name(const struct pb_pt *pt);
/* Parse a kind name: 0 and *out, or -EINVAL. */
int pb_pt_kind_parse(const char *name, enum pb_pt_kind *out);

#define PB_PT_F_HUGE 0x1u /* 2 MiB leaves supported */
unsigned pb_pt_features(const struct pb_pt *pt);

/* ---- the hot path ---- */

/*
 * Lookup: the leaf PTE word mapping vpn: a present PTE (for a 2 MiB leaf
 * the huge PTE itself, PS set; pb_pte_pfn_at gives vpn's frame), a swap
 * entry, or 0 if none (also 0 for vpn >= 2^36).  Never writes, never locks.
 * Caller: any thread, INSIDE an epoch section (pb_epoch_enter; builds
 * without NDEBUG abort otherwise, as lockdep does for RCU).  Ordering:
 * acquire load of the PTE (the mapper's release pairs with it).
 */
uint64_t pb_pt_lookup(struct pb_pt *pt, pb_vpn_t vpn);
/* Start loading the leaf word of vpn into the CPU cache (walks the levels
 * above it, loads nothing else): a caller that knows its next lookups
 * overlaps their cache misses.  No effect on any result; as lookup, inside
 * an epoch section, any thread (a single table: its caller). */
void pb_pt_prefetch(struct pb_pt *pt, pb_vpn_t vpn);
/* The same, returning the leaf word's address when the table is a radix
 * one and vpn's PT page exists, else NULL (the prefetch is started all the
 * same): a caller that prefetches a few lookups ahead reads the word
 * through it then, without a second walk.  A single-caller table: as
 * pb_pt_leaf without create, and with its validity.  Several callers: only
 * to read (acquire loads; updates go through the calls below), inside the
 * same epoch section, and only while no thread's pb_pt_unmap_range or
 * 2 MiB map covers vpn (either may free its PT page; the epoch keeps the
 * memory, not the mapping). */
uint64_t *pb_pt_prefetch_leaf(struct pb_pt *pt, pb_vpn_t vpn);

/*
 * The leaf word of vpn's 4 KiB page in a single-caller radix table
 * (pb_pt_cfg.single): its address, the page-table pages above it created
 * when create; NULL when there is none and !create, vpn lies in a 2 MiB
 * leaf, the pool is exhausted, vpn >= 2^36, or the table is not a
 * single-caller radix one (use the calls below then).  Its one caller
 * reads the word with an acquire load and writes it with a release store,
 * a valid 4 KiB leaf or 0, with the results of map / unmap / cmpxchg on
 * it: an engine's fault finds the word once and maps through it, with no
 * walk, check or epoch section of its own per update.  Valid until the
 * caller's next pb_pt_unmap_range or 2 MiB map (which may free its page);
 * as lookup, inside an epoch section.
 */
uint64_t *pb_pt_leaf(struct pb_pt *pt, pb_vpn_t vpn, bool create);

/* ---- updates (any thread; each enters an epoch section itself) ---- */

/*
 * Map: install a leaf where there is none.  pte: a present 4 KiB PTE, a
 * present 2 MiB PTE (PS; vpn and frame 512-aligned), or a swap/file entry
 * (4 KiB only).  Creates missing page-table pages (CAS-installed; a loser
 * returns its page to its slab).  A 2 MiB map over an existing PT page that
 * is empty collapses it (the PT page is retired).  0, -EEXIST (a leaf is
 * there, or the 2 MiB range holds a 4 KiB leaf, or the 4 KiB page lies in
 * a 2 MiB leaf), -EINVAL, -ENOMEM, -EOPNOTSUPP.  Release on success.
 */
int pb_pt_map(struct pb_pt *pt, pb_vpn_t vpn, uint64_t pte) PB_MUST_CHECK;

/*
 * Unmap: remove the leaf that maps vpn (4 KiB, swap entry, or a 2 MiB leaf
 * when vpn is its base; inside a 2 MiB leaf but not its base: -EINVAL, no
 * split).  *old (if non-NULL) gets the removed word, with the A/D bits as
 * they were at removal (so a dirty page can be written back).  Page-table
 * pages stay (pb_pt_unmap_range frees them).  0, -ENOENT, -EINVAL.
 * Acquire+release (exchange semantics).
 */
int pb_pt_unmap(struct pb_pt *pt, pb_vpn_t vpn, uint64_t *old);

/*
 * Compare-and-exchange the leaf for vpn: if it equals *expected, replace it
 * with desired (either may be 0 = none; creates page-table pages when
 * needed).  The engine's primitive for transitions such as swap entry ->
 * present (swap-in) or present -> swap entry (eviction, with the A/D bits
 * seen in *expected).  Both words must be 4 KiB leaves, or both 2 MiB
 * leaves / none with vpn 512-aligned.  0 on success; -EAGAIN with *expected
 * updated to the current word when it differed; -EEXIST when the words
 * are 4 KiB ones and vpn lies in a 2 MiB leaf, or expected is none, desired
 * a 2 MiB leaf and the range holds 4 KiB leaves; -EINVAL, -ENOMEM.  Acq_rel
 * on success, acquire on failure.
 */
int pb_pt_cmpxchg(struct pb_pt *pt, pb_vpn_t vpn, uint64_t *expected,
		  uint64_t desired) PB_MUST_CHECK;

/*
 * Exchange: replace whatever 4 KiB leaf vpn has (none, present or swap)
 * with desired (a 4 KiB leaf or 0), returning the word it replaced in *old
 * (0 if none): the engine's "install or replace".  A CAS loop on the word;
 * creates page-table pages when desired != 0.  0, -EEXIST (vpn lies in a
 * 2 MiB leaf), -EINVAL (vpn or a 2 MiB desired), -ENOMEM.  Acq_rel.
 */
int pb_pt_exchange(struct pb_pt *pt, pb_vpn_t vpn, uint64_t desired, uint64_t *old);

/*
 * Accessed / dirty bits of a PRESENT leaf (for a 2 MiB leaf vpn may be any
 * page in it).  Never resurrect a removed PTE: on a none or swap entry they
 * do nothing and return -ENOENT.
 *   test_clear_accessed: 1 if A was set (now cleared), 0 if it was clear
 *     (no write then: cheap for CLOCK scans of cold pages).
 *   test_clear_dirty: likewise for D (after a write-back).
 *   set_accessed: sets A.  set_dirty: sets D only.
 *   touch: what the MMU does on an access, in one RMW: sets A, and D too
 *     when write.
 *   The setters return 0 on success and skip the write when the bits are
 *   already set (the cache line stays shared).
 * Relaxed RMW: the bits are hints that order nothing else (as on x86).
 */
int pb_pt_test_clear_accessed(struct pb_pt *pt, pb_vpn_t vpn);
int pb_pt_test_clear_dirty(struct pb_pt *pt, pb_vpn_t vpn);
int pb_pt_set_accessed(struct pb_pt *pt, pb_vpn_t vpn);
int pb_pt_set_dirty(struct pb_pt *pt, pb_vpn_t vpn);
int pb_pt_touch(struct pb_pt *pt, pb_vpn_t vpn, bool write);

/*
 * Protect: atomically set then clear permission bits (W, U, NX only) of the
 * present leaf mapping vpn.  *old (if non-NULL) gets the word before.  0,
 * -ENOENT, -EINVAL (other bits).  Release.
 */
int pb_pt_protect(struct pb_pt *pt, pb_vpn_t vpn, uint64_t set, uint64_t clear, uint64_t *old);

/* ---- ranges ---- */

/*
 * Walk [start, start + npages) in increasing vpn order and call cb for
 * every non-none leaf (present or swap); a 2 MiB leaf is reported once,
 * with its base vpn (which may lie before start).  cb's non-zero return
 * stops the walk and is returned.  Not a snapshot: each leaf is read once
 * (acquire) and may change right after.  0, -EINVAL (range beyond 2^36) or
 * cb's value.  Enters a section itself; cb runs inside it and may call any
 * pb_pt function except destroy (no spinning waits on other threads).
 * Cost: radix skips absent subtrees; hashed probes every 64 KiB cluster.
 */
int pb_pt_walk(struct pb_pt *pt, pb_vpn_t start, uint64_t npages,
	       int (*cb)(void *arg, pb_vpn_t vpn, uint64_t pte), void *arg);

/*
 * Unmap every leaf in [start, start + npages), calling cb (if non-NULL)
 * with each removed word (same contract as pb_pt_unmap's *old; cb's
 * return is ignored) - e.g. to free the frames or swap slots.  A 2 MiB
 * leaf only partly inside the range is left in place and the call returns
 * -ERANGE after doing the rest.  Radix: page-table pages wholly inside the
 * range that end up empty are frozen, unlinked and retired (reclaimed after
 * an epoch grace period, never under a reader); a page a concurrent mapper
 * refills in the meantime is kept.  0, -EINVAL, -ERANGE.
 */
int pb_pt_unmap_range(struct pb_pt *pt, pb_vpn_t start, uint64_t npages,
		      void (*cb)(void *arg, pb_vpn_t vpn, uint64_t old), void *arg);

/* ---- statistics and invariants ---- */

struct pb_pt_stats {
	uint64_t nodes_total;	/* radix: pool capacity (page-table pages) */
	uint64_t nodes_used;	/* radix: pages allocated to the tree (incl. root) */
	uint64_t nodes_retired; /* radix: unlinked, waiting for a grace period */
	uint64_t nodes_free;	/* radix: free pages (free list + slabs + never used) */
	uint64_t slots_total;	/* hashed: slots */
	uint64_t slots_used;	/* hashed: claimed clusters */
	uint64_t bytes;		/* memory mapped for the table */
};
/* Relaxed snapshot; exact at a quiescent point. */
void pb_pt_stats(struct pb_pt *pt, struct pb_pt_stats *st);

/*
 * Invariant check, at a quiescent point only (no concurrent calls):
 * radix: every entry is none, a leaf, or a pointer to a pool page reachable
 * exactly once; no page is left frozen; 2 MiB leaves are aligned and sit
 * only at level 2; used = reachable pages; used + retired + free = total
 * (no page lost or handed out twice).  hashed: every claimed slot's key
 * hashes to a position whose probe reaches it without crossing an empty
 * slot; the used count matches.  Both: every leaf is valid (present or a
 * swap entry).  If leaves is non-NULL, *leaves gets the number of 4 KiB
 * pages mapped (a 2 MiB leaf counts 512; swap entries count).  0 or
 * -EINVAL with one line in err.
 */
int pb_pt_check(struct pb_pt *pt, uint64_t *leaves, char *err, size_t errlen);

#endif /* PAGEBENCH_PT_H */
