/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_record.c - what `sim` records is what ran, and enough
 * to run it again, end to end through the binary (sim.csv read with the
 * project's CSV reader, meta.json with jansson):
 *  - --thp always --caches: every reference is one L1 access, those
 *    through 2 MiB pages too (l1d + l1i = refs);
 *  - eat_ns is recomputed from the row (extra_pages_read and
 *    extra_pages_written included) and meta.json's config.cost (the
 *    device's ns per event, the caches' hit times): a THP swap-out on
 *    hdd, readahead on ssd, the CPU caches on nvme;
 *  - config.tlb.geometry of every named TLB profile, given back as
 *    --tlb, gives the profile's counts with --thp always (the 2 MiB L1
 *    array included: 64 ranges, 39 of them fit as 2 MiB pages, the rest
 *    4 KiB, so a 2 MiB L1 of its own and one shared with 4 KiB pages
 *    count differently);
 *  - --order free with one engine thread is strict order and recorded
 *    so (sim.csv, config.options), with a note; with --model policy it
 *    is refused (exit 2, one line, no run folder);
 *  - a trace row's seed is NA (a trace takes no seed; the reason in
 *    not_available), the same whatever --seed, so runs stay comparable;
 *  - "1 row" / "2 rows" in sim's and mrc's last line;
 *  - `trace info` of a pbt file says its blocks are compressed, not
 *    "compression: none".
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[4096]; /* pbt_tmpdir */
static struct spawn_out out;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};

/* A fresh results root of its own under dir. */
static const char *new_root(void)
{
	static unsigned n;
	static char root[4300];
	snprintf(root, sizeof(root), "%s/r%u", dir, n++);
	return root;
}

/* A text trace at path: references i % mod for i < n, each `times`
 * times in a row. */
static void write_trace(const char *path, int n, int mod, int times)
{
	FILE *f = fopen(path, "w");
	PB_CHECK(f != NULL);
	for (int i = 0; f && i < n * times; i++)
		fprintf(f, "%d\n", (i / times) % mod);
	PB_CHECK(f && fclose(f) == 0);
}

/* The run folder's sim.csv (or mrc.csv) read into t: 0 or -1. */
static int read_csv(const char *run, const char *file, struct pb_csv *t)
{
	char p[4600], err[256];
	snprintf(p, sizeof(p), "%s/%s", run, file);
	int rc = pb_csv_read_file(p, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", p, err);
	return rc ? -1 : 0;
}

/* Cell (row, col) as a number (NA and missing: NAN). */
static double num(const struct pb_csv *t, size_t row, const char *col)
{
	const char *c = pb_csv_get(t, row, col);
	if (!c || !strcmp(c, "NA"))
		return NAN;
	return strtod(c, NULL);
}

/* A count cell; NA (a column the configuration cannot count) as 0. */
static double cnt(const struct pb_csv *t, size_t row, const char *col)
{
	const char *c = pb_csv_get(t, row, col);
	PB_CHECK_MSG(c != NULL, "sim.csv has no column %s", col);
	return c && strcmp(c, "NA") ? strtod(c, NULL) : 0;
}

/* A member of meta.json's config (dotted path "cost.ns.read") as a
 * number (NAN: absent). */
static double cfg_num(json_t *m, const char *path)
{
	json_t *o = json_object_get(m, "config");
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf, *e; o && s; s = e) {
		e = strchr(s, '.');
		if (e)
			*e++ = 0;
		o = json_object_get(o, s);
	}
	return o && json_is_number(o) ? json_number_value(o) : NAN;
}

/* sim WORDS... (NULL-terminated, at most 24) into a fresh root; its run
 * folder into run and meta.json returned (NULL: failed check). */
#define sim_run(run, ...)                                                                          \
	pbt_run_meta_env(bin, envv, new_root(), &out, run, sizeof(run), "sim", __VA_ARGS__,        \
			 "--reps", "1", NULL)

static void thp_caches(void)
{
	char run[4400];
	json_t *m = sim_run(run, "--workload", "zipf:pages=1500,refs=30000,write=0.4", "--policy",
			    "lru", "--frames", "4096", "--thp", "always", "--caches", "auto");
	struct pb_csv t;
	if (!m || read_csv(run, "sim.csv", &t)) {
		json_decref(m);
		return;
	}
	double l1 = cnt(&t, 0, "l1d_hits") + cnt(&t, 0, "l1d_misses") + cnt(&t, 0, "l1i_hits") +
		    cnt(&t, 0, "l1i_misses");
	PB_CHECK_MSG(cnt(&t, 0, "thp_faults") > 0 && l1 == cnt(&t, 0, "refs"),
		     "thp_faults %.0f, L1 accesses %.0f of %.0f refs", cnt(&t, 0, "thp_faults"), l1,
		     cnt(&t, 0, "refs"));
	/* the accesses reach DRAM: more than 0 L3 misses, EAT above them */
	PB_CHECK(cnt(&t, 0, "l3_misses") > 0);
	pb_csv_free(&t);
	json_decref(m);
}

/* eat_ns of row 0 by docs/engine.md's formula from the row and config.cost. */
static double eat_of(const struct pb_csv *t, json_t *m)
{
	static const char *const ev[][2] = {
	    {"tlb_l2_hits", "l2tlb_ns"}, {"tlb_misses", "walk_ns"},
	    {"faults", "fault_ns"},	 {"segv", "fault_ns"},
	    {"zero_fills", "zero_ns"},	 {"cow_copies", "copy_ns"},
	    {"read_ios", "read_ns"},	 {"extra_pages_read", "xfer_ns"},
	    {"write_ios", "write_ns"},	 {"extra_pages_written", "xfer_ns"},
	};
	double refs = cnt(t, 0, "refs");
	double ns = refs * cfg_num(m, "cost.sram_ns");
	if (json_is_object(json_object_get(json_object_get(json_object_get(m, "config"), "cost"),
					   "caches_ns")))
		ns += (cnt(t, 0, "l1d_hits") + cnt(t, 0, "l1d_misses") + cnt(t, 0, "l1i_hits") +
		       cnt(t, 0, "l1i_misses")) *
			  cfg_num(m, "cost.caches_ns.l1") +
		      (cnt(t, 0, "l2_hits") + cnt(t, 0, "l2_misses")) *
			  cfg_num(m, "cost.caches_ns.l2") +
		      (cnt(t, 0, "l3_hits") + cnt(t, 0, "l3_misses")) *
			  cfg_num(m, "cost.caches_ns.l3") +
		      cnt(t, 0, "l3_misses") * cfg_num(m, "cost.dram_ns");
	else
		ns += refs * cfg_num(m, "cost.dram_ns");
	char key[64];
	for (size_t i = 0; i < PB_ARRAY_SIZE(ev); i++) {
		snprintf(key, sizeof(key), "cost.%s", ev[i][1]);
		ns += cnt(t, 0, ev[i][0]) * cfg_num(m, key);
	}
	return ns / refs;
}

/* One run: eat_ns of sim.csv against the formula, config.cost naming
 * device, and want_col above 0 (the term the run is there for). */
static void eat_check(const char *what, const char *want_col, json_t *m, const char *run,
		      const char *device)
{
	struct pb_csv t;
	if (!m || read_csv(run, "sim.csv", &t))
		return;
	json_t *cost = json_object_get(json_object_get(m, "config"), "cost");
	PB_CHECK_MSG(json_is_object(cost) &&
			 !strcmp(json_string_value(json_object_get(cost, "device")) ?: "", device),
		     "%s: config.cost missing or not %s", what, device);
	PB_CHECK_MSG(cnt(&t, 0, want_col) > 0, "%s: %s is 0", what, want_col);
	double csv = num(&t, 0, "eat_ns"), calc = eat_of(&t, m);
	/* sim.csv writes 6 significant digits */
	PB_CHECK_MSG(fabs(csv - calc) <= 1e-5 * calc, "%s: eat_ns %.6g, from the row %.6g", what,
		     csv, calc);
	pb_csv_free(&t);
}

static void eat_from_row(void)
{
	char run[4400], trace[4300], wl[4400];
	/* 4 dirty 2 MiB pages swapped out, 511 transfers each */
	json_t *m = sim_run(run, "--workload", "seq:pages=8192,refs=40000,write=1", "--policy",
			    "lru", "--frames", "2048", "--thp", "always", "--device", "hdd");
	eat_check("thp hdd", "extra_pages_written", m, run, "hdd");
	PB_CHECK_EQ_U64((uint64_t)cfg_num(m, "cost.read_ns"), 12670000);
	json_decref(m);
	/* readahead of a sequential file trace */
	snprintf(trace, sizeof(trace), "%s/seq.txt", dir);
	write_trace(trace, 3000, 3000, 2);
	snprintf(wl, sizeof(wl), "trace:path=%s,backing=file", trace);
	m = sim_run(run, "--workload", wl, "--policy", "lru", "--frames", "64", "--prepage",
		    "readahead", "--device", "ssd");
	eat_check("readahead ssd", "extra_pages_read", m, run, "ssd");
	json_decref(m);
	/* the CPU caches' hit times */
	m = sim_run(run, "--workload", "zipf:pages=3000,refs=30000,write=0.3", "--policy", "clock",
		    "--frames", "1000", "--caches", "auto");
	eat_check("caches nvme", "l3_misses", m, run, "nvme");
	json_decref(m);
}

/* The event columns, fault_rate and eat_ns of row 0 of a and b equal. */
static void same_counts(const char *what, const struct pb_csv *a, const struct pb_csv *b)
{
	int from = 0;
	size_t n = 0;
	for (size_t c = 0; c < a->ncols; c++) {
		const char *name = a->header[c];
		if (!strcmp(name, "refs"))
			from = 1;
		if (!from || !strcmp(name, "seconds") || !strcmp(name, "accesses_per_s"))
			continue;
		const char *x = pb_csv_get(a, 0, name), *y = pb_csv_get(b, 0, name);
		PB_CHECK_MSG(x && y && !strcmp(x, y), "%s: %s %s vs %s", what, name, x ? x : "-",
			     y ? y : "-");
		n++;
	}
	PB_CHECK(n > 40);
}

static void tlb_round_trip(void)
{
	static const char *const prof[] = {"skylake", "icelake", "zen3", "zen4", "textbook"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(prof); i++) {
		char run[4400], run2[4400], geo[256] = "";
		json_t *m =
		    sim_run(run, "--workload", "zipf:pages=32768,refs=60000", "--policy", "lru",
			    "--frames", "20000", "--thp", "always", "--tlb", prof[i]);
		json_t *tlb = json_object_get(json_object_get(m, "config"), "tlb");
		snprintf(geo, sizeof(geo), "%s",
			 json_string_value(json_object_get(tlb, "geometry")) ?: "");
		PB_CHECK_MSG(geo[0], "%s: no config.tlb.geometry", prof[i]);
		json_t *m2 = sim_run(run2, "--workload", "zipf:pages=32768,refs=60000", "--policy",
				     "lru", "--frames", "20000", "--thp", "always", "--tlb", geo);
		struct pb_csv a, b;
		if (m && m2 && !read_csv(run, "sim.csv", &a)) {
			if (!read_csv(run2, "sim.csv", &b)) {
				char what[320];
				snprintf(what, sizeof(what), "--tlb %s vs --tlb %s", prof[i], geo);
				PB_CHECK_MSG(cnt(&a, 0, "thp_faults") > 0, "%s: no THP", what);
				same_counts(what, &a, &b);
				pb_csv_free(&b);
			}
			pb_csv_free(&a);
		}
		json_decref(m);
		json_decref(m2);
	}
}

static void order_free(void)
{
	char run[4400];
	json_t *m = sim_run(run, "--workload", "zipf:pages=500,refs=5000", "--policy", "lru",
			    "--frames", "64", "--order", "free");
	PB_CHECK_MSG(strstr(out.err, "--order free") && strstr(out.err, "strict"),
		     "no note on stderr: %s", out.err);
	struct pb_csv t;
	if (m && !read_csv(run, "sim.csv", &t)) {
		PB_CHECK(!strcmp(pb_csv_get(&t, 0, "order") ?: "", "strict"));
		pb_csv_free(&t);
	}
	json_t *c = json_object_get(m, "config");
	PB_CHECK(!strcmp(json_string_value(json_object_get(json_object_get(c, "options"), "order"))
			     ?: "",
			 "strict"));
	PB_CHECK(json_is_true(json_object_get(c, "deterministic")));
	json_decref(m);
	/* two threads: free order, as asked */
	m = sim_run(run, "--workload", "zipf:pages=500,refs=5000", "--policy", "lru", "--frames",
		    "64", "--order", "free", "--threads", "2");
	if (m && !read_csv(run, "sim.csv", &t)) {
		PB_CHECK(!strcmp(pb_csv_get(&t, 0, "order") ?: "", "free"));
		pb_csv_free(&t);
	}
	PB_CHECK(json_is_false(json_object_get(json_object_get(m, "config"), "deterministic")));
	json_decref(m);
	/* --model policy: refused, as its other engine options */
	const char *root = new_root();
	char d[4400]; /* a run folder it must not leave */
	pbt_run(bin, root, &out, d, sizeof(d), "sim", "--workload", "zipf:pages=500,refs=5000",
		"--policy", "lru", "--frames", "64", "--reps", "1", "--model", "policy", "--order",
		"free", NULL);
	PB_CHECK_MSG(out.code == 2 && count_lines(out.err) == 1 && strstr(out.err, "--order") &&
			 strstr(out.err, "--model policy"),
		     "--model policy --order free: exit %d, %s", out.code, out.err);
	PB_CHECK(pbt_run_dirs(root, d, sizeof(d)) == 0);
	json_decref(sim_run(run, "--workload", "zipf:pages=500,refs=5000", "--policy", "lru",
			    "--frames", "64", "--model", "policy", "--order", "strict"));
}

static void trace_seed(void)
{
	char trace[4300], wl[4400], run[4400];
	snprintf(trace, sizeof(trace), "%s/loop.txt", dir);
	write_trace(trace, 500, 50, 1);
	snprintf(wl, sizeof(wl), "trace:path=%s", trace);
	for (int seed = 1; seed <= 2; seed++) {
		char s[8];
		snprintf(s, sizeof(s), "%d", seed);
		json_t *m = pbt_run_meta_env(bin, envv, new_root(), &out, run, sizeof(run), "sim",
					     "--workload", wl, "--policy", "lru", "--frames", "10",
					     "--reps", "2", "--seed", s, NULL);
		struct pb_csv t;
		if (!m || read_csv(run, "sim.csv", &t)) {
			json_decref(m);
			continue;
		}
		PB_CHECK_EQ_U64(t.nrows, 2);
		for (size_t r = 0; r < t.nrows; r++)
			PB_CHECK_MSG(!strcmp(pb_csv_get(&t, r, "seed") ?: "", "NA"),
				     "--seed %d row %zu: seed %s", seed, r,
				     pb_csv_get(&t, r, "seed") ?: "-");
		const char *why =
		    json_string_value(json_object_get(json_object_get(m, "not_available"), "seed"));
		PB_CHECK_MSG(why && strstr(why, "trace"), "not_available.seed: %s",
			     why ? why : "-");
		pb_csv_free(&t);
		json_decref(m);
	}
	/* a generator's rows keep theirs */
	json_t *m = sim_run(run, "--workload", "zipf:pages=50,refs=500", "--policy", "lru",
			    "--frames", "10", "--seed", "5");
	struct pb_csv t;
	if (m && !read_csv(run, "sim.csv", &t)) {
		PB_CHECK(!strcmp(pb_csv_get(&t, 0, "seed") ?: "", "5"));
		pb_csv_free(&t);
	}
	PB_CHECK(!json_object_get(json_object_get(m, "not_available"), "seed"));
	json_decref(m);
}

static void rows_line(void)
{
	char run[4400];
	json_decref(sim_run(run, "--workload", "zipf:pages=50,refs=500", "--policy", "lru",
			    "--frames", "10"));
	PB_CHECK_MSG(strstr(out.err, "sim: 1 row in "), "sim: %s", out.err);
	json_decref(sim_run(run, "--workload", "zipf:pages=50,refs=500", "--policy", "lru",
			    "--frames", "10,20"));
	PB_CHECK_MSG(strstr(out.err, "sim: 2 rows in "), "sim: %s", out.err);
	json_decref(pbt_run_meta_env(bin, envv, new_root(), &out, run, sizeof(run), "mrc",
				     "--workload", "zipf:pages=50,refs=500", "--policy", "lru",
				     "--frames", "10:10:1", NULL));
	PB_CHECK_MSG(strstr(out.err, "mrc: 1 row in "), "mrc: %s", out.err);
}

static void pbt_info(void)
{
	char txt[4300], pbt[4300];
	snprintf(txt, sizeof(txt), "%s/info.txt", dir);
	snprintf(pbt, sizeof(pbt), "%s/info.pbt", dir);
	write_trace(txt, 5000, 300, 1);
	PB_CHECK_EQ_U64(spawn_runl(bin, envv, &out, "trace", "convert", txt, pbt, NULL), 0);
	for (int i = 0; i < 2; i++) {
		PB_CHECK_EQ_U64(spawn_runl(bin, envv, &out, "trace", "info", i ? pbt : txt, NULL),
				0);
		const char *c = strstr(out.out, "compression:");
		char line[256] = "";
		if (c)
			sscanf(c, "compression: %255[^\n]", line);
		if (i)
			PB_CHECK_MSG(strstr(out.out, "pbt blocks:") && strstr(line, "pbt") &&
					 strncmp(line, "none", 4),
				     "pbt: compression '%s'", line);
		else
			PB_CHECK_MSG(!strcmp(line, "none"), "text: compression '%s'", line);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_sim_record PAGEBENCH");
	bin = argv[1];
	if (!pbt_tmpdir(dir, sizeof(dir), "simrecord"))
		PB_SKIP("no temp dir");
	thp_caches();
	eat_from_row();
	tlb_round_trip();
	order_free();
	trace_seed();
	rows_line();
	pbt_info();
	pbt_rmtree(dir);
	return pb_test_done();
}
