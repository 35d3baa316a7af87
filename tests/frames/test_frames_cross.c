/* SPDX-License-Identifier: MIT */
/*
 * tests/frames/test_frames_cross.c - alloc/free conservation with cross
 * traffic at 2, 3 and 4 threads, with and without remote-free batching
 * (PB_FRAMES_REMOTE), on one and two nodes.  Each thread allocates through
 * its cache and frees half of what it frees through its neighbour: it fills
 * a batch of the neighbour's inbox and publishes it with one release store,
 * the neighbour frees the batch (the hand-off frames-alloc-free measures).
 * An ownership byte per frame (atomic exchange) catches a frame handed out
 * twice at the moment it happens.  At a quiescent point in the middle the
 * allocator's books must equal what the threads hold (held sets, open and
 * published batches); at the end every frame is back, allocations equal
 * frees, and every frame sent was received once.  Small caches (cap 32)
 * make them refill and flush all the time.  Bounded iterations; the TSan
 * stage runs it (label stress).
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

#define MAXT	 4
#define NFRAMES	 (12 * 512 - 33) /* a partial tail area too */
#define HELD_MAX 160
#define BATCH	 16 /* frames per hand-off batch */
#define NBATCH	 4  /* batches per inbox */
#ifndef CROSS_ITERS
#define CROSS_ITERS 100000
#endif

struct inbox {
	PB_ALIGNED(PB_CACHELINE) uint64_t pub;	/* atomic: batches published (sender) */
	PB_ALIGNED(PB_CACHELINE) uint64_t done; /* atomic: batches freed (receiver) */
	uint64_t slot[NBATCH][BATCH];
};

struct thr {
	unsigned tid, n;
	struct pb_frames_cache *c;
	struct pb_rng rng;
	uint64_t held[HELD_MAX];
	unsigned nheld;
	uint64_t out_pub, out_done, out_n; /* sending side, to thread tid+1 */
	struct inbox in;		   /* from thread tid-1 */
	uint64_t allocs, frees, sent, recvd, enomem;
	pthread_t th;
};

static struct pb_frames *fa;
static struct thr thr[MAXT];
static uint8_t own[12 * 512];	     /* atomic: 1 = handed out */
static uint64_t bad_owner, bad_free; /* atomic */
static pthread_barrier_t mid, resume;

static void take(uint64_t pfn)
{
	if (pfn >= NFRAMES || pb_atomic_exchange(&own[pfn], 1, PB_ACQ_REL) != 0)
		pb_atomic_fetch_add(&bad_owner, 1, PB_RELAXED);
}

static void release(struct thr *t, uint64_t pfn)
{
	if (pb_atomic_exchange(&own[pfn], 0, PB_ACQ_REL) != 1)
		pb_atomic_fetch_add(&bad_owner, 1, PB_RELAXED);
	if (pb_frames_cache_free(t->c, PB_PFN(pfn), 0))
		pb_atomic_fetch_add(&bad_free, 1, PB_RELAXED);
	t->frees++;
}

static void drain(struct thr *t);

/* Into the neighbour's open batch; 0 if its inbox is full. */
static int try_send(struct thr *t, uint64_t pfn)
{
	struct inbox *in = &thr[(t->tid + 1) % t->n].in;
	if (!t->out_n && t->out_pub - t->out_done >= NBATCH) {
		t->out_done = pb_atomic_load(&in->done, PB_ACQUIRE);
		if (t->out_pub - t->out_done >= NBATCH)
			return 0;
	}
	in->slot[t->out_pub % NBATCH][t->out_n++] = pfn;
	if (t->out_n == BATCH) {
		pb_atomic_store(&in->pub, ++t->out_pub, PB_RELEASE);
		t->out_n = 0;
	}
	t->sent++;
	return 1;
}

static void drain(struct thr *t)
{
	uint64_t done = pb_atomic_load(&t->in.done, PB_RELAXED);
	uint64_t pub = pb_atomic_load(&t->in.pub, PB_ACQUIRE);
	for (uint64_t b = done; b < pub; b++)
		for (unsigned j = 0; j < BATCH; j++) {
			release(t, t->in.slot[b % NBATCH][j]);
			t->recvd++;
		}
	pb_atomic_store(&t->in.done, pub, PB_RELEASE);
}

/* Hand a frame over, waiting (and freeing what was sent to us meanwhile,
 * so that a ring of full inboxes cannot deadlock) while the neighbour's
 * inbox is full. */
static void send(struct thr *t, uint64_t pfn)
{
	while (!try_send(t, pfn)) {
		drain(t);
		sched_yield();
	}
}

/* One frame into t's held set (an allocation failure other than -ENOMEM
 * is a bad free: the allocator refused what it must do). */
static void alloc_one(struct thr *t)
{
	pb_pfn_t p;
	int rc = pb_frames_cache_alloc(t->c, 0, &p);
	if (rc == 0) {
		take(p.v);
		t->held[t->nheld++] = p.v;
		t->allocs++;
		return;
	}
	t->enomem++;
	if (rc != -ENOMEM)
		pb_atomic_fetch_add(&bad_free, 1, PB_RELAXED);
}

static unsigned running; /* atomic: threads still in their loop */
static pthread_barrier_t start;

static void *body(void *arg)
{
	struct thr *t = arg;
	pthread_barrier_wait(&start);
	for (unsigned it = 0; it < CROSS_ITERS; it++) {
		if (pb_rng_below(&t->rng, 2) == 0 && t->nheld < HELD_MAX) {
			alloc_one(t);
		} else if (t->nheld) {
			unsigned j = (unsigned)pb_rng_below(&t->rng, t->nheld);
			uint64_t pfn = t->held[j];
			t->held[j] = t->held[--t->nheld];
			if (pb_rng_below(&t->rng, 2) == 0)
				send(t, pfn);
			else
				release(t, pfn);
		}
		if (it % 8 == 7)
			drain(t);
	}
	/* Keep freeing what others send until every thread is done. */
	pb_atomic_fetch_sub(&running, 1u, PB_RELEASE);
	while (pb_atomic_load(&running, PB_ACQUIRE)) {
		drain(t);
		sched_yield();
	}
	/* Quiescent point: the main thread checks the books. */
	pthread_barrier_wait(&mid);
	pthread_barrier_wait(&resume);
	/* Everything back: held frames, the open batch (never published:
	 * still ours), then, once every sender is done, the inbox. */
	while (t->nheld)
		release(t, t->held[--t->nheld]);
	struct inbox *out = &thr[(t->tid + 1) % t->n].in;
	for (uint64_t j = 0; j < t->out_n; j++) {
		release(t, out->slot[t->out_pub % NBATCH][j]);
		t->recvd++; /* sent, and freed by its sender */
	}
	t->out_n = 0;
	pthread_barrier_wait(&mid);
	drain(t);
	pb_frames_cache_destroy(t->c);
	t->c = NULL;
	return NULL;
}

/* Frames the threads hold at the quiescent point: held sets, the frames in
 * open batches and in published batches not yet freed. */
static uint64_t frames_out(unsigned n)
{
	uint64_t k = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct thr *t = &thr[i];
		k += t->nheld + t->out_n;
		const struct inbox *in = &thr[(i + 1) % n].in;
		k +=
		    (pb_atomic_load(&in->pub, PB_ACQUIRE) - pb_atomic_load(&in->done, PB_ACQUIRE)) *
		    BATCH;
	}
	return k;
}

static void run(unsigned n, unsigned nnodes, unsigned flags)
{
	char err[256];
	struct pb_frames_cfg cfg = {
	    .nframes = NFRAMES, .nnodes = nnodes, .cache_cap = 32, .flags = flags};
	PB_CHECK_EQ_U64(pb_frames_create(&cfg, &fa), 0);
	if (!fa)
		return;
	memset(thr, 0, sizeof(thr));
	memset(own, 0, sizeof(own));
	pthread_barrier_init(&mid, NULL, n + 1);
	pthread_barrier_init(&start, NULL, n);
	running = n;
	pthread_barrier_init(&resume, NULL, n + 1);
	for (unsigned i = 0; i < n; i++) {
		thr[i].tid = i;
		thr[i].n = n;
		thr[i].c = pb_frames_cache_create(fa, (int)(i % nnodes));
		PB_CHECK(thr[i].c != NULL);
		pb_rng_seed(&thr[i].rng, 77 + i * 1000 + n * 10 + flags);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_create(&thr[i].th, NULL, body, &thr[i]);

	pthread_barrier_wait(&mid);
	int rc = pb_frames_check(fa, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%u threads, %u nodes, flags %#x: mid-run: %s", n, nnodes, flags,
		     err);
	struct pb_frames_stats st;
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.used, frames_out(n));
	PB_CHECK_EQ_U64(st.free + st.cached + st.used, NFRAMES);
	pthread_barrier_wait(&resume);
	pthread_barrier_wait(&mid);
	for (unsigned i = 0; i < n; i++)
		pthread_join(thr[i].th, NULL);

	uint64_t allocs = 0, frees = 0, sent = 0, recvd = 0, enomem = 0;
	for (unsigned i = 0; i < n; i++) {
		allocs += thr[i].allocs;
		frees += thr[i].frees;
		sent += thr[i].sent;
		recvd += thr[i].recvd;
		enomem += thr[i].enomem;
	}
	PB_CHECK_EQ_U64(pb_atomic_load(&bad_owner, PB_RELAXED), 0);
	PB_CHECK_EQ_U64(pb_atomic_load(&bad_free, PB_RELAXED), 0);
	PB_CHECK_EQ_U64(allocs, frees);
	PB_CHECK_EQ_U64(sent, recvd);
	/* Half the frees cross (a hand-off waits for room): a quarter of the
	 * allocations at least, minus the frames held at the end. */
	PB_CHECK_MSG(sent >= allocs / 4 - n * HELD_MAX, "%u threads: %llu of %llu frames crossed",
		     n, (unsigned long long)sent, (unsigned long long)allocs);
	rc = pb_frames_check(fa, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%u threads, %u nodes, flags %#x: final: %s", n, nnodes, flags, err);
	pb_frames_stats(fa, -1, &st);
	PB_CHECK_EQ_U64(st.free, NFRAMES);
	PB_CHECK_EQ_U64(st.used, 0);
	PB_CHECK_EQ_U64(st.cached, 0);
	printf("%u threads, %u node(s), flags %#x: allocs %llu, crossed %llu, enomem %llu, remote "
	       "batches %llu\n",
	       n, nnodes, flags, (unsigned long long)allocs, (unsigned long long)sent,
	       (unsigned long long)enomem, (unsigned long long)st.remote_batches);
	pthread_barrier_destroy(&mid);
	pthread_barrier_destroy(&resume);
	pthread_barrier_destroy(&start);
	pb_frames_destroy(fa);
	fa = NULL;
}

int main(void)
{
	for (unsigned n = 2; n <= MAXT; n++)
		for (unsigned remote = 0; remote < 2; remote++)
			run(n, 1, remote ? PB_FRAMES_REMOTE : 0);
	/* Two nodes: neighbours are on different nodes, so crossing frames
	 * leave the receiver's cache for the global structure at once. */
	run(2, 2, 0);
	run(4, 2, PB_FRAMES_REMOTE);
	/* With PB_FRAMES_DEBUG every cache free is checked at the call. */
	run(3, 1, PB_FRAMES_DEBUG | PB_FRAMES_REMOTE);
	return pb_test_done();
}
