/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_model.c - `sim --model policy|engine` and streaming
 * replay, end to end through the binary (issue 14 #2, #3):
 *  - the policy model's refs, hits, faults and evictions equal the
 *    engine's for every policy of pb_policies[] (--policy all) on two
 *    workloads at two frame counts with hints=exact, demand paging (and
 *    the faults of three policies past 16384 pages, the engine's prefetch
 *    pipeline, at frames beyond the TLB's reach, also with a shared
 *    library's pages mapped by two processes); on
 *    the one with pages shared by two processes, the engine's faults
 *    include its page-cache hits (a mapper finding the page resident for
 *    another: a minor fault, a hit to the policy), so policy faults =
 *    engine faults - pagecache_hits there;
 *  - its misses equal mrc's (the loaded pb_policy_replay path) for the
 *    same points: streamed policy replay == loaded policy replay;
 *  - the streamed engine (one engine thread) gives every count, the cost
 *    included, of the loaded engine (--backing file: the jobs replay the
 *    loaded stream one by one) on several workloads (shared libraries,
 *    copy-on-write, several processes, a text trace, OPT's next uses,
 *    more engines than one pass holds);
 *  - the columns the policy model cannot produce are NA, each with its
 *    reason in meta.json's not_available, and meta.json records the
 *    model and the replay mode (read back with jansson);
 *  - what only the engine models is refused with --model policy, and
 *    writes into copy-on-write regions (the engine copies, the policy
 *    model cannot) draw a warning.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pagebench/policy.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[4096]; /* pbt_tmpdir: under $TMPDIR */
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", NULL};

/* Run pagebench with --results ROOT (ROOT = dir/tag) and the arguments;
 * read back ROOT/<run>/FILE (sim.csv, mrc.csv) into t.  0 on success. */
static int run_csv(const char *tag, const char *file, struct pb_csv *t, ...)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/%s", dir, tag);
	const char *tail[] = {"--results", root, NULL};
	struct spawn_out *o = malloc(sizeof(*o));
	va_list ap;
	va_start(ap, t);
	spawn_runv(bin, envv, o, ap, tail);
	va_end(ap);
	int code = o->code;
	PB_CHECK_MSG(code == 0, "%s: exit %d: %s", tag, code, o->err);
	free(o);
	if (code)
		return -1;
	char pat[4400], path[4600], err[256];
	snprintf(pat, sizeof(pat), "%s/*/%s", root, file);
	int rc = pbt_glob_one(pat, path, sizeof(path));
	if (!rc)
		rc = pb_csv_read_file(path, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s unreadable", tag, file);
	return rc;
}

/* The row of (policy, frames) in t, or -1. */
static long row_of(const struct pb_csv *t, const char *pol, const char *frames)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(pb_csv_get(t, r, "policy") ?: "", pol) &&
		    !strcmp(pb_csv_get(t, r, "frames") ?: "", frames))
			return (long)r;
	return -1;
}

static const char *get(const struct pb_csv *t, long r, const char *col)
{
	const char *v = r < 0 ? NULL : pb_csv_get(t, (size_t)r, col);
	return v ? v : "(missing)";
}

/* meta.json of the one run under dir/tag. */
static json_t *meta_of(const char *tag)
{
	char pat[4400], path[4600];
	snprintf(pat, sizeof(pat), "%s/%s/*/meta.json", dir, tag);
	json_t *m = pbt_glob_one(pat, path, sizeof(path)) ? NULL : json_load_file(path, 0, NULL);
	PB_CHECK_MSG(m != NULL, "%s: meta.json", tag);
	return m;
}

static const char *cfg_str(json_t *m, const char *key)
{
	return json_string_value(json_object_get(json_object_get(m, "config"), key)) ?: "";
}

/* Policy model == engine for every policy, == mrc; NA and meta.json. */
static void policy_vs_engine(const char *wl, const char *tag, int shared)
{
	static const char *const frames[] = {"64", "512"};
	static const char *const same[] = {"refs", "evictions"};
	long long pagecache = 0;
	char te[64], tp[64], tm[64];
	snprintf(te, sizeof(te), "%s-engine", tag);
	snprintf(tp, sizeof(tp), "%s-policy", tag);
	snprintf(tm, sizeof(tm), "%s-mrc", tag);
	struct pb_csv e, p, m;
	if (run_csv(te, "sim.csv", &e, "sim", "--workload", wl, "--policy", "all", "--frames",
		    "64,512", "--reps", "1", "--hints", "exact", NULL))
		return;
	if (run_csv(tp, "sim.csv", &p, "sim", "--workload", wl, "--policy", "all", "--frames",
		    "64,512", "--reps", "1", "--model", "policy", "--workers", "3", NULL)) {
		pb_csv_free(&e);
		return;
	}
	int have_mrc = !run_csv(tm, "mrc.csv", &m, "mrc", "--workload", wl, "--policy", "all",
				"--frames", "64:512:448", NULL);
	size_t npol = 0;
	while (pb_policies[npol])
		npol++;
	PB_CHECK_MSG(p.nrows == 2 * npol && e.nrows == 2 * npol, "%s: %zu / %zu rows, %zu policies",
		     tag, p.nrows, e.nrows, npol);
	for (size_t i = 0; i < npol; i++)
		for (size_t f = 0; f < 2; f++) {
			const char *name = pb_policies[i]->name;
			long re = row_of(&e, name, frames[f]), rp = row_of(&p, name, frames[f]);
			PB_CHECK_MSG(re >= 0 && rp >= 0, "%s %s %s: rows", tag, name, frames[f]);
			for (size_t c = 0; c < PB_ARRAY_SIZE(same); c++)
				PB_CHECK_MSG(!strcmp(get(&e, re, same[c]), get(&p, rp, same[c])),
					     "%s %s frames %s: %s engine %s, policy %s", tag, name,
					     frames[f], same[c], get(&e, re, same[c]),
					     get(&p, rp, same[c]));
			/* the engine's faults also count the minor faults of a mapper
			 * that finds a shared page resident for another (page-cache
			 * hits), which are hits to the policy */
			long long pc = atoll(get(&e, re, "pagecache_hits"));
			pagecache += pc;
			PB_CHECK_MSG(
			    atoll(get(&e, re, "faults")) - pc == atoll(get(&p, rp, "faults")) &&
				atoll(get(&e, re, "hits")) + pc == atoll(get(&p, rp, "hits")),
			    "%s %s frames %s: engine faults %s (page-cache hits %lld), "
			    "policy faults %s",
			    tag, name, frames[f], get(&e, re, "faults"), pc, get(&p, rp, "faults"));
			/* a miss is a fault: some misses at 64 frames */
			PB_CHECK(f || atoll(get(&p, rp, "faults")) > 64);
			if (have_mrc) {
				long rm = row_of(&m, name, frames[f]);
				PB_CHECK_MSG(!strcmp(get(&m, rm, "misses"), get(&p, rp, "faults")),
					     "%s %s frames %s: mrc misses %s, policy faults %s",
					     tag, name, frames[f], get(&m, rm, "misses"),
					     get(&p, rp, "faults"));
			}
			/* what the policy model cannot produce is NA; the engine has it */
			static const char *const na[] = {"tlb_misses", "major_faults", "read_ios",
							 "eat_ns", "tlb"};
			for (size_t c = 0; c < PB_ARRAY_SIZE(na); c++) {
				PB_CHECK_MSG(!strcmp(get(&p, rp, na[c]), "NA"), "%s %s: %s = %s",
					     tag, name, na[c], get(&p, rp, na[c]));
				PB_CHECK(strcmp(get(&e, re, na[c]), "NA"));
			}
		}
	/* the shared workload exercises the page-cache relation, the other not */
	PB_CHECK_MSG(shared ? pagecache > 0 : pagecache == 0, "%s: %lld page-cache hits", tag,
		     pagecache);
	json_t *mp = meta_of(tp), *me = meta_of(te);
	PB_CHECK(!strcmp(cfg_str(mp, "model"), "policy"));
	PB_CHECK(!strcmp(cfg_str(me, "model"), "engine"));
	/* OPT is among all: its next uses are the one array kept */
	PB_CHECK_MSG(!strcmp(cfg_str(mp, "replay"), "streaming, next-use array 8 B/ref"),
		     "replay: %s", cfg_str(mp, "replay"));
	json_t *na = json_object_get(mp, "not_available");
	const char *why = json_string_value(json_object_get(na, "tlb_misses"));
	PB_CHECK_MSG(why && strstr(why, "--model policy"), "not_available.tlb_misses: %s",
		     why ?: "(none)");
	PB_CHECK(!json_object_get(json_object_get(me, "not_available"), "tlb_misses"));
	json_decref(mp);
	json_decref(me);
	pb_csv_free(&e);
	pb_csv_free(&p);
	if (have_mrc)
		pb_csv_free(&m);
}

/* Streamed engine == loaded engine (--backing file runs the loaded
 * stream), every column but the backing's name and the timings. */
static void streamed_vs_loaded_w(const char *wl, const char *pols, const char *frames,
				 const char *reps, const char *tag, const char *workers)
{
	char ts[64], tl[64], bk[4200];
	snprintf(ts, sizeof(ts), "%s-streamed", tag);
	snprintf(tl, sizeof(tl), "%s-loaded", tag);
	snprintf(bk, sizeof(bk), "file:%s/%s.swap", dir, tag);
	struct pb_csv s, l;
	if (run_csv(ts, "sim.csv", &s, "sim", "--workload", wl, "--policy", pols, "--frames",
		    frames, "--reps", reps, "--workers", workers, NULL))
		return;
	if (run_csv(tl, "sim.csv", &l, "sim", "--workload", wl, "--policy", pols, "--frames",
		    frames, "--reps", reps, "--backing", bk, NULL)) {
		pb_csv_free(&s);
		return;
	}
	PB_CHECK_MSG(s.nrows == l.nrows && s.nrows >= 8, "%s: %zu / %zu rows", tag, s.nrows,
		     l.nrows);
	size_t diffs = 0;
	for (size_t r = 0; r < s.nrows && r < l.nrows; r++)
		for (size_t c = 0; c < s.ncols; c++) {
			const char *col = s.header[c];
			if (!strcmp(col, "run_id") || !strcmp(col, "backing") ||
			    !strcmp(col, "seconds") || !strcmp(col, "accesses_per_s"))
				continue;
			const char *a = pb_csv_get(&s, r, col), *b = pb_csv_get(&l, r, col);
			if (!a || !b || strcmp(a, b)) {
				if (diffs++ < 5)
					PB_CHECK_MSG(0, "%s row %zu %s: streamed %s, loaded %s",
						     tag, r, col, a ?: "-", b ?: "-");
			}
		}
	PB_CHECK_MSG(diffs == 0, "%s: %zu cells differ", tag, diffs);
	json_t *ms = meta_of(ts), *ml = meta_of(tl);
	PB_CHECK(!strncmp(cfg_str(ms, "replay"), "streaming", 9));
	PB_CHECK(!strncmp(cfg_str(ml, "replay"), "loaded", 6));
	/* refs and distinct pages are counted by the streaming pass too */
	json_t *cs = json_object_get(ms, "config"), *cl = json_object_get(ml, "config");
	PB_CHECK(json_integer_value(json_object_get(cs, "refs")) ==
		 json_integer_value(json_object_get(cl, "refs")));
	PB_CHECK(json_integer_value(json_object_get(cs, "distinct_pages")) ==
		     json_integer_value(json_object_get(cl, "distinct_pages")) &&
		 json_integer_value(json_object_get(cs, "distinct_pages")) > 0);
	json_decref(ms);
	json_decref(ml);
	pb_csv_free(&s);
	pb_csv_free(&l);
}

/*
 * A streamed engine is created before its stream's distinct pages are
 * known (no pass before the replay), with the engine's default page-table
 * size; one that runs out of it is replayed again in a pass of its own,
 * sized by the pages the first pass counted.  The trace: 85000 pages one
 * radix leaf apart (85000 leaves, more than the default size holds), read
 * twice in order, so every reference misses with fewer frames than pages
 * (a cyclic scan): faults = refs = 170000, evictions = refs - frames.
 */
static void blind_sizing(void)
{
	char trace[4200], wl[4300];
	snprintf(trace, sizeof(trace), "%s/leaves.txt", dir);
	FILE *f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	for (unsigned r = 0; f && r < 2; r++)
		for (unsigned k = 0; k < 85000; k++)
			fprintf(f, "%u\n", k * 512);
	if (f)
		fclose(f);
	snprintf(wl, sizeof(wl), "trace:path=%s,format=text", trace);
	struct pb_csv s;
	if (run_csv("blind", "sim.csv", &s, "sim", "--workload", wl, "--policy", "lru,fifo",
		    "--frames", "40,300", "--reps", "1", "--workers", "2", NULL))
		return;
	PB_CHECK_MSG(s.nrows == 4, "blind: %zu rows", s.nrows);
	for (size_t r = 0; r < s.nrows; r++) {
		uint64_t frames = strtoull(pb_csv_get(&s, r, "frames"), NULL, 10);
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "valid"), "1"));
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "refs"), "170000"));
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "faults"), "170000"));
		PB_CHECK_MSG(strtoull(pb_csv_get(&s, r, "evictions"), NULL, 10) == 170000 - frames,
			     "blind row %zu: evictions %s", r, pb_csv_get(&s, r, "evictions"));
	}
	json_t *m = meta_of("blind");
	json_t *c = json_object_get(m, "config");
	PB_CHECK(json_integer_value(json_object_get(c, "distinct_pages")) == 85000);
	PB_CHECK(!strcmp(cfg_str(m, "replay"), "streaming"));
	json_decref(m);
	pb_csv_free(&s);
}

/* Pages 1 GiB apart: each needs its own leaf and its own table above it
 * (2 nodes a page; the radix pool was once sized for dense traces, d/4 +
 * 64Ki nodes, and such a trace ran out of page table, sized or not). */
static void sparse_tables(void)
{
	char trace[4200], wl[4300];
	snprintf(trace, sizeof(trace), "%s/sparse.txt", dir);
	FILE *f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	for (unsigned r = 0; f && r < 2; r++)
		for (unsigned long long k = 0; k < 50000; k++)
			fprintf(f, "%llu\n", k << 18);
	if (f)
		fclose(f);
	snprintf(wl, sizeof(wl), "trace:path=%s,format=text", trace);
	struct pb_csv s;
	if (run_csv("sparse", "sim.csv", &s, "sim", "--workload", wl, "--policy", "lru", "--frames",
		    "40", "--reps", "1", "--pt", "radix", NULL))
		return;
	PB_CHECK_MSG(s.nrows == 1, "sparse: %zu rows", s.nrows);
	for (size_t r = 0; r < s.nrows; r++) {
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "valid"), "1"));
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "faults"), "100000"));
		PB_CHECK(!strcmp(pb_csv_get(&s, r, "evictions"), "99960"));
	}
	pb_csv_free(&s);
}

/* three workers whatever the machine: tasks run concurrently */
static void streamed_vs_loaded(const char *wl, const char *pols, const char *frames,
			       const char *reps, const char *tag)
{
	streamed_vs_loaded_w(wl, pols, frames, reps, tag, "3");
}

static void refused(const char *opt, const char *val, const char *word)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/refused", dir);
	char *argv[] = {(char *)bin, "sim",    "--workload", "zipf:pages=100,refs=1000",
			"--policy",  "lru",    "--frames",   "10",
			"--model",   "policy", (char *)opt,  (char *)val,
			"--results", root,     NULL};
	struct spawn_out *o = malloc(sizeof(*o));
	spawn_run(argv, envv, o);
	PB_CHECK_MSG(o->code == 2 && count_lines(o->err) == 1 && strstr(o->err, word),
		     "--model policy %s %s: exit %d, %s", opt, val, o->code, o->err);
	free(o);
}

/* Writes into copy-on-write regions: the policy model says its counts
 * differ (one warning line); without writes it has nothing to say.  mrc is
 * the policy model too, streamed or loaded (it used to say nothing). */
static void cow_warning(const char *wl, int expect)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/cow", dir);
	char *sim[] = {(char *)bin, "sim",	"--workload", (char *)wl, "--policy",
		       "lru",	    "--frames", "10",	      "--reps",	  "1",
		       "--model",   "policy",	"--results",  root,	  NULL};
	char *mrc[] = {(char *)bin, "mrc",	"--workload", (char *)wl,  "--policy",
		       "lru",	    "--frames", "10:20:10",   "--results", root,
		       NULL,	    NULL,	NULL};
	struct spawn_out *o = malloc(sizeof(*o));
	for (int k = 0; k < 3; k++) {
		if (k == 2) {
			mrc[10] = "--replay";
			mrc[11] = "load";
		}
		spawn_run(k ? mrc : sim, envv, o);
		PB_CHECK_MSG(o->code == 0 && !!strstr(o->err, "copy-on-write") == expect,
			     "%s %s: exit %d, %s",
			     k ? (k == 2 ? "mrc --replay load" : "mrc") : "sim", wl, o->code,
			     o->err);
	}
	free(o);
}

/* The one-thread prefetch pipeline (from 16384 page objects on, fault.c)
 * at frames beyond the TLB's reach, so that accesses missing the TLB read
 * present PTEs through the addresses the pipeline kept, with the victims'
 * and key-map prefetches on (LRU, FIFO: a victim order; CLOCK: none): the
 * engine's faults are still the policy model's.  shared: two processes
 * with a shared library, whose pages have several mappings (an eviction
 * then walks to each PTE: only a page's one mapping is cleared through the
 * word its fault wrote, vm_frame.pte) - policy faults = engine faults -
 * pagecache_hits there, as in policy_vs_engine. */
static void pipeline_vs_policy(const char *wl, const char *tag, int shared)
{
	static const char *const pols[] = {"lru", "fifo", "clock"};
	char te[64], tp[64];
	snprintf(te, sizeof(te), "%s-engine", tag);
	snprintf(tp, sizeof(tp), "%s-policy", tag);
	struct pb_csv e, p;
	if (run_csv(te, "sim.csv", &e, "sim", "--workload", wl, "--policy", "lru,fifo,clock",
		    "--frames", "5000", "--reps", "1", "--hints", "exact", NULL))
		return;
	if (run_csv(tp, "sim.csv", &p, "sim", "--workload", wl, "--policy", "lru,fifo,clock",
		    "--frames", "5000", "--reps", "1", "--model", "policy", NULL)) {
		pb_csv_free(&e);
		return;
	}
	for (size_t i = 0; i < PB_ARRAY_SIZE(pols); i++) {
		long re = row_of(&e, pols[i], "5000"), rp = row_of(&p, pols[i], "5000");
		long long ef = atoll(get(&e, re, "faults")),
			  pc = atoll(get(&e, re, "pagecache_hits"));
		PB_CHECK_MSG(ef - pc == atoll(get(&p, rp, "faults")) && ef > 5000 &&
				 (shared ? pc > 0 : pc == 0),
			     "%s %s: engine faults %s (pagecache_hits %s), policy faults %s", tag,
			     pols[i], get(&e, re, "faults"), get(&e, re, "pagecache_hits"),
			     get(&p, rp, "faults"));
		PB_CHECK_MSG(!strcmp(get(&e, re, "evictions"), get(&p, rp, "evictions")),
			     "%s %s: engine evictions %s, policy evictions %s", tag, pols[i],
			     get(&e, re, "evictions"), get(&p, rp, "evictions"));
		/* TLB misses that found their page resident */
		PB_CHECK_MSG(atoll(get(&e, re, "tlb_misses")) > ef,
			     "%s %s: tlb_misses %s, faults %s", tag, pols[i],
			     get(&e, re, "tlb_misses"), get(&e, re, "faults"));
	}
	pb_csv_free(&e);
	pb_csv_free(&p);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_sim_model PAGEBENCH");
	bin = argv[1];
	if (!pbt_tmpdir(dir, sizeof(dir), "simmodel"))
		PB_SKIP("no temp dir");

	policy_vs_engine("zipf:pages=3000,refs=40000,alpha=0.9,write=0.3", "zipf", 0);
	policy_vs_engine("hotcold:pages=2000,refs=40000,procs=2,lib=1,write=0.2", "hotcold", 1);
	pipeline_vs_policy("zipf:pages=30000,refs=150000,alpha=0.8,write=0.3", "pipe", 0);
	pipeline_vs_policy("zipf:pages=30000,refs=150000,alpha=0.8,write=0.3,procs=2,lib=1",
			   "pipe-shared", 1);

	/* a text trace: a loop with a scan in the middle, two address spaces */
	char trace[4200], wl[4300];
	snprintf(trace, sizeof(trace), "%s/loop.txt", dir);
	FILE *f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	for (unsigned i = 0; f && i < 30000; i++)
		fprintf(f, "%u\n", i % 7 == 3 ? 5000 + i % 900 : (i * 31) % 400);
	if (f)
		fclose(f);
	snprintf(wl, sizeof(wl), "trace:path=%s,format=text", trace);
	streamed_vs_loaded(wl, "lru,opt,clock,arc", "40,300", "2", "trace");
	/* 70 engines: more than one pass holds (64), the trace is read twice */
	streamed_vs_loaded(wl, "clock", "1-70", "1", "waves");
	streamed_vs_loaded("zipf:pages=3000,refs=50000,procs=2,cow=1,lib=1,write=0.3",
			   "lru,opt,sieve,lirs", "40,300", "2", "cow");
	streamed_vs_loaded("phase:pages=800,refs=50000,period=7000,write=0.5", "lru,s3fifo,2q,nru",
			   "40,300", "2", "phase");
	/* one worker: its reader thread reads and counts pages beside it */
	streamed_vs_loaded_w("zipf:pages=3000,refs=300000,procs=2,write=0.3", "lru,arc", "40,300",
			     "2", "reader", "1");
	blind_sizing();
	sparse_tables();

	cow_warning("zipf:pages=300,refs=5000,procs=2,cow=1,write=0.3", 1);
	cow_warning("zipf:pages=300,refs=5000,procs=2,cow=1", 0);
	refused("--prepage", "readahead", "--prepage");
	refused("--threads", "2", "--threads");
	refused("--hints", "abit", "--hints");
	refused("--caches", "skylake", "--caches");

	if (pbt_rmtree(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return pb_test_done();
}
