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
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/mrc.h"
#include "pagebench/param.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pagebench/vm_drive.h"

/* The options as the table stores them (pagebench/param.h). */
struct mrc_cfg {
	char *workload, *policy, *frames, *results, *policy_params, *label;
	uint64_t seed;
	int csv;
};

struct mrc_opts {
	struct mrc_cfg c;
	struct pb_vm_cli_policy *pol;
	size_t npol;
	uint64_t flo, fhi, fstep;
	int csv;
	uint64_t seed;
};

/*
 * mrc's options: parsing, --help, the error lines and meta.json's
 * "options" come from this table.  The engine's options (--prepage, --tlb,
 * --device, --backing, --threads, --hints, --pt, --order) and --reps are
 * not here: mrc replays policies alone, deterministically, so they are
 * refused as unknown options, by name.  To add an option: one entry here
 * and its field in struct mrc_cfg (docs/policies.md, "How to add a CLI
 * option to sim or mrc").
 */
#define O(f) offsetof(struct mrc_cfg, f)
static const struct pb_param mrc_options[] = {
    {"workload", PB_PT_STR, O(workload), NULL,
     "generator or trace (see `pagebench list workloads`)", NULL, 0, 0, 0, PB_PF_REQUIRED, "SPEC"},
    {"policy", PB_PT_STR, O(policy), NULL,
     "policies NAME[:k=v,...] (s3fifo:move_threshold=2,lirs), or all (`pagebench list policies "
     "-v`)",
     NULL, 0, 0, 0, PB_PF_REQUIRED, "LIST"},
    {"frames", PB_PT_STR, O(frames), NULL, "physical frames LO:HI:STEP (at most 100000 points)",
     NULL, 0, 0, 0, PB_PF_REQUIRED, "LO:HI:STEP"},
    {"seed", PB_PT_U64, O(seed), "1", "seed of the workload and of randomised policies", NULL, 0, 0,
     0, 0, "S"},
    {"label", PB_PT_STR, O(label), NULL,
     "label column of every CSV and meta.json (e.g. a machine name)", NULL, 0, 0, 0, 0, "NAME"},
    {"results", PB_PT_STR, O(results), NULL,
     "results root (default $PAGEBENCH_RESULTS or ./results)", NULL, 0, 0, 0, PB_PF_NOMETA, "DIR"},
    {"csv", PB_PT_FLAG, O(csv), NULL, "print the rows on stdout", NULL, 0, 0, 0, PB_PF_NOMETA,
     NULL},
    /* replaced by per-policy parameters; kept only to say so */
    {"policy-params", PB_PT_STR, O(policy_params), NULL, "replaced by --policy NAME:k=v", NULL, 0,
     0, 0, PB_PF_HIDDEN | PB_PF_NOMETA, "KV"},
    {0},
};
#undef O

static void mrc_usage(FILE *f)
{
	fprintf(f, "usage: pagebench mrc --workload SPEC --policy P1[,P2...] --frames LO:HI:STEP "
		   "[options]\n"
		   "Miss ratio against frames, one row per (policy, frames): LRU by stack "
		   "distances,\n"
		   "other policies by replays (policies alone: no TLB, prepaging or device).\n"
		   "options:\n");
	pb_param_help(mrc_options, f, 1);
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
	char err[512];
	memset(o, 0, sizeof(*o));
	if (pb_param_defaults(mrc_options, &o->c, err, sizeof(err)))
		pb_usage_error(cmd, "%s", err);
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error(cmd, "out of memory");
	int rc =
	    pb_param_getopt(mrc_options, &o->c, argc, argv, pos, &npos, NULL, err, sizeof(err));
	if (rc == 1) {
		mrc_usage(stdout);
		free(pos);
		pb_param_free(mrc_options, &o->c);
		exit(0);
	}
	if (rc && !strncmp(err, "unknown option", 14))
		pb_usage_error(cmd,
			       "%s (mrc replays policies alone, one deterministic pass: the "
			       "engine's options are sim's; see pagebench mrc --help)",
			       err);
	if (rc)
		pb_usage_error(cmd, "%s (see pagebench mrc --help)", err);
	if (npos)
		pb_usage_error(cmd, "unexpected argument '%s'", pos[0]);
	free(pos);
	struct mrc_cfg *c = &o->c;
	if (c->policy_params)
		pb_usage_error(cmd,
			       "option '--policy-params' was replaced by per-policy parameters: "
			       "--policy NAME:k=v,... (see `pagebench list policies -v`)");
	if (c->results && !c->results[0])
		pb_usage_error(cmd, "bad --results '' (expected a folder)");
	o->seed = c->seed;
	o->csv = c->csv;
	rc = pb_vm_cli_policies(c->policy, o->seed, &o->pol, &o->npol, err, sizeof(err));
	if (rc == -ENOMEM)
		pb_usage_error(cmd, "out of memory");
	if (rc)
		pb_usage_error(cmd, "bad --policy: %s (see `pagebench list policies -v`)", err);
	parse_frames(cmd, c->frames, o);
}

static const char *const mrc_cols[] = {"workload", "policy",	 "policy_params", "frames", "refs",
				       "misses",   "miss_ratio", "method",	  NULL};

int pb_cmd_mrc(int argc, char **argv)
{
	const char *cmd = "mrc";
	struct mrc_opts o;
	parse_opts(argc, argv, &o);
	char err[512];
	struct pb_vm_loaded l;
	int rc = pb_vm_load(o.c.workload, o.seed, &l, err, sizeof(err));
	if (rc == -EINVAL)
		pb_usage_error(cmd, "%s", err);
	if (!rc && pb_vm_load_keys(&l)) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "out of memory");
	}
	if (!rc && pb_vm_cli_need_next_use(o.pol, o.npol) && pb_vm_load_next_use(&l)) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "out of memory computing next uses");
	}
	if (rc) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	size_t n = l.s.n;
	size_t npts = (size_t)((o.fhi - o.flo) / o.fstep + 1);
	size_t njobs = o.npol * npts;
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
	for (size_t p = 0, k = 0; p < o.npol; p++) {
		const struct pb_policy_desc *d = o.pol[p].d;
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
			rows[k].policy_params = o.pol[p].params;
			rows[k].tag = p;
			rows[k].frames = o.flo + i * o.fstep;
			if (curve) {
				rows[k].st.refs = n;
				rows[k].st.faults = curve[i];
				onepass[k] = 1;
				continue;
			}
			struct pb_vm_sweep_job *j = &jobs[nrep];
			j->policy = d;
			j->policy_params = o.pol[p].params;
			j->tag = p;
			j->frames = rows[k].frames;
			j->seed = o.seed;
			j->stream = &l.s;
			j->policy_only = 1;
			row_job[k] = nrep++;
		}
		free(curve);
	}
	struct pb_run *run = pb_run_create(o.c.results, argc, argv, err, sizeof(err));
	if (run && o.c.label)
		pb_run_set_label(run, o.c.label);
	if (!run) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	pb_vm_cli_config(run, &l, o.pol, o.npol);
	/* every option as parsed, defaults filled in: the table's own JSON */
	json_t *opts = pb_param_json(mrc_options, &o.c);
	char *txt = opts ? json_dumps(opts, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "options", txt);
	free(txt);
	json_decref(opts);
	json_t *fr = json_pack("{s:I, s:I, s:I}", "lo", (json_int_t)o.flo, "hi", (json_int_t)o.fhi,
			       "step", (json_int_t)o.fstep);
	txt = fr ? json_dumps(fr, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "frames_range", txt);
	free(txt);
	json_decref(fr);
	struct pb_csv *csv = pb_run_csv(run, "mrc.csv", mrc_cols, o.csv ? stdout : NULL);
	if (!csv) {
		pb_error(cmd, "cannot open mrc.csv in %s", pb_run_dir(run));
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	struct pb_vm_cfg base;
	pb_vm_cfg_default(&base);
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
		pb_csv_str(csv, o.pol[rows[k].tag].effective);
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
	pb_vm_cli_policies_free(o.pol, o.npol);
	pb_param_free(mrc_options, &o.c);
	pb_vm_load_free(&l);
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
