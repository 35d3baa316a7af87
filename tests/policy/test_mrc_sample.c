/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/test_mrc_sample.c - `pagebench mrc --sample 0.01` (SHARDS
 * sampling + miniature simulations, calibrated by LRU's exact curve)
 * against the exact curves of `pagebench mrc` (one replay per size; LRU by
 * stack distances), end to end: the mean absolute miss-ratio error of
 * every policy must be at most 0.01 on a zipf stream and on the ARC
 * paper's OLTP trace (PAGEBENCH_TRACES; skipped when absent or when the
 * build cannot read zstd).  mrc.csv is read back with the CSV reader and
 * meta.json with jansson: the sampled references, the rate, the NA rows
 * (scaled size below --sample-min, with the reason), LRU's rows exact,
 * and meta.json's LRU error before calibration equal to the one recomputed
 * here from a --calibrate 0 run over the same sample.  What mrc says of that
 * error on stderr is what it is: the sampling error measured on LRU
 * before calibration, meta.json's numbers, with the hash seed (it said
 * "uncalibrated, ... off its exact one by 0.0083", read as a calibration
 * that failed), or why none was measured, in lines of at most 160
 * characters (one was 317).  Also: OPT's priority stack and
 * its replays give the same rows through the CLI.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

#define POLICIES "lru,fifo,clock,arc,s3fifo,lirs,sieve,opt"
#define NPOL	 8

static const char *bin;
static char env_results[1200];
static char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", NULL};

/* the last mrc run's output (its stderr: what it said) */
static struct spawn_out o;

/* Run `pagebench mrc ARGS...`; the run folder into dir.  Exit code. */
static int mrc(char *dir, size_t len, ...)
{
	char *argv[32] = {(char *)bin, "mrc"};
	int n = 2;
	va_list ap;
	va_start(ap, len);
	const char *a;
	while (n < 31 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	spawn_run(argv, envv, &o);
	const char *p = strstr(o.err, "rows in ");
	const char *e = p ? strstr(p, "/mrc.csv") : NULL;
	dir[0] = 0;
	if (o.code == 0 && p && e && (size_t)(e - p - 8) < len)
		snprintf(dir, len, "%.*s", (int)(e - p - 8), p + 8);
	if (o.code)
		fprintf(stderr, "mrc exit %d: %s\n", o.code, o.err);
	return o.code;
}

static int read_csv(const char *dir, struct pb_csv *t)
{
	char p[1400], err[256];
	snprintf(p, sizeof(p), "%s/mrc.csv", dir);
	int rc = pb_csv_read_file(p, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	return rc;
}

static json_t *read_sample_meta(const char *dir, json_t **root)
{
	char p[1400];
	json_error_t je;
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	*root = json_load_file(p, 0, &je);
	PB_CHECK_MSG(*root != NULL, "%s: %s", p, je.text);
	json_t *s = json_object_get(json_object_get(*root, "config"), "sample");
	PB_CHECK(json_is_object(s));
	return s;
}

/* The exact row of (policy, frames), or -1. */
static long find(const struct pb_csv *t, const char *pol, const char *frames)
{
	int cp = pb_csv_col(t, "policy"), cf = pb_csv_col(t, "frames");
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(pb_csv_cell(t, r, cp), pol) && !strcmp(pb_csv_cell(t, r, cf), frames))
			return (long)r;
	return -1;
}

static void check(const char *what, const char *wl, const char *frames)
{
	char dex[1200], dsa[1200], draw[1200];
	if (mrc(dex, sizeof(dex), "--workload", wl, "--policy", POLICIES, "--frames", frames,
		NULL)) {
		printf("%s: skipped (the exact run failed)\n", what);
		return;
	}
	PB_CHECK(mrc(dsa, sizeof(dsa), "--workload", wl, "--policy", POLICIES, "--frames", frames,
		     "--sample", "0.01", NULL) == 0);
	PB_CHECK(mrc(draw, sizeof(draw), "--workload", wl, "--policy", "lru", "--frames", frames,
		     "--sample", "0.01", "--calibrate", "0", NULL) == 0);
	struct pb_csv ex = {0}, sa = {0}, raw = {0};
	json_t *root = NULL, *root2 = NULL;
	if (!dex[0] || !dsa[0] || !draw[0] || read_csv(dex, &ex) || read_csv(dsa, &sa) ||
	    read_csv(draw, &raw)) {
		PB_CHECK(0);
		goto out;
	}
	json_t *sm = read_sample_meta(dsa, &root);
	json_t *rm = read_sample_meta(draw, &root2);
	double rate = json_real_value(json_object_get(sm, "rate"));
	json_int_t nsampled =
	    json_integer_value(json_array_get(json_object_get(sm, "sampled_refs"), 0));
	PB_CHECK(fabs(rate - 0.01) < 1e-6);
	PB_CHECK(json_is_true(json_object_get(sm, "calibrated")));
	PB_CHECK(json_is_false(json_object_get(rm, "calibrated")));
	PB_CHECK(json_integer_value(json_object_get(sm, "min_scaled_frames")) == 100);
	double cal_mae =
	    json_real_value(json_object_get(json_object_get(sm, "lru_calibration"), "mae"));
	static const char *const pols[NPOL] = {"lru",	 "fifo", "clock", "arc",
					       "s3fifo", "lirs", "sieve", "opt"};
	double sum[NPOL] = {0};
	int cnt[NPOL] = {0}, na[NPOL] = {0};
	double err_sum = 0;
	int err_n = 0;
	for (size_t r = 0; r < sa.nrows; r++) {
		const char *pol = pb_csv_get(&sa, r, "policy"), *fr = pb_csv_get(&sa, r, "frames");
		long e = find(&ex, pol, fr);
		int p = 0;
		while (p < NPOL && strcmp(pols[p], pol))
			p++;
		PB_CHECK_MSG(e >= 0 && p < NPOL, "%s %s: no exact row", pol, fr);
		if (e < 0 || p == NPOL)
			continue;
		const char *mr = pb_csv_get(&sa, r, "miss_ratio");
		const char *note = pb_csv_get(&sa, r, "note");
		uint64_t scaled = strtoull(pb_csv_get(&sa, r, "scaled_frames"), NULL, 10);
		if (p == 0) { /* the calibration pass made LRU exact */
			PB_CHECK_MSG(!strcmp(pb_csv_get(&sa, r, "misses"),
					     pb_csv_get(&ex, (size_t)e, "misses")),
				     "%s lru %s: %s != exact %s", what, fr,
				     pb_csv_get(&sa, r, "misses"),
				     pb_csv_get(&ex, (size_t)e, "misses"));
			continue;
		}
		PB_CHECK(atof(pb_csv_get(&sa, r, "sample_rate")) > 0.0099 &&
			 atof(pb_csv_get(&sa, r, "sample_rate")) < 0.0101);
		PB_CHECK(strtoll(pb_csv_get(&sa, r, "sampled_refs"), NULL, 10) == nsampled);
		PB_CHECK(scaled == (uint64_t)llround(rate * atof(fr)));
		if (!strcmp(mr, "NA")) {
			na[p]++;
			PB_CHECK_MSG(scaled < 100 && strstr(note, "--sample-min"), "%s %s %s: %s",
				     what, pol, fr, note);
			PB_CHECK(!strcmp(pb_csv_get(&sa, r, "misses"), "NA"));
			continue;
		}
		PB_CHECK(scaled >= 100);
		double d = fabs(atof(mr) - atof(pb_csv_get(&ex, (size_t)e, "miss_ratio")));
		sum[p] += d;
		cnt[p]++;
		double ee = atof(pb_csv_get(&sa, r, "err_est"));
		PB_CHECK(ee >= 0 && ee < 0.1);
		err_sum += ee;
		err_n++;
	}
	for (int p = 1; p < NPOL; p++) {
		double mae = cnt[p] ? sum[p] / cnt[p] : NAN;
		printf("%s %-6s: mae %.4f over %d sizes (%d NA)\n", what, pols[p], mae, cnt[p],
		       na[p]);
		PB_CHECK_MSG(cnt[p] >= 3 && mae <= 0.01, "%s %s: mae %.4f over %d sizes", what,
			     pols[p], mae, cnt[p]);
	}
	printf("%s: mean err_est %.4f, sampled %lld refs\n", what, err_n ? err_sum / err_n : NAN,
	       (long long)nsampled);
	/* meta's LRU sampling error (before calibration), recomputed from the raw
	 * LRU run */
	double rsum = 0;
	int rn = 0;
	for (size_t r = 0; r < raw.nrows; r++) {
		const char *mr = pb_csv_get(&raw, r, "miss_ratio");
		if (!strcmp(mr, "NA"))
			continue;
		PB_CHECK(!strcmp(pb_csv_get(&raw, r, "method"), "shards-stack-distance"));
		long e = find(&ex, "lru", pb_csv_get(&raw, r, "frames"));
		PB_CHECK(e >= 0);
		if (e >= 0)
			rsum += fabs(atof(mr) - atof(pb_csv_get(&ex, (size_t)e, "miss_ratio")));
		rn++;
	}
	printf("%s: LRU's sampling error before calibration %.4f (meta.json %.4f)\n", what,
	       rn ? rsum / rn : NAN, cal_mae);
	/* the CSV rounds to 6 significant digits */
	PB_CHECK_MSG(rn > 0 && fabs(rsum / rn - cal_mae) < 1e-5, "%s: %.6f vs %.6f", what,
		     rn ? rsum / rn : NAN, cal_mae);
out:
	json_decref(root);
	json_decref(root2);
	pb_csv_free(&ex);
	pb_csv_free(&sa);
	pb_csv_free(&raw);
}

/* The longest line of s, in characters, but for the one naming mrc.csv
 * (as long as the temporary folder's path). */
static size_t longest_line(const char *s)
{
	size_t most = 0;
	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *csv = strstr(s, "/mrc.csv");
		if (n > most && !(csv && csv < s + n))
			most = n;
		s += n + (s[n] == '\n');
	}
	return most;
}

/* Lines a terminal shows whole (one fact a line), as sampled mrc
 * writes them: at most 160 characters. */
#define MRC_LINE_MAX 160

/*
 * The lines on stderr about LRU's error: the numbers meta.json's
 * lru_calibration holds (the mean, over as many sizes, and the largest, at
 * 4 decimals), said as the sampling error before calibration, of the seed
 * asked for; never "uncalibrated" (the old line read as a calibration
 * that had failed).
 */
static void said_error(void)
{
	char d[1200];
	PB_CHECK(mrc(d, sizeof(d), "--workload", "zipf:pages=20000,refs=200000,seed=1", "--policy",
		     "lru,fifo", "--frames", "2000:8000:2000", "--sample", "0.1", "--sample-seed",
		     "5", NULL) == 0);
	if (!d[0])
		return;
	static const char head[] = "pagebench mrc: sampling error measured on LRU: its sampled "
				   "curve (seed 5, before calibration) is ";
	const char *p = strstr(o.err, head);
	double mae = NAN, max = NAN;
	unsigned sizes = 0;
	int got = p ? sscanf(p + sizeof(head) - 1,
			     "%lf from its exact curve\npagebench mrc: that is the mean absolute "
			     "miss-ratio difference over %u sizes (the largest %lf)",
			     &mae, &sizes, &max)
		    : 0;
	PB_CHECK_MSG(got == 3 && !strstr(o.err, "uncalibrated") &&
			 strstr(o.err, "\npagebench mrc: calibrated: the lru rows are the exact "
				       "curve, every other policy's estimate is scaled by exact / "
				       "sampled LRU at each size\n") &&
			 longest_line(o.err) <= MRC_LINE_MAX,
		     "stderr (longest line %zu): %s", longest_line(o.err), o.err);
	json_t *root = NULL, *sm = read_sample_meta(d, &root);
	json_t *lc = json_object_get(sm, "lru_calibration");
	double jm = json_real_value(json_object_get(lc, "mae")),
	       jx = json_real_value(json_object_get(lc, "max_abs_error"));
	json_int_t jn = json_integer_value(json_object_get(lc, "sizes"));
	printf("stderr: LRU's sampling error %.4f over %u sizes, largest %.4f (meta.json %.6f, "
	       "%lld, %.6f)\n",
	       mae, sizes, max, jm, (long long)jn, jx);
	PB_CHECK_MSG(jn == 4 && sizes == 4 && fabs(mae - jm) <= 0.00005 + 1e-9 &&
			 fabs(max - jx) <= 0.00005 + 1e-9 && jx >= jm && jm > 0,
		     "stderr's %.4f/%u/%.4f, meta.json's %.6f/%lld/%.6f", mae, sizes, max, jm,
		     (long long)jn, jx);
	const char *w = json_string_value(json_object_get(lc, "what"));
	PB_CHECK_MSG(w && strstr(w, "sampling error measured on LRU") &&
			 strstr(w, "before calibration") && !strstr(w, "uncalibrated"),
		     "lru_calibration.what: %s", w ? w : "(none)");
	json_decref(root);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_mrc_sample PAGEBENCH");
	bin = argv[1];
	char tmp[1024];
	if (!pbt_tmpdir(tmp, sizeof(tmp), "mrcsample"))
		PB_SKIP("no temporary folder");
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", tmp);
	/* bad rates and methods are usage errors (exit 2), no run folder */
	static const char *const bad[][2] = {{"--sample", "0"},	    {"--sample", "1.5"},
					     {"--sample", "1e-9"},  {"--sample-min", "0"},
					     {"--opt-method", "x"}, {"--calibrate", "maybe"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char d[1200];
		PB_CHECK_MSG(mrc(d, sizeof(d), "--workload", "zipf:pages=100,refs=1000", "--policy",
				 "lru", "--frames", "10:20:10", bad[i][0], bad[i][1], NULL) == 2,
			     "%s %s", bad[i][0], bad[i][1]);
	}
	/* every size's scaled cache below --sample-min: no size to calibrate
	 * at; meta.json still has its sample record (a NaN error lost it
	 * whole) with the errors null and why */
	char dmin[1200];
	PB_CHECK(mrc(dmin, sizeof(dmin), "--workload", "zipf:pages=2000,refs=20000,seed=1",
		     "--policy", "lru", "--frames", "100:500:100", "--sample", "0.1", NULL) == 0);
	if (dmin[0]) {
		json_t *root = NULL, *sm = read_sample_meta(dmin, &root);
		json_t *lc = json_object_get(sm, "lru_calibration");
		PB_CHECK_MSG(json_integer_value(json_object_get(lc, "sizes")) == 0 &&
				 json_is_null(json_object_get(lc, "mae")) &&
				 strstr(json_string_value(json_object_get(lc, "what")) ?: "",
					"--sample-min"),
			     "lru_calibration without sizes");
		json_decref(root);
	}
	PB_CHECK_MSG(strstr(o.err, "sampling error not measured: every size's scaled cache is "
				   "below --sample-min 100\n") &&
			 strstr(o.err, "\npagebench mrc: so no size compares LRU's sampled curve "
				       "with its exact one") &&
			 !strstr(o.err, "uncalibrated") && longest_line(o.err) <= MRC_LINE_MAX,
		     "--sample-min: stderr (longest line %zu) %s", longest_line(o.err), o.err);
	said_error();
	/* OPT through the CLI: the priority stack and the replays agree */
	char dst[1200], drp[1200];
	const char *owl = "zipf:pages=5000,alpha=0.8,refs=200000,seed=3";
	PB_CHECK(mrc(dst, sizeof(dst), "--workload", owl, "--policy", "opt", "--frames",
		     "50:2000:150", "--opt-method", "stack", NULL) == 0);
	PB_CHECK(mrc(drp, sizeof(drp), "--workload", owl, "--policy", "opt", "--frames",
		     "50:2000:150", "--opt-method", "replay", NULL) == 0);
	struct pb_csv ts = {0}, trp = {0};
	if (dst[0] && drp[0] && !read_csv(dst, &ts) && !read_csv(drp, &trp)) {
		PB_CHECK(ts.nrows == 14 && trp.nrows == 14);
		for (size_t r = 0; r < ts.nrows && r < trp.nrows; r++) {
			PB_CHECK(!strcmp(pb_csv_get(&ts, r, "method"), "priority-stack"));
			PB_CHECK(!strcmp(pb_csv_get(&trp, r, "method"), "replay"));
			PB_CHECK_MSG(
			    !strcmp(pb_csv_get(&ts, r, "misses"), pb_csv_get(&trp, r, "misses")),
			    "opt %s frames: stack %s, replay %s", pb_csv_get(&ts, r, "frames"),
			    pb_csv_get(&ts, r, "misses"), pb_csv_get(&trp, r, "misses"));
		}
	}
	pb_csv_free(&ts);
	pb_csv_free(&trp);
	/* 200 000 pages: 2 000 sampled; 5k frames (scaled 50: NA), 40k..145k */
	check("zipf", "zipf:pages=200000,alpha=0.9,refs=1500000,seed=1", "5000:145000:35000");
	const char *tr = pbt_traces_dir();
	char spec[2400], f[2300];
	snprintf(f, sizeof(f), "%s/data/arc/OLTP.lis.zst", tr ? tr : ".");
	FILE *fp = tr ? fopen(f, "r") : NULL;
	if (fp) {
		fclose(fp);
		snprintf(spec, sizeof(spec), "trace:path=%s,format=lis", f);
		check("OLTP", spec, "5000:95000:30000");
	} else {
		printf("OLTP: skipped (no shared traces)\n");
	}
	(void)pbt_rmtree(tmp);
	return pb_test_done();
}
