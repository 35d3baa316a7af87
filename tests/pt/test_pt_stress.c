/* SPDX-License-Identifier: MIT */
/*
 * tests/pt/test_pt_stress.c - concurrent stress of both page tables
 * (label stress: run under ThreadSanitizer in CI).
 *
 * T threads hammer one small, overlapping range (spanning PT, PD and PDPT
 * page boundaries) with every operation: lookup, map (4 KiB, 2 MiB, swap
 * entries), unmap, cmpxchg, A/D bits, protect, walk and unmap_range (which
 * tears page-table pages down under the other threads' feet).
 *
 * Linearizability-style check: every value a thread writes carries a
 * unique id (writer, sequence) in its frame number / swap offset, logged
 * (vpn, shape) before the write.  Every value any thread observes - by
 * lookup, walk, unmap's old word, unmap_range's callback - must decode to
 * an id that was written, for that very vpn, in that shape; flag bits must
 * be ones the operations set.  Afterwards: pb_pt_check passes, and pages
 * mapped minus pages unmapped (counted from successful calls) equals the
 * pages left in the table, so no update was lost or applied twice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/epoch.h"
#include "pagebench/pt.h"
#include "pbtest.h"

#if defined(__SANITIZE_THREAD__)
#define ITERS 150000u
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ITERS 150000u
#endif
#endif
#ifndef ITERS
#define ITERS 1000000u
#endif

#define NT	 4u
#define H	 PB_PT_HUGE_PAGES
#define BASE	 ((1ULL << 18) - 2 * H) /* spans a PD page and PDPT entry boundary */
#define SPAN	 (4 * H)
#define SEQ_BITS 27
#define ALLOWED	 (PB_PTE_P | PB_PTE_W | PB_PTE_U | PB_PTE_A | PB_PTE_D | PB_PTE_NX | PB_PTE_PS)

enum { SH_SMALL = 1, SH_HUGE = 2, SH_SWAP = 3 };

struct logent {
	uint64_t vpn;
	uint32_t shape;
	uint32_t pad;
};

static struct pb_pt *g_pt;
static int g_huge;
static struct logent *g_log[NT];
static PB_ALIGNED(PB_CACHELINE) uint64_t g_pub[NT][8]; /* [t][0]: ids published */
static uint64_t g_bad[NT], g_maps[NT], g_unmaps[NT];

struct thr {
	unsigned tid;
	struct pb_rng rng;
	uint64_t seq;
};

static uint64_t new_id(struct thr *t, uint64_t vpn, uint32_t shape)
{
	uint64_t s = t->seq++;
	g_log[t->tid][s] = (struct logent){.vpn = vpn, .shape = shape};
	pb_atomic_store(&g_pub[t->tid][0], s + 1, PB_RELEASE);
	return (uint64_t)t->tid << SEQ_BITS | s;
}

/* Does v, seen at vpn, decode to a write some thread made there? */
static int valid(uint64_t vpn, uint64_t v)
{
	uint64_t id;
	uint32_t shape;
	if (v == 0)
		return 1;
	if (pb_pte_is_swap(v)) {
		id = pb_pte_swp_offset(v);
		shape = SH_SWAP;
		if (v != pb_pte_mk_swap(1, id))
			return 0;
	} else if (pb_pte_huge(v)) {
		id = pb_pte_pfn(v).v >> 9;
		shape = SH_HUGE;
		vpn &= ~(H - 1);
		if (v & ~(ALLOWED | PB_PTE_PFN_MASK))
			return 0;
	} else if (pb_pte_present(v)) {
		id = pb_pte_pfn(v).v;
		shape = SH_SMALL;
		if (v & ~((ALLOWED & ~PB_PTE_PS) | PB_PTE_PFN_MASK))
			return 0;
	} else {
		return 0;
	}
	uint64_t w = id >> SEQ_BITS, s = id & ((1ULL << SEQ_BITS) - 1);
	if (w >= NT || s >= pb_atomic_load(&g_pub[w][0], PB_ACQUIRE))
		return 0;
	return g_log[w][s].vpn == vpn && g_log[w][s].shape == shape;
}

static void note(struct thr *t, uint64_t vpn, uint64_t v)
{
	if (!valid(vpn, v)) {
		if (g_bad[t->tid]++ < 5)
			fprintf(stderr, "thread %u: vpn %#llx holds %#llx, never written there\n",
				t->tid, (unsigned long long)vpn, (unsigned long long)v);
	}
}

/* An unexpected return code: counted, the first few printed. */
static uint64_t g_enomem[NT];

static void bad_rc(struct thr *t, const char *what, int rc)
{
	/* -ENOMEM is a legitimate answer: while a thread is preempted inside
	 * an epoch section (4 threads on 2 cores), torn-down pages cannot be
	 * reclaimed and the pool can run dry; the call must then fail
	 * cleanly (the count check below proves it changed nothing). */
	if (rc == -ENOMEM) {
		g_enomem[t->tid]++;
		return;
	}
	if (g_bad[t->tid]++ < 5)
		fprintf(stderr, "thread %u: %s returned %d\n", t->tid, what, rc);
}

static uint64_t pages_of(uint64_t v)
{
	return pb_pte_huge(v) ? H : 1;
}

static int walk_cb(void *arg, pb_vpn_t vpn, uint64_t pte)
{
	note(arg, vpn.v, pte);
	return 0;
}

static void unmap_cb(void *arg, pb_vpn_t vpn, uint64_t old)
{
	struct thr *t = arg;
	note(t, vpn.v, old);
	g_unmaps[t->tid] += pages_of(old);
}

static void *worker(void *arg)
{
	struct thr *t = arg;
	for (unsigned it = 0; it < ITERS; it++) {
		uint64_t r = pb_rng_below(&t->rng, 100);
		uint64_t vpn = BASE + pb_rng_below(&t->rng, SPAN), v, old;
		if (r < 40) {
			pb_epoch_enter();
			v = pb_pt_lookup(g_pt, PB_VPN(vpn));
			pb_epoch_exit();
			note(t, vpn, v);
		} else if (r < 58) {
			int swap = pb_rng_below(&t->rng, 4) == 0;
			uint64_t id = new_id(t, vpn, swap ? SH_SWAP : SH_SMALL);
			v = swap ? pb_pte_mk_swap(1, id) : pb_pte_mk(PB_PFN(id), PB_PTE_W);
			int rc = pb_pt_map(g_pt, PB_VPN(vpn), v);
			if (rc == 0)
				g_maps[t->tid]++;
			else if (rc != -EEXIST)
				bad_rc(t, "map", rc);
		} else if (r < 62 && g_huge) {
			vpn &= ~(H - 1);
			uint64_t id = new_id(t, vpn, SH_HUGE);
			int rc = pb_pt_map(g_pt, PB_VPN(vpn), pb_pte_mk_huge(PB_PFN(id << 9), 0));
			if (rc == 0)
				g_maps[t->tid] += H;
			else if (rc != -EEXIST)
				bad_rc(t, "map", rc);
		} else if (r < 78) {
			if (pb_rng_below(&t->rng, 8) == 0)
				vpn &= ~(H - 1); /* hits 2 MiB leaves */
			int rc = pb_pt_unmap(g_pt, PB_VPN(vpn), &old);
			if (rc == 0) {
				note(t, vpn, old);
				g_unmaps[t->tid] += pages_of(old);
			} else if (rc != -ENOENT && rc != -EINVAL) {
				bad_rc(t, "unmap", rc);
			}
		} else if (r < 84) {
			if (r & 1) {
				/* exchange in a fresh id: a new leaf if there was none */
				uint64_t nv = pb_pte_mk_swap(1, new_id(t, vpn, SH_SWAP));
				int rc = pb_pt_exchange(g_pt, PB_VPN(vpn), nv, &old);
				if (rc == 0) {
					note(t, vpn, old);
					g_maps[t->tid] += old == 0;
				} else if (rc != -EEXIST) {
					bad_rc(t, "exchange", rc);
				}
				continue;
			}
			/* present <-> swap entry with a fresh id (no count change) */
			pb_epoch_enter();
			v = pb_pt_lookup(g_pt, PB_VPN(vpn));
			pb_epoch_exit();
			if (v == 0 || pb_pte_huge(v))
				continue;
			uint64_t nv;
			if (pb_pte_present(v)) {
				nv = pb_pte_mk_swap(1, new_id(t, vpn, SH_SWAP));
			} else {
				nv = pb_pte_mk(PB_PFN(new_id(t, vpn, SH_SMALL)), PB_PTE_W);
			}
			uint64_t exp = v;
			int rc = pb_pt_cmpxchg(g_pt, PB_VPN(vpn), &exp, nv);
			if (rc == -EAGAIN)
				note(t, vpn, exp);
			else if (rc != 0 && rc != -EEXIST)
				bad_rc(t, "cmpxchg", rc);
		} else if (r < 94) {
			int rc;
			switch (r % 5) {
			case 0:
				rc = pb_pt_test_clear_accessed(g_pt, PB_VPN(vpn));
				break;
			case 1:
				rc = r & 1 ? pb_pt_set_dirty(g_pt, PB_VPN(vpn))
					   : pb_pt_touch(g_pt, PB_VPN(vpn), true);
				break;
			case 2:
				rc = pb_pt_test_clear_dirty(g_pt, PB_VPN(vpn));
				break;
			case 3:
				rc = pb_pt_set_accessed(g_pt, PB_VPN(vpn));
				break;
			default:
				rc = pb_pt_protect(g_pt, PB_VPN(vpn), r & 1 ? PB_PTE_NX : 0,
						   r & 1 ? 0 : PB_PTE_NX, &old);
				if (rc == 0)
					note(t, vpn, old);
				break;
			}
			if (rc < 0 && rc != -ENOENT)
				bad_rc(t, "protect", rc);
		} else if (r < 97) {
			uint64_t n = 1 + pb_rng_below(&t->rng, 2 * H);
			if (vpn + n > BASE + SPAN)
				n = BASE + SPAN - vpn;
			if (pb_rng_below(&t->rng, 16) == 0) {
				/* everything below 1 TiB: tears down PT, PD and
				 * PDPT pages while the others map into them */
				vpn = 0;
				n = 1ULL << 28;
			}
			int rc = pb_pt_unmap_range(g_pt, PB_VPN(vpn), n, unmap_cb, t);
			if (rc != 0 && rc != -ERANGE)
				bad_rc(t, "unmap_range", rc);
		} else {
			uint64_t n = 1 + pb_rng_below(&t->rng, H);
			if (vpn + n > BASE + SPAN)
				n = BASE + SPAN - vpn;
			int rc = pb_pt_walk(g_pt, PB_VPN(vpn), n, walk_cb, t);
			if (rc != 0)
				bad_rc(t, "walk", rc);
		}
	}
	return NULL;
}

static int final_cb(void *arg, pb_vpn_t vpn, uint64_t pte)
{
	uint64_t *bad = arg;
	if (!valid(vpn.v, pte))
		(*bad)++;
	return 0;
}

static void run(const char *kind)
{
	struct pb_pt_cfg cfg = {
	    .nframes = 1 << 16, .max_nodes = 1 << 14, .hash_slots = 1 << 12, .lazy = 1};
	PB_CHECK(pb_pt_create(kind, &cfg, &g_pt) == 0);
	g_huge = (pb_pt_features(g_pt) & PB_PT_F_HUGE) != 0;
	memset(g_pub, 0, sizeof(g_pub));
	memset(g_bad, 0, sizeof(g_bad));
	memset(g_enomem, 0, sizeof(g_enomem));
	memset(g_maps, 0, sizeof(g_maps));
	memset(g_unmaps, 0, sizeof(g_unmaps));
	pthread_t th[NT];
	struct thr t[NT];
	for (unsigned i = 0; i < NT; i++) {
		t[i] = (struct thr){.tid = i};
		pb_rng_seed(&t[i].rng, 1234 + i);
		PB_CHECK(pthread_create(&th[i], NULL, worker, &t[i]) == 0);
	}
	for (unsigned i = 0; i < NT; i++)
		pthread_join(th[i], NULL);

	uint64_t bad = 0, maps = 0, unmaps = 0, leaves = 0, enomem = 0;
	for (unsigned i = 0; i < NT; i++) {
		enomem += g_enomem[i];
		bad += g_bad[i];
		maps += g_maps[i];
		unmaps += g_unmaps[i];
	}
	PB_CHECK_EQ_U64(bad, 0);
	char err[256];
	int rc = pb_pt_check(g_pt, &leaves, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", kind, err);
	PB_CHECK_EQ_U64(maps - unmaps, leaves);
	PB_CHECK(maps > 1000 && unmaps > 1000); /* the run did real work */
	bad = 0;
	PB_CHECK(pb_pt_walk(g_pt, PB_VPN(0), PB_PT_VPN_LIMIT, final_cb, &bad) == 0);
	PB_CHECK_EQ_U64(bad, 0);
	printf("%s: %llu pages mapped, %llu unmapped, %llu left, %llu -ENOMEM\n", kind,
	       (unsigned long long)maps, (unsigned long long)unmaps, (unsigned long long)leaves,
	       (unsigned long long)enomem);

	PB_CHECK(pb_pt_unmap_range(g_pt, PB_VPN(0), PB_PT_VPN_LIMIT, NULL, NULL) == 0);
	rc = pb_pt_check(g_pt, &leaves, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: %s", kind, err);
	PB_CHECK_EQ_U64(leaves, 0);
	if (g_huge) {
		pb_epoch_barrier();
		struct pb_pt_stats st;
		pb_pt_stats(g_pt, &st);
		PB_CHECK_EQ_U64(st.nodes_used, 1);
		PB_CHECK_EQ_U64(st.nodes_retired, 0);
		PB_CHECK(pb_pt_check(g_pt, NULL, err, sizeof(err)) == 0);
	}
	pb_pt_destroy(g_pt);
}

int main(void)
{
	for (unsigned i = 0; i < NT; i++) {
		g_log[i] = calloc(ITERS, sizeof(struct logent));
		if (!g_log[i])
			PB_SKIP("out of memory for the log");
	}
	for (unsigned i = 0; pb_pt_kinds[i]; i++)
		run(pb_pt_kinds[i]);
	for (unsigned i = 0; i < NT; i++)
		free(g_log[i]);
	return pb_test_done();
}
