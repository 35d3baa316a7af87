/* SPDX-License-Identifier: MIT */
/*
 * pagebench/counters.h - the counter ladder and the engine's own events.
 *
 * Per thread, three rungs, each a backend behind one small table
 * (harness/counters_papi.c, counters_perf.c, counters_rusage.c: probe,
 * open, start, stop, close), each probed at start-up and each counter
 * either read or reported NA with the reason (never 0):
 *   1. PAPI hardware presets: PAPI_TOT_CYC, PAPI_TOT_INS, PAPI_L1_DCM,
 *      PAPI_L2_DCM, PAPI_L3_TCM, PAPI_TLB_DM, PAPI_TLB_IM (each queried);
 *   2. Linux software events via perf_event_open: minor and major page
 *      faults, task clock, context switches;
 *   3. getrusage(RUSAGE_THREAD): minor/major faults, voluntary and
 *      involuntary context switches, user and system time; and the
 *      thread's precise CPU time (CLOCK_THREAD_CPUTIME_ID).  Linux splits
 *      user from system time by tick samples, so ru_utime_ns and
 *      ru_stime_ns are NA in a repetition of under 2 ticks of CPU
 *      (pb_ctr_rep_na_reason), where thread_cpu_ns still counts.
 * The build can leave PAPI out (-DPAGEBENCH_WITH_PAPI=OFF); the rung then
 * reads NA with "built without PAPI".
 *
 * Hardware presets are planned against the PMU (pb_ctr_plan_make): as many
 * as fit the programmable counters (PAPI_num_cmp_hwctrs) go in one event
 * set; more are split into passes that rotate over the repetitions (rep r
 * counts pass r % npasses; a column is NA in the other repetitions and its
 * median is over the repetitions that counted it), or multiplexed with
 * PAGEBENCH_COUNTERS_MULTIPLEX=1.  The method, each column's pass and its
 * domain (user+kernel where permitted, else user) are in meta.json.
 *
 * Caller: probe, available, print and json from any thread (the probe runs
 * once under a lock); a pb_ctrset only on the thread that opened it.
 *
 * The engine's own counts are also published as PAPI software-defined events
 * (libsde), library "pagebench", so that PAPI tools (papi_native_avail,
 * PAPI_add_named_event("sde:::pagebench::faults")) read them.
 */
#ifndef PAGEBENCH_COUNTERS_H
#define PAGEBENCH_COUNTERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pb_ctr {
	PB_CTR_CYCLES,
	PB_CTR_INSTRUCTIONS,
	PB_CTR_L1_DCM,
	PB_CTR_L2_DCM,
	PB_CTR_L3_TCM,
	PB_CTR_TLB_DM,
	PB_CTR_TLB_IM,
	PB_CTR_PF_MINOR,   /* perf sw */
	PB_CTR_PF_MAJOR,   /* perf sw */
	PB_CTR_TASK_CLOCK, /* perf sw, ns */
	PB_CTR_CTX_SWITCH, /* perf sw */
	PB_CTR_RU_MINFLT,  /* getrusage */
	PB_CTR_RU_MAJFLT,
	PB_CTR_RU_NVCSW,
	PB_CTR_RU_NIVCSW,
	PB_CTR_RU_UTIME_NS,
	PB_CTR_RU_STIME_NS,
	PB_CTR_THREAD_CPU_NS, /* clock_gettime(CLOCK_THREAD_CPUTIME_ID), rusage rung */
	PB_CTR__COUNT
};

/* Column name in runs.csv (units in the name), e.g. "papi_tot_cyc". */
const char *pb_ctr_column(enum pb_ctr c);
/* Rung: "papi", "perf", "rusage". */
const char *pb_ctr_source(enum pb_ctr c);

/*
 * Probe which counters work on this machine (once, process-wide).  Safe to
 * call repeatedly.  Environment PAGEBENCH_COUNTERS=all|sw|rusage|none
 * (unset: all) forces the ladder to start at a lower rung (for tests and
 * for overhead-free runs).
 */
void pb_counters_probe(void);
/*
 * Start the probe on a thread of its own, for a command that needs its
 * answer only at the end (sim and mrc describe the counters in meta.json
 * but read none): PAPI's start-up (2-3 ms, most of it libpfm's event
 * tables) then runs beside the replay instead of before the process can
 * exit.  pb_counters_probe joins it; so does exit.  Call from one thread
 * (the command's), before any other thread probes.
 */
void pb_counters_probe_start(void);
/* Check PAGEBENCH_COUNTERS: 0, or -EINVAL with one line in err (commands
 * turn it into a usage error, exit 2). */
int pb_counters_setting_check(char *err, size_t errlen);
/* Whether this machine is virtual: 1, 0, or -1 when not known; why gets
 * the evidence (harness/meta.c).  The one answer: meta.json's virtualized
 * and virtualized_evidence record it, and pb_counters_vm_without_pmu
 * starts from it, so the two never disagree. */
int pb_machine_virtual(char *why, size_t len);
/* 1 if the machine looks like a VM without a virtual PMU
 * (pb_machine_virtual says 1 and the kernel has no CPU PMU event source);
 * why gets the evidence, pb_machine_virtual's first. */
int pb_counters_vm_without_pmu(char *why, size_t len);
/* Why counter c, available here, can be NA in a repetition whose read
 * worked: its backend judged the value no measurement (ru_utime_ns,
 * ru_stime_ns: a repetition too short for the kernel's tick-sampled
 * user/system split).  NULL until a repetition of this process was judged
 * so, then a static string.  Any thread; after the measured threads'
 * join it has seen their repetitions. */
const char *pb_ctr_rep_na_reason(enum pb_ctr c);
/* Domain a working counter counts in: "user+kernel", "user", or NULL. */
const char *pb_ctr_domain(enum pb_ctr c);
/* 1 if counter c is available; otherwise reason is set (static string). */
int pb_ctr_available(enum pb_ctr c, const char **reason);
/* Print the availability table (`pagebench list counters`). */
void pb_counters_print(FILE *f);
/* JSON object {"papi_tot_cyc": {"available": false, "source": "papi", "reason": "..."}, ...}
 * (malloc'ed). */
char *pb_counters_json(void);
/* The same as a jansson object, plus "method", "passes", "note",
 * "vm_without_pmu" with "vm_without_pmu_reason", "availability" and per
 * column "machine_available", "domain" and "pass" (new reference).
 * "availability" says what a column's "available" means: "run" after
 * pb_counters_run_begin (counted in at least one measured repetition of
 * this run; otherwise NA with the run's reason, such as procs=1's), else
 * "machine" (the probe's answer: sim and mrc read no counters).
 * "machine_available" is always the probe's answer (null where
 * PAGEBENCH_COUNTERS skipped the column's rung: not probed). */
json_t *pb_counters_json_obj(void);

/*
 * What this process's measurement counted, for meta.json (a run is one
 * process: `run`, each task of a suite).  pb_counters_run_begin() when a
 * measurement session opens (it forgets an earlier one); then, once per
 * configuration and column, pb_counters_run_note(c, counted, why):
 * counted when a measured repetition read it, else why not (each
 * distinct reason kept once, joined by "; ", ending in "; ..." when the
 * room runs out: harness/internal.h's pb_reasons_add).  The command's
 * thread only.
 */
void pb_counters_run_begin(void);
void pb_counters_run_note(enum pb_ctr c, int counted, const char *why);

/* PAPI's version ("7.1.0.0") or NULL when built without PAPI; what happens
 * to the engine's events (libsde or not), one phrase. */
const char *pb_counters_papi_version(void);
const char *pb_counters_sde_note(void);

/* Hardware passes the plan needs (>= 1). */
unsigned pb_counters_npasses(void);

/* Per-thread counter set: create on the measured thread. */
struct pb_ctrset;
struct pb_ctrset *pb_ctrset_open(void);
/* Start counting for repetition rep (selects the pass rep % npasses). */
void pb_ctrset_start_rep(struct pb_ctrset *s, unsigned rep);
void pb_ctrset_start(struct pb_ctrset *s); /* = start_rep(s, 0) */
/* Stop and store deltas; v[c] valid only where ok[c] != 0. */
void pb_ctrset_stop(struct pb_ctrset *s, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT]);
void pb_ctrset_close(struct pb_ctrset *s);

/*
 * The event planner: a pure function of the PMU's capabilities, so it is
 * tested against tables of real CPUs on machines without a PMU.
 */
struct pb_ctr_cap {
	unsigned ncounters; /* programmable counters (PAPI_num_cmp_hwctrs) */
	unsigned nfixed;    /* fixed counters usable by fixed_ok events */
	int multiplex_ok;   /* the component can multiplex */
};
struct pb_ctr_want {
	const char *name; /* e.g. "PAPI_TLB_DM" */
	unsigned width;	  /* counters it occupies: native events of a derived preset */
	int fixed_ok;	  /* may live on a fixed counter (cycles, instructions) */
};
enum pb_ctr_method { PB_CTR_ONE_SET, PB_CTR_PASSES, PB_CTR_MULTIPLEX };
#define PB_CTR_MAX_WANT	  32
#define PB_CTR_EVERY_PASS (-2) /* on a fixed counter: counted in every pass */
#define PB_CTR_NO_PASS	  (-1) /* wider than the hardware: never counted */
struct pb_ctr_plan {
	enum pb_ctr_method method;
	unsigned npasses;
	int pass[PB_CTR_MAX_WANT]; /* pass index, PB_CTR_EVERY_PASS or PB_CTR_NO_PASS */
};
/* Plan n (<= PB_CTR_MAX_WANT) events; multiplex: prefer multiplexing over
 * passes when the events do not fit one set.  0 or -EINVAL. */
int pb_ctr_plan_make(const struct pb_ctr_cap *cap, const struct pb_ctr_want *want, size_t n,
		     int multiplex, struct pb_ctr_plan *out);
const char *pb_ctr_method_name(enum pb_ctr_method m);

/*
 * Software-defined events (libsde).  Register a 64-bit counter that the
 * caller updates (plain or atomic adds); PAPI reads it by name as
 * "sde:::pagebench::<name>".  No-op when built without PAPI.
 */
void pb_sde_register(const char *name, const char *description, long long *counter);

#endif /* PAGEBENCH_COUNTERS_H */
