/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/codec_xz.c - xz-compressed traces (liblzma's stream
 * decoder, LZMA_CONCATENATED).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "pagebench/config.h"
#include "wl_internal.h"

#define XZ_MAGIC                                                                                   \
	"\xfd"                                                                                     \
	"7zXZ\0"

#if PB_HAVE_LZMA
#include <lzma.h>

static int xz_init(struct wl_in *in)
{
	lzma_stream init = LZMA_STREAM_INIT;
	lzma_stream *s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = init;
	if (lzma_stream_decoder(s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		free(s);
		return -ENOMEM;
	}
	in->dec = s;
	return 0;
}

static ssize_t xz_read(struct wl_in *in, void *buf, size_t n)
{
	lzma_stream *s = in->dec;
	s->next_out = buf;
	s->avail_out = n;
	while (s->avail_out) {
		int rc = wl_in_cfill(in);
		if (rc)
			return rc;
		if (in->frame_open == 2)
			break; /* stream ended */
		s->next_in = in->cbuf + in->cpos;
		s->avail_in = in->clen - in->cpos;
		lzma_ret r = lzma_code(s, in->ceof ? LZMA_FINISH : LZMA_RUN);
		in->cpos = in->clen - s->avail_in;
		if (r == LZMA_STREAM_END) {
			in->frame_open = 2;
			break;
		}
		if (r == LZMA_BUF_ERROR && in->ceof)
			return wl_in_truncated(in, n - s->avail_out);
		if (r != LZMA_OK && r != LZMA_BUF_ERROR)
			return wl_in_corrupt(in,
					     r == LZMA_DATA_ERROR     ? "data error"
					     : r == LZMA_FORMAT_ERROR ? "format error"
								      : "decoder error",
					     n - s->avail_out);
	}
	return (ssize_t)(n - s->avail_out);
}

static void xz_fini(struct wl_in *in)
{
	lzma_end(in->dec);
	free(in->dec);
}

const struct wl_codec wl_codec_xz = {
    .name = "xz",
    .magic = XZ_MAGIC,
    .magic_len = 6,
    .init = xz_init,
    .read = xz_read,
    .fini = xz_fini,
};
#else
const struct wl_codec wl_codec_xz = {.name = "xz", .magic = XZ_MAGIC, .magic_len = 6};
#endif
