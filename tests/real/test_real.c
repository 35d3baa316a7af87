/* SPDX-License-Identifier: MIT */
/*
 * Real paging kernels: Linux's faults and the userfaultfd pager run, check
 * their own results (valid=1), and their fault counts are what they claim:
 * one Linux fault per page touched (where the perf counter works) and, for
 * the pager, one userfaultfd fault per non-resident touch with evictions
 * and swap-ins once the region exceeds its frames.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];	/* pbt_tmpdir: under $TMPDIR */
static char root[4200]; /* a fresh results root per run: exactly one folder in it */
static int nrun;

/* Newest run folder's file content (static buffer). */
static char *run_file(const char *name)
{
	static char buf[1 << 20];
	DIR *d = opendir(root);
	struct dirent *e;
	char best[256] = "";
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", e->d_name);
	if (d)
		closedir(d);
	char p[8192];
	snprintf(p, sizeof(p), "%s/%s/%s", root, best, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* events.csv's text parsed with the project's reader into *t; 0 or -1. */
static int events_parse(const char *events, struct pb_csv *t)
{
	char err[256];
	if (!events || pb_csv_parse(events, strlen(events), "events.csv", t, err, sizeof(err))) {
		fprintf(stderr, "  events.csv: %s\n", events ? err : "none");
		return -1;
	}
	return 0;
}

/* Rows of the newest run's file `name` whose column c1 is v1 and, when c2
 * is not NULL, c2 is v2. */
static size_t rows_where(const char *name, const char *c1, const char *v1, const char *c2,
			 const char *v2)
{
	const char *text = run_file(name);
	struct pb_csv t;
	char err[256];
	if (!text || pb_csv_parse(text, strlen(text), name, &t, err, sizeof(err)))
		return 0;
	size_t n = 0;
	for (size_t r = 0; r < t.nrows; r++)
		n += !strcmp(pb_csv_get(&t, r, c1), v1) &&
		     (!c2 || !strcmp(pb_csv_get(&t, r, c2), v2));
	pb_csv_free(&t);
	return n;
}

/* Sum of events.csv values for `event` on total rows of measured reps, of
 * `kernel`'s rows (NULL: every kernel's; a run also runs its baseline). */
static long long event_total(const char *events, const char *kernel, const char *event)
{
	struct pb_csv t;
	if (events_parse(events, &t))
		return -1;
	long long sum = 0;
	for (size_t r = 0; r < t.nrows; r++)
		if (strcmp(pb_csv_get(&t, r, "rep"), "0") &&
		    !strcmp(pb_csv_get(&t, r, "thread"), "total") &&
		    !strcmp(pb_csv_get(&t, r, "event"), event) &&
		    (!kernel || !strcmp(pb_csv_get(&t, r, "kernel"), kernel)))
			sum += atoll(pb_csv_get(&t, r, "value"));
	pb_csv_free(&t);
	return sum;
}

/* Per-thread rows (every repetition) whose cpu_ns is 0 or more than the
 * work_ns of the same thread and repetition; *rows gets how many there are. */
static int cpu_outside_wall(const char *events, int *rows)
{
	struct pb_csv t;
	*rows = 0;
	if (events_parse(events, &t))
		return 1;
	long long work = -1;
	int bad = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		const char *ev = pb_csv_get(&t, r, "event"), *v = pb_csv_get(&t, r, "value");
		if (!strcmp(pb_csv_get(&t, r, "thread"), "total"))
			continue;
		if (!strcmp(ev, "work_ns"))
			work = atoll(v); /* written just before cpu_ns */
		if (!strcmp(ev, "cpu_ns")) {
			long long cpu = atoll(v);
			(*rows)++;
			if (cpu <= 0 || work < 0 || cpu > work) {
				fprintf(
				    stderr,
				    "  threads %s rep %s thread %s: cpu_ns %lld, work_ns %lld\n",
				    pb_csv_get(&t, r, "threads"), pb_csv_get(&t, r, "rep"),
				    pb_csv_get(&t, r, "thread"), cpu, work);
				bad++;
			}
			work = -1;
		}
	}
	pb_csv_free(&t);
	return bad;
}

static int run(char *kernel, char *params, char *size)
{
	static struct spawn_out o;
	snprintf(root, sizeof(root), "%s/%d", top, nrun++);
	char *a[20] = {NULL};
	int i = 0;
	a[i++] = (char *)getenv("PB_BIN");
	a[i++] = "run";
	a[i++] = kernel;
	a[i++] = "--threads";
	a[i++] = "1,2";
	a[i++] = "--reps";
	a[i++] = "2";
	a[i++] = "--results";
	a[i++] = root;
	if (size) {
		a[i++] = "--size";
		a[i++] = size;
	}
	if (params) {
		a[i++] = "--param";
		a[i++] = params;
		a[i++] = "--ops";
		a[i++] = "20000";
	}
	spawn_run(a, NULL, &o);
	PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", kernel, o.code, o.err);
	return o.code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_real PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "real") != NULL);
	char *kernels[] = {"fault-anon", "fault-file", "fault-cow"};
	for (int k = 0; k < 3; k++) {
		if (run(kernels[k], NULL, "2M"))
			continue;
		PB_CHECK(rows_where("runs.csv", "kernel", kernels[k], NULL, NULL) > 0);
		char *ev = run_file("events.csv");
		/* 2 MiB = 512 pages per thread per rep; 2 measured reps; totals over 1 and 2
		 * threads */
		long long pages = event_total(ev, NULL, "pages"),
			  minflt = event_total(ev, NULL, "minflt");
		PB_CHECK_EQ_U64(pages, 512 * 2 * (1 + 2));
		/* Real faults from getrusage: one per page, except fault-around
		 * on the cached file (up to 16 pages per fault). */
		if (k == 1)
			PB_CHECK_MSG(minflt >= pages / 16 && minflt < pages,
				     "fault-file: %lld faults for %lld pages", minflt, pages);
		else
			PB_CHECK_MSG(minflt >= pages, "%s: %lld faults for %lld pages", kernels[k],
				     minflt, pages);
	}
	/* The file's fill: fill=pwrite (4 KiB pwrites: order-0 folios) takes one
	 * write fault per page; fill=map (as will-it-scale: sparse, filled through
	 * a mapping, folios of the kernel's choosing) at most one per page and at
	 * least one per 2 MiB folio.  --ops 20000 on 2 MiB: 40 passes of 512. */
	const char *fills[] = {"fill=pwrite", "fill=map"};
	for (int f = 0; f < 2; f++) {
		if (run("fault-shared-write", (char *)fills[f], "2M"))
			continue;
		char *ev = run_file("events.csv");
		long long pages = event_total(ev, NULL, "pages"),
			  minflt = event_total(ev, NULL, "minflt");
		PB_CHECK_EQ_U64(pages, 40 * 512 * 2 * (1 + 2));
		if (f == 0)
			PB_CHECK_MSG(minflt >= pages, "fill=pwrite: %lld faults for %lld pages",
				     minflt, pages);
		else
			PB_CHECK_MSG(minflt >= pages / 512 && minflt <= pages,
				     "fill=map: %lld faults for %lld pages", minflt, pages);
	}
	/* will-it-scale's way (tests/peers/will_it_scale.sh): a sparse file
	 * (fill=none) and every page also counted in a MAP_SHARED file page
	 * (count=shared); the kernel fails the run unless that counter holds
	 * exactly the pages touched, by the thread or by its forked process,
	 * and unless each checked page is zero but for the byte written.  COW:
	 * about one fault per page (once 122879 for 122880 pages, under load
	 * average 9); shared write: at most one, at least one per 2 MiB folio. */
	const char *wis[] = {"fault-shared-write", "fault-cow"};
	const char *wisp[] = {"fill=none,count=shared", "fill=none,count=shared,procs=1"};
	for (int k = 0; k < 2; k++)
		for (int p = 0; p < 2; p++) {
			if (run((char *)wis[k], (char *)wisp[p], "2M"))
				continue;
			char *ev = run_file("events.csv");
			long long pages = event_total(ev, NULL, "pages"),
				  minflt = event_total(ev, NULL, "minflt");
			PB_CHECK_EQ_U64(pages, 40 * 512 * 2 * (1 + 2));
			PB_CHECK_MSG(minflt >= (k ? pages - pages / 64 : pages / 512) &&
					 minflt <= pages + pages / 8,
				     "%s %s: %lld faults for %lld pages", wis[k], wisp[p], minflt,
				     pages);
			/* CPU time of the task (thread, or forked process): some,
			 * and never more than the wall time it ran (plus a 10 ms
			 * tick per repetition and thread: 2 reps x 3 threads). */
			long long cpu = event_total(ev, NULL, "cpu_ns"),
				  work = event_total(ev, NULL, "work_ns");
			PB_CHECK_MSG(cpu > 0 && cpu <= work + 6 * 10000000LL,
				     "%s %s: cpu_ns %lld, work_ns %lld", wis[k], wisp[p], cpu,
				     work);
		}
	/* cpu_ns of every thread and repetition, on passes shorter than a
	 * scheduler tick (512 read faults of the zero page: well under 1 ms):
	 * some CPU time, never more than the pass's wall time.  getrusage's CPU
	 * times, read until 2026-12-05, gave 0 or a whole 4 ms tick here. */
	if (run("fault-anon-read", NULL, "2M") == 0) {
		int rows = 0, bad = cpu_outside_wall(run_file("events.csv"), &rows);
		PB_CHECK_MSG(rows == 3 * 3 && bad == 0, "%d of %d rows: cpu_ns not within work_ns",
			     bad, rows);
	}
	/* Refused with the reason: a sparse file for a kernel that reads
	 * stamps, a counter for a kernel that touches nothing. */
	const char *bad[][2] = {{"fault-file", "fill=none"}, {"zap-munmap", "count=shared"}};
	for (int b = 0; b < 2; b++) {
		static struct spawn_out o;
		char *a[] = {(char *)getenv("PB_BIN"),
			     "run",
			     (char *)bad[b][0],
			     "--param",
			     (char *)bad[b][1],
			     "--size",
			     "1M",
			     "--reps",
			     "1",
			     "--results",
			     top,
			     NULL};
		spawn_run(a, NULL, &o);
		PB_CHECK_MSG(o.code != 0 && strstr(o.err, bad[b][1]), "%s %s: exit %d: %s",
			     bad[b][0], bad[b][1], o.code, o.err);
	}
	/* userfaultfd pager: 512-page region, 128 frames, loop pattern: every access beyond the
	 * first 128 distinct pages evicts, and revisits swap in. */
	if (run("uffd-pager", "pages=512,frames=128,pattern=loop,policy=clock", NULL) == 0) {
		char *ev = run_file("events.csv");
		long long faults = event_total(ev, "uffd-pager", "faults"),
			  swap = event_total(ev, "uffd-pager", "swap_ins"),
			  evict = event_total(ev, "uffd-pager", "evictions"),
			  zero = event_total(ev, "uffd-pager", "zero_fills");
		PB_CHECK_MSG(faults > 0 && faults == swap + zero, "faults %lld swap %lld zero %lld",
			     faults, swap, zero);
		PB_CHECK(evict > 0 && swap > 0);
		/* Its floor ran first in the same process, on the same loop: every
		 * access a fault and an eviction (20000 per thread and measured
		 * repetition, 2 of them, at 1 and 2 threads), each page from its
		 * slot. */
		long long ff = event_total(ev, "uffd-floor", "faults");
		PB_CHECK_MSG(ff == 2 * 3 * 20000, "floor faults %lld", ff);
		PB_CHECK_EQ_U64(event_total(ev, "uffd-floor", "swap_ins"), ff);
		PB_CHECK_EQ_U64(event_total(ev, "uffd-floor", "evictions"), ff);
		/* ... and nothing written back: its io=copy victims are dropped
		 * (it wrote every one back, dirty=off, until 2026-12-02). */
		PB_CHECK_EQ_U64(event_total(ev, "uffd-floor", "writebacks"), 0);
		PB_CHECK_EQ_U64(event_total(ev, "uffd-floor", "wb_ns"), 0);
		/* The pager's work split: the write-backs' copies are part of the
		 * eviction (zap_ns), the bookkeeping part of the work, and every
		 * victim here is dirty (write=1), so its copy took some time. */
		long long work = event_total(ev, "uffd-pager", "pager_work_ns"),
			  book = event_total(ev, "uffd-pager", "book_ns"),
			  wb = event_total(ev, "uffd-pager", "wb_ns"),
			  zap = event_total(ev, "uffd-pager", "zap_ns");
		PB_CHECK_MSG(book > 0 && book <= work && wb > 0 && wb <= zap,
			     "book_ns %lld pager_work_ns %lld wb_ns %lld zap_ns %lld", book, work,
			     wb, zap);
		PB_CHECK(rows_where("summary.csv", "kernel", "uffd-pager", "baseline",
				    "uffd-floor:pages=512,frames=128,pattern=loop,policy=clock") >
			 0);
	}
	/* The latency histogram file: header, buckets that tile the axis, and
	 * one count per served message of the measured repetitions (faults,
	 * write-protect faults, spurious messages), for each thread count, of
	 * the pager and of its floor. */
	char lat[4300], par[4400];
	snprintf(lat, sizeof(lat), "%s/latency.csv", top);
	snprintf(par, sizeof(par), "pages=512,frames=128,pattern=hotcold,write=0.5,latency_csv=%s",
		 lat);
	if (run("uffd-pager", par, NULL) == 0) {
		char *ev = run_file("events.csv");
		static const char *const kn[2] = {"uffd-pager", "uffd-floor"};
		long long served[2], sum[2][3] = {{0}}, prev_hi[2][3] = {{0}};
		for (int k = 0; k < 2; k++)
			served[k] = event_total(ev, kn[k], "faults") +
				    event_total(ev, kn[k], "wp_faults") +
				    event_total(ev, kn[k], "spurious");
		struct pb_csv t;
		char err[256];
		int rc = pb_csv_read_file(lat, &t, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", lat, err);
		static const char *const hdr[] = {"experiment",	  "kernel",	  "threads",
						  "bucket_ns_lo", "bucket_ns_hi", "count"};
		PB_CHECK(rc == 0 && t.ncols == 6);
		for (size_t c = 0; rc == 0 && c < 6 && c < t.ncols; c++)
			PB_CHECK_MSG(!strcmp(t.header[c], hdr[c]), "column %zu: %s", c,
				     t.header[c]);
		int rows = 0, ordered = 1;
		for (size_t r = 0; rc == 0 && r < t.nrows; r++) {
			const char *name = pb_csv_get(&t, r, "kernel");
			unsigned thr = (unsigned)atoi(pb_csv_get(&t, r, "threads"));
			unsigned long long lo = strtoull(pb_csv_get(&t, r, "bucket_ns_lo"), NULL,
							 10),
					   hi = strtoull(pb_csv_get(&t, r, "bucket_ns_hi"), NULL,
							 10),
					   cnt = strtoull(pb_csv_get(&t, r, "count"), NULL, 10);
			int k = !strcmp(name, kn[1]);
			PB_CHECK_MSG(k || !strcmp(name, kn[0]), "kernel '%s'", name);
			PB_CHECK(thr == 1 || thr == 2);
			/* the experiment is KERNEL:params (quoted: it has commas) */
			const char *x = pb_csv_get(&t, r, "experiment");
			PB_CHECK(!strncmp(x, name, strlen(name)) && x[strlen(name)] == ':');
			if (thr > 2)
				continue;
			ordered &= lo < hi && (long long)lo >= prev_hi[k][thr] && cnt > 0;
			prev_hi[k][thr] = (long long)hi;
			sum[k][thr] += (long long)cnt;
			rows++;
		}
		pb_csv_free(&t);
		PB_CHECK(rows > 4 && ordered);
		for (int k = 0; k < 2; k++)
			PB_CHECK_MSG(sum[k][1] + sum[k][2] == served[k] && served[k] > 0,
				     "%s: %lld latencies, %lld served", kn[k],
				     sum[k][1] + sum[k][2], served[k]);
	}
	/* Instrumented pager (every access reaches the policy): pages still
	 * keep their contents (verify) and faults are still real. */
	if (run("uffd-pager", "pages=512,frames=128,pattern=hotcold,policy=arc,hints=1", NULL) ==
	    0) {
		char *ev = run_file("events.csv");
		long long faults = event_total(ev, "uffd-pager", "faults"),
			  swap = event_total(ev, "uffd-pager", "swap_ins"),
			  zero = event_total(ev, "uffd-pager", "zero_fills");
		PB_CHECK_MSG(faults > 0 && faults == swap + zero,
			     "hints: faults %lld swap %lld zero %lld", faults, swap, zero);
	}
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
