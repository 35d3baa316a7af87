/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_pbt.c - pagebench's own binary trace (pbt, see
 * pagebench/trace.h): the reader glue; the block decoder is pbt.c.
 * ifetch=0 is honoured by the framework (fetches filtered out).
 */
#include <stdio.h>
#include <string.h>

#include "wl_reader.h"

static int pbt_magic(const char *p, size_t n)
{
	return n >= 7 && !memcmp(p, WL_PBT_MAGIC, 7) ? 100 : WL_DETECT_NO;
}

static int pbt_open(struct wl_trace *t)
{
	unsigned sh = 0;
	int rc = wl_pbt_open(wl_trace_read_raw, t, t->name, &t->pbt, &sh, t->err, WL_ERRLEN);
	if (!rc)
		t->shift = sh;
	return rc;
}

static ssize_t pbt_next(struct wl_trace *t, struct pb_access *buf, size_t n)
{
	ssize_t r = wl_pbt_next(t->pbt, buf, n);
	if (r > 0)
		t->records += (uint64_t)r;
	if (r < 0)
		snprintf(t->err, WL_ERRLEN, "%s", wl_pbt_error(t->pbt));
	return r;
}

static void pbt_close(struct wl_trace *t)
{
	if (t->pbt)
		wl_pbt_close(t->pbt);
	t->pbt = NULL;
}

const struct wl_format wl_format_pbt = {
    .name = "pbt",
    .summary = "pagebench binary trace (zstd blocks); what trace convert/record write",
    .kind = WL_KIND_STREAM,
    .detect_magic = pbt_magic,
    .open = pbt_open,
    .next = pbt_next,
    .close = pbt_close,
};
