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
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/kernel.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"
#include "pagebench/results.h"
#include "pagebench/suite.h"

extern char **environ;

struct suite_opts {
	char *threads, *reps, *label, *results, *task, *resume;
	char *partition, *constraint, *time;
	uint64_t array_max, cpus, timeout;
	unsigned exclusive;
	int dry_run, local, slurm, wait;
};

static const char *const excl_names[] = {"auto", "yes", "no", NULL};
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
    {"dry-run", PB_PT_FLAG, O(dry_run), NULL,
     "print the plan (with --slurm: the sbatch script) and stop", NULL, 0, 0, 'n', 0, NULL},
    {"local", PB_PT_FLAG, O(local), NULL, "run the tasks here, one after another (the default)",
     NULL, 0, 0, 0, 0, NULL},
    {"slurm", PB_PT_FLAG, O(slurm), NULL, "submit the tasks as a Slurm job array (sbatch)", NULL, 0,
     0, 0, 0, NULL},
    {"partition", PB_PT_STR, O(partition), NULL, "Slurm partition (machine class)", NULL, 0, 0, 0,
     0, "P"},
    {"constraint", PB_PT_STR, O(constraint), NULL, "Slurm node constraint (features)", NULL, 0, 0,
     0, 0, "C"},
    {"time", PB_PT_STR, O(time), NULL, "Slurm time limit per task (e.g. 1:00:00)", NULL, 0, 0, 0, 0,
     "T"},
    {"array-max", PB_PT_U64, O(array_max), "0", "at most N array tasks at once (0: no limit)", NULL,
     0, 1e6, 0, 0, "N"},
    {"cpus-per-task", PB_PT_U64, O(cpus), "0",
     "cores per array task (0: the largest thread count of the plan)", NULL, 0, 1e6, 0, 0, "N"},
    {"exclusive", PB_PT_ENUM, O(exclusive), "auto",
     "whole nodes per task (auto: when the plan runs more than one thread)", excl_names, 0, 0, 0, 0,
     NULL},
    {"wait", PB_PT_FLAG, O(wait), NULL, "with --slurm: wait for the array and merge", NULL, 0, 0, 0,
     0, NULL},
    {"timeout", PB_PT_U64, O(timeout), "0", "with --wait: give up after S seconds (0: never)", NULL,
     0, 0, 0, 0, "S"},
    {"resume", PB_PT_STR, O(resume), NULL,
     "rerun (or resubmit) only the tasks of RUN_DIR without a complete result", NULL, 0, 0, 0,
     PB_PF_NOMETA, "RUN_DIR"},
    {"task", PB_PT_STR, O(task), NULL, "internal: run task N of RUN_DIR (a Slurm array task)", NULL,
     0, 0, 0, PB_PF_HIDDEN | PB_PF_NOMETA, "RUN_DIR"},
    {0},
};

static void suite_usage(FILE *f)
{
	fprintf(f, "usage: pagebench suite NAME|FILE [options]\n"
		   "       pagebench suite --resume RUN_DIR [--local|--slurm ...]\n"
		   "Runs a suite - a plain text file of pagebench commands (run, sim, mrc,\n"
		   "kernels) - into one run folder: each command is a task writing its own run\n"
		   "folder under tasks/, here one after another (--local) or as a Slurm job array\n"
		   "(--slurm; merge with `pagebench merge RUN_DIR --wait`).  Built-in suites:");
	for (const char *const *b = pb_suite_builtin_names(); *b; b++)
		fprintf(f, " %s", *b);
	fprintf(f, ".\nThe suite language is in docs/suites.md, the cluster path in "
		   "docs/cluster.md.\noptions:\n");
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

/* "1-N" or "2,5,7" for the tasks to submit. */
static char *array_spec(const size_t *tasks, size_t n, size_t total)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	if (!tasks)
		fprintf(f, "1-%zu", total);
	for (size_t i = 0; tasks && i < n; i++)
		fprintf(f, "%s%zu", i ? "," : "", tasks[i]);
	fclose(f);
	return buf;
}

/* dir's slurm.json (the jobs submitted for the run), or NULL when there
 * is none or it does not parse. */
static json_t *slurm_json(const char *dir)
{
	char path[4200];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/slurm.json", dir);
	return access(path, F_OK) == 0 ? json_load_file(path, 0, &je) : NULL;
}

/* The Slurm options of a submission: the command line's, over `prev` (the
 * options the suite's last job was submitted with, NULL for a new suite),
 * with maxthr (the plan's largest thread count) for what neither sets. */
static struct pb_slurm_opts slurm_opts(const struct suite_opts *so, json_t *prev, unsigned maxthr)
{
	json_int_t am = json_integer_value(json_object_get(prev, "array_max")),
		   cpt = json_integer_value(json_object_get(prev, "cpus_per_task"));
	json_t *ex = json_object_get(prev, "exclusive");
	struct pb_slurm_opts o = {
	    .partition = so->partition ? so->partition
				       : json_string_value(json_object_get(prev, "partition")),
	    .constraint = so->constraint ? so->constraint
					 : json_string_value(json_object_get(prev, "constraint")),
	    .time = so->time ? so->time : json_string_value(json_object_get(prev, "time")),
	    .label = so->label,
	    .array_max = so->array_max		   ? (unsigned)so->array_max
			 : am > 0 && am <= 1000000 ? (unsigned)am
						   : 0,
	    .cpus_per_task = so->cpus			 ? (unsigned)so->cpus
			     : cpt > 0 && cpt <= 1000000 ? (unsigned)cpt
							 : maxthr,
	    .exclusive = so->exclusive == 1    ? 1
			 : so->exclusive == 2  ? 0
			 : json_is_boolean(ex) ? json_is_true(ex)
					       : maxthr > 1,
	};
	return o;
}

static json_t *slurm_opts_json(const struct pb_slurm_opts *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "partition", o->partition ? json_string(o->partition) : json_null());
	json_object_set_new(j, "constraint",
			    o->constraint ? json_string(o->constraint) : json_null());
	json_object_set_new(j, "time", o->time ? json_string(o->time) : json_null());
	json_object_set_new(j, "array_max", json_integer(o->array_max));
	json_object_set_new(j, "cpus_per_task", json_integer(o->cpus_per_task));
	json_object_set_new(j, "exclusive", json_boolean(o->exclusive));
	return j;
}

/* Submit the given tasks of dir as an array with options o; records the
 * job and its options in slurm.json (a resume submits alike). */
static int submit(const char *dir, const char *suite, const struct pb_slurm_opts *o, int dry_run,
		  const size_t *tasks, size_t n, size_t total, char *jobid, size_t jlen, char *err,
		  size_t errlen)
{
	char *arr = array_spec(tasks, n, total), *script = NULL, path[4200];
	int rc = arr ? pb_slurm_script(dir, suite, o, arr, &script, err, errlen) : -ENOMEM;
	if (rc) {
		free(arr);
		return rc;
	}
	if (dry_run) {
		fputs(script, stdout);
		free(script);
		free(arr);
		return 0;
	}
	/* job-N.sbatch: a resume writes a new one next to the first. */
	for (int k = 1;; k++) {
		snprintf(path, sizeof(path), "%s/job-%d.sbatch", dir, k);
		if (access(path, F_OK))
			break;
	}
	rc = pb_out_write_all(path, 0, script, strlen(script), err, errlen);
	free(script);
	if (!rc)
		rc = pb_slurm_submit(path, jobid, jlen, err, errlen);
	if (!rc) {
		char p2[4200];
		json_t *j = slurm_json(dir), *jobs;
		snprintf(p2, sizeof(p2), "%s/slurm.json", dir);
		if (!j)
			j = json_object();
		jobs = json_object_get(j, "jobs");
		if (!json_is_array(jobs)) {
			jobs = json_array();
			json_object_set_new(j, "jobs", jobs);
		}
		json_t *rec = json_object();
		json_object_set_new(rec, "job_id", json_string(jobid));
		json_object_set_new(rec, "array", json_string(arr));
		json_object_set_new(rec, "script", json_string(strrchr(path, '/') + 1));
		json_object_set_new(rec, "options", slurm_opts_json(o));
		json_array_append_new(jobs, rec);
		json_object_set_new(j, "last_job_id", json_string(jobid));
		rc = pb_json_write(p2, j, JSON_INDENT(2), PB_OUT_FORCE, err, errlen);
		json_decref(j);
		fprintf(stderr, "pagebench suite: submitted job %s (array %s) from %s\n", jobid,
			arr, dir);
	}
	free(arr);
	return rc;
}

/* Where a --slurm run's folder will be made, absolute as the script names
 * it: ROOT/RUN_DIR, ROOT as pb_run_create picks it (--results, else
 * $PAGEBENCH_RESULTS, else ./results). */
static void slurm_preview_dir(const struct suite_opts *so, char *buf, size_t len)
{
	const char *root = pb_results_root(so->results);
	char abs[PATH_MAX], cwd[PATH_MAX];
	/* joined by pb_path_join: no "//" after a --results DIR/ */
	if (realpath(root, abs))
		pb_path_join(buf, len, abs, "RUN_DIR");
	else if (root[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		char rel[2 * PATH_MAX + 2];
		pb_path_join(rel, sizeof(rel), cwd, root);
		pb_path_join(buf, len, rel, "RUN_DIR");
	} else
		pb_path_join(buf, len, root, "RUN_DIR");
}

/* The sbatch script for dir can be written (its paths and the Slurm
 * options fit it), or exit 2 saying why: before a run folder is made or
 * anything is submitted. */
static void slurm_check(const char *dir, const char *suite, const struct pb_slurm_opts *o)
{
	char err[PB_KERNEL_ERRLEN], *script = NULL;
	if (pb_slurm_script(dir, suite, o, "1", &script, err, sizeof(err)))
		pb_usage_error("suite", "%s", err);
	free(script);
}

/* The command whose messages the merge's are: `suite`, or `merge`. */
static const char *merge_cmd = "suite";

/* dir as one word a user can paste into a shell (quoted where it needs
 * it), malloc'ed; NULL when out of memory. */
static char *shell_word(const char *dir)
{
	struct pb_sb b = {0};
	pb_sb_shell(&b, dir);
	return b.s;
}

/* The figures of a merged suite: `pagebench plot DIR` as a child; a failure
 * to draw is reported, and does not fail the suite (the data are saved). */
static void render_figures(const char *dir)
{
	char *argv[] = {"pagebench", "plot", (char *)dir, NULL};
	pid_t pid;
	int st = 0;
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ)) {
		pb_error(merge_cmd, "%s: figures not drawn: cannot start pagebench plot", dir);
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		pb_error(merge_cmd,
			 "%s: figures not drawn (pagebench plot exited %d); the data are complete",
			 dir, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static int report_merge(const char *dir, json_t *extra)
{
	struct pb_suite_tally t;
	char err[PB_KERNEL_ERRLEN];
	int rc = pb_suite_merge(dir, extra, &t, err, sizeof(err));
	if (rc)
		pb_error(merge_cmd, "%s", err);
	if (rc && !(t.ok + t.failed + t.missing))
		return PB_EXIT_FAIL; /* no plan read: nothing to tell of its tasks */
	fprintf(stderr, "pagebench: %s: %zu task(s) ok, %zu failed, %zu without a result%s\n", dir,
		t.ok, t.failed, t.missing, rc ? " (not merged)" : "");
	if (t.failed || t.missing) { /* which, and why (meta.json config.tasks) */
		char path[4200];
		json_error_t je;
		snprintf(path, sizeof(path), "%s/meta.json", dir);
		json_t *meta = json_load_file(path, 0, &je), *tk;
		size_t i;
		json_array_foreach(json_object_get(json_object_get(meta, "config"), "tasks"), i, tk)
		{
			const char *st = json_string_value(json_object_get(tk, "status")),
				   *c = json_string_value(json_object_get(tk, "command")),
				   *why = json_string_value(json_object_get(tk, "reason"));
			if (st && strcmp(st, "ok"))
				fprintf(stderr, "  task %zu%s%s%s: %s\n", i + 1, c ? " (" : "",
					c ? c : "", c ? ")" : "", why ? why : st);
		}
		json_decref(meta);
	}
	if (t.ok && !rc && !getenv("PAGEBENCH_NO_FIGURES"))
		render_figures(dir);
	return rc || t.failed || t.missing ? PB_EXIT_FAIL : PB_EXIT_OK;
}

/* meta.json of a suite whose tasks have not run yet: status partial (every
 * task without a result), config.suite_status `st` (running, submitted);
 * with jobid, config.slurm_job_id: the job now running the tasks (a
 * resume's, which kept the first job's before; slurm.json lists them all). */
static int mark_unfinished(const char *dir, const char *st, const char *jobid)
{
	struct pb_suite_tally t;
	char err[PB_KERNEL_ERRLEN];
	json_t *extra = jobid ? json_pack("{s:s, s:s}", "suite_status", st, "slurm_job_id", jobid)
			      : json_pack("{s:s}", "suite_status", st);
	int rc = extra ? pb_suite_merge(dir, extra, &t, err, sizeof(err)) : -ENOMEM;
	json_decref(extra);
	if (rc)
		pb_error("suite", "%s", rc == -ENOMEM ? "out of memory" : err);
	return rc;
}

static int pb_suite_wait_merge(const char *dir, unsigned timeout_s)
{
	char err[PB_KERNEL_ERRLEN];
	json_t *j = slurm_json(dir);
	const char *job = j ? json_string_value(json_object_get(j, "last_job_id")) : NULL;
	if (job && pb_slurm_wait(job, timeout_s, err, sizeof(err))) {
		pb_error("merge", "%s", err);
		json_decref(j);
		return PB_EXIT_FAIL;
	}
	json_decref(j);
	return report_merge(dir, NULL);
}

/* Run tasks here, one after another; a signal stops launching more. */
static size_t run_local(const char *dir, const size_t *tasks, size_t n, size_t total,
			const char *label)
{
	char err[PB_KERNEL_ERRLEN];
	size_t failed = 0, count = tasks ? n : total;
	for (size_t i = 0; i < count && !pb_signal_pending(); i++) {
		size_t t = tasks ? tasks[i] : i + 1;
		fprintf(stderr, "[%zu/%zu] task %zu\n", i + 1, count, t);
		int rc = pb_suite_task_run(dir, t, label, err, sizeof(err));
		if (rc) {
			failed++;
			pb_error("suite", "%s", err);
		}
	}
	return failed;
}

/*
 * The tasks of a suite folder run by one pagebench at a time: a local run
 * (or local resume) holds an flock on RUN_DIR/.suite.lock, with its pid in
 * it, until it ends; a resume while it is held is refused (a second
 * pagebench ran the same tasks at once, each attempt moving the other's
 * folder aside, and meta.json named one folder while the rows came from
 * the other).  The lock goes with the process, however it ends; a run
 * that ends by itself (local_unlock) also removes the file.  Returns only
 * when taken, or when the folder cannot hold a lock file (a read-only
 * folder: nothing can run there anyway; a symlink in its place is not
 * followed, so the pid is never written into, nor truncates, its target).
 */
static struct {
	int fd;
	char path[PATH_MAX + 16];
} held = {.fd = -1};

static void local_lock(const char *dir, const char *what)
{
	char pid[32] = "";
	int fd = -1;
	snprintf(held.path, sizeof(held.path), "%s/.suite.lock", dir);
	/* A lock taken on a file that its holder removed (local_unlock)
	 * between our open and flock is no lock: the next run makes a new
	 * file.  Taken only on the file that is still at the path. */
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		struct stat a, b;
		fd = open(held.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			ssize_t k = read(fd, pid, sizeof(pid) - 1);
			pid[k > 0 ? k : 0] = 0;
			pid[strcspn(pid, "\n")] = 0;
			pb_usage_error(
			    "suite",
			    "%s: %s is being run by another pagebench suite%s%s%s; its tasks would "
			    "run twice: wait for it to finish (or stop it), then resume",
			    what, dir, *pid ? " (pid " : "", pid, *pid ? ")" : "");
		}
		if (fstat(fd, &a) || lstat(held.path, &b) || a.st_dev != b.st_dev ||
		    a.st_ino != b.st_ino) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (pwrite(fd, pid, (size_t)n, 0) != n)
			pid[0] = 0; /* the lock holds without the pid */
	}
	held.fd = fd; /* stays open: the lock is held until local_unlock or exit */
}

/* At the end of a local run: RUN_DIR/.suite.lock removed while still held,
 * and only if it is still the file this run locked (not one another run
 * made after it was removed), then released. */
static void local_unlock(void)
{
	struct stat a, b;
	if (held.fd < 0)
		return;
	if (!fstat(held.fd, &a) && !lstat(held.path, &b) && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		unlink(held.path);
	close(held.fd);
	held.fd = -1;
}

/* A resume while the run's last Slurm job still has tasks pending or
 * running would start those tasks a second time, each attempt moving the
 * other's folder aside: refused, as when squeue fails.  (Without squeue
 * here: not checked.)  sj: dir's slurm.json (slurm_json), NULL for none. */
static void busy_job_check(const char *dir, json_t *sj)
{
	char err[PB_KERNEL_ERRLEN];
	unsigned left = 0;
	const char *job = json_string_value(json_object_get(sj, "last_job_id"));
	int rc = job ? pb_slurm_active(job, &left, err, sizeof(err)) : 0;
	if (rc == -EIO)
		pb_usage_error("suite", "--resume: cannot tell whether job %s of %s still runs: %s",
			       job, dir, err);
	char *q = !rc && left ? shell_word(dir) : NULL;
	if (!rc && left)
		pb_usage_error("suite",
			       "--resume: job %s of %s still has %u task(s) pending or running; "
			       "wait for it (pagebench merge %s --wait) or scancel it first",
			       job, dir, left, q ? q : dir);
	free(q);
}

/* --resume --dry-run: the commands of the given tasks, one per line. */
static void print_tasks(const char *dir, const size_t *tasks, size_t n)
{
	char path[4200];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	json_t *plan = json_load_file(path, 0, &je), *jt = json_object_get(plan, "tasks");
	for (size_t i = 0; i < n; i++) {
		const char *c =
		    json_string_value(json_object_get(json_array_get(jt, tasks[i] - 1), "command"));
		printf("pagebench %s\n", c ? c : "");
	}
	json_decref(plan);
}

int pb_cmd_suite(int argc, char **argv)
{
	struct suite_opts so = {0};
	/* "FILE:LINE: what" whole: a suite file's path and a path the line
	 * names (1024 bytes cut them), as every message buffer here */
	char err[PB_KERNEL_ERRLEN];
	char **sets = NULL, **pos = calloc((size_t)argc + 1, sizeof(char *));
	size_t nsets = 0;
	int npos = 0;
	if (!pos || take_sets(&argc, argv, &sets, &nsets, err, sizeof(err)))
		pb_usage_error("suite", "%s", pos ? err : "out of memory");
	if (pb_param_defaults(suite_params, &so, err, sizeof(err)))
		pb_usage_error("suite", "%s", err);
	uint64_t given = 0;
	int rc =
	    pb_param_getopt(suite_params, &so, argc, argv, pos, &npos, &given, err, sizeof(err));
	if (rc == 1) {
		suite_usage(stdout);
		pb_param_free(suite_params, &so);
		free(pos);
		free(sets);
		return PB_EXIT_OK;
	}
	if (rc)
		pb_usage_error("suite", "%s", err);
	pb_cli_check_label("suite", so.label);
	if (so.slurm && so.local)
		pb_usage_error("suite", "--slurm and --local exclude each other");
	if (!so.slurm && (so.partition || so.constraint || so.time || so.array_max || so.cpus ||
			  so.wait || so.exclusive))
		pb_usage_error("suite", "--partition, --constraint, --time, --array-max, "
					"--cpus-per-task, --exclusive and --wait go with --slurm");
	if ((given >> (pb_param_find(suite_params, "timeout") - suite_params) & 1) && !so.wait)
		pb_usage_error("suite", "--timeout goes with --wait (and --slurm)");

	/* An array task: run one task of a plan. */
	if (so.task) {
		uint64_t n;
		if (npos != 1 || pb_parse_u64(pos[0], &n) || !n)
			pb_usage_error("suite", "--task RUN_DIR N: N is the task number (from 1)");
		rc = pb_suite_task_run(so.task, (size_t)n, so.label, err, sizeof(err));
		if (rc)
			pb_error("suite", "%s", err);
		pb_param_free(suite_params, &so);
		free(pos);
		free(sets);
		return rc == 0 ? PB_EXIT_OK : rc == -EINVAL ? PB_EXIT_USAGE : PB_EXIT_FAIL;
	}
	/* Resume: rerun the tasks of an existing suite folder without a result,
	 * as the plan was run: with its label, and on Slurm with the options of
	 * its last job unless given again. */
	if (so.resume) {
		size_t *todo = NULL, n = 0, total = 0;
		char *plabel = NULL, *pname = NULL;
		unsigned maxthr = 1;
		if (npos)
			pb_usage_error("suite", "--resume RUN_DIR takes no suite name");
		if (nsets || so.threads || so.reps)
			pb_usage_error("suite", "--resume reruns the plan as written: --set, "
						"--threads and --reps do not apply");
		if (pb_suite_plan_info(so.resume, &total, &plabel, &pname, &maxthr, err,
				       sizeof(err)) ||
		    pb_suite_unfinished(so.resume, &todo, &n, err, sizeof(err)))
			pb_usage_error("suite", "--resume: %s", err);
		if (so.label && (!plabel || strcmp(so.label, plabel)))
			pb_usage_error("suite",
				       "--resume: --label '%s': the suite ran with %s%s%s; its "
				       "tasks keep it",
				       so.label, plabel ? "--label '" : "no label",
				       plabel ? plabel : "", plabel ? "'" : "");
		json_t *sj = slurm_json(so.resume); /* its jobs: one still running? their options */
		busy_job_check(so.resume, sj);
		if (n && !so.dry_run) /* a local run of it still going? */
			local_lock(so.resume, "--resume");
		fprintf(stderr, "pagebench suite: %zu of %zu task(s) of %s to run again\n", n,
			total, so.resume);
		int ret = PB_EXIT_OK;
		if (n && so.slurm) {
			char jobid[64];
			json_t *jobs = json_object_get(sj, "jobs");
			json_t *prev = json_object_get(
			    json_array_get(jobs,
					   json_array_size(jobs) ? json_array_size(jobs) - 1 : 0),
			    "options");
			struct pb_slurm_opts o = slurm_opts(&so, prev, maxthr);
			/* the job is the suite's, named as its first was (plan.json) */
			const char *name = pname ? pname : "suite";
			slurm_check(so.resume, name, &o);
			rc = submit(so.resume, name, &o, so.dry_run, todo, n, total, jobid,
				    sizeof(jobid), err, sizeof(err));
			if (rc) {
				pb_error("suite", "%s", err);
				ret = PB_EXIT_FAIL;
			} else if (!so.dry_run && mark_unfinished(so.resume, "submitted", jobid)) {
				ret = PB_EXIT_FAIL;
			} else if (so.wait && !so.dry_run) {
				ret = pb_suite_wait_merge(so.resume, (unsigned)so.timeout);
			}
		} else if (n && so.dry_run) {
			print_tasks(so.resume, todo, n);
		} else if (n) {
			pb_signals_install(1);
			run_local(so.resume, todo, n, total, NULL);
			ret = report_merge(so.resume, NULL);
			local_unlock();
		} else if (!so.dry_run) {
			ret = report_merge(so.resume, NULL);
		}
		json_decref(sj);
		free(todo);
		free(plabel);
		free(pname);
		pb_param_free(suite_params, &so);
		free(pos);
		free(sets);
		if (pb_signal_pending())
			pb_signal_exit(pb_signal_pending());
		return ret;
	}

	if (npos == 0)
		pb_usage_error("suite", "missing suite: usage: pagebench suite NAME|FILE [options] "
					"(see pagebench suite --help)");
	if (npos > 1)
		pb_usage_error("suite", "unexpected argument '%s'", pos[1]);
	/* allocated: a --threads list is kept whole, however long (a 512-byte
	 * buffer cut it, silently, into another list) */
	char *thr = NULL, *reps = NULL;
	if ((so.threads && asprintf(&thr, "THREADS=%s", so.threads) < 0) ||
	    (so.reps && asprintf(&reps, "REPS=%s", so.reps) < 0)) {
		pb_error("suite", "out of memory");
		return PB_EXIT_FAIL;
	}
	if (thr)
		sets[nsets++] = thr;
	if (reps)
		sets[nsets++] = reps;
	struct pb_suite *s;
	rc = pb_suite_load(pos[0], sets, nsets, &s, err, sizeof(err));
	free(sets);
	free(thr);
	free(reps);
	if (rc) {
		pb_error("suite", "%s", err);
		pb_param_free(suite_params, &so);
		free(pos);
		return rc == -EIO ? PB_EXIT_FAIL : PB_EXIT_USAGE;
	}
	if (so.slurm && s->machine_var) {
		/* $THREADS / $NCORES come from this machine's cores: the compute
		 * nodes' would not be measured, and nothing would say so */
		const char *v = NULL;
		for (size_t i = 0; i < s->nvars && !v; i++)
			if (!strncmp(s->vars[i], s->machine_var, strlen(s->machine_var)) &&
			    s->vars[i][strlen(s->machine_var)] == '=')
				v = s->vars[i] + strlen(s->machine_var) + 1;
		pb_usage_error("suite",
			       "--slurm: %s uses $%s, which is %s here (this machine's cores), not "
			       "what the compute nodes have; give --threads LIST (or --set %s=...)",
			       s->name, s->machine_var, v ? v : "?", s->machine_var);
	}
	unsigned maxthr = pb_suite_max_threads(s);
	struct pb_slurm_opts sopts = slurm_opts(&so, NULL, maxthr);
	char pdir[PATH_MAX + 16] = ""; /* the run folder to be, for the script */
	if (so.slurm) {
		slurm_preview_dir(&so, pdir, sizeof(pdir));
		slurm_check(pdir, s->name, &sopts);
	}
	if (so.dry_run) {
		int ret = PB_EXIT_OK;
		if (so.slurm) {
			char jobid[8];
			if (submit(pdir, s->name, &sopts, 1, NULL, 0, s->ntasks, jobid,
				   sizeof(jobid), err, sizeof(err))) {
				pb_error("suite", "%s", err);
				ret = PB_EXIT_USAGE;
			}
		} else {
			for (size_t i = 0; i < s->ntasks; i++)
				printf("pagebench %s\n", s->tasks[i].text);
		}
		pb_suite_free(s);
		pb_param_free(suite_params, &so);
		free(pos);
		return ret;
	}

	char rerr[4300];
	if (pb_results_root_check(so.results, rerr, sizeof(rerr)))
		pb_usage_error("suite", "%s", rerr); /* as run, sim and mrc */
	pb_signals_install(1);
	struct pb_run *run = pb_run_create(so.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error("suite", "%s", err);
		pb_suite_free(s);
		pb_param_free(suite_params, &so);
		free(pos);
		return PB_EXIT_FAIL;
	}
	pb_run_set_label(run, so.label); /* the suite's meta.json names the machine too */
	char *dir = strdup(pb_run_dir(run));
	int ret = PB_EXIT_OK;
	pb_run_config_str(run, "suite", s->name);
	pb_run_config_str(run, "suite_origin", s->origin);
	pb_run_config_str(run, "mode", so.slurm ? "slurm" : "local");
	if (pb_suite_plan_write(s, dir, so.label, err, sizeof(err))) {
		pb_error("suite", "%s", err);
		pb_run_abort(run);
		ret = PB_EXIT_FAIL;
		goto out;
	}
	fprintf(stderr, "pagebench suite %s: %zu task(s) into %s\n", s->name, s->ntasks, dir);
	if (so.slurm) {
		char jobid[64];
		const char *st = "submitted";
		if (submit(dir, s->name, &sopts, 0, NULL, 0, s->ntasks, jobid, sizeof(jobid), err,
			   sizeof(err))) {
			pb_error("suite", "%s", err);
			st = "failed";
			ret = PB_EXIT_FAIL;
		} else {
			pb_run_config_str(run, "slurm_job_id", jobid);
		}
		if (pb_run_finish(run) || mark_unfinished(dir, st, NULL))
			ret = PB_EXIT_FAIL;
		if (ret == PB_EXIT_OK && so.wait)
			ret = pb_suite_wait_merge(dir, (unsigned)so.timeout);
		else if (ret == PB_EXIT_OK) {
			char *q = shell_word(dir); /* pasted into a shell: quoted */
			fprintf(stderr, "pagebench suite: then `pagebench merge %s --wait`\n",
				q ? q : dir);
			free(q);
		}
	} else {
		/* meta.json (command line, machine) first, marked partial until the
		 * tasks are merged: a suite killed on the way claims nothing */
		local_lock(dir, "suite");
		if (pb_run_finish(run) || mark_unfinished(dir, "running", NULL)) {
			ret = PB_EXIT_FAIL;
		} else {
			run_local(dir, NULL, 0, s->ntasks, so.label);
			ret = report_merge(dir, NULL);
		}
		local_unlock();
	}
out:
	free(dir);
	pb_suite_free(s);
	pb_param_free(suite_params, &so);
	free(pos);
	if (pb_signal_pending())
		pb_signal_exit(pb_signal_pending());
	return ret;
}

struct merge_opts {
	int wait;
	uint64_t timeout;
};

int pb_cmd_merge(int argc, char **argv)
{
	struct merge_opts mo = {0};
	static const struct pb_param merge_params[] = {
	    {"wait", PB_PT_FLAG, offsetof(struct merge_opts, wait), NULL,
	     "wait for the run's Slurm job to finish first", NULL, 0, 0, 'w', 0, NULL},
	    {"timeout", PB_PT_U64, offsetof(struct merge_opts, timeout), "0",
	     "with --wait: give up after S seconds (0: never)", NULL, 0, 0, 0, 0, "S"},
	    {0},
	};
	char err[PB_KERNEL_ERRLEN], *pos[8];
	int npos = 0;
	uint64_t given = 0;
	merge_cmd = "merge";
	if (pb_param_defaults(merge_params, &mo, err, sizeof(err)))
		pb_usage_error("merge", "%s", err);
	if (argc > 8)
		pb_usage_error("merge", "too many arguments");
	int rc =
	    pb_param_getopt(merge_params, &mo, argc, argv, pos, &npos, &given, err, sizeof(err));
	if (rc == 1) {
		printf(
		    "usage: pagebench merge RUN_DIR [--wait] [--timeout S]\n"
		    "Collects the tasks of a suite run folder (local or a Slurm array) into its\n"
		    "merged CSVs and meta.json, and reports tasks that failed or have no result\n"
		    "(timed out, cancelled, preempted).  Exit 0 when every task succeeded.\n"
		    "options:\n");
		pb_param_help(merge_params, stdout, 1);
		return PB_EXIT_OK;
	}
	if (rc)
		pb_usage_error("merge", "%s", err);
	if (npos != 1)
		pb_usage_error("merge", "usage: pagebench merge RUN_DIR [--wait] [--timeout S]");
	if ((given >> (pb_param_find(merge_params, "timeout") - merge_params) & 1) && !mo.wait)
		pb_usage_error("merge", "--timeout goes with --wait (a merge alone does not wait)");
	size_t n;
	if (pb_suite_plan_ntasks(pos[0], &n, err, sizeof(err)))
		pb_usage_error("merge", "%s: not a suite run folder (%s)", pos[0], err);
	/* a signal removes the merged files' temporaries; a file size limit
	 * fails the write (one line, meta.json says so) instead of killing */
	pb_signals_install(0);
	if (mo.wait)
		return pb_suite_wait_merge(pos[0], (unsigned)mo.timeout);
	return report_merge(pos[0], NULL);
}
