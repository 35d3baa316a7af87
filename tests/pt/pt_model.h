/* SPDX-License-Identifier: MIT */
/*
 * tests/pt/pt_model.h - the reference model of pb_pt shared by
 * test_pt_model.c (seeded random calls) and fuzz_pt.c (calls decoded from
 * fuzzer input): one step draws a random call on a small range that
 * straddles PT/PD/PDPT page boundaries, runs it and compares the return
 * code, returned words and callbacks with a flat-array model of what pt.h
 * promises.  The includer defines EXPECT(cond, fmt, ...) and sets
 * model_src before calling model_step().
 */
#ifndef PAGEBENCH_TESTS_PT_MODEL_H
#define PAGEBENCH_TESTS_PT_MODEL_H

#include <errno.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/epoch.h"
#include "pagebench/pt.h"

/* Where the randomness comes from: a PRNG or fuzzer bytes. */
static uint64_t (*model_src)(void);

static uint64_t model_draw64(void)
{
	return model_src();
}

/* Uniform-ish in [0, n). */
static uint64_t model_draw(uint64_t n)
{
	return (uint64_t)(((unsigned __int128)model_src() * n) >> 64);
}

#define H    PB_PT_HUGE_PAGES
#define NREG 4
#define SPAN (NREG * H)
#define BASE ((1ULL << 18) - 2 * H)

static uint64_t m_small[SPAN], m_huge[NREG];
static int m_hashed;
static int m_single;	      /* the table was created single-caller (set by the includer) */
static uint64_t m_leaf_words; /* pb_pt_leaf calls that gave a word */

static void model_reset(struct pb_pt *pt)
{
	m_hashed = !(pb_pt_features(pt) & PB_PT_F_HUGE);
	memset(m_small, 0, sizeof(m_small));
	memset(m_huge, 0, sizeof(m_huge));
}

static uint64_t m_lookup(uint64_t i)
{
	return m_huge[i / H] ? m_huge[i / H] : m_small[i];
}

static uint64_t m_leaves(void)
{
	uint64_t n = 0;
	for (unsigned r = 0; r < NREG; r++)
		n += m_huge[r] ? H : 0;
	for (unsigned i = 0; i < SPAN; i++)
		n += m_small[i] != 0;
	return n;
}

static uint64_t rand_small(void)
{
	uint64_t r = model_draw64();
	if (r % 4 == 0)
		return pb_pte_mk_swap((unsigned)(r >> 8) % 32, (r >> 16) % PB_SWP_OFFSET_LIMIT);
	uint64_t fl = 0;
	static const uint64_t bits[] = {PB_PTE_W, PB_PTE_U, PB_PTE_A, PB_PTE_D, PB_PTE_NX};
	for (unsigned b = 0; b < 5; b++)
		if (r >> (8 + b) & 1)
			fl |= bits[b];
	return pb_pte_mk(PB_PFN((r >> 20) & ((1ULL << 40) - 1)), fl);
}

static uint64_t rand_huge(void)
{
	uint64_t r = model_draw64();
	return pb_pte_mk_huge(PB_PFN(((r >> 20) & ((1ULL << 31) - 1)) << 9),
			      (r & 1 ? PB_PTE_W : 0) | (r & 2 ? PB_PTE_D : 0));
}

struct cbrec {
	uint64_t n, sum, last;
	int ordered;
};

static int walk_cb(void *arg, pb_vpn_t vpn, uint64_t pte)
{
	struct cbrec *c = arg;
	if (c->n && vpn.v <= c->last)
		c->ordered = 0;
	c->last = vpn.v;
	c->n++;
	c->sum += pte ^ vpn.v;
	return 0;
}

static void unmap_cb(void *arg, pb_vpn_t vpn, uint64_t old)
{
	walk_cb(arg, vpn, old);
}

static void model_step(struct pb_pt *pt, unsigned s)
{
	uint64_t i = model_draw(SPAN), reg = i / H, v = BASE + i, old = 0;
	uint64_t op = model_draw(100);
	int rc;
	if (op < 30) { /* map 4 KiB */
		uint64_t w = rand_small();
		int want = m_lookup(i) || m_huge[reg] ? -EEXIST : 0;
		rc = pb_pt_map(pt, PB_VPN(v), w);
		EXPECT(rc == want, "step %u: map %#llx: %d, model %d", s, (unsigned long long)v, rc,
		       want);
		if (!rc)
			m_small[i] = w;
	} else if (op < 36) { /* map 2 MiB */
		uint64_t w = rand_huge(), base = reg * H;
		int want = 0;
		if (m_hashed) {
			want = -EOPNOTSUPP;
		} else {
			for (unsigned j = 0; j < H; j++)
				if (m_small[base + j])
					want = -EEXIST;
			if (m_huge[reg])
				want = -EEXIST;
		}
		rc = pb_pt_map(pt, PB_VPN(BASE + base), w);
		EXPECT(rc == want, "step %u: map huge %#llx: %d, model %d", s,
		       (unsigned long long)(BASE + base), rc, want);
		if (!rc)
			m_huge[reg] = w;
	} else if (op < 56) { /* unmap */
		if (model_draw(4) == 0)
			i &= ~(H - 1), v = BASE + i;
		uint64_t cur = m_lookup(i);
		int want = !cur ? -ENOENT : (m_huge[reg] && (i % H)) ? -EINVAL : 0;
		rc = pb_pt_unmap(pt, PB_VPN(v), &old);
		EXPECT(rc == want, "step %u: unmap %#llx: %d, model %d", s, (unsigned long long)v,
		       rc, want);
		if (!rc) {
			EXPECT(old == cur, "step %u: unmap old %#llx, model %#llx", s,
			       (unsigned long long)old, (unsigned long long)cur);
			if (m_huge[reg])
				m_huge[reg] = 0;
			else
				m_small[i] = 0;
		}
	} else if (op < 66) { /* lookup */
		pb_epoch_enter();
		uint64_t got = pb_pt_lookup(pt, PB_VPN(v));
		pb_epoch_exit();
		EXPECT(got == m_lookup(i), "step %u: lookup %#llx = %#llx, model %#llx", s,
		       (unsigned long long)v, (unsigned long long)got,
		       (unsigned long long)m_lookup(i));
		/* the prefetch's word: on a single-caller radix table the one
		 * pb_pt_leaf finds without creating (both NULL in a 2 MiB leaf,
		 * with no PT page); on a radix table of several callers
		 * (pb_pt_leaf: NULL) a word that reads the model's 4 KiB PTE,
		 * there whenever the model maps one, NULL in a 2 MiB leaf; none
		 * on a hashed table */
		pb_epoch_enter();
		uint64_t *pw = pb_pt_prefetch_leaf(pt, PB_VPN(v));
		uint64_t *lw = pb_pt_leaf(pt, PB_VPN(v), false);
		uint64_t pv = pw ? pb_atomic_load(pw, PB_ACQUIRE) : 0;
		pb_epoch_exit();
		int ok;
		if (m_hashed)
			ok = !pw && !lw;
		else if (m_single)
			ok = pw == lw;
		else if (m_huge[reg])
			ok = !pw && !lw;
		else
			ok = !lw && (pw ? pv == m_small[i] : !m_small[i]);
		EXPECT(ok, "step %u: prefetch word of %#llx %p (%#llx), leaf word %p, model %#llx",
		       s, (unsigned long long)v, (void *)pw, (unsigned long long)pv, (void *)lw,
		       (unsigned long long)m_small[i]);
		/* a single-caller radix table's leaf word (NULL on other tables):
		 * the model's 4 KiB word; a store through it maps or unmaps */
		int create = model_draw(2) == 0;
		pb_epoch_enter();
		uint64_t *w = pb_pt_leaf(pt, PB_VPN(v), create);
		pb_epoch_exit();
		if (w) {
			m_leaf_words++;
			EXPECT(!m_huge[reg] && *w == m_small[i],
			       "step %u: leaf word %#llx = %#llx, model %#llx (huge %#llx)", s,
			       (unsigned long long)v, (unsigned long long)*w,
			       (unsigned long long)m_small[i], (unsigned long long)m_huge[reg]);
			if (create && !m_huge[reg]) {
				uint64_t nw = m_small[i] ? 0 : rand_small();
				pb_atomic_store(w, nw, PB_RELEASE);
				m_small[i] = nw;
			}
		}
	} else if (op < 76) { /* A/D bits, protect */
		uint64_t cur = m_lookup(i), *slot = m_huge[reg] ? &m_huge[reg] : &m_small[i];
		int present = pb_pte_present(cur);
		unsigned which = (unsigned)model_draw(5);
		int want;
		switch (which) {
		case 0:
			rc = pb_pt_test_clear_accessed(pt, PB_VPN(v));
			want = present ? !!(cur & PB_PTE_A) : -ENOENT;
			if (present)
				*slot &= ~PB_PTE_A;
			break;
		case 1:
			rc = pb_pt_test_clear_dirty(pt, PB_VPN(v));
			want = present ? !!(cur & PB_PTE_D) : -ENOENT;
			if (present)
				*slot &= ~PB_PTE_D;
			break;
		case 2:
			if (model_draw(2)) {
				rc = pb_pt_set_dirty(pt, PB_VPN(v));
				if (present)
					*slot |= PB_PTE_D;
			} else {
				rc = pb_pt_touch(pt, PB_VPN(v), true);
				if (present)
					*slot |= PB_PTE_A | PB_PTE_D;
			}
			want = present ? 0 : -ENOENT;
			break;
		case 3:
			rc = pb_pt_set_accessed(pt, PB_VPN(v));
			want = present ? 0 : -ENOENT;
			if (present)
				*slot |= PB_PTE_A;
			break;
		default:
			rc = pb_pt_protect(pt, PB_VPN(v), PB_PTE_NX, PB_PTE_W, &old);
			want = present ? 0 : -ENOENT;
			if (present) {
				EXPECT(old == cur, "step %u: protect old", s);
				*slot = (*slot | PB_PTE_NX) & ~PB_PTE_W;
			}
			break;
		}
		EXPECT(rc == want, "step %u: bit op %u on %#llx: %d, model %d", s, which,
		       (unsigned long long)v, rc, want);
	} else if (op < 79) { /* exchange */
		uint64_t cur = m_small[i], des = model_draw(4) ? rand_small() : 0;
		int want = m_huge[reg] ? -EEXIST : 0;
		old = 12345;
		rc = pb_pt_exchange(pt, PB_VPN(v), des, &old);
		EXPECT(rc == want && (rc || old == cur), "step %u: exchange %#llx: %d (model %d)",
		       s, (unsigned long long)v, rc, want);
		if (!rc)
			m_small[i] = des;
	} else if (op < 86) { /* cmpxchg on 4 KiB leaves */
		uint64_t cur = m_small[i], exp, des = model_draw(5) ? rand_small() : 0;
		exp = model_draw(3) ? cur : rand_small();
		uint64_t exp0 = exp;
		int want;
		if (m_huge[reg])
			want = -EEXIST;
		else if (exp == cur)
			want = 0;
		else
			want = -EAGAIN;
		rc = pb_pt_cmpxchg(pt, PB_VPN(v), &exp, des);
		EXPECT(rc == want, "step %u: cmpxchg %#llx: %d, model %d", s, (unsigned long long)v,
		       rc, want);
		if (rc == 0)
			m_small[i] = des;
		if (rc == -EAGAIN)
			EXPECT(exp == cur, "step %u: cmpxchg saw %#llx, model %#llx (exp %#llx)", s,
			       (unsigned long long)exp, (unsigned long long)cur,
			       (unsigned long long)exp0);
	} else if (op < 93) { /* walk */
		uint64_t n = 1 + model_draw(SPAN - i);
		struct cbrec got = {.ordered = 1}, want = {0};
		rc = pb_pt_walk(pt, PB_VPN(v), n, walk_cb, &got);
		for (uint64_t j = i; j < i + n; j++) {
			if (m_huge[j / H]) {
				if (j == i || j % H == 0) {
					want.n++;
					want.sum += m_huge[j / H] ^ (BASE + j / H * H);
				}
			} else if (m_small[j]) {
				want.n++;
				want.sum += m_small[j] ^ (BASE + j);
			}
		}
		EXPECT(rc == 0 && got.ordered && got.n == want.n && got.sum == want.sum,
		       "step %u: walk %#llx+%llu: rc %d, %llu leaves (model %llu)", s,
		       (unsigned long long)v, (unsigned long long)n, rc, (unsigned long long)got.n,
		       (unsigned long long)want.n);
	} else { /* unmap_range */
		uint64_t n = 1 + model_draw(model_draw(2) ? 16 : SPAN - i);
		if (i + n > SPAN)
			n = SPAN - i;
		struct cbrec got = {.ordered = 1}, want = {0};
		int wrc = 0;
		for (uint64_t j = i; j < i + n; j++) {
			uint64_t r = j / H;
			if (m_huge[r]) {
				if (j % H && j != i)
					continue;
				if (r * H >= i && r * H + H <= i + n) {
					want.n++;
					want.sum += m_huge[r] ^ (BASE + r * H);
					m_huge[r] = 0;
				} else {
					wrc = -ERANGE;
				}
			} else if (m_small[j]) {
				want.n++;
				want.sum += m_small[j] ^ (BASE + j);
				m_small[j] = 0;
			}
		}
		rc = pb_pt_unmap_range(pt, PB_VPN(v), n, unmap_cb, &got);
		EXPECT(
		    rc == wrc && got.n == want.n && got.sum == want.sum,
		    "step %u: unmap_range %#llx+%llu: rc %d (model %d), %llu removed (model %llu)",
		    s, (unsigned long long)v, (unsigned long long)n, rc, wrc,
		    (unsigned long long)got.n, (unsigned long long)want.n);
	}
}

#endif /* PAGEBENCH_TESTS_PT_MODEL_H */
