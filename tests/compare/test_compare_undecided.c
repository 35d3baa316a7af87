/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare with too few repetitions for its test: with 3 and 3
 * the exact Mann-Whitney test's smallest two-sided p is 2 / C(6, 3) =
 * 0.1, so no sample can be significant at 0.05, and until 2026-12-07 a
 * kernel slowed 5x by the test knob (every NEW repetition slower than
 * every BASE one) was "same (p=0.1)", exit 0: a CI gate that passed
 * everything.  Such a row is now UNDECIDED: it fails (exit 1), keeps its
 * ratio and interval, and says what to rerun with; the JSON summary
 * counts it, compare.csv (read back) holds it.  With 4 and 4 (smallest p
 * 0.029) the same slowdown is judged, not UNDECIDED.
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
static char *slow[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1",
		       "PAGEBENCH_TEST_SLOWDOWN=chase:5", NULL};

/* `pagebench run chase --reps REPS` (env: slowed or not) into root/NAME;
 * its run folder into dir */
static void make_run(const char *name, const char *reps, char *const *env, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", root, name);
	PB_CHECK_MSG(spawn_runl(bin, env, &o, "run", "chase", "--threads", "1", "--reps", reps,
				"--ops", "20000", "--results", res, NULL) == 0,
		     "%s: %s", name, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

/* The chase rows' verdicts of `compare base new --format json --out out`:
 * how many are UNDECIDED (each with a ratio, an interval and the advice),
 * and the summary's count; returns the exit code. */
static int judge(const char *base, const char *new_, const char *out, size_t *undecided)
{
	int rc = spawn_runl(bin, envv, &o, "compare", base, new_, "--out", out, "--force",
			    "--format", "json", NULL);
	json_error_t je;
	json_t *doc = json_loads(o.out, 0, &je), *x;
	PB_CHECK_MSG(doc != NULL, "JSON: %d: %s\n%s\n%s", je.line, je.text, o.out, o.err);
	size_t i, n = 0, chase = 0;
	json_array_foreach(json_object_get(doc, "rows"), i, x)
	{
		const char *v = json_string_value(json_object_get(x, "verdict")) ?: "";
		const char *k = json_string_value(json_object_get(x, "kernel")) ?: "";
		if (strcmp(k, "chase"))
			continue;
		chase++;
		if (strcmp(v, "UNDECIDED"))
			continue;
		n++;
		const char *d = json_string_value(json_object_get(x, "detail")) ?: "";
		PB_CHECK_MSG(strstr(d, "3 and 3 repetitions") && strstr(d, "0.1") &&
				 strstr(d, "--reps 4"),
			     "detail: %s", d);
		PB_CHECK(json_is_number(json_object_get(x, "ratio")));
		PB_CHECK(json_is_number(json_object_get(x, "ci95_lo")));
		PB_CHECK(json_is_number(json_object_get(x, "p_value")));
	}
	PB_CHECK_EQ_U64(chase, 1);
	json_t *s = json_object_get(json_object_get(doc, "summary"), "undecided");
	PB_CHECK_MSG(json_is_integer(s), "summary.undecided missing");
	PB_CHECK_EQ_U64((uint64_t)json_integer_value(s), n);
	json_decref(doc);
	/* compare.csv says the same */
	char p[4400], err[256];
	struct pb_csv t;
	snprintf(p, sizeof(p), "%s/compare.csv", out);
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	size_t m = 0;
	for (size_t r = 0; r < t.nrows; r++)
		m += !strcmp(pb_csv_get(&t, r, "kernel"), "chase") &&
		     !strcmp(pb_csv_get(&t, r, "verdict"), "UNDECIDED");
	PB_CHECK_EQ_U64(m, n);
	pb_csv_free(&t);
	*undecided = n;
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_undecided PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpundec") != NULL);
	char b3[4096], n3[4096], b4[4096], n4[4096], out[4300];
	make_run("b3", "3", envv, b3, sizeof(b3));
	make_run("n3", "3", slow, n3, sizeof(n3));
	snprintf(out, sizeof(out), "%s/out", root);

	/* 3 and 3, slowed 5x: UNDECIDED, exit 1, the text's summary says it */
	size_t u = 0;
	PB_CHECK_EQ_U64(judge(b3, n3, out, &u), 1);
	PB_CHECK_EQ_U64(u, 1);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", b3, n3, "--out", out, "--force", NULL),
			1);
	PB_CHECK_MSG(strstr(o.out, "UNDECIDED") && strstr(o.out, "1 undecided"), "%s", o.out);
	/* and a run against itself: as undecidable, not "same" */
	PB_CHECK_EQ_U64(judge(b3, b3, out, &u), 1);
	PB_CHECK_EQ_U64(u, 1);

	/* 4 and 4: the test can decide; whatever it calls, not UNDECIDED */
	make_run("b4", "4", envv, b4, sizeof(b4));
	make_run("n4", "4", slow, n4, sizeof(n4));
	judge(b4, n4, out, &u);
	PB_CHECK_EQ_U64(u, 0);
	PB_CHECK_EQ_U64(judge(b4, b4, out, &u), 0);
	PB_CHECK_EQ_U64(u, 0);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
