/* SPDX-License-Identifier: MIT */
/*
 * pagebench/vma.h - regions of simulated address spaces (Linux's VMAs).
 *
 * A region is a range of virtual pages of one address space with its
 * permissions (r/w/x), its privilege (user, or supervisor-only), its kind
 * (what backs its pages) and a name.  A workload that models processes
 * describes them with a table of regions (pb_workload_regions, workload.h;
 * the `exec` generator does), and the engine takes the table through
 * pb_vm_cfg.regions (vm.h): every access that faults or misses the TLB is
 * then checked against its region, and an access outside every region, a
 * write to a region without w, a fetch from one without x or a user-mode
 * access to a supervisor region is a protection fault (the `segv` event),
 * never mapped.  Without a table the engine checks nothing (as before).
 *
 * The table is an array sorted by (asid, start), regions of one address
 * space not overlapping; a region with asid PB_VMA_ALL (the kernel) is
 * mapped in every address space and must overlap none.  Byte addresses,
 * page aligned (4 KiB), below 2^48.  Core and harness code may include this
 * header; it has no functions of its own (the engine's lookups are in
 * kernels/vm/vma.c).
 */
#ifndef PAGEBENCH_VMA_H
#define PAGEBENCH_VMA_H

#include <stddef.h>
#include <stdint.h>

/* prot */
#define PB_VMA_R 0x1u
#define PB_VMA_W 0x2u
#define PB_VMA_X 0x4u

/* flags */
#define PB_VMA_USER 0x1u /* user mode may access it (else supervisor only) */
#define PB_VMA_IMAGE                                                                               \
	0x2u /* loaded from a program or library file (execve, ld.so):                             \
	      * its file reads count as exec_reads */

/* What backs a region's pages; the access flags (PB_ACC_*) a workload
 * gives its accesses in each kind are in brackets. */
enum pb_vma_kind {
	PB_VMA_ANON = 0,	 /* private demand-zero (bss, heap, stack) [0] */
	PB_VMA_FILE_SHARED = 1,	 /* a file, shared: the page cache (text) [FILE|SHARED] */
	PB_VMA_FILE_PRIVATE = 2, /* a file, private: COW from the file (data) [FILE] */
	PB_VMA_SHM = 3,		 /* shared anonymous (the kernel region) [SHARED] */
};

#define PB_VMA_ALL 0xffffffffu /* asid of a region mapped in every address space */

struct pb_vma {
	uint64_t start, end; /* [start, end) bytes, page aligned */
	uint32_t asid;	     /* owner, or PB_VMA_ALL */
	uint32_t file;	     /* file id (program 1, libraries 2...), 0: none */
	uint8_t prot;	     /* PB_VMA_R|W|X */
	uint8_t kind;	     /* enum pb_vma_kind */
	uint8_t flags;	     /* PB_VMA_USER, PB_VMA_IMAGE */
	char name[13];	     /* "text", "heap", "libc.so"... (NUL-terminated) */
};

#endif /* PAGEBENCH_VMA_H */
