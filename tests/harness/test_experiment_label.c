/* SPDX-License-Identifier: MIT */
/*
 * An experiment's label, "KERNEL[:PARAMS] threads=T" (meta.json's
 * experiments), is written by pb_experiment_label (harness/measure.c) and
 * read back by pb_experiment_parse beside it, which compare's row check
 * (harness/compare/rundir.c) calls instead of the split by hand it had
 * until 2026-12-07.  Every label written parses back to what made it:
 * params with spaces, ':', '=', ';' and " threads=" inside a value; no
 * params; threads 0 and UINT_MAX.  Text that no label is (no " threads=",
 * T not a number or too large, an empty kernel, a label with its ": why")
 * is refused.  And the params that name an experiment
 * (pb_param_identity): uffd-pager's latency_csv left out, the rest as
 * given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/kernel.h"
#include "pagebench/param.h"
#include "pbtest.h"

static void round_trip(const char *kernel, const char *params, unsigned threads)
{
	char *l = pb_experiment_label(kernel, params, threads, NULL);
	PB_CHECK(l != NULL);
	struct pb_experiment_id id;
	PB_CHECK_MSG(l && pb_experiment_parse(l, &id) == 0, "'%s' refused", l ? l : "");
	if (l && !pb_experiment_parse(l, &id)) {
		PB_CHECK_MSG(id.klen == strlen(kernel) && !strncmp(id.kernel, kernel, id.klen),
			     "'%s': kernel '%.*s'", l, (int)id.klen, id.kernel);
		PB_CHECK_MSG(id.plen == strlen(params) && !strncmp(id.params, params, id.plen),
			     "'%s': params '%.*s'", l, (int)id.plen, id.params);
		PB_CHECK_MSG(id.threads == threads, "'%s': threads %u", l, id.threads);
	}
	free(l);
}

static void refused(const char *label)
{
	struct pb_experiment_id id;
	PB_CHECK_MSG(pb_experiment_parse(label, &id) == -EINVAL, "'%s' parsed", label);
}

static void identity(const char *kernel, const char *spec, const char *want)
{
	const struct pb_kernel_desc *d = pb_kernel_find(kernel);
	PB_CHECK(d != NULL);
	char *s = pb_param_identity(d ? d->params : NULL, spec);
	PB_CHECK_MSG(s && !strcmp(s, want), "%s '%s': '%s', want '%s'", kernel, spec ? spec : "",
		     s ? s : "(null)", want);
	free(s);
}

int main(void)
{
	round_trip("uffd-pager", "", 1);
	round_trip("uffd-pager", "pages=64,frames=16", 2);
	round_trip("pt-lookup", "huge=1", 0);
	round_trip("k", "a=1", UINT_MAX);
	round_trip("uffd-pager", "workload=zipf;n=10 and a space", 4);
	round_trip("uffd-pager", "swap=/tmp/a:b=c,x=y:z", 3);
	round_trip("uffd-pager", "swap=/tmp/run threads=7", 2);
	round_trip("uffd-pager", "swap=/x threads=", 12);
	round_trip("uffd-pager", "a= threads=5 threads=6", 9);
	round_trip("uffd-pager", ":", 1);

	refused("");
	refused("uffd-pager");
	refused("uffd-pager threads=");
	refused("uffd-pager threads=x");
	refused("uffd-pager threads=-1");
	refused("uffd-pager threads=1 ");
	refused("uffd-pager threads=4294967296");
	refused(":a=1 threads=1");
	refused(" threads=1");
	/* an errors entry: the label and ": why" (not an experiments entry) */
	char *why = pb_experiment_label("uffd-pager", "a=1", 2, "self-check failed");
	PB_CHECK(why && !strcmp(why, "uffd-pager:a=1 threads=2: self-check failed"));
	if (why)
		refused(why);
	free(why);

	identity("uffd-pager", "pages=64,latency_csv=/tmp/a b.csv,frames=16", "pages=64,frames=16");
	identity("uffd-pager", "latency_csv=/x", "");
	identity("uffd-pager", "latency_csv=/x,pages=64", "pages=64");
	identity("uffd-pager", "pages=64,frames=16", "pages=64,frames=16");
	identity("uffd-pager", "swap=/tmp", "swap=/tmp");
	identity("uffd-pager", "", "");
	identity("uffd-pager", NULL, "");
	identity("uffd-pager", ",a=1,", ",a=1,");
	identity("uffd-pager", "latency_csvx=1,latency_csv", "latency_csvx=1,latency_csv");
	identity("pt-lookup", "latency_csv=/x", "latency_csv=/x"); /* not its key */
	return pb_test_done();
}
