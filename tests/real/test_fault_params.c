/* SPDX-License-Identifier: MIT */
/*
 * The fault kernels' options, as `pagebench run` takes them:
 *  - --ops rounds up to whole passes over --size, and meta.json says what
 *    ran: config.kernel_resolved.KERNEL.ops_per_thread.value (jansson) is
 *    runs.csv's ops on every row (the project's CSV reader), at least the
 *    --ops given, with stride (a pass touches every stride-th page, the
 *    first included); `run --help` says so;
 *  - stride other than 1 for the zap kernels (which release every page)
 *    and fault-thp (one byte per 2 MiB): exit 2, one line naming the
 *    kernel and the parameter, no run folder (it multiplied the passes);
 *  - files under a TMPDIR that does not exist: exit 1, one line naming
 *    the folder and TMPDIR (it said only "No such file or directory").
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096];
static struct spawn_out o;

/* One line on stderr (the harness's banner aside) holding every one of
 * the NULL-terminated words. */
static int one_line_with(const char *err, ...)
{
	const char *line = NULL;
	int lines = 0;
	for (const char *p = err; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (!strncmp(p, "pagebench", 9) && !lines++)
			line = p;
	if (lines != 1)
		return 0;
	size_t len = strcspn(line, "\n");
	va_list ap;
	va_start(ap, err);
	int ok = 1;
	for (const char *w; (w = va_arg(ap, const char *));)
		ok &= memmem(line, len, w, strlen(w)) != NULL;
	va_end(ap);
	return ok;
}

/* run KERNEL with the NULL-terminated options into the results root res
 * (env: NULL-terminated "K=V" or NULL); the exit code. */
static int run(const char *res, char *const env[], const char *kernel, ...)
{
	char *argv[40] = {(char *)bin, "run", (char *)kernel,  "--threads", "1",
			  "--reps",    "1",   "--no-baseline", "--results", (char *)res};
	int n = 10;
	va_list ap;
	va_start(ap, kernel);
	for (const char *a; n < 39 && (a = va_arg(ap, const char *));)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return spawn_run(argv, env, &o);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_real_fault_params PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "faultparams") != NULL);
	char res[4200], dir[4400], p[4500];
	char *env[] = {"PAGEBENCH_COUNTERS=rusage", NULL};

	/* 1. --ops: whole passes, recorded. */
	char *help[] = {(char *)bin, "run", "--help", NULL};
	spawn_run(help, NULL, &o);
	PB_CHECK_MSG(o.code == 0 && strstr(o.out, "round it up to whole passes"),
		     "run --help: exit %d: %s", o.code, o.out);
	static const char *const kinds[][2] = {{"fault-anon", "stride=3"},
					       {"fault-file", "stride=1"},
					       {"zap-dontneed", "batch=7"},
					       {"memtouch", NULL}};
	for (int k = 0; k < 4; k++) {
		snprintf(res, sizeof(res), "%s/ops%d", top, k);
		PB_CHECK_MSG(run(res, env, kinds[k][0], "--ops", "1000", "--size", "1M",
				 kinds[k][1] ? "--param" : NULL, kinds[k][1], NULL) == 0,
			     "%s: exit %d: %s", kinds[k][0], o.code, o.err);
		if (pbt_run_dirs(res, dir, sizeof(dir)) != 1)
			continue;
		json_t *m = pbt_meta(dir);
		json_t *v = json_object_get(
		    json_object_get(json_object_get(json_object_get(json_object_get(m, "config"),
								    "kernel_resolved"),
						    kinds[k][0]),
				    "ops_per_thread"),
		    "value");
		const char *why = json_string_value(json_object_get(
		    json_object_get(json_object_get(json_object_get(json_object_get(m, "config"),
								    "kernel_resolved"),
						    kinds[k][0]),
				    "ops_per_thread"),
		    "why"));
		long long ops = json_is_integer(v) ? json_integer_value(v) : -1;
		PB_CHECK_MSG(ops >= 1000 && why && strstr(why, "--ops 1000"),
			     "%s: kernel_resolved ops_per_thread %lld (%s)", kinds[k][0], ops,
			     why ? why : "no why");
		json_decref(m);
		snprintf(p, sizeof(p), "%s/runs.csv", dir);
		struct pb_csv t;
		char err[256];
		int rc = pb_csv_read_file(p, &t, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", p, err);
		for (size_t r = 0; rc == 0 && r < t.nrows; r++)
			PB_CHECK_MSG(atoll(pb_csv_get(&t, r, "ops")) == ops,
				     "%s: runs.csv row %zu ops %s, meta.json %lld", kinds[k][0], r,
				     pb_csv_get(&t, r, "ops"), ops);
		if (rc == 0)
			pb_csv_free(&t);
	}

	/* 2. stride: refused where it has no meaning, before any folder. */
	static const char *const nostride[] = {"zap-munmap", "zap-dontneed", "zap-free",
					       "fault-thp"};
	for (int k = 0; k < 4; k++) {
		snprintf(res, sizeof(res), "%s/stride%d", top, k);
		int code = run(res, env, nostride[k], "--size", "2M", "--param", "stride=16", NULL);
		PB_CHECK_MSG(code == 2 && one_line_with(o.err, nostride[k], "stride=16", NULL),
			     "%s stride=16: exit %d: %s", nostride[k], code, o.err);
		PB_CHECK_EQ_U64(pbt_run_dirs(res, dir, sizeof(dir)), 0);
	}
	snprintf(res, sizeof(res), "%s/stride1", top);
	PB_CHECK_MSG(run(res, env, "zap-free", "--size", "1M", "--param", "stride=1", NULL) == 0,
		     "zap-free stride=1: exit %d: %s", o.code, o.err);

	/* 3. a TMPDIR that does not exist: named, with where it came from. */
	char gone[4300], tmpenv[4400];
	snprintf(gone, sizeof(gone), "%s/no-such-folder", top);
	snprintf(tmpenv, sizeof(tmpenv), "TMPDIR=%s", gone);
	char *genv[] = {"PAGEBENCH_COUNTERS=rusage", tmpenv, NULL};
	snprintf(res, sizeof(res), "%s/tmpdir", top);
	int code = run(res, genv, "fault-file", "--size", "1M", NULL);
	PB_CHECK_MSG(code == 1 && one_line_with(o.err, gone, "TMPDIR", "No such file", NULL),
		     "fault-file, TMPDIR=%s: exit %d: %s", gone, code, o.err);
	code = run(res, genv, "fault-cow", "--size", "1M", "--param", "count=shared", NULL);
	PB_CHECK_MSG(code == 1 && one_line_with(o.err, gone, "TMPDIR", "count=shared", NULL),
		     "fault-cow count=shared, TMPDIR=%s: exit %d: %s", gone, code, o.err);

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
