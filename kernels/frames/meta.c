/* SPDX-License-Identifier: MIT */
/*
 * kernels/frames/meta.c - per-frame metadata of pb_frames: reference count,
 * dirty flag, swap slot and the reverse map.
 *
 * The metadata lives apart from the allocator's bitfields (so that the hot
 * allocation lines carry nothing else) in 2^15-frame chunks that are mapped
 * on first write and installed in a directory by CAS (a loser unmaps its
 * copy); a read of a frame whose chunk was never written sees clean
 * metadata without mapping anything.  All-zero memory is clean metadata
 * (the swap slot is stored +1), so a fresh chunk needs no initialisation.
 *
 * Reference count, dirty flag and swap slot are single atomic words.  The
 * reverse map (as Linux's rmap, but explicit: one (asid, vpn) per mapping)
 * has one inline entry -- the common unshared page costs no allocation --
 * and an overflow list of 6-entry nodes for shared pages, taken from a pool
 * of mmap'ed slabs under a mutex (shared mappings are the cold path).  Each
 * frame's rmap is guarded by a spin bit in its own flags word, so rmap
 * operations on different frames never contend.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/frames.h"

#include "internal.h"

#define FR_POOL_NODES 512

struct fr_pool_chunk {
	struct fr_pool_chunk *next;
	struct fr_rmap_node nodes[FR_POOL_NODES];
};

struct fr_meta *pb_fr_meta_get(struct pb_frames *fa, uint64_t pfn, int create)
{
	uint64_t ch = pfn >> FR_META_SHIFT;
	struct fr_meta *chunk = pb_atomic_load(&fa->meta_dir[ch], PB_ACQUIRE);
	if (pb_likely(chunk != NULL) || !create)
		return chunk ? &chunk[pfn & (FR_META_CHUNK - 1)] : NULL;
	struct fr_meta *fresh = pb_map(FR_META_CHUNK * sizeof(struct fr_meta), 0);
	if (!fresh)
		return NULL;
	struct fr_meta *expected = NULL;
	if (pb_atomic_cas(&fa->meta_dir[ch], &expected, fresh, PB_ACQ_REL, PB_ACQUIRE)) {
		chunk = fresh;
	} else {
		pb_unmap(fresh, FR_META_CHUNK * sizeof(struct fr_meta));
		chunk = expected;
	}
	return &chunk[pfn & (FR_META_CHUNK - 1)];
}

void pb_fr_meta_fini(struct pb_frames *fa)
{
	if (fa->meta_dir)
		for (uint64_t ch = 0; ch < fa->meta_chunks; ch++)
			if (fa->meta_dir[ch])
				pb_unmap(fa->meta_dir[ch], FR_META_CHUNK * sizeof(struct fr_meta));
	while (fa->rmap_chunks) {
		struct fr_pool_chunk *c = fa->rmap_chunks;
		fa->rmap_chunks = c->next;
		pb_unmap(c, sizeof(*c));
	}
}

int pb_fr_meta_clean(const struct fr_meta *m)
{
	if (!m)
		return 1;
	return pb_atomic_load(&m->ref, PB_RELAXED) == 0 &&
	       (pb_atomic_load(&m->flags, PB_RELAXED) & (FR_META_DIRTY | FR_META_INLINE)) == 0 &&
	       pb_atomic_load(&m->swap, PB_RELAXED) == 0 && m->nover == 0 && m->over == NULL;
}

/* A write access: the chunk must exist.  Out of range or no memory for the
 * chunk is a caller bug or a dead machine; both are fatal-free no-ops that
 * return NULL. */
static struct fr_meta *meta_w(struct pb_frames *fa, pb_pfn_t pfn)
{
	if (pfn.v >= fa->nframes)
		return NULL;
	return pb_fr_meta_get(fa, pfn.v, 1);
}

static struct fr_meta *meta_r(struct pb_frames *fa, pb_pfn_t pfn)
{
	if (pfn.v >= fa->nframes)
		return NULL;
	return pb_fr_meta_get(fa, pfn.v, 0);
}

/* ---- reference count, dirty, swap ---- */

uint32_t pb_frames_get(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_w(fa, pfn);
	return m ? pb_atomic_fetch_add(&m->ref, 1u, PB_ACQ_REL) + 1 : 0;
}

uint32_t pb_frames_put(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (!m)
		return 0;
	uint32_t old = pb_atomic_load(&m->ref, PB_RELAXED);
	do {
		if (pb_unlikely(old == 0))
			return UINT32_MAX; /* put without a get: refused, count stays 0 */
	} while (!pb_atomic_cas_weak(&m->ref, &old, old - 1, PB_RELEASE, PB_RELAXED));
	if (old == 1)
		pb_fence_acquire(); /* the last put sees every earlier holder's writes */
	return old - 1;
}

uint32_t pb_frames_refcount(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	return m ? pb_atomic_load(&m->ref, PB_RELAXED) : 0;
}

void pb_frames_set_dirty(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_w(fa, pfn);
	if (m)
		pb_atomic_fetch_or(&m->flags, FR_META_DIRTY, PB_RELEASE);
}

void pb_frames_clear_dirty(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (m)
		pb_atomic_fetch_and(&m->flags, ~FR_META_DIRTY, PB_RELEASE);
}

bool pb_frames_test_clear_dirty(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (!m)
		return false;
	return pb_atomic_fetch_and(&m->flags, ~FR_META_DIRTY, PB_ACQ_REL) & FR_META_DIRTY;
}

bool pb_frames_is_dirty(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	return m && (pb_atomic_load(&m->flags, PB_ACQUIRE) & FR_META_DIRTY);
}

void pb_frames_set_swap(struct pb_frames *fa, pb_pfn_t pfn, uint64_t slot)
{
	struct fr_meta *m = slot == PB_FRAMES_NO_SWAP ? meta_r(fa, pfn) : meta_w(fa, pfn);
	if (m)
		pb_atomic_store(&m->swap, slot + 1, PB_RELEASE); /* NO_SWAP + 1 == 0 */
}

uint64_t pb_frames_get_swap(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	return m ? pb_atomic_load(&m->swap, PB_ACQUIRE) - 1 : PB_FRAMES_NO_SWAP;
}

/* ---- the per-frame lock and the overflow pool ---- */

static void meta_lock(struct fr_meta *m)
{
	for (;;) {
		uint32_t old = pb_atomic_fetch_or(&m->flags, FR_META_LOCK, PB_ACQUIRE);
		if (!(old & FR_META_LOCK))
			return;
		while (pb_atomic_load(&m->flags, PB_RELAXED) & FR_META_LOCK)
			pb_cpu_relax();
	}
}

static void meta_unlock(struct fr_meta *m)
{
	pb_atomic_fetch_and(&m->flags, ~FR_META_LOCK, PB_RELEASE);
}

static struct fr_rmap_node *node_get(struct pb_frames *fa)
{
	pthread_mutex_lock(&fa->lock);
	if (!fa->rmap_free) {
		struct fr_pool_chunk *c = pb_map(sizeof(*c), 0);
		if (!c) {
			pthread_mutex_unlock(&fa->lock);
			return NULL;
		}
		c->next = fa->rmap_chunks;
		fa->rmap_chunks = c;
		for (unsigned i = 0; i < FR_POOL_NODES; i++) {
			c->nodes[i].next = fa->rmap_free;
			fa->rmap_free = &c->nodes[i];
		}
	}
	struct fr_rmap_node *n = fa->rmap_free;
	fa->rmap_free = n->next;
	pthread_mutex_unlock(&fa->lock);
	memset(n, 0, sizeof(*n));
	return n;
}

static void node_put(struct pb_frames *fa, struct fr_rmap_node *n)
{
	pthread_mutex_lock(&fa->lock);
	n->next = fa->rmap_free;
	fa->rmap_free = n;
	pthread_mutex_unlock(&fa->lock);
}

/* ---- reverse map ---- */

static int rmap_has(const struct fr_meta *m, pb_asid_t as, uint64_t vpn)
{
	uint32_t fl = pb_atomic_load(&m->flags, PB_RELAXED);
	if ((fl & FR_META_INLINE) && m->ras == as && m->rvpn == vpn)
		return 1;
	for (const struct fr_rmap_node *n = m->over; n; n = n->next)
		for (unsigned i = 0; i < n->n; i++)
			if (n->e[i].as == as && n->e[i].vpn == vpn)
				return 1;
	return 0;
}

int pb_frames_rmap_add(struct pb_frames *fa, pb_pfn_t pfn, pb_asid_t as, pb_vpn_t vpn)
{
	struct fr_meta *m = meta_w(fa, pfn);
	if (!m)
		return pfn.v >= fa->nframes ? -EINVAL : -ENOMEM;
	meta_lock(m);
	int rc = 0;
	if (rmap_has(m, as, vpn.v)) {
		rc = -EEXIST;
	} else if (!(pb_atomic_load(&m->flags, PB_RELAXED) & FR_META_INLINE)) {
		m->ras = as;
		m->rvpn = vpn.v;
		pb_atomic_fetch_or(&m->flags, FR_META_INLINE, PB_RELAXED);
	} else {
		struct fr_rmap_node *n = m->over;
		if (!n || n->n == FR_RMAP_NODE_ENTS) {
			n = node_get(fa);
			if (!n) {
				rc = -ENOMEM;
				goto out;
			}
			n->next = m->over;
			m->over = n;
		}
		n->e[n->n].as = as;
		n->e[n->n].vpn = vpn.v;
		n->n++;
		m->nover++;
	}
out:
	meta_unlock(m);
	return rc;
}

int pb_frames_rmap_remove(struct pb_frames *fa, pb_pfn_t pfn, pb_asid_t as, pb_vpn_t vpn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (!m)
		return pfn.v >= fa->nframes ? -EINVAL : -ENOENT;
	meta_lock(m);
	int rc = -ENOENT;
	struct fr_rmap_node *head = m->over;
	uint32_t fl = pb_atomic_load(&m->flags, PB_RELAXED);
	if ((fl & FR_META_INLINE) && m->ras == as && m->rvpn == vpn.v) {
		/* Refill the inline slot from the overflow list if it has one. */
		if (head) {
			head->n--;
			m->ras = head->e[head->n].as;
			m->rvpn = head->e[head->n].vpn;
			m->nover--;
		} else {
			pb_atomic_fetch_and(&m->flags, ~FR_META_INLINE, PB_RELAXED);
			m->ras = 0;
			m->rvpn = 0;
		}
		rc = 0;
	} else {
		for (struct fr_rmap_node *n = head; n && rc; n = n->next) {
			for (unsigned i = 0; i < n->n; i++) {
				if (n->e[i].as == as && n->e[i].vpn == vpn.v) {
					/* Fill the hole with the head node's last entry. */
					head->n--;
					n->e[i] = head->e[head->n];
					m->nover--;
					rc = 0;
					break;
				}
			}
		}
	}
	if (head && head->n == 0) {
		m->over = head->next;
		node_put(fa, head);
	}
	meta_unlock(m);
	return rc;
}

int pb_frames_rmap_each(struct pb_frames *fa, pb_pfn_t pfn,
			int (*cb)(void *arg, pb_asid_t as, pb_vpn_t vpn), void *arg)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (!m)
		return 0;
	meta_lock(m);
	int rc = 0;
	if (pb_atomic_load(&m->flags, PB_RELAXED) & FR_META_INLINE)
		rc = cb(arg, m->ras, PB_VPN(m->rvpn));
	for (struct fr_rmap_node *n = m->over; n && !rc; n = n->next)
		for (unsigned i = 0; i < n->n && !rc; i++)
			rc = cb(arg, n->e[i].as, PB_VPN(n->e[i].vpn));
	meta_unlock(m);
	return rc;
}

unsigned pb_frames_rmap_count(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (!m)
		return 0;
	meta_lock(m);
	unsigned c = m->nover + ((pb_atomic_load(&m->flags, PB_RELAXED) & FR_META_INLINE) ? 1 : 0);
	meta_unlock(m);
	return c;
}

void pb_frames_meta_reset(struct pb_frames *fa, pb_pfn_t pfn)
{
	struct fr_meta *m = meta_r(fa, pfn);
	if (!m)
		return;
	meta_lock(m);
	while (m->over) {
		struct fr_rmap_node *n = m->over;
		m->over = n->next;
		node_put(fa, n);
	}
	m->nover = 0;
	m->ras = 0;
	m->rvpn = 0;
	pb_atomic_store(&m->ref, 0u, PB_RELAXED);
	pb_atomic_store(&m->swap, 0, PB_RELAXED);
	/* Clears dirty, inline and (last) the lock bit itself. */
	pb_atomic_store(&m->flags, 0u, PB_RELEASE);
}
