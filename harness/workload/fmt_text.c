/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/fmt_text.c - one page number a line (decimal or 0x hex),
 * as the LIRS and Belady traces.  A line that is not a number (LIRS `*`
 * breakpoints, a comment) is skipped and counted, but a trace in which no
 * line is a page number is an error naming the first line: that is a
 * trace of another format read as text (`--format text` on a lackey log),
 * not an empty trace.  The check runs at the end of the stream and, so a
 * wrong format fails fast, after WL_TEXT_PROBE skipped lines.  sim and mrc
 * tell the user of the skipped lines other than '*' (t->unknown: one
 * warning line, and meta.json's config.trace.skipped_lines).
 */
#define _GNU_SOURCE
#include <string.h>

#include "wl_reader.h"

#define WL_TEXT_PROBE 4096

static int no_numbers(struct wl_trace *t)
{
	t->line = t->first_skip - 1; /* name the first bad line */
	return wl_terr(t,
		       "no line is a page number: not a text trace (first line '%s'); "
		       "give the right format=",
		       t->first_skip_s);
}

static int text_line(struct wl_trace *t, const char *p, const char **endp)
{
	const char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = wl_skip_ws(p);
	uint64_t v;
	int ok;
	const char *q;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		q = wl_scan_hex(p + 2, &v, &ok);
	else
		q = wl_scan_dec(p, &v, &ok);
	if (ok < 0)
		return wl_terr(t, "page number overflows 64 bits");
	q = wl_skip_ws(q);
	if (!ok || q != nl) {
		if (p != nl) {
			/* non-numeric line (LIRS '*' breakpoints etc.) */
			if (!t->skipped) {
				size_t l = (size_t)(nl - p);
				if (l && nl[-1] == '\r')
					l--;
				if (l > sizeof(t->first_skip_s) - 1)
					l = sizeof(t->first_skip_s) - 1;
				memcpy(t->first_skip_s, p, l);
				t->first_skip_s[l] = 0;
				t->first_skip = t->line + 1;
			}
			t->skipped++;
			/* LIRS's '*' breakpoints are a part of the format: counted,
			 * not warned of */
			const char *e = nl;
			while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (!(e - p == 1 && *p == '*') && !t->unknown++)
				t->first_unknown = t->line + 1;
			if (t->refs == 0 && t->records == 0 && t->skipped >= WL_TEXT_PROBE)
				return no_numbers(t);
		}
		return 0;
	}
	if (v > (UINT64_MAX >> t->shift))
		return wl_terr(t, "page number %llu overflows a 64-bit address at page size %llu",
			       (unsigned long long)v, 1ULL << t->shift);
	return wl_push(t, PB_OP_READ, v << t->shift, 1, 0, 0);
}

static int text_finish(struct wl_trace *t)
{
	if (t->records == 0 && t->skipped)
		return no_numbers(t);
	return 0;
}

static int text_detect(const char *p, const char *nl)
{
	return 10; /* any text: the fallback */
}

const struct wl_format wl_format_text = {
    .name = "text",
    .summary = "one page number a line (decimal or 0xHEX); other lines skipped",
    .kind = WL_KIND_TEXT,
    .detect_line = text_detect,
    .line = text_line,
    .finish = text_finish,
};
