/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare as a CI user meets it (a review, 2026-12-07), on run
 * folders made by the real binary (small --ops) and copies of them edited
 * through jansson and the project's CSV reader:
 *  - a suite run locally against the same suite run on Slurm (config.mode
 *    "slurm", a config.slurm_job_id) compares clean, exit 0 (exit 2,
 *    "configurations differ: config.mode is local ... but slurm", before);
 *  - a suite against a single run is compared with its one task of the
 *    run's kind and kernel or workload, named in the header and in JSON
 *    (suite_task), compare.csv read back; none or several such tasks: one
 *    line naming both sides' shapes, exit 2, no --out (exit 2 naming
 *    config.mode ... (absent) before, and ~10 bogus warnings with
 *    --allow-config-mismatch);
 *  - a negative or 0 ns_per_op in runs.csv, a negative median in
 *    summary.csv (also for --machines): exit 2 naming file, line and
 *    column (a repetition before; a 0 made the row NA, "a median of 0
 *    ns/op", exit 1);
 *  - --machines with cpu_round_trip.start NA uses the end's figure and
 *    says so, NA with meta.json's reason where neither was measured
 *    (text, JSON, machines.csv read back); the >1.5x note works with
 *    whichever was used and prints one decimal (NA ns with no reason, no
 *    note, and 105.59999999999999 before);
 *  - runs.csv and summary.csv cut alike at a row boundary, or sim.csv: exit
 *    2 naming the file and what meta.json says is missing (MISSING, exit
 *    1, before); legitimate folders still compare: --no-baseline, a
 *    suite with a failed task, a partial suite;
 *  - cosmetics: an empty value shown as "", which side ran baselines, the
 *    --mode normalised fallback said, --machines of one run twice warned.
 * (--threshold 0.05 without %: tests/harness/test_compare.c.)
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h" /* pb_csv_fput: the writer pagebench's CSVs use */
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};

static char *path(const char *fmt, ...)
{
	static char bufs[8][4600];
	static int k;
	char *b = bufs[k++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* `pagebench WORDS... --results root/NAME`: its run folder into dir */
#define MAKE_RUN(want, name, dir, ...)                                                             \
	do {                                                                                       \
		char res_[4200];                                                                   \
		snprintf(res_, sizeof(res_), "%s/%s", root, name);                                 \
		PB_CHECK_MSG(spawn_runl(bin, envv, &o, __VA_ARGS__, "--results", res_, NULL) ==    \
				 (want),                                                           \
			     "%s: %s", name, o.err);                                               \
		PB_CHECK(pbt_run_dirs(res_, dir, sizeof(dir)) == 1);                               \
	} while (0)

static int compare(const char *const *args)
{
	char *argv[24] = {(char *)bin, "compare"};
	int n = 2;
	for (; args[n - 2] && n < 23; n++)
		argv[n] = (char *)args[n - 2];
	argv[n] = NULL;
	return spawn_run(argv, envv, &o);
}

static int sh(const char *cmd)
{
	return system(cmd);
}

/* A copy of run folder src as root/name, into dst */
static void copy(const char *src, const char *name, char *dst, size_t len)
{
	snprintf(dst, len, "%s/%s", root, name);
	PB_CHECK(sh(path("cp -R '%s' '%s'", src, dst)) == 0);
}

/* The rows of file where column col is val (and col2 val2, if col2):
 * dropped (setcol NULL), or setcol set to setval in the first of them
 * only; written back through a quoting writer.  The rows matched. */
static int csv_edit(const char *file, const char *col, const char *val, const char *col2,
		    const char *val2, const char *setcol, const char *setval)
{
	struct pb_csv t;
	char err[512];
	PB_CHECK_MSG(pb_csv_read_file(file, &t, err, sizeof(err)) == 0, "%s", err);
	int c = pb_csv_col(&t, col), c2 = col2 ? pb_csv_col(&t, col2) : -1,
	    cs = setcol ? pb_csv_col(&t, setcol) : -1;
	PB_CHECK(c >= 0 && (!col2 || c2 >= 0) && (!setcol || cs >= 0));
	FILE *f = fopen(file, "w");
	PB_CHECK(f != NULL);
	int hits = 0;
	for (size_t r = 0; f && r <= t.nrows; r++) {
		int hit = r && !strcmp(pb_csv_cell(&t, r - 1, c), val) &&
			  (!col2 || !strcmp(pb_csv_cell(&t, r - 1, c2), val2));
		hits += hit;
		if (hit && !setcol)
			continue;
		for (size_t k = 0; k < t.ncols; k++) {
			const char *v = r ? pb_csv_cell(&t, r - 1, (int)k) : t.header[k];
			if (hit && hits == 1 && (int)k == cs)
				v = setval;
			pb_csv_fput(f, v, k + 1 == t.ncols);
		}
	}
	if (f)
		fclose(f);
	pb_csv_free(&t);
	return hits;
}

/* meta.json of dir, edited by fn, written back */
static void meta_edit(const char *dir, void (*fn)(json_t *m, const void *arg), const void *arg)
{
	json_t *m = pbt_meta(dir);
	if (!m)
		return;
	fn(m, arg);
	PB_CHECK(json_dump_file(m, path("%s/meta.json", dir), JSON_INDENT(2)) == 0);
	json_decref(m);
}

static void set_slurm(json_t *m, const void *arg)
{
	(void)arg;
	json_t *c = json_object_get(m, "config");
	PB_CHECK(!strcmp(json_string_value(json_object_get(c, "mode")) ?: "", "local"));
	json_object_set_new(c, "mode", json_string("slurm"));
	json_object_set_new(c, "slurm_job_id", json_string("4242"));
}

static void set_empty_option(json_t *m, const void *arg)
{
	(void)arg;
	json_object_set_new(json_object_get(json_object_get(m, "config"), "options"), "extra",
			    json_string(""));
}

/* cpu_round_trip: start NA with a reason, end the given median (arg: a
 * double; NAN: NA too) */
static void set_round_trip(json_t *m, const void *arg)
{
	double end = *(const double *)arg;
	json_t *rt = json_object_get(m, "cpu_round_trip");
	PB_CHECK(json_is_object(rt));
	json_t *s = json_object_get(rt, "start"), *e = json_object_get(rt, "end");
	json_object_set_new(s, "median_ns", json_null());
	json_object_set_new(s, "na",
			    json_string("no round trip within 0.2 s (the partner CPU is busy)"));
	json_object_set_new(e, "median_ns", !isnan(end) ? json_real(end) : json_null());
	json_object_set_new(e, "na",
			    !isnan(end) ? json_null()
					: json_string("no round trip within 0.2 s (test, end)"));
}

static void set_start(json_t *m, const void *arg)
{
	json_t *s = json_object_get(json_object_get(m, "cpu_round_trip"), "start");
	json_object_set_new(s, "median_ns", json_real(*(const double *)arg));
	json_object_set_new(s, "na", json_null());
}

/* the JSON of stdout (NULL and a failed check if not) */
static json_t *out_json(void)
{
	json_error_t je;
	json_t *d = json_loads(o.out, 0, &je);
	PB_CHECK_MSG(d != NULL, "JSON: %d: %s\n%s", je.line, je.text, o.out);
	return d;
}

/* compare.csv in dir read back: its rows, -1 if it cannot be read */
static long csv_rows(const char *dir)
{
	struct pb_csv t;
	char err[512];
	if (pb_csv_read_file(path("%s/compare.csv", dir), &t, err, sizeof(err)))
		return -1;
	long n = (long)t.nrows;
	pb_csv_free(&t);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_review PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpreview") != NULL);
	char run[4200], nb[4200], sim[4200], ch[4200], suite[4200], two[4200], fsuite[4200];
	char out[4400], x[4400], y[4400];
	snprintf(out, sizeof(out), "%s/out", root);
	const char *wl = "zipf:pages=2000,refs=20000,seed=1";
	MAKE_RUN(0, "run", run, "run", "pt-lookup", "--threads", "1,2", "--reps", "6", "--ops",
		 "50K");
	MAKE_RUN(0, "nb", nb, "run", "pt-lookup", "--threads", "1,2", "--reps", "6", "--ops", "50K",
		 "--no-baseline");
	MAKE_RUN(0, "sim", sim, "sim", "--workload", wl, "--policy", "lru,clock", "--frames",
		 "100,400", "--reps", "2");
	MAKE_RUN(0, "chase", ch, "run", "chase", "--threads", "1", "--reps", "6", "--ops", "20K");
	pbt_write_text(path("%s/s.suite", root),
		       "run pt-lookup --threads 1,2 --reps 6 --ops 50K\n"
		       "sim --workload zipf:pages=2000,refs=20000,seed=1 --policy lru,clock "
		       "--frames 100,400 --reps 2\n");
	MAKE_RUN(0, "suite", suite, "suite", path("%s/s.suite", root));
	pbt_write_text(path("%s/two.suite", root),
		       "run pt-lookup --threads 1 --reps 6 --ops 50K\n"
		       "run pt-lookup --threads 1 --reps 6 --ops 20K\n");
	MAKE_RUN(0, "two", two, "suite", path("%s/two.suite", root));
	/* a failed task (checked when it runs) */
	pbt_write_text(path("%s/f.suite", root),
		       "run pt-lookup --threads 1 --reps 6 --ops 50K --no-baseline\n"
		       "run chase --threads 0 --reps 2\n"
		       "sim --workload zipf:pages=2000,refs=20000,seed=1 --policy lru --frames "
		       "100,400 --reps 2\n");
	MAKE_RUN(1, "fsuite", fsuite, "suite", path("%s/f.suite", root));
	char task1[4400], task2[4400];
	PB_CHECK(pbt_glob_one(path("%s/tasks/001/2*", suite), task1, sizeof(task1)) == 0);
	PB_CHECK(pbt_glob_one(path("%s/tasks/002/2*", suite), task2, sizeof(task2)) == 0);

	/* 1. the same suite run on Slurm: config.mode and slurm_job_id are how
	 * its tasks were launched, not compared */
	copy(suite, "slurm", x, sizeof(x));
	meta_edit(x, set_slurm, NULL);
	PB_CHECK_EQ_U64(compare((const char *[]){suite, x, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(!strstr(o.err, "config.mode") && !strstr(o.out, "config.mode") &&
			 !strstr(o.out, "slurm_job_id"),
		     "%s%s", o.err, o.out);

	/* 2. a suite against a single run: its one task of the run's kind and
	 * kernel (a copy of that task's folder: the same repetitions) */
	copy(task1, "task1", x, sizeof(x));
	copy(task2, "task2", y, sizeof(y));
	PB_CHECK_EQ_U64(compare((const char *[]){suite, x, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(!o.err[0] &&
			 strstr(o.out, path("suite %s, task 1 of 2 (run pt-lookup", suite)),
		     "%s%s", o.err, o.out);
	PB_CHECK(csv_rows(out) == 4); /* pt-lookup and its baseline, 1 and 2 threads */
	PB_CHECK_EQ_U64(
	    compare((const char *[]){x, suite, "--out", out, "--force", "--format", "json", NULL}),
	    0);
	json_t *d = out_json();
	json_t *b0 = json_array_get(json_object_get(d, "base"), 0),
	       *n0 = json_array_get(json_object_get(d, "new"), 0);
	PB_CHECK(json_is_null(json_object_get(b0, "suite_task")));
	PB_CHECK_MSG(
	    strstr(json_string_value(json_object_get(n0, "suite_task")) ?: "", "task 1 of 2"), "%s",
	    o.out);
	PB_CHECK(!strcmp(json_string_value(json_object_get(n0, "dir")) ?: "", task1));
	PB_CHECK(json_array_size(json_object_get(d, "rows")) == 4);
	json_decref(d);
	/* the sim task against a sim run */
	PB_CHECK_EQ_U64(compare((const char *[]){suite, y, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "task 2 of 2 (sim") && strstr(o.out, "8 replay row(s)"), "%s",
		     o.out);
	/* none, or several: one line naming both sides' shapes, no --out */
	char out2[4400];
	snprintf(out2, sizeof(out2), "%s/out2", root);
	PB_CHECK_EQ_U64(compare((const char *[]){suite, ch, "--out", out2, NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "BASE") &&
			 strstr(o.err, "is a suite of 2 task(s), NEW") &&
			 strstr(o.err, "a single run") && strstr(o.err, "none of its tasks") &&
			 strstr(o.err, "kernel chase") && !strstr(o.err, "(absent)"),
		     "%s", o.err);
	PB_CHECK(access(out2, F_OK) != 0);
	PB_CHECK_EQ_U64(
	    compare((const char *[]){run, two, "--out", out2, "--allow-config-mismatch", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "NEW") &&
			 strstr(o.err, "is a suite of 2 task(s), BASE") &&
			 strstr(o.err, "tasks 1, 2") && strstr(o.err, "kernel pt-lookup"),
		     "%s", o.err);
	PB_CHECK(access(out2, F_OK) != 0);

	/* 3, 4. a time per op of 0 or below is no measurement: refused as
	 * "3.4x" is, naming file, line and column, in either mode */
	static const char *const bad_times[] = {"-3.2", "0", "-0"};
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		snprintf(x, sizeof(x), "%s/time%zu", root, i);
		PB_CHECK(sh(path("rm -rf '%s' && cp -R '%s' '%s'", x, run, x)) == 0);
		PB_CHECK(csv_edit(path("%s/runs.csv", x), "kernel", "pt-lookup", "warmup", "0",
				  "ns_per_op", bad_times[i]) > 0);
		for (int raw = 0; raw < 2; raw++) {
			PB_CHECK_EQ_U64(
			    compare((const char *[]){x, run, "--out", out, "--force", "--mode",
						     raw ? "raw" : "auto", NULL}),
			    2);
			PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "runs.csv:") &&
					 strstr(o.err, "(ns_per_op): '") &&
					 strstr(o.err, bad_times[i]) &&
					 strstr(o.err, "a time per op"),
				     "%s: %s", bad_times[i], o.err);
		}
	}
	/* a negative median in summary.csv, for compare and --machines */
	copy(run, "negmed", x, sizeof(x));
	PB_CHECK(csv_edit(path("%s/summary.csv", x), "kernel", "pt-lookup", "thread", "total",
			  "median_ns_per_op", "-1.5") == 2);
	PB_CHECK_EQ_U64(compare((const char *[]){run, x, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "summary.csv:") &&
			 strstr(o.err, "(median_ns_per_op): '-1.5'"),
		     "%s", o.err);
	copy(run, "negops", x, sizeof(x));
	PB_CHECK(csv_edit(path("%s/summary.csv", x), "kernel", "pt-lookup", "thread", "total",
			  "median_ops_per_s", "-2e8") == 2);
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", run, x, "--out", out, "--force",
						 "--format", "json", NULL}),
			2);
	/* (and a warning: the copy is the same run) */
	PB_CHECK_MSG(count_lines(o.err) == 2 && strstr(o.err, "summary.csv:") &&
			 strstr(o.err, "(median_ops_per_s): '-2e8'") && !o.out[0],
		     "%s", o.err);
	/* a negative count in sim.csv */
	copy(sim, "negcount", x, sizeof(x));
	PB_CHECK(csv_edit(path("%s/sim.csv", x), "policy", "lru", NULL, NULL, "faults", "-5") == 4);
	PB_CHECK_EQ_U64(compare((const char *[]){sim, x, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "sim.csv:") &&
			 strstr(o.err, "(faults): '-5'"),
		     "%s", o.err);

	/* 5. the round trip: the end's figure where the start's is NA, said;
	 * NA with meta.json's reason where neither */
	char rte[4400], rtn[4400];
	double end = 329.7, nan_ = NAN, start = 105.6;
	copy(run, "rt_end", rte, sizeof(rte));
	meta_edit(rte, set_round_trip, &end);
	copy(run, "rt_none", rtn, sizeof(rtn));
	meta_edit(rtn, set_round_trip, &nan_);
	char mo[4400];
	snprintf(mo, sizeof(mo), "%s/mo", root);
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", rte, rtn, "--out", mo, NULL}), 0);
	PB_CHECK_MSG(strstr(o.out,
			    "round trip between CPUs: 329.7 ns (at the run's end; at its "
			    "start: no round trip within 0.2 s (the partner CPU is busy))") &&
			 strstr(o.out, "round trip between CPUs: NA (no round trip within 0.2 s "
				       "(the partner CPU is busy))") &&
			 !strstr(o.out, "NA ns"),
		     "%s", o.out);
	{
		struct pb_csv t;
		char err[512];
		PB_CHECK_MSG(pb_csv_read_file(path("%s/machines.csv", mo), &t, err, sizeof(err)) ==
				 0,
			     "%s", err);
		int c = pb_csv_col(&t, "cpu_round_trip_ns"), rd = pb_csv_col(&t, "run_dir");
		PB_CHECK(c >= 0 && rd >= 0 && t.nrows > 0);
		for (size_t r = 0; c >= 0 && rd >= 0 && r < t.nrows; r++)
			PB_CHECK_MSG(!strcmp(pb_csv_cell(&t, r, c),
					     !strcmp(pb_csv_cell(&t, r, rd), rte) ? "329.7" : "NA"),
				     "row %zu: %s", r, pb_csv_cell(&t, r, c));
		pb_csv_free(&t);
	}
	/* the document is larger than spawn_out's buffer: into a file */
	PB_CHECK(sh(path("PAGEBENCH_NO_FIGURES=1 '%s' compare --machines '%s' '%s' --out '%s' "
			 "--force --format json > '%s/m.json' 2>/dev/null",
			 bin, rte, rtn, mo, root)) == 0);
	d = json_load_file(path("%s/m.json", root), 0, NULL);
	PB_CHECK(d != NULL);
	json_t *ms = json_object_get(d, "machines");
	json_t *m0 = json_array_get(ms, 0), *m1 = json_array_get(ms, 1);
	PB_CHECK(json_is_number(json_object_get(m0, "cpu_round_trip_ns")) &&
		 json_number_value(json_object_get(m0, "cpu_round_trip_ns")) == 329.7);
	PB_CHECK(!strcmp(json_string_value(json_object_get(m0, "cpu_round_trip_at")) ?: "", "end"));
	PB_CHECK(json_is_null(json_object_get(m1, "cpu_round_trip_ns")) &&
		 json_is_null(json_object_get(m1, "cpu_round_trip_at")));
	PB_CHECK(!strcmp(json_string_value(json_object_get(json_object_get(m1, "not_available"),
							   "cpu_round_trip_ns"))
			     ?: "",
			 "no round trip within 0.2 s (the partner CPU is busy)"));
	json_decref(d);
	/* the >1.5x note with a start against an end, and two starts, one
	 * decimal as meta.json holds them */
	copy(run, "rt_start", x, sizeof(x));
	meta_edit(x, set_start, &start);
	PB_CHECK_EQ_U64(compare((const char *[]){x, rte, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "note: cpu_round_trip.start.median_ns in ") &&
			 strstr(o.out, "cpu_round_trip.end.median_ns in ") &&
			 strstr(o.out, "differs: 105.6 (") && strstr(o.out, "vs 329.7 ("),
		     "%s", o.out);
	double start2 = 327.6;
	copy(run, "rt_start2", y, sizeof(y));
	meta_edit(y, set_start, &start2);
	PB_CHECK_EQ_U64(compare((const char *[]){x, y, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.out, "note: cpu_round_trip.start.median_ns (ns;") &&
			 strstr(o.out, "differs: 105.6 (") && strstr(o.out, "vs 327.6 (") &&
			 !strstr(o.out, "105.5999"),
		     "%s", o.out);

	/* 6. CSVs cut alike at a row boundary: meta.json says what must be
	 * there; bad input, exit 2, not a vanished experiment */
	copy(run, "cut2", x, sizeof(x));
	PB_CHECK(csv_edit(path("%s/runs.csv", x), "threads", "2", NULL, NULL, NULL, NULL) > 0);
	PB_CHECK(csv_edit(path("%s/summary.csv", x), "threads", "2", NULL, NULL, NULL, NULL) > 0);
	PB_CHECK_EQ_U64(compare((const char *[]){run, x, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "summary.csv: no total row for '") &&
			 strstr(o.err, "threads=2'") && strstr(o.err, "meta.json lists"),
		     "%s", o.err);
	copy(sim, "simcut", x, sizeof(x));
	PB_CHECK(csv_edit(path("%s/sim.csv", x), "policy", "clock", "frames", "400", NULL, NULL) ==
		 2);
	PB_CHECK_EQ_U64(compare((const char *[]){sim, x, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "sim.csv: 6 row(s)") &&
			 strstr(o.err, "2 policies x 2 frame counts") && strstr(o.err, "= 8"),
		     "%s", o.err);
	/* in a suite: a task's rows (its run_id) against its own meta.json */
	copy(suite, "suitecut", x, sizeof(x));
	PB_CHECK(csv_edit(path("%s/sim.csv", x), "policy", "clock", NULL, NULL, NULL, NULL) == 4);
	PB_CHECK_EQ_U64(compare((const char *[]){suite, x, "--out", out, "--force", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "sim.csv: 4 row(s) of run ") &&
			 strstr(o.err, "task 2's "),
		     "%s", o.err);
	/* legitimate folders are not refused: --no-baseline (its baselines
	 * MISSING, exit 1, the header naming the side that ran them), a suite
	 * with a failed task, and one with a task without a result */
	PB_CHECK_EQ_U64(compare((const char *[]){nb, nb, "--out", out, "--force", NULL}), 0);
	PB_CHECK_EQ_U64(compare((const char *[]){run, nb, "--out", out, "--force", NULL}), 1);
	PB_CHECK_MSG(strstr(o.out, "(only BASE ran baselines)") &&
			 !strstr(o.out, "no baselines on both sides"),
		     "%s", o.out);
	PB_CHECK_EQ_U64(compare((const char *[]){nb, nb, "--out", out, "--force", "--mode",
						 "normalised", NULL}),
			0);
	PB_CHECK_MSG(
	    strstr(o.out, "(--mode normalised, but neither side ran baselines: judged raw)"), "%s",
	    o.out);
	PB_CHECK_EQ_U64(compare((const char *[]){fsuite, fsuite, "--out", out, "--force", NULL}),
			0);
	PB_CHECK_MSG(strstr(o.err, "status is 'failed'") && !strstr(o.err, "cut short"), "%s",
		     o.err);
	copy(fsuite, "partial", x, sizeof(x));
	PB_CHECK(sh(path("rm -rf '%s/tasks/003'", x)) == 0);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "merge", x, NULL) == 1, "merge: %s", o.err);
	json_t *pm = pbt_meta(x);
	PB_CHECK(!strcmp(json_string_value(json_object_get(pm, "status")) ?: "", "partial"));
	json_decref(pm);
	PB_CHECK_EQ_U64(compare((const char *[]){x, x, "--out", out, "--force", NULL}), 0);
	PB_CHECK_MSG(strstr(o.err, "status is 'partial'") && !strstr(o.err, "cut short"), "%s",
		     o.err);

	/* cosmetics: an empty value is "", not a blank; one run twice */
	copy(run, "empty", x, sizeof(x));
	meta_edit(x, set_empty_option, NULL);
	PB_CHECK_EQ_U64(compare((const char *[]){x, run, "--out", out, "--force",
						 "--allow-config-mismatch", NULL}),
			0);
	PB_CHECK_MSG(strstr(o.out, "config.options.extra differs: \"\" (") &&
			 strstr(o.err, "config.options.extra is \"\" vs (absent)"),
		     "%s%s", o.out, o.err);
	copy(run, "again", x, sizeof(x));
	PB_CHECK_EQ_U64(compare((const char *[]){"--machines", run, x, "--out", mo, "--force",
						 "--format", "csv", NULL}),
			0);
	PB_CHECK_MSG(strstr(o.err, "are the same run (run_id ") && strstr(o.err, "shown twice"),
		     "%s", o.err);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
