/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/bench_policy.c - single-threaded replay throughput of every
 * eviction strategy (a benchmark, not a test: never run by ctest).
 *
 * Generates a preloaded trace (default: 2M references, Zipf 0.9 over 100k
 * pages, fixed seed), then for each strategy times a full replay into a
 * fresh policy object (create/destroy outside the timed region), 5 runs,
 * and prints the median refs/s (thread CPU time, and wall time), the misses, the policy's memory
 * and the ratio of its time to a baseline pass over the same trace in the same process: one lookup
 * per reference in the strategies' own key map (kmap) and node pool holding every page, replayed
 * by the strategies' own loop (pb_policy_run, with its prefetches), i.e. the floor any strategy
 * pays to find a page.
 *
 *   bench_policy [--refs N] [--pages P] [--frames F] [--zipf S] [--reps R]
 *                [--seed X] [--param k=v,...] [policy ...]
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../kernels/policy/polint.h"
#include "pagebench/mrc.h"
#include "pagebench/policy.h"
#include "polgen.h"

/* Thread CPU time: on a shared machine, time spent descheduled is not the
 * strategy's cost (wall time is printed alongside). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* The baseline as a strategy that only finds: one key-map lookup a
 * reference, replayed by pb_policy_run as every strategy is (the same
 * call a reference, the same prefetches where the map outgrows L2). */
static enum pb_pol_result find_only(struct pb_policy *p, const struct pb_ref *r, uint64_t *victim)
{
	(void)victim;
	return pb_pol_find(p, r->key) == PN_NIL ? PB_POL_MISS : PB_POL_HIT;
}

static const struct pb_policy_desc find_desc = {.name = "baseline", .access = find_only};

int main(int argc, char **argv)
{
	uint64_t refs = 2000000, pages = 100000, frames = 20000, seed = 12345;
	const char *params = NULL;
	double s = 0.9;
	int reps = 5, first_pol = argc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--refs") && i + 1 < argc)
			refs = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--pages") && i + 1 < argc)
			pages = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			frames = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--zipf") && i + 1 < argc)
			s = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--param") && i + 1 < argc)
			params = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else {
			first_pol = i;
			break;
		}
	}
	if (reps < 1 || reps > 101 || !refs || !pages || !frames) {
		fprintf(stderr, "bench_policy: bad arguments\n");
		return 2;
	}
	uint64_t *k = pb_map(refs * sizeof(uint64_t), 1);
	uint64_t *nu = pb_map(refs * sizeof(uint64_t), 1);
	uint64_t t[101], wt[101];
	if (!k || !nu)
		return 1;
	polgen_zipf(k, refs, pages, s, seed);
	if (pb_next_use(k, refs, nu))
		return 1;
	printf("# bench_policy: %llu refs, zipf %.2f over %llu pages, %llu frames, seed %llu, "
	       "median of %d\n",
	       (unsigned long long)refs, s, (unsigned long long)pages, (unsigned long long)frames,
	       (unsigned long long)seed, reps);

	/* Baseline: one key-map lookup per reference, in the map and node pool
	 * the strategies use, holding every page of the trace. */
	struct pb_policy_cfg bcfg = {.frames = pages, .seed = seed};
	struct pb_policy *bp;
	char berr[256];
	if (pb_pol_lru.create(&bcfg, &bp, berr, sizeof(berr)))
		return 1;
	for (uint64_t i = 0; i < refs; i++) {
		struct pb_ref ref = {.key = k[i]};
		uint64_t victim;
		pb_pol_lru.access(bp, &ref, &victim);
	}
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = cpu_ns(), w0 = pb_now_ns();
		uint64_t miss = pb_policy_run(&find_desc, bp, k, NULL, NULL, refs, 0, NULL);
		t[r] = cpu_ns() - t0;
		wt[r] = pb_now_ns() - w0;
		if (miss) { /* the map holds every page */
			fprintf(stderr, "bench_policy: baseline missed %llu pages\n",
				(unsigned long long)miss);
			return 1;
		}
	}
	uint64_t base = median(t, reps), basew = median(wt, reps);
	pb_pol_lru.destroy(bp);
	printf("%-9s %12s %12s %10s %9s %8s %s\n", "policy", "Mrefs_s_cpu", "Mrefs_s_wall",
	       "misses", "miss_pct", "mem_MiB", "time_vs_baseline");
	printf("%-9s %12.1f %12.1f %10s %9s %8s %.2f\n", "baseline",
	       (double)refs * 1e3 / (double)base, (double)refs * 1e3 / (double)basew, "-", "-", "-",
	       1.0);

	for (size_t p = 0; pb_policies[p]; p++) {
		const struct pb_policy_desc *d = pb_policies[p];
		if (first_pol < argc) {
			int want = 0;
			for (int i = first_pol; i < argc; i++)
				want |= !strcmp(argv[i], d->name);
			if (!want)
				continue;
		}
		uint64_t misses = 0;
		double mem = 0;
		for (int r = 0; r < reps; r++) {
			struct pb_policy_cfg cfg = {
			    .frames = frames, .seed = seed, .params = params};
			struct pb_policy *pol;
			char err[256];
			if (d->create(&cfg, &pol, err, sizeof(err))) {
				fprintf(stderr, "%s: %s\n", d->name, err);
				return 1;
			}
			/* the replay loop every policy-only path runs */
			uint64_t t0 = cpu_ns(), w0 = pb_now_ns();
			uint64_t miss = pb_policy_run(d, pol, k, NULL, nu, refs, 0, NULL);
			t[r] = cpu_ns() - t0;
			wt[r] = pb_now_ns() - w0;
			misses = miss;
			mem = (double)pb_pol_bytes(pol) / (1024.0 * 1024.0);
			d->destroy(pol);
		}
		uint64_t med = median(t, reps), medw = median(wt, reps);
		printf("%-9s %12.1f %12.1f %10llu %9.2f %8.1f %.2f\n", d->name,
		       (double)refs * 1e3 / (double)med, (double)refs * 1e3 / (double)medw,
		       (unsigned long long)misses, 100.0 * (double)misses / (double)refs, mem,
		       (double)med / (double)base);
		fflush(stdout);
	}
	/* One-pass LRU miss-ratio curve over the same trace, 100 sizes. */
	int want_mrc = first_pol == argc;
	for (int i = first_pol; i < argc; i++)
		want_mrc |= !strcmp(argv[i], "mrc");
	if (want_mrc) {
		uint64_t sizes[100], mm[100];
		for (int j = 0; j < 100; j++)
			sizes[j] = (uint64_t)(j + 1) * (pages / 100 ? pages / 100 : 1);
		for (int r = 0; r < reps; r++) {
			uint64_t t0 = cpu_ns(), w0 = pb_now_ns();
			if (pb_mrc_lru(k, refs, sizes, 100, mm))
				return 1;
			t[r] = cpu_ns() - t0;
			wt[r] = pb_now_ns() - w0;
		}
		uint64_t med = median(t, reps), medw = median(wt, reps);
		printf("%-9s %12.1f %12.1f %10s %9s %8s %.2f   (pb_mrc_lru, 100 sizes at once)\n",
		       "mrc-lru", (double)refs * 1e3 / (double)med,
		       (double)refs * 1e3 / (double)medw, "-", "-", "-",
		       (double)med / (double)base);
	}
	return 0;
}
