/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_suite.c - `pagebench suite NAME|FILE`: run a suite's plan
 * into one run folder.
 *
 * The suite folder results/<UTC>-<host>-<id>/ holds plan.json (the tasks,
 * their commands and the variables used), tasks/NNN/ (each task is one
 * pagebench process writing its own run folder there, with its own
 * meta.json), and the merged files: every runs.csv, summary.csv,
 * events.csv, sim.csv and mrc.csv of the tasks concatenated under one
 * header (rows keep their task's host, label and run id columns), and the
 * suite's meta.json with each task's status.  A task that fails does not
 * stop the others; the suite exits 1 if any failed.  A signal (Ctrl-C)
 * stops launching tasks, merges what finished and marks the suite partial.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"
#include "pagebench/results.h"
#include "pagebench/suite.h"

extern char **environ;

struct suite_opts {
	char *threads, *reps, *label, *results;
	int dry_run, local;
};

#define O(f) offsetof(struct suite_opts, f)
static const struct pb_param suite_params[] = {
    {"threads", PB_PT_STR, O(threads), NULL, "thread counts: shorthand for --set THREADS=LIST",
     NULL, 0, 0, 't', 0, "LIST"},
    {"reps", PB_PT_STR, O(reps), NULL, "repetitions: shorthand for --set REPS=N", NULL, 0, 0, 'r',
     0, "N"},
    {"label", PB_PT_STR, O(label), NULL, "a label for this machine/run, passed to every task", NULL,
     0, 0, 0, 0, "NAME"},
    {"results", PB_PT_STR, O(results), NULL,
     "results root (default $PAGEBENCH_RESULTS or ./results)", NULL, 0, 0, 0, PB_PF_NOMETA, "DIR"},
    {"dry-run", PB_PT_FLAG, O(dry_run), NULL, "print the plan (one command per line) and stop",
     NULL, 0, 0, 'n', 0, NULL},
    {"local", PB_PT_FLAG, O(local), NULL, "run the tasks here, one after another (the default)",
     NULL, 0, 0, 0, 0, NULL},
    {0},
};

static void suite_usage(FILE *f)
{
	fprintf(f, "usage: pagebench suite NAME|FILE [options]\n"
		   "Runs a suite - a plain text file of pagebench commands (run, sim, mrc,\n"
		   "kernels) - into one run folder: each command is a task writing its own run\n"
		   "folder under tasks/, and the CSVs are merged at the top.  Built-in suites:");
	for (const char *const *b = pb_suite_builtin_names(); *b; b++)
		fprintf(f, " %s", *b);
	fprintf(f, ".\nThe suite language is in docs/suites.md.\noptions:\n");
	fprintf(f, "      --set NAME=VALUE         set a suite variable (repeatable; wins over the "
		   "file's `set`)\n");
	pb_param_help(suite_params, f, 1);
}

/* --set is repeatable, which the table does not do: pull those out first. */
static int take_sets(int *argc, char **argv, char ***sets, size_t *nsets, char *err, size_t errlen)
{
	int w = 1;
	*sets = calloc((size_t)*argc + 2, sizeof(char *));
	*nsets = 0;
	if (!*sets)
		return -ENOMEM;
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[w++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--set")) {
			if (i + 1 >= *argc) {
				snprintf(err, errlen, "option '--set' needs a value");
				return -EINVAL;
			}
			(*sets)[(*nsets)++] = argv[++i];
		} else if (!strncmp(argv[i], "--set=", 6)) {
			(*sets)[(*nsets)++] = argv[i] + 6;
		} else {
			argv[w++] = argv[i];
		}
	}
	*argc = w;
	return 0;
}

static int task_dir(char *buf, size_t len, const char *run, size_t i)
{
	return snprintf(buf, len, "%s/tasks/%03zu", run, i + 1) < (int)len ? 0 : -ENAMETOOLONG;
}

/* Run one task as a child pagebench; returns its wait status. */
static int run_task(const struct pb_suite_task *t, const char *dir, const char *label)
{
	char **argv = calloc((size_t)t->argc + 8, sizeof(char *));
	int n = 0, status = -1;
	pid_t pid;
	if (!argv)
		return -1;
	argv[n++] = "pagebench";
	for (int k = 0; k < t->argc; k++)
		argv[n++] = t->argv[k];
	argv[n++] = "--results";
	argv[n++] = (char *)dir;
	if (label) {
		argv[n++] = "--label";
		argv[n++] = (char *)label;
	}
	argv[n] = NULL;
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ) == 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	free(argv);
	return status;
}

/* The run folder a task's process made under its tasks/NNN/. */
static char *task_run_folder(const char *dir)
{
	char pat[4400];
	glob_t g;
	char *out = NULL;
	snprintf(pat, sizeof(pat), "%s/*/meta.json", dir);
	if (glob(pat, 0, NULL, &g) == 0) {
		if (g.gl_pathc == 1) {
			out = strdup(g.gl_pathv[0]);
			if (out)
				*strrchr(out, '/') = 0;
		}
		globfree(&g);
	}
	return out;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			char *t = realloc(buf, cap);
			if (!t) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = t;
		}
		size_t r = fread(buf + n, 1, 65536, f);
		n += r;
		if (r < 65536)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/*
 * Concatenate NAME from every finished task under one header.  The header
 * is the first line (column names have no quotes or newlines); the rest is
 * copied record for record, so quoted fields survive untouched.
 */
static int merge_csv(const char *run, char **folders, size_t n, const char *name, json_t *notes,
		     char *err, size_t errlen)
{
	char path[4200];
	struct pb_out *o = NULL;
	FILE *f = NULL;
	char *header = NULL;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!folders[i])
			continue;
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s", folders[i], name);
		char *buf = slurp(path, &len);
		if (!buf)
			continue;
		char *nl = memchr(buf, '\n', len);
		if (!nl) {
			free(buf);
			continue;
		}
		size_t hlen = (size_t)(nl - buf) + 1;
		if (!header) {
			header = strndup(buf, hlen);
			snprintf(path, sizeof(path), "%s/%s", run, name);
			rc = pb_out_open(path, 0, &o, err, errlen);
			if (!rc) {
				f = pb_out_stream(o);
				fwrite(buf, 1, hlen, f);
			}
		} else if (strlen(header) != hlen || memcmp(header, buf, hlen)) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s of task %zu has other columns: not merged",
				 name, i + 1);
			json_array_append_new(notes, json_string(msg));
			fprintf(stderr, "pagebench suite: %s\n", msg);
			free(buf);
			continue;
		}
		if (!rc)
			fwrite(buf + hlen, 1, len - hlen, f);
		free(buf);
	}
	free(header);
	if (o)
		rc = pb_out_commit(o, err, errlen);
	return rc;
}

int pb_cmd_suite(int argc, char **argv)
{
	struct suite_opts so;
	char err[1024];
	char **sets = NULL, *pos[256];
	size_t nsets = 0;
	int npos = 0;
	if (take_sets(&argc, argv, &sets, &nsets, err, sizeof(err)))
		pb_usage_error("suite", "%s", err);
	if (argc > (int)PB_ARRAY_SIZE(pos))
		pb_usage_error("suite", "too many arguments");
	if (pb_param_defaults(suite_params, &so, err, sizeof(err)))
		pb_usage_error("suite", "%s", err);
	int rc = pb_param_getopt(suite_params, &so, argc, argv, pos, &npos, NULL, err, sizeof(err));
	if (rc == 1) {
		suite_usage(stdout);
		return PB_EXIT_OK;
	}
	if (rc)
		pb_usage_error("suite", "%s", err);
	if (npos == 0)
		pb_usage_error("suite", "missing suite: usage: pagebench suite NAME|FILE [options] "
					"(see pagebench suite --help)");
	if (npos > 1)
		pb_usage_error("suite", "unexpected argument '%s'", pos[1]);
	char thr[512], reps[64];
	if (so.threads) {
		snprintf(thr, sizeof(thr), "THREADS=%s", so.threads);
		sets[nsets++] = thr;
	}
	if (so.reps) {
		snprintf(reps, sizeof(reps), "REPS=%s", so.reps);
		sets[nsets++] = reps;
	}
	struct pb_suite *s;
	rc = pb_suite_load(pos[0], sets, nsets, &s, err, sizeof(err));
	if (rc) {
		pb_error("suite", "%s", err);
		pb_param_free(suite_params, &so);
		free(sets);
		return rc == -EIO ? PB_EXIT_FAIL : PB_EXIT_USAGE;
	}
	free(sets);
	if (so.dry_run) {
		for (size_t i = 0; i < s->ntasks; i++)
			printf("pagebench %s\n", s->tasks[i].text);
		pb_suite_free(s);
		pb_param_free(suite_params, &so);
		return PB_EXIT_OK;
	}

	pb_signals_install(1);
	struct pb_run *run = pb_run_create(so.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error("suite", "%s", err);
		pb_suite_free(s);
		pb_param_free(suite_params, &so);
		return PB_EXIT_FAIL;
	}
	const char *rd = pb_run_dir(run);
	char tasks_root[4200], dir[4200];
	snprintf(tasks_root, sizeof(tasks_root), "%s/tasks", rd);
	mkdir(tasks_root, 0777);

	/* plan.json: what will run, before anything runs. */
	json_t *plan = json_object(), *jt = json_array(), *jv = json_array(), *notes = json_array();
	json_object_set_new(plan, "schema_version", json_integer(1));
	json_object_set_new(plan, "suite", json_string(s->name));
	json_object_set_new(plan, "origin", json_string(s->origin));
	for (size_t i = 0; i < s->nvars; i++)
		json_array_append_new(jv, json_string(s->vars[i]));
	json_object_set_new(plan, "variables", jv);
	for (size_t i = 0; i < s->ntasks; i++) {
		json_t *t = json_object(), *a = json_array();
		for (int k = 0; k < s->tasks[i].argc; k++)
			json_array_append_new(a, json_string(s->tasks[i].argv[k]));
		json_object_set_new(t, "task", json_integer((json_int_t)i + 1));
		json_object_set_new(t, "line", json_integer(s->tasks[i].line));
		json_object_set_new(t, "argv", a);
		json_object_set_new(t, "command", json_string(s->tasks[i].text));
		json_array_append_new(jt, t);
	}
	json_object_set_new(plan, "tasks", jt);
	char *pj = json_dumps(plan, JSON_INDENT(2));
	snprintf(dir, sizeof(dir), "%s/plan.json", rd);
	if (!pj || pb_out_write_all(dir, 0, pj, strlen(pj), err, sizeof(err)))
		pb_error("suite", "%s", pj ? err : "out of memory");
	free(pj);

	fprintf(stderr, "pagebench suite %s: %zu task(s) into %s\n", s->name, s->ntasks, rd);
	char **folders = calloc(s->ntasks ? s->ntasks : 1, sizeof(char *));
	size_t failed = 0, done = 0;
	for (size_t i = 0; i < s->ntasks && folders; i++) {
		json_t *t = json_array_get(jt, i);
		if (pb_signal_pending()) {
			json_object_set_new(t, "status", json_string("not run"));
			continue;
		}
		task_dir(dir, sizeof(dir), rd, i);
		mkdir(dir, 0777);
		fprintf(stderr, "[%zu/%zu] pagebench %s\n", i + 1, s->ntasks, s->tasks[i].text);
		int st = run_task(&s->tasks[i], dir, so.label);
		int ok = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
		folders[i] = task_run_folder(dir);
		json_object_set_new(t, "status", json_string(ok ? "ok" : "failed"));
		if (st >= 0 && WIFEXITED(st))
			json_object_set_new(t, "exit_code", json_integer(WEXITSTATUS(st)));
		else if (st >= 0 && WIFSIGNALED(st))
			json_object_set_new(t, "signal", json_integer(WTERMSIG(st)));
		if (folders[i])
			json_object_set_new(t, "run_dir", json_string(folders[i] + strlen(rd) + 1));
		if (!ok) {
			failed++;
			fprintf(stderr, "pagebench suite: task %zu (%s line %u) failed\n", i + 1,
				s->name, s->tasks[i].line);
		}
		done++;
	}
	static const char *const merged[] = {"runs.csv", "summary.csv", "events.csv", "sim.csv",
					     "mrc.csv"};
	int mrc = 0;
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged) && folders; k++)
		if (merge_csv(rd, folders, s->ntasks, merged[k], notes, err, sizeof(err))) {
			pb_error("suite", "%s", err);
			mrc = 1;
		}
	const char *status = pb_signal_pending() ? "partial" : failed ? "failed" : "complete";
	pb_run_config_str(run, "suite", s->name);
	pb_run_config_str(run, "suite_origin", s->origin);
	pb_run_config_str(run, "suite_status", status);
	char *tj = json_dumps(jt, JSON_COMPACT);
	if (tj)
		pb_run_config_json(run, "tasks", tj);
	free(tj);
	char *nj = json_dumps(notes, JSON_COMPACT);
	if (nj)
		pb_run_config_json(run, "merge_notes", nj);
	free(nj);
	char *vj = json_dumps(json_object_get(plan, "variables"), JSON_COMPACT);
	if (vj)
		pb_run_config_json(run, "variables", vj);
	free(vj);
	int frc = pb_run_finish(run);
	json_decref(plan);
	json_decref(notes);
	for (size_t i = 0; folders && i < s->ntasks; i++)
		free(folders[i]);
	free(folders);
	fprintf(stderr, "pagebench suite %s: %zu of %zu task(s) ran, %zu failed: %s\n", s->name,
		done, s->ntasks, failed, status);
	pb_suite_free(s);
	pb_param_free(suite_params, &so);
	if (pb_signal_pending())
		pb_signal_exit(pb_signal_pending());
	return failed || frc || mrc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
