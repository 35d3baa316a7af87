/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/epoch.c - epoch-based reclamation, one process-wide domain.
 *
 * How it works (Fraser, "Practical lock-freedom", 2004; the same scheme as
 * crossbeam-epoch):
 *
 *   - A global epoch E (a 64-bit counter; it never wraps in practice).
 *   - Each thread owns a record whose state word is (epoch << 1) | ACTIVE
 *     while it is inside a section, 0 outside.  The outermost enter
 *     publishes E with one seq_cst exchange (a full barrier, so the
 *     section's loads cannot be reordered before the announcement); exit is
 *     a release store of 0.  Nested sections only count.
 *   - E may advance from e to e + 1 once every active record announces e.
 *     Hence while a thread stays in a section that began in epoch e, E can
 *     reach at most e + 1.
 *   - An object is retired after it was unlinked, tagged with E read after
 *     a full fence.  A thread that can still reach it entered no later than
 *     the retire, so it announced tag or earlier; once E >= tag + 2 it has
 *     left that section, and the callback may run.
 *   - Retired entries go onto one global list with a lock-free push
 *     (retirers never wait).  Whoever reclaims takes the list with an
 *     exchange under a try-lock flag (one reclaimer at a time, the others
 *     return at once), runs the expired callbacks and pushes the rest back.
 *     The try-lock is what lets pb_epoch_barrier promise "every callback
 *     retired before me has run" without tracking entries individually.
 *
 * Why one domain: page tables, the frame allocator and the engine can all
 * share one set of per-thread records, and a thread that works on several
 * tables pays one announcement for all of them.
 *
 * Ordering for ThreadSanitizer and for the proof: a reclaimer reads each
 * record with acquire; reading an exit (release) or a later enter
 * (seq_cst RMW) makes the reader's earlier section happen-before the
 * advance, and the advance (CAS, acq_rel) happens-before the callback.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/epoch.h"

#define EP_ACTIVE	 1ULL
#define EP_RECLAIM_EVERY 64u

struct ep_rec {
	uint64_t state; /* atomic: epoch << 1 | ACTIVE, or 0 */
	int used;	/* atomic: slot claimed */
	unsigned nest;	/* owner only */
	unsigned nretire;
} PB_ALIGNED(PB_CACHELINE);

static struct ep_rec ep_recs[PB_EPOCH_MAX_THREADS];
static PB_ALIGNED(PB_CACHELINE) uint64_t ep_epoch = 2;		/* atomic */
static PB_ALIGNED(PB_CACHELINE) struct pb_epoch_entry *ep_list; /* atomic: retired */
static PB_ALIGNED(PB_CACHELINE) int ep_reclaiming;		/* atomic: try-lock */
static unsigned ep_hwm;						/* atomic: slots ever used */
static uint64_t ep_nretired, ep_nreclaimed, ep_nthreads;	/* atomic counters */

static _Thread_local struct ep_rec *ep_self;
static pthread_key_t ep_key;
static pthread_once_t ep_once = PTHREAD_ONCE_INIT;

static void ep_thread_gone(void *arg)
{
	struct ep_rec *r = arg;
	r->nest = 0;
	pb_atomic_store(&r->state, 0, PB_RELEASE);
	pb_atomic_fetch_sub(&ep_nthreads, 1, PB_RELAXED);
	pb_atomic_store(&r->used, 0, PB_RELEASE); /* hands the slot to a later thread */
}

static void ep_init_key(void)
{
	(void)pthread_key_create(&ep_key, ep_thread_gone);
}

static struct ep_rec *ep_register(void)
{
	pthread_once(&ep_once, ep_init_key);
	for (unsigned i = 0; i < PB_EPOCH_MAX_THREADS; i++) {
		int z = 0;
		if (pb_atomic_load(&ep_recs[i].used, PB_RELAXED))
			continue;
		if (!pb_atomic_cas(&ep_recs[i].used, &z, 1, PB_ACQ_REL, PB_RELAXED))
			continue;
		struct ep_rec *r = &ep_recs[i];
		r->nest = 0;
		r->nretire = 0;
		unsigned h = pb_atomic_load(&ep_hwm, PB_RELAXED);
		while (h < i + 1 && !pb_atomic_cas_weak(&ep_hwm, &h, i + 1, PB_RELEASE, PB_RELAXED))
			;
		pb_atomic_fetch_add(&ep_nthreads, 1, PB_RELAXED);
		(void)pthread_setspecific(ep_key, r);
		ep_self = r;
		return r;
	}
	return NULL;
}

static inline struct ep_rec *ep_get(void)
{
	struct ep_rec *r = ep_self;
	if (pb_likely(r != NULL))
		return r;
	r = ep_register();
	if (!r)
		abort(); /* more than PB_EPOCH_MAX_THREADS live threads */
	return r;
}

int pb_epoch_self(void)
{
	struct ep_rec *r = ep_self;
	if (!r)
		r = ep_register();
	return r ? (int)(r - ep_recs) : -1;
}

void pb_epoch_enter(void)
{
	struct ep_rec *r = ep_get();
	if (r->nest++ == 0) {
		uint64_t e = pb_atomic_load(&ep_epoch, PB_RELAXED);
		/* seq_cst RMW: announcement ordered before the section's loads */
		pb_atomic_exchange(&r->state, (e << 1) | EP_ACTIVE, PB_SEQ_CST);
	}
}

void pb_epoch_exit(void)
{
	struct ep_rec *r = ep_self;
	if (!r || r->nest == 0)
		abort(); /* exit without enter */
	if (--r->nest == 0)
		pb_atomic_store(&r->state, 0, PB_RELEASE); /* releases the section's reads */
}

bool pb_epoch_in_section(void)
{
	struct ep_rec *r = ep_self;
	return r && r->nest > 0;
}

/* Advance E by one if every active thread announces the current epoch. */
static bool ep_try_advance(void)
{
	uint64_t e = pb_atomic_load(&ep_epoch, PB_SEQ_CST);
	unsigned n = pb_atomic_load(&ep_hwm, PB_ACQUIRE);
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = pb_atomic_load(&ep_recs[i].state, PB_SEQ_CST);
		if ((s & EP_ACTIVE) && (s >> 1) != e)
			return false;
	}
	/* losing the CAS means another thread advanced: progress all the same */
	(void)pb_atomic_cas(&ep_epoch, &e, e + 1, PB_ACQ_REL, PB_RELAXED);
	return true;
}

static void ep_push_chain(struct pb_epoch_entry *first, struct pb_epoch_entry *last)
{
	struct pb_epoch_entry *head = pb_atomic_load(&ep_list, PB_RELAXED);
	do {
		last->next = head;
	} while (!pb_atomic_cas_weak(&ep_list, &head, first, PB_RELEASE, PB_RELAXED));
}

/* Run expired callbacks; caller holds ep_reclaiming. */
static unsigned ep_reclaim_locked(void)
{
	uint64_t e = pb_atomic_load(&ep_epoch, PB_ACQUIRE);
	struct pb_epoch_entry *l = pb_atomic_exchange(&ep_list, NULL, PB_ACQUIRE);
	struct pb_epoch_entry *keep = NULL, *keep_last = NULL;
	unsigned n = 0;
	while (l) {
		struct pb_epoch_entry *next = l->next;
		if (e >= l->epoch + 2) {
			l->fn(l);
			n++;
		} else {
			l->next = keep;
			if (!keep)
				keep_last = l;
			keep = l;
		}
		l = next;
	}
	if (keep)
		ep_push_chain(keep, keep_last);
	if (n)
		pb_atomic_fetch_add(&ep_nreclaimed, n, PB_RELAXED);
	return n;
}

unsigned pb_epoch_reclaim(void)
{
	ep_try_advance();
	int z = 0;
	if (!pb_atomic_cas(&ep_reclaiming, &z, 1, PB_ACQUIRE, PB_RELAXED))
		return 0; /* someone else is at it */
	unsigned n = ep_reclaim_locked();
	pb_atomic_store(&ep_reclaiming, 0, PB_RELEASE);
	return n;
}

void pb_epoch_retire(struct pb_epoch_entry *ent, void (*fn)(struct pb_epoch_entry *e))
{
	struct ep_rec *r = ep_get();
	ent->fn = fn;
	/* the unlink (before this call) is ordered before reading the tag */
	pb_fence_full();
	ent->epoch = pb_atomic_load(&ep_epoch, PB_SEQ_CST);
	ep_push_chain(ent, ent);
	pb_atomic_fetch_add(&ep_nretired, 1, PB_RELAXED);
	if (++r->nretire % EP_RECLAIM_EVERY == 0)
		pb_epoch_reclaim();
}

void pb_epoch_barrier(void)
{
	if (pb_epoch_in_section())
		abort(); /* would wait for itself */
	pb_fence_full();
	uint64_t start = pb_atomic_load(&ep_epoch, PB_SEQ_CST);
	while (pb_atomic_load(&ep_epoch, PB_ACQUIRE) < start + 2) {
		if (!ep_try_advance())
			pb_cpu_relax();
	}
	/* take the reclaim flag, waiting: earlier holders finish their batch */
	for (;;) {
		int z = 0;
		if (pb_atomic_cas(&ep_reclaiming, &z, 1, PB_ACQUIRE, PB_RELAXED))
			break;
		pb_cpu_relax();
	}
	ep_reclaim_locked(); /* every entry tagged <= start is expired now */
	pb_atomic_store(&ep_reclaiming, 0, PB_RELEASE);
}

void pb_epoch_stats(struct pb_epoch_stats *st)
{
	st->epoch = pb_atomic_load(&ep_epoch, PB_RELAXED);
	st->retired = pb_atomic_load(&ep_nretired, PB_RELAXED);
	st->reclaimed = pb_atomic_load(&ep_nreclaimed, PB_RELAXED);
	st->threads = (unsigned)pb_atomic_load(&ep_nthreads, PB_RELAXED);
}
