/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_huge.c - transparent huge pages in the engine
 * (kernels/vm/huge.c): fault counts worked by hand for thp=never, always
 * and madvise, the 2 MiB TLB, the fallback to 4 KiB pages when no 2 MiB
 * frame is free, whole-page eviction to swap, and pb_vm_check after
 * random runs with evictions (1 and 2 engine threads).
 */
#define _GNU_SOURCE
#include <errno.h>

#include "vm_run.h"

/* Pages [first, first + n) of asid 1, read in order, `passes` times. */
static void seq(struct vtrace *t, uint64_t first, uint64_t n, int passes, uint16_t flags)
{
	for (int p = 0; p < passes; p++)
		for (uint64_t i = 0; i < n; i++)
			vt_add(t, 1, first + i, PB_OP_READ, flags);
}

static void sequential(void)
{
	struct vtrace t = {0};
	struct pb_vm_stats st;
	/* 4096 pages = 8 aligned 2 MiB ranges, read twice, all fitting */
	seq(&t, 0, 4096, 2, 0);
	struct pb_vm_cfg c = vt_cfg("lru", 8192);
	PB_CHECK(vt_run(&c, &t, &st, NULL) == 0);
	/* 4 KiB pages: one fault per page; the TLB (64 + 1536 entries) cannot
	 * hold a 4096-page loop, so every reference walks */
	PB_CHECK_EQ_U64(st.faults, 4096);
	PB_CHECK_EQ_U64(st.thp_faults, 0);
	PB_CHECK_EQ_U64(st.tlb_misses, 8192);
	c.thp = PB_VM_THP_ALWAYS;
	struct vt_swap sw;
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	/* one fault per 2 MiB range: 4096 / 512 = 8, each a 2 MiB zero fill */
	PB_CHECK_EQ_U64(st.faults, 8);
	PB_CHECK_EQ_U64(st.thp_faults, 8);
	PB_CHECK_EQ_U64(st.minor_faults, 8);
	PB_CHECK_EQ_U64(st.zero_fills, 4096);
	PB_CHECK_EQ_U64(st.thp_fallbacks, 0);
	PB_CHECK_EQ_U64(sw.resident, 4096);
	/* 8 translations fit the 32-entry 2 MiB L1: one walk per range, then
	 * L1 hits only */
	PB_CHECK_EQ_U64(st.tlb_misses, 8);
	PB_CHECK_EQ_U64(st.tlb_l2_hits, 0);
	PB_CHECK_EQ_U64(st.tlb_l1_hits, 8192 - 8);

	/* pages 256 .. 1279 touch ranges 0, 1 and 2: 3 faults, and all of
	 * the 3 ranges is resident (the THP memory bloat) */
	t.n = 0;
	seq(&t, 256, 1024, 1, 0);
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.faults, 3);
	PB_CHECK_EQ_U64(sw.resident, 1536);

	/* madvise: only the flagged ranges (pages 0 .. 1023) get 2 MiB pages;
	 * pages 1024 .. 2047 fault one by one */
	t.n = 0;
	seq(&t, 0, 1024, 1, PB_ACC_THP);
	seq(&t, 1024, 1024, 1, 0);
	c.thp = PB_VM_THP_MADVISE;
	PB_CHECK(vt_run(&c, &t, &st, NULL) == 0);
	PB_CHECK_EQ_U64(st.faults, 2 + 1024);
	PB_CHECK_EQ_U64(st.thp_faults, 2);
	/* shared and file regions stay 4 KiB even under always */
	t.n = 0;
	seq(&t, 0, 512, 1, PB_ACC_SHARED);
	c.thp = PB_VM_THP_ALWAYS;
	PB_CHECK(vt_run(&c, &t, &st, NULL) == 0);
	PB_CHECK_EQ_U64(st.faults, 512);
	PB_CHECK_EQ_U64(st.thp_faults, 0);
	free(t.a);
}

static void fallback(void)
{
	struct vtrace t = {0};
	struct pb_vm_stats st;
	struct vt_swap sw;
	/* fewer than 512 frames: no 2 MiB frame exists; the first fault of
	 * the range falls back and the range stays 4 KiB: 400 faults */
	seq(&t, 0, 400, 1, 0);
	struct pb_vm_cfg c = vt_cfg("lru", 500);
	c.thp = PB_VM_THP_ALWAYS;
	PB_CHECK(vt_run(&c, &t, &st, NULL) == 0);
	PB_CHECK_EQ_U64(st.faults, 400);
	PB_CHECK_EQ_U64(st.thp_faults, 0);
	PB_CHECK_EQ_U64(st.thp_fallbacks, 1);

	/* fragmented: 1024 frames (2 areas) filled by two processes taking
	 * frames in turn (4 KiB: the region is not marked).  Then asid 2
	 * needs a frame with an empty 1-page swap area: the first dirty
	 * victim (asid 1 page 0) takes the slot, the second (asid 2 page 0)
	 * finds it full and asid 2 (513 pages against asid 1's 512) is
	 * killed.  Its frames are free now - 513, every other frame of both
	 * areas - but no aligned 2 MiB frame is, so asid 1's fault in a marked
	 * range falls back to 4 KiB: 1024 + 2 + 1 faults */
	t.n = 0;
	for (uint64_t p = 0; p < 512; p++) {
		vt_add(&t, 1, p, PB_OP_WRITE, 0);
		vt_add(&t, 2, p, PB_OP_WRITE, 0);
	}
	vt_add(&t, 2, 512, PB_OP_WRITE, 0);
	vt_add(&t, 2, 513, PB_OP_WRITE, 0);
	vt_add(&t, 1, 4096, PB_OP_READ, PB_ACC_THP);
	c = vt_cfg("lru", 1024);
	c.thp = PB_VM_THP_MADVISE;
	c.swap_pages = 1;
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.oom_kills, 1);
	PB_CHECK_EQ_U64(st.faults, 1024 + 2 + 1);
	PB_CHECK_EQ_U64(st.thp_faults, 0);
	PB_CHECK_EQ_U64(st.thp_fallbacks, 1);
	PB_CHECK_EQ_U64(sw.resident, 511 + 1);
	free(t.a);
}

/* Whole-page eviction, worked by hand (LRU, 1024 frames = 2 areas):
 *   write page 0      -> range 0 huge (dirty)           1 fault
 *   read page 512     -> range 1 huge: memory full      1 fault
 *   read page 1024    -> no free 2 MiB frame: fallback; the 4 KiB fault
 *                        evicts the LRU page, a subpage of range 0: the
 *                        whole dirty 2 MiB page goes to swap (512 pages,
 *                        one write)                      1 fault
 *   read page 0       -> range 0 is 4 KiB now: a swap-in 1 major fault */
static void evict_whole(void)
{
	struct vtrace t = {0};
	struct pb_vm_stats st;
	struct vt_swap sw;
	vt_add(&t, 1, 0, PB_OP_WRITE, 0);
	vt_add(&t, 1, 512, PB_OP_READ, 0);
	vt_add(&t, 1, 1024, PB_OP_READ, 0);
	vt_add(&t, 1, 0, PB_OP_READ, 0);
	struct pb_vm_cfg c = vt_cfg("lru", 1024);
	c.thp = PB_VM_THP_ALWAYS;
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.faults, 4);
	PB_CHECK_EQ_U64(st.thp_faults, 2);
	PB_CHECK_EQ_U64(st.thp_fallbacks, 1);
	PB_CHECK_EQ_U64(st.evictions, 512);
	PB_CHECK_EQ_U64(st.swap_outs, 512);
	PB_CHECK_EQ_U64(st.write_ios, 1);
	PB_CHECK_EQ_U64(st.swap_ins, 1);
	PB_CHECK_EQ_U64(st.major_faults, 1);
	PB_CHECK_EQ_U64(st.zero_fills, 512 + 512 + 1);
	PB_CHECK_EQ_U64(sw.resident, 512 + 1 + 1);
	PB_CHECK_EQ_U64(sw.in_use, 512); /* page 0 was read: keeps its slot */
	/* the same with range 0 never written: dropped clean, no swap */
	t.a[0].op = PB_OP_READ;
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.dropped_clean, 512);
	PB_CHECK_EQ_U64(st.swap_outs, 0);
	PB_CHECK_EQ_U64(st.major_faults, 0);
	free(t.a);
}

/* Random processes with private (THP) and shared regions, reads and
 * writes, under memory pressure: huge faults, fallbacks and whole-page
 * evictions; the engine's books must balance after each run. */
static void random_runs(void)
{
	static const char *const pols[] = {"lru", "clock", "fifo", "arc"};
	struct vtrace t = {0};
	for (uint64_t seed = 1; seed <= 4; seed++) {
		t.n = 0;
		uint64_t s = seed;
		for (int i = 0; i < 30000; i++) {
			uint32_t as = 1 + (uint32_t)(vt_rand(&s) % 3);
			int op = vt_rand(&s) % 3 == 0 ? PB_OP_WRITE : PB_OP_READ;
			if (vt_rand(&s) % 10 == 0)
				vt_add(&t, as, 1u << 20 | vt_rand(&s) % 64, op, PB_ACC_SHARED);
			else /* mostly sequential runs inside 4 ranges per process */
				vt_add(&t, as,
				       (i / 7) % 2048 +
					   (vt_rand(&s) % 4 == 0 ? vt_rand(&s) % 64 : 0),
				       op, 0);
		}
		struct pb_vm_stats st1, st2, st3;
		struct pb_vm_cfg c = vt_cfg(pols[seed % 4], 1536);
		c.thp = PB_VM_THP_ALWAYS;
		c.seed = seed;
		PB_CHECK(vt_run(&c, &t, &st1, NULL) == 0);
		PB_CHECK(st1.thp_faults > 0 && st1.evictions > 0);
		/* 2 threads: consistent books (not the same counts: which 2 MiB
		 * frames are free depends on where the allocator's per-thread
		 * hints put 4 KiB frames; see docs/engine.md) */
		c.nthreads = 2;
		PB_CHECK(vt_run(&c, &t, &st2, NULL) == 0);
		PB_CHECK_EQ_U64(st2.refs, 30000);
		c.order = PB_VM_ORDER_FREE;
		PB_CHECK(vt_run(&c, &t, &st3, NULL) == 0);
		PB_CHECK_EQ_U64(st3.refs, 30000);
	}
	free(t.a);
}

/* A 2 MiB translation in another engine CPU's TLB is shot down when the
 * huge page is evicted (the 2 MiB fill notes the CPU in the head frame's
 * mask).  One 2 MiB frame (512 frames), chunks of one reference, ref i on
 * CPU i % nt: ref 0 (CPU 0) huge-faults asid 1's range 0 and fills CPU
 * 0's 2 MiB TLB; ref 1 (CPU 1) walks and fills CPU 1's; ref 2 (CPU 0),
 * asid 2, finds no 2 MiB frame (fallback) and evicts the clean huge page
 * whole (512 dropped): CPU 0's entry is a local flush, CPU 1's a
 * shootdown; ref 3 (CPU 1) must fault (a fallback again: one frame is
 * taken), not hit the stale translation. */
static void huge_shootdown(void)
{
	struct vtrace t = {0};
	vt_add(&t, 1, 0, PB_OP_READ, 0);
	vt_add(&t, 1, 1, PB_OP_READ, 0);
	vt_add(&t, 2, 0, PB_OP_READ, 0);
	vt_add(&t, 1, 2, PB_OP_READ, 0);
	for (unsigned nt = 1; nt <= 2; nt++) {
		struct pb_vm_cfg c = vt_cfg("lru", 512);
		c.thp = PB_VM_THP_ALWAYS;
		c.nthreads = nt;
		struct pb_vm_stats st;
		PB_CHECK(vt_run_chunk(&c, &t, 1, &st, NULL) == 0);
		PB_CHECK_EQ_U64(st.faults, 3);
		PB_CHECK_EQ_U64(st.thp_faults, 1);
		PB_CHECK_EQ_U64(st.thp_fallbacks, 2);
		PB_CHECK_EQ_U64(st.evictions, 512);
		PB_CHECK_EQ_U64(st.dropped_clean, 512);
		PB_CHECK_EQ_U64(st.local_flushes, 1);
		PB_CHECK_EQ_U64(st.shootdowns, nt == 1 ? 0 : 1);
	}
	free(t.a);
}

static void errors(void)
{
	struct pb_vm_cfg c = vt_cfg("lru", 1024);
	struct pb_vm *vm;
	char err[256];
	c.thp = PB_VM_THP_ALWAYS;
	c.pt = PB_VM_PT_HASHED;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EINVAL && strstr(err, "radix"));
	c = vt_cfg("opt", 1024);
	c.thp = PB_VM_THP_MADVISE;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EINVAL && strstr(err, "thp"));
	enum pb_vm_thp m;
	PB_CHECK(pb_vm_thp_parse("madvise", &m) == 0 && m == PB_VM_THP_MADVISE);
	PB_CHECK(pb_vm_thp_parse("sometimes", &m) == -EINVAL);
	PB_CHECK(!strcmp(pb_vm_thp_name(PB_VM_THP_ALWAYS), "always"));
}

int main(void)
{
	if (!pb_policy_find("lru") || !pb_policy_find("opt") || !pb_policy_find("arc"))
		PB_SKIP("policies lru, opt, arc not built");
	sequential();
	fallback();
	evict_whole();
	random_runs();
	huge_shootdown();
	errors();
	return pb_test_done();
}
