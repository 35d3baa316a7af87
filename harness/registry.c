/* SPDX-License-Identifier: MIT */
/*
 * harness/registry.c - the one list of kernel tables.  Adding a module
 * means adding its table here; everything else (list, run, help, CSV) is
 * driven from the descriptors.
 */
#include <string.h>

#include "pagebench/kernel.h"

static const struct pb_kernel_desc *const *const tables[] = {
    pb_kernels_selftest, pb_kernels_pt, pb_kernels_frames,
    pb_kernels_workload, pb_kernels_vm, pb_kernels_real,
};

const struct pb_kernel_desc *pb_kernel_at(size_t i)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (const struct pb_kernel_desc *const *d = tables[t]; *d; d++) {
			if (i == 0)
				return *d;
			i--;
		}
	}
	return NULL;
}

const struct pb_kernel_desc *pb_kernel_find(const char *name)
{
	const struct pb_kernel_desc *d;
	for (size_t i = 0; (d = pb_kernel_at(i)); i++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}
