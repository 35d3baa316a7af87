/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_u32.c - raw little-endian u32 page numbers.
 */
#include <string.h>

#include "wl_reader.h"

static int u32_records(struct wl_trace *t, const char *p, size_t avail, struct pb_access *o,
		       size_t k)
{
	(void)k;
	for (size_t i = 0; i < avail; i++) {
		uint32_t v;
		memcpy(&v, p + 4 * i, 4);
		o[i] = t->rec;
		o[i].addr = (uint64_t)v << t->shift;
	}
	return 0;
}

const struct wl_format wl_format_u32 = {
    .name = "u32",
    .summary = "raw little-endian u32 page numbers",
    .kind = WL_KIND_BINARY,
    .suffix = ".u32",
    .recsz = 4,
    .records = u32_records,
};
