/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_thp_regions.c - huge pages (huge.c) with regions
 * (vma.c): a 2 MiB page maps only where its aligned range lies wholly in
 * one user, private anonymous rw region, carries the region's NX and U
 * bits, and never turns a protection fault into a mapping.
 *
 *  - A hand-worked stream (counts derived in the comments).
 *  - Random `exec:thp=1` streams (several processes, illegal references,
 *    sim --thp madvise and always, roomy and tight frame pools, 1-2 engine
 *    threads): pb_vm_check (isolation included) passes, segv equals a
 *    brute-force count against the regions, and with room for every page
 *    thp_faults + thp_fallbacks equals the distinct (process, 2 MiB heap
 *    range) pairs touched legally.
 *  - The common generators' thp=1 flags their private accesses PB_ACC_THP
 *    (not the library's fetches), and madvise then maps 2 MiB pages.
 *  - `sim --workload exec:thp=1 --thp madvise` has thp_faults > 0 in
 *    sim.csv (read back with the CSV reader); with --thp never it is 0.
 * argv[1] (optional): the pagebench binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_ref.h"
#include "pagebench/csvread.h"
#include "pagebench/hmap.h"
#include "pagebench/vm_drive.h"
#include "pbtest.h"
#include "spawn.h"

#define MB2 (2ULL << 20)

static struct pb_vma mk(uint32_t asid, uint64_t start, uint64_t pages, unsigned prot, unsigned kind,
			unsigned flags, const char *name)
{
	struct pb_vma r;
	memset(&r, 0, sizeof(r));
	r.asid = asid;
	r.start = start;
	r.end = start + pages * 4096;
	r.prot = (uint8_t)prot;
	r.kind = (uint8_t)kind;
	r.flags = (uint8_t)flags;
	snprintf(r.name, sizeof(r.name), "%s", name);
	return r;
}

static struct pb_access acc(uint64_t addr, unsigned op, unsigned flags)
{
	struct pb_access a = {.addr = addr, .asid = 0, .op = (uint8_t)op, .flags = (uint16_t)flags};
	return a;
}

static int make_vm(const struct pb_vma *r, size_t nr, uint64_t frames, unsigned threads,
		   enum pb_vm_thp thp, struct pb_vm **vm, char *err, size_t errlen)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.frames = frames;
	c.nthreads = threads;
	c.regions = r;
	c.nregions = nr;
	c.thp = thp;
	return pb_vm_create(&c, vm, err, errlen);
}

/* Region A: 512 pages at 2 MiB (exactly one aligned range).  Region B:
 * 600 pages at 8 MiB + 4 KiB: holds no whole aligned 2 MiB range.  Both
 * user rw- anonymous.  thp=madvise, every access flagged PB_ACC_THP:
 *   1 read  A+5     first touch of A's range: a huge fault (faults 1, thp 1)
 *   2 write A+300   the same 2 MiB translation: a hit
 *   3 fetch A+7     the huge PTE is NX (A is not executable): segv 1
 *   4 read  B+0     B holds no whole range: a 4 KiB fault (faults 2)
 *   5 read  0x1000  in no region: segv 2, not a huge fault
 *   6 read  A+5     a hit
 * refs 6 = hits 2 + faults 2 + segv 2; thp_faults 1. */
static void hand_worked(void)
{
	const unsigned U = PB_VMA_USER, RW = PB_VMA_R | PB_VMA_W;
	struct pb_vma r[2] = {mk(0, MB2, 512, RW, PB_VMA_ANON, U, "A"),
			      mk(0, 4 * MB2 + 4096, 600, RW, PB_VMA_ANON, U, "B")};
	struct pb_access a[6] = {
	    acc(MB2 + 5 * 4096, PB_OP_READ, PB_ACC_THP),
	    acc(MB2 + 300 * 4096, PB_OP_WRITE, PB_ACC_THP),
	    acc(MB2 + 7 * 4096, PB_OP_FETCH, PB_ACC_THP),
	    acc(4 * MB2 + 4096, PB_OP_READ, PB_ACC_THP),
	    acc(0x1000, PB_OP_READ, PB_ACC_THP),
	    acc(MB2 + 5 * 4096, PB_OP_READ, PB_ACC_THP),
	};
	for (int mode = 0; mode < 2; mode++) { /* madvise, always: the same counts */
		struct pb_vm *vm;
		char err[256];
		PB_CHECK_MSG(make_vm(r, 2, 2048, 1, mode ? PB_VM_THP_ALWAYS : PB_VM_THP_MADVISE,
				     &vm, err, sizeof(err)) == 0,
			     "%s", err);
		PB_CHECK_MSG(pb_vm_replay_team(vm, a, 6, NULL, 0) == 0, "%s", pb_vm_error(vm));
		struct pb_vm_stats st;
		pb_vm_stats(vm, &st);
		PB_CHECK_EQ_U64(st.refs, 6);
		PB_CHECK_EQ_U64(st.thp_faults, 1);
		PB_CHECK_EQ_U64(st.faults, 2);
		PB_CHECK_EQ_U64(st.segv, 2);
		PB_CHECK_EQ_U64(st.hits, 2);
		PB_CHECK_EQ_U64(st.zero_fills, 512 + 1);
		PB_CHECK_MSG(pb_vm_check(vm, err, sizeof(err)) == 0, "%s", err);
		PB_CHECK_MSG(pb_vm_check_isolation(vm, err, sizeof(err)) == 0, "%s", err);
		pb_vm_destroy(vm);
	}
}

/* ---- random exec:thp=1 streams ---- */
/* segv and the distinct (asid, 2 MiB range) pairs of legal heap accesses */
static void reference(const struct loaded *l, uint64_t *segv, uint64_t *ranges)
{
	struct pb_hmap h;
	PB_CHECK(pb_hmap_init(&h, 0) == 0);
	*segv = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct pb_access *a = &l->a[i];
		const struct pb_vma *r;
		if (!legal(l, a, &r)) {
			(*segv)++;
			continue;
		}
		int isnew;
		if (!strcmp(r->name, "heap")) {
			PB_CHECK(a->flags & PB_ACC_THP);
			(void)pb_hmap_upsert(&h, ((uint64_t)a->asid << 40) | (a->addr / MB2),
					     &isnew);
		} else {
			PB_CHECK(!(a->flags & PB_ACC_THP));
		}
	}
	*ranges = pb_hmap_count(&h);
	pb_hmap_fini(&h);
}

static void random_exec(void)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		char spec[256];
		/* heap=700 pages: rounded up to 1024 (two 2 MiB ranges) by thp=1 */
		snprintf(spec, sizeof(spec),
			 "exec:procs=%llu,text=24,data=8,bss=8,heap=700,stack=8,libs=1,libtext=16,"
			 "kernel=16,refs=8000,quantum=300,sys=0.1,bad=0.05,thp=1,seed=%llu",
			 (unsigned long long)(1 + seed), (unsigned long long)seed);
		struct pb_workload *w;
		char err[512];
		struct pb_workload_opts wo = {.nthreads = 1};
		PB_CHECK_MSG(pb_workload_open(spec, &wo, &w, err, sizeof(err)) == 0, "%s", err);
		struct loaded l = {0};
		PB_CHECK(pb_workload_drain(w, NULL, 4096, sink, &l, err, sizeof(err)) == 0);
		pb_workload_regions(w, &l.v, &l.nv);
		const struct pb_vma *heap = NULL;
		for (size_t i = 0; i < l.nv && !heap; i++)
			if (!strcmp(l.v[i].name, "heap"))
				heap = &l.v[i];
		PB_CHECK(heap && heap->start % MB2 == 0 && heap->end - heap->start == 2 * MB2);
		uint64_t segv, ranges;
		reference(&l, &segv, &ranges);
		PB_CHECK(segv > 0 && ranges > 0);
		for (unsigned threads = 1; threads <= 2; threads++)
			for (int mode = 0; mode < 2; mode++)
				for (int roomy = 0; roomy < 2; roomy++) {
					struct pb_vm *vm;
					enum pb_vm_thp t =
					    mode ? PB_VM_THP_ALWAYS : PB_VM_THP_MADVISE;
					/* 600 frames: one 2 MiB frame at most, evictions */
					uint64_t frames = roomy ? 16384 : 600;
					PB_CHECK_MSG(make_vm(l.v, l.nv, frames, threads, t, &vm,
							     err, sizeof(err)) == 0,
						     "%s", err);
					int rc = pb_vm_replay_team(vm, l.a, l.n, NULL, 128);
					PB_CHECK_MSG(rc == 0, "%s", pb_vm_error(vm));
					struct pb_vm_stats st;
					pb_vm_stats(vm, &st);
					PB_CHECK_MSG(pb_vm_check(vm, err, sizeof(err)) == 0,
						     "seed %llu threads %u thp %d frames %llu: %s",
						     (unsigned long long)seed, threads, mode,
						     (unsigned long long)frames, err);
					PB_CHECK_EQ_U64(st.segv, segv);
					PB_CHECK_EQ_U64(st.hits + st.faults + st.segv, l.n);
					if (roomy) {
						PB_CHECK_EQ_U64(st.thp_faults + st.thp_fallbacks,
								ranges);
						PB_CHECK(st.thp_faults > 0);
						PB_CHECK_EQ_U64(st.evictions, 0);
					} else {
						PB_CHECK(st.evictions > 0);
					}
					pb_vm_destroy(vm);
				}
		pb_workload_close(w);
		free(l.a);
	}
}

/* ---- the common generators' thp= ---- */
static void common_thp(void)
{
	for (int thp = 0; thp < 2; thp++) {
		char spec[128], err[512];
		snprintf(spec, sizeof(spec),
			 "uniform:pages=1024,refs=4000,lib=8,libfrac=0.2,thp=%d", thp);
		struct pb_workload *w;
		struct pb_workload_opts wo = {.nthreads = 1};
		PB_CHECK_MSG(pb_workload_open(spec, &wo, &w, err, sizeof(err)) == 0, "%s", err);
		struct loaded l = {0};
		PB_CHECK(pb_workload_drain(w, NULL, 4096, sink, &l, err, sizeof(err)) == 0);
		uint64_t lib = 0, flagged = 0;
		for (size_t i = 0; i < l.n; i++) {
			int file = (l.a[i].flags & PB_ACC_FILE) != 0;
			lib += file;
			flagged += (l.a[i].flags & PB_ACC_THP) != 0;
			PB_CHECK(!(file && (l.a[i].flags & PB_ACC_THP)));
		}
		PB_CHECK(lib > 0);
		PB_CHECK_EQ_U64(flagged, thp ? l.n - lib : 0);
		struct pb_vm_cfg c;
		pb_vm_cfg_default(&c);
		c.frames = 4096;
		c.thp = PB_VM_THP_MADVISE;
		struct pb_vm *vm;
		PB_CHECK_MSG(pb_vm_create(&c, &vm, err, sizeof(err)) == 0, "%s", err);
		PB_CHECK_MSG(pb_vm_replay_team(vm, l.a, l.n, NULL, 0) == 0, "%s", pb_vm_error(vm));
		struct pb_vm_stats st;
		pb_vm_stats(vm, &st);
		/* 1024 pages at 0x10000000 (2 MiB aligned): two 2 MiB ranges */
		PB_CHECK_EQ_U64(st.thp_faults, thp ? 2 : 0);
		PB_CHECK_MSG(pb_vm_check(vm, err, sizeof(err)) == 0, "%s", err);
		pb_vm_destroy(vm);
		pb_workload_close(w);
		free(l.a);
	}
}

/* ---- sim end to end ---- */
static uint64_t sim_thp_faults(const char *bin, char *const envv[], const char *thp)
{
	struct spawn_out *o = malloc(sizeof(*o));
	PB_CHECK(o != NULL);
	if (!o)
		return UINT64_MAX;
	PB_CHECK(spawn_runl(bin, envv, o, "sim", "--workload", "exec:thp=1,refs=20000", "--policy",
			    "lru", "--frames", "4096", "--reps", "1", "--thp", thp, "--csv",
			    NULL) == 0);
	PB_CHECK_MSG(o->code == 0, "sim exit %d: %s", o->code, o->err);
	uint64_t v = UINT64_MAX;
	struct pb_csv t;
	char err[256];
	if (pb_csv_parse(o->out, strlen(o->out), "sim", &t, err, sizeof(err)) == 0) {
		const char *c = t.nrows == 1 ? pb_csv_get(&t, 0, "thp_faults") : NULL;
		if (c)
			v = strtoull(c, NULL, 10);
		pb_csv_free(&t);
	}
	free(o);
	return v;
}

static void cli(const char *bin)
{
	char dir[512], env_results[600];
	if (!pbt_tmpdir(dir, sizeof(dir), "thpregions"))
		return;
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", dir);
	char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", NULL};
	uint64_t m = sim_thp_faults(bin, envv, "madvise");
	/* 4 processes (the default), each a 2 MiB heap (256 pages rounded
	 * up) that 20000 references touch: at most 4 huge faults */
	PB_CHECK_MSG(m > 0 && m <= 4, "thp_faults %llu", (unsigned long long)m);
	PB_CHECK_EQ_U64(sim_thp_faults(bin, envv, "never"), 0);
	PB_CHECK(pbt_rmtree(dir) == 0);
}

int main(int argc, char **argv)
{
	hand_worked();
	random_exec();
	common_thp();
	if (argc > 1)
		cli(argv[1]);
	return pb_test_done();
}
