/* SPDX-License-Identifier: MIT */
/*
 * kernels/frames/frames.c - the lock-free frame allocator (pb_frames).
 *
 * How it works
 * ------------
 * Simulated physical memory is a range of 4 KiB frames cut into 2 MiB
 * "areas" of 512 frames; each NUMA node owns a contiguous run of areas.
 * The global structure has two levels, as LLFree (Wrenger et al., "LLFree:
 * Scalable and Optionally-Persistent Page-Frame Allocation", USENIX ATC'23)
 * and unlike a buddy allocator it has no lists and no locks:
 *
 *   bits[]  one bit per frame, 64 per word, 8 words (one cache line) per
 *           area; 1 = used or sitting in a cache.  Frames are claimed with a
 *           CAS that sets several zero bits of a word at once and released
 *           with one fetch-and.
 *   area[]  one 32-bit word per area: how many of its frames are used
 *           (0..512), plus a HUGE flag.  A 2 MiB frame is the single CAS
 *           0 -> HUGE|512: it cannot succeed while any 4 KiB frame of the
 *           area is used, and while it is set no 4 KiB claim can reserve
 *           there, so huge and small frames never overlap.
 *
 * Order of operations keeps one invariant, "set bits <= area count":
 * an allocation first reserves k frames in the area count (CAS, acquire),
 * then claims exactly k zero bits (CAS per word, acquire) -- they must
 * exist, since every reserver takes only what it reserved; a free clears
 * the bit first (fetch-and, release: a bit already clear is a double free,
 * reported and nothing changes) and then decrements the count (release).
 * So an area whose count is 0 has no bit set, which is what makes the
 * one-CAS huge allocation correct, and a count CAS never waits on anyone.
 *
 * In front of it sits an explicit per-thread cache (struct pb_frames_cache,
 * like Linux's per-cpu page lists and LLFree's per-core reservations, but
 * owned by a thread so that its fast path needs no atomic instruction at
 * all): a stack of up to cache_cap frames of the cache's node.  Alloc pops,
 * free pushes.  An empty stack refills cap/2 frames with one area CAS plus
 * one CAS per 64-frame word; a full stack flushes its oldest cap/2 frames
 * grouped by area (a direct-mapped table of 16 areas): one fetch-and per
 * touched word and one fetch-sub per area.  LLFree pays at least one CAS on
 * a shared bitfield for every 4 KiB frame; here a pair is a push and a pop
 * in the common case and a fraction of an atomic otherwise.  A cache also
 * keeps up to FR_HUGE_STASH freed 2 MiB frames (Linux keeps THP-order pages
 * on its per-cpu lists too).  Caches start their searches 64 areas apart
 * and remember where they last claimed, so threads rarely touch the same
 * bitfield line (LLFree gets that from per-core tree reservations).
 * Optionally (PB_FRAMES_REMOTE) an overflowing cache sends frames other
 * caches claimed back to them in batches ("remote frees" below).
 * Threads using the cache-less calls keep their own search positions in
 * thread-local storage for the same reason.
 *
 * Per-node counters of free frames let an empty node be skipped without a
 * scan and give the statistics.  They are striped by thread over 16 line
 * pairs (a thread releasing frames another claimed writes its own line),
 * updated once per area claimed or released (not per frame), and summed
 * only when a search goes past the 64 areas near its hint.  Allocation
 * tries the caller's node, then the others by distance.
 *
 * Nothing sized by the frame count is written at creation: bits[], area[]
 * and the metadata directory are MAP_NORESERVE mappings whose zero pages
 * mean "all free", so a 2^32-frame allocator costs a few pages until used.
 * Per-frame metadata (meta.c) is kept apart from bits[] so that the hot
 * allocator lines hold nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/frames.h"

#include "internal.h"

#define FR_DEFAULT_CACHE 256u
#define FR_FLUSH_BATCH	 128u
#define FR_HUGE_STASH	 2u /* 2 MiB frames a cache keeps for reuse */
#define FR_RWAYS	 4u /* remote batches a cache fills at once (by destination) */
#define FR_SPARE	 8u /* empty batch nodes a cache keeps for its next batches */

struct fr_out {
	unsigned dest;	     /* slot + 1 the batch goes to */
	struct fr_rbatch *b; /* NULL: none open */
};

struct pb_frames_cache {
	struct pb_frames *fa;
	unsigned node, cap;
	unsigned n;		 /* frames in stack[]; owner writes (relaxed store) */
	uint64_t lo_pfn, hi_pfn; /* this node's pfn range */
	uint64_t hint;		 /* area to refill from next */
	uint64_t huge_hint;	 /* home area of its 2 MiB searches (fixed) */
	unsigned nhuge;		 /* 2 MiB frames in huge[]; owner writes (relaxed store) */
	uint64_t huge[FR_HUGE_STASH];
	uint64_t api_alloc, api_free; /* frames handed out / taken back (owner only) */
	unsigned tag;		      /* slot + 1, 0: receives no remote frees */
	unsigned rn;		      /* frames in out[]; owner writes (relaxed store) */
	struct fr_out out[FR_RWAYS];  /* open remote batches (owner only) */
	struct fr_rbatch *pend;	      /* batches taken from the inbox (owner only) */
	unsigned pn;		      /* frames in pend; owner writes (relaxed store) */
	struct fr_rbatch *spare;      /* empty batch nodes (owner only) */
	unsigned nspare;
	struct pb_frames_cache *next, *prev; /* registry, under fa->lock */
	size_t self_bytes;
	uint64_t stack[];
};

/* ---- small helpers ---- */

static inline unsigned popc64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

static inline unsigned node_of_area(const struct pb_frames *fa, uint64_t a)
{
	uint64_t n = a / fa->areas_per_node;
	return n >= fa->nnodes ? fa->nnodes - 1 : (unsigned)n;
}

static inline unsigned pref_node(const struct pb_frames *fa, int node)
{
	return (node < 0 || (unsigned)node >= fa->nnodes) ? 0 : (unsigned)node;
}

/*
 * The stripe a thread updates: its own (threads get them round-robin), not
 * the area's, so that a thread releasing frames another thread claimed (a
 * cross free leaving a cache) does not write the counter line the claimer
 * writes with every refill.  Only sums of the stripes mean anything.
 */
static _Thread_local unsigned fr_stripe_tls; /* stripe + 1, 0: none yet */
static unsigned fr_stripe_seq;		     /* atomic: stripes handed out */

static inline unsigned my_stripe(void)
{
	unsigned s = fr_stripe_tls;
	if (pb_unlikely(!s)) {
		s = pb_atomic_fetch_add(&fr_stripe_seq, 1u, PB_RELAXED) % FR_STRIPES + 1;
		fr_stripe_tls = s;
	}
	return s - 1;
}

static inline struct fr_stripe *stripe_of(struct pb_frames *fa, uint64_t a)
{
	return &fa->node[node_of_area(fa, a)].st[my_stripe()];
}

/* Frames of area a became free (d > 0) or were claimed (d < 0). */
static inline void free_add(struct pb_frames *fa, uint64_t a, int64_t d)
{
	pb_atomic_fetch_add(&stripe_of(fa, a)->free, d, PB_RELAXED);
}

/* Free frames of a node: a relaxed sum (exact at a quiescent point). */
static int64_t node_free(struct pb_frames *fa, unsigned node)
{
	int64_t f = 0;
	for (unsigned i = 0; i < FR_STRIPES; i++)
		f += pb_atomic_load(&fa->node[node].st[i].free, PB_RELAXED);
	return f;
}

/*
 * Search starts of the cache-less path, per thread (as LLFree reserves per
 * core): threads that call pb_frames_alloc directly start in different
 * places and keep their own position, so they neither collide on areas nor
 * share a hint word.  Keyed by the allocator's id, not its address (a new
 * allocator may reuse a destroyed one's address).
 */
struct fr_tls {
	uint64_t id; /* pb_frames.id the hints belong to (never reused) */
	uint64_t small[PB_FRAMES_MAX_NODES], huge[PB_FRAMES_MAX_NODES];
};
static _Thread_local struct fr_tls fr_tls;
static uint64_t fr_next_id = 1; /* atomic */

static struct fr_tls *tls_hints(struct pb_frames *fa)
{
	struct fr_tls *t = &fr_tls;
	if (pb_unlikely(t->id != fa->id)) {
		uint64_t seq = pb_atomic_fetch_add(&fa->thread_seq, 1u, PB_RELAXED);
		t->id = fa->id;
		for (unsigned i = 0; i < fa->nnodes; i++) {
			const struct fr_node *nd = &fa->node[i];
			uint64_t span = nd->area_hi - nd->area_lo;
			t->small[i] = nd->area_lo + (seq * 64 + 16) % span;
			t->huge[i] = nd->area_hi - 1 - (seq * 64 + 48) % span;
		}
	}
	return t;
}

/* ---- the global structure ---- */

/*
 * Claim up to `want` (1..512) free frames of area a into out[].  Returns the
 * number claimed (0 if the area is huge or full).  Lock-free: a failed CAS
 * means another thread made progress.
 */
static unsigned area_claim(struct pb_frames *fa, uint64_t a, unsigned want, uint64_t *out)
{
	uint32_t *ap = &fa->area[a];
	uint32_t e = pb_atomic_load(ap, PB_RELAXED);
	unsigned k;
	for (;;) {
		if (e & FR_AREA_HUGE)
			return 0;
		unsigned used = e & FR_AREA_USED_MASK;
		if (used >= PB_FRAMES_AREA_FRAMES)
			return 0;
		k = (unsigned)PB_FRAMES_AREA_FRAMES - used;
		if (k > want)
			k = want;
		if (pb_atomic_cas_weak(ap, &e, e + k, PB_ACQUIRE, PB_RELAXED))
			break;
	}
	/* k frames are reserved in this area: exactly k zero bits are ours. */
	free_add(fa, a, -(int64_t)k);
	uint64_t *w0 = &fa->bits[a * FR_AREA_WORDS];
	unsigned got = 0;
	while (got < k) {
		for (unsigned i = 0; i < FR_AREA_WORDS && got < k; i++) {
			uint64_t v = pb_atomic_load(&w0[i], PB_RELAXED);
			while (~v && got < k) {
				uint64_t freeb = ~v, m;
				unsigned need = k - got;
				if (need >= FR_WORD_BITS) {
					m = freeb; /* all that is free here */
				} else if (v == 0) {
					m = (1ULL << need) - 1;
				} else {
					m = 0;
					while (need-- && freeb) {
						m |= freeb & -freeb;
						freeb &= freeb - 1;
					}
				}
				if (pb_atomic_cas_weak(&w0[i], &v, v | m, PB_ACQUIRE, PB_RELAXED)) {
					uint64_t base = (a * FR_AREA_WORDS + i) * FR_WORD_BITS;
					v |= m;
					while (m) {
						out[got++] = base + (uint64_t)__builtin_ctzll(m);
						m &= m - 1;
					}
				}
			}
		}
	}
	return k;
}

/*
 * Searches look at FR_NEAR_AREAS areas next to their hint before they read
 * the node's free counters (16 lines other threads write): in the common
 * case a search never touches a line it does not own.  Only a longer search
 * asks the counters whether the node has anything left at all.
 */
#define FR_NEAR_AREAS 64

/*
 * Claim up to `want` frames of `node`, scanning upward from the area at
 * *hint, wrapping.  Updates *hint to the last area claimed from and, for a
 * cache (tag: its slot + 1, 0 for none), the owner of every area claimed
 * from.  Returns the count.
 */
static unsigned node_claim(struct pb_frames *fa, unsigned node, uint64_t *hint, unsigned want,
			   uint64_t *out, unsigned tag)
{
	const struct fr_node *nd = &fa->node[node];
	uint64_t span = nd->area_hi - nd->area_lo;
	uint64_t a = *hint;
	if (a < nd->area_lo || a >= nd->area_hi)
		a = nd->area_lo;
	unsigned got = 0;
	for (uint64_t i = 0; i < span && got < want; i++) {
		if (i == FR_NEAR_AREAS && node_free(fa, node) <= 0)
			break;
		uint32_t e = pb_atomic_load(&fa->area[a], PB_RELAXED);
		if (!(e & FR_AREA_HUGE) && (e & FR_AREA_USED_MASK) < PB_FRAMES_AREA_FRAMES) {
			unsigned k = area_claim(fa, a, want - got, out + got);
			if (k) {
				got += k;
				*hint = a;
				/* The claiming cache now owns the area: frames of it
				 * that leave other caches come back to it ("remote
				 * frees").  A relaxed hint, written only when it
				 * changes (other caches' flushes read it). */
				if (tag && pb_atomic_load(&fa->owner[a], PB_RELAXED) != tag)
					pb_atomic_store(&fa->owner[a], (uint16_t)tag, PB_RELAXED);
			}
		}
		if (got < want && ++a == nd->area_hi)
			a = nd->area_lo;
	}
	return got;
}

static inline int huge_try(struct pb_frames *fa, uint64_t a)
{
	uint32_t e = pb_atomic_load(&fa->area[a], PB_RELAXED);
	if (e != 0 || !pb_atomic_cas(&fa->area[a], &e, FR_AREA_HUGE_FULL, PB_ACQUIRE, PB_RELAXED))
		return 0;
	free_add(fa, a, -(int64_t)PB_FRAMES_AREA_FRAMES);
	return 1;
}

/* One huge frame from `node`: the first wholly free area scanning downward
 * from *hint (wrapping).  *hint is left one below it. */
static int node_claim_huge(struct pb_frames *fa, unsigned node, uint64_t *hint, uint64_t *out)
{
	struct fr_node *nd = &fa->node[node];
	uint64_t span = nd->area_hi - nd->area_lo;
	uint64_t a = *hint;
	if (a < nd->area_lo || a >= nd->area_hi)
		a = nd->area_hi - 1;
	for (uint64_t i = 0; i < span; i++) {
		if (i == FR_NEAR_AREAS && node_free(fa, node) < (int64_t)PB_FRAMES_AREA_FRAMES)
			return -ENOMEM;
		if (huge_try(fa, a)) {
			*out = a << PB_HUGE_ORDER;
			*hint = (a == nd->area_lo) ? nd->area_hi - 1 : a - 1;
			return 0;
		}
		a = (a == nd->area_lo) ? nd->area_hi - 1 : a - 1;
	}
	return -ENOMEM;
}

static int huge_release(struct pb_frames *fa, uint64_t pfn)
{
	uint64_t a = pfn >> PB_HUGE_ORDER;
	uint32_t e = FR_AREA_HUGE_FULL;
	if (!pb_atomic_cas(&fa->area[a], &e, 0, PB_RELEASE, PB_RELAXED))
		return -EINVAL; /* not an allocated huge frame: double free */
	free_add(fa, a, (int64_t)PB_FRAMES_AREA_FRAMES);
	return 0;
}

/* Release one small frame.  0 or -EINVAL (bit was clear: double free). */
static int small_release(struct pb_frames *fa, uint64_t pfn)
{
	uint64_t m = 1ULL << (pfn % FR_WORD_BITS);
	uint64_t old = pb_atomic_fetch_and(&fa->bits[pfn / FR_WORD_BITS], ~m, PB_RELEASE);
	if (!(old & m))
		return -EINVAL;
	uint64_t a = pfn >> PB_HUGE_ORDER;
	pb_atomic_fetch_sub(&fa->area[a], 1u, PB_RELEASE);
	free_add(fa, a, 1);
	return 0;
}

/*
 * Release a batch of small frames of one node: group them by area in a
 * small table (a batch spans few areas: frames were claimed area by area;
 * measured: ~6 areas and ~26 words per 128-frame batch of pattern=random),
 * then one fetch-and per touched word and one fetch-sub per area.  Frames
 * whose bit was already clear (or that appear twice in the batch) are
 * double frees: counted in fa->bad_frees, which pb_frames_check reports.
 */
#define FR_GROUP_AREAS 16
struct fr_group {
	uint64_t area;
	unsigned n; /* frames collected */
	uint64_t m[FR_AREA_WORDS];
};

static uint64_t group_flush(struct pb_frames *fa, struct fr_group *g, unsigned ng, uint64_t *bad)
{
	uint64_t freed = 0;
	for (unsigned i = 0; i < ng; i++) {
		unsigned ok = 0;
		for (unsigned w = 0; w < FR_AREA_WORDS; w++) {
			uint64_t m = g[i].m[w];
			if (!m)
				continue;
			uint64_t old = pb_atomic_fetch_and(&fa->bits[g[i].area * FR_AREA_WORDS + w],
							   ~m, PB_RELEASE);
			if (pb_likely((old & m) == m))
				continue;
			unsigned miss = popc64(m & ~old);
			*bad += miss;
			ok += miss; /* subtracted below */
		}
		ok = g[i].n - ok;
		if (ok) {
			pb_atomic_fetch_sub(&fa->area[g[i].area], ok, PB_RELEASE);
			free_add(fa, g[i].area, ok);
		}
		freed += ok;
	}
	return freed;
}

static void group_remote(struct pb_frames_cache *c, struct fr_group *g);

/* rc: the cache whose stack the frames leave (groups of areas another
 * cache owns go to it: see "remote frees"), or NULL (all to the global
 * structure). */
static void batch_release(struct pb_frames *fa, const uint64_t *pfns, unsigned n,
			  struct pb_frames_cache *rc)
{
	/* Direct-mapped by the area's low bits: a batch's areas were claimed
	 * one after another, so they rarely collide; a collision just
	 * releases the older group early. */
	struct fr_group g[FR_GROUP_AREAS];
	uint64_t bad = 0;
	for (unsigned k = 0; k < FR_GROUP_AREAS; k++)
		g[k].area = UINT64_MAX;
	for (unsigned i = 0; i < n; i++) {
		uint64_t p = pfns[i], a = p >> PB_HUGE_ORDER;
		struct fr_group *e = &g[a % FR_GROUP_AREAS];
		if (pb_unlikely(e->area != a)) {
			if (e->area != UINT64_MAX) {
				if (rc)
					group_remote(rc, e);
				group_flush(fa, e, 1, &bad);
			}
			e->area = a;
			e->n = 0;
			memset(e->m, 0, sizeof(e->m));
		}
		unsigned w = (unsigned)(p / FR_WORD_BITS) % FR_AREA_WORDS;
		uint64_t bit = 1ULL << (p % FR_WORD_BITS);
		if (pb_unlikely(e->m[w] & bit)) {
			bad++; /* twice in this batch */
			continue;
		}
		e->m[w] |= bit;
		e->n++;
	}
	for (unsigned k = 0; k < FR_GROUP_AREAS; k++) {
		if (g[k].area == UINT64_MAX)
			continue;
		if (rc)
			group_remote(rc, &g[k]);
		group_flush(fa, &g[k], 1, &bad);
	}
	if (pb_unlikely(bad))
		pb_atomic_fetch_add(&fa->bad_frees, bad, PB_RELAXED);
}

static int check_pfn(const struct pb_frames *fa, uint64_t pfn, unsigned order)
{
	if (order == 0)
		return pfn < fa->nframes ? 0 : -EINVAL;
	if (order == PB_HUGE_ORDER)
		return (pfn < fa->nframes && !(pfn & (PB_FRAMES_AREA_FRAMES - 1))) ? 0 : -EINVAL;
	return -EINVAL;
}

/*
 * Allocation from the global structure, preferred node first, then by
 * distance.  c: the calling cache (its own hints serve its node), or NULL
 * (the thread's hints).
 */
static int alloc_global(struct pb_frames *fa, struct pb_frames_cache *c, unsigned pref,
			unsigned order, uint64_t *out)
{
	struct fr_tls *t = NULL;
	for (unsigned i = 0; i < fa->nnodes; i++) {
		unsigned node = fa->fallback[pref][i];
		uint64_t *hint;
		if (c && node == c->node) {
			hint = order ? &c->huge_hint : &c->hint;
		} else {
			if (!t)
				t = tls_hints(fa);
			hint = order ? &t->huge[node] : &t->small[node];
		}
		if (order == 0) {
			if (node_claim(fa, node, hint, 1, out, 0))
				return 0;
		} else {
			/* 2 MiB frames are searched from a fixed home (the
			 * hint is not moved): a thread's huge frames stay in
			 * its own few areas instead of drifting into another
			 * thread's (measured: 27 -> 22 ns per pair at 2
			 * threads, pattern=random,order=9).  Small frames do
			 * move on, away from the areas that frees (often
			 * other threads' flushes) return frames to. */
			uint64_t h = *hint;
			if (node_claim_huge(fa, node, &h, out) == 0)
				return 0;
		}
	}
	return -ENOMEM;
}

static uint64_t remote_reclaim_all(struct pb_frames *fa, struct pb_frames_cache *c);

int pb_frames_alloc(struct pb_frames *fa, int node, unsigned order, pb_pfn_t *out)
{
	if (order != 0 && order != PB_HUGE_ORDER)
		return -EINVAL;
	uint64_t pfn;
	int rc = alloc_global(fa, NULL, pref_node(fa, node), order, &pfn);
	if (rc == -ENOMEM && remote_reclaim_all(fa, NULL))
		rc = alloc_global(fa, NULL, pref_node(fa, node), order, &pfn);
	if (rc)
		return rc;
	pb_atomic_fetch_add(&stripe_of(fa, pfn >> PB_HUGE_ORDER)->api_alloc, 1ULL << order,
			    PB_RELAXED);
	*out = PB_PFN(pfn);
	return 0;
}

int pb_frames_free(struct pb_frames *fa, pb_pfn_t pfn, unsigned order)
{
	int rc = check_pfn(fa, pfn.v, order);
	if (rc)
		return rc;
	uint64_t a = pfn.v >> PB_HUGE_ORDER;
	if (order)
		rc = huge_release(fa, pfn.v);
	else
		rc = small_release(fa, pfn.v);
	if (rc)
		return rc;
	pb_atomic_fetch_add(&stripe_of(fa, a)->api_free, 1ULL << order, PB_RELAXED);
	return 0;
}

/* ---- per-thread caches ---- */

static void cache_set_n(struct pb_frames_cache *c, unsigned n)
{
	/* A plain store on every target we build for (no lock prefix, no
	 * fence); atomic only so that stats may read it from elsewhere. */
	pb_atomic_store(&c->n, n, PB_RELAXED);
}

struct pb_frames_cache *pb_frames_cache_create(struct pb_frames *fa, int node)
{
	if (!fa || node >= (int)fa->nnodes) {
		errno = EINVAL;
		return NULL;
	}
	unsigned nd = pref_node(fa, node);
	size_t bytes = sizeof(struct pb_frames_cache) + (size_t)fa->cache_cap * sizeof(uint64_t);
	struct pb_frames_cache *c = pb_map(bytes, 0);
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->fa = fa;
	c->node = nd;
	c->cap = fa->cache_cap;
	c->self_bytes = bytes;
	c->lo_pfn = fa->node[nd].area_lo << PB_HUGE_ORDER;
	c->hi_pfn = fa->node[nd].area_hi << PB_HUGE_ORDER;
	if (c->hi_pfn > fa->nframes)
		c->hi_pfn = fa->nframes;
	pthread_mutex_lock(&fa->lock);
	/* Spread the caches' starting areas over the node (64 areas apart,
	 * 128 MiB), so threads start on different bitfield lines. */
	uint64_t span = fa->node[nd].area_hi - fa->node[nd].area_lo;
	c->hint = fa->node[nd].area_lo + ((uint64_t)fa->cache_seq * 64) % span;
	/* Huge frames are searched downward from the node's top, also spread. */
	c->huge_hint = fa->node[nd].area_hi - 1 - ((uint64_t)fa->cache_seq * 64 + 32) % span;
	fa->cache_seq++;
	for (unsigned i = 0; (fa->flags & PB_FRAMES_REMOTE) && i < FR_MAX_SLOTS; i++) {
		if (!pb_atomic_load(&fa->slot[i].cache, PB_RELAXED)) {
			/* Batches still in a reused slot's inbox are this
			 * cache's to absorb (frames of another node go back). */
			c->tag = i + 1;
			pb_atomic_store(&fa->slot[i].cache, c, PB_SEQ_CST);
			break;
		}
	}
	c->next = fa->caches;
	c->prev = NULL;
	if (fa->caches)
		fa->caches->prev = c;
	fa->caches = c;
	pthread_mutex_unlock(&fa->lock);
	return c;
}

/* ---- remote frees ----
 *
 * With PB_FRAMES_REMOTE (else no cache gets a slot and none of this runs):
 * a free into a cache is a push on its stack whoever claimed the frame (the
 * fast path has no atomics and reads nothing shared).  Ownership matters
 * only when the stack overflows and its oldest half leaves: frames of areas
 * another live cache claimed from last (owner[]) go back to that cache in
 * batches, the rest to the global structure.  So a thread that frees what
 * others allocated (reclaim, eviction) does not flush those frames into the
 * bitfield lines their owners are claiming from; it fills a batch per
 * destination (out[], plain stores) and pushes a full one (62 frames) onto
 * the owner's inbox with one CAS, as snmalloc sends remote frees in batches
 * to the owning allocator's message queue and Linux returns per-cpu pages in
 * bulk.  The owner takes its whole inbox with one exchange when its stack
 * runs empty, keeps the batches on a private list (pend) and refills from
 * them before it asks the global structure.  The inbox is a push-only stack
 * emptied by exchange (take-all): nodes are never popped one by one, so a
 * push CAS that succeeds always links the current head (no ABA).
 *
 * Memory orders: the push CAS is a release (the batch's frames and count
 * are written before it) and the exchange an acquire, so the receiver reads
 * the frames the sender wrote.  Both, the sender's load of slot->cache after
 * its push, and destroy's store of slot->cache = NULL before its last
 * exchange are seq_cst: in their single total order either the sender's
 * load comes first (then destroy's exchange, later still, takes the batch)
 * or it sees NULL and takes the inbox back itself, so no batch is stranded
 * in the inbox of a cache that is gone.  Anyone may take an inbox (an
 * allocation about to fail takes them all): two exchanges get disjoint lists.
 */

static struct fr_rbatch *batch_get(struct pb_frames_cache *c)
{
	struct fr_rbatch *b = c->spare;
	if (b) {
		c->spare = b->next;
		c->nspare--;
	} else {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
	}
	b->n = 0;
	b->next = NULL;
	return b;
}

static void batch_put(struct pb_frames_cache *c, struct fr_rbatch *b)
{
	if (c && c->nspare < FR_SPARE) {
		b->next = c->spare;
		c->spare = b;
		c->nspare++;
	} else {
		free(b);
	}
}

/* Owner-written counters that stats read from other threads. */
static void count_add(unsigned *ctr, int d)
{
	pb_atomic_store(ctr, *ctr + (unsigned)d, PB_RELAXED);
}

static struct fr_rbatch *inbox_take(struct fr_slot *s)
{
	if (!pb_atomic_load(&s->inbox, PB_RELAXED))
		return NULL;
	return pb_atomic_exchange(&s->inbox, NULL, PB_SEQ_CST);
}

/* Frames of a list of batches back to the global structure; the nodes go to
 * c's spare list (freed when c is NULL).  s: the slot whose inbox they were
 * taken from (its count drops), or NULL.  Returns the frames released. */
static uint64_t batches_release(struct pb_frames *fa, struct pb_frames_cache *c, struct fr_slot *s,
				struct fr_rbatch *b)
{
	uint64_t n = 0;
	while (b) {
		struct fr_rbatch *next = b->next;
		batch_release(fa, b->pfn, b->n, NULL);
		if (s)
			pb_atomic_fetch_sub(&s->inbox_frames, b->n, PB_RELAXED);
		n += b->n;
		batch_put(c, b);
		b = next;
	}
	return n;
}

/* Send the open batch of way w to its owner's inbox. */
static void remote_send(struct pb_frames_cache *c, struct fr_out *w)
{
	struct pb_frames *fa = c->fa;
	struct fr_slot *s = &fa->slot[w->dest - 1];
	struct fr_rbatch *b = w->b;
	w->b = NULL;
	count_add(&c->rn, -(int)b->n);
	/* Counted before the push, so the count never goes below zero. */
	pb_atomic_fetch_add(&s->inbox_frames, b->n, PB_RELAXED);
	struct fr_rbatch *head = pb_atomic_load(&s->inbox, PB_RELAXED);
	do
		b->next = head;
	while (!pb_atomic_cas_weak(&s->inbox, &head, b, PB_SEQ_CST, PB_RELAXED));
	pb_atomic_fetch_add(&fa->remote_batches, 1, PB_RELAXED);
	if (pb_unlikely(!pb_atomic_load(&s->cache, PB_SEQ_CST)))
		batches_release(fa, c, s, inbox_take(s)); /* the owner left: take it back */
}

/* Open batches straight back to the global structure (drain, -ENOMEM). */
static void remote_release_open(struct pb_frames_cache *c)
{
	for (unsigned i = 0; i < FR_RWAYS; i++) {
		struct fr_out *w = &c->out[i];
		if (!w->b)
			continue;
		count_add(&c->rn, -(int)w->b->n);
		batches_release(c->fa, c, NULL, w->b);
		w->b = NULL;
	}
}

/* The owner moves its inbox to its pending list.  Returns the frames. */
static unsigned remote_take(struct pb_frames_cache *c)
{
	struct fr_slot *s = &c->fa->slot[c->tag - 1];
	struct fr_rbatch *b = inbox_take(s);
	unsigned got = 0;
	while (b) {
		struct fr_rbatch *next = b->next;
		b->next = c->pend;
		c->pend = b;
		got += b->n;
		b = next;
	}
	if (got) {
		pb_atomic_fetch_sub(&s->inbox_frames, got, PB_RELAXED);
		count_add(&c->pn, (int)got);
	}
	return got;
}

/* Refill the (empty) stack from the pending batches.  Frames of another
 * node (sent to a slot a cache of another node took over later) go back to
 * the global structure.  Returns the frames now on the stack. */
static unsigned pend_refill(struct pb_frames_cache *c)
{
	unsigned n = c->n, to = c->cap / 2 ? c->cap / 2 : 1; /* as much as a refill claims */
	while (c->pend && n < to) {
		struct fr_rbatch *b = c->pend;
		unsigned m = to - n < b->n ? to - n : b->n;
		for (unsigned i = 0; i < m; i++) {
			uint64_t p = b->pfn[--b->n];
			if (pb_likely(p >= c->lo_pfn && p < c->hi_pfn))
				c->stack[n++] = p;
			else if (small_release(c->fa, p))
				pb_atomic_fetch_add(&c->fa->bad_frees, 1, PB_RELAXED);
		}
		count_add(&c->pn, -(int)m);
		if (!b->n) {
			c->pend = b->next;
			batch_put(c, b);
		}
	}
	cache_set_n(c, n);
	return n;
}

/* Frames of group g leave c's stack: if another live cache owns the area,
 * they go to it in batches (the bits sent are cleared from g), one owner
 * and one liveness load per area, a store per frame. */
static void group_remote(struct pb_frames_cache *c, struct fr_group *g)
{
	unsigned o = pb_atomic_load(&c->fa->owner[g->area], PB_RELAXED);
	if (pb_likely(!o || o == c->tag) || !pb_atomic_load(&c->fa->slot[o - 1].cache, PB_RELAXED))
		return; /* ours, nobody's, or the owner is gone: all to the global structure */
	struct fr_out *w = &c->out[o % FR_RWAYS];
	if (w->b && w->dest != o)
		remote_send(c, w); /* another destination on this way: send it early */
	for (unsigned i = 0; i < FR_AREA_WORDS; i++) {
		uint64_t m = g->m[i], base = (g->area * FR_AREA_WORDS + i) * FR_WORD_BITS;
		while (m) {
			if (!w->b) {
				w->b = batch_get(c);
				if (!w->b)
					return; /* no batch node: the rest stays global */
				w->dest = o;
			}
			struct fr_rbatch *b = w->b;
			unsigned n = b->n, n0 = n;
			while (m && n < FR_RBATCH) {
				b->pfn[n++] = base + (uint64_t)__builtin_ctzll(m);
				m &= m - 1;
			}
			b->n = n;
			g->m[i] = m;
			g->n -= n - n0;
			count_add(&c->rn, (int)(n - n0));
			if (n == FR_RBATCH)
				remote_send(c, w);
		}
	}
}

/* Give back the oldest `cnt` frames (the bottom of the stack): with
 * `remote`, frames of areas another live cache owns go to it in batches,
 * the rest (all of them without) to the global structure. */
static void cache_flush(struct pb_frames_cache *c, unsigned cnt, int remote)
{
	unsigned done = 0;
	struct pb_frames_cache *rc = remote && c->tag ? c : NULL;
	while (done < cnt) {
		unsigned k = cnt - done > FR_FLUSH_BATCH ? FR_FLUSH_BATCH : cnt - done;
		batch_release(c->fa, c->stack + done, k, rc);
		done += k;
	}
	memmove(c->stack, c->stack + cnt, (size_t)(c->n - cnt) * sizeof(uint64_t));
	cache_set_n(c, c->n - cnt);
}

/* Before -ENOMEM: every frame waiting in a batch (c's open and pending
 * ones, every inbox) goes back to the global structure.  c: the calling
 * cache or NULL.  Returns how many did. */
static uint64_t remote_reclaim_all(struct pb_frames *fa, struct pb_frames_cache *c)
{
	uint64_t n = 0;
	if (c) {
		n += c->rn + c->pn;
		remote_release_open(c);
		batches_release(fa, c, NULL, c->pend);
		c->pend = NULL;
		count_add(&c->pn, -(int)c->pn);
	}
	for (unsigned i = 0; i < FR_MAX_SLOTS; i++)
		n += batches_release(fa, c, &fa->slot[i], inbox_take(&fa->slot[i]));
	return n;
}

void pb_frames_cache_drain(struct pb_frames_cache *c)
{
	remote_release_open(c);
	if (c->tag)
		remote_take(c);
	batches_release(c->fa, c, NULL, c->pend);
	c->pend = NULL;
	count_add(&c->pn, -(int)c->pn);
	if (c->n)
		cache_flush(c, c->n, 0);
	while (c->nhuge) {
		unsigned h = c->nhuge - 1;
		if (huge_release(c->fa, c->huge[h]))
			pb_atomic_fetch_add(&c->fa->bad_frees, 1, PB_RELAXED);
		pb_atomic_store(&c->nhuge, h, PB_RELAXED);
	}
}

void pb_frames_cache_destroy(struct pb_frames_cache *c)
{
	if (!c)
		return;
	struct pb_frames *fa = c->fa;
	pb_frames_cache_drain(c);
	pthread_mutex_lock(&fa->lock);
	if (c->tag) {
		/* No receiver from here on (seq_cst: see "remote frees"); a
		 * batch pushed before this is taken now, one pushed after it
		 * is taken back by its sender. */
		struct fr_slot *s = &fa->slot[c->tag - 1];
		pb_atomic_store(&s->cache, NULL, PB_SEQ_CST);
		batches_release(fa, c, s, pb_atomic_exchange(&s->inbox, NULL, PB_SEQ_CST));
	}
	while (c->spare) {
		struct fr_rbatch *b = c->spare;
		c->spare = b->next;
		free(b);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		fa->caches = c->next;
	if (c->next)
		c->next->prev = c->prev;
	fa->retired_alloc += c->api_alloc;
	fa->retired_free += c->api_free;
	pthread_mutex_unlock(&fa->lock);
	pb_unmap(c, c->self_bytes);
}

unsigned pb_frames_cache_count(const struct pb_frames_cache *c)
{
	return pb_atomic_load(&c->n, PB_RELAXED) + pb_atomic_load(&c->rn, PB_RELAXED) +
	       pb_atomic_load(&c->pn, PB_RELAXED) +
	       pb_atomic_load(&c->nhuge, PB_RELAXED) * (unsigned)PB_FRAMES_AREA_FRAMES;
}

static unsigned cache_refill(struct pb_frames_cache *c)
{
	unsigned want = c->cap / 2 ? c->cap / 2 : 1;
	unsigned got = node_claim(c->fa, c->node, &c->hint, want, c->stack + c->n, c->tag);
	if (got)
		cache_set_n(c, c->n + got);
	return got;
}

static int cache_alloc_slow(struct pb_frames_cache *c, uint64_t *pfn)
{
	/* Frames other threads sent back first, then the global structure. */
	if ((c->tag && (c->pend || remote_take(c)) && pend_refill(c)) || cache_refill(c)) {
		unsigned n = c->n - 1;
		*pfn = c->stack[n];
		cache_set_n(c, n);
		return 0;
	}
	/* Local node empty: one frame from the nearest other node that has
	 * one, not cached (the cache holds local frames only); failing that,
	 * the frames waiting in batches go back and the search runs again. */
	int rc = alloc_global(c->fa, c, c->node, 0, pfn);
	if (rc == -ENOMEM && remote_reclaim_all(c->fa, c))
		rc = alloc_global(c->fa, c, c->node, 0, pfn);
	return rc;
}

int pb_frames_cache_alloc(struct pb_frames_cache *c, unsigned order, pb_pfn_t *out)
{
	uint64_t pfn;
	if (pb_likely(order == 0)) {
		unsigned n = c->n;
		if (pb_likely(n)) {
			pfn = c->stack[n - 1];
			cache_set_n(c, n - 1);
		} else {
			int rc = cache_alloc_slow(c, &pfn);
			if (rc)
				return rc;
		}
		c->api_alloc++;
		*out = PB_PFN(pfn);
		return 0;
	}
	if (order != PB_HUGE_ORDER)
		return -EINVAL;
	if (c->nhuge) {
		unsigned h = c->nhuge - 1;
		pfn = c->huge[h];
		pb_atomic_store(&c->nhuge, h, PB_RELAXED);
	} else {
		int rc = alloc_global(c->fa, c, c->node, order, &pfn);
		if (rc == -ENOMEM && remote_reclaim_all(c->fa, c))
			rc = alloc_global(c->fa, c, c->node, order, &pfn);
		if (rc)
			return rc;
	}
	c->api_alloc += PB_FRAMES_AREA_FRAMES;
	*out = PB_PFN(pfn);
	return 0;
}

static int cache_debug_check(struct pb_frames_cache *c, uint64_t pfn)
{
	uint64_t w = pb_atomic_load(&c->fa->bits[pfn / FR_WORD_BITS], PB_RELAXED);
	if (!(w & (1ULL << (pfn % FR_WORD_BITS))))
		return -EINVAL; /* free in the global structure already */
	for (unsigned i = 0; i < c->n; i++)
		if (c->stack[i] == pfn)
			return -EINVAL; /* already in this cache */
	for (unsigned j = 0; j < FR_RWAYS; j++)
		for (unsigned i = 0; c->out[j].b && i < c->out[j].b->n; i++)
			if (c->out[j].b->pfn[i] == pfn)
				return -EINVAL; /* already in one of its remote batches */
	return 0;
}

int pb_frames_cache_free(struct pb_frames_cache *c, pb_pfn_t pfn, unsigned order)
{
	uint64_t p = pfn.v;
	if (pb_likely(order == 0 && p >= c->lo_pfn && p < c->hi_pfn)) {
		if (pb_unlikely(c->fa->flags & PB_FRAMES_DEBUG)) {
			int rc = cache_debug_check(c, p);
			if (rc)
				return rc;
		}
		unsigned n = c->n;
		if (pb_unlikely(n == c->cap)) {
			cache_flush(c, c->cap / 2 ? c->cap / 2 : n, 1);
			n = c->n;
		}
		c->stack[n] = p;
		cache_set_n(c, n + 1);
		c->api_free++;
		return 0;
	}
	/* Another node's frame, or a huge one: huge frames of the node are
	 * kept (up to FR_HUGE_STASH), the rest goes straight to the global
	 * structure (no frame is lost, none is cached off-node). */
	int rc = check_pfn(c->fa, p, order);
	if (rc)
		return rc;
	if (order && c->nhuge < FR_HUGE_STASH && p >= c->lo_pfn && p < c->hi_pfn &&
	    pb_likely(pb_atomic_load(&c->fa->area[p >> PB_HUGE_ORDER], PB_RELAXED) ==
		      FR_AREA_HUGE_FULL)) {
		/* A double free into this stash is refused here; into two
		 * different caches' stashes, pb_frames_check reports it. */
		for (unsigned j = 0; j < c->nhuge; j++)
			if (c->huge[j] == p)
				return -EINVAL;
		c->huge[c->nhuge] = p;
		pb_atomic_store(&c->nhuge, c->nhuge + 1, PB_RELAXED);
		c->api_free += PB_FRAMES_AREA_FRAMES;
		return 0;
	}
	if (order)
		rc = huge_release(c->fa, p);
	else
		rc = small_release(c->fa, p);
	if (rc)
		return rc;
	c->api_free += 1ULL << order;
	return 0;
}

/* ---- create / destroy ---- */

static void build_fallback(struct pb_frames *fa, const unsigned *dist)
{
	unsigned n = fa->nnodes;
	for (unsigned i = 0; i < n; i++) {
		/* Insertion sort of the nodes by (distance, index); the local
		 * node first whatever the matrix says of itself. */
		uint8_t *row = fa->fallback[i];
		unsigned k = 0;
		row[k++] = (uint8_t)i;
		for (unsigned j = 0; j < n; j++) {
			if (j == i)
				continue;
			uint64_t dj = dist ? dist[(size_t)i * n + j] : (j > i ? j - i : i - j);
			unsigned pos = k;
			while (pos > 1) {
				unsigned o = row[pos - 1];
				uint64_t d_o =
				    dist ? dist[(size_t)i * n + o] : (o > i ? o - i : i - o);
				if (d_o <= dj)
					break;
				row[pos] = row[pos - 1];
				pos--;
			}
			row[pos] = (uint8_t)j;
			k++;
		}
	}
}

int pb_frames_create(const struct pb_frames_cfg *cfg, struct pb_frames **out)
{
	if (!cfg || !out || cfg->nframes == 0 || cfg->nframes > (1ULL << 40))
		return -EINVAL;
	unsigned nnodes = cfg->nnodes ? cfg->nnodes : 1;
	if (nnodes > PB_FRAMES_MAX_NODES)
		return -EINVAL;
	uint64_t nareas = (cfg->nframes + PB_FRAMES_AREA_FRAMES - 1) >> PB_HUGE_ORDER;
	if (nareas < nnodes)
		return -EINVAL; /* every node owns at least one 2 MiB area */
	if (cfg->cache_cap > (1u << 20))
		return -EINVAL;

	struct pb_frames *fa = calloc(1, sizeof(*fa));
	if (!fa)
		return -ENOMEM;
	fa->id = pb_atomic_fetch_add(&fr_next_id, 1, PB_RELAXED);
	fa->nframes = cfg->nframes;
	fa->nareas = nareas;
	fa->nnodes = nnodes;
	fa->cache_cap = cfg->cache_cap ? cfg->cache_cap : FR_DEFAULT_CACHE;
	fa->flags = cfg->flags;
	fa->areas_per_node = nareas / nnodes;
	fa->bits_bytes = nareas * FR_AREA_WORDS * sizeof(uint64_t);
	fa->area_bytes = nareas * sizeof(uint32_t);
	fa->node_bytes = nnodes * sizeof(struct fr_node);
	fa->meta_chunks = (cfg->nframes + FR_META_CHUNK - 1) >> FR_META_SHIFT;
	fa->meta_dir_bytes = fa->meta_chunks * sizeof(struct fr_meta *);
	pthread_mutex_init(&fa->lock, NULL);
	fa->bits = pb_map(fa->bits_bytes, 0);
	fa->area = pb_map(fa->area_bytes, 0);
	fa->node = pb_map(fa->node_bytes, 0);
	fa->meta_dir = pb_map(fa->meta_dir_bytes, 0);
	fa->slot_bytes = FR_MAX_SLOTS * sizeof(struct fr_slot);
	fa->owner_bytes = nareas * sizeof(uint16_t);
	fa->slot = pb_map(fa->slot_bytes, 0);
	fa->owner = pb_map(fa->owner_bytes, 0);
	if (!fa->bits || !fa->area || !fa->node || !fa->meta_dir || !fa->slot || !fa->owner) {
		pb_frames_destroy(fa);
		return -ENOMEM;
	}
	build_fallback(fa, cfg->distance);

	/* Frames past nframes in the last area exist only as padding: mark
	 * them used for good (they never reach a caller). */
	uint64_t pad = nareas * PB_FRAMES_AREA_FRAMES - cfg->nframes;
	if (pad) {
		uint64_t last = nareas - 1;
		for (uint64_t p = cfg->nframes; p < nareas * PB_FRAMES_AREA_FRAMES; p++)
			fa->bits[p / FR_WORD_BITS] |= 1ULL << (p % FR_WORD_BITS);
		fa->area[last] = (uint32_t)pad;
	}
	for (unsigned i = 0; i < nnodes; i++) {
		struct fr_node *nd = &fa->node[i];
		nd->area_lo = i * fa->areas_per_node;
		nd->area_hi = (i + 1 == nnodes) ? nareas : (i + 1) * fa->areas_per_node;
		nd->frames = (nd->area_hi - nd->area_lo) * PB_FRAMES_AREA_FRAMES;
		if (i + 1 == nnodes)
			nd->frames -= pad;
		/* Only the stripes' sum means anything: it starts at the
		 * node's real frames (the tail padding is claimed for good). */
		nd->st[0].free = (int64_t)nd->frames;
	}
	*out = fa;
	return 0;
}

void pb_frames_destroy(struct pb_frames *fa)
{
	if (!fa)
		return;
	while (fa->caches) {
		struct pb_frames_cache *c = fa->caches;
		fa->caches = c->next;
		for (unsigned w = 0; w < FR_RWAYS; w++)
			free(c->out[w].b);
		while (c->pend) {
			struct fr_rbatch *b = c->pend;
			c->pend = b->next;
			free(b);
		}
		while (c->spare) {
			struct fr_rbatch *b = c->spare;
			c->spare = b->next;
			free(b);
		}
		pb_unmap(c, c->self_bytes);
	}
	for (unsigned i = 0; fa->slot && i < FR_MAX_SLOTS; i++) {
		struct fr_rbatch *b = fa->slot[i].inbox;
		while (b) {
			struct fr_rbatch *next = b->next;
			free(b);
			b = next;
		}
	}
	if (fa->slot)
		pb_unmap(fa->slot, fa->slot_bytes);
	if (fa->owner)
		pb_unmap(fa->owner, fa->owner_bytes);
	pb_fr_meta_fini(fa);
	pb_unmap(fa->bits, fa->bits_bytes);
	pb_unmap(fa->area, fa->area_bytes);
	pb_unmap(fa->node, fa->node_bytes);
	pb_unmap(fa->meta_dir, fa->meta_dir_bytes);
	pthread_mutex_destroy(&fa->lock);
	free(fa);
}

uint64_t pb_frames_total(const struct pb_frames *fa)
{
	return fa->nframes;
}

unsigned pb_frames_nnodes(const struct pb_frames *fa)
{
	return fa->nnodes;
}

int pb_frames_node_of(const struct pb_frames *fa, pb_pfn_t pfn)
{
	if (pfn.v >= fa->nframes)
		return -EINVAL;
	return (int)node_of_area(fa, pfn.v >> PB_HUGE_ORDER);
}

void pb_frames_node_range(const struct pb_frames *fa, unsigned node, uint64_t *first, uint64_t *end)
{
	if (node >= fa->nnodes) {
		*first = *end = 0;
		return;
	}
	*first = fa->node[node].area_lo << PB_HUGE_ORDER;
	*end = fa->node[node].area_hi << PB_HUGE_ORDER;
	if (*end > fa->nframes)
		*end = fa->nframes;
}

/* ---- statistics and the invariant check ---- */

int pb_frames_stats(struct pb_frames *fa, int node, struct pb_frames_stats *st)
{
	if (node >= (int)fa->nnodes || node < -1)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	unsigned lo = node < 0 ? 0 : (unsigned)node,
		 hi = node < 0 ? fa->nnodes : (unsigned)node + 1;
	for (unsigned i = lo; i < hi; i++) {
		struct fr_node *nd = &fa->node[i];
		int64_t f = node_free(fa, i);
		st->total += nd->frames;
		st->free += f > 0 ? (uint64_t)f : 0;
		for (uint64_t a = nd->area_lo; a < nd->area_hi; a++)
			if (pb_atomic_load(&fa->area[a], PB_RELAXED) & FR_AREA_HUGE)
				st->huge_used++;
	}
	pthread_mutex_lock(&fa->lock);
	for (struct pb_frames_cache *c = fa->caches; c; c = c->next) {
		if (node < 0 || c->node == (unsigned)node) {
			st->cached += pb_frames_cache_count(c);
			st->remote +=
			    pb_atomic_load(&c->rn, PB_RELAXED) + pb_atomic_load(&c->pn, PB_RELAXED);
			st->huge_used -= pb_atomic_load(&c->nhuge, PB_RELAXED);
		}
	}
	/* Frames in inboxes, by the node of the cache they were sent to. */
	for (unsigned i = 0; i < FR_MAX_SLOTS; i++) {
		uint64_t k = pb_atomic_load(&fa->slot[i].inbox_frames, PB_RELAXED);
		struct pb_frames_cache *c = pb_atomic_load(&fa->slot[i].cache, PB_RELAXED);
		if (k && (node < 0 || (c && c->node == (unsigned)node))) {
			st->cached += k;
			st->remote += k;
		}
	}
	st->remote_batches = pb_atomic_load(&fa->remote_batches, PB_RELAXED);
	pthread_mutex_unlock(&fa->lock);
	uint64_t busy = st->free + st->cached;
	st->used = st->total > busy ? st->total - busy : 0;
	return 0;
}

#define CHECK_FAIL(...)                                                                            \
	do {                                                                                       \
		snprintf(err, len, __VA_ARGS__);                                                   \
		rc = -EINVAL;                                                                      \
		goto out;                                                                          \
	} while (0)

/* One remote batch's frames into cached[] (pb_frames_check). */
static int check_batch(struct pb_frames *fa, const struct fr_rbatch *b, uint64_t *cached,
		       uint64_t *k, char *err, size_t len)
{
	for (unsigned j = 0; j < b->n; j++) {
		uint64_t p = b->pfn[j];
		const char *why = NULL;
		if (p >= fa->nframes)
			why = "is out of range";
		else if (fa->area[p >> PB_HUGE_ORDER] & FR_AREA_HUGE)
			why = "lies in a huge frame";
		else if (!(fa->bits[p / FR_WORD_BITS] & (1ULL << (p % FR_WORD_BITS))))
			why = "is free in the global structure";
		else if (pb_fr_meta_get(fa, p, 0) && !pb_fr_meta_clean(pb_fr_meta_get(fa, p, 0)))
			why = "has metadata left (freed dirty)";
		if (why) {
			snprintf(err, len, "frame %" PRIu64 " in a remote-free batch %s", p, why);
			return -EINVAL;
		}
		cached[(*k)++] = p;
	}
	return 0;
}

int pb_frames_check(struct pb_frames *fa, char *err, size_t len)
{
	int rc = 0;
	uint64_t *cached = NULL;
	size_t cached_bytes = 0;
	char dummy[1];
	if (!err || !len) {
		err = dummy;
		len = sizeof(dummy);
	}
	err[0] = 0;
	pthread_mutex_lock(&fa->lock);

	uint64_t bad = pb_atomic_load(&fa->bad_frees, PB_RELAXED);
	if (bad)
		CHECK_FAIL(
		    "%" PRIu64 " double free(s) of small frames detected when caches flushed", bad);

	/* Areas: count == popcount, huge areas clean; node free counters. */
	uint64_t used_all = 0, pad = fa->nareas * PB_FRAMES_AREA_FRAMES - fa->nframes;
	for (unsigned i = 0; i < fa->nnodes; i++) {
		struct fr_node *nd = &fa->node[i];
		uint64_t node_used = 0;
		for (uint64_t a = nd->area_lo; a < nd->area_hi; a++) {
			uint32_t e = pb_atomic_load(&fa->area[a], PB_ACQUIRE);
			unsigned pop = 0;
			for (unsigned w = 0; w < FR_AREA_WORDS; w++)
				pop += popc64(
				    pb_atomic_load(&fa->bits[a * FR_AREA_WORDS + w], PB_RELAXED));
			if (e & FR_AREA_HUGE) {
				if (e != FR_AREA_HUGE_FULL || pop)
					CHECK_FAIL("area %" PRIu64
						   ": huge entry %#x with %u small frames set",
						   a, e, pop);
				node_used += PB_FRAMES_AREA_FRAMES;
				continue;
			}
			if ((e & ~FR_AREA_USED_MASK) ||
			    (e & FR_AREA_USED_MASK) > PB_FRAMES_AREA_FRAMES)
				CHECK_FAIL("area %" PRIu64 ": corrupt entry %#x", a, e);
			if (pop != (e & FR_AREA_USED_MASK))
				CHECK_FAIL("area %" PRIu64 ": count %u but %u frames marked used",
					   a, e & FR_AREA_USED_MASK, pop);
			node_used += pop;
		}
		if (i + 1 == fa->nnodes)
			node_used -= pad;
		int64_t f = node_free(fa, i);
		if (f < 0 || (uint64_t)f + node_used != nd->frames)
			CHECK_FAIL("node %u: free counter %" PRId64 " but %" PRIu64 " of %" PRIu64
				   " frames used in its areas",
				   i, f, node_used, nd->frames);
		used_all += node_used;
	}

	/* Cached frames: marked used, local, small, each in one cache once. */
	uint64_t ncached = 0, ncached_frames = 0, api = fa->retired_alloc - fa->retired_free;
	for (unsigned i = 0; i < fa->nnodes; i++)
		for (unsigned j = 0; j < FR_STRIPES; j++)
			api += pb_atomic_load(&fa->node[i].st[j].api_alloc, PB_RELAXED) -
			       pb_atomic_load(&fa->node[i].st[j].api_free, PB_RELAXED);
	for (struct pb_frames_cache *c = fa->caches; c; c = c->next) {
		ncached += c->n + c->nhuge + c->rn + c->pn;
		ncached_frames += c->n + c->rn + c->pn + (uint64_t)c->nhuge * PB_FRAMES_AREA_FRAMES;
		api += c->api_alloc - c->api_free;
	}
	/* Frames in remote batches sent and not yet taken (quiescent: the
	 * inbox lists are stable). */
	uint64_t nremote = 0;
	for (unsigned i = 0; i < FR_MAX_SLOTS; i++) {
		uint64_t k = 0;
		for (struct fr_rbatch *b = pb_atomic_load(&fa->slot[i].inbox, PB_ACQUIRE); b;
		     b = b->next)
			k += b->n;
		if (k != pb_atomic_load(&fa->slot[i].inbox_frames, PB_RELAXED))
			CHECK_FAIL("slot %u: inbox holds %" PRIu64 " frames but counts %" PRIu64, i,
				   k, pb_atomic_load(&fa->slot[i].inbox_frames, PB_RELAXED));
		nremote += k;
	}
	ncached += nremote;
	ncached_frames += nremote;
	if (ncached) {
		cached_bytes = ncached * sizeof(uint64_t);
		cached = pb_map(cached_bytes, 0);
		if (!cached) {
			rc = -ENOMEM;
			snprintf(err, len, "out of memory for the check");
			goto out;
		}
		uint64_t k = 0;
		for (struct pb_frames_cache *c = fa->caches; c; c = c->next) {
			for (unsigned j = 0; j < c->n; j++) {
				uint64_t p = c->stack[j];
				if (p < c->lo_pfn || p >= c->hi_pfn)
					CHECK_FAIL("cache of node %u holds frame %" PRIu64
						   " outside its node",
						   c->node, p);
				if (fa->area[p >> PB_HUGE_ORDER] & FR_AREA_HUGE)
					CHECK_FAIL("cached frame %" PRIu64 " lies in a huge frame",
						   p);
				if (!(fa->bits[p / FR_WORD_BITS] & (1ULL << (p % FR_WORD_BITS))))
					CHECK_FAIL("cached frame %" PRIu64
						   " is free in the global structure",
						   p);
				struct fr_meta *m = pb_fr_meta_get(fa, p, 0);
				if (m && !pb_fr_meta_clean(m))
					CHECK_FAIL("cached frame %" PRIu64
						   " has metadata left (freed dirty)",
						   p);
				cached[k++] = p;
			}
			for (unsigned j = 0; j < c->nhuge; j++) {
				uint64_t p = c->huge[j];
				if (p < c->lo_pfn || p >= c->hi_pfn ||
				    (p & (PB_FRAMES_AREA_FRAMES - 1)) ||
				    fa->area[p >> PB_HUGE_ORDER] != FR_AREA_HUGE_FULL)
					CHECK_FAIL("cache of node %u keeps %" PRIu64
						   " as a huge frame, which it is not",
						   c->node, p);
				struct fr_meta *m = pb_fr_meta_get(fa, p, 0);
				if (m && !pb_fr_meta_clean(m))
					CHECK_FAIL("cached frame %" PRIu64
						   " has metadata left (freed dirty)",
						   p);
				cached[k++] = p;
			}
		}
		/* Frames in remote batches: small, marked used, clean. */
		for (struct pb_frames_cache *c = fa->caches; c; c = c->next) {
			for (unsigned w = 0; w < FR_RWAYS; w++)
				if (c->out[w].b &&
				    (rc = check_batch(fa, c->out[w].b, cached, &k, err, len)))
					goto out;
			for (struct fr_rbatch *b = c->pend; b; b = b->next)
				if ((rc = check_batch(fa, b, cached, &k, err, len)))
					goto out;
		}
		for (unsigned i = 0; i < FR_MAX_SLOTS; i++)
			for (struct fr_rbatch *b = fa->slot[i].inbox; b; b = b->next)
				if ((rc = check_batch(fa, b, cached, &k, err, len)))
					goto out;
		qsort(cached, k, sizeof(uint64_t), pb_cmp_u64);
		for (uint64_t j = 1; j < k; j++)
			if (cached[j] == cached[j - 1])
				CHECK_FAIL("frame %" PRIu64 " is cached twice (double free)",
					   cached[j]);
	}
	if (ncached_frames > used_all)
		CHECK_FAIL("%" PRIu64 " frames cached but only %" PRIu64 " marked used",
			   ncached_frames, used_all);
	uint64_t used = used_all - ncached_frames;
	if (used != api)
		CHECK_FAIL("%" PRIu64 " frames in use but allocations minus frees = %" PRIu64
			   " (frames lost or handed out twice)",
			   used, api);

	/* Free frames must have clean metadata. */
	for (uint64_t ch = 0; ch < fa->meta_chunks; ch++) {
		if (!pb_atomic_load(&fa->meta_dir[ch], PB_ACQUIRE))
			continue;
		uint64_t p0 = ch << FR_META_SHIFT, p1 = p0 + FR_META_CHUNK;
		if (p1 > fa->nframes)
			p1 = fa->nframes;
		for (uint64_t p = p0; p < p1; p++) {
			if (fa->area[p >> PB_HUGE_ORDER] & FR_AREA_HUGE)
				continue;
			if (fa->bits[p / FR_WORD_BITS] & (1ULL << (p % FR_WORD_BITS)))
				continue;
			struct fr_meta *m = pb_fr_meta_get(fa, p, 0);
			if (!pb_fr_meta_clean(m))
				CHECK_FAIL("free frame %" PRIu64 " has metadata left (freed dirty)",
					   p);
		}
	}
out:
	pthread_mutex_unlock(&fa->lock);
	if (cached)
		pb_unmap(cached, cached_bytes);
	return rc;
}
