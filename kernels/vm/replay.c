/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/replay.c - chunked replay of a stream by the caller's threads.
 *
 * The stream is cut in chunks (256 accesses by default); chunk c runs on
 * engine CPU c % T (its TLB, its counts, its hint batch), and each chunk
 * ends with that CPU's pending hints applied.  One engine CPU replays the
 * chunks in one pb_vm_access_chunks call (the same counts), so that its
 * prefetch pipeline runs across them (fault.c).
 *
 * FREE order: OS thread tid replays the chunks of CPU tid (tid, tid + T,
 * ...), concurrently with the others (throughput and scaling, with the
 * lock-free hit path).
 *
 * STRICT order: chunk c starts only after chunk c - 1 has ended and flushed
 * its hints, so the policy sees the same sequence for any thread count and
 * the fault counts equal a single-thread replay.  That order is serial by
 * definition, so no OS thread waits for another: the first caller to
 * arrive claims the whole replay (one CAS) and runs every chunk in stream
 * order, each on its engine CPU's state; the others return at once.  An
 * engine CPU is simulated state, not an OS thread, so the counts are those
 * of a hand-off between threads - without the hand-off, whose wake-ups
 * cost more than the chunks on a loaded machine (a futex hand-off of
 * 256-reference chunks took 37 s of wall time for 1.2 s of CPU on a 2-core
 * machine with ten runnable threads; spin-then-yield before it, 472 s for
 * 5.6 s).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "pagebench/atomic.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

struct pb_vm_replay {
	struct pb_vm *vm;
	const struct pb_access *a;
	size_t n, chunk;
	const uint64_t *next_use;
	int rc;		  /* first error, under the fault lock */
	unsigned claimed; /* STRICT: a thread runs the replay (atomic) */
};

struct pb_vm_replay *pb_vm_replay_begin(struct pb_vm *vm, const struct pb_access *a, size_t n,
					const uint64_t *next_use, size_t chunk, int *rc)
{
	if (vm->pol_offline && !next_use) {
		vm_fail(vm, -EINVAL, "policy needs next_use");
		*rc = -EINVAL;
		return NULL;
	}
	struct pb_vm_replay *r = calloc(1, sizeof(*r));
	if (!r) {
		*rc = -ENOMEM;
		return NULL;
	}
	*r = (struct pb_vm_replay){
	    .vm = vm, .a = a, .n = n, .chunk = chunk ? chunk : 256, .next_use = next_use};
	*rc = 0;
	return r;
}

/* The error rc of a chunk (recorded); returns it. */
static int chunk_failed(struct pb_vm_replay *r, int rc)
{
	struct pb_vm *vm = r->vm;
	if (rc) {
		vm_lock(vm);
		if (!r->rc)
			r->rc = rc;
		vm_fail(vm, rc, "access failed");
		vm_unlock(vm);
	}
	return rc;
}

/* Replay chunk c on engine CPU c % T; 0 or the error (recorded). */
static int run_chunk(struct pb_vm_replay *r, size_t c)
{
	struct pb_vm *vm = r->vm;
	unsigned cpu = (unsigned)(c % vm->cfg.nthreads);
	size_t lo = c * r->chunk, hi = lo + r->chunk < r->n ? lo + r->chunk : r->n;
	int rc = pb_vm_access_batch(vm, cpu, r->a + lo, hi - lo, lo,
				    r->next_use ? r->next_use + lo : NULL);
	if (vm->batch) /* free order: the reserve stays for its next chunk (batch.c) */
		vm_batch_flush(vm, &vm->thr[cpu], 0);
	else
		pb_vm_flush_hints(vm, cpu);
	return chunk_failed(r, rc);
}

void pb_vm_replay_thread(struct pb_vm_replay *r, unsigned tid)
{
	struct pb_vm *vm = r->vm;
	unsigned nt = vm->cfg.nthreads;
	size_t nchunks = (r->n + r->chunk - 1) / r->chunk;
	if (vm->cfg.order == PB_VM_ORDER_STRICT && nt > 1) {
		unsigned z = 0;
		/* relaxed: the claim orders nothing; the caller's join orders
		 * the runner's work before pb_vm_replay_end and the stats */
		if (!pb_atomic_cas(&r->claimed, &z, 1, PB_RELAXED, PB_RELAXED))
			return;
		for (size_t c = 0; c < nchunks; c++)
			if (run_chunk(r, c))
				return;
		return;
	}
	if (nt == 1 && !tid) { /* every chunk in turn: one call, one pipeline (fault.c) */
		(void)chunk_failed(
		    r, pb_vm_access_chunks(vm, 0, r->a, r->n, 0, r->next_use, r->chunk));
		return;
	}
	for (size_t c = tid; c < nchunks; c += nt)
		if (run_chunk(r, c))
			break;
	if (vm->batch && tid < nt) /* its reserve back to the allocator */
		vm_batch_flush(vm, &vm->thr[tid], 1);
}

int pb_vm_replay_end(struct pb_vm_replay *r)
{
	if (!r)
		return -EINVAL;
	int rc = r->rc ? r->rc : pb_atomic_load(&r->vm->failed, PB_ACQUIRE);
	free(r);
	return rc;
}
