/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/base_internal.h - what the files of the base layer share.
 * Not a public header.
 *
 * The base layer depends on nothing else of pagebench (not even the
 * harness's pb_map), so it maps its own memory: anonymous, zeroed, lazily
 * faulted mmap, never malloc (a policy's tables grow inside timed replays,
 * where an allocator's purging must not land).
 */
#ifndef PB_BASE_INTERNAL_H
#define PB_BASE_INTERNAL_H

#include <stddef.h>
#include <sys/mman.h>

/* Zeroed memory of `bytes` (> 0), or NULL. */
static inline void *pb_base_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static inline void pb_base_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

#endif /* PB_BASE_INTERNAL_H */
