/* SPDX-License-Identifier: MIT */
/*
 * harness/registry.c - the one list of kernel tables.  Adding a module
 * means adding its table here; everything else (list, run, help, CSV) is
 * driven from the descriptors.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
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

int pb_kernel_params_check(const struct pb_kernel_desc *d, const char *params, json_t **json,
			   char *err, size_t errlen)
{
	if (json)
		*json = NULL;
	if (!d->params) {
		if (params && *params) {
			snprintf(err, errlen, "%s: takes no --param (got '%s')", d->name, params);
			return -EINVAL;
		}
		if (json)
			*json = json_object();
		return 0;
	}
	void *scratch = calloc(1, d->params_size ? d->params_size : 1);
	if (!scratch) {
		snprintf(err, errlen, "%s: out of memory", d->name);
		return -ENOMEM;
	}
	char e[PB_KERNEL_ERRLEN] = ""; /* a value naming a path, whole (512 cut it) */
	int rc = pb_param_defaults(d->params, scratch, e, sizeof(e));
	if (!rc)
		rc = pb_param_parse_kv(d->params, scratch, params, NULL, e, sizeof(e));
	if (rc)
		snprintf(err, errlen, "%s: --param %s", d->name, e);
	else if (json)
		*json = pb_param_json(d->params, scratch);
	pb_param_free(d->params, scratch);
	free(scratch);
	return rc;
}
