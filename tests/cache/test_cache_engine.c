/* SPDX-License-Identifier: MIT */
/*
 * tests/cache/test_cache_engine.c - the CPU caches in front of the engine's
 * DRAM (kernels/vm/caches.c) and their sim.csv columns.
 *  - Bookkeeping: every reference is one L1 access (L1d or, for fetches,
 *    L1i), L2 sees the L1 misses, L3 the L2 misses; paging results (faults,
 *    TLB counts) are those of the same run without caches.
 *  - A hand-worked case: one page at offsets 0, 64, 0, 64, 4095 and a fetch
 *    at 0: L1d miss, miss, hit, hit, miss; L1i miss; L2 hits the fetch.
 *  - The cost: EAT with caches minus EAT without is the per-level charge
 *    computed here from the counts and the profiles' latencies.
 *  - `pagebench sim`: with --caches none the eight columns are NA and
 *    meta.json "not_available" says why; with a profile they are numbers
 *    that add up to refs (read back with the CSV reader and jansson).
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pagebench/vm_drive.h"
#include "pbtest.h"
#include "spawn.h"

#define N 20000
static struct pb_access acc[N];

static int run(const struct pb_vm_cfg *c, const struct pb_access *a, size_t n,
	       struct pb_vm_stats *st, double *eat)
{
	struct pb_vm *vm = NULL;
	char err[256] = "";
	int rc = pb_vm_create(c, &vm, err, sizeof(err));
	if (!rc && !(rc = pb_vm_replay_team(vm, a, n, NULL, 0)))
		rc = pb_vm_check(vm, err, sizeof(err));
	if (vm) {
		pb_vm_stats(vm, st);
		*eat = pb_vm_eat_ns(vm, st);
		pb_vm_destroy(vm);
	}
	if (rc)
		fprintf(stderr, "engine: %s\n", err[0] ? err : "replay failed");
	return rc;
}

static void engine(void)
{
	uint64_t x = 7;
	for (size_t i = 0; i < N; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		acc[i].addr = ((x >> 40) % 512) << 12 | ((x >> 20) & 4095);
		acc[i].op = (x & 7) == 0 ? PB_OP_FETCH : (x & 7) == 1 ? PB_OP_WRITE : PB_OP_READ;
	}
	char err[256];
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.frames = 256;
	struct pb_vm_stats off, on;
	double eat_off, eat_on;
	PB_CHECK(run(&c, acc, N, &off, &eat_off) == 0);
	PB_CHECK_EQ_U64(off.l1d_hits + off.l1d_misses + off.l3_misses, 0); /* off by default */
	PB_CHECK(pb_cache_parse("skylake", &c.caches, err, sizeof(err)) == 0);
	PB_CHECK(run(&c, acc, N, &on, &eat_on) == 0);
	PB_CHECK_EQ_U64(on.l1d_hits + on.l1d_misses + on.l1i_hits + on.l1i_misses, on.refs);
	PB_CHECK_EQ_U64(on.l2_hits + on.l2_misses, on.l1d_misses + on.l1i_misses);
	PB_CHECK_EQ_U64(on.l3_hits + on.l3_misses, on.l2_misses);
	PB_CHECK(on.l1d_hits > 0 && on.l1i_misses > 0 && on.l2_hits > 0 && on.l3_misses > 0);
	/* the caches change no paging result */
	PB_CHECK_EQ_U64(on.faults, off.faults);
	PB_CHECK_EQ_U64(on.tlb_misses, off.tlb_misses);
	PB_CHECK_EQ_U64(on.evictions, off.evictions);
	/* the cost: per-level charges instead of one DRAM access per reference */
	const struct pb_cost_device *d = c.device;
	double want = ((double)on.refs * c.caches.l1_ns +
		       (double)(on.l2_hits + on.l2_misses) * c.caches.l2_ns +
		       (double)(on.l3_hits + on.l3_misses) * c.caches.l3_ns +
		       (double)on.l3_misses * d->dram_ns - (double)on.refs * d->dram_ns) /
		      (double)on.refs;
	PB_CHECK_MSG(fabs((eat_on - eat_off) - want) < 1e-6, "eat %g - %g, want %g", eat_on,
		     eat_off, want);

	/* by hand: offsets 0, 64, 0, 64, 4095 of one page, then a fetch at 0 */
	static const uint64_t off_[] = {0, 64, 0, 64, 4095};
	struct pb_access h[6] = {{0}};
	for (int i = 0; i < 5; i++) {
		h[i].addr = (5ULL << 12) | off_[i];
		h[i].op = PB_OP_READ;
	}
	h[5].addr = 5ULL << 12;
	h[5].op = PB_OP_FETCH;
	PB_CHECK(run(&c, h, 6, &on, &eat_on) == 0);
	/* L1d: m m h h m; L1i: m.  L2 sees the 4 L1 misses; the fetch finds
	 * line 0 there (the load filled it: caches below L1 are unified), the
	 * 3 distinct lines are cold in L2 and L3 */
	const uint64_t got[] = {on.l1d_misses, on.l1d_hits,  on.l1i_misses,
				on.l2_hits,    on.l2_misses, on.l3_misses};
	const uint64_t by_hand[] = {3, 2, 1, 1, 3, 3};
	for (size_t i = 0; i < PB_ARRAY_SIZE(got); i++)
		PB_CHECK_MSG(got[i] == by_hand[i], "count %zu: %llu, by hand %llu", i,
			     (unsigned long long)got[i], (unsigned long long)by_hand[i]);
	/* no L2/L3: what leaves L1 goes to DRAM, and the NA reasons name the level */
	PB_CHECK(pb_cache_parse("L1d=4K:4", &c.caches, err, sizeof(err)) == 0);
	PB_CHECK(run(&c, acc, N, &on, &eat_on) == 0);
	PB_CHECK_EQ_U64(on.l2_hits + on.l2_misses + on.l3_hits + on.l3_misses, 0);
	want =
	    ((double)on.refs * c.caches.l1_ns +
	     (double)(on.l1d_misses + on.l1i_misses) * d->dram_ns - (double)on.refs * d->dram_ns) /
	    (double)on.refs;
	PB_CHECK(fabs((eat_on - eat_off) - want) < 1e-6);
	PB_CHECK(pb_vm_cache_event_na(PB_VM_EV_l2_hits, &c.caches) != NULL);
	PB_CHECK(pb_vm_cache_event_na(PB_VM_EV_l1d_hits, &c.caches) == NULL);
	PB_CHECK(pb_vm_cache_event_na(PB_VM_EV_faults, &c.caches) == NULL);
	/* auto: the TLB profile's CPU, or none with the reason */
	PB_CHECK(pb_cache_parse_for("auto", "zen4", &c.caches, err, sizeof(err)) == 0);
	PB_CHECK(!strcmp(c.caches.name, "zen4"));
	PB_CHECK(pb_cache_parse_for("auto", "custom", &c.caches, err, sizeof(err)) == 0);
	PB_CHECK(!pb_cache_geom_enabled(&c.caches));
	PB_CHECK(strstr(pb_vm_cache_event_na(PB_VM_EV_l3_misses, &c.caches), "auto") != NULL);
	PB_CHECK(pb_cache_parse_for("profile", "custom", &c.caches, err, sizeof(err)) == -EINVAL);
}

static const char *cache_cols[] = {"l1d_hits", "l1d_misses", "l1i_hits", "l1i_misses",
				   "l2_hits",  "l2_misses",  "l3_hits",	 "l3_misses"};

/* Run sim with --caches C into root; the run folder from its last line. */
static int sim(const char *bin, const char *root, const char *caches, char *dir, size_t len)
{
	struct spawn_out *o = calloc(1, sizeof(*o));
	char *argv[] = {(char *)bin, "sim",	   "--workload", "zipf:pages=256,refs=20000",
			"--policy",  "lru",	   "--frames",	 "64",
			"--reps",    "1",	   "--caches",	 (char *)caches,
			"--results", (char *)root, NULL};
	char *env[] = {"PAGEBENCH_COUNTERS=none", NULL};
	int rc = spawn_run(argv, env, o);
	/* "N rows in DIR/sim.csv", "1 row in ..." */
	const char *p = strstr(o->err, " rows in ");
	const char *p1 = p ? NULL : strstr(o->err, " row in ");
	dir[0] = 0;
	if (p || p1) {
		p = p ? p + 9 : p1 + 8;
		size_t n = strcspn(p, "\n");
		if (n > 8 && n < len && !strncmp(p + n - 8, "/sim.csv", 8)) {
			memcpy(dir, p, n - 8);
			dir[n - 8] = 0;
		}
	}
	if (rc != 2 && (rc || !dir[0])) /* 2: a usage error, which a test may want */
		fprintf(stderr, "sim --caches %s: exit %d: %s\n", caches, rc, o->err);
	free(o);
	return rc;
}

static void cli(const char *bin)
{
	char root[1024], dir[2048], path[2100], err[256];
	if (!pbt_tmpdir(root, sizeof(root), "cachesim"))
		return;
	/* off: NA, with the reason in meta.json */
	PB_CHECK_EQ_U64(sim(bin, root, "none", dir, sizeof(dir)), 0);
	struct pb_csv t;
	snprintf(path, sizeof(path), "%s/sim.csv", dir);
	PB_CHECK(pb_csv_read_file(path, &t, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(t.nrows, 1);
	for (size_t i = 0; i < PB_ARRAY_SIZE(cache_cols); i++)
		PB_CHECK_MSG(!strcmp(pb_csv_get(&t, 0, cache_cols[i]), "NA"), "%s = '%s'",
			     cache_cols[i], pb_csv_get(&t, 0, cache_cols[i]));
	PB_CHECK(strcmp(pb_csv_get(&t, 0, "faults"), "NA") != 0);
	pb_csv_free(&t);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je);
	PB_CHECK(m != NULL);
	json_t *na = m ? json_object_get(m, "not_available") : NULL;
	for (size_t i = 0; i < PB_ARRAY_SIZE(cache_cols); i++) {
		const char *why = json_string_value(json_object_get(na, cache_cols[i]));
		PB_CHECK_MSG(why && strstr(why, "--caches none"), "%s: %s", cache_cols[i],
			     why ? why : "(none)");
	}
	json_t *cj = m ? json_object_get(json_object_get(m, "config"), "caches") : NULL;
	PB_CHECK(cj && !strcmp(json_string_value(json_object_get(cj, "geometry")), "none"));
	json_decref(m);

	/* on: numbers adding up to refs, geometry recorded */
	PB_CHECK_EQ_U64(sim(bin, root, "zen3", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/sim.csv", dir);
	PB_CHECK(pb_csv_read_file(path, &t, err, sizeof(err)) == 0);
	uint64_t sum = 0;
	for (int i = 0; i < 4; i++)
		sum += strtoull(pb_csv_get(&t, 0, cache_cols[i]), NULL, 10);
	PB_CHECK_EQ_U64(sum, strtoull(pb_csv_get(&t, 0, "refs"), NULL, 10));
	PB_CHECK_EQ_U64(sum, 20000);
	pb_csv_free(&t);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	m = json_load_file(path, 0, &je);
	cj = m ? json_object_get(json_object_get(m, "config"), "caches") : NULL;
	PB_CHECK(cj && !strcmp(json_string_value(json_object_get(cj, "profile")), "zen3"));
	PB_CHECK(m && !json_object_get(json_object_get(m, "not_available"), "l3_hits"));
	json_decref(m);
	/* a bad hierarchy is a usage error */
	PB_CHECK_EQ_U64(sim(bin, root, "L1d=33K:8", dir, sizeof(dir)), 2);
	PB_CHECK(pbt_rmtree(root) == 0);
}

int main(int argc, char **argv)
{
	engine();
	if (argc > 1)
		cli(argv[1]);
	return pb_test_done();
}
