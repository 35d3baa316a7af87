/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/csvread.c - the RFC 4180 reader behind pagebench/csvread.h.
 *
 * One pass over the bytes with a three-state machine (start of field,
 * unquoted, quoted).  Field text is copied, unescaped and NUL-terminated,
 * into one store; a field can only shrink ("" -> ") and each adds one NUL,
 * so 2 * len + 2 bytes always suffice and nothing is reallocated under the
 * pointers handed out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"

static void set_err(char *err, size_t errlen, const char *name, size_t line, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	int n = snprintf(err, errlen, "%s:%zu: ", name, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

struct vec {
	char **v;
	size_t n, cap;
};

static int vec_push(struct vec *a, char *p)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = p;
	return 0;
}

int pb_csv_parse(const char *buf, size_t len, const char *name, struct pb_csv *t, char *err,
		 size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (err && errlen)
		err[0] = 0;
	if (len == 0) {
		set_err(err, errlen, name, 1, "empty file (no header line)");
		return -EINVAL;
	}
	char *store = malloc(2 * len + 2);
	struct vec fields = {0};
	size_t *lines = NULL, nlines = 0, linecap = 0;
	size_t rec_fields = 0, ncols = 0, line = 1, rec_line = 1;
	char *w = store, *fstart = store;
	int rc = 0;
	if (!store)
		return -ENOMEM;

	enum { START, PLAIN, QUOTED, AFTERQ } st = START;
	size_t i = 0;
	for (;;) {
		int eof = i >= len;
		char c = eof ? 0 : buf[i];
		if (!eof && c == 0) {
			set_err(err, errlen, name, line, "NUL byte in the file");
			rc = -EINVAL;
			goto fail;
		}
		if (st == QUOTED) {
			if (eof) {
				set_err(err, errlen, name, rec_line,
					"quoted field not closed before end of file");
				rc = -EINVAL;
				goto fail;
			}
			if (c == '"') {
				if (i + 1 < len && buf[i + 1] == '"') {
					*w++ = '"';
					i += 2;
				} else {
					st = AFTERQ;
					i++;
				}
				continue;
			}
			if (c == '\n')
				line++;
			*w++ = c;
			i++;
			continue;
		}
		/* START, PLAIN or AFTERQ: a separator, record end, or text */
		int crlf = !eof && c == '\r' && i + 1 < len && buf[i + 1] == '\n';
		int eol = eof || c == '\n' || crlf;
		if (eol || c == ',') {
			/* a blank final line (or a file ending in a newline) is no record */
			if (eof && st == START && rec_fields == 0 && fstart == w)
				break;
			*w++ = 0;
			if ((rc = vec_push(&fields, fstart)))
				goto fail;
			fstart = w;
			rec_fields++;
			st = START;
			if (c == ',' && !eof) {
				i++;
				continue;
			}
			/* end of record */
			if (ncols == 0) {
				ncols = rec_fields;
			} else if (rec_fields != ncols) {
				set_err(err, errlen, name, rec_line,
					"%zu fields, the header has %zu", rec_fields, ncols);
				rc = -EINVAL;
				goto fail;
			} else {
				if (nlines == linecap) {
					linecap = linecap ? 2 * linecap : 64;
					size_t *l = realloc(lines, linecap * sizeof(*l));
					if (!l) {
						rc = -ENOMEM;
						goto fail;
					}
					lines = l;
				}
				lines[nlines++] = rec_line;
			}
			rec_fields = 0;
			if (eof)
				break;
			i += crlf ? 2 : 1;
			line++;
			rec_line = line;
			if (i >= len)
				break;
			continue;
		}
		if (st == AFTERQ) {
			set_err(err, errlen, name, line, "text after a closing quote (field %zu)",
				rec_fields + 1);
			rc = -EINVAL;
			goto fail;
		}
		if (c == '"') {
			if (st == START) {
				st = QUOTED;
				i++;
				continue;
			}
			set_err(err, errlen, name, line,
				"quote inside an unquoted field (field %zu)", rec_fields + 1);
			rc = -EINVAL;
			goto fail;
		}
		st = PLAIN;
		*w++ = c;
		i++;
	}
	if (ncols == 0) {
		set_err(err, errlen, name, 1, "empty file (no header line)");
		rc = -EINVAL;
		goto fail;
	}
	t->ncols = ncols;
	t->nrows = nlines;
	t->header = fields.v;
	t->cells = fields.v + ncols;
	t->line = lines;
	t->store_ = store;
	return 0;
fail:
	free(fields.v);
	free(lines);
	free(store);
	memset(t, 0, sizeof(*t));
	return rc;
}

int pb_csv_read_file(const char *path, struct pb_csv *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 65536;
			char *b = realloc(buf, cap);
			if (!b) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = b;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		if (err && errlen)
			snprintf(err, errlen, "%s: read error: %s", path, strerror(e));
		free(buf);
		return e ? -e : -EIO;
	}
	int rc = pb_csv_parse(buf, len, path, t, err, errlen);
	free(buf);
	return rc;
}

int pb_csv_col(const struct pb_csv *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
}

const char *pb_csv_cell(const struct pb_csv *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return t->cells[row * t->ncols + (size_t)col];
}

const char *pb_csv_get(const struct pb_csv *t, size_t row, const char *name)
{
	return pb_csv_cell(t, row, pb_csv_col(t, name));
}

void pb_csv_free(struct pb_csv *t)
{
	free(t->header); /* the field vector: header and cells */
	free(t->line);
	free(t->store_);
	memset(t, 0, sizeof(*t));
}
