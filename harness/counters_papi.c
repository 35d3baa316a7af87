/* SPDX-License-Identifier: MIT */
/*
 * harness/counters_papi.c - the first rung: PAPI hardware presets, planned
 * against the PMU (see counters_plan.c and the contract in counters.h).
 *
 * Probe: init PAPI; for each preset, is it known, listed, and how many
 * native events does it take (PAPI_get_event_info().count); how many
 * programmable counters does the perf_event component have
 * (PAPI_num_cmp_hwctrs); plan; then build each pass's event set once with
 * the domain set explicitly (user+kernel, falling back to user where the
 * kernel refuses) and check that it starts.  A preset whose add or start
 * fails is NA with that reason, never "available".
 * This is the only file that mentions PAPI or libsde (the engine's
 * software-defined events are registered here too).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counters_backend.h"
#include "pagebench/config.h"

#if PB_HAVE_PAPI
#include <papi.h>
#endif
#if PB_HAVE_SDE
#include <sde_lib.h>
#endif

const char *pb_counters_papi_version(void)
{
#if PB_HAVE_PAPI
	static char v[32];
	snprintf(v, sizeof(v), "%d.%d.%d.%d", PAPI_VERSION_MAJOR(PAPI_VERSION),
		 PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION),
		 PAPI_VERSION_INCREMENT(PAPI_VERSION));
	return v;
#else
	return NULL;
#endif
}

const char *pb_counters_sde_note(void)
{
#if PB_HAVE_SDE
	return "published as PAPI SDEs sde:::pagebench::<name> (libsde)";
#else
	return "not published to PAPI (built without libsde)";
#endif
}

#if PB_HAVE_PAPI

static struct {
	int ok, cidx, dom, mpx;
	int code[PB_CTR__COUNT];
	int idx[PB_CTR__COUNT]; /* index into the plan's want[] or -1 */
} S;

static unsigned long thread_id_fn(void)
{
	return (unsigned long)syscall(SYS_gettid);
}

/* Every preset not yet NA is NA for the same reason, and none is counted. */
static void all_na(struct pb_ctr_state *st, const char *fmt, const char *arg)
{
	char why[sizeof(st->reason[0])];
	snprintf(why, sizeof(why), fmt, arg);
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (pb_ctr_desc[c].papi_name && !st->reason[c][0])
			snprintf(st->reason[c], sizeof(st->reason[c]), "%s", why);
	pb_ctr_none_counted(st, why);
}

/* A new event set on the CPU component with the domain (and multiplexing)
 * set.  0, or a PAPI error code. */
static int make_set(int *es, int dom, int mpx)
{
	*es = PAPI_NULL;
	int rc = PAPI_create_eventset(es);
	if (rc == PAPI_OK)
		rc = PAPI_assign_eventset_component(*es, S.cidx);
	if (rc == PAPI_OK) {
		PAPI_option_t opt;
		memset(&opt, 0, sizeof(opt));
		opt.domain.eventset = *es;
		opt.domain.domain = dom;
		rc = PAPI_set_opt(PAPI_DOMAIN, &opt);
	}
	if (rc == PAPI_OK && mpx)
		rc = PAPI_set_multiplex(*es);
	return rc;
}

static void drop_set(int *es)
{
	if (*es == PAPI_NULL)
		return;
	PAPI_cleanup_eventset(*es);
	PAPI_destroy_eventset(es);
	*es = PAPI_NULL;
}

static void papi_probe(struct pb_ctr_state *st)
{
	int rc = PAPI_library_init(PAPI_VER_CURRENT);
	if (rc != PAPI_VER_CURRENT) {
		all_na(st, "PAPI_library_init failed: %s", PAPI_strerror(rc));
		return;
	}
	PAPI_thread_init(thread_id_fn);
	S.cidx = PAPI_get_component_index("perf_event");
	const PAPI_component_info_t *ci = S.cidx >= 0 ? PAPI_get_component_info(S.cidx) : NULL;
	if (!ci) {
		all_na(st, "%s", "PAPI has no perf_event component");
		return;
	}
	if (ci->disabled) {
		char why[220];
		snprintf(why, sizeof(why), "%.200s", ci->disabled_reason);
		all_na(st, "PAPI perf_event component disabled: %s", why);
		return;
	}
	struct pb_ctr_want want[PB_CTR__COUNT];
	size_t n = 0;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		S.idx[c] = -1;
		const char *name = pb_ctr_desc[c].papi_name;
		if (!name || st->reason[c][0])
			continue;
		if (PAPI_event_name_to_code(name, &S.code[c]) != PAPI_OK) {
			snprintf(st->reason[c], sizeof(st->reason[c]), "%s unknown to this PAPI",
				 name);
			continue;
		}
		PAPI_event_info_t info;
		if (PAPI_query_event(S.code[c]) != PAPI_OK ||
		    PAPI_get_event_info(S.code[c], &info) != PAPI_OK) {
			snprintf(st->reason[c], sizeof(st->reason[c]),
				 "%s not available on this CPU", name);
			continue;
		}
		want[n] = (struct pb_ctr_want){name, info.count ? info.count : 1, 0};
		S.idx[c] = (int)n++;
	}
	if (!n) {
		pb_ctr_none_counted(st,
				    "none is available on this CPU (each papi_* column's reason)");
		return;
	}
	int nctr = PAPI_num_cmp_hwctrs(S.cidx);
	if (nctr <= 0) {
		all_na(st, "%s", "PAPI reports no programmable counters");
		return;
	}
	struct pb_ctr_cap cap = {(unsigned)nctr, 0, ci->num_mpx_cntrs > nctr};
	const char *mx = getenv("PAGEBENCH_COUNTERS_MULTIPLEX");
	int want_mpx = mx && !strcmp(mx, "1");
	if (want_mpx && PAPI_multiplex_init() != PAPI_OK)
		cap.multiplex_ok = 0;
	struct pb_ctr_plan plan;
	if (pb_ctr_plan_make(&cap, want, n, want_mpx, &plan)) {
		all_na(st, "%s", "too many presets for the event planner");
		return;
	}
	S.mpx = plan.method == PB_CTR_MULTIPLEX;
	/* Domain: kernel too where permitted (the fault kernels' misses are
	 * kernel-side), else user only. */
	int es;
	S.dom = PAPI_DOM_USER | PAPI_DOM_KERNEL;
	if (make_set(&es, S.dom, 0) != PAPI_OK) {
		drop_set(&es);
		S.dom = PAPI_DOM_USER;
		if ((rc = make_set(&es, S.dom, 0)) != PAPI_OK) {
			drop_set(&es);
			all_na(st, "PAPI cannot set a counting domain: %s", PAPI_strerror(rc));
			return;
		}
	}
	drop_set(&es);
	const char *dom = S.dom & PAPI_DOM_KERNEL ? "user+kernel" : "user";
	/* Wider than the hardware: in no pass (said here, not in a pass's
	 * loop, which a failed set skips). */
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (S.idx[c] >= 0 && plan.pass[S.idx[c]] == PB_CTR_NO_PASS) {
			snprintf(st->reason[c], sizeof(st->reason[c]),
				 "%s needs %u counters, the CPU has %u", pb_ctr_desc[c].papi_name,
				 want[S.idx[c]].width, cap.ncounters);
			S.idx[c] = -1;
		}
	/* Build each pass once and start it: what cannot be added or started
	 * is NA with the reason. */
	for (unsigned p = 0; p < plan.npasses; p++) {
		if ((rc = make_set(&es, S.dom, S.mpx)) != PAPI_OK) {
			drop_set(&es);
			/* its presets NA with the reason (they were NA with
			 * none: neither available nor explained) */
			for (int c = 0; c < PB_CTR__COUNT; c++)
				if (S.idx[c] >= 0 && plan.pass[S.idx[c]] == (int)p) {
					snprintf(st->reason[c], sizeof(st->reason[c]),
						 "PAPI cannot create the event set of pass %u: %s",
						 p, PAPI_strerror(rc));
					S.idx[c] = -1;
				}
			continue;
		}
		int in[PB_CTR__COUNT], nin = 0;
		for (int c = 0; c < PB_CTR__COUNT; c++) {
			if (S.idx[c] < 0)
				continue;
			int pp = plan.pass[S.idx[c]];
			if (pp != (int)p && pp != PB_CTR_EVERY_PASS)
				continue;
			if ((rc = PAPI_add_event(es, S.code[c])) != PAPI_OK) {
				snprintf(st->reason[c], sizeof(st->reason[c]),
					 "PAPI_add_event(%s) failed in pass %u: %s",
					 pb_ctr_desc[c].papi_name, p, PAPI_strerror(rc));
				S.idx[c] = -1;
				st->avail[c] = 0; /* an every-pass preset an earlier pass took */
				continue;
			}
			in[nin++] = c;
		}
		long long v[PB_CTR__COUNT];
		rc = nin ? PAPI_start(es) : PAPI_OK;
		if (rc == PAPI_OK && nin)
			rc = PAPI_stop(es, v);
		for (int k = 0; k < nin; k++) {
			int c = in[k];
			if (rc != PAPI_OK) {
				snprintf(st->reason[c], sizeof(st->reason[c]),
					 "%s listed but cannot be counted: %s",
					 pb_ctr_desc[c].papi_name, PAPI_strerror(rc));
				S.idx[c] = -1;
				st->avail[c] = 0;
			} else {
				st->avail[c] = 1;
				st->domain[c] = dom;
				st->pass[c] = plan.pass[S.idx[c]];
			}
		}
		drop_set(&es);
	}
	/* The plan's method and passes only where a preset is counted: a
	 * machine that counts none (a VM without a PMU) rotates no passes. */
	int counted = 0;
	for (int c = 0; c < PB_CTR__COUNT; c++)
		counted += pb_ctr_desc[c].papi_name && st->avail[c];
	if (!counted) {
		pb_ctr_none_counted(st,
				    "none could be added or started (each papi_* column's reason)");
		return;
	}
	st->method = plan.method;
	st->npasses = plan.npasses;
	snprintf(st->method_note, sizeof(st->method_note),
		 "%u programmable counters; %zu presets in %u pass(es), %s", cap.ncounters, n,
		 plan.npasses, pb_ctr_method_name(plan.method));
	S.ok = 1;
}

struct papi_set {
	unsigned npasses;
	int es[PB_CTR__COUNT];
	/* position of counter c in pass p's set, or -1: an every-pass preset
	 * (on a fixed counter) is in each pass's set, at its own position (it
	 * was added to pass 0's alone and read at that position from the
	 * other passes' values: another event's count) */
	int pos[PB_CTR__COUNT][PB_CTR__COUNT];
	int registered;
};

static void *papi_open(void)
{
	if (!S.ok)
		return NULL;
	struct papi_set *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->npasses = pb_ctr_st.npasses ? pb_ctr_st.npasses : 1;
	s->registered = PAPI_register_thread() == PAPI_OK;
	for (unsigned p = 0; p < s->npasses; p++) {
		if (make_set(&s->es[p], S.dom, S.mpx) != PAPI_OK)
			drop_set(&s->es[p]);
		int npos = 0;
		for (int c = 0; c < PB_CTR__COUNT; c++) {
			s->pos[p][c] = -1;
			if (!pb_ctr_desc[c].papi_name || !pb_ctr_st.avail[c] ||
			    (pb_ctr_st.pass[c] != (int)p && pb_ctr_st.pass[c] != PB_CTR_EVERY_PASS))
				continue;
			if (s->es[p] != PAPI_NULL && PAPI_add_event(s->es[p], S.code[c]) == PAPI_OK)
				s->pos[p][c] = npos++;
		}
	}
	return s;
}

static void papi_start(void *p, unsigned rep)
{
	struct papi_set *s = p;
	unsigned pass = rep % s->npasses;
	if (s->es[pass] != PAPI_NULL)
		PAPI_start(s->es[pass]);
}

static void papi_stop(void *p, unsigned rep, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	struct papi_set *s = p;
	unsigned pass = rep % s->npasses;
	if (s->es[pass] == PAPI_NULL)
		return;
	long long vals[PB_CTR__COUNT] = {0};
	if (PAPI_stop(s->es[pass], vals) != PAPI_OK)
		return;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		int at = s->pos[pass][c];
		/* a negative count is PAPI's error, not a count: NA */
		if (at < 0 || vals[at] < 0)
			continue;
		v[c] = (uint64_t)vals[at];
		ok[c] = 1;
	}
}

static void papi_close(void *p)
{
	struct papi_set *s = p;
	for (unsigned k = 0; k < s->npasses; k++)
		drop_set(&s->es[k]);
	if (s->registered)
		PAPI_unregister_thread();
	free(s);
}

#else /* !PB_HAVE_PAPI */

static void papi_probe(struct pb_ctr_state *st)
{
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (pb_ctr_desc[c].papi_name && !st->reason[c][0])
			snprintf(st->reason[c], sizeof(st->reason[c]), "built without PAPI");
	snprintf(st->method_note, sizeof(st->method_note),
		 "no PAPI preset is counted: built without PAPI");
}
static void *papi_open(void)
{
	return NULL;
}
static void papi_start(void *p, unsigned rep)
{
	(void)p;
	(void)rep;
}
static void papi_stop(void *p, unsigned rep, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	(void)p;
	(void)rep;
	(void)v;
	(void)ok;
}
static void papi_close(void *p)
{
	(void)p;
}
#endif

const struct pb_ctr_backend pb_ctr_backend_papi = {
    .name = "papi",
    .probe = papi_probe,
    .open = papi_open,
    .start = papi_start,
    .stop = papi_stop,
    .close = papi_close,
};

/* ---- software-defined events ---- */
void pb_sde_register(const char *name, const char *description, long long *counter)
{
	(void)description;
#if PB_HAVE_SDE
	static papi_handle_t h;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	if (!h)
		h = papi_sde_init("pagebench");
	if (h) {
		papi_sde_register_counter(h, name, PAPI_SDE_RO | PAPI_SDE_DELTA, PAPI_SDE_long_long,
					  counter);
		papi_sde_describe_counter(h, name, description);
	}
	pthread_mutex_unlock(&lock);
#else
	(void)name;
	(void)counter;
#endif
}

/*
 * libsde keeps its registration tables for the life of the process (PAPI
 * reads them at exit); LeakSanitizer would report them as leaks in
 * Sanitize builds, so tell it these are not ours.  A weak hook that LSan
 * looks up by name; an ordinary unused function in other builds.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libsde.so\n";
}
