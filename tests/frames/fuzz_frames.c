/* SPDX-License-Identifier: MIT */
/*
 * tests/frames/fuzz_frames.c - the input is a program of allocator
 * operations (alloc/free of 4 KiB and 2 MiB frames through two caches of two
 * nodes and the cache-less calls, double frees, drains, rmap/ref/dirty on
 * held frames, checks), run against a model that owns a byte per frame.
 * Any frame handed out twice, a huge frame overlapping a small one, a
 * double free that is accepted, a legal free that is refused, or a failed
 * pb_frames_check aborts.  At the end everything is freed and the
 * allocator must be whole again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/frames.h"

#define AREAS	6
#define NFRAMES (AREAS * 512 - 100)
#define MAXHELD 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct held {
	uint64_t pfn;
	int huge;
};

static void fail(const char *what, uint64_t pfn)
{
	fprintf(stderr, "fuzz_frames: %s (pfn %llu)\n", what, (unsigned long long)pfn);
	abort();
}

static void must_check(struct pb_frames *fa)
{
	char err[256];
	if (pb_frames_check(fa, err, sizeof(err))) {
		fprintf(stderr, "fuzz_frames: check failed: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t own[AREAS * 512];
	static struct held h[MAXHELD];
	/* 2 MiB frames freed through the cache-less call and not handed out
	 * again since: their area is not HUGE now (free, or partly claimed by
	 * a cache refill), so a second huge free must fail. */
	static uint64_t freed_global[64];
	unsigned nh = 0, nfg = 0;
	memset(own, 0, sizeof(own));
	struct pb_frames_cfg cfg = {.nframes = NFRAMES, .nnodes = 2, .cache_cap = 32};
	struct pb_frames *fa;
	if (pb_frames_create(&cfg, &fa))
		fail("create", 0);
	struct pb_frames_cache *c[2] = {pb_frames_cache_create(fa, 0),
					pb_frames_cache_create(fa, 1)};
	if (!c[0] || !c[1])
		fail("cache create", 0);

	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i], arg = data[i + 1];
		unsigned ci = op & 1;
		switch ((op >> 1) % 8) {
		case 0:	  /* small alloc */
		case 1: { /* (twice as likely) */
			if (nh == MAXHELD)
				break;
			pb_pfn_t p;
			int rc = (op & 0x80) ? pb_frames_alloc(fa, (int)ci, 0, &p)
					     : pb_frames_cache_alloc(c[ci], 0, &p);
			if (rc == -ENOMEM)
				break;
			if (rc || p.v >= NFRAMES)
				fail("small alloc", p.v);
			if (own[p.v]++)
				fail("frame handed out twice", p.v);
			h[nh++] = (struct held){p.v, 0};
			break;
		}
		case 2: { /* huge alloc */
			if (nh == MAXHELD)
				break;
			pb_pfn_t p;
			int rc = (op & 0x80) ? pb_frames_alloc(fa, (int)ci, PB_HUGE_ORDER, &p)
					     : pb_frames_cache_alloc(c[ci], PB_HUGE_ORDER, &p);
			if (rc == -ENOMEM)
				break;
			if (rc || p.v % 512 || p.v + 512 > NFRAMES)
				fail("huge alloc", p.v);
			for (unsigned k = 0; k < 512; k++)
				if (own[p.v + k]++)
					fail("huge frame overlaps a held frame", p.v + k);
			for (unsigned k = 0; k < nfg; k++)
				if (freed_global[k] == p.v)
					freed_global[k--] = freed_global[--nfg];
			h[nh++] = (struct held){p.v, 1};
			break;
		}
		case 3:
		case 4: { /* free a held frame, through a cache or cache-less */
			if (!nh)
				break;
			unsigned j = arg % nh;
			struct held x = h[j];
			h[j] = h[--nh];
			for (unsigned k = 0; k < (x.huge ? 512u : 1u); k++)
				own[x.pfn + k] = 0;
			int global = op & 0x80;
			int rc = global
				     ? pb_frames_free(fa, PB_PFN(x.pfn), x.huge ? PB_HUGE_ORDER : 0)
				     : pb_frames_cache_free(c[ci], PB_PFN(x.pfn),
							    x.huge ? PB_HUGE_ORDER : 0);
			if (rc)
				fail("legal free refused", x.pfn);
			/* Right after a cache-less free the frame is free
			 * globally: freeing it again must be refused. */
			if (global && pb_frames_free(fa, PB_PFN(x.pfn),
						     x.huge ? PB_HUGE_ORDER : 0) != -EINVAL)
				fail("double free accepted", x.pfn);
			if (global && x.huge && nfg < 64)
				freed_global[nfg++] = x.pfn;
			break;
		}
		case 5: /* a later double free of a 2 MiB frame: refused */
			if (nfg) {
				uint64_t p = freed_global[arg % nfg];
				if (pb_frames_free(fa, PB_PFN(p), PB_HUGE_ORDER) != -EINVAL)
					fail("late double free of a huge frame accepted", p);
			}
			break;
		case 6: /* metadata on a held frame, left clean again */
			if (nh) {
				pb_pfn_t p = PB_PFN(h[arg % nh].pfn);
				for (unsigned k = 0; k < (arg & 15u); k++)
					if (pb_frames_rmap_add(fa, p, k, PB_VPN(arg)))
						fail("rmap add", p.v);
				pb_frames_get(fa, p);
				if (arg & 16)
					pb_frames_set_dirty(fa, p);
				if (pb_frames_rmap_count(fa, p) != (arg & 15u))
					fail("rmap count", p.v);
				if (arg & 32)
					pb_frames_meta_reset(fa, p);
				else {
					for (unsigned k = 0; k < (arg & 15u); k++)
						if (pb_frames_rmap_remove(fa, p, k, PB_VPN(arg)))
							fail("rmap remove", p.v);
					pb_frames_put(fa, p);
					pb_frames_clear_dirty(fa, p);
				}
			}
			break;
		case 7:
			if (arg & 1)
				pb_frames_cache_drain(c[ci]);
			else
				must_check(fa);
			break;
		}
	}
	must_check(fa);
	struct pb_frames_stats st;
	pb_frames_stats(fa, -1, &st);
	uint64_t held = 0;
	for (unsigned j = 0; j < nh; j++)
		held += h[j].huge ? 512 : 1;
	if (st.used != held)
		fail("stats used != frames held", st.used);
	while (nh) {
		struct held x = h[--nh];
		if (pb_frames_free(fa, PB_PFN(x.pfn), x.huge ? PB_HUGE_ORDER : 0))
			fail("final free", x.pfn);
	}
	pb_frames_cache_destroy(c[0]);
	pb_frames_cache_destroy(c[1]);
	must_check(fa);
	pb_frames_stats(fa, -1, &st);
	if (st.free != NFRAMES || st.used || st.cached)
		fail("not whole at the end", st.free);
	pb_frames_destroy(fa);
	return 0;
}
