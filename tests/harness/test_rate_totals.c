/* SPDX-License-Identifier: MIT */
/*
 * A kernel's rate columns (events.csv) in total rows: the team's rate, not
 * the sum of the threads' rates (kernel.h, extra_rate), and NA with its
 * reason where there is nothing to divide (never 0).  Through the binary,
 * 1 and 2 threads, read back with the project's CSV reader and jansson:
 *  - fault-anon: total ns_per_fault = total work_ns / total (minflt +
 *    majflt), ns_per_page = work_ns / pages, faults_per_s = the team's
 *    faults over the longest thread's work_ns (until 2026-12-05 each was
 *    the sum of the threads' rates: twice a thread's cost at 2 threads);
 *  - zap-munmap (no fault in its timed passes): ns_per_fault NA in every
 *    row, meta.json not_available says why (it was 0);
 *  - vm-fault: total ns_per_fault is the faults' weighted mean of the
 *    threads' (it was their sum);
 *  - vm-tlb (the TLB alone): faults and ns_per_fault NA (they were 0).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static int nrun;

/* events.csv of one `run KERNEL --threads 1,2` into *t; meta.json's
 * not_available into *na (a new reference, or NULL).  0 or -1. */
static int run(const char *kernel, const char *size, const char *ops, struct pb_csv *t, json_t **na)
{
	static struct spawn_out o;
	char root[4200], dir[4400], path[4500], err[256];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nrun++);
	json_t *m = pbt_run_meta(getenv("PB_BIN"), root, &o, dir, sizeof(dir), "run", kernel,
				 "--threads", "1,2", "--reps", "2", "--size", size, "--ops", ops,
				 "--no-baseline", (char *)NULL);
	if (!m)
		return -1;
	snprintf(path, sizeof(path), "%.4400s/events.csv", dir);
	int rc = pb_csv_read_file(path, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", path, err);
	*na = json_incref(json_object_get(m, "not_available"));
	json_decref(m);
	return rc ? -1 : 0;
}

/* The value of `event` in the row of (threads, rep, thread): a count, -2
 * for NA, -1 when no such row. */
static long long ev(const struct pb_csv *t, unsigned threads, unsigned rep, const char *thread,
		    const char *event)
{
	char th[16], rp[16];
	snprintf(th, sizeof(th), "%u", threads);
	snprintf(rp, sizeof(rp), "%u", rep);
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(pb_csv_get(t, r, "threads"), th) &&
		    !strcmp(pb_csv_get(t, r, "rep"), rp) &&
		    !strcmp(pb_csv_get(t, r, "thread"), thread) &&
		    !strcmp(pb_csv_get(t, r, "event"), event)) {
			const char *v = pb_csv_get(t, r, "value");
			return strcmp(v, "NA") ? atoll(v) : -2;
		}
	return -1;
}

/* |a - b| <= d */
static int near(long long a, long long b, long long d)
{
	return a - b <= d && b - a <= d;
}

/* meta.json not_available names `col` with a reason containing `why`. */
static int na_says(json_t *na, const char *col, const char *why)
{
	const char *s = json_string_value(json_object_get(na, col));
	return s && strstr(s, why);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_rate_totals PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	setenv("PAGEBENCH_COUNTERS", "none", 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "rates") != NULL);
	struct pb_csv t;
	json_t *na = NULL;

	/* fault-anon: 512 pages a thread and repetition, one fault each */
	if (!run("fault-anon", "2M", "512", &t, &na)) {
		int checked = 0;
		for (unsigned rep = 0; rep <= 2; rep++) {
			long long work = 0, faults = 0, pages = 0, span = 0, sum_rates = 0;
			for (unsigned th = 0; th < 2; th++) {
				char id[4];
				snprintf(id, sizeof(id), "%u", th);
				long long w = ev(&t, 2, rep, id, "work_ns");
				work += w;
				span = w > span ? w : span;
				faults +=
				    ev(&t, 2, rep, id, "minflt") + ev(&t, 2, rep, id, "majflt");
				pages += ev(&t, 2, rep, id, "pages");
				sum_rates += ev(&t, 2, rep, id, "ns_per_fault");
			}
			long long npf = ev(&t, 2, rep, "total", "ns_per_fault"),
				  npp = ev(&t, 2, rep, "total", "ns_per_page"),
				  fps = ev(&t, 2, rep, "total", "faults_per_s");
			PB_CHECK_MSG(faults > 0 && npf == work / faults,
				     "rep %u: total ns_per_fault %lld, work %lld / faults %lld "
				     "(the threads' sum: %lld)",
				     rep, npf, work, faults, sum_rates);
			PB_CHECK_MSG(pages > 0 && npp == work / pages,
				     "rep %u: total ns_per_page %lld, work %lld / pages %lld", rep,
				     npp, work, pages);
			PB_CHECK_MSG(
			    span > 0 &&
				near(fps, (long long)((double)faults * 1e9 / (double)span), 1),
			    "rep %u: total faults_per_s %lld, faults %lld over %lld ns", rep, fps,
			    faults, span);
			checked += faults > 0;
		}
		PB_CHECK_EQ_U64(checked, 3);
		/* one thread: the total row is the thread's */
		PB_CHECK_EQ_U64(ev(&t, 1, 1, "total", "ns_per_fault"),
				ev(&t, 1, 1, "0", "ns_per_fault"));
		pb_csv_free(&t);
		json_decref(na);
	}

	/* zap-munmap: no fault in the timed passes */
	if (!run("zap-munmap", "1M", "256", &t, &na)) {
		size_t rows = 0, nas = 0;
		for (size_t r = 0; r < t.nrows; r++)
			if (!strcmp(pb_csv_get(&t, r, "event"), "ns_per_fault")) {
				rows++;
				nas += !strcmp(pb_csv_get(&t, r, "value"), "NA");
			}
		/* 3 repetitions x (1 + 1 total, 2 + 1 total) */
		PB_CHECK_MSG(rows == 15 && nas == rows, "%zu of %zu ns_per_fault rows NA", nas,
			     rows);
		PB_CHECK_MSG(na_says(na, "ns_per_fault", "no fault"),
			     "meta.json not_available.ns_per_fault missing or without a reason");
		pb_csv_free(&t);
		json_decref(na);
	}

	/* vm-fault: the total is the faults' mean.  Frames hold half the
	 * team's pages, so a thread that runs while the other waits (2 vCPUs
	 * under load) can keep its own pages resident and take no fault in a
	 * repetition: its ns_per_fault is NA and the total is the others'. */
	if (!run("vm-fault", "1M", "20000", &t, &na)) {
		int faulting = 0;
		for (unsigned rep = 0; rep <= 2; rep++) {
			long long ns = 0, faults = 0;
			for (unsigned th = 0; th < 2; th++) {
				char id[4];
				snprintf(id, sizeof(id), "%u", th);
				long long f = ev(&t, 2, rep, id, "faults"),
					  n = ev(&t, 2, rep, id, "ns_per_fault");
				PB_CHECK_MSG(f > 0 ? n > 0 : f == 0 && n == -2,
					     "rep %u thread %u: %lld faults, ns_per_fault %lld",
					     rep, th, f, n);
				if (f > 0 && n > 0) {
					ns += n * f;
					faults += f;
				}
			}
			long long tot = ev(&t, 2, rep, "total", "ns_per_fault");
			PB_CHECK_MSG(
			    faults ? tot == ns / faults : tot == -2,
			    "rep %u: total ns_per_fault %lld, the threads' weighted mean %lld", rep,
			    tot, faults ? ns / faults : -2);
			faulting += faults > 0;
		}
		PB_CHECK(faulting > 0);
		pb_csv_free(&t);
		json_decref(na);
	}

	/* vm-tlb: the TLB model alone counts no faults */
	if (!run("vm-tlb", "1M", "20000", &t, &na)) {
		PB_CHECK_EQ_U64(ev(&t, 2, 1, "0", "faults"), -2);
		PB_CHECK_EQ_U64(ev(&t, 2, 1, "total", "ns_per_fault"), -2);
		PB_CHECK(ev(&t, 2, 1, "total", "tlb_misses") >= 0); /* counted */
		PB_CHECK(na_says(na, "faults", "not measured"));
		pb_csv_free(&t);
		json_decref(na);
	}

	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
