/* SPDX-License-Identifier: MIT */
/*
 * harness/counters_rusage.c - the last rung: getrusage(RUSAGE_THREAD) and
 * the thread's CPU clock.  Always there on Linux; counts the thread's
 * faults, context switches and user/system time (both domains, reported
 * apart), and its precise CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID):
 * thread_cpu_ns).
 *
 * The user/system split is tick-sampled.  Linux keeps a thread's precise
 * runtime (what CLOCK_THREAD_CPUTIME_ID reads) but divides it into user
 * and system time by the ticks that found the thread in either mode
 * (cputime_adjust: the runtime scaled by the tick counts, never going
 * backwards).  A repetition that spans fewer than two ticks of CPU gets
 * zero or one sample: its ru_utime_ns / ru_stime_ns are 0 / all of it or
 * whatever catching up the scaling does, not a measurement (a
 * sub-millisecond repetition read ru_utime_ns 0).  Those two are NA then,
 * with the reason; thread_cpu_ns always has the repetition's CPU time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "counters_backend.h"
#include "pagebench/atomic.h"

struct ru_set {
	struct rusage ru0;
	struct timespec cpu0;
	int ok0;     /* ru0 was read: a failed read at the start is NA at the stop
		      * (it was the difference from a stale or zeroed ru0) */
	int cpu_ok0; /* cpu0 was read */
};

/*
 * The least CPU time (ns) of a repetition whose user/system split is kept:
 * two ticks.  The kernel's tick (CONFIG_HZ) is not exported; USER_HZ,
 * sysconf(_SC_CLK_TCK), is the unit of /proc's times (100 on every
 * architecture but alpha), and the mainline tick is never longer than it
 * (HZ is 100, 250, 300 or 1000; 128 on one arm SoC): 1 s / _SC_CLK_TCK
 * bounds a tick from above.  On a HZ=1000 kernel the bound is ten ticks,
 * so a repetition of 2-20 ms of CPU is NA though its split had a few
 * samples: conservative, never a split from one sample.  Two ticks, not
 * one: a repetition of less than one tick can still be sampled once (the
 * tick falls inside it), which gives all of it to one mode; from two on
 * each mode's share is off by at most a tick.  Set by the probe.
 */
static uint64_t split_min_ns;

static void ru_probe(struct pb_ctr_state *st)
{
	struct rusage ru;
	int ok = getrusage(RUSAGE_THREAD, &ru) == 0;
	int e = errno;
	struct timespec ts;
	int cpu_ok = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0;
	int cpu_e = errno;
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100; /* USER_HZ on every architecture Linux runs on but alpha */
	uint64_t tick_ns = 1000000000ULL / (uint64_t)hz;
	split_min_ns = 2 * tick_ns;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (strcmp(pb_ctr_desc[c].source, "rusage"))
			continue;
		int cok = c == PB_CTR_THREAD_CPU_NS ? cpu_ok : ok;
		st->avail[c] = cok;
		st->domain[c] = cok ? "user+kernel" : NULL;
		if (!cok)
			snprintf(st->reason[c], sizeof(st->reason[c]), "%s: %s",
				 c == PB_CTR_THREAD_CPU_NS
				     ? "clock_gettime(CLOCK_THREAD_CPUTIME_ID)"
				     : "getrusage(RUSAGE_THREAD)",
				 strerror(c == PB_CTR_THREAD_CPU_NS ? cpu_e : e));
	}
	for (int c = PB_CTR_RU_UTIME_NS; c <= PB_CTR_RU_STIME_NS; c++)
		snprintf(st->rep_reason[c], sizeof(st->rep_reason[c]),
			 "user/system split is tick-sampled: the repetition used under 2 ticks of "
			 "CPU (thread_cpu_ns < %llu; a tick taken as at most 1/%ld s, "
			 "sysconf(_SC_CLK_TCK)), too few samples to split it",
			 (unsigned long long)split_min_ns, hz);
}

static void *ru_open(void)
{
	return calloc(1, sizeof(struct ru_set));
}

static void ru_start(void *s, unsigned pass)
{
	(void)pass;
	struct ru_set *r = s;
	r->ok0 = getrusage(RUSAGE_THREAD, &r->ru0) == 0;
	/* the clock last: it brackets the body more tightly */
	r->cpu_ok0 = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &r->cpu0) == 0;
}

static uint64_t tv_ns(struct timeval a, struct timeval b)
{
	int64_t d = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000LL +
		    (int64_t)(b.tv_usec - a.tv_usec) * 1000LL;
	return d > 0 ? (uint64_t)d : 0;
}

static uint64_t ts_ns(struct timespec a, struct timespec b)
{
	int64_t d =
	    (int64_t)(b.tv_sec - a.tv_sec) * 1000000000LL + (int64_t)(b.tv_nsec - a.tv_nsec);
	return d > 0 ? (uint64_t)d : 0;
}

static void ru_stop(void *s, unsigned pass, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	(void)pass;
	struct ru_set *r = s;
	struct timespec cpu1;
	int cpu_ok = r->cpu_ok0 && clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1) == 0;
	if (cpu_ok) {
		v[PB_CTR_THREAD_CPU_NS] = ts_ns(r->cpu0, cpu1);
		ok[PB_CTR_THREAD_CPU_NS] = 1;
	}
	struct rusage ru1;
	if (!r->ok0 || getrusage(RUSAGE_THREAD, &ru1))
		return;
	v[PB_CTR_RU_MINFLT] = (uint64_t)(ru1.ru_minflt - r->ru0.ru_minflt);
	v[PB_CTR_RU_MAJFLT] = (uint64_t)(ru1.ru_majflt - r->ru0.ru_majflt);
	v[PB_CTR_RU_NVCSW] = (uint64_t)(ru1.ru_nvcsw - r->ru0.ru_nvcsw);
	v[PB_CTR_RU_NIVCSW] = (uint64_t)(ru1.ru_nivcsw - r->ru0.ru_nivcsw);
	v[PB_CTR_RU_UTIME_NS] = tv_ns(r->ru0.ru_utime, ru1.ru_utime);
	v[PB_CTR_RU_STIME_NS] = tv_ns(r->ru0.ru_stime, ru1.ru_stime);
	for (int c = PB_CTR_RU_MINFLT; c <= PB_CTR_RU_NIVCSW; c++)
		ok[c] = 1;
	/* The split's judge is the precise CPU time; without it (the clock
	 * failed) the split's own sum, which tracks the runtime. */
	uint64_t cpu =
	    cpu_ok ? v[PB_CTR_THREAD_CPU_NS] : v[PB_CTR_RU_UTIME_NS] + v[PB_CTR_RU_STIME_NS];
	int split = cpu >= split_min_ns;
	for (int c = PB_CTR_RU_UTIME_NS; c <= PB_CTR_RU_STIME_NS; c++) {
		ok[c] = split;
		/* the reason applies from now on (measure.c asks after the
		 * team's join; threads store it at once: atomic) */
		if (!split)
			pb_atomic_store(&pb_ctr_st.rep_na_seen[c], 1, PB_RELAXED);
	}
}

static void ru_close(void *s)
{
	free(s);
}

const struct pb_ctr_backend pb_ctr_backend_rusage = {
    .name = "rusage",
    .probe = ru_probe,
    .open = ru_open,
    .start = ru_start,
    .stop = ru_stop,
    .close = ru_close,
};
