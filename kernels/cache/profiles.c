/* SPDX-License-Identifier: MIT */
/*
 * kernels/cache/profiles.c - published cache geometries and latencies of the
 * CPUs the TLB model knows (kernels/vm/tlb.c): one profile per TLB profile,
 * of the same name, so `sim --tlb zen3 --caches profile` is one CPU.
 *
 * Sizes and associativities (64-byte lines everywhere):
 *  - skylake (client, e.g. Core i7-6700K): Intel 64 and IA-32 Architectures
 *    Optimization Reference Manual (248966), Skylake client
 *    microarchitecture, "Cache parameters": L1d 32 KiB 8-way, 4-5 cycles;
 *    L1i 32 KiB 8-way; L2 256 KiB 4-way, 12 cycles (the server part,
 *    Skylake-SP, has 1 MiB 16-way); L3 up to 2 MiB per core, 16-way: 8 MiB
 *    on the 4-core i7-6700K.  Latency of L3 ~42 cycles (7-cpu.com,
 *    "Intel Skylake", i7-6700 measurements).  At 4 GHz: 1, 3, 10.5 ns.
 *  - icelake (client, Sunny Cove, e.g. Core i7-1065G7): Optimization
 *    Reference Manual 248966, Ice Lake client: L1d 48 KiB 12-way, 5
 *    cycles; L1i 32 KiB 8-way; L2 512 KiB 8-way, 13 cycles; L3 2 MiB per
 *    core 16-way, 8 MiB on 4 cores.  L3 latency approximated as ~40 cycles
 *    (not in the manual).  At 3.9 GHz: 1.3, 3.3, 10.3 ns.
 *  - zen3: AMD Software Optimization Guide for Family 19h (56665), cache
 *    sections: L1d 32 KiB 8-way, 4-5 cycles; L1i 32 KiB 8-way; L2 512 KiB
 *    8-way, 12 cycles; L3 32 MiB 16-way per CCX (shared), ~46 cycles.  At
 *    4.5 GHz: 1.0, 2.7, 10.2 ns.
 *  - zen4: AMD Software Optimization Guide for Family 19h Zen 4 (57647): L1d
 *    32 KiB 8-way; L1i 32 KiB 8-way; L2 1 MiB 8-way, 14 cycles; L3 32 MiB
 *    16-way per CCX, ~50 cycles.  At 5 GHz: 0.8, 2.8, 10 ns.
 *  - textbook: Bryant & O'Hallaron, Computer Systems: A Programmer's
 *    Perspective, 3rd ed., Figure 6.40 (Intel Core i7 cache hierarchy):
 *    L1 i/d 32 KB 8-way 4 cycles, L2 256 KB 8-way 10 cycles, L3 8 MB 16-way
 *    40-75 cycles.  Latencies taken at a nominal 1 GHz (4, 10, 40 ns), so
 *    with the textbook device profile (DRAM 100 ns, SRAM 10 ns,
 *    kernels/vm/cost.c) DRAM is 10x the L2's SRAM, the seed's ratio.
 * The model gives each simulated CPU its own L3 (a shared L3 is modelled
 * as private: see docs/cache.md).
 */
#include <stddef.h>

#include "pagebench/cache.h"

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)

static const struct pb_cache_geom skylake = {
    .name = "skylake",
    .source = "Intel Optimization Reference Manual 248966, Skylake client cache parameters",
    .line = 64,
    .l1d = {KiB(32), 8},
    .l1i = {KiB(32), 8},
    .l2 = {KiB(256), 4},
    .l3 = {MiB(8), 16},
    .l1_ns = 1.0,
    .l2_ns = 3.0,
    .l3_ns = 10.5,
    .lat_source = "4/12/42 cycles at 4 GHz (Intel 248966; 7-cpu.com Skylake)",
};
static const struct pb_cache_geom icelake = {
    .name = "icelake",
    .source = "Intel Optimization Reference Manual 248966, Ice Lake client (Sunny Cove)",
    .line = 64,
    .l1d = {KiB(48), 12},
    .l1i = {KiB(32), 8},
    .l2 = {KiB(512), 8},
    .l3 = {MiB(8), 16},
    .l1_ns = 1.3,
    .l2_ns = 3.3,
    .l3_ns = 10.3,
    .lat_source = "5/13/~40 cycles at 3.9 GHz (Intel 248966; L3 approximate)",
};
static const struct pb_cache_geom zen3 = {
    .name = "zen3",
    .source = "AMD Software Optimization Guide for Family 19h (56665), caches",
    .line = 64,
    .l1d = {KiB(32), 8},
    .l1i = {KiB(32), 8},
    .l2 = {KiB(512), 8},
    .l3 = {MiB(32), 16},
    .l1_ns = 1.0,
    .l2_ns = 2.7,
    .l3_ns = 10.2,
    .lat_source = "4-5/12/46 cycles at 4.5 GHz (AMD 56665)",
};
static const struct pb_cache_geom zen4 = {
    .name = "zen4",
    .source = "AMD Software Optimization Guide for Family 19h Zen 4 (57647), caches",
    .line = 64,
    .l1d = {KiB(32), 8},
    .l1i = {KiB(32), 8},
    .l2 = {MiB(1), 8},
    .l3 = {MiB(32), 16},
    .l1_ns = 0.8,
    .l2_ns = 2.8,
    .l3_ns = 10.0,
    .lat_source = "4-5/14/50 cycles at 5 GHz (AMD 57647)",
};
static const struct pb_cache_geom textbook = {
    .name = "textbook",
    .source = "Bryant & O'Hallaron, CS:APP 3e, Fig. 6.40 (Core i7 cache hierarchy)",
    .line = 64,
    .l1d = {KiB(32), 8},
    .l1i = {KiB(32), 8},
    .l2 = {KiB(256), 8},
    .l3 = {MiB(8), 16},
    .l1_ns = 4,
    .l2_ns = 10,
    .l3_ns = 40,
    .lat_source = "CS:APP Fig. 6.40: 4/10/40 cycles at a nominal 1 GHz",
};

const struct pb_cache_geom *const pb_cache_profiles[] = {&skylake, &icelake,  &zen3,
							 &zen4,	   &textbook, NULL};
