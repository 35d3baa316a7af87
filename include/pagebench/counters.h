/*
 * pagebench/counters.h - the counter ladder and the engine's own events.
 *
 * Per thread, three rungs, each probed at start-up and each counter either
 * read or reported NA with the reason (never 0):
 *   1. PAPI hardware presets: PAPI_TOT_CYC, PAPI_TOT_INS, PAPI_L1_DCM,
 *      PAPI_L2_DCM, PAPI_L3_TCM, PAPI_TLB_DM, PAPI_TLB_IM (each queried);
 *   2. Linux software events via perf_event_open: minor and major page
 *      faults, task clock, context switches;
 *   3. getrusage(RUSAGE_THREAD): minor/major faults, voluntary and
 *      involuntary context switches, user and system time.
 * The build can leave PAPI out (-DPAGEBENCH_WITH_PAPI=OFF); the rung then
 * reads NA with "built without PAPI".
 *
 * The engine's own counts are also published as PAPI software-defined events
 * (libsde), library "pagebench", so that PAPI tools (papi_native_avail,
 * PAPI_add_named_event("sde:::pagebench::faults")) read them.
 */
#ifndef PAGEBENCH_COUNTERS_H
#define PAGEBENCH_COUNTERS_H

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
	PB_CTR__COUNT
};

/* Column name in runs.csv (units in the name), e.g. "papi_tot_cyc". */
const char *pb_ctr_column(enum pb_ctr c);
/* Rung: "papi", "perf", "rusage". */
const char *pb_ctr_source(enum pb_ctr c);

/*
 * Probe which counters work on this machine (once, process-wide).  Safe to
 * call repeatedly.  Environment PAGEBENCH_COUNTERS=none|sw|rusage forces the
 * ladder to start at a lower rung (for tests and for overhead-free runs).
 */
void pb_counters_probe(void);
/* 1 if counter c is available; otherwise reason is set (static string). */
int pb_ctr_available(enum pb_ctr c, const char **reason);
/* Print the availability table (`pagebench list counters`). */
void pb_counters_print(FILE *f);
/* JSON object {"papi_tot_cyc": {"available": false, "source": "papi", "reason": "..."}, ...} (malloc'ed). */
char *pb_counters_json(void);

/* Per-thread counter set: create on the measured thread. */
struct pb_ctrset;
struct pb_ctrset *pb_ctrset_open(void);
void pb_ctrset_start(struct pb_ctrset *s);
/* Stop and store deltas; v[c] valid only where ok[c] != 0. */
void pb_ctrset_stop(struct pb_ctrset *s, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT]);
void pb_ctrset_close(struct pb_ctrset *s);

/*
 * Software-defined events (libsde).  Register a 64-bit counter that the
 * caller updates (plain or atomic adds); PAPI reads it by name as
 * "sde:::pagebench::<name>".  No-op when built without PAPI.
 */
void pb_sde_register(const char *name, const char *description, long long *counter);

#endif /* PAGEBENCH_COUNTERS_H */
