/* SPDX-License-Identifier: MIT */
/*
 * What the userfaultfd pager says about a run, beside its counts:
 *  - a machine without userfaultfd (simulated: PAGEBENCH_UFFD=eperm|
 *    enosys) or without UFFDIO_MOVE for io=move (PAGEBENCH_UFFD=nomove):
 *    the reason is said once per run, on one line naming the pager,
 *    whatever the thread counts and whether its baseline (uffd-floor,
 *    which fails the same way) runs.  It was said once for the baseline
 *    and once for the pager, at every thread count, and twice more for
 *    the baseline when --param was given (once with the pager's
 *    parameters, once with its defaults).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char top[4096];

/* Occurrences of needle in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A machine without what the pager needs: one line, with the reason. */
static void unavailable(void)
{
	static const struct {
		const char *env, *param, *said, *why;
	} cases[] = {
	    {"PAGEBENCH_UFFD=eperm", NULL,
	     "uffd-pager: userfaultfd unavailable: ", "Operation not permitted"},
	    {"PAGEBENCH_UFFD=eperm", "pages=64,frames=16",
	     "uffd-pager: userfaultfd unavailable: ", "Operation not permitted"},
	    {"PAGEBENCH_UFFD=enosys", "pages=64,frames=16",
	     "uffd-pager: userfaultfd unavailable: ", "Function not implemented"},
	    {"PAGEBENCH_UFFD=nomove", "pages=64,frames=16,io=move",
	     "uffd-pager: io=move needs UFFDIO_MOVE", "use io=copy"},
	};
	static struct spawn_out o;
	char res[4200];
	snprintf(res, sizeof(res), "%s/unavailable", top);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int nb = 0; nb < 2; nb++) {
			char *env[] = {(char *)cases[i].env, NULL};
			char *argv[16] = {(char *)bin, "run",	    "uffd-pager", "--threads",
					  "1,2",       "--reps",    "1",	  "--ops",
					  "100",       "--results", res};
			int a = 11;
			if (nb)
				argv[a++] = "--no-baseline";
			if (cases[i].param) {
				argv[a++] = "--param";
				argv[a++] = (char *)cases[i].param;
			}
			spawn_run(argv, env, &o);
			const char *what = cases[i].said;
			PB_CHECK_MSG(o.code == 1, "%s %s%s: exit %d", cases[i].env,
				     cases[i].param ? cases[i].param : "(defaults)",
				     nb ? " --no-baseline" : "", o.code);
			/* one line, naming the pager, with the reason */
			PB_CHECK_MSG(count_lines(o.err) == 1 && count_of(o.err, what) == 1 &&
					 strstr(o.err, cases[i].why),
				     "%s %s%s: said %d time(s) in %d line(s):\n%s", cases[i].env,
				     cases[i].param ? cases[i].param : "(defaults)",
				     nb ? " --no-baseline" : "", count_of(o.err, what),
				     count_lines(o.err), o.err);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_pager_report PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "pager_report") != NULL);
	unavailable();
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	PB_CHECK(system(cmd) == 0);
	return pb_test_done();
}
