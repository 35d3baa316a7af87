/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/replay.c - chunked replay of a stream by the caller's threads.
 *
 * The stream is cut in chunks (256 accesses by default); engine CPU tid
 * replays chunks tid, tid + T, tid + 2T, ... and applies its pending
 * hints at the end of each chunk.  In FREE order the threads run their
 * chunks concurrently (throughput and scaling, with the lock-free hit
 * path).  In STRICT order chunk c starts only after chunk c - 1 has ended
 * and flushed its hints, so the policy sees the same sequence for any
 * thread count and the fault counts equal a single-thread replay.
 *
 * The STRICT hand-off.  `turn` is the next chunk to run; the thread that
 * ends chunk c stores c + 1 with release (its replay and hint flush
 * happen-before the next chunk's acquire load).  A waiter spins briefly
 * (the next chunk is usually a few microseconds away), then sleeps on a
 * futex: `seq` counts hand-offs, a waiter reads it, re-checks `turn` and
 * sleeps only while `seq` is unchanged (FUTEX_WAIT compares in the
 * kernel), and the passer bumps `seq` before waking.  `sleepers` saves the
 * wake syscall when nobody sleeps; the waiter's increment and the
 * passer's bump are ordered by full fences (a Dekker pair), so a passer
 * that reads sleepers == 0 has published seq before the waiter reads it.
 * Sleeping instead of yielding matters when threads outnumber CPUs: with
 * sched_yield the turn holder competed with every spinner (`sim --threads
 * 2 --order strict` took 472 s of wall time for 5.6 s of CPU on a loaded
 * machine).  A failure wakes everybody; a waiter that sees it returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

#define SPIN_LIMIT 256 /* pb_cpu_relax rounds before sleeping */

struct pb_vm_replay {
	struct pb_vm *vm;
	const struct pb_access *a;
	size_t n, chunk;
	const uint64_t *next_use;
	int rc;					    /* first error, under the fault lock */
	uint64_t turn PB_ALIGNED(PB_CACHELINE);	    /* STRICT: next chunk to run */
	uint32_t seq PB_ALIGNED(PB_CACHELINE);	    /* futex word: hand-offs so far */
	uint32_t sleepers PB_ALIGNED(PB_CACHELINE); /* threads in FUTEX_WAIT */
};

static void futex_wait(uint32_t *addr, uint32_t val)
{
	/* a bounded sleep: belt and braces against a lost wake-up */
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
	(void)syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void futex_wake_all(uint32_t *addr)
{
	(void)syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Wait until chunk c is the turn (1) or the replay failed (0). */
static int wait_turn(struct pb_vm_replay *r, uint64_t c)
{
	for (unsigned spins = 0; spins < SPIN_LIMIT; spins++) {
		if (pb_atomic_load(&r->turn, PB_ACQUIRE) == c)
			return 1;
		if (pb_atomic_load(&r->vm->failed, PB_RELAXED))
			return 0;
		pb_cpu_relax();
	}
	for (;;) {
		uint32_t seq = pb_atomic_load(&r->seq, PB_ACQUIRE);
		if (pb_atomic_load(&r->turn, PB_ACQUIRE) == c)
			return 1;
		if (pb_atomic_load(&r->vm->failed, PB_ACQUIRE))
			return 0;
		pb_atomic_fetch_add(&r->sleepers, 1, PB_RELAXED);
		pb_fence_full(); /* Dekker with pass_turn: sleepers before seq */
		if (pb_atomic_load(&r->seq, PB_RELAXED) == seq)
			futex_wait(&r->seq, seq);
		pb_atomic_fetch_sub(&r->sleepers, 1, PB_RELAXED);
	}
}

/* Make chunk next the turn (or announce a failure) and wake sleepers. */
static void pass_turn(struct pb_vm_replay *r, uint64_t next)
{
	pb_atomic_store(&r->turn, next, PB_RELEASE);
	pb_atomic_fetch_add(&r->seq, 1, PB_RELEASE);
	pb_fence_full(); /* Dekker with wait_turn: seq before sleepers */
	if (pb_atomic_load(&r->sleepers, PB_RELAXED))
		futex_wake_all(&r->seq);
}

struct pb_vm_replay *pb_vm_replay_begin(struct pb_vm *vm, const struct pb_access *a, size_t n,
					const uint64_t *next_use, size_t chunk, int *rc)
{
	if (vm->pol_offline && !next_use) {
		vm_fail(vm, -EINVAL, "policy needs next_use");
		*rc = -EINVAL;
		return NULL;
	}
	struct pb_vm_replay *r = aligned_alloc(PB_CACHELINE, sizeof(*r));
	if (!r) {
		*rc = -ENOMEM;
		return NULL;
	}
	*r = (struct pb_vm_replay){
	    .vm = vm, .a = a, .n = n, .chunk = chunk ? chunk : 256, .next_use = next_use};
	*rc = 0;
	return r;
}

void pb_vm_replay_thread(struct pb_vm_replay *r, unsigned tid)
{
	struct pb_vm *vm = r->vm;
	unsigned nt = vm->cfg.nthreads;
	int strict = vm->cfg.order == PB_VM_ORDER_STRICT && nt > 1;
	size_t nchunks = (r->n + r->chunk - 1) / r->chunk;
	for (size_t c = tid; c < nchunks; c += nt) {
		if (strict && !wait_turn(r, c))
			return;
		size_t lo = c * r->chunk, hi = lo + r->chunk < r->n ? lo + r->chunk : r->n;
		int rc = pb_vm_access_batch(vm, tid, r->a + lo, hi - lo, lo,
					    r->next_use ? r->next_use + lo : NULL);
		pb_vm_flush_hints(vm, tid);
		if (rc) {
			vm_lock(vm);
			if (!r->rc)
				r->rc = rc;
			vm_fail(vm, rc, "access failed");
			vm_unlock(vm);
		}
		if (strict)
			pass_turn(r, c + 1); /* on failure too: wakes every waiter */
		if (rc)
			return;
	}
}

int pb_vm_replay_end(struct pb_vm_replay *r)
{
	if (!r)
		return -EINVAL;
	int rc = r->rc ? r->rc : pb_atomic_load(&r->vm->failed, PB_ACQUIRE);
	free(r);
	return rc;
}
