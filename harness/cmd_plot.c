/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_plot.c - `pagebench plot RUN_DIR... [options]`: paper figures
 * from run folders with gnuplot (see harness/plot/plot.h and docs/plots.md).
 *
 * Exit codes: 0 figures written, 1 gnuplot missing or failed (or an output
 * could not be written), 2 bad options or nothing to plot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"
#include "plot/plot.h"

static const char usage[] = "usage: pagebench plot RUN_DIR... [options]\n"
			    "Paper figures of run folders with gnuplot (docs/plots.md).\n";

static const char *const single_kinds[] = {"scaling", "cost", "counters", "faults",
					   "eat",     "mrc",  "latency"};

/* 1 if the entry e of a comma list is the word w. */
static int entry_is(const struct pb_kv *e, const char *w)
{
	return e->len == strlen(w) && !memcmp(e->s, w, e->len);
}

static int kind_listed(const char *kinds, const char *k)
{
	if (!kinds)
		return 1;
	for (struct pb_kv e = {0}; pb_kv_next(kinds, &e);)
		if (entry_is(&e, k))
			return 1;
	return 0;
}

/* gnuplot, or PAGEBENCH_GNUPLOT: a path, or a name looked up in PATH as
 * execvp (gp.c) will. */
static int have_gnuplot(void)
{
	const char *g = getenv("PAGEBENCH_GNUPLOT");
	if (g && *g && strchr(g, '/'))
		return access(g, X_OK) == 0;
	const char *name = g && *g ? g : "gnuplot";
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t l = strcspn(p, ":");
		char f[4352];
		snprintf(f, sizeof(f), "%.*s/%s", (int)l, l ? p : ".", name);
		if (!access(f, X_OK))
			return 1;
		p += l + (p[l] == ':');
	}
	return 0;
}

static int parse_ylim(const char *s, struct pb_plot_opts *o)
{
	const char *colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	char a[64], b[64];
	if ((size_t)(colon - s) >= sizeof(a) || strlen(colon + 1) >= sizeof(b))
		return -EINVAL;
	snprintf(a, sizeof(a), "%.*s", (int)(colon - s), s);
	snprintf(b, sizeof(b), "%s", colon + 1);
	double x, y;
	if (*a && (pb_parse_double(a, &x) || !isfinite(x)))
		return -EINVAL;
	if (*b && (pb_parse_double(b, &y) || !isfinite(y)))
		return -EINVAL;
	if (*a && *b && !(x < y))
		return -EINVAL;
	if (*a)
		snprintf(o->ylo, sizeof(o->ylo), "%.17g", x);
	else
		snprintf(o->ylo, sizeof(o->ylo), "*");
	if (*b)
		snprintf(o->yhi, sizeof(o->yhi), "%.17g", y);
	else
		snprintf(o->yhi, sizeof(o->yhi), "*");
	o->ylim = 1;
	return 0;
}

struct plot_cli {
	char *kind, *out, *width, *ylim, *order, *title, *format;
	int mono, logx, logy;
};

#define O(f) offsetof(struct plot_cli, f)
static const struct pb_param plot_params[] = {
    {"kind", PB_PT_STR, O(kind), NULL,
     "figures to draw: scaling,cost,counters,faults,eat,mrc,latency (one folder), machines "
     "(several) (default: every kind the data allows)",
     NULL, 0, 0, 0, 0, "K[,K...]"},
    {"out", PB_PT_STR, O(out), NULL, "output folder (default RUN_DIR/plots)", NULL, 0, 0, 0, 0,
     "DIR"},
    {"width", PB_PT_STR, O(width), "column", "figure width: column, page or inches (2.5..20)", NULL,
     0, 0, 0, 0, "W"},
    {"mono", PB_PT_FLAG, O(mono), NULL, "monochrome figures", NULL, 0, 0, 0, 0, NULL},
    {"logx", PB_PT_FLAG, O(logx), NULL, "logarithmic x axis", NULL, 0, 0, 0, 0, NULL},
    {"logy", PB_PT_FLAG, O(logy), NULL, "logarithmic y axis", NULL, 0, 0, 0, 0, NULL},
    {"ylim", PB_PT_STR, O(ylim), NULL, "y range A:B (either may be empty)", NULL, 0, 0, 0, 0,
     "A:B"},
    {"order", PB_PT_STR, O(order), NULL, "select and order the series by name", NULL, 0, 0, 0, 0,
     "N1,N2,..."},
    {"title", PB_PT_STR, O(title), NULL, "figure title", NULL, 0, 0, 0, 0, "T"},
    {"format", PB_PT_STR, O(format), "pdf,png", "output formats, any of pdf,png,svg", NULL, 0, 0, 0,
     0, "F[,F...]"},
    {0},
};
#undef O

/* The work folder holds only this run's temporaries: empty it, remove it. */
static void remove_work_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX + 256];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* The longest --out (and RUN_DIR/plots) path, with its NUL */
#define PLOT_OUT_MAX 4096

/*
 * pb_mkdir_p(out), the same mkdir of each prefix (at a '/') and of out,
 * noting made[n] = 1 for each prefix of length n that this call made (its
 * mkdir succeeded): exactly the folders a failure may remove.  Asked of
 * mkdir, not of lstat beforehand: in "new/../old/sub" the prefixes past
 * "new" look missing while "new" is, yet "new/../old" is a folder that
 * was there.  (The first missing prefix as the limit, a failed call left
 * "new" behind: the walk up from out stopped at "new/..", which rmdir
 * refuses.)
 */
static int mkdir_noting(const char *out, unsigned char made[PLOT_OUT_MAX])
{
	char buf[PLOT_OUT_MAX];
	if (snprintf(buf, sizeof(buf), "%s", out) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *sl = buf + 1;; sl++) {
		sl = strchr(sl, '/');
		if (sl)
			*sl = 0;
		if (!mkdir(buf, 0777))
			made[strlen(buf)] = 1;
		else if (errno != EEXIST)
			return -errno;
		if (!sl)
			return 0;
		*sl = '/';
	}
}

/* Nothing written: remove the folders this call made (made[], from
 * mkdir_noting), innermost first, each only if empty (rmdir): a folder
 * that was there before is never touched. */
static void remove_made_folders(const char *out, const unsigned char made[PLOT_OUT_MAX])
{
	char buf[PLOT_OUT_MAX];
	if (!out || snprintf(buf, sizeof(buf), "%s", out) >= (int)sizeof(buf))
		return; /* out is NULL when the call failed before it was known */
	for (size_t n = strlen(buf); n > 0; n--) {
		if (!made[n])
			continue;
		buf[n] = 0;
		(void)rmdir(buf); /* not empty: one of ours holds what was written */
	}
}

int pb_cmd_plot(int argc, char **argv)
{
	struct pb_plot_opts o = {.width_in = 3.3, .formats = PB_FMT_PDF | PB_FMT_PNG};
	struct plot_cli cli = {0}; /* zeroed: defaults free the PB_PT_STR fields they replace */
	const char *out = NULL;
	char **order = NULL;
	size_t norder = 0;
	struct pb_sb command = {0}; /* the command line, for the sidecars */
	char perr[1024];
	char **rdirs = calloc((size_t)argc + 1, sizeof(char *));
	int nrun = 0;
	if (!rdirs)
		pb_usage_error("plot", "out of memory");
	if (pb_param_defaults(plot_params, &cli, perr, sizeof(perr)))
		pb_usage_error("plot", "%s", perr);
	int prc =
	    pb_param_getopt(plot_params, &cli, argc, argv, rdirs, &nrun, NULL, perr, sizeof(perr));
	if (prc == 1) {
		fputs(usage, stdout);
		printf("options:\n");
		pb_param_help(plot_params, stdout, 1);
		pb_param_free(plot_params, &cli);
		free(rdirs);
		return PB_EXIT_OK;
	}
	if (prc)
		pb_usage_error("plot", "%s (see pagebench plot --help)", perr);
	/* each given value through its checker, in the table's order */
	const struct {
		int c;
		const char *v;
	} todo[] = {
	    {'k', cli.kind},
	    {'o', cli.out},
	    {'w', cli.width},
	    {'m', cli.mono ? "" : NULL},
	    {'X', cli.logx ? "" : NULL},
	    {'Y', cli.logy ? "" : NULL},
	    {'y', cli.ylim},
	    {'r', cli.order},
	    {'t', cli.title},
	    {'f', cli.format},
	};
	for (size_t ti = 0; ti < PB_ARRAY_SIZE(todo); ti++) {
		const char *optarg = todo[ti].v;
		if (!optarg)
			continue;
		switch (todo[ti].c) {
		case 'k':
			if (pb_list_has_empty(optarg))
				pb_usage_error("plot", "--kind: an empty kind in '%s'", optarg);
			for (struct pb_kv e = {0}; pb_kv_next(optarg, &e);) {
				int ok = entry_is(&e, "machines");
				for (size_t i = 0; i < PB_ARRAY_SIZE(single_kinds); i++)
					ok |= entry_is(&e, single_kinds[i]);
				if (!ok)
					pb_usage_error(
					    "plot",
					    "--kind: unknown kind '%.*s' (scaling, cost, "
					    "counters, faults, eat, mrc, latency, machines)",
					    (int)e.len, e.s);
			}
			o.kinds = optarg;
			break;
		case 'o':
			if (!*optarg)
				pb_usage_error("plot", "--out: empty folder name");
			out = optarg;
			break;
		case 'w':
			if (!strcmp(optarg, "column"))
				o.width_in = 3.3;
			else if (!strcmp(optarg, "page"))
				o.width_in = 7.0;
			else if (pb_parse_double(optarg, &o.width_in) ||
				 !(o.width_in >= PB_PLOT_MIN_WIDTH) || !(o.width_in <= 20))
				pb_usage_error(
				    "plot",
				    "--width: '%s' is not column, page or inches "
				    "between %.1f and 20 (narrower, the titles, keys and "
				    "tic labels do not fit)",
				    optarg, PB_PLOT_MIN_WIDTH);
			break;
		case 'm':
			o.mono = 1;
			break;
		case 'X':
			o.logx = 1;
			break;
		case 'Y':
			o.logy = 1;
			break;
		case 'y':
			o.ylim_arg = optarg;
			if (parse_ylim(optarg, &o))
				pb_usage_error("plot",
					       "--ylim: '%s' is not A:B with numbers A < B "
					       "(either may be empty)",
					       optarg);
			break;
		case 'r':
			if (order)
				pb_free_list(order, norder);
			if (pb_split_list(optarg, &order, &norder) || !norder)
				pb_usage_error("plot", "--order: '%s' is not a list of names",
					       optarg);
			for (size_t i = 0; i < norder; i++)
				if (!*order[i])
					pb_usage_error("plot", "--order: empty name in '%s'",
						       optarg);
			break;
		case 't':
			o.title = optarg;
			break;
		case 'f':
			if (pb_list_has_empty(optarg))
				pb_usage_error("plot", "--format: an empty format in '%s'", optarg);
			o.formats = 0;
			for (struct pb_kv e = {0}; pb_kv_next(optarg, &e);) {
				if (entry_is(&e, "pdf"))
					o.formats |= PB_FMT_PDF;
				else if (entry_is(&e, "png"))
					o.formats |= PB_FMT_PNG;
				else if (entry_is(&e, "svg"))
					o.formats |= PB_FMT_SVG;
				else
					pb_usage_error("plot",
						       "--format: '%.*s' is not pdf, png or svg",
						       (int)e.len, e.s);
			}
			break;
		default:
			break;
		}
	}
	o.order = order;
	o.norder = norder;
	if (o.logy && o.ylim && strcmp(o.ylo, "*") && !(strtod(o.ylo, NULL) > 0))
		pb_usage_error("plot", "--ylim %s: a log y axis (--logy) needs a lower end above 0",
			       cli.ylim);
	if (nrun < 1)
		pb_usage_error("plot",
			       "no run folder given (pagebench plot RUN_DIR... ; see --help)");
	if (nrun > 1 && !out)
		pb_usage_error("plot",
			       "%d run folders: say where the side-by-side figures go with "
			       "--out DIR",
			       nrun);
	if (nrun > 1 && o.kinds && !kind_listed(o.kinds, "machines"))
		pb_usage_error("plot", "several run folders draw the 'machines' kind only");
	if (nrun == 1 && o.kinds && kind_listed(o.kinds, "machines") &&
	    strchr(o.kinds, ',') == NULL)
		pb_usage_error("plot", "--kind machines needs two or more run folders");

	struct pb_plot_run *runs = calloc((size_t)nrun, sizeof(*runs));
	if (!runs)
		pb_usage_error("plot", "out of memory");
	char err[4608];
	for (int i = 0; i < nrun; i++) {
		if (pb_plot_run_load(&runs[i], rdirs[i], err, sizeof(err)))
			pb_usage_error("plot", "%s", err);
		if (!runs[i].has_summary && !runs[i].has_sim && !runs[i].has_mrc &&
		    !runs[i].has_latency)
			pb_usage_error("plot",
				       "%s: nothing to plot (no summary.csv, sim.csv, mrc.csv "
				       "or latency.csv)",
				       rdirs[i]);
	}
	int rc = PB_EXIT_OK;
	/* the folders of out this call made (mkdir_noting): what a failure removes */
	unsigned char made[PLOT_OUT_MAX] = {0};
	/* a kind asked for whose file the folder lacks: refused before any
	 * figure is drawn (found after drawing, `--kind cost,mrc` left the cost
	 * figure behind an exit 2); a kind whose file is there but holds
	 * nothing it can draw is still found by its figure code, below */
	for (size_t k = 0; nrun == 1 && o.kinds && k < PB_ARRAY_SIZE(single_kinds); k++) {
		static const char *const need[] = {"summary.csv", "summary.csv", "runs.csv",
						   "sim.csv",	  "sim.csv",	 "mrc.csv",
						   "latency.csv"};
		const struct pb_plot_run *r = &runs[0];
		const int has[] = {r->has_summary, r->has_summary, r->has_runs,	  r->has_sim,
				   r->has_sim,	   r->has_mrc,	   r->has_latency};
		if (kind_listed(o.kinds, single_kinds[k]) && !has[k]) {
			pb_error("plot", "no data for --kind %s in %s (it needs %s)",
				 single_kinds[k], rdirs[0], need[k]);
			rc = PB_EXIT_USAGE;
			goto done;
		}
	}
	if (!have_gnuplot()) {
		pb_error("plot",
			 "gnuplot not found (install gnuplot-nox, or set PAGEBENCH_GNUPLOT)");
		rc = PB_EXIT_FAIL;
		goto done;
	}

	/* the output folder: --out, else RUN_DIR/plots */
	char outbuf[PLOT_OUT_MAX];
	if (!out)
		pb_path_join(outbuf, sizeof(outbuf), rdirs[0], "plots"); /* RUN_DIR/ too */
	else if ((size_t)snprintf(outbuf, sizeof(outbuf), "%s", out) >= sizeof(outbuf)) {
		pb_error("plot", "--out: folder name too long");
		rc = PB_EXIT_USAGE;
		goto done;
	}
	/* "--out figs/" is figs: the files listed and placed as figs/NAME */
	for (size_t l = strlen(outbuf); l > 1 && outbuf[l - 1] == '/';)
		outbuf[--l] = 0;
	out = outbuf;
	struct stat st;
	int me = mkdir_noting(out, made); /* the parents too */
	if (me) {
		pb_error("plot", "%s: %s", out, strerror(-me));
		rc = PB_EXIT_FAIL;
		goto done;
	}
	if (stat(out, &st) || !S_ISDIR(st.st_mode)) {
		pb_error("plot", "%s: not a folder", out);
		rc = PB_EXIT_FAIL;
		goto done;
	}
	pb_sb_put(&command, "pagebench");
	for (int i = 0; i < argc; i++) {
		pb_sb_put(&command, " ");
		pb_sb_shell(&command, argv[i]);
	}
	struct pb_plot_ctx ctx = {.o = &o, .out = out, .command = command.s};
	int tl = snprintf(ctx.tmp, sizeof(ctx.tmp), "%s/.plot-XXXXXX", out);
	if (tl < 0 || (size_t)tl >= sizeof(ctx.tmp) - 64) {
		pb_error("plot", "--out: folder name too long");
		rc = PB_EXIT_USAGE;
		goto done;
	}
	if (!mkdtemp(ctx.tmp)) {
		pb_error("plot", "%s: cannot make a work folder: %s", out, strerror(errno));
		rc = PB_EXIT_FAIL;
		goto done;
	}
	/* A signal between figures: finish none, remove the work folder. */
	int tmp_slot = pb_cleanup_add(ctx.tmp);
	pb_signals_install(1);

	int missing = 0, refused = 0; /* refused: --ylim leaves out a whole panel */
	char missing_kind[32] = "";
	if (nrun == 1) {
		static int (*const fn[])(struct pb_plot_ctx *, struct pb_plot_run *) = {
		    pb_plot_scaling, pb_plot_cost, pb_plot_counters, pb_plot_faults,
		    pb_plot_eat,     pb_plot_mrc,  pb_plot_latency};
		for (size_t k = 0; k < PB_ARRAY_SIZE(fn) && !pb_signal_pending(); k++) {
			if (!kind_listed(o.kinds, single_kinds[k]))
				continue;
			int r = fn[k](&ctx, &runs[0]);
			if (r == -EDOM)
				refused = 1;
			else if (r < 0)
				rc = PB_EXIT_FAIL;
			else if (r == 0 && o.kinds && !missing++)
				snprintf(missing_kind, sizeof(missing_kind), "%s", single_kinds[k]);
		}
	} else {
		int r = pb_plot_machines(&ctx, runs, (size_t)nrun);
		int r2 = r < 0 || pb_signal_pending()
			     ? 0
			     : pb_plot_machines_scaling(&ctx, runs, (size_t)nrun);
		if (r == -EDOM)
			refused = 1;
		else if (r < 0 || r2 < 0)
			rc = PB_EXIT_FAIL;
		else if (r == 0)
			missing++, snprintf(missing_kind, sizeof(missing_kind), "machines");
	}
	remove_work_folder(ctx.tmp);
	pb_cleanup_remove(tmp_slot);
	if (pb_signal_pending())
		pb_signal_exit(pb_signal_pending());
	if (rc)
		goto done;
	if (refused) { /* said, with the range and the bars' */
		rc = PB_EXIT_USAGE;
		goto done;
	}
	if (missing && o.kinds) {
		pb_error("plot", "no data for --kind %s in %s%s", missing_kind, rdirs[0],
			 o.norder ? " (after --order)" : "");
		rc = PB_EXIT_USAGE;
		goto done;
	}
	if (!ctx.made && nrun > 1) {
		pb_error("plot", "several folders: the machines figure needs summary.csv in every "
				 "folder (or sim.csv in every folder)");
		rc = PB_EXIT_USAGE;
		goto done;
	}
	if (!ctx.made) {
		pb_error("plot", "%s: nothing to plot%s", rdirs[0],
			 o.norder ? ": no series named in --order" : "");
		rc = PB_EXIT_USAGE;
		goto done;
	}
	rc = PB_EXIT_OK;
done:
	if (rc != PB_EXIT_OK) /* a failure leaves no empty folder of ours behind */
		remove_made_folders(out, made);
	for (int i = 0; i < nrun; i++)
		pb_plot_run_free(&runs[i]);
	free(runs);
	if (order)
		pb_free_list(order, norder);
	pb_param_free(plot_params, &cli);
	pb_sb_free(&command);
	free(rdirs);
	return rc;
}
