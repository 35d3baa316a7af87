/* SPDX-License-Identifier: MIT */
/*
 * tests/spawn.h - run a command, capture its stdout and stderr and exit code.
 */
#ifndef PAGEBENCH_TESTS_SPAWN_H
#define PAGEBENCH_TESTS_SPAWN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct spawn_out {
	int code; /* exit code, or 128+signal */
	char out[1 << 16], err[1 << 16];
};

static inline void spawn_read(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while ((r = read(fd, buf + n, cap - 1 - n)) > 0 && n + 1 < cap)
		n += (size_t)r;
	buf[n] = 0;
}

/* argv is NULL-terminated; env entries "K=V" added (NULL-terminated or NULL). */
static inline int spawn_run(char *const argv[], char *const env[], struct spawn_out *o)
{
	const char *td = getenv("TMPDIR");
	char tmpl_o[1100], tmpl_e[1100];
	snprintf(tmpl_o, sizeof(tmpl_o), "%s/pbspawnoXXXXXX",
		 td && *td && strlen(td) < 1000 ? td : "/tmp");
	snprintf(tmpl_e, sizeof(tmpl_e), "%s/pbspawneXXXXXX",
		 td && *td && strlen(td) < 1000 ? td : "/tmp");
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e);
	unlink(tmpl_o);
	unlink(tmpl_e);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		for (char *const *e = env; e && *e; e++)
			putenv(*e);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	o->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	spawn_read(fo, o->out, sizeof(o->out));
	spawn_read(fe, o->err, sizeof(o->err));
	close(fo);
	close(fe);
	return o->code;
}

/* spawn_run of bin with the NULL-terminated arguments in ap, then those of
 * the NULL-terminated tail (NULL: none); at most 38 in all. */
static inline int spawn_runv(const char *bin, char *const env[], struct spawn_out *o, va_list ap,
			     const char *const *tail)
{
	char *argv[40] = {(char *)bin};
	int n = 1;
	const char *a;
	while (n < 39 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	for (; tail && *tail && n < 39; tail++)
		argv[n++] = (char *)*tail;
	argv[n] = NULL;
	return spawn_run(argv, env, o);
}

/* spawn_run of bin with the NULL-terminated arguments that follow o (at
 * most 38). */
static inline int spawn_runl(const char *bin, char *const env[], struct spawn_out *o, ...)
{
	va_list ap;
	va_start(ap, o);
	int rc = spawn_runv(bin, env, o, ap, NULL);
	va_end(ap);
	return rc;
}

static inline int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#endif
