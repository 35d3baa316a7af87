/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/kernels.c - benchmark kernels of the workload module.
 *
 *  trace-read: replay speed of the trace readers.  setup() writes one trace
 *              file (a seeded zipf stream, in pbt or as a valgrind lackey
 *              log) under $TMPDIR; each thread then opens its own reader on
 *              it and consumes every reference per repetition (from the
 *              page cache after the first).  One op = one reference
 *              delivered (for lackey: one record).  verify() checks that
 *              every thread read exactly the references written.
 *  wl-gen:     generator speed: each thread draws --ops references from
 *              its own stream of the given workload spec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/kernel.h"
#include "pagebench/outfile.h"
#include "pagebench/trace.h"
#include "wl_internal.h"

#define KBATCH 4096

struct tr_state {
	char path[256];
	char spec[400];
	char user[256]; /* path= : an existing trace to read */
	char fmt[16];
	int lackey;
	int level;     /* zstd level of the generated pbt */
	int huffman;   /* its literals Huffman-coded (PB_PBT_HUFFMAN) */
	uint64_t refs; /* references in the file */
	uint64_t bad;  /* threads that read a wrong count */
	char err[WL_ERRLEN];
};

struct tr_thr {
	struct pb_access *buf;
	uint64_t sink;
};

/* --param of trace-read. */
struct tr_params {
	char *format, *path;
	uint64_t fast;
	int huffman;
};

static const struct pb_param tr_params[] = {
    {"format", PB_PT_STR, offsetof(struct tr_params, format), NULL,
     "pbt (zstd blocks, the default) or lackey (valgrind text log); with path=: any format "
     "(default: detected)",
     NULL, 0, 0, 0, 0, "F"},
    {"fast", PB_PT_U64, offsetof(struct tr_params, fast), "0",
     "write the generated pbt at zstd's fast level N (trace convert --fast N; 0: level 3)", NULL, 0,
     7, 0, 0, "N"},
    {"huffman", PB_PT_BOOL, offsetof(struct tr_params, huffman), "0",
     "Huffman-code the generated pbt's literals at level 3 (trace convert --huffman)", NULL, 0, 0,
     0, 0, "0|1"},
    {"path", PB_PT_STR, offsetof(struct tr_params, path), NULL,
     "read this existing trace instead of a generated one (--ops: references generated, "
     "default 40M pbt, 4M lackey)",
     NULL, 0, 0, 0, 0, "FILE"},
    {0},
};

/* Counts what a stream delivers (the drain sinks of this file). */
struct count_ctx {
	uint64_t n, sink;
	FILE *f; /* write_lackey */
};

static int count_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct count_ctx *c = ctx;
	c->n += n;
	c->sink += a[n - 1].addr;
	return 0;
}

static int lackey_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct count_ctx *c = ctx;
	for (size_t j = 0; j < n; j++, c->n++) {
		/* the mix of a real log: ~70 % fetches, then loads, stores, modifies */
		uint64_t i = c->n;
		unsigned kind = (unsigned)(i * 0x9e3779b97f4a7c15ULL >> 60);
		uint64_t addr = a[j].addr + (i & 0x38);
		if (kind < 11)
			fprintf(c->f, "I  %08llx,%u\n",
				(unsigned long long)(0x400000 + (addr & 0xfffff)),
				1 + (unsigned)(i % 7));
		else if (kind < 14)
			fprintf(c->f, " L %llx,8\n", (unsigned long long)addr);
		else if (kind < 15)
			fprintf(c->f, " S %llx,8\n", (unsigned long long)addr);
		else
			fprintf(c->f, " M %llx,4\n", (unsigned long long)addr);
	}
	return 0;
}

static int write_lackey(const char *path, const char *gspec, uint64_t refs, char *err,
			size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	struct pb_workload *w;
	int rc = pb_workload_open(gspec, NULL, &w, err, errlen);
	if (rc) {
		fclose(f);
		return rc;
	}
	struct pb_access buf[1024];
	fprintf(f, "==1== Lackey, an example Valgrind tool\n");
	struct count_ctx c = {.f = f};
	rc = pb_workload_drain(w, buf, 1024, lackey_sink, &c, err, errlen);
	fprintf(f, "==1== \n");
	pb_workload_close(w);
	if (fclose(f) || rc)
		return rc ? rc : -EIO;
	return 0;
}

static int tr_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	struct tr_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	struct tr_params tp = {0}; /* zeroed: defaults free the PB_PT_STR fields */
	int rc = pb_param_defaults(tr_params, &tp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(tr_params, &tp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (!rc && tp.format && strlen(tp.format) >= sizeof(s->fmt)) {
		snprintf(cfg->err, cfg->errlen, "format=%.32s: too long", tp.format);
		rc = -EINVAL;
	}
	if (!rc && tp.path && strlen(tp.path) >= sizeof(s->user) - 1) {
		snprintf(cfg->err, cfg->errlen, "path=: too long");
		rc = -EINVAL;
	}
	if (!rc) {
		snprintf(s->fmt, sizeof(s->fmt), "%s", tp.format ? tp.format : "");
		s->lackey = !strcmp(s->fmt, "lackey");
		snprintf(s->user, sizeof(s->user), "%s", tp.path ? tp.path : "");
		s->level = tp.fast ? -(int)tp.fast : 3;
		s->huffman = tp.huffman;
		if (tp.fast && tp.huffman) {
			snprintf(cfg->err, cfg->errlen,
				 "huffman=1 with fast=N: zstd's fast levels write no Huffman-coded "
				 "literals");
			rc = -EINVAL;
		}
	}
	pb_param_free(tr_params, &tp);
	if (rc) {
		free(s);
		return rc;
	}
	if (s->user[0]) {
		/* an existing trace: count what a reader must deliver */
		snprintf(s->spec, sizeof(s->spec), "trace:path=%s%s%s", s->user,
			 s->fmt[0] ? ",format=" : "", s->fmt);
		struct pb_workload *w;
		rc = pb_workload_open(s->spec, NULL, &w, cfg->err, cfg->errlen);
		if (!rc) {
			struct count_ctx c = {0};
			rc = pb_workload_drain(w, NULL, KBATCH, count_sink, &c, cfg->err,
					       cfg->errlen);
			s->refs = c.n;
			pb_workload_close(w);
		}
		if (rc) {
			free(s);
			return rc;
		}
		*state = s;
		return 0;
	}
	if (s->fmt[0] && strcmp(s->fmt, "pbt") && strcmp(s->fmt, "lackey")) {
		snprintf(cfg->err, cfg->errlen,
			 "format=%s: the generated trace is pbt or lackey (or give path=)", s->fmt);
		free(s);
		return -EINVAL;
	}
	uint64_t refs = cfg->ops ? cfg->ops : (s->lackey ? 4000000 : 40000000);
	const char *tmp = getenv("TMPDIR");
	snprintf(s->path, sizeof(s->path), "%s/pagebench-trace-read-%d.%s",
		 tmp && *tmp ? tmp : "/tmp", (int)getpid(), s->lackey ? "lackey" : "pbt");
	char gspec[160];
	snprintf(gspec, sizeof(gspec), "zipf:pages=262144,alpha=0.9,write=0.3,refs=%llu,seed=%llu",
		 (unsigned long long)refs, (unsigned long long)cfg->seed);
	uint64_t n = 0;
	if (s->lackey)
		rc = write_lackey(s->path, gspec, refs, cfg->err, cfg->errlen);
	else
		rc = pb_trace_convert(gspec, cfg->seed, s->path, s->level,
				      PB_OUT_FORCE | (s->huffman ? PB_PBT_HUFFMAN : 0), &n,
				      cfg->err, cfg->errlen);
	if (rc) {
		unlink(s->path);
		free(s);
		return rc;
	}
	snprintf(s->spec, sizeof(s->spec), "trace:path=%s,format=%s", s->path,
		 s->lackey ? "lackey" : "pbt");
	/* count what the reader must deliver (lackey M records expand to 2) */
	struct pb_trace_stats st;
	if (s->lackey) {
		rc = pb_trace_info(s->spec, NULL, &st, cfg->err, cfg->errlen);
		s->refs = st.refs;
	} else {
		s->refs = n;
	}
	if (rc) {
		unlink(s->path);
		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

static int tr_thread_init(void *state, struct pb_kthread *t)
{
	struct tr_thr *th = calloc(1, sizeof(*th));
	if (!th)
		return -ENOMEM;
	th->buf = pb_map(KBATCH * sizeof(struct pb_access), 1);
	if (!th->buf) {
		free(th);
		return -ENOMEM;
	}
	t->tstate = th;
	(void)state;
	return 0;
}

static uint64_t tr_run(void *state, struct pb_kthread *t)
{
	struct tr_state *s = state;
	struct tr_thr *th = t->tstate;
	struct pb_workload *w;
	char err[WL_ERRLEN];
	if (pb_workload_open(s->spec, NULL, &w, err, sizeof(err))) {
		pb_atomic_fetch_add(&s->bad, 1, PB_RELAXED);
		return 0;
	}
	struct count_ctx c = {0};
	int rc = pb_workload_drain(w, th->buf, KBATCH, count_sink, &c, err, sizeof(err));
	uint64_t n = c.n;
	if (rc || n != s->refs)
		pb_atomic_fetch_add(&s->bad, 1, PB_RELAXED);
	th->sink += c.sink;
	pb_workload_close(w);
	t->extra[0] = n;
	return n;
}

static int tr_verify(void *state, char *err, size_t errlen)
{
	struct tr_state *s = state;
	uint64_t bad = pb_atomic_load(&s->bad, PB_RELAXED);
	if (bad) {
		snprintf(err, errlen,
			 "trace-read: %llu thread runs did not read the %llu references written",
			 (unsigned long long)bad, (unsigned long long)s->refs);
		return 1;
	}
	return 0;
}

static void tr_thread_fini(void *state, struct pb_kthread *t)
{
	struct tr_thr *th = t->tstate;
	(void)state;
	pb_unmap(th->buf, KBATCH * sizeof(struct pb_access));
	free(th);
	t->tstate = NULL;
}

static void tr_teardown(void *state)
{
	struct tr_state *s = state;
	if (!s->user[0])
		unlink(s->path);
	free(s);
}

static const char *const tr_extra[] = {"refs_read", NULL};

static const struct pb_kernel_desc trace_read = {
    .name = "trace-read",
    .module = "workload",
    .summary = "trace replay speed: each thread reads a whole trace file (pbt or lackey text)",
    .params = tr_params,
    .params_size = sizeof(struct tr_params),
    .op_unit = "reference",
    .extra_cols = tr_extra,
    .bench_only = 1,
    .setup = tr_setup,
    .thread_init = tr_thread_init,
    .run = tr_run,
    .verify = tr_verify,
    .thread_fini = tr_thread_fini,
    .teardown = tr_teardown,
};

/* ---- wl-gen ---- */
struct gen_state {
	char spec[640];
	uint64_t ops, seed;
};

/* --param of wl-gen: one key; the generator's own k=v pairs go inside the
 * spec joined with ';' (a comma would end the value), as uffd-pager's
 * workload= does: workload=uniform:pages=1M;write=0.3. */
struct gen_params {
	char *workload;
};

static const struct pb_param gen_params[] = {
    {"workload", PB_PT_STR, offsetof(struct gen_params, workload), "zipf",
     "generator SPEC, its own pairs joined with ';' (e.g. uniform:pages=1M;write=0.3; see "
     "`pagebench list workloads`)",
     NULL, 0, 0, 0, 0, "SPEC"},
    {0},
};

static int gen_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	struct gen_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	struct gen_params gp = {0}; /* zeroed: defaults free the PB_PT_STR fields */
	int rc = pb_param_defaults(gen_params, &gp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(gen_params, &gp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (!rc && strlen(gp.workload) >= 500) {
		snprintf(cfg->err, cfg->errlen, "workload=: spec too long");
		rc = -EINVAL;
	}
	if (!rc) {
		snprintf(s->spec, sizeof(s->spec), "%s", gp.workload);
		for (char *c = s->spec; *c; c++)
			if (*c == ';')
				*c = ',';
	}
	pb_param_free(gen_params, &gp);
	if (rc) {
		free(s);
		return rc;
	}
	s->ops = cfg->ops ? cfg->ops : 4000000;
	s->seed = cfg->seed;
	/* validate the spec once, with refs set from --ops */
	char full[560];
	snprintf(full, sizeof(full), "%.500s%srefs=%llu", s->spec, strchr(s->spec, ':') ? "," : ":",
		 (unsigned long long)s->ops);
	snprintf(s->spec, sizeof(s->spec), "%s", full);
	struct pb_workload *w;
	struct pb_workload_opts o = {0, 1, s->seed};
	rc = pb_workload_open(s->spec, &o, &w, cfg->err, cfg->errlen);
	if (rc) {
		free(s);
		return rc;
	}
	pb_workload_close(w);
	*state = s;
	return 0;
}

static uint64_t gen_run(void *state, struct pb_kthread *t)
{
	struct gen_state *s = state;
	struct pb_workload_opts o = {t->tid, t->nthreads, s->seed};
	struct pb_workload *w;
	char err[WL_ERRLEN];
	struct pb_access buf[1024];
	if (pb_workload_open(s->spec, &o, &w, err, sizeof(err)))
		return 0;
	struct count_ctx c = {0};
	int rc = pb_workload_drain(w, buf, 1024, count_sink, &c, err, sizeof(err));
	pb_workload_close(w);
	return rc ? 0 : c.n;
}

static void gen_teardown(void *state)
{
	free(state);
}

static const struct pb_kernel_desc wl_gen = {
    .name = "wl-gen",
    .module = "workload",
    .summary = "synthetic generator speed: each thread draws --ops references",
    .params = gen_params,
    .params_size = sizeof(struct gen_params),
    .op_unit = "reference",
    .setup = gen_setup,
    .run = gen_run,
    .teardown = gen_teardown,
};

const struct pb_kernel_desc *const pb_kernels_workload[] = {&trace_read, &wl_gen, NULL};
