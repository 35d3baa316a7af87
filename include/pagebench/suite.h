/* SPDX-License-Identifier: MIT */
/*
 * pagebench/suite.h - suites as files: a plan of pagebench commands.
 *
 * A suite is a plain text file, one pagebench command per line:
 *
 *   # comments run to the end of the line
 *   set WORKLOAD=zipf:pages=20000,alpha=0.9,refs=300000,seed=1
 *   run pt-lookup --threads $THREADS --reps $REPS
 *   kernels default --threads $THREADS --reps $REPS   # one `run` per kernel
 *   sim --workload $WORKLOAD --policy all --frames 1000,4000
 *   mrc --workload ${WORKLOAD} --policy lru,arc --frames 500:5000:500
 *
 * Words are split at blanks; '...' and "..." quote (no escapes inside
 * '...', \" and \\ inside "...").  $NAME and ${NAME} expand variables
 * (outside single quotes): the built-ins THREADS (1, 2, 4, ... up to the
 * machine's cores, and the core count), REPS (6), NCORES, and every
 * `set NAME=VALUE` line above the use or `--set NAME=VALUE` given to
 * `pagebench suite` (which wins over the file's own `set`).  Commands:
 * `run`, `sim`, `mrc`, and `kernels default|bench|all OPTIONS`, which
 * expands to one `run KERNEL OPTIONS` per registered kernel of that set.
 * An unknown command, kernel or variable, an unterminated quote, an
 * empty suite or a line with its own --label or --results (the suite
 * gives every task its own) is an error "FILE:LINE: what" (exit 2 at the
 * CLI).
 *
 * Every line becomes a task; a task is one pagebench process writing its
 * own run folder (with its own meta.json), so the same plan runs here
 * (`--local`, the default) or as a Slurm job array.
 *
 * Built-in suites (harness/suites/NAME.suite, compiled into the binary):
 * quick, default, paper, bench.
 */
#ifndef PAGEBENCH_SUITE_H
#define PAGEBENCH_SUITE_H

#include <stddef.h>

#include "pagebench/common.h"

struct pb_suite_task {
	unsigned line; /* line of the suite file it came from */
	int argc;      /* argv[0] is the subcommand: "run", "sim", "mrc" */
	char **argv;   /* NULL-terminated, malloc'ed */
	char *text;    /* the command as one line (words joined, quoted where needed) */
};

struct pb_suite {
	char *name;   /* built-in name, or the file's path */
	char *origin; /* "builtin" or the file's path */
	char *text;   /* the suite's source text, as read */
	size_t ntasks;
	struct pb_suite_task *tasks;
	size_t nvars;
	char **vars; /* "NAME=VALUE" after the whole file: what was used */
	/* A built-in read with this machine's value (THREADS, NCORES: its core
	 * count) by some line, not set by --set or a `set` line; NULL if none.
	 * A plan for other machines (--slurm) must not use one. */
	const char *machine_var;
};

/* The text of a built-in suite, or NULL. */
const char *pb_suite_builtin(const char *name);
/* Names of the built-in suites, NULL-terminated. */
const char *const *pb_suite_builtin_names(void);

/*
 * Load NAME (a built-in) or FILE (a path: anything with a '/' or a
 * ".suite" ending, or a name that is not built in but exists as a file)
 * and expand it.  sets: "NAME=VALUE" overrides (may be NULL).  Returns 0,
 * or -EINVAL / -ENOENT with "FILE:LINE: what" (or "NAME: what") in err:
 * whole in PB_KERNEL_ERRLEN bytes (a FILE of PATH_MAX, or a path the line
 * names, and the reason); one longer than errlen ends in "...".
 */
int pb_suite_load(const char *name_or_file, char *const *sets, size_t nsets, struct pb_suite **out,
		  char *err, size_t errlen) PB_MUST_CHECK;
/* Parse suite text (for tests and fuzzing); `origin` names it in errors. */
int pb_suite_parse(const char *origin, const char *text, char *const *sets, size_t nsets,
		   struct pb_suite **out, char *err, size_t errlen) PB_MUST_CHECK;
void pb_suite_free(struct pb_suite *s);

/*
 * A suite run folder on disk (harness/suite_plan.c): the same steps here
 * and on a cluster.  dir is the suite's run folder.
 *   plan_write   plan.json (the tasks' argv, the variables, the suite's
 *                --label or null, the largest --threads value) and tasks/;
 *   plan_info    what plan.json holds: its tasks, label and the suite's
 *                name (each malloc'ed or NULL; name may be NULL when not
 *                wanted) and largest thread count;
 *   task_run     task N (1-based): its command as a child pagebench into
 *                tasks/NNN/<run folder>, then tasks/NNN/task.json (status,
 *                exit code, host, Slurm ids, times); an earlier attempt's
 *                folder moves to tasks/NNN.attempt-K first; label NULL: the
 *                plan's (a resumed task keeps the suite's label);
 *   merge        the tasks' CSVs concatenated into dir, meta.json updated
 *                (config.tasks, config.suite_status and status: complete,
 *                failed or partial), `extra` (a JSON object or NULL) merged
 *                into config.
 * 0 or -errno with one line in err; task_run returns -ECANCELED when the
 * task ran and failed or was interrupted by a signal (err says which;
 * task.json says failed or interrupted).
 */
struct pb_suite_tally {
	size_t ok, failed, missing;
};
struct json_t;
int pb_suite_plan_write(const struct pb_suite *s, const char *dir, const char *label, char *err,
			size_t errlen) PB_MUST_CHECK;
int pb_suite_plan_ntasks(const char *dir, size_t *n, char *err, size_t errlen) PB_MUST_CHECK;
int pb_suite_plan_info(const char *dir, size_t *ntasks, char **label, char **name,
		       unsigned *max_threads, char *err, size_t errlen) PB_MUST_CHECK;
/* The largest --threads value of any task (1 if none): whole cores per task.
 * Every spelling the task's command takes counts (--threads L,
 * --threads=L, run's -t L and -tL), the last one given in a task. */
unsigned pb_suite_max_threads(const struct pb_suite *s);
int pb_suite_task_run(const char *dir, size_t task, const char *label, char *err, size_t errlen);
int pb_suite_merge(const char *dir, struct json_t *extra, struct pb_suite_tally *tally, char *err,
		   size_t errlen) PB_MUST_CHECK;
/* Tasks of dir without a complete, successful result (1-based, malloc'ed). */
int pb_suite_unfinished(const char *dir, size_t **tasks, size_t *n, char *err,
			size_t errlen) PB_MUST_CHECK;

/*
 * Slurm (harness/slurm.c): a suite as a job array, one array task per
 * suite task, each running `pagebench suite --task DIR N`.
 */
struct pb_slurm_opts {
	const char *partition, *constraint, *time, *label;
	unsigned array_max;	/* at most this many array tasks at once (0: no limit) */
	unsigned cpus_per_task; /* whole cores for each task */
	int exclusive;		/* whole nodes (suites that measure scaling) */
};
/* The sbatch script for the given array tasks ("1-8" or "2,5"), malloc'ed. */
int pb_slurm_script(const char *dir, const char *suite, const struct pb_slurm_opts *o,
		    const char *array, char **script, char *err, size_t errlen) PB_MUST_CHECK;
/* `sbatch --parsable SCRIPT`: the job id into jobid. */
int pb_slurm_submit(const char *script_path, char *jobid, size_t len, char *err,
		    size_t errlen) PB_MUST_CHECK;
/* How many tasks of job `jobid` squeue lists as pending or running (0 once
 * it forgot the job). */
int pb_slurm_active(const char *jobid, unsigned *left, char *err, size_t errlen) PB_MUST_CHECK;
/* Wait until no task of job `jobid` is pending or running (squeue), at most
 * timeout_s seconds (0: forever).  -ETIMEDOUT when it ran out. */
int pb_slurm_wait(const char *jobid, unsigned timeout_s, char *err, size_t errlen) PB_MUST_CHECK;

#endif /* PAGEBENCH_SUITE_H */
