/* SPDX-License-Identifier: MIT */
/*
 * kernels/frames/internal.h - layout shared by the allocator (frames.c) and
 * the per-frame metadata (meta.c).  Not a public header.
 */
#ifndef PAGEBENCH_KERNELS_FRAMES_INTERNAL_H
#define PAGEBENCH_KERNELS_FRAMES_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "pagebench/common.h"
#include "pagebench/frames.h"

#define FR_WORD_BITS  64
#define FR_AREA_WORDS (PB_FRAMES_AREA_FRAMES / FR_WORD_BITS) /* 8: one cache line */

/* Area entry: used-frame count in the low bits, HUGE flag above. */
#define FR_AREA_USED_MASK 0x3ffu /* 0 .. 512 */
#define FR_AREA_HUGE	  0x10000u
#define FR_AREA_HUGE_FULL (FR_AREA_HUGE | (uint32_t)PB_FRAMES_AREA_FRAMES)

/* Metadata chunks: materialised on first write, 2^15 frames each. */
#define FR_META_SHIFT 15
#define FR_META_CHUNK (1UL << FR_META_SHIFT)

#define FR_META_DIRTY  0x1u
#define FR_META_LOCK   0x2u
#define FR_META_INLINE 0x4u /* the inline rmap slot holds an entry */

struct fr_rmap_ent {
	pb_asid_t as;
	uint32_t pad;
	uint64_t vpn;
};

#define FR_RMAP_NODE_ENTS 6
struct fr_rmap_node {
	struct fr_rmap_node *next;
	uint32_t n;
	uint32_t pad;
	struct fr_rmap_ent e[FR_RMAP_NODE_ENTS];
};

struct fr_meta {
	uint32_t ref;	/* atomic */
	uint32_t flags; /* atomic: FR_META_* */
	uint64_t swap;	/* atomic: slot + 1, 0 = none */
	/* Under FR_META_LOCK: */
	uint64_t rvpn; /* inline rmap entry (valid if FR_META_INLINE) */
	pb_asid_t ras;
	uint32_t nover; /* entries in the overflow list */
	struct fr_rmap_node *over;
};

/*
 * Node counters are striped by thread (frames.c: my_stripe), 128 bytes
 * apart, so that threads update different cache lines even when one of
 * them releases frames of areas another is claiming from.  Readers sum the
 * stripes; a single stripe may go negative.
 */
#define FR_STRIPES 16
struct fr_stripe {
	PB_ALIGNED(2 * PB_CACHELINE) int64_t free; /* atomic: frames free in the global structure */
	uint64_t api_alloc;			   /* atomic: frames handed out cache-less */
	uint64_t api_free;			   /* atomic: frames freed cache-less */
};

struct fr_node {
	uint64_t area_lo, area_hi; /* [lo, hi) areas owned by the node */
	uint64_t frames;	   /* real frames in the node (tail excluded) */
	struct fr_stripe st[FR_STRIPES];
};

/*
 * Remote frees (frames.c, "Remote frees"): a frame freed through a cache
 * that did not claim it goes back to the cache that did, in batches of
 * FR_RBATCH frames pushed onto that cache's inbox with one CAS.  Caches
 * that can receive own one of FR_MAX_SLOTS slots; owner[] names, per area,
 * the slot of the cache that last refilled from it.
 */
#define FR_MAX_SLOTS 256u
#define FR_RBATCH    62u /* frames per batch: a 512-byte node */
struct fr_rbatch {
	struct fr_rbatch *next; /* inbox / spare list link */
	uint32_t n, pad;
	uint64_t pfn[FR_RBATCH];
};
struct fr_slot {
	PB_ALIGNED(PB_CACHELINE) struct fr_rbatch *inbox; /* atomic: batches sent to this cache */
	uint64_t inbox_frames;				  /* atomic: frames in them (stats) */
	struct pb_frames_cache *cache;			  /* atomic: the receiver, NULL if none */
};

struct pb_frames {
	uint64_t id; /* unique per process, keys the threads' search hints */
	uint64_t nframes, nareas;
	unsigned nnodes, cache_cap, flags;
	uint64_t areas_per_node; /* node i owns [i*apn, (i+1)*apn), the last to nareas */
	uint64_t *bits;		 /* nareas * FR_AREA_WORDS words: 1 = used (or cached) */
	uint32_t *area;		 /* nareas entries */
	size_t bits_bytes, area_bytes;
	uint8_t fallback[PB_FRAMES_MAX_NODES][PB_FRAMES_MAX_NODES];
	struct fr_node *node; /* nnodes entries (mapped) */
	size_t node_bytes;

	/* Metadata: dir[pfn >> FR_META_SHIFT] -> chunk of fr_meta (atomic ptr). */
	struct fr_meta **meta_dir;
	size_t meta_dir_bytes;
	uint64_t meta_chunks;

	/* Remote frees: slots of the caches that receive them, the owning
	 * slot + 1 per area (0: none; relaxed loads and stores: a hint that
	 * only decides where a free frame goes, never whether it is free). */
	struct fr_slot *slot; /* FR_MAX_SLOTS entries (mapped) */
	uint16_t *owner;      /* nareas entries (mapped) */
	size_t slot_bytes, owner_bytes;
	uint64_t remote_batches; /* atomic: batches sent so far */

	/* Bad frees found when a cache flushed (double frees behind a cache). */
	uint64_t bad_frees; /* atomic */

	/* Cache registry and the rmap overflow pool: cold, under a mutex. */
	pthread_mutex_t lock;
	struct pb_frames_cache *caches;
	uint64_t retired_alloc, retired_free; /* api counts of destroyed caches */
	unsigned cache_seq;
	unsigned thread_seq; /* atomic: spreads threads' cache-less search starts */
	struct fr_rmap_node *rmap_free;
	struct fr_pool_chunk *rmap_chunks;
};

struct fr_meta *pb_fr_meta_get(struct pb_frames *fa, uint64_t pfn, int create);
void pb_fr_meta_fini(struct pb_frames *fa);
int pb_fr_meta_clean(const struct fr_meta *m);

#endif
