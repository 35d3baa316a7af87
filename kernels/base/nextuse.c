/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/nextuse.c - next-use positions (see pagebench/nextuse.h).
 * Backwards over the stream, the map holds per key its nearest later
 * position: the value found is keys[i]'s next use, then i replaces it.
 */
#include "pagebench/nextuse.h"
#include "pagebench/hmap.h"

int pb_next_use_stop(const uint64_t *keys, size_t n, uint64_t *next_use, int (*stop)(void))
{
	struct pb_hmap m;
	if (n && (!keys || !next_use))
		return -EINVAL;
	if (pb_hmap_init(&m, 1024))
		return -ENOMEM;
	int rc = 0;
	for (size_t i = n; i-- > 0;) {
		/* stop() before each PB_NEXT_USE_STOP references, the first included */
		if (stop && !((n - 1 - i) & (PB_NEXT_USE_STOP - 1)) && stop()) {
			rc = -EINTR;
			break;
		}
		int isnew;
		uint64_t *v = pb_hmap_upsert(&m, keys[i], &isnew);
		if (!v) {
			rc = -ENOMEM;
			break;
		}
		next_use[i] = isnew ? PB_NEXT_NONE : *v;
		*v = i;
	}
	pb_hmap_fini(&m);
	return rc;
}

int pb_next_use(const uint64_t *keys, size_t n, uint64_t *next_use)
{
	return pb_next_use_stop(keys, n, next_use, NULL);
}
