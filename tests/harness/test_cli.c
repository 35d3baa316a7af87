/* SPDX-License-Identifier: MIT */
/* CLI errors: exit code 2 and exactly one line on stderr, naming the problem. */
#include <sys/stat.h>

#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[4096];	       /* pbt_tmpdir: under $TMPDIR */
static char env_results[4200]; /* PAGEBENCH_RESULTS=dir/results: none made */

static void expect_usage_error(const char *what, char *const *args, const char *needle)
{
	char *argv[16] = {(char *)bin};
	int i = 1;
	for (; args[i - 1]; i++)
		argv[i] = args[i - 1];
	argv[i] = NULL;
	static struct spawn_out o;
	char *env[] = {env_results, NULL};
	spawn_run(argv, env, &o);
	PB_CHECK_MSG(o.code == 2, "%s: exit %d, stderr: %s", what, o.code, o.err);
	PB_CHECK_MSG(count_lines(o.err) == 1, "%s: %d lines on stderr: %s", what,
		     count_lines(o.err), o.err);
	PB_CHECK_MSG(strstr(o.err, needle) != NULL, "%s: stderr lacks '%s': %s", what, needle,
		     o.err);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_cli PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(dir, sizeof(dir), "cli") != NULL);
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s/results", dir);
	char rec[4200];
	snprintf(rec, sizeof(rec), "%s/rec.pbt", dir);
	expect_usage_error("unknown subcommand", (char *[]){"frobnicate", NULL}, "frobnicate");
	expect_usage_error("no subcommand", (char *[]){NULL}, "usage");
	expect_usage_error("unknown kernel", (char *[]){"run", "nosuchkernel", NULL},
			   "nosuchkernel");
	expect_usage_error("missing kernel", (char *[]){"run", NULL}, "KERNEL");
	expect_usage_error("unknown option", (char *[]){"run", "chase", "--bogus", NULL},
			   "--bogus");
	expect_usage_error("bad threads", (char *[]){"run", "chase", "--threads", "0", NULL},
			   "--threads");
	expect_usage_error("threads junk", (char *[]){"run", "chase", "--threads", "1,x", NULL},
			   "1,x");
	expect_usage_error("bad reps", (char *[]){"run", "chase", "--reps", "-3", NULL}, "--reps");
	expect_usage_error("reps overflow",
			   (char *[]){"run", "chase", "--reps", "99999999999999999999999", NULL},
			   "--reps");
	expect_usage_error("bad pin", (char *[]){"run", "chase", "--pin", "diagonal", NULL},
			   "diagonal");
	expect_usage_error("bad size", (char *[]){"run", "chase", "--size", "12Q", NULL}, "12Q");
	expect_usage_error(
	    "bad param",
	    (char *[]){"run", "chase", "--param", "nope=1", "--threads", "1", "--reps", "1", NULL},
	    "nope");
	expect_usage_error("bad list", (char *[]){"list", "gizmos", NULL}, "gizmos");
	expect_usage_error("topo bad pin", (char *[]){"topo", "--pin", "x", NULL}, "--pin");
	expect_usage_error("suite unknown", (char *[]){"suite", "weekly", NULL}, "weekly");
	expect_usage_error("empty results", (char *[]){"run", "chase", "--results", "", NULL},
			   "--results");
	expect_usage_error("sim empty results",
			   (char *[]){"sim", "--workload", "zipf", "--policy", "lru", "--frames",
				      "10", "--results", "", NULL},
			   "--results");
	/* A bad --param fails before the kernel's baseline runs (one line only). */
	expect_usage_error(
	    "bad param with baseline",
	    (char *[]){"run", "pt-lookup", "--param", "pt=weird", "--threads", "1", NULL}, "weird");
	expect_usage_error(
	    "record a missing program",
	    (char *[]){"trace", "record", "-o", rec, "--", "/nonexistent-program", NULL},
	    "/nonexistent-program");
	expect_usage_error("missing value", (char *[]){"run", "chase", "--threads", NULL},
			   "threads");
	/* A bad --param of a kernel without a baseline: exit 2, no leak, no run folder. */
	expect_usage_error("malformed param",
			   (char *[]){"run", "memtouch", "--param", "junk", NULL}, "junk");
	/* uffd-pager's policy name outlived the parsed parameter list (use after free). */
	expect_usage_error("uffd bad policy",
			   (char *[]){"run", "uffd-pager", "--param", "policy=nosuch", NULL},
			   "nosuch");
	expect_usage_error("suite extra", (char *[]){"suite", "all", "extra", NULL}, "extra");
	expect_usage_error("suite param", (char *[]){"suite", "default", "--param", "x=1", NULL},
			   "--param");
	expect_usage_error("mrc step overflow",
			   (char *[]){"mrc", "--workload", "zipf:pages=100", "--policy", "lru",
				      "--frames", "1:10:99999999999999999999999", NULL},
			   "--frames");
	expect_usage_error("record empty -o",
			   (char *[]){"trace", "record", "-o", "", "--", "/bin/true", NULL}, "-o");
	expect_usage_error("trace alone", (char *[]){"trace", NULL}, "subcommand");
	expect_usage_error("tlb negative ways",
			   (char *[]){"sim", "--workload", "zipf:pages=100", "--policy", "lru",
				      "--frames", "10", "--tlb", "l1=64:-4", NULL},
			   "64:-4");
	expect_usage_error("help unknown", (char *[]){"help", "nosuch", NULL}, "nosuch");
	/* A FIFO input is refused, not read (it blocked forever without a
	 * writer; the bad-input matrix's 60 s timeout caught it). */
	{
		char fifo[4200];
		snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
		PB_CHECK(mkfifo(fifo, 0600) == 0);
		expect_usage_error("trace info FIFO", (char *[]){"trace", "info", fifo, NULL},
				   "FIFO");
		expect_usage_error("trace convert FIFO",
				   (char *[]){"trace", "convert", fifo, "/dev/null", NULL}, "FIFO");
		expect_usage_error("trace info device",
				   (char *[]){"trace", "info", "/dev/zero", NULL}, "device");
		/* sim and mrc read a device as u64 page numbers without end */
		expect_usage_error("sim device",
				   (char *[]){"sim", "--workload",
					      "trace:path=/dev/zero,format=u64", "--policy", "lru",
					      "--frames", "4", NULL},
				   "device");
		expect_usage_error("mrc device",
				   (char *[]){"mrc", "--workload",
					      "trace:path=/dev/zero,format=u64", "--policy", "lru",
					      "--frames", "2:8:2", NULL},
				   "device");
		/* csim opened its trace with fopen and hung on both */
		expect_usage_error(
		    "csim FIFO",
		    (char *[]){"csim", "-s", "1", "-E", "1", "-b", "1", "-t", fifo, NULL}, "FIFO");
		expect_usage_error(
		    "csim device",
		    (char *[]){"csim", "-s", "1", "-E", "1", "-b", "1", "-t", "/dev/zero", NULL},
		    "device");
		unlink(fifo);
	}

	/* issue 12's options and specs: sim --caches/--thp/--swap, the exec
	 * generator's parameters and csim's options and trace lines */
	{
#define SIM(...)                                                                                   \
	(char *[]){"sim",      "--workload", "zipf:pages=100,refs=1000",                           \
		   "--policy", "lru",	     "--frames",                                           \
		   "10",       __VA_ARGS__,  NULL}
		expect_usage_error("caches bogus", SIM("--caches", "bogus"), "bogus");
		expect_usage_error("caches not a power of two", SIM("--caches", "L1d=3K:7"),
				   "power-of-two");
		expect_usage_error("thp sometimes", SIM("--thp", "sometimes"), "sometimes");
		expect_usage_error("thp hashed", SIM("--thp", "always", "--pt", "hashed"), "--pt");
		expect_usage_error("swap negative", SIM("--swap", "-1"), "--swap");
		expect_usage_error("swap abc", SIM("--swap", "abc"), "--swap");
#undef SIM
		expect_usage_error("exec procs=0",
				   (char *[]){"sim", "--workload", "exec:procs=0", "--policy",
					      "lru", "--frames", "10", NULL},
				   "procs");
		expect_usage_error("exec bad=2",
				   (char *[]){"sim", "--workload", "exec:bad=2", "--policy", "lru",
					      "--frames", "10", NULL},
				   "bad");
		expect_usage_error("exec thp=2",
				   (char *[]){"sim", "--workload", "exec:thp=2", "--policy", "lru",
					      "--frames", "10", NULL},
				   "thp");
		char good[4200], bad[4200], missing[4200];
		snprintf(good, sizeof(good), "%s/csim-good", dir);
		snprintf(bad, sizeof(bad), "%s/csim-bad", dir);
		snprintf(missing, sizeof(missing), "%s/csim-none", dir);
		FILE *f = fopen(good, "w");
		PB_CHECK(f != NULL);
		if (f) {
			fputs(" L 10,4\n S 20,4\n", f);
			fclose(f);
		}
		f = fopen(bad, "w");
		PB_CHECK(f != NULL);
		if (f) {
			fputs(" L 10,4\n L 1x,4\n", f);
			fclose(f);
		}
		expect_usage_error("csim no -t",
				   (char *[]){"csim", "-s", "4", "-E", "1", "-b", "4", NULL},
				   "--trace");
		expect_usage_error(
		    "csim missing trace",
		    (char *[]){"csim", "-s", "4", "-E", "1", "-b", "4", "-t", missing, NULL},
		    missing);
		expect_usage_error(
		    "csim malformed line",
		    (char *[]){"csim", "-s", "4", "-E", "1", "-b", "4", "-t", bad, NULL}, ":2:");
		expect_usage_error(
		    "csim -s 70",
		    (char *[]){"csim", "-s", "70", "-E", "1", "-b", "4", "-t", good, NULL}, "70");
		expect_usage_error(
		    "csim -E 0",
		    (char *[]){"csim", "-s", "4", "-E", "0", "-b", "4", "-t", good, NULL},
		    "--lines");
		unlink(good);
		unlink(bad);
	}

	/* --help works for every subcommand and exits 0. */
	const char *subs[] = {"run", "suite", "list", "topo", "sim", "mrc", "trace", "csim"};
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		static struct spawn_out o;
		char *a[] = {(char *)bin, (char *)subs[i], "--help", NULL};
		spawn_run(a, NULL, &o);
		PB_CHECK_MSG(o.code == 0 && strlen(o.out) > 20, "%s --help: exit %d", subs[i],
			     o.code);
	}
	PB_CHECK(pbt_rmtree(dir) == 0);
	return pb_test_done();
}
