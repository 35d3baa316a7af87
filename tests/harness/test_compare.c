/* pagebench compare: regressions need both the threshold and disjoint CIs. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pbtest.h"
#include "spawn.h"

static const char *hdr =
	"schema_version,experiment,kernel,params,threads,pin,thread,reps,median_ns_per_op,"
	"ci95_lo_ns_per_op,ci95_hi_ns_per_op,ci95_valid,median_ops_per_s,ci95_lo_ops_per_s,"
	"ci95_hi_ops_per_s,speedup_vs_1_thread,baseline,baseline_median_ns_per_op,"
	"ratio_vs_baseline,valid\n";

static void write_run(const char *dir, double med, double lo, double hi, int ci)
{
	mkdir(dir, 0777);
	char p[4096];
	snprintf(p, sizeof(p), "%s/summary.csv", dir);
	FILE *f = fopen(p, "w");
	fputs(hdr, f);
	fprintf(f, "1,k1,k1,,1,compact,0,6,%g,%g,%g,%d,1,1,1,NA,NA,NA,NA,1\n", med, lo, hi, ci);
	fprintf(f, "1,k1,k1,,1,compact,total,6,%g,%g,%g,%d,1,1,1,1,NA,NA,NA,1\n", med, lo, hi, ci);
	fprintf(f, "1,\"k2:a=1,b=2\",k2,\"a=1,b=2\",2,compact,total,6,10,9,11,1,1,1,1,1,NA,NA,NA,1\n");
	fclose(f);
}

static int compare(const char *bin, const char *a, const char *b, struct spawn_out *o)
{
	char *argv[] = {(char *)bin, "compare", (char *)a, (char *)b, NULL};
	return spawn_run(argv, NULL, o);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_compare PATH_TO_PAGEBENCH");
	char root[] = "/tmp/pb-test-cmpXXXXXX";
	PB_CHECK(mkdtemp(root) != NULL);
	char base[4200], slow[4200], noisy[4200], fast[4200];
	snprintf(base, sizeof(base), "%s/base", root);
	snprintf(slow, sizeof(slow), "%s/slow", root);
	snprintf(noisy, sizeof(noisy), "%s/noisy", root);
	snprintf(fast, sizeof(fast), "%s/fast", root);
	write_run(base, 100, 98, 102, 1);
	write_run(slow, 120, 118, 122, 1);  /* +20%, CIs apart: regression */
	write_run(noisy, 120, 60, 180, 1);  /* +20% but CIs overlap: not called */
	write_run(fast, 80, 79, 81, 1);     /* -20%: improvement */
	static struct spawn_out o;
	PB_CHECK_EQ_U64(compare(argv[1], base, slow, &o), 1);
	PB_CHECK(strstr(o.out, "REGRESSION") && strstr(o.out, "2 matched"));
	PB_CHECK(strstr(o.out, "k2:a=1,b=2")); /* quoted CSV fields parsed */
	PB_CHECK_EQ_U64(compare(argv[1], base, noisy, &o), 0);
	PB_CHECK(!strstr(o.out, "REGRESSION"));
	PB_CHECK_EQ_U64(compare(argv[1], base, fast, &o), 0);
	PB_CHECK(strstr(o.out, "improvement"));
	PB_CHECK_EQ_U64(compare(argv[1], base, "/nonexistent", &o), 2);
	PB_CHECK(count_lines(o.err) == 1);
	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	PB_CHECK(system(cmd) == 0);
	return pb_test_done();
}
