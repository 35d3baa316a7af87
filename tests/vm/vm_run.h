/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/vm_run.h - what test_vm_huge.c and test_vm_swap.c share: a
 * growable hand-made trace and a run of it through a fresh engine that
 * checks the engine's books (pb_vm_check and the counting identities).
 */
#ifndef PAGEBENCH_TESTS_VM_RUN_H
#define PAGEBENCH_TESTS_VM_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vm_drive.h"
#include "pbtest.h"

struct vtrace {
	struct pb_access *a;
	size_t n, cap;
};

static inline void vt_add(struct vtrace *t, uint32_t asid, uint64_t page, int op, uint16_t flags)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->a = realloc(t->a, t->cap * sizeof(*t->a));
		if (!t->a)
			abort();
	}
	t->a[t->n++] = (struct pb_access){
	    .addr = (page << 12) | 8, .asid = asid, .op = (uint8_t)op, .flags = flags};
}

static inline struct pb_vm_cfg vt_cfg(const char *policy, uint64_t frames)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.policy = pb_policy_find(policy);
	c.frames = frames;
	c.expected_keys = 16384;
	return c;
}

/* A 64-bit LCG (Knuth's MMIX constants): the random tests' streams. */
static inline uint64_t vt_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* Swap usage after the run (pb_vm_swap_usage). */
struct vt_swap {
	uint64_t in_use, peak, size, resident;
};

/* Replay t on a fresh engine of c in chunks of `chunk` references (0: the
 * default); 0 and the counts, or -1. */
static inline int vt_run_chunk(const struct pb_vm_cfg *c, const struct vtrace *t, size_t chunk,
			       struct pb_vm_stats *st, struct vt_swap *sw)
{
	struct pb_vm *vm;
	char err[256];
	int rc = pb_vm_create(c, &vm, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "create: %s\n", err);
		return -1;
	}
	rc = pb_vm_replay_team(vm, t->a, t->n, NULL, chunk);
	if (rc)
		fprintf(stderr, "replay: %s\n", pb_vm_error(vm));
	pb_vm_stats(vm, st);
	PB_CHECK_EQ_U64(st->minor_faults + st->major_faults, st->faults);
	PB_CHECK_EQ_U64(st->hits + st->faults + st->oom_skipped, st->refs);
	PB_CHECK_EQ_U64(st->read_ios, st->swap_ins + st->file_reads);
	PB_CHECK_EQ_U64(st->evictions, st->writebacks + st->dropped_clean);
	PB_CHECK(st->thp_faults <= st->faults);
	if (!rc && pb_vm_check(vm, err, sizeof(err))) {
		fprintf(stderr, "check: %s\n", err);
		rc = -1;
	}
	struct vt_swap s;
	pb_vm_swap_usage(vm, &s.in_use, &s.peak, &s.size);
	s.resident = pb_vm_resident(vm);
	PB_CHECK(!s.size || s.peak <= s.size);
	PB_CHECK(s.in_use <= s.peak);
	if (sw)
		*sw = s;
	pb_vm_destroy(vm);
	return rc ? -1 : 0;
}

/* The same in the default chunks. */
static inline int vt_run(const struct pb_vm_cfg *c, const struct vtrace *t, struct pb_vm_stats *st,
			 struct vt_swap *sw)
{
	return vt_run_chunk(c, t, 0, st, sw);
}

#endif
