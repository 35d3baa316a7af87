/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sweep_feed.c - the streaming sweep's dataflow (vm_drive.c:
 * batches read into two buffers per stream, jobs and the keys hook taking
 * them in order with no barrier between batches), through the binary, on
 * streams of several batches (262144 references each; policy-only passes
 * 1Mi keys) with more worker threads than CPUs.  Labelled stress, so the
 * TSan build runs it too (a report fails the exit code check):
 *  - an engine sweep over three streams (repetitions of other seeds) on 4
 *    workers gives every count of the loaded replay (--backing file: the
 *    jobs one by one over the whole stream in memory) and of one worker
 *    (its reader thread beside it);
 *  - the policy model's sweep (keys only, one scratch buffer a stream)
 *    on 4 workers gives the counts of one worker;
 *  - mrc's streamed replays and stacks (the keys hook on stream 0) give
 *    the loaded path's misses;
 *  - a trace cut short in its second batch, after the jobs took the first:
 *    the sweep stops with the reader's error (exit 2, one message), no
 *    results folder, no hang;
 *  - meta.json's config.sweep_feed (read back with jansson) counts the
 *    passes (two for 70 engines, more than one pass holds) and the team's
 *    threads (a reader thread beside one worker, none where the process
 *    has one CPU; no more than the pass's configurations and a reader:
 *    one configuration runs beside a reader whatever --workers says), its
 *    busy share in (0, 1];
 *  - waves within a memory budget (PAGEBENCH_MEM_LIMIT, a Slurm job's
 *    SLURM_MEM_PER_NODE or SLURM_MEM_PER_CPU): engines that
 *    outgrow it blind stop the pass, their pages are counted and they run
 *    again in smaller waves; the counts stay the one-wave run's;
 *  - config.trace's hash is the file's FNV-1a, computed here, for a trace
 *    opened once per pass (computed once, on a thread beside the replay).
 */
#define _GNU_SOURCE
#include <glob.h>
#include <jansson.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[512];
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", NULL};
static struct spawn_out out;

/* Run pagebench ARGS... --results dir/tag with environment env; exit
 * code; stderr in out. */
static int run_env(char *const *env, const char *tag, va_list ap)
{
	char root[700];
	snprintf(root, sizeof(root), "%s/%s", dir, tag);
	const char *tail[] = {"--results", root, NULL};
	spawn_runv(bin, env, &out, ap, tail);
	PB_CHECK_MSG(!strstr(out.err, "ThreadSanitizer"), "%s: %s", tag, out.err);
	return out.code;
}

static int run(const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	int c = run_env(envv, tag, ap);
	va_end(ap);
	return c;
}

/* run with environment env */
static int run_envl(char *const *env, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	int c = run_env(env, tag, ap);
	va_end(ap);
	return c;
}

/* whether this process may run on one CPU only (sweeps then start no
 * reader thread beside their one worker) */
static int one_cpu(void)
{
	cpu_set_t set;
	return !sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) == 1;
}

/* run with PAGEBENCH_MEM_LIMIT=limit */
static int run_limit(const char *limit, const char *tag, ...)
{
	char lim[64];
	snprintf(lim, sizeof(lim), "PAGEBENCH_MEM_LIMIT=%s", limit);
	char *env[] = {envv[0], envv[1], lim, NULL};
	va_list ap;
	va_start(ap, tag);
	int c = run_env(env, tag, ap);
	va_end(ap);
	return c;
}

/* The one FILE of the run under dir/tag, read back; 0 on success. */
static int read_csv(const char *tag, const char *file, struct pb_csv *t)
{
	char pat[800], path[900], err[256];
	snprintf(pat, sizeof(pat), "%s/%s/*/%s", dir, tag, file);
	int rc = pbt_glob_one(pat, path, sizeof(path));
	if (!rc)
		rc = pb_csv_read_file(path, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s unreadable", tag, file);
	return rc;
}

/* Every cell of a and b but the run's identity, times and backing; the
 * rows must be at least min. */
static void same_rows(const char *what, const struct pb_csv *a, const struct pb_csv *b, size_t min)
{
	static const char *const skip[] = {"run_id", "backing", "seconds", "accesses_per_s",
					   "wall_s", "cpu_s",	"replay"};
	PB_CHECK_MSG(a->nrows == b->nrows && a->nrows >= min && a->ncols == b->ncols,
		     "%s: %zu / %zu rows (want >= %zu)", what, a->nrows, b->nrows, min);
	size_t diffs = 0;
	for (size_t r = 0; r < a->nrows && r < b->nrows; r++)
		for (size_t c = 0; c < a->ncols && c < b->ncols; c++) {
			int skipped = 0;
			for (size_t k = 0; k < PB_ARRAY_SIZE(skip); k++)
				skipped |= !strcmp(a->header[c], skip[k]);
			if (skipped)
				continue;
			const char *x = pb_csv_get(a, r, a->header[c]),
				   *y = pb_csv_get(b, r, a->header[c]);
			if ((!x || !y || strcmp(x, y)) && diffs++ < 5)
				PB_CHECK_MSG(0, "%s row %zu %s: %s against %s", what, r,
					     a->header[c], x ?: "-", y ?: "-");
		}
	PB_CHECK_MSG(diffs == 0, "%s: %zu cells differ", what, diffs);
}

/* FILE of the runs under dir/ta and dir/tb, read back: same_rows. */
static void same_runs(const char *what, const char *ta, const char *tb, const char *file,
		      size_t min)
{
	struct pb_csv a, b;
	if (read_csv(ta, file, &a))
		return;
	if (!read_csv(tb, file, &b)) {
		same_rows(what, &a, &b, min);
		pb_csv_free(&b);
	}
	pb_csv_free(&a);
}

/* Distinct values of column col (at most 16 kept). */
static size_t distinct(const struct pb_csv *t, const char *col)
{
	const char *seen[16];
	size_t n = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *v = pb_csv_get(t, r, col);
		size_t i = 0;
		while (v && i < n && strcmp(seen[i], v))
			i++;
		if (v && i == n && n < 16)
			seen[n++] = v;
	}
	return n;
}

/* meta.json of the run under dir/tag, read back (NULL: none). */
static json_t *meta_of(const char *tag)
{
	char pat[800], path[900];
	snprintf(pat, sizeof(pat), "%s/%s/*/meta.json", dir, tag);
	return pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
}

/* config.sweep_feed of a run's meta.json m (NULL: none) */
static json_t *sweep_feed(json_t *m)
{
	return json_object_get(json_object_get(m, "config"), "sweep_feed");
}

/* config.sweep_feed of the run under dir/tag: passes and threads as
 * given (threads 0: any), reader as given (-1: either), a busy share in
 * (0, 1], times that add up. */
static void check_feed(const char *tag, long long passes, long long threads, int reader)
{
	json_t *m = meta_of(tag);
	json_t *f = sweep_feed(m);
	json_t *rd = json_object_get(f, "reader");
	PB_CHECK_MSG(json_is_boolean(rd) && (reader < 0 || json_is_true(rd) == reader),
		     "%s: sweep_feed.reader %s (want %d)", tag,
		     rd ? (json_is_true(rd) ? "true" : "false") : "missing", reader);
	long long p = json_integer_value(json_object_get(f, "passes")),
		  t = json_integer_value(json_object_get(f, "threads"));
	double wall = json_real_value(json_object_get(f, "wall_s")),
	       task = json_real_value(json_object_get(f, "task_s")),
	       busy = json_real_value(json_object_get(f, "busy"));
	PB_CHECK_MSG(f && p == passes && (t == threads || (!threads && t >= 1)),
		     "%s: sweep_feed %s: passes %lld (want %lld), threads %lld (want %lld)", tag,
		     f ? "found" : "missing", p, passes, t, threads);
	PB_CHECK_MSG(wall > 0 && task > 0 && busy > 0 && busy <= 1 &&
			 busy > 0.999 * task / (t * wall) && busy < 1.001 * task / (t * wall),
		     "%s: wall %g s, tasks %g s, busy %g", tag, wall, task, busy);
	/* the run's span (meta.json wall_s, from pb_run_mark_start) holds
	 * the pass: its start is taken before the stream is read, although
	 * the folder is created after it */
	double run_wall = json_real_value(json_object_get(m, "wall_s"));
	PB_CHECK_MSG(run_wall >= wall, "%s: meta.json wall_s %g s < the pass's %g s", tag, run_wall,
		     wall);
	json_decref(m);
}

#define WL_ENGINE "zipf:pages=2000,alpha=0.9,refs=280000,write=0.3,procs=2,lib=256"

static void engine_sweep(void)
{
	char bk[600];
	snprintf(bk, sizeof(bk), "file:%s/swap", dir);
	int c4 = run("e4", "sim", "--workload", WL_ENGINE, "--policy", "lru,clock,opt,nru",
		     "--frames", "100,1000", "--reps", "3", "--workers", "4", NULL);
	PB_CHECK_MSG(c4 == 0, "4 workers: exit %d: %s", c4, out.err);
	int c1 = run("e1", "sim", "--workload", WL_ENGINE, "--policy", "lru,clock,opt,nru",
		     "--frames", "100,1000", "--reps", "3", "--workers", "1", NULL);
	PB_CHECK_MSG(c1 == 0, "1 worker: exit %d: %s", c1, out.err);
	int cl = run("el", "sim", "--workload", WL_ENGINE, "--policy", "lru,clock,opt,nru",
		     "--frames", "100,1000", "--reps", "3", "--backing", bk, NULL);
	PB_CHECK_MSG(cl == 0, "loaded: exit %d: %s", cl, out.err);
	struct pb_csv e4;
	if (c4 || c1 || cl || read_csv("e4", "sim.csv", &e4))
		return;
	/* three streams, each of two batches */
	PB_CHECK_MSG(distinct(&e4, "seed") == 3, "%zu seeds", distinct(&e4, "seed"));
	PB_CHECK_MSG(e4.nrows && !strcmp(pb_csv_get(&e4, 0, "refs") ?: "", "280000"), "refs %s",
		     e4.nrows ? pb_csv_get(&e4, 0, "refs") : "-");
	pb_csv_free(&e4);
	same_runs("4 workers / loaded", "e4", "el", "sim.csv", 24);
	same_runs("4 workers / 1 worker", "e4", "e1", "sim.csv", 24);
	check_feed("e4", 1, 4, 0);
	/* the worker and its reader (none on one CPU) */
	check_feed("e1", 1, one_cpu() ? 1 : 2, !one_cpu());
}

#define WL_POLICY "zipf:pages=3000,alpha=0.8,refs=1100000,write=0.2"

static void policy_sweep(void)
{
	int c4 = run("p4", "sim", "--workload", WL_POLICY, "--policy", "lru,arc,clock", "--frames",
		     "100,1000", "--reps", "2", "--model", "policy", "--workers", "4", NULL);
	PB_CHECK_MSG(c4 == 0, "policy, 4 workers: exit %d: %s", c4, out.err);
	int c1 = run("p1", "sim", "--workload", WL_POLICY, "--policy", "lru,arc,clock", "--frames",
		     "100,1000", "--reps", "2", "--model", "policy", "--workers", "1", NULL);
	PB_CHECK_MSG(c1 == 0, "policy, 1 worker: exit %d: %s", c1, out.err);
	if (!c4 && !c1)
		same_runs("policy model, 4 workers / 1 worker", "p4", "p1", "sim.csv", 12);
}

static void mrc_hook(void)
{
	int cs = run("ms", "mrc", "--workload", WL_POLICY, "--policy", "lru,arc,opt", "--frames",
		     "100:1000:300", "--replay", "stream", NULL);
	PB_CHECK_MSG(cs == 0, "mrc stream: exit %d: %s", cs, out.err);
	int cl = run("ml", "mrc", "--workload", WL_POLICY, "--policy", "lru,arc,opt", "--frames",
		     "100:1000:300", "--replay", "load", NULL);
	PB_CHECK_MSG(cl == 0, "mrc load: exit %d: %s", cl, out.err);
	if (cs || cl)
		return;
	same_runs("mrc stream / load", "ms", "ml", "mrc.csv", 12);
	check_feed("ms", 1, 0, -1); /* one thread per PU */
}

/* 70 engines: more than one pass holds (64), the stream is read twice */
static void two_passes(void)
{
	int c = run("waves", "sim", "--workload", "zipf:pages=300,refs=4000", "--policy", "clock",
		    "--frames", "1-70", "--reps", "1", "--workers", "2", NULL);
	PB_CHECK_MSG(c == 0, "70 engines: exit %d: %s", c, out.err);
	if (!c)
		check_feed("waves", 2, 2, 0);
}

/* config.sweep_feed's integer field of the run under dir/tag (-1: none) */
static long long feed_int(const char *tag, const char *field)
{
	json_t *m = meta_of(tag);
	json_t *v = json_object_get(sweep_feed(m), field);
	long long r = json_is_integer(v) ? json_integer_value(v) : -1;
	json_decref(m);
	return r;
}

/* whether config.sweep_feed.wave_budget_from of the run under dir/tag is
 * from */
static int feed_from(const char *tag, const char *from)
{
	json_t *m = meta_of(tag);
	const char *v = json_string_value(json_object_get(sweep_feed(m), "wave_budget_from"));
	int r = v && !strcmp(v, from);
	PB_CHECK_MSG(r, "%s: wave_budget_from %s (want %s)", tag, v ? v : "missing", from);
	json_decref(m);
	return r;
}

/*
 * Waves within the memory budget (vm_drive.c, job_bytes; PAGEBENCH_MEM_LIMIT
 * stands in for a small machine): the engines opened blind on a stream of
 * about 110k pages outgrow what a 64 MiB limit leaves them, so the first
 * pass stops, the pages are counted, and the six engines run again two at
 * a time (one recount, more passes); the policy model's twelve policies
 * fit eight a wave.  Every count is the one-wave run's, each wave's
 * estimate within the budget.
 */
static void memory_waves(void)
{
	const char *wl = "zipf:pages=150000,alpha=0.1,refs=200000";
	int c0 = run("mw0", "sim", "--workload", wl, "--policy", "lru,fifo", "--frames",
		     "100,200,400", "--reps", "1", "--workers", "2", NULL);
	PB_CHECK_MSG(c0 == 0, "one wave: exit %d: %s", c0, out.err);
	int c1 = run_limit("64M", "mw1", "sim", "--workload", wl, "--policy", "lru,fifo",
			   "--frames", "100,200,400", "--reps", "1", "--workers", "2", NULL);
	PB_CHECK_MSG(c1 == 0, "64 MiB: exit %d: %s", c1, out.err);
	if (!c0 && !c1) {
		same_runs("64 MiB waves / one wave", "mw0", "mw1", "sim.csv", 6);
		PB_CHECK_EQ_U64(feed_int("mw0", "passes"), 1);
		PB_CHECK_EQ_U64(feed_int("mw0", "recounts"), 0);
		PB_CHECK_EQ_U64(feed_int("mw1", "recounts"), 1);
		PB_CHECK_MSG(feed_int("mw1", "passes") >= 3, "passes %lld",
			     feed_int("mw1", "passes"));
		PB_CHECK_EQ_U64(feed_int("mw1", "wave_budget_bytes"), 32u << 20);
		PB_CHECK_MSG(feed_int("mw1", "wave_bytes_estimate") <= (32ll << 20),
			     "a wave's estimate %lld", feed_int("mw1", "wave_bytes_estimate"));
	}
	const char *frames = "1000,1100,1200,1300,1400,1500";
	int p0 = run("mp0", "sim", "--model", "policy", "--workload", wl, "--policy", "lru,arc",
		     "--frames", frames, "--reps", "1", "--workers", "2", NULL);
	PB_CHECK_MSG(p0 == 0, "policy model, one wave: exit %d: %s", p0, out.err);
	int p1 = run_limit("6M", "mp1", "sim", "--model", "policy", "--workload", wl, "--policy",
			   "lru,arc", "--frames", frames, "--reps", "1", "--workers", "2", NULL);
	PB_CHECK_MSG(p1 == 0, "policy model, 6 MiB: exit %d: %s", p1, out.err);
	if (!p0 && !p1) {
		same_runs("policy model, 6 MiB waves / one wave", "mp0", "mp1", "sim.csv", 12);
		PB_CHECK_EQ_U64(feed_int("mp0", "passes"), 1);
		PB_CHECK_EQ_U64(feed_int("mp1", "passes"), 2);
		PB_CHECK_EQ_U64(feed_int("mp1", "recounts"), 0);
		feed_from("mp1", "PAGEBENCH_MEM_LIMIT");
	}
	/* A Slurm job's memory (--mem, --mem-per-cpu; MiB) bounds the waves
	 * where no cgroup does; PAGEBENCH_MEM_LIMIT overrides it. */
	char *slurm_env[][5] = {
	    {envv[0], envv[1], "SLURM_MEM_PER_NODE=6", NULL},
	    {envv[0], envv[1], "SLURM_MEM_PER_CPU=3", "SLURM_CPUS_ON_NODE=2", NULL},
	    {envv[0], envv[1], "SLURM_MEM_PER_NODE=6", "PAGEBENCH_MEM_LIMIT=1G", NULL},
	};
	const char *tags[] = {"mps1", "mps2", "mps3"};
	const char *from[] = {"SLURM_MEM_PER_NODE", "SLURM_MEM_PER_CPU", "PAGEBENCH_MEM_LIMIT"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(tags); i++) {
		int c = run_envl(slurm_env[i], tags[i], "sim", "--model", "policy", "--workload",
				 wl, "--policy", "lru,arc", "--frames", frames, "--reps", "1",
				 "--workers", "2", NULL);
		PB_CHECK_MSG(c == 0, "%s: exit %d: %s", tags[i], c, out.err);
		if (c || p0)
			continue;
		same_runs(tags[i], "mp0", tags[i], "sim.csv", 12);
		feed_from(tags[i], from[i]);
		PB_CHECK_EQ_U64(feed_int(tags[i], "passes"), i < 2 ? 2 : 1);
		PB_CHECK_EQ_U64(feed_int(tags[i], "wave_budget_bytes"),
				i < 2 ? 3u << 20 : 512u << 20);
	}
}

/*
 * A pass starts no more threads than its consumers and a reader: one
 * configuration on 4 workers runs as one worker beside its reader (the
 * job's batches do not move between threads), three on 8 workers on 4
 * threads; both give the counts of --workers 1.
 */
static void worker_cap(void)
{
	const char *wl = "zipf:pages=3000,alpha=0.9,refs=600000";
	int c = run("cap1", "sim", "--workload", wl, "--policy", "lru", "--frames", "500", "--reps",
		    "1", "--workers", "4", NULL);
	PB_CHECK_MSG(c == 0, "one configuration, 4 workers: exit %d: %s", c, out.err);
	if (!c)
		check_feed("cap1", 1, one_cpu() ? 1 : 2, !one_cpu());
	/* on one CPU, a reader would only take turns with the worker: one
	 * thread reads and replays, with the same counts */
	char *env1[] = {envv[0], envv[1], "HWLOC_SYNTHETIC=core:1 pu:1", NULL};
	c = run_envl(env1, "cap1u", "sim", "--workload", wl, "--policy", "lru", "--frames", "500",
		     "--reps", "1", "--workers", "1", NULL);
	PB_CHECK_MSG(c == 0, "one configuration on one CPU: exit %d: %s", c, out.err);
	if (!c) {
		check_feed("cap1u", 1, 1, 0);
		same_runs("one CPU / a worker and its reader", "cap1", "cap1u", "sim.csv", 1);
	}
	c = run("cap3", "sim", "--workload", wl, "--policy", "lru,clock,arc", "--frames", "500",
		"--reps", "1", "--workers", "8", NULL);
	PB_CHECK_MSG(c == 0, "three configurations, 8 workers: exit %d: %s", c, out.err);
	if (!c)
		check_feed("cap3", 1, 4, 0);
	c = run("cap3w1", "sim", "--workload", wl, "--policy", "lru,clock,arc", "--frames", "500",
		"--reps", "1", "--workers", "1", NULL);
	PB_CHECK_MSG(c == 0, "three configurations, 1 worker: exit %d: %s", c, out.err);
	if (!c)
		same_runs("three configurations, 8 workers / 1 worker", "cap3", "cap3w1", "sim.csv",
			  3);
}

/* The generator spec recorded into dir/name as a pbt trace (its path in
 * trace, its workload spec in wl). */
static void convert(const char *name, const char *spec, char *trace, size_t tlen, char *wl,
		    size_t wlen)
{
	snprintf(trace, tlen, "%s/%s", dir, name);
	char *conv[] = {(char *)bin, "trace", "convert", (char *)spec, trace, NULL};
	spawn_run(conv, envv, &out);
	PB_CHECK_MSG(out.code == 0, "trace convert %s: exit %d: %s", name, out.code, out.err);
	snprintf(wl, wlen, "trace:path=%s", trace);
}

/* FNV-1a 64 of n bytes of f from off on, into *h; 0 or -1. */
static int fnv_file(FILE *f, long off, long n, uint64_t *h)
{
	if (fseek(f, off, SEEK_SET))
		return -1;
	for (long i = 0; i < n; i++) {
		int c = getc(f);
		if (c == EOF)
			return -1;
		*h = (*h ^ (unsigned char)c) * 0x100000001b3ULL;
	}
	return 0;
}

/*
 * config.trace: the identity of a trace file (its size, and FNV-1a 64 of
 * its first and last MiB and the size as 8 bytes LE), computed here
 * independently, for a sweep of 70 engines that opens the trace once a
 * pass (two passes: the identity is computed once, beside the replay,
 * and shared by the second opening).
 */
static void trace_identity(void)
{
	char trace[600], wl[700];
	convert("ident.pbt", "zipf:pages=300,alpha=0.9,refs=20000", trace, sizeof(trace), wl,
		sizeof(wl));
	int c = run("ident", "sim", "--workload", wl, "--policy", "clock", "--frames", "1-70",
		    "--reps", "1", "--workers", "2", NULL);
	PB_CHECK_MSG(c == 0, "70 engines over a trace: exit %d: %s", c, out.err);
	if (c)
		return;
	check_feed("ident", 2, 2, 0);
	FILE *f = fopen(trace, "rb");
	struct stat st;
	uint64_t h = 0xcbf29ce484222325ULL;
	long mib = 1L << 20;
	PB_CHECK(f && !fstat(fileno(f), &st));
	long n = f ? (long)st.st_size : 0, head = n < mib ? n : mib;
	long tail = n > 2 * mib ? n - mib : head;
	int rc = f ? fnv_file(f, 0, head, &h) | fnv_file(f, tail, n - tail, &h) : -1;
	for (int i = 0; i < 8; i++)
		h = (h ^ (unsigned char)((uint64_t)n >> (8 * i))) * 0x100000001b3ULL;
	if (f)
		fclose(f);
	char want[40];
	snprintf(want, sizeof(want), "fnv1a64:%016llx", (unsigned long long)h);
	json_t *m = meta_of("ident");
	json_t *tr = json_object_get(json_object_get(m, "config"), "trace");
	const char *got = json_string_value(json_object_get(tr, "hash"));
	PB_CHECK_MSG(!rc && n > 0 && got && !strcmp(got, want) &&
			 json_integer_value(json_object_get(tr, "size")) == n,
		     "trace identity %s, size %lld; computed here %s, %ld bytes", got ?: "(none)",
		     (long long)json_integer_value(json_object_get(tr, "size")), want, n);
	/* meta.json's inputs list the trace with the same identity (the list
	 * was always empty): the whole file's hash where a replay read it all
	 * (config.trace.file_hash), else the first/last MiB's */
	json_t *in = json_object_get(m, "inputs"), *e0 = json_array_get(in, 0);
	const char *ih = json_string_value(json_object_get(e0, "hash"));
	const char *fh = json_string_value(json_object_get(tr, "file_hash"));
	PB_CHECK_MSG(json_array_size(in) == 1 && ih && !strcmp(ih, fh ? fh : want) &&
			 !strcmp(json_string_value(json_object_get(e0, "role")) ?: "", "trace") &&
			 !strcmp(json_string_value(json_object_get(e0, "path")) ?: "", trace) &&
			 json_integer_value(json_object_get(e0, "size_bytes")) == n &&
			 json_is_string(json_object_get(e0, "hash_covers")),
		     "inputs: %zu entries, hash %s", json_array_size(in), ih ?: "(none)");
	json_decref(m);
}

static void cut_short(void)
{
	char trace[600], wl[700];
	convert("cut.pbt", "zipf:pages=2000,alpha=0.9,refs=300000", trace, sizeof(trace), wl,
		sizeof(wl));
	struct stat st;
	PB_CHECK(stat(trace, &st) == 0 && st.st_size > 1000);
	PB_CHECK(truncate(trace, st.st_size - 100) == 0); /* inside the last block */
	int c = run("cut", "sim", "--workload", wl, "--policy", "lru,clock,arc", "--frames",
		    "100,1000", "--reps", "1", "--workers", "4", NULL);
	PB_CHECK_MSG(c == 2 && count_lines(out.err) == 1 && strstr(out.err, "truncated block"),
		     "cut short: exit %d: %s", c, out.err);
	char pat[800];
	snprintf(pat, sizeof(pat), "%s/cut/*", dir);
	glob_t g;
	PB_CHECK_MSG(glob(pat, 0, NULL, &g) == GLOB_NOMATCH, "a results folder of a failed sweep");
	globfree(&g);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_sweep_feed PAGEBENCH");
	bin = argv[1];
	if (!pbt_tmpdir(dir, sizeof(dir), "feed"))
		PB_SKIP("no temp dir");
	engine_sweep();
	policy_sweep();
	mrc_hook();
	two_passes();
	worker_cap();
	memory_waves();
	trace_identity();
	cut_short();
	if (pbt_rmtree(dir))
		fprintf(stderr, "could not remove %s\n", dir);
	return pb_test_done();
}
