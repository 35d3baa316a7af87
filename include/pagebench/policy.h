/* SPDX-License-Identifier: MIT */
/*
 * pagebench/policy.h - eviction strategies behind one vtable.
 *
 * A policy manages the residency of up to `frames` pages identified by
 * 64-bit keys (for the engine: (asid << 48) | vpn).  Each access of a key is
 * reported with pb_policy_access(); the policy answers hit or miss, and on a
 * miss with the cache full it names the victim it evicted.  Ghost/history
 * state (ARC's B1/B2, LIRS's non-resident HIR, CLOCK-Pro's test pages,
 * S3-FIFO's ghost queue) is the policy's own business.
 *
 * Two kinds (desc->flags):
 *  PB_POL_ORACLE: needs exact per-access information (LRU, ARC, LIRS, LFU,
 *                 2Q, ...): an OS could not run it from hardware state alone.
 *  PB_POL_HW:     works from what hardware gives an OS, the accessed and
 *                 dirty bits plus faults (CLOCK, NRU, aging, WSClock,
 *                 two-list, SIEVE...).  On a hit it only sets a reference
 *                 bit, which is what the MMU does to the PTE.
 *  PB_POL_OFFLINE: needs the future (OPT): the caller passes next-use.
 *
 * Single-thread replay is deterministic (random policies draw from the seed)
 * and reproduces published fault counts exactly.  A policy object is not
 * thread-safe: the engine serialises access to it (see kernels/vm).
 */
#ifndef PAGEBENCH_POLICY_H
#define PAGEBENCH_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pagebench/nextuse.h" /* pb_next_use, PB_NEXT_NONE */
#include "pagebench/param.h"

#define PB_POL_ORACLE	  0x1u
#define PB_POL_HW	  0x2u
#define PB_POL_OFFLINE	  0x4u
#define PB_POL_RANDOMISED 0x8u

/* Every policy's frames: 1 .. PB_POL_FRAMES_MAX - 1 (node indices are 32
 * bits and the key map doubles past the frames). */
#define PB_POL_FRAMES_MAX (1ULL << 30)

/* Result of an access. */
enum pb_pol_result {
	PB_POL_HIT = 0,
	PB_POL_MISS = 1,       /* inserted, a frame was free */
	PB_POL_MISS_EVICT = 2, /* inserted, *victim was evicted */
};

struct pb_policy_cfg {
	uint64_t frames;	/* capacity in pages (>= 1) */
	uint64_t seed;		/* for randomised policies */
	uint64_t expected_keys; /* hint: distinct keys in the workload (0: unknown) */
	const char *params;	/* policy-specific "k=v,..." or NULL (e.g. 2q kin=0.25) */
};

struct pb_ref {
	uint64_t key;
	uint64_t pos;	   /* index of this reference in the stream */
	uint64_t next_use; /* OPT: index of the next reference to key, or PB_NEXT_NONE */
	unsigned write;	   /* 1 for a write (NRU/WSClock dirty classes) */
};

struct pb_policy; /* opaque; each policy embeds it first */

/*
 * A policy's parameters: one const table of struct pb_param (pagebench/
 * param.h, the project's one parameter table) in the policy's own file,
 * {0}-terminated, over the policy object.  The table drives parsing
 * (pb_policy_spec_parse, create()), the one-line errors, `pagebench list
 * policies` and the effective list in meta.json
 * (pb_policy_params_effective).  Types used: PB_PT_DBL with
 * PB_PF_LO_OPEN (a share in (lo, hi]) and PB_PT_U64 with PB_PF_FRAMES (an
 * integer in [lo, hi], or "frames" / "frames/N", resolved here against
 * the frame count and clamped to the bounds).  See docs/policies.md, "How
 * to add a policy parameter".
 */
struct pb_policy_desc {
	const char *name;	       /* --policy name: "lru", "arc", ... */
	const char *title;	       /* "Adaptive Replacement Cache" */
	const char *paper;	       /* "Megiddo & Modha, FAST 2003" */
	unsigned flags;		       /* PB_POL_* */
	const struct pb_param *params; /* parameter table, or NULL: takes none */
	int (*create)(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err,
		      size_t errlen);
	void (*destroy)(struct pb_policy *p);
	/* Report an access; on PB_POL_MISS_EVICT *victim is the evicted key. */
	enum pb_pol_result (*access)(struct pb_policy *p, const struct pb_ref *r, uint64_t *victim);
	/* Forget a resident key (unmapped by the caller).  0 or -ENOENT. */
	int (*remove)(struct pb_policy *p, uint64_t key);
	/* Number of resident keys. */
	uint64_t (*resident)(const struct pb_policy *p);
	/* Optional (NULL: not known cheaply), for prefetching only: the node
	 * (pool index) of the key the d-th next miss evicts (d = 0: the next)
	 * if no hit comes between, or UINT32_MAX; reads the nodes before it in
	 * eviction order, not that node.  Changes nothing. */
	uint32_t (*victim_node)(const struct pb_policy *p, unsigned d);
	/* Optional, the same for a strategy without victim_node because its
	 * misses do more than take the victims out: CLOCK's also clear the
	 * reference bits they pass, so taking its next victims out with
	 * remove() (pb_policy_reclaim, the engine's batched free order) would
	 * keep bits no miss cleared.  The nodes of the next n misses' victims
	 * in eviction order into v[], in one pass, while known; returns how
	 * many.  The prefetches (pb_policy_victim, pb_policy_victims_step) ask
	 * victim_node, else this; the reclaim only victim_node. */
	unsigned (*victim_guess)(const struct pb_policy *p, uint32_t *v, unsigned n);
};

/* Registration table (kernels/policy/registry.c), NULL-terminated. */
extern const struct pb_policy_desc *const pb_policies[];
const struct pb_policy_desc *pb_policy_find(const char *name);

/*
 * Parse one policy spec "NAME[:k=v,k=v...]": *d = the policy, *params = the
 * parameters in canonical form (table order, one item per key given,
 * malloc'ed; NULL when none were given), checked against the table.  0, or
 * -EINVAL with one line in err naming the policy and the key ("policy
 * s3fifo: move_threshold=7: not an integer in [1, 3]").
 */
int pb_policy_spec_parse(const char *spec, const struct pb_policy_desc **d, char **params,
			 char *err, size_t errlen);
/*
 * Split a --policy list into specs: "s3fifo:move_threshold=2,small=0.2,lirs,
 * lru" -> {"s3fifo:move_threshold=2,small=0.2", "lirs", "lru"}.  A comma
 * item holding '=' and no ':' is a further parameter of the preceding
 * policy; any other item starts a new spec.  *specs (and each string) is
 * malloc'ed: free with pb_policy_specs_free.  0 or -EINVAL/-ENOMEM (err).
 * Specs are only split here; check each with pb_policy_spec_parse.
 */
int pb_policy_spec_split(const char *list, char ***specs, size_t *n, char *err, size_t errlen);
void pb_policy_specs_free(char **specs, size_t n);
/* Check a "k=v,..." list (NULL/"" fine) against d's table.  0 / -EINVAL. */
int pb_policy_params_check(const struct pb_policy_desc *d, const char *params, char *err,
			   size_t errlen);
/*
 * Every parameter of d with its effective value ("small=0.1,move_threshold=2"),
 * defaults filled in, table order; "" for a policy without parameters.  The
 * params must have passed pb_policy_params_check (a bad item is printed as
 * given).  Truncates to buflen like snprintf.
 */
void pb_policy_params_effective(const struct pb_policy_desc *d, const char *params, char *buf,
				size_t buflen);
/*
 * The items of a parameter list that differ from d's defaults, as given,
 * in their order ("small=0.1,move_threshold=2,lcs_ghost=0" ->
 * "move_threshold=2"; "" when every item is a default): what two effective
 * lists of one configuration share when a parameter was added since one of
 * them was written (compare's key).  Items of unknown keys or values that
 * do not parse are kept.  Truncates to buflen like snprintf.
 */
void pb_policy_params_nondefault(const struct pb_policy_desc *d, const char *params, char *buf,
				 size_t buflen);

/*
 * Convenience for replay: run a whole key stream through a fresh policy and
 * count misses (faults, including cold misses).  next_use may be NULL for
 * policies without PB_POL_OFFLINE.  Returns 0 or -errno.
 */
int pb_policy_replay(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg,
		     const uint64_t *keys, const uint8_t *writes, const uint64_t *next_use,
		     size_t n, uint64_t *misses, char *err, size_t errlen);
/*
 * References keys[0..n) through p (created by d), in order: the one replay
 * loop of every policy-only path (pb_policy_replay, `sim --model policy`'s
 * batches, bench_policy).  writes and next_use may be NULL (all reads; no
 * next use known); reference k is at stream position pos + k.  Returns the
 * misses, cold ones included; *evictions (may be NULL) gets the misses that
 * evicted.  Where the strategy's map and nodes outgrow the L2 cache, each
 * key's map slot and node are prefetched a few references ahead
 * (pb_policy_prefetch below): no effect on any result.
 */
uint64_t pb_policy_run(const struct pb_policy_desc *d, struct pb_policy *p, const uint64_t *keys,
		       const uint8_t *writes, const uint64_t *next_use, size_t n, uint64_t pos,
		       uint64_t *evictions);
/*
 * Start loading into the CPU cache what access() will read to find key: its
 * slot in the policy's key map (stage 0), or, once that is cached, the
 * node it names (stage 1).  For callers that know their next references
 * (the engine's batches); no effect on any result.  The policy's thread.
 */
void pb_policy_prefetch(struct pb_policy *p, uint64_t key, int stage);
/* The two stages with the key hashed once: stage 0 returns what stage 1
 * needs (its key-map slot and tag), to hand to pb_policy_prefetch_node
 * a few references later. */
uint64_t pb_policy_prefetch_map(struct pb_policy *p, uint64_t key);
void pb_policy_prefetch_node(struct pb_policy *p, uint64_t pf);
/*
 * The eviction order ahead, for prefetching (policies with victim_node:
 * LRU, FIFO; with victim_guess: CLOCK; others: nothing).  victim: the key
 * the d-th next miss evicts if no hit comes between (UINT64_MAX: not
 * known, d >= 8, or the policy is not full); victim_prefetch starts
 * loading that key's node without waiting for it (the nodes before it are
 * read).  A guess: changes nothing.
 */
uint64_t pb_policy_victim(const struct pb_policy *p, unsigned d);
void pb_policy_victim_prefetch(const struct pb_policy *p, unsigned d);
/*
 * One step of a prefetch pipeline over the next victims: k[d] the d-th
 * victim's key as last seen (d < 4).  0: the next victim is still k[0] (or
 * none is known), nothing done; else k[] renewed, the 5th victim's node
 * and the 4th's key-map slot start loading, and 1 when the order moved by
 * one (k[1], k[2] are the old k[2], k[3]), 2 when it did not.
 */
int pb_policy_victims_step(struct pb_policy *p, uint64_t k[4]);
/*
 * Take the next n victims out of the policy without a miss (the engine's
 * batched reclaim in free order, as Linux isolates pages from the LRU's
 * tail in batches): their keys in victims[], in eviction order; returns how
 * many (fewer when the policy holds fewer; 0 for a policy without
 * victim_node and remove).  seen (may be NULL) is called with each key as
 * the walk finds it, victims[] filled up to it, before any is removed: the
 * walk is a chain of cache misses, and the caller's own misses for the
 * victims found so far (prefetches) overlap with it.
 */
unsigned pb_policy_reclaim(struct pb_policy *p, uint64_t *victims, unsigned n,
			   void (*seen)(void *ctx, uint64_t key), void *ctx);
/* pb_next_use() (next-use positions for PB_POL_OFFLINE) lives in the base
 * layer: pagebench/nextuse.h, included above. */

/* `pagebench list policies [-v]`: the registration table, printed; verbose
 * adds each parameter as an indented NAME:key=default row. */
void pb_list_policies(FILE *f, int verbose);

#endif /* PAGEBENCH_POLICY_H */
