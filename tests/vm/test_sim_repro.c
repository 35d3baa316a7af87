/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_repro.c - what a sim or mrc row and its meta.json say
 * is enough to reproduce it, end to end through the binary (CSVs read with
 * the project's CSV reader, meta.json with jansson):
 *  - every seed that produced a row is in it: the workload's (`seed`) and
 *    a randomised policy's (`policy_seed`, NA for the others, the reason
 *    in not_available), so rows alike in every column but the counts have
 *    the same counts (a spec with its own seed=, a trace, --fixed-seed);
 *    mrc.csv's random rows carry --seed;
 *  - a trace's identity: two traces of one size that differ only in the
 *    middle share the first/last-MiB `hash` but not `file_hash`, the XXH64
 *    of every byte (pinned values of xxhsum -H64), through the window, a
 *    mapped binary file, a loaded replay, OPT's pass before and mrc; the
 *    inputs entry gives it; `cwd` is recorded for a relative path only;
 *  - config.deterministic is false with --threads 2 --order free only.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

/* XXH64 of the files below, as xxhsum -H64 (libxxhash) prints them */
#define XXH_T1 "xxh64:8dc109f35c2f93b7"
#define XXH_U  "xxh64:0ee33a9f3b024665"

static const char *bin;
static char dir[4096];
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", NULL};
static struct spawn_out so;

/* Run pagebench with the arguments (NULL-terminated) into the results root
 * dir/tag (a fresh one): 0 or -1. */
static int run(const char *tag, ...)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/%s", dir, tag);
	const char *tail[] = {"--results", root, NULL};
	va_list ap;
	va_start(ap, tag);
	spawn_runv(bin, envv, &so, ap, tail);
	va_end(ap);
	PB_CHECK_MSG(so.code == 0, "%s: exit %d: %s", tag, so.code, so.err);
	return so.code ? -1 : 0;
}

/* The one FILE of the run under dir/tag, parsed. */
static int csv_of(const char *tag, const char *file, struct pb_csv *t)
{
	char pat[4400], path[4600], err[256];
	snprintf(pat, sizeof(pat), "%s/%s/*/%s", dir, tag, file);
	if (pbt_glob_one(pat, path, sizeof(path)) || pb_csv_read_file(path, t, err, sizeof(err))) {
		PB_CHECK_MSG(0, "%s: no %s", tag, file);
		return -1;
	}
	return 0;
}

static json_t *meta_of(const char *tag)
{
	char pat[4400], path[4600];
	snprintf(pat, sizeof(pat), "%s/%s/*/meta.json", dir, tag);
	json_error_t je;
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: meta.json", tag);
	return m;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "";
}

/* A column of what produced a sim.csv row: the configuration columns
 * before the counts (refs on), the seeds; not rep, which changes nothing
 * but through the seeds, nor run_id. */
static int key_col(const struct pb_csv *t, size_t c)
{
	const char *n = t->header[c];
	if (!strcmp(n, "policy_seed"))
		return 1;
	return (int)c < pb_csv_col(t, "refs") && strcmp(n, "run_id") && strcmp(n, "rep");
}

/* Rows alike in every key column have the same counts. */
static void same_key_same_counts(const char *tag, const struct pb_csv *t)
{
	for (size_t a = 0; a < t->nrows; a++)
		for (size_t b = a + 1; b < t->nrows; b++) {
			int alike = 1;
			for (size_t c = 0; c < t->ncols && alike; c++)
				if (key_col(t, c))
					alike = !strcmp(pb_csv_cell(t, a, (int)c),
							pb_csv_cell(t, b, (int)c));
			if (alike)
				PB_CHECK_MSG(
				    !strcmp(pb_csv_get(t, a, "faults"), pb_csv_get(t, b, "faults")),
				    "%s: rows %zu and %zu alike but faults %s and %s", tag, a, b,
				    pb_csv_get(t, a, "faults"), pb_csv_get(t, b, "faults"));
		}
}

/* sim.csv's policy_seed: --seed + rep for random, NA for lru */
static void check_policy_seed(const char *tag, const struct pb_csv *t, unsigned seed)
{
	PB_CHECK_MSG(pb_csv_col(t, "policy_seed") == (int)t->ncols - 1, "%s: policy_seed last",
		     tag);
	size_t nrand = 0, nna = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *ps = pb_csv_get(t, r, "policy_seed");
		if (!strcmp(pb_csv_get(t, r, "policy"), "random")) {
			nrand++;
			PB_CHECK_MSG(strtoull(ps, NULL, 10) ==
					 seed + strtoull(pb_csv_get(t, r, "rep"), NULL, 10),
				     "%s row %zu: policy_seed %s", tag, r, ps);
		} else {
			nna++;
			PB_CHECK_MSG(!strcmp(ps, "NA"), "%s row %zu: policy_seed %s", tag, r, ps);
		}
	}
	PB_CHECK(nrand >= 2);
	json_t *m = meta_of(tag);
	PB_CHECK_MSG(!*jstr(json_object_get(m, "not_available"), "policy_seed") == !nna,
		     "%s: policy_seed's NA reason", tag);
	json_decref(m);
}

static void seeds(void)
{
	struct pb_csv t;
	/* a spec with its own seed=: one stream, the policy's seed varies */
	if (!run("own", "sim", "--workload", "zipf:pages=3000,refs=30000,seed=3", "--seed", "7",
		 "--policy", "random,lru", "--frames", "300", "--reps", "3", "--workers", "1",
		 NULL) &&
	    !csv_of("own", "sim.csv", &t)) {
		check_policy_seed("own", &t, 7);
		same_key_same_counts("own", &t);
		/* the repetitions of random do differ (else the test shows nothing) */
		PB_CHECK(strcmp(pb_csv_get(&t, 0, "faults"), pb_csv_get(&t, 1, "faults")) ||
			 strcmp(pb_csv_get(&t, 0, "faults"), pb_csv_get(&t, 2, "faults")));
		pb_csv_free(&t);
	}
	if (!run("fixed", "sim", "--workload", "zipf:pages=3000,refs=30000", "--seed", "5",
		 "--fixed-seed", "--policy", "random,lru", "--frames", "300", "--reps", "2",
		 "--workers", "1", NULL) &&
	    !csv_of("fixed", "sim.csv", &t)) {
		check_policy_seed("fixed", &t, 5);
		same_key_same_counts("fixed", &t);
		pb_csv_free(&t);
	}
	if (!run("tr", "sim", "--workload", "trace:path=t1.txt,format=text", "--seed", "5",
		 "--policy", "random", "--frames", "3000", "--reps", "2", "--threads", "2", NULL) &&
	    !csv_of("tr", "sim.csv", &t)) {
		check_policy_seed("tr", &t, 5);
		same_key_same_counts("tr", &t);
		pb_csv_free(&t);
	}
	/* mrc: the random replays' seed */
	if (!run("mrc", "mrc", "--workload", "zipf:pages=3000,refs=30000", "--seed", "9",
		 "--policy", "random,lru", "--frames", "100:300:100", NULL) &&
	    !csv_of("mrc", "mrc.csv", &t)) {
		PB_CHECK(pb_csv_col(&t, "policy_seed") == (int)t.ncols - 1 && t.nrows == 6);
		for (size_t r = 0; r < t.nrows; r++)
			PB_CHECK_MSG(
			    !strcmp(pb_csv_get(&t, r, "policy_seed"),
				    strcmp(pb_csv_get(&t, r, "policy"), "random") ? "NA" : "9"),
			    "mrc row %zu: policy_seed %s", r, pb_csv_get(&t, r, "policy_seed"));
		pb_csv_free(&t);
	}
}

/* config.trace of the run under dir/tag; its file_hash (or "" when
 * null) into fh, its hash into h. */
static void trace_id(const char *tag, char *fh, char *h, size_t len, int relative)
{
	json_t *m = meta_of(tag);
	json_t *tr = json_object_get(json_object_get(m, "config"), "trace");
	json_t *in = json_array_get(json_object_get(m, "inputs"), 0);
	snprintf(fh, len, "%s", jstr(tr, "file_hash"));
	snprintf(h, len, "%s", jstr(tr, "hash"));
	PB_CHECK_MSG(!strncmp(jstr(tr, "file_hash_covers"), "XXH64", 5) &&
			 !strncmp(h, "fnv1a64:", 8),
		     "%s: %s", tag, h);
	/* the inputs entry: the whole file's hash, said so */
	PB_CHECK_MSG(!strcmp(jstr(in, "hash"), fh) && !strncmp(jstr(in, "hash_covers"), "XXH64", 5),
		     "%s: inputs %s", tag, jstr(in, "hash"));
	char cwd[4096];
	PB_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	if (relative)
		PB_CHECK_MSG(!strcmp(jstr(tr, "cwd"), cwd), "%s: cwd %s", tag, jstr(tr, "cwd"));
	else
		PB_CHECK_MSG(!json_object_get(tr, "cwd"), "%s: cwd of an absolute path", tag);
	json_decref(m);
}

static void identity(void)
{
	char f1[64], h1[64], f2[64], h2[64], f[64], h[64], abs[4200];
	/* streamed, through the window (several 1 MiB reads) */
	if (!run("t1", "sim", "--workload", "trace:path=t1.txt,format=text", "--policy", "lru",
		 "--frames", "3000", "--reps", "1", NULL))
		trace_id("t1", f1, h1, sizeof(f1), 1);
	if (!run("t2", "sim", "--workload", "trace:path=t2.txt,format=text", "--policy", "lru",
		 "--frames", "3000", "--reps", "1", NULL))
		trace_id("t2", f2, h2, sizeof(f2), 1);
	PB_CHECK_MSG(!strcmp(f1, XXH_T1), "t1: file_hash %s", f1);
	PB_CHECK_MSG(!strcmp(h1, h2), "the middle is outside the partial hash: %s %s", h1, h2);
	PB_CHECK_MSG(strcmp(f1, f2) && !strncmp(f2, "xxh64:", 6), "t1 %s, t2 %s", f1, f2);
	/* loaded (engine threads), and OPT's pass before the streaming one */
	if (!run("t1l", "sim", "--workload", "trace:path=t1.txt,format=text", "--policy", "lru",
		 "--frames", "3000", "--reps", "1", "--threads", "2", NULL))
		trace_id("t1l", f, h, sizeof(f), 1);
	PB_CHECK_MSG(!strcmp(f, XXH_T1), "t1 loaded: %s", f);
	if (!run("t1o", "sim", "--workload", "trace:path=t1.txt,format=text", "--policy", "opt",
		 "--frames", "3000", "--reps", "1", NULL))
		trace_id("t1o", f, h, sizeof(f), 1);
	PB_CHECK_MSG(!strcmp(f, XXH_T1), "t1 opt: %s", f);
	/* a binary file past the window: decoded from a mapping; an absolute path */
	snprintf(abs, sizeof(abs), "trace:path=%s/u.u64,format=u64", dir);
	if (!run("u", "sim", "--workload", abs, "--policy", "lru", "--frames", "3000", "--reps",
		 "1", NULL))
		trace_id("u", f, h, sizeof(f), 0);
	PB_CHECK_MSG(!strcmp(f, XXH_U), "u: %s", f);
	if (!run("um", "mrc", "--workload", "trace:path=u.u64,format=u64", "--policy", "lru,fifo",
		 "--frames", "1000:3000:1000", NULL))
		trace_id("um", f, h, sizeof(f), 1);
	PB_CHECK_MSG(!strcmp(f, XXH_U), "u mrc: %s", f);
}

static void determinism(void)
{
	static const char *const order[] = {"strict", "free"};
	for (int i = 0; i < 2; i++) {
		char tag[32];
		snprintf(tag, sizeof(tag), "det_%s", order[i]);
		if (run(tag, "sim", "--workload", "zipf:pages=2000,refs=20000", "--policy", "lru",
			"--frames", "200", "--reps", "1", "--threads", "2", "--order", order[i],
			NULL))
			continue;
		json_t *m = meta_of(tag);
		json_t *c = json_object_get(m, "config");
		json_t *d = json_object_get(c, "deterministic");
		PB_CHECK_MSG(json_is_boolean(d) && json_is_true(d) == !i, "%s: deterministic", tag);
		PB_CHECK_MSG(strstr(jstr(c, "deterministic_why"), i ? "--order free" : "strict"),
			     "%s: %s", tag, jstr(c, "deterministic_why"));
		json_decref(m);
	}
}

/* The traces: 400000 fixed-width text lines (2.8 MB; t2 differs from t1
 * in 100 lines in the middle, past the first and before the last MiB) and
 * 300000 u64 records (2.4 MB). */
static int write_traces(void)
{
	FILE *a = fopen("t1.txt", "w"), *b = fopen("t2.txt", "w"), *u = fopen("u.u64", "wb");
	if (!a || !b || !u)
		return -1;
	for (uint64_t i = 0; i < 400000; i++) {
		uint64_t p = (i * 2654435761u) % 100000;
		fprintf(a, "%06llu\n", (unsigned long long)p);
		fprintf(b, "%06llu\n",
			(unsigned long long)(i >= 200000 && i < 200100 ? (p + 1) % 100000 : p));
		if (i < 300000) {
			unsigned char le[8];
			for (int k = 0; k < 8; k++)
				le[k] = (unsigned char)((p << 12) >> (8 * k));
			fwrite(le, 1, 8, u);
		}
	}
	return fclose(a) | fclose(b) | fclose(u);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	if (bin[0] != '/' && !(bin = realpath(argv[1], NULL)))
		return 2;
	if (!pbt_tmpdir(dir, sizeof(dir), "repro") || chdir(dir) || write_traces()) {
		fprintf(stderr, "cannot make the test folder\n");
		return 2;
	}
	seeds();
	identity();
	determinism();
	if (!getenv("PB_KEEP"))
		pbt_rmtree(dir);
	return pb_test_done();
}
