/* SPDX-License-Identifier: MIT */
/*
 * harness/vm_drive.c - the harness side of the demand-paging engine:
 * teams for replays and sweeps, stream loading, streaming sweeps (one
 * reader pass feeding every job), SDE publication.
 *
 * The engine exposes per-thread workers (pb_vm_replay_thread, the sweep's
 * claim / run / begin / end) and never starts a thread; this file owns
 * the placement (pb_plan_make, compact) and the team (pb_team_run_threads:
 * POSIX threads bound as `run` binds every kernel's OpenMP team, without
 * OpenMP's spinning idle threads while the command writes its results).
 * The engine's counts reach PAPI through the software-defined events
 * registered here (pb_sde_register), named by the PB_VM_EV_SDE lines of
 * vm_events.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/counters.h"
#include "pagebench/hmap.h"
#include "pagebench/kernel.h"
#include "pagebench/nextuse.h"
#include "pagebench/outfile.h"
#include "pagebench/pagekey.h"
#include "pagebench/parse.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pagebench/vm_drive.h"

/* ---- replay and sweep teams ---- */
struct replay_team {
	struct pb_vm_replay *r;
};

static void replay_team_fn(void *arg, unsigned tid)
{
	struct replay_team *rt = arg;
	pb_vm_replay_thread(rt->r, tid);
}

int pb_vm_replay_team(struct pb_vm *vm, const struct pb_access *a, size_t n,
		      const uint64_t *next_use, size_t chunk)
{
	int rc;
	struct pb_vm_replay *r = pb_vm_replay_begin(vm, a, n, next_use, chunk, &rc);
	if (!r)
		return rc;
	unsigned nt = pb_vm_nthreads(vm);
	if (nt == 1) {
		pb_vm_replay_thread(r, 0);
		return pb_vm_replay_end(r);
	}
	struct pb_plan plan;
	rc = pb_plan_make(nt, PB_PIN_COMPACT, &plan);
	if (rc) {
		(void)pb_vm_replay_end(r);
		return rc;
	}
	struct replay_team rt = {.r = r};
	pb_team_run_threads(&plan, replay_team_fn, &rt, NULL);
	pb_plan_free(&plan);
	return pb_vm_replay_end(r);
}

/* A job a signal kept from running (sim: no row; the sweep is partial). */
static void job_interrupted(struct pb_vm_sweep *sw, size_t i)
{
	pb_vm_sweep_job_cancel(sw, i, -EINTR, "not run: interrupted");
}

static void sweep_worker(void *arg, unsigned tid)
{
	struct pb_vm_sweep *sw = arg;
	(void)tid;
	for (size_t i; (i = pb_vm_sweep_claim(sw)) != SIZE_MAX;) {
		if (pb_signal_pending()) /* the jobs under way finish, no more start */
			job_interrupted(sw, i);
		else
			pb_vm_sweep_run_job(sw, i);
		pb_progress_add(1);
	}
}

int pb_vm_sweep_team(struct pb_vm_sweep *sw, size_t njobs, unsigned engine_threads,
		     unsigned workers)
{
	struct pb_plan plan;
	int rc;
	if (engine_threads > 1) {
		if ((rc = pb_plan_make(engine_threads, PB_PIN_COMPACT, &plan)))
			return rc;
		for (size_t i; (i = pb_vm_sweep_claim(sw)) != SIZE_MAX;) {
			if (pb_signal_pending()) {
				job_interrupted(sw, i);
				continue;
			}
			struct pb_vm_replay *r = pb_vm_sweep_job_begin(sw, i);
			if (r) {
				struct replay_team rt = {.r = r};
				pb_team_run_threads(&plan, replay_team_fn, &rt, NULL);
				pb_vm_sweep_job_end(sw, i, r);
			}
			pb_progress_add(1);
		}
		pb_plan_free(&plan);
		return 0;
	}
	if (workers > njobs)
		workers = (unsigned)njobs;
	if (workers <= 1 || pb_plan_make(workers, PB_PIN_COMPACT, &plan)) {
		sweep_worker(sw, 0); /* every job on this thread */
		return 0;
	}
	pb_team_run_threads(&plan, sweep_worker, sw, NULL);
	pb_plan_free(&plan);
	return 0;
}

/* ---- PAPI software-defined events ---- */
static long long sde_ctr[PB_VM_EV__COUNT];

void pb_vm_publish_sde(const struct pb_vm_stats *s)
{
	static int registered; /* under the registration's own ordering */
	if (!pb_atomic_load(&registered, PB_ACQUIRE)) {
		static unsigned once;
		if (!pb_atomic_exchange(&once, 1, PB_ACQ_REL)) {
			char name[64];
			for (size_t e = 0; e < PB_VM_EV__COUNT; e++) {
				if (!(pb_vm_events[e].flags & PB_VM_EV_SDE))
					continue;
				snprintf(name, sizeof(name), "vm_%s", pb_vm_events[e].name);
				pb_sde_register(name, "pagebench demand-paging engine event count",
						&sde_ctr[e]);
			}
			pb_atomic_store(&registered, 1, PB_RELEASE);
		}
	}
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++)
		if (pb_vm_events[e].flags & PB_VM_EV_SDE)
			pb_atomic_fetch_add(&sde_ctr[e],
					    (long long)pb_vm_stats_get(s, (enum pb_vm_event)e),
					    PB_RELAXED);
}

/* Kernels that drive an engine (vm-engine) publish through the sink. */
__attribute__((constructor)) static void install_sink(void)
{
	pb_vm_set_event_sink(pb_vm_publish_sde);
}

/* ---- streams ---- */
/* The engine's limits on an access (check_accesses says which one). */
#define ENGINE_ASID_MAX 0xfff0u
#define ENGINE_VA_BITS	48

/*
 * One pass over a[0..n) for the reader: whether an access passes the
 * engine's limits (nonzero: check_accesses finds it and says why), the
 * copy-on-write writes (into *cow), with set the distinct pages and, with
 * keys, each access's pb_vm_key and write flag (keys[i], wr[i]: what a
 * policy-only job reads).  One loop instead of four (check, copy-on-write,
 * pages, keys), and no branch per access on the limits: the addresses are
 * ORed and the asids maxed.  The keys are pb_vm_key's formula inline
 * (pb_page_key_rw): a call per reference would cost more than the key.
 * -ENOMEM: out of memory counting (the rest is scanned all the same).
 */
static int scan_accesses(const struct pb_access *a, size_t n, struct pb_keyset *set, uint64_t *keys,
			 uint8_t *wr, uint64_t *cow, uint64_t *bad);
static inline __attribute__((always_inline)) int scan_one(const struct pb_access *a, size_t n,
							  struct pb_keyset *set, uint64_t *keys,
							  uint8_t *wr, uint64_t *cow, uint64_t *bad)
{
	uint64_t c = 0, addrs = 0;
	uint32_t asid = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t page = pb_page_key(a[i].asid, a[i].addr >> PB_PAGE_SHIFT, 0);
		addrs |= a[i].addr;
		asid = a[i].asid > asid ? a[i].asid : asid;
		/* the op read only for a COW region's access (short-circuit) */
		c += (a[i].flags & PB_ACC_COW) && a[i].op == PB_OP_WRITE;
		if (keys) {
			int w = a[i].op == PB_OP_WRITE;
			keys[i] =
			    pb_page_key_rw(a[i].asid, a[i].addr >> PB_PAGE_SHIFT, a[i].flags, w);
			wr[i] = (uint8_t)w;
		}
		if (set && pb_keyset_add(set, page)) {
			*cow += c;
			(void)scan_accesses(a + i + 1, n - i - 1, NULL, keys ? keys + i + 1 : NULL,
					    wr ? wr + i + 1 : NULL, cow, bad);
			*bad |= (uint64_t)(asid > ENGINE_ASID_MAX) | addrs >> ENGINE_VA_BITS;
			return -ENOMEM;
		}
	}
	*cow += c;
	*bad = (uint64_t)(asid > ENGINE_ASID_MAX) | addrs >> ENGINE_VA_BITS;
	return 0;
}

/* scan_one, its loop compiled with and without the pages and the keys */
static int scan_accesses(const struct pb_access *a, size_t n, struct pb_keyset *set, uint64_t *keys,
			 uint8_t *wr, uint64_t *cow, uint64_t *bad)
{
	if (keys)
		return set ? scan_one(a, n, set, keys, wr, cow, bad)
			   : scan_one(a, n, NULL, keys, wr, cow, bad);
	return set ? scan_one(a, n, set, NULL, NULL, cow, bad)
		   : scan_one(a, n, NULL, NULL, NULL, cow, bad);
}

/* The distinct (asid, vpn) pairs of a[0..n) - the engine's expected_keys
 * hint and meta.json's `distinct_pages`, counted in a pb_keyset (64-page
 * blocks in a bitmap window: a trace's dense page numbers cost a few
 * instructions); n when out of memory (a hint) - and, in the same pass,
 * its writes into copy-on-write regions (*cow). */
static uint64_t distinct_pages(const struct pb_access *a, size_t n, uint64_t *cow)
{
	struct pb_keyset set;
	uint64_t bad; /* the caller checked the limits */
	*cow = 0;
	if (pb_keyset_init(&set)) {
		(void)scan_accesses(a, n, NULL, NULL, NULL, cow, &bad);
		return n;
	}
	uint64_t d = scan_accesses(a, n, &set, NULL, NULL, cow, &bad) ? n : pb_keyset_count(&set);
	pb_keyset_fini(&set);
	return d;
}

/*
 * The memory a loaded stream, or a sweep's waves (half of it), may take:
 * what the kernel says is available (MemAvailable), or less where this
 * process's cgroup (v2) has a limit (memory.max - memory.current) or it
 * runs in a Slurm job that asked for less (--mem: SLURM_MEM_PER_NODE;
 * --mem-per-cpu: SLURM_MEM_PER_CPU x SLURM_CPUS_ON_NODE, in MiB; 0 is all
 * of the node).  A cluster that does not confine memory by cgroups still
 * accounts the job against what it asked for, and tasks of an array that
 * share a node would each see the whole node's MemAvailable.
 * PAGEBENCH_MEM_LIMIT (a size, checked at the command's start: main.c)
 * overrides them all.  The stream is mapped MAP_NORESERVE, so without this
 * check a too large workload would meet the OOM killer instead of a
 * message.  mem_budget_from() names the source (meta.json
 * config.sweep_feed.wave_budget_from and the messages).
 */
static struct {
	uint64_t bytes; /* 0: not computed yet */
	const char *from;
} budget;

/* a Slurm variable in MiB (0 or unset: no limit from it) */
static uint64_t slurm_mib(const char *name)
{
	const char *v = getenv(name);
	uint64_t m;
	return v && *v && !pb_parse_u64(v, &m) && m < (UINT64_MAX >> 20) ? m : 0;
}

static void budget_min(uint64_t b, const char *from)
{
	if (b && b < budget.bytes) {
		budget.bytes = b;
		budget.from = from;
	}
}

static uint64_t mem_budget(void)
{
	if (budget.bytes)
		return budget.bytes;
	uint64_t v;
	const char *env = getenv("PAGEBENCH_MEM_LIMIT");
	if (env && *env && !pb_parse_size(env, &v) && v) {
		budget.from = "PAGEBENCH_MEM_LIMIT";
		return budget.bytes = v;
	}
	budget.bytes = UINT64_MAX;
	budget.from = "none known";
	FILE *f = fopen("/proc/meminfo", "r");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &v) == 1)
			budget_min(v * 1024, "MemAvailable");
	if (f)
		fclose(f);
	f = fopen("/proc/self/cgroup", "r"); /* "0::/path" on cgroup v2 */
	char cg[512] = "";
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(cg, sizeof(cg), "%s", line + 3);
	if (f)
		fclose(f);
	cg[strcspn(cg, "\n")] = 0;
	if (cg[0]) {
		char path[640];
		uint64_t max = 0, cur = 0;
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", cg);
		f = fopen(path, "r");
		int have = f && fscanf(f, "%" SCNu64, &max) == 1; /* "max": no limit */
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.current", cg);
		f = fopen(path, "r");
		if (f && fscanf(f, "%" SCNu64, &cur) != 1)
			cur = 0;
		if (f)
			fclose(f);
		if (have && max > cur)
			budget_min(max - cur, "the cgroup's memory.max");
	}
	budget_min(slurm_mib("SLURM_MEM_PER_NODE") << 20, "SLURM_MEM_PER_NODE");
	uint64_t per_cpu = slurm_mib("SLURM_MEM_PER_CPU"), cpus = slurm_mib("SLURM_CPUS_ON_NODE");
	if (per_cpu && cpus < (UINT64_MAX >> 20) / per_cpu)
		budget_min((per_cpu * (cpus ? cpus : 1)) << 20, "SLURM_MEM_PER_CPU");
	return budget.bytes;
}

static const char *mem_budget_from(void)
{
	(void)mem_budget();
	return budget.from;
}

/* pb_workload_drain's sink: append a batch to the loaded array. */
static int load_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct pb_vm_loaded *l = ctx;
	if (pb_signal_pending()) /* sim, mrc: a signal stops the passes */
		return -EINTR;
	if (l->s.n + n > l->cap) {
		size_t cap = l->cap ? l->cap : 1 << 16;
		while (cap < l->s.n + n)
			cap *= 2;
		/* old and new arrays both live while copying; keep 10% spare */
		if ((double)(cap + l->cap) * sizeof(*a) > 0.9 * (double)mem_budget())
			return -EFBIG;
		struct pb_access *na = pb_map(cap * sizeof(*na), 0);
		if (!na)
			return -ENOMEM;
		if (l->a) {
			memcpy(na, l->a, l->s.n * sizeof(*na));
			pb_unmap(l->a, l->cap * sizeof(*na));
		}
		l->a = na;
		l->cap = cap;
	}
	memcpy(l->a + l->s.n, a, n * sizeof(*a));
	l->s.n += n;
	pb_progress_add(n);
	return 0;
}

/*
 * A stream's error as sim and mrc exit on it: input that cannot be used
 * (the reader's -EINVAL for malformed input or a bad spec, and a file that
 * cannot be opened: missing, a directory, unreadable) is -EINVAL, the
 * user's to fix (exit 2); anything else failed on the way and keeps its
 * code (exit 1): -ENOMEM, -EIO of a read error or of a mapped file that
 * shrank while it was read, a signal's -EINTR.  As `trace` maps them
 * (cmd_trace.c), so one trace fails the same way in every command.
 */
static int stream_rc(int rc)
{
	return pb_input_rc_is_usage(rc) ? -EINVAL : rc;
}

static struct pb_vm_trace_id *trace_id_start(const char *path);
static const struct pb_vm_trace_id *trace_id_wait(struct pb_vm_trace_id *id);
static void trace_id_whole(struct pb_vm_trace_id *id, const struct pb_workload *w);

/* Open spec with seed for the engine: 4 KiB pages; the identity of the
 * stream (canonical spec, trace file, size and hash) into l. */
static int stream_open(const char *spec, uint64_t seed, struct pb_vm_loaded *l,
		       struct pb_workload **out, char *err, size_t errlen)
{
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = seed};
	memset(l, 0, sizeof(*l));
	l->seed = seed;
	int rc = pb_workload_open(spec, &wo, &w, err, errlen);
	if (rc)
		return stream_rc(rc);
	unsigned shift = pb_workload_page_shift(w); /* read before the close */
	if (shift != PB_PAGE_SHIFT) {
		pb_workload_close(w);
		snprintf(err, errlen, "workload page size 2^%u: the engine simulates 4 KiB pages",
			 shift);
		return -EINVAL;
	}
	/* the workload column and meta.json name the stream whole: a spec
	 * that would be cut is an error (a trace path opens only up to
	 * PATH_MAX, which fits) */
	const char *canon = pb_workload_canonical(w);
	if (strlen(canon) >= sizeof(l->canonical)) {
		pb_workload_close(w);
		snprintf(err, errlen,
			 "the workload's canonical spec has %zu bytes: at most %zu fit",
			 strlen(canon), sizeof(l->canonical) - 1);
		return -EINVAL;
	}
	memcpy(l->canonical, canon, strlen(canon) + 1);
	const char *tpath = pb_workload_path(w);
	if (tpath) {
		snprintf(l->trace_path, sizeof(l->trace_path), "%s", tpath);
		l->trace_id = trace_id_start(tpath);
	}
	/* the regions, known at the open: copied, s.regions points here */
	const struct pb_vma *rv;
	pb_workload_regions(w, &rv, &l->nregions);
	if (l->nregions && !(l->regions = malloc(l->nregions * sizeof(*rv)))) {
		pb_workload_close(w);
		snprintf(err, errlen, "out of memory loading the workload's regions");
		return -ENOMEM;
	}
	if (l->nregions)
		memcpy(l->regions, rv, l->nregions * sizeof(*rv));
	l->s.regions = l->regions;
	l->s.nregions = l->nregions;
	*out = w;
	return 0;
}

/* The skipped lines of w, read to its end, into l; and the hash of its
 * trace file where w read all of it. */
static void note_skipped(struct pb_vm_loaded *l, const struct pb_workload *w)
{
	l->skipped_lines = pb_workload_skipped(w, &l->unknown_lines, &l->first_unknown);
	trace_id_whole(l->trace_id, w);
}

/* Accesses the engine cannot map: -EINVAL with the reason, naming the
 * stream (l: its trace file, else its spec) and the reference (pos: the
 * stream position of a[0]). */
static int check_accesses(const struct pb_vm_loaded *l, const struct pb_access *a, size_t n,
			  uint64_t pos, char *err, size_t errlen)
{
	const char *name = l->trace_path[0] ? l->trace_path : l->canonical;
	for (size_t i = 0; i < n; i++) {
		if (a[i].asid > ENGINE_ASID_MAX) {
			snprintf(err, errlen,
				 "%s: reference %llu: asid %u above the engine's limit %u", name,
				 (unsigned long long)(pos + i), a[i].asid, ENGINE_ASID_MAX);
			return -EINVAL;
		}
		if (a[i].addr >> ENGINE_VA_BITS) {
			snprintf(
			    err, errlen,
			    "%s: reference %llu: address %#llx (page %llu) beyond the engine's "
			    "48-bit address space (pages below 2^36)",
			    name, (unsigned long long)(pos + i), (unsigned long long)a[i].addr,
			    (unsigned long long)(a[i].addr >> PB_PAGE_SHIFT));
			return -EINVAL;
		}
	}
	return 0;
}

int pb_vm_load(const char *spec, uint64_t seed, struct pb_vm_loaded *l, char *err, size_t errlen)
{
	struct pb_workload *w;
	int rc = stream_open(spec, seed, l, &w, err, errlen);
	if (rc)
		return rc;
	pb_progress_begin("loading references", 0); /* on a terminal only */
	rc = pb_workload_drain(w, NULL, 1 << 16, load_sink, l, err, errlen);
	pb_progress_end();
	size_t n = l->s.n;
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory loading the workload");
		if (rc == -EFBIG) {
			snprintf(
			    err, errlen,
			    "the workload does not fit in memory: %zu references loaded (%zu MiB) "
			    "and more to come, %" PRIu64 " MiB available (%s); use fewer refs= or "
			    "a shorter trace",
			    l->s.n, l->s.n * sizeof(struct pb_access) >> 20, mem_budget() >> 20,
			    mem_budget_from());
			rc = -ENOMEM;
		}
		pb_workload_close(w);
		pb_vm_load_free(l);
		return stream_rc(rc);
	}
	note_skipped(l, w);
	pb_workload_close(w);
	l->s.a = l->a;
	l->s.n = n;
	if (check_accesses(l, l->a, n, 0, err, errlen)) {
		pb_vm_load_free(l);
		return -EINVAL;
	}
	if (!n) {
		snprintf(err, errlen, "workload '%s' has no accesses", spec);
		pb_vm_load_free(l);
		return -EINVAL;
	}
	l->s.distinct = distinct_pages(l->a, n, &l->cow_refs);
	return 0;
}

int pb_vm_load_next_use(struct pb_vm_loaded *l)
{
	if (l->next_use)
		return 0;
	l->next_use = pb_map(l->s.n * sizeof(uint64_t), 0);
	if (!l->next_use || pb_vm_next_use(l->a, l->s.n, l->next_use))
		return -ENOMEM;
	l->s.next_use = l->next_use;
	return 0;
}

int pb_vm_load_keys(struct pb_vm_loaded *l)
{
	if (l->keys)
		return 0;
	l->keys = pb_map(l->s.n * sizeof(uint64_t), 0);
	l->writes = pb_map(l->s.n, 0);
	if (!l->keys || !l->writes)
		return -ENOMEM;
	for (size_t i = 0; i < l->s.n; i++) {
		l->keys[i] = pb_vm_key(&l->a[i]);
		l->writes[i] = l->a[i].op == PB_OP_WRITE;
	}
	l->s.keys = l->keys;
	l->s.writes = l->writes;
	return 0;
}

void pb_vm_load_free(struct pb_vm_loaded *l)
{
	size_t n = l->s.n;
	if (l->a)
		pb_unmap(l->a, l->cap * sizeof(*l->a));
	if (l->next_use)
		pb_unmap(l->next_use, n * sizeof(uint64_t));
	if (l->keys)
		pb_unmap(l->keys, n * sizeof(uint64_t));
	if (l->writes)
		pb_unmap(l->writes, n);
	free(l->regions);
	memset(l, 0, sizeof(*l));
}

/* ---- streaming ---- */
/*
 * Next uses of the keys in v[0..n), in place: pb_next_use on chunks of
 * NU_CHUNK from the end, the last occurrence of a key in a chunk taking
 * its next use from `later` (key -> its first position after the chunk),
 * which the chunk's first occurrences then update.  8 B per reference in
 * all (v itself) besides the map and two chunk buffers.
 */
#define NU_CHUNK  (1u << 16)
#define FEED_KEYS (1u << 16) /* pb_vm_stream_keys's batch */
static int next_use_in_place(uint64_t *v, size_t n)
{
	uint64_t *kb = malloc(NU_CHUNK * sizeof(*kb)), *nb = malloc(NU_CHUNK * sizeof(*nb));
	uint8_t *later_ref = malloc(NU_CHUNK);
	struct pb_hmap later;
	int rc = kb && nb && later_ref ? pb_hmap_init(&later, 0) : -ENOMEM;
	for (size_t hi = n; !rc && hi > 0;) {
		size_t lo = hi > NU_CHUNK ? hi - NU_CHUNK : 0, m = hi - lo;
		memcpy(kb, v + lo, m * sizeof(*kb));
		if ((rc = pb_next_use(kb, m, nb)))
			break;
		memset(later_ref, 0, m); /* 1: an earlier reference of the chunk names it */
		for (size_t i = 0; i < m; i++) {
			if (nb[i] != PB_NEXT_NONE) {
				later_ref[nb[i]] = 1;
				v[lo + i] = lo + nb[i];
			} else {
				const uint64_t *p = pb_hmap_find(&later, kb[i]);
				v[lo + i] = p ? *p : PB_NEXT_NONE;
			}
		}
		for (size_t i = 0; i < m && !rc; i++)
			if (!later_ref[i] && pb_hmap_put(&later, kb[i], lo + i))
				rc = -ENOMEM;
		hi = lo;
	}
	if (kb && nb && later_ref)
		pb_hmap_fini(&later);
	free(kb);
	free(nb);
	free(later_ref);
	return rc;
}

/* pb_workload_drain's sink of the pass before a streaming sweep: the
 * distinct pages, and the keys (next_use) in a mapping that grows by
 * mremap (no copy, no second array). */
struct pre_pass {
	struct pb_keyset pages;
	int next_use;
	uint64_t *v;
	size_t n, cap;
};
static int pre_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct pre_pass *p = ctx;
	uint64_t cow = 0, bad;
	if (pb_signal_pending())
		return -EINTR;
	if (scan_accesses(a, n, &p->pages, NULL, NULL, &cow, &bad))
		return -ENOMEM;
	if (bad)
		return -EDOM; /* the streaming pass says what and where */
	if (p->next_use && p->n + n > p->cap) {
		size_t cap = p->cap ? p->cap : 1 << 20;
		while (cap < p->n + n)
			cap *= 2;
		if ((double)cap * sizeof(uint64_t) > 0.9 * (double)mem_budget())
			return -EFBIG;
		void *nv = pb_remap(p->v, p->cap * sizeof(uint64_t), cap * sizeof(uint64_t));
		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	for (size_t i = 0; p->next_use && i < n; i++)
		p->v[p->n + i] = pb_vm_key(&a[i]);
	p->n += n;
	pb_progress_add(n);
	return 0;
}

int pb_vm_stream_prepass(const char *spec, uint64_t seed, int next_use, struct pb_vm_loaded *l,
			 char *err, size_t errlen)
{
	struct pb_workload *w;
	int rc = stream_open(spec, seed, l, &w, err, errlen);
	if (rc)
		return rc;
	struct pre_pass p = {.next_use = next_use};
	if (pb_keyset_init(&p.pages)) {
		pb_workload_close(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = pb_workload_drain(w, NULL, 1 << 16, pre_sink, &p, err, errlen);
	note_skipped(l, w);
	pb_workload_close(w);
	if (rc == -EFBIG)
		snprintf(err, errlen,
			 "the next uses do not fit in memory: %zu references (8 B each) and more "
			 "to come, %" PRIu64 " MiB available (%s)",
			 p.n, mem_budget() >> 20, mem_budget_from());
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory in the pass before the replay");
	if (rc == -EDOM) /* not the engine's: the streaming pass names it */
		rc = 0;
	l->s.distinct = pb_keyset_count(&p.pages);
	pb_keyset_fini(&p.pages); /* before the next uses' own map */
	if (!rc && next_use && (rc = next_use_in_place(p.v, p.n)))
		snprintf(err, errlen, "out of memory computing next uses");
	if (rc) {
		if (p.v)
			pb_unmap(p.v, p.cap * sizeof(uint64_t));
		free(l->regions);
		l->regions = NULL;
		l->s.regions = NULL;
		return rc == -EFBIG ? -ENOMEM : stream_rc(rc);
	}
	if (p.cap > p.n && p.n) { /* the exact size pb_vm_load_free unmaps */
		void *nv = pb_remap(p.v, p.cap * sizeof(uint64_t), p.n * sizeof(uint64_t));
		if (nv)
			p.v = nv;
	}
	l->next_use = p.v;
	l->s.next_use = p.v;
	l->s.n = p.n; /* the streaming pass counts again */
	return 0;
}

/* pb_vm_stream_keys's sink: check, count pages, hand the keys on. */
struct keys_pass {
	const struct pb_vm_loaded *l;
	struct pb_keyset pages;
	uint64_t *keys;
	uint8_t *wr;
	uint64_t n, cow;
	pb_vm_keys_fn fn;
	void *ctx;
	int fn_rc;
	char err[PB_KERNEL_ERRLEN];
};
static int keys_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct keys_pass *p = ctx;
	if (pb_signal_pending())
		return -EINTR;
	for (size_t off = 0; off < n;) {
		size_t m = n - off < FEED_KEYS ? n - off : FEED_KEYS;
		uint64_t bad; /* nonzero: check_accesses finds the access and says why */
		int rc = scan_accesses(a + off, m, &p->pages, p->keys, p->wr, &p->cow, &bad);
		if (bad && check_accesses(p->l, a + off, m, p->n, p->err, sizeof(p->err)))
			return -EDOM;
		if (rc)
			return -ENOMEM;
		if ((p->fn_rc = p->fn(p->ctx, p->keys, p->wr, m, p->n)))
			return -ECANCELED;
		p->n += m;
		off += m;
	}
	pb_progress_add(n);
	return 0;
}

/* Open a stream again for another pass: the next uses and counts of a pass
 * before are kept; the identity (canonical spec, seed, regions) is read
 * again. */
static int stream_reopen(const char *spec, struct pb_vm_loaded *l, struct pb_workload **w,
			 char *err, size_t errlen)
{
	uint64_t *nu = l->next_use, distinct = l->s.distinct;
	size_t nnu = l->s.n;
	uint64_t skip[3] = {l->skipped_lines, l->unknown_lines, l->first_unknown};
	free(l->regions); /* opened again: the same regions */
	int rc = stream_open(spec, l->seed, l, w, err, errlen);
	l->next_use = nu;
	l->s.next_use = nu;
	l->s.n = nnu;
	l->s.distinct = distinct;
	l->skipped_lines = skip[0];
	l->unknown_lines = skip[1];
	l->first_unknown = skip[2];
	return rc;
}

int pb_vm_stream_keys(const char *spec, struct pb_vm_loaded *l, const char *label, pb_vm_keys_fn fn,
		      void *ctx, char *err, size_t errlen)
{
	struct pb_workload *w;
	int rc = stream_reopen(spec, l, &w, err, errlen);
	if (rc)
		return rc;
	/* the next uses and length of a pass before, if one ran */
	const uint64_t *nu = l->next_use;
	size_t nnu = l->s.n;
	struct keys_pass p = {.l = l, .fn = fn, .ctx = ctx};
	p.keys = malloc(FEED_KEYS * sizeof(*p.keys));
	p.wr = malloc(FEED_KEYS);
	if (!p.keys || !p.wr || pb_keyset_init(&p.pages)) {
		free(p.keys);
		free(p.wr);
		pb_workload_close(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char what[128];
	snprintf(what, sizeof(what), "%s: references", label);
	pb_progress_begin(what, nu ? nnu : 0);
	rc = pb_workload_drain(w, NULL, FEED_KEYS, keys_sink, &p, err, errlen);
	pb_progress_end();
	note_skipped(l, w);
	pb_workload_close(w);
	if (rc == -EDOM) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s", p.err);
	} else if (rc == -ECANCELED) {
		rc = p.fn_rc;
		snprintf(err, errlen, "%s failed: %s", label, strerror(-rc));
	} else if (rc == -ENOMEM) {
		snprintf(err, errlen, "out of memory reading the workload");
	} else if (rc) {
		rc = stream_rc(rc); /* the reader's message is in err */
	}
	if (!rc && nu && p.n != nnu) {
		rc = -EPROTO;
		snprintf(err, errlen,
			 "the stream gave %llu references, %llu in a pass before (it changed)",
			 (unsigned long long)p.n, (unsigned long long)nnu);
	}
	if (!rc && !p.n) {
		rc = -EINVAL;
		snprintf(err, errlen, "workload '%s' has no accesses", spec);
	}
	l->s.n = p.n;
	l->s.distinct = pb_keyset_count(&p.pages);
	l->cow_refs = p.cow;
	pb_keyset_fini(&p.pages);
	free(p.keys);
	free(p.wr);
	return rc;
}

/* The passes before of several streams, one per team thread at a time. */
struct pre_team {
	const char *spec;
	struct pb_vm_loaded *l;
	size_t n, next;
	int next_use;
	int *rc;
	char (*err)[PB_KERNEL_ERRLEN];
};

static void pre_team_fn(void *arg, unsigned tid)
{
	struct pre_team *p = arg;
	(void)tid;
	for (size_t s; (s = pb_atomic_fetch_add(&p->next, 1, PB_RELAXED)) < p->n;)
		p->rc[s] = pb_vm_stream_prepass(p->spec, p->l[s].seed, p->next_use, &p->l[s],
						p->err[s], sizeof(p->err[s]));
}

int pb_vm_stream_prepass_team(const char *spec, struct pb_vm_loaded *l, size_t n, int next_use,
			      unsigned workers, char *err, size_t errlen)
{
	struct pre_team p = {.spec = spec, .l = l, .n = n, .next_use = next_use};
	p.rc = calloc(n ? n : 1, sizeof(*p.rc));
	p.err = calloc(n ? n : 1, sizeof(*p.err));
	if (!p.rc || !p.err) {
		free(p.rc);
		free(p.err);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (next_use)
		(void)mem_budget(); /* computed once, here: the threads only read it */
	pb_progress_begin(next_use ? "next uses: references" : "pages: references", 0);
	struct pb_plan plan;
	if (workers > n)
		workers = (unsigned)n;
	if (workers <= 1 || pb_plan_make(workers, PB_PIN_COMPACT, &plan)) {
		pre_team_fn(&p, 0);
	} else {
		pb_team_run_threads(&plan, pre_team_fn, &p, NULL);
		pb_plan_free(&plan);
	}
	pb_progress_end();
	int rc = 0;
	for (size_t s = 0; s < n && !rc; s++)
		if ((rc = p.rc[s]))
			snprintf(err, errlen, "%s", p.err[s]);
	free(p.rc);
	free(p.err);
	return rc;
}

/*
 * The streaming sweep: a dataflow of tasks with no barrier between
 * batches.  Each stream's batches are read in order into its two buffers
 * (batch k into buffer k & 1; decoding overlaps the replay, and the read
 * checks and counts the distinct pages).  A stream's consumers (its jobs,
 * and for stream 0 the keys hook) each take its batches in order, one at
 * a time; batch k + 2 is read into a buffer once every consumer is done
 * with batch k.  A consumer that finds the empty batch of its stream's end
 * (or a failure) closes.  Idle workers take the next ready task under one
 * mutex (a task is a whole batch of one job, milliseconds): reads first,
 * then the consumer furthest behind, the longest first among equals (its
 * last task's time), so a slow job is not left for the end and the
 * others run ahead while it works.  A barrier per step (the design before
 * 2026-12-04) left workers idle at every step's tail: on 16 cores a
 * 51-job sweep ran at 1.36x its CPU time / 16.
 */
#define FEED_BATCH (1u << 18)
#define FEED_CHUNK (1u << 12) /* read, checked and counted at a time */
/*
 * The first batches are shorter: FEED_CHUNK references, then 4x as many
 * each batch up to the full length.  No job can start before batch 0 is
 * read, and a full one (256Ki references: its decoding, the trace's pages
 * and the buffer's first touch) kept the consumers idle for 3-4 ms; a
 * consumer replays a batch in about the time the reader decodes one 4x
 * longer.  Every length is a multiple of the engine's chunk (sweep.c's
 * STREAM_CHUNK), so no count moves.
 */
#define FEED_RAMP 4u /* batches 0..FEED_RAMP-1 are the short ones */
_Static_assert((FEED_CHUNK << (2 * (FEED_RAMP - 1))) <= FEED_BATCH, "the ramp ends at a batch");

/*
 * Policy-only passes (mrc, sim --model policy) keep keys and write flags
 * alone (9 B/ref), in batches 4x longer: every job warms its policy's
 * state again at each batch (a few MiB at 20000 frames), and the longer
 * batch pays that a quarter as often.
 */
#define FEED_KEYS_BATCH (1u << 20)
struct feed_stream {
	struct pb_workload *w;
	struct pb_vm_loaded *l;
	struct pb_access *a[2];
	uint64_t *keys[2];
	uint8_t *wr[2];
	size_t n[2];
	uint64_t pos[2], at; /* batch positions; references read */
	uint64_t cow;	     /* writes into copy-on-write regions */
	uint64_t nread;	     /* batches read (the last: empty at the end) */
	unsigned busy[2];    /* consumers not yet done with each buffer's batch */
	unsigned consumers;  /* of this pass: its jobs (and the hook) */
	int ended;
	int count_pages;	/* no pass before counted them */
	int pages_rc;		/* -ENOMEM counting them */
	struct pb_keyset pages; /* distinct (asid, vpn) */
	/* the blind bound's check (read_task): pages as last counted, and
	 * references read since; their sum bounds the pages above */
	uint64_t counted, uncounted;
	int rc;
	char err[PB_KERNEL_ERRLEN];
};
struct feed {
	struct pb_vm_sweep *sw;
	struct pb_vm_sweep_job *jobs;
	size_t njobs, ns;
	const size_t *wave; /* the jobs of this pass (indices into jobs) */
	size_t nwave;
	uint8_t *active;	      /* streams this pass reads */
	size_t prog_s;		      /* the one whose share read the progress line shows */
	double prog_base, prog_share; /* the waves before this one, one wave's share */
	struct feed_stream *st;
	size_t *job_stream;
	uint8_t *opened, *closed;
	uint8_t *blind; /* engine job opened before its stream's pages were known */
	int need_keys;
	int keys_only; /* no engine job: batches of keys only (a[1] unused) */
	/* the dataflow, under mu (cv: a task finished) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t *done;	  /* per consumer (job j, HOOK(f)): batches taken */
	uint8_t *running; /* per task (consumer, or READ(f, s)): claimed */
	size_t live;	  /* consumers of the pass not yet closed */
	unsigned reads;	  /* read tasks running */
	/* a pass on one worker: a reader thread of its own (tid 1) reads and
	 * counts pages beside the replay; the worker (tid 0) takes the rest */
	int reader;
	/* streams[0]'s batches, in order, to a caller's function (one pass) */
	pb_vm_keys_fn hook;
	void *hook_ctx;
	int hook_rc, hook_done;
	uint64_t *bytes;	     /* per job: its estimate (job_bytes) */
	uint64_t budget;	     /* a wave's jobs, by their estimates */
	uint64_t *page_limit;	     /* per stream: its pages counted past this
				      * stop the pass (blind engines; 0: none) */
	uint64_t *cost;		     /* per task: ns of its last run */
	int failed;		     /* a stream's error: stop feeding (atomic) */
	struct pb_vm_feed_stats fst; /* the passes so far */
	uint64_t task_ns;	     /* this pass's tasks, summed (under mu) */
};
/* Task numbers: consumers 0..njobs (job j, then the hook), then reads. */
#define HOOK(f)	   ((f)->njobs)
#define READ(f, s) ((f)->njobs + 1 + (s))

/* Accesses a[0..m) read into stream s's batch buf at n (while a[] is in
 * the cache: FEED_CHUNK at a time): checked, copy-on-write writes, the
 * distinct pages and the keys and write flags in one pass.  -EINVAL
 * (fs->err says why) for an access the engine cannot map. */
static int batch_accesses(struct feed *f, struct feed_stream *fs, const struct pb_access *a,
			  size_t m, unsigned buf, size_t n)
{
	uint64_t bad;
	int count = fs->count_pages && !fs->pages_rc;
	if (scan_accesses(a, m, count ? &fs->pages : NULL, f->need_keys ? fs->keys[buf] + n : NULL,
			  f->need_keys ? fs->wr[buf] + n : NULL, &fs->cow, &bad)) {
		fs->pages_rc = -ENOMEM;
		pb_atomic_store(&f->failed, 1, PB_RELAXED);
	}
	if (bad && check_accesses(fs->l, a, m, fs->at + n, fs->err, sizeof(fs->err)))
		return -EINVAL;
	return 0;
}

/* Read stream s's batch k into buf: FEED_BATCH accesses, or (keys only)
 * FEED_KEYS_BATCH keys read through a[0], fewer in the first FEED_RAMP
 * batches; FEED_CHUNK accesses at a time are read, checked and counted,
 * so each pass over them after the reader's hits the cache. */
static void read_task(struct feed *f, size_t s, uint64_t k, unsigned buf)
{
	struct feed_stream *fs = &f->st[s];
	size_t cap = f->keys_only ? FEED_KEYS_BATCH : FEED_BATCH, n = 0;
	if (k < FEED_RAMP && (size_t)FEED_CHUNK << (2 * k) < cap)
		cap = (size_t)FEED_CHUNK << (2 * k);
	if (pb_signal_pending()) { /* sim, mrc: the pass stops as on an error */
		fs->rc = -EINTR;
		snprintf(fs->err, sizeof(fs->err), "interrupted by a signal");
	}
	while (n < cap && !fs->rc) {
		struct pb_access *a = f->keys_only ? fs->a[0] : fs->a[buf] + n;
		size_t want = cap - n < FEED_CHUNK ? cap - n : FEED_CHUNK, m = 0;
		ssize_t got = 0;
		while (m < want && (got = pb_workload_next(fs->w, a + m, want - m)) > 0)
			m += (size_t)got;
		if (got < 0) {
			fs->rc = stream_rc((int)got);
			snprintf(fs->err, sizeof(fs->err), "%s", pb_workload_error(fs->w));
		} else {
			fs->rc = batch_accesses(f, fs, a, m, buf, n);
		}
		/* A count scans the set's whole window (256 KiB): only when the
		 * references read since the last one could have passed the bound. */
		fs->uncounted += m;
		uint64_t lim = f->page_limit[s];
		if (!fs->rc && lim && fs->counted + fs->uncounted > lim) {
			fs->counted = pb_keyset_count(&fs->pages);
			fs->uncounted = 0;
		}
		if (!fs->rc && lim && fs->counted > lim) {
			fs->rc = -E2BIG; /* feed_waves counts the pages, then runs the wave again */
			snprintf(fs->err, sizeof(fs->err),
				 "the wave's engines outgrow the memory budget");
		}
		if (fs->rc)
			break;
		n += m;
		if (m < want)
			break; /* the stream's end */
	}
	if (fs->rc) {
		pb_atomic_store(&f->failed, 1, PB_RELAXED);
		n = 0;
	}
	fs->n[buf] = n;
	fs->pos[buf] = fs->at;
	fs->at += n;
	fs->ended = n == 0;
	if (s == f->prog_s) { /* its first stream's share read stands for the wave's */
		double fr = pb_workload_fraction(fs->w);
		pb_progress_frac(fr < 0 ? fr : f->prog_base + f->prog_share * fr);
	}
	pb_progress_add(n);
}

/* Whether job j is an engine on a stream whose distinct pages no pass has
 * counted yet (l: that stream): sized blind, it grows with them. */
static inline int job_blind(const struct feed *f, size_t j, const struct pb_vm_loaded *l)
{
	return !f->jobs[j].policy_only && !l->s.distinct;
}

/* Job j takes its stream's batch in buf, or closes (close: the stream
 * ended or failed). */
static void job_task(struct feed *f, size_t j, unsigned buf, int close)
{
	struct feed_stream *fs = &f->st[f->job_stream[j]];
	if (!f->opened[j]) {
		f->opened[j] = 1;
		f->blind[j] = job_blind(f, j, fs->l);
		(void)pb_vm_sweep_stream_open(f->sw, j);
	}
	if (!close) {
		const uint64_t *nu = fs->l->next_use;
		struct pb_vm_batch b = {.a = f->keys_only ? NULL : fs->a[buf],
					.keys = fs->keys[buf],
					.writes = fs->wr[buf],
					.next_use = nu ? nu + fs->pos[buf] : NULL,
					.n = fs->n[buf],
					.pos = fs->pos[buf]};
		if (nu && fs->pos[buf] + b.n > fs->l->s.n) {
			/* the stream changed between the passes */
			pb_vm_sweep_job_cancel(f->sw, j, -EPROTO,
					       "the stream is longer than in the next-use pass");
		} else {
			(void)pb_vm_sweep_stream_feed(f->sw, j, &b);
		}
		return;
	}
	pb_vm_sweep_stream_close(f->sw, j);
}

/* streams[0]'s batch in buf to the hook (its batches in order, one at a
 * time) */
static void hook_task(struct feed *f, unsigned buf)
{
	struct feed_stream *fs = &f->st[0];
	int rc = f->hook(f->hook_ctx, fs->keys[buf], fs->wr[buf], fs->n[buf], fs->pos[buf]);
	if (rc) {
		f->hook_rc = rc;
		pb_atomic_store(&f->failed, 1, PB_RELAXED);
	}
}

/* Consumer c's stream. */
static inline struct feed_stream *cons_stream(struct feed *f, size_t c)
{
	return &f->st[c == HOOK(f) ? 0 : f->job_stream[c]];
}

/* Under mu: claim the next ready task for thread tid (with a reader
 * thread: the reads on tid 1, the rest on tid 0); *k its batch, *close: a
 * consumer's batch that will never come (its stream failed).  0: none
 * ready. */
static int feed_pick(struct feed *f, unsigned tid, size_t *task, uint64_t *k, int *close)
{
	*close = 0;
	int failed = pb_atomic_load(&f->failed, PB_RELAXED);
	if (!f->reader || tid == 1) {
		for (size_t s = 0; s < f->ns && !failed; s++) {
			struct feed_stream *fs = &f->st[s];
			/* running first: ended is the running read's to write */
			if (!f->active[s] || f->running[READ(f, s)] || !fs->w || fs->ended ||
			    (fs->nread >= 2 && fs->busy[fs->nread & 1]))
				continue;
			f->running[READ(f, s)] = 1;
			f->reads++;
			*task = READ(f, s);
			*k = fs->nread;
			return 1;
		}
		if (f->reader)
			return 0;
	}
	size_t best = SIZE_MAX;
	uint64_t bk = UINT64_MAX, bc = 0;
	for (size_t w = 0; w <= f->nwave; w++) {
		size_t c = w < f->nwave ? f->wave[w] : HOOK(f);
		if (c == HOOK(f) && (!f->hook || f->hook_done || !f->active[0]))
			continue;
		if (f->running[c] || (c < f->njobs && f->closed[c]))
			continue;
		uint64_t d = f->done[c];
		if (!failed && d >= cons_stream(f, c)->nread)
			continue; /* its next batch is not read yet */
		uint64_t cost = f->cost[c];
		if (d < bk || (d == bk && cost > bc)) {
			best = c;
			bk = d;
			bc = cost;
		}
	}
	if (best == SIZE_MAX)
		return 0;
	f->running[best] = 1;
	*task = best;
	*k = bk;
	*close = failed || bk >= cons_stream(f, best)->nread;
	return 1;
}

/* Run task t on batch k (no lock held), then account for it under mu.
 * A consumer's batch k is read and stays until it is done with it (unless
 * close: then it is not read and may be being read). */
static void feed_run(struct feed *f, size_t t, uint64_t k, int close)
{
	unsigned buf = (unsigned)(k & 1);
	uint64_t t0 = pb_now_ns();
	if (t > HOOK(f)) {
		read_task(f, t - HOOK(f) - 1, k, buf);
	} else {
		close = close || !cons_stream(f, t)->n[buf]; /* the stream's end */
		if (t < f->njobs)
			job_task(f, t, buf, close);
		else if (!close)
			hook_task(f, buf);
	}
	uint64_t ns = pb_now_ns() - t0;
	pthread_mutex_lock(&f->mu);
	f->cost[t] = ns;
	f->task_ns += ns;
	f->running[t] = 0;
	if (t > HOOK(f)) {
		struct feed_stream *fs = &f->st[t - HOOK(f) - 1];
		fs->busy[buf] = fs->consumers;
		fs->nread++;
		f->reads--;
	} else if (close) {
		if (t < f->njobs)
			f->closed[t] = 1;
		else
			f->hook_done = 1;
		f->live--;
	} else {
		f->done[t]++;
		cons_stream(f, t)->busy[buf]--;
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void feed_worker(void *arg, unsigned tid)
{
	struct feed *f = arg;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		size_t t;
		uint64_t k;
		int close;
		if (feed_pick(f, tid, &t, &k, &close)) {
			pthread_mutex_unlock(&f->mu);
			feed_run(f, t, k, close);
			pthread_mutex_lock(&f->mu);
		} else if (!f->live && !f->reads) {
			break;
		} else {
			pthread_cond_wait(&f->cv, &f->mu);
		}
	}
	pthread_cond_broadcast(&f->cv); /* the others see the end too */
	pthread_mutex_unlock(&f->mu);
}

/* Close stream s of a pass and free its buffers. */
static void feed_stream_close(struct feed_stream *fs)
{
	if (fs->w)
		pb_workload_close(fs->w);
	fs->w = NULL;
	for (int b = 0; b < 2; b++) {
		free(fs->a[b]);
		free(fs->keys[b]);
		free(fs->wr[b]);
		fs->a[b] = NULL;
		fs->keys[b] = NULL;
		fs->wr[b] = NULL;
	}
	pb_keyset_fini(&fs->pages);
}

static void feed_free(struct feed *f)
{
	for (size_t s = 0; f->st && s < f->ns; s++)
		feed_stream_close(&f->st[s]);
	free(f->st);
	free(f->job_stream);
	free(f->opened);
	free(f->closed);
	free(f->blind);
	free(f->done);
	free(f->running);
	free(f->cost);
	free(f->bytes);
	free(f->page_limit);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f->active);
}

/* Open stream s for a pass: its reader, two batches, its page set. */
static int feed_stream_open(struct feed *f, const char *spec, struct pb_vm_loaded *l, size_t s,
			    char *err, size_t errlen)
{
	struct feed_stream *fs = &f->st[s];
	uint64_t distinct = l->s.distinct;
	int rc = stream_reopen(spec, l, &fs->w, err, errlen);
	if (rc)
		return rc;
	fs->l = l;
	fs->n[0] = fs->n[1] = 0;
	fs->at = fs->cow = 0;
	fs->nread = 0;
	fs->busy[0] = fs->busy[1] = fs->consumers = 0;
	fs->ended = 0;
	fs->rc = fs->pages_rc = 0; /* a pass stopped by the blind bound runs again */
	fs->err[0] = 0;
	fs->count_pages = !distinct;
	fs->counted = fs->uncounted = 0;
	size_t kb = f->keys_only ? FEED_KEYS_BATCH : FEED_BATCH;
	for (int b = 0; b < 2 && !rc; b++) {
		fs->a[b] =
		    b && f->keys_only
			? NULL
			: malloc((f->keys_only ? FEED_CHUNK : FEED_BATCH) * sizeof(*fs->a[b]));
		fs->keys[b] = f->need_keys ? malloc(kb * sizeof(uint64_t)) : NULL;
		fs->wr[b] = f->need_keys ? malloc(kb) : NULL;
		if ((!fs->a[b] && !(b && f->keys_only)) ||
		    (f->need_keys && (!fs->keys[b] || !fs->wr[b])))
			rc = -ENOMEM;
	}
	if (!rc && fs->count_pages)
		rc = pb_keyset_init(&fs->pages);
	if (rc)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* One pass: every active stream read once, the wave's jobs fed and closed. */
static int feed_pass(struct feed *f, const char *spec, struct pb_vm_loaded *streams,
		     unsigned workers, char *err, size_t errlen)
{
	int rc = 0;
	f->prog_s = SIZE_MAX;
	pb_atomic_store(&f->failed, 0, PB_RELAXED); /* the team's start orders it */
	for (size_t s = 0; s < f->ns && !rc; s++)
		if (f->active[s]) {
			rc = feed_stream_open(f, spec, &streams[s], s, err, errlen);
			if (f->prog_s == SIZE_MAX)
				f->prog_s = s;
		}
	if (rc) {
		for (size_t s = 0; s < f->ns; s++)
			feed_stream_close(&f->st[s]);
		return rc;
	}
	/* the pass's consumers: the wave's jobs, the hook on stream 0 */
	f->live = f->nwave;
	f->reads = 0;
	for (size_t w = 0; w < f->nwave; w++) {
		f->done[f->wave[w]] = 0;
		f->st[f->job_stream[f->wave[w]]].consumers++;
	}
	if (f->hook && !f->hook_done && f->active[0]) {
		f->done[HOOK(f)] = 0;
		f->st[0].consumers++;
		f->live++;
	}
	/*
	 * No more threads than the pass has consumers and one reader: a
	 * thread beyond them would only take the consumers' batches in turn
	 * with the others, moving an engine's tables from one CPU's caches to
	 * another's every batch.  One consumer (`sim --policy P --frames N`)
	 * is one worker whatever --workers says (the zipf replay, LRU at
	 * 20000 frames, 2 PUs: median wall 167 -> 147 ms).
	 */
	if (workers > f->live + 1)
		workers = (unsigned)f->live + 1;
	if (f->live <= 1)
		workers = 1;
	/*
	 * One worker: decoding and counting pages run beside it, on a reader,
	 * where the process has a second CPU for it.  On one CPU (taskset -c
	 * 0, a one-CPU Slurm task) the reader would only take turns with the
	 * worker: the 42-job policy sweep of docs/performance.md (session 24)
	 * took 0.991 s with it, 0.957 s without (medians, 7 interleaved runs).
	 */
	f->reader = workers <= 1 && pb_topo_npus() > 1;
	unsigned nthr = workers > 1 ? workers : f->reader ? 2 : 1;
	f->task_ns = 0;
	uint64_t t0 = pb_now_ns();
	struct pb_plan plan;
	/* the worker and its reader float, as one thread alone does */
	if (nthr == 1 || pb_plan_make(nthr, f->reader ? PB_PIN_NONE : PB_PIN_COMPACT, &plan)) {
		f->reader = 0; /* no placement: one thread does it all */
		nthr = 1;
		feed_worker(f, 0);
	} else {
		pb_team_run_threads(&plan, feed_worker, f, NULL);
		pb_plan_free(&plan);
	}
	f->fst.passes++;
	f->fst.threads = nthr > f->fst.threads ? nthr : f->fst.threads;
	f->fst.reader |= f->reader;
	f->fst.wall_s += (double)(pb_now_ns() - t0) * 1e-9;
	f->fst.task_s += (double)f->task_ns * 1e-9;
	int stopped = pb_atomic_load(&f->failed, PB_RELAXED);
	for (size_t s = 0; s < f->ns; s++) {
		struct feed_stream *fs = &f->st[s];
		if (!f->active[s])
			continue;
		if (fs->rc && !rc) {
			rc = fs->rc;
			snprintf(err, errlen, "%s", fs->err);
		}
		if (fs->pages_rc && !rc) {
			rc = fs->pages_rc;
			snprintf(err, errlen, "out of memory counting pages");
		}
		if (s == 0 && f->hook_rc && !rc) {
			rc = f->hook_rc;
			snprintf(err, errlen, "the keys' pass failed: %s", strerror(-rc));
		}
		/* a pass before (next uses, pages) or an earlier wave counted it */
		if ((fs->l->next_use || !fs->count_pages) && fs->at != fs->l->s.n && !rc) {
			rc = -EPROTO;
			snprintf(err, errlen,
				 "the stream gave %llu references, %llu in a pass before (it "
				 "changed)",
				 (unsigned long long)fs->at, (unsigned long long)fs->l->s.n);
		}
		/* a pass that stopped early (a stream's error, a signal) counted
		 * part of each stream: what an earlier wave counted stays (the
		 * configurations it finished are kept on a signal) */
		if (!stopped) {
			fs->l->s.n = fs->at;
			fs->l->cow_refs = fs->cow;
			if (fs->count_pages)
				fs->l->s.distinct = pb_keyset_count(&fs->pages);
		}
		if (fs->w && !rc)
			note_skipped(fs->l, fs->w);
		if (!rc && !fs->at) {
			rc = -EINVAL;
			snprintf(err, errlen, "workload '%s' has no accesses", spec);
		}
		feed_stream_close(fs);
	}
	return rc;
}

/*
 * Jobs open at once in one pass: an engine holds its page tables, TLBs
 * and tables (a few MiB even when small), so a sweep of thousands of
 * configurations reads its streams once per wave of this many jobs
 * instead of holding every engine; policy-only jobs are smaller.  A wave
 * takes whole streams while they fit, and at most WAVE_STREAMS of them
 * (two batches each).
 *
 * A wave also holds no more memory than half of mem_budget() by the jobs'
 * estimates (job_bytes; the other half is for the streams' batches, next
 * uses and the rest), and at least one job: 64 engines over a trace of
 * 10^7 pages would hold about 30 GiB, 1024 policies of 10^6 frames about
 * 150 GiB, and met the OOM killer, which lost every row of the sweep.
 */
#define WAVE_ENGINES  64
#define WAVE_POLICIES 1024
#define WAVE_STREAMS  8

/*
 * What a job holds while its wave runs, an estimate from above (bytes).
 * Peak RSS over a 2M-reference zipf trace of 100k pages (session 23):
 * the policy layer 71-146 B a frame (CAR; LRU 74, ARC 143: nodes of 32 B,
 * a key map of 4 slots a node, ghost lists), at most as many keys as the
 * stream has pages; an engine 88 B a frame (its policy's included) and
 * 47 B a distinct page (page objects, index, tables; zipf over 10^6 pages),
 * and 4 MiB of its own (TLBs, cache models).  A page not known yet (a
 * stream counted by this pass): a blind engine's first page table.
 */
#define JOB_KEY_BYTES	 192u
#define JOB_FRAME_BYTES	 128u
#define JOB_PAGE_BYTES	 96u
#define JOB_ENGINE_BYTES (4u << 20)
#define JOB_BLIND_PAGES	 (1u << 16)
static uint64_t job_bytes(const struct pb_vm_sweep_job *j, uint64_t distinct)
{
	uint64_t keys = distinct && distinct < j->frames ? distinct : j->frames;
	uint64_t b = (64u << 10) + JOB_KEY_BYTES * keys;
	if (!j->policy_only)
		b += JOB_ENGINE_BYTES + JOB_FRAME_BYTES * j->frames +
		     JOB_PAGE_BYTES * (distinct ? distinct : JOB_BLIND_PAGES);
	return b;
}

/* Test knob: PAGEBENCH_TEST_INTERRUPT=N raises SIGINT before the sweep's
 * wave N + 1 (test_interrupt: what a signal between waves keeps, and
 * that one before the first keeps nothing).  N is read strictly: a value
 * that is not a wave number is -EINVAL (err), not wave 0 (strtoul read
 * "x" as 0: a sweep interrupted before it began). */
static int test_interrupt(unsigned wave, char *err, size_t errlen)
{
	const char *v = getenv("PAGEBENCH_TEST_INTERRUPT");
	uint64_t n;
	if (!v || !*v)
		return 0;
	if (pb_parse_u64(v, &n) || n > UINT_MAX) {
		snprintf(err, errlen,
			 "PAGEBENCH_TEST_INTERRUPT='%.64s': expected N, the sweep's waves to run "
			 "before a SIGINT (0-%u; a test knob)",
			 v, UINT_MAX);
		return -EINVAL;
	}
	if (n == wave)
		raise(SIGINT);
	return 0;
}

/* The end of the wave that starts at ord[lo]: whole streams while they
 * fit (at most cap jobs, f->budget bytes by f->bytes), a stream that does
 * not fit alone, cut (at least one job); its streams marked in active and
 * its jobs' estimates summed into *bytes (each if not NULL). */
static size_t wave_end(const struct feed *f, const size_t *ord, size_t nord, size_t lo, size_t cap,
		       uint8_t *active, uint64_t *bytes)
{
	size_t hi = lo, nstr = 0;
	uint64_t used = 0;
	while (hi < nord && hi - lo < cap) {
		size_t s = f->job_stream[ord[hi]], end = hi;
		uint64_t sb = 0;
		int whole = 1; /* the scan stops where the stream cannot fit whole */
		for (; whole && end < nord && f->job_stream[ord[end]] == s; end++) {
			sb += f->bytes[ord[end]];
			whole = end + 1 - lo <= cap && used + sb <= f->budget;
		}
		if (hi > lo && (!whole || nstr == WAVE_STREAMS))
			break;
		if (active)
			active[s] = 1;
		nstr++;
		if (whole) {
			used += sb;
			hi = end;
			continue;
		}
		do /* the first stream alone: what fits of it */
			used += f->bytes[ord[hi++]];
		while (hi < end && hi - lo < cap && used + f->bytes[ord[hi]] <= f->budget);
		break;
	}
	if (bytes)
		*bytes = used;
	return hi;
}

static int feed_waves(struct feed *f, const size_t *ord, size_t nord, size_t cap, const char *spec,
		      struct pb_vm_loaded *streams, unsigned workers, char *err, size_t errlen);

/*
 * The blind engines' bound (feed.page_limit): a wave's engines on streams
 * whose pages no pass has counted were estimated with JOB_BLIND_PAGES
 * each, but grow with the stream's pages.  Each such stream's count may
 * reach what the wave's room left shares among them; past it the pass
 * stops (-E2BIG), and feed_waves counts those streams' pages and runs the
 * wave's jobs again in waves sized by them.  One blind engine in the wave:
 * no bound (alone, it would run all the same).
 */
static void wave_page_limits(struct feed *f, const size_t *w, size_t n, uint64_t used,
			     const struct pb_vm_loaded *streams)
{
	uint64_t blind = 0;
	for (size_t k = 0; k < n; k++)
		blind += job_blind(f, w[k], &streams[f->job_stream[w[k]]]);
	uint64_t room = f->budget > used ? f->budget - used : 0;
	uint64_t lim = blind > 1 ? JOB_BLIND_PAGES + room / (blind * JOB_PAGE_BYTES) : 0;
	memset(f->page_limit, 0, f->ns * sizeof(*f->page_limit));
	for (size_t k = 0; k < n; k++)
		if (job_blind(f, w[k], &streams[f->job_stream[w[k]]]))
			f->page_limit[f->job_stream[w[k]]] = lim;
}

/* A pass stopped by the blind bound: the wave's streams' pages counted
 * (a pass before, pb_vm_stream_prepass), its jobs and the later ones run
 * again from the start, in waves sized by those counts. */
static int feed_recount(struct feed *f, const size_t *ord, size_t nord, size_t lo, size_t cap,
			const char *spec, struct pb_vm_loaded *streams, unsigned workers, char *err,
			size_t errlen)
{
	int rc = 0; /* its references go on the caller's progress line */
	for (size_t s = 0; s < f->ns && !rc; s++)
		if (f->page_limit[s] && !streams[s].s.distinct) {
			free(streams[s].regions); /* opened again: the same regions */
			rc = pb_vm_stream_prepass(spec, streams[s].seed, 0, &streams[s], err,
						  errlen);
		}
	if (rc && pb_signal_pending()) { /* as a signal in a pass: the waves done stay */
		for (size_t k = lo; k < nord; k++)
			job_interrupted(f->sw, ord[k]);
		snprintf(err, errlen, "interrupted by a signal");
		return -EINTR;
	}
	if (rc)
		return rc;
	for (size_t k = lo; k < nord; k++) {
		size_t j = ord[k];
		f->opened[j] = f->closed[j] = f->blind[j] = 0;
		f->jobs[j].rc = 0;
	}
	f->fst.recounts++;
	return feed_waves(f, ord + lo, nord - lo, cap, spec, streams, workers, err, errlen);
}

/* The jobs ord[0..nord) in waves of at most cap, one feed pass each. */
static int feed_waves(struct feed *f, const size_t *ord, size_t nord, size_t cap, const char *spec,
		      struct pb_vm_loaded *streams, unsigned workers, char *err, size_t errlen)
{
	int rc = 0;
	size_t nwaves = 0; /* each a share of the progress line's fraction */
	for (size_t lo = 0, wave = 0; lo < nord && !rc; wave++) {
		/* the jobs' estimates with the pages counted so far (a pass
		 * counts its streams': the later waves are sized by them) */
		for (size_t k = lo; k < nord; k++)
			f->bytes[ord[k]] =
			    job_bytes(&f->jobs[ord[k]], streams[f->job_stream[ord[k]]].s.distinct);
		nwaves = wave;
		for (size_t l = lo; l < nord; nwaves++)
			l = wave_end(f, ord, nord, l, cap, NULL, NULL);
		rc = test_interrupt((unsigned)wave, err, errlen);
		if (rc)
			break;
		memset(f->active, 0, f->ns);
		uint64_t wb;
		size_t hi = wave_end(f, ord, nord, lo, cap, f->active, &wb);
		f->wave = ord + lo;
		f->nwave = hi - lo;
		f->prog_base = (double)wave / (double)nwaves;
		f->prog_share = 1.0 / (double)nwaves;
		if (wb > f->fst.wave_bytes)
			f->fst.wave_bytes = wb;
		wave_page_limits(f, ord + lo, hi - lo, wb, streams);
		rc = feed_pass(f, spec, streams, workers, err, errlen);
		if (rc == -E2BIG)
			return feed_recount(f, ord, nord, lo, cap, spec, streams, workers, err,
					    errlen);
		if (rc == -EINTR) /* this wave's jobs and the later ones did not run */
			for (size_t k = lo; k < nord; k++)
				job_interrupted(f->sw, ord[k]);
		lo = hi;
	}
	return rc;
}

int pb_vm_sweep_stream_team(struct pb_vm_sweep *sw, struct pb_vm_sweep_job *jobs, size_t njobs,
			    const char *spec, struct pb_vm_loaded *streams, size_t nstreams,
			    unsigned workers, struct pb_vm_feed_stats *fst, char *err,
			    size_t errlen)
{
	return pb_vm_sweep_stream_keys(sw, jobs, njobs, spec, streams, nstreams, workers, NULL,
				       NULL, fst, err, errlen);
}

int pb_vm_sweep_stream_keys(struct pb_vm_sweep *sw, struct pb_vm_sweep_job *jobs, size_t njobs,
			    const char *spec, struct pb_vm_loaded *streams, size_t nstreams,
			    unsigned workers, pb_vm_keys_fn fn, void *ctx,
			    struct pb_vm_feed_stats *fst, char *err, size_t errlen)
{
	struct feed f = {.sw = sw,
			 .jobs = jobs,
			 .njobs = njobs,
			 .ns = nstreams,
			 .hook = nstreams ? fn : NULL,
			 .hook_ctx = ctx,
			 .need_keys = fn != NULL,
			 .mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	int rc = 0;
	size_t *ord = calloc(njobs + 1, sizeof(*ord)), nord = 0;
	f.st = calloc(nstreams ? nstreams : 1, sizeof(*f.st));
	f.active = calloc(nstreams ? nstreams : 1, 1);
	f.job_stream = calloc(njobs + 1, sizeof(*f.job_stream));
	f.opened = calloc(njobs + 1, 1);
	f.closed = calloc(njobs + 1, 1);
	f.blind = calloc(njobs + 1, 1);
	f.done = calloc(njobs + 1, sizeof(*f.done));
	f.running = calloc(njobs + 1 + nstreams, 1);
	f.cost = calloc(njobs + 1 + nstreams, sizeof(*f.cost));
	f.bytes = calloc(njobs + 1, sizeof(*f.bytes));
	f.page_limit = calloc(nstreams ? nstreams : 1, sizeof(*f.page_limit));
	if (!ord || !f.st || !f.active || !f.job_stream || !f.opened || !f.closed || !f.blind ||
	    !f.done || !f.running || !f.cost || !f.bytes || !f.page_limit)
		rc = -ENOMEM;
	f.budget = mem_budget() / 2;
	f.fst.budget_bytes = f.budget;
	f.fst.budget_from = mem_budget_from();
	size_t cap = WAVE_POLICIES;
	f.keys_only = 1;
	for (size_t j = 0; !rc && j < njobs; j++) {
		f.need_keys |= jobs[j].policy_only;
		f.keys_only &= jobs[j].policy_only;
		if (!jobs[j].policy_only)
			cap = WAVE_ENGINES;
		size_t s = 0;
		while (s < nstreams && jobs[j].stream != &streams[s].s)
			s++;
		if (s == nstreams)
			rc = -EINVAL; /* a job of no stream given */
		f.job_stream[j] = s;
	}
	if (rc) {
		snprintf(err, errlen, rc == -ENOMEM ? "out of memory" : "a job without its stream");
		free(ord);
		feed_free(&f);
		return rc;
	}
	for (size_t s = 0; s < nstreams; s++) /* the jobs in stream order */
		for (size_t j = 0; j < njobs; j++)
			if (f.job_stream[j] == s)
				ord[nord++] = j;
	rc = feed_waves(&f, ord, nord, cap, spec, streams, workers, err, errlen);
	/*
	 * An engine opened before its stream's distinct pages were known got
	 * the engine's default page-table size; one that ran out of it
	 * (-ENOMEM) runs again in a pass of its own, sized now.  Sizes move
	 * no count, so its row is the one a pass before would have given.
	 */
	nord = 0;
	for (size_t s = 0; !rc && s < nstreams; s++)
		for (size_t j = 0; j < njobs; j++)
			if (f.job_stream[j] == s && f.blind[j] && jobs[j].rc == -ENOMEM) {
				f.opened[j] = f.closed[j] = f.blind[j] = 0;
				ord[nord++] = j;
			}
	if (nord)
		rc = feed_waves(&f, ord, nord, cap, spec, streams, workers, err, errlen);
	if (fst)
		*fst = f.fst;
	free(ord);
	feed_free(&f);
	return rc;
}

/* Record a JSON value (stolen) in the run's config. */
static void put_json(struct pb_run *run, const char *key, json_t *v)
{
	char *txt = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (txt)
		pb_run_config_json(run, key, txt);
	free(txt);
	json_decref(v);
}

/* ---- trace identity ---- */
#define HASH_SPAN (1u << 20) /* bytes hashed at each end */

static int hash_range(int fd, uint64_t off, uint64_t len, unsigned char *buf, uint64_t *h)
{
	while (len) {
		ssize_t got = pread(fd, buf, len < HASH_SPAN ? len : HASH_SPAN, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		*h = pb_fnv1a64(*h, buf, (size_t)got);
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

/* pb_vm_trace_hash of the file open at fd (read with pread: the offset is
 * not moved). */
static int trace_hash_fd(int fd, uint64_t *size, char *out, size_t outlen)
{
	struct stat st;
	unsigned char *buf = NULL;
	int rc = fstat(fd, &st) ? -errno : 0;
	if (!rc && !S_ISREG(st.st_mode))
		rc = -EINVAL; /* a pipe or a device has no identity to hash */
	if (!rc && !(buf = malloc(HASH_SPAN)))
		rc = -ENOMEM;
	uint64_t n = (uint64_t)st.st_size, h = PB_FNV1A64_INIT;
	uint64_t head = n < HASH_SPAN ? n : HASH_SPAN;
	uint64_t tail_off = n > 2 * (uint64_t)HASH_SPAN ? n - HASH_SPAN : head;
	if (!rc)
		rc = hash_range(fd, 0, head, buf, &h);
	if (!rc)
		rc = hash_range(fd, tail_off, n - tail_off, buf, &h);
	if (!rc) {
		unsigned char le[8];
		for (int i = 0; i < 8; i++)
			le[i] = (unsigned char)(n >> (8 * i));
		h = pb_fnv1a64(h, le, sizeof(le));
		*size = n;
		snprintf(out, outlen, "fnv1a64:%016" PRIx64, h);
	}
	free(buf);
	return rc;
}

int pb_vm_trace_hash(const char *path, uint64_t *size, char *out, size_t outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	int rc = trace_hash_fd(fd, size, out, outlen);
	close(fd);
	return rc;
}

/*
 * A trace's identity, computed once per file and process: hashing its
 * first and last MiB byte by byte (FNV-1a, one dependent multiply a byte)
 * takes 2-3 ms, which stood before the replay of every stream opened - a
 * tenth of a short `sim`'s fixed cost, and again for each stream and pass
 * over the same file.  Now stream_open starts it on a detached thread
 * and pb_vm_cli_config waits for it when it writes meta.json; a file
 * whose device, inode, size and modification time are those of a file
 * already started shares its identity.  The entries live as long as the
 * process (one per trace file).
 */
struct pb_vm_trace_id {
	int fd; /* the file whose identity this is, until hashed (then -1) */
	dev_t dev;
	ino_t ino;
	off_t bytes;
	struct timespec mtime;
	int done; /* under trace_ids_lock */
	int rc;	  /* pb_vm_trace_hash's: 0 or -errno */
	uint64_t size;
	char hash[40]; /* "fnv1a64:<16 hex digits>" */
	/* "xxh64:<16 hex digits>" of every byte, once a stream of this file
	 * read it all (pb_workload_file_hash), else ""; under trace_ids_lock */
	char file_hash[40];
	struct pb_vm_trace_id *next;
};
static struct pb_vm_trace_id *trace_ids;
static pthread_mutex_t trace_ids_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t trace_ids_cv = PTHREAD_COND_INITIALIZER;

static void *trace_id_run(void *arg)
{
	struct pb_vm_trace_id *id = arg;
	uint64_t size = 0;
	char hash[sizeof(id->hash)];
	int rc = trace_hash_fd(id->fd, &size, hash, sizeof(hash));
	close(id->fd);
	id->fd = -1;
	pthread_mutex_lock(&trace_ids_lock);
	id->rc = rc;
	id->size = size;
	if (!rc)
		memcpy(id->hash, hash, sizeof(hash));
	id->done = 1;
	pthread_cond_broadcast(&trace_ids_cv);
	pthread_mutex_unlock(&trace_ids_lock);
	return NULL;
}

/* The identity of the trace at path, started (NULL: out of memory, or not
 * a regular file: no identity to record). */
static struct pb_vm_trace_id *trace_id_start(const char *path)
{
	/* identity and hash from one open file: a file replaced after a stat
	 * would otherwise get the new file's hash under the old identity */
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	pthread_mutex_lock(&trace_ids_lock);
	struct pb_vm_trace_id *id = trace_ids;
	while (id &&
	       (id->dev != st.st_dev || id->ino != st.st_ino || id->bytes != st.st_size ||
		id->mtime.tv_sec != st.st_mtim.tv_sec || id->mtime.tv_nsec != st.st_mtim.tv_nsec))
		id = id->next;
	if (id) {
		pthread_mutex_unlock(&trace_ids_lock);
		close(fd);
		return id;
	}
	id = calloc(1, sizeof(*id));
	if (id) {
		id->fd = fd;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->bytes = st.st_size;
		id->mtime = st.st_mtim;
		id->next = trace_ids;
		trace_ids = id;
	}
	pthread_mutex_unlock(&trace_ids_lock);
	if (!id) {
		close(fd);
		return NULL;
	}
	pthread_t th;
	pthread_attr_t at;
	int started = !pthread_attr_init(&at);
	if (started) {
		started = !pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) &&
			  !pthread_create(&th, &at, trace_id_run, id);
		pthread_attr_destroy(&at);
	}
	if (!started)
		(void)trace_id_run(id); /* no thread: here and now */
	return id;
}

/* id once computed (NULL stays NULL). */
static const struct pb_vm_trace_id *trace_id_wait(struct pb_vm_trace_id *id)
{
	if (!id)
		return NULL;
	pthread_mutex_lock(&trace_ids_lock);
	while (!id->done)
		pthread_cond_wait(&trace_ids_cv, &trace_ids_lock);
	pthread_mutex_unlock(&trace_ids_lock);
	return id;
}

/* The whole file's hash, where w (a stream of id's file) read every byte
 * of it: the first such pass's (its identity is the file's). */
static void trace_id_whole(struct pb_vm_trace_id *id, const struct pb_workload *w)
{
	uint64_t h, size;
	if (!id || !pb_workload_file_hash(w, &h, &size) || size != (uint64_t)id->bytes)
		return;
	pthread_mutex_lock(&trace_ids_lock);
	if (!id->file_hash[0])
		snprintf(id->file_hash, sizeof(id->file_hash), "xxh64:%016" PRIx64, h);
	pthread_mutex_unlock(&trace_ids_lock);
}

/* ---- what sim and mrc share ---- */
/* 1 if a and b are the same policy with the same parameters, defaults
 * filled in (their rows would be the same). */
static int cli_policy_same(const struct pb_vm_cli_policy *a, const struct pb_vm_cli_policy *b)
{
	if (a->d != b->d)
		return 0;
	if (strlen(a->effective) + 1 < sizeof(a->effective))
		return !strcmp(a->effective, b->effective);
	/* effective cut at its size: only the text given can tell them apart */
	return a->params && b->params ? !strcmp(a->params, b->params) : a->params == b->params;
}

void pb_vm_cli_policies_free(struct pb_vm_cli_policy *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].params);
	free(p);
}

int pb_vm_cli_policies(const char *arg, uint64_t seed, struct pb_vm_cli_policy **out, size_t *n,
		       char *err, size_t errlen)
{
	char **specs = NULL;
	size_t ns = 0;
	int rc = 0;
	*out = NULL;
	*n = 0;
	if (!strcmp(arg, "all")) { /* every registered policy, table order */
		while (pb_policies[ns])
			ns++;
	} else if ((rc = pb_policy_spec_split(arg, &specs, &ns, err, errlen))) {
		return rc;
	}
	struct pb_vm_cli_policy *v = calloc(ns ? ns : 1, sizeof(*v));
	if (!v) {
		pb_policy_specs_free(specs, specs ? ns : 0);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < ns && !rc; i++) {
		if (!specs) {
			v[i].d = pb_policies[i];
		} else {
			rc = pb_policy_spec_parse(specs[i], &v[i].d, &v[i].params, err, errlen);
			if (rc)
				break;
		}
		pb_policy_params_effective(v[i].d, v[i].params, v[i].effective,
					   sizeof(v[i].effective));
		/* what the table cannot check (a share that leaves no room...) */
		struct pb_policy_cfg pc = {.frames = 4, .seed = seed, .params = v[i].params};
		struct pb_policy *pol;
		char perr[256] = "";
		rc = v[i].d->create(&pc, &pol, perr, sizeof(perr));
		if (rc) {
			snprintf(err, errlen, "%s", perr);
			rc = rc == -ENOMEM ? rc : -EINVAL;
		} else {
			v[i].d->destroy(pol);
		}
	}
	pb_policy_specs_free(specs, specs ? ns : 0);
	if (rc) {
		pb_vm_cli_policies_free(v, ns);
		return rc;
	}
	/* each once, in the order given: 'lru,lru' (or a parameter given
	 * at its default) replayed the same configurations
	 * twice and wrote identical rows (as --threads of run) */
	size_t k = 0;
	for (size_t i = 0; i < ns; i++) {
		size_t j = 0;
		while (j < k && !cli_policy_same(&v[j], &v[i]))
			j++;
		if (j < k) {
			free(v[i].params);
			continue;
		}
		v[k++] = v[i];
	}
	*out = v;
	*n = k;
	return 0;
}

int pb_vm_cli_need_next_use(const struct pb_vm_cli_policy *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].d->flags & PB_POL_OFFLINE)
			return 1;
	return 0;
}

int pb_vm_cli_same_stream(const char *spec, uint64_t a, uint64_t b)
{
	char err[256];
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = a};
	if (pb_workload_open(spec, &wo, &w, err, sizeof(err)))
		return 0;
	/* copied whole: two specs that differ only past some length differ */
	char *ca = strdup(pb_workload_canonical(w));
	pb_workload_close(w);
	wo.seed = b;
	if (!ca || pb_workload_open(spec, &wo, &w, err, sizeof(err))) {
		free(ca);
		return 0;
	}
	int same = !strcmp(ca, pb_workload_canonical(w));
	pb_workload_close(w);
	free(ca);
	return same;
}

void pb_vm_cli_config(struct pb_run *run, const struct pb_vm_loaded *l,
		      const struct pb_vm_cli_policy *p, size_t n)
{
	json_t *o;
	pb_run_config_str(run, "workload", l->canonical);
	o = json_integer((json_int_t)l->s.n);
	put_json(run, "refs", o);
	o = json_integer((json_int_t)l->s.distinct);
	put_json(run, "distinct_pages", o);
	if (l->trace_path[0]) {
		const struct pb_vm_trace_id *id = trace_id_wait(l->trace_id);
		/* a pipe or a vanished file has no identity to record: null */
		int known = id && !id->rc;
		static const char covers[] =
		    "FNV-1a 64 of the first MiB, the last MiB and the size (8 bytes LE)";
		static const char file_covers[] =
		    "XXH64 (seed 0) of every byte of the file, as `xxhsum -H64 FILE` prints it, "
		    "hashed as the replay read it";
		char fh[sizeof(id->file_hash)] = "";
		if (id) {
			pthread_mutex_lock(&trace_ids_lock);
			memcpy(fh, id->file_hash, sizeof(fh));
			pthread_mutex_unlock(&trace_ids_lock);
		}
		o = json_pack("{s:s, s:o, s:s?, s:s, s:s?, s:s, s:I}", "path", l->trace_path,
			      "size", known ? json_integer((json_int_t)id->size) : json_null(),
			      "hash", known ? id->hash : NULL, "hash_covers", covers, "file_hash",
			      known && fh[0] ? fh : NULL, "file_hash_covers", file_covers,
			      "skipped_lines", (json_int_t)l->skipped_lines);
		/* a relative path is the working directory's */
		char cwd[PATH_MAX];
		if (o && l->trace_path[0] != '/') {
			if (getcwd(cwd, sizeof(cwd)))
				json_object_set_new(o, "cwd", pb_json_string_bytes(cwd));
			else
				pb_run_note_na(run, "config.trace.cwd", strerror(errno));
		}
		put_json(run, "trace", o);
		/* and as meta.json's inputs list it (it was always empty): the
		 * whole file's hash where a pass read it all */
		pb_run_add_input_id(run, "trace", l->trace_path, known ? (int64_t)id->size : -1,
				    known ? (fh[0] ? fh : id->hash) : NULL,
				    known && fh[0] ? file_covers : covers);
	}
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a,
				      json_pack("{s:s, s:s?, s:s}", "name", p[i].d->name, "params",
						p[i].params, "effective", p[i].effective));
	put_json(run, "policies", a);
}

void pb_vm_policy_model_warn(const char *cmd, const struct pb_vm_loaded *l)
{
	if (l->cow_refs)
		fprintf(
		    stderr,
		    "pagebench %s: warning: %" PRIu64 " writes into copy-on-write regions; the "
		    "policy model makes no copies, so its counts differ from --model engine's\n",
		    cmd, l->cow_refs);
	if (l->nregions)
		fprintf(stderr,
			"pagebench %s: warning: the workload describes regions; the policy model "
			"checks no permissions, so protection faults are replayed as references "
			"(segv is --model engine's)\n",
			cmd);
}

void pb_vm_cli_skipped_warning(const char *cmd, const struct pb_vm_loaded *l)
{
	pb_workload_skipped_warn(cmd, l->unknown_lines, l->trace_path, l->first_unknown, "skipped");
}

void pb_vm_feed_config(struct pb_run *run, const struct pb_vm_feed_stats *fst)
{
	if (!fst->passes)
		return;
	double busy = fst->wall_s > 0 ? fst->task_s / (fst->threads * fst->wall_s) : 0;
	pb_run_config_set(
	    run, "sweep_feed",
	    json_pack("{s:I, s:I, s:b, s:f, s:f, s:f, s:I, s:s, s:I, s:I}", "passes",
		      (json_int_t)fst->passes, "threads", (json_int_t)fst->threads, "reader",
		      fst->reader, "wall_s", fst->wall_s, "task_s", fst->task_s, "busy", busy,
		      "wave_budget_bytes", (json_int_t)fst->budget_bytes, "wave_budget_from",
		      fst->budget_from ? fst->budget_from : "NA", "wave_bytes_estimate",
		      (json_int_t)fst->wave_bytes, "recounts", (json_int_t)fst->recounts));
}
