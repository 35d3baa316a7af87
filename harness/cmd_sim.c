/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_sim.c - `pagebench sim`: the demand-paging engine over a grid
 * of (policy, frames, repetition).
 *
 * Options, the run folder and the rows; the work is in the library: the
 * grid is a sweep of fresh engines (pb_vm_sweep, kernels/vm/sweep.c), or
 * with --model policy of policies alone (the eviction decision, no TLB,
 * I/O or cost: those columns NA).  With one engine thread (and always
 * with --model policy) the stream is not loaded: one reader pass per
 * workload seed feeds every configuration batch by batch on --workers
 * team threads (pb_vm_sweep_stream_team; OPT keeps an 8 B/ref next-use
 * array).  With --threads T each configuration runs on T pinned engine
 * threads, one after another, over the stream loaded once per workload
 * seed (pb_vm_load, pb_vm_sweep_team), as with a real backing file.
 * Repetition r replays the workload opened with seed S + r (S: --seed),
 * so synthetic workloads get real error bars; --fixed-seed replays seed S
 * every time (a trace, or a spec with its own seed=, is the same stream
 * whatever the seed).  Rows go to sim.csv in a new run folder (and stdout
 * with --csv).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "pagebench/vm_drive.h"

/* The options as the table stores them (pagebench/param.h). */
struct sim_cfg {
	char *workload, *policy, *frames, *tlb, *backing, *results, *policy_params, *label;
	unsigned prepage, pt, order, hints, device;
	unsigned model; /* --model: enum sim_model */
	uint64_t threads, reps, seed;
	uint64_t workers; /* --workers */
	int fixed_seed, force, csv;
	char *caches;
	unsigned thp;  /* enum pb_vm_thp */
	uint64_t swap; /* swap area in pages (0: unlimited) */
};

/* What the command runs with, checked and resolved from sim_cfg. */
struct sim_opts {
	struct sim_cfg c;
	struct pb_vm_cli_policy *pol;
	size_t npol;
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
	const struct pb_cost_device *device;
	const char *backing; /* NULL: simulated */
	int policy_model;    /* --model policy */
	struct pb_cache_geom caches;
};

/* Choices filled from the registries (pb_prepages[], pb_cost_devices[])
 * before the table is used: one list, the registry's. */
static const char *prepage_names[16], *device_names[16];
static const char *const pt_names[] = {"radix", "hashed", NULL};   /* enum pb_vm_pt */
static const char *const order_names[] = {"strict", "free", NULL}; /* enum pb_vm_order */
static const char *const hints_names[] = {"exact", "abit", NULL};  /* enum pb_vm_hints */
enum sim_model { SIM_MODEL_ENGINE = 0, SIM_MODEL_POLICY = 1 };
static const char *const model_names[] = {"engine", "policy", NULL}; /* enum sim_model */

/*
 * sim's options: parsing, --help, the error lines and meta.json's
 * "options" all come from this table.  To add an option: one entry here
 * (and its field in struct sim_cfg), then use the value in pb_cmd_sim
 * (docs/policies.md, "How to add a CLI option to sim or mrc").
 */
#define O(f) offsetof(struct sim_cfg, f)
static const struct pb_param sim_options[] = {
    {"workload", PB_PT_STR, O(workload), NULL,
     "generator or trace (see `pagebench list workloads`)", NULL, 0, 0, 0, PB_PF_REQUIRED, "SPEC"},
    {"policy", PB_PT_STR, O(policy), NULL,
     "policies NAME[:k=v,...] (s3fifo:move_threshold=2,lirs), or all (`pagebench list policies "
     "-v`), each once",
     NULL, 0, 0, 0, PB_PF_REQUIRED, "LIST"},
    {"frames", PB_PT_STR, O(frames), NULL,
     "physical frames (64,128 or 64-66; each 1..2^30-1, a range of at most 4097), each once", NULL,
     0, 0, 0, PB_PF_REQUIRED, "LIST"},
    {"model", PB_PT_ENUM, O(model), "engine",
     "engine: the whole machine (TLB, page tables, faults, I/O, cost); policy: the eviction "
     "decision alone (refs, hits, faults, evictions; the rest NA), at the policy's speed",
     model_names, 0, 0, 0, 0, "M"},
    {"prepage", PB_PT_ENUM, O(prepage), "demand", "prepaging strategy", prepage_names, 0, 0, 0, 0,
     "S"},
    {"pt", PB_PT_ENUM, O(pt), "radix", "page tables", pt_names, 0, 0, 0, 0, "KIND"},
    {"threads", PB_PT_U64, O(threads), "1", "engine threads per configuration", NULL, 1, 1024, 0, 0,
     "T"},
    {"workers", PB_PT_U64, O(workers), "0",
     "configurations replayed at once with --threads 1, the sweep's worker threads (0: one per "
     "PU)",
     NULL, 0, 1024, 0, 0, "W"},
    {"order", PB_PT_ENUM, O(order), "strict",
     "strict: deterministic chunks in stream order; free: as threads get there", order_names, 0, 0,
     0, 0, "O"},
    {"hints", PB_PT_ENUM, O(hints), "exact",
     "exact: every hit reaches the policy (= replay); abit: once per policy miss per TLB "
     "entry, as accessed bits (HW policies only)",
     hints_names, 0, 0, 0, 0, "H"},
    {"reps", PB_PT_U64, O(reps), "6",
     "repetitions; repetition r opens the workload with seed S+r (the `seed` column) unless "
     "--fixed-seed",
     NULL, 1, 10000, 0, 0, "R"},
    {"seed", PB_PT_U64, O(seed), "1", "seed S", NULL, 0, 0, 0, 0, "S"},
    {"fixed-seed", PB_PT_FLAG, O(fixed_seed), NULL,
     "every repetition replays the workload of seed S", NULL, 0, 0, 0, 0, NULL},
    {"tlb", PB_PT_STR, O(tlb), "skylake",
     "TLB profile (skylake|icelake|zen3|zen4|textbook) or geometry l1=E:W,l1i=E:W,l2=E:W,l1_2m=E:W "
     "(meta.json's config.tlb.geometry)",
     NULL, 0, 0, 0, 0, "P"},
    {"caches", PB_PT_STR, O(caches), "none",
     "CPU caches in front of DRAM: none, profile (the --tlb CPU's), auto (profile if the "
     "--tlb has one), a profile name, or L1d=32K:8,L1i=32K:8,L2=1M:16,L3=32M:16 (docs/cache.md)",
     NULL, 0, 0, 0, 0, "C"},
    {"device", PB_PT_ENUM, O(device), "nvme", "backing device cost model", device_names, 0, 0, 0, 0,
     "D"},
    {"backing", PB_PT_STR, O(backing), "sim",
     "sim, or file:PATH (real pread/pwrite on PATH, created and removed by the run; an "
     "existing PATH is refused)",
     NULL, 0, 0, 0, 0, "B"},
    {"force", PB_PT_FLAG, O(force), NULL,
     "with file:PATH, reuse (truncate) an existing regular file", NULL, 0, 0, 0, 0, NULL},
    {"label", PB_PT_STR, O(label), NULL,
     "label column of every CSV and meta.json (e.g. a machine name)", NULL, 0, 0, 0, 0, "NAME"},
    {"results", PB_PT_STR, O(results), NULL,
     "results root (default $PAGEBENCH_RESULTS or ./results)", NULL, 0, 0, 0, PB_PF_NOMETA, "DIR"},
    {"csv", PB_PT_FLAG, O(csv), NULL, "print the rows on stdout", NULL, 0, 0, 0, PB_PF_NOMETA,
     NULL},
    /* replaced by per-policy parameters; kept only to say so */
    {"policy-params", PB_PT_STR, O(policy_params), NULL, "replaced by --policy NAME:k=v", NULL, 0,
     0, 0, PB_PF_HIDDEN | PB_PF_NOMETA, "KV"},
    {"thp", PB_PT_ENUM, O(thp), "never",
     "transparent huge pages: always (anonymous regions), madvise (regions flagged THP)",
     pb_vm_thp_names, 0, 0, 0, 0, "MODE"},
    {"swap", PB_PT_U64, O(swap), "0",
     "swap area in pages (0: unlimited); full: the largest process is OOM-killed", NULL, 0, 0, 0, 0,
     "PAGES"},
    {0},
};
#undef O

static void fill_choices(void)
{
	for (size_t i = 0; pb_prepages[i] && i + 1 < PB_ARRAY_SIZE(prepage_names); i++)
		prepage_names[i] = pb_prepages[i]->name;
	for (size_t i = 0; pb_cost_devices[i] && i + 1 < PB_ARRAY_SIZE(device_names); i++)
		device_names[i] = pb_cost_devices[i]->name;
}

static void sim_usage(FILE *f)
{
	fprintf(f, "usage: pagebench sim --workload SPEC --policy P1[,P2...] --frames N1[,N2...] "
		   "[options]\n"
		   "Demand-paging simulation: TLB, page walk, faults, eviction, prepaging, cost.\n"
		   "options:\n");
	pb_param_help(sim_options, f, 1);
	fprintf(f, "prepaging strategies:\n");
	for (size_t i = 0; pb_prepages[i]; i++)
		fprintf(f, "  %-12s %s\n", pb_prepages[i]->name, pb_prepages[i]->help);
}

static void parse_opts(int argc, char **argv, struct sim_opts *o)
{
	const char *cmd = "sim";
	char err[PB_KERNEL_ERRLEN];
	memset(o, 0, sizeof(*o));
	fill_choices();
	if (pb_param_defaults(sim_options, &o->c, err, sizeof(err)))
		pb_usage_error(cmd, "%s", err);
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error(cmd, "out of memory");
	int rc =
	    pb_param_getopt(sim_options, &o->c, argc, argv, pos, &npos, NULL, err, sizeof(err));
	if (rc == 1) {
		sim_usage(stdout);
		free(pos);
		pb_param_free(sim_options, &o->c);
		exit(0);
	}
	if (rc)
		pb_usage_error(cmd, "%s (see pagebench sim --help)", err);
	if (npos)
		pb_usage_error(cmd, "unexpected argument '%s'", pos[0]);
	free(pos);
	struct sim_cfg *c = &o->c;
	if (c->policy_params)
		pb_usage_error(cmd,
			       "option '--policy-params' was replaced by per-policy parameters: "
			       "--policy NAME:k=v,... (see `pagebench list policies -v`)");
	o->prepage = pb_prepages[c->prepage];
	o->pt = c->pt ? PB_VM_PT_HASHED : PB_VM_PT_RADIX;
	o->order = c->order ? PB_VM_ORDER_FREE : PB_VM_ORDER_STRICT;
	o->hints = c->hints ? PB_VM_HINTS_ABIT : PB_VM_HINTS_EXACT;
	o->threads = (unsigned)c->threads;
	o->reps = (unsigned)c->reps;
	o->seed = c->seed;
	o->csv = c->csv;
	o->fixed_seed = c->fixed_seed;
	o->force = c->force;
	o->device = pb_cost_devices[c->device];
	if (!strcmp(c->backing, "sim"))
		o->backing = NULL;
	else if (!strncmp(c->backing, "file:", 5) && c->backing[5])
		o->backing = c->backing + 5;
	else
		pb_usage_error(cmd, "bad --backing '%s' (expected sim or file:PATH)", c->backing);
	if (c->results && !c->results[0])
		pb_usage_error(cmd, "bad --results '' (expected a folder)");
	rc = pb_vm_cli_policies(c->policy, o->seed, &o->pol, &o->npol, err, sizeof(err));
	if (rc == -ENOMEM)
		pb_usage_error(cmd, "out of memory");
	if (rc)
		pb_usage_error(cmd, "bad --policy: %s (see `pagebench list policies -v`)", err);
	if (pb_parse_u64_list(c->frames, &o->frames, &o->nframes) || !o->nframes)
		pb_usage_error(cmd,
			       "bad --frames '%s' (expected e.g. 64,128 or 64-70; a range holds at "
			       "most 4097 counts: `mrc --frames LO:HI:STEP` sweeps more)",
			       c->frames);
	for (size_t i = 0; i < o->nframes; i++)
		if (o->frames[i] < 1 || o->frames[i] >= PB_POL_FRAMES_MAX)
			pb_usage_error(cmd, "bad --frames '%s' (each count 1..2^30-1)", c->frames);
	/* each once, in the order given: '10,10' replayed the same
	 * configurations twice and wrote identical rows (as --threads of run) */
	o->nframes = pb_u64_unique_stable(o->frames, o->nframes);
	if (pb_tlb_parse(c->tlb, &o->tlb, err, sizeof(err)))
		pb_usage_error(cmd, "bad --tlb: %s", err);
	if (pb_cache_parse_for(c->caches, o->tlb.name, &o->caches, err, sizeof(err)))
		pb_usage_error(cmd, "bad --caches: %s", err);
	if (c->thp && o->pt != PB_VM_PT_RADIX)
		pb_usage_error(cmd, "option '--thp' needs 2 MiB page-table leaves: use --pt radix");
	if (o->force && !o->backing)
		pb_usage_error(cmd, "option '--force' applies to --backing file:PATH only");
	o->policy_model = c->model == SIM_MODEL_POLICY;
	if (o->policy_model) { /* what only the engine models is refused, not ignored */
		if (o->prepage != &pb_prepage_demand)
			pb_usage_error(cmd, "--model policy replays demand paging only (--prepage "
					    "is the engine's)");
		if (o->threads != 1)
			pb_usage_error(cmd,
				       "--model policy replays on one thread per configuration "
				       "(--threads is the engine's)");
		if (o->backing)
			pb_usage_error(cmd, "--model policy has no backing store (--backing is the "
					    "engine's)");
		if (o->hints != PB_VM_HINTS_EXACT)
			pb_usage_error(cmd, "--model policy gives the policy every reference "
					    "(--hints abit is the engine's)");
		if (pb_cache_geom_enabled(&o->caches))
			pb_usage_error(cmd, "--model policy has no CPU caches (--caches is the "
					    "engine's)");
		if (c->thp)
			pb_usage_error(cmd,
				       "--model policy has no huge pages (--thp is the engine's)");
		if (c->swap)
			pb_usage_error(cmd,
				       "--model policy has no swap area (--swap is the engine's)");
		/* their columns are NA, but meta.json's options would record the
		 * value and compare see a configuration that changed nothing */
		if (strcmp(c->tlb, pb_param_find(sim_options, "tlb")->def))
			pb_usage_error(cmd, "--model policy has no TLB (--tlb is the engine's)");
		if (strcmp(device_names[c->device], pb_param_find(sim_options, "device")->def))
			pb_usage_error(cmd, "--model policy has no cost model (--device is the "
					    "engine's)");
		if (o->pt != PB_VM_PT_RADIX)
			pb_usage_error(cmd,
				       "--model policy has no page tables (--pt is the engine's)");
		if (o->order != PB_VM_ORDER_STRICT)
			pb_usage_error(cmd, "--model policy replays the stream in order on one "
					    "thread (--order free is the engine's)");
	} else if (o->order == PB_VM_ORDER_FREE && o->threads == 1) {
		/* one engine thread replays the stream in order whatever --order
		 * says: the row and config.options say strict, what ran (a
		 * sweep of --threads, one value a run, keeps its T=1 point, and
		 * compare sees no configuration that changed nothing) */
		fprintf(stderr, "pagebench sim: note: --order free with one engine thread is "
				"strict order (the stream in order): recorded as strict\n");
		o->order = PB_VM_ORDER_STRICT;
		c->order = 0;
	}
	if (o->backing) {
		/* refused before anything runs, by the engine's own open (an
		 * existing file, a folder in the way, another run's lock), with
		 * the whole path and the reason, once (not as every job's
		 * failure); the engine's O_EXCL closes the race */
		char berr[PB_KERNEL_ERRLEN];
		int brc = pb_vm_backing_check(o->backing, o->force, berr, sizeof(berr));
		if (brc == -EBUSY) {
			pb_error(cmd, "%s", berr);
			exit(PB_EXIT_FAIL);
		}
		if (brc)
			pb_usage_error(cmd, "bad --backing: %s", berr);
	}
}

/* The workload seed a stream really used: seed= of its canonical spec
 * (generators; a spec's own seed= wins over --seed), else the one given;
 * 0 for a trace, whose stream takes no seed (its seed cell is NA). */
static int stream_seed(const struct pb_vm_loaded *l, uint64_t *seed)
{
	if (l->trace_path[0])
		return 0;
	const char *p = strstr(l->canonical, "seed=");
	if (p && (p == l->canonical || p[-1] == ',' || p[-1] == ':'))
		*seed = strtoull(p + 5, NULL, 10);
	else
		*seed = l->seed;
	return 1;
}

#define TRACE_SEED_NA                                                                              \
	"the workload is a trace: one recorded stream, which no seed took part in (the same "      \
	"whatever --seed)"

static const char *const sim_cols[] = {"workload", "policy",  "policy_params", "frames", "prepage",
				       "pt",	   "threads", "order",	       "hints",	 "tlb",
				       "device",   "backing", "rep",	       "seed",	 NULL};

#define POLICY_MODEL_NA "--model policy replays the eviction decision alone (no TLB, I/O or cost)"
#define POLICY_SEED_NA	"the row's policy draws no random numbers: no seed took part in its choices"

/* sim_summary.csv's NA cells of statistic `x` (fault_rate, eat_ns,
 * accesses_per_s), each with its reason in meta.json not_available: the
 * median where no repetition gave a value (none_why), the CI bounds where
 * fewer than 6 did. */
static void note_stat_na(struct pb_run *run, const char *x, const struct pb_stat *s,
			 const char *none_why)
{
	char col[64], few[256];
	if (isnan(s->median)) {
		snprintf(col, sizeof(col), "median_%s", x);
		pb_run_note_na(run, col, none_why);
	}
	if (s->ci95_valid)
		return;
	snprintf(few, sizeof(few),
		 "fewer than %d repetitions with a value (--reps below %d, or failed ones): a "
		 "distribution-free 95%% CI of the median needs at least %d (ci95_valid_%s is 0)",
		 PB_STAT_MIN_CI_REPS, PB_STAT_MIN_CI_REPS, PB_STAT_MIN_CI_REPS, x);
	for (int hi = 0; hi < 2; hi++) {
		snprintf(col, sizeof(col), "ci95_%s_%s", hi ? "hi" : "lo", x);
		pb_run_note_na(run, col, s->n ? few : none_why);
	}
}

#define NO_REP_FINISHED                                                                            \
	"no repetition of this configuration finished (its rows have valid=0: meta.json errors)"

/*
 * sim_summary.csv: one row per (policy, frames) over the repetitions, each
 * a workload of its own seed (unless --fixed-seed): the median and the
 * 95% CI of the median of the fault rate, the effective access time and
 * the replay speed, through the measurement skeleton's pb_stat_of, so
 * sim's numbers get the same treatment as run's.
 */
static int sim_summary(struct pb_run *run, const struct sim_opts *o, const struct pb_vm_loaded *s0,
		       const struct pb_vm_sweep_job *jobs, int echo)
{
	static const char *const cols[] = {"workload",
					   "policy",
					   "policy_params",
					   "frames",
					   "prepage",
					   "reps",
					   "median_fault_rate",
					   "ci95_lo_fault_rate",
					   "ci95_hi_fault_rate",
					   "ci95_valid_fault_rate",
					   "median_eat_ns",
					   "ci95_lo_eat_ns",
					   "ci95_hi_eat_ns",
					   "ci95_valid_eat_ns",
					   "median_accesses_per_s",
					   "ci95_lo_accesses_per_s",
					   "ci95_hi_accesses_per_s",
					   "ci95_valid_accesses_per_s",
					   NULL};
	struct pb_csv *csv = pb_run_csv(run, "sim_summary.csv", cols, NULL);
	double *x = calloc(3 * (size_t)o->reps, sizeof(double));
	(void)echo;
	if (!csv || !x) {
		free(x);
		return -1;
	}
	for (size_t p = 0; p < o->npol; p++)
		for (size_t f = 0; f < o->nframes; f++) {
			const struct pb_vm_sweep_job *j = &jobs[(p * o->nframes + f) * o->reps];
			double *fr = x, *eat = x + o->reps, *sp = x + 2 * (size_t)o->reps;
			for (unsigned r = 0; r < o->reps; r++) {
				int ok = j[r].rc == 0 && j[r].st.refs;
				fr[r] = ok ? (double)j[r].st.faults / (double)j[r].st.refs : NAN;
				eat[r] = ok ? j[r].eat_ns : NAN;
				sp[r] = ok && j[r].seconds > 0 ? (double)j[r].st.refs / j[r].seconds
							       : NAN;
			}
			struct pb_stat a = pb_stat_of(fr, o->reps, 0),
				       b = pb_stat_of(eat, o->reps, 0),
				       c = pb_stat_of(sp, o->reps, 0);
			pb_csv_begin(csv);
			pb_csv_str(csv, s0->canonical);
			pb_csv_str(csv, o->pol[p].d->name);
			pb_csv_str(csv, o->pol[p].effective);
			pb_csv_u64(csv, o->frames[f]);
			pb_csv_str(csv, pb_prepage_name(o->prepage));
			pb_csv_u64(csv, a.n);
			pb_csv_stat(csv, &a);
			pb_csv_stat(csv, &b);
			pb_csv_stat(csv, &c);
			pb_csv_end(csv);
			note_stat_na(run, "fault_rate", &a, NO_REP_FINISHED);
			note_stat_na(run, "eat_ns", &b,
				     o->policy_model ? POLICY_MODEL_NA : NO_REP_FINISHED);
			note_stat_na(run, "accesses_per_s", &c,
				     "no repetition of this configuration finished in a measurable "
				     "time (a failed one's rows have valid=0: meta.json errors)");
		}
	free(x);
	return pb_run_error(run);
}

/* meta.json's config.cost: the constants eat_ns was computed with (the
 * device profile's ns per event, kernels/vm/cost.c, and the CPU caches'
 * hit times, null without caches or for an absent level), so that a
 * row's eat_ns follows from its counts and these (docs/engine.md, "Cost
 * model"). */
static json_t *cost_json(const struct sim_opts *o)
{
	const struct pb_cost_device *d = o->device;
	const struct pb_cache_geom *g = &o->caches;
	json_t *caches = json_null();
	if (pb_cache_geom_enabled(g))
		caches = json_pack("{s:o, s:o, s:o}", "l1",
				   g->l1d.size || g->l1i.size ? json_real(g->l1_ns) : json_null(),
				   "l2", g->l2.size ? json_real(g->l2_ns) : json_null(), "l3",
				   g->l3.size ? json_real(g->l3_ns) : json_null());
	return json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o}", "device",
			 d->name, "sram_ns", d->sram_ns, "dram_ns", d->dram_ns, "l2tlb_ns",
			 d->l2tlb_ns, "walk_ns", d->walk_ns, "fault_ns", d->fault_ns, "zero_ns",
			 d->zero_ns, "copy_ns", d->copy_ns, "read_ns", d->read_ns, "write_ns",
			 d->write_ns, "xfer_ns", d->xfer_ns, "caches_ns", caches);
}

/* The events the policy model counts; every other event column is NA. */
static int policy_model_event(enum pb_vm_event e)
{
	return e == PB_VM_EV_refs || e == PB_VM_EV_hits || e == PB_VM_EV_faults ||
	       e == PB_VM_EV_evictions;
}
/*
 * The run folder, its meta.json config and sim.csv's header.  Streamed
 * replays open it after the sweep (the stream's length and distinct pages
 * are known then, and a refused stream leaves no folder); loaded ones
 * before, as always.
 */
static struct pb_run *sim_run_open(int argc, char **argv, const struct sim_opts *o,
				   const struct pb_vm_loaded *s0, const char *replay,
				   struct pb_csv **csvp)
{
	const char *cmd = "sim";
	char err[PB_KERNEL_ERRLEN];
	struct pb_run *run = pb_run_create(o->c.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error(cmd, "%s", err);
		return NULL;
	}
	if (o->c.label)
		pb_run_set_label(run, o->c.label);
	pb_vm_cli_config(run, s0, o->pol, o->npol);
	/* every option as parsed, defaults filled in: the table's own JSON */
	json_t *opts = pb_param_json(sim_options, &o->c);
	pb_run_set_thread_rows(run, o->threads > 1); /* rows of several: the round trip's note */
	char *txt = opts ? json_dumps(opts, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "options", txt);
	free(txt);
	json_decref(opts);
	/* what the options resolve to */
	char geo[128];
	pb_tlb_geom_str(&o->tlb, geo, sizeof(geo));
	json_t *tlb = json_pack("{s:s, s:s, s:s}", "profile", o->tlb.name, "geometry", geo,
				"source", o->tlb.source);
	txt = tlb ? json_dumps(tlb, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "tlb", txt);
	free(txt);
	json_decref(tlb);
	pb_run_config_str(run, "device_source", o->device->source);
	if (!o->policy_model) /* no cost model there: eat_ns is NA */
		pb_run_config_set(run, "cost", cost_json(o));
	pb_cache_geom_str(&o->caches, geo, sizeof(geo));
	pb_run_config_set(run, "caches",
			  json_pack("{s:s, s:s, s:s?, s:s?}", "profile", o->caches.name, "geometry",
				    geo, "source", o->caches.source, "latency_source",
				    o->caches.lat_source));
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++) /* columns this hierarchy cannot count */
		if (!o->policy_model && pb_vm_cache_event_na((enum pb_vm_event)e, &o->caches))
			pb_run_note_na(run, pb_vm_events[e].name,
				       pb_vm_cache_event_na((enum pb_vm_event)e, &o->caches));
	/* which model and how the stream was replayed */
	pb_run_config_str(run, "model", o->policy_model ? "policy" : "engine");
	pb_run_config_str(run, "replay", replay);
	/* whether another run of these options gives these counts */
	char why[256];
	int det = !(o->threads > 1 && o->order == PB_VM_ORDER_FREE);
	if (det)
		snprintf(why, sizeof(why),
			 "%s: every count follows from the options and the seeds (seconds and "
			 "accesses_per_s are timings)",
			 o->threads > 1 ? "--order strict" : "one engine thread per configuration");
	else
		snprintf(why, sizeof(why),
			 "--threads %u --order free: the engine threads' interleaving decides the "
			 "counts, which differ from run to run (docs/engine.md)",
			 o->threads);
	pb_run_config_set(run, "deterministic", json_boolean(det));
	pb_run_config_str(run, "deterministic_why", why);

	/* columns: the configuration, then every CSV event of vm_events.h */
	const char *cols[PB_ARRAY_SIZE(sim_cols) + PB_VM_EV__COUNT + 8]; /* + tail, NULL */
	size_t nc = 0;
	for (; sim_cols[nc]; nc++)
		cols[nc] = sim_cols[nc];
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++)
		if (pb_vm_events[e].flags & PB_VM_EV_CSV) {
			cols[nc++] = pb_vm_events[e].name;
			if (o->policy_model && !policy_model_event((enum pb_vm_event)e))
				pb_run_note_na(run, pb_vm_events[e].name, POLICY_MODEL_NA);
		}
	/* policy_seed last: added after the others (readers find columns by
	 * name, older files lack it) */
	static const char *const tail[] = {"fault_rate",     "eat_ns", "seconds",
					   "accesses_per_s", "valid",  "policy_seed"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(tail); i++)
		cols[nc++] = tail[i];
	cols[nc] = NULL;
	for (size_t i = 0; i < o->npol; i++)
		if (!(o->pol[i].d->flags & PB_POL_RANDOMISED))
			pb_run_note_na(run, "policy_seed", POLICY_SEED_NA);
	if (o->policy_model) {
		static const char *const cfg_na[] = {"pt", "tlb", "device", "eat_ns"};
		for (size_t i = 0; i < PB_ARRAY_SIZE(cfg_na); i++)
			pb_run_note_na(run, cfg_na[i], POLICY_MODEL_NA);
	}
	*csvp = pb_run_csv(run, "sim.csv", cols, o->csv ? stdout : NULL);
	if (!*csvp) {
		pb_error(cmd, "cannot open sim.csv in %s", pb_run_dir(run));
		pb_run_abort(run);
		return NULL;
	}
	return run;
}

/* Once the stream was read: a block-I/O trace replayed as anonymous
 * memory, and lines of the trace that were not references, one warning
 * line each. */
static void stream_warnings(const struct pb_vm_loaded *s0)
{
	char bwarn[256];
	if (pb_workload_block_as_anon(s0->canonical, bwarn, sizeof(bwarn)))
		fprintf(stderr, "pagebench sim: warning: %s\n", bwarn);
	pb_vm_cli_skipped_warning("sim", s0);
}

int pb_cmd_sim(int argc, char **argv)
{
	const char *cmd = "sim";
	struct sim_opts o;
	parse_opts(argc, argv, &o);
	pb_cli_check_label(cmd, o.c.label);
	/* a signal stops the sweep at its next batch; the configurations done
	 * by then are kept (rows, status partial), the rest are not run */
	pb_signals_install(1);
	for (size_t i = 0; i < o.npol; i++) {
		const struct pb_policy_desc *d = o.pol[i].d;
		if ((d->flags & PB_POL_OFFLINE) && o.prepage->after_fault)
			pb_usage_error(
			    cmd, "policy %s needs the future of every page: use --prepage demand",
			    d->name);
		if ((d->flags & PB_POL_OFFLINE) && o.c.thp)
			pb_usage_error(cmd,
				       "policy %s needs the future of every page: not with --thp",
				       d->name);
		if ((d->flags & PB_POL_OFFLINE) && o.threads > 1 && o.order == PB_VM_ORDER_FREE)
			pb_usage_error(cmd, "policy %s needs stream order: use --order strict",
				       d->name);
	}

	/* the run folder may come after the replay, its root not: a root it
	 * cannot be made in is refused before the work, not after it */
	char rerr[4300];
	if (pb_results_root_check(o.c.results, rerr, sizeof(rerr)))
		pb_usage_error(cmd, "%s", rerr);
	pb_run_mark_start(); /* the run folder may come after the replay */
	/* meta.json describes the counters, which sim reads none of: the
	 * probe runs beside the replay */
	pb_counters_probe_start();

	/*
	 * Streamed (no loaded stream) unless the engine runs each configuration
	 * on several threads (their chunks are cut from one loaded stream) or on
	 * a real backing file (one file: its runs cannot share it, so they run
	 * one after another, each replaying the loaded stream).
	 */
	int stream = o.policy_model || (o.threads == 1 && !o.backing);
	int need_nu = pb_vm_cli_need_next_use(o.pol, o.npol);
	const char *replay = stream ? (need_nu ? "streaming, next-use array 8 B/ref" : "streaming")
			     : o.backing
				 ? "loaded 16 B/ref (the backing file runs the jobs one by one)"
				 : "loaded 16 B/ref (engine threads replay chunks of one stream)";

	/* one stream per distinct workload seed (a trace is one stream) */
	unsigned nstreams = o.fixed_seed ? 1 : o.reps;
	struct pb_vm_loaded *ld = calloc(nstreams, sizeof(*ld));
	unsigned *stream_of = calloc(o.reps, sizeof(*stream_of));
	if (!ld || !stream_of) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	char err[PB_KERNEL_ERRLEN];
	unsigned nld = 0;
	for (unsigned r = 0; r < o.reps; r++) {
		if (r &&
		    (o.fixed_seed || pb_vm_cli_same_stream(o.c.workload, o.seed, o.seed + r))) {
			stream_of[r] = 0;
			continue;
		}
		int rc = 0;
		if (!stream) {
			rc = pb_vm_load(o.c.workload, o.seed + r, &ld[nld], err, sizeof(err));
			if (!rc && need_nu && pb_vm_load_next_use(&ld[nld])) {
				rc = -ENOMEM;
				snprintf(err, sizeof(err), "out of memory computing next uses");
			}
		} else {
			ld[nld].seed = o.seed + r; /* opened by the streaming pass */
		}
		if (rc)
			pb_exit_interrupted(cmd);
		if (rc == -EINVAL)
			pb_usage_error(cmd, "%s", err);
		if (rc) {
			pb_error(cmd, "%s", err);
			return PB_EXIT_FAIL;
		}
		stream_of[r] = nld++;
	}
	unsigned workers = o.c.workers ? (unsigned)o.c.workers : pb_topo_npus();
	if (stream && need_nu) {
		/* next uses (the streaming pass counts the pages) */
		int rc = pb_vm_stream_prepass_team(o.c.workload, ld, nld, need_nu, workers, err,
						   sizeof(err));
		if (rc)
			pb_exit_interrupted(cmd);
		if (rc == -EINVAL)
			pb_usage_error(cmd, "%s", err);
		if (rc) {
			pb_error(cmd, "%s", err);
			return PB_EXIT_FAIL;
		}
	}
	const struct pb_vm_loaded *s0 = &ld[0];
	if (s0->canonical[0]) /* streamed without a pass before: after the sweep */
		stream_warnings(s0);

	struct pb_run *run = NULL;
	struct pb_csv *csv = NULL;
	if (!stream && !(run = sim_run_open(argc, argv, &o, s0, replay, &csv)))
		return PB_EXIT_FAIL;

	size_t njobs = o.npol * o.nframes * o.reps;
	struct pb_vm_sweep_job *jobs = calloc(njobs, sizeof(*jobs));
	if (!jobs) {
		if (run)
			pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	size_t k = 0;
	for (size_t p = 0; p < o.npol; p++)
		for (size_t f = 0; f < o.nframes; f++)
			for (unsigned r = 0; r < o.reps; r++, k++) {
				jobs[k].policy = o.pol[p].d;
				jobs[k].policy_params = o.pol[p].params;
				jobs[k].tag = p; /* the --policy item */
				jobs[k].frames = o.frames[f];
				jobs[k].rep = r;
				jobs[k].seed = o.seed + r; /* the engine's (policy) seed */
				jobs[k].stream = &ld[stream_of[r]].s;
				jobs[k].policy_only = o.policy_model;
			}
	struct pb_vm_cfg base;
	pb_vm_cfg_default(&base);
	base.prepage = o.prepage;
	base.pt = o.pt;
	base.nthreads = o.threads;
	base.order = o.order;
	base.hints = o.hints;
	base.tlb = o.tlb;
	base.device = o.device;
	base.caches = o.caches;
	base.backing_path = o.backing;
	base.backing_force = o.force;
	base.thp = (enum pb_vm_thp)o.c.thp;
	base.swap_pages = o.c.swap;
	struct pb_vm_sweep *sw;
	if (pb_vm_sweep_create(&base, jobs, njobs, &sw)) {
		pb_error(cmd, "out of memory");
		if (run)
			pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	int trc;
	struct pb_vm_feed_stats fst = {0};
	if (stream) {
		pb_progress_begin("sim: references", 0);
		trc = pb_vm_sweep_stream_team(sw, jobs, njobs, o.c.workload, ld, nld, workers, &fst,
					      err, sizeof(err));
		pb_progress_end();
		pb_vm_sweep_destroy(sw);
		int kept = 0; /* interrupted after a wave: its configurations stay */
		for (size_t i = 0; trc == -EINTR && i < njobs; i++)
			kept |= jobs[i].rc != -EINTR;
		if (trc && !kept)
			pb_exit_interrupted(cmd);
		if (trc == -EINTR && pb_signal_pending())
			trc = 0;
		if (trc == -EINVAL)
			pb_usage_error(cmd, "%s", err);
		if (trc) {
			pb_error(cmd, "%s", err);
			return PB_EXIT_FAIL;
		}
		if (!need_nu)
			stream_warnings(s0);
		if (!(run = sim_run_open(argc, argv, &o, s0, replay, &csv)))
			return PB_EXIT_FAIL;
		pb_vm_feed_config(run, &fst);
	} else {
		pb_progress_begin("sim", njobs);
		/* a real backing file is one file: its runs cannot share it */
		trc = pb_vm_sweep_team(sw, njobs, o.threads,
				       o.threads == 1 && !o.backing ? workers : 1);
		pb_progress_end();
		pb_vm_sweep_destroy(sw);
		if (trc) {
			pb_error(cmd, "cannot place %u engine threads: %s", o.threads,
				 strerror(-trc));
			pb_run_abort(run);
			return PB_EXIT_FAIL;
		}
	}
	if (o.policy_model) /* loaded or streamed: s0's counts are known now */
		pb_vm_policy_model_warn(cmd, s0);
	int failed = 0, usage = 0;
	size_t nok = 0, nint = 0;
	struct pb_vm_stats total = {0};
	const char *pt_impl = o.pt == PB_VM_PT_HASHED ? "hashed" : "radix";
	for (size_t i = 0; i < njobs; i++) {
		struct pb_vm_sweep_job *j = &jobs[i];
		if (j->rc == -EINTR) { /* not run (a signal): no row */
			nint++;
			continue;
		}
		if (j->rc == -EINVAL && !j->st.refs) {
			pb_error(cmd, "policy %s: %s", j->policy->name, j->err ? j->err : "");
			usage = 1;
			continue;
		}
		if (j->rc) {
			/* j->err: at most a PB_KERNEL_ERRLEN line (the engine's) */
			char why[PB_KERNEL_ERRLEN + 96];
			snprintf(why, sizeof(why), "policy %s, %" PRIu64 " frames: %s",
				 j->policy->name, j->frames, j->err ? j->err : "");
			pb_error(cmd, "%s", why);
			/* its row stays (valid=0), the run is not complete */
			pb_run_set_status(run, PB_RUN_FAILED, why);
			failed = 1;
		} else {
			nok++;
		}
		if (o.policy_model)
			j->eat_ns = NAN; /* no cost model */
		struct pb_vm_stats *st = &j->st;
		pb_csv_begin(csv);
		pb_csv_str(csv, s0->canonical);
		pb_csv_str(csv, j->policy->name);
		pb_csv_str(csv, o.pol[j->tag].effective);
		pb_csv_u64(csv, j->frames);
		pb_csv_str(csv, pb_prepage_name(o.prepage));
		pb_csv_str(csv, o.policy_model ? NULL : pt_impl);
		pb_csv_u64(csv, o.threads);
		pb_csv_str(csv, o.order == PB_VM_ORDER_FREE ? "free" : "strict");
		/* what the policy got: the oracle ones get every access */
		pb_csv_str(csv, pb_vm_hints_abit(j->policy, o.hints) ? "abit" : "exact");
		pb_csv_str(csv, o.policy_model ? NULL : o.tlb.name);
		pb_csv_str(csv, o.policy_model ? NULL : o.device->name);
		pb_csv_str(csv, o.backing ? "file" : "sim");
		pb_csv_u64(csv, j->rep);
		uint64_t wseed;
		if (stream_seed(&ld[stream_of[j->rep]], &wseed)) {
			pb_csv_u64(csv, wseed);
		} else {
			pb_csv_na(csv);
			pb_run_note_na(run, "seed", TRACE_SEED_NA);
		}
		for (size_t e = 0; e < PB_VM_EV__COUNT; e++) {
			if (!(pb_vm_events[e].flags & PB_VM_EV_CSV))
				continue;
			if (o.policy_model && !policy_model_event((enum pb_vm_event)e))
				pb_csv_na(csv); /* why: meta.json "not_available" */
			else if ((pb_vm_events[e].flags & PB_VM_EV_VMA) && !j->stream->regions) {
				pb_csv_na(csv); /* no regions: nothing can count it */
				pb_run_note_na(
				    run, pb_vm_events[e].name,
				    "the workload has no regions (only the exec generator "
				    "has them): nothing can count it");
			} else if (pb_vm_cache_event_na((enum pb_vm_event)e, &o.caches))
				pb_csv_na(csv); /* why: meta.json "not_available" */
			else
				pb_csv_u64(csv, pb_vm_stats_get(st, (enum pb_vm_event)e));
		}
		double tail[] = {st->refs ? (double)st->faults / (double)st->refs : NAN, j->eat_ns,
				 j->seconds, j->seconds > 0 ? (double)st->refs / j->seconds : NAN};
		static const char *const tail_na[][2] = {
		    {"fault_rate", "no reference was replayed (refs 0: the row has valid=0)"},
		    {"eat_ns", "no reference was replayed (refs 0: the row has valid=0)"},
		    {"seconds", "the replay was not timed"},
		    {"accesses_per_s", "the replay took no measurable time, or did not run"}};
		for (size_t q = 0; q < PB_ARRAY_SIZE(tail); q++) {
			pb_csv_dbl(csv, tail[q]);
			if (isnan(tail[q]) && !(o.policy_model && q == 1)) /* that one: noted */
				pb_run_note_na(run, tail_na[q][0], tail_na[q][1]);
		}
		pb_csv_u64(csv, j->rc == 0);
		if (j->policy->flags & PB_POL_RANDOMISED) /* the seed its choices drew from */
			pb_csv_u64(csv, j->seed);
		else
			pb_csv_na(csv); /* why: meta.json "not_available" */
		pb_csv_end(csv);
		if (!o.policy_model)
			pb_vm_stats_add(&total, st);
	}
	pb_vm_publish_sde(&total);
	/* a write error (of sim.csv before it, or of sim_summary.csv) is the
	 * run's: pb_run_finish returns it, and the one line below names it */
	if (!usage && nok && sim_summary(run, &o, s0, jobs, o.csv)) {
		if (!pb_run_error(run)) /* not the disk: its memory */
			pb_error(cmd, "cannot make sim_summary.csv in %s: %s", pb_run_dir(run),
				 strerror(ENOMEM));
		failed = 1;
	}
	pb_vm_sweep_jobs_free(jobs, njobs);
	free(jobs);
	int sig = pb_signal_pending();
	char dir[4096], why[32] = "";
	if (sig)
		pb_signal_name(sig, why, sizeof(why));
	if (nint) /* meta.json: status partial, interrupted_by */
		pb_run_set_status(run, PB_RUN_PARTIAL, why);
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = 0;
	if (usage || nok == 0) /* nothing valid to keep: leave no run folder */
		pb_run_abort(run);
	else
		frc = pb_run_finish(run);
	if (frc)
		pb_error(cmd, "cannot write results in %s: %s", dir, strerror(-frc));
	else if (!usage && nok && nint)
		fprintf(stderr,
			"pagebench sim: %zu row%s in %s/sim.csv (partial: interrupted by %s, %zu "
			"configuration(s) not run)\n",
			njobs - nint, njobs - nint == 1 ? "" : "s", dir, why, nint);
	else if (!o.csv && !usage && nok)
		fprintf(stderr, "pagebench sim: %zu row%s in %s/sim.csv%s\n", njobs,
			njobs == 1 ? "" : "s", dir,
			failed ? " (not complete: the failed rows have valid=0, meta.json says why)"
			       : "");
	for (unsigned i = 0; i < nld; i++)
		pb_vm_load_free(&ld[i]);
	free(ld);
	free(stream_of);
	pb_vm_cli_policies_free(o.pol, o.npol);
	pb_param_free(sim_options, &o.c);
	free(o.frames);
	if (sig && !nok) /* nothing saved */
		pb_exit_interrupted(cmd);
	if (sig) /* after saving what was done: die of it */
		pb_signal_exit(sig);
	if (usage)
		return PB_EXIT_USAGE;
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
