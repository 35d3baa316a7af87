/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/mrc_opt.c - OPT (Belady's MIN) misses for many memory
 * sizes in one pass: Mattson's priority stack (see mrc.h).
 *
 * How it works (Mattson, Gecsei, Slutz & Traiger, IBM Systems Journal
 * 1970, "stack processing" with a priority list): the stack S holds every
 * key so that the top c entries are exactly what OPT with c frames holds.
 * A key's priority is its next use (sooner = higher); the lowest priority
 * is what OPT evicts.  On a reference to x at depth D (infinity: not in
 * the stack) every size c >= D hits; for c < D the cache of size c evicts
 * y_c, the lowest-priority key of S(1..c), so the new stack is
 *     S'(1) = x,  S'(i) = the higher of (y_{i-1}, S(i)) for 1 < i < D,
 *     S'(D) = y_{D-1},
 * with y_1 = S(1) and y_i the lower of (y_{i-1}, S(i)).  Only the prefix
 * minima ("records") of S(1..D-1) move: each record moves down into the
 * slot of the next one, and the last into D.  So a segment tree of
 * priorities over the slots finds each next record in O(log cap).  The
 * stack is nearly sorted by next use (deeper = later), so the records come
 * in long runs of consecutive slots with falling priorities (1 164 records
 * in about 4 runs a reference at cap 50 000 on zipf 0.9 over 100k pages):
 * a run j..k moves down one slot as one memmove of the slots, one range
 * update of the tree and one slot_of write per moved entry, and hands its
 * last entry on.  The key map points at node ids that never move, so a
 * moved entry costs no hash update.
 *
 * Priorities are one u64 each, smallest = evicted first: a key never used
 * again gets the position of its latest reference (the oldest goes first,
 * opt.c's tie-break), any other key 2n - next_use (the farthest next use
 * goes first).  Ties are impossible, so the order is total, and the tie
 * among keys never used again cannot change a fault count at any size
 * (none of them hits again), so the counts equal opt.c's replay at every
 * size (checked in tests/policy/test_mrc.c).
 *
 * Only the top `cap` (largest size asked for) slots are kept: S'(1..cap)
 * depends only on S(1..cap) and x, so a key pushed below cap is forgotten
 * (its next reference misses at every size <= cap).  The stack is never
 * deeper than the distinct keys seen, so its arrays grow (doubling) as it
 * fills, up to cap: memory O(min(cap, distinct keys)).
 * pb_mrc_opt_begin/_feed/_end run it batch by batch (`mrc` streaming the
 * trace with an 8 B/ref next-use array); pb_mrc_opt is one feed.
 *
 * From a largest size of PB_MRC_OPT_LABELS on, the runs are long (992
 * records in 3.5 runs a reference at 100 000 frames) and the stream feeds
 * mrc_opt_label.c's stack instead, whose cost does not grow with them.
 */
#include "polint.h"

#include "pagebench/mrc.h"

struct ostack {
	uint64_t *t;	   /* segment tree of priorities (min), leaves at S + slot */
	uint32_t *node_at; /* node in each slot (0-based slot = depth - 1) */
	uint32_t *slot_of; /* slot of each node */
	uint64_t S;	   /* leaves: a power of two >= cap */
	uint64_t depth;	   /* slots in use */
};

static void os_set(struct ostack *o, uint64_t slot, uint64_t pri)
{
	uint64_t i = o->S + slot;
	o->t[i] = pri;
	for (i >>= 1; i; i >>= 1) {
		uint64_t m = o->t[2 * i] < o->t[2 * i + 1] ? o->t[2 * i] : o->t[2 * i + 1];
		if (o->t[i] == m)
			break;
		o->t[i] = m;
	}
}

/* Recompute the tree above the leaves of slots lo..hi. */
static void os_fix(struct ostack *o, uint64_t lo, uint64_t hi)
{
	for (lo = (o->S + lo) >> 1, hi = (o->S + hi) >> 1; lo; lo >>= 1, hi >>= 1)
		for (uint64_t i = lo; i <= hi; i++)
			o->t[i] = o->t[2 * i] < o->t[2 * i + 1] ? o->t[2 * i] : o->t[2 * i + 1];
}

static void os_put(struct ostack *o, uint64_t slot, uint32_t u, uint64_t pri)
{
	o->node_at[slot] = u;
	o->slot_of[u] = (uint32_t)slot;
	os_set(o, slot, pri);
}

/*
 * One reference: x at slot p (UINT64_MAX: not in the stack), new priority
 * px.  Records in slots [1, hi) come in runs of consecutive slots with
 * falling priorities; a run j..k takes the carry at j, moves down one slot
 * (one memmove) and hands its last entry on as the next carry.
 */
static int os_ref(struct ostack *o, struct pb_opt_keys *ks, uint64_t x, uint64_t px, uint64_t cap)
{
	uint32_t u;
	int pn = pb_opt_keys_get(ks, x, &u);
	if (pn < 0)
		return pn;
	uint64_t p = pn ? o->slot_of[u] : UINT64_MAX;
	uint64_t hi = pn ? p : o->depth; /* records lie in slots [1, hi) */
	if (pn) {
		ks->hist[p + 1]++;
		if (p == 0) {
			os_set(o, 0, px);
			return 0;
		}
	}
	if (o->depth == 0) {
		os_put(o, 0, u, px);
		o->depth = 1;
		return 0;
	}
	uint32_t cn = o->node_at[0];
	uint64_t cp = o->t[o->S];
	os_put(o, 0, u, px);
	for (uint64_t i = 1;;) {
		uint64_t j = pb_mintree_first_below(o->t, o->S, i, cp);
		if (j >= hi)
			break;
		uint64_t *lf = o->t + o->S, k = j;
		while (k + 1 < hi && lf[k + 1] < lf[k])
			k++;
		uint32_t nn = o->node_at[k];
		uint64_t np = lf[k];
		memmove(o->node_at + j + 1, o->node_at + j, (k - j) * sizeof(*o->node_at));
		memmove(lf + j + 1, lf + j, (k - j) * sizeof(*lf));
		o->node_at[j] = cn;
		lf[j] = cp;
		for (uint64_t m = j; m <= k; m++)
			o->slot_of[o->node_at[m]] = (uint32_t)m;
		os_fix(o, j, k);
		cn = nn;
		cp = np;
		i = k + 1;
	}
	if (pn) {
		os_put(o, p, cn, cp);
	} else if (o->depth < cap) {
		os_put(o, o->depth++, cn, cp);
	} else { /* pushed below cap: forgotten */
		pb_opt_keys_drop(ks, cn);
	}
	return 0;
}

/* The stack and its keys over a + 1 nodes, a <= cap: the stack is never
 * deeper than the distinct keys seen, so a doubles as it fills, and
 * memory follows the keys, not the largest size. */
struct pb_mrc_opt_stream {
	struct ostack o;
	struct pb_opt_keys k;	/* hist[d] (1 <= d <= a): references at depth d */
	struct pb_opt_lab *lab; /* the labelled stack instead (large sizes) */
	uint64_t *sizes;
	size_t nsizes;
	uint64_t cap, a, n, t; /* t: references fed */
};

int pb_opt_keys_init(struct pb_opt_keys *k, uint64_t expect)
{
	memset(k, 0, sizeof(*k));
	k->has_map = !pb_hmap_init(&k->node, expect);
	return k->has_map ? 0 : -ENOMEM;
}

static void keys_unmap(uint64_t *nkey, uint64_t *hist, uint32_t *fr, uint64_t len)
{
	pb_unmap(nkey, len * sizeof(uint64_t));
	pb_unmap(hist, len * sizeof(uint64_t));
	pb_unmap(fr, len * sizeof(uint32_t));
}

int pb_opt_keys_grow(struct pb_opt_keys *k, uint64_t len, uint64_t ids)
{
	uint64_t *nkey = pb_map(len * sizeof(uint64_t), 0),
		 *hist = pb_map(len * sizeof(uint64_t), 0);
	uint32_t *fr = pb_map(len * sizeof(uint32_t), 0);
	if (!nkey || !hist || !fr) {
		keys_unmap(nkey, hist, fr, len);
		return -ENOMEM;
	}
	if (k->len) {
		memcpy(nkey, k->nkey, k->len * sizeof(uint64_t));
		memcpy(hist, k->hist, k->len * sizeof(uint64_t));
		memcpy(fr, k->free, k->nfree * sizeof(uint32_t));
	}
	for (uint64_t i = ids; i > k->ids; i--)
		fr[k->nfree++] = (uint32_t)(i - 1);
	keys_unmap(k->nkey, k->hist, k->free, k->len);
	k->nkey = nkey;
	k->hist = hist;
	k->free = fr;
	k->len = len;
	k->ids = ids;
	return 0;
}

void pb_opt_keys_fini(struct pb_opt_keys *k)
{
	if (k->has_map)
		pb_hmap_fini(&k->node);
	keys_unmap(k->nkey, k->hist, k->free, k->len);
	memset(k, 0, sizeof(*k));
}

/* Unmap a stack's arrays of a slots. */
static void os_unmap(struct ostack *o, uint64_t a)
{
	size_t nb = (a + 1) * sizeof(uint32_t);
	pb_unmap(o->t, 2 * o->S * sizeof(uint64_t));
	pb_unmap(o->node_at, nb);
	pb_unmap(o->slot_of, nb);
}

static void opt_free(struct pb_mrc_opt_stream *s)
{
	if (s->lab)
		pb_opt_lab_free(s->lab);
	pb_opt_keys_fini(&s->k);
	os_unmap(&s->o, s->a);
	free(s->sizes);
	free(s);
}

/*
 * The arrays made for a slots (a >= s->a), the stack copied over (none
 * the first time: s->o.t NULL), the keys' arrays grown, the new nodes
 * freed (a + 1 nodes: a new key enters before the carry leaves).  0 or
 * -ENOMEM (s unchanged).
 */
static int opt_resize(struct pb_mrc_opt_stream *s, uint64_t a)
{
	struct ostack *o = &s->o, n = {.S = 1, .depth = o->depth};
	while (n.S < a)
		n.S <<= 1;
	size_t tb = 2 * n.S * sizeof(uint64_t), nb = (a + 1) * sizeof(uint32_t);
	n.t = pb_map(tb, 0);
	n.node_at = pb_map(nb, 0);
	n.slot_of = pb_map(nb, 0);
	if (!n.t || !n.node_at || !n.slot_of || pb_opt_keys_grow(&s->k, a + 1, a + 1)) {
		os_unmap(&n, a);
		return -ENOMEM;
	}
	memset(n.t, 0xff, tb);
	if (o->t) {
		size_t ob = (s->a + 1) * sizeof(uint32_t);
		memcpy(n.t + n.S, o->t + o->S, o->depth * sizeof(uint64_t));
		if (o->depth)
			os_fix(&n, 0, o->depth - 1);
		memcpy(n.node_at, o->node_at, ob);
		memcpy(n.slot_of, o->slot_of, ob);
	}
	os_unmap(o, s->a);
	*o = n;
	s->a = a;
	return 0;
}

int pb_mrc_opt_begin(const uint64_t *sizes, size_t nsizes, uint64_t n,
		     struct pb_mrc_opt_stream **out)
{
	if ((!sizes && nsizes) || !out)
		return -EINVAL;
	uint64_t cap = pb_mrc_cap(sizes, nsizes, n);
	if (cap >= (1ULL << 32))
		return -E2BIG;
	struct pb_mrc_opt_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cap = cap;
	s->n = n;
	s->nsizes = nsizes;
	s->sizes = malloc((nsizes ? nsizes : 1) * sizeof(uint64_t));
	uint64_t a = cap < PB_OPT_NODES0 ? cap : PB_OPT_NODES0;
	/* labels: 2 (cap + 2) of them, numbered in 32 bits; the slots'
	 * stream then holds no stack of its own */
	int lab = cap && cap >= pb_opt_label_from && cap < (1ULL << 31) - 2;
	if (!s->sizes || (lab ? !(s->lab = pb_opt_lab_new(cap))
			      : pb_opt_keys_init(&s->k, a) || opt_resize(s, a))) {
		opt_free(s);
		return -ENOMEM;
	}
	if (nsizes)
		memcpy(s->sizes, sizes, nsizes * sizeof(uint64_t));
	*out = s;
	return 0;
}

int pb_mrc_opt_feed(struct pb_mrc_opt_stream *s, const uint64_t *keys, const uint64_t *nu, size_t m)
{
	if (m > s->n - s->t)
		return -ERANGE;
	int rc = 0;
	for (size_t i = 0; s->lab && !rc && i < m; i++, s->t++)
		rc = pb_opt_lab_ref(s->lab, keys[i],
				    nu[i] == PB_NEXT_NONE ? s->t : 2 * s->n - nu[i]);
	for (size_t i = 0; !s->lab && !rc && s->cap && i < m; i++, s->t++) {
		if (pb_opt_keys_full(&s->k, s->o.depth, s->a, s->cap, keys[i]) &&
		    (rc = opt_resize(s, pb_pol_grow_capped(s->a, s->cap))))
			break;
		rc = os_ref(&s->o, &s->k, keys[i], nu[i] == PB_NEXT_NONE ? s->t : 2 * s->n - nu[i],
			    s->cap);
	}
	if (!s->cap)
		s->t += m;
	return rc;
}

int pb_mrc_opt_end(struct pb_mrc_opt_stream *s, uint64_t *misses)
{
	if (!s)
		return 0;
	/* the references not fed would be counted as misses: no curve */
	int rc = misses && s->t != s->n ? -EINVAL : 0;
	if (misses && !rc) {
		/* prefix sums: hist[c] becomes the hits with c frames (no
		 * reference deeper than a: more frames hit as often) */
		struct pb_opt_keys *ks = s->lab ? pb_opt_lab_keys(s->lab) : &s->k;
		uint64_t a = ks->len - 1, *hist = ks->hist; /* depths 1..len - 1 */
		for (uint64_t c = 1; c <= a; c++)
			hist[c] += hist[c - 1];
		for (size_t k = 0; k < s->nsizes; k++)
			misses[k] = s->n - hist[s->sizes[k] < a ? s->sizes[k] : a];
	}
	opt_free(s);
	return rc;
}

int pb_mrc_opt(const uint64_t *keys, size_t n, const uint64_t *next_use, const uint64_t *sizes,
	       size_t nsizes, uint64_t *misses)
{
	if ((!keys && n) || (!sizes && nsizes) || (!misses && nsizes))
		return -EINVAL;
	size_t nb = (n ? n : 1) * sizeof(uint64_t);
	uint64_t *own = NULL;
	struct pb_mrc_opt_stream *s = NULL;
	/* a pending signal: not even the next uses (polint.h) */
	int rc = pb_signal_pending() ? -EINTR : pb_mrc_opt_begin(sizes, nsizes, n, &s);
	if (!rc && !next_use && n) {
		/* a signal stops the next-use pass too, every 2^16 references */
		own = pb_map(nb, 0);
		rc = own ? pb_next_use_stop(keys, n, own, pb_signal_pending) : -ENOMEM;
		next_use = own;
	}
	for (size_t i = 0, m; !rc && i < n; i += m) /* polint.h: a signal stops it */
		if ((m = pb_mrc_chunk(i, n, &rc)))
			rc = pb_mrc_opt_feed(s, keys + i, next_use + i, m);
	int erc = pb_mrc_opt_end(s, rc ? NULL : misses);
	rc = rc ? rc : erc;
	if (own)
		pb_unmap(own, nb);
	return rc;
}
