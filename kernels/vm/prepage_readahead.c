/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/prepage_readahead.c - sequential readahead.
 *
 * Linux's ondemand readahead in its simplest form: on a major fault, read
 * the next `window` - 1 pages of the same stream that are on the backing
 * store and not resident.  A stream is (address space, kind of page); its
 * state (struct vm_ra, like a file's file_ra_state) remembers where the
 * previous window ended: a fault there is sequential and doubles the
 * window up to cfg.readahead_max (default 32 pages = ra_pages 128 KiB),
 * any other fault starts again at RA_INIT pages.  The state lives in the
 * engine under the fault lock, not per thread, so decisions do not depend
 * on the thread count.
 */
#include "pagebench/vm.h"
#include "vm_internal.h"

#define RA_INIT 4 /* first readahead window (pages) */

static void readahead_after_fault(struct pb_vm *vm, const struct vm_fault_ctx *f)
{
	const struct pb_access *a = f->a;
	enum pg_kind k = kind_of(a->flags);
	uint64_t vpn = f->vpn;
	if (!f->major)
		return;
	struct vm_ra *ra = &vm->ra[(a->asid * 4u + (unsigned)k) % RA_SLOTS];
	if (ra->as == a->asid && vpn == ra->next && ra->window) {
		ra->window *= 2;
		if (ra->window > vm->cfg.readahead_max)
			ra->window = vm->cfg.readahead_max;
	} else {
		ra->window = RA_INIT < vm->cfg.readahead_max ? RA_INIT : vm->cfg.readahead_max;
	}
	ra->as = a->asid;
	uint64_t w = ra->window;
	for (uint64_t i = 1; i < w; i++) {
		uint64_t key = k == K_ANON ? priv_key(a->asid, vpn + i) : shared_key(k, vpn + i);
		if (vm_prepage_readable(vm, key))
			vm_prepage_one(vm, f->t, key, f->pos);
	}
	ra->next = vpn + w;
}

const struct pb_prepage_desc pb_prepage_readahead = {
    .name = "readahead",
    .help = "growing window on sequential major faults (Linux ondemand readahead)",
    .after_fault = readahead_after_fault,
};
