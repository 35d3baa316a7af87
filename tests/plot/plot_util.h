/* SPDX-License-Identifier: MIT */
/*
 * tests/plot/plot_util.h - what the plot tests share: the tools found in
 * PATH (they skip without gnuplot or pdfinfo) and the run folder that a real
 * `pagebench run/sim/mrc --results DIR` made; reading and writing their files.
 */
#ifndef PB_TESTS_PLOT_UTIL_H
#define PB_TESTS_PLOT_UTIL_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/common.h"

/* name's path in PATH into out: 1, else 0. */
static inline int which(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t l = strcspn(p, ":");
		snprintf(out, len, "%.*s/%s", (int)l, p, name);
		if (l && !access(out, X_OK))
			return 1;
		p += l + (p[l] == ':');
	}
	return 0;
}

/* The tools the plot tests need: NULL, with pdfinfo's path (and
 * xmllint's, "" when libxml2-utils is not installed), else why they skip. */
static inline const char *plot_tools(char *pdfinfo, size_t plen, char *xmllint, size_t xlen)
{
	char gp[512];
	if (!which("gnuplot", gp, sizeof(gp)))
		return "gnuplot not installed (apt-get install gnuplot-nox)";
	if (!which("pdfinfo", pdfinfo, plen))
		return "pdfinfo not installed (apt-get install poppler-utils)";
	if (!which("xmllint", xmllint, xlen))
		xmllint[0] = 0;
	return NULL;
}

/* The one run folder pagebench made under dir ("" if none). */
static inline void run_folder(const char *dir, char *out, size_t len)
{
	out[0] = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(out, len, "%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
}

/* path's whole text, or NULL; the buffer is the last call's (the next
 * call frees it), so callers need not free it. */
static inline char *slurp(const char *path)
{
	static char *last;
	free(last);
	last = pb_slurp(path, NULL);
	return last;
}

/* Write body to path: 0, or -1. */
static inline int write_text(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int bad = fputs(body, f) < 0;
	return fclose(f) || bad ? -1 : 0;
}

/* Entries in dir, hidden ones (a work folder) included; 0 if it is not
 * there. */
static inline int dir_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* Of a pdftotext -bbox output: the box of the first word equal to w,
 * xMin, yMin, xMax, yMax (y down the page), NaN where there is none. */
static inline void word_box(const char *bbox, const char *w, double box[4])
{
	static const char *const at[] = {"xMin=\"", "yMin=\"", "xMax=\"", "yMax=\""};
	char want[128];
	snprintf(want, sizeof(want), ">%s</word>", w);
	const char *e = strstr(bbox, want), *s = e;
	while (s && s > bbox && strncmp(s, "<word", 5))
		s--;
	for (int i = 0; i < 4; i++) {
		const char *v = s ? strstr(s, at[i]) : NULL;
		box[i] = v && v < e ? strtod(v + 6, NULL) : NAN;
	}
}

#endif
