/*
 * Results: run folders are new every time, CSVs carry schema_version and
 * the declared columns, files appear only complete (temporary name then
 * rename), and an interrupted run leaves no half file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

int main(void)
{
	char root[] = "/tmp/pb-test-resultsXXXXXX";
	PB_CHECK(mkdtemp(root) != NULL);
	char err[256];
	char *argv[] = {"pagebench", "run", "x,y", NULL};
	static const char *const cols[] = {"kernel", "ops", "ns_per_op", "note", NULL};

	/* Two runs in the same second get different folders. */
	struct pb_run *a = pb_run_create(root, 3, argv, err, sizeof(err));
	struct pb_run *b = pb_run_create(root, 3, argv, err, sizeof(err));
	PB_CHECK(a && b && strcmp(pb_run_dir(a), pb_run_dir(b)));
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
	PB_CHECK(!exists(adir, "runs.csv") && exists(adir, "runs.csv.tmp"));
	pb_run_config_str(a, "workload", "zipf:alpha=0.9");
	pb_run_note_na(a, "papi_tot_cyc", "no PMU \"here\"");
	PB_CHECK(pb_run_finish(a) == 0);
	PB_CHECK(exists(adir, "runs.csv") && exists(adir, "meta.json"));
	PB_CHECK_EQ_U64(count_suffix(adir, ".tmp"), 0);
	char *csv = slurp(adir, "runs.csv");
	PB_CHECK(csv && !strncmp(csv, "schema_version,kernel,ops,ns_per_op,note\n", 41));
	PB_CHECK(csv && strstr(csv, "\n1,k1,42,1.5,\"has,comma \"\"q\"\"\"\n"));
	PB_CHECK(csv && strstr(csv, "\n1,NA,NA,NA,x\n"));
	char *meta = slurp(adir, "meta.json");
	PB_CHECK(meta && strstr(meta, "\"schema_version\": 1"));
	PB_CHECK(meta && strstr(meta, "\"command_line\": [\"pagebench\", \"run\", \"x,y\"]"));
	PB_CHECK(meta && strstr(meta, "\"workload\": \"zipf:alpha=0.9\""));
	PB_CHECK(meta && strstr(meta, "\"papi_tot_cyc\": \"no PMU \\\"here\\\"\""));
	PB_CHECK(meta && strstr(meta, "\"git_commit\"") && strstr(meta, "\"thp_enabled\""));
	pb_run_abort(b);

	/* An interrupted run: rows written, then SIGTERM before finish. */
	int pfd[2];
	PB_CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct pb_run *r = pb_run_create(root, 3, argv, err, sizeof(err));
		struct pb_csv *w = pb_run_csv(r, "runs.csv", cols, NULL);
		for (int i = 0; i < 1000; i++) {
			pb_csv_begin(w);
			pb_csv_str(w, "k");
			pb_csv_u64(w, (uint64_t)i);
			pb_csv_dbl(w, 1);
			pb_csv_str(w, "n");
			pb_csv_end(w);
		}
		if (write(pfd[1], pb_run_dir(r), strlen(pb_run_dir(r)) + 1) < 0)
			_exit(3);
		pause();
		_exit(0);
	}
	char dir[4096] = "";
	PB_CHECK(read(pfd[0], dir, sizeof(dir)) > 0);
	PB_CHECK(exists(dir, "runs.csv.tmp"));
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	PB_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	PB_CHECK(!exists(dir, "runs.csv"));
	PB_CHECK(!exists(dir, "runs.csv.tmp"));
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
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	PB_CHECK(system(cmd) == 0);
	return pb_test_done();
}
