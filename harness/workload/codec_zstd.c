/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/codec_zstd.c - zstd-compressed traces (libzstd's
 * streaming decoder; concatenated frames accepted).
 */
#include <errno.h>
#include <stddef.h>

#include "pagebench/config.h"
#include "wl_internal.h"

#if PB_HAVE_ZSTD
#include <zstd.h>

static int zstd_init(struct wl_in *in)
{
	in->dec = ZSTD_createDCtx();
	return in->dec ? 0 : -ENOMEM;
}

static ssize_t zstd_read(struct wl_in *in, void *buf, size_t n)
{
	ZSTD_outBuffer out = {buf, n, 0};
	while (out.pos < out.size) {
		int rc = wl_in_cfill(in);
		if (rc)
			return rc;
		if (in->cpos == in->clen) {
			if (in->frame_open)
				return wl_in_truncated(in, out.pos);
			break;
		}
		ZSTD_inBuffer ib = {in->cbuf, in->clen, in->cpos};
		size_t r = ZSTD_decompressStream(in->dec, &out, &ib);
		in->cpos = ib.pos;
		if (ZSTD_isError(r))
			return wl_in_corrupt(in, ZSTD_getErrorName(r), out.pos);
		in->frame_open = r != 0;
		if (!in->frame_open && out.pos)
			break; /* frame boundary: hand out what we have */
	}
	return (ssize_t)out.pos;
}

static void zstd_fini(struct wl_in *in)
{
	ZSTD_freeDCtx(in->dec);
}

const struct wl_codec wl_codec_zstd = {
    .name = "zstd",
    .magic = "\x28\xb5\x2f\xfd",
    .magic_len = 4,
    .init = zstd_init,
    .read = zstd_read,
    .fini = zstd_fini,
};
#else
const struct wl_codec wl_codec_zstd = {.name = "zstd", .magic = "\x28\xb5\x2f\xfd", .magic_len = 4};
#endif
