/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_traces.c - trace readers on inputs this test writes:
 * every format's reference sequence, compressed inputs, pbt round trips,
 * load_keys / next-use, and every kind of bad input (each must fail with a
 * message naming the file and the line or byte, never crash or miscount).
 * Usage: test_traces [PAGEBENCH_BINARY] (the CLI checks need the binary).
 */
#include "wltest.h"

#include <stdint.h>
#include <sys/stat.h>

#include "pagebench/trace.h"
#include "pbtest.h"
#include "spawn.h"

struct exp {
	uint64_t page;
	uint8_t op;
	uint32_t asid;
};

static void check_seq(const char *spec, const struct exp *e, size_t ne)
{
	struct pb_access *v = NULL;
	char err[512] = "";
	long n = wl_readall(spec, NULL, &v, err, sizeof(err));
	PB_CHECK_MSG(n == (long)ne, "%s: got %ld refs, want %zu (%s)", spec, n, ne, err);
	long bad = 0;
	for (long i = 0; n == (long)ne && i < n; i++) {
		if (v[i].addr >> 12 == e[i].page && v[i].op == e[i].op && v[i].asid == e[i].asid)
			continue;
		if (bad++ < 5)
			fprintf(stderr, "%s: ref %ld: page %llx op %u asid %u, want %llx %u %u\n",
				spec, i, (unsigned long long)(v[i].addr >> 12), v[i].op, v[i].asid,
				(unsigned long long)e[i].page, e[i].op, e[i].asid);
	}
	PB_CHECK_MSG(bad == 0, "%s: %ld references differ", spec, bad);
	free(v);
}

/* convert to pbt at zstd level `level` and compare the two sequences
 * page by page */
static void check_roundtrip_at(const char *spec, const char *tag, int level)
{
	char err[512] = "", out[64], pspec[512];
	snprintf(out, sizeof(out), "rt-%s%d.pbt", tag, level);
	const char *op = wl_path(out);
	uint64_t nw = 0;
	int rc = pb_trace_convert(spec, 0, op, level, PB_OUT_FORCE, &nw, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "convert %s: %s", spec, err);
	snprintf(pspec, sizeof(pspec), "trace:path=%s", op);
	struct pb_access *a = NULL, *b = NULL;
	long na = wl_readall(spec, NULL, &a, err, sizeof(err));
	long nb = wl_readall(pspec, NULL, &b, err, sizeof(err));
	PB_CHECK_MSG(na > 0 && na == nb && (uint64_t)na == nw, "%s: %ld refs, pbt %ld (%s)", tag,
		     na, nb, err);
	long bad = 0;
	for (long i = 0; na == nb && i < na; i++)
		bad += (a[i].addr >> 12) != (b[i].addr >> 12) || a[i].op != b[i].op ||
		       a[i].asid != b[i].asid || a[i].thread != b[i].thread ||
		       a[i].flags != b[i].flags;
	PB_CHECK_MSG(bad == 0, "%s: %ld references differ after the pbt round trip at level %d",
		     tag, bad, level);
	free(a);
	free(b);
}

/* the default level, and zstd's fast level 1 (trace convert --fast 1) */
static void check_roundtrip(const char *spec, const char *tag)
{
	check_roundtrip_at(spec, tag, 3);
	check_roundtrip_at(spec, tag, -1);
}

/* the spec must fail (at open or while reading) with a message holding
 * every one of the given fragments */
static void check_bad(const char *spec, const char *frag1, const char *frag2)
{
	char err[512] = "";
	long n = wl_readall(spec, NULL, NULL, err, sizeof(err));
	PB_CHECK_MSG(n < 0, "%s: accepted (%ld refs), want an error with '%s'", spec, n, frag1);
	PB_CHECK_MSG(n >= 0 || strstr(err, frag1), "%s: message '%s' lacks '%s'", spec, err, frag1);
	PB_CHECK_MSG(n >= 0 || !frag2 || strstr(err, frag2), "%s: message '%s' lacks '%s'", spec,
		     err, frag2);
}

static const char lackey_log[] = "==12== Lackey, an example Valgrind tool\n"
				 "I  04000000,4\n"
				 " L 7ff000ffc,8\n"
				 " S 1000,4\n"
				 " M 2000,4\n"
				 "==12== \n";
static const struct exp lackey_exp[] = {
    {0x4000, PB_OP_FETCH, 0}, {0x7ff000, PB_OP_READ, 0}, {0x7ff001, PB_OP_READ, 0},
    {1, PB_OP_WRITE, 0},      {2, PB_OP_READ, 0},	 {2, PB_OP_WRITE, 0},
};

static char spec_buf[8][PATH_MAX + 128];
static const char *spec(int slot, const char *file, const char *extra)
{
	snprintf(spec_buf[slot], sizeof(spec_buf[slot]), "trace:path=%s%s%s", wl_path(file),
		 extra ? "," : "", extra ? extra : "");
	return spec_buf[slot];
}

static void test_formats(void)
{
	wl_write(wl_path("a.lackey"), lackey_log, strlen(lackey_log));
	check_seq(spec(0, "a.lackey", NULL), lackey_exp, 6);
	check_seq(spec(0, "a.lackey", "ifetch=0"), lackey_exp + 1, 5);
	check_roundtrip(spec(0, "a.lackey", NULL), "lackey");
	struct pb_trace_stats st;
	char err[512];
	PB_CHECK(pb_trace_info(spec(0, "a.lackey", NULL), NULL, &st, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(st.records, 4);
	PB_CHECK_EQ_U64(st.refs, 6);
	PB_CHECK_EQ_U64(st.skipped_lines, 2);
	PB_CHECK_EQ_U64(st.distinct_pages, 5);
	PB_CHECK_EQ_U64(st.writes, 2);
	PB_CHECK(!strcmp(st.format, "lackey"));

	const char *text = "5\n7\n*\n\nabc\n5\n  9  \r\n12"; /* no final newline */
	wl_write(wl_path("a.txt"), text, strlen(text));
	struct exp te[] = {{5, 0, 0}, {7, 0, 0}, {5, 0, 0}, {9, 0, 0}, {12, 0, 0}};
	check_seq(spec(0, "a.txt", NULL), te, 5);
	check_roundtrip(spec(0, "a.txt", NULL), "text");
	PB_CHECK(pb_trace_info(spec(0, "a.txt", NULL), NULL, &st, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(st.skipped_lines, 2);
	PB_CHECK_EQ_U64(st.distinct_pages, 4);
	/* reuse distances: 5 after {7}: 1 page between -> bucket of d+1=2 */
	PB_CHECK_EQ_U64(st.cold, 4);
	PB_CHECK_EQ_U64(st.hist[1], 1);

	const char *lis = "10 3 0 0\n100 1 0 1\n";
	wl_write(wl_path("a.lis"), lis, strlen(lis));
	struct exp le[] = {{10, 0, 0}, {11, 0, 0}, {12, 0, 0}, {100, 0, 0}};
	check_seq(spec(0, "a.lis", NULL), le, 4);
	check_roundtrip(spec(0, "a.lis", NULL), "lis");

	const char *msr = "128166385295514663,hm,0,Write,8192,4096,2833\n"
			  "128166385295514878,hm,1,Read,4000,200,2617\n"
			  "128166385295514879,prxy,0,Read,0,512,1\n";
	wl_write(wl_path("a.csv"), msr, strlen(msr));
	struct exp me[] = {{2, 1, 0}, {0, 0, 1}, {1, 0, 1}, {0, 0, 2}};
	check_seq(spec(0, "a.csv", "backing=anon"), me, 4); /* file: test_backing */
	check_roundtrip(spec(0, "a.csv", NULL), "msr");

	const char *spc = "0,16,4096,w,0.0\n1,7,1024,r,0.1\n";
	wl_write(wl_path("b.csv"), spc, strlen(spc));
	struct exp se[] = {{2, 1, 0}, {0, 0, 1}, {1, 0, 1}};
	check_seq(spec(0, "b.csv", "backing=anon"), se, 3);
	check_roundtrip(spec(0, "b.csv", "csv=spc"), "spc");
	/* a custom column map over libCacheSim's csv layout */
	const char *lcs = "version,time,op,size,lbn\n1,5633898,2a,512,3\n1,5633899,28,512,9\n";
	wl_write(wl_path("c.csv"), lcs, strlen(lcs));
	struct exp ce[] = {{3, 1, 0}, {9, 0, 0}};
	check_seq(spec(0, "c.csv", "offcol=5,sizecol=0,opcol=3,unit=4096"), ce, 2);
	check_bad(spec(0, "c.csv", NULL), "c.csv:1", "csv layout");

	/* oracleGeneral: u32 time, u64 id, u32 size, i64 next (1-based) */
	unsigned char orc[72] = {0};
	uint64_t ids[3] = {5, 9, 5};
	int64_t nx[3] = {3, -1, -1};
	for (int i = 0; i < 3; i++) {
		memcpy(orc + 24 * i + 4, &ids[i], 8);
		uint32_t sz = 512;
		memcpy(orc + 24 * i + 12, &sz, 4);
		memcpy(orc + 24 * i + 16, &nx[i], 8);
	}
	wl_write(wl_path("a.oracleGeneral.bin"), orc, sizeof(orc));
	struct exp oe[] = {{5, 0, 0}, {9, 0, 0}, {5, 0, 0}};
	check_seq(spec(0, "a.oracleGeneral.bin", NULL), oe, 3);
	check_roundtrip(spec(0, "a.oracleGeneral.bin", NULL), "oracle");
	struct pb_workload *w;
	if (pb_workload_open(spec(0, "a.oracleGeneral.bin", NULL), NULL, &w, err, sizeof(err)) ==
	    0) {
		struct pb_access b[8];
		PB_CHECK(pb_workload_next(w, b, 8) == 3);
		const int64_t *on = pb_workload_oracle_next(w);
		PB_CHECK(on && on[0] == 3 && on[1] == -1 && on[2] == -1);
		pb_workload_close(w);
	} else {
		PB_CHECK_MSG(0, "oracle open: %s", err);
	}
	/* next_use agrees with the file's own next_access field */
	uint64_t *keys, *next;
	size_t nk;
	PB_CHECK(pb_workload_load_keys(spec(0, "a.oracleGeneral.bin", NULL), NULL, &keys, NULL, &nk,
				       err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(nk, 3);
	PB_CHECK(pb_workload_next_use(keys, nk, &next) == 0);
	for (size_t i = 0; i < nk; i++)
		PB_CHECK(nx[i] < 0 ? next[i] == UINT64_MAX : next[i] + 1 == (uint64_t)nx[i]);
	free(keys);
	free(next);

	uint32_t u32[3] = {1, 2, 0xffffffff};
	wl_write(wl_path("a.u32"), u32, sizeof(u32));
	struct exp ue[] = {{1, 0, 0}, {2, 0, 0}, {0xffffffff, 0, 0}};
	check_seq(spec(0, "a.u32", NULL), ue, 3);
	check_roundtrip(spec(0, "a.u32", "format=u32"), "u32");
	uint64_t u64[2] = {1, 1ULL << 40};
	wl_write(wl_path("a.bin"), u64, sizeof(u64));
	struct exp ve[] = {{1, 0, 0}, {1ULL << 40, 0, 0}};
	check_seq(spec(0, "a.bin", "format=u64"), ve, 2);
	check_roundtrip(spec(0, "a.bin", "format=u64"), "u64");

	/* Dinero din (extended with sizes, traditional), UCSD l/s */
	const char *din = "r 0x1000 4  # comment\nw 0x1ffe 4\ni 3000 1\nv 0x5000 4\n"
			  "2 0x400100\n1 7fff1234\nl 0x2000 6\ns 0x3000 1\n";
	wl_write(wl_path("a.din"), din, strlen(din));
	struct exp de[] = {{1, 0, 0},	  {1, 1, 0},	   {2, 1, 0}, {3, 2, 0},
			   {0x400, 2, 0}, {0x7fff1, 1, 0}, {2, 0, 0}, {3, 1, 0}};
	check_seq(spec(0, "a.din", NULL), de, 8);
	check_roundtrip(spec(0, "a.din", NULL), "din");
	/* Intel Pin pinatrace */
	const char *pin =
	    "0x7f3e8b2c9a43: W 0x7ffd5e8b9a28\n0x7f3e8b2c9a50: R 0x7f3e8b4e1e70\n#eof\n";
	wl_write(wl_path("pinatrace.out"), pin, strlen(pin));
	struct exp pe[] = {{0x7ffd5e8b9, 1, 0}, {0x7f3e8b4e1, 0, 0}};
	check_seq(spec(0, "pinatrace.out", NULL), pe, 2);
	check_roundtrip(spec(0, "pinatrace.out", NULL), "pin");
	/* perf script: event lines and bare addresses */
	const char *perf =
	    "    prog 4242  100.000001: page-faults:     558cc6c55548 [unknown] ffffffff8175336a "
	    "x\n"
	    "    my prog 4242  100.000002: page-faults:   7fb95842e110 sym 7fb958414b70 _start\n";
	wl_write(wl_path("a.perf"), perf, strlen(perf));
	struct exp fe[] = {{0x558cc6c55, 0, 0}, {0x7fb95842e, 0, 0}};
	check_seq(spec(0, "a.perf", NULL), fe, 2);
	check_roundtrip(spec(0, "a.perf", NULL), "perf");
	const char *perf2 = "558cc6c55548\n0x7fb95842e110\n";
	wl_write(wl_path("b.perf"), perf2, strlen(perf2));
	check_seq(spec(0, "b.perf", "format=perf"), fe, 2);
	/* -F addr as perf prints it ("%16" PRIx64): detected, even when the
	 * first address has no letter (read as decimal text before) */
	const char *perf2p = "    558166255548\n    7fb95842e110\n";
	wl_write(wl_path("f.perf"), perf2p, strlen(perf2p));
	struct exp fe2[] = {{0x558166255, 0, 0}, {0x7fb95842e, 0, 0}};
	check_seq(spec(0, "f.perf", NULL), fe2, 2);
	/* an unpadded number stays a text trace's page */
	const char *txt = "558166255548\n";
	wl_write(wl_path("g.txt"), txt, strlen(txt));
	struct exp tx[] = {{558166255548ULL, 0, 0}};
	check_seq(spec(0, "g.txt", NULL), tx, 1);
	const char *perf3 =
	    "    prog 4242  100.000001: page-faults:     558cc6c55548 x\nhello world\n";
	wl_write(wl_path("c.perf"), perf3, strlen(perf3));
	check_bad(spec(0, "c.perf", NULL), "c.perf:2:", "perf script");
	/* -F +addr (perf's default fields and the address): a period column
	 * between the time and the event; a [cpu] column; a command name with a
	 * colon (kworker/0:1), which is not the time */
	const char *perf4 =
	    "            true 14440 60660.272861:          1 page-faults:     564e1046b1e0 "
	    "[unknown] (/usr/bin/true)\n"
	    "     kworker/0:1 14441 [001] 60660.272862:          1 page-faults:     7fb95842e110 "
	    "x\n"
	    "     kworker/0:1 14441 60660.272863: major-faults: 0x558cc6c55548\n";
	wl_write(wl_path("d.perf"), perf4, strlen(perf4));
	struct exp fe4[] = {{0x564e1046b, 0, 0}, {0x7fb95842e, 0, 0}, {0x558cc6c55, 0, 0}};
	check_seq(spec(0, "d.perf", NULL), fe4, 3);
	check_seq(spec(0, "d.perf", "format=perf"), fe4, 3);
	check_roundtrip(spec(0, "d.perf", NULL), "perf4");
	/* after the time and a period, a token that is not an event */
	const char *perf5 = "    prog 4242  100.000001: page-faults:     558cc6c55548 x\n"
			    "    prog 4242  100.000002:      1 558cc6c55548 x\n";
	wl_write(wl_path("e.perf"), perf5, strlen(perf5));
	check_bad(spec(0, "e.perf", NULL), "e.perf:2:", "'EVENT:'");

	/* vscsi v1 (32 B) and v2 (40 B) */
	unsigned char vs1[64] = {0}, vs2[80] = {0};
	for (int i = 0; i < 2; i++) {
		uint16_t cmd = i ? 0x28 : 0x2a, ver1 = 0x100, ver2 = 0x200;
		uint64_t lbn = 100 + (uint64_t)i;
		memcpy(vs1 + 32 * i + 12, &cmd, 2);
		memcpy(vs1 + 32 * i + 14, &ver1, 2);
		memcpy(vs1 + 32 * i + 16, &lbn, 8);
		memcpy(vs2 + 40 * i, &cmd, 2);
		memcpy(vs2 + 40 * i + 2, &ver2, 2);
		memcpy(vs2 + 40 * i + 16, &lbn, 8);
	}
	struct exp vse[] = {{100, 1, 0}, {101, 0, 0}};
	wl_write(wl_path("a.vscsi"), vs1, sizeof(vs1));
	check_seq(spec(0, "a.vscsi", NULL), vse, 2);
	check_roundtrip(spec(0, "a.vscsi", NULL), "vscsi1");
	wl_write(wl_path("b.bin"), vs2, sizeof(vs2));
	check_seq(spec(0, "b.bin", "format=vscsi"), vse, 2);
	check_roundtrip(spec(0, "b.bin", "format=vscsi"), "vscsi2");
	wl_write(wl_path("c.vscsi"), vs2, 60);
	check_bad(spec(0, "c.vscsi", NULL), "c.vscsi: byte 40", "truncated");
	/* compressed, the offsets are the decompressed stream's, and say so
	 * (the version field's said "byte 0") */
	unsigned char vs0[64] = {0};
	if (!wl_compress("zstd", vs0, sizeof(vs0), wl_path("z.vscsi.zst")))
		check_bad(spec(0, "z.vscsi.zst", "format=vscsi"),
			  "z.vscsi.zst: decompressed byte 0", "not a vscsi");
	if (!wl_compress("gzip", vs2, 60, wl_path("c.vscsi.gz")))
		check_bad(spec(0, "c.vscsi.gz", "format=vscsi"), "c.vscsi.gz: decompressed byte 40",
			  "truncated");

	/* threads on one trace: interleaved deals the references out, disjoint
	 * gives each thread its own address spaces, shared replays all */
	{
		struct pb_access *all = NULL, *t0 = NULL, *t1 = NULL;
		long na = wl_readall(spec(1, "a.lis", NULL), NULL, &all, err, sizeof(err));
		struct pb_workload_opts o0 = {0, 2, 1}, o1 = {1, 2, 1};
		long n0 =
		    wl_readall(spec(1, "a.lis", "share=interleaved"), &o0, &t0, err, sizeof(err));
		long n1 =
		    wl_readall(spec(1, "a.lis", "share=interleaved"), &o1, &t1, err, sizeof(err));
		PB_CHECK(na == 4 && n0 == 2 && n1 == 2 && t0[0].addr == all[0].addr &&
			 t1[0].addr == all[1].addr && t0[1].addr == all[2].addr &&
			 t1[1].addr == all[3].addr);
		free(t0);
		free(t1);
		n1 = wl_readall(spec(1, "a.csv", "share=disjoint"), &o1, &t1, err, sizeof(err));
		PB_CHECK(n1 == 4 && t1[0].asid == 1 && t1[1].asid == 3 && t1[3].asid == 5);
		free(t1);
		n0 = wl_readall(spec(1, "a.lis", NULL), &o0, &t0, err, sizeof(err));
		PB_CHECK(n0 == 4 && t0[3].addr == all[3].addr);
		free(t0);
		free(all);
		/* interleaved oracle: next-access values follow their references */
		struct pb_workload *w2;
		if (pb_workload_open(spec(1, "a.oracleGeneral.bin", "share=interleaved"), &o0, &w2,
				     err, sizeof(err)) == 0) {
			struct pb_access b[8];
			PB_CHECK(pb_workload_next(w2, b, 8) == 2);
			const int64_t *on = pb_workload_oracle_next(w2);
			PB_CHECK(on && on[0] == 3 && on[1] == -1);
			pb_workload_close(w2);
		}
	}

	/* load_keys with writes */
	uint8_t *wr;
	PB_CHECK(pb_workload_load_keys(spec(0, "a.lackey", NULL), NULL, &keys, &wr, &nk, err,
				       sizeof(err)) == 0);
	PB_CHECK_EQ_U64(nk, 6);
	PB_CHECK(nk == 6 && keys[1] == 0x7ff000 && wr[3] == 1 && wr[4] == 0 && wr[5] == 1);
	free(keys);
	free(wr);
}

/* a larger generated trace through every compressor and through pbt */
static void test_compressed(void)
{
	size_t cap = 1 << 22, n = 0;
	char *buf = malloc(cap);
	struct pb_rng r;
	pb_rng_seed(&r, 42);
	n += (size_t)snprintf(buf + n, cap - n, "==7== banner\n");
	unsigned lines = 0;
	while (n + 64 < cap - 1024 && lines < 120000) {
		uint64_t a = 0x10000000 + pb_rng_below(&r, 1 << 24);
		const char *k[] = {"I ", " L", " S", " M"};
		n += (size_t)snprintf(buf + n, cap - n, "%s %llx,%u\n", k[lines & 3],
				      (unsigned long long)a, 1 + (unsigned)(lines % 8));
		lines++;
	}
	wl_write(wl_path("big.lackey"), buf, n);
	char err[512];
	long base = wl_readall(spec(0, "big.lackey", NULL), NULL, NULL, err, sizeof(err));
	PB_CHECK_MSG(base > (long)lines, "big.lackey: %ld refs (%s)", base, err);
	check_roundtrip(spec(0, "big.lackey", NULL), "big");
	const char *codecs[] = {"zstd", "gzip", "xz"};
	for (int c = 0; c < 3; c++) {
		char name[32], cut[32];
		snprintf(name, sizeof(name), "big.%s", codecs[c]);
		if (wl_compress(codecs[c], buf, n, wl_path(name)))
			continue; /* library not in this build */
		long got = wl_readall(spec(0, name, NULL), NULL, NULL, err, sizeof(err));
		PB_CHECK_MSG(got == base, "%s: %ld refs, plain %ld (%s)", name, got, base, err);
		check_roundtrip(spec(0, name, NULL), codecs[c]);
		/* cut the compressed file in half: must be an error, not a short trace */
		size_t cn = 0;
		char *cb = wl_slurp(wl_path(name), &cn);
		snprintf(cut, sizeof(cut), "cut.%s", codecs[c]);
		wl_write(wl_path(cut), cb, cn / 2);
		free(cb);
		/* which offset: the decompressed one, and where the file ends (it
		 * said "byte N" of the decompressed stream, unnamed) */
		char want[96];
		snprintf(want, sizeof(want), "%s stream cut short at compressed byte %zu",
			 codecs[c], cn / 2);
		check_bad(spec(0, cut, "format=lackey"), want, "decompressed byte ");
		/* the bytes the failing read had decompressed count (it said
		 * "byte 0" for a cut inside the first MiB) */
		char cerr[512] = "";
		PB_CHECK_MSG(
		    wl_readall(spec(0, cut, "format=lackey"), NULL, NULL, cerr, sizeof(cerr)) < 0 &&
			!strstr(cerr, "decompressed byte 0:"),
		    "%s", cerr);
	}
	free(buf);
}

/* the lackey reader (fast path and general path) against a model, on a
 * random log with banners, M records, page crossings, CRLF and odd widths */
static void test_lackey_model(void)
{
	size_t cap = 1 << 22, n = 0, ne = 0;
	char *buf = malloc(cap);
	struct exp *e = malloc(200000 * sizeof(*e));
	struct pb_rng r;
	pb_rng_seed(&r, 7);
	for (int i = 0; i < 40000; i++) {
		unsigned kind = (unsigned)pb_rng_below(&r, 20);
		uint64_t a = (pb_rng_below(&r, 64) << 12) + 4096 - pb_rng_below(&r, 24);
		unsigned sz = (unsigned)pb_rng_below(&r, 17);
		const char *eol = pb_rng_below(&r, 50) ? "\n" : "\r\n";
		if (kind == 0) {
			n += (size_t)snprintf(buf + n, cap - n, "==%d== banner %d\n", i, i);
			continue;
		}
		char op = kind < 12 ? 'I' : kind < 16 ? 'L' : kind < 19 ? 'S' : 'M';
		if (op == 'I')
			n += (size_t)snprintf(buf + n, cap - n, "I  %08llx,%u%s",
					      (unsigned long long)a, sz, eol);
		else
			n += (size_t)snprintf(buf + n, cap - n, " %c %llx,%u%s", op,
					      (unsigned long long)a, sz, eol);
		uint64_t p0 = a >> 12, p1 = (a + (sz ? sz : 1) - 1) >> 12;
		uint8_t o = op == 'I' ? PB_OP_FETCH : op == 'S' ? PB_OP_WRITE : PB_OP_READ;
		for (uint64_t p = p0; p <= p1; p++)
			e[ne++] = (struct exp){p, o, 0};
		if (op == 'M')
			for (uint64_t p = p0; p <= p1; p++)
				e[ne++] = (struct exp){p, PB_OP_WRITE, 0};
	}
	wl_write(wl_path("model.lackey"), buf, n);
	check_seq(spec(0, "model.lackey", NULL), e, ne);
	free(buf);
	free(e);
}

/*
 * A plain binary trace longer than the reader's window and its drop step
 * (decoded from a mapping of the file) gives the same references as the
 * file's own records and as the same bytes through a pipe-like path (zstd:
 * the window); a truncated last record and a bad record far past the
 * window are named at their byte offsets.
 */
static void test_big_binary(void)
{
	enum { NR = 400000 }; /* 9.6 MB: past the 1 MiB window and several 2 MiB drop steps */
	unsigned char *orc = calloc(NR + 1, 24);
	struct exp *e = calloc(NR, sizeof(*e));
	PB_CHECK(orc && e);
	if (!orc || !e)
		return;
	uint64_t sm = 2026;
	for (size_t i = 0; i < NR; i++) {
		uint64_t id = pb_splitmix64(&sm) >> 24; /* below 2^52: fits at 4 KiB pages */
		int64_t nx = -1;
		memcpy(orc + 24 * i + 4, &id, 8);
		memcpy(orc + 24 * i + 16, &nx, 8);
		e[i] = (struct exp){id, 0, 0};
	}
	wl_write(wl_path("big.oracleGeneral"), orc, 24 * (size_t)NR);
	check_seq(spec(0, "big.oracleGeneral", NULL), e, NR);
	if (!wl_compress("zstd", orc, 24 * (size_t)NR, wl_path("big.oracleGeneral.zst")))
		check_seq(spec(0, "big.oracleGeneral.zst", "format=oracle"), e, NR);
	/* a cut last record */
	wl_write(wl_path("cut.oracleGeneral"), orc, 24 * (size_t)NR + 5);
	check_bad(spec(0, "cut.oracleGeneral", NULL), "cut.oracleGeneral: byte 9600000",
		  "truncated");
	/* an id that overflows an address, at record 350000 (byte 8400000) */
	uint64_t huge = UINT64_MAX;
	memcpy(orc + 24 * 350000 + 4, &huge, 8);
	wl_write(wl_path("bad.oracleGeneral"), orc, 24 * (size_t)NR);
	check_bad(spec(0, "bad.oracleGeneral", NULL), "bad.oracleGeneral: byte 8400000",
		  "overflows");
	free(orc);
	free(e);
}

static void test_bad_inputs(void)
{
	/* truncated binary record */
	unsigned char orc[24 * 2 + 5] = {0};
	wl_write(wl_path("t.oracleGeneral"), orc, sizeof(orc));
	check_bad(spec(0, "t.oracleGeneral", NULL), "t.oracleGeneral: byte 48", "truncated");
	/* compressed, the offset is the decompressed stream's, and says so */
	if (!wl_compress("zstd", orc, sizeof(orc), wl_path("t.oracleGeneral.zst")))
		check_bad(spec(0, "t.oracleGeneral.zst", "format=oracle"),
			  "t.oracleGeneral.zst: decompressed byte 48", "truncated");
	/* unknown binary format */
	unsigned char junk[256];
	for (int i = 0; i < 256; i++)
		junk[i] = (unsigned char)(i * 37 + 1);
	wl_write(wl_path("junk.dat"), junk, sizeof(junk));
	check_bad(spec(0, "junk.dat", NULL), "junk.dat: byte 0", "unknown format");
	/* garbage in a lackey log */
	const char *g = "I  0400,4\n L 1000,8\n\x01\x02zz\n";
	wl_write(wl_path("g.lackey"), g, strlen(g));
	/* the line quoted with its control bytes escaped, none written raw */
	check_bad(spec(0, "g.lackey", "format=lackey"),
		  "g.lackey:3:", "not a lackey record: '\\x01\\x02zz'");
	/* overlong lines: a complete one, and one with no newline at all */
	size_t big = 3 << 20;
	char *l = malloc(big);
	memset(l, '1', 10000);
	l[10000] = '\n';
	wl_write(wl_path("long1.txt"), l, 10001);
	check_bad(spec(0, "long1.txt", "format=text"), "long1.txt:1:", NULL);
	memset(l, 'x', big);
	wl_write(wl_path("long2.txt"), l, big);
	check_bad(spec(0, "long2.txt", "format=text"), "long2.txt:1:", "line longer");
	free(l);
	/* numbers that overflow */
	const char *ov = "1\n2\n99999999999999999999999\n";
	wl_write(wl_path("ov.txt"), ov, strlen(ov));
	check_bad(spec(0, "ov.txt", NULL), "ov.txt:3:", "overflow");
	const char *ov2 = "1\n4503599627370496\n"; /* 2^52 pages of 4 KiB > 2^64 bytes */
	wl_write(wl_path("ov2.txt"), ov2, strlen(ov2));
	check_bad(spec(0, "ov2.txt", NULL), "ov2.txt:2:", "overflow");
	const char *ov3 = "I  1fffffffffffffffff,4\n";
	wl_write(wl_path("ov3.lackey"), ov3, strlen(ov3));
	check_bad(spec(0, "ov3.lackey", NULL), "ov3.lackey:1:", "overflow");
	const char *ov4 = "18446744073709551615 2 0 0\n";
	wl_write(wl_path("ov4.lis"), ov4, strlen(ov4));
	check_bad(spec(0, "ov4.lis", "format=lis"), "ov4.lis:1:", "overflow");
	/* malformed lis, bad csv op */
	const char *bl = "1 2 0 0\n1 2 3\n";
	wl_write(wl_path("bad.lis"), bl, strlen(bl));
	check_bad(spec(0, "bad.lis", "format=lis"), "bad.lis:2:", NULL);
	const char *bc = "0,16,4096,w,0\n0,16,4096,x,0\n";
	wl_write(wl_path("bad.csv"), bc, strlen(bc));
	check_bad(spec(0, "bad.csv", "csv=spc"), "bad.csv:2:", "read/write");
	const char *bd = "r 0x1000 4\nq 0x1000 4\n";
	wl_write(wl_path("bad.din"), bd, strlen(bd));
	check_bad(spec(0, "bad.din", "format=din"), "bad.din:2:", "label");
	const char *bp = "0x1: R 0x2\n0x1 R 0x2\n";
	wl_write(wl_path("bad.pin"), bp, strlen(bp));
	check_bad(spec(0, "bad.pin", "format=pin"), "bad.pin:2:", "pin record");
	/* empty file, missing file, unknown format name, bad page size */
	wl_write(wl_path("empty"), "", 0);
	check_bad(spec(0, "empty", NULL), "empty", "empty");
	check_bad(spec(0, "empty", "format=u32"), "empty", "empty");
	check_bad(spec(0, "nonexistent", NULL), "nonexistent", "cannot open");
	check_bad(spec(0, "a.txt", "format=foo"), "format", "foo");
	check_bad(spec(0, "a.txt", "page=1000"), "page", "power of two");
	check_bad(spec(0, "a.txt", "bogus=1"), "unknown parameter", "bogus");
	check_bad("trace:format=text", "path", NULL);

	/* pbt: impossible header size, impossible block, truncation, garbage */
	char err[512];
	uint64_t nw;
	PB_CHECK(pb_trace_convert(spec(0, "big.lackey", NULL), 0, wl_path("ok.pbt"), 3,
				  PB_OUT_FORCE, &nw, err, sizeof(err)) == 0);
	size_t pn = 0;
	unsigned char *p = wl_slurp(wl_path("ok.pbt"), &pn);
	PB_CHECK(p && pn > 200);
	if (!p || pn <= 200)
		return;
	unsigned char *q = malloc(pn);
	memcpy(q, p, pn);
	uint32_t bad = 1000, zero = 0;
	memcpy(q + 12, &bad, 4);
	wl_write(wl_path("hs.pbt"), q, pn); /* the header's checksum sees it */
	check_bad(spec(0, "hs.pbt", NULL), "hs.pbt: byte 60", "header checksum");
	/* a whole pbt file compressed (hs.pbt by zstd, ok.pbt by gzip): the
	 * input layer decompresses it, so its offsets are the decompressed
	 * stream's and say so (the decoder's and the page= check's said
	 * "byte N") */
	if (!wl_compress("zstd", q, pn, wl_path("hs.pbt.zst")))
		check_bad(spec(0, "hs.pbt.zst", NULL), "hs.pbt.zst: decompressed byte 60",
			  "header checksum");
	if (!wl_compress("gzip", p, pn, wl_path("ok.pbt.gz")))
		check_bad(spec(0, "ok.pbt.gz", "page=8192"), "ok.pbt.gz: decompressed byte 16",
			  "drop page=");
	memcpy(q + 60, &zero, 4); /* a header without one (before 2026-12-06) */
	wl_write(wl_path("h.pbt"), q, pn);
	check_bad(spec(0, "h.pbt", NULL), "h.pbt: byte 12", "impossible header size");
	/* a flipped page shift (4 KiB read as 8 KiB) or backing: a valid value,
	 * caught by the checksum alone */
	memcpy(q, p, pn);
	q[16] ^= 1;
	wl_write(wl_path("ps.pbt"), q, pn);
	check_bad(spec(0, "ps.pbt", NULL), "ps.pbt: byte 60", "header checksum");
	memcpy(q, p, pn);
	q[36] ^= 3;
	wl_write(wl_path("bk.pbt"), q, pn);
	check_bad(spec(0, "bk.pbt", NULL), "bk.pbt: byte 60", "header checksum");
	/* an older file (checksum 0) reads as before */
	memcpy(q, p, pn);
	memcpy(q + 60, &zero, 4);
	wl_write(wl_path("old.pbt"), q, pn);
	char so[PATH_MAX + 64];
	snprintf(so, sizeof(so), "trace:path=%s", wl_path("old.pbt"));
	PB_CHECK_EQ_U64(wl_readall(so, NULL, NULL, err, sizeof(err)), nw);
	memcpy(q, p, pn);
	bad = 0xffffffff;
	memcpy(q + 64 + 4, &bad, 4);
	wl_write(wl_path("b.pbt"), q, pn);
	check_bad(spec(0, "b.pbt", NULL), "b.pbt: byte 68", "impossible block size");
	wl_write(wl_path("cut.pbt"), p, pn - 32); /* no end block */
	check_bad(spec(0, "cut.pbt", NULL), "cut.pbt", "no end block");
	wl_write(wl_path("cut2.pbt"), p, pn / 2);
	check_bad(spec(0, "cut2.pbt", NULL), "cut2.pbt", "truncated");
	check_bad(spec(0, "a.lis", "format=pbt"), "a.lis: byte 0", "not a pbt file");
	wl_write(wl_path("cut3.pbt"), p, 40);
	check_bad(spec(0, "cut3.pbt", NULL), "cut3.pbt", "header");
	memcpy(q, p, pn);
	for (size_t i = 100; i < 140; i++)
		q[i] ^= 0x5a;
	wl_write(wl_path("x.pbt"), q, pn);
	check_bad(spec(0, "x.pbt", NULL), "x.pbt: byte", NULL);
	memcpy(q, p, pn);
	uint64_t wrong = nw + 1;
	memcpy(q + 24, &wrong, 8);
	memcpy(q + 60, &zero, 4); /* past the checksum: the count's own check */
	wl_write(wl_path("n.pbt"), q, pn);
	check_bad(spec(0, "n.pbt", NULL), "n.pbt", "header says");
	free(q);
	free(p);
	/* an uncompressed pbt (level 0) reads the same */
	PB_CHECK(pb_trace_convert(spec(0, "big.lackey", NULL), 0, wl_path("raw.pbt"), 0,
				  PB_OUT_FORCE, &nw, err, sizeof(err)) == 0);
	char s1[PATH_MAX + 64];
	snprintf(s1, sizeof(s1), "trace:path=%s", wl_path("raw.pbt"));
	PB_CHECK_EQ_U64(wl_readall(s1, NULL, NULL, err, sizeof(err)), nw);
	/* a flipped byte in an uncompressed block's deltas: the checksum sees it */
	p = wl_slurp(wl_path("raw.pbt"), &pn);
	if (p && pn > 100000) {
		p[90000] ^= 0x10;
		wl_write(wl_path("xr.pbt"), p, pn);
		check_bad(spec(0, "xr.pbt", NULL), "xr.pbt: byte 96", "checksum");
	} else {
		PB_CHECK_MSG(0, "raw.pbt: %zu bytes", pn);
	}
	free(p);
	/* convert of a bad input leaves no output file and no temporary */
	PB_CHECK(pb_trace_convert(spec(0, "g.lackey", "format=lackey"), 0, wl_path("none.pbt"), 3,
				  PB_OUT_FORCE, &nw, err, sizeof(err)) < 0);
	struct stat sb;
	PB_CHECK(stat(wl_path("none.pbt"), &sb) != 0);
	PB_CHECK_EQ_U64(wl_entries("none.pbt", 0, 0), 0); /* nor a temporary */
}

static void test_cli(const char *bin)
{
	struct spawn_out *o = malloc(sizeof(*o));
	char b[PATH_MAX], c[PATH_MAX];
	snprintf(b, sizeof(b), "%s", bin);
	snprintf(c, sizeof(c), "%s", wl_path("t.oracleGeneral"));
	char *a1[] = {b, "trace", "info", c, NULL};
	spawn_run(a1, NULL, o);
	PB_CHECK_EQ_U64(o->code, 2);
	PB_CHECK_MSG(!strncmp(o->err, "pagebench trace: ", 17) && strstr(o->err, c) &&
			 count_lines(o->err) == 1,
		     "stderr: %s", o->err);
	snprintf(c, sizeof(c), "%s", wl_path("g.lackey"));
	char *a2[] = {b,   "trace", "convert", "--format", "lackey", c, (char *)wl_path("cli.pbt"),
		      NULL};
	spawn_run(a2, NULL, o);
	PB_CHECK_EQ_U64(o->code, 2);
	PB_CHECK_MSG(strstr(o->err, "g.lackey:3:") != NULL, "stderr: %s", o->err);
	snprintf(c, sizeof(c), "%s", wl_path("a.lis"));
	char *a3[] = {b, "trace", "convert", c, (char *)wl_path("cli.pbt"), NULL};
	spawn_run(a3, NULL, o);
	PB_CHECK_EQ_U64(o->code, 0);
	snprintf(c, sizeof(c), "%s", wl_path("cli.pbt"));
	char *a4[] = {b, "trace", "info", c, NULL};
	spawn_run(a4, NULL, o);
	PB_CHECK_EQ_U64(o->code, 0);
	PB_CHECK_MSG(strstr(o->out, "references:     4") && strstr(o->out, "distinct pages: 4") &&
			 strstr(o->out, "format:         pbt"),
		     "stdout: %s", o->out);
	char *a5[] = {b, "trace", "frobnicate", NULL};
	spawn_run(a5, NULL, o);
	PB_CHECK_EQ_U64(o->code, 2);
	char *a6[] = {b, "list", "workloads", NULL};
	spawn_run(a6, NULL, o);
	PB_CHECK_EQ_U64(o->code, 0);
	PB_CHECK(strstr(o->out, "zipf") && strstr(o->out, "alpha=0.99") &&
		 strstr(o->out, "matrix") && strstr(o->out, "share=disjoint"));
	free(o);
}

/* Flags and addresses of the first accesses of spec; the count or -1. */
static long flags_of(const char *spec, uint16_t *fl, uint64_t *addr, long max, char *canon,
		     size_t cl)
{
	struct pb_workload *w;
	char err[512];
	if (pb_workload_open(spec, NULL, &w, err, sizeof(err)))
		return -1;
	snprintf(canon, cl, "%s", pb_workload_canonical(w));
	struct pb_access b[64];
	ssize_t r = pb_workload_next(w, b, 64);
	for (long i = 0; i < r && i < max; i++) {
		fl[i] = b[i].flags;
		addr[i] = b[i].addr;
	}
	pb_workload_close(w);
	return (long)r;
}

/* backing=: the formats' defaults (formats.def), file's flags and volume
 * placement, and the TRACE.maps sidecar of a memory trace. */
static void test_backing(void)
{
	const uint16_t fs = PB_ACC_FILE | PB_ACC_SHARED;
	uint16_t fl[16];
	uint64_t ad[16];
	char canon[PATH_MAX + 64];
	/* a.csv (test_formats): MSR, volumes (hm,0) (hm,1) (prxy,0) = asids 0 1 2 */
	long n = flags_of(spec(0, "a.csv", NULL), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK_EQ_U64(n, 4);
	PB_CHECK_MSG(strstr(canon, ",backing=file"), "%s", canon);
	for (long i = 0; i < n; i++)
		PB_CHECK_EQ_U64(fl[i], fs);
	/* volume N at N << 40: (hm,1) offset 4000+200 spans pages 0 and 1 */
	PB_CHECK_EQ_U64(ad[0], 8192);
	PB_CHECK_EQ_U64(ad[1], 1ULL << 40);
	PB_CHECK_EQ_U64(ad[2], (1ULL << 40) + 4096);
	PB_CHECK_EQ_U64(ad[3], 2ULL << 40);
	n = flags_of(spec(0, "a.csv", "backing=anon"), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK(n == 4 && fl[0] == 0 && fl[3] == 0 && ad[3] == 0 && strstr(canon, "backing=anon"));
	const char *far = "1,hm,0,Read,0,512,1\n2,hm,1,Read,1099511627776,512,1\n";
	wl_write(wl_path("far.csv"), far, strlen(far));
	check_bad(spec(0, "far.csv", "csv=msr"), "far.csv:", "backing=anon");
	PB_CHECK(wl_readall(spec(0, "far.csv", "csv=msr,backing=anon"), NULL, NULL, canon, 64) ==
		 2);
	/* a.lis and the lackey log: block I/O is file, memory references anon */
	n = flags_of(spec(0, "a.lis", NULL), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK(n > 0 && fl[0] == fs && strstr(canon, "format=lis,page=4096,backing=file"));
	n = flags_of(spec(0, "a.lackey", NULL), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK(n == 6 && fl[0] == 0 && fl[5] == 0 && strstr(canon, ",backing=anon"));
	n = flags_of(spec(0, "a.lackey", "backing=file"), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK(n == 6 && fl[0] == fs && fl[5] == fs);
	check_bad(spec(0, "a.lackey", "backing=bogus"), "backing", NULL);
	/* the sidecar: text r-xp and data rw-p of a file (private: FILE), a
	 * shared file mapping (FILE|SHARED), an anonymous and a [stack] one */
	wl_write(wl_path("m.lackey"), lackey_log, strlen(lackey_log));
	const char *maps = "# pagebench trace record\n"
			   "04000000-04001000 r-xp 00000000 fe:00 42   /usr/bin/prog\n"
			   "00001000-00002000 rw-p 00001000 fe:00 42   /usr/bin/prog\n"
			   "00002000-00003000 rw-s 00000000 fe:00 43   /dev/shm/x\n"
			   "7ff000000-7ff001000 rw-p 00000000 00:00 0 \n"
			   "7ff001000-7ff002000 rw-p 00000000 00:00 0  [stack]\n";
	wl_write(wl_path("m.lackey.maps"), maps, strlen(maps));
	n = flags_of(spec(0, "m.lackey", NULL), fl, ad, 16, canon, sizeof(canon));
	/* I 4000000 (text), L 7ff000ffc (anon, crosses into [stack]), S 1000
	 * (data), M 2000 (shared: load and store) */
	PB_CHECK_MSG(n == 6 && fl[0] == PB_ACC_FILE && fl[1] == 0 && fl[2] == 0 &&
			 fl[3] == PB_ACC_FILE && fl[4] == fs && fl[5] == fs,
		     "n %ld flags %u %u %u %u %u %u", n, fl[0], fl[1], fl[2], fl[3], fl[4], fl[5]);
	/* backing=file overrides the sidecar */
	n = flags_of(spec(0, "m.lackey", "backing=file"), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK(n == 6 && fl[0] == fs && fl[1] == fs);
	check_roundtrip(spec(0, "m.lackey", NULL), "maps");
	/* binary records (written whole from a template, no zeroing pass):
	 * oracle is file by default, anon on request; a u64 trace takes a
	 * sidecar's flags; vscsi's writes keep the file's flags */
	n = flags_of(spec(0, "a.oracleGeneral.bin", NULL), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK_MSG(n == 3 && fl[0] == fs && fl[1] == fs && fl[2] == fs, "oracle: n %ld flags %u",
		     n, fl[0]);
	n = flags_of(spec(0, "a.oracleGeneral.bin", "backing=anon"), fl, ad, 16, canon,
		     sizeof(canon));
	PB_CHECK(n == 3 && fl[0] == 0 && fl[1] == 0 && fl[2] == 0);
	n = flags_of(spec(0, "a.vscsi", NULL), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK(n == 2 && fl[0] == fs && fl[1] == fs);
	const uint64_t mu64[3] = {0x4000, 0x2, 0x7ff001};
	wl_write(wl_path("m.u64"), mu64, sizeof(mu64));
	wl_write(wl_path("m.u64.maps"), maps, strlen(maps));
	n = flags_of(spec(0, "m.u64", "format=u64"), fl, ad, 16, canon, sizeof(canon));
	PB_CHECK_MSG(n == 3 && fl[0] == PB_ACC_FILE && fl[1] == fs && fl[2] == 0 &&
			 ad[2] == 0x7ff001000ULL,
		     "u64 + maps: n %ld flags %u %u %u", n, fl[0], fl[1], fl[2]);
	const char *badmaps = "04000000-04001000 r-xp 00000000 fe:00 42 /usr/bin/prog\nzzz\n";
	wl_write(wl_path("m.lackey.maps"), badmaps, strlen(badmaps));
	check_bad(spec(0, "m.lackey", NULL), "m.lackey.maps:2:", "START-END");
}

int main(int argc, char **argv)
{
	wl_mkdir();
	test_formats();
	test_backing();
	test_compressed();
	test_lackey_model();
	test_bad_inputs();
	test_big_binary();
	if (argc > 1)
		test_cli(argv[1]);
	wl_rmdir();
	return pb_test_done();
}
