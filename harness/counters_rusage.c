/* SPDX-License-Identifier: MIT */
/*
 * harness/counters_rusage.c - the last rung: getrusage(RUSAGE_THREAD).
 * Always there on Linux; counts the thread's faults, context switches and
 * user/system time (both domains, reported apart).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "counters_backend.h"

struct ru_set {
	struct rusage ru0;
	int ok0; /* ru0 was read: a failed read at the start is NA at the stop
		  * (it was the difference from a stale or zeroed ru0) */
};

static void ru_probe(struct pb_ctr_state *st)
{
	struct rusage ru;
	int ok = getrusage(RUSAGE_THREAD, &ru) == 0;
	int e = errno;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (strcmp(pb_ctr_desc[c].source, "rusage"))
			continue;
		st->avail[c] = ok;
		st->domain[c] = ok ? "user+kernel" : NULL;
		if (!ok)
			snprintf(st->reason[c], sizeof(st->reason[c]),
				 "getrusage(RUSAGE_THREAD): %s", strerror(e));
	}
}

static void *ru_open(void)
{
	return calloc(1, sizeof(struct ru_set));
}

static void ru_start(void *s, unsigned pass)
{
	(void)pass;
	struct ru_set *r = s;
	r->ok0 = getrusage(RUSAGE_THREAD, &r->ru0) == 0;
}

static uint64_t tv_ns(struct timeval a, struct timeval b)
{
	int64_t d = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000LL +
		    (int64_t)(b.tv_usec - a.tv_usec) * 1000LL;
	return d > 0 ? (uint64_t)d : 0;
}

static void ru_stop(void *s, unsigned pass, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	(void)pass;
	struct ru_set *r = s;
	struct rusage ru1;
	if (!r->ok0 || getrusage(RUSAGE_THREAD, &ru1))
		return;
	v[PB_CTR_RU_MINFLT] = (uint64_t)(ru1.ru_minflt - r->ru0.ru_minflt);
	v[PB_CTR_RU_MAJFLT] = (uint64_t)(ru1.ru_majflt - r->ru0.ru_majflt);
	v[PB_CTR_RU_NVCSW] = (uint64_t)(ru1.ru_nvcsw - r->ru0.ru_nvcsw);
	v[PB_CTR_RU_NIVCSW] = (uint64_t)(ru1.ru_nivcsw - r->ru0.ru_nivcsw);
	v[PB_CTR_RU_UTIME_NS] = tv_ns(r->ru0.ru_utime, ru1.ru_utime);
	v[PB_CTR_RU_STIME_NS] = tv_ns(r->ru0.ru_stime, ru1.ru_stime);
	for (int c = PB_CTR_RU_MINFLT; c <= PB_CTR_RU_STIME_NS; c++)
		ok[c] = 1;
}

static void ru_close(void *s)
{
	free(s);
}

const struct pb_ctr_backend pb_ctr_backend_rusage = {
    .name = "rusage",
    .probe = ru_probe,
    .open = ru_open,
    .start = ru_start,
    .stop = ru_stop,
    .close = ru_close,
};
