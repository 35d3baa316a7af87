/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/workload.c - the workload stream: spec parsing from one
 * const descriptor table, the synthetic generators and the dispatch to the
 * trace readers.
 *
 * One table (gens[] with its per-generator params[] plus common[]) drives
 * parsing, defaults, `pagebench list workloads` and the canonical spec
 * recorded in meta.json: an unknown key or a bad value is an error naming
 * the key, and every default is printed from the same strings that are
 * parsed.
 *
 * Generators: uniform, zipf (rejection-inversion sampling, Hormann &
 * Derflinger 1996, O(1) per draw and no O(pages) table, as Apache Commons
 * RNG's RejectionInversionZipfSampler), seq (streaming scan, no reuse),
 * stride, loop (cyclic scan: the LRU worst case of Belady et al.), hotcold,
 * phase (a working set that moves every `period` references, Denning's
 * phase behaviour), chase (pointer chase through a random cyclic
 * permutation built with Sattolo's algorithm, as multichase) and matrix
 * (row-, column-major or alternating traversal of a row-major array).  All
 * draw from xoshiro256** seeded through splitmix64 from `seed`.
 *
 * Every generator also takes the common parameters: write ratio, length,
 * seed, several processes (address spaces, switched every `quantum`
 * references like a time slice), a shared library region mapped into all of
 * them (instruction fetches flagged PB_ACC_FILE|PB_ACC_SHARED), copy-on-
 * write private regions after a fork (PB_ACC_COW) and how the threads'
 * streams relate:
 *   disjoint    each thread its own seed and its own private region
 *   shared      each thread its own seed over the same region
 *   interleaved the threads deal out one sequence: thread t gets refs
 *               t, t+T, t+2T, ... of the single seeded stream
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagebench/nextuse.h"
#include "pagebench/param.h"
#include "pagebench/parse.h"
#include "pagebench/workload.h"
#include "wl_internal.h"

#define PRIV_BASE 0x10000000ULL
#define LIB_BASE  0x7f0000000000ULL
/* The pages of the default 4096 bytes that a generator's private region
 * holds below the library (34,091,237,376): pages= is refused above it
 * when parsed, so its message gives the bound a run has; a larger page=
 * holds fewer, and open_gen names that bound */
#define PAGES_MAX ((LIB_BASE - PRIV_BASE) >> 12)
/* asids 0 .. procs - 1, and the engine's last is 65520 (VM_ASID_MAX,
 * kernels/vm/vm_internal.h): a larger procs= would stop a sim midway */
#define PROCS_MAX 65521

enum share_mode { SHARE_DISJOINT, SHARE_SHARED, SHARE_INTERLEAVED };
enum mat_order { ORD_ROW, ORD_COL, ORD_ALT };

struct gen_cfg {
	/* common */
	uint64_t refs, seed, procs, quantum, lib, cow, page, thp;
	double write, libfrac;
	uint64_t share;
	/* generator specific */
	uint64_t pages, stride, period, shift, rows, cols, elem, order, run;
	double alpha, hot, hotprob;
	/* trace */
	const char *path;
	uint64_t format, ifetch, maxpages, offcol, sizecol, opcol, nscol, nscol2, unit, sizeunit,
	    header, csv, backing;
	/* exec (gen_exec.c) */
	struct wl_exec_cfg x;
};

/*
 * Spec parameters are the project's one parameter table, struct pb_param
 * (pagebench/param.h): key, type, offset into struct gen_cfg, default
 * (NULL: none; a PB_PT_STR without one is required), help, choices,
 * bounds.  The values are stored the workload's way, which is why this
 * file parses them (set_param) instead of pb_param_set: enum indices and
 * sizes are uint64_t, strings point into the stream's copy of the spec
 * (no allocation per open), and format= takes the reader registry's names
 * and aliases (choices == fmt_choices: "auto", then formats.def).
 */
#define P_U64  PB_PT_U64
#define P_DBL  PB_PT_DBL
#define P_ENUM PB_PT_ENUM
#define P_STR  PB_PT_STR
#define P_SIZE PB_PT_SIZE
static const char *const fmt_choices[] = {"auto", NULL};

static const char *const share_names[] = {"disjoint", "shared", "interleaved", NULL};
static const char *const order_names[] = {"row", "col", "alt", NULL};
static const char *const csv_names[] = {"auto", "msr", "spc", "custom", NULL};
/* indices: 0 auto, then enum wl_backing (formats.def's BACKING column) */
static const char *const backing_names[] = {"auto", "anon", "file", NULL};

/* format=: "auto", then the registered trace formats (formats.def) */
static const char *fmt_choice(uint64_t i)
{
	if (i == 0)
		return "auto";
	const struct wl_format *f = i <= UINT32_MAX ? wl_format_at((unsigned)(i - 1)) : NULL;
	return f ? wl_format_name(f) : NULL;
}

static int fmt_find(const char *s, uint64_t *i)
{
	if (!strcmp(s, "auto")) {
		*i = 0;
		return 0;
	}
	const struct wl_format *f = wl_format_find(s);
	for (unsigned k = 0; f && wl_format_at(k); k++)
		if (wl_format_at(k) == f) {
			*i = k + 1;
			return 0;
		}
	return -EINVAL;
}

static const char *enum_name(const struct pb_param *p, uint64_t i)
{
	return p->choices == fmt_choices ? fmt_choice(i) : p->choices[i];
}

#define O(f)   offsetof(struct gen_cfg, f)
#define U64MAX 18446744073709551615.0

static const struct pb_param common[] = {
    {"refs", P_SIZE, O(refs), "1000000", "references per thread's stream", NULL, 0, U64MAX, 0, 0,
     NULL},
    {"seed", P_U64, O(seed), NULL, "seed (default: --seed of the run)", NULL, 0, U64MAX, 0, 0,
     NULL},
    {"write", P_DBL, O(write), "0", "fraction of references that are writes", NULL, 0, 1, 0, 0,
     NULL},
    {"procs", P_U64, O(procs), "1", "address spaces (simulated processes)", NULL, 1, PROCS_MAX, 0,
     0, NULL},
    {"quantum", P_SIZE, O(quantum), "10000", "references before switching to the next process",
     NULL, 1, U64MAX, 0, 0, NULL},
    {"lib", P_U64, O(lib), "0", "pages of a shared library mapped in every process (0: none)", NULL,
     0, 1 << 30, 0, 0, NULL},
    {"libfrac", P_DBL, O(libfrac), "0.2", "fraction of references that fetch from the library",
     NULL, 0, 1, 0, 0, NULL},
    {"cow", P_U64, O(cow), "0", "1: private regions are copy-on-write after a fork", NULL, 0, 1, 0,
     0, NULL},
    {"share", P_ENUM, O(share), "disjoint", "how threads' streams relate", share_names, 0, 0, 0, 0,
     NULL},
    {"page", P_SIZE, O(page), "4096", "page size in bytes (power of two)", NULL, 512, 1ULL << 30, 0,
     0, NULL},
    {"thp", P_U64, O(thp), "0",
     "1: private regions are madvise(MADV_HUGEPAGE)d (PB_ACC_THP; sim --thp madvise)", NULL, 0, 1,
     0, 0, NULL},
    {0},
};

#define PAGES_P(d)                                                                                 \
	{                                                                                          \
		"pages", P_SIZE, O(pages), d, "pages in the working set", NULL, 1, PAGES_MAX, 0,   \
		    0, NULL                                                                        \
	}
#define END_P                                                                                      \
	{                                                                                          \
		0                                                                                  \
	}

static const struct pb_param p_uniform[] = {PAGES_P("65536"), END_P};
static const struct pb_param p_zipf[] = {
    PAGES_P("65536"),
    {"alpha", P_DBL, O(alpha), "0.99", "Zipf exponent (> 0): page k drawn with p ~ 1/k^alpha", NULL,
     1e-6, 100, 0, 0, NULL},
    END_P,
};
static const struct pb_param p_seq[] = {
    {"pages", P_SIZE, O(pages), "0", "pages before wrapping (0: never: a pure streaming scan)",
     NULL, 0, PAGES_MAX, 0, 0, NULL},
    {"run", P_U64, O(run), "1", "consecutive references inside each page", NULL, 1, 1 << 20, 0, 0,
     NULL},
    END_P,
};
static const struct pb_param p_stride[] = {
    PAGES_P("65536"),
    {"stride", P_U64, O(stride), "16", "stride in pages (next lane after wrapping)", NULL, 1,
     1ULL << 36, 0, 0, NULL},
    END_P,
};
static const struct pb_param p_loop[] = {PAGES_P("65536"), END_P};
static const struct pb_param p_hotcold[] = {
    PAGES_P("65536"),
    {"hot", P_DBL, O(hot), "0.2", "fraction of pages that are hot", NULL, 1e-9, 1, 0, 0, NULL},
    {"hotprob", P_DBL, O(hotprob), "0.8", "probability a reference goes to the hot set", NULL, 0, 1,
     0, 0, NULL},
    END_P,
};
static const struct pb_param p_phase[] = {
    PAGES_P("4096"),
    {"period", P_SIZE, O(period), "100000", "references per phase", NULL, 1, U64MAX, 0, 0, NULL},
    {"shift", P_SIZE, O(shift), "0", "pages the working set moves per phase (0: = pages)", NULL, 0,
     1ULL << 36, 0, 0, NULL},
    END_P,
};
static const struct pb_param p_chase[] = {
    {"pages", P_SIZE, O(pages), "65536", "pages in the cycle", NULL, 2, 1ULL << 31, 0, 0, NULL},
    END_P,
};
static const struct pb_param p_matrix[] = {
    {"rows", P_SIZE, O(rows), "1024", "rows", NULL, 1, 1 << 30, 0, 0, NULL},
    {"cols", P_SIZE, O(cols), "1024", "columns", NULL, 1, 1 << 30, 0, 0, NULL},
    {"elem", P_SIZE, O(elem), "8", "element size in bytes", NULL, 1, 1 << 20, 0, 0, NULL},
    {"order", P_ENUM, O(order), "alt", "row, col or alt (row then column pass)", order_names, 0, 0,
     0, 0, NULL},
    END_P,
};
static const struct pb_param p_trace[] = {
    {"path", P_STR, O(path), NULL, "trace file (required)", NULL, 0, 0, 0, 0, NULL},
    {"format", P_ENUM, O(format), "auto", "trace format (detected when auto)", fmt_choices, 0, 0, 0,
     0, NULL},
    {"page", P_SIZE, O(page), "4096", "page size in bytes (pbt: the file's; another is an error)",
     NULL, 512, 1ULL << 30, 0, 0, NULL},
    {"backing", P_ENUM, O(backing), "auto", "anon or file pages; auto: the format's (below)",
     backing_names, 0, 0, 0, 0, NULL},
    {"ifetch", P_U64, O(ifetch), "1", "0 drops instruction fetches (lackey, din, pbt)", NULL, 0, 1,
     0, 0, NULL},
    {"maxpages", P_SIZE, O(maxpages), "65536",
     "most pages one trace record may expand to (else an error)", NULL, 1, 1ULL << 40, 0, 0, NULL},
    {"csv", P_ENUM, O(csv), "auto", "csv layout: msr, spc, or custom columns", csv_names, 0, 0, 0,
     0, NULL},
    {"offcol", P_U64, O(offcol), "0", "csv: offset column (1-based)", NULL, 0, 32, 0, 0, NULL},
    {"sizecol", P_U64, O(sizecol), "0", "csv: size column (0: one page)", NULL, 0, 32, 0, 0, NULL},
    {"opcol", P_U64, O(opcol), "0", "csv: read/write column (0: all reads)", NULL, 0, 32, 0, 0,
     NULL},
    {"nscol", P_U64, O(nscol), "0", "csv: namespace column -> asid", NULL, 0, 32, 0, 0, NULL},
    {"nscol2", P_U64, O(nscol2), "0", "csv: second namespace column", NULL, 0, 32, 0, 0, NULL},
    {"unit", P_U64, O(unit), "1", "csv: bytes per offset unit (512: sectors)", NULL, 1, 1 << 30, 0,
     0, NULL},
    {"sizeunit", P_U64, O(sizeunit), "1", "csv: bytes per size unit", NULL, 1, 1 << 30, 0, 0, NULL},
    {"header", P_U64, O(header), "1", "csv: 1 skips a non-numeric first line", NULL, 0, 1, 0, 0,
     NULL},
    {"share", P_ENUM, O(share), "shared",
     "threads: shared (each replays all), interleaved, disjoint (own asid)", share_names, 0, 0, 0,
     0, NULL},
    END_P,
};

static const struct pb_param p_exec[] = {
    {"procs", P_U64, O(procs), "4", "processes running the program", NULL, 1, 65519, 0, 0, NULL},
    {"text", P_SIZE, O(x.text), "64", "text pages (r-x, file-shared)", NULL, 1, 1 << 20, 0, 0,
     NULL},
    {"data", P_SIZE, O(x.data), "16", "data pages (rw-, private COW from the program file)", NULL,
     1, 1 << 20, 0, 0, NULL},
    {"bss", P_SIZE, O(x.bss), "16", "bss pages (rw-, demand-zero)", NULL, 1, 1 << 20, 0, 0, NULL},
    {"heap", P_SIZE, O(x.heap), "256", "heap pages (rw-, demand-zero)", NULL, 1, 1 << 26, 0, 0,
     NULL},
    {"stack", P_SIZE, O(x.stack), "16", "stack pages (rw-, demand-zero)", NULL, 1, 1 << 20, 0, 0,
     NULL},
    {"libs", P_U64, O(x.libs), "2", "shared libraries (text r-x, file-shared)", NULL, 0, 16, 0, 0,
     NULL},
    {"libtext", P_SIZE, O(x.libtext), "32", "text pages of each library", NULL, 1, 1 << 16, 0, 0,
     NULL},
    {"kernel", P_SIZE, O(x.kernel), "64",
     "kernel region pages (supervisor, shared, global; 0: none)", NULL, 0, 1 << 19, 0, 0, NULL},
    {"refs", P_SIZE, O(refs), "100000", "references per thread's stream", NULL, 0, U64MAX, 0, 0,
     NULL},
    {"seed", P_U64, O(seed), NULL, "seed (default: --seed of the run)", NULL, 0, U64MAX, 0, 0,
     NULL},
    {"quantum", P_SIZE, O(quantum), "1000", "references before switching to the next process", NULL,
     1, U64MAX, 0, 0, NULL},
    {"fetch", P_DBL, O(x.fetch), "0.4", "fraction of user references that fetch instructions", NULL,
     0, 1, 0, 0, NULL},
    {"write", P_DBL, O(write), "0.3", "fraction of data references that are writes", NULL, 0, 1, 0,
     0, NULL},
    {"sys", P_DBL, O(x.sys), "0.05", "fraction of references in kernel mode (system calls)", NULL,
     0, 1, 0, 0, NULL},
    {"bad", P_DBL, O(x.bad), "0",
     "fraction of illegal references (write to text, user read of kernel, no region)", NULL, 0, 1,
     0, 0, NULL},
    {"page", P_SIZE, O(page), "4096", "page size in bytes (power of two)", NULL, 512, 65536, 0, 0,
     NULL},
    {"thp", P_U64, O(x.thp), "0",
     "1: the heap is madvise(MADV_HUGEPAGE)d (PB_ACC_THP; its size rounded up to 2 MiB)", NULL, 0,
     1, 0, 0, NULL},
    END_P,
};

struct gen;
struct gen_desc {
	const char *name;
	const char *summary;
	const struct pb_param *params;
	int (*init)(struct gen *g);
	uint64_t (*next)(struct gen *g); /* byte offset in the private region */
};

struct gen {
	struct gen_cfg c;
	const struct gen_desc *d;
	struct pb_rng rng;
	unsigned tid, nthreads;
	unsigned pshift;
	uint64_t i; /* references generated by this stream (incl. skipped) */
	uint64_t emitted;
	uint64_t base; /* thread's offset in the private region */
	uint64_t cur, lane, pass;
	uint32_t *perm;
	double z_hx1, z_hn, z_s; /* zipf */
};

/* ---- generators ---- */
static uint64_t pg(const struct gen *g, uint64_t page)
{
	return page << g->pshift;
}

static int init_none(struct gen *g)
{
	(void)g;
	return 0;
}

static uint64_t next_uniform(struct gen *g)
{
	return pg(g, pb_rng_below(&g->rng, g->c.pages));
}

static double z_h1(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
static double z_h2(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}
static double z_hint(const struct gen *g, double x)
{
	double lx = log(x);
	return z_h2((1 - g->c.alpha) * lx) * lx;
}
static double z_h(const struct gen *g, double x)
{
	return exp(-g->c.alpha * log(x));
}
static double z_hinv(const struct gen *g, double x)
{
	double t = x * (1 - g->c.alpha);
	if (t < -1)
		t = -1;
	return exp(z_h1(t) * x);
}

static int init_zipf(struct gen *g)
{
	g->z_hx1 = z_hint(g, 1.5) - 1;
	g->z_hn = z_hint(g, (double)g->c.pages + 0.5);
	g->z_s = 2 - z_hinv(g, z_hint(g, 2.5) - z_h(g, 2));
	return 0;
}

static uint64_t next_zipf(struct gen *g)
{
	double n = (double)g->c.pages;
	for (;;) {
		double u = g->z_hn + pb_rng_double(&g->rng) * (g->z_hx1 - g->z_hn);
		double x = z_hinv(g, u);
		double k = floor(x + 0.5);
		if (k < 1)
			k = 1;
		else if (k > n)
			k = n;
		if (k - x <= g->z_s || u >= z_hint(g, k + 0.5) - z_h(g, k))
			return pg(g, (uint64_t)k - 1);
	}
}

static uint64_t next_seq(struct gen *g)
{
	uint64_t r = g->i; /* reference index within this stream */
	uint64_t page = r / g->c.run, within = r % g->c.run;
	if (g->c.pages)
		page %= g->c.pages;
	return pg(g, page) + (within << g->pshift) / g->c.run;
}

static uint64_t next_loop(struct gen *g)
{
	return pg(g, g->i % g->c.pages);
}

static uint64_t next_stride(struct gen *g)
{
	uint64_t p = g->cur;
	g->cur += g->c.stride;
	if (g->cur >= g->c.pages) {
		g->lane = (g->lane + 1) % (g->c.stride < g->c.pages ? g->c.stride : g->c.pages);
		g->cur = g->lane;
	}
	return pg(g, p);
}

static uint64_t next_hotcold(struct gen *g)
{
	uint64_t nhot = (uint64_t)(g->c.hot * (double)g->c.pages);
	if (nhot < 1)
		nhot = 1;
	if (nhot >= g->c.pages || pb_rng_double(&g->rng) < g->c.hotprob)
		return pg(g, pb_rng_below(&g->rng, nhot));
	return pg(g, nhot + pb_rng_below(&g->rng, g->c.pages - nhot));
}

static uint64_t next_phase(struct gen *g)
{
	uint64_t sh = g->c.shift ? g->c.shift : g->c.pages;
	uint64_t start = (g->i / g->c.period) * sh;
	return pg(g, start + pb_rng_below(&g->rng, g->c.pages));
}

static int init_chase(struct gen *g)
{
	uint64_t n = g->c.pages;
	g->perm = malloc(n * sizeof(*g->perm));
	if (!g->perm)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		g->perm[i] = (uint32_t)i;
	/* Sattolo: a single cycle through all n pages */
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = pb_rng_below(&g->rng, i);
		uint32_t t = g->perm[i];
		g->perm[i] = g->perm[j];
		g->perm[j] = t;
	}
	g->cur = 0;
	return 0;
}

static uint64_t next_chase(struct gen *g)
{
	uint64_t p = g->cur;
	g->cur = g->perm[p];
	return pg(g, p);
}

static uint64_t next_matrix(struct gen *g)
{
	uint64_t n = g->c.rows * g->c.cols;
	uint64_t pass = g->i / n, k = g->i % n;
	int col = g->c.order == ORD_COL || (g->c.order == ORD_ALT && (pass & 1));
	uint64_t r, c;
	if (col) {
		c = k / g->c.rows;
		r = k % g->c.rows;
	} else {
		r = k / g->c.cols;
		c = k % g->c.cols;
	}
	return (r * g->c.cols + c) * g->c.elem;
}

static const struct gen_desc gens[] = {
    {"uniform", "uniform random pages", p_uniform, init_none, next_uniform},
    {"zipf", "Zipf-distributed pages (page 0 most popular)", p_zipf, init_zipf, next_zipf},
    {"seq", "sequential scan (streaming; wraps after pages if set)", p_seq, init_none, next_seq},
    {"stride", "strided scan over the working set", p_stride, init_none, next_stride},
    {"loop", "cyclic scan over the working set (LRU's worst case)", p_loop, init_none, next_loop},
    {"hotcold", "hot/cold sets (e.g. 80% of refs to 20% of pages)", p_hotcold, init_none,
     next_hotcold},
    {"phase", "uniform over a working set that shifts every period refs", p_phase, init_none,
     next_phase},
    {"chase", "pointer chase through a random cyclic permutation", p_chase, init_chase, next_chase},
    {"matrix", "row/column-major traversal of a row-major matrix", p_matrix, init_none,
     next_matrix},
    {"exec", "processes running one program: text, data, bss, heap, stack, libraries, kernel",
     p_exec, NULL, NULL},
};

/* A generator without next() writes whole accesses through its ops
 * (wl_internal.h), may describe regions and takes no common parameters. */
static const struct wl_gen_ops *gen_ops(const struct gen_desc *d)
{
	return d && !d->next && !strcmp(d->name, "exec") ? &wl_gen_exec : NULL;
}

/* ---- spec parsing (table-driven) ---- */
static const struct pb_param *find_param(const struct pb_param *t, const char *key)
{
	for (; t && t->key; t++)
		if (!strcmp(t->key, key))
			return t;
	return NULL;
}

static int set_param(struct gen_cfg *c, const struct pb_param *p, const char *val, const char *wl,
		     char *err, size_t errlen)
{
	void *dst = (char *)c + p->off;
	uint64_t u;
	double d;
	int rc = 0;
	switch (p->type) {
	case P_U64:
	case P_SIZE:
		rc = p->type == P_SIZE ? pb_parse_size(val, &u) : pb_parse_u64(val, &u);
		if (rc || (double)u < p->lo || (double)u > p->hi) {
			snprintf(err, errlen,
				 "workload %s: bad value '%s' for %s (%s in [%.0f, %.0f])", wl, val,
				 p->key, p->type == P_SIZE ? "a size" : "an integer", p->lo, p->hi);
			return -EINVAL;
		}
		*(uint64_t *)dst = u;
		return 0;
	case P_DBL:
		rc = pb_parse_double(val, &d);
		if (rc || !(d >= p->lo && d <= p->hi)) {
			snprintf(err, errlen,
				 "workload %s: bad value '%s' for %s (a number in [%g, %g])", wl,
				 val, p->key, p->lo, p->hi);
			return -EINVAL;
		}
		*(double *)dst = d;
		return 0;
	case P_ENUM:
		if (p->choices == fmt_choices && !fmt_find(val, &u)) {
			*(uint64_t *)dst = u;
			return 0;
		}
		for (uint64_t i = 0; p->choices != fmt_choices && enum_name(p, i); i++)
			if (!strcmp(enum_name(p, i), val)) {
				*(uint64_t *)dst = i;
				return 0;
			}
		snprintf(err, errlen, "workload %s: bad value '%s' for %s (one of:", wl, val,
			 p->key);
		for (uint64_t i = 0; enum_name(p, i); i++) {
			size_t l = strlen(err);
			snprintf(err + l, errlen - l, " %s", enum_name(p, i));
		}
		if (strlen(err) + 2 < errlen)
			strcat(err, ")");
		return -EINVAL;
	case P_STR:
		*(const char **)dst = val;
		return 0;
	case PB_PT_BOOL:
	case PB_PT_FLAG:
	case PB_PT_END:
		break;
	}
	return -EINVAL;
}

static void set_defaults(struct gen_cfg *c, const struct pb_param *t)
{
	char e[8];
	for (; t && t->key; t++)
		if (t->def)
			set_param(c, t, t->def, "", e, sizeof(e));
}

struct pb_workload {
	int is_trace;
	int page_given; /* trace: page= named in the spec */
	struct gen g;
	struct wl_trace *tr;
	char *spec;  /* our copy: P_STR values point into it */
	char *canon; /* allocated: a trace's path= is kept whole, however long */
	char err[WL_ERRLEN];
	unsigned shift;
	uint64_t count;
	unsigned tid, nthreads;
	uint64_t trace_i;
	struct pb_access *tbuf;
	int64_t *tnext;
	size_t tcap;
	void *ops_state; /* a gen_desc with ops: its stream */
};

/* keep: params always written (the rest only when not at their default) */
static void canon_append(FILE *f, const struct gen_cfg *c, const struct pb_param *t, int *first,
			 int only_changed)
{
	for (; t && t->key; t++) {
		const void *src = (const char *)c + t->off;
		if (only_changed && t->def && strcmp(t->key, "format") && strcmp(t->key, "page") &&
		    strcmp(t->key, "backing")) {
			struct gen_cfg d;
			char e[8];
			memcpy(&d, c, sizeof(d));
			set_param(&d, t, t->def, "", e, sizeof(e));
			if (!memcmp((const char *)&d + t->off, src,
				    t->type == P_DBL ? sizeof(double) : sizeof(uint64_t)))
				continue;
		}
		const char *sep = *first ? ":" : ",";
		*first = 0;
		switch (t->type) {
		case P_U64:
		case P_SIZE:
			fprintf(f, "%s%s=%llu", sep, t->key,
				(unsigned long long)*(const uint64_t *)src);
			break;
		case P_DBL:
			fprintf(f, "%s%s=%g", sep, t->key, *(const double *)src);
			break;
		case P_ENUM:
			fprintf(f, "%s%s=%s", sep, t->key, enum_name(t, *(const uint64_t *)src));
			break;
		case P_STR:
			fprintf(f, "%s%s=%s", sep, t->key,
				*(const char *const *)src ? *(const char *const *)src : "");
			break;
		case PB_PT_BOOL:
		case PB_PT_FLAG:
		case PB_PT_END:
			break;
		}
	}
}

/* w->canon: name, then the parameters of own (only those changed from
 * their defaults when only_changed, the keep list aside) and of more (all;
 * NULL: none).  Written to a memory stream, so nothing is cut: a trace's
 * path may be as long as the system allows.  0 or -ENOMEM. */
static int canon_build(struct pb_workload *w, const char *name, const struct pb_param *own,
		       int only_changed, const struct pb_param *more)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (!f)
		return -ENOMEM;
	int first = 1;
	fputs(name, f);
	canon_append(f, &w->g.c, own, &first, only_changed);
	if (more)
		canon_append(f, &w->g.c, more, &first, 0);
	if (fclose(f)) {
		free(s);
		return -ENOMEM;
	}
	free(w->canon);
	w->canon = s;
	return 0;
}

static int parse_spec(struct pb_workload *w, const char *spec, const struct pb_workload_opts *o,
		      char *err, size_t errlen)
{
	w->spec = strdup(spec);
	if (!w->spec)
		return -ENOMEM;
	char *name = w->spec, *args = strchr(name, ':');
	if (args)
		*args++ = 0;
	const struct pb_param *own = NULL;
	const struct gen_desc *d = NULL;
	if (!strcmp(name, "trace")) {
		w->is_trace = 1;
		own = p_trace;
	} else {
		for (size_t i = 0; i < PB_ARRAY_SIZE(gens); i++)
			if (!strcmp(gens[i].name, name))
				d = &gens[i];
		if (!d) {
			/* a trace's path given bare: say how to name it (not for a
			 * path with a comma, which trace:path= cannot hold); one
			 * whose name (before any ':') looks like a path, with a '/'
			 * or a '.', but cannot be read: say so with the OS's reason, as
			 * trace:path= does, not "unknown workload" */
			struct stat st;
			int serr = stat(spec, &st) ? errno : 0;
			if (serr && strpbrk(name, "/.")) {
				snprintf(
				    err, errlen,
				    "%s: cannot open: %s (no workload has that name; a trace "
				    "is named trace:path=FILE, see `pagebench list workloads`)",
				    spec, strerror(serr));
				return -EINVAL;
			}
			int file = !strchr(spec, ',') && !serr && !S_ISDIR(st.st_mode);
			snprintf(err, errlen,
				 "unknown workload '%s' (see `pagebench list workloads`)%s%s%s",
				 file ? spec : name, file ? "; did you mean trace:path=" : "",
				 file ? spec : "", file ? "?" : "");
			return -EINVAL;
		}
		own = d->params;
	}
	struct gen_cfg *c = &w->g.c;
	memset(c, 0, sizeof(*c));
	int use_common = !w->is_trace && !gen_ops(d);
	if (use_common)
		set_defaults(c, common);
	set_defaults(c, own);
	c->seed = o ? o->seed : 0;
	while (args && *args) {
		char *item = args, *comma = strchr(args, ',');
		if (comma)
			*comma = 0;
		args = comma ? comma + 1 : NULL;
		if (!*item)
			continue;
		char *eq = strchr(item, '=');
		if (!eq || eq == item) {
			snprintf(err, errlen, "workload %s: malformed '%s' (expected key=value)",
				 name, item);
			return -EINVAL;
		}
		*eq = 0;
		const struct pb_param *p = find_param(own, item);
		if (!p && use_common)
			p = find_param(common, item);
		if (!p) {
			snprintf(
			    err, errlen,
			    "workload %s: unknown parameter '%s' (see `pagebench list workloads`)",
			    name, item);
			return -EINVAL;
		}
		int rc = set_param(c, p, eq + 1, name, err, errlen);
		if (rc)
			return rc;
		if (w->is_trace && !strcmp(p->key, "page"))
			w->page_given = 1;
	}
	if (c->page & (c->page - 1)) {
		snprintf(err, errlen, "workload %s: page=%llu is not a power of two", name,
			 (unsigned long long)c->page);
		return -EINVAL;
	}
	w->shift = (unsigned)__builtin_ctzll(c->page);
	w->g.d = d;
	if (canon_build(w, name, own, w->is_trace, use_common ? common : NULL)) {
		snprintf(err, errlen, "workload %s: out of memory", name);
		return -ENOMEM;
	}
	return 0;
}

static int open_gen(struct pb_workload *w, char *err, size_t errlen)
{
	struct gen *g = &w->g;
	g->tid = w->tid;
	g->nthreads = w->nthreads;
	g->pshift = w->shift;
	uint64_t seed = g->c.seed;
	if (g->c.share != SHARE_INTERLEAVED)
		seed += 0x9e3779b97f4a7c15ULL * g->tid;
	pb_rng_seed(&g->rng, seed);
	/* span of one thread's private region, for disjoint placement; it must
	 * fit below the library region (LIB_BASE - PRIV_BASE bytes) */
	uint64_t span, pages;
	int ovf = 0;
	if (g->d->next == next_matrix) {
		ovf = __builtin_mul_overflow(g->c.rows, g->c.cols, &span) ||
		      __builtin_mul_overflow(span, g->c.elem, &span);
		pages = span >> w->shift;
	} else if (g->d->next == next_seq && !g->c.pages) {
		pages = g->c.refs / g->c.run + 1;
	} else if (g->d->next == next_phase) {
		ovf = __builtin_mul_overflow(g->c.refs / g->c.period + 1,
					     g->c.shift ? g->c.shift : g->c.pages, &pages) ||
		      __builtin_add_overflow(pages, g->c.pages, &pages);
	} else {
		pages = g->c.pages;
	}
	if (ovf || pages > (LIB_BASE - PRIV_BASE) >> w->shift) {
		snprintf(err, errlen,
			 "workload %s: the region it spans exceeds the %llu bytes below the "
			 "library region (at most %llu pages of %llu bytes)",
			 g->d->name, LIB_BASE - PRIV_BASE, (LIB_BASE - PRIV_BASE) >> w->shift,
			 1ULL << w->shift);
		return -EINVAL;
	}
	span = pages << w->shift;
	if (g->d->next == next_matrix)
		span = g->c.rows * g->c.cols * g->c.elem;
	span = (span + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	g->base = g->c.share == SHARE_DISJOINT ? span * g->tid : 0;
	if (g->c.share == SHARE_DISJOINT && w->nthreads > 1 &&
	    span > (LIB_BASE - PRIV_BASE) / w->nthreads) {
		snprintf(err, errlen,
			 "workload %s: per-thread region too large for %u disjoint threads",
			 g->d->name, w->nthreads);
		return -EINVAL;
	}
	int rc = g->d->init(g);
	if (rc)
		snprintf(err, errlen, "workload %s: setup failed: %s", g->d->name, strerror(-rc));
	return rc;
}

int pb_workload_open(const char *spec, const struct pb_workload_opts *opts,
		     struct pb_workload **out, char *err, size_t errlen)
{
	struct pb_workload *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->tid = opts ? opts->thread : 0;
	w->nthreads = opts && opts->nthreads ? opts->nthreads : 1;
	if (w->tid >= w->nthreads) {
		snprintf(err, errlen, "workload: thread %u of %u", w->tid, w->nthreads);
		free(w);
		return -EINVAL;
	}
	int rc = parse_spec(w, spec, opts, err, errlen);
	if (!rc && w->is_trace) {
		struct gen_cfg *c = &w->g.c;
		if (!c->path || !c->path[0]) {
			snprintf(err, errlen, "workload trace: path= is required");
			rc = -EINVAL;
		} else {
			struct wl_trace_opts to = {0};
			to.path = c->path;
			to.fd = -1;
			to.fmt = c->format ? wl_format_at((unsigned)c->format - 1) : NULL;
			to.page_shift = w->shift;
			to.page_given = w->page_given;
			to.no_ifetch = !c->ifetch;
			to.maxpages = c->maxpages;
			to.backing = (int)c->backing; /* 0: the format's */
			if (c->csv == 1) {
				to.csv = (struct wl_csv_map){5, 6, 4, 2, 3, 1, 1, 1, 1};
			} else if (c->csv == 2) {
				to.csv = (struct wl_csv_map){2, 3, 4, 1, 0, 512, 1, 1, 2};
			} else if (c->offcol || c->csv == 3) {
				if (!c->offcol) {
					snprintf(err, errlen,
						 "workload trace: csv=custom needs offcol=");
					rc = -EINVAL;
				}
				to.csv = (struct wl_csv_map){
				    (unsigned)c->offcol,   (unsigned)c->sizecol, (unsigned)c->opcol,
				    (unsigned)c->nscol,	   (unsigned)c->nscol2,	 (unsigned)c->unit,
				    (unsigned)c->sizeunit, (int)c->header,	 0};
			}
			if (!rc)
				rc = wl_trace_open(&to, &w->tr, err, errlen);
			if (!rc) {
				/* record the detected format and the page size in use */
				w->shift = wl_trace_shift(w->tr);
				fmt_find(wl_format_name(wl_trace_format(w->tr)), &c->format);
				c->page = 1ULL << w->shift;
				c->backing = wl_trace_backing(w->tr);
				rc = canon_build(w, "trace", p_trace, 1, NULL);
				if (rc)
					snprintf(err, errlen, "workload trace: out of memory");
			}
		}
	} else if (!rc && gen_ops(w->g.d)) {
		struct wl_exec_cfg x = w->g.c.x;
		x.refs = w->g.c.refs;
		x.seed = w->g.c.seed;
		x.procs = w->g.c.procs;
		x.quantum = w->g.c.quantum;
		x.write = w->g.c.write;
		x.shift = w->shift;
		x.tid = w->tid;
		x.nthreads = w->nthreads;
		rc = gen_ops(w->g.d)->open(&x, &w->ops_state, err, errlen);
	} else if (!rc) {
		rc = open_gen(w, err, errlen);
	}
	if (rc) {
		pb_workload_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

static void gen_one(struct gen *g, struct pb_access *a)
{
	const struct gen_cfg *c = &g->c;
	memset(a, 0, sizeof(*a));
	a->thread = (uint8_t)g->tid;
	a->asid = c->procs > 1 ? (uint32_t)((g->i / c->quantum + g->tid) % c->procs) : 0;
	if (c->lib && pb_rng_double(&g->rng) < c->libfrac) {
		a->addr = LIB_BASE + (pb_rng_below(&g->rng, c->lib) << g->pshift);
		a->op = PB_OP_FETCH;
		a->flags = PB_ACC_FILE | PB_ACC_SHARED;
	} else {
		a->addr = PRIV_BASE + g->base + g->d->next(g);
		a->op =
		    c->write > 0 && pb_rng_double(&g->rng) < c->write ? PB_OP_WRITE : PB_OP_READ;
		a->flags = (uint16_t)((c->cow ? PB_ACC_COW : 0) | (c->thp ? PB_ACC_THP : 0));
	}
	g->i++;
}

static ssize_t gen_next(struct pb_workload *w, struct pb_access *buf, size_t n)
{
	struct gen *g = &w->g;
	size_t k = 0;
	if (g->c.share == SHARE_INTERLEAVED && g->nthreads > 1) {
		/* deal one sequence: this thread's references are t, t+T, ... */
		uint64_t total = g->c.refs * g->nthreads;
		struct pb_access skip;
		while (k < n && g->i < total) {
			if (g->i % g->nthreads == g->tid) {
				gen_one(g, &buf[k]);
				buf[k].thread = (uint8_t)g->tid;
				k++;
			} else {
				gen_one(g, &skip);
			}
		}
		return (ssize_t)k;
	}
	while (k < n && g->i < g->c.refs)
		gen_one(g, &buf[k++]);
	return (ssize_t)k;
}

static ssize_t trace_next(struct pb_workload *w, struct pb_access *buf, size_t n)
{
	uint64_t share = w->g.c.share;
	if (share != SHARE_INTERLEAVED || w->nthreads == 1) {
		ssize_t r = wl_trace_next(w->tr, buf, n);
		if (r > 0 && share == SHARE_DISJOINT && w->nthreads > 1)
			for (ssize_t i = 0; i < r; i++)
				buf[i].asid = buf[i].asid * w->nthreads + w->tid;
		return r;
	}
	/* interleaved: keep every nthreads-th reference */
	if (w->tcap < n) {
		free(w->tbuf);
		free(w->tnext);
		w->tbuf = malloc(n * sizeof(*w->tbuf));
		w->tnext = malloc(n * sizeof(*w->tnext));
		w->tcap = w->tbuf && w->tnext ? n : 0;
		if (!w->tcap)
			return -ENOMEM;
	}
	size_t k = 0;
	while (k < n) {
		ssize_t r = wl_trace_next(w->tr, w->tbuf, n - k);
		if (r <= 0)
			return k ? (ssize_t)k : r;
		const int64_t *on = wl_trace_oracle_next(w->tr);
		for (ssize_t i = 0; i < r; i++, w->trace_i++)
			if (w->trace_i % w->nthreads == w->tid) {
				if (on)
					w->tnext[k] = on[i];
				buf[k++] = w->tbuf[i];
			}
	}
	return (ssize_t)k;
}

ssize_t pb_workload_next(struct pb_workload *w, struct pb_access *buf, size_t n)
{
	ssize_t r = w->is_trace	   ? trace_next(w, buf, n)
		    : w->ops_state ? gen_ops(w->g.d)->next(w->ops_state, buf, n)
				   : gen_next(w, buf, n);
	if (r > 0)
		w->count += (uint64_t)r;
	return r;
}

const int64_t *pb_workload_oracle_next(const struct pb_workload *w)
{
	if (!w->is_trace)
		return NULL;
	if (w->g.c.share == SHARE_INTERLEAVED && w->nthreads > 1)
		return wl_trace_oracle_next(w->tr) ? w->tnext : NULL;
	return wl_trace_oracle_next(w->tr);
}

uint64_t pb_workload_count(const struct pb_workload *w)
{
	return w->count;
}

double pb_workload_fraction(const struct pb_workload *w)
{
	if (w->is_trace)
		return w->tr ? wl_trace_fraction(w->tr) : -1;
	/* every generator's stream is refs= references long (interleaved:
	 * refs of the dealt sequence's refs x threads) */
	if (!w->g.c.refs)
		return 1.0;
	return w->count >= w->g.c.refs ? 1.0 : (double)w->count / (double)w->g.c.refs;
}

const char *pb_workload_error(const struct pb_workload *w)
{
	return w->is_trace && w->tr ? wl_trace_error(w->tr) : w->err;
}

unsigned pb_workload_page_shift(const struct pb_workload *w)
{
	return w->shift;
}

const char *pb_workload_canonical(const struct pb_workload *w)
{
	return w->canon;
}

const char *pb_workload_path(const struct pb_workload *w)
{
	return w->is_trace ? w->g.c.path : NULL;
}

int pb_workload_file_hash(const struct pb_workload *w, uint64_t *hash, uint64_t *size)
{
	return w->is_trace && w->tr ? wl_trace_file_hash(w->tr, hash, size) : 0;
}

uint64_t pb_workload_skipped(const struct pb_workload *w, uint64_t *unknown, uint64_t *first)
{
	*unknown = *first = 0;
	if (!w->is_trace)
		return 0;
	*unknown = wl_trace_skipped_unknown(w->tr, first);
	return wl_trace_skipped(w->tr);
}

void pb_workload_skipped_warn(const char *cmd, uint64_t unknown, const char *path, uint64_t first,
			      const char *fate)
{
	if (!unknown)
		return;
	int one = unknown == 1;
	fprintf(stderr,
		"pagebench %s: warning: %" PRIu64 " %s of %s %s, %s (first at line %" PRIu64 ")\n",
		cmd, unknown, one ? "line" : "lines", path,
		one ? "was not a reference" : "were not references", fate, first);
}

void pb_workload_close(struct pb_workload *w)
{
	if (!w)
		return;
	wl_trace_close(w->tr);
	if (w->ops_state)
		gen_ops(w->g.d)->close(w->ops_state);
	free(w->g.perm);
	free(w->spec);
	free(w->canon);
	free(w->tbuf);
	free(w->tnext);
	free(w);
}

void pb_workload_regions(const struct pb_workload *w, const struct pb_vma **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (w->ops_state && gen_ops(w->g.d)->regions)
		gen_ops(w->g.d)->regions(w->ops_state, v, n);
}

int pb_workload_block_as_anon(const char *spec, char *msg, size_t len)
{
	struct pb_workload w = {0};
	char err[8];
	int r = 0;
	if (!parse_spec(&w, spec, NULL, err, sizeof(err)) && w.is_trace && w.g.c.format &&
	    w.g.c.backing == WL_BACKING_anon) {
		const struct wl_format *f = wl_format_at((unsigned)w.g.c.format - 1);
		r = wl_format_backing(f) == WL_BACKING_file;
		if (r)
			snprintf(
			    msg, len,
			    "%s is a block-I/O trace replayed as anonymous memory (backing=anon): "
			    "first touches are zero fills with no read I/O, not file reads",
			    wl_format_name(f));
	}
	free(w.spec);
	free(w.canon);
	return r;
}

/* Accessors for the trace library (trace_info.c) */
const char *wl_workload_format(const struct pb_workload *w)
{
	return w->is_trace ? wl_format_name(wl_trace_format(w->tr)) : "generator";
}
uint64_t wl_workload_records(const struct pb_workload *w)
{
	return w->is_trace ? wl_trace_records(w->tr) : w->count;
}
enum wl_backing wl_workload_backing(const struct pb_workload *w)
{
	return w->is_trace ? wl_trace_backing(w->tr) : (enum wl_backing)0;
}
uint64_t wl_workload_skipped(const struct pb_workload *w)
{
	return w->is_trace ? wl_trace_skipped(w->tr) : 0;
}
const char *wl_workload_codec(const struct pb_workload *w)
{
	return w->is_trace ? wl_trace_codec(w->tr) : "none";
}
void wl_workload_pbt_blocks(const struct pb_workload *w, uint64_t blocks[2])
{
	blocks[0] = blocks[1] = 0;
	if (w->is_trace)
		wl_trace_pbt_blocks(w->tr, blocks);
}

int pb_workload_drain(struct pb_workload *w, struct pb_access *buf, size_t cap,
		      pb_workload_sink_fn sink, void *ctx, char *err, size_t errlen)
{
	struct pb_access *own = NULL;
	if (!buf) {
		cap = cap ? cap : 4096;
		buf = own = malloc(cap * sizeof(*buf));
		if (!buf) {
			snprintf(err, errlen, "workload: out of memory");
			return -ENOMEM;
		}
	}
	int rc = 0;
	for (;;) {
		ssize_t r = pb_workload_next(w, buf, cap);
		if (r < 0) {
			snprintf(err, errlen, "%s", pb_workload_error(w));
			rc = (int)r;
			break;
		}
		pb_progress_frac(pb_workload_fraction(w));
		if (r == 0 || (rc = sink(ctx, buf, (size_t)r)))
			break;
	}
	free(own);
	return rc;
}

struct keys_ctx {
	uint64_t *k;
	uint8_t *wr;
	size_t cap, len;
	unsigned shift;
	int want_writes;
};

static int keys_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct keys_ctx *c = ctx;
	if (c->len + n > c->cap) {
		size_t cap = c->cap;
		while (c->len + n > cap)
			cap *= 2;
		uint64_t *nk = realloc(c->k, cap * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		c->k = nk;
		if (c->want_writes) {
			uint8_t *nw = realloc(c->wr, cap);
			if (!nw)
				return -ENOMEM;
			c->wr = nw;
		}
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		c->k[c->len] = wl_key(&a[i], c->shift);
		if (c->want_writes)
			c->wr[c->len] = a[i].op == PB_OP_WRITE;
		c->len++;
	}
	return 0;
}

int pb_workload_load_keys(const char *spec, const struct pb_workload_opts *opts, uint64_t **keys,
			  uint8_t **writes, size_t *n, char *err, size_t errlen)
{
	struct pb_workload *w;
	int rc = pb_workload_open(spec, opts, &w, err, errlen);
	if (rc)
		return rc;
	struct keys_ctx c = {.cap = 1 << 16, .want_writes = writes != NULL};
	c.shift = pb_workload_page_shift(w);
	c.k = malloc(c.cap * sizeof(*c.k));
	c.wr = writes ? malloc(c.cap) : NULL;
	if (!c.k || (writes && !c.wr))
		rc = -ENOMEM;
	else
		rc = pb_workload_drain(w, NULL, 4096, keys_sink, &c, err, errlen);
	pb_workload_close(w);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "workload: out of memory loading %s", spec);
		free(c.k);
		free(c.wr);
		return rc;
	}
	*keys = c.k;
	if (writes)
		*writes = c.wr;
	*n = c.len;
	return 0;
}

int pb_workload_next_use(const uint64_t *keys, size_t n, uint64_t **next)
{
	uint64_t *nx = malloc((n ? n : 1) * sizeof(*nx));
	if (!nx)
		return -ENOMEM;
	int rc = pb_next_use(keys, n, nx); /* PB_NEXT_NONE == UINT64_MAX */
	if (rc) {
		free(nx);
		return rc;
	}
	*next = nx;
	return 0;
}

/* ---- `pagebench list workloads` ---- */
static void list_params(FILE *f, const struct pb_param *t)
{
	for (; t && t->key; t++) {
		char kd[64];
		snprintf(kd, sizeof(kd), "%s=%s", t->key, t->def ? t->def : "(required)");
		if (t->off == O(seed) && !t->def)
			snprintf(kd, sizeof(kd), "seed=(run's --seed)");
		fprintf(f, "      %-22s %s\n", kd, t->help);
	}
}

void pb_list_workloads(FILE *f)
{
	for (size_t i = 0; i < PB_ARRAY_SIZE(gens); i++) {
		fprintf(f, "  %-10s %s\n", gens[i].name, gens[i].summary);
		list_params(f, gens[i].params);
	}
	fprintf(f, "  every generator but exec also takes:\n");
	list_params(f, common);
	fprintf(f, "  %-10s %s\n", "trace",
		"a recorded trace (format detected when omitted; zstd/gzip/xz read directly)");
	list_params(f, p_trace);
	fprintf(f, "    formats (format=) [backing=auto gives]:\n");
	for (unsigned i = 0; wl_format_at(i); i++) {
		const struct wl_format *fm = wl_format_at(i);
		char nm[64];
		snprintf(nm, sizeof(nm), "%s", wl_format_name(fm));
		for (const char *const *a = wl_format_aliases(fm); a && *a; a++) {
			size_t l = strlen(nm);
			snprintf(nm + l, sizeof(nm) - l, ", %s", *a);
		}
		fprintf(f, "      %-22s %s [%s]\n", nm, wl_format_summary(fm),
			backing_names[wl_format_backing(fm)]);
	}
	fprintf(f, "  example: --workload "
		   "zipf:pages=100000,alpha=0.9,refs=2M,write=0.3,procs=4,lib=256\n");
}
