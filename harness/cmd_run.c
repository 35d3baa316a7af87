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
#include <signal.h>
#include <stddef.h>
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
#include "pagebench/param.h"
#include "pagebench/results.h"
#include "pagebench/team.h"

/* Bounds that keep a typo from running for days (in the table below): 1G
 * ops per thread per repetition, and no working set larger than the
 * machine's memory. */

struct run_opts {
	uint64_t *threads;
	size_t nthreads;
	struct pb_measure_opts m;
	const char *params;
	const char *results;
	const char *label;
};

/* The options as the table stores them; run_opts is derived from them. */
struct run_cli {
	char *threads, *param, *label, *results;
	uint64_t reps, ops, size, seed;
	unsigned pin;
	int csv, no_baseline;
};

static const char *const pin_names[] = {"compact", "scatter", "numa", "none", NULL};
#define STR_(x) #x
#define STR(x)	STR_(x)
#define O(f)	offsetof(struct run_cli, f)
static const struct pb_param run_params[] = {
    {"threads", PB_PT_STR, O(threads), NULL,
     "thread counts, e.g. 1,2,4 or 1-4, each 1..1024, run ascending, each once (default: 1,2 "
     "capped at PUs)",
     NULL, 0, 0, 't', 0, "LIST"},
    {"reps", PB_PT_U64, O(reps), STR(PB_STAT_MIN_CI_REPS),
     "measured repetitions after one warm-up (the default is enough for a 95% CI of the median)",
     NULL, 1, 10000, 'r', 0, "N"},
    {"pin", PB_PT_ENUM, O(pin), "compact", "thread placement", pin_names, 0, 0, 'p', 0, "P"},
    {"ops", PB_PT_SIZE, O(ops), NULL,
     "operations per thread per repetition, K/M/G suffix, K = 1024 (default: the kernel's); the "
     "kernels that work in passes over --size (memtouch, fault-*, zap-*) round it up to whole "
     "passes (runs.csv's ops says what ran)",
     NULL, 1, 1e9, 0, 0, "N"},
    {"size", PB_PT_SIZE, O(size), NULL,
     "working-set size, K/M/G suffix, K = 1024, at most the machine's memory (default: the "
     "kernel's)",
     NULL, 0, 0, 0, 0, "S"},
    {"seed", PB_PT_U64, O(seed), "1", "seed for every random choice (recorded)", NULL, 0, 0, 0, 0,
     "N"},
    {"param", PB_PT_STR, O(param), NULL,
     "kernel parameters K=V,... (see `pagebench list kernels -v`)", NULL, 0, 0, 0, 0, "K=V,..."},
    {"no-baseline", PB_PT_FLAG, O(no_baseline), NULL,
     "do not run the kernel's baseline for the overhead ratio", NULL, 0, 0, 0, 0, NULL},
    {"label", PB_PT_STR, O(label), NULL,
     "label column of every CSV and meta.json (e.g. a machine name)", NULL, 0, 0, 0, 0, "NAME"},
    {"results", PB_PT_STR, O(results), NULL,
     "results root (default $PAGEBENCH_RESULTS or ./results)", NULL, 0, 0, 0, PB_PF_NOMETA, "DIR"},
    {"csv", PB_PT_FLAG, O(csv), NULL, "also print runs.csv rows on stdout", NULL, 0, 0, 0,
     PB_PF_NOMETA, NULL},
    {0},
};
#undef O

static void run_usage(FILE *f)
{
	fprintf(f, "usage: pagebench run KERNEL [options]\n"
		   "       pagebench suite NAME|FILE [options]   (a suite of runs: pagebench suite "
		   "--help)\n"
		   "Runs a registered kernel (see `pagebench list kernels`) on pinned threads and\n"
		   "writes a new folder results/<UTC>-<host>-<id>/ with runs.csv, summary.csv,\n"
		   "events.csv and meta.json.\n"
		   "options:\n");
	pb_param_help(run_params, f, 1);
	fprintf(f, "environment: PAGEBENCH_COUNTERS=all|sw|rusage|none, "
		   "PAGEBENCH_COUNTERS_MULTIPLEX=0|1 (other values are refused)\n");
}

/* The entry of run_params that the option word a names (--key, --key=V,
 * -s, -sV), or NULL; *val gets a value given in the word itself. */
static const struct pb_param *option_of(const char *a, const char **val)
{
	*val = NULL;
	if (a[0] == '-' && a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		if (eq)
			*val = eq + 1;
		for (const struct pb_param *p = run_params; p->key; p++)
			if (strlen(p->key) == n && !strncmp(p->key, name, n))
				return p;
	} else if (a[0] == '-' && a[1] && a[1] != '-' && !(a[1] >= '0' && a[1] <= '9')) {
		if (a[2])
			*val = a + 2;
		for (const struct pb_param *p = run_params; p->key; p++)
			if (p->shortopt == a[1])
				return p;
	}
	return NULL;
}

/*
 * Every --param given, joined with ',' in the order given, into
 * rc->param: the table keeps only the last one, so `--param update=7
 * --param pages=64` ran update=10 (the default) while meta.json's command
 * line said 7, and an unknown key in an earlier one went unchecked.  A key
 * given twice (in one --param or two) is a usage error.  The words are
 * read as pb_param_getopt reads them (argv already parsed): an option's
 * value is not an option (`--label --param`), nothing after "--" is one.
 */
static void merge_params(const char *cmd, int argc, char **argv, struct run_cli *rc)
{
	char *all = NULL;
	int ngiven = 0;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *val;
		const struct pb_param *p = option_of(argv[i], &val);
		if (!p || p->type == PB_PT_FLAG)
			continue;
		if (!val && i + 1 < argc)
			val = argv[++i];
		if (strcmp(p->key, "param") || !val)
			continue;
		ngiven++;
		if (val[0] && pb_kv_append(&all, val))
			pb_usage_error(cmd, "out of memory");
	}
	if (!all)
		return;
	char msg[512];
	if (pb_kv_twice(all, msg, sizeof(msg)))
		pb_usage_error(cmd, "bad --param: %s", msg);
	if (ngiven > 1) {
		free(rc->param);
		rc->param = all;
	} else {
		free(all);
	}
}

/* Parse argv into *rc (the table's view) and *ro; the one KERNEL argument
 * into *kernel.  Usage errors exit 2 with one line. */
static void parse_run_opts(const char *cmd, int argc, char **argv, struct run_cli *rc,
			   struct run_opts *ro, const char **kernel)
{
	char err[1024];
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error(cmd, "out of memory");
	memset(ro, 0, sizeof(*ro));
	memset(rc, 0, sizeof(*rc));
	if (pb_param_defaults(run_params, rc, err, sizeof(err)))
		pb_usage_error(cmd, "%s", err);
	uint64_t given = 0;
	int prc = pb_param_getopt(run_params, rc, argc, argv, pos, &npos, &given, err, sizeof(err));
	char *extra = npos > 1 ? pos[1] : NULL; /* an argv word: outlives pos */
	*kernel = npos ? pos[0] : NULL;
	free(pos);
	if (prc == 1) {
		run_usage(stdout);
		pb_param_free(run_params, rc);
		exit(0);
	}
	if (prc)
		pb_usage_error(cmd, "%s (see pagebench %s --help)", err, cmd);
	if (npos < 1)
		pb_usage_error(cmd, "missing KERNEL (see `pagebench list kernels`)");
	if (extra)
		pb_usage_error(cmd, "unexpected argument '%s'", extra);
	merge_params(cmd, argc, argv, rc);
	if (rc->threads) {
		if (pb_parse_u64_list(rc->threads, &ro->threads, &ro->nthreads))
			pb_usage_error(cmd, "bad --threads '%s' (expected e.g. 1,2,4 or 1-4)",
				       rc->threads);
		for (size_t i = 0; i < ro->nthreads; i++)
			if (ro->threads[i] < 1 || ro->threads[i] > 1024)
				pb_usage_error(cmd, "bad --threads '%s' (each count 1..1024)",
					       rc->threads);
		/* ascending, each once: the speedups divide by the 1-thread run,
		 * which '2,1' measured after the 2-thread one (NA), and '1,1'
		 * ran once but was recorded twice */
		qsort(ro->threads, ro->nthreads, sizeof(uint64_t), pb_cmp_u64);
		size_t k = 0;
		for (size_t i = 0; i < ro->nthreads; i++)
			if (!k || ro->threads[i] != ro->threads[k - 1])
				ro->threads[k++] = ro->threads[i];
		ro->nthreads = k;
	}
	const struct pb_param *sz = pb_param_find(run_params, "size");
	if ((given & (1ULL << (sz - run_params))) && rc->size == 0)
		pb_usage_error(cmd, "bad --size '0' (expected bytes, e.g. 64M)");
	if (rc->size > pb_phys_bytes())
		pb_usage_error(
		    cmd, "bad --size: %llu bytes, more than this machine's %llu bytes of memory",
		    (unsigned long long)rc->size, (unsigned long long)pb_phys_bytes());
	if (rc->results && !rc->results[0])
		pb_usage_error(cmd, "bad --results '' (expected a folder)");
	pb_cli_check_label(cmd, rc->label);
	if (pb_pin_parse(pin_names[rc->pin], &ro->m.pin))
		pb_usage_error(cmd, "bad --pin '%s'", pin_names[rc->pin]);
	ro->m.reps = (unsigned)rc->reps;
	ro->m.ops = rc->ops;
	ro->m.size = rc->size;
	ro->m.seed = rc->seed;
	ro->m.baseline = !rc->no_baseline;
	ro->m.csv_echo = rc->csv;
	ro->params = rc->param ? rc->param : "";
	ro->results = rc->results;
	ro->label = rc->label;
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
static int open_run(const char *cmd, const struct run_cli *cli, const struct run_opts *ro, int argc,
		    char **argv, struct pb_run **run, struct pb_measure **m)
{
	char err[512], rerr[4300];
	/* a results root no run folder can be made in: a bad value, exit 2,
	 * as sim and mrc say it (pb_results_root_check) */
	if (pb_results_root_check(ro->results, rerr, sizeof(rerr)))
		pb_usage_error(cmd, "%s", rerr);
	pb_signals_install(1);
	*run = pb_run_create(ro->results, argc, argv, err, sizeof(err));
	if (!*run) {
		pb_error(cmd, "%s", err);
		return -EIO;
	}
	pb_run_set_label(*run, ro->label);
	json_t *thr = json_array();
	int several = 0; /* rows of several threads: the round trip's note */
	for (size_t i = 0; i < ro->nthreads; i++) {
		json_array_append_new(thr, json_integer((json_int_t)ro->threads[i]));
		several |= ro->threads[i] > 1;
	}
	pb_run_config_set(*run, "threads", thr);
	pb_run_set_thread_rows(*run, several);
	pb_run_config_set(*run, "reps", json_integer(ro->m.reps));
	pb_run_config_set(*run, "warmup_reps", json_integer(1));
	pb_run_config_str(*run, "pin", pb_pin_name(ro->m.pin));
	/* jansson's integers are int64: a seed above 2^63-1 as its decimal
	 * string (options.seed likewise, pb_param_json), never wrapped */
	char sd[24];
	snprintf(sd, sizeof(sd), "%llu", (unsigned long long)ro->m.seed);
	pb_run_config_set(*run, "seed",
			  ro->m.seed <= INT64_MAX ? json_integer((json_int_t)ro->m.seed)
						  : json_string(sd));
	pb_run_config_set(*run, "ops_per_thread_override",
			  ro->m.ops ? json_integer((json_int_t)ro->m.ops) : json_null());
	pb_run_config_set(*run, "size_override_bytes",
			  ro->m.size ? json_integer((json_int_t)ro->m.size) : json_null());
	pb_run_config_set(*run, "baseline", json_boolean(ro->m.baseline));
	/* every option of the table, defaults filled in (the one record) */
	pb_run_config_set(*run, "options", pb_param_json(run_params, cli));
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
		pb_run_set_status(run, PB_RUN_PARTIAL, pb_signal_name(sig, why, sizeof(why)));
	} else if (failures || (rc && rc != -EIO)) {
		snprintf(why, sizeof(why), "%u configuration(s) failed or were invalid",
			 failures ? failures : 1);
		pb_run_set_status(run, PB_RUN_FAILED, why);
	}
	unsigned done = pb_measure_done(m);
	pb_measure_close(m);
	char dir[4096], err[PB_KERNEL_ERRLEN]; /* a long results path and its reason */
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = pb_run_finish_msg(run, err, sizeof(err));
	if (frc && frc != -ENODATA)
		pb_error(cmd, "cannot write results: %s", err);
	else if (frc && sig) /* -ENODATA: no row, the folder removed */
		pb_exit_interrupted(cmd);
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

/*
 * Under HWLOC_SYNTHETIC or HWLOC_XMLFILE (another machine's topology) the
 * plan is made for that machine, but no thread is bound and every number
 * measures this one: one line on stderr says so before the run starts
 * (meta.json records it: topology_is_thissystem, harness/meta.c).
 */
static void foreign_topology_note(enum pb_pin pin)
{
	if (!pb_topo_is_synthetic())
		return;
	const char *val;
	enum pb_topo_env env = pb_topo_env_source(&val); /* what pb_topo_init loaded */
	char src[512] = "hwloc says so";
	if (env == PB_TOPO_ENV_SYNTHETIC)
		snprintf(src, sizeof(src), "HWLOC_SYNTHETIC='%.400s'", val);
	else if (env == PB_TOPO_ENV_XML)
		snprintf(src, sizeof(src), "HWLOC_XMLFILE='%.400s'", val);
	fprintf(stderr,
		"pagebench run: note: the topology is not this machine's (%s): threads are not "
		"bound (--pin %s is only planned), so the numbers measure this machine (%ld online "
		"CPUs), unpinned; meta.json says so (topology_is_thissystem false)\n",
		src, pb_pin_name(pin), sysconf(_SC_NPROCESSORS_ONLN));
}

int pb_cmd_run(int argc, char **argv)
{
	struct run_opts ro;
	struct run_cli rcli;
	const char *kname;
	parse_run_opts("run", argc, argv, &rcli, &ro, &kname);
	const struct pb_kernel_desc *d = pb_kernel_find(kname);
	if (!d)
		pb_usage_error("run", "unknown kernel '%s' (see `pagebench list kernels`)", kname);
	/* Reject bad parameters before a run folder or a baseline exists;
	 * err holds a setup's message whole (a path and its reason). */
	char err[PB_KERNEL_ERRLEN] = "";
	json_t *kparams = NULL;
	int prc = pb_kernel_params_check(d, ro.params, &kparams, err, sizeof(err));
	if (prc == -EINVAL)
		pb_usage_error("run", "%s", err);
	if (prc) {
		pb_error("run", "%s", err);
		return PB_EXIT_FAIL;
	}
	if (ro.params[0]) {
		/* Combinations only setup() can judge (huge=1 with pt=hashed, an
		 * unknown policy name): one dry setup, still before any folder. */
		int node0 = 0;
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
		else if (src == -EINVAL) {
			json_decref(kparams);
			pb_usage_error("run", "%s: %s", d->name, err[0] ? err : strerror(-src));
		}
	}
	foreign_topology_note(ro.m.pin);
	struct pb_run *run;
	struct pb_measure *m;
	if (open_run("run", &rcli, &ro, argc, argv, &run, &m)) {
		json_decref(kparams);
		pb_param_free(run_params, &rcli);
		free(ro.threads);
		return PB_EXIT_FAIL;
	}
	pb_run_config_str(run, "kernel", d->name);
	pb_run_config_str(run, "params", ro.params);
	pb_run_config_set(run, "kernel_params", kparams ? kparams : json_null());
	uint64_t total_reps = 0;
	for (size_t i = 0; i < ro.nthreads; i++)
		total_reps +=
		    (ro.m.reps + 1) * ro.threads[i] * (d->baseline && ro.m.baseline ? 2 : 1);
	pb_progress_begin(d->name, total_reps);
	unsigned failures = 0;
	int rc = pb_measure_kernel(m, d, ro.threads, ro.nthreads, ro.params, &failures);
	pb_progress_end();
	int code = close_run("run", run, m, rc, failures);
	pb_param_free(run_params, &rcli);
	free(ro.threads);
	return code;
}
