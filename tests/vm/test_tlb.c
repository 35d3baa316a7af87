/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_tlb.c - the TLB model (kernels/vm/tlb.c) against a
 * brute-force reference: every set a list of its translations in recency
 * order (true LRU), L1 d/i in front of an inclusive-fill L2.  Random
 * lookups, fills, shootdowns, invalidations and flushes on several
 * geometries (L2s that keep their order as a permutation word, up to 16
 * ways, and a 32-way one that keeps stamps), each unshared (kills keep the
 * permutation's invalid ways last) and shared (scans); after every step
 * the hit and miss counts, the frame a hit returns and what a shootdown
 * reports must agree with the reference (pb_tlb_shootdown_n: how many of
 * a batch of keys it held).
 * The L2's probes look at the ways whose one-byte fingerprint matches
 * first: a second pass draws its keys from a pool of keys that share their
 * L2 set and fingerprint, so that every probe meets colliding ways.  A third
 * starts the stamp clock just below its 32-bit wrap: the L1 arrays' (and
 * the 32-way L2's) choice of the least recently stamped way must stay true
 * LRU across the wrap, in the unrolled 4-way insert as in the loop.
 * The fill after a miss takes the L2's last position without looking for
 * its key (l2_absent), and a 4-way L1's (absent_l1): in one miss of four a
 * fault's work comes between the miss and its fill (shootdowns,
 * invalidations, hits and fills of other keys, a flush: the engine's
 * evictions), and one fill in 16 goes to the other L1 (d or i) than the
 * one that missed, which may hold the key.  The 4-way L1s keep their
 * recency in an order byte per set (pb_tlb_perm4_front): the geometries'
 * 4-way L1s check it against the reference, and a last pass checks the
 * table itself against a position search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/tlb.h"
#include "pbtest.h"

#define MAXW 64

/* One array of the reference: per set up to `ways` keys, most recent first. */
struct ref_arr {
	uint32_t sets, ways;
	uint64_t (*key)[MAXW], (*pfn)[MAXW];
	uint32_t *n;
};

struct ref {
	struct ref_arr l1d, l1i, l2;
	uint64_t l1_hits, l2_hits, misses;
};

static void ref_arr_init(struct ref_arr *r, const struct pb_tlb_level *lv)
{
	memset(r, 0, sizeof(*r));
	if (!lv->entries)
		return;
	r->ways = lv->ways ? lv->ways : lv->entries;
	r->sets = lv->entries / r->ways;
	r->key = calloc(r->sets, sizeof(*r->key));
	r->pfn = calloc(r->sets, sizeof(*r->pfn));
	r->n = calloc(r->sets, sizeof(*r->n));
	PB_CHECK(r->key && r->pfn && r->n);
}

static void ref_arr_free(struct ref_arr *r)
{
	free(r->key);
	free(r->pfn);
	free(r->n);
}

static uint32_t ref_set(const struct ref_arr *r, uint64_t key)
{
	return pb_tlb_hash(key) & (r->sets - 1);
}

/* Position of key in its set, or -1. */
static int ref_find(const struct ref_arr *r, uint64_t key)
{
	if (!r->sets)
		return -1;
	uint32_t s = ref_set(r, key);
	for (uint32_t i = 0; i < r->n[s]; i++)
		if (r->key[s][i] == key)
			return (int)i;
	return -1;
}

/* Move position i of key's set to the front (most recent). */
static void ref_front(struct ref_arr *r, uint64_t key, int i)
{
	uint32_t s = ref_set(r, key);
	uint64_t k = r->key[s][i], p = r->pfn[s][i];
	memmove(&r->key[s][1], &r->key[s][0], (size_t)i * sizeof(uint64_t));
	memmove(&r->pfn[s][1], &r->pfn[s][0], (size_t)i * sizeof(uint64_t));
	r->key[s][0] = k;
	r->pfn[s][0] = p;
}

static void ref_insert(struct ref_arr *r, uint64_t key, uint64_t pfn)
{
	if (!r->sets)
		return;
	uint32_t s = ref_set(r, key);
	int i = ref_find(r, key);
	if (i < 0) {
		if (r->n[s] < r->ways)
			r->n[s]++; /* else the least recent falls off the end */
		i = (int)r->n[s] - 1;
	}
	r->key[s][i] = key;
	r->pfn[s][i] = pfn;
	ref_front(r, key, i);
}

static int ref_kill(struct ref_arr *r, uint64_t key)
{
	int i = ref_find(r, key);
	if (i < 0)
		return 0;
	uint32_t s = ref_set(r, key);
	uint32_t rest = r->n[s] - (uint32_t)i - 1;
	memmove(&r->key[s][i], &r->key[s][i + 1], rest * sizeof(uint64_t));
	memmove(&r->pfn[s][i], &r->pfn[s][i + 1], rest * sizeof(uint64_t));
	r->n[s]--;
	return 1;
}

/* Lookup: the frame, or UINT64_MAX on a miss. */
static uint64_t ref_lookup(struct ref *f, uint64_t key, int fetch)
{
	struct ref_arr *l1 = fetch ? &f->l1i : &f->l1d;
	int i = ref_find(l1, key);
	if (i >= 0) {
		f->l1_hits++;
		ref_front(l1, key, i);
		return l1->pfn[ref_set(l1, key)][0];
	}
	i = ref_find(&f->l2, key);
	if (i < 0) {
		f->misses++;
		return UINT64_MAX;
	}
	f->l2_hits++;
	ref_front(&f->l2, key, i);
	uint64_t pfn = f->l2.pfn[ref_set(&f->l2, key)][0];
	ref_insert(l1, key, pfn);
	return pfn;
}

/*
 * Keys that collide in the L2 of geometry g: 3 groups of 16 that share
 * their set and their fingerprint (pb_tlb_fp), and 16 more of the first
 * group's set with any fingerprint.  Returns how many (<= 64).
 */
static size_t collide_pool(const struct pb_tlb_geom *g, uint64_t *pool)
{
	uint32_t ways = g->l2.ways ? g->l2.ways : g->l2.entries;
	uint32_t mask = g->l2.entries / ways - 1;
	size_t n = 0, other = 0;
	int fps[3] = {-1, -1, -1}; /* each group its own fingerprint */
	for (uint32_t grp = 0; grp < 3; grp++) {
		size_t got = 0;
		uint32_t set = grp * 5 & mask;
		for (uint64_t i = 0; got < 16 && i < (1u << 24); i++) {
			uint64_t key = ((i % 3) << 48) | (i / 3);
			if ((pb_tlb_hash(key) & mask) != set)
				continue;
			if (fps[grp] < 0 && pb_tlb_fp(key) != fps[0] && pb_tlb_fp(key) != fps[1])
				fps[grp] = pb_tlb_fp(key);
			if (pb_tlb_fp(key) == fps[grp])
				pool[n + got++] = key;
			else if (!grp && other < 16)
				pool[48 + other++] = key;
		}
		PB_CHECK(got == 16);
		n += got;
	}
	PB_CHECK(other == 16);
	return n + other;
}

static uint64_t rand_key(struct pb_rng *r, const uint64_t *pool, size_t npool)
{
	/* keys over three asids, a few hundred pages (sets overflow), half
	 * the time a hot dozen (L1 hits) */
	uint64_t page = pb_rng_below(r, 2) ? pb_rng_below(r, 12) : pb_rng_below(r, 300);
	uint64_t key = ((uint64_t)pb_rng_below(r, 3) << 48) | page;
	return npool ? pool[pb_rng_below(r, npool)] : key;
}

static uint64_t walk_pfn(uint64_t key)
{
	return (key * 7 + (key >> 48)) % 40; /* the walk's frame: several keys share one */
}

/* One random step on t and the reference, but a lookup of `skip`
 * (UINT64_MAX: any step): a lookup's miss is filled after `between` steps
 * of other work (none a fill of its key).  0, or which check failed. */
static int step(struct pb_tlb *t, struct ref *f, struct pb_rng *r, const uint64_t *pool,
		size_t npool, uint64_t skip, int between)
{
	uint64_t key = rand_key(r, pool, npool);
	unsigned op = (unsigned)pb_rng_below(r, 100);
	if (op < 85) {
		if (key == skip)
			return 0;
		int fetch = pb_rng_below(r, 8) == 0;
		uint64_t want = ref_lookup(f, key, fetch);
		struct pb_tlb_entry *e = pb_tlb_lookup(t, key, fetch);
		if ((e ? e->pfn : UINT64_MAX) != want)
			return 1;
		if (!e) {
			for (int i = 0; i < between; i++) {
				int bad = step(t, f, r, pool, npool, key, 0);
				if (bad)
					return bad;
			}
			/* one fill in 16 into the other L1 than the one that
			 * missed (which may hold the key): no fast fill */
			if (pb_rng_below(r, 16) == 0)
				fetch = !fetch;
			uint64_t pfn = walk_pfn(key);
			pb_tlb_fill(t, key, pfn, PB_TLBE_WRITABLE, fetch);
			ref_insert(&f->l2, key, pfn);
			ref_insert(fetch ? &f->l1i : &f->l1d, key, pfn);
		}
	} else if (op < 95) {
		int want = ref_kill(&f->l2, key) | ref_kill(&f->l1d, key) | ref_kill(&f->l1i, key);
		if (pb_tlb_shootdown(t, key) != want)
			return 2;
	} else if (op < 97) {
		ref_kill(&f->l2, key);
		ref_kill(&f->l1d, key);
		ref_kill(&f->l1i, key);
		pb_tlb_invalidate(t, key);
	} else if (op < 99) {
		/* a reclaim batch: this key and up to 7 more (a repeat
		 * is found once, by its first kill, as in the reference) */
		uint64_t keys[8];
		unsigned n = 1 + (unsigned)pb_rng_below(r, 8), want = 0;
		keys[0] = key;
		for (unsigned i = 1; i < n; i++)
			keys[i] = rand_key(r, pool, npool);
		for (unsigned i = 0; i < n; i++)
			want += (unsigned)(ref_kill(&f->l2, keys[i]) | ref_kill(&f->l1d, keys[i]) |
					   ref_kill(&f->l1i, keys[i]));
		if (pb_tlb_shootdown_n(t, keys, n) != want)
			return 4;
	} else if (pb_rng_below(r, 20) == 0) {
		pb_tlb_flush_all(t);
		memset(f->l1d.n, 0, f->l1d.sets * sizeof(uint32_t));
		memset(f->l1i.n, 0, f->l1i.sets * sizeof(uint32_t));
		memset(f->l2.n, 0, f->l2.sets * sizeof(uint32_t));
	}
	return 0;
}

static void run_geometry(const char *spec, int shared, uint64_t seed, int collide, uint32_t clock0)
{
	struct pb_tlb_geom g;
	char err[256];
	PB_CHECK(pb_tlb_parse(spec, &g, err, sizeof(err)) == 0);
	struct pb_tlb t;
	PB_CHECK(pb_tlb_init(&t, &g) == 0);
	t.shared = shared;
	t.clock = clock0;
	struct ref f = {0};
	ref_arr_init(&f.l1d, &g.l1d);
	ref_arr_init(&f.l1i, &g.l1i);
	ref_arr_init(&f.l2, &g.l2);
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	uint64_t pool[64];
	size_t npool = collide ? collide_pool(&g, pool) : 0;
	int bad = 0;
	for (int i = 0; i < 200000 && !bad; i++) {
		/* one miss in four waits for up to three steps of other work */
		int between = pb_rng_below(&r, 4) == 0 ? 1 + (int)pb_rng_below(&r, 3) : 0;
		bad = step(&t, &f, &r, pool, npool, UINT64_MAX, between);
		if (t.st.l1_hits != f.l1_hits || t.st.l2_hits != f.l2_hits ||
		    t.st.misses != f.misses)
			bad = 3;
		if (bad)
			fprintf(stderr, "%s shared=%d: step %d: mismatch %d\n", spec, shared, i,
				bad);
	}
	PB_CHECK(!bad);
	PB_CHECK_MSG(f.misses > 1000 && f.l1_hits > 1000 && (!g.l2.entries || f.l2_hits > 1000),
		     "%s: %llu L1 hits, %llu L2 hits, %llu misses", spec,
		     (unsigned long long)f.l1_hits, (unsigned long long)f.l2_hits,
		     (unsigned long long)f.misses);
	pb_tlb_fini(&t);
	ref_arr_free(&f.l1d);
	ref_arr_free(&f.l1i);
	ref_arr_free(&f.l2);
}

/* pb_tlb_perm4_front against a position search, for all 24 orders of four
 * ways: the way moves to the front, the ways before it move up one, the
 * ways after it stay. */
static void check_perm4_table(void)
{
	int checked = 0;
	for (unsigned p = 0; p < 256; p++) {
		unsigned way[4], seen = 0;
		for (unsigned i = 0; i < 4; i++) {
			way[i] = p >> (2 * i) & 3u;
			seen |= 1u << way[i];
		}
		if (seen != 15)
			continue; /* not an order of four ways */
		for (unsigned w = 0; w < 4; w++) {
			unsigned pos = 0, want[4];
			while (way[pos] != w)
				pos++;
			want[0] = w;
			for (unsigned i = 0; i < 4; i++)
				if (i != pos)
					want[i < pos ? i + 1 : i] = way[i];
			unsigned q = 0;
			for (unsigned i = 0; i < 4; i++)
				q |= want[i] << (2 * i);
			PB_CHECK_MSG(pb_tlb_perm4_front[p][w] == q,
				     "order %#x way %u: %#x, want %#x", p, w,
				     pb_tlb_perm4_front[p][w], q);
			checked++;
		}
	}
	PB_CHECK(checked == 96);
}

int main(void)
{
	check_perm4_table();
	static const char *const specs[] = {
	    "l1=8:2,l1i=8:4,l2=64:8", /* permutation L2 */
	    "l1=4:4,l2=32:16",	      /* 16 ways: every nibble a way */
	    "l1=8:2,l2=24:3",	      /* 3 ways, unused nibbles */
	    "l1=4:4,l2=16:1",	      /* direct-mapped L2 */
	    "l1=8:2,l2=64:32",	      /* 32 ways: stamps */
	    "l1=16:4",		      /* no L2 */
	};
	const size_t nspec = sizeof(specs) / sizeof(specs[0]);
	for (size_t i = 0; i < nspec; i++)
		for (int shared = 0; shared < 2; shared++)
			run_geometry(specs[i], shared, 17 + i * 2 + (uint64_t)shared, 0, 0);
	/* fingerprint collisions in the L2 (the geometries with one) */
	for (size_t i = 0; i < 4; i++)
		for (int shared = 0; shared < 2; shared++)
			run_geometry(specs[i], shared, 91 + i * 2 + (uint64_t)shared, 1, 0);
	/* the stamps wrap early in the run (each run ticks the clock some
	 * 200000 times) */
	for (size_t i = 0; i < nspec; i++)
		for (int shared = 0; shared < 2; shared++)
			run_geometry(specs[i], shared, 53 + i * 2 + (uint64_t)shared, 0,
				     UINT32_MAX - 20000);
	return pb_test_done();
}
