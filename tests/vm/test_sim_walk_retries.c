/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_sim_walk_retries.c - sim.csv's walk_retries column, end to
 * end through the binary (sim.csv read with the project's CSV reader,
 * meta.json with jansson):
 *  - strict order on two engine threads (and one thread): the column is
 *    there and 0 in every row, as nothing unmaps a page while a thread
 *    fills its TLB;
 *  - free order on two threads and 4 frames, where fills race
 *    shootdowns: a count in every row, at most 3 per TLB miss (a
 *    reference walks again at most three times, after its one miss), and
 *    one TLB outcome per reference still (tlb_l1_hits + tlb_l2_hits +
 *    tlb_misses = refs - oom_skipped).  Whether a race happens is the
 *    threads' timing: not asserted;
 *  - --model policy: NA, the reason in meta.json's not_available;
 *  - a run made before the column (the same folder, the column taken out
 *    of sim.csv) compares with one that has it, both ways: exit 0,
 *    identical counts, not "configurations differ".
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char dir[4096]; /* pbt_tmpdir */
static struct spawn_out out;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};

static const char *new_root(void)
{
	static unsigned n;
	static char root[4300];
	snprintf(root, sizeof(root), "%s/r%u", dir, n++);
	return root;
}

#define sim_run(run, ...)                                                                          \
	pbt_run_meta_env(bin, envv, new_root(), &out, run, sizeof(run), "sim", __VA_ARGS__, NULL)

static int read_sim(const char *run, struct pb_csv *t)
{
	char p[4600], err[256];
	snprintf(p, sizeof(p), "%s/sim.csv", run);
	int rc = pb_csv_read_file(p, t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", p, err);
	return rc;
}

/* A count cell of row r (checked: present, a number). */
static unsigned long long cnt(const struct pb_csv *t, size_t r, const char *col)
{
	const char *c = pb_csv_get(t, r, col);
	char *end = NULL;
	unsigned long long v = c ? strtoull(c, &end, 10) : 0;
	PB_CHECK_MSG(c && *c && end && !*end, "sim.csv row %zu: %s is '%s'", r, col, c ?: "(none)");
	return v;
}

/* Every row of run's sim.csv: walk_retries a count, the TLB identity;
 * with strict, walk_retries 0.  The rows' walk_retries summed. */
static unsigned long long check_rows(const char *run, int strict, size_t want_rows)
{
	struct pb_csv t;
	unsigned long long sum = 0;
	if (read_sim(run, &t))
		return 0;
	PB_CHECK_MSG(pb_csv_col(&t, "walk_retries") >= 0, "%s: sim.csv has no walk_retries", run);
	PB_CHECK_EQ_U64(t.nrows, want_rows);
	for (size_t r = 0; r < t.nrows; r++) {
		unsigned long long w = cnt(&t, r, "walk_retries"), m = cnt(&t, r, "tlb_misses");
		PB_CHECK_EQ_U64(cnt(&t, r, "tlb_l1_hits") + cnt(&t, r, "tlb_l2_hits") + m,
				cnt(&t, r, "refs") - cnt(&t, r, "oom_skipped"));
		PB_CHECK_MSG(w <= 3 * m, "row %zu: %llu walk retries, %llu TLB misses", r, w, m);
		if (strict)
			PB_CHECK_MSG(w == 0, "strict order, row %zu: %llu walk retries", r, w);
		sum += w;
	}
	pb_csv_free(&t);
	return sum;
}

/* path's CSV without column col, read with the project's reader and
 * written back whole (every cell quoted): 0 or -1 (a failed check). */
static int drop_column(const char *path, const char *col)
{
	struct pb_csv t;
	char err[512];
	if (pb_csv_read_file(path, &t, err, sizeof(err))) {
		PB_CHECK_MSG(0, "%s", err);
		return -1;
	}
	int cd = pb_csv_col(&t, col);
	FILE *w = cd >= 0 ? fopen(path, "w") : NULL;
	PB_CHECK_MSG(w != NULL, "%s: no column %s, or not writable", path, col);
	size_t last = cd + 1 == (int)t.ncols ? t.ncols - 2 : t.ncols - 1;
	for (size_t r = 0; w && r <= t.nrows; r++)
		for (size_t c = 0; c < t.ncols; c++)
			if ((int)c != cd) {
				const char *v = r ? pb_csv_cell(&t, r - 1, (int)c) : t.header[c];
				pbt_csv_cell_(w, &v, 1, c != last);
			}
	int ok = w && fclose(w) == 0;
	PB_CHECK_MSG(!w || ok, "%s: cannot write it back", path);
	pb_csv_free(&t);
	return ok ? 0 : -1;
}

static void compare_ok(const char *a, const char *b)
{
	char o[4400];
	snprintf(o, sizeof(o), "%s/cmp", dir);
	int rc = spawn_runl(bin, envv, &out, "compare", a, b, "--out", o, "--force", NULL);
	PB_CHECK_MSG(rc == 0 && strstr(out.out, "replay row(s) with identical counts"),
		     "compare %s %s: exit %d\n%s%s", a, b, rc, out.out, out.err);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	if (!pbt_tmpdir(dir, sizeof(dir), "walkretry")) {
		perror("mkdtemp");
		return 2;
	}
	static const char *const wl = "zipf:pages=500,alpha=0.6,refs=20000,write=0.3";
	char strict[4400], one[4400], freerun[4400], model[4400], old[4600];

	json_t *m = sim_run(strict, "--workload", wl, "--policy", "lru,clock", "--frames", "4,64",
			    "--threads", "2", "--order", "strict", "--reps", "2");
	json_decref(m);
	(void)check_rows(strict, 1, 8);
	m = sim_run(one, "--workload", wl, "--policy", "lru,clock", "--frames", "4,64", "--reps",
		    "1");
	json_decref(m);
	(void)check_rows(one, 1, 4);

	m = sim_run(freerun, "--workload", wl, "--policy", "lru,clock", "--frames", "4",
		    "--threads", "2", "--order", "free", "--reps", "3");
	json_decref(m);
	unsigned long long sum = check_rows(freerun, 0, 6);
	printf("free order, 2 threads, 4 frames: %llu walk retries in 6 rows\n", sum);

	/* the policy model walks no page table */
	m = sim_run(model, "--workload", wl, "--policy", "lru", "--frames", "64", "--model",
		    "policy", "--reps", "1");
	struct pb_csv t;
	if (m && !read_sim(model, &t)) {
		const char *c = pb_csv_get(&t, 0, "walk_retries");
		PB_CHECK_MSG(c && !strcmp(c, "NA"), "--model policy: walk_retries %s",
			     c ?: "(none)");
		const char *why = json_string_value(
		    json_object_get(json_object_get(m, "not_available"), "walk_retries"));
		PB_CHECK_MSG(why && strstr(why, "--model policy"), "not_available.walk_retries: %s",
			     why ?: "(none)");
		pb_csv_free(&t);
	}
	json_decref(m);

	/* a run of before the column: the strict run without it */
	snprintf(old, sizeof(old), "%s/old", dir);
	char cmd[9400];
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", strict, old);
	PB_CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "%s/sim.csv", old);
	if (!drop_column(cmd, "walk_retries") && !read_sim(old, &t)) {
		PB_CHECK(pb_csv_col(&t, "walk_retries") < 0 && pb_csv_col(&t, "shootdowns") >= 0 &&
			 t.nrows == 8);
		pb_csv_free(&t);
		compare_ok(old, strict);
		compare_ok(strict, old);
	}
	pbt_rmtree(dir);
	return pb_test_done();
}
