/* SPDX-License-Identifier: MIT */
/*
 * The two halves agree (issue 13 item 3): the same seeded workload, run
 * through `pagebench sim` and through the userfaultfd pager
 * (`pagebench run uffd-pager --param workload=...`), gives EQUAL fault,
 * eviction and write-back counts for the exact strategies: FIFO (which
 * needs no hit information) and LRU with hints=1 (every access reported),
 * at several frame counts, with dirt tracked by write-protect faults and by
 * UFFD_FEATURE_WP_ASYNC where the kernel has it.
 *
 * Definitions, the same on both sides: a fault is a reference to a page
 * that is not resident, first touches included (the pager's zero fills);
 * an eviction is a resident page chosen as victim; a write-back is an
 * eviction of a page written since it was last brought in (the pager sees
 * the write as a write fault or a write-protect fault, the simulator as the
 * reference's op).  The pager runs the stream across its warm-up and its
 * measured repetition (--ops = half the references each), and its events
 * are summed over both.  Every case runs three times: io=copy (write-back
 * by copy, fill by UFFDIO_COPY), io=move (UFFDIO_MOVE out and back) and
 * io=mixed (UFFDIO_MOVE out, UFFDIO_COPY back), the last two where the
 * kernel has the move: the counts must not depend on how pages travel.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096]; /* pbt_tmpdir: under $TMPDIR */

/* Faults, evictions and writebacks of t: sim --csv's one row (thread NULL),
 * or the pager's events.csv summed over thread `thread`'s rows of every
 * repetition.  0, or -1 when t lacks a column. */
static int counts_of(const struct pb_csv *t, const char *thread, long long v[3])
{
	const char *names[3] = {"faults", "evictions", "writebacks"};
	v[0] = v[1] = v[2] = 0;
	if (!thread) {
		for (int i = 0; i < 3; i++) {
			if (t->nrows < 1 || pb_csv_col(t, names[i]) < 0)
				return -1;
			v[i] = atoll(pb_csv_get(t, 0, names[i]));
		}
		return 0;
	}
	if (pb_csv_col(t, "thread") < 0 || pb_csv_col(t, "event") < 0 || pb_csv_col(t, "value") < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++)
		for (int i = 0; i < 3; i++)
			if (!strcmp(pb_csv_get(t, r, "thread"), thread) &&
			    !strcmp(pb_csv_get(t, r, "event"), names[i]))
				v[i] += atoll(pb_csv_get(t, r, "value"));
	return 0;
}

/* sim --csv on stdout: faults, evictions, writebacks of the one row. */
static int sim_counts(const char *out, long long v[3])
{
	struct pb_csv t;
	char err[256];
	if (pb_csv_parse(out, strlen(out), "sim --csv", &t, err, sizeof(err)))
		return -1;
	int rc = counts_of(&t, NULL, v);
	pb_csv_free(&t);
	return rc;
}

/* events.csv of the only run under root: sums of thread 0's events over all reps. */
static int pager_counts(const char *root, long long v[3])
{
	DIR *d = opendir(root);
	struct dirent *e;
	char sub[256] = "";
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(sub, sizeof(sub), "%s", e->d_name);
	if (d)
		closedir(d);
	char p[8192], err[256];
	snprintf(p, sizeof(p), "%s/%s/events.csv", root, sub);
	struct pb_csv t;
	if (pb_csv_read_file(p, &t, err, sizeof(err)))
		return -1;
	int rc = counts_of(&t, "0", v);
	pb_csv_free(&t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_real_pager_agree PATH_TO_PAGEBENCH");
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pager_agree") != NULL);
	static struct spawn_out o;
	const char *wl = "zipf:pages=2000,refs=20000,write=0.3,seed=7";
	char wl_param[256];
	snprintf(wl_param, sizeof(wl_param), "%s", wl);
	for (char *c = wl_param; *c; c++)
		if (*c == ',')
			*c = ';';
	const struct {
		const char *policy, *hints;
	} cases[] = {{"fifo", "0"}, {"lru", "1"}, {"fifo", "1"}};
	const char *frames[] = {"64", "300", "1200"};
	const char *dirty[] = {"wp", "async"};
	int runs = 0, skipped_async = 0, skipped_move = 0;
	for (size_t c = 0; c < 3; c++)
		for (size_t fi = 0; fi < 3; fi++)
			for (size_t di = 0; di < 2; di++) {
				char root[4300], par[512];
				snprintf(root, sizeof(root), "%s/s%d", top, runs);
				char *sa[] = {argv[1],	    "sim",
					      "--workload", (char *)wl,
					      "--policy",   (char *)cases[c].policy,
					      "--frames",   (char *)frames[fi],
					      "--csv",	    "--results",
					      root,	    NULL};
				spawn_run(sa, NULL, &o);
				PB_CHECK_MSG(o.code == 0, "sim: exit %d: %s", o.code, o.err);
				long long sv[3] = {0, 0, 0};
				PB_CHECK(sim_counts(o.out, sv) == 0);
				static const char *const ios[] = {"copy", "move", "mixed"};
				for (int io = 0; io < 3; io++) {
					snprintf(root, sizeof(root), "%s/p%d", top, runs++);
					snprintf(par, sizeof(par),
						 "pages=2000,frames=%s,policy=%s,hints=%s,dirty=%s,"
						 "io=%s,"
						 "workload=%s",
						 frames[fi], cases[c].policy, cases[c].hints,
						 dirty[di], ios[io], wl_param);
					char *pa[] = {
					    argv[1], "run",	      "uffd-pager", "--threads",
					    "1",     "--reps",	      "1",	    "--ops",
					    "10000", "--param",	      par,	    "--results",
					    root,    "--no-baseline", NULL};
					spawn_run(pa, NULL, &o);
					if (o.code && strstr(o.err, "userfaultfd unavailable")) {
						PB_CHECK(pbt_rmtree(top) == 0);
						PB_SKIP(
						    "userfaultfd is not available to this user");
					}
					if (o.code && strstr(o.err, "WP_ASYNC")) {
						skipped_async++; /* an older kernel: wp is still
								    checked */
						continue;
					}
					if (o.code && io && strstr(o.err, "UFFD_FEATURE_MOVE")) {
						skipped_move++; /* before Linux 6.8: io=copy is
								   still checked */
						continue;
					}
					PB_CHECK_MSG(o.code == 0, "%s: exit %d: %s", par, o.code,
						     o.err);
					long long pv[3] = {0, 0, 0};
					PB_CHECK(pager_counts(root, pv) == 0);
					PB_CHECK_MSG(sv[0] == pv[0] && sv[1] == pv[1] &&
							 sv[2] == pv[2],
						     "%s: sim faults/evictions/writebacks "
						     "%lld/%lld/%lld, pager "
						     "%lld/%lld/%lld",
						     par, sv[0], sv[1], sv[2], pv[0], pv[1], pv[2]);
					/* Both halves did page: the counts are not trivially equal.
					 */
					PB_CHECK(sv[0] > 0 && (fi == 2 || sv[1] > 0));
				}
			}
	if (skipped_async)
		fprintf(stderr, "note: %d dirty=async cases skipped (no UFFD_FEATURE_WP_ASYNC)\n",
			skipped_async);
	if (skipped_move)
		fprintf(stderr, "note: %d io=move|mixed cases skipped (no UFFD_FEATURE_MOVE)\n",
			skipped_move);
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
