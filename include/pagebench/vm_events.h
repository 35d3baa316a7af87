/* SPDX-License-Identifier: MIT */
/*
 * pagebench/vm_events.h - the demand-paging engine's events, written once.
 *
 * Every event the engine counts is one X(name, flags, help) line below, in
 * the order of struct pb_vm_stats.  The list produces the struct's fields
 * (vm.h), the event enum, the descriptor table pb_vm_events[] (stats.c),
 * the sums (pb_vm_stats_add), the sim.csv columns (the PB_VM_EV_CSV ones,
 * in list order) and the PAPI software-defined event names
 * (sde:::pagebench::vm_<name>, the PB_VM_EV_SDE ones).  Adding an event:
 * one line here, then count it where it happens.  (Linux keeps its
 * vm_event_item.h and vmstat_text[] the same way.)
 */
#ifndef PAGEBENCH_VM_EVENTS_H
#define PAGEBENCH_VM_EVENTS_H

#include <stddef.h>

#define PB_VM_EV_CSV 0x1u /* a column of sim.csv */
#define PB_VM_EV_SDE 0x2u /* published as sde:::pagebench::vm_<name> */
#define PB_VM_EV_VMA 0x4u /* counted only with regions (pb_vm_cfg.regions): NA without */

/* clang-format off */
#define PB_VM_EVENTS(X)                                                                  \
	X(refs,             PB_VM_EV_CSV | PB_VM_EV_SDE, "memory references replayed")         \
	X(hits,             PB_VM_EV_CSV,                "references without a fault")          \
	X(faults,           PB_VM_EV_CSV | PB_VM_EV_SDE, "page faults (minor + major)")         \
	X(minor_faults,     PB_VM_EV_CSV,                "faults satisfied without I/O")        \
	X(major_faults,     PB_VM_EV_CSV | PB_VM_EV_SDE, "faults that waited for a read")       \
	X(zero_fills,       PB_VM_EV_CSV | PB_VM_EV_SDE, "demand-zero fills")                   \
	X(swap_ins,         PB_VM_EV_CSV | PB_VM_EV_SDE, "reads from swap")                     \
	X(file_reads,       PB_VM_EV_CSV | PB_VM_EV_SDE, "reads of file pages")                 \
	X(pagecache_hits,   PB_VM_EV_CSV,                "faults on a page resident elsewhere") \
	X(cow_copies,       PB_VM_EV_CSV | PB_VM_EV_SDE, "copy-on-write copies")                \
	X(evictions,        PB_VM_EV_CSV | PB_VM_EV_SDE, "pages evicted")                       \
	X(writebacks,       PB_VM_EV_CSV | PB_VM_EV_SDE, "dirty pages written out")             \
	X(swap_outs,        PB_VM_EV_CSV,                "anonymous pages written to swap")     \
	X(file_writebacks,  PB_VM_EV_CSV,                "file pages written back")             \
	X(dropped_clean,    0,                           "clean pages dropped")                 \
	X(tlb_l1_hits,      PB_VM_EV_CSV,                "L1 TLB hits")                         \
	X(tlb_l2_hits,      PB_VM_EV_CSV,                "L2 TLB hits")                         \
	X(tlb_misses,       PB_VM_EV_CSV | PB_VM_EV_SDE, "TLB misses (page walks)")             \
	X(shootdowns,       PB_VM_EV_CSV | PB_VM_EV_SDE, "remote TLB invalidations (IPIs)")     \
	X(walk_retries,     PB_VM_EV_CSV,                "page walks again after an unmap raced the TLB fill (several threads)") \
	X(local_flushes,    0,                           "own-TLB invalidations")               \
	X(prepaged,         PB_VM_EV_CSV | PB_VM_EV_SDE, "pages brought in ahead of use")       \
	X(prepage_used,     PB_VM_EV_CSV,                "prepaged pages, PTEs later used")     \
	X(prepage_unused,   PB_VM_EV_CSV,                "prepaged pages, PTEs gone unused")    \
	X(prepage_mapped,   PB_VM_EV_CSV,                "fault-around PTEs installed")         \
	X(read_ios,         PB_VM_EV_CSV,                "read I/Os")                           \
	X(write_ios,        PB_VM_EV_CSV,                "write I/Os")                          \
	X(extra_pages_read, PB_VM_EV_CSV,                "pages read by prepaging")             \
	X(extra_pages_written, PB_VM_EV_CSV,             "pages a write I/O carried past its first (2 MiB swap-out: 511)") \
	X(policy_calls,     0,                           "policy vtable calls")                 \
	X(hint_flushes,     0,                           "hint batches applied")                \
	X(exclusive_faults, 0,                           "entries to the whole machine's fault path in fine-grained free order (some find the fault resolved)") \
	X(segv,             PB_VM_EV_CSV | PB_VM_EV_SDE | PB_VM_EV_VMA,                       \
	                    "protection faults (SIGSEGV): access skipped, never mapped")        \
	X(exec_reads,       PB_VM_EV_CSV | PB_VM_EV_VMA, "file reads loading program/library images") \
	X(l1d_hits,         PB_VM_EV_CSV,                "L1 data cache hits")                 \
	X(l1d_misses,       PB_VM_EV_CSV,                "L1 data cache misses")               \
	X(l1i_hits,         PB_VM_EV_CSV,                "L1 instruction cache hits")          \
	X(l1i_misses,       PB_VM_EV_CSV,                "L1 instruction cache misses")        \
	X(l2_hits,          PB_VM_EV_CSV,                "L2 cache hits")                      \
	X(l2_misses,        PB_VM_EV_CSV,                "L2 cache misses")                    \
	X(l3_hits,          PB_VM_EV_CSV,                "L3 cache hits")                      \
	X(l3_misses,        PB_VM_EV_CSV,                "L3 cache misses (DRAM accesses)") \
	X(thp_faults,       PB_VM_EV_CSV | PB_VM_EV_SDE, "faults that mapped a 2 MiB page")     \
	X(thp_fallbacks,    PB_VM_EV_CSV,                "THP faults without a free 2 MiB frame") \
	X(oom_kills,        PB_VM_EV_CSV | PB_VM_EV_SDE, "processes killed: swap full")         \
	X(oom_pages_freed,  PB_VM_EV_CSV,                "pages freed by OOM kills")            \
	X(oom_skipped,      PB_VM_EV_CSV,                "accesses of killed processes")
/* clang-format on */

enum pb_vm_event {
#define PB_VM_EV_ENUM_(name, flags, help) PB_VM_EV_##name,
	PB_VM_EVENTS(PB_VM_EV_ENUM_)
#undef PB_VM_EV_ENUM_
	    PB_VM_EV__COUNT
};

struct pb_vm_event_desc {
	const char *name; /* field, CSV column, SDE name after "vm_" */
	unsigned flags;	  /* PB_VM_EV_* */
	const char *help;
};
/* Indexed by enum pb_vm_event. */
extern const struct pb_vm_event_desc pb_vm_events[PB_VM_EV__COUNT];

#endif /* PAGEBENCH_VM_EVENTS_H */
