/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_stackdist.c - next-use, stack distance and the page key
 * against brute force: random streams over small and large key sets (the
 * latter forces the stack-distance slot compaction to grow its tree), a
 * stream much longer than the slot count (many compactions), and the page
 * key's namespaces against the formula written out case by case.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/nextuse.h"
#include "pagebench/pagekey.h"
#include "pagebench/stackdist.h"
#include "pagebench/workload.h"
#include "pbtest.h"

#define N 60000

static uint64_t k[N], nu[N], lru[N];

static void stream(uint64_t seed, uint64_t distinct, int skew)
{
	uint64_t sm = seed;
	for (size_t i = 0; i < N; i++) {
		uint64_t r = pb_splitmix64(&sm) % distinct;
		if (skew) /* a hot set: squares favour small numbers */
			r = r * r / distinct;
		k[i] = r * 0x9e3779b97f4a7c15ULL ^ (seed << 40); /* scattered, key 0 possible */
		if (r == 0)
			k[i] = 0;
	}
}

static void test_next_use(uint64_t distinct, int skew)
{
	stream(distinct * 7 + (uint64_t)skew, distinct, skew);
	size_t n = 6000; /* brute force is quadratic */
	PB_CHECK(pb_next_use(k, n, nu) == 0);
	uint64_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t want = PB_NEXT_NONE;
		for (size_t j = i + 1; j < n; j++)
			if (k[j] == k[i]) {
				want = j;
				break;
			}
		bad += nu[i] != want;
	}
	PB_CHECK_MSG(bad == 0, "next-use: %" PRIu64 " wrong of %zu (distinct %" PRIu64 ")", bad, n,
		     distinct);
	PB_CHECK(pb_next_use(k, 0, nu) == 0);
	PB_CHECK(pb_next_use(NULL, 3, nu) == -EINVAL);
}

/* Brute-force LRU stack: lru[0] most recent; returns the 1-based depth of
 * key (moving it to the top) or UINT64_MAX when new. */
static uint64_t brute(size_t *depth, uint64_t key)
{
	size_t j;
	for (j = 0; j < *depth && lru[j] != key; j++)
		;
	uint64_t d = j < *depth ? j + 1 : PB_STACKDIST_COLD;
	if (j == *depth)
		(*depth)++;
	memmove(lru + 1, lru, j * sizeof(*lru));
	lru[0] = key;
	return d;
}

static void test_stackdist(uint64_t distinct, int skew)
{
	stream(distinct * 13 + (uint64_t)skew, distinct, skew);
	struct pb_stackdist s;
	PB_CHECK(pb_stackdist_init(&s, 0) == 0);
	size_t depth = 0;
	uint64_t bad = 0;
	for (size_t i = 0; i < N; i++) {
		uint64_t d = 0, want = brute(&depth, k[i]);
		bad += pb_stackdist_feed(&s, k[i], &d) != 0;
		bad += d != want;
	}
	PB_CHECK_MSG(bad == 0, "stack distance: %" PRIu64 " wrong (distinct %" PRIu64 ")", bad,
		     distinct);
	PB_CHECK_EQ_U64(pb_stackdist_distinct(&s), depth);
	PB_CHECK_EQ_U64(s.refs, N);
	/* O(distinct): the slot tree stays within 4x distinct (or the minimum)
	 * although the stream is up to 60x longer. */
	PB_CHECK_MSG(s.cap <= (4 * depth > 1024 ? 8 * depth : 1024), "cap %" PRIu64 " for %zu keys",
		     s.cap, depth);
	pb_stackdist_fini(&s);
}

static void test_page_key(void)
{
	_Static_assert(PB_PAGE_FILE == PB_ACC_FILE && PB_PAGE_SHARED == PB_ACC_SHARED &&
			   PB_PAGE_COW == PB_ACC_COW,
		       "pagekey.h flags must equal workload.h's PB_ACC_*");
	const uint64_t vpn = 0x123456789aULL, as = 7, priv = as << 48 | vpn;
	const uint64_t file = 0xfffeULL << 48 | vpn, shm = 0xffffULL << 48 | vpn,
		       cow = 0xfffdULL << 48 | vpn;
	static const struct {
		unsigned flags;
		int which; /* 0 priv, 1 file, 2 shm, 3 cow */
	} t[] = {
	    {0, 0},
	    {PB_PAGE_WRITE, 0},
	    {PB_PAGE_FILE, 1},
	    {PB_PAGE_FILE | PB_PAGE_WRITE, 0}, /* private file mapping: written copy */
	    {PB_PAGE_FILE | PB_PAGE_SHARED, 1},
	    {PB_PAGE_FILE | PB_PAGE_SHARED | PB_PAGE_WRITE, 1},
	    {PB_PAGE_SHARED, 2},
	    {PB_PAGE_SHARED | PB_PAGE_WRITE, 2},
	    {PB_PAGE_COW, 3},
	    {PB_PAGE_COW | PB_PAGE_WRITE, 0},
	    /* several region bits: a read goes to the first of file, shared,
	     * COW original; a write to a COW region to the writer's copy */
	    {PB_PAGE_FILE | PB_PAGE_COW, 1},
	    {PB_PAGE_FILE | PB_PAGE_COW | PB_PAGE_WRITE, 0},
	    {PB_PAGE_SHARED | PB_PAGE_COW, 2},
	    {PB_PAGE_SHARED | PB_PAGE_COW | PB_PAGE_WRITE, 0},
	    {PB_PAGE_FILE | PB_PAGE_SHARED | PB_PAGE_COW, 1},
	    {PB_PAGE_FILE | PB_PAGE_SHARED | PB_PAGE_COW | PB_PAGE_WRITE, 0},
	};
	_Static_assert(PB_ARRAY_SIZE(t) == 16, "every flag set");
	const uint64_t want[] = {priv, file, shm, cow};
	for (size_t i = 0; i < PB_ARRAY_SIZE(t); i++)
		PB_CHECK_MSG(pb_page_key(7, vpn, t[i].flags) == want[t[i].which], "flags %#x",
			     t[i].flags);
	/* the readers' form: region bits (others ignored) and a write flag */
	for (size_t i = 0; i < PB_ARRAY_SIZE(t); i++)
		PB_CHECK_MSG(pb_page_key_rw(7, vpn, (t[i].flags & ~PB_PAGE_WRITE) | 0xf0u,
					    !!(t[i].flags & PB_PAGE_WRITE)) == want[t[i].which],
			     "rw flags %#x", t[i].flags);
	/* vpn bits above 48 are dropped; (asid << 48) | vpn for plain pages. */
	PB_CHECK_EQ_U64(pb_page_key(1, (1ULL << 50) | 5, 0), (1ULL << 48) | 5);
}

int main(void)
{
	static const uint64_t distinct[] = {1, 7, 300, 5000, 40000};
	for (size_t i = 0; i < PB_ARRAY_SIZE(distinct); i++)
		for (int skew = 0; skew < 2; skew++) {
			test_next_use(distinct[i], skew);
			if (distinct[i] <= 5000) /* the brute-force stack is O(n d) */
				test_stackdist(distinct[i], skew);
		}
	test_page_key();
	return pb_test_done();
}
