/* SPDX-License-Identifier: MIT */
/*
 * meta.json describes the machine and the build as they are, and says
 * "not known" as null with the reason in not_available, never as 0 or a
 * placeholder string.  `run frames-alloc-free`'s meta.json, read back with
 * jansson, against what this test reads itself (sysfs, procfs, its own
 * hwloc topology, the build's config.h):
 *  - build.c_flags and build.features are the build's (a -march=native
 *    build: test_native_flags);
 *  - libraries.hwloc is the hwloc library that runs (its topology's
 *    hwlocVersion, as the topology XML records), libraries.hwloc_api its
 *    API version (hwloc_get_api_version(), 2.8.0 for 2.9.0);
 *  - cpu_family, cpu_model_number, cpu_stepping: hwloc's package info where
 *    it has them (x86); virtualized (true where /proc/cpuinfo says
 *    "hypervisor") and virtualized_evidence; clocksource, numa_balancing,
 *    cpufreq_governor, thp_enabled, thp_defrag, perf_event_paranoid: the
 *    files' first lines, or null with the reason;
 *  - counters: where no PAPI preset is counted (a VM without a PMU), one
 *    set of one pass and a note that says why (it said "passes", 2), and
 *    no not_available reason speaks of rotating passes; `list counters`
 *    says the same;
 *  - config.kernel_params.held, not given and without a default, is null
 *    (it was 0, a value --param refuses), config.options.ops and size
 *    likewise; the held set used is config.kernel_resolved's (1024, 16 for
 *    order 9, or the one given).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/config.h"
#include "pbtest.h"
#include "spawn.h"

#if PB_HAVE_HWLOC
#include <hwloc.h>
#endif

static char top[4096];
static int nroot;

/* meta.json of `run frames-alloc-free [--param P]` (a new reference) or NULL. */
static json_t *run(const char *param)
{
	static struct spawn_out o;
	char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	/* without a param the words end before --param */
	return pbt_run_meta(getenv("PB_BIN"), root, &o, NULL, 0, "run", "frames-alloc-free",
			    "--threads", "1", "--reps", "1", "--ops", "2000", "--no-baseline",
			    param ? "--param" : NULL, param, (char *)NULL);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* null with a reason in not_available, or not null */
static void check_na(json_t *m, const char *key, json_t *v)
{
	const char *why = jstr(json_object_get(m, "not_available"), key);
	PB_CHECK_MSG(v != NULL, "%s missing", key);
	if (json_is_null(v))
		PB_CHECK_MSG(why && *why, "%s is null without a reason in not_available", key);
}

/* key is the first line of path (a string, or an integer when as_int), or
 * null with a reason where path cannot be read */
static void check_file(json_t *m, const char *key, const char *path, int as_int)
{
	json_t *v = json_object_get(m, key);
	check_na(m, key, v);
	size_t n; /* pb_slurp's len is not optional (kernels/base/util.c) */
	char *f = pb_slurp(path, &n);
	if (!f || !*f) {
		PB_CHECK_MSG(json_is_null(v), "%s: %s unreadable, yet not null", key, path);
	} else {
		f[strcspn(f, "\n")] = 0;
		if (as_int)
			PB_CHECK_MSG(json_is_integer(v) && json_integer_value(v) == atoll(f),
				     "%s: %s reads '%s'", key, path, f);
		else
			PB_CHECK_MSG(jstr(m, key) && !strcmp(jstr(m, key), f),
				     "%s is '%s', %s reads '%s'", key, jstr(m, key) ?: "(null)",
				     path, f);
	}
	free(f);
}

/* config.kernel_params.held and config.kernel_resolved.frames-alloc-free.held */
static void check_held(json_t *m, json_int_t given, json_int_t used)
{
	json_t *cfg = json_object_get(m, "config");
	json_t *h = json_object_get(json_object_get(cfg, "kernel_params"), "held");
	if (given)
		PB_CHECK_MSG(json_integer_value(h) == given, "kernel_params.held is not %lld",
			     (long long)given);
	else
		PB_CHECK_MSG(json_is_null(h), "kernel_params.held not given, yet not null");
	json_t *r = json_object_get(
	    json_object_get(json_object_get(cfg, "kernel_resolved"), "frames-alloc-free"), "held");
	PB_CHECK_MSG(json_integer_value(json_object_get(r, "value")) == used,
		     "kernel_resolved held is not %lld", (long long)used);
	PB_CHECK(jstr(r, "why") && *jstr(r, "why"));
}

/* cpu_family, cpu_model_number, cpu_stepping: integers or null with the
 * reason; hwloc, this process's own view: a one-PU synthetic topology's
 * version is the library's, the first package's CPU numbers the machine's */
static void check_hwloc(json_t *m)
{
	/* meta.json's key, hwloc's package info */
	static const char *const keys[][2] = {{"cpu_family", "CPUFamilyNumber"},
					      {"cpu_model_number", "CPUModelNumber"},
					      {"cpu_stepping", "CPUStepping"}};
	for (size_t i = 0; i < PB_ARRAY_SIZE(keys); i++) {
		json_t *x = json_object_get(m, keys[i][0]);
		check_na(m, keys[i][0], x);
		PB_CHECK(json_is_null(x) || json_is_integer(x));
	}
#if !PB_HAVE_HWLOC
	json_t *na = json_object_get(m, "not_available");
	PB_CHECK(jstr(na, "libraries.hwloc") && jstr(na, "libraries.hwloc_api"));
#else
	json_t *lib = json_object_get(m, "libraries");
	hwloc_topology_t t;
	PB_CHECK(!hwloc_topology_init(&t) && !hwloc_topology_set_synthetic(t, "pu:1") &&
		 !hwloc_topology_load(t));
	const char *v = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t), "hwlocVersion");
	PB_CHECK_MSG(v && jstr(lib, "hwloc") && !strcmp(jstr(lib, "hwloc"), v),
		     "libraries.hwloc '%s', the library is '%s'", jstr(lib, "hwloc") ?: "(null)",
		     v ?: "?");
	char xmlv[128];
	snprintf(xmlv, sizeof(xmlv), "name=\"hwlocVersion\" value=\"%s\"", v ? v : "?");
	const char *xml = jstr(json_object_get(m, "topology"), "hwloc_xml");
	if (!getenv("HWLOC_XMLFILE")) /* else the XML's exporter's version */
		PB_CHECK_MSG(xml && strstr(xml, xmlv), "the topology XML has no %s", xmlv);
	hwloc_topology_destroy(t);
	unsigned a = hwloc_get_api_version();
	char api[32];
	snprintf(api, sizeof(api), "%u.%u.%u", a >> 16, (a >> 8) & 0xff, a & 0xff);
	PB_CHECK_MSG(jstr(lib, "hwloc_api") && !strcmp(jstr(lib, "hwloc_api"), api),
		     "libraries.hwloc_api '%s', not %s", jstr(lib, "hwloc_api") ?: "(null)", api);

	PB_CHECK(!hwloc_topology_init(&t) && !hwloc_topology_load(t));
	hwloc_obj_t pkg = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
	for (size_t i = 0; i < PB_ARRAY_SIZE(keys); i++) {
		json_t *x = json_object_get(m, keys[i][0]);
		const char *h = pkg ? hwloc_obj_get_info_by_name(pkg, keys[i][1]) : NULL;
		if (h)
			PB_CHECK_MSG(json_integer_value(x) == atoll(h), "%s: hwloc says %s",
				     keys[i][0], h);
	}
	hwloc_topology_destroy(t);
#endif
}

static void check_counters(json_t *m)
{
	json_t *c = json_object_get(m, "counters"), *cols = json_object_get(c, "columns");
	int counted = 0;
	const char *k;
	json_t *v;
	json_object_foreach(cols, k, v)
	{
		/* the probe's answer, which method and note describe */
		counted += !strcmp(jstr(v, "source") ?: "", "papi") &&
			   json_is_true(json_object_get(v, "machine_available"));
	}
	const char *note = jstr(c, "note");
	json_int_t passes = json_integer_value(json_object_get(c, "passes"));
	if (!counted) {
		PB_CHECK_MSG(!strcmp(jstr(c, "method") ?: "", "one_set") && passes == 1,
			     "nothing counted, yet method %s, %lld passes", jstr(c, "method"),
			     (long long)passes);
		PB_CHECK_MSG(note && !strncmp(note, "no PAPI preset is counted: ", 27) &&
				 strlen(note) > 27,
			     "note '%s'", note ?: "(null)");
	} else {
		PB_CHECK_MSG(note && strstr(note, "programmable counters"), "note '%s'",
			     note ?: "(null)");
	}
	if (passes == 1)
		json_object_foreach(json_object_get(m, "not_available"), k, v)
		{
			PB_CHECK_MSG(!strstr(json_string_value(v) ?: "", "passes that rotate"),
				     "%s: '%s' with one pass", k, json_string_value(v));
		}

	static struct spawn_out o;
	char *a[] = {getenv("PB_BIN"), "list", "counters", NULL};
	spawn_run(a, NULL, &o);
	char line[512];
	snprintf(line, sizeof(line), "hardware events: %s\n", note ? note : "?");
	PB_CHECK_MSG(o.code == 0 && strstr(o.out, line), "list counters lacks '%s': %s", line,
		     o.out);
}

static void check_machine(json_t *m)
{
	json_t *b = json_object_get(m, "build");
	PB_CHECK_MSG(jstr(b, "c_flags") && !strcmp(jstr(b, "c_flags"), PB_C_FLAGS),
		     "build.c_flags '%s'", jstr(b, "c_flags") ?: "(null)");
	PB_CHECK(jstr(b, "features") && !strcmp(jstr(b, "features"), PB_FEATURES));
	check_hwloc(m);

	json_t *virt = json_object_get(m, "virtualized");
	check_na(m, "virtualized", virt);
	PB_CHECK(json_is_boolean(virt) || json_is_null(virt));
	PB_CHECK(jstr(m, "virtualized_evidence") && *jstr(m, "virtualized_evidence"));
	size_t n;
	char *ci = pb_slurp("/proc/cpuinfo", &n);
	if (ci && strstr(ci, " hypervisor"))
		PB_CHECK_MSG(json_is_true(virt), "/proc/cpuinfo says hypervisor; virtualized: %s",
			     jstr(m, "virtualized_evidence"));
	free(ci);

	check_file(m, "clocksource",
		   "/sys/devices/system/clocksource/clocksource0/current_clocksource", 0);
	check_file(m, "numa_balancing", "/proc/sys/kernel/numa_balancing", 1);
	check_file(m, "cpufreq_governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		   0);
	check_file(m, "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled", 0);
	check_file(m, "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", 0);
	check_file(m, "perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid", 0);
	/* the machine's reasons are folded into not_available */
	PB_CHECK(json_object_get(m, "machine_not_available") == NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_meta_machine PATH_TO_PAGEBENCH");
	setenv("PB_BIN", argv[1], 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "metamachine") != NULL);

	json_t *m = run(NULL);
	if (m) {
		json_t *opt = json_object_get(json_object_get(m, "config"), "options");
		PB_CHECK(json_integer_value(json_object_get(opt, "ops")) == 2000);
		PB_CHECK_MSG(json_is_null(json_object_get(opt, "size")),
			     "options.size not given, yet not null");
		check_held(m, 0, 1024);
		check_machine(m);
		check_counters(m);
	}
	json_decref(m);
	m = run("order=9");
	if (m)
		check_held(m, 0, 16);
	json_decref(m);
	m = run("held=5");
	if (m)
		check_held(m, 5, 5);
	json_decref(m);

	pbt_rmtree(top);
	return pb_test_done();
}
