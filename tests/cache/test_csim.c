/* SPDX-License-Identifier: MIT */
/*
 * tests/cache/test_csim.c - `pagebench csim` against the CS:APP cache lab.
 *
 * 1. The published test-csim table (Bryant & O'Hallaron, CS:APP Cache Lab
 *    writeup, "Working on Part A": the output of ./test-csim, reference
 *    simulator columns), the same numbers in public copies of the handout
 *    and of graded test-csim runs found by a public code search:
 *        (s,E,b)   hits misses evicts  trace
 *        (1,1,1)      9      8      6  yi2.trace
 *        (4,2,4)      4      5      2  yi.trace
 *        (2,1,4)      2      3      1  dave.trace
 *        (2,1,3)    167     71     67  trans.trace
 *        (2,2,3)    201     37     29  trans.trace
 *        (2,4,3)    212     26     10  trans.trace
 *        (5,1,5)    231      7      0  trans.trace
 *        (5,1,5) 265189  21775  21743  long.trace
 *    checked on both trace variants of $PAGEBENCH_TRACES/data/cachelab
 *    (x86-64 trans.trace/long.trace, and the ia32 ones); skipped when the
 *    traces are absent.
 * 2. The writeup's -v example, csim-ref -v -s 4 -E 1 -b 4 on yi.trace,
 *    line by line (csim-ref prints "%c %llx,%u " then "miss ", "eviction ",
 *    "hit "), and its summary "hits:4 misses:5 evictions:3"; the trace is
 *    the handout's yi.trace, written here.
 * 3. Bad input: FILE:LINE on stderr and exit 2; bad options exit 2.
 *    Bundled flags are split as getopt does ("-vs 4"), but not after "--"
 *    (operands) nor as an option's value ("-t -vh").
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;

static int csim(struct spawn_out *o, const char *s, const char *E, const char *b, const char *t,
		int verbose)
{
	char *argv[12] = {(char *)bin, "csim"};
	int n = 2;
	if (verbose)
		argv[n++] = "-v";
	argv[n++] = "-s";
	argv[n++] = (char *)s;
	argv[n++] = "-E";
	argv[n++] = (char *)E;
	argv[n++] = "-b";
	argv[n++] = (char *)b;
	argv[n++] = "-t";
	argv[n++] = (char *)t;
	argv[n] = NULL;
	return spawn_run(argv, NULL, o);
}

static struct spawn_out o;

static void writeup_example(const char *dir)
{
	char yi[1100];
	snprintf(yi, sizeof(yi), "%s/yi.trace", dir);
	pbt_write_text(yi, " L 10,1\n M 20,1\n L 22,1\n S 18,1\n L 110,1\n L 210,1\n M 12,1\n");
	PB_CHECK_EQ_U64(csim(&o, "4", "1", "4", yi, 1), 0);
	PB_CHECK_MSG(!strcmp(o.out, "L 10,1 miss \n"
				    "M 20,1 miss hit \n"
				    "L 22,1 hit \n"
				    "S 18,1 hit \n"
				    "L 110,1 miss eviction \n"
				    "L 210,1 miss eviction \n"
				    "M 12,1 miss eviction hit \n"
				    "hits:4 misses:5 evictions:3\n"),
		     "got:\n%s", o.out);
	PB_CHECK_EQ_U64(csim(&o, "4", "1", "4", yi, 0), 0);
	PB_CHECK(!strcmp(o.out, "hits:4 misses:5 evictions:3\n"));
	/* bundled flags as getopt takes them */
	char *argv[] = {(char *)bin, "csim", "-vs", "4", "-E1", "-b", "4", "-t", yi, NULL};
	PB_CHECK_EQ_U64(spawn_run(argv, NULL, &o), 0);
	PB_CHECK(strstr(o.out, "M 12,1 miss eviction hit \nhits:4 misses:5 evictions:3\n"));
	/* after "--" a word is an operand, not split: "-vh" is named as it was
	 * given (it was split into -v and -h, the error named '-v') */
	char *dd[] = {(char *)bin, "csim", "-s", "4",  "-E",  "1", "-b",
		      "4",	   "-t",   yi,	 "--", "-vh", NULL};
	PB_CHECK_EQ_U64(spawn_run(dd, NULL, &o), 2);
	PB_CHECK_MSG(strstr(o.err, "unexpected argument '-vh'") && !o.out[0],
		     "stdout '%s' stderr '%s'", o.out, o.err);
	/* nor is an option's value: "-t -vh" names the trace "-vh" (it was
	 * split, and the -h printed the help, exit 0) */
	char *tv[] = {(char *)bin, "csim", "-s", "4", "-E", "1", "-b", "4", "-t", "-vh", NULL};
	PB_CHECK_EQ_U64(spawn_run(tv, NULL, &o), 2);
	PB_CHECK_MSG(strstr(o.err, "-vh: No such file or directory") && !o.out[0],
		     "stdout '%s' stderr '%s'", o.out, o.err);
	char *help[] = {(char *)bin, "csim", "-h", NULL};
	PB_CHECK_EQ_U64(spawn_run(help, NULL, &o), 0);
	PB_CHECK(strstr(o.out, "-s <num> -E <num> -b <num> -t <file>") != NULL);
	/* every --name the help shows is an option (as tests/harness/test_options.c
	 * checks for the other commands): "--name=1" is not refused as unknown */
	static char helptext[1 << 16];
	snprintf(helptext, sizeof(helptext), "%s", o.out);
	int nnames = 0;
	for (char *p = strstr(helptext, ", --"); p; p = strstr(p + 1, ", --")) {
		char arg[80];
		size_t n = strcspn(p + 2, " \n=");
		snprintf(arg, sizeof(arg), "%.*s=1", (int)(n < 60 ? n : 60), p + 2);
		if (!strcmp(arg, "--help=1"))
			continue; /* --help takes no value */
		char *a1[] = {(char *)bin, "csim", arg, NULL};
		spawn_run(a1, NULL, &o);
		PB_CHECK_MSG(!strstr(o.err, "unknown option"), "%s: %s", arg, o.err);
		nnames++;
	}
	PB_CHECK_EQ_U64(nnames, 5); /* set-bits, lines, block-bits, trace, verbose */
	char *unknown[] = {(char *)bin, "csim", "--no-such-option", NULL};
	PB_CHECK_EQ_U64(spawn_run(unknown, NULL, &o), 2);
	PB_CHECK(strstr(o.err, "unknown option") != NULL);

	/* bad input: the line is named, nothing is printed as a result */
	char bad[1100];
	snprintf(bad, sizeof(bad), "%s/bad.trace", dir);
	pbt_write_text(bad, " L 10,1\nI  400,4\n S 1g,4\n");
	PB_CHECK_EQ_U64(csim(&o, "4", "1", "4", bad, 0), 2);
	PB_CHECK_MSG(strstr(o.err, "bad.trace:3:") != NULL, "stderr: %s", o.err);
	PB_CHECK(strstr(o.out, "hits:") == NULL);
	PB_CHECK_EQ_U64(csim(&o, "4", "0", "4", yi, 0), 2);
	PB_CHECK_EQ_U64(csim(&o, "40", "1", "40", yi, 0), 2);
	PB_CHECK_EQ_U64(csim(&o, "4", "1", "4", "/nonexistent/x.trace", 0), 2);
	char *missing[] = {(char *)bin, "csim", "-s", "4", "-E", "1", "-b", "4", NULL};
	PB_CHECK_EQ_U64(spawn_run(missing, NULL, &o), 2);
	unlink(yi);
	unlink(bad);
}

static void published_table(void)
{
	const char *root = pbt_traces_dir();
	if (!root) {
		printf("SKIP part: no traces (PAGEBENCH_TRACES)\n");
		return;
	}
	static const struct {
		const char *s, *E, *b, *trace;
		const char *want;
	} table[] = {
	    {"1", "1", "1", "yi2", "hits:9 misses:8 evictions:6\n"},
	    {"4", "2", "4", "yi", "hits:4 misses:5 evictions:2\n"},
	    {"2", "1", "4", "dave", "hits:2 misses:3 evictions:1\n"},
	    {"2", "1", "3", "trans", "hits:167 misses:71 evictions:67\n"},
	    {"2", "2", "3", "trans", "hits:201 misses:37 evictions:29\n"},
	    {"2", "4", "3", "trans", "hits:212 misses:26 evictions:10\n"},
	    {"5", "1", "5", "trans", "hits:231 misses:7 evictions:0\n"},
	    {"5", "1", "5", "long", "hits:265189 misses:21775 evictions:21743\n"},
	};
	int ran = 0;
	for (size_t i = 0; i < PB_ARRAY_SIZE(table); i++) {
		for (int v = 0; v < 2; v++) {
			int twovar =
			    !strcmp(table[i].trace, "trans") || !strcmp(table[i].trace, "long");
			if (v && !twovar)
				continue;
			char path[2300];
			snprintf(path, sizeof(path), "%s/data/cachelab/%s%s.trace", root,
				 table[i].trace, v ? ".ia32" : "");
			if (access(path, R_OK)) {
				printf("SKIP part: %s absent\n", path);
				continue;
			}
			ran++;
			PB_CHECK_EQ_U64(csim(&o, table[i].s, table[i].E, table[i].b, path, 0), 0);
			PB_CHECK_MSG(!strcmp(o.out, table[i].want), "(%s,%s,%s) %s: got %s want %s",
				     table[i].s, table[i].E, table[i].b, path, o.out,
				     table[i].want);
		}
	}
	if (!ran)
		printf("SKIP part: no cachelab traces under %s\n", root);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_csim PAGEBENCH");
	bin = argv[1];
	char dir[1024];
	if (!pbt_tmpdir(dir, sizeof(dir), "csim"))
		PB_SKIP("no temporary folder");
	writeup_example(dir);
	rmdir(dir);
	published_table();
	return pb_test_done();
}
