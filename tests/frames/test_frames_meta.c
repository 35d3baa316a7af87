/* SPDX-License-Identifier: MIT */
/*
 * tests/frames/test_frames_meta.c - per-frame metadata: reference count,
 * dirty flag, swap slot, reverse map (inline slot and overflow list), and
 * the check's "free frames have clean metadata" rule.  Ends with a small
 * concurrent rmap test (threads adding/removing on one shared frame).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/frames.h"
#include "pbtest.h"

static char err[256];

struct collect {
	unsigned n;
	pb_asid_t as[64];
	uint64_t vpn[64];
	unsigned stop_after;
};

static int collect_cb(void *arg, pb_asid_t as, pb_vpn_t vpn)
{
	struct collect *c = arg;
	if (c->n < 64) {
		c->as[c->n] = as;
		c->vpn[c->n] = vpn.v;
	}
	c->n++;
	return (c->stop_after && c->n == c->stop_after) ? 42 : 0;
}

static int has(const struct collect *c, pb_asid_t as, uint64_t vpn)
{
	int k = 0;
	for (unsigned i = 0; i < c->n && i < 64; i++)
		if (c->as[i] == as && c->vpn[i] == vpn)
			k++;
	return k;
}

static void test_ref_dirty_swap(struct pb_frames *fa)
{
	pb_pfn_t p;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0);
	PB_CHECK_EQ_U64(pb_frames_refcount(fa, p), 0);
	PB_CHECK(!pb_frames_is_dirty(fa, p));
	PB_CHECK_EQ_U64(pb_frames_get_swap(fa, p), PB_FRAMES_NO_SWAP);
	PB_CHECK_EQ_U64(pb_frames_get(fa, p), 1);
	PB_CHECK_EQ_U64(pb_frames_get(fa, p), 2);
	PB_CHECK_EQ_U64(pb_frames_refcount(fa, p), 2);
	PB_CHECK_EQ_U64(pb_frames_put(fa, p), 1);
	PB_CHECK_EQ_U64(pb_frames_put(fa, p), 0);
	PB_CHECK_EQ_U64(pb_frames_put(fa, p), UINT32_MAX); /* underflow refused */
	PB_CHECK_EQ_U64(pb_frames_refcount(fa, p), 0);
	PB_CHECK_EQ_U64(pb_frames_get(fa, p), 1);
	pb_frames_set_dirty(fa, p);
	PB_CHECK(pb_frames_is_dirty(fa, p));
	PB_CHECK(pb_frames_test_clear_dirty(fa, p));
	PB_CHECK(!pb_frames_test_clear_dirty(fa, p));
	pb_frames_set_dirty(fa, p);
	pb_frames_clear_dirty(fa, p);
	PB_CHECK(!pb_frames_is_dirty(fa, p));
	pb_frames_set_swap(fa, p, 0);
	PB_CHECK_EQ_U64(pb_frames_get_swap(fa, p), 0);
	pb_frames_set_swap(fa, p, 123456789);
	PB_CHECK_EQ_U64(pb_frames_get_swap(fa, p), 123456789);

	/* Freed with a reference and a swap slot: the check says so. */
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK(pb_frames_check(fa, err, sizeof(err)) == -EINVAL);
	PB_CHECK(strstr(err, "metadata") != NULL);
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0); /* the same frame comes back */
	PB_CHECK_EQ_U64(pb_frames_put(fa, p), 0);
	pb_frames_set_swap(fa, p, PB_FRAMES_NO_SWAP);
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK_MSG(pb_frames_check(fa, err, sizeof(err)) == 0, "%s", err);
}

static void test_rmap(struct pb_frames *fa)
{
	pb_pfn_t p;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0);
	struct collect c = {0};
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_each(fa, p, collect_cb, &c), 0);
	PB_CHECK_EQ_U64(c.n, 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, p, 1, PB_VPN(1)), (uint64_t)-ENOENT);

	/* One mapping: inline. */
	PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, p, 7, PB_VPN(0x1234)), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, p, 7, PB_VPN(0x1234)), (uint64_t)-EEXIST);
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 1);
	/* A shared page: 20 mappings spill into the overflow list. */
	for (unsigned i = 1; i < 20; i++)
		PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, p, 100 + i, PB_VPN(0x1234 + i)), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, p, 105, PB_VPN(0x1234 + 5)), (uint64_t)-EEXIST);
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 20);
	memset(&c, 0, sizeof(c));
	PB_CHECK_EQ_U64(pb_frames_rmap_each(fa, p, collect_cb, &c), 0);
	PB_CHECK_EQ_U64(c.n, 20);
	int all = has(&c, 7, 0x1234) == 1;
	for (unsigned i = 1; i < 20; i++)
		all &= has(&c, 100 + i, 0x1234 + i) == 1;
	PB_CHECK(all);
	/* each stops at a non-zero callback result and returns it. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 3;
	PB_CHECK_EQ_U64(pb_frames_rmap_each(fa, p, collect_cb, &c), 42);
	PB_CHECK_EQ_U64(c.n, 3);

	/* Remove the inline one, a middle one and a wrong one. */
	PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, p, 7, PB_VPN(0x1234)), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, p, 7, PB_VPN(0x1234)), (uint64_t)-ENOENT);
	PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, p, 110, PB_VPN(0x1234 + 10)), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, p, 111, PB_VPN(0x1234 + 10)), (uint64_t)-ENOENT);
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 18);
	memset(&c, 0, sizeof(c));
	pb_frames_rmap_each(fa, p, collect_cb, &c);
	PB_CHECK_EQ_U64(c.n, 18);
	PB_CHECK_EQ_U64(has(&c, 7, 0x1234), 0);
	PB_CHECK_EQ_U64(has(&c, 110, 0x1234 + 10), 0);
	PB_CHECK_EQ_U64(has(&c, 119, 0x1234 + 19), 1);
	/* Remove the rest, in a different order than added. */
	for (unsigned i = 19; i >= 1; i--)
		if (i != 10)
			PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, p, 100 + i, PB_VPN(0x1234 + i)),
					0);
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 0);
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK_MSG(pb_frames_check(fa, err, sizeof(err)) == 0, "%s", err);

	/* meta_reset empties a frame with many mappings. */
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0);
	for (unsigned i = 0; i < 30; i++)
		PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, p, i, PB_VPN(i)), 0);
	pb_frames_get(fa, p);
	pb_frames_set_dirty(fa, p);
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK(pb_frames_check(fa, err, sizeof(err)) == -EINVAL);
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0);
	pb_frames_meta_reset(fa, p);
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 0);
	PB_CHECK_EQ_U64(pb_frames_refcount(fa, p), 0);
	PB_CHECK(!pb_frames_is_dirty(fa, p));
	/* The overflow nodes went back to the pool and are reused. */
	for (unsigned i = 0; i < 30; i++)
		PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, p, i, PB_VPN(i)), 0);
	pb_frames_meta_reset(fa, p);
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK_MSG(pb_frames_check(fa, err, sizeof(err)) == 0, "%s", err);
}

/* Threads map and unmap their own (asid, vpn)s of one shared frame while
 * taking and dropping references; at the end it is clean. */
#define MT_THREADS 4
#define MT_ROUNDS  2000
struct mt {
	struct pb_frames *fa;
	pb_pfn_t p;
	unsigned tid;
	int bad;
};

static void *mt_body(void *arg)
{
	struct mt *m = arg;
	for (unsigned r = 0; r < MT_ROUNDS; r++) {
		unsigned k = r % 9 + 1;
		pb_frames_get(m->fa, m->p);
		for (unsigned i = 0; i < k; i++)
			if (pb_frames_rmap_add(m->fa, m->p, m->tid, PB_VPN(i)))
				m->bad++;
		if (pb_frames_rmap_count(m->fa, m->p) < k)
			m->bad++;
		if (r & 1)
			pb_frames_set_dirty(m->fa, m->p);
		for (unsigned i = 0; i < k; i++)
			if (pb_frames_rmap_remove(m->fa, m->p, m->tid, PB_VPN(i)))
				m->bad++;
		pb_frames_put(m->fa, m->p);
	}
	return NULL;
}

static void test_rmap_concurrent(struct pb_frames *fa)
{
	struct mt m[MT_THREADS];
	pthread_t th[MT_THREADS];
	pb_pfn_t p;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, 0, &p), 0);
	for (unsigned i = 0; i < MT_THREADS; i++) {
		m[i] = (struct mt){.fa = fa, .p = p, .tid = i};
		pthread_create(&th[i], NULL, mt_body, &m[i]);
	}
	int bad = 0;
	for (unsigned i = 0; i < MT_THREADS; i++) {
		pthread_join(th[i], NULL);
		bad += m[i].bad;
	}
	PB_CHECK_EQ_U64(bad, 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_count(fa, p), 0);
	PB_CHECK_EQ_U64(pb_frames_refcount(fa, p), 0);
	PB_CHECK(pb_frames_test_clear_dirty(fa, p));
	PB_CHECK_EQ_U64(pb_frames_free(fa, p, 0), 0);
	PB_CHECK_MSG(pb_frames_check(fa, err, sizeof(err)) == 0, "%s", err);
}

int main(void)
{
	struct pb_frames_cfg cfg = {.nframes = 1 << 16, .nnodes = 1};
	struct pb_frames *fa;
	if (pb_frames_create(&cfg, &fa))
		return 1;
	test_ref_dirty_swap(fa);
	test_rmap(fa);
	test_rmap_concurrent(fa);
	/* Metadata of a huge frame lives at its first pfn. */
	pb_pfn_t h;
	PB_CHECK_EQ_U64(pb_frames_alloc(fa, 0, PB_HUGE_ORDER, &h), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_add(fa, h, 3, PB_VPN(512)), 0);
	PB_CHECK_EQ_U64(pb_frames_rmap_remove(fa, h, 3, PB_VPN(512)), 0);
	PB_CHECK_EQ_U64(pb_frames_free(fa, h, PB_HUGE_ORDER), 0);
	PB_CHECK_MSG(pb_frames_check(fa, err, sizeof(err)) == 0, "%s", err);
	pb_frames_destroy(fa);
	return pb_test_done();
}
