/* SPDX-License-Identifier: MIT */
/*
 * tests/pt/test_pt.c - unit tests of pb_pt (every operation and edge), run
 * by the same code against both kinds, plus the epoch domain's grace period.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/epoch.h"
#include "pagebench/pt.h"
#include "pbtest.h"

#define TOP (PB_PT_VPN_LIMIT - 1)

static uint64_t lk(struct pb_pt *pt, uint64_t vpn)
{
	pb_epoch_enter();
	uint64_t v = pb_pt_lookup(pt, PB_VPN(vpn));
	pb_epoch_exit();
	return v;
}

static void check_ok(struct pb_pt *pt, uint64_t want_leaves)
{
	char err[256];
	uint64_t leaves = ~0ULL;
	int rc = pb_pt_check(pt, &leaves, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s: check: %s", pb_pt_kind_name(pt), err);
	if (want_leaves != ~0ULL)
		PB_CHECK_EQ_U64(leaves, want_leaves);
}

static void test_basic(struct pb_pt *pt)
{
	uint64_t pte = pb_pte_mk(PB_PFN(1234), PB_PTE_W | PB_PTE_U), old = 0;
	PB_CHECK_EQ_U64(lk(pt, 77), 0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(77), pte) == 0);
	PB_CHECK_EQ_U64(lk(pt, 77), pte);
	PB_CHECK_EQ_U64(pb_pte_pfn(lk(pt, 77)).v, 1234);
	PB_CHECK(pb_pt_map(pt, PB_VPN(77), pte) == -EEXIST);
	PB_CHECK_EQ_U64(lk(pt, 76), 0);
	PB_CHECK_EQ_U64(lk(pt, 78), 0);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(77), &old) == 0);
	PB_CHECK_EQ_U64(old, pte);
	PB_CHECK_EQ_U64(lk(pt, 77), 0);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(77), &old) == -ENOENT);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(5), NULL) == -ENOENT);

	/* address 0 and the top of the 48-bit space */
	uint64_t p0 = pb_pte_mk(PB_PFN(1), 0), pt_top = pb_pte_mk(PB_PFN(2), PB_PTE_NX);
	PB_CHECK(pb_pt_map(pt, PB_VPN(0), p0) == 0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(TOP), pt_top) == 0);
	PB_CHECK_EQ_U64(lk(pt, 0), p0);
	PB_CHECK_EQ_U64(lk(pt, TOP), pt_top);
	check_ok(pt, 2);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(0), NULL) == 0);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(TOP), NULL) == 0);
	check_ok(pt, 0);
}

static void test_invalid(struct pb_pt *pt)
{
	uint64_t pte = pb_pte_mk(PB_PFN(9), 0), exp = 0;
	PB_CHECK(pb_pt_map(pt, PB_VPN(PB_PT_VPN_LIMIT), pte) == -EINVAL);
	PB_CHECK(pb_pt_map(pt, PB_VPN(UINT64_MAX), pte) == -EINVAL);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(PB_PT_VPN_LIMIT), NULL) == -EINVAL);
	PB_CHECK(pb_pt_set_dirty(pt, PB_VPN(PB_PT_VPN_LIMIT)) == -EINVAL);
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(PB_PT_VPN_LIMIT), &exp, pte) == -EINVAL);
	PB_CHECK_EQ_U64(lk(pt, PB_PT_VPN_LIMIT), 0);
	PB_CHECK_EQ_U64(lk(pt, UINT64_MAX), 0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(3), 0) == -EINVAL);		  /* none */
	PB_CHECK(pb_pt_map(pt, PB_VPN(3), pte | PB_PTE_RSVD) == -EINVAL); /* reserved bit */
	PB_CHECK(pb_pt_map(pt, PB_VPN(3), 0x1000) == -EINVAL);		  /* not present, no SWP */
	PB_CHECK(pb_pt_map(pt, PB_VPN(3), PB_PTE_SWP | PB_PTE_PS) == -EINVAL); /* junk swap */
	PB_CHECK(pb_pt_walk(pt, PB_VPN(TOP), 2, NULL, NULL) == -EINVAL);
	PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(TOP), 2, NULL, NULL) == -EINVAL);
	PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(PB_PT_VPN_LIMIT), 0, NULL, NULL) == -EINVAL);
	PB_CHECK(pb_pt_protect(pt, PB_VPN(3), PB_PTE_A, 0, NULL) == -EINVAL);
	check_ok(pt, 0);
}

static void test_va(void)
{
	pb_vpn_t v;
	PB_CHECK(pb_pt_va_to_vpn(0, &v) == 0 && v.v == 0);
	PB_CHECK(pb_pt_va_to_vpn(0x00007ffffffff000ULL, &v) == 0 && v.v == (1ULL << 35) - 1);
	PB_CHECK(pb_pt_va_to_vpn(0xffff800000000000ULL, &v) == 0 && v.v == 1ULL << 35);
	PB_CHECK(pb_pt_va_to_vpn(0xfffffffffffff000ULL, &v) == 0 && v.v == TOP);
	PB_CHECK(pb_pt_va_to_vpn(0x0000800000000000ULL, &v) == -EINVAL);
	PB_CHECK(pb_pt_va_to_vpn(0x8000000000000000ULL, &v) == -EINVAL);
	PB_CHECK(pb_pt_va_to_vpn(0xffff7ffffffff000ULL, &v) == -EINVAL);
}

static void test_swap_and_bits(struct pb_pt *pt)
{
	uint64_t sw = pb_pte_mk_swap(3, 0x123456789ULL), fl = pb_pte_mk_file(42);
	PB_CHECK(pb_pte_is_swap(sw) && !pb_pte_present(sw) && !pb_pte_is_file(sw));
	PB_CHECK_EQ_U64(pb_pte_swp_type(sw), 3);
	PB_CHECK_EQ_U64(pb_pte_swp_offset(sw), 0x123456789ULL);
	PB_CHECK(pb_pte_is_file(fl) && pb_pte_swp_offset(fl) == 42);
	PB_CHECK(pb_pt_map(pt, PB_VPN(100), sw) == 0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(101), fl) == 0);
	PB_CHECK_EQ_U64(lk(pt, 100), sw);
	PB_CHECK_EQ_U64(lk(pt, 101), fl);
	/* A/D ops never touch non-present entries */
	PB_CHECK(pb_pt_test_clear_accessed(pt, PB_VPN(100)) == -ENOENT);
	PB_CHECK(pb_pt_set_dirty(pt, PB_VPN(100)) == -ENOENT);
	PB_CHECK(pb_pt_protect(pt, PB_VPN(100), 0, PB_PTE_W, NULL) == -ENOENT);
	PB_CHECK_EQ_U64(lk(pt, 100), sw);
	PB_CHECK(pb_pt_set_accessed(pt, PB_VPN(102)) == -ENOENT);

	/* swap-in through cmpxchg: stale expected fails and reports */
	uint64_t pres = pb_pte_mk(PB_PFN(55), PB_PTE_W), exp = fl;
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(100), &exp, pres) == -EAGAIN);
	PB_CHECK_EQ_U64(exp, sw);
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(100), &exp, pres) == 0);
	PB_CHECK_EQ_U64(lk(pt, 100), pres);
	exp = 0;
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(103), &exp, pres) == 0); /* install on none */
	exp = pres;
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(104), &exp, 0) == -EAGAIN); /* none there */
	PB_CHECK_EQ_U64(exp, 0);
	exp = 0;
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(1ULL << 30), &exp, 0) == 0); /* compare-only */

	/* exchange: install, replace, remove */
	uint64_t old = 0;
	PB_CHECK(pb_pt_exchange(pt, PB_VPN(105), sw, &old) == 0 && old == 0);
	PB_CHECK(pb_pt_exchange(pt, PB_VPN(105), pres, &old) == 0 && old == sw);
	PB_CHECK(pb_pt_exchange(pt, PB_VPN(105), 0, &old) == 0 && old == pres);
	PB_CHECK_EQ_U64(lk(pt, 105), 0);
	PB_CHECK(pb_pt_exchange(pt, PB_VPN(105), pb_pte_mk_huge(PB_PFN(0), 0), &old) == -EINVAL);

	/* accessed / dirty */
	PB_CHECK(pb_pt_test_clear_accessed(pt, PB_VPN(100)) == 0);
	PB_CHECK(pb_pt_set_accessed(pt, PB_VPN(100)) == 0);
	PB_CHECK(pb_pte_accessed(lk(pt, 100)) && !pb_pte_dirty(lk(pt, 100)));
	PB_CHECK(pb_pt_test_clear_accessed(pt, PB_VPN(100)) == 1);
	PB_CHECK(pb_pt_test_clear_accessed(pt, PB_VPN(100)) == 0);
	PB_CHECK(pb_pt_set_dirty(pt, PB_VPN(100)) == 0);
	PB_CHECK(!pb_pte_accessed(lk(pt, 100)) && pb_pte_dirty(lk(pt, 100)));
	PB_CHECK(pb_pt_test_clear_dirty(pt, PB_VPN(100)) == 1);
	PB_CHECK(pb_pt_test_clear_dirty(pt, PB_VPN(100)) == 0);
	PB_CHECK(!pb_pte_accessed(lk(pt, 100)) && !pb_pte_dirty(lk(pt, 100)));
	PB_CHECK(pb_pt_touch(pt, PB_VPN(100), false) == 0);
	PB_CHECK(pb_pte_accessed(lk(pt, 100)) && !pb_pte_dirty(lk(pt, 100)));
	PB_CHECK(pb_pt_touch(pt, PB_VPN(100), true) == 0);
	PB_CHECK(pb_pte_accessed(lk(pt, 100)) && pb_pte_dirty(lk(pt, 100)));
	PB_CHECK(pb_pt_test_clear_dirty(pt, PB_VPN(100)) == 1);
	PB_CHECK(pb_pt_touch(pt, PB_VPN(102), true) == -ENOENT);
	PB_CHECK_EQ_U64(pb_pte_pfn(lk(pt, 100)).v, 55);

	/* protect */
	PB_CHECK(pb_pt_protect(pt, PB_VPN(100), PB_PTE_NX, PB_PTE_W, &old) == 0);
	PB_CHECK(pb_pte_writable(old));
	PB_CHECK(!pb_pte_writable(lk(pt, 100)) && (lk(pt, 100) & PB_PTE_NX));
	PB_CHECK(pb_pt_protect(pt, PB_VPN(100), PB_PTE_W, PB_PTE_NX, NULL) == 0);
	PB_CHECK(pb_pte_writable(lk(pt, 100)) && !(lk(pt, 100) & PB_PTE_NX));
	PB_CHECK(pb_pt_protect(pt, PB_VPN(999), PB_PTE_W, 0, NULL) == -ENOENT);

	/* unmap returns the dirty bit for write-back */
	PB_CHECK(pb_pt_set_dirty(pt, PB_VPN(103)) == 0);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(103), &old) == 0);
	PB_CHECK(pb_pte_dirty(old));
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(100), NULL) == 0);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(101), &old) == 0 && old == fl);
	check_ok(pt, 0);
}

struct walk_rec {
	uint64_t n, last, sum, stop_at;
	int ordered;
};

static int walk_cb(void *arg, pb_vpn_t vpn, uint64_t pte)
{
	struct walk_rec *w = arg;
	if (w->n && vpn.v <= w->last)
		w->ordered = 0;
	w->last = vpn.v;
	w->n++;
	w->sum += pb_pte_pfn(pte).v;
	if (w->stop_at && w->n == w->stop_at)
		return 99;
	return 0;
}

static void unmap_cb(void *arg, pb_vpn_t vpn, uint64_t old)
{
	struct walk_rec *w = arg;
	w->n++;
	w->sum += pb_pte_pfn(old).v;
	(void)vpn;
}

static void test_ranges(struct pb_pt *pt)
{
	/* pages spread over several PT / PD / PDPT pages */
	static const uint64_t base[] = {0, 511, 512, 1000, 1ULL << 18, (1ULL << 27) + 5, TOP - 3};
	uint64_t n = 0, sum = 0;
	for (unsigned i = 0; i < PB_ARRAY_SIZE(base); i++) {
		for (uint64_t j = 0; j < 3 && base[i] + j <= TOP; j++) {
			uint64_t v = base[i] + j;
			if (pb_pt_map(pt, PB_VPN(v), pb_pte_mk(PB_PFN(v + 1), 0)) == 0) {
				n++;
				sum += v + 1;
			}
		}
	}
	PB_CHECK_EQ_U64(n, 19); /* 512 and 513 are mapped twice: -EEXIST */
	struct walk_rec w = {.ordered = 1};
	PB_CHECK(pb_pt_walk(pt, PB_VPN(0), PB_PT_VPN_LIMIT, walk_cb, &w) == 0);
	PB_CHECK_EQ_U64(w.n, n);
	PB_CHECK_EQ_U64(w.sum, sum);
	PB_CHECK(w.ordered);
	/* sub-range and early stop */
	memset(&w, 0, sizeof(w));
	w.ordered = 1;
	PB_CHECK(pb_pt_walk(pt, PB_VPN(511), 3, walk_cb, &w) == 0);
	PB_CHECK_EQ_U64(w.n, 3);
	memset(&w, 0, sizeof(w));
	w.stop_at = 4;
	PB_CHECK(pb_pt_walk(pt, PB_VPN(0), PB_PT_VPN_LIMIT, walk_cb, &w) == 99);
	PB_CHECK_EQ_U64(w.n, 4);
	check_ok(pt, n);

	/* unmap a middle range, then everything */
	memset(&w, 0, sizeof(w));
	PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(512), 1000 - 512 + 1, unmap_cb, &w) == 0);
	PB_CHECK_EQ_U64(w.n, 4); /* 512, 513, 514, 1000 */
	PB_CHECK_EQ_U64(lk(pt, 513), 0);
	PB_CHECK(lk(pt, 1001) != 0);
	PB_CHECK(lk(pt, 511) != 0);
	memset(&w, 0, sizeof(w));
	PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(0), PB_PT_VPN_LIMIT, unmap_cb, &w) == 0);
	PB_CHECK_EQ_U64(w.n, n - 4);
	check_ok(pt, 0);
	if (pb_pt_kind(pt) == PB_PT_RADIX) {
		/* every page-table page but the root went back to the pool */
		pb_epoch_barrier();
		struct pb_pt_stats st;
		pb_pt_stats(pt, &st);
		PB_CHECK_EQ_U64(st.nodes_used, 1);
		PB_CHECK_EQ_U64(st.nodes_retired, 0);
		check_ok(pt, 0);
	}
}

static void test_huge(struct pb_pt *pt)
{
	const uint64_t H = PB_PT_HUGE_PAGES;
	uint64_t hp = pb_pte_mk_huge(PB_PFN(4 * H), PB_PTE_W), old = 0;
	if (!(pb_pt_features(pt) & PB_PT_F_HUGE)) {
		PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H), hp) == -EOPNOTSUPP);
		return;
	}
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H + 1), hp) == -EINVAL); /* vpn misaligned */
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H), pb_pte_mk_huge(PB_PFN(4 * H + 1), 0)) == -EINVAL);
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H), hp) == 0);
	PB_CHECK_EQ_U64(lk(pt, 8 * H), hp);
	PB_CHECK_EQ_U64(lk(pt, 8 * H + 300), hp);
	PB_CHECK_EQ_U64(pb_pte_pfn_at(lk(pt, 8 * H + 300), PB_VPN(8 * H + 300)).v, 4 * H + 300);
	PB_CHECK_EQ_U64(lk(pt, 9 * H), 0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H + 7), pb_pte_mk(PB_PFN(1), 0)) == -EEXIST);
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H), hp) == -EEXIST);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(8 * H + 7), NULL) == -EINVAL); /* no split */
	PB_CHECK(pb_pt_exchange(pt, PB_VPN(8 * H + 7), pb_pte_mk(PB_PFN(1), 0), NULL) == -EEXIST);
	PB_CHECK(pb_pt_touch(pt, PB_VPN(8 * H + 9), true) == 0);
	PB_CHECK(pb_pte_dirty(lk(pt, 8 * H)));
	PB_CHECK(pb_pt_test_clear_accessed(pt, PB_VPN(8 * H + 500)) == 1);
	check_ok(pt, H);
	/* partial range leaves it, -ERANGE */
	PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(8 * H + 1), H, NULL, NULL) == -ERANGE);
	PB_CHECK_EQ_U64(lk(pt, 8 * H + 1), hp | PB_PTE_D);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(8 * H), &old) == 0);
	PB_CHECK(pb_pte_huge(old) && pb_pte_dirty(old));
	PB_CHECK_EQ_U64(lk(pt, 8 * H + 1), 0);

	/* small leaf blocks a huge map; once unmapped, the empty PT page is
	 * collapsed (retired) and the huge map succeeds */
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H + 5), pb_pte_mk(PB_PFN(1), 0)) == 0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H), hp) == -EEXIST);
	PB_CHECK_EQ_U64(lk(pt, 8 * H + 5), pb_pte_mk(PB_PFN(1), 0));
	check_ok(pt, 1);
	PB_CHECK(pb_pt_unmap(pt, PB_VPN(8 * H + 5), NULL) == 0);
	struct pb_pt_stats s0, s1;
	pb_pt_stats(pt, &s0);
	PB_CHECK(pb_pt_map(pt, PB_VPN(8 * H), hp) == 0);
	pb_pt_stats(pt, &s1);
	PB_CHECK_EQ_U64(s1.nodes_used + 1, s0.nodes_used);
	PB_CHECK_EQ_U64(lk(pt, 8 * H + 5), hp);
	/* cmpxchg on a huge leaf; no split/merge through it */
	uint64_t exp = hp, hp2 = pb_pte_mk_huge(PB_PFN(6 * H), 0);
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(8 * H), &exp, pb_pte_mk(PB_PFN(3), 0)) == -EINVAL);
	PB_CHECK(pb_pt_cmpxchg(pt, PB_VPN(8 * H), &exp, hp2) == 0);
	PB_CHECK_EQ_U64(lk(pt, 8 * H + 1), hp2);
	/* huge at the top of the address space */
	PB_CHECK(pb_pt_map(pt, PB_VPN(PB_PT_VPN_LIMIT - H), hp) == 0);
	PB_CHECK_EQ_U64(lk(pt, TOP), hp);
	check_ok(pt, 2 * H);
	struct walk_rec w = {.ordered = 1};
	PB_CHECK(pb_pt_walk(pt, PB_VPN(8 * H + 3), 1, walk_cb, &w) == 0);
	PB_CHECK_EQ_U64(w.n, 1);
	PB_CHECK_EQ_U64(w.last, 8 * H); /* reported at its base */
	memset(&w, 0, sizeof(w));
	PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(0), PB_PT_VPN_LIMIT, unmap_cb, &w) == 0);
	PB_CHECK_EQ_U64(w.n, 2);
	check_ok(pt, 0);
}

static void test_exhaustion(const char *kind)
{
	struct pb_pt *pt;
	struct pb_pt_cfg cfg = {.nframes = 1024, .max_nodes = 8, .hash_slots = 16};
	PB_CHECK(pb_pt_create(kind, &cfg, &pt) == 0);
	uint64_t ok = 0;
	int rc = 0;
	/* distinct 1 GiB regions (radix: 3 pages each) / clusters (hashed) */
	for (uint64_t i = 0; i < 64; i++) {
		rc = pb_pt_map(pt, PB_VPN(i << 18), pb_pte_mk(PB_PFN(i), 0));
		if (rc)
			break;
		ok++;
	}
	PB_CHECK(rc == -ENOMEM);
	PB_CHECK(ok > 0 && ok < 64);
	for (uint64_t i = 0; i < ok; i++)
		PB_CHECK_EQ_U64(lk(pt, i << 18), pb_pte_mk(PB_PFN(i), 0));
	PB_CHECK_EQ_U64(lk(pt, ok << 18), 0);
	/* the failed map left nothing half-done, and pages in already
	 * populated regions still map */
	PB_CHECK(pb_pt_map(pt, PB_VPN(1), pb_pte_mk(PB_PFN(7), 0)) == 0);
	check_ok(pt, ok + 1);
	if (pb_pt_kind(pt) == PB_PT_RADIX) {
		/* freeing the tree makes room again (after the grace period) */
		PB_CHECK(pb_pt_unmap_range(pt, PB_VPN(0), PB_PT_VPN_LIMIT, NULL, NULL) == 0);
		pb_epoch_barrier();
		PB_CHECK(pb_pt_map(pt, PB_VPN(ok << 18), pb_pte_mk(PB_PFN(1), 0)) == 0);
		check_ok(pt, 1);
	}
	pb_pt_destroy(pt);
}

/* ---- epoch grace period ---- */

static struct pb_epoch_entry ent;
static int ran, reader_in, reader_go;

static void ent_cb(struct pb_epoch_entry *e)
{
	(void)e;
	pb_atomic_store(&ran, 1, PB_RELEASE);
}

static void *reader(void *arg)
{
	(void)arg;
	pb_epoch_enter();
	pb_epoch_enter(); /* nested */
	pb_epoch_exit();
	pb_atomic_store(&reader_in, 1, PB_RELEASE);
	while (!pb_atomic_load(&reader_go, PB_ACQUIRE))
		pb_cpu_relax();
	pb_epoch_exit();
	return NULL;
}

static void test_epoch(void)
{
	pthread_t t;
	PB_CHECK(pb_epoch_self() >= 0);
	PB_CHECK(!pb_epoch_in_section());
	pb_epoch_enter();
	PB_CHECK(pb_epoch_in_section());
	pb_epoch_exit();
	PB_CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
	while (!pb_atomic_load(&reader_in, PB_ACQUIRE))
		pb_cpu_relax();
	pb_epoch_retire(&ent, ent_cb);
	for (int i = 0; i < 1000; i++)
		pb_epoch_reclaim();
	PB_CHECK(!pb_atomic_load(&ran, PB_ACQUIRE)); /* reader still inside */
	pb_atomic_store(&reader_go, 1, PB_RELEASE);
	pthread_join(t, NULL);
	pb_epoch_barrier();
	PB_CHECK(pb_atomic_load(&ran, PB_ACQUIRE));
	struct pb_epoch_stats st;
	pb_epoch_stats(&st);
	PB_CHECK(st.retired >= 1 && st.reclaimed >= 1 && st.epoch > 2);
}

int main(void)
{
	struct pb_pt *pt;
	enum pb_pt_kind k;
	PB_CHECK(pb_pt_create("nope", NULL, &pt) == -EINVAL);
	PB_CHECK(pb_pt_kind_parse("hashed", &k) == 0 && k == PB_PT_HASHED);
	PB_CHECK(pb_pt_kind_parse("x", &k) == -EINVAL);
	test_va();
	test_epoch();
	for (unsigned i = 0; pb_pt_kinds[i]; i++) {
		const char *kind = pb_pt_kinds[i];
		PB_CHECK(pb_pt_create(kind, NULL, &pt) == 0);
		PB_CHECK(!strcmp(pb_pt_kind_name(pt), kind));
		test_basic(pt);
		test_invalid(pt);
		test_swap_and_bits(pt);
		test_ranges(pt);
		test_huge(pt);
		check_ok(pt, 0);
		pb_pt_destroy(pt);
		test_exhaustion(kind);
	}
	return pb_test_done();
}
