/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_perf.c - perf script output: `perf record -e
 * page-faults -d` then `perf script -F comm,tid,time,event,addr,...` (the
 * address follows the "EVENT:" token that follows the "TIME:" token), or
 * `perf script -F addr` (one hex address a line).  The op is unknown:
 * reads.
 */
#define _GNU_SOURCE
#include <string.h>

#include "wl_reader.h"

static int perf_line(struct wl_trace *t, const char *p, const char **endp)
{
	const char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = wl_skip_ws(p);
	if (p == nl || *p == '#')
		return 0;
	uint64_t addr;
	int ok;
	const char *q = p;
	if (q[0] == '0' && (q[1] | 0x20) == 'x')
		q += 2;
	const char *e = wl_scan_hex(q, &addr, &ok);
	if (ok > 0 && wl_skip_ws(e) == nl) /* -F addr */
		return wl_push(t, PB_OP_READ, addr, 1, 0, 0);
	/* find "DIGITS.DIGITS:" (the time), then the event token ending in ':' */
	const char *c = p;
	for (;;) {
		c = memchr(c, ':', (size_t)(nl - c));
		if (!c)
			return wl_terr(t, "perf script line: no 'TIME: EVENT: ADDR' fields");
		if (c > p && c[-1] >= '0' && c[-1] <= '9')
			break;
		c++;
	}
	c = wl_skip_ws(c + 1);
	while (c < nl && *c != ' ' && *c != '\t')
		c++;
	if (c == nl || c[-1] != ':')
		return wl_terr(t, "perf script line: expected an 'EVENT:' token after the time");
	c = wl_skip_ws(c);
	if (c[0] == '0' && (c[1] | 0x20) == 'x')
		c += 2;
	e = wl_scan_hex(c, &addr, &ok);
	if (ok < 0)
		return wl_terr(t, "address overflows 64 bits");
	if (!ok || (*e != ' ' && *e != '\t' && *e != '\n' && *e != '\r'))
		return wl_terr(t, "perf script line: no hex address after the event");
	return wl_push(t, PB_OP_READ, addr, 1, 0, 0);
}

static int perf_detect(const char *p, const char *nl)
{
	static const char *const events[] = {
	    ": page-faults:", ": major-faults:", ": minor-faults:", ": mem-loads", ": mem-stores"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(events); i++)
		if (memmem(p, (size_t)(nl - p), events[i], strlen(events[i])))
			return 80;
	return WL_DETECT_NO;
}

const struct wl_format wl_format_perf = {
    .name = "perf",
    .summary = "perf script: '... TIME: EVENT: ADDR ...' or one hex address a line",
    .kind = WL_KIND_TEXT,
    .detect_line = perf_detect,
    .line = perf_line,
};
