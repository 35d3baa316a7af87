/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/table.c - the CSV files of a run folder, read back, and
 * their cells parsed strictly.
 *
 * A cell is a number only if all of it is one: "12.5x", "", "nan", "inf"
 * and a number out of range are errors naming the file, line and column
 * ("summary.csv:7: column 9 (median_ns_per_op): 'abc' is not a number"),
 * never a 0 read as "same".  "NA" (what pagebench writes for a number it
 * could not measure) is accepted only where the caller allows it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

char *cmp_strdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d) {
		fprintf(stderr, "pagebench compare: out of memory\n");
		abort();
	}
	return d;
}

char *cmp_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "pagebench compare: out of memory\n");
		abort();
	}
	return s;
}

/*
 * TEMPORARY reader: the splitter compare had before (one record per line,
 * RFC 4180 quotes inside a line), kept only until the project's one CSV
 * reader (pagebench/csvread.h, branch `plot`) lands; then this block is
 * replaced by pb_csv_read_file.
 */
struct tmp_store {
	char **lines;
	size_t n;
};

static size_t split_line(char *line, char ***f, size_t *cap)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*f = realloc(*f, *cap * sizeof(**f));
			if (!*f)
				abort();
		}
		if (*p == '"') {
			char *w = ++p;
			(*f)[n++] = w;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			*w = 0;
			if (*p != ',')
				break;
			p++;
		} else {
			(*f)[n++] = p;
			char *c = p + strcspn(p, ",\r\n");
			int more = *c == ',';
			*c = 0;
			if (!more)
				break;
			p = c + 1;
		}
	}
	return n;
}

int cmp_table_load(const char *path, struct cmp_table *t, char *err, size_t errlen)
{
	*t = (struct cmp_table){0};
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = -errno;
		if (e != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	t->path = cmp_strdup(path);
	struct tmp_store *st = calloc(1, sizeof(*st));
	t->priv_ = st;
	char *line = NULL, **fld = NULL;
	size_t cap = 0, fcap = 0, lineno = 0, rcap = 0;
	ssize_t len;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (memchr(line, 0, (size_t)len)) {
			snprintf(err, errlen, "%s:%zu: a NUL byte", path, lineno);
			rc = -EINVAL;
			break;
		}
		if (!t->header && len == 0)
			continue;
		char *copy = cmp_strdup(line);
		st->lines = realloc(st->lines, (st->n + 1) * sizeof(*st->lines));
		st->lines[st->n++] = copy;
		size_t n = split_line(copy, &fld, &fcap);
		if (!t->header) {
			t->ncols = n;
			t->header = malloc(n * sizeof(char *));
			memcpy(t->header, fld, n * sizeof(char *));
			continue;
		}
		if (n == 1 && !fld[0][0])
			continue; /* blank line */
		if (n != t->ncols) {
			snprintf(err, errlen, "%s:%zu: %zu fields, the header has %zu", path,
				 lineno, n, t->ncols);
			rc = -EINVAL;
			break;
		}
		if (t->nrows == rcap) {
			rcap = rcap ? 2 * rcap : 64;
			t->cells = realloc(t->cells, rcap * t->ncols * sizeof(char *));
			t->line = realloc(t->line, rcap * sizeof(size_t));
		}
		memcpy(t->cells + t->nrows * t->ncols, fld, n * sizeof(char *));
		t->line[t->nrows++] = lineno;
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -EIO;
	}
	if (!rc && !t->header) {
		snprintf(err, errlen, "%s: empty file (no header)", path);
		rc = -EINVAL;
	}
	free(line);
	free(fld);
	fclose(f);
	if (rc)
		cmp_table_free(t);
	return rc;
}

void cmp_table_free(struct cmp_table *t)
{
	struct tmp_store *st = t->priv_;
	if (st) {
		for (size_t i = 0; i < st->n; i++)
			free(st->lines[i]);
		free(st->lines);
		free(st);
	}
	free(t->header);
	free(t->cells);
	free(t->line);
	free(t->path);
	*t = (struct cmp_table){0};
}
/* ---- end of the temporary reader ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int cmp_table_need(const struct cmp_table *t, const char *const *names, size_t n, int *idx,
		   char *err, size_t errlen)
{
	for (size_t k = 0; k < n; k++) {
		idx[k] = -1;
		for (size_t i = 0; i < t->ncols; i++)
			if (!strcmp(t->header[i], names[k]))
				idx[k] = (int)i;
		if (idx[k] < 0) {
			snprintf(err, errlen, "%s: no column '%s' (not a pagebench %s?)", t->path,
				 names[k], base_name(t->path));
			return -EINVAL;
		}
	}
	return 0;
}

const char *cmp_cell(const struct cmp_table *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return t->cells[row * t->ncols + (size_t)col];
}

static int bad_cell(const struct cmp_table *t, size_t row, int col, const char *what, char *err,
		    size_t errlen)
{
	const char *v = cmp_cell(t, row, col);
	int shown = (int)strnlen(v, 40);
	snprintf(err, errlen, "%s:%zu: column %d (%s): '%.*s%s' is not %s", t->path, t->line[row],
		 col + 1, t->header[col], shown, v, v[shown] ? "..." : "", what);
	return -EINVAL;
}

int cmp_num(const struct cmp_table *t, size_t row, int col, int na_ok, double *out, char *err,
	    size_t errlen)
{
	const char *v = cmp_cell(t, row, col);
	if (na_ok && !strcmp(v, "NA")) {
		*out = NAN;
		return 0;
	}
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(d) || *v == ' ' || *v == '\t')
		return bad_cell(t, row, col, na_ok ? "a number or NA" : "a number", err, errlen);
	*out = d;
	return 0;
}

int cmp_count(const struct cmp_table *t, size_t row, int col, uint64_t *out, char *err,
	      size_t errlen)
{
	const char *v = cmp_cell(t, row, col);
	char *end;
	errno = 0;
	if (*v < '0' || *v > '9')
		return bad_cell(t, row, col, "a count", err, errlen);
	unsigned long long x = strtoull(v, &end, 10);
	if (*end || errno)
		return bad_cell(t, row, col, "a count", err, errlen);
	*out = x;
	return 0;
}
