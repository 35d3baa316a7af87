/* SPDX-License-Identifier: MIT */
/*
 * pagebench compare --machines says what its machine lines alone would
 * hide (README: "two runs whose round trips are more than 1.5x apart get a
 * note"; until 2026-12-07 only BASE/NEW compare printed it):
 *  - round trips more than 1.5x apart (meta.json cpu_round_trip, set here
 *    to 80 and 300 ns): one note naming both; 80 and 100 ns: none;
 *  - a run planned on another machine's topology (HWLOC_SYNTHETIC: meta.json
 *    topology_is_thissystem false): its threads were not bound, said once
 *    under that machine; a run from before that key, whose meta.json has
 *    topology.synthetic true, is said to describe the synthetic tree.
 * Two real runs of the binary, their meta.json edited through jansson.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096];
static struct spawn_out o;

/* `pagebench run pt-lookup` into root/NAME (env: extra variables); its
 * run folder into dir */
static void make_run(const char *name, char *const *env, char *dir, size_t len)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/%s", root, name);
	PB_CHECK_MSG(spawn_runl(bin, env, &o, "run", "pt-lookup", "--threads", "1", "--reps", "1",
				"--ops", "2000", "--no-baseline", "--label", name, "--results", res,
				NULL) == 0,
		     "%s: %s", name, o.err);
	PB_CHECK(pbt_run_dirs(res, dir, len) == 1);
}

/* dir's meta.json with its start round trip set to ns (the end's
 * removed); old: topology_is_thissystem dropped, topology.synthetic true
 * (a run from before the key) */
static void set_meta(const char *dir, double ns, int old)
{
	char p[4400];
	json_t *m = pbt_meta(dir);
	PB_CHECK(m != NULL);
	json_object_set_new(
	    m, "cpu_round_trip",
	    json_pack("{s:{s:f}, s:{s:n}}", "start", "median_ns", ns, "end", "median_ns"));
	if (old) {
		json_object_del(m, "topology_is_thissystem");
		json_object_set_new(json_object_get(m, "topology"), "synthetic", json_true());
	}
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	PB_CHECK(json_dump_file(m, p, JSON_INDENT(2)) == 0);
	json_decref(m);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare_machines_notes PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "cmpmnotes") != NULL);
	char *plain[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1", NULL};
	char *synth[] = {"PAGEBENCH_COUNTERS=none", "PAGEBENCH_NO_FIGURES=1",
			 "HWLOC_SYNTHETIC=pack:2 numa:2 core:4 pu:2", NULL};
	char a[4096], b[4096], out[4300];
	make_run("ma", plain, a, sizeof(a));
	make_run("mb", synth, b, sizeof(b));
	snprintf(out, sizeof(out), "%s/out", root);

	/* 80 and 300 ns, b planned on a synthetic tree */
	set_meta(a, 80.0, 0);
	set_meta(b, 300.0, 0);
	PB_CHECK_EQ_U64(spawn_runl(bin, plain, &o, "compare", "--machines", a, b, "--out", out,
				   "--force", NULL),
			0);
	PB_CHECK_MSG(count(o.out, "more than 1.5x apart") == 1 &&
			 strstr(o.out, "80.0 ns (ma) and 300.0 ns (mb)"),
		     "%s", o.out);
	PB_CHECK_MSG(count(o.out, "topology: not this machine's (synthetic:") == 1, "%s", o.out);
	PB_CHECK_MSG(!strstr(o.out, "topology: synthetic"), "%s", o.out);

	/* 80 and 100 ns: no note; b as a run from before the key */
	set_meta(b, 100.0, 1);
	PB_CHECK_EQ_U64(spawn_runl(bin, plain, &o, "compare", "--machines", a, b, "--out", out,
				   "--force", NULL),
			0);
	PB_CHECK_MSG(!strstr(o.out, "1.5x apart"), "%s", o.out);
	PB_CHECK_MSG(count(o.out, "topology: synthetic (a run before") == 1 &&
			 !strstr(o.out, "not this machine's"),
		     "%s", o.out);

	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
