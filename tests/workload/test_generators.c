/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_generators.c - synthetic generators: reproducible
 * from the seed, lengths, ranges, each generator's defining property
 * (a chase visits every page once per cycle, a loop repeats, a matrix
 * column pass strides by a row), the write ratio, processes, the shared
 * library and COW flags, the share modes, and table-driven parsing.
 */
#include "wltest.h"

#include <stdint.h>

#include "pagebench/commands.h"
#include "pagebench/trace.h"
#include "pbtest.h"

#define PRIV 0x10000000ULL

static long get(const char *spec, unsigned tid, unsigned nthr, uint64_t seed, struct pb_access **v)
{
	struct pb_workload_opts o = {tid, nthr, seed};
	char err[512] = "";
	long n = wl_readall(spec, &o, v, err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "%s: %s\n", spec, err);
	return n;
}

static int same(const struct pb_access *a, const struct pb_access *b, long n)
{
	return !memcmp(a, b, (size_t)n * sizeof(*a));
}

static void test_reproducible(void)
{
	const char *specs[] = {
	    "uniform:pages=1000,refs=5000",
	    "zipf:pages=1000,refs=5000",
	    "seq:refs=5000,run=4",
	    "stride:pages=100,stride=7,refs=5000",
	    "loop:pages=300,refs=5000",
	    "hotcold:pages=1000,refs=5000",
	    "phase:pages=100,period=1000,refs=5000",
	    "chase:pages=1000,refs=5000",
	    "matrix:rows=64,cols=64,refs=5000",
	    "zipf:refs=5000,write=0.3,procs=3,lib=16,cow=1",
	};
	for (size_t i = 0; i < PB_ARRAY_SIZE(specs); i++) {
		struct pb_access *a, *b, *c;
		long na = get(specs[i], 0, 1, 7, &a);
		long nb = get(specs[i], 0, 1, 7, &b);
		PB_CHECK_MSG(na == 5000 && nb == 5000, "%s: %ld/%ld refs", specs[i], na, nb);
		PB_CHECK_MSG(na == nb && same(a, b, na), "%s: same seed, different stream",
			     specs[i]);
		long nc = get(specs[i], 0, 1, 8, &c);
		int random = strncmp(specs[i], "seq", 3) && strncmp(specs[i], "stride", 6) &&
			     strncmp(specs[i], "loop", 4) && strncmp(specs[i], "matrix", 6);
		if (random)
			PB_CHECK_MSG(nc == na && !same(a, c, na), "%s: seed ignored", specs[i]);
		/* an explicit seed= overrides the run's */
		char s2[200];
		snprintf(s2, sizeof(s2), "%s,seed=7", specs[i]);
		struct pb_access *d;
		long nd = get(s2, 0, 1, 99, &d);
		PB_CHECK_MSG(nd == na && same(a, d, na), "%s: seed= not honoured", specs[i]);
		free(a);
		free(b);
		free(c);
		free(d);
	}
}

static void test_properties(void)
{
	struct pb_access *v;
	/* uniform stays in range and covers it */
	long n = get("uniform:pages=64,refs=20000", 0, 1, 1, &v);
	uint64_t seen = 0;
	int inrange = 1;
	for (long i = 0; i < n; i++) {
		uint64_t p = (v[i].addr - PRIV) >> 12;
		inrange &= p < 64 && v[i].op == PB_OP_READ && v[i].asid == 0;
		seen |= 1ULL << (p & 63);
	}
	PB_CHECK(n == 20000 && inrange && seen == ~0ULL);
	free(v);
	/* zipf: page 0 the most popular, counts fall with rank */
	n = get("zipf:pages=1000,alpha=1.2,refs=200000", 0, 1, 3, &v);
	static uint64_t cnt[1000];
	memset(cnt, 0, sizeof(cnt));
	long out = 0;
	for (long i = 0; i < n; i++) {
		uint64_t p = (v[i].addr - PRIV) >> 12;
		out += p >= 1000;
		if (p < 1000)
			cnt[p]++;
	}
	PB_CHECK_EQ_U64(out, 0);
	PB_CHECK(cnt[0] > cnt[1] && cnt[1] > cnt[3] && cnt[3] > cnt[50] && cnt[0] > 200000 / 5);
	/* p(1)/p(2) = 2^1.2 = 2.30 */
	double ratio = (double)cnt[0] / (double)cnt[1];
	PB_CHECK_MSG(ratio > 2.0 && ratio < 2.6, "zipf p1/p2 = %.2f, want ~2.30", ratio);
	free(v);
	/* alpha = 1 (the helper functions' removable singularity): p1/p2 = 2 */
	n = get("zipf:pages=100,alpha=1,refs=100000", 0, 1, 9, &v);
	memset(cnt, 0, sizeof(cnt));
	for (long i = 0; i < n; i++)
		cnt[((v[i].addr - PRIV) >> 12) % 1000]++;
	ratio = (double)cnt[0] / (double)cnt[1];
	PB_CHECK_MSG(n == 100000 && ratio > 1.8 && ratio < 2.2, "zipf alpha=1 p1/p2 = %.2f", ratio);
	free(v);
	n = get("zipf:pages=1,refs=100", 0, 1, 1, &v);
	PB_CHECK(n == 100 && v[0].addr == PRIV && v[99].addr == PRIV);
	free(v);
	/* chase: a single cycle: 1000 refs visit 1000 distinct pages */
	n = get("chase:pages=1000,refs=2000", 0, 1, 5, &v);
	static uint8_t hit[1000];
	memset(hit, 0, sizeof(hit));
	int distinct = 0;
	for (long i = 0; i < 1000; i++) {
		uint64_t p = (v[i].addr - PRIV) >> 12;
		distinct += p < 1000 && !hit[p];
		if (p < 1000)
			hit[p] = 1;
	}
	PB_CHECK_EQ_U64(distinct, 1000);
	PB_CHECK(n == 2000 && v[1000].addr == v[0].addr && v[1999].addr == v[999].addr);
	free(v);
	/* loop repeats with period pages; seq never reuses */
	n = get("loop:pages=100,refs=350", 0, 1, 1, &v);
	PB_CHECK(n == 350 && v[0].addr == v[100].addr && v[349].addr == v[49].addr &&
		 v[1].addr == v[0].addr + 4096);
	free(v);
	n = get("seq:refs=1000,run=4", 0, 1, 1, &v);
	PB_CHECK(n == 1000 && (v[3].addr >> 12) == (v[0].addr >> 12) &&
		 (v[4].addr >> 12) == (v[0].addr >> 12) + 1 && (v[999].addr - PRIV) >> 12 == 249);
	free(v);
	/* stride visits every page once per sweep */
	n = get("stride:pages=10,stride=3,refs=10", 0, 1, 1, &v);
	uint64_t m = 0;
	for (long i = 0; i < n; i++)
		m |= 1ULL << ((v[i].addr - PRIV) >> 12);
	PB_CHECK(n == 10 && m == 0x3ff && (v[1].addr - PRIV) >> 12 == 3);
	free(v);
	/* matrix: row pass then column pass (stride = cols * elem) */
	n = get("matrix:rows=4,cols=512,elem=8,order=alt,refs=4096", 0, 1, 1, &v);
	PB_CHECK(n == 4096 && v[1].addr - v[0].addr == 8 && v[2048].addr == PRIV &&
		 v[2049].addr - v[2048].addr == 512 * 8);
	free(v);
	/* hotcold: ~80 % of refs to the first 20 % of pages */
	n = get("hotcold:pages=1000,hot=0.2,hotprob=0.8,refs=50000", 0, 1, 1, &v);
	long hot = 0;
	for (long i = 0; i < n; i++)
		hot += (v[i].addr - PRIV) >> 12 < 200;
	PB_CHECK_MSG(hot > 38500 && hot < 41500, "hotcold: %ld of 50000 hot", hot);
	free(v);
	/* phase: the working set moves every period */
	n = get("phase:pages=10,period=100,refs=300", 0, 1, 1, &v);
	int ok = 1;
	for (long i = 0; i < n; i++) {
		uint64_t p = (v[i].addr - PRIV) >> 12, ph = (uint64_t)i / 100;
		ok &= p >= ph * 10 && p < ph * 10 + 10;
	}
	PB_CHECK(n == 300 && ok);
	free(v);
}

static void test_common_params(void)
{
	struct pb_access *v;
	long n = get("uniform:pages=100,refs=40000,write=0.3", 0, 1, 1, &v);
	long w = 0;
	for (long i = 0; i < n; i++)
		w += v[i].op == PB_OP_WRITE;
	PB_CHECK_MSG(w > 11000 && w < 13000, "write=0.3: %ld of 40000", w);
	free(v);
	n = get("uniform:pages=100,refs=40000,procs=4,quantum=100,lib=8,libfrac=0.25,cow=1", 0, 1,
		1, &v);
	long lib = 0, bad = 0;
	uint32_t maxasid = 0;
	for (long i = 0; i < n; i++) {
		if (v[i].asid > maxasid)
			maxasid = v[i].asid;
		bad += v[i].asid != (uint32_t)((i / 100) % 4);
		if (v[i].flags == (PB_ACC_FILE | PB_ACC_SHARED)) {
			lib++;
			bad += v[i].op != PB_OP_FETCH || v[i].addr < 0x7f0000000000ULL ||
			       ((v[i].addr - 0x7f0000000000ULL) >> 12) >= 8;
		} else {
			bad += v[i].flags != PB_ACC_COW || v[i].addr >= 0x7f0000000000ULL;
		}
	}
	PB_CHECK(maxasid == 3 && bad == 0);
	PB_CHECK_MSG(lib > 9000 && lib < 11000, "libfrac=0.25: %ld of 40000", lib);
	free(v);
}

static void test_share(void)
{
	const char *base = "uniform:pages=50,refs=1000";
	char s[200];
	struct pb_access *a, *b, *one;
	/* disjoint: different regions and seeds */
	snprintf(s, sizeof(s), "%s,share=disjoint", base);
	get(s, 0, 2, 1, &a);
	get(s, 1, 2, 1, &b);
	uint64_t maxa = 0, minb = UINT64_MAX;
	for (int i = 0; i < 1000; i++) {
		maxa = a[i].addr > maxa ? a[i].addr : maxa;
		minb = b[i].addr < minb ? b[i].addr : minb;
	}
	PB_CHECK(maxa < minb && b[0].thread == 1);
	free(a);
	free(b);
	/* shared: same region, different streams */
	snprintf(s, sizeof(s), "%s,share=shared", base);
	get(s, 0, 2, 1, &a);
	get(s, 1, 2, 1, &b);
	int overlap = 0;
	for (int i = 0; i < 1000; i++)
		overlap |= (a[i].addr >> 12) == (b[0].addr >> 12);
	PB_CHECK(overlap && !same(a, b, 1000));
	free(a);
	free(b);
	/* interleaved: thread t gets refs t, t+T, ... of the one stream */
	snprintf(s, sizeof(s), "uniform:pages=50,refs=2000,share=interleaved");
	long n1 = get(s, 0, 1, 1, &one);
	snprintf(s, sizeof(s), "uniform:pages=50,refs=1000,share=interleaved");
	long na = get(s, 0, 2, 1, &a), nb = get(s, 1, 2, 1, &b);
	int ok = n1 == 2000 && na == 1000 && nb == 1000;
	for (int i = 0; ok && i < 1000; i++)
		ok &= a[i].addr == one[2 * i].addr && b[i].addr == one[2 * i + 1].addr;
	PB_CHECK(ok);
	free(one);
	free(a);
	free(b);
}

static void expect_err(const char *spec, const char *frag)
{
	struct pb_workload *w;
	char err[512] = "";
	struct pb_workload_opts o = {0, 1, 1};
	int rc = pb_workload_open(spec, &o, &w, err, sizeof(err));
	PB_CHECK_MSG(rc < 0 && strstr(err, frag), "%s: rc %d, message '%s', want '%s'", spec, rc,
		     err, frag);
	if (!rc)
		pb_workload_close(w);
}

static void test_parsing(void)
{
	expect_err("nosuch", "unknown workload 'nosuch'");
	expect_err("zipf:alpah=1", "unknown parameter 'alpah'");
	expect_err("zipf:alpha=abc", "alpha");
	expect_err("zipf:alpha=-1", "alpha");
	expect_err("uniform:pages=0", "pages");
	expect_err("uniform:refs=99999999999999999999999", "refs");
	expect_err("uniform:write=1.5", "write");
	expect_err("uniform:share=sideways", "share");
	expect_err("matrix:order=diagonal", "order");
	expect_err("uniform:page=3000", "power of two");
	expect_err("uniform:pages", "malformed");
	expect_err("matrix:rows=1G,cols=1G,elem=1M", "exceeds");
	expect_err("phase:refs=1T,period=1,shift=64G", "exceeds");
	expect_err("seq:refs=1T,page=1G", "exceeds");
	struct pb_workload *w;
	char err[512];
	struct pb_workload_opts o = {0, 1, 5};
	PB_CHECK(pb_workload_open("zipf:alpha=0.8,refs=1K", &o, &w, err, sizeof(err)) == 0);
	const char *c = pb_workload_canonical(w);
	PB_CHECK_MSG(strstr(c, "zipf:pages=65536,alpha=0.8,refs=1024,seed=5,write=0") &&
			 strstr(c, "share=disjoint") && strstr(c, "page=4096"),
		     "canonical: %s", c);
	PB_CHECK_EQ_U64(pb_workload_page_shift(w), 12);
	pb_workload_close(w);
	/* the canonical spec reproduces the stream */
	struct pb_access *a, *b;
	PB_CHECK(pb_workload_open("hotcold:refs=3000,write=0.5", &o, &w, err, sizeof(err)) == 0);
	char canon[1024];
	snprintf(canon, sizeof(canon), "%s", pb_workload_canonical(w));
	pb_workload_close(w);
	long na = get("hotcold:refs=3000,write=0.5", 0, 1, 5, &a);
	long nb = get(canon, 0, 1, 77, &b);
	PB_CHECK(na == 3000 && nb == 3000 && same(a, b, na));
	free(a);
	free(b);
	/* load_keys over a generator */
	uint64_t *keys;
	uint8_t *wr;
	size_t n;
	PB_CHECK(pb_workload_load_keys("loop:pages=10,refs=25,procs=2,quantum=5", &o, &keys, &wr,
				       &n, err, sizeof(err)) == 0);
	PB_CHECK(n == 25 && keys[5] >> 48 == 1 && (keys[0] & 0xffffffffffffULL) == PRIV >> 12 &&
		 keys[10] == keys[0]);
	uint64_t *nx;
	PB_CHECK(pb_workload_next_use(keys, n, &nx) == 0);
	PB_CHECK(nx[0] == 10 && nx[24] == UINT64_MAX);
	free(keys);
	free(wr);
	free(nx);
	/* the list shows every generator from the same table */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pb_list_workloads(f);
	fclose(f);
	const char *names[] = {"uniform",      "zipf",	     "seq",   "stride", "loop",
			       "hotcold",      "phase",	     "chase", "matrix", "trace",
			       "refs=1000000", "alpha=0.99", "exec",  "thp=0"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(names); i++)
		PB_CHECK_MSG(strstr(buf, names[i]) != NULL, "list lacks %s", names[i]);
	free(buf);
}

/* The canonical spec of spec opened with seed 1, or "" (message in err). */
static const char *canon_of(const char *spec, char *err, size_t errlen)
{
	static char c[1024];
	struct pb_workload *w;
	struct pb_workload_opts o = {0, 1, 1};
	c[0] = err[0] = 0;
	if (!pb_workload_open(spec, &o, &w, err, errlen)) {
		snprintf(c, sizeof(c), "%s", pb_workload_canonical(w));
		pb_workload_close(w);
	}
	return c;
}

/* A spec's "k=v,k=v" entries: empty ones (a leading, doubled or trailing
 * ',') are skipped, an entry without '=' or without a key is refused with
 * it whole, a key given twice takes its later value (before or after
 * other keys); the messages pinned word for word. */
static void test_spec_entries(void)
{
	static const struct {
		const char *spec, *canon, *err; /* one of the two */
	} cases[] = {
	    {"zipf:", "zipf:pages=65536,alpha=0.99,refs=1000000,seed=1,", NULL},
	    {"zipf:,,,", "zipf:pages=65536,alpha=0.99,refs=1000000,seed=1,", NULL},
	    {"zipf:,refs=100,,pages=10,", "zipf:pages=10,alpha=0.99,refs=100,seed=1,", NULL},
	    {"zipf:refs=100,", "zipf:pages=65536,alpha=0.99,refs=100,seed=1,", NULL},
	    {"zipf:refs=10,refs=20", "zipf:pages=65536,alpha=0.99,refs=20,seed=1,", NULL},
	    {"zipf:pages=5,refs=10,pages=7", "zipf:pages=7,alpha=0.99,refs=10,seed=1,", NULL},
	    {"zipf:refs=10,pages=5,refs=30", "zipf:pages=5,alpha=0.99,refs=30,seed=1,", NULL},
	    {"zipf:refs=10,pages", NULL, "workload zipf: malformed 'pages' (expected key=value)"},
	    {"zipf:pages,refs=10", NULL, "workload zipf: malformed 'pages' (expected key=value)"},
	    {"zipf:=5", NULL, "workload zipf: malformed '=5' (expected key=value)"},
	    {"zipf:refs=10,,=", NULL, "workload zipf: malformed '=' (expected key=value)"},
	    {"zipf:refs=", NULL, "workload zipf: bad value '' for refs (a size in [0, "},
	    {"zipf:refs=1=2", NULL, "workload zipf: bad value '1=2' for refs"},
	    {"zipf:Refs=1", NULL,
	     "workload zipf: unknown parameter 'Refs' (see `pagebench list workloads`)"},
	    {"zipf:refs=1,refs=x", NULL, "workload zipf: bad value 'x' for refs"},
	};
	for (size_t i = 0; i < PB_ARRAY_SIZE(cases); i++) {
		char err[512];
		const char *c = canon_of(cases[i].spec, err, sizeof(err));
		if (cases[i].canon)
			PB_CHECK_MSG(!strncmp(c, cases[i].canon, strlen(cases[i].canon)),
				     "%s: '%s' (%s), want '%s...'", cases[i].spec, c, err,
				     cases[i].canon);
		else
			PB_CHECK_MSG(!c[0] && !strncmp(err, cases[i].err, strlen(cases[i].err)),
				     "%s: '%s', message '%s', want '%s'", cases[i].spec, c, err,
				     cases[i].err);
	}
	/* a trace spec alike (its path= kept whole, the rest filled in) */
	char err[512];
	const char *c = canon_of("trace:,path=/nonexistent/x,,", err, sizeof(err));
	PB_CHECK_MSG(!c[0] && strstr(err, "/nonexistent/x") && !strstr(err, "malformed"), "%s",
		     err);
	c = canon_of("trace:format=pbt", err, sizeof(err));
	PB_CHECK_MSG(!strcmp(err, "workload trace: path= is required"), "%s", err);
}

/* stack distances through the slot renumbering (every 2^20 references):
 * a loop over 100 pages has distance 99 at every reuse, and a loop of
 * loops over 3000 pages (period 3000) distance 2999 */
static void test_reuse_stats(void)
{
	struct pb_trace_stats st;
	char err[512];
	PB_CHECK(pb_trace_info("loop:pages=100,refs=2500000", NULL, &st, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(st.cold, 100);
	PB_CHECK_EQ_U64(st.hist[6], 2500000 - 100); /* d + 1 = 100 in [64, 128) */
	PB_CHECK_EQ_U64(st.distinct_pages, 100);
	/* 127 pages (the bucket's largest need) hit, 128 would be one too many */
	PB_CHECK_EQ_U64(pb_trace_lru_pages_for(&st, 0.5), 127);
	PB_CHECK(pb_trace_info("loop:pages=3000,refs=2200000,procs=1", NULL, &st, err,
			       sizeof(err)) == 0);
	PB_CHECK_EQ_U64(st.hist[11], 2200000 - 3000); /* d + 1 = 3000 in [2048, 4096) */
	PB_CHECK_EQ_U64(st.refs, 2200000);
}

int main(void)
{
	test_reuse_stats();
	test_reproducible();
	test_properties();
	test_common_params();
	test_share();
	test_parsing();
	test_spec_entries();
	return pb_test_done();
}
