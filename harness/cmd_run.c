/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_run.c - `pagebench run KERNEL`: parse the options, open the
 * run folder, hand the kernel to the measurement skeleton
 * (harness/measure.c), and turn what it returns into the folder's status
 * and the exit code.  (`suite` runs `run` lines as tasks: cmd_suite.c.)
 *
 * Signals: the registry runs in deferred mode; the skeleton stops at the
 * next repetition's gate, the configuration in progress is discarded, the
 * finished ones are written and the folder is marked "partial", then the
 * process dies of the signal it got (exit status 128 + signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/counters.h"
#include "pagebench/kernel.h"
#include "pagebench/measure.h"
#include "pagebench/outfile.h"
#include "pagebench/results.h"
#include "pagebench/team.h"

#define DEFAULT_REPS PB_STAT_MIN_CI_REPS
/* Bounds that keep a typo from running for days: 1G ops per thread per
 * repetition, and no working set larger than the machine's memory. */
#define MAX_OPS 1000000000ull

static uint64_t mem_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	return pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : UINT64_MAX;
}

struct run_opts {
	uint64_t *threads;
	size_t nthreads;
	struct pb_measure_opts m;
	const char *params;
	const char *results;
	const char *label;
};

static void run_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: pagebench run KERNEL [options]\n"
	    "       pagebench suite default|bench|all [options]\n"
	    "Runs a registered kernel (see `pagebench list kernels`) on pinned threads and\n"
	    "writes a new folder results/<UTC>-<host>-<id>/ with runs.csv, summary.csv,\n"
	    "events.csv and meta.json.\n"
	    "options:\n"
	    "  --threads LIST   thread counts, e.g. 1,2,4 or 1-4 (default: 1,2 capped at PUs)\n"
	    "  --reps N         measured repetitions after one warm-up (default %d: enough\n"
	    "                   for a 95%% confidence interval of the median)\n"
	    "  --pin P          compact|scatter|numa|none (default compact)\n"
	    "  --ops N          operations per thread per repetition, at most 1G (default: "
	    "kernel's)\n"
	    "  --size S         working-set size, K/M/G suffix, at most the machine's memory\n"
	    "                   (default: kernel's)\n"
	    "  --seed N         seed for every random choice (default 1; recorded)\n"
	    "  --param K=V,...  kernel parameters (see `pagebench list kernels -v`)\n"
	    "  --no-baseline    do not run the kernel's baseline for the overhead ratio\n"
	    "  --label NAME     label column of every CSV and meta.json (e.g. a machine name)\n"
	    "  --results DIR    results root (default $PAGEBENCH_RESULTS or ./results)\n"
	    "  --csv            also print runs.csv rows on stdout\n"
	    "environment: PAGEBENCH_COUNTERS=all|sw|rusage|none, PAGEBENCH_COUNTERS_MULTIPLEX=1\n",
	    DEFAULT_REPS);
}

static void parse_run_opts(const char *cmd, int argc, char **argv, struct run_opts *ro)
{
	static const struct option lo[] = {{"threads", required_argument, 0, 't'},
					   {"reps", required_argument, 0, 'r'},
					   {"pin", required_argument, 0, 'p'},
					   {"ops", required_argument, 0, 'o'},
					   {"size", required_argument, 0, 's'},
					   {"seed", required_argument, 0, 'S'},
					   {"param", required_argument, 0, 'P'},
					   {"csv", no_argument, 0, 'c'},
					   {"no-baseline", no_argument, 0, 'B'},
					   {"results", required_argument, 0, 'R'},
					   {"label", required_argument, 0, 'L'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	memset(ro, 0, sizeof(*ro));
	ro->m.reps = DEFAULT_REPS;
	ro->m.pin = PB_PIN_COMPACT;
	ro->m.seed = 1;
	ro->m.baseline = 1;
	ro->params = "";
	opterr = 0;
	optind = 1;
	int ch;
	uint64_t v;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			free(ro->threads);
			if (pb_parse_u64_list(optarg, &ro->threads, &ro->nthreads))
				pb_usage_error(
				    cmd, "bad --threads '%s' (expected e.g. 1,2,4 or 1-4)", optarg);
			for (size_t i = 0; i < ro->nthreads; i++)
				if (ro->threads[i] < 1 || ro->threads[i] > 1024)
					pb_usage_error(
					    cmd, "bad --threads '%s' (each count 1..1024)", optarg);
			break;
		case 'r':
			if (pb_parse_u64(optarg, &v) || v < 1 || v > 10000)
				pb_usage_error(cmd, "bad --reps '%s' (expected 1..10000)", optarg);
			ro->m.reps = (unsigned)v;
			break;
		case 'p':
			if (pb_pin_parse(optarg, &ro->m.pin))
				pb_usage_error(
				    cmd, "bad --pin '%s' (expected compact|scatter|numa|none)",
				    optarg);
			break;
		case 'o':
			if (pb_parse_size(optarg, &ro->m.ops) || ro->m.ops == 0 ||
			    ro->m.ops > MAX_OPS)
				pb_usage_error(
				    cmd,
				    "bad --ops '%s' (expected 1..%llu per thread per repetition)",
				    optarg, (unsigned long long)MAX_OPS);
			break;
		case 's':
			if (pb_parse_size(optarg, &ro->m.size) || ro->m.size == 0)
				pb_usage_error(cmd, "bad --size '%s' (expected bytes, e.g. 64M)",
					       optarg);
			if (ro->m.size > mem_bytes())
				pb_usage_error(cmd,
					       "bad --size '%s' (more than this machine's %llu "
					       "bytes of memory)",
					       optarg, (unsigned long long)mem_bytes());
			break;
		case 'S':
			if (pb_parse_u64(optarg, &ro->m.seed))
				pb_usage_error(
				    cmd, "bad --seed '%s' (expected an unsigned integer)", optarg);
			break;
		case 'P':
			ro->params = optarg;
			break;
		case 'c':
			ro->m.csv_echo = 1;
			break;
		case 'B':
			ro->m.baseline = 0;
			break;
		case 'R':
			if (!optarg[0])
				pb_usage_error(cmd, "bad --results '' (expected a folder)");
			ro->results = optarg;
			break;
		case 'L':
			if (!optarg[0] || strlen(optarg) > 128 || strpbrk(optarg, ",\"\n\r"))
				pb_usage_error(cmd,
					       "bad --label '%s' (expected 1..128 characters, no "
					       "comma, quote or newline)",
					       optarg);
			ro->label = optarg;
			break;
		case 'h':
			run_usage(stdout);
			exit(0);
		default:
			if (ch == ':' || (optopt && strchr("trposSPRL", optopt)))
				pb_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			pb_usage_error(
			    cmd, "unknown or incomplete option '%s' (see pagebench %s --help)",
			    argv[optind - 1], cmd);
		}
	}
	char err[256];
	if (pb_counters_setting_check(err, sizeof(err)))
		pb_usage_error(cmd, "%s", err);
	if (!ro->threads) {
		unsigned npu = pb_topo_npus();
		ro->nthreads = npu >= 2 ? 2 : 1;
		ro->threads = calloc(2, sizeof(uint64_t));
		if (!ro->threads)
			pb_usage_error(cmd, "out of memory");
		ro->threads[0] = 1;
		ro->threads[1] = 2;
	}
}

/* Open the run folder and the skeleton; record the configuration. */
static int open_run(const char *cmd, const struct run_opts *ro, int argc, char **argv,
		    struct pb_run **run, struct pb_measure **m)
{
	char err[512];
	pb_signals_install(1);
	*run = pb_run_create(ro->results, argc, argv, err, sizeof(err));
	if (!*run) {
		pb_error(cmd, "%s", err);
		return -EIO;
	}
	pb_run_set_label(*run, ro->label);
	json_t *thr = json_array();
	for (size_t i = 0; i < ro->nthreads; i++)
		json_array_append_new(thr, json_integer((json_int_t)ro->threads[i]));
	pb_run_config_set(*run, "threads", thr);
	pb_run_config_set(*run, "reps", json_integer(ro->m.reps));
	pb_run_config_set(*run, "warmup_reps", json_integer(1));
	pb_run_config_str(*run, "pin", pb_pin_name(ro->m.pin));
	pb_run_config_set(*run, "seed", json_integer((json_int_t)ro->m.seed));
	pb_run_config_set(*run, "ops_per_thread_override",
			  ro->m.ops ? json_integer((json_int_t)ro->m.ops) : json_null());
	pb_run_config_set(*run, "size_override_bytes",
			  ro->m.size ? json_integer((json_int_t)ro->m.size) : json_null());
	pb_run_config_set(*run, "baseline", json_boolean(ro->m.baseline));
	int rc = pb_measure_open(m, *run, &ro->m, err, sizeof(err));
	if (rc) {
		pb_error(cmd, "%s", err);
		pb_run_abort(*run);
		*run = NULL;
	}
	return rc;
}

/*
 * Close the run: status from the signal / failures, commit, report.  Dies
 * of a pending signal after saving.  Returns the exit code.
 */
static int close_run(const char *cmd, struct pb_run *run, struct pb_measure *m, int rc,
		     unsigned failures)
{
	int sig = pb_signal_pending();
	char why[128];
	if (sig) {
		snprintf(why, sizeof(why), "SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		pb_run_set_status(run, PB_RUN_PARTIAL, why);
	} else if (failures || (rc && rc != -EIO)) {
		snprintf(why, sizeof(why), "%u configuration(s) failed or were invalid",
			 failures ? failures : 1);
		pb_run_set_status(run, PB_RUN_FAILED, why);
	}
	unsigned done = pb_measure_done(m);
	pb_measure_close(m);
	char dir[4096], err[640];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = pb_run_finish_msg(run, err, sizeof(err));
	if (frc && frc != -ENODATA)
		pb_error(cmd, "cannot write results: %s", err);
	else if (!frc && sig)
		fprintf(stderr, "results (partial: %u experiment(s), interrupted by %s): %s\n",
			done, why, dir);
	else if (!frc)
		fprintf(stderr, "results%s: %s\n",
			failures ? " (failed configurations marked)" : "", dir);
	if (sig)
		pb_signal_exit(sig);
	if (frc == 0 && failures && rc != -EINVAL)
		pb_error(cmd, "%u configuration(s) failed or were invalid", failures);
	if (rc == -EINVAL)
		return PB_EXIT_USAGE;
	return frc || failures || rc ? PB_EXIT_FAIL : PB_EXIT_OK;
}

int pb_cmd_run(int argc, char **argv)
{
	struct run_opts ro;
	parse_run_opts("run", argc, argv, &ro);
	if (optind >= argc)
		pb_usage_error("run", "missing KERNEL (see `pagebench list kernels`)");
	if (optind + 1 < argc)
		pb_usage_error("run", "unexpected argument '%s'", argv[optind + 1]);
	const struct pb_kernel_desc *d = pb_kernel_find(argv[optind]);
	if (!d)
		pb_usage_error("run", "unknown kernel '%s' (see `pagebench list kernels`)",
			       argv[optind]);
	if (ro.params[0]) {
		/* Reject bad parameters before a run folder is created. */
		int node0 = 0;
		char err[512] = "";
		struct pb_kernel_cfg cfg = {
		    .nthreads = 1,
		    .ops = ro.m.ops,
		    .size = ro.m.size,
		    .seed = ro.m.seed,
		    .params = ro.params,
		    .thread_node = &node0,
		    .nnodes = 1,
		    .err = err,
		    .errlen = sizeof(err),
		};
		void *state = NULL;
		int src = d->setup(&cfg, &state);
		if (src == 0)
			d->teardown(state);
		else if (src == -EINVAL)
			pb_usage_error("run", "%s: %s", d->name, err[0] ? err : strerror(-src));
	}
	struct pb_run *run;
	struct pb_measure *m;
	if (open_run("run", &ro, argc, argv, &run, &m)) {
		free(ro.threads);
		return PB_EXIT_FAIL;
	}
	pb_run_config_str(run, "kernel", d->name);
	pb_run_config_str(run, "params", ro.params);
	uint64_t total_reps = 0;
	for (size_t i = 0; i < ro.nthreads; i++)
		total_reps +=
		    (ro.m.reps + 1) * ro.threads[i] * (d->baseline && ro.m.baseline ? 2 : 1);
	pb_progress_begin(d->name, total_reps);
	unsigned failures = 0;
	int rc = pb_measure_kernel(m, d, ro.threads, ro.nthreads, ro.params, &failures);
	pb_progress_end();
	int code = close_run("run", run, m, rc, failures);
	free(ro.threads);
	return code;
}
