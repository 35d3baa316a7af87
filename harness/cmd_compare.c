/*
 * harness/cmd_compare.c - `pagebench compare BASE_RUN NEW_RUN`: regression
 * check between two run folders.
 *
 * Matches the total rows of the two summary.csv files by (experiment,
 * threads, pin) and prints the ratio new/base of the median ns/op.  A
 * change is called a regression (or an improvement) only when it exceeds
 * the threshold AND the two 95% confidence intervals of the medians do not
 * overlap; where a CI is missing (fewer than 6 repetitions) the threshold
 * alone decides and the row is marked "no CI".  Exit code 1 when any
 * regression is found (for CI scripts), 0 otherwise, 2 on bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"

#define MAXF 64

struct row {
	char key[512];
	double med, lo, hi;
	int ci, valid;
};

/* Split one CSV line (RFC 4180 quotes) into at most MAXF fields, in place. */
static int csv_split(char *line, char **f)
{
	int n = 0;
	char *p = line;
	while (n < MAXF) {
		if (*p == '"') {
			char *w = ++p;
			f[n++] = w;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			*w = 0;
			if (*p == ',')
				p++;
			else
				break;
		} else {
			f[n++] = p;
			char *c = p + strcspn(p, ",\r\n");
			int more = *c == ',';
			*c = 0;
			if (!more)
				break;
			p = c + 1;
		}
	}
	return n;
}

static int load(const char *dir, struct row **rows, size_t *nrows)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		pb_usage_error("compare", "%s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	char *fld[MAXF];
	int ix[9];
	const char *need[] = {"experiment", "threads", "pin", "thread", "median_ns_per_op",
			      "ci95_lo_ns_per_op", "ci95_hi_ns_per_op", "ci95_valid", "valid"};
	if (getline(&line, &cap, f) < 0)
		pb_usage_error("compare", "%s: empty file", path);
	int nf = csv_split(line, fld);
	for (int k = 0; k < 9; k++) {
		ix[k] = -1;
		for (int i = 0; i < nf; i++)
			if (!strcmp(fld[i], need[k]))
				ix[k] = i;
		if (ix[k] < 0)
			pb_usage_error("compare", "%s: no column '%s' (not a pagebench summary.csv?)",
				       path, need[k]);
	}
	*rows = NULL;
	*nrows = 0;
	long lineno = 1;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		int n = csv_split(line, fld);
		if (n != nf)
			pb_usage_error("compare", "%s:%ld: %d fields, header has %d", path, lineno, n, nf);
		if (strcmp(fld[ix[3]], "total"))
			continue;
		struct row r = {0};
		snprintf(r.key, sizeof(r.key), "%s|%s|%s", fld[ix[0]], fld[ix[1]], fld[ix[2]]);
		r.med = strtod(fld[ix[4]], NULL);
		r.lo = strtod(fld[ix[5]], NULL);
		r.hi = strtod(fld[ix[6]], NULL);
		r.ci = !strcmp(fld[ix[7]], "1");
		r.valid = !strcmp(fld[ix[8]], "1");
		if (!strcmp(fld[ix[4]], "NA"))
			r.med = NAN;
		*rows = realloc(*rows, (*nrows + 1) * sizeof(**rows));
		(*rows)[(*nrows)++] = r;
	}
	free(line);
	fclose(f);
	return 0;
}

int pb_cmd_compare(int argc, char **argv)
{
	static const struct option lo[] = {{"threshold", required_argument, 0, 't'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	double thr = 5.0;
	int ch;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 't': {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s", optarg);
			size_t l = strlen(buf);
			if (l && buf[l - 1] == '%')
				buf[l - 1] = 0;
			if (pb_parse_double(buf, &thr) || thr < 0 || thr > 1000)
				pb_usage_error("compare", "bad --threshold '%s' (percent, e.g. 5%%)", optarg);
			break;
		}
		case 'h':
			printf("usage: pagebench compare BASE_RUN_DIR NEW_RUN_DIR [--threshold 5%%]\n"
			       "Compares the median ns/op of every (experiment, threads, pin) present in\n"
			       "both runs' summary.csv.  A change beyond the threshold whose 95%% CIs do\n"
			       "not overlap is a regression or an improvement; exit 1 if any regression.\n");
			return 0;
		default:
			pb_usage_error("compare", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		pb_usage_error("compare", "expected two run folders (BASE NEW), got %d", argc - optind);
	struct row *a, *b;
	size_t na, nb;
	load(argv[optind], &a, &na);
	load(argv[optind + 1], &b, &nb);
	printf("%-40s %7s %12s %12s %8s  %s\n", "experiment", "threads", "base_ns/op", "new_ns/op",
	       "new/base", "verdict");
	unsigned regress = 0, matched = 0;
	for (size_t i = 0; i < na; i++) {
		for (size_t j = 0; j < nb; j++) {
			if (strcmp(a[i].key, b[j].key))
				continue;
			matched++;
			double ratio = b[j].med / a[i].med;
			int ci = a[i].ci && b[j].ci;
			int apart = !ci || b[j].lo > a[i].hi || b[j].hi < a[i].lo;
			const char *v = "same";
			if (!a[i].valid || !b[j].valid)
				v = "INVALID (a self-check failed)";
			else if (isnan(ratio))
				v = "NA";
			else if (ratio > 1 + thr / 100 && apart) {
				v = ci ? "REGRESSION" : "REGRESSION (no CI)";
				regress++;
			} else if (ratio < 1 - thr / 100 && apart)
				v = ci ? "improvement" : "improvement (no CI)";
			char exp[512], *bar;
			snprintf(exp, sizeof(exp), "%s", a[i].key);
			bar = strchr(exp, '|');
			*bar = 0;
			char *thr_s = bar + 1;
			*strchr(thr_s, '|') = 0;
			printf("%-40s %7s %12.4g %12.4g %8.3f  %s\n", exp, thr_s, a[i].med, b[j].med, ratio, v);
		}
	}
	free(a);
	free(b);
	if (!matched)
		pb_usage_error("compare", "the two runs have no experiment in common");
	printf("%u matched, %u regression(s) beyond %.1f%%\n", matched, regress, thr);
	return regress ? PB_EXIT_FAIL : PB_EXIT_OK;
}
