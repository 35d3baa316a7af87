/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_samples.c - the shared sample traces read through
 * the reader registry: every sample's detected format and reference /
 * distinct-page counts as published (the traces' EXPECTED.md and
 * docs/workloads.md), so the registry detects and parses exactly as the
 * single-file readers did.  The traces are found through PAGEBENCH_TRACES
 * (default ../shared/traces beside the source tree, PB_SOURCE_DIR given by
 * CMake at configure time); the test is skipped when they are absent.
 * Usage: test_samples [PAGEBENCH_BINARY]
 */
#include "wltest.h"

#include <stdint.h>
#include <sys/stat.h>

#include "pagebench/trace.h"
#include "pbtest.h"
#include "spawn.h"

#ifndef PB_SOURCE_DIR
#define PB_SOURCE_DIR "."
#endif

static char root[1024];

struct sample {
	const char *file, *format;
	uint64_t refs, distinct;
};

static const struct sample samples[] = {
    {"data/lirs/cpp.trc", "text", 9047, 1223},
    {"data/lirs/sprite.trc", "text", 133996, 7075},
    {"data/textbook/belady-anomaly.ref", "text", 12, 5},
    {"data/arc/OLTP.lis.zst", "lis", 914145, 186880},
    {"data/libcachesim/cloudPhysicsIO.oracleGeneral.bin", "oracle", 113872, 48974},
    {"data/libcachesim/cloudPhysicsIO.vscsi", "vscsi", 113872, 48974},
    {"data/libcachesim/cloudPhysicsIO.txt", "text", 113872, 48974},
    {"data/msr/msr-cambridge1-sample.csv", "csv", 2473, 1917},
    {"data/dinero/simple.32.xdin", "din", 13, 9},
    {"data/address/swim.trace.gz", "din", 303193, 135},
    {"data/cachelab/trans.trace", "lackey", 616, 3},
    {"data/perf/sort-2000-lines.pagefaults.perfscript.txt", "perf", 89, 85},
};

int main(int argc, char **argv)
{
	const char *env = getenv("PAGEBENCH_TRACES");
	if (env && *env)
		snprintf(root, sizeof(root), "%s", env);
	else
		snprintf(root, sizeof(root), "%s/../shared/traces", PB_SOURCE_DIR);
	struct stat sb;
	if (stat(root, &sb) || !S_ISDIR(sb.st_mode))
		PB_SKIP("the shared traces are absent (set PAGEBENCH_TRACES)");
	for (size_t i = 0; i < PB_ARRAY_SIZE(samples); i++) {
		const struct sample *s = &samples[i];
		char path[1200], spec[1300], err[512];
		snprintf(path, sizeof(path), "%s/%s", root, s->file);
		if (access(path, R_OK)) {
			fprintf(stderr, "%s: absent, not checked\n", s->file);
			continue;
		}
		snprintf(spec, sizeof(spec), "trace:path=%s", path);
		struct pb_trace_stats st;
		int rc = pb_trace_info(spec, NULL, &st, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s: %s", s->file, err);
		if (rc)
			continue;
		PB_CHECK_MSG(!strcmp(st.format, s->format), "%s: format %s, want %s", s->file,
			     st.format, s->format);
		PB_CHECK_MSG(st.refs == s->refs && st.distinct_pages == s->distinct,
			     "%s: %llu refs / %llu pages, want %llu / %llu", s->file,
			     (unsigned long long)st.refs, (unsigned long long)st.distinct_pages,
			     (unsigned long long)s->refs, (unsigned long long)s->distinct);
	}
	/* a file of another kind read as text (a Dinero output): an error */
	char path[1200], spec[1300], err[512];
	snprintf(path, sizeof(path), "%s/data/dinero/simple.32.xdin.good.d32b64a8rlD", root);
	if (!access(path, R_OK)) {
		snprintf(spec, sizeof(spec), "trace:path=%s", path);
		struct pb_trace_stats st;
		PB_CHECK(pb_trace_info(spec, NULL, &st, err, sizeof(err)) == -EINVAL);
		PB_CHECK_MSG(strstr(err, "not a text trace") != NULL, "%s", err);
	}
	(void)argc;
	(void)argv;
	return pb_test_done();
}
