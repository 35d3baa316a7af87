/* SPDX-License-Identifier: MIT */
/*
 * harness/c2c.c - the cache-line round trip between the machine's CPUs, a
 * line of every meta.json (cpu_round_trip).
 *
 * Why.  Everything a second thread adds to a run that shares data - a
 * remote free, a policy section another CPU held last, a TLB shootdown, a
 * hand-off of frames - costs cache lines moving between CPUs, and what a
 * line's move costs is a property of the machine: on one socket a few tens
 * of nanoseconds, across sockets or dies a few hundred.  On a virtual
 * machine it is also a property of the moment: the host places the
 * guest's vCPUs, and moves them.  On the 2-vCPU guest pagebench is
 * developed on, the round trip measured here was 53-64 ns in some minutes
 * and 305-349 ns in others, and a two-thread replay took 0.12 s in the
 * first state and 0.29 s in the second (docs/performance.md, session 16).
 * A scaling number without this one cannot be compared with another.
 *
 * How.  Two threads, pinned to the home CPU (the first CPU the process
 * may run on) and to a partner, pass one 128-byte-aligned counter back and
 * forth: the home thread stores an odd value and spins until it reads the
 * next even one, which the partner stores when it has read the odd one (a
 * release store and acquire loads, as a lock hand-over).  C2C_BATCHES
 * batches of C2C_TRIPS round trips are timed with CLOCK_MONOTONIC; a
 * pair's figure is the median of the batches' mean round trip, so a batch
 * that another process's thread interrupted does not move it.  With more
 * than C2C_MAX_PAIRS partners they are sampled evenly over the CPU list
 * (the next CPU and the last one always among them: on the usual
 * numbering, a sibling and a CPU of the farthest node).  A pair that does
 * not finish within C2C_DEADLINE_NS (its partner CPU busy, or descheduled
 * for good) is recorded as not measured, never as a number.
 *
 * When.  At the start of a run (pb_run_mark_start, before a command's work,
 * or pb_run_create) and again in meta_json at its end (results.c): both go
 * into meta.json, and a run during which
 * the median moved by more than 2x says so on stderr.  `pagebench compare`
 * notes a difference of more than 1.5x between two runs' medians, and
 * `compare --machines` shows the medians side by side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "pagebench/atomic.h"
#include "pagebench/stats.h"

#define C2C_TRIPS	100
#define C2C_BATCHES	15
#define C2C_DEADLINE_NS 200000000ull /* per pair: 0.2 s */
#define C2C_JOIN_S	1	     /* a partner that never ran: waited for this long */

struct c2c_pair {
	PB_ALIGNED(2 * PB_CACHELINE) uint64_t flag; /* atomic: 2i+1 home, 2i+2 partner */
	PB_ALIGNED(2 * PB_CACHELINE) int cpu;	    /* the partner's CPU */
	int pinned;				    /* atomic: 1 pinned, -1 could not pin */
	int stop;				    /* atomic: the home thread gave up */
	uint64_t deadline;			    /* CLOCK_MONOTONIC ns */
};

static int pin_self(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

/* Wait until *w reaches v; 0, or -1 past the deadline or when told to stop
 * (looked at every 1024 spins: a clock read per round trip would be part
 * of the figure). */
static int wait_for(const uint64_t *w, uint64_t v, const int *stop, uint64_t deadline)
{
	for (unsigned spins = 0; pb_atomic_load(w, PB_ACQUIRE) != v; spins++) {
		pb_cpu_relax();
		if ((spins & 1023) == 1023 &&
		    ((stop && pb_atomic_load(stop, PB_RELAXED)) || pb_now_ns() > deadline))
			return -1;
	}
	return 0;
}

static void *partner(void *arg)
{
	struct c2c_pair *p = arg;
	if (pin_self(p->cpu)) {
		pb_atomic_store(&p->pinned, -1, PB_RELEASE);
		return NULL;
	}
	pb_atomic_store(&p->pinned, 1, PB_RELEASE);
	for (uint64_t i = 0;; i++) {
		if (wait_for(&p->flag, 2 * i + 1, &p->stop, p->deadline))
			return NULL;
		pb_atomic_store(&p->flag, 2 * i + 2, PB_RELEASE);
		if (i + 1 == (uint64_t)C2C_TRIPS * (C2C_BATCHES + 1))
			return NULL;
	}
}

/* One pair: the median batch's mean round trip in ns, or NAN with *why. */
static double measure_pair(int cpu, const char **why)
{
	struct c2c_pair *p = aligned_alloc(2 * PB_CACHELINE, sizeof(*p));
	if (!p) {
		*why = "out of memory";
		return NAN;
	}
	memset(p, 0, sizeof(*p));
	p->cpu = cpu;
	p->deadline = pb_now_ns() + C2C_DEADLINE_NS;
	pthread_t t;
	if (pthread_create(&t, NULL, partner, p)) {
		free(p);
		*why = "cannot start a thread";
		return NAN;
	}
	double batch[C2C_BATCHES], r = NAN;
	int pinned;
	while (!(pinned = pb_atomic_load(&p->pinned, PB_ACQUIRE)) && pb_now_ns() < p->deadline)
		sched_yield();
	if (pinned != 1) {
		*why = pinned < 0 ? "cannot pin a thread to a partner CPU" : "partner never ran";
		goto out;
	}
	/* batch 0 warms up (the partner's first wake-up, the line's first
	 * move); batches 1.. are timed */
	uint64_t i = 0;
	for (unsigned b = 0; b <= C2C_BATCHES; b++) {
		uint64_t t0 = pb_now_ns();
		for (unsigned k = 0; k < C2C_TRIPS; k++, i++) {
			pb_atomic_store(&p->flag, 2 * i + 1, PB_RELEASE);
			if (wait_for(&p->flag, 2 * i + 2, NULL, p->deadline)) {
				*why = "no round trip within 0.2 s (the partner CPU is busy)";
				goto out;
			}
		}
		if (b)
			batch[b - 1] = (double)(pb_now_ns() - t0) / C2C_TRIPS;
	}
	r = pb_stat_median(batch, C2C_BATCHES);
out:
	pb_atomic_store(&p->stop, 1, PB_RELAXED);
	/* a partner that never got its CPU must not hang the run: after a
	 * grace period it is left behind (detached, its pair not freed) */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += C2C_JOIN_S;
	if (pthread_timedjoin_np(t, NULL, &ts)) {
		pthread_detach(t);
		*why = "a partner thread did not stop";
		return NAN;
	}
	free(p);
	return r;
}

void pb_c2c_set_read(struct pb_c2c_set *s)
{
	memset(s, 0, sizeof(*s));
	/* the mask at any size (CPU_SETSIZE is 1024): grown until it fits */
	for (int size = 1024; size <= (1 << 20); size *= 4) {
		cpu_set_t *m = CPU_ALLOC((size_t)size);
		if (!m)
			return;
		size_t bytes = CPU_ALLOC_SIZE((size_t)size);
		if (sched_getaffinity(0, bytes, m)) {
			CPU_FREE(m);
			if (errno == EINVAL)
				continue;
			return;
		}
		int n = CPU_COUNT_S(bytes, m), k = 0;
		s->ncpus = n;
		/* the home CPU, then partners: indices 1 .. n-1 of the list,
		 * evenly sampled, the first and the last kept */
		unsigned np = n > 1 ? (unsigned)n - 1 : 0;
		if (np > PB_C2C_MAX_PAIRS)
			np = PB_C2C_MAX_PAIRS;
		for (int c = 0; c < size && s->n < np + 1 && k < n; c++) {
			if (!CPU_ISSET_S((size_t)c, bytes, m))
				continue;
			/* index k of the list: the home (0) or a sampled partner */
			unsigned want = s->n == 0 ? 0
					: np == 1 ? 1
						  : 1 + (unsigned)((uint64_t)(s->n - 1) *
								   (unsigned)(n - 2) / (np - 1));
			if ((unsigned)k == want)
				s->cpu[s->n++] = c;
			k++;
		}
		CPU_FREE(m);
		return;
	}
}

void pb_c2c_measure(const struct pb_c2c_set *s, struct pb_c2c *out)
{
	memset(out, 0, sizeof(*out));
	out->ncpus = s->ncpus;
	out->home = s->n > 0 ? s->cpu[0] : -1;
	out->min_ns = out->median_ns = out->max_ns = NAN;
	if (s->n < 2) {
		snprintf(out->na, sizeof(out->na), "the process may run on %s",
			 s->ncpus == 1 ? "one CPU only" : "no CPU it can name");
		return;
	}
	const char *why = NULL;
	double ok[PB_C2C_MAX_PAIRS];
	unsigned nok = 0;
	cpu_set_t before;
	if (pthread_getaffinity_np(pthread_self(), sizeof(before), &before)) {
		snprintf(out->na, sizeof(out->na), "cannot read the thread's CPU affinity");
		return;
	}
	if (pin_self(out->home)) {
		snprintf(out->na, sizeof(out->na), "cannot pin a thread to CPU %d", out->home);
		return;
	}
	out->npairs = s->n - 1;
	for (unsigned k = 0; k < out->npairs; k++) {
		const char *w = NULL;
		out->cpu[k] = s->cpu[k + 1];
		out->ns[k] = measure_pair(out->cpu[k], &w);
		if (isnan(out->ns[k]))
			why = w;
		else
			ok[nok++] = out->ns[k];
	}
	(void)pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
	if (!nok) {
		snprintf(out->na, sizeof(out->na), "%s", why ? why : "no pair measured");
		return;
	}
	out->min_ns = out->max_ns = ok[0];
	for (unsigned k = 1; k < nok; k++) {
		out->min_ns = fmin(out->min_ns, ok[k]);
		out->max_ns = fmax(out->max_ns, ok[k]);
	}
	out->median_ns = pb_stat_median(ok, nok);
}

/* A number, or null when not measured. */
static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 10) / 10);
}

json_t *pb_c2c_json(const struct pb_c2c *c)
{
	json_t *o = json_object();
	json_t *pairs = json_array();
	for (unsigned k = 0; k < c->npairs; k++)
		json_array_append_new(
		    pairs, json_pack("{s:i, s:o}", "cpu", c->cpu[k], "ns", num(c->ns[k])));
	json_object_set_new(o, "pairs", pairs);
	json_object_set_new(o, "min_ns", num(c->min_ns));
	json_object_set_new(o, "median_ns", num(c->median_ns));
	json_object_set_new(o, "max_ns", num(c->max_ns));
	json_object_set_new(o, "na", c->na[0] ? json_string(c->na) : json_null());
	return o;
}

json_t *pb_c2c_run_json(const struct pb_c2c *start, const struct pb_c2c *end)
{
	json_t *o = json_object();
	json_object_set_new(o, "home_cpu", json_integer(start->home));
	json_object_set_new(o, "cpus", json_integer(start->ncpus));
	json_object_set_new(
	    o, "method",
	    json_string("one cache line passed back and forth between a thread pinned to home_cpu "
			"and one pinned to each partner cpu (at most 8, sampled evenly); per pair "
			"the median of 15 batches' mean round trip of 100 passes, in ns"));
	json_object_set_new(o, "start", pb_c2c_json(start));
	json_object_set_new(o, "end", pb_c2c_json(end));
	return o;
}

int pb_c2c_moved(const struct pb_c2c *start, const struct pb_c2c *end, double factor)
{
	double a = start->median_ns, b = end->median_ns;
	if (isnan(a) || isnan(b) || a <= 0 || b <= 0)
		return 0;
	return a > b * factor || b > a * factor;
}

double pb_meta_round_trip(json_t *meta, const char **which, const char **why)
{
	json_t *rt = json_object_get(meta, "cpu_round_trip");
	static const char *const at[] = {"start", "end"};
	const char *first_why = NULL;
	for (size_t i = 0; i < PB_ARRAY_SIZE(at); i++) {
		json_t *m = json_object_get(rt, at[i]);
		json_t *v = json_object_get(m, "median_ns");
		if (json_is_number(v) && json_number_value(v) > 0) {
			if (which)
				*which = at[i];
			if (why) /* the end's figure: why the start's is missing */
				*why = i ? (first_why ? first_why : "not measured") : NULL;
			return json_number_value(v);
		}
		if (!first_why)
			first_why = json_string_value(json_object_get(m, "na"));
	}
	if (which)
		*which = "";
	if (why) /* this file says why; a run before it has no cpu_round_trip */
		*why = first_why ? first_why
		       : rt	 ? "not measured"
				 : "not recorded (a run before cpu_round_trip)";
	return NAN;
}
