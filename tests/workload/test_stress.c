/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_stress.c - several threads each open their own
 * stream on the same trace files (pbt, lackey, compressed) and the same
 * generator spec at once: every thread must see exactly the sequence a
 * single thread sees (streams share no state; run under TSan in CI).
 */
#include "wltest.h"

#include <pthread.h>
#include <stdint.h>

#include "pagebench/trace.h"
#include "pbtest.h"

#define NTHR   4
#define ROUNDS 3

static const char *specs[4];
static uint64_t want_sum[4];
static long want_n[4];

static uint64_t digest(const char *spec, const struct pb_workload_opts *o, long *n)
{
	struct pb_workload *w;
	char err[512];
	*n = -1;
	if (pb_workload_open(spec, o, &w, err, sizeof(err)))
		return 0;
	struct pb_access buf[333];
	uint64_t h = 0xcbf29ce484222325ULL;
	long cnt = 0;
	ssize_t r;
	while ((r = pb_workload_next(w, buf, 333)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			h = (h ^ (buf[i].addr + buf[i].op + ((uint64_t)buf[i].asid << 40))) *
			    0x100000001b3ULL;
		cnt += r;
	}
	pb_workload_close(w);
	*n = r < 0 ? -1 : cnt;
	return h;
}

static int bad[NTHR];

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int round = 0; round < ROUNDS; round++)
		for (int s = 0; s < 4; s++) {
			long n;
			uint64_t h = digest(specs[(s + t) % 4], NULL, &n);
			bad[t] += n != want_n[(s + t) % 4] || h != want_sum[(s + t) % 4];
		}
	return NULL;
}

int main(void)
{
	wl_mkdir();
	char err[512];
	uint64_t nw;
	static char s[4][PATH_MAX + 64];
	snprintf(s[0], sizeof(s[0]), "zipf:pages=5000,refs=200000,write=0.2,procs=2,lib=10,seed=3");
	PB_CHECK(pb_trace_convert(s[0], 0, wl_path("z.pbt"), 1, PB_OUT_FORCE, &nw, err,
				  sizeof(err)) == 0);
	snprintf(s[1], sizeof(s[1]), "trace:path=%s", wl_path("z.pbt"));
	/* a lackey log and its zstd (if built) */
	FILE *f = fopen(wl_path("z.lackey"), "w");
	for (int i = 0; i < 100000; i++)
		fprintf(f, "%s %x,%d\n", (i & 1) ? " L" : "I ", 0x400000 + i * 52, 1 + i % 8);
	fclose(f);
	snprintf(s[2], sizeof(s[2]), "trace:path=%s", wl_path("z.lackey"));
	size_t ln = 0;
	char *lb = wl_slurp(wl_path("z.lackey"), &ln);
	if (wl_compress("zstd", lb, ln, wl_path("z.zst")) == 0)
		snprintf(s[3], sizeof(s[3]), "trace:path=%s,format=lackey", wl_path("z.zst"));
	else
		snprintf(s[3], sizeof(s[3]), "%s", s[2]);
	free(lb);
	for (int i = 0; i < 4; i++) {
		specs[i] = s[i];
		want_sum[i] = digest(s[i], NULL, &want_n[i]);
		PB_CHECK_MSG(want_n[i] > 0, "%s", s[i]);
	}
	PB_CHECK_EQ_U64(want_n[0], want_n[1]);
	pthread_t th[NTHR];
	for (int t = 0; t < NTHR; t++)
		pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
	for (int t = 0; t < NTHR; t++) {
		pthread_join(th[t], NULL);
		PB_CHECK_MSG(bad[t] == 0, "thread %d: %d streams differed", t, bad[t]);
	}
	wl_rmdir();
	return pb_test_done();
}
