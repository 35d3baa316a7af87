/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/opt.c - OPT / MIN (Belady's optimal replacement).
 *
 * How it works: on a fault with memory full, evict the resident page whose
 * next reference lies farthest in the future (never referenced again counts
 * as infinitely far).  Belady, "A study of replacement algorithms for a
 * virtual-storage computer", IBM Systems Journal 1966; optimality proved by
 * Mattson et al. 1970.  Needs the future: PB_POL_OFFLINE, the caller passes
 * each reference's next-use index (pb_next_use() computes them; the replay
 * helper does it when given none).
 *
 * Variant details: resident pages sit in a binary heap keyed by next use
 * (largest first), updated on every hit: O(log frames) per access.  Ties
 * (only among pages never used again) go to the page loaded or last used
 * earliest; the fault count does not depend on that choice.
 */
#include "polint.h"

/* Min-heap priority: far next use first, then older. */
static inline unsigned __int128 opt_pri(uint64_t next_use, uint64_t now)
{
	return ((unsigned __int128)(~next_use) << 64) | now;
}

static int opt_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	return pb_pol_heaped_create(&pb_pol_opt, cfg, out, err, errlen);
}

static enum pb_pol_result opt_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct pb_pol_heaped *p = (struct pb_pol_heaped *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	uint64_t now = p->b.now++;
	if (i != PN_NIL) {
		pb_pol_pheap_update(&p->h, n, i, opt_pri(r->next_use, now));
		return PB_POL_HIT;
	}
	if (p->b.res == p->b.frames) {
		i = p->h.e[0].node;
		*victim = n[i].key;
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		pb_pol_pheap_update(&p->h, n, i, opt_pri(r->next_use, now));
		return PB_POL_MISS_EVICT;
	}
	i = pb_pol_node_must(&p->b, r->key);
	pb_pol_pheap_push(&p->h, p->b.pool.n, i, opt_pri(r->next_use, now));
	p->b.res++;
	return PB_POL_MISS;
}

const struct pb_policy_desc pb_pol_opt = {
    .name = "opt",
    .title = "OPT / MIN (Belady's optimal)",
    .paper = "Belady, IBM Systems Journal 1966",
    .flags = PB_POL_OFFLINE,
    .create = opt_create,
    .destroy = pb_pol_heaped_destroy,
    .access = opt_access,
    .remove = pb_pol_heaped_remove,
    .resident = pb_pol_resident,
};
