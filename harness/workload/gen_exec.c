/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/gen_exec.c - the `exec` generator: P processes running
 * the same program, with the regions (VMAs) execve and ld.so give them.
 *
 * Layout of every process (the same addresses in each, as without ASLR;
 * P = the page size):
 *
 *   0x400000        text    r-x  file-shared  (program file, id 1)   [FILE|SHARED]
 *   after text      data    rw-  file-private (COW from the program) [FILE]
 *   after data      bss     rw-  anonymous, demand-zero              [0]
 *   2 MiB aligned,
 *   16 pages above  heap    rw-  anonymous, demand-zero              [0]
 *   0x7f0000000000  libN.so r-x  file-shared (library file, id 2+N)  [FILE|SHARED]
 *   below 0x7ffffffff000
 *                   stack   rw-  anonymous, demand-zero              [0]
 *   0xffff80000000  kernel  rwx  supervisor only, shared, in every address
 *                                space (0xffffffff80000000 cut to 48 bits)
 *                                                                    [SHARED]
 *
 * Page 0 up to the text is in no region (a NULL dereference faults).
 * Text and library pages are the page cache's (one page whatever the
 * process: read once, shared); data pages are read from the program file
 * on first touch and copied on the first write of each process.
 *
 * The stream: reference i belongs to process (i / quantum + thread) mod
 * procs (a time slice).  A fraction `bad` of references is illegal, one of
 * three kinds drawn uniformly: a write to text, a user-mode read of the
 * kernel region (kernel > 0) and a read of page 0..15 (no region).  A
 * fraction `sys` runs in kernel mode (a system call) and touches the kernel
 * region (PB_ACC_KERNEL).  The rest are user references: a fraction
 * `fetch` are instruction fetches from text or a library (weighted by
 * size), the others reads or writes (`write`) of data, bss, heap or stack
 * (weighted by size), pages uniform inside the region.  Thread t of a
 * multi-threaded run draws from seed + t, over the same processes.
 *
 * thp=1 models a heap that malloc madvise(MADV_HUGEPAGE)s (glibc's
 * glibc.malloc.hugetlb=1): the heap's size is rounded up to a multiple of
 * 2 MiB (it already starts 2 MiB aligned) and its accesses carry
 * PB_ACC_THP, so under `sim --thp madvise` each 2 MiB of heap may be one
 * huge page.  vma.h has no region flag for it: the engine reads the
 * access flag, as without regions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/workload.h"
#include "wl_internal.h"

#define TEXT_BASE  0x400000ULL
#define LIB_BASE   0x7f0000000000ULL
#define STACK_TOP  0x7ffffffff000ULL
#define KERN_BASE  0xffff80000000ULL
#define ADDR_LIMIT (1ULL << 48)
#define ALIGN_2M   (2ULL << 20)

/* process 0's regions in g->v, sorted by address: the stack is the last */
enum { R_TEXT, R_DATA, R_BSS, R_HEAP, R_LIB0 };

struct exec_gen {
	struct wl_exec_cfg c;
	struct pb_rng rng;
	uint64_t i;
	struct pb_vma *v; /* sorted table: procs x per-process regions, then the kernel */
	size_t nv, per;	  /* regions in all, per process */
	const struct pb_vma *kern;
	uint64_t fetch_pages, data_pages;
};

static uint64_t up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static void vma_set(struct pb_vma *r, uint32_t asid, uint64_t start, uint64_t pages, unsigned shift,
		    unsigned prot, unsigned kind, unsigned flags, uint32_t file, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->asid = asid;
	r->start = start;
	r->end = start + (pages << shift);
	r->prot = (uint8_t)prot;
	r->kind = (uint8_t)kind;
	r->flags = (uint8_t)flags;
	r->file = file;
	strncpy(r->name, name, sizeof(r->name) - 1);
}

static int exec_open(const struct wl_exec_cfg *c, void **state, char *err, size_t errlen)
{
	if (c->sys > 0 && !c->kernel) {
		snprintf(err, errlen, "workload exec: sys=%g needs a kernel region (kernel > 0)",
			 c->sys);
		return -EINVAL;
	}
	if (c->sys + c->bad > 1) {
		snprintf(err, errlen, "workload exec: sys + bad = %g exceeds 1", c->sys + c->bad);
		return -EINVAL;
	}
	unsigned sh = c->shift;
	if (KERN_BASE + (c->kernel << sh) > ADDR_LIMIT) {
		snprintf(err, errlen, "workload exec: kernel=%llu pages do not fit below 2^48",
			 (unsigned long long)c->kernel);
		return -EINVAL;
	}
	struct exec_gen *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->c = *c;
	pb_rng_seed(&g->rng, c->seed + 0x9e3779b97f4a7c15ULL * c->tid);
	/* one process's regions (asid filled per copy) */
	size_t per = R_LIB0 + c->libs + 1;
	struct pb_vma *one = calloc(per, sizeof(*one));
	g->nv = per * c->procs + (c->kernel ? 1 : 0);
	g->v = calloc(g->nv, sizeof(*g->v));
	if (!one || !g->v) {
		free(one);
		free(g->v);
		free(g);
		return -ENOMEM;
	}
	g->per = per;
	uint64_t a = TEXT_BASE;
	unsigned u = PB_VMA_USER;
	vma_set(&one[R_TEXT], 0, a, c->text, sh, PB_VMA_R | PB_VMA_X, PB_VMA_FILE_SHARED,
		u | PB_VMA_IMAGE, 1, "text");
	a = one[R_TEXT].end;
	vma_set(&one[R_DATA], 0, a, c->data, sh, PB_VMA_R | PB_VMA_W, PB_VMA_FILE_PRIVATE,
		u | PB_VMA_IMAGE, 1, "data");
	a = one[R_DATA].end;
	vma_set(&one[R_BSS], 0, a, c->bss, sh, PB_VMA_R | PB_VMA_W, PB_VMA_ANON, u, 0, "bss");
	a = up(one[R_BSS].end + (16ULL << sh), ALIGN_2M);
	uint64_t heap = c->thp ? up(c->heap << sh, ALIGN_2M) >> sh : c->heap;
	vma_set(&one[R_HEAP], 0, a, heap, sh, PB_VMA_R | PB_VMA_W, PB_VMA_ANON, u, 0, "heap");
	uint64_t lspan = up(c->libtext << sh, ALIGN_2M);
	for (uint64_t l = 0; l < c->libs; l++) {
		char nm[8] = "libN.so";
		nm[3] = (char)(l < 10 ? '0' + l : 'a' + l - 10);
		vma_set(&one[R_LIB0 + l], 0, LIB_BASE + l * lspan, c->libtext, sh,
			PB_VMA_R | PB_VMA_X, PB_VMA_FILE_SHARED, u | PB_VMA_IMAGE, 2 + (uint32_t)l,
			nm);
	}
	vma_set(&one[per - 1], 0, STACK_TOP - (c->stack << sh), c->stack, sh, PB_VMA_R | PB_VMA_W,
		PB_VMA_ANON, u, 0, "stack");
	for (uint64_t p = 0; p < c->procs; p++)
		for (size_t k = 0; k < per; k++) {
			g->v[p * per + k] = one[k];
			g->v[p * per + k].asid = (uint32_t)p;
		}
	free(one);
	if (c->kernel) {
		struct pb_vma *k = &g->v[g->nv - 1];
		vma_set(k, PB_VMA_ALL, KERN_BASE, c->kernel, sh, PB_VMA_R | PB_VMA_W | PB_VMA_X,
			PB_VMA_SHM, 0, 0, "kernel");
		g->kern = k;
	}
	g->fetch_pages = c->text + c->libs * c->libtext;
	g->data_pages = c->data + c->bss + heap + c->stack;
	*state = g;
	return 0;
}

static uint64_t npages(const struct exec_gen *g, const struct pb_vma *r)
{
	return (r->end - r->start) >> g->c.shift;
}

static uint64_t page_in(struct exec_gen *g, const struct pb_vma *r)
{
	uint64_t off = pb_rng_next(&g->rng) & ((1ULL << g->c.shift) - 1) & ~7ULL;
	return r->start + (pb_rng_below(&g->rng, npages(g, r)) << g->c.shift) + off;
}

/* One of the n regions r[] drawn with probability proportional to its
 * size (total pages: the sum). */
static const struct pb_vma *weighted(struct exec_gen *g, const struct pb_vma *const *r, size_t n,
				     uint64_t total)
{
	uint64_t x = pb_rng_below(&g->rng, total);
	for (size_t k = 0; k + 1 < n; k++) {
		if (x < npages(g, r[k]))
			return r[k];
		x -= npages(g, r[k]);
	}
	return r[n - 1];
}

static void exec_one(struct exec_gen *g, struct pb_access *a)
{
	const struct wl_exec_cfg *c = &g->c;
	memset(a, 0, sizeof(*a));
	a->thread = (uint8_t)c->tid;
	a->asid = c->procs > 1 ? (uint32_t)((g->i / c->quantum + c->tid) % c->procs) : 0;
	g->i++;
	double x = pb_rng_double(&g->rng);
	if (x < c->bad) {
		unsigned kinds = c->kernel ? 3 : 2;
		unsigned k = (unsigned)pb_rng_below(&g->rng, kinds);
		if (k == 0) { /* a write to text */
			a->addr = page_in(g, &g->v[R_TEXT]);
			a->op = PB_OP_WRITE;
			a->flags = PB_ACC_FILE | PB_ACC_SHARED;
		} else if (k == 1) { /* no region: page 0..15 */
			a->addr = pb_rng_below(&g->rng, 16) << c->shift;
			a->op = PB_OP_READ;
		} else { /* a user-mode read of the kernel */
			a->addr = page_in(g, g->kern);
			a->op = PB_OP_READ;
			a->flags = PB_ACC_SHARED;
		}
		return;
	}
	if (x < c->bad + c->sys) {
		a->addr = page_in(g, g->kern);
		double y = pb_rng_double(&g->rng);
		a->op = y < c->fetch			    ? PB_OP_FETCH
			: pb_rng_double(&g->rng) < c->write ? PB_OP_WRITE
							    : PB_OP_READ;
		a->flags = PB_ACC_SHARED | PB_ACC_KERNEL;
		return;
	}
	const struct pb_vma *v = g->v; /* process 0's copy: the same addresses */
	if (pb_rng_double(&g->rng) < c->fetch) {
		/* text and the libraries are consecutive in v[] */
		const struct pb_vma *r = &v[R_TEXT];
		uint64_t pick = pb_rng_below(&g->rng, g->fetch_pages);
		if (pick >= c->text)
			r = &v[R_LIB0 + (pick - c->text) / c->libtext];
		a->addr = page_in(g, r);
		a->op = PB_OP_FETCH;
		a->flags = PB_ACC_FILE | PB_ACC_SHARED;
		return;
	}
	const struct pb_vma *const d[] = {&v[R_DATA], &v[R_BSS], &v[R_HEAP], &v[g->per - 1]};
	const struct pb_vma *r = weighted(g, d, 4, g->data_pages);
	a->addr = page_in(g, r);
	a->op = c->write > 0 && pb_rng_double(&g->rng) < c->write ? PB_OP_WRITE : PB_OP_READ;
	a->flags = r->kind == PB_VMA_FILE_PRIVATE ? PB_ACC_FILE : 0;
	if (r == &v[R_HEAP] && c->thp)
		a->flags |= PB_ACC_THP;
}

static ssize_t exec_next(void *state, struct pb_access *buf, size_t n)
{
	struct exec_gen *g = state;
	size_t k = 0;
	while (k < n && g->i < g->c.refs)
		exec_one(g, &buf[k++]);
	return (ssize_t)k;
}

static void exec_regions(const void *state, const struct pb_vma **v, size_t *n)
{
	const struct exec_gen *g = state;
	*v = g->v;
	*n = g->nv;
}

static void exec_close(void *state)
{
	struct exec_gen *g = state;
	if (!g)
		return;
	free(g->v);
	free(g);
}

const struct wl_gen_ops wl_gen_exec = {
    .open = exec_open,
    .next = exec_next,
    .regions = exec_regions,
    .close = exec_close,
};
