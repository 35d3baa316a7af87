/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/codec_gzip.c - gzip-compressed traces (zlib's inflate;
 * concatenated members accepted, garbage after a member is an error).
 */
#include <errno.h>
#include <stdlib.h>

#include "pagebench/config.h"
#include "wl_internal.h"

#if PB_HAVE_ZLIB
#include <zlib.h>

static int gz_init(struct wl_in *in)
{
	z_stream *z = calloc(1, sizeof(*z));
	if (!z || inflateInit2(z, 15 + 32) != Z_OK) {
		free(z);
		return -ENOMEM;
	}
	in->dec = z;
	return 0;
}

static ssize_t gz_read(struct wl_in *in, void *buf, size_t n)
{
	z_stream *z = in->dec;
	z->next_out = buf;
	z->avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
	size_t want = z->avail_out;
	while (z->avail_out) {
		int rc = wl_in_cfill(in);
		if (rc)
			return rc;
		if (in->cpos == in->clen) {
			if (in->frame_open)
				return wl_in_truncated(in, want - z->avail_out);
			break;
		}
		if (!in->frame_open) {
			/* a new gzip member must start with the magic */
			if (in->clen - in->cpos >= 1 && in->cbuf[in->cpos] != 0x1f)
				return wl_in_corrupt(in, "trailing garbage after gzip member",
						     want - z->avail_out);
			inflateReset(z);
			in->frame_open = 1;
		}
		z->next_in = in->cbuf + in->cpos;
		z->avail_in = (uInt)(in->clen - in->cpos);
		int r = inflate(z, Z_NO_FLUSH);
		in->cpos = in->clen - z->avail_in;
		if (r == Z_STREAM_END) {
			in->frame_open = 0;
		} else if (r == Z_BUF_ERROR) {
			continue; /* needs more input */
		} else if (r != Z_OK) {
			return wl_in_corrupt(in, z->msg ? z->msg : "inflate error",
					     want - z->avail_out);
		}
	}
	return (ssize_t)(want - z->avail_out);
}

static void gz_fini(struct wl_in *in)
{
	inflateEnd(in->dec);
	free(in->dec);
}

const struct wl_codec wl_codec_gzip = {
    .name = "gzip",
    .magic = "\x1f\x8b",
    .magic_len = 2,
    .init = gz_init,
    .read = gz_read,
    .fini = gz_fini,
};
#else
const struct wl_codec wl_codec_gzip = {.name = "gzip", .magic = "\x1f\x8b", .magic_len = 2};
#endif
