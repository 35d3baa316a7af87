/* SPDX-License-Identifier: MIT */
/*
 * Repeated --param options: `run` joins them with ',' in the order given
 * (the option table kept the last one alone: `--param update=7 --param
 * pages=64` ran update=10, the default, while the command line said 7, and
 * `--param nosuch=1 --param pages=64` exited 0); a key given twice is one
 * line and exit 2.  A suite's plan check reads every --param of a run line
 * (`run pt-mixed --param nosuch=1 --param update=5` passed it).  Through
 * the binary, read back with the project's CSV reader and jansson.
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
static struct spawn_out o;

/* `run pt-mixed` with the two --param words given; the run folder into
 * dir (when one was made).  Returns the exit code. */
static int run2(const char *p1, const char *p2, char *dir, size_t len)
{
	char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	return pbt_run(getenv("PB_BIN"), root, &o, dir, len, "run", "pt-mixed", "--threads", "1",
		       "--reps", "1", "--ops", "2000", "--no-baseline", "--param", p1, "--param",
		       p2, (char *)NULL);
}

/* `suite FILE --dry-run` of a one-line suite; its exit code. */
static int suite_line(const char *line)
{
	char path[4200], root[4200];
	snprintf(path, sizeof(path), "%.4096s/s%d.suite", top, nroot);
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	FILE *f = fopen(path, "w");
	PB_CHECK(f != NULL);
	if (!f)
		return -1;
	fprintf(f, "%s\n", line);
	fclose(f);
	char *a[] = {getenv("PB_BIN"), "suite", path, "--dry-run", "--results", root, NULL};
	spawn_run(a, NULL, &o);
	return o.code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_run_params PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	setenv("PAGEBENCH_COUNTERS", "none", 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "params") != NULL);
	char dir[4400], path[4500], err[256];

	/* both options reach the kernel, in the order given */
	int code = run2("update=7", "pages=64", dir, sizeof(dir));
	PB_CHECK_MSG(code == 0 && dir[0], "exit %d: %s", code, o.err);
	if (code == 0 && dir[0]) {
		json_t *m = pbt_meta(dir);
		json_t *cfg = json_object_get(m, "config");
		json_t *kp = json_object_get(cfg, "kernel_params");
		PB_CHECK_MSG(json_integer_value(json_object_get(kp, "update")) == 7,
			     "kernel_params.update %lld, --param update=7 given",
			     (long long)json_integer_value(json_object_get(kp, "update")));
		PB_CHECK_MSG(json_integer_value(json_object_get(kp, "pages")) == 64,
			     "kernel_params.pages %lld, --param pages=64 given",
			     (long long)json_integer_value(json_object_get(kp, "pages")));
		const char *ps = json_string_value(json_object_get(cfg, "params"));
		PB_CHECK_MSG(ps && !strcmp(ps, "update=7,pages=64"), "config.params '%s'",
			     ps ? ps : "(none)");
		json_decref(m);
		struct pb_csv t;
		snprintf(path, sizeof(path), "%.4400s/runs.csv", dir);
		int rc = pb_csv_read_file(path, &t, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", path, err);
		if (!rc) {
			PB_CHECK(t.nrows > 0);
			for (size_t r = 0; r < t.nrows; r++)
				PB_CHECK_MSG(
				    !strcmp(pb_csv_get(&t, r, "params"), "update=7,pages=64"),
				    "runs.csv row %zu params '%s'", r, pb_csv_get(&t, r, "params"));
			pb_csv_free(&t);
		}
	}

	/* an unknown key in the first one is refused, before any folder */
	code = run2("nosuch=1", "pages=64", dir, sizeof(dir));
	PB_CHECK_MSG(code == 2 && strstr(o.err, "nosuch"), "exit %d: %s", code, o.err);
	PB_CHECK_MSG(!dir[0], "a run folder %s for refused parameters", dir);

	/* a key given twice: one line, exit 2 */
	code = run2("update=7", "update=5", dir, sizeof(dir));
	PB_CHECK_MSG(code == 2 && strstr(o.err, "given twice") && count_lines(o.err) == 1,
		     "exit %d: %s", code, o.err);
	PB_CHECK_MSG(!dir[0], "a run folder %s for refused parameters", dir);

	/* the suite's plan check reads every --param of a run line */
	code = suite_line("run pt-mixed --threads 1 --param nosuch=1 --param update=5");
	PB_CHECK_MSG(code == 2 && strstr(o.err, "nosuch"), "suite: exit %d: %s", code, o.err);
	code = suite_line("run pt-mixed --threads 1 --param update=5 --param update=6");
	PB_CHECK_MSG(code == 2 && strstr(o.err, "given twice"), "suite: exit %d: %s", code, o.err);
	code = suite_line("run pt-mixed --threads 1 --param update=5 --param=pages=64");
	PB_CHECK_MSG(code == 0, "suite: exit %d: %s", code, o.err);

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
