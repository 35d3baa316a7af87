/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_hmap.c - pb_hmap against a reference model (a plain array
 * over a fixed key universe) under random upserts, puts, finds and deletes,
 * through growth from the smallest table; iteration checked against the
 * model; keys 0 and UINT64_MAX, dense and scattered keys.  pb_keyset's
 * count against sort + unique.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/hmap.h"
#include "pbtest.h"

#define U 3000 /* key universe */

static uint64_t keys[U];
static uint64_t val[U];
static uint8_t present[U];

static void check_iteration(const struct pb_hmap *m, uint64_t count)
{
	static uint8_t seen[U];
	uint64_t cur = 0, k, *v, n = 0, bad = 0;
	memset(seen, 0, sizeof(seen));
	while (pb_hmap_next(m, &cur, &k, &v)) {
		n++;
		size_t j;
		for (j = 0; j < U && keys[j] != k; j++)
			;
		bad += j == U || !present[j] || seen[j] || *v != val[j];
		if (j < U)
			seen[j] = 1;
	}
	PB_CHECK_EQ_U64(n, count);
	PB_CHECK_EQ_U64(bad, 0);
}

static void run(uint64_t seed, unsigned del_pct)
{
	struct pb_hmap m;
	uint64_t sm = seed, count = 0, bad = 0;
	PB_CHECK(pb_hmap_init(&m, 0) == 0);
	memset(present, 0, sizeof(present));
	for (long i = 0; i < 200000; i++) {
		size_t j = pb_splitmix64(&sm) % U;
		unsigned op = (unsigned)(pb_splitmix64(&sm) % 100);
		uint64_t x = pb_splitmix64(&sm);
		if (op < del_pct) {
			int rc = pb_hmap_del(&m, keys[j]);
			bad += rc != (present[j] ? 0 : -ENOENT);
			count -= present[j];
			present[j] = 0;
		} else if (op < del_pct + 30) {
			int isnew;
			uint64_t *v = pb_hmap_upsert(&m, keys[j], &isnew);
			bad += !v || isnew != !present[j] || (isnew && *v != 0) ||
			       (!isnew && *v != val[j]);
			if (v)
				*v = x;
			count += !present[j];
			present[j] = 1;
			val[j] = x;
		} else if (op < del_pct + 45) {
			bad += pb_hmap_put(&m, keys[j], x) != 0;
			count += !present[j];
			present[j] = 1;
			val[j] = x;
		} else {
			uint64_t *v = pb_hmap_find(&m, keys[j]);
			bad += present[j] ? (!v || *v != val[j]) : v != NULL;
		}
		bad += pb_hmap_count(&m) != count;
		/* The load bound holds after every operation. */
		bad += 2 * (m.count - (uint64_t)m.zhas) > m.mask + 1;
		if (i % 50000 == 0)
			check_iteration(&m, count);
	}
	PB_CHECK_MSG(bad == 0, "seed %" PRIu64 " del %u%%: %" PRIu64 " mismatches", seed, del_pct,
		     bad);
	check_iteration(&m, count);
	/* Delete everything: the table must come back empty and usable. */
	for (size_t j = 0; j < U; j++)
		if (present[j])
			bad += pb_hmap_del(&m, keys[j]) != 0;
	PB_CHECK_EQ_U64(pb_hmap_count(&m), 0);
	uint64_t occupied = 0;
	for (uint64_t i = 0; i <= m.mask; i++)
		occupied += m.s[i].key != 0;
	PB_CHECK_EQ_U64(occupied, 0);
	PB_CHECK_EQ_U64(bad, 0);
	pb_hmap_clear(&m);
	PB_CHECK(pb_hmap_put(&m, 42, 7) == 0 && *pb_hmap_find(&m, 42) == 7);
	pb_hmap_fini(&m);
	pb_hmap_fini(&m); /* twice is harmless */
}

/* Growth keeps every entry; a table sized by init does not grow. */
static void test_growth(void)
{
	struct pb_hmap m;
	PB_CHECK(pb_hmap_init(&m, 100000) == 0);
	uint64_t slots = m.mask + 1;
	for (uint64_t k = 1; k <= 100000; k++)
		PB_CHECK(pb_hmap_put(&m, k << 12, k) == 0);
	PB_CHECK_EQ_U64(m.mask + 1, slots);
	pb_hmap_fini(&m);
	PB_CHECK(pb_hmap_init(&m, 1) == 0);
	uint64_t bad = 0;
	for (uint64_t k = 0; k < 50000; k++)
		bad += pb_hmap_put(&m, k * 0x10001, ~k) != 0;
	for (uint64_t k = 0; k < 50000; k++) {
		uint64_t *v = pb_hmap_find(&m, k * 0x10001);
		bad += !v || *v != ~k;
	}
	PB_CHECK(m.mask + 1 >= 100000);
	PB_CHECK_EQ_U64(bad, 0);
	pb_hmap_fini(&m);
}

/* The mixer: both halves spread sequential keys (no two of 4096
 * consecutive keys share a 12-bit low or high bucket too often). */
static void test_mixer(void)
{
	static uint16_t lo[4096], hi[4096];
	for (uint64_t k = 0; k < 4096; k++) {
		lo[pb_hash64(k << 12) & 4095]++;
		hi[pb_hash64(k << 12) >> 52]++;
	}
	unsigned maxlo = 0, maxhi = 0;
	for (int i = 0; i < 4096; i++) {
		maxlo = lo[i] > maxlo ? lo[i] : maxlo;
		maxhi = hi[i] > maxhi ? hi[i] : maxhi;
	}
	PB_CHECK_MSG(maxlo <= 12 && maxhi <= 12, "bucket load low %u high %u", maxlo, maxhi);
	/* The high-bits form agrees with the full mixer on the top 32 bits. */
	uint64_t sm = 5, bad = 0;
	for (int i = 0; i < 100000; i++) {
		uint64_t k = pb_splitmix64(&sm) >> (i & 63);
		bad += (pb_hash64_hi(k) >> 32) != (pb_hash64(k) >> 32);
		bad += (pb_hash64_hi(k) >> 52) != (pb_hash64(k) >> 52);
	}
	PB_CHECK_EQ_U64(bad, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * pb_keyset counts distinct keys: against sort + unique of the same
 * stream, for keys dense in their 64-key blocks, scattered one per block,
 * runs inside one block (the cached last block) and mixed with 0 and
 * UINT64_MAX, through the map's growth; and keys on both sides of both
 * edges of the direct window (placed around the first key, and clamped
 * at block 0), so that the window and the map each hold some.
 */
static void test_keyset(void)
{
	enum { N = 60000 };
	static uint64_t k[N];
	for (unsigned shape = 0; shape < 6; shape++) {
		uint64_t sm = 77 + shape;
		for (size_t i = 0; i < N; i++) {
			uint64_t r = pb_splitmix64(&sm);
			if (shape == 0) /* dense pages of two address spaces */
				k[i] = (r & 1) << 48 | (r >> 8) % 20000;
			else if (shape == 1) /* one key per block at most */
				k[i] = ((r >> 8) % 30000) << 6 | (r & 63);
			else if (shape == 2) /* runs within a block */
				k[i] = i / 50 * 64 + r % 17;
			else if (shape == 3) /* anything, 0 and the top key included */
				k[i] = i % 97 == 0 ? 0 : i % 89 == 0 ? UINT64_MAX : r >> (r & 63);
			else if (shape == 4) /* 4 windows' keys around the first */
				k[i] = (3ULL << 40) + (r >> 8) % (PB_KEYSET_WIN * 256) -
				       PB_KEYSET_WIN * 128;
			else /* the window at 0, keys up to 4 windows above it */
				k[i] = (r >> 8) % (PB_KEYSET_WIN * 256);
		}
		if (shape >= 4)
			k[0] = shape == 4 ? 3ULL << 40 : 5;
		struct pb_keyset set;
		uint64_t bad = 0;
		PB_CHECK(pb_keyset_init(&set) == 0);
		for (size_t i = 0; i < N; i++)
			bad += pb_keyset_add(&set, k[i]) != 0;
		qsort(k, N, sizeof(k[0]), cmp_u64);
		uint64_t uniq = 0;
		for (size_t i = 0; i < N; i++)
			uniq += i == 0 || k[i] != k[i - 1];
		PB_CHECK_EQ_U64(bad, 0);
		PB_CHECK_MSG(pb_keyset_count(&set) == uniq,
			     "shape %u: %" PRIu64 " counted, %" PRIu64 " distinct", shape,
			     pb_keyset_count(&set), uniq);
		if (shape >= 4) { /* the window and the map both hold some */
			uint64_t cur = 0, key, *val, inmap = 0;
			while (pb_hmap_next(&set.m, &cur, &key, &val))
				inmap += (uint64_t)__builtin_popcountll(*val);
			PB_CHECK_MSG(inmap > 0 && inmap < uniq,
				     "shape %u: %" PRIu64 " of %" PRIu64 " keys in the map", shape,
				     inmap, uniq);
		}
		/* adding them all again adds nothing */
		for (size_t i = 0; i < N; i++)
			bad += pb_keyset_add(&set, k[N - 1 - i]) != 0;
		PB_CHECK_EQ_U64(pb_keyset_count(&set), uniq);
		pb_keyset_fini(&set);
	}
}

int main(void)
{
	uint64_t sm = 99;
	for (size_t j = 0; j < U; j++) {
		if (j < U / 3)
			keys[j] = j; /* dense, includes 0 */
		else if (j < 2 * U / 3)
			keys[j] = (uint64_t)j << 48 | (j & 7); /* page-key shaped */
		else
			keys[j] = pb_splitmix64(&sm);
	}
	keys[U - 1] = UINT64_MAX;
	for (uint64_t s = 1; s <= 3; s++) {
		run(s, 10);
		run(s + 10, 40);
	}
	test_growth();
	test_mixer();
	test_keyset();
	return pb_test_done();
}
