/* SPDX-License-Identifier: MIT */
/*
 * pagebench/frames.h - the lock-free physical frame allocator (pb_frames).
 *
 * Simulated physical memory of `nframes` 4 KiB frames, split into NUMA nodes
 * (contiguous ranges of 2 MiB areas).  Frames of order 0 (4 KiB) and order 9
 * (PB_HUGE_ORDER, 2 MiB, aligned to 512 frames) are allocated and freed
 * without locks:
 *
 *   - a global structure per node: one 64-bit bitfield word per 64 frames
 *     (claimed and released by CAS / fetch-and) and one 32-bit entry per
 *     2 MiB area (count of used frames + a HUGE flag), so that a 2 MiB frame
 *     costs exactly one CAS and can never overlap a used 4 KiB frame;
 *   - an explicit per-thread cache (struct pb_frames_cache) in front of it
 *     whose fast path uses no atomic instructions at all: it refills by
 *     claiming whole bitfield words and flushes in batches.
 *
 * Per-frame metadata (reverse map, reference count, dirty flag, swap slot)
 * lives in a separate, lazily materialised array, away from the hot
 * allocator bitfields.  Nothing sized by nframes is touched at creation: a
 * 2^32-frame allocator costs a few pages until it is used.
 *
 * Errors: 0 or -errno.  -ENOMEM: no frame of that order anywhere (note that
 * up to cache_cap small and 2 huge frames per *other* live cache may still
 * be held there; a caller that must reclaim them asks their owners to
 * drain, as Linux drains per-cpu lists before declaring OOM).  -EINVAL: bad
 * argument, order other than 0 / 9, pfn out of range or misaligned, or a
 * double free detected by the global structure.
 *
 * Thread safety, in one line: every function may be called from any thread
 * concurrently unless its comment restricts it; a pb_frames_cache belongs to
 * one thread at a time.
 */
#ifndef PAGEBENCH_FRAMES_H
#define PAGEBENCH_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"

struct pb_frames;	/* the allocator (opaque) */
struct pb_frames_cache; /* one thread's cache (opaque) */

#define PB_FRAMES_MAX_NODES   64
#define PB_FRAMES_ORDER_SMALL 0
#define PB_FRAMES_ORDER_HUGE  PB_HUGE_ORDER /* 9: 512 frames, 2 MiB */
#define PB_FRAMES_AREA_FRAMES (1UL << PB_HUGE_ORDER)

/*
 * pb_frames_cfg.flags.  PB_FRAMES_DEBUG: a cache free also checks that the
 * frame is allocated in the global structure and not in the cache already,
 * so double frees fail at the call with -EINVAL (costs a load and a scan of
 * the cache per free).  Without it, a double free through a cache is found
 * when the cache flushes, and reported by pb_frames_check.
 */
#define PB_FRAMES_DEBUG 0x1u
/*
 * PB_FRAMES_REMOTE: remote frees go back to their owner in batches (see
 * pb_frames_cache_free).  Off by default: measured on a 2-vCPU guest it did
 * not pay, with the per-frame ring kernel nor with the batched one (0.5 ns a
 * pair more at 2 threads; docs/frames.md, "Limits"): the global structure
 * already releases an overflowing cache's frames a 64-frame word per atomic.
 */
#define PB_FRAMES_REMOTE 0x2u

struct pb_frames_cfg {
	uint64_t nframes; /* total 4 KiB frames, 1 .. 2^40 */
	unsigned nnodes;  /* NUMA nodes, 1 .. PB_FRAMES_MAX_NODES; 0 means 1 */
	/* Optional nnodes x nnodes row-major distance matrix (ACPI SLIT
	 * style: smaller is nearer), or NULL for |i - j|.  Allocation falls
	 * back from the local node to the others in increasing distance
	 * (ties: lower index first).  Read at creation only. */
	const unsigned *distance;
	unsigned cache_cap; /* frames a cache holds at most; 0 = default (256) */
	unsigned flags;	    /* PB_FRAMES_* */
};

/*
 * Create / destroy.  Nodes get equal shares of the 2 MiB areas (the last
 * node also the partial tail).  create: 0, -EINVAL (bad cfg) or -ENOMEM.
 * destroy: only when no other thread uses fa; caches still alive are
 * destroyed with it (their frames simply vanish with the allocator).
 */
int pb_frames_create(const struct pb_frames_cfg *cfg, struct pb_frames **out) PB_MUST_CHECK;
void pb_frames_destroy(struct pb_frames *fa);

uint64_t pb_frames_total(const struct pb_frames *fa);
unsigned pb_frames_nnodes(const struct pb_frames *fa);
/* Node owning pfn, or -EINVAL if pfn is out of range. */
int pb_frames_node_of(const struct pb_frames *fa, pb_pfn_t pfn);
/* [first, end) pfns of a node. */
void pb_frames_node_range(const struct pb_frames *fa, unsigned node, uint64_t *first,
			  uint64_t *end);

/*
 * Cache-less global allocation, lock-free.  node: preferred node (-1: node
 * 0); falls back to the others by distance.  order: 0 or 9.  An order-9 pfn
 * is a multiple of 512.  alloc: 0 / -ENOMEM / -EINVAL.  free: 0 / -EINVAL
 * (out of range, misaligned, or not allocated = double free).  Any thread.
 * Ordering: a successful alloc acquires the frame (it happens-after the free
 * that released it); free releases it.
 */
int pb_frames_alloc(struct pb_frames *fa, int node, unsigned order, pb_pfn_t *out) PB_MUST_CHECK;
int pb_frames_free(struct pb_frames *fa, pb_pfn_t pfn, unsigned order) PB_MUST_CHECK;

/*
 * Per-thread caches.  create: a cache preferring `node` (-1: node 0), or
 * NULL (ENOMEM/EINVAL in errno).  Create/destroy take a short internal
 * mutex (registration, for pb_frames_check); never on the alloc path.
 *
 * A cache is owned by one thread at a time (handing it to another thread
 * needs the caller's own happens-before, e.g. a thread join).  Its alloc and
 * free of order 0 are plain loads and stores on the owner's stack of frames
 * (no atomics) except when it refills from / flushes to the global
 * structure.  Any frame may be freed into any cache, whoever allocated it:
 * a frame of another node goes straight back to the global structure, a
 * frame of the cache's node stays in the cache.  When a cache overflows,
 * the frames that leave it go back to the global structure, except, with
 * PB_FRAMES_REMOTE, those of areas another live cache claimed from last
 * (remote frees): they are
 * collected in per-destination batches (no atomics) and a full batch (62
 * frames) goes to that cache in one CAS, to be reused there at its next
 * refill, as snmalloc returns remote frees.  No frame is lost: drain and
 * destroy release partial and pending batches, a batch sent to a cache
 * that is gone is taken back, and an allocation that would fail with
 * -ENOMEM first takes the frames waiting in every cache's inbox.  Huge
 * frames (order 9): the cache keeps up to 2 freed ones of its node for
 * reuse (no atomics); otherwise one CAS on the global structure, searched
 * from the cache's own hint.
 *
 * drain: return every cached frame to the global structure (owner thread).
 * destroy: drain and unregister (owner thread).
 */
struct pb_frames_cache *pb_frames_cache_create(struct pb_frames *fa, int node);
void pb_frames_cache_drain(struct pb_frames_cache *c);
void pb_frames_cache_destroy(struct pb_frames_cache *c);
int pb_frames_cache_alloc(struct pb_frames_cache *c, unsigned order, pb_pfn_t *out) PB_MUST_CHECK;
int pb_frames_cache_free(struct pb_frames_cache *c, pb_pfn_t pfn, unsigned order) PB_MUST_CHECK;
/* Frames currently held by the cache, a kept huge frame counting 512
 * (owner thread; from other threads a relaxed snapshot). */
unsigned pb_frames_cache_count(const struct pb_frames_cache *c);

/*
 * Statistics.  Exact at a quiescent point, approximate (but never torn)
 * while other threads run.  free: frames free in the global structure;
 * cached: frames held in caches (neither free nor handed out); used: frames
 * handed out to callers (a huge frame counts 512).
 */
struct pb_frames_stats {
	uint64_t total, free, cached, used;
	uint64_t huge_used; /* 2 MiB frames handed out */
	/* Remote frees: frames in partial batches and inboxes (part of
	 * cached), and batches sent since creation (the whole allocator). */
	uint64_t remote, remote_batches;
};
/* node -1: the whole allocator.  0 or -EINVAL.  Cost: a scan of the node's
 * area words (4 bytes per 2 MiB) for huge_used; not for a hot path. */
int pb_frames_stats(struct pb_frames *fa, int node, struct pb_frames_stats *st);

/*
 * Invariant check, at a quiescent point only (no concurrent alloc/free,
 * caches owned by stopped threads).  Verifies: each area's used count equals
 * the bits set in its bitfield (or it is a whole HUGE area with no bits),
 * node free counters match, every cached frame is marked used globally and
 * sits in exactly one cache once (never handed out twice), free + cached +
 * used = total, used equals allocations minus frees seen by the API (no
 * frame lost), and every free frame's metadata is clean (ref 0, no rmap,
 * no swap slot, not dirty).  Returns 0, or -EINVAL with one line in err.
 */
int pb_frames_check(struct pb_frames *fa, char *err, size_t len);

/*
 * Per-frame metadata.  pfn must be a frame the caller holds (allocated and
 * not freed; for a huge frame use its first pfn).  A freshly allocated frame
 * has clean metadata: ref 0, no rmap entry, not dirty, no swap slot.  The
 * caller must return it clean before freeing it (pb_frames_meta_reset
 * does so); pb_frames_check reports frames freed dirty.
 *
 * Reference count: atomic; get returns the new count (acq_rel), put the new
 * count (release; 0 means the last reference went, and the put is then an
 * acquire too, so the caller may free).  A put on a count of 0 is refused
 * and returns UINT32_MAX.
 */
uint32_t pb_frames_get(struct pb_frames *fa, pb_pfn_t pfn);
uint32_t pb_frames_put(struct pb_frames *fa, pb_pfn_t pfn);
uint32_t pb_frames_refcount(struct pb_frames *fa, pb_pfn_t pfn); /* relaxed snapshot */

/* Dirty flag: atomic bit ops (set: release; test: acquire). */
void pb_frames_set_dirty(struct pb_frames *fa, pb_pfn_t pfn);
void pb_frames_clear_dirty(struct pb_frames *fa, pb_pfn_t pfn);
bool pb_frames_test_clear_dirty(struct pb_frames *fa, pb_pfn_t pfn);
bool pb_frames_is_dirty(struct pb_frames *fa, pb_pfn_t pfn);

/* Swap slot of the frame's contents (PB_FRAMES_NO_SWAP if none).  set is a
 * release store, get an acquire load. */
#define PB_FRAMES_NO_SWAP UINT64_MAX
void pb_frames_set_swap(struct pb_frames *fa, pb_pfn_t pfn, uint64_t slot);
uint64_t pb_frames_get_swap(struct pb_frames *fa, pb_pfn_t pfn);

/*
 * Reverse map: the set of (address space, virtual page) that map the frame.
 * One entry inline in the metadata, more in an overflow list (shared pages).
 * Each call takes the frame's own metadata lock (a spin bit; frames never
 * contend on each other's), so add/remove/each on the same frame from
 * different threads are serialised and safe.  The caller must hold the
 * frame (a reference, or be its owner), and is responsible for ordering the
 * rmap change with its PTE update (typically: add after installing the PTE,
 * remove after clearing it).
 *
 * add: 0, -EEXIST (already there), -ENOMEM (overflow pool exhausted).
 * remove: 0 or -ENOENT.
 * each: calls cb for every entry under the frame lock (cb must not call
 * rmap functions on the same frame); stops at the first non-zero cb result
 * and returns it, else 0.
 * count: number of entries.
 */
int pb_frames_rmap_add(struct pb_frames *fa, pb_pfn_t pfn, pb_asid_t as, pb_vpn_t vpn);
int pb_frames_rmap_remove(struct pb_frames *fa, pb_pfn_t pfn, pb_asid_t as, pb_vpn_t vpn);
int pb_frames_rmap_each(struct pb_frames *fa, pb_pfn_t pfn,
			int (*cb)(void *arg, pb_asid_t as, pb_vpn_t vpn), void *arg);
unsigned pb_frames_rmap_count(struct pb_frames *fa, pb_pfn_t pfn);

/* Reset a held frame's metadata to clean (ref 0, rmap emptied, not dirty,
 * no swap).  Caller holds the frame and no other thread uses its metadata. */
void pb_frames_meta_reset(struct pb_frames *fa, pb_pfn_t pfn);

#endif /* PAGEBENCH_FRAMES_H */
