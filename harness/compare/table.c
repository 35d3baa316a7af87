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
#include "pagebench/csvread.h"

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

/* 1 if the file at path is non-empty and does not end with a newline:
 * pagebench ends every record with one, so the file was cut short. */
static int cut_short(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	int cut = 0;
	if (!fseek(f, -1, SEEK_END))
		cut = fgetc(f) != '\n';
	fclose(f);
	return cut;
}

/* The project's one CSV reader (pagebench/csvread.h) does the parsing;
 * the table keeps its arrays and the file's path for messages.  A file
 * cut short (no newline at its end: a full disk, a killed writer, a bad
 * copy) is an error naming the line and the column it ends in, never a
 * table with its last row or its whole body missing. */
int cmp_table_load(const char *path, struct cmp_table *t, char *err, size_t errlen)
{
	*t = (struct cmp_table){0};
	struct pb_csv *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	char e[CMP_ERRLEN] = "";
	int rc = pb_csv_read_file(path, c, e, sizeof(e));
	if (rc) {
		if (rc != -ENOENT)
			snprintf(err, errlen, "%s", e[0] ? e : strerror(-rc));
		free(c);
		return rc;
	}
	if (cut_short(path)) {
		if (c->nrows == 0)
			snprintf(
			    err, errlen,
			    "%s:1: truncated inside the header: it ends in column %zu ('%.64s') "
			    "with no end of line, so the columns after it are missing",
			    path, c->ncols, c->ncols ? c->header[c->ncols - 1] : "");
		else
			snprintf(err, errlen,
				 "%s:%zu: truncated: the last row has no end of line (the file was "
				 "cut short)",
				 path, c->line[c->nrows - 1]);
		pb_csv_free(c);
		free(c);
		return -EINVAL;
	}
	t->path = cmp_strdup(path);
	t->ncols = c->ncols;
	t->nrows = c->nrows;
	t->header = c->header;
	t->cells = c->cells;
	t->line = c->line;
	t->priv_ = c;
	return 0;
}

void cmp_table_free(struct cmp_table *t)
{
	if (t->priv_) {
		pb_csv_free(t->priv_);
		free(t->priv_);
	}
	free(t->path);
	*t = (struct cmp_table){0};
}

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

int cmp_table_col(const struct cmp_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
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

/* Text as a finite number (strict: all of it, no leading blank). */
static int parse_num(const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(d) || *v == ' ' || *v == '\t')
		return -EINVAL;
	*out = d;
	return 0;
}

/* Text as a non-negative integer count (strict: digits only). */
static int parse_count(const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*v < '0' || *v > '9')
		return -EINVAL;
	unsigned long long x = strtoull(v, &end, 10);
	if (*end || errno)
		return -EINVAL;
	*out = x;
	return 0;
}

int cmp_num(const struct cmp_table *t, size_t row, int col, int na_ok, double *out, char *err,
	    size_t errlen)
{
	const char *v = cmp_cell(t, row, col);
	if (na_ok && !strcmp(v, "NA")) {
		*out = NAN;
		return 0;
	}
	if (parse_num(v, out))
		return bad_cell(t, row, col, na_ok ? "a number or NA" : "a number", err, errlen);
	return 0;
}

int cmp_time(const struct cmp_table *t, size_t row, int col, double *out, char *err, size_t errlen)
{
	const char *v = cmp_cell(t, row, col);
	if (!strcmp(v, "NA")) {
		*out = NAN;
		return 0;
	}
	if (parse_num(v, out))
		return bad_cell(t, row, col, "a number or NA", err, errlen);
	if (!(*out > 0))
		return bad_cell(t, row, col,
				"a time per op: one above 0 ns, or NA (pagebench writes NA for a "
				"repetition it could not time)",
				err, errlen);
	return 0;
}

int cmp_count(const struct cmp_table *t, size_t row, int col, uint64_t *out, char *err,
	      size_t errlen)
{
	if (parse_count(cmp_cell(t, row, col), out))
		return bad_cell(t, row, col, "a count", err, errlen);
	return 0;
}

int cmp_text_json(const char *v, enum pb_col_kind kind, json_t **out)
{
	json_t *j;
	double d;
	uint64_t u;
	if (!strcmp(v, "NA")) { /* every column's "could not be measured" */
		j = json_null();
	} else if (kind == PB_COL_STR) {
		j = cmp_json_str(v);
	} else if (kind == PB_COL_U64) {
		if (parse_count(v, &u))
			return -EINVAL;
		j = u <= INT64_MAX ? json_integer((json_int_t)u) : json_real((double)u);
	} else {
		if (parse_num(v, &d))
			return -EINVAL;
		j = kind == PB_COL_I64 && d == trunc(d) && fabs(d) < 0x1p63
			? json_integer((json_int_t)d)
			: json_real(d);
	}
	if (out)
		*out = j;
	else
		json_decref(j);
	return 0;
}

int cmp_cell_json(const struct cmp_table *t, size_t row, int col, enum pb_col_kind kind,
		  json_t **out, char *err, size_t errlen)
{
	if (cmp_text_json(cmp_cell(t, row, col), kind, out))
		return bad_cell(t, row, col, kind == PB_COL_U64 ? "a count" : "a number", err,
				errlen);
	return 0;
}

int cmp_cell_nonneg(const struct cmp_table *t, size_t row, int col, enum pb_col_kind kind,
		    char *err, size_t errlen)
{
	int rc = cmp_cell_json(t, row, col, kind, NULL, err, errlen);
	double d;
	if (!rc && kind != PB_COL_STR && !parse_num(cmp_cell(t, row, col), &d) && d < 0)
		rc = bad_cell(t, row, col,
			      "a number at least 0 (a time, a rate, a count or a ratio: none is "
			      "negative)",
			      err, errlen);
	return rc;
}
