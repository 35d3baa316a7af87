/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_din.c - Dinero din traces: "LABEL ADDR [SIZE] ...".
 * Traditional labels 0 read, 1 write, 2 fetch, 3 misc read, 4 copy-back
 * (a write), 5 invalidate / 6 flush (skipped); extended letters r w i m c v
 * with a hex size; the UCSD CSE240A traces' l (load) and s (store), whose
 * third field is an instruction gap, not a size.
 */
#define _GNU_SOURCE
#include <string.h>

#include "wl_reader.h"

static int din_line(struct wl_trace *t, const char *p, const char **endp)
{
	const char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = wl_skip_ws(p);
	if (p == nl || *p == '#')
		return 0;
	char lab = *p;
	if (p[1] != ' ' && p[1] != '\t')
		return wl_terr(t, "din record: expected a one-character label and an address");
	int op, sized = 0;
	switch (lab | 0x20) {
	case '0':
	case '3':
	case 'r':
	case 'm':
	case 'l':
		op = PB_OP_READ;
		break;
	case '1':
	case '4':
	case 'w':
	case 'c':
	case 's':
		op = PB_OP_WRITE;
		break;
	case '2':
	case 'i':
		op = PB_OP_FETCH;
		break;
	case '5':
	case '6':
	case 'v':
		t->skipped++;
		return 0;
	default:
		return wl_terr(t, "din record: unknown label '%c'", lab);
	}
	sized = (lab | 0x20) >= 'a' && (lab | 0x20) != 'l' && (lab | 0x20) != 's';
	p = wl_skip_ws(p + 1);
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	uint64_t addr, size = 1;
	int ok;
	p = wl_scan_hex(p, &addr, &ok);
	if (ok < 0)
		return wl_terr(t, "address overflows 64 bits");
	if (!ok)
		return wl_terr(t, "din record: missing hex address");
	if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		return wl_terr(t, "din record: junk after the address");
	if (sized) {
		const char *q = wl_skip_ws(p);
		if (q[0] == '0' && (q[1] | 0x20) == 'x')
			q += 2;
		uint64_t sz;
		q = wl_scan_hex(q, &sz, &ok);
		if (ok < 0)
			return wl_terr(t, "size overflows 64 bits");
		if (ok > 0)
			size = sz;
	}
	uint64_t first = 0, np = 0;
	int rc = wl_page_span(t, addr, size, &first, &np);
	if (rc)
		return rc;
	return wl_push(t, (uint8_t)op, first, np, 1ULL << t->shift, 0);
}

static int count_fields(const char *p, const char *nl, char sep)
{
	int n = 1;
	for (; p < nl; p++)
		n += *p == sep;
	return n;
}

/* a one-character label, then a hex address; not four decimal fields (.lis) */
static int din_detect(const char *p, const char *nl)
{
	if (p[0] == ' ' || (p[1] != ' ' && p[1] != '\t') ||
	    !strchr("0123456rwimcvlsRWIMCVLS", p[0]))
		return WL_DETECT_NO;
	const char *q = wl_skip_ws(p + 1);
	if (q[0] == '0' && q[1] == 'x')
		q += 2;
	if (wl_hexval((unsigned char)*q) < 0)
		return WL_DETECT_NO;
	if (p[0] >= '0' && p[0] <= '9' && !memchr(p, 'x', (size_t)(nl - p)) &&
	    !memchr(p, ',', (size_t)(nl - p)) && count_fields(p, nl, ' ') >= 4)
		return WL_DETECT_NO;
	return 60;
}

const struct wl_format wl_format_din = {
    .name = "din",
    .summary = "Dinero din (traditional 0-6 and extended r/w/i... labels), UCSD l/s traces",
    .kind = WL_KIND_TEXT,
    .detect_line = din_detect,
    .line = din_line,
};
