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
 * Streamed jobs (pb_vm_sweep_stream_open / _feed / _close, at the end of
 * this file) replay batches the caller reads once for all of them.  The
 * sweep never starts a thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/kernel.h"
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
	struct pb_policy **pol; /* streamed policy_only jobs: the policy */
	size_t *order;		/* claim order: the longest jobs first */
};

/*
 * The claim order, longest first, so that the last jobs to start are the
 * short ones and no thread idles at the end while another runs a long
 * job: engine jobs before policy-only ones, offline policies (OPT keeps
 * next uses in a heap) first, then fewer frames first (more misses: the
 * fault path and the policy's miss path are the expensive ones).  Ties
 * keep the caller's order.  An estimate: it moves no result.
 */
static int cost_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct pb_vm_sweep_job *jobs = ctx;
	const struct pb_vm_sweep_job *a = &jobs[*(const size_t *)pa],
				     *b = &jobs[*(const size_t *)pb];
	int ka = !a->policy_only * 2 + !!(a->policy->flags & PB_POL_OFFLINE),
	    kb = !b->policy_only * 2 + !!(b->policy->flags & PB_POL_OFFLINE);
	if (ka != kb)
		return kb - ka;
	if (a->frames != b->frames)
		return a->frames < b->frames ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

int pb_vm_sweep_create(const struct pb_vm_cfg *base, struct pb_vm_sweep_job *jobs, size_t njobs,
		       struct pb_vm_sweep **out)
{
	struct pb_vm_sweep *sw = aligned_alloc(PB_CACHELINE, sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	*sw = (struct pb_vm_sweep){.base = *base, .jobs = jobs, .njobs = njobs};
	sw->vm = calloc(njobs ? njobs : 1, sizeof(*sw->vm));
	sw->t0 = calloc(njobs ? njobs : 1, sizeof(*sw->t0));
	sw->pol = calloc(njobs ? njobs : 1, sizeof(*sw->pol));
	sw->order = calloc(njobs ? njobs : 1, sizeof(*sw->order));
	if (!sw->vm || !sw->t0 || !sw->pol || !sw->order) {
		pb_vm_sweep_destroy(sw);
		return -ENOMEM;
	}
	for (size_t i = 0; i < njobs; i++)
		sw->order[i] = i;
	qsort_r(sw->order, njobs, sizeof(*sw->order), cost_cmp, jobs);
	*out = sw;
	return 0;
}

void pb_vm_sweep_destroy(struct pb_vm_sweep *sw)
{
	if (!sw)
		return;
	for (size_t i = 0; sw->vm && i < sw->njobs; i++)
		pb_vm_destroy(sw->vm[i]);
	for (size_t i = 0; sw->pol && i < sw->njobs; i++)
		if (sw->pol[i])
			sw->jobs[i].policy->destroy(sw->pol[i]);
	free(sw->pol);
	free(sw->order);
	free(sw->vm);
	free(sw->t0);
	free(sw);
}

/* Job j without a message (a run starts, or its message is freed). */
static void job_clear(struct pb_vm_sweep_job *j)
{
	free(j->err);
	j->err = NULL;
}

/* Job j's message: fmt's line, whole, in place of any earlier one.  Out
 * of memory leaves none (the rc still says it failed). */
static void job_say(struct pb_vm_sweep_job *j, const char *fmt, ...) PB_PRINTF(2, 3);
static void job_say(struct pb_vm_sweep_job *j, const char *fmt, ...)
{
	char *m;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	job_clear(j);
	j->err = m;
}

void pb_vm_sweep_jobs_free(struct pb_vm_sweep_job *jobs, size_t njobs)
{
	for (size_t i = 0; i < njobs; i++)
		job_clear(&jobs[i]);
}

size_t pb_vm_sweep_claim(struct pb_vm_sweep *sw)
{
	size_t i = pb_atomic_fetch_add(&sw->next, 1, PB_RELAXED);
	return i < sw->njobs ? sw->order[i] : SIZE_MAX;
}

void pb_vm_sweep_job_cancel(struct pb_vm_sweep *sw, size_t i, int rc, const char *why)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	j->rc = rc;
	job_say(j, "%s", why);
}

/* Job j's engine of c into *vm (NULL when it failed): j's rc, and the
 * engine's message whole (the path of an unusable backing file). */
static int vm_create(struct pb_vm_sweep_job *j, const struct pb_vm_cfg *c, struct pb_vm **vm)
{
	char err[PB_KERNEL_ERRLEN] = "";
	j->rc = pb_vm_create(c, vm, err, sizeof(err));
	if (j->rc) {
		*vm = NULL;
		job_say(j, "%s", err);
	}
	return j->rc;
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
	job_clear(j);
	memset(&j->st, 0, sizeof(j->st));
	if (vm_create(j, &c, &sw->vm[i]))
		return NULL;
	sw->t0[i] = pb_now_ns();
	struct pb_vm_replay *r = pb_vm_replay_begin(sw->vm[i], s->a, s->n, s->next_use, 0, &j->rc);
	if (!r)
		pb_vm_sweep_job_end(sw, i, NULL);
	return r;
}

/* A finished engine job: its self-check (unless it failed already), its
 * counts and cost; the engine is destroyed. */
static void job_finish(struct pb_vm_sweep *sw, size_t i)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	struct pb_vm *vm = sw->vm[i];
	if (!j->rc) {
		char err[256];
		if (pb_vm_check(vm, err, sizeof(err))) {
			j->rc = -EPROTO;
			job_say(j, "self-check failed: %s", err);
		}
	}
	pb_vm_stats(vm, &j->st);
	j->eat_ns = pb_vm_eat_ns(vm, &j->st);
	pb_vm_destroy(vm);
	sw->vm[i] = NULL;
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
	if (j->rc)
		job_say(j, "%s", pb_vm_error(vm));
	job_finish(sw, i);
}

/* A policy alone over the stream's keys (mrc): the same replay as
 * pb_policy_replay everywhere, so its counts are the policy module's. */
static void run_policy_job(struct pb_vm_sweep *sw, struct pb_vm_sweep_job *j)
{
	const struct pb_vm_stream *s = j->stream;
	struct pb_policy_cfg pc = {.frames = j->frames,
				   .seed = j->seed,
				   .expected_keys = s->distinct, /* a hint: 0 if not known */
				   .params = j->policy_params ? j->policy_params
							      : sw->base.policy_params};
	uint64_t misses = 0;
	char err[PB_KERNEL_ERRLEN] = "";
	memset(&j->st, 0, sizeof(j->st));
	job_clear(j);
	uint64_t t0 = pb_now_ns();
	j->rc = pb_policy_replay(j->policy, &pc, s->keys, s->writes, s->next_use, s->n, &misses,
				 err, sizeof(err));
	j->seconds = (double)(pb_now_ns() - t0) * 1e-9;
	if (j->rc)
		job_say(j, "%s", err);
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
		job_say(j, "a sweep job runs one engine CPU on the caller's thread");
		return;
	}
	struct pb_vm_replay *r = pb_vm_sweep_job_begin(sw, i);
	if (!r)
		return;
	pb_vm_replay_thread(r, 0);
	pb_vm_sweep_job_end(sw, i, r);
}

/*
 * Streaming jobs: fed batch by batch (pb_vm_sweep_stream_feed) instead of
 * replaying a whole loaded stream.  An engine job replays each batch in
 * chunks of STREAM_CHUNK accesses with the hints flushed after each chunk,
 * exactly as pb_vm_replay_thread does on one engine CPU, so its counts are
 * the loaded replay's; a policy_only job is pb_policy_replay's loop, cut
 * at the batch boundaries.  The caller orders the calls of one job (one
 * thread at a time, a happens-before between them); distinct jobs run
 * concurrently.  The job's `seconds` is the sum of its feeds.
 */
#define STREAM_CHUNK 256 /* pb_vm_replay_begin's default chunk */

int pb_vm_sweep_stream_open(struct pb_vm_sweep *sw, size_t i)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	job_clear(j);
	j->seconds = 0;
	memset(&j->st, 0, sizeof(j->st));
	if (j->policy_only) {
		struct pb_policy_cfg pc = {.frames = j->frames,
					   .seed = j->seed,
					   .expected_keys = 0,
					   .params = j->policy_params ? j->policy_params
								      : sw->base.policy_params};
		struct pb_policy *p = NULL;
		char err[PB_KERNEL_ERRLEN] = "";
		j->rc = j->policy->create(&pc, &p, err, sizeof(err));
		sw->pol[i] = j->rc ? NULL : p;
		if (j->rc)
			job_say(j, "%s", err);
		return j->rc;
	}
	if (sw->base.nthreads != 1) {
		j->rc = -EINVAL;
		job_say(j, "a streamed job runs one engine CPU");
		return j->rc;
	}
	struct pb_vm_cfg c = sw->base;
	c.policy = j->policy;
	if (j->policy_params)
		c.policy_params = j->policy_params;
	c.frames = j->frames;
	c.seed = j->seed;
	c.expected_keys = j->stream ? j->stream->distinct : 0;
	if (j->stream && j->stream->regions) {
		c.regions = j->stream->regions;
		c.nregions = j->stream->nregions;
	}
	return vm_create(j, &c, &sw->vm[i]);
}

static int feed_policy(struct pb_vm_sweep_job *j, struct pb_policy *p, const struct pb_vm_batch *b)
{
	const struct pb_policy_desc *d = j->policy;
	if ((d->flags & PB_POL_OFFLINE) && !b->next_use) {
		job_say(j, "%s: needs next uses", d->name);
		return -EINVAL;
	}
	/* pb_policy_replay's loop, cut at the batch boundaries */
	uint64_t ev, m = pb_policy_run(d, p, b->keys, b->writes, b->next_use, b->n, b->pos, &ev);
	j->st.refs += b->n;
	j->st.faults += m;
	j->st.hits += b->n - m;
	j->st.evictions += ev;
	return 0;
}

int pb_vm_sweep_stream_feed(struct pb_vm_sweep *sw, size_t i, const struct pb_vm_batch *b)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	if (j->rc)
		return j->rc;
	uint64_t t0 = pb_now_ns();
	if (j->policy_only) {
		j->rc = feed_policy(j, sw->pol[i], b);
	} else {
		struct pb_vm *vm = sw->vm[i];
		j->rc = pb_vm_access_chunks(vm, 0, b->a, b->n, b->pos, b->next_use, STREAM_CHUNK);
		if (j->rc)
			job_say(j, "%s", pb_vm_error(vm));
	}
	j->seconds += (double)(pb_now_ns() - t0) * 1e-9;
	return j->rc;
}

void pb_vm_sweep_stream_close(struct pb_vm_sweep *sw, size_t i)
{
	struct pb_vm_sweep_job *j = &sw->jobs[i];
	if (j->policy_only) {
		if (sw->pol[i])
			j->policy->destroy(sw->pol[i]);
		sw->pol[i] = NULL;
		return;
	}
	if (sw->vm[i])
		job_finish(sw, i);
}
