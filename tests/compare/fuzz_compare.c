/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: compare's readers and matching on whatever a run folder may
 * hold.  The input is meta.json, summary.csv, runs.csv and sim.csv
 * separated by lines "===" (missing parts: the file is absent); it is
 * written into a private folder, loaded as both BASE and NEW (and against
 * the corpus-shaped folder as written), compared, and rendered as CSV and
 * JSON.  Any outcome but a crash, a sanitizer report or a leak is fine:
 * bad cells must be errors, never reads past a buffer.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare/compare.h"
#include "pbtest.h"

static char dir[4096]; /* pbt_tmpdir: under $TMPDIR */

static void cleanup(void)
{
	pbt_rmtree(dir);
}

static void put(const char *name, const uint8_t *p, size_t n, int present)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if (!present)
		return;
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

static const uint8_t *next_part(const uint8_t *p, const uint8_t *end, size_t *len)
{
	static const char sep[] = "\n===\n";
	const uint8_t *q = memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1);
	*len = (size_t)((q ? q : end) - p);
	return q ? q + sizeof(sep) - 1 : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		if (!pbt_tmpdir(dir, sizeof(dir), "fuzz_cmp"))
			abort();
		atexit(cleanup);
	}
	static const char *const names[] = {"meta.json", "summary.csv", "runs.csv", "sim.csv"};
	const uint8_t *p = data, *end = data + size;
	for (int i = 0; i < 4; i++) {
		size_t n = 0;
		const uint8_t *nx = p ? next_part(p, end, &n) : NULL;
		put(names[i], p ? p : (const uint8_t *)"", n, p != NULL);
		p = nx;
	}
	char err[CMP_ERRLEN];
	struct cmp_run runs[2];
	if (cmp_run_load(dir, &runs[0], err, sizeof(err)))
		return 0;
	if (cmp_run_load(dir, &runs[1], err, sizeof(err))) {
		cmp_run_free(&runs[0]);
		return 0;
	}
	struct cmp_opts o = {.threshold = 0.05, .alpha = 0.05, .resamples = 100, .seed = 1};
	struct cmp_rows rows = {0};
	struct cmp_mismatches mm = {0};
	cmp_config_diff(&runs[0], &runs[1], &mm);
	if (!cmp_perf(&runs[0], 1, &runs[1], 1, &o, &rows, err, sizeof(err)) &&
	    !cmp_exact(&runs[0], 1, &runs[1], 1, &rows, err, sizeof(err))) {
		struct cmp_report rep = {&runs[0], &runs[1], 1, 1, &o, &mm, &rows, 0};
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (f) {
			cmp_write_csv(f, &rep);
			cmp_write_text(f, &rep);
			fclose(f);
		}
		free(buf);
		json_t *j = cmp_json(&rep);
		char *s = j ? json_dumps(j, 0) : NULL;
		free(s);
		json_decref(j);
	}
	cmp_rows_free(&rows);
	cmp_mismatches_free(&mm);
	cmp_run_free(&runs[0]);
	cmp_run_free(&runs[1]);
	return 0;
}
