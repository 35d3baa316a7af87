/* SPDX-License-Identifier: MIT */
/*
 * compare on two sim folders compares every deterministic column of
 * sim.csv, not a list of 23 counts: an exec workload with THP, a full swap
 * and the CPU caches (nonzero OOM kills, exec reads, THP faults, cache
 * misses, an EAT) against a copy with one cell edited - eat_ns, an OOM, THP,
 * segv, exec-read or cache count, fault_rate, policy_seed - is CHANGED
 * (exit 1) and names the column and both values; until 2026-12-07 it said
 * "identical counts", exit 0.  What is no part of the replay stays out:
 * the timings (seconds, accesses_per_s) and the columns naming the run
 * (host, label), edited, still compare as identical, and two runs
 * made apart (two processes) compare as identical, every row "same", its
 * compare.csv metric (read back) listing the new columns and none of
 * those.  A cell NA on one side only is a change (but seed: a trace's
 * rows have it NA since 2026-12-07), NA on both is not
 * compared; "8.83999e+02" equals "883.999".  --order strict on two
 * threads is deterministic, so its TLB and cache counts are compared
 * (they were on one thread only); --order free on two threads is not, and
 * an edited count there still passes, said in the row.  Pooled runs must
 * agree on the new columns too (NEW's runs differ).  Rows whose seeds
 * differ (--fixed-seed against a run without, an edited seed or
 * policy_seed, pooled) are other experiments: "seeds differ: 2 vs 1", their
 * counts not listed.  mrc.csv by the same rule: every column but the key
 * and the run's own (sampled_refs, scaled_frames, miss_ratio_raw,
 * err_est, method ... were not compared until 2026-12-07); its note, prose
 * that a later version may word otherwise, is not compared.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096], out[4200];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};

/* `sim` of the exec workload (THP, a full swap: OOM kills; 1% bad
 * accesses: segv; the CPU caches), two policies at two sizes, on threads
 * in order, --results top/name: its run folder into dir */
static void sim(const char *name, const char *threads, const char *order, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", top, name);
	int rc =
	    spawn_runl(bin, envv, &o, "sim", "--workload", "exec:procs=2,refs=20000,thp=1,bad=0.01",
		       "--policy", "lru,random", "--frames", "300,1500", "--thp", "always",
		       "--swap", "100", "--caches", "profile", "--threads", threads, "--order",
		       order, "--reps", "1", "--results", res, NULL);
	PB_CHECK_MSG(rc == 0, "sim %s: exit %d: %s", name, rc, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

/* cp -r src top/name; the copy's path into dst */
static void copy(const char *src, const char *name, char *dst, size_t len)
{
	snprintf(dst, len, "%s/%s", top, name);
	char cmd[9000];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s' '%s'", dst, src, dst);
	PB_CHECK(system(cmd) == 0);
}

/* dir's exact CSV: its sim.csv, or an mrc folder's mrc.csv; the path
 * into p */
static const char *exact_csv(const char *dir, char *p, size_t len)
{
	snprintf(p, len, "%s/sim.csv", dir);
	if (access(p, F_OK))
		snprintf(p, len, "%s/mrc.csv", dir);
	return p;
}

/* dir's exact CSV read with the project's CSV reader (checked) */
static int read_sim(const char *dir, struct pb_csv *t)
{
	char p[4400], err[512];
	int rc = pb_csv_read_file(exact_csv(dir, p, sizeof(p)), t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	return rc;
}

/* dir's exact CSV's cell (row, col) as text into buf */
static const char *get_cell(const char *dir, size_t row, const char *col, char *buf, size_t len)
{
	struct pb_csv t;
	buf[0] = 0;
	if (read_sim(dir, &t))
		return buf;
	PB_CHECK_MSG(pb_csv_col(&t, col) >= 0, "%s: no column %s", dir, col);
	snprintf(buf, len, "%s", pb_csv_get(&t, row, col));
	pb_csv_free(&t);
	return buf;
}

/* dir's exact CSV rewritten with (row, col) = val (pbt_csv_set) */
static void set_cell(const char *dir, size_t row, const char *col, const char *val)
{
	char p[4400];
	PB_CHECK(pbt_csv_set(exact_csv(dir, p, sizeof(p)), row, col, val) == 0);
}

/* the first row of dir's exact CSV whose policy is policy */
static size_t row_of(const char *dir, const char *policy)
{
	char cell[64];
	size_t r = 0;
	while (r < 64 && strcmp(get_cell(dir, r, "policy", cell, sizeof(cell)), policy))
		r++;
	PB_CHECK_MSG(r < 64, "%s: no row of %s", dir, policy);
	return r;
}

/* `sim` of a small zipf workload, lru and random, two repetitions (each
 * its own seed, or with fixed all of seed 1), --results top/name: its run
 * folder into dir */
static void zsim(const char *name, int fixed, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", top, name);
	int rc = spawn_runl(bin, envv, &o, "sim", "--workload", "zipf:pages=500,refs=5000",
			    "--policy", "lru,random", "--frames", "50", "--reps", "2", "--results",
			    res, fixed ? "--fixed-seed" : NULL, NULL);
	PB_CHECK_MSG(rc == 0, "sim %s: exit %d: %s", name, rc, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

/* `mrc --sample 0.1` of lru (calibrated: exact), random and fifo at three
 * sizes, --results top/name: its run folder into dir */
static void mrc(const char *name, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", top, name);
	int rc = spawn_runl(bin, envv, &o, "mrc", "--workload", "zipf:pages=5000,refs=50000",
			    "--policy", "lru,random,fifo", "--frames", "500:1500:500", "--sample",
			    "0.1", "--sample-min", "10", "--results", res, NULL);
	PB_CHECK_MSG(rc == 0, "mrc %s: exit %d: %s", name, rc, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

static int compare(const char *a, const char *b)
{
	return spawn_runl(bin, envv, &o, "compare", a, b, "--out", out, "--force", NULL);
}

/* compare.csv of the last compare: every row's verdict is want, and its
 * metric lists each of has and none of hasnt; the number of rows */
static size_t check_csv(const char *want, const char *const *has, const char *const *hasnt)
{
	char p[4400], err[512];
	snprintf(p, sizeof(p), "%s/compare.csv", out);
	struct pb_csv t;
	PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
	for (size_t r = 0; r < t.nrows; r++) {
		const char *v = pb_csv_get(&t, r, "verdict"), *m = pb_csv_get(&t, r, "metric");
		PB_CHECK_MSG(!strcmp(v, want), "row %zu: verdict %s, not %s", r, v, want);
		char padded[4096];
		snprintf(padded, sizeof(padded), ";%s;", m);
		for (const char *const *h = has; *h; h++) {
			char w[128];
			snprintf(w, sizeof(w), ";%s;", *h);
			PB_CHECK_MSG(strstr(padded, w) != NULL, "row %zu: metric lacks %s: %s", r,
				     *h, m);
		}
		for (const char *const *h = hasnt; *h; h++) {
			char w[128];
			snprintf(w, sizeof(w), ";%s;", *h);
			PB_CHECK_MSG(strstr(padded, w) == NULL, "row %zu: metric has %s: %s", r, *h,
				     m);
		}
	}
	size_t n = t.nrows;
	pb_csv_free(&t);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_exact_cols PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "cmpexact") != NULL);
	snprintf(out, sizeof(out), "%s/out", top);
	char s1[4400], s2[4400], e[4400], b[4400], cell[256], want[512];

	/* the workload counts what the old list left out: each in some row
	 * (300 frames: OOM kills; 1500: THP faults) */
	sim("s1", "1", "strict", s1, sizeof(s1));
	static const char *const nonzero[] = {"oom_kills",  "oom_pages_freed", "exec_reads", "segv",
					      "thp_faults", "l1d_misses",      "l3_misses"};
	for (size_t i = 0; i < sizeof(nonzero) / sizeof(nonzero[0]); i++) {
		int seen = 0;
		for (size_t r = 0; r < 4; r++) {
			get_cell(s1, r, nonzero[i], cell, sizeof(cell));
			seen |= strcmp(cell, "0") && strcmp(cell, "NA") && cell[0];
		}
		PB_CHECK_MSG(seen, "%s: 0 or NA in every row", nonzero[i]);
	}
	get_cell(s1, 0, "eat_ns", cell, sizeof(cell));
	PB_CHECK_MSG(strtod(cell, NULL) > 0, "eat_ns: %s", cell);

	/* two runs made apart: identical, and what compare.csv says was
	 * compared holds the new columns and none of the run's own */
	static const char *const cols[] = {
	    "faults",	   "eat_ns",	     "fault_rate", "oom_kills",	 "oom_pages_freed",
	    "oom_skipped", "thp_faults",     "segv",	   "exec_reads", "l1d_misses",
	    "l2_hits",	   "prepage_mapped", "tlb_misses", "seed",	 NULL};
	static const char *const never[] = {"seconds", "accesses_per_s", "run_id", "host",
					    "label",   "schema_version", "valid",  NULL};
	sim("s2", "1", "strict", s2, sizeof(s2));
	PB_CHECK_EQ_U64(compare(s1, s2), 0);
	PB_CHECK_MSG(strstr(o.out, "replay row(s) with identical counts"), "%s%s", o.out, o.err);
	PB_CHECK_EQ_U64(check_csv("same", cols, never), 4);

	/* one edited cell of each column the old list left out: CHANGED */
	static const char *const edited[][2] = {
	    {"eat_ns", "99999"},    {"oom_kills", "999"},      {"oom_pages_freed", "999"},
	    {"oom_skipped", "999"}, {"thp_faults", "999"},     {"thp_fallbacks", "999"},
	    {"segv", "999"},	    {"exec_reads", "999"},     {"l1d_hits", "999"},
	    {"l1d_misses", "999"},  {"l1i_misses", "999"},     {"l2_misses", "999"},
	    {"l3_misses", "999"},   {"prepage_mapped", "999"}, {"fault_rate", "0.999"},
	    {"policy_seed", "999"},
	};
	for (size_t i = 0; i < sizeof(edited) / sizeof(edited[0]); i++) {
		copy(s1, "e", e, sizeof(e));
		get_cell(s1, 0, edited[i][0], cell, sizeof(cell));
		set_cell(e, 0, edited[i][0], edited[i][1]);
		PB_CHECK_MSG(compare(s1, e) == 1, "%s %s -> %s: exit %d\n%s%s", edited[i][0], cell,
			     edited[i][1], o.code, o.out, o.err);
		snprintf(want, sizeof(want), "%s %s -> %s", edited[i][0], cell, edited[i][1]);
		PB_CHECK_MSG(strstr(o.out, "CHANGED") && strstr(o.out, want), "want '%s' in\n%s",
			     want, o.out);
	}

	/* the timings and the run's own columns are no part of the replay */
	copy(s1, "e", e, sizeof(e));
	set_cell(e, 0, "seconds", "123");
	set_cell(e, 0, "accesses_per_s", "1");
	set_cell(e, 1, "host", "elsewhere");
	set_cell(e, 1, "label", "other");
	PB_CHECK_MSG(compare(s1, e) == 0, "exit %d\n%s%s", o.code, o.out, o.err);

	/* NA on one side is a change, on both none; a number as another text */
	copy(s1, "e", e, sizeof(e));
	get_cell(s1, 0, "eat_ns", cell, sizeof(cell));
	set_cell(e, 0, "eat_ns", "NA");
	PB_CHECK_EQ_U64(compare(s1, e), 1);
	snprintf(want, sizeof(want), "eat_ns %s -> NA", cell);
	PB_CHECK_MSG(strstr(o.out, want), "want '%s' in\n%s", want, o.out);
	copy(s1, "b", b, sizeof(b));
	set_cell(b, 0, "eat_ns", "NA");
	PB_CHECK_MSG(compare(b, e) == 0, "exit %d\n%s%s", o.code, o.out, o.err);
	char sci[64];
	snprintf(sci, sizeof(sci), "%.5e", strtod(cell, NULL));
	set_cell(e, 0, "eat_ns", sci);
	PB_CHECK_MSG(strtod(sci, NULL) != strtod(cell, NULL) || compare(s1, e) == 0,
		     "%s as %s: exit %d\n%s", cell, sci, o.code, o.out);

	/* seed: NA (a trace's row since 2026-12-07) against a number (--seed,
	 * written before) is no change; two numbers that differ are */
	copy(s1, "e", e, sizeof(e));
	set_cell(e, 0, "seed", "NA");
	PB_CHECK_MSG(compare(s1, e) == 0, "seed NA: exit %d\n%s%s", o.code, o.out, o.err);

	/* pooled runs must agree on them too */
	copy(s1, "e", e, sizeof(e));
	set_cell(e, 0, "oom_kills", "999");
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", "--out", out, "--force", s1, "--", s2, e, NULL),
	    1);
	PB_CHECK_MSG(strstr(o.out, "NEW's runs differ") && strstr(o.out, "oom_kills"), "%s%s",
		     o.out, o.err);

	/* --order strict on two threads: every column compared */
	char t1[4400];
	sim("t1", "2", "strict", t1, sizeof(t1));
	static const char *const strict_edit[] = {"tlb_misses", "l1d_misses", "eat_ns", NULL};
	for (const char *const *c = strict_edit; *c; c++) {
		copy(t1, "e", e, sizeof(e));
		get_cell(t1, 0, *c, cell, sizeof(cell));
		set_cell(e, 0, *c, "999");
		PB_CHECK_MSG(compare(t1, e) == 1, "threads 2 strict, %s: exit %d\n%s%s", *c, o.code,
			     o.out, o.err);
		snprintf(want, sizeof(want), "%s %s -> 999", *c, cell);
		PB_CHECK_MSG(strstr(o.out, want), "want '%s' in\n%s", want, o.out);
	}
	/* ... and two runs of it made apart are identical in every one */
	char t2[4400];
	sim("t2", "2", "strict", t2, sizeof(t2));
	PB_CHECK_MSG(compare(t1, t2) == 0, "exit %d\n%s%s", o.code, o.out, o.err);
	PB_CHECK_EQ_U64(check_csv("same", cols, never), 4);

	/* --order free on two threads: not deterministic, not compared */
	char f1[4400];
	sim("f1", "2", "free", f1, sizeof(f1));
	copy(f1, "e", e, sizeof(e));
	set_cell(e, 0, "eat_ns", "99999");
	set_cell(e, 0, "oom_kills", "999");
	PB_CHECK_MSG(compare(f1, e) == 0, "exit %d\n%s%s", o.code, o.out, o.err);
	PB_CHECK_MSG(strstr(o.out, "not deterministic"), "%s", o.out);

	/* sim.csv's seed: rows of other seeds are other experiments, said so
	 * ("seeds differ: 2 vs 1"), their counts not listed: --fixed-seed
	 * against a run without replays repetition 1 on seed 1, not 2.  Until
	 * 2026-12-07 "seed 2 -> 1; hits ...; faults ..." read as changed
	 * counts. */
	char z1[4400], z2[4400], z3[4400], rep[64];
	zsim("z1", 0, z1, sizeof(z1));
	zsim("z2", 1, z2, sizeof(z2));
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "compare", z1, z2, "--out", out, "--force",
				"--allow-config-mismatch", NULL) == 1,
		     "exit %d\n%s%s", o.code, o.out, o.err);
	PB_CHECK_MSG(strstr(o.out, "CHANGED  sim") &&
			 strstr(o.out, ": seeds differ: 2 vs 1: replays of other random streams, "
				       "counts not compared\n") &&
			 !strstr(o.out, "faults "),
		     "%s", o.out);
	{
		char p[4400], err[512];
		snprintf(p, sizeof(p), "%s/compare.csv", out);
		struct pb_csv t;
		PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
		PB_CHECK_EQ_U64(t.nrows, 4);
		for (size_t r = 0; r < t.nrows; r++) {
			const char *k = pb_csv_get(&t, r, "params"),
				   *v = pb_csv_get(&t, r, "verdict");
			const char *d = pb_csv_get(&t, r, "detail"),
				   *m = pb_csv_get(&t, r, "metric");
			int rep1 = strstr(k, ",rep=1") != NULL;
			PB_CHECK_MSG(rep1 ? !strcmp(v, "CHANGED") && !m[0] &&
						!strncmp(d, "seeds differ: 2 vs 1: ", 22)
					  : !strcmp(v, "same") && strstr(m, "faults"),
				     "%s: %s, metric %s: %s", k, v, m, d);
		}
		pb_csv_free(&t);
	}
	/* a seed cell edited, and a randomised policy's seed */
	copy(z1, "e", e, sizeof(e));
	set_cell(e, 0, "seed", "7");
	PB_CHECK_EQ_U64(compare(z1, e), 1);
	PB_CHECK_MSG(strstr(o.out, ": seeds differ: 1 vs 7: "), "%s", o.out);
	copy(z1, "e", e, sizeof(e));
	size_t rr = row_of(z1, "random");
	get_cell(z1, rr, "policy_seed", cell, sizeof(cell));
	set_cell(e, rr, "policy_seed", "999");
	PB_CHECK_EQ_U64(compare(z1, e), 1);
	snprintf(want, sizeof(want), ": policy seeds differ: %s vs 999: ", cell);
	PB_CHECK_MSG(strstr(o.out, want), "want '%s' in\n%s", want, o.out);
	/* pooled runs whose seeds differ: NEW's runs differ, said as much */
	zsim("z3", 0, z3, sizeof(z3));
	copy(z3, "e", e, sizeof(e));
	get_cell(z3, 0, "rep", rep, sizeof(rep));
	set_cell(e, 0, "seed", "7");
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", "--out", out, "--force", z3, "--", z1, e, NULL),
	    1);
	PB_CHECK_MSG(strstr(o.out, "NEW's runs differ") && strstr(o.out, "seeds differ: 1 vs 7"),
		     "rep %s: %s%s", rep, o.out, o.err);

	/* mrc.csv: every column but the key and the run's own, as in sim.csv
	 * (until 2026-12-07 refs, misses and sampled_misses alone: an edited
	 * err_est or sampled_refs compared as identical, exit 0) */
	char m1[4400], m2[4400];
	mrc("m1", m1, sizeof(m1));
	mrc("m2", m2, sizeof(m2));
	static const char *const mcols[] = {
	    "refs",	     "misses",	       "miss_ratio",	 "method",  "sampled_refs",
	    "scaled_frames", "sampled_misses", "miss_ratio_raw", "err_est", NULL};
	static const char *const mnever[] = {
	    "run_id",	     "host",   "label",	      "schema_version", "workload", "policy",
	    "policy_params", "frames", "sample_rate", "note",		NULL};
	PB_CHECK_MSG(compare(m1, m2) == 0, "exit %d\n%s%s", o.code, o.out, o.err);
	PB_CHECK_EQ_U64(check_csv("same", mcols, mnever), 9);
	static const char *const medited[][2] = {
	    {"sampled_refs", "999"}, {"scaled_frames", "999"},	{"miss_ratio_raw", "0.999"},
	    {"err_est", "0.999"},    {"miss_ratio", "0.999"},	{"method", "stack-distance"},
	    {"misses", "999"},	     {"sampled_misses", "999"},
	};
	size_t mr = row_of(m1, "random");
	for (size_t i = 0; i < sizeof(medited) / sizeof(medited[0]); i++) {
		copy(m1, "e", e, sizeof(e));
		get_cell(m1, mr, medited[i][0], cell, sizeof(cell));
		set_cell(e, mr, medited[i][0], medited[i][1]);
		PB_CHECK_MSG(compare(m1, e) == 1, "mrc %s %s -> %s: exit %d\n%s%s", medited[i][0],
			     cell, medited[i][1], o.code, o.out, o.err);
		snprintf(want, sizeof(want), "%s %s -> %s", medited[i][0], cell, medited[i][1]);
		PB_CHECK_MSG(strstr(o.out, "CHANGED  mrc") && strstr(o.out, want),
			     "want '%s' in\n%s", want, o.out);
	}
	/* the note is prose: a rewording is no change */
	copy(m1, "e", e, sizeof(e));
	set_cell(e, mr, "note", "worded otherwise");
	PB_CHECK_MSG(compare(m1, e) == 0, "note edited: exit %d\n%s%s", o.code, o.out, o.err);
	copy(m1, "e", e, sizeof(e));
	get_cell(m1, mr, "policy_seed", cell, sizeof(cell));
	set_cell(e, mr, "policy_seed", "999");
	PB_CHECK_EQ_U64(compare(m1, e), 1);
	snprintf(want, sizeof(want), ": policy seeds differ: %s vs 999: ", cell);
	PB_CHECK_MSG(strstr(o.out, want), "want '%s' in\n%s", want, o.out);
	copy(m1, "e", e, sizeof(e));
	set_cell(e, 1, "host", "elsewhere");
	set_cell(e, 2, "label", "other");
	PB_CHECK_MSG(compare(m1, e) == 0, "exit %d\n%s%s", o.code, o.out, o.err);

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
