/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/cost.c - device profiles for the effective-access-time model.
 *
 * The model (see include/pagebench/cost.h) is the textbook one of
 * Silberschatz, Galvin and Gagne, Operating System Concepts, ch. 9
 * ("effective access time = (1 - p) x ma + p x page-fault time"), extended
 * with a two-level TLB, a page-walk cost, fault kinds and clustered I/O.
 *
 * Profiles and their sources (latencies of one random 4 KiB operation at
 * queue depth 1; "xfer" is 4 KiB at the sequential bandwidth):
 *  - textbook: the ratios of the textbook seed: SRAM 10 ns, DRAM 100 ns
 *    (10x SRAM), disk 1 ms (10,000x DRAM); a page walk is one more memory
 *    access (single-level table, as the EAT exercises).
 *  - hdd: 7200 rpm drive, e.g. Seagate BarraCuda datasheet: 8.5 ms average
 *    seek + 4.17 ms average rotational latency (half a turn at 7200 rpm);
 *    ~200 MB/s sustained -> 20 us per further page.  See also Ruemmler &
 *    Wilkes, "An Introduction to Disk Drive Modeling", IEEE Computer 1994.
 *  - ssd: SATA NAND SSD, Samsung 860 EVO datasheet: 4 KiB random read QD1
 *    10,000 IOPS (100 us), random write QD1 42,000 IOPS (24 us), 550 MB/s.
 *  - nvme: Samsung 970 EVO Plus datasheet: 4 KiB random read QD1 19,000
 *    IOPS (53 us), random write QD1 60,000 IOPS (17 us), 3,500 MB/s.
 *  - optane: Intel Optane SSD DC P5800X product brief: read and write
 *    latency < 5 us (we use 5 us), 7,200 MB/s.
 *  - cxl: a CXL.mem expander used as the swap tier: ~250 ns load latency
 *    (Sun et al., "Demystifying CXL Memory with Genuine CXL-Ready Systems
 *    and Devices", MICRO 2023, report 2-3x local DRAM; Li et al., "Pond",
 *    ASPLOS 2023) plus 4 KiB at ~30 GB/s (~140 ns): 400 ns per page.
 *  - remote: RDMA far memory as in Infiniswap (Gu et al., NSDI 2017) and
 *    Fastswap (Amaro et al., EuroSys 2020): ~4 us to read or write a 4 KiB
 *    page over 100 Gb/s (0.33 us transfer per further page).
 * CPU-side costs of the real-machine profiles: DRAM 80 ns (typical loaded
 * latency of a client DDR4 system), L2 TLB hit ~7 cycles (2 ns), a page
 * walk ~25 ns when the paging-structure caches hit (Bhattacharjee & Lustig,
 * "Architectural and Operating System Support for Virtual Memory", 2017),
 * a minor-fault trap + handler ~600 ns (Linux anonymous fault path), 4 KiB
 * zeroing ~250 ns and copying ~400 ns at ~10-16 GB/s.
 */
#include <stdio.h>
#include <string.h>

#include "pagebench/cost.h"

#define CPU_SIDE                                                                                   \
	.sram_ns = 1, .dram_ns = 80, .l2tlb_ns = 2, .walk_ns = 25, .fault_ns = 600,                \
	.zero_ns = 250, .copy_ns = 400

static const struct pb_cost_device textbook = {
    .name = "textbook",
    .source = "Silberschatz et al., Operating System Concepts ch. 9 ratios",
    .sram_ns = 10,
    .dram_ns = 100,
    .l2tlb_ns = 10,
    .walk_ns = 100,
    .fault_ns = 1000,
    .zero_ns = 1000,
    .copy_ns = 1000,
    .read_ns = 1e6,
    .write_ns = 1e6,
    .xfer_ns = 0,
};
static const struct pb_cost_device hdd = {
    .name = "hdd",
    .source = "7200 rpm HDD (Seagate BarraCuda datasheet: 8.5 ms seek + 4.17 ms rotation)",
    CPU_SIDE,
    .read_ns = 12.67e6,
    .write_ns = 12.67e6,
    .xfer_ns = 20e3,
};
static const struct pb_cost_device ssd = {
    .name = "ssd",
    .source = "SATA SSD (Samsung 860 EVO datasheet, QD1 4K)",
    CPU_SIDE,
    .read_ns = 100e3,
    .write_ns = 24e3,
    .xfer_ns = 7.4e3,
};
static const struct pb_cost_device nvme = {
    .name = "nvme",
    .source = "NVMe SSD (Samsung 970 EVO Plus datasheet, QD1 4K)",
    CPU_SIDE,
    .read_ns = 53e3,
    .write_ns = 17e3,
    .xfer_ns = 1.2e3,
};
static const struct pb_cost_device optane = {
    .name = "optane",
    .source = "Intel Optane SSD DC P5800X product brief (<5 us)",
    CPU_SIDE,
    .read_ns = 5e3,
    .write_ns = 5e3,
    .xfer_ns = 0.57e3,
};
static const struct pb_cost_device cxl = {
    .name = "cxl",
    .source = "CXL.mem expander as swap tier (Sun et al. MICRO 2023; Pond ASPLOS 2023)",
    CPU_SIDE,
    .read_ns = 400,
    .write_ns = 400,
    .xfer_ns = 140,
};
static const struct pb_cost_device remote = {
    .name = "remote",
    .source = "RDMA far memory (Infiniswap NSDI 2017, Fastswap EuroSys 2020)",
    CPU_SIDE,
    .read_ns = 4e3,
    .write_ns = 4e3,
    .xfer_ns = 330,
};

const struct pb_cost_device *const pb_cost_devices[] = {&textbook, &hdd, &ssd,	  &nvme,
							&optane,   &cxl, &remote, NULL};

const struct pb_cost_device *pb_cost_device_find(const char *name)
{
	for (size_t i = 0; pb_cost_devices[i]; i++)
		if (!strcmp(pb_cost_devices[i]->name, name))
			return pb_cost_devices[i];
	return NULL;
}

void pb_cost_device_names(char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; pb_cost_devices[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "",
				      pb_cost_devices[i]->name);
}

double pb_cost_total_ns(const struct pb_cost_device *d, const struct pb_cost_events *e)
{
	double mem = (double)e->refs * d->dram_ns; /* every access from DRAM */
	if (e->caches)				   /* or through the CPU caches (cost.h) */
		mem = (double)e->l1_accesses * e->l1_ns + (double)e->l2_accesses * e->l2_ns +
		      (double)e->l3_accesses * e->l3_ns + (double)e->dram_accesses * d->dram_ns;
	return (double)e->refs * d->sram_ns + mem + (double)e->l2_tlb_hits * d->l2tlb_ns +
	       (double)e->walks * d->walk_ns + (double)e->faults * d->fault_ns +
	       (double)e->zero_fills * d->zero_ns + (double)e->cow_copies * d->copy_ns +
	       (double)e->read_ios * d->read_ns + (double)e->extra_pages_read * d->xfer_ns +
	       (double)e->write_ios * d->write_ns + (double)e->extra_pages_written * d->xfer_ns;
}

double pb_cost_eat_ns(const struct pb_cost_device *d, const struct pb_cost_events *e)
{
	if (!e->refs)
		return 0;
	return pb_cost_total_ns(d, e) / (double)e->refs;
}
