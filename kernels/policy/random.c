/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/random.c - Random replacement.
 *
 * How it works: a fault on a full memory evicts a resident page chosen
 * uniformly at random; hits change nothing (PB_POL_HW).  Belady's 1966
 * study ("A study of replacement algorithms for a virtual-storage
 * computer", IBM Systems Journal) uses it as the no-information baseline.
 *
 * Variant details: resident pages sit in a dense array (node.c = slot);
 * the victim is slot pb_rng_below(resident) drawn from cfg->seed
 * (xoshiro256**), and the last slot moves into the hole, so a replay is
 * deterministic for a given seed.
 */
#include "polint.h"

struct rnd {
	struct pb_policy b;
	uint32_t *slot;
	struct pb_rng rng;
};

static void rnd_destroy(struct pb_policy *pp)
{
	struct rnd *p = (struct rnd *)pp;
	if (p->slot)
		pb_unmap(p->slot, p->b.frames * sizeof(uint32_t));
	pb_pol_free(pp);
}

static int rnd_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc = pb_pol_params_apply(&pb_pol_random, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(&pb_pol_random, cfg, sizeof(struct rnd), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct rnd *p = (struct rnd *)*out;
	pb_rng_seed(&p->rng, cfg->seed);
	p->slot = pb_map(cfg->frames * sizeof(uint32_t), 0);
	if (!p->slot) {
		rnd_destroy(*out);
		snprintf(err, errlen, "random: out of memory");
		return -ENOMEM;
	}
	return 0;
}

static enum pb_pol_result rnd_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct rnd *p = (struct rnd *)pp;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	if (i != PN_NIL)
		return PB_POL_HIT;
	if (p->b.res == p->b.frames) {
		uint64_t s = pb_rng_below(&p->rng, p->b.res);
		i = p->slot[s];
		*victim = p->b.pool.n[i].key;
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		return PB_POL_MISS_EVICT;
	}
	i = pb_pol_node_must(&p->b, r->key);
	p->b.pool.n[i].c = (uint32_t)p->b.res;
	p->slot[p->b.res++] = i;
	return PB_POL_MISS;
}

static int rnd_remove(struct pb_policy *pp, uint64_t key)
{
	struct rnd *p = (struct rnd *)pp;
	struct pnode *n = p->b.pool.n;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	uint32_t s = n[i].c, last = p->slot[--p->b.res];
	p->slot[s] = last;
	n[last].c = s;
	pb_pol_node_drop(&p->b, i);
	return 0;
}

const struct pb_policy_desc pb_pol_random = {
    .name = "random",
    .title = "Random replacement",
    .paper = "Belady, IBM Systems Journal 1966",
    .flags = PB_POL_HW | PB_POL_RANDOMISED,
    .create = rnd_create,
    .destroy = rnd_destroy,
    .access = rnd_access,
    .remove = rnd_remove,
    .resident = pb_pol_resident,
};
