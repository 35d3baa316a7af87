/* SPDX-License-Identifier: MIT */
/*
 * pagebench/tlb.h - a per-thread, set-associative TLB model (pb_tlb).
 *
 * Each simulated CPU (engine thread) owns one struct pb_tlb: a first-level
 * data TLB, a first-level instruction TLB and a unified second-level TLB
 * (Intel's STLB), each set-associative with true LRU inside a set (a
 * per-set order byte in a 4-way L1, stamps in other L1s, a per-set
 * permutation word in an L2 of up to 16 ways), sized
 * from a named CPU profile (published geometries, see kernels/vm/tlb.c) or
 * from a parameter string "l1=64:4,l1i=128:8,l2=1536:12" (entries:ways;
 * ways 0 means fully associative).  4 KiB translations; 2 MiB ones
 * through the pb_tlb_huge_* calls below (the engine's huge pages).
 *
 * An entry maps a translation key ((asid << 48) | vpn) to a frame plus the
 * PTE permission bits the MMU caches (writable, dirty): a write through an
 * entry whose cached dirty bit is clear must go to the page table (x86
 * sets the PTE dirty bit with a walk), and a write through a read-only
 * entry faults (copy-on-write).
 *
 * Concurrency: the owner thread looks up, fills and updates its TLB; any
 * other thread may call pb_tlb_shootdown() on it at the same time (the
 * simulated IPI).  Tags are atomics: the owner reads them relaxed, a
 * shootdown clears them relaxed; the caller supplies the Dekker fences (the
 * engine clears the PTE, full fence, shoots down; the owner fills, full
 * fence, re-reads the PTE), so a translation can never stay cached after
 * its PTE was cleared.
 */
#ifndef PAGEBENCH_TLB_H
#define PAGEBENCH_TLB_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"

/* Geometry of one TLB array. */
struct pb_tlb_level {
	uint32_t entries; /* 0: the level is absent */
	uint32_t ways;	  /* 0 or == entries: fully associative */
};

/* A CPU's TLB geometry. */
struct pb_tlb_geom {
	const char *name;		  /* profile name, or "custom" */
	const char *source;		  /* where the figures come from */
	struct pb_tlb_level l1d, l1i, l2; /* 4 KiB translations */
	struct pb_tlb_level l1d_2m;	  /* 2 MiB L1 (pb_tlb_huge_init) */
};

/* Named profiles, NULL-terminated (skylake, zen3, zen4, ...). */
extern const struct pb_tlb_geom *const pb_tlb_profiles[];

/*
 * Parse --tlb: a profile name or "l1=E:W[,l1i=E:W][,l2=E:W][,l1_2m=E:W]"
 * (E alone: fully associative; missing levels are absent, except l1i,
 * which copies l1; without l1_2m, 2 MiB translations share l1).  Sets
 * must be powers of two.  Returns 0 or -EINVAL with a one-line message in
 * err.
 */
int pb_tlb_parse(const char *s, struct pb_tlb_geom *out, char *err, size_t errlen);
/* The spec form of a geometry, every level it has ("l1=64:4,l1i=128:8,
 * l2=1536:12,l1_2m=32:4" for skylake; "l1=16,l1i=16" for textbook), which
 * pb_tlb_parse reads back to the same arrays. */
void pb_tlb_geom_str(const struct pb_tlb_geom *g, char *buf, size_t len);

/* One cached translation (owner-private except `tag`). */
struct pb_tlb_entry {
	uint64_t tag; /* key + 1; 0 = invalid.  Atomic (see above). */
	uint64_t pfn;
	uint32_t stamp;	  /* LRU stamp */
	uint32_t hintgen; /* free for the engine (hint batching generation) */
	uint8_t flags;	  /* PB_TLBE_* */
	uint8_t counted;  /* in the per-frame counts (pb_tlb_track_pfns) */
	uint8_t pad[6];
};
#define PB_TLBE_WRITABLE 0x1u
#define PB_TLBE_DIRTY	 0x2u
#define PB_TLBE_USER1	 0x4u /* free for the engine */
#define PB_TLBE_USER2	 0x8u
#define PB_TLBE_USER3	 0x80u /* free for the engine */

struct pb_tlb_array {
	struct pb_tlb_entry *e; /* sets * ways */
	uint32_t sets, ways;	/* sets is a power of two */
	uint32_t set_mask;
	/* an entry was ever inserted (atomic; set once, by the owner, before
	 * that entry's tag): a kill skips an array never filled, such as the
	 * L1i of a workload without fetches.  Ordered as the tags are.  The
	 * L2 is marked at init (every walk fills it). */
	uint32_t filled;
	/* The L2 (2 to 16 ways): each set's recency order as a permutation of
	 * its ways, 4 bits a position, most recent in the low nibble (owner
	 * only), instead of the entries' stamps: a hit and an insert are O(1)
	 * (the victim is the last nibble), no scan of stamps.  NULL: the L1
	 * arrays (perm4 or stamps).  The nibbles above the set's ways are
	 * left undefined (a fill shifts the whole word up one position);
	 * nothing reads them. */
	uint64_t *lru;
	/* With lru: per set 16 one-byte fingerprints of the keys its ways
	 * were last filled with (pb_tlb_fp; owner only, plain memory), so
	 * that the owner's probe compares one 16-byte line at once and loads
	 * only the entries whose fingerprint matches (a remote kill leaves a
	 * stale fingerprint: every candidate's tag is checked).  fp_mask: the
	 * set's ways. */
	uint8_t *fp;
	uint32_t fp_mask;
	/* With lru, for the insert of an absent key into the last position:
	 * the nibbles of positions 0 .. ways - 2 (they move up one) and the
	 * shift of the last position's nibble (the victim way). */
	uint32_t lru_last_shift;
	uint64_t lru_unused;
	/* A 4-way array (the L1d of the Intel profiles, their 2 MiB L1; never
	 * the L2): each set's recency order in one byte, 2 bits a position,
	 * the most recent in the low bits (owner only), instead of stamps: a
	 * hit is one load of pb_tlb_perm4_front and one store, an insert of an
	 * absent key takes the last position's way (a shift), no scan.  NULL:
	 * stamps.  An unshared TLB keeps a set's killed ways last (as the
	 * L2's), so its invalid ways are the ones an insert takes first. */
	uint8_t *perm4;
};

/* [order][way]: the order byte of a 4-way set once `way` (which the order
 * holds) becomes the most recent (tlb.c; rows of bytes that are no
 * permutation are never read). */
extern const uint8_t pb_tlb_perm4_front[256][4];

struct pb_tlb_stats {
	uint64_t l1_hits, l2_hits, misses; /* misses: page walks */
};

struct pb_tlb {
	struct pb_tlb_array l1d, l1i, l2;
	uint32_t clock;
	struct pb_tlb_stats st;
	void *mem; /* one pb_map'ed block */
	size_t mem_bytes;
	struct pb_tlb_array l1_2m; /* 2 MiB translations (pb_tlb_huge_init) */
	void *mem_2m;
	size_t mem_2m_bytes;
	/* other threads shoot entries down (set by the owner before they
	 * start): an L2-to-L1 copy and a shootdown then fence (tlb.c) */
	int shared;
	/* not shared: key + 1 of the last L2 miss, which the L2 does not hold
	 * until the owner inserts it (0: none); its fill skips the tag scan.
	 * absent_l1: the L1 array that missed it too (the L1 of the lookup's
	 * `fetch`; NULL for a 2 MiB key's), which then does not hold it
	 * either: only a fill inserts a key that missed the L2, and every
	 * fill clears l2_absent */
	uint64_t l2_absent;
	struct pb_tlb_array *absent_l1;
	/* shared, pb_tlb_track_pfns: per frame at least the number of entries
	 * (all levels) that translate to it; pb_tlb_may_hold */
	uint32_t *held;
	uint64_t held_n;
};

int pb_tlb_init(struct pb_tlb *t, const struct pb_tlb_geom *g) PB_MUST_CHECK;
void pb_tlb_fini(struct pb_tlb *t);
/*
 * Count, per frame below n, the entries of a shared TLB that translate to
 * it (owner only, called while the TLB is empty: batched free order), so
 * that another thread's shootdown can skip a TLB that cannot hold a frame
 * (pb_tlb_may_hold).  A count may run high (an entry another thread shot
 * down stays counted until the owner reuses its way), never low.  An
 * unshared TLB keeps no counts: its owner's probe through the L2's
 * fingerprints costs less than keeping them.  0 / -ENOMEM.
 */
int pb_tlb_track_pfns(struct pb_tlb *t, uint64_t n) PB_MUST_CHECK;
/* 0 when no entry of t translates to `pfn` (a shootdown of any key that
 * maps it would find nothing), 1 when one may (or nothing is tracked). */
static inline int pb_tlb_may_hold(const struct pb_tlb *t, uint64_t pfn)
{
	/* relaxed: another thread's shootdown reads the owner's count after
	 * its fence; the owner's fill counts before its own (Dekker) */
	return !t->held || pfn >= t->held_n || pb_atomic_load(&t->held[pfn], PB_RELAXED) != 0;
}
/* Invalidate everything (owner only). */
void pb_tlb_flush_all(struct pb_tlb *t);

static inline uint32_t pb_tlb_hash(uint64_t key)
{
	/* vpn bits dominate; mix the asid in so processes spread over sets */
	return (uint32_t)(key ^ (key >> 48) * 0x9e37u);
}

/* A key's fingerprint in its set (the high bits of a multiplicative hash:
 * independent of the set index, which the low vpn bits choose). */
static inline uint8_t pb_tlb_fp(uint64_t key)
{
	return (uint8_t)((key * 0x9e3779b97f4a7c15ULL) >> 56);
}

/* The first of the four entries at s tagged `tag`, or NULL. */
static inline struct pb_tlb_entry *pb_tlb_way_find4(struct pb_tlb_entry *s, uint64_t tag)
{
	if (pb_atomic_load(&s[0].tag, PB_RELAXED) == tag)
		return &s[0];
	if (pb_atomic_load(&s[1].tag, PB_RELAXED) == tag)
		return &s[1];
	if (pb_atomic_load(&s[2].tag, PB_RELAXED) == tag)
		return &s[2];
	if (pb_atomic_load(&s[3].tag, PB_RELAXED) == tag)
		return &s[3];
	return NULL;
}

/* The first of the `ways` entries at s tagged `tag`, or NULL.  Unrolled by
 * four: a load, a compare and a branch a way (the plain loop spent eight
 * instructions a way, and an L2 miss scans every way); a set of four (the
 * L1d of the Intel profiles, probed on every reference) without the loop's
 * counting. */
static inline struct pb_tlb_entry *pb_tlb_way_find(struct pb_tlb_entry *s, uint32_t ways,
						   uint64_t tag)
{
	if (ways == 4)
		return pb_tlb_way_find4(s, tag);
	uint32_t w = 0;
	for (; w + 4 <= ways; w += 4, s += 4) {
		struct pb_tlb_entry *e = pb_tlb_way_find4(s, tag);
		if (e)
			return e;
	}
	for (; w < ways; w++, s++)
		if (pb_atomic_load(&s->tag, PB_RELAXED) == tag)
			return s;
	return NULL;
}

static inline struct pb_tlb_entry *pb_tlb_probe(struct pb_tlb_array *a, uint64_t key)
{
	if (!a->sets)
		return NULL;
	const uint32_t ways = a->ways; /* in a register across the atomic loads */
	return pb_tlb_way_find(a->e + (size_t)(pb_tlb_hash(key) & a->set_mask) * ways, ways,
			       key + 1);
}

/*
 * Look a translation up (owner only): L1 (d or i by `fetch`), then L2; an
 * L2 hit is copied into L1.  Returns the entry or NULL on a miss (the
 * caller walks the page table and calls pb_tlb_fill).  Counts l1/l2 hits
 * and misses.
 */
static inline struct pb_tlb_entry *pb_tlb_lookup(struct pb_tlb *t, uint64_t key, int fetch);
/* pb_tlb_lookup's L2 step: call it only after the L1 a (t's l1d or l1i)
 * missed the key (its copy into a takes a way without looking for the
 * key); h: pb_tlb_hash(key). */
struct pb_tlb_entry *pb_tlb_lookup_l2(struct pb_tlb *t, struct pb_tlb_array *a, uint64_t key,
				      uint32_t h);
/* pb_tlb_lookup with an L1 of other than 4 ways (stamps) or none. */
struct pb_tlb_entry *pb_tlb_lookup_any(struct pb_tlb *t, uint64_t key, int fetch);

static inline struct pb_tlb_entry *pb_tlb_lookup(struct pb_tlb *t, uint64_t key, int fetch)
{
	struct pb_tlb_array *a = fetch ? &t->l1i : &t->l1d;
	uint8_t *perm = a->perm4;
	if (pb_unlikely(!perm))
		return pb_tlb_lookup_any(t, key, fetch);
	/* a 4-way L1 (the Intel profiles' L1d): four tags without a loop, a
	 * hit's recency by one table load */
	uint32_t h = pb_tlb_hash(key), set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * 4;
	uint64_t tag = key + 1;
	unsigned w;
	if (pb_atomic_load(&s[0].tag, PB_RELAXED) == tag)
		w = 0;
	else if (pb_atomic_load(&s[1].tag, PB_RELAXED) == tag)
		w = 1;
	else if (pb_atomic_load(&s[2].tag, PB_RELAXED) == tag)
		w = 2;
	else if (pb_atomic_load(&s[3].tag, PB_RELAXED) == tag)
		w = 3;
	else
		return pb_tlb_lookup_l2(t, a, key, h);
	perm[set] = pb_tlb_perm4_front[perm[set]][w];
	t->st.l1_hits++;
	return &s[w];
}

/* Install a translation after a walk (owner only), into L1 and L2. */
struct pb_tlb_entry *pb_tlb_fill(struct pb_tlb *t, uint64_t key, uint64_t pfn, unsigned flags,
				 int fetch);
/* Drop one translation from this TLB (owner only; local invlpg). */
void pb_tlb_invalidate(struct pb_tlb *t, uint64_t key);
/* Update cached flags of a translation in every level (owner only). */
void pb_tlb_set_flags(struct pb_tlb *t, uint64_t key, unsigned flags);

/*
 * Remote invalidation (any thread, concurrently with the owner): clears
 * every entry tagged `key`.  Returns 1 if the TLB held it (an IPI was
 * needed), else 0.  The caller issues a full fence between clearing the
 * PTE and calling this.
 */
int pb_tlb_shootdown(struct pb_tlb *t, uint64_t key);

/*
 * 2 MiB translations (the engine's transparent huge pages).  As on
 * Skylake: a separate first-level array (the geometry's l1d_2m, 32
 * entries 4-way) in front of the shared L2 (the STLB holds 4 KiB and
 * 2 MiB entries).  A 2 MiB key is the caller's (the engine sets a bit no
 * 4 KiB key has).  huge_init: 0 / -ENOMEM (an absent level: none, and
 * 2 MiB translations live in L2 only); fini frees it.  huge_l1 probes the
 * 2 MiB L1 (owner; refreshes LRU, counts nothing); huge_l2 probes L2 and
 * copies a hit into the 2 MiB L1 (counts nothing: the caller counts, as
 * the 4 KiB and 2 MiB L1 arrays are looked up at once); huge_fill
 * installs into both; huge_kill drops a key from both (any thread, as
 * pb_tlb_shootdown: returns 1 if held); huge_set_flags updates both.
 */
int pb_tlb_huge_init(struct pb_tlb *t, const struct pb_tlb_level *l1_2m) PB_MUST_CHECK;
void pb_tlb_huge_fini(struct pb_tlb *t);
struct pb_tlb_entry *pb_tlb_huge_l1(struct pb_tlb *t, uint64_t key);
struct pb_tlb_entry *pb_tlb_huge_l2(struct pb_tlb *t, uint64_t key);
struct pb_tlb_entry *pb_tlb_huge_fill(struct pb_tlb *t, uint64_t key, uint64_t pfn, unsigned flags);
int pb_tlb_huge_kill(struct pb_tlb *t, uint64_t key);
void pb_tlb_huge_set_flags(struct pb_tlb *t, uint64_t key, unsigned flags);

/*
 * pb_tlb_shootdown of n keys (n <= 64) at once, as a reclaim batch's
 * flush: every key's L2 kill, one fence, then the L1 kills (one fence for
 * the batch, not one per key).  Returns how many keys the TLB held.
 */
unsigned pb_tlb_shootdown_n(struct pb_tlb *t, const uint64_t *keys, unsigned n);

#endif /* PAGEBENCH_TLB_H */
