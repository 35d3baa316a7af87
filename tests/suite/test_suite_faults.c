/* SPDX-License-Identifier: MIT */
/*
 * tests/suite/test_suite_faults.c - a local suite when things go wrong.
 *  - `kill PID` (SIGTERM to the suite process alone, not its group) while
 *    a task runs: the task gets it too and stops, its task.json says
 *    "interrupted" (not ok), the suite is partial and dies of SIGTERM, the
 *    task's process is gone once the suite is, and --resume runs the task
 *    again (the suite waited for the task to end and recorded it ok);
 *  - a merge that cannot write a merged file (a file size limit, with
 *    SIGXFSZ at its default as in a user's shell): exit 1 with the reason,
 *    no merged CSV and no temporary file left, meta.json failed with the
 *    error, files and experiments empty, the tasks' statuses kept; once
 *    there is room, `merge` writes everything again (it was killed by
 *    SIGXFSZ, or left meta.json as before the merge beside merged CSVs);
 *  - one task whose runs.csv has other columns (an edited file, another
 *    build): the other tasks' header wins however the tasks are ordered,
 *    the odd task is not merged (none of its files), counts as failed, the
 *    run is not complete (exit 1) and --resume runs it again (the first
 *    task's header won, the others' rows were dropped, and the run said
 *    complete with exit 0);
 *  - `merge --timeout S` without --wait is refused, exit 2.
 * Every JSON file is read with jansson and every CSV with the quote-aware
 * reader.
 */
#define _GNU_SOURCE
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* paths in tests are short */
#endif
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *pb;
static char *const no_figures[] = {"PAGEBENCH_NO_FIGURES=1", NULL};

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		fprintf(stderr, "  %s: %s (line %d)\n", path, je.text, je.line);
	return j;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Task i's entry (1-based) of the suite folder's meta.json config.tasks. */
static json_t *task_entry(json_t *meta, size_t i)
{
	return json_array_get(json_object_get(json_object_get(meta, "config"), "tasks"), i - 1);
}

/* Records of a CSV by the quote-aware reader, -1 if it cannot be read; its
 * header joined by ',' into hdr (may be NULL). */
static long csv_records(const char *path, char *hdr, size_t hlen)
{
	struct pb_csv t;
	char err[512];
	if (pb_csv_read_file(path, &t, err, sizeof(err))) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	for (size_t c = 0, o = 0; hdr && c < t.ncols && o < hlen; c++)
		o += (size_t)snprintf(hdr + o, hlen - o, "%s%s", c ? "," : "", t.header[c]);
	long n = (long)t.nrows;
	pb_csv_free(&t);
	return n;
}

/* The records of NAME in task i's run folder (config.tasks' run_dir). */
static long task_records(const char *dir, json_t *meta, size_t i, const char *name, char *hdr,
			 size_t hlen)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s/%s", dir, jstr(task_entry(meta, i), "run_dir"), name);
	return csv_records(path, hdr, hlen);
}

/* Entries of dir whose name starts with prefix (a temporary file of x:
 * ".x."). */
static int count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

/* Every file meta.json's `files` names is there. */
static int files_exist(const char *dir, json_t *meta)
{
	size_t i;
	json_t *f;
	int ok = json_is_array(json_object_get(meta, "files"));
	json_array_foreach(json_object_get(meta, "files"), i, f)
	{
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(f) ?: "?");
		if (access(path, F_OK)) {
			fprintf(stderr, "  meta.json lists %s, which is not there\n", path);
			ok = 0;
		}
	}
	return ok;
}

/* The pid of a child of `parent` (from /proc/PID/stat), 0 if none. */
static pid_t child_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	while (d && !found && (e = readdir(d))) {
		char path[300], buf[1024];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = 0;
		const char *rp = strrchr(buf, ')'); /* the command may hold blanks */
		char state;
		int ppid;
		if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == parent)
			found = (pid_t)atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/*
 * SIGTERM to the suite's pid alone while task 1 runs (a run long enough
 * to be still running however slow the machine: its rows are never
 * needed).  Task 1 started when its run folder has a temporary runs.csv.
 */
static void interrupt_task(const char *tmp)
{
	char file[4096], res[4096], pat[8192], path[8192], dir[8192];
	snprintf(file, sizeof(file), "%s/long.suite", tmp);
	pbt_write_text(file, "run chase --threads 1 --reps 4000 --ops 400000 --size 64K "
			     "--no-baseline\n"
			     "run memtouch --threads 1 --reps 1 --size 64K\n");
	snprintf(res, sizeof(res), "%s/int", tmp);
	char *a[] = {(char *)pb, "suite", file, "--results", res, NULL};
	setenv("PAGEBENCH_NO_FIGURES", "1", 1);
	pid_t suite = pbt_start(a, -1);
	PB_CHECK(suite > 0);
	snprintf(pat, sizeof(pat), "%s/*/tasks/001/*/.runs.csv.*", res);
	int started = 0;
	for (int i = 0; i < 6000 && !started; i++) { /* a stuck start fails, not hangs */
		glob_t g;
		started = glob(pat, 0, NULL, &g) == 0;
		if (started)
			globfree(&g);
		else
			nap(10);
	}
	PB_CHECK_MSG(started, "task 1 never started writing (%s)", pat);
	pid_t task = child_of(suite);
	PB_CHECK_MSG(task > 0, "no child process of the suite (pid %d)", (int)suite);
	kill(suite, SIGTERM); /* the suite alone: `kill PID` */
	int st;
	waitpid(suite, &st, 0);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "suite status %d", st);
	/* the suite waited for its task: the task is no process any more */
	PB_CHECK_MSG(task <= 0 || (kill(task, 0) != 0 && errno == ESRCH),
		     "task process %d still there after the suite ended", (int)task);
	snprintf(pat, sizeof(pat), "%s/*/plan.json", res);
	if (pbt_glob_one(pat, dir, sizeof(dir))) {
		PB_CHECK_MSG(0, "no suite folder (%s)", pat);
		return;
	}
	*strrchr(dir, '/') = 0;
	snprintf(path, sizeof(path), "%s/tasks/001/task.json", dir);
	json_t *t = load_json(path);
	PB_CHECK_MSG(!strcmp(jstr(t, "status"), "interrupted") &&
			 !strcmp(jstr(t, "interrupted_by"), "SIGTERM"),
		     "task 1: status '%s', interrupted_by '%s'", jstr(t, "status"),
		     jstr(t, "interrupted_by"));
	json_decref(t);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_t *m = load_json(path);
	PB_CHECK_MSG(!strcmp(jstr(m, "status"), "partial"), "suite status '%s'", jstr(m, "status"));
	json_t *t1 = task_entry(m, 1), *t2 = task_entry(m, 2);
	PB_CHECK_MSG(!strcmp(jstr(t1, "status"), "interrupted") &&
			 strstr(jstr(t1, "reason"), "interrupted by SIGTERM") &&
			 !strcmp(jstr(t2, "status"), "missing"),
		     "tasks: '%s' (%s), '%s'", jstr(t1, "status"), jstr(t1, "reason"),
		     jstr(t2, "status"));
	PB_CHECK(files_exist(dir, m));
	json_decref(m);
	/* both run again */
	struct spawn_out *o = calloc(1, sizeof(*o));
	char *r[] = {(char *)pb, "suite", "--resume", dir, "--dry-run", NULL};
	PB_CHECK_MSG(spawn_run(r, no_figures, o) == 0 && count_lines(o->out) == 2 &&
			 !strncmp(o->out, "pagebench run chase ", 20),
		     "%s%s", o->out, o->err);
	free(o);
}

/* `pagebench merge dir` under `ulimit -f kib` in bash, as a user's shell
 * runs it: SIGXFSZ at its default. */
static int merge_limited(const char *dir, unsigned long kib, struct spawn_out *o)
{
	char sh[64];
	snprintf(sh, sizeof(sh), "ulimit -f %lu && exec \"$@\"", kib);
	char *a[] = {"/bin/bash", "-c", sh, "bash", (char *)pb, "merge", (char *)dir, NULL};
	return spawn_run(a, no_figures, o);
}

/* A three-task suite of runs (memtouch's runs.csv larger than the suite's
 * meta.json), merged. */
static int three_tasks(const char *tmp, char *dir, size_t len)
{
	char file[4096], res[4096], pat[8192];
	snprintf(file, sizeof(file), "%s/three.suite", tmp);
	pbt_write_text(file, "run memtouch --threads 1 --reps 60 --size 64K\n"
			     "run chase --threads 1 --reps 20 --ops 1000 --size 64K\n"
			     "run memtouch --threads 1 --reps 60 --size 128K\n");
	snprintf(res, sizeof(res), "%s/three", tmp);
	struct spawn_out *o = calloc(1, sizeof(*o));
	char *a[] = {(char *)pb, "suite", file, "--results", res, NULL};
	PB_CHECK_MSG(spawn_run(a, no_figures, o) == 0, "%s", o->err);
	free(o);
	snprintf(pat, sizeof(pat), "%s/*/plan.json", res);
	if (pbt_glob_one(pat, dir, len))
		return 0;
	*strrchr(dir, '/') = 0;
	return 1;
}

static void merge_write_error(const char *dir)
{
	char path[8192];
	struct stat ms, rs;
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	PB_CHECK(stat(path, &ms) == 0);
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	PB_CHECK(stat(path, &rs) == 0);
	/* a limit meta.json fits under and the merged runs.csv does not */
	PB_CHECK_MSG(rs.st_size > ms.st_size + 8192, "runs.csv %lld, meta.json %lld bytes",
		     (long long)rs.st_size, (long long)ms.st_size);
	unsigned long kib = (unsigned long)(ms.st_size + rs.st_size) / 2 / 1024;
	struct spawn_out *o = calloc(1, sizeof(*o));
	int code = merge_limited(dir, kib, o);
	PB_CHECK_MSG(code == 1 && strstr(o->err, "pagebench merge: cannot merge: ") &&
			 strstr(o->err, "runs.csv: write failed: File too large") &&
			 !strstr(o->err, "pagebench suite:"),
		     "limited merge: exit %d: %s", code, o->err);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_t *m = load_json(path);
	json_t *cfg = json_object_get(m, "config");
	PB_CHECK_MSG(!strcmp(jstr(m, "status"), "failed") &&
			 !strcmp(jstr(cfg, "suite_status"), "failed") &&
			 strstr(jstr(cfg, "merge_error"), "File too large"),
		     "status '%s', suite_status '%s', merge_error '%s'", jstr(m, "status"),
		     jstr(cfg, "suite_status"), jstr(cfg, "merge_error"));
	json_t *errs = json_object_get(m, "errors");
	PB_CHECK(json_array_size(errs) == 1 &&
		 strstr(json_string_value(json_array_get(errs, 0)) ?: "", "File too large"));
	PB_CHECK(json_array_size(json_object_get(m, "files")) == 0);
	PB_CHECK(json_array_size(json_object_get(m, "experiments")) == 0);
	for (size_t i = 1; i <= 3; i++)
		PB_CHECK(!strcmp(jstr(task_entry(m, i), "status"), "ok"));
	json_decref(m);
	static const char *const merged[] = {"runs.csv", "summary.csv", "events.csv"};
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, merged[k]);
		PB_CHECK_MSG(access(path, F_OK) != 0, "%s left beside a failed merge", path);
	}
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged); k++) { /* nor a temporary file */
		snprintf(path, sizeof(path), ".%s.", merged[k]);
		PB_CHECK_EQ_U64(count_prefix(dir, path), 0);
	}
	/* with room again: everything merged, the error gone */
	char *a[] = {(char *)pb, "merge", (char *)dir, NULL};
	PB_CHECK_MSG(spawn_run(a, no_figures, o) == 0, "%s", o->err);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	m = load_json(path);
	cfg = json_object_get(m, "config");
	PB_CHECK(!strcmp(jstr(m, "status"), "complete") && !json_object_get(cfg, "merge_error") &&
		 json_array_size(json_object_get(m, "errors")) == 0 &&
		 json_array_size(json_object_get(m, "files")) == 3 && files_exist(dir, m));
	long want = 0;
	for (size_t i = 1; i <= 3; i++)
		want += task_records(dir, m, i, "runs.csv", NULL, 0);
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	PB_CHECK_EQ_U64(csv_records(path, NULL, 0), want);
	json_decref(m);
	free(o);
}

/* Task `odd`'s runs.csv loses its last column. */
static void drop_last_column(const char *dir, json_t *meta, size_t odd)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s/runs.csv", dir, jstr(task_entry(meta, odd), "run_dir"));
	size_t len = 0;
	char *text = pb_slurp(path, &len);
	FILE *f = text ? fopen(path, "w") : NULL;
	PB_CHECK(f != NULL);
	for (char *line = text, *nl; f && line < text + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (!nl)
			break;
		*nl = 0;
		char *comma = strrchr(line, ','); /* our last column is a plain number */
		if (comma)
			*comma = 0;
		fprintf(f, "%s\n", line);
	}
	if (f)
		PB_CHECK(fclose(f) == 0);
	free(text);
}

static void odd_columns(const char *dir, size_t odd)
{
	char path[8192], want_hdr[8192] = "", hdr[8192] = "";
	struct spawn_out *o = calloc(1, sizeof(*o));
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_t *m = load_json(path);
	drop_last_column(dir, m, odd);
	long want = 0;
	for (size_t i = 1; i <= 3; i++)
		if (i != odd)
			want += task_records(dir, m, i, "runs.csv", want_hdr, sizeof(want_hdr));
	json_decref(m);
	char *a[] = {(char *)pb, "merge", (char *)dir, NULL};
	char line[64];
	snprintf(line, sizeof(line), "  task %zu (run ", odd);
	PB_CHECK_MSG(spawn_run(a, no_figures, o) == 1 &&
			 strstr(o->err, "2 task(s) ok, 1 failed, 0 without a result") &&
			 strstr(o->err, line) && strstr(o->err, "runs.csv has other columns"),
		     "task %zu odd: exit %d: %s", odd, o->code, o->err);
	m = load_json(path);
	json_t *t = task_entry(m, odd);
	PB_CHECK_MSG(!strcmp(jstr(m, "status"), "failed") && !strcmp(jstr(t, "status"), "failed") &&
			 strstr(jstr(t, "reason"), "not merged"),
		     "status '%s', task %zu '%s' (%s)", jstr(m, "status"), odd, jstr(t, "status"),
		     jstr(t, "reason"));
	PB_CHECK(files_exist(dir, m));
	json_decref(m);
	/* the merged runs.csv: the other two tasks' rows under their header */
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	PB_CHECK_EQ_U64(csv_records(path, hdr, sizeof(hdr)), want);
	PB_CHECK_MSG(!strcmp(hdr, want_hdr), "merged header %s", hdr);
	/* --resume runs the odd task again; then all is merged */
	char *rd[] = {(char *)pb, "suite", "--resume", (char *)dir, "--dry-run", NULL};
	PB_CHECK_MSG(
	    spawn_run(rd, no_figures, o) == 0 && count_lines(o->out) == 1 &&
		strstr(o->err, "has other columns than the other tasks', so it runs again"),
	    "%s%s", o->out, o->err);
	char *r[] = {(char *)pb, "suite", "--resume", (char *)dir, NULL};
	PB_CHECK_MSG(spawn_run(r, no_figures, o) == 0 && strstr(o->err, "3 task(s) ok"), "%s",
		     o->err);
	free(o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_suite_faults PAGEBENCH\n");
		return 2;
	}
	pb = argv[1];
	char tmp[4096], dir[8192];
	if (!pbt_tmpdir(tmp, sizeof(tmp), "suitef"))
		PB_SKIP("cannot create a temporary folder");
	interrupt_task(tmp);
	if (three_tasks(tmp, dir, sizeof(dir))) {
		/* a user's `ulimit -f` (bash's: 1 KiB units) */
		int bash = access("/bin/bash", X_OK) == 0;
		struct spawn_out *o = calloc(1, sizeof(*o));
		char *mt[] = {(char *)pb, "merge", dir, "--timeout", "5", NULL};
		PB_CHECK_MSG(spawn_run(mt, no_figures, o) == 2 && count_lines(o->err) == 1 &&
				 strstr(o->err, "--timeout goes with --wait"),
			     "exit %d: %s", o->code, o->err);
		free(o);
		if (bash)
			merge_write_error(dir);
		else
			fprintf(stderr, "no /bin/bash: the merge's write error not checked\n");
		odd_columns(dir, 1); /* the first task is the odd one */
		odd_columns(dir, 3);
	}
	if (pbt_rmtree(tmp))
		fprintf(stderr, "could not remove %s\n", tmp);
	return pb_test_done();
}
