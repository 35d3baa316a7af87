/* SPDX-License-Identifier: MIT */
/*
 * tests/harness/test_list_hints.c - the listings and the hints that point
 * at them, through the real binary:
 *  - an unknown --policy (sim, mrc) is one line with one hint (the policy
 *    parser's "(see `pagebench list policies`)" stood before the
 *    command's own);
 *  - `list kernels -v` indents each kernel's parameter rows under its
 *    "--param" line, deeper than the kernel names (they stood at the
 *    names' depth);
 *  - -v changes the kernels' list only, and --help says so.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};

static size_t count(const char *s, const char *pat)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, pat)); p += strlen(pat))
		n++;
	return n;
}

static void unknown_policy(const char *cmd, const char *frames)
{
	int rc = spawn_runl(bin, envv, &o, cmd, "--workload", "zipf:pages=100,refs=1000",
			    "--policy", "lur", "--frames", frames, NULL);
	PB_CHECK_MSG(rc == 2 && count(o.err, "\n") == 1 && strstr(o.err, "unknown policy 'lur'") &&
			 count(o.err, "(see `pagebench list policies") == 1,
		     "%s --policy lur: rc %d, stderr '%s'", cmd, rc, o.err);
}

/* Indent of a line: its leading spaces. */
static size_t indent(const char *l)
{
	return strspn(l, " ");
}

static void kernels_verbose(void)
{
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "kernels", "-v", NULL) == 0);
	size_t name_depth = 0, rows = 0, bad = 0;
	int in_params = 0;
	char *save = NULL, *buf = strdup(o.out);
	PB_CHECK(buf != NULL);
	for (char *l = buf ? strtok_r(buf, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		size_t d = indent(l);
		const char *w = l + d;
		size_t wl = strcspn(w, " ");
		if (!strncmp(w, "--param (k=v,...):", 18)) {
			in_params = 1;
			continue;
		}
		if (in_params && memchr(w, '=', wl)) { /* a "key=default" row */
			rows++;
			bad += d <= name_depth || d <= 6;
			continue;
		}
		in_params = 0;
		if (d && !memchr(w, '=', wl) && d < 6 && !name_depth)
			name_depth = d; /* the kernel names' */
		bad += d == name_depth && memchr(w, '=', wl) != NULL;
	}
	free(buf);
	PB_CHECK_MSG(
	    name_depth > 0 && rows > 5 && bad == 0,
	    "list kernels -v: names at %zu, %zu parameter rows, %zu not under their kernel",
	    name_depth, rows, bad);
	PB_CHECK_MSG(strstr(o.out, "\n        pt=radix ") != NULL, "pt=radix not under pt-lookup");
}

/* -v applies to kernels only: the other lists are the same, and --help says so */
static void verbose_scope(void)
{
	static const char *const lists[] = {"policies", "workloads"};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		PB_CHECK(spawn_runl(bin, envv, &o, "list", lists[i], NULL) == 0);
		char *plain = strdup(o.out);
		PB_CHECK(spawn_runl(bin, envv, &o, "list", lists[i], "-v", NULL) == 0);
		PB_CHECK_MSG(plain && !strcmp(plain, o.out), "list %s -v differs", lists[i]);
		free(plain);
	}
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "--help", NULL) == 0);
	PB_CHECK_MSG(strstr(o.out, "the only list -v changes") != NULL &&
			 strstr(o.out, "-v, --verbose            kernels:") != NULL,
		     "list --help does not say which list -v changes: %s", o.out);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_list_hints PAGEBENCH");
	bin = argv[1];
	unknown_policy("sim", "10");
	unknown_policy("mrc", "10:20:10");
	kernels_verbose();
	verbose_scope();
	return pb_test_done();
}
