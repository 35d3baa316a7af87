/* SPDX-License-Identifier: MIT */
/*
 * harness/util.c - the command line's error lines: "pagebench CMD: what",
 * one line on stderr (pb_error), and exit 2 for bad usage (pb_usage_error);
 * the "k=v,k=v" lists of --param (pb_kv_next, pb_kv_append, pb_kv_twice)
 * and a comma list's empty entries (pb_list_has_empty); a JSON file written
 * whole (pb_json_write); a word quoted for the shell (pb_sb_shell); a
 * reason added to a "; "-joined list of them once (pb_reasons_add); the
 * results root checked before a command's work (pb_results_root_check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pagebench/outfile.h"

static void vmsg(const char *cmd, const char *fmt, va_list ap)
{
	char small[1024], *buf = small;
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	/* A longer message (a long path and its reason) whole, not cut at
	 * 1023 bytes; cut only when there is no memory for it. */
	if (n >= (int)sizeof(small)) {
		char *big = malloc((size_t)n + 1);
		if (big && vsnprintf(big, (size_t)n + 1, fmt, aq) == n)
			buf = big;
		else
			free(big);
	}
	va_end(aq);
	/* One line: fold any newline a message carries. */
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	if (cmd && *cmd)
		fprintf(stderr, "pagebench %s: %s\n", cmd, buf);
	else
		fprintf(stderr, "pagebench: %s\n", buf);
	if (buf != small)
		free(buf);
}

void pb_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
	exit(PB_EXIT_USAGE);
}

void pb_cli_check_label(const char *cmd, const char *label)
{
	if (label && (!label[0] || strlen(label) > 128 || strpbrk(label, ",\"\n\r")))
		pb_usage_error(cmd,
			       "bad --label '%s' (expected 1..128 characters, no comma, quote or "
			       "newline)",
			       label);
}

void pb_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
}

void pb_exit_interrupted(const char *cmd)
{
	int sig = pb_signal_pending();
	if (!sig)
		return;
	char why[32];
	pb_error(cmd, "interrupted by %s before any configuration finished: nothing written",
		 pb_signal_name(sig, why, sizeof(why)));
	pb_signal_exit(sig);
}

void pb_fmt_num_na(char *buf, size_t len, double v, const char *fmt)
{
	if (isnan(v) || isinf(v))
		snprintf(buf, len, "NA");
	else
		snprintf(buf, len, fmt, v);
}

int pb_kv_next(const char *list, struct pb_kv *e)
{
	const char *p = e->s ? e->s + e->len + (e->s[e->len] == ',') : list;
	if (!p || !*p)
		return 0;
	e->s = p;
	e->len = strcspn(p, ",");
	e->klen = strcspn(p, "=,");
	return 1;
}

int pb_list_has_empty(const char *list)
{
	size_t n = strlen(list);
	return !n || list[0] == ',' || list[n - 1] == ',' || strstr(list, ",,");
}

int pb_kv_appendn(char **kv, const char *v, size_t vl)
{
	size_t len = *kv ? strlen(*kv) : 0;
	char *n = realloc(*kv, len + vl + 2);
	if (!n)
		return -ENOMEM;
	if (len)
		n[len++] = ',';
	memcpy(n + len, v, vl);
	n[len + vl] = 0;
	*kv = n;
	return 0;
}

int pb_kv_append(char **kv, const char *v)
{
	return pb_kv_appendn(kv, v, strlen(v));
}

int pb_kv_twice(const char *kv, char *msg, size_t len)
{
	for (struct pb_kv a = {0}; pb_kv_next(kv, &a);) {
		if (!a.klen || a.klen == a.len)
			continue; /* no key, or no '=' */
		for (struct pb_kv b = a; pb_kv_next(kv, &b);)
			if (b.klen == a.klen && b.klen < b.len && !memcmp(a.s, b.s, a.klen)) {
				snprintf(msg, len, "'%.*s' given twice ('%.*s', then '%.*s')",
					 (int)a.klen, a.s, (int)a.len, a.s, (int)b.len, b.s);
				return 1;
			}
	}
	return 0;
}

int pb_input_rc_is_usage(int rc)
{
	switch (-rc) {
	case EINVAL:
	case ENOTSUP:
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case EACCES:
	case EPERM:
	case ELOOP:
	case ENAMETOOLONG:
		return 1;
	default:
		return 0;
	}
}

int pb_mkdir_p(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *sl = buf + 1; (sl = strchr(sl, '/')); sl++) {
		*sl = 0;
		int e = mkdir(buf, 0777) && errno != EEXIST ? errno : 0;
		*sl = '/';
		if (e)
			return -e;
	}
	return mkdir(buf, 0777) && errno != EEXIST ? -errno : 0;
}

int pb_json_write(const char *path, json_t *j, size_t dump_flags, unsigned out_flags, char *err,
		  size_t errlen)
{
	char *s = json_dumps(j, dump_flags);
	size_t n = s ? strlen(s) : 0;
	char *t = s ? realloc(s, n + 2) : NULL;
	if (!t) {
		free(s);
		snprintf(err, errlen, "%s: cannot encode JSON", path);
		return -ENOMEM;
	}
	memcpy(t + n, "\n", 2);
	int rc = pb_out_write_all(path, out_flags, t, n + 1, err, errlen);
	free(t);
	return rc;
}

void pb_sb_shell(struct pb_sb *b, const char *w)
{
	if (*w && !w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			       "-_.,:=/+@%")]) {
		pb_sb_put(b, w);
		return;
	}
	pb_sb_put(b, "'");
	for (const char *q; (q = strchr(w, '\'')) != NULL; w = q + 1) {
		pb_sb_putn(b, w, (size_t)(q - w));
		pb_sb_put(b, "'\\''"); /* close, a quoted quote, reopen */
	}
	pb_sb_put(b, w);
	pb_sb_put(b, "'");
}

int pb_reasons_add(char *out, size_t cap, const char *had, const char *why)
{
	static const char mark[] = "; ...";
	const size_t ml = sizeof(mark) - 1;
	if (!had)
		had = "";
	size_t n = strlen(had), k = why ? strlen(why) : 0;
	/* the mark ends the list: nothing after it (a shorter reason that
	 * would still fit, then a second mark) */
	if (!k || (n >= ml && !strcmp(had + n - ml, mark)) || !strcmp(had, mark + 2))
		return 0;
	/* kept once: why already stands as a whole "; "-separated part (a
	 * shorter reason inside a longer one is a reason of its own) */
	for (const char *q = had; (q = strstr(q, why)) != NULL; q++)
		if ((q == had || (q - had >= 2 && !memcmp(q - 2, "; ", 2))) &&
		    (!q[k] || !strncmp(q + k, "; ", 2)))
			return 0;
	size_t sep = n ? 2 : 0;
	/* room for why and, after it, the mark: a reason that does not fit
	 * can always say so */
	if (n + sep + k + ml < cap) {
		memmove(out, had, n);
		memcpy(out + n, "; ", sep);
		memcpy(out + n + sep, why, k + 1);
		return 1;
	}
	/* no room: say that more reasons were left out, once (not where had
	 * came longer than cap allows: nothing is cut) */
	if (n + ml >= cap)
		return 0;
	memmove(out, had, n);
	memcpy(out + n, n ? mark : mark + 2, n ? ml + 1 : ml - 1);
	return 1;
}

const char *pb_path_sep(const char *dir)
{
	size_t n = strlen(dir);
	return n && dir[n - 1] != '/' ? "/" : "";
}

int pb_path_join(char *buf, size_t len, const char *dir, const char *name)
{
	return snprintf(buf, len, "%s%s%s", dir, pb_path_sep(dir), name);
}

const char *pb_results_root(const char *root)
{
	if (!root)
		root = getenv("PAGEBENCH_RESULTS");
	return root && *root ? root : "results";
}

int pb_dir_creatable(const char *path)
{
	char buf[4096];
	struct stat st;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (;;) {
		int rc = stat(buf, &st)		    ? -errno
			 : !S_ISDIR(st.st_mode)	    ? -ENOTDIR
			 : access(buf, W_OK | X_OK) ? -errno
						    : 0;
		/* a dangling symbolic link: pb_mkdir_p takes it for a folder
		 * that exists, and the first file made in it fails */
		if (rc == -ENOENT && !lstat(buf, &st))
			rc = -ENOTDIR;
		if (rc != -ENOENT || !strcmp(buf, ".") || !strcmp(buf, "/"))
			return rc;
		/* missing: its parent, the path less its last name */
		size_t n = strlen(buf);
		while (n > 1 && buf[n - 1] == '/')
			buf[--n] = 0;
		char *sl = strrchr(buf, '/');
		if (sl)
			sl[sl == buf] = 0; /* "/x": "/" */
		else
			snprintf(buf, sizeof(buf), ".");
	}
}

/*
 * root, or a folder on its way to it, is a symbolic link to nothing
 * (pb_dir_creatable's ENOTDIR, which read "Not a directory"): the first
 * such link into `link` and its target into `to`; 0 when there is none.
 */
static int dangling_link(const char *root, char *link, size_t ll, char *to, size_t tl)
{
	char buf[4096];
	struct stat st;
	if (snprintf(buf, sizeof(buf), "%s", root) >= (int)sizeof(buf))
		return 0;
	for (char *sl = buf + 1;; sl++) {
		sl = strchr(sl, '/');
		if (sl)
			*sl = 0;
		if (!lstat(buf, &st) && S_ISLNK(st.st_mode) && stat(buf, &st) && errno == ENOENT) {
			ssize_t n = readlink(buf, to, tl - 1);
			to[n > 0 ? n : 0] = 0;
			snprintf(link, ll, "%s", buf);
			return 1;
		}
		if (!sl)
			return 0;
		*sl = '/';
	}
}

int pb_results_root_check(const char *root, char *err, size_t errlen)
{
	root = pb_results_root(root); /* the root pb_run_create resolves */
	/* nothing is made here (a refused stream leaves no folder) */
	struct stat st;
	int exists = !stat(root, &st), rc = pb_dir_creatable(root);
	char link[4096], to[4096];
	if (rc == -ENOTDIR && dangling_link(root, link, sizeof(link), to, sizeof(to)))
		snprintf(err, errlen,
			 "cannot create results folder '%s': '%s' is a dangling symbolic link (to "
			 "'%s', which does not exist)",
			 root, link, to);
	else if (rc)
		snprintf(err, errlen, "cannot create %s '%s': %s",
			 exists ? "a run folder in results folder" : "results folder", root,
			 strerror(-rc));
	return rc;
}

/* (value, position) order: equal values by position, so the first of each
 * run of equals is the one given first */
static int cmp_pos(const void *a, const void *b, void *ctx)
{
	const uint64_t *v = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (v[i] != v[j])
		return v[i] < v[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

size_t pb_u64_unique_stable(uint64_t *v, size_t n)
{
	if (n < 2)
		return n;
	size_t *ix = malloc(n * sizeof(*ix));
	uint8_t *dup = calloc(n, 1);
	if (!ix || !dup) {
		fprintf(stderr, "pagebench: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof(*ix), cmp_pos, v);
	for (size_t k = 1; k < n; k++)
		dup[ix[k]] = v[ix[k]] == v[ix[k - 1]];
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!dup[i])
			v[m++] = v[i];
	free(ix);
	free(dup);
	return m;
}
