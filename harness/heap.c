/* SPDX-License-Identifier: MIT */
/*
 * harness/heap.c - jemalloc as the harness's own heap.
 *
 * The harness links jemalloc (it replaces malloc process-wide).  Each NUMA
 * node gets an arena created at start-up for metadata that node's threads
 * use; a team thread calls pb_heap_thread_arena(node) to allocate from its
 * node's arena (thread.arena), and jemalloc's per-thread caches keep the
 * fast path free of locks.  mallctl statistics (stats.metadata,
 * stats.allocated, after an epoch refresh) give each run's peak metadata
 * footprint, recorded as a result column.
 *
 * Memory that kernels measure never comes from here: it is mmap'ed
 * (pb_map), so purging or trimming cannot land inside a timed region.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "pagebench/config.h"
#include "pagebench/team.h"

#if PB_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>

#define PB_MAX_NODE_ARENAS 64
static unsigned node_arena[PB_MAX_NODE_ARENAS];
static unsigned n_node_arenas;

void pb_heap_init(void)
{
	if (n_node_arenas)
		return;
	unsigned nodes = pb_topo_nnodes();
	if (nodes > PB_MAX_NODE_ARENAS)
		nodes = PB_MAX_NODE_ARENAS;
	for (unsigned i = 0; i < nodes; i++) {
		unsigned a;
		size_t sz = sizeof(a);
		if (mallctl("arenas.create", &a, &sz, NULL, 0) != 0)
			break;
		node_arena[n_node_arenas++] = a;
	}
}

void pb_heap_thread_arena(int node)
{
	if (node < 0 || (unsigned)node >= n_node_arenas)
		return;
	unsigned a = node_arena[node];
	mallctl("thread.arena", NULL, NULL, &a, sizeof(a));
}

static int64_t stat_read(const char *name)
{
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch);
	mallctl("epoch", &epoch, &sz, &epoch, sz);
	size_t v;
	sz = sizeof(v);
	if (mallctl(name, &v, &sz, NULL, 0) != 0)
		return -1;
	return (int64_t)v;
}

int64_t pb_heap_metadata_bytes(void)
{
	return stat_read("stats.metadata");
}

int64_t pb_heap_allocated_bytes(void)
{
	return stat_read("stats.allocated");
}

const char *pb_heap_version(void)
{
	const char *v = NULL;
	size_t sz = sizeof(v);
	if (mallctl("version", &v, &sz, NULL, 0) != 0)
		return "unknown";
	return v;
}

const char *pb_heap_na_reason(void)
{
	return pb_heap_metadata_bytes() < 0 ? "jemalloc built without statistics" : NULL;
}
#else
void pb_heap_init(void)
{
}
void pb_heap_thread_arena(int node)
{
	(void)node;
}
int64_t pb_heap_metadata_bytes(void)
{
	return -1;
}
int64_t pb_heap_allocated_bytes(void)
{
	return -1;
}
const char *pb_heap_version(void)
{
	return NULL;
}
const char *pb_heap_na_reason(void)
{
	return "built without jemalloc (PAGEBENCH_WITH_JEMALLOC=OFF or not found)";
}
#endif
