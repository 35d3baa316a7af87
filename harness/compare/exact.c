/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/exact.c - exact metrics: the counts of deterministic
 * replays in sim.csv and mrc.csv must be equal, or the row is CHANGED.
 *
 * A seeded sim replay on one thread (or on N threads with --order strict)
 * gives the same fault, eviction and write-back counts on every machine
 * and every run: the most CI-friendly signal the project has, with no
 * noise to argue about.  Rows match by their whole configuration
 * (sim: workload, policy, frames, prepage, pt, threads, order, hints,
 * tlb, device, rep; mrc: workload, policy, frames).  Counts that depend
 * on thread interleaving (TLB and prepaging counts on several threads)
 * are compared on one thread only; --order free on several threads is not
 * deterministic and its counts are not compared (said in the row).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

struct exact_kind {
	const char *name, *file;
	const char *const *key;
	size_t nkey;
	const char *const *counts;
	const int *single_only; /* compared only when threads == 1 */
	size_t ncounts;
	int has_valid, has_threads;
};

static const char *const sim_key[] = {"workload", "policy", "frames", "prepage", "pt", "threads",
				      "order",	  "hints",  "tlb",    "device",	 "rep"};
static const char *const sim_counts[] = {
    "refs",	      "hits",	    "faults",	  "minor_faults",    "major_faults",
    "zero_fills",     "swap_ins",   "file_reads", "pagecache_hits",  "cow_copies",
    "evictions",      "writebacks", "swap_outs",  "file_writebacks", "tlb_l1_hits",
    "tlb_l2_hits",    "tlb_misses", "shootdowns", "prepaged",	     "prepage_used",
    "prepage_unused", "read_ios",   "write_ios"};
static const int sim_single[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const char *const mrc_key[] = {"workload", "policy", "frames"};
static const char *const mrc_counts[] = {"refs", "misses"};
static const int mrc_single[] = {0, 0};

static const struct exact_kind kinds[] = {
    {"sim", "sim.csv", sim_key, 11, sim_counts, sim_single, 23, 1, 1},
    {"mrc", "mrc.csv", mrc_key, 3, mrc_counts, mrc_single, 2, 0, 0},
};

/* One row of one side. */
struct erow {
	const struct cmp_table *t;
	size_t row;
	char *key;
};

struct eside {
	struct erow *v;
	size_t n;
};

static struct erow *eside_find(struct eside *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].key, key))
			return &s->v[i];
	return NULL;
}

static int load_eside(const struct exact_kind *k, struct cmp_run *runs, size_t nruns,
		      struct eside *s, char *err, size_t errlen)
{
	for (size_t ri = 0; ri < nruns; ri++) {
		const struct cmp_table *t = k->name[0] == 's' ? &runs[ri].sim : &runs[ri].mrc;
		int has = k->name[0] == 's' ? runs[ri].has_sim : runs[ri].has_mrc;
		if (!has)
			continue;
		int kix[16];
		int rc = cmp_table_need(t, k->key, k->nkey, kix, err, errlen);
		if (rc)
			return rc;
		int cth = k->has_threads ? cmp_table_col(t, "threads") : -1;
		for (size_t r = 0; r < t->nrows; r++) {
			/* threads goes into compare.csv's threads, a number in
			 * the JSON: a cell that is not one is refused here */
			if (cth >= 0 && (rc = cmp_cell_json(t, r, cth, cmp_csv_kind("threads"),
							    NULL, err, errlen)))
				return rc;
			char *key = cmp_strdup("");
			for (size_t c = 0; c < k->nkey; c++) {
				char *n = cmp_asprintf("%s%s%s=%s", key, c ? "," : "", k->key[c],
						       cmp_cell(t, r, kix[c]));
				free(key);
				key = n;
			}
			if (eside_find(s, key)) { /* pooled: the first run's row stands */
				free(key);
				continue;
			}
			s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
			if (!s->v)
				abort();
			s->v[s->n++] = (struct erow){t, r, key};
		}
	}
	return 0;
}

static void eside_free(struct eside *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].key);
	free(s->v);
}

static int col_of(const struct cmp_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
}

static struct cmp_row *erow_row(struct cmp_rows *rows, const struct exact_kind *k,
				const struct erow *e)
{
	struct cmp_row *r = cmp_rows_add(rows);
	const struct cmp_table *t = e->t;
	r->kind = k->name;
	r->kernel = cmp_strdup(cmp_cell(t, e->row, col_of(t, "policy")));
	r->experiment = cmp_asprintf("%s:%s", k->name, r->kernel);
	r->params = cmp_strdup(e->key);
	r->threads = cmp_strdup(k->has_threads ? cmp_cell(t, e->row, col_of(t, "threads")) : "1");
	r->pin = cmp_strdup("");
	r->baseline = cmp_strdup("");
	r->mode = "exact";
	r->mwu = "";
	r->base = r->new_ = r->ratio = r->lo = r->hi = r->p = r->raw_ratio = NAN;
	r->raw_lo = r->raw_hi = r->raw_p = NAN;
	return r;
}

static int valid_of(const struct cmp_table *t, size_t row, int *valid, char *err, size_t errlen)
{
	int c = col_of(t, "valid");
	*valid = 1;
	if (c < 0)
		return 0;
	uint64_t v;
	int rc = cmp_count(t, row, c, &v, err, errlen);
	if (!rc && v > 1) {
		snprintf(err, errlen, "%s:%zu: column %d (valid): not 0 or 1", t->path,
			 t->line[row], c + 1);
		rc = -EINVAL;
	}
	*valid = (int)v;
	return rc;
}

static int judge_exact(const struct exact_kind *k, const struct erow *a, const struct erow *b,
		       struct cmp_row *r, char *err, size_t errlen)
{
	int va, vb, rc;
	if ((rc = valid_of(a->t, a->row, &va, err, errlen)) ||
	    (rc = valid_of(b->t, b->row, &vb, err, errlen)))
		return rc;
	r->n_base = r->n_new = 1;
	if (!va || !vb) {
		r->verdict = CMP_INVALID;
		r->detail = cmp_asprintf("valid=0 at %s:%zu", va ? b->t->path : a->t->path,
					 va ? b->t->line[b->row] : a->t->line[a->row]);
		return 0;
	}
	const char *thr = k->has_threads ? cmp_cell(a->t, a->row, col_of(a->t, "threads")) : "1";
	const char *order = k->has_threads ? cmp_cell(a->t, a->row, col_of(a->t, "order")) : "";
	int single = !strcmp(thr, "1");
	if (!single && !strcmp(order, "free")) {
		r->verdict = CMP_SAME;
		r->metric = cmp_strdup("");
		r->detail = cmp_strdup("order=free on several threads is not deterministic: counts "
				       "not compared");
		return 0;
	}
	char *changed = cmp_strdup(""), *metrics = cmp_strdup("");
	for (size_t c = 0; c < k->ncounts; c++) {
		if (k->single_only[c] && !single)
			continue;
		int ca = col_of(a->t, k->counts[c]), cb = col_of(b->t, k->counts[c]);
		if (ca < 0 || cb < 0)
			continue; /* an older schema without this count */
		uint64_t x, y;
		if ((rc = cmp_count(a->t, a->row, ca, &x, err, errlen)) ||
		    (rc = cmp_count(b->t, b->row, cb, &y, err, errlen))) {
			free(changed);
			free(metrics);
			return rc;
		}
		char *m = cmp_asprintf("%s%s%s", metrics, metrics[0] ? ";" : "", k->counts[c]);
		free(metrics);
		metrics = m;
		if (!strcmp(k->counts[c], k->name[0] == 's' ? "faults" : "misses")) {
			r->base = (double)x;
			r->new_ = (double)y;
			r->ratio = x ? (double)y / (double)x : (y ? 1.0 / 0.0 : 1.0);
		}
		if (x != y) {
			char *n = cmp_asprintf("%s%s%s %llu -> %llu", changed,
					       changed[0] ? "; " : "", k->counts[c],
					       (unsigned long long)x, (unsigned long long)y);
			free(changed);
			changed = n;
		}
	}
	r->metric = metrics;
	if (changed[0]) {
		r->verdict = CMP_CHANGED;
		r->detail = changed;
	} else {
		r->verdict = CMP_SAME;
		free(changed);
	}
	return 0;
}

int cmp_exact(struct cmp_run *base, size_t nbase, struct cmp_run *new_, size_t nnew,
	      struct cmp_rows *rows, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]) && !rc; ki++) {
		const struct exact_kind *k = &kinds[ki];
		struct eside a = {0}, b = {0};
		rc = load_eside(k, base, nbase, &a, err, errlen);
		if (!rc)
			rc = load_eside(k, new_, nnew, &b, err, errlen);
		for (size_t i = 0; i < a.n && !rc; i++) {
			struct erow *y = eside_find(&b, a.v[i].key);
			struct cmp_row *r = erow_row(rows, k, &a.v[i]);
			if (!y) {
				r->verdict = CMP_MISSING_NEW;
				r->metric = cmp_strdup("");
				r->detail = cmp_strdup("in BASE only: the replay vanished");
				continue;
			}
			rc = judge_exact(k, &a.v[i], y, r, err, errlen);
		}
		for (size_t i = 0; i < b.n && !rc; i++) {
			if (eside_find(&a, b.v[i].key))
				continue;
			struct cmp_row *r = erow_row(rows, k, &b.v[i]);
			r->verdict = CMP_MISSING_BASE;
			r->metric = cmp_strdup("");
			r->detail = cmp_strdup("in NEW only: not in the base run");
		}
		eside_free(&a);
		eside_free(&b);
	}
	return rc;
}
