/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_map.c - pb_remap: a block grown from nothing and then
 * twice keeps every word, its grown tail reads zero, a shrink keeps the
 * head; and the pages move rather than being copied: reading the whole
 * grown block back (the remap and the reads together) faults in
 * (ru_minflt) far fewer pages than it holds, where a map-and-copy would
 * fault in every one of them again.
 */
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "pagebench/common.h"
#include "pbtest.h"

static long minflt(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return u.ru_minflt;
}

int main(void)
{
	const size_t n0 = 1u << 20; /* words: 8 MiB, 2048 pages */
	uint64_t *v = pb_remap(NULL, 0, n0 * sizeof(*v));
	PB_CHECK(v != NULL);
	for (size_t i = 0; i < n0; i++)
		v[i] = i * 2654435761u + 1;
	/* grow 4x: the head moves with its pages, the tail is zero */
	size_t n1 = 4 * n0;
	long before = minflt();
	uint64_t *w = pb_remap(v, n0 * sizeof(*v), n1 * sizeof(*v));
	PB_CHECK(w != NULL);
	uint64_t bad = 0;
	for (size_t i = 0; i < n0; i++)
		bad += w[i] != i * 2654435761u + 1;
	long faulted = minflt() - before;
	PB_CHECK_EQ_U64(bad, 0);
	/* a copy would have faulted in all 2048 pages of the head again */
	PB_CHECK(faulted < (long)(n0 * sizeof(*v) / 4096 / 8));
	for (size_t i = n0; i < n1; i++)
		bad += w[i] != 0;
	PB_CHECK_EQ_U64(bad, 0);
	/* shrink to a quarter of the head: kept */
	uint64_t *s = pb_remap(w, n1 * sizeof(*w), n0 / 4 * sizeof(*w));
	PB_CHECK(s != NULL);
	for (size_t i = 0; i < n0 / 4; i++)
		bad += s[i] != i * 2654435761u + 1;
	PB_CHECK_EQ_U64(bad, 0);
	pb_unmap(s, n0 / 4 * sizeof(*s));
	return pb_test_done();
}
