/* SPDX-License-Identifier: MIT */
/*
 * pagebench/hmap.h - the one u64 -> u64 hash map of the project (base layer).
 *
 * Design.  Open addressing with linear probing over a power-of-two array of
 * 16-byte slots {key, val}.  The home slot of a key is the TOP bits of
 * the mixer pb_hash64 (Fibonacci hashing: the multiply pushes entropy up),
 * so sequential page numbers spread over the whole table.  Linear probing
 * because a probe sequence then stays in one or two cache lines (four slots
 * a line) and the hardware prefetcher follows it; at a load factor of at
 * most 1/2 an expected hit costs 1.5 probes and a miss 2.5 (Knuth 6.4).
 * The table doubles when an insert would pass 1/2: 32 bytes an entry at
 * worst, the same as the policy kvmap it replaced and the policies' node
 * index (8-byte slots at 1/4).
 *
 * Deletion by backward shift (Knuth 6.4 Algorithm R), not tombstones: the
 * users delete a lot (a policy evicts every miss; a stack-distance pass
 * rewrites its map) and tombstones would lengthen every probe until the next
 * rehash; backward shift keeps the table exactly as if the key had never
 * been inserted, so lookups stay at the load-factor bound forever and there
 * is no rehash-on-delete.  Deletion never shrinks the table.
 *
 * An empty slot holds key 0 (so a fresh table is plain zeroed memory, taken
 * lazily from mmap; a grown one is faulted in by mmap at once, since the
 * rehash writes all of it; tables of 4 MiB and more are advised into
 * transparent huge pages instead, hmap.c); the key 0 itself, a common page key (asid 0,
 * vpn 0), lives in a side slot of the map header.
 *
 * Values are full u64: every user fits without loss (next-use positions of
 * traces longer than 2^32, stack-distance time slots, indices of page
 * objects or policy nodes).
 *
 * Caller: one thread per map; nothing here is atomic.  A pointer returned by
 * pb_hmap_find/pb_hmap_upsert stays valid until the next insert or delete on
 * the same map (growth moves slots, backward shift moves entries).
 */
#ifndef PAGEBENCH_HMAP_H
#define PAGEBENCH_HMAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * The one 64-bit mixer: xor-shift, multiply by 2^64/phi, xor-fold.  Both
 * ends are usable: the top bits are Fibonacci hashing, the final fold
 * carries them into the low bits for `& mask` users.  One multiply: a hash
 * probe sits on the critical path of every policy access.  Not a
 * cryptographic or DoS-resistant hash.
 *
 * pb_hash64_hi() is the same mixer before the fold, for users of the high
 * bits only (pb_hmap's home slot, the policies' node index): the fold
 * changes only the low 32 bits, so pb_hash64_hi(k) >> s == pb_hash64(k) >> s
 * for every s >= 32, and compilers do not see that by themselves (two more
 * instructions on every probe).
 */
static inline uint64_t pb_hash64_hi(uint64_t k)
{
	k ^= k >> 29;
	return k * 0x9e3779b97f4a7c15ULL;
}

static inline uint64_t pb_hash64(uint64_t k)
{
	uint64_t h = pb_hash64_hi(k);
	return h ^ (h >> 32);
}

struct pb_hmap_slot {
	uint64_t key; /* 0: empty (key 0 lives in pb_hmap.zval) */
	uint64_t val;
};

struct pb_hmap {
	struct pb_hmap_slot *s;
	uint64_t mask;	/* slots - 1 */
	unsigned shift; /* 64 - log2(slots) */
	int zhas;	/* key 0 present */
	uint64_t zval;	/* its value */
	uint64_t count; /* entries, key 0 included */
};

/* Sized for `expect` entries without growing (0: a small default).
 * 0 or -ENOMEM. */
int pb_hmap_init(struct pb_hmap *m, uint64_t expect);
/* Release the table; the map may be pb_hmap_init'ed again.  Safe on a
 * zeroed (never initialised) map. */
void pb_hmap_fini(struct pb_hmap *m);
/* Double the table.  0 or -ENOMEM (the map is unchanged then). */
int pb_hmap_grow(struct pb_hmap *m);
/* Remove every entry, keep the table. */
void pb_hmap_clear(struct pb_hmap *m);

static inline uint64_t pb_hmap_count(const struct pb_hmap *m)
{
	return m->count;
}

/* Home slot: the top log2(slots) bits of the mixer (pb_hash64(key) >>
 * shift for tables of up to 2^32 slots). */
static inline uint64_t pb_hmap_home(const struct pb_hmap *m, uint64_t key)
{
	return pb_hash64_hi(key) >> m->shift;
}

/* Pointer to the value of key, or NULL when absent. */
static inline uint64_t *pb_hmap_find(const struct pb_hmap *m, uint64_t key)
{
	if (__builtin_expect(key == 0, 0))
		return m->zhas ? (uint64_t *)&m->zval : NULL;
	for (uint64_t i = pb_hmap_home(m, key);; i = (i + 1) & m->mask) {
		struct pb_hmap_slot *s = &m->s[i];
		if (s->key == key)
			return &s->val;
		if (s->key == 0)
			return NULL;
	}
}

/*
 * Pointer to the value of key, inserting it with value 0 when absent (then
 * *isnew = 1, else 0).  NULL when growing ran out of memory.
 */
static inline uint64_t *pb_hmap_upsert(struct pb_hmap *m, uint64_t key, int *isnew)
{
	if (__builtin_expect(key == 0, 0)) {
		*isnew = !m->zhas;
		if (!m->zhas) {
			m->zhas = 1;
			m->zval = 0;
			m->count++;
		}
		return &m->zval;
	}
	uint64_t i = pb_hmap_home(m, key);
	for (;; i = (i + 1) & m->mask) {
		if (m->s[i].key == key) {
			*isnew = 0;
			return &m->s[i].val;
		}
		if (m->s[i].key == 0)
			break;
	}
	/* Absent: the load bound is checked on inserts only. */
	if (__builtin_expect((m->count + 1) * 2 > m->mask + 1, 0)) {
		if (pb_hmap_grow(m))
			return NULL;
		for (i = pb_hmap_home(m, key); m->s[i].key; i = (i + 1) & m->mask)
			;
	}
	m->s[i].key = key;
	m->s[i].val = 0;
	m->count++;
	*isnew = 1;
	return &m->s[i].val;
}

/* Set key -> val (insert or overwrite).  0 or -ENOMEM. */
static inline int pb_hmap_put(struct pb_hmap *m, uint64_t key, uint64_t val)
{
	int isnew;
	uint64_t *v = pb_hmap_upsert(m, key, &isnew);
	if (!v)
		return -ENOMEM;
	*v = val;
	return 0;
}

/* Remove key (backward shift).  0, or -ENOENT when absent. */
int pb_hmap_del(struct pb_hmap *m, uint64_t key);

/*
 * Iterate: start with *cursor = 0; returns 1 with *key and *val set for each
 * entry (in no particular order), then 0.  The map must not change between
 * calls (a write through the value pointer of the current entry is fine).
 */
int pb_hmap_next(const struct pb_hmap *m, uint64_t *cursor, uint64_t *key, uint64_t **val);

/*
 * A set of u64 keys (distinct pages, for one): blocks of 64 consecutive
 * keys, key >> 6 -> a 64-bit mask.  The masks of the blocks near the first
 * key live in a directly indexed window (PB_KEYSET_WIN blocks, 2^21 keys:
 * 8 GiB of 4 KiB pages, centred on the first key's block), the others in a
 * pb_hmap.  A trace's page numbers, or an address space's heap, are dense
 * there: an add is a subtraction, a compare and an OR into a bitmap whose
 * touched lines stay in the cache (100k pages: 12.5 KiB), where a hash
 * probe per reference cost three times the instructions.  The window's
 * keys are counted when asked (a popcount of its 32Ki words), not per add:
 * a count in memory, which the add's store to a mask might alias, would be
 * loaded and stored again on every add of a caller's loop.  The window
 * (256 KiB) is lazily zeroed memory, touched only where keys fall.  Keys
 * outside it take a slot per block: 1/64 of a slot each when dense in
 * their block, a slot each when scattered one per block, as in a plain
 * pb_hmap.  The last block looked up there is kept (its pointer stays
 * valid: only an add inserts), so runs within one block skip the hash.
 * Which structure holds a key depends on the key alone once the window is
 * placed (at the first add, before any insert), so the count is exact.
 */
#define PB_KEYSET_WIN	   (1ULL << 15)
#define PB_KEYSET_UNPLACED (UINT64_MAX / 2) /* every block minus it is >= the window */
struct pb_keyset {
	uint64_t *win;	 /* PB_KEYSET_WIN masks, or NULL (no memory for it) */
	uint64_t wlo;	 /* block of win[0]; PB_KEYSET_UNPLACED before the first add */
	uint64_t n;	 /* distinct keys outside the window */
	uint64_t lastb;	 /* block of *lastw */
	uint64_t *lastw; /* NULL: none yet */
	struct pb_hmap m;
};

/* 0 or -ENOMEM. */
static inline int pb_keyset_init(struct pb_keyset *s)
{
	/* calloc: a fresh mapping, zeroed by the kernel page by page */
	s->win = (uint64_t *)calloc(PB_KEYSET_WIN, sizeof(uint64_t));
	s->wlo = PB_KEYSET_UNPLACED;
	s->n = 0;
	s->lastb = 0;
	s->lastw = NULL;
	if (!pb_hmap_init(&s->m, 0))
		return 0;
	free(s->win);
	s->win = NULL;
	return -ENOMEM;
}

static inline void pb_keyset_fini(struct pb_keyset *s)
{
	pb_hmap_fini(&s->m);
	free(s->win);
	s->win = NULL;
	s->wlo = PB_KEYSET_UNPLACED;
	s->lastw = NULL;
}

/* pb_keyset_add outside the window, or the first add (which places it):
 * out of line, so that the add inlined in a caller's loop stays small. */
static __attribute__((noinline, unused)) int pb_keyset_add_far(struct pb_keyset *s, uint64_t key)
{
	uint64_t b = key >> 6, *w = s->lastw;
	if (s->wlo == PB_KEYSET_UNPLACED && s->win) {
		s->wlo = b > PB_KEYSET_WIN / 2 ? b - PB_KEYSET_WIN / 2 : 0;
		s->win[b - s->wlo] |= 1ULL << (key & 63);
		return 0;
	}
	if (!w || b != s->lastb) {
		int isnew;
		if (!(w = pb_hmap_upsert(&s->m, b, &isnew)))
			return -ENOMEM;
		s->lastb = b;
		s->lastw = w;
	}
	uint64_t old = *w, bit = 1ULL << (key & 63);
	*w = old | bit;
	s->n += !(old & bit);
	return 0;
}

/* Add key: 0, or -ENOMEM (the set is unchanged then). */
static inline int pb_keyset_add(struct pb_keyset *s, uint64_t key)
{
	/* unsigned: blocks below wlo wrap far above the window */
	uint64_t d = (key >> 6) - s->wlo;
	if (__builtin_expect(d >= PB_KEYSET_WIN, 0))
		return pb_keyset_add_far(s, key);
	s->win[d] |= 1ULL << (key & 63);
	return 0;
}

/* Distinct keys added (a scan of the window: call it once, at the end). */
static inline uint64_t pb_keyset_count(const struct pb_keyset *s)
{
	uint64_t n = s->n;
	for (size_t i = 0; s->win && s->wlo != PB_KEYSET_UNPLACED && i < PB_KEYSET_WIN; i++)
		n += (uint64_t)__builtin_popcountll(s->win[i]);
	return n;
}

#endif /* PAGEBENCH_HMAP_H */
