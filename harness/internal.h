/* SPDX-License-Identifier: MIT */
/*
 * harness/internal.h - helpers private to the harness: a growable string
 * buffer with JSON escaping, the machine description, heap statistics and
 * robust statistics.
 */
#ifndef PAGEBENCH_HARNESS_INTERNAL_H
#define PAGEBENCH_HARNESS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pagebench/common.h"

struct pb_sb {
	char *s;
	size_t len, cap;
};
void pb_sb_put(struct pb_sb *b, const char *s);
void pb_sb_putn(struct pb_sb *b, const char *s, size_t n);
void pb_sb_printf(struct pb_sb *b, const char *fmt, ...) PB_PRINTF(2, 3);
void pb_sb_free(struct pb_sb *b);

/* A series or machine name: base, or "base (2)", "base (3)", ... the first
 * that none of taken[0..n) is (two guests both called "vm" stay two). */
void pb_name_unique(char *out, size_t len, const char *base, char *const *taken, size_t n);

/* Machine description for meta.json: a new object of top-level fields
 * (host, cpu_model, kernel, build, libraries, topology ...). */
json_t *pb_meta_machine_json(void);
/* Short host name (sanitised for a folder name). */
void pb_meta_host(char *buf, size_t len);

/* Heap (jemalloc): set up per-thread arenas; peak/current metadata bytes. */
void pb_heap_init(void);
/* Bind the calling thread to the arena of NUMA node `node` (-1: its own). */
void pb_heap_thread_arena(int node);
/* Current allocator metadata bytes (stats.metadata) or -1 if unavailable. */
int64_t pb_heap_metadata_bytes(void);
/* Allocated bytes (stats.allocated) or -1. */
int64_t pb_heap_allocated_bytes(void);
const char *pb_heap_version(void);
const char *pb_heap_na_reason(void);

/* Median and a distribution-free 95% CI of the median (order statistics). */
struct pb_median_ci {
	double median, lo, hi;
	int ci_valid; /* 0 if too few samples for a 95% CI (n < 6) */
};
struct pb_median_ci pb_median_ci(const double *x, size_t n);

#endif
