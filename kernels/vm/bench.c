/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/bench.c - benchmark kernels of the paging engine.
 *
 *  vm-engine: the full engine path (TLB lookup, page walk on a miss, fault
 *             handling, policy hints) on a TLB-friendly workload: each
 *             thread touches a private hot set of `pages` pages (default
 *             48: inside a Skylake L1 dTLB) of one shared address space,
 *             uniformly at random with `write` fraction of writes.  The
 *             first repetition (warm-up) takes the demand-zero faults; the
 *             measured ones are dominated by the hit path.  One op = one
 *             simulated memory reference.  Threads run in FREE order on one
 *             engine (shared page table, frames, policy and fault lock).
 *  vm-tlb:    the floor: the same references through pb_tlb_lookup only
 *             (the baseline vm-engine is compared with).
 *  vm-fault:  the fault path alone: each thread cycles through a random
 *             permutation of its own `pages` pages (default 4096) with
 *             frames for half of them, so under LRU (the default) every
 *             reference after the first lap is a fault that evicts (write
 *             fraction dirty: swap-outs and swap-ins).  Reports
 *             ns_per_fault (the thread's time over its faults).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/kernel.h"
#include "pagebench/vm.h"

#define BUF_REFS (1u << 16)

struct vmb {
	struct pb_vm *vm;
	uint64_t ops;
	uint64_t pages;
	double write;
	uint64_t seed;
	unsigned nthreads;
	const struct pb_policy_desc *pol;
	char tlb[64];
	struct pb_tlb_geom geom;
	struct pb_access **buf; /* per thread */
	uint64_t *pos;		/* per thread stream position */
	struct pb_tlb *tlbs;	/* vm-tlb only */
	int bad;
	int cycle; /* vm-fault: cyclic order over the pages */
	char err[256];
};

/* --param: one table for both kernels. */
struct vmb_params {
	uint64_t pages;
	double write;
	char *policy, *tlb;
};

#define P(f) offsetof(struct vmb_params, f)
static const struct pb_param vmb_params[] = {
    {"pages", PB_PT_U64, P(pages), "48", "hot pages per thread", NULL, 1, 1 << 24, 0, 0, NULL},
    {"write", PB_PT_DBL, P(write), "0.3", "fraction of writes", NULL, 0, 1, 0, 0, NULL},
    {"policy", PB_PT_STR, P(policy), "clock", "eviction policy (vm-engine)", NULL, 0, 0, 0, 0,
     "NAME"},
    {"tlb", PB_PT_STR, P(tlb), "skylake", "TLB profile, or one level l1=E:W", NULL, 0, 0, 0, 0,
     "CPU"},
    {0},
};
/* vm-fault: the same fields, its own defaults (a set twice the frames) */
static const struct pb_param vmf_params[] = {
    {"pages", PB_PT_U64, P(pages), "4096", "pages per thread (frames for half of them)", NULL, 2,
     1 << 24, 0, 0, NULL},
    {"write", PB_PT_DBL, P(write), "0.3", "fraction of writes", NULL, 0, 1, 0, 0, NULL},
    {"policy", PB_PT_STR, P(policy), "lru", "eviction policy", NULL, 0, 0, 0, 0, "NAME"},
    {"tlb", PB_PT_STR, P(tlb), "skylake", "TLB profile, or one level l1=E:W", NULL, 0, 0, 0, 0,
     "CPU"},
    {0},
};
#undef P

static int common_setup(const struct pb_kernel_cfg *cfg, const struct pb_param *params,
			struct vmb **out)
{
	struct vmb *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->seed = cfg->seed;
	b->nthreads = cfg->nthreads;
	b->ops = cfg->ops ? cfg->ops : 20000000;
	struct vmb_params vp = {0}; /* zeroed: defaults free the PB_PT_STR fields */
	int rc = pb_param_defaults(params, &vp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(params, &vp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (!rc) {
		b->pages = vp.pages;
		b->write = vp.write;
		b->pol = pb_policy_find(vp.policy);
		if (!b->pol) {
			snprintf(cfg->err, cfg->errlen,
				 "policy=%s: unknown policy (see pagebench list policies)",
				 vp.policy);
			rc = -EINVAL;
		}
	}
	if (!rc && pb_tlb_parse(vp.tlb, &b->geom, cfg->err, cfg->errlen))
		rc = -EINVAL;
	pb_param_free(params, &vp);
	if (rc) {
		free(b);
		return rc;
	}
	if (!b->pol) {
		snprintf(cfg->err, cfg->errlen, "policy clock not built");
		free(b);
		return -ENOENT;
	}
	b->buf = calloc(b->nthreads, sizeof(*b->buf));
	b->pos = calloc(b->nthreads, sizeof(*b->pos));
	if (!b->buf || !b->pos) {
		free(b->buf);
		free(b->pos);
		free(b);
		return -ENOMEM;
	}
	*out = b;
	return 0;
}

/* The engine both kernels drive: `frames` frames, free order, the given
 * hints; b is freed on failure. */
static int vmb_engine(const struct pb_kernel_cfg *cfg, struct vmb *b, uint64_t frames,
		      enum pb_vm_hints hints, void **state)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.policy = b->pol;
	c.frames = frames;
	c.nthreads = b->nthreads;
	c.order = PB_VM_ORDER_FREE;
	c.hints = hints;
	c.seed = b->seed;
	c.tlb = b->geom;
	c.expected_keys = b->pages * b->nthreads;
	int rc = pb_vm_create(&c, &b->vm, cfg->err, cfg->errlen);
	if (rc) {
		free(b->buf);
		free(b->pos);
		free(b);
		return rc;
	}
	*state = b;
	return 0;
}

static int engine_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	struct vmb *b;
	int rc = common_setup(cfg, vmb_params, &b);
	if (rc)
		return rc;
	/* the hot sets fit; an OS runs CLOCK from accessed bits */
	return vmb_engine(cfg, b, b->pages * b->nthreads + 64, PB_VM_HINTS_ABIT, state);
}

static int fault_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	struct vmb *b;
	int rc = common_setup(cfg, vmf_params, &b);
	if (rc)
		return rc;
	b->cycle = 1;
	uint64_t half = b->pages * b->nthreads / 2; /* frames for half the pages */
	return vmb_engine(cfg, b, half ? half : 1, PB_VM_HINTS_EXACT, state);
}

static int fill_buf(struct vmb *b, unsigned tid)
{
	struct pb_access *a = pb_map(BUF_REFS * sizeof(*a), 1);
	if (!a)
		return -ENOMEM;
	struct pb_rng r;
	pb_rng_seed(&r, b->seed * 1000003 + tid);
	uint64_t base = (uint64_t)tid * (b->pages + 1024); /* disjoint hot sets */
	uint64_t *perm = NULL;
	if (b->cycle) {
		/* vm-fault: a random cyclic order of the thread's pages */
		perm = malloc(b->pages * sizeof(*perm));
		if (!perm) {
			pb_unmap(a, BUF_REFS * sizeof(*a));
			return -ENOMEM;
		}
		for (uint64_t i = 0; i < b->pages; i++)
			perm[i] = i;
		for (uint64_t i = b->pages - 1; i > 0; i--) {
			uint64_t j = pb_rng_below(&r, i + 1), x = perm[i];
			perm[i] = perm[j];
			perm[j] = x;
		}
	}
	for (unsigned i = 0; i < BUF_REFS; i++) {
		uint64_t page = base + (perm ? perm[i % b->pages] : pb_rng_below(&r, b->pages));
		a[i].addr = (page << PB_PAGE_SHIFT) | (pb_rng_below(&r, 512) << 3);
		a[i].asid = 0;
		a[i].op = pb_rng_double(&r) < b->write ? PB_OP_WRITE : PB_OP_READ;
		a[i].thread = (uint8_t)tid;
		a[i].flags = 0;
	}
	free(perm);
	b->buf[tid] = a;
	return 0;
}

static int engine_thread_init(void *state, struct pb_kthread *t)
{
	return fill_buf(state, t->tid);
}

static const char *const vm_extra[] = {"faults",       "tlb_misses", "shootdowns", "policy_calls",
				       "ns_per_fault", "evictions",  NULL};
/* ns_per_fault: the thread's time over its faults (a rate: vm_total) */
static const char *const vm_rate[PB_KERNEL_MAX_EXTRA] = {
    [4] = "no fault in the repetition: no cost per fault to give"};

/* A total row's ns_per_fault: every thread's time over every thread's
 * faults (the harness's ns_per_op total), from each thread's rate and
 * faults (exact but for each thread's rounding down, under 1 ns). */
static void vm_total(const uint64_t *const *thr, unsigned n, uint64_t *tot)
{
	uint64_t ns = 0, faults = 0;
	for (unsigned t = 0; t < n; t++)
		if (thr[t][0] != PB_EXTRA_NA && thr[t][4] != PB_EXTRA_NA) {
			ns += thr[t][4] * thr[t][0];
			faults += thr[t][0];
		}
	tot[4] = faults ? ns / faults : PB_EXTRA_NA;
}

static uint64_t engine_run(void *state, struct pb_kthread *t)
{
	struct vmb *b = state;
	struct pb_vm_stats s0, s1;
	pb_vm_thread_stats(b->vm, t->tid, &s0);
	uint64_t done = 0, t0 = pb_now_ns();
	/* vm-fault: whole laps, so that a batch ends where the cycle does */
	size_t lap = b->cycle ? BUF_REFS / b->pages * b->pages : BUF_REFS;
	while (done < b->ops) {
		size_t n = b->ops - done < lap ? (size_t)(b->ops - done) : lap;
		if (pb_vm_access_batch(b->vm, t->tid, b->buf[t->tid], n, b->pos[t->tid], NULL)) {
			b->bad = 1;
			break;
		}
		b->pos[t->tid] += n;
		done += n;
	}
	pb_vm_flush_hints(b->vm, t->tid);
	pb_vm_thread_stats(b->vm, t->tid, &s1);
	t->extra[0] = s1.faults - s0.faults;
	t->extra[1] = s1.tlb_misses - s0.tlb_misses;
	t->extra[2] = s1.shootdowns - s0.shootdowns;
	t->extra[3] = s1.policy_calls - s0.policy_calls;
	uint64_t ns = pb_now_ns() - t0;
	t->extra[4] = t->extra[0] ? ns / t->extra[0] : PB_EXTRA_NA;
	t->extra[5] = s1.evictions - s0.evictions;
	return done;
}

static int engine_verify(void *state, char *err, size_t errlen)
{
	struct vmb *b = state;
	if (b->bad) {
		snprintf(err, errlen, "engine failed: %s", pb_vm_error(b->vm));
		return -1;
	}
	return pb_vm_check(b->vm, err, errlen) ? -1 : 0;
}

static void free_bufs(struct vmb *b)
{
	for (unsigned i = 0; i < b->nthreads; i++)
		if (b->buf[i])
			pb_unmap(b->buf[i], BUF_REFS * sizeof(struct pb_access));
	free(b->buf);
	free(b->pos);
}

static void engine_teardown(void *state)
{
	struct vmb *b = state;
	struct pb_vm_stats st;
	pb_vm_stats(b->vm, &st);
	pb_vm_emit_events(&st); /* to the harness's sink (SDE counters) */
	pb_vm_destroy(b->vm);
	free_bufs(b);
	free(b);
}

/* ---- vm-tlb: the TLB lookups alone ---- */
static int tlb_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	struct vmb *b;
	int rc = common_setup(cfg, vmb_params, &b);
	if (rc)
		return rc;
	b->tlbs = calloc(b->nthreads, sizeof(*b->tlbs));
	if (!b->tlbs) {
		free_bufs(b);
		free(b);
		return -ENOMEM;
	}
	*state = b;
	return 0;
}

static int tlb_thread_init(void *state, struct pb_kthread *t)
{
	struct vmb *b = state;
	int rc = pb_tlb_init(&b->tlbs[t->tid], &b->geom);
	return rc ? rc : fill_buf(b, t->tid);
}

static uint64_t tlb_run(void *state, struct pb_kthread *t)
{
	struct vmb *b = state;
	struct pb_tlb *tlb = &b->tlbs[t->tid];
	const struct pb_access *a = b->buf[t->tid];
	uint64_t done = 0, hits = 0;
	while (done < b->ops) {
		size_t n = b->ops - done < BUF_REFS ? (size_t)(b->ops - done) : BUF_REFS;
		for (size_t i = 0; i < n; i++) {
			uint64_t key = a[i].addr >> PB_PAGE_SHIFT;
			if (pb_tlb_lookup(tlb, key, 0))
				hits++;
			else
				pb_tlb_fill(tlb, key, key, PB_TLBE_WRITABLE, 0);
		}
		done += n;
	}
	/* the TLB alone: no engine, so no faults, shootdowns, policy
	 * calls or evictions to count (NA, not 0) */
	for (int k = 0; vm_extra[k]; k++)
		t->extra[k] = PB_EXTRA_NA;
	t->extra[1] = done - hits;
	return done;
}

static void tlb_thread_fini(void *state, struct pb_kthread *t)
{
	struct vmb *b = state;
	pb_tlb_fini(&b->tlbs[t->tid]);
}

static void tlb_teardown(void *state)
{
	struct vmb *b = state;
	free_bufs(b);
	free(b->tlbs);
	free(b);
}

static const struct pb_kernel_desc vm_engine = {
    .name = "vm-engine",
    .module = "vm",
    .summary =
	"full demand-paging engine path (TLB, walk, faults, hints) on a TLB-friendly workload",
    .params = vmb_params,
    .params_size = sizeof(struct vmb_params),
    .op_unit = "simulated reference",
    .baseline = "vm-tlb",
    .extra_cols = vm_extra,
    .extra_rate = vm_rate,
    .extra_total = vm_total,
    .bench_only = 1,
    .setup = engine_setup,
    .thread_init = engine_thread_init,
    .run = engine_run,
    .verify = engine_verify,
    .teardown = engine_teardown,
};

static const struct pb_kernel_desc vm_tlb = {
    .name = "vm-tlb",
    .module = "vm",
    .summary = "TLB model lookups alone (floor of vm-engine)",
    .params = vmb_params,
    .params_size = sizeof(struct vmb_params),
    .op_unit = "TLB lookup",
    .extra_cols = vm_extra,
    .bench_only = 1,
    .setup = tlb_setup,
    .thread_init = tlb_thread_init,
    .run = tlb_run,
    .thread_fini = tlb_thread_fini,
    .teardown = tlb_teardown,
};

static const struct pb_kernel_desc vm_fault = {
    .name = "vm-fault",
    .module = "vm",
    .summary = "engine fault path: every reference a fault that evicts (ns_per_fault)",
    .params = vmf_params,
    .params_size = sizeof(struct vmb_params),
    .op_unit = "simulated reference (a fault)",
    .extra_cols = vm_extra,
    .extra_rate = vm_rate,
    .extra_total = vm_total,
    .bench_only = 1,
    .setup = fault_setup,
    .thread_init = engine_thread_init,
    .run = engine_run,
    .verify = engine_verify,
    .teardown = engine_teardown,
};

const struct pb_kernel_desc *const pb_kernels_vm[] = {&vm_engine, &vm_tlb, &vm_fault, NULL};
