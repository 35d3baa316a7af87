/* SPDX-License-Identifier: MIT */
/*
 * kernels/pt/bench.c - benchmark kernels of the page tables.
 *
 *  pt-lookup           hot lookups of mapped pages of one shared table: each
 *                      thread walks a fixed permutation of `pages` mapped
 *                      pages (independent lookups, as a TLB-miss handler
 *                      sees for a hot working set).  One op = one lookup.
 *  pt-lookup-cold      dependent cold walks: `pages` pages scattered one per
 *                      2 MiB region (radix: one PT page each), each PTE's
 *                      frame number holding the next vpn of a random cycle,
 *                      so every lookup waits for the previous one (pointer
 *                      chasing, as multichase does): latency, not
 *                      throughput.  bench_only.
 *  pt-map-unmap        map then unmap a page, cycling over `pages` pages of
 *                      the thread's own region (shared=1: all threads
 *                      interleaved in one region, same PT pages); page-table
 *                      pages pre-created.  One op = one map+unmap pair.
 *  pt-mixed            one shared mapped region: update=U% of ops are
 *                      updates (half A/D bit ops on random shared pages -
 *                      touch as the MMU does, test-and-clear-accessed as a
 *                      CLOCK hand does -, half map+unmap of pages in the
 *                      thread's own stripe), the rest lookups.  One op =
 *                      one call.
 *  pt-baseline-array   floor for pt-lookup: the same permutation over a
 *                      flat array of PTE words.
 *
 * Common params: pt=radix|hashed (the table), pages=N, guard=N (ops per
 * epoch section: the caller holds one section around a batch, as a fault
 * handler would hold rcu_read_lock), dispatch=switch|vtable|inline
 * (pt-lookup: the public pb_pt_lookup with its switch on the kind, the ops
 * vtable, or the walk inlined into the loop), huge=0|1 (pt-lookup, radix:
 * map 2 MiB leaves).  verify() requires every lookup of a mapped page to
 * hit, every map/unmap to succeed and pb_pt_check to pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pagebench/kernel.h"
#include "pt_internal.h"

enum { K_LOOKUP, K_COLD, K_MAPUNMAP, K_MIXED, K_BASELINE };
enum { D_SWITCH, D_VTABLE, D_INLINE };

#define LOOKUP_BASE (1ULL << 20) /* vpn of the first page: 4 GiB */
#define COLD_BASE   (1ULL << 24)
#define MU_BASE	    (1ULL << 28)

struct pb_thr {
	uint64_t idx, stride, cur;
	struct pb_rng rng;
	uint64_t mine_base; /* pt-map-unmap / pt-mixed: own pages */
} PB_ALIGNED(PB_CACHELINE);

struct pbk {
	int kernel;
	enum pb_pt_kind kind;
	int dispatch, huge, shared;
	unsigned n;
	uint64_t pages, guard, update, ops, seed;
	struct pb_pt *pt;
	uint64_t *arr; /* baseline */
	size_t arr_bytes;
	struct pb_thr *thr;
	size_t thr_bytes;
	uint64_t errors; /* atomic: misses / failed calls, all threads */
};

/* --param: one table for every pt kernel (each uses the entries it names). */
struct pbk_params {
	unsigned pt, dispatch;
	uint64_t pages, guard, update;
	int huge, shared;
};

static const char *const dispatch_names[] = {"switch", "vtable", "inline", NULL};
#define P(f) offsetof(struct pbk_params, f)
static const struct pb_param pbk_params[] = {
    {"pt", PB_PT_ENUM, P(pt), "radix",
     "radix (4-level, 4 KiB + 2 MiB leaves) | hashed (clustered hashed table)", pb_pt_kinds, 0, 0,
     0, 0, NULL},
    {"pages", PB_PT_U64, P(pages), NULL,
     "pages in the working set, per thread for pt-map-unmap (unset: --size / 4 KiB, else 4096; "
     "pt-lookup-cold 32768)",
     NULL, 1, 1 << 26, 0, 0, NULL},
    {"guard", PB_PT_U64, P(guard), "256", "operations per epoch section", NULL, 1, 1 << 30, 0, 0,
     NULL},
    {"dispatch", PB_PT_ENUM, P(dispatch), "switch",
     "pt-lookup: switch (pb_pt_lookup) | vtable (ops->lookup) | inline", dispatch_names, 0, 0, 0, 0,
     NULL},
    {"huge", PB_PT_BOOL, P(huge), "0", "pt-lookup, radix: map the working set with 2 MiB leaves",
     NULL, 0, 0, 0, 0, NULL},
    {"shared", PB_PT_BOOL, P(shared), "0", "pt-map-unmap: interleave all threads in one region",
     NULL, 0, 0, 0, 0, NULL},
    {"update", PB_PT_U64, P(update), "10",
     "pt-mixed: percent of ops that update (A/D bits, map+unmap)", NULL, 0, 100, 0, 0, NULL},
    {0},
};
#undef P

static void pbk_teardown(void *state)
{
	struct pbk *s = state;
	if (!s)
		return;
	pb_pt_destroy(s->pt);
	if (s->arr)
		pb_unmap(s->arr, s->arr_bytes);
	if (s->thr)
		pb_unmap(s->thr, s->thr_bytes);
	free(s);
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/* Scattered vpn of page j of the cold set: region j, a pseudo-random
 * offset inside it. */
static uint64_t cold_vpn(uint64_t j)
{
	uint64_t st = j;
	return COLD_BASE + j * PB_PT_HUGE_PAGES + (pb_splitmix64(&st) & (PB_PT_HUGE_PAGES - 1));
}

/* Odd stride near pages * golden ratio: a full-period permutation. */
static uint64_t perm_stride(uint64_t pages, unsigned tid)
{
	uint64_t s = (uint64_t)((double)pages * 0.6180339887) + 2 * tid;
	return (s | 1) % pages ? (s | 1) % pages : 1;
}

static int pbk_fill(struct pbk *s, const struct pb_kernel_cfg *cfg)
{
	int rc = 0;
	if (s->kernel == K_LOOKUP || s->kernel == K_MIXED) {
		if (s->huge) {
			for (uint64_t v = 0; v < s->pages && !rc; v += PB_PT_HUGE_PAGES)
				rc = pb_pt_map(s->pt, PB_VPN(LOOKUP_BASE + v),
					       pb_pte_mk_huge(PB_PFN(v), PB_PTE_W));
		} else {
			for (uint64_t v = 0; v < s->pages && !rc; v++)
				rc = pb_pt_map(s->pt, PB_VPN(LOOKUP_BASE + v),
					       pb_pte_mk(PB_PFN(v + 1), PB_PTE_W));
		}
	} else if (s->kernel == K_COLD) {
		/* a random cyclic order of the pages; each PTE names the next */
		uint64_t *ord = malloc(s->pages * sizeof(*ord)); /* setup only */
		if (!ord)
			return -ENOMEM;
		struct pb_rng r;
		pb_rng_seed(&r, s->seed + 77);
		for (uint64_t i = 0; i < s->pages; i++)
			ord[i] = i;
		for (uint64_t i = s->pages - 1; i > 0; i--) {
			uint64_t j = pb_rng_below(&r, i + 1), t = ord[i];
			ord[i] = ord[j];
			ord[j] = t;
		}
		for (uint64_t i = 0; i < s->pages && !rc; i++) {
			uint64_t next = cold_vpn(ord[(i + 1) % s->pages]);
			rc = pb_pt_map(s->pt, PB_VPN(cold_vpn(ord[i])), pb_pte_mk(PB_PFN(next), 0));
		}
		for (unsigned t = 0; t < s->n; t++)
			s->thr[t].cur = cold_vpn(ord[(uint64_t)t * s->pages / s->n]);
		free(ord);
	}
	if (rc)
		snprintf(cfg->err, cfg->errlen, "mapping the working set: %s (raise pages budget?)",
			 strerror(-rc));
	return rc;
}

static int pbk_setup(const struct pb_kernel_cfg *cfg, void **state, int kernel)
{
	struct pbk *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->kernel = kernel;
	s->n = cfg->nthreads ? cfg->nthreads : 1;
	s->seed = cfg->seed;
	struct pbk_params pp;
	int rc = pb_param_defaults(pbk_params, &pp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(pbk_params, &pp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (rc)
		goto fail;
	s->kind = pp.pt == 1 ? PB_PT_HASHED : PB_PT_RADIX;
	s->dispatch = (int)pp.dispatch; /* D_SWITCH, D_VTABLE, D_INLINE: table order */
	s->pages = pp.pages;
	s->guard = pp.guard;
	s->update = pp.update;
	s->huge = pp.huge;
	s->shared = pp.shared;
	const char *why = "pages=";
	if (!s->pages && cfg->size) {
		/* --size: bytes of mapped pages, a part page a whole one */
		s->pages = (cfg->size >> PB_PAGE_SHIFT) + !!(cfg->size & (PB_PAGE_SIZE - 1));
		why = "--size rounded up to whole pages";
	}
	if (!s->pages) {
		s->pages = kernel == K_COLD ? 1ULL << 15 : 4096;
		why = "the kernel's default";
	}
	if (s->pages > (1ULL << 26)) {
		snprintf(cfg->err, cfg->errlen, "working set of %llu pages is too large (max 2^26)",
			 (unsigned long long)s->pages);
		rc = -EINVAL;
		goto fail;
	}
	if (s->huge && (kernel != K_LOOKUP || s->kind != PB_PT_RADIX)) {
		snprintf(cfg->err, cfg->errlen, "huge=1 needs pt-lookup with pt=radix");
		rc = -EINVAL;
		goto fail;
	}
	if (s->huge)
		s->pages = round_up(s->pages, PB_PT_HUGE_PAGES);
	if (s->shared)
		s->pages = round_up(s->pages, s->n); /* thread t owns vpns = t mod n */
	if (cfg->resolved) { /* the working set this run maps, and from what */
		char whybuf[128];
		snprintf(whybuf, sizeof(whybuf), "%s%s", why,
			 s->huge     ? ", rounded up to whole huge pages"
			 : s->shared ? ", rounded up to a multiple of the threads"
				     : "");
		json_object_set_new(
		    cfg->resolved, "pages",
		    json_pack("{s:I, s:s}", "value", (json_int_t)s->pages, "why", whybuf));
	}
	static const uint64_t def_ops[] = {20000000, 2000000, 2000000, 5000000, 20000000};
	s->ops = cfg->ops ? cfg->ops : def_ops[kernel];
	s->thr_bytes = round_up(s->n * sizeof(struct pb_thr), PB_PAGE_SIZE);
	s->thr = pb_map(s->thr_bytes, 1);
	if (!s->thr) {
		rc = -ENOMEM;
		goto fail;
	}
	/* per-thread own regions, 2 MiB aligned so threads share no PT page */
	uint64_t own = round_up(s->pages, PB_PT_HUGE_PAGES);
	for (unsigned t = 0; t < s->n; t++) {
		struct pb_thr *th = &s->thr[t];
		th->stride = perm_stride(s->pages, t);
		th->idx = s->shared ? 0 : (uint64_t)t * s->pages / s->n;
		pb_rng_seed(&th->rng, s->seed * 0x9e3779b97f4a7c15ULL + t + 1);
		th->mine_base = MU_BASE + (s->shared ? 0 : (uint64_t)t * own);
	}
	if (kernel == K_BASELINE) {
		s->arr_bytes = round_up(s->pages * sizeof(uint64_t), PB_PAGE_SIZE);
		s->arr = pb_map(s->arr_bytes, 1);
		if (!s->arr) {
			rc = -ENOMEM;
			goto fail;
		}
		for (uint64_t v = 0; v < s->pages; v++)
			s->arr[v] = pb_pte_mk(PB_PFN(v + 1), PB_PTE_W);
		*state = s;
		return 0;
	}
	/* Page-table budget: every page its own PT page (cold), or dense
	 * regions; plus interior pages and the per-thread slabs. */
	uint64_t leaves_pages = kernel == K_COLD ? s->pages : s->pages / PB_PT_HUGE_PAGES + 1;
	uint64_t regions = kernel == K_MAPUNMAP || kernel == K_MIXED ? s->n + 1 : 1;
	struct pb_pt_cfg pc = {
	    .nframes = s->pages * (s->n + 1),
	    .max_nodes = 2 * leaves_pages * regions + 64 + (uint64_t)s->n * 2 * PT_SLAB_MAX,
	    .hash_slots =
		2 * ((kernel == K_COLD ? s->pages : s->pages / PT_CLUSTER + 1) * regions) + 1024,
	};
	rc = pb_pt_create(pb_pt_kinds[s->kind], &pc, &s->pt);
	if (rc) {
		snprintf(cfg->err, cfg->errlen, "pb_pt_create(%s): %s", pb_pt_kinds[s->kind],
			 strerror(-rc));
		goto fail;
	}
	rc = pbk_fill(s, cfg);
	if (rc)
		goto fail;
	*state = s;
	return 0;
fail:
	pbk_teardown(s);
	return rc;
}

static int setup_lookup(const struct pb_kernel_cfg *cfg, void **state)
{
	return pbk_setup(cfg, state, K_LOOKUP);
}
static int setup_cold(const struct pb_kernel_cfg *cfg, void **state)
{
	return pbk_setup(cfg, state, K_COLD);
}
static int setup_mapunmap(const struct pb_kernel_cfg *cfg, void **state)
{
	return pbk_setup(cfg, state, K_MAPUNMAP);
}
static int setup_mixed(const struct pb_kernel_cfg *cfg, void **state)
{
	return pbk_setup(cfg, state, K_MIXED);
}
static int setup_baseline(const struct pb_kernel_cfg *cfg, void **state)
{
	return pbk_setup(cfg, state, K_BASELINE);
}

/* The vpn of the i-th page a map-unmap thread cycles over. */
static inline uint64_t mu_vpn(const struct pbk *s, const struct pb_thr *th, uint64_t i,
			      unsigned tid)
{
	if (s->shared)
		return th->mine_base + (i * s->n + tid) % s->pages;
	return th->mine_base + i % s->pages;
}

static int thread_init(void *state, struct pb_kthread *t)
{
	struct pbk *s = state;
	if (s->kernel != K_MAPUNMAP && s->kernel != K_MIXED)
		return 0;
	/* create this thread's page-table pages up front (pooled nodes) */
	struct pb_thr *th = &s->thr[t->tid];
	uint64_t n = s->kernel == K_MIXED ? 64 : s->pages;
	if (s->kernel == K_MIXED)
		th->mine_base = MU_BASE + (uint64_t)t->tid * round_up(64, PB_PT_HUGE_PAGES);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = s->kernel == K_MIXED ? th->mine_base + i : mu_vpn(s, th, i, t->tid);
		int rc = pb_pt_map(s->pt, PB_VPN(v), pb_pte_mk(PB_PFN(i + 1), 0));
		if (rc == 0)
			rc = pb_pt_unmap(s->pt, PB_VPN(v), NULL);
		/* shared=1: the other threads pre-touch the same pages meanwhile */
		if (rc && !(s->shared && (rc == -EEXIST || rc == -ENOENT)))
			return rc;
	}
	return 0;
}

#define LOOKUP_LOOP(EXPR)                                                                          \
	do {                                                                                       \
		for (uint64_t done = 0; done < s->ops;) {                                          \
			uint64_t m = s->ops - done < s->guard ? s->ops - done : s->guard;          \
			pb_epoch_enter();                                                          \
			for (uint64_t k = 0; k < m; k++) {                                         \
				uint64_t vpn = LOOKUP_BASE + idx;                                  \
				uint64_t v = (EXPR);                                               \
				idx += stride;                                                     \
				idx = idx >= pages ? idx - pages : idx;                            \
				sum += v;                                                          \
				miss += v == 0;                                                    \
			}                                                                          \
			pb_epoch_exit();                                                           \
			done += m;                                                                 \
		}                                                                                  \
	} while (0)

static uint64_t run_lookup(void *state, struct pb_kthread *t)
{
	struct pbk *s = state;
	struct pb_thr *th = &s->thr[t->tid];
	struct pb_pt *pt = s->pt;
	uint64_t idx = th->idx, stride = th->stride, pages = s->pages, sum = 0, miss = 0;
	if (s->dispatch == D_VTABLE) {
		uint64_t (*fn)(struct pb_pt *, uint64_t) = pt->ops->lookup;
		LOOKUP_LOOP(fn(pt, vpn));
	} else if (s->dispatch == D_INLINE && pt->kind == PB_PT_RADIX) {
		LOOKUP_LOOP(pt_radix_lookup_inline(pt, vpn));
	} else if (s->dispatch == D_INLINE) {
		LOOKUP_LOOP(pt_hashed_lookup_inline(pt, vpn));
	} else {
		LOOKUP_LOOP(pb_pt_lookup(pt, PB_VPN(vpn)));
	}
	th->idx = idx;
	t->extra[0] = miss;
	t->extra[1] = sum & 0xffff; /* keeps the loads live */
	pb_atomic_fetch_add(&s->errors, miss, PB_RELAXED);
	return s->ops;
}

static uint64_t run_baseline(void *state, struct pb_kthread *t)
{
	struct pbk *s = state;
	struct pb_thr *th = &s->thr[t->tid];
	const uint64_t *arr = s->arr;
	uint64_t idx = th->idx, stride = th->stride, pages = s->pages, sum = 0, miss = 0;
	for (uint64_t k = 0; k < s->ops; k++) {
		uint64_t v = pb_atomic_load(&arr[idx], PB_ACQUIRE); /* same load as a PTE read */
		idx += stride;
		idx = idx >= pages ? idx - pages : idx;
		sum += v;
		miss += v == 0;
	}
	th->idx = idx;
	t->extra[0] = miss;
	t->extra[1] = sum & 0xffff;
	pb_atomic_fetch_add(&s->errors, miss, PB_RELAXED);
	return s->ops;
}

static uint64_t run_cold(void *state, struct pb_kthread *t)
{
	struct pbk *s = state;
	struct pb_thr *th = &s->thr[t->tid];
	uint64_t vpn = th->cur, miss = 0;
	for (uint64_t done = 0; done < s->ops;) {
		uint64_t m = s->ops - done < s->guard ? s->ops - done : s->guard;
		pb_epoch_enter();
		for (uint64_t k = 0; k < m; k++) {
			uint64_t v = pb_pt_lookup(s->pt, PB_VPN(vpn));
			if (pb_unlikely(!v)) {
				miss++;
				v = pb_pte_mk(PB_PFN(th->cur), 0); /* restart the chain */
			}
			vpn = pb_pte_pfn(v).v;
		}
		pb_epoch_exit();
		done += m;
	}
	th->cur = vpn;
	t->extra[0] = miss;
	pb_atomic_fetch_add(&s->errors, miss, PB_RELAXED);
	return s->ops;
}

static uint64_t run_mapunmap(void *state, struct pb_kthread *t)
{
	struct pbk *s = state;
	struct pb_thr *th = &s->thr[t->tid];
	uint64_t i = th->idx, fail = 0;
	for (uint64_t done = 0; done < s->ops;) {
		uint64_t m = s->ops - done < s->guard ? s->ops - done : s->guard;
		pb_epoch_enter();
		for (uint64_t k = 0; k < m; k++, i++) {
			uint64_t vpn = mu_vpn(s, th, i, t->tid);
			fail += pb_pt_map(s->pt, PB_VPN(vpn), pb_pte_mk(PB_PFN(i), PB_PTE_W)) != 0;
			fail += pb_pt_unmap(s->pt, PB_VPN(vpn), NULL) != 0;
		}
		pb_epoch_exit();
		done += m;
	}
	th->idx = i;
	t->extra[0] = fail;
	pb_atomic_fetch_add(&s->errors, fail, PB_RELAXED);
	return s->ops;
}

static uint64_t run_mixed(void *state, struct pb_kthread *t)
{
	struct pbk *s = state;
	struct pb_thr *th = &s->thr[t->tid];
	uint64_t miss = 0, fail = 0, sum = 0, j = 0;
	for (uint64_t done = 0; done < s->ops;) {
		uint64_t m = s->ops - done < s->guard ? s->ops - done : s->guard;
		pb_epoch_enter();
		for (uint64_t k = 0; k < m; k++) {
			uint64_t r = pb_rng_next(&th->rng);
			uint64_t vpn = LOOKUP_BASE + ((r >> 8) % s->pages);
			uint64_t pct = (r & 0xff) * 100 >> 8;
			if (pct >= s->update) {
				uint64_t v = pb_pt_lookup(s->pt, PB_VPN(vpn));
				sum += v;
				miss += v == 0;
			} else if (pct * 2 < s->update) {
				/* the MMU sets A (and D), the CLOCK hand clears A */
				if (r & (1ULL << 63))
					fail += pb_pt_test_clear_accessed(s->pt, PB_VPN(vpn)) < 0;
				else
					fail += pb_pt_touch(s->pt, PB_VPN(vpn), (r >> 62) & 1) != 0;
			} else {
				uint64_t v = th->mine_base + (j++ & 63);
				fail += pb_pt_map(s->pt, PB_VPN(v), pb_pte_mk(PB_PFN(j), 0)) != 0;
				fail += pb_pt_unmap(s->pt, PB_VPN(v), NULL) != 0;
			}
		}
		pb_epoch_exit();
		done += m;
	}
	t->extra[0] = miss + fail;
	t->extra[1] = sum & 0xffff;
	pb_atomic_fetch_add(&s->errors, miss + fail, PB_RELAXED);
	return s->ops;
}

static int pbk_verify(void *state, char *err, size_t errlen)
{
	struct pbk *s = state;
	uint64_t e = pb_atomic_load(&s->errors, PB_RELAXED);
	if (e) {
		snprintf(err, errlen, "%llu lookups missed a mapped page or calls failed",
			 (unsigned long long)e);
		return -EINVAL;
	}
	if (s->pt) {
		char m[200];
		if (pb_pt_check(s->pt, NULL, m, sizeof(m))) {
			snprintf(err, errlen, "pb_pt_check: %s", m);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *const lookup_extra[] = {"misses", "checksum", NULL};
static const char *const update_extra[] = {"errors", NULL};

static const struct pb_kernel_desc k_lookup = {
    .name = "pt-lookup",
    .module = "pt",
    .summary = "page table: hot lookups of mapped pages, independent (radix or hashed)",
    .params = pbk_params,
    .params_size = sizeof(struct pbk_params),
    .op_unit = "lookup",
    .baseline = "pt-baseline-array",
    .extra_cols = lookup_extra,
    .setup = setup_lookup,
    .run = run_lookup,
    .verify = pbk_verify,
    .teardown = pbk_teardown,
};

static const struct pb_kernel_desc k_cold = {
    .name = "pt-lookup-cold",
    .module = "pt",
    .summary =
	"page table: dependent cold walks (pointer chase through PTEs, one PT page per page)",
    .params = pbk_params,
    .params_size = sizeof(struct pbk_params),
    .op_unit = "lookup",
    .extra_cols = lookup_extra,
    .bench_only = 1,
    .setup = setup_cold,
    .run = run_cold,
    .verify = pbk_verify,
    .teardown = pbk_teardown,
};

static const struct pb_kernel_desc k_mapunmap = {
    .name = "pt-map-unmap",
    .module = "pt",
    .summary = "page table: map+unmap pairs on pre-created page-table pages",
    .params = pbk_params,
    .params_size = sizeof(struct pbk_params),
    .op_unit = "map+unmap pair",
    .extra_cols = update_extra,
    .setup = setup_mapunmap,
    .thread_init = thread_init,
    .run = run_mapunmap,
    .verify = pbk_verify,
    .teardown = pbk_teardown,
};

static const struct pb_kernel_desc k_mixed = {
    .name = "pt-mixed",
    .module = "pt",
    .summary = "page table: lookups mixed with A/D-bit updates and map+unmap (update=%)",
    .params = pbk_params,
    .params_size = sizeof(struct pbk_params),
    .op_unit = "call",
    .extra_cols = update_extra,
    .setup = setup_mixed,
    .thread_init = thread_init,
    .run = run_mixed,
    .verify = pbk_verify,
    .teardown = pbk_teardown,
};

static const struct pb_kernel_desc k_baseline = {
    .name = "pt-baseline-array",
    .module = "pt",
    .summary = "floor for pt-lookup: the same permutation over a flat array of PTE words",
    .params = pbk_params,
    .params_size = sizeof(struct pbk_params),
    .op_unit = "lookup",
    .extra_cols = lookup_extra,
    .setup = setup_baseline,
    .run = run_baseline,
    .verify = pbk_verify,
    .teardown = pbk_teardown,
};

const struct pb_kernel_desc *const pb_kernels_pt[] = {&k_lookup, &k_cold,     &k_mapunmap,
						      &k_mixed,	 &k_baseline, NULL};
