/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_cli_checks.c - what `sim` and `mrc` check of their
 * command line before the work, end to end through the binary:
 *  - a results root that cannot hold a run folder (a regular file, a
 *    path below one, $PAGEBENCH_RESULTS naming a file, a folder without
 *    write permission) is one line naming it, exit 2, before the stream
 *    is read (a missing trace is not what is said: the root is checked
 *    first), and no run folder is left;
 *  - --model policy refuses --tlb, --device and --pt other than their
 *    defaults (exit 2, one line, no run folder), and takes them given at
 *    their defaults;
 *  - --policy and sim's --frames list each configuration once: an entry
 *    given again is dropped, the same policy with other
 *    parameters is kept; sim.csv, sim_summary.csv, mrc.csv and meta.json
 *    config.policies hold no duplicate.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[4096]; /* pbt_tmpdir */
static struct spawn_out out;

#define WL "zipf:pages=300,refs=5000"

/* A refusal: exit 2, one line on stderr holding want (and want2, if
 * any), no run folder under root (a file, or a folder to look in). */
static void check_refused(const char *what, const char *root, const char *want, const char *want2)
{
	char run[4400];
	PB_CHECK_MSG(out.code == 2 && count_lines(out.err) == 1 && strstr(out.err, want) &&
			 (!want2 || strstr(out.err, want2)),
		     "%s: exit %d, %s", what, out.code, out.err);
	PB_CHECK_MSG(pbt_run_dirs(root, run, sizeof(run)) == 0, "%s: left %s", what, run);
}

static void results_root(void)
{
	char file[4200], below[4300], missing[4300], trace[4400];
	snprintf(file, sizeof(file), "%s/somefile", dir);
	snprintf(below, sizeof(below), "%s/sub", file);
	snprintf(missing, sizeof(missing), "%s/no-such-trace.txt", dir);
	snprintf(trace, sizeof(trace), "trace:path=%s,format=text", missing);
	FILE *f = fopen(file, "w");
	PB_CHECK(f && fclose(f) == 0);
	const char *nd = strerror(ENOTDIR);
	char d[16];

	pbt_run(bin, file, &out, d, sizeof(d), "sim", "--workload", WL, "--policy", "lru,arc",
		"--frames", "10,20", "--reps", "1", NULL);
	check_refused("sim --results FILE", file, file, nd);
	pbt_run(bin, file, &out, d, sizeof(d), "mrc", "--workload", WL, "--policy", "lru,fifo",
		"--frames", "10:40:10", NULL);
	check_refused("mrc --results FILE", file, file, nd);
	/* checked before the stream is opened: the root is what is said */
	pbt_run(bin, file, &out, d, sizeof(d), "sim", "--workload", trace, "--policy", "lru",
		"--frames", "10", "--reps", "1", NULL);
	check_refused("sim --results FILE, missing trace", file, file, nd);
	PB_CHECK_MSG(!strstr(out.err, missing), "%s", out.err);
	pbt_run(bin, file, &out, d, sizeof(d), "mrc", "--workload", trace, "--policy", "lru",
		"--frames", "10:20:10", NULL);
	check_refused("mrc --results FILE, missing trace", file, file, nd);
	PB_CHECK_MSG(!strstr(out.err, missing), "%s", out.err);
	/* run and suite likewise (they failed with exit 1) */
	pbt_run(bin, file, &out, d, sizeof(d), "run", "chase", "--threads", "1", "--reps", "1",
		"--ops", "1000", NULL);
	check_refused("run --results FILE", file, file, nd);
	pbt_run(bin, file, &out, d, sizeof(d), "suite", "quick", NULL);
	check_refused("suite --results FILE", file, file, nd);
	/* a root below a regular file cannot be made */
	pbt_run(bin, below, &out, d, sizeof(d), "sim", "--workload", WL, "--policy", "lru",
		"--frames", "10", "--reps", "1", NULL);
	check_refused("sim --results FILE/sub", below, below, nd);
	pbt_run(bin, below, &out, d, sizeof(d), "mrc", "--workload", WL, "--policy", "lru",
		"--frames", "10:20:10", NULL);
	check_refused("mrc --results FILE/sub", below, below, nd);
	/* the root from the environment */
	char env_root[4300];
	snprintf(env_root, sizeof(env_root), "PAGEBENCH_RESULTS=%s", file);
	char *env[] = {env_root, NULL};
	char *sim[] = {(char *)bin, "sim", "--workload", WL,  "--policy", "lru",
		       "--frames",  "10",  "--reps",	 "1", NULL};
	char *mrc[] = {(char *)bin, "mrc",	"--workload", WL,  "--policy",
		       "lru",	    "--frames", "10:20:10",   NULL};
	spawn_run(sim, env, &out);
	check_refused("sim, PAGEBENCH_RESULTS=FILE", file, file, nd);
	spawn_run(mrc, env, &out);
	check_refused("mrc, PAGEBENCH_RESULTS=FILE", file, file, nd);
	/* a dangling symbolic link: pb_mkdir_p took it for a folder, and the
	 * run folder failed after the replay; refused before, naming the link
	 * and its target (until 2026-12-07 "Not a directory") */
	char dangling[4300], nowhere[4300];
	snprintf(dangling, sizeof(dangling), "%s/dangling", dir);
	snprintf(nowhere, sizeof(nowhere), "%s/nowhere", dir);
	PB_CHECK(symlink(nowhere, dangling) == 0);
	pbt_run(bin, dangling, &out, d, sizeof(d), "sim", "--workload", WL, "--policy", "lru",
		"--frames", "10", "--reps", "1", NULL);
	PB_CHECK_MSG(out.code == 2 && count_lines(out.err) == 1 && strstr(out.err, dangling) &&
			 strstr(out.err, "is a dangling symbolic link") && strstr(out.err, nowhere),
		     "sim --results DANGLING: exit %d, %s", out.code, out.err);
	PB_CHECK_MSG(access(nowhere, F_OK) != 0, "sim --results DANGLING made %s", nowhere);
	/* a root that is missing, with folders above it, is made */
	char fresh[4300];
	snprintf(fresh, sizeof(fresh), "%s/new/a/b", dir);
	json_decref(pbt_run_meta(bin, fresh, &out, NULL, 0, "sim", "--workload", WL, "--policy",
				 "lru", "--frames", "10", "--reps", "1", NULL));
	/* a folder this process may not write in (root writes anywhere) */
	if (geteuid() != 0) {
		char ro[4300];
		snprintf(ro, sizeof(ro), "%s/readonly", dir);
		PB_CHECK(mkdir(ro, 0500) == 0);
		pbt_run(bin, ro, &out, d, sizeof(d), "sim", "--workload", WL, "--policy", "lru",
			"--frames", "10", "--reps", "1", NULL);
		check_refused("sim --results READ-ONLY", ro, ro, strerror(EACCES));
		pbt_run(bin, ro, &out, d, sizeof(d), "mrc", "--workload", WL, "--policy", "lru",
			"--frames", "10:20:10", NULL);
		check_refused("mrc --results READ-ONLY", ro, ro, strerror(EACCES));
		chmod(ro, 0700);
	}
}

static void policy_model_refused(const char *opt, const char *val)
{
	static unsigned n; /* a root of its own: what it left is its own */
	char root[4300], d[16];
	snprintf(root, sizeof(root), "%s/refused%u", dir, n++);
	pbt_run(bin, root, &out, d, sizeof(d), "sim", "--workload", WL, "--policy", "lru",
		"--frames", "10", "--reps", "1", "--model", "policy", opt, val, NULL);
	char what[128];
	snprintf(what, sizeof(what), "--model policy %s %s", opt, val);
	check_refused(what, root, opt, "--model policy");
}

static void policy_model(void)
{
	policy_model_refused("--tlb", "zen3");
	policy_model_refused("--tlb", "l1=64:4,l1i=64:4,l2=1536:12");
	policy_model_refused("--device", "hdd");
	policy_model_refused("--pt", "hashed");
	/* given at their defaults: nothing the model lacks, taken */
	char root[4300];
	snprintf(root, sizeof(root), "%s/defaults", dir);
	json_t *m = pbt_run_meta(bin, root, &out, NULL, 0, "sim", "--workload", WL, "--policy",
				 "lru", "--frames", "10", "--reps", "1", "--model", "policy",
				 "--tlb", "skylake", "--device", "nvme", "--pt", "radix", NULL);
	json_t *opts = json_object_get(json_object_get(m, "config"), "options");
	PB_CHECK(!strcmp(json_string_value(json_object_get(opts, "tlb")) ?: "", "skylake"));
	PB_CHECK(!strcmp(json_string_value(json_object_get(opts, "device")) ?: "", "nvme"));
	PB_CHECK(!strcmp(json_string_value(json_object_get(opts, "pt")) ?: "", "radix"));
	json_decref(m);
}

/* The CSV `file` of the one run under root: its rows, each (policy,
 * policy_params, frames, rep) once (sim.csv has a row per repetition),
 * checked; the row count, or -1. */
static long distinct_rows(const char *root, const char *file)
{
	char pat[4400], path[4600], err[256];
	struct pb_csv t;
	snprintf(pat, sizeof(pat), "%s/*/%s", root, file);
	if (pbt_glob_one(pat, path, sizeof(path)) || pb_csv_read_file(path, &t, err, sizeof(err))) {
		PB_CHECK_MSG(0, "%s: no %s", root, file);
		return -1;
	}
	for (size_t a = 0; a < t.nrows; a++)
		for (size_t b = a + 1; b < t.nrows; b++) {
			static const char *const key[] = {"policy", "policy_params", "frames",
							  "rep"};
			int same = 1;
			for (size_t k = 0; k < PB_ARRAY_SIZE(key); k++)
				same &= !strcmp(pb_csv_get(&t, a, key[k]) ?: "",
						pb_csv_get(&t, b, key[k]) ?: "");
			PB_CHECK_MSG(!same, "%s rows %zu and %zu: %s %s %s twice", file, a, b,
				     pb_csv_get(&t, a, "policy"),
				     pb_csv_get(&t, a, "policy_params"),
				     pb_csv_get(&t, a, "frames"));
		}
	long n = (long)t.nrows;
	pb_csv_free(&t);
	return n;
}

static size_t meta_policies(json_t *m)
{
	return json_array_size(json_object_get(json_object_get(m, "config"), "policies"));
}

static void each_once(void)
{
	char root[4300];
	snprintf(root, sizeof(root), "%s/sim_dup", dir);
	json_t *m = pbt_run_meta(bin, root, &out, NULL, 0, "sim", "--workload", WL, "--policy",
				 "lru,fifo,lru", "--frames", "10,20,10", "--reps", "1", NULL);
	PB_CHECK_EQ_U64(distinct_rows(root, "sim.csv"), 4);
	PB_CHECK_EQ_U64(distinct_rows(root, "sim_summary.csv"), 4);
	PB_CHECK_EQ_U64(meta_policies(m), 2);
	json_decref(m);

	/* the same parameters given twice: once; other parameters: kept */
	snprintf(root, sizeof(root), "%s/sim_params", dir);
	m = pbt_run_meta(bin, root, &out, NULL, 0, "sim", "--workload", WL, "--policy",
			 "s3fifo:move_threshold=2,s3fifo:move_threshold=3,s3fifo:move_threshold=2",
			 "--frames", "10", "--reps", "2", "--model", "policy", NULL);
	PB_CHECK_EQ_U64(distinct_rows(root, "sim.csv"), 4);
	PB_CHECK_EQ_U64(distinct_rows(root, "sim_summary.csv"), 2);
	PB_CHECK_EQ_U64(meta_policies(m), 2);
	json_decref(m);

	snprintf(root, sizeof(root), "%s/mrc_dup", dir);
	m = pbt_run_meta(bin, root, &out, NULL, 0, "mrc", "--workload", WL, "--policy",
			 "lru,s3fifo:move_threshold=2,lru,s3fifo:move_threshold=2", "--frames",
			 "10:20:10", NULL);
	PB_CHECK_EQ_U64(distinct_rows(root, "mrc.csv"), 4);
	PB_CHECK_EQ_U64(meta_policies(m), 2);
	json_decref(m);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	if (!pbt_tmpdir(dir, sizeof(dir), "simchk"))
		PB_SKIP("no temporary folder");
	results_root();
	policy_model();
	each_once();
	if (pbt_rmtree(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return pb_test_done();
}
