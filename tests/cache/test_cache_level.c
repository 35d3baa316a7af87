/* SPDX-License-Identifier: MIT */
/*
 * tests/cache/test_cache_level.c - the cache model against references:
 *  - one level (pb_cache) against a brute-force LRU cache written here the
 *    slow, obvious way (per-line valid bit, tag, last-use time; the victim
 *    is an invalid way or the oldest), access by access, on random
 *    addresses for many (s, E, b);
 *  - the hierarchy's bookkeeping: every access reaches L1d or L1i, L2 sees
 *    exactly the L1 misses, L3 exactly the L2 misses, and the hierarchy is
 *    the same as three separate levels fed by hand;
 *  - the geometry parser and the profiles (one per TLB profile).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cache.h"
#include "pagebench/tlb.h"
#include "pbtest.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct ref_line {
	int valid;
	uint64_t tag;
	uint64_t last;
};

/* The reference: returns 0 hit, 1 miss, 2 miss + eviction. */
static int ref_access(struct ref_line *lines, unsigned s, unsigned E, unsigned b, uint64_t addr,
		      uint64_t now)
{
	uint64_t set = (addr >> b) & ((1ULL << s) - 1);
	uint64_t tag = addr >> (b + s);
	struct ref_line *L = lines + set * E;
	for (unsigned w = 0; w < E; w++)
		if (L[w].valid && L[w].tag == tag) {
			L[w].last = now;
			return 0;
		}
	unsigned v = 0;
	for (unsigned w = 0; w < E; w++) {
		if (!L[w].valid) {
			v = w;
			break;
		}
		if (L[w].last < L[v].last)
			v = w;
	}
	int ev = L[v].valid;
	L[v].valid = 1;
	L[v].tag = tag;
	L[v].last = now;
	return ev ? 2 : 1;
}

static void level_vs_reference(void)
{
	/* up to 16 ways: fingerprints and a nibble order; above: move-to-front */
	static const unsigned cfgs[][3] = {{0, 1, 0},  {0, 4, 3},  {1, 1, 1},  {2, 2, 3},
					   {3, 8, 6},  {4, 3, 4},  {6, 12, 6}, {5, 1, 5},
					   {2, 16, 2}, {0, 16, 6}, {1, 20, 3}, {0, 33, 2}};
	for (size_t c = 0; c < PB_ARRAY_SIZE(cfgs); c++) {
		unsigned s = cfgs[c][0], E = cfgs[c][1], b = cfgs[c][2];
		struct pb_cache k;
		PB_CHECK(pb_cache_init(&k, s, E, b) == 0);
		struct ref_line *ref = calloc(((size_t)1 << s) * E, sizeof(*ref));
		uint64_t h = 0, m = 0, ev = 0;
		int mismatch = 0;
		/* a small footprint (reuse) mixed with far addresses (misses) */
		uint64_t span = ((uint64_t)E << (s + b)) * 3;
		for (uint64_t i = 0; i < 200000; i++) {
			uint64_t r = rnd();
			uint64_t addr = (r & 7) ? (r >> 8) % (span ? span : 1) : r;
			int want = ref_access(ref, s, E, b, addr, i + 1);
			enum pb_cache_res got = pb_cache_access(&k, addr);
			h += want == 0;
			m += want != 0;
			ev += want == 2;
			if ((int)got != want && !mismatch++)
				fprintf(stderr,
					"s=%u E=%u b=%u access %llu addr %#llx: got %d want %d\n",
					s, E, b, (unsigned long long)i, (unsigned long long)addr,
					(int)got, want);
		}
		PB_CHECK_EQ_U64(mismatch, 0);
		PB_CHECK_EQ_U64(k.hits, h);
		PB_CHECK_EQ_U64(k.misses, m);
		PB_CHECK_EQ_U64(k.evictions, ev);
		PB_CHECK(h > 0 && m > 0);
		/* flush: everything misses again, counters kept */
		pb_cache_flush(&k);
		uint64_t m0 = k.misses;
		(void)pb_cache_access(&k, 0);
		PB_CHECK_EQ_U64(k.misses, m0 + 1);
		free(ref);
		pb_cache_fini(&k);
	}
	struct pb_cache k;
	PB_CHECK(pb_cache_init(&k, 2, 0, 4) == -EINVAL);
	PB_CHECK(pb_cache_init(&k, 40, 1, 4) == -EINVAL);
	PB_CHECK(pb_cache_init(&k, 30, 1, 40) == -EINVAL);
}

/* A hand-worked case: 1 set, 2 ways,
 * 16-byte lines: A B A C B -> m m h m(ev B) m(ev A). */
static void lru_by_hand(void)
{
	struct pb_cache k;
	PB_CHECK(pb_cache_init(&k, 0, 2, 4) == 0);
	PB_CHECK(pb_cache_access(&k, 0x00) == PB_CACHE_MISS);
	PB_CHECK(pb_cache_access(&k, 0x10) == PB_CACHE_MISS);
	PB_CHECK(pb_cache_access(&k, 0x0f) == PB_CACHE_HIT); /* same line as 0x00 */
	PB_CHECK(pb_cache_access(&k, 0x20) == PB_CACHE_MISS_EVICT);
	PB_CHECK(pb_cache_access(&k, 0x10) == PB_CACHE_MISS_EVICT);
	PB_CHECK(pb_cache_access(&k, 0x20) == PB_CACHE_HIT);
	PB_CHECK_EQ_U64(k.hits, 2);
	PB_CHECK_EQ_U64(k.misses, 4);
	PB_CHECK_EQ_U64(k.evictions, 2);
	pb_cache_fini(&k);
}

static void hierarchy(void)
{
	char err[256];
	struct pb_cache_geom g;
	PB_CHECK(pb_cache_parse("L1d=1K:2,L1i=512:2,L2=4K:4,L3=16K:8", &g, err, sizeof(err)) == 0);
	struct pb_cache_hier h;
	PB_CHECK(pb_cache_hier_init(&h, &g) == 0);
	PB_CHECK_EQ_U64(h.have, 0xf);
	/* the same levels fed by hand */
	struct pb_cache d, i, l2, l3;
	PB_CHECK(pb_cache_init(&d, 3, 2, 6) == 0);
	PB_CHECK(pb_cache_init(&i, 2, 2, 6) == 0);
	PB_CHECK(pb_cache_init(&l2, 4, 4, 6) == 0);
	PB_CHECK(pb_cache_init(&l3, 5, 8, 6) == 0);
	uint64_t n = 100000;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t r = rnd();
		uint64_t a = (r >> 4) % (64 * 1024);
		int fetch = (r & 3) == 0;
		pb_cache_hier_access(&h, a, fetch);
		if (pb_cache_access(fetch ? &i : &d, a) != PB_CACHE_HIT &&
		    pb_cache_access(&l2, a) != PB_CACHE_HIT)
			(void)pb_cache_access(&l3, a);
	}
	PB_CHECK_EQ_U64(h.l1d.hits + h.l1d.misses + h.l1i.hits + h.l1i.misses, n);
	PB_CHECK_EQ_U64(h.l2.hits + h.l2.misses, h.l1d.misses + h.l1i.misses);
	PB_CHECK_EQ_U64(h.l3.hits + h.l3.misses, h.l2.misses);
	PB_CHECK_EQ_U64(h.l1d.hits, d.hits);
	PB_CHECK_EQ_U64(h.l1i.misses, i.misses);
	PB_CHECK_EQ_U64(h.l2.hits, l2.hits);
	PB_CHECK_EQ_U64(h.l3.misses, l3.misses);
	PB_CHECK(h.l3.hits > 0 && h.l3.misses > 0 && h.l2.hits > 0);
	pb_cache_fini(&d);
	pb_cache_fini(&i);
	pb_cache_fini(&l2);
	pb_cache_fini(&l3);
	pb_cache_hier_fini(&h);
	/* no L1: every access goes to L2 */
	PB_CHECK(pb_cache_parse("l1d=1k:1,l2=8k:8", &g, err, sizeof(err)) == 0);
	PB_CHECK(g.l1i.size == 1024 && g.l3.size == 0);
	g.l1d.size = g.l1i.size = 0;
	PB_CHECK(pb_cache_hier_init(&h, &g) == 0);
	for (uint64_t k = 0; k < 1000; k++)
		pb_cache_hier_access(&h, k * 64, 0);
	PB_CHECK_EQ_U64(h.l2.hits + h.l2.misses, 1000);
	pb_cache_hier_fini(&h);
}

static void geometry(void)
{
	char err[256], buf[256];
	struct pb_cache_geom g;
	/* every TLB profile names a CPU with a cache profile of the same name */
	for (size_t i = 0; pb_tlb_profiles[i]; i++) {
		const struct pb_cache_geom *p = pb_cache_profile_find(pb_tlb_profiles[i]->name);
		PB_CHECK_MSG(p != NULL, "no cache profile for TLB profile %s",
			     pb_tlb_profiles[i]->name);
		if (!p)
			continue;
		struct pb_cache_hier h;
		PB_CHECK(pb_cache_hier_init(&h, p) == 0);
		PB_CHECK_EQ_U64(h.have, 0xf);
		/* the sets the profile's sizes imply */
		PB_CHECK_EQ_U64((uint64_t)h.l1d.sets * h.l1d.ways * p->line, p->l1d.size);
		PB_CHECK_EQ_U64((uint64_t)h.l3.sets * h.l3.ways * p->line, p->l3.size);
		pb_cache_hier_fini(&h);
		PB_CHECK(p->source && p->lat_source && p->l1_ns > 0 && p->l1_ns < p->l2_ns &&
			 p->l2_ns < p->l3_ns);
		/* a profile's string form parses back to the same geometry */
		pb_cache_geom_str(p, buf, sizeof(buf));
		PB_CHECK(pb_cache_parse(buf, &g, err, sizeof(err)) == 0);
		PB_CHECK(g.l1d.size == p->l1d.size && g.l2.ways == p->l2.ways &&
			 g.l3.size == p->l3.size && g.l1i.ways == p->l1i.ways);
	}
	PB_CHECK(pb_cache_parse("skylake", &g, err, sizeof(err)) == 0);
	PB_CHECK(g.l1d.size == 32768 && g.l1d.ways == 8 && g.l2.size == 262144 && g.l2.ways == 4);
	pb_cache_geom_str(&g, buf, sizeof(buf));
	PB_CHECK_MSG(!strcmp(buf, "L1d=32K:8,L1i=32K:8,L2=256K:4,L3=8M:16,line=64"), "%s", buf);
	PB_CHECK(pb_cache_parse("none", &g, err, sizeof(err)) == 0);
	PB_CHECK(!pb_cache_geom_enabled(&g));
	pb_cache_geom_str(&g, buf, sizeof(buf));
	PB_CHECK(!strcmp(buf, "none"));
	PB_CHECK(pb_cache_parse("L1d=32K:8,L2=1M:16,line=128", &g, err, sizeof(err)) == 0);
	PB_CHECK(g.line == 128 && g.l2.size == (1u << 20) && g.l1i.size == 32768);
	static const char *const bad[] = {
	    "",		"pentium",   "L1d=32K",	      "L1d=33K:8", "L1d=48K:8",
	    "L2=1M:16", "L1d=32K:0", "L1d=32K:8,x=1", "L1d=x:8",   "L1d=32K:8,line=48"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		PB_CHECK_MSG(pb_cache_parse(bad[i], &g, err, sizeof(err)) == -EINVAL, "'%s'",
			     bad[i]);
		PB_CHECK_MSG(err[0] != 0, "no message for '%s'", bad[i]);
	}
}

static void lines(void)
{
	struct pb_csim_rec r;
	char err[256];
	PB_CHECK(pb_csim_parse_line(" L 10,4 ", &r, err, sizeof(err)) == 1);
	PB_CHECK(r.op == 'L' && r.addr == 0x10 && r.size == 4);
	PB_CHECK(pb_csim_parse_line(" M 7ff000398,8", &r, err, sizeof(err)) == 1);
	PB_CHECK(r.op == 'M' && r.addr == 0x7ff000398ULL && r.size == 8);
	PB_CHECK(pb_csim_parse_line("I  004005b6,5", &r, err, sizeof(err)) == 0);
	PB_CHECK(pb_csim_parse_line("", &r, err, sizeof(err)) == 0);
	PB_CHECK(pb_csim_parse_line("==123== Lackey", &r, err, sizeof(err)) == 0);
	static const char *const bad[] = {
	    "L 10,4", " X 10,4",  " L 10",    " L ,4",
	    " L 10,", " L 10,4x", "  L 10,4", " L 12345678901234567,1",
	    " L10,4"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(bad); i++)
		PB_CHECK_MSG(pb_csim_parse_line(bad[i], &r, err, sizeof(err)) == -EINVAL, "'%s'",
			     bad[i]);
}

int main(void)
{
	level_vs_reference();
	lru_by_hand();
	hierarchy();
	geometry();
	lines();
	return pb_test_done();
}
