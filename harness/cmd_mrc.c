/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_mrc.c - `pagebench mrc`: miss ratio against frames for
 * several policies.
 *
 * LRU in one pass by stack distances (Mattson et al. 1970, pb_mrc_lru),
 * every other point by an independent policy replay over the engine's
 * page identities (pb_vm_key: a shared or file page is one page): a sweep
 * of policy-only jobs (kernels/vm/sweep.c) run in parallel on the
 * harness's team.  mrc replays policies, not the engine, so the engine's
 * options (--prepage, --tlb, --device, --backing, --threads, --hints,
 * --pt, --order) and --reps (a replay is deterministic) are errors here,
 * not silently ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/mrc.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pagebench/vm_drive.h"

struct mrc_opts {
	const char *workload;
	char **policies;
	size_t npolicies;
	uint64_t flo, fhi, fstep;
	int csv;
	uint64_t seed;
	const char *policy_params;
	const char *results;
};

static void mrc_usage(FILE *f)
{
	fprintf(f,
		"usage: pagebench mrc --workload SPEC --policy P1[,P2...] --frames LO:HI:STEP "
		"[options]\n"
		"Miss ratio against frames, one row per (policy, frames): LRU by stack distances,\n"
		"other policies by replays (policies alone: no TLB, prepaging or device).\n"
		"options:\n"
		"  --workload SPEC     generator or trace (see `pagebench list workloads`)\n"
		"  --policy LIST       eviction policies, or all (see `pagebench list policies`)\n"
		"  --policy-params KV  parameters passed to every policy (e.g. kin=0.25)\n"
		"  --frames LO:HI:STEP physical frames\n"
		"  --seed S            seed (default 1)\n"
		"  --results DIR       results root (default $PAGEBENCH_RESULTS or ./results)\n"
		"  --csv               print the rows on stdout\n");
}

static void parse_frames(const char *cmd, const char *frames, struct mrc_opts *o)
{
	char *end;
	const char *s = frames;
	errno = 0; /* an overflowing bound or step is ERANGE, not ULLONG_MAX */
	unsigned long long a = strtoull(s, &end, 10), b = 0, c = 0;
	int ok = end != s && *end == ':' && *s != '-';
	if (ok) {
		s = end + 1;
		b = strtoull(s, &end, 10);
		ok = end != s && *end == ':' && *s != '-';
	}
	if (ok) {
		s = end + 1;
		c = strtoull(s, &end, 10);
		ok = end != s && !*end && *s != '-';
	}
	if (!ok || errno == ERANGE || a < 1 || b < a || c < 1 || (b - a) / c > 100000)
		pb_usage_error(cmd,
			       "bad --frames '%s' (expected LO:HI:STEP, 1 <= LO <= HI, STEP >= 1, "
			       "at most 100000 points)",
			       frames);
	o->flo = a;
	o->fhi = b;
	o->fstep = c;
}

static void parse_opts(int argc, char **argv, struct mrc_opts *o)
{
	const char *cmd = "mrc";
	/* 'x': options of sim that mrc cannot honour */
	static const struct option lo[] = {{"workload", required_argument, 0, 'w'},
					   {"policy", required_argument, 0, 'p'},
					   {"frames", required_argument, 0, 'f'},
					   {"csv", no_argument, 0, 'c'},
					   {"seed", required_argument, 0, 's'},
					   {"results", required_argument, 0, 'R'},
					   {"policy-params", required_argument, 0, 'q'},
					   {"help", no_argument, 0, 'h'},
					   {"prepage", required_argument, 0, 'x'},
					   {"tlb", required_argument, 0, 'x'},
					   {"device", required_argument, 0, 'x'},
					   {"backing", required_argument, 0, 'x'},
					   {"threads", required_argument, 0, 'x'},
					   {"hints", required_argument, 0, 'x'},
					   {"reps", required_argument, 0, 'x'},
					   {"pt", required_argument, 0, 'x'},
					   {"order", required_argument, 0, 'x'},
					   {"fixed-seed", no_argument, 0, 'x'},
					   {"force", no_argument, 0, 'x'},
					   {0, 0, 0, 0}};
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	const char *frames = NULL;
	opterr = 0;
	optind = 1;
	int ch, li = -1;
	while ((ch = getopt_long(argc, argv, "h", lo, &li)) != -1) {
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
		case 'c':
			o->csv = 1;
			break;
		case 's':
			if (pb_parse_u64(optarg, &o->seed))
				pb_usage_error(
				    cmd, "bad --seed '%s' (expected an unsigned integer)", optarg);
			break;
		case 'R':
			if (!optarg[0])
				pb_usage_error(cmd, "bad --results '' (expected a folder)");
			o->results = optarg;
			break;
		case 'x':
			pb_usage_error(cmd,
				       "option '--%s' does not apply to mrc (policy replays: no "
				       "engine, one deterministic pass; use `pagebench sim`)",
				       lo[li].name);
		case 'h':
			mrc_usage(stdout);
			exit(0);
		default:
			if (ch == ':' || (optopt && strchr("wpfsRq", optopt)))
				pb_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			pb_usage_error(
			    cmd, "unknown or incomplete option '%s' (see pagebench %s --help)",
			    argv[optind - 1], cmd);
		}
		li = -1;
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
	parse_frames(cmd, frames, o);
}

static const char *const mrc_cols[] = {"workload", "policy",	 "frames", "refs",
				       "misses",   "miss_ratio", "method", NULL};

int pb_cmd_mrc(int argc, char **argv)
{
	const char *cmd = "mrc";
	struct mrc_opts o;
	parse_opts(argc, argv, &o);
	pb_vm_cli_check_params(cmd, o.policies, o.npolicies, o.seed, o.policy_params);
	char err[512];
	struct pb_vm_loaded l;
	int rc = pb_vm_load(o.workload, o.seed, &l, err, sizeof(err));
	if (rc == -EINVAL)
		pb_usage_error(cmd, "%s", err);
	if (!rc && pb_vm_load_keys(&l)) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "out of memory");
	}
	if (!rc && pb_vm_cli_need_next_use(o.policies, o.npolicies) && pb_vm_load_next_use(&l)) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "out of memory computing next uses");
	}
	if (rc) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	size_t n = l.s.n;
	size_t npts = (size_t)((o.fhi - o.flo) / o.fstep + 1);
	size_t njobs = o.npolicies * npts;
	struct pb_vm_sweep_job *jobs = calloc(njobs, sizeof(*jobs));
	uint8_t *onepass = calloc(njobs, 1);
	if (!jobs || !onepass) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	/* LRU points from one stack-distance pass; the rest are replays,
	 * listed first in the sweep so that it needs no holes */
	size_t nrep = 0;
	struct pb_vm_sweep_job *rows = calloc(njobs, sizeof(*rows));
	size_t *row_job = calloc(njobs, sizeof(*row_job));
	if (!rows || !row_job) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	for (size_t p = 0, k = 0; p < o.npolicies; p++) {
		const struct pb_policy_desc *d = pb_policy_find(o.policies[p]);
		uint64_t *curve = NULL;
		if (!strcmp(d->name, "lru")) {
			curve = calloc(npts, sizeof(uint64_t));
			uint64_t *fr = calloc(npts, sizeof(uint64_t));
			if (curve && fr)
				for (size_t i = 0; i < npts; i++)
					fr[i] = o.flo + i * o.fstep;
			if (!curve || !fr || pb_mrc_lru(l.keys, n, fr, npts, curve)) {
				free(curve); /* fall back to replays */
				curve = NULL;
			}
			free(fr);
		}
		for (size_t i = 0; i < npts; i++, k++) {
			rows[k].policy = d;
			rows[k].frames = o.flo + i * o.fstep;
			if (curve) {
				rows[k].st.refs = n;
				rows[k].st.faults = curve[i];
				onepass[k] = 1;
				continue;
			}
			struct pb_vm_sweep_job *j = &jobs[nrep];
			j->policy = d;
			j->frames = rows[k].frames;
			j->seed = o.seed;
			j->stream = &l.s;
			j->policy_only = 1;
			row_job[k] = nrep++;
		}
		free(curve);
	}
	struct pb_run *run = pb_run_create(o.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	pb_vm_cli_config(run, o.workload, &l, o.seed, o.policies, o.npolicies, o.policy_params);
	char buf[128];
	snprintf(buf, sizeof(buf),
		 "{\"lo\": %" PRIu64 ", \"hi\": %" PRIu64 ", \"step\": %" PRIu64 "}", o.flo, o.fhi,
		 o.fstep);
	pb_run_config_json(run, "frames", buf);
	struct pb_csv *csv = pb_run_csv(run, "mrc.csv", mrc_cols, o.csv ? stdout : NULL);
	if (!csv) {
		pb_error(cmd, "cannot open mrc.csv in %s", pb_run_dir(run));
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	struct pb_vm_cfg base;
	pb_vm_cfg_default(&base);
	base.policy_params = o.policy_params;
	struct pb_vm_sweep *sw;
	if (pb_vm_sweep_create(&base, jobs, nrep, &sw)) {
		pb_error(cmd, "out of memory");
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	pb_progress_begin("mrc", nrep);
	(void)pb_vm_sweep_team(sw, nrep, 1, pb_topo_npus());
	pb_progress_end();
	pb_vm_sweep_destroy(sw);
	int failed = 0;
	for (size_t k = 0; k < njobs; k++) {
		const struct pb_vm_sweep_job *j = onepass[k] ? &rows[k] : &jobs[row_job[k]];
		if (j->rc) {
			pb_error(cmd, "policy %s, %" PRIu64 " frames: %s", rows[k].policy->name,
				 rows[k].frames, j->err);
			failed = 1;
			continue;
		}
		pb_csv_begin(csv);
		pb_csv_str(csv, l.canonical);
		pb_csv_str(csv, rows[k].policy->name);
		pb_csv_u64(csv, rows[k].frames);
		pb_csv_u64(csv, n);
		pb_csv_u64(csv, j->st.faults);
		pb_csv_dbl(csv, (double)j->st.faults / (double)n);
		pb_csv_str(csv, onepass[k] ? "stack-distance" : "replay");
		pb_csv_end(csv);
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = pb_run_finish(run);
	if (frc)
		pb_error(cmd, "cannot write results in %s: %s", dir, strerror(-frc));
	else if (!o.csv)
		fprintf(stderr, "pagebench mrc: %zu rows in %s/mrc.csv\n", njobs, dir);
	free(jobs);
	free(rows);
	free(row_job);
	free(onepass);
	pb_free_list(o.policies, o.npolicies);
	pb_vm_load_free(&l);
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
