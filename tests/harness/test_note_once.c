/* SPDX-License-Identifier: MIT */
/*
 * The measurement skeleton (harness/measure.c) notes each column's NA
 * reason once per run.  It called pb_run_note_na from every CSV row: with
 * PAGEBENCH_COUNTERS=sw each papi_* column's "disabled by ..." 35 times
 * for `--threads 1,2` (7 repetitions of 2 + 3 rows), each call a search of
 * the column's reasons.  This test links with -Wl,--wrap=pb_run_note_na
 * (tests/harness/CMakeLists.txt), so it sees every call measure.c makes,
 * and runs memtouch in-process at 1 and 2 threads:
 *  - every (column, reason) pair is noted at most once, and the papi_*
 *    columns' reason was seen (the wrapper is not silently bypassed);
 *  - meta.json, read back with jansson (duplicate keys refused), keeps
 *    each column once, each reason in it once, and every NA cell of
 *    runs.csv and summary.csv (the project's CSV reader) has its reason.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/counters.h"
#include "pagebench/csvread.h"
#include "pagebench/kernel.h"
#include "pagebench/measure.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pbtest.h"

/* Every (column, reason) pair noted, with its count. */
#define MAX_PAIRS 512
static struct {
	char *what, *why;
	unsigned n;
} pairs[MAX_PAIRS];
static size_t npairs, ncalls;

void __real_pb_run_note_na(struct pb_run *run, const char *what, const char *reason);
void __wrap_pb_run_note_na(struct pb_run *run, const char *what, const char *reason);
void __wrap_pb_run_note_na(struct pb_run *run, const char *what, const char *reason)
{
	ncalls++;
	size_t i = 0;
	while (i < npairs && (strcmp(pairs[i].what, what) || strcmp(pairs[i].why, reason)))
		i++;
	if (i == npairs && npairs < MAX_PAIRS) {
		pairs[i].what = strdup(what);
		pairs[i].why = strdup(reason);
		npairs++;
	}
	if (i < npairs)
		pairs[i].n++;
	__real_pb_run_note_na(run, what, reason);
}

/* Every NA cell of dir/name has a reason in na. */
static void check_csv(const char *dir, const char *name, json_t *na)
{
	char path[4600], err[4800];
	snprintf(path, sizeof(path), "%.4400s/%s", dir, name);
	struct pb_csv t;
	int rc = pb_csv_read_file(path, &t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	if (rc)
		return;
	PB_CHECK_MSG(t.nrows > 0, "%s: no rows", path);
	for (size_t c = 0; c < t.ncols; c++)
		for (size_t r = 0; r < t.nrows; r++)
			if (!strcmp(pb_csv_cell(&t, r, (int)c), "NA")) {
				const char *w = json_string_value(json_object_get(na, t.header[c]));
				PB_CHECK_MSG(w && *w,
					     "%s: column %s NA (line %zu) without a reason", name,
					     t.header[c], t.line[r]);
				break;
			}
	pb_csv_free(&t);
}

int main(void)
{
	char top[4096], err[512], dir[4400], path[4500];
	/* the papi_* columns NA on every row, on any machine */
	setenv("PAGEBENCH_COUNTERS", "sw", 1);
	setenv("PAGEBENCH_NO_PROGRESS", "1", 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "noteonce") != NULL);
	PB_CHECK(pb_topo_init() == 0);
	static char *argv[] = {"pagebench", "run", "memtouch", NULL};
	struct pb_run *run = pb_run_create(top, 3, argv, err, sizeof(err));
	PB_CHECK_MSG(run != NULL, "pb_run_create: %s", err);
	if (!run)
		return pb_test_done();
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	struct pb_measure_opts o = {.reps = 6, .pin = PB_PIN_COMPACT, .size = 256 << 10, .seed = 1};
	struct pb_measure *m = NULL;
	int rc = pb_measure_open(&m, run, &o, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "pb_measure_open: %s", err);
	const struct pb_kernel_desc *d = pb_kernel_find("memtouch");
	PB_CHECK(d != NULL);
	uint64_t threads[] = {1, 2};
	unsigned failures = 0;
	if (!rc && d)
		PB_CHECK(pb_measure_kernel(m, d, threads, 2, "", &failures) == 0 && !failures);
	pb_measure_close(m);
	PB_CHECK(pb_run_finish(run) == 0);

	/* each pair once; the papi_* reasons were seen */
	unsigned papi = 0;
	for (size_t i = 0; i < npairs; i++) {
		PB_CHECK_MSG(pairs[i].n == 1, "%s: '%s' noted %u times", pairs[i].what,
			     pairs[i].why, pairs[i].n);
		papi += !strncmp(pairs[i].what, "papi_", 5) &&
			strstr(pairs[i].why, "PAGEBENCH_COUNTERS=sw") != NULL;
	}
	PB_CHECK_MSG(papi == 7,
		     "%u papi_* columns noted 'disabled by PAGEBENCH_COUNTERS=sw' (%zu "
		     "calls: is the wrapper linked?)",
		     papi, ncalls);

	/* meta.json: each column once, each reason in it once */
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_error_t je;
	json_t *meta = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	PB_CHECK_MSG(meta != NULL, "%s: %s", path, je.text);
	json_t *na = json_object_get(meta, "not_available");
	PB_CHECK(json_is_object(na));
	const char *k;
	json_t *v;
	json_object_foreach(na, k, v)
	{
		const char *s = json_string_value(v);
		PB_CHECK_MSG(s && *s, "not_available.%s is not a reason", k);
		/* "A; B; C": no part twice */
		char *copy = strdup(s ? s : ""), *save = NULL, *parts[32];
		size_t np = 0;
		for (char *p = strtok_r(copy, ";", &save); p && np < 32;
		     p = strtok_r(NULL, ";", &save)) {
			while (*p == ' ')
				p++;
			for (size_t j = 0; j < np; j++)
				PB_CHECK_MSG(strcmp(parts[j], p),
					     "not_available.%s says '%s' twice", k, p);
			parts[np++] = p;
		}
		free(copy);
	}
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (!strcmp(pb_ctr_source((enum pb_ctr)c), "papi"))
			PB_CHECK_MSG(
			    !strcmp(json_string_value(
					json_object_get(na, pb_ctr_column((enum pb_ctr)c)))
					?: "",
				    "disabled by PAGEBENCH_COUNTERS=sw"),
			    "not_available.%s: %s", pb_ctr_column((enum pb_ctr)c),
			    json_string_value(json_object_get(na, pb_ctr_column((enum pb_ctr)c))));
	check_csv(dir, "runs.csv", na);
	check_csv(dir, "summary.csv", na);
	json_decref(meta);
	for (size_t i = 0; i < npairs; i++) {
		free(pairs[i].what);
		free(pairs[i].why);
	}
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
