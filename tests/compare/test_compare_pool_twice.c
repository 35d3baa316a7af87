/* SPDX-License-Identifier: MIT */
/*
 * One run given twice in one pool is refused: `compare K1 K1 -- K2 K2`
 * counted K1's repetitions twice (n_base 6 for 3 measured, p 0.1 ->
 * 0.0046, `same` -> REGRESSION).  The same folder named twice, with a
 * trailing "/." or through a symbolic link, or a copy (the same meta.json
 * run_id and started_utc), on BASE's side or NEW's, timed runs or sim
 * runs: one line naming both arguments and the side, exit 2, no --out
 * folder made.  Allowed: a run against itself (BASE and NEW the same
 * folder), and two runs of one configuration made apart, pooled.  A
 * meta.json without started_utc (hand-made or edited): run_id decides,
 * pooled and for `compare --machines` alike: two copies of a run both
 * without it are one run to each (--machines warned of none), so is a
 * copy that lost it beside its original (pooled: exit 0, counted twice);
 * two runs made apart, without it, are still two.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096], out[4200];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};

/* `pagebench ARGS... --results top/name` (NULL-terminated): its run
 * folder into dir */
static void make(const char *name, char *dir, size_t len, const char *const *args)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", top, name);
	char *argv[24] = {(char *)bin};
	int n = 1;
	for (; args[n - 1]; n++)
		argv[n] = (char *)args[n - 1];
	argv[n++] = "--results";
	argv[n++] = res;
	argv[n] = NULL;
	spawn_run(argv, envv, &o);
	PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", name, o.code, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

static void copy(const char *src, const char *name, char *dst, size_t len)
{
	snprintf(dst, len, "%s/%s", top, name);
	char cmd[9000];
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", src, dst);
	PB_CHECK(system(cmd) == 0);
}

/* dir's meta.json without started_utc (rewritten with jansson) */
static void drop_start(const char *dir)
{
	char p[4500];
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	json_t *m = pbt_meta(dir);
	PB_CHECK(m && json_object_del(m, "started_utc") == 0);
	PB_CHECK(m && json_dump_file(m, p, JSON_INDENT(2)) == 0);
	json_decref(m);
}

/* `compare --machines a b`: exit 0, and whether stderr says they are the
 * same run (one line naming both) */
static int machines_same(const char *a, const char *b)
{
	char mout[4300];
	snprintf(mout, sizeof(mout), "%s/mout", top);
	int rc = spawn_runl(bin, envv, &o, "compare", "--machines", a, b, "--out", mout, "--force",
			    NULL);
	PB_CHECK_MSG(rc == 0, "compare --machines %s %s: exit %d: %s", a, b, rc, o.err);
	char want[9000];
	snprintf(want, sizeof(want), "WARNING: %s and %s are the same run (run_id ", a, b);
	return strstr(o.err, want) != NULL;
}

/* compare --out out ARGS... (NULL-terminated, at most 8) */
static int compare(const char *const *args)
{
	char *argv[16] = {(char *)bin, "compare", "--out", out, "--force"};
	int n = 5;
	for (; *args && n < 15; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	pbt_rmtree(out); /* so that refused() sees whether it was made */
	return spawn_run(argv, envv, &o);
}

/* the last compare was refused: exit 2, one line on stderr holding side
 * ("BASE"/"NEW"), both arguments and why; nothing made at --out */
static void refused(const char *side, const char *a, const char *b, const char *why)
{
	PB_CHECK_MSG(o.code == 2, "exit %d\n%s%s", o.code, o.out, o.err);
	char both[9000];
	snprintf(both, sizeof(both), "%s and %s are the same", a, b);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, side) && strstr(o.err, both) &&
			 strstr(o.err, why) && strstr(o.err, "count twice"),
		     "want one line: %s runs %s, %s: got\n%s", side, both, why, o.err);
	struct stat st;
	PB_CHECK_MSG(stat(out, &st) != 0, "%s made by a refused compare", out);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_pool_twice PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "cmppool") != NULL);
	snprintf(out, sizeof(out), "%s/out", top);

	/* timed runs, as the reviewer pooled them */
	static const char *const run_args[] = {"run", "chase", "--threads", "1", "--reps",
					       "4",   "--ops", "2000",	    NULL};
	char k1[4400], k2[4400];
	make("k1", k1, sizeof(k1), run_args);
	make("k2", k2, sizeof(k2), run_args);
	compare((const char *const[]){k1, k1, "--", k2, k2, NULL});
	refused("BASE", k1, k1, "same folder");
	compare((const char *const[]){k1, "--", k2, k2, NULL});
	refused("NEW", k2, k2, "same folder");
	char k1c[4400], k1dot[4500], k1l[4400];
	copy(k1, "k1copy", k1c, sizeof(k1c));
	compare((const char *const[]){k1, k1c, "--", k2, NULL});
	refused("BASE", k1, k1c, "run_id");
	snprintf(k1dot, sizeof(k1dot), "%s/.", k1);
	compare((const char *const[]){k1, k1dot, "--", k2, NULL});
	refused("BASE", k1, k1dot, "same folder");
	snprintf(k1l, sizeof(k1l), "%s/k1link", top);
	PB_CHECK(symlink(k1, k1l) == 0);
	compare((const char *const[]){k2, "--", k1l, k1, NULL});
	refused("NEW", k1l, k1, "same folder");
	/* a run against itself: one run a side, 3 repetitions each */
	PB_CHECK_MSG(compare((const char *const[]){k1, k1, NULL}) == 0, "exit %d\n%s%s", o.code,
		     o.out, o.err);

	/* meta.json without started_utc: run_id decides, in a pool and for
	 * --machines alike */
	char n1[4400], n2[4400], n3[4400];
	copy(k1, "nostart1", n1, sizeof(n1));
	copy(k1, "nostart2", n2, sizeof(n2));
	copy(k2, "nostart3", n3, sizeof(n3));
	drop_start(n1);
	drop_start(n2);
	drop_start(n3);
	compare((const char *const[]){n1, n2, "--", k2, NULL});
	refused("BASE", n1, n2, "run_id");
	compare((const char *const[]){k1, n1, "--", k2, NULL});
	refused("BASE", k1, n1, "run_id");
	PB_CHECK_MSG(machines_same(n1, n2), "--machines, both without a start:\n%s", o.err);
	PB_CHECK_MSG(machines_same(k1, n1), "--machines, one without a start:\n%s", o.err);
	/* two runs made apart, without their starts: two runs */
	PB_CHECK_MSG(!machines_same(n1, n3), "--machines, two runs:\n%s", o.err);

	/* sim runs (exact counts), and a copy that names another run */
	static const char *const sim_args[] = {"sim",	   "--workload", "zipf:pages=500,refs=5000",
					       "--policy", "lru",	 "--frames",
					       "50",	   "--reps",	 "1",
					       NULL};
	char s1[4400], s2[4400], sc[4400];
	make("s1", s1, sizeof(s1), sim_args);
	make("s2", s2, sizeof(s2), sim_args);
	compare((const char *const[]){s1, s2, "--", s2, s2, NULL});
	refused("NEW", s2, s2, "same folder");
	copy(s1, "s1copy", sc, sizeof(sc));
	compare((const char *const[]){sc, s1, "--", s2, NULL});
	refused("BASE", sc, s1, "run_id");
	/* another run of the same configuration pools with it */
	char s3[4400];
	make("s3", s3, sizeof(s3), sim_args);
	PB_CHECK_MSG(compare((const char *const[]){s1, s3, "--", s2, NULL}) == 0, "exit %d\n%s%s",
		     o.code, o.out, o.err);
	/* ... and without their starts too */
	char s1n[4400], s3n[4400];
	copy(s1, "s1nostart", s1n, sizeof(s1n));
	copy(s3, "s3nostart", s3n, sizeof(s3n));
	drop_start(s1n);
	drop_start(s3n);
	PB_CHECK_MSG(compare((const char *const[]){s1n, s3n, "--", s2, NULL}) == 0, "exit %d\n%s%s",
		     o.code, o.out, o.err);

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
