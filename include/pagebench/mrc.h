/* SPDX-License-Identifier: MIT */
/*
 * pagebench/mrc.h - miss-ratio curves.
 *
 * pb_mrc_lru(): LRU misses for many memory sizes in one pass over a key
 * stream, by Mattson's stack distances (Mattson, Gecsei, Slutz & Traiger,
 * IBM Systems Journal 1970).  The stack distance of a reference is the
 * number of distinct keys referenced since the previous reference to the
 * same key (inclusive of it); LRU with c frames misses exactly the
 * references whose distance exceeds c, plus the cold ones.  Distances are
 * counted by the base layer (pagebench/stackdist.h): a counted bitmap over
 * compacted time slots, O(n log distinct) time, O(distinct keys) memory.
 */
#ifndef PAGEBENCH_MRC_H
#define PAGEBENCH_MRC_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/hmap.h" /* pb_hash64 */

/*
 * keys[0..n): the reference stream; sizes[0..nsizes): memory sizes in pages
 * (any order, 0 allowed: everything misses); misses[k] receives LRU's
 * fault count (cold misses included) with sizes[k] frames.
 * Returns 0, -EINVAL (NULL arrays), -ENOMEM, -E2BIG (over 2^30 distinct
 * keys) or -EINTR: a deferred signal is pending (pagebench/outfile.h),
 * looked for every 2^16 references; misses untouched.  Single-threaded.
 */
int pb_mrc_lru(const uint64_t *keys, size_t n, const uint64_t *sizes, size_t nsizes,
	       uint64_t *misses);

/*
 * The same curve streamed: begin with the sizes, feed the keys batch by
 * batch in stream order (memory O(distinct keys) whatever the sizes, never
 * the stream), end writes misses[0..nsizes) (equal to pb_mrc_lru over the
 * whole stream) and frees.  end(NULL) only frees.  begin: 0, -EINVAL or
 * -ENOMEM; feed: 0, -ENOMEM or -E2BIG.  Single-threaded.
 */
struct pb_mrc_lru_stream;
int pb_mrc_lru_begin(const uint64_t *sizes, size_t nsizes, struct pb_mrc_lru_stream **out);
int pb_mrc_lru_feed(struct pb_mrc_lru_stream *s, const uint64_t *keys, size_t n);
void pb_mrc_lru_end(struct pb_mrc_lru_stream *s, uint64_t *misses);

/*
 * pb_mrc_opt(): OPT (Belady's MIN, opt.c's replay) misses for many sizes in
 * one pass, by Mattson's priority stack (priority = next use; Mattson et
 * al. 1970).  next_use: pb_next_use() of keys, or NULL (computed here,
 * 8 bytes per reference).  misses[k]: faults with sizes[k] frames, cold
 * misses included; equal to pb_policy_replay of "opt" at every size.
 * Two stacks, the same counts.  S = the largest size; the OPT stack is
 * nearly sorted by next use, so the prefix minima ("records") that move on
 * a reference grow with S (zipf 0.9: 70 a reference at S = 10 000 over 100k
 * pages, 992 at 100 000; 6 254 at 200 000 over 1M pages) while the runs of
 * consecutive ones they come in stay 3 to 4:
 *  - below PB_MRC_OPT_LABELS, keys in slots (mrc_opt.c): O(r + u log S) a
 *    reference for r records in u runs, a memmove a run; O(min(S, distinct
 *    keys)) memory beyond next_use;
 *  - from PB_MRC_OPT_LABELS on, keys at labels with gaps (a packed-memory
 *    array, mrc_opt_label.c): O(u log S + log^2 S amortized), whatever r;
 *    84 B a label, 2 to 4 labels a key (44 MB at S = 200 000).
 * Measured (docs/performance.md, session 26): slots 2x faster at S =
 * 10 000, labels 1.4x at 100 000 and 5x at 200 000 over a million pages;
 * `mrc --opt-method auto` weighs them against one replay a size.
 * 0, -EINVAL, -ENOMEM, -E2BIG (a size of 2^32 or more) or -EINTR (a
 * pending deferred signal, as pb_mrc_lru; the next-use pass, when
 * next_use is NULL, looks too: pb_next_use_stop).  Single-threaded.
 */
int pb_mrc_opt(const uint64_t *keys, size_t n, const uint64_t *next_use, const uint64_t *sizes,
	       size_t nsizes, uint64_t *misses);
#define PB_MRC_OPT_LABELS ((uint64_t)1 << 16) /* the largest size from which labels */

/*
 * pb_mrc_opt streamed: n is the stream's length (known from the pass that
 * computed the next uses); feed keys[0..m) with their next uses (stream
 * positions, pb_next_use's, PB_NEXT_NONE: never again) in stream order;
 * end writes misses[0..nsizes) (equal to pb_mrc_opt) once all n were fed,
 * and frees (end(NULL) only frees).  Memory O(min(the largest size,
 * distinct keys)) beside the caller's next uses.  begin: 0, -EINVAL, -ENOMEM, -E2BIG; feed: 0,
 * -ENOMEM or -ERANGE (more than n references); end: 0, or -EINVAL when
 * misses is asked for before all n were fed (misses untouched, s freed:
 * the references not fed are no misses).  Single-threaded.
 */
struct pb_mrc_opt_stream;
int pb_mrc_opt_begin(const uint64_t *sizes, size_t nsizes, uint64_t n,
		     struct pb_mrc_opt_stream **out);
int pb_mrc_opt_feed(struct pb_mrc_opt_stream *s, const uint64_t *keys, const uint64_t *next_use,
		    size_t m);
int pb_mrc_opt_end(struct pb_mrc_opt_stream *s, uint64_t *misses);

/*
 * Spatially hashed sampling (SHARDS: Waldspurger, Park, Garthwaite & Ahmad,
 * FAST 2015) for miniature simulations (Waldspurger, Saemundsson, Ahmad &
 * Park, USENIX ATC 2017).  A key k is kept iff
 *     (pb_hash64(pb_hash64(k) ^ salt) >> 40) < threshold,
 * i.e. hash mod P < T with P = 2^24 and T = round(R P) (the top 24 bits of
 * the project's one mixer, applied twice so that two salts give
 * independent samples).  Every reference to a kept key is kept, so the
 * sample is a stream over a fraction R of the keys, in order; a policy run
 * on it with round(R c) frames emulates c frames.  The effective rate
 * (what every estimate scales by) is T / P.
 */
#define PB_MRC_SAMPLE_BITS 24
struct pb_mrc_sampler {
	double rate;	    /* effective: threshold / 2^24 */
	uint64_t threshold; /* T in [1, 2^24] */
	uint64_t salt;	    /* from the seed */
};
/* rate in (0, 1]; seed picks the hash (two seeds: independent samples).
 * 0, or -EINVAL (rate out of range or below 2^-24). */
int pb_mrc_sampler_init(struct pb_mrc_sampler *s, double rate, uint64_t seed);
static inline int pb_mrc_keep(const struct pb_mrc_sampler *s, uint64_t key)
{
	return (pb_hash64(pb_hash64(key) ^ s->salt) >> (64 - PB_MRC_SAMPLE_BITS)) < s->threshold;
}
/* The frames that emulate `frames`: round(rate x frames). */
uint64_t pb_mrc_scaled(const struct pb_mrc_sampler *s, uint64_t frames);
/*
 * The sampled stream: *okeys (and *owrites when writes != NULL) hold the
 * kept references in order, *on of them; free both with
 * pb_mrc_sample_free(*okeys, *owrites, *on).  0 or -ENOMEM / -EINVAL.
 */
int pb_mrc_sample(const struct pb_mrc_sampler *s, const uint64_t *keys, const uint8_t *writes,
		  size_t n, uint64_t **okeys, uint8_t **owrites, size_t *on);
void pb_mrc_sample_free(uint64_t *keys, uint8_t *writes, size_t n);
/*
 * The sampled stream built while reading: pb_mrc_sample_add appends the
 * kept references of one batch to b (zeroed before the first; writes may
 * be NULL: b->writes stays NULL), so memory is about rate x the stream.
 * 0, -EINVAL or -ENOMEM.  pb_mrc_sample_buf_free frees.
 */
struct pb_mrc_sample_buf {
	uint64_t *keys;
	uint8_t *writes;
	size_t n, cap;
};
int pb_mrc_sample_add(const struct pb_mrc_sampler *s, const uint64_t *keys, const uint8_t *writes,
		      size_t n, struct pb_mrc_sample_buf *b);
void pb_mrc_sample_buf_free(struct pb_mrc_sample_buf *b);
/*
 * Miss ratio of the full stream of n references estimated from the misses
 * of a sampled run: sampled_misses / (rate x n), at most 1 (SHARDS_adj's
 * normalisation: by the expected sample size, not the drawn one, so a hot
 * key that happens to be sampled does not dilute the misses with its hits).
 */
double pb_mrc_sample_ratio(const struct pb_mrc_sampler *s, uint64_t sampled_misses, uint64_t n);

#endif /* PAGEBENCH_MRC_H */
