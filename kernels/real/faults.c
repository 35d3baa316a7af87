/*
 * kernels/real/faults.c - Linux's own page faults, measured.
 *
 * Each kernel maps fresh memory per repetition and touches one byte per
 * page, so every op is exactly one page fault taken by the real kernel; the
 * perf/rusage fault columns of runs.csv confirm it (minor vs major), and
 * ns/op is the cost of one fault including its share of the map/unmap.
 *
 *  fault-anon:  private anonymous memory, write: demand-zero fill.
 *  fault-file:  a shared mapping of a file already in the page cache, read:
 *               minor fault that maps the cached page (no I/O).
 *  fault-cow:   a private mapping of that file, write: copy-on-write of the
 *               cached page into a new anonymous page.
 *  fault-thp:   anonymous memory with MADV_HUGEPAGE, one write per 2 MiB:
 *               one huge (2 MiB) fault per op when THP is available (the
 *               mode is in meta.json; without THP it degrades to one 4 KiB
 *               fault and the kernel's events show it: thp_faults = 0).
 * The file lives in $TMPDIR (default /tmp), one per thread, and is removed
 * at teardown.  After a run, verify() checks what was read back: file
 * pages hold their stamp, copied pages hold the writer's value.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/kernel.h"

enum fault_kind { FK_ANON, FK_FILE, FK_COW, FK_THP };

struct fthr {
	int fd;
	char path[256];
};

struct fstate {
	enum fault_kind kind;
	size_t bytes;
	uint64_t passes;
	unsigned n;
	struct fthr *thr;
	int bad; /* atomic-free: only ever set to 1 */
};

static int fault_param(void *ctx, const char *k, const char *v, char *err, size_t n)
{
	(void)ctx;
	(void)v;
	snprintf(err, n, "unknown parameter '%s' (fault kernels take none; use --size/--ops)", k);
	return -EINVAL;
}

static int fault_setup(const struct pb_kernel_cfg *cfg, void **state, enum fault_kind kind)
{
	int rc = pb_params_each(cfg->params, fault_param, NULL, cfg->err, cfg->errlen);
	if (rc)
		return rc;
	struct fstate *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->kind = kind;
	s->bytes = cfg->size ? cfg->size : (kind == FK_THP ? 256UL << 20 : 32UL << 20);
	size_t unit = kind == FK_THP ? PB_HUGE_SIZE : PB_PAGE_SIZE;
	s->bytes = (s->bytes + unit - 1) / unit * unit;
	uint64_t per_pass = s->bytes / unit;
	s->passes = cfg->ops ? (cfg->ops + per_pass - 1) / per_pass : 1;
	s->n = cfg->nthreads;
	s->thr = calloc(s->n, sizeof(*s->thr));
	for (unsigned t = 0; t < s->n; t++)
		s->thr[t].fd = -1;
	*state = s;
	return 0;
}

static int setup_anon(const struct pb_kernel_cfg *c, void **s)
{
	return fault_setup(c, s, FK_ANON);
}
static int setup_file(const struct pb_kernel_cfg *c, void **s)
{
	return fault_setup(c, s, FK_FILE);
}
static int setup_cow(const struct pb_kernel_cfg *c, void **s)
{
	return fault_setup(c, s, FK_COW);
}
static int setup_thp(const struct pb_kernel_cfg *c, void **s)
{
	return fault_setup(c, s, FK_THP);
}

/* The file: every page stamped with its index, written and in page cache. */
static int fault_thread_init(void *state, struct pb_kthread *t)
{
	struct fstate *s = state;
	if (s->kind != FK_FILE && s->kind != FK_COW)
		return 0;
	struct fthr *ft = &s->thr[t->tid];
	const char *dir = getenv("TMPDIR");
	snprintf(ft->path, sizeof(ft->path), "%s/pagebench-fault-XXXXXX", dir && *dir ? dir : "/tmp");
	ft->fd = mkstemp(ft->path);
	if (ft->fd < 0)
		return -errno;
	unlink(ft->path); /* removed when closed, even if we crash */
	char *page = calloc(1, PB_PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	for (size_t off = 0; off < s->bytes; off += PB_PAGE_SIZE) {
		uint64_t stamp = off / PB_PAGE_SIZE + 1;
		memcpy(page, &stamp, sizeof(stamp));
		if (pwrite(ft->fd, page, PB_PAGE_SIZE, (off_t)off) != (ssize_t)PB_PAGE_SIZE) {
			free(page);
			return -EIO;
		}
	}
	free(page);
	return 0;
}

static uint64_t fault_run(void *state, struct pb_kthread *t)
{
	struct fstate *s = state;
	struct fthr *ft = &s->thr[t->tid];
	uint64_t ops = 0, bad = 0;
	for (uint64_t p = 0; p < s->passes; p++) {
		char *m;
		switch (s->kind) {
		case FK_FILE:
			m = mmap(NULL, s->bytes, PROT_READ, MAP_SHARED, ft->fd, 0);
			break;
		case FK_COW:
			m = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, ft->fd, 0);
			break;
		default:
			m = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m != MAP_FAILED && s->kind == FK_THP)
				madvise(m, s->bytes, MADV_HUGEPAGE);
			break;
		}
		if (m == MAP_FAILED)
			return ops;
		volatile char *v = m;
		if (s->kind == FK_FILE) {
			for (size_t off = 0; off < s->bytes; off += PB_PAGE_SIZE) {
				uint64_t stamp;
				memcpy(&stamp, (const char *)m + off, sizeof(stamp));
				bad += stamp != off / PB_PAGE_SIZE + 1;
			}
			ops += s->bytes / PB_PAGE_SIZE;
		} else if (s->kind == FK_THP) {
			for (size_t off = 0; off < s->bytes; off += PB_HUGE_SIZE)
				v[off] = 1;
			ops += s->bytes / PB_HUGE_SIZE;
		} else {
			for (size_t off = 0; off < s->bytes; off += PB_PAGE_SIZE)
				v[off] = 7;
			if (s->kind == FK_COW) /* the copy kept the rest of the page */
				for (size_t off = 0; off < s->bytes; off += PB_PAGE_SIZE) {
					uint64_t stamp;
					memcpy(&stamp, (const char *)m + off, sizeof(stamp));
					bad += (stamp & ~0xffULL) != ((off / PB_PAGE_SIZE + 1) & ~0xffULL) ||
					       (stamp & 0xff) != 7;
				}
			ops += s->bytes / PB_PAGE_SIZE;
		}
		munmap(m, s->bytes);
	}
	if (bad)
		s->bad = 1;
	t->extra[0] = ops;
	return ops;
}

static int fault_verify(void *state, char *err, size_t n)
{
	struct fstate *s = state;
	if (s->bad) {
		snprintf(err, n, "a faulted-in page did not hold the expected contents");
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
	free(s->thr);
	free(s);
}

static const char *const fault_extra[] = {"faults_expected", NULL};

#define FAULT_KERNEL(var, kname, setupfn, what, unit)                                     \
	static const struct pb_kernel_desc var = {                                        \
		.name = kname,                                                            \
		.module = "real",                                                         \
		.summary = what,                                                          \
		.params_help = "none (--size bytes mapped per thread per pass, --ops faults)", \
		.op_unit = unit,                                                          \
		.extra_cols = fault_extra,                                                \
		.setup = setupfn,                                                         \
		.thread_init = fault_thread_init,                                         \
		.run = fault_run,                                                         \
		.verify = fault_verify,                                                   \
		.thread_fini = fault_thread_fini,                                         \
		.teardown = fault_teardown,                                               \
	}

FAULT_KERNEL(k_anon, "fault-anon", setup_anon, "Linux demand-zero fault: first write to private anonymous memory", "fault");
FAULT_KERNEL(k_file, "fault-file", setup_file, "Linux minor fault: read of a shared file mapping whose pages are in the page cache", "fault");
FAULT_KERNEL(k_cow, "fault-cow", setup_cow, "Linux copy-on-write fault: write to a private mapping of a cached file", "fault");
FAULT_KERNEL(k_thp, "fault-thp", setup_thp, "Linux huge-page fault: first write per 2 MiB with MADV_HUGEPAGE", "2MiB fault");

extern const struct pb_kernel_desc pb_kernel_uffd_pager;

const struct pb_kernel_desc *const pb_kernels_real[] = {&k_anon, &k_file, &k_cow, &k_thp,
						       &pb_kernel_uffd_pager, NULL};
