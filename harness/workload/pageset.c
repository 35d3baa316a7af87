/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/pageset.c - a u64 -> u64 open-addressing hash map
 * (linear probing, power-of-two capacity, grows at 50 % load).  Used for
 * distinct-page counts, reuse distances, CSV namespaces and next-use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wl_internal.h"

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

int wl_map_init(struct wl_map *m, size_t cap)
{
	size_t c = 16;
	while (c < cap * 2)
		c <<= 1;
	m->keys = calloc(c, sizeof(*m->keys));
	m->vals = calloc(c, sizeof(*m->vals));
	m->cap = c;
	m->n = 0;
	if (!m->keys || !m->vals) {
		wl_map_free(m);
		return -ENOMEM;
	}
	return 0;
}

static int grow(struct wl_map *m)
{
	struct wl_map nm;
	if (wl_map_init(&nm, m->cap))
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = mix(m->keys[i] - 1) & (nm.cap - 1);
		while (nm.keys[j])
			j = (j + 1) & (nm.cap - 1);
		nm.keys[j] = m->keys[i];
		nm.vals[j] = m->vals[i];
	}
	nm.n = m->n;
	free(m->keys);
	free(m->vals);
	*m = nm;
	return 0;
}

uint64_t *wl_map_get(struct wl_map *m, uint64_t key, int *isnew)
{
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return NULL;
	size_t j = mix(key) & (m->cap - 1);
	uint64_t k1 = key + 1;
	for (;;) {
		if (m->keys[j] == k1) {
			*isnew = 0;
			return &m->vals[j];
		}
		if (!m->keys[j]) {
			/* key UINT64_MAX would wrap to the empty marker: fold it */
			m->keys[j] = k1 ? k1 : 1;
			m->vals[j] = 0;
			m->n++;
			*isnew = 1;
			return &m->vals[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
}

void wl_map_free(struct wl_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	m->cap = m->n = 0;
}
