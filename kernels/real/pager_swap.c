/* SPDX-License-Identifier: MIT */
/*
 * kernels/real/pager_swap.c - the pager's swap store and latency histogram.
 *
 * The store is either memory (an anonymous mapping, the model of far
 * memory) or a swap file.  The file is created with O_EXCL under the
 * directory the user chose and unlinked at once: it exists only as long as
 * the descriptor, so it is gone on exit, on a signal and after a crash, and
 * a name that exists already (a symlink planted there, another run's file)
 * is never opened.  Reads and writes are pread/pwrite of whole pages,
 * counted with their time and bytes; O_DIRECT is optional (then buffers are
 * page-aligned, which every caller's are).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pager.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

/*
 * A page into the memory store with non-temporal stores where the CPU has
 * them (SSE2: every x86-64): the slot is written and not read again until
 * its page comes back, usually long after, so the stores bypass the cache
 * (no read-for-ownership of the slot's lines, no eviction of the pager's
 * and the worker's own lines), as a swap-out to far memory would.  Both
 * ends are page-aligned (every caller's are).  The fence orders the
 * streamed stores before anything that reads the slot (the swap-in's
 * UFFDIO_COPY from it).
 */
static void store_pages(char *dst, const char *src, size_t len)
{
#if defined(__x86_64__)
	if (!(((uintptr_t)dst | (uintptr_t)src | len) & 63)) {
		__m128i *d = (__m128i *)(void *)dst;
		const __m128i *q = (const __m128i *)(const void *)src;
		for (size_t i = 0; i < len / 16; i += 4) {
			__m128i a = _mm_load_si128(q + i), b = _mm_load_si128(q + i + 1),
				c = _mm_load_si128(q + i + 2), e = _mm_load_si128(q + i + 3);
			_mm_stream_si128(d + i, a);
			_mm_stream_si128(d + i + 1, b);
			_mm_stream_si128(d + i + 2, c);
			_mm_stream_si128(d + i + 3, e);
		}
		_mm_sfence();
		return;
	}
#endif
	memcpy(dst, src, len);
}

int pb_swap_open(struct pb_swap *s, const char *dir, uint64_t cap, int direct, char *err,
		 size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->cap = cap;
	s->direct = direct;
	if (!dir || !*dir) {
		s->mem = pb_map(cap * PB_PAGE_SIZE, 0);
		if (!s->mem) {
			snprintf(err, errlen, "cannot map a %llu-page swap area",
				 (unsigned long long)cap);
			return -ENOMEM;
		}
		return 0;
	}
	static unsigned serial;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(s->path, sizeof(s->path), "%s/pagebench-swap-%ld-%u", dir, (long)getpid(),
			 __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED));
		s->fd = open(s->path,
			     O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
				 (direct ? O_DIRECT : 0),
			     0600);
		if (s->fd >= 0 || errno != EEXIST)
			break;
	}
	if (s->fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create swap file %s: %s", s->path, strerror(e));
		return -e;
	}
	unlink(s->path); /* lives as long as the descriptor: no leftover on any exit */
	return 0;
}

void pb_swap_close(struct pb_swap *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->mem)
		pb_unmap(s->mem, s->cap * PB_PAGE_SIZE);
	s->mem = NULL;
}

int64_t pb_swap_alloc(struct pb_swap *s)
{
	if (s->used >= s->cap)
		return -ENOSPC;
	return (int64_t)s->used++;
}

int pb_swap_write(struct pb_swap *s, uint64_t slot, const void *buf, uint64_t n)
{
	if (slot + n > s->cap)
		return -ENOSPC;
	uint64_t t0 = pb_now_ns();
	s->writes++;
	if (s->fail_write_at && s->writes == s->fail_write_at)
		return -EIO;
	size_t len = n * PB_PAGE_SIZE;
	if (s->fd < 0) {
		store_pages(s->mem + slot * PB_PAGE_SIZE, buf, len);
	} else {
		ssize_t w = pwrite(s->fd, buf, len, (off_t)(slot * PB_PAGE_SIZE));
		if (w < 0)
			return -errno;
		if ((size_t)w != len)
			return -EIO;
	}
	s->bytes_written += len;
	s->write_ns += pb_now_ns() - t0;
	return 0;
}

int pb_swap_read(struct pb_swap *s, uint64_t slot, void *buf, uint64_t n)
{
	if (slot + n > s->cap)
		return -EINVAL;
	uint64_t t0 = pb_now_ns();
	size_t len = n * PB_PAGE_SIZE;
	s->reads++;
	if (s->fd < 0) {
		memcpy(buf, s->mem + slot * PB_PAGE_SIZE, len);
	} else {
		ssize_t r = pread(s->fd, buf, len, (off_t)(slot * PB_PAGE_SIZE));
		if (r < 0)
			return -errno;
		if ((size_t)r != len)
			return -EIO;
	}
	s->bytes_read += len;
	s->read_ns += pb_now_ns() - t0;
	return 0;
}

/* Bucket of ns: 4 sub-buckets per power of two above 4 ns, exact below. */
static unsigned hist_bucket(uint64_t ns)
{
	if (ns < PB_HIST_SUB)
		return (unsigned)ns;
	unsigned lg = 63 - (unsigned)__builtin_clzll(ns); /* >= 2 */
	unsigned sub = (unsigned)(ns >> (lg - 2)) & (PB_HIST_SUB - 1);
	unsigned b = (lg - 1) * PB_HIST_SUB + sub;
	return b < PB_HIST_BUCKETS ? b : PB_HIST_BUCKETS - 1;
}

void pb_hist_bounds(unsigned b, uint64_t *lo, uint64_t *hi)
{
	if (b < PB_HIST_SUB) {
		*lo = b;
		*hi = b + 1;
		return;
	}
	unsigned lg = b / PB_HIST_SUB + 1, sub = b % PB_HIST_SUB;
	*lo = (1ULL << lg) + (uint64_t)sub * (1ULL << (lg - 2));
	*hi = *lo + (1ULL << (lg - 2));
}

void pb_hist_add(struct pb_hist *h, uint64_t ns)
{
	h->count[hist_bucket(ns)]++;
	h->n++;
	if (ns > h->max)
		h->max = ns;
}

void pb_hist_merge(struct pb_hist *into, const struct pb_hist *from)
{
	for (unsigned b = 0; b < PB_HIST_BUCKETS; b++)
		into->count[b] += from->count[b];
	into->n += from->n;
	if (from->max > into->max)
		into->max = from->max;
}

uint64_t pb_hist_quantile(const struct pb_hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n + 0.999999), seen = 0;
	if (want < 1)
		want = 1;
	for (unsigned b = 0; b < PB_HIST_BUCKETS; b++) {
		seen += h->count[b];
		if (seen >= want) {
			uint64_t lo, hi;
			pb_hist_bounds(b, &lo, &hi);
			return hi < h->max ? hi : h->max;
		}
	}
	return h->max;
}
