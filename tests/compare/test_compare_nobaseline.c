/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare between a run and the same run with --no-baseline, on
 * run folders made by the real binary (small --ops).  --no-baseline only
 * changes which rows exist (docs/compare.md), so what exists only because
 * one run ran its baseline (config.baseline_params.EXPERIMENT, the
 * baseline kernel's config.kernel_resolved entry) is a note: exit 1, the
 * baseline's rows MISSING on the side without them, the kernel's row
 * compared; either way round, and for a run that records --no-baseline
 * only in config.options (until 2026-12-07: exit 2, "configurations
 * differ: config.baseline_params.pt-lookup is  in ... but (absent)").
 * Two runs that both ran their baselines are still refused when a
 * baseline_params entry differs or is on one side only.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};

/* `pagebench run pt-lookup ... EXTRA --results root/NAME`, exit 0: its
 * run folder into dir (extra may be NULL) */
static void make_run(const char *name, const char *extra, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", root, name);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "run", "pt-lookup", "--threads", "1", "--reps", "4",
				"--ops", "10000", "--results", res, extra, NULL) == 0,
		     "%s: %s", name, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

/* A copy of run folder src as root/name whose meta.json config has key
 * set to v (NULL: removed), written back through jansson. */
static void copy_with_config(const char *src, const char *name, const char *key, json_t *v,
			     char *dst, size_t len)
{
	char cmd[9000], p[4400];
	snprintf(dst, len, "%s/%s", root, name);
	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s'", src, dst);
	PB_CHECK(system(cmd) == 0);
	json_t *m = pbt_meta(dst), *c = json_object_get(m, "config");
	PB_CHECK(json_is_object(c));
	if (v)
		json_object_set_new(c, key, v);
	else
		PB_CHECK(json_object_del(c, key) == 0);
	snprintf(p, sizeof(p), "%s/meta.json", dst);
	PB_CHECK(json_dump_file(m, p, JSON_INDENT(2)) == 0);
	json_decref(m);
}

/* `compare BASE NEW --format json --out out --force`, exit 1 with nothing
 * refused: every config difference a note, both --no-baseline entries
 * among them; the baseline's row MISSING on side missing ("NEW" or
 * "BASE"), the kernel's compared; in the JSON and in compare.csv (read
 * back). */
static void check_notes(const char *base, const char *new_, const char *out, const char *missing)
{
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", base, new_, "--out", out, "--force",
				   "--format", "json", NULL),
			1);
	PB_CHECK_MSG(!strstr(o.err, "configurations differ") && !strstr(o.err, "WARNING"), "%s",
		     o.err);
	json_error_t je;
	json_t *doc = json_loads(o.out, 0, &je), *x;
	PB_CHECK_MSG(doc != NULL, "JSON: %d: %s\n%s", je.line, je.text, o.out);
	size_t i, seen = 0, rows = 0;
	json_array_foreach(json_object_get(doc, "config_differences"), i, x)
	{
		const char *w = json_string_value(json_object_get(x, "what")) ?: "";
		PB_CHECK_MSG(json_is_false(json_object_get(x, "fatal")), "%s is fatal", w);
		seen += !strcmp(w, "config.baseline_params.pt-lookup") ||
			!strcmp(w, "config.kernel_resolved.pt-baseline-array");
	}
	PB_CHECK_EQ_U64(seen, 2);
	char want[64];
	snprintf(want, sizeof(want), "MISSING_IN_%s", missing);
	json_array_foreach(json_object_get(doc, "rows"), i, x)
	{
		const char *v = json_string_value(json_object_get(x, "verdict")) ?: "";
		const char *e = json_string_value(json_object_get(x, "experiment")) ?: "";
		if (!strcmp(e, "pt-baseline-array"))
			PB_CHECK_MSG(!strcmp(v, want), "%s: %s, not %s", e, v, want);
		else
			PB_CHECK_MSG(!strcmp(e, "pt-lookup") && strncmp(v, "MISSING", 7) &&
					 strcmp(v, "NA"),
				     "%s: %s", e, v);
		rows++;
	}
	PB_CHECK_EQ_U64(rows, 2);
	json_decref(doc);
	char p[4400], err[256];
	struct pb_csv t;
	snprintf(p, sizeof(p), "%s/compare.csv", out);
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	PB_CHECK_EQ_U64(t.nrows, 2);
	for (size_t r = 0; r < t.nrows; r++)
		if (!strcmp(pb_csv_get(&t, r, "experiment"), "pt-baseline-array"))
			PB_CHECK(!strcmp(pb_csv_get(&t, r, "verdict"), want));
		else
			PB_CHECK(!strcmp(pb_csv_get(&t, r, "experiment"), "pt-lookup") &&
				 strncmp(pb_csv_get(&t, r, "verdict"), "MISSING", 7));
	pb_csv_free(&t);
}

/* `compare BASE NEW`: refused, exit 2, one line naming
 * config.baseline_params.pt-lookup */
static void check_refused(const char *base, const char *new_, const char *out)
{
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", base, new_, "--out", out, "--force", NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "configurations differ") &&
			 strstr(o.err, "config.baseline_params.pt-lookup"),
		     "%s", o.err);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_nobaseline PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpnobase") != NULL);
	char pt[4096], nb[4096], out[4300], old[4300], bp[4300], nobp[4300];
	make_run("pt", NULL, pt, sizeof(pt));
	make_run("nb", "--no-baseline", nb, sizeof(nb));
	snprintf(out, sizeof(out), "%s/out", root);

	/* 1. either way round: notes, the baseline's rows MISSING, exit 1 */
	check_notes(pt, nb, out, "NEW");
	check_notes(nb, pt, out, "BASE");
	/* the text says so too */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", pt, nb, "--out", out, "--force", NULL),
			1);
	PB_CHECK_MSG(strstr(o.out, "note: config.baseline_params.pt-lookup") &&
			 strstr(o.out, "MISSING_IN_NEW") && !o.err[0],
		     "stdout: %s\nstderr: %s", o.out, o.err);

	/* 2. a run without config.baseline: its config.options' --no-baseline */
	copy_with_config(nb, "nb_old", "baseline", NULL, old, sizeof(old));
	check_notes(pt, old, out, "NEW");

	/* 3. both ran their baselines: a baseline_params entry that differs,
	 * or that one side lacks, is still refused */
	copy_with_config(pt, "pt_bp", "baseline_params",
			 json_pack("{s:s}", "pt-lookup", "pages=64"), bp, sizeof(bp));
	check_refused(pt, bp, out);
	copy_with_config(pt, "pt_nobp", "baseline_params", NULL, nobp, sizeof(nobp));
	check_refused(pt, nobp, out);
	check_refused(nobp, pt, out);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
