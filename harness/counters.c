/* SPDX-License-Identifier: MIT */
/*
 * harness/counters.c - the counter ladder: the column table, the rungs'
 * backend table (PAPI presets, Linux software events, getrusage and the
 * thread's CPU clock: one file each), the PAGEBENCH_COUNTERS setting, the
 * availability report and the per-thread sets.  Each counter is probed
 * once; what cannot be read is NA with the reason (the component's own
 * disabled_reason, errno text), never 0.  Engine events are published as
 * PAPI software-defined events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters_backend.h"
#include "internal.h"
#include "pagebench/atomic.h"
#include "pagebench/config.h"
#include "pagebench/counters.h"
#include "pagebench/results.h"

const struct ctr_desc pb_ctr_desc[PB_CTR__COUNT] = {
    [PB_CTR_CYCLES] = {"papi_tot_cyc", "papi", "PAPI_TOT_CYC", 0, 0},
    [PB_CTR_INSTRUCTIONS] = {"papi_tot_ins", "papi", "PAPI_TOT_INS", 0, 0},
    [PB_CTR_L1_DCM] = {"papi_l1_dcm", "papi", "PAPI_L1_DCM", 0, 0},
    [PB_CTR_L2_DCM] = {"papi_l2_dcm", "papi", "PAPI_L2_DCM", 0, 0},
    [PB_CTR_L3_TCM] = {"papi_l3_tcm", "papi", "PAPI_L3_TCM", 0, 0},
    [PB_CTR_TLB_DM] = {"papi_tlb_dm", "papi", "PAPI_TLB_DM", 0, 0},
    [PB_CTR_TLB_IM] = {"papi_tlb_im", "papi", "PAPI_TLB_IM", 0, 0},
    [PB_CTR_PF_MINOR] = {"perf_minor_faults", "perf", NULL, PERF_TYPE_SOFTWARE,
			 PERF_COUNT_SW_PAGE_FAULTS_MIN},
    [PB_CTR_PF_MAJOR] = {"perf_major_faults", "perf", NULL, PERF_TYPE_SOFTWARE,
			 PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    [PB_CTR_TASK_CLOCK] = {"perf_task_clock_ns", "perf", NULL, PERF_TYPE_SOFTWARE,
			   PERF_COUNT_SW_TASK_CLOCK},
    [PB_CTR_CTX_SWITCH] = {"perf_context_switches", "perf", NULL, PERF_TYPE_SOFTWARE,
			   PERF_COUNT_SW_CONTEXT_SWITCHES},
    [PB_CTR_RU_MINFLT] = {"ru_minflt", "rusage", NULL, 0, 0},
    [PB_CTR_RU_MAJFLT] = {"ru_majflt", "rusage", NULL, 0, 0},
    [PB_CTR_RU_NVCSW] = {"ru_nvcsw", "rusage", NULL, 0, 0},
    [PB_CTR_RU_NIVCSW] = {"ru_nivcsw", "rusage", NULL, 0, 0},
    [PB_CTR_RU_UTIME_NS] = {"ru_utime_ns", "rusage", NULL, 0, 0},
    [PB_CTR_RU_STIME_NS] = {"ru_stime_ns", "rusage", NULL, 0, 0},
    [PB_CTR_THREAD_CPU_NS] = {"thread_cpu_ns", "rusage", NULL, 0, 0},
};

/* The ladder, top rung first. */
static const struct pb_ctr_backend *const backends[] = {
    &pb_ctr_backend_papi,
    &pb_ctr_backend_perf,
    &pb_ctr_backend_rusage,
};

/* PAGEBENCH_COUNTERS values: the first rung kept. */
static const struct {
	const char *name;
	unsigned first; /* index into backends[]; PB_ARRAY_SIZE(backends): none */
} settings[] = {{"all", 0}, {"sw", 1}, {"rusage", 2}, {"none", 3}};

struct pb_ctr_state pb_ctr_st;
static int probed;
/* setting_first of the probe's PAGEBENCH_COUNTERS: the rungs it skipped */
static int probe_first;

/* 1 if the probe's PAGEBENCH_COUNTERS turned backend b off (a bad value
 * turns every rung off) */
static int rung_off(size_t b)
{
	return probe_first < 0 || b < (size_t)probe_first;
}

void pb_ctr_none_counted(struct pb_ctr_state *st, const char *why)
{
	st->method = PB_CTR_ONE_SET;
	st->npasses = 1;
	snprintf(st->method_note, sizeof(st->method_note), "no PAPI preset is counted: %.220s",
		 why);
}
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

const char *pb_ctr_column(enum pb_ctr c)
{
	return pb_ctr_desc[c].column;
}

const char *pb_ctr_source(enum pb_ctr c)
{
	return pb_ctr_desc[c].source;
}

/* -1 if the setting is not one of settings[]. */
static int setting_first(const char *v)
{
	if (!v || !*v)
		return 0;
	for (size_t i = 0; i < PB_ARRAY_SIZE(settings); i++)
		if (!strcmp(v, settings[i].name))
			return (int)settings[i].first;
	return -1;
}

int pb_counters_setting_check(char *err, size_t errlen)
{
	const char *v = getenv("PAGEBENCH_COUNTERS");
	if (setting_first(v) >= 0)
		return 0;
	snprintf(err, errlen, "bad PAGEBENCH_COUNTERS '%s' (expected all|sw|rusage|none)", v);
	return -EINVAL;
}

static void probe_once(void)
{
	pthread_mutex_lock(&probe_lock);
	if (probed) {
		pthread_mutex_unlock(&probe_lock);
		return;
	}
	const char *force = getenv("PAGEBENCH_COUNTERS");
	int first = setting_first(force);
	probe_first = first; /* before rung_off */
	pb_ctr_st.method = PB_CTR_ONE_SET;
	pb_ctr_st.npasses = 1;
	for (int c = 0; c < PB_CTR__COUNT; c++)
		pb_ctr_st.pass[c] = PB_CTR_EVERY_PASS;
	for (size_t b = 0; b < PB_ARRAY_SIZE(backends); b++) {
		if (rung_off(b)) {
			char why[sizeof(pb_ctr_st.reason[0])];
			snprintf(why, sizeof(why),
				 first < 0 ? "bad PAGEBENCH_COUNTERS=%.200s"
					   : "disabled by PAGEBENCH_COUNTERS=%.200s",
				 force);
			for (int c = 0; c < PB_CTR__COUNT; c++)
				if (!strcmp(pb_ctr_desc[c].source, backends[b]->name))
					snprintf(pb_ctr_st.reason[c], sizeof(pb_ctr_st.reason[c]),
						 "%s", why);
			/* The hardware note says why no preset is counted
			 * here too (it was empty: nothing said PAPI was
			 * skipped, or why). */
			if (backends[b] == &pb_ctr_backend_papi)
				pb_ctr_none_counted(&pb_ctr_st, why);
			continue;
		}
		backends[b]->probe(&pb_ctr_st);
	}
	probed = 1;
	pthread_mutex_unlock(&probe_lock);
}

/*
 * The probe ahead of need (pb_counters_probe_start): on a thread of its
 * own, joined by the first pb_counters_probe after it or at exit (before
 * the libraries' destructors: PAPI must not be torn down under it).
 * probe_thr_live: 1 from the start until one caller takes the join
 * (exchange, acquire-release: the joiner sees probe_thr written).
 */
static pthread_t probe_thr;
static int probe_thr_live;

static void *probe_thread(void *arg)
{
	(void)arg;
	probe_once();
	return NULL;
}

static void probe_join(void)
{
	if (pb_atomic_exchange(&probe_thr_live, 0, PB_ACQ_REL))
		(void)pthread_join(probe_thr, NULL);
}

void pb_counters_probe_start(void)
{
	static int registered;
	pthread_mutex_lock(&probe_lock);
	int skip = probed || pb_atomic_load(&probe_thr_live, PB_RELAXED);
	pthread_mutex_unlock(&probe_lock);
	if (skip)
		return;
	if (!registered && atexit(probe_join))
		return; /* no join at exit: probe when needed */
	registered = 1;
	if (!pthread_create(&probe_thr, NULL, probe_thread, NULL))
		pb_atomic_store(&probe_thr_live, 1, PB_RELEASE);
}

void pb_counters_probe(void)
{
	probe_join();
	probe_once();
}

int pb_ctr_available(enum pb_ctr c, const char **reason)
{
	pb_counters_probe();
	if (reason)
		*reason = pb_ctr_st.avail[c] ? NULL : pb_ctr_st.reason[c];
	return pb_ctr_st.avail[c];
}

const char *pb_ctr_rep_na_reason(enum pb_ctr c)
{
	pb_counters_probe();
	return pb_atomic_load(&pb_ctr_st.rep_na_seen[c], PB_RELAXED) && pb_ctr_st.rep_reason[c][0]
		   ? pb_ctr_st.rep_reason[c]
		   : NULL;
}

const char *pb_ctr_domain(enum pb_ctr c)
{
	pb_counters_probe();
	return pb_ctr_st.avail[c] ? pb_ctr_st.domain[c] : NULL;
}

unsigned pb_counters_npasses(void)
{
	pb_counters_probe();
	return pb_ctr_st.npasses ? pb_ctr_st.npasses : 1;
}

int pb_counters_vm_without_pmu(char *why, size_t len)
{
	/* Virtual or not: the machine description's one answer (meta.c),
	 * which meta.json's virtualized records; it was /proc/cpuinfo's
	 * hypervisor flag here, which an arm64 guest never shows. */
	char ev[384];
	if (pb_machine_virtual(ev, sizeof(ev)) != 1)
		return 0;
	/* A CPU PMU registers an event source: cpu (x86 big cores, older
	 * arm), cpu_core/cpu_atom (hybrid Intel), armv8_* (arm64). */
	static const char *const pmus[] = {
	    "cpu",	     "cpu_core",	 "cpu_atom",	    "armv8_pmuv3",
	    "armv8_pmuv3_0", "armv8_cortex_a53", "armv8_cortex_a72"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(pmus); i++) {
		char p[128];
		struct stat st;
		snprintf(p, sizeof(p), "/sys/bus/event_source/devices/%s", pmus[i]);
		if (stat(p, &st) == 0)
			return 0;
	}
	snprintf(why, len,
		 "%s, and the kernel registered no CPU PMU (/sys/bus/event_source/devices has no "
		 "cpu entry)",
		 ev);
	return 1;
}

void pb_counters_print(FILE *f)
{
	pb_counters_probe();
	fprintf(f, "%-24s %-7s %-5s %-12s %s\n", "column", "source", "works", "domain",
		"reason if not");
	for (int c = 0; c < PB_CTR__COUNT; c++)
		fprintf(f, "%-24s %-7s %-5s %-12s %s\n", pb_ctr_desc[c].column,
			pb_ctr_desc[c].source, pb_ctr_st.avail[c] ? "yes" : "NA",
			pb_ctr_st.avail[c] && pb_ctr_st.domain[c] ? pb_ctr_st.domain[c] : "-",
			pb_ctr_st.avail[c] ? "" : pb_ctr_st.reason[c]);
	if (pb_ctr_st.method_note[0])
		fprintf(f, "hardware events: %s\n", pb_ctr_st.method_note);
	char why[512];
	if (pb_counters_vm_without_pmu(why, sizeof(why)))
		fprintf(f,
			"note: this machine looks like a VM without a virtual PMU: %s; "
			"hardware counters read NA here\n",
			why);
	fprintf(f, "engine events: %s\n", pb_counters_sde_note());
}

/* ---- what this process's measurement counted (pb_counters_run_*) ---- */
static struct {
	int begun;
	unsigned counted[PB_CTR__COUNT]; /* configurations that counted c */
	char why[PB_CTR__COUNT][512];	 /* why others did not, each reason once */
} run_st;

void pb_counters_run_begin(void)
{
	memset(&run_st, 0, sizeof(run_st));
	run_st.begun = 1;
}

void pb_counters_run_note(enum pb_ctr c, int counted, const char *why)
{
	if (counted) {
		run_st.counted[c]++;
		return;
	}
	/* each distinct reason once; out of room, "; ..." (pb_reasons_add) */
	pb_reasons_add(run_st.why[c], sizeof(run_st.why[c]), run_st.why[c], why);
}

/* 1 if PAGEBENCH_COUNTERS skipped counter c's rung (it was not probed). */
static int rung_skipped(int c)
{
	for (size_t b = 0; b < PB_ARRAY_SIZE(backends); b++)
		if (!strcmp(pb_ctr_desc[c].source, backends[b]->name))
			return rung_off(b);
	return 0;
}

json_t *pb_counters_json_obj(void)
{
	pb_counters_probe();
	json_t *o = json_object();
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		int ma = pb_ctr_st.avail[c];
		/* In a run: available only where a measured repetition read
		 * it (ru_* of procs=1 were "available" on every row NA). */
		int a = ma && (!run_st.begun || run_st.counted[c]);
		const char *why = !ma		     ? pb_ctr_st.reason[c]
				  : a		     ? NULL
				  : run_st.why[c][0] ? run_st.why[c]
						     : "no measured repetition of this run read it "
						       "(no configuration finished)";
		json_t *e = json_object();
		json_object_set_new(e, "source", json_string(pb_ctr_desc[c].source));
		json_object_set_new(e, "available", json_boolean(a));
		json_object_set_new(e, "reason", a ? json_null() : pb_json_string_bytes(why));
		/* null: not probed (PAGEBENCH_COUNTERS skipped its rung) */
		json_object_set_new(e, "machine_available",
				    rung_skipped(c) ? json_null() : json_boolean(ma));
		json_object_set_new(e, "domain",
				    a && pb_ctr_st.domain[c] ? json_string(pb_ctr_st.domain[c])
							     : json_null());
		json_object_set_new(e, "pass",
				    a && pb_ctr_st.pass[c] >= 0 ? json_integer(pb_ctr_st.pass[c])
								: json_null());
		json_object_set_new(o, pb_ctr_desc[c].column, e);
	}
	json_t *r = json_object();
	json_object_set_new(r, "method", json_string(pb_ctr_method_name(pb_ctr_st.method)));
	json_object_set_new(r, "passes", json_integer(pb_ctr_st.npasses));
	json_object_set_new(r, "note", pb_json_string_bytes(pb_ctr_st.method_note));
	char why[512];
	int vm = pb_counters_vm_without_pmu(why, sizeof(why));
	json_object_set_new(r, "vm_without_pmu", json_boolean(vm));
	json_object_set_new(r, "vm_without_pmu_reason",
			    vm ? pb_json_string_bytes(why) : json_null());
	json_object_set_new(r, "availability", json_string(run_st.begun ? "run" : "machine"));
	json_object_set_new(r, "columns", o);
	return r;
}

char *pb_counters_json(void)
{
	json_t *o = pb_counters_json_obj();
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* ---- per-thread sets ---- */
struct pb_ctrset {
	void *b[PB_ARRAY_SIZE(backends)];
	unsigned rep;
};

struct pb_ctrset *pb_ctrset_open(void)
{
	pb_counters_probe();
	struct pb_ctrset *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	for (size_t b = 0; b < PB_ARRAY_SIZE(backends); b++) /* the rungs the probe kept */
		if (!rung_off(b))
			s->b[b] = backends[b]->open();
	return s;
}

void pb_ctrset_start_rep(struct pb_ctrset *s, unsigned rep)
{
	if (!s)
		return;
	s->rep = rep;
	/* Bottom rung first, top last: the hardware counters bracket the
	 * body most tightly. */
	for (size_t b = PB_ARRAY_SIZE(backends); b-- > 0;)
		if (s->b[b])
			backends[b]->start(s->b[b], rep);
}

void pb_ctrset_start(struct pb_ctrset *s)
{
	pb_ctrset_start_rep(s, 0);
}

void pb_ctrset_stop(struct pb_ctrset *s, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	memset(v, 0, sizeof(uint64_t) * PB_CTR__COUNT);
	memset(ok, 0, sizeof(int) * PB_CTR__COUNT);
	if (!s)
		return;
	for (size_t b = 0; b < PB_ARRAY_SIZE(backends); b++)
		if (s->b[b])
			backends[b]->stop(s->b[b], s->rep, v, ok);
}

void pb_ctrset_close(struct pb_ctrset *s)
{
	if (!s)
		return;
	for (size_t b = 0; b < PB_ARRAY_SIZE(backends); b++)
		if (s->b[b])
			backends[b]->close(s->b[b]);
	free(s);
}
