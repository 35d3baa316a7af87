/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_lackey.c - valgrind lackey logs (--trace-mem=yes):
 * "I  ADDR,SIZE" (fetch), " L|S|M ADDR,SIZE" (load, store, modify = load
 * then store); "==pid==" / "--pid--" banners are skipped.  An access that
 * crosses a page becomes one reference per page.
 */
#define _GNU_SOURCE
#include <string.h>

#include "wl_reader.h"

static int lackey_line(struct wl_trace *t, const char *p, const char **endp)
{
	uint8_t op;
	int m = 0;
	const char *l = p;
	if (*p == '=' || *p == '-') { /* ==pid== / --pid-- banner */
		t->skipped++;
		*endp = (const char *)rawmemchr(p, '\n') + 1;
		return 0;
	}
	if (*p == 'I' && p[1] == ' ') {
		op = PB_OP_FETCH;
		p += 2;
	} else if (*p == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M') && p[2] == ' ') {
		op = p[1] == 'S' ? PB_OP_WRITE : PB_OP_READ;
		m = p[1] == 'M';
		p += 3;
	} else if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
		*endp = (const char *)rawmemchr(p, '\n') + 1;
		return 0;
	} else {
		const char *nl = rawmemchr(l, '\n');
		int len = (int)(nl - l) > 40 ? 40 : (int)(nl - l);
		return wl_terr(t, "not a lackey record: '%.*s'", len, l);
	}
	p = wl_skip_ws(p);
	uint64_t addr, size;
	int ok;
	p = wl_scan_hex(p, &addr, &ok);
	if (ok < 0)
		return wl_terr(t, "address overflows 64 bits");
	if (!ok || *p != ',')
		return wl_terr(t, "lackey record: expected HEXADDR,SIZE");
	p = wl_scan_dec(p + 1, &size, &ok);
	if (ok < 0)
		return wl_terr(t, "size overflows 64 bits");
	if (!ok)
		return wl_terr(t, "lackey record: missing size after ','");
	p = wl_skip_ws(p);
	if (*p != '\n')
		return wl_terr(t, "lackey record: junk after the size");
	*endp = p + 1;
	if (op == PB_OP_FETCH && t->no_ifetch)
		return 0;
	uint64_t first = 0, np = 0;
	int rc = wl_page_span(t, addr, size, &first, &np);
	if (!rc)
		rc = wl_push(t, op, first, np, 1ULL << t->shift, 0);
	if (!rc && m)
		rc = wl_push(t, PB_OP_WRITE, first, np, 1ULL << t->shift, 0);
	return rc;
}

/*
 * Fast path: the common records (I, L, S inside one page, plain digits,
 * '\n' ends) straight into the output.  It stops at the first line it does
 * not handle (banner, M, a page crossing, CR, anything odd), which
 * lackey_line then takes, with its full checks and messages.
 */
static size_t lackey_fast(struct wl_trace *t, struct pb_access *out, size_t n)
{
	const char *p = t->buf + t->pos, *end = t->buf + t->safe;
	const unsigned sh = t->shift;
	const uint64_t pmask = (1ULL << sh) - 1;
	size_t k = 0;
	while (k < n && p < end) {
		uint8_t op;
		const char *q;
		if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ' && !t->no_ifetch) {
			op = PB_OP_FETCH;
		} else if (p[0] == ' ' && (p[1] == 'L' || p[1] == 'S') && p[2] == ' ') {
			op = p[1] == 'S' ? PB_OP_WRITE : PB_OP_READ;
		} else {
			break;
		}
		q = p + 3;
		uint64_t a = 0, sz = 0;
		int d, nd = 0, ns = 0;
		while ((d = wl_hexval((unsigned char)*q)) >= 0) {
			a = (a << 4) | (uint64_t)d;
			q++;
			nd++;
		}
		if (nd == 0 || nd > 16 || *q != ',')
			break;
		q++;
		while (*q >= '0' && *q <= '9') {
			sz = sz * 10 + (uint64_t)(*q - '0');
			q++;
			ns++;
		}
		if (ns == 0 || ns > 9 || *q != '\n')
			break;
		if (((a & pmask) + (sz ? sz : 1) - 1) >> sh)
			break; /* crosses a page: the general path splits it */
		out[k].addr = a;
		out[k].asid = 0;
		out[k].op = op;
		out[k].thread = 0;
		out[k].flags = 0;
		k++;
		p = q + 1;
	}
	t->line += k;
	t->records += k;
	t->pos = (size_t)(p - t->buf);
	return k;
}

static int lackey_detect(const char *p, const char *nl)
{
	(void)nl;
	if ((p[0] == 'I' && p[1] == ' ' && p[2] == ' ') ||
	    (p[0] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M') && p[2] == ' '))
		return 90;
	return WL_DETECT_NO;
}

const struct wl_format wl_format_lackey = {
    .name = "lackey",
    .summary = "valgrind lackey log: 'I  ADDR,SIZE', ' L|S|M ADDR,SIZE'",
    .kind = WL_KIND_TEXT,
    .detect_line = lackey_detect,
    .line = lackey_line,
    .fast = lackey_fast,
    .own_ifetch = 1,
};
