/* SPDX-License-Identifier: MIT */
/*
 * The userfaultfd pager's fault counts, and what it refuses:
 *  - faults = zero_fills + swap_ins in every prepage mode (none, readahead,
 *    around, cluster): one fill count per fault, a prepaged page counted in
 *    prepaged alone.  readahead and around counted every page of a run in
 *    swap_ins or zero_fills (swap_ins = faults + prepaged on a loop), cluster
 *    once per fault.
 *  - --size, which the pager does not read (its region is pages=N), is
 *    refused on one line naming the kernel and pages=N, exit 2, with no run
 *    folder, for uffd-pager and uffd-floor, with --param and without; it
 *    was ignored while meta.json recorded size_override_bytes.
 * Counts are read from events.csv with the quote-aware CSV reader.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096];
static int nrun;

/* faults = zero_fills + swap_ins whatever the prepaging. */
static void fill_identity(void)
{
	static const char *const modes[] = {"none", "readahead", "around", "cluster"};
	static struct spawn_out o;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char root[4200], dir[4400], param[128];
		snprintf(root, sizeof(root), "%s/%d", top, nrun++);
		snprintf(param, sizeof(param), "pages=256,frames=32,pattern=loop,prepage=%s",
			 modes[i]);
		pbt_run(bin, root, &o, dir, sizeof(dir), "run", "uffd-pager", "--threads", "1",
			"--reps", "1", "--ops", "20000", "--no-baseline", "--param", param,
			(char *)NULL);
		if (o.code && strstr(o.err, "userfaultfd unavailable")) {
			printf("SKIP part: no userfaultfd here: %s", o.err);
			return;
		}
		PB_CHECK_MSG(o.code == 0, "%s: exit %d:\n%s", param, o.code, o.err);
		long long f = pbt_event_sum(root, "uffd-pager", "faults", 0),
			  z = pbt_event_sum(root, "uffd-pager", "zero_fills", 0),
			  s = pbt_event_sum(root, "uffd-pager", "swap_ins", 0),
			  p = pbt_event_sum(root, "uffd-pager", "prepaged", 0);
		PB_CHECK_MSG(f > 0 && z >= 0 && s >= 0 && f == z + s,
			     "%s: faults %lld != zero_fills %lld + swap_ins %lld (prepaged %lld)",
			     param, f, z, s, p);
		/* the modes that prepage did prepage here (a loop over 8x frames) */
		PB_CHECK_MSG(i == 0 ? p == 0 : p > 0, "%s: prepaged %lld", param, p);
	}
}

/* --size is refused before any folder, naming pages=N. */
static void size_refused(void)
{
	static const char *const kernels[] = {"uffd-pager", "uffd-floor"};
	static struct spawn_out o;
	for (int k = 0; k < 2; k++) {
		for (int withp = 0; withp < 2; withp++) {
			char root[4200], dir[4400], want[128];
			snprintf(root, sizeof(root), "%s/%d", top, nrun++);
			snprintf(want, sizeof(want),
				 "%s: --size does not apply; give --param pages=N", kernels[k]);
			/* the words end at the NULL: without --param when !withp */
			int code =
			    pbt_run(bin, root, &o, dir, sizeof(dir), "run", kernels[k], "--threads",
				    "1", "--reps", "1", "--ops", "100", "--size", "1M",
				    withp ? "--param" : NULL, "pages=64,frames=16", (char *)NULL);
			PB_CHECK_MSG(code == 2 && count_lines(o.err) == 1 && strstr(o.err, want),
				     "%s --size 1M%s: exit %d:\n%s", kernels[k],
				     withp ? " --param" : "", code, o.err);
			PB_CHECK_MSG(pbt_run_dirs(root, dir, sizeof(dir)) == 0,
				     "%s --size 1M%s: a run folder: %s", kernels[k],
				     withp ? " --param" : "", dir);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_pager_counts PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pager_counts") != NULL);
	fill_identity();
	size_refused(); /* setup refuses it before it opens a userfaultfd */
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
