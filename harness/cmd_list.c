/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_list.c - `pagebench list [kernels|policies|workloads|counters]`,
 * every listing driven by its module's const descriptor table.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/counters.h"
#include "pagebench/kernel.h"
#include "pagebench/param.h"
#include "pagebench/policy.h"
#include "pagebench/workload.h"

static void list_kernels(FILE *f, int verbose)
{
	const struct pb_kernel_desc *d;
	fprintf(f, "kernels (pagebench run NAME):\n");
	for (size_t i = 0; (d = pb_kernel_at(i)); i++) {
		fprintf(f, "  %-24s %-9s %s%s\n", d->name, d->module, d->summary,
			d->bench_only ? " [bench only]" : "");
		if (verbose) {
			if (d->op_unit)
				fprintf(f, "      one op: %s\n", d->op_unit);
			if (d->baseline)
				fprintf(f, "      baseline: %s\n", d->baseline);
			if (d->params && pb_param_count(d->params)) {
				fprintf(f, "      --param (k=v,...):\n");
				pb_param_help(d->params, f, 0);
			} else {
				fprintf(f, "      --param: none\n");
			}
		}
	}
}

struct list_opts {
	int verbose;
};

static const struct pb_param list_params[] = {
    {"verbose", PB_PT_FLAG, offsetof(struct list_opts, verbose), NULL,
     "kernels: also each one's op unit, baseline and parameter table; policies: also "
     "their parameters (workloads and counters print all they have without it)",
     NULL, 0, 0, 'v', 0, NULL},
    {0},
};

static void list_usage(FILE *f)
{
	fprintf(f, "usage: pagebench list [kernels|policies|workloads|counters|all] [-v]\n"
		   "Lists what is registered, from the modules' descriptor tables: policies with\n"
		   "their papers, and their parameters under -v; workloads with their parameters;\n"
		   "kernels, and their op unit, baseline and parameters under -v;\n"
		   "`counters` shows which counters work on this machine and why the rest do not.\n"
		   "options:\n");
	pb_param_help(list_params, f, 1);
}

int pb_cmd_list(int argc, char **argv)
{
	struct list_opts lo;
	char err[512];
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error("list", "out of memory");
	if (pb_param_defaults(list_params, &lo, err, sizeof(err)))
		pb_usage_error("list", "%s", err);
	int prc = pb_param_getopt(list_params, &lo, argc, argv, pos, &npos, NULL, err, sizeof(err));
	if (prc == 1) {
		list_usage(stdout);
		free(pos);
		return 0;
	}
	if (prc)
		pb_usage_error("list", "%s (see pagebench list --help)", err);
	if (npos > 1)
		pb_usage_error("list", "unexpected argument '%s'", pos[1]);
	const char *what = npos ? pos[0] : "all";
	int verbose = lo.verbose;
	free(pos);
	int all = !strcmp(what, "all");
	int known = 0;

	if ((all || !strcmp(what, "counters")) && pb_counters_setting_check(err, sizeof(err)))
		pb_usage_error("list", "%s", err);
	if (all || !strcmp(what, "kernels")) {
		list_kernels(stdout, verbose);
		known = 1;
	}
	if (all || !strcmp(what, "policies")) {
		printf("%spolicies (pagebench sim --policy NAME):\n", all ? "\n" : "");
		pb_list_policies(stdout, verbose);
		known = 1;
	}
	if (all || !strcmp(what, "workloads")) {
		printf("%sworkloads (--workload SPEC):\n", all ? "\n" : "");
		pb_list_workloads(stdout);
		known = 1;
	}
	if (all || !strcmp(what, "counters")) {
		printf("%scounters (per thread, NA with the reason where they cannot be read):\n",
		       all ? "\n" : "");
		pb_counters_print(stdout);
		known = 1;
	}
	if (!known)
		pb_usage_error(
		    "list", "unknown list '%s' (expected kernels|policies|workloads|counters|all)",
		    what);
	return 0;
}
