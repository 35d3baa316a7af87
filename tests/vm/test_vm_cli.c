/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_cli.c - `pagebench sim` and `pagebench mrc` end to end:
 * a small `text` trace (Belady's string) in a temp dir, --csv rows with the
 * documented columns and the textbook fault counts, a run folder written,
 * and exit code 2 with one line on stderr for each bad value (a --backing
 * PATH that cannot be made: the whole PATH and the reason, before the run),
 * and a trace at a path of 1600 characters named whole in the outputs.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
/* sized for the temporary folder's path, which $TMPDIR may make long */
static char env_results[4200], env_lsan[4200];
/* libsde (PAPI software-defined events) keeps its registrations for the
 * life of the process: not our leak under LeakSanitizer builds */
static char *envv[] = {env_results, "PAGEBENCH_COUNTERS=none", env_lsan, NULL};

/* The length of a long path under top: 900 characters (past the 384-
 * and 512-byte buffers that cut such paths), more under a long $TMPDIR
 * (room for one of pbt_blocked_path's folders below top). */
static size_t long_len(const char *top)
{
	size_t n = strlen(top) + 200;
	return n > 900 ? n : 900;
}

/* Run pagebench with the NULL-terminated arguments. */
static int sim(struct spawn_out *o, ...)
{
	char *argv[24] = {(char *)bin};
	int n = 1;
	va_list ap;
	va_start(ap, o);
	const char *a;
	while (n < 23 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return spawn_run(argv, envv, o);
}

/* stdout's CSV parsed with the project's reader into *t: 0, or -1 (said). */
static int parse_out(const char *out, struct pb_csv *t)
{
	char err[256];
	int rc = pb_csv_parse(out, strlen(out), "stdout", t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	return rc ? -1 : 0;
}

/* Column `name` of the row of `out` (CSV) whose policy and frames columns
 * are pol and frames, into v (len bytes); "" where no such row or column. */
static void cell_at(const char *out, const char *pol, const char *frames, const char *name, char *v,
		    size_t len)
{
	struct pb_csv t;
	v[0] = 0;
	if (parse_out(out, &t))
		return;
	for (size_t r = 0; r < t.nrows; r++)
		if (!strcmp(pb_csv_get(&t, r, "policy"), pol) &&
		    !strcmp(pb_csv_get(&t, r, "frames"), frames)) {
			snprintf(v, len, "%s", pb_csv_get(&t, r, name));
			break;
		}
	pb_csv_free(&t);
}

/* `out` (CSV) has a column called name. */
static int has_col(const char *out, const char *name)
{
	struct pb_csv t;
	if (parse_out(out, &t))
		return 0;
	int c = pb_csv_col(&t, name);
	pb_csv_free(&t);
	return c >= 0;
}

#define expect_usage(what, ...) expect_usage_(what, __VA_ARGS__, NULL)
static void expect_usage_(const char *what, ...)
{
	char *argv[24] = {(char *)bin};
	int n = 1;
	va_list ap;
	va_start(ap, what);
	const char *a;
	while (n < 23 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	struct spawn_out *o = malloc(sizeof(*o));
	spawn_run(argv, envv, o);
	PB_CHECK_MSG(o->code == 2, "%s: exit %d, stderr: %s", what, o->code, o->err);
	PB_CHECK_MSG(count_lines(o->err) == 1 && strstr(o->err, "pagebench "), "%s: stderr '%s'",
		     what, o->err);
	free(o);
}

/*
 * A configuration that fails while others succeed: the engine at 2^30-1
 * frames reserves 8 bytes a frame for its frame table (8 GiB), which a
 * 2 GiB address-space limit refuses, while 100 frames run.  The failed
 * row stays with valid=0, and the run says "failed" with the reason: a
 * folder that says complete must hold every configuration asked for.
 */
/* pagebench with the NULL-terminated args under an address-space limit
 * of kb KiB (sh's ulimit -v) */
static void limited(struct spawn_out *o, const char *kb, char *const *args)
{
	char sh[96];
	snprintf(sh, sizeof(sh), "ulimit -v %s && exec \"$0\" \"$@\"", kb);
	char *av[32] = {"/bin/sh", "-c", sh, (char *)bin};
	size_t n = 4;
	for (; args[n - 4] && n < 31; n++)
		av[n] = args[n - 4];
	av[n] = NULL;
	spawn_run(av, envv, o);
}

/* sim of the workload at frames, under a 2 GiB address-space limit */
static void sim_limited(struct spawn_out *o, const char *frames, const char *res)
{
	char *args[] = {"sim",		"--workload", "zipf:pages=200,refs=2000",
			"--policy",	"lru",	      "--frames",
			(char *)frames, "--reps",     "1",
			"--results",	(char *)res,  NULL};
	limited(o, "2000000", args);
}

/* A sweep holds every configuration's policy at once: 100 sizes up to 10^8
 * frames of a 2000-page workload took 6.4 GB (each policy's key map was
 * populated for 2^20 keys); the keys it meets are what it needs. */
static void many_sizes(const char *dir, struct spawn_out *o)
{
	char res[4300];
	snprintf(res, sizeof(res), "%s/manysizes", dir);
	char *args[] = {"mrc", "--workload", "zipf:pages=2000,refs=20000", "--policy",
			"arc", "--frames",   "1:100000000:1000000",	   "--results",
			res,   NULL};
	limited(o, "3000000", args);
	if (strstr(o->err, "Sanitizer")) {
		/* a sanitizer's shadow memory does not fit the limit */
		fprintf(stderr, "many_sizes: skipped (a sanitizer build: %s)\n", o->err);
		return;
	}
	PB_CHECK_MSG(o->code == 0, "100 sizes up to 10^8 frames under 3 GiB: exit %d: %s", o->code,
		     o->err);
}

static void failed_job(const char *dir, struct spawn_out *o)
{
	char res[4300];
	snprintf(res, sizeof(res), "%s/failedjob", dir);
	sim_limited(o, "100", res);
	if (o->code != 0) {
		/* a sanitizer build reserves more than 2 GiB to start */
		fprintf(stderr,
			"failed_job: skipped (100 frames under a 2 GiB limit: exit %d: %s)\n",
			o->code, o->err);
		return;
	}
	sim_limited(o, "100,1073741823", res);
	PB_CHECK_MSG(o->code == 1 && strstr(o->err, "1073741823 frames") &&
			 strstr(o->err, "not complete"),
		     "one failed job: exit %d: %s", o->code, o->err);
	/* the second run folder under res (the first is the 100-frame run) */
	char cmd[4400];
	snprintf(cmd, sizeof(cmd), "grep -l '\"failed\"' '%s'/*/meta.json", res);
	FILE *p = popen(cmd, "r");
	char meta[4400] = "";
	PB_CHECK(p && fgets(meta, sizeof(meta), p));
	if (p)
		pclose(p);
	meta[strcspn(meta, "\n")] = 0;
	json_error_t je;
	json_t *m = json_load_file(meta, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", meta, je.text);
	json_t *errs = json_object_get(m, "errors");
	PB_CHECK(!strcmp(json_string_value(json_object_get(m, "status")) ?: "", "failed"));
	PB_CHECK_MSG(json_array_size(errs) == 1 &&
			 strstr(json_string_value(json_array_get(errs, 0)) ?: "", "1073741823"),
		     "%s: errors", meta);
	json_decref(m);
}

/* Every row of `file` in the one run under root names path (its workload
 * column), and so does meta.json's config.workload. */
static void names_path(const char *root, const char *file, const char *path)
{
	char run[4400], f[4600], err[4600];
	PB_CHECK_MSG(pbt_run_dirs(root, run, sizeof(run)) == 1, "%s: not one run", root);
	snprintf(f, sizeof(f), "%s/%s", run, file);
	struct pb_csv t;
	int rc = pb_csv_read_file(f, &t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	if (!rc) {
		PB_CHECK_MSG(t.nrows > 0, "%s: no rows", file);
		for (size_t r = 0; r < t.nrows; r++) {
			const char *w = pb_csv_get(&t, r, "workload");
			PB_CHECK_MSG(strstr(w, path),
				     "%s row %zu: workload of %zu characters, not the path of %zu",
				     file, r, strlen(w), strlen(path));
		}
		pb_csv_free(&t);
	}
	snprintf(f, sizeof(f), "%s/meta.json", run);
	json_error_t je;
	json_t *m = json_load_file(f, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", f, je.text);
	const char *w =
	    json_string_value(json_object_get(json_object_get(m, "config"), "workload")) ?: "";
	PB_CHECK_MSG(strstr(w, path), "%s: config.workload of %zu characters, not the path of %zu",
		     f, strlen(w), strlen(path));
	json_decref(m);
}

/*
 * A trace at a path of 1600 characters (more under a long $TMPDIR; nested
 * folders of 100): sim.csv, sim_summary.csv, mrc.csv and meta.json name
 * the workload whole.  Its canonical spec was held in 1024-byte buffers
 * that cut the path's end silently.
 */
static void long_trace(const char *dir, struct spawn_out *o)
{
	static char tp[4400], wl[4500], res[4300];
	size_t want = strlen(dir) + 200 > 1600 ? strlen(dir) + 200 : 1600;
	size_t n = (size_t)snprintf(tp, sizeof(tp), "%s", dir);
	for (int d = 0; n < want; d++) {
		n += (size_t)snprintf(tp + n, sizeof(tp) - n, "/%d%0*d", d % 10, 99, 0);
		if (mkdir(tp, 0700) && errno != EEXIST) {
			PB_CHECK_MSG(0, "mkdir %s: %s", tp, strerror(errno));
			return;
		}
	}
	snprintf(tp + n, sizeof(tp) - n, "/zipf.pbt");
	sim(o, "trace", "convert", "zipf:pages=64,refs=4000", tp, NULL);
	PB_CHECK_MSG(o->code == 0, "trace convert to %zu characters: exit %d: %s", strlen(tp),
		     o->code, o->err);
	snprintf(wl, sizeof(wl), "trace:path=%s", tp);
	snprintf(res, sizeof(res), "%s/longsim", dir);
	sim(o, "sim", "--workload", wl, "--policy", "lru", "--frames", "16", "--reps", "2",
	    "--results", res, NULL);
	PB_CHECK_MSG(o->code == 0, "sim of a %zu-character trace path: exit %d: %s", strlen(tp),
		     o->code, o->err);
	names_path(res, "sim.csv", tp);
	names_path(res, "sim_summary.csv", tp);
	snprintf(res, sizeof(res), "%s/longmrc", dir);
	sim(o, "mrc", "--workload", wl, "--policy", "lru", "--frames", "4:16:4", "--results", res,
	    NULL);
	PB_CHECK_MSG(o->code == 0, "mrc of a %zu-character trace path: exit %d: %s", strlen(tp),
		     o->code, o->err);
	names_path(res, "mrc.csv", tp);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_vm_cli PAGEBENCH");
	bin = argv[1];
	char dir[4096];
	if (!pbt_tmpdir(dir, sizeof(dir), "vmcli"))
		PB_SKIP("no temp dir");
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s/results", dir);
	snprintf(env_lsan, sizeof(env_lsan), "LSAN_OPTIONS=suppressions=%s/lsan.supp", dir);
	char supp[4200];
	snprintf(supp, sizeof(supp), "%s/lsan.supp", dir);
	FILE *sf = fopen(supp, "w");
	if (sf) {
		fputs("leak:libsde\n", sf);
		fclose(sf);
	}
	char trace[4200], wl[4300];
	snprintf(trace, sizeof(trace), "%s/belady.txt", dir);
	FILE *f = fopen(trace, "w");
	static const int belady[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
	for (size_t i = 0; i < PB_ARRAY_SIZE(belady); i++)
		fprintf(f, "%d\n", belady[i]);
	fclose(f);
	snprintf(wl, sizeof(wl), "trace:path=%s,format=text", trace);

	struct spawn_out *o = malloc(sizeof(*o));
	sim(o, "sim", "--workload", wl, "--policy", "fifo,lru,opt", "--frames", "3,4", "--csv",
	    "--pt", "hashed", "--reps", "1", NULL);
	PB_CHECK_MSG(o->code == 0, "sim exit %d: %s", o->code, o->err);
	/* a trace that cannot be opened: the whole long path and the reason
	 * (the workload's and sim's 512-byte error buffers cut both) */
	{
		static char lp[4400], lwl[4500];
		struct spawn_out *lo = malloc(sizeof(*lo));
		char top[4200];
		snprintf(top, sizeof(top), "%s/long", dir);
		mkdir(top, 0700);
		PB_CHECK(pbt_blocked_path(lp, sizeof(lp), top, long_len(top)) != NULL);
		snprintf(lwl, sizeof(lwl), "trace:path=%s,format=oracle", lp);
		sim(lo, "sim", "--workload", lwl, "--policy", "lru", "--frames", "3", "--reps", "1",
		    NULL);
		PB_CHECK_MSG(lo->code != 0, "sim exit %d", lo->code);
		PB_CHECK_MSG(strstr(lo->err, lp) && strstr(lo->err, strerror(ENOTDIR)), "%s",
			     lo->err);
		free(lo);
	}
	static const char *const need[] = {
	    "workload",	    "policy",	    "frames",	  "refs",	"faults",
	    "hits",	    "evictions",    "writebacks", "zero_fills", "swap_ins",
	    "file_reads",   "tlb_misses",   "shootdowns", "eat_ns",	"accesses_per_s",
	    "prepage",	    "pt",	    "threads",	  "rep",	"seconds",
	    "major_faults", "minor_faults", "cow_copies", "prepaged",	"prepage_unused"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(need); i++)
		PB_CHECK_MSG(has_col(o->out, need[i]), "column %s missing", need[i]);
	PB_CHECK_EQ_U64(count_lines(o->out), 1 + 6);
	static const struct {
		const char *pol, *frames, *faults;
	} want[] = {{"fifo", "3", "9"}, {"fifo", "4", "10"}, {"lru", "3", "10"},
		    {"lru", "4", "8"},	{"opt", "3", "7"},   {"opt", "4", "6"}};
	for (size_t i = 0; i < PB_ARRAY_SIZE(want); i++) {
		char v[64];
		cell_at(o->out, want[i].pol, want[i].frames, "faults", v, sizeof(v));
		PB_CHECK_MSG(!strcmp(v, want[i].faults), "%s %s frames: faults '%s', want %s",
			     want[i].pol, want[i].frames, v, want[i].faults);
	}
	/* the run folder exists and holds sim.csv */
	char cmd[4400];
	snprintf(cmd, sizeof(cmd), "ls '%s'/results/*/sim.csv >/dev/null 2>&1", dir);
	PB_CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "ls '%s'/results/*/meta.json >/dev/null 2>&1", dir);
	PB_CHECK(system(cmd) == 0);

	/* mrc over a range */
	sim(o, "mrc", "--workload", wl, "--policy", "fifo,lru", "--frames", "1:5:1", "--csv", NULL);
	PB_CHECK_MSG(o->code == 0, "mrc exit %d: %s", o->code, o->err);
	PB_CHECK_EQ_U64(count_lines(o->out), 1 + 10);
	char v[64];
	cell_at(o->out, "fifo", "4", "misses", v, sizeof(v));
	PB_CHECK_MSG(!strcmp(v, "10"), "mrc fifo 4 misses '%s'", v);

	/* bad values: exit 2, one line */
	expect_usage("frames 0", "sim", "--workload", wl, "--policy", "lru", "--frames", "0");
	expect_usage("frames junk", "sim", "--workload", wl, "--policy", "lru", "--frames", "3x");
	expect_usage("policy", "sim", "--workload", wl, "--policy", "nosuch", "--frames", "3");
	expect_usage("no workload", "sim", "--policy", "lru", "--frames", "3");
	expect_usage("bad workload", "sim", "--workload", "nosuchgen:x=1", "--policy", "lru",
		     "--frames", "3");
	expect_usage("prepage", "sim", "--workload", wl, "--policy", "lru", "--frames", "3",
		     "--prepage");
	expect_usage("unknown opt", "sim", "--workload", wl, "--policy", "lru", "--frames", "3",
		     "--bogus");
	expect_usage("mrc range", "mrc", "--workload", wl, "--policy", "lru", "--frames", "5:1:1");
	/* --label's rule is run's for every command (a comma split the CSV
	 * cell's meaning: sim and mrc wrote 'a,b') */
	expect_usage("sim label", "sim", "--workload", wl, "--policy", "lru", "--frames", "3",
		     "--label", "a,b");
	expect_usage("mrc label", "mrc", "--workload", wl, "--policy", "lru", "--frames", "3:5:1",
		     "--label", "a\"b");
	expect_usage("suite label", "suite", "quick", "--dry-run", "--label", "");
	/* every policy takes 1 .. 2^30-1 frames: refused before any work,
	 * by sim and by mrc alike (mrc used to write the rows below it and
	 * drop the others), and a range too long for a list says so */
	expect_usage("frames 2^30", "sim", "--workload", wl, "--policy", "lru", "--frames",
		     "1073741824");
	expect_usage("mrc hi 2^30", "mrc", "--workload", wl, "--policy", "fifo,arc", "--frames",
		     "1000:1100000000:1099999000");
	expect_usage("frames range 5000", "sim", "--workload", wl, "--policy", "lru", "--frames",
		     "1-5000");
	struct spawn_out *o2 = malloc(sizeof(*o2));
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "1-5000", NULL);
	PB_CHECK_MSG(strstr(o2->err, "4097"), "range limit not named: %s", o2->err);
	/* a sample that keeps no reference: an error, not NaN rows */
	char nodir[4300];
	snprintf(nodir, sizeof(nodir), "%s/nosample", dir);
	sim(o2, "mrc", "--workload", "zipf:pages=20000,refs=20000", "--policy", "lru,arc",
	    "--frames", "100:1000:300", "--sample", "0.0000001", "--results", nodir, NULL);
	PB_CHECK_MSG(o2->code == 2 && count_lines(o2->err) == 1 && strstr(o2->err, "kept none"),
		     "empty sample: exit %d: %s", o2->code, o2->err);
	PB_CHECK_MSG(access(nodir, F_OK) != 0, "empty sample left a run folder");
	/* a sample of a few dozen references: a warning (two such samples can
	 * agree, err_est near 0, and both be off); 20000 of them: none */
	for (int big = 0; big < 2; big++) {
		sim(o2, "mrc", "--workload", "zipf:pages=20000,refs=40000", "--policy", "lru,arc",
		    "--frames", "1000:5000:2000", "--sample", big ? "0.5" : "0.001", "--sample-min",
		    "1", "--results", nodir, NULL);
		PB_CHECK_MSG(o2->code == 0 && (strstr(o2->err, "not reliable") == NULL) == big,
			     "sample %s: exit %d: %s", big ? "0.5" : "0.001", o2->code, o2->err);
	}
	failed_job(dir, o2);
	many_sizes(dir, o2);
	long_trace(dir, o2);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--tlb", "l1=6:4",
	    NULL);
	PB_CHECK_MSG(o2->code == 2, "tlb: exit %d", o2->code);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--device", "floppy",
	    NULL);
	PB_CHECK_MSG(o2->code == 2, "device: exit %d", o2->code);
	sim(o2, "sim", "--workload", wl, "--policy", "opt", "--frames", "3", "--prepage",
	    "readahead", NULL);
	PB_CHECK_MSG(o2->code == 2, "opt+readahead: exit %d", o2->code);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--threads", "0",
	    NULL);
	PB_CHECK_MSG(o2->code == 2, "threads 0: exit %d", o2->code);
	free(o2);
	/* mrc rejects what it cannot honour: exit 2, one line naming the option */
	static const char *const mrc_bad[][2] = {{"--prepage", "readahead"},
						 {"--tlb", "zen3"},
						 {"--device", "hdd"},
						 {"--backing", "sim"},
						 {"--threads", "2"},
						 {"--hints", "abit"},
						 {"--reps", "3"},
						 {"--order", "free"},
						 {"--pt", "hashed"}};
	o2 = malloc(sizeof(*o2));
	for (size_t i = 0; i < PB_ARRAY_SIZE(mrc_bad); i++) {
		sim(o2, "mrc", "--workload", wl, "--policy", "lru", "--frames", "1:3:1",
		    mrc_bad[i][0], mrc_bad[i][1], NULL);
		PB_CHECK_MSG(o2->code == 2 && count_lines(o2->err) == 1 &&
				 strstr(o2->err, mrc_bad[i][0]),
			     "mrc %s: exit %d, stderr '%s'", mrc_bad[i][0], o2->code, o2->err);
	}

	/* issue 11 #7: a page size the engine does not simulate is a usage
	 * error (it was a heap use-after-free, seen under ASan) */
	static const char *const cmds[] = {"sim", "mrc"};
	for (size_t i = 0; i < 2; i++) {
		sim(o2, cmds[i], "--workload", "zipf:pages=64,refs=1000,page=8192", "--policy",
		    "lru", "--frames", i ? "1:2:1" : "4", NULL);
		PB_CHECK_MSG(o2->code == 2 && count_lines(o2->err) == 1 && strstr(o2->err, "4 KiB"),
			     "%s page=8192: exit %d, stderr '%s'", cmds[i], o2->code, o2->err);
	}

	/* the hints column says what each policy got: --hints abit reaches
	 * CLOCK (PB_POL_HW), LRU (an oracle) still gets every access */
	sim(o2, "sim", "--workload", "zipf:pages=400,refs=4000", "--policy", "lru,clock",
	    "--frames", "50", "--reps", "1", "--hints", "abit", "--csv", NULL);
	PB_CHECK_MSG(o2->code == 0, "abit: exit %d: %s", o2->code, o2->err);
	{
		static const char *const hw[][2] = {{"lru", "exact"}, {"clock", "abit"}};
		for (size_t i = 0; i < 2; i++) {
			char hv[32];
			cell_at(o2->out, hw[i][0], "50", "hints", hv, sizeof(hv));
			PB_CHECK_MSG(!strcmp(hv, hw[i][1]), "%s under --hints abit: hints '%s'",
				     hw[i][0], hv);
		}
	}

	/* sim --reps varies the workload seed (the seed column) unless --fixed-seed */
	const char *gen = "zipf:pages=400,refs=4000,write=0.2";
	for (int fixed = 0; fixed < 2; fixed++) {
		if (fixed)
			sim(o2, "sim", "--workload", gen, "--policy", "lru", "--frames", "50",
			    "--reps", "3", "--seed", "5", "--fixed-seed", "--csv", NULL);
		else
			sim(o2, "sim", "--workload", gen, "--policy", "lru", "--frames", "50",
			    "--reps", "3", "--seed", "5", "--csv", NULL);
		PB_CHECK_MSG(o2->code == 0, "sim reps: exit %d: %s", o2->code, o2->err);
		PB_CHECK_EQ_U64(count_lines(o2->out), 1 + 3);
		struct pb_csv t;
		char f0[64] = "";
		int differ = 0;
		if (parse_out(o2->out, &t))
			continue;
		PB_CHECK(pb_csv_col(&t, "seed") >= 0 && pb_csv_col(&t, "rep") >= 0 &&
			 pb_csv_col(&t, "faults") >= 0);
		for (size_t k = 0; k < 3 && k < t.nrows; k++) {
			const char *fv = pb_csv_get(&t, k, "faults");
			PB_CHECK_EQ_U64(strtoull(pb_csv_get(&t, k, "rep"), NULL, 10), (unsigned)k);
			PB_CHECK_EQ_U64(strtoull(pb_csv_get(&t, k, "seed"), NULL, 10),
					fixed ? 5u : 5u + (unsigned)k);
			if (!k)
				snprintf(f0, sizeof(f0), "%s", fv);
			else if (strcmp(f0, fv))
				differ = 1;
		}
		pb_csv_free(&t);
		PB_CHECK_MSG(differ == !fixed, "fixed %d: fault counts %s across repetitions",
			     fixed, differ ? "differ" : "equal");
	}

	/* issue 11 #9: --backing file:PATH never clobbers an existing file */
	char bk[4300], spec[4310];
	snprintf(bk, sizeof(bk), "%s/backing", dir);
	snprintf(spec, sizeof(spec), "file:%s", bk);
	sim(o2, "sim", "--workload", trace, "--policy", "lru", "--frames", "3", "--backing", trace,
	    NULL);
	PB_CHECK_MSG(o2->code == 2, "backing without file: exit %d", o2->code);
	char tspec[4300];
	snprintf(tspec, sizeof(tspec), "file:%s", trace);
	struct stat st0, st1;
	PB_CHECK(stat(trace, &st0) == 0);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--backing", tspec,
	    NULL);
	PB_CHECK_MSG(o2->code == 2 && count_lines(o2->err) == 1 && strstr(o2->err, "--force"),
		     "backing = the trace: exit %d, stderr '%s'", o2->code, o2->err);
	PB_CHECK(stat(trace, &st1) == 0 && st1.st_size == st0.st_size && st0.st_size > 0);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--backing", spec,
	    NULL);
	PB_CHECK_MSG(o2->code == 0, "backing new file: exit %d: %s", o2->code, o2->err);
	PB_CHECK_MSG(access(bk, F_OK) != 0, "the backing file we created is left behind");
	FILE *bf = fopen(bk, "w");
	PB_CHECK(bf && fclose(bf) == 0);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--backing", spec,
	    "--force", NULL);
	PB_CHECK_MSG(o2->code == 0, "backing --force: exit %d: %s", o2->code, o2->err);
	PB_CHECK(access(bk, F_OK) == 0); /* not ours: kept */
	unlink(bk);
	/* a PATH of 900 characters (more under a long $TMPDIR) below a
	 * regular file: refused before the run, on one line, whole with the
	 * reason (each job's line was cut at 384 bytes, path end and reason
	 * lost, and the run failed) */
	char lpath[4400], lspec[4410], lwant[4500];
	PB_CHECK(pbt_blocked_path(lpath, sizeof(lpath), dir, long_len(dir)) != NULL);
	snprintf(lspec, sizeof(lspec), "file:%s", lpath);
	snprintf(lwant, sizeof(lwant), "bad --backing: backing file '%s': Not a directory", lpath);
	sim(o2, "sim", "--workload", wl, "--policy", "lru", "--frames", "3", "--backing", lspec,
	    NULL);
	PB_CHECK_MSG(o2->code == 2 && count_lines(o2->err) == 1 && strstr(o2->err, lwant),
		     "backing of %zu characters: exit %d, stderr '%s'", strlen(lpath), o2->code,
		     o2->err);
	free(o2);
	free(o);
	if (pbt_rmtree(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return pb_test_done();
}
