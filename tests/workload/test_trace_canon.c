/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_trace_canon.c - `trace info` and `trace convert`
 * name the stream they read as sim does (its `workload` column, read back
 * with the project's CSV reader): the canonical spec, every default and a
 * generator's seed filled in, so two different streams never print alike
 * (`--seed 3` and `--seed 1` of one spec); convert says it on one stderr
 * line; a spec's own seed= wins over --seed; a FILE is named as its
 * canonical trace spec, by info and convert alike.
 * They open the stream once (pb_trace_info and pb_trace_convert_named
 * hand back its canonical spec): a FILE is opened once by info and once by
 * convert, counted with inotify (twice until 2026-12: cmd_trace.c opened
 * it first only to name it).
 * Usage: test_trace_canon PAGEBENCH_BINARY
 */
#include "wltest.h"

#include <sys/inotify.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char *bin;
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", "LSAN_OPTIONS=detect_leaks=0", NULL};

#define run(...) spawn_runl(bin, envv, &o, __VA_ARGS__)

/* The rest of the line of s that starts with prefix, into out. */
static void line_of(const char *s, const char *prefix, char *out, size_t len)
{
	out[0] = 0;
	const char *p = strstr(s, prefix);
	if (!p)
		return;
	p += strlen(prefix);
	size_t n = strcspn(p, "\n");
	snprintf(out, len, "%.*s", (int)n, p);
}

/* The workload column sim writes for spec with --seed seed. */
static void sim_workload(const char *spec, const char *seed, char *out, size_t len)
{
	out[0] = 0;
	char root[PATH_MAX + 16], err[256];
	snprintf(root, sizeof(root), "%s/results", wl_dir);
	run("sim", "--workload", spec, "--seed", seed, "--policy", "lru", "--frames", "50",
	    "--reps", "1", "--csv", "--results", root, NULL);
	PB_CHECK_MSG(o.code == 0, "sim %s: %s", spec, o.err);
	struct pb_csv t;
	if (pb_csv_parse(o.out, strlen(o.out), "sim --csv", &t, err, sizeof(err))) {
		PB_CHECK_MSG(0, "sim --csv: %s", err);
		return;
	}
	snprintf(out, len, "%s", pb_csv_get(&t, 0, "workload"));
	pb_csv_free(&t);
}

/* How many times `pagebench trace SUB IN [OUT]` opens the file IN; -1
 * where inotify cannot watch it here (a limit, a file system without it).
 * Opens and closes are both watched: inotify merges an event into an
 * unread one just like it, so opens alone would count once. */
static int opens_of(const char *sub, const char *in, const char *out)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, in, IN_OPEN | IN_CLOSE) < 0) {
		printf("SKIP part: no inotify watch on %s: %s\n", in, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	run("trace", sub, in, out ? "--force" : NULL, out, NULL);
	PB_CHECK_MSG(o.code == 0, "trace %s %s: %s", sub, in, o.err);
	int n = 0;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (char *q = buf; q < buf + r;) {
			const struct inotify_event *e = (const struct inotify_event *)q;
			n += (e->mask & IN_OPEN) != 0;
			q += sizeof(*e) + e->len;
		}
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	wl_mkdir();
	const char *gen = "zipf:pages=500,refs=5000";
	char l3[1024], l1[1024], want[1024], conv[1024];

	/* info: the seed is in the trace: line, as in sim's workload column */
	run("trace", "info", gen, "--seed", "3", NULL);
	PB_CHECK_MSG(o.code == 0, "info: %s", o.err);
	line_of(o.out, "trace:", l3, sizeof(l3));
	run("trace", "info", gen, "--seed", "1", NULL);
	line_of(o.out, "trace:", l1, sizeof(l1));
	PB_CHECK_MSG(strstr(l3, ",seed=3,") && strstr(l1, ",seed=1,") && strcmp(l3, l1),
		     "info --seed 3: %s; --seed 1: %s", l3, l1);
	sim_workload(gen, "3", want, sizeof(want));
	/* the line pads the label with spaces */
	const char *p3 = l3 + strspn(l3, " ");
	PB_CHECK_MSG(!strcmp(p3, want), "info: '%s', sim: '%s'", p3, want);

	/* convert: one stderr line naming what it read */
	run("trace", "convert", gen, wl_path("z3.pbt"), "--seed", "3", NULL);
	PB_CHECK_MSG(o.code == 0 && strstr(o.out, "references written"), "convert: %s", o.err);
	line_of(o.err, "pagebench trace: converted ", conv, sizeof(conv));
	PB_CHECK_MSG(!strcmp(conv, want) && count_lines(o.err) == 1, "convert: stderr %s", o.err);

	/* a spec's own seed= wins over --seed */
	run("trace", "info", "zipf:pages=500,refs=5000,seed=9", "--seed", "3", NULL);
	line_of(o.out, "trace:", l1, sizeof(l1));
	PB_CHECK_MSG(strstr(l1, ",seed=9,") && !strstr(l1, "seed=3"), "own seed=: %s", l1);

	/* a FILE: its canonical trace spec, format detected */
	run("trace", "info", wl_path("z3.pbt"), NULL);
	line_of(o.out, "trace:", l1, sizeof(l1));
	snprintf(want, sizeof(want), "trace:path=%s,format=pbt,", wl_path("z3.pbt"));
	PB_CHECK_MSG(strstr(l1, want), "info FILE: %s", l1);
	/* convert names a FILE as info does */
	run("trace", "convert", wl_path("z3.pbt"), wl_path("z4.pbt"), NULL);
	line_of(o.err, "pagebench trace: converted ", conv, sizeof(conv));
	PB_CHECK_MSG(o.code == 0 && !strcmp(conv, l1 + strspn(l1, " ")),
		     "convert FILE: '%s', info: '%s'", conv, l1);

	/* one open of the stream each: the name comes from it */
	int n = opens_of("info", wl_path("z3.pbt"), NULL);
	PB_CHECK_MSG(n == 1 || n == -1, "info opened its FILE %d times", n);
	n = opens_of("convert", wl_path("z3.pbt"), wl_path("z5.pbt"));
	PB_CHECK_MSG(n == 1 || n == -1, "convert opened its FILE %d times", n);
	wl_rmdir();
	return pb_test_done();
}
