/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare says why, on run folders made by the real binary
 * (small --ops):
 *  - runs of kinds that share no file (summary.csv against sim.csv, sim.csv
 *    against mrc.csv, also pooled) are refused on one line naming both
 *    kinds, exit 2, with or without --allow-config-mismatch, and no --out
 *    folder made (until 2026-12-07: "configurations differ: config.seed
 *    is 1 ... but (absent)");
 *  - two `run` folders of different kernels (pt-lookup, chase): the kernel
 *    and what exists only because of it (config.kernel_params,
 *    config.kernel_resolved and config.baseline_params entries of a kernel
 *    the other run lacks) are notes, as docs/compare.md says; every row
 *    MISSING on one side, exit 1 (until 2026-12-07: exit 2 naming
 *    config.kernel_params.pt); the same kernel with another --param is
 *    still refused (config.options.param);
 *  - every `same` row has its reason in detail, in compare.csv (read back)
 *    and the JSON: a small significant change (ratio 0.99, every new
 *    repetition faster: p 0.002) and a run against itself (p 1) (detail
 *    was empty for both);
 *  - a label not set is null with its reason in not_available, in
 *    --machines' machines[] and in plain compare's base[] and new[] (""
 *    and {} until 2026-12-07).
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

#define LABEL_NA "not set (the run had no --label)"

/* `pagebench WORDS... --results root/NAME`, exit 0: its run folder into dir */
#define MAKE_RUN(name, dir, ...)                                                                   \
	do {                                                                                       \
		char res_[4200];                                                                   \
		snprintf(res_, sizeof(res_), "%s/%s", root, name);                                 \
		PB_CHECK_MSG(spawn_runl(bin, envv, &o, __VA_ARGS__, "--results", res_, NULL) == 0, \
			     "%s: %s", name, o.err);                                               \
		PB_CHECK(pbt_run_dirs(res_, dir, sizeof(dir)) == 1);                               \
	} while (0)

/* stdout of the last command as JSON (NULL and a failed check if not) */
static json_t *out_json(void)
{
	json_error_t je;
	json_t *d = json_loads(o.out, 0, &je);
	PB_CHECK_MSG(d != NULL, "JSON: %d: %s\n%s", je.line, je.text, o.out);
	return d;
}

/* A copy of run folder src as root/name, its runs.csv's measured
 * repetitions (warmup=0, thread=total) given ns_per_op first + k * step
 * (k: 0, 1, ...), written back through a quoting writer. */
static void copy_with_reps(const char *src, const char *name, double first, double step, char *dst,
			   size_t len)
{
	char cmd[9000], p[4400], err[256];
	snprintf(dst, len, "%s/%s", root, name);
	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s'", src, dst);
	PB_CHECK(system(cmd) == 0);
	snprintf(p, sizeof(p), "%s/runs.csv", dst);
	struct pb_csv t;
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	int wc = pb_csv_col(&t, "warmup"), tc = pb_csv_col(&t, "thread"),
	    nc = pb_csv_col(&t, "ns_per_op");
	PB_CHECK(wc >= 0 && tc >= 0 && nc >= 0);
	FILE *f = fopen(p, "w");
	PB_CHECK(f != NULL);
	if (!f || nc < 0) {
		pb_csv_free(&t);
		return;
	}
	int k = 0;
	for (size_t r = 0; r <= t.nrows; r++) {
		char val[64];
		int rep = r && !strcmp(pb_csv_cell(&t, r - 1, wc), "0") &&
			  !strcmp(pb_csv_cell(&t, r - 1, tc), "total");
		if (rep)
			snprintf(val, sizeof(val), "%.4f", first + step * k++);
		for (size_t c = 0; c < t.ncols; c++) {
			const char *v = r ? pb_csv_cell(&t, r - 1, (int)c) : t.header[c];
			if (rep && (int)c == nc)
				v = val;
			if (c)
				fputc(',', f);
			if (!strpbrk(v, ",\"\n")) {
				fputs(v, f);
				continue;
			}
			fputc('"', f);
			for (; *v; v++)
				fputs(*v == '"' ? "\"\"" : (char[]){*v, 0}, f);
			fputc('"', f);
		}
		fputc('\n', f);
	}
	fclose(f);
	PB_CHECK(k == 6);
	pb_csv_free(&t);
}

/* Every `same` row of the JSON (rows) and of out/compare.csv has a detail;
 * the row of experiment exp (NULL: none) contains want. */
static void check_same_detail(json_t *doc, const char *out, const char *exp, const char *want)
{
	json_t *rows = json_object_get(doc, "rows"), *row;
	size_t i, same = 0;
	json_array_foreach(rows, i, row)
	{
		if (strcmp(json_string_value(json_object_get(row, "verdict")) ?: "", "same"))
			continue;
		same++;
		const char *d = json_string_value(json_object_get(row, "detail"));
		PB_CHECK_MSG(d && d[0], "JSON row %zu: same without a detail", i);
		if (exp &&
		    !strcmp(json_string_value(json_object_get(row, "experiment")) ?: "", exp))
			PB_CHECK_MSG(d && strstr(d, want), "%s: detail '%s' lacks '%s'", exp,
				     d ?: "(null)", want);
	}
	PB_CHECK(same > 0);
	char p[4400], err[256];
	snprintf(p, sizeof(p), "%s/compare.csv", out);
	struct pb_csv t;
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	size_t csv_same = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		if (strcmp(pb_csv_get(&t, r, "verdict"), "same"))
			continue;
		csv_same++;
		PB_CHECK_MSG(pb_csv_get(&t, r, "detail")[0], "compare.csv line %zu: no detail",
			     t.line[r]);
	}
	PB_CHECK_EQ_U64(csv_same, same);
	pb_csv_free(&t);
}

/* entry's label is null with LABEL_NA in its not_available */
static void check_label_na(json_t *entry, const char *what)
{
	json_t *na = json_object_get(entry, "not_available");
	const char *why = json_string_value(json_object_get(na, "label"));
	PB_CHECK_MSG(json_is_null(json_object_get(entry, "label")), "%s: label not null", what);
	PB_CHECK_MSG(why && !strcmp(why, LABEL_NA), "%s: not_available.label '%s'", what,
		     why ?: "(none)");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_reasons PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpreasons") != NULL);
	char pt[4096], ptl[4096], hashed[4096], ch[4096], sim[4096], mrc[4096];
	char out[4300], none[4300], a[4300], b[4300];
	MAKE_RUN("pt", pt, "run", "pt-lookup", "--threads", "1", "--reps", "6", "--ops", "10000");
	MAKE_RUN("ptl", ptl, "run", "pt-lookup", "--threads", "1", "--reps", "2", "--ops", "10000",
		 "--label", "lab1");
	MAKE_RUN("hashed", hashed, "run", "pt-lookup", "--threads", "1", "--reps", "2", "--ops",
		 "10000", "--param", "pt=hashed");
	MAKE_RUN("chase", ch, "run", "chase", "--threads", "1", "--reps", "6", "--ops", "10000");
	MAKE_RUN("sim", sim, "sim", "--workload", "zipf:pages=500,refs=20000", "--policy", "lru",
		 "--frames", "50");
	MAKE_RUN("mrc", mrc, "mrc", "--workload", "zipf:pages=500,refs=20000", "--policy", "lru",
		 "--frames", "50:150:50");
	snprintf(out, sizeof(out), "%s/out", root);
	snprintf(none, sizeof(none), "%s/never", root);

	/* 1. kinds that share nothing: one line naming both, exit 2, before
	 * the --out folder is made */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", pt, sim, "--out", none, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "a run folder (summary.csv)") &&
			 strstr(o.err, "a sim folder (sim.csv)") &&
			 strstr(o.err, "nothing to compare") && strstr(o.err, pt) &&
			 strstr(o.err, sim) && !strstr(o.err, "configurations differ"),
		     "%s", o.err);
	PB_CHECK(access(none, F_OK) != 0);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", pt, sim, "--out", none,
				   "--allow-config-mismatch", NULL),
			2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "nothing to compare"), "%s", o.err);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", sim, mrc, "--out", none, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "a sim folder (sim.csv)") &&
			 strstr(o.err, "an mrc folder (mrc.csv)") &&
			 strstr(o.err, "nothing to compare"),
		     "%s", o.err);
	/* pooled: the odd one out on the NEW side is named */
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", "--out", none, pt, "--", pt, mrc, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "NEW") && strstr(o.err, mrc) &&
			 strstr(o.err, "an mrc folder (mrc.csv)"),
		     "%s", o.err);
	PB_CHECK(access(none, F_OK) != 0);

	/* 2. different kernels: notes, every row MISSING, exit 1 */
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", pt, ch, "--out", out, "--format", "json", NULL),
	    1);
	PB_CHECK_MSG(!strstr(o.err, "configurations differ") && !strstr(o.err, "WARNING"), "%s",
		     o.err);
	json_t *doc = out_json(), *x;
	size_t i, kernel_notes = 0;
	json_array_foreach(json_object_get(doc, "config_differences"), i, x)
	{
		const char *w = json_string_value(json_object_get(x, "what")) ?: "";
		PB_CHECK_MSG(json_is_false(json_object_get(x, "fatal")), "%s is fatal", w);
		kernel_notes += !strcmp(w, "config.kernel") || !strcmp(w, "config.kernel_params");
	}
	PB_CHECK_EQ_U64(kernel_notes, 2);
	size_t missing = 0;
	json_array_foreach(json_object_get(doc, "rows"), i, x)
	{
		const char *v = json_string_value(json_object_get(x, "verdict")) ?: "";
		const char *e = json_string_value(json_object_get(x, "experiment")) ?: "";
		PB_CHECK_MSG(!strcmp(v, !strcmp(e, "chase") ? "MISSING_IN_BASE" : "MISSING_IN_NEW"),
			     "%s: %s", e, v);
		missing++;
	}
	PB_CHECK(missing >= 2);
	json_decref(doc);
	{
		char p[4400], err[256];
		struct pb_csv t;
		snprintf(p, sizeof(p), "%s/compare.csv", out);
		PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
		PB_CHECK_EQ_U64(t.nrows, missing);
		for (size_t r = 0; r < t.nrows; r++)
			PB_CHECK(!strncmp(pb_csv_get(&t, r, "verdict"), "MISSING_IN_", 11));
		pb_csv_free(&t);
	}
	/* the same kernel with another --param still measures another thing */
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", pt, hashed, "--out", out, "--force", NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "configurations differ") &&
			 strstr(o.err, "param"),
		     "%s", o.err);

	/* 3. same: always a reason.  Ratio 0.99 (within 5%), every new
	 * repetition below every base one (p = 2/924): significant, not called */
	copy_with_reps(ch, "small_base", 10.0, 0.01, a, sizeof(a));
	copy_with_reps(ch, "small_new", 9.9, 0.01, b, sizeof(b));
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", a, b, "--out", out, "--force",
				   "--format", "json", NULL),
			0);
	doc = out_json();
	x = json_array_get(json_object_get(doc, "rows"), 0);
	PB_CHECK_MSG(!strcmp(json_string_value(json_object_get(x, "verdict")) ?: "", "same") &&
			 json_real_value(json_object_get(x, "p_value")) < 0.05,
		     "%s", o.out);
	check_same_detail(doc, out, "chase", "within the 5% threshold");
	json_decref(doc);
	/* a run against itself (normalised, p = 1) */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", pt, pt, "--out", out, "--force",
				   "--format", "json", NULL),
			0);
	doc = out_json();
	check_same_detail(doc, out, "pt-lookup", "not significant");

	/* 4. a label not set: null and why, in base[] and new[] ... */
	check_label_na(json_array_get(json_object_get(doc, "base"), 0), "base[0]");
	check_label_na(json_array_get(json_object_get(doc, "new"), 0), "new[0]");
	json_decref(doc);
	/* ... and --machines' machines[]; a label set stays a string */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", "--machines", ptl, pt, "--out", out,
				   "--force", "--format", "json", NULL),
			0);
	doc = out_json();
	json_t *ms = json_object_get(doc, "machines");
	PB_CHECK(!strcmp(json_string_value(json_object_get(json_array_get(ms, 0), "label")) ?: "",
			 "lab1"));
	PB_CHECK(
	    !json_object_get(json_object_get(json_array_get(ms, 0), "not_available"), "label"));
	check_label_na(json_array_get(ms, 1), "machines[1]");
	json_decref(doc);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
