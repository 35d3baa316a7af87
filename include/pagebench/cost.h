/* SPDX-License-Identifier: MIT */
/*
 * pagebench/cost.h - the cost model: effective access time from event counts.
 *
 * The paging engine counts events (references, TLB hits per level, page
 * walks, faults by kind, I/Os); a device profile gives each event a latency
 * and the effective access time is their weighted sum per reference:
 *
 *   eat_ns = ( refs * (sram_ns + dram_ns)          TLB lookup + the access
 *            + l2_tlb_hits * l2tlb_ns + walks * walk_ns
 *            + faults * fault_ns                   trap + handler, every fault
 *            + zero_fills * zero_ns + cow_copies * copy_ns
 *            + read_ios * read_ns + extra_pages_read * xfer_ns
 *            + write_ios * write_ns + extra_pages_written * xfer_ns ) / refs
 *
 * Dirty-victim write-backs are charged synchronously, as in the textbook
 * formula where "the service time doubles when the victim is dirty"; a
 * clustered read (readahead, swap cluster) pays one positioning latency and
 * a transfer time for every further page, and so does a multi-page write
 * (a dirty 2 MiB page's swap-out: one write_ns and 511 xfer_ns; the
 * engine's extra_pages_written).  Profiles are listed with their sources
 * in kernels/vm/cost.c; `sim` records the constants it used in meta.json
 * (config.cost), so eat_ns can be recomputed from a sim.csv row.
 */
#ifndef PAGEBENCH_COST_H
#define PAGEBENCH_COST_H

#include <stddef.h>
#include <stdint.h>

struct pb_cost_device {
	const char *name;   /* --device name */
	const char *source; /* where the figures come from */
	double sram_ns;	    /* L1 TLB lookup (charged on every reference) */
	double dram_ns;	    /* the memory access itself */
	double l2tlb_ns;    /* extra for an L1 miss that hits the L2 TLB */
	double walk_ns;	    /* page walk after an L2 TLB miss */
	double fault_ns;    /* trap + fault handler (every fault) */
	double zero_ns;	    /* zero a 4 KiB page */
	double copy_ns;	    /* copy a 4 KiB page (COW) */
	double read_ns;	    /* one random 4 KiB read from the backing device */
	double write_ns;    /* one random 4 KiB write */
	double xfer_ns;	    /* each further contiguous page of the same I/O */
};

/* Named profiles, NULL-terminated: textbook, hdd, ssd, nvme, optane, cxl, remote. */
extern const struct pb_cost_device *const pb_cost_devices[];
/* Find a profile by name, or NULL. */
const struct pb_cost_device *pb_cost_device_find(const char *name);
/* "a|b|c" list of names into buf. */
void pb_cost_device_names(char *buf, size_t len);

struct pb_cost_events {
	uint64_t refs;
	uint64_t l2_tlb_hits; /* L1 miss, L2 hit */
	uint64_t walks;	      /* L2 miss (or L1 miss with no L2) */
	uint64_t faults;
	uint64_t zero_fills, cow_copies;
	uint64_t read_ios, extra_pages_read;
	uint64_t write_ios, extra_pages_written;
	/* CPU caches in front of DRAM (kernels/vm/caches.c).  With caches set,
	 * the memory access of the references costs
	 *   l1_accesses * l1_ns + l2_accesses * l2_ns + l3_accesses * l3_ns
	 *   + dram_accesses * dram_ns
	 * (each level's hit time for every access that reaches it, DRAM for
	 * what leaves the last level) instead of refs * dram_ns. */
	int caches;
	uint64_t l1_accesses, l2_accesses, l3_accesses, dram_accesses;
	double l1_ns, l2_ns, l3_ns; /* from the cache profile (pagebench/cache.h) */
};

/* Effective access time in ns per reference (0 refs: 0). */
double pb_cost_eat_ns(const struct pb_cost_device *d, const struct pb_cost_events *e);
/* Total simulated time in ns for the events. */
double pb_cost_total_ns(const struct pb_cost_device *d, const struct pb_cost_events *e);

#endif /* PAGEBENCH_COST_H */
