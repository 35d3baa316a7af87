/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/exec_ref.h - the brute-force reference the region tests share:
 * a whole `exec` stream loaded with its regions, the region of an access
 * by a linear scan, and whether the access is legal there.
 */
#ifndef PB_TESTS_VM_EXEC_REF_H
#define PB_TESTS_VM_EXEC_REF_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vma.h"
#include "pagebench/workload.h"

struct loaded {
	struct pb_access *a;
	size_t n, cap;
	const struct pb_vma *v;
	size_t nv;
};

static inline int sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct loaded *l = ctx;
	if (l->n + n > l->cap) {
		l->cap = (l->n + n) * 2;
		l->a = realloc(l->a, l->cap * sizeof(*a));
		if (!l->a)
			return -ENOMEM;
	}
	memcpy(l->a + l->n, a, n * sizeof(*a));
	l->n += n;
	return 0;
}

/* The region of an access by a linear scan (the reference). */
static inline const struct pb_vma *find(const struct loaded *l, uint32_t asid, uint64_t addr)
{
	for (size_t i = 0; i < l->nv; i++)
		if ((l->v[i].asid == asid || l->v[i].asid == PB_VMA_ALL) && addr >= l->v[i].start &&
		    addr < l->v[i].end)
			return &l->v[i];
	return NULL;
}

/* 1 if a may touch its region (permission, and U/S against the access's
 * mode); *out: the region, NULL in none. */
static inline int legal(const struct loaded *l, const struct pb_access *a,
			const struct pb_vma **out)
{
	const struct pb_vma *r = find(l, a->asid, a->addr);
	*out = r;
	if (!r)
		return 0;
	unsigned need = a->op == PB_OP_WRITE   ? PB_VMA_W
			: a->op == PB_OP_FETCH ? PB_VMA_X
					       : PB_VMA_R;
	if (!(r->prot & need))
		return 0;
	return (r->flags & PB_VMA_USER) || (a->flags & PB_ACC_KERNEL);
}

#endif
