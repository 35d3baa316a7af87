/* SPDX-License-Identifier: MIT */
/*
 * pagebench/team.h - topology, placement plans and the pinned thread team.
 *
 * The machine is read once with hwloc (which honours HWLOC_SYNTHETIC and
 * HWLOC_XMLFILE, so multi-node placement is testable on a one-node
 * machine).  A plan assigns each of N threads a PU and a NUMA node by a pin
 * policy; the team runs OpenMP threads bound to their planned PU with
 * memory bound to the PU's node, and reads back where each thread actually
 * ran (hwloc_get_last_cpu_location).  Threads are pinned in one place only:
 * OMP_PROC_BIND is not used.
 */
#ifndef PAGEBENCH_TEAM_H
#define PAGEBENCH_TEAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pb_pin {
	PB_PIN_COMPACT, /* fill cores of a package/node before the next */
	PB_PIN_SCATTER, /* round-robin over packages, then nodes, then cores */
	PB_PIN_NUMA,	/* round-robin over NUMA nodes, compact inside each */
	PB_PIN_NONE,	/* no binding; node recorded as -1 */
};
const char *pb_pin_name(enum pb_pin p);
int pb_pin_parse(const char *s, enum pb_pin *out); /* 0 or -EINVAL */

struct pb_place {
	int pu;	  /* OS index of the planned PU, -1 if none (PB_PIN_NONE) */
	int core; /* logical index of its core */
	int node; /* OS index of its NUMA node, -1 if unknown */
	int pkg;  /* logical index of its package */
};

struct pb_plan {
	unsigned n;
	enum pb_pin pin;
	struct pb_place *place;	 /* n entries */
	unsigned oversubscribed; /* 1 if n > number of PUs (PUs reused) */
};

/* Topology: load once (idempotent).  0 or -errno; -EINVAL when
 * HWLOC_SYNTHETIC or HWLOC_XMLFILE is set but unusable (then
 * pb_topo_env_error() says why in one line; the command exits 2). */
int pb_topo_init(void);
const char *pb_topo_env_error(void);
void pb_topo_fini(void);
unsigned pb_topo_npus(void);
unsigned pb_topo_ncores(void);
unsigned pb_topo_nnodes(void);
/* hwloc XML of the topology (malloc'ed), or NULL. */
char *pb_topo_xml(void);
/* Human-readable summary: packages, nodes, cores, PUs, caches. */
void pb_topo_print(FILE *f);
/* 1 if the topology came from HWLOC_SYNTHETIC / HWLOC_XMLFILE (binding skipped). */
int pb_topo_is_synthetic(void);

int pb_plan_make(unsigned n, enum pb_pin pin, struct pb_plan *out);
void pb_plan_free(struct pb_plan *p);
void pb_plan_print(const struct pb_plan *p, FILE *f);

/* Where a team thread actually ran after binding (read back). */
struct pb_bound {
	int pu_planned, pu_got, node_planned, node_got;
	int bind_ok; /* 1 if cpu binding succeeded (0 on synthetic/none) */
};

/*
 * Run fn(arg, tid) on plan->n OpenMP threads, each bound per the plan.
 * Returns after all have finished.  bound (optional, n entries) receives
 * what each thread got.
 */
void pb_team_run(const struct pb_plan *plan, void (*fn)(void *arg, unsigned tid), void *arg,
		 struct pb_bound *bound);
/*
 * The same on plain POSIX threads, bound the same way, whether or not
 * OpenMP is built in: the simulation's teams (vm_drive.c: engine threads,
 * sweep workers, the streaming feed), which run once per command and
 * leave the process to write its results.  OpenMP's idle threads spin
 * after a parallel region (libgomp's GOMP_SPINCOUNT), which was a third of
 * a short `sim`'s CPU time.  A thread that cannot be started ends the
 * process with one line (exit 1): the team's threads cooperate, so
 * fewer of them could wait for each other forever.
 */
void pb_team_run_threads(const struct pb_plan *plan, void (*fn)(void *arg, unsigned tid), void *arg,
			 struct pb_bound *bound);

/*
 * The start gate: one release per repetition.  Every team thread calls
 * pb_gate_arrive(g, rep) before repetition rep; the last thread to arrive
 * stamps g->go_ns[rep] and releases the others.  A waiter spins a bounded
 * number of times (PB_GATE_SPINS cpu_relax), then yields, then sleeps on a
 * futex, so a team larger than the machine (128 threads on 2 cores) makes
 * progress instead of spinning out its time slices.
 *
 * Caller: pb_gate_init/fini on one thread with no team running; arrive,
 * abort and aborted from the n team threads.  Ordering: the release of
 * repetition rep happens-after every thread's arrival at it (so after all
 * their work of rep - 1) and happens-before every return from
 * pb_gate_arrive(g, rep); go_ns[rep] is published by the release.
 * An abort is a repetition number, not a flag, so a thread still leaving
 * the previous release never mistakes it for its own.
 */
#define PB_GATE_SPINS  1024u
#define PB_GATE_YIELDS 64u
struct pb_gate {
	unsigned n;	   /* team size */
	unsigned reps;	   /* repetitions, warm-up included */
	unsigned arrived;  /* arrivals so far, over all repetitions (atomic) */
	unsigned go;	   /* repetitions released (atomic; futex word) */
	unsigned sleepers; /* threads asleep on go (atomic) */
	unsigned stop_rep; /* first repetition not to run; UINT_MAX: none (atomic) */
	uint64_t *go_ns;   /* [reps]: CLOCK_MONOTONIC ns of each release */
};
/* 0 or -ENOMEM (go_ns is sized by reps: any count works). */
int pb_gate_init(struct pb_gate *g, unsigned n, unsigned reps);
void pb_gate_fini(struct pb_gate *g);
/* Arrive at repetition rep and wait for its release.  Returns 0, or 1 if
 * the gate was aborted (no more repetitions: the caller stops). */
int pb_gate_arrive(struct pb_gate *g, unsigned rep);
/* Ask every thread to stop at repetition rep, which the caller has not yet
 * arrived at (a team thread, before pb_gate_arrive(g, rep)).  Every thread
 * then gets 1 from pb_gate_arrive(g, rep): all stop at the same point. */
void pb_gate_abort(struct pb_gate *g, unsigned rep);
/* Release time of repetition rep (after the team finished). */
uint64_t pb_gate_go_ns(const struct pb_gate *g, unsigned rep);

#endif /* PAGEBENCH_TEAM_H */
