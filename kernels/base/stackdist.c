/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/stackdist.c - streaming LRU stack distances in O(distinct)
 * memory (the design is in pagebench/stackdist.h).
 */
#include <string.h>

#include "base_internal.h"
#include "pagebench/stackdist.h"

#define SD_MIN_CAP	1024
#define SD_MAX_DISTINCT (1ULL << 30) /* 4 d slots: counts fit u32, 7 levels */
#define SD_LINE_SLOTS	512	     /* bitmap slots of one 64-byte line */
#define SD_L0_SHIFT	9	     /* level 0 counts blocks of 512 slots */
#define SD_FAN_SHIFT	4	     /* 16 counts a group (a line) */
#define SD_FAN		(1u << SD_FAN_SHIFT)

/* Bitmap words for slots 0..cap: whole lines. */
static uint64_t sd_words(uint64_t cap)
{
	return ((cap + SD_LINE_SLOTS) & ~(uint64_t)(SD_LINE_SLOTS - 1)) / 64;
}

/*
 * The layout for cap slots: the bitmap (slots 0..cap rounded up to whole
 * lines), then each level's counts, rounded up to whole groups.  Level a
 * counts blocks of 2^(9 + 4a) slots; the last level has at most 16.
 * Returns the bytes of the mapping.
 */
static size_t sd_layout(struct pb_stackdist *s, uint64_t cap)
{
	uint64_t nbits = sd_words(cap) * 64;
	size_t n = 0; /* counts so far */
	unsigned a = 0;
	for (unsigned shift = SD_L0_SHIFT;; shift += SD_FAN_SHIFT) {
		uint64_t blocks = (nbits + (1ULL << shift) - 1) >> shift;
		s->lvl[a++] = n;
		n += (blocks + SD_FAN - 1) & ~(uint64_t)(SD_FAN - 1);
		if (blocks <= SD_FAN || a == PB_STACKDIST_LEVELS)
			break;
	}
	s->levels = a;
	return nbits / 8 + n * sizeof(uint32_t);
}

/* Map the structure for cap slots, all clear.  0 or -ENOMEM (s unchanged). */
static int sd_alloc(struct pb_stackdist *s, uint64_t cap)
{
	struct pb_stackdist t = *s;
	size_t bytes = sd_layout(&t, cap);
	uint64_t *bits = pb_base_map(bytes);
	if (!bits)
		return -ENOMEM;
	t.bits = bits;
	t.cnt = (uint32_t *)(void *)(bits + sd_words(cap));
	t.bytes = bytes;
	t.cap = cap;
	*s = t;
	return 0;
}

static inline __attribute__((always_inline)) void sd_set(struct pb_stackdist *s, uint64_t slot,
							 uint32_t delta)
{
	s->bits[slot >> 6] ^= 1ULL << (slot & 63);
	uint32_t *c = s->cnt;
	for (unsigned a = 0; a < s->levels; a++)
		c[s->lvl[a] + (slot >> (SD_L0_SHIFT + SD_FAN_SHIFT * a))] +=
		    delta; /* -1: modular */
}

/* Live slots in 0..slot. */
static inline __attribute__((always_inline)) uint64_t sd_rank(const struct pb_stackdist *s,
							      uint64_t slot)
{
	const uint64_t *w = s->bits;
	uint64_t i = slot >> 6;
	uint64_t r = (uint64_t)__builtin_popcountll(w[i] & (~0ULL >> (63 - (slot & 63))));
	for (uint64_t j = i & ~7ULL; j < i; j++)
		r += (uint64_t)__builtin_popcountll(w[j]);
	for (unsigned a = 0; a < s->levels; a++) {
		uint64_t b = slot >> (SD_L0_SHIFT + SD_FAN_SHIFT * a);
		const uint32_t *g = s->cnt + s->lvl[a] + (b & ~(uint64_t)(SD_FAN - 1));
		uint32_t sum = 0;
		for (unsigned k = 0; k < SD_FAN; k++) /* the whole line: vectorised */
			sum += k < (b & (SD_FAN - 1)) ? g[k] : 0;
		r += sum;
	}
	return r;
}

int pb_stackdist_init(struct pb_stackdist *s, uint64_t expect)
{
	memset(s, 0, sizeof(*s));
	uint64_t cap = SD_MIN_CAP;
	while (cap < 4 * expect && cap < 4 * SD_MAX_DISTINCT)
		cap <<= 1;
	if (sd_alloc(s, cap) || pb_hmap_init(&s->last, expect ? expect : 1024)) {
		pb_stackdist_fini(s);
		return -ENOMEM;
	}
	return 0;
}

void pb_stackdist_fini(struct pb_stackdist *s)
{
	pb_base_unmap(s->bits, s->bytes);
	pb_hmap_fini(&s->last);
	memset(s, 0, sizeof(*s));
}

/* The bitmap's popcounts are one instruction where the CPU has it
 * (x86-64 before v2 lacks it: a libgcc call each, 0.81x the speed of a
 * 50M-reference curve); the loader picks the clone (an ifunc) of the
 * feeding loop and of the compaction.  Not under the sanitizers, whose
 * runtimes start after ifunc resolvers run. */
#define SD_CLONES
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__) &&                   \
    !defined(__SANITIZE_ADDRESS__)
#undef SD_CLONES
#define SD_CLONES __attribute__((target_clones("popcnt", "default")))
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#undef SD_CLONES
#define SD_CLONES
#endif
#endif
#endif

/* Live slots in 0..slot of the bitmap `bits`, given before[] (below). */
static inline uint64_t sd_renumber(const uint64_t *bits, const uint32_t *before, uint64_t slot)
{
	return before[slot >> 6] +
	       (uint64_t)__builtin_popcountll(bits[slot >> 6] & (~0ULL >> (63 - (slot & 63))));
}

/*
 * All slots used: renumber the d live slots 1..d keeping their order, into
 * a structure of cap' >= 4 d slots.  A live slot's new number is its rank,
 * read from the old bitmap and a table of the live slots before each
 * bitmap word (O(cap / 64) to build, in the new bitmap's memory).
 */
SD_CLONES static int sd_compact(struct pb_stackdist *s)
{
	uint64_t d = pb_hmap_count(&s->last);
	if (d > SD_MAX_DISTINCT)
		return -E2BIG;
	uint64_t ncap = s->cap;
	while (ncap < 4 * d)
		ncap <<= 1;
	struct pb_stackdist n = *s;
	if (sd_alloc(&n, ncap))
		return -ENOMEM;
	/* before[i]: live slots in the old words 0..i-1.  Half the old
	 * bitmap's bytes: it fits the new bitmap, cleared after. */
	uint64_t words = sd_words(s->cap);
	uint32_t *before = (uint32_t *)(void *)n.bits;
	_Static_assert(sizeof(uint32_t) * 2 == sizeof(uint64_t), "two ranks a word");
	uint32_t r = 0;
	for (uint64_t i = 0; i < words; i++) {
		before[i] = r;
		r += (uint32_t)__builtin_popcountll(s->bits[i]);
	}
	struct pb_hmap *m = &n.last; /* n's copy is the one kept */
	if (m->zhas)
		m->zval = sd_renumber(s->bits, before, m->zval);
	for (uint64_t i = 0; i <= m->mask; i++)
		if (m->s[i].key)
			m->s[i].val = sd_renumber(s->bits, before, m->s[i].val);
	memset(n.bits, 0, words * sizeof(uint32_t));
	pb_base_unmap(s->bits, s->bytes);
	/* Slots 1..d live: whole words, then each level's counts. */
	for (uint64_t i = 1; i <= d; i++)
		n.bits[i >> 6] |= 1ULL << (i & 63);
	for (unsigned a = 0; a < n.levels; a++) {
		unsigned shift = SD_L0_SHIFT + SD_FAN_SHIFT * a;
		for (uint64_t b = 0; (b << shift) <= d; b++) {
			uint64_t lo = b << shift, hi = lo + (1ULL << shift) - 1;
			if (lo == 0)
				lo = 1;
			n.cnt[n.lvl[a] + b] = (uint32_t)((hi < d ? hi : d) - lo + 1);
		}
	}
	n.now = d;
	*s = n;
	return 0;
}

static inline __attribute__((always_inline)) int sd_feed(struct pb_stackdist *s, uint64_t key,
							 uint64_t *dist)
{
	if (s->now == s->cap) {
		int rc = sd_compact(s);
		if (rc)
			return rc;
	}
	int isnew;
	uint64_t *v = pb_hmap_upsert(&s->last, key, &isnew);
	if (!v)
		return -ENOMEM;
	uint64_t t = ++s->now;
	if (isnew) {
		*dist = PB_STACKDIST_COLD;
	} else {
		/* every live slot is below t: d of them, one per key */
		uint64_t last = *v;
		*dist = pb_hmap_count(&s->last) - sd_rank(s, last) + 1;
		sd_set(s, last, (uint32_t)-1);
	}
	sd_set(s, t, 1);
	*v = t;
	s->refs++;
	return 0;
}

#define SD_AHEAD 16 /* references: a map slot's miss lands in time */

SD_CLONES int pb_stackdist_feed_n(struct pb_stackdist *s, const uint64_t *keys, size_t n,
				  uint64_t *dist)
{
	for (size_t i = 0; i < n; i++) {
		if (i + SD_AHEAD < n)
			__builtin_prefetch(&s->last.s[pb_hmap_home(&s->last, keys[i + SD_AHEAD])],
					   1);
		int rc = sd_feed(s, keys[i], &dist[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* A batch of one: the loop's body is compiled once, in its clones. */
int pb_stackdist_feed(struct pb_stackdist *s, uint64_t key, uint64_t *dist)
{
	return pb_stackdist_feed_n(s, &key, 1, dist);
}
