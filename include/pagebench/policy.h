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

#include "pagebench/nextuse.h" /* pb_next_use, PB_NEXT_NONE */

#define PB_POL_ORACLE 0x1u
#define PB_POL_HW 0x2u
#define PB_POL_OFFLINE 0x4u
#define PB_POL_RANDOMISED 0x8u

/* Result of an access. */
enum pb_pol_result {
	PB_POL_HIT = 0,
	PB_POL_MISS = 1,       /* inserted, a frame was free */
	PB_POL_MISS_EVICT = 2, /* inserted, *victim was evicted */
};

struct pb_policy_cfg {
	uint64_t frames; /* capacity in pages (>= 1) */
	uint64_t seed;   /* for randomised policies */
	uint64_t expected_keys; /* hint: distinct keys in the workload (0: unknown) */
	const char *params; /* policy-specific "k=v,..." or NULL (e.g. 2q kin=0.25) */
};

struct pb_ref {
	uint64_t key;
	uint64_t pos;      /* index of this reference in the stream */
	uint64_t next_use; /* OPT: index of the next reference to key, or PB_NEXT_NONE */
	unsigned write;    /* 1 for a write (NRU/WSClock dirty classes) */
};

struct pb_policy; /* opaque; each policy embeds it first */

struct pb_policy_desc {
	const char *name;  /* --policy name: "lru", "arc", ... */
	const char *title; /* "Adaptive Replacement Cache" */
	const char *paper; /* "Megiddo & Modha, FAST 2003" */
	unsigned flags;    /* PB_POL_* */
	const char *params_help; /* or NULL */
	int (*create)(const struct pb_policy_cfg *cfg, struct pb_policy **out, char *err, size_t errlen);
	void (*destroy)(struct pb_policy *p);
	/* Report an access; on PB_POL_MISS_EVICT *victim is the evicted key. */
	enum pb_pol_result (*access)(struct pb_policy *p, const struct pb_ref *r, uint64_t *victim);
	/* Forget a resident key (unmapped by the caller).  0 or -ENOENT. */
	int (*remove)(struct pb_policy *p, uint64_t key);
	/* Number of resident keys. */
	uint64_t (*resident)(const struct pb_policy *p);
};

/* Registration table (kernels/policy/registry.c), NULL-terminated. */
extern const struct pb_policy_desc *const pb_policies[];
const struct pb_policy_desc *pb_policy_find(const char *name);

/*
 * Convenience for replay: run a whole key stream through a fresh policy and
 * count misses (faults, including cold misses).  next_use may be NULL for
 * policies without PB_POL_OFFLINE.  Returns 0 or -errno.
 */
int pb_policy_replay(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg,
		     const uint64_t *keys, const uint8_t *writes, const uint64_t *next_use,
		     size_t n, uint64_t *misses, char *err, size_t errlen);
/* pb_next_use() (next-use positions for PB_POL_OFFLINE) lives in the base
 * layer: pagebench/nextuse.h, included above. */

#endif /* PAGEBENCH_POLICY_H */
