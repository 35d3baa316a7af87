/* SPDX-License-Identifier: MIT */
/*
 * What meta.json says about the counters agrees with the machine record
 * and with the run's CSVs (read back with jansson and the project's CSV
 * reader):
 *  - "is this a VM" has one answer: counters.vm_without_pmu is true only
 *    where virtualized is true, and its reason (vm_without_pmu_reason,
 *    and `list counters`' note) starts with virtualized_evidence (the
 *    counters read /proc/cpuinfo's hypervisor flag, meta.json the CPUID
 *    bit, DMI and /sys/hypervisor, each with its own evidence);
 *  - PAGEBENCH_COUNTERS=sw|rusage|none: counters.note says why no PAPI
 *    preset is counted, naming the setting (it was empty), as do every
 *    papi_* column's reason, its not_available entry and `list counters`;
 *    machine_available is null for a rung the setting skipped (not
 *    probed);
 *  - counters.columns.X.available is this run's: true exactly where a
 *    measured repetition of runs.csv has a value (ru_* with procs=1 were
 *    "available" with every row NA), with the run's reason where false
 *    (ru_utime_ns / ru_stime_ns of short repetitions: "tick-sampled");
 *    machine_available keeps the probe's answer; availability says "run",
 *    and "machine" for mrc, which reads no counters.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char top[4096];
static const char *bin; /* argv[1] */
static int nroot;
static struct spawn_out o;

/* A fresh results root under top for the next run (static). */
static const char *next_root(void)
{
	static char root[4200];
	snprintf(root, sizeof(root), "%.4096s/%d", top, nroot++);
	return root;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* `pagebench list counters` with env: its stdout (static). */
static const char *list_counters(char *const *env)
{
	char *a[] = {(char *)bin, "list", "counters", NULL};
	spawn_run(a, env, &o);
	PB_CHECK_MSG(o.code == 0, "list counters: exit %d: %s", o.code, o.err);
	return o.out;
}

/* 1: virtualized and the counters' VM verdict agree, with one evidence. */
static void check_vm(void)
{
	char dir[4400];
	json_t *m =
	    pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "run", "memtouch", "--threads",
			 "1", "--reps", "1", "--size", "256K", "--no-baseline", NULL);
	if (!m)
		return;
	json_t *virt = json_object_get(m, "virtualized"), *c = json_object_get(m, "counters");
	const char *ev = jstr(m, "virtualized_evidence");
	PB_CHECK(ev && *ev);
	int vm = json_is_true(json_object_get(c, "vm_without_pmu"));
	PB_CHECK(json_is_boolean(json_object_get(c, "vm_without_pmu")));
	const char *why = jstr(c, "vm_without_pmu_reason");
	if (vm) {
		PB_CHECK_MSG(json_is_true(virt), "vm_without_pmu, yet virtualized is %s",
			     json_is_false(virt) ? "false" : "null");
		PB_CHECK_MSG(why && ev && !strncmp(why, ev, strlen(ev)),
			     "vm_without_pmu_reason '%s' does not start with "
			     "virtualized_evidence '%s'",
			     why ?: "(none)", ev ?: "(none)");
	} else {
		PB_CHECK_MSG(json_is_null(json_object_get(c, "vm_without_pmu_reason")),
			     "not a VM without a PMU, yet a reason: %s", why ?: "(not null)");
	}
	char line[1024];
	snprintf(line, sizeof(line), "note: this machine looks like a VM without a virtual PMU: %s",
		 ev ? ev : "?");
	const char *out = list_counters(NULL);
	if (vm)
		PB_CHECK_MSG(strstr(out, line), "list counters lacks '%s':\n%s", line, out);
	else
		PB_CHECK_MSG(!strstr(out, "VM without a virtual PMU"),
			     "list counters speaks of a VM; meta.json does not:\n%s", out);
	json_decref(m);
}

/* 2: a setting that skips PAPI says so in counters.note and every papi_*
 * reason. */
static void check_setting(const char *mode)
{
	char env0[64], dir[4400], want[96];
	snprintf(env0, sizeof(env0), "PAGEBENCH_COUNTERS=%s", mode);
	char *env[] = {env0, NULL};
	json_t *m = pbt_run_meta_env(bin, env, next_root(), &o, dir, sizeof(dir), "run", "memtouch",
				     "--threads", "1", "--reps", "1", "--size", "256K",
				     "--no-baseline", NULL);
	if (!m)
		return;
	snprintf(want, sizeof(want), "disabled by PAGEBENCH_COUNTERS=%s", mode);
	json_t *c = json_object_get(m, "counters");
	const char *note = jstr(c, "note");
	PB_CHECK_MSG(note && !strncmp(note, "no PAPI preset is counted: ", 27) &&
			 strstr(note, want),
		     "%s: counters.note '%s'", mode, note ?: "(null)");
	PB_CHECK(!strcmp(jstr(m, "counters_setting") ?: "", mode));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(c, "columns"), k, v)
	{
		const char *src = jstr(v, "source") ?: "";
		int skipped = !strcmp(src, "papi") ||
			      (!strcmp(mode, "rusage") && !strcmp(src, "perf")) ||
			      !strcmp(mode, "none");
		if (!skipped)
			continue;
		const char *na = jstr(json_object_get(m, "not_available"), k);
		PB_CHECK_MSG(json_is_false(json_object_get(v, "available")) &&
				 strstr(jstr(v, "reason") ?: "", want),
			     "%s: %s: reason '%s'", mode, k, jstr(v, "reason") ?: "(null)");
		PB_CHECK_MSG(json_is_null(json_object_get(v, "machine_available")),
			     "%s: %s: machine_available is not null (not probed)", mode, k);
		PB_CHECK_MSG(na && strstr(na, want), "%s: not_available.%s '%s'", mode, k,
			     na ?: "(null)");
	}
	char line[256];
	snprintf(line, sizeof(line), "hardware events: no PAPI preset is counted: %s\n", want);
	const char *out = list_counters(env);
	PB_CHECK_MSG(strstr(out, line), "%s: list counters lacks '%s':\n%s", mode, line, out);
	json_decref(m);
}

/* 3: each column's available is what the run's measured rows hold. */
static void check_run_availability(const char *param, int procs)
{
	char dir[4400], path[4600], err[4800];
	json_t *m = pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "run", "fault-anon",
				 "--threads", "1", "--reps", "2", "--size", "1M", "--no-baseline",
				 "--param", param, NULL);
	if (!m)
		return;
	PB_CHECK(!strcmp(jstr(json_object_get(m, "counters"), "availability") ?: "", "run"));
	snprintf(path, sizeof(path), "%.4400s/runs.csv", dir);
	struct pb_csv t;
	int rc = pb_csv_read_file(path, &t, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(m, "counters"), "columns"), k, v)
	{
		int has = 0, col = rc ? -1 : pb_csv_col(&t, k);
		PB_CHECK_MSG(rc || col >= 0, "runs.csv has no column %s", k);
		for (size_t r = 0; col >= 0 && r < t.nrows; r++)
			has |= !strcmp(pb_csv_get(&t, r, "warmup"), "0") &&
			       strcmp(pb_csv_cell(&t, r, col), "NA");
		int a = json_is_true(json_object_get(v, "available"));
		json_t *ma = json_object_get(v, "machine_available");
		PB_CHECK_MSG(a == has, "%s %s: available %d, yet runs.csv %s", param, k, a,
			     has ? "has values" : "is NA in every measured row");
		PB_CHECK_MSG(json_is_boolean(ma), "%s %s: machine_available not a boolean", param,
			     k);
		PB_CHECK_MSG(!a || json_is_true(ma), "%s %s: available here, not on the machine",
			     param, k);
		const char *why = jstr(v, "reason");
		PB_CHECK_MSG(a ? json_is_null(json_object_get(v, "reason")) : why && *why,
			     "%s %s: available %d, reason '%s'", param, k, a, why ?: "(null)");
		int rusage = !strcmp(jstr(v, "source") ?: "", "rusage"); /* ru_*, thread_cpu_ns */
		if (procs && rusage && json_is_true(ma))
			PB_CHECK_MSG(!a && strstr(why ?: "", "procs=1"),
				     "%s %s: available %d, reason '%s'", param, k, a,
				     why ?: "(null)");
		/* its user/system split: counted, or NA for repetitions of
		 * under 2 ticks of CPU (1 MiB of faults), saying so */
		int split = !strcmp(k, "ru_utime_ns") || !strcmp(k, "ru_stime_ns");
		if (!procs && rusage)
			PB_CHECK_MSG(
			    a || (split && strstr(why ?: "", "tick-sampled")),
			    "%s %s: getrusage and the thread's clock count the thread's own "
			    "work: available %d, reason '%s'",
			    param, k, a, why ?: "(null)");
	}
	if (!rc)
		pb_csv_free(&t);
	json_decref(m);
}

/* mrc reads no counters: its record is the machine's. */
static void check_machine_availability(void)
{
	char dir[4400];
	json_t *m = pbt_run_meta(bin, next_root(), &o, dir, sizeof(dir), "mrc", "--workload",
				 "zipf:pages=256,refs=2000", "--policy", "lru", "--frames",
				 "16:64:16", NULL);
	if (!m)
		return;
	PB_CHECK(!strcmp(jstr(json_object_get(m, "counters"), "availability") ?: "", "machine"));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(m, "counters"), "columns"), k, v)
	    PB_CHECK_MSG(json_equal(json_object_get(v, "available"),
				    json_object_get(v, "machine_available")),
			 "mrc: %s: available is not the machine's", k);
	json_decref(m);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_counters_meta PATH_TO_PAGEBENCH");
	bin = argv[1];
	unsetenv("PAGEBENCH_COUNTERS");
	setenv("PAGEBENCH_NO_PROGRESS", "1", 1);
	PB_CHECK(pbt_tmpdir(top, sizeof(top), "hActr") != NULL);
	check_vm();
	check_setting("sw");
	check_setting("rusage");
	check_setting("none");
	check_run_availability("procs=1", 1);
	check_run_availability("procs=0", 0);
	check_machine_availability();
	PB_CHECK(pbt_rmtree(top) == 0);
	return pb_test_done();
}
