/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare: what --match-pin and --machines do with run folders
 * made by the real binary (a small chase, pinned two ways):
 *  - --match-pin on runs pinned differently: the pin difference is a note
 *    and each side's configuration is MISSING on the other (exit 1, as
 *    docs/compare.md says), not a refused configuration (exit 2, until
 *    2026-12-06); without --match-pin the rows match (exit 0);
 *  - --machines refuses to replace a figure it would draw (machines.png,
 *    machines-scaling.gp) without --force: exit 2, one line naming the
 *    file, the file and the folder left as they were; with --force it
 *    draws (where gnuplot is installed).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};

static int pb(const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	char *argv[40] = {(char *)bin, (char *)first};
	int n = 2;
	const char *a;
	while (n < 39 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return spawn_run(argv, envv, &o);
}

/* chase, 1 thread, pinned `pin`, into root/NAME; the run folder in out */
static void make_run(const char *name, const char *pin, char *out, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", root, name);
	PB_CHECK_MSG(pb("run", "chase", "--threads", "1", "--reps", "4", "--ops", "10000", "--size",
			"64K", "--pin", pin, "--results", res, NULL) == 0,
		     "run %s: %s", name, o.err);
	PB_CHECK(pbt_run_dirs(res, out, len) == 1);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	PB_CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int holds(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return !strcmp(buf, text);
}

static int have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char f[4200];
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t l = strcspn(p, ":");
		snprintf(f, sizeof(f), "%.*s/gnuplot", (int)l, p);
		if (l && !access(f, X_OK))
			return 1;
		p += l + (p[l] == ':');
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_out PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpout") != NULL);
	char a[4096], b[4096], out[4200], mo[4200], p[4400];
	make_run("a", "compact", a, sizeof(a));
	make_run("b", "none", b, sizeof(b));
	snprintf(out, sizeof(out), "%s/out", root);
	PB_CHECK(mkdir(out, 0777) == 0);

	/* 1. --match-pin: runs pinned differently are MISSING on each side */
	/* without it they are matched: no row missing on either side (two
	 * runs' timings may still differ on a loaded machine, REGRESSION or
	 * IMPROVEMENT, exit 1: that verdict is not what this checks) */
	int rc = pb("compare", a, b, "--out", out, NULL);
	PB_CHECK_MSG((rc == 0 || rc == 1) && !strstr(o.out, "MISSING_IN"),
		     "exit %d\nout: %s\nerr: %s", rc, o.out, o.err);
	PB_CHECK_EQ_U64(pb("compare", a, b, "--out", out, "--force", "--match-pin", NULL), 1);
	PB_CHECK_MSG(strstr(o.out, "MISSING_IN_NEW") && strstr(o.out, "MISSING_IN_BASE") &&
			 strstr(o.out, "config.pin"),
		     "out: %s\nerr: %s", o.out, o.err);
	PB_CHECK_MSG(!strstr(o.err, "configurations differ"), "%s", o.err);
	/* the same pin on both sides: matched */
	PB_CHECK_EQ_U64(pb("compare", a, a, "--out", out, "--force", "--match-pin", NULL), 0);

	/* 2. --machines: a figure in the way is not replaced without --force */
	snprintf(mo, sizeof(mo), "%s/mout", root);
	PB_CHECK(mkdir(mo, 0777) == 0);
	snprintf(p, sizeof(p), "%s/machines.png", mo);
	put(p, "old");
	PB_CHECK_EQ_U64(pb("compare", "--machines", a, b, "--out", mo, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "machines.png") &&
			 strstr(o.err, "--force"),
		     "%s", o.err);
	PB_CHECK(holds(p, "old"));
	snprintf(p, sizeof(p), "%s/machines.csv", mo);
	PB_CHECK(access(p, F_OK) != 0); /* refused before any work */
	snprintf(p, sizeof(p), "%s/machines.png", mo);
	unlink(p);
	snprintf(p, sizeof(p), "%s/machines-scaling.gp", mo);
	put(p, "old");
	PB_CHECK_EQ_U64(pb("compare", "--machines", a, b, "--out", mo, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "machines-scaling.gp"), "%s", o.err);
	PB_CHECK(holds(p, "old"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/machines.png", mo);
	put(p, "old");
	PB_CHECK_EQ_U64(pb("compare", "--machines", a, b, "--out", mo, "--force", NULL), 0);
	if (have_gnuplot())
		PB_CHECK_MSG(!holds(p, "old"), "machines.png not redrawn: %s", o.err);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
