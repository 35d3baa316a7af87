/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_oracle.c - libCacheSim oracleGeneral traces: 24-byte
 * records {u32 time, u64 id, u32 size, i64 next_access} (unaligned); the
 * object id is the page, next_access (-1: none) is handed to OPT through
 * pb_workload_oracle_next.
 */
#include <string.h>

#include "wl_reader.h"

/* One tight loop: the overflow test is an OR over the chunk, and the
 * record that overflows is looked for only when the chunk has one. */
static int oracle_records(struct wl_trace *t, const char *p, size_t avail, struct pb_access *o,
			  size_t k)
{
	const unsigned shift = t->shift;
	const struct pb_access rec = t->rec;
	int64_t *onext = t->onext + k;
	uint64_t any = 0;
	for (size_t i = 0; i < avail; i++) {
		uint64_t id;
		int64_t nx;
		memcpy(&id, p + 24 * i + 4, 8);
		memcpy(&nx, p + 24 * i + 16, 8);
		any |= id;
		o[i] = rec;
		o[i].addr = id << shift;
		onext[i] = nx == INT64_MAX ? -1 : nx;
	}
	if (!(any & ~(UINT64_MAX >> shift)))
		return 0;
	for (size_t i = 0;; i++) {
		uint64_t id;
		memcpy(&id, p + 24 * i + 4, 8);
		if (id > (UINT64_MAX >> shift)) {
			t->pos += i * 24;
			return wl_terr(
			    t, "object id %llu overflows a 64-bit address at page size %llu",
			    (unsigned long long)id, 1ULL << shift);
		}
	}
}

static const char *const oracle_aliases[] = {"oracleGeneral", NULL};

const struct wl_format wl_format_oracle = {
    .name = "oracle",
    .aliases = oracle_aliases,
    .summary = "libCacheSim oracleGeneral: 24-byte records, next access exposed",
    .kind = WL_KIND_BINARY,
    .suffix = ".oracleGeneral",
    .recsz = 24,
    .records = oracle_records,
    .has_next = 1,
};
