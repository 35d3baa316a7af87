/* SPDX-License-Identifier: MIT */
/*
 * The harness heap is jemalloc, linked as the build's features say
 * (CMakeLists.txt: its PIC archive in Release builds, jemalloc-static,
 * else the shared library, jemalloc-shared): malloc resolves where that
 * says, and an allocation made inside libc (strdup) is jemalloc's, so the
 * shared libraries' allocations go to it as well (the executable exports
 * malloc when it is linked in whole).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/config.h"
#include "pbtest.h"

/* a sanitizer's allocator replaces malloc (gcc and clang say so apart) */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

#if PB_HAVE_JEMALLOC && !defined(SANITIZED)
#include <jemalloc/jemalloc.h>

static size_t allocated(void)
{
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch), v = 0;
	mallctl("epoch", &epoch, &sz, &epoch, sz);
	sz = sizeof(v);
	PB_CHECK(mallctl("stats.allocated", &v, &sz, NULL, 0) == 0);
	return v;
}
#endif

int main(void)
{
#if !PB_HAVE_JEMALLOC
	PB_SKIP("built without jemalloc");
#elif defined(SANITIZED)
	PB_SKIP("a sanitizer's allocator replaces malloc in this build");
#else
	int is_static = strstr(PB_FEATURES, "jemalloc-static") != NULL;
	PB_CHECK_MSG(is_static != (strstr(PB_FEATURES, "jemalloc-shared") != NULL),
		     "features '%s' name one jemalloc link", PB_FEATURES);
	/* where malloc lives: the executable itself (linked in whole) or
	 * jemalloc's shared library */
	Dl_info mi, xi;
	void *(*volatile mp)(size_t) = malloc;
	PB_CHECK(dladdr((void *)mp, &mi) && mi.dli_fname);
	PB_CHECK(dladdr((void *)main, &xi) && xi.dli_fname);
	if (is_static)
		PB_CHECK_MSG(!strcmp(mi.dli_fname, xi.dli_fname), "malloc is in %s, not in %s",
			     mi.dli_fname, xi.dli_fname);
	else
		PB_CHECK_MSG(strstr(mi.dli_fname, "jemalloc") != NULL, "malloc is in %s",
			     mi.dli_fname);
	/* libc's own allocation (strdup) is counted by jemalloc */
	size_t n = 4u << 20;
	char *big = malloc(n + 1);
	PB_CHECK(big != NULL);
	memset(big, 'x', n);
	big[n] = 0;
	size_t before = allocated();
	char *dup = strdup(big);
	PB_CHECK(dup != NULL);
	size_t after = allocated();
	PB_CHECK_MSG(after >= before + n, "stats.allocated %zu -> %zu after libc's strdup of %zu B",
		     before, after, n);
	free(dup);
	free(big);
	return pb_test_done();
#endif
}
