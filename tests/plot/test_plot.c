/* SPDX-License-Identifier: MIT */
/*
 * tests/plot/test_plot.c - `pagebench plot` end to end on small run folders
 * made by the real `pagebench run/sim/mrc` in a temp dir (TMPDIR honoured):
 * every kind renders a PDF whose page is the requested width (pdfinfo) and a
 * PNG of the requested pixel width (IHDR) and an SVG that xmllint parses
 * (where libxml2-utils is installed); the mrc script draws OPT as the
 * bound; "95% CI" only when ci95_valid=1; two folders give one side-by-side
 * figure; the layout checks of the figures looked at (key margins, tics,
 * upright labels, --mono patterns, log floors and their notes on zeros,
 * sampled MRCs' err_est and NA sizes, machines of sim folders as medians,
 * sidecars naming the machine); bad options and empty folders are one line
 * and exit 2, and so is a --ylim that leaves out every bar or every
 * point of a line figure's panel (nothing written); a missing
 * gnuplot is exit 1; a FIFO in the way is refused; and names built to
 * inject gnuplot commands (system(), backquotes, $(...)) run nothing;
 * where the title, key and bars go (layout_checks), --width's minimum and
 * a long --title wrapped.
 * argv[1]: the pagebench binary.  Skips without gnuplot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "plot_util.h"
#include "spawn.h"

static const char *bin;
static char root[4096]; /* pbt_tmpdir: under $TMPDIR */
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};
static struct spawn_out o;

static int pb(char **extra_env, ...)
{
	char *argv[40] = {(char *)bin};
	int n = 1;
	va_list ap;
	va_start(ap, extra_env);
	const char *a;
	while (n < 39 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return spawn_run(argv, extra_env ? extra_env : envv, &o);
}

/* OUT/NAME's text (slurp's buffer), or NULL. */
static char *out_file(const char *out, const char *name)
{
	char path[4500];
	snprintf(path, sizeof(path), "%s/%s", out, name);
	return slurp(path);
}

static int file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static char pdfinfo[512];
static char xmllint[512]; /* "" when not installed (libxml2-utils) */

/* The PDF's page in points (pdfinfo "Page size: W x H pts"): 0 or -1. */
static int pdf_size(const char *path, double *w, double *h)
{
	char *argv[] = {pdfinfo, (char *)path, NULL};
	static struct spawn_out po;
	if (spawn_run(argv, NULL, &po) != 0)
		return -1;
	char *s = strstr(po.out, "Page size:");
	char *x = s ? strstr(s, " x ") : NULL;
	if (!x)
		return -1;
	*w = strtod(s + 10, NULL);
	*h = strtod(x + 3, NULL);
	return 0;
}

/* PDF page width in points (pdfinfo), or NaN. */
static double pdf_width(const char *path)
{
	double w, h;
	return pdf_size(path, &w, &h) ? NAN : w;
}

/* PNG width from the IHDR chunk, or -1 if not a PNG. */
/* path read whole by libpng (every chunk's CRC, the image data): its width
 * in pixels, and in *ppm its pHYs pixels per metre (0: no pHYs), or -1. */
static long png_read_whole(png_structp rd, png_infop ri, FILE *f, unsigned long *ppm)
{
	if (setjmp(png_jmpbuf(rd)))
		return -1;
	png_init_io(rd, f);
	png_read_png(rd, ri, PNG_TRANSFORM_IDENTITY, NULL);
	png_uint_32 x = 0, y = 0;
	int unit = -1;
	*ppm =
	    png_get_pHYs(rd, ri, &x, &y, &unit) && unit == PNG_RESOLUTION_METER && x == y ? x : 0;
	return (long)png_get_image_width(rd, ri);
}

static long png_width(const char *path, unsigned long *ppm)
{
	FILE *f = fopen(path, "rb");
	png_structp rd = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop ri = rd ? png_create_info_struct(rd) : NULL;
	long w = f && ri ? png_read_whole(rd, ri, f, ppm) : -1;
	png_destroy_read_struct(&rd, &ri, NULL);
	if (f)
		fclose(f);
	return w;
}

/* plot RUN --kind K --out OUT/K: PDF and PNG at width inches. */
static void check_kind(const char *run, const char *kind, const char *width, double inches)
{
	char out[4200], p[4500];
	snprintf(out, sizeof(out), "%s/out-%s-%s", root, kind, width);
	int rc = pb(NULL, "plot", run, "--kind", kind, "--out", out, "--width", width, "--format",
		    "pdf,png,svg", NULL);
	PB_CHECK_MSG(rc == 0, "plot --kind %s: rc %d: %s", kind, rc, o.err);
	snprintf(p, sizeof(p), "%s/%s.pdf", out, kind);
	double w = pdf_width(p);
	PB_CHECK_MSG(fabs(w - inches * 72) <= 1, "%s: pdf width %g pt, want %g", p, w, inches * 72);
	snprintf(p, sizeof(p), "%s/%s.png", out, kind);
	unsigned long ppm = 0;
	long pw = png_width(p, &ppm);
	PB_CHECK_MSG(pw == lround(inches * 150), "%s: png width %ld", p, pw);
	/* its 150 dpi recorded (pngcairo writes no pHYs; pdfTeX then took
	 * 72 dpi and set a column figure 6.9 in wide) */
	PB_CHECK_MSG(ppm == 5906, "%s: pHYs %lu pixels per metre, want 5906 (150 dpi)", p, ppm);
	snprintf(p, sizeof(p), "%s/%s.svg", out, kind);
	char *svg = slurp(p);
	PB_CHECK_MSG(svg && strstr(svg, "<svg"), "%s: not an svg", p);
	if (xmllint[0]) { /* well-formed XML, read by a real parser */
		char *xa[] = {xmllint, "--noout", p, NULL};
		static struct spawn_out xo;
		PB_CHECK_MSG(spawn_run(xa, NULL, &xo) == 0 && xo.code == 0, "%s: xmllint: %s", p,
			     xo.err);
		/* its size in pt (a bare number is CSS px: a 3.3 in figure
		 * showed at 2.5 in), the figure's width */
		char *xw[] = {xmllint, "--xpath", "string(/*/@width)", p, NULL};
		char *end = NULL;
		double sw =
		    spawn_run(xw, NULL, &xo) == 0 && xo.code == 0 ? strtod(xo.out, &end) : NAN;
		PB_CHECK_MSG(end && !strncmp(end, "pt", 2) && fabs(sw - inches * 72) <= 1,
			     "%s: svg width '%s', want %g pt", p, xo.out, inches * 72);
	}
	/* the sidecar names the command and the source data */
	snprintf(p, sizeof(p), "%s/%s.txt", out, kind);
	char *txt = slurp(p);
	PB_CHECK_MSG(txt && strstr(txt, "command: pagebench plot") && strstr(txt, run) &&
			 strstr(txt, ".csv"),
		     "%s: sidecar", p);
	/* ... and the machine and the command each source came from (from
	 * its meta.json; a folder without one says so) */
	PB_CHECK_MSG(txt && strstr(txt, "\n      machine: "), "%s: no machine: %s", p,
		     txt ? txt : "(unreadable)");
	if (strcmp(kind, "latency"))
		PB_CHECK_MSG(txt && strstr(txt, "\n      command_line: [\"") &&
				 strstr(txt, " CPUs), label "),
			     "%s: no command_line: %s", p, txt ? txt : "(unreadable)");
	/* nothing left behind: no work folder, no temp file */
	DIR *d = opendir(out);
	struct dirent *e;
	int stray = 0;
	while (d && (e = readdir(d)))
		stray += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	PB_CHECK_MSG(stray == 0, "%s: %d leftover work files", out, stray);
}

static void one_line_exit(int want, const char *what)
{
	PB_CHECK_MSG(o.code == want && count_lines(o.err) == 1, "%s: rc %d, stderr '%s'", what,
		     o.code, o.err);
}

static void write_file(const char *path, const char *body)
{
	PB_CHECK_MSG(write_text(path, body) == 0, "cannot write %s", path);
}

/* OUT/NAME as one path (a static buffer). */
static const char *path_in(const char *out, const char *name)
{
	static char p[4500];
	snprintf(p, sizeof(p), "%s/%s", out, name);
	return p;
}

/* The number after the first `pat` in s (NaN: none). */
static double num_after(const char *s, const char *pat)
{
	const char *p = s ? strstr(s, pat) : NULL;
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* The .str strings of a figure, in order (tab-separated, quoted). */
static int str_fields(const char *str, char fields[][512], int max)
{
	int n = 0;
	for (const char *p = str; p && *p == '"' && n < max;) {
		const char *e = strchr(p + 1, '"');
		if (!e)
			break;
		snprintf(fields[n++], 512, "%.*s", (int)(e - p - 1), p + 1);
		p = e + 1 + (e[1] == '\t');
	}
	return n;
}

/*
 * A bar figure's header in OUT/NAME.gp (its first format): the title's
 * lines (label 1, at the top) above the key, the key's rows (its maxcols
 * a row, nseries entries) above the first panel's top; heights in the
 * figure's points (pdfinfo), a row of the 7 pt key 1.2 x 7 pt, a line of
 * the 8 pt title 1.2 x 8 pt.
 */
static void check_header(const char *out, const char *name, size_t nseries)
{
	char f[256];
	double w, h;
	snprintf(f, sizeof(f), "%s.pdf", name);
	PB_CHECK_MSG(pdf_size(path_in(out, f), &w, &h) == 0, "%s/%s: no page size", out, f);
	snprintf(f, sizeof(f), "%s.gp", name);
	char *s = out_file(out, f);
	PB_CHECK_MSG(s != NULL, "%s/%s missing", out, f);
	if (!s)
		return;
	char *lab = strstr(s, "set label 1 ");
	double yt = num_after(lab, "at screen 0.5, screen ");
	double yk = num_after(s, "set key at screen 0.5, screen ");
	double cols = num_after(strstr(s, "set key at screen"), "maxcols ");
	double yo = num_after(strstr(s, "set origin "), ", ");
	double ho = num_after(strstr(s, "set size "), ", ");
	int tl = 1;
	for (char *q = lab; q && *q != '\n'; q++)
		tl += q[0] == '\\' && q[1] == 'n';
	double rows = cols > 0 ? ceil((double)nseries / cols) : NAN;
	PB_CHECK_MSG(lab && isfinite(yt) && isfinite(yk) && isfinite(yo) && isfinite(ho) &&
			 isfinite(rows),
		     "%s.gp: no title label, key or panel: %.300s", name, s);
	/* the title's last line over the key's top, the key's last row over
	 * the first panel */
	double title_bottom = yt - (tl - 0.5) * 9.6 / h;
	double key_bottom = yk - rows * 8.4 / h;
	PB_CHECK_MSG(yt < 1 && title_bottom >= yk - 1e-3 && key_bottom >= yo + ho - 1e-3,
		     "%s: title at %.3f (%d lines, to %.3f), key at %.3f (%g rows, to %.3f), "
		     "panel top %.3f (figure %g pt high)",
		     name, yt, tl, title_bottom, yk, rows, key_bottom, yo + ho, h);
}

/*
 * Where the figures put the title, the key and the bars (test_plot's layout
 * checks, on folders of their own):
 *  - bar figures (faults, eat, cost): the title on top, the key's rows
 *    under it, the first panel under the key (gnuplot 5.4 drew the key
 *    above the title, over it);
 *  - mrc with all 17 policies across a column: the key in as many columns
 *    as the names fit, and the figure higher by its rows (the key took half
 *    the figure, in 4 columns that did not fit);
 *  - faults with 17 policies x 5 frame counts across a column: panels of
 *    bars at least 3 pt wide, every policy in one of them, one y axis
 *    (85 bars were 2 pt wide);
 *  - --width below 2.5 in is refused (exit 2, one line, the minimum
 *    named); at 2.5 in the figures are drawn that wide;
 *  - a long --title is wrapped into lines that fit the width, at most
 *    three, the last cut with "..."; the whole title is in the sidecar.
 */
static void layout_checks(void)
{
	char out[4500], run[4200], p[4600];
	/* 1. bar figures: title, then key, then panel (faults and eat of a
	 * real sim, five frame counts; cost of a hand-made summary.csv with
	 * five thread counts: two key rows across a column) */
	snprintf(p, sizeof(p), "%s/lay-sim", root);
	PB_CHECK(pb(NULL, "sim", "--results", p, "--workload",
		    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "lru,arc,2q",
		    "--frames", "50,100,150,200,250", "--reps", "1", NULL) == 0);
	run_folder(p, run, sizeof(run));
	snprintf(out, sizeof(out), "%s/lay-sim-out", root);
	PB_CHECK_MSG(pb(NULL, "plot", run, "--kind", "faults,eat", "--out", out, NULL) == 0, "%s",
		     o.err);
	check_header(out, "faults", 5);
	check_header(out, "eat", 5);
	char cost[4200];
	snprintf(cost, sizeof(cost), "%s/lay-cost", root);
	mkdir(cost, 0755);
	static char csv[8192];
	size_t nc =
	    (size_t)snprintf(csv, sizeof(csv),
			     "experiment,kernel,threads,thread,median_ns_per_op,"
			     "ci95_lo_ns_per_op,ci95_hi_ns_per_op,ci95_valid,median_ops_per_s\n");
	for (int k = 0; k < 3; k++)
		for (int t = 1; t <= 16; t *= 2)
			nc += (size_t)snprintf(csv + nc, sizeof(csv) - nc,
					       "k%d,k%d,%d,total,%d,%d,%d,1,%d\n", k, k, t, 10 + t,
					       9 + t, 11 + t, 1000 * t);
	write_file(path_in(cost, "summary.csv"), csv);
	snprintf(out, sizeof(out), "%s/lay-cost-out", root);
	PB_CHECK_MSG(pb(NULL, "plot", cost, "--kind", "cost", "--out", out, NULL) == 0, "%s",
		     o.err);
	check_header(out, "cost", 5);

	/* 2. mrc of all 17 policies across a column: the key's columns fit
	 * the width (OPT's title, 19 characters at 7 pt, about 4 pt each, and
	 * a sample), the figure higher by the rows beyond two (3.1 in with
	 * two); every policy in the key */
	snprintf(p, sizeof(p), "%s/lay-mrc", root);
	PB_CHECK(pb(NULL, "mrc", "--results", p, "--workload",
		    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "all", "--frames",
		    "50:400:50", NULL) == 0);
	run_folder(p, run, sizeof(run));
	snprintf(out, sizeof(out), "%s/lay-mrc-out", root);
	PB_CHECK_MSG(pb(NULL, "plot", run, "--kind", "mrc", "--out", out, NULL) == 0, "%s", o.err);
	{
		char *s = out_file(out, "mrc.gp");
		double cols = num_after(s ? strstr(s, "set key below") : NULL, "maxcols ");
		double w = 0, h = 0;
		PB_CHECK(pdf_size(path_in(out, "mrc.pdf"), &w, &h) == 0);
		double rows = cols > 0 ? ceil(17 / cols) : NAN;
		PB_CHECK_MSG(cols >= 1 && cols * (19 * 4.0 + 26) <= w &&
				 h >= 3.1 * 72 + (rows - 2) * 8.4 * 0.85 - 1,
			     "mrc of 17 policies: %g key columns, %g x %g pt", cols, w, h);
		s = out_file(out, "mrc.str");
		static const char *const pols[] = {"OPT (offline bound)",
						   "fifo",
						   "random",
						   "lru",
						   "clock",
						   "nru",
						   "aging",
						   "wsclock",
						   "lfu",
						   "2q",
						   "arc",
						   "car",
						   "clockpro",
						   "lirs",
						   "twolist",
						   "s3fifo",
						   "sieve"};
		for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
			char q[64];
			snprintf(q, sizeof(q), "\"%s\"", pols[i]);
			PB_CHECK_MSG(s && strstr(s, q), "mrc.str without %s", q);
		}
	}

	/* 3. faults of 17 policies x 5 frame counts across a column: panels
	 * (a data block each) of bars at least 3 pt wide (a cluster is 5 bars
	 * and a gap of one; the y axis and its labels take about 50 pt), every
	 * policy once, in order, one y axis (the same top in every panel) */
	char r17[4200];
	snprintf(r17, sizeof(r17), "%s/lay-sim17", root);
	mkdir(r17, 0755);
	nc = (size_t)snprintf(csv, sizeof(csv), "policy,frames,fault_rate\n");
	for (int q = 0; q < 17; q++)
		for (int fr = 100; fr <= 1600; fr *= 2)
			nc += (size_t)snprintf(csv + nc, sizeof(csv) - nc, "policy%02d,%d,%g\n", q,
					       fr, 0.6 - fr / 4000.0 + q / 100.0);
	write_file(path_in(r17, "sim.csv"), csv);
	snprintf(out, sizeof(out), "%s/lay-sim17-out", root);
	PB_CHECK_MSG(pb(NULL, "plot", r17, "--kind", "faults", "--out", out, NULL) == 0, "%s",
		     o.err);
	{
		double w = 0, h = 0;
		PB_CHECK(pdf_size(path_in(out, "faults.pdf"), &w, &h) == 0);
		PB_CHECK_MSG(fabs(w - 3.3 * 72) <= 1, "faults: %g pt wide", w);
		char *d = out_file(out, "faults.dat");
		int blocks = 0, in_block = 0, next = 0, most = 0, order_ok = 1;
		for (char *ln = d; ln && *ln;) {
			char *nl = strchr(ln, '\n');
			if (*ln == '"') {
				int q = -1;
				sscanf(ln, "\"policy%d\"", &q);
				order_ok &= q == next++;
				in_block++;
			} else if (in_block) {
				blocks++;
				most = in_block > most ? in_block : most;
				in_block = 0;
			}
			ln = nl ? nl + 1 : NULL;
		}
		double bar = most ? (w - 50) / (most * 6.0) : 0;
		PB_CHECK_MSG(blocks >= 2 && next == 17 && order_ok && bar >= 3,
			     "faults of 17 x 5: %d panels, %d policies (in order %d), bars of %.2f "
			     "pt",
			     blocks, next, order_ok, bar);
		char *s = out_file(out, "faults.gp");
		char *end = s ? strstr(s, "set terminal pngcairo") : NULL; /* the PDF's body */
		double top = NAN;
		int tops = 0, same = 1;
		for (char *q = s; q && (q = strstr(q, "set yrange [:")) && (!end || q < end); q++) {
			double t = strtod(q + strlen("set yrange [:"), NULL);
			same &= !tops || t == top;
			top = t;
			tops++;
		}
		PB_CHECK_MSG(tops == blocks && same, "faults: %d panels, %d y tops, same %d",
			     blocks, tops, same);
		check_header(out, "faults", 5);
	}

	/* 4. --width: below 2.5 in refused, one line naming the minimum; at
	 * 2.5 in drawn that wide */
	PB_CHECK_EQ_U64(pb(NULL, "plot", r17, "--width", "1.5", "--out", out, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "2.5"), "%s", o.err);
	PB_CHECK_EQ_U64(pb(NULL, "plot", r17, "--width", "2.49", "--out", out, NULL), 2);
	snprintf(out, sizeof(out), "%s/lay-narrow", root);
	PB_CHECK_MSG(pb(NULL, "plot", r17, "--width", "2.5", "--out", out, NULL) == 0, "%s", o.err);
	{
		double w = 0, h = 0;
		PB_CHECK(pdf_size(path_in(out, "faults.pdf"), &w, &h) == 0 && fabs(w - 180) <= 1);
	}
	snprintf(out, sizeof(out), "%s/lay-narrow-mrc", root);
	PB_CHECK_MSG(pb(NULL, "plot", run, "--width", "2.5", "--out", out, NULL) == 0, "%s", o.err);

	/* 5. a long --title: lines that fit (8 pt, about 4.6 pt a character,
	 * within the width), at most three, the third cut with "..."; the
	 * sidecar has the whole title */
	static char title[2048];
	size_t tn = 0;
	for (int i = 1; i <= 60; i++)
		tn += (size_t)snprintf(title + tn, sizeof(title) - tn, "%sword%d", i > 1 ? " " : "",
				       i);
	const char *kinds[] = {"faults", "mrc"};
	const char *dirs[] = {r17, run};
	for (int k = 0; k < 2; k++) {
		snprintf(out, sizeof(out), "%s/lay-title-%s", root, kinds[k]);
		PB_CHECK_MSG(pb(NULL, "plot", dirs[k], "--kind", kinds[k], "--title", title,
				"--out", out, NULL) == 0,
			     "%s", o.err);
		char name[64];
		snprintf(name, sizeof(name), "%s.str", kinds[k]);
		char *s = out_file(out, name);
		static char fields[64][512];
		int n = str_fields(s, fields, 64), lines = 0;
		size_t longest = 0;
		while (lines < n && !strncmp(fields[lines], "word", 4)) {
			size_t l = strlen(fields[lines]);
			longest = l > longest ? l : longest;
			lines++;
		}
		PB_CHECK_MSG(lines >= 2 && lines <= 3 && longest * 4.6 <= 3.3 * 72 &&
				 strstr(fields[lines - 1], "...") &&
				 !strcmp(fields[lines - 1] + strlen(fields[lines - 1]) - 3, "..."),
			     "%s: title in %d lines, the longest %zu characters: %s", kinds[k],
			     lines, longest, s ? s : "(none)");
		snprintf(name, sizeof(name), "%s.txt", kinds[k]);
		s = out_file(out, name);
		char want[2100];
		snprintf(want, sizeof(want), "\ntitle: %s\n", title);
		PB_CHECK_MSG(s && strstr(s, want), "%s: sidecar without the whole title: %s",
			     kinds[k], s ? s : "(none)");
	}
	/* a title of two lines is all there: the lines are its words */
	snprintf(out, sizeof(out), "%s/lay-title2", root);
	const char *t2 =
	    "Fault rate of seventeen policies on a Zipf workload of five thousand pages";
	PB_CHECK(pb(NULL, "plot", r17, "--kind", "faults", "--title", t2, "--out", out, NULL) == 0);
	{
		char *s = out_file(out, "faults.str");
		static char fields[64][512];
		int n = str_fields(s, fields, 64);
		char joined[2 * 512 + 2];
		snprintf(joined, sizeof(joined), "%s %s", n > 1 ? fields[0] : "",
			 n > 1 ? fields[1] : "");
		PB_CHECK_MSG(n > 1 && !strcmp(joined, t2), "two-line title: %s", s ? s : "(none)");
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_plot PAGEBENCH");
	bin = argv[1];
	const char *why = plot_tools(pdfinfo, sizeof(pdfinfo), xmllint, sizeof(xmllint));
	if (why)
		PB_SKIP(why);
	if (!pbt_tmpdir(root, sizeof(root), "plot"))
		PB_SKIP("cannot make a temp dir");

	/* run folders from the real commands, tiny sizes */
	char d[4200], rmrc[4200], rsim[4200], rrun2[4200], rrun6[4200], rrunb[4200], rrun[4200];
	snprintf(d, sizeof(d), "%s/mrc", root);
	PB_CHECK(pb(NULL, "mrc", "--results", d, "--workload",
		    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "lru,fifo,opt,arc",
		    "--frames", "50:400:50", NULL) == 0);
	run_folder(d, rmrc, sizeof(rmrc));
	snprintf(d, sizeof(d), "%s/sim", root);
	PB_CHECK(pb(NULL, "sim", "--results", d, "--workload",
		    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "lru,opt", "--frames",
		    "50,100,150,200", NULL) == 0);
	run_folder(d, rsim, sizeof(rsim));
	snprintf(d, sizeof(d), "%s/run2", root);
	PB_CHECK(pb(NULL, "run", "memtouch", "--threads", "1,2", "--reps", "2", "--size", "1M",
		    "--results", d, NULL) == 0);
	run_folder(d, rrun2, sizeof(rrun2));
	snprintf(d, sizeof(d), "%s/run6", root);
	PB_CHECK(pb(NULL, "run", "memtouch", "--threads", "1,2", "--reps", "6", "--size", "1M",
		    "--results", d, NULL) == 0);
	run_folder(d, rrun6, sizeof(rrun6));
	snprintf(d, sizeof(d), "%s/runb", root);
	PB_CHECK(pb(NULL, "run", "pt-lookup", "--threads", "1,2", "--reps", "2", "--results", d,
		    "--param", "pages=1024", "--ops", "20000", NULL) == 0);
	run_folder(d, rrunb, sizeof(rrunb));
	PB_CHECK(rmrc[0] && rsim[0] && rrun2[0] && rrun6[0] && rrunb[0]);

	/* latency.csv has no producer yet: a hand-made one with the documented columns */
	char rlat[4200], p[8500]; /* sm[k] below: gcc sees the 2-D array whole */
	snprintf(rlat, sizeof(rlat), "%s/lat", root);
	mkdir(rlat, 0755);
	snprintf(p, sizeof(p), "%s/latency.csv", rlat);
	write_file(p, "experiment,kernel,threads,bucket_ns_lo,bucket_ns_hi,count\n"
		      "fault-anon,fault-anon,1,0,500,10\nfault-anon,fault-anon,1,500,1000,30\n"
		      "fault-anon,fault-anon,1,1000,4000,5\nuffd-pager,uffd-pager,2,0,2000,3\n"
		      "uffd-pager,uffd-pager,2,2000,16000,9\n");

	/* every kind: PDF width in points, PNG width in pixels, column and page */
	check_kind(rmrc, "mrc", "column", 3.3);
	check_kind(rmrc, "mrc", "page", 7.0);
	check_kind(rsim, "faults", "column", 3.3);
	check_kind(rsim, "eat", "4.5", 4.5);
	check_kind(rrun6, "scaling", "column", 3.3);
	check_kind(rrun6, "cost", "page", 7.0);
	check_kind(rrun6, "counters", "column", 3.3);
	check_kind(rlat, "latency", "column", 3.3);

	/* no counters (PAGEBENCH_COUNTERS=none): the figure gives meta.json's
	 * reason (counters.columns.<col>.reason), not a bare "not available" */
	snprintf(p, sizeof(p), "%s/out-counters-column/counters.str", root);
	char *s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "PAGEBENCH_COUNTERS=none"), "counters.str: %s", s ? s : "");
	/* four frame counts: the key takes two rows at the top, and the top
	 * margin made for them is the one set (a fixed 3.4 after it put the
	 * key over the title) */
	snprintf(p, sizeof(p), "%s/out-faults-column/faults.gp", root);
	s = slurp(p);
	int ntm = 0, nterm = 0; /* the body is there once per format */
	for (char *q = s; q && (q = strstr(q, "set tmargin")); q++)
		ntm++;
	for (char *q = s; q && (q = strstr(q, "set terminal")); q++)
		nterm++;
	PB_CHECK_MSG(nterm > 0 && ntm == nterm, "faults.gp sets tmargin %d times in %d formats",
		     ntm, nterm);

	/* OPT is the bound: its own thick grey style, titled as such (as data) */
	snprintf(p, sizeof(p), "%s/out-mrc-column/mrc.gp", root);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "set style line 100 lc rgb \"#9a9a9a\" lw 3.5") &&
			 strstr(s, "with lines ls 100 title S"),
		     "mrc.gp has no OPT bound style");
	snprintf(p, sizeof(p), "%s/out-mrc-column/mrc.str", root);
	s = slurp(p);
	PB_CHECK(s && strstr(s, "OPT (offline bound)"));
	/* a page wide the key is outside on the right and the title, centred
	 * over the plot, must fit left of it: at 8 pt about 80 characters (it
	 * was cut for the whole 7 in, ~105, and ran off the left edge) */
	snprintf(p, sizeof(p), "%s/out-mrc-page/mrc.str", root);
	s = slurp(p);
	size_t tlen = s ? strcspn(s, "\t") : 0;
	PB_CHECK_MSG(s && tlen <= 90 && strstr(s, "Miss ratio: zipf:pages=500"),
		     "page-wide mrc title of %zu characters: %s", tlen, s ? s : "");
	/* 17 distinct (point, dash) styles for the series */
	snprintf(p, sizeof(p), "%s/out-mrc-column/mrc.gp", root);
	s = slurp(p);
	for (int i = 1; s && i <= 17; i++) {
		char want[48];
		snprintf(want, sizeof(want), "set style line %d lc", i);
		PB_CHECK(strstr(s, want) != NULL);
	}

	/* eat across a column: where its title, key rows and panels go is
	 * test_plot_layout's (the bar figures' header) */
	/* scaling panels: about four y tics (0.5 apart up to 2 threads; a
	 * panel over a long key had 0, 2, ..., 18 on top of each other) and
	 * the x label below the tic labels, not raised into them */
	s = out_file(root, "out-scaling-column/scaling.gp");
	const char *xlset = "set xlabel \"threads\" offset 0,";
	char *xl = s ? strstr(s, xlset) : NULL;
	PB_CHECK_MSG(s && strstr(s, "set ytics 0.5\n") && xl &&
			 strtod(xl + strlen(xlset), NULL) <= 0.5,
		     "scaling.gp: %s", s ? s : "");
	/* scaling with two families (a pt and a selftest kernel, their
	 * folders' rows in one): every panel's key has as many entries (blank
	 * ones pad the shorter) and the side margins are fixed, so the plot
	 * areas line up (the panel with the shorter key had the taller plot) */
	{
		char mf[4300], q[4400];
		snprintf(mf, sizeof(mf), "%s/fam2", root);
		PB_CHECK(mkdir(mf, 0755) == 0);
		const char *files[] = {"meta.json", "runs.csv", "summary.csv"};
		for (size_t i = 0; i < PB_ARRAY_SIZE(files); i++) {
			snprintf(q, sizeof(q), "%s/%s", rrunb, files[i]);
			char *a = slurp(q); /* slurp's one buffer: copied */
			a = a ? strdup(a) : NULL;
			snprintf(q, sizeof(q), "%s/%s", rrun2, files[i]);
			char *b = i ? slurp(q) : "";
			b = b ? strdup(b) : NULL;
			char *brows = b && i ? strchr(b, '\n') : NULL;
			size_t na = a ? strlen(a) : 0, nb = brows ? strlen(brows + 1) : 0;
			char *m = malloc(na + nb + 1);
			PB_CHECK(a && b && m);
			if (a && b && m) {
				memcpy(m, a, na);
				memcpy(m + na, brows ? brows + 1 : "", nb + 1);
				snprintf(q, sizeof(q), "%s/%s", mf, files[i]);
				write_file(q, m);
			}
			free(a);
			free(b);
			free(m);
		}
		snprintf(q, sizeof(q), "%s/fam2-out", root);
		PB_CHECK_MSG(pb(NULL, "plot", mf, "--kind", "scaling", "--out", q, "--format",
				"pdf", NULL) == 0,
			     "fam2: %s", o.err);
		s = out_file(q, "scaling.gp");
		int panels = 0, first = -1, same = 1;
		for (const char *pl = s ? strstr(s, "\nplot ") : NULL; pl;
		     pl = strstr(pl + 1, "\nplot ")) {
			/* the statement runs to the first line not ending in '\' */
			const char *e = pl + 1;
			while ((e = strchr(e, '\n')) && e[-1] == '\\')
				e++;
			int n = 0;
			for (const char *t = strstr(pl, " title "); t && (!e || t < e);
			     t = strstr(t + 1, " title "))
				n++;
			if (first < 0)
				first = n;
			same &= n == first;
			panels++;
		}
		PB_CHECK_MSG(s && panels >= 2 && same && strstr(s, "set lmargin") &&
				 strstr(s, "keyentry title \" \""),
			     "fam2 scaling.gp: %d plot statements, same key entries %d", panels,
			     same);
	}
	/* "95% CI" only where the CIs are valid (6 reps), else "min-max" */
	char out[4500];
	snprintf(out, sizeof(out), "%s/ci2", root);
	PB_CHECK(pb(NULL, "plot", rrun2, "--kind", "cost,scaling", "--out", out, "--format", "pdf",
		    NULL) == 0);
	snprintf(p, sizeof(p), "%s/cost.gp", out);
	s = slurp(p);
	PB_CHECK_MSG(s && !strstr(s, "95% CI") && strstr(s, "min-max"), "2 reps: cost.gp CI label");
	snprintf(p, sizeof(p), "%s/scaling.gp", out);
	s = slurp(p);
	PB_CHECK_MSG(s && !strstr(s, "95% CI") && strstr(s, "min-max"), "2 reps: scaling.gp");
	snprintf(p, sizeof(p), "%s/out-cost-page/cost.gp", root);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "95% CI") && !strstr(s, "min-max"), "6 reps: cost.gp CI label");

	/* two run folders: one side-by-side figure */
	snprintf(out, sizeof(out), "%s/machines", root);
	PB_CHECK_MSG(pb(NULL, "plot", rrun2, rrun6, "--out", out, "--format", "pdf", NULL) == 0,
		     "machines: %s", o.err);
	snprintf(p, sizeof(p), "%s/machines.pdf", out);
	PB_CHECK(fabs(pdf_width(p) - 3.3 * 72) <= 1);
	int npdf = 0;
	DIR *dd = opendir(out);
	struct dirent *e;
	while (dd && (e = readdir(dd)))
		npdf += strstr(e->d_name, ".pdf") != NULL;
	if (dd)
		closedir(dd);
	PB_CHECK_EQ_U64(npdf, 2); /* machines and, with 1 and 2 threads, machines-scaling */
	snprintf(p, sizeof(p), "%s/machines.txt", out);
	s = slurp(p);
	PB_CHECK(s && strstr(s, rrun2) && strstr(s, rrun6));
	/* throughput against threads: a line per machine in the experiment's
	 * panel (two data blocks of two thread counts each), a page wide as
	 * asked, the machines in the key */
	snprintf(p, sizeof(p), "%s/machines-scaling.pdf", out);
	PB_CHECK(fabs(pdf_width(p) - 3.3 * 72) <= 1);
	snprintf(p, sizeof(p), "%s/machines-scaling.dat", out);
	s = slurp(p);
	int blocks = 0, pts = 0;
	for (char *ln = s; ln && *ln;) {
		char *nl = strchr(ln, '\n');
		if (!strncmp(ln, "1\t", 2) || !strncmp(ln, "2\t", 2))
			pts++;
		else if (*ln == '\n' && nl && nl[1] == '\n')
			blocks++;
		ln = nl ? nl + 1 : NULL;
	}
	PB_CHECK_MSG(pts == 4 && blocks == 2, "machines-scaling.dat: %d points, %d blocks: %s", pts,
		     blocks, s ? s : "(none)");
	snprintf(p, sizeof(p), "%s/machines-scaling.gp", out);
	s = slurp(p);
	PB_CHECK(s && strstr(s, "keyentry") && strstr(s, "logscale x 2"));
	/* each machine's key names its CPU-to-CPU round trip where its
	 * meta.json has one (a key line per machine then, the title says
	 * what ns is); a machine without one keeps its bare name */
	{
		char *gps = s ? strdup(s) : NULL;
		snprintf(p, sizeof(p), "%s/machines-scaling.str", out);
		s = slurp(p);
		int any = 0;
		const char *dirs[] = {rrun2, rrun6};
		for (int k = 0; k < 2; k++) {
			char mp[4500];
			snprintf(mp, sizeof(mp), "%s/meta.json", dirs[k]);
			json_t *m = json_load_file(mp, 0, NULL);
			json_t *med = json_object_get(
			    json_object_get(json_object_get(m, "cpu_round_trip"), "start"),
			    "median_ns");
			if (json_is_number(med) && json_number_value(med) > 0) {
				char want[64];
				snprintf(want, sizeof(want), ", %.0f ns\"", json_number_value(med));
				PB_CHECK_MSG(s && strstr(s, want),
					     "machines-scaling.str without '%s': %s", want,
					     s ? s : "(none)");
				any = 1;
			}
			json_decref(m);
		}
		/* across a column the note has a title line of its own (after
		 * the error bars' it ran past the edges) */
		if (any)
			PB_CHECK(gps && strstr(gps, "\\n(ns: CPU-to-CPU round trip)\\n") &&
				 strstr(gps, "center top vertical"));
		else
			PB_CHECK(s && !strstr(s, " ns\"") && gps && !strstr(gps, "round trip"));
		/* one experiment: one panel, no empty slot beside it */
		PB_CHECK(gps && strstr(gps, "set multiplot layout 1,1 "));
		free(gps);
		/* a page wide: still one panel, the note on the error bars' line */
		snprintf(out, sizeof(out), "%s/machines-page", root);
		PB_CHECK(pb(NULL, "plot", rrun2, rrun6, "--out", out, "--width", "page", "--format",
			    "pdf", NULL) == 0);
		snprintf(p, sizeof(p), "%s/machines-scaling.gp", out);
		s = slurp(p);
		PB_CHECK(s && strstr(s, "set multiplot layout 1,1 "));
		if (any)
			PB_CHECK(s && strstr(s, "; ns: CPU-to-CPU round trip)\\n"));
	}

	/* sim folders side by side: each bar the median of its repetitions
	 * with their min-max (it was the last row's), labels upright when 24
	 * bars leave no room for them at 45 degrees */
	{
		char sm[2][4200], row[160];
		static char simcsv[8192];
		for (int k = 0; k < 2; k++) {
			snprintf(sm[k], sizeof(sm[k]), "%s/simm%d", root, k);
			mkdir(sm[k], 0755);
			size_t n = (size_t)snprintf(simcsv, sizeof(simcsv),
						    "policy,frames,rep,accesses_per_s,valid\n"
						    "lru,10,0,1000,1\nlru,10,1,2000,1\n"
						    "lru,10,2,9000,1\nlru,10,3,5,0\n");
			for (int q = 0; q < 12; q++)
				for (int fr = 20; fr <= 30; fr += 10) {
					snprintf(row, sizeof(row), "pol%d,%d,0,%d,1\n", q, fr,
						 100 + q);
					n += (size_t)snprintf(simcsv + n, sizeof(simcsv) - n, "%s",
							      row);
				}
			snprintf(p, sizeof(p), "%s/sim.csv", sm[k]);
			write_file(p, simcsv);
		}
		snprintf(out, sizeof(out), "%s/machines-sim", root);
		PB_CHECK_MSG(
		    pb(NULL, "plot", sm[0], sm[1], "--out", out, "--format", "pdf", NULL) == 0,
		    "machines (sim): %s", o.err);
		snprintf(p, sizeof(p), "%s/machines.dat", out);
		s = slurp(p);
		PB_CHECK_MSG(s && strstr(s, "\"lru 10 fr\"\t2000\t1000\t9000\t2000\t1000\t9000\n"),
			     "machines.dat (sim): %s", s ? s : "(none)");
		snprintf(p, sizeof(p), "%s/machines.gp", out);
		s = slurp(p);
		PB_CHECK(s && strstr(s, "min-max over repetitions"));
		/* 50 bars across a column: in panels of clusters (data blocks)
		 * far enough apart for labels at 45 degrees (13 pt at 7 pt, on
		 * the about 187 pt of x axis), or upright */
		{
			char *gps = strdup(s ? s : "");
			snprintf(p, sizeof(p), "%s/machines.dat", out);
			s = slurp(p);
			int most = 0, in = 0;
			for (char *ln = s; ln && *ln;) {
				char *nl = strchr(ln, '\n');
				if (*ln == '"')
					in++;
				else
					most = in > most ? in : most, in = 0;
				ln = nl ? nl + 1 : NULL;
			}
			PB_CHECK_MSG(
			    gps && most > 0 &&
				(strstr(gps, "rotate by 90") || (3.3 * 72 - 50) / most >= 13),
			    "machines.gp: %d clusters a panel, labels at 45", most);
			free(gps);
		}
		/* the default suite's faults figure: 17 policies across a column
		 * (11 pt apart, where 45-degree labels at 7 pt ran together) */
		char r17[4200];
		snprintf(r17, sizeof(r17), "%s/sim17", root);
		mkdir(r17, 0755);
		size_t n17 = (size_t)snprintf(simcsv, sizeof(simcsv), "policy,frames,fault_rate\n");
		for (int q = 0; q < 17; q++)
			n17 += (size_t)snprintf(simcsv + n17, sizeof(simcsv) - n17,
						"policy%d,1000,0.5\npolicy%d,4000,0.3\n", q, q);
		snprintf(p, sizeof(p), "%s/sim.csv", r17);
		write_file(p, simcsv);
		snprintf(out, sizeof(out), "%s/sim17-out", root);
		PB_CHECK(pb(NULL, "plot", r17, "--kind", "faults", "--out", out, NULL) == 0);
		s = out_file(out, "faults.gp");
		PB_CHECK_MSG(s && strstr(s, "rotate by 90"), "faults.gp: 17 bars' labels at 45");
	}

	/* mrc --sample: the estimates drawn with their err_est, the NA sizes
	 * (scaled size below --sample-min) said in the title */
	{
		char rms[4200];
		snprintf(d, sizeof(d), "%s/mrcs", root);
		PB_CHECK(pb(NULL, "mrc", "--results", d, "--workload",
			    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "lru,fifo,opt",
			    "--frames", "50:400:50", "--sample", "0.5", NULL) == 0);
		run_folder(d, rms, sizeof(rms));
		snprintf(out, sizeof(out), "%s/mrc-sampled", root);
		PB_CHECK_MSG(pb(NULL, "plot", rms, "--out", out, "--format", "pdf,svg", NULL) == 0,
			     "mrc sampled: %s", o.err);
		snprintf(p, sizeof(p), "%s/mrc.gp", out);
		s = slurp(p);
		PB_CHECK_MSG(s && strstr(s, "with yerrorlines ls 100") &&
				 strstr(s, "error bars are +-err_est") &&
				 strstr(s, "with linespoints ls 1 "),
			     "mrc.gp (sampled): %s", s ? s : "");
		snprintf(p, sizeof(p), "%s/mrc.str", out);
		s = slurp(p);
		PB_CHECK_MSG(s && strstr(s, "NA (not drawn): fifo, opt at 3 of 8 sizes"),
			     "mrc.str (sampled): %s", s ? s : "");
	}

	/* counters on a log y (they span five decades): the bars of 0 have no
	 * height there and the panel says how many; the floor is a decade
	 * below the smallest bar (autoscaling put it at 0.01, the iTLB bar's
	 * value, drawn as nothing); --logy and --ylim reach the misses panel */
	{
		char rcz[4200];
		snprintf(rcz, sizeof(rcz), "%s/cz", root);
		mkdir(rcz, 0755);
		snprintf(p, sizeof(p), "%s/summary.csv", rcz);
		write_file(p, "schema_version,experiment,kernel,threads,thread\n");
		static char rcsv[4096];
		size_t n = (size_t)snprintf(rcsv, sizeof(rcsv),
					    "schema_version,experiment,kernel,threads,rep,warmup,"
					    "thread,ops,papi_tot_cyc,papi_tot_ins,papi_l1_dcm,"
					    "papi_l2_dcm,papi_l3_tcm,papi_tlb_dm,papi_tlb_im\n");
		for (int rep = 0; rep < 3; rep++)
			n += (size_t)snprintf(
			    rcsv + n, sizeof(rcsv) - n,
			    "2,a,a,1,%d,%d,total,100000,200,300,50000,2000,0,300,0\n"
			    "2,b,b,1,%d,%d,total,100000,200,300,9000,800,5,20,1\n",
			    rep, !rep, rep, !rep);
		snprintf(p, sizeof(p), "%s/runs.csv", rcz);
		write_file(p, rcsv);
		snprintf(out, sizeof(out), "%s/cz-out", root);
		const char *ylims[] = {NULL, "0.5:2000"};
		for (int k = 0; k < 2; k++) {
			int rc = ylims[k] ? pb(NULL, "plot", rcz, "--kind", "counters", "--out",
					       out, "--ylim", ylims[k], NULL)
					  : pb(NULL, "plot", rcz, "--kind", "counters", "--out",
					       out, NULL);
			s = out_file(out, "counters.gp");
			PB_CHECK_MSG(rc == 0 && s &&
					 (ylims[k]
					      ? strstr(s, "set yrange [0.5:2000]") != NULL
					      : strstr(s, "\"2 bars of 0 not drawn (log y)\"") &&
						    strstr(s, "set yrange [0.001:*]")),
				     "counters (--ylim %s): rc %d %s: %s",
				     ylims[k] ? ylims[k] : "-", rc, o.err, s ? s : "");
		}
		/* --mono: the five events' bars have five fills (series 0 and 3
		 * were both solid): patterns, and the solid one grey (-1) */
		PB_CHECK(
		    pb(NULL, "plot", rcz, "--kind", "counters", "--out", out, "--mono", NULL) == 0);
		s = out_file(out, "counters.gp");
		int pats[5], np = 0, distinct = 1;
		for (char *q = s; q && np < 5 && (q = strstr(q, " fs ")); q++)
			pats[np++] = !strncmp(q, " fs pattern ", 12) ? atoi(q + 12) : -1;
		for (int a = 0; a < np; a++)
			for (int z = a + 1; z < np; z++)
				distinct &= pats[a] != pats[z];
		PB_CHECK_MSG(np == 5 && distinct, "--mono: %d patterns, distinct %d", np, distinct);
	}

	/* one kernel with other params on another machine: two bars, named
	 * by experiment, not one bar that mixes them */
	char rrunc[4200];
	snprintf(d, sizeof(d), "%s/runc", root);
	PB_CHECK(pb(NULL, "run", "pt-lookup", "--threads", "1", "--reps", "2", "--results", d,
		    "--param", "pages=2048", "--ops", "20000", NULL) == 0);
	run_folder(d, rrunc, sizeof(rrunc));
	snprintf(out, sizeof(out), "%s/machines-params", root);
	PB_CHECK_MSG(pb(NULL, "plot", rrunb, rrunc, "--kind", "machines", "--out", out, "--format",
			"pdf", NULL) == 0,
		     "machines (params): %s", o.err);
	snprintf(p, sizeof(p), "%s/machines.dat", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"pt-lookup:pages=1024\"") &&
			 strstr(s, "\"pt-lookup:pages=2048\""),
		     "machines.dat: %s", s ? s : "(none)");

	/* two experiments of one kernel in one folder (a suite): two series in
	 * the scaling figure, each its own speedup (exactly 1 at 1 thread; one
	 * series keyed by kernel divided one experiment by the other's), the
	 * params on key lines of their own */
	char sfile[4500], rsuite[4200];
	snprintf(sfile, sizeof(sfile), "%s/two.suite", root);
	write_file(sfile, "run pt-lookup --threads 1,2 --reps 2 --ops 20000 --param pt=radix\n"
			  "run pt-lookup --threads 1,2 --reps 2 --ops 20000 --param pt=hashed\n");
	snprintf(d, sizeof(d), "%s/suite2", root);
	PB_CHECK(pb(NULL, "suite", sfile, "--results", d, NULL) == 0);
	run_folder(d, rsuite, sizeof(rsuite));
	snprintf(out, sizeof(out), "%s/two", root);
	PB_CHECK_MSG(pb(NULL, "plot", rsuite, "--kind", "scaling", "--out", out, "--format", "pdf",
			NULL) == 0,
		     "two experiments: %s", o.err);
	snprintf(p, sizeof(p), "%s/scaling.str", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"  pt=radix\"") && strstr(s, "\"  pt=hashed\""),
		     "scaling.str: %s", s ? s : "(none)");
	snprintf(p, sizeof(p), "%s/scaling.dat", out);
	s = slurp(p);
	int ones = 0, bad1 = 0;
	for (char *ln = s; ln && *ln;) {
		char *nl = strchr(ln, '\n');
		if (!strncmp(ln, "1\t", 2)) {
			ones++;
			bad1 += strtod(ln + 2, NULL) != 1.0;
		}
		ln = nl ? nl + 1 : NULL;
	}
	PB_CHECK_MSG(ones == 2 && bad1 == 0, "scaling.dat: %d series at 1 thread, %d not 1: %s",
		     ones, bad1, s ? s : "(none)");

	/* a suite that ran 4 threads before 1 and 2: the line goes through
	 * 1, 2, 4 (it followed the file's order); a kernel measured without
	 * 1 thread has no speedup: said, not drawn as an empty figure */
	snprintf(sfile, sizeof(sfile), "%s/thr.suite", root);
	write_file(sfile, "run pt-lookup --threads 4 --reps 2 --ops 20000\n"
			  "run pt-lookup --threads 1,2 --reps 2 --ops 20000\n");
	snprintf(d, sizeof(d), "%s/suitethr", root);
	PB_CHECK(pb(NULL, "suite", sfile, "--results", d, NULL) == 0);
	run_folder(d, rsuite, sizeof(rsuite));
	snprintf(out, sizeof(out), "%s/thr", root);
	PB_CHECK_MSG(pb(NULL, "plot", rsuite, "--kind", "scaling", "--out", out, "--format", "pdf",
			NULL) == 0,
		     "threads out of order: %s", o.err);
	snprintf(p, sizeof(p), "%s/scaling.dat", out);
	s = slurp(p);
	PB_CHECK_MSG(s && !strncmp(s, "1\t", 2) && strstr(s, "\n2\t") && strstr(s, "\n4\t") &&
			 strstr(s, "\n2\t") < strstr(s, "\n4\t"),
		     "scaling.dat: %s", s ? s : "(none)");
	snprintf(d, sizeof(d), "%s/no1", root);
	PB_CHECK(pb(NULL, "run", "pt-lookup", "--threads", "2,4", "--reps", "2", "--ops", "20000",
		    "--results", d, NULL) == 0);
	run_folder(d, rsuite, sizeof(rsuite));
	snprintf(out, sizeof(out), "%s/no1out", root);
	PB_CHECK(pb(NULL, "plot", rsuite, "--kind", "scaling", "--out", out, "--format", "pdf",
		    NULL) == 2);
	PB_CHECK_MSG(strstr(o.err, "pt-lookup has no 1-thread median"), "%s", o.err);
	/* beside a machine that measured 1 thread it has no bars: said */
	snprintf(out, sizeof(out), "%s/no1machines", root);
	PB_CHECK_MSG(pb(NULL, "plot", rrun6, rsuite, "--kind", "machines", "--out", out, "--format",
			"pdf", NULL) == 0,
		     "machines without 1 thread: %s", o.err);
	PB_CHECK_MSG(strstr(o.err, "has no rows at 1 thread(s)"), "%s", o.err);

	/* several workloads in one folder (a suite): a bar or curve per
	 * workload, never one mean of two (the seq scan faults on every
	 * reference at 500 frames, the zipf stream on about half) */
	snprintf(sfile, sizeof(sfile), "%s/wl.suite", root);
	write_file(sfile,
		   "sim --workload seq:pages=1000,refs=20000 --policy lru --frames 500 "
		   "--reps 1\n"
		   "sim --workload zipf:pages=5000,refs=20000 --policy lru --frames 500 "
		   "--reps 1\n"
		   "mrc --workload loop:pages=600,refs=20000 --policy lru --frames 200:800:200\n"
		   "mrc --workload zipf:pages=5000,refs=20000 --policy lru --frames "
		   "200:800:200\n");
	snprintf(d, sizeof(d), "%s/suitewl", root);
	PB_CHECK(pb(NULL, "suite", sfile, "--results", d, NULL) == 0);
	run_folder(d, rsuite, sizeof(rsuite));
	snprintf(out, sizeof(out), "%s/wl", root);
	PB_CHECK_MSG(pb(NULL, "plot", rsuite, "--kind", "faults,mrc", "--out", out, "--format",
			"pdf", NULL) == 0,
		     "two workloads: %s", o.err);
	snprintf(p, sizeof(p), "%s/faults.dat", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"lru seq\"\t1\n") && strstr(s, "\"lru zipf\"\t0."),
		     "faults.dat: %s", s ? s : "(none)");
	snprintf(p, sizeof(p), "%s/mrc.str", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"lru loop\"") && strstr(s, "\"lru zipf\"") &&
			 strstr(s, "2 workloads (loop, zipf)"),
		     "mrc.str: %s", s ? s : "(none)");
	snprintf(p, sizeof(p), "%s/mrc.txt", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "workload loop: loop:pages=600,") &&
			 strstr(s, "workload zipf: zipf:pages=5000,"),
		     "mrc.txt: %s", s ? s : "(none)");
	/* --order names a policy: its curve for every workload stays */
	snprintf(out, sizeof(out), "%s/wlorder", root);
	PB_CHECK_MSG(pb(NULL, "plot", rsuite, "--kind", "mrc", "--order", "lru", "--out", out,
			"--format", "pdf", NULL) == 0,
		     "two workloads, --order: %s", o.err);
	snprintf(p, sizeof(p), "%s/mrc.str", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"lru loop\"") && strstr(s, "\"lru zipf\""), "mrc.str: %s",
		     s ? s : "(none)");
	/* machines of sim folders: a bar per workload there too (the rows of
	 * seq and zipf were one bar) */
	snprintf(out, sizeof(out), "%s/wlmachines", root);
	PB_CHECK_MSG(pb(NULL, "plot", rsuite, rsuite, "--kind", "machines", "--out", out,
			"--format", "pdf", NULL) == 0,
		     "two workloads, machines: %s", o.err);
	snprintf(p, sizeof(p), "%s/machines.dat", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"lru seq 500 fr\"") && strstr(s, "\"lru zipf 500 fr\""),
		     "machines.dat: %s", s ? s : "(none)");

	/* one policy with two parameter lists: two bars and two curves (the
	 * faults bar was their mean, the curve one list's points) */
	snprintf(d, sizeof(d), "%s/params", root);
	PB_CHECK(pb(NULL, "sim", "--results", d, "--workload", "zipf:pages=2000,refs=20000",
		    "--policy", "2q:kin=0.1,2q:kin=0.5", "--frames", "200", "--reps", "1",
		    NULL) == 0);
	run_folder(d, rrun, sizeof(rrun));
	snprintf(out, sizeof(out), "%s/paramsfig", root);
	PB_CHECK_MSG(pb(NULL, "plot", rrun, "--kind", "faults", "--order", "2q", "--out", out,
			"--format", "pdf", NULL) == 0,
		     "two parameter lists: %s", o.err);
	snprintf(p, sizeof(p), "%s/faults.dat", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"2q:kin=0.1,kout=0.5\"\t") &&
			 strstr(s, "\"2q:kin=0.5,kout=0.5\"\t"),
		     "faults.dat: %s", s ? s : "(none)");
	snprintf(d, sizeof(d), "%s/paramsmrc", root);
	PB_CHECK(pb(NULL, "mrc", "--results", d, "--workload", "zipf:pages=2000,refs=20000",
		    "--policy", "2q:kin=0.1,2q:kin=0.5", "--frames", "200:400:200", NULL) == 0);
	run_folder(d, rrun, sizeof(rrun));
	PB_CHECK_MSG(
	    pb(NULL, "plot", rrun, "--kind", "mrc", "--out", out, "--format", "pdf", NULL) == 0,
	    "two parameter lists, mrc: %s", o.err);
	snprintf(p, sizeof(p), "%s/mrc.str", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"2q:kin=0.1,kout=0.5\"") &&
			 strstr(s, "\"2q:kin=0.5,kout=0.5\""),
		     "mrc.str: %s", s ? s : "(none)");

	/* --mono, --logy, --ylim, --order, --title are accepted and drawn */
	snprintf(out, sizeof(out), "%s/opts", root);
	PB_CHECK_MSG(pb(NULL, "plot", rmrc, "--mono", "--logx", "--logy", "--ylim", "0.01:1",
			"--order", "opt,lru", "--title", "My title", "--out", out, NULL) == 0,
		     "options: %s", o.err);
	snprintf(p, sizeof(p), "%s/mrc.str", out);
	s = slurp(p);
	PB_CHECK(s && strstr(s, "My title") && strstr(s, "lru") && !strstr(s, "fifo"));

	/* a name's backslash stays one (gnuplot reads escapes in a quoted
	 * field: "\n" drew a line break), a byte that is not UTF-8 is '?' (an
	 * SVG with it was not XML), a control character a space */
	snprintf(out, sizeof(out), "%s/esc", root);
	PB_CHECK_MSG(pb(NULL, "plot", rmrc, "--title", "C:\\new \xe9t\xc3\xa9\x01!", "--out", out,
			"--format", "svg", NULL) == 0,
		     "escapes: %s", o.err);
	snprintf(p, sizeof(p), "%s/mrc.str", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "\"C:\\\\new ?t\xc3\xa9 !\""), "mrc.str: %s", s ? s : "(none)");

	/* two experiments of one kernel in latency.csv: two curves (they were
	 * merged into one CDF per thread count) */
	{
		char rlat2[4300];
		snprintf(rlat2, sizeof(rlat2), "%s/lat2", root);
		mkdir(rlat2, 0755);
		snprintf(p, sizeof(p), "%s/latency.csv", rlat2);
		write_file(p, "experiment,kernel,threads,bucket_ns_lo,bucket_ns_hi,count\n"
			      "\"uffd-pager:hints=0\",uffd-pager,1,0,500,10\n"
			      "\"uffd-pager:hints=1\",uffd-pager,1,500,1000,30\n");
		snprintf(out, sizeof(out), "%s/lat2out", root);
		PB_CHECK_MSG(pb(NULL, "plot", rlat2, "--kind", "latency", "--out", out, "--format",
				"pdf", NULL) == 0,
			     "latency: %s", o.err);
		snprintf(p, sizeof(p), "%s/latency.str", out);
		s = slurp(p);
		PB_CHECK_MSG(s && strstr(s, "\"uffd-pager:hints=0, 1 thr\"") &&
				 strstr(s, "\"uffd-pager:hints=1, 1 thr\""),
			     "latency.str: %s", s ? s : "(none)");
	}

	/* one folder, default output: RUN_DIR/plots */
	PB_CHECK(pb(NULL, "plot", rsim, NULL) == 0);
	snprintf(p, sizeof(p), "%s/plots/faults.pdf", rsim);
	PB_CHECK(file_exists(p));

	/* bad options and empty folders: one line, exit 2 */
	char empty[4200];
	snprintf(empty, sizeof(empty), "%s/empty", root);
	mkdir(empty, 0755);
	pb(NULL, "plot", empty, NULL);
	one_line_exit(2, "empty folder");
	PB_CHECK(strstr(o.err, "nothing to plot") != NULL);
	pb(NULL, "plot", NULL);
	one_line_exit(2, "no folder");
	pb(NULL, "plot", rmrc, "--width", "0", NULL);
	one_line_exit(2, "--width 0");
	pb(NULL, "plot", rmrc, "--width", "wide", NULL);
	one_line_exit(2, "--width wide");
	pb(NULL, "plot", rmrc, "--format", "jpg", NULL);
	one_line_exit(2, "--format jpg");
	pb(NULL, "plot", rmrc, "--kind", "pie", NULL);
	one_line_exit(2, "--kind pie");
	pb(NULL, "plot", rmrc, "--ylim", "3:1", NULL);
	one_line_exit(2, "--ylim 3:1");
	pb(NULL, "plot", rmrc, "--ylim", "x", NULL);
	one_line_exit(2, "--ylim x");
	/* a log y has no 0: --ylim 0:1 with it is a usage error (gnuplot
	 * failed, exit 1), and scaling's own [0:*] is not set on it */
	pb(NULL, "plot", rmrc, "--logy", "--ylim", "0:1", NULL);
	one_line_exit(2, "--logy --ylim 0:1");
	/* --ylim with one side open keeps the other at the kind's default
	 * (0 for bars): '[*:5]' failed in gnuplot ("all points y value
	 * undefined") where the bars were all above 5 (that range is refused
	 * now, below); memtouch's bars are far below 1e9 ns */
	snprintf(out, sizeof(out), "%s/ylim-open", root);
	PB_CHECK_MSG(
	    pb(NULL, "plot", rrun6, "--kind", "cost", "--ylim", ":1e9", "--out", out, NULL) == 0,
	    "cost --ylim :1e9: %s", o.err);
	s = out_file(out, "cost.gp");
	PB_CHECK_MSG(s && strstr(s, "set yrange [0:*]\nset yrange [:1"), "cost.gp: %s",
		     s ? s : "(none)");
	/* a --ylim that leaves out every bar is refused before gnuplot runs
	 * (which stopped with its own "all points y value undefined", exit
	 * 1, where a side was open, and drew an empty figure where both were
	 * given): one line naming the range and the bars' span (summary.csv's
	 * total medians, read back), exit 2, and nothing in --out, not even
	 * the work folder */
	{
		struct pb_csv sc = {0};
		char cerr[4600], span[128], want[128];
		snprintf(p, sizeof(p), "%s/summary.csv", rrun6);
		PB_CHECK_MSG(!pb_csv_read_file(p, &sc, cerr, sizeof(cerr)), "%s", cerr);
		double lo = INFINITY, hi = -INFINITY;
		int ct = pb_csv_col(&sc, "thread"), cm = pb_csv_col(&sc, "median_ns_per_op");
		for (size_t r = 0; ct >= 0 && cm >= 0 && r < sc.nrows; r++)
			if (!strcmp(pb_csv_cell(&sc, r, ct), "total")) {
				lo = fmin(lo, strtod(pb_csv_cell(&sc, r, cm), NULL));
				hi = fmax(hi, strtod(pb_csv_cell(&sc, r, cm), NULL));
			}
		pb_csv_free(&sc);
		snprintf(span, sizeof(span), "its bars span %.4g to %.4g", lo, hi);
		/* above every bar, below every bar (log: no floor to keep), both
		 * ends above; and on a linear axis (bad[k][1] NULL: the
		 * arguments end there), where every bar above B would be a
		 * box cut at B, all of one height (":5") */
		static const char *const bad[][2] = {{"1e9:", "--logy"},     {":1e-9", "--logy"},
						     {"1e9:1e10", "--logy"}, {"1e9:", NULL},
						     {":5", NULL},	     {"0:1e-3", NULL}};
		for (size_t k = 0; k < PB_ARRAY_SIZE(bad); k++) {
			snprintf(out, sizeof(out), "%s/ylim-out%zu", root, k);
			snprintf(want, sizeof(want),
				 "--ylim %s leaves out every bar of the cost figure", bad[k][0]);
			pb(NULL, "plot", rrun6, "--kind", "cost", "--ylim", bad[k][0], "--out", out,
			   bad[k][1], NULL);
			one_line_exit(2, want);
			PB_CHECK_MSG(strstr(o.err, want) && strstr(o.err, span), "%s, %s: %s", want,
				     span, o.err);
			PB_CHECK_MSG(dir_entries(out) == 0, "%s: %d entries left", out,
				     dir_entries(out));
		}
	}
	/* the line kinds alike: a --ylim that no point of a panel reaches
	 * (gnuplot stopped with "all points y value undefined" where a side
	 * was open, exit 1, and drew an empty panel where both were given)
	 * is one line naming the range and the points' span, exit 2, nothing
	 * in --out; the span is the CSVs' (read back): scaling's speedups
	 * (each total median ops/s over the 1-thread one), mrc's miss ratios */
	{
		struct pb_csv sc = {0}, mc = {0};
		char cerr[4600], want[160];
		double span[2][2] = {{INFINITY, -INFINITY}, {INFINITY, -INFINITY}};
		snprintf(p, sizeof(p), "%s/summary.csv", rrun6);
		PB_CHECK_MSG(!pb_csv_read_file(p, &sc, cerr, sizeof(cerr)), "%s", cerr);
		int ct = pb_csv_col(&sc, "thread"), cth = pb_csv_col(&sc, "threads"),
		    co = pb_csv_col(&sc, "median_ops_per_s");
		double one = NAN;
		for (size_t r = 0; ct >= 0 && cth >= 0 && co >= 0 && r < sc.nrows; r++)
			if (!strcmp(pb_csv_cell(&sc, r, ct), "total") &&
			    !strcmp(pb_csv_cell(&sc, r, cth), "1"))
				one = strtod(pb_csv_cell(&sc, r, co), NULL);
		for (size_t r = 0; ct >= 0 && co >= 0 && r < sc.nrows; r++)
			if (!strcmp(pb_csv_cell(&sc, r, ct), "total")) {
				double v = strtod(pb_csv_cell(&sc, r, co), NULL) / one;
				span[0][0] = fmin(span[0][0], v);
				span[0][1] = fmax(span[0][1], v);
			}
		pb_csv_free(&sc);
		snprintf(p, sizeof(p), "%s/mrc.csv", rmrc);
		PB_CHECK_MSG(!pb_csv_read_file(p, &mc, cerr, sizeof(cerr)), "%s", cerr);
		int cmr = pb_csv_col(&mc, "miss_ratio"), cpo = pb_csv_col(&mc, "policy");
		double lru[2] = {NAN, NAN}; /* lru's first two points, for a zoom */
		for (size_t r = 0; cmr >= 0 && cpo >= 0 && r < mc.nrows; r++) {
			double v = strtod(pb_csv_cell(&mc, r, cmr), NULL);
			span[1][0] = fmin(span[1][0], v);
			span[1][1] = fmax(span[1][1], v);
			if (!strcmp(pb_csv_cell(&mc, r, cpo), "lru") && isnan(lru[1]))
				lru[isnan(lru[0]) ? 0 : 1] = v;
		}
		pb_csv_free(&mc);
		/* above every point, below (log), both ends above, on both axes */
		static const struct {
			const char *kind, *ylim, *logy;
		} bad[] = {{"scaling", "1e9:", NULL},	  {"scaling", ":1e-9", "--logy"},
			   {"scaling", "1e9:", "--logy"}, {"mrc", "1e9:", NULL},
			   {"mrc", ":1e-9", "--logy"},	  {"mrc", "2:3", NULL}};
		for (size_t k = 0; k < PB_ARRAY_SIZE(bad); k++) {
			int m = !strcmp(bad[k].kind, "mrc");
			char sp[96];
			snprintf(out, sizeof(out), "%s/ylim-line%zu", root, k);
			snprintf(want, sizeof(want),
				 "--ylim %s leaves out every point of the %s figure", bad[k].ylim,
				 bad[k].kind);
			snprintf(sp, sizeof(sp), "its points span %.4g to %.4g", span[m][0],
				 span[m][1]);
			pb(NULL, "plot", m ? rmrc : rrun6, "--kind", bad[k].kind, "--ylim",
			   bad[k].ylim, "--out", out, bad[k].logy, NULL);
			one_line_exit(2, want);
			PB_CHECK_MSG(strstr(o.err, want) && strstr(o.err, sp), "%s, %s: %s", want,
				     sp, o.err);
			PB_CHECK_MSG(dir_entries(out) == 0, "%s: %d entries left", out,
				     dir_entries(out));
		}
		/* a range between two points of a line (none inside it) is a
		 * zoom the line crosses: drawn */
		double gap = (lru[0] - lru[1]) / 4;
		char zoom[96];
		snprintf(zoom, sizeof(zoom), "%.9g:%.9g", lru[1] + gap, lru[0] - gap);
		snprintf(out, sizeof(out), "%s/ylim-zoom", root);
		PB_CHECK_MSG(gap > 0 && pb(NULL, "plot", rmrc, "--kind", "mrc", "--ylim", zoom,
					   "--out", out, NULL) == 0,
			     "mrc --ylim %s: %s", zoom, o.err);
	}
	snprintf(out, sizeof(out), "%s/scaling-logy", root);
	PB_CHECK_MSG(pb(NULL, "plot", rrun2, "--kind", "scaling", "--logy", "--out", out, NULL) ==
			 0,
		     "scaling --logy: %s", o.err);
	pb(NULL, "plot", rmrc, "--bogus", NULL);
	one_line_exit(2, "--bogus");
	pb(NULL, "plot", rmrc, "--kind", "scaling", NULL);
	one_line_exit(2, "kind without data");
	pb(NULL, "plot", rmrc, "--order", "nosuchpolicy", NULL);
	one_line_exit(2, "--order naming nothing");
	pb(NULL, "plot", rmrc, rsim, NULL);
	one_line_exit(2, "two folders without --out");
	snprintf(p, sizeof(p), "%s/nosuch", root);
	pb(NULL, "plot", p, NULL);
	one_line_exit(2, "missing folder");
	/* a broken CSV: the file and line are named */
	char rbad[4200];
	snprintf(rbad, sizeof(rbad), "%s/bad", root);
	mkdir(rbad, 0755);
	snprintf(p, sizeof(p), "%s/mrc.csv", rbad);
	write_file(p, "workload,policy,frames,miss_ratio\nw,lru,10,0.5\nw,\"lru,20,0.4\n");
	pb(NULL, "plot", rbad, NULL);
	one_line_exit(2, "broken csv");
	PB_CHECK_MSG(strstr(o.err, "mrc.csv:3:") != NULL, "%s", o.err);

	/* no gnuplot: one line, exit 1 */
	char *nogp[] = {"PAGEBENCH_GNUPLOT=/nonexistent/gnuplot", NULL};
	pb(nogp, "plot", rmrc, "--out", out, NULL);
	one_line_exit(1, "missing gnuplot");

	/* a FIFO where a figure goes is refused, and left a FIFO */
	char fifo_out[4200];
	snprintf(fifo_out, sizeof(fifo_out), "%s/fifo", root);
	mkdir(fifo_out, 0755);
	snprintf(p, sizeof(p), "%s/mrc.pdf", fifo_out);
	PB_CHECK(mkfifo(p, 0644) == 0);
	pb(NULL, "plot", rmrc, "--out", fifo_out, NULL);
	PB_CHECK_MSG(o.code == 1 && strstr(o.err, "not a regular file"), "fifo: %d %s", o.code,
		     o.err);
	struct stat st;
	PB_CHECK(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode));
	/* ... and a refused target replaces nothing of its figure: a folder
	 * where mrc.png goes left a new mrc.pdf beside the old script */
	char half[4200];
	snprintf(half, sizeof(half), "%s/half", root);
	mkdir(half, 0755);
	snprintf(p, sizeof(p), "%s/mrc.png", half);
	PB_CHECK(mkdir(p, 0755) == 0);
	pb(NULL, "plot", rmrc, "--out", half, "--format", "pdf,png", NULL);
	PB_CHECK_MSG(o.code == 1 && strstr(o.err, "nothing of it replaced"), "half: %d %s", o.code,
		     o.err);
	snprintf(p, sizeof(p), "%s/mrc.pdf", half);
	PB_CHECK(lstat(p, &st) != 0);
	snprintf(p, sizeof(p), "%s/mrc.gp", half);
	PB_CHECK(lstat(p, &st) != 0);

	/* injection: names that would run commands if pasted into a script */
	char rinj[4200], name[4][9000];
	static char csv[1 << 17]; /* eight names of up to 9000 bytes */
	snprintf(rinj, sizeof(rinj), "%s/inject", root);
	mkdir(rinj, 0755);
	snprintf(name[0], sizeof(name[0]), "x\"\"; system(\"\"touch %s/PWNED1\"\"); \"\"", root);
	snprintf(name[1], sizeof(name[1]), "`touch %s/PWNED2`", root);
	snprintf(name[2], sizeof(name[2]), "$(touch %s/PWNED3)'; system('touch %s/PWNED4') #", root,
		 root);
	snprintf(
	    csv, sizeof(csv),
	    "schema_version,experiment,kernel,params,threads,pin,thread,reps,median_ns_per_op,"
	    "ci95_lo_ns_per_op,ci95_hi_ns_per_op,ci95_valid,median_ops_per_s,ci95_lo_ops_per_s,"
	    "ci95_hi_ops_per_s,speedup_vs_1_thread,baseline,valid,label\n"
	    "1,e,\"%s\",,1,compact,total,6,10,9,11,1,100,90,110,1,NA,1,\"%s\"\n"
	    "1,e,\"%s\",,2,compact,total,6,10,9,11,1,190,180,200,1.9,NA,1,\"%s\"\n"
	    "1,f,\"%s\",,1,compact,total,6,20,19,21,1,50,45,55,1,NA,1,x\n"
	    "1,f,\"%s\",,2,compact,total,6,20,19,21,1,90,85,95,1.8,NA,1,x\n",
	    name[0], name[1], name[0], name[1], name[2], name[2]);
	snprintf(p, sizeof(p), "%s/summary.csv", rinj);
	write_file(p, csv);
	/* the payload that ran under the old plots/plot.sh (a quote breaking out of '$p') */
	snprintf(name[3], sizeof(name[3]), "x'.system('touch${IFS}%s/PWNED8').'", root);
	snprintf(csv, sizeof(csv),
		 "schema_version,workload,policy,frames,refs,misses,miss_ratio,method\n"
		 "1,w,\"%s\",10,100,60,0.6,replay\n1,w,\"%s\",20,100,45,0.45,replay\n"
		 "1,\"%s\",\"%s\",10,100,50,0.5,replay\n1,\"%s\",\"%s\",20,100,40,0.4,replay\n"
		 "1,\"%s\",opt,10,100,30,0.3,replay\n1,\"%s\",opt,20,100,20,0.2,replay\n",
		 name[3], name[3], name[1], name[0], name[1], name[0], name[1], name[1]);
	snprintf(p, sizeof(p), "%s/mrc.csv", rinj);
	write_file(p, csv);
	snprintf(p, sizeof(p), "%s/meta.json", rinj);
	write_file(p, "{\"label\": \"m`touch PWNED5`\\\"; system(\\\"touch PWNED6\\\")\"}");
	snprintf(out, sizeof(out), "%s/inject-out", root);
	int rc = pb(NULL, "plot", rinj, "--out", out, "--title",
		    "t\"; system(\"touch PWNED7\"); \"", NULL);
	PB_CHECK_MSG(rc == 0, "inject: rc %d %s", rc, o.err);
	rc = pb(NULL, "plot", rinj, rinj, "--out", out, NULL);
	PB_CHECK_MSG(rc == 0, "inject machines: rc %d %s", rc, o.err);
	for (int i = 1; i <= 8; i++) {
		snprintf(p, sizeof(p), "%s/PWNED%d", root, i);
		PB_CHECK_MSG(!file_exists(p), "%s exists: a name ran as code", p);
		snprintf(p, sizeof(p), "%s/PWNED%d", out, i);
		PB_CHECK_MSG(!file_exists(p), "%s exists: a name ran as code", p);
		snprintf(p, sizeof(p), "PWNED%d", i);
		PB_CHECK_MSG(!file_exists(p), "./%s exists: a name ran as code", p);
	}
	/* ... and the names are in the figures' data, not in their scripts */
	snprintf(p, sizeof(p), "%s/mrc.str", out);
	s = slurp(p);
	PB_CHECK_MSG(s && strstr(s, "x'; system('touch") != NULL, "mrc.str: %s", s ? s : "");
	snprintf(p, sizeof(p), "%s/mrc.gp", out);
	s = slurp(p);
	PB_CHECK(s && !strstr(s, "system") && !strstr(s, "touch") && !strstr(s, "`"));
	snprintf(p, sizeof(p), "%s/cost.gp", out);
	s = slurp(p);
	PB_CHECK(s && !strstr(s, "system") && !strstr(s, "touch") && !strstr(s, "`"));

	layout_checks();

	if (!pb_test_fail_)
		pbt_rmtree(root);
	else
		fprintf(stderr, "kept %s for inspection\n", root);
	return pb_test_done();
}
