/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_stackdist.c - next-use, stack distance and the page key
 * against brute force: random streams over small and large key sets (the
 * latter forces the stack-distance slot compaction to grow its tree), a
 * stream much longer than the slot count (many compactions), batches fed at
 * once against one reference at a time, a million keys against a Fenwick
 * tree over time written here (every count level of the bitmap in use),
 * and the page key's namespaces against the formula written out case by
 * case.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The same stream in batches of 1..300 (pb_stackdist_feed_n) gives the
 * brute-force distances. */
static void test_stackdist_batches(uint64_t distinct)
{
	stream(distinct * 17 + 3, distinct, 1);
	static uint64_t d[N];
	struct pb_stackdist s;
	PB_CHECK(pb_stackdist_init(&s, 0) == 0);
	uint64_t sm = distinct, bad = 0;
	for (size_t i = 0, m; i < N; i += m) {
		m = 1 + pb_splitmix64(&sm) % 300;
		if (m > N - i)
			m = N - i;
		bad += pb_stackdist_feed_n(&s, k + i, m, d + i) != 0;
	}
	size_t depth = 0;
	for (size_t i = 0; i < N; i++)
		bad += d[i] != brute(&depth, k[i]);
	PB_CHECK_MSG(bad == 0, "batched stack distance: %" PRIu64 " wrong (distinct %" PRIu64 ")",
		     bad, distinct);
	PB_CHECK_EQ_U64(s.refs, N);
	pb_stackdist_fini(&s);
}

/*
 * 2^22 references over 2^20 keys: the slots grow to 4M (counts of blocks
 * of 512 up to 2^21 slots, four levels, and compactions on the way), which
 * the brute-force stack cannot check.  The reference is the textbook form:
 * a Fenwick tree over all 2^22 time slots, never compacted, a key's last
 * slot in a plain array.
 */
static void test_stackdist_large(void)
{
	enum { REFS = 1 << 22, KEYS = 1 << 20 };
	uint32_t *bit = calloc(REFS + 1, sizeof(*bit));
	uint32_t *last = calloc(KEYS, sizeof(*last));
	uint64_t *keys = malloc(REFS * sizeof(*keys)), *got = malloc(REFS * sizeof(*got));
	PB_CHECK(bit && last && keys && got);
	if (!bit || !last || !keys || !got)
		goto out;
	uint64_t sm = 99;
	for (size_t i = 0; i < REFS; i++) {
		uint64_t r = pb_splitmix64(&sm) % KEYS;
		if (i & 1) /* half the references to a hot eighth */
			r >>= 3;
		keys[i] = r;
	}
	struct pb_stackdist s;
	PB_CHECK(pb_stackdist_init(&s, 0) == 0);
	uint64_t bad = 0;
	for (size_t i = 0; i < REFS; i += 4096)
		bad += pb_stackdist_feed_n(&s, keys + i, 4096, got + i) != 0;
	PB_CHECK(s.levels >= 4);
	for (uint32_t t = 1; t <= REFS; t++) {
		uint64_t key = keys[t - 1], want = PB_STACKDIST_COLD;
		uint32_t l = last[key];
		if (l) {
			uint64_t before_t = 0, upto_l = 0; /* live slots in [1, t-1], [1, l] */
			for (uint32_t i = t - 1; i; i -= i & (0 - i))
				before_t += bit[i];
			for (uint32_t i = l; i; i -= i & (0 - i))
				upto_l += bit[i];
			want = before_t - upto_l + 1;
			for (uint32_t i = l; i <= REFS; i += i & (0 - i))
				bit[i]--;
		}
		for (uint32_t i = t; i <= REFS; i += i & (0 - i))
			bit[i]++;
		last[key] = t;
		bad += got[t - 1] != want;
	}
	PB_CHECK_MSG(bad == 0, "stack distance over 2^20 keys: %" PRIu64 " wrong", bad);
	pb_stackdist_fini(&s);
out:
	free(bit);
	free(last);
	free(keys);
	free(got);
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
	test_stackdist_batches(1);
	test_stackdist_batches(3000);
	test_stackdist_large();
	test_page_key();
	return pb_test_done();
}
