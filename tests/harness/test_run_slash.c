/* SPDX-License-Identifier: MIT */
/*
 * A results root given with a trailing '/' (`--results out/`,
 * PAGEBENCH_RESULTS=out/) makes run folders named with one '/' between
 * root and folder: the path `run` prints ("results: out/2026...") and every
 * path in meta.json (run_dir, ...) has no "//" (until 2026-12-07:
 * "out//20261207T...").  The join (pb_path_join, harness/util.c) adds a '/'
 * only where the folder lacks one.  `sim --results out/` likewise, and
 * compare's paths in a run folder given as "RUN/" (cmp_path).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "internal.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096];
static struct spawn_out o;

static void join(const char *dir, const char *name, const char *want)
{
	char buf[64];
	int n = pb_path_join(buf, sizeof(buf), dir, name);
	PB_CHECK_MSG(n == (int)strlen(want) && !strcmp(buf, want), "'%s' + '%s': '%s', want '%s'",
		     dir, name, buf, want);
}

/* every string in j (at any depth) without "//"; where: its path */
static void no_double_slash(json_t *j, const char *where)
{
	if (json_is_string(j))
		PB_CHECK_MSG(!strstr(json_string_value(j), "//"), "%s: %s", where,
			     json_string_value(j));
	if (!json_is_object(j) && !json_is_array(j))
		return;
	/* an object's members and an array's entries alike, by index */
	size_t n = json_is_array(j) ? json_array_size(j) : json_object_size(j);
	void *it = json_object_iter(j);
	for (size_t i = 0; i < n; i++) {
		const char *k = it ? json_object_iter_key(it) : NULL;
		json_t *v = it ? json_object_iter_value(it) : json_array_get(j, i);
		char *w = NULL;
		PB_CHECK((k ? asprintf(&w, "%s.%s", where, k) : asprintf(&w, "%s[%zu]", where, i)) >
			 0);
		no_double_slash(v, w ? w : where);
		free(w);
		it = it ? json_object_iter_next(j, it) : NULL;
	}
}

/* One run folder made under root/ (given with its trailing '/'): what the
 * command printed names it with one '/', and its meta.json has no "//". */
static void check_run(const char *root, const char *printed_prefix)
{
	char dir[4400], meta[4500];
	PB_CHECK(pbt_run_dirs(root, dir, sizeof(dir)) == 1);
	PB_CHECK_MSG(!strstr(o.err, "//"), "stderr: %s", o.err);
	PB_CHECK_MSG(strstr(o.err, printed_prefix) != NULL, "'%s' not in: %s", printed_prefix,
		     o.err);
	snprintf(meta, sizeof(meta), "%s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(meta, JSON_REJECT_DUPLICATES, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", meta, je.text);
	no_double_slash(m, "meta.json");
	const char *rd = json_string_value(json_object_get(m, "run_dir"));
	PB_CHECK_MSG(rd && !strncmp(rd, root, strlen(root)) && !strchr(rd + strlen(root), '/'),
		     "run_dir %s under %s", rd ? rd : "(none)", root);
	json_decref(m);
}

int main(int argc, char **argv)
{
	join("out", "run", "out/run");
	join("out/", "run", "out/run");
	join("/", "run", "/run");
	join("", "run", "run");
	join("a/b/", "c", "a/b/c");
	/* compare's run folders given as "RUN/" (a shell's completion) */
	char *cp = cmp_path("out/run/", "meta.json");
	PB_CHECK_MSG(!strcmp(cp, "out/run/meta.json"), "%s", cp);
	free(cp);
	cp = cmp_path("out/run", "summary.csv");
	PB_CHECK_MSG(!strcmp(cp, "out/run/summary.csv"), "%s", cp);
	free(cp);
	if (argc < 2)
		PB_SKIP("usage: test_run_slash PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "runslash") != NULL);
	char root[4200], printed[4300];
	char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};

	/* --results DIR/ */
	snprintf(root, sizeof(root), "%s/opt/", top);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "run", "chase", "--threads", "1", "--reps", "1",
				"--ops", "1000", "--results", root, NULL) == 0,
		     "%s", o.err);
	snprintf(printed, sizeof(printed), "results: %s", root);
	check_run(root, printed);

	/* PAGEBENCH_RESULTS=DIR/ */
	snprintf(root, sizeof(root), "%s/env/", top);
	char envr[4300];
	snprintf(envr, sizeof(envr), "PAGEBENCH_RESULTS=%s", root);
	char *env2[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", envr, NULL};
	PB_CHECK_MSG(spawn_runl(bin, env2, &o, "run", "chase", "--threads", "1", "--reps", "1",
				"--ops", "1000", NULL) == 0,
		     "%s", o.err);
	snprintf(printed, sizeof(printed), "results: %s", root);
	check_run(root, printed);

	/* sim --results DIR/: "N rows in DIR/RUN/sim.csv" */
	snprintf(root, sizeof(root), "%s/sim/", top);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "sim", "--workload", "zipf", "--policy", "lru",
				"--frames", "10", "--results", root, NULL) == 0,
		     "%s", o.err);
	snprintf(printed, sizeof(printed), "rows in %s", root);
	check_run(root, printed);

	/* plot RUN/ (its plots/ folder) and --out DIR/; compare --out DIR/:
	 * the paths they print have no "//" either */
	char run[4400], out[4400];
	snprintf(out, sizeof(out), "%s/sim", top); /* the test's own join: no "//" */
	PB_CHECK(pbt_run_dirs(out, run, sizeof(run)) == 1);
	strcat(run, "/");
	int prc =
	    spawn_runl(bin, envv, &o, "plot", run, "--kind", "faults", "--format", "png", NULL);
	if (prc == 0 || !strstr(o.err, "gnuplot not found")) {
		PB_CHECK_MSG(prc == 0 && strstr(o.err, "/plots/faults.png") && !strstr(o.err, "//"),
			     "plot RUN/: rc %d: %s", prc, o.err);
		snprintf(out, sizeof(out), "%s/figs/", top);
		prc = spawn_runl(bin, envv, &o, "plot", run, "--kind", "faults", "--format", "png",
				 "--out", out, NULL);
		PB_CHECK_MSG(prc == 0 && strstr(o.err, "/figs/faults.png") && !strstr(o.err, "//"),
			     "plot --out DIR/: rc %d: %s", prc, o.err);
	}
	snprintf(out, sizeof(out), "%s/cmp/", top);
	int crc = spawn_runl(bin, envv, &o, "compare", run, run, "--out", out, NULL);
	PB_CHECK_MSG(crc == 0 && strstr(o.out, "/cmp/compare.csv") && !strstr(o.out, "//") &&
			 !strstr(o.err, "//"),
		     "compare --out DIR/: rc %d: %s%s", crc, o.out, o.err);
	pbt_rmtree(top);
	return pb_test_done();
}
