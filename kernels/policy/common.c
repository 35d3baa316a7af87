/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/common.c - node pool, key map, heap and object set-up that
 * every strategy shares (see polint.h for the design).
 *
 * All of it lives in pb_map'ed memory that grows by doubling: a strategy's
 * footprint is proportional to the nodes it keeps (frames plus its own
 * history), never a fixed table over the key space.
 */
#include <math.h>
#include <unistd.h>

#include "polint.h"

/* ---- pool ---- */
int pb_pol_pool_init(struct ppool *p, uint64_t cap)
{
	if (cap < 16)
		cap = 16;
	if (cap >= PN_NIL)
		return -EINVAL;
	p->n = pb_map(cap * sizeof(struct pnode), 0);
	if (!p->n)
		return -ENOMEM;
	p->cap = (uint32_t)cap;
	p->top = 0;
	p->free = PN_NIL;
	p->live = 0;
	return 0;
}

void pb_pol_pool_fini(struct ppool *p)
{
	pb_unmap(p->n, (size_t)p->cap * sizeof(struct pnode));
	p->n = NULL;
}

static size_t fc_bytes(uint64_t frames)
{
	return frames * (2 * sizeof(uint32_t) + 1);
}

int pb_pol_fc_init(struct fcircle *c, uint64_t frames)
{
	memset(c, 0, sizeof(*c));
	c->slot = pb_map(fc_bytes(frames), 0);
	if (!c->slot)
		return -ENOMEM;
	c->holes = c->slot + frames;
	c->b = (uint8_t *)(c->holes + frames);
	c->frames = frames;
	return 0;
}

void pb_pol_fc_fini(struct fcircle *c)
{
	if (c->slot)
		pb_unmap(c->slot, fc_bytes(c->frames));
	c->slot = NULL;
}

int pb_pol_pool_grow(struct ppool *p)
{
	uint64_t ncap = (uint64_t)p->cap * 2;
	if (ncap >= PN_NIL)
		ncap = PN_NIL - 1;
	if (ncap <= p->cap)
		return -ENOMEM;
	/* moved, not copied (pb_remap): a copy faulted every page in again */
	struct pnode *nn =
	    pb_remap(p->n, (size_t)p->cap * sizeof(struct pnode), ncap * sizeof(struct pnode));
	if (!nn)
		return -ENOMEM;
	p->n = nn;
	p->cap = (uint32_t)ncap;
	return 0;
}

/* ---- kmap ---- */
static int kmap_alloc(struct kmap *m, uint64_t slots)
{
	unsigned lg = 4;
	while ((1ULL << lg) < slots)
		lg++;
	if (lg > 31) /* a tag's low bit is not a home bit (kmap_tag) */
		return -ENOMEM;
	/* zero pages: every slot empty (tag 0); populated here, as the fill
	 * loop that marked them empty did, so their faults stay out of the
	 * accesses */
	m->s = pb_map((1ULL << lg) * sizeof(struct kslot), 1);
	if (!m->s)
		return -ENOMEM;
	m->mask = (1ULL << lg) - 1;
	m->lg = lg;
	m->sh = 64 - lg;
	m->tsh = 32 - lg;
	m->count = 0;
	return 0;
}

int pb_pol_kmap_init(struct kmap *m, uint64_t expect)
{
	return kmap_alloc(m, expect * 4 + 1);
}

void pb_pol_kmap_fini(struct kmap *m)
{
	pb_unmap(m->s, (m->mask + 1) * sizeof(struct kslot));
	m->s = NULL;
}

int pb_pol_kmap_grow(struct kmap *m)
{
	struct kmap old = *m;
	if (kmap_alloc(m, (old.mask + 1) * 2)) {
		*m = old;
		return -ENOMEM;
	}
	for (uint64_t i = 0; i <= old.mask; i++) {
		if (!old.s[i].tag)
			continue;
		uint64_t j = kmap_slot0(m, old.s[i].tag);
		while (m->s[j].tag)
			j = (j + 1) & m->mask;
		m->s[j] = old.s[i];
		m->count++;
	}
	pb_pol_kmap_fini(&old);
	return 0;
}

/* ---- heap ---- */
int pb_pol_pheap_init(struct pheap *h, uint64_t cap)
{
	h->e = pb_map((cap + 1) * sizeof(*h->e), 0);
	if (!h->e)
		return -ENOMEM;
	h->size = 0;
	h->cap = cap + 1;
	return 0;
}

void pb_pol_pheap_fini(struct pheap *h)
{
	pb_unmap(h->e, h->cap * sizeof(*h->e));
	h->e = NULL;
}

void pb_pol_heaped_destroy(struct pb_policy *pp)
{
	struct pb_pol_heaped *p = (struct pb_pol_heaped *)pp;
	if (p->h.e)
		pb_pol_pheap_fini(&p->h);
	pb_pol_free(pp);
}

int pb_pol_heaped_create(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg,
			 struct pb_policy **out, char *err, size_t errlen)
{
	int rc = pb_pol_params_apply(d, cfg, NULL, err, errlen);
	if (rc)
		return rc;
	rc = pb_pol_alloc(d, cfg, sizeof(struct pb_pol_heaped), cfg->frames, out, err, errlen);
	if (rc)
		return rc;
	struct pb_pol_heaped *p = (struct pb_pol_heaped *)*out;
	if (pb_pol_pheap_init(&p->h, cfg->frames)) {
		pb_pol_heaped_destroy(*out);
		snprintf(err, errlen, "%s: out of memory", d->name);
		return -ENOMEM;
	}
	return 0;
}

int pb_pol_heaped_remove(struct pb_policy *pp, uint64_t key)
{
	struct pb_pol_heaped *p = (struct pb_pol_heaped *)pp;
	uint32_t i = pb_pol_find(&p->b, key);
	if (i == PN_NIL)
		return -ENOENT;
	pb_pol_pheap_remove(&p->h, p->b.pool.n, i);
	pb_pol_node_drop(&p->b, i);
	p->b.res--;
	return 0;
}

static void pheap_set(struct pheap *h, struct pnode *n, uint64_t pos, struct pheap_ent v)
{
	h->e[pos] = v;
	n[v.node].c = (uint32_t)pos;
}

static void pheap_up(struct pheap *h, struct pnode *n, uint64_t pos)
{
	struct pheap_ent v = h->e[pos];
	while (pos > 0) {
		uint64_t up = (pos - 1) / 2;
		if (h->e[up].pri <= v.pri)
			break;
		pheap_set(h, n, pos, h->e[up]);
		pos = up;
	}
	pheap_set(h, n, pos, v);
}

static void pheap_down(struct pheap *h, struct pnode *n, uint64_t pos)
{
	struct pheap_ent v = h->e[pos];
	for (;;) {
		uint64_t l = 2 * pos + 1, best;
		if (l >= h->size)
			break;
		best = l;
		if (l + 1 < h->size && h->e[l + 1].pri < h->e[l].pri)
			best = l + 1;
		if (h->e[best].pri >= v.pri)
			break;
		pheap_set(h, n, pos, h->e[best]);
		pos = best;
	}
	pheap_set(h, n, pos, v);
}

void pb_pol_pheap_push(struct pheap *h, struct pnode *n, uint32_t node, unsigned __int128 pri)
{
	uint64_t pos = h->size++;
	h->e[pos] = (struct pheap_ent){.pri = pri, .node = node};
	pheap_up(h, n, pos);
}

void pb_pol_pheap_update(struct pheap *h, struct pnode *n, uint32_t node, unsigned __int128 pri)
{
	uint64_t pos = n[node].c;
	unsigned __int128 old = h->e[pos].pri;
	h->e[pos].pri = pri;
	if (pri < old)
		pheap_up(h, n, pos);
	else
		pheap_down(h, n, pos);
}

void pb_pol_pheap_remove(struct pheap *h, struct pnode *n, uint32_t node)
{
	uint64_t pos = n[node].c;
	uint64_t last = --h->size;
	if (pos == last)
		return;
	unsigned __int128 old = h->e[pos].pri;
	pheap_set(h, n, pos, h->e[last]);
	if (h->e[pos].pri < old)
		pheap_up(h, n, pos);
	else
		pheap_down(h, n, pos);
}

/* ---- policy objects ---- */
int pb_pol_alloc(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg, size_t size,
		 uint64_t nodes, struct pb_policy **out, char *err, size_t errlen)
{
	if (!cfg || cfg->frames < 1 || cfg->frames >= PB_POL_FRAMES_MAX) {
		snprintf(err, errlen, "%s: frames must be in [1, 2^30)", d->name);
		return -EINVAL;
	}
	/* Start at the hint (bounded by the distinct keys when known) and grow.
	 * Unknown (a streamed sweep), at most 2^16: the key map is populated
	 * at creation (4 slots a node), and a sweep holds every job's policy
	 * at once, so 2^20 nodes a job made 100 sizes up to 10^8 frames of a
	 * 2000-page workload take 6.4 GB. */
	if (cfg->expected_keys && nodes > cfg->expected_keys)
		nodes = cfg->expected_keys;
	uint64_t most = cfg->expected_keys ? 1ULL << 20 : 1ULL << 16;
	if (nodes > most)
		nodes = most;
	struct pb_policy *p = calloc(1, size);
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", d->name);
		return -ENOMEM;
	}
	p->desc = d;
	p->frames = cfg->frames;
	if (pb_pol_pool_init(&p->pool, nodes + 1) || pb_pol_kmap_init(&p->map, nodes + 1)) {
		pb_pol_free(p);
		snprintf(err, errlen, "%s: out of memory", d->name);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void pb_pol_free(struct pb_policy *p)
{
	if (!p)
		return;
	if (p->pool.n)
		pb_pol_pool_fini(&p->pool);
	if (p->map.s)
		pb_pol_kmap_fini(&p->map);
	free(p);
}

uint64_t pb_policy_prefetch_map(struct pb_policy *p, uint64_t key)
{
	const struct kmap *m = &p->map;
	if (!m->s)
		return 0;
	uint32_t tag = kmap_tag(key);
	uint64_t i = kmap_slot0(m, tag);
	__builtin_prefetch(&m->s[i]);
	return i << 32 | tag;
}

void pb_policy_prefetch_node(struct pb_policy *p, uint64_t pf)
{
	const struct kmap *m = &p->map;
	if (!m->s)
		return;
	/* masked: the map may have grown since (a grown map's home slots are
	 * elsewhere, so this loads a wrong line at worst, never out of it) */
	const struct kslot *s = &m->s[(pf >> 32) & m->mask];
	if (s->tag == (uint32_t)pf) /* a tag is odd: never an empty slot's 0 */
		__builtin_prefetch(&p->pool.n[s->idx]);
}

/* The two steps above by key: the slot (stage 0), then, the slot cached,
 * the node it names (stage 1). */
void pb_policy_prefetch(struct pb_policy *p, uint64_t key, int stage)
{
	if (!stage) {
		(void)pb_policy_prefetch_map(p, key);
		return;
	}
	const struct kmap *m = &p->map;
	if (!m->s)
		return;
	uint32_t tag = kmap_tag(key);
	pb_policy_prefetch_node(p, kmap_slot0(m, tag) << 32 | tag);
}

/*
 * pb_policy_run's pipeline: a key's map slot starts loading RUN_PF_MAP
 * references before its access, the node the slot names RUN_PF_NODE
 * references before (by then the slot is cached); the ring carries the
 * slot and tag from one stage to the other, so a key is hashed once.
 * It pays only where the strategy's map and nodes outgrow the L2 cache:
 * bench_policy (7 interleaved rounds each, docs/performance.md) gave ARC,
 * LIRS and S3-FIFO at 20000 frames (3-4 MiB, L2 2 MiB) 1.07-1.42x, LRU,
 * CLOCK and SIEVE there (1.3-1.6 MiB) 0.98-1.07x, every strategy at 1000
 * frames (all in L2) 0.85-0.91x (the hash and prefetches are pure cost
 * when the loads hit), and 1.18-1.68x with 2M pages at 200k frames.  So
 * each RUN_CHUNK references ask again which loop fits (the map and pool
 * may have grown).  8/4 beat 16/8: a policy access is short, and farther
 * ahead ran past what stays cached.
 */
#define RUN_PF_MAP  8
#define RUN_PF_NODE 4
#define RUN_RING    (RUN_PF_MAP - RUN_PF_NODE)
#define RUN_CHUNK   65536

static inline __attribute__((always_inline)) uint64_t
run_loop(const struct pb_policy_desc *d, struct pb_policy *p, const uint64_t *keys,
	 const uint8_t *wr, const uint64_t *nu, size_t n, uint64_t pos, uint64_t *ev, int pf)
{
	/* in locals: the call could write anything the loop would read again */
	enum pb_pol_result (*access)(struct pb_policy *, const struct pb_ref *, uint64_t *) =
	    d->access;
	uint64_t m = 0, e = 0, victim, ring[RUN_RING];
	struct pb_ref r = {.next_use = PB_NEXT_NONE, .pos = pos};
	size_t k = 0;
	/* reference k, in both loops below */
#define RUN_ONE()                                                                                  \
	do {                                                                                       \
		r.key = keys[k];                                                                   \
		r.write = wr ? wr[k] : 0;                                                          \
		if (nu)                                                                            \
			r.next_use = nu[k];                                                        \
		enum pb_pol_result res = access(p, &r, &victim);                                   \
		m += res != PB_POL_HIT;                                                            \
		e += res == PB_POL_MISS_EVICT;                                                     \
	} while (0)
	if (pf) {
		for (size_t j = 0; j < n && j < RUN_PF_MAP; j++) {
			uint64_t t = pb_policy_prefetch_map(p, keys[j]);
			if (j >= RUN_PF_NODE)
				ring[j % RUN_RING] = t;
		}
		/* the steady state: both stages issued for the references ahead */
		for (; k + RUN_PF_MAP < n; k++, r.pos++) {
			pb_policy_prefetch_node(p, ring[k % RUN_RING]);
			ring[k % RUN_RING] = pb_policy_prefetch_map(p, keys[k + RUN_PF_MAP]);
			RUN_ONE();
		}
	}
	/* the last RUN_PF_MAP (their slots are loading already), or all */
	for (; k < n; k++, r.pos++) {
		if (pf && k + RUN_PF_NODE < n)
			pb_policy_prefetch_node(p, ring[k % RUN_RING]);
		RUN_ONE();
	}
	*ev += e;
	return m;
#undef RUN_ONE
}

/* This CPU's L2 size in bytes (1 MiB where the C library cannot tell). */
static uint64_t l2_bytes(void)
{
	static uint64_t cached; /* 0: not asked yet; any thread may ask, all get one answer */
	uint64_t b = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (!b) {
		long v = sysconf(_SC_LEVEL2_CACHE_SIZE);
		b = v > 0 ? (uint64_t)v : 1ULL << 20;
		__atomic_store_n(&cached, b, __ATOMIC_RELAXED);
	}
	return b;
}

uint64_t pb_policy_run(const struct pb_policy_desc *d, struct pb_policy *p, const uint64_t *keys,
		       const uint8_t *writes, const uint64_t *next_use, size_t n, uint64_t pos,
		       uint64_t *evictions)
{
	uint64_t m = 0, e = 0, l2 = l2_bytes();
	for (size_t at = 0; at < n; at += RUN_CHUNK) {
		size_t c = n - at < RUN_CHUNK ? n - at : RUN_CHUNK;
		const uint64_t *k = keys + at;
		const uint8_t *w = writes ? writes + at : NULL;
		const uint64_t *u = next_use ? next_use + at : NULL;
		int pf = p->map.s && pb_pol_bytes(p) > l2;
		/* compiled once per kind of stream, so that no reference
		 * tests what the stream holds */
		if (u)
			m += w ? run_loop(d, p, k, w, u, c, pos + at, &e, pf)
			       : run_loop(d, p, k, NULL, u, c, pos + at, &e, pf);
		else
			m += w ? run_loop(d, p, k, w, NULL, c, pos + at, &e, pf)
			       : run_loop(d, p, k, NULL, NULL, c, pos + at, &e, pf);
	}
	if (evictions)
		*evictions = e;
	return m;
}

/* The node at the end of the eviction order (the policy has victim_node),
 * full or not; PN_NIL: empty. */
static inline uint32_t victim_end(const struct pb_policy *p)
{
	return p->vlist ? p->vlist->tail : p->desc->victim_node(p, 0);
}

/* The node at depth d in eviction order, i at depth d - 1 (not PN_NIL): a
 * list's prev link, or victim_node's own walk. */
static inline uint32_t victim_after(const struct pb_policy *p, uint32_t i, unsigned d)
{
	return p->vlist ? p->pool.n[i].prev : p->desc->victim_node(p, d);
}

/* The nodes of the next n misses' victims in eviction order into v[],
 * while known; returns how many.  None when the policy is not full (a miss
 * then evicts nothing) or knows no order.  A list's prev links, or
 * victim_node at each depth, or victim_guess's one scan. */
static unsigned victim_nodes(const struct pb_policy *p, uint32_t *v, unsigned n)
{
	if (p->res < p->frames)
		return 0;
	if (!p->desc->victim_node)
		return p->desc->victim_guess ? p->desc->victim_guess(p, v, n) : 0;
	unsigned k = 0;
	for (uint32_t i = n ? victim_end(p) : PN_NIL; i != PN_NIL;) {
		v[k] = i;
		if (++k == n)
			break;
		i = victim_after(p, i, k);
	}
	return k;
}

/* The depth pb_policy_victim can name. */
#define VICTIM_DEPTH 8u

static uint32_t victim_node(const struct pb_policy *p, unsigned d)
{
	uint32_t v[VICTIM_DEPTH];
	return d < VICTIM_DEPTH && victim_nodes(p, v, d + 1) > d ? v[d] : PN_NIL;
}

uint64_t pb_policy_victim(const struct pb_policy *p, unsigned d)
{
	uint32_t i = victim_node(p, d);
	return i != PN_NIL ? p->pool.n[i].key : UINT64_MAX;
}

void pb_policy_victim_prefetch(const struct pb_policy *p, unsigned d)
{
	uint32_t i = victim_node(p, d);
	if (i != PN_NIL)
		__builtin_prefetch(&p->pool.n[i]);
}

int pb_policy_victims_step(struct pb_policy *p, uint64_t k[4])
{
	/* pb_policy_victim and victim_prefetch in one call and one walk of
	 * the order: depths 0..4 (a list policy: four prev links, where a
	 * lookup per depth walked 0+4+3 of them and made three indirect calls
	 * an eviction; CLOCK: one scan of its reference bits) */
	uint32_t v[5];
	unsigned n = victim_nodes(p, v, 5); /* a new order after most calls */
	uint64_t key = n ? p->pool.n[v[0]].key : UINT64_MAX;
	if (key == k[0])
		return 0;
	k[0] = key;
	if (key == UINT64_MAX)
		return 0;
	int moved = key == k[1];
	if (moved) {
		k[1] = k[2];
		k[2] = k[3];
	}
	/* a guess may know more after the miss (CLOCK's, where the run met
	 * its own new pages) */
	for (unsigned d = 1; d <= 3; d++)
		if (d == 3 || !moved || k[d] == UINT64_MAX)
			k[d] = d < n ? p->pool.n[v[d]].key : UINT64_MAX;
	if (n == 5)
		__builtin_prefetch(&p->pool.n[v[4]]);
	if (k[3] != UINT64_MAX)
		(void)pb_policy_prefetch_map(p, k[3]);
	return moved ? 1 : 2;
}

unsigned pb_policy_reclaim(struct pb_policy *p, uint64_t *victims, unsigned n,
			   void (*seen)(void *ctx, uint64_t key), void *ctx)
{
	if (!p->desc->victim_node || !p->desc->remove)
		return 0;
	/* the next n victims' keys first (the walk from the tail reads each
	 * node once from memory, one miss after the other), their key-map
	 * slots and the caller's prefetches issued as each is found, so they
	 * load while the walk waits for the next node; then the removals,
	 * which find everything cached */
	unsigned k = 0;
	for (uint32_t i = n ? victim_end(p) : PN_NIL; i != PN_NIL;) {
		victims[k] = p->pool.n[i].key;
		pb_policy_prefetch(p, victims[k], 0);
		if (seen)
			seen(ctx, victims[k]);
		if (++k == n)
			break;
		i = victim_after(p, i, k);
	}
	for (unsigned j = 0; j < k; j++)
		if (p->desc->remove(p, victims[j]))
			return j;
	return k;
}

uint32_t pb_pol_list_victim(const struct pb_policy *p, const struct plist *l, unsigned d)
{
	uint32_t i = l->tail;
	for (unsigned k = 0; k < d && i != PN_NIL; k++)
		i = p->pool.n[i].prev;
	return i;
}

uint64_t pb_pol_resident(const struct pb_policy *p)
{
	return p->res;
}

uint32_t pb_pol_node_new(struct pb_policy *p, uint64_t key)
{
	uint32_t i = pool_alloc(&p->pool);
	if (i == PN_NIL)
		return PN_NIL;
	if (kmap_put(&p->map, key, i)) {
		pool_free(&p->pool, i);
		return PN_NIL;
	}
	struct pnode *n = &p->pool.n[i];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->prev = n->next = n->a = n->b = PN_NIL;
	return i;
}

void pb_pol_node_drop(struct pb_policy *p, uint32_t i)
{
	kmap_del(&p->map, p->pool.n[i].key, i);
	pool_free(&p->pool, i);
}

uint64_t pb_pol_frac_of(uint64_t frames, double f)
{
	uint64_t v = (uint64_t)floor((double)frames * f);
	if (v < 1)
		v = 1;
	if (v > frames)
		v = frames;
	return v;
}

uint32_t pb_pol_node_must(struct pb_policy *p, uint64_t key)
{
	uint32_t i = pb_pol_node_new(p, key);
	if (pb_unlikely(i == PN_NIL)) {
		fprintf(stderr, "pagebench: policy %s: out of memory for %u nodes\n", p->desc->name,
			p->pool.cap);
		abort();
	}
	return i;
}
