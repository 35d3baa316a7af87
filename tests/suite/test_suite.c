/* SPDX-License-Identifier: MIT */
/*
 * tests/suite/test_suite.c - suites as files.
 *  - the language: variables (built-in, `set`, --set wins), quotes, the
 *    `kernels` expansion, and errors as FILE:LINE: what;
 *  - the CLI: `suite` alone is usage (exit 2), --dry-run prints the plan
 *    (a --threads list of 601 characters whole),
 *    a malformed file exits 2 naming file and line, every built-in parses;
 *    a line with its own --label or --results (the suite sets them) is
 *    refused the same way, before anything runs (after a `--` they are
 *    operands, not refused: they were; nor is a --param there checked or
 *    refused: it was); a line ending in `--` runs with
 *    the suite's --results and --label;
 *  - a user's suite file runs end to end: plan.json and meta.json parse
 *    with jansson, every task has its own run folder with its own
 *    meta.json, and the merged CSVs hold every task's rows under one
 *    header; --resume reruns only a task without a result, with the
 *    suite's label;
 *  - the Slurm path with stand-in sbatch/squeue: a submitted suite is
 *    partial, and a resume asks for the first job's cores, nodes and time,
 *    names the job and the suite as the first job did, and records its job
 *    in meta.json; a squeue that retries for long is waited for with a
 *    line that says so, and its "retrying in ..." is not repeated;
 *    merge --wait, polling a slow squeue, says that line once;
 *  - the cores a task asks for (pb_suite_max_threads) come from its
 *    --threads in every spelling its command's parser takes: --threads L,
 *    --threads=L (missed until 2026-12-05: 1 core asked for 8 threads),
 *    run's -t L and -tL (its --help says -t is --threads); the last one
 *    given in a line wins, as in the parser, and after `--` none counts;
 *  - a message naming a path of 900-1000 characters says it whole, with
 *    its reason: a suite file's own path, a line's --param, an unused
 *    --set, and a failed task's last line in task.json and the report
 *    (cut at 1024, 512, 768 and 511 bytes until 2026-12-05).
 */
#define _GNU_SOURCE
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* paths in tests are short */
#endif
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pagebench/kernel.h"
#include "pagebench/suite.h"
#include "pbtest.h"
#include "spawn.h"

static const char *pb;

static int parse_err(const char *text, const char *want)
{
	struct pb_suite *s = NULL;
	char err[1024] = "";
	int rc = pb_suite_parse("t.suite", text, NULL, 0, &s, err, sizeof(err));
	pb_suite_free(s);
	if (rc != -EINVAL || !strstr(err, want)) {
		fprintf(stderr, "  text %s: rc %d err '%s', wanted '%s'\n", text, rc, err, want);
		return 0;
	}
	return 1;
}

static void language(void)
{
	struct pb_suite *s;
	char err[1024];
	char *sets[] = {"N=7", "W=a,b"};
	const char *text =
	    "# comment\n"
	    "set N=3\n"
	    "set M=\"x y\"\n"
	    "run uffd-pager --threads $THREADS --reps ${N} --param 'swap=$N' # tail\n"
	    "\n"
	    "sim --workload $W --policy \"lru\" --frames $M\n";
	PB_CHECK(pb_suite_parse("t.suite", text, sets, 2, &s, err, sizeof(err)) == 0);
	if (s) {
		PB_CHECK(s->ntasks == 2);
		PB_CHECK(s->tasks[0].line == 4 && s->tasks[1].line == 6);
		PB_CHECK(s->tasks[0].argc == 8);
		PB_CHECK(!strcmp(s->tasks[0].argv[5], "7"));	   /* --set wins over `set` */
		PB_CHECK(!strcmp(s->tasks[0].argv[7], "swap=$N")); /* no expansion in '...' */
		PB_CHECK(!strcmp(s->tasks[1].argv[2], "a,b"));
		PB_CHECK(!strcmp(s->tasks[1].argv[6], "x y")); /* one word */
		PB_CHECK_MSG(strstr(s->tasks[1].text, "'x y'") != NULL, "%s", s->tasks[1].text);
		pb_suite_free(s);
	}
	/* kernels default: one run per non-bench kernel, options kept. */
	size_t want = 0;
	const struct pb_kernel_desc *d;
	for (size_t i = 0; (d = pb_kernel_at(i)); i++)
		want += !d->bench_only;
	PB_CHECK(pb_suite_parse("t", "kernels default --reps 6\n", NULL, 0, &s, err, sizeof(err)) ==
		 0);
	if (s) {
		PB_CHECK_EQ_U64(s->ntasks, want);
		PB_CHECK(!strcmp(s->tasks[0].argv[0], "run") && s->tasks[0].argc == 4);
		pb_suite_free(s);
	}
	PB_CHECK(parse_err("run memtouch\nrun nope\n", "t.suite:2: unknown kernel 'nope'"));
	PB_CHECK(parse_err("run memtouch --reps $NOPE\n", "t.suite:1: unknown variable 'NOPE'"));
	PB_CHECK(parse_err("\n\nrun memtouch 'oops\n", "t.suite:3: unterminated single quote"));
	PB_CHECK(parse_err("run memtouch \"oops\n", "t.suite:1: unterminated double quote"));
	PB_CHECK(parse_err("trace info x\n", "t.suite:1: unknown command 'trace'"));
	PB_CHECK(parse_err("set 9X=1\nrun memtouch\n", "t.suite:1: bad variable name"));
	PB_CHECK(parse_err("kernels weird\n", "t.suite:1: unknown kernel set"));
	PB_CHECK(parse_err("kernels all --param x=1\n", "t.suite:1: --param is per kernel"));
	PB_CHECK(parse_err("run\n", "t.suite:1: `run` needs a kernel"));
	/* a run line's --param is checked against its kernel's table at once */
	PB_CHECK(parse_err("run memtouch\nrun uffd-pager --param fram=3\n",
			   "t.suite:2: uffd-pager: --param "));
	PB_CHECK(parse_err("run uffd-pager --param=pages=0\n", "t.suite:1: uffd-pager: --param "));
	PB_CHECK(parse_err("# nothing\n\n", "t.suite: no commands"));
	/* a UTF-8 byte-order mark at byte 0 (a Windows editor's) is dropped, as
	 * the trace reader drops it (line 1 was "unknown command '\xEF\xBB\xBFrun'",
	 * the mark invisible); elsewhere it is part of the word */
	PB_CHECK(pb_suite_parse("t.suite", "\xef\xbb\xbfrun memtouch\n", NULL, 0, &s, err,
				sizeof(err)) == 0);
	if (s) {
		PB_CHECK(s->ntasks == 1 && !strcmp(s->tasks[0].argv[0], "run"));
		pb_suite_free(s);
	}
	PB_CHECK(
	    parse_err("run memtouch\n\xef\xbb\xbfrun memtouch\n", "t.suite:2: unknown command"));
	PB_CHECK(parse_err("run memtouch ${X\n", "t.suite:1: unterminated ${...}"));
	/* the suite sets --label and --results for every task: a line's own
	 * (it was dropped without a word, the suite's given after it) is
	 * refused, naming the line and the option, in every form */
	PB_CHECK(parse_err("run memtouch\nrun memtouch --label mine\n",
			   "t.suite:2: --label: the suite sets it for every task"));
	PB_CHECK(parse_err("run memtouch --results=elsewhere\n",
			   "t.suite:1: --results: the suite sets it for every task"));
	PB_CHECK(
	    parse_err("\n\nsim --workload zipf:pages=100 --policy lru --frames 10 --results d\n",
		      "t.suite:3: --results: "));
	PB_CHECK(parse_err("mrc --workload zipf:pages=100 --policy lru --frames 10 --label=x\n",
			   "t.suite:1: --label: "));
	PB_CHECK(parse_err("kernels default --label x\n", "t.suite:1: --label: "));
	/* a line's --help or -h: its task printed the help and "succeeded"
	 * with no result; refused naming the line, in every command */
	PB_CHECK(parse_err("run memtouch\nrun chase --help\n",
			   "t.suite:2: --help: a task would print `pagebench run`'s help"));
	PB_CHECK(parse_err("sim -h\n", "t.suite:1: -h: a task would print `pagebench sim`'s help"));
	PB_CHECK(parse_err("\nmrc --workload zipf:pages=100 --policy lru --frames 10 --help\n",
			   "t.suite:2: --help: "));
	PB_CHECK(parse_err("kernels default --reps 1 -h\n", "t.suite:1: -h: "));
	PB_CHECK(parse_err("run chase -h --\n", "t.suite:1: -h: "));
	/* after `--` it is an operand, left to the command */
	s = NULL;
	PB_CHECK_MSG(pb_suite_parse("t", "sim --workload zipf:pages=100 -- -h --help\n", NULL, 0,
				    &s, err, sizeof(err)) == 0,
		     "%s", err);
	pb_suite_free(s);
	/* a word that only starts like one is not one */
	PB_CHECK(pb_suite_parse("t", "run memtouch --labels\n", NULL, 0, &s, err, sizeof(err)) ==
		 0);
	pb_suite_free(s);
	/* after `--` the words are operands, not the line's options: kept as
	 * they are, not refused (they were, as if before the `--`) */
	s = NULL;
	PB_CHECK_MSG(pb_suite_parse("t",
				    "sim --workload zipf:pages=100 --policy lru --frames 10 -- "
				    "--label x --results=d\n",
				    NULL, 0, &s, err, sizeof(err)) == 0,
		     "%s", err);
	if (s) {
		PB_CHECK(s->ntasks == 1 && s->tasks[0].argc == 11);
		PB_CHECK(s->ntasks == 1 && !strcmp(s->tasks[0].argv[8], "--label") &&
			 !strcmp(s->tasks[0].argv[10], "--results=d"));
	}
	pb_suite_free(s);
	PB_CHECK(parse_err("run memtouch --label x --\n", "t.suite:1: --label: "));
	/* so is a --param after `--`: a run line's is not checked against the
	 * kernel's table, a kernels line's not refused (both were) */
	const char *operand_param[] = {"run uffd-pager -- --param fram=3\n",
				       "run uffd-pager -- --param=pages=0\n",
				       "kernels default -- --param x=1\n"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(operand_param); i++) {
		s = NULL;
		PB_CHECK_MSG(pb_suite_parse("t", operand_param[i], NULL, 0, &s, err, sizeof(err)) ==
				 0,
			     "%s: %s", operand_param[i], err);
		pb_suite_free(s);
	}
	PB_CHECK(
	    parse_err("run uffd-pager --param fram=3 --\n", "t.suite:1: uffd-pager: --param "));
	PB_CHECK(parse_err("kernels all --param x=1 --\n", "t.suite:1: --param is per kernel"));
	/* a --set the suite never reads is refused: it would change nothing
	 * (`suite bench --reps 5` ran bench's own 11 repetitions) */
	{
		char *unused[] = {"REPS=5"};
		s = NULL;
		PB_CHECK(pb_suite_parse("t.suite", "set R=11\nrun memtouch --reps $R\n", unused, 1,
					&s, err, sizeof(err)) == -EINVAL);
		PB_CHECK_MSG(strstr(err, "t.suite: --set REPS=5: the suite never uses $REPS"), "%s",
			     err);
		pb_suite_free(s);
	}
	/* $THREADS as this machine gave it is noted (a --slurm plan refuses it);
	 * a `set` or --set of it is not this machine's */
	const char *mv[][2] = {{"run memtouch --threads $THREADS\n", "THREADS"},
			       {"set T=${NCORES}\nrun memtouch --threads $T\n", "NCORES"},
			       {"set THREADS=1,2\nrun memtouch --threads $THREADS\n", NULL},
			       {"run memtouch --threads 1\n", NULL}};
	for (size_t i = 0; i < 4; i++) {
		PB_CHECK(pb_suite_parse("t", mv[i][0], NULL, 0, &s, err, sizeof(err)) == 0);
		if (s)
			PB_CHECK_MSG(mv[i][1] ? s->machine_var && !strcmp(s->machine_var, mv[i][1])
					      : !s->machine_var,
				     "%s: %s", mv[i][0], s->machine_var ? s->machine_var : "NULL");
		pb_suite_free(s);
	}
	/* every built-in suite parses */
	for (const char *const *b = pb_suite_builtin_names(); *b; b++) {
		PB_CHECK_MSG(pb_suite_load(*b, NULL, 0, &s, err, sizeof(err)) == 0, "%s: %s", *b,
			     err);
		pb_suite_free(s);
	}
	PB_CHECK(pb_suite_load("quick", NULL, 0, &s, err, sizeof(err)) == 0);
	pb_suite_free(s);
	PB_CHECK(pb_suite_load("no-such-suite", NULL, 0, &s, err, sizeof(err)) == -ENOENT);
	PB_CHECK(strstr(err, "quick") != NULL);
}

/* pb_suite_max_threads over each spelling of --threads. */
static void max_threads(void)
{
	static const struct {
		const char *text;
		unsigned want;
	} mt[] = {
	    {"run memtouch --threads 1,6\n", 6},
	    {"run memtouch --threads=1,7\n", 7},
	    {"run memtouch --reps 3 -t 1,3,5\n", 5},
	    {"run memtouch -t9\n", 9},
	    {"sim --workload zipf:pages=100 --policy lru --frames 10 --threads=4\n", 4},
	    {"sim --workload zipf:pages=100 --policy lru --frames 10 --threads 3\n", 3},
	    {"run memtouch --threads 8 --threads=2\n", 2},
	    {"run memtouch --threads=2\nrun memtouch --threads 3-5\n", 5},
	    {"run memtouch --threads=2 -- --threads 9\n", 2},
	    {"run memtouch\n", 1},
	};
	char err[1024];
	for (size_t i = 0; i < PB_ARRAY_SIZE(mt); i++) {
		struct pb_suite *s = NULL;
		PB_CHECK_MSG(pb_suite_parse("t", mt[i].text, NULL, 0, &s, err, sizeof(err)) == 0,
			     "%s: %s", mt[i].text, err);
		unsigned got = s ? pb_suite_max_threads(s) : 0;
		PB_CHECK_MSG(got == mt[i].want, "%s: max_threads %u, expected %u", mt[i].text, got,
			     mt[i].want);
		pb_suite_free(s);
	}
	/* -t is run's --threads (the table in cmd_run.c that the above follows) */
	struct spawn_out *o = calloc(1, sizeof(*o));
	char *a[] = {(char *)pb, "run", "--help", NULL};
	PB_CHECK(o && spawn_run(a, NULL, o) == 0 && strstr(o->out, "-t, --threads LIST"));
	free(o);
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		fprintf(stderr, "  %s: %s (line %d)\n", path, je.text, je.line);
	return j;
}

/* Data records of a CSV (our files have no newline inside fields). */
static int csv_rows(const char *path, char *header, size_t hlen)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int n = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (n < 0 && header)
			snprintf(header, hlen, "%s", line);
		n++;
	}
	fclose(f);
	return n;
}

/* Lines of a CSV with the field ",label," (our labels are plain words). */
static int labelled_rows(const char *path, const char *label)
{
	FILE *f = fopen(path, "r");
	char line[8192], want[256];
	int n = 0;
	snprintf(want, sizeof(want), ",%s,", label);
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return n;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	PB_CHECK_MSG(f && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

/* The one suite folder under the results root res that holds `file`
 * (plan.json, job-1.sbatch) into dir; 0 (a check failed) if not one. */
static int suite_folder(const char *res, const char *file, char *dir, size_t len)
{
	char pat[8192];
	glob_t g;
	snprintf(pat, sizeof(pat), "%s/*/%s", res, file);
	int one = glob(pat, 0, NULL, &g) == 0 && g.gl_pathc == 1;
	PB_CHECK_MSG(one, "%s: not one match", pat);
	if (one) {
		snprintf(dir, len, "%s", g.gl_pathv[0]);
		*strrchr(dir, '/') = 0;
	}
	if (g.gl_pathc)
		globfree(&g);
	return one;
}

/* The suite folder dir's meta.json and each task's (config.tasks[i]
 * run_dir's; NULL where it has none), with jansson. */
static json_t *suite_meta(const char *dir, json_t **task_meta, size_t max, size_t *n)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_t *m = load_json(path), *t;
	size_t i;
	*n = 0;
	json_array_foreach(json_object_get(json_object_get(m, "config"), "tasks"), i, t)
	{
		const char *rd = json_string_value(json_object_get(t, "run_dir"));
		if (i >= max)
			break;
		snprintf(path, sizeof(path), "%s/%s/meta.json", dir, rd ? rd : "");
		task_meta[i] = rd ? load_json(path) : NULL;
		*n = i + 1;
	}
	return m;
}

static int json_array_has(json_t *a, json_t *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) if (json_equal(e, v)) return 1;
	return 0;
}

/*
 * A merged suite's meta.json says what the merge wrote and what its tasks
 * did (files, experiments and not_available were empty): files, the
 * merged CSVs that exist, every one of them; experiments, each task's,
 * once; not_available, each column a task could not measure, with its
 * reason.
 */
static void merged_meta(const char *dir)
{
	static const char *const csvs[] = {"runs.csv", "summary.csv",	  "events.csv",
					   "sim.csv",  "sim_summary.csv", "mrc.csv"};
	json_t *tm[16] = {0}, *v;
	size_t nt, i, k;
	char path[8192];
	json_t *m = suite_meta(dir, tm, 16, &nt);
	json_t *files = json_object_get(m, "files"), *exps = json_object_get(m, "experiments"),
	       *na = json_object_get(m, "not_available");
	PB_CHECK(nt == 3 && json_is_array(files) && json_is_array(exps) && json_is_object(na));
	for (k = 0; k < PB_ARRAY_SIZE(csvs); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, csvs[k]);
		json_t *name = json_string(csvs[k]);
		PB_CHECK_MSG(json_array_has(files, name) == (access(path, F_OK) == 0),
			     "%s: listed %d, exists %d", csvs[k], json_array_has(files, name),
			     access(path, F_OK) == 0);
		json_decref(name);
	}
	PB_CHECK(json_array_size(files) >= 2); /* the kernels' and the sim's */
	size_t want = 0;
	for (i = 0; i < nt; i++) {
		const char *col;
		PB_CHECK(tm[i] != NULL);
		json_array_foreach(json_object_get(tm[i], "experiments"), k, v)
		{
			PB_CHECK_MSG(json_array_has(exps, v), "task %zu's experiment %s not listed",
				     i + 1, json_string_value(v));
			want++;
		}
		json_object_foreach(json_object_get(tm[i], "not_available"), col, v)
		{
			const char *got = json_string_value(json_object_get(na, col));
			PB_CHECK_MSG(got && strstr(got, json_string_value(v)),
				     "not_available.%s: %s, task %zu says %s", col,
				     got ? got : "(none)", i + 1, json_string_value(v));
		}
	}
	PB_CHECK_MSG(want > 0 && json_array_size(exps) <= want, "%zu experiments of %zu",
		     json_array_size(exps), want);
	json_array_foreach(exps, i, v)
	{
		size_t same = 0, j;
		json_t *w;
		json_array_foreach(exps, j, w) same += json_equal(v, w);
		PB_CHECK_MSG(same == 1, "%s listed %zu times", json_string_value(v), same);
	}
	for (i = 0; i < nt; i++)
		json_decref(tm[i]);
	json_decref(m);
}

/* Tasks that give a column different reasons: each reason with its task;
 * the same reason: once.  (The tasks' meta.json edited, then merged.) */
static void merged_na(const char *dir)
{
	json_t *tm[16] = {0};
	size_t nt;
	char path[8192];
	json_t *m = suite_meta(dir, tm, 16, &nt), *tasks;
	tasks = json_object_get(json_object_get(m, "config"), "tasks");
	const char *na[3][2][2] = {{{"pbtest_x", "reason one"}, {"pbtest_y", "the same"}},
				   {{"pbtest_x", "reason two"}, {NULL, NULL}},
				   {{"pbtest_y", "the same"}, {NULL, NULL}}};
	PB_CHECK(nt == 3);
	for (size_t i = 0; i < nt && i < 3; i++) {
		json_t *o = json_object_get(tm[i], "not_available");
		for (int k = 0; k < 2 && o && na[i][k][0]; k++)
			json_object_set_new(o, na[i][k][0], json_string(na[i][k][1]));
		snprintf(path, sizeof(path), "%s/%s/meta.json", dir,
			 json_string_value(json_object_get(json_array_get(tasks, i), "run_dir")));
		PB_CHECK(o && json_dump_file(tm[i], path, JSON_INDENT(2)) == 0);
		json_decref(tm[i]);
	}
	json_decref(m);
	struct spawn_out *o = calloc(1, sizeof(*o));
	char *env[] = {"PAGEBENCH_NO_FIGURES=1", NULL};
	char *a[] = {(char *)pb, "merge", (char *)dir, NULL};
	PB_CHECK_MSG(o && spawn_run(a, env, o) == 0, "%s", o ? o->err : "");
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	m = load_json(path);
	json_t *got = json_object_get(m, "not_available");
	const char *x = json_string_value(json_object_get(got, "pbtest_x")),
		   *y = json_string_value(json_object_get(got, "pbtest_y"));
	PB_CHECK_MSG(x && !strcmp(x, "task 1: reason one; task 2: reason two"), "%s",
		     x ? x : "(none)");
	PB_CHECK_MSG(y && !strcmp(y, "the same"), "%s", y ? y : "(none)");
	json_decref(m);
	free(o);
}

/*
 * Task 3's task.json damaged (truncated; valid JSON but not an object): the
 * merge names the file and jansson's line and column and counts the task
 * failed (it said "not run yet"); its rows leave the merged files; --resume
 * says why it runs it again and keeps the damaged folder as an attempt.
 */
static void unreadable_task(const char *dir)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char path[8192], want[8400];
	const char *damaged = "{\"task\": 3, \"status\": \"ok\", ";
	char *env[] = {"PAGEBENCH_NO_FIGURES=1", NULL};
	char *mg[] = {(char *)pb, "merge", (char *)dir, NULL};
	snprintf(path, sizeof(path), "%s/tasks/003/task.json", dir);
	write_text(path, "[]\n");
	PB_CHECK_MSG(spawn_run(mg, env, o) == 1 && strstr(o->err, "task.json: not a JSON object"),
		     "%s", o->err);
	write_text(path, damaged);
	PB_CHECK(spawn_run(mg, env, o) == 1);
	snprintf(want, sizeof(want), "%s:1:", path);
	const char *at = strstr(o->err, want);
	PB_CHECK_MSG(strstr(o->err, "2 task(s) ok, 1 failed, 0 without a result") &&
			 strstr(o->err, "  task 3 (sim --workload ") &&
			 strstr(o->err, "cannot read its task.json: ") && at &&
			 at[strlen(want)] >= '0' && at[strlen(want)] <= '9',
		     "%s", o->err);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_t *m = load_json(path);
	json_t *t = json_array_get(json_object_get(json_object_get(m, "config"), "tasks"), 2);
	const char *st = json_string_value(json_object_get(t, "status")),
		   *je = json_string_value(json_object_get(t, "task_json_error")),
		   *ms = json_string_value(json_object_get(m, "status"));
	PB_CHECK_MSG(st && !strcmp(st, "failed") && je && strstr(je, "task.json:1:") && ms &&
			 !strcmp(ms, "failed"),
		     "%s %s %s", st ? st : "-", je ? je : "-", ms ? ms : "-");
	json_t *sim = json_string("sim.csv");
	PB_CHECK(!json_array_has(json_object_get(m, "files"), sim)); /* its rows are out */
	snprintf(path, sizeof(path), "%s/sim.csv", dir);
	PB_CHECK_MSG(access(path, F_OK) != 0, "%s: a stale merge left", path);
	json_decref(m);
	char *rd[] = {(char *)pb, "suite", "--resume", (char *)dir, "--dry-run", NULL};
	PB_CHECK_MSG(spawn_run(rd, env, o) == 0 && count_lines(o->out) == 1 &&
			 !strncmp(o->out, "pagebench sim --workload ", 25) &&
			 strstr(o->err, "its result cannot be read, so it runs again"),
		     "%s", o->err);
	char *r[] = {(char *)pb, "suite", "--resume", (char *)dir, NULL};
	PB_CHECK_MSG(spawn_run(r, env, o) == 0 && strstr(o->err, "1 of 3 task(s)") &&
			 strstr(o->err, "3 task(s) ok"),
		     "%s", o->err);
	/* nothing lost: the damaged task.json is kept, as an attempt */
	glob_t g;
	size_t kept = 0;
	snprintf(path, sizeof(path), "%s/tasks/003.attempt-*/task.json", dir);
	if (glob(path, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			size_t len = 0;
			char *txt = pb_slurp(g.gl_pathv[i], &len);
			kept += txt && len == strlen(damaged) && !memcmp(txt, damaged, len);
			free(txt);
		}
		globfree(&g);
	}
	PB_CHECK_MSG(kept == 1, "the damaged task.json kept %zu times", kept);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	m = load_json(path);
	ms = json_string_value(json_object_get(m, "status"));
	PB_CHECK(ms && !strcmp(ms, "complete") && json_array_has(json_object_get(m, "files"), sim));
	json_decref(m);
	json_decref(sim);
	free(o);
}

static void cli(const char *tmp)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char file[4096], res[4096], path[8192];
	char *a0[] = {(char *)pb, "suite", NULL};
	PB_CHECK(spawn_run(a0, NULL, o) == 2 && count_lines(o->err) == 1);
	char *a1[] = {(char *)pb, "suite", "quick", "--dry-run", NULL};
	PB_CHECK(spawn_run(a1, NULL, o) == 0 && strstr(o->out, "pagebench sim ") &&
		 strstr(o->out, "pagebench mrc "));

	snprintf(file, sizeof(file), "%s/bad.suite", tmp);
	FILE *f = fopen(file, "w");
	fputs("run memtouch --reps 6\nrun memtouch --reps $UNSET\n", f);
	fclose(f);
	char *a2[] = {(char *)pb, "suite", file, NULL};
	PB_CHECK(spawn_run(a2, NULL, o) == 2 && count_lines(o->err) == 1);
	snprintf(path, sizeof(path), "%s:2: unknown variable", file);
	PB_CHECK_MSG(strstr(o->err, path) != NULL, "%s", o->err);

	/* a line with its own --label: exit 2 naming the file, line and
	 * option, before anything runs (no results folder), dry run or not */
	snprintf(file, sizeof(file), "%s/own.suite", tmp);
	write_text(file, "run chase --threads 1 --reps 1 --ops 1000\n"
			 "run chase --threads 1 --reps 1 --ops 1000 --label mine\n");
	snprintf(res, sizeof(res), "%s/own-results", tmp);
	char *ao1[] = {(char *)pb, "suite", file, "--dry-run", NULL};
	char *ao2[] = {(char *)pb, "suite", file, "--results", res, "--label", "lab1", NULL};
	snprintf(path, sizeof(path), "%s:2: --label: the suite sets it for every task", file);
	PB_CHECK_MSG(spawn_run(ao1, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, path),
		     "dry run: exit %d: %s", o->code, o->err);
	PB_CHECK_MSG(spawn_run(ao2, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, path),
		     "exit %d: %s", o->code, o->err);
	PB_CHECK_MSG(access(res, F_OK) != 0, "%s was made", res);
	/* a line with --help: exit 2 naming the file and line, nothing run (its
	 * task printed the help and counted as ok) */
	snprintf(file, sizeof(file), "%s/help.suite", tmp);
	write_text(file, "run chase --threads 1 --reps 1 --ops 1000\n"
			 "run chase --threads 1 --help\n");
	snprintf(path, sizeof(path), "%s:2: --help: ", file);
	PB_CHECK_MSG(spawn_run(ao2, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, path),
		     "exit %d: %s", o->code, o->err);
	PB_CHECK_MSG(access(res, F_OK) != 0, "%s was made", res);

	/* A line ending in `--` (the end of the options, as on the command
	 * line): the suite's --results and --label go before the line's
	 * words, so they stay options (appended after the `--` they were
	 * arguments: "unexpected argument '--results'", every task failed) */
	snprintf(file, sizeof(file), "%s/dashdash.suite", tmp);
	write_text(file, "run chase --threads 1 --reps 1 --ops 1000 --\n"
			 "sim --workload zipf:pages=200,refs=2000 --policy lru --frames 50 --\n");
	snprintf(res, sizeof(res), "%s/dd-results", tmp);
	char *add[] = {(char *)pb, "suite", file, "--results", res, "--label", "lab2", NULL};
	PB_CHECK_MSG(spawn_run(add, NULL, o) == 0, "exit %d: %s", o->code, o->err);
	for (int k = 1; k <= 2; k++) {
		glob_t gt;
		snprintf(path, sizeof(path), "%s/*/tasks/%03d/task.json", res, k);
		PB_CHECK(glob(path, 0, NULL, &gt) == 0 && gt.gl_pathc == 1);
		json_t *tj = gt.gl_pathc == 1 ? load_json(gt.gl_pathv[0]) : NULL;
		const char *st = json_string_value(json_object_get(tj, "status"));
		PB_CHECK_MSG(st && !strcmp(st, "ok"), "task %d: %s", k,
			     json_string_value(json_object_get(tj, "message")) ?: "(no message)");
		json_decref(tj);
		if (gt.gl_pathc)
			globfree(&gt);
	}
	/* both tasks' rows merged (the CSV reader), every one with the
	 * suite's label */
	static const char *const dd_csv[] = {"summary.csv", "sim.csv"};
	for (size_t k = 0; k < 2; k++) {
		glob_t gc;
		struct pb_csv t = {0};
		char cerr[256];
		snprintf(path, sizeof(path), "%s/*/%s", res, dd_csv[k]);
		PB_CHECK(glob(path, 0, NULL, &gc) == 0 && gc.gl_pathc == 1);
		if (gc.gl_pathc != 1)
			continue;
		PB_CHECK_MSG(!pb_csv_read_file(gc.gl_pathv[0], &t, cerr, sizeof(cerr)), "%s", cerr);
		globfree(&gc);
		int cl = pb_csv_col(&t, "label");
		size_t nl = 0;
		for (size_t r = 0; cl >= 0 && r < t.nrows; r++)
			nl += !strcmp(pb_csv_cell(&t, r, cl), "lab2");
		PB_CHECK_MSG(t.nrows > 0 && nl == t.nrows, "%s: %zu rows, %zu labelled lab2",
			     dd_csv[k], t.nrows, nl);
		pb_csv_free(&t);
	}

	/* A user's suite: two kernels and a sim, run end to end. */
	snprintf(file, sizeof(file), "%s/mine.suite", tmp);
	f = fopen(file, "w");
	fputs("set WL=zipf:pages=2000,alpha=0.9,refs=20000,seed=3\n"
	      "run memtouch --threads 1 --reps $REPS --size 1M\n"
	      "run chase --threads 1 --reps $REPS --ops 10000\n"
	      "sim --workload $WL --policy lru,fifo --frames 100,400 --reps 1\n",
	      f);
	fclose(f);
	snprintf(res, sizeof(res), "%s/results", tmp);
	char *a3[] = {(char *)pb,  "suite", file,      "--set", "REPS=6",
		      "--results", res,	    "--label", "lab1",	NULL};
	PB_CHECK_MSG(spawn_run(a3, NULL, o) == 0, "%s", o->err);
	char dir[4096];
	if (!suite_folder(res, "plan.json", dir, sizeof(dir)))
		goto out;
	json_t *plan = load_json((snprintf(path, sizeof(path), "%s/plan.json", dir), path));
	PB_CHECK(plan && json_array_size(json_object_get(plan, "tasks")) == 3);
	json_decref(plan);
	json_t *meta = load_json((snprintf(path, sizeof(path), "%s/meta.json", dir), path));
	json_t *cfg = json_object_get(meta, "config");
	PB_CHECK(meta && cfg);
	/* the suite's own meta.json names the machine, as its tasks' do
	 * (compare --machines and the machines figure read it there) */
	PB_CHECK(json_is_string(json_object_get(meta, "label")) &&
		 !strcmp(json_string_value(json_object_get(meta, "label")), "lab1"));
	PB_CHECK(json_is_string(json_object_get(cfg, "suite_status")) &&
		 !strcmp(json_string_value(json_object_get(cfg, "suite_status")), "complete"));
	json_t *tasks = json_object_get(cfg, "tasks");
	PB_CHECK(json_array_size(tasks) == 3);
	for (size_t i = 0; i < json_array_size(tasks); i++) {
		json_t *t = json_array_get(tasks, i);
		const char *st = json_string_value(json_object_get(t, "status"));
		const char *rd = json_string_value(json_object_get(t, "run_dir"));
		PB_CHECK(st && !strcmp(st, "ok"));
		PB_CHECK(rd != NULL);
		if (rd) { /* each task's own meta.json parses */
			snprintf(path, sizeof(path), "%s/%s/meta.json", dir, rd);
			json_t *tm = load_json(path);
			PB_CHECK(tm != NULL);
			json_decref(tm);
		}
	}
	json_decref(meta);
	merged_meta(dir);
	/* the run's lock file goes with it (it stayed behind) */
	snprintf(path, sizeof(path), "%s/.suite.lock", dir);
	PB_CHECK_MSG(access(path, F_OK) != 0, "%s left after the run", path);
	/* merged: runs.csv holds both kernels' rows, sim.csv the 4 configurations */
	char header[4096];
	snprintf(path, sizeof(path), "%s/sim.csv", dir);
	PB_CHECK(csv_rows(path, header, sizeof(header)) == 4);
	snprintf(path, sizeof(path), "%s/sim_summary.csv", dir);
	PB_CHECK(csv_rows(path, header, sizeof(header)) == 4); /* (lru, fifo) x (100, 400) */
	PB_CHECK(strstr(header, "median_fault_rate") != NULL);
	/* every task's rows carry the suite's --label */
	PB_CHECK_MSG(labelled_rows(path, "lab1") == 4, "%d labelled rows",
		     labelled_rows(path, "lab1"));
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	int rows = csv_rows(path, header, sizeof(header));
	PB_CHECK_MSG(rows >= 4, "%d summary rows", rows); /* (thread 0 + total) x 2 kernels */
	PB_CHECK(strstr(header, "median_ns_per_op") != NULL);
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	PB_CHECK(csv_rows(path, NULL, 0) == 2 * 7 * 2); /* 2 kernels x 7 reps x (thread+total) */

	/* Task 3 without a result (as after a kill): --resume reruns it alone,
	 * labelled as the suite's other tasks (it ran unlabelled until
	 * 2026-12-05); a different --label, or --threads, is refused. */
	snprintf(path, sizeof(path), "%s/tasks/003/task.json", dir);
	PB_CHECK(unlink(path) == 0);
	char *a4[] = {(char *)pb, "suite", "--resume", dir, "--label", "other", NULL};
	PB_CHECK(spawn_run(a4, NULL, o) == 2 && count_lines(o->err) == 1);
	char *a5[] = {(char *)pb, "suite", "--resume", dir, "--threads", "1", NULL};
	PB_CHECK(spawn_run(a5, NULL, o) == 2 && count_lines(o->err) == 1);
	char *a6[] = {(char *)pb, "suite", "--resume", dir, "--dry-run", NULL};
	PB_CHECK(spawn_run(a6, NULL, o) == 0 && count_lines(o->out) == 1 &&
		 !strncmp(o->out, "pagebench sim --workload ", 25));
	char *a7[] = {(char *)pb, "suite", "--resume", dir, NULL};
	PB_CHECK_MSG(spawn_run(a7, NULL, o) == 0 && strstr(o->err, "1 of 3 task(s)"), "%s", o->err);
	snprintf(path, sizeof(path), "%s/tasks/003.attempt-1", dir);
	PB_CHECK(access(path, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/sim_summary.csv", dir);
	PB_CHECK(csv_rows(path, NULL, 0) == 4); /* merged once */
	PB_CHECK_MSG(labelled_rows(path, "lab1") == 4, "%d rows labelled lab1",
		     labelled_rows(path, "lab1"));
	/* A resume while another pagebench still runs the folder's tasks (it
	 * holds RUN_DIR/.suite.lock; here this test holds it) is refused:
	 * both ran tasks 2 and 3 at once, and meta.json named one of the two
	 * folders of a task while the rows came from the other.  Once the
	 * holder is gone, the resume runs. */
	snprintf(path, sizeof(path), "%s/.suite.lock", dir);
	int lk = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	PB_CHECK(lk >= 0 && flock(lk, LOCK_EX | LOCK_NB) == 0);
	snprintf(path, sizeof(path), "%s/tasks/003/task.json", dir);
	PB_CHECK(unlink(path) == 0);
	PB_CHECK_MSG(spawn_run(a7, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, "is being run by another pagebench suite"),
		     "%s", o->err);
	PB_CHECK(access(path, F_OK) != 0); /* nothing run */
	close(lk);
	PB_CHECK_MSG(spawn_run(a7, NULL, o) == 0 && strstr(o->err, "1 of 3 task(s)"), "%s", o->err);
	PB_CHECK(access(path, F_OK) == 0);
	/* the resume removed the lock file it took over; so does one that
	 * finds a stale file (its holder killed) */
	snprintf(path, sizeof(path), "%s/.suite.lock", dir);
	PB_CHECK_MSG(access(path, F_OK) != 0, "%s left after the resume", path);
	write_text(path, "999999999\n");
	snprintf(path, sizeof(path), "%s/tasks/003/task.json", dir);
	PB_CHECK(unlink(path) == 0);
	PB_CHECK_MSG(spawn_run(a7, NULL, o) == 0 && strstr(o->err, "1 of 3 task(s)"), "%s", o->err);
	snprintf(path, sizeof(path), "%s/.suite.lock", dir);
	PB_CHECK_MSG(access(path, F_OK) != 0, "%s left after the resume", path);
	merged_na(dir);
	unreadable_task(dir);
out:
	free(o);
}

/*
 * A task that fails (here the userfaultfd pager where userfaultfd is not
 * allowed) keeps what it said last in its task.json, and the merge's
 * report gives it (it said "failed" with an exit code, the reason only on
 * the terminal).
 */
/* The "message" of task N's task.json in the one suite folder under res
 * (malloc'ed, NULL if none) and its exit code (-1 if none). */
static char *task_message(const char *res, int task, long long *code)
{
	char pat[4200];
	glob_t g;
	char *m = NULL;
	snprintf(pat, sizeof(pat), "%s/*/tasks/%03d/task.json", res, task);
	PB_CHECK_MSG(glob(pat, 0, NULL, &g) == 0 && g.gl_pathc == 1, "%s: not one match", pat);
	if (g.gl_pathc == 1) {
		json_t *t = load_json(g.gl_pathv[0]);
		const char *s = json_string_value(json_object_get(t, "message"));
		json_t *c = json_object_get(t, "exit_code");
		m = s ? strdup(s) : NULL;
		if (code)
			*code = json_is_integer(c) ? (long long)json_integer_value(c) : -1;
		json_decref(t);
	}
	if (g.gl_pathc)
		globfree(&g);
	return m;
}

static void failed_reason(const char *tmp)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char file[4096], res[4096];
	snprintf(file, sizeof(file), "%s/uffd.suite", tmp);
	FILE *f = fopen(file, "w");
	fputs("run memtouch --threads 1 --reps 1 --size 1M\n"
	      "run uffd-pager --threads 1 --reps 1 --ops 1000 --param pages=200,frames=50\n",
	      f);
	fclose(f);
	snprintf(res, sizeof(res), "%s/uffd-results", tmp);
	char *env[] = {"PAGEBENCH_UFFD=eperm", "PAGEBENCH_NO_FIGURES=1", NULL};
	char *a[] = {(char *)pb, "suite", file, "--results", res, NULL};
	PB_CHECK(spawn_run(a, env, o) == 1);
	PB_CHECK_MSG(strstr(o->err, "  task 2 (run uffd-pager ") &&
			 strstr(o->err, "failed: exit 1: pagebench run: uffd-pager: userfaultfd "
					"unavailable: "),
		     "%s", o->err);
	long long code = -1;
	char *m = task_message(res, 2, &code);
	PB_CHECK_MSG(m && strstr(m, "userfaultfd unavailable") && code == 1, "%s",
		     m ? m : "no message");
	free(m);
	free(o);
}

/*
 * A message that names a long path says it whole, with its reason: the
 * parser's messages were cut at 768 bytes (perr), a line's --param check
 * at 512, `suite`'s own line at 1024, and a failed task's last line (its
 * reason in task.json and in the suite's report) at 511.  Each path here
 * is 900 to 1000 characters: past every old cut, within PB_KERNEL_ERRLEN.
 */
static void long_paths(const char *tmp)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char dir[1100], file[1200], lat[1200], set[1300], res[1200], want[2400], blocked[1100];
	size_t n = (size_t)snprintf(dir, sizeof(dir), "%s", tmp);
	for (int k = 0; n + 101 < 960; k++) { /* folders of 100 characters, */
		n += (size_t)snprintf(dir + n, sizeof(dir) - n, "/%d%0*d", k % 10, 99, 0);
		PB_CHECK_MSG(!mkdir(dir, 0700) || errno == EEXIST, "%s: %s", dir, strerror(errno));
	}
	dir[n++] = '/'; /* then one that makes the folder's path 980 characters */
	while (n < 980)
		dir[n++] = 'y';
	dir[n] = 0;
	PB_CHECK_MSG(!mkdir(dir, 0700) || errno == EEXIST, "%s: %s", dir, strerror(errno));
	/* the suite file's own path: exit 2, "FILE:2: unknown variable ..." */
	snprintf(file, sizeof(file), "%s/unset.suite", dir);
	write_text(file, "run memtouch --reps 6\nrun memtouch --reps $UNSET\n");
	char *a1[] = {(char *)pb, "suite", file, "--dry-run", NULL};
	snprintf(want, sizeof(want),
		 "%s:2: unknown variable 'UNSET' (set it with `set UNSET=...` or --set)\n", file);
	PB_CHECK_MSG(strlen(file) > 900 && spawn_run(a1, NULL, o) == 2 &&
			 count_lines(o->err) == 1 && strstr(o->err, want),
		     "%zu characters: exit %d: %s", strlen(file), o->code, o->err);

	/* a path given to --param without its key: the line's check says it */
	snprintf(lat, sizeof(lat), "%s/lat.csv", dir);
	snprintf(file, sizeof(file), "%s/param.suite", tmp);
	snprintf(want, sizeof(want), "run uffd-pager --param %s\n", lat);
	write_text(file, want);
	snprintf(want, sizeof(want), "%s:1: uffd-pager: --param '%s': expected key=value\n", file,
		 lat);
	char *a2[] = {(char *)pb, "suite", file, "--dry-run", NULL};
	PB_CHECK_MSG(spawn_run(a2, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, want),
		     "--param of %zu characters: exit %d: %s", strlen(lat), o->code, o->err);

	/* a --set the suite never uses, its value a path */
	snprintf(file, sizeof(file), "%s/plain.suite", tmp);
	write_text(file, "run memtouch --reps 6\n");
	snprintf(set, sizeof(set), "LAT=%s", lat);
	snprintf(want, sizeof(want),
		 "%s: --set %s: the suite never uses $LAT, so it would change nothing "
		 "(--threads and --reps set THREADS and REPS)\n",
		 file, set);
	char *a3[] = {(char *)pb, "suite", file, "--set", set, "--dry-run", NULL};
	PB_CHECK_MSG(spawn_run(a3, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, want),
		     "--set of %zu characters: exit %d: %s", strlen(set), o->code, o->err);

	/* a task refused for a path of 900 characters: its reason whole in
	 * task.json and in the suite's report */
	PB_CHECK_MSG(pbt_blocked_path(blocked, sizeof(blocked), tmp, 900) != NULL, "%s: %s", tmp,
		     strerror(errno));
	snprintf(file, sizeof(file), "%s/backing.suite", tmp);
	snprintf(want, sizeof(want),
		 "sim --workload zipf:pages=200,refs=2000 --policy lru --frames 50 "
		 "--backing file:%s\n",
		 blocked);
	write_text(file, want);
	snprintf(res, sizeof(res), "%s/backing-results", tmp);
	char *env[] = {"PAGEBENCH_NO_FIGURES=1", NULL};
	char *a4[] = {(char *)pb, "suite", file, "--results", res, NULL};
	snprintf(want, sizeof(want),
		 "pagebench sim: bad --backing: backing file '%s': Not a directory", blocked);
	PB_CHECK_MSG(spawn_run(a4, env, o) == 1 && strstr(o->err, "failed: exit 2: ") &&
			 strstr(strstr(o->err, "failed: exit 2: "), want),
		     "exit %d: %s", o->code, o->err);
	char *m = task_message(res, 1, NULL);
	PB_CHECK_MSG(m && !strcmp(m, want), "task.json message: %s", m ? m : "none");
	free(m);
	free(o);
}

/*
 * The Slurm path with stand-ins for sbatch (prints a job id) and squeue
 * (no job left): a submitted suite's meta.json is partial until merged (it
 * said complete), and a resume asks Slurm for what the first job asked
 * (cores, whole nodes, time limit; it asked for 1 core, shared).
 */
/* --threads LIST (and --reps) reach $THREADS whole, however long: a
 * 512-byte buffer cut a 601-character list into another list, silently
 * (its last count dropped). */
static void long_threads(const char *tmp)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char file[4096], list[700] = "", want[800];
	for (int i = 0; i < 300; i++)
		strcat(list, "1,");
	strcat(list, "3");
	snprintf(file, sizeof(file), "%s/threads.suite", tmp);
	write_text(file, "run memtouch --threads $THREADS --reps $REPS --size 64K\n");
	char *a[] = {(char *)pb, "suite",  file, "--dry-run", "--threads",
		     list,	 "--reps", "2",	 NULL};
	snprintf(want, sizeof(want), "--threads %s --reps 2 ", list);
	PB_CHECK_MSG(o && spawn_run(a, NULL, o) == 0 && strstr(o->out, want),
		     "--threads of %zu characters: %s", strlen(list), o ? o->err : "");
	free(o);
}

/*
 * The words of an #SBATCH line as sbatch reads them (Slurm's
 * _get_argument): blanks split them outside quotes, a backslash takes the
 * next character as it is (inside quotes too), an unquoted # ends the
 * line; since Slurm 17 '...' and "..." quote, before it only "..."
 * toggled quoting and a # ended the line even there (old).  Returns the
 * number of words, -1 for an unmatched quote.
 */
static int sbatch_words(const char *line, char (*words)[4200], int max, int old)
{
	int n = 0;
	const char *p = line;
	for (;;) {
		char q = 0;
		size_t i = 0;
		int esc = 0, any = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			return n;
		while ((q || (*p != ' ' && *p != '\t')) && *p && *p != '\n') {
			if (esc) {
				esc = 0;
			} else if (*p == '\\') {
				esc = 1;
				p++;
				continue;
			} else if (q && *p == q) {
				q = 0;
				p++;
				continue;
			} else if (!q && (*p == '"' || (!old && *p == '\''))) {
				q = *p++;
				continue;
			} else if (*p == '#' && (!q || old)) {
				break;
			}
			if (i + 1 < sizeof(words[0]))
				words[n][i++] = *p;
			p++;
			any = 1;
		}
		if (q)
			return -1;
		if (!any)
			return n;
		words[n][i] = 0;
		if (++n == max)
			return n;
		if (*p == '#')
			return n;
	}
}

/*
 * A run folder whose path has a blank, ' " # and %: every #SBATCH line of
 * the script is one word as sbatch reads it, --output names the folder's
 * tasks/ (its own % doubled: Slurm reads %% as %), and the script is
 * valid shell that runs the task there (the path went into the
 * directive unquoted: sbatch split it, or refused the line's quote).
 */
static void slurm_odd_paths(const char *tmp, const char *suite, char *const *envv)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char res[4096], path[8192], real[4096], want[8400];
	snprintf(res, sizeof(res), "%s/odd dir's #1 50%%\"q", tmp);
	char *a[] = {(char *)pb, "suite", (char *)suite, "--slurm", "--results", res, NULL};
	PB_CHECK_MSG(spawn_run(a, envv, o) == 0, "%s", o->err);
	char script[8192], hint[8192] = "";
	const char *h0 = strstr(o->err, "then `pagebench merge "),
		   *h1 = h0 ? strstr(h0, " --wait`") : NULL;
	if (h0 && h1)
		snprintf(hint, sizeof(hint), "%.*s", (int)(h1 - h0 - 22), h0 + 22);
	if (!suite_folder(res, "job-1.sbatch", path, sizeof(path))) {
		free(o);
		return;
	}
	/* the `pagebench merge DIR --wait` it prints can be pasted: DIR is the
	 * folder as one shell word (it was printed bare: the blank split it) */
	snprintf(script, sizeof(script), "printf %%s %s", hint);
	char *echo[] = {"/bin/sh", "-c", script, NULL};
	PB_CHECK_MSG(hint[0] && spawn_run(echo, NULL, o) == 0 && !strcmp(o->out, path),
		     "hint '%s' reads as '%s', not '%s'", hint, o->out, path);
	PB_CHECK(realpath(path, real) != NULL);
	snprintf(script, sizeof(script), "%s/job-1.sbatch", path);
	size_t w = 0; /* what --output must name: the folder, % doubled */
	for (const char *c = real; *c && w + 2 < sizeof(want); c++) {
		want[w++] = *c;
		if (*c == '%')
			want[w++] = '%';
	}
	snprintf(want + w, sizeof(want) - w, "/tasks/slurm-%%A_%%a.out");
	char *sh[] = {access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh", "-n", script, NULL};
	PB_CHECK_MSG(spawn_run(sh, NULL, o) == 0, "%s -n: %s", sh[0], o->err);
	FILE *f = fopen(script, "r");
	char line[8192], words[4][4200];
	int outputs = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "#SBATCH", 7))
			continue;
		for (int old = 0; old < 2; old++) {
			int n = sbatch_words(line + 7, words, 4, old);
			PB_CHECK_MSG(n == 1, "%s: %d words (%s)", line, n, old ? "old" : "new");
			if (n == 1 && !strncmp(words[0], "--output=", 9)) {
				outputs++;
				PB_CHECK_MSG(!strcmp(words[0] + 9, want), "%s: read as %s, not %s",
					     line, words[0] + 9, want);
			}
		}
	}
	if (f)
		fclose(f);
	PB_CHECK(outputs == 2);
	/* the exec line: the array task runs, into that folder */
	char *run[] = {"/bin/sh", script, NULL};
	char *env[] = {"SLURM_ARRAY_TASK_ID=1", NULL};
	PB_CHECK_MSG(spawn_run(run, env, o) == 0, "%s", o->err);
	snprintf(path, sizeof(path), "%s/tasks/001/task.json", real);
	json_t *t = load_json(path);
	const char *st = json_string_value(json_object_get(t, "status"));
	PB_CHECK_MSG(st && !strcmp(st, "ok"), "task 1: %s", st ? st : "no task.json");
	json_decref(t);
	/* a backslash (Slurm then expands no %A) cannot be held: exit 2,
	 * before a folder is made */
	snprintf(res, sizeof(res), "%s/back\\slash", tmp);
	PB_CHECK_MSG(spawn_run(a, envv, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, "has a backslash, which an #SBATCH line cannot hold"),
		     "exit %d: %s", o->code, o->err);
	PB_CHECK(access(res, F_OK) != 0);
	/* a line break in the suite's name stays in the script's comment */
	snprintf(path, sizeof(path), "%s/nl\n#SBATCH --wrong=1\nrm -rf x.suite", tmp);
	write_text(path, "run memtouch --threads 1 --reps 1 --size 64K\n");
	char *d[] = {(char *)pb, "suite", path, "--slurm", "--dry-run", NULL};
	PB_CHECK_MSG(spawn_run(d, envv, o) == 0 && !strstr(o->out, "\n#SBATCH --wrong") &&
			 !strstr(o->out, "\nrm -rf") && strstr(o->out, "nl?#SBATCH --wrong=1?rm"),
		     "%s%s", o->out, o->err);
	free(o);
}

/* The first line of file that starts with prefix, into buf ("" if none). */
static void line_of(const char *file, const char *prefix, char *buf, size_t len)
{
	char line[8192];
	FILE *f = fopen(file, "r");
	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix))) {
			snprintf(buf, len, "%s", line);
			break;
		}
	if (f)
		fclose(f);
}

/* How often needle occurs in s. */
static unsigned count_of(const char *s, const char *needle)
{
	unsigned n = 0;
	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/*
 * merge --wait polls squeue until the job has no task left: a squeue
 * slow on each of its first two calls (a task still running) and then
 * done gets its "waiting for squeue" line once in the command (it was
 * printed on every slow poll).
 */
static void slurm_wait_once(const char *dir, const char *bin, char *const envv[])
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char path[8192];
	snprintf(path, sizeof(path), "%s/squeue", bin);
	write_text(path, "#!/bin/sh\nn=$(cat \"$0.calls\" 2>/dev/null || echo 0)\n"
			 "echo $((n + 1)) > \"$0.calls\"\n"
			 "if [ \"$n\" -lt 2 ]; then sleep 3; echo '4343_1 R'; fi\n");
	char *m[] = {(char *)pb, "merge", (char *)dir, "--wait", NULL};
	int rc = o ? spawn_run(m, envv, o) : -1;
	snprintf(path, sizeof(path), "%s/squeue.calls", bin);
	FILE *f = fopen(path, "r");
	int calls = 0;
	PB_CHECK(f && fscanf(f, "%d", &calls) == 1);
	if (f)
		fclose(f);
	PB_CHECK_MSG(rc >= 0 && calls == 3 && o &&
			 count_of(o->err, "waiting for squeue -j 4343") == 1,
		     "exit %d, squeue called %d times: %s", rc, calls, o ? o->err : "");
	free(o);
}

/*
 * A resubmission (squeue has forgotten job 4242, sbatch now says 4343):
 *  - job-2.sbatch names the job and the suite as job-1.sbatch does (it
 *    said --job-name=pagebench-resume, "the suite 'resume'");
 *  - meta.json's config.slurm_job_id is the new job (it kept 4242);
 *  - squeue that retries for a while, then fails with "..., retrying in
 *    1sec up to 60sec": a line says what is waited for before it ends,
 *    and the refusal does not say "retrying" (nothing is).
 */
static void slurm_resubmit(const char *dir, const char *bin, char *const envv[])
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char path[8192], a1[8192], a2[8192];
	snprintf(path, sizeof(path), "%s/sbatch", bin);
	write_text(path, "#!/bin/sh\necho 4343\n");
	char *r[] = {(char *)pb, "suite", "--resume", (char *)dir, "--slurm", NULL};
	PB_CHECK_MSG(o && spawn_run(r, envv, o) == 0 && strstr(o->err, "submitted job 4343"), "%s",
		     o ? o->err : "");
	const char *prefix[] = {"#SBATCH --job-name=", "# Written by pagebench: the suite '"};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/job-1.sbatch", dir);
		line_of(path, prefix[i], a1, sizeof(a1));
		snprintf(path, sizeof(path), "%s/job-2.sbatch", dir);
		line_of(path, prefix[i], a2, sizeof(a2));
		PB_CHECK_MSG(a1[0] && !strcmp(a1, a2) && !strstr(a2, "resume"),
			     "job-1.sbatch: %s, job-2.sbatch: %s", a1, a2);
	}
	json_t *meta = load_json((snprintf(path, sizeof(path), "%s/meta.json", dir), path));
	json_t *cfg = json_object_get(meta, "config");
	const char *id = json_string_value(json_object_get(cfg, "slurm_job_id")),
		   *sst = json_string_value(json_object_get(cfg, "suite_status"));
	PB_CHECK_MSG(id && !strcmp(id, "4343") && sst && !strcmp(sst, "submitted"),
		     "slurm_job_id %s, suite_status %s", id ? id : "-", sst ? sst : "-");
	json_decref(meta);
	snprintf(path, sizeof(path), "%s/squeue", bin);
	write_text(path, "#!/bin/sh\nsleep 3\necho 'squeue: error: s_p_parse_file: cannot stat "
			 "file /nowhere/slurm.conf: No such file or directory, retrying in 1sec "
			 "up to 60sec' >&2\nexit 1\n");
	char *c[] = {(char *)pb, "suite", "--resume", (char *)dir, "--slurm", "--dry-run", NULL};
	int rc = o ? spawn_run(c, envv, o) : -1;
	PB_CHECK_MSG(rc == 2 && strstr(o->err, "waiting for squeue -j 4343") &&
			 strstr(o->err, "cannot tell whether job 4343") &&
			 strstr(o->err, "No such file or directory (squeue gave up") &&
			 !strstr(o->err, "retrying in"),
		     "exit %d: %s", rc, o ? o->err : "");
	free(o);
	slurm_wait_once(dir, bin, envv);
}

static void slurm_stub(const char *tmp)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char bin[4096], path[8192], env[8400], file[4096], res[4096];
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	PB_CHECK(mkdir(bin, 0777) == 0);
	const char *stubs[][2] = {{"sbatch", "#!/bin/sh\necho 4242\n"}, {"squeue", "#!/bin/sh\n"}};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", bin, stubs[i][0]);
		FILE *f = fopen(path, "w");
		PB_CHECK(f != NULL);
		if (f) {
			fputs(stubs[i][1], f);
			fclose(f);
		}
		PB_CHECK(chmod(path, 0755) == 0);
	}
	snprintf(env, sizeof(env), "PATH=%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin");
	char *envv[] = {env, NULL};
	/* A plan for the compute nodes must not take this machine's core count:
	 * `suite default --slurm` without --threads is refused (it planned
	 * thread scaling up to the login node's cores). */
	char *d0[] = {(char *)pb, "suite", "default", "--slurm", "--dry-run", NULL};
	PB_CHECK_MSG(spawn_run(d0, envv, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, "--slurm: default uses $THREADS"),
		     "%s", o->err);
	char *d1[] = {(char *)pb,  "suite",	"default", "--slurm",
		      "--dry-run", "--threads", "1,4",	   NULL};
	PB_CHECK(spawn_run(d1, envv, o) == 0 && strstr(o->out, "--cpus-per-task=4\n"));
	snprintf(file, sizeof(file), "%s/scale.suite", tmp);
	FILE *f = fopen(file, "w");
	fputs("run memtouch --threads 1,2 --reps 6 --size 1M\n", f);
	fclose(f);
	snprintf(res, sizeof(res), "%s/slurm-results", tmp);
	char *a[] = {(char *)pb, "suite", file,	       "--slurm", "--time", "5:00",
		     "--label",	 "lab2",  "--results", res,	  NULL};
	PB_CHECK_MSG(spawn_run(a, envv, o) == 0 && strstr(o->err, "submitted job 4242"), "%s",
		     o->err);
	slurm_odd_paths(tmp, file, envv);
	char dir[4096];
	if (!suite_folder(res, "plan.json", dir, sizeof(dir))) {
		free(o);
		return;
	}
	json_t *meta = load_json((snprintf(path, sizeof(path), "%s/meta.json", dir), path));
	const char *st = json_string_value(json_object_get(meta, "status")),
		   *sst = json_string_value(
		       json_object_get(json_object_get(meta, "config"), "suite_status"));
	PB_CHECK_MSG(st && !strcmp(st, "partial") && sst && !strcmp(sst, "submitted"),
		     "status %s, suite_status %s", st ? st : "-", sst ? sst : "-");
	json_decref(meta);
	char *r[] = {(char *)pb, "suite", "--resume", dir, "--slurm", "--dry-run", NULL};
	PB_CHECK(spawn_run(r, envv, o) == 0);
	PB_CHECK_MSG(
	    strstr(o->out, "#SBATCH --array=1\n") && strstr(o->out, "--cpus-per-task=2\n") &&
		strstr(o->out, "#SBATCH --exclusive\n") && strstr(o->out, "#SBATCH --time=5:00\n"),
	    "%s", o->out);
	/* The array task was killed at its time limit: merge names the task,
	 * its command and the cause from its Slurm log (it said "1 without a
	 * result" and nothing more). */
	snprintf(path, sizeof(path), "%s/tasks/slurm-4242_1.out", dir);
	f = fopen(path, "w");
	fputs("slurmstepd: error: *** JOB 4243 ON n1 CANCELLED AT 2026-12-05T07:49:48 DUE TO "
	      "TIME LIMIT ***\n",
	      f);
	fclose(f);
	char *m[] = {(char *)pb, "merge", dir, NULL};
	PB_CHECK(spawn_run(m, envv, o) == 1);
	PB_CHECK_MSG(strstr(o->err, "task 1 (run memtouch --threads 1,2 --reps 6 --size 1M): no "
				    "result: timed out") &&
			 strstr(o->err, "tasks/slurm-4242_1.out"),
		     "%s", o->err);
	meta = load_json((snprintf(path, sizeof(path), "%s/meta.json", dir), path));
	const char *why = json_string_value(json_object_get(
	    json_array_get(json_object_get(json_object_get(meta, "config"), "tasks"), 0),
	    "reason"));
	PB_CHECK_MSG(why && strstr(why, "timed out"), "%s", why ? why : "no reason");
	json_decref(meta);
	/* While squeue still lists a task of the job, a resume would run it a
	 * second time beside the first: refused (it resubmitted). */
	snprintf(path, sizeof(path), "%s/squeue", bin);
	f = fopen(path, "w");
	fputs("#!/bin/sh\necho '4242_1 R'\n", f);
	fclose(f);
	char *b[] = {(char *)pb, "suite", "--resume", dir, "--slurm", NULL};
	PB_CHECK_MSG(spawn_run(b, envv, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, "job 4242 of ") && strstr(o->err, "still has 1 task(s)"),
		     "%s", o->err);
	snprintf(path, sizeof(path), "%s/job-2.sbatch", dir);
	PB_CHECK(access(path, F_OK) != 0);
	/* squeue failing says nothing about the job (it was read as "no task
	 * left"): refused; its "Invalid job id" (a job it forgot) is no task. */
	const char *sq[2] = {"#!/bin/sh\necho 'slurm_load_jobs error: Unable to contact slurm "
			     "controller (connect failure)' >&2\nexit 1\n",
			     "#!/bin/sh\necho 'slurm_load_jobs error: Invalid job id specified' "
			     ">&2\nexit 1\n"};
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "%s/squeue", bin);
		f = fopen(path, "w");
		fputs(sq[k], f);
		fclose(f);
		char *c[] = {(char *)pb, "suite", "--resume", dir, "--slurm", "--dry-run", NULL};
		int rc = spawn_run(c, envv, o);
		if (k == 0)
			PB_CHECK_MSG(rc == 2 && strstr(o->err, "cannot tell whether job 4242") &&
					 strstr(o->err, "Unable to contact"),
				     "%s", o->err);
		else
			PB_CHECK_MSG(rc == 0 && strstr(o->out, "#SBATCH --array=1\n"), "%s",
				     o->err);
	}
	slurm_resubmit(dir, bin, envv);
	free(o);
}

/* --results naming a dangling symbolic link, or a folder under one: said
 * so, with its target (it said "cannot create results folder 'dangl': Not
 * a directory"); nothing is made where it points. */
static void dangling_results(const char *tmp)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char file[4096], link[4096], res[4200], want[4400];
	snprintf(file, sizeof(file), "%s/dangl.suite", tmp);
	write_text(file, "run memtouch --threads 1 --reps 1 --size 64K\n");
	snprintf(link, sizeof(link), "%s/dangl", tmp);
	PB_CHECK(symlink("nowhere", link) == 0);
	for (int k = 0; k < 2 && o; k++) {
		snprintf(res, sizeof(res), "%s%s", link, k ? "/sub" : "");
		char *a[] = {(char *)pb, "suite", file, "--results", res, NULL};
		int rc = spawn_run(a, NULL, o);
		snprintf(want, sizeof(want),
			 "cannot create results folder '%s': '%s' is a dangling symbolic link (to "
			 "'nowhere', which does not exist)",
			 res, link);
		PB_CHECK_MSG(rc != 0 && strstr(o->err, want), "exit %d: %s", rc, o->err);
	}
	snprintf(res, sizeof(res), "%s/nowhere", tmp);
	PB_CHECK(access(res, F_OK) != 0);
	free(o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_suite PAGEBENCH\n");
		return 2;
	}
	pb = argv[1];
	language();
	max_threads();
	char tmp[4096];
	if (!pbt_tmpdir(tmp, sizeof(tmp), "suite"))
		PB_SKIP("cannot create a temporary folder");
	cli(tmp);
	failed_reason(tmp);
	long_paths(tmp);
	long_threads(tmp);
	slurm_stub(tmp);
	dangling_results(tmp);
	if (pbt_rmtree(tmp))
		fprintf(stderr, "could not remove %s\n", tmp);
	return pb_test_done();
}
