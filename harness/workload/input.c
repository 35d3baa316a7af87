/*
 * harness/workload/input.c - the byte source under every trace reader.
 *
 * A file (or a pipe, for `trace record`) is read in 1 MiB chunks; when its
 * first bytes are a zstd, gzip or xz magic number the chunks go through the
 * matching streaming decompressor (libzstd, zlib, liblzma), so a trace of
 * any size is read with bounded memory and is never decompressed to disk.
 * Concatenated frames/members are accepted (zstd -c a b, cat x.gz y.gz).  A
 * stream that ends inside a frame is an error naming the compressed byte
 * offset, never a silently short trace.  Without the library in the build
 * the magic is still recognised and reported ("built without zstd").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/config.h"
#include "wl_internal.h"

#if PB_HAVE_ZSTD
#include <zstd.h>
#endif
#if PB_HAVE_ZLIB
#include <zlib.h>
#endif
#if PB_HAVE_LZMA
#include <lzma.h>
#endif

#define WL_CBUF (1u << 20)

const char *wl_comp_name(enum wl_comp c)
{
	static const char *const names[] = {"none", "zstd", "gzip", "xz"};
	return names[c];
}

static ssize_t raw_read(struct wl_in *in, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(in->fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			snprintf(in->err, in->errlen, "%s: read failed: %s", in->name, strerror(e));
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Refill the compressed buffer when it is empty. */
static int cfill(struct wl_in *in)
{
	if (in->cpos < in->clen || in->ceof)
		return 0;
	ssize_t r = raw_read(in, in->cbuf, in->ccap);
	if (r < 0)
		return (int)r;
	in->cpos = 0;
	in->clen = (size_t)r;
	if (r == 0)
		in->ceof = 1;
	return 0;
}

PB_UNUSED static int truncated(struct wl_in *in)
{
	snprintf(in->err, in->errlen,
		 "%s: byte %llu: %s stream cut short (truncated compressed file)", in->name,
		 (unsigned long long)in->out_off, wl_comp_name(in->comp));
	return -EIO;
}

PB_UNUSED static int corrupt(struct wl_in *in, const char *what)
{
	snprintf(in->err, in->errlen, "%s: byte %llu: corrupt %s stream: %s", in->name,
		 (unsigned long long)in->out_off, wl_comp_name(in->comp), what);
	return -EIO;
}

int wl_in_open(struct wl_in *in, const char *path, int fd, char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	in->err = err;
	in->errlen = errlen;
	in->name = path ? path : "<pipe>";
	if (fd >= 0) {
		in->fd = fd;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
			return -e;
		}
		in->own_fd = 1;
		posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	in->ccap = WL_CBUF;
	in->cbuf = malloc(in->ccap);
	if (!in->cbuf) {
		wl_in_close(in);
		return -ENOMEM;
	}
	int rc = cfill(in);
	if (rc) {
		wl_in_close(in);
		return rc;
	}
	const uint8_t *m = in->cbuf;
	size_t n = in->clen;
	if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		in->comp = WL_COMP_ZSTD;
	else if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		in->comp = WL_COMP_GZIP;
	else if (n >= 6 && !memcmp(m, "\xfd" "7zXZ\0", 6))
		in->comp = WL_COMP_XZ;
	switch (in->comp) {
	case WL_COMP_NONE:
		return 0;
	case WL_COMP_ZSTD:
#if PB_HAVE_ZSTD
		in->dec = ZSTD_createDCtx();
		if (!in->dec)
			rc = -ENOMEM;
#else
		rc = -ENOTSUP;
#endif
		break;
	case WL_COMP_GZIP:
#if PB_HAVE_ZLIB
		in->dec = calloc(1, sizeof(z_stream));
		if (!in->dec || inflateInit2((z_stream *)in->dec, 15 + 32) != Z_OK) {
			free(in->dec);
			in->dec = NULL;
			rc = -ENOMEM;
		}
#else
		rc = -ENOTSUP;
#endif
		break;
	case WL_COMP_XZ:
#if PB_HAVE_LZMA
	{
		lzma_stream init = LZMA_STREAM_INIT;
		lzma_stream *s = malloc(sizeof(*s));
		if (!s) {
			rc = -ENOMEM;
			break;
		}
		*s = init;
		if (lzma_stream_decoder(s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
			free(s);
			rc = -ENOMEM;
			break;
		}
		in->dec = s;
	}
#else
		rc = -ENOTSUP;
#endif
		break;
	}
	if (rc == -ENOTSUP)
		snprintf(err, errlen, "%s: byte 0: %s-compressed, but this build has no %s support",
			 in->name, wl_comp_name(in->comp), wl_comp_name(in->comp));
	if (rc) {
		wl_in_close(in);
		return rc;
	}
	return 0;
}

#if PB_HAVE_ZSTD
static ssize_t zstd_read(struct wl_in *in, void *buf, size_t n)
{
	ZSTD_outBuffer out = {buf, n, 0};
	while (out.pos < out.size) {
		int rc = cfill(in);
		if (rc)
			return rc;
		if (in->cpos == in->clen) {
			if (in->frame_open)
				return truncated(in);
			break;
		}
		ZSTD_inBuffer ib = {in->cbuf, in->clen, in->cpos};
		size_t r = ZSTD_decompressStream(in->dec, &out, &ib);
		in->cpos = ib.pos;
		if (ZSTD_isError(r))
			return corrupt(in, ZSTD_getErrorName(r));
		in->frame_open = r != 0;
		if (!in->frame_open && out.pos)
			break; /* frame boundary: hand out what we have */
	}
	return (ssize_t)out.pos;
}
#endif

#if PB_HAVE_ZLIB
static ssize_t gz_read(struct wl_in *in, void *buf, size_t n)
{
	z_stream *z = in->dec;
	z->next_out = buf;
	z->avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
	size_t want = z->avail_out;
	while (z->avail_out) {
		int rc = cfill(in);
		if (rc)
			return rc;
		if (in->cpos == in->clen) {
			if (in->frame_open)
				return truncated(in);
			break;
		}
		if (!in->frame_open) {
			/* a new gzip member must start with the magic */
			if (in->clen - in->cpos >= 1 && in->cbuf[in->cpos] != 0x1f)
				return corrupt(in, "trailing garbage after gzip member");
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
			return corrupt(in, z->msg ? z->msg : "inflate error");
		}
	}
	return (ssize_t)(want - z->avail_out);
}
#endif

#if PB_HAVE_LZMA
static ssize_t xz_read(struct wl_in *in, void *buf, size_t n)
{
	lzma_stream *s = in->dec;
	s->next_out = buf;
	s->avail_out = n;
	while (s->avail_out) {
		int rc = cfill(in);
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
			return truncated(in);
		if (r != LZMA_OK && r != LZMA_BUF_ERROR)
			return corrupt(in, r == LZMA_DATA_ERROR     ? "data error"
					   : r == LZMA_FORMAT_ERROR ? "format error"
								    : "decoder error");
	}
	return (ssize_t)(n - s->avail_out);
}
#endif

ssize_t wl_in_read(struct wl_in *in, void *buf, size_t n)
{
	ssize_t r = 0;
	switch (in->comp) {
	case WL_COMP_NONE: {
		/* drain what the magic sniffing buffered first */
		size_t got = 0;
		if (in->cpos < in->clen) {
			got = in->clen - in->cpos < n ? in->clen - in->cpos : n;
			memcpy(buf, in->cbuf + in->cpos, got);
			in->cpos += got;
		}
		if (got < n && !in->ceof) {
			r = raw_read(in, (char *)buf + got, n - got);
			if (r < 0)
				return r;
			if (r == 0)
				in->ceof = 1;
			got += (size_t)r;
		}
		r = (ssize_t)got;
		break;
	}
	case WL_COMP_ZSTD:
#if PB_HAVE_ZSTD
		r = zstd_read(in, buf, n);
#endif
		break;
	case WL_COMP_GZIP:
#if PB_HAVE_ZLIB
		r = gz_read(in, buf, n);
#endif
		break;
	case WL_COMP_XZ:
#if PB_HAVE_LZMA
		r = xz_read(in, buf, n);
#endif
		break;
	}
	if (r > 0)
		in->out_off += (uint64_t)r;
	return r;
}

void wl_in_close(struct wl_in *in)
{
	if (in->dec) {
		switch (in->comp) {
#if PB_HAVE_ZSTD
		case WL_COMP_ZSTD:
			ZSTD_freeDCtx(in->dec);
			break;
#endif
#if PB_HAVE_ZLIB
		case WL_COMP_GZIP:
			inflateEnd(in->dec);
			free(in->dec);
			break;
#endif
#if PB_HAVE_LZMA
		case WL_COMP_XZ:
			lzma_end(in->dec);
			free(in->dec);
			break;
#endif
		default:
			break;
		}
	}
	in->dec = NULL;
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	free(in->cbuf);
	in->cbuf = NULL;
}
