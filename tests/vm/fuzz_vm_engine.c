/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/fuzz_vm_engine.c - arbitrary access streams through the engine.
 *
 * Input: byte 0 picks the policy, byte 1 the prepaging mode, the page
 * table, the hint mode and (bits 4-7) regions, transparent huge pages and
 * a small swap area, byte 2 the frame count (1..32; with THP and bit 7
 * set 512..1528, so 2 MiB frames exist); with regions the next 4 bytes
 * the region layout; then 3 bytes per access: asid (1..4), page, op and
 * PB_ACC_* flags in any mix (a page may be touched as anonymous, file,
 * shared and COW by turns).
 *
 *  - THP (bits 5-6: always or madvise; radix table and an online policy
 *    only, else never): pages spread over 2 MiB ranges (vpn = page << 2)
 *    so huge faults, fallbacks and whole-page evictions happen.
 *  - Swap area (bit 7): 1..64 slots, so swap fills and processes are
 *    OOM-killed.
 *  - Regions (bit 4): four blocks of 512 pages (vpn = page << 3), each
 *    described by one layout byte: kind (none, anonymous, file-shared,
 *    file-private), r/w/x, user, image, and half (the region covers only
 *    the block's first 256 pages: never a huge page).  Block 3 may be the
 *    kernel's (shared, supervisor, in every address space) instead.  Every
 *    asid gets the same regions; an access's FILE/SHARED/COW flags follow
 *    its region's kind (a workload error otherwise), KERNEL and THP come
 *    from the input.
 * After the replay the engine must be consistent (pb_vm_check: policy
 * residency == frames in use == resident pages; frame allocator
 * invariants; with regions the isolation check) and its counts must add
 * up; anything else aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vm_drive.h"

#define MAXREFS 4096
#define BLOCK	(512ULL * 4096) /* one region block: 2 MiB */

/* The regions of layout bytes lay[4] for asids 1..4 into r; their count. */
static size_t make_regions(const uint8_t *lay, struct pb_vma *r)
{
	size_t n = 0;
	for (unsigned b = 0; b < 4; b++) {
		unsigned kind = lay[b] & 3; /* 0: no region */
		int kern = b == 3 && (lay[b] & 0x80) && (lay[b] & 0x40);
		if (!kind && !kern)
			continue;
		for (uint32_t as = 1; as <= 4; as++) {
			struct pb_vma *v = &r[n++];
			memset(v, 0, sizeof(*v));
			v->asid = kern ? PB_VMA_ALL : as;
			v->start = b * BLOCK;
			v->end = v->start + ((lay[b] & 0x80) && !kern ? BLOCK / 2 : BLOCK);
			v->prot = (uint8_t)((lay[b] >> 2) & 7);
			if (kern) {
				v->kind = PB_VMA_SHM;
				v->prot |= PB_VMA_R;
				snprintf(v->name, sizeof(v->name), "kernel");
				break;
			}
			v->kind = (uint8_t)(kind - 1); /* anon, file-shared, file-private */
			v->flags = (uint8_t)(((lay[b] & 0x20) ? PB_VMA_USER : 0) |
					     ((lay[b] & 0x40) && kind > 1 ? PB_VMA_IMAGE : 0));
			v->file = kind > 1 ? 1 : 0;
			snprintf(v->name, sizeof(v->name), "b%u", b);
		}
	}
	return n;
}

/* The FILE/SHARED/COW flags an access at vpn has under regions r[n]
 * (input bits keep KERNEL and THP, and COW in an anonymous region). */
static uint16_t region_flags(const struct pb_vma *r, size_t n, uint32_t as, uint64_t addr,
			     uint16_t in)
{
	uint16_t keep = in & (PB_ACC_KERNEL | PB_ACC_THP);
	for (size_t i = 0; i < n; i++) {
		if ((r[i].asid != as && r[i].asid != PB_VMA_ALL) || addr < r[i].start ||
		    addr >= r[i].end)
			continue;
		switch (r[i].kind) {
		case PB_VMA_ANON:
			return keep | (in & PB_ACC_COW);
		case PB_VMA_FILE_SHARED:
			return keep | PB_ACC_FILE | PB_ACC_SHARED;
		case PB_VMA_FILE_PRIVATE:
			return keep | PB_ACC_FILE;
		default:
			return keep | PB_ACC_SHARED;
		}
	}
	return in; /* no region: a segv whatever the flags */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pols[] = {"fifo", "lru",   "clock", "opt",    "arc",
					   "lirs", "sieve", "2q",    "random", "nru"};
	static struct pb_access a[MAXREFS];
	static uint64_t nu[MAXREFS];
	static struct pb_vma reg[16];
	if (size < 3)
		return 0;
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.policy = pb_policy_find(pols[data[0] % (sizeof(pols) / sizeof(pols[0]))]);
	if (!c.policy)
		return 0;
	c.prepage = pb_prepages[data[1] & 3];
	c.pt = (data[1] >> 2) & 1 ? PB_VM_PT_HASHED : PB_VM_PT_RADIX;
	c.hints = (data[1] >> 3) & 1 ? PB_VM_HINTS_ABIT : PB_VM_HINTS_EXACT;
	c.frames = 1 + data[2] % 32;
	if (c.policy->flags & PB_POL_OFFLINE)
		c.prepage = &pb_prepage_demand;
	unsigned thp = (data[1] >> 5) & 3;
	if (thp == 1 && c.pt == PB_VM_PT_RADIX && !(c.policy->flags & PB_POL_OFFLINE))
		c.thp = PB_VM_THP_ALWAYS;
	else if (thp == 2 && c.pt == PB_VM_PT_RADIX && !(c.policy->flags & PB_POL_OFFLINE))
		c.thp = PB_VM_THP_MADVISE;
	if (c.thp != PB_VM_THP_NEVER && (data[2] & 0x80))
		c.frames = 512 + (uint64_t)(data[2] & 0x7f) * 8;
	if (data[1] & 0x80)
		c.swap_pages = 1 + data[2] % 64;
	size_t start = 3, nreg = 0;
	if ((data[1] >> 4) & 1) {
		if (size < 7)
			return 0;
		nreg = make_regions(data + 3, reg);
		c.regions = nreg ? reg : NULL;
		c.nregions = nreg;
		start = 7;
	}
	unsigned vshift = nreg ? 3 : c.thp != PB_VM_THP_NEVER ? 2 : 0;
	size_t n = 0;
	for (size_t i = start; i + 3 <= size && n < MAXREFS; i += 3, n++) {
		a[n].asid = 1 + (data[i] & 3);
		a[n].addr = ((uint64_t)data[i + 1] << (12 + vshift)) | 64;
		a[n].op = (uint8_t)((data[i + 2] & 3) % 3);
		a[n].flags = (uint16_t)((data[i + 2] >> 2) & 0x1f);
		if (nreg)
			a[n].flags = region_flags(reg, nreg, a[n].asid, a[n].addr, a[n].flags);
		a[n].thread = 0;
	}
	if (!n)
		return 0;
	c.expected_keys = 4 * 256 * 8; /* every (asid, page) the input (or a huge fault) names */
	struct pb_vm *vm;
	char err[256];
	if (pb_vm_create(&c, &vm, err, sizeof(err))) {
		fprintf(stderr, "create: %s\n", err);
		abort();
	}
	if (pb_vm_next_use(a, n, nu))
		abort();
	if (pb_vm_replay_team(vm, a, n, nu, 0)) {
		fprintf(stderr, "replay (%s): %s\n", c.policy->name, pb_vm_error(vm));
		abort();
	}
	struct pb_vm_stats st;
	pb_vm_stats(vm, &st);
	if (st.refs != n || st.hits + st.faults + st.segv + st.oom_skipped != n ||
	    st.thp_faults > st.faults || (!nreg && st.segv) ||
	    (c.thp == PB_VM_THP_NEVER && st.thp_faults + st.thp_fallbacks) ||
	    st.minor_faults + st.major_faults != st.faults ||
	    st.read_ios != st.swap_ins + st.file_reads ||
	    st.evictions != st.writebacks + st.dropped_clean ||
	    st.prepage_used + st.prepage_unused > st.prepaged + st.prepage_mapped) {
		fprintf(stderr, "counts do not add up (%s)\n", c.policy->name);
		abort();
	}
	if (pb_vm_check(vm, err, sizeof(err))) {
		fprintf(stderr, "check (%s): %s\n", c.policy->name, err);
		abort();
	}
	pb_vm_destroy(vm);
	return 0;
}
