/* SPDX-License-Identifier: MIT */
/*
 * harness/topo.c - topology (hwloc), placement plans and the pinned team.
 *
 * Plans are computed from the topology alone, so they are testable with
 * HWLOC_SYNTHETIC="pack:2 numa:2 core:4 pu:1" on a one-node machine (hwloc
 * reads that variable itself at load time).  Binding happens only when the
 * topology is this system's (hwloc_topology_is_thissystem).
 *
 *  compact: cores in topology order, one thread per core; SMT siblings of
 *           a core only once every core has a thread.
 *  scatter: round-robin over packages (then over the cores of each).
 *  numa:    round-robin over NUMA nodes, compact inside each node.
 *  none:    no binding.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/atomic.h"
#include "pagebench/config.h"
#include "pagebench/team.h"

#if PB_HAVE_HWLOC
#include <hwloc.h>
#endif
#if PB_HAVE_OPENMP
#include <omp.h>
#endif

static const char *const pin_names[] = {"compact", "scatter", "numa", "none"};

const char *pb_pin_name(enum pb_pin p)
{
	return (unsigned)p < PB_ARRAY_SIZE(pin_names) ? pin_names[p] : "?";
}

int pb_pin_parse(const char *s, enum pb_pin *out)
{
	for (unsigned i = 0; i < PB_ARRAY_SIZE(pin_names); i++) {
		if (!strcmp(s, pin_names[i])) {
			*out = (enum pb_pin)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A flat description of the PUs: filled from hwloc or from sysconf. */
struct pu_info {
	int os;	   /* OS index */
	int core;  /* logical core index */
	int smt;   /* rank of this PU within its core */
	int node;  /* OS index of NUMA node, -1 unknown */
	int nodei; /* logical index of that node */
	int pkg;
};

static struct {
	int loaded;
	int synthetic, restricted; /* restricted: to the process's CPU mask */
	unsigned npus, ncores, nnodes, npkgs;
	struct pu_info *pu;
#if PB_HAVE_HWLOC
	hwloc_topology_t topo;
#endif
	char env_err[512];
} T;

const char *pb_topo_env_error(void)
{
	return T.env_err[0] ? T.env_err : NULL;
}

/* The one place the variables' order is decided: meta.json's
 * topology_source and run's note name what pb_topo_init loaded. */
enum pb_topo_env pb_topo_env_source(const char **val)
{
	const char *syn = getenv("HWLOC_SYNTHETIC"), *xml = getenv("HWLOC_XMLFILE");
	if (syn && *syn) {
		*val = syn;
		return PB_TOPO_ENV_SYNTHETIC;
	}
	*val = xml && *xml ? xml : NULL;
	return *val ? PB_TOPO_ENV_XML : PB_TOPO_ENV_NONE;
}

int pb_topo_init(void)
{
	if (T.loaded)
		return 0;
#if PB_HAVE_HWLOC
	if (hwloc_topology_init(&T.topo))
		return -ENOMEM;
	hwloc_topology_set_flags(T.topo, 0);
	/* hwloc reads these variables itself but falls back to the real
	 * machine, silently, when one does not parse: set them explicitly so
	 * a typo is an error, not a plan for the wrong machine. */
	const char *val;
	enum pb_topo_env env = pb_topo_env_source(&val);
	if (env == PB_TOPO_ENV_SYNTHETIC && hwloc_topology_set_synthetic(T.topo, val)) {
		snprintf(T.env_err, sizeof(T.env_err),
			 "bad HWLOC_SYNTHETIC '%.400s' (hwloc cannot parse it; e.g. \"pack:2 "
			 "core:4 pu:1\")",
			 val);
		hwloc_topology_destroy(T.topo);
		return -EINVAL;
	}
	if (env == PB_TOPO_ENV_XML && hwloc_topology_set_xml(T.topo, val)) {
		snprintf(T.env_err, sizeof(T.env_err), "bad HWLOC_XMLFILE '%.400s': %s", val,
			 strerror(errno));
		hwloc_topology_destroy(T.topo);
		return -EINVAL;
	}
	if (hwloc_topology_load(T.topo)) {
		hwloc_topology_destroy(T.topo);
		return -EINVAL;
	}
	T.synthetic = !hwloc_topology_is_thissystem(T.topo);
	/* The CPUs this process may run on (taskset, numactl --physcpubind, a
	 * launcher's mask): the plan places threads there only, so binding
	 * never moves a thread out of the mask it was given, and more threads
	 * than those CPUs is oversubscribed.  (A cgroup cpuset hwloc applies
	 * itself.) */
	if (!T.synthetic) {
		hwloc_bitmap_t mask = hwloc_bitmap_alloc();
		if (mask && !hwloc_get_cpubind(T.topo, mask, HWLOC_CPUBIND_PROCESS) &&
		    !hwloc_bitmap_iszero(mask) &&
		    !hwloc_bitmap_isincluded(hwloc_topology_get_topology_cpuset(T.topo), mask))
			T.restricted = !hwloc_topology_restrict(T.topo, mask, 0);
		hwloc_bitmap_free(mask);
	}
	int npus = hwloc_get_nbobjs_by_type(T.topo, HWLOC_OBJ_PU);
	T.ncores = (unsigned)hwloc_get_nbobjs_by_type(T.topo, HWLOC_OBJ_CORE);
	int nn = hwloc_get_nbobjs_by_type(T.topo, HWLOC_OBJ_NUMANODE);
	T.nnodes = nn > 0 ? (unsigned)nn : 1;
	int np = hwloc_get_nbobjs_by_type(T.topo, HWLOC_OBJ_PACKAGE);
	T.npkgs = np > 0 ? (unsigned)np : 1;
	T.npus = npus > 0 ? (unsigned)npus : 1;
	T.pu = calloc(T.npus, sizeof(*T.pu));
	if (!T.pu)
		return -ENOMEM;
	for (unsigned i = 0; i < T.npus; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(T.topo, HWLOC_OBJ_PU, i);
		struct pu_info *p = &T.pu[i];
		p->os = (int)pu->os_index;
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(T.topo, HWLOC_OBJ_CORE, pu);
		p->core = core ? (int)core->logical_index : (int)i;
		p->smt = 0;
		if (core) {
			for (unsigned k = 0; k < core->arity; k++)
				if (core->children[k] == pu)
					p->smt = (int)k;
		}
		hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(T.topo, HWLOC_OBJ_PACKAGE, pu);
		p->pkg = pkg ? (int)pkg->logical_index : 0;
		p->node = -1;
		p->nodei = 0;
		for (int k = 0; k < nn; k++) {
			hwloc_obj_t node =
			    hwloc_get_obj_by_type(T.topo, HWLOC_OBJ_NUMANODE, (unsigned)k);
			if (node->cpuset && hwloc_bitmap_isset(node->cpuset, pu->os_index)) {
				p->node = (int)node->os_index;
				p->nodei = k;
				break;
			}
		}
	}
	if (!T.ncores)
		T.ncores = T.npus;
#else
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	T.npus = T.ncores = n > 0 ? (unsigned)n : 1;
	T.nnodes = T.npkgs = 1;
	T.pu = calloc(T.npus, sizeof(*T.pu));
	if (!T.pu)
		return -ENOMEM;
	for (unsigned i = 0; i < T.npus; i++)
		T.pu[i] = (struct pu_info){(int)i, (int)i, 0, 0, 0, 0};
#endif
	T.loaded = 1;
	return 0;
}

void pb_topo_fini(void)
{
	if (!T.loaded)
		return;
#if PB_HAVE_HWLOC
	hwloc_topology_destroy(T.topo);
#endif
	free(T.pu);
	memset(&T, 0, sizeof(T));
}

unsigned pb_topo_npus(void)
{
	pb_topo_init();
	return T.npus;
}
unsigned pb_topo_ncores(void)
{
	pb_topo_init();
	return T.ncores;
}
unsigned pb_topo_nnodes(void)
{
	pb_topo_init();
	return T.nnodes;
}
int pb_topo_is_synthetic(void)
{
	pb_topo_init();
	return T.synthetic;
}

char *pb_topo_xml(void)
{
#if PB_HAVE_HWLOC
	if (pb_topo_init())
		return NULL;
	char *xml = NULL;
	int len = 0;
	if (hwloc_topology_export_xmlbuffer(T.topo, &xml, &len, 0))
		return NULL;
	char *copy = strdup(xml);
	hwloc_free_xmlbuffer(T.topo, xml);
	return copy;
#else
	return NULL;
#endif
}

void pb_topo_print(FILE *f)
{
	pb_topo_init();
	fprintf(f, "topology: %u package(s), %u NUMA node(s), %u core(s), %u PU(s)%s\n", T.npkgs,
		T.nnodes, T.ncores, T.npus,
		T.synthetic    ? " [synthetic/imported: placement planned, not bound]"
		: T.restricted ? " [the CPUs this process may run on (its affinity mask)]"
			       : "");
#if PB_HAVE_HWLOC
	for (unsigned k = 0; k < T.nnodes; k++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(T.topo, HWLOC_OBJ_NUMANODE, k);
		if (!node)
			break;
		char cpus[256] = "";
		if (node->cpuset)
			hwloc_bitmap_list_snprintf(cpus, sizeof(cpus), node->cpuset);
		fprintf(
		    f, "  node %u: PUs %s, memory %llu MiB\n", node->os_index, cpus,
		    (unsigned long long)(node->attr ? node->attr->numanode.local_memory >> 20 : 0));
	}
	static const hwloc_obj_type_t caches[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
						  HWLOC_OBJ_L3CACHE};
	for (unsigned c = 0; c < PB_ARRAY_SIZE(caches); c++) {
		int n = hwloc_get_nbobjs_by_type(T.topo, caches[c]);
		if (n <= 0)
			continue;
		hwloc_obj_t o = hwloc_get_obj_by_type(T.topo, caches[c], 0);
		fprintf(f, "  L%u: %d x %llu KiB, line %u B\n", c + 1, n,
			(unsigned long long)(o->attr->cache.size >> 10), o->attr->cache.linesize);
	}
#else
	fprintf(f, "  (built without hwloc: no node or cache information)\n");
#endif
}

/* Order of PU indices (into T.pu) for a pin policy. */
static int order_key_cmp_compact(const struct pu_info *a, const struct pu_info *b)
{
	if (a->smt != b->smt)
		return a->smt - b->smt;
	return a->core - b->core;
}

static const struct pu_info *sort_base;
static enum pb_pin sort_pin;
static int *rank_in_group;

static int cmp_pu(const void *x, const void *y)
{
	int i = *(const int *)x, j = *(const int *)y;
	const struct pu_info *a = &sort_base[i], *b = &sort_base[j];
	switch (sort_pin) {
	case PB_PIN_SCATTER:
	case PB_PIN_NUMA:
		/* round-robin over groups: by rank within the group, then group */
		if (rank_in_group[i] != rank_in_group[j])
			return rank_in_group[i] - rank_in_group[j];
		if (sort_pin == PB_PIN_SCATTER && a->pkg != b->pkg)
			return a->pkg - b->pkg;
		if (a->nodei != b->nodei)
			return a->nodei - b->nodei;
		return a->core - b->core;
	default:
		return order_key_cmp_compact(a, b);
	}
}

int pb_plan_make(unsigned n, enum pb_pin pin, struct pb_plan *out)
{
	int rc = pb_topo_init();
	if (rc)
		return rc;
	if (n == 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->pin = pin;
	out->place = calloc(n, sizeof(*out->place));
	int *idx = calloc(T.npus, sizeof(int));
	rank_in_group = calloc(T.npus, sizeof(int));
	if (!out->place || !idx || !rank_in_group) {
		free(idx);
		free(rank_in_group);
		free(out->place);
		return -ENOMEM;
	}
	/* Rank of each PU inside its NUMA node in compact order (SMT rank,
	 * then core); then, for scatter, its rank inside its package when the
	 * package's nodes are interleaved (node-rank, then node), so scatter
	 * spreads over packages first and over the nodes of each package next. */
	int *node_rank = calloc(T.npus, sizeof(int));
	if (!node_rank) {
		free(idx);
		free(rank_in_group);
		free(out->place);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < T.npus; i++)
		for (unsigned j = 0; j < T.npus; j++)
			if (T.pu[j].nodei == T.pu[i].nodei &&
			    order_key_cmp_compact(&T.pu[j], &T.pu[i]) < 0)
				node_rank[i]++;
	for (unsigned i = 0; i < T.npus; i++) {
		int r = node_rank[i];
		if (pin == PB_PIN_SCATTER) {
			r = 0;
			for (unsigned j = 0; j < T.npus; j++) {
				if (T.pu[j].pkg != T.pu[i].pkg)
					continue;
				if (node_rank[j] < node_rank[i] ||
				    (node_rank[j] == node_rank[i] && T.pu[j].nodei < T.pu[i].nodei))
					r++;
			}
		}
		rank_in_group[i] = r;
		idx[i] = (int)i;
	}
	free(node_rank);
	sort_base = T.pu;
	sort_pin = pin;
	qsort(idx, T.npus, sizeof(int), cmp_pu);
	for (unsigned t = 0; t < n; t++) {
		const struct pu_info *p = &T.pu[idx[t % T.npus]];
		if (pin == PB_PIN_NONE)
			out->place[t] = (struct pb_place){-1, -1, -1, -1};
		else
			out->place[t] = (struct pb_place){p->os, p->core, p->node, p->pkg};
	}
	out->oversubscribed = n > T.npus;
	free(idx);
	free(rank_in_group);
	rank_in_group = NULL;
	return 0;
}

void pb_plan_free(struct pb_plan *p)
{
	free(p->place);
	p->place = NULL;
}

void pb_plan_print(const struct pb_plan *p, FILE *f)
{
	fprintf(f, "plan: %u thread(s), pin=%s%s\n", p->n, pb_pin_name(p->pin),
		p->oversubscribed ? " (oversubscribed: more threads than PUs)" : "");
	fprintf(f, "  thread  pu  core  node  package\n");
	for (unsigned t = 0; t < p->n; t++)
		fprintf(f, "  %6u %3d %5d %5d %8d\n", t, p->place[t].pu, p->place[t].core,
			p->place[t].node, p->place[t].pkg);
}

/* Bind the calling thread per its place; fill *b with what it got. */
static void bind_self(const struct pb_plan *plan, unsigned tid, struct pb_bound *b)
{
	const struct pb_place *pl = &plan->place[tid];
	b->pu_planned = pl->pu;
	b->node_planned = pl->node;
	b->pu_got = -1;
	b->node_got = -1;
	b->bind_ok = 0;
#if PB_HAVE_HWLOC
	if (pl->pu >= 0 && !T.synthetic) {
		hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(T.topo, (unsigned)pl->pu);
		if (pu && hwloc_set_cpubind(T.topo, pu->cpuset, HWLOC_CPUBIND_THREAD) == 0)
			b->bind_ok = 1;
		if (pu && pu->nodeset)
			hwloc_set_membind(T.topo, pu->nodeset, HWLOC_MEMBIND_BIND,
					  HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET);
	}
	if (!T.synthetic) {
		hwloc_bitmap_t set = hwloc_bitmap_alloc();
		if (set && hwloc_get_last_cpu_location(T.topo, set, HWLOC_CPUBIND_THREAD) == 0) {
			int os = hwloc_bitmap_first(set);
			b->pu_got = os;
			for (unsigned i = 0; i < T.npus; i++)
				if (T.pu[i].os == os)
					b->node_got = T.pu[i].node;
		}
		hwloc_bitmap_free(set);
	}
#else
	if (pl->pu >= 0) {
		cpu_set_t cs;
		CPU_ZERO(&cs);
		CPU_SET(pl->pu, &cs);
		b->bind_ok = pthread_setaffinity_np(pthread_self(), sizeof(cs), &cs) == 0;
	}
	b->pu_got = sched_getcpu();
	b->node_got = 0;
#endif
	/* Metadata this thread allocates comes from its node's arena. */
	int nodei = -1;
	for (unsigned i = 0; i < T.npus && pl->pu >= 0; i++)
		if (T.pu[i].os == pl->pu)
			nodei = T.pu[i].nodei;
	pb_heap_thread_arena(nodei);
}

struct team_arg {
	const struct pb_plan *plan;
	void (*fn)(void *, unsigned);
	void *arg;
	struct pb_bound *bound;
	unsigned tid;
};

static void *team_thread(void *p)
{
	struct team_arg *a = p;
	struct pb_bound b;
	bind_self(a->plan, a->tid, &b);
	if (a->bound)
		a->bound[a->tid] = b;
	a->fn(a->arg, a->tid);
	return NULL;
}

void pb_team_run_threads(const struct pb_plan *plan, void (*fn)(void *arg, unsigned tid), void *arg,
			 struct pb_bound *bound)
{
	pb_topo_init();
	pthread_t *th = calloc(plan->n, sizeof(*th));
	struct team_arg *a = calloc(plan->n, sizeof(*a));
	if (!th || !a) {
		fprintf(stderr, "pagebench: out of memory starting a team of %u threads\n",
			plan->n);
		exit(1);
	}
	for (unsigned t = 0; t < plan->n; t++) {
		a[t] = (struct team_arg){plan, fn, arg, bound, t};
		int rc = pthread_create(&th[t], NULL, team_thread, &a[t]);
		if (rc) {
			fprintf(stderr, "pagebench: cannot start thread %u of a team of %u: %s\n",
				t + 1, plan->n, strerror(rc));
			exit(1);
		}
	}
	for (unsigned t = 0; t < plan->n; t++)
		pthread_join(th[t], NULL);
	free(th);
	free(a);
}

void pb_team_run(const struct pb_plan *plan, void (*fn)(void *arg, unsigned tid), void *arg,
		 struct pb_bound *bound)
{
	pb_topo_init();
#if PB_HAVE_OPENMP
	unsigned n = plan->n;
#pragma omp parallel num_threads(n)
	{
		unsigned tid = (unsigned)omp_get_thread_num();
		struct pb_bound b;
		bind_self(plan, tid, &b);
		if (bound)
			bound[tid] = b;
		fn(arg, tid);
	}
#else
	pb_team_run_threads(plan, fn, arg, bound);
#endif
}
