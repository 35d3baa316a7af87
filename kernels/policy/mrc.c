/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/mrc.c - LRU miss-ratio curve in one pass (see mrc.h).
 *
 * How it works: the base layer's streaming stack-distance counter
 * (pagebench/stackdist.h: a counted bitmap over compacted time slots, O(n
 * log distinct) time, O(distinct) memory) gives a histogram of distances capped
 * at the largest size asked for plus one; for every size c, misses(c) =
 * cold + #(d > c).  Mattson et al. 1970.  pb_mrc_lru_begin/_feed/_end
 * build the histogram batch by batch (`mrc` streaming the trace), grown
 * with the distances met (at most the distinct keys seen), so its memory
 * follows the keys, not the largest size (--frames up to 10^9 over a few
 * thousand pages); pb_mrc_lru feeds them a whole stream in chunks,
 * looking for a pending signal between them (polint.h).
 */
#include "polint.h"

#include "pagebench/mrc.h"
#include "pagebench/stackdist.h"

/*
 * hist[d] counts the distances d < hn; a distance can never exceed the
 * distinct keys seen, so hist grows (doubling, zeroed, up to cap + 1
 * entries) with the distances met, not with the largest size asked for.
 * over: distances beyond cap.
 */
struct pb_mrc_lru_stream {
	struct pb_stackdist sd;
	uint64_t *sizes, *hist;
	size_t nsizes;
	uint64_t cap, hn, cold, over;
};

#define MRC_LRU_HIST0 256 /* hist's first entries */

void pb_mrc_lru_end(struct pb_mrc_lru_stream *s, uint64_t *misses)
{
	if (!s)
		return;
	if (misses) {
		/* Suffix sums in place: hist[c] becomes #(d > c); every counted
		 * distance is below hn, so for c >= hn only those beyond cap. */
		uint64_t over = s->over;
		for (uint64_t c = s->hn; c-- > 0;) {
			uint64_t here = s->hist[c];
			s->hist[c] = over;
			over += here;
		}
		for (size_t k = 0; k < s->nsizes; k++)
			misses[k] =
			    s->cold + (s->sizes[k] < s->hn ? s->hist[s->sizes[k]] : s->over);
	}
	pb_stackdist_fini(&s->sd);
	pb_unmap(s->hist, s->hn * sizeof(uint64_t));
	free(s->sizes);
	free(s);
}

int pb_mrc_lru_begin(const uint64_t *sizes, size_t nsizes, struct pb_mrc_lru_stream **out)
{
	if ((!sizes && nsizes) || !out)
		return -EINVAL;
	struct pb_mrc_lru_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cap = pb_mrc_cap(sizes, nsizes, UINT64_MAX);
	s->nsizes = nsizes;
	s->hn = s->cap < MRC_LRU_HIST0 ? s->cap + 1 : MRC_LRU_HIST0;
	s->sizes = malloc((nsizes ? nsizes : 1) * sizeof(uint64_t));
	s->hist = pb_map(s->hn * sizeof(uint64_t), 0);
	if (!s->sizes || !s->hist || pb_stackdist_init(&s->sd, 0)) {
		pb_unmap(s->hist, s->hn * sizeof(uint64_t));
		free(s->sizes);
		free(s);
		return -ENOMEM;
	}
	if (nsizes)
		memcpy(s->sizes, sizes, nsizes * sizeof(uint64_t));
	*out = s;
	return 0;
}

/* Room in hist for distance d (hn <= d <= cap): doubled, at most cap + 1
 * entries.  0 or -ENOMEM. */
static int mrc_lru_grow(struct pb_mrc_lru_stream *s, uint64_t d)
{
	uint64_t hn = s->hn;
	while (hn <= d)
		hn = pb_pol_grow_capped(hn, s->cap + 1);
	uint64_t *h = pb_remap(s->hist, s->hn * sizeof(uint64_t), hn * sizeof(uint64_t));
	if (!h)
		return -ENOMEM;
	s->hist = h;
	s->hn = hn;
	return 0;
}

int pb_mrc_lru_feed(struct pb_mrc_lru_stream *s, const uint64_t *keys, size_t n)
{
	uint64_t dist[256]; /* a batch: pb_stackdist_feed_n prefetches within it */
	for (size_t i = 0, m; i < n; i += m) {
		m = n - i < PB_ARRAY_SIZE(dist) ? n - i : PB_ARRAY_SIZE(dist);
		int rc = pb_stackdist_feed_n(&s->sd, keys + i, m, dist);
		if (rc)
			return rc;
		for (size_t j = 0; j < m; j++) {
			uint64_t d = dist[j];
			if (d == PB_STACKDIST_COLD)
				s->cold++;
			else if (d > s->cap)
				s->over++;
			else if (d < s->hn || !(rc = mrc_lru_grow(s, d)))
				s->hist[d]++;
			else
				return rc;
		}
	}
	return 0;
}

/* The stream fed in chunks (polint.h: a pending signal stops it). */
int pb_mrc_lru(const uint64_t *keys, size_t n, const uint64_t *sizes, size_t nsizes,
	       uint64_t *misses)
{
	if ((!keys && n) || (!sizes && nsizes) || (!misses && nsizes))
		return -EINVAL;
	struct pb_mrc_lru_stream *s = NULL;
	int rc = pb_mrc_lru_begin(sizes, nsizes, &s);
	for (size_t i = 0, m; !rc && i < n; i += m)
		if ((m = pb_mrc_chunk(i, n, &rc)))
			rc = pb_mrc_lru_feed(s, keys + i, m);
	pb_mrc_lru_end(s, rc ? NULL : misses);
	return rc;
}
