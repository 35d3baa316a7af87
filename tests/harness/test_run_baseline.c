/* SPDX-License-Identifier: MIT */
/*
 * `run`'s baseline and its options, through the binary, read back with
 * the project's CSV reader and jansson.  argv[1]: the pagebench binary.
 *  - A baseline that refuses one of the run's --param values runs with the
 *    rest (pt-baseline-array refuses pt-lookup's huge=1 and ran at its
 *    default 4096 pages, whatever pages=N said: the ratio compared two
 *    working sets); meta.json config.baseline_params says with which.
 *  - `--size` too small for kernel and baseline: one line, exit 2 (each
 *    printed its own).
 *  - `--seed` on both sides of 2^63 is recorded exactly (meta.json read
 *    2^64-1 as -1): an integer, above 2^63-1 its decimal string.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static int nroot;
static struct spawn_out o;

/* `run KERNEL --threads T --reps 1 --ops 2000 OPT VAL --results ROOT`;
 * the run folder into dir ("" if none).  Returns the exit code. */
static int run1(const char *kernel, const char *threads, const char *opt, const char *val,
		char *dir, size_t len)
{
	char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	return pbt_run(getenv("PB_BIN"), root, &o, dir, len, "run", kernel, "--threads", threads,
		       "--reps", "1", "--ops", "2000", opt, val, (char *)NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_run_baseline PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	setenv("PAGEBENCH_COUNTERS", "none", 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "baseline") != NULL);
	char dir[4400], path[4500], err[256];

	/* the baseline runs with pages=N, without the huge=1 it refuses */
	int code = run1("pt-lookup", "1", "--param", "huge=1,pages=8192", dir, sizeof(dir));
	PB_CHECK_MSG(code == 0 && dir[0], "exit %d: %s", code, o.err);
	if (code == 0 && dir[0]) {
		json_t *m = pbt_meta(dir);
		json_t *bp = json_object_get(
		    json_object_get(json_object_get(m, "config"), "baseline_params"),
		    "pt-lookup:huge=1,pages=8192");
		PB_CHECK_MSG(json_is_string(bp) && !strcmp(json_string_value(bp), "pages=8192"),
			     "config.baseline_params: '%s'",
			     json_is_string(bp) ? json_string_value(bp) : "(not a string)");
		json_decref(m);
		struct pb_csv t;
		snprintf(path, sizeof(path), "%.4400s/summary.csv", dir);
		int rc = pb_csv_read_file(path, &t, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", path, err);
		int seen = 0;
		for (size_t r = 0; !rc && r < t.nrows; r++) {
			if (strcmp(pb_csv_get(&t, r, "kernel"), "pt-lookup") ||
			    strcmp(pb_csv_get(&t, r, "thread"), "total"))
				continue;
			seen++;
			PB_CHECK_MSG(
			    !strcmp(pb_csv_get(&t, r, "baseline"), "pt-baseline-array:pages=8192"),
			    "summary baseline '%s'", pb_csv_get(&t, r, "baseline"));
			PB_CHECK_MSG(strcmp(pb_csv_get(&t, r, "ratio_vs_baseline"), "NA"),
				     "ratio_vs_baseline NA");
		}
		PB_CHECK_MSG(rc || seen == 1, "%d pt-lookup total rows", seen);
		if (!rc)
			pb_csv_free(&t);
	}

	/* a --size both refuse: one line, exit 2, no folder */
	code = run1("frames-alloc-free", "1,2", "--size", "1", dir, sizeof(dir));
	PB_CHECK_MSG(code == 2 && count_lines(o.err) == 1, "exit %d: %s", code, o.err);

	/* seeds on both sides of 2^63 recorded exactly: an integer, then the
	 * decimal string (2^64-1 was written -1) */
	static const char *const seeds[] = {"9223372036854775807", "18446744073709551615"};
	for (int k = 0; k < 2; k++) {
		code = run1("memtouch", "1", "--seed", (char *)seeds[k], dir, sizeof(dir));
		PB_CHECK_MSG(code == 0 && dir[0], "exit %d: %s", code, o.err);
		if (code != 0 || !dir[0])
			continue;
		json_t *m = pbt_meta(dir), *cfg = json_object_get(m, "config");
		json_t *s = json_object_get(cfg, "seed"),
		       *os = json_object_get(json_object_get(cfg, "options"), "seed");
		if (k == 0)
			PB_CHECK_MSG(json_is_integer(s) && json_integer_value(s) == INT64_MAX &&
					 json_equal(s, os),
				     "config.seed %lld", (long long)json_integer_value(s));
		else
			PB_CHECK_MSG(!strcmp(json_string_value(s) ?: "", seeds[k]) &&
					 json_equal(s, os),
				     "config.seed %s", json_string_value(s) ?: "(not a string)");
		json_decref(m);
	}

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
