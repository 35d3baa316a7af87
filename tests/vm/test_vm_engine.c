/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_engine.c - the demand-paging engine on small hand-made
 * traces: textbook fault counts through the full engine (TLB, page walk,
 * faults, eviction), fault classification, prepaging, the real backing
 * file, the TLB model and the cost model; a replay in chunks through one
 * call (pb_vm_access_chunks) against one call per chunk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagebench/vm_drive.h"
#include "pbtest.h"

#define MAXREFS 4096

struct trace {
	struct pb_access a[MAXREFS];
	size_t n;
};

static void add(struct trace *t, uint32_t asid, uint64_t page, int op, uint16_t flags)
{
	struct pb_access *x = &t->a[t->n++];
	x->addr = (page << 12) | 8;
	x->asid = asid;
	x->op = (uint8_t)op;
	x->thread = 0;
	x->flags = flags;
}

static void refstring(struct trace *t, const int *pages, size_t n)
{
	t->n = 0;
	for (size_t i = 0; i < n; i++)
		add(t, 1, (uint64_t)pages[i], PB_OP_READ, 0);
}

/* Run a trace through a fresh engine; returns 0 and the stats. */
/* Replay t on a fresh engine of c in chunks of `chunk` references (0: the
 * default); 0 and the counts, or nonzero, with the invariants checked. */
static int run_chunk(const struct pb_vm_cfg *c, const struct trace *t, size_t chunk,
		     struct pb_vm_stats *st)
{
	struct pb_vm *vm;
	char err[256];
	int rc = pb_vm_create(c, &vm, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "create: %s\n", err);
		return rc;
	}
	uint64_t *nu = NULL;
	if (c->policy->flags & PB_POL_OFFLINE) {
		nu = malloc(t->n * sizeof(*nu));
		if (!nu || pb_vm_next_use(t->a, t->n, nu))
			return -1;
	}
	rc = pb_vm_replay_team(vm, t->a, t->n, nu, chunk);
	if (rc)
		fprintf(stderr, "replay: %s\n", pb_vm_error(vm));
	pb_vm_stats(vm, st);
	/* every fault is minor or major; every reference a hit or a fault */
	PB_CHECK_EQ_U64(st->minor_faults + st->major_faults, st->faults);
	PB_CHECK_EQ_U64(st->hits + st->faults, st->refs);
	PB_CHECK_EQ_U64(st->read_ios, st->swap_ins + st->file_reads);
	PB_CHECK(st->evictions == st->writebacks + st->dropped_clean);
	/* prepaged pages and fault-around PTEs: each used or unused once at most */
	PB_CHECK(st->prepage_used + st->prepage_unused <= st->prepaged + st->prepage_mapped);
	if (!rc && pb_vm_check(vm, err, sizeof(err))) {
		fprintf(stderr, "check: %s\n", err);
		rc = -1;
	}
	pb_vm_destroy(vm);
	free(nu);
	return rc;
}

static int run(const struct pb_vm_cfg *c, const struct trace *t, struct pb_vm_stats *st)
{
	return run_chunk(c, t, 0, st);
}

static struct pb_vm_cfg cfg(const char *policy, uint64_t frames)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.policy = pb_policy_find(policy);
	c.frames = frames;
	c.expected_keys = 8192; /* sizes the page tables: cheap engines */
	return c;
}

static uint64_t faults_of(const char *policy, uint64_t frames, const struct trace *t,
			  enum pb_vm_pt pt)
{
	struct pb_vm_cfg c = cfg(policy, frames);
	c.pt = pt;
	struct pb_vm_stats st;
	if (!c.policy || run(&c, t, &st))
		return UINT64_MAX;
	return st.faults;
}

static void textbook(void)
{
	static struct trace t;
	static const int belady[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
	static const int silb[] = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
	refstring(&t, belady, PB_ARRAY_SIZE(belady));
	for (int pt = 0; pt < 2; pt++) {
		PB_CHECK_EQ_U64(faults_of("fifo", 3, &t, pt), 9);
		PB_CHECK_EQ_U64(faults_of("fifo", 4, &t, pt), 10); /* Belady's anomaly */
		PB_CHECK_EQ_U64(faults_of("lru", 3, &t, pt), 10);
		PB_CHECK_EQ_U64(faults_of("opt", 3, &t, pt), 7);
		PB_CHECK_EQ_U64(faults_of("opt", 4, &t, pt), 6);
	}
	refstring(&t, silb, PB_ARRAY_SIZE(silb));
	for (int pt = 0; pt < 2; pt++) {
		PB_CHECK_EQ_U64(faults_of("fifo", 3, &t, pt), 15);
		PB_CHECK_EQ_U64(faults_of("lru", 3, &t, pt), 12);
		PB_CHECK_EQ_U64(faults_of("opt", 3, &t, pt), 9);
		PB_CHECK_EQ_U64(faults_of("fifo", 4, &t, pt), 10);
		PB_CHECK_EQ_U64(faults_of("lru", 4, &t, pt), 8);
		PB_CHECK_EQ_U64(faults_of("opt", 4, &t, pt), 8);
	}
}

static void classify(void)
{
	static struct trace t;
	struct pb_vm_stats st;
	struct pb_vm_cfg c = cfg("fifo", 1);

	/* dirty anonymous page: zero fill, swapped out, swapped in */
	t.n = 0;
	add(&t, 1, 10, PB_OP_WRITE, 0);
	add(&t, 1, 11, PB_OP_READ, 0);
	add(&t, 1, 10, PB_OP_READ, 0);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.faults, 3);
	PB_CHECK_EQ_U64(st.zero_fills, 2);
	PB_CHECK_EQ_U64(st.swap_outs, 1);
	PB_CHECK_EQ_U64(st.writebacks, 1);
	PB_CHECK_EQ_U64(st.swap_ins, 1);
	PB_CHECK_EQ_U64(st.major_faults, 1);
	PB_CHECK_EQ_U64(st.minor_faults, 2);
	PB_CHECK_EQ_U64(st.evictions, 2);
	PB_CHECK_EQ_U64(st.dropped_clean, 1); /* the clean zero page 11 */

	/* clean anonymous page: dropped, refilled with zeros (never on disk) */
	t.n = 0;
	add(&t, 1, 10, PB_OP_READ, 0);
	add(&t, 1, 11, PB_OP_READ, 0);
	add(&t, 1, 10, PB_OP_READ, 0);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.zero_fills, 3);
	PB_CHECK_EQ_U64(st.swap_ins, 0);
	PB_CHECK_EQ_U64(st.writebacks, 0);

	/* swapped in, then evicted clean: the swap copy stays valid, no rewrite */
	t.n = 0;
	add(&t, 1, 10, PB_OP_WRITE, 0);
	add(&t, 1, 11, PB_OP_READ, 0);
	add(&t, 1, 10, PB_OP_READ, 0);
	add(&t, 1, 11, PB_OP_READ, 0);
	add(&t, 1, 10, PB_OP_READ, 0);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.writebacks, 1);
	PB_CHECK_EQ_U64(st.swap_ins, 2);

	/* file pages: a read from the file, then a page-cache hit from
	 * another process (minor), then clean eviction and a re-read */
	c = cfg("fifo", 2);
	t.n = 0;
	add(&t, 1, 100, PB_OP_FETCH, PB_ACC_FILE | PB_ACC_SHARED);
	add(&t, 2, 100, PB_OP_FETCH, PB_ACC_FILE | PB_ACC_SHARED);
	add(&t, 1, 1, PB_OP_READ, 0);
	add(&t, 1, 2, PB_OP_READ, 0);
	add(&t, 2, 100, PB_OP_FETCH, PB_ACC_FILE | PB_ACC_SHARED);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.faults, 5);
	PB_CHECK_EQ_U64(st.file_reads, 2);
	PB_CHECK_EQ_U64(st.pagecache_hits, 1);
	PB_CHECK_EQ_U64(st.zero_fills, 2);
	PB_CHECK_EQ_U64(st.file_writebacks, 0);
	PB_CHECK_EQ_U64(st.major_faults, 2);

	/* a write to a shared file mapping is written back to the file */
	c = cfg("fifo", 1);
	t.n = 0;
	add(&t, 1, 100, PB_OP_WRITE, PB_ACC_FILE | PB_ACC_SHARED);
	add(&t, 1, 1, PB_OP_READ, 0);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.file_writebacks, 1);
	PB_CHECK_EQ_U64(st.swap_outs, 0);

	/* copy-on-write: a read maps the shared original; a write copies it
	 * while another process maps it, the last mapper takes it over */
	c = cfg("fifo", 8);
	t.n = 0;
	add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);
	add(&t, 2, 50, PB_OP_READ, PB_ACC_COW);	 /* minor: the original is resident */
	add(&t, 2, 50, PB_OP_WRITE, PB_ACC_COW); /* copy */
	add(&t, 2, 50, PB_OP_WRITE, PB_ACC_COW); /* private now: a hit */
	add(&t, 1, 50, PB_OP_WRITE, PB_ACC_COW); /* the only mapper: reuse */
	add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);	 /* hit */
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.cow_copies, 1);
	PB_CHECK_EQ_U64(st.faults, 4);
	PB_CHECK_EQ_U64(st.hits, 2);
	PB_CHECK_EQ_U64(st.zero_fills, 1);
	PB_CHECK_EQ_U64(st.pagecache_hits, 2); /* process 2's read, process 1's reuse */

	/* private file mapping: reads from the page cache, a write copies */
	t.n = 0;
	add(&t, 1, 70, PB_OP_READ, PB_ACC_FILE);
	add(&t, 1, 70, PB_OP_WRITE, PB_ACC_FILE);
	add(&t, 2, 70, PB_OP_READ, PB_ACC_FILE);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.file_reads, 1);
	PB_CHECK_EQ_U64(st.cow_copies, 1);
	PB_CHECK_EQ_U64(st.pagecache_hits, 1);

	/* shared anonymous memory: one page for several processes; evicted
	 * dirty it goes to swap and comes back for either */
	c = cfg("fifo", 1);
	t.n = 0;
	add(&t, 1, 30, PB_OP_WRITE, PB_ACC_SHARED);
	add(&t, 2, 30, PB_OP_READ, PB_ACC_SHARED);
	add(&t, 1, 1, PB_OP_READ, 0);
	add(&t, 2, 30, PB_OP_READ, PB_ACC_SHARED);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.zero_fills, 2);
	PB_CHECK_EQ_U64(st.pagecache_hits, 1);
	PB_CHECK_EQ_U64(st.swap_outs, 1);
	PB_CHECK_EQ_U64(st.swap_ins, 1);
	PB_CHECK_EQ_U64(st.local_flushes, 3); /* both mappings of 30, then 1 */
}

/*
 * One shared page mapped by six address spaces: the reverse map holds one
 * mapping inline and five in its overflow list; an eviction must unmap all
 * six and shoot down exactly the TLBs that hold one.  Run on 3 engine CPUs
 * in STRICT order with chunks of one reference, so reference i runs on CPU
 * i % 3 (counts worked by hand below), and on 1 CPU for the fault counts.
 */
static void shared_rmap(void)
{
	static struct trace t;
	t.n = 0;
	for (uint32_t as = 1; as <= 6; as++) /* refs 0-5: CPU (as - 1) % 3 */
		add(&t, as, 30, PB_OP_READ, PB_ACC_SHARED);
	add(&t, 3, 30, PB_OP_WRITE, PB_ACC_SHARED); /* ref 6, CPU 0: walk, sets D */
	add(&t, 1, 500, PB_OP_READ, 0);		    /* ref 7, CPU 1: evicts 30 */
	for (uint32_t as = 1; as <= 6; as++)	    /* refs 8-13: 30 comes back */
		add(&t, as, 30, PB_OP_READ, PB_ACC_SHARED);
	for (unsigned nt = 1; nt <= 3; nt += 2) {
		struct pb_vm_cfg c = cfg("fifo", 1);
		c.nthreads = nt;
		struct pb_vm_stats st;
		PB_CHECK(run_chunk(&c, &t, 1, &st) == 0);
		/* refs 0-5: one zero fill, five page-cache hits; ref 6: no
		 * fault; ref 7: a zero fill evicting 30 (dirty: swap-out);
		 * ref 8: swap-in evicting 500 (clean); refs 9-13: page cache */
		PB_CHECK_EQ_U64(st.faults, 13);
		PB_CHECK_EQ_U64(st.zero_fills, 2);
		PB_CHECK_EQ_U64(st.pagecache_hits, 10);
		PB_CHECK_EQ_U64(st.swap_outs, 1);
		PB_CHECK_EQ_U64(st.swap_ins, 1);
		PB_CHECK_EQ_U64(st.dropped_clean, 1);
		if (nt == 1) {
			/* six mappings of 30, then 500: all in the one TLB */
			PB_CHECK_EQ_U64(st.local_flushes, 7);
			PB_CHECK_EQ_U64(st.shootdowns, 0);
		} else {
			/* ref 7 on CPU 1: as 1 (CPU 0), as 3 (CPUs 2 and 0),
			 * as 4 (CPU 0), as 6 (CPU 2) remote, as 2 and 5 local;
			 * ref 8 on CPU 2: 500's entry on CPU 1, remote */
			PB_CHECK_EQ_U64(st.shootdowns, 6);
			PB_CHECK_EQ_U64(st.local_flushes, 2);
		}
	}
}

static void prepaging(void)
{
	static struct trace t;
	struct pb_vm_stats st;

	/* sequential file read: readahead turns most faults into page-cache hits */
	t.n = 0;
	for (uint64_t p = 0; p < 256; p++)
		add(&t, 1, 1000 + p, PB_OP_READ, PB_ACC_FILE | PB_ACC_SHARED);
	struct pb_vm_cfg c = cfg("lru", 512);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.file_reads, 256);
	PB_CHECK_EQ_U64(st.prepaged, 0);
	c.prepage = &pb_prepage_readahead;
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK(st.file_reads < 32);
	PB_CHECK(st.prepaged > 200);
	PB_CHECK_EQ_U64(st.file_reads + st.pagecache_hits, 256);
	PB_CHECK_EQ_U64(st.prepage_used, st.pagecache_hits);
	PB_CHECK_EQ_U64(st.read_ios, st.file_reads);
	PB_CHECK(st.prepaged >= st.prepage_used); /* the tail was read for nothing */

	/* readahead on a random pattern costs: pages read, never used */
	t.n = 0;
	for (uint64_t p = 0; p < 64; p++)
		add(&t, 1, 1000 + (p * 37) % 4096, PB_OP_READ, PB_ACC_FILE | PB_ACC_SHARED);
	c = cfg("lru", 32);
	c.prepage = &pb_prepage_readahead;
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK(st.prepaged > 0);
	PB_CHECK(st.prepage_unused > 0);
	PB_CHECK_EQ_U64(st.faults, 64);

	/* fault-around: process 2 maps 16 page-cache pages in one fault */
	t.n = 0;
	for (uint64_t p = 0; p < 16; p++)
		add(&t, 1, 160 + p, PB_OP_FETCH, PB_ACC_FILE | PB_ACC_SHARED);
	for (uint64_t p = 0; p < 16; p++)
		add(&t, 2, 160 + p, PB_OP_FETCH, PB_ACC_FILE | PB_ACC_SHARED);
	c = cfg("lru", 64);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.faults, 32);
	c.prepage = &pb_prepage_faultaround;
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.faults, 16 + 1); /* p2 faults once, maps the other 15 */
	PB_CHECK_EQ_U64(st.prepage_mapped, 15);

	/* swap clustering: pages swapped out together come back together */
	t.n = 0;
	for (uint64_t p = 0; p < 8; p++)
		add(&t, 1, 500 + p, PB_OP_WRITE, 0);
	for (uint64_t p = 0; p < 8; p++)
		add(&t, 1, 900 + p, PB_OP_READ, 0); /* push them out in order */
	for (uint64_t p = 0; p < 8; p++)
		add(&t, 1, 500 + p, PB_OP_READ, 0);
	c = cfg("fifo", 8);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.swap_ins, 8);
	c.prepage = &pb_prepage_swapcluster;
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.swap_ins, 1);
	PB_CHECK_EQ_U64(st.prepaged, 7);
	PB_CHECK_EQ_U64(st.prepage_used, 7);
	/* the same when the swap-ins are writes: the first one's slot is
	 * freed as it is mapped dirty, its cluster is read all the same */
	for (size_t i = 16; i < 24; i++)
		t.a[i].op = PB_OP_WRITE;
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.swap_ins, 1);
	PB_CHECK_EQ_U64(st.prepaged, 7);
	PB_CHECK_EQ_U64(st.prepage_used, 7);
}

static void real_backing(void)
{
	char dir[4096];
	if (!pbt_tmpdir(dir, sizeof(dir), "vm")) {
		PB_CHECK(0);
		return;
	}
	char path[4200];
	snprintf(path, sizeof(path), "%s/swap", dir);
	static struct trace t;
	t.n = 0;
	struct pb_rng r;
	pb_rng_seed(&r, 7);
	for (int i = 0; i < 3000; i++)
		add(&t, 1 + (uint32_t)pb_rng_below(&r, 2), pb_rng_below(&r, 64),
		    pb_rng_below(&r, 3) ? PB_OP_READ : PB_OP_WRITE,
		    pb_rng_below(&r, 4) ? 0 : PB_ACC_FILE | PB_ACC_SHARED);
	struct pb_vm_cfg c = cfg("clock", 16);
	struct pb_vm_stats sim, real;
	PB_CHECK(run(&c, &t, &sim) == 0);
	c.backing_path = path;
	PB_CHECK(run(&c, &t, &real) == 0); /* every swap-in checks the data it reads */
	PB_CHECK(real.swap_ins > 0);
	PB_CHECK_EQ_U64(real.faults, sim.faults);
	PB_CHECK_EQ_U64(real.swap_ins, sim.swap_ins);
	PB_CHECK(access(path, F_OK) != 0); /* created by the engine: removed at destroy */
	rmdir(dir);
}

/* issue 11 #9: the backing file never clobbers what exists, and two
 * engines on one path exclude each other. */
static void backing_safety(void)
{
	char dir[4096];
	if (!pbt_tmpdir(dir, sizeof(dir), "vmbk")) {
		PB_CHECK(0);
		return;
	}
	char path[4200], fifo[4200], link[4200];
	snprintf(path, sizeof(path), "%s/trace", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	FILE *f = fopen(path, "w");
	PB_CHECK(f && fputs("precious\n", f) >= 0 && fclose(f) == 0);
	struct pb_vm_cfg c = cfg("lru", 8);
	c.backing_path = path;
	struct pb_vm *vm = NULL, *vm2 = NULL;
	char err[4600] = "";
	/* an existing file is refused, and left as it was */
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EEXIST);
	PB_CHECK(strstr(err, "exists") != NULL);
	struct stat st;
	PB_CHECK(stat(path, &st) == 0 && st.st_size == 9);
	/* --force reuses a regular file, holds a lock, and keeps the file */
	c.backing_force = 1;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == 0);
	PB_CHECK(pb_vm_create(&c, &vm2, err, sizeof(err)) == -EBUSY); /* a second run */
	PB_CHECK(strstr(err, "in use") != NULL);
	pb_vm_destroy(vm);
	PB_CHECK(access(path, F_OK) == 0); /* not ours: not removed */
	/* a created file excludes a second engine (O_EXCL) and is removed */
	unlink(path);
	c.backing_force = 0;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == 0);
	PB_CHECK(access(path, F_OK) == 0);
	c.backing_force = 1;
	PB_CHECK(pb_vm_create(&c, &vm2, err, sizeof(err)) == -EBUSY);
	pb_vm_destroy(vm);
	PB_CHECK(access(path, F_OK) != 0);
	/* never a FIFO or a symlink, even with force */
	PB_CHECK(mkfifo(fifo, 0600) == 0);
	c.backing_path = fifo;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EINVAL);
	PB_CHECK(symlink(fifo, link) == 0);
	c.backing_path = link;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -ELOOP);
	c.backing_force = 0;
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EEXIST);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
}

/* A sweep job whose engine cannot open its backing file (a folder that
 * does not exist, the path over 500 characters: a race past sim's check
 * before the run, or a caller without it) says the whole path and the
 * reason in its err, run loaded and streamed; a 384-byte err cut both. */
static void sweep_backing_error(void)
{
	char top[4096], path[4700], want[4800];
	if (!pbt_tmpdir(top, sizeof(top), "vmsweep")) {
		PB_CHECK(0);
		return;
	}
	size_t n = (size_t)snprintf(path, sizeof(path), "%s/no-such-folder", top);
	while (n < 520)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/%0*d", 99, 0);
	snprintf(path + n, sizeof(path) - n, "/swap");
	snprintf(want, sizeof(want), "backing file '%s': %s", path, strerror(ENOENT));
	static struct trace t;
	static const int refs[] = {1, 2, 3, 1};
	refstring(&t, refs, PB_ARRAY_SIZE(refs));
	struct pb_vm_stream stream = {.a = t.a, .n = t.n, .distinct = 3};
	struct pb_vm_cfg base = cfg("lru", 2);
	base.backing_path = path;
	for (int streamed = 0; streamed < 2; streamed++) {
		struct pb_vm_sweep_job job = {
		    .policy = base.policy, .frames = 2, .seed = 1, .stream = &stream};
		struct pb_vm_sweep *sw;
		if (pb_vm_sweep_create(&base, &job, 1, &sw)) {
			PB_CHECK(0);
			continue;
		}
		PB_CHECK(pb_vm_sweep_claim(sw) == 0);
		if (streamed) {
			PB_CHECK(pb_vm_sweep_stream_open(sw, 0) == -ENOENT);
			pb_vm_sweep_stream_close(sw, 0);
		} else {
			pb_vm_sweep_run_job(sw, 0);
		}
		pb_vm_sweep_destroy(sw);
		PB_CHECK_MSG(job.rc == -ENOENT && job.err && !strcmp(job.err, want),
			     "%s job, backing path of %zu characters: rc %d, err '%s'",
			     streamed ? "streamed" : "loaded", strlen(path), job.rc,
			     job.err ? job.err : "(none)");
		pb_vm_sweep_jobs_free(&job, 1);
		PB_CHECK(job.err == NULL);
	}
	rmdir(top);
}

static void tlb_model(void)
{
	struct pb_tlb_geom g;
	char err[256];
	PB_CHECK(pb_tlb_parse("skylake", &g, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(g.l1d.entries, 64);
	PB_CHECK_EQ_U64(g.l2.entries, 1536);
	PB_CHECK(pb_tlb_parse("zen4", &g, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(g.l1d.entries, 72);
	PB_CHECK(pb_tlb_parse("l1=4:2,l2=8:2", &g, err, sizeof(err)) == 0);
	PB_CHECK(pb_tlb_parse("l1=6:4", &g, err, sizeof(err)) != 0);
	PB_CHECK(pb_tlb_parse("pentium", &g, err, sizeof(err)) != 0);
	PB_CHECK(pb_tlb_parse("l3=4:4", &g, err, sizeof(err)) != 0);

	/* 4-entry fully associative, no L2: a cycle of 5 pages always misses
	 * under LRU replacement, a cycle of 4 hits after the first pass */
	PB_CHECK(pb_tlb_parse("l1=4:4", &g, err, sizeof(err)) == 0);
	struct pb_tlb tlb;
	PB_CHECK(pb_tlb_init(&tlb, &g) == 0);
	for (int pass = 0; pass < 3; pass++)
		for (uint64_t k = 0; k < 5; k++)
			if (!pb_tlb_lookup(&tlb, k, 0))
				pb_tlb_fill(&tlb, k, k + 100, 0, 0);
	PB_CHECK_EQ_U64(tlb.st.misses, 15);
	pb_tlb_flush_all(&tlb);
	memset(&tlb.st, 0, sizeof(tlb.st));
	for (int pass = 0; pass < 3; pass++)
		for (uint64_t k = 0; k < 4; k++)
			if (!pb_tlb_lookup(&tlb, k, 0))
				pb_tlb_fill(&tlb, k, k + 100, 0, 0);
	PB_CHECK_EQ_U64(tlb.st.misses, 4);
	struct pb_tlb_entry *e = pb_tlb_lookup(&tlb, 2, 0);
	PB_CHECK(e && e->pfn == 102);
	PB_CHECK(pb_tlb_shootdown(&tlb, 2) == 1);
	PB_CHECK(pb_tlb_lookup(&tlb, 2, 0) == NULL);
	PB_CHECK(pb_tlb_shootdown(&tlb, 2) == 0);
	pb_tlb_fini(&tlb);

	/* engine: a TLB-friendly loop walks only on first touch */
	static struct trace t;
	t.n = 0;
	for (int i = 0; i < 1000; i++)
		add(&t, 1, (uint64_t)(i % 16), PB_OP_READ, 0);
	struct pb_vm_cfg c = cfg("clock", 64);
	struct pb_vm_stats st;
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.faults, 16);
	PB_CHECK_EQ_U64(st.tlb_misses, 16);
	PB_CHECK_EQ_U64(st.refs, 1000);
	PB_CHECK_EQ_U64(st.hits + st.faults, 1000);
	/* and a 64-page loop thrashes the textbook 16-entry TLB */
	t.n = 0;
	for (int i = 0; i < 1000; i++)
		add(&t, 1, (uint64_t)(i % 64), PB_OP_READ, 0);
	PB_CHECK(pb_tlb_parse("textbook", &c.tlb, err, sizeof(err)) == 0);
	PB_CHECK(run(&c, &t, &st) == 0);
	PB_CHECK_EQ_U64(st.tlb_misses, 1000);
}

static void cost_model(void)
{
	const struct pb_cost_device *d = pb_cost_device_find("textbook");
	PB_CHECK(d != NULL);
	PB_CHECK(pb_cost_device_find("floppy") == NULL);
	if (!d)
		return;
	PB_CHECK(d->dram_ns >= 9 * d->sram_ns && d->dram_ns <= 11 * d->sram_ns);
	PB_CHECK(d->read_ns >= 9e3 * d->dram_ns && d->read_ns <= 11e3 * d->dram_ns);
	/* 1000 refs, 1 major fault: (1000*110 + 1000 + 1e6) / 1000 */
	struct pb_cost_events e = {.refs = 1000, .faults = 1, .read_ios = 1};
	double eat = pb_cost_eat_ns(d, &e);
	PB_CHECK(eat > 1110.99 && eat < 1111.01);
	for (size_t i = 0; pb_cost_devices[i]; i++) {
		const struct pb_cost_device *x = pb_cost_devices[i];
		PB_CHECK(x->read_ns > x->dram_ns && x->source && x->source[0]);
	}
	PB_CHECK(pb_cost_device_find("hdd")->read_ns > pb_cost_device_find("ssd")->read_ns);
	PB_CHECK(pb_cost_device_find("ssd")->read_ns > pb_cost_device_find("nvme")->read_ns);
	PB_CHECK(pb_cost_device_find("nvme")->read_ns > pb_cost_device_find("cxl")->read_ns);
}

static void errors(void)
{
	struct pb_vm_cfg c = cfg("opt", 4);
	c.prepage = &pb_prepage_readahead;
	struct pb_vm *vm;
	char err[256];
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EINVAL);
	c = cfg("lru", 0);
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == -EINVAL);
	const struct pb_prepage_desc *p;
	PB_CHECK(pb_prepage_parse("faultaround", &p) == 0 && p == &pb_prepage_faultaround);
	PB_CHECK(pb_prepage_parse("bogus", &p) != 0);
}

/* The event list and the prepaging registry are tables: every entry is
 * reachable by name and by index, and sums go event by event. */
static void tables(void)
{
	struct pb_vm_stats a, b;
	memset(&a, 0, sizeof(a));
#define SET_(n, f, h) a.n = PB_VM_EV_##n + 1;
	PB_VM_EVENTS(SET_)
#undef SET_
	PB_CHECK_EQ_U64(sizeof(a), PB_VM_EV__COUNT * sizeof(uint64_t));
	b = a;
	pb_vm_stats_add(&b, &a);
	size_t ncsv = 0;
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++) {
		PB_CHECK_EQ_U64(pb_vm_stats_get(&a, (enum pb_vm_event)e), e + 1);
		PB_CHECK_EQ_U64(pb_vm_stats_get(&b, (enum pb_vm_event)e), 2 * (e + 1));
		PB_CHECK(pb_vm_events[e].name && pb_vm_events[e].help);
		for (size_t k = 0; k < e; k++)
			PB_CHECK(strcmp(pb_vm_events[k].name, pb_vm_events[e].name) != 0);
		ncsv += (pb_vm_events[e].flags & PB_VM_EV_CSV) != 0;
	}
	/* the sim.csv event columns: 24 + walk_retries + extra_pages_read,
	 * extra_pages_written + segv, exec_reads + 8 caches + 2 THP + 3 OOM */
	PB_CHECK_EQ_U64(ncsv, 42);
	PB_CHECK(!strcmp(pb_vm_events[PB_VM_EV_faults].name, "faults"));
	char names[256];
	pb_prepage_names(names, sizeof(names));
	PB_CHECK(!strcmp(names, "demand|readahead|faultaround|swapcluster"));
	for (size_t i = 0; pb_prepages[i]; i++) {
		const struct pb_prepage_desc *p = NULL;
		PB_CHECK(pb_prepage_parse(pb_prepages[i]->name, &p) == 0 && p == pb_prepages[i]);
		PB_CHECK(!strcmp(pb_prepage_name(p), pb_prepages[i]->name) && p->help);
	}
	PB_CHECK(pb_prepages[0] == &pb_prepage_demand && !pb_prepage_demand.after_fault);
}

/* pb_vm_access_chunks (one engine CPU: one prefetch pipeline across the
 * chunks, fault.c) gives every count of the chunk-by-chunk replay it
 * replaces (pb_vm_access_batch, then pb_vm_flush_hints, per chunk): past
 * 16384 page objects, where the pipeline runs, with its policy and
 * victims' stages (5000 frames) and without (1000), for chunks that
 * divide the stream and one that does not; the engine first fills below
 * the pipeline's threshold (the chunks before it go one by one), and
 * hits, writes and evictions all happen (LRU, whose order the victims'
 * chain follows; CLOCK; ARC).  hint_flushes counts the chunk ends. */
static int chunks_run(const char *policy, uint64_t frames, const struct pb_access *a, size_t n,
		      size_t chunk, int whole, struct pb_vm_stats *st)
{
	struct pb_vm_cfg c = cfg(policy, frames);
	c.expected_keys = 40000;
	struct pb_vm *vm;
	char err[256];
	int rc = pb_vm_create(&c, &vm, err, sizeof(err));
	if (rc)
		return rc;
	if (whole) {
		rc = pb_vm_access_chunks(vm, 0, a, n, 0, NULL, chunk);
	} else {
		for (size_t lo = 0; lo < n && !rc; lo += chunk) {
			size_t len = n - lo < chunk ? n - lo : chunk;
			rc = pb_vm_access_batch(vm, 0, a + lo, len, lo, NULL);
			pb_vm_flush_hints(vm, 0);
		}
	}
	pb_vm_stats(vm, st);
	if (!rc && pb_vm_check(vm, err, sizeof(err))) {
		fprintf(stderr, "check: %s\n", err);
		rc = -1;
	}
	pb_vm_destroy(vm);
	return rc;
}

static void chunks(void)
{
	size_t n = 120000;
	struct pb_access *a = calloc(n, sizeof(*a));
	PB_CHECK(a != NULL);
	if (!a)
		return;
	uint64_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t r = x >> 33;
		/* a first sweep of 20000 pages (object count past the
		 * pipeline's threshold midway), then a hot tenth and a cold
		 * rest */
		uint64_t page = i < 20000 ? i : (r % 4 ? r % 3000 : r % 30000);
		a[i] = (struct pb_access){.addr = (page << 12) | 8,
					  .asid = 1,
					  .op = (uint8_t)(r % 5 ? PB_OP_READ : PB_OP_WRITE)};
	}
	const char *pols[] = {"lru", "clock", "arc"};
	const uint64_t frames[] = {5000, 1000};
	const size_t sizes[] = {256, 1000};
	for (unsigned p = 0; p < 3; p++) {
		if (!pb_policy_find(pols[p]))
			continue;
		for (unsigned f = 0; f < 2; f++) {
			for (unsigned k = 0; k < 2; k++) {
				struct pb_vm_stats one, each;
				PB_CHECK(chunks_run(pols[p], frames[f], a, n, sizes[k], 0, &each) ==
					 0);
				PB_CHECK(chunks_run(pols[p], frames[f], a, n, sizes[k], 1, &one) ==
					 0);
				PB_CHECK_MSG(!memcmp(&one, &each, sizeof(one)),
					     "%s %" PRIu64 " frames, chunks of %zu: counts differ "
					     "(faults %" PRIu64 "/%" PRIu64
					     ", hint_flushes %" PRIu64 "/%" PRIu64 ")",
					     pols[p], frames[f], sizes[k], one.faults, each.faults,
					     one.hint_flushes, each.hint_flushes);
				PB_CHECK_MSG(one.evictions > 0 && one.hits > n / 10 &&
						 one.hint_flushes >= (n + sizes[k] - 1) / sizes[k],
					     "%s %" PRIu64 ": evictions %" PRIu64 " hits %" PRIu64
					     " hint_flushes %" PRIu64,
					     pols[p], frames[f], one.evictions, one.hits,
					     one.hint_flushes);
			}
		}
	}
	free(a);
}

/* The page-object table grows in place inside its reserved address space
 * (page.c); where the reservation is refused (here: a child under a 3 GiB
 * RLIMIT_AS, smaller than the min(2^28 objects, the machine's memory) it
 * asks for) it grows by mapping and copying.  Both give every count of a replay whose 40000
 * distinct pages in two address spaces grow the table six times. */
static void page_table_growth(void)
{
	enum { N = 120000 };
	struct pb_access *a = calloc(N, sizeof(*a));
	PB_CHECK(a != NULL);
	if (!a)
		return;
	for (uint64_t i = 0; i < N; i++) {
		a[i].addr = ((i * 7919) % 40000) << 12;
		a[i].asid = 1 + (uint32_t)(i % 3 == 0);
		a[i].op = i % 5 ? PB_OP_READ : PB_OP_WRITE;
	}
	if (pb_phys_bytes() < 4ULL << 30) {
		fprintf(stderr, "page_table_growth: skipped (under 4 GiB of memory: the "
				"reservation would fit the child's limit)\n");
		free(a);
		return;
	}
	struct pb_vm_stats in_place, copied;
	memset(&copied, 0xff, sizeof(copied));
	PB_CHECK(chunks_run("lru", 3000, a, N, N, 1, &in_place) == 0);
	int fd[2];
	PB_CHECK(pipe(fd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {3ULL << 30, 3ULL << 30};
		struct pb_vm_stats st;
		memset(&st, 0, sizeof(st));
		int ok =
		    setrlimit(RLIMIT_AS, &rl) == 0 && chunks_run("lru", 3000, a, N, N, 1, &st) == 0;
		ssize_t w = ok ? write(fd[1], &st, sizeof(st)) : 0;
		_exit(w == (ssize_t)sizeof(st) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t got = pid > 0 ? read(fd[0], &copied, sizeof(copied)) : -1;
	close(fd[0]);
	int status = 0;
	if (pid > 0)
		waitpid(pid, &status, 0);
	PB_CHECK_MSG(got == (ssize_t)sizeof(copied) && WIFEXITED(status) && !WEXITSTATUS(status),
		     "the engine under RLIMIT_AS failed (read %zd, status %d)", got, status);
	PB_CHECK(in_place.faults > 40000 && in_place.refs == N);
	PB_CHECK_MSG(!memcmp(&in_place, &copied, sizeof(copied)),
		     "counts differ: faults %llu / %llu, evictions %llu / %llu",
		     (unsigned long long)in_place.faults, (unsigned long long)copied.faults,
		     (unsigned long long)in_place.evictions, (unsigned long long)copied.evictions);
	free(a);
}

/* Mappings of this process (lines of /proc/self/maps), -1 where it
 * cannot be read. */
static long map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	long n = 0;
	for (int c; (c = getc(f)) != EOF;)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The page-object index's leaves (65536 pages each) on shared memory do
 * not merge into one mapping as private ones did: 600 leaves, one page
 * each, must not cost 600 mappings (vm.max_map_count is 65530; the index
 * carves its leaves from larger chunks).  And the counts stay right. */
static void index_spread(void)
{
	static struct trace t;
	t.n = 0;
	for (uint64_t i = 0; i < 600; i++)
		add(&t, 1, i << 16, PB_OP_READ, 0);
	for (uint64_t i = 0; i < 600; i++)
		add(&t, 1, i << 16, PB_OP_READ, 0);
	struct pb_vm_cfg c = cfg("lru", 1000);
	struct pb_vm *vm;
	char err[256];
	long before = map_count();
	PB_CHECK(pb_vm_create(&c, &vm, err, sizeof(err)) == 0);
	PB_CHECK(pb_vm_replay_team(vm, t.a, t.n, NULL, 0) == 0);
	long during = map_count();
	struct pb_vm_stats st;
	pb_vm_stats(vm, &st);
	PB_CHECK_EQ_U64(st.faults, 600);
	PB_CHECK_EQ_U64(st.hits, 600);
	PB_CHECK(pb_vm_check(vm, err, sizeof(err)) == 0);
	pb_vm_destroy(vm);
	PB_CHECK_MSG(before > 0 && during - before < 100,
		     "600 index leaves: %ld mappings before the engine, %ld with it", before,
		     during);
}

int main(void)
{
	if (!pb_policy_find("fifo") || !pb_policy_find("lru") || !pb_policy_find("opt") ||
	    !pb_policy_find("clock"))
		PB_SKIP("policies fifo, lru, opt, clock not built");
	textbook();
	classify();
	shared_rmap();
	prepaging();
	real_backing();
	backing_safety();
	sweep_backing_error();
	tables();
	tlb_model();
	cost_model();
	errors();
	chunks();
	page_table_growth();
	index_spread();
	return pb_test_done();
}
