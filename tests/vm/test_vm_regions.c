/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_regions.c - regions (VMAs) in the engine: protection,
 * the kernel region's global TLB entries, program loading and isolation.
 *
 *  - A hand-worked stream over two processes (every count below derived by
 *    hand in the comments): text read once and shared, data COW from the
 *    program file, a write to text refused twice (so never mapped
 *    writable), a kernel page whose TLB entry one process fills and the
 *    other hits, a user read of it, page 0 and a fetch from the heap are
 *    protection faults.
 *  - Random multi-process `exec` workloads (several seeds, 1-3 engine
 *    threads, STRICT and FREE order, radix and hashed tables, few frames so
 *    pages are evicted and swapped): the engine's consistency and isolation
 *    checks pass, segv equals a brute-force count of the stream's illegal
 *    accesses against the regions, cow_copies the distinct (process, data
 *    page) pairs written, and with room for every page exec_reads and
 *    zero_fills the distinct image and anonymous pages touched legally.
 *  - Bad region tables and accesses whose flags disagree with their region
 *    are refused; `sim` writes segv/exec_reads (NA without regions).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_ref.h"
#include "pagebench/csvread.h"
#include "pagebench/hmap.h"
#include "pagebench/vm_drive.h"
#include "pbtest.h"
#include "spawn.h"

#define KBASE 0xffff80000000ULL

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

static struct pb_access acc(uint32_t asid, uint64_t addr, unsigned op, unsigned flags)
{
	struct pb_access a = {
	    .addr = addr, .asid = asid, .op = (uint8_t)op, .flags = (uint16_t)flags};
	return a;
}

static int make_vm(const struct pb_vma *r, size_t nr, uint64_t frames, unsigned threads,
		   enum pb_vm_order order, enum pb_vm_pt pt, struct pb_vm **vm, char *err,
		   size_t errlen)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.frames = frames;
	c.nthreads = threads;
	c.order = order;
	c.pt = pt;
	c.regions = r;
	c.nregions = nr;
	return pb_vm_create(&c, vm, err, errlen);
}

/* ---- the hand-worked example ---- */
static void hand_worked(void)
{
	const unsigned U = PB_VMA_USER, I = PB_VMA_IMAGE;
	struct pb_vma r[9];
	size_t nr = 0;
	for (uint32_t as = 0; as < 2; as++) {
		r[nr++] =
		    mk(as, 0x400000, 2, PB_VMA_R | PB_VMA_X, PB_VMA_FILE_SHARED, U | I, "text");
		r[nr++] =
		    mk(as, 0x402000, 1, PB_VMA_R | PB_VMA_W, PB_VMA_FILE_PRIVATE, U | I, "data");
		r[nr++] = mk(as, 0x600000, 2, PB_VMA_R | PB_VMA_W, PB_VMA_ANON, U, "heap");
	}
	r[nr++] = mk(PB_VMA_ALL, KBASE, 1, PB_VMA_R | PB_VMA_W, PB_VMA_SHM, 0, "kernel");
	const unsigned FS = PB_ACC_FILE | PB_ACC_SHARED, K = PB_ACC_SHARED | PB_ACC_KERNEL;
	const struct pb_access s[] = {
	    acc(0, 0x400000, PB_OP_FETCH, FS),	       /* 1 major, file read, exec read; TLB miss */
	    acc(1, 0x400010, PB_OP_FETCH, FS),	       /* 2 minor (page cache hit); miss */
	    acc(0, 0x402000, PB_OP_READ, PB_ACC_FILE), /* 3 major: data from the file; miss */
	    acc(0, 0x402008, PB_OP_WRITE, PB_ACC_FILE), /* 4 COW, minor; L1 hit (read-only) */
	    acc(1, 0x402000, PB_OP_WRITE, PB_ACC_FILE), /* 5 COW, minor; miss */
	    acc(0, 0x400000, PB_OP_WRITE, FS),		/* 6 segv: text; L2 hit (L1i held it) */
	    acc(0, 0x400000, PB_OP_WRITE, FS),		/* 7 segv again: not mapped w; L1 hit */
	    acc(0, 0x600000, PB_OP_READ, 0),		/* 8 zero fill; miss */
	    acc(0, KBASE, PB_OP_READ, K),		/* 9 zero fill (kernel); miss */
	    acc(1, KBASE + 8, PB_OP_READ, K),		/* 10 hit: the global entry; L1 hit */
	    acc(1, KBASE, PB_OP_READ, PB_ACC_SHARED),	/* 11 segv: user mode; L1 hit */
	    acc(0, 0x10, PB_OP_READ, 0),		/* 12 segv: no region; miss */
	    acc(0, 0x600000, PB_OP_FETCH, 0),		/* 13 segv: heap is NX; L1i miss, L2 hit */
	    acc(0, 0x401000, PB_OP_READ, FS),		/* 14 major: text page 1; miss */
	};
	struct pb_vm *vm;
	char err[256];
	PB_CHECK_MSG(
	    make_vm(r, nr, 64, 1, PB_VM_ORDER_STRICT, PB_VM_PT_RADIX, &vm, err, sizeof(err)) == 0,
	    "%s", err);
	PB_CHECK(pb_vm_access_batch(vm, 0, s, PB_ARRAY_SIZE(s), 0, NULL) == 0);
	pb_vm_flush_hints(vm, 0);
	struct pb_vm_stats st;
	pb_vm_stats(vm, &st);
	PB_CHECK_EQ_U64(st.refs, 14);
	PB_CHECK_EQ_U64(st.faults, 8);	     /* 1 2 3 4 5 8 9 14 */
	PB_CHECK_EQ_U64(st.segv, 5);	     /* 6 7 11 12 13 */
	PB_CHECK_EQ_U64(st.hits, 1);	     /* 10 */
	PB_CHECK_EQ_U64(st.major_faults, 3); /* 1 3 14 */
	PB_CHECK_EQ_U64(st.minor_faults, 5);
	PB_CHECK_EQ_U64(st.file_reads, 3);
	PB_CHECK_EQ_U64(st.exec_reads, 3);
	PB_CHECK_EQ_U64(st.zero_fills, 2);
	PB_CHECK_EQ_U64(st.cow_copies, 2);
	PB_CHECK_EQ_U64(st.pagecache_hits, 1);
	PB_CHECK_EQ_U64(st.tlb_misses, 8);	/* 1 2 3 5 8 9 12 14 */
	PB_CHECK_EQ_U64(st.tlb_l1_hits, 4);	/* 4 7 10 11 */
	PB_CHECK_EQ_U64(st.tlb_l2_hits, 2);	/* 6 13 */
	PB_CHECK_EQ_U64(pb_vm_resident(vm), 7); /* text 2, data original, 2 copies, heap, kernel */
	PB_CHECK_MSG(pb_vm_check(vm, err, sizeof(err)) == 0, "%s", err);
	PB_CHECK_MSG(pb_vm_check_isolation(vm, err, sizeof(err)) == 0, "%s", err);
	pb_vm_destroy(vm);

	/* the same accesses without regions: nothing refused, nothing checked */
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == 0);
	PB_CHECK(pb_vm_access_batch(vm, 0, s, PB_ARRAY_SIZE(s), 0, NULL) == 0);
	pb_vm_stats(vm, &st);
	PB_CHECK_EQ_U64(st.segv, 0);
	PB_CHECK_EQ_U64(st.exec_reads, 0);
	PB_CHECK_EQ_U64(st.hits + st.faults, 14);
	PB_CHECK_MSG(pb_vm_check_isolation(vm, err, sizeof(err)) == 0, "%s", err);
	pb_vm_destroy(vm);
}

/* ---- bad tables and bad accesses ---- */
static void refused(void)
{
	struct pb_vm *vm;
	char err[256];
	struct pb_vma ov[2] = {mk(0, 0x1000, 4, PB_VMA_R, PB_VMA_ANON, PB_VMA_USER, "a"),
			       mk(0, 0x3000, 4, PB_VMA_R, PB_VMA_ANON, PB_VMA_USER, "b")};
	PB_CHECK(make_vm(ov, 2, 8, 1, 0, 0, &vm, err, sizeof(err)) == -EINVAL);
	PB_CHECK(strstr(err, "overlap") != NULL);
	struct pb_vma un = mk(0, 0x1010, 1, PB_VMA_R, PB_VMA_ANON, PB_VMA_USER, "u");
	PB_CHECK(make_vm(&un, 1, 8, 1, 0, 0, &vm, err, sizeof(err)) == -EINVAL);
	struct pb_vma ink[2] = {mk(0, KBASE + 4096, 1, PB_VMA_R, PB_VMA_ANON, PB_VMA_USER, "in"),
				mk(PB_VMA_ALL, KBASE, 4, PB_VMA_R, PB_VMA_SHM, 0, "kernel")};
	PB_CHECK(make_vm(ink, 2, 8, 1, 0, 0, &vm, err, sizeof(err)) == -EINVAL);
	PB_CHECK(strstr(err, "kernel") != NULL);
	/* an access whose flags disagree with its region, and the kernel's asid */
	struct pb_vma ok = mk(0, 0x1000, 4, PB_VMA_R | PB_VMA_W, PB_VMA_ANON, PB_VMA_USER, "heap");
	PB_CHECK(make_vm(&ok, 1, 8, 1, 0, 0, &vm, err, sizeof(err)) == 0);
	struct pb_access a = acc(0, 0x1000, PB_OP_READ, PB_ACC_FILE);
	PB_CHECK(pb_vm_access_batch(vm, 0, &a, 1, 0, NULL) == -EINVAL);
	PB_CHECK(strstr(pb_vm_error(vm), "disagree") != NULL);
	pb_vm_destroy(vm);
	PB_CHECK(make_vm(&ok, 1, 8, 1, 0, 0, &vm, err, sizeof(err)) == 0);
	a = acc(0xfff0, 0x1000, PB_OP_READ, 0);
	PB_CHECK(pb_vm_access_batch(vm, 0, &a, 1, 0, NULL) == -EINVAL);
	pb_vm_destroy(vm);
}

/* ---- random exec workloads against a brute-force reference ---- */
struct expect {
	uint64_t segv, cow, image, zero;
};

static void reference(const struct loaded *l, struct expect *e)
{
	struct pb_hmap cow, image, zero;
	PB_CHECK(pb_hmap_init(&cow, 0) == 0 && pb_hmap_init(&image, 0) == 0 &&
		 pb_hmap_init(&zero, 0) == 0);
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < l->n; i++) {
		const struct pb_access *a = &l->a[i];
		const struct pb_vma *r;
		int isnew;
		uint64_t vpn = a->addr >> 12;
		if (!legal(l, a, &r)) {
			e->segv++;
			continue;
		}
		if (r->kind == PB_VMA_FILE_PRIVATE && a->op == PB_OP_WRITE)
			(void)pb_hmap_upsert(&cow, ((uint64_t)a->asid << 40) | vpn, &isnew);
		if (r->flags & PB_VMA_IMAGE) /* one file page per vpn, whatever the process */
			(void)pb_hmap_upsert(&image, vpn, &isnew);
		if (r->kind == PB_VMA_ANON)
			(void)pb_hmap_upsert(&zero, ((uint64_t)a->asid << 40) | vpn, &isnew);
		if (r->kind == PB_VMA_SHM)
			(void)pb_hmap_upsert(&zero, (0xffffULL << 40) | vpn, &isnew);
	}
	e->cow = pb_hmap_count(&cow);
	e->image = pb_hmap_count(&image);
	e->zero = pb_hmap_count(&zero);
	pb_hmap_fini(&cow);
	pb_hmap_fini(&image);
	pb_hmap_fini(&zero);
}

/* One engine over the stream l, checked against the reference e. */
static void one_run(const struct loaded *l, const struct expect *e, unsigned threads,
		    enum pb_vm_order order, enum pb_vm_pt pt, uint64_t frames, int roomy)
{
	struct pb_vm *vm;
	char err[256];
	PB_CHECK_MSG(make_vm(l->v, l->nv, frames, threads, order, pt, &vm, err, sizeof(err)) == 0,
		     "%s", err);
	int rc = pb_vm_replay_team(vm, l->a, l->n, NULL, 128);
	PB_CHECK_MSG(rc == 0, "%s", pb_vm_error(vm));
	struct pb_vm_stats st;
	pb_vm_stats(vm, &st);
	PB_CHECK_MSG(pb_vm_check(vm, err, sizeof(err)) == 0, "threads %u order %d pt %d: %s",
		     threads, (int)order, (int)pt, err);
	PB_CHECK_MSG(pb_vm_check_isolation(vm, err, sizeof(err)) == 0, "%s", err);
	PB_CHECK_EQ_U64(st.segv, e->segv);
	PB_CHECK_EQ_U64(st.cow_copies, e->cow);
	PB_CHECK_EQ_U64(st.hits + st.faults + st.segv, l->n);
	PB_CHECK(st.exec_reads <= st.file_reads);
	if (!roomy) {
		PB_CHECK(st.evictions > 0 && st.swap_ins > 0);
	} else {
		PB_CHECK_EQ_U64(st.evictions, 0);
		PB_CHECK_EQ_U64(st.exec_reads, e->image);
		PB_CHECK_EQ_U64(st.file_reads, e->image);
		PB_CHECK_EQ_U64(st.zero_fills, e->zero);
	}
	pb_vm_destroy(vm);
}

static void random_exec(void)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		char spec[256];
		snprintf(spec, sizeof(spec),
			 "exec:procs=%llu,text=24,data=8,bss=8,heap=64,stack=8,libs=2,libtext=16,"
			 "kernel=16,refs=10000,quantum=300,sys=0.1,bad=0.05,seed=%llu",
			 (unsigned long long)(2 + seed), (unsigned long long)seed);
		struct pb_workload *w;
		char err[512];
		struct pb_workload_opts wo = {.nthreads = 1};
		PB_CHECK_MSG(pb_workload_open(spec, &wo, &w, err, sizeof(err)) == 0, "%s", err);
		struct loaded l = {0};
		PB_CHECK(pb_workload_drain(w, NULL, 4096, sink, &l, err, sizeof(err)) == 0);
		pb_workload_regions(w, &l.v, &l.nv);
		/* procs x (text data bss heap 2 libs stack) + the kernel, sorted */
		PB_CHECK_EQ_U64(l.nv, (2 + seed) * 7 + 1);
		for (size_t i = 1; i < l.nv; i++)
			PB_CHECK(l.v[i - 1].asid < l.v[i].asid || (l.v[i - 1].asid == l.v[i].asid &&
								   l.v[i - 1].end <= l.v[i].start));
		struct expect e;
		reference(&l, &e);
		PB_CHECK(e.segv > 0 && e.cow > 0 && e.image > 0);
		/* 100 frames: evictions and swap-ins; 4096: room for every page */
		for (unsigned threads = 1; threads <= 3; threads++)
			for (int o = 0; o < 2; o++) {
				enum pb_vm_order order = o ? PB_VM_ORDER_FREE : PB_VM_ORDER_STRICT;
				one_run(&l, &e, threads, order, PB_VM_PT_RADIX, 100, 0);
				one_run(&l, &e, threads, order, PB_VM_PT_RADIX, 4096, 1);
				if (threads == 2) /* hashed: once per seed and order */
					one_run(&l, &e, threads, order, PB_VM_PT_HASHED, 100, 0);
			}
		pb_workload_close(w);
		free(l.a);
	}
}

/* ---- sim: the columns, read back with the CSV reader ---- */
static void cli(const char *bin)
{
	char dir[512], env_results[600];
	if (!pbt_tmpdir(dir, sizeof(dir), "regions"))
		return;
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", dir);
	char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", NULL};
	static const char *const wls[] = {"exec:bad=0.1,refs=5000", "zipf:pages=500,refs=5000"};
	for (size_t k = 0; k < 2; k++) {
		char *argv[] = {(char *)bin, "sim", "--workload", (char *)wls[k],
				"--policy",  "lru", "--frames",	  "200",
				"--reps",    "1",   "--csv",	  NULL};
		struct spawn_out *o = malloc(sizeof(*o));
		PB_CHECK(spawn_run(argv, envv, o) == 0);
		PB_CHECK_MSG(o->code == 0, "%s", o->err);
		struct pb_csv t;
		char err[256];
		PB_CHECK_MSG(pb_csv_parse(o->out, strlen(o->out), "sim", &t, err, sizeof(err)) == 0,
			     "%s", err);
		PB_CHECK(t.nrows == 1);
		const char *segv = pb_csv_get(&t, 0, "segv"), *ex = pb_csv_get(&t, 0, "exec_reads");
		if (k == 0) {
			PB_CHECK(strtoull(segv, NULL, 10) > 0 && strtoull(ex, NULL, 10) > 0);
			PB_CHECK(!strcmp(pb_csv_get(&t, 0, "valid"), "1"));
		} else {
			PB_CHECK(!strcmp(segv, "NA") && !strcmp(ex, "NA"));
		}
		pb_csv_free(&t);
		free(o);
	}
	PB_CHECK(pbt_rmtree(dir) == 0);
}

int main(int argc, char **argv)
{
	hand_worked();
	refused();
	random_exec();
	if (argc > 1)
		cli(argv[1]);
	return pb_test_done();
}
