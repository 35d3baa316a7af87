/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_progress.c - how far a long step has come.
 *
 *  - pb_progress_format: with a total, "D of T (P%, about L left)"; with a
 *    fraction of the input and no total, "D (P% of the input, ...)";
 *    with neither, the rate; no time left before a second has passed or
 *    1% is done;
 *  - pb_workload_fraction: a generator's references of its refs=, a
 *    trace's bytes read of the file's, plain (larger than the reader's
 *    window, so read through the mapping or the window) and zstd
 *    (of the compressed bytes), 1 at the end;
 *  - a compressed trace's fraction counts the compressed bytes behind the
 *    references read, not those read ahead: zstd, gzip and xz at 4096 of
 *    300000 lines say about 1.4% (the first progress line said 13%: the
 *    compressed bytes of the reader's 1 MiB window), at half about 50%
 *    (zstd's a block more).
 */
#define _GNU_SOURCE
#include <string.h>

#include "pagebench/parse.h"
#include "pagebench/workload.h"
#include "pbtest.h"
#include "wltest.h"

#define S 1000000000ULL

static void check_format(void)
{
	char b[256];
	pb_progress_format(b, sizeof(b), "sim: references", 500, 1000, -1, 10 * S);
	PB_CHECK_MSG(!strcmp(b, "sim: references: 500 of 1000 (50%, about 10 s left)"), "%s", b);
	/* the fraction is ignored when there is a total */
	pb_progress_format(b, sizeof(b), "x", 250, 1000, 0.9, 10 * S);
	PB_CHECK_MSG(!strcmp(b, "x: 250 of 1000 (25%, about 30 s left)"), "%s", b);
	pb_progress_format(b, sizeof(b), "sim: references", 2500000, 0, 0.2, 30 * S);
	PB_CHECK_MSG(!strcmp(b, "sim: references: 2.5 M (20% of the input, about 2 min left)"),
		     "%s", b);
	pb_progress_format(b, sizeof(b), "r", 3000000000ULL, 0, 0.001 * 2, 7200 * S);
	PB_CHECK_MSG(!strcmp(b, "r: 3.00 G (0% of the input)"), "%s", b); /* under 1% */
	pb_progress_format(b, sizeof(b), "r", 100, 0, 0.5, S / 2);
	PB_CHECK_MSG(!strcmp(b, "r: 100 (50% of the input)"), "%s", b); /* under a second */
	pb_progress_format(b, sizeof(b), "r", 10, 100, -1, 3600 * S);
	PB_CHECK_MSG(!strcmp(b, "r: 10 of 100 (10%, about 9.0 h left)"), "%s", b);
	pb_progress_format(b, sizeof(b), "trace record: references", 4000000, 0, -1, 2 * S);
	PB_CHECK_MSG(!strcmp(b, "trace record: references: 4.0 M (2.0 M/s)"), "%s", b);
	pb_progress_format(b, sizeof(b), "r", 7, 0, -1, 0);
	PB_CHECK_MSG(!strcmp(b, "r: 7"), "%s", b);
	/* the end of a known total: no time left */
	pb_progress_format(b, sizeof(b), "r", 100, 100, -1, 5 * S);
	PB_CHECK_MSG(!strcmp(b, "r: 100 of 100 (100%)"), "%s", b);
}

/* Read n references of spec (all when n is 0); the fraction after. */
static double read_frac(const char *spec, size_t n, long *got)
{
	struct pb_workload *w;
	char err[256];
	if (pb_workload_open(spec, NULL, &w, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", spec, err);
		return -2;
	}
	static struct pb_access buf[4096];
	*got = 0;
	for (;;) {
		size_t want = n ? n - (size_t)*got : 4096;
		if (want > 4096)
			want = 4096;
		if (n && !want)
			break;
		ssize_t r = pb_workload_next(w, buf, want);
		if (r <= 0)
			break;
		*got += r;
	}
	double f = pb_workload_fraction(w);
	pb_workload_close(w);
	return f;
}

static void check_fraction(void)
{
	long got;
	double f = read_frac("zipf:pages=100,refs=10000", 2500, &got);
	PB_CHECK_MSG(got == 2500 && f == 0.25, "generator: %ld refs, %f", got, f);
	f = read_frac("zipf:pages=100,refs=10000", 0, &got);
	PB_CHECK_MSG(got == 10000 && f == 1.0, "generator at its end: %ld refs, %f", got, f);
	/* interleaved: each of 2 threads' streams is refs long too */
	struct pb_workload *w;
	char err[256];
	struct pb_workload_opts o = {.thread = 1, .nthreads = 2, .seed = 1};
	static struct pb_access buf[4096];
	PB_CHECK(!pb_workload_open("uniform:pages=10,refs=4000,share=interleaved", &o, &w, err,
				   sizeof(err)));
	PB_CHECK(pb_workload_next(w, buf, 1000) == 1000);
	PB_CHECK_MSG(pb_workload_fraction(w) == 0.25, "interleaved: %f", pb_workload_fraction(w));
	pb_workload_close(w);

	/* 1M u64 page numbers: 8 MiB, beyond the reader's 1 MiB window */
	size_t n = 1000000;
	uint64_t *v = malloc(n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (i * 2654435761u) % 50000;
	wl_write(wl_path("t.u64"), v, n * sizeof(*v));
	char spec[PATH_MAX + 64];
	snprintf(spec, sizeof(spec), "trace:path=%s,format=u64", wl_path("t.u64"));
	f = read_frac(spec, n / 2, &got);
	PB_CHECK_MSG(got == (long)n / 2 && f > 0.45 && f < 0.65, "u64 half: %ld refs, %f", got, f);
	f = read_frac(spec, 0, &got);
	PB_CHECK_MSG(got == (long)n && f == 1.0, "u64 all: %ld refs, %f", got, f);

	/* the same as text, zstd-compressed: of the compressed bytes */
	size_t cap = n * 16, tl = 0;
	char *txt = malloc(cap);
	uint64_t x = 1; /* random page numbers: the compressed file is several MiB */
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		tl += (size_t)snprintf(txt + tl, cap - tl, "%llu\n",
				       (unsigned long long)(x % 1000000000000ULL));
	}
	if (!wl_compress("zstd", txt, tl, wl_path("t.txt.zst"))) {
		snprintf(spec, sizeof(spec), "trace:path=%s,format=text", wl_path("t.txt.zst"));
		f = read_frac(spec, n / 2, &got);
		/* the compressed buffer reads ahead by at most 1 MiB */
		PB_CHECK_MSG(got == (long)n / 2 && f > 0.2 && f < 0.9, "zstd half: %ld refs, %f",
			     got, f);
		f = read_frac(spec, 0, &got);
		PB_CHECK_MSG(got == (long)n && f == 1.0, "zstd all: %ld refs, %f", got, f);
	} else {
		printf("zstd not in this build: the compressed case skipped\n");
	}
	free(txt);
	free(v);
}

/* The first progress line of a compressed trace, and its middle. */
static void check_compressed(void)
{
	enum { LINES = 300000 };
	size_t cap = (size_t)LINES * 8, tl = 0;
	char *txt = malloc(cap);
	uint64_t x = 7;
	for (size_t i = 0; i < LINES; i++) { /* 7 bytes a line: about 2 MB */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		tl += (size_t)snprintf(txt + tl, cap - tl, "%06llu\n",
				       (unsigned long long)(x % 1000000));
	}
	const char *codecs[] = {"zstd", "gzip", "xz"};
	for (int c = 0; c < 3; c++) {
		char name[32], spec[PATH_MAX + 64];
		long got;
		snprintf(name, sizeof(name), "first.txt.%s", codecs[c]);
		if (wl_compress(codecs[c], txt, tl, wl_path(name))) {
			printf("%s not in this build: skipped\n", codecs[c]);
			continue;
		}
		snprintf(spec, sizeof(spec), "trace:path=%s,format=text", wl_path(name));
		double f = read_frac(spec, 4096, &got);
		PB_CHECK_MSG(got == 4096 && f > 0.005 && f < 0.03,
			     "%s: 4096 of %d lines (1.4%%) read, fraction %f", codecs[c], LINES, f);
		/* zstd takes a block (up to 128 KiB) before its first byte: about
		 * 0.06 of this 1 MB file ahead */
		f = read_frac(spec, LINES / 2, &got);
		PB_CHECK_MSG(got == LINES / 2 && f > 0.45 && f < 0.6,
			     "%s: half the lines read, fraction %f", codecs[c], f);
		f = read_frac(spec, 0, &got);
		PB_CHECK_MSG(got == LINES && f == 1.0, "%s: all read, fraction %f", codecs[c], f);
	}
	free(txt);
}

int main(void)
{
	wl_mkdir();
	check_format();
	check_fraction();
	check_compressed();
	wl_rmdir();
	return pb_test_done();
}
