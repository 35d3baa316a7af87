/* SPDX-License-Identifier: MIT */
/*
 * pagebench/cache.h - a set-associative CPU cache model (pb_cache) and a
 * hierarchy L1d/L1i/L2/L3 (pb_cache_hier) in front of DRAM.
 *
 * One level: S = 2^s sets of E ways of B = 2^b-byte lines, true LRU inside
 * a set, hit/miss/eviction counters.  A set keeps its valid lines in
 * recency order (most recent first), so a lookup compares the tag with at
 * most E words and an LRU update is a short move; one access costs a few
 * ns.  Write-allocate: a store that misses fills the line like a load (the
 * CS:APP cache lab's rule), so a level does not need to know the op.
 *
 * The hierarchy: L1d (loads, stores) and L1i (fetches), then a unified L2
 * and L3.  Variant: non-inclusive, non-exclusive ("NINE"): a miss at a
 * level goes on to the next and the line is filled into every level it
 * missed; an eviction at an outer level does not invalidate inner copies
 * (no back-invalidation) and write-backs are not modelled (a victim's
 * dirtiness costs nothing).  An absent level (size 0) is skipped.
 *
 * Geometries come from named CPU profiles (the same names as the TLB's,
 * pagebench/tlb.h; figures and sources in kernels/cache/profiles.c) or from
 * "L1d=32K:8,L1i=32K:8,L2=1M:16,L3=8M:16[,line=64]" (size:ways).
 *
 * Concurrency: none.  A level or hierarchy belongs to one thread (the
 * engine gives each simulated CPU its own).  Core code: 0 or -errno with a
 * message in the caller's buffer.
 */
#ifndef PAGEBENCH_CACHE_H
#define PAGEBENCH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"

/* ---- one level ---- */

struct pb_cache {
	uint64_t *tag;	  /* sets * ways line numbers */
	uint32_t *nvalid; /* valid ways of each set (ways 0 .. nvalid-1 hold lines) */
	/* ways <= 16 (every CPU level and most csim runs): per set 16 one-byte
	 * fingerprints of the lines' tags, compared all at once, and the
	 * recency order as 16 nibbles (nibble i: the way used i-th most
	 * recently).  Otherwise NULL, and each set's tags are kept most recent
	 * first (a move to the front on a hit). */
	uint8_t *fp;
	uint64_t *order;
	uint64_t set_mask;
	unsigned line_shift; /* b */
	uint32_t sets, ways;
	uint64_t hits, misses, evictions;
	size_t mem_bytes;
};

/* Outcome of one access. */
enum pb_cache_res { PB_CACHE_HIT = 0, PB_CACHE_MISS = 1, PB_CACHE_MISS_EVICT = 2 };

/*
 * A level of 2^set_bits sets, `ways` ways (>= 1), 2^line_bits-byte lines.
 * set_bits + line_bits <= 63, sets * ways <= 2^28.  0, -EINVAL or -ENOMEM.
 */
int pb_cache_init(struct pb_cache *c, unsigned set_bits, uint32_t ways,
		  unsigned line_bits) PB_MUST_CHECK;
void pb_cache_fini(struct pb_cache *c);
/* Invalidate every line; the counters stay. */
void pb_cache_flush(struct pb_cache *c);
/* The access of a level with more than 16 ways (move-to-front sets). */
enum pb_cache_res pb_cache_access_wide(struct pb_cache *c, uint64_t line, size_t set);

/* Bit w set: fingerprint w of the 16 at p equals f. */
static inline uint32_t pb_cache_fp_match(const uint8_t *p, uint8_t f)
{
#if defined(__SSE2__)
	typedef char v16 __attribute__((vector_size(16), aligned(1)));
	v16 a = *(const v16 *)p, b = {0};
	b += (char)f;
	return (uint32_t)__builtin_ia32_pmovmskb128((v16)(a == b));
#else
	uint32_t m = 0;
	for (unsigned w = 0; w < 16; w++)
		m |= (uint32_t)(p[w] == f) << w;
	return m;
#endif
}

/* Low 4k bits set (k <= 16). */
static inline uint64_t pb_cache_nibbles(unsigned k)
{
	return k >= 16 ? ~0ULL : (1ULL << (4 * k)) - 1;
}

/* Access the line holding byte address addr: LRU update, fill on a miss
 * (evicting the set's least recently used line when it is full). */
static inline enum pb_cache_res pb_cache_access(struct pb_cache *c, uint64_t addr)
{
	uint64_t line = addr >> c->line_shift;
	size_t set = (size_t)(line & c->set_mask);
	if (pb_unlikely(!c->fp))
		return pb_cache_access_wide(c, line, set);
	uint32_t n = c->nvalid[set];
	uint64_t *s = c->tag + set * c->ways;
	uint8_t f = (uint8_t)((line * 0x9e3779b97f4a7c15ULL) >> 56);
	uint8_t *fp = c->fp + set * 16;
	uint64_t o = c->order[set];
	uint32_t m = pb_cache_fp_match(fp, f) & ((1u << n) - 1);
	for (; m; m &= m - 1) {
		unsigned w = (unsigned)__builtin_ctz(m);
		if (s[w] != line)
			continue;
		/* position of nibble w in the order (exact zero-nibble test; the
		 * lowest is the valid one), then move it to the front */
		uint64_t x = o ^ (0x1111111111111111ULL * w);
		uint64_t z = ~(((x & 0x7777777777777777ULL) + 0x7777777777777777ULL) | x |
			       0x7777777777777777ULL);
		unsigned pos = (unsigned)__builtin_ctzll(z) >> 2;
		c->order[set] =
		    (o & ~pb_cache_nibbles(pos + 1)) | ((o & pb_cache_nibbles(pos)) << 4) | w;
		c->hits++;
		return PB_CACHE_HIT;
	}
	c->misses++;
	enum pb_cache_res r = PB_CACHE_MISS;
	unsigned v;
	if (n == c->ways) {
		v = (unsigned)(o >> (4 * (n - 1))) & 15; /* least recently used */
		c->evictions++;
		r = PB_CACHE_MISS_EVICT;
	} else {
		v = n;
		c->nvalid[set] = n + 1;
	}
	c->order[set] = ((o << 4) | v) & pb_cache_nibbles(c->ways);
	s[v] = line;
	fp[v] = f;
	return r;
}

/* ---- geometry and profiles ---- */

struct pb_cache_level_geom {
	uint64_t size; /* bytes; 0: the level is absent */
	uint32_t ways; /* >= 1; size / (ways * line) must be a power of two */
};

struct pb_cache_geom {
	const char *name;   /* profile name, "custom" or "none" */
	const char *source; /* where the sizes come from */
	uint32_t line;	    /* bytes per line (64), a power of two */
	struct pb_cache_level_geom l1d, l1i, l2, l3;
	/* load-to-use latency of a hit at each level, ns (the cost model,
	 * kernels/vm/cost.c, adds the device profile's dram_ns on an L3 miss) */
	double l1_ns, l2_ns, l3_ns;
	const char *lat_source;
};

/* Named profiles, NULL-terminated: skylake, icelake, zen3, zen4, textbook
 * (the TLB profiles' names). */
extern const struct pb_cache_geom *const pb_cache_profiles[];
/* A profile by name, or NULL. */
const struct pb_cache_geom *pb_cache_profile_find(const char *name);

/*
 * Parse a hierarchy: "none" (every level absent), a profile name, or
 * "L1d=SIZE:WAYS[,L1i=SIZE:WAYS][,L2=..][,L3=..][,line=64]" (keys are
 * case-insensitive; SIZE takes K/M/G; a missing L1i copies L1d, a missing
 * L2 or L3 is absent; an explicit hierarchy takes the skylake profile's
 * latencies).  0 or -EINVAL with one line in err.
 */
int pb_cache_parse(const char *s, struct pb_cache_geom *out, char *err, size_t errlen);
/* As pb_cache_parse, and "profile": the profile named cpu (the TLB
 * profile's name; -EINVAL when there is none of that name); "auto": that
 * profile when there is one, else no caches (the source says why). */
int pb_cache_parse_for(const char *s, const char *cpu, struct pb_cache_geom *out, char *err,
		       size_t errlen);
/* "L1d=32K:8,L1i=32K:8,L2=256K:4,L3=8M:16,line=64" (or "none"). */
void pb_cache_geom_str(const struct pb_cache_geom *g, char *buf, size_t len);
/* Any level present. */
int pb_cache_geom_enabled(const struct pb_cache_geom *g);

/* ---- the hierarchy ---- */

struct pb_cache_hier {
	struct pb_cache l1d, l1i, l2, l3; /* absent levels have sets == 0 */
	unsigned have;			  /* bit i: level i present (l1d, l1i, l2, l3) */
};

int pb_cache_hier_init(struct pb_cache_hier *h, const struct pb_cache_geom *g) PB_MUST_CHECK;
void pb_cache_hier_fini(struct pb_cache_hier *h);

/* Cold path of pb_cache_hier_access: L2, then L3 (filled on a miss). */
void pb_cache_hier_miss(struct pb_cache_hier *h, uint64_t paddr);

/* One access to physical byte address paddr (fetch: through L1i). */
static inline void pb_cache_hier_access(struct pb_cache_hier *h, uint64_t paddr, int fetch)
{
	struct pb_cache *l1 = fetch ? &h->l1i : &h->l1d;
	if (pb_likely(l1->sets != 0) && pb_cache_access(l1, paddr) == PB_CACHE_HIT)
		return;
	pb_cache_hier_miss(h, paddr);
}

/* ---- the CS:APP cache lab's trace lines (pagebench csim) ---- */

/* One data record of a valgrind lackey trace. */
struct pb_csim_rec {
	char op;       /* 'L', 'S' or 'M' (a load, then a store) */
	uint64_t addr; /* byte address */
	uint64_t size; /* bytes (ignored by the simulation, printed by -v) */
};

/*
 * Parse one line of a lackey trace (without its newline): " L ADDR,SIZE",
 * " S ...", " M ..." (one leading space, hex address, decimal size,
 * trailing blanks allowed).  Returns 1 for a data record, 0 for a line
 * csim ignores ("I  ADDR,SIZE" instruction fetches, an empty line,
 * valgrind's "==pid==" / "--pid--" banners), -EINVAL with one line in err
 * for anything else.
 */
int pb_csim_parse_line(const char *line, struct pb_csim_rec *r, char *err, size_t errlen);

#endif /* PAGEBENCH_CACHE_H */
