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
 * Variant details: the circle is kept as a queue (tail = under the hand,
 * head = just behind it); "clear and move on" moves the page from tail to
 * head, which is the same order as a fixed circle with a moving hand.  A new
 * page's reference bit is `insert_ref` (default 1: the faulting access, once
 * restarted, sets the accessed bit like any other; 0 gives the variant in
 * which a page must be re-referenced to earn its second chance).
 */
#include "polint.h"

struct clk {
	struct pb_policy b;
	struct plist q;
	uint8_t insert_ref;
};

static int clk_param(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct clk *p = ctx;
	uint64_t v;
	if (strcmp(key, "insert_ref"))
		return pb_pol_param_unknown(&pb_pol_clock, key, err, errlen);
	if (pb_pol_param_u64(key, val, &v, err, errlen))
		return -EINVAL;
	if (v > 1) {
		snprintf(err, errlen, "clock: insert_ref must be 0 or 1");
		return -EINVAL;
	}
	p->insert_ref = (uint8_t)v;
	return 0;
}

static int clk_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc = pb_pol_alloc(&pb_pol_clock, cfg, sizeof(struct clk), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct clk *p = (struct clk *)*out;
	p->q = PLIST_INIT;
	p->insert_ref = 1;
	rc = pb_params_each(cfg->params, clk_param, p, err, errlen);
	if (rc) {
		pb_pol_free(*out);
		return rc;
	}
	return 0;
}

static enum pb_pol_result clk_access(struct pb_policy *pp, const struct pb_ref *r,
				     uint64_t *victim)
{
	struct clk *p = (struct clk *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = kmap_find(&p->b.map, r->key);
	p->b.now++;
	if (i != PN_NIL) {
		n[i].ref = 1;
		return PB_POL_HIT;
	}
	if (p->b.res == p->b.frames) {
		for (;;) {
			i = p->q.tail;
			if (!n[i].ref)
				break;
			n[i].ref = 0;
			pl_unlink(n, &p->q, i);
			pl_push_head(n, &p->q, i);
		}
		*victim = n[i].key;
		pl_unlink(n, &p->q, i);
		pb_pol_node_rekey(&p->b, i, r->key);
		n[i].ref = p->insert_ref;
		pl_push_head(n, &p->q, i);
		return PB_POL_MISS_EVICT;
	}
	i = pb_pol_node_must(&p->b, r->key);
	n = p->b.pool.n;
	n[i].ref = p->insert_ref;
	pl_push_head(n, &p->q, i);
	p->b.res++;
	return PB_POL_MISS;
}

static int clk_remove(struct pb_policy *pp, uint64_t key)
{
	struct clk *p = (struct clk *)pp;
	uint32_t i = kmap_find(&p->b.map, key);
	if (i == PN_NIL)
		return -ENOENT;
	pl_unlink(p->b.pool.n, &p->q, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

const struct pb_policy_desc pb_pol_clock = {
	.name = "clock",
	.title = "CLOCK (second chance)",
	.paper = "Corbato, MIT Project MAC MAC-M-384, 1968",
	.flags = PB_POL_HW,
	.params_help = "insert_ref=1: reference bit of a newly loaded page (0 or 1)",
	.create = clk_create,
	.destroy = pb_pol_free,
	.access = clk_access,
	.remove = clk_remove,
	.resident = pb_pol_resident,
};
