/* SPDX-License-Identifier: MIT */
/*
 * tests/plot/test_plot_files.c - what `pagebench plot` leaves and says, on
 * run folders made by the real `pagebench sim/mrc` in a temp dir:
 *  - each sidecar's `title:` line is the whole default title: the
 *    workload spec of faults, eat and mrc, which their figures cut at a
 *    comma ("write=0.3", all that told two runs apart, was lost there too);
 *  - stderr lists every figure file written, one per --format (it listed
 *    the first format's only), and the sidecar; each listed figure is
 *    read back (pdfinfo, the PNG header, xmllint where installed);
 *  - a failed plot (--kind mrc of a folder without mrc.csv, gnuplot
 *    failing) leaves no --out folder it made (it left an empty one; one
 *    made before a ".." in --out, too), and keeps one that was there
 *    before.
 * argv[1]: the pagebench binary.  Skips (77) without gnuplot or pdfinfo.
 */
#define _GNU_SOURCE
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
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};
static struct spawn_out o;
static char pdfinfo[512], xmllint[512];

static int pb(const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	int rc = spawn_runv(bin, envv, &o, ap, NULL);
	va_end(ap);
	(void)first;
	return rc;
}

static int is_dir(const char *p)
{
	struct stat st;
	return !lstat(p, &st) && S_ISDIR(st.st_mode);
}

/* The sidecar's `key: value` line for key (one line a key; the "data:"
 * block's indented lines are not keys), into out; 0 if found. */
static int sidecar_get(const char *path, const char *key, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int found = -1;
	out[0] = 0;
	size_t kl = strlen(key);
	while (f && found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, key, kl) && !strncmp(line + kl, ": ", 2)) {
			snprintf(out, len, "%s", line + kl + 2);
			found = 0;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* The workload column of a run folder's CSV (all rows alike here). */
static void workload_of(const char *run, const char *csv, char *out, size_t len)
{
	char p[4500], err[512];
	struct pb_csv t;
	out[0] = 0;
	snprintf(p, sizeof(p), "%s/%s", run, csv);
	if (pb_csv_read_file(p, &t, err, sizeof(err))) {
		PB_CHECK_MSG(0, "%s", err);
		return;
	}
	if (t.nrows)
		snprintf(out, len, "%s", pb_csv_get(&t, 0, "workload"));
	pb_csv_free(&t);
}

/* A figure file read back by its format's reader. */
static int figure_reads(const char *path)
{
	const char *ext = strrchr(path, '.');
	if (!ext)
		return 0;
	if (!strcmp(ext, ".pdf")) {
		static struct spawn_out po;
		char *argv[] = {pdfinfo, (char *)path, NULL};
		return spawn_run(argv, NULL, &po) == 0 && strstr(po.out, "Page size:");
	}
	if (!strcmp(ext, ".png")) {
		unsigned char h[16];
		FILE *f = fopen(path, "rb");
		size_t n = f ? fread(h, 1, sizeof(h), f) : 0;
		if (f)
			fclose(f);
		return n == sizeof(h) && !memcmp(h, "\x89PNG\r\n\x1a\n", 8) &&
		       !memcmp(h + 12, "IHDR", 4);
	}
	if (!strcmp(ext, ".svg")) {
		if (!xmllint[0])
			return access(path, R_OK) == 0;
		static struct spawn_out xo;
		char *argv[] = {xmllint, "--noout", (char *)path, NULL};
		return spawn_run(argv, NULL, &xo) == 0;
	}
	return 0;
}

/* 1. the sidecar's title is the whole default title */
static void check_title(const char *out, const char *name, const char *what, const char *wl)
{
	char p[4500], got[8192], want[4096];
	snprintf(p, sizeof(p), "%s/%s.txt", out, name);
	snprintf(want, sizeof(want), "%s: %s", what, wl);
	PB_CHECK_MSG(sidecar_get(p, "title", got, sizeof(got)) == 0 && !strcmp(got, want),
		     "%s: title '%s', want '%s'", p, got, want);
}

/* 2. stderr names every figure file written (each read back) and the sidecar */
static void check_listed(const char *out, const char *name, const char *const *exts)
{
	char p[4500];
	for (size_t i = 0; exts[i]; i++) {
		snprintf(p, sizeof(p), "  %s/%s.%s\n", out, name, exts[i]);
		PB_CHECK_MSG(strstr(o.err, p) != NULL, "stderr does not list %s.%s: %s", name,
			     exts[i], o.err);
		snprintf(p, sizeof(p), "%s/%s.%s", out, name, exts[i]);
		PB_CHECK_MSG(figure_reads(p), "%s does not read back", p);
	}
	snprintf(p, sizeof(p), "  %s/%s.txt", out, name);
	PB_CHECK_MSG(strstr(o.err, p) != NULL, "stderr does not list the sidecar %s.txt: %s", name,
		     o.err);
}

int main(int argc, char **argv)
{
	char root[4096];
	if (argc < 2)
		PB_SKIP("usage: test_plot_files PAGEBENCH");
	bin = argv[1];
	const char *why = plot_tools(pdfinfo, sizeof(pdfinfo), xmllint, sizeof(xmllint));
	if (why)
		PB_SKIP(why);
	if (!pbt_tmpdir(root, sizeof(root), "plotfiles"))
		PB_SKIP("cannot make a temp dir");

	/* a spec longer than a column's title: the figure cuts it at a comma */
	const char *spec = "zipf:pages=2000,alpha=0.99,refs=20000,write=0.3";
	char d[4200], rsim[4200], rmrc[4200];
	snprintf(d, sizeof(d), "%s/sim", root);
	PB_CHECK(pb(NULL, "sim", "--results", d, "--workload", spec, "--policy", "lru,fifo",
		    "--frames", "100,200", "--reps", "1", NULL) == 0);
	run_folder(d, rsim, sizeof(rsim));
	snprintf(d, sizeof(d), "%s/mrc", root);
	PB_CHECK(pb(NULL, "mrc", "--results", d, "--workload", spec, "--policy", "lru,fifo",
		    "--frames", "100:400:100", NULL) == 0);
	run_folder(d, rmrc, sizeof(rmrc));
	PB_CHECK(rsim[0] && rmrc[0]);

	char out[4300], wl[4096];
	/* faults and eat, two formats but not the first one (pdf) */
	snprintf(out, sizeof(out), "%s/out-sim", root);
	PB_CHECK_MSG(pb(NULL, "plot", rsim, "--out", out, "--format", "png,svg", NULL) == 0,
		     "plot sim: %s", o.err);
	workload_of(rsim, "sim.csv", wl, sizeof(wl));
	PB_CHECK_MSG(strstr(wl, "write=0.3") != NULL, "sim.csv workload '%s'", wl);
	check_title(out, "faults", "Fault rate", wl);
	check_title(out, "eat", "Effective access time", wl);
	static const char *const png_svg[] = {"png", "svg", NULL};
	check_listed(out, "faults", png_svg);
	check_listed(out, "eat", png_svg);

	/* mrc, every format */
	snprintf(out, sizeof(out), "%s/out-mrc", root);
	PB_CHECK_MSG(pb(NULL, "plot", rmrc, "--out", out, "--format", "pdf,png,svg", NULL) == 0,
		     "plot mrc: %s", o.err);
	workload_of(rmrc, "mrc.csv", wl, sizeof(wl));
	check_title(out, "mrc", "Miss ratio", wl);
	static const char *const all3[] = {"pdf", "png", "svg", NULL};
	check_listed(out, "mrc", all3);

	/* 3. a failed plot: no folder of its making left, one there before kept */
	/* (gnuplot failing: after the folder is made, before a figure is
	 * placed, why plot makes its folder first and removes it after; a
	 * kind without its file is refused before any folder is made) */
	char fake[4300], env_gp[4400];
	snprintf(fake, sizeof(fake), "%s/fail-gnuplot", root);
	FILE *fg = fopen(fake, "w");
	PB_CHECK(fg && fputs("#!/bin/sh\nexit 1\n", fg) >= 0 && fclose(fg) == 0);
	PB_CHECK(chmod(fake, 0755) == 0);
	snprintf(env_gp, sizeof(env_gp), "PAGEBENCH_GNUPLOT=%s", fake);
	char *failenv[] = {"PAGEBENCH_COUNTERS=none", env_gp, NULL};
	char fresh[4300], made[4400];
	snprintf(fresh, sizeof(fresh), "%s/fresh", root);
	snprintf(made, sizeof(made), "%s/sub/", fresh);
	PB_CHECK(pb(NULL, "plot", rsim, "--kind", "mrc", "--out", made, NULL) == 2);
	PB_CHECK_MSG(!is_dir(fresh), "a failed plot left %s behind", fresh);
	char keep[4300], keep_new[4400];
	snprintf(keep, sizeof(keep), "%s/keep", root);
	PB_CHECK(mkdir(keep, 0755) == 0);
	PB_CHECK(pb(NULL, "plot", rsim, "--kind", "mrc", "--out", keep, NULL) == 2);
	PB_CHECK_MSG(is_dir(keep), "a failed plot removed %s, which was there before", keep);
	/* a kind without its file among kinds with theirs: refused before any
	 * figure is drawn (the faults figure was left behind an exit 2) */
	PB_CHECK(pb(NULL, "plot", rsim, "--kind", "faults,mrc", "--out", keep, NULL) == 2);
	char fpdf[4400];
	snprintf(fpdf, sizeof(fpdf), "%s/faults.pdf", keep);
	PB_CHECK_MSG(access(fpdf, F_OK) != 0 && strstr(o.err, "needs mrc.csv"),
		     "--kind faults,mrc without mrc.csv: faults.pdf %s; %s",
		     access(fpdf, F_OK) ? "absent" : "written", o.err);
	snprintf(keep_new, sizeof(keep_new), "%s/new", keep);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, failenv, &o, "plot", rsim, "--kind", "faults", "--out", keep_new, NULL),
	    1);
	PB_CHECK_MSG(is_dir(keep) && !is_dir(keep_new), "keep/new: %d, keep: %d", is_dir(keep_new),
		     is_dir(keep));
	/* through "..": the folders this call made, each, and no other (the
	 * walk up from --out stopped at "NEW/..", which rmdir refuses, and
	 * left NEW behind) */
	char dotdot[4500], gone[4400];
	snprintf(gone, sizeof(gone), "%s/gone", root);
	snprintf(dotdot, sizeof(dotdot), "%s/../keep/sub", gone);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, failenv, &o, "plot", rsim, "--kind", "faults", "--out", dotdot, NULL),
	    1);
	snprintf(keep_new, sizeof(keep_new), "%s/sub", keep);
	PB_CHECK_MSG(!is_dir(gone) && !is_dir(keep_new) && is_dir(keep),
		     "%s: gone %d, keep/sub %d, keep %d", dotdot, is_dir(gone), is_dir(keep_new),
		     is_dir(keep));
	snprintf(dotdot, sizeof(dotdot), "%s/../gone2", gone);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, failenv, &o, "plot", rsim, "--kind", "faults", "--out", dotdot, NULL),
	    1);
	snprintf(keep_new, sizeof(keep_new), "%s/gone2", root);
	PB_CHECK_MSG(!is_dir(gone) && !is_dir(keep_new), "%s: gone %d, gone2 %d", dotdot,
		     is_dir(gone), is_dir(keep_new));
	snprintf(made, sizeof(made), "%s/sub", fresh);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, failenv, &o, "plot", rsim, "--kind", "faults", "--out", made, NULL), 1);
	PB_CHECK_MSG(strstr(o.err, "gnuplot failed") && !is_dir(fresh),
		     "failing gnuplot: %s left %d: %s", fresh, is_dir(fresh), o.err);

	/* 4. a PNG that gnuplot wrote damaged (libpng reads it whole to add its
	 * dpi): the figure fails, exit 1, naming the file, and nothing of it
	 * is placed */
	snprintf(fake, sizeof(fake), "%s/junk-gnuplot", root);
	fg = fopen(fake, "w");
	PB_CHECK(fg &&
		 fputs("#!/bin/sh\nb=${1%.gp}\necho junk > \"$b.png\"\necho junk > \"$b.pdf\"\n",
		       fg) >= 0 &&
		 fclose(fg) == 0);
	PB_CHECK(chmod(fake, 0755) == 0);
	snprintf(env_gp, sizeof(env_gp), "PAGEBENCH_GNUPLOT=%s", fake);
	char junk[4300];
	snprintf(junk, sizeof(junk), "%s/junk", root);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, failenv, &o, "plot", rsim, "--kind", "faults", "--out", junk, NULL), 1);
	PB_CHECK_MSG(strstr(o.err, "faults.png: libpng cannot read gnuplot's PNG") && !is_dir(junk),
		     "a damaged PNG: %s left %d: %s", junk, is_dir(junk), o.err);

	if (!pb_test_fail_)
		pbt_rmtree(root);
	else
		fprintf(stderr, "kept %s for inspection\n", root);
	return pb_test_done();
}
