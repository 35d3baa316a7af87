/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_cow.c - anonymous copy-on-write after fork (PB_ACC_COW)
 * as Linux does it, on hand-made streams with every count checked:
 *
 *  - never_populated: a write to a page no process has read since the fork
 *    is a demand-zero fill of the private page (do_anonymous_page): no
 *    original, no copy, one class per fault.  One process (procs=1, cow=1)
 *    writing 100 pages in 150 frames takes 100 faults and evicts nothing;
 *    before, each write zero-filled an original, copied it and left it
 *    resident: 110 faults, 100 copies, 60 evictions.
 *  - sole_mapper: a write by the only process that maps the original takes
 *    the page over (wp_page_reuse): a minor fault counted in
 *    pagecache_hits, no copy, the original gone; with two mappers the
 *    first writer copies, the second reuses.
 *  - random_one_process: whatever one process reads and writes, it never
 *    copies, and no original is left that no process maps (pb_vm_check).
 *  - oom_orphan: an original whose last mapper is OOM-killed is freed with
 *    the process's pages (oom_pages_freed), not left resident.
 * File-private copy-on-write (exec's data) is test_vm_regions.c's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_run.h"

/* Every fault in at most one class here (no prepaging, no 2 MiB pages). */
static void one_class(const struct pb_vm_stats *st)
{
	PB_CHECK_EQ_U64(st->zero_fills + st->swap_ins + st->file_reads + st->pagecache_hits +
			    st->cow_copies,
			st->faults);
}

static void never_populated(void)
{
	struct vtrace t = {0};
	for (int r = 0; r < 3; r++)
		for (uint64_t p = 0; p < 100; p++)
			vt_add(&t, 0, 100 + p, PB_OP_WRITE, PB_ACC_COW);
	struct pb_vm_cfg c = vt_cfg("lru", 150);
	struct pb_vm_stats st;
	struct vt_swap sw;
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.faults, 100);
	PB_CHECK_EQ_U64(st.zero_fills, 100);
	PB_CHECK_EQ_U64(st.cow_copies, 0);
	PB_CHECK_EQ_U64(st.evictions, 0);
	PB_CHECK_EQ_U64(sw.resident, 100);
	one_class(&st);

	/* three processes writing the same 100 addresses: 300 private
	 * pages, each a zero fill; they fit in 350 frames */
	t.n = 0;
	for (uint32_t as = 1; as <= 3; as++)
		for (uint64_t p = 0; p < 100; p++)
			vt_add(&t, as, 100 + p, PB_OP_WRITE, PB_ACC_COW);
	c = vt_cfg("lru", 350);
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.faults, 300);
	PB_CHECK_EQ_U64(st.zero_fills, 300);
	PB_CHECK_EQ_U64(st.cow_copies, 0);
	PB_CHECK_EQ_U64(st.evictions, 0);
	PB_CHECK_EQ_U64(sw.resident, 300);
	one_class(&st);
	free(t.a);
}

static void sole_mapper(void)
{
	struct vtrace t = {0};
	/* one process reads (a zero-filled original, mapped read-only),
	 * then writes: it is the only mapper, the page becomes its own */
	vt_add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);
	vt_add(&t, 1, 50, PB_OP_WRITE, PB_ACC_COW);
	vt_add(&t, 1, 50, PB_OP_READ, PB_ACC_COW); /* its private page: a hit */
	struct pb_vm_cfg c = vt_cfg("fifo", 8);
	struct pb_vm_stats st;
	struct vt_swap sw;
	for (unsigned threads = 1; threads <= 2; threads++) {
		c.nthreads = threads;
		PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
		PB_CHECK_EQ_U64(st.faults, 2);
		PB_CHECK_EQ_U64(st.hits, 1);
		PB_CHECK_EQ_U64(st.zero_fills, 1);
		PB_CHECK_EQ_U64(st.pagecache_hits, 1); /* the reuse */
		PB_CHECK_EQ_U64(st.cow_copies, 0);
		PB_CHECK_EQ_U64(sw.resident, 1); /* no original left behind */
		one_class(&st);
	}

	/* two mappers: the first writer copies, the last one reuses */
	t.n = 0;
	vt_add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);
	vt_add(&t, 2, 50, PB_OP_READ, PB_ACC_COW);  /* minor: the original is resident */
	vt_add(&t, 2, 50, PB_OP_WRITE, PB_ACC_COW); /* copy: process 1 maps it */
	vt_add(&t, 2, 50, PB_OP_WRITE, PB_ACC_COW); /* private now: a hit */
	vt_add(&t, 1, 50, PB_OP_WRITE, PB_ACC_COW); /* the only mapper: reuse */
	vt_add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);  /* hit */
	vt_add(&t, 3, 50, PB_OP_READ, PB_ACC_COW);  /* no original: zero-filled again */
	for (unsigned threads = 1; threads <= 2; threads++) {
		c.nthreads = threads;
		PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
		PB_CHECK_EQ_U64(st.faults, 5);
		PB_CHECK_EQ_U64(st.hits, 2);
		PB_CHECK_EQ_U64(st.cow_copies, 1);
		PB_CHECK_EQ_U64(st.zero_fills, 2);
		PB_CHECK_EQ_U64(st.pagecache_hits, 2);
		PB_CHECK_EQ_U64(sw.resident, 3); /* two private pages, one original */
		one_class(&st);
	}
	free(t.a);
}

static void random_one_process(void)
{
	const char *const pols[] = {"lru", "clock", "arc", "lfu", "sieve", "lirs"};
	struct vtrace t = {0};
	uint64_t s = 7;
	for (int i = 0; i < 6000; i++)
		vt_add(&t, 0, 300 + vt_rand(&s) % 200,
		       vt_rand(&s) % 5 < 2 ? PB_OP_WRITE : PB_OP_READ, PB_ACC_COW);
	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		if (!pb_policy_find(pols[i]))
			continue;
		for (uint64_t frames = 50; frames <= 250; frames += 200) {
			struct pb_vm_cfg c = vt_cfg(pols[i], frames);
			struct pb_vm_stats st;
			struct vt_swap sw;
			PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
			PB_CHECK_MSG(st.cow_copies == 0, "%s, %llu frames: %llu copies", pols[i],
				     (unsigned long long)frames, (unsigned long long)st.cow_copies);
			PB_CHECK(sw.resident <= 200);
			one_class(&st);
		}
	}
	free(t.a);
}

static void oom_orphan(void)
{
	struct vtrace t = {0};
	vt_add(&t, 1, 7, PB_OP_READ, PB_ACC_COW);  /* the original, zero-filled */
	vt_add(&t, 2, 7, PB_OP_READ, PB_ACC_COW);  /* mapped by 2 too */
	vt_add(&t, 1, 7, PB_OP_WRITE, PB_ACC_COW); /* 1 copies; 2 alone maps it */
	for (uint64_t p = 100; p < 103; p++)
		vt_add(&t, 2, p, PB_OP_WRITE, 0); /* the pool is full (5) */
	vt_add(&t, 2, 7, PB_OP_READ, PB_ACC_COW); /* the original: most recent */
	vt_add(&t, 1, 200, PB_OP_WRITE, 0);	  /* 1's copy goes to the one slot */
	/* a100 has no slot: process 2, the largest (3 pages to 2), is killed;
	 * the original it alone mapped goes with it */
	vt_add(&t, 1, 201, PB_OP_WRITE, 0);
	struct pb_vm_cfg c = vt_cfg("lru", 5);
	c.swap_pages = 1;
	struct pb_vm_stats st;
	struct vt_swap sw;
	for (unsigned threads = 1; threads <= 2; threads++) {
		c.nthreads = threads;
		PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
		PB_CHECK_EQ_U64(st.oom_kills, 1);
		PB_CHECK_EQ_U64(st.cow_copies, 1);
		PB_CHECK_EQ_U64(st.oom_pages_freed, 4); /* a100..a102 and the original */
		PB_CHECK_EQ_U64(sw.resident, 2);	/* a200, a201 */
	}
	free(t.a);
}

int main(void)
{
	if (!pb_policy_find("lru") || !pb_policy_find("fifo"))
		PB_SKIP("policies lru, fifo not built");
	never_populated();
	sole_mapper();
	random_one_process();
	oom_orphan();
	return pb_test_done();
}
