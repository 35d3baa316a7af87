/* SPDX-License-Identifier: MIT */
/*
 * tests/pt/test_pt_kernels.c - every pt benchmark kernel, driven through its
 * descriptor as the harness does (setup, per-thread init and run on two
 * threads, verify, teardown) with a few ops, for both tables; bad params
 * must be refused with a message.  Label stress (threads; runs under TSan).
 * --size in bytes maps whole pages, a part page rounded up (1 byte: 1
 * page, 4097: 2), and setup records the pages it maps in cfg.resolved
 * (meta.json config.kernel_resolved.KERNEL.pages): a size under 4 KiB ran
 * the default working set and 4097..8191 one page, without a word.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <jansson.h>

#include "pagebench/kernel.h"
#include "pbtest.h"

#define NT 2

struct targ {
	const struct pb_kernel_desc *d;
	void *state;
	struct pb_kthread t;
	int rc;
	uint64_t ops;
};

static void *thr(void *arg)
{
	struct targ *a = arg;
	a->rc = a->d->thread_init ? a->d->thread_init(a->state, &a->t) : 0;
	if (a->rc)
		return NULL;
	for (int rep = 0; rep < 2; rep++)
		a->ops += a->d->run(a->state, &a->t);
	if (a->d->thread_fini)
		a->d->thread_fini(a->state, &a->t);
	return NULL;
}

static void run_one(const struct pb_kernel_desc *d, const char *params)
{
	char err[256] = "";
	int nodes[NT] = {0};
	struct pb_kernel_cfg cfg = {.nthreads = NT,
				    .ops = 3000,
				    .seed = 1,
				    .params = params,
				    .thread_node = nodes,
				    .nnodes = 1,
				    .err = err,
				    .errlen = sizeof(err)};
	if (!strcmp(d->name, "pt-lookup-cold") && !strstr(params, "pages"))
		return; /* covered below with a small working set */
	void *state = NULL;
	int rc = d->setup(&cfg, &state);
	PB_CHECK_MSG(rc == 0, "%s [%s]: setup: %s", d->name, params, err);
	if (rc)
		return;
	pthread_t th[NT];
	struct targ a[NT];
	for (unsigned i = 0; i < NT; i++) {
		a[i] = (struct targ){
		    .d = d, .state = state, .t = {.tid = i, .nthreads = NT, .node = 0, .cpu = -1}};
		PB_CHECK(pthread_create(&th[i], NULL, thr, &a[i]) == 0);
	}
	for (unsigned i = 0; i < NT; i++) {
		pthread_join(th[i], NULL);
		PB_CHECK_MSG(a[i].rc == 0, "%s [%s]: thread_init %d", d->name, params, a[i].rc);
		PB_CHECK_EQ_U64(a[i].ops, 2 * 3000);
		PB_CHECK_EQ_U64(a[i].t.extra[0], 0); /* misses / errors */
	}
	if (d->verify) {
		err[0] = 0;
		rc = d->verify(state, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s [%s]: verify: %s", d->name, params, err);
	}
	d->teardown(state);
}

int main(void)
{
	static const char *const params[] = {
	    "",	      "pt=hashed", "dispatch=vtable",	"dispatch=inline,pt=hashed",
	    "huge=1", "shared=1",  "update=50,guard=7", NULL};
	unsigned n = 0;
	for (unsigned k = 0; pb_kernels_pt[k]; k++) {
		const struct pb_kernel_desc *d = pb_kernels_pt[k];
		PB_CHECK(!strcmp(d->module, "pt"));
		n++;
		for (unsigned p = 0; params[p]; p++) {
			/* huge=1 is for pt-lookup only */
			if (!strcmp(params[p], "huge=1") && strcmp(d->name, "pt-lookup"))
				continue;
			run_one(d, params[p]);
		}
	}
	PB_CHECK_EQ_U64(n, 5);
	const struct pb_kernel_desc *cold = NULL, *lookup = NULL;
	for (unsigned k = 0; pb_kernels_pt[k]; k++) {
		if (!strcmp(pb_kernels_pt[k]->name, "pt-lookup-cold"))
			cold = pb_kernels_pt[k];
		if (!strcmp(pb_kernels_pt[k]->name, "pt-lookup"))
			lookup = pb_kernels_pt[k];
	}
	PB_CHECK(cold && lookup);
	/* --size rounds up to whole pages, and the pages are recorded */
	static const struct {
		uint64_t size, pages;
	} sizes[] = {{1, 1}, {4095, 1}, {4096, 1}, {4097, 2}, {8192, 2}, {8193, 3}};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (unsigned k = 0; pb_kernels_pt[k]; k++) {
			const struct pb_kernel_desc *d = pb_kernels_pt[k];
			char err[256] = "";
			int node0 = 0;
			struct pb_kernel_cfg cfg = {.nthreads = 1,
						    .size = sizes[i].size,
						    .params = "",
						    .thread_node = &node0,
						    .nnodes = 1,
						    .err = err,
						    .errlen = sizeof(err),
						    .resolved = json_object()};
			void *state = NULL;
			int rc = d->setup(&cfg, &state);
			PB_CHECK_MSG(rc == 0, "%s --size %llu: setup: %s", d->name,
				     (unsigned long long)sizes[i].size, err);
			json_t *p = json_object_get(cfg.resolved, "pages");
			PB_CHECK_MSG(json_integer_value(json_object_get(p, "value")) ==
					     (json_int_t)sizes[i].pages &&
					 json_string_value(json_object_get(p, "why")),
				     "%s --size %llu: recorded %lld pages, want %llu", d->name,
				     (unsigned long long)sizes[i].size,
				     (long long)json_integer_value(json_object_get(p, "value")),
				     (unsigned long long)sizes[i].pages);
			json_decref(cfg.resolved);
			if (!rc)
				d->teardown(state);
		}
	}
	if (cold) {
		run_one(cold, "pages=2048");
		run_one(cold, "pages=2048,pt=hashed");
	}
	if (lookup) {
		/* refused parameters */
		static const char *const bad[] = {"pt=btree", "pages=0", "huge=1,pt=hashed",
						  "frob=1",   "guard=x", NULL};
		for (unsigned b = 0; bad[b]; b++) {
			char err[256] = "";
			struct pb_kernel_cfg cfg = {.nthreads = 1,
						    .params = bad[b],
						    .nnodes = 1,
						    .err = err,
						    .errlen = sizeof(err)};
			void *state = NULL;
			PB_CHECK_MSG(lookup->setup(&cfg, &state) == -EINVAL && err[0],
				     "params '%s' accepted", bad[b]);
		}
		/* the same table drives the harness's check before any folder */
		for (unsigned k = 0; pb_kernels_pt[k]; k++) {
			const struct pb_kernel_desc *d = pb_kernels_pt[k];
			PB_CHECK(d->params == lookup->params && d->params_size > 0);
		}
		for (unsigned b = 0; bad[b]; b++) {
			char err[256] = "";
			int brc = pb_kernel_params_check(lookup, bad[b], NULL, err, sizeof(err));
			/* huge=1,pt=hashed is a combination only setup() can judge */
			PB_CHECK_MSG(strstr(bad[b], "huge") ? brc == 0 : brc == -EINVAL && err[0],
				     "table check of '%s': %d %s", bad[b], brc, err);
		}
	}
	return pb_test_done();
}
