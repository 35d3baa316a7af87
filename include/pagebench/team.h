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
	PB_PIN_NUMA,    /* round-robin over NUMA nodes, compact inside each */
	PB_PIN_NONE,    /* no binding; node recorded as -1 */
};
const char *pb_pin_name(enum pb_pin p);
int pb_pin_parse(const char *s, enum pb_pin *out); /* 0 or -EINVAL */

struct pb_place {
	int pu;   /* OS index of the planned PU, -1 if none (PB_PIN_NONE) */
	int core; /* logical index of its core */
	int node; /* OS index of its NUMA node, -1 if unknown */
	int pkg;  /* logical index of its package */
};

struct pb_plan {
	unsigned n;
	enum pb_pin pin;
	struct pb_place *place; /* n entries */
	unsigned oversubscribed; /* 1 if n > number of PUs (PUs reused) */
};

/* Topology: load once (idempotent).  0 or -errno. */
int pb_topo_init(void);
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

/* Start barrier: threads spin on a go flag released by the coordinator. */
struct pb_gate {
	unsigned ready; /* threads that have arrived (atomic) */
	unsigned go;    /* generation released (atomic) */
};

#endif /* PAGEBENCH_TEAM_H */
