/* SPDX-License-Identifier: MIT */
/*
 * harness/counters_backend.h - the table every counter rung implements,
 * and the probe state the rungs fill in (private to harness/counters*.c).
 *
 * A backend owns the counters whose ctr_desc.source is its name.  probe()
 * runs once, under counters.c's lock, and sets for each of its counters
 * either st->avail[c] = 1 (with domain and pass) or a reason.  open() runs
 * on the measured thread and returns that thread's state (NULL: nothing
 * to count); start/stop bracket one repetition; stop() writes deltas and
 * sets ok[c] for the counters it read, and where it leaves a counter it
 * read NA (a value that is no measurement) sets rep_na_seen[c] for the
 * rep_reason[c] its probe wrote.
 */
#ifndef PAGEBENCH_HARNESS_COUNTERS_BACKEND_H
#define PAGEBENCH_HARNESS_COUNTERS_BACKEND_H

#include <stdint.h>

#include "pagebench/counters.h"

struct ctr_desc {
	const char *column;
	const char *source;
	const char *papi_name;		 /* papi rung */
	uint32_t perf_type, perf_config; /* perf rung (PERF_TYPE_SOFTWARE) */
};
extern const struct ctr_desc pb_ctr_desc[PB_CTR__COUNT];

struct pb_ctr_state {
	int avail[PB_CTR__COUNT];
	char reason[PB_CTR__COUNT][256];
	const char *domain[PB_CTR__COUNT];
	int pass[PB_CTR__COUNT]; /* PAPI pass, PB_CTR_EVERY_PASS for the others */
	/* Why a repetition's value of c was judged no measurement (its stop()
	 * left ok[c] 0 though the read worked), set by the probe; rep_na_seen
	 * [c]: some repetition was (stop() on any thread, atomic). */
	char rep_reason[PB_CTR__COUNT][256];
	int rep_na_seen[PB_CTR__COUNT];
	enum pb_ctr_method method;
	unsigned npasses;
	char method_note[256];
};
extern struct pb_ctr_state pb_ctr_st;

struct pb_ctr_backend {
	const char *name; /* "papi", "perf", "rusage" */
	void (*probe)(struct pb_ctr_state *st);
	void *(*open)(void);
	void (*start)(void *s, unsigned pass);
	void (*stop)(void *s, unsigned pass, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT]);
	void (*close)(void *s);
};
/* No PAPI preset is counted: one set of nothing, and the note says why (the
 * plan's method and passes are left for a probe that counts something);
 * the PAPI probe's and a PAGEBENCH_COUNTERS that skips it (counters.c). */
void pb_ctr_none_counted(struct pb_ctr_state *st, const char *why);

extern const struct pb_ctr_backend pb_ctr_backend_papi, pb_ctr_backend_perf, pb_ctr_backend_rusage;

#endif
