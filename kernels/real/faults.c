/* SPDX-License-Identifier: MIT */
/*
 * kernels/real/faults.c - what a Linux page fault costs, measured.
 *
 * Each kernel maps fresh memory per pass and touches it page by page (one
 * op = one page touched, or zapped), as will-it-scale's page_fault tests
 * do, and counts the faults the kernel really took: getrusage deltas
 * (RUSAGE_THREAD, or the child's RUSAGE_SELF with procs=1) around the
 * pass, inside the kernel, never a per-event counter (perf software events
 * cost ~17% per fault and would disturb what is timed; run these kernels
 * with PAGEBENCH_COUNTERS=rusage, as ./run.sh bench does).  The extra
 * columns give pages, minor and major faults, ns per REAL fault and faults
 * per second: Linux's fault-around maps 16 cached file pages per read fault,
 * or a whole large folio where the file's folios are larger (fill=map on
 * ext4 grows them as the file fills: docs/real.md), so for fault-file ns/op
 * is per page and ns_per_fault per fault.  work_ns is the passes' wall
 * time, cpu_ns the task's CPU time (user + system) over them: on a shared
 * machine the second is what a fault costs, the first adds the time other
 * tenants held the CPU.
 *
 *  fault-anon        write to private anonymous memory: demand-zero fault
 *                    (will-it-scale page_fault1 with --size 128M)
 *  fault-anon-read   read of it: maps the shared zero page
 *  fault-anon-war    read then write each page: zero-page fault + COW fault
 *  fault-populate    MAP_POPULATE then write: the no-trap baseline
 *  fault-file        read of a shared mapping of a cached file (fault-around)
 *  fault-file-cold   read of a private mapping after posix_fadvise(DONTNEED)
 *                    dropped the file's cached pages: major faults with I/O
 *  fault-cow         write to a private file mapping: copy-on-write of the
 *                    cached page (will-it-scale page_fault2)
 *  fault-shared-write write to a shared file mapping (page_fault3); with
 *                    the file's folios of the kernel's choosing (fill=map
 *                    or none) the kernel maps a whole large folio per
 *                    write fault on ext4/xfs: fewer faults than pages
 *                    (11.8 per fault here, as will-it-scale's), see minflt
 *  fault-thp         first write per 2 MiB with MADV_HUGEPAGE (op = 2 MiB)
 *  zap-munmap / zap-dontneed / zap-free
 *                    populated memory released in calls of `batch` pages:
 *                    munmap, MADV_DONTNEED, MADV_FREE; op = one page
 *                    released, ns_per_page is the release alone.  With
 *                    other threads of the process running (--threads N, or
 *                    others=K spinning threads) each call costs a TLB
 *                    shootdown on their CPUs.
 * Parameters: thp=0|1 (anon kinds: MADV_NOHUGEPAGE (default) or
 * MADV_HUGEPAGE, never the system's choice by surprise), stride=N (touch
 * every Nth page; refused by fault-thp and the zaps), procs=1 (each team
 * member is a forked process, as will-it-scale's _processes), batch=N,
 * others=K, fill=map|pwrite|none (how the file's page cache is made: see
 * fill_file()), count=reg|shared (where the pages touched are counted: see
 * struct fstate).  Files live in $TMPDIR (default /tmp), one per thread,
 * unlinked at once.  --ops rounds up to whole passes (meta.json
 * config.kernel_resolved.KERNEL.ops_per_thread).  Every page read back is
 * checked (file stamps, copies keep the rest of the page).
 *
 * will-it-scale's page_fault1/2/3 are, step for step: fault-anon,
 * fault-cow, fault-shared-write with --size 128M and
 * fill=none,count=shared (tests/peers/will_it_scale.sh passes them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/kernel.h"
#include "pagebench/parse.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif

enum fault_kind {
	FK_ANON,
	FK_ANON_READ,
	FK_ANON_WAR,
	FK_POPULATE,
	FK_FILE,
	FK_FILE_COLD,
	FK_COW,
	FK_SHARED_WRITE,
	FK_THP,
	FK_ZAP_MUNMAP,
	FK_ZAP_DONTNEED,
	FK_ZAP_FREE
};

static int is_file(enum fault_kind k)
{
	return k == FK_FILE || k == FK_FILE_COLD || k == FK_COW || k == FK_SHARED_WRITE;
}

static int is_zap(enum fault_kind k)
{
	return k >= FK_ZAP_MUNMAP;
}

struct fthr {
	int fd;
};

struct fstate {
	enum fault_kind kind;
	size_t bytes;
	uint64_t passes, stride, batch;
	int thp, procs;
	int fill; /* FILL_*: how the file's page cache is made */
	/* count=shared: every page touched also increments this task's 64-bit
	 * slot (256 bytes apart) in a MAP_SHARED page of an unlinked file, as
	 * will-it-scale's loop increments `*iterations`, which its parent
	 * reads every second.  That store lands on another page right after
	 * each fault; on the 2-vCPU guest it costs about 85 ns per page, 13%
	 * of a shared write fault (docs/real.md).  NULL with count=reg. */
	char *ctr_area;
	size_t ctr_len;
	unsigned others;
	unsigned n;
	struct fthr *thr;
	int bad;  /* atomic */
	int stop; /* atomic: spinners */
	pthread_t *spin;
};

/* --param: one table for every fault kernel. */
struct fault_params {
	int thp, procs;
	uint64_t stride, batch, others;
	unsigned fill, count;
};
enum { FILL_MAP, FILL_PWRITE, FILL_NONE };
static const char *const fill_names[] = {"map", "pwrite", "none", NULL};
static const char *const count_names[] = {"reg", "shared", NULL};
#define CTR_SLOT 256 /* will-it-scale's MAX_CACHELINE_SIZE */

#define P(f) offsetof(struct fault_params, f)
static const struct pb_param fault_params[] = {
    {"thp", PB_PT_BOOL, P(thp), "0", "1: MADV_HUGEPAGE on the region (fault-thp: always)", NULL, 0,
     0, 0, 0, NULL},
    {"stride", PB_PT_U64, P(stride), "1",
     "pages between touches (the kernels that touch 4 KiB pages; fault-thp and the zaps refuse "
     "any but 1)",
     NULL, 1, 1 << 20, 0, 0, NULL},
    {"procs", PB_PT_BOOL, P(procs), "0", "1: forked processes instead of threads", NULL, 0, 0, 0, 0,
     NULL},
    {"batch", PB_PT_U64, P(batch), "1", "zap: pages per call", NULL, 1, 1 << 20, 0, 0, NULL},
    {"others", PB_PT_U64, P(others), "0", "threads spinning beside the team", NULL, 0, 1 << 20, 0,
     0, NULL},
    {"fill", PB_PT_ENUM, P(fill), "map",
     "file kernels: fill the file through a mapping (the kernel's folio sizes) or by 4 KiB "
     "pwrites; none: sparse, as will-it-scale (fault-cow, fault-shared-write only)",
     fill_names, 0, 0, 0, 0, NULL},
    {"count", PB_PT_ENUM, P(count), "reg",
     "reg: pages counted in a register; shared: each touch also increments a counter in a "
     "MAP_SHARED file page, as will-it-scale's loop does",
     count_names, 0, 0, 0, 0, NULL},
    {0},
};
#undef P

static void *spinner(void *arg)
{
	struct fstate *s = arg;
	while (!pb_atomic_load(&s->stop, PB_RELAXED))
		pb_cpu_relax();
	return NULL;
}

/* The folder of the kernels' files, and where that came from: $TMPDIR,
 * else /tmp. */
static const char *tmp_dir(const char **from)
{
	const char *dir = getenv("TMPDIR");
	*from = dir && *dir ? "from TMPDIR" : "the default: TMPDIR is not set";
	return dir && *dir ? dir : "/tmp";
}

/* "DIR/pagebench-fault-XXXXXX" in tmp_dir(), made and unlinked: an fd, or
 * -errno with one line in err naming the folder and where it came from
 * (what: the file, as the line names it). */
static int tmp_file(const char *what, char *err, size_t errlen)
{
	const char *from, *dir = tmp_dir(&from);
	char path[4096];
	int fd = -ENAMETOOLONG;
	if (snprintf(path, sizeof(path), "%s/pagebench-fault-XXXXXX", dir) < (int)sizeof(path)) {
		fd = mkstemp(path);
		if (fd < 0)
			fd = -errno;
		else
			unlink(path); /* removed when closed, even if we crash */
	}
	if (fd < 0)
		snprintf(err, errlen, "cannot create %s in %s (%s): %s", what, dir, from,
			 strerror(-fd));
	return fd;
}

/* count=shared: will-it-scale's shared area (mkstemp, ftruncate, MAP_SHARED,
 * zeroed), one slot per team member; forked members (procs=1) share it. */
static int ctr_area_make(struct fstate *s, const struct pb_kernel_cfg *cfg)
{
	int fd = tmp_file("count=shared's counter file", cfg->err, cfg->errlen);
	if (fd < 0)
		return fd;
	s->ctr_len = ((size_t)s->n * CTR_SLOT + PB_PAGE_SIZE - 1) / PB_PAGE_SIZE * PB_PAGE_SIZE;
	char *m = MAP_FAILED;
	if (!ftruncate(fd, (off_t)s->ctr_len))
		m = mmap(NULL, s->ctr_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(cfg->err, cfg->errlen, "count=shared: %s", strerror(e));
		return -e;
	}
	memset(m, 0, s->ctr_len);
	s->ctr_area = m;
	return 0;
}

static volatile uint64_t *ctr_slot(const struct fstate *s, unsigned tid)
{
	return s->ctr_area ? (volatile uint64_t *)(s->ctr_area + (size_t)tid * CTR_SLOT) : NULL;
}

static int fault_setup(const struct pb_kernel_cfg *cfg, void **state, enum fault_kind kind)
{
	struct fstate *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->kind = kind;
	struct fault_params fp;
	int rc = pb_param_defaults(fault_params, &fp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(fault_params, &fp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (rc) {
		free(s);
		return rc;
	}
	s->thp = fp.thp;
	s->procs = fp.procs;
	s->stride = fp.stride;
	s->batch = fp.batch;
	s->others = (unsigned)fp.others;
	s->fill = (int)fp.fill;
	if (s->fill == FILL_NONE && kind != FK_COW && kind != FK_SHARED_WRITE) {
		snprintf(cfg->err, cfg->errlen,
			 "fill=none: only fault-cow and fault-shared-write (the others read the "
			 "file's stamps)");
		free(s);
		return -EINVAL;
	}
	/* stride picks the 4 KiB pages a pass touches; a zap releases every
	 * page (batch sets the pages per call) and fault-thp touches one byte
	 * per 2 MiB: there it would only multiply the passes */
	if (s->stride != 1 && (is_zap(kind) || kind == FK_THP)) {
		snprintf(cfg->err, cfg->errlen,
			 "stride=%llu: only the kernels that touch every Nth 4 KiB page (%s)",
			 (unsigned long long)s->stride,
			 kind == FK_THP ? "fault-thp touches one byte per 2 MiB"
					: "a zap releases every page, batch pages per call");
		free(s);
		return -EINVAL;
	}
	if (kind == FK_THP)
		s->thp = 1;
	s->bytes = cfg->size ? cfg->size : (kind == FK_THP ? 256UL << 20 : 32UL << 20);
	size_t unit = kind == FK_THP ? PB_HUGE_SIZE : PB_PAGE_SIZE;
	s->bytes = (s->bytes + unit - 1) / unit * unit;
	/* the ops of one pass, as one_pass() counts them: every stride-th of
	 * the region's units, the first included */
	uint64_t units = s->bytes / unit, per_pass = (units + s->stride - 1) / s->stride;
	s->passes = cfg->ops ? (cfg->ops + per_pass - 1) / per_pass : 1;
	if (cfg->resolved) { /* what one repetition of a thread runs, and why */
		char why[256], each[64], given[64] = "one pass (no --ops)";
		if (cfg->ops)
			snprintf(given, sizeof(given), "--ops %llu rounded up to whole passes",
				 (unsigned long long)cfg->ops);
		if (kind == FK_THP || s->stride == 1)
			snprintf(each, sizeof(each), "%s", kind == FK_THP ? "2 MiB" : "page");
		else
			snprintf(each, sizeof(each), "%llu pages (stride)",
				 (unsigned long long)s->stride);
		snprintf(why, sizeof(why),
			 "%s: %llu pass(es) of %llu op(s), one per %s of %zu bytes", given,
			 (unsigned long long)s->passes, (unsigned long long)per_pass, each,
			 s->bytes);
		json_object_set_new(cfg->resolved, "ops_per_thread",
				    json_pack("{s:I, s:s}", "value",
					      (json_int_t)(s->passes * per_pass), "why", why));
	}
	s->n = cfg->nthreads;
	if (fp.count == 1 && is_zap(kind)) {
		snprintf(cfg->err, cfg->errlen, "count=shared: only the kernels that touch pages");
		free(s);
		return -EINVAL;
	}
	if (fp.count == 1 && (rc = ctr_area_make(s, cfg)) != 0) {
		free(s);
		return rc;
	}
	s->thr = calloc(s->n, sizeof(*s->thr));
	for (unsigned t = 0; t < s->n; t++)
		s->thr[t].fd = -1;
	if (s->others) {
		s->spin = calloc(s->others, sizeof(pthread_t));
		for (unsigned i = 0; i < s->others; i++)
			if (pthread_create(&s->spin[i], NULL, spinner, s)) {
				s->others = i;
				break;
			}
	}
	*state = s;
	return 0;
}

#define SETUP(fn, kind)                                                                            \
	static int fn(const struct pb_kernel_cfg *c, void **s)                                     \
	{                                                                                          \
		return fault_setup(c, s, kind);                                                    \
	}
SETUP(setup_anon, FK_ANON)
SETUP(setup_anon_read, FK_ANON_READ)
SETUP(setup_anon_war, FK_ANON_WAR)
SETUP(setup_populate, FK_POPULATE)
SETUP(setup_file, FK_FILE)
SETUP(setup_file_cold, FK_FILE_COLD)
SETUP(setup_cow, FK_COW)
SETUP(setup_shared_write, FK_SHARED_WRITE)
SETUP(setup_thp, FK_THP)
SETUP(setup_munmap, FK_ZAP_MUNMAP)
SETUP(setup_dontneed, FK_ZAP_DONTNEED)
SETUP(setup_free, FK_ZAP_FREE)

/* The file: every page stamped with its index, written and in page cache.
 * fill=map (default): a sparse file (ftruncate) whose page cache is filled
 * through a shared mapping, so the kernel picks the folio sizes (large
 * folios on ext4 and xfs, and a shared write fault then maps a whole folio:
 * fewer faults than pages).  fill=pwrite writes it in 4 KiB pwrites:
 * order-0 folios, one fault per page.  fill=none: only the ftruncate, as
 * will-it-scale's page_fault2/3 (no stamps; the warm-up repetition's first
 * pass makes the page cache, with map's folio sizes). */
static int fill_file(const struct fstate *s, int fd)
{
	if (s->fill != FILL_PWRITE) {
		if (ftruncate(fd, (off_t)s->bytes))
			return -errno;
		if (s->fill == FILL_NONE)
			return 0;
		char *m = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return -errno;
		for (size_t off = 0; off < s->bytes; off += PB_PAGE_SIZE) {
			uint64_t stamp = off / PB_PAGE_SIZE + 1;
			memcpy(m + off, &stamp, sizeof(stamp));
		}
		munmap(m, s->bytes);
		return 0;
	}
	char *page = calloc(1, PB_PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	for (size_t off = 0; off < s->bytes; off += PB_PAGE_SIZE) {
		uint64_t stamp = off / PB_PAGE_SIZE + 1;
		memcpy(page, &stamp, sizeof(stamp));
		if (pwrite(fd, page, PB_PAGE_SIZE, (off_t)off) != (ssize_t)PB_PAGE_SIZE) {
			free(page);
			return -EIO;
		}
	}
	free(page);
	return 0;
}

static int fault_thread_init(void *state, struct pb_kthread *t)
{
	struct fstate *s = state;
	if (!is_file(s->kind))
		return 0;
	struct fthr *ft = &s->thr[t->tid];
	ft->fd = tmp_file("the file to map", t->err, t->errlen);
	if (ft->fd < 0)
		return ft->fd;
	int rc = fill_file(s, ft->fd);
	if (!rc && s->fill != FILL_NONE)	     /* none: nothing written, as will-it-scale */
		rc = fdatasync(ft->fd) ? -errno : 0; /* clean: fadvise can drop it */
	if (rc) {
		const char *from, *dir = tmp_dir(&from);
		snprintf(t->err, t->errlen, "cannot fill the file to map in %s (%s): %s", dir, from,
			 strerror(-rc));
	}
	return rc;
}

struct pass_out {
	uint64_t ops, minflt, majflt, work_ns, cpu_ns, bad;
};

/* Faults so far. */
static void ru_now(int who, uint64_t *minflt, uint64_t *majflt)
{
	struct rusage ru;
	getrusage(who, &ru);
	*minflt = (uint64_t)ru.ru_minflt;
	*majflt = (uint64_t)ru.ru_majflt;
}

/*
 * CPU time (user + system) of the thread (RUSAGE_THREAD) or of the process
 * (RUSAGE_SELF: the forked child) so far.  Not getrusage's ru_utime +
 * ru_stime: a running thread's runtime is brought up to date there only at
 * a scheduler tick or switch, so a pass shorter than a tick read 0 or a
 * whole tick (0 and 4 ms for 1.7 ms passes at HZ=250); the CPU-time clocks
 * add the time since then.
 */
static uint64_t cpu_now(int who)
{
	struct timespec ts;
	if (clock_gettime(who == RUSAGE_THREAD ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID,
			  &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* fault_extra's columns (events.csv). */
enum {
	FX_PAGES,
	FX_MINFLT,
	FX_MAJFLT,
	FX_NS_PER_FAULT,
	FX_FAULTS_PER_S,
	FX_NS_PER_PAGE,
	FX_WORK_NS,
	FX_CPU_NS,
	FX__N
};

/* faults per second of ns nanoseconds; NA for no time. */
static uint64_t fault_rate_per_s(uint64_t faults, uint64_t ns)
{
	return ns ? (uint64_t)((double)faults * 1e9 / (double)ns) : PB_EXTRA_NA;
}

/* One pass: map, touch (or zap), unmap.  Counts into o; with count=shared
 * also into *ctr, one increment per page touched. */
static int one_pass(struct fstate *s, int fd, int who, volatile uint64_t *ctr, struct pass_out *o)
{
	enum fault_kind k = s->kind;
	size_t len = s->bytes, step = s->stride * PB_PAGE_SIZE;
	char *m;
	if (k == FK_FILE_COLD && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		return -EIO;
	uint64_t f0 = 0, j0 = 0, c0 = 0, t0 = 0;
	if (!is_zap(k)) {
		ru_now(who, &f0, &j0);
		t0 = pb_now_ns();
		c0 = cpu_now(who); /* inside the wall-time span: cpu_ns <= work_ns */
	}
	switch (k) {
	case FK_FILE:
		m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		break;
	case FK_FILE_COLD:
		m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		break;
	case FK_COW:
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		break;
	case FK_SHARED_WRITE:
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		break;
	case FK_POPULATE:
	case FK_ZAP_MUNMAP:
	case FK_ZAP_DONTNEED:
	case FK_ZAP_FREE:
		m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (k == FK_POPULATE ? MAP_POPULATE : 0), -1,
			 0);
		break;
	default:
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	}
	if (m == MAP_FAILED)
		return -ENOMEM;
	if (!is_file(k) && k != FK_POPULATE)
		madvise(m, len, s->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	volatile char *v = m;
	uint64_t bad = 0, ops = 0;
	switch (k) {
	case FK_FILE:
	case FK_FILE_COLD:
		for (size_t off = 0; off < len; off += step, ops++) {
			uint64_t stamp;
			memcpy(&stamp, (const char *)m + off, sizeof(stamp));
			bad += stamp != off / PB_PAGE_SIZE + 1;
			if (ctr)
				(*ctr)++;
		}
		break;
	case FK_ANON_READ:
		for (size_t off = 0; off < len; off += step, ops++) {
			bad += v[off] != 0;
			if (ctr)
				(*ctr)++;
		}
		break;
	case FK_ANON_WAR:
		for (size_t off = 0; off < len; off += step, ops++) {
			bad += v[off] != 0;
			v[off] = 7;
			if (ctr)
				(*ctr)++;
		}
		break;
	case FK_THP:
		for (size_t off = 0; off < len; off += PB_HUGE_SIZE, ops++) {
			v[off] = 1;
			if (ctr)
				(*ctr)++;
		}
		break;
	case FK_ZAP_MUNMAP:
	case FK_ZAP_DONTNEED:
	case FK_ZAP_FREE: {
		for (size_t off = 0; off < len; off += PB_PAGE_SIZE)
			v[off] = 1; /* populate (untimed) */
		ru_now(who, &f0, &j0);
		t0 = pb_now_ns();
		c0 = cpu_now(who); /* inside the wall-time span: cpu_ns <= work_ns */
		size_t chunk = s->batch * PB_PAGE_SIZE;
		for (size_t off = 0; off < len; off += chunk) {
			size_t l = len - off < chunk ? len - off : chunk;
			int r = k == FK_ZAP_MUNMAP     ? munmap(m + off, l)
				: k == FK_ZAP_DONTNEED ? madvise(m + off, l, MADV_DONTNEED)
						       : madvise(m + off, l, MADV_FREE);
			if (r)
				bad++;
			ops += l / PB_PAGE_SIZE;
		}
		break;
	}
	default: /* anon, populate, cow, shared write: write each page */
		for (size_t off = 0; off < len; off += step, ops++) {
			v[off] = 7; /* will-it-scale: c[i] = 0; (*iterations)++; */
			if (ctr)
				(*ctr)++;
		}
		/* The rest of the page is intact: checked on every 16th page
		 * touched, so the check (a read of a mapped page) adds under 1%
		 * to the faults timed (will-it-scale reads nothing back).
		 * fill=none: the file's pages are zero but for the byte written. */
		if (k == FK_COW || k == FK_SHARED_WRITE)
			for (size_t off = 0; off < len; off += 16 * step) {
				uint64_t stamp,
				    want = s->fill == FILL_NONE ? 0 : off / PB_PAGE_SIZE + 1;
				memcpy(&stamp, (const char *)m + off, sizeof(stamp));
				bad +=
				    (stamp & ~0xffULL) != (want & ~0xffULL) || (stamp & 0xff) != 7;
			}
		break;
	}
	if (k != FK_ZAP_MUNMAP)
		munmap(m, len);
	uint64_t f1, j1, c1;
	c1 = cpu_now(who);
	o->work_ns += pb_now_ns() - t0;
	ru_now(who, &f1, &j1);
	o->cpu_ns += c1 - c0;
	o->minflt += f1 - f0;
	o->majflt += j1 - j0;
	o->ops += ops;
	o->bad += bad;
	return 0;
}

static uint64_t fault_run(void *state, struct pb_kthread *t)
{
	struct fstate *s = state;
	struct pass_out o = {0};
	int fd = s->thr[t->tid].fd;
	volatile uint64_t *ctr = ctr_slot(s, t->tid);
	uint64_t ctr0 = ctr ? *ctr : 0;
	if (s->procs) {
		/* A forked process per team member; it reports through a pipe. */
		int pfd[2];
		if (pipe(pfd))
			return 0;
		pid_t pid = fork();
		if (pid == 0) {
			close(pfd[0]);
			struct pass_out c = {0};
			for (uint64_t p = 0; p < s->passes; p++)
				if (one_pass(s, fd, RUSAGE_SELF, ctr, &c))
					break;
			ssize_t w = write(pfd[1], &c, sizeof(c));
			_exit(w == (ssize_t)sizeof(c) ? 0 : 1);
		}
		close(pfd[1]);
		if (pid < 0 || read(pfd[0], &o, sizeof(o)) != (ssize_t)sizeof(o))
			o.bad = 1;
		close(pfd[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	} else {
		for (uint64_t p = 0; p < s->passes; p++)
			if (one_pass(s, fd, RUSAGE_THREAD, ctr, &o))
				break;
	}
	/* count=shared: the shared counter (written by the forked child with
	 * procs=1) holds exactly the pages touched. */
	if (ctr && *ctr - ctr0 != o.ops)
		o.bad = 1;
	if (o.bad)
		pb_atomic_store(&s->bad, 1, PB_RELAXED);
	uint64_t faults = o.minflt + o.majflt;
	t->extra[FX_PAGES] = o.ops;
	t->extra[FX_MINFLT] = o.minflt;
	t->extra[FX_MAJFLT] = o.majflt;
	t->extra[FX_NS_PER_FAULT] = faults ? o.work_ns / faults : PB_EXTRA_NA;
	t->extra[FX_FAULTS_PER_S] = fault_rate_per_s(faults, o.work_ns);
	t->extra[FX_NS_PER_PAGE] = o.ops ? o.work_ns / o.ops : PB_EXTRA_NA;
	t->extra[FX_WORK_NS] = o.work_ns;
	t->extra[FX_CPU_NS] = o.cpu_ns;
	return o.ops;
}

static int fault_verify(void *state, char *err, size_t n)
{
	struct fstate *s = state;
	if (pb_atomic_load(&s->bad, PB_RELAXED)) {
		snprintf(
		    err, n,
		    "a page did not hold the expected contents (or a call failed, or count=shared "
		    "missed a page)");
		return -1;
	}
	return 0;
}

static void fault_thread_fini(void *state, struct pb_kthread *t)
{
	struct fstate *s = state;
	if (s->thr[t->tid].fd >= 0)
		close(s->thr[t->tid].fd);
	s->thr[t->tid].fd = -1;
}

static void fault_teardown(void *state)
{
	struct fstate *s = state;
	pb_atomic_store(&s->stop, 1, PB_RELAXED);
	for (unsigned i = 0; i < s->others; i++)
		pthread_join(s->spin[i], NULL);
	free(s->spin);
	if (s->ctr_area)
		munmap(s->ctr_area, s->ctr_len);
	free(s->thr);
	free(s);
}

static const char *const fault_extra[] = {"pages",	  "minflt",	  "majflt",
					  "ns_per_fault", "faults_per_s", "ns_per_page",
					  "work_ns",	  "cpu_ns",	  NULL};
_Static_assert(sizeof(fault_extra) / sizeof(*fault_extra) == FX__N + 1, "one name a column");
/* The rates of fault_extra, and why one is NA. */
static const char *const fault_rate[PB_KERNEL_MAX_EXTRA] = {
    [FX_NS_PER_FAULT] = "no fault in the timed passes (the zap kernels take none there): no cost "
			"per fault to give",
    [FX_FAULTS_PER_S] = "no time in the timed passes",
    [FX_NS_PER_PAGE] = "no page touched in the timed passes",
};

/* A total row's rates, as the harness's own totals (results/README.md):
 * the time of every thread's passes over every thread's faults (pages),
 * and the team's faults over the longest thread's passes (the threads
 * start together at the gate: its wall time). */
static void fault_total(const uint64_t *const *thr, unsigned n, uint64_t *tot)
{
	uint64_t span = 0;
	for (unsigned t = 0; t < n; t++)
		if (thr[t][FX_WORK_NS] > span)
			span = thr[t][FX_WORK_NS];
	uint64_t faults = tot[FX_MINFLT] + tot[FX_MAJFLT], work = tot[FX_WORK_NS];
	tot[FX_NS_PER_FAULT] = faults ? work / faults : PB_EXTRA_NA;
	tot[FX_FAULTS_PER_S] = fault_rate_per_s(faults, span);
	tot[FX_NS_PER_PAGE] = tot[FX_PAGES] ? work / tot[FX_PAGES] : PB_EXTRA_NA;
}

#define FAULT_KERNEL(var, kname, setupfn, what, unit, bench)                                       \
	static const struct pb_kernel_desc var = {                                                 \
	    .name = kname,                                                                         \
	    .module = "real",                                                                      \
	    .summary = what,                                                                       \
	    .params = fault_params,                                                                \
	    .params_size = sizeof(struct fault_params),                                            \
	    .op_unit = unit,                                                                       \
	    .extra_cols = fault_extra,                                                             \
	    .extra_rate = fault_rate,                                                              \
	    .extra_total = fault_total,                                                            \
	    .bench_only = bench,                                                                   \
	    .setup = setupfn,                                                                      \
	    .thread_init = fault_thread_init,                                                      \
	    .run = fault_run,                                                                      \
	    .verify = fault_verify,                                                                \
	    .thread_fini = fault_thread_fini,                                                      \
	    .teardown = fault_teardown,                                                            \
	}

FAULT_KERNEL(k_anon, "fault-anon", setup_anon,
	     "Linux demand-zero fault: first write to private anonymous memory (page_fault1)",
	     "page", 0);
FAULT_KERNEL(k_anon_read, "fault-anon-read", setup_anon_read,
	     "Linux read fault on anonymous memory: maps the zero page", "page", 1);
FAULT_KERNEL(k_anon_war, "fault-anon-war", setup_anon_war,
	     "Linux write after read on anonymous memory: zero-page fault, then COW", "page", 1);
FAULT_KERNEL(k_populate, "fault-populate", setup_populate,
	     "MAP_POPULATE, then write every page: the no-trap baseline", "page", 1);
FAULT_KERNEL(k_file, "fault-file", setup_file,
	     "Linux minor fault: read of a shared mapping of a cached file (fault-around)", "page",
	     0);
FAULT_KERNEL(k_file_cold, "fault-file-cold", setup_file_cold,
	     "Linux major fault: read of a private file mapping after fadvise(DONTNEED)", "page",
	     1);
FAULT_KERNEL(k_cow, "fault-cow", setup_cow,
	     "Linux copy-on-write fault: write to a private mapping of a cached file (page_fault2)",
	     "page", 0);
FAULT_KERNEL(k_shared_write, "fault-shared-write", setup_shared_write,
	     "Linux shared write fault: write to a shared file mapping (page_fault3)", "page", 1);
FAULT_KERNEL(k_thp, "fault-thp", setup_thp,
	     "Linux huge-page fault: first write per 2 MiB with MADV_HUGEPAGE", "2MiB fault", 0);
FAULT_KERNEL(k_munmap, "zap-munmap", setup_munmap,
	     "munmap of populated memory in calls of batch pages (TLB shootdowns)", "page", 1);
FAULT_KERNEL(k_dontneed, "zap-dontneed", setup_dontneed,
	     "MADV_DONTNEED of populated memory in calls of batch pages", "page", 1);
FAULT_KERNEL(k_free, "zap-free", setup_free,
	     "MADV_FREE of populated memory in calls of batch pages", "page", 1);

extern const struct pb_kernel_desc pb_kernel_uffd_pager;
extern const struct pb_kernel_desc pb_kernel_uffd_floor;

const struct pb_kernel_desc *const pb_kernels_real[] = {&k_anon,
							&k_anon_read,
							&k_anon_war,
							&k_populate,
							&k_file,
							&k_file_cold,
							&k_cow,
							&k_shared_write,
							&k_thp,
							&k_munmap,
							&k_dontneed,
							&k_free,
							&pb_kernel_uffd_pager,
							&pb_kernel_uffd_floor,
							NULL};
