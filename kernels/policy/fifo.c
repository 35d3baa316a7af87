/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/fifo.c - First In, First Out.
 *
 * How it works: pages are queued in load order; a fault on a full memory
 * evicts the page loaded longest ago, whatever its use.  Hits change
 * nothing, so FIFO needs only faults: a hardware-only (PB_POL_HW) policy.
 * FIFO is not a stack algorithm and shows Belady's anomaly (Belady, Nelson &
 * Shedler, "An anomaly in space-time characteristics of certain programs
 * running in a paging machine", CACM 1969): on 1,2,3,4,1,2,5,1,2,3,4,5 it
 * faults 9 times with 3 frames and 10 times with 4.
 *
 * Variant details: queue head = newest, tail = oldest (the victim).
 */
#include "polint.h"

struct fifo {
	struct pb_policy b;
	struct plist q;
};

static int fifo_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		       size_t errlen)
{
	int rc = pb_pol_params_apply(&pb_pol_fifo, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(&pb_pol_fifo, cfg, sizeof(struct fifo), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct fifo *p = (struct fifo *)*out;
	p->q = PLIST_INIT;
	p->b.vlist = &p->q;
	return 0;
}

static enum pb_pol_result fifo_access(struct pb_policy *pp, const struct pb_ref *r,
				      uint64_t *victim)
{
	struct fifo *p = (struct fifo *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	if (i != PN_NIL)
		return PB_POL_HIT;
	if (p->b.res == p->b.frames) {
		i = p->q.tail;
		*victim = n[i].key;
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		pl_to_head(n, &p->q, i);
		return PB_POL_MISS_EVICT;
	}
	i = pb_pol_node_must(&p->b, r->key);
	pl_push_head(p->b.pool.n, &p->q, i);
	p->b.res++;
	return PB_POL_MISS;
}

static int fifo_remove(struct pb_policy *pp, uint64_t key)
{
	struct fifo *p = (struct fifo *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	pl_unlink(p->b.pool.n, &p->q, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static uint32_t fifo_victim_node(const struct pb_policy *pp, unsigned d)
{
	return pb_pol_list_victim(pp, &((const struct fifo *)pp)->q, d);
}

const struct pb_policy_desc pb_pol_fifo = {
    .name = "fifo",
    .title = "First In, First Out",
    .paper = "Belady, IBM Systems Journal 1966; anomaly: Belady, Nelson & Shedler, CACM 1969",
    .flags = PB_POL_HW,
    .create = fifo_create,
    .destroy = pb_pol_free,
    .access = fifo_access,
    .remove = fifo_remove,
    .resident = pb_pol_resident,
    .victim_node = fifo_victim_node,
};
