/* SPDX-License-Identifier: MIT */
/*
 * The start gate (label stress, run under TSan too): every repetition is
 * released only after all threads arrived (no thread sees a count of the
 * previous repetition short), release times are kept for every repetition
 * whatever their number (the old gate kept 65), an abort stops every thread
 * at the same repetition, and a team 32x larger than the machine finishes
 * (waiters yield and sleep instead of spinning out their slices).
 */
#include <pthread.h>
#include <stdlib.h>

#include "pagebench/atomic.h"
#include "pagebench/team.h"
#include "pbtest.h"

struct ctx {
	struct pb_gate g;
	unsigned n, reps, abort_at;
	unsigned work;	     /* atomic: increments over all repetitions */
	unsigned *stopped;   /* [n]: repetition each thread stopped at */
	unsigned short_seen; /* atomic: a thread saw the previous rep unfinished */
};

struct arg {
	struct ctx *c;
	unsigned tid;
};

static void *body(void *p)
{
	struct arg *a = p;
	struct ctx *c = a->c;
	unsigned rep;
	for (rep = 0; rep < c->reps; rep++) {
		if (a->tid == 0 && rep == c->abort_at)
			pb_gate_abort(&c->g, rep);
		if (pb_gate_arrive(&c->g, rep))
			break;
		/* Everything of rep - 1 is done before rep is released. */
		if (pb_atomic_load(&c->work, PB_RELAXED) < rep * c->n)
			pb_atomic_fetch_add(&c->short_seen, 1, PB_RELAXED);
		pb_atomic_fetch_add(&c->work, 1, PB_RELAXED);
	}
	c->stopped[a->tid] = rep;
	return NULL;
}

static void run(unsigned n, unsigned reps, unsigned abort_at)
{
	struct ctx c = {.n = n, .reps = reps, .abort_at = abort_at};
	PB_CHECK(pb_gate_init(&c.g, n, reps) == 0);
	c.stopped = calloc(n, sizeof(*c.stopped));
	pthread_t *t = calloc(n, sizeof(*t));
	struct arg *a = calloc(n, sizeof(*a));
	for (unsigned i = 0; i < n; i++) {
		a[i] = (struct arg){&c, i};
		PB_CHECK(pthread_create(&t[i], NULL, body, &a[i]) == 0);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	unsigned expect = abort_at < reps ? abort_at : reps;
	PB_CHECK_EQ_U64(c.short_seen, 0);
	PB_CHECK_EQ_U64(c.work, (uint64_t)expect * n);
	for (unsigned i = 0; i < n; i++)
		PB_CHECK_EQ_U64(c.stopped[i], expect);
	/* Every released repetition has its own, ordered release time. */
	for (unsigned r = 0; r < expect; r++) {
		PB_CHECK(pb_gate_go_ns(&c.g, r) != 0);
		if (r)
			PB_CHECK(pb_gate_go_ns(&c.g, r) >= pb_gate_go_ns(&c.g, r - 1));
	}
	pb_gate_fini(&c.g);
	free(c.stopped);
	free(t);
	free(a);
}

int main(void)
{
	run(4, 200, ~0u); /* more than the old 64 + 1 slots */
	run(3, 50, 17);	  /* abort: all stop at 17 */
	run(2, 10, 0);	  /* abort before the first repetition */
	run(64, 20, ~0u); /* oversubscribed: 64 threads on few PUs */
	return pb_test_done();
}
