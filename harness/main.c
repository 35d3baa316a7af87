/* SPDX-License-Identifier: MIT */
/*
 * harness/main.c - the pagebench command line: a const table of
 * subcommands.  Unknown subcommands, options or values give one line on
 * stderr and exit code 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/config.h"
#include "pagebench/git_commit.h"
#include "pagebench/parse.h"
#include "pagebench/team.h"

struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct subcmd cmds[] = {
    {"run", pb_cmd_run, "run one benchmark kernel on pinned threads"},
    {"suite", pb_cmd_suite,
     "run a suite (quick, default, paper, bench or a file) here or on Slurm"},
    {"merge", pb_cmd_merge, "collect a suite's tasks (local or a Slurm array) into one run"},
    {"sim", pb_cmd_sim, "simulate demand paging: policies x frame counts on a workload"},
    {"mrc", pb_cmd_mrc, "miss-ratio curves over a frame range for several policies"},
    {"trace", pb_cmd_trace, "record, convert and inspect memory traces"},
    {"plot", pb_cmd_plot, "paper figures (PDF/PNG/SVG) of run folders with gnuplot"},
    {"compare", pb_cmd_compare,
     "compare two run folders: regressions beyond a threshold and the CIs"},
    {"list", pb_cmd_list, "list kernels, policies, workloads and counters"},
    {"topo", pb_cmd_topo, "print the topology and the thread placement plan"},
    {"csim", pb_cmd_csim, "CS:APP cache lab simulator: -s S -E E -b B -t TRACE [-v]"},
};

/*
 * Environment variables that steer a command are checked before it
 * starts, as HWLOC_SYNTHETIC is: a typo is one line and exit 2, not a run
 * under another setting than the one asked for.  PAGEBENCH_MEM_LIMIT sizes
 * a sweep's waves (vm_drive.c, mem_budget); 0 would mean waves of one job.
 * The others take one of a few words (unset or empty: the default).
 */
static const struct {
	const char *name;
	const char *words; /* '|'-separated */
} env_words[] = {
    /* a machine without userfaultfd or one of its features (docs/real.md) */
    {"PAGEBENCH_UFFD", "eperm|enosys|off|nomove|noasync"},
    /* PAPI's multiplexing of more events than counters (counters_papi.c) */
    {"PAGEBENCH_COUNTERS_MULTIPLEX", "0|1"},
};

static int is_word(const char *v, const char *words)
{
	size_t n = strlen(v);
	for (const char *w = words; *w;) {
		size_t l = strcspn(w, "|");
		if (l == n && !strncmp(w, v, n))
			return 1;
		w += l + (w[l] == '|');
	}
	return 0;
}

static void check_env(const char *cmd)
{
	const char *lim = getenv("PAGEBENCH_MEM_LIMIT");
	uint64_t v;
	if (lim && *lim && (pb_parse_size(lim, &v) || !v))
		pb_usage_error(cmd,
			       "bad PAGEBENCH_MEM_LIMIT '%.200s' (a size above 0 with an optional "
			       "K, M, G or T suffix, e.g. 512M)",
			       lim);
	for (size_t i = 0; i < PB_ARRAY_SIZE(env_words); i++) {
		const char *e = getenv(env_words[i].name);
		if (e && *e && !is_word(e, env_words[i].words))
			pb_usage_error(cmd, "bad %s '%.200s' (one of %s, or unset)",
				       env_words[i].name, e, env_words[i].words);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "pagebench %s (%s) - a parallel paging benchmark suite\n\n", PB_VERSION,
		PB_GIT_COMMIT);
	fprintf(f, "usage: pagebench COMMAND [options]   (pagebench COMMAND --help for each)\n\n");
	for (size_t i = 0; i < PB_ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-7s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "  %-7s %s\n", "help", "this text");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		pb_usage_error(
		    NULL,
		    "missing command: usage: pagebench COMMAND [options] (see pagebench help)");
	const char *c = argv[1];
	if (!strcmp(c, "help") || !strcmp(c, "--help") || !strcmp(c, "-h")) {
		if (argc > 2) {
			for (size_t i = 0; i < PB_ARRAY_SIZE(cmds); i++)
				if (!strcmp(argv[2], cmds[i].name)) {
					static char help_opt[] = "--help";
					char *hargv[] = {argv[2], help_opt, NULL};
					pb_topo_init();
					pb_heap_init();
					return cmds[i].fn(2, hargv);
				}
			pb_usage_error(NULL, "no help on '%s' (see pagebench help)", argv[2]);
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(c, "--version")) {
		printf("pagebench %s (%s)\n", PB_VERSION, PB_GIT_COMMIT);
		return 0;
	}
	for (size_t i = 0; i < PB_ARRAY_SIZE(cmds); i++) {
		if (!strcmp(c, cmds[i].name)) {
			if (pb_topo_init() && pb_topo_env_error())
				pb_usage_error(cmds[i].name, "%s", pb_topo_env_error());
			check_env(cmds[i].name);
			pb_heap_init();
			return cmds[i].fn(argc - 1, argv + 1);
		}
	}
	pb_usage_error(NULL, "unknown command '%s' (see pagebench help)", c);
}
