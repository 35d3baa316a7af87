/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/trace_info.c - `trace info` as a library function:
 * references, read/write/fetch mix, distinct pages, footprint and the LRU
 * stack-distance (reuse) histogram of any stream.
 *
 * Stack distances are exact: a Fenwick tree over "last access time" slots
 * counts the distinct pages touched since a page's previous reference
 * (Bennett & Kruskal 1975, Almasi et al. 2002), and the slots are
 * renumbered when they run out, so memory is O(distinct pages), not
 * O(refs); and the distinct pages tracked are bounded (max_distinct), so a
 * trace cannot make `trace info` eat the machine: past the bound it stops
 * with a message naming the bound.
 * (To be replaced by the toolkit's one stack-distance facility,
 * pb_stackdist_* in kernels/base, when it lands.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/trace.h"
#include "wl_internal.h"

/* ---- stack distance (Fenwick tree over time slots) ---- */
struct sd {
	struct wl_map last; /* key -> slot */
	uint32_t *bit;
	uint64_t cap, now;
};

static void bit_add(struct sd *s, uint64_t i, int v)
{
	for (; i <= s->cap; i += i & (0 - i))
		s->bit[i] += (uint32_t)v;
}

static uint64_t bit_sum(const struct sd *s, uint64_t i)
{
	uint64_t r = 0;
	for (; i; i -= i & (0 - i))
		r += s->bit[i];
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Renumber live slots 1..d and rebuild the tree (keeps relative order). */
static int sd_compact(struct sd *s)
{
	uint64_t d = s->last.n;
	uint64_t *sl = malloc((d ? d : 1) * sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	uint64_t j = 0;
	for (size_t i = 0; i < s->last.cap; i++)
		if (s->last.keys[i])
			sl[j++] = s->last.vals[i];
	qsort(sl, d, sizeof(*sl), cmp_u64);
	for (size_t i = 0; i < s->last.cap; i++) {
		if (!s->last.keys[i])
			continue;
		uint64_t v = s->last.vals[i], lo = 0, hi = d;
		while (lo < hi) {
			uint64_t mid = (lo + hi) / 2;
			if (sl[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		s->last.vals[i] = lo + 1;
	}
	free(sl);
	uint64_t ncap = d * 4 > (1u << 20) ? d * 4 : (1u << 20);
	if (ncap != s->cap) {
		free(s->bit);
		s->bit = malloc((ncap + 1) * sizeof(*s->bit));
		if (!s->bit)
			return -ENOMEM;
		s->cap = ncap;
	}
	memset(s->bit, 0, (s->cap + 1) * sizeof(*s->bit));
	for (uint64_t i = 1; i <= d; i++)
		s->bit[i] = 1;
	for (uint64_t i = 1; i <= s->cap; i++) { /* O(n) Fenwick build */
		uint64_t p = i + (i & (0 - i));
		if (p <= s->cap)
			s->bit[p] += s->bit[i];
	}
	s->now = d;
	return 0;
}

struct info {
	struct pb_trace_stats *st;
	struct sd s;
	struct wl_map asids;
	unsigned shift;
	uint64_t max_distinct;
	char *err;
	size_t errlen;
};

static int info_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct info *c = ctx;
	struct pb_trace_stats *st = c->st;
	struct sd *s = &c->s;
	int rc;
	for (size_t i = 0; i < n; i++) {
		st->refs++;
		st->reads += a[i].op == PB_OP_READ;
		st->writes += a[i].op == PB_OP_WRITE;
		st->fetches += a[i].op == PB_OP_FETCH;
		int isnew;
		if (!wl_map_get(&c->asids, a[i].asid, &isnew))
			return -ENOMEM;
		if (s->now == s->cap && (rc = sd_compact(s)))
			return rc;
		uint64_t *slot = wl_map_get(&s->last, wl_key(&a[i], c->shift), &isnew);
		if (!slot)
			return -ENOMEM;
		uint64_t now = ++s->now;
		if (isnew) {
			st->cold++;
			if (s->last.n > c->max_distinct) {
				snprintf(
				    c->err, c->errlen,
				    "trace info: more than %llu distinct pages (the memory bound, "
				    "about %llu MiB); raise it with --max-distinct",
				    (unsigned long long)c->max_distinct,
				    (unsigned long long)(c->max_distinct * 80 >> 20));
				return -E2BIG;
			}
		} else {
			uint64_t d = bit_sum(s, now - 1) - bit_sum(s, *slot);
			unsigned b = 63 - (unsigned)__builtin_clzll(d + 1);
			st->hist[b < 47 ? b : 47]++;
			bit_add(s, *slot, -1);
		}
		bit_add(s, now, 1);
		*slot = now;
	}
	pb_progress_add(n);
	return 0;
}

int pb_trace_info(const char *spec, const struct pb_trace_info_opts *o, struct pb_trace_stats *st,
		  char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	struct pb_workload *w;
	int rc = pb_workload_open(spec, NULL, &w, err, errlen);
	if (rc)
		return rc;
	struct info c = {.st = st, .err = err, .errlen = errlen};
	c.max_distinct = o && o->max_distinct ? o->max_distinct : PB_TRACE_MAX_DISTINCT;
	c.shift = pb_workload_page_shift(w);
	c.s.cap = 1u << 20;
	c.s.bit = calloc(c.s.cap + 1, sizeof(*c.s.bit));
	if (!c.s.bit || wl_map_init(&c.s.last, 1 << 16) || wl_map_init(&c.asids, 16)) {
		rc = -ENOMEM;
		goto out;
	}
	st->page_shift = c.shift;
	pb_progress_begin("trace info: references", 0); /* shown on a terminal only */
	rc = pb_workload_drain(w, NULL, 4096, info_sink, &c, err, errlen);
	pb_progress_end();
	if (rc)
		goto out;
	st->distinct_pages = c.s.last.n;
	st->asids = c.asids.n;
	st->skipped_lines = wl_workload_skipped(w);
	st->records = wl_workload_records(w);
	st->format = wl_workload_format(w);
	st->compression = wl_workload_codec(w);
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "trace info: out of memory");
	free(c.s.bit);
	if (c.s.last.keys)
		wl_map_free(&c.s.last);
	if (c.asids.keys)
		wl_map_free(&c.asids);
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
			return 1ULL << (i + 1); /* d + 1 < 2^(i+1): that many pages hit */
	}
	return 1ULL << 48;
}
