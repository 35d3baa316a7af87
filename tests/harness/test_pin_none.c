/* SPDX-License-Identifier: MIT */
/*
 * `run --pin none` plans no PU and no node for a thread: runs.csv's
 * pu_planned and node_planned are NA there (they were -1, the plan's
 * sentinel, in a numeric column) with "--pin none" as the reason in
 * meta.json not_available, while pu and node, where the thread was read
 * back running, stay numbers or NA, never -1.  A pinned run keeps its
 * planned PU (pu_planned is NA in its total rows alone, for the total
 * rows' reason).  Read back with the project's CSV reader and jansson.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static int nroot;

/* runs.csv of `run pt-lookup --pin PIN --threads THREADS` into *t,
 * meta.json's not_available into *na (a new reference).  0 or -1. */
static int run(const char *pin, const char *threads, struct pb_csv *t, json_t **na)
{
	static struct spawn_out o;
	char root[4200], dir[4400], path[4500], err[256];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	json_t *m = pbt_run_meta(getenv("PB_BIN"), root, &o, dir, sizeof(dir), "run", "pt-lookup",
				 "--pin", pin, "--threads", threads, "--reps", "2", "--ops", "2000",
				 "--no-baseline", (char *)NULL);
	if (!m)
		return -1;
	snprintf(path, sizeof(path), "%.4400s/runs.csv", dir);
	int rc = pb_csv_read_file(path, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", path, err);
	*na = json_incref(json_object_get(m, "not_available"));
	json_decref(m);
	if (rc)
		json_decref(*na);
	return rc ? -1 : 0;
}

/* a cell that is NA or a number >= 0 */
static int na_or_index(const char *v)
{
	if (!strcmp(v, "NA"))
		return 1;
	char *end;
	long long x = strtoll(v, &end, 10);
	return *v && !*end && x >= 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_pin_none PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	setenv("PAGEBENCH_COUNTERS", "none", 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pinnone") != NULL);
	struct pb_csv t;
	json_t *na;

	if (!run("none", "2", &t, &na)) {
		size_t rows = 0;
		for (size_t r = 0; r < t.nrows; r++) {
			const char *th = pb_csv_get(&t, r, "thread");
			const char *pp = pb_csv_get(&t, r, "pu_planned"),
				   *np = pb_csv_get(&t, r, "node_planned"),
				   *pu = pb_csv_get(&t, r, "pu"), *nd = pb_csv_get(&t, r, "node");
			PB_CHECK_MSG(!strcmp(pp, "NA") && !strcmp(np, "NA"),
				     "row %zu (thread %s): pu_planned '%s', node_planned '%s'", r,
				     th, pp, np);
			PB_CHECK_MSG(na_or_index(pu) && na_or_index(nd),
				     "row %zu (thread %s): pu '%s', node '%s'", r, th, pu, nd);
			rows += strcmp(th, "total") != 0;
		}
		PB_CHECK_MSG(rows == 6, "%zu thread rows (2 threads x 3 repetitions)", rows);
		const char *w = json_string_value(json_object_get(na, "pu_planned"));
		PB_CHECK_MSG(w && strstr(w, "--pin none"), "not_available.pu_planned: %s",
			     w ? w : "(none)");
		w = json_string_value(json_object_get(na, "node_planned"));
		PB_CHECK_MSG(w && strstr(w, "--pin none"), "not_available.node_planned: %s",
			     w ? w : "(none)");
		pb_csv_free(&t);
		json_decref(na);
	}

	/* pinned: the plan's PU, a number, and no reason recorded */
	if (!run("compact", "1", &t, &na)) {
		for (size_t r = 0; r < t.nrows; r++)
			if (strcmp(pb_csv_get(&t, r, "thread"), "total")) {
				const char *pp = pb_csv_get(&t, r, "pu_planned");
				PB_CHECK_MSG(strcmp(pp, "NA") && na_or_index(pp),
					     "--pin compact: pu_planned '%s'", pp);
			}
		/* only the total rows' reason (the team runs on no single PU):
		 * every thread row has its planned PU */
		const char *w = json_string_value(json_object_get(na, "pu_planned"));
		PB_CHECK_MSG(w && strstr(w, "total rows") && !strstr(w, "--pin none"),
			     "not_available.pu_planned: %s", w ? w : "(none)");
		pb_csv_free(&t);
		json_decref(na);
	}

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
