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
 *  - -v adds the parameter rows to the kernels' and the policies' lists
 *    (`list policies -v`, where the hints send users, printed what the
 *    plain list did) and to `list all`'s, workloads print the same either
 *    way, and --help says so.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/policy.h"
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

/* Parameter rows of `list policies [-v]`: indented "NAME:key=default" */
static size_t policy_param_rows(const char *out, char *named, size_t namedlen)
{
	size_t rows = 0;
	named[0] = '\0';
	for (const char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *w = l + strspn(l, " ");
		size_t wl = strcspn(w, " \n"), nl = strcspn(w, ":");
		if (w == l || nl >= wl || !memchr(w, '=', wl))
			continue;
		rows++;
		char name[40];
		snprintf(name, sizeof(name), " %.*s ", (int)nl, w);
		if (!strstr(named, name) && strlen(named) + strlen(name) < namedlen)
			strcat(named, name);
	}
	return rows;
}

/*
 * -v adds the kernels' and the policies' parameters (the hints of sim and
 * mrc send users to `list policies -v` for them; -v changed nothing there):
 * the plain policy list has no parameter row, -v one under every policy
 * that has parameters, and `list all` follows -v the same way; workloads
 * print the same either way, and --help says all that.
 */
static void verbose_scope(void)
{
	char named[512];
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "policies", NULL) == 0);
	size_t plain = policy_param_rows(o.out, named, sizeof(named));
	PB_CHECK_MSG(plain == 0 && strstr(o.out, "\ns3fifo ") != NULL,
		     "list policies: %zu parameter rows (%s)", plain, named);
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "policies", "-v", NULL) == 0);
	size_t rows = policy_param_rows(o.out, named, sizeof(named));
	/* every registered policy: a row under -v iff it has a parameter */
	for (size_t i = 0; pb_policies[i]; i++) {
		const struct pb_policy_desc *d = pb_policies[i];
		int has = d->params && d->params[0].key;
		char name[40];
		snprintf(name, sizeof(name), " %s ", d->name);
		PB_CHECK_MSG(!strstr(named, name) == !has,
			     "list policies -v: %s has %s parameters, rows for%s", d->name,
			     has ? "" : "no", named);
	}
	PB_CHECK_MSG(rows >= 12 && strstr(o.out, "\n                     "
						 "s3fifo:move_threshold=1  ") != NULL,
		     "list policies -v: %zu parameter rows", rows);

	PB_CHECK(spawn_runl(bin, envv, &o, "list", "all", NULL) == 0);
	PB_CHECK_MSG(policy_param_rows(o.out, named, sizeof(named)) == 0 &&
			 !strstr(o.out, "--param (k=v,...):"),
		     "list all: parameter rows of policies (%s) or kernels", named);
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "all", "-v", NULL) == 0);
	PB_CHECK_MSG(policy_param_rows(o.out, named, sizeof(named)) == rows &&
			 strstr(o.out, "--param (k=v,...):"),
		     "list all -v: not the parameter rows of policies -v and kernels -v");

	PB_CHECK(spawn_runl(bin, envv, &o, "list", "workloads", NULL) == 0);
	char *wl = strdup(o.out);
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "workloads", "-v", NULL) == 0);
	PB_CHECK_MSG(wl && !strcmp(wl, o.out), "list workloads -v differs");
	free(wl);
	PB_CHECK(spawn_runl(bin, envv, &o, "list", "--help", NULL) == 0);
	PB_CHECK_MSG(strstr(o.out, "-v, --verbose            kernels:") != NULL &&
			 strstr(o.out, "; policies: also their parameters") != NULL &&
			 strstr(o.out, "their papers, and their parameters under -v") != NULL,
		     "list --help does not say which lists -v changes: %s", o.out);
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
