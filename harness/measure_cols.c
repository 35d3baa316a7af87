/* SPDX-License-Identifier: MIT */
/*
 * harness/measure_cols.c - CSVs from column descriptor tables, and the
 * cells of a summarised statistic (see pagebench/measure.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/measure.h"

static size_t ncols(const struct pb_col *c)
{
	size_t n = 0;
	while (c && c[n].name)
		n++;
	return n;
}

struct pb_col *pb_cols_concat(const struct pb_col *a, const struct pb_col *b)
{
	size_t na = ncols(a), nb = ncols(b);
	struct pb_col *t = calloc(na + nb + 1, sizeof(*t));
	if (!t)
		return NULL;
	if (na)
		memcpy(t, a, na * sizeof(*t));
	if (nb)
		memcpy(t + na, b, nb * sizeof(*t));
	return t;
}

struct pb_csv *pb_csv_open_cols(struct pb_run *run, const char *name, const struct pb_col *cols,
				FILE *echo)
{
	size_t n = ncols(cols);
	const char **names = calloc(n + 1, sizeof(*names));
	if (!names)
		return NULL;
	for (size_t i = 0; i < n; i++)
		names[i] = cols[i].name;
	struct pb_csv *c = pb_run_csv(run, name, names, echo);
	free(names);
	return c;
}

void pb_row_emit(struct pb_csv *c, const struct pb_col *cols, const void *row)
{
	const char *base = row;
	pb_csv_begin(c);
	for (const struct pb_col *k = cols; k->name; k++) {
		const void *p = base + k->off;
		if (k->fn) {
			k->fn(c, row, k->arg);
			continue;
		}
		switch (k->kind) {
		case PB_COL_STR:
			pb_csv_str(c, *(const char *const *)p);
			break;
		case PB_COL_U64:
			pb_csv_u64(c, *(const uint64_t *)p);
			break;
		case PB_COL_I64: {
			int64_t v = *(const int64_t *)p;
			if (v == PB_NA_I64)
				pb_csv_na(c);
			else
				pb_csv_i64(c, v);
			break;
		}
		case PB_COL_DBL:
			pb_csv_dbl(c, *(const double *)p);
			break;
		}
	}
	pb_csv_end(c);
}

void pb_csv_stat(struct pb_csv *c, const struct pb_stat *s)
{
	pb_csv_dbl(c, s->median);
	pb_csv_dbl(c, s->ci95_valid ? s->lo : NAN);
	pb_csv_dbl(c, s->ci95_valid ? s->hi : NAN);
	pb_csv_u64(c, (uint64_t)s->ci95_valid);
}
