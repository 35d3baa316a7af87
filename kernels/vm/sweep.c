/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/sweep.c - a pool of fresh engines over (policy, frames, rep).
 *
 * What `sim` measures is a grid of independent configurations; each job
 * builds its own engine from a base configuration, replays its stream,
 * validates the engine (pb_vm_check) and keeps the counts, the effective
 * access time and the replay's wall time.  Jobs share nothing but the
 * read-only streams, so any number of the caller's threads may run
 * distinct jobs at once; pb_vm_sweep_claim hands out job indices from one
 * atomic counter (relaxed: the index is the only thing handed over; the
 * jobs[] inputs were written before the threads started, and the results
 * are read after they have been joined), so an idle thread takes the next
 * job, and long jobs (big frames, OPT) do not hold up short ones.
 *
 * An engine with several CPUs (base.nthreads > 1) needs a team for each
 * job: the caller brackets the team with pb_vm_sweep_job_begin / _end.
 * The sweep never starts a thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

struct pb_vm_sweep {
	struct pb_vm_cfg base;
	struct pb_vm_sweep_job *jobs;
	size_t njobs;
	size_t next PB_ALIGNED(PB_CACHELINE); /* next job to claim (atomic) */
	/* per job while it runs: its engine and start time */
	struct pb_vm **vm;
	uint64_t *t0;
};

int pb_vm_sweep_create(const struct pb_vm_cfg *base, struct pb_vm_sweep_job *jobs, size_t njobs,
		       struct pb_vm_sweep **out)
{
	struct pb_vm_sweep *sw = aligned_alloc(PB_CACHELINE, sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	*sw = (struct pb_vm_sweep){.base = *base, .jobs = jobs, .njobs = njobs};
	sw->vm = calloc(njobs ? njobs : 1, sizeof(*sw->vm));
	sw->t0 = calloc(njobs ? njobs : 1, sizeof(*sw->t0));
	if (!sw->vm || !sw->t0) {
		pb_vm_sweep_destroy(sw);
		return -ENOMEM;
	}
	*out = sw;
	return 0;
}

void pb_vm_sweep_destroy(struct pb_vm_sweep *sw)
{
	if (!sw)
		return;
	for (size_t i = 0; sw->vm && i < sw->njobs; i++)
		pb_vm_destroy(sw->vm[i]);
	free(sw->vm);
	free(sw->t0);
	free(sw);
}

size_t pb_vm_sweep_claim(struct pb_vm_sweep *sw)
{
	size_t i = pb_atomic_fetch_add(&sw->next, 1, PB_RELAXED);
	return i < sw->njobs ? i : SIZE_MAX;
}

struct pb_vm_replay *pb_vm_sweep_job_begin(struct pb_vm_sweep *sw, size_t i)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	const struct pb_vm_stream *s = j->stream;
	struct pb_vm_cfg c = sw->base;
	c.policy = j->policy;
	if (j->policy_params)
		c.policy_params = j->policy_params;
	c.frames = j->frames;
	c.seed = j->seed;
	c.expected_keys = s->distinct;
	if (s->regions) {
		c.regions = s->regions;
		c.nregions = s->nregions;
	}
	j->err[0] = 0;
	memset(&j->st, 0, sizeof(j->st));
	j->rc = pb_vm_create(&c, &sw->vm[i], j->err, sizeof(j->err));
	if (j->rc) {
		sw->vm[i] = NULL;
		return NULL;
	}
	sw->t0[i] = pb_now_ns();
	struct pb_vm_replay *r = pb_vm_replay_begin(sw->vm[i], s->a, s->n, s->next_use, 0, &j->rc);
	if (!r)
		pb_vm_sweep_job_end(sw, i, NULL);
	return r;
}

void pb_vm_sweep_job_end(struct pb_vm_sweep *sw, size_t i, struct pb_vm_replay *r)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	struct pb_vm *vm = sw->vm[i];
	if (!vm)
		return;
	if (r)
		j->rc = pb_vm_replay_end(r);
	j->seconds = (double)(pb_now_ns() - sw->t0[i]) * 1e-9;
	if (j->rc) {
		snprintf(j->err, sizeof(j->err), "%s", pb_vm_error(vm));
	} else {
		char err[256];
		if (pb_vm_check(vm, err, sizeof(err))) {
			j->rc = -EPROTO;
			snprintf(j->err, sizeof(j->err), "self-check failed: %s", err);
		}
	}
	pb_vm_stats(vm, &j->st);
	j->eat_ns = pb_vm_eat_ns(vm, &j->st);
	pb_vm_destroy(vm);
	sw->vm[i] = NULL;
}

/* A policy alone over the stream's keys (mrc): the same replay as
 * pb_policy_replay everywhere, so its counts are the policy module's. */
static void run_policy_job(struct pb_vm_sweep *sw, struct pb_vm_sweep_job *j)
{
	const struct pb_vm_stream *s = j->stream;
	struct pb_policy_cfg pc = {.frames = j->frames,
				   .seed = j->seed,
				   .expected_keys = 0,
				   .params = j->policy_params ? j->policy_params
							      : sw->base.policy_params};
	uint64_t misses = 0;
	memset(&j->st, 0, sizeof(j->st));
	j->err[0] = 0;
	uint64_t t0 = pb_now_ns();
	j->rc = pb_policy_replay(j->policy, &pc, s->keys, s->writes, s->next_use, s->n, &misses,
				 j->err, sizeof(j->err));
	j->seconds = (double)(pb_now_ns() - t0) * 1e-9;
	j->st.refs = s->n;
	j->st.faults = misses;
	j->st.hits = s->n - misses;
}

void pb_vm_sweep_run_job(struct pb_vm_sweep *sw, size_t i)
{
	if (sw->jobs[i].policy_only) {
		run_policy_job(sw, &sw->jobs[i]);
		return;
	}
	if (sw->base.nthreads != 1) {
		struct pb_vm_sweep_job *j = &sw->jobs[i];
		j->rc = -EINVAL;
		snprintf(j->err, sizeof(j->err),
			 "a sweep job runs one engine CPU on the caller's thread");
		return;
	}
	struct pb_vm_replay *r = pb_vm_sweep_job_begin(sw, i);
	if (!r)
		return;
	pb_vm_replay_thread(r, 0);
	pb_vm_sweep_job_end(sw, i, r);
}
