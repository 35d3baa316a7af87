/* SPDX-License-Identifier: MIT */
/*
 * kernels/selftest/selftest.c - harness self-test kernels over mmap'ed
 * memory, exercising pinning, timing, counters and self-validation.
 *
 *  memtouch: each thread maps a fresh private region per repetition,
 *            writes one word in each 4 KiB page (every write is a
 *            first-touch minor fault taken by Linux: the perf and rusage
 *            fault counters must show about one fault per page) and
 *            unmaps it.  One op = one page touched.
 *  chase:    a dependent pointer chase through a random cyclic
 *            permutation of cache lines (as multichase), per thread.
 *            One op = one dependent load: ns/op is the load-to-use
 *            latency at that working-set size.  verify() checks that the
 *            chase visited every line of the cycle.
 *
 * Test knob: PAGEBENCH_TEST_SLOWDOWN=KERNEL:FACTOR (e.g. chase:3) makes
 * that self-test kernel do FACTOR times the work per reported op, so a
 * test can make a regression `pagebench compare` must catch, without a
 * timing threshold.  It says so on stderr; a malformed value is an error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/kernel.h"

/* The slowdown factor the test knob sets for kernel `name` (1: none). */
static int test_slowdown(const char *name, uint64_t *factor, char *err, size_t n)
{
	*factor = 1;
	const char *v = getenv("PAGEBENCH_TEST_SLOWDOWN");
	if (!v || !*v)
		return 0;
	const char *colon = strchr(v, ':');
	char *end;
	errno = 0;
	unsigned long long f = colon ? strtoull(colon + 1, &end, 10) : 0;
	if (!colon || colon == v || !colon[1] || *end || errno || f < 1 || f > 1000) {
		snprintf(err, n, "PAGEBENCH_TEST_SLOWDOWN='%.64s': expected KERNEL:FACTOR (1-1000)",
			 v);
		return -EINVAL;
	}
	if ((size_t)(colon - v) != strlen(name) || strncmp(v, name, strlen(name)))
		return 0;
	*factor = f;
	fprintf(stderr,
		"pagebench: PAGEBENCH_TEST_SLOWDOWN: %s does %llux the work per op (a test knob)\n",
		name, f);
	return 0;
}

/* Neither kernel takes a --param (--size and --ops are their knobs): an
 * empty table refuses every key with one line. */
static const struct pb_param no_params[] = {{0}};

/* ---- memtouch ---- */
struct memtouch {
	size_t bytes;
	uint64_t passes;
	uint64_t slowdown;
};

static int memtouch_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	char none;
	int rc = pb_param_parse_kv(no_params, &none, cfg->params, NULL, cfg->err, cfg->errlen);
	if (rc)
		return rc;
	uint64_t slow;
	rc = test_slowdown("memtouch", &slow, cfg->err, cfg->errlen);
	if (rc)
		return rc;
	struct memtouch *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->slowdown = slow;
	m->bytes = cfg->size ? cfg->size : 64UL << 20;
	m->bytes = (m->bytes + PB_PAGE_SIZE - 1) & ~(PB_PAGE_SIZE - 1);
	m->passes = cfg->ops
			? (cfg->ops + (m->bytes >> PB_PAGE_SHIFT) - 1) / (m->bytes >> PB_PAGE_SHIFT)
			: 1;
	if (cfg->resolved) { /* what one repetition of a thread runs, and why */
		uint64_t pages = m->bytes >> PB_PAGE_SHIFT;
		char why[160];
		if (cfg->ops)
			snprintf(
			    why, sizeof(why),
			    "--ops %llu rounded up to whole passes: %llu pass(es) of %llu pages",
			    (unsigned long long)cfg->ops, (unsigned long long)m->passes,
			    (unsigned long long)pages);
		else
			snprintf(why, sizeof(why), "one pass (no --ops) of %llu pages",
				 (unsigned long long)pages);
		json_object_set_new(
		    cfg->resolved, "ops_per_thread",
		    json_pack("{s:I, s:s}", "value", (json_int_t)(m->passes * pages), "why", why));
	}
	*state = m;
	return 0;
}

static uint64_t memtouch_run(void *state, struct pb_kthread *t)
{
	struct memtouch *m = state;
	uint64_t ops = 0;
	for (uint64_t p = 0; p < m->passes * m->slowdown; p++) {
		volatile char *buf = pb_map(m->bytes, 0);
		if (!buf)
			return ops / m->slowdown;
		for (size_t off = 0; off < m->bytes; off += PB_PAGE_SIZE)
			buf[off] = (char)off;
		pb_unmap((void *)buf, m->bytes);
		ops += m->bytes >> PB_PAGE_SHIFT;
	}
	t->extra[0] = ops; /* pages first-touched (expected Linux minor faults) */
	return ops / m->slowdown;
}

static void free_state(void *state)
{
	free(state);
}

static const char *const memtouch_extra[] = {"pages_touched", NULL};

static const struct pb_kernel_desc memtouch = {
    .name = "memtouch",
    .module = "selftest",
    .summary = "first-touch one word per 4 KiB page of a fresh mmap'ed region (Linux minor faults)",
    .params = no_params,
    .params_size = 1,
    .op_unit = "page",
    .extra_cols = memtouch_extra,
    .setup = memtouch_setup,
    .run = memtouch_run,
    .teardown = free_state,
};

/* ---- chase ---- */
#define CHASE_LINE 64
struct chase_thr {
	char *mem;
	size_t lines;
	uint64_t visited_ok;
};
struct chase {
	size_t bytes;
	uint64_t ops;
	uint64_t seed;
	uint64_t slowdown;
	unsigned n;
	struct chase_thr *thr;
	int bad;
};

static int chase_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	char none;
	int rc = pb_param_parse_kv(no_params, &none, cfg->params, NULL, cfg->err, cfg->errlen);
	if (rc)
		return rc;
	uint64_t slow;
	rc = test_slowdown("chase", &slow, cfg->err, cfg->errlen);
	if (rc)
		return rc;
	struct chase *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->slowdown = slow;
	c->bytes = cfg->size ? cfg->size : 16UL << 20;
	if (c->bytes < 2 * CHASE_LINE) {
		snprintf(cfg->err, cfg->errlen, "chase: --size must be at least %d bytes",
			 2 * CHASE_LINE);
		free(c);
		return -EINVAL;
	}
	c->ops = cfg->ops ? cfg->ops : 4000000;
	c->seed = cfg->seed;
	c->n = cfg->nthreads;
	c->thr = calloc(c->n, sizeof(*c->thr));
	*state = c;
	return 0;
}

/* Build the cycle on the pinned thread so its pages are node-local. */
static int chase_thread_init(void *state, struct pb_kthread *t)
{
	struct chase *c = state;
	struct chase_thr *ct = &c->thr[t->tid];
	ct->lines = c->bytes / CHASE_LINE;
	ct->mem = pb_map(ct->lines * CHASE_LINE, 1);
	if (!ct->mem)
		return -ENOMEM;
	uint32_t *perm = pb_map(ct->lines * sizeof(uint32_t), 1);
	if (!perm)
		return -ENOMEM;
	for (size_t i = 0; i < ct->lines; i++)
		perm[i] = (uint32_t)i;
	struct pb_rng r;
	pb_rng_seed(&r, c->seed * 1000003 + t->tid);
	for (size_t i = ct->lines - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j = pb_rng_below(&r, i + 1);
		uint32_t x = perm[i];
		perm[i] = perm[j];
		perm[j] = x;
	}
	for (size_t i = 0; i < ct->lines; i++) {
		char *from = ct->mem + (size_t)perm[i] * CHASE_LINE;
		char *to = ct->mem + (size_t)perm[(i + 1) % ct->lines] * CHASE_LINE;
		memcpy(from, &to, sizeof(to));
	}
	pb_unmap(perm, ct->lines * sizeof(uint32_t));
	return 0;
}

static uint64_t chase_run(void *state, struct pb_kthread *t)
{
	struct chase *c = state;
	struct chase_thr *ct = &c->thr[t->tid];
	void **p = (void **)ct->mem;
	for (uint64_t i = 0; i < c->ops * c->slowdown; i++)
		p = (void **)*p;
	/* Self-check: after a multiple of the cycle length we are back. */
	void **q = p;
	size_t steps = 0;
	do {
		q = (void **)*q;
		steps++;
	} while (q != p && steps <= ct->lines);
	if (steps != ct->lines)
		c->bad = 1;
	return c->ops;
}

static int chase_verify(void *state, char *err, size_t n)
{
	struct chase *c = state;
	if (c->bad) {
		snprintf(err, n, "pointer cycle does not cover every line");
		return -1;
	}
	return 0;
}

static void chase_thread_fini(void *state, struct pb_kthread *t)
{
	struct chase *c = state;
	pb_unmap(c->thr[t->tid].mem, c->thr[t->tid].lines * CHASE_LINE);
}

static void chase_teardown(void *state)
{
	struct chase *c = state;
	free(c->thr);
	free(c);
}

static const struct pb_kernel_desc chase = {
    .name = "chase",
    .module = "selftest",
    .summary = "dependent pointer chase through a random cycle of cache lines (load latency)",
    .params = no_params,
    .params_size = 1,
    .op_unit = "load",
    .setup = chase_setup,
    .thread_init = chase_thread_init,
    .run = chase_run,
    .verify = chase_verify,
    .thread_fini = chase_thread_fini,
    .teardown = chase_teardown,
};

const struct pb_kernel_desc *const pb_kernels_selftest[] = {&memtouch, &chase, NULL};
