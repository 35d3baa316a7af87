/* SPDX-License-Identifier: MIT */
/*
 * harness/vm_drive.c - the harness side of the demand-paging engine:
 * teams for replays and sweeps, stream loading, SDE publication.
 *
 * The engine exposes per-thread workers (pb_vm_replay_thread, the sweep's
 * claim / run / begin / end) and never starts a thread; this file owns
 * the placement (pb_plan_make, compact) and the team (pb_team_run), as
 * `run` does for every kernel.  The engine's counts reach PAPI through
 * the software-defined events registered here (pb_sde_register), named by
 * the PB_VM_EV_SDE lines of vm_events.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/counters.h"
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
	pb_team_run(&plan, replay_team_fn, &rt, NULL);
	pb_plan_free(&plan);
	return pb_vm_replay_end(r);
}

static void sweep_worker(void *arg, unsigned tid)
{
	struct pb_vm_sweep *sw = arg;
	(void)tid;
	for (size_t i; (i = pb_vm_sweep_claim(sw)) != SIZE_MAX;) {
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
			struct pb_vm_replay *r = pb_vm_sweep_job_begin(sw, i);
			if (r) {
				struct replay_team rt = {.r = r};
				pb_team_run(&plan, replay_team_fn, &rt, NULL);
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
	pb_team_run(&plan, sweep_worker, sw, NULL);
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
static uint64_t distinct_pages(const struct pb_access *a, size_t n)
{
	uint64_t cap = 1024;
	while (cap < 2 * (uint64_t)n)
		cap <<= 1;
	uint64_t *set = pb_map(cap * sizeof(uint64_t), 0);
	if (!set)
		return n;
	uint64_t d = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = (((uint64_t)a[i].asid << 48) | (a[i].addr >> PB_PAGE_SHIFT)) + 1;
		uint64_t h = k * 0x9e3779b97f4a7c15ULL;
		for (uint64_t j = (h ^ (h >> 29)) & (cap - 1);; j = (j + 1) & (cap - 1)) {
			if (set[j] == k)
				break;
			if (!set[j]) {
				set[j] = k;
				d++;
				break;
			}
		}
	}
	pb_unmap(set, cap * sizeof(uint64_t));
	return d;
}

int pb_vm_load(const char *spec, uint64_t seed, struct pb_vm_loaded *l, char *err, size_t errlen)
{
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = seed};
	memset(l, 0, sizeof(*l));
	l->seed = seed;
	int rc = pb_workload_open(spec, &wo, &w, err, errlen);
	if (rc)
		return -EINVAL;
	unsigned shift = pb_workload_page_shift(w); /* read before the close */
	if (shift != PB_PAGE_SHIFT) {
		pb_workload_close(w);
		snprintf(err, errlen, "workload page size 2^%u: the engine simulates 4 KiB pages",
			 shift);
		return -EINVAL;
	}
	snprintf(l->canonical, sizeof(l->canonical), "%s", pb_workload_canonical(w));
	size_t n = 0;
	for (;;) {
		if (n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 1 << 16;
			struct pb_access *na = pb_map(cap * sizeof(*na), 0);
			if (!na) {
				pb_workload_close(w);
				snprintf(err, errlen, "out of memory loading the workload");
				pb_vm_load_free(l);
				return -ENOMEM;
			}
			if (l->a) {
				memcpy(na, l->a, n * sizeof(*na));
				pb_unmap(l->a, l->cap * sizeof(*na));
			}
			l->a = na;
			l->cap = cap;
		}
		ssize_t got = pb_workload_next(w, l->a + n, l->cap - n);
		if (got < 0) {
			snprintf(err, errlen, "%s", pb_workload_error(w));
			pb_workload_close(w);
			pb_vm_load_free(l);
			return -EINVAL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	pb_workload_close(w);
	l->s.a = l->a;
	l->s.n = n;
	for (size_t i = 0; i < n; i++) {
		if (l->a[i].asid > 0xfff0u) {
			snprintf(err, errlen, "workload asid %u above the engine's limit %u",
				 l->a[i].asid, 0xfff0u);
			pb_vm_load_free(l);
			return -EINVAL;
		}
		if (l->a[i].addr >> 48) {
			snprintf(err, errlen,
				 "workload address %#llx beyond 48 bits (reference %zu)",
				 (unsigned long long)l->a[i].addr, i);
			pb_vm_load_free(l);
			return -EINVAL;
		}
	}
	if (!n) {
		snprintf(err, errlen, "workload '%s' has no accesses", spec);
		pb_vm_load_free(l);
		return -EINVAL;
	}
	l->s.distinct = distinct_pages(l->a, n);
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
	memset(l, 0, sizeof(*l));
}

/* ---- what sim and mrc share ---- */
void pb_vm_cli_policies(const char *cmd, const char *arg, char ***out, size_t *n)
{
	if (*out)
		pb_free_list(*out, *n);
	*out = NULL;
	*n = 0;
	if (!strcmp(arg, "all")) { /* every registered policy, table order */
		size_t k = 0;
		while (pb_policies[k])
			k++;
		char **v = calloc(k, sizeof(char *));
		if (!v)
			pb_usage_error(cmd, "out of memory");
		for (size_t i = 0; i < k; i++)
			if (!(v[i] = strdup(pb_policies[i]->name)))
				pb_usage_error(cmd, "out of memory");
		*out = v;
		*n = k;
		return;
	}
	if (pb_split_list(arg, out, n) || !*n)
		pb_usage_error(cmd, "bad --policy '%s' (expected a list of names or all)", arg);
}

void pb_vm_cli_check_params(const char *cmd, char **policies, size_t n, uint64_t seed,
			    const char *params)
{
	for (size_t i = 0; i < n; i++) {
		const struct pb_policy_desc *d = pb_policy_find(policies[i]);
		if (!d)
			pb_usage_error(cmd, "unknown policy '%s' (see `pagebench list policies`)",
				       policies[i]);
		struct pb_policy_cfg pc = {.frames = 4, .seed = seed, .params = params};
		struct pb_policy *p;
		char err[256] = "";
		if (d->create(&pc, &p, err, sizeof(err)))
			pb_usage_error(cmd, "%s", err);
		d->destroy(p);
	}
}

int pb_vm_cli_need_next_use(char **policies, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pb_policy_find(policies[i])->flags & PB_POL_OFFLINE)
			return 1;
	return 0;
}

int pb_vm_cli_same_stream(const char *spec, uint64_t a, uint64_t b)
{
	char err[256], ca[1024];
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = a};
	if (pb_workload_open(spec, &wo, &w, err, sizeof(err)))
		return 0;
	snprintf(ca, sizeof(ca), "%s", pb_workload_canonical(w));
	pb_workload_close(w);
	wo.seed = b;
	if (pb_workload_open(spec, &wo, &w, err, sizeof(err)))
		return 0;
	int same = !strcmp(ca, pb_workload_canonical(w));
	pb_workload_close(w);
	return same;
}

void pb_vm_cli_config(struct pb_run *run, const char *spec, const struct pb_vm_loaded *l,
		      uint64_t seed, char **policies, size_t n, const char *params)
{
	char buf[256];
	(void)spec;
	pb_run_config_str(run, "workload", l->canonical);
	snprintf(buf, sizeof(buf), "%" PRIu64, seed);
	pb_run_config_json(run, "seed", buf);
	snprintf(buf, sizeof(buf), "%zu", l->s.n);
	pb_run_config_json(run, "refs", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, l->s.distinct);
	pb_run_config_json(run, "distinct_pages", buf);
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && k < sizeof(buf); i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", i ? "," : "", policies[i]);
	pb_run_config_str(run, "policies", buf);
	if (params)
		pb_run_config_str(run, "policy_params", params);
}
