/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_pbt.c - pagebench's own binary trace (pbt, see
 * pagebench/trace.h): the reader glue; the block decoder is pbt.c.
 * ifetch=0 is honoured by the framework (fetches filtered out).  The page
 * size is the file's: a spec's page= that differs is an error.  The header
 * records the backing= its source was converted with (0 in a pbt written
 * before it did, or by trace record): backing=auto takes it.
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
	unsigned sh = 0, backing = 0;
	/* a whole-file .zst/.gz/.xz: its offsets are the decompressed stream's */
	const char *word = wl_in_byte_word(&t->in);
	int rc = wl_pbt_open(wl_trace_read_raw, t, t->name, word, &t->pbt, &sh, &backing, t->err,
			     WL_ERRLEN);
	if (rc)
		return rc;
	/* the file's page size is the one its pages were numbered in: page=
	 * may only repeat it (lis and the others take it from page=) */
	if (t->page_given && sh != t->shift) {
		snprintf(t->err, WL_ERRLEN,
			 "%s: %s 16: page=%llu, but this pbt trace was written with %llu-byte "
			 "pages (a pbt keeps its page size: drop page=)",
			 t->name, word, 1ULL << t->shift, 1ULL << sh);
		return -EINVAL;
	}
	t->shift = sh;
	/* the backing its source was converted with is in the records' flags
	 * (and a volume's placement in their addresses): auto takes it, file
	 * leaves them as they are, anon could not undo it */
	if (backing == WL_BACKING_file && t->backing == WL_BACKING_anon) {
		snprintf(t->err, WL_ERRLEN,
			 "%s: %s 36: backing=anon, but this pbt trace was converted with "
			 "backing=file and its records are file pages (drop backing=, or convert "
			 "the source again with backing=anon)",
			 t->name, word);
		return -EINVAL;
	}
	if (backing && !t->backing)
		t->backing = (enum wl_backing)backing;
	t->backing_done = backing == WL_BACKING_file && t->backing == WL_BACKING_file;
	return 0;
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
    .summary = "pagebench binary trace (zstd blocks; its own page size, and the backing "
	       "its source had); what trace convert/record write",
    .kind = WL_KIND_STREAM,
    .detect_magic = pbt_magic,
    .open = pbt_open,
    .next = pbt_next,
    .close = pbt_close,
};
