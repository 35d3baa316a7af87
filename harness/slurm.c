/* SPDX-License-Identifier: MIT */
/*
 * harness/slurm.c - a suite as a Slurm job array (see pagebench/suite.h).
 *
 * The script asks Slurm for what a benchmark needs and nothing more: one
 * array task per suite task (`--array`, throttled with `%N`), whole cores
 * (`--cpus-per-task`, `--hint=nomultithread`), whole nodes (`--exclusive`)
 * when the suite measures thread scaling, and the user's partition,
 * constraint (the machine class) and time limit.  Binding inside a task
 * stays pagebench's own (hwloc), so the script does not ask srun to bind.
 * Every array task runs the same pagebench binary that wrote the plan
 * (its absolute path, so the cluster needs it on a shared file system, as
 * it needs the run folder) with `suite --task DIR N`.  sbatch and squeue
 * run as children (posix_spawnp), never through a shell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/suite.h"

extern char **environ;

/* s as one word of the shell script (pb_sb_shell: quoted where it needs it). */
static void shq(FILE *f, const char *s)
{
	struct pb_sb b = {0};
	pb_sb_shell(&b, s);
	fputs(b.s, f);
	pb_sb_free(&b);
}

/* A value that goes into an #SBATCH line: no blanks, quotes or newlines. */
static int sbatch_safe(const char *what, const char *v, char *err, size_t errlen)
{
	for (const char *c = v; *c; c++)
		if (*c <= ' ' || *c == '\'' || *c == '"' || *c == '\\' || *c == '#' || *c == 0x7f) {
			snprintf(err, errlen,
				 "--%s '%s': blanks, quotes and control characters are not allowed",
				 what, v);
			return -EINVAL;
		}
	return 0;
}

/* s on one line: in a comment of the script a line break would end the
 * comment (and what follows would be a command), in a message the line;
 * control characters shown as '?'. */
static void one_line(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < ' ' || *s == 0x7f ? '?' : *s, f);
}

/*
 * A path in an #SBATCH line (--output): sbatch splits the line at blanks
 * outside quotes, reads a backslash as an escape (inside quotes too) and,
 * in older versions, a '#' as a comment even inside quotes; Slurm then
 * expands %-patterns in the file name, and a backslash left in it turns
 * them off.  So: the path in double quotes (blanks and ' kept), " and #
 * escaped, % doubled (%% is one %); a backslash or a control character (a
 * line break ends the directive) cannot be held, refused with what (the
 * line) and the path.
 */
static int sbatch_path_ok(const char *what, const char *path, char *err, size_t errlen)
{
	const char *c = path;
	while (*c && (unsigned char)*c >= ' ' && *c != 0x7f && *c != '\\')
		c++;
	if (!*c)
		return 0;
	char *shown = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&shown, &n);
	if (m) {
		one_line(m, path);
		if (fclose(m)) {
			free(shown);
			shown = NULL;
		}
	}
	snprintf(err, errlen,
		 "%s: the path '%s' has a %s, which an #SBATCH line cannot hold; use a "
		 "--results folder without one",
		 what, shown ? shown : path, *c == '\\' ? "backslash" : "control character");
	free(shown);
	return -EINVAL;
}

static void sbatch_path(FILE *f, const char *path, const char *pattern)
{
	fputc('"', f);
	for (const char *c = path; *c; c++) {
		if (*c == '"' || *c == '#')
			fputc('\\', f);
		else if (*c == '%')
			fputc('%', f);
		fputc(*c, f);
	}
	fprintf(f, "%s\"", pattern);
}

int pb_slurm_script(const char *dir, const char *suite, const struct pb_slurm_opts *o,
		    const char *array, char **script, char *err, size_t errlen)
{
	char self[PATH_MAX], adir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	*script = NULL;
	if (n <= 0) {
		snprintf(err, errlen, "cannot find the pagebench binary (/proc/self/exe)");
		return -ENOENT;
	}
	self[n] = 0;
	if (!realpath(dir, adir)) /* --dry-run: a folder that does not exist yet */
		snprintf(adir, sizeof(adir), "%s", dir);
	if ((o->partition && sbatch_safe("partition", o->partition, err, errlen)) ||
	    (o->constraint && sbatch_safe("constraint", o->constraint, err, errlen)) ||
	    (o->time && sbatch_safe("time", o->time, err, errlen)) ||
	    sbatch_safe("array", array, err, errlen) ||
	    sbatch_path_ok("--slurm: the run folder (#SBATCH --output)", adir, err, errlen))
		return -EINVAL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	char name[64];
	snprintf(name, sizeof(name), "pagebench-%s", suite);
	for (char *c = name; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '-' && *c != '_' && *c != '.')
			*c = '_';
	fprintf(f, "#!/bin/sh\n");
	fprintf(f, "# Written by pagebench: the suite '");
	one_line(f, suite);
	fprintf(f, "' as a job array, one array task per\n");
	fprintf(f, "# suite task (plan.json in the run folder).  Resubmit unfinished tasks with\n");
	fprintf(f, "#   pagebench suite --resume RUN_DIR --slurm\n");
	fprintf(f, "#SBATCH --job-name=%s\n", name);
	if (o->array_max)
		fprintf(f, "#SBATCH --array=%s%%%u\n", array, o->array_max);
	else
		fprintf(f, "#SBATCH --array=%s\n", array);
	fprintf(f, "#SBATCH --ntasks=1\n");
	fprintf(f, "#SBATCH --cpus-per-task=%u\n", o->cpus_per_task ? o->cpus_per_task : 1);
	fprintf(f, "#SBATCH --hint=nomultithread\n");
	if (o->exclusive)
		fprintf(f, "#SBATCH --exclusive\n");
	if (o->partition)
		fprintf(f, "#SBATCH --partition=%s\n", o->partition);
	if (o->constraint)
		fprintf(f, "#SBATCH --constraint=%s\n", o->constraint);
	if (o->time)
		fprintf(f, "#SBATCH --time=%s\n", o->time);
	/* the folder's path as a file name pattern: its own %s doubled, then
	 * Slurm's %A_%a */
	fprintf(f, "#SBATCH --output=");
	sbatch_path(f, adir, "/tasks/slurm-%A_%a.out");
	fputc('\n', f);
	fprintf(f, "exec ");
	shq(f, self);
	fprintf(f, " suite --task ");
	shq(f, adir);
	fprintf(f, " \"$SLURM_ARRAY_TASK_ID\"");
	if (o->label) {
		fprintf(f, " --label ");
		shq(f, o->label);
	}
	fprintf(f, "\n");
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	*script = buf;
	return 0;
}

/* How long a command may stay silent before capture() says what it waits
 * for (squeue retries for a minute on its own where the controller or
 * slurm.conf cannot be reached, and said nothing meanwhile). */
#define SLOW_MS 2000

/* Run argv, capture stdout (up to cap-1 bytes) and the exit status; with
 * ef (a temporary file), its stderr goes there instead of ours.  *slow: a
 * line for our stderr when the command has not ended after SLOW_MS, set to
 * NULL once said (slow or *slow NULL: none). */
static int capture(char *const argv[], char *out, size_t cap, FILE *ef, int *status,
		   const char **slow)
{
	int fds[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	if (pipe(fds))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (ef)
		posix_spawn_file_actions_adddup2(&fa, fileno(ef), 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	size_t n = 0;
	if (rc == 0) {
		ssize_t r;
		struct pollfd pf = {.fd = fds[0], .events = POLLIN};
		int pr = 1;
		int say = slow && *slow;
		while (say && (pr = poll(&pf, 1, SLOW_MS)) < 0 && errno == EINTR)
			;
		if (say && pr == 0) {
			fprintf(stderr, "%s\n", *slow);
			*slow = NULL;
		}
		while ((r = read(fds[0], out + n, cap - 1 - n)) > 0 && n + 1 < cap)
			n += (size_t)r;
		while (read(fds[0], (char[256]){0}, 256) > 0) /* drain the rest */
			;
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	out[n] = 0;
	return -rc;
}

int pb_slurm_submit(const char *script_path, char *jobid, size_t len, char *err, size_t errlen)
{
	char out[256];
	int st = 0;
	char *argv[] = {"sbatch", "--parsable", (char *)script_path, NULL};
	int rc = capture(argv, out, sizeof(out), NULL, &st, NULL);
	if (rc) {
		snprintf(err, errlen,
			 "sbatch: %s (is Slurm installed? apt-get install slurm-client)",
			 strerror(-rc));
		return rc;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(err, errlen, "sbatch refused the job (exit %d); its message is above",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -EIO;
	}
	/* --parsable prints "jobid" or "jobid;cluster" */
	out[strcspn(out, ";\n")] = 0;
	uint64_t id;
	if (pb_parse_u64(out, &id)) {
		snprintf(err, errlen, "sbatch printed '%s', not a job id", out);
		return -EIO;
	}
	snprintf(jobid, len, "%s", out);
	return 0;
}

int pb_slurm_active(const char *jobid, unsigned *left, char *err, size_t errlen)
{
	char out[65536];
	int st = 0;
	char *argv[] = {"squeue", "-h", "-j", (char *)jobid, "-o", "%i %t", NULL};
	FILE *ef = tmpfile();
	/* said once in a command: merge --wait asks squeue every half second,
	 * and a controller that cannot be reached makes each call slow */
	static int said_slow;
	char line[160];
	snprintf(line, sizeof(line),
		 "pagebench: waiting for squeue -j %s (it retries for up to a minute where "
		 "the Slurm controller cannot be reached)",
		 jobid);
	const char *slow = said_slow ? NULL : line;
	int rc = ef ? capture(argv, out, sizeof(out), ef, &st, &slow) : -errno;
	said_slow |= !slow;
	*left = 0;
	if (rc) {
		snprintf(err, errlen, "squeue: %s", strerror(-rc));
		if (ef)
			fclose(ef);
		return rc;
	}
	/* squeue forgets a finished job: no lines, or "Invalid job id" with
	 * exit 1.  Any other failure (the controller unreachable) says nothing
	 * about the job: an error, not "finished". */
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char msg[512] = "";
		rewind(ef);
		size_t m = fread(msg, 1, sizeof(msg) - 1, ef);
		msg[m] = 0;
		msg[strcspn(msg, "\n")] = 0;
		fclose(ef);
		if (strstr(msg, "Invalid job id"))
			return 0;
		/* ", retrying in 1sec up to 60sec": what squeue did before it gave
		 * up, not what happens next (nothing is retried) */
		char *retry = strstr(msg, ", retrying in ");
		if (retry)
			*retry = 0;
		snprintf(err, errlen, "squeue -j %s failed (%s %d): %s%s", jobid,
			 WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			 msg[0] ? msg : "no message",
			 retry ? " (squeue gave up after retrying)" : "");
		return -EIO;
	}
	fclose(ef);
	for (char *c = out; *c; c++)
		*left += *c == '\n';
	if (out[0] && out[strlen(out) - 1] != '\n')
		(*left)++;
	return 0;
}

int pb_slurm_wait(const char *jobid, unsigned timeout_s, char *err, size_t errlen)
{
	time_t end = time(NULL) + (time_t)timeout_s, failing = 0;
	unsigned polls = 0;
	for (;;) {
		unsigned left;
		int rc = pb_slurm_active(jobid, &left, err, errlen);
		/* squeue failing for a while (a controller restarting) is waited
		 * out; for a minute on end it ends the wait */
		if (rc == -EIO && !failing)
			failing = time(NULL);
		if (rc && (rc != -EIO || time(NULL) - failing >= 60))
			return rc;
		if (!rc)
			failing = 0;
		if (!rc && !left)
			return 0;
		if (timeout_s && time(NULL) >= end) {
			snprintf(err, errlen, "job %s still has tasks after %u s", jobid,
				 timeout_s);
			return -ETIMEDOUT;
		}
		if (isatty(2) && polls % 10 == 0)
			fprintf(stderr, "\rjob %s: %u array task(s) pending or running   ", jobid,
				left);
		polls++;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 500000000};
		nanosleep(&ts, NULL);
	}
}
