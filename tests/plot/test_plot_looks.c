/* SPDX-License-Identifier: MIT */
/*
 * tests/plot/test_plot_looks.c - what the figures show, read back from the
 * files `pagebench plot` writes:
 *  - the PDF's text is its documented 8 pt (pdfcairo's own fontscale 0.5
 *    drew "Helvetica,8" at 5.3 pt), measured with pdftotext -bbox, and an
 *    mrc key of 17 policies across a column is the two columns the layout
 *    counts (at true size gnuplot fitted one of 17 rows);
 *  - a --ylim above every bar of a panel is refused (the bars were drawn
 *    as equal boxes cut at B), exit 2, one line, nothing written;
 *  - faults and eat bars are the median over the valid repetitions (they
 *    were the mean), and the title's note says so;
 *  - eat leaves a policy a device has no row for out of its panel, and
 *    machines says "not run" at a machine's missing bar (both were empty
 *    slots that read as 0), and the eat panels of one figure line up (y tic
 *    labels as wide: gnuplot fitted each panel's margin to its own);
 *  - --mono's solid fill is grey, so a black error bar shows on it;
 *  - scaling's x tics are thinned on the axis drawn (--logx labels 2 and
 *    4 of 1 2 3 4 6 8 12 16), a kernel left out is said on stderr, and so
 *    is a machines-scaling experiment measured at one thread count, whose
 *    key says "end probe" at a round trip from the run's end;
 *  - a latency key name longer than the figure is broken onto key lines;
 *  - mrc --logx of 250..5000 frames labels at least 4 x tics and 3 x2 tics
 *    (gnuplot's decades labelled 1000 alone), read back from the PDF.
 * argv[1]: the pagebench binary.  Skips without gnuplot or pdfinfo (and the
 * text size and the eat panels' alignment without pdftotext).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "plot_util.h"
#include "spawn.h"

static const char *bin;
static char root[4096];
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};
static struct spawn_out o;

/* bin with the NULL-terminated arguments, under envv, into o */
#define pb(...) spawn_runl(bin, envv, &o, __VA_ARGS__)

static const char *in(const char *dir, const char *name)
{
	static char p[4600];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const char *body)
{
	PB_CHECK_MSG(write_text(path, body) == 0, "cannot write %s", path);
}

/* dir (made), with FILE holding body. */
static const char *folder(const char *name, const char *file, const char *body)
{
	static char d[4300];
	snprintf(d, sizeof(d), "%s/%s", root, name);
	mkdir(d, 0755);
	write_file(in(d, file), body);
	return d;
}

/* The data block (0-based) of a bar figure's .dat whose cluster label is
 * label: its line, or NULL. */
static const char *dat_row(const char *dat, int block, const char *label)
{
	static char line[512];
	int b = 0;
	size_t ll = strlen(label);
	for (const char *p = dat; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!n && nl && nl[1] == '\n') {
			b++;
			p = nl + 2;
			continue;
		}
		if (b == block && n > ll + 2 && p[0] == '"' && !strncmp(p + 1, label, ll) &&
		    p[ll + 1] == '"') {
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			return line;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/*
 * pdftotext -bbox: each word's box is its font size times the font's
 * ascent + descent (the PDF font descriptor's, which cairo takes from the
 * font): 1.16 em for DejaVu Sans (what "Helvetica" is here), 1.15 for
 * Liberation Sans, about 1.17 for Nimbus Sans.  An 8 pt word is then 9.2
 * to 9.4 pt high; [7.6, 10.4] (0.95 to 1.3 em) takes any such font, and the
 * 5.3 pt text of fontscale 0.5 (6.2 pt high) would need a font of 1.43 em
 * to reach it.  Returns the height of the first word equal to w (NaN: none)
 * and its left edge in *x.
 */
static double word_height(const char *bbox, const char *w, double *x)
{
	char want[128];
	snprintf(want, sizeof(want), ">%s</word>", w);
	const char *e = strstr(bbox, want);
	if (!e)
		return NAN;
	const char *s = e;
	while (s > bbox && strncmp(s, "<word", 5))
		s--;
	const char *xm = strstr(s, "xMin=\""), *y0 = strstr(s, "yMin=\""),
		   *y1 = strstr(s, "yMax=\"");
	if (!xm || !y0 || !y1 || y1 > e)
		return NAN;
	if (x)
		*x = strtod(xm + 6, NULL);
	return strtod(y1 + 6, NULL) - strtod(y0 + 6, NULL);
}

/* pdftotext -bbox of pdf into po (its output), or 0 where it failed. */
static int pdf_words(const char *pdftotext, const char *pdf, struct spawn_out *po)
{
	char *av[] = {(char *)pdftotext, "-bbox", (char *)pdf, "-", NULL};
	int ok = spawn_run(av, NULL, po) == 0 && po->code == 0;
	PB_CHECK_MSG(ok, "pdftotext -bbox %s failed", pdf);
	return ok;
}

/*
 * The counters figure of events measured by a run whose experiments have
 * long names, at width (inches): the misses panel's key is as many rows as
 * its maxcols makes of the 5 events, the panel's top margin holds them
 * (2.8 lines held 2), and the multiplot title ends with an empty line, so
 * that in the PDF the key's first row stands clear below the title (it
 * touched it: a key outside top starts where the panel does) and its last
 * above the panel's top tic label.  The two panels' y tic labels are as
 * wide (their plots line up).
 */
static void counters_key(const char *pdftotext, const char *width)
{
	static const char *const ex[] = {"frames-alloc-free:pattern=repeat,cross=50,batch=64",
					 "pt-lookup:levels=5,huge=1,walk=random"};
	char runs[2048], sum[2048];
	size_t nr = (size_t)snprintf(runs, sizeof(runs),
				     "experiment,kernel,threads,warmup,thread,ops,papi_tot_cyc,"
				     "papi_tot_ins,papi_l1_dcm,papi_l2_dcm,papi_l3_tcm,papi_tlb_dm,"
				     "papi_tlb_im\n");
	size_t ns = (size_t)snprintf(sum, sizeof(sum),
				     "experiment,kernel,threads,thread,median_ns_per_op,"
				     "ci95_lo_ns_per_op,ci95_hi_ns_per_op,ci95_valid,"
				     "median_ops_per_s,ci95_lo_ops_per_s,ci95_hi_ops_per_s\n");
	for (size_t i = 0; i < 2; i++) {
		int kn = (int)strcspn(ex[i], ":");
		nr += (size_t)snprintf(runs + nr, sizeof(runs) - nr,
				       "\"%s\",%.*s,1,0,total,1000,%zu,3000000,30000,9000,2500,"
				       "5000,%zu\n",
				       ex[i], kn, ex[i], 2000000 + i * 500000, 200 + i * 40);
		ns += (size_t)snprintf(sum + ns, sizeof(sum) - ns,
				       "\"%s\",%.*s,1,total,50,40,60,0,2e7,1.7e7,2.5e7\n", ex[i],
				       kn, ex[i]);
	}
	char d[4300], out[4400];
	snprintf(d, sizeof(d), "%s", folder("cnt", "runs.csv", runs));
	write_file(in(d, "summary.csv"), sum);
	snprintf(out, sizeof(out), "%s/cnt-%s", root, width);
	PB_CHECK_MSG(pb("plot", d, "--kind", "counters", "--width", width, "--out", out, "--format",
			"pdf", NULL) == 0,
		     "counters --width %s: %s", width, o.err);
	char *s = slurp(in(out, "counters.gp"));
	const char *k = s ? strstr(s, "set key outside top center horizontal maxcols ") : NULL;
	const char *tm = s ? strstr(s, "set tmargin ") : NULL;
	int maxcols = k ? atoi(k + strlen("set key outside top center horizontal maxcols ")) : 0;
	int rows = maxcols > 0 ? (5 + maxcols - 1) / maxcols : 0;
	PB_CHECK_MSG(s && strstr(s, ".\"\\n\" font \",8\"\n") && k && tm && tm < k && rows &&
			 strtod(tm + 12, NULL) >= 1.3 + 0.75 * rows,
		     "counters.gp --width %s: the key's %d rows, the top margin %.2f: %s", width,
		     rows, tm ? strtod(tm + 12, NULL) : NAN, s ? s : "(none)");
	PB_CHECK_MSG(s && strstr(s, "set format y \"% h\"") && strstr(s, "set format y \"% 7h\""),
		     "counters.gp --width %s: the IPC panel's tic labels not as wide as the misses "
		     "panel's (\" 100000\")",
		     width);
	static struct spawn_out po;
	if (!pdftotext[0] || !pdf_words(pdftotext, in(out, "counters.pdf"), &po))
		return;
	double t[4], k1[4], kl[4], y[4];
	word_box(po.out, "Counter", t);
	word_box(po.out, "L1D", k1);
	word_box(po.out, rows > 2 ? "L3" : "L2D", kl); /* the first column's last row */
	word_box(po.out, "100000", y);
	PB_CHECK_MSG(
	    k1[1] - t[3] >= 3 && y[1] - kl[3] >= 1,
	    "counters.pdf --width %s: the title ends at y %.1f, the key's first row starts "
	    "at %.1f, its last ends at %.1f, the top tic label starts at %.1f",
	    width, t[3], k1[1], kl[3], y[1]);
}

static void text_size(const char *pdftotext)
{
	char d[4300], out[4400];
	snprintf(d, sizeof(d), "%s/sim", root);
	PB_CHECK(pb("sim", "--results", d, "--workload",
		    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "lru,arc", "--frames",
		    "50,100", "--reps", "1", NULL) == 0);
	char run[4400];
	run_folder(d, run, sizeof(run));
	snprintf(out, sizeof(out), "%s/size", root);
	PB_CHECK_MSG(pb("plot", run, "--kind", "faults", "--out", out, "--format", "pdf", NULL) ==
			 0,
		     "%s", o.err);
	char *argv[] = {(char *)pdftotext, "-bbox", (char *)in(out, "faults.pdf"), "-", NULL};
	static struct spawn_out po;
	PB_CHECK(spawn_run(argv, NULL, &po) == 0 && po.code == 0);
	/* the title's first word (8 pt) and a y tic label (8 pt) */
	double ht = word_height(po.out, "Fault", NULL), hy = word_height(po.out, "0.1", NULL);
	PB_CHECK_MSG(ht >= 7.6 && ht <= 10.4 && hy >= 7.6 && hy <= 10.4,
		     "faults.pdf: the title is %.2f pt high, a y tic label %.2f (8 pt text is "
		     "7.6-10.4)",
		     ht, hy);

	/* all 17 policies' mrc across a column: the key in the two columns
	 * the figure's height was counted with */
	snprintf(d, sizeof(d), "%s/mrc17", root);
	PB_CHECK(pb("mrc", "--results", d, "--workload",
		    "zipf:pages=500,alpha=0.9,refs=5000,seed=1", "--policy", "all", "--frames",
		    "50:400:50", NULL) == 0);
	run_folder(d, run, sizeof(run));
	snprintf(out, sizeof(out), "%s/mrc17-out", root);
	PB_CHECK_MSG(pb("plot", run, "--kind", "mrc", "--out", out, "--format", "pdf", NULL) == 0,
		     "%s", o.err);
	argv[2] = (char *)in(out, "mrc.pdf");
	PB_CHECK(spawn_run(argv, NULL, &po) == 0 && po.code == 0);
	double xf = NAN, xs = NAN;
	word_height(po.out, "fifo", &xf);
	word_height(po.out, "sieve", &xs);
	PB_CHECK_MSG(xs - xf > 50, "mrc.pdf: the key's fifo at x %.1f, sieve at %.1f: one column",
		     xf, xs);
}

/*
 * The numbers of one row of tic labels in pdftotext -bbox's words: the
 * row next to the axis label word `label`, on its side of the plot
 * (bottom: the lowest row above the x label; else the highest below the
 * x2 label).  Their values and boxes ([xMin, xMax]) in x order, at most
 * cap.  The count.
 */
static size_t tic_row(const char *bbox, const char *label, int bottom, double *v, double (*x)[2],
		      size_t cap)
{
	double lim[4] = {NAN, NAN, NAN, NAN}, row = NAN;
	word_box(bbox, label, lim);
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (const char *w = strstr(bbox, "<word "); w; w = strstr(w + 1, "<word ")) {
			double b[4];
			const char *at[] = {"xMin=\"", "yMin=\"", "xMax=\"", "yMax=\""};
			for (int i = 0; i < 4; i++) {
				const char *a = strstr(w, at[i]);
				b[i] = a ? strtod(a + strlen(at[i]), NULL) : NAN;
			}
			const char *t = strchr(w, '>'), *e = t ? strstr(t, "</word>") : NULL;
			char *end;
			double val = t && e ? strtod(t + 1, &end) : NAN;
			if (!t || !e || end != e || end == t + 1 || !isfinite(b[1]))
				continue;
			if (bottom ? !(b[3] <= lim[1]) : !(b[1] >= lim[3]))
				continue;
			if (pass == 0) /* the row: the nearest to the label */
				row = isnan(row) || (bottom ? b[1] > row : b[1] < row) ? b[1] : row;
			else if (fabs(b[1] - row) < 1 && n < cap) {
				size_t k = n++;
				for (; k && x[k - 1][0] > b[0]; k--) {
					v[k] = v[k - 1];
					x[k][0] = x[k - 1][0];
					x[k][1] = x[k - 1][1];
				}
				v[k] = val;
				x[k][0] = b[0];
				x[k][1] = b[2];
			}
		}
	return n;
}

/*
 * mrc --logx of 250..5000 frames: gnuplot's own log tics are decades, one
 * label (1000) under the plot and two (1, 10 MiB) over it.  Read back
 * from the PDF: at least 4 labels under it and 3 over it, ascending
 * left to right, inside the range, not touching each other.
 */
static void mrc_log_tics(const char *pdftotext)
{
	char d[4300], run[4400], out[4400];
	snprintf(d, sizeof(d), "%s/mrclog", root);
	PB_CHECK(pb("mrc", "--results", d, "--workload",
		    "zipf:pages=6000,alpha=0.9,refs=30000,seed=1", "--policy", "lru,fifo",
		    "--frames", "250:5000:250", NULL) == 0);
	run_folder(d, run, sizeof(run));
	snprintf(out, sizeof(out), "%s/mrclog-out", root);
	PB_CHECK_MSG(
	    pb("plot", run, "--kind", "mrc", "--logx", "--out", out, "--format", "pdf", NULL) == 0,
	    "%s", o.err);
	static struct spawn_out po;
	if (!pdf_words(pdftotext, in(out, "mrc.pdf"), &po))
		return;
	static const struct {
		int bottom;
		size_t least;
		double lo, hi;
		const char *axis, *label;
	} ax[] = {{1, 4, 250, 5000, "x (frames)", "(frames)"},
		  {0, 3, 250 * 4096.0 / 1048576, 5000 * 4096.0 / 1048576, "x2 (MiB)", "(MiB,"}};
	for (size_t a = 0; a < 2; a++) {
		double v[64], x[64][2];
		size_t n = tic_row(po.out, ax[a].label, ax[a].bottom, v, x, 64);
		char said[512] = "";
		for (size_t i = 0, k = 0; i < n && k < sizeof(said); i++)
			k += (size_t)snprintf(said + k, sizeof(said) - k, " %g@%.1f-%.1f", v[i],
					      x[i][0], x[i][1]);
		int ok = n >= ax[a].least;
		for (size_t i = 0; ok && i < n; i++)
			ok = v[i] >= ax[a].lo * 0.999 && v[i] <= ax[a].hi * 1.001 &&
			     (!i || (v[i] > v[i - 1] && x[i][0] - x[i - 1][1] >= 1));
		PB_CHECK_MSG(ok,
			     "mrc.pdf --logx, %s: %zu tic labels (want %zu, ascending, apart):%s",
			     ax[a].axis, n, ax[a].least, said);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_plot_looks PAGEBENCH");
	bin = argv[1];
	char pdfinfo[512], xmllint[512], pdftotext[512];
	const char *why = plot_tools(pdfinfo, sizeof(pdfinfo), xmllint, sizeof(xmllint));
	if (why)
		PB_SKIP(why);
	if (!pbt_tmpdir(root, sizeof(root), "plotlooks"))
		PB_SKIP("cannot make a temp dir");
	if (which("pdftotext", pdftotext, sizeof(pdftotext))) {
		text_size(pdftotext);
		mrc_log_tics(pdftotext);
	} else {
		pdftotext[0] = 0;
		fprintf(stderr, "pdftotext not installed: the PDF's text size and the eat "
				"panels' alignment not checked\n");
	}

	/* sim rows: two devices, two workloads, the second only on nvme; lru
	 * at 100 frames on hdd with three repetitions of 0.1, 0.2 and 0.9 and
	 * one of valid=0 (EAT: median 200, mean 400; the fault rate, of
	 * either device, with nvme's 0.1: median 0.15, mean 0.325) */
	static const char sim[] = "workload,policy,frames,device,rep,fault_rate,eat_ns,valid\n"
				  "\"zipf:pages=10\",lru,100,hdd,0,0.1,100,1\n"
				  "\"zipf:pages=10\",lru,100,hdd,1,0.2,200,1\n"
				  "\"zipf:pages=10\",lru,100,hdd,2,0.9,900,1\n"
				  "\"zipf:pages=10\",lru,100,hdd,3,0.01,5,0\n"
				  "\"zipf:pages=10\",lru,100,nvme,0,0.1,10,1\n"
				  "\"zipf:pages=20\",lru,100,nvme,0,0.3,30,1\n";
	const char *rs = folder("sim2", "sim.csv", sim);
	char rsim[4300], out[4400];
	snprintf(rsim, sizeof(rsim), "%s", rs);

	/* the median, said in the note */
	snprintf(out, sizeof(out), "%s/med", root);
	PB_CHECK_MSG(
	    pb("plot", rsim, "--kind", "faults,eat", "--out", out, "--format", "pdf", NULL) == 0,
	    "%s", o.err);
	char *s = slurp(in(out, "faults.dat"));
	const char *row = s ? dat_row(s, 0, "lru zipf #1") : NULL;
	PB_CHECK_MSG(row && !strcmp(row, "\"lru zipf #1\"\t0.15"), "faults.dat: %s", s ? s : "");
	s = slurp(in(out, "faults.gp"));
	PB_CHECK_MSG(s && strstr(s, "median of 1-4 repetitions"), "faults.gp: no median note");
	/* eat: hdd's panel (the first block) without zipf #2, nvme's with it */
	s = slurp(in(out, "eat.dat"));
	row = s ? dat_row(s, 0, "lru zipf #1") : NULL;
	PB_CHECK_MSG(row && !strcmp(row, "\"lru zipf #1\"\t200"), "eat.dat: %s", s ? s : "");
	PB_CHECK_MSG(s && !dat_row(s, 0, "lru zipf #2") && dat_row(s, 1, "lru zipf #2"),
		     "eat.dat: hdd's panel has a zipf #2 slot: %s", s ? s : "");

	/* EAT bars of millions of ns on a linear axis: whole numbers
	 * (gnuplot's own format gave 1e+06 ... 8e+06), small ones as before */
	static const char big[] = "workload,policy,frames,device,rep,fault_rate,eat_ns,valid\n"
				  "\"zipf:pages=10\",lru,100,hdd,0,0.1,7000000,1\n"
				  "\"zipf:pages=10\",lru,100,ssd,0,0.1,40000,1\n";
	snprintf(out, sizeof(out), "%s/bigeat", root);
	PB_CHECK_MSG(pb("plot", folder("bigsim", "sim.csv", big), "--kind", "eat", "--out", out,
			"--format", "pdf", NULL) == 0,
		     "%s", o.err);
	/* ... and the panels' plot areas line up: gnuplot fits each
	 * panel's left margin to the characters of its tic labels, so the
	 * ssd's (" 40000", 6) are padded to the hdd's ("7000000", 7) */
	s = slurp(in(out, "eat.gp"));
	PB_CHECK_MSG(s && strstr(s, "set format y \"%.0f\"") && strstr(s, "set format y \"% 7h\""),
		     "eat.gp: the hdd panel's tics as whole numbers, the ssd's as gnuplot's, as "
		     "wide: %s",
		     s ? s : "(none)");
	if (pdftotext[0]) { /* in the PDF: the panels' top labels end at one x */
		static struct spawn_out po;
		double bh[4], bs[4];
		if (pdf_words(pdftotext, in(out, "eat.pdf"), &po)) {
			word_box(po.out, "7000000", bh);
			word_box(po.out, "40000", bs);
			PB_CHECK_MSG(fabs(bh[2] - bs[2]) < 0.5,
				     "eat.pdf: the hdd panel's y axis at x %.1f, the ssd's at %.1f",
				     bh[2], bs[2]);
		}
	}
	/* the counters figure's key clear of its title, across a column */
	counters_key(pdftotext, "3.3");
	counters_key(pdftotext, "2.5");

	/* --ylim above every bar: refused, nothing written */
	snprintf(out, sizeof(out), "%s/ylim-above", root);
	pb("plot", rsim, "--kind", "eat", "--ylim", "0:0.6", "--out", out, NULL);
	PB_CHECK_MSG(o.code == 2 && count_lines(o.err) == 1 &&
			 strstr(o.err, "--ylim 0:0.6 leaves out every bar of the eat figure") &&
			 strstr(o.err, "its bars span 200 to 200"),
		     "eat --ylim 0:0.6: rc %d: %s", o.code, o.err);
	PB_CHECK_MSG(dir_entries(out) == 0, "%s: %d entries left", out, dir_entries(out));
	/* ... while a range that some bar of each panel reaches is drawn */
	snprintf(out, sizeof(out), "%s/ylim-some", root);
	PB_CHECK_MSG(pb("plot", rsim, "--kind", "eat", "--ylim", "0:250", "--out", out, "--format",
			"pdf", NULL) == 0,
		     "eat --ylim 0:250: %s", o.err);

	/* machines of sim folders: the one without zipf #2 says "not run"
	 * at its slot */
	static const char sim1[] = "workload,policy,frames,device,rep,accesses_per_s,valid\n"
				   "\"zipf:pages=10\",lru,100,nvme,0,1000,1\n";
	static const char sim2[] = "workload,policy,frames,device,rep,accesses_per_s,valid\n"
				   "\"zipf:pages=10\",lru,100,nvme,0,1100,1\n"
				   "\"zipf:pages=20\",lru,100,nvme,0,900,1\n";
	char ma[4300];
	snprintf(ma, sizeof(ma), "%s", folder("ma", "sim.csv", sim1));
	const char *mb = folder("mb", "sim.csv", sim2);
	snprintf(out, sizeof(out), "%s/machines", root);
	PB_CHECK_MSG(
	    pb("plot", ma, mb, "--kind", "machines", "--out", out, "--format", "pdf", NULL) == 0,
	    "%s", o.err);
	s = slurp(in(out, "machines.gp")); /* one format: its body once */
	int marks = 0;
	for (char *q = s; q && (q = strstr(q, "\"not run\" at first ")); q++)
		marks++;
	PB_CHECK_MSG(marks == 1, "machines.gp: %d \"not run\" labels, want 1", marks);

	/* --mono: no solid black fill (pattern 3), a grey one */
	static char sum[4096];
	size_t n =
	    (size_t)snprintf(sum, sizeof(sum),
			     "experiment,kernel,threads,thread,median_ns_per_op,"
			     "ci95_lo_ns_per_op,ci95_hi_ns_per_op,ci95_valid,median_ops_per_s,"
			     "ci95_lo_ops_per_s,ci95_hi_ops_per_s\n");
	static const int thr[] = {1, 2, 3, 4, 6, 8, 12, 16};
	for (size_t i = 0; i < sizeof(thr) / sizeof(thr[0]); i++)
		n += (size_t)snprintf(
		    sum + n, sizeof(sum) - n, "k,k,%d,total,%d,%d,%d,0,%d,%d,%d\n", thr[i],
		    10 + thr[i], 9 + thr[i], 11 + thr[i], 100 * thr[i], 90 * thr[i], 110 * thr[i]);
	snprintf(sum + n, sizeof(sum) - n, "one,one,1,total,5,4,6,0,100,90,110\n");
	char rsum[4300];
	snprintf(rsum, sizeof(rsum), "%s", folder("sum", "summary.csv", sum));
	snprintf(out, sizeof(out), "%s/mono", root);
	PB_CHECK_MSG(pb("plot", rsum, "--kind", "cost", "--mono", "--out", out, "--format", "pdf",
			NULL) == 0,
		     "%s", o.err);
	s = slurp(in(out, "cost.gp"));
	PB_CHECK_MSG(s && !strstr(s, "fs pattern 3 ") && strstr(s, "fs solid 0.35 border"),
		     "cost.gp --mono: a solid black fill hides its black error bars");

	/* scaling --logx: 2 and 4 labelled; "one" (one thread count) said */
	snprintf(out, sizeof(out), "%s/logx", root);
	PB_CHECK_MSG(pb("plot", rsum, "--kind", "scaling", "--logx", "--out", out, "--format",
			"pdf", NULL) == 0,
		     "%s", o.err);
	PB_CHECK_MSG(strstr(o.err, "scaling: one was measured at one thread count only"),
		     "scaling: stderr %s", o.err);
	s = slurp(in(out, "scaling.gp"));
	PB_CHECK_MSG(s && strstr(s, "\"2\" 2, ") && strstr(s, "\"4\" 4, ") &&
			 strstr(s, "\"16\" 16)"),
		     "scaling.gp --logx: %s", s ? strstr(s, "set xtics (") : "(none)");

	/* machines-scaling: "one" is one thread count on both machines; the
	 * key's round trip is the end probe's where the start's failed (the
	 * start's alone was read: no figure), and says so (it read as the
	 * start's, as the other machine's does, while compare --machines said
	 * "at the run's end") */
	write_file(in(rsum, "meta.json"),
		   "{\"label\": \"m\", \"cpu_round_trip\": {\"start\": {\"median_ns\": null, "
		   "\"na\": \"partner busy\"}, \"end\": {\"median_ns\": 77.0}}}\n");
	char rsum2[4300];
	snprintf(rsum2, sizeof(rsum2), "%s", folder("sum2", "summary.csv", sum));
	write_file(in(rsum2, "meta.json"),
		   "{\"label\": \"n\", \"cpu_round_trip\": {\"start\": {\"median_ns\": 55.0}, "
		   "\"end\": {\"median_ns\": 66.0}}}\n");
	snprintf(out, sizeof(out), "%s/mscal", root);
	PB_CHECK_MSG(pb("plot", rsum, rsum2, "--kind", "machines", "--out", out, "--format", "pdf",
			NULL) == 0,
		     "%s", o.err);
	PB_CHECK_MSG(strstr(o.err, "machines-scaling: one was measured at one thread count only"),
		     "machines-scaling: stderr %s", o.err);
	s = slurp(in(out, "machines-scaling.gp"));
	PB_CHECK_MSG(s && strstr(s, "set multiplot layout 1,1 "), "machines-scaling.gp: %s",
		     s ? s : "(none)");
	s = slurp(in(out, "machines-scaling.str"));
	PB_CHECK_MSG(s && strstr(s, "\"m, 77 ns (end probe)\"") && strstr(s, "\"n, 55 ns\""),
		     "machines-scaling.str: %s", s ? s : "(none)");

	/* a latency key name too long for a column: kernel over its params */
	const char *rl = folder(
	    "lat", "latency.csv",
	    "experiment,kernel,threads,bucket_ns_lo,bucket_ns_hi,count\n"
	    "\"uffd-pager:hints=1,policy=clockpro,batch=64,ring=1024\",uffd-pager,1,0,500,10\n"
	    "\"uffd-pager:hints=1,policy=clockpro,batch=64,ring=1024\",uffd-pager,1,500,900,5\n");
	snprintf(out, sizeof(out), "%s/lat-out", root);
	PB_CHECK_MSG(pb("plot", rl, "--out", out, "--format", "pdf", NULL) == 0, "%s", o.err);
	s = slurp(in(out, "latency.str"));
	PB_CHECK_MSG(s && strstr(s, "\"uffd-pager, 1 thr\"") && strstr(s, "\"  hints=1,"),
		     "latency.str: %s", s ? s : "(none)");

	if (!pb_test_fail_)
		pbt_rmtree(root);
	else
		fprintf(stderr, "kept %s for inspection\n", root);
	return pb_test_done();
}
