/*
 * harness/counters.c - the counter ladder: PAPI presets, Linux software
 * events, getrusage.  Each counter is probed once; what cannot be read is
 * NA with the reason (the component's own disabled_reason, errno text),
 * never 0.  Engine events are published as PAPI software-defined events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/config.h"
#include "pagebench/counters.h"

#if PB_HAVE_PAPI
#include <papi.h>
#endif
#if PB_HAVE_SDE
#include <sde_lib.h>
#endif

struct ctr_desc {
	const char *column;
	const char *source;
	const char *papi_name;      /* rung 1 */
	uint32_t perf_type, perf_config; /* rung 2 (type PERF_TYPE_SOFTWARE) */
};

static const struct ctr_desc ctrs[PB_CTR__COUNT] = {
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
};

static struct {
	int probed;
	int avail[PB_CTR__COUNT];
	char reason[PB_CTR__COUNT][256];
	int papi_ok;
	int papi_code[PB_CTR__COUNT];
} P;
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

const char *pb_ctr_column(enum pb_ctr c)
{
	return ctrs[c].column;
}

const char *pb_ctr_source(enum pb_ctr c)
{
	return ctrs[c].source;
}

static int perf_open(uint32_t type, uint64_t config)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.disabled = 1;
	a.exclude_hv = 1;
	a.read_format = 0;
	return (int)syscall(SYS_perf_event_open, &a, 0 /* this thread */, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

#if PB_HAVE_PAPI
static unsigned long thread_id_fn(void)
{
	return (unsigned long)syscall(SYS_gettid);
}

static void probe_papi(void)
{
	int rc = PAPI_library_init(PAPI_VER_CURRENT);
	if (rc != PAPI_VER_CURRENT) {
		for (int c = 0; c < PB_CTR__COUNT; c++)
			if (ctrs[c].papi_name)
				snprintf(P.reason[c], sizeof(P.reason[c]), "PAPI_library_init failed: %s",
					 PAPI_strerror(rc));
		return;
	}
	PAPI_thread_init(thread_id_fn);
	P.papi_ok = 1;
	/* Why would a preset be missing?  Usually because the CPU component
	 * is disabled: find its reason. */
	char comp_reason[256] = "";
	int ncomp = PAPI_num_components();
	for (int i = 0; i < ncomp; i++) {
		const PAPI_component_info_t *ci = PAPI_get_component_info(i);
		if (ci && !strcmp(ci->name, "perf_event") && ci->disabled)
			snprintf(comp_reason, sizeof(comp_reason),
				 "PAPI perf_event component disabled: %.200s", ci->disabled_reason);
	}
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (!ctrs[c].papi_name)
			continue;
		int code;
		if (PAPI_event_name_to_code(ctrs[c].papi_name, &code) != PAPI_OK) {
			snprintf(P.reason[c], sizeof(P.reason[c]), "%s unknown to this PAPI",
				 ctrs[c].papi_name);
			continue;
		}
		if (PAPI_query_event(code) != PAPI_OK) {
			if (comp_reason[0])
				snprintf(P.reason[c], sizeof(P.reason[c]), "%s", comp_reason);
			else
				snprintf(P.reason[c], sizeof(P.reason[c]),
					 "%s not available on this CPU", ctrs[c].papi_name);
			continue;
		}
		/* Check it can really be counted alone (not only listed). */
		int es = PAPI_NULL;
		long long v;
		if (PAPI_create_eventset(&es) != PAPI_OK || PAPI_add_event(es, code) != PAPI_OK ||
		    PAPI_start(es) != PAPI_OK || PAPI_stop(es, &v) != PAPI_OK) {
			snprintf(P.reason[c], sizeof(P.reason[c]), "%s listed but cannot be counted",
				 ctrs[c].papi_name);
		} else {
			P.avail[c] = 1;
			P.papi_code[c] = code;
		}
		if (es != PAPI_NULL) {
			PAPI_cleanup_eventset(es);
			PAPI_destroy_eventset(&es);
		}
	}
}
#endif

void pb_counters_probe(void)
{
	pthread_mutex_lock(&probe_lock);
	if (P.probed) {
		pthread_mutex_unlock(&probe_lock);
		return;
	}
	const char *force = getenv("PAGEBENCH_COUNTERS");
	int skip_papi = 0, skip_perf = 0, skip_ru = 0;
	if (force && !strcmp(force, "sw"))
		skip_papi = 1;
	else if (force && !strcmp(force, "rusage"))
		skip_papi = skip_perf = 1;
	else if (force && !strcmp(force, "none"))
		skip_papi = skip_perf = skip_ru = 1;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		const char *src = ctrs[c].source;
		int skip = (!strcmp(src, "papi") && skip_papi) || (!strcmp(src, "perf") && skip_perf) ||
			   (!strcmp(src, "rusage") && skip_ru);
		if (skip)
			snprintf(P.reason[c], sizeof(P.reason[c]), "disabled by PAGEBENCH_COUNTERS=%s",
				 force);
	}
#if PB_HAVE_PAPI
	if (!skip_papi)
		probe_papi();
#else
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (!skip_papi && ctrs[c].papi_name)
			snprintf(P.reason[c], sizeof(P.reason[c]), "built without PAPI");
#endif
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (strcmp(ctrs[c].source, "perf") || skip_perf)
			continue;
		int fd = perf_open(ctrs[c].perf_type, ctrs[c].perf_config);
		if (fd < 0) {
			snprintf(P.reason[c], sizeof(P.reason[c]), "perf_event_open: %s%s",
				 strerror(errno),
				 errno == EACCES || errno == EPERM
					 ? " (see /proc/sys/kernel/perf_event_paranoid)"
					 : "");
		} else {
			P.avail[c] = 1;
			close(fd);
		}
	}
	if (!skip_ru) {
		struct rusage ru;
		int ok = getrusage(RUSAGE_THREAD, &ru) == 0;
		for (int c = 0; c < PB_CTR__COUNT; c++) {
			if (strcmp(ctrs[c].source, "rusage"))
				continue;
			P.avail[c] = ok;
			if (!ok)
				snprintf(P.reason[c], sizeof(P.reason[c]), "getrusage(RUSAGE_THREAD): %s",
					 strerror(errno));
		}
	}
	P.probed = 1;
	pthread_mutex_unlock(&probe_lock);
}

int pb_ctr_available(enum pb_ctr c, const char **reason)
{
	pb_counters_probe();
	if (reason)
		*reason = P.avail[c] ? NULL : P.reason[c];
	return P.avail[c];
}

void pb_counters_print(FILE *f)
{
	pb_counters_probe();
	fprintf(f, "%-24s %-7s %-5s %s\n", "column", "source", "works", "reason if not");
	for (int c = 0; c < PB_CTR__COUNT; c++)
		fprintf(f, "%-24s %-7s %-5s %s\n", ctrs[c].column, ctrs[c].source,
			P.avail[c] ? "yes" : "NA", P.avail[c] ? "" : P.reason[c]);
#if PB_HAVE_SDE
	fprintf(f, "engine events: published as PAPI SDEs sde:::pagebench::<name> (libsde)\n");
#else
	fprintf(f, "engine events: not published to PAPI (built without libsde)\n");
#endif
}

char *pb_counters_json(void)
{
	pb_counters_probe();
	struct pb_sb b = {0};
	pb_sb_put(&b, "{");
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		pb_sb_put(&b, c ? ",\n    " : "\n    ");
		pb_sb_json_str(&b, ctrs[c].column);
		pb_sb_printf(&b, ": {\"source\": \"%s\", \"available\": %s, \"reason\": ", ctrs[c].source,
			     P.avail[c] ? "true" : "false");
		pb_sb_json_str(&b, P.avail[c] ? NULL : P.reason[c]);
		pb_sb_put(&b, "}");
	}
	pb_sb_put(&b, "\n  }");
	return b.s;
}

/* ---- per-thread sets ---- */
struct pb_ctrset {
	int fd[PB_CTR__COUNT];
#if PB_HAVE_PAPI
	int es;
	int papi_idx[PB_CTR__COUNT]; /* position in the event set or -1 */
	int npapi;
#endif
	struct rusage ru0;
	int ok[PB_CTR__COUNT];
};

struct pb_ctrset *pb_ctrset_open(void)
{
	pb_counters_probe();
	struct pb_ctrset *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		s->fd[c] = -1;
		s->ok[c] = 0;
	}
#if PB_HAVE_PAPI
	s->es = PAPI_NULL;
	for (int c = 0; c < PB_CTR__COUNT; c++)
		s->papi_idx[c] = -1;
	if (P.papi_ok && PAPI_register_thread() == PAPI_OK &&
	    PAPI_create_eventset(&s->es) == PAPI_OK) {
		for (int c = 0; c < PB_CTR__COUNT; c++) {
			if (!ctrs[c].papi_name || !P.avail[c])
				continue;
			if (PAPI_add_event(s->es, P.papi_code[c]) == PAPI_OK) {
				s->papi_idx[c] = s->npapi++;
				s->ok[c] = 1;
			}
		}
	}
#endif
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (strcmp(ctrs[c].source, "perf") || !P.avail[c])
			continue;
		s->fd[c] = perf_open(ctrs[c].perf_type, ctrs[c].perf_config);
		s->ok[c] = s->fd[c] >= 0;
	}
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (!strcmp(ctrs[c].source, "rusage"))
			s->ok[c] = P.avail[c];
	return s;
}

void pb_ctrset_start(struct pb_ctrset *s)
{
	if (!s)
		return;
	getrusage(RUSAGE_THREAD, &s->ru0);
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (s->fd[c] >= 0) {
			ioctl(s->fd[c], PERF_EVENT_IOC_RESET, 0);
			ioctl(s->fd[c], PERF_EVENT_IOC_ENABLE, 0);
		}
	}
#if PB_HAVE_PAPI
	if (s->npapi)
		PAPI_start(s->es);
#endif
}

static uint64_t tv_ns(struct timeval a, struct timeval b)
{
	int64_t d = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000LL + (int64_t)(b.tv_usec - a.tv_usec) * 1000LL;
	return d > 0 ? (uint64_t)d : 0;
}

void pb_ctrset_stop(struct pb_ctrset *s, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	memset(v, 0, sizeof(uint64_t) * PB_CTR__COUNT);
	memset(ok, 0, sizeof(int) * PB_CTR__COUNT);
	if (!s)
		return;
#if PB_HAVE_PAPI
	if (s->npapi) {
		long long vals[PB_CTR__COUNT] = {0};
		int rc = PAPI_stop(s->es, vals);
		for (int c = 0; c < PB_CTR__COUNT; c++) {
			if (s->papi_idx[c] >= 0 && rc == PAPI_OK) {
				v[c] = (uint64_t)vals[s->papi_idx[c]];
				ok[c] = 1;
			}
		}
	}
#endif
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (s->fd[c] < 0)
			continue;
		ioctl(s->fd[c], PERF_EVENT_IOC_DISABLE, 0);
		uint64_t x;
		if (read(s->fd[c], &x, sizeof(x)) == sizeof(x)) {
			v[c] = x;
			ok[c] = 1;
		}
	}
	struct rusage ru1;
	if (s->ok[PB_CTR_RU_MINFLT] && getrusage(RUSAGE_THREAD, &ru1) == 0) {
		v[PB_CTR_RU_MINFLT] = (uint64_t)(ru1.ru_minflt - s->ru0.ru_minflt);
		v[PB_CTR_RU_MAJFLT] = (uint64_t)(ru1.ru_majflt - s->ru0.ru_majflt);
		v[PB_CTR_RU_NVCSW] = (uint64_t)(ru1.ru_nvcsw - s->ru0.ru_nvcsw);
		v[PB_CTR_RU_NIVCSW] = (uint64_t)(ru1.ru_nivcsw - s->ru0.ru_nivcsw);
		v[PB_CTR_RU_UTIME_NS] = tv_ns(s->ru0.ru_utime, ru1.ru_utime);
		v[PB_CTR_RU_STIME_NS] = tv_ns(s->ru0.ru_stime, ru1.ru_stime);
		for (int c = PB_CTR_RU_MINFLT; c <= PB_CTR_RU_STIME_NS; c++)
			ok[c] = 1;
	}
}

void pb_ctrset_close(struct pb_ctrset *s)
{
	if (!s)
		return;
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (s->fd[c] >= 0)
			close(s->fd[c]);
#if PB_HAVE_PAPI
	if (s->es != PAPI_NULL) {
		PAPI_cleanup_eventset(s->es);
		PAPI_destroy_eventset(&s->es);
	}
	if (P.papi_ok)
		PAPI_unregister_thread();
#endif
	free(s);
}

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
