/* SPDX-License-Identifier: MIT */
/*
 * harness/suite_plan.c - a suite's plan on disk, its tasks, and merging:
 * the part of `suite` that is the same here (--local) and on Slurm.
 *
 * A suite run folder is written in three steps that can happen on
 * different machines:
 *   1. plan   plan.json: the suite, its variables and each task's argv
 *             (written once, before anything runs);
 *   2. tasks  each task N runs as `pagebench suite --task DIR N`, on this
 *             machine or as array task N of a Slurm job: it runs the task's
 *             command as a child pagebench writing its own run folder under
 *             tasks/NNN/, then writes tasks/NNN/task.json (status, exit
 *             code, host, Slurm ids, times) through the safe writer, so a
 *             task.json that exists is complete;
 *   3. merge  reads plan.json and every task.json, concatenates the tasks'
 *             CSVs under one header into the suite folder, and updates
 *             meta.json: each task's status and the suite's (complete,
 *             partial: some tasks have no result, failed: some failed).
 *             Merging always starts from the tasks' own files and replaces
 *             the merged ones, so nothing is merged twice.
 * A task re-run by --resume first moves its old folder aside
 * (tasks/NNN.attempt-K), so only the newest attempt is merged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/kernel.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"
#include "pagebench/parse.h"
#include "pagebench/suite.h"

extern char **environ;

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* How the suite's JSON files (plan.json, task.json, the suite's meta.json)
 * are written by pb_json_write. */
#define SUITE_JSON (JSON_INDENT(2) | JSON_ENSURE_ASCII)

/*
 * The --threads value a task's command runs with, in every spelling its
 * parser (pb_param_getopt) takes: --threads LIST, --threads=LIST and, for
 * run, whose table gives it the short option -t (cmd_run.c), -t LIST and
 * -tLIST.  The last one given wins, as there; after "--" nothing is an
 * option.  NULL if none.
 */
static const char *task_threads(const struct pb_suite_task *t)
{
	const char *v = NULL;
	(void)pb_param_argv_find(t->argv, t->argc, 1, "--threads",
				 !strcmp(t->argv[0], "run") ? 't' : 0, &v);
	return v;
}

unsigned pb_suite_max_threads(const struct pb_suite *s)
{
	uint64_t best = 1;
	for (size_t i = 0; i < s->ntasks; i++) {
		const char *thr = task_threads(&s->tasks[i]);
		uint64_t *v = NULL;
		size_t n = 0;
		if (thr && !pb_parse_u64_list(thr, &v, &n))
			for (size_t j = 0; j < n; j++)
				best = v[j] > best ? v[j] : best;
		free(v);
	}
	return best > 4096 ? 4096 : (unsigned)best;
}

int pb_suite_plan_write(const struct pb_suite *s, const char *dir, const char *label, char *err,
			size_t errlen)
{
	json_t *plan = json_object(), *jt = json_array(), *jv = json_array();
	json_object_set_new(plan, "schema_version", json_integer(1));
	json_object_set_new(plan, "suite", json_string(s->name));
	json_object_set_new(plan, "origin", json_string(s->origin));
	json_object_set_new(plan, "source", json_string(s->text));
	/* what a resume needs to run the rest alike: the label every task gets,
	 * and the cores a task asks of Slurm */
	json_object_set_new(plan, "label", label ? json_string(label) : json_null());
	json_object_set_new(plan, "max_threads", json_integer(pb_suite_max_threads(s)));
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
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	int rc = pb_json_write(path, plan, SUITE_JSON, 0, err, errlen);
	json_decref(plan);
	snprintf(path, sizeof(path), "%s/tasks", dir);
	if (!rc && mkdir(path, 0777) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	}
	return rc;
}

/* path's JSON, or NULL with "PATH:LINE:COLUMN: what" (jansson's position;
 * "PATH: what" where it has none: a file that cannot be opened) in err. */
static __attribute__((noinline)) json_t *load_json(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j && je.line > 0)
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	else if (!j)
		snprintf(err, errlen, "%s: %s", path, je.text);
	return j;
}

/*
 * Task N's task.json (tdir: its folder): 0 with *out when it parses as an
 * object, 0 with *out NULL when there is none (the task has no result),
 * -EINVAL with "PATH:LINE:COLUMN: what" in err when it exists but cannot
 * be read: truncated, not JSON, not an object (task_run writes it through
 * the safe writer, so a damaged one was damaged afterwards).
 */
static int task_json(const char *tdir, json_t **out, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/task.json", tdir);
	*out = NULL;
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	json_t *t = load_json(path, err, errlen);
	if (t && !json_is_object(t)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		json_decref(t);
		t = NULL;
	}
	*out = t;
	return t ? 0 : -EINVAL;
}

/* dir's plan.json and its tasks array (*tasks, borrowed), or NULL with
 * the reason in err. */
static json_t *plan_load(const char *dir, json_t **tasks, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	json_t *plan = load_json(path, err, errlen);
	*tasks = json_object_get(plan, "tasks");
	if (plan && !json_is_array(*tasks)) {
		snprintf(err, errlen, "%s: no tasks array", path);
		json_decref(plan);
		plan = NULL;
	}
	return plan;
}

int pb_suite_plan_info(const char *dir, size_t *ntasks, char **label, char **name,
		       unsigned *max_threads, char *err, size_t errlen)
{
	json_t *tasks, *plan = plan_load(dir, &tasks, err, errlen);
	if (!plan)
		return -EINVAL;
	json_int_t mt = json_integer_value(json_object_get(plan, "max_threads"));
	const char *l = json_string_value(json_object_get(plan, "label"));
	const char *nm = json_string_value(json_object_get(plan, "suite"));
	*ntasks = json_array_size(tasks);
	*max_threads = mt >= 1 && mt <= 4096 ? (unsigned)mt : 1;
	*label = l ? strdup(l) : NULL;
	if (name)
		*name = nm ? strdup(nm) : NULL;
	json_decref(plan);
	return (l && !*label) || (name && nm && !*name) ? -ENOMEM : 0;
}

int pb_suite_plan_ntasks(const char *dir, size_t *n, char *err, size_t errlen)
{
	char *label = NULL;
	unsigned maxthr;
	int rc = pb_suite_plan_info(dir, n, &label, NULL, &maxthr, err, errlen);
	free(label);
	return rc;
}

static void task_dir(char *buf, size_t len, const char *dir, size_t task)
{
	snprintf(buf, len, "%s/tasks/%03zu", dir, task);
}

/* The run folder a task's process made under tasks/NNN/ (malloc'ed) or NULL. */
static char *task_run_folder(const char *tdir)
{
	char pat[PATH_MAX + 32];
	glob_t g;
	char *out = NULL;
	snprintf(pat, sizeof(pat), "%s/*/meta.json", tdir);
	if (glob(pat, 0, NULL, &g) == 0) {
		if (g.gl_pathc >= 1) { /* one per attempt folder; the newest sorts last */
			out = strdup(g.gl_pathv[g.gl_pathc - 1]);
			if (out)
				*strrchr(out, '/') = 0;
		}
		globfree(&g);
	}
	return out;
}

static const char *envs(const char *k)
{
	const char *v = getenv(k);
	return v && *v ? v : NULL;
}

/* Copy fd to our stderr until EOF; keep its last non-empty line (its
 * message: a path and its reason fit PB_KERNEL_ERRLEN, not 512 bytes). */
static void tee_last_line(int fd, char *last, size_t len)
{
	char buf[4096], line[PB_KERNEL_ERRLEN];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (size_t w = 0; w < (size_t)r;) { /* ours is the task's stderr */
			ssize_t k = write(2, buf + w, (size_t)r - w);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			w += (size_t)k;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n' || buf[i] == '\r') {
				if (n) {
					line[n] = 0;
					snprintf(last, len, "%s", line);
				}
				n = 0;
			} else if (n + 1 < sizeof(line)) {
				line[n++] = buf[i];
			}
		}
	}
	if (n) {
		line[n] = 0;
		snprintf(last, len, "%s", line);
	}
}

int pb_suite_task_run(const char *dir, size_t task, const char *label, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], tdir[PATH_MAX], host[256] = "";
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	json_t *plan = load_json(path, err, errlen);
	if (!plan)
		return -EINVAL;
	json_t *t = json_array_get(json_object_get(plan, "tasks"), task - 1);
	json_t *argv = json_object_get(t, "argv");
	if (!task || !json_is_array(argv) || !json_array_size(argv)) {
		snprintf(err, errlen, "%s: no task %zu", path, task);
		json_decref(plan);
		return -EINVAL;
	}
	if (!label) /* the suite's own: a resumed task is labelled as the rest */
		label = json_string_value(json_object_get(plan, "label"));
	task_dir(tdir, sizeof(tdir), dir, task);
	/* A result of an earlier attempt moves aside: only the newest is merged. */
	for (int k = 1; access(tdir, F_OK) == 0; k++) {
		snprintf(path, sizeof(path), "%s.attempt-%d", tdir, k);
		if (access(path, F_OK) && rename(tdir, path) == 0)
			break;
		if (k > 1000)
			break;
	}
	if (mkdir(tdir, 0777)) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", tdir, strerror(e));
		json_decref(plan);
		return -e;
	}
	size_t n = json_array_size(argv);
	char **av = calloc(n + 8, sizeof(char *));
	if (!av) {
		json_decref(plan);
		return -ENOMEM;
	}
	/* The suite's options right after the command word, before the
	 * line's own: a `--` in the line ends the options there, as on the
	 * command line (pb_param_getopt), and appended after it they were
	 * arguments ("unexpected argument '--results'") */
	size_t k = 0;
	av[k++] = "pagebench";
	av[k++] = (char *)json_string_value(json_array_get(argv, 0));
	av[k++] = "--results";
	av[k++] = tdir;
	if (label) {
		av[k++] = "--label";
		av[k++] = (char *)label;
	}
	for (size_t i = 1; i < n; i++)
		av[k++] = (char *)json_string_value(json_array_get(argv, i));
	char started[32], finished[32];
	utc_now(started, sizeof(started));
	int status = -1;
	pid_t pid;
	char last[PB_KERNEL_ERRLEN] = "";
	int efd[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	/* stderr not a terminal (a log, Slurm's .out): pass the task's stderr
	 * through and keep its last line for task.json; on a terminal it stays
	 * the task's own (its progress needs a terminal), as the user sees it */
	if (!isatty(2) && !pipe2(efd, O_CLOEXEC))
		posix_spawn_file_actions_adddup2(&fa, efd[1], 2);
	/* `kill PID` of this suite reaches the task too (pb_signal_forward):
	 * the fatal signals blocked from before the task starts until it is
	 * registered, the task itself started with our mask as it was */
	sigset_t block, mask;
	posix_spawnattr_t sa;
	posix_spawnattr_init(&sa);
	sigemptyset(&block);
	pb_signals_fill(&block);
	pthread_sigmask(SIG_BLOCK, &block, &mask);
	posix_spawnattr_setsigmask(&sa, &mask);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK);
	int src = posix_spawn(&pid, "/proc/self/exe", &fa, &sa, av, environ);
	if (src == 0)
		pb_signal_forward(pid);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (efd[1] >= 0)
		close(efd[1]);
	if (src == 0 && efd[0] >= 0)
		tee_last_line(efd[0], last, sizeof(last));
	if (efd[0] >= 0)
		close(efd[0]);
	if (src == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	pb_signal_forward(0);
	utc_now(finished, sizeof(finished));
	free(av);
	gethostname(host, sizeof(host) - 1);

	json_t *r = json_object(), *sl = json_object();
	int ok = src == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	/* The suite was stopped by a signal while the task ran (the task got
	 * it too): the task did not fail, it has no result; --resume runs it
	 * again and the merge counts it with the tasks not run. */
	int sig = ok ? 0 : pb_signal_pending();
	char signame[32];
	json_object_set_new(r, "schema_version", json_integer(1));
	json_object_set_new(r, "task", json_integer((json_int_t)task));
	json_object_set_new(r, "command", json_incref(json_object_get(t, "command")));
	json_object_set_new(r, "status", json_string(ok ? "ok" : sig ? "interrupted" : "failed"));
	if (sig)
		json_object_set_new(r, "interrupted_by",
				    json_string(pb_signal_name(sig, signame, sizeof(signame))));
	if (src)
		json_object_set_new(r, "error", json_string(strerror(src)));
	else if (WIFEXITED(status))
		json_object_set_new(r, "exit_code", json_integer(WEXITSTATUS(status)));
	else if (WIFSIGNALED(status))
		json_object_set_new(r, "signal", json_integer(WTERMSIG(status)));
	if (!ok && last[0]) /* what the task said last: why it failed */
		json_object_set_new(r, "message", json_string(last));
	json_object_set_new(r, "host", json_string(host));
	json_object_set_new(r, "started_utc", json_string(started));
	json_object_set_new(r, "finished_utc", json_string(finished));
	static const char *const slurm_vars[][2] = {
	    {"job_id", "SLURM_JOB_ID"},
	    {"array_job_id", "SLURM_ARRAY_JOB_ID"},
	    {"array_task_id", "SLURM_ARRAY_TASK_ID"},
	    {"node_list", "SLURM_JOB_NODELIST"},
	    {"partition", "SLURM_JOB_PARTITION"},
	    {"cpus_per_task", "SLURM_CPUS_PER_TASK"},
	};
	for (size_t i = 0; i < sizeof(slurm_vars) / sizeof(slurm_vars[0]); i++)
		if (envs(slurm_vars[i][1]))
			json_object_set_new(sl, slurm_vars[i][0],
					    json_string(envs(slurm_vars[i][1])));
	if (json_object_size(sl))
		json_object_set_new(r, "slurm", sl);
	else
		json_decref(sl);
	char *rf = task_run_folder(tdir);
	if (rf)
		json_object_set_new(r, "run_dir", json_string(rf + strlen(dir) + 1));
	free(rf);
	snprintf(path, sizeof(path), "%s/task.json", tdir);
	int rc = pb_json_write(path, r, SUITE_JSON, 0, err, errlen);
	json_decref(r);
	json_decref(plan);
	if (rc)
		return rc;
	if (!ok) {
		if (sig)
			snprintf(err, errlen, "task %zu interrupted by %s", task, signame);
		else
			snprintf(err, errlen, "task %zu failed", task);
		return -ECANCELED;
	}
	return 0;
}

/* The files a merge writes from its tasks' files of the same name. */
static const char *const merged_names[] = {"runs.csv", "summary.csv",	  "events.csv",
					   "sim.csv",  "sim_summary.csv", "mrc.csv"};

/* The first line of FOLDER/NAME with its '\n' (malloc'ed), or NULL where
 * the file is missing or has no whole line. */
static char *csv_header(const char *folder, const char *name)
{
	char path[PATH_MAX + 64], *line = NULL;
	size_t cap = 0;
	snprintf(path, sizeof(path), "%s/%s", folder, name);
	FILE *f = fopen(path, "r");
	ssize_t n = f ? getline(&line, &cap, f) : -1;
	if (f)
		fclose(f);
	if (n <= 0 || line[n - 1] != '\n') {
		free(line);
		return NULL;
	}
	return line;
}

/*
 * The columns of NAME that most of the tasks with one share (a tie: the
 * earliest task's), not the first task's: one task whose file has other
 * columns (another build, an edited file) must not push out the others'
 * rows.  odd[i] is set to NAME for each task whose NAME differs, if not
 * set already.  folders[i]: task i+1's run folder, NULL for none.
 */
static void header_vote(char *const *folders, size_t n, const char *name, const char **odd)
{
	char **h = calloc(n ? n : 1, sizeof(char *));
	size_t best = n, bestc = 0;
	if (!h)
		return;
	for (size_t i = 0; i < n; i++)
		h[i] = folders[i] ? csv_header(folders[i], name) : NULL;
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		for (size_t j = 0; h[i] && j < n; j++)
			c += h[j] && !strcmp(h[i], h[j]);
		if (c > bestc) {
			best = i;
			bestc = c;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (h[i] && strcmp(h[i], h[best]) && !odd[i])
			odd[i] = name;
	for (size_t i = 0; i < n; i++) /* after: h[best] is read to the end */
		free(h[i]);
	free(h);
}

/*
 * Concatenate NAME of every task given under its header (header_vote made
 * them all the same) into a temporary file *out for DIR/NAME, not yet
 * committed (NULL: no task has one).  The first line is the header
 * (column names have no quotes or newlines); the rest is copied record for
 * record, so quoted fields survive untouched.  A write error: -errno with
 * "PATH: write failed: why" in err, *out aborted.
 */
static int merge_csv(const char *dir, char *const *folders, size_t n, const char *name,
		     struct pb_out **out, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	FILE *f = NULL;
	int rc = 0;
	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (size_t i = 0; i < n && !rc; i++) {
		if (!folders[i])
			continue;
		size_t len = 0;
		char src[PATH_MAX + 64];
		snprintf(src, sizeof(src), "%s/%s", folders[i], name);
		char *buf = pb_slurp(src, &len);
		char *nl = buf ? memchr(buf, '\n', len) : NULL;
		if (!nl) {
			free(buf);
			continue;
		}
		size_t skip = *out ? (size_t)(nl - buf) + 1 : 0; /* the header once */
		if (!*out && !(rc = pb_out_open(path, PB_OUT_FORCE, out, err, errlen)) &&
		    !(f = pb_out_stream(*out)))
			rc = -ENOMEM;
		errno = 0;
		if (!rc && fwrite(buf + skip, 1, len - skip, f) != len - skip)
			rc = -(errno ? errno : EIO);
		free(buf);
	}
	errno = 0;
	if (!rc && f && (fflush(f) || ferror(f)))
		rc = -(errno ? errno : EIO);
	if (rc && *out) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(-rc));
		pb_out_abort(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * The merged files: outs[k] (merge_csv's, for merged_names[k]) committed
 * in turn, none where rc says one could not be written (its temporary
 * files removed: on a full disk that frees the room meta.json needs); a
 * NAME no merged task has is removed (an earlier merge's, from a folder
 * no longer merged).  Each committed NAME is appended to files, none on
 * failure (merge_drop then removes them all).
 */
static int merge_commit(const char *dir, struct pb_out **outs, int rc, json_t *files, char *err,
			size_t errlen)
{
	char path[PATH_MAX + 64];
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged_names); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, merged_names[k]);
		if (rc)
			pb_out_abort(outs[k]);
		else if (outs[k])
			rc = pb_out_commit(outs[k], err, errlen);
		else if (unlink(path) && errno != ENOENT) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		}
		outs[k] = NULL;
		if (!rc && access(path, F_OK) == 0)
			json_array_append_new(files, json_string(merged_names[k]));
	}
	if (rc)
		json_array_clear(files);
	return rc;
}

/* Once meta.json says a merge failed (files: none), no merged file is left
 * that it does not describe: this merge's and an earlier one's go.  The
 * tasks' own files are untouched; a merge once there is room writes them
 * all again. */
static void merge_drop(const char *dir)
{
	char path[PATH_MAX + 64];
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged_names); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, merged_names[k]);
		unlink(path);
	}
}

/*
 * Why task `task` of a Slurm run has no result, from the end of its newest
 * log tasks/slurm-<job>_<task>.out (slurmstepd writes "*** JOB 9 ON n1
 * CANCELLED AT ... DUE TO TIME LIMIT ***" there): "" when there is no log or
 * it names no cause.  *log gets the log's name.
 */
static void slurm_reason(const char *dir, size_t task, char *why, size_t len, char *log,
			 size_t loglen)
{
	char pat[PATH_MAX + 64];
	glob_t g;
	struct stat best = {0}, st;
	why[0] = log[0] = 0;
	snprintf(pat, sizeof(pat), "%s/tasks/slurm-*_%zu.out", dir, task);
	if (glob(pat, 0, NULL, &g))
		return;
	const char *newest = NULL;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (!stat(g.gl_pathv[i], &st) && (!newest || st.st_mtime >= best.st_mtime)) {
			newest = g.gl_pathv[i];
			best = st;
		}
	size_t n = 0;
	char *text = newest ? pb_slurp(newest, &n) : NULL;
	if (newest)
		snprintf(log, loglen, "%s", strrchr(newest, '/') + 1);
	globfree(&g);
	static const char *const causes[][2] = {
	    {"DUE TO TIME LIMIT", "timed out (Slurm's time limit)"},
	    {"DUE TO PREEMPTION", "preempted"},
	    {"DUE TO NODE FAILURE", "its node failed"},
	    {"DUE TO JOB REQUEUE", "requeued"},
	    {"CANCELLED AT", "cancelled"},
	    {"oom-kill", "killed by the out-of-memory killer"},
	};
	for (size_t i = 0; text && i < sizeof(causes) / sizeof(causes[0]); i++)
		if (strstr(text, causes[i][0])) {
			snprintf(why, len, "%s", causes[i][1]);
			break;
		}
	free(text);
}

/* The "reason" of a task without a good result (t: its task.json, or the
 * record of a missing one). */
static void explain_task(const char *dir, size_t task, json_t *t, int missing)
{
	char why[128], log[256], *msg = NULL;
	size_t mlen = 0;
	slurm_reason(dir, task, why, sizeof(why), log, sizeof(log));
	/* a stream, not msg[1024]: the task's own message (a path and its
	 * reason) and the log's name are kept whole */
	FILE *f = open_memstream(&msg, &mlen);
	if (!f)
		return;
	json_t *code = json_object_get(t, "exit_code"), *sig = json_object_get(t, "signal");
	const char *known = json_string_value(json_object_get(t, "reason"));
	if (missing)
		fprintf(f, "no result: %s",
			why[0] ? why : "not run yet, or killed, timed out, cancelled or preempted");
	else if (json_is_integer(code) && json_string_value(json_object_get(t, "message")))
		fprintf(f, "failed: exit %lld: %s", (long long)json_integer_value(code),
			json_string_value(json_object_get(t, "message")));
	else if (json_is_integer(code))
		fprintf(f, "failed: exit %lld%s", (long long)json_integer_value(code),
			json_integer_value(code) == 2
			    ? " (the command was refused: a bad option or value)"
			    : "");
	else if (json_is_integer(sig))
		fprintf(f, "failed: killed by signal %lld%s%s", (long long)json_integer_value(sig),
			why[0] ? ", " : "", why);
	else
		fprintf(f, "failed: %s", known ? known : "see its task.json");
	if (log[0])
		fprintf(f, " (log: tasks/%s)", log);
	if (!fclose(f) && (!known || missing))
		json_object_set_new(t, "reason", json_string(msg));
	free(msg);
}

/*
 * What the merged tasks' own meta.json say (folders[i]: task i+1's run
 * folder, NULL for one not merged), for the suite's meta.json:
 * experiments, every task's in task order, each once; not_available, every
 * column any task could not measure, with its reason, or where the tasks
 * give different reasons, "task N: reason; task M: other"; oversubscribed,
 * every task's entries with "task": N.  A task whose meta.json cannot be
 * read is named in notes.
 */
static void tasks_meta_union(char *const *folders, size_t n, json_t *exps, json_t *na,
			     json_t *oversub, json_t *notes)
{
	json_t *why = json_object(); /* column -> [[task, reason], ...] */
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 32], jerr[PB_KERNEL_ERRLEN];
		if (!folders[i])
			continue;
		snprintf(path, sizeof(path), "%s/meta.json", folders[i]);
		json_t *m = load_json(path, jerr, sizeof(jerr)), *v;
		const char *k;
		size_t j;
		if (!m) {
			char *msg = NULL;
			if (asprintf(&msg,
				     "task %zu: %s: its experiments and not_available are not in "
				     "the suite's meta.json",
				     i + 1, jerr) >= 0)
				json_array_append_new(notes, json_string(msg));
			free(msg);
			continue;
		}
		json_array_foreach(json_object_get(m, "experiments"), j, v)
		{
			size_t x;
			json_t *have;
			json_array_foreach(exps, x, have) if (json_equal(have, v)) break;
			if (x == json_array_size(exps))
				json_array_append(exps, v);
		}
		json_array_foreach(json_object_get(m, "oversubscribed"), j, v)
		{
			json_t *e = json_deep_copy(v);
			if (json_is_object(e))
				json_object_set_new(e, "task", json_integer((json_int_t)i + 1));
			json_array_append_new(oversub, e);
		}
		json_object_foreach(json_object_get(m, "not_available"), k, v)
		{
			json_t *list = json_object_get(why, k);
			if (!list) {
				list = json_array();
				json_object_set_new(why, k, list);
			}
			json_array_append_new(list, json_pack("[IO]", (json_int_t)i + 1, v));
		}
		json_decref(m);
	}
	const char *k;
	json_t *list;
	json_object_foreach(why, k, list)
	{
		json_t *first = json_array_get(json_array_get(list, 0), 1), *e;
		size_t j, same = 1;
		json_array_foreach(list, j, e) same &= json_equal(json_array_get(e, 1), first);
		if (same) {
			json_object_set(na, k, first);
			continue;
		}
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f)
			continue;
		json_array_foreach(list, j, e)
		{
			const char *r = json_string_value(json_array_get(e, 1));
			fprintf(f, "%stask %lld: %s", j ? "; " : "",
				(long long)json_integer_value(json_array_get(e, 0)), r ? r : "?");
		}
		if (!fclose(f))
			json_object_set_new(na, k, json_string(buf));
		free(buf);
	}
	json_decref(why);
}

int pb_suite_merge(const char *dir, json_t *extra, struct pb_suite_tally *tally, char *err,
		   size_t errlen)
{
	char path[PATH_MAX + 64], tdir[PATH_MAX];
	size_t n = 0;
	memset(tally, 0, sizeof(*tally));
	json_t *ptasks, *plan = plan_load(dir, &ptasks, err, errlen);
	if (!plan)
		return -EINVAL;
	n = json_array_size(ptasks);
	char **folders = calloc(n ? n : 1, sizeof(char *));
	json_t *tasks = json_array(), *notes = json_array();
	if (!folders) {
		json_decref(plan);
		json_decref(tasks);
		json_decref(notes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char jerr[PB_KERNEL_ERRLEN];
		json_t *t;
		task_dir(tdir, sizeof(tdir), dir, i + 1);
		int bad = task_json(tdir, &t, jerr, sizeof(jerr));
		const char *st = t ? json_string_value(json_object_get(t, "status")) : NULL;
		int none = !t;
		if (none) {
			t = json_object();
			json_object_set_new(t, "task", json_integer((json_int_t)i + 1));
			json_t *cmd = json_object_get(json_array_get(ptasks, i), "command");
			json_object_set_new(t, "command", cmd ? json_incref(cmd) : json_null());
		}
		if (bad) { /* its result cannot be read: not "not run yet" */
			char *why = NULL;
			json_object_set_new(t, "status", json_string("failed"));
			json_object_set_new(t, "task_json_error", json_string(jerr));
			if (asprintf(&why, "cannot read its task.json: %s (--resume runs it again)",
				     jerr) >= 0)
				json_object_set_new(t, "reason", json_string(why));
			free(why);
			tally->failed++;
		} else if (none) {
			json_object_set_new(t, "status", json_string("missing"));
			explain_task(dir, i + 1, t, 1);
			tally->missing++;
		} else if (st && !strcmp(st, "interrupted")) { /* no result: as not run */
			const char *sig = json_string_value(json_object_get(t, "interrupted_by"));
			char *why = NULL;
			if (asprintf(&why, "interrupted by %s: no result (--resume runs it again)",
				     sig ? sig : "a signal") >= 0)
				json_object_set_new(t, "reason", json_string(why));
			free(why);
			tally->missing++;
		} else if (st && !strcmp(st, "ok")) {
			folders[i] = task_run_folder(tdir);
			if (!folders[i]) {
				json_object_set_new(t, "status", json_string("failed"));
				json_object_set_new(t, "reason",
						    json_string("its run folder is gone"));
				tally->failed++;
			} else {
				tally->ok++;
			}
		} else {
			explain_task(dir, i + 1, t, 0);
			tally->failed++;
		}
		json_array_append_new(tasks, t);
	}
	/* A task whose file has other columns than the other tasks' is not
	 * merged at all (none of its files: its rows would be in one merged
	 * file and not in another), and counts as failed. */
	const char **odd = calloc(n ? n : 1, sizeof(char *));
	for (size_t k = 0; odd && k < PB_ARRAY_SIZE(merged_names); k++)
		header_vote(folders, n, merged_names[k], odd);
	for (size_t i = 0; odd && i < n; i++) {
		if (!odd[i])
			continue;
		char *why = NULL;
		if (asprintf(&why,
			     "not merged: its %s has other columns than the other tasks' (another "
			     "pagebench build, or an edited file; --resume runs it again)",
			     odd[i]) >= 0) {
			json_t *t = json_array_get(tasks, i);
			json_object_set_new(t, "status", json_string("failed"));
			json_object_set_new(t, "reason", json_string(why));
			/* the words compare's not_merged() looks for */
			json_array_append_new(
			    notes, json_sprintf("%s of task %zu has other columns than the other "
						"tasks': not merged",
						odd[i], i + 1));
		}
		free(why);
		free(folders[i]);
		folders[i] = NULL;
		tally->ok--;
		tally->failed++;
	}
	free(odd);
	json_t *files = json_array(), *exps = json_array(), *na = json_object(),
	       *oversub = json_array();
	struct pb_out *outs[PB_ARRAY_SIZE(merged_names)] = {0};
	int rc = 0;
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged_names) && !rc; k++)
		rc = merge_csv(dir, folders, n, merged_names[k], &outs[k], err, errlen);
	int wrc = rc = merge_commit(dir, outs, rc, files, err, errlen);
	if (!rc)
		tasks_meta_union(folders, n, exps, na, oversub, notes);
	for (size_t i = 0; i < n; i++)
		free(folders[i]);
	free(folders);

	/* meta.json: the suite's own, updated with what the tasks did, or
	 * failed with why where the merged files could not be written. */
	const char *status = wrc	      ? "failed"
			     : tally->missing ? "partial"
			     : tally->failed  ? "failed"
					      : "complete";
	char werr[PB_KERNEL_ERRLEN] = "";
	if (wrc) {
		struct pb_sb q = {0};
		pb_sb_shell(&q, dir); /* a command to paste: quoted where it needs it */
		snprintf(werr, sizeof(werr),
			 "cannot merge: %s (once there is room, `pagebench merge %s` writes the "
			 "merged files again)",
			 err, q.s ? q.s : dir);
		pb_sb_free(&q);
	}
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	char jerr[PB_KERNEL_ERRLEN] = "";
	json_t *meta =
	    access(path, F_OK) == 0 ? load_json(path, jerr, sizeof(jerr)) : json_object();
	if (!meta && !rc) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s", jerr);
	}
	if (meta) {
		char now[32];
		utc_now(now, sizeof(now));
		json_t *cfg = json_object_get(meta, "config");
		if (!json_is_object(cfg)) {
			cfg = json_object();
			json_object_set_new(meta, "config", cfg);
		}
		json_object_set(cfg, "tasks", tasks);
		json_object_set(cfg, "merge_notes", notes);
		json_object_set_new(cfg, "suite_status", json_string(status));
		json_object_set_new(meta, "status", json_string(status));
		json_object_set_new(meta, "merged_utc", json_string(now));
		/* what the merge wrote, and what its tasks did and could not
		 * measure: the suite's own process measured nothing */
		json_object_set(meta, "files", files);
		json_object_set(meta, "experiments", exps);
		json_object_set(meta, "oversubscribed", oversub);
		json_object_set(meta, "not_available", na);
		/* errors: an earlier merge's failure goes, this one's is added */
		json_t *errs = json_object_get(meta, "errors");
		if (!json_is_array(errs)) {
			errs = json_array();
			json_object_set_new(meta, "errors", errs);
		}
		for (size_t j = json_array_size(errs); j-- > 0;) {
			const char *e = json_string_value(json_array_get(errs, j));
			if (e && !strncmp(e, "cannot merge: ", 14))
				json_array_remove(errs, j);
		}
		if (wrc) {
			json_array_append_new(errs, json_string(werr));
			json_object_set_new(cfg, "merge_error", json_string(werr));
		} else {
			json_object_del(cfg, "merge_error");
		}
		if (extra)
			json_object_update(cfg, extra);
		if (wrc) /* whatever extra says: the merge failed */
			json_object_set_new(cfg, "suite_status", json_string(status));
		char merr[PB_KERNEL_ERRLEN];
		int mrc = pb_json_write(path, meta, SUITE_JSON, PB_OUT_FORCE, merr, sizeof(merr));
		if (mrc && !rc) {
			rc = mrc;
			snprintf(err, errlen, "%s", merr);
		}
		if (wrc && !mrc)
			merge_drop(dir);
	}
	if (wrc) /* the one line: what failed and how to finish the merge */
		snprintf(err, errlen, "%s", werr);
	json_decref(meta);
	json_decref(plan);
	json_decref(tasks);
	json_decref(notes);
	json_decref(files);
	json_decref(exps);
	json_decref(na);
	json_decref(oversub);
	return rc;
}

int pb_suite_unfinished(const char *dir, size_t **tasks, size_t *n, char *err, size_t errlen)
{
	size_t total = 0;
	int rc = pb_suite_plan_ntasks(dir, &total, err, errlen);
	*tasks = NULL;
	*n = 0;
	if (rc)
		return rc;
	*tasks = calloc(total ? total : 1, sizeof(size_t));
	char **folders = calloc(total ? total : 1, sizeof(char *));
	const char **odd = calloc(total ? total : 1, sizeof(char *));
	if (!*tasks || !folders || !odd) {
		free(*tasks);
		*tasks = NULL;
		free(folders);
		free(odd);
		return -ENOMEM;
	}
	for (size_t i = 1; i <= total; i++) {
		char tdir[PATH_MAX], jerr[PB_KERNEL_ERRLEN];
		json_t *t;
		task_dir(tdir, sizeof(tdir), dir, i);
		/* a task.json that cannot be read is no result: run again, and
		 * said, not taken for a task not run yet; its folder (that
		 * task.json and the run folder beside it) is kept, moved aside
		 * as an attempt */
		if (task_json(tdir, &t, jerr, sizeof(jerr)))
			fprintf(
			    stderr,
			    "pagebench suite: task %zu: %s: its result cannot be read, so it runs "
			    "again (tasks/%03zu is kept as tasks/%03zu.attempt-N)\n",
			    i, jerr, i, i);
		const char *st = t ? json_string_value(json_object_get(t, "status")) : NULL;
		folders[i - 1] = st && !strcmp(st, "ok") ? task_run_folder(tdir) : NULL;
		json_decref(t);
	}
	/* a task the merge leaves out for its columns has no result either */
	for (size_t k = 0; k < PB_ARRAY_SIZE(merged_names); k++)
		header_vote(folders, total, merged_names[k], odd);
	for (size_t i = 1; i <= total; i++) {
		if (odd[i - 1])
			fprintf(
			    stderr,
			    "pagebench suite: task %zu: its %s has other columns than the other "
			    "tasks', so it runs again\n",
			    i, odd[i - 1]);
		if (!folders[i - 1] || odd[i - 1])
			(*tasks)[(*n)++] = i;
		free(folders[i - 1]);
	}
	free(folders);
	free(odd);
	return 0;
}
