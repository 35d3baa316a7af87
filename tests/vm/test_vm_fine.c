/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_fine.c - fine-grained faults (label stress, run under
 * ThreadSanitizer by ./run.sh test): FREE order on 2-4 threads, where
 * faults of different pages take their own page locks and only the
 * policy call is serial (kernels/vm/hints.c).  Small frame counts make
 * nearly every fault evict, so victims are often pages another thread is
 * faulting, mapping or hitting at that moment.  After each run:
 *   - every reference is a hit or a fault, every fault minor or major,
 *     every eviction a write-back or a clean drop;
 *   - every distinct page faulted at least once (its first touch), at most
 *     once per reference; the resident set fits the frames;
 *   - pb_vm_check: policy residency == resident page objects == frames
 *     in use; no TLB entry outlives its PTE; every resident page owns its
 *     frame alone, the frame names it, no page lock or eviction mark is
 *     left, its reverse map lists exactly the present PTEs of its frame;
 *     the frame allocator's invariants hold;
 *   - pb_vm_check_isolation: every present PTE maps a frame whose page
 *     belongs to that address space and virtual page;
 *   - swap slots in use never exceed the distinct pages.
 * Streams: anonymous private pages of several address spaces (hot and
 * cold sets, a third of them writes: swap-outs and swap-ins), more
 * distinct pages than the page-object table's first size (its growth
 * falls back to the whole-machine lock); a mixed stream in which
 * copy-on-write accesses take the whole machine while anonymous, shared
 * and shared-file faults run fine-grained, some of them on virtual pages
 * where a copy-on-write mapping is; and a stream of shared file pages
 * only (a block trace's), which must fault fine-grained (exclusive_faults
 * under a quarter of the faults), read from and write back to its file.  With LRU and FIFO on
 * 128-400 frames the engine batches (kernels/vm/batch.c): frame reserves, late insertions, victims
 * reclaimed several at a time; the same checks hold.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vm_drive.h"
#include "pbtest.h"

#define NREFS  24000
#define NPAGES 3000 /* cold set: above the page-object table's first 1024 */

static struct pb_access refs[NREFS];
static uint64_t distinct;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* mixed: one access in eight to a file, shared or COW page; FILE_ONLY:
 * every access to a shared file mapping, as a block or cache trace
 * replays (reader.c's backing=file) */
#define FILE_ONLY 2
static void gen(uint64_t seed, int mixed)
{
	struct pb_rng r;
	pb_rng_seed(&r, seed);
	uint64_t *keys = malloc(NREFS * sizeof(*keys));
	if (!keys)
		abort();
	for (size_t i = 0; i < NREFS; i++) {
		struct pb_access *a = &refs[i];
		uint64_t page =
		    pb_rng_below(&r, 4) ? pb_rng_below(&r, 40) : pb_rng_below(&r, NPAGES);
		a->asid = 1 + (uint32_t)pb_rng_below(&r, 3);
		a->op = pb_rng_below(&r, 3) == 0 ? PB_OP_WRITE : PB_OP_READ;
		a->thread = 0;
		a->flags = mixed == FILE_ONLY ? PB_ACC_FILE | PB_ACC_SHARED : 0;
		if (mixed == 1 && pb_rng_below(&r, 8) == 0) {
			static const uint16_t kinds[] = {PB_ACC_FILE | PB_ACC_SHARED, PB_ACC_SHARED,
							 PB_ACC_COW};
			uint64_t k = pb_rng_below(&r, 3);
			/* now and then the COW range without its flag: an
			 * anonymous fault that meets the shared original or the
			 * private copy mapped there (the whole machine decides) */
			a->flags = k == 2 && pb_rng_below(&r, 4) == 0 ? 0 : kinds[k];
			page = 10000 * (k + 1) + pb_rng_below(&r, 64);
		}
		a->addr = (page << 12) | 16;
		keys[i] = pb_vm_key(a);
	}
	/* distinct pages by key (a COW write's private copy counts as its own) */
	qsort(keys, NREFS, sizeof(*keys), cmp_u64);
	distinct = 0;
	for (size_t i = 0; i < NREFS; i++)
		distinct += !i || keys[i] != keys[i - 1];
	free(keys);
}

static void run(const char *pol, uint64_t frames, unsigned threads, enum pb_vm_hints hints,
		enum pb_vm_pt pt, int mixed)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.policy = pb_policy_find(pol);
	if (!c.policy)
		return;
	c.frames = frames;
	c.nthreads = threads;
	c.order = PB_VM_ORDER_FREE;
	c.hints = hints;
	c.pt = pt;
	struct pb_vm *vm;
	char err[256];
	int rc = pb_vm_create(&c, &vm, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "create %s: %s", pol, err);
	if (rc)
		return;
	rc = pb_vm_replay_team(vm, refs, NREFS, NULL, 64);
	PB_CHECK_MSG(rc == 0, "%s %llu frames %u threads: %s", pol, (unsigned long long)frames,
		     threads, pb_vm_error(vm));
	struct pb_vm_stats st;
	pb_vm_stats(vm, &st);
	PB_CHECK_EQ_U64(st.refs, NREFS);
	PB_CHECK_EQ_U64(st.hits + st.faults, st.refs);
	PB_CHECK_EQ_U64(st.minor_faults + st.major_faults, st.faults);
	PB_CHECK_EQ_U64(st.evictions, st.writebacks + st.dropped_clean);
	PB_CHECK_EQ_U64(st.read_ios, st.swap_ins + st.file_reads);
	PB_CHECK_MSG(st.faults >= distinct && st.faults <= NREFS,
		     "%s %u threads: %llu faults for %llu distinct pages", pol, threads,
		     (unsigned long long)st.faults, (unsigned long long)distinct);
	PB_CHECK(st.evictions > 0);
	PB_CHECK(pb_vm_resident(vm) <= frames);
	if (mixed == FILE_ONLY) {
		/* file pages fault fine-grained (kernels/vm/fault.c, fault_fine):
		 * the whole machine only for the page-object table's growths
		 * and, batched, a page resident but not mapped in the faulting
		 * address space (before: every fault) */
		PB_CHECK_MSG(st.exclusive_faults * 4 < st.faults,
			     "%s %u threads: %llu of %llu file faults took the whole machine", pol,
			     threads, (unsigned long long)st.exclusive_faults,
			     (unsigned long long)st.faults);
		PB_CHECK(st.file_reads > 0 && st.swap_ins == 0 && st.zero_fills == 0);
		PB_CHECK(st.file_writebacks > 0 && st.file_writebacks == st.writebacks);
	}
	if (!rc) {
		rc = pb_vm_check(vm, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s %llu frames %u threads%s: %s", pol,
			     (unsigned long long)frames, threads, mixed ? " mixed" : "", err);
		rc = pb_vm_check_isolation(vm, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s %u threads: %s", pol, threads, err);
	}
	uint64_t in_use, peak, size;
	pb_vm_swap_usage(vm, &in_use, &peak, &size);
	PB_CHECK(in_use <= peak && peak <= distinct);
	pb_vm_destroy(vm);
}

int main(void)
{
	static const char *const pols[] = {"lru", "clock", "fifo", "arc", "sieve", "s3fifo"};
	static const uint64_t frames[] = {6, 48};
	gen(7, 0);
	for (size_t p = 0; p < PB_ARRAY_SIZE(pols); p++)
		for (unsigned t = 2; t <= 4; t++)
			for (size_t f = 0; f < PB_ARRAY_SIZE(frames); f++)
				run(pols[p], frames[f], t, PB_VM_HINTS_EXACT,
				    t == 3 ? PB_VM_PT_HASHED : PB_VM_PT_RADIX, 0);
	run("clock", 16, 2, PB_VM_HINTS_ABIT, PB_VM_PT_RADIX, 0);
	run("sieve", 16, 4, PB_VM_HINTS_ABIT, PB_VM_PT_RADIX, 0);
	/* batched free order (kernels/vm/batch.c: LRU and FIFO from 32
	 * frames per thread on): per-thread frame reserves, insertions
	 * applied late, victims reclaimed rsv_k at a time - 128 frames give
	 * the smallest reserve (4 on 4 threads), 400 the largest (25 on 2) */
	for (unsigned t = 2; t <= 4; t++) {
		run("lru", 128, t, PB_VM_HINTS_EXACT, t == 3 ? PB_VM_PT_HASHED : PB_VM_PT_RADIX, 0);
		run("fifo", 128, t, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, 0);
	}
	run("lru", 400, 2, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, 0);
	run("fifo", 400, 2, PB_VM_HINTS_ABIT, PB_VM_PT_RADIX, 0);
	/* copy-on-write faults take the whole machine between fine-grained
	 * anonymous, shared and shared-file ones */
	gen(11, 1);
	for (size_t p = 0; p < 3; p++)
		for (unsigned t = 2; t <= 4; t += 2)
			run(pols[p], 32, t, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, 1);
	/* the whole machine drains every thread's batches first */
	for (unsigned t = 2; t <= 4; t += 2) {
		run("lru", 128, t, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, 1);
		run("fifo", 256, t, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, 1);
	}
	/* shared file pages, mapped by several address spaces: fine-grained
	 * faults, a second mapping through the reverse map's overflow list,
	 * dirty pages written back to their file */
	gen(13, FILE_ONLY);
	for (unsigned t = 2; t <= 4; t += 2) {
		run("lru", 128, t, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, FILE_ONLY);
		run("clock", 32, t, PB_VM_HINTS_EXACT, PB_VM_PT_HASHED, FILE_ONLY);
		run("arc", 48, t, PB_VM_HINTS_EXACT, PB_VM_PT_RADIX, FILE_ONLY);
	}
	return pb_test_done();
}
