/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_map.c - pb_remap: a block grown from nothing and then
 * twice keeps every word, its grown tail reads zero, a shrink keeps the
 * head; and the pages move rather than being copied: reading the whole
 * grown block back (the remap and the reads together) faults in
 * (ru_minflt) far fewer pages than it holds, where a map-and-copy would
 * fault in every one of them again.
 *
 * pb_map_nozero: a table read before it is written (the engine's
 * page-object index) takes one fault per page, where pb_map's private
 * memory takes two - the read maps the zero page, the write copies it
 * (a TLB flush that interrupts the process's other CPUs).  Its pages read
 * zero, keep what is written, and a write after the read faults no more.
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

	/* read, then write, every page of a fresh table: faults counted */
	const size_t pages = 512, pg = 4096;
	unsigned char *t = pb_map_nozero(pages * pg);
	PB_CHECK(t != NULL);
	volatile unsigned char *vt = t;
	unsigned nonzero = 0;
	before = minflt();
	for (size_t p = 0; p < pages; p++)
		nonzero += vt[p * pg + p % pg] != 0;
	long rd = minflt() - before;
	before = minflt();
	for (size_t p = 0; p < pages; p++)
		vt[p * pg + p % pg] = (unsigned char)(p | 1);
	long wr = minflt() - before;
	PB_CHECK_EQ_U64(nonzero, 0);
	for (size_t p = 0; p < pages; p++)
		bad += t[p * pg + p % pg] != (unsigned char)(p | 1);
	PB_CHECK_EQ_U64(bad, 0);
	/* the reads allocated the pages (writable): the writes fault no more
	 * (private memory: 512 copy-on-write faults here) */
	PB_CHECK(rd >= 1);
	PB_CHECK(wr < (long)pages / 8);
	pb_unmap(t, pages * pg);
	return pb_test_done();
}
