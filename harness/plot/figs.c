/* SPDX-License-Identifier: MIT */
/*
 * harness/plot/figs.c - the figure kinds of `pagebench plot`.
 *
 *   scaling   summary.csv: speedup vs threads against the ideal line, one
 *             panel per kernel family (module), truthful error bars
 *   cost      summary.csv: median ns per op by kernel, clustered by threads
 *   counters  runs.csv papi_* columns: misses per 1k ops and IPC (NA said)
 *   faults    sim.csv: fault rate per policy and memory size
 *   eat       sim.csv: effective access time, one panel per device profile
 *   mrc       mrc.csv: miss ratio per policy, OPT as the bound, MiB on x2
 *   latency   latency.csv: fault latency CDFs (log x)
 *   machines  several folders: cost per op (or sim throughput) per machine
 *
 * Every name from the data goes through pb_fig_str()/pb_fig_dat_str(): the
 * script refers to S<k> or to data columns, never to the text itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "pagebench/cli.h"
#include "pagebench/common.h"
#include "plot.h"

/* ---- ordered string sets ---- */
struct names {
	char **v;
	size_t n, cap;
};

static size_t names_find(const struct names *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return i;
	return (size_t)-1;
}

static size_t names_add(struct names *s, const char *x)
{
	size_t i = names_find(s, x);
	if (i != (size_t)-1)
		return i;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n] = strdup(x);
	if (!s->v[s->n])
		abort();
	return s->n++;
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Apply --order: keep the listed names, in that order; an item keeps
 * the name's variants too, in their order (pb_plot_order_match). */
static void names_order(struct names *s, const struct pb_plot_opts *o)
{
	if (!o->norder)
		return;
	struct names t = {0};
	for (size_t k = 0; k < o->norder; k++)
		for (size_t i = 0; i < s->n; i++)
			if (pb_plot_order_match(o->order[k], s->v[i]))
				names_add(&t, s->v[i]);
	names_free(s);
	*s = t;
}

static int order_check(struct pb_plot_ctx *c, const struct pb_plot_run *runs, size_t n);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[m++] = v[i];
	if (!m)
		return NAN;
	qsort(v, m, sizeof(*v), cmp_double);
	return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

static double *dalloc(size_t n)
{
	double *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = NAN;
	return v;
}

/* ---- common figure pieces ---- */
static int is_page(const struct pb_fig *f)
{
	return pb_fig_width(f) >= 5.0;
}

/* Columns of a grid of n panels: three across a page, two across a
 * column, fewer when there are fewer panels (no empty slots in a row). */
static int panel_cols(int page, size_t n)
{
	size_t most = page ? 3 : 2;
	return n < most ? (n ? (int)n : 1) : (int)most;
}

/* What the layouts count with: gnuplot's line of the 8 pt font is 1.2 x
 * 8 pt (cairo terminals), a key row at 7 pt 1.2 x 7 pt; an 8 pt Helvetica
 * character is about 4.6 pt wide (4.4 in lower case), a 7 pt one 4.0. */
#define LINE_IN	  (8 * 1.2 / 72)
#define KEYROW_IN (7 * 1.2 / 72)
#define CHAR8_PT  4.6
#define CHAR7_PT  4.0
/* a 6 pt character and key row (a 6 pt row in lines of the 8 pt font) */
#define CHAR6_PT      (CHAR7_PT * 6 / 7)
#define KEYROW6_LINES (6.0 / 8)

/*
 * gnuplot's own count of a key column (horizontal keys: how many columns
 * fit): (name + 2 + samplen + width) characters of the key's font, 0.64
 * em each (4.45 pt at 7 pt in the PDF), and a tic (3.7 pt).  That is
 * wider than the names are (about 0.58 em a character): once the PDF's
 * text was its true 8 pt, an mrc key of 17 policies across a column
 * that the layout counted in two columns was one of 17 rows, and the plot
 * was squeezed to a third.  The `width` that makes gnuplot's column the
 * layout's (col_pt: longest * CHAR7_PT + 26, which holds the name, the
 * sample and the gaps), at the key's font of font_pt.
 */
static double key_width_fix(size_t longest, double samplen, double col_pt, double font_pt)
{
	return (col_pt - 3.7) / (0.636 * font_pt) - ((double)longest + 2 + samplen);
}
/* A title of more lines is cut there, "..." at its end; the whole of it is
 * in the sidecar (NAME.txt) */
#define TITLE_MAX_LINES 3

/* Where s's next line of at most maxc bytes ends: at its last space, else
 * after its last ',' or '/' (a workload spec), in its second half; else at
 * maxc, not inside a UTF-8 character. */
static size_t line_break(const char *s, size_t maxc)
{
	size_t l = strlen(s);
	if (l <= maxc)
		return l;
	for (size_t i = maxc; i > maxc / 2; i--)
		if (s[i] == ' ')
			return i;
	for (size_t i = maxc; i > maxc / 2; i--)
		if (s[i - 1] == ',' || s[i - 1] == '/')
			return i;
	size_t i = maxc;
	while (i > 1 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* Where a key line of at most room bytes of s ends, s longer than that:
 * after its last character in seps within the line's second half, else at
 * room (the key lines of scaling and latency: a kernel name at '-' or '_',
 * a k=v after its '=', params after a ','). */
static size_t cut_after(const char *s, size_t room, const char *seps)
{
	for (size_t i = room; i > room / 2; i--)
		if (strchr(seps, s[i - 1]))
			return i;
	return room;
}

/* The lines line_break makes of s at maxc, counting to cap at most. */
static int wrap_count(const char *s, size_t maxc, int cap)
{
	int lines = 0;
	while (*s && lines < cap) {
		size_t l = line_break(s, maxc);
		s += l + strspn(s + l, " ");
		lines++;
	}
	return lines;
}

/* The narrowest width, from maxc down, at which s still takes the lines
 * it takes at maxc: balanced lines (a greedy wrap left one word, "(median)"
 * or "repetitions)", alone on the last).  maxc where s does not fit maxl
 * lines (it is cut there) or takes one. */
static size_t wrap_balanced(const char *s, size_t maxc, int maxl)
{
	int need = wrap_count(s, maxc, maxl + 1);
	if (need < 2 || need > maxl)
		return maxc;
	while (maxc > 8 && wrap_count(s, maxc - 1, need + 1) == need)
		maxc--;
	return maxc;
}

/* A data string as a gnuplot expression of lines of at most about maxc
 * bytes (line_break), each line a .str string: S<a>."\n".S<b>...; at most
 * maxl lines, the last ending in "..." where text is left over.  Returns
 * the lines. */
static int str_lines(struct pb_fig *f, const char *s, size_t maxc, int maxl, char *expr, size_t len)
{
	size_t n = 0;
	int lines = 0;
	expr[0] = 0;
	maxc = wrap_balanced(s, maxc < 8 ? 8 : maxc, maxl); /* at least 8 */
	while (*s && n + 24 < len && lines < maxl) {
		size_t l = line_break(s, maxc);
		const char *rest = s + l + strspn(s + l, " ");
		int cut = *rest && lines == maxl - 1;
		if (cut)
			l = line_break(s, maxc - 3);
		char *line;
		if (asprintf(&line, "%.*s%s", (int)l, s, cut ? "..." : "") < 0)
			abort();
		n += (size_t)snprintf(expr + n, len - n, "%sS%d", n ? ".\"\\n\"." : "",
				      pb_fig_str(f, line));
		free(line);
		lines++;
		s = rest;
	}
	return lines;
}

/* The title (--title, else deflt; none where empty) as an expression of
 * lines that fit room_in inches of the 8 pt font, at most TITLE_MAX_LINES
 * (a long --title ran off the figure), the whole of it in the sidecar;
 * then the note (a constant of ours, or NULL) in parentheses, broken at
 * its spaces where it is longer than a line.  Returns the lines (0: none,
 * expr ""). */
static int title_expr(struct pb_fig *f, const char *deflt, const char *note, double room_in,
		      char *expr, size_t len)
{
	const char *t = f->ctx->o->title ? f->ctx->o->title : deflt;
	size_t maxc = (size_t)fmax(8, room_in * 72 / CHAR8_PT);
	int n = 0;
	expr[0] = 0;
	if (t && *t) {
		n = str_lines(f, t, maxc, TITLE_MAX_LINES, expr, len);
		/* a default the kind shortened itself (workload_title) left its
		 * whole form in the sidecar's title already */
		if (f->ctx->o->title || !f->title)
			pb_fig_title(f, t);
	}
	if (!note)
		return n;
	/* the note in parentheses, balanced as the title's lines are */
	char *paren;
	if (asprintf(&paren, "(%s)", note) < 0)
		abort();
	maxc = wrap_balanced(paren, maxc, 64);
	free(paren);
	size_t k = strlen(expr), col = 1; /* "(" */
	k += (size_t)snprintf(expr + k, len - k, "%s\"(", n ? ".\"\\n\"." : "");
	n++;
	for (const char *p = note; *p && k < len;) {
		size_t wl = strcspn(p, " ");
		while (wl && p[wl - 1] == '<' && p[wl] == ' ') /* "< 6" stays one */
			wl += 1 + strcspn(p + wl + 1, " ");
		if (p > note && col + 1 + wl + 1 > maxc) {
			k += (size_t)snprintf(expr + k, len - k, "\\n");
			col = 0;
			n++;
		} else if (p > note) {
			k += (size_t)snprintf(expr + k, len - k, " ");
			col++;
		}
		k += (size_t)snprintf(expr + k, len - k, "%.*s", (int)wl, p);
		col += wl;
		p += wl + strspn(p + wl, " ");
	}
	if (k < len)
		snprintf(expr + k, len - k, ")\"");
	return n;
}

/* A round tic step giving about `want` tics over [0, max]. */
static double nice_step(double max, int want)
{
	if (!(max > 0))
		return 1;
	double raw = max / want, p = pow(10, floor(log10(raw))), m = raw / p;
	return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

/* ---- log axis tics ---- */
#define LOGTIC_MAX 128

/* A log axis tic's label: whole numbers written out (%g made 1e+06 of a
 * million frames), others as %g.  Its length. */
static int logtic_label(double v, char *s, size_t len)
{
	if (v >= 1 && v < 1e12 && v == floor(v))
		return snprintf(s, len, "%.0f", v);
	return snprintf(s, len, "%g", v);
}

/* Whether labels at v[0..n) (ascending) clear each other on a log axis
 * over [x0, x1], plot_pt points long: two neighbours need half of each
 * label (7 pt digits, 4.45 pt each) and 3 pt between them. */
static int logtic_fit(const double *v, size_t n, double x0, double x1, double plot_pt)
{
	double span = log(x1 / x0);
	char s[40];
	for (size_t j = 1; j < n; j++) {
		double gap = log(v[j] / v[j - 1]) / span * plot_pt;
		double need =
		    (logtic_label(v[j - 1], s, sizeof(s)) + logtic_label(v[j], s, sizeof(s))) /
			2.0 * 4.45 +
		    3;
		if (gap < need)
			return 0;
	}
	return 1;
}

/* m x 10^d for each of the nm mantissas m and every decade d, in [x0, x1]
 * (a hair wider: an end that is a tic stays one), ascending, into v.  The
 * count. */
static size_t logtic_gen(const double *m, size_t nm, double x0, double x1, double *v)
{
	size_t n = 0;
	for (int d = (int)floor(log10(x0)) - 1; d <= (int)ceil(log10(x1)); d++)
		for (size_t k = 0; k < nm && n < LOGTIC_MAX; k++) {
			double t = m[k] * pow(10, d);
			if (t >= x0 * (1 - 1e-9) && t <= x1 * (1 + 1e-9))
				v[n++] = t;
		}
	return n;
}

/*
 * Tics for a log axis over [x0, x1], plot_pt points long.  gnuplot's own
 * are decades: `plot --logx` of an mrc of 250..5000 frames had one label
 * (1000).  The densest of 1..9, 1-2-3-5, 1-2-5, 1-3 and 1 per decade
 * whose labels clear each other (logtic_fit); where that labels fewer than
 * 3 (a range inside a decade or two), even steps of 1, 2 or 5 times a
 * power of ten instead, if they label more.  The 1..9 of each decade not
 * labelled stay minor tics (level 1), as gnuplot draws them.  Writes
 * `set AXIS (...) OPTS` (AXIS: xtics, x2tics), or `set AXIS OPTS` (its
 * own tics) where even the decades would crowd.
 */
static void log_tics(FILE *g, const char *axis, const char *opts, double x0, double x1,
		     double plot_pt)
{
	static const double m9[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, m4[] = {1, 2, 3, 5},
			    m3[] = {1, 2, 5}, m2[] = {1, 3}, m1[] = {1};
	static const struct {
		const double *m;
		size_t n;
	} sets[] = {{m9, 9}, {m4, 4}, {m3, 3}, {m2, 2}, {m1, 1}};
	double v[LOGTIC_MAX], lin[LOGTIC_MAX], minor[LOGTIC_MAX];
	size_t n = 0, nl = 0;
	if (!(x0 > 0) || !(x1 > x0) || !(plot_pt > 0)) {
		fprintf(g, "set %s %s\n", axis, opts);
		return;
	}
	for (size_t i = 0; i < PB_ARRAY_SIZE(sets); i++) {
		n = logtic_gen(sets[i].m, sets[i].n, x0, x1, v);
		if (logtic_fit(v, n, x0, x1, plot_pt))
			break;
		n = 0;
	}
	for (int want = 8; n < 3 && want >= 2; want--) {
		double st = nice_step(x1 - x0, want);
		size_t k = 0;
		for (double t = ceil(x0 / st * (1 - 1e-9)) * st;
		     t <= x1 * (1 + 1e-9) && k < LOGTIC_MAX; t += st)
			lin[k++] = t;
		if (k > n && logtic_fit(lin, k, x0, x1, plot_pt)) {
			nl = k;
			break;
		}
	}
	if (nl) {
		memcpy(v, lin, nl * sizeof(double));
		n = nl;
	}
	if (!n) {
		fprintf(g, "set %s %s\n", axis, opts);
		return;
	}
	size_t nm = nl ? 0 : logtic_gen(m9, 9, x0, x1, minor);
	fprintf(g, "set %s (", axis);
	char s[40];
	for (size_t j = 0; j < n; j++) {
		logtic_label(v[j], s, sizeof(s));
		fprintf(g, "%s\"%s\" %.17g", j ? ", " : "", s, v[j]);
	}
	for (size_t j = 0; j < nm; j++) {
		int lab = 0;
		for (size_t k = 0; k < n && !lab; k++)
			lab = fabs(minor[j] / v[k] - 1) < 1e-9;
		if (!lab)
			fprintf(g, ", \"\" %.17g 1", minor[j]);
	}
	fprintf(g, ") %s\n", opts);
}

/* The title of a one-panel figure (gnuplot centres it over the plot, whose
 * room is the width less the margins): its lines beyond `usual` make the
 * figure higher, so the plot keeps its height.  Returns the lines. */
static int fig_title(struct pb_fig *f, const char *deflt, double room_in, int usual)
{
	char expr[2048];
	int n = title_expr(f, deflt, NULL, room_in, expr, sizeof(expr));
	if (n)
		fprintf(f->gp, "set title %s font \",8\"\n", expr);
	if (n > usual)
		f->height_in += (n - usual) * LINE_IN;
	return n;
}

/* The y range: the kind's default (if any), then --ylim's sides over it;
 * a side --ylim leaves open keeps what was there (the default's 0, a log
 * axis' floor): '[*:5]' left gnuplot to autoscale a low end of bars that
 * were all above 5, and it failed ("all points y value undefined"). */
static void ylim(struct pb_fig *f, const char *deflt)
{
	const struct pb_plot_opts *o = f->ctx->o;
	if (deflt)
		fprintf(f->gp, "set yrange %s\n", deflt);
	if (o->ylim)
		fprintf(f->gp, "set yrange [%s:%s]\n", strcmp(o->ylo, "*") ? o->ylo : "",
			strcmp(o->yhi, "*") ? o->yhi : "");
}

static void bar_style(struct pb_fig *f, size_t i)
{
	static const char *const col[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
					  "#E69F00", "#56B4E9", "#000000", "#F0E442"};
	/* gnuplot's fill patterns, the most different first: solid, the two
	 * diagonals, crosshatch, the dense diagonals, dense crosshatch (0,
	 * empty, never); seven distinct, then again (i % 8 gave series 0
	 * and 3 both pattern 3, solid) */
	static const int pat[] = {3, 4, 5, 1, 6, 7, 2};
	/* the solid one a light grey (black at 0.35), not black: the error
	 * bars are drawn in the line colour, black, and a whisker inside a
	 * solid black bar was not there */
	int p = pat[i % PB_ARRAY_SIZE(pat)];
	if (f->ctx->o->mono && p == 3)
		fprintf(f->gp, " lc rgb \"#000000\" fs solid 0.35 border lc rgb \"#000000\"");
	else if (f->ctx->o->mono)
		fprintf(f->gp, " lc rgb \"#000000\" fs pattern %d border lc rgb \"#000000\"", p);
	else
		fprintf(f->gp, " lc rgb \"%s\" fs solid 0.85 border lc rgb \"#333333\"",
			col[i % 8]);
}

/* A clustered bar chart: clusters x series values, optional intervals. */
struct bars {
	struct names cl, se;
	double *v, *lo, *hi; /* [c * ns + s] */
	/* why a bar has no value, said at its slot (an empty slot read as a
	 * bar of 0): 0 nothing said, else BAR_NOT_RUN, BAR_NO_VALID */
	unsigned char *why;
};

enum { BAR_NOT_RUN = 1, BAR_NO_VALID = 2 };

static void bars_alloc(struct bars *b)
{
	size_t n = b->cl.n * b->se.n;
	b->v = dalloc(n);
	b->lo = dalloc(n);
	b->hi = dalloc(n);
	b->why = calloc(n + 1, 1);
	if (!b->why)
		abort();
}

static void bars_free(struct bars *b)
{
	names_free(&b->cl);
	names_free(&b->se);
	free(b->v);
	free(b->lo);
	free(b->hi);
	free(b->why);
}

static int bars_any(const struct bars *b)
{
	for (size_t i = 0; i < b->cl.n * b->se.n; i++)
		if (isfinite(b->v[i]))
			return 1;
	return 0;
}

/* Write clusters [c0, c1) as a block (and a blank-line pair after it). */
static void bars_data(struct pb_fig *f, const struct bars *b, int err, size_t c0, size_t c1)
{
	for (size_t c = c0; c < c1; c++) {
		pb_fig_dat_str(f, b->cl.v[c]);
		for (size_t s = 0; s < b->se.n; s++) {
			size_t k = c * b->se.n + s;
			fputc('\t', f->dat);
			pb_fig_dat_num(f, b->v[k]);
			if (err) {
				fputc('\t', f->dat);
				pb_fig_dat_num(f, isfinite(b->lo[k]) ? b->lo[k] : b->v[k]);
				fputc('\t', f->dat);
				pb_fig_dat_num(f, isfinite(b->hi[k]) ? b->hi[k] : b->v[k]);
			}
		}
		fputc('\n', f->dat);
	}
	fputs("\n\n", f->dat);
}

/* Positive range of the values: log y when it spans more than a decade. */
static int bars_wants_log(const struct bars *b)
{
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < b->cl.n * b->se.n; i++)
		if (isfinite(b->v[i]) && b->v[i] > 0) {
			lo = fmin(lo, b->v[i]);
			hi = fmax(hi, b->v[i]);
		}
	return hi > 0 && hi / lo > 10;
}

/* The top of the bars and intervals of clusters [c0, c1) of b; 0: none. */
static double bars_range_top(const struct bars *b, size_t c0, size_t c1)
{
	double top = 0;
	for (size_t i = c0 * b->se.n; i < c1 * b->se.n; i++)
		top = fmax(
		    top, fmax(isfinite(b->v[i]) ? b->v[i] : 0, isfinite(b->hi[i]) ? b->hi[i] : 0));
	return top;
}

/* A linear axis of large values in whole numbers: gnuplot's own format
 * printed EAT tics of an HDD as 1e+06 ... 8e+06 (its exponent form is for
 * enhanced text, which names with _ cannot have). */
static int bars_whole(const struct bars *b, int logy, size_t c0, size_t c1)
{
	double top = logy ? 0 : bars_range_top(b, c0, c1);
	return top >= 1e5 && top < 1e9;
}

/* The floor of a log bar axis, below the smallest bar and interval end of
 * b (whole: a group's panels share it); NaN: no positive value. */
static double bars_log_floor(const struct bars *b)
{
	double lo = INFINITY;
	for (size_t i = 0; i < b->cl.n * b->se.n; i++) {
		if (isfinite(b->v[i]) && b->v[i] > 0)
			lo = fmin(lo, b->v[i]);
		if (isfinite(b->lo[i]) && b->lo[i] > 0) /* an interval's low end too */
			lo = fmin(lo, b->lo[i]);
	}
	return isfinite(lo) ? pow(10, floor(log10(lo * 0.999))) : NAN;
}

/* Log y, or not, for a bar panel of clusters [c0, c1) of b; on a log axis
 * a bar of 0 (or less) has no height to draw: the panel says how many of
 * its own were left out (label 5).  The floor is b's, whole: the panels of
 * one group share their y axis.  pad: the tic labels' width in characters
 * (spaces before the shorter), so that this panel's left margin is that of
 * another panel's longer labels (0: their own; bars_figure). */
static void bars_logy(struct pb_fig *f, const struct bars *b, int on, size_t c0, size_t c1, int pad)
{
	size_t nz = 0;
	for (size_t i = c0 * b->se.n; on && i < c1 * b->se.n; i++)
		nz += isfinite(b->v[i]) && b->v[i] <= 0;
	fprintf(f->gp, on ? "set logscale y 10\n" : "unset logscale y\n");
	int whole = bars_whole(b, on, c0, c1);
	if (pad > 0)
		fprintf(f->gp, "set format y \"%s%d%s\"\n", whole ? "%" : "% ", pad,
			whole ? ".0f" : "h");
	else
		fprintf(f->gp, "set format y \"%s\"\n", whole ? "%.0f" : "% h");
	/* bars grow from the axis' floor: put it below the smallest bar
	 * (autoscaling put it at a smallest bar of 0.01, drawn as nothing) */
	double lo = on ? bars_log_floor(b) : NAN;
	if (isfinite(lo) && !f->ctx->o->ylim)
		fprintf(f->gp, "set yrange [%.9g:*]\n", lo);
	if (nz)
		fprintf(f->gp,
			"set label 5 \"%zu bar%s of 0 not drawn (log y)\" at graph 0.98, "
			"graph 0.97 right front font \",6\"\n",
			nz, nz == 1 ? "" : "s");
	else
		fprintf(f->gp, "unset label 5\n");
}

/* --ylim that leaves out everything drawn in panel p of np of a figure,
 * whose values are v[0..n): said on one line with the values' span, and
 * -EDOM, before the figure is begun, so nothing of it is written.  Where
 * a side is open gnuplot autoscales it from the values in range, finds
 * none and stops ("all points y value undefined"); where both are given
 * it draws an empty panel.  What counts, on the axis ylim() sets (an open
 * low end is the kinds' 0 on a linear axis, and open on a log one):
 *  - bars (bars != 0): a bar is a box from the axis' floor up to its
 *    value, so it shows its value where that lies in the range: below
 *    the low end it is not drawn, and above the high end it is a box cut
 *    at the top, as high as every other such bar (`--ylim 0:0.6` of EAT
 *    bars of 13000-27000 ns drew equal bars 0.6 high); a log axis with
 *    the low end open has no floor, and a bar counts there where its
 *    value is at most the high end;
 *  - points joined by lines: some point in range, or points on both
 *    sides of it (a line may cross it; with a side open there is none
 *    beyond it), i.e. the values' span meets the range.
 * With --ylim the axis is log only on --logy (bars_yaxis, mrc, scaling),
 * where a value of 0 or less is not drawn anyway: it does not count. */
static int ylim_check(const struct pb_plot_ctx *c, const char *fig, int bars, size_t p, size_t np,
		      const double *v, size_t n)
{
	const struct pb_plot_opts *o = c->o;
	if (!o->ylim)
		return 0;
	int lo_open = !strcmp(o->ylo, "*");
	double ylo = !lo_open ? strtod(o->ylo, NULL) : o->logy ? -INFINITY : 0;
	double yhi = strcmp(o->yhi, "*") ? strtod(o->yhi, NULL) : INFINITY;
	double lo = INFINITY, hi = -INFINITY;
	int shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]) || (o->logy && v[i] <= 0))
			continue;
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
		if (bars)
			shown |= v[i] >= ylo && v[i] <= yhi;
	}
	if (!bars)
		shown = hi >= ylo && lo <= yhi;
	if (!isfinite(lo) || shown)
		return 0;
	const char *what = bars ? "bar" : "point";
	char panel[64] = "";
	if (np > 1)
		snprintf(panel, sizeof(panel), " (panel %zu of %zu)", p + 1, np);
	pb_error("plot",
		 "--ylim %s leaves out every %s of the %s figure%s: its %ss span %.4g to %.4g%s",
		 o->ylim_arg, what, fig, panel, what, lo, hi, o->logy ? " (log y)" : "");
	return -EDOM;
}

/* ylim_check over each of a figure's bar panels bs[0..n). */
static int bars_ylim_check(const struct pb_plot_ctx *c, const struct bars *bs, size_t n,
			   const char *fig)
{
	int rc = 0;
	for (size_t p = 0; p < n && !rc; p++)
		rc = ylim_check(c, fig, 1, p, n, bs[p].v, bs[p].cl.n * bs[p].se.n);
	return rc;
}

/* Whether b's panels have a log y axis: where --logy asks for it or, with
 * auto_log and no --ylim, where the bars span more than a decade. */
static int bars_is_log(const struct pb_plot_opts *o, const struct bars *b, int auto_log)
{
	return o->logy || (auto_log && !o->ylim && bars_wants_log(b));
}

/* A bar panel's y axis (clusters [c0, c1) of b): log as bars_is_log says,
 * else the kind's [0:*]; --ylim over either (ylim); its tic labels pad
 * characters wide (bars_logy).  Returns whether it is log. */

static int bars_yaxis(struct pb_fig *f, const struct bars *b, int auto_log, size_t c0, size_t c1,
		      int pad)
{
	int logy = bars_is_log(f->ctx->o, b, auto_log);
	bars_logy(f, b, logy, c0, c1, pad);
	ylim(f, logy ? NULL : "[0:*]");
	return logy;
}

/* A gnuplot string expression: the string X (a .str variable or strcol(1))
 * with an experiment's "kernel:params" on two lines, kernel over params. */
static void gp_two_lines(FILE *g, const char *x)
{
	fprintf(g, "((P = strstrt(%s, \":\")) > 0 ? %s[1:P-1].\"\\n\".%s[P+1:] : %s)", x, x, x, x);
}

/* How the x labels of a panel of clusters [c0, c1) of b are drawn across
 * plot_pt points of x axis, and the bottom margin (lines) they take. */
struct xlab {
	int split;   /* kernel:params: kernel over params, upright */
	double font; /* pt */
	int upright;
	double bm; /* lines */
};

static struct xlab bars_xlab(const struct bars *b, size_t c0, size_t c1, double plot_pt)
{
	size_t longest = 4, line = 4;
	struct xlab x = {0, 7, 0, 0};
	for (size_t k = c0; k < c1; k++) {
		const char *v = b->cl.v[k], *c = strchr(v, ':');
		size_t a = c ? (size_t)(c - v) : strlen(v), z = c ? strlen(c + 1) : 0;
		longest = strlen(v) > longest ? strlen(v) : longest;
		line = a > line ? a : line;
		line = z > line ? z : line;
		x.split |= c != NULL;
	}
	double pitch = plot_pt / (double)(c1 > c0 ? c1 - c0 : 1); /* per cluster */
	if (x.split) {
		/* experiments (kernel:params): kernel and params on two lines,
		 * upright, so no label runs off the left edge (a 7 pt character
		 * is about 0.42 of a line of the 8 pt font the margin counts in) */
		x.upright = 1;
		x.bm = 1.5 + 0.42 * (double)line;
	} else if (pitch < 13) {
		/* too many bars for labels at 45 degrees (about 12 pt apart at
		 * 7 pt): upright, in a font that fits the pitch */
		x.upright = 1;
		x.font = fmax(4, fmin(7, pitch - 1));
		x.bm = fmin(14, 1.0 + 0.42 * (x.font / 7) * (double)longest);
	} else {
		x.bm = fmin(14, 1.0 + 0.34 * (double)longest);
	}
	return x;
}

/* The bars of a panel, data block `block` (bars_data), labelled as x
 * says. */
static void bars_plot_range(struct pb_fig *f, const struct bars *b, int err, int block, size_t c0,
			    size_t c1, const int *stitle, const struct xlab *x)
{
	FILE *g = f->gp;
	/* a bar without a value where the figure has a reason: said upright
	 * at its slot (bar s of cluster i of a clustered histogram of ns
	 * series, gap 1, stands at i + (s - (ns - 1) / 2) / (ns + 1)) */
	int nmark = 0;
	for (size_t c = c0; c < c1; c++)
		for (size_t s = 0; s < b->se.n; s++) {
			unsigned char w = b->why[c * b->se.n + s];
			if (!w || isfinite(b->v[c * b->se.n + s]))
				continue;
			fprintf(g,
				"set label %d \"%s\" at first %.4f, graph 0.03 rotate by 90 left "
				"front font \",5\" tc rgb \"#444444\"\n",
				1000 + nmark++, w == BAR_NOT_RUN ? "not run" : "no value",
				(double)(c - c0) + ((double)s - ((double)b->se.n - 1) / 2) /
						       ((double)b->se.n + 1));
		}
	fprintf(g,
		"set style data histograms\n"
		"set style histogram %s gap 1\n"
		"set boxwidth 0.9 relative\n"
		"set xtics rotate by 45 right scale 0 nomirror font \",7\"\n"
		"set grid noxtics ytics\n",
		err ? "errorbars lw 0.8" : "clustered");
	if (x->upright)
		fprintf(g, "set xtics rotate by 90 right font \",%.0f\"\n", x->font);
	fprintf(g, "set bmargin %.1f\n", x->bm);
	fprintf(g, "plot");
	for (size_t s = 0; s < b->se.n; s++) {
		size_t col = 2 + s * (err ? 3 : 1);
		fprintf(g, "%s '%s.dat' index %d using %zu", s ? ", \\\n    " : " ", f->name, block,
			col);
		if (err)
			fprintf(g, ":%zu:%zu", col + 1, col + 2);
		if (s == 0 && x->split) {
			fprintf(g, ":xtic");
			gp_two_lines(g, "strcol(1)");
		} else if (s == 0)
			fprintf(g, ":xtic(1)");
		fprintf(g, " title S%d", stitle[s]);
		bar_style(f, s);
	}
	fputc('\n', g);
	for (int k = 0; k < nmark; k++)
		fprintf(g, "unset label %d\n", 1000 + k);
}

/* Every cluster of b in one panel of a multiplot layout (counters): the
 * figure grows by what experiments' two-line labels need beyond the usual
 * margin. */
static void bars_plot(struct pb_fig *f, const struct bars *b, int err, int block, const int *stitle)
{
	struct xlab x = bars_xlab(b, 0, b->cl.n, pb_fig_width(f) * 72 - 50);
	if (x.split)
		f->height_in += fmax(0, x.bm - 5.0) * LINE_IN;
	bars_plot_range(f, b, err, block, 0, b->cl.n, stitle, &x);
}

static int *series_titles(struct pb_fig *f, const struct names *se)
{
	int *t = malloc((se->n ? se->n : 1) * sizeof(*t));
	if (!t)
		abort();
	for (size_t s = 0; s < se->n; s++)
		t[s] = pb_fig_str(f, se->v[s]);
	return t;
}

/* The error-bar note: "95% CI" only when every interval is a real CI. */
static const char *ci_note(int nvalid, int ninvalid)
{
	/* short enough for a one-column figure's title line */
	if (nvalid && !ninvalid)
		return "error bars: 95% CI of the median";
	if (!nvalid)
		return "error bars: min-max, fewer than 6 repetitions";
	return "error bars: 95% CI, or min-max below 6 reps";
}

/* ci_note, shorter where more follows on its line (short) */
static const char *ci_note_short(int nvalid, int ninvalid, int short_)
{
	if (short_ && nvalid && !ninvalid)
		return "error bars: 95% CI";
	return ci_note(nvalid, ninvalid);
}

/* ---- bar figures: title, key, panels ---- */
/* A bar narrower than this (pt) is drawn in more panels */
#define MIN_BAR_PT     3.0
#define MAX_BAR_PANELS 8

struct bar_fig {
	const char *title;	   /* the default title (--title replaces it) */
	const char *note;	   /* a line of ours under it (error bars), or NULL */
	const char *const *ylabel; /* per group (data: a device's name) */
	int err, auto_log;
	double plot_in; /* a panel's plot height (inches) */
};

/* The top of the highest bar or interval of b: a round number (log: a
 * decade), so that a group's panels share one y axis; NaN: none. */
static double bars_top(const struct bars *b, int logy)
{
	double hi = 0;
	for (size_t i = 0; i < b->cl.n * b->se.n; i++) {
		if (isfinite(b->v[i]))
			hi = fmax(hi, b->v[i]);
		if (isfinite(b->hi[i]))
			hi = fmax(hi, b->hi[i]);
	}
	if (!(hi > 0))
		return NAN;
	if (logy)
		return pow(10, ceil(log10(hi)));
	double st = nice_step(hi, 5);
	return ceil(hi / st) * st;
}

/* gnuplot's tic step over a linear axis arg long (its
 * quantize_normal_tics, with the guide of 20 it passes). */
static double gp_tic_step(double arg)
{
	double power = pow(10, floor(log10(arg))), xnorm = arg / power, posns = 20 / xnorm;
	return power * (posns > 40    ? 0.05
			: posns > 20  ? 0.1
			: posns > 10  ? 0.2
			: posns > 4   ? 0.5
			: posns > 2   ? 1
			: posns > 0.5 ? 2
				      : ceil(xnorm));
}

/* The characters of the longest y tic label of a bar panel (clusters
 * [c0, c1) of b, log or not, ytop the group's top set over it or NaN), as
 * gnuplot counts them for the panel's left margin: the labels
 * bars_logy's format prints at the tics gnuplot puts on the range
 * bars_yaxis gives the panel, --ylim's included. */
static int bars_ytic_chars(const struct pb_plot_opts *o, const struct bars *b, int logy, size_t c0,
			   size_t c1, double ytop)
{
	int whole = bars_whole(b, logy, c0, c1), fixed_hi = isfinite(ytop);
	double lo = logy ? bars_log_floor(b) : 0, hi = fixed_hi ? ytop : bars_range_top(b, c0, c1);
	if (o->ylim && strcmp(o->ylo, "*"))
		lo = strtod(o->ylo, NULL);
	if (o->ylim && strcmp(o->yhi, "*")) {
		hi = strtod(o->yhi, NULL);
		fixed_hi = 1;
	}
	if (!(hi > lo) || (logy && !(lo > 0)))
		return 2;
	char s[64];
	int n = 1;
	if (logy) { /* decades; autoscaling ends the axis at one */
		double e1 = fixed_hi ? floor(log10(hi) + 1e-9) : ceil(log10(hi) - 1e-9);
		for (double e = ceil(log10(lo) - 1e-9); e <= e1 && e < 400; e++)
			n = fmax(n, snprintf(s, sizeof(s), "% g", pow(10, e)));
		return n;
	}
	double st = gp_tic_step(hi - lo);
	if (!fixed_hi) /* autoscaling ends the axis at a tic */
		hi = ceil(hi / st - 1e-9) * st;
	double k0 = ceil(lo / st - 1e-9), k1 = floor(hi / st + 1e-9);
	for (double k = k0; k <= k1 && k < k0 + 1000; k++) {
		double v = fabs(k) < 1e-9 ? 0 : k * st;
		n = fmax(n, whole ? snprintf(s, sizeof(s), "%.0f", v)
				  : snprintf(s, sizeof(s), "% g", v));
	}
	return n;
}

/*
 * A bar figure of ng groups of bars (eat: one per device; one elsewhere)
 * with the same series: from the top, the title (wrapped, centred on the
 * figure), the series' key under it (its rows counted from the width and
 * the longest name, at most that many a row: gnuplot 5.4 put a key at the
 * top above the title, over it), then each group's clusters in as many
 * panels as bars of at least MIN_BAR_PT need (17 policies x 5 frame counts
 * were 85 bars of 2 pt across a column), stacked, on one y axis per group.
 * Across a page the groups stand side by side, else stacked.  Every height
 * is known here, so the figure's is set: the header's and the panels'.
 */
static void bars_figure(struct pb_fig *f, const struct bars *g, size_t ng, const struct bar_fig *bf)
{
	FILE *gp = f->gp;
	const struct pb_plot_opts *o = f->ctx->o;
	double w = pb_fig_width(f);
	size_t cols = is_page(f) && ng > 1 ? ng : 1, ns = g[0].se.n, ncl = 0;
	for (size_t i = 0; i < ng; i++)
		ncl = g[i].cl.n > ncl ? g[i].cl.n : ncl;
	/* clusters a panel: bars of MIN_BAR_PT (gap 1: a cluster is ns + 1
	 * bars wide); as many in each panel */
	double plot_pt = w / (double)cols * 72 - 50;
	size_t per = (size_t)fmax(1, floor(plot_pt / (MIN_BAR_PT * (double)(ns + 1))));
	size_t k = ncl ? (ncl + per - 1) / per : 1;
	k = k > MAX_BAR_PANELS ? MAX_BAR_PANELS : k;
	per = ncl ? (ncl + k - 1) / k : 1;
	k = ncl ? (ncl + per - 1) / per : 1;
	/* the header: title lines, key rows */
	char texpr[2048];
	int tl = title_expr(f, bf->title, bf->note, w - 0.2, texpr, sizeof(texpr));
	size_t longest = 1;
	for (size_t i = 0; i < ns; i++)
		longest = strlen(g[0].se.v[i]) > longest ? strlen(g[0].se.v[i]) : longest;
	size_t per_row = (size_t)fmax(1, floor((w * 72 - 16) / ((double)longest * CHAR7_PT + 26)));
	per_row = per_row > ns ? ns : per_row;
	size_t krows = ns ? (ns + per_row - 1) / per_row : 0;
	double pad = 0.05, title_in = tl ? tl * LINE_IN + 0.04 : 0;
	double head = pad + title_in + (double)krows * KEYROW_IN + 0.06;
	/* the panels' rows: each a chunk of clusters (of each group side by
	 * side, or of one group) */
	size_t nrows = cols > 1 ? k : ng * k;
	double *box = dalloc(nrows), H = head, plot_in = bf->plot_in * (k > 1 ? 0.8 : 1);
	struct xlab *xl = calloc(nrows * cols + 1, sizeof(*xl));
	if (!xl)
		abort();
	for (size_t r = 0; r < nrows; r++) {
		double bm = 0;
		for (size_t c = 0; c < cols; c++) {
			const struct bars *b = &g[cols > 1 ? c : r / k];
			size_t c0 = (r % k) * per, c1 = c0 + per < b->cl.n ? c0 + per : b->cl.n;
			xl[r * cols + c] = bars_xlab(b, c0, c1 > c0 ? c1 : c0, plot_pt);
			bm = fmax(bm, xl[r * cols + c].bm);
		}
		box[r] = plot_in + (0.8 + bm) * LINE_IN;
		H += box[r];
	}
	f->height_in = H;
	/* one left margin for every panel: gnuplot fits a panel's margin to
	 * the characters of its y tic labels (an 8000000 panel's plot stood
	 * right of a 0.5 one's), so every panel's labels are as wide as the
	 * longest, spaces before the shorter (labels are right-aligned, and
	 * the y labels line up too).  A fixed lmargin instead took the key's
	 * room: gnuplot lays a key out over a panel's width before an
	 * automatic margin, within a fixed one (3 entries a row became 2) */
	int *tc = calloc(nrows * cols + 1, sizeof(int)), tcmax = 1;
	if (!tc)
		abort();
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < cols; c++) {
			const struct bars *b = &g[cols > 1 ? c : r / k];
			size_t c0 = (r % k) * per, c1 = c0 + per < b->cl.n ? c0 + per : b->cl.n;
			int logy = bars_is_log(o, b, bf->auto_log);
			double yt = bars_top(b, logy);
			if (c0 >= c1)
				continue;
			tc[r * cols + c] = bars_ytic_chars(
			    o, b, logy, c0, c1,
			    k > 1 && isfinite(yt) && (!o->ylim || !strcmp(o->yhi, "*")) ? yt : NAN);
			tcmax = tc[r * cols + c] > tcmax ? tc[r * cols + c] : tcmax;
		}
	int *st = series_titles(f, &g[0].se), *yl = calloc(ng + 1, sizeof(int));
	if (!yl)
		abort();
	for (size_t i = 0; i < ng; i++)
		yl[i] = pb_fig_str(f, bf->ylabel[i]);
	fprintf(gp, "set multiplot\n");
	if (tl)
		fprintf(gp, "set label 1 %s at screen 0.5, screen %.4f center front font \",8\"\n",
			texpr, 1 - (pad + 0.5 * LINE_IN) / H);
	fprintf(gp,
		"set key at screen 0.5, screen %.4f center top horizontal Left reverse maxcols %zu "
		"samplen 1.5 width %.2f font \",7\"\n",
		1 - (pad + title_in) / H, per_row,
		key_width_fix(longest, 1.5, (double)longest * CHAR7_PT + 26, 7));
	double top = H - head;
	int block = 0;
	for (size_t r = 0; r < nrows; r++) {
		top -= box[r];
		for (size_t c = 0; c < cols; c++) {
			size_t gi = cols > 1 ? c : r / k;
			const struct bars *b = &g[gi];
			size_t c0 = (r % k) * per, c1 = c0 + per < b->cl.n ? c0 + per : b->cl.n;
			if (c0 >= c1)
				continue;
			fprintf(gp,
				"set origin %.4f, %.4f\nset size %.4f, %.4f\nset tmargin 0.8\n"
				"set ylabel S%d\n",
				(double)c / (double)cols, top / H, 1.0 / (double)cols, box[r] / H,
				yl[gi]);
			int logy = bars_yaxis(f, b, bf->auto_log, c0, c1,
					      tc[r * cols + c] < tcmax ? tcmax : 0);
			double yt = bars_top(b, logy);
			if (k > 1 && isfinite(yt) && (!o->ylim || !strcmp(o->yhi, "*")))
				fprintf(gp, "set yrange [:%.9g]\n", yt);
			bars_data(f, b, bf->err, c0, c1);
			bars_plot_range(f, b, bf->err, block++, c0, c1, st, &xl[r * cols + c]);
			if (block == 1)
				fprintf(gp, "unset label 1\nunset key\n");
		}
	}
	free(st);
	free(yl);
	free(box);
	free(xl);
	free(tc);
}

/* One point of a line with an interval: "x m lo hi", an interval bound
 * that is not a number (NA, no CI) drawn at the median. */
static void dat_point(struct pb_fig *f, double x, double m, double lo, double hi)
{
	pb_fig_dat_num(f, x);
	fprintf(f->dat, "\t");
	pb_fig_dat_num(f, m);
	fprintf(f->dat, "\t");
	pb_fig_dat_num(f, isfinite(lo) ? lo : m);
	fprintf(f->dat, "\t");
	pb_fig_dat_num(f, isfinite(hi) ? hi : m);
	fprintf(f->dat, "\n");
}

/* ---- summary.csv: scaling and cost ---- */
/* The distinct numbers of column col (thread counts, frame counts),
 * ascending, at most max of them. */
static size_t col_distinct(const struct pb_csv *t, int col, double *v, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		double x = pb_plot_num(pb_csv_cell(t, i, col));
		size_t j = 0;
		while (j < n && v[j] != x)
			j++;
		if (j == n && n < max && isfinite(x))
			v[n++] = x;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	return n;
}

static int is_total(const struct pb_csv *t, size_t r)
{
	int c = pb_csv_col(t, "thread");
	return c < 0 || !strcmp(pb_csv_cell(t, r, c), "total");
}

/*
 * A row's series: its experiment (the kernel, or kernel:params), so that two
 * experiments of one kernel (frames-alloc-free with pattern=repeat and with
 * cross=50, in one suite) are two series, not one that mixes their rows;
 * the kernel in files without that column.
 */
static const char *row_series(const struct pb_csv *t, size_t i)
{
	int ce = pb_csv_col(t, "experiment");
	const char *e = ce >= 0 ? pb_csv_cell(t, i, ce) : "";
	return *e ? e : pb_csv_cell(t, i, pb_csv_col(t, "kernel"));
}

/* Series that serve as another's baseline (drawn only if asked); the
 * baseline column names the baseline's experiment. */
static int is_baseline_only(const struct pb_csv *t, const char *series)
{
	int cb = pb_csv_col(t, "baseline");
	if (cb < 0)
		return 0;
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(pb_csv_cell(t, r, cb), series) && strcmp(row_series(t, r), series))
			return 1;
	return 0;
}

static const char *family_of(const struct pb_plot_run *r, const char *series)
{
	const struct pb_csv *t = &r->runs;
	int cm = pb_csv_col(t, "module");
	if (r->has_runs && cm >= 0)
		for (size_t i = 0; i < t->nrows; i++)
			if (!strcmp(row_series(t, i), series))
				return pb_csv_cell(t, i, cm);
	cm = pb_csv_col(&r->summary, "module");
	if (cm >= 0)
		for (size_t i = 0; i < r->summary.nrows; i++)
			if (!strcmp(row_series(&r->summary, i), series))
				return pb_csv_cell(&r->summary, i, cm);
	return "kernels";
}

/* The series names to draw: --order, else CSV order minus baselines. */
static void kernels_of(const struct pb_plot_run *r, const struct pb_plot_opts *o, struct names *k)
{
	const struct pb_csv *t = &r->summary;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *name = row_series(t, i);
		if (is_total(t, i) && (o->norder || !is_baseline_only(t, name)))
			names_add(k, name);
	}
	names_order(k, o);
}

/* x tics at the thread counts measured (at most 8 of them, else gnuplot's),
 * labelled where they do not run into each other on the axis drawn, over
 * [0.8, maxthr + 0.2] and plot_pt points long (thinned on a linear spacing
 * with --logx, 2 and 4 were unlabelled while 12 and 16 crowded): the
 * first and the powers of two first, then the others where they fit (1 4
 * 6 8 12 16 of 1 2 3 4 6 8 12 16 across a column, 1 2 4 8 16 with
 * --logx).  Two labels need half of each (7 pt digits, 4.45 pt each) and
 * 3 pt between them. */
static void thread_xtics(FILE *g, const double *thv, size_t n, double maxthr, int logx,
			 double plot_pt)
{
	if (n > 8) {
		fprintf(g, "set xtics nomirror font \",7\"\n");
		return;
	}
	double x0 = logx ? log(0.8) : 0.8, x1 = logx ? log(maxthr + 0.2) : maxthr + 0.2;
	double at[8], wd[8];
	int lab[8] = {0};
	for (size_t j = 0; j < n; j++) {
		char s[32];
		wd[j] = snprintf(s, sizeof(s), "%g", thv[j]);
		at[j] = ((logx ? log(thv[j]) : thv[j]) - x0) / (x1 - x0) * plot_pt;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t j = 0; j < n; j++) {
			double lg = log2(thv[j]);
			if (lab[j] || (pass == 0 && j && lg != floor(lg)))
				continue;
			int fits = 1; /* against the nearest labels on each side */
			for (size_t i = j; fits && i-- > 0;)
				if (lab[i]) {
					fits = at[j] - at[i] >= (wd[i] + wd[j]) / 2 * 4.45 + 3;
					break;
				}
			for (size_t i = j + 1; fits && i < n; i++)
				if (lab[i]) {
					fits = at[i] - at[j] >= (wd[i] + wd[j]) / 2 * 4.45 + 3;
					break;
				}
			lab[j] = fits;
		}
	fprintf(g, "set xtics (");
	for (size_t j = 0; j < n; j++) {
		fprintf(g, "%s\"", j ? ", " : "");
		if (lab[j])
			fprintf(g, "%g", thv[j]);
		fprintf(g, "\" %g", thv[j]);
	}
	fprintf(g, ") nomirror font \",7\"\n");
}

/* A series' total median ops/s (column cm) at 1 thread, which its
 * speedups divide by; NaN where it has none. */
/* a row of one series and its thread count, to sort by the count */
struct thr_row {
	double thr;
	size_t row;
};

static int cmp_thr_row(const void *a, const void *b)
{
	const struct thr_row *x = a, *y = b;
	return x->thr < y->thr ? -1 : x->thr > y->thr ? 1 : (x->row > y->row) - (x->row < y->row);
}

static double one_thread_median(const struct pb_csv *t, const char *series, int cth, int cm)
{
	double one = NAN;
	for (size_t i = 0; i < t->nrows; i++)
		if (is_total(t, i) && !strcmp(row_series(t, i), series) &&
		    pb_plot_num(pb_csv_cell(t, i, cth)) == 1)
			one = pb_plot_num(pb_csv_cell(t, i, cm));
	return one;
}

/* A scaling series' key lines (a multi-line key title overlaps the next
 * entry in gnuplot 5.4): the kernel, broken after a '-' or '_' where it
 * is longer than maxc characters, then its params (after "kernel:"), a
 * few k=v to a line, each further line two spaces in, so that the key
 * stays inside its panel (at 2.5 in, "frames-alloc-free" ran off the
 * figure).  The first line into first; with f, the others as key lines
 * (f NULL: only counted).  Returns the lines. */
static int scaling_key_lines(struct pb_fig *f, const char *name, size_t maxc, char *first,
			     size_t len)
{
	const char *colon = strchr(name, ':');
	size_t kn = colon ? (size_t)(colon - name) : strlen(name);
	int lines = 0;
	char pa[300];
	for (size_t at = 0; at < kn; lines++) {
		size_t room = lines ? maxc - 2 : maxc, l = kn - at;
		if (l > room)
			l = cut_after(name + at, room, "-_");
		if (!lines)
			snprintf(first, len, "%.*s", (int)l, name);
		else if (f) {
			snprintf(pa, sizeof(pa), "  %.*s", (int)l, name + at);
			fprintf(f->gp, ", keyentry title S%d", pb_fig_str(f, pa));
		}
		at += l;
	}
	if (!lines) {
		snprintf(first, len, "%s", name);
		lines = 1;
	}
	const char *q = colon ? colon + 1 : NULL;
	for (struct pb_kv e = {0}; pb_kv_next(q, &e); lines++) {
		/* e grows over the next k=v while the line (its "  " and ",")
		 * stays within maxc */
		for (struct pb_kv g = e;
		     pb_kv_next(q, &g) && (size_t)(g.s - e.s) + g.len + 3 <= maxc;)
			e.len = (size_t)(g.s - e.s) + g.len;
		/* a k=v longer than a line: broken after its '=' (else at
		 * the line's end), the rest on lines of their own */
		const char *x = e.s, *end = e.s + e.len;
		for (; (size_t)(end - x) + 2 + (*end != 0) > maxc; lines++) {
			size_t i = cut_after(x, maxc - 2, "=");
			if (f) {
				snprintf(pa, sizeof(pa), "  %.*s", (int)i, x);
				fprintf(f->gp, ", keyentry title S%d", pb_fig_str(f, pa));
			}
			x += i;
		}
		if (f) {
			snprintf(pa, sizeof(pa), "  %.*s%s", (int)(end - x), x, *end ? "," : "");
			fprintf(f->gp, ", keyentry title S%d", pb_fig_str(f, pa));
		}
	}
	return lines;
}

int pb_plot_scaling(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	const struct pb_csv *t = &r->summary;
	int ck = pb_csv_col(t, "kernel"), cth = pb_csv_col(t, "threads");
	int cm = pb_csv_col(t, "median_ops_per_s"), cl = pb_csv_col(t, "ci95_lo_ops_per_s"),
	    ch = pb_csv_col(t, "ci95_hi_ops_per_s"), cv = pb_csv_col(t, "ci95_valid");
	if (!r->has_summary || ck < 0 || cth < 0 || cm < 0)
		return 0;
	struct names kern = {0}, fam = {0};
	kernels_of(r, c->o, &kern);
	/* speedup needs two thread counts: which kernels have them */
	double maxthr = 1;
	struct names keep = {0};
	for (size_t k = 0; k < kern.n; k++) {
		int nthr = 0;
		for (size_t i = 0; i < t->nrows; i++)
			if (is_total(t, i) && !strcmp(row_series(t, i), kern.v[k])) {
				nthr++;
				maxthr = fmax(maxthr, pb_plot_num(pb_csv_cell(t, i, cth)));
			}
		/* speedups are over one thread: a series without its median
		 * there has no base, and is said, not drawn as an empty line */
		double one = one_thread_median(t, kern.v[k], cth, cm);
		if (nthr >= 2 && !(isfinite(one) && one > 0))
			fprintf(stderr,
				"pagebench plot: scaling: %s has no 1-thread median (%s): not "
				"drawn\n",
				kern.v[k], isnan(one) ? "no such row, or NA" : "not above 0");
		else if (nthr >= 2)
			names_add(&keep, kern.v[k]);
		else /* said, as the one without a base is */
			fprintf(stderr,
				"pagebench plot: scaling: %s was measured at one thread count "
				"only: not drawn\n",
				kern.v[k]);
	}
	names_free(&kern);
	if (!keep.n) {
		names_free(&keep);
		return 0;
	}
	/* families in a fixed, readable order, then any other */
	static const char *const famorder[] = {"pt",   "frames",   "vm",
					       "real", "workload", "selftest"};
	struct names seen = {0};
	for (size_t k = 0; k < keep.n; k++)
		names_add(&seen, family_of(r, keep.v[k]));
	for (size_t i = 0; i < PB_ARRAY_SIZE(famorder); i++)
		if (names_find(&seen, famorder[i]) != (size_t)-1)
			names_add(&fam, famorder[i]);
	for (size_t i = 0; i < seen.n; i++)
		names_add(&fam, seen.v[i]);
	names_free(&seen);

	/* each panel's speedups (a family's series) against --ylim, before
	 * anything of the figure is written */
	int rc = 0;
	double *sv = dalloc(t->nrows);
	for (size_t fi = 0; fi < fam.n && !rc; fi++) {
		size_t n = 0;
		for (size_t k = 0; k < keep.n; k++) {
			if (strcmp(family_of(r, keep.v[k]), fam.v[fi]))
				continue;
			double one = one_thread_median(t, keep.v[k], cth, cm);
			for (size_t i = 0; i < t->nrows; i++)
				if (is_total(t, i) && !strcmp(row_series(t, i), keep.v[k]))
					sv[n++] = pb_plot_num(pb_csv_cell(t, i, cm)) / one;
		}
		rc = ylim_check(c, "scaling", 0, fi, fam.n, sv, n);
	}
	free(sv);
	/* Every panel's key (one column: two do not fit a panel of a
	 * two-column grid, and gnuplot then picks one itself) is padded with
	 * blank entries to the rows of the longest (its rows at 6 pt, spacing
	 * 0.8: 0.6 of a line of the 8 pt font), and the side margins are
	 * fixed, so the plot areas of a row (and of a column) line up; the
	 * figure grows by that key instead of shrinking the plots.  (A fixed
	 * bottom margin does not do it: gnuplot 5.4 then draws the key over
	 * the x label.) */
	/* A key line's characters: the key (one column, 6 pt, about 3.5 pt a
	 * character) is wider than gnuplot's plot in a narrow panel, and then
	 * starts 17 pt right of the plot's left edge, which is 33 pt into the
	 * panel (lmargin below): its text has the panel less 52 pt (19
	 * characters across a column, 10 at 2.5 in, 33 across a page) */
	int cols = panel_cols(is_page(&(struct pb_fig){.ctx = c}), fam.n);
	size_t maxc = (size_t)fmax(10, ((c->o->width_in * 72 / cols) - 52) / 3.5);
	char first[300];
	int keyrows = 1;
	for (size_t fi = 0; fi < fam.n; fi++) {
		int entries = 1; /* ideal */
		for (size_t k = 0; k < keep.n; k++) {
			if (strcmp(family_of(r, keep.v[k]), fam.v[fi]))
				continue;
			entries += scaling_key_lines(NULL, keep.v[k], maxc, first, sizeof(first));
		}
		keyrows = entries > keyrows ? entries : keyrows;
	}
	double keylines = 0.6 * keyrows;
	int rows = (int)((fam.n + (size_t)cols - 1) / (size_t)cols);
	double w = c->o->width_in, panel_h = fmin(2.2, w / cols * 0.9) + (2.5 + keylines) * LINE_IN;
	struct pb_fig f;
	if (rc || (rc = pb_fig_begin(&f, c, "scaling", rows * panel_h + 0.4)))
		goto out;
	pb_fig_source(&f, r, "summary.csv");
	if (r->has_runs)
		pb_fig_source(&f, r, "runs.csv");
	pb_fig_styles(&f);
	/* what the error bars are: over every row drawn */
	int nvalid = 0, ninvalid = 0;
	for (size_t k = 0; k < keep.n; k++)
		for (size_t i = 0; i < t->nrows; i++)
			if (is_total(t, i) && !strcmp(row_series(t, i), keep.v[k])) {
				if (!strcmp(pb_csv_cell(t, i, cv), "1"))
					nvalid++;
				else
					ninvalid++;
			}
	FILE *g = f.gp;
	/* the title and the note on the bars under it, both wrapped (the
	 * multiplot's, centred on the figure; at 2.5 in the note ran off both
	 * edges); their lines beyond two make the figure higher */
	char texpr[2048];
	int tl = title_expr(&f, "Thread scaling: speedup over 1 thread (median)",
			    ci_note(nvalid, ninvalid), w - 0.2, texpr, sizeof(texpr));
	f.height_in += (tl > 2 ? tl - 2 : 0) * LINE_IN;
	fprintf(g, "set multiplot layout %d,%d title %s font \",8\"\n", rows, cols, texpr);
	double thv[64]; /* the thread counts measured, for the tics */
	size_t nthv = col_distinct(t, cth, thv, PB_ARRAY_SIZE(thv));
	int block = 0;
	for (size_t fi = 0; fi < fam.n; fi++) {
		struct names ks = {0};
		for (size_t k = 0; k < keep.n; k++)
			if (!strcmp(family_of(r, keep.v[k]), fam.v[fi]))
				names_add(&ks, keep.v[k]);
		fprintf(g, "set title S%d font \",8\" offset 0,-0.8\n", pb_fig_str(&f, fam.v[fi]));
		fprintf(g,
			"set xlabel \"threads\" offset 0,0.4\nset ylabel \"speedup\" offset 1.5,0\n"
			"set xrange [0.8:%g]\n",
			maxthr + 0.2);
		/* the plot: the panel less the side margins below, 6.5 and 2
		 * of gnuplot's characters (5.1 pt at 8 pt) */
		thread_xtics(g, thv, nthv, maxthr, c->o->logx, w / cols * 72 - 8.5 * 5.1);
		/* about four y tics: a panel over a key of four lines is 1 in
		 * high, and gnuplot's 0, 2, ..., 18 ran into each other there */
		if (!c->o->logy)
			fprintf(g, "set ytics %g\n", nice_step(maxthr, 4));
		fprintf(g,
			"set ytics nomirror font \",7\"\n"
			"set lmargin 6.5\nset rmargin 2\n"
			"set key below Left reverse maxcols 1 samplen 1.5 spacing 0.8 height 0.8 "
			"font \",6\"\n");
		if (c->o->logx)
			fprintf(g, "set logscale x 2\n");
		if (c->o->logy)
			fprintf(g, "set logscale y 2\n");
		ylim(&f, c->o->logy ? NULL : "[0:*]"); /* a log axis has no 0 */
		fprintf(g, "plot x with lines ls 101 title \"ideal\"");
		int entries = 1;
		for (size_t k = 0; k < ks.n; k++) {
			double one = one_thread_median(t, ks.v[k], cth, cm);
			/* the series' rows by thread count: a line through them
			 * in file order zigzags where a suite ran 4 before 1,2 */
			struct thr_row *tr = calloc(t->nrows + 1, sizeof(*tr));
			size_t ntr = 0;
			if (!tr)
				abort();
			for (size_t i = 0; i < t->nrows; i++)
				if (is_total(t, i) && !strcmp(row_series(t, i), ks.v[k]))
					tr[ntr++] = (struct thr_row){
					    pb_plot_num(pb_csv_cell(t, i, cth)), i};
			qsort(tr, ntr, sizeof(*tr), cmp_thr_row);
			for (size_t ti = 0; ti < ntr; ti++) {
				size_t i = tr[ti].row;
				double m = pb_plot_num(pb_csv_cell(t, i, cm));
				dat_point(&f, pb_plot_num(pb_csv_cell(t, i, cth)), m / one,
					  pb_plot_num(pb_csv_cell(t, i, cl)) / one,
					  pb_plot_num(pb_csv_cell(t, i, ch)) / one);
			}
			free(tr);
			fprintf(f.dat, "\n\n");
			size_t si = 0;
			for (; si < keep.n && strcmp(keep.v[si], ks.v[k]); si++)
				;
			/* kernel:params as the kernel, then the params on key
			 * lines of their own (scaling_key_lines) */
			scaling_key_lines(NULL, ks.v[k], maxc, first, sizeof(first));
			fprintf(g,
				", \\\n    '%s.dat' index %d using 1:2:3:4 with yerrorlines ls %zu "
				"title S%d",
				f.name, block++, si % 17 + 1, pb_fig_str(&f, first));
			entries += scaling_key_lines(&f, ks.v[k], maxc, first, sizeof(first));
		}
		for (; entries < keyrows; entries++)
			fprintf(g, ", keyentry title \" \"");
		fprintf(g, "\n");
		names_free(&ks);
	}
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	names_free(&keep);
	names_free(&fam);
	return rc;
}

int pb_plot_cost(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	const struct pb_csv *t = &r->summary;
	int ck = pb_csv_col(t, "kernel"), cth = pb_csv_col(t, "threads");
	int cm = pb_csv_col(t, "median_ns_per_op"), cl = pb_csv_col(t, "ci95_lo_ns_per_op"),
	    ch = pb_csv_col(t, "ci95_hi_ns_per_op"), cv = pb_csv_col(t, "ci95_valid");
	if (!r->has_summary || ck < 0 || cth < 0 || cm < 0)
		return 0;
	struct bars b = {0};
	struct names kern = {0};
	kernels_of(r, c->o, &kern);
	for (size_t k = 0; k < kern.n; k++) {
		names_add(&b.cl, kern.v[k]);
	}
	/* thread counts ascending */
	double thr[64];
	size_t nthr = col_distinct(t, cth, thr, PB_ARRAY_SIZE(thr));
	for (size_t j = 0; j < nthr; j++) {
		char s[64];
		snprintf(s, sizeof(s), "%g thread%s", thr[j], thr[j] == 1 ? "" : "s");
		names_add(&b.se, s);
	}
	bars_alloc(&b);
	int nvalid = 0, ninvalid = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		if (!is_total(t, i))
			continue;
		size_t k = names_find(&kern, row_series(t, i));
		if (k == (size_t)-1)
			continue;
		double x = pb_plot_num(pb_csv_cell(t, i, cth));
		size_t j = 0;
		while (j < nthr && thr[j] != x)
			j++;
		if (j == nthr)
			continue;
		size_t at = k * nthr + j;
		b.v[at] = pb_plot_num(pb_csv_cell(t, i, cm));
		b.lo[at] = pb_plot_num(pb_csv_cell(t, i, cl));
		b.hi[at] = pb_plot_num(pb_csv_cell(t, i, ch));
		if (!strcmp(pb_csv_cell(t, i, cv), "1"))
			nvalid++;
		else
			ninvalid++;
	}
	names_free(&kern);
	int rc = 0;
	if (!bars_any(&b))
		goto out;
	struct pb_fig f;
	double h = is_page(&(struct pb_fig){.ctx = c}) ? 2.8 : 2.9;
	if ((rc = bars_ylim_check(c, &b, 1, "cost")) || (rc = pb_fig_begin(&f, c, "cost", h)))
		goto out;
	pb_fig_source(&f, r, "summary.csv");
	if (r->has_runs)
		pb_fig_source(&f, r, "runs.csv");
	const char *yl[] = {"ns per operation"};
	bars_figure(&f, &b, 1,
		    &(struct bar_fig){"Cost per operation by kernel (median)",
				      ci_note(nvalid, ninvalid), yl, 1, 1, 1.9});
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	bars_free(&b);
	return rc;
}

/* ---- runs.csv counters ---- */
int pb_plot_counters(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	static const struct {
		const char *col, *label;
	} ev[] = {{"papi_l1_dcm", "L1D misses"},
		  {"papi_l2_dcm", "L2D misses"},
		  {"papi_l3_tcm", "L3 misses"},
		  {"papi_tlb_dm", "dTLB misses"},
		  {"papi_tlb_im", "iTLB misses"}};
	const struct pb_csv *t = &r->runs;
	int ck = pb_csv_col(t, "kernel"), cth = pb_csv_col(t, "threads"),
	    cw = pb_csv_col(t, "warmup"), cops = pb_csv_col(t, "ops"),
	    ccyc = pb_csv_col(t, "papi_tot_cyc"), cins = pb_csv_col(t, "papi_tot_ins");
	int any = ccyc >= 0 || cins >= 0;
	for (size_t e = 0; e < PB_ARRAY_SIZE(ev); e++)
		any |= pb_csv_col(t, ev[e].col) >= 0;
	if (!r->has_runs || !any || ck < 0 || cops < 0)
		return 0;
	/* the smallest thread count: one configuration per kernel */
	double thr = INFINITY;
	for (size_t i = 0; i < t->nrows; i++)
		thr = fmin(thr, pb_plot_num(pb_csv_cell(t, i, cth)));
	struct bars b = {0}, ipc = {0};
	names_add(&ipc.se, "IPC");
	struct names kern = {0};
	for (size_t i = 0; i < t->nrows; i++)
		if (is_total(t, i) &&
		    (c->o->norder || !is_baseline_only(&r->summary, row_series(t, i))))
			names_add(&kern, row_series(t, i));
	names_order(&kern, c->o);
	for (size_t k = 0; k < kern.n; k++) {
		names_add(&b.cl, kern.v[k]);
		names_add(&ipc.cl, kern.v[k]);
	}
	for (size_t e = 0; e < PB_ARRAY_SIZE(ev); e++)
		names_add(&b.se, ev[e].label);
	bars_alloc(&b);
	bars_alloc(&ipc);
	double *tmp = dalloc(t->nrows);
	for (size_t k = 0; k < kern.n; k++) {
		for (size_t e = 0; e <= PB_ARRAY_SIZE(ev); e++) {
			int ce = e < PB_ARRAY_SIZE(ev) ? pb_csv_col(t, ev[e].col) : cins;
			size_t n = 0;
			for (size_t i = 0; i < t->nrows && ce >= 0; i++) {
				if (!is_total(t, i) || strcmp(row_series(t, i), kern.v[k]) ||
				    !strcmp(pb_csv_cell(t, i, cw), "1") ||
				    pb_plot_num(pb_csv_cell(t, i, cth)) != thr)
					continue;
				double x = pb_plot_num(pb_csv_cell(t, i, ce));
				double d = e < PB_ARRAY_SIZE(ev)
					       ? pb_plot_num(pb_csv_cell(t, i, cops)) / 1000
					       : pb_plot_num(pb_csv_cell(t, i, ccyc));
				tmp[n++] = d > 0 ? x / d : NAN;
			}
			double m = median(tmp, n);
			if (e < PB_ARRAY_SIZE(ev))
				b.v[k * b.se.n + e] = m;
			else
				ipc.v[k] = m;
		}
	}
	free(tmp);
	names_free(&kern);
	int rc, have = bars_any(&b), haveipc = bars_any(&ipc);
	struct pb_fig f;
	int page = is_page(&(struct pb_fig){.ctx = c});
	double h = !have && !haveipc ? 1.3 : page ? 2.8 : 4.6;
	/* --ylim is the misses panel's (bars_yaxis below) */
	if ((rc = bars_ylim_check(c, &b, 1, "counters")) ||
	    (rc = pb_fig_begin(&f, c, "counters", h)))
		goto out;
	pb_fig_source(&f, r, "runs.csv");
	FILE *g = f.gp;
	char na[400];
	snprintf(na, sizeof(na), "NA: hardware counters not available here%s%s",
		 r->counters_na[0] ? ": " : "", r->counters_na);
	char sna[256];
	str_lines(&f, na, (size_t)(c->o->width_in * 72 / 4.2), 64, sna, sizeof(sna));
	char tt[128];
	snprintf(tt, sizeof(tt), "Counter rates at %g thread%s (median)", thr, thr == 1 ? "" : "s");
	char texpr[2048];
	int tl = title_expr(&f, tt, NULL, c->o->width_in - 0.2, texpr, sizeof(texpr));
	f.height_in += (tl > 1 ? tl - 1 : 0) * LINE_IN;
	int npanel = have || haveipc ? 2 : 1;
	struct bars *panels[2] = {&b, &ipc};
	int hv[2] = {have, haveipc};
	/* each panel's key (outside, at the top of its panel): as many in a
	 * row as the panel's width holds (gnuplot's column made the
	 * layout's, key_width_fix), and the top margin as high as its rows
	 * (it was 2.8 lines, whatever the rows: three 6 pt rows of 5 events
	 * at 2.5 in ran up into the title) */
	size_t per_row[2] = {1, 1}, klong[2] = {1, 1};
	double tmarg[2] = {2.8, 2.8}, grow = 0;
	for (int p = 0; p < npanel; p++) {
		const struct names *se = &panels[p]->se;
		for (size_t i = 0; i < se->n; i++)
			klong[p] = strlen(se->v[i]) > klong[p] ? strlen(se->v[i]) : klong[p];
		double col = (double)klong[p] * CHAR6_PT + 22;
		per_row[p] = (size_t)fmax(
		    1, floor((pb_fig_width(&f) * 72 / (page ? npanel : 1) - 16) / col));
		per_row[p] = per_row[p] > se->n ? se->n : per_row[p];
		size_t krows = se->n ? (se->n + per_row[p] - 1) / per_row[p] : 0;
		tmarg[p] = fmax(2.8, 1.3 + (double)krows * KEYROW6_LINES);
		grow = page ? fmax(grow, tmarg[p] - 2.8) : grow + tmarg[p] - 2.8;
	}
	f.height_in += grow * LINE_IN;
	/* the y tic labels' characters of each panel (0: no bars) */
	int tc[2] = {0, 0};
	if (have)
		tc[0] = bars_ytic_chars(c->o, &b, bars_is_log(c->o, &b, 1), 0, b.cl.n, NAN);
	if (haveipc)
		tc[1] = bars_ytic_chars(&(struct pb_plot_opts){0}, &ipc, 0, 0, ipc.cl.n, NAN);
	/* the key under the title, not touching it: a key outside top starts
	 * where the panel does, right under the multiplot's title, so the
	 * title ends with an empty line */
	if (npanel > 1)
		f.height_in += LINE_IN;
	fprintf(g, "set multiplot layout %d,%d", page ? 1 : npanel, page ? npanel : 1);
	if (tl)
		fprintf(g, " title %s%s font \",8\"", texpr, npanel > 1 ? ".\"\\n\"" : "");
	fprintf(g, "\n");
	const char *ylab[2] = {"misses per 1000 ops", "instructions per cycle"};
	for (int p = 0; p < npanel; p++) {
		fprintf(g, "set ylabel \"%s\"\n", ylab[p]);
		bars_data(&f, panels[p], 0, 0, panels[p]->cl.n);
		if (!hv[p]) {
			fprintf(g,
				"set xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
				"unset border\nunset grid\nunset ylabel\nset title S%d.\": NA\" "
				"font \",8\"\n"
				"set label 3 %s at graph 0.5, graph 0.5 center font \",7\"\n"
				"plot -1 notitle\nunset label 3\nunset title\nset xrange [*:*]\n"
				"set xtics\nset ytics\nset border 3\nset grid\nset autoscale\n",
				pb_fig_str(&f, npanel == 1 ? "counter rates" : ylab[p]), sna);
			continue;
		}
		/* events with no value at all: said in the panel */
		char nalist[256] = "";
		for (size_t e = 0; p == 0 && e < b.se.n; e++) {
			int some = 0;
			for (size_t k = 0; k < b.cl.n; k++)
				some |= isfinite(b.v[k * b.se.n + e]);
			if (!some)
				snprintf(nalist + strlen(nalist), sizeof(nalist) - strlen(nalist),
					 "%s%s", nalist[0] ? ", " : "NA here: ", b.se.v[e]);
		}
		if (nalist[0])
			fprintf(
			    g, "set label 4 S%d at graph 0.02, graph 0.97 left front font \",6\"\n",
			    pb_fig_str(&f, nalist));
		else
			fprintf(g, "unset label 4\n");
		int *st = series_titles(&f, &panels[p]->se);
		fprintf(g,
			"set tmargin %.2f\nset key outside top center horizontal maxcols %zu "
			"samplen 1.5 width %.2f font \",6\"\n",
			tmarg[p], per_row[p],
			key_width_fix(klong[p], 1.5, (double)klong[p] * CHAR6_PT + 22, 6));
		/* --logy and --ylim: the misses panel (IPC has other units);
		 * the two panels' y tic labels as wide, so that their plots
		 * line up (bars_figure) */
		if (p == 0) {
			bars_yaxis(&f, panels[p], 1, 0, panels[p]->cl.n, tc[0] < tc[1] ? tc[1] : 0);
		} else {
			bars_logy(&f, panels[p], 0, 0, panels[p]->cl.n, tc[1] < tc[0] ? tc[0] : 0);
			fprintf(g, "set yrange [0:*]\n");
		}
		bars_plot(&f, panels[p], 0, p, st);
		fprintf(g, "unset label 4\nunset label 5\n");
		free(st);
	}
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	bars_free(&b);
	bars_free(&ipc);
	return rc;
}

/* ---- several workloads or parameter lists in one folder (a suite's) ---- */
/* The workloads of the rows in order of first appearance, each with a
 * short tag for a key or a bar's label: its generator or trace format (the
 * spec up to ':'), numbered where two share one ("zipf #1", "zipf #2").
 * And the policies the rows hold with more than one parameter list
 * (2q:kin=0.1 beside 2q:kin=0.5).  Rows of different workloads or
 * parameters are never one point or one bar.  Built once per figure, over
 * one table or (machines) every machine's: wtags_add each, wtags_done. */
struct wtags {
	struct names spec;
	char **tag;	    /* tag[i]: spec.v[i]'s */
	struct names pp;    /* "policy\tparams" pairs seen */
	struct names multi; /* policies seen with several parameter lists */
};

static void wtags_add(struct wtags *w, const struct pb_csv *t)
{
	int cw = pb_csv_col(t, "workload"), cp = pb_csv_col(t, "policy"),
	    cq = pb_csv_col(t, "policy_params");
	for (size_t r = 0; r < t->nrows; r++) {
		if (cw >= 0)
			names_add(&w->spec, pb_csv_cell(t, r, cw));
		if (cp < 0)
			continue;
		const char *pol = pb_csv_cell(t, r, cp);
		char buf[512], *pair = buf; /* per row: the heap only for a long pair */
		int n =
		    snprintf(buf, sizeof(buf), "%s\t%s", pol, cq >= 0 ? pb_csv_cell(t, r, cq) : "");
		if (n < 0 ||
		    ((size_t)n >= sizeof(buf) &&
		     asprintf(&pair, "%s\t%s", pol, cq >= 0 ? pb_csv_cell(t, r, cq) : "") < 0))
			abort();
		if (names_find(&w->pp, pair) == (size_t)-1) {
			size_t kn = strlen(pol) + 1;
			for (size_t i = 0; i < w->pp.n; i++)
				if (!strncmp(w->pp.v[i], pair, kn))
					names_add(&w->multi, pol);
			names_add(&w->pp, pair);
		}
		if (pair != buf)
			free(pair);
	}
}

static void wtags_done(struct wtags *w)
{
	w->tag = calloc(w->spec.n + 1, sizeof(*w->tag));
	if (!w->tag)
		abort();
	for (size_t i = 0; i < w->spec.n; i++) {
		const char *s = w->spec.v[i];
		int kn = (int)strcspn(s, ":");
		unsigned same = 0, k = 0;
		for (size_t j = 0; j < w->spec.n; j++)
			if ((int)strcspn(w->spec.v[j], ":") == kn &&
			    !strncmp(w->spec.v[j], s, kn)) {
				same++;
				k += j <= i;
			}
		int rc = same > 1 ? asprintf(&w->tag[i], "%.*s #%u", kn, s, k)
				  : asprintf(&w->tag[i], "%.*s", kn, s);
		if (rc < 0)
			abort();
	}
}

static void wtags_init(struct wtags *w, const struct pb_csv *t)
{
	*w = (struct wtags){0};
	wtags_add(w, t);
	wtags_done(w);
}

/* Row r's tag: NULL while the rows share one workload. */
static const char *wtags_of(const struct wtags *w, const struct pb_csv *t, size_t r)
{
	if (w->spec.n < 2)
		return NULL;
	size_t i = names_find(&w->spec, pb_csv_get(t, r, "workload"));
	return i == (size_t)-1 ? NULL : w->tag[i];
}

/* Row r's policy as the figure names it: NAME, or NAME:PARAMS where the
 * rows hold NAME with several parameter lists.  Into out (len bytes). */
static const char *wtags_policy(const struct wtags *w, const struct pb_csv *t, size_t r, char *out,
				size_t len)
{
	const char *pol = pb_csv_get(t, r, "policy");
	if (names_find(&w->multi, pol) == (size_t)-1)
		snprintf(out, len, "%s", pol);
	else
		snprintf(out, len, "%s:%s", pol, pb_csv_get(t, r, "policy_params"));
	return out;
}

/* The tags' workloads in the figure's sidecar (NAME.txt). */
static void wtags_note(struct pb_fig *f, const struct wtags *w)
{
	for (size_t i = 0; w->spec.n > 1 && i < w->spec.n; i++) {
		size_t n = strlen(f->sources);
		snprintf(f->sources + n, sizeof(f->sources) - n, "    workload %s: %s\n", w->tag[i],
			 w->spec.v[i]);
	}
}

static void wtags_free(struct wtags *w)
{
	for (size_t i = 0; i < w->spec.n; i++)
		free(w->tag[i]);
	free(w->tag);
	names_free(&w->spec);
	names_free(&w->pp);
	names_free(&w->multi);
}

/* The series run r can draw under a name --order may give: into shown,
 * as its figures name them (summary.csv's, runs.csv's and latency.csv's
 * experiments; sim.csv's and mrc.csv's policies, with their parameter
 * list and workload tag where the figures add them), and into also the
 * other names a figure orders by (a kernel, a bare policy, a policy's
 * parameter list). */
static void run_series(const struct pb_plot_run *r, struct names *shown, struct names *also)
{
	const struct pb_csv *k[] = {&r->summary, &r->runs, &r->latency};
	for (size_t j = 0; j < PB_ARRAY_SIZE(k); j++) {
		int ck = pb_csv_col(k[j], "kernel");
		for (size_t i = 0; ck >= 0 && i < k[j]->nrows; i++) {
			names_add(shown, row_series(k[j], i));
			names_add(also, pb_csv_cell(k[j], i, ck));
		}
	}
	const struct pb_csv *p[] = {&r->sim, &r->mrc};
	for (size_t j = 0; j < PB_ARRAY_SIZE(p); j++) {
		const struct pb_csv *t = p[j];
		int cp = pb_csv_col(t, "policy"), cq = pb_csv_col(t, "policy_params");
		if (cp < 0 || !t->nrows)
			continue;
		struct wtags w;
		wtags_init(&w, t);
		for (size_t i = 0; i < t->nrows; i++) {
			char pol[512], *key;
			const char *wt = wtags_of(&w, t, i);
			/* as the mrc figure names its curves */
			if (asprintf(&key, "%s%s%s", wtags_policy(&w, t, i, pol, sizeof(pol)),
				     wt ? " " : "", wt ? wt : "") < 0)
				abort();
			names_add(shown, key);
			free(key);
			names_add(also, pb_csv_cell(t, i, cp));
			if (cq >= 0 && *pb_csv_cell(t, i, cq)) {
				if (asprintf(&key, "%s:%s", pb_csv_cell(t, i, cp),
					     pb_csv_cell(t, i, cq)) < 0)
					abort();
				names_add(also, key);
				free(key);
			}
		}
		wtags_free(&w);
	}
}

/*
 * --order: every name must name a series of the runs (pb_plot_order_match),
 * else -EDOM (the figure not drawn; exit 2), said once per call, on one line
 * with the runs' series.  A misspelt name ("arcc") was left out in silence,
 * its series with it, and the figure drawn without ARC.  Checked over all
 * the runs' files, not one figure's: --order kernel names a latency figure
 * has only some of are no error.
 */
static int order_check(struct pb_plot_ctx *c, const struct pb_plot_run *runs, size_t n)
{
	if (!c->o->norder || c->order_checked)
		return c->order_checked < 0 ? -EDOM : 0;
	struct names shown = {0}, also = {0};
	for (size_t m = 0; m < n; m++)
		run_series(&runs[m], &shown, &also);
	c->order_checked = 1;
	for (size_t k = 0; k < c->o->norder && c->order_checked > 0; k++) {
		const char *it = c->o->order[k];
		int hit = 0;
		for (size_t i = 0; i < shown.n && !hit; i++)
			hit = pb_plot_order_match(it, shown.v[i]);
		for (size_t i = 0; i < also.n && !hit; i++)
			hit = pb_plot_order_match(it, also.v[i]);
		if (hit)
			continue;
		struct pb_sb l = {0};
		for (size_t i = 0; i < shown.n; i++)
			pb_sb_printf(&l, "%s%s", i ? ", " : "", shown.v[i]);
		fprintf(stderr,
			"pagebench plot: --order: '%s' names no series of %s (%s series: %s)\n", it,
			n > 1 ? "these runs" : runs[0].dir, n > 1 ? "their" : "its",
			l.s ? l.s : "none");
		pb_sb_free(&l);
		c->order_checked = -1;
	}
	names_free(&shown);
	names_free(&also);
	return c->order_checked < 0 ? -EDOM : 0;
}

/* ---- sim.csv: faults and EAT ---- */
static const char *const sim_cfg_cols[] = {"prepage", "pt",  "threads", "order",
					   "hints",   "tlb", "backing"};

/* Cluster label: policy, the workload's tag (several) and the
 * configuration columns that vary. */
static void sim_cluster(const struct pb_csv *t, size_t r, const struct wtags *w, const int *vary,
			char *out, size_t len)
{
	const char *wt = wtags_of(w, t, r);
	char pol[512];
	size_t n = (size_t)snprintf(out, len, "%s%s%s", wtags_policy(w, t, r, pol, sizeof(pol)),
				    wt ? " " : "", wt ? wt : "");
	for (size_t i = 0; i < PB_ARRAY_SIZE(sim_cfg_cols) && n < len; i++)
		if (vary[i])
			n += (size_t)snprintf(out + n, len - n, " %s",
					      pb_csv_get(t, r, sim_cfg_cols[i]));
}

/* The most frame counts a sim bar figure draws, each a bar in every
 * cluster and an entry in the key, in 8 colours: 32 across a column are
 * a key as tall as a panel's bars (11 rows of 3 entries) over clusters of
 * bars under 3 pt; 301 (sim --frames 100-400) a key 14 inches tall over
 * bars of a pixel, which no reader can tell apart.  Such a run is a curve
 * against memory, which the bars are not. */
#define SIM_MAX_FRAME_COUNTS 32

/* sim.csv's frame counts, every one (a new array; *n of them), ascending */
static double *sim_frames(const struct pb_csv *t, size_t *n)
{
	double *fr = dalloc(t->nrows);
	int cf = pb_csv_col(t, "frames");
	*n = cf < 0 ? 0 : col_distinct(t, cf, fr, t->nrows);
	return fr;
}

/* sim.csv's frame counts, if a bar figure (kind) can draw them: 0, else
 * said on one line, with what to do, and -EDOM (exit 2, nothing of the
 * figure written; a fixed array of 256 dropped the 257th and on, in
 * silence, and exit 0). */
static int sim_frames_check(const struct pb_csv *t, const char *kind)
{
	size_t n;
	double *fr = sim_frames(t, &n);
	if (n > SIM_MAX_FRAME_COUNTS)
		fprintf(stderr,
			"pagebench plot: %s: sim.csv has %zu frame counts (%g to %g), a bar "
			"chart at most %d (a bar and a key entry each): sim fewer --frames "
			"(LO:HI:STEP), or draw the miss ratio curve with pagebench mrc "
			"--frames %g:%g:STEP and plot --kind mrc\n",
			kind, n, fr[0], fr[n - 1], SIM_MAX_FRAME_COUNTS, fr[0], fr[n - 1]);
	free(fr);
	return n > SIM_MAX_FRAME_COUNTS ? -EDOM : 0;
}

/* The bars of sim.csv's metric: a cluster per policy (and workload,
 * parameter list, varying configuration), a bar per frame count, each the
 * median over its repetitions (rows with valid=0 left out), as the sim
 * summary and the machines figure draw them; with device, of that
 * device's rows only, and a cluster the device has no row for is left out
 * (its empty slot read as a bar of 0).  reps: the fewest and most
 * repetitions a bar has (0, 0: none).  Returns whether any bar has a
 * value. */
/* A sim.csv row's bar (cluster * frame counts + frame count) and value */
struct bar_rep {
	size_t at;
	double v;
};

static int cmp_bar_rep(const void *a, const void *b)
{
	const struct bar_rep *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

static int sim_bars(struct pb_plot_ctx *c, struct pb_plot_run *r, const struct wtags *w,
		    const char *metric, const char *device, struct bars *b, size_t reps[2])
{
	const struct pb_csv *t = &r->sim;
	int vary[PB_ARRAY_SIZE(sim_cfg_cols)] = {0};
	for (size_t i = 0; i < PB_ARRAY_SIZE(sim_cfg_cols); i++)
		for (size_t row = 1; row < t->nrows; row++)
			if (strcmp(pb_csv_get(t, row, sim_cfg_cols[i]),
				   pb_csv_get(t, 0, sim_cfg_cols[i])))
				vary[i] = 1;
	struct names pol = {0};
	for (size_t row = 0; row < t->nrows; row++)
		names_add(&pol, pb_csv_get(t, row, "policy"));
	names_order(&pol, c->o);
	/* every frame count of the rows (a fixed 256 dropped the 257th and
	 * on, silently: --frames 100-400 drew 100 to 355) */
	size_t nfr;
	double *fr = sim_frames(t, &nfr);
	for (size_t j = 0; j < nfr; j++) {
		char s[64];
		snprintf(s, sizeof(s), "%g frames", fr[j]);
		names_add(&b->se, s);
	}
	/* clusters: policies in order, each with its varying configuration */
	for (size_t p = 0; p < pol.n; p++)
		for (size_t row = 0; row < t->nrows; row++)
			if (!strcmp(pb_csv_get(t, row, "policy"), pol.v[p]) &&
			    (!device || !strcmp(pb_csv_get(t, row, "device"), device))) {
				char cl[512];
				sim_cluster(t, row, w, vary, cl, sizeof(cl));
				names_add(&b->cl, cl);
			}
	bars_alloc(b);
	/* each row's bar and value, sorted by bar: a bar's repetitions side
	 * by side (one array of the rows, not one per bar) */
	struct bar_rep *rv = calloc(t->nrows + 1, sizeof(*rv));
	double *tmp = dalloc(t->nrows);
	if (!rv)
		abort();
	size_t nrv = 0;
	for (size_t row = 0; row < t->nrows; row++) {
		if (device && strcmp(pb_csv_get(t, row, "device"), device))
			continue;
		char cl[512];
		sim_cluster(t, row, w, vary, cl, sizeof(cl));
		size_t k = names_find(&b->cl, cl);
		double x = pb_plot_num(pb_csv_get(t, row, "frames"));
		size_t j = 0;
		while (j < nfr && fr[j] != x)
			j++;
		double v = pb_plot_num(pb_csv_get(t, row, metric));
		if (k == (size_t)-1 || j == nfr || !isfinite(v) ||
		    !strcmp(pb_csv_get(t, row, "valid"), "0"))
			continue;
		rv[nrv++] = (struct bar_rep){k * nfr + j, v};
	}
	qsort(rv, nrv, sizeof(*rv), cmp_bar_rep);
	reps[0] = reps[1] = 0;
	for (size_t i = 0, e; i < nrv; i = e) {
		size_t cnt = 0;
		for (e = i; e < nrv && rv[e].at == rv[i].at; e++)
			tmp[cnt++] = rv[e].v;
		/* the median, as sim_summary.csv's (the mean of a bimodal
		 * policy's repetitions was a rate none of them had) */
		b->v[rv[i].at] = median(tmp, cnt);
		reps[0] = !reps[0] || cnt < reps[0] ? cnt : reps[0];
		reps[1] = cnt > reps[1] ? cnt : reps[1];
	}
	free(rv);
	free(tmp);
	free(fr);
	names_free(&pol);
	return bars_any(b);
}

/* What a sim bar figure's bars are, for the note under its title: the
 * median of how many repetitions (NULL where every bar is one row). */
static const char *sim_reps_note(const size_t reps[2], char *out, size_t len)
{
	if (reps[1] < 2)
		return NULL;
	if (reps[0] == reps[1])
		snprintf(out, len, "median of %zu repetitions", reps[1]);
	else
		snprintf(out, len, "median of %zu-%zu repetitions", reps[0], reps[1]);
	return out;
}

/* "What: workload" shortened at a comma to fit the width (8 pt text);
 * several workloads: "What: N workloads (tag, tag, ...)", the tags that
 * fit (each one's spec is in the sidecar, wtags_note).  The whole title,
 * every tag or the whole spec, is the sidecar's: what is cut ("write=0.3")
 * may be all that tells two runs' figures apart. */
static void workload_title(struct pb_fig *f, const struct wtags *w, const char *what,
			   double room_in, char *out, size_t len)
{
	size_t fit = (size_t)(room_in * 72 / 4.6);
	struct pb_sb whole = {0};
	if (w->spec.n > 1) {
		pb_sb_printf(&whole, "%s: %zu workloads (", what, w->spec.n);
		for (size_t i = 0; i < w->spec.n; i++)
			pb_sb_printf(&whole, "%s%s", i ? ", " : "", w->tag[i]);
		pb_sb_put(&whole, ")");
		/* the tags that fit two lines, and ", ...)" after them (a cut
		 * after one line left "...)" alone on the next) */
		size_t n = (size_t)snprintf(out, len, "%s: %zu workloads (", what, w->spec.n);
		for (size_t i = 0; i < w->spec.n && n < len; i++) {
			const char *sep = i ? ", " : "";
			if (n + strlen(sep) + strlen(w->tag[i]) + (i + 1 < w->spec.n ? 6 : 1) >
				2 * fit - 8 &&
			    i) {
				n += (size_t)snprintf(out + n, len - n, ", ...");
				break;
			}
			n += (size_t)snprintf(out + n, len - n, "%s%s", sep, w->tag[i]);
		}
		if (n < len)
			snprintf(out + n, len - n, ")");
	} else {
		const char *wl = w->spec.n ? w->spec.v[0] : "";
		size_t n = strlen(wl), used = strlen(what) + 2;
		if (used + n > fit) {
			size_t cut = fit > used + 8 ? fit - used - 4 : 8;
			while (cut > 0 && cut < n && wl[cut] != ',')
				cut--;
			if (cut == 0)
				cut = n < 8 ? n : 8;
			n = cut;
		}
		snprintf(out, len, "%s: %.*s%s", what, (int)n, wl, n < strlen(wl) ? ",..." : "");
		pb_sb_printf(&whole, "%s: %s", what, wl);
	}
	if (!f->ctx->o->title)
		pb_fig_title(f, whole.s ? whole.s : out);
	pb_sb_free(&whole);
}

/* pb_fig_source, and the workloads' tags when there are several. */
static void fig_source_wl(struct pb_fig *f, const struct pb_plot_run *r, const char *file,
			  const struct wtags *w)
{
	pb_fig_source(f, r, file);
	wtags_note(f, w);
}

int pb_plot_faults(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	if (!r->has_sim || pb_csv_col(&r->sim, "fault_rate") < 0 ||
	    pb_csv_col(&r->sim, "policy") < 0)
		return 0;
	struct bars b = {0};
	struct wtags w;
	wtags_init(&w, &r->sim);
	int rc = sim_frames_check(&r->sim, "faults");
	size_t reps[2];
	if (rc || !sim_bars(c, r, &w, "fault_rate", NULL, &b, reps))
		goto out;
	struct pb_fig f;
	if ((rc = bars_ylim_check(c, &b, 1, "faults")) ||
	    (rc = pb_fig_begin(&f, c, "faults", is_page(&(struct pb_fig){.ctx = c}) ? 2.6 : 2.5)))
		goto out;
	fig_source_wl(&f, r, "sim.csv", &w);
	char tt[1024];
	workload_title(&f, &w, "Fault rate", c->o->width_in - 0.2, tt, sizeof(tt));
	const char *yl[] = {"faults per reference"};
	char note[64];
	/* fault rates: log only on --logy */
	bars_figure(&f, &b, 1,
		    &(struct bar_fig){tt, sim_reps_note(reps, note, sizeof(note)), yl, 0, 0, 1.65});
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	bars_free(&b);
	wtags_free(&w);
	return rc;
}

int pb_plot_eat(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	if (!r->has_sim || pb_csv_col(&r->sim, "eat_ns") < 0 || pb_csv_col(&r->sim, "policy") < 0)
		return 0;
	struct names dev = {0};
	for (size_t row = 0; row < r->sim.nrows; row++)
		names_add(&dev, pb_csv_get(&r->sim, row, "device"));
	struct bars *b = calloc(dev.n + 1, sizeof(*b));
	if (!b)
		abort();
	struct wtags w;
	wtags_init(&w, &r->sim);
	int rc = sim_frames_check(&r->sim, "eat"), any = 0;
	size_t reps[2] = {0, 0};
	for (size_t d = 0; !rc && d < dev.n; d++) {
		size_t dr[2];
		any |= sim_bars(c, r, &w, "eat_ns", dev.v[d], &b[d], dr);
		if (dr[1]) {
			reps[0] = !reps[0] || dr[0] < reps[0] ? dr[0] : reps[0];
			reps[1] = dr[1] > reps[1] ? dr[1] : reps[1];
		}
	}
	if (!any)
		goto out;
	struct pb_fig f;
	/* page width: panels side by side; column: stacked, lower when several */
	int page = is_page(&(struct pb_fig){.ctx = c});
	if ((rc = bars_ylim_check(c, b, dev.n, "eat")) || (rc = pb_fig_begin(&f, c, "eat", 2.5)))
		goto out;
	fig_source_wl(&f, r, "sim.csv", &w);
	char tt[1024];
	workload_title(&f, &w, "Effective access time", c->o->width_in - 0.2, tt, sizeof(tt));
	char **yl = calloc(dev.n + 1, sizeof(*yl));
	if (!yl)
		abort();
	for (size_t d = 0; d < dev.n; d++)
		if (asprintf(&yl[d], "EAT (ns), device %s", dev.v[d]) < 0)
			abort();
	char note[64];
	bars_figure(&f, b, dev.n,
		    &(struct bar_fig){tt, sim_reps_note(reps, note, sizeof(note)),
				      (const char *const *)yl, 0, 1,
				      page || dev.n < 2 ? 1.65 : 1.2});
	for (size_t d = 0; d < dev.n; d++)
		free(yl[d]);
	free(yl);
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	for (size_t d = 0; d < dev.n; d++)
		bars_free(&b[d]);
	free(b);
	names_free(&dev);
	wtags_free(&w);
	return rc;
}

/* ---- mrc.csv ---- */
#define OPT_TITLE "OPT (offline bound)"
static double page_size_of(const char *workload)
{
	const char *p = strstr(workload, "page=");
	while (p && p != workload && p[-1] != ',' && p[-1] != ':')
		p = strstr(p + 1, "page=");
	double v = p ? pb_plot_num(strndupa(p + 5, strcspn(p + 5, ","))) : NAN;
	return isfinite(v) && v > 0 ? v : 4096;
}

int pb_plot_mrc(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	const struct pb_csv *t = &r->mrc;
	int cp = pb_csv_col(t, "policy"), cf = pb_csv_col(t, "frames"),
	    cm = pb_csv_col(t, "miss_ratio");
	if (!r->has_mrc || cp < 0 || cf < 0 || cm < 0 || !t->nrows)
		return 0;
	/* a curve per policy, and per workload where the folder has several */
	struct wtags w;
	wtags_init(&w, t);
	char **key = calloc(t->nrows + 1, sizeof(*key));
	if (!key)
		abort();
	for (size_t i = 0; i < t->nrows; i++) {
		const char *wt = wtags_of(&w, t, i);
		char pol[512];
		if (asprintf(&key[i], "%s%s%s", wtags_policy(&w, t, i, pol, sizeof(pol)),
			     wt ? " " : "", wt ? wt : "") < 0)
			abort();
	}
	struct names pol = {0};
	for (size_t i = 0; i < t->nrows; i++)
		names_add(&pol, key[i]);
	names_order(&pol, c->o);
	double *fr = dalloc(t->nrows);
	size_t nfr = col_distinct(t, cf, fr, t->nrows);
	double *v = dalloc(nfr * pol.n), *e = dalloc(nfr * pol.n);
	/* mrc --sample: a policy's estimated rows (sample_rate < 1) get their
	 * err_est as error bars; NA rows (scaled size below --sample-min) are
	 * counted, and said, not dropped in silence */
	int cs = pb_csv_col(t, "sample_rate"), ce = pb_csv_col(t, "err_est");
	int *sampled = calloc(pol.n + 1, sizeof(int)), *nna = calloc(pol.n + 1, sizeof(int));
	if (!sampled || !nna)
		abort();
	int any_sampled = 0, any_na = 0;
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		size_t p = names_find(&pol, key[i]);
		double x = pb_plot_num(pb_csv_cell(t, i, cf)),
		       y = pb_plot_num(pb_csv_cell(t, i, cm));
		if (p == (size_t)-1)
			continue;
		double rate = cs >= 0 ? pb_plot_num(pb_csv_cell(t, i, cs)) : NAN;
		if (isfinite(rate) && rate < 1)
			any_sampled = sampled[p] = 1;
		if (!isfinite(y))
			any_na = ++nna[p];
		for (size_t j = 0; j < nfr; j++)
			if (fr[j] == x) {
				v[j * pol.n + p] = y;
				e[j * pol.n + p] =
				    ce >= 0 ? pb_plot_num(pb_csv_cell(t, i, ce)) : NAN;
				if (y > 0) {
					lo = fmin(lo, y);
					hi = fmax(hi, y);
				}
			}
	}
	int rc = 0;
	if (!(hi > 0) || !pol.n)
		goto out;
	struct pb_fig f;
	int page = is_page(&(struct pb_fig){.ctx = c});
	if ((rc = ylim_check(c, "mrc", 0, 0, 1, v, nfr * pol.n)) ||
	    (rc = pb_fig_begin(&f, c, "mrc", page ? 3.0 : 3.1)))
		goto out;
	fig_source_wl(&f, r, "mrc.csv", &w);
	pb_fig_styles(&f);
	for (size_t j = 0; j < nfr; j++) {
		pb_fig_dat_num(&f, fr[j]);
		for (size_t p = 0; p < pol.n; p++) {
			fputc('\t', f.dat);
			pb_fig_dat_num(&f, v[j * pol.n + p]);
			fputc('\t', f.dat);
			pb_fig_dat_num(&f, isfinite(e[j * pol.n + p]) ? e[j * pol.n + p] : 0);
		}
		fputc('\n', f.dat);
	}
	char tt[1024];
	/* the title is centred over the plot: its room is the width less the
	 * margins, and across a page less the key outside on the right */
	double room = page ? c->o->width_in - 2.2 : c->o->width_in - 0.6;
	workload_title(&f, &w, "Miss ratio", room, tt, sizeof(tt));
	if (!any_sampled && !any_na) {
		fig_title(&f, tt, room, 1);
	} else {
		/* the title, what the error bars are, and which points are NA */
		char expr[2048] = "", na[1024] = "", wrapped[512];
		int lines =
		    title_expr(&f, tt, any_sampled ? "sampled: error bars are +-err_est" : NULL,
			       room, expr, sizeof(expr));
		size_t n = strlen(expr);
		int same = 1; /* every policy with NA rows has as many */
		for (size_t p = 0; p < pol.n; p++)
			same &= !nna[p] || nna[p] == any_na;
		for (size_t p = 0, k = 0; any_na && p < pol.n; p++)
			if (nna[p] && k < sizeof(na))
				k += (size_t)snprintf(na + k, sizeof(na) - k,
						      same ? "%s%s" : "%s%s %d", k ? ", " : "",
						      pol.v[p], nna[p]);
		if (any_na) {
			char line[1200];
			if (same)
				snprintf(line, sizeof(line),
					 "NA (not drawn): %s at %d of %zu sizes", na, any_na, nfr);
			else
				snprintf(line, sizeof(line), "NA (not drawn) of %zu sizes: %s", nfr,
					 na);
			lines += str_lines(&f, line, (size_t)(c->o->width_in * 72 / 4.4), 64,
					   wrapped, sizeof(wrapped));
			snprintf(expr + n, sizeof(expr) - n, "%s%s", n ? ".\"\\n\"." : "", wrapped);
		}
		fprintf(f.gp, "set title %s font \",8\"\n", expr);
		/* the plot keeps its height: the figure grows by the lines added */
		f.height_in += (lines > 1 ? lines - 1 : 0) * LINE_IN;
	}
	double ps = page_size_of(pb_csv_get(t, 0, "workload"));
	FILE *g = f.gp;
	if (c->o->logx)
		fprintf(g, "set logscale x 10\n");
	fprintf(g,
		"set xlabel \"memory (frames)\"\nset ylabel \"miss ratio\"\n"
		"set x2label \"memory (MiB, %g KiB pages)\"\n"
		"set x2tics font \",7\"\nset xtics nomirror font \",7\"\nset ytics font \",7\"\n"
		"set border 7 lw 0.8\n",
		ps / 1024);
	if (c->o->logx) { /* a log axis cannot be linked: the same range, scaled */
		/* one size: a range around it (gnuplot refuses an empty one) */
		double x0 = fr[0], x1 = fr[nfr - 1];
		if (!(x1 > x0)) {
			x0 /= 1.5;
			x1 *= 1.5;
		}
		fprintf(g,
			"set xrange [%.17g:%.17g]\nset x2range [%.17g:%.17g]\nset logscale x2 10\n",
			x0, x1, x0 * ps / 1048576.0, x1 * ps / 1048576.0);
		/* labels enough to read a value off (gnuplot's decades left one)
		 * on the plot's width: the title's room less 18 pt, measured
		 * across a column (176 pt of 3.3 in); across a page a key
		 * narrower than the room left for it widens the plot, so the
		 * labels are fewer than would fit, never more */
		double plot_pt = room * 72 - 18;
		log_tics(g, "xtics", "nomirror font \",7\"", x0, x1, plot_pt);
		log_tics(g, "x2tics", "font \",7\"", x0 * ps / 1048576.0, x1 * ps / 1048576.0,
			 plot_pt);
	} else
		fprintf(g, "set link x2 via x*%.17g/1048576.0 inverse x*1048576.0/%.17g\n", ps, ps);
	if (!c->o->logx) {
		int want = page ? 8 : 4;
		fprintf(g, "set xtics %.17g\nset x2tics %.17g\n", nice_step(fr[nfr - 1], want),
			nice_step(fr[nfr - 1] * ps / 1048576.0, want));
	}
	size_t opt = names_find(&pol, "opt");
	if (page)
		fprintf(g, "set key outside right top vertical Left reverse samplen 3 spacing 0.85 "
			   "font \",7\"\n");
	else {
		/* below the plot, in as many columns as the names fit (at most
		 * 4); the figure grows by the rows beyond two, so that the plot
		 * keeps its height (17 curves' key took half the figure) */
		size_t longest = opt != (size_t)-1 ? strlen(OPT_TITLE) : 1;
		for (size_t p = 0; p < pol.n; p++)
			if (p != opt && strlen(pol.v[p]) > longest)
				longest = strlen(pol.v[p]);
		size_t kc = (size_t)fmax(1, fmin(4, floor((c->o->width_in * 72 - 10) /
							  ((double)longest * CHAR7_PT + 26))));
		size_t krows = (pol.n + kc - 1) / kc;
		f.height_in += (krows > 2 ? (double)(krows - 2) : 0) * KEYROW_IN * 0.85;
		fprintf(g,
			"set key below horizontal Left reverse maxcols %zu samplen 3 spacing 0.85 "
			"height 0.6 width %.2f font \",7\"\n",
			kc, key_width_fix(longest, 3, (double)longest * CHAR7_PT + 26, 7));
	}
	int logy = c->o->logy || (!c->o->ylim && hi / lo > 10);
	if (logy)
		fprintf(g, "set logscale y 10\n");
	size_t nz = 0; /* a log axis has no place for a miss ratio of 0 */
	for (size_t i = 0; logy && i < nfr * pol.n; i++)
		nz += isfinite(v[i]) && v[i] <= 0;
	if (nz)
		fprintf(g,
			"set label 5 \"%zu point%s of 0 not drawn (log y)\" at graph 0.98, "
			"graph 0.97 right front font \",6\"\n",
			nz, nz == 1 ? "" : "s");
	ylim(&f, logy ? NULL : "[0:*]");
	fprintf(g, "plot");
	/* OPT first: drawn under the others, first in the key */
	int first = 1, style = 0;
	if (opt != (size_t)-1) {
		if (sampled[opt])
			fprintf(g, " '%s.dat' using 1:%zu:%zu with yerrorlines ls %d title S%d",
				f.name, 2 * opt + 2, 2 * opt + 3, PB_LS_OPT,
				pb_fig_str(&f, OPT_TITLE));
		else
			fprintf(g, " '%s.dat' using 1:%zu with lines ls %d title S%d", f.name,
				2 * opt + 2, PB_LS_OPT, pb_fig_str(&f, OPT_TITLE));
		first = 0;
	}
	for (size_t p = 0; p < pol.n; p++) {
		if (p == opt)
			continue;
		if (sampled[p])
			fprintf(g, "%s '%s.dat' using 1:%zu:%zu with yerrorlines ls %d title S%d",
				first ? " " : ", \\\n    ", f.name, 2 * p + 2, 2 * p + 3,
				style % 17 + 1, pb_fig_str(&f, pol.v[p]));
		else
			fprintf(g,
				"%s '%s.dat' using 1:%zu with linespoints ls %d pointinterval %d "
				"title S%d",
				first ? " " : ", \\\n    ", f.name, 2 * p + 2, style % 17 + 1,
				nfr > 24 ? 2 : 1, pb_fig_str(&f, pol.v[p]));
		style++;
		first = 0;
	}
	fputc('\n', g);
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	free(fr);
	free(v);
	free(e);
	free(sampled);
	free(nna);
	names_free(&pol);
	for (size_t i = 0; i < t->nrows; i++)
		free(key[i]);
	free(key);
	wtags_free(&w);
	return rc;
}

/* ---- latency.csv ---- */
/* A latency CDF's series: the row's experiment (kernel:params, so that
 * two experiments of one kernel are two curves) where latency.csv has
 * one, else its kernel; and its thread count. */
static void lat_series(const struct pb_csv *t, size_t row, char *out, size_t len)
{
	const char *e = pb_csv_col(t, "experiment") >= 0 ? pb_csv_get(t, row, "experiment") : "";
	snprintf(out, len, "%s, %s thr", *e && strcmp(e, "NA") ? e : pb_csv_get(t, row, "kernel"),
		 pb_csv_get(t, row, "threads"));
}

/* A latency series' key lines where its name (lat_series) is longer than
 * maxc: "kernel, N thr", then the params, two spaces in, broken after a
 * ',' (else at maxc); f NULL: only counted, else the first line into
 * first and the others as key lines.  Returns the lines. */
static int lat_key_lines(struct pb_fig *f, const char *name, size_t maxc, char *first, size_t len)
{
	const char *colon = strchr(name, ':'), *thr = strrchr(name, ',');
	if (strlen(name) <= maxc || !colon || !thr || thr < colon) {
		snprintf(first, len, "%s", name);
		return 1;
	}
	snprintf(first, len, "%.*s%s", (int)(colon - name), name, thr);
	int lines = 1;
	for (const char *q = colon + 1; q < thr; lines++) {
		size_t room = maxc - 2, l = (size_t)(thr - q);
		if (l > room)
			l = cut_after(q, room, ",");
		if (f) {
			char line[600];
			snprintf(line, sizeof(line), "  %.*s", (int)l, q);
			fprintf(f->gp, ", keyentry title S%d", pb_fig_str(f, line));
		}
		q += l;
	}
	return lines;
}

int pb_plot_latency(struct pb_plot_ctx *c, struct pb_plot_run *r)
{
	int oc = order_check(c, r, 1); /* --order names no series: said once */
	if (oc)
		return oc;
	const struct pb_csv *t = &r->latency;
	int ck = pb_csv_col(t, "kernel"), cth = pb_csv_col(t, "threads"),
	    chi = pb_csv_col(t, "bucket_ns_hi"), cn = pb_csv_col(t, "count");
	if (!r->has_latency || ck < 0 || cth < 0 || chi < 0 || cn < 0 || !t->nrows)
		return 0;
	struct names ser = {0}, kern = {0};
	for (size_t i = 0; i < t->nrows; i++)
		names_add(&kern, pb_csv_cell(t, i, ck));
	names_order(&kern, c->o);
	for (size_t k = 0; k < kern.n; k++)
		for (size_t i = 0; i < t->nrows; i++)
			if (!strcmp(pb_csv_cell(t, i, ck), kern.v[k])) {
				char s[512];
				lat_series(t, i, s, sizeof(s));
				names_add(&ser, s);
			}
	int rc = 0;
	struct pb_fig f;
	if (!ser.n || (rc = pb_fig_begin(&f, c, "latency", 2.5)))
		goto out;
	pb_fig_source(&f, r, "latency.csv");
	pb_fig_styles(&f);
	fig_title(&f, "Fault latency (CDF)", c->o->width_in - 0.6, 1);
	/* the key under the plot: two columns where the names fit them, else
	 * one; a name longer than the figure is broken (at a space, else
	 * after a ',') onto indented key lines of its own (a long experiment,
	 * kernel:params, ran off the figure); the figure grows by the rows
	 * beyond two, so the plot keeps its height */
	double room = c->o->width_in * 72 - 20, extra = 26 + 1.5 * 4.45; /* samplen 3 */
	size_t longest = 1, maxc = (size_t)fmax(12, (room - extra) / CHAR7_PT);
	for (size_t s = 0; s < ser.n; s++)
		longest = strlen(ser.v[s]) > longest ? strlen(ser.v[s]) : longest;
	longest = longest > maxc ? maxc : longest;
	double col = (double)longest * CHAR7_PT + extra;
	int kc = 2 * col <= room ? 2 : 1;
	size_t krows = 0;
	char first[600];
	for (size_t s = 0; s < ser.n && kc == 1; s++)
		krows += (size_t)lat_key_lines(NULL, ser.v[s], maxc, first, sizeof(first));
	if (kc == 2)
		krows = (ser.n + 1) / 2;
	f.height_in += (krows > 2 ? (double)(krows - 2) : 0) * KEYROW_IN;
	fprintf(f.gp,
		"set xlabel \"latency (ns)\"\nset ylabel \"fraction of faults <= x\"\n"
		"set logscale x 10\nset format x \"1e%%T\"\nset yrange [0:1]\n"
		"set key below horizontal Left reverse maxcols %d height 1 width %.2f font \",7\" "
		"samplen 3\n",
		kc, key_width_fix(longest, 3, col, 7));
	fprintf(f.gp, "plot");
	double *x = dalloc(t->nrows), *n = dalloc(t->nrows);
	for (size_t s = 0; s < ser.n; s++) {
		size_t m = 0;
		double tot = 0;
		for (size_t i = 0; i < t->nrows; i++) {
			char sn[512];
			lat_series(t, i, sn, sizeof(sn));
			if (strcmp(sn, ser.v[s]))
				continue;
			x[m] = pb_plot_num(pb_csv_cell(t, i, chi));
			n[m] = pb_plot_num(pb_csv_cell(t, i, cn));
			if (isfinite(n[m]) && isfinite(x[m]))
				tot += n[m++];
		}
		/* buckets ascending (insertion sort: few buckets) */
		for (size_t a = 1; a < m; a++)
			for (size_t b2 = a; b2 > 0 && x[b2 - 1] > x[b2]; b2--) {
				double tx = x[b2], tn = n[b2];
				x[b2] = x[b2 - 1];
				n[b2] = n[b2 - 1];
				x[b2 - 1] = tx;
				n[b2 - 1] = tn;
			}
		double cum = 0, lo0 = NAN;
		int clo = pb_csv_col(t, "bucket_ns_lo");
		for (size_t i = 0; i < t->nrows && clo >= 0; i++) {
			char sn[512];
			lat_series(t, i, sn, sizeof(sn));
			double l = pb_plot_num(pb_csv_cell(t, i, clo));
			if (!strcmp(sn, ser.v[s]) && l > 0 && !(l >= lo0))
				lo0 = l;
		}
		if (isfinite(lo0)) { /* the CDF starts at 0 at the lowest bucket's floor */
			pb_fig_dat_num(&f, lo0);
			fputs("\t0\n", f.dat);
		}
		for (size_t a = 0; a < m; a++) {
			cum += n[a];
			pb_fig_dat_num(&f, x[a]);
			fputc('\t', f.dat);
			pb_fig_dat_num(&f, tot > 0 ? cum / tot : NAN);
			fputc('\n', f.dat);
		}
		fputs("\n\n", f.dat);
		/* the name's first line titles the curve, the rest are key
		 * lines of their own */
		lat_key_lines(NULL, ser.v[s], kc == 1 ? maxc : (size_t)-1 / 2, first,
			      sizeof(first));
		fprintf(f.gp, "%s '%s.dat' index %zu using 1:2 with steps ls %zu title S%d",
			s ? ", \\\n    " : " ", f.name, s, s % 17 + 1, pb_fig_str(&f, first));
		if (kc == 1)
			lat_key_lines(&f, ser.v[s], maxc, first, sizeof(first));
	}
	free(x);
	free(n);
	fputc('\n', f.gp);
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	names_free(&ser);
	names_free(&kern);
	return rc;
}

/* ---- machines side by side ---- */
/* The runs' labels as series names, made unique ("vm", "vm (2)"); with
 * rt, each followed by its machine's cache-line round trip between CPUs
 * where meta.json has it ("vm, 55 ns": what a second thread's shared
 * lines cost there, which a scaling line depends on; "vm, 312 ns (end
 * probe)" where the start's probe failed, as compare --machines says).
 * Returns how many names have one. */
static size_t machine_names(const struct pb_plot_run *runs, size_t n, struct names *se, int rt)
{
	struct names base = {0};
	size_t with = 0;
	for (size_t i = 0; i < n; i++) {
		char lab[160], full[224];
		pb_name_unique(lab, sizeof(lab), runs[i].label, base.v, base.n);
		names_add(&base, lab);
		if (rt && !isnan(runs[i].round_trip_ns)) {
			snprintf(full, sizeof(full), "%s, %.0f ns%s", lab, runs[i].round_trip_ns,
				 runs[i].round_trip_end ? " (end probe)" : "");
			with++;
		} else {
			snprintf(full, sizeof(full), "%s", lab);
		}
		names_add(se, full);
	}
	names_free(&base);
	return with;
}

int pb_plot_machines(struct pb_plot_ctx *c, struct pb_plot_run *runs, size_t n)
{
	int oc = order_check(c, runs, n); /* --order names no series: said once */
	if (oc)
		return oc;
	int all_summary = 1, all_sim = 1;
	for (size_t i = 0; i < n; i++) {
		all_summary &= runs[i].has_summary;
		all_sim &= runs[i].has_sim;
	}
	if (n < 2 || (!all_summary && !all_sim))
		return 0;
	struct bars b = {0};
	machine_names(runs, n, &b.se, 0);
	const char *metric = all_summary ? "median_ns_per_op" : "accesses_per_s";
	const char *lo = all_summary ? "ci95_lo_ns_per_op" : NULL,
		   *hi = all_summary ? "ci95_hi_ns_per_op" : NULL;
	int nvalid = 0, ninvalid = 0;
	/* one thread count for every machine: the smallest (1 where measured) */
	double thr = INFINITY;
	for (size_t m = 0; m < n && all_summary; m++)
		for (size_t row = 0; row < runs[m].summary.nrows; row++)
			thr = fmin(thr, pb_plot_num(pb_csv_get(&runs[m].summary, row, "threads")));
	/* a machine that did not measure it has no bars: said (it was left
	 * out of the figure without a word) */
	for (size_t m = 0; m < n && all_summary; m++) {
		const struct pb_csv *t = &runs[m].summary;
		size_t row = 0;
		while (row < t->nrows &&
		       !(is_total(t, row) && pb_plot_num(pb_csv_get(t, row, "threads")) == thr))
			row++;
		if (row == t->nrows)
			fprintf(stderr,
				"pagebench plot: machines: %s has no rows at %g thread(s), the "
				"smallest any machine measured: it has no bars (run it with "
				"--threads %g too)\n",
				b.se.v[m], thr, thr);
	}
	/* sim: a bar per policy (with its parameters where they vary),
	 * workload (several), varying configuration and frames, as in the
	 * faults figure but over every machine's rows: rows of two workloads
	 * were one bar */
	struct wtags w = {0};
	int vary[PB_ARRAY_SIZE(sim_cfg_cols)] = {0};
	for (size_t m = 0; m < n && !all_summary; m++) {
		const struct pb_csv *t = &runs[m].sim, *t0 = &runs[0].sim;
		wtags_add(&w, t);
		for (size_t i = 0; i < PB_ARRAY_SIZE(sim_cfg_cols) && t0->nrows; i++)
			for (size_t row = 0; row < t->nrows; row++)
				if (strcmp(pb_csv_get(t, row, sim_cfg_cols[i]),
					   pb_csv_get(t0, 0, sim_cfg_cols[i])))
					vary[i] = 1;
	}
	wtags_done(&w);
	/* sim: every repetition's rate per (bar, machine), drawn as their
	 * median with the min-max as the interval (a bar was the last row's) */
	double **reps = NULL;
	size_t *nreps = NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t m = 0; m < n; m++) {
			const struct pb_csv *t = all_summary ? &runs[m].summary : &runs[m].sim;
			for (size_t row = 0; row < t->nrows; row++) {
				if (all_summary &&
				    (!is_total(t, row) ||
				     pb_plot_num(pb_csv_get(t, row, "threads")) != thr))
					continue;
				const char *name =
				    all_summary ? row_series(t, row) : pb_csv_get(t, row, "policy");
				if (c->o->norder && pb_plot_order_rank(c->o, name) < 0)
					continue;
				if (all_summary && !c->o->norder && is_baseline_only(t, name))
					continue;
				char cl[600];
				/* the experiment: one kernel with other params on
				 * another machine is not the same bar */
				if (all_summary) {
					snprintf(cl, sizeof(cl), "%s", name);
				} else {
					sim_cluster(t, row, &w, vary, cl, sizeof(cl) - 32);
					size_t k = strlen(cl);
					snprintf(cl + k, sizeof(cl) - k, " %s fr",
						 pb_csv_get(t, row, "frames"));
				}
				if (pass == 0) {
					names_add(&b.cl, cl);
					continue;
				}
				size_t k = names_find(&b.cl, cl);
				size_t at = k * n + m;
				b.why[at] = BAR_NO_VALID; /* a row; its value may be NA */
				if (!all_summary) {
					double v = pb_plot_num(pb_csv_get(t, row, metric));
					if (isfinite(v) &&
					    strcmp(pb_csv_get(t, row, "valid"), "0")) {
						if (!reps[at])
							reps[at] = dalloc(t->nrows);
						reps[at][nreps[at]++] = v;
					}
					continue;
				}
				b.v[at] = pb_plot_num(pb_csv_get(t, row, metric));
				if (lo) {
					b.lo[at] = pb_plot_num(pb_csv_get(t, row, lo));
					b.hi[at] = pb_plot_num(pb_csv_get(t, row, hi));
					if (!strcmp(pb_csv_get(t, row, "ci95_valid"), "1"))
						nvalid++;
					else
						ninvalid++;
				}
			}
		}
		if (pass == 0) {
			bars_alloc(&b);
			reps = calloc(b.cl.n * n + 1, sizeof(*reps));
			nreps = calloc(b.cl.n * n + 1, sizeof(*nreps));
			if (!reps || !nreps)
				abort();
		}
	}
	/* a machine without a row for a bar another one has: "not run" at its
	 * slot (an empty slot beside the others' bars read as 0) */
	for (size_t at = 0; at < b.cl.n * n; at++)
		if (!b.why[at])
			b.why[at] = BAR_NOT_RUN;
	size_t most_reps = 0;
	for (size_t at = 0; !all_summary && at < b.cl.n * n; at++) {
		if (!nreps[at])
			continue;
		most_reps = nreps[at] > most_reps ? nreps[at] : most_reps;
		b.v[at] = median(reps[at], nreps[at]); /* sorts them */
		b.lo[at] = reps[at][0];
		b.hi[at] = reps[at][nreps[at] - 1];
	}
	for (size_t at = 0; reps && at < b.cl.n * n; at++)
		free(reps[at]);
	free(reps);
	free(nreps);
	int err = all_summary || most_reps > 1;
	int rc = 0;
	if (!bars_any(&b))
		goto out;
	struct pb_fig f;
	if ((rc = bars_ylim_check(c, &b, 1, "machines")) ||
	    (rc = pb_fig_begin(&f, c, "machines", is_page(&(struct pb_fig){.ctx = c}) ? 2.8 : 2.6)))
		goto out;
	for (size_t m = 0; m < n; m++)
		pb_fig_source(&f, &runs[m], all_summary ? "summary.csv" : "sim.csv");
	wtags_note(&f, &w);
	char tt[128];
	snprintf(tt, sizeof(tt), "Cost per operation, %g thread%s (median)", thr,
		 thr == 1 ? "" : "s");
	const char *yl[] = {all_summary ? "ns per operation" : "references per second"};
	bars_figure(&f, &b, 1,
		    &(struct bar_fig){lo    ? tt
				      : err ? "Simulator throughput by machine (median)"
					    : "Simulator throughput by machine",
				      lo    ? ci_note(nvalid, ninvalid)
				      : err ? "error bars: min-max over repetitions"
					    : NULL,
				      yl, err, 1, 1.8});
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	bars_free(&b);
	wtags_free(&w);
	return rc;
}

/* ---- machines side by side: throughput against threads ---- */
int pb_plot_machines_scaling(struct pb_plot_ctx *c, struct pb_plot_run *runs, size_t n)
{
	int oc = order_check(c, runs, n); /* --order names no series: said once */
	if (oc)
		return oc;
	if (n < 2)
		return 0;
	for (size_t m = 0; m < n; m++)
		if (!runs[m].has_summary || pb_csv_col(&runs[m].summary, "median_ops_per_s") < 0 ||
		    pb_csv_col(&runs[m].summary, "threads") < 0)
			return 0;
	/* the experiments (baselines left out unless --order asks), and
	 * whether any machine measured more than one thread count */
	struct names ex = {0}, se = {0};
	double maxthr = 1, minthr = INFINITY;
	int nvalid = 0, ninvalid = 0;
	for (size_t m = 0; m < n; m++) {
		const struct pb_csv *t = &runs[m].summary;
		for (size_t i = 0; i < t->nrows; i++) {
			const char *name = row_series(t, i);
			if (!is_total(t, i) || (!c->o->norder && is_baseline_only(t, name)))
				continue;
			names_add(&ex, name);
			double th = pb_plot_num(pb_csv_get(t, i, "threads"));
			maxthr = fmax(maxthr, th);
			minthr = fmin(minthr, th);
			if (!strcmp(pb_csv_get(t, i, "ci95_valid"), "1"))
				nvalid++;
			else
				ninvalid++;
		}
	}
	names_order(&ex, c->o);
	int rc = 0;
	if (!ex.n || maxthr <= minthr)
		goto out;
	/* an experiment every machine measured at one thread count (the
	 * same one) has no line to draw: left out, and said (its panel was a
	 * lone point per machine) */
	{
		struct names keep = {0};
		for (size_t e = 0; e < ex.n; e++) {
			double t0 = NAN;
			int more = 0;
			for (size_t m = 0; m < n; m++)
				for (size_t i = 0; i < runs[m].summary.nrows; i++) {
					const struct pb_csv *t = &runs[m].summary;
					if (!is_total(t, i) || strcmp(row_series(t, i), ex.v[e]))
						continue;
					double th = pb_plot_num(pb_csv_get(t, i, "threads"));
					more |= !isnan(t0) && th != t0;
					t0 = isnan(t0) ? th : t0;
				}
			if (more)
				names_add(&keep, ex.v[e]);
			else
				fprintf(stderr,
					"pagebench plot: machines-scaling: %s was measured at one "
					"thread count only: not drawn\n",
					ex.v[e]);
		}
		names_free(&ex);
		ex = keep;
	}
	if (!ex.n)
		goto out;
	size_t with_rt = machine_names(runs, n, &se, 1);
	int page = is_page(&(struct pb_fig){.ctx = c});
	int cols = panel_cols(page, ex.n), rows = (int)((ex.n + (size_t)cols - 1) / (size_t)cols);
	/* names with their round trip are too wide for the key's row, which
	 * gnuplot fits into one panel's width: one machine a line, each line
	 * of the key an empty line of the title (0.125 in at its font) */
	int keylines = with_rt ? (int)n : 1;
	/* across a column, the round trip's note takes a line of its own:
	 * after the error bars' it ran past the figure's edges */
	int split = with_rt && !page;
	double panel_h = fmin(1.8, c->o->width_in / cols * 0.8),
	       top = 0.62 + 0.125 * (keylines - 1 + split), height = rows * panel_h + top;
	struct pb_fig f;
	if ((rc = pb_fig_begin(&f, c, "machines-scaling", height)))
		goto out;
	for (size_t m = 0; m < n; m++)
		pb_fig_source(&f, &runs[m], "summary.csv");
	pb_fig_styles(&f);
	FILE *g = f.gp;
	/* the title wrapped (its lines beyond one make the figure higher and
	 * move the key down) */
	char texpr[2048];
	int tl = title_expr(&f, "Throughput by machine (median, log scales)", NULL,
			    c->o->width_in - 0.2, texpr, sizeof(texpr));
	if (!tl)
		snprintf(texpr, sizeof(texpr), "\" \"");
	int tx = tl > 1 ? tl - 1 : 0; /* title lines beyond one */
	height += tx * 0.125;
	f.height_in = height;
	/* the machines' key at the top, over every panel, in the room of the
	 * title's third, empty line; then the panels */
	fprintf(g, "set multiplot layout %d,%d title %s.\"\\n(%s%s)", rows, cols, texpr,
		ci_note_short(nvalid, ninvalid, with_rt),
		!with_rt ? ""
		: split	 ? ")\\n(ns: CPU-to-CPU round trip"
			 : "; ns: CPU-to-CPU round trip");
	for (int k = 0; k < keylines; k++)
		fprintf(g, "\\n");
	fprintf(g, "\" font \",8\"\n");
	fprintf(g,
		"set logscale x 2\nset logscale y 10\nset xrange [%g:%g]\n"
		"set xtics nomirror font \",6\"\nset ytics nomirror font \",6\" format \"1e%%T\"\n"
		"set xlabel \"threads\" font \",6\" offset 0,0.9\n"
		/* placed by gnuplot, left of the tic labels: an offset of
		 * 2.2 characters to the right drew it over "1e8" */
		"set ylabel \"ops/s\" font \",6\"\n",
		minthr / 1.2, maxthr * 1.2);
	int block = 0;
	for (size_t e = 0; e < ex.n; e++) {
		fprintf(g, "set title ");
		char sv[16];
		snprintf(sv, sizeof(sv), "S%d", pb_fig_str(&f, ex.v[e]));
		gp_two_lines(g, sv);
		fprintf(g, " font \",6\" offset 0,-0.6\n");
		if (e == 0)
			fprintf(g,
				"set key at screen 0.5, screen %.3f center top %s samplen 1.5 "
				"font \",7\"\n",
				1 - (0.38 + 0.125 * (split + tx)) / height,
				keylines > 1 ? "vertical Left reverse" : "horizontal");
		else
			fprintf(g, "unset key\n");
		fprintf(g, "plot");
		int first = 1;
		for (size_t m = 0; m < n; m++) {
			const struct pb_csv *t = &runs[m].summary;
			int any = 0;
			for (size_t i = 0; i < t->nrows; i++) {
				if (!is_total(t, i) || strcmp(row_series(t, i), ex.v[e]))
					continue;
				dat_point(&f, pb_plot_num(pb_csv_get(t, i, "threads")),
					  pb_plot_num(pb_csv_get(t, i, "median_ops_per_s")),
					  pb_plot_num(pb_csv_get(t, i, "ci95_lo_ops_per_s")),
					  pb_plot_num(pb_csv_get(t, i, "ci95_hi_ops_per_s")));
				any = 1;
			}
			if (!any)
				continue;
			fprintf(f.dat, "\n\n");
			fprintf(
			    g, "%s '%s.dat' index %d using 1:2:3:4 with yerrorlines ls %zu notitle",
			    first ? "" : ",", f.name, block++, m % 17 + 1);
			first = 0;
		}
		if (e == 0)
			for (size_t m = 0; m < n; m++)
				fprintf(g, "%s keyentry with linespoints ls %zu title S%d",
					first && !m ? "" : ",", m % 17 + 1,
					pb_fig_str(&f, se.v[m]));
		fprintf(g, "\n");
	}
	rc = pb_fig_finish(&f);
	rc = rc ? rc : 1;
out:
	names_free(&ex);
	names_free(&se);
	return rc;
}
