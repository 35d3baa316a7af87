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
	/* the machine's cache-line round trip between CPUs (harness/c2c.c) */
	r->round_trip_ns = pb_meta_round_trip(m, NULL, NULL);
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
}
