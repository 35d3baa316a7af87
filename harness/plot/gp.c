/* SPDX-License-Identifier: MIT */
/*
 * harness/plot/gp.c - the gnuplot script writer, the gnuplot child process
 * and the safe move of the finished files into the output folder.
 *
 * A figure's script is a header (data file conventions, the data strings
 * read into S1..Sn, the series styles) followed, once per output format, by
 * a terminal line and the body the kind wrote.  Sizes are exact: pdfcairo
 * takes inches (width x 72 points), pngcairo pixels at PB_PLOT_DPI with the
 * font and lines scaled to match, svg points.  Text is 8 pt Helvetica, every
 * terminal `noenhanced` so that names with _ ^ { } print as they are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../internal.h"
#include "pagebench/cli.h"
#include "plot.h"

double pb_plot_num(const char *s)
{
	if (!s || !*s)
		return NAN;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE)
		return NAN;
	return v;
}

int pb_plot_order_match(const char *item, const char *name)
{
	size_t n = strlen(item);
	return !strncmp(item, name, n) && (!name[n] || name[n] == ':' || name[n] == ' ');
}

int pb_plot_order_rank(const struct pb_plot_opts *o, const char *name)
{
	if (!o->norder)
		return 0;
	for (size_t i = 0; i < o->norder; i++)
		if (pb_plot_order_match(o->order[i], name))
			return (int)i;
	return -1;
}

double pb_fig_width(const struct pb_fig *f)
{
	return f->ctx->o->width_in;
}

static FILE *open_in(const char *dir, const char *name, const char *ext)
{
	char p[4352];
	snprintf(p, sizeof(p), "%s/%s%s", dir, name, ext);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

int pb_fig_begin(struct pb_fig *f, struct pb_plot_ctx *ctx, const char *name, double height_in)
{
	memset(f, 0, sizeof(*f));
	f->ctx = ctx;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->height_in = height_in;
	f->gp = open_memstream(&f->body, &f->body_len);
	f->dat = open_in(ctx->tmp, name, ".dat");
	if (!f->gp || !f->dat) {
		int e = errno ? errno : ENOMEM;
		pb_fig_abort(f);
		return -e;
	}
	return 0;
}

/* Data strings: no tab, CR, LF or other control character (field and
 * record separators), no double quote (gnuplot ends a quoted field
 * there), a backslash doubled (gnuplot reads escapes in a quoted field:
 * a path's "\n" drew a line break), a byte that is not UTF-8 as '?' (an
 * SVG with it is not XML); never empty. */
static void put_clean(FILE *out, const char *s)
{
	if (!*s)
		s = "-";
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = pb_utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		if (!n)
			c = '?';
		else if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c == '"')
			c = '\'';
		else if (c == '\\')
			fputc('\\', out);
		fputc(c, out);
	}
	fputc('"', out);
}

int pb_fig_str(struct pb_fig *f, const char *s)
{
	if (!f->str) {
		f->str = open_in(f->ctx->tmp, f->name, ".str");
		if (!f->str)
			return 0;
	} else {
		fputc('\t', f->str);
	}
	put_clean(f->str, s);
	return ++f->nstr;
}

void pb_fig_dat_str(struct pb_fig *f, const char *s)
{
	put_clean(f->dat, s);
}

void pb_fig_dat_num(struct pb_fig *f, double v)
{
	if (isfinite(v))
		fprintf(f->dat, "%.9g", v);
	else
		fputs("NaN", f->dat);
}

void pb_fig_title(struct pb_fig *f, const char *title)
{
	free(f->title);
	f->title = strdup(title);
	if (!f->title)
		abort();
}

void pb_fig_source(struct pb_fig *f, const struct pb_plot_run *r, const char *file)
{
	size_t n = strlen(f->sources);
	snprintf(f->sources + n, sizeof(f->sources) - n, "%s/%s\n%s", r->dir, file, r->machine);
}

/* Okabe & Ito (2008), colour-blind safe; yellow last (faint on white). */
static const char *const okabe_ito[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
					"#E69F00", "#56B4E9", "#000000", "#F0E442"};
/* 17 point types: cairo's 15 symbols, then two more drawn as letters. */
static const char *const points[] = {"7",  "5",	 "9",  "11", "13", "15", "6",	  "4",	  "8",
				     "10", "12", "14", "1",  "2",  "3",	 "\"#\"", "\"&\""};
/* 17 dash patterns (solid, gnuplot's 4, then explicit ones). */
static const char *const dashes[] = {"1",
				     "2",
				     "3",
				     "4",
				     "5",
				     "(8,4)",
				     "(2,3)",
				     "(12,3,2,3)",
				     "(6,2,6,2,2,2)",
				     "(16,4)",
				     "(3,6)",
				     "(10,2,2,2,2,2)",
				     "(20,5,5,5)",
				     "(4,4,12,4)",
				     "(1,2)",
				     "(14,3,3,3,3,3)",
				     "(6,6)"};

void pb_fig_styles(struct pb_fig *f)
{
	const struct pb_plot_opts *o = f->ctx->o;
	for (int i = 0; i < 17; i++) {
		/* mono: black and two greys; the marks and dashes tell them apart */
		const char *col = o->mono ? (i % 3 == 0	  ? "#000000"
					     : i % 3 == 1 ? "#555555"
							  : "#888888")
					  : okabe_ito[i % 7];
		fprintf(f->gp,
			"set style line %d lc rgb \"%s\" lw 1.2 pt %s ps 0.7 dt %s\n"
			"set linetype %d lc rgb \"%s\" lw 1.2 pt %s ps 0.7 dt %s\n",
			i + 1, col, points[i], dashes[i], i + 1, col, points[i], dashes[i]);
	}
	/* the offline bound: thick light grey, solid, no marks */
	fprintf(f->gp, "set style line %d lc rgb \"#9a9a9a\" lw 3.5 dt 1 pt -1\n", PB_LS_OPT);
	/* the ideal-scaling line */
	fprintf(f->gp, "set style line 101 lc rgb \"#777777\" lw 1 dt 2 pt -1\n");
}

static void header(FILE *s, struct pb_fig *f)
{
	const struct pb_plot_ctx *c = f->ctx;
	fprintf(s,
		"# %s: made by pagebench plot; redraw with: gnuplot %s.gp (in this folder)\n"
		"# data: %s.dat%s; the command and the source CSVs are in %s.txt\n"
		"reset\n"
		"set encoding utf8\n"
		"set datafile separator \"\\t\"\n"
		"set datafile missing \"NaN\"\n",
		f->name, f->name, f->name, f->nstr ? " and the strings in .str" : "", f->name);
	(void)c;
	if (f->nstr) {
		fprintf(s, "stats '%s.str' using (", f->name);
		for (int k = 1; k <= f->nstr; k++)
			fprintf(s, "S%d = strcol(%d), ", k, k);
		fprintf(s, "0) nooutput\n");
	}
	fprintf(s, "set grid back lc rgb \"#dddddd\" lw 0.5 dt 1\n"
		   "set border 3 lw 0.8\nset tics nomirror out scale 0.6\n"
		   "set key noautotitle\n");
}

static int write_script(struct pb_fig *f)
{
	const struct pb_plot_opts *o = f->ctx->o;
	FILE *s = open_in(f->ctx->tmp, f->name, ".gp");
	if (!s)
		return -errno;
	header(s, f);
	double w = o->width_in, h = f->height_in;
	static const struct {
		unsigned bit;
		const char *ext;
	} fm[] = {{PB_FMT_PDF, "pdf"}, {PB_FMT_PNG, "png"}, {PB_FMT_SVG, "svg"}};
	for (size_t i = 0; i < PB_ARRAY_SIZE(fm); i++) {
		if (!(o->formats & fm[i].bit))
			continue;
		if (fm[i].bit == PB_FMT_PDF)
			/* pdfcairo's default fontscale is 0.5 and cairo takes a
			 * point as 1/96 in there: "Helvetica,8" came out 5.3 pt,
			 * 2/3 of the PNG's and SVG's 8 pt, which the layouts
			 * count with; 0.75 x 96/72 = 1.  Its linewidth 1 is 0.5
			 * pt and its marks twice the PNG's: linewidth 2 and
			 * pointscale 0.48 draw them as the PNG does (1 pt, and
			 * marks of 2.9 pt per ps), the dashes (scaled by the
			 * line's width) too */
			fprintf(s,
				"set terminal pdfcairo size %.3fin,%.3fin font \"Helvetica,8\" "
				"fontscale 0.75 linewidth 2 pointscale 0.48 rounded noenhanced\n",
				w, h);
		else if (fm[i].bit == PB_FMT_PNG)
			fprintf(
			    s,
			    "set terminal pngcairo size %d,%d font \"Helvetica,8\" fontscale %.4f "
			    "linewidth %.4f rounded noenhanced\n",
			    (int)lround(w * PB_PLOT_DPI), (int)lround(h * PB_PLOT_DPI),
			    PB_PLOT_DPI / 96.0, PB_PLOT_DPI / 72.0);
		else
			fprintf(
			    s,
			    "set terminal svg size %d,%d font \"Helvetica,8\" rounded noenhanced\n",
			    (int)lround(w * 72), (int)lround(h * 72));
		fprintf(s, "set output '%s.%s'\n", f->name, fm[i].ext);
		fwrite(f->body, 1, f->body_len, s);
		fprintf(s, "unset multiplot\nset output\n");
	}
	if (fflush(s) || ferror(s) || fsync(fileno(s))) {
		int e = errno ? errno : EIO;
		fclose(s);
		return -e;
	}
	return fclose(s) ? -errno : 0;
}

static const char *gnuplot_bin(void)
{
	const char *g = getenv("PAGEBENCH_GNUPLOT");
	return g && *g ? g : "gnuplot";
}

/* Run gnuplot NAME.gp in ctx->tmp; its output goes to NAME.log there. */
static int run_gnuplot(struct pb_fig *f, char *msg, size_t msglen)
{
	char script[96], log[96];
	snprintf(script, sizeof(script), "%s.gp", f->name);
	snprintf(log, sizeof(log), "%s.log", f->name);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (chdir(f->ctx->tmp))
			_exit(126);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDONLY);
		if (fd < 0 || nul < 0)
			_exit(126);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		char *argv[] = {(char *)gnuplot_bin(), script, NULL};
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* the first line gnuplot complained with */
	snprintf(msg, msglen, "%s",
		 WIFEXITED(st) && WEXITSTATUS(st) == 127 ? "gnuplot not found" : "gnuplot failed");
	char p[4352];
	snprintf(p, sizeof(p), "%s/%s", f->ctx->tmp, log);
	FILE *l = fopen(p, "r");
	if (l) {
		char line[512], last[512] = "";
		while (fgets(line, sizeof(line), l)) {
			line[strcspn(line, "\n")] = 0;
			if (line[0] && line[strspn(line, " ^")])
				snprintf(last, sizeof(last), "%s", line + strspn(line, " "));
		}
		fclose(l);
		if (last[0]) {
			size_t n = strlen(msg);
			snprintf(msg + n, msglen - n, ": %s", last);
		}
	}
	return -EIO;
}

/* Move ctx->tmp/NAME.ext over ctx->out/NAME.ext: refuse non-regular targets. */
static int place(struct pb_fig *f, const char *ext, int required)
{
	char from[4352], to[4352];
	snprintf(from, sizeof(from), "%s/%s.%s", f->ctx->tmp, f->name, ext);
	snprintf(to, sizeof(to), "%s/%s.%s", f->ctx->out, f->name, ext);
	struct stat st;
	if (lstat(from, &st)) {
		if (!required)
			return 0;
		pb_error("plot", "%s: gnuplot wrote no %s.%s", f->name, f->name, ext);
		return -ENOENT;
	}
	if (required && st.st_size == 0) {
		pb_error("plot", "%s: gnuplot wrote an empty %s.%s", f->name, f->name, ext);
		return -EIO;
	}
	if (!lstat(to, &st) && !S_ISREG(st.st_mode)) {
		pb_error("plot", "refusing to replace %s: not a regular file", to);
		unlink(from);
		return -EEXIST;
	}
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		pb_error("plot", "%s: %s", from, strerror(e));
		return -e;
	}
	close(fd);
	if (rename(from, to)) {
		int e = errno;
		pb_error("plot", "%s: %s", to, strerror(e));
		unlink(from);
		return -e;
	}
	return 0;
}

static int write_sidecar(struct pb_fig *f)
{
	FILE *s = open_in(f->ctx->tmp, f->name, ".txt");
	if (!s)
		return -errno;
	fprintf(s, "figure: %s\n", f->name);
	if (f->title) { /* one line: control characters as spaces */
		fputs("title: ", s);
		for (const char *p = f->title; *p; p++)
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p, s);
		fputc('\n', s);
	}
	fprintf(s, "command: %s\ndata:\n", f->ctx->command);
	for (const char *p = f->sources; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(s, "  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	fprintf(s, "redraw: gnuplot %s.gp (in this folder; it reads %s.dat%s)\n", f->name, f->name,
		f->nstr ? " and the .str strings" : "");
	if (fflush(s) || ferror(s)) {
		int e = errno ? errno : EIO;
		fclose(s);
		return -e;
	}
	return fclose(s) ? -errno : 0;
}

void pb_fig_abort(struct pb_fig *f)
{
	if (f->gp)
		fclose(f->gp);
	if (f->dat)
		fclose(f->dat);
	if (f->str)
		fclose(f->str);
	free(f->body);
	free(f->title);
	f->title = NULL;
	static const char *const exts[] = {".gp",  ".dat", ".str", ".txt",    ".log",
					   ".pdf", ".png", ".svg", ".png.dpi"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(exts); i++) {
		char p[4352];
		snprintf(p, sizeof(p), "%s/%s%s", f->ctx->tmp, f->name, exts[i]);
		unlink(p);
	}
	f->gp = f->dat = f->str = NULL;
	f->body = NULL;
}

/* libpng's error exits (longjmp to the setjmp of the struct's own frame);
 * each returns -1 when libpng gave up on the file. */
static int png_load(FILE *in, png_structp rd, png_infop ri)
{
	if (setjmp(png_jmpbuf(rd)))
		return -1;
	png_init_io(rd, in);
	png_read_png(rd, ri, PNG_TRANSFORM_IDENTITY, NULL);
	return 0;
}

static int png_store(FILE *out, png_structp rd, png_infop ri, png_structp wr, png_infop wi)
{
	if (setjmp(png_jmpbuf(wr)))
		return -1;
	png_uint_32 w, h;
	int depth, ct, il, cm, fm, np, nt;
	png_get_IHDR(rd, ri, &w, &h, &depth, &ct, &il, &cm, &fm);
	png_init_io(wr, out);
	png_set_IHDR(wr, wi, w, h, depth, ct, il, cm, fm);
	png_colorp pal;
	if (png_get_PLTE(rd, ri, &pal, &np))
		png_set_PLTE(wr, wi, pal, np);
	png_bytep ta;
	png_color_16p tc, bg;
	if (png_get_tRNS(rd, ri, &ta, &nt, &tc))
		png_set_tRNS(wr, wi, ta, nt, tc);
	if (png_get_bKGD(rd, ri, &bg))
		png_set_bKGD(wr, wi, bg);
	/* pixels per metre: 150 dpi is 5906 */
	png_uint_32 ppm = (png_uint_32)lround(PB_PLOT_DPI / 0.0254);
	png_set_pHYs(wr, wi, ppm, ppm, PNG_RESOLUTION_METER);
	png_set_rows(wr, wi, png_get_rows(rd, ri));
	png_write_png(wr, wi, PNG_TRANSFORM_IDENTITY, NULL);
	return 0;
}

/*
 * The PNG's resolution, PB_PLOT_DPI, in a pHYs chunk.  pngcairo writes
 * none, and without it pdfTeX takes 72 dpi: \includegraphics of a 3.3 in
 * figure without a width set it 6.9 in wide.  libpng reads gnuplot's PNG
 * whole (so a damaged one is an error here, not in the paper) and writes
 * it back beside it with the chunk, then over it.  0, or -EIO with msg.
 */
static int png_set_dpi(const char *path, char *msg, size_t len)
{
	char tmp[4400];
	snprintf(tmp, sizeof(tmp), "%s.dpi", path);
	FILE *in = fopen(path, "rb"), *out = NULL;
	png_structp rd = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL), wr = NULL;
	png_infop ri = rd ? png_create_info_struct(rd) : NULL, wi = NULL;
	int rc = -EIO;
	/* the messages name the file in the work folder by its name alone
	 * (a figure name is short; %.200s bounds it for msg) */
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!in || !ri) {
		snprintf(msg, len, "%.200s: %s", name, in ? "out of memory" : strerror(errno));
		goto out;
	}
	if (png_load(in, rd, ri)) {
		snprintf(msg, len, "%.200s: libpng cannot read gnuplot's PNG (above)", name);
		goto out;
	}
	wr = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	wi = wr ? png_create_info_struct(wr) : NULL;
	out = fopen(tmp, "wb");
	if (!wi || !out) {
		snprintf(msg, len, "%.200s.dpi: %s", name, out ? "out of memory" : strerror(errno));
		goto out;
	}
	if (png_store(out, rd, ri, wr, wi)) {
		snprintf(msg, len, "%.200s.dpi: libpng cannot write it (above)", name);
		goto out;
	}
	FILE *o = out;
	out = NULL;
	int bad = fflush(o) | ferror(o);
	bad |= fclose(o);
	if (bad || rename(tmp, path)) {
		snprintf(msg, len, "%.200s.dpi: %s", name, strerror(errno ? errno : EIO));
		goto out;
	}
	rc = 0;
out:
	if (out)
		fclose(out);
	if (rc)
		unlink(tmp);
	if (in)
		fclose(in);
	png_destroy_write_struct(&wr, &wi);
	png_destroy_read_struct(&rd, &ri, NULL);
	return rc;
}

/*
 * The SVG's size in pt.  gnuplot's svg terminal takes the size in its own
 * units (here points: the script's size is width x 72) and writes
 * width="237" with no unit, which SVG reads as CSS pixels of 1/96 in: a
 * 3.3 in figure showed at 2.5 in, its 8 pt text at 6.  The <svg> tag's
 * width and height get "pt" (the viewBox keeps the units).  0, or -EIO
 * with msg.
 */
static int svg_set_pt(const char *path, char *msg, size_t len)
{
	size_t n;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path; /* in messages */
	char *s = pb_slurp(path, &n);
	char *tag = s ? strstr(s, "<svg") : NULL, *end = tag ? strchr(tag, '>') : NULL;
	if (!end) {
		snprintf(msg, len, "%.200s: %s", name, s ? "no <svg> tag" : strerror(errno));
		free(s);
		return -EIO;
	}
	size_t at[2];
	static const char *const attr[] = {" width=\"", " height=\""};
	for (int i = 0; i < 2; i++) {
		char *a = strstr(tag, attr[i]);
		/* gnuplot puts "\n width=" at a line's start */
		if (!a || a > end) {
			a = strstr(tag, attr[i] + 1);
			a = a && a < end && (a[-1] == '\n' || a[-1] == '\t') ? a - 1 : NULL;
		}
		char *v = a ? a + strlen(attr[i]) : NULL;
		size_t d = v ? strspn(v, "0123456789.") : 0;
		if (!v || !d || v[d] != '"') {
			snprintf(msg, len, "%.200s: the <svg> tag has no plain %.*s", name,
				 (int)strlen(attr[i]) - 3, attr[i] + 1);
			free(s);
			return -EIO;
		}
		at[i] = (size_t)(v + d - s);
	}
	FILE *o = fopen(path, "wb");
	size_t lo = at[0] < at[1] ? at[0] : at[1], hi = at[0] < at[1] ? at[1] : at[0];
	int bad = !o || fwrite(s, 1, lo, o) != lo || fputs("pt", o) < 0 ||
		  fwrite(s + lo, 1, hi - lo, o) != hi - lo || fputs("pt", o) < 0 ||
		  fwrite(s + hi, 1, n - hi, o) != n - hi;
	if (o && (fflush(o) || ferror(o)))
		bad = 1;
	if ((o && fclose(o)) || bad) {
		snprintf(msg, len, "%.200s: %s", name, strerror(errno ? errno : EIO));
		free(s);
		return -EIO;
	}
	free(s);
	return 0;
}

int pb_fig_finish(struct pb_fig *f)
{
	int rc = 0;
	char msg[640] = "";
	if (fclose(f->gp))
		rc = -errno;
	f->gp = NULL;
	if (fflush(f->dat) || ferror(f->dat) || fclose(f->dat))
		rc = rc ? rc : -EIO;
	f->dat = NULL;
	if (f->str) {
		fputc('\n', f->str);
		if (fflush(f->str) || ferror(f->str) || fclose(f->str))
			rc = rc ? rc : -EIO;
		f->str = NULL;
	}
	if (!rc)
		rc = write_script(f);
	if (!rc)
		rc = write_sidecar(f);
	if (rc) {
		pb_error("plot", "%s: cannot write its files in %s: %s", f->name, f->ctx->tmp,
			 strerror(-rc));
		pb_fig_abort(f);
		return rc;
	}
	rc = run_gnuplot(f, msg, sizeof(msg));
	/* the PNG's dpi and the SVG's units, where gnuplot wrote them (a
	 * missing or empty one is place()'s error below) */
	char tp[4352];
	struct stat tst;
	snprintf(tp, sizeof(tp), "%s/%s.png", f->ctx->tmp, f->name);
	if (!rc && (f->ctx->o->formats & PB_FMT_PNG) && !stat(tp, &tst) && tst.st_size)
		rc = png_set_dpi(tp, msg, sizeof(msg));
	snprintf(tp, sizeof(tp), "%s/%s.svg", f->ctx->tmp, f->name);
	if (!rc && (f->ctx->o->formats & PB_FMT_SVG) && !stat(tp, &tst) && tst.st_size)
		rc = svg_set_pt(tp, msg, sizeof(msg));
	if (rc) {
		pb_error("plot", "%s: %s", f->name, msg);
		pb_fig_abort(f);
		return rc;
	}
	const struct pb_plot_opts *o = f->ctx->o;
	/* every target checked before the first is replaced: a refused one
	 * (not a regular file) left a new PDF beside the old script, data and
	 * sidecar that no longer described it */
	static const char *const all[] = {"pdf", "png", "svg", "gp", "dat", "str", "txt"};
	static const unsigned fmt_of[] = {PB_FMT_PDF, PB_FMT_PNG, PB_FMT_SVG, 0, 0, 0, 0};
	for (size_t i = 0; i < PB_ARRAY_SIZE(all); i++) {
		char to[4352];
		struct stat st;
		snprintf(to, sizeof(to), "%s/%s.%s", f->ctx->out, f->name, all[i]);
		if ((!fmt_of[i] || (o->formats & fmt_of[i])) && !lstat(to, &st) &&
		    !S_ISREG(st.st_mode)) {
			pb_error("plot",
				 "refusing to replace %s: not a regular file (%s: nothing "
				 "of it replaced)",
				 to, f->name);
			rc = -EEXIST;
			goto out;
		}
	}
	if ((o->formats & PB_FMT_PDF) && (rc = place(f, "pdf", 1)))
		goto out;
	if ((o->formats & PB_FMT_PNG) && (rc = place(f, "png", 1)))
		goto out;
	if ((o->formats & PB_FMT_SVG) && (rc = place(f, "svg", 1)))
		goto out;
	if ((rc = place(f, "gp", 1)) || (rc = place(f, "dat", 1)) || (rc = place(f, "str", 0)) ||
	    (rc = place(f, "txt", 1)))
		goto out;
	/* every figure file written (the first format alone hid the others),
	 * then the sidecar, which names the script and data beside it */
	for (size_t i = 0; i < PB_ARRAY_SIZE(all); i++)
		if (fmt_of[i] & o->formats)
			fprintf(stderr, "  %s/%s.%s\n", f->ctx->out, f->name, all[i]);
	fprintf(stderr, "  %s/%s.txt (sidecar; %s.gp redraws the figure)\n", f->ctx->out, f->name,
		f->name);
	f->ctx->made++;
out:
	pb_fig_abort(f); /* frees buffers, removes leftovers (the .log) */
	return rc;
}
