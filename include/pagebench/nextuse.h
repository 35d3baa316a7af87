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

#endif /* PAGEBENCH_NEXTUSE_H */
