/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare --out DIR makes DIR, with its parents, as `plot --out`
 * does (it refused a folder that did not exist, exit 2, until
 * 2026-12-06): compare.csv and machines.csv are written there and read
 * back with the project's CSV reader; an --out below a regular file is
 * still exit 2 with one line naming it and the reason.  A compare refused
 * after that check (its configurations differ, a runs.csv without the
 * repetitions summary.csv promises, --machines given a sim folder) makes
 * no --out folder, and leaves one that was there (until 2026-12-07 an
 * empty folder, with its parents, was left behind).  An --out that could
 * not be made or written in (below a dangling symbolic link; under a
 * folder without write permission, as a user other than root) is refused
 * before the statistics, so before the bad input they would find (until
 * 2026-12-07 it was taken for a folder not made yet, and the input's
 * error came first).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};

/* path parses as a CSV with a header and at least one row */
static int csv_ok(const char *path)
{
	struct pb_csv t;
	char err[256];
	if (pb_csv_read_file(path, &t, err, sizeof(err))) {
		fprintf(stderr, "  %s: %s\n", path, err);
		return 0;
	}
	int ok = t.ncols > 0 && t.nrows > 0;
	pb_csv_free(&t);
	return ok;
}

/* `pagebench run chase ... --size SIZE --results root/NAME`, exit 0: its
 * run folder into dir */
static void chase_run(const char *root, const char *name, const char *size, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", root, name);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "run", "chase", "--threads", "1", "--reps", "4",
				"--ops", "10000", "--size", size, "--results", res, NULL) == 0,
		     "run: %s", o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_outdir PATH_TO_PAGEBENCH");
	bin = argv[1];
	/* sized so that no path built below can be cut (-Wformat-truncation) */
	char root[4096], res[4608], run[5120], out[6144], p[12288];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpoutdir") != NULL);
	chase_run(root, "res", "64K", run, sizeof(run));

	/* compare: a folder and its parent that do not exist */
	snprintf(out, sizeof(out), "%s/new/sub", root);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "compare", run, run, "--out", out, NULL) == 0,
		     "compare --out %s: %s", out, o.err);
	snprintf(p, sizeof(p), "%s/compare.csv", out);
	PB_CHECK(csv_ok(p));

	/* --machines likewise */
	snprintf(out, sizeof(out), "%s/new/machines", root);
	PB_CHECK_MSG(
	    spawn_runl(bin, envv, &o, "compare", "--machines", run, run, "--out", out, NULL) == 0,
	    "compare --machines --out %s: %s", out, o.err);
	snprintf(p, sizeof(p), "%s/machines.csv", out);
	PB_CHECK(csv_ok(p));

	/* below a regular file: refused, one line */
	snprintf(out, sizeof(out), "%s/new/sub/compare.csv/x", root);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, run, "--out", out, NULL), 2);
	PB_CHECK_MSG(strstr(o.err, out) && strstr(o.err, "Not a directory") &&
			 count_lines(o.err) == 1,
		     "stderr: %s", o.err);

	/* refused after the --out check, before writing: nothing made */
	char run2[5120], cut[4608], sim[5120], made[4608];
	chase_run(root, "res2", "128K", run2, sizeof(run2));
	snprintf(res, sizeof(res), "%s/res3", root);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "sim", "--workload", "zipf:pages=500,refs=20000",
				"--policy", "lru", "--frames", "50", "--results", res, NULL) == 0,
		     "sim: %s", o.err);
	PB_CHECK(pbt_run_dirs(res, sim, sizeof(sim)) == 1);
	/* a copy of run whose runs.csv is its header alone */
	snprintf(cut, sizeof(cut), "%s/cut", root);
	snprintf(p, sizeof(p), "cp -R '%s' '%s'", run, cut);
	PB_CHECK(system(p) == 0);
	snprintf(p, sizeof(p), "%s/runs.csv", cut);
	{
		struct pb_csv t;
		char err[256];
		PB_CHECK_MSG(pb_csv_read_file(p, &t, err, sizeof(err)) == 0, "%s", err);
		FILE *f = fopen(p, "w");
		PB_CHECK(f != NULL);
		for (size_t c = 0; f && c < t.ncols; c++)
			fprintf(f, "%s%s", c ? "," : "", t.header[c]);
		if (f) {
			fputc('\n', f);
			PB_CHECK(fclose(f) == 0);
		}
		pb_csv_free(&t);
	}
	snprintf(made, sizeof(made), "%s/made", root);
	snprintf(out, sizeof(out), "%s/sub", made);
	/* configurations differ (--size) */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, run2, "--out", out, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "configurations differ"), "%s",
		     o.err);
	PB_CHECK_MSG(access(made, F_OK) != 0, "%s was made", made);
	/* bad input found while comparing */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, cut, "--out", out, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "no repetitions in runs.csv"), "%s",
		     o.err);
	PB_CHECK_MSG(access(made, F_OK) != 0, "%s was made", made);
	/* --machines: a folder without summary.csv */
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", "--machines", run, sim, "--out", out, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "no summary.csv"), "%s", o.err);
	PB_CHECK_MSG(access(made, F_OK) != 0, "%s was made", made);
	/* an --out that cannot be made: refused before the comparison's work,
	 * so ahead of cut's bad input; nothing made */
	char dang[4608], ro[4608];
	snprintf(dang, sizeof(dang), "%s/dangling", root);
	snprintf(p, sizeof(p), "%s/nowhere", root);
	PB_CHECK(symlink(p, dang) == 0);
	for (int below = 0; below < 2; below++) {
		snprintf(out, sizeof(out), "%s%s", dang, below ? "/sub" : "");
		PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, cut, "--out", out, NULL),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, out) &&
				 strstr(o.err, "Not a directory"),
			     "--out %s: %s", out, o.err);
		PB_CHECK_MSG(access(p, F_OK) != 0, "%s was made", p);
		/* --machines likewise */
		PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", "--machines", run, sim,
					   "--out", out, NULL),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "Not a directory"), "%s",
			     o.err);
	}
	/* below a regular file, likewise ahead of the input's error */
	snprintf(out, sizeof(out), "%s/runs.csv/x/y", cut);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, cut, "--out", out, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "Not a directory"), "%s", o.err);
	/* a parent without write permission: root writes anyway */
	snprintf(ro, sizeof(ro), "%s/readonly", root);
	PB_CHECK(mkdir(ro, 0555) == 0 && chmod(ro, 0555) == 0);
	snprintf(out, sizeof(out), "%s/x/y", ro);
	if (geteuid() == 0) {
		printf("note: --out below a mode 0555 folder not checked: root writes there\n");
	} else {
		PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, cut, "--out", out, NULL),
				2);
		PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, out) &&
				 strstr(o.err, strerror(EACCES)),
			     "%s", o.err);
		snprintf(p, sizeof(p), "%s/x", ro);
		PB_CHECK_MSG(access(p, F_OK) != 0, "%s was made", p);
	}
	PB_CHECK(chmod(ro, 0755) == 0);

	/* a folder that was there, empty, stays */
	PB_CHECK(mkdir(made, 0777) == 0 || errno == EEXIST);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, run2, "--out", made, NULL), 2);
	PB_CHECK_EQ_U64(
	    spawn_runl(bin, envv, &o, "compare", "--machines", run, sim, "--out", made, NULL), 2);
	struct stat st;
	PB_CHECK(stat(made, &st) == 0 && S_ISDIR(st.st_mode));
	/* the same --out, nothing refused: made and written */
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &o, "compare", run, run, "--out", out, NULL), 0);
	snprintf(p, sizeof(p), "%s/compare.csv", out);
	PB_CHECK(csv_ok(p));

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
