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
 * ending in ':', then the address.  perf's default fields have no addr
 * field: their address after the event is the instruction pointer, which
 * a symbol with its offset follows and no second address does (ip_only);
 * such a line is refused, naming `-F +addr`.
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

/* [p, e) is a bare hex number (perf prints addresses without 0x). */
static int is_hex(const char *p, const char *e)
{
	if (e - p > 2 && p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	const char *q = p;
	while (q < e && ((*q >= '0' && *q <= '9') || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')))
		q++;
	return q > p && q == e;
}

/*
 * The address that ends at e is perf's default output's instruction
 * pointer, not a data address: a symbol with its offset follows it
 * (elf_load+0x28a, symoff being one of perf's default fields) and no
 * second address does.  `-F +addr` prints the data address, its symbol
 * (a page fault's address is looked up too: __progname+0x0 or [unknown])
 * and its dso, then the instruction pointer and its own: two addresses.
 */
static int ip_only(const char *e, const char *nl)
{
	int symoff = 0;
	for (const char *p = tok_start(e, nl), *q; p; p = tok_start(q, nl)) {
		q = tok_end(p, nl);
		if (is_hex(p, q))
			return 0;
		/* one token, or one of a demangled name's (blanks in templates) */
		symoff |= memmem(p, (size_t)(q - p), "+0x", 3) != NULL;
	}
	return symoff;
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
	if (ip_only(e, nl)) /* read as the address, it replayed the code's addresses */
		return wl_terr(t, "perf script line without the addr field: its address is the "
				  "instruction pointer (a symbol+offset follows it), not the "
				  "faulting address; dump with `perf script -F +addr`");
	return wl_push(t, PB_OP_READ, addr, 1, 0, 0);
}

/* `perf script -F addr`'s line: the address printed "%16" PRIx64, hex
 * right-aligned in 16 columns behind blanks.  Text traces (one decimal
 * page number a line) are not padded so, and "12345678" alone is read as
 * decimal: without the padding one bare-hex line cannot be told apart
 * (the sample's lines together may: perf_addr_sample). */
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

/*
 * `perf script -F addr` without its padding (cut by a tool: awk '{print
 * $1}', sed): the sample's lines, blank and '#' ones aside, are each one
 * bare hex number (no 0x), and one at least has a letter a-f.  A text
 * trace's page numbers are decimal or 0x hex, so it has no such line (it
 * would skip it); no other text format has a single token a line.  A list
 * whose numbers in the sample are all digits stays text (decimal): no
 * rule can tell it apart; format=perf reads it as hex.
 */
static int perf_addr_sample(const char *p, const char *end)
{
	int letter = 0, lines = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end; /* cut by the sample's end: still bare hex if it was */
		const char *q = tok_start(p, nl);
		if (q && *q != '#') {
			const char *e = tok_end(q, nl);
			if (tok_start(e, nl) || !is_hex(q, e) ||
			    (q[0] == '0' && (q[1] | 0x20) == 'x'))
				return WL_DETECT_NO;
			for (; q < e; q++)
				letter |= (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f';
			lines++;
		}
		p = nl + 1;
	}
	return lines && letter ? 60 : WL_DETECT_NO;
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
    .detect_text = perf_addr_sample,
    .line = perf_line,
};
