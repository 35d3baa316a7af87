/* SPDX-License-Identifier: MIT */
/*
 * What the userfaultfd pager says about a run, beside its counts:
 *  - a machine without userfaultfd (simulated: PAGEBENCH_UFFD=eperm|
 *    enosys) or without UFFDIO_MOVE for io=move (PAGEBENCH_UFFD=nomove):
 *    the reason is said once per run, on one line naming the pager,
 *    whatever the thread counts and whether its baseline (uffd-floor,
 *    which fails the same way) runs.  It was said once for the baseline
 *    and once for the pager, at every thread count, and twice more for
 *    the baseline when --param was given (once with the pager's
 *    parameters, once with its defaults).
 *  - what dirty=auto became on this machine, and why, is in meta.json
 *    (config.kernel_resolved.uffd-pager.dirty: value and why; the floor's
 *    dirt, none, beside it): async where the kernel offers WP_ASYNC, wp
 *    where it does not (simulated: PAGEBENCH_UFFD=noasync), and the
 *    value agrees with the run's own counts (write-protect faults only
 *    under wp).  A value given is recorded as given.  meta.json had only
 *    the parameter, "auto".  So is swap_pages unset: the slots made
 *    (pages), where kernel_params says 0.
 *  - a pager whose setup fails after the run folder exists (dirty=async
 *    without WP_ASYNC, its floor measured first) leaves the folder's files
 *    whole: its failure path closed descriptor 0, which the harness had
 *    reused for a CSV, and the run ended with "cannot write results:
 *    ...: Bad file descriptor".
 *  - a thread's setup that fails (a swap folder that does not exist) is
 *    said on the harness's one line with its reason; the pager printed
 *    the reason on a line of its own and the harness's line said only
 *    "thread 0 setup: No such file or directory".  A swap folder of about
 *    1000 characters (nested folders below a regular file, so the swap
 *    file cannot be made: "Not a directory"; pbt_blocked_path) is said
 *    whole, path and reason: the message was cut at 256 bytes (the
 *    pager's and the harness's buffers), then at 512 and 1023.  meta.json's
 *    errors hold that --param and the reason whole (a 320-byte buffer cut
 *    the reason off).
 *  - the lat_* events (one thread's fault latency quantiles) are NA with
 *    the reason in meta.json not_available where nothing was timed (a
 *    repetition without a fault: frames = pages, a loop that made every
 *    page resident in the warm-up) and in total rows (quantiles do not add up over
 *    threads); they said 0 and the sum of the threads' quantiles.
 *  - latency_csv=FILE that cannot be written (a folder, a name in a
 *    folder that does not exist) is refused before the run, with the
 *    reason and exit 2; the run went on, said so on stderr after it and
 *    exited 0 without the file.  A FILE of 1020 characters below a regular
 *    file is said whole with "Not a directory": run's check before the run
 *    cut the line at 1023 bytes, the reason and the path's end lost.
 *  - inject=none:5 (a count after a kind that takes none) is refused
 *    before the run, on one line naming the value, exit 2; it was read as
 *    none, the :5 dropped without a word.
 *  - workload=trace:path=FILE with a FILE of more than 600 characters (a
 *    pbt trace in nested folders) runs, and meta.json's config.params and
 *    kernel_params.workload and latency_csv's experiment name the whole
 *    path: the pager kept the spec in 512 bytes and refused a longer one
 *    ("bad workload '...' (too long)", exit 2), and cut its copy of
 *    --param for the latency CSV at 512.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096];

/* Occurrences of needle in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A machine without what the pager needs: one line, with the reason. */
static void unavailable(void)
{
	static const struct {
		const char *env, *param, *said, *why;
	} cases[] = {
	    {"PAGEBENCH_UFFD=eperm", NULL,
	     "uffd-pager: userfaultfd unavailable: ", "Operation not permitted"},
	    {"PAGEBENCH_UFFD=eperm", "pages=64,frames=16",
	     "uffd-pager: userfaultfd unavailable: ", "Operation not permitted"},
	    {"PAGEBENCH_UFFD=enosys", "pages=64,frames=16",
	     "uffd-pager: userfaultfd unavailable: ", "Function not implemented"},
	    {"PAGEBENCH_UFFD=nomove", "pages=64,frames=16,io=move",
	     "uffd-pager: io=move needs UFFDIO_MOVE", "use io=copy"},
	};
	static struct spawn_out o;
	char res[4200];
	snprintf(res, sizeof(res), "%s/unavailable", top);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int nb = 0; nb < 2; nb++) {
			char *env[] = {(char *)cases[i].env, NULL};
			char *argv[16] = {(char *)bin, "run",	    "uffd-pager", "--threads",
					  "1,2",       "--reps",    "1",	  "--ops",
					  "100",       "--results", res};
			int a = 11;
			if (nb)
				argv[a++] = "--no-baseline";
			if (cases[i].param) {
				argv[a++] = "--param";
				argv[a++] = (char *)cases[i].param;
			}
			spawn_run(argv, env, &o);
			const char *what = cases[i].said;
			PB_CHECK_MSG(o.code == 1, "%s %s%s: exit %d", cases[i].env,
				     cases[i].param ? cases[i].param : "(defaults)",
				     nb ? " --no-baseline" : "", o.code);
			/* one line, naming the pager, with the reason */
			PB_CHECK_MSG(count_lines(o.err) == 1 && count_of(o.err, what) == 1 &&
					 strstr(o.err, cases[i].why),
				     "%s %s%s: said %d time(s) in %d line(s):\n%s", cases[i].env,
				     cases[i].param ? cases[i].param : "(defaults)",
				     nb ? " --no-baseline" : "", count_of(o.err, what),
				     count_lines(o.err), o.err);
		}
	}
}

static int nrun;

/* A pager run of 1 thread with its baseline under a fresh results root
 * (root, 4200 bytes); its exit code, stderr in o. */
static int pager_run(const char *param, const char *env, char *root, struct spawn_out *o)
{
	snprintf(root, 4200, "%s/%d", top, nrun++);
	char *e[] = {(char *)env, NULL};
	char *argv[] = {(char *)bin,   "run",	    "uffd-pager", "--threads", "1",
			"--reps",      "1",	    "--ops",	  "3000",      "--param",
			(char *)param, "--results", root,	  NULL};
	return spawn_run(argv, env ? e : NULL, o);
}

/* config.kernel_resolved.KERNEL.KEY's value (a string, or a number as
 * text) and why (strdup'ed, NULL if absent) from the run's meta.json. */
static void resolved(const char *root, const char *kernel, const char *key, char **value,
		     char **why)
{
	char pat[4300], path[4300];
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	*value = *why = NULL;
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	PB_CHECK_MSG(m != NULL, "%s: no readable meta.json", root);
	json_t *d = json_object_get(
	    json_object_get(json_object_get(json_object_get(m, "config"), "kernel_resolved"),
			    kernel),
	    key);
	json_t *jv = json_object_get(d, "value");
	const char *v = json_string_value(jv), *w = json_string_value(json_object_get(d, "why"));
	char num[32];
	if (json_is_integer(jv))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(jv));
	*value = v ? strdup(v) : json_is_integer(jv) ? strdup(num) : NULL;
	*why = w ? strdup(w) : NULL;
	json_decref(m);
}

/* dirty=auto's choice, and a given value, recorded with the reason. */
static void dirty_recorded(void)
{
	static struct spawn_out o;
	char root[4200];
	/* write=0.5: pages read first are mapped write-protected, so
	 * tracking by faults (wp) takes some */
	const char *par = "pages=64,frames=16,write=0.5";
	if (pager_run(par, NULL, root, &o) && strstr(o.err, "userfaultfd unavailable")) {
		printf("SKIP part: no userfaultfd here: %s", o.err);
		return;
	}
	PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", par, o.code, o.err);
	char *v, *why;
	resolved(root, "uffd-pager", "dirty", &v, &why);
	int async = v && !strcmp(v, "async");
	PB_CHECK_MSG((async || (v && !strcmp(v, "wp"))) && why && !strncmp(why, "auto: ", 6) &&
			 strstr(why, "UFFD_FEATURE_WP_ASYNC"),
		     "dirty=auto recorded as '%s' (%s)", v ? v : "(none)", why ? why : "(none)");
	long long wp = pbt_event_sum(root, "uffd-pager", "wp_faults", 1);
	PB_CHECK_MSG(async ? wp == 0 : wp > 0, "dirty %s with %lld wp_faults", v ? v : "?", wp);
	free(v);
	free(why);
	resolved(root, "uffd-floor", "dirty", &v, &why);
	PB_CHECK_MSG(v && !strcmp(v, "off") && why, "the floor's dirty: '%s'", v ? v : "(none)");
	free(v);
	free(why);
	/* swap_pages unset (kernel_params says null): the slots made, pages */
	resolved(root, "uffd-pager", "swap_pages", &v, &why);
	PB_CHECK_MSG(v && !strcmp(v, "64") && why && strstr(why, "unset"), "swap_pages: '%s' (%s)",
		     v ? v : "(none)", why ? why : "(none)");
	free(v);
	free(why);

	/* a kernel without WP_ASYNC: auto is wp, and says why */
	PB_CHECK_MSG(pager_run(par, "PAGEBENCH_UFFD=noasync", root, &o) == 0, "noasync: %s", o.err);
	resolved(root, "uffd-pager", "dirty", &v, &why);
	PB_CHECK_MSG(v && !strcmp(v, "wp") && why && strstr(why, "does not offer"),
		     "noasync: dirty=auto recorded as '%s' (%s)", v ? v : "(none)",
		     why ? why : "(none)");
	PB_CHECK_MSG(pbt_event_sum(root, "uffd-pager", "wp_faults", 1) > 0,
		     "noasync: no wp_faults");
	free(v);
	free(why);

	/* given: recorded as given */
	PB_CHECK_MSG(
	    pager_run("pages=64,frames=16,write=0.5,dirty=off,swap_pages=100", NULL, root, &o) == 0,
	    "dirty=off: %s", o.err);
	resolved(root, "uffd-pager", "dirty", &v, &why);
	PB_CHECK_MSG(v && !strcmp(v, "off") && why && !strncmp(why, "asked", 5),
		     "dirty=off recorded as '%s' (%s)", v ? v : "(none)", why ? why : "(none)");
	free(v);
	free(why);
	resolved(root, "uffd-pager", "swap_pages", &v, &why);
	PB_CHECK_MSG(v && !strcmp(v, "100") && why && !strncmp(why, "asked", 5),
		     "swap_pages=100 recorded as '%s' (%s)", v ? v : "(none)",
		     why ? why : "(none)");
	free(v);
	free(why);
}

/* The floor measured, then the pager's setup failing: the reason once and
 * the folder's files whole (runs.csv with the floor's rows, meta.json). */
static void setup_fails_cleanly(void)
{
	static struct spawn_out o;
	char root[4200], pat[4300], path[4300], err[256];
	pager_run("pages=64,frames=16,dirty=async", "PAGEBENCH_UFFD=noasync", root, &o);
	if (strstr(o.err, "userfaultfd unavailable")) {
		printf("SKIP part: no userfaultfd here: %s", o.err);
		return;
	}
	PB_CHECK_MSG(o.code == 1 && count_lines(o.err) >= 1 &&
			 count_of(o.err, "uffd-pager: dirty=async needs UFFD_FEATURE_WP_ASYNC") ==
			     1 &&
			 !strstr(o.err, "cannot write results"),
		     "dirty=async without WP_ASYNC: exit %d:\n%s", o.code, o.err);
	snprintf(pat, sizeof(pat), "%s/*/runs.csv", root);
	struct pb_csv t = {0};
	int rc = pbt_glob_one(pat, path, sizeof(path))
		     ? -ENOENT
		     : pb_csv_read_file(path, &t, err, sizeof(err));
	size_t floor_rows = 0;
	for (size_t r = 0; !rc && r < t.nrows; r++)
		floor_rows += !strcmp(pb_csv_get(&t, r, "kernel"), "uffd-floor");
	PB_CHECK_MSG(!rc && floor_rows > 0 && floor_rows == t.nrows,
		     "runs.csv: %s, %zu of %zu rows the floor's", rc ? err : "read", floor_rows,
		     t.nrows);
	pb_csv_free(&t);
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	const char *st = json_string_value(json_object_get(m, "status"));
	PB_CHECK_MSG(st && !strcmp(st, "failed"), "meta.json status %s", st ? st : "(none)");
	json_decref(m);
}

/* The line of s holding needle (static buffer; "" if none). */
static const char *line_of(const char *s, const char *needle)
{
	static char line[4096];
	const char *p = strstr(s, needle);
	line[0] = 0;
	if (p) {
		while (p > s && p[-1] != '\n')
			p--;
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	}
	return line;
}

/* A thread's setup failing: its reason on the harness's line, once. */
static void thread_setup_reason(void)
{
	static struct spawn_out o;
	char root[4200], par[4400];
	snprintf(par, sizeof(par), "pages=64,frames=16,swap=%s/no-such-folder", top);
	pager_run(par, NULL, root, &o);
	if (strstr(o.err, "userfaultfd unavailable")) {
		printf("SKIP part: no userfaultfd here: %s", o.err);
		return;
	}
	const char *l = line_of(o.err, "thread 0 setup: ");
	PB_CHECK_MSG(
	    o.code == 1 && count_of(o.err, "cannot create swap file") == 1 &&
		strstr(l, "uffd-pager (1 threads): thread 0 setup: cannot create swap file") &&
		strstr(l, "no-such-folder") && strstr(l, "No such file or directory"),
	    "swap folder missing: exit %d:\n%s", o.code, o.err);
	/* a long, deeply nested folder below a regular file */
	char dir[1100], want[1200];
	PB_CHECK_MSG(pbt_blocked_path(dir, sizeof(dir), top, 941) != NULL, "%s: %s", top,
		     strerror(errno));
	snprintf(par, sizeof(par), "pages=64,frames=16,swap=%s", dir);
	pager_run(par, NULL, root, &o);
	snprintf(want, sizeof(want), "cannot create swap file %s/pagebench-swap-", dir);
	l = line_of(o.err, "thread 0 setup: ");
	PB_CHECK_MSG(strlen(dir) > 900 && o.code == 1 &&
			 count_of(o.err, "cannot create swap file") == 1 && strstr(l, want) &&
			 strstr(l, ": Not a directory"),
		     "long swap folder (%zu characters): exit %d:\n%s", strlen(dir), o.code, o.err);
	/* meta.json's errors hold the --param and the reason whole (a 320-byte
	 * buffer cut the reason off a long --param) */
	char pat[4300], path[4300], tail[64];
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	const char *e = json_string_value(json_array_get(json_object_get(m, "errors"), 0));
	snprintf(tail, sizeof(tail), " threads=1: %s", strerror(ENOTDIR));
	PB_CHECK_MSG(e && strstr(e, par) && strlen(e) > strlen(tail) &&
			 !strcmp(e + strlen(e) - strlen(tail), tail),
		     "meta.json errors[0]: %s", e ? e : "(none)");
	json_decref(m);
	/* ... and a run that succeeds with that long a --param (the folders
	 * above the file in the way exist) lists its experiment whole in
	 * meta.json's experiments, " threads=1" included (a 320-byte buffer
	 * cut it) */
	for (int k = 0; k < 2; k++)
		*strrchr(dir, '/') = 0;
	snprintf(par, sizeof(par), "pages=64,frames=16,swap=%s", dir);
	pager_run(par, NULL, root, &o);
	PB_CHECK_MSG(strlen(dir) > 700 && o.code == 0, "long swap folder that exists: exit %d: %s",
		     o.code, o.err);
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	e = json_string_value(json_array_get(json_object_get(m, "experiments"), 1));
	PB_CHECK_MSG(e && strstr(e, par) && strlen(e) > 10 &&
			 !strcmp(e + strlen(e) - 10, " threads=1"),
		     "meta.json experiments[1]: %s", e ? e : "(none)");
	json_decref(m);
}

/* Latency quantiles: a number where faults were timed, else NA with why. */
static void latency_na(void)
{
	static struct spawn_out o;
	char root[4200], pat[4300], path[4300], err[256];
	snprintf(root, sizeof(root), "%s/%d", top, nrun++);
	char *argv[] = {(char *)bin,
			"run",
			"uffd-pager",
			"--threads",
			"2",
			"--reps",
			"1",
			"--ops",
			"2000",
			"--param",
			"pages=64,frames=64,pattern=loop",
			"--no-baseline",
			"--results",
			root,
			NULL};
	spawn_run(argv, NULL, &o);
	if (strstr(o.err, "userfaultfd unavailable")) {
		printf("SKIP part: no userfaultfd here: %s", o.err);
		return;
	}
	PB_CHECK_MSG(o.code == 0, "frames=pages: exit %d: %s", o.code, o.err);
	snprintf(pat, sizeof(pat), "%s/*/events.csv", root);
	struct pb_csv t = {0};
	int rc = pbt_glob_one(pat, path, sizeof(path))
		     ? -ENOENT
		     : pb_csv_read_file(path, &t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "events.csv: %s", rc == -ENOENT ? "none" : err);
	/* per (rep 0|1, thread 0|1|total): faults, and lat_* numbers / NAs;
	 * a loop over the 64 pages: each faults in once, in the warm-up */
	long long faults[2][3] = {{0}};
	int num[2][3] = {{0}}, na[2][3] = {{0}};
	for (size_t r = 0; !rc && r < t.nrows; r++) {
		const char *ev = pb_csv_get(&t, r, "event"), *v = pb_csv_get(&t, r, "value"),
			   *th = pb_csv_get(&t, r, "thread");
		int rep = atoi(pb_csv_get(&t, r, "rep")), k = !strcmp(th, "total") ? 2 : atoi(th);
		if (rep < 0 || rep > 1 || k < 0 || k > 2)
			continue;
		if (!strcmp(ev, "faults"))
			faults[rep][k] = atoll(v);
		else if (!strncmp(ev, "lat_", 4) && !strcmp(v, "NA"))
			na[rep][k]++;
		else if (!strncmp(ev, "lat_", 4) && strtoull(v, NULL, 10) > 0)
			num[rep][k]++;
	}
	pb_csv_free(&t);
	for (int k = 0; k < 2; k++) {
		/* the warm-up faults every page in; the measured repetition none */
		PB_CHECK_MSG(faults[0][k] == 64 && num[0][k] == 4 && na[0][k] == 0,
			     "warm-up, thread %d: %lld faults, %d latencies, %d NA", k,
			     faults[0][k], num[0][k], na[0][k]);
		PB_CHECK_MSG(faults[1][k] == 0 && na[1][k] == 4,
			     "measured, thread %d: %lld faults, %d latencies NA of 4", k,
			     faults[1][k], na[1][k]);
	}
	PB_CHECK_MSG(na[0][2] == 4 && na[1][2] == 4 && num[0][2] == 0,
		     "total rows: %d and %d latencies NA of 4", na[0][2], na[1][2]);
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	const char *why =
	    json_string_value(json_object_get(json_object_get(m, "not_available"), "lat_p50_ns"));
	PB_CHECK_MSG(why && strstr(why, "quantile") && strstr(why, "no fault"),
		     "not_available.lat_p50_ns: %s", why ? why : "(none)");
	json_decref(m);
}

/* latency_csv that cannot be written: refused up front, no run folder. */
static void latency_csv_refused(void)
{
	static struct spawn_out o;
	char par[2][4400], root[4200], pat[4300], path[4300];
	snprintf(par[0], sizeof(par[0]), "pages=64,frames=16,latency_csv=%s", top);
	snprintf(par[1], sizeof(par[1]), "pages=64,frames=16,latency_csv=%s/no-such-folder/l.csv",
		 top);
	const char *why[2] = {"not a regular file", "its folder: No such file or directory"};
	for (int i = 0; i < 2; i++) {
		pager_run(par[i], NULL, root, &o);
		snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
		PB_CHECK_MSG(o.code == 2 && count_lines(o.err) == 1 &&
				 strstr(o.err, "bad latency_csv") && strstr(o.err, why[i]),
			     "%s: exit %d:\n%s", par[i], o.code, o.err);
		PB_CHECK_MSG(pbt_glob_one(pat, path, sizeof(path)) != 0, "%s: a run folder: %s",
			     par[i], path);
	}
	/* a path of 1020 characters (latency_csv= takes up to 1023) below a
	 * regular file: said whole, with the reason, on the one line */
	char file[1100], want[1200];
	PB_CHECK_MSG(pbt_blocked_path(file, sizeof(file), top, 1020) != NULL, "%s: %s", top,
		     strerror(errno));
	snprintf(par[0], sizeof(par[0]), "pages=64,frames=16,latency_csv=%s", file);
	snprintf(want, sizeof(want), "bad latency_csv '%s' (Not a directory)", file);
	pager_run(par[0], NULL, root, &o);
	PB_CHECK_MSG(o.code == 2 && count_lines(o.err) == 1 && strstr(o.err, want),
		     "latency_csv of %zu characters: exit %d:\n%s", strlen(file), o.code, o.err);
}

/* A count after an inject kind that takes none: refused up front. */
static void inject_count_refused(void)
{
	static struct spawn_out o;
	static const char *const par[] = {"pages=64,frames=16,inject=none:5",
					  "pages=64,frames=16,inject=dupmsg:5"};
	static const char *const why[] = {"bad inject 'none:5' (none takes no count",
					  "bad inject 'dupmsg:5' (dupmsg takes no count"};
	char root[4200], pat[4300], path[4300];
	for (int i = 0; i < 2; i++) {
		pager_run(par[i], NULL, root, &o);
		snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
		PB_CHECK_MSG(o.code == 2 && count_lines(o.err) == 1 && strstr(o.err, why[i]),
			     "%s: exit %d:\n%s", par[i], o.code, o.err);
		PB_CHECK_MSG(pbt_glob_one(pat, path, sizeof(path)) != 0, "%s: a run folder: %s",
			     par[i], path);
	}
}

/* A trace of a path longer than 600 characters: run, and named whole. */
static void long_workload_path(void)
{
	static struct spawn_out o;
	char sub[4200], dir[1100], trace[1200], csv[4300], par[8800], root[4200];
	/* nested folders of 100 characters (pbt_blocked_path's, below a
	 * folder of their own), less the file in the way and the name below */
	snprintf(sub, sizeof(sub), "%s/wl", top);
	PB_CHECK(mkdir(sub, 0700) == 0);
	if (!pbt_blocked_path(dir, sizeof(dir), sub, 800)) {
		PB_CHECK_MSG(0, "%s: %s", sub, strerror(errno));
		return;
	}
	for (int k = 0; k < 2; k++)
		*strrchr(dir, '/') = 0;
	snprintf(trace, sizeof(trace), "%s/zipf.pbt", dir);
	PB_CHECK(strlen(trace) > 600);
	char *conv[] = {(char *)bin, "trace", "convert", "zipf:pages=64,refs=8000,write=0.3,seed=3",
			trace,	     NULL};
	spawn_run(conv, NULL, &o);
	PB_CHECK_MSG(o.code == 0, "trace convert to %zu characters: exit %d: %s", strlen(trace),
		     o.code, o.err);
	snprintf(csv, sizeof(csv), "%s/lat.csv", top);
	snprintf(par, sizeof(par), "pages=64,frames=16,latency_csv=%s,workload=trace:path=%s", csv,
		 trace);
	pager_run(par, NULL, root, &o);
	if (strstr(o.err, "userfaultfd unavailable")) {
		printf("SKIP part: no userfaultfd here: %s", o.err);
		return;
	}
	PB_CHECK_MSG(o.code == 0, "workload trace of %zu characters: exit %d: %s", strlen(trace),
		     o.code, o.err);
	char pat[4300], path[4300], err[256];
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	json_t *c = json_object_get(m, "config");
	const char *p = json_string_value(json_object_get(c, "params")),
		   *w = json_string_value(
		       json_object_get(json_object_get(c, "kernel_params"), "workload"));
	PB_CHECK_MSG(p && !strcmp(p, par), "meta.json config.params: %s", p ? p : "(none)");
	PB_CHECK_MSG(w && strstr(w, trace), "meta.json config.kernel_params.workload: %s",
		     w ? w : "(none)");
	json_decref(m);
	/* the pager's rows of the latency CSV: its experiment, the whole
	 * --param less latency_csv= itself (where output goes names no
	 * experiment: runs.csv's rows say the same) */
	char ident[4400];
	snprintf(ident, sizeof(ident), "pages=64,frames=16,workload=trace:path=%s", trace);
	struct pb_csv t = {0};
	int rc = pb_csv_read_file(csv, &t, err, sizeof(err));
	size_t rows = 0, whole = 0;
	for (size_t r = 0; !rc && r < t.nrows; r++)
		if (!strcmp(pb_csv_get(&t, r, "kernel"), "uffd-pager")) {
			const char *e = pb_csv_get(&t, r, "experiment");
			rows++;
			whole += !strncmp(e, "uffd-pager:", 11) && !strcmp(e + 11, ident);
		}
	PB_CHECK_MSG(!rc && rows > 0 && whole == rows,
		     "latency_csv: %s, %zu of %zu pager rows with the --param that names it",
		     rc ? err : "read", whole, rows);
	pb_csv_free(&t);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_pager_report PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pager_report") != NULL);
	unavailable();
	dirty_recorded();
	setup_fails_cleanly();
	thread_setup_reason();
	latency_na();
	latency_csv_refused();
	inject_count_refused();
	long_workload_path();
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
