/* SPDX-License-Identifier: MIT */
/*
 * End to end: the self-test kernel runs on 1 and 2 pinned threads; its rows
 * appear in runs.csv with the required columns; every counter cell is a
 * number or NA, and every NA counter has its reason in meta.json; a
 * --threads list is run ascending, each count once.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pagebench/csvread.h"
#include "pbtest.h"
#include "spawn.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[4][1 << 20];
	static int k;
	char *b = buf[k++ % 4];
	size_t n = fread(b, 1, (1 << 20) - 1, f);
	b[n] = 0;
	fclose(f);
	return b;
}

static int col_index(const char *header, const char *name)
{
	int i = 0;
	const char *p = header;
	size_t l = strlen(name);
	while (*p && *p != '\n') {
		if (!strncmp(p, name, l) && (p[l] == ',' || p[l] == '\n'))
			return i;
		p = strpbrk(p, ",\n");
		if (!p || *p == '\n')
			break;
		p++;
		i++;
	}
	return -1;
}

static void field(const char *line, int idx, char *out, size_t n)
{
	const char *p = line;
	for (int i = 0; i < idx && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	size_t l = p ? strcspn(p, ",\n") : 0;
	if (l >= n)
		l = n - 1;
	memcpy(out, p ? p : "", l);
	out[l] = 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_run_e2e PATH_TO_PAGEBENCH");
	char root[4096];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "e2e") != NULL);
	static struct spawn_out o;
	char *a[] = {argv[1],  "run", "memtouch",  "--threads", "1,2",	 "--reps", "2",
		     "--size", "4M",  "--results", root,	"--csv", NULL};
	spawn_run(a, NULL, &o);
	PB_CHECK_MSG(o.code == 0, "exit %d: %s", o.code, o.err);
	/* stdout (--csv) is the CSV itself */
	PB_CHECK(!strncmp(o.out, "schema_version,", 15));
	char run[4400] = "";
	pbt_run_dirs(root, run, sizeof(run));
	char p[4500];
	snprintf(p, sizeof(p), "%s/runs.csv", run);
	char *csv = slurp(p);
	snprintf(p, sizeof(p), "%s/meta.json", run);
	char *meta = slurp(p);
	snprintf(p, sizeof(p), "%s/summary.csv", run);
	char *sum = slurp(p);
	PB_CHECK(csv && meta && sum);
	if (!csv || !meta || !sum)
		return pb_test_done();
	PB_CHECK(!strcmp(csv, o.out)); /* --csv echoes exactly the file */
	const char *need[] = {"schema_version",
			      "kernel",
			      "threads",
			      "rep",
			      "ops",
			      "seconds",
			      "ns_per_op",
			      "ops_per_s",
			      "thread",
			      "median_ns_per_op",
			      "ci95_lo_ns_per_op",
			      "pu",
			      "node",
			      "papi_tot_cyc",
			      "papi_tlb_dm",
			      "perf_minor_faults",
			      "ru_minflt",
			      "heap_metadata_bytes"};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		PB_CHECK_MSG(col_index(csv, need[i]) >= 0, "runs.csv lacks column %s", need[i]);
	int ci_thr = col_index(csv, "threads"), ci_thread = col_index(csv, "thread"),
	    ci_kernel = col_index(csv, "kernel"), ci_warm = col_index(csv, "warmup"),
	    ci_ops = col_index(csv, "ops"), ci_pf = col_index(csv, "perf_minor_faults");
	int rows1 = 0, rows2 = 0, totals = 0;
	const char *counters[] = {
	    "papi_tot_cyc", "papi_tot_ins", "papi_l1_dcm",	 "papi_l2_dcm",	      "papi_l3_tcm",
	    "papi_tlb_dm",  "papi_tlb_im",  "perf_minor_faults", "perf_major_faults", "ru_minflt"};
	for (const char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		char f[64];
		field(line, ci_kernel, f, sizeof(f));
		PB_CHECK(!strcmp(f, "memtouch"));
		field(line, ci_thr, f, sizeof(f));
		int thr = atoi(f);
		field(line, ci_thread, f, sizeof(f));
		int total = !strcmp(f, "total");
		totals += total;
		if (!total) {
			rows1 += thr == 1;
			rows2 += thr == 2;
		}
		for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
			char v[64];
			field(line, col_index(csv, counters[k]), v, sizeof(v));
			if (!strcmp(v, "NA")) {
				char key[96];
				snprintf(key, sizeof(key), "\"%s\": \"", counters[k]);
				PB_CHECK_MSG(strstr(meta, key) != NULL,
					     "%s is NA but meta.json not_available has no reason",
					     counters[k]);
			} else {
				PB_CHECK_MSG(v[0] >= '0' && v[0] <= '9', "%s cell '%s'",
					     counters[k], v);
			}
		}
		/* A measured repetition first-touches 1024 pages per thread. */
		char w[8], ops[32], pf[32];
		field(line, ci_warm, w, sizeof(w));
		field(line, ci_ops, ops, sizeof(ops));
		field(line, ci_pf, pf, sizeof(pf));
		if (!total)
			PB_CHECK_EQ_U64(strtoull(ops, NULL, 10), 1024);
		if (strcmp(pf, "NA"))
			PB_CHECK_MSG(strtoull(pf, NULL, 10) >= strtoull(ops, NULL, 10),
				     "perf minor faults %s < pages %s", pf, ops);
		if (!strchr(line, '\n'))
			break;
		if (!strchr(line, '\n')[1])
			break;
	}
	/* 3 reps (1 warm-up + 2) x (1 thread + 2 threads) */
	PB_CHECK_EQ_U64(rows1, 3);
	PB_CHECK_EQ_U64(rows2, 6);
	PB_CHECK_EQ_U64(totals, 6);
	PB_CHECK(strstr(meta, "\"hwloc_xml\": \"<?xml") != NULL);
	PB_CHECK(strstr(meta, "\"command_line\": [") != NULL);
	PB_CHECK(strstr(sum, "speedup_vs_1_thread") != NULL);

	/* --threads 2,1,1 runs 1 then 2, once each: the 2-thread total has
	 * its speedup (NA when the 1-thread run came second), and meta.json
	 * records [1, 2] (it said [2, 1, 1]) */
	char root2[4200];
	snprintf(root2, sizeof(root2), "%s/order", root);
	char *a2[] = {argv[1], "run",	 "memtouch", "--threads", "2,1,1", "--reps",
		      "2",     "--size", "4M",	     "--results", root2,   NULL};
	spawn_run(a2, NULL, &o);
	PB_CHECK_MSG(o.code == 0, "--threads 2,1,1: exit %d: %s", o.code, o.err);
	pbt_run_dirs(root2, run, sizeof(run));
	struct pb_csv st = {0};
	char err[256];
	snprintf(p, sizeof(p), "%s/summary.csv", run);
	PB_CHECK_MSG(!pb_csv_read_file(p, &st, err, sizeof(err)), "%s", err);
	int cth = pb_csv_col(&st, "threads"), ctd = pb_csv_col(&st, "thread"),
	    csp = pb_csv_col(&st, "speedup_vs_1_thread");
	unsigned totals2 = 0;
	for (size_t r = 0; cth >= 0 && ctd >= 0 && csp >= 0 && r < st.nrows; r++) {
		if (strcmp(pb_csv_cell(&st, r, ctd), "total"))
			continue;
		totals2++;
		if (!strcmp(pb_csv_cell(&st, r, cth), "2"))
			PB_CHECK_MSG(strcmp(pb_csv_cell(&st, r, csp), "NA"),
				     "2-thread speedup NA after --threads 2,1,1");
	}
	PB_CHECK_EQ_U64(totals2, 2); /* memtouch at 1 and at 2 threads, once each */
	pb_csv_free(&st);
	json_t *m2 = pbt_meta(run);
	json_t *th = json_object_get(json_object_get(m2, "config"), "threads");
	PB_CHECK_MSG(json_array_size(th) == 2 && json_integer_value(json_array_get(th, 0)) == 1 &&
			 json_integer_value(json_array_get(th, 1)) == 2,
		     "config.threads has %zu entries", json_array_size(th));
	json_decref(m2);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
