/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/test_mrc_stream.c - `pagebench mrc` streamed (the default,
 * --replay stream: no stream in memory) against the loaded reference path
 * (--replay load), end to end: every mrc.csv cell but run_id is the same
 * for LRU (stack distances), ARC (replays by the streaming sweep), OPT by
 * its priority stack and by replays (both with the streamed 8 B/ref
 * next-use array) and a sampled run (--sample: the SHARDS samples kept
 * while reading, LRU's exact calibration curve streamed).  mrc.csv is read
 * with the CSV reader, meta.json's config.replay with jansson.  Then the
 * kernels alone: pb_mrc_lru_begin/_feed/_end and pb_mrc_opt_begin/_feed/
 * _end fed in uneven batches equal pb_mrc_lru and pb_mrc_opt, and with
 * sizes up to 2^29 frames over 3 000 keys they stay within 64 MiB; OPT's
 * end asked for misses before all n references were fed is refused
 * (-EINVAL, misses untouched), not the rest counted as misses.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "pagebench/csvread.h"
#include "pagebench/mrc.h"
#include "pagebench/nextuse.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char env_results[1200];
static char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", NULL};

/* `pagebench mrc ARGS... --replay MODE` (args: NULL-terminated); its run
 * folder into dir ("" on failure). */
static void run_mrc(const char *const *args, const char *mode, char *dir, size_t len)
{
	static struct spawn_out o;
	char *argv[40] = {(char *)bin, "mrc"};
	int n = 2;
	for (; args[n - 2] && n < 36; n++)
		argv[n] = (char *)args[n - 2];
	argv[n++] = "--replay";
	argv[n++] = (char *)mode;
	argv[n] = NULL;
	spawn_run(argv, envv, &o);
	const char *p = strstr(o.err, "rows in ");
	const char *e = p ? strstr(p, "/mrc.csv") : NULL;
	dir[0] = 0;
	if (o.code == 0 && p && e && (size_t)(e - p - 8) < len)
		snprintf(dir, len, "%.*s", (int)(e - p - 8), p + 8);
	PB_CHECK_MSG(o.code == 0 && dir[0], "mrc --replay %s: exit %d: %s", mode, o.code, o.err);
}

/* meta.json's config.replay of a run folder, into out. */
static void replay_of(const char *dir, char *out, size_t len)
{
	char p[1400];
	json_error_t je;
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	json_t *root = json_load_file(p, 0, &je);
	PB_CHECK_MSG(root != NULL, "%s: %s", p, je.text);
	const char *s =
	    json_string_value(json_object_get(json_object_get(root, "config"), "replay"));
	snprintf(out, len, "%s", s ? s : "");
	json_decref(root);
}

/* Streamed and loaded runs of args: the same rows; the streamed run's
 * config.replay starts with `want`.  refs: the workload's length. */
static void compare(const char *what, const char *const *args, const char *want, const char *refs,
		    size_t rows)
{
	char ds[1200], dl[1200], rs[256], rl[256];
	run_mrc(args, "stream", ds, sizeof(ds));
	run_mrc(args, "load", dl, sizeof(dl));
	if (!ds[0] || !dl[0])
		return;
	replay_of(ds, rs, sizeof(rs));
	replay_of(dl, rl, sizeof(rl));
	PB_CHECK_MSG(!strncmp(rs, want, strlen(want)), "%s: replay '%s'", what, rs);
	PB_CHECK_MSG(!strncmp(rl, "loaded 16 B/ref", 15), "%s: replay '%s'", what, rl);
	struct pb_csv s = {0}, l = {0};
	char p[1400], err[256];
	snprintf(p, sizeof(p), "%s/mrc.csv", ds);
	PB_CHECK_MSG(!pb_csv_read_file(p, &s, err, sizeof(err)), "%s", err);
	snprintf(p, sizeof(p), "%s/mrc.csv", dl);
	PB_CHECK_MSG(!pb_csv_read_file(p, &l, err, sizeof(err)), "%s", err);
	PB_CHECK_MSG(s.nrows == rows && l.nrows == rows && s.ncols == l.ncols,
		     "%s: %zu and %zu rows, %zu expected", what, s.nrows, l.nrows, rows);
	size_t diff = 0;
	for (size_t r = 0; r < s.nrows && r < l.nrows; r++) {
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "refs"), refs));
		for (size_t c = 0; c < s.ncols && c < l.ncols; c++) {
			if (!strcmp(s.header[c], "run_id"))
				continue;
			const char *a = pb_csv_cell(&s, r, (int)c), *b = pb_csv_cell(&l, r, (int)c);
			if (strcmp(a, b) && diff++ < 5)
				PB_CHECK_MSG(0, "%s row %zu %s: streamed %s, loaded %s", what, r,
					     s.header[c], a, b);
		}
	}
	printf("%s: %zu rows, %zu cells differ; streamed: %s\n", what, s.nrows, diff, rs);
	pb_csv_free(&s);
	pb_csv_free(&l);
}

/* n keys, 7/8 of them over a hot set of 400 and 1/8 over `tail` more
 * (an LCG from seed), into *k and their next uses into *nu (malloc'ed,
 * freed by the caller even on failure).  0 or -1. */
static int hot_cold(size_t n, uint64_t seed, uint64_t tail, uint64_t **k, uint64_t **nu)
{
	*k = malloc(n * sizeof(**k));
	*nu = malloc(n * sizeof(**nu));
	if (!*k || !*nu)
		return -1;
	uint64_t x = seed;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		(*k)[i] = (x >> 33) % 8 ? (x >> 20) % 400 : 400 + (x >> 20) % tail;
	}
	return pb_next_use(*k, n, *nu) ? -1 : 0;
}

/* LRU's and OPT's streams over keys k (next uses nu) fed in batches of 1,
 * 10, 91, ...: their misses at sizes[0..ns) into lru and opt. */
static void streams(const uint64_t *k, const uint64_t *nu, size_t n, const uint64_t *sizes,
		    size_t ns, uint64_t *lru, uint64_t *opt)
{
	struct pb_mrc_lru_stream *ls = NULL;
	struct pb_mrc_opt_stream *os = NULL;
	PB_CHECK(pb_mrc_lru_begin(sizes, ns, &ls) == 0);
	PB_CHECK(pb_mrc_opt_begin(sizes, ns, n, &os) == 0);
	for (size_t i = 0, m = 1; ls && os && i < n; i += m, m = m * 9 + 1) {
		size_t take = n - i < m ? n - i : m;
		PB_CHECK(pb_mrc_lru_feed(ls, k + i, take) == 0);
		PB_CHECK(pb_mrc_opt_feed(os, k + i, nu + i, take) == 0);
	}
	PB_CHECK(os && pb_mrc_opt_feed(os, k, nu, 1) == -ERANGE); /* one more than n */
	pb_mrc_lru_end(ls, lru);
	PB_CHECK(pb_mrc_opt_end(os, opt) == 0);
}

/* Peak resident set of this process so far, KiB. */
static long peak_kib(void)
{
	struct rusage u;
	return getrusage(RUSAGE_SELF, &u) ? 0 : u.ru_maxrss;
}

/*
 * Sizes far above the keys: 4Mi references over 3 000 keys with sizes up
 * to 2^29 frames.  The streams' histograms and OPT's stack hold what the
 * distances reach (a distance never exceeds the distinct keys), so the
 * peak grows by well under 64 MiB; it grew by 4 GiB when LRU's histogram
 * had an entry for every frame up to the largest size (touched by end's
 * suffix sums) and by over 100 MiB when OPT's arrays had one for every
 * frame up to min(largest size, references).  Run first: the peak is the
 * process's.  The counts equal the loaded kernels' (pb_mrc_lru's histogram
 * is bounded by the references), and every size from the keys up misses
 * only the cold references.
 */
static void huge_sizes(void)
{
	size_t n = (size_t)1 << 22, keys = 3000; /* every key seen */
	uint64_t *k, *nu;
	uint64_t sizes[] = {0, 1, 100, 2999, 3000, 3001, 1u << 20, 1u << 29};
	size_t ns = sizeof(sizes) / sizeof(sizes[0]);
	uint64_t a[8], b[8], c[8], d[8];
	int rc = hot_cold(n, 777, keys - 400, &k, &nu);
	PB_CHECK(rc == 0);
	if (rc)
		goto out;
	long before = peak_kib();
	streams(k, nu, n, sizes, ns, b, d);
	long grew = peak_kib() - before;
	PB_CHECK_MSG(grew < 64 * 1024, "streams with sizes up to 2^29: peak grew by %ld KiB", grew);
	PB_CHECK(pb_mrc_lru(k, n, sizes, ns, a) == 0);
	PB_CHECK(pb_mrc_opt(k, n, nu, sizes, ns, c) == 0);
	for (size_t i = 0; i < ns; i++) {
		PB_CHECK_EQ_U64(b[i], a[i]);
		PB_CHECK_EQ_U64(d[i], c[i]);
		if (sizes[i] >= keys) {
			PB_CHECK_EQ_U64(b[i], keys);
			PB_CHECK_EQ_U64(d[i], keys);
		}
	}
	printf("huge sizes: peak grew by %ld KiB; lru misses at 100 frames %llu\n", grew,
	       (unsigned long long)b[2]);
out:
	free(k);
	free(nu);
}

/* The streaming kernels (streams()) against the whole-stream ones. */
static void kernels(void)
{
	size_t n = 60000;
	uint64_t *k, *nu;
	uint64_t sizes[] = {0, 1, 5, 64, 300, 1000, 2500};
	size_t ns = sizeof(sizes) / sizeof(sizes[0]);
	uint64_t a[7], b[7], c[7], d[7];
	int rc = hot_cold(n, 12345, 4000, &k, &nu);
	PB_CHECK(rc == 0);
	if (rc)
		goto out;
	PB_CHECK(pb_mrc_lru(k, n, sizes, ns, a) == 0);
	PB_CHECK(pb_mrc_opt(k, n, nu, sizes, ns, c) == 0);
	streams(k, nu, n, sizes, ns, b, d);
	for (size_t i = 0; i < ns; i++) {
		PB_CHECK_EQ_U64(b[i], a[i]);
		PB_CHECK_EQ_U64(d[i], c[i]);
	}
	PB_CHECK_EQ_U64(a[0], n); /* 0 frames: every reference misses */
	PB_CHECK(c[ns - 1] <= a[ns - 1]);
	/* OPT's end before all n references were fed: refused (-EINVAL),
	 * misses untouched; it counted the references not fed as misses */
	struct pb_mrc_opt_stream *os = NULL;
	uint64_t e[7];
	memset(e, 0xab, sizeof(e));
	PB_CHECK(pb_mrc_opt_begin(sizes, ns, n, &os) == 0);
	PB_CHECK(os && pb_mrc_opt_feed(os, k, nu, n / 2) == 0);
	PB_CHECK(pb_mrc_opt_end(os, e) == -EINVAL);
	for (size_t i = 0; i < ns; i++)
		PB_CHECK_MSG(e[i] == 0xababababababababULL, "size %llu: misses %llu written",
			     (unsigned long long)sizes[i], (unsigned long long)e[i]);
	/* ... and end(NULL), only freeing, is still fine part-way */
	os = NULL;
	PB_CHECK(pb_mrc_opt_begin(sizes, ns, n, &os) == 0);
	PB_CHECK(os && pb_mrc_opt_feed(os, k, nu, 10) == 0);
	PB_CHECK(pb_mrc_opt_end(os, NULL) == 0);
out:
	free(k);
	free(nu);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_mrc_stream PAGEBENCH");
	bin = argv[1];
	char tmp[1024];
	if (!pbt_tmpdir(tmp, sizeof(tmp), "mrcstream"))
		PB_SKIP("no temporary folder");
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", tmp);
	huge_sizes();
	kernels();
	/* 600 000 references: ten 64Ki batches of the keys' pass (FEED_KEYS, harness/vm_drive.c) */
	const char *wl = "zipf:pages=5000,alpha=0.9,refs=600000,write=0.3,procs=2,seed=4";
	const char *stack[] = {"--workload",   wl,	   "--policy",
			       "lru,arc,opt",  "--frames", "50:1000:50",
			       "--opt-method", "stack",	   NULL};
	compare("lru,arc,opt (stack)", stack, "streaming, next-use array 8 B/ref", "600000", 60);
	const char *rep[] = {"--workload",   wl,	 "--policy",
			     "opt,lru,arc",  "--frames", "100:900:400",
			     "--opt-method", "replay",	 NULL};
	compare("opt replays", rep, "streaming, next-use array 8 B/ref", "600000", 9);
	const char *plain[] = {"--workload",  wl,  "--policy", "arc,fifo", "--frames",
			       "100:900:200", NULL};
	compare("arc,fifo", plain, "streaming", "600000", 10);
	const char *smp[] = {
	    "--workload", wl,	 "--policy",	 "lru,arc,opt", "--frames", "500:5000:500",
	    "--sample",	  "0.1", "--sample-min", "20",		NULL};
	compare("sampled", smp, "streaming, SHARDS", "600000", 30);
	/* 2 300 000: two batches of keys (FEED_KEYS_BATCH, 1Mi: policy-only passes) and a
	 * short one; LRU's and OPT's stacks fed by the replays' pass */
	const char *wl2 = "zipf:pages=5000,alpha=0.9,refs=2300000,write=0.3,procs=2,seed=4";
	const char *lng[] = {"--workload",   wl2,	 "--policy",
			     "lru,arc,opt",  "--frames", "100:900:800",
			     "--opt-method", "stack",	 NULL};
	compare("long", lng, "streaming, next-use array 8 B/ref", "2300000", 6);
	(void)pbt_rmtree(tmp);
	return pb_test_done();
}
