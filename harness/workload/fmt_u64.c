/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_u64.c - raw little-endian u64 page numbers.
 */
#include <string.h>

#include "wl_reader.h"

/* The overflow test is an OR over the chunk (fmt_oracle.c). */
static int u64_records(struct wl_trace *t, const char *p, size_t avail, struct pb_access *o,
		       size_t k)
{
	(void)k;
	const unsigned shift = t->shift;
	const struct pb_access rec = t->rec;
	uint64_t any = 0;
	for (size_t i = 0; i < avail; i++) {
		uint64_t v;
		memcpy(&v, p + 8 * i, 8);
		any |= v;
		o[i] = rec;
		o[i].addr = v << shift;
	}
	if (!(any & ~(UINT64_MAX >> shift)))
		return 0;
	for (size_t i = 0;; i++) {
		uint64_t v;
		memcpy(&v, p + 8 * i, 8);
		if (v > (UINT64_MAX >> shift)) {
			t->pos += i * 8;
			return wl_terr(t, "page number %llu overflows a 64-bit address",
				       (unsigned long long)v);
		}
	}
}

const struct wl_format wl_format_u64 = {
    .name = "u64",
    .summary = "raw little-endian u64 page numbers",
    .kind = WL_KIND_BINARY,
    .suffix = ".u64",
    .recsz = 8,
    .records = u64_records,
};
