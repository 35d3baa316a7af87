/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_huge_cost.c - what a 2 MiB page costs and how its runs
 * are recorded, on the engine itself:
 *  - an access through a 2 MiB mapping goes through the CPU caches at its
 *    physical address (the 2 MiB frame + the offset in it: 4 KiB frame
 *    head + vpn % 512), as a 4 KiB hit does: L1d sees every load and
 *    store, L1i every fetch, so l1d + l1i accesses = refs; eight
 *    subpages touched twice at one offset are eight lines, not one;
 *  - a dirty 2 MiB page written out is one write I/O of 512 pages:
 *    extra_pages_written counts the 511 further pages, and the effective
 *    access time charges them their transfer (cost.h's formula, worked
 *    here from the counts and the device's constants);
 *  - every named TLB profile's geometry as pb_tlb_geom_str writes it
 *    (meta.json's config.tlb.geometry) parses back to the same levels,
 *    2 MiB L1 included, and gives the same TLB counts with THP always.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cache.h"
#include "pagebench/cost.h"
#include "pagebench/tlb.h"
#include "pagebench/vm.h"
#include "vm_run.h"

/* c over t on a fresh engine: the counts and the effective access time;
 * 0 or -1. */
static int run_eat(const struct pb_vm_cfg *c, const struct vtrace *t, struct pb_vm_stats *st,
		   double *eat)
{
	struct pb_vm *vm;
	char err[256];
	if (pb_vm_create(c, &vm, err, sizeof(err))) {
		PB_CHECK_MSG(0, "create: %s", err);
		return -1;
	}
	int rc = pb_vm_replay_team(vm, t->a, t->n, NULL, 0);
	PB_CHECK_MSG(rc == 0, "replay: %s", pb_vm_error(vm));
	pb_vm_stats(vm, st);
	*eat = pb_vm_eat_ns(vm, st);
	if (!rc && pb_vm_check(vm, err, sizeof(err))) {
		PB_CHECK_MSG(0, "check: %s", err);
		rc = -1;
	}
	pb_vm_destroy(vm);
	return rc ? -1 : 0;
}

/* Event `name` of s by the event table (UINT64_MAX: no such event). */
static uint64_t ev(const struct pb_vm_stats *s, const char *name)
{
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++)
		if (!strcmp(pb_vm_events[e].name, name))
			return pb_vm_stats_get(s, (enum pb_vm_event)e);
	return UINT64_MAX;
}

static uint64_t l1_accesses(const struct pb_vm_stats *s)
{
	return s->l1d_hits + s->l1d_misses + s->l1i_hits + s->l1i_misses;
}

/* Eight subpages of one 2 MiB page, at byte 8 of each, read twice, a
 * write and a fetch: the huge fault, then hits through the 2 MiB TLB.
 * Each subpage's byte 8 is its own 64-byte line (frame head + i): eight
 * L1d misses, then eight hits; the write hits the line of subpage 3, the
 * fetch misses in L1i and hits that line in L2.  With THP never the same
 * counts (4 KiB frames: other addresses, the same lines apart), so the
 * cache sees the access the same way whatever the page size. */
static void caches_through_huge(void)
{
	char err[256];
	for (int thp = 0; thp < 2; thp++) {
		struct vtrace t = {0};
		for (int round = 0; round < 2; round++)
			for (uint64_t p = 0; p < 8; p++)
				vt_add(&t, 1, p, PB_OP_READ, 0);
		vt_add(&t, 1, 3, PB_OP_WRITE, 0);
		vt_add(&t, 1, 5, PB_OP_FETCH, 0);
		struct pb_vm_cfg c = vt_cfg("lru", 4096);
		c.thp = thp ? PB_VM_THP_ALWAYS : PB_VM_THP_NEVER;
		PB_CHECK(pb_cache_parse("skylake", &c.caches, err, sizeof(err)) == 0);
		struct pb_vm_stats st;
		double eat;
		if (run_eat(&c, &t, &st, &eat))
			continue;
		PB_CHECK_EQ_U64(st.refs, 18);
		PB_CHECK_EQ_U64(st.thp_faults, thp ? 1 : 0);
		PB_CHECK_EQ_U64(st.faults, thp ? 1 : 8);
		PB_CHECK_EQ_U64(l1_accesses(&st), st.refs - st.segv - st.oom_skipped);
		PB_CHECK_EQ_U64(st.l1d_misses, 8);
		PB_CHECK_EQ_U64(st.l1d_hits, 9);
		PB_CHECK_EQ_U64(st.l1i_misses, 1);
		PB_CHECK_EQ_U64(st.l1i_hits, 0);
		/* the eight cold lines went on to L3 and DRAM; the fetch's
		 * line is the read's, in L2 */
		PB_CHECK_EQ_U64(st.l2_misses, 8);
		PB_CHECK_EQ_U64(st.l2_hits, 1);
		PB_CHECK_EQ_U64(st.l3_misses, 8);
		/* 8 DRAM accesses in 18 references: over 35 ns a reference
		 * with nvme's 80 ns DRAM (a run whose huge-page accesses
		 * skipped the caches had 13.9 ns, below one DRAM access) */
		PB_CHECK_MSG(eat > 35.0, "thp %d: eat_ns %.3f", thp, eat);
		free(t.a);
	}
	/* a larger mixed run: 3 of 4 ranges fit as 2 MiB pages (1600
	 * frames), the 4th falls back to 4 KiB and some accesses evict */
	struct vtrace t = {0};
	uint64_t s = 7;
	for (int i = 0; i < 40000; i++) {
		uint64_t p = vt_rand(&s) % 2048;
		int op = vt_rand(&s) % 4 == 0 ? PB_OP_WRITE : PB_OP_READ;
		vt_add(&t, 1, p, op, 0);
	}
	for (unsigned frames = 1600; frames <= 4096; frames += 2496) {
		struct pb_vm_cfg c = vt_cfg("clock", frames);
		c.thp = PB_VM_THP_ALWAYS;
		PB_CHECK(pb_cache_parse("zen4", &c.caches, err, sizeof(err)) == 0);
		struct pb_vm_stats st;
		double eat;
		if (run_eat(&c, &t, &st, &eat))
			continue;
		PB_CHECK(st.thp_faults > 0);
		PB_CHECK_EQ_U64(l1_accesses(&st), st.refs - st.segv - st.oom_skipped);
		PB_CHECK_EQ_U64(st.l2_hits + st.l2_misses, st.l1d_misses + st.l1i_misses);
		PB_CHECK_EQ_U64(st.l3_hits + st.l3_misses, st.l2_misses);
	}
	free(t.a);
}

/* eat_ns by cost.h's formula, from the counts and the device's constants
 * (no CPU caches): what a reader of sim.csv and meta.json computes. */
static double eat_by_hand(const struct pb_cost_device *d, const struct pb_vm_stats *s,
			  uint64_t extra_written)
{
	double ns = (double)s->refs * (d->sram_ns + d->dram_ns) +
		    (double)s->tlb_l2_hits * d->l2tlb_ns + (double)s->tlb_misses * d->walk_ns +
		    (double)(s->faults + s->segv) * d->fault_ns +
		    (double)s->zero_fills * d->zero_ns + (double)s->cow_copies * d->copy_ns +
		    (double)s->read_ios * d->read_ns + (double)s->extra_pages_read * d->xfer_ns +
		    (double)s->write_ios * d->write_ns + (double)extra_written * d->xfer_ns;
	return ns / (double)s->refs;
}

/* Two 2 MiB pages written fill 1024 frames; a write to a third range
 * finds no free 2 MiB frame (a 4 KiB fallback) and its frame evicts the
 * LRU page, a subpage of range 0: the whole dirty 2 MiB page is written,
 * one I/O of 512 pages.  Two reads of range 0 swap in 4 KiB pages (free
 * frames); 512 writes to a fourth range (4 KiB pages) fill the 509 free
 * frames and then evict range 1 the same way.  So 2 write I/Os carry
 * 1024 pages: 1022 transfers beyond their first pages, which the EAT
 * charges. */
static void huge_writeout_cost(void)
{
	struct vtrace t = {0};
	vt_add(&t, 1, 0, PB_OP_WRITE, 0);
	vt_add(&t, 1, 512, PB_OP_WRITE, 0);
	vt_add(&t, 1, 1024, PB_OP_WRITE, 0);
	vt_add(&t, 1, 0, PB_OP_READ, 0);
	vt_add(&t, 1, 1, PB_OP_READ, 0);
	for (uint64_t p = 0; p < 512; p++)
		vt_add(&t, 1, 1536 + p, PB_OP_WRITE, 0);
	static const char *const devs[] = {"hdd", "nvme", "textbook"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(devs); i++) {
		struct pb_vm_cfg c = vt_cfg("lru", 1024);
		c.thp = PB_VM_THP_ALWAYS;
		c.device = pb_cost_device_find(devs[i]);
		struct pb_vm_stats st;
		double eat;
		if (run_eat(&c, &t, &st, &eat))
			continue;
		PB_CHECK_EQ_U64(st.refs, 517);
		PB_CHECK_EQ_U64(st.thp_faults, 2);
		PB_CHECK_EQ_U64(st.thp_fallbacks, 2);
		PB_CHECK_EQ_U64(st.faults, 517);
		PB_CHECK_EQ_U64(st.swap_ins, 2);
		PB_CHECK_EQ_U64(st.write_ios, 2);
		PB_CHECK_EQ_U64(st.writebacks, 2 * 512);
		uint64_t extra = ev(&st, "extra_pages_written");
		PB_CHECK_MSG(extra == 2 * 511, "%s: extra_pages_written %llu, want %u", devs[i],
			     (unsigned long long)extra, 2 * 511);
		double want = eat_by_hand(c.device, &st, 2 * 511);
		PB_CHECK_MSG(fabs(eat - want) <= 1e-9 * want, "%s: eat_ns %.6f, by hand %.6f",
			     devs[i], eat, want);
		/* the transfers are in it: on hdd 1022 x 20 us over 517
		 * references, 39.5 us a reference */
		double without = eat_by_hand(c.device, &st, 0);
		PB_CHECK_MSG(c.device->xfer_ns == 0 || eat > without, "%s: %.3f vs %.3f", devs[i],
			     eat, without);
	}
	free(t.a);
}

static int same_level(const struct pb_tlb_level *a, const struct pb_tlb_level *b)
{
	/* ways 0 and ways = entries both mean fully associative */
	uint32_t wa = a->ways ? a->ways : a->entries, wb = b->ways ? b->ways : b->entries;
	return a->entries == b->entries && (!a->entries || wa == wb);
}

/* pb_tlb_geom_str of every profile parses back to the same levels and,
 * as --tlb GEOM, gives the profile's TLB counts with 2 MiB pages (96
 * ranges and 8, more than any profile's 2 MiB L1 holds and more than
 * the frames hold: 4 KiB pages where a range fell back) and without. */
static void tlb_geometry_round_trip(void)
{
	char err[256], geo[256];
	struct vtrace t = {0};
	uint64_t s = 11;
	for (int i = 0; i < 60000; i++) {
		/* a skewed choice of range: some ranges hot, most cold */
		uint64_t r = vt_rand(&s) % 96;
		if (vt_rand(&s) % 2)
			r %= 8;
		vt_add(&t, 1, r * 512 + vt_rand(&s) % 512, PB_OP_READ, 0);
		if (i % 5 == 0) /* asid 2: 8 ranges more than fit beside asid 1's */
			vt_add(&t, 2, vt_rand(&s) % 4096, PB_OP_READ, 0);
	}
	for (size_t i = 0; pb_tlb_profiles[i]; i++) {
		const struct pb_tlb_geom *p = pb_tlb_profiles[i];
		pb_tlb_geom_str(p, geo, sizeof(geo));
		struct pb_tlb_geom g;
		int rc = pb_tlb_parse(geo, &g, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: '%s' does not parse: %s", p->name, geo, err);
		if (rc)
			continue;
		PB_CHECK_MSG(same_level(&g.l1d, &p->l1d) && same_level(&g.l1i, &p->l1i) &&
				 same_level(&g.l2, &p->l2) && same_level(&g.l1d_2m, &p->l1d_2m),
			     "%s: '%s' parses to other levels", p->name, geo);
		/* and written again, the same text */
		char again[256];
		pb_tlb_geom_str(&g, again, sizeof(again));
		PB_CHECK_MSG(!strcmp(geo, again), "%s: '%s' then '%s'", p->name, geo, again);
		for (int thp = 0; thp < 2; thp++) {
			struct pb_vm_stats a, b;
			double ea, eb;
			struct pb_vm_cfg c = vt_cfg("lru", 96 * 512 + 600);
			c.thp = thp ? PB_VM_THP_ALWAYS : PB_VM_THP_NEVER;
			c.tlb = *p;
			if (run_eat(&c, &t, &a, &ea))
				continue;
			c.tlb = g;
			if (run_eat(&c, &t, &b, &eb))
				continue;
			PB_CHECK(!thp || (a.thp_faults > 0 && a.thp_fallbacks > 0));
			PB_CHECK_MSG(
			    a.tlb_l1_hits == b.tlb_l1_hits && a.tlb_l2_hits == b.tlb_l2_hits &&
				a.tlb_misses == b.tlb_misses && ea == eb,
			    "%s thp %d: profile l1 %llu l2 %llu walks %llu; '%s' l1 %llu "
			    "l2 %llu walks %llu",
			    p->name, thp, (unsigned long long)a.tlb_l1_hits,
			    (unsigned long long)a.tlb_l2_hits, (unsigned long long)a.tlb_misses,
			    geo, (unsigned long long)b.tlb_l1_hits,
			    (unsigned long long)b.tlb_l2_hits, (unsigned long long)b.tlb_misses);
		}
	}
	free(t.a);
	/* the 2 MiB L1 in a spec: l1_2m (or l1d_2m), absent by default */
	struct pb_tlb_geom g;
	PB_CHECK(pb_tlb_parse("l1=64:4,l2=1536:12,l1_2m=32:4", &g, err, sizeof(err)) == 0 &&
		 g.l1d_2m.entries == 32 && g.l1d_2m.ways == 4);
	PB_CHECK(pb_tlb_parse("l1=64:4,l1d_2m=8", &g, err, sizeof(err)) == 0 &&
		 g.l1d_2m.entries == 8 && g.l1d_2m.ways == 8 && !g.l2.entries);
	PB_CHECK(pb_tlb_parse("l1=64:4", &g, err, sizeof(err)) == 0 && !g.l1d_2m.entries);
	PB_CHECK(pb_tlb_parse("l1=64:4,l1_2m=32:4,l1d_2m=32:4", &g, err, sizeof(err)) != 0);
	PB_CHECK(pb_tlb_parse("l1=64:4,l1_2m=24:4", &g, err, sizeof(err)) != 0);
	/* the profiles' 2 MiB L1 as their sources give it: Intel's a DTLB
	 * of its own (32 entries, 4-way), AMD's L1 DTLB one array for every
	 * page size, so none (2 MiB translations share l1) */
	static const struct {
		const char *name;
		unsigned entries, ways;
	} l1_2m[] = {{"skylake", 32, 4},
		     {"icelake", 32, 4},
		     {"zen3", 0, 0},
		     {"zen4", 0, 0},
		     {"textbook", 0, 0}};
	for (size_t i = 0; i < PB_ARRAY_SIZE(l1_2m); i++) {
		int rc = pb_tlb_parse(l1_2m[i].name, &g, err, sizeof(err));
		PB_CHECK_MSG(rc == 0 && g.l1d_2m.entries == l1_2m[i].entries &&
				 g.l1d_2m.ways == l1_2m[i].ways,
			     "%s: 2 MiB L1 %u:%u, its source says %u:%u", l1_2m[i].name,
			     g.l1d_2m.entries, g.l1d_2m.ways, l1_2m[i].entries, l1_2m[i].ways);
	}
}

int main(void)
{
	caches_through_huge();
	huge_writeout_cost();
	tlb_geometry_round_trip();
	return pb_test_done();
}
