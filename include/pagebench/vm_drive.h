/* SPDX-License-Identifier: MIT */
/*
 * pagebench/vm_drive.h - the harness side of the demand-paging engine.
 *
 * The engine (vm.h) is driven, never drives: these functions, in
 * harness/vm_drive.c, run its replays and sweeps on the pinned thread
 * team (team.h), load workload streams for it and publish its counts as
 * PAPI software-defined events.  `sim` and `mrc` (harness/cmd_sim.c,
 * harness/cmd_mrc.c) are thin layers over them.
 */
#ifndef PAGEBENCH_VM_DRIVE_H
#define PAGEBENCH_VM_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/vm.h"
#include "pagebench/workload.h" /* PB_WORKLOAD_CANONLEN */

/*
 * Replay a whole stream on the engine's nthreads CPUs: one thread runs it
 * inline, more run on a pinned team (pb_team_run_threads, compact
 * placement).
 * In STRICT order the counts are the same for any thread count.
 * Caller: one thread, no other replay of vm running.  0 or -errno.
 */
int pb_vm_replay_team(struct pb_vm *vm, const struct pb_access *a, size_t n,
		      const uint64_t *next_use, size_t chunk);

/*
 * Run every job of a sweep.  engine_threads == 1: up to `workers` team
 * threads claim jobs (pb_vm_sweep_claim) until none is left; otherwise
 * the jobs run one after another, each on an engine_threads team.
 * pb_progress_add(1) per finished job.  Caller: one thread.  0, or
 * -errno when no placement for engine_threads could be made (no job ran).
 */
int pb_vm_sweep_team(struct pb_vm_sweep *sw, size_t njobs, unsigned engine_threads,
		     unsigned workers);

/*
 * Publish the summed counts of `s` as PAPI software-defined events
 * ("sde:::pagebench::vm_faults", ... : the PB_VM_EV_SDE events of
 * vm_events.h).  Registers the counters on first use; they live in static
 * storage and only grow.  Any thread.  The harness also installs this as
 * the engine's event sink (pb_vm_set_event_sink) at start-up, so kernels
 * that drive an engine publish through pb_vm_emit_events.
 */
void pb_vm_publish_sde(const struct pb_vm_stats *s);

/* A workload stream in mapped memory, as sim and mrc replay it. */
struct pb_vm_loaded {
	struct pb_vm_stream s; /* points into the arrays below */
	struct pb_access *a;
	size_t cap;
	uint64_t *next_use; /* pb_vm_load_next_use */
	uint64_t *keys;	    /* pb_vm_load_keys */
	uint8_t *writes;
	uint64_t seed;			      /* the seed the workload was opened with */
	char canonical[PB_WORKLOAD_CANONLEN]; /* pb_workload_canonical, whole */
	/* a trace workload's file (trace_path[0] == 0: a generator) and its
	 * identity: its size and a hash of its first and last MiB with the
	 * size (pb_vm_trace_hash), computed once per file and process on a
	 * thread of its own while the replay runs (NULL: none to compute) */
	char trace_path[4096];
	struct pb_vm_trace_id *trace_id;
	uint64_t cow_refs; /* writes into copy-on-write regions (streamed or loaded) */
	/* a trace's lines that were not references, once a pass read it to
	 * its end (pb_workload_skipped): all, those the format did not
	 * recognise, and the line of the first of those */
	uint64_t skipped_lines, unknown_lines, first_unknown;
	/* the workload's regions (pb_workload_regions), copied; s.regions
	 * points here, and sweeps pass them to each engine */
	struct pb_vma *regions;
	size_t nregions;
};
/*
 * Load the whole stream of `spec` opened with `seed`, check it fits the
 * engine (4 KiB pages, asid and address range) and count its distinct
 * pages.  0; -EINVAL with a one-line reason in err (a usage error: bad
 * spec or stream); -ENOMEM or an I/O error with err.
 */
int pb_vm_load(const char *spec, uint64_t seed, struct pb_vm_loaded *l, char *err, size_t errlen);
int pb_vm_load_next_use(struct pb_vm_loaded *l); /* 0 or -ENOMEM */
int pb_vm_load_keys(struct pb_vm_loaded *l);	 /* 0 or -ENOMEM */
void pb_vm_load_free(struct pb_vm_loaded *l);

/*
 * Streaming replay: no loaded stream.  The pass before (only when the jobs
 * need it: an OFFLINE policy needs next uses; the streaming pass counts
 * the distinct pages itself): opens spec with seed, fills l's
 * identity (canonical, trace file) and l->s.distinct, and with next_use
 * l->next_use (one array of 8 B per reference, computed in place with
 * pb_next_use by chunks; no key array besides it) and l->s.n.  0, -EINVAL
 * (usage: err), -ENOMEM (err; the array would not fit in the memory
 * budget, as pb_vm_load says).  Free with pb_vm_load_free.
 */
int pb_vm_stream_prepass(const char *spec, uint64_t seed, int next_use, struct pb_vm_loaded *l,
			 char *err, size_t errlen);
/* The pass before of l[0..n) (l[s].seed set), the streams at once on up
 * to `workers` team threads, with a progress line; the first error. */
int pb_vm_stream_prepass_team(const char *spec, struct pb_vm_loaded *l, size_t n, int next_use,
			      unsigned workers, char *err, size_t errlen);
/* What a streaming sweep's passes did, summed over them (meta.json
 * config.sweep_feed): busy = task_s / (threads x wall_s) is the share of
 * the team's time spent in tasks rather than waiting for one. */
struct pb_vm_feed_stats {
	unsigned passes;	 /* reader passes (waves of jobs) */
	unsigned threads;	 /* team threads of a pass (a reader thread included) */
	int reader;		 /* a pass ran one worker beside a reader thread */
	double wall_s;		 /* the passes' wall time */
	double task_s;		 /* the tasks' summed time: reads, jobs, the keys hook */
	uint64_t budget_bytes;	 /* a wave's jobs may hold this much (estimates) */
	const char *budget_from; /* where the memory budget came from (static) */
	uint64_t wave_bytes;	 /* the largest wave's estimate */
	unsigned recounts;	 /* passes stopped to count pages first (blind engines) */
};
/*
 * Run every job of a sweep from the streams themselves: streams[s] is spec
 * opened with streams[s].seed (with what a pass before left in it), and
 * each job's stream points at some streams[s].s.  One reader pass per
 * stream feeds all its jobs batch by batch (pb_vm_sweep_stream_*) on
 * `workers` team threads, with no barrier between batches: a stream's
 * batches are read in order into its two buffers, each job takes them in
 * order as soon as the next is read and its own last one is done (and
 * closes at the stream's end), and a buffer is read into again once every
 * job of its stream is done with it; idle threads take the next ready task
 * (reads first, then the job furthest behind, the longest first).
 * Memory: two batches per stream, the jobs' own state, the
 * distinct pages; never the stream.  An engine opened before its stream's
 * distinct pages are known (no pass before) has the engine's default
 * page-table size; one that runs out of it (-ENOMEM) is replayed in a
 * pass of its own once they are (sizes move no count).  On return
 * streams[s] has its identity, s.n and s.distinct (meta.json), and *fst
 * (if not NULL) what the passes did.  pb_progress_add(references read).  0, or -EINVAL (the
 * stream's or the engine's usage error in err: bad trace line, asid, address, no accesses,
 * a PAGEBENCH_TEST_INTERRUPT that is not a wave number), -ENOMEM, -EPROTO (a stream that
 * changed since its pass before).  Job errors are in the jobs.
 * Caller: one thread.
 */
int pb_vm_sweep_stream_team(struct pb_vm_sweep *sw, struct pb_vm_sweep_job *jobs, size_t njobs,
			    const char *spec, struct pb_vm_loaded *streams, size_t nstreams,
			    unsigned workers, struct pb_vm_feed_stats *fst, char *err,
			    size_t errlen);

/*
 * One reader pass that hands the stream's page keys (pb_vm_key) and write
 * flags to fn batch by batch (pos: the stream position of keys[0]), with a
 * progress line on a terminal ("label: references"): what `mrc` streams
 * into its stack-distance curves and samples.  Opens spec with l->seed;
 * keeps what a pass before left in l (next_use, its s.n: checked, -EPROTO
 * when the stream changed), fills l's identity, s.n, s.distinct and
 * cow_refs.  Memory: one batch and the distinct pages.  0, -EINVAL (usage:
 * err), -ENOMEM, or fn's error (err: "LABEL failed").
 */
typedef int (*pb_vm_keys_fn)(void *ctx, const uint64_t *keys, const uint8_t *writes, size_t n,
			     uint64_t pos);
int pb_vm_stream_keys(const char *spec, struct pb_vm_loaded *l, const char *label, pb_vm_keys_fn fn,
		      void *ctx, char *err, size_t errlen);
/*
 * pb_vm_sweep_stream_team that also hands streams[0]'s keys and write
 * flags to fn batch by batch, in stream order, once (the first pass that
 * reads streams[0]; streams[0] must have a job): what pb_vm_stream_keys
 * would give, without reading the stream again.  fn takes the batches as
 * a job does, on any team thread, its calls one at a time.  fn's error stops
 * the sweep: returned, with "the keys' pass failed" in err.
 */
int pb_vm_sweep_stream_keys(struct pb_vm_sweep *sw, struct pb_vm_sweep_job *jobs, size_t njobs,
			    const char *spec, struct pb_vm_loaded *streams, size_t nstreams,
			    unsigned workers, pb_vm_keys_fn fn, void *ctx,
			    struct pb_vm_feed_stats *fst, char *err, size_t errlen);

/*
 * The identity of a trace file without reading all of it: FNV-1a 64 over
 * its first MiB, its last MiB (the bytes not already hashed) and its size
 * as 8 little-endian bytes, into out as "fnv1a64:%016x"; *size = its size.
 * 0 or -errno (-EINVAL: not a regular file).  Any thread.
 */
int pb_vm_trace_hash(const char *path, uint64_t *size, char *out, size_t outlen);

/* ---- what sim and mrc share (return errors; the command exits) ---- */
struct pb_run;
/* One item of --policy: a policy with its parameters. */
struct pb_vm_cli_policy {
	const struct pb_policy_desc *d;
	char *params;	     /* canonical parameters given (pb_policy_spec_parse), NULL: none */
	char effective[256]; /* every parameter, defaults filled in (pb_policy_params_effective) */
};
/*
 * --policy LIST: "all" (every registered policy, table order, defaults) or
 * specs NAME[:k=v,...] split by pb_policy_spec_split ("s3fifo:
 * move_threshold=2,lirs:hirs=0.02"); the same policy may appear with
 * different parameters; an entry the same as an earlier one after parsing
 * (the same policy, the same parameters with defaults filled in: "lru,lru",
 * "s3fifo,s3fifo:move_threshold=1") is dropped, the order kept.  Each
 * policy is created once with its parameters (4 frames, `seed`), so what
 * its table cannot check fails here too.
 * 0 or -EINVAL/-ENOMEM with one line in err; *out: free with
 * pb_vm_cli_policies_free.
 */
int pb_vm_cli_policies(const char *arg, uint64_t seed, struct pb_vm_cli_policy **out, size_t *n,
		       char *err, size_t errlen);
void pb_vm_cli_policies_free(struct pb_vm_cli_policy *p, size_t n);
/* 1 if a policy needs next uses (PB_POL_OFFLINE). */
int pb_vm_cli_need_next_use(const struct pb_vm_cli_policy *p, size_t n);
/* 1 if spec opened with seed a and with seed b is the same stream (a trace;
 * a generator whose spec fixes seed=): compares canonical specs. */
int pb_vm_cli_same_stream(const char *spec, uint64_t a, uint64_t b);
/*
 * meta.json config shared by sim and mrc: "workload" (canonical), "refs",
 * "distinct_pages", "trace" ({path, size, hash, hash_covers,
 * skipped_lines}, traces only) and "policies": [{name, params (given),
 * effective}] in --policy order.  The command's own options are recorded
 * by the command, from its option table (pb_param_json).
 */
void pb_vm_cli_config(struct pb_run *run, const struct pb_vm_loaded *l,
		      const struct pb_vm_cli_policy *p, size_t n);
/* One line on stderr, "pagebench CMD: warning: N lines of PATH were not
 * references and were skipped (first at line L)", when the trace read
 * into l had lines its format did not recognise; nothing otherwise. */
void pb_vm_cli_skipped_warning(const char *cmd, const struct pb_vm_loaded *l);
/* meta.json config.sweep_feed of a streaming sweep: {passes, threads,
 * wall_s, task_s, busy} (nothing when no pass ran). */
void pb_vm_feed_config(struct pb_run *run, const struct pb_vm_feed_stats *fst);
/* The policy model's (sim --model policy, mrc) warnings on stderr, after
 * the stream was read: writes into copy-on-write regions (no copies are
 * made, so its counts differ from the engine's) and regions (no
 * permission is checked).  cmd: "sim" or "mrc". */
void pb_vm_policy_model_warn(const char *cmd, const struct pb_vm_loaded *l);

#endif /* PAGEBENCH_VM_DRIVE_H */
