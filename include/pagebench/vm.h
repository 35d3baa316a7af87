/* SPDX-License-Identifier: MIT */
/*
 * pagebench/vm.h - the demand-paging engine (pb_vm).
 *
 * A simulated machine: N CPUs (engine threads), each with its own TLB
 * (tlb.h), address spaces whose page tables are pb_pt tables, a pool of
 * `frames` physical frames (pb_frames) shared by every address space, an
 * eviction strategy from pb_policies[], a prepaging strategy, a backing
 * store (simulated swap area + files, or a real file) and a cost model
 * (cost.h).  The engine replays a workload stream (workload.h): every
 * access goes TLB -> page walk -> fault handling -> eviction, and every
 * event is counted per thread.  See docs/engine.md and the design comment
 * atop each file of kernels/vm/ (fault.c: the access path).
 *
 * The engine is driven, never drives: it starts no threads and publishes
 * no counters.  The caller runs pb_vm_replay_thread() (or
 * pb_vm_access_batch()) on its own threads, and the harness publishes
 * the counts (include/pagebench/vm_drive.h).
 */
#ifndef PAGEBENCH_VM_H
#define PAGEBENCH_VM_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/cache.h"
#include "pagebench/cost.h"
#include "pagebench/policy.h"
#include "pagebench/tlb.h"
#include "pagebench/vm_events.h"
#include "pagebench/workload.h"

/*
 * Prepaging strategies: one descriptor per file (kernels/vm/prepage_*.c),
 * listed in pb_prepages[] (kernels/vm/prepage.c), which drives parsing,
 * --help and the names in CSVs.  after_fault runs under the engine's
 * fault lock after each fault has mapped its page; its argument is
 * private to the engine (vm_internal.h).
 */
struct pb_vm;
struct vm_fault_ctx;
struct pb_prepage_desc {
	const char *name; /* --prepage value, CSV `prepage` column */
	const char *help; /* one line for --help and `list` */
	/* NULL for pure demand paging */
	void (*after_fault)(struct pb_vm *vm, const struct vm_fault_ctx *f);
};
extern const struct pb_prepage_desc pb_prepage_demand;	    /* pure demand paging */
extern const struct pb_prepage_desc pb_prepage_readahead;   /* sequential window */
extern const struct pb_prepage_desc pb_prepage_faultaround; /* map resident neighbours */
extern const struct pb_prepage_desc pb_prepage_swapcluster; /* neighbouring swap slots */
/* Registry, NULL-terminated, default first. */
extern const struct pb_prepage_desc *const pb_prepages[];
const char *pb_prepage_name(const struct pb_prepage_desc *p); /* "?" for NULL */
/* 0 or -EINVAL. */
int pb_prepage_parse(const char *s, const struct pb_prepage_desc **out);
/* "a|b|c" of every registered name into buf (for help and errors). */
void pb_prepage_names(char *buf, size_t len);

enum pb_vm_pt { PB_VM_PT_RADIX = 0, PB_VM_PT_HASHED = 1 };

/* How the threads of one engine share the stream. */
enum pb_vm_order {
	PB_VM_ORDER_STRICT = 0, /* chunks taken in stream order (deterministic) */
	PB_VM_ORDER_FREE = 1,	/* threads run their chunks concurrently */
};

/* How hits reach an accessed-bit (PB_POL_HW) policy. */
enum pb_vm_hints {
	PB_VM_HINTS_EXACT = 0, /* every reference, in order (= policy replay) */
	PB_VM_HINTS_ABIT = 1,  /* a TLB entry reports once per policy epoch (a
				* miss): what an accessed bit gives an OS;
				* identical faults for CLOCK, SIEVE, FIFO...,
				* not for policies that count hits (aging) */
};
/* Whether policy d gets hints h as asked: abit reaches PB_POL_HW policies
 * only; ORACLE and OFFLINE ones always get every reference (exact). */
static inline int pb_vm_hints_abit(const struct pb_policy_desc *d, enum pb_vm_hints h)
{
	return h == PB_VM_HINTS_ABIT &&
	       (d->flags & (PB_POL_HW | PB_POL_ORACLE | PB_POL_OFFLINE)) == PB_POL_HW;
}

/* Transparent huge pages (Linux /sys/kernel/mm/transparent_hugepage/enabled). */
enum pb_vm_thp {
	PB_VM_THP_NEVER = 0,   /* 4 KiB pages only (the default) */
	PB_VM_THP_ALWAYS = 1,  /* every private anonymous region */
	PB_VM_THP_MADVISE = 2, /* accesses flagged PB_ACC_THP */
};

struct pb_vm_cfg {
	const struct pb_policy_desc *policy;
	const char *policy_params;	       /* or NULL */
	uint64_t frames;		       /* physical frames (>= 1) */
	const struct pb_prepage_desc *prepage; /* NULL: demand */
	unsigned readahead_max;		       /* pages (default 32 = Linux ra_pages 128 KiB) */
	unsigned faultaround;		       /* pages (default 16 = fault_around_bytes 64 KiB) */
	unsigned swapcluster;		       /* pages (default 8 = 1 << page-cluster 3) */
	enum pb_vm_pt pt;
	unsigned nthreads; /* engine CPUs (>= 1) */
	enum pb_vm_order order;
	enum pb_vm_hints hints; /* ORACLE policies always get every reference */
	uint64_t seed;
	struct pb_tlb_geom tlb;
	const struct pb_cost_device *device;
	const char *backing_path; /* NULL: simulated; else real pread/pwrite file,
				   * created (O_EXCL), locked, removed at destroy */
	int backing_force;	  /* reuse (truncate) an existing regular file */
	uint64_t expected_keys;	  /* hint for table sizes (0: unknown) */
	/* Regions of the address spaces (pagebench/vma.h; any order, copied at
	 * creation): every access that faults or misses the TLB is checked
	 * against them (protection faults: the segv event), the kernel region
	 * lives in address space VM_KERNEL_AS (65520, then not a workload's)
	 * with global TLB entries.  NULL: no regions, no checks. */
	const struct pb_vma *regions;
	size_t nregions;
	/* CPU caches in front of DRAM, one hierarchy per engine CPU
	 * (kernels/vm/caches.c); no level present (pb_cache_parse("none"), or
	 * all zero as pb_vm_cfg_default leaves it): off, the cache events stay 0 */
	struct pb_cache_geom caches;
	enum pb_vm_thp thp;  /* 2 MiB pages (kernels/vm/huge.c); needs pt radix */
	uint64_t swap_pages; /* swap area size in pages (0: unlimited); full: OOM kill */
};
/* Fill defaults: lru, 64 frames, demand, radix, 1 thread, skylake, nvme. */
void pb_vm_cfg_default(struct pb_vm_cfg *c);

/* Engine event counts (per thread; pb_vm_stats sums them): one uint64_t
 * field per line of PB_VM_EVENTS (vm_events.h), in that order. */
struct pb_vm_stats {
#define PB_VM_EV_FIELD_(name, flags, help) uint64_t name;
	PB_VM_EVENTS(PB_VM_EV_FIELD_)
#undef PB_VM_EV_FIELD_
};
/* dst += src, event by event. */
void pb_vm_stats_add(struct pb_vm_stats *dst, const struct pb_vm_stats *src);
/* The count of event e in s. */
uint64_t pb_vm_stats_get(const struct pb_vm_stats *s, enum pb_vm_event e);

struct pb_vm;

/*
 * Create an engine.  Returns 0 or -errno with one line in err (unknown
 * policy parameters, an unusable backing file, OPT without next_use...).
 */
int pb_vm_create(const struct pb_vm_cfg *cfg, struct pb_vm **out, char *err,
		 size_t errlen) PB_MUST_CHECK;
/*
 * What pb_vm_create would say of backing_path / backing_force, asked once
 * before a run (`sim --backing file:PATH`): the same open, refusals and
 * lock, then the file closed (and removed when the check created it).  0 or
 * -errno with one line in err: the whole path and the reason, err being
 * PB_KERNEL_ERRLEN bytes (pagebench/kernel.h).
 */
int pb_vm_backing_check(const char *path, int force, char *err, size_t errlen) PB_MUST_CHECK;
void pb_vm_destroy(struct pb_vm *vm);

/*
 * Replay accesses on engine CPU `tid` (0 <= tid < nthreads).  `pos` is the
 * stream index of a[0] (OPT and the hint order use it), next_use (or NULL)
 * gives for each access the index of the next access of the same page
 * (pb_next_use over pb_vm_key()), needed by PB_POL_OFFLINE policies.
 * Caller: the thread that owns `tid` (one thread per tid at a time).
 * Different tids run concurrently; the caller orders the calls if it wants
 * determinism (pb_vm_replay_thread does).  The hit path takes no lock: it reads
 * the caller's own TLB, the page tables (inside an epoch section entered
 * for the batch) and frame->page names published by the fault path's PTE
 * release; faults and batched policy hints take the engine's fault lock.
 * Returns 0 or -errno (backing I/O error, asid or address out of range,
 * engine/policy disagreement; message via pb_vm_error).
 */
int pb_vm_access_batch(struct pb_vm *vm, unsigned tid, const struct pb_access *a, size_t n,
		       uint64_t pos, const uint64_t *next_use);
/* Apply tid's pending hints now (end of a chunk in ordered runs). */
void pb_vm_flush_hints(struct pb_vm *vm, unsigned tid);
/* pb_vm_access_batch of a[0..n) chunk accesses at a time (0: all in one),
 * each chunk followed by pb_vm_flush_hints(vm, tid): the same counts, and
 * the same error (after its chunk's flush).  One engine CPU's prefetch
 * pipeline then runs across the chunks instead of restarting with each. */
int pb_vm_access_chunks(struct pb_vm *vm, unsigned tid, const struct pb_access *a, size_t n,
			uint64_t pos, const uint64_t *next_use, size_t chunk);

/*
 * Replay a whole in-memory stream on the engine's nthreads CPUs, driven by
 * the caller's threads:
 *
 *   r = pb_vm_replay_begin(vm, a, n, next_use, chunk, &rc);
 *   on nthreads threads at once, thread tid: pb_vm_replay_thread(r, tid);
 *   rc = pb_vm_replay_end(r);
 *
 * The stream is cut in chunks of `chunk` accesses (0: 256); chunk c runs
 * on engine CPU c % T.  In FREE order thread tid replays chunks tid,
 * tid + T, tid + 2T, ... concurrently with the others.  In STRICT order
 * chunk c starts after chunk c - 1 has ended, so the result counts are the
 * same for any thread count: the first thread to arrive runs every chunk
 * in order, each on its engine CPU's state, and the others return at once
 * (no thread waits for another).
 * Caller: begin and end on one thread, with no replay_thread running;
 * replay_thread once per tid per replay, every tid of 0 .. nthreads-1
 * (run them concurrently, or one after another on the caller's thread).  Returns NULL from begin
 * with *rc = -errno (OFFLINE policy without next_use: -EINVAL; -ENOMEM).
 * end returns 0 or the first error (message via pb_vm_error).
 */
struct pb_vm_replay;
struct pb_vm_replay *pb_vm_replay_begin(struct pb_vm *vm, const struct pb_access *a, size_t n,
					const uint64_t *next_use, size_t chunk, int *rc);
void pb_vm_replay_thread(struct pb_vm_replay *r, unsigned tid);
int pb_vm_replay_end(struct pb_vm_replay *r);
/* The engine's thread count (cfg.nthreads). */
unsigned pb_vm_nthreads(const struct pb_vm *vm);

/* Sum of the per-thread counts (quiescent point). */
void pb_vm_stats(const struct pb_vm *vm, struct pb_vm_stats *out);
void pb_vm_thread_stats(const struct pb_vm *vm, unsigned tid, struct pb_vm_stats *out);
/* Effective access time of the counts under the engine's device. */
double pb_vm_eat_ns(const struct pb_vm *vm, const struct pb_vm_stats *s);
/* Frames resident now (quiescent point). */
uint64_t pb_vm_resident(const struct pb_vm *vm);
/* Consistency check at a quiescent point: policy residency == frames in
 * use == present pages; 0 or -EINVAL with a message. */
int pb_vm_check(struct pb_vm *vm, char *err, size_t errlen);
const char *pb_vm_error(const struct pb_vm *vm);
/*
 * Isolation check at a quiescent point (kernels/vm/vma.c): every present
 * PTE of address space A maps a frame whose page is A's own private page
 * or a page of a shared namespace (file, shared anonymous, COW original),
 * never another process's private page; with regions also that the PTE
 * lies in one of A's regions, is user-accessible exactly when the region
 * is, writable only where the region is and (for a shared page) only in a
 * shared region, executable only where the region is.  pb_vm_check runs
 * it when the engine has regions.  0 or -EINVAL with a message.
 */
int pb_vm_check_isolation(struct pb_vm *vm, char *err, size_t errlen);
/* Swap slots (quiescent point): in use now, the most ever in use at once
 * (= slots ever created: a freed slot is reused first), the area's size
 * (0: unlimited).  kernels/vm/swap.c. */
void pb_vm_swap_usage(const struct pb_vm *vm, uint64_t *in_use, uint64_t *peak, uint64_t *size);
/* "never", "always", "madvise" (NULL for another value); parse: 0 / -EINVAL;
 * the names indexed by enum pb_vm_thp, NULL-terminated. */
extern const char *const pb_vm_thp_names[];
const char *pb_vm_thp_name(enum pb_vm_thp t);
int pb_vm_thp_parse(const char *s, enum pb_vm_thp *out);

/* Policy key of an access: private pages (asid << 48) | vpn; shared and
 * file pages live in the shared namespaces (one page, several mappers). */
uint64_t pb_vm_key(const struct pb_access *a);
/* Fill keys[i] = pb_vm_key(&a[i]) and next_use (pb_next_use).  0 / -errno. */
int pb_vm_next_use(const struct pb_access *a, size_t n, uint64_t *next_use);

/*
 * Where finished engines' counts go (the harness publishes them as PAPI
 * software-defined events; see vm_drive.h).  The sink is set once by the
 * harness before any engine runs; pb_vm_emit_events hands the summed
 * counts of a finished engine to it (no-op without a sink).  Callers:
 * any thread; the sink must be thread-safe.
 */
typedef void (*pb_vm_event_sink)(const struct pb_vm_stats *s);
void pb_vm_set_event_sink(pb_vm_event_sink sink);
void pb_vm_emit_events(const struct pb_vm_stats *s);

/*
 * A sweep: a pool of fresh engines over (policy, frames, repetition)
 * jobs, run by the caller's threads.  The caller fills jobs[] (the "in"
 * fields); every engine is `base` with the job's policy, frames, seed and
 * stream.  Each job creates its engine, replays the stream, checks it
 * (pb_vm_check), keeps the counts and destroys it.
 *
 *  - pb_vm_sweep_claim: the next job nobody has taken (an atomic counter:
 *    idle threads steal the next job), SIZE_MAX when none is left.  Any
 *    thread.
 *  - pb_vm_sweep_run_job: run job i on the calling thread; base.nthreads
 *    must be 1.  Any thread; distinct jobs concurrently (engines share
 *    nothing).
 *  - pb_vm_sweep_job_begin / _end: job i with base.nthreads > 1: begin
 *    creates the engine and returns its replay (NULL: the job failed, see
 *    its rc), the caller runs pb_vm_replay_thread on nthreads threads,
 *    end stops the clock, checks and stores the counts.
 *  - A job with policy_only replays the stream's keys through the policy
 *    alone (pb_policy_replay: what `mrc` needs, no TLB, no page tables);
 *    its counts are st.refs and st.faults (= misses).
 * The sweep does not own jobs[] nor the streams; it writes a failed job's
 * err, which outlives it (pb_vm_sweep_jobs_free).
 */
struct pb_vm_stream {
	const struct pb_access *a;
	size_t n;
	const uint64_t *next_use; /* or NULL (no OFFLINE policy) */
	uint64_t distinct;	  /* distinct pages: sizes tables (0: unknown) */
	const uint64_t *keys;	  /* pb_vm_key of each access (policy_only jobs) */
	const uint8_t *writes;	  /* 1 for a write (policy_only jobs) */
	/* the stream's regions (engine jobs; pagebench/vma.h), or NULL */
	const struct pb_vma *regions;
	size_t nregions;
};
struct pb_vm_sweep_job {
	/* in */
	const struct pb_policy_desc *policy;
	const char *policy_params; /* this job's "k=v,..." (NULL: the base cfg's) */
	uint64_t frames;
	unsigned rep;
	uint64_t seed; /* engine (policy) seed */
	const struct pb_vm_stream *stream;
	int policy_only; /* policy replay of stream->keys, not the engine */
	size_t tag;	 /* the caller's (sim, mrc: index of the --policy item) */
	/* out */
	int rc; /* 0 or -errno; -EINVAL with st.refs == 0: a configuration error */
	/* NULL, or the job's one line, whole (a --backing path of up to
	 * PATH_MAX and the reason: a fixed 384 bytes cut them), malloc'ed by
	 * the sweep and freed by pb_vm_sweep_jobs_free.  Not inline at
	 * PB_KERNEL_ERRLEN: mrc holds up to 100001 sizes' jobs at once. */
	char *err;
	struct pb_vm_stats st;
	double eat_ns, seconds;
};
struct pb_vm_sweep;
int pb_vm_sweep_create(const struct pb_vm_cfg *base, struct pb_vm_sweep_job *jobs, size_t njobs,
		       struct pb_vm_sweep **out) PB_MUST_CHECK;
void pb_vm_sweep_destroy(struct pb_vm_sweep *sw);
size_t pb_vm_sweep_claim(struct pb_vm_sweep *sw);
/* A claimed job that will not run, or not further: its rc and err (a
 * sweep stopped by a signal, a streamed job whose stream changed). */
void pb_vm_sweep_job_cancel(struct pb_vm_sweep *sw, size_t i, int rc, const char *why);
/* The jobs' messages freed (err NULL again); jobs[] stays the caller's.
 * After the sweep is destroyed and the messages read. */
void pb_vm_sweep_jobs_free(struct pb_vm_sweep_job *jobs, size_t njobs);
void pb_vm_sweep_run_job(struct pb_vm_sweep *sw, size_t i);
struct pb_vm_replay *pb_vm_sweep_job_begin(struct pb_vm_sweep *sw, size_t i);
void pb_vm_sweep_job_end(struct pb_vm_sweep *sw, size_t i, struct pb_vm_replay *r);

/*
 * Streaming jobs (no loaded stream: the caller reads the workload once and
 * feeds every job batch by batch).  open creates job i's engine (or its
 * policy, policy_only), feed replays one batch of the job's stream, close
 * checks the engine (pb_vm_check), stores the counts and frees it.  An
 * engine job replays each batch in 256-access chunks with the hints
 * flushed after each (what pb_vm_replay_thread does on one engine CPU), so
 * its counts equal the loaded replay's; base.nthreads must be 1.  A
 * policy_only job counts refs, hits, faults (= misses) and evictions.
 * open and feed return the job's rc (0 or -errno, message in err; feed is
 * a no-op once the job failed); close is always called once after open.
 * One thread at a time per job, ordered by the caller; distinct jobs
 * concurrently.  seconds sums the feeds.
 */
struct pb_vm_batch {
	const struct pb_access *a; /* engine jobs */
	const uint64_t *keys;	   /* pb_vm_key of each access (policy_only jobs) */
	const uint8_t *writes;	   /* 1 for a write (policy_only jobs), or NULL */
	const uint64_t *next_use;  /* next uses of a[0..n) (stream positions), or NULL */
	size_t n;
	uint64_t pos; /* stream position of a[0] */
};
int pb_vm_sweep_stream_open(struct pb_vm_sweep *sw, size_t i);
int pb_vm_sweep_stream_feed(struct pb_vm_sweep *sw, size_t i, const struct pb_vm_batch *b);
void pb_vm_sweep_stream_close(struct pb_vm_sweep *sw, size_t i);
/* Why cache event e cannot be counted under the hierarchy g (caches off,
 * or that level absent), or NULL when it can or e is not a cache event:
 * sim.csv writes such a column NA and meta.json gives the reason. */
const char *pb_vm_cache_event_na(enum pb_vm_event e, const struct pb_cache_geom *g);

#endif /* PAGEBENCH_VM_H */
