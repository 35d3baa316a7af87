/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_swap.c - swap slots that are reused, a swap area of a
 * given size, and the OOM killer when it is full (kernels/vm/swap.c):
 * counts worked by hand, and random multi-process runs that must end
 * with consistent books whatever the seed and the thread count.
 */
#define _GNU_SOURCE
#include "vm_run.h"

/* One process writing pages 0 .. 255 round after round with 64 frames
 * under LRU: every reference faults, every eviction is dirty. */
static void loop_writes(struct vtrace *t, int rounds)
{
	t->n = 0;
	for (int r = 0; r < rounds; r++)
		for (uint64_t p = 0; p < 256; p++)
			vt_add(t, 1, p, PB_OP_WRITE, 0);
}

static void reuse(void)
{
	struct vtrace t = {0};
	struct pb_vm_stats st;
	struct vt_swap sw;
	loop_writes(&t, 4);
	struct pb_vm_cfg c = vt_cfg("lru", 64);
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	/* 1024 faults, 1024 - 64 dirty evictions */
	PB_CHECK_EQ_U64(st.faults, 1024);
	PB_CHECK_EQ_U64(st.swap_outs, 960);
	/* 192 pages are out after round 1.  From round 2 on, a write fault
	 * first evicts (a new slot: 193 at once) and then swaps the page in,
	 * freeing its stale slot, which the next eviction reuses.  Without
	 * reuse every one of the 960 writes would hold a slot of its own
	 * (a page keeps one: 256 distinct pages at most). */
	PB_CHECK_EQ_U64(sw.peak, 193);
	PB_CHECK_EQ_U64(sw.in_use, 192);
	PB_CHECK(sw.peak <= 256); /* never more than the distinct pages swapped out */
	PB_CHECK_EQ_U64(st.oom_kills, 0);

	/* a 193-page area is enough: the run goes on with the same counts */
	c.swap_pages = 193;
	struct pb_vm_stats st2;
	PB_CHECK(vt_run(&c, &t, &st2, &sw) == 0);
	PB_CHECK_EQ_U64(st2.faults, st.faults);
	PB_CHECK_EQ_U64(st2.swap_outs, st.swap_outs);
	PB_CHECK_EQ_U64(st2.oom_kills, 0);
	PB_CHECK_EQ_U64(sw.size, 193);

	/* 192 pages: the first eviction of round 2 finds the area full; the
	 * only process is killed (its 64 resident + 192 swapped pages), the
	 * page it was faulting in is freed after that fault, and the 767
	 * references left are skipped */
	c.swap_pages = 192;
	PB_CHECK(vt_run(&c, &t, &st2, &sw) == 0);
	PB_CHECK_EQ_U64(st2.oom_kills, 1);
	PB_CHECK_EQ_U64(st2.oom_pages_freed, 256 + 1);
	PB_CHECK_EQ_U64(st2.faults, 257);
	PB_CHECK_EQ_U64(st2.oom_skipped, 1024 - 257);
	PB_CHECK_EQ_U64(st2.swap_outs, 192);
	PB_CHECK_EQ_U64(sw.in_use, 0);
	PB_CHECK_EQ_U64(sw.resident, 0);
	free(t.a);
}

/* The largest process is the one killed, worked by hand (LRU, 64 frames,
 * a 100-page swap area):
 *   asid 2 writes pages 0 .. 49     50 faults
 *   asid 1 writes pages 0 .. 199    eviction k happens at reference 64 + k
 *                                   and needs slot k; eviction 101 (asid 1,
 *                                   page 114) finds the area full.  asid 1
 *                                   holds 114 pages (50 out, 64 in), asid 2
 *                                   50: asid 1 is killed; its victim (its
 *                                   page 50) goes with it, page 114 is freed
 *                                   after its fault, pages 115 .. 199 are
 *                                   skipped (85)
 *   asid 2 reads pages 0 .. 49      50 swap-ins, memory is free */
static void largest(void)
{
	struct vtrace t = {0};
	struct pb_vm_stats st;
	struct vt_swap sw;
	for (uint64_t p = 0; p < 50; p++)
		vt_add(&t, 2, p, PB_OP_WRITE, 0);
	for (uint64_t p = 0; p < 200; p++)
		vt_add(&t, 1, p, PB_OP_WRITE, 0);
	for (uint64_t p = 0; p < 50; p++)
		vt_add(&t, 2, p, PB_OP_READ, 0);
	struct pb_vm_cfg c = vt_cfg("lru", 64);
	c.swap_pages = 100;
	PB_CHECK(vt_run(&c, &t, &st, &sw) == 0);
	PB_CHECK_EQ_U64(st.oom_kills, 1);
	PB_CHECK_EQ_U64(st.oom_pages_freed, 115);
	PB_CHECK_EQ_U64(st.oom_skipped, 85);
	PB_CHECK_EQ_U64(st.swap_outs, 100);
	PB_CHECK_EQ_U64(st.swap_ins, 50);
	PB_CHECK_EQ_U64(st.faults, 50 + 115 + 50);
	PB_CHECK_EQ_U64(sw.resident, 50);
	PB_CHECK_EQ_U64(sw.in_use, 50); /* asid 2's pages, read back clean */
	free(t.a);
}

/* Several processes of different sizes writing and reading private and
 * shared pages, with a swap area far too small: OOM kills, counted, and a
 * consistent engine, for several seeds, policies, THP off and on, and
 * engine threads 1 and 2 (strict, 4 KiB pages: the same counts; free or
 * THP: consistent). */
static void random_oom(void)
{
	static const char *const pols[] = {"lru", "clock", "fifo", "arc", "sieve"};
	struct vtrace t = {0};
	for (uint64_t seed = 1; seed <= 5; seed++) {
		t.n = 0;
		uint64_t s = seed;
		for (int i = 0; i < 20000; i++) {
			uint32_t as = 1 + (uint32_t)(vt_rand(&s) % 4);
			int op = vt_rand(&s) % 2 ? PB_OP_WRITE : PB_OP_READ;
			if (vt_rand(&s) % 8 == 0)
				vt_add(&t, as, 1u << 20 | vt_rand(&s) % 128, op, PB_ACC_SHARED);
			else
				vt_add(&t, as, vt_rand(&s) % (300 * as), op, 0);
		}
		for (int thp = 0; thp <= 1; thp++) {
			const struct pb_policy_desc *d = pb_policy_find(pols[seed % 5]);
			struct pb_vm_cfg c = vt_cfg(d ? d->name : "lru", thp ? 1024 : 256);
			c.swap_pages = thp ? 700 : 300;
			c.thp = thp ? PB_VM_THP_ALWAYS : PB_VM_THP_NEVER;
			c.seed = seed;
			struct pb_vm_stats st1, st2, st3;
			struct vt_swap sw;
			PB_CHECK(vt_run(&c, &t, &st1, &sw) == 0);
			PB_CHECK_MSG(st1.oom_kills >= 1 && st1.oom_kills <= 4,
				     "seed %llu: %llu kills", (unsigned long long)seed,
				     (unsigned long long)st1.oom_kills);
			PB_CHECK(st1.oom_pages_freed > 0 && st1.oom_skipped > 0);
			PB_CHECK(sw.peak <= c.swap_pages);
			c.nthreads = 2;
			PB_CHECK(vt_run(&c, &t, &st2, NULL) == 0);
			if (!thp) { /* 4 KiB only: placement-free, the same counts */
				PB_CHECK_EQ_U64(st2.faults, st1.faults);
				PB_CHECK_EQ_U64(st2.oom_kills, st1.oom_kills);
				PB_CHECK_EQ_U64(st2.oom_skipped, st1.oom_skipped);
			}
			c.order = PB_VM_ORDER_FREE;
			PB_CHECK(vt_run(&c, &t, &st3, NULL) == 0);
			PB_CHECK(st3.oom_kills >= 1);
		}
	}
	free(t.a);
}

int main(void)
{
	if (!pb_policy_find("lru") || !pb_policy_find("clock"))
		PB_SKIP("policies lru, clock not built");
	reuse();
	largest();
	random_oom();
	return pb_test_done();
}
