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

/* Key of page `vpn` of address space `asid` touched with `flags`
 * (PB_PAGE_*).  With flags 0: (asid << 48) | vpn. */
static inline uint64_t pb_page_key(uint32_t asid, uint64_t vpn, unsigned flags)
{
	uint64_t ns = asid;
	int cow_region =
	    (flags & PB_PAGE_COW) || ((flags & PB_PAGE_FILE) && !(flags & PB_PAGE_SHARED));
	if ((flags & (PB_PAGE_FILE | PB_PAGE_SHARED | PB_PAGE_COW)) &&
	    !(cow_region && (flags & PB_PAGE_WRITE)))
		ns = (flags & PB_PAGE_FILE)	? PB_PAGE_NS_FILE
		     : (flags & PB_PAGE_SHARED) ? PB_PAGE_NS_SHM
						: PB_PAGE_NS_COW;
	return (ns << PB_PAGE_VPN_BITS) | (vpn & PB_PAGE_VPN_MASK);
}

#endif /* PAGEBENCH_PAGEKEY_H */
