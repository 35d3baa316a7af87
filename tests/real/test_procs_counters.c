/* SPDX-License-Identifier: MIT */
/*
 * The counters of a kernel that runs its work in child processes
 * (procs=1: kernels/real/faults.c forks one per team member and
 * repetition).  The per-thread counters counted the thread that waits:
 * `run fault-anon --param procs=1` wrote perf_minor_faults=27 and
 * ru_minflt=28 where events.csv (the child's own getrusage) had 8193.
 * Now the perf software events count the child with its thread (inherited
 * events): at least the faults the child counted itself; getrusage
 * (RUSAGE_THREAD), the thread's CPU clock (thread_cpu_ns) and PAPI
 * cannot, and are NA with the reason in meta.json not_available.  Without
 * procs=1 the thread's rusage still counts the faults, and thread_cpu_ns
 * is a number above 0 in every thread row.  Through the binary, read back
 * with the project's CSV reader and jansson.  argv[1]: the pagebench
 * binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static int nroot;

struct out {
	struct pb_csv runs, events;
	json_t *meta;
};

/* `run fault-anon --threads THREADS --param PARAM` (1024 pages a thread
 * and repetition) into *x.  0 or -1. */
static int run(const char *threads, const char *param, struct out *x)
{
	static struct spawn_out o;
	char root[4200], dir[4400], path[4500], err[256];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	x->meta = pbt_run_meta(getenv("PB_BIN"), root, &o, dir, sizeof(dir), "run", "fault-anon",
			       "--threads", threads, "--reps", "2", "--size", "4M", "--no-baseline",
			       "--param", param, (char *)NULL);
	if (!x->meta)
		return -1;
	snprintf(path, sizeof(path), "%.4400s/runs.csv", dir);
	int rc = pb_csv_read_file(path, &x->runs, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", path, err);
	if (!rc) {
		snprintf(path, sizeof(path), "%.4400s/events.csv", dir);
		rc = pb_csv_read_file(path, &x->events, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", path, err);
		if (rc)
			pb_csv_free(&x->runs);
	}
	if (rc) {
		json_decref(x->meta);
		return -1;
	}
	return 0;
}

static void out_free(struct out *x)
{
	pb_csv_free(&x->runs);
	pb_csv_free(&x->events);
	json_decref(x->meta);
}

/* events.csv's minflt for runs.csv's row r: a count, or -1 */
static long long child_minflt(const struct out *x, size_t r)
{
	const char *th = pb_csv_get(&x->runs, r, "threads"), *rep = pb_csv_get(&x->runs, r, "rep"),
		   *t = pb_csv_get(&x->runs, r, "thread");
	for (size_t e = 0; e < x->events.nrows; e++)
		if (!strcmp(pb_csv_get(&x->events, e, "threads"), th) &&
		    !strcmp(pb_csv_get(&x->events, e, "rep"), rep) &&
		    !strcmp(pb_csv_get(&x->events, e, "thread"), t) &&
		    !strcmp(pb_csv_get(&x->events, e, "event"), "minflt")) {
			const char *v = pb_csv_get(&x->events, e, "value");
			return strcmp(v, "NA") ? atoll(v) : -1;
		}
	return -1;
}

/* meta.json: is column col counted on this machine (counters.columns'
 * machine_available: available is this run's answer, false for ru_* of a
 * procs=1 run, which would let the checks below pass on a broken counter) */
static int available(const struct out *x, const char *col)
{
	json_t *c = json_object_get(json_object_get(x->meta, "counters"), "columns");
	return json_is_true(json_object_get(json_object_get(c, col), "machine_available"));
}

static const char *na_reason(const struct out *x, const char *col)
{
	return json_string_value(json_object_get(json_object_get(x->meta, "not_available"), col));
}

/* the rusage rung's columns: getrusage(RUSAGE_THREAD)'s and the thread's
 * CPU clock (thread_cpu_ns), each of which counts the thread alone (with
 * procs=1 the one that waits) */
static const char *const rusage_cols[] = {"ru_minflt",	 "ru_majflt",	"ru_nvcsw",	"ru_nivcsw",
					  "ru_utime_ns", "ru_stime_ns", "thread_cpu_ns"};
static const char *const papi_cols[] = {"papi_tot_cyc", "papi_tot_ins", "papi_l1_dcm",
					"papi_l2_dcm",	"papi_l3_tcm",	"papi_tlb_dm",
					"papi_tlb_im"};

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_procs_counters PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	unsetenv("PAGEBENCH_COUNTERS"); /* every rung */
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "procs") != NULL);
	struct out x;

	if (!run("1,2", "procs=1", &x)) {
		int perf = available(&x, "perf_minor_faults");
		size_t rows = 0;
		for (size_t r = 0; r < x.runs.nrows; r++) {
			const char *th = pb_csv_get(&x.runs, r, "thread");
			for (size_t k = 0; k < PB_ARRAY_SIZE(rusage_cols); k++)
				PB_CHECK_MSG(!strcmp(pb_csv_get(&x.runs, r, rusage_cols[k]), "NA"),
					     "procs=1, row %zu (thread %s): %s=%s, the waiting "
					     "thread's",
					     r, th, rusage_cols[k],
					     pb_csv_get(&x.runs, r, rusage_cols[k]));
			for (size_t k = 0; k < PB_ARRAY_SIZE(papi_cols); k++)
				PB_CHECK_MSG(!strcmp(pb_csv_get(&x.runs, r, papi_cols[k]), "NA"),
					     "procs=1, row %zu: %s=%s", r, papi_cols[k],
					     pb_csv_get(&x.runs, r, papi_cols[k]));
			if (!strcmp(th, "total"))
				continue;
			rows++;
			const char *pf = pb_csv_get(&x.runs, r, "perf_minor_faults");
			long long child = child_minflt(&x, r);
			PB_CHECK_MSG(child >= 1024, "row %zu: the child's minflt %lld", r, child);
			if (perf)
				PB_CHECK_MSG(strcmp(pf, "NA") && atoll(pf) >= child,
					     "procs=1, row %zu (thread %s): perf_minor_faults %s, "
					     "the child took %lld",
					     r, th, pf, child);
			else
				PB_CHECK_MSG(!strcmp(pf, "NA"),
					     "perf_minor_faults %s, not available", pf);
		}
		PB_CHECK_MSG(rows == 9, "%zu thread rows (1 + 2 threads x 3 repetitions)", rows);
		for (size_t k = 0; k < PB_ARRAY_SIZE(rusage_cols); k++) {
			const char *w = na_reason(&x, rusage_cols[k]);
			PB_CHECK_MSG(w && strstr(w, "child process"), "not_available.%s: %s",
				     rusage_cols[k], w ? w : "(none)");
		}
		for (size_t k = 0; k < PB_ARRAY_SIZE(papi_cols); k++)
			PB_CHECK_MSG(na_reason(&x, papi_cols[k]) != NULL,
				     "not_available.%s: no reason", papi_cols[k]);
		if (!perf)
			fprintf(stderr, "note: perf software events not available here: "
					"their count of the children is not checked\n");
		out_free(&x);
	}

	/* threads, not processes: the thread's own rusage counts its faults,
	 * and its CPU clock the time it spent taking them (1024 faults: more
	 * than 0 ns), or the column is NA with the machine's reason */
	if (!run("1", "procs=0", &x)) {
		int cpu = available(&x, "thread_cpu_ns");
		for (size_t r = 0; r < x.runs.nrows; r++) {
			if (!strcmp(pb_csv_get(&x.runs, r, "thread"), "total"))
				continue;
			const char *ru = pb_csv_get(&x.runs, r, "ru_minflt");
			long long child = child_minflt(&x, r);
			PB_CHECK_MSG(strcmp(ru, "NA") && child >= 1024 && atoll(ru) >= child,
				     "procs=0, row %zu: ru_minflt %s, the kernel counted %lld", r,
				     ru, child);
			const char *tc = pb_csv_get(&x.runs, r, "thread_cpu_ns");
			char *end = NULL;
			unsigned long long ns = tc ? strtoull(tc, &end, 10) : 0;
			if (cpu)
				PB_CHECK_MSG(tc && end != tc && !*end && ns > 0,
					     "procs=0, row %zu: thread_cpu_ns '%s'", r,
					     tc ? tc : "(no column)");
			else
				PB_CHECK_MSG(tc && !strcmp(tc, "NA"),
					     "thread_cpu_ns %s, not available", tc ? tc : "(none)");
		}
		PB_CHECK(na_reason(&x, "ru_minflt") == NULL);
		const char *w = na_reason(&x, "thread_cpu_ns");
		PB_CHECK_MSG(cpu ? w == NULL : w && strstr(w, "CLOCK_THREAD_CPUTIME_ID"),
			     "procs=0: not_available.thread_cpu_ns: %s", w ? w : "(none)");
		out_free(&x);
	}

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
