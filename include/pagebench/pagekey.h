/* SPDX-License-Identifier: MIT */
/*
 * pagebench/pagekey.h - the one page-key formula (base layer).
 *
 * A page key names one page object in a 64-bit integer, the identity every
 * policy, next-use pass, stack-distance pass and the engine's page table
 * agree on:
 *
 *   bits 63..48  namespace: the address space (asid) for private pages, or
 *                one of three shared namespaces below (asids must stay
 *                below PB_PAGE_NS_COW for the two never to collide);
 *   bits 47..0   virtual page number (higher bits of the vpn are dropped).
 *
 * Which namespace an access lands in follows from its region (the
 * PB_ACC_* bits of pagebench/workload.h; the PB_PAGE_* bits here have the
 * same values, checked where both are visible): anonymous private memory is
 * per address space; a file mapping is the page cache, one page whatever
 * the mapper; shared anonymous memory is one page for all mappers; the
 * pre-fork original of a copy-on-write region is shared until written.  A
 * write (PB_PAGE_WRITE) to a copy-on-write region (COW, or FILE without
 * SHARED, i.e. a private file mapping) touches the writer's private copy.
 */
#ifndef PAGEBENCH_PAGEKEY_H
#define PAGEBENCH_PAGEKEY_H

#include <stdint.h>

#define PB_PAGE_FILE   0x1u /* == PB_ACC_FILE */
#define PB_PAGE_SHARED 0x2u /* == PB_ACC_SHARED */
#define PB_PAGE_COW    0x4u /* == PB_ACC_COW */
#define PB_PAGE_WRITE  0x8u /* the access writes (selects a COW region's private copy) */

#define PB_PAGE_NS_COW	 0xfffdULL /* pre-fork originals of COW regions */
#define PB_PAGE_NS_FILE	 0xfffeULL /* page cache (file-backed pages) */
#define PB_PAGE_NS_SHM	 0xffffULL /* shared anonymous memory */
#define PB_PAGE_VPN_BITS 48
#define PB_PAGE_VPN_MASK ((1ULL << PB_PAGE_VPN_BITS) - 1)

/*
 * The namespace of each of the 16 flag sets (bits 0-3: FILE, SHARED, COW,
 * WRITE), 2 bits each: 0 the asid's, else PB_PAGE_NS_COW - 1 + it (1 COW
 * original, 2 file, 3 shared anonymous).  A region bit selects a shared
 * namespace, the first of file, shared, COW original, unless the region is
 * copy-on-write (COW, or FILE without SHARED) and the access writes: the
 * writer's copy.  A table in a constant instead of that test's branches
 * and selects: every reference is keyed.
 */
#define PB_PAGE_NS_SEL 0xb0b9b8u

/* Key of page `vpn` of address space `asid` touched with `flags`
 * (PB_PAGE_*; other bits ignored).  With flags 0: (asid << 48) | vpn. */
static inline uint64_t pb_page_key(uint32_t asid, uint64_t vpn, unsigned flags)
{
	unsigned sel = PB_PAGE_NS_SEL >> (2 * (flags & 0xfu)) & 3u;
	uint64_t ns = sel ? PB_PAGE_NS_COW - 1 + sel : asid;
	return (ns << PB_PAGE_VPN_BITS) | (vpn & PB_PAGE_VPN_MASK);
}

/* Key of the page an access touches: page `vpn` of `asid` in a region
 * with the bits `region` (PB_PAGE_FILE, _SHARED, _COW; others ignored),
 * writing or not (a write to a copy-on-write region names the writer's
 * copy).  Inline, for the readers that key every reference. */
static inline uint64_t pb_page_key_rw(uint32_t asid, uint64_t vpn, unsigned region, int write)
{
	return pb_page_key(asid, vpn,
			   (region & (PB_PAGE_FILE | PB_PAGE_SHARED | PB_PAGE_COW)) |
			       (write ? PB_PAGE_WRITE : 0));
}

#endif /* PAGEBENCH_PAGEKEY_H */
