/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_mrc.c - `pagebench mrc`: miss ratio against frames for
 * several policies.
 *
 * Exact (default): LRU in one pass by stack distances and OPT in one pass
 * by Mattson's priority stack (Mattson et al. 1970, pb_mrc_lru,
 * pb_mrc_opt), every other point by an independent policy replay over the
 * engine's page identities (pb_vm_key: a shared or file page is one page):
 * a sweep of policy-only jobs (kernels/vm/sweep.c) run in parallel on the
 * harness's team.  --sample R: every policy runs on the references of a
 * spatially hashed fraction R of the pages (SHARDS, FAST'15) with
 * round(R x frames) frames (miniature simulations, ATC'17; LRU and OPT by
 * their stacks on the sample), twice, with two independent hashes: the
 * first gives the estimate, the spread of the two the error estimate
 * (docs/policies.md, "Miss-ratio curves").  Streamed (--replay stream,
 * default): no stream in memory; one reader pass (pb_vm_stream_keys) feeds
 * the stacks and the SHARDS filter batch by batch, the exact replays are
 * one streaming sweep (pb_vm_sweep_stream_keys, which feeds the exact
 * stacks too when there are both: one pass), OPT keeps 8 B/ref of next
 * uses; --replay load is the loaded path, the same rows.  mrc replays
 * policies, not the engine, so the engine's options (--prepage, --tlb,
 * --device, --backing, --threads, --hints, --pt, --order) and --reps (a
 * replay is deterministic) are errors here, not silently ignored.
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
#include "pagebench/mrc.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"
#include "pagebench/policy.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pagebench/vm_drive.h"

/* The options as the table stores them (pagebench/param.h). */
struct mrc_cfg {
	char *workload, *policy, *frames, *results, *policy_params, *label;
	uint64_t seed, sample_seed, sample_min;
	double sample;
	int csv, calibrate;
	unsigned opt_method, replay;
};

struct mrc_opts {
	struct mrc_cfg c;
	struct pb_vm_cli_policy *pol;
	size_t npol;
	uint64_t flo, fhi, fstep;
	int csv;
	uint64_t seed;
};

/* Fewer sampled references than this and mrc --sample warns (err_est is
 * the difference of two samples: two tiny ones can agree and both be off;
 * the validated runs of docs/policies.md sample 20k-100k references). */
#define MRC_SAMPLE_FEW 10000

/*
 * mrc's options: parsing, --help, the error lines and meta.json's
 * "options" come from this table.  The engine's options (--prepage, --tlb,
 * --device, --backing, --threads, --hints, --pt, --order) and --reps are
 * not here: mrc replays policies alone, deterministically, so they are
 * refused as unknown options, by name.  To add an option: one entry here
 * and its field in struct mrc_cfg (docs/policies.md, "How to add a CLI
 * option to sim or mrc").
 */
static const char *const opt_methods[] = {"auto", "stack", "replay", NULL};
static const char *const replay_modes[] = {"stream", "load", NULL};
#define O(f) offsetof(struct mrc_cfg, f)
static const struct pb_param mrc_options[] = {
    {"workload", PB_PT_STR, O(workload), NULL,
     "generator or trace (see `pagebench list workloads`)", NULL, 0, 0, 0, PB_PF_REQUIRED, "SPEC"},
    {"policy", PB_PT_STR, O(policy), NULL,
     "policies NAME[:k=v,...] (s3fifo:move_threshold=2,lirs), or all (`pagebench list policies "
     "-v`), each once",
     NULL, 0, 0, 0, PB_PF_REQUIRED, "LIST"},
    {"frames", PB_PT_STR, O(frames), NULL, "physical frames LO:HI:STEP (at most 100000 points)",
     NULL, 0, 0, 0, PB_PF_REQUIRED, "LO:HI:STEP"},
    {"seed", PB_PT_U64, O(seed), "1", "seed of the workload and of randomised policies", NULL, 0, 0,
     0, 0, "S"},
    {"sample", PB_PT_DBL, O(sample), "1",
     "SHARDS rate R in (0, 1]: below 1, every policy runs on the pages hashed into a fraction R "
     "with round(R x frames) frames (1: exact)",
     NULL, 0, 1, 0, PB_PF_LO_OPEN, "R"},
    {"sample-min", PB_PT_U64, O(sample_min), "100",
     "with --sample: sizes whose scaled size is below this are NA, not estimated", NULL, 1, 1000000,
     0, 0, "FRAMES"},
    {"sample-seed", PB_PT_U64, O(sample_seed), "1",
     "with --sample: hash seed of the estimate (seed + 1 draws the second sample of the error "
     "estimate)",
     NULL, 0, 0, 0, 0, "S"},
    {"calibrate", PB_PT_BOOL, O(calibrate), "1",
     "with --sample: one exact LRU pass over the whole stream makes the lru rows exact and scales "
     "every other estimate by exact / sampled LRU (ratio estimator); 0: raw estimates",
     NULL, 0, 0, 0, 0, "0|1"},
    {"opt-method", PB_PT_ENUM, O(opt_method), "auto",
     "OPT's curve: one pass of its priority stack, one replay per size, or auto (the stack "
     "when the largest size is at most 64x the number of sizes, or 65536 or more with 32 sizes "
     "or more a CPU)",
     opt_methods, 0, 0, 0, 0, "M"},
    {"replay", PB_PT_ENUM, O(replay), "stream",
     "stream: read the workload without holding it (stacks and samples fed batch by batch, "
     "replays by one streaming sweep; OPT keeps 8 B/ref of next uses); load: the whole stream "
     "in memory, 16 B/ref (the reference path)",
     replay_modes, 0, 0, 0, 0, "M"},
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
_Static_assert(PB_MRC_OPT_LABELS == 65536, "--opt-method's help names 65536");
#undef O

static void mrc_usage(FILE *f)
{
	fprintf(f, "usage: pagebench mrc --workload SPEC --policy P1[,P2...] --frames LO:HI:STEP "
		   "[options]\n"
		   "Miss ratio against frames, one row per (policy, frames): LRU by stack "
		   "distances,\n"
		   "OPT by its priority stack, other policies by replays (policies alone: no "
		   "TLB,\n"
		   "prepaging or device); --sample R: all of them on a spatially hashed sample\n"
		   "(SHARDS) with scaled-down sizes (miniature simulations).\n"
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
	if (!ok || errno == ERANGE || a < 1 || b < a || c < 1 || (b - a) / c > 100000 ||
	    b >= PB_POL_FRAMES_MAX)
		pb_usage_error(cmd,
			       "bad --frames '%s' (expected LO:HI:STEP, 1 <= LO <= HI < 2^30, "
			       "STEP >= 1, at most 100000 points)",
			       frames);
	o->flo = a;
	o->fhi = b;
	o->fstep = c;
}

static void parse_opts(int argc, char **argv, struct mrc_opts *o)
{
	const char *cmd = "mrc";
	char err[PB_KERNEL_ERRLEN];
	memset(o, 0, sizeof(*o));
	if (pb_param_defaults(mrc_options, &o->c, err, sizeof(err)))
		pb_usage_error(cmd, "%s", err);
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error(cmd, "out of memory");
	int rc =
	    pb_param_getopt(mrc_options, &o->c, argc, argv, pos, &npos, NULL, err, sizeof(err));
	/* the first stray argument, if any, then pos goes (usage errors exit) */
	char stray[256] = "";
	if (npos)
		snprintf(stray, sizeof(stray), "%s", pos[0]);
	free(pos);
	if (rc == 1) {
		mrc_usage(stdout);
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
		pb_usage_error(cmd, "unexpected argument '%s'", stray);
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

static const char *const mrc_cols[] = {"workload",
				       "policy",
				       "policy_params",
				       "frames",
				       "refs",
				       "misses",
				       "miss_ratio",
				       "method",
				       "sample_rate",
				       "sampled_refs",
				       "scaled_frames",
				       "sampled_misses",
				       "miss_ratio_raw",
				       "err_est",
				       "note",
				       "policy_seed",
				       NULL};

/* One (policy, frames) row.  Exact: stream 0 is the whole stream.
 * Sampled: streams 0 and 1 are the samples of the two hash seeds. */
struct mrc_row {
	size_t pol;
	uint64_t frames, scaled;
	const char *method;
	int na;	       /* scaled size below --sample-min */
	int intr;      /* not computed: a signal stopped its stack */
	uint64_t m[2]; /* misses on each stream */
	size_t job[2]; /* sweep job, or SIZE_MAX: computed by a stack */
};

/* The stack methods: misses at every row of policy p on stream s in one
 * pass.  0, -EINTR (a pending signal: pb_mrc_lru and pb_mrc_opt look every
 * 2^16 references), or another -errno (the caller falls back to
 * replays). */
static int mrc_stack(const char *name, const uint64_t *keys, size_t n, struct mrc_row *rows,
		     size_t npts, int s)
{
	uint64_t *sz = calloc(npts, sizeof(uint64_t)), *m = calloc(npts, sizeof(uint64_t));
	int rc = sz && m ? 0 : -ENOMEM;
	for (size_t i = 0; !rc && i < npts; i++)
		sz[i] = rows[i].scaled;
	if (!rc)
		rc = !strcmp(name, "lru") ? pb_mrc_lru(keys, n, sz, npts, m)
					  : pb_mrc_opt(keys, n, NULL, sz, npts, m);
	for (size_t i = 0; !rc && i < npts; i++)
		rows[i].m[s] = m[i];
	free(sz);
	free(m);
	return rc;
}

/*
 * --calibrate: LRU's exact curve (one stack-distance pass over the whole
 * stream) and its sampled curves (stack distances of each sample).  Every
 * other policy's sampled estimate is then scaled by exact / sampled LRU at
 * the same size: the ratio estimator with LRU's misses as the auxiliary
 * variable whose total is known (Cochran, Sampling Techniques, ch. 6).
 * Which keys the hash happened to draw moves every policy's misses the
 * same way, and the ratio cancels most of that.
 */
struct mrc_cal {
	int on;
	uint64_t *ex;	/* LRU's exact misses at each frames point */
	double *lru[2]; /* LRU's sampled estimate at each point, per seed */
	double mae, max;
	size_t n;      /* points in mae / max: those not NA */
	uint64_t refs; /* of the whole stream */
};

static void mrc_cal_free(struct mrc_cal *c)
{
	free(c->ex);
	free(c->lru[0]);
	free(c->lru[1]);
}

static int mrc_calibrate(const struct pb_vm_loaded *l, const uint64_t *ex,
			 const struct pb_vm_stream *st, const struct pb_mrc_sampler *sa,
			 const struct mrc_row *rows, size_t npts, struct mrc_cal *c)
{
	uint64_t *fr = calloc(npts, sizeof(uint64_t)), *sc = calloc(npts, sizeof(uint64_t));
	uint64_t *sm = calloc(npts, sizeof(uint64_t));
	c->ex = calloc(npts, sizeof(uint64_t));
	c->lru[0] = calloc(npts, sizeof(double));
	c->lru[1] = calloc(npts, sizeof(double));
	int rc = fr && sc && sm && c->ex && c->lru[0] && c->lru[1] ? 0 : -ENOMEM;
	for (size_t i = 0; !rc && i < npts; i++) {
		fr[i] = rows[i].frames;
		sc[i] = rows[i].scaled;
	}
	if (!rc && ex) /* streamed: the reading pass computed it */
		memcpy(c->ex, ex, npts * sizeof(uint64_t));
	else if (!rc)
		rc = pb_mrc_lru(l->keys, l->s.n, fr, npts, c->ex);
	for (int s = 0; !rc && s < 2; s++) {
		rc = pb_mrc_lru(st[s].keys, st[s].n, sc, npts, sm);
		for (size_t i = 0; !rc && i < npts; i++)
			c->lru[s][i] = pb_mrc_sample_ratio(&sa[s], sm[i], l->s.n);
	}
	double sum = 0;
	c->max = 0;
	c->n = 0;
	for (size_t i = 0; !rc && i < npts; i++) {
		if (rows[i].na)
			continue;
		double e = fabs(c->lru[0][i] - (double)c->ex[i] / (double)l->s.n);
		sum += e;
		c->max = e > c->max ? e : c->max;
		c->n++;
	}
	c->mae = c->n ? sum / (double)c->n : NAN;
	c->on = !rc;
	c->refs = l->s.n;
	free(fr);
	free(sc);
	free(sm);
	return rc;
}

/* The estimate of seed s at point i: raw, or calibrated by LRU. */
static double mrc_estimate(const struct mrc_cal *c, int s, size_t i, double raw)
{
	if (!c->on || !(c->lru[s][i] > 0))
		return raw;
	double v = raw * ((double)c->ex[i] / (double)c->refs) / c->lru[s][i];
	return v < 1 ? v : 1;
}

/* meta.json "sample": how the rows were estimated, and the calibration. */
static void mrc_sample_meta(struct pb_run *run, const struct mrc_opts *o,
			    const struct pb_mrc_sampler *sa, const size_t *ns,
			    const struct mrc_cal *cal)
{
	json_t *j;
	if (o->c.sample >= 1) {
		j = json_pack(
		    "{s:f, s:b, s:s}", "rate", 1.0, "exact", 1, "methods",
		    "lru: stack distances; opt: priority stack or replays (--opt-method, the "
		    "method column); others: one replay per size");
	} else {
		/* no size compared (every scaled cache below --sample-min): the
		 * errors are null and say why (jansson has no NaN: a NaN here
		 * lost the whole "sample" record) */
		json_t *cj =
		    !cal->on ? json_null()
		    : cal->n
			? json_pack("{s:I, s:f, s:f, s:s}", "sizes", (json_int_t)cal->n, "mae",
				    cal->mae, "max_abs_error", cal->max, "what",
				    "the sampling error measured on LRU: mean and largest absolute "
				    "miss-ratio difference between LRU's sampled curve (seed "
				    "sample_seed, its raw estimate, before calibration) and its "
				    "exact curve, at the sizes not NA; calibration then makes the "
				    "lru rows exact and scales every other policy's estimate by "
				    "exact / sampled LRU (err_est is the seeds' spread, not this)")
			: json_pack("{s:I, s:n, s:n, s:s}", "sizes", (json_int_t)0, "mae",
				    "max_abs_error", "what",
				    "sampling error not measured: no size to compare LRU's sampled "
				    "curve with its exact one at, every size's scaled cache is "
				    "below --sample-min (its row is NA)");
		j = json_pack(
		    "{s:f, s:f, s:I, s:I, s:[I, I], s:[I, I], s:I, s:b, s:s, s:s, s:s, s:o}",
		    "rate", sa->rate, "rate_asked", o->c.sample, "hash_modulus",
		    (json_int_t)(1ULL << PB_MRC_SAMPLE_BITS), "hash_threshold",
		    (json_int_t)sa->threshold, "seeds", (json_int_t)o->c.sample_seed,
		    (json_int_t)(o->c.sample_seed + 1), "sampled_refs", (json_int_t)ns[0],
		    (json_int_t)ns[1], "min_scaled_frames", (json_int_t)o->c.sample_min,
		    "calibrated", cal->on, "estimator",
		    cal->on
			? "miss_ratio = raw x exact LRU / sampled LRU at the same size, at most 1 "
			  "(ratio estimator); miss_ratio_raw = sampled misses / (rate x refs) "
			  "(SHARDS_adj); lru rows are exact; misses = round(miss_ratio x refs)"
			: "miss_ratio = miss_ratio_raw = sampled misses / (rate x refs), at most 1 "
			  "(SHARDS_adj); misses = round(miss_ratio x refs)",
		    "err_est",
		    "|miss_ratio of seed S - miss_ratio of seed S+1|: the spread of two "
		    "independent "
		    "samples, about 1.4x the expected absolute error of one",
		    "methods",
		    "lru: stack distances of the sample; opt: priority stack of the sample or "
		    "replays (--opt-method); others: one replay of the sample per scaled size "
		    "(miniature simulation)",
		    "lru_calibration", cj);
	}
	char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "sample", txt);
	free(txt);
	json_decref(j);
}

/* One CSV row from `sample_rate` on. */
static void mrc_tail(struct pb_csv *csv, double rate, uint64_t refs, uint64_t scaled,
		     uint64_t smisses, double raw, double err, const char *note)
{
	pb_csv_dbl(csv, rate);
	pb_csv_u64(csv, refs);
	pb_csv_u64(csv, scaled);
	if (isnan(raw))
		pb_csv_na(csv);
	else
		pb_csv_u64(csv, smisses);
	pb_csv_dbl(csv, raw);
	pb_csv_dbl(csv, err);
	pb_csv_str(csv, note);
}

/*
 * The streamed reading pass (--replay stream): the exact stacks of LRU and
 * OPT (OPT with the next uses of the pass before) fed batch by batch, the
 * SHARDS samples kept as they are read, LRU's exact curve for --calibrate.
 */
struct mrc_pass {
	struct pb_mrc_lru_stream **lru; /* per policy, or NULL */
	struct pb_mrc_opt_stream **opt;
	size_t npol;
	const uint64_t *next_use;
	struct pb_mrc_lru_stream *cal;
	const struct pb_mrc_sampler *sa;
	struct pb_mrc_sample_buf *buf;
	int nsa;
};

static int mrc_pass_fn(void *ctx, const uint64_t *keys, const uint8_t *writes, size_t n,
		       uint64_t pos)
{
	struct mrc_pass *p = ctx;
	int rc = 0;
	for (size_t k = 0; !rc && k < p->npol; k++) {
		if (p->lru[k])
			rc = pb_mrc_lru_feed(p->lru[k], keys, n);
		else if (p->opt[k])
			rc = pb_mrc_opt_feed(p->opt[k], keys, p->next_use + pos, n);
	}
	if (!rc && p->cal)
		rc = pb_mrc_lru_feed(p->cal, keys, n);
	for (int s = 0; !rc && s < p->nsa; s++)
		rc = pb_mrc_sample_add(&p->sa[s], keys, writes, n, &p->buf[s]);
	return rc;
}

/* The reading pass's stacks (exact: LRU's or OPT's per policy over the
 * rows' sizes; LRU's exact curve over fr for --calibrate when fr).
 * 0 or -ENOMEM. */
static int mrc_pass_begin(struct mrc_pass *ps, const struct mrc_row *rows, const int *pstack,
			  size_t npts, int sampled, const uint64_t *fr, uint64_t nrefs)
{
	ps->lru = calloc(ps->npol, sizeof(*ps->lru));
	ps->opt = calloc(ps->npol, sizeof(*ps->opt));
	uint64_t *sz = calloc(npts, sizeof(uint64_t));
	int rc = ps->lru && ps->opt && sz ? 0 : -ENOMEM;
	for (size_t p = 0; !rc && !sampled && p < ps->npol; p++) {
		for (size_t i = 0; i < npts; i++)
			sz[i] = rows[p * npts + i].scaled;
		if (pstack[p] == 1)
			rc = pb_mrc_lru_begin(sz, npts, &ps->lru[p]);
		else if (pstack[p] == 2)
			rc = pb_mrc_opt_begin(sz, npts, nrefs, &ps->opt[p]);
	}
	if (!rc && fr)
		rc = pb_mrc_lru_begin(fr, npts, &ps->cal);
	free(sz);
	return rc;
}

/* The stacks' misses into the exact rows (rc: the pass's; nonzero: freed
 * only), LRU's exact curve into *calex; ps freed.  rc, or its own failure
 * with the reason in err: -ENOMEM, -EPROTO (an OPT stack that was not fed
 * the whole stream: its misses would count the rest). */
static int mrc_pass_end(struct mrc_pass *ps, int rc, struct mrc_row *rows, const int *pstack,
			size_t npts, int sampled, uint64_t **calex, char *err, size_t errlen)
{
	*calex = calloc(npts, sizeof(uint64_t));
	uint64_t *m = calloc(npts, sizeof(uint64_t));
	if (!rc && (!*calex || !m)) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
	}
	for (size_t p = 0; ps->lru && ps->opt && p < ps->npol; p++) {
		if (ps->lru[p]) {
			pb_mrc_lru_end(ps->lru[p], rc ? NULL : m);
		} else if (ps->opt[p] && pb_mrc_opt_end(ps->opt[p], rc ? NULL : m) && !rc) {
			rc = -EPROTO;
			snprintf(err, errlen,
				 "OPT's priority stack ended before the whole stream was fed "
				 "(an internal error): no curve");
		}
		for (size_t i = 0; !rc && pstack[p] && !sampled && i < npts; i++)
			rows[p * npts + i].m[0] = m[i];
	}
	pb_mrc_lru_end(ps->cal, rc ? NULL : *calex);
	ps->cal = NULL;
	free(m);
	free(ps->lru);
	free(ps->opt);
	ps->lru = NULL;
	ps->opt = NULL;
	return rc;
}

/* A -E2BIG from the reading pass (an exact LRU stack, or --calibrate's
 * exact curve, fed more than 2^30 distinct pages) says so and what to do,
 * not "mrc failed: Argument list too long". */
static void mrc_pass_too_big(int rc, int calibrate, char *err, size_t errlen)
{
	if (rc == -E2BIG)
		snprintf(err, errlen,
			 "LRU's exact curve cannot be computed: the stream has more than 2^30 "
			 "distinct pages, the most its stack distances count; %s",
			 calibrate ? "--calibrate 0 keeps the raw estimates"
				   : "--sample R below 1 (e.g. 0.01) estimates it from a sample");
}

/* Exit on a streaming error: -EINVAL is the stream's usage error; a
 * signal's stop dies of the signal. */
static void mrc_stream_fail(const char *cmd, int rc, const char *err)
{
	pb_exit_interrupted(cmd); /* no row complete yet, no run folder */
	if (rc == -EINVAL)
		pb_usage_error(cmd, "%s", err);
	pb_error(cmd, "%s", err);
	exit(PB_EXIT_FAIL);
}

int pb_cmd_mrc(int argc, char **argv)
{
	const char *cmd = "mrc";
	struct mrc_opts o;
	parse_opts(argc, argv, &o);
	pb_cli_check_label("mrc", o.c.label);
	/* a signal (Ctrl-C, a Slurm time limit's SIGTERM) stops the replays
	 * at their next wave or job; the points done by then are kept (rows,
	 * status partial), the rest are not computed.  A phase that keeps
	 * nothing (reading, the stacks' pass, the calibration) dies of it
	 * (pb_exit_interrupted).  A loaded stream's (or a sample's) stacks
	 * look every 2^16 references: the policies whose stacks ended keep
	 * their rows, the stopped one's and the rest are not computed.  A
	 * second signal acts at once (pagebench/outfile.h) */
	pb_signals_install(1);
	/* the run folder may come after the replay, its root not: a root it
	 * cannot be made in is refused before the work, not after it */
	char rerr[4300];
	if (pb_results_root_check(o.c.results, rerr, sizeof(rerr)))
		pb_usage_error(cmd, "%s", rerr);
	pb_run_mark_start();	   /* the run folder may come after the replay */
	pb_counters_probe_start(); /* for meta.json; mrc reads no counters */
	char err[PB_KERNEL_ERRLEN];
	int load = o.c.replay == 1;
	unsigned workers = pb_topo_npus();
	struct pb_vm_loaded l;
	memset(&l, 0, sizeof(l));
	l.seed = o.seed;
	int rc = 0;
	if (load) {
		rc = pb_vm_load(o.c.workload, o.seed, &l, err, sizeof(err));
		if (rc == -EINVAL)
			pb_usage_error(cmd, "%s", err);
		if (!rc && pb_vm_load_keys(&l)) {
			rc = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory");
		}
	}
	if (rc) {
		pb_exit_interrupted(cmd);
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	int sampled = o.c.sample < 1;
	/* the streams: the whole one, or the samples of two hash seeds */
	struct pb_mrc_sampler sa[2] = {0};
	struct pb_mrc_sample_buf sbuf[2] = {0};
	uint64_t *skeys[2] = {NULL, NULL};
	uint8_t *swr[2] = {NULL, NULL};
	int nstreams = sampled ? 2 : 1;
	for (int s = 0; sampled && s < 2; s++)
		if (pb_mrc_sampler_init(&sa[s], o.c.sample, o.c.sample_seed + (uint64_t)s))
			pb_usage_error(cmd, "bad --sample %g (below 2^-24)", o.c.sample);
	size_t npts = (size_t)((o.fhi - o.flo) / o.fstep + 1);
	size_t nrows = o.npol * npts;
	struct mrc_row *rows = calloc(nrows, sizeof(*rows));
	struct pb_vm_sweep_job *jobs = calloc(nrows * (size_t)nstreams, sizeof(*jobs));
	int *pstack = calloc(o.npol, sizeof(int)); /* 1: LRU's stack, 2: OPT's */
	uint64_t *fr = calloc(npts, sizeof(uint64_t)), *calex = NULL;
	if (!rows || !jobs || !pstack || !fr) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	for (size_t p = 0; p < o.npol; p++) {
		const struct pb_policy_desc *d = o.pol[p].d;
		struct mrc_row *r = &rows[p * npts];
		for (size_t i = 0; i < npts; i++) {
			r[i].pol = p;
			r[i].frames = o.flo + i * o.fstep;
			r[i].scaled = sampled ? pb_mrc_scaled(&sa[0], r[i].frames) : r[i].frames;
			r[i].na = sampled && r[i].scaled < o.c.sample_min;
			r[i].job[0] = r[i].job[1] = SIZE_MAX;
			fr[i] = r[i].frames;
		}
		/* OPT's stack in slots costs about 0.5 ns x miss ratio x the
		 * largest size a reference, a replay 26..96 ns a reference and
		 * size (docs/policies.md): the slots while the largest size is
		 * at most 64x the number of sizes, the bound for miss ratio 1.
		 * From PB_MRC_OPT_LABELS on, the labelled stack's 2.4..3.4 us
		 * a reference on one core against the replays spread over the
		 * workers: the stack from 32 sizes a worker on */
		uint64_t top = r[npts - 1].scaled;
		int stack_cheaper = top < PB_MRC_OPT_LABELS ? top <= 64 * (uint64_t)npts
							    : npts >= 32 * (uint64_t)workers;
		int opt = !strcmp(d->name, "opt") &&
			  (o.c.opt_method == 1 || (o.c.opt_method == 0 && stack_cheaper));
		pstack[p] = !strcmp(d->name, "lru") ? 1 : opt ? 2 : 0;
	}
	/* exact replays of OPT (or another OFFLINE policy), exact OPT stacks:
	 * the next uses of the whole stream, 8 B/ref */
	int need_nu = 0;
	for (size_t p = 0; !sampled && p < o.npol; p++)
		need_nu |= pstack[p] == 2 || (!pstack[p] && (o.pol[p].d->flags & PB_POL_OFFLINE));
	if (!load && need_nu) {
		rc = pb_vm_stream_prepass_team(o.c.workload, &l, 1, 1, workers, err, sizeof(err));
		if (rc)
			mrc_stream_fail(cmd, rc, err);
	}
	/* the reading pass: exact stacks, samples, LRU's exact curve */
	int calibrate = sampled && o.c.calibrate;
	int any_stack = 0;
	for (size_t p = 0; p < o.npol; p++)
		any_stack |= pstack[p] != 0;
	/* exact stacks beside exact replays: the replays' pass feeds them */
	int any_replay = 0;
	for (size_t p = 0; p < o.npol; p++)
		any_replay |= !pstack[p];
	int merged = !load && !sampled && any_stack && any_replay;
	struct mrc_pass ps = {.npol = o.npol, .next_use = l.next_use, .sa = sa, .buf = sbuf};
	if (!load && (sampled || any_stack)) {
		ps.nsa = sampled ? 2 : 0;
		rc = mrc_pass_begin(&ps, rows, pstack, npts, sampled, calibrate ? fr : NULL, l.s.n);
		snprintf(err, sizeof(err), "out of memory");
		if (!rc && !merged)
			rc = pb_vm_stream_keys(o.c.workload, &l, "mrc", mrc_pass_fn, &ps, err,
					       sizeof(err));
		mrc_pass_too_big(rc, calibrate, err, sizeof(err));
		if (!merged) /* else after the replays' pass */
			rc = mrc_pass_end(&ps, rc, rows, pstack, npts, sampled, &calex, err,
					  sizeof(err));
		if (rc)
			mrc_stream_fail(cmd, rc, err);
	}
	size_t n = l.s.n;
	struct pb_vm_stream st[2] = {l.s, l.s};
	size_t ns[2] = {n, n};
	for (int s = 0; sampled && s < 2; s++) {
		if (load) {
			if (pb_mrc_sample(&sa[s], l.keys, l.writes, n, &skeys[s], &swr[s],
					  &ns[s])) {
				pb_error(cmd, "out of memory sampling the stream");
				return PB_EXIT_FAIL;
			}
			st[s] =
			    (struct pb_vm_stream){.n = ns[s], .keys = skeys[s], .writes = swr[s]};
		} else {
			ns[s] = sbuf[s].n;
			st[s] = (struct pb_vm_stream){
			    .n = ns[s], .keys = sbuf[s].keys, .writes = sbuf[s].writes};
		}
	}
	/* a rate that kept no reference leaves nothing to estimate from (an
	 * empty sample's curve is 0/0): said, not written as NaN rows */
	for (int s = 0; sampled && s < 2; s++)
		if (!ns[s] && n)
			pb_usage_error(
			    cmd,
			    "--sample %g kept none of the %zu references (sample %d; "
			    "expected about %.3g): nothing to estimate from, raise --sample",
			    sa[s].rate, n, s + 1, sa[s].rate * (double)n);
	/* a small sample: err_est compares two samples that small, which can
	 * agree (err_est near 0) while both are far off */
	if (sampled && (ns[0] < MRC_SAMPLE_FEW || ns[1] < MRC_SAMPLE_FEW))
		fprintf(stderr,
			"pagebench mrc: warning: samples of %zu and %zu of the %zu references "
			"(fewer than %d): their curves and err_est are not reliable; raise "
			"--sample\n",
			ns[0], ns[1], n, MRC_SAMPLE_FEW);
	/* LRU and OPT rows from their one-pass stacks (streamed exact ones:
	 * already done); the rest are replays, one sweep job per (row, stream) */
	size_t nrep = 0;
	for (size_t p = 0; p < o.npol; p++) {
		const struct pb_policy_desc *d = o.pol[p].d;
		struct mrc_row *r = &rows[p * npts];
		int lru = pstack[p] == 1;
		int stack = pstack[p] != 0, src = 0;
		for (int s = 0; stack && !src && (load || sampled) && s < nstreams; s++)
			src = mrc_stack(d->name, st[s].keys, st[s].n, r, npts, s);
		if (src == -EINTR) /* not computed, as a replay a signal kept from running */
			for (size_t i = 0; i < npts; i++)
				r[i].intr = !r[i].na;
		else if (src)
			stack = 0; /* fall back to replays */
		for (size_t i = 0; i < npts; i++) {
			r[i].method =
			    stack ? (sampled
					 ? (lru ? "shards-stack-distance" : "shards-priority-stack")
					 : (lru ? "stack-distance" : "priority-stack"))
				  : (sampled ? "mini-sim" : "replay");
			for (int s = 0; !stack && !r[i].na && s < nstreams; s++) {
				struct pb_vm_sweep_job *j = &jobs[nrep];
				j->policy = d;
				j->policy_params = o.pol[p].params;
				j->tag = p;
				j->frames = r[i].scaled;
				j->seed = o.seed;
				j->stream = sampled || load ? &st[s] : &l.s;
				j->policy_only = 1;
				r[i].job[s] = nrep++;
			}
		}
	}
	/* OPT replays of the whole stream share one next-use array (a
	 * sample's replays compute their own: 8 bytes per sampled reference) */
	for (size_t k = 0; load && !sampled && k < nrep; k++)
		if ((jobs[k].policy->flags & PB_POL_OFFLINE) && !st[0].next_use) {
			if (pb_vm_load_next_use(&l)) {
				pb_error(cmd, "out of memory computing next uses");
				return PB_EXIT_FAIL;
			}
			st[0].next_use = l.next_use;
		}
	struct mrc_cal cal = {0};
	int crc = calibrate ? mrc_calibrate(&l, load ? NULL : calex, st, sa, rows, npts, &cal) : 0;
	if (crc) {
		/* every sampled row needs it: a signal here keeps nothing */
		pb_exit_interrupted(cmd);
		if (crc == -E2BIG) {
			mrc_pass_too_big(crc, 1, err, sizeof(err));
			pb_error(cmd, "--calibrate: %s", err);
		} else {
			pb_error(cmd,
				 "computing LRU's exact curve for --calibrate: %s (--calibrate 0 "
				 "skips it)",
				 crc == -ENOMEM ? "out of memory" : strerror(-crc));
		}
		return PB_EXIT_FAIL;
	}
	struct pb_vm_cfg base;
	pb_vm_cfg_default(&base);
	struct pb_vm_sweep *sw;
	if (pb_vm_sweep_create(&base, jobs, nrep, &sw)) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	struct pb_vm_feed_stats fst = {0};
	if (!load && !sampled && nrep) {
		/* exact replays: one streaming sweep over the workload */
		pb_progress_begin("mrc replays: references", n);
		rc = pb_vm_sweep_stream_keys(sw, jobs, nrep, o.c.workload, &l, 1, workers,
					     merged ? mrc_pass_fn : NULL, &ps, &fst, err,
					     sizeof(err));
		if (merged)
			mrc_pass_too_big(rc, calibrate, err, sizeof(err));
		pb_progress_end();
		/* a signal after a wave: that wave's points stay (and the
		 * stacks, complete when the first wave fed them) */
		int kept = !merged;
		for (size_t k = 0; rc == -EINTR && k < nrep; k++)
			kept |= jobs[k].rc != -EINTR;
		if (rc == -EINTR && pb_signal_pending() && kept)
			rc = 0;
		if (merged) /* its own failure says why in err */
			rc = mrc_pass_end(&ps, rc, rows, pstack, npts, sampled, &calex, err,
					  sizeof(err));
		if (rc)
			mrc_stream_fail(cmd, rc, err);
		n = l.s.n;
	} else {
		pb_progress_begin("mrc", nrep);
		(void)pb_vm_sweep_team(sw, nrep, 1, workers);
		pb_progress_end();
	}
	pb_vm_sweep_destroy(sw);
	pb_vm_policy_model_warn(cmd, &l); /* mrc is the policy model */
	pb_vm_cli_skipped_warning(cmd, &l);
	struct pb_run *run = pb_run_create(o.c.results, argc, argv, err, sizeof(err));
	if (run && o.c.label)
		pb_run_set_label(run, o.c.label);
	if (!run) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	pb_run_set_thread_rows(run, 0); /* no thread-scaling rows: no round-trip note */
	pb_vm_cli_config(run, &l, o.pol, o.npol);
	pb_vm_feed_config(run, &fst);
	/* how the stream was replayed (sim's config.replay) */
	pb_run_config_str(run, "replay",
			  load	    ? "loaded 16 B/ref (--replay load)"
			  : sampled ? "streaming, SHARDS samples in memory (9 B per sampled "
				      "reference)"
			  : need_nu ? "streaming, next-use array 8 B/ref"
				    : "streaming");
	/* every option as parsed, defaults filled in: the table's own JSON */
	json_t *opts = pb_param_json(mrc_options, &o.c);
	char *txt = opts ? json_dumps(opts, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "options", txt);
	free(txt);
	json_decref(opts);
	json_t *frj = json_pack("{s:I, s:I, s:I}", "lo", (json_int_t)o.flo, "hi", (json_int_t)o.fhi,
				"step", (json_int_t)o.fstep);
	txt = frj ? json_dumps(frj, JSON_COMPACT) : NULL;
	if (txt)
		pb_run_config_json(run, "frames_range", txt);
	free(txt);
	json_decref(frj);
	mrc_sample_meta(run, &o, &sa[0], ns, &cal);
	struct pb_csv *csv = pb_run_csv(run, "mrc.csv", mrc_cols, o.csv ? stdout : NULL);
	if (!csv) {
		pb_error(cmd, "cannot open mrc.csv in %s", pb_run_dir(run));
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	int failed = 0;
	size_t nwritten = 0, nint = 0;
	for (size_t k = 0; k < nrows; k++) {
		struct mrc_row *r = &rows[k];
		const struct pb_vm_cli_policy *pol = &o.pol[r->pol];
		size_t i = k % npts;
		int bad = 0, skip = r->intr;
		for (int s = 0; !r->na && s < nstreams; s++)
			if (r->job[s] != SIZE_MAX && jobs[r->job[s]].rc == -EINTR)
				skip = 1; /* not computed (a signal): no row */
		nint += skip;
		for (int s = 0; !skip && !r->na && s < nstreams; s++) {
			if (r->job[s] == SIZE_MAX)
				continue;
			const struct pb_vm_sweep_job *j = &jobs[r->job[s]];
			if (j->rc && !bad) {
				/* j->err: at most a PB_KERNEL_ERRLEN line */
				char why[PB_KERNEL_ERRLEN + 96];
				snprintf(why, sizeof(why), "policy %s, %" PRIu64 " frames: %s",
					 pol->d->name, r->frames, j->err ? j->err : "");
				pb_error(cmd, "%s", why);
				/* no row for it: the run is not complete */
				pb_run_set_status(run, PB_RUN_FAILED, why);
				bad = failed = 1;
			}
			r->m[s] = j->st.faults;
		}
		if (bad || skip)
			continue;
		nwritten++;
		pb_csv_begin(csv);
		pb_csv_str(csv, l.canonical);
		pb_csv_str(csv, pol->d->name);
		pb_csv_str(csv, pol->effective);
		pb_csv_u64(csv, r->frames);
		pb_csv_u64(csv, n);
		if (sampled && cal.on && !strcmp(pol->d->name, "lru")) {
			/* the calibration pass made LRU's row exact */
			pb_csv_u64(csv, cal.ex[i]);
			pb_csv_dbl(csv, (double)cal.ex[i] / (double)n);
			pb_csv_str(csv, "stack-distance");
			mrc_tail(csv, 1.0, n, r->frames, cal.ex[i], (double)cal.ex[i] / (double)n,
				 0.0, "exact (the calibration pass)");
		} else if (r->na) {
			char note[160];
			snprintf(note, sizeof(note),
				 "scaled size %" PRIu64 " < --sample-min %" PRIu64
				 ": too few frames to emulate",
				 r->scaled, o.c.sample_min);
			static const char *const na_cols[] = {
			    "misses", "miss_ratio", "sampled_misses", "miss_ratio_raw", "err_est"};
			for (size_t q = 0; q < PB_ARRAY_SIZE(na_cols); q++)
				pb_run_note_na(
				    run, na_cols[q],
				    "--sample: the scaled size is below --sample-min, too "
				    "few frames to emulate (the row's note gives the sizes)");
			pb_csv_na(csv);
			pb_csv_na(csv);
			pb_csv_str(csv, r->method);
			mrc_tail(csv, sa[0].rate, ns[0], r->scaled, 0, NAN, NAN, note);
		} else if (sampled) {
			double raw = pb_mrc_sample_ratio(&sa[0], r->m[0], n);
			double a = mrc_estimate(&cal, 0, i, raw),
			       b = mrc_estimate(&cal, 1, i,
						pb_mrc_sample_ratio(&sa[1], r->m[1], n));
			pb_csv_u64(csv, (uint64_t)llround(a * (double)n));
			pb_csv_dbl(csv, a);
			pb_csv_str(csv, r->method);
			mrc_tail(csv, sa[0].rate, ns[0], r->scaled, r->m[0], raw, fabs(a - b),
				 cal.on ? "estimate, calibrated by LRU" : "estimate");
		} else {
			pb_csv_u64(csv, r->m[0]);
			pb_csv_dbl(csv, (double)r->m[0] / (double)n);
			pb_csv_str(csv, r->method);
			mrc_tail(csv, 1.0, n, r->frames, r->m[0], (double)r->m[0] / (double)n, 0.0,
				 "exact");
		}
		/* the seed a randomised policy's replays drew from (added last:
		 * readers find columns by name) */
		if ((pol->d->flags & PB_POL_RANDOMISED) && !r->na) {
			pb_csv_u64(csv, o.seed);
		} else {
			pb_csv_na(csv);
			pb_run_note_na(run, "policy_seed",
				       r->na ? "the point was not simulated (--sample-min)"
					     : "the row's policy draws no random numbers: no seed "
					       "took part in its choices");
		}
		pb_csv_end(csv);
	}
	char dir[4096], why[32] = "";
	int sig = pb_signal_pending();
	if (sig && !nwritten) { /* stopped before any point: nothing to keep */
		pb_run_abort(run);
		pb_exit_interrupted(cmd);
	}
	if (nint) /* meta.json: status partial, interrupted_by */
		pb_run_set_status(run, PB_RUN_PARTIAL, pb_signal_name(sig, why, sizeof(why)));
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = pb_run_finish(run);
	if (frc == -ENODATA && !nwritten)
		pb_error(cmd, "no row could be computed: no run folder kept");
	else if (frc)
		pb_error(cmd, "cannot write results in %s: %s", dir, strerror(-frc));
	else if (nint)
		fprintf(stderr,
			"pagebench mrc: %zu row%s in %s/mrc.csv (partial: interrupted by %s, %zu "
			"point(s) not computed)\n",
			nwritten, nwritten == 1 ? "" : "s", dir, why, nint);
	else if (!o.csv)
		fprintf(stderr, "pagebench mrc: %zu row%s in %s/mrc.csv%s\n", nwritten,
			nwritten == 1 ? "" : "s", dir,
			failed ? " (not complete: meta.json says why)" : "");
	if (sampled && !frc && !o.csv)
		fprintf(stderr, "pagebench mrc: sampled %zu of %zu references (rate %g)\n", ns[0],
			n, sa[0].rate);
	/* what --calibrate measured: the raw method's error on LRU, whose
	 * exact curve is known (a number that reads as the state of the
	 * calibration, "uncalibrated, off by 0.0083", was taken for a fault);
	 * a line a fact, each under 160 characters */
	if (cal.on && !frc && !o.csv && !cal.n)
		fprintf(stderr,
			"pagebench mrc: sampling error not measured: every size's scaled cache is "
			"below --sample-min %llu\n"
			"pagebench mrc: so no size compares LRU's sampled curve with its exact one "
			"(the lru rows are exact, the other policies' rows NA)\n",
			(unsigned long long)o.c.sample_min);
	else if (cal.on && !frc && !o.csv)
		fprintf(stderr,
			"pagebench mrc: sampling error measured on LRU: its sampled curve (seed "
			"%llu, before calibration) is %.4f from its exact curve\n"
			"pagebench mrc: that is the mean absolute miss-ratio difference over %zu "
			"sizes (the largest %.4f)\n"
			"pagebench mrc: calibrated: the lru rows are the exact curve, every other "
			"policy's estimate is scaled by exact / sampled LRU at each size\n",
			(unsigned long long)o.c.sample_seed, cal.mae, cal.n, cal.max);
	mrc_cal_free(&cal);
	for (int s = 0; s < 2; s++) {
		if (load)
			pb_mrc_sample_free(skeys[s], swr[s], ns[s]);
		pb_mrc_sample_buf_free(&sbuf[s]);
	}
	free(pstack);
	free(fr);
	free(calex);
	pb_vm_sweep_jobs_free(jobs, nrows * (size_t)nstreams);
	free(jobs);
	free(rows);
	pb_vm_cli_policies_free(o.pol, o.npol);
	pb_param_free(mrc_options, &o.c);
	pb_vm_load_free(&l);
	if (sig) /* after saving what was done: die of it */
		pb_signal_exit(sig);
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
