/* SPDX-License-Identifier: MIT */
/*
 * harness/plot/plot.h - the plot module behind `pagebench plot`: run folders
 * read back (csvread + jansson), figure kinds, and the gnuplot script writer.
 *
 * Safety contract (issue 11 #4): every string that comes from a run folder
 * (kernel, policy, workload, labels, reasons) and the user's --title reach
 * gnuplot ONLY as data: in NAME.dat (series titles via `title
 * columnheader(i)`, tick labels via xtic()) or in NAME.str, read into
 * variables S1, S2, ... with `stats ... using (S1 = strcol(1), ...)`.  The
 * script text itself is built from constants and numbers parsed here.
 *
 * Output: each figure is made in a private folder inside the output folder
 * (gnuplot runs there, on relative names only), then every file is renamed
 * into place; a target that exists and is not a regular file is refused.
 * Files per figure: NAME.{pdf,png,svg} as asked, NAME.gp + NAME.dat (+
 * NAME.str): `cd OUT && gnuplot NAME.gp` redraws it, and NAME.txt, the
 * sidecar with the command and the source CSVs.
 *
 * Caller: one thread (the CLI).
 */
#ifndef PAGEBENCH_PLOT_H
#define PAGEBENCH_PLOT_H

#include <stdio.h>

#include "pagebench/csvread.h"

enum { PB_FMT_PDF = 1, PB_FMT_PNG = 2, PB_FMT_SVG = 4 };
#define PB_PLOT_DPI 150 /* PNG pixels per inch */
/* The narrowest --width (inches): below it the titles, keys and tic labels
 * of 8 pt text ran off the figures (a 1.5 in mrc figure clipped its key and
 * top axis label, machines-scaling its title and key) */
#define PB_PLOT_MIN_WIDTH 2.5

struct pb_plot_opts {
	double width_in;
	int mono, logx, logy;
	int ylim;	       /* --ylim given */
	char ylo[32], yhi[32]; /* numbers as gnuplot reads them, or "*" */
	const char *ylim_arg;  /* --ylim as given, for messages */
	char **order;	       /* --order names (select and order series), or NULL */
	size_t norder;
	const char *title; /* --title, or NULL */
	unsigned formats;
	const char *kinds; /* --kind list, or NULL for every kind the data allows */
};

struct pb_plot_run {
	const char *dir;
	char label[128]; /* meta.json "label", else "host", else the folder name */
	struct pb_csv summary, runs, sim, mrc, latency;
	int has_summary, has_runs, has_sim, has_mrc, has_latency;
	char counters_na[256]; /* why counter columns are NA (meta.json), or "" */
	/* meta.json cpu_round_trip: the start probe's median, else the end
	 * probe's (round_trip_end set: the key says so, as compare does); NAN:
	 * neither */
	double round_trip_ns;
	int round_trip_end;
	char machine[1024]; /* sidecar lines: machine, run id and command (meta.json) */
	/* experiment names as compare names them (cmp_ident_experiment), which
	 * the tables' experiment and baseline cells point to where they differ
	 * from the CSV's */
	char **idents;
	size_t nidents;
};

struct pb_plot_ctx {
	const struct pb_plot_opts *o;
	const char *out;     /* output folder */
	char tmp[4096];	     /* private work folder inside out */
	const char *command; /* the command line, shell-quoted, for sidecars */
	int made;	     /* figures written */
	int failed;	     /* gnuplot or output failures */
	/* --order against the runs' series (figs.c order_check): 0 not yet,
	 * 1 every name names one, -1 one names none (said) */
	int order_checked;
};

/* Load a run folder (only the files present); 0, or -errno with err set. */
int pb_plot_run_load(struct pb_plot_run *r, const char *dir, char *err, size_t errlen);
void pb_plot_run_free(struct pb_plot_run *r);

/* A figure being written: script body, data file, strings file. */
struct pb_fig {
	struct pb_plot_ctx *ctx;
	char name[64];
	double height_in;
	char *body;
	size_t body_len;
	FILE *gp;  /* body (memstream) */
	FILE *dat; /* NAME.dat in ctx->tmp */
	FILE *str; /* NAME.str in ctx->tmp, opened on first string */
	int nstr;
	char sources[16384]; /* CSV paths, one per line, each with its machine lines */
	char *title;	     /* the whole title drawn (it may be wrapped or cut), or NULL */
};

int pb_fig_begin(struct pb_fig *f, struct pb_plot_ctx *ctx, const char *name, double height_in);
/* Register a data string; returns its number k: the script names it S<k>. */
int pb_fig_str(struct pb_fig *f, const char *s);
/* Write one string field (sanitised, quoted) into the data file. */
void pb_fig_dat_str(struct pb_fig *f, const char *s);
/* Write a number (or NaN when !isfinite) into the data file. */
void pb_fig_dat_num(struct pb_fig *f, double v);
/* The title the figure draws, whole: the sidecar's `title:` line (a title
 * too long for the figure is cut there). */
void pb_fig_title(struct pb_fig *f, const char *title);
/* A source CSV of the figure: r->dir/file, and the run's machine lines. */
void pb_fig_source(struct pb_fig *f, const struct pb_plot_run *r, const char *file);
/* Render every format, move the files into ctx->out; 0 or -errno. */
int pb_fig_finish(struct pb_fig *f);
void pb_fig_abort(struct pb_fig *f);
/* Width and (for cairo terminals) helpers. */
double pb_fig_width(const struct pb_fig *f);
/* Line style number for series i (0-based) of n; OPT uses PB_LS_OPT. */
#define PB_LS_OPT 100
/* The series style block: 17 distinct (colour, point, dash) styles. */
void pb_fig_styles(struct pb_fig *f);

/* Figure kinds.  Each returns 1 if drawn, 0 if the data has nothing for it,
 * -EDOM if --ylim leaves out every bar or point of a panel (said on stderr;
 * nothing of the figure written), -errno on failure. */
int pb_plot_scaling(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_cost(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_counters(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_faults(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_eat(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_mrc(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_latency(struct pb_plot_ctx *c, struct pb_plot_run *r);
int pb_plot_machines(struct pb_plot_ctx *c, struct pb_plot_run *runs, size_t n);
/* Several folders: throughput against threads, one panel per experiment, one
 * line per machine (log scales); 0 when no machine measured two thread counts. */
int pb_plot_machines_scaling(struct pb_plot_ctx *c, struct pb_plot_run *runs, size_t n);

/* Helpers shared by the kinds. */
double pb_plot_num(const char *s); /* strtod, NaN for "", "NA" or junk */
/* Whether an --order item names a series: the same name, or the name's
 * variant ("2q" names "2q:kin=0.1,kout=0.5" and "lru zipf": a policy's
 * parameter list or a workload's tag follows ':' or ' '). */
int pb_plot_order_match(const char *item, const char *name);
/* Position of name in --order (the first item matching it), -1 if not
 * listed, or 0 when no --order. */
int pb_plot_order_rank(const struct pb_plot_opts *o, const char *name);

#endif /* PAGEBENCH_PLOT_H */
