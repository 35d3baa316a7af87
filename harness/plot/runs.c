/* SPDX-License-Identifier: MIT */
/*
 * harness/plot/runs.c - read a run folder back for plotting: the CSVs that
 * are present (with the one quote-aware reader) and meta.json (jansson) for
 * the machine label and the reasons behind NA counters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../compare/compare.h"
#include "../internal.h"
#include "plot.h"

static int load_csv(const char *dir, const char *file, struct pb_csv *t, int *has, char *err,
		    size_t errlen)
{
	char p[4352];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	struct stat st;
	if (stat(p, &st)) {
		*has = 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", p);
		return -EINVAL;
	}
	int rc = pb_csv_read_file(p, t, err, errlen);
	*has = rc == 0;
	return rc;
}

/* Folder name without the trailing slashes and the path before it. */
static void basename_of(const char *dir, char *out, size_t len)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && dir[b - 1] != '/')
		b--;
	snprintf(out, len, "%.*s", (int)(n - b), dir + b);
}

static void read_meta(struct pb_plot_run *r)
{
	char p[4352];
	snprintf(p, sizeof(p), "%s/meta.json", r->dir);
	json_error_t je;
	json_t *m = json_load_file(p, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(m)) {
		json_decref(m);
		return;
	}
	const char *label = json_string_value(json_object_get(m, "label"));
	const char *host = json_string_value(json_object_get(m, "host"));
	if (label && *label)
		snprintf(r->label, sizeof(r->label), "%s", label);
	else if (host && *host)
		snprintf(r->label, sizeof(r->label), "%s", host);
	/* for the sidecars: which machine, which run, which command */
	const char *cpu = json_string_value(json_object_get(m, "cpu_model"));
	const char *id = json_string_value(json_object_get(m, "run_id"));
	json_t *ncpu = json_object_get(m, "online_cpus");
	size_t n = (size_t)snprintf(
	    r->machine, sizeof(r->machine), "    machine: %s (%s, %lld CPUs), label %s, run %s\n",
	    host && *host ? host : "?", cpu && *cpu ? cpu : "?",
	    json_is_integer(ncpu) ? (long long)json_integer_value(ncpu) : 0LL,
	    label && *label ? label : "-", id && *id ? id : "?");
	/* the command as meta.json has it: a JSON array, one line, exact */
	char *cl = json_dumps(json_object_get(m, "command_line"), JSON_COMPACT);
	if (cl && n < sizeof(r->machine))
		snprintf(r->machine + n, sizeof(r->machine) - n, "    command_line: %s\n", cl);
	free(cl);
	n = strlen(r->machine);
	if (n && r->machine[n - 1] != '\n') /* cut short: still a line of its own */
		r->machine[n - 1] = '\n';
	/* the machine's cache-line round trip between CPUs (harness/c2c.c),
	 * and whether it is the run's end figure (its start probe failed) */
	const char *at = "";
	r->round_trip_ns = pb_meta_round_trip(m, &at, NULL);
	r->round_trip_end = !strcmp(at, "end");
	/* why the hardware counters are NA: the first reason given */
	json_t *c = json_object_get(m, "counters");
	if (json_is_object(json_object_get(c, "columns"))) /* {method, passes, columns: {...}} */
		c = json_object_get(c, "columns");
	const char *k;
	json_t *v;
	if (json_is_object(c)) {
		json_object_foreach(c, k, v)
		{
			const char *why = json_string_value(json_object_get(v, "reason"));
			json_t *av = json_object_get(v, "available");
			if (why && *why && !json_is_true(av) && strncmp(k, "papi", 4) == 0) {
				snprintf(r->counters_na, sizeof(r->counters_na), "%s", why);
				break;
			}
		}
	}
	json_decref(m);
}

/* name (a new string) owned by r, for cells that point to it */
static char *own(struct pb_plot_run *r, char *name)
{
	if (r->nidents % 16 == 0) {
		r->idents = realloc(r->idents, (r->nidents + 16) * sizeof(*r->idents));
		if (!r->idents)
			abort();
	}
	return r->idents[r->nidents++] = name;
}

/*
 * The experiment cells of summary.csv, runs.csv and latency.csv, and the
 * baseline cells (they name an experiment), as compare names them
 * (cmp_ident_experiment): without the parameters that only say where
 * output went (PB_PF_NOIDENT: uffd-pager's latency_csv), which runs made
 * before left in the name, so that the machines figure puts an old run's
 * bar beside a new run's (it drew two series) and no figure shows an
 * output path.  latency.csv has no params column: its experiments are
 * renamed as summary.csv's and runs.csv's rows of the same name are.
 */
static void ident_experiments(struct pb_plot_run *r)
{
	struct pb_csv *tabs[] = {&r->summary, &r->runs, &r->latency};
	const char **was = NULL; /* was[j]: the name idents[j] replaced (r->idents empty before) */
	for (size_t k = 0; k < PB_ARRAY_SIZE(tabs); k++) {
		struct pb_csv *t = tabs[k];
		int ce = pb_csv_col(t, "experiment"), ck = pb_csv_col(t, "kernel"),
		    cp = pb_csv_col(t, "params");
		for (size_t i = 0; ce >= 0 && i < t->nrows; i++) {
			char **cell = &t->cells[i * t->ncols + (size_t)ce];
			size_t j = 0;
			while (j < r->nidents && strcmp(was[j], *cell))
				j++;
			if (j < r->nidents) { /* renamed before */
				*cell = r->idents[j];
				continue;
			}
			if (ck < 0 || cp < 0)
				continue;
			char *id = cmp_ident_experiment(*cell, pb_csv_cell(t, i, ck),
							pb_csv_cell(t, i, cp));
			if (!strcmp(id, *cell)) {
				free(id);
				continue;
			}
			was = realloc(was, (r->nidents + 1) * sizeof(*was));
			if (!was)
				abort();
			was[r->nidents] = *cell;
			*cell = own(r, id);
		}
	}
	int cb = pb_csv_col(&r->summary, "baseline");
	for (size_t i = 0; cb >= 0 && i < r->summary.nrows; i++) {
		char **cell = &r->summary.cells[i * r->summary.ncols + (size_t)cb];
		for (size_t j = 0; j < r->nidents; j++)
			if (!strcmp(was[j], *cell)) {
				*cell = r->idents[j];
				break;
			}
	}
	free(was);
}

int pb_plot_run_load(struct pb_plot_run *r, const char *dir, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	struct stat st;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a run folder", dir);
		return -ENOTDIR;
	}
	basename_of(dir, r->label, sizeof(r->label));
	r->round_trip_ns = NAN;
	snprintf(r->machine, sizeof(r->machine),
		 "    machine: not recorded (no readable meta.json)\n");
	int rc;
	if ((rc = load_csv(dir, "summary.csv", &r->summary, &r->has_summary, err, errlen)) ||
	    (rc = load_csv(dir, "runs.csv", &r->runs, &r->has_runs, err, errlen)) ||
	    (rc = load_csv(dir, "sim.csv", &r->sim, &r->has_sim, err, errlen)) ||
	    (rc = load_csv(dir, "mrc.csv", &r->mrc, &r->has_mrc, err, errlen)) ||
	    (rc = load_csv(dir, "latency.csv", &r->latency, &r->has_latency, err, errlen))) {
		pb_plot_run_free(r);
		return rc;
	}
	ident_experiments(r);
	read_meta(r);
	return 0;
}

void pb_plot_run_free(struct pb_plot_run *r)
{
	pb_csv_free(&r->summary);
	pb_csv_free(&r->runs);
	pb_csv_free(&r->sim);
	pb_csv_free(&r->mrc);
	pb_csv_free(&r->latency);
	for (size_t i = 0; i < r->nidents; i++)
		free(r->idents[i]);
	free(r->idents);
	r->idents = NULL;
	r->nidents = 0;
}
