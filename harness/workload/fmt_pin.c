/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_pin.c - Intel Pin pinatrace.out: "0xIP: R|W 0xADDR",
 * "#eof" and other '#' lines skipped.
 */
#define _GNU_SOURCE
#include <string.h>

#include "wl_reader.h"

static int pin_line(struct wl_trace *t, const char *p, const char **endp)
{
	const char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = wl_skip_ws(p);
	if (p == nl || *p == '#')
		return 0;
	uint64_t ip, addr;
	int ok;
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	p = wl_scan_hex(p, &ip, &ok);
	if (ok <= 0 || *p != ':')
		return wl_terr(t, "pin record: expected '0xIP: R|W 0xADDR'");
	p = wl_skip_ws(p + 1);
	if (*p != 'R' && *p != 'W')
		return wl_terr(t, "pin record: operation must be R or W");
	uint8_t op = *p == 'W' ? PB_OP_WRITE : PB_OP_READ;
	p = wl_skip_ws(p + 1);
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	p = wl_scan_hex(p, &addr, &ok);
	if (ok < 0)
		return wl_terr(t, "address overflows 64 bits");
	if (!ok)
		return wl_terr(t, "pin record: missing address");
	return wl_push(t, op, addr, 1, 0, 0);
}

static int pin_detect(const char *p, const char *nl)
{
	return p[0] == '0' && p[1] == 'x' && memchr(p, ':', (size_t)(nl - p)) ? 70 : WL_DETECT_NO;
}

const struct wl_format wl_format_pin = {
    .name = "pin",
    .summary = "Intel Pin pinatrace.out: '0xIP: R|W 0xADDR'",
    .kind = WL_KIND_TEXT,
    .detect_line = pin_detect,
    .line = pin_line,
};
