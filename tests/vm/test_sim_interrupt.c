/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_interrupt.c - a signal during a long `sim` sweep keeps
 * the configurations it finished.
 *
 * 100 engine configurations are more than one streamed pass holds (64), so
 * the sweep runs two waves.  With PAGEBENCH_TEST_INTERRUPT=1 the process
 * raises SIGINT before the second wave (the knob stands for a user's
 * Ctrl-C, deterministically):
 *  - it dies of SIGINT (exit 130), after saying how many configurations
 *    were not run;
 *  - its folder has the first wave's 64 rows, all valid, and each row's
 *    counts equal the same configuration's in a run that was not
 *    interrupted (sim.csv read back with the quote-aware reader);
 *  - meta.json (jansson) says status partial, interrupted_by SIGINT, and
 *    the stream's refs and distinct pages of the finished wave (not the
 *    part the interrupted one read);
 * and with PAGEBENCH_TEST_INTERRUPT=0 (before the first wave: nothing
 * done) it dies of SIGINT leaving no folder.  A knob that is not a wave
 * number (x, 1x, -1, " 1", 2^32) is refused: exit 2 naming the knob and
 * its value, no folder (strtoul read "x" as 0, an interrupt before the
 * first wave, and "1x" as 1).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[512];

/* How many entries root holds (none if it does not exist); the last one's
 * path into out: the run folder, where there is one. */
static int run_dirs(const char *root, char *out, size_t len)
{
	DIR *d = opendir(root);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(out, len, "%s/%s", root, e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

static int sim(const char *root, const char *knob, struct spawn_out *o)
{
	char env_knob[64];
	snprintf(env_knob, sizeof(env_knob), "PAGEBENCH_TEST_INTERRUPT=%s", knob ? knob : "");
	char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", env_knob, NULL};
	return spawn_runl(bin, envv, o, "sim", "--workload", "zipf:pages=20000,alpha=0.8,refs=50K",
			  "--policy", "lru", "--frames", "100-199", "--reps", "1", "--results",
			  root, NULL);
}

/* Row index of frames f in t, or -1. */
static long row_of(const struct pb_csv *t, const char *f)
{
	int c = pb_csv_col(t, "frames");
	for (size_t r = 0; c >= 0 && r < t->nrows; r++)
		if (!strcmp(pb_csv_cell(t, r, c), f))
			return (long)r;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	const char *td = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/pbsimintXXXXXX", td && *td ? td : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	struct spawn_out *o = malloc(sizeof(*o));
	char root[700], full_root[700], d1[1200], d2[1200], p[1400], err[256];

	/* the whole sweep, not interrupted */
	snprintf(full_root, sizeof(full_root), "%s/full", dir);
	PB_CHECK_MSG(sim(full_root, NULL, o) == 0, "full run: exit %d: %s", o->code, o->err);
	PB_CHECK_EQ_U64(run_dirs(full_root, d1, sizeof(d1)), 1);

	/* a signal between the two waves */
	snprintf(root, sizeof(root), "%s/int", dir);
	PB_CHECK_MSG(sim(root, "1", o) == 128 + SIGINT, "interrupted run: exit %d: %s", o->code,
		     o->err);
	PB_CHECK_MSG(strstr(o->err, "partial: interrupted by SIGINT, 36 configuration(s) not run"),
		     "%s", o->err);
	PB_CHECK_EQ_U64(run_dirs(root, d2, sizeof(d2)), 1);
	struct pb_csv full = {0}, part = {0};
	snprintf(p, sizeof(p), "%s/sim.csv", d1);
	PB_CHECK_MSG(!pb_csv_read_file(p, &full, err, sizeof(err)), "%s", err);
	snprintf(p, sizeof(p), "%s/sim.csv", d2);
	PB_CHECK_MSG(!pb_csv_read_file(p, &part, err, sizeof(err)), "%s", err);
	PB_CHECK_EQ_U64(full.nrows, 100);
	PB_CHECK_EQ_U64(part.nrows, 64);
	const char *cols[] = {"refs", "hits", "faults", "evictions", "tlb_misses", "writebacks"};
	int vcol = pb_csv_col(&part, "valid"), fcol = pb_csv_col(&part, "frames");
	size_t same = 0;
	for (size_t r = 0; vcol >= 0 && fcol >= 0 && r < part.nrows; r++) {
		long fr = row_of(&full, pb_csv_cell(&part, r, fcol));
		int ok = fr >= 0 && !strcmp(pb_csv_cell(&part, r, vcol), "1");
		for (size_t k = 0; ok && k < PB_ARRAY_SIZE(cols); k++) {
			int a = pb_csv_col(&part, cols[k]), b = pb_csv_col(&full, cols[k]);
			ok = a >= 0 && b >= 0 &&
			     !strcmp(pb_csv_cell(&part, r, a), pb_csv_cell(&full, (size_t)fr, b));
		}
		same += ok;
	}
	PB_CHECK_EQ_U64(same, 64);
	pb_csv_free(&full);
	pb_csv_free(&part);
	snprintf(p, sizeof(p), "%s/meta.json", d2);
	json_error_t je;
	json_t *m = json_load_file(p, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", p, je.text);
	PB_CHECK(m && !strcmp(json_string_value(json_object_get(m, "status")) ?: "", "partial"));
	PB_CHECK(m &&
		 !strcmp(json_string_value(json_object_get(m, "interrupted_by")) ?: "", "SIGINT"));
	/* the stream's length and pages as the finished wave counted them,
	 * not the interrupted one's part */
	snprintf(p, sizeof(p), "%s/meta.json", d1);
	json_t *mf = json_load_file(p, 0, &je);
	json_t *c = m ? json_object_get(m, "config") : NULL, *cf = json_object_get(mf, "config");
	PB_CHECK_MSG(json_integer_value(json_object_get(c, "refs")) == 51200 &&
			 json_integer_value(json_object_get(cf, "refs")) == 51200,
		     "config.refs %lld (full run %lld; refs=50K is 51200)",
		     (long long)json_integer_value(json_object_get(c, "refs")),
		     (long long)json_integer_value(json_object_get(cf, "refs")));
	PB_CHECK(json_integer_value(json_object_get(c, "distinct_pages")) > 0 &&
		 json_integer_value(json_object_get(c, "distinct_pages")) ==
		     json_integer_value(json_object_get(cf, "distinct_pages")));
	json_decref(mf);
	json_decref(m);

	/* a signal before the first wave: nothing to keep, no folder */
	snprintf(root, sizeof(root), "%s/none", dir);
	PB_CHECK_MSG(sim(root, "0", o) == 128 + SIGINT, "exit %d: %s", o->code, o->err);
	char d3[1200];
	int entries = run_dirs(root, d3, sizeof(d3));
	PB_CHECK_MSG(entries == 0, "%d entries under %s", entries, root);

	/* a knob that is not a wave number: refused, not read as a wave */
	static const char *const bad[] = {"x", "1x", "-1", " 1", "4294967296"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(bad); i++) {
		char want[96];
		snprintf(root, sizeof(root), "%s/bad%zu", dir, i);
		snprintf(want, sizeof(want), "PAGEBENCH_TEST_INTERRUPT='%s'", bad[i]);
		int code = sim(root, bad[i], o);
		PB_CHECK_MSG(code == 2 && strstr(o->err, want), "knob '%s': exit %d: %s", bad[i],
			     code, o->err);
		entries = run_dirs(root, d3, sizeof(d3));
		PB_CHECK_MSG(entries == 0, "knob '%s': %d entries under %s", bad[i], entries, root);
	}

	free(o);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cleanup of %s failed\n", dir);
	return pb_test_done();
}
