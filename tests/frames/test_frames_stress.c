/* SPDX-License-Identifier: MIT */
/*
 * tests/frames/test_frames_stress.c - many threads allocate and free 4 KiB
 * and 2 MiB frames through their caches on a small two-node allocator that
 * runs out of memory now and then, handing frames to each other through a
 * shared exchange (so most frees cross threads), while an ownership byte per
 * frame (atomic exchange) catches any frame handed out twice, or any huge
 * frame overlapping a small one, at the moment it happens.  At quiescent
 * points pb_frames_check must pass and the books must balance; at the end
 * every frame is back.  A last phase splits the threads into allocators and
 * freers (as reclaim frees what faults allocated), so frames go back to
 * their owners in remote batches.  Bounded iterations; run under
 * ThreadSanitizer in CI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/frames.h"
#include "pbtest.h"

#define NTHREADS 4
#define NAREAS	 24
#define NFRAMES	 (NAREAS * 512 - 77) /* a partial tail area too */
#define HELD_MAX 600
#define NSLOTS	 64
#ifndef STRESS_ITERS
#define STRESS_ITERS 200000
#endif

static struct pb_frames *fa;
static uint8_t own[NAREAS * 512];    /* atomic: 1 = handed out */
static uint64_t slots[NSLOTS];	     /* atomic: 0 or (pfn << 1 | huge) + 1 */
static uint64_t bad_owner, bad_free; /* atomic */

struct thr {
	unsigned tid;
	struct pb_frames_cache *c;
	struct pb_rng rng;
	uint64_t held[HELD_MAX]; /* pfn << 1 | huge */
	unsigned nheld;
	uint64_t allocs, enomem, crossed;
	pthread_t th;
};
static struct thr thr[NTHREADS];

static void take(uint64_t pfn, int huge)
{
	unsigned n = huge ? 512 : 1;
	for (unsigned i = 0; i < n; i++)
		if (pb_atomic_exchange(&own[pfn + i], 1, PB_ACQ_REL) != 0)
			pb_atomic_fetch_add(&bad_owner, 1, PB_RELAXED);
}

static void give(uint64_t pfn, int huge)
{
	unsigned n = huge ? 512 : 1;
	for (unsigned i = 0; i < n; i++)
		if (pb_atomic_exchange(&own[pfn + i], 0, PB_ACQ_REL) != 1)
			pb_atomic_fetch_add(&bad_owner, 1, PB_RELAXED);
}

static void release(struct thr *t, uint64_t v)
{
	uint64_t pfn = v >> 1;
	int huge = (int)(v & 1);
	give(pfn, huge);
	if (pb_frames_cache_free(t->c, PB_PFN(pfn), huge ? PB_HUGE_ORDER : 0))
		pb_atomic_fetch_add(&bad_free, 1, PB_RELAXED);
}

static void *body(void *arg)
{
	struct thr *t = arg;
	for (unsigned it = 0; it < STRESS_ITERS; it++) {
		uint64_t r = pb_rng_below(&t->rng, 100);
		if (r < 50 && t->nheld < HELD_MAX) {
			int huge = pb_rng_below(&t->rng, 64) == 0;
			pb_pfn_t p;
			int rc = pb_frames_cache_alloc(t->c, huge ? PB_HUGE_ORDER : 0, &p);
			if (rc) {
				if (rc != -ENOMEM)
					pb_atomic_fetch_add(&bad_free, 1, PB_RELAXED);
				t->enomem++;
				continue;
			}
			take(p.v, huge);
			t->held[t->nheld++] = p.v << 1 | (uint64_t)huge;
			t->allocs++;
		} else if (t->nheld) {
			unsigned j = (unsigned)pb_rng_below(&t->rng, t->nheld);
			uint64_t v = t->held[j];
			t->held[j] = t->held[--t->nheld];
			if (r < 85) {
				/* Cross: park it in a shared slot; free whatever
				 * another thread parked there. */
				unsigned s = (unsigned)pb_rng_below(&t->rng, NSLOTS);
				uint64_t old = pb_atomic_exchange(&slots[s], v + 1, PB_ACQ_REL);
				if (old) {
					release(t, old - 1);
					t->crossed++;
				}
			} else {
				release(t, v);
			}
		}
	}
	return NULL;
}

/* Reclaim-like: threads 0 and 1 (nodes 0 and 1) only allocate and park
 * frames in the slots, threads 2 and 3 (nodes 0 and 1) only take them and
 * free them, so the freers' caches overflow with frames the allocators'
 * caches claimed: those of the freer's node go back to their owners in
 * remote batches while the owners allocate. */
static unsigned producing; /* atomic: allocating threads still running */
static pthread_barrier_t pc_start;

static void *pc_body(void *arg)
{
	struct thr *t = arg;
	int prod = t->tid < NTHREADS / 2;
	pthread_barrier_wait(&pc_start);
	if (prod) {
		for (unsigned it = 0; it < STRESS_ITERS / 64; it++) {
			pb_pfn_t p;
			int rc = pb_frames_cache_alloc(t->c, 0, &p);
			if (rc) {
				if (rc != -ENOMEM)
					pb_atomic_fetch_add(&bad_free, 1, PB_RELAXED);
				t->enomem++;
				continue;
			}
			take(p.v, 0);
			t->allocs++;
			/* Park it in an empty slot, waiting for the freers. */
			for (;;) {
				uint64_t empty = 0;
				unsigned s = (unsigned)pb_rng_below(&t->rng, NSLOTS);
				if (pb_atomic_cas(&slots[s], &empty, (p.v << 1) + 1, PB_ACQ_REL,
						  PB_ACQUIRE))
					break;
				sched_yield();
			}
		}
		pb_atomic_fetch_sub(&producing, 1, PB_RELEASE);
		return NULL;
	}
	/* Freers run as long as the allocators do (bounded by their loops). */
	while (pb_atomic_load(&producing, PB_ACQUIRE) != 0) {
		unsigned s = (unsigned)pb_rng_below(&t->rng, NSLOTS);
		uint64_t old = pb_atomic_exchange(&slots[s], 0, PB_ACQ_REL);
		if (old) {
			release(t, old - 1);
			t->crossed++;
		}
	}
	return NULL;
}

static void *drain_body(void *arg)
{
	struct thr *t = arg;
	while (t->nheld)
		release(t, t->held[--t->nheld]);
	for (unsigned s = t->tid; s < NSLOTS; s += NTHREADS) {
		uint64_t old = pb_atomic_exchange(&slots[s], 0, PB_ACQ_REL);
		if (old)
			release(t, old - 1);
	}
	pb_frames_cache_destroy(t->c);
	t->c = NULL;
	return NULL;
}

static uint64_t held_frames(void)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < NTHREADS; i++)
		for (unsigned j = 0; j < thr[i].nheld; j++)
			n += (thr[i].held[j] & 1) ? 512 : 1;
	for (unsigned s = 0; s < NSLOTS; s++) {
		uint64_t v = pb_atomic_load(&slots[s], PB_ACQUIRE);
		if (v)
			n += ((v - 1) & 1) ? 512 : 1;
	}
	return n;
}

static void run_phase(void *(*fn)(void *))
{
	for (unsigned i = 0; i < NTHREADS; i++)
		pthread_create(&thr[i].th, NULL, fn, &thr[i]);
	for (unsigned i = 0; i < NTHREADS; i++)
		pthread_join(thr[i].th, NULL);
}

int main(void)
{
	struct pb_frames_cfg cfg = {
	    .nframes = NFRAMES, .nnodes = 2, .cache_cap = 64, .flags = PB_FRAMES_REMOTE};
	PB_CHECK_EQ_U64(pb_frames_create(&cfg, &fa), 0);
	if (!fa)
		return pb_test_done();
	for (unsigned i = 0; i < NTHREADS; i++) {
		thr[i].tid = i;
		thr[i].c = pb_frames_cache_create(fa, (int)(i % 2));
		PB_CHECK(thr[i].c != NULL);
		pb_rng_seed(&thr[i].rng, 1000 + i);
	}
	char err[256];
	for (int round = 0; round < 3; round++) {
		run_phase(body);
		/* Quiescent with frames held by threads, slots and caches. */
		int rc = pb_frames_check(fa, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "round %d: %s", round, err);
		struct pb_frames_stats st;
		pb_frames_stats(fa, -1, &st);
		PB_CHECK_EQ_U64(st.used, held_frames());
		PB_CHECK_EQ_U64(st.free + st.cached + st.used, NFRAMES);
	}
	producing = NTHREADS / 2;
	pthread_barrier_init(&pc_start, NULL, NTHREADS);
	run_phase(pc_body);
	pthread_barrier_destroy(&pc_start);
	int prc = pb_frames_check(fa, err, sizeof(err));
	PB_CHECK_MSG(prc == 0, "reclaim phase: %s", err);
	struct pb_frames_stats pst;
	pb_frames_stats(fa, -1, &pst);
	PB_CHECK_EQ_U64(pst.used, held_frames());
	PB_CHECK_EQ_U64(pst.free + pst.cached + pst.used, NFRAMES);
	uint64_t allocs = 0, enomem = 0, crossed = 0;
	for (unsigned i = 0; i < NTHREADS; i++) {
		allocs += thr[i].allocs;
		enomem += thr[i].enomem;
		crossed += thr[i].crossed;
	}
	run_phase(drain_body);
	PB_CHECK_EQ_U64(pb_atomic_load(&bad_owner, PB_RELAXED), 0);
	PB_CHECK_EQ_U64(pb_atomic_load(&bad_free, PB_RELAXED), 0);
	int rc = pb_frames_check(fa, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "final: %s", err);
	struct pb_frames_stats st;
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.free, NFRAMES);
	PB_CHECK_EQ_U64(st.used, 0);
	PB_CHECK_EQ_U64(st.huge_used, 0);
	/* The run must have exercised what it claims to. */
	PB_CHECK(crossed > 0);
	PB_CHECK(allocs > 0);
	PB_CHECK(st.remote_batches > 0); /* remote frees went back in batches */
	PB_CHECK_EQ_U64(st.remote, 0);
	printf("allocs %llu, enomem %llu, crossed frees %llu, remote batches %llu\n",
	       (unsigned long long)allocs, (unsigned long long)enomem, (unsigned long long)crossed,
	       (unsigned long long)st.remote_batches);
	pb_frames_destroy(fa);
	return pb_test_done();
}
