/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_topo.c - `pagebench topo [--threads N] [--pin P]`: the
 * machine's topology, the measured cache-line round trip between its
 * CPUs (c2c.c) and the placement plan the team would use.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/param.h"
#include "pagebench/team.h"

struct topo_opts {
	uint64_t threads;
	unsigned pin;
};

static const char *const pin_names[] = {"compact", "scatter", "numa", "none", NULL};
static const struct pb_param topo_params[] = {
    {"threads", PB_PT_U64, offsetof(struct topo_opts, threads), NULL,
     "threads of the plan (default: one per PU)", NULL, 1, 1024, 't', 0, "N"},
    {"pin", PB_PT_ENUM, offsetof(struct topo_opts, pin), "compact", "thread placement", pin_names,
     0, 0, 'p', 0, "P"},
    {0},
};

int pb_cmd_topo(int argc, char **argv)
{
	struct topo_opts to;
	char err[512], **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error("topo", "out of memory");
	if (pb_param_defaults(topo_params, &to, err, sizeof(err)))
		pb_usage_error("topo", "%s", err);
	int prc = pb_param_getopt(topo_params, &to, argc, argv, pos, &npos, NULL, err, sizeof(err));
	if (prc == 1) {
		printf(
		    "usage: pagebench topo [--threads N] [--pin P]\n"
		    "Prints the topology (hwloc; honours HWLOC_SYNTHETIC and HWLOC_XMLFILE), the\n"
		    "measured cache-line round trip between this machine's CPUs and the\n"
		    "placement plan for N threads.\noptions:\n");
		pb_param_help(topo_params, stdout, 1);
		free(pos);
		return 0;
	}
	if (prc)
		pb_usage_error("topo", "%s (see pagebench topo --help)", err);
	if (npos)
		pb_usage_error("topo", "unexpected argument '%s'", pos[0]);
	free(pos);
	uint64_t n = to.threads;
	enum pb_pin pin;
	if (pb_pin_parse(pin_names[to.pin], &pin))
		pb_usage_error("topo", "bad --pin '%s'", pin_names[to.pin]);
	if (pb_topo_init())
		pb_usage_error("topo", "cannot load the topology (check HWLOC_SYNTHETIC)");
	pb_topo_print(stdout);
	/* the real machine's, even under HWLOC_SYNTHETIC (harness/c2c.c) */
	struct pb_c2c_set cs;
	struct pb_c2c c;
	pb_c2c_set_read(&cs);
	pb_c2c_measure(&cs, &c);
	if (c.na[0]) {
		printf("cache-line round trip between this machine's CPUs: NA (%s)\n", c.na);
	} else {
		printf("cache-line round trip between this machine's CPUs (measured): "
		       "median %.1f ns, min %.1f, max %.1f;",
		       c.median_ns, c.min_ns, c.max_ns);
		for (unsigned k = 0; k < c.npairs; k++)
			if (!isnan(c.ns[k]))
				printf(" %d-%d %.1f", c.home, c.cpu[k], c.ns[k]);
		printf("\n");
	}
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
