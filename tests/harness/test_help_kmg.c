/* SPDX-License-Identifier: MIT */
/*
 * tests/harness/test_help_kmg.c - a count's K/M/G suffix is a power of
 * 1024 (pb_parse_size: `--ops 100K` runs 102400), and wherever a
 * command's --help or README.md's option table names the suffix it says
 * so ("K = 1024"), on the same line.  One such line at least (run's --ops
 * and --size), so the check cannot pass on an empty help.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pbtest.h"
#include "spawn.h"

/* Each line of text that names the suffix says K = 1024: how many did. */
static unsigned check_lines(const char *what, const char *text)
{
	unsigned n = 0;
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		if (memmem(l, len, "K/M/G", 5)) {
			PB_CHECK_MSG(memmem(l, len, "K = 1024", 8), "%s: '%.*s'", what, (int)len,
				     l);
			n++;
		}
		l += len + (e != NULL);
	}
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	static const char *const cmds[] = {"run",  "suite",   "merge", "sim",  "mrc", "trace",
					   "plot", "compare", "list",  "topo", "csim"};
	struct spawn_out *o = malloc(sizeof(*o));
	unsigned named = 0;
	for (size_t i = 0; i < PB_ARRAY_SIZE(cmds); i++) {
		char *av[] = {argv[1], (char *)cmds[i], "--help", NULL};
		spawn_run(av, NULL, o);
		char what[64];
		snprintf(what, sizeof(what), "%s --help", cmds[i]);
		named += check_lines(what, o->out) + check_lines(what, o->err);
	}
	PB_CHECK_MSG(named >= 2, "%u --help lines name the K/M/G suffix", named);
	free(o);

	char path[4200];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/README.md", PB_SOURCE_DIR);
	char *text = pb_slurp(path, &len);
	PB_CHECK_MSG(text != NULL, "cannot read %s", path);
	if (text)
		PB_CHECK_MSG(check_lines("README.md", text) >= 1, "README.md names no K/M/G");
	free(text);
	return pb_test_done();
}
