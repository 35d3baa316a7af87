/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_sim.c - `pagebench sim`: the demand-paging engine over a grid
 * of (policy, frames, repetition).
 *
 * Options, the run folder and the rows; the work is in the library: the
 * stream is loaded once per workload seed (pb_vm_load), the grid is a
 * sweep of fresh engines (pb_vm_sweep, kernels/vm/sweep.c) that the
 * harness runs on its team (pb_vm_sweep_team): with one engine thread the
 * configurations run in parallel across the machine's PUs (each one a
 * deterministic single-thread replay); with --threads T each
 * configuration runs on T pinned engine threads, one after another.
 * Repetition r replays the workload opened with seed S + r (S: --seed),
 * so synthetic workloads get real error bars; --fixed-seed replays seed S
 * every time (a trace, or a spec with its own seed=, is the same stream
 * whatever the seed).  Rows go to sim.csv in a new run folder (and stdout
 * with --csv).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pagebench/vm_drive.h"

struct sim_opts {
	const char *workload;
	char **policies;
	size_t npolicies;
	uint64_t *frames;
	size_t nframes;
	const struct pb_prepage_desc *prepage;
	enum pb_vm_pt pt;
	enum pb_vm_order order;
	enum pb_vm_hints hints;
	unsigned threads;
	unsigned reps;
	int csv, fixed_seed, force;
	uint64_t seed;
	struct pb_tlb_geom tlb;
	const char *tlb_spec;
	const struct pb_cost_device *device;
	const char *backing; /* NULL: simulated */
	const char *backing_spec;
	const char *policy_params;
	const char *results;
};

static void sim_usage(FILE *f)
{
	char devs[256];
	pb_cost_device_names(devs, sizeof(devs));
	fprintf(f,
		"usage: pagebench sim --workload SPEC --policy P1[,P2...] --frames N1[,N2...] "
		"[options]\n"
		"Demand-paging simulation: TLB, page walk, faults, eviction, prepaging, cost.\n"
		"options:\n"
		"  --workload SPEC     generator or trace (see `pagebench list workloads`)\n"
		"  --policy LIST       eviction policies, or all (see `pagebench list policies`)\n"
		"  --policy-params KV  parameters passed to every policy (e.g. kin=0.25)\n"
		"  --frames LIST       physical frames (64,128 or 64-66)\n"
		"  --prepage S         prepaging strategy (default demand):\n");
	for (size_t i = 0; pb_prepages[i]; i++)
		fprintf(f, "                        %-12s %s\n", pb_prepages[i]->name,
			pb_prepages[i]->help);
	fprintf(
	    f,
	    "  --pt KIND           radix|hashed page tables (default radix)\n"
	    "  --threads T         engine threads per configuration (default 1)\n"
	    "  --order O           strict (deterministic chunks in stream order) | free (default "
	    "strict)\n"
	    "  --hints H           exact (every hit reaches the policy, = replay) | abit (once "
	    "per\n"
	    "                      policy miss per TLB entry, as accessed bits; HW policies only)\n"
	    "  --reps R            repetitions (default 1); repetition r opens the workload with\n"
	    "                      seed S+r (the `seed` column) unless --fixed-seed\n"
	    "  --seed S            seed (default 1)\n"
	    "  --fixed-seed        every repetition replays the workload of seed S\n"
	    "  --tlb P             skylake|icelake|zen3|zen4|textbook or l1=E:W,l1i=E:W,l2=E:W "
	    "(default skylake)\n"
	    "  --device D          %s (default nvme)\n"
	    "  --backing B         sim (default) or file:PATH (real pread/pwrite on PATH, created\n"
	    "                      and removed by the run; an existing PATH is refused)\n"
	    "  --force             with file:PATH, reuse (truncate) an existing regular file\n"
	    "  --results DIR       results root (default $PAGEBENCH_RESULTS or ./results)\n"
	    "  --csv               print the rows on stdout\n",
	    devs);
}

static void parse_opts(int argc, char **argv, struct sim_opts *o)
{
	const char *cmd = "sim";
	static const struct option lo[] = {{"workload", required_argument, 0, 'w'},
					   {"policy", required_argument, 0, 'p'},
					   {"frames", required_argument, 0, 'f'},
					   {"prepage", required_argument, 0, 'P'},
					   {"pt", required_argument, 0, 'T'},
					   {"threads", required_argument, 0, 't'},
					   {"reps", required_argument, 0, 'r'},
					   {"csv", no_argument, 0, 'c'},
					   {"seed", required_argument, 0, 's'},
					   {"tlb", required_argument, 0, 'L'},
					   {"device", required_argument, 0, 'd'},
					   {"backing", required_argument, 0, 'b'},
					   {"order", required_argument, 0, 'o'},
					   {"results", required_argument, 0, 'R'},
					   {"policy-params", required_argument, 0, 'q'},
					   {"hints", required_argument, 0, 'H'},
					   {"fixed-seed", no_argument, 0, 'F'},
					   {"force", no_argument, 0, 'X'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	memset(o, 0, sizeof(*o));
	o->prepage = &pb_prepage_demand;
	o->threads = 1;
	o->reps = 1;
	o->seed = 1;
	o->tlb_spec = "skylake";
	o->device = pb_cost_device_find("nvme");
	o->backing_spec = "sim";
	const char *frames = NULL;
	char err[256];
	uint64_t v;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'w':
			o->workload = optarg;
			break;
		case 'p':
			pb_vm_cli_policies(cmd, optarg, &o->policies, &o->npolicies);
			break;
		case 'q':
			o->policy_params = optarg;
			break;
		case 'f':
			frames = optarg;
			break;
		case 'P':
			if (pb_prepage_parse(optarg, &o->prepage)) {
				char pps[256];
				pb_prepage_names(pps, sizeof(pps));
				pb_usage_error(cmd, "bad --prepage '%s' (expected %s)", optarg,
					       pps);
			}
			break;
		case 'T':
			if (!strcmp(optarg, "radix"))
				o->pt = PB_VM_PT_RADIX;
			else if (!strcmp(optarg, "hashed"))
				o->pt = PB_VM_PT_HASHED;
			else
				pb_usage_error(cmd, "bad --pt '%s' (expected radix|hashed)",
					       optarg);
			break;
		case 't':
			if (pb_parse_u64(optarg, &v) || v < 1 || v > 1024)
				pb_usage_error(cmd, "bad --threads '%s' (expected 1..1024)",
					       optarg);
			o->threads = (unsigned)v;
			break;
		case 'o':
			if (!strcmp(optarg, "strict"))
				o->order = PB_VM_ORDER_STRICT;
			else if (!strcmp(optarg, "free"))
				o->order = PB_VM_ORDER_FREE;
			else
				pb_usage_error(cmd, "bad --order '%s' (expected strict|free)",
					       optarg);
			break;
		case 'H':
			if (!strcmp(optarg, "exact"))
				o->hints = PB_VM_HINTS_EXACT;
			else if (!strcmp(optarg, "abit"))
				o->hints = PB_VM_HINTS_ABIT;
			else
				pb_usage_error(cmd, "bad --hints '%s' (expected exact|abit)",
					       optarg);
			break;
		case 'r':
			if (pb_parse_u64(optarg, &v) || v < 1 || v > 10000)
				pb_usage_error(cmd, "bad --reps '%s' (expected 1..10000)", optarg);
			o->reps = (unsigned)v;
			break;
		case 'c':
			o->csv = 1;
			break;
		case 'F':
			o->fixed_seed = 1;
			break;
		case 'X':
			o->force = 1;
			break;
		case 's':
			if (pb_parse_u64(optarg, &o->seed))
				pb_usage_error(
				    cmd, "bad --seed '%s' (expected an unsigned integer)", optarg);
			break;
		case 'L':
			o->tlb_spec = optarg;
			break;
		case 'd':
			o->device = pb_cost_device_find(optarg);
			if (!o->device) {
				char devs[256];
				pb_cost_device_names(devs, sizeof(devs));
				pb_usage_error(cmd, "bad --device '%s' (expected %s)", optarg,
					       devs);
			}
			break;
		case 'b':
			o->backing_spec = optarg;
			if (!strcmp(optarg, "sim"))
				o->backing = NULL;
			else if (!strncmp(optarg, "file:", 5) && optarg[5])
				o->backing = optarg + 5;
			else
				pb_usage_error(
				    cmd, "bad --backing '%s' (expected sim or file:PATH)", optarg);
			break;
		case 'R':
			if (!optarg[0])
				pb_usage_error(cmd, "bad --results '' (expected a folder)");
			o->results = optarg;
			break;
		case 'h':
			sim_usage(stdout);
			exit(0);
		default:
			if (ch == ':' || (optopt && strchr("wpfPTtrsLdboRqH", optopt)))
				pb_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			pb_usage_error(
			    cmd, "unknown or incomplete option '%s' (see pagebench %s --help)",
			    argv[optind - 1], cmd);
		}
	}
	if (optind < argc)
		pb_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!o->workload)
		pb_usage_error(cmd, "missing --workload SPEC (see `pagebench list workloads`)");
	if (!o->policies)
		pb_usage_error(cmd, "missing --policy P1[,P2...] (see `pagebench list policies`)");
	for (size_t i = 0; i < o->npolicies; i++)
		if (!pb_policy_find(o->policies[i]))
			pb_usage_error(cmd, "unknown policy '%s' (see `pagebench list policies`)",
				       o->policies[i]);
	if (!frames)
		pb_usage_error(cmd, "missing --frames");
	if (pb_parse_u64_list(frames, &o->frames, &o->nframes) || !o->nframes)
		pb_usage_error(cmd, "bad --frames '%s' (expected e.g. 64,128 or 64-70)", frames);
	for (size_t i = 0; i < o->nframes; i++)
		if (o->frames[i] < 1 || o->frames[i] > (1ULL << 32))
			pb_usage_error(cmd, "bad --frames '%s' (each count 1..2^32)", frames);
	if (pb_tlb_parse(o->tlb_spec, &o->tlb, err, sizeof(err)))
		pb_usage_error(cmd, "bad --tlb: %s", err);
	if (o->force && !o->backing)
		pb_usage_error(cmd, "option '--force' applies to --backing file:PATH only");
	if (o->backing) {
		/* refused before anything runs; the engine's O_EXCL closes the race */
		struct stat st;
		if (!lstat(o->backing, &st)) {
			if (!S_ISREG(st.st_mode))
				pb_usage_error(cmd,
					       "bad --backing: '%s' exists and is not a regular "
					       "file (refused)",
					       o->backing);
			if (!o->force)
				pb_usage_error(cmd,
					       "bad --backing: '%s' exists (refused: pass --force "
					       "to reuse it)",
					       o->backing);
		}
	}
}

/* The workload seed a stream really used: seed= of its canonical spec
 * (generators; a spec's own seed= wins over --seed), else the one given. */
static uint64_t stream_seed(const struct pb_vm_loaded *l)
{
	const char *p = strstr(l->canonical, "seed=");
	if (p && (p == l->canonical || p[-1] == ',' || p[-1] == ':'))
		return strtoull(p + 5, NULL, 10);
	return l->seed;
}

static const char *const sim_cols[] = {"workload", "policy", "frames", "prepage", "pt",
				       "threads",  "order",  "hints",  "tlb",	  "device",
				       "backing",  "rep",    "seed",   NULL};

int pb_cmd_sim(int argc, char **argv)
{
	const char *cmd = "sim";
	struct sim_opts o;
	parse_opts(argc, argv, &o);
	for (size_t i = 0; i < o.npolicies; i++) {
		const struct pb_policy_desc *d = pb_policy_find(o.policies[i]);
		if ((d->flags & PB_POL_OFFLINE) && o.prepage->after_fault)
			pb_usage_error(
			    cmd, "policy %s needs the future of every page: use --prepage demand",
			    d->name);
		if ((d->flags & PB_POL_OFFLINE) && o.threads > 1 && o.order == PB_VM_ORDER_FREE)
			pb_usage_error(cmd, "policy %s needs stream order: use --order strict",
				       d->name);
	}
	pb_vm_cli_check_params(cmd, o.policies, o.npolicies, o.seed, o.policy_params);

	/* one stream per distinct workload seed (a trace is one stream) */
	unsigned nstreams = o.fixed_seed ? 1 : o.reps;
	struct pb_vm_loaded *ld = calloc(nstreams, sizeof(*ld));
	unsigned *stream_of = calloc(o.reps, sizeof(*stream_of));
	if (!ld || !stream_of) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	int need_nu = pb_vm_cli_need_next_use(o.policies, o.npolicies);
	char err[512];
	unsigned nld = 0;
	for (unsigned r = 0; r < o.reps; r++) {
		if (r && (o.fixed_seed || pb_vm_cli_same_stream(o.workload, o.seed, o.seed + r))) {
			stream_of[r] = 0;
			continue;
		}
		int rc = pb_vm_load(o.workload, o.seed + r, &ld[nld], err, sizeof(err));
		if (rc == -EINVAL)
			pb_usage_error(cmd, "%s", err);
		if (!rc && need_nu && pb_vm_load_next_use(&ld[nld])) {
			rc = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory computing next uses");
		}
		if (rc) {
			pb_error(cmd, "%s", err);
			return PB_EXIT_FAIL;
		}
		stream_of[r] = nld++;
	}
	const struct pb_vm_loaded *s0 = &ld[0];

	struct pb_run *run = pb_run_create(o.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	pb_vm_cli_config(run, o.workload, s0, o.seed, o.policies, o.npolicies, o.policy_params);
	char buf[256];
	pb_run_config_json(run, "fixed_seed", o.fixed_seed ? "true" : "false");
	pb_run_config_str(run, "prepage", pb_prepage_name(o.prepage));
	pb_run_config_str(run, "pt", o.pt == PB_VM_PT_HASHED ? "hashed" : "radix");
	snprintf(buf, sizeof(buf), "%u", o.threads);
	pb_run_config_json(run, "engine_threads", buf);
	pb_run_config_str(run, "order", o.order == PB_VM_ORDER_FREE ? "free" : "strict");
	pb_run_config_str(run, "hints", o.hints == PB_VM_HINTS_ABIT ? "abit" : "exact");
	snprintf(buf, sizeof(buf), "%u", o.reps);
	pb_run_config_json(run, "reps", buf);
	char geo[128];
	pb_tlb_geom_str(&o.tlb, geo, sizeof(geo));
	snprintf(buf, sizeof(buf), "{\"profile\": \"%s\", \"geometry\": \"%s\"}", o.tlb.name, geo);
	pb_run_config_json(run, "tlb", buf);
	pb_run_config_str(run, "tlb_source", o.tlb.source);
	pb_run_config_str(run, "device", o.device->name);
	pb_run_config_str(run, "device_source", o.device->source);
	pb_run_config_str(run, "backing", o.backing_spec);
	char fr[1024] = "[";
	for (size_t i = 0, n = 1; i < o.nframes && n + 32 < sizeof(fr); i++)
		n += (size_t)snprintf(fr + n, sizeof(fr) - n, "%s%" PRIu64, i ? ", " : "",
				      o.frames[i]);
	snprintf(fr + strlen(fr), sizeof(fr) - strlen(fr), "]");
	pb_run_config_json(run, "frames", fr);

	/* columns: the configuration, then every CSV event of vm_events.h */
	const char *cols[64];
	size_t nc = 0;
	for (; sim_cols[nc]; nc++)
		cols[nc] = sim_cols[nc];
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++)
		if (pb_vm_events[e].flags & PB_VM_EV_CSV)
			cols[nc++] = pb_vm_events[e].name;
	static const char *const tail[] = {"fault_rate", "eat_ns", "seconds", "accesses_per_s",
					   "valid"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(tail); i++)
		cols[nc++] = tail[i];
	cols[nc] = NULL;
	struct pb_csv *csv = pb_run_csv(run, "sim.csv", cols, o.csv ? stdout : NULL);
	if (!csv) {
		pb_error(cmd, "cannot open sim.csv in %s", pb_run_dir(run));
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}

	size_t njobs = o.npolicies * o.nframes * o.reps;
	struct pb_vm_sweep_job *jobs = calloc(njobs, sizeof(*jobs));
	if (!jobs) {
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	size_t k = 0;
	for (size_t p = 0; p < o.npolicies; p++)
		for (size_t f = 0; f < o.nframes; f++)
			for (unsigned r = 0; r < o.reps; r++, k++) {
				jobs[k].policy = pb_policy_find(o.policies[p]);
				jobs[k].frames = o.frames[f];
				jobs[k].rep = r;
				jobs[k].seed = o.seed + r; /* the engine's (policy) seed */
				jobs[k].stream = &ld[stream_of[r]].s;
			}
	struct pb_vm_cfg base;
	pb_vm_cfg_default(&base);
	base.policy_params = o.policy_params;
	base.prepage = o.prepage;
	base.pt = o.pt;
	base.nthreads = o.threads;
	base.order = o.order;
	base.hints = o.hints;
	base.tlb = o.tlb;
	base.device = o.device;
	base.backing_path = o.backing;
	base.backing_force = o.force;
	struct pb_vm_sweep *sw;
	if (pb_vm_sweep_create(&base, jobs, njobs, &sw)) {
		pb_error(cmd, "out of memory");
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	pb_progress_begin("sim", njobs);
	/* a real backing file is one file: its runs cannot share it */
	unsigned workers = o.threads == 1 && !o.backing ? pb_topo_npus() : 1;
	int trc = pb_vm_sweep_team(sw, njobs, o.threads, workers);
	pb_progress_end();
	pb_vm_sweep_destroy(sw);
	if (trc) {
		pb_error(cmd, "cannot place %u engine threads: %s", o.threads, strerror(-trc));
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	int failed = 0, usage = 0;
	size_t nok = 0;
	struct pb_vm_stats total = {0};
	const char *pt_impl = o.pt == PB_VM_PT_HASHED ? "hashed" : "radix";
	for (size_t i = 0; i < njobs; i++) {
		struct pb_vm_sweep_job *j = &jobs[i];
		if (j->rc == -EINVAL && !j->st.refs) {
			pb_error(cmd, "policy %s: %s", j->policy->name, j->err);
			usage = 1;
			continue;
		}
		if (j->rc) {
			pb_error(cmd, "policy %s, %" PRIu64 " frames: %s", j->policy->name,
				 j->frames, j->err);
			failed = 1;
		} else {
			nok++;
		}
		struct pb_vm_stats *st = &j->st;
		pb_csv_begin(csv);
		pb_csv_str(csv, s0->canonical);
		pb_csv_str(csv, j->policy->name);
		pb_csv_u64(csv, j->frames);
		pb_csv_str(csv, pb_prepage_name(o.prepage));
		pb_csv_str(csv, pt_impl);
		pb_csv_u64(csv, o.threads);
		pb_csv_str(csv, o.order == PB_VM_ORDER_FREE ? "free" : "strict");
		pb_csv_str(csv, o.hints == PB_VM_HINTS_ABIT ? "abit" : "exact");
		pb_csv_str(csv, o.tlb.name);
		pb_csv_str(csv, o.device->name);
		pb_csv_str(csv, o.backing ? "file" : "sim");
		pb_csv_u64(csv, j->rep);
		pb_csv_u64(csv, stream_seed(&ld[stream_of[j->rep]]));
		for (size_t e = 0; e < PB_VM_EV__COUNT; e++)
			if (pb_vm_events[e].flags & PB_VM_EV_CSV)
				pb_csv_u64(csv, pb_vm_stats_get(st, (enum pb_vm_event)e));
		pb_csv_dbl(csv, st->refs ? (double)st->faults / (double)st->refs : NAN);
		pb_csv_dbl(csv, j->eat_ns);
		pb_csv_dbl(csv, j->seconds);
		pb_csv_dbl(csv, j->seconds > 0 ? (double)st->refs / j->seconds : NAN);
		pb_csv_u64(csv, j->rc == 0);
		pb_csv_end(csv);
		pb_vm_stats_add(&total, st);
	}
	pb_vm_publish_sde(&total);
	free(jobs);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = 0;
	if (usage || nok == 0) /* nothing valid to keep: leave no run folder */
		pb_run_abort(run);
	else
		frc = pb_run_finish(run);
	if (frc)
		pb_error(cmd, "cannot write results in %s: %s", dir, strerror(-frc));
	else if (!o.csv && !usage && nok)
		fprintf(stderr, "pagebench sim: %zu rows in %s/sim.csv\n", njobs, dir);
	for (unsigned i = 0; i < nld; i++)
		pb_vm_load_free(&ld[i]);
	free(ld);
	free(stream_of);
	pb_free_list(o.policies, o.npolicies);
	free(o.frames);
	if (usage)
		return PB_EXIT_USAGE;
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
