/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/trace_info.c - `trace info` as a library function:
 * references, read/write/fetch mix, distinct pages, footprint and the LRU
 * stack-distance (reuse) histogram of any stream.
 *
 * Stack distances are exact and come from the toolkit's one stack-distance
 * facility (pb_stackdist_feed_n, kernels/base/stackdist.c: a counted
 * bitmap over time slots, renumbered when they run out, memory O(distinct
 * pages)).  Its distance counts the page itself (an immediate re-reference
 * is 1); the histogram here buckets the pages touched in between, d - 1,
 * as `trace info` always printed it.  The distinct pages tracked are
 * bounded (max_distinct), so a trace cannot make `trace info` eat the
 * machine: past the bound (checked a batch at a time, so at most 255
 * pages past it) it stops with a message naming the bound.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/parse.h"
#include "pagebench/stackdist.h"
#include "pagebench/trace.h"
#include "wl_internal.h"

struct info {
	struct pb_trace_stats *st;
	struct pb_stackdist s;
	struct pb_hmap asids;
	unsigned shift;
	uint64_t max_distinct;
	char *err;
	size_t errlen;
};

static int info_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct info *c = ctx;
	struct pb_trace_stats *st = c->st;
	uint64_t key[256], dist[256]; /* a batch: pb_stackdist_feed_n prefetches */
	for (size_t i = 0, m; i < n; i += m) {
		m = n - i < PB_ARRAY_SIZE(key) ? n - i : PB_ARRAY_SIZE(key);
		for (size_t j = 0; j < m; j++) {
			const struct pb_access *x = &a[i + j];
			st->reads += x->op == PB_OP_READ;
			st->writes += x->op == PB_OP_WRITE;
			st->fetches += x->op == PB_OP_FETCH;
			int isnew;
			if (!pb_hmap_upsert(&c->asids, x->asid, &isnew))
				return -ENOMEM;
			key[j] = wl_key(x, c->shift);
		}
		int rc = pb_stackdist_feed_n(&c->s, key, m, dist);
		if (rc)
			return rc;
		st->refs += m;
		for (size_t j = 0; j < m; j++) {
			uint64_t d = dist[j];
			if (d == PB_STACKDIST_COLD) {
				st->cold++;
			} else {
				/* pages in between, d - 1: bucket floor(log2(d)) */
				unsigned b = 63 - (unsigned)__builtin_clzll(d);
				st->hist[b < 47 ? b : 47]++;
			}
		}
		/* checked a batch at a time: at most 255 pages past the bound.
		 * Memory: the stack distances' key map, 32-64 B a page at a
		 * load of 1/4 to 1/2, 96 B while it doubles (old and new
		 * table); the counted bitmap under 1 B a page */
		if (pb_stackdist_distinct(&c->s) > c->max_distinct) {
			/* in KiB, rounded up, below 1 MiB (a small bound is not
			 * "about 0 MiB"); in MiB, rounded, above */
			uint64_t b =
			    c->max_distinct > UINT64_MAX / 96 ? UINT64_MAX : c->max_distinct * 96;
			int mib = b >= 1u << 20;
			unsigned long long sz = mib ? (b >> 20) + (b >> 19 & 1) : (b + 1023) >> 10;
			snprintf(c->err, c->errlen,
				 "trace info: more than %llu distinct pages (the memory bound, "
				 "up to about %llu %s); raise it with --max-distinct",
				 (unsigned long long)c->max_distinct, sz, mib ? "MiB" : "KiB");
			return -E2BIG;
		}
	}
	pb_progress_add(n);
	return 0;
}

int pb_trace_info(const char *spec, const struct pb_trace_info_opts *o, struct pb_trace_stats *st,
		  char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = o ? o->seed : 0};
	int rc = pb_workload_open(spec, &wo, &w, err, errlen);
	if (rc)
		return rc;
	/* named here, the one open: the caller needs no open of its own */
	snprintf(st->canonical, sizeof(st->canonical), "%s", pb_workload_canonical(w));
	struct info c = {.st = st, .err = err, .errlen = errlen};
	c.max_distinct = o && o->max_distinct ? o->max_distinct : PB_TRACE_MAX_DISTINCT;
	c.shift = pb_workload_page_shift(w);
	if (pb_stackdist_init(&c.s, 1 << 16) || pb_hmap_init(&c.asids, 16)) {
		rc = -ENOMEM;
		goto out;
	}
	st->page_shift = c.shift;
	pb_progress_begin("trace info: references", 0); /* shown on a terminal only */
	rc = pb_workload_drain(w, NULL, 4096, info_sink, &c, err, errlen);
	pb_progress_end();
	if (rc)
		goto out;
	st->distinct_pages = pb_stackdist_distinct(&c.s);
	st->asids = pb_hmap_count(&c.asids);
	st->skipped_lines = wl_workload_skipped(w);
	st->records = wl_workload_records(w);
	st->format = wl_workload_format(w);
	st->compression = wl_workload_codec(w);
	wl_workload_pbt_blocks(w, st->pbt_blocks);
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "trace info: out of memory");
	pb_stackdist_fini(&c.s);
	pb_hmap_fini(&c.asids);
	pb_workload_close(w);
	return rc;
}

uint64_t pb_trace_lru_pages_for(const struct pb_trace_stats *st, double frac)
{
	uint64_t reuse = st->refs - st->cold, acc = 0;
	if (!reuse)
		return 0;
	for (unsigned i = 0; i < 48; i++) {
		acc += st->hist[i];
		if ((double)acc >= frac * (double)reuse)
			/* pages needed d + 1 < 2^(i+1): an LRU of 2^(i+1) - 1 hits */
			return (1ULL << (i + 1)) - 1;
	}
	return (1ULL << 48) - 1;
}
