/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/pbt.c - pagebench's binary trace format: writer and
 * reader (layout in include/pagebench/trace.h).
 *
 * Why this encoding: replay wants hundreds of millions of references per
 * second from one core, so decoding must be branch-light.  Each reference
 * is one control byte plus a fixed-width little-endian page delta whose
 * width (0-8 bytes) the control byte gives: decoding is an unaligned 8-byte
 * load and a mask (no varint loop), and the common case (same asid, thread
 * and flags as the previous reference) touches no third stream.  Typical
 * traces need 2-4 raw bytes per reference before zstd (sequential runs:
 * 1-2), and zstd decompresses at GB/s with a content checksum per frame.
 * Before a block is decoded its control bytes are summed once, so the
 * decoder knows the delta and change streams have exactly the declared
 * lengths and needs no per-reference bounds check; any inconsistency
 * (impossible sizes, a bad op, a missing end block, a count that does not
 * match) is an error with the byte offset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/config.h"
#include "pagebench/outfile.h"
#include "pagebench/trace.h"
#include "wl_internal.h"

#if PB_HAVE_ZSTD
/* for ZSTD_c_literalCompressionMode and ZSTD_ps_disable: a parameter of
 * ZSTD_CCtx_setParameter (stable in the shared library since zstd 1.4.5),
 * not one of the static-only functions */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#endif

#define HDR_SIZE       64
#define BLK_HDR	       32
#define MAX_BLOCK_REFS (1u << 20)
#define CHG_BYTES      7
#define RAW_MAX(n)     ((size_t)(n) * (1 + 8 + CHG_BYTES))

static inline void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static inline void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Checksum of an uncompressed block (zstd blocks carry zstd's own). */
static uint32_t blk_sum(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p + i, n - i);
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(h ^ (h >> 32));
}

/* ---------------- writer ---------------- */
struct pb_pbt_writer {
	int fd;
	struct pb_out *out_file; /* temporary beside the target (pagebench/outfile.h) */
	char *path;
	unsigned shift;
	unsigned backing; /* header byte 36: enum wl_backing of the source, 0 unknown */
	int level;
	uint64_t total;
	uint32_t n; /* refs in the current block */
	uint8_t *ctrl, *delta, *chg;
	size_t dlen, clen;
	uint64_t prev;
	uint32_t asid;
	uint8_t thread;
	uint16_t flags;
	uint8_t *raw, *out;
	size_t outcap;
	void *cctx;
	int failed;
};

static int wr_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t r = write(fd, c, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The header's checksum (bytes 0-59, at 60): never 0, which marks a
 * header written before it had one (not checked). */
static uint32_t hdr_sum(const uint8_t *h)
{
	uint32_t v = blk_sum(h, 60);
	return v ? v : 1;
}

static void write_header(uint8_t *h, unsigned shift, int codec, uint64_t nrefs, unsigned backing)
{
	memset(h, 0, HDR_SIZE);
	memcpy(h, WL_PBT_MAGIC, 8);
	put32(h + 8, PB_PBT_VERSION);
	put32(h + 12, HDR_SIZE);
	put32(h + 16, shift);
	put32(h + 20, (uint32_t)codec);
	put64(h + 24, nrefs);
	put32(h + 32, PB_PBT_BLOCK_REFS);
	put32(h + 36, backing);
	put32(h + 60, hdr_sum(h));
}

int pb_pbt_create(const char *path, unsigned page_shift, int level, unsigned flags,
		  struct pb_pbt_writer **out, char *err, size_t errlen)
{
	if (page_shift > 40) {
		snprintf(err, errlen, "%s: page shift %u too large", path, page_shift);
		return -EINVAL;
	}
#if !PB_HAVE_ZSTD
	level = 0;
#endif
	struct pb_pbt_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->shift = page_shift;
	w->level = level;
	w->path = strdup(path);
	w->ctrl = malloc(PB_PBT_BLOCK_REFS);
	w->delta = malloc((size_t)PB_PBT_BLOCK_REFS * 8);
	w->chg = malloc((size_t)PB_PBT_BLOCK_REFS * CHG_BYTES);
	w->raw = malloc(RAW_MAX(PB_PBT_BLOCK_REFS));
	w->outcap = RAW_MAX(PB_PBT_BLOCK_REFS) + (1u << 16);
	w->out = malloc(w->outcap);
	if (!w->path || !w->ctrl || !w->delta || !w->chg || !w->raw || !w->out) {
		pb_pbt_abort(w);
		return -ENOMEM;
	}
	int rc = pb_out_open(path, flags & ~PB_PBT_HUFFMAN, &w->out_file, err, errlen);
	if (rc) {
		pb_pbt_abort(w);
		return rc;
	}
	w->fd = pb_out_fd(w->out_file);
#if PB_HAVE_ZSTD
	if (level < ZSTD_minCLevel())
		level = ZSTD_minCLevel();
	if (level != 0) {
		w->cctx = ZSTD_createCCtx();
		if (!w->cctx) {
			pb_pbt_abort(w);
			return -ENOMEM;
		}
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
		/* literals stored raw unless asked: replay reads a trace many
		 * times, and decoding Huffman-coded literals was 60% of a
		 * random-looking trace's read time for 6-12% of its size
		 * (docs/workloads.md); the fast levels store them raw anyway */
		if (level > 0 && !(flags & PB_PBT_HUFFMAN)) {
			size_t z = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_literalCompressionMode,
							  ZSTD_ps_disable);
			if (ZSTD_isError(z)) {
				snprintf(err, errlen,
					 "%s: this libzstd cannot store literals raw (%s): use "
					 "--huffman",
					 path, ZSTD_getErrorName(z));
				pb_pbt_abort(w);
				return -ENOTSUP;
			}
		}
	}
#endif
	uint8_t h[HDR_SIZE];
	write_header(h, page_shift, level != 0, 0, 0);
	rc = wr_all(w->fd, h, HDR_SIZE);
	if (rc) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(-rc));
		pb_pbt_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

static int flush_block(struct pb_pbt_writer *w)
{
	if (!w->n)
		return 0;
	size_t raw_len = w->n + w->dlen + w->clen;
	memcpy(w->raw, w->ctrl, w->n);
	memcpy(w->raw + w->n, w->delta, w->dlen);
	memcpy(w->raw + w->n + w->dlen, w->chg, w->clen);
	const uint8_t *payload = w->raw;
	size_t stored = raw_len;
	uint32_t codec = 0;
#if PB_HAVE_ZSTD
	if (w->cctx) {
		size_t c = ZSTD_compress2(w->cctx, w->out, w->outcap, w->raw, raw_len);
		if (!ZSTD_isError(c) && c < raw_len) {
			payload = w->out;
			stored = c;
			codec = 1;
		}
	}
#endif
	uint8_t bh[BLK_HDR];
	memcpy(bh, "PBTB", 4);
	put32(bh + 4, w->n);
	put32(bh + 8, (uint32_t)raw_len);
	put32(bh + 12, (uint32_t)stored);
	put32(bh + 16, (uint32_t)w->dlen);
	put32(bh + 20, codec);
	put32(bh + 24, codec ? 0 : blk_sum(payload, stored));
	put32(bh + 28, 0);
	int rc = wr_all(w->fd, bh, BLK_HDR);
	if (!rc)
		rc = wr_all(w->fd, payload, stored);
	w->n = 0;
	w->dlen = w->clen = 0;
	w->prev = 0;
	w->asid = 0;
	w->thread = 0;
	w->flags = 0;
	return rc;
}

int pb_pbt_write(struct pb_pbt_writer *w, const struct pb_access *a, size_t n)
{
	if (w->failed)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		uint64_t page = a[i].addr >> w->shift;
		int64_t d = (int64_t)(page - w->prev);
		uint64_t zz = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
		unsigned nb = zz ? (unsigned)(64 - __builtin_clzll(zz) + 7) / 8 : 0;
		uint8_t c = (uint8_t)((a[i].op & 3) | (nb << 2));
		if (a[i].asid != w->asid || a[i].thread != w->thread || a[i].flags != w->flags) {
			c |= 1u << 6;
			uint8_t *p = w->chg + w->clen;
			put32(p, a[i].asid);
			p[4] = a[i].thread;
			memcpy(p + 5, &a[i].flags, 2);
			w->clen += CHG_BYTES;
			w->asid = a[i].asid;
			w->thread = a[i].thread;
			w->flags = a[i].flags;
		}
		w->ctrl[w->n++] = c;
		memcpy(w->delta + w->dlen, &zz, 8); /* little-endian host */
		w->dlen += nb;
		w->prev = page;
		w->total++;
		if (w->n == PB_PBT_BLOCK_REFS) {
			int rc = flush_block(w);
			if (rc) {
				w->failed = 1;
				return rc;
			}
		}
	}
	return 0;
}

void wl_pbt_set_backing(struct pb_pbt_writer *w, enum wl_backing backing)
{
	w->backing = (unsigned)backing;
}

uint64_t pb_pbt_written(const struct pb_pbt_writer *w)
{
	return w->total;
}

int pb_pbt_finish(struct pb_pbt_writer *w, char *err, size_t errlen)
{
	int rc = w->failed ? -EIO : flush_block(w);
	if (!rc) {
		uint8_t e[BLK_HDR] = {0};
		memcpy(e, "PBTE", 4);
		put64(e + 8, w->total);
		rc = wr_all(w->fd, e, sizeof(e));
	}
	if (!rc) {
		uint8_t h[HDR_SIZE];
		write_header(h, w->shift, w->level > 0, w->total, w->backing);
		ssize_t r = pwrite(w->fd, h, HDR_SIZE, 0);
		if (r != HDR_SIZE)
			rc = r < 0 ? -errno : -EIO;
	}
	if (rc) {
		snprintf(err, errlen, "%s: writing the trace failed: %s", w->path, strerror(-rc));
		pb_pbt_abort(w);
		return rc;
	}
	/* fsync, close, rename over the target (never a device, FIFO or
	 * symlink; an existing file only with PB_OUT_FORCE) */
	rc = pb_out_commit(w->out_file, err, errlen);
	w->out_file = NULL;
	w->fd = -1;
	pb_pbt_abort(w);
	return rc;
}

void pb_pbt_abort(struct pb_pbt_writer *w)
{
	if (!w)
		return;
	pb_out_abort(w->out_file); /* closes the fd, removes the temporary */
#if PB_HAVE_ZSTD
	if (w->cctx)
		ZSTD_freeCCtx(w->cctx);
#endif
	free(w->path);
	free(w->ctrl);
	free(w->delta);
	free(w->chg);
	free(w->raw);
	free(w->out);
	free(w);
}

/* ---------------- reader ---------------- */
/* struct pb_access's bytes 8-15 as one little-endian word (the delta
 * loads assume a little-endian host too) */
_Static_assert(offsetof(struct pb_access, asid) == 8 && offsetof(struct pb_access, op) == 12 &&
		   offsetof(struct pb_access, thread) == 13 &&
		   offsetof(struct pb_access, flags) == 14 && sizeof(struct pb_access) == 16,
	       "pb_access layout");
#define META_OP 32
#define META(asid, thread, flags)                                                                  \
	((uint64_t)(asid) | (uint64_t)(thread) << 40 | (uint64_t)(flags) << 48)

static const uint64_t nbmask[9] = {
    0,
    0xffULL,
    0xffffULL,
    0xffffffULL,
    0xffffffffULL,
    0xffffffffffULL,
    0xffffffffffffULL,
    0xffffffffffffffULL,
    ~0ULL,
};

struct wl_pbt_reader {
	wl_read_fn rd;
	void *ctx;
	const char *name;
	const char *byte_word; /* "byte", or "decompressed byte" (wl_in_byte_word) */
	char err[WL_ERRLEN];
	unsigned shift;
	uint64_t off; /* stream offset of the next unread byte */
	uint64_t hdr_refs, total;
	uint8_t *stored, *raw;
	size_t scap, rcap;
	void *dctx;
	/* current block */
	const uint8_t *ctrl, *dp, *cp;
	uint32_t left;
	uint64_t page;
	uint64_t meta; /* the current asid, thread and flags: bytes 8-15 of an access, op 0 */
	/* per control byte (a valid one is < 128): its delta's mask and
	 * width, its op in bytes 8-15 of an access (arrays, not one array of
	 * structs: indexed by the byte with no multiply) */
	uint64_t dmask[128], dop[128];
	uint8_t width[128];
	uint64_t blocks[2]; /* blocks read, by codec: 0 stored, 1 zstd */
	int done, failed;
};

PB_PRINTF(3, 4) static int rerr(struct wl_pbt_reader *r, uint64_t off, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s: %s %llu: %s", r->name, r->byte_word,
		 (unsigned long long)off, what);
	r->failed = 1;
	return -EINVAL;
}

/* Read exactly n bytes; returns n, fewer at EOF, or -errno. */
static ssize_t rd_exact(struct wl_pbt_reader *r, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t x = r->rd(r->ctx, (char *)buf + got, n - got);
		if (x < 0) {
			r->failed = 1;
			return x;
		}
		if (x == 0)
			break;
		got += (size_t)x;
	}
	r->off += got;
	return (ssize_t)got;
}

int wl_pbt_open(wl_read_fn rd, void *ctx, const char *name, const char *byte_word,
		struct wl_pbt_reader **out, unsigned *page_shift, unsigned *backing, char *err,
		size_t errlen)
{
	struct wl_pbt_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->rd = rd;
	r->ctx = ctx;
	r->name = name;
	r->byte_word = byte_word ? byte_word : "byte";
	uint8_t h[HDR_SIZE];
	ssize_t got = rd_exact(r, h, HDR_SIZE);
	int rc = 0;
	if (got < 0)
		rc = (int)got;
	else if ((size_t)got >= 8 && memcmp(h, WL_PBT_MAGIC, 8))
		rc = rerr(r, 0, "not a pbt file (bad magic)");
	else if (got < HDR_SIZE)
		rc =
		    rerr(r, (uint64_t)got, "truncated pbt header (%zd of %d bytes)", got, HDR_SIZE);
	else if (get32(h + 60) && get32(h + 60) != hdr_sum(h))
		rc = rerr(r, 60,
			  "header checksum mismatch (corrupt header: page size, count or "
			  "backing cannot be trusted)");
	else if (get32(h + 8) != PB_PBT_VERSION)
		rc = rerr(r, 8, "unsupported pbt version %u (this reader knows %d)", get32(h + 8),
			  PB_PBT_VERSION);
	else if (get32(h + 12) != HDR_SIZE)
		rc =
		    rerr(r, 12, "impossible header size %u (expected %d)", get32(h + 12), HDR_SIZE);
	else if (get32(h + 16) > 40)
		rc = rerr(r, 16, "impossible page shift %u", get32(h + 16));
	else if (get32(h + 20) > 1)
		rc = rerr(r, 20, "unknown codec %u", get32(h + 20));
	else if (get32(h + 36) > WL_BACKING_file)
		rc = rerr(r, 36, "unknown backing %u", get32(h + 36));
	if (rc) {
		snprintf(err, errlen, "%s", r->err[0] ? r->err : "pbt: read error");
		free(r);
		return rc;
	}
	r->shift = get32(h + 16);
	r->hdr_refs = get64(h + 24);
	for (unsigned c = 0; c < 128; c++) {
		unsigned nb = (c >> 2) & 15;
		r->width[c] = (uint8_t)nb;
		r->dmask[c] = nb > 8 ? 0 : nbmask[nb];
		r->dop[c] = (uint64_t)(c & 3) << META_OP;
	}
	*page_shift = r->shift;
	*backing = get32(h + 36);
	*out = r;
	return 0;
}

const char *wl_pbt_error(const struct wl_pbt_reader *r)
{
	return r->err;
}

static int grow_buf(uint8_t **p, size_t *cap, size_t need)
{
	if (*cap >= need)
		return 0;
	free(*p);
	*p = malloc(need);
	*cap = *p ? need : 0;
	return *p ? 0 : -ENOMEM;
}

static int next_block(struct wl_pbt_reader *r)
{
	uint8_t bh[BLK_HDR];
	uint64_t at = r->off;
	ssize_t got = rd_exact(r, bh, BLK_HDR);
	if (got < 0)
		return (int)got;
	if (got == 0)
		return rerr(r, at, "truncated: no end block after %llu references",
			    (unsigned long long)r->total);
	if (got < BLK_HDR)
		return rerr(r, at, "truncated block header (%zd of %d bytes)", got, BLK_HDR);
	if (!memcmp(bh, "PBTE", 4)) {
		uint64_t tot = get64(bh + 8);
		if (tot != r->total)
			return rerr(r, at, "end block says %llu references, the blocks hold %llu",
				    (unsigned long long)tot, (unsigned long long)r->total);
		if (r->hdr_refs && r->hdr_refs != tot)
			return rerr(r, 24, "header says %llu references, the blocks hold %llu",
				    (unsigned long long)r->hdr_refs, (unsigned long long)tot);
		uint8_t extra;
		if (rd_exact(r, &extra, 1) != 0)
			return rerr(r, r->off - 1, "garbage after the end block");
		r->done = 1;
		return 0;
	}
	if (memcmp(bh, "PBTB", 4))
		return rerr(r, at, "bad block magic (corrupt file)");
	uint32_t n = get32(bh + 4), raw_len = get32(bh + 8), stored = get32(bh + 12);
	uint32_t dlen = get32(bh + 16), codec = get32(bh + 20);
	if (n == 0 || n > MAX_BLOCK_REFS)
		return rerr(r, at + 4, "impossible block size %u references", n);
	if (raw_len < n || raw_len > RAW_MAX(n) || dlen > raw_len - n || dlen > (size_t)n * 8 ||
	    (raw_len - n - dlen) % CHG_BYTES)
		return rerr(r, at + 8, "impossible block lengths (raw %u, deltas %u, refs %u)",
			    raw_len, dlen, n);
	if (codec > 1 || (codec == 0 && stored != raw_len) ||
	    (codec == 1 && stored > raw_len + (1u << 16)))
		return rerr(r, at + 12, "impossible stored size %u (codec %u, raw %u)", stored,
			    codec, raw_len);
	if (grow_buf(&r->stored, &r->scap, stored + 16) ||
	    grow_buf(&r->raw, &r->rcap, raw_len + 16))
		return -ENOMEM;
	r->blocks[codec]++;
	got = rd_exact(r, r->stored, stored);
	if (got < 0)
		return (int)got;
	if ((size_t)got < stored)
		return rerr(r, r->off, "truncated block: %zd of %u payload bytes", got, stored);
	uint8_t *raw = r->stored;
	if (codec == 1) {
#if PB_HAVE_ZSTD
		if (!r->dctx && !(r->dctx = ZSTD_createDCtx()))
			return -ENOMEM;
		size_t d = ZSTD_decompressDCtx(r->dctx, r->raw, r->rcap, r->stored, stored);
		if (ZSTD_isError(d))
			return rerr(r, at + BLK_HDR, "corrupt zstd block: %s",
				    ZSTD_getErrorName(d));
		if (d != raw_len)
			return rerr(r, at + BLK_HDR,
				    "block decompressed to %zu bytes, header says %u", d, raw_len);
		raw = r->raw;
#else
		return rerr(r, at + 20, "zstd-compressed block, but this build has no zstd");
#endif
	} else if (blk_sum(raw, raw_len) != get32(bh + 24)) {
		return rerr(r, at + BLK_HDR, "block checksum mismatch (corrupt file)");
	}
	memset(raw + raw_len, 0, 8); /* padding for the 8-byte delta loads */
	/* validate the streams' lengths against the control bytes: 16-bit
	 * sums over 4Ki bytes at a time (at most 15 * 4096 each), so that the
	 * loop is vectorised over bytes without widening each to 64 bits */
	size_t sum = 0, nchg = 0;
	unsigned badop = 0;
	for (uint32_t i = 0; i < n;) {
		uint32_t e = n - i > 4096 ? i + 4096 : n;
		uint16_t s16 = 0, c16 = 0;
		uint8_t b8 = 0;
		for (; i < e; i++) {
			uint8_t c = raw[i];
			s16 += (c >> 2) & 15;
			c16 += (c >> 6) & 1;
			b8 |= (uint8_t)(((c & 3) == 3) | (((c >> 2) & 15) > 8) | (c >> 7));
		}
		sum += s16;
		nchg += c16;
		badop |= b8;
	}
	if (badop)
		return rerr(r, at + BLK_HDR, "bad control byte in block (corrupt file)");
	if (sum != dlen || n + dlen + nchg * CHG_BYTES != raw_len)
		return rerr(r, at + BLK_HDR, "block streams do not match their control bytes");
	r->ctrl = raw;
	r->dp = raw + n;
	r->cp = raw + n + dlen;
	r->left = n;
	r->page = 0;
	r->meta = 0;
	r->total += n;
	return 0;
}

ssize_t wl_pbt_next(struct wl_pbt_reader *r, struct pb_access *buf, size_t n)
{
	if (r->failed)
		return -EINVAL;
	size_t k = 0;
	while (k < n) {
		if (!r->left) {
			if (r->done)
				break;
			int rc = next_block(r);
			if (rc)
				return rc;
			continue;
		}
		size_t m = r->left < n - k ? r->left : n - k;
		const uint8_t *ctrl = r->ctrl, *dp = r->dp, *cp = r->cp;
		uint64_t page = r->page, meta = r->meta;
		unsigned shift = r->shift;
		char *o = (char *)(buf + k);
		/* two 8-byte stores an access (address; asid, op, thread and
		 * flags as one word), not one per field */
		for (size_t i = 0; i < m; i++, o += sizeof(struct pb_access)) {
			uint8_t c = ctrl[i]; /* < 128: next_block checked */
			uint64_t zz;
			memcpy(&zz, dp, 8);
			zz &= r->dmask[c];
			dp += r->width[c];
			page += (zz >> 1) ^ (0 - (zz & 1));
			if (pb_unlikely(c & 0x40)) {
				uint32_t asid;
				uint16_t flags;
				memcpy(&asid, cp, 4);
				memcpy(&flags, cp + 5, 2);
				meta = META(asid, cp[4], flags);
				cp += CHG_BYTES;
			}
			uint64_t addr = page << shift, w = meta | r->dop[c];
			memcpy(o, &addr, 8);
			memcpy(o + 8, &w, 8);
		}
		r->ctrl = ctrl + m;
		r->dp = dp;
		r->cp = cp;
		r->page = page;
		r->meta = meta;
		r->left -= (uint32_t)m;
		k += m;
	}
	return (ssize_t)k;
}

void wl_pbt_blocks(const struct wl_pbt_reader *r, uint64_t blocks[2])
{
	blocks[0] = r->blocks[0];
	blocks[1] = r->blocks[1];
}

void wl_pbt_close(struct wl_pbt_reader *r)
{
	if (!r)
		return;
#if PB_HAVE_ZSTD
	if (r->dctx)
		ZSTD_freeDCtx(r->dctx);
#endif
	free(r->stored);
	free(r->raw);
	free(r);
}
