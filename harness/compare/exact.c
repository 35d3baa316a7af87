/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/exact.c - exact metrics: the counts of deterministic
 * replays in sim.csv and mrc.csv must be equal, or the row is CHANGED.
 *
 * A seeded sim replay on one thread (or on N threads with --order strict)
 * gives the same fault, eviction and write-back counts on every machine
 * and every run: the most CI-friendly signal the project has, with no
 * noise to argue about.  Rows match by their whole configuration
 * (sim: workload, policy, its parameters, frames, prepage, pt, threads,
 * order, hints, tlb, device, backing, rep; mrc: workload, policy, its
 * parameters, frames, sample rate).  Every other column of the file is
 * compared but valid (judged apart: INVALID), the columns every CSV
 * starts with (schema_version, host, label, run_id: which run, not what it
 * did) and sim's timings (seconds, accesses_per_s): sim's engine events
 * and mrc's counts (refs, misses, the sample's refs, frames and misses)
 * as counts, the rest (fault_rate, eat_ns, miss ratios, err_est, method,
 * the seeds) as written; mrc's note, prose, is not compared.  The columns are the file's own, so an
 * event added to vm_events.h or a column added to mrc.csv is compared
 * without a word here.  Until 2026-12-07 lists kept by hand here chose
 * the columns: sim's 23 counts missed 16 events (OOM kills, THP faults,
 * segv, exec reads, the CPU caches ...) and eat_ns; mrc's 3 (refs,
 * misses, sampled_misses) missed sampled_refs, scaled_frames,
 * miss_ratio_raw, err_est and policy_seed.  Rows whose seeds differ
 * (sim's seed, the workload stream's; policy_seed, a randomised
 * policy's) replayed other random streams: other experiments, said so
 * ("seeds differ: 1 vs 2"), their counts not compared.  A cell that is
 * NA on both sides (a model or a sampled curve that does not count it)
 * is not compared; NA on one side only is a change.  Runs pooled on one
 * side must agree row by row: a count that differs between them makes the
 * row CHANGED, whatever the other side says.  --order strict on several
 * threads runs the chunks one after another, each on its engine CPU's TLB
 * and caches, so every column is compared there too (meta.json
 * config.deterministic; until 2026-12-07 the TLB, prepaging and I/O
 * counts were compared on one thread only); --order free on several
 * threads is not deterministic and its counts are not compared (said in
 * the row).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "pagebench/parse.h"
#include "pagebench/policy.h"
#include "pagebench/results.h"
#include "pagebench/vm_events.h"

struct exact_kind {
	const char *name, *file;
	const char *const *key;
	size_t nkey;
	const char *const *key_opt; /* name, old value, ...; NULL-terminated */
	/* the columns read as counts (strictly), NULL-terminated; NULL: the
	 * engine's events (vm_events.h).  Every column of the file is
	 * compared but the key, key_opt's, valid and not_compared. */
	const char *const *counts;
	const char *const *not_compared; /* NULL-terminated */
	const char *headline;		 /* the count in compare.csv's base and new */
	int has_valid, has_threads;
};

static const char *const sim_key[] = {"workload", "policy", "frames", "prepage", "pt", "threads",
				      "order",	  "hints",  "tlb",    "device",	 "rep"};
/* what this machine measured, not what the replay did */
static const char *const sim_timings[] = {"seconds", "accesses_per_s", NULL};
static const char *const mrc_key[] = {"workload", "policy", "frames"};
static const char *const mrc_counts[] = {"refs",	  "misses",	    "sampled_refs",
					 "scaled_frames", "sampled_misses", NULL};
/* prose saying how the row came about (exact, estimate, why NA), for a
 * reader: a later version's wording is no change in what was measured,
 * and method and the numbers beside it carry the facts */
static const char *const mrc_prose[] = {"note", NULL};

/* key columns of newer schemas, each with the value an older file's rows
 * had without it: in the key where present and not that value (nor empty,
 * nor NA), so that an older run's rows still match */
static const char *const sim_key_opt[] = {"policy_params", "", "backing", "sim", NULL};
static const char *const mrc_key_opt[] = {"policy_params", "", "sample_rate", "1", NULL};

static const struct exact_kind kinds[] = {
    {"sim", "sim.csv", sim_key, 11, sim_key_opt, NULL, sim_timings, "faults", 1, 1},
    {"mrc", "mrc.csv", mrc_key, 3, mrc_key_opt, mrc_counts, mrc_prose, "misses", 0, 0},
};

static int in_list(const char *const *l, const char *name)
{
	for (; *l; l++)
		if (!strcmp(*l, name))
			return 1;
	return 0;
}

/* Whether column name is one k compares (key_opt: name, value pairs). */
static int compared(const struct exact_kind *k, const char *name)
{
	for (size_t i = 0; i < k->nkey; i++)
		if (!strcmp(k->key[i], name))
			return 0;
	for (const char *const *o = k->key_opt; *o; o += 2)
		if (!strcmp(*o, name))
			return 0;
	/* schema_version, host, label, run_id: which run, not what it did */
	return pb_run_lead_numeric(name) < 0 && strcmp(name, "valid") &&
	       !in_list(k->not_compared, name);
}

/* Whether column name is a count, read strictly: one of k's counts, or
 * for sim.csv one of the engine's events (vm_events.h, the writer's one
 * list of them). */
static int is_count(const struct exact_kind *k, const char *name)
{
	if (k->counts)
		return in_list(k->counts, name);
	for (size_t e = 0; e < PB_VM_EV__COUNT; e++)
		if ((pb_vm_events[e].flags & PB_VM_EV_CSV) && !strcmp(pb_vm_events[e].name, name))
			return 1;
	return 0;
}

/* One row of one side. */
struct erow {
	const struct cmp_table *t;
	size_t row;
	char *key;
	char *disagree; /* a pooled run's row that differs: which, how */
};

/* One side's rows in file order, and by key: a jansson object as the
 * hash table (key -> index; keys are bytes from the CSVs, set unchecked).
 * A scan per row took 13.6 s for 24 582 rows against themselves. */
struct eside {
	struct erow *v;
	size_t n;
	json_t *idx;
};

static struct erow *eside_find(struct eside *s, const char *key)
{
	json_t *i = s->idx ? json_object_get(s->idx, key) : NULL;
	return i ? &s->v[json_integer_value(i)] : NULL;
}

static void eside_add(struct eside *s, struct erow e)
{
	if (!s->idx && !(s->idx = json_object()))
		abort();
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (!s->v || json_object_set_new_nocheck(s->idx, e.key, json_integer((json_int_t)s->n)))
		abort();
	s->v[s->n++] = e;
}

static int col_of(const struct cmp_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
}

/* A count, or NA (*na set): a model or a sampled curve that does not
 * count it writes NA. */
static int count_or_na(const struct cmp_table *t, size_t row, int col, uint64_t *v, int *na,
		       char *err, size_t errlen)
{
	*na = !strcmp(cmp_cell(t, row, col), "NA");
	*v = 0;
	return *na ? 0 : cmp_count(t, row, col, v, err, errlen);
}

/* Whether a row ran on one thread. */
static int row_single(const struct exact_kind *k, const struct erow *e)
{
	return !k->has_threads || !strcmp(cmp_cell(e->t, e->row, col_of(e->t, "threads")), "1");
}

/* Whether a row's counts depend on nothing but its configuration: one
 * thread, or several in strict order. */
static int row_deterministic(const struct exact_kind *k, const struct erow *e)
{
	return row_single(k, e) || strcmp(cmp_cell(e->t, e->row, col_of(e->t, "order")), "free");
}

/* Two cells of a column that is no count (eat_ns, fault_rate, a seed):
 * equal as written, or as numbers ("1e+06" and "1000000"; a 64-bit seed
 * as an integer, not rounded to a double). */
static int same_cells(const char *x, const char *y)
{
	uint64_t u, v;
	double d, e;
	if (!strcmp(x, y))
		return 1;
	if (!pb_parse_u64(x, &u) && !pb_parse_u64(y, &v))
		return u == v;
	return !pb_parse_double(x, &d) && !pb_parse_double(y, &e) && d == e;
}

/* Where a's and b's seeds, both recorded, differ (sim's seed, the
 * workload stream's; policy_seed, a randomised policy's choices'): the two
 * replayed other random streams, other experiments, whose counts say
 * nothing of a change in the code.  The seed is no part of the key (a
 * repetition's rows still pair up, so one line says why they differ, not
 * two rows each missing on the other side); listing every count that
 * differs would read as a change.  "seeds differ: 2 vs 1" ("policy seeds
 * differ: ..."), caller-freed; NULL where they agree. */
static char *seeds_differ(const struct erow *a, const struct erow *b)
{
	static const char *const cols[][2] = {{"seed", "seeds"}, {"policy_seed", "policy seeds"}};
	char *s = NULL;
	for (size_t i = 0; i < PB_ARRAY_SIZE(cols); i++) {
		int ca = col_of(a->t, cols[i][0]), cb = col_of(b->t, cols[i][0]);
		if (ca < 0 || cb < 0)
			continue; /* an older schema without it */
		const char *x = cmp_cell(a->t, a->row, ca), *y = cmp_cell(b->t, b->row, cb);
		if (!strcmp(x, "NA") || !strcmp(y, "NA") || same_cells(x, y))
			continue; /* NA on one side: a change diff_counts lists */
		char *n = cmp_asprintf("%s%s%s differ: %.40s vs %.40s", s ? s : "", s ? "; " : "",
				       cols[i][1], x, y);
		free(s);
		s = n;
	}
	return s;
}

/* a's and b's compared columns: *changed lists those that differ ("faults 67203 -> 1; eat_ns 12.5
 * -> 13"), *metrics those compared (both caller-freed); base and new_, when not NULL, get the
 * headline count (faults, misses). */
static int diff_counts(const struct exact_kind *k, const struct erow *a, const struct erow *b,
		       char **changed, char **metrics, double *base, double *new_, char *err,
		       size_t errlen)
{
	*changed = cmp_strdup("");
	*metrics = cmp_strdup("");
	/* a's columns; one b lacks is of another schema */
	for (size_t c = 0; c < a->t->ncols; c++) {
		const char *name = a->t->header[c];
		if (!compared(k, name))
			continue;
		int ca = col_of(a->t, name), cb = col_of(b->t, name);
		if (ca < 0 || cb < 0)
			continue; /* an older schema without this column */
		char sx[48] = "NA", sy[48] = "NA";
		int nx, ny, same;
		if (is_count(k, name)) {
			uint64_t x, y;
			int rc;
			if ((rc = count_or_na(a->t, a->row, ca, &x, &nx, err, errlen)) ||
			    (rc = count_or_na(b->t, b->row, cb, &y, &ny, err, errlen)))
				return rc;
			same = nx == ny && x == y;
			if (!nx)
				snprintf(sx, sizeof(sx), "%llu", (unsigned long long)x);
			if (!ny)
				snprintf(sy, sizeof(sy), "%llu", (unsigned long long)y);
			if (base && !nx && !ny && !strcmp(name, k->headline)) {
				*base = (double)x;
				*new_ = (double)y;
			}
		} else {
			const char *x = cmp_cell(a->t, a->row, ca), *y = cmp_cell(b->t, b->row, cb);
			nx = !strcmp(x, "NA");
			ny = !strcmp(y, "NA");
			same = same_cells(x, y);
			snprintf(sx, sizeof(sx), "%.40s", x);
			snprintf(sy, sizeof(sy), "%.40s", y);
		}
		if (nx && ny)
			continue; /* counted by neither */
		/* a trace's rows: seed NA since 2026-12-07 (no seed took part in
		 * a recorded stream), --seed before; the trace is compared by its
		 * hash (config.trace), so the cell says nothing of a change */
		if ((nx || ny) && !strcmp(name, "seed"))
			continue;
		char *m = cmp_asprintf("%s%s%s", *metrics, **metrics ? ";" : "", name);
		free(*metrics);
		*metrics = m;
		if (!same) {
			char *d = cmp_asprintf("%s%s%s %s -> %s", *changed, **changed ? "; " : "",
					       name, sx, sy);
			free(*changed);
			*changed = d;
		}
	}
	return 0;
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
			for (const char *const *o = k->key_opt; *o; o += 2) {
				const char *v = cmp_cell(t, r, col_of(t, *o));
				/* a policy's parameters: those off its defaults
				 * (a parameter added since, at its default, is
				 * not a new configuration) */
				char nd[1024];
				const struct pb_policy_desc *pd =
				    strcmp(*o, "policy_params")
					? NULL
					: pb_policy_find(cmp_cell(t, r, col_of(t, "policy")));
				if (pd) {
					pb_policy_params_nondefault(pd, v, nd, sizeof(nd));
					v = nd;
				}
				if (!*v || !strcmp(v, "NA") || !strcmp(v, o[1]))
					continue;
				char *n = cmp_asprintf("%s,%s=%s", key, *o, v);
				free(key);
				key = n;
			}
			struct erow e = {t, r, key, NULL}, *first = eside_find(s, key);
			if (first) {
				/* pooled runs (or a row written twice): the first
				 * row stands for them, and they must agree */
				char *changed = first->disagree ? NULL : seeds_differ(first, &e),
				     *metrics = NULL;
				if (!first->disagree && !changed && row_deterministic(k, first))
					rc = diff_counts(k, first, &e, &changed, &metrics, NULL,
							 NULL, err, errlen);
				if (!rc && changed && *changed)
					first->disagree = cmp_asprintf(
					    "%s:%zu and %s:%zu, the same configuration: %s",
					    first->t->path, first->t->line[first->row], t->path,
					    t->line[r], changed);
				free(changed);
				free(metrics);
				free(key);
				if (rc)
					return rc;
				continue;
			}
			eside_add(s, e);
		}
	}
	return 0;
}

static void eside_free(struct eside *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].disagree);
	}
	free(s->v);
	json_decref(s->idx);
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
	char *seeds = seeds_differ(a, b);
	if (seeds) {
		/* other experiments, whatever a side's pooled runs say */
		r->verdict = CMP_CHANGED;
		r->metric = cmp_strdup("");
		r->detail =
		    cmp_asprintf("%s: replays of other random streams, counts not compared", seeds);
		free(seeds);
		return 0;
	}
	if (!row_deterministic(k, a)) {
		r->verdict = CMP_SAME;
		r->metric = cmp_strdup("");
		r->detail = cmp_strdup("order=free on several threads is not deterministic: counts "
				       "not compared");
		return 0;
	}
	char *changed, *metrics;
	double x = NAN, y = NAN;
	rc = diff_counts(k, a, b, &changed, &metrics, &x, &y, err, errlen);
	if (rc) {
		free(changed);
		free(metrics);
		return rc;
	}
	r->base = x;
	r->new_ = y;
	if (isfinite(x))
		r->ratio = x ? y / x : (y ? 1.0 / 0.0 : 1.0);
	r->metric = metrics;
	if (a->disagree || b->disagree) {
		/* one side's pooled runs differ: no one count stands for it */
		r->verdict = CMP_CHANGED;
		r->detail = cmp_asprintf(
		    "%s%s%s%s%s%s%s", a->disagree ? "BASE's runs differ: " : "",
		    a->disagree ? a->disagree : "", a->disagree && b->disagree ? "; " : "",
		    b->disagree ? "NEW's runs differ: " : "", b->disagree ? b->disagree : "",
		    *changed ? "; between the sides' first rows: " : "", changed);
		free(changed);
	} else if (*changed) {
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
