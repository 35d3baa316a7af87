/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_trace_detect.c - format detection of text traces
 * and the messages around trace input:
 *  - a text trace with a UTF-8 comment ('–', 'é', an emoji, one cut by the
 *    4 KiB sample's end) is text, in the reader as in trace info, sim and
 *    mrc; before 2026-12 any byte >= 0x7f in the first 4 KiB made it
 *    "binary data of unknown format" (rc 2);
 *  - a UTF-8 byte-order mark at byte 0 is dropped, the first record read
 *    as without it (it stuck to the first line: skipped, or detection
 *    misled), in the reader as in trace info, format= given or not;
 *  - binary data is still refused (NUL, invalid UTF-8: a stray
 *    continuation, overlong, surrogate, past U+10FFFF, a cut sequence
 *    inside the sample or at the end of a file shorter than it (that one
 *    counted as text); control bytes but tab, CR, LF, FF), and the message
 *    names the first byte that is not text (it said "byte 0" always);
 *  - a trace's path given bare to --workload: the error suggests
 *    trace:path=FILE (only for a file that exists); one that names no
 *    file says so with the path and the OS's reason (sim and mrc alike),
 *    where it said "unknown workload";
 *  - `perf script -F addr` without perf's padding (every line of the
 *    sample bare hex, one with a letter) is perf, also when its first
 *    address is all digits; an all-digit list stays decimal text;
 *  - a recorded trace's mappings sidecar (TRACE.maps) given as the trace
 *    is named as one, with the trace to give (it said "csv layout not
 *    recognised"), in the reader as in sim (exit 2);
 *  - trace info's --max-distinct message names a bound that is not
 *    "about 0 MiB" when it is under 1 MiB.
 * Usage: test_trace_detect PAGEBENCH_BINARY
 */
#include "wltest.h"

#include "pbtest.h"
#include "spawn.h"

static char *bin;
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", NULL};

#define run(...) spawn_runl(bin, envv, &o, __VA_ARGS__)

/* the references the reader gets from file name with content s (n bytes);
 * err gets its message on failure */
static long read_file(const char *name, const char *s, size_t n, char *err, size_t errlen)
{
	char spec[PATH_MAX + 16];
	snprintf(spec, sizeof(spec), "trace:path=%s", wl_path(name));
	wl_write(wl_path(name), s, n);
	err[0] = 0;
	return wl_readall(spec, NULL, NULL, err, errlen);
}

static void check_text(const char *name, const char *s, size_t n, long want)
{
	char err[512];
	long got = read_file(name, s, n, err, sizeof(err));
	PB_CHECK_MSG(got == want, "%s: %ld references (want %ld): %s", name, got, want, err);
}

/* refused as binary, the message naming byte at */
static void check_binary(const char *name, const char *s, size_t n, size_t at)
{
	char err[512], want[64];
	long got = read_file(name, s, n, err, sizeof(err));
	snprintf(want, sizeof(want), ": byte %zu: binary data of unknown format", at);
	PB_CHECK_MSG(got < 0 && strstr(err, want), "%s: %ld, '%s' (want '%s')", name, got, err,
		     want);
}

static void test_utf8_text(void)
{
	static const char dash[] = "# hello \xe2\x80\x93 dash\n1\n2\n";
	check_text("dash.txt", dash, strlen(dash), 2);
	static const char accent[] = "1\n2\n# caf\xc3\xa9\n3\n";
	check_text("cafe.txt", accent, strlen(accent), 3);
	static const char emoji[] = "# \xf0\x9f\x98\x80 U+10FFFF \xf4\x8f\xbf\xbf\n7\n";
	check_text("emoji.txt", emoji, strlen(emoji), 1);
	/* tab, CR, FF are text too */
	static const char ctl[] = "1\t\r\n\f\n2\n";
	check_text("ctl.txt", ctl, strlen(ctl), 2);

	/* 999 numbers, then the comment: inside the 4 KiB that are sampled */
	char big[8192];
	size_t n = 0;
	for (int i = 1; i <= 999; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%d\n", i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "# caf\xc3\xa9\n");
	for (int i = 1; i <= 10; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%d\n", i);
	check_text("seq.txt", big, n, 1009);

	/* a '–' whose lead byte is the sample's last (byte 4095) */
	n = 0;
	while (n < 4096 - 3)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "5\n");
	memcpy(big + n, "#\xe2\x80\x93\n9\n", 7); /* '#' at 4094, 0xe2 at 4095 */
	PB_CHECK((unsigned char)big[4095] == 0xe2);
	check_text("cut.txt", big, n + 7, (long)(n / 2) + 1);
}

/* the references of s with a UTF-8 byte-order mark before it are those of
 * s alone (n of them), the first record included, whatever format= says */
static void check_bom(const char *name, const char *s, long n, const char *fmt)
{
	char err[512], path[PATH_MAX], spec[PATH_MAX + 64], bom[256];
	struct pb_access *plain = NULL, *marked = NULL;
	snprintf(path, sizeof(path), "%s", wl_path(name));
	wl_write(path, s, strlen(s));
	snprintf(spec, sizeof(spec), "trace:path=%s%s%s", path, fmt ? ",format=" : "",
		 fmt ? fmt : "");
	long want = wl_readall(spec, NULL, &plain, err, sizeof(err));
	PB_CHECK_MSG(want == n, "%s without BOM: %ld references (want %ld): %s", name, want, n,
		     err);
	snprintf(bom, sizeof(bom), "\xef\xbb\xbf%s", s);
	wl_write(path, bom, strlen(bom));
	long got = wl_readall(spec, NULL, &marked, err, sizeof(err));
	PB_CHECK_MSG(got == n, "%s with BOM: %ld references (want %ld): %s", name, got, n, err);
	for (long i = 0; got == n && want == n && i < n; i++)
		PB_CHECK_MSG(plain[i].addr == marked[i].addr && plain[i].op == marked[i].op,
			     "%s with BOM: reference %ld is %#llx, not %#llx", name, i,
			     (unsigned long long)marked[i].addr, (unsigned long long)plain[i].addr);
	free(plain);
	free(marked);
}

/*
 * A UTF-8 byte-order mark at the start of a text trace is dropped: before,
 * it stuck to the first line, which was skipped ("1": 2 references of 3)
 * or misled detection (a lackey trace taken for csv, rc 2).  Only at byte
 * 0: one later is part of its line.
 */
static void test_bom(void)
{
	check_bom("bom.txt", "1\n2\n3\n", 3, NULL);
	check_bom("bom-given.txt", "1\n2\n3\n", 3, "text");
	check_bom("bom.lackey", "I  0400d7d4,8\n S 7ff000398,8\n L 04017000,4\n", 3, NULL);
	check_bom("bom.csv", "128166372003061629,hm,0,Read,4096,512,10\n", 1, NULL);
	static const char mid[] = "1\n\xef\xbb\xbf"
				  "2\n3\n";
	check_text("bom-mid.txt", mid, strlen(mid), 2); /* that line is skipped */
	char err[512];
	long got = read_file("bom-only.txt", "\xef\xbb\xbf", 3, err, sizeof(err));
	PB_CHECK_MSG(got < 0 && strstr(err, "empty file"), "BOM alone: %ld, '%s'", got, err);

	char f[PATH_MAX];
	snprintf(f, sizeof(f), "%s", wl_path("bom-cli.lackey"));
	static const char lk[] = "\xef\xbb\xbf L 04017000,4\n S 7ff000398,8\n";
	wl_write(f, lk, strlen(lk));
	PB_CHECK_EQ_U64(run("trace", "info", f, NULL), 0);
	PB_CHECK_MSG(strstr(o.out, "format:         lackey") &&
			 strstr(o.out, "references:     2 ") && strstr(o.out, "skipped lines:  0"),
		     "trace info of a lackey trace with BOM: %s%s", o.out, o.err);
}

static void test_binary_refused(void)
{
	check_binary("nul.bin", "1\n2\n\0\0\0\0", 8, 4);
	check_binary("ctl.bin", "1\n\x01\x02", 4, 2);
	check_binary("esc.bin", "12\x1b[0m\n", 7, 2);
	check_binary("del.bin", "1\n\x7f\n", 4, 2);
	check_binary("cont.bin", "1\n\x80\n", 4, 2);	       /* stray continuation */
	check_binary("badcont.bin", "1\n2\n\xc3\x28\n", 7, 4); /* lead, then ASCII */
	check_binary("overlong.bin", "1\n\xc0\xaf\n", 5, 2);
	check_binary("overlong3.bin", "1\n\xe0\x80\xaf\n", 6, 2);
	check_binary("surrogate.bin", "1\n\xed\xa0\x80\n", 6, 2);
	check_binary("big.bin", "1\n\xf4\x90\x80\x80\n", 7, 2); /* past U+10FFFF */
	check_binary("f5.bin", "1\n\xf5\x80\x80\x80\n", 7, 2);
	check_binary("cut3.bin", "1\n\xe2\x80\n2\n", 7, 2); /* cut inside the sample */
	/* cut by the end of a file shorter than the sample: not well-formed
	 * UTF-8 (it was taken for text, the cut sequence for the rest of a
	 * longer file) */
	check_binary("cuteof3.bin", "1\n2\n\xe2\x80", 6, 4);
	check_binary("cuteof2.bin", "1\n2\n\xc3", 5, 4);
	check_binary("cuteof4.bin", "1\n\xf0\x9f\x98", 5, 2);
	check_binary("cuteof1.bin", "\xe2", 1, 0);
	/* a file of exactly the sample's 4 KiB, its last byte a lead byte */
	char big[4096];
	for (size_t i = 0; i < sizeof(big) - 2; i += 2)
		memcpy(big + i, "5\n", 2);
	big[4094] = '#';
	big[4095] = (char)0xe2;
	check_binary("cuteof4k.bin", big, sizeof(big), 4095);
	/* a binary format's suffix still names it */
	char err[512];
	static const unsigned char u32[8] = {1, 0, 0, 0, 2, 0, 0, 0};
	long got = read_file("x.u32", (const char *)u32, sizeof(u32), err, sizeof(err));
	PB_CHECK_MSG(got == 2, "x.u32: %ld: %s", got, err);
}

static void test_cli(void)
{
	char f[PATH_MAX], root[PATH_MAX + 16], spec[PATH_MAX + 16];
	snprintf(f, sizeof(f), "%s", wl_path("utf.txt"));
	static const char dash[] = "# hello \xe2\x80\x93 dash\n1\n2\n";
	wl_write(f, dash, strlen(dash));
	snprintf(root, sizeof(root), "%s/results", wl_dir);
	snprintf(spec, sizeof(spec), "trace:path=%s", f);

	PB_CHECK_EQ_U64(run("trace", "info", f, NULL), 0);
	PB_CHECK_MSG(strstr(o.out, "format:         text") && strstr(o.out, "references:     2 ") &&
			 strstr(o.out, "skipped lines:  1"),
		     "trace info: %s%s", o.out, o.err);
	PB_CHECK_EQ_U64(run("sim", "--workload", spec, "--policy", "fifo", "--frames", "2",
			    "--reps", "1", "--results", root, NULL),
			0);
	PB_CHECK_MSG(strstr(o.err, "1 line of ") && strstr(o.err, "(first at line 1)"), "sim: %s",
		     o.err);
	PB_CHECK_EQ_U64(run("mrc", "--workload", spec, "--policy", "lru", "--frames", "1:2:1",
			    "--results", root, NULL),
			0);
	PB_CHECK_MSG(strstr(o.err, "1 line of "), "mrc: %s", o.err);

	/* binary: the first byte that is not text */
	snprintf(f, sizeof(f), "%s", wl_path("data.bin"));
	wl_write(f, "10\n20\n\0\1", 8);
	PB_CHECK_EQ_U64(run("trace", "info", f, NULL), 2);
	PB_CHECK_MSG(strstr(o.err, ": byte 6: binary data of unknown format") &&
			 count_lines(o.err) == 1,
		     "binary: %s", o.err);
}

/* A recorded trace's TRACE.maps given as the trace: said so, with the
 * trace to give (sim said "csv layout not recognised"). */
static void test_maps_sidecar(void)
{
	static const char maps[] =
	    "# pagebench trace record: the traced process's mappings (...)\n"
	    "# START-END PERMS OFFSET DEV INODE [PATH]\n"
	    "00108000-0010a000 r--p 00000000 fe:00 248139      /usr/bin/true\n"
	    "1ffeffe000-1fff001000 rw-p 00000000 00:00 0\n";
	char f[PATH_MAX], spec[PATH_MAX + 16], root[PATH_MAX + 16], want[PATH_MAX + 64];
	char err[512];
	snprintf(f, sizeof(f), "%s", wl_path("rec.pbt.maps"));
	long got = read_file("rec.pbt.maps", maps, sizeof(maps) - 1, err, sizeof(err));
	snprintf(want, sizeof(want), "give the trace '%s'", wl_path("rec.pbt"));
	PB_CHECK_MSG(got < 0 &&
			 strstr(err, "rec.pbt.maps:3: a recorded trace's mappings sidecar") &&
			 strstr(err, want),
		     "%ld: %s", got, err);
	snprintf(spec, sizeof(spec), "trace:path=%s", f);
	snprintf(root, sizeof(root), "%s/results", wl_dir);
	PB_CHECK_EQ_U64(run("sim", "--workload", spec, "--policy", "lru", "--frames", "2",
			    "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, "mappings sidecar") && strstr(o.err, want) &&
			 !strstr(o.err, "csv") && count_lines(o.err) == 1,
		     "sim: %s", o.err);
	/* without the suffix: the trace it belongs to */
	got = read_file("mappings.txt", maps, sizeof(maps) - 1, err, sizeof(err));
	PB_CHECK_MSG(got < 0 && strstr(err, "mappings sidecar") &&
			 strstr(err, "give the trace it belongs to"),
		     "%ld: %s", got, err);
}

/* The references of file name with content s (its first's address in
 * *addr) and the format trace info names (fmt: 32 bytes). */
static long first_addr(const char *name, const char *s, uint64_t *addr, char *fmt)
{
	char spec[PATH_MAX + 16], err[512] = "";
	struct pb_access *v = NULL;
	snprintf(spec, sizeof(spec), "trace:path=%s", wl_path(name));
	wl_write(wl_path(name), s, strlen(s));
	long n = wl_readall(spec, NULL, &v, err, sizeof(err));
	*addr = n > 0 ? v[0].addr : 0;
	free(v);
	fmt[0] = 0; /* as trace info names it: "format:         perf" */
	const char *f =
	    run("trace", "info", wl_path(name), NULL) == 0 ? strstr(o.out, "format:") : NULL;
	if (f && sscanf(f, "format: %31s", fmt) != 1)
		fmt[0] = 0;
	return n;
}

/* `perf script -F addr` without perf's padding (cut by awk or sed): every
 * line of the sample a bare hex number, one with a letter, is perf's
 * (it was "not a text trace", or, with an all-digit first address, read
 * as decimal page numbers with a "skipped lines" warning); a list of
 * all-digit numbers stays a decimal text trace, 0x numbers too. */
static void test_perf_unpadded(void)
{
	static const struct {
		const char *name, *s, *fmt;
		long n;
		uint64_t addr;
	} c[] = {
	    {"unpadded.perf", "558cc6c55548\n7ffd1234a000\n601040\n", "perf", 3, 0x558cc6c55548ULL},
	    {"digits_first.perf", "601040\n601048\r\n\n7ffd1234a000\n", "perf", 3, 0x601040},
	    {"decimal.txt", "601040\n601048\n", "text", 2, 601040ULL << 12},
	    {"hex0x.txt", "0x1a\n0xbeef\n", "text", 2, 0x1aULL << 12},
	    {"mixed.txt", "12\nff\nnot a number\n", "text", 1, 12ULL << 12},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t a;
		char fmt[32];
		long n = first_addr(c[i].name, c[i].s, &a, fmt);
		PB_CHECK_MSG(n == c[i].n && a == c[i].addr && !strcmp(fmt, c[i].fmt),
			     "%s: %ld refs, first %#llx, format %s (want %ld, %#llx, %s)",
			     c[i].name, n, (unsigned long long)a, fmt, c[i].n,
			     (unsigned long long)c[i].addr, c[i].fmt);
	}
}

static void test_bare_path(void)
{
	char f[PATH_MAX], root[PATH_MAX + 16], want[PATH_MAX + 64];
	snprintf(f, sizeof(f), "%s", wl_path("belady.ref"));
	wl_write(f, "1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n", 24);
	snprintf(root, sizeof(root), "%s/results", wl_dir);
	snprintf(want, sizeof(want), "; did you mean trace:path=%s?", f);
	PB_CHECK_EQ_U64(run("sim", "--workload", f, "--policy", "fifo", "--frames", "3,4",
			    "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, "unknown workload '") && strstr(o.err, want) &&
			 count_lines(o.err) == 1,
		     "bare path: %s", o.err);
	/* the suggestion works */
	snprintf(want, sizeof(want), "trace:path=%s", f);
	PB_CHECK_EQ_U64(run("sim", "--workload", want, "--policy", "fifo", "--frames", "3,4",
			    "--reps", "1", "--results", root, NULL),
			0);
	/* a path that is no file (a typo): one line naming it and the OS's
	 * reason, as trace:path= says it, not "unknown workload"; sim and mrc
	 * alike (one parser), exit 2 */
	snprintf(f, sizeof(f), "%s", wl_path("absent.ref"));
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", f);
	PB_CHECK_EQ_U64(run("sim", "--workload", f, "--policy", "fifo", "--frames", "3",
			    "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, want) && !strstr(o.err, "unknown workload") &&
			 count_lines(o.err) == 1,
		     "absent: %s", o.err);
	PB_CHECK_EQ_U64(run("mrc", "--workload", f, "--policy", "lru", "--frames", "1:3:1",
			    "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, want) && count_lines(o.err) == 1, "mrc, absent: %s", o.err);
	/* a relative name with a suffix is a path too; trace info and
	 * trace:path= say the same */
	PB_CHECK_EQ_U64(run("sim", "--workload", "absent-typo.pbt", "--policy", "fifo", "--frames",
			    "3", "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, "absent-typo.pbt: cannot open: No such file or directory") &&
			 count_lines(o.err) == 1,
		     "relative, absent: %s", o.err);
	PB_CHECK_EQ_U64(run("trace", "info", f, NULL), 2);
	PB_CHECK_MSG(strstr(o.err, want) && count_lines(o.err) == 1, "trace info: %s", o.err);
	snprintf(want, sizeof(want), "trace:path=%s", f);
	PB_CHECK_EQ_U64(run("sim", "--workload", want, "--policy", "fifo", "--frames", "3",
			    "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, f) && strstr(o.err, "No such file or directory") &&
			 count_lines(o.err) == 1,
		     "trace:path=, absent: %s", o.err);
	/* a generator's name mistyped is no path: unknown workload */
	PB_CHECK_EQ_U64(run("sim", "--workload", "zpif:pages=10", "--policy", "fifo", "--frames",
			    "3", "--results", root, NULL),
			2);
	PB_CHECK_MSG(strstr(o.err, "unknown workload 'zpif'") && count_lines(o.err) == 1,
		     "generator typo: %s", o.err);
	/* nor for a folder */
	PB_CHECK_EQ_U64(run("sim", "--workload", wl_dir, "--policy", "fifo", "--frames", "3",
			    "--results", root, NULL),
			2);
	PB_CHECK_MSG(!strstr(o.err, "did you mean"), "folder: %s", o.err);
}

static void test_max_distinct_size(void)
{
	char f[PATH_MAX];
	snprintf(f, sizeof(f), "%s", wl_path("many.txt"));
	/* 12000 pages */
	size_t cap = 12000 * 6 + 1, n = 0;
	char *s = malloc(cap);
	for (int i = 0; i < 12000; i++)
		n += (size_t)snprintf(s + n, cap - n, "%d\n", i);
	wl_write(f, s, n);
	free(s);
	/* 1000 pages * 96 B = 93.75 KiB: rounded up */
	PB_CHECK_EQ_U64(run("trace", "info", f, "--max-distinct", "1000", NULL), 1);
	PB_CHECK_MSG(strstr(o.err, "more than 1000 distinct pages") &&
			 strstr(o.err, "up to about 94 KiB)") && count_lines(o.err) == 1,
		     "--max-distinct 1000: %s", o.err);
	PB_CHECK_EQ_U64(run("trace", "info", f, "--max-distinct", "11", NULL), 1);
	PB_CHECK_MSG(strstr(o.err, "up to about 2 KiB)"), "--max-distinct 11: %s", o.err);
	/* 11000 pages: 1031.25 KiB, past 1 MiB: in MiB */
	PB_CHECK_EQ_U64(run("trace", "info", f, "--max-distinct", "11000", NULL), 1);
	PB_CHECK_MSG(strstr(o.err, "up to about 1 MiB)"), "--max-distinct 11000: %s", o.err);
	/* enough: no message */
	PB_CHECK_EQ_U64(run("trace", "info", f, "--max-distinct", "12000", NULL), 0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_trace_detect PAGEBENCH_BINARY");
	bin = argv[1];
	wl_mkdir();
	test_utf8_text();
	test_bom();
	test_binary_refused();
	test_cli();
	test_bare_path();
	test_maps_sidecar();
	test_perf_unpadded();
	test_max_distinct_size();
	wl_rmdir();
	return pb_test_done();
}
