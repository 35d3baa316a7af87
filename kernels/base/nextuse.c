/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/nextuse.c - next-use positions (see pagebench/nextuse.h).
 * Backwards over the stream, the map holds per key its nearest later
 * position: the value found is keys[i]'s next use, then i replaces it.
 */
#include "pagebench/nextuse.h"
#include "pagebench/hmap.h"

int pb_next_use(const uint64_t *keys, size_t n, uint64_t *next_use)
{
	struct pb_hmap m;
	if (n && (!keys || !next_use))
		return -EINVAL;
	if (pb_hmap_init(&m, 1024))
		return -ENOMEM;
	for (size_t i = n; i-- > 0;) {
		int isnew;
		uint64_t *v = pb_hmap_upsert(&m, keys[i], &isnew);
		if (!v) {
			pb_hmap_fini(&m);
			return -ENOMEM;
		}
		next_use[i] = isnew ? PB_NEXT_NONE : *v;
		*v = i;
	}
	pb_hmap_fini(&m);
	return 0;
}
