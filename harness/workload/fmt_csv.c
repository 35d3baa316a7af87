/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_csv.c - block I/O traces as CSV with a column map:
 * the MSR Cambridge preset (Timestamp,Hostname,DiskNumber,Type,Offset,
 * Size,ResponseTime; offsets and sizes in bytes), the SPC preset
 * (ASU,LBA,Size,Opcode,Timestamp; LBA in 512-byte sectors) or custom
 * columns (offcol=, sizecol=, opcol=, nscol=, nscol2=, unit=, sizeunit=).
 * A request becomes one reference per page it covers; one of more than
 * maxpages= pages is an error naming the line (a crafted Size field must
 * not make `trace convert` run for minutes).  The namespace columns
 * (host/disk, ASU) map to address spaces in order of appearance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wl_reader.h"

static int csv_line(struct wl_trace *t, const char *p, const char **endp)
{
	const char *fs[32];
	size_t fl[32];
	unsigned nf = 0;
	const char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	int first_line = t->csv_first;
	t->csv_first = 0;
	if (wl_skip_ws(p) == nl)
		return 0;
	const char *s = p;
	for (;;) {
		const char *c = s;
		while (c < nl && *c != ',')
			c++;
		if (nf == 32)
			return wl_terr(t, "csv: more than 32 fields");
		const char *e = c;
		while (e > s && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		s = wl_skip_ws(s);
		fs[nf] = s;
		fl[nf++] = e > s ? (size_t)(e - s) : 0;
		if (c >= nl)
			break;
		s = c + 1;
	}
	const struct wl_csv_map *m = &t->csv;
	unsigned need = m->off_col;
	if (m->size_col > need)
		need = m->size_col;
	if (m->op_col > need)
		need = m->op_col;
	if (nf < need)
		return wl_terr(t, "csv: %u fields, the column map needs %u", nf, need);
	uint64_t off, size = 0;
	int ok;
	const char *q = wl_scan_dec(fs[m->off_col - 1], &off, &ok);
	if (ok > 0 && q != fs[m->off_col - 1] + fl[m->off_col - 1])
		ok = 0;
	if (!ok && first_line && m->header) {
		t->skipped++; /* header line */
		return 0;
	}
	if (ok < 0)
		return wl_terr(t, "csv: offset (column %u) overflows 64 bits", m->off_col);
	if (!ok)
		return wl_terr(t, "csv: offset (column %u) '%.*s' is not a number", m->off_col,
			       (int)(fl[m->off_col - 1] > 40 ? 40 : fl[m->off_col - 1]),
			       fs[m->off_col - 1]);
	if (m->size_col) {
		q = wl_scan_dec(fs[m->size_col - 1], &size, &ok);
		if (ok > 0 && q != fs[m->size_col - 1] + fl[m->size_col - 1])
			ok = 0;
		if (ok < 0)
			return wl_terr(t, "csv: size (column %u) overflows 64 bits", m->size_col);
		if (!ok)
			return wl_terr(t, "csv: size (column %u) is not a number", m->size_col);
	}
	uint8_t op = PB_OP_READ;
	if (m->op_col) {
		const char *o = fs[m->op_col - 1];
		size_t ol = fl[m->op_col - 1];
		if (ol && (o[0] == 'r' || o[0] == 'R'))
			op = PB_OP_READ;
		else if (ol && (o[0] == 'w' || o[0] == 'W'))
			op = PB_OP_WRITE;
		else if (ol == 2 && o[0] == '2' && (o[1] == '8'))
			op = PB_OP_READ; /* SCSI READ(10) */
		else if (ol == 2 && o[0] == '2' && (o[1] == 'a' || o[1] == 'A'))
			op = PB_OP_WRITE; /* SCSI WRITE(10) */
		else
			return wl_terr(t, "csv: operation (column %u) '%.*s' is not read/write",
				       m->op_col, (int)(ol > 20 ? 20 : ol), o);
	}
	uint32_t asid = 0;
	if (m->ns1_col || m->ns2_col) {
		uint64_t h = PB_FNV1A64_INIT;
		if (m->ns1_col && m->ns1_col <= nf)
			h = pb_fnv1a64(h, fs[m->ns1_col - 1], fl[m->ns1_col - 1]);
		h = pb_fnv1a64(h, "/", 1);
		if (m->ns2_col && m->ns2_col <= nf)
			h = pb_fnv1a64(h, fs[m->ns2_col - 1], fl[m->ns2_col - 1]);
		int isnew;
		uint64_t *v = pb_hmap_upsert(&t->ns, h, &isnew);
		if (!v)
			return -ENOMEM;
		if (isnew)
			*v = ++t->nns;
		asid = (uint32_t)(*v - 1);
	}
	if (off > UINT64_MAX / m->unit || (size && size > UINT64_MAX / m->size_unit))
		return wl_terr(t, "csv: offset or size overflows 64 bits in bytes");
	uint64_t first = 0, np = 0;
	int rc = wl_page_span(t, off * m->unit, size * m->size_unit, &first, &np);
	if (rc)
		return rc;
	return wl_push(t, op, first & ~((1ULL << t->shift) - 1), np, 1ULL << t->shift, asid);
}

static int count_fields(const char *p, const char *nl, char sep)
{
	int n = 1;
	for (; p < nl; p++)
		n += *p == sep;
	return n;
}

/* the k-th (0-based) comma field of a line, as a pointer and length */
static size_t csv_field(const char *p, const char *nl, int k, const char **f)
{
	while (k-- > 0) {
		while (p < nl && *p != ',')
			p++;
		if (p < nl)
			p++;
	}
	const char *e = p;
	while (e < nl && *e != ',' && *e != '\r')
		e++;
	*f = p;
	return (size_t)(e - p);
}

static void csv_preset(struct wl_csv_map *m, int preset)
{
	memset(m, 0, sizeof(*m));
	m->preset = preset;
	m->header = 1;
	if (preset == 1) { /* MSR: Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime */
		m->off_col = 5;
		m->size_col = 6;
		m->op_col = 4;
		m->ns1_col = 2;
		m->ns2_col = 3;
		m->unit = 1;
		m->size_unit = 1;
	} else { /* SPC: ASU,LBA(512 B sectors),Size(B),Opcode,Timestamp */
		m->off_col = 2;
		m->size_col = 3;
		m->op_col = 4;
		m->ns1_col = 1;
		m->unit = 512;
		m->size_unit = 1;
	}
}

/* MSR or SPC, from line l (and the next one if l looks like a header) */
static int detect_layout(struct wl_trace *t, const char *l)
{
	const char *end = t->buf + t->len;
	const char *nl = memchr(l, '\n', (size_t)(end - l));
	if (!nl)
		nl = end;
	for (int tries = 0; tries < 2 && l < end; tries++) {
		const char *f;
		int nf = count_fields(l, nl, ',');
		size_t n3 = csv_field(l, nl, 3, &f);
		if (nf == 7 &&
		    ((n3 == 4 && !strncmp(f, "Read", 4)) || (n3 == 5 && !strncmp(f, "Write", 5)))) {
			csv_preset(&t->csv, 1);
			return 0;
		}
		if (nf >= 5 && n3 == 1 && f[0] && strchr("rRwW", f[0])) {
			csv_preset(&t->csv, 2);
			return 0;
		}
		l = nl + 1;
		if (l >= end)
			break;
		nl = memchr(l, '\n', (size_t)(end - l));
		if (!nl)
			break;
	}
	snprintf(t->err, WL_ERRLEN,
		 "%s:1: csv layout not recognised (neither MSR nor SPC); give csv=msr|spc or "
		 "offcol=,sizecol=,opcol=,unit=",
		 t->name);
	return -EINVAL;
}

static int csv_open(struct wl_trace *t)
{
	if (!t->csv.off_col) {
		int rc = detect_layout(t, t->det_line ? t->det_line : t->buf);
		if (rc)
			return rc;
	}
	if (!t->csv.unit)
		t->csv.unit = 1;
	if (!t->csv.size_unit)
		t->csv.size_unit = 1;
	return pb_hmap_init(&t->ns, 64) ? -ENOMEM : 0;
}

static void csv_close(struct wl_trace *t)
{
	pb_hmap_fini(&t->ns);
}

static int csv_detect(const char *p, const char *nl)
{
	return memchr(p, ',', (size_t)(nl - p)) ? 50 : WL_DETECT_NO;
}

const struct wl_format wl_format_csv = {
    .name = "csv",
    .summary = "block I/O CSV: MSR Cambridge, SPC, or custom columns (csv=, offcol=, ...)",
    .kind = WL_KIND_TEXT,
    .detect_line = csv_detect,
    .open = csv_open,
    .line = csv_line,
    .close = csv_close,
};
