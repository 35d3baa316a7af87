/* SPDX-License-Identifier: MIT */
/*
 * tests/frames/test_frames.c - unit tests of the frame allocator: every
 * operation and edge, single-threaded, with pb_frames_check after each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/frames.h"
#include "pbtest.h"

static char err[256];

#define CHECK_OK(fa)                                                                               \
	do {                                                                                       \
		int rc_ = pb_frames_check((fa), err, sizeof(err));                                 \
		PB_CHECK_MSG(rc_ == 0, "check: %s", err);                                          \
	} while (0)

static struct pb_frames *mk(uint64_t nframes, unsigned nnodes, const unsigned *dist, unsigned cap,
			    unsigned flags)
{
	struct pb_frames_cfg c = {.nframes = nframes,
				  .nnodes = nnodes,
				  .distance = dist,
				  .cache_cap = cap,
				  .flags = flags};
	struct pb_frames *fa = NULL;
	int rc = pb_frames_create(&c, &fa);
	PB_CHECK_EQ_U64(rc, 0);
	return fa;
}

/* A byte per frame: 1 = handed out to us. */
static unsigned char *own_new(uint64_t n)
{
	unsigned char *o = calloc(n, 1);
	if (!o)
		abort();
	return o;
}

static void test_bad_args(void)
{
	struct pb_frames *fa = NULL;
	struct pb_frames_cfg c = {.nframes = 0};
	PB_CHECK_EQ_U64(pb_frames_create(&c, &fa), (uint64_t)-EINVAL);
	c.nframes = 512;
	c.nnodes = 2; /* 1 area cannot be split in 2 nodes */
	PB_CHECK_EQ_U64(pb_frames_create(&c, &fa), (uint64_t)-EINVAL);
	c.nnodes = PB_FRAMES_MAX_NODES + 1;
	c.nframes = 1 << 20;
	PB_CHECK_EQ_U64(pb_frames_create(&c, &fa), (uint64_t)-EINVAL);

	fa = mk(4096, 1, NULL, 0, 0);
	pb_pfn_t p;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 3, &p), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_free(fa, PB_PFN(4096), 0), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_free(fa, PB_PFN(1), PB_HUGE_ORDER), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_free(fa, PB_PFN(0), 1), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_node_of(fa, PB_PFN(4096)), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_node_of(fa, PB_PFN(4095)), 0);
	struct pb_frames_cache *c2 = pb_frames_cache_create(fa, 1);
	PB_CHECK(c2 == NULL);
	CHECK_OK(fa);
	pb_frames_destroy(fa);
}

/* Exhaust a small allocator through the global path and a cache; every
 * frame is distinct, in range; the next alloc fails with -ENOMEM. */
static void test_exhaust(int use_cache)
{
	const uint64_t n = 3 * 512 + 100; /* a partial last area */
	struct pb_frames *fa = mk(n, 1, NULL, 64, 0);
	struct pb_frames_cache *c = use_cache ? pb_frames_cache_create(fa, 0) : NULL;
	unsigned char *own = own_new(n);
	uint64_t got = 0, dup = 0, oob = 0;
	pb_pfn_t p;
	for (;;) {
		int rc = c ? pb_frames_cache_alloc(c, 0, &p) : pb_frames_alloc(fa, 0, 0, &p);
		if (rc) {
			PB_CHECK_EQ_U64(rc, (uint64_t)-ENOMEM);
			break;
		}
		if (p.v >= n) {
			oob++;
			continue;
		}
		if (own[p.v]++)
			dup++;
		got++;
		if (got > n)
			break;
	}
	PB_CHECK_EQ_U64(got, n);
	PB_CHECK_EQ_U64(dup, 0);
	PB_CHECK_EQ_U64(oob, 0);
	struct pb_frames_stats st;
	PB_CHECK_EQ_U64(pb_frames_stats(fa, -1, &st), 0);
	PB_CHECK_EQ_U64(st.total, n);
	PB_CHECK_EQ_U64(st.free, 0);
	PB_CHECK_EQ_U64(st.used, n);
	/* No huge frame in a full allocator either. */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &p), (uint64_t)-ENOMEM);
	CHECK_OK(fa);
	/* Free everything, in a scattered order, through the same path. */
	for (uint64_t k = 0; k < n; k++) {
		uint64_t i = (k * 7919) % n;
		int rc =
		    c ? pb_frames_cache_free(c, PB_PFN(i), 0) : pb_frames_free(fa, PB_PFN(i), 0);
		PB_CHECK(rc == 0);
		own[i] = 0;
	}
	CHECK_OK(fa);
	if (c)
		pb_frames_cache_drain(c);
	PB_CHECK_EQ_U64(pb_frames_stats(fa, -1, &st), 0);
	PB_CHECK_EQ_U64(st.free, n);
	PB_CHECK_EQ_U64(st.used, 0);
	PB_CHECK_EQ_U64(st.cached, 0);
	/* Only 3 whole areas: 3 huge frames fit, the partial tail takes none. */
	pb_pfn_t h[4];
	for (int i = 0; i < 3; i++) {
		PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h[i]), 0);
		PB_CHECK_EQ_U64(h[i].v % 512, 0);
		PB_CHECK(h[i].v + 512 <= n);
	}
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h[3]), (uint64_t)-ENOMEM);
	PB_CHECK_EQ_U64(pb_frames_stats(fa, -1, &st), 0);
	PB_CHECK_EQ_U64(st.huge_used, 3);
	PB_CHECK_EQ_U64(st.free, 100);
	CHECK_OK(fa);
	for (int i = 0; i < 3; i++)
		PB_CHECK_EQ_U64(pb_frames_free(fa, h[i], PB_HUGE_ORDER), 0);
	CHECK_OK(fa);
	pb_frames_cache_destroy(c);
	CHECK_OK(fa);
	free(own);
	pb_frames_destroy(fa);
}

/* Huge vs small: a 2 MiB frame never overlaps a used 4 KiB frame. */
static void test_huge_small_conflict(void)
{
	struct pb_frames *fa = mk(2 * 512, 1, NULL, 0, 0);
	pb_pfn_t s, h1, h2, x;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &s), 0); /* one small frame: area A */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h1), 0);
	PB_CHECK(h1.v / 512 != s.v / 512);
	/* The other area holds a small frame: no second huge frame. */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h2), (uint64_t)-ENOMEM);
	/* Small frames keep coming only from the small area, never the huge. */
	uint64_t n = 0, inside = 0;
	while (pb_frames_alloc(fa, 0, 0, &x) == 0) {
		n++;
		if (x.v / 512 == h1.v / 512)
			inside++;
	}
	PB_CHECK_EQ_U64(n, 511);
	PB_CHECK_EQ_U64(inside, 0);
	CHECK_OK(fa);
	/* Freeing a 4 KiB frame inside the huge frame is refused. */
	PB_CHECK_EQ_U64(pb_frames_free(fa, PB_PFN(h1.v + 3), 0), (uint64_t)-EINVAL);
	/* Freeing a small-frame area as huge is refused. */
	PB_CHECK_EQ_U64(pb_frames_free(fa, PB_PFN(s.v & ~511ULL), PB_HUGE_ORDER),
			(uint64_t)-EINVAL);
	CHECK_OK(fa);
	PB_CHECK_EQ_U64(pb_frames_free(fa, h1, PB_HUGE_ORDER), 0);
	/* Now the freed huge area serves small frames, then no huge fits. */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &x), 0);
	PB_CHECK_EQ_U64(x.v / 512, h1.v / 512);
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h2), (uint64_t)-ENOMEM);
	PB_CHECK_EQ_U64(pb_frames_free(fa, x, 0), 0);
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h2), 0);
	PB_CHECK_EQ_U64(h2.v, h1.v);
	CHECK_OK(fa);
	pb_frames_destroy(fa);
}

static void test_double_free(void)
{
	struct pb_frames *fa = mk(4 * 512, 1, NULL, 8, 0);
	pb_pfn_t p, h;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0);
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_free(fa, PB_PFN(777), 0),
			(uint64_t)-EINVAL); /* never allocated */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h), 0);
	PB_CHECK_EQ_U64(pb_frames_free(fa, h, PB_HUGE_ORDER), 0);
	PB_CHECK_EQ_U64(pb_frames_free(fa, h, PB_HUGE_ORDER), (uint64_t)-EINVAL);
	CHECK_OK(fa);

	/* Through a cache: a frame already free globally is caught on the
	 * flush and reported by the check. */
	struct pb_frames_cache *c = pb_frames_cache_create(fa, 0);
	PB_CHECK(c != NULL);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), 0); /* p is free: a double free */
	pb_frames_cache_drain(c);
	PB_CHECK(pb_frames_check(fa, err, sizeof(err)) == -EINVAL);
	PB_CHECK(strstr(err, "double free") != NULL);
	pb_frames_cache_destroy(c);
	pb_frames_destroy(fa);

	/* A frame freed twice into a cache: the check sees it twice. */
	fa = mk(4 * 512, 1, NULL, 8, 0);
	c = pb_frames_cache_create(fa, 0);
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, 0, &p), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), 0);
	PB_CHECK(pb_frames_check(fa, err, sizeof(err)) == -EINVAL);
	pb_frames_destroy(fa); /* also drops the cache */

	/* PB_FRAMES_DEBUG catches both at the call. */
	fa = mk(4 * 512, 1, NULL, 8, PB_FRAMES_DEBUG);
	c = pb_frames_cache_create(fa, 0);
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, 0, &p), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), (uint64_t)-EINVAL);
	pb_frames_cache_drain(c);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), (uint64_t)-EINVAL);
	CHECK_OK(fa);
	pb_frames_cache_destroy(c);
	pb_frames_destroy(fa);
}

/* Destroy two caches, then every frame must be free; destroy fa. */
static void finish_two(struct pb_frames *fa, struct pb_frames_cache *a, struct pb_frames_cache *b)
{
	struct pb_frames_stats st;
	pb_frames_cache_destroy(a);
	pb_frames_cache_destroy(b);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.free, st.total);
	PB_CHECK_EQ_U64(st.remote, 0);
	CHECK_OK(fa);
	pb_frames_destroy(fa);
}

/* Frames flow through caches (refill, flush, frees into another cache)
 * and the books balance at every step. */
static void test_cache_flow(void)
{
	struct pb_frames *fa = mk(8 * 512, 1, NULL, 16, 0);
	struct pb_frames_cache *c = pb_frames_cache_create(fa, 0);
	pb_pfn_t p[40];
	for (int i = 0; i < 40; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, 0, &p[i]), 0);
	PB_CHECK(pb_frames_cache_count(c) <= 16);
	struct pb_frames_stats st;
	pb_frames_stats(fa, 0, &st);
	PB_CHECK_EQ_U64(st.used, 40);
	PB_CHECK_EQ_U64(st.cached, pb_frames_cache_count(c));
	PB_CHECK_EQ_U64(st.free + st.cached + st.used, st.total);
	CHECK_OK(fa);
	for (int i = 0; i < 40; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(c, p[i], 0), 0);
	PB_CHECK(pb_frames_cache_count(c) <= 16);
	pb_frames_stats(fa, 0, &st);
	PB_CHECK_EQ_U64(st.used, 0);
	CHECK_OK(fa);
	/* Freed into another cache (a cross-thread free): nothing lost. */
	struct pb_frames_cache *c2 = pb_frames_cache_create(fa, 0);
	for (int i = 0; i < 40; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, 0, &p[i]), 0);
	for (int i = 0; i < 40; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(c2, p[i], 0), 0);
	CHECK_OK(fa);
	finish_two(fa, c, c2);
}

/* 2 MiB frames freed into a cache are kept (a few) for reuse. */
static void test_huge_stash(void)
{
	struct pb_frames *fa = mk(8 * 512, 1, NULL, 16, 0);
	struct pb_frames_cache *c = pb_frames_cache_create(fa, 0);
	struct pb_frames_cache *c2 = pb_frames_cache_create(fa, 0);
	pb_pfn_t h[4], x;
	for (int i = 0; i < 4; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, PB_HUGE_ORDER, &h[i]), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, h[0], PB_HUGE_ORDER), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, h[0], PB_HUGE_ORDER), (uint64_t)-EINVAL);
	PB_CHECK_EQ_U64(pb_frames_cache_count(c), 512);
	struct pb_frames_stats st;
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.cached, 512);
	PB_CHECK_EQ_U64(st.used, 3 * 512);
	PB_CHECK_EQ_U64(st.huge_used, 3);
	CHECK_OK(fa);
	/* Reused by the next huge alloc of the cache. */
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, PB_HUGE_ORDER, &x), 0);
	PB_CHECK_EQ_U64(x.v, h[0].v);
	/* Stash full: the third goes back to the global structure. */
	for (int i = 0; i < 4; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(c, h[i], PB_HUGE_ORDER), 0);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK(st.cached <= 2 * 512);
	PB_CHECK_EQ_U64(st.used, 0);
	CHECK_OK(fa);
	/* A stashed frame freed again into another cache: the check sees it. */
	PB_CHECK_EQ_U64(pb_frames_cache_free(c2, h[3], PB_HUGE_ORDER),
			(uint64_t)-EINVAL);				   /* global: caught */
	PB_CHECK_EQ_U64(pb_frames_cache_free(c2, h[1], PB_HUGE_ORDER), 0); /* stashed in c */
	PB_CHECK(pb_frames_check(fa, err, sizeof(err)) == -EINVAL);
	pb_frames_destroy(fa);

	/* Drain gives them back; then all 8 areas can be small frames. */
	fa = mk(8 * 512, 1, NULL, 16, 0);
	c = pb_frames_cache_create(fa, 0);
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, PB_HUGE_ORDER, &h[0]), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, h[0], PB_HUGE_ORDER), 0);
	pb_frames_cache_drain(c);
	PB_CHECK_EQ_U64(pb_frames_cache_count(c), 0);
	uint64_t n = 0;
	while (pb_frames_alloc(fa, 0, 0, &x) == 0)
		n++;
	PB_CHECK_EQ_U64(n, 8 * 512);
	CHECK_OK(fa);
	pb_frames_cache_destroy(c);
	pb_frames_destroy(fa);
}

/* NUMA: local first, then nearest by distance (matrix or index). */
static void test_numa(void)
{
	/* 4 nodes of 2 areas each; from node 0 the matrix says 3 then 1 then 2. */
	const unsigned dist[16] = {10,	    30, 40, 20, /**/ 30, 10, 20, 40,
				   /**/ 40, 20, 10, 30, /**/ 20, 40, 30, 10};
	struct pb_frames *fa = mk(8 * 512, 4, dist, 8, 0);
	PB_CHECK_EQ_U64(pb_frames_nnodes(fa), 4);
	uint64_t lo, hi;
	pb_frames_node_range(fa, 2, &lo, &hi);
	PB_CHECK_EQ_U64(lo, 4 * 512);
	PB_CHECK_EQ_U64(hi, 6 * 512);
	struct pb_frames_cache *c = pb_frames_cache_create(fa, 0);
	pb_pfn_t p;
	int order_seen[4] = {-1, -1, -1, -1}, k = 0, last = -1;
	uint64_t count[4] = {0};
	while (pb_frames_cache_alloc(c, 0, &p) == 0) {
		int nd = pb_frames_node_of(fa, p);
		PB_CHECK(nd >= 0 && nd < 4);
		if (nd != last && k < 4)
			order_seen[k++] = nd;
		last = nd;
		count[nd]++;
	}
	PB_CHECK_EQ_U64(order_seen[0], 0);
	PB_CHECK_EQ_U64(order_seen[1], 3);
	PB_CHECK_EQ_U64(order_seen[2], 1);
	PB_CHECK_EQ_U64(order_seen[3], 2);
	for (int i = 0; i < 4; i++)
		PB_CHECK_EQ_U64(count[i], 1024);
	CHECK_OK(fa);
	/* Remote frames freed into node 0's cache go back to their node. */
	pb_frames_node_range(fa, 3, &lo, &hi);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, PB_PFN(lo + 5), 0), 0);
	struct pb_frames_stats st;
	pb_frames_stats(fa, 3, &st);
	PB_CHECK_EQ_U64(st.free, 1);
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 1, 0, &p), 0); /* node 1 empty: nearest with one is 3 */
	PB_CHECK_EQ_U64(p.v, lo + 5);
	pb_frames_destroy(fa);

	/* Default distance |i - j|: from node 2 of 4, 2 then 1 then 3 then 0. */
	fa = mk(8 * 512, 4, NULL, 0, 0);
	uint64_t seen_first[4] = {0};
	for (int i = 0; i < 4 * 1024; i++) {
		PB_CHECK_EQ_U64(pb_frames_alloc(fa, 2, 0, &p), 0);
		int nd = pb_frames_node_of(fa, p);
		if (!seen_first[nd])
			seen_first[nd] = (uint64_t)i + 1;
	}
	PB_CHECK(seen_first[2] < seen_first[1]);
	PB_CHECK(seen_first[1] < seen_first[3]);
	PB_CHECK(seen_first[3] < seen_first[0]);
	/* Huge frames fall back the same way (all full now: -ENOMEM). */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 2, PB_HUGE_ORDER, &p), (uint64_t)-ENOMEM);
	CHECK_OK(fa);
	pb_frames_destroy(fa);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* 2^32 frames (16 TiB simulated): creating it must touch almost nothing. */
static void test_huge_memory(void)
{
	long before = rss_kib();
	struct pb_frames *fa = mk(1ULL << 32, 4, NULL, 0, 0);
	if (!fa)
		return;
	long after = rss_kib();
	PB_CHECK_MSG(after - before < 16 * 1024, "creation touched %ld KiB", after - before);
	printf("2^32-frame allocator: creation added %ld KiB of RSS\n", after - before);
	PB_CHECK_EQ_U64(pb_frames_total(fa), 1ULL << 32);
	struct pb_frames_cache *c = pb_frames_cache_create(fa, 3);
	pb_pfn_t p, h;
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, 0, &p), 0);
	PB_CHECK_EQ_U64(pb_frames_node_of(fa, p), 3);
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, PB_HUGE_ORDER, &h), 0);
	PB_CHECK_EQ_U64(pb_frames_node_of(fa, h), 3);
	pb_frames_set_dirty(fa, h);
	PB_CHECK(pb_frames_is_dirty(fa, h));
	pb_frames_clear_dirty(fa, h);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, p, 0), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_free(c, h, PB_HUGE_ORDER), 0);
	struct pb_frames_stats st;
	pb_frames_stats(fa, 3, &st);
	PB_CHECK_EQ_U64(st.total, 1ULL << 30);
	PB_CHECK_EQ_U64(st.used, 0);
	pb_frames_cache_destroy(c);
	long used = rss_kib();
	PB_CHECK_MSG(used - before < 64 * 1024, "use touched %ld KiB", used - before);
	pb_frames_destroy(fa);
}

/* Remote frees: frames cache b frees that cache a claimed stay in b's stack
 * until it overflows; then the oldest half goes back to a in batches of 62
 * (one CAS each), and a reuses them before it asks the global structure; a
 * batch for a cache that is gone is not made; an allocation that would fail
 * takes the frames waiting in inboxes.  Counts worked out by hand from the
 * documented sizes: a cache of cap C refills C/2 and flushes C/2. */
static void test_remote_frees(void)
{
	struct pb_frames *fa = mk(8 * 512, 1, NULL, 16, PB_FRAMES_REMOTE);
	struct pb_frames_cache *a = pb_frames_cache_create(fa, 0);
	struct pb_frames_cache *b = pb_frames_cache_create(fa, 0);
	PB_CHECK(a != NULL && b != NULL);
	pb_pfn_t p[200];
	for (int i = 0; i < 200; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(a, 0, &p[i]), 0);
	PB_CHECK_EQ_U64(pb_frames_cache_count(a), 0); /* 25 refills of 8 */
	for (int i = 0; i < 200; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(b, p[i], 0), 0);
	/* b keeps 16; 23 flushes of 8 = 184 go to a: 2 batches of 62 sent,
	 * 60 in b's open batch. */
	struct pb_frames_stats st;
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.remote_batches, 2);
	PB_CHECK_EQ_U64(st.remote, 184);
	PB_CHECK_EQ_U64(pb_frames_cache_count(b), 16 + 60);
	PB_CHECK_EQ_U64(st.used, 0);
	PB_CHECK_EQ_U64(st.free + st.cached + st.used, st.total);
	CHECK_OK(fa);
	/* a's next 124 frames are the ones sent back: the free count does not
	 * move. */
	uint64_t free0 = st.free;
	pb_pfn_t q[124];
	for (int i = 0; i < 124; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(a, 0, &q[i]), 0);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.free, free0);
	PB_CHECK_EQ_U64(st.remote, 60);
	unsigned back = 0;
	for (int i = 0; i < 124; i++)
		for (int j = 0; j < 200; j++)
			back += q[i].v == p[j].v;
	PB_CHECK_EQ_U64(back, 124);
	CHECK_OK(fa);
	for (int i = 0; i < 124; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(a, q[i], 0), 0);
	pb_frames_cache_drain(b); /* the open batch goes back */
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.remote, 0);
	CHECK_OK(fa);

	/* The owner is gone: its frames go to the global structure. */
	struct pb_frames_cache *c = pb_frames_cache_create(fa, 0);
	for (int i = 0; i < 100; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(c, 0, &p[i]), 0);
	pb_frames_cache_destroy(c);
	for (int i = 0; i < 100; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(b, p[i], 0), 0);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.remote, 0);
	PB_CHECK_EQ_U64(st.remote_batches, 2);
	PB_CHECK_EQ_U64(pb_frames_cache_count(b), 12); /* 100 - 11 flushes of 8 */
	CHECK_OK(fa);
	finish_two(fa, a, b);

	/* One area, caches of 256: a takes all 512 frames, b frees 496 (two
	 * flushes of 128 to a: 4 batches sent, 8 open); then d finds the
	 * global structure empty and takes the inboxes back instead of
	 * failing. */
	fa = mk(512, 1, NULL, 256, PB_FRAMES_REMOTE);
	a = pb_frames_cache_create(fa, 0);
	b = pb_frames_cache_create(fa, 0);
	struct pb_frames_cache *d = pb_frames_cache_create(fa, 0);
	static pb_pfn_t all[512];
	for (int i = 0; i < 512; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(a, 0, &all[i]), 0);
	for (int i = 0; i < 496; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(b, all[i], 0), 0);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.free, 0);
	PB_CHECK_EQ_U64(st.remote, 256);
	PB_CHECK_EQ_U64(st.remote_batches, 4);
	pb_pfn_t x;
	PB_CHECK_EQ_U64(pb_frames_cache_alloc(d, 0, &x), 0);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.remote, 8);
	CHECK_OK(fa);
	PB_CHECK_EQ_U64(pb_frames_cache_free(d, x, 0), 0);
	pb_frames_cache_destroy(d);
	for (int i = 496; i < 512; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(a, all[i], 0), 0);
	finish_two(fa, a, b);

	/* Without PB_FRAMES_REMOTE the overflow goes to the global structure. */
	fa = mk(512, 1, NULL, 256, 0);
	a = pb_frames_cache_create(fa, 0);
	b = pb_frames_cache_create(fa, 0);
	for (int i = 0; i < 512; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_alloc(a, 0, &all[i]), 0);
	for (int i = 0; i < 512; i++)
		PB_CHECK_EQ_U64(pb_frames_cache_free(b, all[i], 0), 0);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.remote_batches, 0);
	PB_CHECK_EQ_U64(st.remote, 0);
	PB_CHECK_EQ_U64(st.free, 256); /* two flushes of 128 */
	finish_two(fa, a, b);
}

int main(void)
{
	test_bad_args();
	test_exhaust(0);
	test_exhaust(1);
	test_huge_small_conflict();
	test_double_free();
	test_cache_flow();
	test_huge_stash();
	test_numa();
	test_huge_memory();
	test_remote_frees();
	return pb_test_done();
}
