/* SPDX-License-Identifier: MIT */
/*
 * kernels/frames/bench.c - benchmark kernels of the frame allocator.
 *
 *  frames-alloc-free         alloc+free pairs through per-thread caches of
 *                            one shared pb_frames allocator.
 *  frames-baseline-freelist  the same loop over a thread-local array free
 *                            list (the floor: a push and a pop, no sharing).
 *
 * Both share one loop, specialised at compile time per backend:
 *   pattern=repeat  alloc a frame and free it at once (the hot path);
 *   pattern=random  bursts: allocate a random number of frames (up to
 *                   held=), then free a random number of randomly chosen
 *                   held frames, so caches refill and flush all the time;
 *   cross=P         P% of frees are handed to the next thread, in batches
 *                   of 64 published with one release store (below), and
 *                   freed there: frames migrate between threads as pages
 *                   do between the CPUs that fault them in and the CPUs
 *                   that reclaim them.  Of each burst of frees (32 for
 *                   repeat) the first P% cross, as a run;
 *   order=0|9       4 KiB or 2 MiB frames;
 *   remote=1        the allocator returns remote frees to their owner in
 *                   batches (PB_FRAMES_REMOTE);
 *   debug=1         the allocator checks every free (PB_FRAMES_DEBUG).
 * One op = one alloc + one free (counted when the frame is freed or handed
 * over).  The simulated memory is --size bytes (default: 1 GiB per thread).
 * verify() runs pb_frames_check, requires every frame back and every frame
 * handed over freed exactly once by its receiver (or by its sender, if its
 * batch was never published).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/frames.h"
#include "pagebench/kernel.h"

enum { FB_ALLOC = 0, FB_FREELIST = 1 };
enum { PAT_REPEAT = 0, PAT_RANDOM = 1 };

#define FB_DRAIN_EVERY 32u
/*
 * Cross frees travel in batches (cross=P): each thread fills a local batch
 * (its own lines) with the frames it hands over, copies a full one into the
 * next free slot of its neighbour's inbox (8 lines written back to back)
 * and publishes it with one release store of `pub`; the neighbour copies
 * every published batch out (their lines come in together), returns the
 * slots with one release store of `done` and frees the frames.  So the
 * hand-off costs two control-line transfers per batch instead of per frame,
 * and each frame's 8 bytes cross the cores once, in whole lines, as a
 * reclaimer hands an owner a batch of freed pages.
 */
#define FB_BATCH  64u /* frames per batch: 512 bytes, 8 whole cache lines */
#define FB_NBATCH 16u /* most batches per inbox */
#define FB_PAIR	  128 /* the adjacent-line prefetcher fetches 128-byte pairs */

/* Inbox of thread tid, filled by thread tid-1 (single producer, single
 * consumer).  pub and done sit 128 bytes apart, and apart from the slots. */
struct fb_inbox {
	PB_ALIGNED(FB_PAIR) uint64_t pub;  /* atomic: batches published (producer) */
	PB_ALIGNED(FB_PAIR) uint64_t done; /* atomic: batches freed (consumer) */
	PB_ALIGNED(FB_PAIR) uint64_t slot[FB_NBATCH][FB_BATCH];
};

struct fb_thr {
	struct pb_frames_cache *cache;
	struct pb_frames *fa; /* for path=global */
	int global, node;
	struct pb_rng rng;
	uint64_t *held;
	uint64_t nheld;
	uint64_t *fl; /* baseline free list */
	uint64_t fl_n, fl_cap;
	/* Producer side of the hand-off to the next thread (this thread only). */
	uint64_t out_pub;  /* batches published to next->in (== next->in.pub) */
	uint64_t out_done; /* last value of next->in.done read */
	uint64_t out_n;	   /* frames in out_local */
	PB_ALIGNED(FB_PAIR) uint64_t out_local[FB_BATCH]; /* the open batch */
	uint64_t in_local[FB_NBATCH * FB_BATCH];	  /* batches being freed */
	struct fb_inbox in;				  /* from the previous thread */
	size_t bytes;
};

struct fb {
	int backend;
	unsigned order, pattern, cross, n;
	int global; /* path=global: the cache-less pb_frames_alloc/free */
	uint64_t ops, held_max, nframes;
	uint64_t batch, nbatch; /* hand-off: frames per batch, batches per inbox */
	uint64_t in_flight;	/* most frames on their way to one thread */
	uint64_t seed;
	struct pb_frames *fa;
	int *node;
	struct fb_thr **thr;
	uint64_t bad; /* atomic: frees the allocator refused (must stay 0) */
	/* atomic: frames put in a batch / freed out of one, all threads. */
	uint64_t sent, freed;
};

/* --param: one table for both kernels. */
struct fb_params {
	unsigned pattern, order, path;
	uint64_t cross, held, remote, debug;
};

static const char *const pattern_names[] = {"repeat", "random", NULL}; /* PAT_* order */
static const char *const order_names[] = {"0", "9", NULL};	       /* 4 KiB, 2 MiB */
static const char *const path_names[] = {"cache", "global", NULL};
#define P(f) offsetof(struct fb_params, f)
static const struct pb_param fb_params[] = {
    {"pattern", PB_PT_ENUM, P(pattern), "random",
     "random (bursts of allocs, frees of random held frames) | repeat (alloc, free at once)",
     pattern_names, 0, 0, 0, 0, NULL},
    {"order", PB_PT_ENUM, P(order), "0", "0 (4 KiB frames) | 9 (2 MiB frames)", order_names, 0, 0,
     0, 0, NULL},
    {"cross", PB_PT_U64, P(cross), "0",
     "percent of frees handed to the next thread and freed there", NULL, 0, 100, 0, 0, NULL},
    {"held", PB_PT_U64, P(held), NULL,
     "most frames a thread holds, pattern=random (unset: 1024, order 9: 16)", NULL, 1, 1 << 24, 0,
     0, NULL},
    {"remote", PB_PT_U64, P(remote), "0",
     "1: remote frees go back to the owning cache in batches (PB_FRAMES_REMOTE)", NULL, 0, 1, 0, 0,
     NULL},
    {"debug", PB_PT_U64, P(debug), "0",
     "1: the allocator checks every free at the call (PB_FRAMES_DEBUG; slower)", NULL, 0, 1, 0, 0,
     NULL},
    {"path", PB_PT_ENUM, P(path), "cache",
     "cache (per-thread caches) | global (cache-less pb_frames_alloc/free)", path_names, 0, 0, 0, 0,
     NULL},
    {0},
};
#undef P

static void fb_teardown(void *state);

static int fb_setup_common(const struct pb_kernel_cfg *cfg, void **state, int backend)
{
	struct fb *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->backend = backend;
	s->n = cfg->nthreads;
	s->seed = cfg->seed;
	struct fb_params fp;
	int rc = pb_param_defaults(fb_params, &fp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(fb_params, &fp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (rc) {
		free(s);
		return rc;
	}
	s->pattern = fp.pattern;
	s->order = fp.order ? PB_HUGE_ORDER : 0;
	s->cross = (unsigned)fp.cross;
	s->held_max = fp.held;
	s->global = fp.path == 1;
	const char *held_why = "held=";
	if (!s->held_max) {
		s->held_max = s->order ? 16 : 1024;
		held_why = s->order ? "unset: the default for order 9 (2 MiB frames)"
				    : "unset: the default for order 0 (4 KiB frames)";
	}
	s->ops = cfg->ops ? cfg->ops : (s->order ? 1000000 : 5000000);
	uint64_t bytes = cfg->size ? cfg->size : (uint64_t)s->n << 30;
	s->nframes = bytes >> PB_PAGE_SHIFT;
	uint64_t per = s->order ? PB_FRAMES_AREA_FRAMES : 1;
	/* At most a held set in flight to a thread, as many whole batches
	 * as fit besides the open one: 64 x (15 + 1) at the default held=1024. */
	s->batch = s->held_max / 2 < FB_BATCH ? s->held_max / 2 : FB_BATCH;
	if (!s->batch)
		s->batch = 1;
	s->nbatch = s->held_max / s->batch - 1;
	if (s->nbatch > FB_NBATCH)
		s->nbatch = FB_NBATCH;
	if (!s->nbatch)
		s->nbatch = 1;
	s->in_flight = (s->nbatch + 1) * s->batch;
	/* Room for every thread's held set, frames in flight to it and cache. */
	uint64_t need =
	    (uint64_t)s->n * ((s->held_max + s->in_flight) * per + 2 * PB_FRAMES_AREA_FRAMES);
	unsigned nnodes = cfg->nnodes ? cfg->nnodes : 1;
	if (s->nframes < need || s->nframes / PB_FRAMES_AREA_FRAMES < nnodes) {
		snprintf(cfg->err, cfg->errlen,
			 "--size %llu bytes is too small: need at least %llu",
			 (unsigned long long)bytes, (unsigned long long)(need << PB_PAGE_SHIFT));
		free(s);
		return -EINVAL;
	}
	if (cfg->resolved) /* the held set this run used, and from what */
		json_object_set_new(
		    cfg->resolved, "held",
		    json_pack("{s:I, s:s}", "value", (json_int_t)s->held_max, "why", held_why));
	s->node = calloc(s->n, sizeof(int));
	s->thr = calloc(s->n, sizeof(*s->thr));
	if (!s->node || !s->thr) {
		fb_teardown(s);
		return -ENOMEM;
	}
	for (unsigned t = 0; t < s->n; t++) {
		int nd = cfg->thread_node ? cfg->thread_node[t] : 0;
		s->node[t] = (nd < 0 || (unsigned)nd >= nnodes) ? 0 : nd;
	}
	if (backend == FB_ALLOC) {
		struct pb_frames_cfg fc = {.nframes = s->nframes,
					   .nnodes = nnodes,
					   .flags = (fp.remote ? PB_FRAMES_REMOTE : 0) |
						    (fp.debug ? PB_FRAMES_DEBUG : 0)};
		rc = pb_frames_create(&fc, &s->fa);
		if (rc) {
			snprintf(cfg->err, cfg->errlen, "pb_frames_create: %s", strerror(-rc));
			fb_teardown(s);
			return rc;
		}
	}
	*state = s;
	return 0;
}

static int fb_setup_alloc(const struct pb_kernel_cfg *cfg, void **state)
{
	return fb_setup_common(cfg, state, FB_ALLOC);
}

static int fb_setup_freelist(const struct pb_kernel_cfg *cfg, void **state)
{
	return fb_setup_common(cfg, state, FB_FREELIST);
}

static int fb_thread_init(void *state, struct pb_kthread *t)
{
	struct fb *s = state;
	size_t bytes = sizeof(struct fb_thr);
	struct fb_thr *th = pb_map(bytes, 1);
	if (!th)
		return -ENOMEM;
	th->bytes = bytes;
	pb_rng_seed(&th->rng, s->seed * 0x9e3779b97f4a7c15ULL + t->tid + 1);
	th->held = pb_map(s->held_max * sizeof(uint64_t), 1);
	if (!th->held)
		return -ENOMEM;
	int node = t->node >= 0 ? t->node : s->node[t->tid];
	if (s->backend == FB_ALLOC) {
		th->node = node < (int)pb_frames_nnodes(s->fa) ? node : 0;
		th->fa = s->fa;
		th->global = s->global;
		th->cache = pb_frames_cache_create(s->fa, th->node);
		if (!th->cache)
			return -ENOMEM;
	} else {
		/* The thread's share of the frames, in its own list. */
		uint64_t per = s->order ? PB_FRAMES_AREA_FRAMES : 1;
		uint64_t share = s->nframes / per / s->n;
		th->fl = pb_map(share * sizeof(uint64_t), 1);
		if (!th->fl)
			return -ENOMEM;
		for (uint64_t i = 0; i < share; i++)
			th->fl[i] = (t->tid * share + share - 1 - i) * per;
		th->fl_n = th->fl_cap = share;
	}
	s->thr[t->tid] = th;
	return 0;
}

/* ---- the two backends, as inline functions the loop is specialised on ---- */

static inline int be_alloc(int backend, struct fb_thr *th, unsigned order, uint64_t *pfn)
{
	if (backend == FB_FREELIST) {
		/* The floor never runs dry: frames are only identities here
		 * (cross frees can move a thread's whole list to its
		 * neighbour), so an empty list is simply refilled. */
		if (pb_unlikely(!th->fl_n))
			th->fl_n = th->fl_cap;
		*pfn = th->fl[--th->fl_n];
		return 0;
	}
	pb_pfn_t p;
	int rc = th->global ? pb_frames_alloc(th->fa, th->node, order, &p)
			    : pb_frames_cache_alloc(th->cache, order, &p);
	*pfn = p.v;
	return rc;
}

static inline void be_free(int backend, struct fb_thr *th, unsigned order, uint64_t pfn,
			   uint64_t *bad)
{
	if (backend == FB_FREELIST) {
		if (pb_likely(th->fl_n < th->fl_cap))
			th->fl[th->fl_n++] = pfn;
		return;
	}
	int rc = th->global ? pb_frames_free(th->fa, PB_PFN(pfn), order)
			    : pb_frames_cache_free(th->cache, PB_PFN(pfn), order);
	if (pb_unlikely(rc))
		(*bad)++;
}

/* Hand a frame to the next thread: into the open batch of its inbox, or a
 * new one if fewer than nbatch are published and not yet freed.  0 if
 * none is free (the caller frees the frame itself). */
static inline int hand_off(const struct fb *s, struct fb_thr *th, struct fb_thr *to, uint64_t pfn)
{
	struct fb_inbox *in = &to->in;
	if (pb_unlikely(!th->out_n) && th->out_pub - th->out_done >= s->nbatch) {
		/* Acquire: the receiver's reads of the slots it returned
		 * happen before our stores into them. */
		th->out_done = pb_atomic_load(&in->done, PB_ACQUIRE);
		if (th->out_pub - th->out_done >= s->nbatch)
			return 0;
	}
	th->out_local[th->out_n++] = pfn;
	if (pb_unlikely(th->out_n == s->batch)) {
		uint64_t *d = in->slot[th->out_pub % s->nbatch];
		memcpy(d, th->out_local, s->batch * sizeof(uint64_t));
		/* Release: the batch's frames are written before it is seen. */
		pb_atomic_store(&in->pub, ++th->out_pub, PB_RELEASE);
		th->out_n = 0;
	}
	return 1;
}

/* Free every batch published to th.  Returns how many frames. */
static inline uint64_t inbox_drain(int backend, const struct fb *s, struct fb_thr *th,
				   uint64_t *bad)
{
	struct fb_inbox *in = &th->in;
	uint64_t done = pb_atomic_load(&in->done, PB_RELAXED); /* only we write it */
	uint64_t pub = pb_atomic_load(&in->pub, PB_ACQUIRE);
	if (done == pub)
		return 0;
	/* Copy the batches out first (their lines come in together), give
	 * the slots back, then free. */
	uint64_t n = 0;
	for (uint64_t i = done; i < pub; i++, n += s->batch)
		memcpy(th->in_local + n, in->slot[i % s->nbatch], s->batch * sizeof(uint64_t));
	pb_atomic_store(&in->done, pub, PB_RELEASE);
	for (uint64_t j = 0; j < n; j++)
		be_free(backend, th, s->order, th->in_local[j], bad);
	return n;
}

/* Free one held frame: through the next thread if *k > i (and there is
 * room on the way: else *k drops to i, and the rest of the run is freed
 * here, without asking again), else here. */
static inline void free_one(int backend, struct fb *s, struct fb_thr *th, struct fb_thr *next,
			    uint64_t i, uint64_t *k, uint64_t pfn, uint64_t *bad, uint64_t *sent)
{
	if (i < *k) {
		if (pb_likely(hand_off(s, th, next, pfn))) {
			(*sent)++;
			return;
		}
		*k = i;
	}
	be_free(backend, th, s->order, pfn, bad);
}

/*
 * How many of the next n frees cross (0 without a neighbour): n * cross%,
 * rounded up or down at random so that the mean is exact.  The crossing
 * frees come first, as a run: a thread frees a batch of frames that belong
 * elsewhere, as a reclaimer does, instead of flipping a coin per frame
 * (that coin, a branch mispredicted every other free, cost more than the
 * hand-off itself: docs/frames.md).
 */
static inline uint64_t cross_count(const struct fb *s, struct fb_thr *th, const struct fb_thr *next,
				   uint64_t n)
{
	if (!s->cross || !next)
		return 0;
	return (n * s->cross + pb_rng_below(&th->rng, 100)) / 100;
}

static inline uint64_t fb_loop(int backend, struct fb *s, struct pb_kthread *t)
{
	struct fb_thr *th = s->thr[t->tid];
	struct fb_thr *next = s->n > 1 ? s->thr[(t->tid + 1) % s->n] : NULL;
	const unsigned order = s->order;
	uint64_t ops = 0, enomem = 0, bad = 0, sent = 0, recv = 0;

	if (s->pattern == PAT_REPEAT) {
		while (ops < s->ops) {
			uint64_t k = cross_count(s, th, next, FB_DRAIN_EVERY);
			for (unsigned i = 0; i < FB_DRAIN_EVERY && ops < s->ops; i++) {
				uint64_t pfn;
				if (pb_unlikely(be_alloc(backend, th, order, &pfn))) {
					enomem++;
					break;
				}
				free_one(backend, s, th, next, i, &k, pfn, &bad, &sent);
				ops++;
			}
			if (next)
				recv += inbox_drain(backend, s, th, &bad);
			if (pb_unlikely(enomem > s->ops))
				break; /* starved: stop rather than spin */
		}
	} else {
		const uint64_t hmax = s->held_max;
		while (ops < s->ops) {
			uint64_t b = 1 + pb_rng_below(&th->rng, hmax);
			if (b > hmax - th->nheld)
				b = hmax - th->nheld;
			for (uint64_t i = 0; i < b; i++) {
				uint64_t pfn;
				if (pb_unlikely(be_alloc(backend, th, order, &pfn))) {
					enomem++;
					break;
				}
				th->held[th->nheld++] = pfn;
			}
			uint64_t f = th->nheld ? 1 + pb_rng_below(&th->rng, th->nheld) : 0;
			uint64_t k = cross_count(s, th, next, f);
			for (uint64_t i = 0; i < f && ops < s->ops; i++) {
				uint64_t j = pb_rng_below(&th->rng, th->nheld);
				uint64_t pfn = th->held[j];
				th->held[j] = th->held[--th->nheld];
				free_one(backend, s, th, next, i, &k, pfn, &bad, &sent);
				ops++;
			}
			if (next)
				recv += inbox_drain(backend, s, th, &bad);
			if (pb_unlikely(enomem > s->ops))
				break;
		}
	}
	t->extra[0] = enomem;
	t->extra[1] = sent;
	t->extra[2] = recv;
	t->extra[3] = bad;
	if (pb_unlikely(bad))
		pb_atomic_fetch_add(&s->bad, bad, PB_RELAXED);
	if (sent | recv) {
		pb_atomic_fetch_add(&s->sent, sent, PB_RELAXED);
		pb_atomic_fetch_add(&s->freed, recv, PB_RELAXED);
	}
	return ops;
}

static uint64_t fb_run_alloc(void *state, struct pb_kthread *t)
{
	return fb_loop(FB_ALLOC, state, t);
}

static uint64_t fb_run_freelist(void *state, struct pb_kthread *t)
{
	return fb_loop(FB_FREELIST, state, t);
}

/* After all repetitions (the whole team has stopped running): give every
 * frame back, then drop the cache. */
static void fb_thread_fini(void *state, struct pb_kthread *t)
{
	struct fb *s = state;
	struct fb_thr *th = s->thr[t->tid];
	if (!th)
		return;
	uint64_t bad = 0;
	while (th->nheld)
		be_free(s->backend, th, s->order, th->held[--th->nheld], &bad);
	/* The open batch is still ours (never published): free it here. */
	for (uint64_t j = 0; j < th->out_n; j++)
		be_free(s->backend, th, s->order, th->out_local[j], &bad);
	uint64_t got = inbox_drain(s->backend, s, th, &bad);
	pb_atomic_fetch_add(&s->freed, got + th->out_n, PB_RELAXED);
	th->out_n = 0;
	if (bad)
		pb_atomic_fetch_add(&s->bad, bad, PB_RELAXED);
	if (th->cache) {
		pb_frames_cache_destroy(th->cache);
		th->cache = NULL;
	}
}

static int fb_verify(void *state, char *err, size_t errlen)
{
	struct fb *s = state;
	if (s->backend != FB_ALLOC)
		return 0;
	/* A thread may push into its neighbour's inbox after the neighbour's
	 * thread_fini drained it (the team has no barrier after the last
	 * repetition): free those through the cache-less path, now that
	 * every thread has left. */
	for (unsigned t = 0; s->thr && t < s->n; t++) {
		struct fb_inbox *in = s->thr[t] ? &s->thr[t]->in : NULL;
		uint64_t done = in ? pb_atomic_load(&in->done, PB_RELAXED) : 0;
		uint64_t pub = in ? pb_atomic_load(&in->pub, PB_ACQUIRE) : 0;
		for (uint64_t i = done; i < pub; i++)
			for (uint64_t j = 0; j < s->batch; j++)
				if (pb_frames_free(s->fa, PB_PFN(in->slot[i % s->nbatch][j]),
						   s->order))
					pb_atomic_fetch_add(&s->bad, 1, PB_RELAXED);
		if (in) {
			pb_atomic_store(&in->done, pub, PB_RELAXED);
			pb_atomic_fetch_add(&s->freed, (pub - done) * s->batch, PB_RELAXED);
		}
	}
	/* Every frame handed over was freed once, by its receiver (or, from
	 * a batch never published, by its sender). */
	uint64_t sent = pb_atomic_load(&s->sent, PB_RELAXED),
		 freed = pb_atomic_load(&s->freed, PB_RELAXED);
	if (sent != freed) {
		snprintf(err, errlen, "%llu frames handed to another thread but %llu freed there",
			 (unsigned long long)sent, (unsigned long long)freed);
		return -EINVAL;
	}
	uint64_t bad = pb_atomic_load(&s->bad, PB_RELAXED);
	if (bad) {
		snprintf(err, errlen, "the allocator refused %llu frees of frames it handed out",
			 (unsigned long long)bad);
		return -EINVAL;
	}
	int rc = pb_frames_check(s->fa, err, errlen);
	if (rc)
		return rc;
	struct pb_frames_stats st;
	pb_frames_stats(s->fa, -1, &st);
	if (st.used || st.cached || st.free != st.total) {
		snprintf(err, errlen,
			 "after the run %llu frames still used, %llu cached, %llu of %llu free",
			 (unsigned long long)st.used, (unsigned long long)st.cached,
			 (unsigned long long)st.free, (unsigned long long)st.total);
		return -EINVAL;
	}
	return 0;
}

static void fb_teardown(void *state)
{
	struct fb *s = state;
	if (!s)
		return;
	for (unsigned t = 0; s->thr && t < s->n; t++) {
		struct fb_thr *th = s->thr[t];
		if (!th)
			continue;
		pb_unmap(th->held, s->held_max * sizeof(uint64_t));
		if (th->fl)
			pb_unmap(th->fl, th->fl_cap * sizeof(uint64_t));
		pb_unmap(th, th->bytes);
	}
	pb_frames_destroy(s->fa); /* also drops caches of threads that failed */
	free(s->thr);
	free(s->node);
	free(s);
}

static const char *const fb_extra[] = {"enomem", "cross_sent", "cross_freed", "bad_frees", NULL};

static const struct pb_kernel_desc k_alloc_free = {
    .name = "frames-alloc-free",
    .module = "frames",
    .summary = "lock-free frame allocator: alloc+free through per-thread caches (4 KiB / 2 MiB, "
	       "cross-thread frees)",
    .params = fb_params,
    .params_size = sizeof(struct fb_params),
    .op_unit = "alloc+free pair",
    .baseline = "frames-baseline-freelist",
    .extra_cols = fb_extra,
    .setup = fb_setup_alloc,
    .thread_init = fb_thread_init,
    .run = fb_run_alloc,
    .verify = fb_verify,
    .thread_fini = fb_thread_fini,
    .teardown = fb_teardown,
};

static const struct pb_kernel_desc k_baseline = {
    .name = "frames-baseline-freelist",
    .module = "frames",
    .summary = "floor for frames-alloc-free: the same loop over a thread-local array free list",
    .params = fb_params,
    .params_size = sizeof(struct fb_params),
    .op_unit = "alloc+free pair",
    .extra_cols = fb_extra,
    .setup = fb_setup_freelist,
    .thread_init = fb_thread_init,
    .run = fb_run_freelist,
    .thread_fini = fb_thread_fini,
    .teardown = fb_teardown,
};

const struct pb_kernel_desc *const pb_kernels_frames[] = {&k_alloc_free, &k_baseline, NULL};
