/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/nru.c - NRU as the enhanced CLOCK (accessed + dirty classes).
 *
 * How it works: every resident page falls in one of four classes by its
 * (referenced, modified) bits: (0,0) best victim, (0,1), (1,0), (1,1).  A hit
 * sets the referenced bit, a write also the modified bit, exactly what the
 * MMU records in the PTE.  On a fault with memory full the hand sweeps the
 * circle (Silberschatz, Galvin & Gagne, "Operating System Concepts",
 * enhanced second-chance algorithm; the Macintosh VM scheme; NRU classes
 * from Tanenbaum, "Modern Operating Systems"):
 *   1. one full turn looking for (0,0), changing nothing;
 *   2. one full turn looking for (0,1), clearing the referenced bit of every
 *      page it passes;
 *   3. repeat (all referenced bits are clear now, so 1 or 2 succeeds).
 * The first page found is evicted, the new page takes its place on the
 * circle (just behind the hand) and the hand moves past it.  Preferring clean
 * pages saves the write-back of a dirty victim.  PB_POL_HW.
 *
 * Variant details: a page's modified bit stays set while it is resident (no
 * background cleaning); a new page is loaded with referenced = `insert_ref`
 * (default 1: the restarted faulting access sets the accessed bit) and
 * modified = 1 when the faulting access is a write.  Unlike clock.c the
 * default is 1 here: turn 1 never clears a bit, so with new pages loaded
 * unreferenced the referenced pages are only cleared when no (0,0) page is
 * left, and the victim is almost always the newest page.  Loaded
 * referenced, every page takes part in turn 2's clearing, which is what the
 * textbook scheme assumes (Tanenbaum's NRU clears R bits on every clock tick
 * instead).
 *
 * The circle is the frame array, as in clock.c (struct fcircle): frame f's
 * byte is its class, referenced | modified << 1 (NRU_HOLE for a frame freed
 * by remove(), which the next fault reuses in place); frames are filled in
 * order, so without remove() the circle is in load order with the hand at
 * the oldest page.  Turn 1 is then a memchr for a 0 byte from the hand:
 * with most pages dirty (the modified bit never clears) it fails on a whole
 * turn at most faults, which as a walk of the page ring cost O(frames)
 * dependent loads a fault (on the default suite's zipf trace at 16000
 * frames, 2.3 G steps for 1 M references, 4.7 s); as a byte scan it costs
 * a few hundred cycles.  Turn 2 clears one referenced bit per frame it
 * passes, bits that hits set, so it is amortised O(1).
 */
#include <string.h>

#include "polint.h"

#define NRU_HOLE 4 /* a free frame: neither class turn 1 or 2 takes */

struct nru {
	struct pb_policy b;
	struct fcircle fc;   /* fc.b[f]: frame f's class, or NRU_HOLE */
	uint64_t insert_ref; /* 0 or 1 */
};

static void nru_destroy(struct pb_policy *pp)
{
	pb_pol_fc_fini(&((struct nru *)pp)->fc);
	pb_pol_free(pp);
}

static int nru_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc = pb_pol_alloc(&pb_pol_nru, cfg, sizeof(struct nru), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct nru *p = (struct nru *)*out;
	rc = pb_pol_params_apply(&pb_pol_nru, cfg, p, err, errlen);
	if (!rc && (rc = pb_pol_fc_init(&p->fc, cfg->frames)))
		snprintf(err, errlen, "nru: out of memory");
	if (rc)
		pb_pol_free(*out);
	return rc;
}

/* The first frame from the hand, round the circle, whose class byte is c;
 * f if none. */
static uint64_t nru_find(const struct nru *p, uint8_t c)
{
	const uint8_t *cls = p->fc.b;
	uint64_t h = p->fc.hand, f = p->b.frames;
	const uint8_t *x = memchr(cls + h, c, f - h);
	if (!x && h)
		x = memchr(cls, c, h);
	return x ? (uint64_t)(x - cls) : f;
}

/* Turn 1 (0,0) without clearing, else turn 2 (0,1) clearing referenced
 * bits on the way, until one is found (memory is full: no holes). */
static uint64_t nru_pick(struct nru *p)
{
	uint8_t *cls = p->fc.b;
	uint64_t f = p->b.frames;
	for (;;) {
		uint64_t x = nru_find(p, 0);
		if (x < f)
			return x;
		x = p->fc.hand;
		for (uint64_t k = 0; k < f; k++, x = fc_next(&p->fc, x)) {
			if (cls[x] == 2)
				return x;
			cls[x] &= (uint8_t)~1u;
		}
	}
}

static enum pb_pol_result nru_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct nru *p = (struct nru *)pp;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint8_t cls = (uint8_t)(r->write ? 2 : 0);
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	if (i != PN_NIL) {
		p->fc.b[p->b.pool.n[i].c] |= (uint8_t)(1 | cls);
		return PB_POL_HIT;
	}
	cls |= (uint8_t)p->insert_ref;
	if (p->b.res == p->b.frames) {
		uint64_t h = nru_pick(p);
		i = p->fc.slot[h];
		*victim = p->b.pool.n[i].key;
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		p->fc.b[h] = cls;
		p->fc.hand = fc_next(&p->fc, h);
		return PB_POL_MISS_EVICT;
	}
	uint64_t h = fc_take(&p->fc);
	i = pb_pol_node_must(&p->b, r->key);
	p->b.pool.n[i].c = (uint32_t)h;
	p->fc.slot[h] = i;
	p->fc.b[h] = cls;
	p->b.res++;
	return PB_POL_MISS;
}

static int nru_remove(struct pb_policy *pp, uint64_t key)
{
	struct nru *p = (struct nru *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	fc_release(&p->fc, p->b.pool.n[i].c, NRU_HOLE);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static const struct pb_param nru_params[] = {
    {"insert_ref", PB_PT_U64, offsetof(struct nru, insert_ref), "1",
     "referenced bit of a newly loaded page (0 or 1)", NULL, 0, 1, 0, PB_PF_FRAMES, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_nru = {
    .name = "nru",
    .title = "NRU / enhanced CLOCK (referenced + modified classes)",
    .paper = "Silberschatz, Galvin & Gagne, Operating System Concepts (enhanced second chance)",
    .flags = PB_POL_HW,
    .params = nru_params,
    .create = nru_create,
    .destroy = nru_destroy,
    .access = nru_access,
    .remove = nru_remove,
    .resident = pb_pol_resident,
};
