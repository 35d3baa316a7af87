/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/mrc_opt_label.c - OPT's priority stack (mrc_opt.c) for
 * large sizes: the records move by a constant number of tree updates a
 * run, not one a slot.
 *
 * mrc_opt.c's stack keeps its keys in slots 0..depth-1; a run of j..k
 * consecutive records moves down one slot as a memmove, a range update of
 * its tree and a slot_of write per key: O(r) a reference for r records.
 * r grows with the largest size (zipf 0.9: 70 records a reference at 10 000
 * frames over 100k pages, 992 at 100 000; 6 254 at 200 000 over 1M pages)
 * while the runs stay about 3 to 4.  Here the keys hold labels in a space
 * of S >= 2 (keys + 2) with gaps between them (a packed-memory array), and
 * a segment tree over the labels keeps, per node, the lowest priority
 * (the record search), the live count (a key's depth), the first and last
 * priority and whether two live neighbours rise (a run's end).  A run j..k
 * then takes the carry into the gap just before j and frees k's label: a
 * few O(log S) walks a run, whatever its length.  Where the gap is used
 * up, the smallest window around it under its density bound is spread
 * evenly (on zipf 0.9: 0.63 of the placements, 23 to 33 labels a spread).
 *
 * The key's old place is the hole while the records move (its priority,
 * the highest of all, stays there and ends every run), and takes the last
 * carry, as in mrc_opt.c.  Measured on one core (docs/performance.md,
 * session 26): 2x slower than the slots at 10 000 frames, 1.4x faster at
 * 100 000, 5x at 200 000 over a million pages; mrc_opt.c picks by the
 * largest size (pb_opt_label_from).
 */
#include "polint.h"

#include "pagebench/mrc.h"

/* A segment tree over labels, in two arrays: mn, the lowest priority
 * below a node (UINT64_MAX: no live label), which the record search
 * descends alone; and the rest: the live labels' count, the first and
 * last priority in label order, and whether two neighbours among them
 * rise (a later one of higher value), which the run's end needs. */
struct lrest {
	uint64_t fst, lst;
	uint32_t cnt, asc;
};

struct lstack {
	uint64_t *mn;	    /* 2 S: leaves at S + label */
	struct lrest *r;    /* 2 S */
	uint32_t *node_at;  /* node at each live label */
	uint32_t *label_of; /* label of each node (the hole's too) */
	uint64_t *buf;	    /* a spread window's entries: priority, node */
	uint64_t S;	    /* labels: a power of two >= 2 (nodes + 1) */
	unsigned H;	    /* log2 S */
	uint32_t hole;	    /* node id of the hole (x's old place, while a
			     * reference moves the records) */
	uint64_t depth;	    /* keys in the stack */
};

static inline void ln_leaf(struct lstack *o, uint64_t label, uint64_t pri)
{
	o->mn[o->S + label] = pri;
	o->r[o->S + label] = (struct lrest){pri, pri, 1, 0};
}

static inline void ln_empty(struct lstack *o, uint64_t label)
{
	o->mn[o->S + label] = UINT64_MAX;
	o->r[o->S + label] = (struct lrest){0, 0, 0, 0};
}

/* Node i from its children; whether anything but the count changed. */
static inline int ln_pull(struct lstack *o, uint64_t i)
{
	const struct lrest *l = &o->r[2 * i], *r = &o->r[2 * i + 1];
	struct lrest *n = &o->r[i], was = *n;
	uint64_t a = o->mn[2 * i], b = o->mn[2 * i + 1], m = a < b ? a : b;
	int same = o->mn[i] == m;
	o->mn[i] = m;
	n->cnt = l->cnt + r->cnt;
	if (!l->cnt) {
		n->fst = r->fst, n->lst = r->lst, n->asc = r->asc;
	} else if (!r->cnt) {
		n->fst = l->fst, n->lst = l->lst, n->asc = l->asc;
	} else {
		n->fst = l->fst, n->lst = r->lst;
		n->asc = l->asc | r->asc | (l->lst < r->fst);
	}
	return !same || n->fst != was.fst || n->lst != was.lst || n->asc != was.asc;
}

/* The ancestors of a leaf that changed (its live count by delta): pulled
 * while anything but the count changes, then only counted. */
static void ls_up(struct lstack *o, uint64_t label, int delta)
{
	uint64_t i = (o->S + label) >> 1;
	while (i && ln_pull(o, i))
		i >>= 1;
	if (i && delta)
		for (i >>= 1; i; i >>= 1)
			o->r[i].cnt += (uint32_t)delta;
}

/* u at a label: a new entry (an empty leaf before) or a new key or
 * priority for a live one. */
static void ls_set(struct lstack *o, uint64_t label, uint32_t u, uint64_t pri)
{
	int delta = !o->r[o->S + label].cnt;
	ln_leaf(o, label, pri);
	o->node_at[label] = u;
	o->label_of[u] = (uint32_t)label;
	ls_up(o, label, delta);
}

static void ls_clear(struct lstack *o, uint64_t label)
{
	ln_empty(o, label);
	ls_up(o, label, -1);
}

static inline uint64_t ls_pri(const struct lstack *o, uint64_t label)
{
	return o->mn[o->S + label];
}

/* Live labels below `label`: the 0-based depth of the one there. */
static uint64_t ls_rank(const struct lstack *o, uint64_t label)
{
	uint64_t r = 0;
	for (uint64_t i = o->S + label; i > 1; i >>= 1)
		if (i & 1)
			r += o->r[i - 1].cnt;
	return r;
}

/* The last live label below `label` (<= S), or UINT64_MAX. */
static uint64_t ls_prev(const struct lstack *o, uint64_t label)
{
	const uint64_t *mn = o->mn;
	uint64_t i = o->S + label;
	if (label == o->S) {
		if (mn[1] == UINT64_MAX)
			return UINT64_MAX;
		i = 1;
	} else {
		for (;; i >>= 1) {
			if (i == 1)
				return UINT64_MAX;
			if ((i & 1) && mn[i - 1] != UINT64_MAX) {
				i--;
				break;
			}
		}
	}
	while (i < o->S) { /* prefetched as pb_mintree_first_below's descent */
		if (8 * i < 2 * o->S)
			__builtin_prefetch(&mn[8 * i]);
		i = mn[2 * i + 1] != UINT64_MAX ? 2 * i + 1 : 2 * i;
	}
	return i - o->S;
}

/* The first live label >= lo whose priority is above its live neighbour
 * before it (prev: that neighbour's priority), or UINT64_MAX. */
static uint64_t ls_first_rise(const struct lstack *o, uint64_t lo, uint64_t prev)
{
	const struct lrest *t = o->r;
	if (lo >= o->S)
		return UINT64_MAX;
	uint64_t i = o->S + lo;
	while (!t[i].cnt || (t[i].fst < prev && !t[i].asc)) {
		if (t[i].cnt)
			prev = t[i].lst;
		if (!(i = pb_mintree_right(i)))
			return UINT64_MAX;
	}
	while (i < o->S) {
		if (4 * i < 2 * o->S) { /* the grandchildren: two lines */
			__builtin_prefetch(&t[4 * i]);
			__builtin_prefetch(&t[4 * i + 3]);
		}
		const struct lrest *l = &t[2 * i];
		if (l->cnt && (l->fst > prev || l->asc)) {
			i = 2 * i;
		} else {
			if (l->cnt)
				prev = l->lst;
			i = 2 * i + 1;
		}
	}
	return i - o->S;
}

/*
 * Node u (priority pri) placed just before label `at` (S: after the last).
 * Half-way into the gap before it where there is one; else the smallest
 * window around it under its density bound (1 - h / 2H at height h, a
 * packed-memory array's: O(log^2 S) moves a placement, amortized) is
 * spread evenly with u among its entries.  Labels of the window's nodes
 * change (label_of follows them).
 */
static void ls_place(struct lstack *o, uint64_t at, uint32_t u, uint64_t pri)
{
	uint64_t p = ls_prev(o, at);
	uint64_t below = p == UINT64_MAX ? 0 : p + 1; /* first label of the gap */
	if (at > below) {
		ls_set(o, below + (at - below) / 2, u, pri);
		return;
	}
	uint64_t leaf = at < o->S ? at : o->S - 1, i = (o->S + leaf) >> 1;
	unsigned h = 1;
	while (i > 1 &&
	       ((uint64_t)o->r[i].cnt + 1) * 2 * o->H > ((uint64_t)1 << h) * (2 * o->H - h))
		i >>= 1, h++;
	uint64_t span = (uint64_t)1 << h, lo = (i << h) - o->S, m = 0, *buf = o->buf;
	for (uint64_t l = lo; l < lo + span; l++) {
		if (l == at)
			buf[m++] = pri, buf[m++] = u;
		if (o->r[o->S + l].cnt)
			buf[m++] = ls_pri(o, l), buf[m++] = o->node_at[l];
		ln_empty(o, l);
	}
	if (at >= lo + span)
		buf[m++] = pri, buf[m++] = u;
	m /= 2;
	for (uint64_t e = 0; e < m; e++) {
		uint64_t l = lo + (uint64_t)((unsigned __int128)e * span / m);
		uint32_t v = (uint32_t)buf[2 * e + 1];
		ln_leaf(o, l, buf[2 * e]);
		o->node_at[l] = v;
		o->label_of[v] = (uint32_t)l;
	}
	for (uint64_t a = (o->S + lo) >> 1, b = (o->S + lo + span - 1) >> 1; a >= i;
	     a >>= 1, b >>= 1)
		for (uint64_t k = a; k <= b; k++)
			ln_pull(o, k);
	for (i >>= 1; i; i >>= 1)
		ln_pull(o, i);
}

/*
 * One reference: x (its old place the hole; none: a new key), new
 * priority px.  The records (prefix minima) of the keys above the hole
 * come in runs of live neighbours with falling priorities; a run j..k
 * takes the carry just before j, and its last entry k leaves as the next
 * carry: two placements, whatever the run's length.
 */
static int lab_ref(struct lstack *o, struct pb_opt_keys *ks, uint64_t x, uint64_t px, uint64_t cap)
{
	uint32_t u;
	int pn = pb_opt_keys_get(ks, x, &u);
	if (pn < 0)
		return pn;
	if (pn) {
		uint64_t lx = o->label_of[u], p = ls_rank(o, lx);
		ks->hist[p + 1]++;
		if (p == 0) {
			ls_set(o, lx, u, px);
			return 0;
		}
		o->node_at[lx] = o->hole; /* its priority, the highest, stays */
		o->label_of[o->hole] = (uint32_t)lx;
	}
	if (o->depth == 0) {
		ls_set(o, 0, u, px);
		o->depth = 1;
		return 0;
	}
	uint64_t l0 = pb_mintree_first_below(o->mn, o->S, 0, UINT64_MAX); /* the top */
	uint32_t cn = o->node_at[l0];
	uint64_t cp = ls_pri(o, l0);
	ls_set(o, l0, u, px);
	for (uint64_t i = l0 + 1;;) {
		uint64_t hi = pn ? o->label_of[o->hole] : o->S;
		uint64_t j = pb_mintree_first_below(o->mn, o->S, i, cp);
		if (j >= hi)
			break;
		uint64_t r = ls_first_rise(o, j + 1, ls_pri(o, j));
		uint64_t k = ls_prev(o, r < hi ? r : hi);
		uint32_t nn = o->node_at[k];
		uint64_t np = ls_pri(o, k);
		if (k == j) {
			ls_set(o, j, cn, cp);
			i = j + 1;
		} else {
			ls_place(o, j, cn, cp);
			i = o->label_of[nn];
			ls_clear(o, i);
		}
		cn = nn;
		cp = np;
	}
	if (pn) {
		ls_set(o, o->label_of[o->hole], cn, cp);
	} else if (o->depth < cap) {
		ls_place(o, o->S, cn, cp);
		o->depth++;
	} else { /* pushed below cap: forgotten */
		pb_opt_keys_drop(ks, cn);
	}
	return 0;
}

/* The stack and its keys over a + 1 nodes and the hole, a <= cap, over
 * S >= 2 (a + 2) labels: memory follows the keys, not the largest size. */
struct pb_opt_lab {
	struct lstack o;
	struct pb_opt_keys k; /* hist[d] (1 <= d <= a): references at depth d */
	uint64_t cap, a;
};

/* Unmap a stack's arrays. */
static void lab_unmap(struct lstack *o, uint64_t a)
{
	pb_unmap(o->mn, 2 * o->S * sizeof(*o->mn));
	pb_unmap(o->r, 2 * o->S * sizeof(*o->r));
	pb_unmap(o->buf, 2 * o->S * sizeof(*o->buf));
	pb_unmap(o->node_at, o->S * sizeof(uint32_t));
	pb_unmap(o->label_of, (a + 2) * sizeof(uint32_t));
}

void pb_opt_lab_free(struct pb_opt_lab *s)
{
	pb_opt_keys_fini(&s->k);
	lab_unmap(&s->o, s->a);
	free(s);
}

/*
 * The arrays made for a nodes (a >= s->a), the stack spread evenly over
 * the new labels (none the first time: s->o.mn NULL), the keys' arrays
 * grown, the new nodes freed (a + 1 nodes: a new key enters before the
 * carry leaves; node a + 1 is the hole).  0 or -ENOMEM (s unchanged).
 */
static int lab_resize(struct pb_opt_lab *s, uint64_t a)
{
	struct lstack *o = &s->o, n = {.S = 2, .H = 1, .depth = o->depth};
	while (n.S < 2 * (a + 2))
		n.S <<= 1, n.H++;
	n.mn = pb_map(2 * n.S * sizeof(*n.mn), 0);
	n.r = pb_map(2 * n.S * sizeof(*n.r), 0); /* zero: no live label */
	n.buf = pb_map(2 * n.S * sizeof(*n.buf), 0);
	n.node_at = pb_map(n.S * sizeof(uint32_t), 0);
	n.label_of = pb_map((a + 2) * sizeof(uint32_t), 0);
	if (!n.mn || !n.r || !n.buf || !n.node_at || !n.label_of ||
	    pb_opt_keys_grow(&s->k, a + 2, a + 1)) {
		lab_unmap(&n, a);
		return -ENOMEM;
	}
	memset(n.mn, 0xff, 2 * n.S * sizeof(*n.mn));
	n.hole = (uint32_t)(a + 1);
	if (o->mn) {
		for (uint64_t l = 0, e = 0; l < o->S; l++)
			if (o->r[o->S + l].cnt) {
				uint64_t nl = (uint64_t)((unsigned __int128)e++ * n.S / o->depth);
				uint32_t u = o->node_at[l];
				ln_leaf(&n, nl, ls_pri(o, l));
				n.node_at[nl] = u;
				n.label_of[u] = (uint32_t)nl;
			}
		for (uint64_t i = n.S - 1; i; i--)
			ln_pull(&n, i);
	}
	lab_unmap(o, s->a);
	*o = n;
	s->a = a;
	return 0;
}

uint64_t pb_opt_label_from = PB_MRC_OPT_LABELS;

struct pb_opt_lab *pb_opt_lab_new(uint64_t cap)
{
	struct pb_opt_lab *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cap = cap;
	uint64_t a = cap < PB_OPT_NODES0 ? cap : PB_OPT_NODES0;
	if (pb_opt_keys_init(&s->k, a) || lab_resize(s, a)) {
		pb_opt_lab_free(s);
		return NULL;
	}
	return s;
}

int pb_opt_lab_ref(struct pb_opt_lab *s, uint64_t key, uint64_t pri)
{
	if (pb_opt_keys_full(&s->k, s->o.depth, s->a, s->cap, key) &&
	    lab_resize(s, pb_pol_grow_capped(s->a, s->cap)))
		return -ENOMEM;
	return lab_ref(&s->o, &s->k, key, pri, s->cap);
}

struct pb_opt_keys *pb_opt_lab_keys(struct pb_opt_lab *s)
{
	return &s->k;
}
