/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_topo.c - `pagebench topo [--threads N] [--pin P]`: the
 * machine's topology and the placement plan the team would use.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/team.h"

int pb_cmd_topo(int argc, char **argv)
{
	static const struct option lo[] = {{"threads", required_argument, 0, 't'},
					   {"pin", required_argument, 0, 'p'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	uint64_t n = 0;
	enum pb_pin pin = PB_PIN_COMPACT;
	int ch;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (pb_parse_u64(optarg, &n) || n < 1 || n > 1024)
				pb_usage_error("topo", "bad --threads '%s' (expected 1..1024)",
					       optarg);
			break;
		case 'p':
			if (pb_pin_parse(optarg, &pin))
				pb_usage_error(
				    "topo", "bad --pin '%s' (expected compact|scatter|numa|none)",
				    optarg);
			break;
		case 'h':
			printf("usage: pagebench topo [--threads N] [--pin "
			       "compact|scatter|numa|none]\n"
			       "Prints the topology (hwloc; honours HWLOC_SYNTHETIC and "
			       "HWLOC_XMLFILE)\n"
			       "and the placement plan for N threads (default: one per PU).\n");
			return 0;
		default:
			pb_usage_error("topo", "unknown or incomplete option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		pb_usage_error("topo", "unexpected argument '%s'", argv[optind]);
	if (pb_topo_init())
		pb_usage_error("topo", "cannot load the topology (check HWLOC_SYNTHETIC)");
	pb_topo_print(stdout);
	if (!n)
		n = pb_topo_npus();
	struct pb_plan p;
	if (pb_plan_make((unsigned)n, pin, &p)) {
		pb_error("topo", "cannot make a plan");
		return PB_EXIT_FAIL;
	}
	pb_plan_print(&p, stdout);
	pb_plan_free(&p);
	return 0;
}
