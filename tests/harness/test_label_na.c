/* SPDX-License-Identifier: MIT */
/*
 * The label column's NA reason (harness/results.c): meta.json's
 * not_available.label is "not set (the run had no --label)" exactly when a
 * CSV row was written while the run had no label, whenever the label is
 * set: before the rows, never, after some rows, or unset between rows.
 * The reason is noted once for the run (at the finish, and when a label
 * is set after rows without one); it was noted from every row's
 * pb_csv_begin.  meta.json is read with jansson; the CSVs' NA cells
 * against meta.json with the CSV reader in test_na_reasons.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/results.h"
#include "pbtest.h"

static const char *const why = "not set (the run had no --label)";

static void rows(struct pb_csv *w, int n)
{
	for (int i = 0; i < n; i++) {
		pb_csv_begin(w);
		pb_csv_u64(w, (uint64_t)i);
		pb_csv_end(w);
	}
}

/* A run under root: label0 set first, n0 rows to each of two CSVs, then
 * label1 set (when set1), n1 more rows; meta.json's not_available.label
 * (strdup'ed, NULL if none). */
static char *label_na(const char *root, const char *label0, int n0, int set1, const char *label1,
		      int n1)
{
	static char *argv[] = {"pagebench", "run", NULL};
	static const char *const cols[] = {"i", NULL};
	char err[512], path[4200];
	struct pb_run *r = pb_run_create(root, 2, argv, err, sizeof(err));
	PB_CHECK_MSG(r != NULL, "pb_run_create: %s", err);
	if (!r)
		return NULL;
	pb_run_set_label(r, label0);
	struct pb_csv *a = pb_run_csv(r, "a.csv", cols, NULL),
		      *b = pb_run_csv(r, "b.csv", cols, NULL);
	PB_CHECK(a && b);
	rows(a, n0);
	rows(b, n0);
	if (set1)
		pb_run_set_label(r, label1);
	rows(a, n1);
	snprintf(path, sizeof(path), "%s/meta.json", pb_run_dir(r));
	PB_CHECK(pb_run_finish(r) == 0);
	json_t *m = json_load_file(path, 0, NULL);
	PB_CHECK_MSG(m != NULL, "%s: not read", path);
	const char *s =
	    json_string_value(json_object_get(json_object_get(m, "not_available"), "label"));
	char *out = s ? strdup(s) : NULL;
	json_decref(m);
	return out;
}

int main(void)
{
	char root[4096];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "label_na") != NULL);
	static const struct {
		const char *what, *label0;
		int n0, set1;
		const char *label1;
		int n1, na; /* na: a row without a label, so the reason */
	} cases[] = {
	    {"no label", NULL, 3, 0, NULL, 2, 1},
	    {"a label before the rows", "lab", 3, 0, NULL, 2, 0},
	    {"a label after rows without one", NULL, 3, 1, "lab", 2, 1},
	    {"a label unset between rows", "lab", 3, 1, NULL, 2, 1},
	    {"a label unset after the last row", "lab", 3, 1, NULL, 0, 0},
	    {"no label and no rows", NULL, 0, 0, NULL, 0, 0},
	    {"a label set after none, before the rows", NULL, 0, 1, "lab", 2, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = label_na(root, cases[i].label0, cases[i].n0, cases[i].set1,
				     cases[i].label1, cases[i].n1);
		PB_CHECK_MSG(cases[i].na ? got && !strcmp(got, why) : !got,
			     "%s: not_available.label %s", cases[i].what, got ? got : "(none)");
		free(got);
	}
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
