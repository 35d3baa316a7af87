/* SPDX-License-Identifier: MIT */
/*
 * pagebench/csvread.h - one quote-aware CSV reader for every file pagebench
 * reads back (plot, compare, tests).
 *
 * RFC 4180: fields separated by commas, records by LF or CRLF; a field in
 * double quotes may hold commas, CR/LF and doubled quotes ("" = one ").  The
 * first record is the header; columns are looked up by NAME, never by
 * position, so files with extra or reordered columns read the same.  Every
 * record must have as many fields as the header.  A final line without a
 * newline is accepted; a blank last line is not a record.
 *
 * Caller: any thread; a table is owned by one thread (no internal locking).
 * Errors are 0 or -errno: -ENOENT and friends from open/read, -EINVAL for a
 * malformed file; err (if not NULL) receives one line "FILE:LINE: problem".
 */
#ifndef PAGEBENCH_CSVREAD_H
#define PAGEBENCH_CSVREAD_H

#include <stddef.h>

struct pb_csv {
	size_t ncols;  /* fields in the header */
	size_t nrows;  /* records after the header */
	char **header; /* ncols NUL-terminated names */
	char **cells;  /* nrows * ncols, row-major, NUL-terminated, never NULL */
	size_t *line;  /* nrows: 1-based line where each record starts */
	char *store_;  /* private: one allocation holding every string */
};

/* Read and parse a whole file into *t (zeroed first).  On error *t is empty. */
int pb_csv_read_file(const char *path, struct pb_csv *t, char *err, size_t errlen);
/* Parse len bytes of buf; name is used in error messages. */
int pb_csv_parse(const char *buf, size_t len, const char *name, struct pb_csv *t, char *err,
		 size_t errlen);
/* Index of the column called name, or -1. */
int pb_csv_col(const struct pb_csv *t, const char *name);
/* Cell at (row, col); "" when col < 0 or row is out of range. */
const char *pb_csv_cell(const struct pb_csv *t, size_t row, int col);
/* Cell of the column called name; "" when there is no such column. */
const char *pb_csv_get(const struct pb_csv *t, size_t row, const char *name);
void pb_csv_free(struct pb_csv *t);

#endif /* PAGEBENCH_CSVREAD_H */
