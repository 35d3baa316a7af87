/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/input.c - the byte source under every trace reader.
 *
 * A file (or a pipe, for `trace record`) is read in 1 MiB chunks; when its
 * first bytes are the magic number of a codec in the table below, the
 * chunks go through that codec's streaming decompressor (codec_zstd.c,
 * codec_gzip.c, codec_xz.c), so a trace of any size is read with bounded
 * memory and is never decompressed to disk.  Concatenated frames/members
 * are accepted (zstd -c a b, cat x.gz y.gz).  A stream that ends inside a
 * frame is an error naming the decompressed and the compressed byte
 * offset, never a silently short trace.  Without the library in the build the magic is still
 * recognised and reported ("built without zstd").
 *
 * Adding a codec: one file codec_NAME.c defining a const struct wl_codec
 * (its #if PB_HAVE_* only there) and one entry in codecs[] below.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wl_internal.h"

#define WL_CBUF (1u << 20)

/* The codec registration table (the plain codec is the fallback). */
static const struct wl_codec *const codecs[] = {&wl_codec_zstd, &wl_codec_gzip, &wl_codec_xz};

/*
 * ---- XXH64 (seed 0) of the bytes read from the file, as they are read ----
 * The file's identity in meta.json (harness/vm_drive.c) where a replay
 * read all of it: every byte, so two traces that differ anywhere differ
 * there (a hash of the first and last MiB cannot tell a change in the
 * middle).  libxxhash's XXH64 (what `xxhsum -H64` prints): ~10 GB/s, under
 * 1% of a replay that parses the bytes (FNV-1a byte by byte, pb_fnv1a64,
 * the partial hash's, would cost ~7% of a text trace's sim).
 */
void wl_in_hash(struct wl_in *in, const void *bytes, uint64_t from, uint64_t to)
{
	if (to <= in->hashed || from > in->hashed)
		return; /* hashed already, or not contiguous (never: reads are in order) */
	XXH64_update(&in->hash, (const char *)bytes + (in->hashed - from), to - in->hashed);
	in->hashed = to;
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
	wl_in_hash(in, buf, in->raw_off, in->raw_off + got);
	in->raw_off += got;
	return (ssize_t)got;
}

int wl_in_cfill(struct wl_in *in)
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

/* The compressed bytes the decoder has taken (read, less those buffered). */
static uint64_t in_taken(const struct wl_in *in)
{
	return in->raw_off - (in->clen - in->cpos);
}

int wl_in_truncated(struct wl_in *in, size_t done)
{
	snprintf(in->err, in->errlen,
		 "%s: decompressed byte %llu: %s stream cut short at compressed byte %llu "
		 "(truncated compressed file)",
		 in->name, (unsigned long long)(in->out_off + done), in->codec->name,
		 (unsigned long long)in->raw_off);
	return -EINVAL;
}

int wl_in_corrupt(struct wl_in *in, const char *what, size_t done)
{
	/* the decoder stops where it sees the damage: among the bytes taken */
	snprintf(in->err, in->errlen,
		 "%s: decompressed byte %llu: corrupt %s stream: %s (at or before compressed "
		 "byte %llu)",
		 in->name, (unsigned long long)(in->out_off + done), in->codec->name, what,
		 (unsigned long long)in_taken(in));
	return -EINVAL;
}

const char *wl_in_byte_word(const struct wl_in *in)
{
	return in->codec && in->codec != &wl_codec_none ? "decompressed byte" : "byte";
}

int wl_in_open(struct wl_in *in, const char *path, int fd, char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	in->err = err;
	in->errlen = errlen;
	in->name = path ? path : "<pipe>";
	in->codec = &wl_codec_none;
	XXH64_reset(&in->hash, 0);
	struct stat st; /* once: what the path is, and a regular file's size */
	int stat_ok = 0;
	if (fd >= 0) {
		in->fd = fd;
		stat_ok = !fstat(in->fd, &st);
	} else {
		/* O_NONBLOCK: a FIFO without a writer must not hang the open */
		in->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (in->fd < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
			return -e;
		}
		in->own_fd = 1;
		stat_ok = !fstat(in->fd, &st);
		if (stat_ok && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: a directory, not a trace file", path);
			wl_in_close(in);
			return -EISDIR;
		}
		/* a FIFO blocks on a missing writer; a device never ends
		 * (/dev/zero read as u64 page numbers ran until killed) */
		if (stat_ok && !S_ISREG(st.st_mode)) {
			snprintf(err, errlen,
				 "%s: a %s, not a trace file (write the stream to a file first)",
				 path,
				 S_ISFIFO(st.st_mode)	? "FIFO"
				 : S_ISSOCK(st.st_mode) ? "socket"
							: "device");
			wl_in_close(in);
			return -EINVAL;
		}
		int fl = fcntl(in->fd, F_GETFL);
		if (fl >= 0)
			(void)fcntl(in->fd, F_SETFL, fl & ~O_NONBLOCK);
		posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	if (stat_ok && S_ISREG(st.st_mode) && st.st_size > 0)
		in->size = (uint64_t)st.st_size; /* how far a read has come */
	in->ccap = WL_CBUF;
	in->cbuf = malloc(in->ccap);
	if (!in->cbuf) {
		wl_in_close(in);
		return -ENOMEM;
	}
	int rc = wl_in_cfill(in);
	if (rc) {
		wl_in_close(in);
		return rc;
	}
	for (size_t i = 0; i < PB_ARRAY_SIZE(codecs); i++)
		if (in->clen >= codecs[i]->magic_len &&
		    !memcmp(in->cbuf, codecs[i]->magic, codecs[i]->magic_len))
			in->codec = codecs[i];
	if (in->codec == &wl_codec_none)
		return 0;
	rc = in->codec->init ? in->codec->init(in) : -ENOTSUP;
	if (rc == -ENOTSUP)
		snprintf(err, errlen, "%s: byte 0: %s-compressed, but this build has no %s support",
			 in->name, in->codec->name, in->codec->name);
	if (rc) {
		wl_in_close(in);
		return rc;
	}
	return 0;
}

/* The plain codec: hand out what the magic sniffing buffered, then read. */
static ssize_t none_read(struct wl_in *in, void *buf, size_t n)
{
	size_t got = 0;
	if (in->cpos < in->clen) {
		got = in->clen - in->cpos < n ? in->clen - in->cpos : n;
		memcpy(buf, in->cbuf + in->cpos, got);
		in->cpos += got;
	}
	if (got < n && !in->ceof) {
		ssize_t r = raw_read(in, (char *)buf + got, n - got);
		if (r < 0)
			return r;
		if (r == 0)
			in->ceof = 1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

const struct wl_codec wl_codec_none = {
    .name = "none",
    .read = none_read,
};

ssize_t wl_in_read(struct wl_in *in, void *buf, size_t n)
{
	ssize_t r = in->codec->read(in, buf, n);
	if (r > 0)
		in->out_off += (uint64_t)r;
	if (r < 0 || in->codec == &wl_codec_none)
		return r;
	/* a mark per read; a read that delivers nothing (the stream's end: an
	 * xz index, a gzip trailer) moves the newest mark's compressed count */
	unsigned k = in->nmarks ? (in->nmarks - 1) % WL_IN_MARKS : 0;
	if (!in->nmarks || in->marks[k].out != in->out_off) {
		k = in->nmarks++ % WL_IN_MARKS;
		in->marks[k].out = in->out_off;
	}
	in->marks[k].in = in_taken(in);
	return r;
}

uint64_t wl_in_source_offset(const struct wl_in *in, uint64_t out)
{
	if (in->codec == &wl_codec_none)
		return out;
	/* the marks kept, oldest first; before the oldest: from (0, 0) */
	uint64_t lo_out = 0, lo_in = 0;
	unsigned have = in->nmarks < WL_IN_MARKS ? in->nmarks : WL_IN_MARKS;
	for (unsigned i = in->nmarks - have; i < in->nmarks; i++) {
		uint64_t mo = in->marks[i % WL_IN_MARKS].out, mi = in->marks[i % WL_IN_MARKS].in;
		if (mo > out) /* between lo and this mark: in proportion */
			return lo_in + (uint64_t)((double)(mi - lo_in) * (double)(out - lo_out) /
						  (double)(mo - lo_out));
		lo_out = mo;
		lo_in = mi;
	}
	return lo_in;
}

void wl_in_close(struct wl_in *in)
{
	if (in->dec && in->codec && in->codec->fini)
		in->codec->fini(in);
	in->dec = NULL;
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	free(in->cbuf);
	in->cbuf = NULL;
}
