/* SPDX-License-Identifier: MIT */
/*
 * harness/measure_gate.c - the start gate of every repetition (see the
 * contract in pagebench/team.h).
 *
 * How it works.  `arrived` counts arrivals over the whole run, so
 * repetition rep is complete when it reaches (rep + 1) * n; the thread whose
 * fetch_add completes it is the releaser: it stamps go_ns[rep] and stores
 * go = rep + 1.  Nobody spins on `arrived`, so there is no coordinator to
 * starve.  Waiters wait for go >= rep + 1 in three stages: PB_GATE_SPINS
 * pause loops (the common case on an idle machine: a release within
 * microseconds), PB_GATE_YIELDS sched_yield()s, then FUTEX_WAIT on `go`.
 * The sleep is the classic Dekker pair: a waiter increments `sleepers` and
 * then reads `go`; the releaser stores `go` and then reads `sleepers`; both
 * seq_cst, so at least one of them sees the other and a release is never
 * slept through (FUTEX_WAIT also rechecks the value in the kernel).
 *
 * Why yield at all: with more threads than PUs, a spinning waiter burns
 * the time slice that the thread it waits for needs; 128 threads on 2
 * cores never finished a repetition with the old pure spin (issue 11 #12).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/team.h"

int pb_gate_init(struct pb_gate *g, unsigned n, unsigned reps)
{
	*g = (struct pb_gate){.n = n, .reps = reps, .stop_rep = UINT_MAX};
	g->go_ns = calloc(reps ? reps : 1, sizeof(*g->go_ns));
	return g->go_ns ? 0 : -ENOMEM;
}

void pb_gate_fini(struct pb_gate *g)
{
	free(g->go_ns);
	g->go_ns = NULL;
}

static void futex_wait(unsigned *word, unsigned seen)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void futex_wake_all(unsigned *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void wait_released(struct pb_gate *g, unsigned target)
{
	/* acquire: pairs with the releaser's store of go (seq_cst, a release). */
	for (unsigned i = 0; i < PB_GATE_SPINS; i++) {
		if (pb_atomic_load(&g->go, PB_ACQUIRE) >= target)
			return;
		pb_cpu_relax();
	}
	for (unsigned i = 0; i < PB_GATE_YIELDS; i++) {
		if (pb_atomic_load(&g->go, PB_ACQUIRE) >= target)
			return;
		sched_yield();
	}
	for (;;) {
		/* seq_cst: Dekker pair with the releaser (store go; load sleepers). */
		pb_atomic_fetch_add(&g->sleepers, 1, PB_SEQ_CST);
		unsigned seen = pb_atomic_load(&g->go, PB_SEQ_CST);
		if (seen < target)
			futex_wait(&g->go, seen);
		/* relaxed: only the count matters, ordering came from the pair. */
		pb_atomic_fetch_sub(&g->sleepers, 1, PB_RELAXED);
		if (pb_atomic_load(&g->go, PB_ACQUIRE) >= target)
			return;
	}
}

int pb_gate_arrive(struct pb_gate *g, unsigned rep)
{
	unsigned target = rep + 1;
	/* acq_rel: the releaser's RMW reads every earlier arrival (release
	 * sequence), so it sees all threads' work of the previous repetition
	 * and any pb_gate_abort made before an arrival. */
	unsigned a = pb_atomic_fetch_add(&g->arrived, 1, PB_ACQ_REL) + 1;
	if (a == target * g->n) {
		if (rep < g->reps)
			g->go_ns[rep] = pb_now_ns();
		/* seq_cst: a release for the waiters' acquire loads, and one
		 * half of the Dekker pair with a sleeper. */
		pb_atomic_store(&g->go, target, PB_SEQ_CST);
		if (pb_atomic_load(&g->sleepers, PB_SEQ_CST))
			futex_wake_all(&g->go);
	} else {
		wait_released(g, target);
	}
	/* relaxed: an abort of rep was stored before its setter's arrival,
	 * which happens-before this release; a later abort names a later rep. */
	return pb_atomic_load(&g->stop_rep, PB_RELAXED) <= rep ? 1 : 0;
}

void pb_gate_abort(struct pb_gate *g, unsigned rep)
{
	/* relaxed: published to the others through the setter's arrival (an
	 * acq_rel RMW that the releaser's RMW reads after). */
	unsigned cur = pb_atomic_load(&g->stop_rep, PB_RELAXED);
	while (rep < cur && !pb_atomic_cas(&g->stop_rep, &cur, rep, PB_RELAXED, PB_RELAXED))
		;
}

uint64_t pb_gate_go_ns(const struct pb_gate *g, unsigned rep)
{
	return rep < g->reps ? g->go_ns[rep] : 0;
}
