/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/trace_maps.c - the mappings sidecar of a recorded trace
 * (TRACE.maps beside TRACE, docs/workloads.md "What a recorded trace
 * knows").
 *
 * Writing (`trace record`): valgrind runs the client inside its own
 * process, mapping the client's executable, its loader and libraries with
 * their file names, so /proc/PID/maps of the valgrind process is the
 * client's address space (plus valgrind's own tool image, which the client
 * never touches).  The process is sampled while it runs
 * (pb_trace_maps_sample); a later mapping replaces the earlier ones it
 * overlaps, so the union is the address space as last seen, with regions
 * unmapped before the end kept.  A mapping made and unmapped between two
 * samples is missed.
 *
 * The file: lines as /proc/PID/maps prints them
 *   START-END PERMS OFFSET DEV INODE [PATH]
 * (hex addresses) and '#' comment lines.  Reading (the trace readers,
 * reader.c, backing=anon): an access in a mapping whose PATH starts with
 * '/' is file-backed: PB_ACC_FILE for a private mapping ('p': text, the
 * data segment, copy-on-write when written), PB_ACC_FILE | PB_ACC_SHARED
 * for a shared one ('s'); everything else (heap, stack, bss, [vdso]) stays
 * anonymous.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagebench/trace.h"
#include "wl_internal.h"

struct wl_map {
	uint64_t start, end;
	uint16_t flags;
	char *line; /* as read (writer side), NULL on the reader side */
};

struct wl_maps {
	struct wl_map *m;
	size_t n, cap;
};

/* One maps line: START-END PERMS OFFSET DEV INODE [PATH]. 0 or -EINVAL. */
static int parse_line(const char *s, struct wl_map *out)
{
	char *e;
	errno = 0;
	unsigned long long a = strtoull(s, &e, 16);
	if (e == s || *e != '-' || errno)
		return -EINVAL;
	s = e + 1;
	unsigned long long b = strtoull(s, &e, 16);
	if (e == s || *e != ' ' || errno || b <= a)
		return -EINVAL;
	s = e + 1;
	if (strspn(s, "rwxps-") != 4 || s[4] != ' ')
		return -EINVAL;
	char share = s[3];
	s += 5;
	for (int f = 0; f < 3; f++) { /* offset, device, inode */
		size_t l = strspn(s, "0123456789abcdefABCDEF:");
		if (!l || (s[l] != ' ' && s[l] != '\n' && s[l] != 0))
			return -EINVAL;
		s += l;
		s += strspn(s, " ");
	}
	out->start = a;
	out->end = b;
	out->flags = *s == '/' ? (uint16_t)(PB_ACC_FILE | (share == 's' ? PB_ACC_SHARED : 0)) : 0;
	out->line = NULL;
	return 0;
}

int wl_maps_is_line(const char *s)
{
	struct wl_map m;
	return parse_line(s, &m) == 0;
}

static int maps_push(struct wl_maps *m, const struct wl_map *e)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct wl_map *nm = realloc(m->m, cap * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		m->m = nm;
		m->cap = cap;
	}
	m->m[m->n++] = *e;
	return 0;
}

static int by_start(const void *x, const void *y)
{
	const struct wl_map *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start;
}

int wl_maps_load(const char *path, struct wl_maps **out, char *err, size_t errlen)
{
	*out = NULL;
	struct stat sb;
	if (stat(path, &sb) && errno == ENOENT)
		return 1;
	if (!stat(path, &sb) && !S_ISREG(sb.st_mode)) { /* a FIFO would block */
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	struct wl_maps *m = calloc(1, sizeof(*m));
	char line[4600];
	int rc = m ? 0 : -ENOMEM;
	for (unsigned long no = 1; !rc && fgets(line, sizeof(line), f); no++) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		struct wl_map e;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%lu: line longer than %zu bytes", path, no,
				 sizeof(line) - 2);
			rc = -EINVAL;
		} else if (parse_line(line, &e)) {
			snprintf(err, errlen,
				 "%s:%lu: expected START-END PERMS OFFSET DEV INODE [PATH] "
				 "(a /proc/PID/maps line)",
				 path, no);
			rc = -EINVAL;
		} else if (e.flags && (rc = maps_push(m, &e))) {
			snprintf(err, errlen, "%s: out of memory", path);
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -EIO;
	}
	fclose(f);
	if (rc) {
		wl_maps_free(m);
		return rc;
	}
	if (m->n) /* an empty sidecar: no array */
		qsort(m->m, m->n, sizeof(*m->m), by_start);
	*out = m;
	return 0;
}

uint16_t wl_maps_flags(const struct wl_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n; /* the last mapping starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->m[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < m->m[lo - 1].end ? m->m[lo - 1].flags : 0;
}

void wl_maps_free(struct wl_maps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->m[i].line);
	free(m->m);
	free(m);
}

/* ---- trace record's side ---- */
struct pb_trace_maps {
	struct wl_maps m;
	pid_t pid;
};

struct pb_trace_maps *pb_trace_maps_new(void)
{
	return calloc(1, sizeof(struct pb_trace_maps));
}

int pb_trace_maps_sample(struct pb_trace_maps *tm, pid_t pid)
{
	char path[64], line[4600];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	struct wl_maps snap = {0};
	int rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		struct wl_map e;
		if (parse_line(line, &e))
			continue; /* cut short by the read: the next sample has it */
		line[strcspn(line, "\n")] = 0;
		e.line = strdup(line);
		if (!e.line || maps_push(&snap, &e)) {
			free(e.line);
			rc = -ENOMEM;
		}
	}
	fclose(f);
	struct wl_maps *m = &tm->m;
	for (size_t i = 0; !rc && i < snap.n; i++) {
		/* the later mapping replaces the earlier ones it overlaps */
		size_t k = 0;
		for (size_t j = 0; j < m->n; j++) {
			if (m->m[j].start < snap.m[i].end && snap.m[i].start < m->m[j].end)
				free(m->m[j].line);
			else
				m->m[k++] = m->m[j];
		}
		m->n = k;
		rc = maps_push(m, &snap.m[i]);
		if (!rc)
			snap.m[i].line = NULL;
	}
	for (size_t i = 0; i < snap.n; i++)
		free(snap.m[i].line);
	free(snap.m);
	if (!rc && snap.n)
		tm->pid = pid;
	return rc;
}

size_t pb_trace_maps_count(const struct pb_trace_maps *tm)
{
	return tm->m.n;
}

int pb_trace_maps_write(struct pb_trace_maps *tm, const char *path, unsigned flags, char *err,
			size_t errlen)
{
	struct pb_out *o;
	int rc = pb_out_open(path, flags, &o, err, errlen);
	if (rc)
		return rc;
	FILE *f = pb_out_stream(o);
	if (tm->m.n)
		qsort(tm->m.m, tm->m.n, sizeof(*tm->m.m), by_start);
	fprintf(f,
		"# pagebench trace record: the traced process's mappings (/proc/%d/maps of the "
		"valgrind process, sampled while it ran; docs/workloads.md)\n"
		"# START-END PERMS OFFSET DEV INODE [PATH]\n",
		(int)tm->pid);
	for (size_t i = 0; i < tm->m.n; i++)
		fprintf(f, "%s\n", tm->m.m[i].line);
	return pb_out_commit(o, err, errlen);
}

void pb_trace_maps_free(struct pb_trace_maps *tm)
{
	if (!tm)
		return;
	for (size_t i = 0; i < tm->m.n; i++)
		free(tm->m.m[i].line);
	free(tm->m.m);
	free(tm);
}
