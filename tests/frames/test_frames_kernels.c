/* SPDX-License-Identifier: MIT */
/*
 * tests/frames/test_frames_kernels.c - drives the frames benchmark kernels
 * the way the harness does (setup, thread_init on each thread, repetitions
 * separated by a barrier, thread_fini, verify, teardown) on plain pthreads,
 * for every pattern/order/cross combination, so that their own self-check
 * (pb_frames_check + every frame back) runs under ThreadSanitizer too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/kernel.h"
#include "pbtest.h"

#define NT   4 /* most threads; run_one takes how many */
#define REPS 2

struct ctx {
	const struct pb_kernel_desc *d;
	unsigned n;
	void *state;
	pthread_barrier_t bar;
	struct pb_kthread kt[NT];
	uint64_t ops[NT];
	uint64_t sent[NT], freed[NT]; /* cross_sent, cross_freed over the repetitions */
	int init_rc[NT];
};

struct arg {
	struct ctx *c;
	unsigned tid;
};

static void *thread_main(void *p)
{
	struct arg *a = p;
	struct ctx *c = a->c;
	struct pb_kthread *t = &c->kt[a->tid];
	t->tid = a->tid;
	t->nthreads = c->n;
	t->node = -1; /* unknown: the kernel uses the planned cfg->thread_node */
	t->cpu = -1;
	c->init_rc[a->tid] = c->d->thread_init ? c->d->thread_init(c->state, t) : 0;
	for (int r = 0; r < REPS; r++) {
		pthread_barrier_wait(&c->bar);
		memset(t->extra, 0, sizeof(t->extra));
		c->ops[a->tid] += c->d->run(c->state, t);
		c->sent[a->tid] += t->extra[1];
		c->freed[a->tid] += t->extra[2];
		pthread_barrier_wait(&c->bar);
	}
	if (c->d->thread_fini)
		c->d->thread_fini(c->state, t);
	return NULL;
}

/* Runs d with n threads; returns the frames handed to another thread. */
static uint64_t run_n(const struct pb_kernel_desc *d, const char *params, unsigned nnodes,
		      unsigned n)
{
	char err[256] = "";
	int nodes[NT] = {0, 1, 0, 1}; /* with one node, setup maps them all to 0 */
	struct pb_kernel_cfg cfg = {.nthreads = n,
				    .ops = 20000,
				    .size = 256UL << 20,
				    .seed = 7,
				    .params = params,
				    .thread_node = nodes,
				    .nnodes = nnodes,
				    .err = err,
				    .errlen = sizeof(err)};
	struct ctx c = {.d = d, .n = n};
	int rc = d->setup(&cfg, &c.state);
	PB_CHECK_MSG(rc == 0, "%s %s: setup: %s", d->name, params, err);
	if (rc)
		return 0;
	pthread_barrier_init(&c.bar, NULL, n);
	pthread_t th[NT];
	struct arg a[NT];
	for (unsigned i = 0; i < n; i++) {
		a[i] = (struct arg){&c, i};
		pthread_create(&th[i], NULL, thread_main, &a[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	uint64_t sent = 0, freed = 0;
	for (unsigned i = 0; i < n; i++) {
		sent += c.sent[i];
		freed += c.freed[i];
		PB_CHECK_EQ_U64(c.init_rc[i], 0);
		PB_CHECK_MSG(c.ops[i] == REPS * 20000ULL, "%s %s: thread %u did %llu ops", d->name,
			     params, i, (unsigned long long)c.ops[i]);
		PB_CHECK_EQ_U64(c.kt[i].extra[3], 0); /* bad_frees */
	}
	/* Frames freed by their receivers during the runs: at most those sent
	 * (the rest are freed at thread_fini or by verify). */
	PB_CHECK_MSG(freed <= sent, "%s %s: %llu frames freed from inboxes, %llu sent", d->name,
		     params, (unsigned long long)freed, (unsigned long long)sent);
	if (d->verify) {
		rc = d->verify(c.state, err, sizeof(err));
		PB_CHECK_MSG(rc == 0, "%s %s: verify: %s", d->name, params, err);
	}
	d->teardown(c.state);
	pthread_barrier_destroy(&c.bar);
	return sent;
}

static void run_one(const struct pb_kernel_desc *d, const char *params, unsigned nnodes)
{
	run_n(d, params, nnodes, 3);
}

int main(void)
{
	static const char *const params[] = {
	    "pattern=repeat",
	    "pattern=random",
	    "pattern=random,cross=50",
	    "pattern=random,cross=50,remote=1",
	    "pattern=repeat,cross=100",
	    "pattern=repeat,order=9",
	    "pattern=random,order=9,cross=50",
	    "pattern=random,held=5000,cross=20",
	    "pattern=random,path=global,cross=50",
	    "pattern=repeat,order=9,path=global",
	};
	for (size_t k = 0; pb_kernels_frames[k]; k++)
		for (size_t i = 0; i < PB_ARRAY_SIZE(params); i++)
			run_one(pb_kernels_frames[k], params[i], 1);
	/* Two NUMA nodes (threads 0 and 2 on node 0, thread 1 on node 1):
	 * cross frees move frames between nodes' threads. */
	run_one(pb_kernels_frames[0], "pattern=random,cross=50", 2);
	run_one(pb_kernels_frames[0], "pattern=random,order=9,cross=50", 2);
	/* Cross traffic at 2 and 4 threads (and 3 above), with and without
	 * remote-free batching, with every free checked at the call (debug=1):
	 * frames crossed, and verify found every frame back and every frame
	 * handed over freed once (sent == freed). */
	static const char *const cross[] = {
	    "pattern=random,cross=50,debug=1",
	    "pattern=random,cross=50,remote=1,debug=1",
	    "pattern=repeat,cross=100,debug=1",
	    "pattern=random,held=40,cross=90,remote=1",
	};
	for (unsigned n = 2; n <= NT; n += 2)
		for (size_t i = 0; i < PB_ARRAY_SIZE(cross); i++) {
			uint64_t sent = run_n(pb_kernels_frames[0], cross[i], 1, n);
			PB_CHECK_MSG(sent > 0, "%s at %u threads: nothing crossed", cross[i], n);
		}
	/* Bad parameters are refused with a message. */
	char err[256] = "";
	struct pb_kernel_cfg cfg = {
	    .nthreads = 1, .params = "order=3", .nnodes = 1, .err = err, .errlen = sizeof(err)};
	void *st = NULL;
	PB_CHECK(pb_kernels_frames[0]->setup(&cfg, &st) != 0);
	PB_CHECK(err[0] != 0);
	cfg.params = "bogus=1";
	PB_CHECK(pb_kernels_frames[0]->setup(&cfg, &st) != 0);
	/* Both kernels share one parameter table; its defaults are the
	 * documented ones and the harness's check refuses what setup refuses. */
	for (size_t k = 0; pb_kernels_frames[k]; k++) {
		const struct pb_kernel_desc *d = pb_kernels_frames[k];
		PB_CHECK(d->params == pb_kernels_frames[0]->params && d->params_size > 0);
		static const char *const bad[] = {"order=3", "bogus=1",	 "cross=101", "held=0",
						  "path=x",  "pattern=", NULL};
		for (unsigned b = 0; bad[b]; b++) {
			err[0] = 0;
			PB_CHECK_MSG(pb_kernel_params_check(d, bad[b], NULL, err, sizeof(err)) ==
					     -EINVAL &&
					 strstr(err, d->name),
				     "%s: '%s' passed the table: %s", d->name, bad[b], err);
		}
		struct json_t *j = NULL;
		PB_CHECK(pb_kernel_params_check(d, "cross=20", &j, err, sizeof(err)) == 0 && j);
		char *txt = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
		PB_CHECK_MSG(txt &&
				 !strcmp(txt, "{\"cross\":20,\"debug\":0,\"held\":null,\"order\":"
					      "\"0\",\"path\":\"cache\","
					      "\"pattern\":\"random\",\"remote\":0}"),
			     "%s", txt ? txt : "(null)");
		free(txt);
		json_decref(j);
	}
	return pb_test_done();
}
