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
 *    and {} until 2026-12-07), and in its rows where summary.csv has no
 *    label column;
 *  - every run shares a kind with all the others: a suite folder of
 *    summary.csv and sim.csv against a run folder pooled with a sim folder
 *    is refused as above (each was checked against the first BASE run
 *    alone until 2026-12-07: configurations differ, or with
 *    --allow-config-mismatch exit 0, each NEW run's rows pooled alone);
 *  - a kernel's parameters are notes only between two runs that both name
 *    a kernel, and only at config.params, config.kernel_params and
 *    config.options.param: a run without config.kernel against one with
 *    it and another config.kernel_params.pt, and a kernel_resolved entry
 *    both runs have whose "params" differ, are refused (notes, exit 0 and
 *    1, until 2026-12-07);
 *  - sim's config.cost (recorded since 2026-12-07) absent on one side is
 *    a note, exit 0; other device constants are refused, exit 2;
 *  - config.tlb.geometry without l1_2m (before 2026-12-07) against the
 *    same named profile's is a note, exit 0; two custom geometries that
 *    differ are refused, exit 2;
 *  - the small change's detail is the significant wording, the run
 *    against itself the not significant one (each matched either).
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

/* One CSV cell, quoted where it needs to be */
static void put_cell(FILE *f, const char *v)
{
	if (!strpbrk(v, ",\"\n")) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++)
		fputs(*v == '"' ? "\"\"" : (char[]){*v, 0}, f);
	fputc('"', f);
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
			put_cell(f, v);
		}
		fputc('\n', f);
	}
	fclose(f);
	PB_CHECK(k == 6);
	pb_csv_free(&t);
}

/* dir/summary.csv without its label column (a run made before it) */
static void drop_label_col(const char *dir)
{
	char p[4400], err[256];
	snprintf(p, sizeof(p), "%s/summary.csv", dir);
	struct pb_csv t;
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	int lc = pb_csv_col(&t, "label");
	PB_CHECK(lc >= 0);
	FILE *f = fopen(p, "w");
	PB_CHECK(f != NULL);
	for (size_t r = 0; f && r <= t.nrows; r++) {
		int first = 1;
		for (size_t c = 0; c < t.ncols; c++) {
			if ((int)c == lc)
				continue;
			if (!first)
				fputc(',', f);
			first = 0;
			put_cell(f, r ? pb_csv_cell(&t, r - 1, (int)c) : t.header[c]);
		}
		fputc('\n', f);
	}
	PB_CHECK(f && fclose(f) == 0);
	pb_csv_free(&t);
}

/* A copy of run folder src as root/name (its path into dst) */
static void copy_run(const char *src, const char *name, char *dst, size_t len)
{
	char cmd[9000];
	snprintf(dst, len, "%s/%s", root, name);
	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s'", src, dst);
	PB_CHECK(system(cmd) == 0);
}

/* dir/meta.json's config, changed by set (its meta.json object), written
 * back */
static void edit_config(const char *dir, void (*set)(json_t *config))
{
	char p[4400];
	json_error_t je;
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	json_t *m = json_load_file(p, 0, &je);
	PB_CHECK_MSG(json_is_object(json_object_get(m, "config")), "%s: %s", p, je.text);
	if (!m)
		return;
	set(json_object_get(m, "config"));
	PB_CHECK(json_dump_file(m, p, JSON_INDENT(1)) == 0);
	json_decref(m);
}

/* a run made before config.kernel, of another pt */
static void set_no_kernel(json_t *c)
{
	json_object_del(c, "kernel");
	json_object_set_new(json_object_get(c, "kernel_params"), "pt", json_string("hashed"));
}

/* a sim run made before config.cost (2026-12-07) */
static void set_no_cost(json_t *c)
{
	json_object_del(c, "cost");
}

/* a sim run with other device constants: each number of config.cost doubled */
static void set_other_cost(json_t *c)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(c, "cost"), k, v)
	{
		if (json_is_number(v))
			json_real_set(v, json_number_value(v) * 2 + 1);
	}
}

/* a sim run made before config.tlb.geometry listed l1_2m (2026-12-07) */
static void set_old_geometry(json_t *c)
{
	json_t *tlb = json_object_get(c, "tlb");
	const char *g = json_string_value(json_object_get(tlb, "geometry"));
	const char *l = g ? strstr(g, ",l1_2m=") : NULL;
	PB_CHECK_MSG(l != NULL, "config.tlb.geometry %s", g ? g : "(none)");
	if (l)
		json_object_set_new(tlb, "geometry", json_stringn(g, (size_t)(l - g)));
}

/* a --tlb geometry of the user's (profile custom) */
static void set_custom_tlb(json_t *c)
{
	json_object_set_new(json_object_get(c, "tlb"), "profile", json_string("custom"));
}

/* dir/meta.json's config (leaked: one per test run) */
static json_t *meta_config(const char *dir)
{
	char p[4400];
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	json_t *m = json_load_file(p, 0, NULL);
	return json_object_get(m, "config");
}

/* kernel_resolved's pt-baseline-array entry, with a key named params */
static void set_resolved(json_t *c, const char *params)
{
	json_t *kr = json_object_get(c, "kernel_resolved");
	if (!kr)
		json_object_set_new(c, "kernel_resolved", kr = json_object());
	json_t *e = json_pack("{s:{s:i, s:s}, s:s}", "pages", "value", 4096, "why",
			      "the kernel's default", "params", params);
	json_object_set_new(kr, "pt-baseline-array", e);
}

static void set_resolved_one(json_t *c)
{
	set_resolved(c, "one");
}

static void set_resolved_two(json_t *c)
{
	set_resolved(c, "two");
}

/* Every `same` row of the JSON (rows) and of out/compare.csv has a detail;
 * the row of experiment exp (NULL: none) begins with want ("not
 * significant (p=" contains "significant (p="). */
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
			PB_CHECK_MSG(d && !strncmp(d, want, strlen(want)),
				     "%s: detail '%s' does not begin with '%s'", exp, d ?: "(null)",
				     want);
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

/* rows of machine (its name, in machines[]) in --machines' JSON doc: how
 * many, each label want (NULL: null with LABEL_NA as its reason) */
static size_t check_row_labels(json_t *doc, const char *machine, const char *want)
{
	json_t *row;
	size_t i, n = 0;
	json_array_foreach(json_object_get(doc, "rows"), i, row)
	{
		if (strcmp(json_string_value(json_object_get(row, "machine")) ?: "", machine))
			continue;
		n++;
		if (want)
			PB_CHECK_MSG(
			    !strcmp(json_string_value(json_object_get(row, "label")) ?: "", want),
			    "rows[%zu]: label not %s", i, want);
		else
			check_label_na(row, "a row");
	}
	return n;
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
	/* a suite folder of both kinds: summary.csv and sim.csv */
	char suite_file[4200], suite[4096];
	snprintf(suite_file, sizeof(suite_file), "%s/mix.suite", root);
	pbt_write_text(suite_file,
		       "run chase --threads 1 --reps 4 --ops 10000\n"
		       "sim --workload zipf:pages=500,refs=20000 --policy lru --frames 50\n");
	MAKE_RUN("suite", suite, "suite", suite_file);
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
	/* each NEW run shares a kind with the suite, not with the other: the
	 * two named, with or without --allow-config-mismatch */
	for (int allow = 0; allow < 2; allow++) {
		PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", "--out", none,
					   allow ? "--allow-config-mismatch" : "--force", suite,
					   "--", ch, sim, NULL),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "nothing to compare") &&
				 strstr(o.err, "NEW") && strstr(o.err, ch) && strstr(o.err, sim) &&
				 strstr(o.err, "a run folder (summary.csv)") &&
				 strstr(o.err, "a sim folder (sim.csv)"),
			     "%s", o.err);
	}
	PB_CHECK(access(none, F_OK) != 0);
	/* the suite against itself: both kinds in common, compared */
	char out_suite[4300];
	snprintf(out_suite, sizeof(out_suite), "%s/out_suite", root);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", "--out", out_suite, suite, suite, NULL), 0);
	PB_CHECK_MSG(strstr(o.out, "replay row(s) with identical counts"), "%s", o.out);

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
	/* one run without config.kernel: its kernel parameters compared */
	copy_run(pt, "nokernel", a, sizeof(a));
	edit_config(a, set_no_kernel);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", pt, a, "--out", out, "--force", NULL),
			2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "configurations differ") &&
			 strstr(o.err, "config.kernel_params.pt is radix"),
		     "%s", o.err);
	/* different kernels: a key named params deeper down, in a
	 * kernel_resolved entry both have, is no kernel parameter */
	copy_run(pt, "deep_a", a, sizeof(a));
	copy_run(ch, "deep_b", b, sizeof(b));
	edit_config(a, set_resolved_one);
	edit_config(b, set_resolved_two);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", a, b, "--out", out, "--force", NULL),
			2);
	PB_CHECK_MSG(count_lines(o.err) == 1 &&
			 strstr(o.err, "config.kernel_resolved.pt-baseline-array.params is one"),
		     "%s", o.err);
	/* sim's device constants: a run made before config.cost was recorded
	 * compares (a note); other constants are refused */
	PB_CHECK(json_is_object(json_object_get(meta_config(sim), "cost")));
	copy_run(sim, "nocost", a, sizeof(a));
	edit_config(a, set_no_cost);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "compare", sim, a, "--out", out, "--force", NULL) ==
			 0,
		     "%s", o.err);
	copy_run(sim, "othercost", b, sizeof(b));
	edit_config(b, set_other_cost);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", sim, b, "--out", out, "--force", NULL),
			2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "configurations differ") &&
			 strstr(o.err, "config.cost."),
		     "%s", o.err);
	/* the TLB profile's geometry as an older run wrote it: a note; the
	 * same difference between two custom geometries is refused */
	copy_run(sim, "oldgeo", a, sizeof(a));
	edit_config(a, set_old_geometry);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "compare", sim, a, "--out", out, "--force", NULL) ==
			 0,
		     "%s", o.err);
	copy_run(sim, "custom_a", b, sizeof(b));
	edit_config(b, set_custom_tlb);
	edit_config(a, set_custom_tlb);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", b, a, "--out", out, "--force", NULL),
			2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "config.tlb.geometry"), "%s", o.err);

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
	check_same_detail(doc, out, "chase", "significant (p=");
	x = json_array_get(json_object_get(doc, "rows"), 0);
	PB_CHECK_MSG(strstr(json_string_value(json_object_get(x, "detail")) ?: "",
			    "x is within the 5% threshold"),
		     "%s", o.out);
	json_decref(doc);
	/* a run against itself (normalised, p = 1) */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", pt, pt, "--out", out, "--force",
				   "--format", "json", NULL),
			0);
	doc = out_json();
	check_same_detail(doc, out, "pt-lookup",
			  "within the 5% threshold (1.000x) and not significant (p=1)");

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
	const char *m0 = json_string_value(json_object_get(json_array_get(ms, 0), "machine")),
		   *m1 = json_string_value(json_object_get(json_array_get(ms, 1), "machine"));
	PB_CHECK(m0 && m1 && check_row_labels(doc, m0, "lab1") > 0 &&
		 check_row_labels(doc, m1, NULL) > 0);
	json_decref(doc);
	/* the rows' labels where summary.csv has no label column: the run's */
	copy_run(ptl, "nolabelcol_l", a, sizeof(a));
	copy_run(pt, "nolabelcol", b, sizeof(b));
	drop_label_col(a);
	drop_label_col(b);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", "--machines", a, b, "--out", out,
				   "--force", "--format", "json", NULL),
			0);
	doc = out_json();
	ms = json_object_get(doc, "machines");
	m0 = json_string_value(json_object_get(json_array_get(ms, 0), "machine"));
	m1 = json_string_value(json_object_get(json_array_get(ms, 1), "machine"));
	PB_CHECK(m0 && m1 && check_row_labels(doc, m0, "lab1") > 0 &&
		 check_row_labels(doc, m1, NULL) > 0);
	json_decref(doc);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
