/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/util.c - the small shared helpers of every layer: the clock,
 * mapped memory, RNG seeding, strict number and list parsing, key=value
 * lists and progress on a terminal.  (Usage errors, which print and exit,
 * stay in the harness: harness/util.c.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/parse.h"

int pb_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t pb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void pb_rng_seed(struct pb_rng *r, uint64_t seed)
{
	uint64_t sm = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = pb_splitmix64(&sm);
}

void *pb_map(size_t bytes, int prefault)
{
	if (bytes == 0)
		bytes = 1;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	if (prefault)
		flags |= MAP_POPULATE;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void *pb_map_nozero(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* a child of fork would share it (its writes the parent's): it
	 * gets no mapping at all, so a use there faults instead */
	(void)madvise(p, bytes ? bytes : 1, MADV_DONTFORK);
	return p;
}

void pb_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

/* ThreadSanitizer intercepts munmap but not mremap: the range a move
 * leaves keeps its shadow, and the next mapping placed there (another
 * thread's pool) reports a race with the old owner's writes.  Under TSan
 * the block moves by copy, which it follows. */
#if defined(__SANITIZE_THREAD__)
#define PB_REMAP_COPIES 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PB_REMAP_COPIES 1
#endif
#endif

void *pb_remap(void *p, size_t old, size_t bytes)
{
	if (!p)
		return pb_map(bytes, 0);
#ifdef PB_REMAP_COPIES
	void *c = pb_map(bytes, 0);
	if (c) {
		memcpy(c, p, old < bytes ? old : bytes);
		pb_unmap(p, old);
	}
	return c;
#else
	void *n = mremap(p, old ? old : 1, bytes ? bytes : 1, MREMAP_MAYMOVE);
	return n == MAP_FAILED ? NULL : n;
#endif
}

uint64_t pb_phys_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	return pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : UINT64_MAX;
}

void *pb_map_huge(size_t bytes, size_t small_head, struct pb_region *r)
{
	r->raw_bytes = bytes + PB_HUGE_SIZE;
	r->raw = pb_map(r->raw_bytes, 0);
	if (!r->raw)
		return NULL;
	char *a = (char *)(((uintptr_t)r->raw + PB_HUGE_SIZE - 1) & ~(uintptr_t)(PB_HUGE_SIZE - 1));
#ifdef MADV_HUGEPAGE
	if (bytes >= small_head + PB_HUGE_SIZE)
		(void)madvise(a + small_head, bytes - small_head, MADV_HUGEPAGE);
#endif
	return a;
}

void pb_unmap_region(struct pb_region *r)
{
	if (r->raw)
		pb_unmap(r->raw, r->raw_bytes);
	r->raw = NULL;
}

int pb_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	for (const char *c = s; *c; c++)
		if (*c < '0' || *c > '9')
			return -EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int pb_parse_double(const char *s, double *out)
{
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int pb_parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	size_t n = strlen(s);
	unsigned shift = 0;
	char last = s[n - 1];
	switch (last) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	char buf[64];
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	if (shift)
		buf[n - 1] = 0;
	uint64_t v;
	int rc = pb_parse_u64(buf, &v);
	if (rc)
		return rc;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int pb_split_list(const char *s, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return -EINVAL;
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == ',';
	char **v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0) {
			pb_free_list(v, k);
			return -EINVAL;
		}
		v[k] = strndup(p, len);
		if (!v[k]) {
			pb_free_list(v, k);
			return -ENOMEM;
		}
		k++;
		if (!e)
			break;
		p = e + 1;
	}
	*out = v;
	*n = k;
	return 0;
}

void pb_free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int pb_parse_u64_list(const char *s, uint64_t **out, size_t *n)
{
	char **items;
	size_t k;
	int rc = pb_split_list(s, &items, &k);
	if (rc)
		return rc;
	uint64_t *v = NULL;
	size_t nv = 0;
	for (size_t i = 0; i < k && !rc; i++) {
		char *dash = strchr(items[i], '-');
		uint64_t lo, hi;
		if (dash) {
			*dash = 0;
			rc = pb_parse_u64(items[i], &lo);
			if (!rc)
				rc = pb_parse_u64(dash + 1, &hi);
			if (!rc && (hi < lo || hi - lo > 4096))
				rc = -EINVAL;
		} else {
			rc = pb_parse_u64(items[i], &lo);
			hi = lo;
		}
		for (uint64_t x = lo; !rc && x <= hi; x++) {
			uint64_t *nvv = realloc(v, (nv + 1) * sizeof(*v));
			if (!nvv) {
				rc = -ENOMEM;
				break;
			}
			v = nvv;
			v[nv++] = x;
			if (x == UINT64_MAX)
				break;
		}
	}
	pb_free_list(items, k);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = nv;
	return 0;
}

/* ---- progress: only when stderr is a terminal ---- */
static struct {
	int active;
	const char *label;
	uint64_t total, done, last_ns, start_ns;
	uint64_t frac_bits; /* atomic: the double of pb_progress_frac; ~0: none */
} prog;

#define PROG_NO_FRAC UINT64_MAX

void pb_progress_begin(const char *label, uint64_t total)
{
	prog.active = isatty(STDERR_FILENO) && !getenv("PAGEBENCH_NO_PROGRESS");
	prog.label = label;
	prog.total = total;
	pb_atomic_store(&prog.done, 0, PB_RELAXED);
	pb_atomic_store(&prog.frac_bits, PROG_NO_FRAC, PB_RELAXED);
	prog.last_ns = 0;
	prog.start_ns = pb_now_ns();
}

void pb_progress_frac(double frac)
{
	if (!prog.active)
		return;
	uint64_t b = PROG_NO_FRAC;
	if (frac >= 0) /* NaN and negatives: none */
		memcpy(&b, &frac, sizeof(b));
	pb_atomic_store(&prog.frac_bits, b, PB_RELAXED);
}

/* "1.2 M" style: the counts of long runs read at a glance */
static void fmt_count(char *b, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(b, len, "%.2f G", v / 1e9);
	else if (v >= 1e6)
		snprintf(b, len, "%.1f M", v / 1e6);
	else
		snprintf(b, len, "%.0f", v);
}

void pb_progress_format(char *buf, size_t len, const char *label, uint64_t done, uint64_t total,
			double frac, uint64_t elapsed_ns)
{
	double f = total ? (double)done / (double)total : frac;
	double sec = (double)elapsed_ns / 1e9;
	char d[32], left[48] = "";
	fmt_count(d, sizeof(d), (double)done);
	/* time left: once a second has passed and 1% is done (earlier
	 * guesses swing too much to help) */
	if (f >= 0.01 && f < 1 && sec >= 1) {
		double l = sec * (1 - f) / f;
		if (l >= 3600)
			snprintf(left, sizeof(left), ", about %.1f h left", l / 3600);
		else if (l >= 60)
			snprintf(left, sizeof(left), ", about %.0f min left", l / 60);
		else
			snprintf(left, sizeof(left), ", about %.0f s left", l);
	}
	if (total) {
		char t[32];
		fmt_count(t, sizeof(t), (double)total);
		snprintf(buf, len, "%s: %s of %s (%.0f%%%s)", label, d, t, 100 * f, left);
	} else if (f >= 0) {
		snprintf(buf, len, "%s: %s (%.0f%% of the input%s)", label, d,
			 100 * (f > 1 ? 1 : f), left);
	} else if (sec > 0) {
		char r[32];
		fmt_count(r, sizeof(r), (double)done / sec);
		snprintf(buf, len, "%s: %s (%s/s)", label, d, r);
	} else {
		snprintf(buf, len, "%s: %s", label, d);
	}
}

void pb_progress_add(uint64_t done)
{
	if (!prog.active)
		return;
	uint64_t d = pb_atomic_fetch_add(&prog.done, done, PB_RELAXED) + done;
	uint64_t now = pb_now_ns();
	uint64_t last = pb_atomic_load(&prog.last_ns, PB_RELAXED);
	if (now - last < 200000000ULL && (!prog.total || d < prog.total))
		return; /* at most 5 lines a second; the last one of a known total */
	if (!pb_atomic_cas(&prog.last_ns, &last, now, PB_RELAXED, PB_RELAXED))
		return; /* another thread is printing this tick */
	uint64_t b = pb_atomic_load(&prog.frac_bits, PB_RELAXED);
	double f = -1;
	if (b != PROG_NO_FRAC)
		memcpy(&f, &b, sizeof(f));
	char line[256];
	pb_progress_format(line, sizeof(line), prog.label, d, prog.total, f, now - prog.start_ns);
	/* erase to the end: a line may be shorter than the one before */
	fprintf(stderr, "\r%s\033[K", line);
}

void pb_progress_clear(void)
{
	if (prog.active)
		fprintf(stderr, "\r\033[K");
}

void pb_progress_end(void)
{
	if (prog.active)
		fprintf(stderr, "\r\033[K");
	prog.active = 0;
}

char *pb_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			char *t = realloc(buf, cap);
			if (!t) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = t;
		}
		size_t r = fread(buf + n, 1, 65536, f);
		n += r;
		if (r < 65536)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}
