/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_compare.c - `pagebench compare`: a regression check of run
 * folders that a CI can trust, and machines side by side.
 *
 *   pagebench compare BASE NEW [options]
 *   pagebench compare BASE1 BASE2 ... -- NEW1 NEW2 ... [options before --]
 *   pagebench compare --machines RUN_A RUN_B ... [options]
 *
 * The command is thin: harness/compare/ does the work (see compare.h for
 * the map and docs/compare.md for the user's view).  Exit codes: 0 clean,
 * 1 a regression, changed counts, a missing experiment or an INVALID row,
 * 2 bad usage or bad input (an unreadable folder, a garbled cell, a
 * configuration mismatch without --allow-config-mismatch).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"

static const char *const CMD = "compare";

struct compare_cli {
	char *threshold, *out;
	unsigned format, mode;
	uint64_t seed, resamples;
	int match_pin, allow_mismatch, force, machines;
};

static const char *const format_names[] = {"text", "csv", "json", NULL}; /* enum cmp_format */
/* enum cmp_mode order, then the American spelling of "normalised" */
static const char *const mode_names[] = {"auto", "raw", "normalised", "normalized", NULL};
#define O(f) offsetof(struct compare_cli, f)
static const struct pb_param compare_params[] = {
    {"threshold", PB_PT_STR, O(threshold), "5%",
     "a change is called only when its 95% interval lies beyond P percent (0..1000; 5 and 5% are "
     "both 5%; a bare number below 1 is refused: write 0.05% or 5%)",
     NULL, 0, 0, 0, 0, "P"},
    {"format", PB_PT_ENUM, O(format), "text", "what stdout gets", format_names, 0, 0, 0, 0, "F"},
    {"mode", PB_PT_ENUM, O(mode), "auto",
     "auto: normalised (kernel / its baseline) when both sides have baselines", mode_names, 0, 0, 0,
     0, "M"},
    {"match-pin", PB_PT_FLAG, O(match_pin), NULL, "pin is part of the configuration", NULL, 0, 0, 0,
     0, NULL},
    {"allow-config-mismatch", PB_PT_FLAG, O(allow_mismatch), NULL,
     "compare runs whose meta.json configurations differ (size, ops, params, seed, build "
     "type), with a warning",
     NULL, 0, 0, 0, 0, NULL},
    {"seed", PB_PT_U64, O(seed), "1", "bootstrap seed", NULL, 0, 0, 0, 0, "N"},
    {"resamples", PB_PT_U64, O(resamples), "2000", "bootstrap resamples", NULL, 100, 1000000, 0, 0,
     "N"},
    {"out", PB_PT_STR, O(out), ".",
     "where compare.csv / machines.csv go (made, with its parents, if missing)", NULL, 0, 0, 0, 0,
     "DIR"},
    {"force", PB_PT_FLAG, O(force), NULL,
     "replace an existing compare.csv / machines.csv and the machines figures", NULL, 0, 0, 0, 0,
     NULL},
    {"machines", PB_PT_FLAG, O(machines), NULL,
     "compare several machines' runs side by side (machines.csv)", NULL, 0, 0, 0, 0, NULL},
    {0},
};
#undef O

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: pagebench compare BASE_RUN NEW_RUN [options]\n"
	    "       pagebench compare [options] BASE_RUN... -- NEW_RUN...   (pools repetitions)\n"
	    "       pagebench compare --machines RUN_A RUN_B... [--format F] [--out DIR]\n"
	    "Matches the experiments of the run folders by configuration (experiment, kernel,\n"
	    "params, threads; pin too with --match-pin) and judges each across repetitions\n"
	    "(runs.csv): Mann-Whitney U and a seeded bootstrap 95%% interval of the ratio of\n"
	    "medians.  Baseline-normalised (kernel / its baseline, run in the same process)\n"
	    "when both sides have baselines, so a slower machine is not called slower code.\n"
	    "sim.csv and mrc.csv counts must be equal.  Writes compare.csv (or machines.csv).\n"
	    "options (before any --):\n");
	pb_param_help(compare_params, f, 1);
	fprintf(f, "Exit: 0 clean, 1 regression / changed counts / missing experiment / INVALID "
		   "row /\nnothing measured on one side (NA), 2 bad usage or input.\n");
}

/* --threshold: a percentage, "5%" or "5".  A bare number below 1 ("0.05")
 * is refused (-EDOM): a CI author who means a fraction (5%) would get a
 * gate 100 times stricter, so it must say which with a % sign. */
static int parse_threshold(const char *s, double *out)
{
	size_t l = strlen(s);
	char *buf = cmp_strdup(s);
	int pct = l && buf[l - 1] == '%';
	if (pct)
		buf[l - 1] = 0;
	double v;
	int rc = pb_parse_double(buf, &v);
	free(buf);
	if (rc || !(v >= 0 && v <= 1000))
		return -EINVAL;
	if (!pct && v > 0 && v < 1)
		return -EDOM;
	*out = v / 100;
	return 0;
}

struct args {
	struct cmp_opts o;
	enum cmp_format fmt;
	int allow_mismatch, machines, force;
	const char *out_dir;
	char **base, **new_;
	size_t nbase, nnew;
	struct compare_cli cli; /* owns out_dir */
	char **pos;		/* owns base (and new_ without --) */
};

static void free_args(struct args *a)
{
	pb_param_free(compare_params, &a->cli);
	free(a->pos);
	a->pos = NULL;
}

/* 0, or PB_EXIT_USAGE after printing the one line; -1 for --help. */
static int parse_args(int argc, char **argv, struct args *a)
{
	char err[1024];
	*a = (struct args){.o = {.alpha = 0.05}};
	/* Everything after the first "--" is NEW runs; options come before. */
	int split = argc;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			split = i;
			break;
		}
	int npos = 0;
	a->pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->pos || pb_param_defaults(compare_params, &a->cli, err, sizeof(err))) {
		pb_error(CMD, "out of memory");
		return PB_EXIT_FAIL;
	}
	int prc = pb_param_getopt(compare_params, &a->cli, split, argv, a->pos, &npos, NULL, err,
				  sizeof(err));
	if (prc == 1) {
		usage(stdout);
		return -1;
	}
	if (prc) {
		pb_error(CMD, "%s (see pagebench compare --help)", err);
		return PB_EXIT_USAGE;
	}
	int trc = parse_threshold(a->cli.threshold, &a->o.threshold);
	if (trc == -EDOM) {
		double v = strtod(a->cli.threshold, NULL);
		pb_error(CMD,
			 "--threshold '%.100s' is ambiguous: a bare number is a percentage "
			 "(%.100s%%), not a fraction (%.6g%%): write %.6g%% for %.6g percent, or "
			 "%.100s%% for %.100s percent",
			 a->cli.threshold, a->cli.threshold, v * 100, v * 100, v * 100,
			 a->cli.threshold, a->cli.threshold);
		return PB_EXIT_USAGE;
	}
	if (trc) {
		pb_error(CMD, "bad --threshold '%.100s' (a percentage, e.g. 5%%)",
			 a->cli.threshold);
		return PB_EXIT_USAGE;
	}
	if (!a->cli.out[0]) {
		pb_error(CMD, "bad --out '' (a folder)");
		return PB_EXIT_USAGE;
	}
	a->fmt = (enum cmp_format)a->cli.format;
	a->o.mode = a->cli.mode == 3 ? CMP_MODE_NORM : (enum cmp_mode)a->cli.mode;
	a->o.match_pin = a->cli.match_pin;
	a->o.seed = a->cli.seed;
	a->o.resamples = (unsigned)a->cli.resamples;
	a->allow_mismatch = a->cli.allow_mismatch;
	a->force = a->cli.force;
	a->machines = a->cli.machines;
	a->out_dir = a->cli.out;
	a->base = a->pos;
	a->nbase = (size_t)npos;
	if (split < argc) {
		a->new_ = argv + split + 1;
		a->nnew = (size_t)(argc - split - 1);
		if (a->machines) {
			pb_error(CMD, "--machines takes a list of runs, without --");
			return PB_EXIT_USAGE;
		}
		if (!a->nbase || !a->nnew) {
			pb_error(
			    CMD,
			    "expected BASE_RUN... -- NEW_RUN... (at least one run on each side)");
			return PB_EXIT_USAGE;
		}
		for (size_t i = 0; i < a->nnew; i++)
			if (!strncmp(a->new_[i], "--", 2)) {
				pb_error(CMD, "option '%.100s' after the --: options go before it",
					 a->new_[i]);
				return PB_EXIT_USAGE;
			}
	} else if (a->machines) {
		if (a->nbase < 2) {
			pb_error(CMD, "--machines needs at least two run folders, got %zu",
				 a->nbase);
			return PB_EXIT_USAGE;
		}
	} else {
		if (a->nbase != 2) {
			pb_error(CMD,
				 "expected two run folders (BASE NEW), got %zu; pool several with "
				 "BASE... -- NEW...",
				 a->nbase);
			return PB_EXIT_USAGE;
		}
		a->new_ = a->base + 1;
		a->nnew = 1;
		a->nbase = 1;
	}
	return 0;
}

static int load_runs(char **dirs, size_t n, struct cmp_run **out)
{
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	char err[CMP_ERRLEN];
	for (size_t i = 0; i < n; i++) {
		int rc = cmp_run_load(dirs[i], &(*out)[i], err, sizeof(err));
		if (rc) {
			pb_error(CMD, "%s", err);
			for (size_t j = 0; j < i; j++)
				cmp_run_free(&(*out)[j]);
			free(*out);
			*out = NULL;
			return rc;
		}
	}
	return 0;
}

static void free_runs(struct cmp_run *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		cmp_run_free(&r[i]);
	free(r);
}

/* Check the --out folder and refuse an existing output file: after the
 * runs are read, before any work is done.  Nothing is made here: the
 * folder is made (cmp_out_dir) only after every refusal, so a compare
 * refused for its configurations or its input leaves none behind. */
static int check_out(const char *dir, const char *name, int force, char **path)
{
	*path = cmp_path(dir, name); /* no "//" after a --out DIR/ */
	char err[CMP_ERRLEN];
	int e = cmp_out_dir(CMD, dir, 0);
	if (e)
		return e;
	int rc = pb_out_check(*path, force ? PB_OUT_FORCE : 0, err, sizeof(err));
	if (rc == -EEXIST)
		pb_error(CMD, "%s exists (--force replaces it, --out DIR writes elsewhere)", *path);
	else if (rc)
		pb_error(CMD, "%s", err);
	return rc;
}

/* Runs of kinds that share nothing (timed experiments against a sim
 * replay, sim against mrc) have no row to match: one line naming them,
 * before their configurations (which differ in every key) are compared.
 * Every run, BASE and NEW, has a kind of file that all the others have
 * too; against the first BASE run alone, a suite folder of both
 * summary.csv and sim.csv there let a run folder pooled with a sim folder
 * through, each NEW run compared on rows the other lacks. */
static int check_kinds(const struct cmp_run *base, size_t nbase, const struct cmp_run *nw,
		       size_t nnew)
{
	/* run i of BASE then NEW, and its side */
#define RUN_I(i) ((i) < nbase ? &base[i] : &nw[(i)-nbase])
#define SIDE(i)	 ((i) < nbase ? "BASE" : "NEW")
	char ka[128], kb[128];
	unsigned common = cmp_run_kinds(&base[0]);
	for (size_t i = 1; i < nbase + nnew; i++) {
		const struct cmp_run *r = RUN_I(i);
		unsigned k = cmp_run_kinds(r);
		if (common & k) {
			common &= k;
			continue;
		}
		/* the first run before it that shares nothing with it; where
		 * each shares some but all together none, the kinds they share */
		size_t j = 0;
		while (j < i && (cmp_run_kinds(RUN_I(j)) & k))
			j++;
		if (j < i) {
			pb_error(CMD, "%s %s is %s, %s %s %s: nothing to compare", SIDE(j),
				 RUN_I(j)->dir, cmp_run_kind_text(RUN_I(j), ka, sizeof(ka)),
				 SIDE(i), r->dir, cmp_run_kind_text(r, kb, sizeof(kb)));
		} else {
			struct cmp_run shared = {.has_summary = !!(common & CMP_KIND_RUN),
						 .has_sim = !!(common & CMP_KIND_SIM),
						 .has_mrc = !!(common & CMP_KIND_MRC)};
			pb_error(CMD,
				 "%s %s is %s, but the runs before it have in common only %s: "
				 "nothing to compare",
				 SIDE(i), r->dir, cmp_run_kind_text(r, kb, sizeof(kb)),
				 cmp_run_kind_text(&shared, ka, sizeof(ka)));
		}
		return -EINVAL;
	}
	return 0;
#undef RUN_I
#undef SIDE
}

/* A suite's folder against single runs: the suite's rows are all its
 * tasks' and its config the suite's own, so compared as they are, every
 * key of the run's config is "(absent)" in the suite's and every other
 * task's row MISSING.  Each suite stands in for its one task that ran
 * what the first single run did (cmp_suite_task: same kind, same kernel
 * or workload), said in the header; none or several: one line, exit 2.
 * Suites against suites are compared task by task (rundir.c). */
static int pick_suite_tasks(struct cmp_run *base, size_t nbase, struct cmp_run *nw, size_t nnew)
{
#define RUN_I(i) ((i) < nbase ? &base[i] : &nw[(i)-nbase])
#define SIDE(i)	 ((i) < nbase ? "BASE" : "NEW")
	size_t ref = nbase + nnew, suite = nbase + nnew;
	for (size_t i = 0; i < nbase + nnew; i++) {
		if (!cmp_run_is_suite(RUN_I(i)))
			ref = ref < i ? ref : i;
		else
			suite = suite < i ? suite : i;
	}
	if (ref == nbase + nnew || suite == nbase + nnew)
		return 0; /* all suites, or none */
	char err[CMP_ERRLEN];
	for (size_t i = 0; i < nbase + nnew; i++) {
		struct cmp_run *r = RUN_I(i);
		if (!cmp_run_is_suite(r))
			continue;
		size_t ntasks =
		    json_array_size(json_object_get(json_object_get(r->meta, "config"), "tasks"));
		char *dir = cmp_strdup(r->dir);
		if (cmp_suite_task(r, RUN_I(ref), err, sizeof(err))) {
			pb_error(CMD, "%s %s is a suite of %zu task(s), %s %s a single run: %s",
				 SIDE(i), dir, ntasks, SIDE(ref), RUN_I(ref)->dir, err);
			free(dir);
			return -EINVAL;
		}
		free(dir);
	}
	return 0;
#undef RUN_I
#undef SIDE
}

/* Whether runs a and b are one run (a folder given twice, a copy of it, a
 * link to it), the one rule of check_pool and of --machines' warning: the
 * same meta.json run_id, and no two recorded starts that differ.  run_id
 * is 6 random hex digits (results.c), so two runs share one once in 2^24
 * pairs; started_utc tells those apart.  A meta.json without started_utc
 * (pagebench has always written it: a hand-made or edited one) leaves
 * nothing to tell them apart by, so run_id decides: a copy of a run with
 * its start taken out is still that run, and pooled, its repetitions
 * would count twice.  Two runs that drew one id and lost their starts
 * are called one (pooled: exit 2, both named) rather than let a run
 * count twice.  Its run_id, else NULL. */
static const char *same_run(const struct cmp_run *a, const struct cmp_run *b)
{
	json_t *ia = json_object_get(a->meta, "run_id"), *ib = json_object_get(b->meta, "run_id");
	json_t *sa = json_object_get(a->meta, "started_utc"),
	       *sb = json_object_get(b->meta, "started_utc");
	if (!json_is_string(ia) || !json_equal(ia, ib))
		return NULL;
	if (json_is_string(sa) && json_is_string(sb) && !json_equal(sa, sb))
		return NULL;
	return json_string_value(ia);
}

/* The same run twice in one pool (one folder given twice, a copy of it,
 * a link to it): its repetitions would count twice, compare.csv's n_base
 * 6 for 3 measured and p 0.0046 for 0.1, a verdict that no measurement
 * gave.  The same folder after realpath, or same_run; one line naming
 * both arguments, exit 2.  BASE against NEW may be one run (a run against
 * itself). */
static int check_pool(const char *side, char *const *args, const struct cmp_run *r, size_t n)
{
	int rc = 0;
	char **real = calloc(n ? n : 1, sizeof(*real));
	if (!real) {
		pb_error(CMD, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		real[i] = realpath(r[i].dir, NULL);
	for (size_t i = 0; i < n && !rc; i++)
		for (size_t j = i + 1; j < n && !rc; j++) {
			const char *id = same_run(&r[i], &r[j]);
			/* the start either records: a copy may have lost its own */
			json_t *si = json_object_get(r[i].meta, "started_utc");
			if (!json_is_string(si))
				si = json_object_get(r[j].meta, "started_utc");
			if (real[i] && real[j] && !strcmp(real[i], real[j]))
				pb_error(CMD,
					 "%s runs %s and %s are the same folder (%s): pooled, its "
					 "repetitions would count twice (give it once)",
					 side, args[i], args[j], real[i]);
			else if (id)
				pb_error(CMD,
					 "%s runs %s and %s are the same run (run_id %s, started "
					 "%s): pooled, its repetitions would count twice (give it "
					 "once)",
					 side, args[i], args[j], id,
					 json_is_string(si) ? json_string_value(si)
							    : "(not recorded)");
			else
				continue;
			rc = -EINVAL;
		}
	for (size_t i = 0; i < n; i++)
		free(real[i]);
	free(real);
	return rc;
}

static int run_compare(struct args *a)
{
	char *out_path = NULL;
	struct cmp_run *base = NULL, *nw = NULL;
	struct cmp_mismatches mm = {0};
	struct cmp_rows rows = {0};
	char err[CMP_ERRLEN];
	int code = PB_EXIT_USAGE;
	/* the runs read first; the --out folder is made only after every
	 * refusal (cmp_out_dir below), so none is left for a refused compare */
	if (load_runs(a->base, a->nbase, &base) || load_runs(a->new_, a->nnew, &nw) ||
	    check_pool("BASE", a->base, base, a->nbase) ||
	    check_pool("NEW", a->new_, nw, a->nnew) || check_kinds(base, a->nbase, nw, a->nnew) ||
	    pick_suite_tasks(base, a->nbase, nw, a->nnew) ||
	    check_kinds(base, a->nbase, nw, a->nnew) ||
	    check_out(a->out_dir, "compare.csv", a->force, &out_path))
		goto out;
	/* A run that did not complete is compared (its finished experiments
	 * count; the rest show as missing) but never quietly. */
	for (size_t side = 0; side < 2; side++)
		for (size_t i = 0; i < (side ? a->nnew : a->nbase); i++) {
			const struct cmp_run *r = side ? &nw[i] : &base[i];
			if (r->status[0] && strcmp(r->status, "complete"))
				pb_error(CMD, "WARNING: %s: run status is '%s', not complete",
					 r->dir, r->status);
		}
	/* Every run against the first base run: pooled runs must agree too. */
	for (size_t i = 1; i < a->nbase; i++)
		cmp_config_diff(&base[0], &base[i], &mm);
	for (size_t i = 0; i < a->nnew; i++)
		cmp_config_diff(&base[0], &nw[i], &mm);
	for (size_t i = 0; i < mm.n; i++) {
		const struct cmp_mismatch *m = &mm.v[i];
		if (!m->fatal)
			continue;
		if (!a->allow_mismatch) {
			pb_error(CMD,
				 "configurations differ: %s is %.200s in %s but %.200s in %s "
				 "(--allow-config-mismatch compares anyway)",
				 m->what, m->a, m->a_dir, m->b, m->b_dir);
			goto out;
		}
		pb_error(CMD, "WARNING: comparing different configurations: %s is %.200s vs %.200s",
			 m->what, m->a, m->b);
	}
	if (cmp_perf(base, a->nbase, nw, a->nnew, &a->o, &rows, err, sizeof(err)) ||
	    cmp_exact(base, a->nbase, nw, a->nnew, &rows, err, sizeof(err))) {
		pb_error(CMD, "%s", err);
		goto out;
	}
	if (!rows.n) {
		pb_error(CMD, "nothing to compare: no experiments or replays in either run");
		goto out;
	}
	if (cmp_out_dir(CMD, a->out_dir, 1))
		goto out;
	struct cmp_report rep = {base, nw, a->nbase, a->nnew, &a->o, &mm, &rows, PB_EXIT_OK};
	size_t undecided = 0;
	for (size_t i = 0; i < rows.n; i++) {
		if (cmp_verdict_fails(rows.v[i].verdict))
			rep.exit_code = PB_EXIT_FAIL;
		undecided += rows.v[i].verdict == CMP_UNDECIDED;
	}
	/* a gate that fails for want of repetitions says so where a CI log
	 * shows it, not only in the table (stdout, maybe JSON) */
	if (undecided)
		pb_error(CMD,
			 "%zu configuration(s) UNDECIDED: too few repetitions for the rank test "
			 "to reach p < %g (rerun with --reps 4 or more on each side)",
			 undecided, a->o.alpha);
	char *csv = NULL;
	size_t csvlen = 0;
	FILE *mf = open_memstream(&csv, &csvlen);
	if (!mf) {
		pb_error(CMD, "out of memory");
		goto out;
	}
	cmp_write_csv(mf, &rep);
	fclose(mf);
	int wrc = cmp_write_file(out_path, a->force, csv, csvlen, err, sizeof(err));
	if (a->fmt == CMP_FMT_CSV) {
		fwrite(csv, 1, csvlen, stdout);
	} else if (a->fmt == CMP_FMT_JSON) {
		json_t *doc = cmp_json(&rep);
		if (!doc ||
		    json_dumpf(doc, stdout,
			       JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9))) {
			pb_error(CMD, "cannot write JSON");
			json_decref(doc);
			free(csv);
			code = PB_EXIT_FAIL;
			goto out;
		}
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		cmp_write_text(stdout, &rep);
	}
	free(csv);
	if (wrc) {
		pb_error(CMD, "%s", err);
		code = PB_EXIT_FAIL;
		goto out;
	}
	if (a->fmt == CMP_FMT_TEXT)
		printf("compare.csv: %s\n", out_path);
	code = rep.exit_code;
out:
	fflush(stdout);
	cmp_rows_free(&rows);
	cmp_mismatches_free(&mm);
	free_runs(base, a->nbase);
	free_runs(nw, a->nnew);
	free(out_path);
	return code;
}

int pb_cmd_compare(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(argc, argv, &a);
	if (rc) {
		free_args(&a);
		return rc < 0 ? PB_EXIT_OK : rc;
	}
	if (!a.machines) {
		rc = run_compare(&a);
		free_args(&a);
		return rc;
	}
	/* machines.csv and the figures `pagebench plot --kind machines` leaves
	 * in --out (its default formats, pdf and png): replaced only with
	 * --force, the first one in the way named (the figures were replaced
	 * without a word) */
	static const char *const outs[] = {
	    "machines.csv",	    "machines.pdf",	    "machines.png",
	    "machines.gp",	    "machines.dat",	    "machines.str",
	    "machines.txt",	    "machines-scaling.pdf", "machines-scaling.png",
	    "machines-scaling.gp",  "machines-scaling.dat", "machines-scaling.str",
	    "machines-scaling.txt",
	};
	struct cmp_run *runs = NULL;
	if (load_runs(a.base, a.nbase, &runs))
		rc = -1;
	for (size_t i = 0; i < PB_ARRAY_SIZE(outs) && !rc; i++) {
		char *out_path = NULL;
		rc = check_out(a.out_dir, outs[i], a.force, &out_path);
		free(out_path);
	}
	if (rc) {
		free_runs(runs, a.nbase);
		free_args(&a);
		return PB_EXIT_USAGE;
	}
	/* the same run given twice (the same folder, or a copy: same_run):
	 * its machine would be shown as two, "vm" and "vm (2)", with nothing
	 * said */
	for (size_t i = 0; i < a.nbase; i++)
		for (size_t j = i + 1; j < a.nbase; j++) {
			const char *id = same_run(&runs[i], &runs[j]);
			if (id)
				pb_error(CMD,
					 "WARNING: %s and %s are the same run (run_id %s): one "
					 "machine, shown twice",
					 runs[i].dir, runs[j].dir, id);
		}
	rc = cmp_machines(CMD, runs, a.nbase, a.fmt, a.out_dir, a.force);
	free_runs(runs, a.nbase);
	free_args(&a);
	return rc;
}
