/* SPDX-License-Identifier: MIT */
/*
 * kernels/real/pager.h - internals of the userfaultfd pager shared by the
 * files of kernels/real/ (uffd_pager.c: the kernel and its handlers;
 * pager_swap.c: the swap store and the latency histogram).
 */
#ifndef PAGEBENCH_REAL_PAGER_H
#define PAGEBENCH_REAL_PAGER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Swap store: where evicted pages live.  Either an anonymous mapping
 * ("memory", the far memory of a far-memory system) or a real file created
 * with O_EXCL in a directory the user names, unlinked at once so that it
 * goes away on any exit, signals and crashes included.  Slots are handed
 * out in eviction order (swap clustering reads neighbouring slots) and a
 * page keeps its slot.  Caller: one thread at a time per store (the region
 * lock).  Returns 0 or -errno everywhere.
 */
struct pb_swap {
	int fd;			/* -1: memory store */
	char *mem;		/* memory store: cap * 4 KiB */
	uint64_t cap;		/* slots */
	uint64_t used;		/* slots handed out */
	int direct;		/* O_DIRECT */
	uint64_t fail_write_at; /* test injection: this write (1-based) fails with EIO; 0 = never */
	uint64_t reads, writes, read_ns, write_ns, bytes_read, bytes_written;
	char path[4096];
};

int pb_swap_open(struct pb_swap *s, const char *dir, uint64_t cap, int direct, char *err,
		 size_t errlen);
void pb_swap_close(struct pb_swap *s);
/* A fresh slot, or -ENOSPC when the store is full. */
int64_t pb_swap_alloc(struct pb_swap *s);
/* Write / read `n` consecutive slots from `slot` (buf page-aligned). */
int pb_swap_write(struct pb_swap *s, uint64_t slot, const void *buf, uint64_t n);
int pb_swap_read(struct pb_swap *s, uint64_t slot, void *buf, uint64_t n);

/*
 * Latency histogram, log-bucketed: 4 sub-buckets per power of two (relative
 * error <= 25%), from 1 ns to 2^40 ns.  Not thread-safe (one writer: the
 * region lock's holder).
 */
#define PB_HIST_SUB	4
#define PB_HIST_BUCKETS (41 * PB_HIST_SUB)
struct pb_hist {
	uint64_t count[PB_HIST_BUCKETS];
	uint64_t n, max;
};
void pb_hist_add(struct pb_hist *h, uint64_t ns);
void pb_hist_merge(struct pb_hist *into, const struct pb_hist *from);
/* Bucket b covers [lo, hi) ns. */
void pb_hist_bounds(unsigned b, uint64_t *lo, uint64_t *hi);
/* Upper bound of the bucket holding the q-quantile (0 < q <= 1); 0 if empty. */
uint64_t pb_hist_quantile(const struct pb_hist *h, double q);

#endif /* PAGEBENCH_REAL_PAGER_H */
