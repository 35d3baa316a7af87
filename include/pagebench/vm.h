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
 * event is counted per thread.  See kernels/vm/engine.c for the design.
 */
#ifndef PAGEBENCH_VM_H
#define PAGEBENCH_VM_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/cost.h"
#include "pagebench/policy.h"
#include "pagebench/tlb.h"
#include "pagebench/workload.h"

enum pb_prepage {
	PB_PREPAGE_DEMAND = 0,  /* pure demand paging */
	PB_PREPAGE_READAHEAD,   /* growing window on sequential major faults */
	PB_PREPAGE_FAULTAROUND, /* map resident neighbours (Linux fault_around_bytes) */
	PB_PREPAGE_SWAPCLUSTER, /* read neighbouring swap slots (Linux page-cluster) */
};
const char *pb_prepage_name(enum pb_prepage p);
int pb_prepage_parse(const char *s, enum pb_prepage *out); /* 0 or -EINVAL */

enum pb_vm_pt { PB_VM_PT_RADIX = 0, PB_VM_PT_HASHED = 1 };

/* How the threads of one engine share the stream. */
enum pb_vm_order {
	PB_VM_ORDER_STRICT = 0, /* chunks taken in stream order (deterministic) */
	PB_VM_ORDER_FREE = 1,   /* threads run their chunks concurrently */
};

/* How hits reach an accessed-bit (PB_POL_HW) policy. */
enum pb_vm_hints {
	PB_VM_HINTS_EXACT = 0, /* every reference, in order (= policy replay) */
	PB_VM_HINTS_ABIT = 1,  /* a TLB entry reports once per policy epoch (a
				* miss): what an accessed bit gives an OS;
				* identical faults for CLOCK, SIEVE, FIFO...,
				* not for policies that count hits (aging) */
};

struct pb_vm_cfg {
	const struct pb_policy_desc *policy;
	const char *policy_params; /* or NULL */
	uint64_t frames;           /* physical frames (>= 1) */
	enum pb_prepage prepage;
	unsigned readahead_max;  /* pages (default 32 = Linux ra_pages 128 KiB) */
	unsigned faultaround;    /* pages (default 16 = fault_around_bytes 64 KiB) */
	unsigned swapcluster;    /* pages (default 8 = 1 << page-cluster 3) */
	enum pb_vm_pt pt;
	unsigned nthreads;      /* engine CPUs (>= 1) */
	enum pb_vm_order order;
	enum pb_vm_hints hints; /* ORACLE policies always get every reference */
	uint64_t seed;
	struct pb_tlb_geom tlb;
	const struct pb_cost_device *device;
	const char *backing_path; /* NULL: simulated; else real pread/pwrite file */
	uint64_t expected_keys;   /* hint for table sizes (0: unknown) */
};
/* Fill defaults: lru, 64 frames, demand, radix, 1 thread, skylake, nvme. */
void pb_vm_cfg_default(struct pb_vm_cfg *c);

/* Engine event counts (per thread; pb_vm_stats sums them). */
struct pb_vm_stats {
	uint64_t refs, hits, faults;
	uint64_t minor_faults, major_faults;
	uint64_t zero_fills, swap_ins, file_reads, pagecache_hits, cow_copies;
	uint64_t evictions, writebacks, swap_outs, file_writebacks, dropped_clean;
	uint64_t tlb_l1_hits, tlb_l2_hits, tlb_misses; /* tlb_misses: page walks */
	uint64_t shootdowns;      /* remote TLB invalidations (IPIs) sent */
	uint64_t local_flushes;   /* own-TLB invalidations on eviction/COW */
	uint64_t prepaged;        /* pages brought in ahead of use */
	uint64_t prepage_used;    /* ... later referenced */
	uint64_t prepage_unused;  /* ... evicted before any reference (pollution) */
	uint64_t prepage_mapped;  /* fault-around PTEs installed */
	uint64_t read_ios, write_ios, extra_pages_read;
	uint64_t policy_calls;    /* vtable calls (faults + hints) */
	uint64_t hint_flushes;    /* pagevec-style batches applied */
};

struct pb_vm;

/*
 * Create an engine.  Returns 0 or -errno with one line in err (unknown
 * policy parameters, an unusable backing file, OPT without next_use...).
 */
int pb_vm_create(const struct pb_vm_cfg *cfg, struct pb_vm **out, char *err,
		 size_t errlen) PB_MUST_CHECK;
void pb_vm_destroy(struct pb_vm *vm);

/*
 * Replay accesses on engine CPU `tid` (0 <= tid < nthreads).  `pos` is the
 * stream index of a[0] (OPT and the hint order use it), next_use (or NULL)
 * gives for each access the index of the next access of the same page
 * (pb_next_use over pb_vm_key()), needed by PB_POL_OFFLINE policies.
 * Caller: the thread that owns `tid` (one thread per tid at a time).
 * Different tids run concurrently; the caller orders the calls if it wants
 * determinism (pb_vm_replay does).  The hit path takes no lock: it reads
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

/*
 * Replay a whole in-memory stream on cfg.nthreads pinned threads
 * (pb_team_run); in STRICT order the result counts are the same for any
 * thread count.  chunk: accesses per scheduling unit (0: 256).
 */
int pb_vm_replay(struct pb_vm *vm, const struct pb_access *a, size_t n, const uint64_t *next_use,
		 size_t chunk);

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

/* Policy key of an access: private pages (asid << 48) | vpn; shared and
 * file pages live in the shared namespaces (one page, several mappers). */
uint64_t pb_vm_key(const struct pb_access *a);
/* Fill keys[i] = pb_vm_key(&a[i]) and next_use (pb_next_use).  0 / -errno. */
int pb_vm_next_use(const struct pb_access *a, size_t n, uint64_t *next_use);

/*
 * Publish the summed counts of `s` as PAPI software-defined events
 * ("sde:::pagebench::vm_faults", ...).  The counters live in static
 * storage updated by this call.
 */
void pb_vm_publish_sde(const struct pb_vm_stats *s);

#endif /* PAGEBENCH_VM_H */
