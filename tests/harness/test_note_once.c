/* SPDX-License-Identifier: MIT */
/*
 * Each NA reason is noted once, and none is lost.  The measurement notes a
 * column's reason from every CSV row that is NA (PAGEBENCH_COUNTERS=sw: a
 * papi_* column's "disabled by ..." 35 times for `--threads 1,2`, 7
 * repetitions of 2 + 3 rows); pb_run_note_na (and the counters' record of
 * the run, pb_counters_run_note) keep each reason once by
 * pb_reasons_add's rules.  Read back with jansson (a key given twice
 * refused) and the project's CSV reader:
 *  - `run memtouch --threads 1,2` (argv[1]): in meta.json not_available
 *    and counters.columns.*.reason, no "; "-separated part twice; every
 *    papi_* column's reason is the setting's, once; every NA cell of
 *    runs.csv and summary.csv has its reason;
 *  - pb_run_note_na itself: a shorter reason inside a longer one ("no
 *    PMU" after "no PMU here") is a reason of its own, kept (it was taken
 *    for noted: the test was strstr); a reason noted again is not added;
 *    a reason that is not UTF-8 is kept once, as meta.json writes it
 *    (\xHH); past the cap (2 KiB) the text ends in "; ..." once (reasons
 *    were left out without a mark);
 *  - pb_counters_run_note, by the same rules: the mark even where the
 *    text left less room than it needs (no mark was given).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/counters.h"
#include "pagebench/csvread.h"
#include "pagebench/results.h"
#include "pbtest.h"
#include "spawn.h"

/* what's reason s: a non-empty "A; B; C" with no part twice; its number
 * of parts equal to want (want 0: any).  Returns the number of parts. */
static size_t check_parts(const char *what, const char *s, size_t want)
{
	PB_CHECK_MSG(s && *s, "%s is not a reason", what);
	if (!s || !*s)
		return 0;
	const char *parts[256], *twice = NULL;
	size_t len[256], np = 0, tn = 0;
	for (const char *p = s; np < 256;) {
		const char *e = strstr(p, "; ");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		for (size_t j = 0; j < np && !twice; j++)
			if (len[j] == n && !memcmp(parts[j], p, n)) {
				twice = p;
				tn = n;
			}
		parts[np] = p;
		len[np++] = n;
		if (!e)
			break;
		p = e + 2;
	}
	PB_CHECK_MSG(!twice, "%s says '%.*s' twice: '%.300s'", what, (int)tn, twice, s);
	if (want)
		PB_CHECK_MSG(np == want, "%s: %zu reasons, want %zu: '%s'", what, np, want, s);
	return np;
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

/* The binary: a run whose papi_* columns are NA in every row. */
static void run_binary(const char *bin, const char *top)
{
	char root[4200], dir[4400], what[256];
	struct spawn_out o;
	snprintf(root, sizeof(root), "%.4096s/run", top);
	json_t *m = pbt_run_meta_env(bin, (char *const[]){"PAGEBENCH_COUNTERS=sw", NULL}, root, &o,
				     dir, sizeof(dir), "run", "memtouch", "--threads", "1,2",
				     "--reps", "6", "--size", "256K", NULL);
	if (!m)
		return;
	json_t *na = json_object_get(m, "not_available");
	PB_CHECK(json_is_object(na));
	const char *k;
	json_t *v;
	json_object_foreach(na, k, v)
	{
		snprintf(what, sizeof(what), "not_available.%.200s", k);
		check_parts(what, json_string_value(v), 0);
	}
	unsigned papi = 0;
	json_object_foreach(json_object_get(json_object_get(m, "counters"), "columns"), k, v)
	{
		const char *why = json_string_value(json_object_get(v, "reason"));
		snprintf(what, sizeof(what), "counters.columns.%.200s.reason", k);
		if (why)
			check_parts(what, why, 0);
		if (strcmp(json_string_value(json_object_get(v, "source")) ?: "", "papi"))
			continue;
		papi++;
		/* noted from every row and by both configurations: once */
		const char *n = json_string_value(json_object_get(na, k));
		PB_CHECK_MSG(n && !strcmp(n, "disabled by PAGEBENCH_COUNTERS=sw"),
			     "not_available.%s: %s", k, n ?: "(none)");
		PB_CHECK_MSG(why && !strcmp(why, "disabled by PAGEBENCH_COUNTERS=sw"), "%s: %s",
			     what, why ?: "(none)");
	}
	PB_CHECK_MSG(papi == 7, "%u papi_* columns in counters.columns", papi);
	check_csv(dir, "runs.csv", na);
	check_csv(dir, "summary.csv", na);
	json_decref(m);
}

/* pb_run_note_na's rules, read back from the run's meta.json. */
static void note_rules(const char *top)
{
	char err[256], dir[4400], r[64];
	char *argv[] = {"pagebench", "test", NULL};
	static const char *const cols[] = {"x", NULL};
	struct pb_run *run = pb_run_create(top, 2, argv, err, sizeof(err));
	PB_CHECK_MSG(run != NULL, "pb_run_create: %s", err);
	if (!run)
		return;
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	struct pb_csv *c = pb_run_csv(run, "x.csv", cols, NULL);
	PB_CHECK(c != NULL);
	pb_csv_begin(c);
	pb_csv_na(c);
	pb_csv_end(c);
	/* a shorter reason inside a longer one, each noted from many rows */
	for (int i = 0; i < 3; i++) {
		pb_run_note_na(run, "x", "no PMU here");
		pb_run_note_na(run, "x", "no PMU");
		pb_run_note_na(run, "x", "PMU");
	}
	/* not UTF-8: kept once, as \xFF */
	for (int i = 0; i < 3; i++)
		pb_run_note_na(run, "bytes", "a \xff byte");
	/* more than 2 KiB of distinct reasons (100 of 40 characters) */
	for (int i = 0; i < 100; i++) {
		snprintf(r, sizeof(r), "reason %03d of a column with many of them", i);
		pb_run_note_na(run, "many", r);
		pb_run_note_na(run, "many", r);
	}
	/* the mark ends the list: a shorter reason that would still fit after
	 * it is not added, and no second mark follows (1990 + 60 does not fit,
	 * then 20 would, then 60 again) */
	char big[1991], r60[61], r20[21];
	memset(big, 'b', 1990);
	big[1990] = 0;
	memset(r60, 's', 60);
	r60[60] = 0;
	memset(r20, 't', 20);
	r20[20] = 0;
	pb_run_note_na(run, "after", big);
	pb_run_note_na(run, "after", r60);
	pb_run_note_na(run, "after", r20);
	r60[0] = 'u';
	pb_run_note_na(run, "after", r60);
	PB_CHECK(pb_run_finish(run) == 0);
	json_t *m = pbt_meta(dir);
	json_t *na = json_object_get(m, "not_available");
	const char *x = json_string_value(json_object_get(na, "x"));
	PB_CHECK_MSG(x && !strcmp(x, "no PMU here; no PMU; PMU"), "not_available.x: %s",
		     x ?: "(none)");
	const char *b = json_string_value(json_object_get(na, "bytes"));
	PB_CHECK_MSG(b && !strcmp(b, "a \\xFF byte"), "not_available.bytes: %s", b ?: "(none)");
	const char *many = json_string_value(json_object_get(na, "many"));
	size_t n = many ? strlen(many) : 0;
	PB_CHECK_MSG(n > 5 && n < 2048 && !strcmp(many + n - 5, "; ...") &&
			 strstr(many, "; ...") == many + n - 5,
		     "not_available.many (%zu characters) does not end in one '; ...': ...%s", n,
		     n > 60 ? many + n - 60 : many ?: "(none)");
	const char *af = json_string_value(json_object_get(na, "after"));
	size_t an = af ? strlen(af) : 0;
	PB_CHECK_MSG(an == 1995 && !strncmp(af, big, 1990) && !strcmp(af + 1990, "; ..."),
		     "not_available.after: %zu characters, ending ...%s", an,
		     an > 40 ? af + an - 40 : af ?: "(none)");
	/* the reasons before the mark: the first ones, in order, each once */
	size_t np = check_parts("not_available.many", many, 0);
	PB_CHECK_MSG(np > 40 && np < 100, "not_available.many: %zu parts", np);
	PB_CHECK(many &&
		 !strncmp(many, "reason 000 of a column with many of them; reason 001 ", 53));
	json_decref(m);
}

/* pb_counters_run_note's rules (the same pb_reasons_add), read back from
 * counters.columns: a shorter reason kept, a repeat not; a reason that
 * does not fit in its 512 bytes gives "; ..." even where the text so far
 * left less room than the mark needs (510 characters: none was given). */
static void counter_rules(void)
{
	char longer[501];
	memset(longer, 'x', 500);
	longer[500] = 0;
	pb_counters_run_begin();
	for (int i = 0; i < 3; i++) {
		pb_counters_run_note(PB_CTR_RU_MINFLT, 0, "no PMU here");
		pb_counters_run_note(PB_CTR_RU_MINFLT, 0, "no PMU");
		pb_counters_run_note(PB_CTR_RU_MAJFLT, 0, longer);
		pb_counters_run_note(PB_CTR_RU_MAJFLT, 0, "8 chars.");
		pb_counters_run_note(PB_CTR_RU_MAJFLT, 0, "one more");
	}
	json_t *o = pb_counters_json_obj();
	json_t *cols = json_object_get(o, "columns");
	json_t *mi = json_object_get(cols, pb_ctr_column(PB_CTR_RU_MINFLT));
	json_t *ma = json_object_get(cols, pb_ctr_column(PB_CTR_RU_MAJFLT));
	/* getrusage's columns: probed on every Linux (PAGEBENCH_COUNTERS is
	 * unset in main), so these checks always run */
	PB_CHECK(json_is_true(json_object_get(mi, "machine_available")));
	PB_CHECK(json_is_true(json_object_get(ma, "machine_available")));
	{
		const char *w = json_string_value(json_object_get(mi, "reason"));
		PB_CHECK_MSG(w && !strcmp(w, "no PMU here; no PMU"), "%s: %s",
			     pb_ctr_column(PB_CTR_RU_MINFLT), w ?: "(none)");
	}
	{
		const char *w = json_string_value(json_object_get(ma, "reason"));
		size_t n = w ? strlen(w) : 0;
		PB_CHECK_MSG(n == 505 && !strncmp(w, longer, 500) &&
				 !strcmp(w + n - 5, "; ..."),
			     "%s: %zu characters, ending ...%s", pb_ctr_column(PB_CTR_RU_MAJFLT), n,
			     n > 20 ? w + n - 20 : w ?: "(none)");
	}
	json_decref(o);
}

int main(int argc, char **argv)
{
	char top[4096];
	if (argc < 2)
		PB_SKIP("usage: test_note_once PATH_TO_PAGEBENCH");
	setenv("PAGEBENCH_NO_PROGRESS", "1", 1);
	unsetenv("PAGEBENCH_COUNTERS"); /* counter_rules needs the rusage rung */
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "noteonce") != NULL);
	run_binary(argv[1], top);
	note_rules(top);
	counter_rules();
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
