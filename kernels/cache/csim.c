/* SPDX-License-Identifier: MIT */
/*
 * kernels/cache/csim.c - the strict line parser of `pagebench csim`.
 *
 * The cache lab's reference simulator (csim-ref) reads a valgrind lackey
 * trace line by line, takes the lines whose second character is L, S or M
 * and sscanf's "%llx,%u" after it; everything else is ignored.  This parser
 * accepts the same records but says which line is wrong instead of reading
 * garbage: a data record is exactly one space, L/S/M, one or more spaces,
 * a hex address of at most 16 digits, ',', a decimal size, then only
 * blanks.  Instruction fetches ("I  ADDR,SIZE"), empty lines and valgrind's
 * "==pid==" / "--pid--" banners are skipped, as csim-ref skips them.
 * The harness's workload reader (harness/workload/fmt_lackey.c) is not
 * used: it yields page references (an access crossing a page becomes two,
 * M becomes a read and a write of the page), csim needs the records.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pagebench/cache.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int pb_csim_parse_line(const char *line, struct pb_csim_rec *r, char *err, size_t errlen)
{
	const char *p = line;
	/* the line as messages show it: at most 40 bytes, each control or
	 * non-ASCII byte a '?' (a '\r' or a binary file's bytes must not
	 * split the one-line error) */
	char show[41];
	int shown = 0;
	for (; line[shown] && shown < 40; shown++) {
		unsigned char ch = (unsigned char)line[shown];
		show[shown] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	show[shown] = 0;
	if (*p == 'I' && blank(p[1]))
		return 0; /* instruction fetch: csim ignores it */
	if (*p == '=' || (p[0] == '-' && p[1] == '-'))
		return 0; /* valgrind banner */
	while (blank(*p))
		p++;
	if (!*p)
		return 0; /* empty line */
	if (line[0] != ' ' || p != line + 1 || (*p != 'L' && *p != 'S' && *p != 'M') ||
	    !blank(p[1])) {
		snprintf(err, errlen, "not a lackey data record (' L|S|M ADDR,SIZE'): '%.*s'",
			 shown, show);
		return -EINVAL;
	}
	r->op = *p++;
	while (blank(*p))
		p++;
	uint64_t a = 0;
	int nd = 0, d;
	while ((d = hexval(*p)) >= 0) {
		if (++nd > 16) {
			snprintf(err, errlen, "address overflows 64 bits: '%.*s'", shown, show);
			return -EINVAL;
		}
		a = (a << 4) | (uint64_t)d;
		p++;
	}
	if (!nd || *p != ',') {
		snprintf(err, errlen, "expected HEXADDR,SIZE: '%.*s'", shown, show);
		return -EINVAL;
	}
	p++;
	uint64_t sz = 0;
	int ns = 0;
	while (*p >= '0' && *p <= '9') {
		if (++ns > 19) {
			snprintf(err, errlen, "size too large: '%.*s'", shown, show);
			return -EINVAL;
		}
		sz = sz * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (!ns) {
		snprintf(err, errlen, "missing size after ',': '%.*s'", shown, show);
		return -EINVAL;
	}
	while (blank(*p))
		p++;
	if (*p) {
		snprintf(err, errlen, "junk after the size: '%.*s'", shown, show);
		return -EINVAL;
	}
	r->addr = a;
	r->size = sz;
	return 1;
}
