/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_prepage.c - prepaging never costs the faulting access
 * its page, and fault-around's PTEs are accounted.
 *
 *  - pinned: every page touched twice in a row, under readahead (file
 *    pages) and swap clustering (anonymous pages written out, then read
 *    twice), for every policy that takes prepaging, at frame counts below,
 *    near and above the window, on one and two engine threads.  The
 *    second touch of a page is always a hit, and every access reaches the
 *    CPU caches (L1 accesses = refs): a page brought in ahead of use never
 *    evicts the page its fault has just mapped (the fault pins it, as Linux
 *    holds the faulting folio locked).  Before the pin, LFU at 40 frames hit
 *    39 of 2000 references, and its faults never reached the caches.
 *  - faultaround_used: a fault-around PTE's first reference, a read or a
 *    write, counts as prepage_used (once, on one or two threads), one
 *    unmapped unreferenced as prepage_unused, so used + unused = mapped
 *    once every such PTE has been used or unmapped; also through a
 *    copy-on-write write, whose fault references the read-only PTE it
 *    replaces.  Before, prepage_used stayed 0 for fault-around.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_run.h"

#define FILEPG (PB_ACC_FILE | PB_ACC_SHARED)

static uint64_t l1_accesses(const struct pb_vm_stats *st)
{
	return st->l1d_hits + st->l1d_misses + st->l1i_hits + st->l1i_misses;
}

static void pinned(void)
{
	static const uint64_t frames[] = {3, 8, 31, 40};
	struct vtrace ra = {0}, sc = {0};
	/* readahead: 600 file pages, each read twice in a row */
	for (uint64_t p = 0; p < 600; p++) {
		vt_add(&ra, 1, 1000 + p, PB_OP_READ, FILEPG);
		vt_add(&ra, 1, 1000 + p, PB_OP_READ, FILEPG);
	}
	/* swap clustering: 300 anonymous pages written (and so swapped out
	 * in order, in clusters), then each read twice in a row */
	for (uint64_t p = 0; p < 300; p++)
		vt_add(&sc, 1, 5000 + p, PB_OP_WRITE, 0);
	for (uint64_t p = 0; p < 300; p++) {
		vt_add(&sc, 1, 5000 + p, PB_OP_READ, 0);
		vt_add(&sc, 1, 5000 + p, PB_OP_READ, 0);
	}
	char err[256];
	struct pb_cache_geom caches;
	PB_CHECK(pb_cache_parse("skylake", &caches, err, sizeof(err)) == 0);
	uint64_t prepaged_ra = 0, prepaged_sc = 0;
	for (size_t i = 0; pb_policies[i]; i++) {
		const struct pb_policy_desc *d = pb_policies[i];
		if (d->flags & PB_POL_OFFLINE)
			continue; /* OPT takes no prepaging */
		for (size_t f = 0; f < sizeof(frames) / sizeof(frames[0]); f++) {
			for (unsigned threads = 1; threads <= 2; threads++) {
				struct pb_vm_cfg c = vt_cfg(d->name, frames[f]);
				c.caches = caches;
				c.nthreads = threads;
				struct pb_vm_stats st;
				c.prepage = &pb_prepage_readahead;
				PB_CHECK(vt_run(&c, &ra, &st, NULL) == 0);
				PB_CHECK_MSG(
				    st.hits == ra.n / 2,
				    "readahead %s, %llu frames, %u threads: %llu hits of %zu",
				    d->name, (unsigned long long)frames[f], threads,
				    (unsigned long long)st.hits, ra.n);
				PB_CHECK_EQ_U64(l1_accesses(&st), st.refs);
				PB_CHECK(st.prepage_used + st.prepage_unused <= st.prepaged);
				prepaged_ra += st.prepaged;
				c.prepage = &pb_prepage_swapcluster;
				PB_CHECK(vt_run(&c, &sc, &st, NULL) == 0);
				/* the first read of a page may hit too (still
				 * resident), the second always does */
				PB_CHECK_MSG(st.hits >= 300,
					     "swapcluster %s, %llu frames, %u threads: %llu hits",
					     d->name, (unsigned long long)frames[f], threads,
					     (unsigned long long)st.hits);
				PB_CHECK_EQ_U64(l1_accesses(&st), st.refs);
				PB_CHECK(st.prepage_used + st.prepage_unused <= st.prepaged);
				prepaged_sc += st.prepaged;
			}
		}
	}
	/* the runs did prepage: the pin refuses only the pages that would
	 * evict the faulting one */
	PB_CHECK(prepaged_ra > 1000);
	PB_CHECK(prepaged_sc > 1000);
	/* LRU keeps its counts: the window fits, the faulting page is never
	 * its victim (ra 4 doubling to 32 pages, 40 frames) */
	struct pb_vm_cfg c = vt_cfg("lru", 40);
	c.prepage = &pb_prepage_readahead;
	struct pb_vm_stats st;
	PB_CHECK(vt_run(&c, &ra, &st, NULL) == 0);
	PB_CHECK_EQ_U64(st.faults, 600);
	PB_CHECK_EQ_U64(st.file_reads, 21);
	PB_CHECK_EQ_U64(st.prepaged, 583);
	free(ra.a);
	free(sc.a);
}

static void faultaround_used(void)
{
	struct vtrace t = {0};
	/* process 1 reads 16 file pages (one fault-around block) into the
	 * page cache; process 2's fault on the first maps the other 15
	 * "old"; it reads 3 of them and writes 2 (a write must set the
	 * accessed bit too), twice (hits: the first through the old PTE is
	 * its use), then 16 other pages push the block out (FIFO) */
	for (uint64_t p = 0; p < 16; p++)
		vt_add(&t, 1, 160 + p, PB_OP_READ, FILEPG);
	vt_add(&t, 2, 160, PB_OP_READ, FILEPG);
	for (int r = 0; r < 2; r++)
		for (uint64_t p = 1; p <= 5; p++)
			vt_add(&t, 2, 160 + p, p > 3 ? PB_OP_WRITE : PB_OP_READ, FILEPG);
	for (uint64_t p = 0; p < 16; p++)
		vt_add(&t, 2, 400 + p, PB_OP_READ, FILEPG);
	for (unsigned threads = 1; threads <= 2; threads++) {
		struct pb_vm_cfg c = vt_cfg("fifo", 16);
		c.prepage = &pb_prepage_faultaround;
		c.nthreads = threads;
		struct pb_vm_stats st;
		PB_CHECK(vt_run(&c, &t, &st, NULL) == 0);
		PB_CHECK_EQ_U64(st.faults, 16 + 1 + 16);
		PB_CHECK_EQ_U64(st.hits, 10);
		PB_CHECK_EQ_U64(st.prepage_mapped, 15);
		PB_CHECK_EQ_U64(st.prepage_used, 5);
		PB_CHECK_EQ_U64(st.prepage_unused, 10);
		PB_CHECK_EQ_U64(st.prepage_used + st.prepage_unused, st.prepage_mapped);
		PB_CHECK_EQ_U64(st.prepaged, 0);
		PB_CHECK_EQ_U64(st.file_writebacks, 2);
	}

	/* copy-on-write originals are mapped around read-only: process 2's
	 * write to one breaks COW through the old PTE (its use); the other
	 * two stay mapped and unreferenced (neither used nor unused) */
	t.n = 0;
	for (uint64_t p = 0; p < 4; p++)
		vt_add(&t, 1, 80 + p, PB_OP_READ, PB_ACC_COW);
	vt_add(&t, 2, 80, PB_OP_READ, PB_ACC_COW);
	vt_add(&t, 2, 81, PB_OP_WRITE, PB_ACC_COW);
	struct pb_vm_cfg c = vt_cfg("lru", 64);
	c.prepage = &pb_prepage_faultaround;
	c.faultaround = 4;
	struct pb_vm_stats st;
	PB_CHECK(vt_run(&c, &t, &st, NULL) == 0);
	PB_CHECK_EQ_U64(st.prepage_mapped, 3);
	PB_CHECK_EQ_U64(st.prepage_used, 1);
	PB_CHECK_EQ_U64(st.prepage_unused, 0);
	PB_CHECK_EQ_U64(st.cow_copies, 1); /* process 1 still maps the original */
	free(t.a);
}

int main(void)
{
	if (!pb_policy_find("lru") || !pb_policy_find("fifo"))
		PB_SKIP("policies lru, fifo not built");
	pinned();
	faultaround_used();
	return pb_test_done();
}
