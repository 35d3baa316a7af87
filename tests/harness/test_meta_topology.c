/* SPDX-License-Identifier: MIT */
/*
 * A run under another machine's topology (HWLOC_SYNTHETIC, HWLOC_XMLFILE)
 * plans for that machine, binds no thread and measures this one; its
 * meta.json (read back with jansson) must describe the machine that ran:
 *  - topology_is_thissystem false and topology_source "synthetic:SPEC" or
 *    "xml:FILE" (the file's name), where a plain run says true and
 *    "hwloc";
 *  - topology's pus, cores and numa_nodes this machine's, as the OS
 *    reports them: the plain run's (hwloc's) counts, pus the CPUs of this
 *    process's affinity mask, online_cpus sysconf's (before 2026-12 they
 *    were the synthetic tree's: "16 cores, 4 NUMA nodes" on a 2-CPU VM,
 *    which compare --machines showed as the machine);
 *  - the tree the plans were made for under planned_topology, with its
 *    XML; topology.hwloc_xml null with the reason in not_available;
 *  - `run` says so on stderr in one line before it starts (it printed
 *    "pin compact" and nothing else), a plain run does not;
 *  - a non-empty HWLOC_SYNTHETIC wins over HWLOC_XMLFILE (as
 *    pb_topo_init loads them), an empty one is unset: in meta.json and
 *    in the note;
 *  - sim's meta.json the same.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/common.h"
#include "pagebench/config.h"
#include "pbtest.h"
#include "spawn.h"

#define SPEC "pack:2 numa:2 core:4 pu:2"
#define NOTE "the topology is not this machine's"

static char top[4096];
static int nroot;
static const char *bin;
static struct spawn_out o;

/* `run chase` (or sim when sim) with env's K=V: meta.json or NULL */
static json_t *run(char *const env[], int sim)
{
	char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	if (sim)
		return pbt_run_meta_env(bin, env, root, &o, NULL, 0, "sim", "--workload",
					"zipf:pages=200,refs=2000", "--policy", "lru", "--frames",
					"50", "--reps", "1", (char *)NULL);
	return pbt_run_meta_env(bin, env, root, &o, NULL, 0, "run", "chase", "--threads", "1",
				"--reps", "1", "--ops", "1000", "--no-baseline", (char *)NULL);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* the stderr line that carries the note: exactly one, naming what */
static void check_note(const char *what, const char *var)
{
	const char *l = strstr(o.err, NOTE);
	PB_CHECK_MSG(l && !strstr(l + 1, NOTE), "%s: no note, or several: %s", what, o.err);
	if (!l)
		return;
	while (l > o.err && l[-1] != '\n')
		l--;
	char line[2048];
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
	PB_CHECK_MSG(!strncmp(line, "pagebench run: note: ", 21) && strstr(line, var) &&
			 strstr(line, "not bound") && strstr(line, "measure this machine"),
		     "%s: the note '%s'", what, line);
}

/* a run under another machine's topology: this machine described (want:
 * the plain run's topology), the other one under planned_topology */
static void check_foreign(const char *what, json_t *m, json_t *want, const char *source)
{
	PB_CHECK_MSG(json_is_false(json_object_get(m, "topology_is_thissystem")),
		     "%s: topology_is_thissystem not false", what);
	PB_CHECK_MSG(jstr(m, "topology_source") && !strcmp(jstr(m, "topology_source"), source),
		     "%s: topology_source '%s', not '%s'", what, jstr(m, "topology_source") ?: "",
		     source);
	json_t *t = json_object_get(m, "topology");
	static const char *const k[] = {"pus", "cores", "numa_nodes"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(k); i++)
		PB_CHECK_MSG(jint(t, k[i]) > 0 && jint(t, k[i]) == jint(want, k[i]),
			     "%s: topology.%s %lld, this machine's (hwloc) %lld", what, k[i],
			     (long long)jint(t, k[i]), (long long)jint(want, k[i]));
	cpu_set_t set;
	if (!sched_getaffinity(0, sizeof(set), &set))
		PB_CHECK_MSG(jint(t, "pus") == CPU_COUNT(&set),
			     "%s: topology.pus %lld, this process may run on %d CPUs", what,
			     (long long)jint(t, "pus"), CPU_COUNT(&set));
	PB_CHECK(jint(m, "online_cpus") == sysconf(_SC_NPROCESSORS_ONLN));
	PB_CHECK_MSG(json_is_null(json_object_get(t, "hwloc_xml")) &&
			 jstr(json_object_get(m, "not_available"), "topology.hwloc_xml"),
		     "%s: topology.hwloc_xml not null with a reason", what);
	json_t *p = json_object_get(m, "planned_topology");
	PB_CHECK_MSG(jint(p, "cores") == 16 && jint(p, "pus") == 32 && jint(p, "numa_nodes") == 4,
		     "%s: planned_topology %lld cores, %lld PUs, %lld nodes", what,
		     (long long)jint(p, "cores"), (long long)jint(p, "pus"),
		     (long long)jint(p, "numa_nodes"));
	PB_CHECK(jstr(p, "hwloc_xml") && strstr(jstr(p, "hwloc_xml"), "<topology"));
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_meta_topology PATH_TO_PAGEBENCH");
	bin = argv[1];
	setenv("PAGEBENCH_NO_PROGRESS", "1", 1);
	unsetenv("HWLOC_SYNTHETIC");
	unsetenv("HWLOC_XMLFILE");
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "metatopo") != NULL);

	json_t *plain = run(NULL, 0);
	if (!plain)
		return pb_test_done();
	PB_CHECK(json_is_true(json_object_get(plain, "topology_is_thissystem")));
	PB_CHECK_MSG(jstr(plain, "topology_source") && !strcmp(jstr(plain, "topology_source"),
							       PB_HAVE_HWLOC ? "hwloc" : "sysconf"),
		     "topology_source '%s'", jstr(plain, "topology_source") ?: "");
	PB_CHECK(json_object_get(plain, "planned_topology") == NULL);
	PB_CHECK_MSG(!strstr(o.err, NOTE), "a plain run has the note: %s", o.err);
	json_t *want = json_object_get(plain, "topology");
#if !PB_HAVE_HWLOC
	json_decref(plain); /* built without hwloc: HWLOC_SYNTHETIC is not read */
	pbt_rmtree(top);
	return pb_test_done();
#endif

	char *syn[] = {"HWLOC_SYNTHETIC=" SPEC, NULL};
	json_t *m = run(syn, 0);
	if (m) {
		check_foreign("HWLOC_SYNTHETIC", m, want, "synthetic:" SPEC);
		check_note("HWLOC_SYNTHETIC", "HWLOC_SYNTHETIC='" SPEC "'");
		/* the synthetic tree's XML as another machine's file */
		const char *xml = jstr(json_object_get(m, "planned_topology"), "hwloc_xml");
		char path[4200], env[4300];
		snprintf(path, sizeof(path), "%s/other.xml", top);
		FILE *f = fopen(path, "w");
		PB_CHECK(f && xml && fputs(xml, f) >= 0);
		if (f)
			PB_CHECK(fclose(f) == 0);
		snprintf(env, sizeof(env), "HWLOC_XMLFILE=%s", path);
		char *xenv[] = {env, NULL};
		json_t *x = run(xenv, 0);
		if (x) {
			check_foreign("HWLOC_XMLFILE", x, want, "xml:other.xml");
			check_note("HWLOC_XMLFILE", path);
		}
		json_decref(x);
		/* both set: the non-empty HWLOC_SYNTHETIC is what was loaded, and
		 * what meta.json and the note name; an empty one is unset */
		char *both[] = {"HWLOC_SYNTHETIC=" SPEC, env, NULL};
		x = run(both, 0);
		if (x) {
			check_foreign("both", x, want, "synthetic:" SPEC);
			check_note("both", "HWLOC_SYNTHETIC='" SPEC "'");
			PB_CHECK_MSG(!strstr(o.err, "HWLOC_XMLFILE"), "both: %s", o.err);
		}
		json_decref(x);
		char *empty[] = {"HWLOC_SYNTHETIC=", env, NULL};
		x = run(empty, 0);
		if (x) {
			check_foreign("empty HWLOC_SYNTHETIC", x, want, "xml:other.xml");
			check_note("empty HWLOC_SYNTHETIC", path);
		}
		json_decref(x);
	}
	json_decref(m);
	m = run(syn, 1);
	if (m)
		check_foreign("sim", m, want, "synthetic:" SPEC);
	json_decref(m);
	json_decref(plain);
	pbt_rmtree(top);
	return pb_test_done();
}
