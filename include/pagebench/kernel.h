/* SPDX-License-Identifier: MIT */
/*
 * pagebench/kernel.h - the benchmark-kernel descriptor.
 *
 * One skeleton, many backends (as Concurrency Kit's regressions and
 * will-it-scale): the harness owns the thread team, pinning, the start
 * barrier, repetitions, timing, counters and result rows; a kernel supplies
 * only setup / per-thread init / the timed body / verify / teardown, as
 * lmbench's init-run-cleanup with a cookie.
 *
 * Each module exports one NULL-terminated const table of descriptors
 * (pb_kernels_<module>[]); harness/registry.c lists the tables.  The table
 * drives `pagebench list`, `pagebench run NAME`, help text and the `kernel`
 * column of runs.csv.
 *
 * Contract (what the skeleton, harness/measure.c, guarantees a kernel):
 *  - setup() and teardown() run on the command's main thread, once per
 *    (kernel, thread count, params), never concurrently with anything of
 *    the same state; verify() runs there too, after every thread has left
 *    run() for the last time and before teardown().
 *  - thread_init(), run() and thread_fini() run on the nthreads team
 *    threads, each pinned to its planned PU, each with its own struct
 *    pb_kthread (never shared).  run() IS called concurrently: every
 *    thread of the team calls it at the same time, once per repetition
 *    (1 warm-up + reps), released together by the start gate; a kernel
 *    needs its own synchronisation for state shared between threads.
 *  - Ordering: a thread's thread_init() happens-before its first run();
 *    repetition r of every thread happens-before repetition r + 1 of any
 *    thread (the gate waits for the whole team), so per-repetition resets
 *    done at the start of run() by thread 0 are NOT safe (another thread
 *    may already be running); do them in run() of each thread for its own
 *    part, or in thread_init().
 *  - A failing thread_init() returns -errno and may write one line into
 *    t->err; the whole team then stops before the first repetition and the
 *    configuration fails with that message.
 *  - run() must not block signals or install handlers: a pending fatal
 *    signal is noticed between repetitions, never inside run().
 *  - Nothing here may call results.h or exit.
 */
#ifndef PAGEBENCH_KERNEL_H
#define PAGEBENCH_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"
#include "pagebench/param.h"

#define PB_KERNEL_MAX_EXTRA 20
/* A setup or thread_init message's room (pb_kernel_cfg.err, pb_kthread.err):
 * a path of up to PATH_MAX (a swap file's, a latency_csv's, a trace's) and
 * its reason, not cut at a fixed 256 or 512 bytes. */
#define PB_KERNEL_ERRLEN (4096 + 256)
/* An extra[] value not measured in this repetition (a quantile of no
 * sample): events.csv says NA (see desc->extra_na). */
#define PB_EXTRA_NA UINT64_MAX

struct pb_kernel_cfg {
	unsigned nthreads;  /* threads in the team for this configuration */
	uint64_t ops;	    /* --ops: operations per thread per repetition; 0 = kernel default */
	uint64_t size;	    /* --size: working-set size in bytes; 0 = kernel default */
	uint64_t seed;	    /* --seed: recorded in meta.json */
	const char *params; /* --param k=v,...: kernel-specific, "" if none */
	const int *thread_node; /* NUMA node planned for each thread (nthreads entries) */
	unsigned nnodes;	/* NUMA nodes in the topology (>= 1) */
	char *err;		/* setup writes one line here on failure */
	size_t errlen;		/* PB_KERNEL_ERRLEN: a whole path and its reason */
	/*
	 * What setup chose itself where a parameter left the choice to it
	 * (uffd-pager's dirty=auto, from what the kernel offers): setup may set
	 * key -> {"value": ..., "why": ...} here, a jansson object, or NULL when
	 * nothing is recorded (a dry setup).  The harness keeps it after a
	 * setup that returned 0, as meta.json config.kernel_resolved.KERNEL
	 * (the same for every thread count: the machine decides it).
	 */
	struct json_t *resolved;
};

/* Per-thread context handed to thread_init and run (on the pinned thread). */
struct pb_kthread {
	unsigned tid, nthreads;
	int node;     /* NUMA node this thread is bound to (-1: unknown) */
	int cpu;      /* PU (OS index) this thread is bound to (-1: unpinned) */
	void *tstate; /* free for the kernel's per-thread state */
	/* Kernel's own event counts for this repetition, columns named by
	 * desc->extra_cols.  Zeroed by the harness before each run(). */
	uint64_t extra[PB_KERNEL_MAX_EXTRA];
	/* thread_init writes one line here on failure (errlen bytes,
	 * PB_KERNEL_ERRLEN: room for a whole path and its reason). */
	char *err;
	size_t errlen;
};

struct pb_kernel_desc {
	const char *name;    /* CLI name, e.g. "pt-lookup" */
	const char *module;  /* "selftest", "pt", "frames", "workload", "vm", "real" */
	const char *summary; /* one line for `pagebench list` */
	/*
	 * --param k=v,...: the kernel's parameter table (pagebench/param.h),
	 * offsets into a struct of params_size bytes that setup() fills with
	 * pb_param_defaults + pb_param_parse_kv(params, cfg->params, ...).
	 * The harness parses --param against it into a scratch struct before
	 * any folder exists (a bad key or value is a usage error), prints it in
	 * `pagebench list kernels -v` and records the effective values in
	 * meta.json.  NULL or an empty table: the kernel takes no parameters
	 * (--param is refused).
	 */
	const struct pb_param *params;
	size_t params_size;
	const char *op_unit; /* what one op is, e.g. "lookup", "alloc+free pair" */
	/* Kernel whose result is the floor this one is compared with (a flat
	 * array lookup, a thread-local free list), or NULL.  The harness runs it
	 * in the same process and reports ratio_vs_baseline. */
	const char *baseline;
	const char *const *extra_cols; /* NULL-terminated names of extra[] columns, or NULL */
	/*
	 * Optional, one entry per extra_cols name: NULL for a count that adds
	 * up over threads, else why the column is a statistic of one thread (a
	 * quantile): its total rows are NA, as is a repetition where run()
	 * set it to PB_EXTRA_NA, and meta.json not_available gives this reason
	 * under the column's name.
	 */
	const char *const *extra_na;
	/*
	 * Optional, one entry per extra_cols name: NULL for a column that is
	 * not a rate, else the column is a ratio of the kernel's own counts
	 * (ns_per_fault: time / faults).  A rate does not add up over threads:
	 * its total rows are extra_total's, and this text says why a value is
	 * NA (its denominator was 0: a rate of nothing), in meta.json
	 * not_available under the column's name.
	 */
	const char *const *extra_rate;
	/*
	 * With extra_rate: the total row's rates.  thr[t]: thread t's extra[]
	 * (n threads, PB_EXTRA_NA where a thread's was not measured); tot: the
	 * total row, every column that is not a rate already summed.  Writes
	 * tot[k] for each rate column k, PB_EXTRA_NA where its denominator is 0.
	 */
	void (*extra_total)(const uint64_t *const *thr, unsigned n, uint64_t *tot);
	int bench_only; /* 1: only in `./run.sh bench`, not in the default suite */

	/* Called once per thread count.  Returns 0 or -errno (message in cfg->err);
	 * -ENOTSUP: this machine lacks what the kernel needs (a system call, a
	 * kernel feature), whatever the thread count: the harness says the
	 * message once, for the kernel or its baseline, and tries no other
	 * thread count. */
	int (*setup)(const struct pb_kernel_cfg *cfg, void **state);
	/* Optional: on the pinned thread before any repetition (first touch). */
	int (*thread_init)(void *state, struct pb_kthread *t);
	/* Timed body: does its work and returns the number of ops done. */
	uint64_t (*run)(void *state, struct pb_kthread *t);
	/* Optional: checks the kernel's own result after the repetitions;
	 * non-zero marks the rows invalid (valid=0) with the message. */
	int (*verify)(void *state, char *err, size_t errlen);
	/* Optional: on the pinned thread after the repetitions. */
	void (*thread_fini)(void *state, struct pb_kthread *t);
	void (*teardown)(void *state);
};

/* Module tables (NULL-terminated).  Each module's file defines its own. */
extern const struct pb_kernel_desc *const pb_kernels_selftest[];
extern const struct pb_kernel_desc *const pb_kernels_pt[];
extern const struct pb_kernel_desc *const pb_kernels_frames[];
extern const struct pb_kernel_desc *const pb_kernels_workload[];
extern const struct pb_kernel_desc *const pb_kernels_vm[];
extern const struct pb_kernel_desc *const pb_kernels_real[];

/* Registry (harness/registry.c). */
const struct pb_kernel_desc *pb_kernel_find(const char *name);
/* Iterate: returns the i-th registered kernel or NULL past the end. */
const struct pb_kernel_desc *pb_kernel_at(size_t i);

/*
 * Harness helper: check `params` ("k=v,...") against d's table before any
 * folder exists; 0, or -EINVAL with one line "KERNEL: KEY..." in err.  When
 * json is not NULL, *json gets the effective parameters (defaults filled
 * in) as a new jansson object (pb_param_json).
 */
int pb_kernel_params_check(const struct pb_kernel_desc *d, const char *params, struct json_t **json,
			   char *err, size_t errlen) PB_MUST_CHECK;

#endif /* PAGEBENCH_KERNEL_H */
