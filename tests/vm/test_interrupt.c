/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_interrupt.c - a signal during a long `sim` sweep or `mrc`
 * curve keeps the configurations it finished.
 *
 * Each case is more work than one streamed pass holds, so it runs in two
 * waves:
 *  - sim: 100 engine configurations, 64 a pass;
 *  - mrc: lru,fifo over 1100 sizes: LRU's curve is one stack fed by the
 *    replays' first pass, FIFO's 1100 replays are more than one pass holds
 *    (1024 policy-only jobs).
 * With PAGEBENCH_TEST_INTERRUPT=1 the process raises SIGINT before the
 * second wave (a user's Ctrl-C or a Slurm time limit's SIGTERM,
 * deterministically):
 *  - it dies of SIGINT (exit 130), after saying how many were not done;
 *  - its folder has the first wave's rows (sim: 64; mrc: LRU's 1100 and
 *    FIFO's first 1024), each equal to the same configuration's row in a
 *    run that was not interrupted (the CSV read back with the quote-aware
 *    reader);
 *  - meta.json (jansson) says status partial, interrupted_by SIGINT, and
 *    the stream's refs and distinct pages of the finished wave (not the
 *    part the interrupted one read);
 * and with PAGEBENCH_TEST_INTERRUPT=0 (before the first wave: nothing
 * done; mrc's LRU stack is fed by that wave too) it dies of SIGINT leaving
 * no folder, and sim and mrc say so in one line, as run does.  A knob that is
 * not a wave number (x, 1x, -1, " 1", 2^32) is refused: exit 2 naming
 * the knob and its value, no folder (strtoul read "x" as 0, an interrupt
 * before the first wave, and "1x" as 1).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

struct icase {
	const char *name, *csv;
	const char *args[16]; /* after the binary, NULL-terminated */
	size_t full_rows, kept_rows;
	const char *said;      /* on stderr, interrupted */
	const char *key[3];    /* a row's identity, NULL-terminated */
	const char *same[8];   /* the cells that must equal the full run's */
	const char *pol;       /* rows of this policy kept ... */
	size_t pol_rows;       /* ... this many */
	long long refs;	       /* meta.json config.refs */
	const char *said_none; /* on stderr, interrupted before the first wave */
};

static const struct icase cases[] = {
    {"sim",
     "sim.csv",
     {"sim", "--workload", "zipf:pages=20000,alpha=0.8,refs=50K", "--policy", "lru", "--frames",
      "100-199", "--reps", "1", NULL},
     100,
     64,
     "partial: interrupted by SIGINT, 36 configuration(s) not run",
     {"frames", NULL},
     {"valid", "refs", "hits", "faults", "evictions", "tlb_misses", "writebacks", NULL},
     "lru",
     64,
     51200,
     "pagebench sim: interrupted by SIGINT before any configuration finished: nothing written\n"},
    {"mrc",
     "mrc.csv",
     {"mrc", "--workload", "zipf:pages=3000,alpha=0.8,refs=20K", "--policy", "lru,fifo", "--frames",
      "1:1100:1", NULL},
     2200,
     2124,
     "2124 rows in",
     {"policy", "frames", NULL},
     {"refs", "misses", "miss_ratio", "method", "scaled_frames", "err_est", "note", NULL},
     "lru",
     1100,
     20480,
     "pagebench mrc: interrupted by SIGINT before any configuration finished: nothing written\n"},
};

static const char *bin;

/* case c into root with PAGEBENCH_TEST_INTERRUPT=knob (NULL: unset). */
static int run_case(const struct icase *c, const char *root, const char *knob, struct spawn_out *o)
{
	char env_knob[64];
	snprintf(env_knob, sizeof(env_knob), "PAGEBENCH_TEST_INTERRUPT=%s", knob ? knob : "");
	char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", env_knob, NULL};
	char *argv[24] = {(char *)bin};
	size_t n = 1;
	for (size_t i = 0; c->args[i]; i++)
		argv[n++] = (char *)c->args[i];
	argv[n++] = "--results";
	argv[n++] = (char *)root;
	argv[n] = NULL;
	return spawn_run(argv, envv, o);
}

/* The row of t whose key cells equal row r of u, or -1. */
static long row_like(const struct pb_csv *t, const struct pb_csv *u, size_t r,
		     const char *const *key)
{
	for (size_t i = 0; i < t->nrows; i++) {
		int ok = 1;
		for (size_t k = 0; ok && key[k]; k++) {
			int a = pb_csv_col(t, key[k]), b = pb_csv_col(u, key[k]);
			ok =
			    a >= 0 && b >= 0 && !strcmp(pb_csv_cell(t, i, a), pb_csv_cell(u, r, b));
		}
		if (ok)
			return (long)i;
	}
	return -1;
}

/* meta.json's config.KEY of the run in d. */
static long long config_int(const char *d, const char *key)
{
	char p[800];
	snprintf(p, sizeof(p), "%.700s/meta.json", d);
	json_t *m = json_load_file(p, 0, NULL);
	long long v = json_integer_value(json_object_get(json_object_get(m, "config"), key));
	json_decref(m);
	return v;
}

static void check_case(const struct icase *c, const char *dir, struct spawn_out *o)
{
	char root[300], full_root[300], d1[700], d2[700], p[800], err[256];

	/* the whole sweep, not interrupted */
	snprintf(full_root, sizeof(full_root), "%.200s/%s-full", dir, c->name);
	PB_CHECK_MSG(run_case(c, full_root, NULL, o) == 0, "%s, full run: exit %d: %s", c->name,
		     o->code, o->err);
	PB_CHECK_EQ_U64(pbt_run_dirs(full_root, d1, sizeof(d1)), 1);

	/* a signal between the two waves */
	snprintf(root, sizeof(root), "%.200s/%s-int", dir, c->name);
	PB_CHECK_MSG(run_case(c, root, "1", o) == 128 + SIGINT, "%s, interrupted: exit %d: %s",
		     c->name, o->code, o->err);
	PB_CHECK_MSG(strstr(o->err, c->said) &&
			 strstr(o->err, "partial: interrupted by SIGINT, ") &&
			 strstr(o->err, " not "),
		     "%s: %s", c->name, o->err);
	PB_CHECK_EQ_U64(pbt_run_dirs(root, d2, sizeof(d2)), 1);
	struct pb_csv full = {0}, part = {0};
	snprintf(p, sizeof(p), "%.700s/%s", d1, c->csv);
	PB_CHECK_MSG(!pb_csv_read_file(p, &full, err, sizeof(err)), "%s", err);
	snprintf(p, sizeof(p), "%.700s/%s", d2, c->csv);
	PB_CHECK_MSG(!pb_csv_read_file(p, &part, err, sizeof(err)), "%s", err);
	PB_CHECK_EQ_U64(full.nrows, c->full_rows);
	PB_CHECK_EQ_U64(part.nrows, c->kept_rows);
	size_t same = 0, pol = 0;
	int pc = pb_csv_col(&part, "policy");
	for (size_t r = 0; r < part.nrows; r++) {
		long fr = row_like(&full, &part, r, c->key);
		int ok = fr >= 0;
		for (size_t k = 0; ok && c->same[k]; k++) {
			int a = pb_csv_col(&part, c->same[k]), b = pb_csv_col(&full, c->same[k]);
			ok = a >= 0 && b >= 0 &&
			     !strcmp(pb_csv_cell(&part, r, a), pb_csv_cell(&full, (size_t)fr, b));
		}
		same += ok;
		pol += pc >= 0 && !strcmp(pb_csv_cell(&part, r, pc), c->pol);
	}
	PB_CHECK_MSG(same == c->kept_rows, "%s: %zu of %zu rows as the full run's", c->name, same,
		     c->kept_rows);
	PB_CHECK_EQ_U64(pol, c->pol_rows);
	pb_csv_free(&full);
	pb_csv_free(&part);
	snprintf(p, sizeof(p), "%.700s/meta.json", d2);
	json_error_t je;
	json_t *m = json_load_file(p, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", p, je.text);
	PB_CHECK(m && !strcmp(json_string_value(json_object_get(m, "status")) ?: "", "partial"));
	PB_CHECK(m &&
		 !strcmp(json_string_value(json_object_get(m, "interrupted_by")) ?: "", "SIGINT"));
	json_decref(m);
	/* the stream's length and pages as the finished wave counted them,
	 * not the interrupted one's part */
	PB_CHECK_MSG(config_int(d2, "refs") == c->refs && config_int(d1, "refs") == c->refs,
		     "%s: config.refs %lld (full run %lld, expected %lld)", c->name,
		     config_int(d2, "refs"), config_int(d1, "refs"), c->refs);
	PB_CHECK(config_int(d2, "distinct_pages") > 0 &&
		 config_int(d2, "distinct_pages") == config_int(d1, "distinct_pages"));

	/* a signal before the first wave: nothing to keep, no folder */
	snprintf(root, sizeof(root), "%.200s/%s-none", dir, c->name);
	PB_CHECK_MSG(run_case(c, root, "0", o) == 128 + SIGINT, "%s: exit %d: %s", c->name, o->code,
		     o->err);
	int entries = pbt_run_dirs(root, d2, sizeof(d2));
	PB_CHECK_MSG(entries == 0, "%s: %d entries under %s", c->name, entries, root);
	PB_CHECK_MSG(!c->said_none || strstr(o->err, c->said_none), "%s, nothing done: %s", c->name,
		     o->err);

	/* a knob that is not a wave number: refused, not read as a wave */
	static const char *const bad[] = {"x", "1x", "-1", " 1", "4294967296"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(bad); i++) {
		char want[96];
		snprintf(root, sizeof(root), "%.200s/%s-bad%zu", dir, c->name, i);
		snprintf(want, sizeof(want), "PAGEBENCH_TEST_INTERRUPT='%s'", bad[i]);
		int code = run_case(c, root, bad[i], o);
		PB_CHECK_MSG(code == 2 && strstr(o->err, want), "%s, knob '%s': exit %d: %s",
			     c->name, bad[i], code, o->err);
		entries = pbt_run_dirs(root, d2, sizeof(d2));
		PB_CHECK_MSG(entries == 0, "%s, knob '%s': %d entries under %s", c->name, bad[i],
			     entries, root);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	char dir[256];
	if (!pbt_tmpdir(dir, sizeof(dir), "interrupt"))
		return 1;
	struct spawn_out *o = malloc(sizeof(*o));
	for (size_t i = 0; i < PB_ARRAY_SIZE(cases); i++)
		check_case(&cases[i], dir, o);
	free(o);
	if (pbt_rmtree(dir))
		fprintf(stderr, "cleanup of %s failed\n", dir);
	return pb_test_done();
}
