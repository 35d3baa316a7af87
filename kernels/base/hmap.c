/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/hmap.c - the out-of-line half of pb_hmap (see
 * include/pagebench/hmap.h for the design): sizing, growth, deletion by
 * backward shift, iteration.
 */
#include <string.h>

#include "base_internal.h"
#include "pagebench/common.h"
#include "pagebench/hmap.h"

#define HMAP_MIN_LG	4
#define HMAP_HUGE_BYTES (4u << 20)

/*
 * populate: the whole table is written at once (growth rehashes every
 * entry into it), so it is faulted in by mmap itself (MAP_POPULATE: one
 * call, pages zeroed in the kernel) instead of page by page; a lazily
 * mapped table whose first access to a page is the probe's read maps the
 * shared zero page, and the insert's write then takes a second
 * (copy-on-write) fault whose TLB flush interrupts the other threads.
 *
 * Tables of HMAP_HUGE_BYTES and more are madvise(MADV_HUGEPAGE)d instead
 * (and not populated: their faults are 2 MiB each): every probe of a large
 * table is a random line, and with 4 KiB pages a TLB miss too.  A
 * million-key stack-distance pass ran 1.11x faster (docs/performance.md,
 * session 25); where THP is off the advice is ignored.
 */
static int hmap_alloc(struct pb_hmap *m, unsigned lg, int populate)
{
	size_t slots = (size_t)1 << lg;
	size_t bytes = slots * sizeof(struct pb_hmap_slot);
	int huge = bytes >= HMAP_HUGE_BYTES;
	struct pb_hmap_slot *s = populate && !huge ? pb_map(bytes, 1) : pb_base_map(bytes);
	if (!s)
		return -ENOMEM;
#ifdef MADV_HUGEPAGE
	if (huge)
		(void)madvise(s, bytes, MADV_HUGEPAGE);
#endif
	m->s = s;
	m->mask = slots - 1;
	m->shift = 64 - lg;
	return 0;
}

int pb_hmap_init(struct pb_hmap *m, uint64_t expect)
{
	unsigned lg = HMAP_MIN_LG;
	memset(m, 0, sizeof(*m));
	/* At most half full with `expect` entries. */
	while (lg < 62 && ((uint64_t)1 << lg) < 2 * expect)
		lg++;
	if (((uint64_t)1 << lg) < 2 * expect)
		return -ENOMEM;
	return hmap_alloc(m, lg, 0);
}

void pb_hmap_fini(struct pb_hmap *m)
{
	if (m->s)
		pb_base_unmap(m->s, (m->mask + 1) * sizeof(*m->s));
	memset(m, 0, sizeof(*m));
}

void pb_hmap_clear(struct pb_hmap *m)
{
	memset(m->s, 0, (m->mask + 1) * sizeof(*m->s));
	m->zhas = 0;
	m->zval = 0;
	m->count = 0;
}

int pb_hmap_grow(struct pb_hmap *m)
{
	struct pb_hmap n = *m;
	unsigned lg = 64 - m->shift + 1;
	if (lg > 62 || hmap_alloc(&n, lg, 1))
		return -ENOMEM;
	for (uint64_t i = 0; i <= m->mask; i++) {
		struct pb_hmap_slot s = m->s[i];
		if (!s.key)
			continue;
		uint64_t j = pb_hmap_home(&n, s.key);
		while (n.s[j].key)
			j = (j + 1) & n.mask;
		n.s[j] = s;
	}
	pb_base_unmap(m->s, (m->mask + 1) * sizeof(*m->s));
	*m = n;
	return 0;
}

int pb_hmap_del(struct pb_hmap *m, uint64_t key)
{
	if (!key) {
		if (!m->zhas)
			return -ENOENT;
		m->zhas = 0;
		m->zval = 0;
		m->count--;
		return 0;
	}
	uint64_t i = pb_hmap_home(m, key);
	for (;; i = (i + 1) & m->mask) {
		if (m->s[i].key == key)
			break;
		if (!m->s[i].key)
			return -ENOENT;
	}
	/*
	 * Backward shift: walk the run after the hole; an entry whose home is
	 * not cyclically in (hole, j] may (and must) move into the hole, which
	 * then moves to j.  The run ends at the first empty slot.
	 */
	for (uint64_t j = i;;) {
		j = (j + 1) & m->mask;
		uint64_t k = m->s[j].key;
		if (!k)
			break;
		uint64_t h = pb_hmap_home(m, k);
		if (((j - h) & m->mask) >= ((j - i) & m->mask)) {
			m->s[i] = m->s[j];
			i = j;
		}
	}
	m->s[i].key = 0;
	m->s[i].val = 0;
	m->count--;
	return 0;
}

int pb_hmap_next(const struct pb_hmap *m, uint64_t *cursor, uint64_t *key, uint64_t **val)
{
	/* Cursor 0: the side slot of key 0; cursor c >= 1: table slot c - 1. */
	uint64_t c = *cursor;
	if (c == 0) {
		*cursor = c = 1;
		if (m->zhas) {
			*key = 0;
			*val = (uint64_t *)&m->zval;
			return 1;
		}
	}
	if (!m->s)
		return 0;
	for (; c - 1 <= m->mask; c++) {
		struct pb_hmap_slot *s = &m->s[c - 1];
		if (s->key) {
			*cursor = c + 1;
			*key = s->key;
			*val = &s->val;
			return 1;
		}
	}
	*cursor = c;
	return 0;
}
