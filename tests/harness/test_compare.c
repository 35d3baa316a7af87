/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare on bad input: one line on stderr and exit 2, and no
 * compare.csv left behind.  A folder without meta.json is not a complete
 * run (meta.json is written last); a meta.json that is not JSON names its
 * line and column; usage errors name the option.  (The comparisons
 * themselves: tests/compare/.)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pbtest.h"
#include "spawn.h"

static const char *hdr =
    "schema_version,experiment,kernel,params,threads,pin,thread,reps,median_ns_per_op,"
    "ci95_lo_ns_per_op,ci95_hi_ns_per_op,ci95_valid,median_ops_per_s,ci95_lo_ops_per_s,"
    "ci95_hi_ops_per_s,speedup_vs_1_thread,baseline,baseline_median_ns_per_op,"
    "ratio_vs_baseline,valid\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static int compare(const char *bin, const char *const *args, struct spawn_out *o)
{
	char *argv[16] = {(char *)bin, "compare"};
	int n = 2;
	for (; args[n - 2]; n++)
		argv[n] = (char *)args[n - 2];
	argv[n] = NULL;
	return spawn_run(argv, NULL, o);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare PATH_TO_PAGEBENCH");
	char root[4096];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmp") != NULL);
	char nometa[4200], badmeta[4200], out[4200], csv[4300];
	snprintf(nometa, sizeof(nometa), "%s/nometa", root);
	snprintf(badmeta, sizeof(badmeta), "%s/badmeta", root);
	snprintf(out, sizeof(out), "%s/out", root);
	snprintf(csv, sizeof(csv), "%s/compare.csv", out);
	mkdir(nometa, 0777);
	mkdir(badmeta, 0777);
	mkdir(out, 0777);
	write_file(nometa, "summary.csv", hdr);
	write_file(badmeta, "summary.csv", hdr);
	write_file(badmeta, "runs.csv", "schema_version\n");
	write_file(badmeta, "meta.json", "{\n  \"config\": {\"threads\": 1,2,\n}\n");
	static struct spawn_out o;
	struct {
		const char *args[8];
		const char *msg;
	} cases[] = {
	    {{nometa, nometa, "--out", out, NULL}, "no meta.json"},
	    {{badmeta, badmeta, "--out", out, NULL}, "meta.json:2:"},
	    {{"/nonexistent", "/nonexistent", "--out", out, NULL}, "/nonexistent"},
	    {{nometa, NULL}, "expected two run folders"},
	    {{nometa, nometa, nometa, "--out", out, NULL}, "expected two run folders"},
	    {{nometa, "--", NULL}, "at least one run on each side"},
	    {{nometa, "--", nometa, "--force", NULL}, "options go before it"},
	    {{nometa, nometa, "--threshold", "5x", NULL}, "--threshold"},
	    /* a bare number below 1 is a fraction meant or a percentage:
	     * said which, before the runs are read (0.05 was 0.05% before) */
	    {{nometa, nometa, "--threshold", "0.05", NULL},
	     "write 5% for 5 percent, or 0.05% for 0.05 percent"},
	    {{nometa, nometa, "--threshold", "0.5", NULL}, "write 50% for 50 percent, or 0.5%"},
	    {{nometa, nometa, "--format", "xml", NULL}, "--format"},
	    {{nometa, nometa, "--mode", "fast", NULL}, "--mode"},
	    {{nometa, nometa, "--resamples", "5", NULL}, "--resamples"},
	    {{"--machines", nometa, NULL}, "at least two"},
	    {{"--machines", nometa, "--", nometa, NULL}, "without --"},
	    /* the runs are refused before --out is made (test_compare_outdir
	     * covers --out's own errors) */
	    {{nometa, nometa, "--out", "/nonexistent/dir", NULL}, "no meta.json"},
	    {{nometa, nometa, "--bogus", NULL}, "--bogus"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		PB_CHECK_MSG(compare(argv[1], cases[i].args, &o) == 2, "case %zu: exit %d", i,
			     o.code);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, cases[i].msg), "case %zu: %s",
			     i, o.err);
		PB_CHECK(!o.out[0]);
		PB_CHECK_MSG(access(csv, F_OK) != 0, "case %zu left compare.csv", i);
	}
	PB_CHECK_EQ_U64(compare(argv[1], (const char *[]){"--help", NULL}, &o), 0);
	PB_CHECK(strstr(o.out, "usage: pagebench compare") != NULL);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
