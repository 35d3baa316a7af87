/* SPDX-License-Identifier: MIT */
/*
 * Results: run folders are new every time, CSVs carry schema_version, host,
 * label, run_id and the declared columns, files appear only complete
 * (temporary name then rename), meta.json parses (jansson) with its status
 * and escaped non-UTF-8 bytes, a write error marks the folder failed (with
 * no file or experiment listed that was not written; SIGXFSZ ignored), a run
 * that wrote nothing leaves no folder, and an interrupted run leaves no
 * half file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/results.h"
#include "pbtest.h"

static int exists(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static int count_suffix(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name), s = strlen(suffix);
		n += l >= s && !strcmp(e->d_name + l - s, suffix);
	}
	if (d)
		closedir(d);
	return n;
}

static int count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

static json_t *load_meta(const char *dir)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	json_error_t e;
	json_t *m = json_load_file(p, 0, &e);
	if (!m)
		fprintf(stderr, "meta.json: %s:%d: %s\n", p, e.line, e.text);
	return m;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void write_rows(struct pb_csv *w, int n)
{
	for (int i = 0; i < n; i++) {
		pb_csv_begin(w);
		pb_csv_str(w, "k");
		pb_csv_u64(w, (uint64_t)i);
		pb_csv_dbl(w, 1);
		pb_csv_str(w, "n");
		pb_csv_end(w);
	}
}

static char *slurp(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Machine and series names made unique (compare --machines, plot). */
static void test_name_unique(void)
{
	char *taken[4], out[32];
	char a[] = "vm", b[] = "vm (2)";
	taken[0] = a;
	pb_name_unique(out, sizeof(out), "vm", taken, 0);
	PB_CHECK(!strcmp(out, "vm"));
	pb_name_unique(out, sizeof(out), "vm", taken, 1);
	PB_CHECK(!strcmp(out, "vm (2)"));
	taken[1] = b;
	pb_name_unique(out, sizeof(out), "vm", taken, 2);
	PB_CHECK(!strcmp(out, "vm (3)"));
	/* a base longer than the buffer: the suffix still fits and differs */
	const char *longname = "a-machine-label-longer-than-the-buffer-itself";
	char first[32];
	pb_name_unique(first, sizeof(first), longname, taken, 0);
	taken[2] = first;
	pb_name_unique(out, sizeof(out), longname, taken + 2, 1);
	PB_CHECK_MSG(strcmp(out, first) && strstr(out, " (2)"), "%s / %s", first, out);
}

/* One CSV field to a FILE (the comparison's CSVs): quoted only when it
 * must be, its quotes doubled, wherever they stand; NULL is empty. */
static void test_csv_fput(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	PB_CHECK(f != NULL);
	if (!f)
		return;
	pb_csv_fput(f, "plain", 0);
	pb_csv_fput(f, "\"a\",b\"", 0);
	pb_csv_fput(f, NULL, 0);
	pb_csv_fput(f, "line\nbreak", 0);
	pb_csv_fput(f, "cr\r", 0);
	/* not UTF-8: \xHH, as meta.json (Python's csv refused the file) */
	pb_csv_fput(f, "t\"q\xff\xc3\xa9", 1);
	PB_CHECK(fclose(f) == 0);
	const char *want = "plain,\"\"\"a\"\",b\"\"\",,\"line\nbreak\",\"cr\r\","
			   "\"t\"\"q\\xFF\xc3\xa9\"\n";
	PB_CHECK_MSG(buf && !strcmp(buf, want), "got [%s]", buf ? buf : "(null)");
	free(buf);
}

/* pb_run_mark_start: the start a run records is the mark's, not the
 * folder's creation (sim and mrc create it after a streamed replay). */
static void test_mark_start(const char *root)
{
	char err[256];
	char *argv[] = {"pagebench", "sim", NULL};
	pb_run_mark_start();
	/* the work: at least 1.1 s (asleep), so the wall clock's second changes */
	uint64_t t0 = pb_now_ns();
	while (pb_now_ns() - t0 < 1100000000ull)
		(void)nanosleep(&(struct timespec){0, 100000000}, NULL);
	struct pb_run *r = pb_run_create(root, 2, argv, err, sizeof(err));
	PB_CHECK_MSG(r != NULL, "%s", err);
	if (!r)
		return;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(r));
	PB_CHECK(pb_run_finish(r) == 0);
	json_t *m = load_meta(dir);
	const char *st = jstr(m, "started_utc"), *fin = jstr(m, "finished_utc");
	double wall = json_real_value(json_object_get(m, "wall_s"));
	PB_CHECK_MSG(wall >= 1.1, "wall_s %g: not from the mark", wall);
	PB_CHECK_MSG(st && fin && strcmp(st, fin) < 0, "started %s, finished %s", st ? st : "-",
		     fin ? fin : "-");
	/* the folder is named by the start: 2026-12-05T21:19:47Z -> 20261205T211947Z */
	char compact[32] = "";
	for (size_t i = 0, j = 0; st && st[i] && j + 1 < sizeof(compact); i++)
		if (st[i] != '-' && st[i] != ':')
			compact[j++] = st[i], compact[j] = 0;
	const char *base = strrchr(dir, '/');
	PB_CHECK_MSG(base && !strncmp(base + 1, compact, strlen(compact)) && compact[0],
		     "folder %s, started_utc %s", dir, st ? st : "-");
	json_t *rt = json_object_get(m, "cpu_round_trip");
	PB_CHECK(json_is_object(json_object_get(rt, "start")) &&
		 json_is_object(json_object_get(rt, "end")));
	/* a mark is used once: the next run takes its own start */
	struct pb_run *n = pb_run_create(root, 2, argv, err, sizeof(err));
	PB_CHECK(n != NULL);
	if (n) {
		snprintf(dir, sizeof(dir), "%s", pb_run_dir(n));
		PB_CHECK(pb_run_finish(n) == 0);
		json_t *m2 = load_meta(dir);
		const char *st2 = jstr(m2, "started_utc");
		PB_CHECK_MSG(json_is_real(json_object_get(m2, "wall_s")) && st2 && fin &&
				 strcmp(st2, fin) >= 0,
			     "an unmarked run started %s, before the marked one finished (%s)",
			     st2 ? st2 : "-", fin ? fin : "-");
		json_decref(m2);
	}
	json_decref(m);
}

int main(void)
{
	test_name_unique();
	test_csv_fput();
	char root[4096];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "results") != NULL);
	test_mark_start(root);
	char err[256];
	char *argv[] = {"pagebench", "run", "x,y", "bad\xff\xfe-utf8", NULL};
	static const char *const cols[] = {"kernel", "ops", "ns_per_op", "note", NULL};

	/* Two runs in the same second get different folders. */
	struct pb_run *a = pb_run_create(root, 4, argv, err, sizeof(err));
	struct pb_run *b = pb_run_create(root, 3, argv, err, sizeof(err));
	PB_CHECK(a && b && strcmp(pb_run_dir(a), pb_run_dir(b)));
	pb_run_set_label(a, "lab-1"); /* before the first row */
	char adir[4096];
	snprintf(adir, sizeof(adir), "%s", pb_run_dir(a));
	struct pb_csv *c = pb_run_csv(a, "runs.csv", cols, NULL);
	PB_CHECK(c != NULL);
	pb_csv_begin(c);
	pb_csv_str(c, "k1");
	pb_csv_u64(c, 42);
	pb_csv_dbl(c, 1.5);
	pb_csv_str(c, "has,comma \"q\"");
	pb_csv_end(c);
	pb_csv_begin(c);
	pb_csv_str(c, NULL);
	pb_csv_na(c);
	pb_csv_dbl(c, 0.0 / 0.0);
	pb_csv_str(c, "x");
	pb_csv_end(c);
	/* Before finish: only the temporary exists. */
	PB_CHECK(!exists(adir, "runs.csv") && count_prefix(adir, ".runs.csv.") == 1);
	pb_run_config_str(a, "workload", "zipf:alpha=0.9");
	pb_run_config_json(a, "threads", "[1,2]");
	pb_run_config_json(a, "broken", "1,2,"); /* invalid JSON is stored as a string */
	json_t *pol = json_pack("{s:{s:i}}", "s3fifo", "move_threshold", 2);
	pb_run_config_set(a, "policy_params", pol);
	/* the inputs as sim records its trace (vm_drive.c): an identity
	 * taken while the replay ran, and a pipe's, which has none */
	pb_run_add_input_id(a, "trace", "t.txt", 1, "fnv1a64:af63dc4c8601ec8c",
			    "FNV-1a 64 of the first MiB, the last MiB and the size");
	pb_run_add_input_id(a, "trace", "/dev/stdin", -1, NULL, "nothing: a pipe");
	pb_run_experiment_done(a, "k1 threads=1");
	pb_run_note_na(a, "papi_tot_cyc", "no PMU \"here\"");
	PB_CHECK(pb_run_finish(a) == 0);
	PB_CHECK(exists(adir, "runs.csv") && exists(adir, "meta.json"));
	PB_CHECK_EQ_U64(count_suffix(adir, ".tmp"), 0);
	PB_CHECK_EQ_U64(count_prefix(adir, "."), 2); /* only . and .. */
	char *csv = slurp(adir, "runs.csv");
	PB_CHECK(csv &&
		 !strncmp(csv, "schema_version,host,label,run_id,kernel,ops,ns_per_op,note\n", 58));
	const char *id = strrchr(adir, '-') + 1;
	char want[256];
	snprintf(want, sizeof(want), ",lab-1,%s,k1,42,1.5,\"has,comma \"\"q\"\"\"\n", id);
	PB_CHECK(csv && strstr(csv, want));
	snprintf(want, sizeof(want), ",lab-1,%s,NA,NA,NA,x\n", id);
	PB_CHECK(csv && strstr(csv, want));
	PB_CHECK(csv && !strncmp(strchr(csv, '\n') + 1, "2,", 2));
	json_t *m = load_meta(adir);
	PB_CHECK(m != NULL);
	if (m) {
		PB_CHECK_EQ_U64(json_integer_value(json_object_get(m, "schema_version")), 2);
		PB_CHECK(jstr(m, "status") && !strcmp(jstr(m, "status"), "complete"));
		/* the CPU-to-CPU round trip (harness/c2c.c) at start and end: a
		 * positive number between its pairs' extremes, or null with the
		 * reason (a one-CPU machine) */
		json_t *rt = json_object_get(m, "cpu_round_trip");
		PB_CHECK(json_is_object(rt) && json_is_integer(json_object_get(rt, "home_cpu")) &&
			 json_is_string(json_object_get(rt, "method")));
		for (int k = 0; k < 2; k++) {
			json_t *at = json_object_get(rt, k ? "end" : "start");
			json_t *med = json_object_get(at, "median_ns");
			if (json_is_number(med)) {
				double v = json_number_value(med);
				PB_CHECK(v > 0 && json_is_null(json_object_get(at, "na")));
				PB_CHECK(json_number_value(json_object_get(at, "min_ns")) <= v &&
					 v <= json_number_value(json_object_get(at, "max_ns")));
				PB_CHECK(json_array_size(json_object_get(at, "pairs")) >= 1);
			} else {
				PB_CHECK(json_is_null(med) && jstr(at, "na") && *jstr(at, "na"));
			}
		}
		PB_CHECK(jstr(m, "run_id") && !strcmp(jstr(m, "run_id"), id));
		PB_CHECK(jstr(m, "label") && !strcmp(jstr(m, "label"), "lab-1"));
		json_t *cl = json_object_get(m, "command_line");
		PB_CHECK(json_array_size(cl) == 4);
		PB_CHECK(!strcmp(json_string_value(json_array_get(cl, 2)), "x,y"));
		PB_CHECK(!strcmp(json_string_value(json_array_get(cl, 3)), "bad\\xFF\\xFE-utf8"));
		json_t *cfg = json_object_get(m, "config");
		PB_CHECK(!strcmp(jstr(cfg, "workload"), "zipf:alpha=0.9"));
		PB_CHECK(json_array_size(json_object_get(cfg, "threads")) == 2);
		PB_CHECK(jstr(cfg, "broken") && !strcmp(jstr(cfg, "broken"), "1,2,"));
		PB_CHECK_EQ_U64(
		    json_integer_value(json_object_get(
			json_object_get(json_object_get(cfg, "policy_params"), "s3fifo"),
			"move_threshold")),
		    2);
		json_t *ins = json_object_get(m, "inputs"), *in = json_array_get(ins, 0);
		PB_CHECK_EQ_U64(json_array_size(ins), 2);
		PB_CHECK(in && !strcmp(jstr(in, "role") ?: "", "trace") &&
			 !strcmp(jstr(in, "path") ?: "", "t.txt") &&
			 json_integer_value(json_object_get(in, "size_bytes")) == 1);
		PB_CHECK(in && !strcmp(jstr(in, "hash") ?: "", "fnv1a64:af63dc4c8601ec8c") &&
			 !strncmp(jstr(in, "hash_covers") ?: "", "FNV-1a 64 of the first MiB", 26));
		/* a pipe: size and hash null, not 0 or "" */
		in = json_array_get(ins, 1);
		PB_CHECK(in && json_is_null(json_object_get(in, "size_bytes")) &&
			 json_is_null(json_object_get(in, "hash")) &&
			 !strcmp(jstr(in, "path") ?: "", "/dev/stdin"));
		PB_CHECK(!strcmp(jstr(json_object_get(m, "not_available"), "papi_tot_cyc"),
				 "no PMU \"here\""));
		PB_CHECK(json_array_size(json_object_get(m, "experiments")) == 1);
		PB_CHECK(json_array_size(json_object_get(m, "loadavg_before")) == 3);
		PB_CHECK(json_array_size(json_object_get(m, "loadavg_after")) == 3);
		PB_CHECK(json_object_get(m, "counters_setting") != NULL);
		PB_CHECK(jstr(json_object_get(m, "build"), "git_commit") && jstr(m, "thp_enabled"));
		PB_CHECK(
		    json_is_object(json_object_get(json_object_get(m, "counters"), "columns")));
		json_decref(m);
	}
	pb_run_abort(b);

	/* Partial: finished experiments listed, status and signal recorded. */
	struct pb_run *p = pb_run_create(root, 3, argv, err, sizeof(err));
	struct pb_csv *pc = pb_run_csv(p, "runs.csv", cols, NULL);
	write_rows(pc, 3);
	pb_run_experiment_done(p, "k threads=1");
	pb_run_set_status(p, PB_RUN_PARTIAL, "SIGINT");
	char pdir[4096];
	snprintf(pdir, sizeof(pdir), "%s", pb_run_dir(p));
	PB_CHECK(pb_run_finish(p) == 0);
	m = load_meta(pdir);
	PB_CHECK(m && !strcmp(jstr(m, "status"), "partial") &&
		 !strcmp(jstr(m, "interrupted_by"), "SIGINT"));
	PB_CHECK(m && json_array_size(json_object_get(m, "experiments")) == 1);
	json_decref(m);

	/* Failed with nothing written: no folder that looks like a result. */
	p = pb_run_create(root, 3, argv, err, sizeof(err));
	pc = pb_run_csv(p, "runs.csv", cols, NULL);
	snprintf(pdir, sizeof(pdir), "%s", pb_run_dir(p));
	pb_run_set_status(p, PB_RUN_FAILED, "setup failed");
	PB_CHECK(pb_run_finish(p) == -ENODATA);
	struct stat pst;
	PB_CHECK(stat(pdir, &pst) != 0);

	/* A write error mid-run (a file size limit, as a full disk): the run
	 * reports it, the CSV never appears under its final name, meta.json
	 * says failed and lists no file and no experiment, none being written
	 * (it listed both).  The runs above installed the signal registry,
	 * which ignores SIGXFSZ (a file size limit killed the process). */
	struct sigaction xfsz;
	PB_CHECK(sigaction(SIGXFSZ, NULL, &xfsz) == 0 && xfsz.sa_handler == SIG_IGN);
	int efd[2];
	PB_CHECK(pipe(efd) == 0);
	pid_t epid = fork();
	if (epid == 0) {
		struct rlimit rl = {64 << 10, 64 << 10};
		setrlimit(RLIMIT_FSIZE, &rl);
		struct pb_run *r = pb_run_create(root, 3, argv, err, sizeof(err));
		struct pb_csv *w = pb_run_csv(r, "runs.csv", cols, NULL);
		write_rows(w, 100);
		pb_run_experiment_done(r, "k threads=1");
		write_rows(w, 20000);
		int e1 = pb_run_error(r);
		char d[4096], msg[4600];
		snprintf(d, sizeof(d), "%s", pb_run_dir(r));
		int e2 = pb_run_finish_msg(r, msg, sizeof(msg));
		if (write(efd[1], d, strlen(d) + 1) < 0)
			_exit(3);
		_exit(e1 == -EFBIG && e2 == -EFBIG && strstr(msg, "File too large") ? 0 : 4);
	}
	char edir[4096] = "";
	close(efd[1]); /* a child killed before it writes: end of file, not a hang */
	PB_CHECK(read(efd[0], edir, sizeof(edir)) > 0);
	close(efd[0]);
	int est;
	waitpid(epid, &est, 0);
	PB_CHECK_MSG(WIFEXITED(est) && WEXITSTATUS(est) == 0, "write-error child status %d", est);
	PB_CHECK(!exists(edir, "runs.csv"));
	PB_CHECK_EQ_U64(count_prefix(edir, ".runs.csv."), 0);
	m = load_meta(edir);
	PB_CHECK(m && !strcmp(jstr(m, "status"), "failed"));
	PB_CHECK(m && json_array_size(json_object_get(m, "errors")) >= 1);
	PB_CHECK(m && json_array_size(json_object_get(m, "files")) == 0);
	PB_CHECK(m && json_array_size(json_object_get(m, "experiments")) == 0);
	json_decref(m);

	/* An interrupted run: rows written, then SIGTERM before finish. */
	int pfd[2];
	PB_CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct pb_run *r = pb_run_create(root, 3, argv, err, sizeof(err));
		struct pb_csv *w = pb_run_csv(r, "runs.csv", cols, NULL);
		write_rows(w, 1000);
		if (write(pfd[1], pb_run_dir(r), strlen(pb_run_dir(r)) + 1) < 0)
			_exit(3);
		pause();
		_exit(0);
	}
	char dir[4096] = "";
	PB_CHECK(read(pfd[0], dir, sizeof(dir)) > 0);
	PB_CHECK_EQ_U64(count_prefix(dir, ".runs.csv."), 1);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	PB_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	PB_CHECK(!exists(dir, "runs.csv"));
	PB_CHECK_EQ_U64(count_prefix(dir, ".runs.csv."), 0);
	PB_CHECK(!exists(dir, "meta.json"));
	struct stat dst;
	PB_CHECK(stat(dir, &dst) != 0); /* the emptied run folder is gone too */

	/* pb_write_file_atomic replaces a file whole. */
	char path[4200];
	snprintf(path, sizeof(path), "%s/f.txt", root);
	PB_CHECK(pb_write_file_atomic(path, "old", 3) == 0);
	PB_CHECK(pb_write_file_atomic(path, "new!", 4) == 0);
	char *f = slurp(root, "f.txt");
	PB_CHECK(f && !strcmp(f, "new!"));
	PB_CHECK(pb_write_file_atomic("/nonexistent-dir/x", "a", 1) < 0);
	/* Unwritable root gives an error, not a crash. */
	PB_CHECK(pb_run_create("/proc/pb-no-such", 1, argv, err, sizeof(err)) == NULL && err[0]);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
