/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/wltest.h - helpers for the workload tests: temp files,
 * reading a whole stream, compressing with the same libraries the reader
 * uses.
 */
#ifndef PAGEBENCH_TESTS_WLTEST_H
#define PAGEBENCH_TESTS_WLTEST_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/config.h"
#include "pagebench/workload.h"
#include "pbtest.h"

#if PB_HAVE_ZSTD
#include <zstd.h>
#endif
#if PB_HAVE_ZLIB
#include <zlib.h>
#endif
#if PB_HAVE_LZMA
#include <lzma.h>
#endif

/* The test's folder: under $TMPDIR (else /tmp), any length a path may
 * have, removed without a shell (a quote in TMPDIR is a character). */
static char wl_dir[PATH_MAX];

static inline void wl_mkdir(void)
{
	if (!pbt_tmpdir(wl_dir, sizeof(wl_dir), "wl")) {
		const char *t = getenv("TMPDIR");
		fprintf(stderr, "cannot make a folder under TMPDIR (%s): %s\n",
			t && *t ? t : "unset: /tmp", strerror(errno));
		exit(1);
	}
}

static inline void wl_rmdir(void)
{
	if (pbt_rmtree(wl_dir))
		fprintf(stderr, "cleanup of %s failed\n", wl_dir);
}

/* name in the test's folder (four at a time stay valid) */
static inline const char *wl_path(const char *name)
{
	static char p[4][PATH_MAX];
	static int i;
	i = (i + 1) & 3;
	if ((size_t)snprintf(p[i], sizeof(p[i]), "%s/%s", wl_dir, name) >= sizeof(p[i])) {
		fprintf(stderr, "path too long: %s/%s\n", wl_dir, name);
		exit(1);
	}
	return p[i];
}

/* Entries of the test's folder whose name contains part (an output, its
 * temporary) and that are at least min_size bytes; with unlink, those are
 * removed (and counted). */
static inline int wl_entries(const char *part, off_t min_size, int unlink_them)
{
	DIR *d = opendir(wl_dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat st;
		if (!strstr(e->d_name, part) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) || st.st_size < min_size)
			continue;
		n++;
		if (unlink_them)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	return n;
}

static inline void wl_write(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static inline void *wl_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *p = malloc((size_t)l + 1);
	*n = fread(p, 1, (size_t)l, f);
	fclose(f);
	return p;
}

/* Read a whole stream: returns count, or -errno; *out malloc'ed. */
static inline long wl_readall(const char *spec, const struct pb_workload_opts *o,
			      struct pb_access **out, char *err, size_t errlen)
{
	struct pb_workload *w;
	int rc = pb_workload_open(spec, o, &w, err, errlen);
	if (rc)
		return rc;
	size_t cap = 1024, n = 0;
	struct pb_access *v = malloc(cap * sizeof(*v));
	for (;;) {
		if (n + 7 > cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		ssize_t r = pb_workload_next(w, v + n, 7); /* odd batch: exercises resumption */
		if (r < 0) {
			snprintf(err, errlen, "%s", pb_workload_error(w));
			free(v);
			pb_workload_close(w);
			return r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	pb_workload_close(w);
	if (out)
		*out = v;
	else
		free(v);
	return (long)n;
}

/* Compress src into path with codec "zstd", "gzip" or "xz"; 0 if built. */
static inline int wl_compress(const char *codec, const void *src, size_t n, const char *path)
{
	size_t cap = n + n / 2 + 1024, out = 0;
	unsigned char *dst = malloc(cap);
	int ok = 0;
#if PB_HAVE_ZSTD
	if (!strcmp(codec, "zstd")) {
		out = ZSTD_compress(dst, cap, src, n, 3);
		ok = !ZSTD_isError(out);
	}
#endif
#if PB_HAVE_ZLIB
	if (!strcmp(codec, "gzip")) {
		z_stream z = {0};
		deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		z.next_in = (unsigned char *)src;
		z.avail_in = (uInt)n;
		z.next_out = dst;
		z.avail_out = (uInt)cap;
		ok = deflate(&z, Z_FINISH) == Z_STREAM_END;
		out = z.total_out;
		deflateEnd(&z);
	}
#endif
#if PB_HAVE_LZMA
	if (!strcmp(codec, "xz")) {
		size_t pos = 0;
		ok = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, src, n, dst, &pos, cap) ==
		     LZMA_OK;
		out = pos;
	}
#endif
	if (ok)
		wl_write(path, dst, out);
	free(dst);
	return ok ? 0 : -1;
}

#endif
