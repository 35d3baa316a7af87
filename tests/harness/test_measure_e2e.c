/* SPDX-License-Identifier: MIT */
/*
 * The measurement skeleton end to end, through the pagebench binary:
 *  - --reps 70 gives 70 measured total rows, each with a real wall time
 *    (the old gate kept 65 release times: totals of rep >= 64 read
 *    seconds 0 / ops_per_s NA, from ~128 reps 1.6e13 ops/s);
 *  - 128 threads on this machine finish (bounded by the CTest timeout);
 *  - the default --reps gives a confidence interval;
 *  - bad PAGEBENCH_COUNTERS, HWLOC_SYNTHETIC, PAGEBENCH_MEM_LIMIT, PAGEBENCH_UFFD or
 *    PAGEBENCH_COUNTERS_MULTIPLEX, `suite` without a name: one line, exit 2, no
 *    folder;
 *  - SIGINT in the middle keeps the finished experiment, drops the one in
 *    progress, marks the folder partial and dies of SIGINT; SIGHUP under
 *    nohup is ignored; `--csv | head -1` leaves no temporary file;
 *  - a write error (file size limit, SIGXFSZ at its default) exits 1 with
 *    one line, no "results:", no temporary file, and a meta.json that lists
 *    no file or experiment that is not written;
 *  - a thread setup failure gives the kernel's reason, not "thread_init
 *    failed", and leaves no folder;
 *  - every meta.json written parses (jansson): 1 and 2 threads, a suite,
 *    a failed run, an interrupted run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096]; /* pbt_tmpdir: under $TMPDIR */

/* ---- folders ---- */
static int nfolders(void)
{
	DIR *d = opendir(root);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The newest run folder (names sort by time, then random id). */
static int newest(char *out, size_t len)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char best[256] = "";
	struct stat st, bst = {0};
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4400];
		snprintf(p, sizeof(p), "%s/%s", root, e->d_name);
		if (stat(p, &st) == 0 && (!best[0] || st.st_mtim.tv_sec > bst.st_mtim.tv_sec ||
					  (st.st_mtim.tv_sec == bst.st_mtim.tv_sec &&
					   st.st_mtim.tv_nsec > bst.st_mtim.tv_nsec))) {
			snprintf(best, sizeof(best), "%s", e->d_name);
			bst = st;
		}
	}
	if (d)
		closedir(d);
	snprintf(out, len, "%s/%s", root, best);
	return best[0] ? 0 : -1;
}

static int hidden_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static const char *status(json_t *m)
{
	const char *s = json_string_value(json_object_get(m, "status"));
	return s ? s : "";
}

static int one_line(const char *s)
{
	return count_lines(s) == 1;
}

static struct spawn_out o;

static void run_ok(char **argv, const char *label)
{
	spawn_run(argv, NULL, &o);
	PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", label, o.code, o.err);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_measure_e2e PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "measure") != NULL);
	char dir[4400];

	/* --reps 70: 70 measured totals, each a real wall time. */
	char *a70[] = {(char *)bin, "run",   "chase",	  "--threads", "2",   "--reps",
		       "70",	    "--ops", "2000",	  "--size",    "64K", "--no-baseline",
		       "--label",   "box-a", "--results", root,	       NULL};
	run_ok(a70, "--reps 70");
	PB_CHECK(newest(dir, sizeof(dir)) == 0);
	char p[4500];
	snprintf(p, sizeof(p), "%s/runs.csv", dir);
	struct pb_csv c;
	PB_CHECK(pb_csv_read_file(p, &c, NULL, 0) == 0);
	unsigned totals = 0, good = 0;
	for (size_t r = 0; r < c.nrows; r++) {
		if (strcmp(pb_csv_get(&c, r, "thread"), "total") ||
		    strcmp(pb_csv_get(&c, r, "warmup"), "0"))
			continue;
		totals++;
		double secs = atof(pb_csv_get(&c, r, "seconds"));
		double ops = atof(pb_csv_get(&c, r, "ops"));
		const char *rate = pb_csv_get(&c, r, "ops_per_s");
		/* The wall time covers both threads' timed runs. */
		unsigned rep = (unsigned)atoi(pb_csv_get(&c, r, "rep"));
		double tmax = 0;
		for (size_t q = 0; q < c.nrows; q++)
			if ((unsigned)atoi(pb_csv_get(&c, q, "rep")) == rep &&
			    strcmp(pb_csv_get(&c, q, "thread"), "total"))
				tmax = fmax(tmax, atof(pb_csv_get(&c, q, "seconds")));
		good += secs > 0 && strcmp(rate, "NA") && secs >= tmax * 0.999 &&
			fabs(atof(rate) - ops / secs) <= 1e-3 * atof(rate);
		PB_CHECK(!strcmp(pb_csv_get(&c, r, "label"), "box-a") &&
			 strcmp(pb_csv_get(&c, r, "host"), "") &&
			 strlen(pb_csv_get(&c, r, "run_id")) == 6);
	}
	PB_CHECK_EQ_U64(totals, 70);
	PB_CHECK_EQ_U64(good, 70);
	pb_csv_free(&c);
	json_t *m = pbt_meta(dir);
	PB_CHECK(m && !strcmp(status(m), "complete"));
	PB_CHECK(m && !strcmp(json_string_value(json_object_get(m, "label")), "box-a"));
	/* the banner names meta.json's CPU-to-CPU round trip at the start,
	 * rounded to the ns; nothing where it was not measured */
	json_t *rt = json_object_get(json_object_get(json_object_get(m, "cpu_round_trip"), "start"),
				     "median_ns");
	static const char said[] = "; a cache line's round trip between CPUs: ";
	if (json_is_number(rt)) {
		const char *b = strstr(o.err, said);
		double v = b ? atof(b + sizeof(said) - 1) : -1;
		PB_CHECK_MSG(b && fabs(v - json_number_value(rt)) <= 1,
			     "banner %g, meta.json %g: %s", v, json_number_value(rt), o.err);
	} else {
		PB_CHECK_MSG(m && !strstr(o.err, "round trip"), "%s", o.err);
	}
	json_decref(m);

	/* 128 threads on a small machine finish; default reps give a CI. */
	char *a128[] = {(char *)bin, "run", "chase",	     "--threads", "1,128", "--ops", "500",
			"--size",    "64K", "--no-baseline", "--results", root,	   NULL};
	run_ok(a128, "--threads 128");
	PB_CHECK(newest(dir, sizeof(dir)) == 0);
	snprintf(p, sizeof(p), "%s/summary.csv", dir);
	PB_CHECK(pb_csv_read_file(p, &c, NULL, 0) == 0);
	unsigned ci = 0;
	for (size_t r = 0; r < c.nrows; r++) {
		if (!strcmp(pb_csv_get(&c, r, "thread"), "total")) {
			ci += !strcmp(pb_csv_get(&c, r, "ci95_valid"), "1");
			PB_CHECK(atoi(pb_csv_get(&c, r, "reps")) >= 6);
			/* counter medians and rates are numbers or NA */
			PB_CHECK(pb_csv_col(&c, "median_ru_minflt") >= 0 &&
				 pb_csv_col(&c, "ipc") >= 0 &&
				 pb_csv_col(&c, "l1_dcm_per_kop") >= 0);
			PB_CHECK(strcmp(pb_csv_get(&c, r, "median_ru_minflt"), "NA"));
		}
	}
	PB_CHECK_EQ_U64(ci, 2);
	pb_csv_free(&c);
	m = pbt_meta(dir);
	PB_CHECK(m &&
		 json_array_size(json_object_get(json_object_get(m, "config"), "threads")) == 2);
	json_decref(m);

	/* Usage errors: one line, exit 2, no folder. */
	int before = nfolders();
	char *bogus_env[] = {"PAGEBENCH_COUNTERS=bogus", NULL};
	char *a1[] = {(char *)bin, "run", "chase", "--results", root, NULL};
	spawn_run(a1, bogus_env, &o);
	PB_CHECK_MSG(o.code == 2 && one_line(o.err) && strstr(o.err, "PAGEBENCH_COUNTERS"),
		     "PAGEBENCH_COUNTERS=bogus: exit %d: %s", o.code, o.err);
	char *lc[] = {(char *)bin, "list", "counters", NULL};
	spawn_run(lc, bogus_env, &o);
	PB_CHECK(o.code == 2 && one_line(o.err));
	char *syn_env[] = {"HWLOC_SYNTHETIC=pack:2 bogus:3", NULL};
	spawn_run(a1, syn_env, &o);
	PB_CHECK_MSG(o.code == 2 && one_line(o.err) && strstr(o.err, "HWLOC_SYNTHETIC"),
		     "HWLOC_SYNTHETIC typo: exit %d: %s", o.code, o.err);
	/* the memory budget that sizes a sweep's waves (a typo or 0) and the
	 * knobs that take one of a few words (a typo): refused */
	const char *bad_env[] = {
	    "PAGEBENCH_MEM_LIMIT=12Q",		"PAGEBENCH_MEM_LIMIT=0", "PAGEBENCH_MEM_LIMIT=-5M",
	    "PAGEBENCH_MEM_LIMIT=99999999999T", "PAGEBENCH_UFFD=nomvoe", "PAGEBENCH_UFFD=eperm|off",
	    "PAGEBENCH_COUNTERS_MULTIPLEX=yes"};
	for (size_t i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
		char *env1[] = {(char *)bad_env[i], NULL};
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(bad_env[i], "="), bad_env[i]);
		spawn_run(a1, env1, &o);
		PB_CHECK_MSG(o.code == 2 && one_line(o.err) && strstr(o.err, name),
			     "%s: exit %d: %s", bad_env[i], o.code, o.err);
	}
	char *ok_env[] = {"PAGEBENCH_UFFD=nomove", "PAGEBENCH_COUNTERS_MULTIPLEX=0", NULL};
	spawn_run(lc, ok_env, &o); /* a command that writes no folder */
	PB_CHECK_MSG(o.code == 0, "known words: exit %d: %s", o.code, o.err);
	char *good_syn[] = {"HWLOC_SYNTHETIC=pack:2 core:2 pu:1", NULL};
	char *topo[] = {(char *)bin, "topo", NULL};
	spawn_run(topo, good_syn, &o);
	PB_CHECK_MSG(o.code == 0 && strstr(o.out, "2 package(s)"), "synthetic topo: %d %s", o.code,
		     o.out);
	/* the real machine's CPU-to-CPU round trip, measured or NA with why */
	PB_CHECK_MSG(strstr(o.out, "round trip between this machine's CPUs (measured): median ") ||
			 strstr(o.out, "round trip between this machine's CPUs: NA ("),
		     "topo: %s", o.out);
	/* Bounded work: a typo in --ops or --size is an error, not a week. */
	char *aops[] = {(char *)bin,   "run",	    "memtouch", "--ops",
			"99999999999", "--results", root,	NULL};
	spawn_run(aops, NULL, &o);
	PB_CHECK(o.code == 2 && one_line(o.err) && strstr(o.err, "--ops"));
	char *asz[] = {(char *)bin,	 "run",	      "memtouch", "--size",
		       "99999999999999", "--results", root,	  NULL};
	spawn_run(asz, NULL, &o);
	PB_CHECK(o.code == 2 && one_line(o.err) && strstr(o.err, "--size"));
	char *suite0[] = {(char *)bin, "suite", "--results", root, NULL};
	spawn_run(suite0, NULL, &o);
	PB_CHECK(o.code == 2 && one_line(o.err) && strstr(o.err, "usage"));
	PB_CHECK_EQ_U64(nfolders(), before);

	/* `list counters` says when this is a VM without a PMU, and each
	 * counter's domain. */
	spawn_run(lc, NULL, &o);
	PB_CHECK(o.code == 0 && strstr(o.out, "domain"));
	FILE *ci_f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int hyper = 0;
	while (ci_f && fgets(line, sizeof(line), ci_f))
		hyper |= !strncmp(line, "flags", 5) && strstr(line, " hypervisor");
	if (ci_f)
		fclose(ci_f);
	struct stat pst;
	if (hyper && stat("/sys/bus/event_source/devices/cpu", &pst) != 0)
		PB_CHECK(strstr(o.out, "VM without a virtual PMU") != NULL);

	/* A thread setup failure: the kernel's reason, no folder. */
	before = nfolders();
	char *tmp_env[] = {"TMPDIR=/nonexistent-pagebench-dir", NULL};
	char *af[] = {(char *)bin, "run",    "fault-file", "--threads", "1",  "--reps",
		      "1",	   "--size", "64K",	   "--results", root, NULL};
	spawn_run(af, tmp_env, &o);
	PB_CHECK_MSG(o.code == 1 && strstr(o.err, "No such file or directory") &&
			 !strstr(o.err, "thread_init failed") && !strstr(o.err, "\nresults"),
		     "setup failure: exit %d: %s", o.code, o.err);
	PB_CHECK_EQ_U64(nfolders(), before);

	/* A missing input (setup failure): one line, exit 1, no folder of
	 * empty CSVs. */
	char *atr[] = {(char *)bin, "run", "trace-read", "--param", "path=/nonexistent-pb.trc",
		       "--threads", "1",   "--reps",	 "1",	    "--results",
		       root,	    NULL};
	spawn_run(atr, NULL, &o);
	PB_CHECK_MSG(o.code == 1 && one_line(o.err) && strstr(o.err, "nonexistent-pb.trc"),
		     "missing path=: exit %d: %s", o.code, o.err);
	PB_CHECK_EQ_U64(nfolders(), before);

	/* A write error mid-run: exit 1, one line, never "results:".  The
	 * file size limit as a user's `ulimit -f` sets it, SIGXFSZ at its
	 * default (it killed the run, temporaries left and no meta.json, until
	 * pagebench ignored it); the limit holds the 1-thread experiment's rows
	 * and meta.json, not the 2-thread one's. */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGXFSZ, SIG_DFL);
		struct rlimit rl = {40 << 10, 40 << 10};
		setrlimit(RLIMIT_FSIZE, &rl);
		char *aw[] = {(char *)bin, "run",   "chase", "--threads", "1,2", "--reps",
			      "60",	   "--ops", "200",   "--size",	  "64K", "--no-baseline",
			      "--results", root,    NULL};
		spawn_run(aw, NULL, &o);
		int ok = o.code == 1 &&
			 one_line(o.err + (strstr(o.err, "pagebench run:") - o.err)) &&
			 strstr(o.err, "File too large") && !strstr(o.err, "\nresults") &&
			 strncmp(o.err, "results", 7);
		if (!ok)
			fprintf(stderr, "write error: exit %d: %s\n", o.code, o.err);
		_exit(ok ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	PB_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (newest(dir, sizeof(dir)) == 0) {
		snprintf(p, sizeof(p), "%s/meta.json", dir);
		if (stat(p, &pst) == 0) {
			m = pbt_meta(dir);
			PB_CHECK(m && !strcmp(status(m), "failed"));
			/* it lists no file that is not there, and no experiment
			 * whose rows are not all written (it listed all three
			 * CSVs and the 1-thread experiment, with none written) */
			size_t i;
			json_t *v;
			json_array_foreach(json_object_get(m, "files"), i, v)
			{
				snprintf(p, sizeof(p), "%s/%s", dir, json_string_value(v));
				PB_CHECK_MSG(stat(p, &pst) == 0, "meta.json lists %s", p);
			}
			snprintf(p, sizeof(p), "%s/runs.csv", dir);
			PB_CHECK_MSG(json_array_size(json_object_get(m, "experiments")) == 0 ||
					 stat(p, &pst) == 0,
				     "meta.json lists experiments without their rows");
			json_decref(m);
		}
		snprintf(p, sizeof(p), "%s/runs.csv", dir);
		PB_CHECK(stat(p, &pst) != 0);	       /* never a short file under the final name */
		PB_CHECK_EQ_U64(hidden_files(dir), 0); /* nor a temporary file */
	}

	/* SIGHUP under nohup (ignored at start) stays ignored. */
	char *ah[] = {(char *)bin, "run",	    "chase",	 "--threads", "1",
		      "--reps",	   "3000",	    "--ops",	 "20000",     "--size",
		      "64K",	   "--no-baseline", "--results", root,	      NULL};
	void (*hup)(int) = signal(SIGHUP, SIG_IGN); /* nohup: the run inherits it */
	pid = pbt_start(ah, -1);
	signal(SIGHUP, hup);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	kill(pid, SIGHUP);
	waitpid(pid, &st, 0);
	PB_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nohup run: status %d", st);
	PB_CHECK(newest(dir, sizeof(dir)) == 0);
	m = pbt_meta(dir);
	PB_CHECK(m && !strcmp(status(m), "complete"));
	json_decref(m);

	/* SIGINT in the middle: the 1-thread experiment is kept, the 2-thread
	 * one (in progress) dropped; partial; dies of SIGINT. */
	char *ai[] = {(char *)bin, "run",	    "chase",	 "--threads", "1,2",
		      "--reps",	   "200",	    "--ops",	 "20000",     "--size",
		      "64K",	   "--no-baseline", "--results", root,	      NULL};
	pid = pbt_start(ai, -1);
	/* Wait for the first experiment's rows in the temporary runs.csv. */
	for (int i = 0; i < 12000; i++) {
		struct timespec t5 = {0, 5 * 1000 * 1000};
		nanosleep(&t5, NULL);
		if (newest(dir, sizeof(dir)))
			continue;
		DIR *d = opendir(dir);
		struct dirent *e;
		off_t size = 0;
		while (d && (e = readdir(d))) {
			if (!strncmp(e->d_name, ".runs.csv.", 10)) {
				char q[4700];
				snprintf(q, sizeof(q), "%s/%s", dir, e->d_name);
				if (stat(q, &pst) == 0)
					size = pst.st_size;
			}
		}
		if (d)
			closedir(d);
		if (size > 4096)
			break;
	}
	kill(pid, SIGINT);
	waitpid(pid, &st, 0);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "SIGINT run: status %d", st);
	PB_CHECK_EQ_U64(hidden_files(dir), 0);
	m = pbt_meta(dir);
	PB_CHECK(m && !strcmp(status(m), "partial"));
	PB_CHECK(m && !strcmp(json_string_value(json_object_get(m, "interrupted_by")), "SIGINT"));
	json_t *ex = json_object_get(m, "experiments");
	PB_CHECK(json_array_size(ex) == 1 &&
		 !strcmp(json_string_value(json_array_get(ex, 0)), "chase threads=1"));
	json_decref(m);
	snprintf(p, sizeof(p), "%s/runs.csv", dir);
	PB_CHECK(pb_csv_read_file(p, &c, NULL, 0) == 0);
	unsigned two = 0;
	for (size_t r = 0; r < c.nrows; r++)
		two += !strcmp(pb_csv_get(&c, r, "threads"), "2");
	PB_CHECK_EQ_U64(two, 0);
	PB_CHECK(c.nrows > 0);
	pb_csv_free(&c);

	/* --csv | head -1: no temporary file left. */
	int pfd[2];
	PB_CHECK(pipe(pfd) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2);
		char *ap[] = {(char *)bin, "run",	"chase", "--threads",
			      "1",	   "--reps",	"400",	 "--ops",
			      "2000",	   "--size",	"64K",	 "--no-baseline",
			      "--csv",	   "--results", root,	 NULL};
		execv(bin, ap);
		_exit(127);
	}
	close(pfd[1]);
	char ch;
	while (read(pfd[0], &ch, 1) == 1 && ch != '\n')
		;
	close(pfd[0]); /* head -1 exits */
	waitpid(pid, &st, 0);
	PB_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "--csv | head: status %d", st);
	PB_CHECK(newest(dir, sizeof(dir)) == 0);
	PB_CHECK_EQ_U64(hidden_files(dir), 0);
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	if (stat(p, &pst) == 0) {
		m = pbt_meta(dir);
		PB_CHECK(m && !strcmp(status(m), "partial"));
		json_decref(m);
	}

	/* A suite (a user file of run lines, each a task in its own process):
	 * the suite's meta.json and every task's parse and are complete. */
	char sf[4200];
	snprintf(sf, sizeof(sf), "%s/my.suite", root);
	pbt_write_text(sf, "run chase --threads 1,2 --reps 1 --ops 500 --size 64K\n"
			   "run memtouch --threads 1 --reps 1 --size 1M\n");
	char *as[] = {(char *)bin, "suite", sf, "--results", root, NULL};
	run_ok(as, "suite FILE");
	PB_CHECK(newest(dir, sizeof(dir)) == 0);
	m = pbt_meta(dir);
	PB_CHECK(m && !strcmp(status(m), "complete"));
	json_decref(m);
	unlink(sf);
	glob_t g;
	snprintf(p, sizeof(p), "%s/tasks/*/*/meta.json", dir);
	PB_CHECK(glob(p, 0, NULL, &g) == 0 && g.gl_pathc == 2);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		json_error_t je;
		json_t *tm = json_load_file(g.gl_pathv[i], 0, &je);
		PB_CHECK_MSG(tm && !strcmp(status(tm), "complete"), "%s: %s", g.gl_pathv[i],
			     je.text);
		json_decref(tm);
	}
	globfree(&g);

	/* Every run folder left has a parseable meta.json. */
	DIR *d = opendir(root);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		m = pbt_meta(dir);
		PB_CHECK(m && json_integer_value(json_object_get(m, "schema_version")) == 2);
		json_decref(m);
	}
	if (d)
		closedir(d);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
