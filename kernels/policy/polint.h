/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/polint.h - what every eviction strategy is built from.
 *
 * Not a public header: only kernels/policy/ includes it.
 *
 * Every strategy keeps its pages (resident and, where the algorithm has
 * them, ghost/history entries) as nodes of ONE growable array of fixed-size
 * `struct pnode` (the pool), found by key through ONE open-addressing hash
 * map (kmap: key -> node index).  Lists are intrusive, doubly linked over
 * 32-bit node indices, never pointers to malloc'ed nodes, so an access costs
 * one hash probe plus a few index-array writes and never calls malloc.  The
 * pool and the map grow by doubling (pb_map'ed memory, copied), so memory is
 * proportional to the frames plus the history a strategy keeps, not to the
 * key space.
 *
 * Because the pool may move when it grows, a strategy never keeps a
 * `struct pnode *` across a call to pool_alloc(): it re-reads base.pool.n.
 */
#ifndef PB_POLICY_POLINT_H
#define PB_POLICY_POLINT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/hmap.h"
#include "pagebench/kernel.h"
#include "pagebench/outfile.h" /* pb_signal_pending */
#include "pagebench/policy.h"

#define PN_NIL UINT32_MAX

/*
 * One page known to a strategy.  prev/next link it in its primary list or
 * ring; a/b are either a second link (LIRS's Q) or strategy data (counters,
 * times, heap positions); c, where, ref, dirty, flag are strategy data.
 */
struct pnode {
	uint64_t key;
	uint32_t prev, next;
	uint32_t a, b;
	uint32_t c;
	uint8_t where; /* which list/state (strategy-defined) */
	uint8_t ref;   /* reference (accessed) bit or small frequency */
	uint8_t dirty; /* dirty (modified) bit */
	uint8_t flag;  /* strategy-defined */
};

/* ---- node pool ---- */
struct ppool {
	struct pnode *n;
	uint32_t cap, top, free; /* free: head of the free chain (through next) */
	uint32_t live;
};

int pb_pol_pool_init(struct ppool *p, uint64_t cap);
void pb_pol_pool_fini(struct ppool *p);
int pb_pol_pool_grow(struct ppool *p);

/* The next size of an array that doubles as it fills, at most lim: the
 * one rule of the one-pass curves' arrays (LRU's histogram, OPT's stack),
 * which grow with the distinct keys seen instead of being sized up front. */
static inline uint64_t pb_pol_grow_capped(uint64_t n, uint64_t lim)
{
	return n > lim / 2 ? lim : 2 * n;
}

/* Returns a node index, or PN_NIL when memory ran out.  May move p->n. */
static inline uint32_t pool_alloc(struct ppool *p)
{
	uint32_t i;
	if (p->free != PN_NIL) {
		i = p->free;
		p->free = p->n[i].next;
	} else {
		if (pb_unlikely(p->top == p->cap) && pb_pol_pool_grow(p))
			return PN_NIL;
		i = p->top++;
	}
	p->live++;
	return i;
}

static inline void pool_free(struct ppool *p, uint32_t i)
{
	p->n[i].next = p->free;
	p->free = i;
	p->live--;
}

/*
 * ---- kmap: key -> node index, for the strategies ----
 * Open addressing with linear probing and backward-shift deletion.  A slot
 * is 8 bytes: the top 32 bits of the key's hash (tag) and the node index;
 * the key itself lives in the node, so a probe compares tags and touches
 * the node only on a tag match (which a hit touches anyway).  Since the
 * home slot is the tag's top bits, growing and deleting never read nodes.
 * A tag is never 0 (its low bit is set, below every home bit), so an empty
 * slot is tag 0: a probe reads the slot as one word and a hit's first
 * test is the tag's; a fresh table is the zero pages pb_map gives.
 * Load factor <= 1/4: each probe is a data-dependent branch, and on the
 * 2M-reference bench trace LRU ran at 47 / 64 / 76 M refs/s with the load
 * kept under 3/4 / 1/2 / 1/4 (8 bytes a slot: 32 bytes per entry).
 * A miss that evicts renames the victim's node: its lookup's empty slot and
 * tag (kmap_find_at) take the new key without a second probe or hash, then
 * the old entry leaves by backward shift (pb_pol_node_rekey_at).
 */
struct kslot {
	uint32_t tag; /* 0: empty */
	uint32_t idx;
};

struct kmap {
	struct kslot *s;
	uint64_t mask;
	unsigned lg;  /* log2(slots), <= 31 */
	unsigned sh;  /* 64 - lg: a key's home slot is its hash >> sh */
	unsigned tsh; /* 32 - lg: and its tag >> tsh (both kept, not computed
		       * on each lookup) */
	uint64_t count;
};

int pb_pol_kmap_init(struct kmap *m, uint64_t expect);
void pb_pol_kmap_fini(struct kmap *m);
int pb_pol_kmap_grow(struct kmap *m);

/* The top half of the project's one mixer (pb_hash64_hi == pb_hash64's
 * high bits, Fibonacci hashing after a xor-shift): sequential page numbers
 * spread over the whole table.  The low bit set: 0 marks an empty slot
 * (the home slot, the hash's top lg <= 31 bits, never reads that bit). */
static inline uint32_t kmap_tag(uint64_t key)
{
	return (uint32_t)(pb_hash64_hi(key) >> 32 | 1);
}

/* The home slot of a tag: its top lg bits. */
static inline uint64_t kmap_slot0(const struct kmap *m, uint32_t tag)
{
	return (uint64_t)tag >> m->tsh;
}

/* Slot i as one word: index in the high half, tag in the low half. */
static inline uint64_t kmap_word(const struct kslot *s, uint64_t i)
{
	uint64_t w;
	memcpy(&w, &s[i], sizeof(w));
	return w;
}

/*
 * Node index of key, or PN_NIL with *at = the empty slot that ended the
 * probe (high half) and key's tag (low half): where key goes and what it
 * is entered with (kmap_insert_at) while the map is unchanged, so a miss
 * that reuses a node neither probes nor hashes a second time.  n: the
 * pool's nodes.
 */
static inline uint32_t kmap_find_at(const struct kmap *m, const struct pnode *n, uint64_t key,
				    uint64_t *at)
{
	/* the tag as a u64: one register for the compares and *at */
	uint64_t h = pb_hash64_hi(key);
	uint32_t tag = (uint32_t)(h >> 32 | 1); /* kmap_tag */
	const struct kslot *s = m->s;
	uint64_t i = h >> m->sh; /* kmap_slot0 from the whole hash */
	for (;;) {
		uint64_t w = kmap_word(s, i);
		if ((uint32_t)w == tag) {
			uint32_t x = (uint32_t)(w >> 32);
			if (x == PN_NIL) /* no node has that index (the pool's cap) */
				__builtin_unreachable();
			if (n[x].key == key)
				return x;
		} else if (!(uint32_t)w) {
			*at = i << 32 | tag;
			return PN_NIL;
		}
		i = (i + 1) & m->mask;
	}
}

/* Node index of key, or PN_NIL. */
static inline uint32_t kmap_find(const struct kmap *m, const struct pnode *n, uint64_t key)
{
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	return kmap_find_at(m, n, key, &at);
}

/* Enter key -> idx where kmap_find_at's *at for key says, the map
 * unchanged since (every slot from key's home to that one is taken, so a
 * probe for key reaches it).  No load check. */
static inline void kmap_insert_at(struct kmap *m, uint64_t at, uint32_t idx)
{
	struct kslot *e = &m->s[at >> 32];
	e->tag = (uint32_t)at;
	e->idx = idx;
	m->count++;
}

/* Insert key -> idx (key must be absent).  0 or -ENOMEM. */
static inline int kmap_put(struct kmap *m, uint64_t key, uint32_t idx)
{
	if (pb_unlikely((m->count + 1) * 4 > m->mask + 1) && pb_pol_kmap_grow(m))
		return -ENOMEM;
	uint32_t tag = kmap_tag(key);
	uint64_t i = kmap_slot0(m, tag);
	while (m->s[i].tag)
		i = (i + 1) & m->mask;
	kmap_insert_at(m, i << 32 | tag, idx);
	return 0;
}

/* Take the entry key -> idx (must be present) out of the slots; the
 * caller keeps the count.  The first slot of idx from key's home is that
 * entry even while a rename's new entry of idx is in the map too
 * (pb_pol_node_rekey_at): the new one went into a slot that was empty, so
 * not one between key's home and key's entry. */
static inline void kmap_unlink(struct kmap *m, uint64_t key, uint32_t idx)
{
	struct kslot *s = m->s;
	uint64_t mask = m->mask;
	unsigned sh = m->tsh;
	uint64_t i = (uint64_t)kmap_tag(key) >> sh;
	while (s[i].idx != idx) /* each slot up to the entry is taken */
		i = (i + 1) & mask;
	/* Backward shift: pull later entries of the run into the hole. */
	uint64_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!s[j].tag)
			break;
		uint64_t h = (uint64_t)s[j].tag >> sh;
		/* The entry at j may move to i if its home is not in (i, j]. */
		if (((j - h) & mask) >= ((j - i) & mask)) {
			s[i] = s[j];
			i = j;
		}
	}
	s[i] = (struct kslot){0, 0};
}

/* Remove the entry key -> idx (must be present). */
static inline void kmap_del(struct kmap *m, uint64_t key, uint32_t idx)
{
	kmap_unlink(m, key, idx);
	m->count--;
}

/* ---- intrusive lists over node indices: head = newest end ---- */
struct plist {
	uint32_t head, tail;
	uint64_t size;
};

#define PLIST_INIT ((struct plist){PN_NIL, PN_NIL, 0})

#define PL_DEFINE(NAME, PREV, NEXT)                                                                \
	static inline PB_UNUSED void NAME##_push_head(struct pnode *n, struct plist *l,            \
						      uint32_t i)                                  \
	{                                                                                          \
		n[i].PREV = PN_NIL;                                                                \
		n[i].NEXT = l->head;                                                               \
		if (l->head != PN_NIL)                                                             \
			n[l->head].PREV = i;                                                       \
		else                                                                               \
			l->tail = i;                                                               \
		l->head = i;                                                                       \
		l->size++;                                                                         \
	}                                                                                          \
	static inline PB_UNUSED void NAME##_push_tail(struct pnode *n, struct plist *l,            \
						      uint32_t i)                                  \
	{                                                                                          \
		n[i].NEXT = PN_NIL;                                                                \
		n[i].PREV = l->tail;                                                               \
		if (l->tail != PN_NIL)                                                             \
			n[l->tail].NEXT = i;                                                       \
		else                                                                               \
			l->head = i;                                                               \
		l->tail = i;                                                                       \
		l->size++;                                                                         \
	}                                                                                          \
	static inline PB_UNUSED void NAME##_unlink(struct pnode *n, struct plist *l, uint32_t i)   \
	{                                                                                          \
		uint32_t p = n[i].PREV, x = n[i].NEXT;                                             \
		if (p != PN_NIL)                                                                   \
			n[p].NEXT = x;                                                             \
		else                                                                               \
			l->head = x;                                                               \
		if (x != PN_NIL)                                                                   \
			n[x].PREV = p;                                                             \
		else                                                                               \
			l->tail = p;                                                               \
		l->size--;                                                                         \
	}                                                                                          \
	/* unlink + push_head, knowing what they test: i is not the head,                          \
	 * so it has a PREV and the list a head; the size is unchanged */                          \
	static inline PB_UNUSED void NAME##_to_head(struct pnode *n, struct plist *l, uint32_t i)  \
	{                                                                                          \
		uint32_t h = l->head;                                                              \
		if (h == i)                                                                        \
			return;                                                                    \
		uint32_t p = n[i].PREV, x = n[i].NEXT;                                             \
		n[p].NEXT = x;                                                                     \
		if (x != PN_NIL)                                                                   \
			n[x].PREV = p;                                                             \
		else                                                                               \
			l->tail = p;                                                               \
		n[i].PREV = PN_NIL;                                                                \
		n[i].NEXT = h;                                                                     \
		n[h].PREV = i;                                                                     \
		l->head = i;                                                                       \
	}

PL_DEFINE(pl, prev, next)
PL_DEFINE(pl2, a, b)

/*
 * ---- frame circle: the frames as an array, as an OS keeps them ----
 * For strategies whose hand sweeps frames, not a linked ring (clock, nru):
 * slot[f] is the node of the page in frame f (PN_NIL: free), b[f] the
 * strategy's byte for it (a reference bit, an NRU class), dense, so a sweep
 * is a linear scan.  Frames are filled in order; a frame freed by remove()
 * (fc_release) is the next fill's (fc_take), in place on the circle.
 */
struct fcircle {
	uint32_t *slot;	 /* frame -> node (PN_NIL: free) */
	uint32_t *holes; /* frames freed by remove(), refilled first */
	uint8_t *b;	 /* frame -> the strategy's byte */
	uint64_t frames, nholes, used, hand;
};

int pb_pol_fc_init(struct fcircle *c, uint64_t frames);
void pb_pol_fc_fini(struct fcircle *c);

static inline uint64_t fc_next(const struct fcircle *c, uint64_t f)
{
	return f + 1 == c->frames ? 0 : f + 1;
}

/* The frame a fill takes: the last one freed, else the next never used. */
static inline uint64_t fc_take(struct fcircle *c)
{
	return c->nholes ? c->holes[--c->nholes] : c->used++;
}

/* Frame f is free again; its byte becomes `hole`. */
static inline void fc_release(struct fcircle *c, uint64_t f, uint8_t hole)
{
	c->slot[f] = PN_NIL;
	c->b[f] = hole;
	c->holes[c->nholes++] = (uint32_t)f;
}

/*
 * Circular list with hands (CLOCK-style): `first` is any member (PN_NIL when
 * empty); hands are plain node indices kept by the strategy.  ring_insert
 * links i just before `at` (behind a hand: the last place the hand reaches).
 */
static inline void ring_insert(struct pnode *n, uint32_t *first, uint32_t at, uint32_t i)
{
	if (*first == PN_NIL) {
		n[i].prev = n[i].next = i;
		*first = i;
		return;
	}
	if (at == PN_NIL)
		at = *first;
	uint32_t p = n[at].prev;
	n[i].prev = p;
	n[i].next = at;
	n[p].next = i;
	n[at].prev = i;
}

/* Unlink i; *first moves on if it pointed at i.  Hands are the caller's. */
static inline void ring_unlink(struct pnode *n, uint32_t *first, uint32_t i)
{
	if (n[i].next == i) {
		*first = PN_NIL;
		return;
	}
	n[n[i].prev].next = n[i].next;
	n[n[i].next].prev = n[i].prev;
	if (*first == i)
		*first = n[i].next;
}

/* Move hand h off node i before i is unlinked (PN_NIL if i was alone). */
static inline uint32_t ring_hand_off(const struct pnode *n, uint32_t h, uint32_t i)
{
	if (h != i)
		return h;
	return n[i].next == i ? PN_NIL : n[i].next;
}

/* ---- indexed binary min-heap over nodes (OPT, LFU); node.c = position ---- */
struct pheap_ent {
	unsigned __int128 pri;
	uint32_t node;
};

struct pheap {
	struct pheap_ent *e;
	uint64_t size, cap;
};

int pb_pol_pheap_init(struct pheap *h, uint64_t cap);
void pb_pol_pheap_fini(struct pheap *h);
void pb_pol_pheap_push(struct pheap *h, struct pnode *n, uint32_t node, unsigned __int128 pri);
void pb_pol_pheap_update(struct pheap *h, struct pnode *n, uint32_t node, unsigned __int128 pri);
void pb_pol_pheap_remove(struct pheap *h, struct pnode *n, uint32_t node);

/* ---- the common part of every strategy ---- */
struct pb_policy {
	const struct pb_policy_desc *desc;
	uint64_t frames;
	uint64_t res; /* resident pages */
	uint64_t now; /* accesses seen (virtual time), where a strategy reads it */
	struct ppool pool;
	struct kmap map;
	/* The list whose tail end the next miss evicts (LRU, FIFO: set by
	 * create()), so the victim order is walked here, one prev link a
	 * step, instead of from the tail by victim_node at each depth; NULL:
	 * ask desc->victim_node. */
	const struct plist *vlist;
};

/*
 * A policy whose resident pages sit in one priority heap, the root the
 * next victim (LFU, OPT): their state, creation (the heap holds frames
 * pages), destruction and removal are the same; only access differs.
 * create takes the policy's descriptor (its parameters, its name in the
 * out-of-memory message).
 */
struct pb_pol_heaped {
	struct pb_policy b;
	struct pheap h;
};
int pb_pol_heaped_create(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg,
			 struct pb_policy **out, char *err, size_t errlen);
void pb_pol_heaped_destroy(struct pb_policy *pp);
int pb_pol_heaped_remove(struct pb_policy *pp, uint64_t key);

/* Bytes of the node pool and key map the strategy holds (their
 * capacities): what must stay cached for its accesses to hit. */
static inline uint64_t pb_pol_bytes(const struct pb_policy *p)
{
	return (uint64_t)p->pool.cap * sizeof(struct pnode) +
	       (p->map.mask + 1) * sizeof(struct kslot);
}

/* After ghost list l gave up its tail (a key forgotten: its map entry
 * deleted, a probe): the new tail's key-map slot starts loading, and the
 * node before it (the new tail's own was loaded so at the drop before),
 * so that the next drop finds both cached instead of missing on every
 * miss once the map outgrows L2 (ARC's B1, CAR's, 2Q's A1out, S3-FIFO's
 * G).  No state changes. */
static inline void pb_pol_tail_ahead(struct pb_policy *p, const struct plist *l)
{
	const struct pnode *n = p->pool.n;
	uint32_t t = l->tail;
	if (t == PN_NIL)
		return;
	(void)pb_policy_prefetch_map(p, n[t].key);
	if (n[t].prev != PN_NIL)
		__builtin_prefetch(&n[n[t].prev]);
}

/*
 * Allocate a strategy object of `size` bytes (whose first member is struct
 * pb_policy) and its pool/map sized for `nodes` entries.  0 or -errno.
 */
int pb_pol_alloc(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg, size_t size,
		 uint64_t nodes, struct pb_policy **out, char *err, size_t errlen);
void pb_pol_free(struct pb_policy *p);
uint64_t pb_pol_resident(const struct pb_policy *p);

/* The node d places from list l's tail towards its head (PN_NIL past the
 * head): the victim_node of a strategy that evicts the tail end. */
uint32_t pb_pol_list_victim(const struct pb_policy *p, const struct plist *l, unsigned d);

/* Node of key (resident or ghost), or PN_NIL. */
static inline uint32_t pb_pol_find(const struct pb_policy *p, uint64_t key)
{
	return kmap_find(&p->map, p->pool.n, key);
}

/* The same, and on a miss *at for pb_pol_node_rekey_at. */
static inline uint32_t pb_pol_find_at(const struct pb_policy *p, uint64_t key, uint64_t *at)
{
	return kmap_find_at(&p->map, p->pool.n, key, at);
}

/* New node for key, entered in the map.  PN_NIL on -ENOMEM. */
uint32_t pb_pol_node_new(struct pb_policy *p, uint64_t key);
/*
 * As pb_pol_node_new, but access() has no error return: running out of memory
 * while growing the pool is fatal (message on stderr, abort).  Strategies
 * with bounded history pre-size the pool in create() so this cannot happen.
 */
uint32_t pb_pol_node_must(struct pb_policy *p, uint64_t key);
/*
 * Give node i a new key (a victim's node reused for the faulting key):
 * key is one that pb_pol_find_at just missed with *at, the map unchanged
 * since.  One entry in, one out: the load the map was checked for.  The new
 * entry goes into that slot first (no second probe), then the old one
 * leaves by backward shift, which keeps every entry reachable, the new one
 * included.
 */
static inline void pb_pol_node_rekey_at(struct pb_policy *p, uint32_t i, uint64_t key, uint64_t at)
{
	uint64_t old = p->pool.n[i].key;
	p->pool.n[i].key = key;
	struct kslot *e = &p->map.s[at >> 32]; /* kmap_insert_at, count kept */
	e->tag = (uint32_t)at;
	e->idx = i;
	kmap_unlink(&p->map, old, i);
}
/*
 * Write every parameter of d's table into the policy object `obj` (defaults,
 * then cfg->params; "frames/N" resolved against cfg->frames, at least the
 * lower bound).  A policy without a table rejects any parameter.  0 or
 * -EINVAL with one line in err.  Called by create() before it derives its
 * sizes.
 */
int pb_pol_params_apply(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg, void *obj,
			char *err, size_t errlen);
/* Drop node i and its map entry. */
void pb_pol_node_drop(struct pb_policy *p, uint32_t i);

/* max(1, floor(frames * f)) capped at frames. */
uint64_t pb_pol_frac_of(uint64_t frames, double f);

/* The largest of sizes[0..nsizes), at most n (a curve's histogram bound;
 * UINT64_MAX for n: no bound). */
static inline uint64_t pb_mrc_cap(const uint64_t *sizes, size_t nsizes, uint64_t n)
{
	uint64_t cap = 0;
	for (size_t k = 0; k < nsizes; k++)
		if (sizes[k] > cap)
			cap = sizes[k];
	return cap < n ? cap : n;
}

/*
 * The one-pass curves over a whole stream (pb_mrc_lru, pb_mrc_opt: `mrc`'s
 * stacks over a loaded stream or a sample) feed it PB_MRC_CHUNK references
 * at a time and look for a pending deferred signal (pagebench/outfile.h)
 * before each chunk, so they stop within 2^16 references, as the streamed
 * pass stops at its next batch (one atomic load a chunk).  The length of
 * the chunk at i of n, or 0 with *rc = -EINTR when a signal is pending.
 */
#define PB_MRC_CHUNK ((size_t)1 << 16)
static inline size_t pb_mrc_chunk(size_t i, size_t n, int *rc)
{
	if (pb_signal_pending()) {
		*rc = -EINTR;
		return 0;
	}
	return n - i < PB_MRC_CHUNK ? n - i : PB_MRC_CHUNK;
}

/*
 * Min segment trees over S leaves (a power of two), nodes t[1..2S), the
 * leaves at t[S + i] (OPT's stacks: mrc_opt.c's slots, mrc_opt_label.c's
 * labels).  pb_mintree_right: the next node to the right of node i at its
 * height, or 0 (i was the last).  pb_mintree_first_below: the first leaf
 * >= lo whose value is below x, or UINT64_MAX (none; lo >= S included).
 * Its descent prefetches the line of a node's eight great-grandchildren,
 * which loads while this level and the next are decided.
 */
static inline uint64_t pb_mintree_right(uint64_t i)
{
	while (i & 1)
		i >>= 1;
	return i ? i + 1 : 0;
}

static inline uint64_t pb_mintree_first_below(const uint64_t *t, uint64_t S, uint64_t lo,
					      uint64_t x)
{
	if (lo >= S)
		return UINT64_MAX;
	uint64_t i = S + lo;
	while (t[i] >= x)
		if (!(i = pb_mintree_right(i)))
			return UINT64_MAX;
	while (i < S) {
		if (8 * i < 2 * S)
			__builtin_prefetch(&t[8 * i]);
		i = t[2 * i] < x ? 2 * i : 2 * i + 1;
	}
	return i - S;
}

/*
 * The keys of OPT's priority stacks (mrc_opt.c's slots, mrc_opt_label.c's
 * labels): node ids that never move while their places do, each id's key,
 * the free ids, and the histogram hist[d] of references at depth d.  grow
 * makes the arrays len long (hist included) and frees the ids from the
 * old count up to ids (0 or -ENOMEM, k unchanged); get finds x's node
 * (1) or gives x a free one (0; -ENOMEM); drop forgets a node's key.
 */
struct pb_opt_keys {
	uint64_t *nkey, *hist;
	uint32_t *free;
	uint64_t len, ids, nfree;
	int has_map;
	struct pb_hmap node; /* key -> node */
};
int pb_opt_keys_init(struct pb_opt_keys *k, uint64_t expect);
int pb_opt_keys_grow(struct pb_opt_keys *k, uint64_t len, uint64_t ids);
void pb_opt_keys_fini(struct pb_opt_keys *k);
static inline int pb_opt_keys_get(struct pb_opt_keys *k, uint64_t x, uint32_t *u)
{
	uint64_t *pn = pb_hmap_find(&k->node, x);
	if (pn) {
		*u = (uint32_t)*pn;
		return 1;
	}
	*u = k->free[--k->nfree];
	k->nkey[*u] = x;
	return pb_hmap_put(&k->node, x, *u) ? -ENOMEM : 0;
}
/* An OPT stack's first nodes; it grows (doubling, up to the largest
 * size) as keys arrive.  pb_opt_keys_full: whether a stack of depth keys
 * over a nodes must grow before key: full below cap, and key not in it (a
 * hit only moves keys within it, so a full stack stays as it is). */
#define PB_OPT_NODES0 256
static inline int pb_opt_keys_full(const struct pb_opt_keys *k, uint64_t depth, uint64_t a,
				   uint64_t cap, uint64_t key)
{
	return depth == a && a < cap && !pb_hmap_find(&k->node, key);
}
static inline void pb_opt_keys_drop(struct pb_opt_keys *k, uint32_t u)
{
	(void)pb_hmap_del(&k->node, k->nkey[u]);
	k->free[k->nfree++] = u;
}

/*
 * OPT's stack over labels (mrc_opt_label.c), which mrc_opt.c uses when
 * the largest size is pb_opt_label_from or more (tests lower it to run
 * both stacks on the same streams): new(cap) or NULL (no memory); ref(key,
 * priority as mrc_opt.c's): 0 or -ENOMEM; keys: its keys and histogram
 * (depths 1..cap at most); free.
 */
extern uint64_t pb_opt_label_from; /* PB_MRC_OPT_LABELS (mrc.h) */
struct pb_opt_lab;
struct pb_opt_lab *pb_opt_lab_new(uint64_t cap);
int pb_opt_lab_ref(struct pb_opt_lab *s, uint64_t key, uint64_t pri);
struct pb_opt_keys *pb_opt_lab_keys(struct pb_opt_lab *s);
void pb_opt_lab_free(struct pb_opt_lab *s);

/* The strategies (one file each), listed in registry.c. */
extern const struct pb_policy_desc pb_pol_opt, pb_pol_fifo, pb_pol_random, pb_pol_lru, pb_pol_clock,
    pb_pol_nru, pb_pol_aging, pb_pol_wsclock, pb_pol_lfu, pb_pol_2q, pb_pol_arc, pb_pol_car,
    pb_pol_clockpro, pb_pol_lirs, pb_pol_twolist, pb_pol_s3fifo, pb_pol_sieve;

#endif /* PB_POLICY_POLINT_H */
