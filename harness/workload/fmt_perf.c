/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_perf.c - perf script output: `perf record -e
 * page-faults -d` then `perf script -F comm,tid,time,event,addr,...`, or
 * `perf script -F addr` (one hex address a line).  The op is unknown:
 * reads.
 *
 * The column layout depends on -F and the perf version, so the fields are
 * found by what they look like, not where they are: the time is the first
 * token DIGITS.DIGITS: (a command name may hold a colon, kworker/0:1, or
 * spaces), then an optional period (DIGITS: the sample's weight, which
 * `-F +addr` and perf's default fields print), then the event, a token
 * ending in ':', then the address.
 */
#define _GNU_SOURCE
#include <string.h>

#include "wl_reader.h"

/* The next token at or after p, NULL at the line's end (detection's line
 * need not end in '\n': bounded by nl). */
static const char *tok_start(const char *p, const char *nl)
{
	while (p < nl && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p < nl ? p : NULL;
}

/* The end of the token at p: a blank or the line's end. */
static const char *tok_end(const char *p, const char *nl)
{
	while (p < nl && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	return p;
}

static int all_digits(const char *p, const char *e)
{
	const char *q = p;
	while (q < e && *q >= '0' && *q <= '9')
		q++;
	return q > p && q == e;
}

/* [p, e) is a time field: DIGITS.DIGITS: */
static int is_time(const char *p, const char *e)
{
	const char *dot = memchr(p, '.', (size_t)(e - p));
	return dot && e - dot > 2 && e[-1] == ':' && all_digits(p, dot) &&
	       all_digits(dot + 1, e - 1);
}

enum perf_fields { PERF_OK, PERF_NO_TIME, PERF_NO_EVENT };

/* The event token [*ev, *eve) of the line [p, nl), its ':' included. */
static enum perf_fields perf_event(const char *p, const char *nl, const char **ev, const char **eve)
{
	const char *e;
	for (;; p = e) { /* the time */
		if (!(p = tok_start(p, nl)))
			return PERF_NO_TIME;
		e = tok_end(p, nl);
		if (is_time(p, e))
			break;
	}
	if (!(p = tok_start(e, nl)))
		return PERF_NO_EVENT;
	e = tok_end(p, nl);
	if (all_digits(p, e)) { /* the period */
		if (!(p = tok_start(e, nl)))
			return PERF_NO_EVENT;
		e = tok_end(p, nl);
	}
	if (e[-1] != ':')
		return PERF_NO_EVENT;
	*ev = p;
	*eve = e;
	return PERF_OK;
}

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
	const char *ev, *c;
	switch (perf_event(p, nl, &ev, &c)) {
	case PERF_NO_TIME:
		return wl_terr(t, "perf script line: no 'TIME: EVENT: ADDR' fields");
	case PERF_NO_EVENT:
		return wl_terr(t, "perf script line: expected an 'EVENT:' token after the time "
				  "(and its period)");
	case PERF_OK:
		break;
	}
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

/* `perf script -F addr`'s line: the address printed "%16" PRIx64, hex
 * right-aligned in 16 columns behind blanks.  Text traces (one decimal
 * page number a line) are not padded so, and "12345678" alone is read as
 * decimal: without the padding a bare-hex line cannot be told apart. */
static int perf_addr_line(const char *p, const char *nl)
{
	if (nl > p && nl[-1] == '\r')
		nl--;
	if (nl - p != 16 || *p != ' ')
		return 0;
	const char *q = tok_start(p, nl);
	if (!q)
		return 0;
	while (q < nl && ((*q >= '0' && *q <= '9') || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')))
		q++;
	return q == nl;
}

/* A line with a time and a page-fault or memory event, or a bare address
 * padded as -F addr prints it: perf script. */
static int perf_detect(const char *p, const char *nl)
{
	static const char *const events[] = {"faults", "mem-loads", "mem-stores"};
	const char *ev, *eve;
	if (perf_addr_line(p, nl))
		return 60;
	if (perf_event(p, nl, &ev, &eve) != PERF_OK)
		return WL_DETECT_NO;
	for (size_t i = 0; i < PB_ARRAY_SIZE(events); i++)
		if (memmem(ev, (size_t)(eve - ev), events[i], strlen(events[i])))
			return 80;
	return WL_DETECT_NO;
}

const struct wl_format wl_format_perf = {
    .name = "perf",
    .summary = "perf script: '... TIME: [PERIOD] EVENT: ADDR ...' or one hex address a line",
    .kind = WL_KIND_TEXT,
    .detect_line = perf_detect,
    .line = perf_line,
};
