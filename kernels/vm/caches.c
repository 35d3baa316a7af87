/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/caches.c - the CPU cache hierarchy in front of the engine's
 * DRAM.
 *
 * How it works.  When cfg.caches has a level, every engine CPU (struct
 * vm_thread) owns one pb_cache_hier (kernels/cache: L1d, L1i, L2, L3,
 * LRU, 64-byte lines, non-inclusive, filled on a miss at every level).
 * After translation has given the frame (a TLB hit, a page walk, or the
 * fault that mapped the page) the access goes through the hierarchy at its
 * physical address, frame << 12 | offset within the page (fault.c,
 * vm_cache_touch; through a 2 MiB page the 4 KiB frame it falls in,
 * huge.c): a load or a store through L1d, a fetch through L1i.  Every
 * reference that reaches memory is one cache access, so l1d_hits +
 * l1d_misses + l1i_hits + l1i_misses = refs - segv - oom_skipped (less
 * an access whose process an OOM kill took during its own fault, and in
 * free order one whose page another engine thread evicted between its
 * fault's mapping and its touch); L2 sees the L1 misses and L3 the L2
 * misses.
 *
 * Variant details (docs/cache.md): physically indexed and tagged; every
 * CPU has a private L3 (a real L3 is shared by the cores of a socket);
 * an evicted or freed frame's lines are not invalidated (a reused frame
 * may hit on lines of its previous page: DMA and page-zeroing traffic are
 * not modelled either); write-backs of dirty lines cost nothing.
 *
 * Cost: the textbook hierarchical access time.  Each reference pays the L1
 * hit time, each L1 miss the L2's, each L2 miss the L3's and each L3 miss
 * the device profile's DRAM latency (kernels/vm/cost.c), in place of one
 * DRAM access per reference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vm.h"
#include "vm_internal.h"

void vm_cache_access(struct vm_thread *t, uint64_t pfn, uint64_t addr, int fetch)
{
	pb_cache_hier_access(
	    t->caches, (pfn << PB_PAGE_SHIFT) | (addr & ((1ULL << PB_PAGE_SHIFT) - 1)), fetch);
}

int vm_caches_init(struct pb_vm *vm, char *err, size_t errlen)
{
	if (!pb_cache_geom_enabled(&vm->cfg.caches))
		return 0;
	for (unsigned i = 0; i < vm->cfg.nthreads; i++) {
		struct pb_cache_hier *h = calloc(1, sizeof(*h));
		int rc = h ? pb_cache_hier_init(h, &vm->cfg.caches) : -ENOMEM;
		if (rc) {
			free(h);
			snprintf(err, errlen, "CPU caches: %s",
				 rc == -ENOMEM ? "out of memory" : "bad geometry");
			return rc;
		}
		vm->thr[i].caches = h;
	}
	return 0;
}

void vm_caches_fini(struct pb_vm *vm)
{
	for (unsigned i = 0; vm->thr && i < vm->cfg.nthreads; i++) {
		if (vm->thr[i].caches) {
			pb_cache_hier_fini(vm->thr[i].caches);
			free(vm->thr[i].caches);
			vm->thr[i].caches = NULL;
		}
	}
}

void vm_caches_stats(const struct pb_vm *vm, unsigned tid, struct pb_vm_stats *out)
{
	const struct pb_cache_hier *h = vm->thr[tid].caches;
	if (!h)
		return;
	out->l1d_hits = h->l1d.hits;
	out->l1d_misses = h->l1d.misses;
	out->l1i_hits = h->l1i.hits;
	out->l1i_misses = h->l1i.misses;
	out->l2_hits = h->l2.hits;
	out->l2_misses = h->l2.misses;
	out->l3_hits = h->l3.hits;
	out->l3_misses = h->l3.misses;
}

void vm_caches_cost(const struct pb_vm *vm, const struct pb_vm_stats *s, struct pb_cost_events *e)
{
	const struct pb_cache_geom *g = &vm->cfg.caches;
	if (!pb_cache_geom_enabled(g))
		return;
	/* accesses reaching each level, and those that leave the last one */
	uint64_t l1 = s->l1d_hits + s->l1d_misses + s->l1i_hits + s->l1i_misses;
	uint64_t l2 = s->l2_hits + s->l2_misses, l3 = s->l3_hits + s->l3_misses;
	uint64_t out = g->l3.size   ? s->l3_misses
		       : g->l2.size ? s->l2_misses
				    : s->l1d_misses + s->l1i_misses;
	e->caches = 1;
	e->l1_accesses = l1;
	e->l2_accesses = l2;
	e->l3_accesses = l3;
	e->dram_accesses = out;
	e->l1_ns = g->l1d.size || g->l1i.size ? g->l1_ns : 0;
	e->l2_ns = g->l2_ns;
	e->l3_ns = g->l3_ns;
}

const char *pb_vm_cache_event_na(enum pb_vm_event e, const struct pb_cache_geom *g)
{
	if (e < PB_VM_EV_l1d_hits || e > PB_VM_EV_l3_misses)
		return NULL;
	if (!pb_cache_geom_enabled(g))
		return g->source ? g->source : "no CPU cache model in this run";
	if ((e == PB_VM_EV_l1d_hits || e == PB_VM_EV_l1d_misses) && !g->l1d.size)
		return "the cache hierarchy has no L1d";
	if ((e == PB_VM_EV_l1i_hits || e == PB_VM_EV_l1i_misses) && !g->l1i.size)
		return "the cache hierarchy has no L1i";
	if ((e == PB_VM_EV_l2_hits || e == PB_VM_EV_l2_misses) && !g->l2.size)
		return "the cache hierarchy has no L2";
	if ((e == PB_VM_EV_l3_hits || e == PB_VM_EV_l3_misses) && !g->l3.size)
		return "the cache hierarchy has no L3";
	return NULL;
}
