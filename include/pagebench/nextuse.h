/* SPDX-License-Identifier: MIT */
/*
 * pagebench/nextuse.h - next-use positions of a key stream (base layer),
 * what Belady's OPT needs.  The one implementation: the policy module's
 * pb_next_use and the engine's pb_vm_next_use are this function.
 */
#ifndef PAGEBENCH_NEXTUSE_H
#define PAGEBENCH_NEXTUSE_H

#include <stddef.h>
#include <stdint.h>

#define PB_NEXT_NONE UINT64_MAX /* never referenced again */

/*
 * Fill next_use[i] with the smallest j > i such that keys[j] == keys[i], or
 * PB_NEXT_NONE.  One backward pass over a pb_hmap (key -> nearest later
 * position): O(n) time, O(distinct keys) memory besides the output.
 * next_use may not alias keys.  Returns 0, -EINVAL (NULL arrays with n > 0)
 * or -ENOMEM.  Single-threaded; reentrant.
 */
int pb_next_use(const uint64_t *keys, size_t n, uint64_t *next_use);

/*
 * pb_next_use, asking stop() (e.g. pb_signal_pending, pagebench/outfile.h)
 * before each PB_NEXT_USE_STOP references of the backward pass, the first
 * included: a nonzero answer ends the pass with -EINTR, next_use partly
 * written.  stop NULL: pb_next_use.
 */
#define PB_NEXT_USE_STOP ((size_t)1 << 16)
int pb_next_use_stop(const uint64_t *keys, size_t n, uint64_t *next_use, int (*stop)(void));

#endif /* PAGEBENCH_NEXTUSE_H */
