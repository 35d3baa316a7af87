/* SPDX-License-Identifier: MIT */
/*
 * harness/suite.c - suite files: words, quotes, variables and the plan of
 * tasks (see pagebench/suite.h for the language).
 *
 * A line is split into words by a small state machine (blank, word,
 * single-quoted, double-quoted); $NAME / ${NAME} are replaced while
 * splitting, so an expanded value stays one word (a workload spec with
 * commas never needs quotes).  Variables live in one list, looked up
 * newest first; `--set` overrides are entered last and marked sticky so a
 * later `set` line of the file does not replace them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/kernel.h"
#include "pagebench/suite.h"
#include "pagebench/team.h"
#include "suites_builtin.h"

#define MAX_VARS  256
#define MAX_WORDS 512
#define MAX_TASKS 100000

struct var {
	char *name, *value;
	int sticky; /* from --set: a `set` line does not replace it */
	int used;   /* expanded at least once */
	int local;  /* THREADS, NCORES as this machine's topology gave them */
};

struct parser {
	const char *origin;
	unsigned line;
	struct var vars[MAX_VARS];
	size_t nvars;
	char *err;
	size_t errlen;
	struct pb_suite *s;
};

static int perr(struct parser *p, const char *fmt, ...) PB_PRINTF(2, 3);
static int perr(struct parser *p, const char *fmt, ...)
{
	/* The message whole, however long the path or value it names (a
	 * 768-byte buffer cut them); only the caller's err bounds the line,
	 * and a line cut there says so (PB_KERNEL_ERRLEN holds a PATH_MAX
	 * file name and its reason). */
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL;
	const char *m = msg ? msg : "out of memory (formatting the message)";
	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%u: %s", p->origin, p->line, m);
	else
		n = snprintf(p->err, p->errlen, "%s: %s", p->origin, m);
	if (n >= 0 && (size_t)n >= p->errlen && p->errlen > 4)
		memcpy(p->err + p->errlen - 4, "...", 4);
	free(msg);
	return -EINVAL;
}

const char *pb_suite_builtin(const char *name)
{
	for (size_t i = 0; pb_suites_builtin[i].name; i++)
		if (!strcmp(pb_suites_builtin[i].name, name))
			return pb_suites_builtin[i].text;
	return NULL;
}

const char *const *pb_suite_builtin_names(void)
{
	static const char *names[64];
	size_t i = 0;
	for (; pb_suites_builtin[i].name && i + 1 < PB_ARRAY_SIZE(names); i++)
		names[i] = pb_suites_builtin[i].name;
	names[i] = NULL;
	return names;
}

static int valid_name(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static struct var *var_find(struct parser *p, const char *name, size_t n)
{
	for (size_t i = p->nvars; i-- > 0;)
		if (strlen(p->vars[i].name) == n && !strncmp(p->vars[i].name, name, n))
			return &p->vars[i];
	return NULL;
}

static int var_set(struct parser *p, const char *name, size_t n, const char *value, int sticky)
{
	struct var *v = var_find(p, name, n);
	if (v && v->sticky && !sticky)
		return 0;
	if (!v) {
		if (p->nvars == MAX_VARS)
			return perr(p, "more than %d variables", MAX_VARS);
		v = &p->vars[p->nvars++];
		v->name = strndup(name, n);
		v->value = NULL;
		v->used = 0;
	}
	free(v->value);
	v->value = strdup(value);
	v->sticky = sticky;
	v->local = 0;
	if (!v->name || !v->value)
		return perr(p, "out of memory");
	return 0;
}

/* Expand the variable reference at *pp (just after '$'); advances *pp. */
static int expand(struct parser *p, const char **pp, struct pb_sb *w)
{
	const char *s = *pp, *name;
	size_t n;
	if (*s == '{') {
		const char *e = strchr(s + 1, '}');
		if (!e)
			return perr(p, "unterminated ${...}");
		name = s + 1;
		n = (size_t)(e - name);
		*pp = e + 1;
	} else {
		name = s;
		n = 0;
		while (isalnum((unsigned char)name[n]) || name[n] == '_')
			n++;
		*pp = s + n;
	}
	if (!valid_name(name, n))
		return perr(p, "bad variable name after '$'");
	struct var *v = var_find(p, name, n);
	if (!v)
		return perr(p, "unknown variable '%.*s' (set it with `set %.*s=...` or --set)",
			    (int)n, name, (int)n, name);
	v->used = 1;
	if (v->local && !p->s->machine_var)
		p->s->machine_var = !strcmp(v->name, "THREADS") ? "THREADS" : "NCORES";
	pb_sb_put(w, v->value);
	return 0;
}

/* Split one line into words with quotes and variables. */
static int split(struct parser *p, const char *line, char **words, int *nwords)
{
	int nw = 0, rc = 0;
	const char *s = line;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		struct pb_sb w = {0};
		int quoted = 0;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && !rc) {
			if (*s == '\'') {
				const char *e = strchr(s + 1, '\'');
				if (!e) {
					rc = perr(p, "unterminated single quote");
					break;
				}
				pb_sb_putn(&w, s + 1, (size_t)(e - s - 1));
				s = e + 1;
				quoted = 1;
			} else if (*s == '"') {
				s++;
				quoted = 1;
				while (*s && *s != '"' && !rc) {
					if (*s == '\\' &&
					    (s[1] == '"' || s[1] == '\\' || s[1] == '$')) {
						pb_sb_putn(&w, s + 1, 1);
						s += 2;
					} else if (*s == '$') {
						s++;
						rc = expand(p, &s, &w);
					} else {
						pb_sb_putn(&w, s++, 1);
					}
				}
				if (!rc && *s != '"')
					rc = perr(p, "unterminated double quote");
				else if (!rc)
					s++;
			} else if (*s == '$') {
				s++;
				rc = expand(p, &s, &w);
			} else {
				pb_sb_putn(&w, s++, 1);
			}
		}
		if (rc) {
			free(w.s);
			break;
		}
		if (!w.s && quoted)
			w.s = strdup("");
		if (!w.s)
			continue;
		if (nw == MAX_WORDS) {
			free(w.s);
			rc = perr(p, "more than %d words on one line", MAX_WORDS);
			break;
		}
		words[nw++] = w.s;
	}
	if (rc)
		while (nw > 0)
			free(words[--nw]);
	*nwords = nw;
	return rc;
}

/*
 * Options the suite gives every task itself: suite_plan.c puts --results
 * (the task's folder) and, when the suite has one, --label right after
 * the command word.  A line's own, given after them, would win (the last
 * one given wins): a task writing outside the suite's folder, or rows
 * labelled as another machine (before 2026-12-05 they came last, and a
 * line's own was dropped without a word).  Refused where the line is
 * read, before anything runs.  After "--" the words are operands, not
 * options (as pb_suite_max_threads reads them): not refused.
 */
static int suite_owned_option(struct parser *p, char **words, int nw)
{
	static const char *const owned[][2] = {{"--label", "NAME"}, {"--results", "DIR"}};
	for (size_t k = 0; k < PB_ARRAY_SIZE(owned); k++)
		if (pb_param_argv_find(words, nw, 1, owned[k][0], 0, NULL))
			return perr(p,
				    "%s: the suite sets it for every task (`pagebench "
				    "suite ... %s %s`), not a line",
				    owned[k][0], owned[k][0], owned[k][1]);
	return 0;
}

/*
 * A line's --help or -h (before "--", where its command reads it, as
 * pb_param_getopt does) would make its task print the help and exit 0: a
 * task that "succeeds" with no result.  Refused where the line is read.
 * As the value of an option (`--policy -h`) it is refused too: the
 * commands' tables are not known here, and no option takes that value.
 */
static int help_option(struct parser *p, char **words, int nw)
{
	for (int k = 1; k < nw && strcmp(words[k], "--"); k++)
		if (!strcmp(words[k], "--help") || !strcmp(words[k], "-h"))
			return perr(p,
				    "%s: a task would print `pagebench %s`'s help and run "
				    "nothing; see `pagebench %s --help` for its options",
				    words[k], words[0], words[0]);
	return 0;
}

static int add_task(struct parser *p, char **words, int nw)
{
	struct pb_suite *s = p->s;
	int rc = suite_owned_option(p, words, nw);
	if (!rc)
		rc = help_option(p, words, nw);
	if (rc)
		return rc;
	if (s->ntasks == MAX_TASKS)
		return perr(p, "more than %d tasks", MAX_TASKS);
	if (!(s->ntasks & (s->ntasks + 1))) { /* grow at 0, 1, 3, 7, ... */
		struct pb_suite_task *t = realloc(s->tasks, (2 * s->ntasks + 1) * sizeof(*t));
		if (!t)
			return perr(p, "out of memory");
		s->tasks = t;
	}
	struct pb_suite_task *t = &s->tasks[s->ntasks];
	memset(t, 0, sizeof(*t));
	t->line = p->line;
	t->argc = nw;
	t->argv = calloc((size_t)nw + 1, sizeof(char *));
	struct pb_sb text = {0};
	if (!t->argv)
		return perr(p, "out of memory");
	for (int i = 0; i < nw; i++) {
		t->argv[i] = strdup(words[i]);
		if (i)
			pb_sb_put(&text, " ");
		pb_sb_shell(&text, words[i]); /* quoted where it needs it */
		if (!t->argv[i])
			return perr(p, "out of memory");
	}
	t->text = text.s;
	s->ntasks++;
	return 0;
}

/*
 * A run line's --param options (w[2..], none after "--"), joined with ','
 * as `run` joins them, into *kv (malloc'ed; NULL when none is given): all
 * of them are checked, not the last one alone (a `--param nosuch=1
 * --param update=5` line passed the check, and its task failed hours
 * later).  A key given twice is refused here, as `run` refuses it.
 */
static int line_params(struct parser *p, char **w, int nw, char **kv)
{
	*kv = NULL;
	for (int k = 2; k < nw && strcmp(w[k], "--"); k++) {
		const char *v;
		if (!strcmp(w[k], "--param"))
			v = k + 1 < nw ? w[++k] : NULL;
		else if (!strncmp(w[k], "--param=", 8))
			v = w[k] + 8;
		else
			continue;
		if (v && v[0] && pb_kv_append(kv, v))
			return perr(p, "out of memory");
	}
	char msg[512];
	if (*kv && pb_kv_twice(*kv, msg, sizeof(msg)))
		return perr(p, "bad --param: %s", msg);
	return 0;
}

static int do_line(struct parser *p, char **w, int nw)
{
	const char *cmd = w[0];
	if (!strcmp(cmd, "set")) {
		if (nw != 2 || !strchr(w[1], '='))
			return perr(p, "expected `set NAME=VALUE`");
		size_t n = (size_t)(strchr(w[1], '=') - w[1]);
		if (!valid_name(w[1], n))
			return perr(p, "bad variable name '%.*s'", (int)n, w[1]);
		return var_set(p, w[1], n, w[1] + n + 1, 0);
	}
	if (!strcmp(cmd, "run")) {
		if (nw < 2 || w[1][0] == '-')
			return perr(p, "`run` needs a kernel name (see `pagebench list kernels`)");
		const struct pb_kernel_desc *d = pb_kernel_find(w[1]);
		if (!d)
			return perr(p, "unknown kernel '%s' (see `pagebench list kernels`)", w[1]);
		/* its --param against the kernel's table now, as `run` checks it, not
		 * when the task's turn comes after hours of the others; after "--"
		 * the words are operands, not checked */
		char *kv = NULL;
		int rc = line_params(p, w, nw, &kv);
		char e[PB_KERNEL_ERRLEN]; /* a path in the value, whole */
		if (!rc && kv && pb_kernel_params_check(d, kv, NULL, e, sizeof(e)) == -EINVAL)
			rc = perr(p, "%s", e);
		free(kv);
		return rc ? rc : add_task(p, w, nw);
	}
	if (!strcmp(cmd, "sim") || !strcmp(cmd, "mrc"))
		return add_task(p, w, nw);
	if (!strcmp(cmd, "kernels")) {
		int want;
		if (nw < 2)
			return perr(p, "`kernels` needs a set: default, bench or all");
		if (!strcmp(w[1], "default"))
			want = 0;
		else if (!strcmp(w[1], "bench"))
			want = 1;
		else if (!strcmp(w[1], "all"))
			want = -1;
		else
			return perr(p, "unknown kernel set '%s' (expected default, bench or all)",
				    w[1]);
		if (pb_param_argv_find(w, nw, 0, "--param", 0, NULL)) /* not after "--" */
			return perr(p,
				    "--param is per kernel: use a `run KERNEL --param ...` line");
		const struct pb_kernel_desc *d;
		size_t added = 0;
		for (size_t i = 0; (d = pb_kernel_at(i)); i++) {
			if (!(want < 0 || d->bench_only == want))
				continue;
			char *tw[MAX_WORDS + 1];
			tw[0] = "run";
			tw[1] = (char *)d->name;
			for (int k = 2; k < nw; k++)
				tw[k] = w[k];
			int rc = add_task(p, tw, nw);
			if (rc)
				return rc;
			added++;
		}
		return added ? 0 : perr(p, "kernel set '%s' is empty", w[1]);
	}
	return perr(p, "unknown command '%s' (a suite line is run, sim, mrc, kernels or set)", cmd);
}

static void default_threads(char *buf, size_t len)
{
	unsigned nc = pb_topo_ncores();
	size_t o = 0;
	if (!nc)
		nc = 1;
	for (unsigned t = 1; t < nc && o < len; t *= 2)
		o += (size_t)snprintf(buf + o, len - o, "%u,", t);
	if (o < len)
		snprintf(buf + o, len - o, "%u", nc);
}

int pb_suite_parse(const char *origin, const char *text, char *const *sets, size_t nsets,
		   struct pb_suite **out, char *err, size_t errlen)
{
	struct parser p = {.origin = origin, .err = err, .errlen = errlen};
	int rc = 0;
	*out = NULL;
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return -ENOMEM;
	}
	p.s->text = strdup(text);
	p.s->origin = strdup(origin);
	char threads[256], ncores[32];
	pb_topo_init();
	default_threads(threads, sizeof(threads));
	snprintf(ncores, sizeof(ncores), "%u", pb_topo_ncores() ? pb_topo_ncores() : 1);
	rc = var_set(&p, "THREADS", 7, threads, 0);
	rc = rc ? rc : var_set(&p, "REPS", 4, "6", 0);
	rc = rc ? rc : var_set(&p, "NCORES", 6, ncores, 0);
	for (size_t i = 0; !rc && i < p.nvars; i++) /* THREADS, NCORES: this machine's */
		p.vars[i].local = strcmp(p.vars[i].name, "REPS") != 0;
	for (size_t i = 0; !rc && i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		if (!eq || !valid_name(sets[i], (size_t)(eq - sets[i])))
			rc = perr(&p, "--set '%s': expected NAME=VALUE", sets[i]);
		else
			rc = var_set(&p, sets[i], (size_t)(eq - sets[i]), eq + 1, 1);
	}
	const char *s = text;
	/* A UTF-8 byte-order mark at byte 0 (Windows editors write one) is
	 * dropped, as the trace reader drops it: it made line 1 "unknown
	 * command '\xEF\xBB\xBFrun'", the mark invisible on a terminal. */
	if (!strncmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (!rc && s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, n);
		char *words[MAX_WORDS];
		int nw = 0;
		p.line++;
		if (!line) {
			rc = perr(&p, "out of memory");
			break;
		}
		if (memchr(s, 0, n) || strlen(line) != n)
			rc = perr(&p, "NUL byte in the line");
		if (!rc)
			rc = split(&p, line, words, &nw);
		if (!rc && nw)
			rc = do_line(&p, words, nw);
		for (int i = 0; i < nw; i++)
			free(words[i]);
		free(line);
		s = nl ? nl + 1 : NULL;
	}
	if (!rc && !p.s->ntasks) {
		p.line = 0;
		rc = perr(&p, "no commands in the suite");
	}
	/* A --set the suite never reads would change nothing: say so rather
	 * than run what was not asked for (`suite bench --reps 5` ran 11). */
	for (size_t i = 0; !rc && i < p.nvars; i++)
		if (p.vars[i].sticky && !p.vars[i].used) {
			p.line = 0;
			rc = perr(
			    &p,
			    "--set %s=%s: the suite never uses $%s, so it would change nothing "
			    "(--threads and --reps set THREADS and REPS)",
			    p.vars[i].name, p.vars[i].value, p.vars[i].name);
		}
	if (!rc) {
		p.s->vars = calloc(p.nvars ? p.nvars : 1, sizeof(char *));
		for (size_t i = 0; p.s->vars && i < p.nvars; i++)
			if (asprintf(&p.s->vars[i], "%s=%s", p.vars[i].name, p.vars[i].value) >= 0)
				p.s->nvars++;
	}
	for (size_t i = 0; i < p.nvars; i++) {
		free(p.vars[i].name);
		free(p.vars[i].value);
	}
	if (rc) {
		pb_suite_free(p.s);
		return rc;
	}
	p.s->name = strdup(origin);
	*out = p.s;
	return 0;
}

static int looks_like_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n > 6 && !strcmp(s + n - 6, ".suite"));
}

int pb_suite_load(const char *name, char *const *sets, size_t nsets, struct pb_suite **out,
		  char *err, size_t errlen)
{
	*out = NULL;
	const char *text = looks_like_path(name) ? NULL : pb_suite_builtin(name);
	if (text) {
		int rc = pb_suite_parse(name, text, sets, nsets, out, err, errlen);
		if (!rc) {
			free((*out)->origin);
			(*out)->origin = strdup("builtin");
		}
		return rc;
	}
	struct stat st;
	if (stat(name, &st)) {
		int e = errno;
		if (!looks_like_path(name)) {
			char list[256] = "";
			size_t o = 0;
			for (const char *const *b = pb_suite_builtin_names();
			     *b && o < sizeof(list); b++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
						      o ? ", " : "", *b);
			snprintf(err, errlen, "unknown suite '%s' (built in: %s; or a suite file)",
				 name, list);
			return -ENOENT;
		}
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", name);
		return -EINVAL;
	}
	if (st.st_size > (1 << 22)) {
		snprintf(err, errlen, "%s: larger than 4 MiB; not a suite file", name);
		return -EINVAL;
	}
	FILE *f = fopen(name, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -e;
	}
	char *buf = calloc(1, (size_t)st.st_size + 1);
	size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	int ioerr = ferror(f);
	fclose(f);
	if (!buf || ioerr || got != (size_t)st.st_size) {
		free(buf);
		snprintf(err, errlen, "%s: read error", name);
		return -EIO;
	}
	if (memchr(buf, 0, got)) {
		free(buf);
		snprintf(err, errlen, "%s: contains NUL bytes; not a suite file", name);
		return -EINVAL;
	}
	int rc = pb_suite_parse(name, buf, sets, nsets, out, err, errlen);
	free(buf);
	return rc;
}

void pb_suite_free(struct pb_suite *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntasks; i++) {
		for (int k = 0; k < s->tasks[i].argc; k++)
			free(s->tasks[i].argv[k]);
		free(s->tasks[i].argv);
		free(s->tasks[i].text);
	}
	for (size_t i = 0; i < s->nvars; i++)
		free(s->vars[i]);
	free(s->vars);
	free(s->tasks);
	free(s->name);
	free(s->origin);
	free(s->text);
	free(s);
}
