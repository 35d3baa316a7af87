/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare --out DIR makes DIR, with its parents, as `plot --out`
 * does (it refused a folder that did not exist, exit 2, until
 * 2026-12-06): compare.csv and machines.csv are written there and read
 * back with the project's CSV reader; an --out below a regular file is
 * still exit 2 with one line naming it and the reason.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_outdir PATH_TO_PAGEBENCH");
	bin = argv[1];
	char root[4096], res[4200], run[4400], out[4300], p[4400];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpoutdir") != NULL);
	snprintf(res, sizeof(res), "%s/res", root);
	PB_CHECK_MSG(spawn_runl(bin, envv, &o, "run", "chase", "--threads", "1", "--reps", "2",
				"--ops", "10000", "--size", "64K", "--results", res, NULL) == 0,
		     "run: %s", o.err);
	PB_CHECK(pbt_run_dirs(res, run, sizeof(run)) == 1);

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

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
