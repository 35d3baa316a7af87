/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/fuzz_vm_engine.c - arbitrary access streams through the engine.
 *
 * Input: byte 0 picks the policy, byte 1 the prepaging mode, the page
 * table and the hint mode, byte 2 the frame count (1..32); then 3 bytes per
 * access: asid (1..4), page (0..255), op and PB_ACC_* flags in any mix
 * (a page may be touched as anonymous, file, shared and COW by turns).
 * After the replay the engine must be consistent (pb_vm_check: policy
 * residency == frames in use == resident pages; frame allocator
 * invariants) and its counts must add up; anything else aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/vm_drive.h"

#define MAXREFS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pols[] = {"fifo", "lru",   "clock", "opt",    "arc",
					   "lirs", "sieve", "2q",    "random", "nru"};
	static struct pb_access a[MAXREFS];
	static uint64_t nu[MAXREFS];
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
	size_t n = 0;
	for (size_t i = 3; i + 3 <= size && n < MAXREFS; i += 3, n++) {
		a[n].asid = 1 + (data[i] & 3);
		a[n].addr = ((uint64_t)data[i + 1] << 12) | 64;
		a[n].op = (uint8_t)((data[i + 2] & 3) % 3);
		a[n].flags = (uint16_t)((data[i + 2] >> 2) & 7);
		a[n].thread = 0;
	}
	if (!n)
		return 0;
	c.expected_keys = 4 * 256; /* every (asid, page) the input can name */
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
	if (st.refs != n || st.minor_faults + st.major_faults != st.faults ||
	    st.read_ios != st.swap_ins + st.file_reads ||
	    st.evictions != st.writebacks + st.dropped_clean || st.prepage_used > st.prepaged) {
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
