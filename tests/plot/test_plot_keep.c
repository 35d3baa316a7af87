/* SPDX-License-Identifier: MIT */
/*
 * tests/plot/test_plot_keep.c - what plot must not lose, hide or split,
 * read back from the files `pagebench plot` writes (pdftotext -bbox, the
 * .dat and .gp, the quote-aware CSV reader):
 *  - machines-scaling's y label "ops/s" stands left of its y tic labels, at
 *    column and page widths (an offset of 2.2 characters drew it over
 *    "1e8": "op1e8s");
 *  - faults and eat of a sim.csv with more frame counts than a bar chart
 *    can show (300) are refused, exit 2, one line saying how many and what
 *    to do, nothing written (a fixed 256 dropped the rest, exit 0); 32 are
 *    all drawn;
 *  - a --order name that names no series is an error, exit 2, one line
 *    naming it and the run's series (a misspelt "arcc" dropped ARC from the
 *    figure in silence);
 *  - the machines figure names a bar as compare does: an old run whose
 *    uffd-pager experiment still holds latency_csv=PATH (an output path,
 *    PB_PF_NOIDENT) lines up with a new run's, one cluster, no path.
 * argv[1]: the pagebench binary.  Skips without gnuplot or pdfinfo (the
 * label's position without pdftotext: then its .gp line is checked).
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
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_PROGRESS=1", NULL};
static struct spawn_out o;

#define pb(...) spawn_runl(bin, envv, &o, __VA_ARGS__)

static const char *in(const char *dir, const char *name)
{
	static char p[4600];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* root/name (made), with file holding body; its path into d. */
static void folder(const char *name, const char *file, const char *body, char *d, size_t len)
{
	snprintf(d, len, "%s/%s", root, name);
	mkdir(d, 0755);
	PB_CHECK_MSG(write_text(in(d, file), body) == 0, "cannot write %s/%s", d, file);
}

/* 1: machines-scaling of runs a and b at width (NULL: the column's), the
 * y label left of every y tic label ("1eN") in the PDF. */
static void ylabel_clear(const char *pdftotext, const char *a, const char *b, const char *width)
{
	char out[4400];
	snprintf(out, sizeof(out), "%s/ylab-%s", root, width ? width : "col");
	int rc =
	    width ? pb("plot", a, b, "--kind", "machines", "--width", width, "--out", out,
		       "--format", "pdf", NULL)
		  : pb("plot", a, b, "--kind", "machines", "--out", out, "--format", "pdf", NULL);
	PB_CHECK_MSG(rc == 0, "plot machines: exit %d: %s", rc, o.err);
	char *gp = slurp(in(out, "machines-scaling.gp"));
	PB_CHECK_MSG(gp && strstr(gp, "set ylabel \"ops/s\""), "machines-scaling.gp: no ylabel");
	if (!pdftotext[0]) { /* no positions: at least no offset into the tics */
		const char *l = gp ? strstr(gp, "set ylabel \"ops/s\"") : NULL;
		PB_CHECK_MSG(l && !strncmp(l + 18, " font \",6\"\n", 11),
			     "machines-scaling.gp: the ylabel moved: %.60s", l ? l : "");
		return;
	}
	char *av[] = {(char *)pdftotext, "-bbox", (char *)in(out, "machines-scaling.pdf"), "-",
		      NULL};
	static struct spawn_out po;
	PB_CHECK_MSG(spawn_run(av, NULL, &po) == 0 && po.code == 0, "pdftotext failed");
	double lab[4];
	word_box(po.out, "ops/s", lab);
	PB_CHECK_MSG(isfinite(lab[2]), "machines-scaling.pdf: no ops/s word");
	/* every word "1eN" (a y tic label): the label's right edge left of it */
	int tics = 0;
	for (const char *p = po.out; (p = strstr(p, "<word ")) != NULL; p++) {
		const char *x = strstr(p, "xMin=\""), *t = strchr(p, '>');
		if (!x || !t || strncmp(t, ">1e", 3) || !strchr("0123456789", t[3]))
			continue;
		double x0 = strtod(x + 6, NULL);
		tics++;
		PB_CHECK_MSG(lab[2] < x0,
			     "machines-scaling.pdf (%s): ops/s ends at x %.1f, over the tic label "
			     "%.*s from x %.1f",
			     width ? width : "column", lab[2], (int)strcspn(t + 1, "<"), t + 1, x0);
	}
	PB_CHECK_MSG(tics >= 2, "machines-scaling.pdf: %d y tic labels found", tics);
}

/* A sim.csv of policies lru, arc and opt at n frame counts from 100. */
static char *sim_csv(int n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	PB_CHECK(f != NULL);
	fprintf(f, "workload,policy,frames,device,rep,fault_rate,eat_ns,valid\n");
	static const char *const pol[] = {"lru", "arc", "opt"};
	for (int p = 0; p < 3; p++)
		for (int i = 0; i < n; i++)
			fprintf(f, "\"zipf:pages=1000\",%s,%d,ssd,0,%.4f,%d,1\n", pol[p], 100 + i,
				0.5 - 0.001 * i - 0.1 * p, 1000 - i);
	fclose(f);
	return s;
}

/* 2: 300 frame counts refused (faults, eat, both kinds), 32 drawn whole. */
static void many_frames(void)
{
	char d[4400], out[4500];
	char *csv = sim_csv(300);
	folder("many", "sim.csv", csv, d, sizeof(d));
	free(csv);
	static const char *const kinds[] = {"faults", "eat"};
	for (size_t k = 0; k < 2; k++) {
		snprintf(out, sizeof(out), "%s/many-%s", root, kinds[k]);
		int rc = pb("plot", d, "--kind", kinds[k], "--out", out, NULL);
		char want[64];
		snprintf(want, sizeof(want), "%s: sim.csv has 300 frame counts (100 to 399)",
			 kinds[k]);
		PB_CHECK_MSG(rc == 2 && count_lines(o.err) == 1 && strstr(o.err, want) &&
				 strstr(o.err, "--kind mrc"),
			     "plot --kind %s of 300 frame counts: exit %d: %s", kinds[k], rc,
			     o.err);
		PB_CHECK_MSG(dir_entries(out) <= 0, "%s: %d entries left", out, dir_entries(out));
	}
	csv = sim_csv(32);
	folder("some", "sim.csv", csv, d, sizeof(d));
	free(csv);
	snprintf(out, sizeof(out), "%s/some-out", root);
	PB_CHECK_MSG(pb("plot", d, "--kind", "faults", "--out", out, "--format", "pdf", NULL) == 0,
		     "plot faults of 32 frame counts: %s", o.err);
	/* faults.dat: a row per policy, its bar of each of the 32 frame
	 * counts; faults.str: the key's names, "100 frames" to "131 frames" */
	char *dat = slurp(in(out, "faults.dat"));
	size_t tabs = 0;
	for (const char *p = dat; p && *p && *p != '\n'; p++)
		tabs += *p == '\t';
	PB_CHECK_MSG(tabs == 32 && dat && !strncmp(dat, "\"lru\"\t0.5\t", 10),
		     "faults.dat: %zu bars of lru, want 32: %.80s", tabs, dat ? dat : "(none)");
	char *str = slurp(in(out, "faults.str"));
	PB_CHECK_MSG(str && strstr(str, "\"100 frames\"") && strstr(str, "\"131 frames\""),
		     "faults.str: %.200s", str ? str : "(none)");
}

/* 3: --order with a name of no series */
static void order_names(const char *a, const char *b)
{
	char d[4400], out[4500];
	char *csv = sim_csv(2);
	folder("ord", "sim.csv", csv, d, sizeof(d));
	free(csv);
	snprintf(out, sizeof(out), "%s/ord-bad", root);
	int rc = pb("plot", d, "--kind", "faults", "--order", "lru,arcc,opt", "--out", out, NULL);
	PB_CHECK_MSG(rc == 2 && count_lines(o.err) == 1 &&
			 strstr(o.err, "--order: 'arcc' names no series of ") &&
			 strstr(o.err, "(its series: lru, arc, opt)"),
		     "--order lru,arcc,opt: exit %d: %s", rc, o.err);
	PB_CHECK_MSG(dir_entries(out) <= 0, "%s: %d entries left", out, dir_entries(out));
	/* every kind the folder has (faults and eat): said once */
	rc = pb("plot", d, "--order", "lru,arcc", "--out", out, NULL);
	PB_CHECK_MSG(rc == 2 && count_lines(o.err) == 1, "--order lru,arcc: exit %d: %s", rc,
		     o.err);
	/* names that do name series: a subset, in their order */
	snprintf(out, sizeof(out), "%s/ord-ok", root);
	PB_CHECK_MSG(pb("plot", d, "--kind", "faults", "--order", "opt,lru", "--out", out,
			"--format", "pdf", NULL) == 0,
		     "--order opt,lru: %s", o.err);
	char *dat = slurp(in(out, "faults.dat"));
	/* its rows: opt, then lru, no arc */
	PB_CHECK_MSG(dat && !strncmp(dat, "\"opt\"\t", 6) && strstr(dat, "\n\"lru\"\t") &&
			 !strstr(dat, "\"arc\""),
		     "faults.dat: %s", dat ? dat : "(none)");
	/* several folders: the machines' series */
	snprintf(out, sizeof(out), "%s/ord-m", root);
	rc = pb("plot", a, b, "--kind", "machines", "--order", "k,kk", "--out", out, NULL);
	PB_CHECK_MSG(rc == 2 && count_lines(o.err) == 1 &&
			 strstr(o.err, "'kk' names no series of these runs (their series: k, one)"),
		     "machines --order k,kk: exit %d: %s", rc, o.err);
}

/* `run uffd-pager` into root/name (its run folder into dir), or, where
 * userfaultfd is missing, a summary.csv of the same rows by hand. */
static void pager_run(const char *name, char *dir, size_t len)
{
	char res[4400];
	snprintf(res, sizeof(res), "%s/%s", root, name);
	int rc = pb("run", "uffd-pager", "--threads", "1,2", "--reps", "2", "--ops", "2000",
		    "--param", "pages=64,frames=16", "--label", name, "--results", res, NULL);
	if (rc == 0 && pbt_run_dirs(res, dir, len) == 1)
		return;
	PB_CHECK_MSG(strstr(o.err, "userfaultfd unavailable"), "run uffd-pager: exit %d: %s", rc,
		     o.err);
	static const char sum[] =
	    "experiment,kernel,params,threads,thread,median_ns_per_op,ci95_lo_ns_per_op,"
	    "ci95_hi_ns_per_op,ci95_valid,median_ops_per_s,ci95_lo_ops_per_s,"
	    "ci95_hi_ops_per_s,baseline\n"
	    "\"uffd-pager:pages=64,frames=16\",uffd-pager,\"pages=64,frames=16\",1,total,"
	    "6000,5900,6100,0,166000,164000,169000,NA\n"
	    "\"uffd-pager:pages=64,frames=16\",uffd-pager,\"pages=64,frames=16\",2,total,"
	    "7000,6900,7100,0,285000,281000,289000,NA\n";
	folder(name, "summary.csv", sum, dir, len);
}

/* 4: an old run's uffd-pager bar beside a new run's */
static void old_beside_new(void)
{
	char a[4400], b[4400], out[4500];
	pager_run("old", a, sizeof(a));
	pager_run("new", b, sizeof(b));
	/* a run made before PB_PF_NOIDENT: its uffd-pager rows' params and
	 * experiment end in latency_csv=PATH */
	char path[4400];
	snprintf(path, sizeof(path), "%s/a.csv", root);
	PB_CHECK(pbt_as_old_pager_run(a, path) >= 1);
	snprintf(out, sizeof(out), "%s/ident", root);
	PB_CHECK_MSG(
	    pb("plot", a, b, "--kind", "machines", "--out", out, "--format", "pdf", NULL) == 0,
	    "plot old new: %s", o.err);
	static const char *const figs[] = {"machines", "machines-scaling"};
	for (size_t f = 0; f < 2; f++) {
		char nm[64];
		snprintf(nm, sizeof(nm), "%s.dat", figs[f]);
		char *dat = slurp(in(out, nm));
		PB_CHECK_MSG(dat && !strstr(dat, "latency_csv"), "%s names an output path: %s", nm,
			     dat ? dat : "(none)");
		snprintf(nm, sizeof(nm), "%s.str", figs[f]);
		char *str = slurp(in(out, nm));
		PB_CHECK_MSG(str && !strstr(str, "latency_csv"), "%s names an output path: %s", nm,
			     str ? str : "(none)");
	}
	/* machines.dat: one row (cluster) of uffd-pager, both machines' bars
	 * with a value */
	char *dat = slurp(in(out, "machines.dat"));
	int rows = 0;
	for (const char *p = dat; p && (p = strstr(p, "\"uffd-pager:pages=64,frames=16\"\t"));
	     p++) {
		rows++;
		double v1 = NAN, v2 = NAN;
		const char *t = strchr(p, '\t');
		v1 = strtod(t + 1, NULL);
		for (int k = 0; k < 3 && t; k++) /* value, lo, hi of the first machine */
			t = strchr(t + 1, '\t');
		v2 = t ? strtod(t + 1, NULL) : NAN;
		PB_CHECK_MSG(v1 > 0 && v2 > 0, "machines.dat: a machine without a bar: %.120s", p);
	}
	PB_CHECK_MSG(rows == 1, "machines.dat: %d uffd-pager clusters, want 1:\n%s", rows,
		     dat ? dat : "(none)");
	/* machines-scaling: one panel, two lines */
	char *gp = slurp(in(out, "machines-scaling.gp"));
	PB_CHECK_MSG(gp && strstr(gp, "set multiplot layout 1,1 "), "machines-scaling.gp: %s",
		     gp ? gp : "(none)");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_plot_keep PAGEBENCH");
	bin = argv[1];
	char pdfinfo[512], xmllint[512], pdftotext[512];
	const char *why = plot_tools(pdfinfo, sizeof(pdfinfo), xmllint, sizeof(xmllint));
	if (why)
		PB_SKIP(why);
	if (!pbt_tmpdir(root, sizeof(root), "plotkeep"))
		PB_SKIP("cannot make a temp dir");
	if (!which("pdftotext", pdftotext, sizeof(pdftotext))) {
		pdftotext[0] = 0;
		fprintf(stderr, "pdftotext not installed: the y label's .gp line checked, not "
				"its place\n");
	}
	/* two machines, experiment k at 1 to 8 threads (1e5 to 1e8 ops/s) and
	 * one at one thread */
	static const char sum[] =
	    "experiment,kernel,threads,thread,median_ns_per_op,ci95_lo_ns_per_op,"
	    "ci95_hi_ns_per_op,ci95_valid,median_ops_per_s,ci95_lo_ops_per_s,ci95_hi_ops_per_s\n"
	    "k,k,1,total,10000,9000,11000,0,100000,90000,110000\n"
	    "k,k,2,total,100,90,110,0,10000000,9000000,11000000\n"
	    "k,k,8,total,10,9,11,0,100000000,90000000,110000000\n"
	    "one,one,1,total,5,4,6,0,100,90,110\n";
	char a[4400], b[4400];
	folder("ma", "summary.csv", sum, a, sizeof(a));
	folder("mb", "summary.csv", sum, b, sizeof(b));
	ylabel_clear(pdftotext, a, b, NULL);
	ylabel_clear(pdftotext, a, b, "page");
	many_frames();
	order_names(a, b);
	old_beside_new();
	if (!pb_test_fail_)
		pbt_rmtree(root);
	else
		fprintf(stderr, "kept %s for inspection\n", root);
	return pb_test_done();
}
