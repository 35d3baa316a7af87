/* SPDX-License-Identifier: MIT */
/*
 * pagebench/atomic.h - the one atomics vocabulary of pagebench.
 *
 * Every atomic access in the core names its memory order, as jemalloc's
 * atomic_*_p(..., ATOMIC_ACQUIRE) and ck_pr do.  There is no default order:
 * a reader of the code sees at each access what it synchronises with.
 *
 * These are thin wrappers over C11 <stdatomic.h> *_explicit operations on
 * plain (non-_Atomic) objects via the GCC/Clang __atomic builtins, so that
 * PTE words and bitfields can live in ordinary mmap'ed arrays, and so that
 * ThreadSanitizer sees every access.
 */
#ifndef PAGEBENCH_ATOMIC_H
#define PAGEBENCH_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#define PB_RELAXED __ATOMIC_RELAXED
#define PB_ACQUIRE __ATOMIC_ACQUIRE
#define PB_RELEASE __ATOMIC_RELEASE
#define PB_ACQ_REL __ATOMIC_ACQ_REL
#define PB_SEQ_CST __ATOMIC_SEQ_CST

/* Load / store.  `order` must be one of the PB_* constants above. */
#define pb_atomic_load(p, order)	__atomic_load_n((p), (order))
#define pb_atomic_store(p, v, order)	__atomic_store_n((p), (v), (order))
#define pb_atomic_exchange(p, v, order) __atomic_exchange_n((p), (v), (order))

/*
 * Strong compare-and-swap.  On failure *expected is updated with the value
 * seen, loaded with `fail_order` (which may not be stronger than `order`).
 */
#define pb_atomic_cas(p, expected, desired, order, fail_order)                                     \
	__atomic_compare_exchange_n((p), (expected), (desired), false, (order), (fail_order))
/* Weak CAS, for retry loops only (may fail spuriously). */
#define pb_atomic_cas_weak(p, expected, desired, order, fail_order)                                \
	__atomic_compare_exchange_n((p), (expected), (desired), true, (order), (fail_order))

/* Read-modify-write; each returns the value *before* the operation. */
#define pb_atomic_fetch_add(p, v, order) __atomic_fetch_add((p), (v), (order))
#define pb_atomic_fetch_sub(p, v, order) __atomic_fetch_sub((p), (v), (order))
#define pb_atomic_fetch_or(p, v, order)	 __atomic_fetch_or((p), (v), (order))
#define pb_atomic_fetch_and(p, v, order) __atomic_fetch_and((p), (v), (order))

/* Fences, named by guarantee. */
#define pb_fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define pb_fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define pb_fence_full()	   __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Busy-wait hint. */
static inline void pb_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* PAGEBENCH_ATOMIC_H */
