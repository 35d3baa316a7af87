/* SPDX-License-Identifier: MIT */
/*
 * kernels/cache/cache.c - one set-associative cache level, the L1d/L1i/L2/L3
 * hierarchy built from it, and the geometry parser.
 *
 * How a level works (pagebench/cache.h): the line number (addr >> b)
 * selects a set by its low s bits.  With at most 16 ways (every CPU level)
 * a set has 16 one-byte fingerprints (a hash of the line) compared with one
 * SSE2 byte compare, so a miss reads no tag at all and a hit reads the one
 * or two tags whose fingerprint matches; its LRU order is one 64-bit word
 * of 4-bit way numbers, most recent first, updated with a few shifts and
 * masks.  A miss fills the first invalid way, or the way of the last
 * nibble (the least recently used) when all are valid.  Wider sets keep
 * their tags most recent first and move a hit to the front.  Whole line
 * numbers are stored as tags (the set bits included), so a tag compare is
 * one 64-bit compare.
 *
 * The hierarchy (variant: non-inclusive, fill on miss at every level that
 * missed, no back-invalidation, no write-back traffic) is the usual
 * textbook one: L1 hit time on every access, an L1 miss looks in L2, an L2
 * miss in L3, an L3 miss goes to DRAM.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cache.h"
#include "pagebench/param.h"
#include "pagebench/parse.h"

int pb_cache_init(struct pb_cache *c, unsigned set_bits, uint32_t ways, unsigned line_bits)
{
	memset(c, 0, sizeof(*c));
	if (!ways || set_bits > 28 || set_bits + line_bits > 63 ||
	    ((uint64_t)ways << set_bits) > (1ULL << 28))
		return -EINVAL;
	size_t sets = (size_t)1 << set_bits;
	int fast = ways <= 16;
	size_t tag_bytes = sets * ways * sizeof(uint64_t);
	size_t order_bytes = fast ? sets * sizeof(uint64_t) : 0;
	size_t fp_bytes = fast ? sets * 16 : 0;
	c->mem_bytes = tag_bytes + order_bytes + fp_bytes + sets * sizeof(uint32_t);
	c->tag = pb_map(c->mem_bytes, 0);
	if (!c->tag)
		return -ENOMEM;
	char *p = (char *)c->tag + tag_bytes;
	if (fast) {
		c->order = (uint64_t *)p;
		c->fp = (uint8_t *)(p + order_bytes);
	}
	c->nvalid = (uint32_t *)(p + order_bytes + fp_bytes);
	c->sets = (uint32_t)sets;
	c->ways = ways;
	c->set_mask = sets - 1;
	c->line_shift = line_bits;
	return 0;
}

void pb_cache_fini(struct pb_cache *c)
{
	if (c->tag)
		pb_unmap(c->tag, c->mem_bytes);
	c->tag = NULL;
	c->nvalid = NULL;
	c->fp = NULL;
	c->order = NULL;
	c->sets = 0;
}

void pb_cache_flush(struct pb_cache *c)
{
	if (c->nvalid)
		memset(c->nvalid, 0, (size_t)c->sets * sizeof(uint32_t));
	if (c->order)
		memset(c->order, 0, (size_t)c->sets * sizeof(uint64_t));
}

/* More than 16 ways: each set's valid lines most recent first; a hit moves
 * its line to the front, a miss shifts the set and drops the last. */
enum pb_cache_res pb_cache_access_wide(struct pb_cache *c, uint64_t line, size_t set)
{
	uint64_t *s = c->tag + set * c->ways;
	uint32_t n = c->nvalid[set];
	for (uint32_t w = 0; w < n; w++) {
		if (s[w] == line) {
			memmove(s + 1, s, w * sizeof(*s));
			s[0] = line;
			c->hits++;
			return PB_CACHE_HIT;
		}
	}
	c->misses++;
	enum pb_cache_res r = PB_CACHE_MISS;
	if (n == c->ways) {
		c->evictions++;
		n--;
		r = PB_CACHE_MISS_EVICT;
	} else {
		c->nvalid[set] = n + 1;
	}
	memmove(s + 1, s, n * sizeof(*s));
	s[0] = line;
	return r;
}

/* ---- the hierarchy ---- */

static unsigned log2u(uint64_t v)
{
	unsigned r = 0;
	while (v > 1) {
		v >>= 1;
		r++;
	}
	return r;
}

static int level_init(struct pb_cache *c, const struct pb_cache_level_geom *lv, uint32_t line)
{
	if (!lv->size) {
		memset(c, 0, sizeof(*c));
		return 0;
	}
	uint64_t sets = lv->size / ((uint64_t)lv->ways * line);
	return pb_cache_init(c, log2u(sets), lv->ways, log2u(line));
}

int pb_cache_hier_init(struct pb_cache_hier *h, const struct pb_cache_geom *g)
{
	memset(h, 0, sizeof(*h));
	struct pb_cache *lv[4] = {&h->l1d, &h->l1i, &h->l2, &h->l3};
	const struct pb_cache_level_geom *gv[4] = {&g->l1d, &g->l1i, &g->l2, &g->l3};
	for (int i = 0; i < 4; i++) {
		int rc = level_init(lv[i], gv[i], g->line);
		if (rc) {
			pb_cache_hier_fini(h);
			return rc;
		}
		if (lv[i]->sets)
			h->have |= 1u << i;
	}
	return 0;
}

void pb_cache_hier_fini(struct pb_cache_hier *h)
{
	pb_cache_fini(&h->l1d);
	pb_cache_fini(&h->l1i);
	pb_cache_fini(&h->l2);
	pb_cache_fini(&h->l3);
	h->have = 0;
}

void pb_cache_hier_miss(struct pb_cache_hier *h, uint64_t paddr)
{
	if (h->l2.sets && pb_cache_access(&h->l2, paddr) == PB_CACHE_HIT)
		return;
	if (h->l3.sets)
		(void)pb_cache_access(&h->l3, paddr);
}

/* ---- geometry ---- */

int pb_cache_geom_enabled(const struct pb_cache_geom *g)
{
	return g->l1d.size || g->l1i.size || g->l2.size || g->l3.size;
}

const struct pb_cache_geom *pb_cache_profile_find(const char *name)
{
	for (size_t i = 0; pb_cache_profiles[i]; i++)
		if (!strcmp(pb_cache_profiles[i]->name, name))
			return pb_cache_profiles[i];
	return NULL;
}

static void size_str(uint64_t v, char *buf, size_t len)
{
	if (v && !(v & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v && !(v & 1023))
		snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

void pb_cache_geom_str(const struct pb_cache_geom *g, char *buf, size_t len)
{
	if (!pb_cache_geom_enabled(g)) {
		snprintf(buf, len, "none");
		return;
	}
	const struct pb_cache_level_geom *gv[4] = {&g->l1d, &g->l1i, &g->l2, &g->l3};
	static const char *const names[4] = {"L1d", "L1i", "L2", "L3"};
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < 4 && n < len; i++) {
		if (!gv[i]->size)
			continue;
		char sz[32];
		size_str(gv[i]->size, sz, sizeof(sz));
		n += (size_t)snprintf(buf + n, len - n, "%s=%s:%u,", names[i], sz, gv[i]->ways);
	}
	if (n < len)
		snprintf(buf + n, len - n, "line=%u", g->line);
}

/* One level "SIZE:WAYS" with sets = size / (ways * line) a power of two. */
static int parse_level(const char *key, const char *v, uint32_t line,
		       struct pb_cache_level_geom *lv, char *err, size_t errlen)
{
	char sz[64];
	const char *colon = strchr(v, ':');
	uint64_t size = 0, ways = 0;
	size_t n = colon ? (size_t)(colon - v) : 0;
	if (!colon || n == 0 || n >= sizeof(sz) || pb_parse_u64(colon + 1, &ways) || !ways)
		goto bad;
	memcpy(sz, v, n);
	sz[n] = 0;
	if (pb_parse_size(sz, &size) || !size)
		goto bad;
	uint64_t sets = size / (ways * line);
	if (ways > (1u << 16) || size % (ways * line) || !sets || (sets & (sets - 1))) {
		snprintf(err, errlen,
			 "cache level %s=%s: size / (ways x %u-byte lines) must be a power-of-two "
			 "number of sets",
			 key, v, line);
		return -EINVAL;
	}
	lv->size = size;
	lv->ways = (uint32_t)ways;
	return 0;
bad:
	snprintf(err, errlen, "bad cache level %s='%s' (expected SIZE:WAYS, e.g. 32K:8)", key, v);
	return -EINVAL;
}

/* The explicit spec through the one parameter table (keys lower-cased). */
struct cache_spec {
	char *l1d, *l1i, *l2, *l3;
	uint64_t line;
};
#define CS(f) offsetof(struct cache_spec, f)
static const struct pb_param cache_spec_params[] = {
    {"l1d", PB_PT_STR, CS(l1d), NULL, "L1 data cache, SIZE:WAYS", NULL, 0, 0, 0, 0, "SIZE:W"},
    {"l1i", PB_PT_STR, CS(l1i), NULL, "L1 instruction cache (default: as L1d)", NULL, 0, 0, 0, 0,
     "SIZE:W"},
    {"l2", PB_PT_STR, CS(l2), NULL, "unified L2 (default: none)", NULL, 0, 0, 0, 0, "SIZE:W"},
    {"l3", PB_PT_STR, CS(l3), NULL, "unified L3 (default: none)", NULL, 0, 0, 0, 0, "SIZE:W"},
    {"line", PB_PT_U64, CS(line), "64", "line size in bytes (a power of two)", NULL, 1, 4096, 0, 0,
     "B"},
    {0},
};
#undef CS

static void profile_names(char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; pb_cache_profiles[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "",
				      pb_cache_profiles[i]->name);
}

int pb_cache_parse(const char *s, struct pb_cache_geom *out, char *err, size_t errlen)
{
	if (!s || !*s) {
		snprintf(err, errlen, "empty cache hierarchy");
		return -EINVAL;
	}
	if (!strcmp(s, "none")) {
		memset(out, 0, sizeof(*out));
		out->name = "none";
		out->source = "no CPU caches modelled (--caches none, sim's default; --caches "
			      "auto models the --tlb CPU's)";
		out->line = 64;
		return 0;
	}
	const struct pb_cache_geom *p = pb_cache_profile_find(s);
	if (p) {
		*out = *p;
		return 0;
	}
	if (!strchr(s, '=')) {
		char names[256];
		profile_names(names, sizeof(names));
		snprintf(err, errlen,
			 "unknown cache profile '%s' (known: %s, none, or L1d=32K:8,L2=1M:16,...)",
			 s, names);
		return -EINVAL;
	}
	char low[512];
	size_t n = strlen(s);
	if (n >= sizeof(low)) {
		snprintf(err, errlen, "cache hierarchy spec too long");
		return -EINVAL;
	}
	int in_key = 1; /* keys are case-insensitive, values kept as given */
	for (size_t i = 0; i <= n; i++) {
		low[i] = in_key ? (char)tolower((unsigned char)s[i]) : s[i];
		if (s[i] == '=' || s[i] == ',')
			in_key = s[i] == ',';
	}
	struct cache_spec sp = {0};
	int rc = pb_param_defaults(cache_spec_params, &sp, err, errlen);
	if (!rc)
		rc = pb_param_parse_kv(cache_spec_params, &sp, low, NULL, err, errlen);
	if (rc) {
		char e2[256];
		snprintf(e2, sizeof(e2), "%s", err);
		snprintf(err, errlen, "bad cache hierarchy '%s': %s", s, e2);
		pb_param_free(cache_spec_params, &sp);
		return -EINVAL;
	}
	const struct pb_cache_geom *tb = pb_cache_profile_find("skylake");
	struct pb_cache_geom g = {
	    .name = "custom",
	    .source = "command line",
	    .line = (uint32_t)sp.line,
	    .l1_ns = tb->l1_ns,
	    .l2_ns = tb->l2_ns,
	    .l3_ns = tb->l3_ns,
	    .lat_source = tb->lat_source,
	};
	if (sp.line & (sp.line - 1)) {
		snprintf(err, errlen, "cache line size %llu: not a power of two",
			 (unsigned long long)sp.line);
		rc = -EINVAL;
	}
	if (!rc && !sp.l1d) {
		snprintf(err, errlen, "cache hierarchy '%s' needs L1d=SIZE:WAYS", s);
		rc = -EINVAL;
	}
	if (!rc)
		rc = parse_level("L1d", sp.l1d, g.line, &g.l1d, err, errlen);
	if (!rc && sp.l1i)
		rc = parse_level("L1i", sp.l1i, g.line, &g.l1i, err, errlen);
	else if (!rc)
		g.l1i = g.l1d;
	if (!rc && sp.l2)
		rc = parse_level("L2", sp.l2, g.line, &g.l2, err, errlen);
	if (!rc && sp.l3)
		rc = parse_level("L3", sp.l3, g.line, &g.l3, err, errlen);
	pb_param_free(cache_spec_params, &sp);
	if (rc)
		return rc;
	*out = g;
	return 0;
}

int pb_cache_parse_for(const char *s, const char *cpu, struct pb_cache_geom *out, char *err,
		       size_t errlen)
{
	if (s && !strcmp(s, "auto")) {
		const struct pb_cache_geom *p = cpu ? pb_cache_profile_find(cpu) : NULL;
		if (p) {
			*out = *p;
			return 0;
		}
		memset(out, 0, sizeof(*out));
		out->name = "none";
		out->source = "no cache profile for this TLB geometry (--caches auto); give "
			      "--caches L1d=SIZE:WAYS,... to model caches";
		out->line = 64;
		return 0;
	}
	if (s && !strcmp(s, "profile")) {
		const struct pb_cache_geom *p = cpu ? pb_cache_profile_find(cpu) : NULL;
		if (!p) {
			char names[256];
			profile_names(names, sizeof(names));
			snprintf(err, errlen,
				 "no cache profile for CPU '%s' (profiles: %s; or give "
				 "L1d=SIZE:WAYS,...)",
				 cpu ? cpu : "?", names);
			return -EINVAL;
		}
		*out = *p;
		return 0;
	}
	return pb_cache_parse(s, out, err, errlen);
}
