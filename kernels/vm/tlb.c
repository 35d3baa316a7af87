/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/tlb.c - set-associative TLB model and published CPU geometries.
 *
 * How it works: each array is sets x ways entries; a translation key
 * ((asid << 48) | vpn) selects a set by its low vpn bits (mixed with the
 * asid) and is searched in every way; replacement is true LRU inside the
 * set: in a 4-way L1 by a recency byte per set (a hit is one table load
 * and one store, an insert a shift), in other L1 arrays by a per-TLB stamp
 * counter (a hit is one store), in the L2 (up to 16 ways) by a recency
 * permutation of the ways per set,
 * 4 bits a position, so that neither its hits nor its fills scan stamps,
 * and a one-byte fingerprint of each way's key, so that a probe or a kill
 * compares one 16-byte line and loads only the matching ways' entries;
 * an unshared TLB also keeps the L2's killed ways last, so that the fill
 * after a miss takes the last way without scanning the tags again.  The
 * hierarchy is the usual one of x86 cores: L1 dTLB and L1 iTLB in front of
 * a unified second-level TLB; an L2 hit is copied into L1 (inclusive
 * fill), a miss is a page walk done by the engine, whose result is filled
 * into both levels.
 *
 * Why a model and not hardware counters: the counters of a real TLB are
 * not available in a VM and cannot be attributed to a simulated process;
 * the model lets the paging engine charge walks to the workload it
 * replays, on any machine, with the geometry of the CPU one cares about.
 *
 * Geometries (4 KiB translations; the 2 MiB L1 arrays serve the engine's
 * huge pages, pb_tlb_huge_*, in front of the shared L2; a profile without
 * one, as Zen's, puts 2 MiB translations in its L1d beside the 4 KiB ones):
 *  - skylake: Intel 64 and IA-32 Architectures Optimization Reference
 *    Manual (248966), section on the Skylake client microarchitecture, table
 *    "TLB Parameters of the Skylake Microarchitecture": DTLB 64 entries 4-way (4K), 32 entries
 * 4-way (2M); ITLB 128 entries 8-way; STLB 1536 entries 12-way (4K+2M).
 *  - zen3: AMD Software Optimization Guide for AMD Family 19h Processors
 *    (pub. 56665), section 2.10 (L1 DTLB 64 entries fully associative, all
 *    page sizes; L2 DTLB 2048 entries, 16-way; L1 ITLB 64 entries fully
 *    associative, L2 ITLB 512 entries 8-way).  We model one unified
 *    L2 of the L2 DTLB's size and associativity (16-way), and no 2 MiB
 *    L1 of its own: 2 MiB translations share the 64 L1 entries.
 *  - zen4: AMD Software Optimization Guide for AMD Family 19h (Zen 4,
 *    pub. 57647): L1 DTLB 72 entries fully associative, L2 DTLB 3072
 *    entries 24-way, L1 ITLB 64 entries fully associative; 2 MiB
 *    translations share the L1 DTLB, as on Zen 3.
 *  - icelake: Intel Optimization Manual, Sunny Cove: DTLB 64 entries 4-way
 *    (loads), STLB 2048 entries 16-way, ITLB 128 entries 8-way (as Skylake).
 *  - textbook: a small 16-entry fully associative TLB and no L2, as in
 *    the effective-access-time exercises of Silberschatz et al.,
 *    Operating System Concepts, ch. 9.
 * Fully associative levels whose entry count is not a power of two (72) are
 * modelled as one set of 72 ways.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cache.h"
#include "pagebench/param.h"
#include "pagebench/parse.h"
#include "pagebench/tlb.h"

static const struct pb_tlb_geom skylake = {
    .name = "skylake",
    .source = "Intel Optimization Reference Manual 248966, Skylake TLB parameters",
    .l1d = {64, 4},
    .l1i = {128, 8},
    .l2 = {1536, 12},
    .l1d_2m = {32, 4},
};
static const struct pb_tlb_geom icelake = {
    .name = "icelake",
    .source = "Intel Optimization Reference Manual 248966, Sunny Cove TLB parameters",
    .l1d = {64, 4},
    .l1i = {128, 8},
    .l2 = {2048, 16},
    .l1d_2m = {32, 4},
};
static const struct pb_tlb_geom zen3 = {
    .name = "zen3",
    .source = "AMD Software Optimization Guide for Family 19h (56665), TLBs",
    .l1d = {64, 0},
    .l1i = {64, 0},
    .l2 = {2048, 16},
    .l1d_2m = {0, 0}, /* none: the L1 DTLB holds every page size */
};
static const struct pb_tlb_geom zen4 = {
    .name = "zen4",
    .source = "AMD Software Optimization Guide for Family 19h Zen 4 (57647), TLBs",
    .l1d = {72, 0},
    .l1i = {64, 0},
    .l2 = {3072, 24},
    .l1d_2m = {0, 0}, /* none: the L1 DTLB holds every page size */
};
static const struct pb_tlb_geom textbook = {
    .name = "textbook",
    .source = "Silberschatz, Galvin, Gagne: Operating System Concepts, ch. 9 (small TLB)",
    .l1d = {16, 0},
    .l1i = {16, 0},
    .l2 = {0, 0},
    .l1d_2m = {0, 0},
};

const struct pb_tlb_geom *const pb_tlb_profiles[] = {&skylake, &icelake,  &zen3,
						     &zen4,    &textbook, NULL};

static int parse_level(const char *v, struct pb_tlb_level *lv, char *err, size_t errlen)
{
	char *end;
	unsigned long e = strtoul(v, &end, 10);
	unsigned long w = 0;
	if (end == v || e == 0 || e > (1UL << 20))
		goto bad;
	if (*end == ':') {
		const char *ws = end + 1;
		errno = 0;
		w = strtoul(ws, &end, 10);
		if (end == ws || *end || *ws == '-' || errno == ERANGE)
			goto bad;
	} else if (*end) {
		goto bad;
	}
	if (w == 0 || w > e)
		w = e;
	if (e % w || ((e / w) & (e / w - 1))) {
		snprintf(err, errlen, "TLB level '%s': entries/ways must be a power of two", v);
		return -EINVAL;
	}
	lv->entries = (uint32_t)e;
	lv->ways = (uint32_t)w;
	return 0;
bad:
	snprintf(err, errlen, "bad TLB level '%s' (expected ENTRIES[:WAYS], e.g. 64:4)", v);
	return -EINVAL;
}

/* A geometry spec "l1=E:W,l1i=E:W,l2=E:W,l1_2m=E:W" through the one
 * parameter table (pagebench/param.h); each value is then parsed by
 * parse_level. */
struct tlb_spec {
	char *l1, *l1d, *l1i, *l2, *l1_2m, *l1d_2m;
};
#define TS(f) offsetof(struct tlb_spec, f)
static const struct pb_param tlb_spec_params[] = {
    {"l1", PB_PT_STR, TS(l1), NULL, "L1 data TLB, ENTRIES[:WAYS]", NULL, 0, 0, 0, 0, "E:W"},
    {"l1d", PB_PT_STR, TS(l1d), NULL, "the same as l1", NULL, 0, 0, 0, PB_PF_HIDDEN, "E:W"},
    {"l1i", PB_PT_STR, TS(l1i), NULL, "L1 instruction TLB (default: as l1)", NULL, 0, 0, 0, 0,
     "E:W"},
    {"l2", PB_PT_STR, TS(l2), NULL, "second-level TLB (default: none)", NULL, 0, 0, 0, 0, "E:W"},
    {"l1_2m", PB_PT_STR, TS(l1_2m), NULL,
     "L1 TLB of 2 MiB translations (default: none, they share l1)", NULL, 0, 0, 0, 0, "E:W"},
    {"l1d_2m", PB_PT_STR, TS(l1d_2m), NULL, "the same as l1_2m", NULL, 0, 0, 0, PB_PF_HIDDEN,
     "E:W"},
    {0},
};
#undef TS

int pb_tlb_parse(const char *s, struct pb_tlb_geom *out, char *err, size_t errlen)
{
	if (!s || !*s) {
		snprintf(err, errlen, "empty TLB profile");
		return -EINVAL;
	}
	for (size_t i = 0; pb_tlb_profiles[i]; i++) {
		if (!strcmp(s, pb_tlb_profiles[i]->name)) {
			*out = *pb_tlb_profiles[i];
			return 0;
		}
	}
	if (!strchr(s, '=')) {
		size_t n = 0;
		char names[256] = "";
		for (size_t i = 0; pb_tlb_profiles[i]; i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? "|" : "",
					      pb_tlb_profiles[i]->name);
		snprintf(err, errlen, "unknown TLB profile '%s' (known: %s, or l1=E:W,l2=E:W)", s,
			 names);
		return -EINVAL;
	}
	struct pb_tlb_geom g = {.name = "custom", .source = "command line"};
	struct tlb_spec sp;
	int rc = pb_param_defaults(tlb_spec_params, &sp, err, errlen);
	if (!rc)
		rc = pb_param_parse_kv(tlb_spec_params, &sp, s, NULL, err, errlen);
	if (rc) {
		pb_param_free(tlb_spec_params, &sp);
		char e2[256];
		snprintf(e2, sizeof(e2), "%s", err);
		snprintf(err, errlen, "bad TLB spec '%s': %s", s, e2);
		return -EINVAL;
	}
	const char *l1 = sp.l1d ? sp.l1d : sp.l1;
	const char *l1_2m = sp.l1d_2m ? sp.l1d_2m : sp.l1_2m;
	if (sp.l1 && sp.l1d) {
		snprintf(err, errlen, "TLB spec '%s': l1 and l1d are one level: give one", s);
		rc = -EINVAL;
	}
	if (!rc && sp.l1_2m && sp.l1d_2m) {
		snprintf(err, errlen, "TLB spec '%s': l1_2m and l1d_2m are one level: give one", s);
		rc = -EINVAL;
	}
	if (!rc && l1)
		rc = parse_level(l1, &g.l1d, err, errlen);
	if (!rc && sp.l1i)
		rc = parse_level(sp.l1i, &g.l1i, err, errlen);
	if (!rc && sp.l2)
		rc = parse_level(sp.l2, &g.l2, err, errlen);
	if (!rc && l1_2m)
		rc = parse_level(l1_2m, &g.l1d_2m, err, errlen);
	int have_l1 = l1 != NULL, have_l1i = sp.l1i != NULL;
	pb_param_free(tlb_spec_params, &sp);
	if (rc)
		return rc;
	if (!have_l1) {
		snprintf(err, errlen, "TLB spec '%s' needs l1=E:W", s);
		return -EINVAL;
	}
	if (!have_l1i)
		g.l1i = g.l1d;
	*out = g;
	return 0;
}

/* One level as parse_level reads it: "E:W", or "E" fully associative
 * (ways 0 or E: the same array). */
static size_t level_str(char *buf, size_t len, const char *key, const struct pb_tlb_level *lv)
{
	int n = lv->ways && lv->ways != lv->entries
		    ? snprintf(buf, len, ",%s=%u:%u", key, lv->entries, lv->ways)
		    : snprintf(buf, len, ",%s=%u", key, lv->entries);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

/* Every level the geometry has, so that pb_tlb_parse of the text gives
 * the same arrays (a profile's counts, --tlb of what meta.json
 * recorded): an absent level (no L2, no 2 MiB L1) is left out, as the
 * parser takes a missing one. */
void pb_tlb_geom_str(const struct pb_tlb_geom *g, char *buf, size_t len)
{
	if (!len)
		return;
	char tmp[160];
	size_t n = level_str(tmp, sizeof(tmp), "l1", &g->l1d);
	n += level_str(tmp + n, sizeof(tmp) - n, "l1i", &g->l1i);
	if (g->l2.entries)
		n += level_str(tmp + n, sizeof(tmp) - n, "l2", &g->l2);
	if (g->l1d_2m.entries)
		(void)level_str(tmp + n, sizeof(tmp) - n, "l1_2m", &g->l1d_2m);
	snprintf(buf, len, "%s", tmp + 1); /* without the first comma */
}

static size_t level_entries(const struct pb_tlb_level *lv)
{
	return lv->entries;
}

static void array_init(struct pb_tlb_array *a, const struct pb_tlb_level *lv,
		       struct pb_tlb_entry *mem)
{
	a->e = mem;
	a->filled = 0;
	a->lru = NULL;
	a->fp = NULL;
	a->fp_mask = 0;
	a->perm4 = NULL;
	if (!lv->entries) {
		a->sets = a->ways = a->set_mask = 0;
		return;
	}
	a->ways = lv->ways ? lv->ways : lv->entries;
	a->sets = lv->entries / a->ways;
	a->set_mask = a->sets - 1;
}

/* ---- the L2's recency order: a permutation of the ways per set ----
 * Nibble i of a set's word is the way at recency position i (0: most
 * recent, ways - 1: least); the unused nibbles of a set of fewer than 16
 * ways hold 15, which names no way.  The owner keeps the killed ways at
 * the end when nobody else kills (unshared): a set's invalid ways are then
 * the last positions, and the last way is the one an insert takes, an
 * invalid one while there is one, else the least recently used. */
#define NIB1	     0x1111111111111111ULL
#define LRU_MAX_WAYS 16u

/* The low k nibbles (k <= 16). */
static inline uint64_t nib_low(unsigned k)
{
	return k >= 16 ? ~0ULL : (1ULL << (4 * k)) - 1;
}

/* The bits 0 .. 4p of a word, p the recency position of way w (which the
 * word holds: its lowest nibble equal to w, the others above the set's
 * ways being undefined), found without p's index: the nibble holding w
 * becomes 0, bit 0 of each nibble the OR of its bits, the lowest clear one
 * isolated with the bits below it. */
static inline uint64_t lru_upto(uint64_t perm, unsigned w)
{
	uint64_t x = perm ^ (NIB1 * w);
	x |= x >> 1;
	x |= x >> 2;
	uint64_t z = ~x & NIB1;
	return z ^ (z - 1);
}

/* Way w becomes the most recent. */
static inline uint64_t lru_front(uint64_t perm, unsigned w)
{
	uint64_t m = lru_upto(perm, w);
	uint64_t below = m >> 1, upto = m | (m << 3); /* positions < p, <= p */
	return (perm & ~upto) | ((perm & below) << 4) | w;
}

/* Way w becomes the least recent of array a's set order perm (the
 * positions after w's move down one; the undefined nibbles above the
 * set's ways stay out). */
static inline uint64_t lru_back(const struct pb_tlb_array *a, uint64_t perm, unsigned w)
{
	uint64_t m = lru_upto(perm, w);
	uint64_t below = m >> 1, upto = m | (m << 3); /* positions < p, <= p */
	return (perm & below) | ((perm & ~(upto | a->lru_unused)) >> 4) |
	       (uint64_t)w << a->lru_last_shift;
}

static void lru_init(struct pb_tlb_array *a, uint64_t *words, uint8_t *fp)
{
	uint64_t id = 0;
	for (unsigned i = 0; i < 16; i++)
		id |= (uint64_t)(i < a->ways ? i : 15u) << (4 * i);
	for (uint32_t s = 0; s < a->sets; s++)
		words[s] = id;
	a->lru = words;
	a->fp = fp; /* zeroed by pb_map: stale fingerprints cost a tag load */
	a->fp_mask = (uint32_t)((1ULL << a->ways) - 1);
	a->lru_last_shift = 4 * (a->ways - 1);
	a->lru_unused = ~nib_low(a->ways);
}

/* ---- a 4-way array's recency order: one byte per set ----
 * Bits 2i, 2i + 1 of a set's byte are the way at recency position i (0:
 * most recent, 3: least).  The front moves come from one table, built at
 * compile time: PERM4_POS is the position of way w in order p. */
#define PERM4_ID 0xe4u /* ways 0, 1, 2, 3 from the front */
#define PERM4_POS(p, w)                                                                            \
	(((p)&3u) == (w) ? 0u : (((p) >> 2) & 3u) == (w) ? 1u : (((p) >> 4) & 3u) == (w) ? 2u : 3u)
/* positions below k move up one, w takes position 0 (lru_front's) */
#define PERM4_FRONT_AT(p, w, k)                                                                    \
	(uint8_t)((((p) & ~((((1u << (2u * (k))) - 1u) << 2) | 3u)) |                              \
		   (((p) & ((1u << (2u * (k))) - 1u)) << 2) | (w)) &                               \
		  0xffu)
#define PERM4_ROW(p)                                                                               \
	{PERM4_FRONT_AT(p, 0u, PERM4_POS(p, 0u)), PERM4_FRONT_AT(p, 1u, PERM4_POS(p, 1u)),         \
	 PERM4_FRONT_AT(p, 2u, PERM4_POS(p, 2u)), PERM4_FRONT_AT(p, 3u, PERM4_POS(p, 3u))},
#define PERM4_R4(p)  PERM4_ROW(p) PERM4_ROW(p + 1u) PERM4_ROW(p + 2u) PERM4_ROW(p + 3u)
#define PERM4_R16(p) PERM4_R4(p) PERM4_R4(p + 4u) PERM4_R4(p + 8u) PERM4_R4(p + 12u)
#define PERM4_R64(p) PERM4_R16(p) PERM4_R16(p + 16u) PERM4_R16(p + 32u) PERM4_R16(p + 48u)
const uint8_t pb_tlb_perm4_front[256][4] = {PERM4_R64(0u) PERM4_R64(64u) PERM4_R64(128u)
						PERM4_R64(192u)};

/* Way w (which order p holds) becomes the least recent: the positions
 * after it move down one (a kill's, rare: no table). */
static inline uint8_t perm4_back(unsigned p, unsigned w)
{
	unsigned below = (1u << (2u * PERM4_POS(p, w))) - 1u;
	return (uint8_t)((p & below) | ((p >> 2) & ~below & 0x3fu) | w << 6);
}

static void perm4_init(struct pb_tlb_array *a, uint8_t *perm)
{
	if (a->ways != 4)
		return; /* stamps */
	memset(perm, PERM4_ID, a->sets);
	a->perm4 = perm;
}

/* The ways of set `set` whose fingerprint is key's (owner only), a bit a
 * way: a superset of the ways tagged key. */
static inline uint32_t fp_ways(const struct pb_tlb_array *a, uint32_t set, uint64_t key)
{
	return pb_cache_fp_match(a->fp + (size_t)set * 16, pb_tlb_fp(key)) & a->fp_mask;
}

/* The first way of set `set` tagged key + 1, through the fingerprints
 * (owner only), or NULL. */
static inline struct pb_tlb_entry *fp_find(struct pb_tlb_array *a, uint32_t set, uint64_t key)
{
	struct pb_tlb_entry *s = a->e + (size_t)set * a->ways;
	for (uint32_t m = fp_ways(a, set, key); m; m &= m - 1) {
		struct pb_tlb_entry *e = &s[__builtin_ctz(m)];
		if (pb_atomic_load(&e->tag, PB_RELAXED) == key + 1)
			return e;
	}
	return NULL;
}

int pb_tlb_init(struct pb_tlb *t, const struct pb_tlb_geom *g)
{
	memset(t, 0, sizeof(*t));
	size_t n = level_entries(&g->l1d) + level_entries(&g->l1i) + level_entries(&g->l2);
	if (!n)
		n = 1;
	uint32_t l2ways = g->l2.ways ? g->l2.ways : g->l2.entries;
	size_t nlru = g->l2.entries && l2ways <= LRU_MAX_WAYS ? g->l2.entries / l2ways : 0;
	/* the fingerprints from a cache line on: one line holds four sets' */
	size_t fp_off =
	    (n * sizeof(struct pb_tlb_entry) + nlru * sizeof(uint64_t) + 63) & ~(size_t)63;
	/* then the 4-way L1s' order bytes (a set a byte: sets <= entries) */
	size_t perm_off = fp_off + nlru * 16;
	t->mem_bytes = perm_off + level_entries(&g->l1d) + level_entries(&g->l1i);
	t->mem = pb_map(t->mem_bytes, 1);
	if (!t->mem)
		return -ENOMEM;
	struct pb_tlb_entry *e = t->mem;
	array_init(&t->l1d, &g->l1d, e);
	e += g->l1d.entries;
	array_init(&t->l1i, &g->l1i, e);
	e += g->l1i.entries;
	array_init(&t->l2, &g->l2, e);
	if (nlru)
		lru_init(&t->l2, (uint64_t *)((char *)t->mem + n * sizeof(struct pb_tlb_entry)),
			 (uint8_t *)t->mem + fp_off);
	perm4_init(&t->l1d, (uint8_t *)t->mem + perm_off);
	perm4_init(&t->l1i, (uint8_t *)t->mem + perm_off + level_entries(&g->l1d));
	/* every reference that misses fills the L2: its fills skip the
	 * check (entry_set), a kill probes it from the start */
	t->l2.filled = t->l2.sets != 0;
	return 0;
}

void pb_tlb_fini(struct pb_tlb *t)
{
	if (t->mem)
		pb_unmap(t->mem, t->mem_bytes);
	t->mem = NULL;
	free(t->held);
	t->held = NULL;
	t->held_n = 0;
}

/* ---- a shared TLB's per-frame entry counts (pb_tlb_track_pfns) ---- */
int pb_tlb_track_pfns(struct pb_tlb *t, uint64_t n)
{
	free(t->held);
	t->held_n = 0;
	t->held = n ? calloc(n, sizeof(*t->held)) : NULL;
	if (n && !t->held)
		return -ENOMEM;
	t->held_n = n;
	return 0;
}

/* The owner alone writes the counts, other threads read them
 * (pb_tlb_may_hold in a shootdown): relaxed atomics, a plain load and
 * store.  An entry another thread shot down had its tag cleared but cannot
 * be uncounted by that thread, so it stays counted (`counted`) until the
 * owner reuses its way: a count may run high for a while, never low. */
static inline void held_add(struct pb_tlb *t, uint64_t pfn, int d)
{
	if (pfn < t->held_n)
		pb_atomic_store(&t->held[pfn],
				pb_atomic_load(&t->held[pfn], PB_RELAXED) + (uint32_t)d,
				PB_RELAXED);
}

/* Way v is rewritten for pfn: the entry it held leaves the counts. */
static inline void held_replace(struct pb_tlb *t, struct pb_tlb_entry *v, uint64_t pfn)
{
	if (v->counted)
		held_add(t, v->pfn, -1);
	v->counted = 1;
	held_add(t, pfn, 1);
}

static void array_clear(struct pb_tlb_array *a)
{
	for (size_t i = 0; i < (size_t)a->sets * a->ways; i++) {
		pb_atomic_store(&a->e[i].tag, 0, PB_RELAXED);
		a->e[i].counted = 0; /* the counts are cleared with them */
	}
}

void pb_tlb_flush_all(struct pb_tlb *t)
{
	array_clear(&t->l1d);
	array_clear(&t->l1i);
	array_clear(&t->l2);
	/* empty unless pb_tlb_huge_init; the L2's order stays a permutation,
	 * all its ways invalid */
	array_clear(&t->l1_2m);
	if (t->held)
		memset(t->held, 0, t->held_n * sizeof(*t->held));
}

/* Write the translation into way v: the stores alone (the fast paths of
 * an unshared TLB that counts no frames; `filled` is the caller's). */
static inline struct pb_tlb_entry *entry_put(struct pb_tlb_entry *v, uint64_t tag, uint64_t pfn,
					     unsigned flags)
{
	v->pfn = pfn;
	v->flags = (uint8_t)flags;
	v->hintgen = 0;
	pb_atomic_store(&v->tag, tag, PB_RELAXED);
	return v;
}

/* Write the translation into way v (its stamp is the caller's).  An
 * array's first insert sets `filled` (check_filled: the L1 arrays; the L2
 * is marked filled at init, so its fills skip the check). */
static inline struct pb_tlb_entry *entry_set(struct pb_tlb *t, struct pb_tlb_array *a,
					     struct pb_tlb_entry *v, uint64_t tag, uint64_t pfn,
					     unsigned flags, int check_filled)
{
	if (pb_unlikely(t->held != NULL))
		held_replace(t, v, pfn);
	if (check_filled && pb_unlikely(!a->filled))
		pb_atomic_store(&a->filled, 1, PB_RELAXED); /* before the tag */
	return entry_put(v, tag, pfn, flags);
}

/* Insert a key that the 4-way array a (hashed h) does not hold, in an
 * unshared TLB that counts no frames: the last position's way (an invalid
 * one while there is one) becomes the first by a shift.  The array's
 * fields are read before the stores (a byte store may alias them). */
static inline struct pb_tlb_entry *perm4_put(struct pb_tlb_array *a, uint32_t h, uint64_t tag,
					     uint64_t pfn, unsigned flags)
{
	uint8_t *perm = a->perm4;
	uint32_t set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * 4;
	unsigned p = perm[set], v = p >> 6;
	perm[set] = (uint8_t)(p << 2 | v);
	/* before the tag; unshared: nobody reads it yet, and one store costs
	 * less than the test */
	pb_atomic_store(&a->filled, 1, PB_RELAXED);
	return entry_put(&s[v], tag, pfn, flags);
}

/* The first way holding tag or invalid, or -1. */
static inline int way_tag_or_free(const struct pb_tlb_entry *s, uint32_t ways, uint64_t tag)
{
	for (uint32_t w = 0; w < ways; w++) {
		uint64_t cur = pb_atomic_load(&s[w].tag, PB_RELAXED);
		if ((cur == tag) | (cur == 0))
			return (int)w;
	}
	return -1;
}

/* Insert into an array with a recency word per set (the L2), hashed h:
 * the way that holds the key or the first invalid way, as stamp_insert,
 * else the least recently used.  Unshared, after a miss of this key
 * (l2_absent), the last position is that way without a scan: the invalid
 * ways are the last, and a shift of the word moves the others up one
 * (the nibbles above the set's ways are left undefined).  Its entries'
 * stamps are not kept (nothing reads them). */
static inline struct pb_tlb_entry *lru_insert(struct pb_tlb *t, struct pb_tlb_array *a, uint32_t h,
					      uint64_t key, uint64_t pfn, unsigned flags)
{
	const uint32_t ways = a->ways;
	uint32_t set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * ways;
	uint64_t perm = a->lru[set], tag = key + 1;
	unsigned w;
	int found = -1;
	if (t->shared || t->l2_absent != tag)
		found = way_tag_or_free(s, ways, tag);
	t->l2_absent = 0;
	if (found < 0) {
		w = (unsigned)(perm >> a->lru_last_shift) & 15u;
		a->lru[set] = perm << 4 | w;
	} else {
		w = (unsigned)found;
		a->lru[set] = lru_front(perm, w);
	}
	a->fp[(size_t)set * 16 + w] = pb_tlb_fp(key);
	return entry_set(t, a, &s[w], tag, pfn, flags, 0);
}

/* The way of the `ways` at s that an insert takes: the way tagged `match`
 * or the first invalid one, else the least recently stamped (match 0: the
 * key is known absent, only an invalid way matches).  The ways and the
 * victim's stamp live in registers: the loop then has no load that
 * depends on the previous way's choice (the stamps are the owner's alone,
 * so vst always equals v->stamp). */
static inline struct pb_tlb_entry *stamp_way(struct pb_tlb_entry *s, uint32_t ways, uint64_t match)
{
	struct pb_tlb_entry *v = &s[0];
	uint32_t vst = s[0].stamp;
	for (uint32_t w = 0; w < ways; w++) {
		uint64_t cur = pb_atomic_load(&s[w].tag, PB_RELAXED);
		if ((cur == match) | (cur == 0))
			return &s[w];
		/* wrap-safe "older than" on the 32-bit stamps */
		uint32_t st = s[w].stamp;
		if ((int32_t)(st - vst) < 0) {
			v = &s[w];
			vst = st;
		}
	}
	return v;
}

/* Insert into an array of stamps (an L1 of other than 4 ways, an L2 of
 * more than 16), hashed h, replacing the way stamp_way picks. */
static inline struct pb_tlb_entry *stamp_insert(struct pb_tlb *t, struct pb_tlb_array *a,
						uint32_t h, uint64_t tag, uint64_t pfn,
						unsigned flags, uint64_t match)
{
	const uint32_t ways = a->ways;
	struct pb_tlb_entry *v = stamp_way(a->e + (size_t)(h & a->set_mask) * ways, ways, match);
	v->stamp = ++t->clock;
	return entry_set(t, a, v, tag, pfn, flags, 1);
}

/* The first of the four ways at s that is invalid, or 4. */
static inline unsigned way4_free(const struct pb_tlb_entry *s)
{
	for (unsigned w = 0; w < 4; w++)
		if (!pb_atomic_load(&s[w].tag, PB_RELAXED))
			return w;
	return 4;
}

/* Insert a key the 4-way array a (hashed h) does not hold: the last
 * position's way, which in an unshared TLB is an invalid one while there
 * is one (kills move their ways last), moves to the front by a shift.  A
 * shared TLB's remote kills leave invalid ways anywhere: the first of them
 * there, else the last position's. */
static inline struct pb_tlb_entry *perm4_insert_absent(struct pb_tlb *t, struct pb_tlb_array *a,
						       uint32_t h, uint64_t tag, uint64_t pfn,
						       unsigned flags)
{
	uint32_t set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * 4;
	unsigned p = a->perm4[set], v = p >> 6;
	unsigned f;
	if (pb_unlikely(t->shared) && (f = way4_free(s)) < 4) {
		v = f;
		a->perm4[set] = pb_tlb_perm4_front[p][f];
	} else {
		a->perm4[set] = (uint8_t)(p << 2 | v);
	}
	return entry_set(t, a, &s[v], tag, pfn, flags, 1);
}

/* Insert into the 4-way array a (hashed h), which may hold the key: its
 * way, else an invalid one, else the least recent. */
static inline struct pb_tlb_entry *perm4_insert(struct pb_tlb *t, struct pb_tlb_array *a,
						uint32_t h, uint64_t tag, uint64_t pfn,
						unsigned flags)
{
	uint32_t set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * 4;
	unsigned w;
	for (w = 0; w < 4; w++)
		if (pb_atomic_load(&s[w].tag, PB_RELAXED) == tag)
			break;
	if (w == 4)
		return perm4_insert_absent(t, a, h, tag, pfn, flags);
	a->perm4[set] = pb_tlb_perm4_front[a->perm4[set]][w];
	return entry_set(t, a, &s[w], tag, pfn, flags, 1);
}

/* Entry e of array a (an L1) becomes its set's most recent. */
static inline void l1_touch(struct pb_tlb *t, struct pb_tlb_array *a, struct pb_tlb_entry *e)
{
	if (a->perm4) {
		size_t i = (size_t)(e - a->e);
		a->perm4[i / 4] = pb_tlb_perm4_front[a->perm4[i / 4]][i % 4];
	} else {
		e->stamp = ++t->clock;
	}
}

/* An L1 insert (a fill's, an L2 hit's copy; absent: NULL), hashed h, of a
 * key the L1 may hold (absent 0) or does not (absent 1).  Out of line: the
 * callers' usual path, the 4-way insert of an absent key, then saves no
 * registers for the loops. */
static __attribute__((noinline)) struct pb_tlb_entry *l1_fill(struct pb_tlb *t,
							      struct pb_tlb_array *a, uint32_t h,
							      uint64_t tag, uint64_t pfn,
							      unsigned flags, int absent)
{
	if (!a->sets)
		return NULL;
	if (a->perm4)
		return absent ? perm4_insert_absent(t, a, h, tag, pfn, flags)
			      : perm4_insert(t, a, h, tag, pfn, flags);
	return stamp_insert(t, a, h, tag, pfn, flags, absent ? 0 : tag);
}

/* Insert into one array (absent: nothing). */
static inline struct pb_tlb_entry *array_insert(struct pb_tlb *t, struct pb_tlb_array *a,
						uint64_t key, uint64_t pfn, unsigned flags)
{
	if (!a->sets)
		return NULL;
	uint32_t h = pb_tlb_hash(key);
	if (a->lru)
		return lru_insert(t, a, h, key, pfn, flags);
	if (a->perm4)
		return perm4_insert(t, a, h, key + 1, pfn, flags);
	return stamp_insert(t, a, h, key + 1, pfn, flags, key + 1);
}

/* Probe the L2 (owner) for key, hashed h: a hit becomes its set's most
 * recent.  A miss is remembered (l2_absent, and l1: the L1 that missed it
 * too) for the fill that follows. */
static inline struct pb_tlb_entry *l2_probe(struct pb_tlb *t, uint32_t h, uint64_t key,
					    struct pb_tlb_array *l1)
{
	struct pb_tlb_array *a = &t->l2;
	if (!a->lru) {
		struct pb_tlb_entry *e = pb_tlb_probe(a, key);
		if (e)
			e->stamp = ++t->clock;
		return e;
	}
	uint32_t set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * a->ways;
	for (uint32_t m = fp_ways(a, set, key); m; m &= m - 1) {
		unsigned w = (unsigned)__builtin_ctz(m);
		if (pb_atomic_load(&s[w].tag, PB_RELAXED) == key + 1) {
			a->lru[set] = lru_front(a->lru[set], w);
			return &s[w];
		}
	}
	t->l2_absent = key + 1;
	t->absent_l1 = l1;
	return NULL;
}

/* The copy of an L2 hit e into the L1 a, which does not hold the key:
 * pb_tlb_lookup_l2 runs after the L1 probe missed, and only the owner
 * inserts, so the copy needs no tag match.  Out of line: the miss, two
 * thirds of the calls at 20000 frames, then saves no registers. */
static __attribute__((noinline)) struct pb_tlb_entry *l2_hit_copy(struct pb_tlb *t,
								  struct pb_tlb_array *a,
								  struct pb_tlb_entry *e,
								  uint32_t h, uint64_t key)
{
	t->st.l2_hits++;
	struct pb_tlb_entry *l1;
	if (pb_likely(a->perm4 != NULL))
		l1 = perm4_insert_absent(t, a, h, key + 1, e->pfn, e->flags);
	else if (!(l1 = l1_fill(t, a, h, key + 1, e->pfn, e->flags, 1)))
		return e; /* no L1 */
	/* a shootdown may have raced with the copy; re-check the L2 tag so a
	 * cleared translation is not resurrected in L1.  Shared: a Dekker pair
	 * with pb_tlb_shootdown (L1 store, fence, L2 load / L2 kill, fence,
	 * L1 kill), or the store may still sit in this CPU's buffer when the
	 * shootdown looks at L1 */
	if (t->shared)
		pb_fence_full();
	if (pb_atomic_load(&e->tag, PB_RELAXED) != key + 1) {
		pb_atomic_store(&l1->tag, 0, PB_RELAXED); /* drop the copy */
		t->st.l2_hits--;
		t->st.misses++;
		return NULL;
	}
	return l1;
}

/* pb_tlb_lookup_l2 once the L2 probe (hashed h) found e, or none (NULL):
 * count, and copy a hit into the L1 a.  Unshared, no frame counts, a
 * 4-way L1: the copy is a few stores (nothing races with it: no
 * re-check). */
static inline struct pb_tlb_entry *l2_probed(struct pb_tlb *t, struct pb_tlb_array *a,
					     struct pb_tlb_entry *e, uint64_t key, uint32_t h)
{
	if (!e) {
		t->st.misses++;
		return NULL;
	}
	if (pb_likely(!t->shared && !t->held && a->perm4)) {
		t->st.l2_hits++;
		return perm4_put(a, h, key + 1, e->pfn, e->flags);
	}
	return l2_hit_copy(t, a, e, h, key);
}

/* pb_tlb_lookup_l2 for a key some of whose set's fingerprints (ways m)
 * match: the tags, a hit's order and its copy.  Out of line: the L2 miss
 * whose fingerprints all differ, most of them, then saves no registers. */
static __attribute__((noinline)) struct pb_tlb_entry *
l2_fp_probe(struct pb_tlb *t, struct pb_tlb_array *a, uint64_t key, uint32_t h, uint32_t m)
{
	struct pb_tlb_array *l2 = &t->l2;
	uint32_t set = h & l2->set_mask;
	struct pb_tlb_entry *s = l2->e + (size_t)set * l2->ways, *e = NULL;
	for (; m; m &= m - 1) {
		unsigned w = (unsigned)__builtin_ctz(m);
		if (pb_atomic_load(&s[w].tag, PB_RELAXED) == key + 1) {
			l2->lru[set] = lru_front(l2->lru[set], w);
			e = &s[w];
			break;
		}
	}
	if (!e) {
		t->l2_absent = key + 1; /* as l2_probe */
		t->absent_l1 = a;
	}
	return l2_probed(t, a, e, key, h);
}

/* Out of line, as pb_tlb_fill: inlined (link-time) into a caller's loop of
 * pb_tlb_lookup, it keeps more live across the L1 probe, whose hit then
 * spills (run vm-tlb: +2.4% instructions; the engine's access path would
 * save 0.6%).  The L1 probe's hash comes with the call.  An L2 with
 * fingerprints (a recency word) decides most misses by them alone. */
__attribute__((noinline)) struct pb_tlb_entry *
pb_tlb_lookup_l2(struct pb_tlb *t, struct pb_tlb_array *a, uint64_t key, uint32_t h)
{
	struct pb_tlb_array *l2 = &t->l2;
	if (pb_unlikely(!l2->fp))
		return l2_probed(t, a, l2_probe(t, h, key, a), key, h);
	uint32_t m = fp_ways(l2, h & l2->set_mask, key);
	if (m)
		return l2_fp_probe(t, a, key, h, m);
	t->l2_absent = key + 1; /* as l2_probe */
	t->absent_l1 = a;
	t->st.misses++;
	return NULL;
}

__attribute__((noinline)) struct pb_tlb_entry *pb_tlb_lookup_any(struct pb_tlb *t, uint64_t key,
								 int fetch)
{
	struct pb_tlb_array *a = fetch ? &t->l1i : &t->l1d;
	struct pb_tlb_entry *e = pb_tlb_probe(a, key);
	if (e) {
		e->stamp = ++t->clock; /* an L1 of stamps (a 4-way one is inline) */
		t->st.l1_hits++;
		return e;
	}
	return pb_tlb_lookup_l2(t, a, key, pb_tlb_hash(key));
}

/* One hash for both levels: L2 first (its clock tick, for an L2 of stamps,
 * before the L1's), then the L1 of `fetch`. */
static __attribute__((noinline)) struct pb_tlb_entry *
fill_levels(struct pb_tlb *t, uint64_t key, uint64_t pfn, unsigned flags, int fetch)
{
	uint32_t h = pb_tlb_hash(key);
	uint64_t tag = key + 1;
	if (t->l2.lru)
		lru_insert(t, &t->l2, h, key, pfn, flags);
	else if (t->l2.sets)
		stamp_insert(t, &t->l2, h, tag, pfn, flags, tag);
	struct pb_tlb_array *a = fetch ? &t->l1i : &t->l1d;
	if (!a->sets)
		return NULL;
	if (a->perm4)
		return perm4_insert(t, a, h, tag, pfn, flags);
	return stamp_insert(t, a, h, tag, pfn, flags, tag);
}

/* The fill after a miss of the key in an unshared TLB of a recency-word
 * L2 that counts no frames (l2_absent, the usual case): the L2 takes its
 * set's last position without a scan (lru_insert's), and the L1 that
 * missed the key too (absent_l1), of 4 ways, its set's last position,
 * without a scan either: a few loads, shifts and stores.  Every other fill
 * is fill_levels, out of line, so that this path saves no registers for
 * their scans (nor for the frame counts: tested once here).  Out of line itself: inlined
 * (link-time) into a caller's loop of pb_tlb_lookup (run vm-tlb), it keeps
 * the key's hash and more live across the L1 probe, whose hit then spills
 * (+5% instructions there). */
__attribute__((noinline)) struct pb_tlb_entry *pb_tlb_fill(struct pb_tlb *t, uint64_t key,
							   uint64_t pfn, unsigned flags, int fetch)
{
	uint64_t tag = key + 1;
	struct pb_tlb_array *l2 = &t->l2, *a = fetch ? &t->l1i : &t->l1d;
	if (pb_unlikely(t->l2_absent != tag || t->absent_l1 != a || t->shared || t->held ||
			!a->perm4))
		return fill_levels(t, key, pfn, flags, fetch);
	/* (l2_absent is set by an L2 with a recency word only) */
	uint32_t h = pb_tlb_hash(key);
	uint32_t set = h & l2->set_mask;
	uint64_t perm = l2->lru[set];
	unsigned w = (unsigned)(perm >> l2->lru_last_shift) & 15u;
	t->l2_absent = 0;
	l2->lru[set] = perm << 4 | w;
	entry_put(&l2->e[(size_t)set * l2->ways + w], tag, pfn, flags);
	l2->fp[(size_t)set * 16 + w] = pb_tlb_fp(key);
	return perm4_put(a, h, tag, pfn, flags);
}

/* Clear every entry tagged `key` (hashed h) in one array of a shared TLB
 * (any thread: a CAS, as other threads' shootdowns race with it). */
static int shared_kill(struct pb_tlb_array *a, uint32_t h, uint64_t key)
{
	/* never filled (an absent level neither): nothing to find */
	if (!pb_atomic_load(&a->filled, PB_RELAXED))
		return 0;
	const uint32_t ways = a->ways; /* in a register across the atomic loads */
	struct pb_tlb_entry *s = a->e + (size_t)(h & a->set_mask) * ways;
	uint64_t tag = key + 1;
	int hit = 0;
	for (uint32_t w = 0; w < ways; w++) {
		uint64_t cur = tag;
		if (pb_atomic_load(&s[w].tag, PB_RELAXED) == tag &&
		    pb_atomic_cas(&s[w].tag, &cur, 0, PB_RELAXED, PB_RELAXED))
			hit = 1;
	}
	return hit;
}

/* The owner's kill of key (hashed h) in an array without fingerprints
 * (the L1s) of an unshared TLB: only the owner writes its tags, so a plain
 * store clears one (a locked CAS costs more than the scan).  A killed way
 * of a 4-way set becomes its set's last (perm4_insert_absent takes it
 * first). */
static inline int own_kill_scan(struct pb_tlb_array *a, uint32_t h, uint64_t key)
{
	/* never filled (an absent level neither): nothing to find */
	if (!pb_atomic_load(&a->filled, PB_RELAXED))
		return 0;
	const uint32_t ways = a->ways;
	struct pb_tlb_entry *s = a->e + (size_t)(h & a->set_mask) * ways;
	uint64_t tag = key + 1;
	int hit = 0;
	for (struct pb_tlb_entry *e = s, *end = s + ways;
	     (e = pb_tlb_way_find(e, (uint32_t)(end - e), tag)); e++) {
		pb_atomic_store(&e->tag, 0, PB_RELAXED);
		hit = 1;
		if (a->perm4) {
			uint32_t set = h & a->set_mask;
			a->perm4[set] = perm4_back(a->perm4[set], (unsigned)(e - s));
		}
	}
	return hit;
}

/* The owner's kill of key (hashed h) in the L2 of an unshared TLB: only
 * the ways whose fingerprint matches (m, fp_ways) are loaded, and a
 * cleared way becomes its set's last, so that the invalid ways stay last
 * (lru_insert, pb_tlb_fill).  An L2 of stamps: as an L1. */
static inline int own_kill_l2(struct pb_tlb_array *a, uint32_t h, uint64_t key, uint32_t m)
{
	if (!a->fp)
		return own_kill_scan(a, h, key);
	uint32_t set = h & a->set_mask;
	struct pb_tlb_entry *s = a->e + (size_t)set * a->ways;
	int hit = 0;
	for (; m; m &= m - 1) {
		unsigned w = (unsigned)__builtin_ctz(m);
		if (pb_atomic_load(&s[w].tag, PB_RELAXED) != key + 1)
			continue;
		pb_atomic_store(&s[w].tag, 0, PB_RELAXED);
		hit = 1;
		a->lru[set] = lru_back(a, a->lru[set], w);
	}
	return hit;
}

/* A shared TLB's kill of key (hashed h) in every level: L2 first, then
 * (after the fence, when `fence`: see pb_tlb_shootdown) the L1s.  Out of
 * line: the owner's kill, inline, then saves no registers for it. */
static __attribute__((noinline)) int shared_kill_levels(struct pb_tlb *t, struct pb_tlb_array *l1a,
							struct pb_tlb_array *l1b, uint32_t h,
							uint64_t key, int fence)
{
	int c = shared_kill(&t->l2, h, key);
	if (fence)
		pb_fence_full();
	c |= shared_kill(l1a, h, key);
	return c | shared_kill(l1b, h, key);
}

/* Whether the L1 a (hashed h) may hold tag: not when never filled (or
 * absent), nor when a 4-way set's four tags differ. */
static inline int l1_may_hold(struct pb_tlb_array *a, uint32_t h, uint64_t tag)
{
	if (!pb_atomic_load(&a->filled, PB_RELAXED))
		return 0;
	if (a->ways != 4)
		return 1;
	struct pb_tlb_entry *s = a->e + (size_t)(h & a->set_mask) * 4;
	uint64_t c0 = pb_atomic_load(&s[0].tag, PB_RELAXED);
	uint64_t c1 = pb_atomic_load(&s[1].tag, PB_RELAXED);
	uint64_t c2 = pb_atomic_load(&s[2].tag, PB_RELAXED);
	uint64_t c3 = pb_atomic_load(&s[3].tag, PB_RELAXED);
	return (c0 == tag) | (c1 == tag) | (c2 == tag) | (c3 == tag);
}

/* The owner's kills of key (hashed h) in an unshared TLB, once
 * kill_levels found that one of the arrays may hold it: the L2's through
 * its ways m whose fingerprint matches, an L1's scan where its four tags
 * (a 4-way set) do not rule the key out.  Out of line: the usual kill of a
 * victim that no array holds (at 20000 frames; at 1000 nearly every
 * victim is in the L2) then saves no registers. */
static __attribute__((noinline)) int own_kill_levels(struct pb_tlb *t, struct pb_tlb_array *l1a,
						     struct pb_tlb_array *l1b, uint32_t h,
						     uint64_t key, uint32_t m)
{
	int c = own_kill_l2(&t->l2, h, key, m);
	if (l1_may_hold(l1a, h, key + 1))
		c |= own_kill_scan(l1a, h, key);
	if (l1_may_hold(l1b, h, key + 1))
		c |= own_kill_scan(l1b, h, key);
	return c;
}

/* Every level's kill of key, hashed once (any thread when shared, else
 * the owner).  Inline (a reclaim's kill of its victim in its own TLB):
 * the owner's kill first asks whether any array may hold the key, by
 * loads and compares; an evicted page is a cold one, in none of them
 * mostly (at 20000 frames). */
static inline __attribute__((always_inline)) int kill_levels(struct pb_tlb *t,
							     struct pb_tlb_array *l1a,
							     struct pb_tlb_array *l1b, uint64_t key,
							     int fence)
{
	uint32_t h = pb_tlb_hash(key);
	if (pb_unlikely(t->shared))
		return shared_kill_levels(t, l1a, l1b, h, key, fence);
	/* whether an array may hold the key, without a store: the L2's
	 * fingerprints (an L2 of stamps: may), the L1s' tags */
	struct pb_tlb_array *l2 = &t->l2;
	uint32_t m = l2->fp ? fp_ways(l2, h & l2->set_mask, key) : l2->sets != 0;
	if (pb_likely(!m && !l1_may_hold(l1a, h, key + 1) && !l1_may_hold(l1b, h, key + 1)))
		return 0;
	return own_kill_levels(t, l1a, l1b, h, key, m);
}

void pb_tlb_invalidate(struct pb_tlb *t, uint64_t key)
{
	(void)kill_levels(t, &t->l1d, &t->l1i, key, 0); /* the owner: no copy races */
}

static void array_flags(struct pb_tlb_array *a, uint64_t key, unsigned flags)
{
	struct pb_tlb_entry *e =
	    a->fp ? fp_find(a, pb_tlb_hash(key) & a->set_mask, key) : pb_tlb_probe(a, key);
	if (e)
		e->flags = (uint8_t)flags;
}

void pb_tlb_set_flags(struct pb_tlb *t, uint64_t key, unsigned flags)
{
	array_flags(&t->l1d, key, flags);
	array_flags(&t->l1i, key, flags);
	array_flags(&t->l2, key, flags);
}

int pb_tlb_shootdown(struct pb_tlb *t, uint64_t key)
{
	/* L2 first: an L2-to-L1 copy racing with this either sees the L2 kill
	 * on its re-check or is seen here (pb_tlb_lookup_l2) */
	return kill_levels(t, &t->l1d, &t->l1i, key, 1);
}

/* ---- 2 MiB translations ---- */
int pb_tlb_huge_init(struct pb_tlb *t, const struct pb_tlb_level *l1_2m)
{
	size_t n = level_entries(l1_2m);
	/* the entries, then a 4-way array's order bytes */
	t->mem_2m_bytes = (n ? n : 1) * sizeof(struct pb_tlb_entry) + n;
	t->mem_2m = pb_map(t->mem_2m_bytes, 1);
	if (!t->mem_2m)
		return -ENOMEM;
	array_init(&t->l1_2m, l1_2m, t->mem_2m);
	if (n)
		perm4_init(&t->l1_2m, (uint8_t *)t->mem_2m + n * sizeof(struct pb_tlb_entry));
	return 0;
}

/* Without a 2 MiB L1 array, 2 MiB entries share the 4 KiB L1d (as the
 * fully associative all-page-size L1 of Zen or a textbook TLB). */
static struct pb_tlb_array *huge_l1(struct pb_tlb *t)
{
	return t->l1_2m.sets ? &t->l1_2m : &t->l1d;
}

void pb_tlb_huge_fini(struct pb_tlb *t)
{
	if (t->mem_2m)
		pb_unmap(t->mem_2m, t->mem_2m_bytes);
	t->mem_2m = NULL;
	memset(&t->l1_2m, 0, sizeof(t->l1_2m));
}

struct pb_tlb_entry *pb_tlb_huge_l1(struct pb_tlb *t, uint64_t key)
{
	struct pb_tlb_array *a = huge_l1(t);
	struct pb_tlb_entry *e = pb_tlb_probe(a, key);
	if (e)
		l1_touch(t, a, e);
	return e;
}

struct pb_tlb_entry *pb_tlb_huge_l2(struct pb_tlb *t, uint64_t key)
{
	struct pb_tlb_entry *e = l2_probe(t, pb_tlb_hash(key), key, NULL);
	if (!e)
		return NULL;
	struct pb_tlb_entry *l1 = array_insert(t, huge_l1(t), key, e->pfn, e->flags);
	if (l1 && t->shared)
		pb_fence_full(); /* as pb_tlb_lookup_l2 */
	if (l1 && pb_atomic_load(&e->tag, PB_RELAXED) != key + 1) {
		pb_atomic_store(&l1->tag, 0, PB_RELAXED); /* shot down meanwhile */
		return NULL;
	}
	return l1 ? l1 : e;
}

struct pb_tlb_entry *pb_tlb_huge_fill(struct pb_tlb *t, uint64_t key, uint64_t pfn, unsigned flags)
{
	struct pb_tlb_entry *e = array_insert(t, &t->l2, key, pfn, flags);
	struct pb_tlb_entry *l1 = array_insert(t, huge_l1(t), key, pfn, flags);
	return l1 ? l1 : e;
}

int pb_tlb_huge_kill(struct pb_tlb *t, uint64_t key)
{
	return kill_levels(t, &t->l1_2m, &t->l1d, key, 1); /* as pb_tlb_shootdown */
}

void pb_tlb_huge_set_flags(struct pb_tlb *t, uint64_t key, unsigned flags)
{
	array_flags(huge_l1(t), key, flags);
	array_flags(&t->l2, key, flags);
}

unsigned pb_tlb_shootdown_n(struct pb_tlb *t, const uint64_t *keys, unsigned n)
{
	unsigned held = 0;
	if (!t->shared) {
		/* nothing races with the owner: key by key */
		for (unsigned i = 0; i < n; i++)
			held += (unsigned)kill_levels(t, &t->l1d, &t->l1i, keys[i], 0);
		return held;
	}
	/* L2 first, as pb_tlb_shootdown: each key's L2-to-L1 copy still sees
	 * its L2 kill on the re-check, or the L1 kill sees the copy */
	uint64_t bits = 0;
	uint32_t h[64];
	for (unsigned i = 0; i < n; i++) {
		h[i] = pb_tlb_hash(keys[i]);
		if (shared_kill(&t->l2, h[i], keys[i]))
			bits |= 1ULL << i;
	}
	pb_fence_full();
	for (unsigned i = 0; i < n; i++)
		if (shared_kill(&t->l1d, h[i], keys[i]) | shared_kill(&t->l1i, h[i], keys[i]))
			bits |= 1ULL << i;
	return (unsigned)__builtin_popcountll(bits);
}
