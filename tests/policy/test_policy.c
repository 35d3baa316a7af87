/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/test_policy.c - the eviction strategies: textbook reference
 * strings exactly, OPT optimality and LRU's stack property on seeded random
 * traces, a shadow-set check of every strategy's residency and victims,
 * remove(), parameter errors, pb_next_use, the eviction order that
 * pb_policy_victim predicts, golden fault counts, and the strategies' key
 * map under renames whose keys share a home slot or a whole tag.
 * Parameter tables and specs: test_params.c.
 */
#include <errno.h>
#include <string.h>

#include "../../kernels/policy/polint.h"
#include "pagebench/policy.h"
#include "pbtest.h"
#include "polgen.h"

static uint64_t replay(const char *name, uint64_t frames, const uint64_t *keys, const uint8_t *wr,
		       size_t n, const char *params)
{
	const struct pb_policy_desc *d = pb_policy_find(name);
	struct pb_policy_cfg cfg = {.frames = frames, .seed = 42, .params = params};
	uint64_t m = UINT64_MAX;
	char err[256] = "";
	if (!d) {
		fprintf(stderr, "no policy %s\n", name);
		return m;
	}
	int rc = pb_policy_replay(d, &cfg, keys, wr, NULL, n, &m, err, sizeof(err));
	if (rc)
		fprintf(stderr, "replay %s: %d %s\n", name, rc, err);
	return m;
}

static const uint64_t belady[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
static const uint64_t silb[] = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};

static void test_textbook(void)
{
	/* Published (Belady et al. 1969; Silberschatz OSC) and, for the other
	 * sizes, the shared traces' EXPECTED.md computed values. */
	static const struct {
		const uint64_t *s;
		size_t n;
		uint64_t frames, fifo, lru, opt;
	} t[] = {
	    {belady, 12, 1, 12, 12, 12}, {belady, 12, 2, 12, 12, 9}, {belady, 12, 3, 9, 10, 7},
	    {belady, 12, 4, 10, 8, 6},	 {belady, 12, 5, 5, 5, 5},   {belady, 12, 6, 5, 5, 5},
	    {silb, 20, 2, 15, 17, 13},	 {silb, 20, 3, 15, 12, 9},   {silb, 20, 4, 10, 8, 8},
	    {silb, 20, 5, 9, 7, 7},	 {silb, 20, 6, 6, 6, 6},     {silb, 20, 7, 6, 6, 6},
	};
	for (size_t i = 0; i < PB_ARRAY_SIZE(t); i++) {
		PB_CHECK_EQ_U64(replay("fifo", t[i].frames, t[i].s, NULL, t[i].n, NULL), t[i].fifo);
		PB_CHECK_EQ_U64(replay("lru", t[i].frames, t[i].s, NULL, t[i].n, NULL), t[i].lru);
		PB_CHECK_EQ_U64(replay("opt", t[i].frames, t[i].s, NULL, t[i].n, NULL), t[i].opt);
	}
	/* Every strategy: enough frames -> only cold misses; one frame -> a
	 * miss whenever the key changes. */
	for (size_t p = 0; pb_policies[p]; p++) {
		const char *nm = pb_policies[p]->name;
		PB_CHECK_EQ_U64(replay(nm, 5, belady, NULL, 12, NULL), 5);
		PB_CHECK_EQ_U64(replay(nm, 6, silb, NULL, 20, NULL), 6);
		PB_CHECK_EQ_U64(replay(nm, 1, belady, NULL, 12, NULL), 12);
		PB_CHECK_EQ_U64(replay(nm, 1, silb, NULL, 20, NULL), 20);
	}
}

static void test_next_use(void)
{
	uint64_t nu[12];
	PB_CHECK(pb_next_use(belady, 12, nu) == 0);
	PB_CHECK_EQ_U64(nu[0], 4); /* 1 -> index 4 */
	PB_CHECK_EQ_U64(nu[4], 7); /* 1 -> index 7 */
	PB_CHECK_EQ_U64(nu[7], PB_NEXT_NONE);
	PB_CHECK_EQ_U64(nu[6], 11); /* 5 -> index 11 */
	PB_CHECK_EQ_U64(nu[11], PB_NEXT_NONE);
}

#define NTR 20000

static void test_opt_and_stack(void)
{
	static uint64_t k[NTR];
	static uint8_t w[NTR];
	static const uint64_t sizes[] = {4, 16, 50, 120, 400};
	for (int trace = 0; trace < 3; trace++) {
		if (trace == 0)
			polgen_zipf(k, NTR, 2000, 0.9, 7);
		else if (trace == 1)
			polgen_loop(k, NTR, 150, 500, 0.1, 8);
		else
			polgen_mixed(k, w, NTR, 9);
		for (size_t s = 0; s < PB_ARRAY_SIZE(sizes); s++) {
			uint64_t opt = replay("opt", sizes[s], k, w, NTR, NULL);
			for (size_t p = 0; pb_policies[p]; p++) {
				uint64_t m =
				    replay(pb_policies[p]->name, sizes[s], k, w, NTR, NULL);
				PB_CHECK_MSG(opt <= m, "trace %d frames %llu: opt %llu > %s %llu",
					     trace, (unsigned long long)sizes[s],
					     (unsigned long long)opt, pb_policies[p]->name,
					     (unsigned long long)m);
			}
		}
		uint64_t prev = UINT64_MAX;
		for (uint64_t f = 1; f <= 300; f += (f < 20 ? 1 : 7)) {
			uint64_t m = replay("lru", f, k, NULL, NTR, NULL);
			PB_CHECK_MSG(m <= prev, "lru not a stack algorithm at %llu frames",
				     (unsigned long long)f);
			prev = m;
			uint64_t o = replay("opt", f, k, NULL, NTR, NULL);
			PB_CHECK(o <= m);
		}
	}
}

/* The key whose pb_hash64_hi is h: the mixer is a bijection (an odd
 * multiplier, then the inverse of k ^= k >> 29). */
static uint64_t key_of_hash(uint64_t h)
{
	uint64_t c = 0x9e3779b97f4a7c15ULL, inv = c;
	for (int k = 0; k < 6; k++)
		inv *= 2 - c * inv; /* Newton: doubles the correct low bits */
	uint64_t y = h * inv;
	return y ^ (y >> 29) ^ (y >> 58);
}

/*
 * kmap renames as the strategies do them on a miss (pb_pol_find_at, then
 * pb_pol_node_rekey_at: the new entry first, the old one out by backward
 * shift) on keys crowded into one run that wraps the table's end: half of
 * them with one tag (the same home and the same slot word once the index is
 * the renamed node's), the rest with homes around it.  After every rename
 * each live key finds its node and each renamed-away key finds nothing.
 */
#define KM_NODES 24
#define KM_KEYS	 96
static void test_kmap_rename(void)
{
	struct pb_policy b = {0};
	uint64_t key[KM_KEYS];
	int live[KM_KEYS] = {0};
	uint32_t node_of[KM_KEYS];
	PB_CHECK(pb_pol_pool_init(&b.pool, KM_NODES) == 0);
	PB_CHECK(pb_pol_kmap_init(&b.map, KM_NODES) == 0);
	PB_CHECK(b.map.lg >= 4 && KM_NODES * 4 <= b.map.mask + 1);
	uint64_t last = (uint64_t)b.map.mask << (64 - b.map.lg); /* the end slot */
	for (int k = 0; k < KM_KEYS; k++) {
		uint64_t home = k % 2 ? last : last - ((uint64_t)(k % 6) << (64 - b.map.lg));
		key[k] = key_of_hash(home | (k % 2 ? 0 : 1ULL << 33) | (uint64_t)k);
		PB_CHECK(kmap_tag(key[k]) >> (32 - b.map.lg) == (home >> (64 - b.map.lg)));
	}
	PB_CHECK(kmap_tag(key[1]) == kmap_tag(key[3]) && key[1] != key[3]);
	for (int k = 0; k < KM_NODES; k++) {
		uint32_t i = pb_pol_node_new(&b, key[k]);
		PB_CHECK(i != PN_NIL);
		node_of[k] = i;
		live[k] = 1;
	}
	struct pb_rng rng;
	pb_rng_seed(&rng, 7);
	for (int step = 0; step < 2000; step++) {
		int from, to;
		do
			from = (int)pb_rng_below(&rng, KM_KEYS);
		while (!live[from]);
		do
			to = (int)pb_rng_below(&rng, KM_KEYS);
		while (live[to]);
		uint64_t at = UINT64_MAX;
		PB_CHECK(pb_pol_find_at(&b, key[to], &at) == PN_NIL);
		PB_CHECK((at >> 32) <= b.map.mask && b.map.s[at >> 32].tag == 0);
		PB_CHECK_EQ_U64((uint32_t)at, kmap_tag(key[to]));
		pb_pol_node_rekey_at(&b, node_of[from], key[to], at);
		node_of[to] = node_of[from];
		live[from] = 0;
		live[to] = 1;
		PB_CHECK_EQ_U64(b.map.count, KM_NODES);
		for (int k = 0; k < KM_KEYS; k++)
			PB_CHECK_EQ_U64(pb_pol_find(&b, key[k]), live[k] ? node_of[k] : PN_NIL);
	}
	pb_pol_pool_fini(&b.pool);
	pb_pol_kmap_fini(&b.map);
}

/* Shadow set over keys < KEYS: every answer checked against it. */
#define KEYS 700
static void shadow_one(const struct pb_policy_desc *d, const char *params)
{
	static uint8_t in[KEYS];
	static const uint64_t sizes[] = {1, 2, 3, 7, 32, 100, 300};
	{
		for (size_t s = 0; s < PB_ARRAY_SIZE(sizes); s++) {
			struct pb_policy_cfg cfg = {
			    .frames = sizes[s], .seed = 3, .params = params};
			struct pb_policy *pol;
			char err[256];
			int rc = d->create(&cfg, &pol, err, sizeof(err));
			PB_CHECK_MSG(rc == 0, "%s create: %s", d->name, err);
			if (rc)
				continue;
			memset(in, 0, sizeof(in));
			uint64_t res = 0, bad = 0;
			struct pb_rng r;
			pb_rng_seed(&r, 100 + s);
			for (uint64_t i = 0; i < 30000 && !bad; i++) {
				uint64_t key;
				double u = pb_rng_double(&r);
				if (u < 0.5)
					key = pb_rng_below(&r, sizes[s] + 3);
				else if (u < 0.8)
					key = pb_rng_below(&r, KEYS);
				else
					key = (i / 3) % (2 * sizes[s] + 5);
				if (pb_rng_below(&r, 50) == 0) {
					rc = d->remove(pol, key);
					if (in[key]) {
						bad += rc != 0;
						in[key] = 0;
						res--;
					} else {
						bad += rc != -ENOENT;
					}
					continue;
				}
				struct pb_ref ref = {.key = key, .pos = i, .write = u < 0.2};
				/* OPT's next-use is unknown here: treat all as never. */
				ref.next_use = PB_NEXT_NONE;
				uint64_t victim = UINT64_MAX;
				uint64_t guess = pb_policy_victim(pol, 0);
				enum pb_pol_result a = d->access(pol, &ref, &victim);
				/* a policy that names its next victim names it
				 * right, and always once full */
				if (d->victim_node || d->victim_guess)
					bad += a == PB_POL_MISS_EVICT
						   ? guess != victim
						   : guess == UINT64_MAX && res == sizes[s];
				if (a == PB_POL_HIT) {
					bad += !in[key];
				} else if (a == PB_POL_MISS) {
					bad += in[key] || res >= sizes[s];
					in[key] = 1;
					res++;
				} else {
					bad += in[key] || victim >= KEYS || !in[victim] ||
					       res != sizes[s];
					if (victim < KEYS)
						in[victim] = 0;
					in[key] = 1;
				}
				bad += d->resident(pol) != res || res > sizes[s];
			}
			PB_CHECK_MSG(bad == 0, "%s:%s with %llu frames: residency/victim mismatch",
				     d->name, params ? params : "", (unsigned long long)sizes[s]);
			d->destroy(pol);
		}
	}
}

static void test_shadow(void)
{
	for (size_t p = 0; pb_policies[p]; p++)
		shadow_one(pb_policies[p], NULL);
	/* The libCacheSim variants (docs/policies.md) keep the contract too. */
	shadow_one(pb_policy_find("s3fifo"), "move_threshold=2");
	shadow_one(pb_policy_find("lirs"), "stack_bound=2");
	shadow_one(pb_policy_find("lirs"), "stack_bound=1,hirs=0.2");
}

/* pb_policy_victim(p, d) of the policies that know their eviction order:
 * the d-th of a run of misses evicts it (every miss a new key, no hit
 * between), checked from random states of a seeded trace.  And
 * pb_policy_victims_step (the engine's victim prefetch) names the same
 * four: a full lookup from a random state, a move by one after each miss
 * of the run.  A guessing policy (victim_guess: CLOCK) may answer "not
 * known" (UINT64_MAX) past depth 0 only where the run would evict a page
 * it loaded itself; as many keys as frames keep most of CLOCK's reference
 * bits set, so a run of misses turns its hand round. */
static uint64_t step_bad(struct pb_policy *pol, uint64_t k[4], int want_rc)
{
	int rc = pb_policy_victims_step(pol, k);
	uint64_t bad = want_rc >= 0 && rc != want_rc;
	for (unsigned j = 0; j < 4; j++)
		bad += (rc || !j) && k[j] != pb_policy_victim(pol, j);
	return bad;
}

static void victim_order_one(const struct pb_policy_desc *d, const char *params, uint64_t keys,
			     unsigned scan)
{
	enum { RUN = 8 }; /* the depth pb_policy_victim names */
	struct pb_policy_cfg cfg = {.frames = 50, .seed = 3, .params = params};
	struct pb_policy *pol;
	char err[256];
	PB_CHECK_MSG(d->create(&cfg, &pol, err, sizeof(err)) == 0, "%s: %s", d->name, err);
	struct pb_rng r;
	pb_rng_seed(&r, 7);
	uint64_t fresh = 1u << 20, bad = 0, runs = 0, sbad = 0, unknown = 0;
	uint64_t vk[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
	PB_CHECK(pb_policy_victim(pol, 0) == UINT64_MAX); /* empty: nothing to evict */
	PB_CHECK(pb_policy_victims_step(pol, vk) == 0 && vk[0] == UINT64_MAX);
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t victim;
		/* scan % of the references new keys: mostly misses */
		uint64_t key = pb_rng_below(&r, 100) < scan ? fresh++ : pb_rng_below(&r, keys);
		struct pb_ref ref = {.key = key, .pos = i};
		(void)d->access(pol, &ref, &victim);
		if (i < 100 || i % 97 || d->resident(pol) < cfg.frames) /* full: runs evict */
			continue;
		uint64_t want[RUN];
		for (unsigned j = 0; j < RUN; j++)
			want[j] = pb_policy_victim(pol, j);
		vk[0] = vk[1] = UINT64_MAX; /* forget the order: a full lookup */
		sbad += step_bad(pol, vk, 2);
		sbad += step_bad(pol, vk, 0); /* nothing moved since */
		for (unsigned j = 0; j < RUN; j++) {
			struct pb_ref f = {.key = fresh++, .pos = i};
			victim = UINT64_MAX;
			unknown += want[j] == UINT64_MAX;
			/* the first not known: a page of the run (after it,
			 * anything) */
			int first = want[j] == UINT64_MAX && (!j || want[j - 1] != UINT64_MAX);
			bad += d->access(pol, &f, &victim) != PB_POL_MISS_EVICT ||
			       (want[j] != UINT64_MAX ? victim != want[j]
				: first ? !d->victim_guess || !j || victim < fresh - 1 - j
					: 0);
			/* the order moved by one: the old second is known */
			int by_one = d->victim_node || (j + 1 < RUN && want[j + 1] != UINT64_MAX);
			sbad += step_bad(pol, vk, by_one ? 1 : -1);
		}
		runs++;
	}
	PB_CHECK_MSG(bad == 0 && runs > 100, "%s:%s: %llu of %llu predicted victims wrong", d->name,
		     params ? params : "", (unsigned long long)bad, (unsigned long long)runs * RUN);
	PB_CHECK_MSG(sbad == 0, "%s:%s: victims_step wrong %llu times", d->name,
		     params ? params : "", (unsigned long long)sbad);
	/* not known only from a page of the run on, and not always */
	PB_CHECK_MSG(unknown < runs * RUN, "%s:%s: %llu of %llu victims not known", d->name,
		     params ? params : "", (unsigned long long)unknown,
		     (unsigned long long)runs * RUN);
	d->destroy(pol);
}

/* CLOCK's guess where a run of misses turns the hand round, worked by
 * hand on 4 frames.  insert_ref=0: keys 1-4 load with their bits clear,
 * hits set those of 1, 2 and 4; the run evicts 3 (the one clear bit), then
 * 1 and 2 (cleared in passing), and the 4th miss finds the run's own
 * first page in frame 2 (not known ahead).  insert_ref=1: 1-4 load with
 * their bits set, 5 clears them all and takes 1's frame (hand at frame 1),
 * hits set 2's and 4's; the run evicts 3, then 2, passes its own first
 * page (its bit set) and evicts 4, then 5. */
static void test_clock_turn(void)
{
	static const uint64_t keys[2][7] = {{1, 2, 3, 4, 1, 2, 4}, {1, 2, 3, 4, 5, 2, 4}};
	static const uint64_t want[2][4] = {{3, 1, 2, UINT64_MAX}, {3, 2, 4, 5}};
	const struct pb_policy_desc *d = pb_policy_find("clock");
	for (unsigned ir = 0; ir < 2; ir++) {
		struct pb_policy_cfg cfg = {.frames = 4, .params = ir ? "insert_ref=1" : NULL};
		struct pb_policy *pol;
		char err[256];
		PB_CHECK_MSG(d->create(&cfg, &pol, err, sizeof(err)) == 0, "clock: %s", err);
		uint64_t victim = UINT64_MAX, bad = 0;
		for (size_t i = 0; i < 7; i++) {
			struct pb_ref ref = {.key = keys[ir][i], .pos = i};
			enum pb_pol_result a = d->access(pol, &ref, &victim);
			bad += a != (i < 4	    ? PB_POL_MISS
				     : i == 4 && ir ? PB_POL_MISS_EVICT
						    : PB_POL_HIT);
		}
		for (unsigned j = 0; j < 4; j++)
			bad += pb_policy_victim(pol, j) != want[ir][j];
		for (unsigned j = 0; j < 4; j++) {
			struct pb_ref ref = {.key = 100 + j, .pos = 7 + j};
			uint64_t w = want[ir][j] != UINT64_MAX ? want[ir][j] : 100;
			bad += d->access(pol, &ref, &victim) != PB_POL_MISS_EVICT || victim != w;
		}
		PB_CHECK_MSG(bad == 0,
			     "clock insert_ref=%u: the guess over a turn wrong %llu times", ir,
			     (unsigned long long)bad);
		d->destroy(pol);
	}
}

/*
 * NRU's turns (Silberschatz's enhanced second chance) on 4 frames, pages
 * loaded referenced: 1r 2w 3r 4w fill; 5 finds no (0,0) in turn 1, turn 2
 * clears every R bit and finds no (0,1) either, so the next turn 1 takes
 * frame 0 (page 1); 6 takes the first (0,0) from the hand (3, past the
 * dirty 2); 7 finds only dirty or referenced pages, so turn 2 takes the
 * first (0,1) (4).  Then 2 is removed and 8 refills its frame in place (the
 * circle is the frame array): 9 clears all R bits again and takes 5, and
 * 10 takes 8, in 2's old place, not 6 as a linked ring that loads 8 behind
 * the hand would.
 */
static void test_nru_turns(void)
{
	static const struct {
		uint64_t key;
		uint8_t write;
		uint64_t victim; /* 0: a miss that evicts nothing; UINT64_MAX: remove */
	} step[] = {
	    {1, 0, 0}, {2, 1, 0},	   {3, 0, 0}, {4, 1, 0}, {5, 0, 1},  {6, 0, 3},
	    {7, 1, 4}, {2, 0, UINT64_MAX}, {8, 0, 0}, {9, 0, 5}, {10, 0, 8},
	};
	const struct pb_policy_desc *d = pb_policy_find("nru");
	struct pb_policy_cfg cfg = {.frames = 4};
	struct pb_policy *pol;
	char err[256];
	PB_CHECK_MSG(d->create(&cfg, &pol, err, sizeof(err)) == 0, "nru: %s", err);
	for (size_t i = 0; i < PB_ARRAY_SIZE(step); i++) {
		if (step[i].victim == UINT64_MAX) {
			PB_CHECK(d->remove(pol, step[i].key) == 0);
			continue;
		}
		struct pb_ref ref = {.key = step[i].key, .pos = i, .write = step[i].write};
		uint64_t victim = 0;
		enum pb_pol_result a = d->access(pol, &ref, &victim);
		PB_CHECK_MSG(a == (step[i].victim ? PB_POL_MISS_EVICT : PB_POL_MISS) &&
				 victim == step[i].victim,
			     "nru step %zu (page %llu): result %d victim %llu, want %llu", i,
			     (unsigned long long)step[i].key, (int)a, (unsigned long long)victim,
			     (unsigned long long)step[i].victim);
	}
	d->destroy(pol);
}

static void test_victim_order(void)
{
	for (size_t k = 0; pb_policies[k]; k++) {
		const struct pb_policy_desc *d = pb_policies[k];
		if (!d->victim_node && !d->victim_guess)
			continue;
		victim_order_one(d, NULL, 80, 0);
		victim_order_one(d, NULL, 200, 30);
	}
	const struct pb_policy_desc *clock = pb_policy_find("clock");
	PB_CHECK(clock->victim_guess && !clock->victim_node); /* never reclaimed */
	victim_order_one(clock, "insert_ref=1", 80, 0);
	victim_order_one(clock, NULL, 50, 0); /* most bits set: runs turn the hand round */
	victim_order_one(clock, "insert_ref=1", 50, 0);
}

/* pb_policy_reclaim takes the victims pb_policy_victim names, in order, out
 * of the policy (the engine's batched reclaim), also from a policy that is
 * not full; n = 0 takes none; the seen callback gets each key in order. */
static void seen_key(void *ctx, uint64_t key)
{
	uint64_t *s = ctx;
	s[1 + s[0]++] = key;
}

static void test_reclaim(void)
{
	for (size_t k = 0; pb_policies[k]; k++) {
		const struct pb_policy_desc *d = pb_policies[k];
		if (!d->victim_node || !d->remove)
			continue;
		struct pb_policy_cfg cfg = {.frames = 40, .seed = 3};
		struct pb_policy *pol;
		char err[256];
		PB_CHECK_MSG(d->create(&cfg, &pol, err, sizeof(err)) == 0, "%s: %s", d->name, err);
		struct pb_rng r;
		pb_rng_seed(&r, 11);
		uint64_t bad = 0, rounds = 0;
		for (uint64_t i = 0; i < 5000; i++) {
			uint64_t victim;
			struct pb_ref ref = {.key = pb_rng_below(&r, 60), .pos = i};
			(void)d->access(pol, &ref, &victim);
			if (i % 53)
				continue;
			uint64_t want[8], got[8], seen[9] = {0};
			unsigned n = 1 + (unsigned)(i / 53 % 8);
			uint64_t res = d->resident(pol);
			/* the order from the full policy's view: every node on
			 * the list from its victim end (the policy is filled
			 * back by the accesses that follow) */
			for (unsigned j = 0; j < n; j++)
				want[j] = res == cfg.frames ? pb_policy_victim(pol, j) : UINT64_MAX;
			bad += pb_policy_reclaim(pol, got, 0, NULL, NULL) != 0 ||
			       d->resident(pol) != res;
			unsigned m = pb_policy_reclaim(pol, got, n, seen_key, seen);
			bad +=
			    m != (n < res ? n : res) || d->resident(pol) != res - m || seen[0] != m;
			for (unsigned j = 0; j < m; j++)
				bad += seen[1 + j] != got[j] ||
				       (want[j] != UINT64_MAX && got[j] != want[j]);
			rounds++;
		}
		PB_CHECK_MSG(bad == 0 && rounds > 50, "%s: reclaim wrong %llu times", d->name,
			     (unsigned long long)bad);
		d->destroy(pol);
	}
}

static void test_params(void)
{
	static const char *const bad[][2] = {
	    {"lru", "x=1"},	   {"2q", "kin=2"},	      {"2q", "bogus=1"},
	    {"aging", "period=0"}, {"wsclock", "tau=-1"},     {"s3fifo", "small=0"},
	    {"lirs", "hirs=abc"},  {"clock", "insert_ref=2"}, {"twolist", "active=1.5"},
	};
	for (size_t i = 0; i < PB_ARRAY_SIZE(bad); i++) {
		const struct pb_policy_desc *d = pb_policy_find(bad[i][0]);
		struct pb_policy_cfg cfg = {.frames = 8, .params = bad[i][1]};
		struct pb_policy *p = NULL;
		char err[256] = "";
		PB_CHECK(d && d->create(&cfg, &p, err, sizeof(err)) == -EINVAL && err[0]);
	}
	const struct pb_policy_desc *d = pb_policy_find("2q");
	struct pb_policy_cfg cfg = {.frames = 0};
	struct pb_policy *p = NULL;
	char err[256];
	PB_CHECK(d->create(&cfg, &p, err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_policy_find("nope") == NULL);
	/* Parameters change behaviour where they should. */
	static uint64_t k[NTR];
	polgen_zipf(k, NTR, 2000, 0.9, 11);
	PB_CHECK(replay("2q", 100, k, NULL, NTR, "kin=0.5,kout=1") !=
		 replay("2q", 100, k, NULL, NTR, NULL));
	PB_CHECK(replay("aging", 100, k, NULL, NTR, "period=7") !=
		 replay("aging", 100, k, NULL, NTR, NULL));
}

/*
 * Golden fault counts: computed once from this implementation after the
 * textbook and LIRS-trace checks passed (tests/policy/test_traces.c), so a
 * change that alters any strategy's decisions fails here.
 */
struct golden {
	const char *name;
	uint64_t zipf64, zipf256, loop64, loop256, mixed64, mixed256;
};
#include "golden.inc"

static void test_golden(int print)
{
	static uint64_t kz[NTR], kl[NTR], km[NTR];
	static uint8_t wm[NTR];
	polgen_zipf(kz, NTR, 3000, 0.9, 2024);
	polgen_loop(kl, NTR, 200, 1000, 0.05, 2025);
	polgen_mixed(km, wm, NTR, 2026);
	for (size_t p = 0; pb_policies[p]; p++) {
		const char *nm = pb_policies[p]->name;
		struct golden g = {nm,
				   replay(nm, 64, kz, NULL, NTR, NULL),
				   replay(nm, 256, kz, NULL, NTR, NULL),
				   replay(nm, 64, kl, NULL, NTR, NULL),
				   replay(nm, 256, kl, NULL, NTR, NULL),
				   replay(nm, 64, km, wm, NTR, NULL),
				   replay(nm, 256, km, wm, NTR, NULL)};
		if (print) {
			printf("\t{\"%s\", %llu, %llu, %llu, %llu, %llu, %llu},\n", nm,
			       (unsigned long long)g.zipf64, (unsigned long long)g.zipf256,
			       (unsigned long long)g.loop64, (unsigned long long)g.loop256,
			       (unsigned long long)g.mixed64, (unsigned long long)g.mixed256);
			continue;
		}
		const struct golden *e = NULL;
		for (size_t i = 0; i < PB_ARRAY_SIZE(golden); i++)
			if (!strcmp(golden[i].name, nm))
				e = &golden[i];
		PB_CHECK_MSG(e != NULL, "no golden numbers for %s", nm);
		if (!e)
			continue;
		PB_CHECK_EQ_U64(g.zipf64, e->zipf64);
		PB_CHECK_EQ_U64(g.zipf256, e->zipf256);
		PB_CHECK_EQ_U64(g.loop64, e->loop64);
		PB_CHECK_EQ_U64(g.loop256, e->loop256);
		PB_CHECK_EQ_U64(g.mixed64, e->mixed64);
		PB_CHECK_EQ_U64(g.mixed256, e->mixed256);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print-golden")) {
		test_golden(1);
		return 0;
	}
	test_textbook();
	test_next_use();
	test_opt_and_stack();
	test_shadow();
	test_victim_order();
	test_clock_turn();
	test_nru_turns();
	test_reclaim();
	test_kmap_rename();
	test_params();
	test_golden(0);
	return pb_test_done();
}
