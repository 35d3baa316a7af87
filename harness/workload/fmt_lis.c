/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_lis.c - ARC .lis traces (Megiddo & Modha, FAST'03):
 * "start nblocks ignore reqno", a request of nblocks blocks from start.
 * nblocks above maxpages= is an error (a 22-byte line must not expand to
 * 10^14 pages).
 */
#include "wl_reader.h"

static int lis_line(struct wl_trace *t, const char *p, const char **endp)
{
	uint64_t f[4];
	int ok;
	p = wl_skip_ws(p);
	if (*p == '\n') {
		*endp = p + 1;
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		p = wl_scan_dec(p, &f[i], &ok);
		if (ok < 0)
			return wl_terr(t, "field %d overflows 64 bits", i + 1);
		if (!ok)
			return wl_terr(
			    t, "lis record: expected 4 integers 'start nblocks ignore reqno'");
		p = wl_skip_ws(p);
	}
	if (*p != '\n')
		return wl_terr(t, "lis record: junk after the 4th field");
	*endp = p + 1;
	if (f[1] == 0)
		return 0;
	if (f[0] + f[1] < f[0] || f[0] + f[1] - 1 > (UINT64_MAX >> t->shift))
		return wl_terr(t, "block range %llu+%llu overflows a 64-bit address",
			       (unsigned long long)f[0], (unsigned long long)f[1]);
	return wl_push(t, PB_OP_READ, f[0] << t->shift, f[1], 1ULL << t->shift, 0);
}

/* four decimal fields */
static int lis_detect(const char *p, const char *nl)
{
	int nf = 0, num = 1;
	for (const char *q = wl_skip_ws(p); q < nl;) {
		const char *s = q;
		while (q < nl && *q >= '0' && *q <= '9')
			q++;
		if (q == s)
			num = 0;
		while (q < nl && *q != ' ' && *q != '\t' && *q != '\r')
			q++, num = 0;
		nf++;
		q = wl_skip_ws(q);
	}
	return num && nf == 4 ? 40 : WL_DETECT_NO;
}

const struct wl_format wl_format_lis = {
    .name = "lis",
    .summary = "ARC .lis: 'start nblocks ignore reqno'",
    .kind = WL_KIND_TEXT,
    .detect_line = lis_detect,
    .line = lis_line,
};
