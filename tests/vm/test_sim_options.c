/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_options.c - sim's and mrc's option tables and
 * per-policy parameters, end to end through the binary:
 *  - `--policy s3fifo,s3fifo:move_threshold=2` gives the pinned counts of
 *    both variants (tests/policy/test_params.c pins them on the same
 *    stream), with the bare name in the `policy` column and the effective
 *    parameters in `policy_params` (read back with the project's CSV
 *    reader);
 *  - every spec `pagebench list policies -v` prints is accepted by sim,
 *    each configuration once;
 *  - every option --help names is accepted, an unknown one is refused
 *    naming it, and --policy-params points to the new syntax;
 *  - meta.json of sim and mrc parses with jansson and holds the options,
 *    each policy's effective parameters and the trace's size and hash;
 *  - lines of a text trace that are not page numbers are skipped, as
 *    documented, but no longer silently: sim and mrc (streamed, loaded,
 *    with a pass before) print one warning line naming the count and the
 *    first line, and meta.json's config.trace.skipped_lines holds the
 *    count; a csv header is counted there without a warning.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../policy/polgen.h"
#include "pagebench/csvread.h"
#include "pagebench/policy.h"
#include "pbtest.h"
#include "spawn.h"

/* tests/policy/test_params.c: polgen_zipf(NTR, 3000, 0.9, 2024) */
#define NTR	 20000
#define S3_64	 11823
#define S3_256	 8514
#define S3T2_64	 11829
#define S3T2_256 8538

static const char *bin;
static char noroot[4200]; /* results root of runs that must not get that far */
static char env_results[4400];
static char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none",
		       "LSAN_OPTIONS=detect_leaks=0", /* libsde keeps its registrations */
		       NULL};

static int run(struct spawn_out *o, const char *results, ...)
{
	char *argv[40] = {(char *)bin};
	int n = 1;
	va_list ap;
	va_start(ap, results);
	const char *a;
	while (n < 39 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", results);
	return spawn_run(argv, envv, o);
}

/* The one file matching pattern, or "" (none or several). */
static void one_file(const char *pattern, char *out, size_t len)
{
	glob_t g;
	out[0] = 0;
	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1)
		snprintf(out, len, "%s", g.gl_pathv[0]);
	globfree(&g);
}

/* faults (or misses) of the row (policy, params, frames) of a CSV. */
static long long count_of(const struct pb_csv *t, const char *what, const char *pol,
			  const char *params, const char *frames)
{
	for (size_t r = 0; r < t->nrows; r++) {
		const char *p = pb_csv_get(t, r, "policy"), *q = pb_csv_get(t, r, "policy_params"),
			   *f = pb_csv_get(t, r, "frames"), *v = pb_csv_get(t, r, what);
		if (p && q && f && v && !strcmp(p, pol) && !strcmp(q, params) && !strcmp(f, frames))
			return atoll(v);
	}
	return -1;
}

/* Read meta.json under root and check what sim and mrc record. */
static void check_meta(const char *root, const char *cmd, const char *trace)
{
	char pat[4400], path[4600];
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	one_file(pat, path, sizeof(path));
	PB_CHECK_MSG(path[0], "%s: one meta.json under %s", cmd, root);
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s meta.json: %s (line %d)", cmd, je.text, je.line);
	json_t *c = json_object_get(m, "config");
	json_t *pols = json_object_get(c, "policies");
	PB_CHECK_MSG(json_is_array(pols) && json_array_size(pols) == 2, "%s: policies", cmd);
	json_t *p0 = json_array_get(pols, 0), *p1 = json_array_get(pols, 1);
	PB_CHECK(!strcmp(json_string_value(json_object_get(p0, "name")) ?: "", "s3fifo"));
	PB_CHECK(json_is_null(json_object_get(p0, "params")));
	PB_CHECK(!strcmp(json_string_value(json_object_get(p0, "effective")) ?: "",
			 "small=0.1,move_threshold=1,lcs_ghost=0"));
	PB_CHECK(
	    !strcmp(json_string_value(json_object_get(p1, "params")) ?: "", "move_threshold=2"));
	PB_CHECK(!strcmp(json_string_value(json_object_get(p1, "effective")) ?: "",
			 "small=0.1,move_threshold=2,lcs_ghost=0"));
	json_t *opts = json_object_get(c, "options");
	PB_CHECK_MSG(json_is_object(opts) && json_is_string(json_object_get(opts, "policy")) &&
			 json_integer_value(json_object_get(opts, "seed")) == 1 &&
			 !json_object_get(opts, "results") && !json_object_get(opts, "csv"),
		     "%s: options", cmd);
	json_t *tr = json_object_get(c, "trace");
	struct stat st;
	PB_CHECK(stat(trace, &st) == 0);
	const char *h = json_string_value(json_object_get(tr, "hash"));
	PB_CHECK_MSG(json_integer_value(json_object_get(tr, "size")) == (json_int_t)st.st_size &&
			 h && !strncmp(h, "fnv1a64:", 8) && strlen(h) == 8 + 16 &&
			 !strcmp(json_string_value(json_object_get(tr, "path")) ?: "", trace),
		     "%s: trace identity", cmd);
	json_decref(m);
}

/* meta.json config.trace.skipped_lines of the one run under root, -1 if
 * none */
static long long skipped_lines(const char *root)
{
	char pat[4400], path[4600];
	snprintf(pat, sizeof(pat), "%s/*/meta.json", root);
	one_file(pat, path, sizeof(path));
	json_error_t je;
	json_t *m = path[0] ? json_load_file(path, 0, &je) : NULL;
	json_t *v = json_object_get(json_object_get(json_object_get(m, "config"), "trace"),
				    "skipped_lines");
	long long n = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
	json_decref(m);
	return n;
}

/* A text trace with two lines that are not page numbers (lines 5 and 60),
 * through sim's and mrc's ways of reading a stream; then a csv with a
 * header, whose skipped line is not warned of. */
static void garbled_lines(const char *dir)
{
	char trace[4200], wl[4300], root[4200], want[4600];
	snprintf(trace, sizeof(trace), "%s/garbled.trc", dir);
	FILE *f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	for (int i = 1; f && i <= 200; i++) {
		if (i == 5)
			fputs("12x34\n", f);
		else if (i == 60)
			fputs("page 7\n", f);
		else
			fprintf(f, "%d\n", i % 37);
	}
	if (f)
		fclose(f);
	snprintf(wl, sizeof(wl), "trace:path=%s", trace);
	snprintf(want, sizeof(want),
		 "pagebench sim: warning: 2 lines of %s were not references, skipped "
		 "(first at line 5)\n",
		 trace);
	struct spawn_out *o = malloc(sizeof(*o));
	/* streamed; loaded (two engine threads); a pass before (opt) */
	static const char *const how[][4] = {{"--policy", "lru", "--order", "strict"},
					     {"--policy", "lru", "--threads", "2"},
					     {"--policy", "opt", "--order", "strict"}};
	for (int h = 0; h < 3; h++) {
		snprintf(root, sizeof(root), "%s/garbled%d", dir, h);
		run(o, root, "sim", "--workload", wl, how[h][0], how[h][1], how[h][2], how[h][3],
		    "--frames", "8", "--reps", "1", NULL);
		PB_CHECK_MSG(o->code == 0, "sim %s %s: exit %d: %s", how[h][1], how[h][2], o->code,
			     o->err);
		PB_CHECK_MSG(!strncmp(o->err, want, strlen(want)) &&
				 !strstr(o->err + strlen(want), "warning"),
			     "sim %s %s: stderr: %s", how[h][1], how[h][2], o->err);
		PB_CHECK_EQ_U64(skipped_lines(root), 2);
	}
	snprintf(root, sizeof(root), "%s/garbled-mrc", dir);
	run(o, root, "mrc", "--workload", wl, "--policy", "lru,fifo", "--frames", "2:10:4", NULL);
	PB_CHECK_MSG(o->code == 0, "mrc: exit %d: %s", o->code, o->err);
	memcpy(want + strlen("pagebench "), "mrc", 3);
	PB_CHECK_MSG(!strncmp(o->err, want, strlen(want)) &&
			 !strstr(o->err + strlen(want), "warning"),
		     "mrc: stderr: %s", o->err);
	PB_CHECK_EQ_U64(skipped_lines(root), 2);

	/* an MSR csv's header line: skipped and counted, part of the format */
	snprintf(trace, sizeof(trace), "%s/header.csv", dir);
	f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	if (f) {
		fputs("Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\n"
		      "1,hm,0,Read,0,4096,1\n2,hm,0,Read,8192,4096,1\n",
		      f);
		fclose(f);
	}
	snprintf(wl, sizeof(wl), "trace:path=%s,format=csv,csv=msr", trace);
	snprintf(root, sizeof(root), "%s/header", dir);
	run(o, root, "sim", "--workload", wl, "--policy", "lru", "--frames", "2", "--reps", "1",
	    NULL);
	PB_CHECK_MSG(o->code == 0 && !strstr(o->err, "warning"), "csv header: exit %d: %s", o->code,
		     o->err);
	PB_CHECK_EQ_U64(skipped_lines(root), 1);
	free(o);
}

/* A page number the engine cannot map (2^36, line 3): an error naming the
 * trace and the reference, through sim's and mrc's ways of reading. */
static void far_page(const char *dir)
{
	char trace[4200], wl[4300], root[4200];
	snprintf(trace, sizeof(trace), "%s/far.trc", dir);
	FILE *f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	if (f) {
		fputs("1\n2\n68719476736\n3\n", f);
		fclose(f);
	}
	snprintf(wl, sizeof(wl), "trace:path=%s", trace);
	struct spawn_out *o = malloc(sizeof(*o));
	static const char *const how[][4] = {{"--policy", "lru", "--order", "strict"},
					     {"--policy", "lru", "--threads", "2"},
					     {"--policy", "opt", "--order", "strict"},
					     {"--policy", "lru", "--model", "policy"}};
	for (int h = 0; h < 5; h++) {
		snprintf(root, sizeof(root), "%s/far%d", dir, h);
		if (h < 4)
			run(o, root, "sim", "--workload", wl, how[h][0], how[h][1], how[h][2],
			    how[h][3], "--frames", "8", "--reps", "1", NULL);
		else
			run(o, root, "mrc", "--workload", wl, "--policy", "lru", "--frames",
			    "2:10:4", NULL);
		PB_CHECK_MSG(o->code == 2 && strstr(o->err, trace) &&
				 strstr(o->err, "reference 2:") && strstr(o->err, "68719476736"),
			     "far page, way %d: exit %d: %s", h, o->code, o->err);
	}
	free(o);
}

/* Option names (--name) printed by `CMD --help`, into names[]. */
static size_t help_options(const char *cmd, char names[][32], size_t max)
{
	struct spawn_out *o = malloc(sizeof(*o));
	run(o, noroot, cmd, "--help", NULL);
	PB_CHECK_MSG(o->code == 0, "%s --help: exit %d", cmd, o->code);
	size_t n = 0;
	for (const char *l = o->out; l && *l && n < max;
	     l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *p = l;
		while (*p == ' ')
			p++;
		if (p[0] == '-' && p[1] != '-' && p[2] == ',')
			p += 4; /* "-s, --name" */
		if (strncmp(p, "--", 2))
			continue;
		size_t k = strcspn(p + 2, " \n");
		if (k && k < 32) {
			memcpy(names[n], p + 2, k);
			names[n++][k] = 0;
		}
	}
	free(o);
	return n;
}

/* How many configurations a --policy list names: its specs, those with
 * the same policy and the same effective parameters counted once. */
static size_t distinct_specs(const char *list)
{
	char **specs = NULL, err[256];
	size_t n = 0, k = 0;
	if (pb_policy_spec_split(list, &specs, &n, err, sizeof(err)))
		return 0;
	const struct pb_policy_desc **d = calloc(n + 1, sizeof(*d));
	char(*eff)[256] = calloc(n + 1, sizeof(*eff));
	for (size_t i = 0; d && eff && i < n; i++) {
		char *params = NULL;
		if (pb_policy_spec_parse(specs[i], &d[k], &params, err, sizeof(err)))
			continue;
		pb_policy_params_effective(d[k], params, eff[k], sizeof(eff[k]));
		free(params);
		size_t j = 0;
		while (j < k && !(d[j] == d[k] && !strcmp(eff[j], eff[k])))
			j++;
		k += j == k;
	}
	free(d);
	free(eff);
	pb_policy_specs_free(specs, n);
	return k;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_sim_options PAGEBENCH");
	bin = argv[1];
	char dir[4096];
	if (!pbt_tmpdir(dir, sizeof(dir), "simopt"))
		PB_SKIP("no temp dir");

	/* the pinned stream of tests/policy/test_params.c as a text trace of
	 * page numbers: polgen_zipf's keys are rank * K, K odd, so rank =
	 * key * K^-1 (mod 2^64); a policy's counts do not depend on the key
	 * values, only on their equality */
	uint64_t *k = malloc(NTR * sizeof(*k));
	polgen_zipf(k, NTR, 3000, 0.9, 2024);
	uint64_t K = 0x9e3779b97f4a7c15ULL, inv = K;
	for (int i = 0; i < 6; i++)
		inv *= 2 - K * inv;
	PB_CHECK(K * inv == 1);
	char trace[4200], wl[4300];
	snprintf(trace, sizeof(trace), "%s/zipf.txt", dir);
	FILE *f = fopen(trace, "w");
	PB_CHECK(f != NULL);
	for (size_t i = 0; f && i < NTR; i++)
		fprintf(f, "%llu\n", (unsigned long long)(k[i] * inv));
	if (f)
		fclose(f);
	free(k);
	snprintf(wl, sizeof(wl), "trace:path=%s,format=text", trace);

	snprintf(noroot, sizeof(noroot), "%s/none", dir);
	struct spawn_out *o = malloc(sizeof(*o));
	char root[4200], pat[4400], csvp[4600], err[256];

	/* sim: both variants in one --policy list, pinned */
	snprintf(root, sizeof(root), "%s/sim", dir);
	run(o, root, "sim", "--workload", wl, "--policy", "s3fifo,s3fifo:move_threshold=2",
	    "--frames", "64,256", NULL);
	PB_CHECK_MSG(o->code == 0, "sim exit %d: %s", o->code, o->err);
	snprintf(pat, sizeof(pat), "%s/*/sim.csv", root);
	one_file(pat, csvp, sizeof(csvp));
	struct pb_csv t;
	PB_CHECK_MSG(csvp[0] && pb_csv_read_file(csvp, &t, err, sizeof(err)) == 0, "sim.csv: %s",
		     err);
	if (csvp[0]) {
		const char *d = "small=0.1,move_threshold=1,lcs_ghost=0",
			   *v = "small=0.1,move_threshold=2,lcs_ghost=0";
		PB_CHECK_EQ_U64(count_of(&t, "faults", "s3fifo", d, "64"), S3_64);
		PB_CHECK_EQ_U64(count_of(&t, "faults", "s3fifo", d, "256"), S3_256);
		PB_CHECK_EQ_U64(count_of(&t, "faults", "s3fifo", v, "64"), S3T2_64);
		PB_CHECK_EQ_U64(count_of(&t, "faults", "s3fifo", v, "256"), S3T2_256);
		pb_csv_free(&t);
	}
	check_meta(root, "sim", trace);
	PB_CHECK_EQ_U64(skipped_lines(root), 0);
	PB_CHECK_MSG(!strstr(o->err, "warning"), "sim: stderr: %s", o->err);

	/* mrc: the same through policy replays */
	snprintf(root, sizeof(root), "%s/mrc", dir);
	run(o, root, "mrc", "--workload", wl, "--policy", "s3fifo,s3fifo:move_threshold=2",
	    "--frames", "64:256:192", NULL);
	PB_CHECK_MSG(o->code == 0, "mrc exit %d: %s", o->code, o->err);
	snprintf(pat, sizeof(pat), "%s/*/mrc.csv", root);
	one_file(pat, csvp, sizeof(csvp));
	PB_CHECK_MSG(csvp[0] && pb_csv_read_file(csvp, &t, err, sizeof(err)) == 0, "mrc.csv: %s",
		     err);
	if (csvp[0]) {
		const char *d = "small=0.1,move_threshold=1,lcs_ghost=0",
			   *v = "small=0.1,move_threshold=2,lcs_ghost=0";
		PB_CHECK_EQ_U64(count_of(&t, "misses", "s3fifo", d, "64"), S3_64);
		PB_CHECK_EQ_U64(count_of(&t, "misses", "s3fifo", v, "256"), S3T2_256);
		pb_csv_free(&t);
	}
	check_meta(root, "mrc", trace);
	PB_CHECK_EQ_U64(skipped_lines(root), 0);
	garbled_lines(dir);
	far_page(dir);

	/* every spec `list policies -v` advises is accepted by sim, together */
	run(o, dir, "list", "policies", "-v", NULL);
	PB_CHECK_MSG(o->code == 0, "list policies -v: exit %d", o->code);
	char specs[4096] = "";
	size_t nspec = 0;
	for (const char *l = o->out; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *p = l;
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " \n");
		if (p == l || !memchr(p, ':', w) || !memchr(p, '=', w))
			continue; /* parameter lines are indented NAME:k=v */
		snprintf(specs + strlen(specs), sizeof(specs) - strlen(specs), "%s%.*s",
			 nspec++ ? "," : "", (int)w, p);
	}
	PB_CHECK_MSG(nspec >= 10, "list policies -v printed %zu NAME:k=v specs", nspec);
	snprintf(root, sizeof(root), "%s/listed", dir);
	run(o, root, "sim", "--workload", wl, "--policy", specs, "--frames", "64", "--csv",
	    "--reps", "1", NULL);
	/* a row per configuration, each once: a spec that gives a parameter
	 * its default is the bare policy again (one row) */
	size_t nconf = distinct_specs(specs);
	PB_CHECK_MSG(o->code == 0 && count_lines(o->out) == (int)nconf + 1,
		     "sim --policy %s: exit %d, %d lines for %zu configurations, %s", specs,
		     o->code, count_lines(o->out), nconf, o->err);

	/* --help lists exactly what the tables take: each option is known */
	static const char *const cmds[] = {"sim", "mrc"};
	for (size_t c = 0; c < 2; c++) {
		char names[64][32];
		size_t n = help_options(cmds[c], names, 64);
		PB_CHECK_MSG(n >= (c ? 6u : 17u), "%s --help names %zu options", cmds[c], n);
		for (size_t i = 0; i < n; i++) {
			char opt[64];
			snprintf(opt, sizeof(opt), "--%s=@bad@", names[i]);
			run(o, noroot, cmds[c], opt, NULL);
			PB_CHECK_MSG(o->code == 2 && count_lines(o->err) == 1 &&
					 !strstr(o->err, "unknown option"),
				     "%s %s: exit %d, %s", cmds[c], opt, o->code, o->err);
		}
		run(o, noroot, cmds[c], "--workload", wl, "--policy", "lru", "--frames",
		    c ? "1:2:1" : "2", "--nosuch", "1", NULL);
		PB_CHECK_MSG(o->code == 2 && count_lines(o->err) == 1 && strstr(o->err, "--nosuch"),
			     "%s --nosuch: exit %d, %s", cmds[c], o->code, o->err);
		run(o, noroot, cmds[c], "--workload", wl, "--policy", "2q", "--frames",
		    c ? "1:2:1" : "2", "--policy-params", "kin=0.5", NULL);
		PB_CHECK_MSG(o->code == 2 && count_lines(o->err) == 1 &&
				 strstr(o->err, "--policy-params") && strstr(o->err, "NAME:k=v"),
			     "%s --policy-params: exit %d, %s", cmds[c], o->code, o->err);
		run(o, noroot, cmds[c], "--workload", wl, "--policy", "s3fifo:move_threshold=9",
		    "--frames", c ? "1:2:1" : "2", NULL);
		PB_CHECK_MSG(o->code == 2 && count_lines(o->err) == 1 &&
				 strstr(o->err, "move_threshold"),
			     "%s bad parameter: exit %d, %s", cmds[c], o->code, o->err);
	}
	/* --tlb geometry through its table: an unknown level is named */
	run(o, noroot, "sim", "--workload", wl, "--policy", "lru", "--frames", "2", "--tlb",
	    "l1=64:4,l3=8", NULL);
	PB_CHECK_MSG(o->code == 2 && count_lines(o->err) == 1 && strstr(o->err, "'l3'") &&
			 strstr(o->err, "l1i"),
		     "--tlb l3: exit %d, %s", o->code, o->err);
	snprintf(root, sizeof(root), "%s/tlb", dir);
	run(o, root, "sim", "--workload", wl, "--policy", "lru", "--frames", "2", "--tlb",
	    "l1=64:4,l2=512:8", "--csv", "--reps", "1", NULL);
	PB_CHECK_MSG(o->code == 0 && count_lines(o->out) == 2, "--tlb l1,l2: exit %d, %s", o->code,
		     o->err);
	/* issue 11 #10: a stream that does not fit is one line and exit 1 before the OOM
	 * killer could act (PAGEBENCH_MEM_LIMIT stands in for a small cgroup): the loaded
	 * replay (--threads 2) and OPT's next-use array (8 B/ref); issue 14 #3: the same
	 * stream streamed (one engine thread, LRU) runs in that limit */
	{
		char *margv[] = {(char *)bin, "sim", "--workload", "zipf:pages=3000,refs=4000000",
				 "--policy",  "lru", "--frames",   "100",
				 "--reps",    "1",   "--threads",  "2",
				 NULL};
		char *env2[] = {env_results, "PAGEBENCH_MEM_LIMIT=8M", "PAGEBENCH_COUNTERS=none",
				NULL};
		snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", noroot);
		spawn_run(margv, env2, o);
		PB_CHECK_MSG(o->code == 1 && count_lines(o->err) == 1 &&
				 strstr(o->err, "does not fit in memory"),
			     "memory limit: exit %d, %s", o->code, o->err);
		margv[5] = "opt";
		margv[10] = NULL;
		spawn_run(margv, env2, o);
		PB_CHECK_MSG(o->code == 1 && count_lines(o->err) == 1 &&
				 strstr(o->err, "next uses do not fit in memory"),
			     "memory limit, opt: exit %d, %s", o->code, o->err);
		margv[5] = "lru";
		snprintf(root, sizeof(root), "%s/streamed", dir);
		snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s", root);
		spawn_run(margv, env2, o);
		PB_CHECK_MSG(o->code == 0, "streamed in the memory limit: exit %d, %s", o->code,
			     o->err);
	}
	struct stat nst;
	PB_CHECK_MSG(stat(noroot, &nst) != 0, "a refused run left %s", noroot);
	free(o);
	if (pbt_rmtree(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return pb_test_done();
}
