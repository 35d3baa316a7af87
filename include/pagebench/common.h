/* SPDX-License-Identifier: MIT */
/*
 * pagebench/common.h - types and conventions shared by every module.
 *
 * Error convention (one per layer, as in Linux): core functions return 0 or
 * a negative errno (-ENOMEM, -EINVAL, -EEXIST, -ENOENT, ...).  The CLI turns
 * that into one clear line on stderr and an exit code (2 for bad usage or
 * bad input, 1 for a failed run).
 */
#ifndef PAGEBENCH_COMMON_H
#define PAGEBENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define PB_CACHELINE  64
#define PB_PAGE_SHIFT 12
#define PB_PAGE_SIZE  (1UL << PB_PAGE_SHIFT)
#define PB_HUGE_SHIFT 21
#define PB_HUGE_SIZE  (1UL << PB_HUGE_SHIFT)
#define PB_HUGE_ORDER (PB_HUGE_SHIFT - PB_PAGE_SHIFT) /* 9 */

#define pb_likely(x)	 __builtin_expect(!!(x), 1)
#define pb_unlikely(x)	 __builtin_expect(!!(x), 0)
#define PB_ALIGNED(n)	 __attribute__((aligned(n)))
#define PB_UNUSED	 __attribute__((unused))
#define PB_MUST_CHECK	 __attribute__((warn_unused_result))
#define PB_PRINTF(f, a)	 __attribute__((format(printf, f, a)))
#define PB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Virtual page numbers and physical frame numbers are distinct types so that
 * one cannot be passed where the other is meant (as llfree-c wraps frame
 * ids).  Construct with PB_VPN()/PB_PFN(), read with .v.
 */
typedef struct {
	uint64_t v;
} pb_vpn_t;
typedef struct {
	uint64_t v;
} pb_pfn_t;
#define PB_VPN(x)   ((pb_vpn_t){.v = (uint64_t)(x)})
#define PB_PFN(x)   ((pb_pfn_t){.v = (uint64_t)(x)})
#define PB_PFN_NONE PB_PFN(UINT64_MAX)

/* An address space (simulated process) id. */
typedef uint32_t pb_asid_t;

/* Monotonic wall clock in nanoseconds (CLOCK_MONOTONIC). */
uint64_t pb_now_ns(void);
/* qsort's comparator of uint64_t, ascending. */
int pb_cmp_u64(const void *a, const void *b);

/*
 * splitmix64: the seed expander used everywhere a stream of random numbers is
 * derived from a user seed, so that every generator is reproducible from the
 * one seed recorded in meta.json.
 */
static inline uint64_t pb_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * FNV-1a 64 of the n bytes at p, going on from h (PB_FNV1A64_INIT to
 * start): pb_fnv1a64(pb_fnv1a64(PB_FNV1A64_INIT, a, na), b, nb) is the
 * hash of a then b.  The one copy: a trace's partial identity
 * config.trace.hash (vm_drive.c; meta.json's inputs[].hash where no pass
 * read the whole file) and a CSV
 * trace's namespace keys (fmt_csv.c) hash with it, and are compared across
 * runs, so its values never change (tests/base/test_fnv1a.c).
 */
#define PB_FNV1A64_INIT 0xcbf29ce484222325ULL
static inline uint64_t pb_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* xoshiro256** state: fast, high-quality PRNG for generators and policies. */
struct pb_rng {
	uint64_t s[4];
};
void pb_rng_seed(struct pb_rng *r, uint64_t seed);
static inline uint64_t pb_rng_next(struct pb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t result = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}
/* Uniform in [0, n) without modulo bias worth caring about (Lemire). */
static inline uint64_t pb_rng_below(struct pb_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)pb_rng_next(r) * n) >> 64);
}
/* Uniform double in [0, 1). */
static inline double pb_rng_double(struct pb_rng *r)
{
	return (double)(pb_rng_next(r) >> 11) * 0x1.0p-53;
}

/*
 * Memory that a kernel measures is mapped, never malloc'ed (so the
 * allocator's purging cannot land inside a timed region).  pb_map() returns
 * zeroed, optionally pre-faulted memory or NULL; pb_unmap() releases it.
 */
void *pb_map(size_t bytes, int prefault);
void pb_unmap(void *p, size_t bytes);
/*
 * pb_map for a table that is read before it is written, page by page (an
 * index looked up before its slot is filled): zero-filled, not pre-faulted,
 * and a read of an untouched page allocates it - "nozero": no zero page
 * (shared anonymous memory, not the private kind whose first read maps the
 * kernel's zero page).  With the private kind the write that follows such
 * a read is a second, copy-on-write fault whose TLB flush interrupts every
 * other CPU running the process (a sweep's engine jobs on two workers: 5%
 * of their CPU).  Each call is a mapping of its own (shared ones never
 * merge): carve small tables from a larger block.  Not inherited across
 * fork (MADV_DONTFORK): the child would share the pages.
 */
void *pb_map_nozero(size_t bytes);
/*
 * Resize a pb_map'ed block of old bytes (NULL, 0: a new one) to bytes,
 * contents kept: the kernel moves its pages (mremap), nothing is copied
 * and no page is faulted in again (under ThreadSanitizer, which does not
 * follow mremap, it copies); a grown tail is zero.  The new address, or
 * NULL with p still valid and unchanged.
 */
void *pb_remap(void *p, size_t old, size_t bytes);
/* The machine's memory in bytes (sysconf), UINT64_MAX where it cannot
 * tell. */
uint64_t pb_phys_bytes(void);
/*
 * Tables the engine and the page tables walk at random: `bytes` of zeroed
 * memory starting 2 MiB aligned, advised to use transparent huge pages past
 * its first small_head bytes when at least 2 MiB remain (a hint: fine where
 * THP is off).  r keeps the mapping for pb_unmap_region.  NULL if out of
 * memory.
 */
struct pb_region {
	void *raw;
	size_t raw_bytes;
};
void *pb_map_huge(size_t bytes, size_t small_head, struct pb_region *r);
void pb_unmap_region(struct pb_region *r);

/*
 * A whole file, NUL-terminated, malloc'ed; *len (optional) gets its size.
 * NULL if it cannot be opened or read (errno says why).
 */
char *pb_slurp(const char *path, size_t *len);

#endif /* PAGEBENCH_COMMON_H */
