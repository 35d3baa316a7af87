/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/wsclock.c - WSClock (working-set clock).
 *
 * How it works (Carr & Hennessy, "WSCLOCK - a simple and effective algorithm
 * for virtual memory management", SOSP 1981; as in Tanenbaum's "Modern
 * Operating Systems"): resident pages stand on a circle, each with a
 * referenced bit R, a modified bit M and its time of last use in the
 * process's virtual time (here: the count of accesses seen).  A hit only
 * sets R (and M on a write): PB_POL_HW.  On a fault with memory full the
 * hand inspects pages in turn:
 *   - R = 1: clear R, set time of last use = now (it is in the working set);
 *   - R = 0 and age = now - last use > tau (outside the working set):
 *       clean -> evict it, the new page takes its place;
 *       dirty -> schedule its write-back (M cleared: the write has finished
 *                by the time the hand comes round again) and move on;
 *   - otherwise move on.
 * If the hand goes once round: when writes were scheduled it keeps going
 * (a scheduled page will be clean and old on the next turn); when none were,
 * every page is in the working set and the first clean page seen is evicted,
 * or the page under the hand when there is no clean page.
 *
 * Variant details: tau = `tau` accesses (default frames / 4, at least 1).
 * When tau is so large that every resident page is in the working set, each
 * fault sends the hand once round the whole circle (every page was stamped
 * young by the previous sweep): O(frames) per fault, which is the
 * algorithm's own cost, not this code's (bench_policy's 2M-reference Zipf
 * trace, 20k frames: 69 M refs/s with tau = frames or frames/4, 0.1 M with
 * tau = 5 * frames, where the faults also degrade to FIFO's).
 * A new page has R = 0 (as in clock.c), last use = now (so it is in the
 * working set for tau accesses), M = 1 on a write.  The count of scheduled
 * write-backs is kept (p->writebacks) but is not part of the public vtable.
 */
#include "polint.h"

struct wsc {
	struct pb_policy b;
	uint32_t hand;
	uint64_t tau; /* < 2^31 */
	uint64_t writebacks;
};

static int wsc_create(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen)
{
	int rc =
	    pb_pol_alloc(&pb_pol_wsclock, cfg, sizeof(struct wsc), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct wsc *p = (struct wsc *)*out;
	p->hand = PN_NIL;
	rc = pb_pol_params_apply(&pb_pol_wsclock, cfg, p, err, errlen);
	if (rc)
		pb_pol_free(*out);
	return rc;
}

static uint32_t wsc_pick(struct wsc *p, struct pnode *n, uint32_t now)
{
	uint32_t clean = PN_NIL;
	uint64_t steps = 0, writes = 0;
	for (;;) {
		uint32_t x = p->hand;
		if (steps == p->b.res) {
			if (!writes)
				return clean != PN_NIL ? clean : x;
			steps = writes = 0;
		}
		if (n[x].ref) {
			n[x].ref = 0;
			n[x].a = now;
		} else if ((uint32_t)(now - n[x].a) > p->tau) {
			if (!n[x].dirty)
				return x;
			n[x].dirty = 0;
			writes++;
			p->writebacks++;
		}
		if (clean == PN_NIL && !n[x].dirty)
			clean = x;
		p->hand = n[x].next;
		steps++;
	}
}

static enum pb_pol_result wsc_access(struct pb_policy *pp, const struct pb_ref *r, uint64_t *victim)
{
	struct wsc *p = (struct wsc *)pp;
	struct pnode *n = p->b.pool.n;
	uint64_t at = 0; /* set by a miss; 0 quiets -Wmaybe-uninitialized at -O1 */
	uint32_t i = pb_pol_find_at(&p->b, r->key, &at);
	uint32_t now = (uint32_t)p->b.now++;
	if (i != PN_NIL) {
		n[i].ref = 1;
		if (r->write)
			n[i].dirty = 1;
		return PB_POL_HIT;
	}
	enum pb_pol_result rc = PB_POL_MISS;
	if (p->b.res == p->b.frames) {
		i = wsc_pick(p, n, now);
		*victim = n[i].key;
		p->hand = i;
		ring_unlink(n, &p->hand, i);
		pb_pol_node_rekey_at(&p->b, i, r->key, at);
		p->b.res--;
		rc = PB_POL_MISS_EVICT;
	} else {
		i = pb_pol_node_must(&p->b, r->key);
		n = p->b.pool.n;
	}
	n[i].ref = 0;
	n[i].a = now;
	n[i].dirty = r->write ? 1 : 0;
	ring_insert(n, &p->hand, p->hand, i);
	p->b.res++;
	return rc;
}

static int wsc_remove(struct pb_policy *pp, uint64_t key)
{
	struct wsc *p = (struct wsc *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	ring_unlink(p->b.pool.n, &p->hand, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static const struct pb_param wsclock_params[] = {
    {"tau", PB_PT_U64, offsetof(struct wsc, tau), "frames/4",
     "working-set window in accesses (virtual time)", NULL, 1, 2147483647, 0, PB_PF_FRAMES, NULL},
    {0},
};

const struct pb_policy_desc pb_pol_wsclock = {
    .name = "wsclock",
    .title = "WSClock (working-set clock)",
    .paper = "Carr & Hennessy, SOSP 1981",
    .flags = PB_POL_HW,
    .params = wsclock_params,
    .create = wsc_create,
    .destroy = pb_pol_free,
    .access = wsc_access,
    .remove = wsc_remove,
    .resident = pb_pol_resident,
};
