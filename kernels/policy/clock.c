/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/clock.c - CLOCK (second chance).
 *
 * How it works: resident pages stand on a circle in load order with a hand
 * at the oldest.  A hit only sets the page's reference bit, as the MMU sets
 * the PTE's accessed bit.  On a fault with memory full the hand looks at its
 * page: reference bit set -> clear it and move on (second chance); clear ->
 * evict it, put the new page in its place (just behind the hand) and move
 * on.  From Corbato, "A paging experiment with the Multics system" (MIT
 * Project MAC MAC-M-384, 1968); as "second chance" in Tanenbaum's and
 * Silberschatz's textbooks.  Needs only the accessed bit: PB_POL_HW.
 *
 * Variant details: the circle is the array of frames, as in an OS (struct
 * fcircle): slot[f] is the page in frame f, its byte f's reference bit (a
 * dense byte array, so the hand's sweep is a linear scan), and the hand a
 * frame number.  Frames
 * are filled in order, so without remove() the circle is in load order with
 * the hand at the oldest page; a frame freed by remove() is reused by the
 * next fault in place (its position on the circle is the frame's).  A new
 * page's reference bit is `insert_ref`, default 0: the fault itself is not
 * counted as a reference, as for the new pages of CAR, CLOCK-Pro and SIEVE,
 * so a page earns its second chance by being used again; insert_ref=1 gives
 * the variant in which the accessed bit set by the restarted faulting
 * access counts (then every page gets a second chance and the first sweep
 * after a fill degenerates to FIFO).
 */
#include <string.h>

#include "polint.h"

struct clk {
	struct pb_policy b;
	struct fcircle fc;   /* fc.b[f]: frame f's reference bit */
	uint64_t insert_ref; /* 0 or 1 */
};

static void clk_destroy(struct pb_policy *pp)
{
	pb_pol_fc_fini(&((struct clk *)pp)->fc);
	pb_pol_free(pp);
}

static int clk_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc =
	    pb_pol_alloc(&pb_pol_clock, cfg, sizeof(struct clk), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct clk *p = (struct clk *)*out;
	rc = pb_pol_params_apply(&pb_pol_clock, cfg, p, err, errlen);
	if (!rc && (rc = pb_pol_fc_init(&p->fc, cfg->frames)))
		snprintf(err, errlen, "clock: out of memory");
	if (rc)
		pb_pol_free(*out);
	return rc;
}

/*
 * The misses, out of line so that a hit (setting one byte) saves no
 * registers, the eviction (most misses) calls nothing, and the fill of a
 * free frame, which does, is a tail call.
 */
static __attribute__((noinline)) enum pb_pol_result clk_fill(struct clk *p, uint64_t key)
{
	uint64_t f = fc_take(&p->fc);
	uint32_t i = pb_pol_node_must(&p->b, key);
	p->b.pool.n[i].c = (uint32_t)f;
	p->fc.slot[f] = i;
	p->fc.b[f] = (uint8_t)p->insert_ref;
	p->b.res++;
	return PB_POL_MISS;
}

/* key missed with at: a free frame, or the hand's sweep and the
 * victim's node becomes key's. */
static __attribute__((noinline)) enum pb_pol_result clk_evict(struct clk *p, uint64_t key,
							      uint64_t at, uint64_t *victim)
{
	if (p->b.res < p->b.frames)
		return clk_fill(p, key);
	uint64_t h = p->fc.hand;
	uint8_t *ref = p->fc.b;
	while (ref[h]) {
		ref[h] = 0;
		h = fc_next(&p->fc, h);
	}
	uint32_t i = p->fc.slot[h];
	*victim = p->b.pool.n[i].key;
	pb_pol_node_rekey_at(&p->b, i, key, at);
	ref[h] = (uint8_t)p->insert_ref;
	p->fc.hand = fc_next(&p->fc, h);
	return PB_POL_MISS_EVICT;
}

static enum pb_pol_result clk_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct clk *p = (struct clk *)pp;
	uint64_t key = r->key, at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, key, &at);
	if (i == PN_NIL)
		return clk_evict(p, key, at, victim);
	p->fc.b[p->b.pool.n[i].c] = 1;
	return PB_POL_HIT;
}

static int clk_remove(struct pb_policy *pp, uint64_t key)
{
	struct clk *p = (struct clk *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	fc_release(&p->fc, p->b.pool.n[i].c, 0);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

/*
 * The nodes of the next n misses' victims if no hit comes between
 * (victim_guess): the frames from the hand whose reference bit is clear.
 * A run of misses that finds fewer clear bits than that in one turn has
 * cleared every bit it passed, so in the second turn it takes the frames
 * whose bit was set, in order; the first turn's victims' frames then hold
 * the run's own new pages: passed when they were loaded with their bit set
 * (insert_ref=1), else evicted, and their keys are not known yet (the
 * guess stops there).  Reads the reference bytes (a linear scan) and the
 * slots of the victims, not their nodes.
 */
static unsigned clk_victim_guess(const struct pb_policy *pp, uint32_t *v, unsigned n)
{
	const struct clk *p = (const struct clk *)pp;
	const uint8_t *ref = p->fc.b;
	const uint32_t *slot = p->fc.slot;
	uint64_t f = p->b.frames, h = p->fc.hand;
	unsigned k = 0;
	/* eight bits a load (each byte is 0 or 1): a branch per clear bit
	 * found, not one per byte, which mispredicted on every other */
	for (uint64_t s = 0; s < f && k < n;) {
		uint64_t w = 0, m = f - h < f - s ? f - h : f - s; /* to the end, or round */
		m = m < 8 ? m : 8;
		memcpy(&w, ref + h, m);
		uint64_t clear = ~w & (m == 8 ? 0x0101010101010101ULL : (1ULL << (8 * m)) / 255);
		for (; clear && k < n; clear &= clear - 1)
			v[k++] = slot[h + (unsigned)__builtin_ctzll(clear) / 8];
		s += m;
		h = h + m == f ? 0 : h + m;
	}
	if (k == n)
		return k;
	/* the second turn starts at the hand again (the first went round) */
	for (uint64_t s = 0; s < f && k < n; s++, h = h + 1 == f ? 0 : h + 1) {
		if (ref[h])
			v[k++] = slot[h];
		else if (!p->insert_ref)
			break;
	}
	return k;
}

static const struct pb_param clock_params[] = {
    {"insert_ref", PB_PT_U64, offsetof(struct clk, insert_ref), "0",
     "reference bit of a newly loaded page (0 or 1)", NULL, 0, 1, 0, PB_PF_FRAMES, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_clock = {
    .name = "clock",
    .title = "CLOCK (second chance)",
    .paper = "Corbato, MIT Project MAC MAC-M-384, 1968",
    .flags = PB_POL_HW,
    .params = clock_params,
    .create = clk_create,
    .destroy = clk_destroy,
    .access = clk_access,
    .remove = clk_remove,
    .resident = pb_pol_resident,
    .victim_guess = clk_victim_guess,
};
