/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_list.c - `pagebench list [kernels|policies|workloads|counters]`,
 * every listing driven by its module's const descriptor table.
 */
#include <stdio.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/counters.h"
#include "pagebench/kernel.h"

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
			if (d->params_help)
				fprintf(f, "      --param: %s\n", d->params_help);
		}
	}
}

static void list_usage(FILE *f)
{
	fprintf(f,
		"usage: pagebench list [kernels|policies|workloads|counters|all] [-v]\n"
		"Lists what is registered, from the modules' descriptor tables;\n"
		"`counters` shows which counters work on this machine and why the rest do not.\n");
}

int pb_cmd_list(int argc, char **argv)
{
	const char *what = "all";
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			verbose = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			list_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-')
			pb_usage_error("list", "unknown option '%s'", argv[i]);
		else
			what = argv[i];
	}
	int all = !strcmp(what, "all");
	int known = 0;
	char err[256];
	if ((all || !strcmp(what, "counters")) && pb_counters_setting_check(err, sizeof(err)))
		pb_usage_error("list", "%s", err);
	if (all || !strcmp(what, "kernels")) {
		list_kernels(stdout, verbose);
		known = 1;
	}
	if (all || !strcmp(what, "policies")) {
		printf("%spolicies (pagebench sim --policy NAME):\n", all ? "\n" : "");
		pb_list_policies(stdout);
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
