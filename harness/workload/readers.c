/*
 * harness/workload/readers.c - recorded-trace readers behind one stream.
 *
 * How it works: bytes come from wl_in (plain, zstd, gzip or xz) into one
 * bounded window (1 MiB + the longest allowed line).  Text formats are
 * parsed in place with hand-rolled hex/decimal loops (no sscanf, no
 * per-line allocation): after each refill the window is cut after its last
 * newline, so every line parsed in the hot loop is complete and the loop
 * needs no bounds check but the newline.  Each record becomes one or more
 * page "ranges" (a lackey access that crosses a page, an ARC .lis request of
 * n blocks, a block-I/O request of several pages), which are drained into
 * the caller's batch; so memory stays bounded whatever the trace size.
 * Binary formats (oracleGeneral, u32, u64) are fixed-size records copied
 * out with memcpy (the 24-byte oracle record is unaligned).
 *
 * Errors never crash or resynchronise silently: an overlong line, a number
 * that overflows, an unrecognised record, a truncated binary record or a
 * compressed stream cut short stops the stream with one message
 * "FILE:LINE: what" (text) or "FILE: byte N: what" (binary).  Lines that a
 * format defines as ignorable (valgrind's ==pid== banners, LIRS `*`
 * breakpoints, non-numeric lines of the plain `text` format) are counted
 * and reported by `trace info`.
 *
 * Formats: see /work/shared/traces/FORMATS.md for the field specs (valgrind
 * lackey, ARC .lis of Megiddo & Modha FAST'03, MSR Cambridge and SPC block
 * CSV, libCacheSim oracleGeneral).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_internal.h"

#define WL_WIN (1u << 20)
#define WL_MAXLINE 4096

struct wl_range {
	struct pb_access a; /* template; a.addr is the first address */
	uint64_t n;         /* accesses left */
	uint64_t step;      /* address increment */
};

struct wl_trace {
	struct wl_in in;
	enum wl_fmt fmt;
	unsigned shift;
	const char *name;
	char *err; /* WL_ERRLEN */
	/* window */
	char *buf;
	size_t pos, len, safe; /* safe: end of the last complete line */
	int eof;
	uint64_t boff; /* stream offset of buf[0] */
	uint64_t line; /* lines consumed so far */
	uint64_t skipped;
	uint64_t records; /* trace records that produced references */
	int failed;
	/* pending expansion (at most two ranges: M = load + store) */
	struct wl_range pend[2];
	unsigned npend, ipend;
	int no_ifetch;
	struct wl_csv_map csv;
	int csv_first;
	struct wl_map ns; /* csv namespace hash -> asid + 1 */
	uint32_t nns;
	/* binary */
	size_t recsz;
	int64_t *onext;
	size_t onext_cap;
	struct wl_pbt_reader *pbt;
};

static const char *const fmt_names[WL_FMT_COUNT] = {
	"auto", "lackey", "text", "lis", "csv", "oracle", "u32", "u64", "pbt", "din", "pin", "vscsi", "perf",
};

const char *wl_fmt_name(enum wl_fmt f)
{
	return f < WL_FMT_COUNT ? fmt_names[f] : "?";
}

int wl_fmt_parse(const char *s, enum wl_fmt *f)
{
	for (int i = 0; i < WL_FMT_COUNT; i++)
		if (!strcmp(s, fmt_names[i])) {
			*f = (enum wl_fmt)i;
			return 0;
		}
	if (!strcmp(s, "oracleGeneral")) {
		*f = WL_FMT_ORACLE;
		return 0;
	}
	return -EINVAL;
}

PB_PRINTF(2, 3) static int terr(struct wl_trace *t, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (t->recsz || t->fmt == WL_FMT_PBT)
		snprintf(t->err, WL_ERRLEN, "%s: byte %llu: %s", t->name,
			 (unsigned long long)(t->boff + t->pos), what);
	else
		snprintf(t->err, WL_ERRLEN, "%s:%llu: %s", t->name, (unsigned long long)t->line + 1,
			 what);
	t->failed = 1;
	return -EINVAL;
}

/*
 * Refill the window: keep the unconsumed tail, read more.  Returns 1 if
 * there is data at pos, 0 at a clean end, -errno on error.  For text,
 * t->safe is set after the last newline (or to len at EOF, where a final
 * line without newline is given one).
 */
static int refill(struct wl_trace *t, int text)
{
	size_t keep = t->len - t->pos;
	if (t->pos) {
		memmove(t->buf, t->buf + t->pos, keep);
		t->boff += t->pos;
		t->pos = 0;
		t->len = keep;
	}
	t->safe = 0;
	while (!t->eof && t->len < WL_WIN + WL_MAXLINE) {
		ssize_t r = wl_in_read(&t->in, t->buf + t->len, WL_WIN + WL_MAXLINE - t->len);
		if (r < 0) {
			t->failed = 1;
			return (int)r; /* message from wl_in */
		}
		if (r == 0)
			t->eof = 1;
		t->len += (size_t)r;
		if (!text || t->len >= WL_WIN)
			break;
	}
	t->buf[t->len] = 0;
	if (!text) {
		t->safe = t->len;
		return t->len > 0;
	}
	char *nl = t->len ? memrchr(t->buf, '\n', t->len) : NULL;
	if (nl) {
		t->safe = (size_t)(nl - t->buf) + 1;
	} else if (t->eof) {
		if (t->len == 0)
			return 0;
		t->buf[t->len++] = '\n'; /* room: the window has one spare byte */
		t->safe = t->len;
	} else {
		t->safe = 0;
	}
	if (t->eof && t->safe < t->len) {
		t->buf[t->len++] = '\n';
		t->safe = t->len;
	}
	t->buf[t->len] = 0;
	if (t->safe == 0)
		return terr(t, "line longer than %u bytes (not a %s trace?)", WL_MAXLINE,
			    wl_fmt_name(t->fmt));
	/* a complete line longer than the limit */
	return 1;
}

/* ---- number scanners: return the end pointer or NULL on overflow ---- */
static inline int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digits at p (at least one); *ok = 0 on none, -1 on overflow. */
static inline const char *scan_hex(const char *p, uint64_t *v, int *ok)
{
	uint64_t x = 0;
	const char *s = p;
	int d;
	while ((d = hexval((unsigned char)*p)) >= 0) {
		if (x >> 60) {
			*ok = -1;
			return p;
		}
		x = (x << 4) | (uint64_t)d;
		p++;
	}
	*ok = p != s;
	*v = x;
	return p;
}

static inline const char *scan_dec(const char *p, uint64_t *v, int *ok)
{
	uint64_t x = 0;
	const char *s = p;
	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p - '0');
		if (x > (UINT64_MAX - d) / 10) {
			*ok = -1;
			return p;
		}
		x = x * 10 + d;
		p++;
	}
	*ok = p != s;
	*v = x;
	return p;
}

static inline const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static void push(struct wl_trace *t, uint8_t op, uint64_t addr, uint64_t n, uint64_t step,
		 uint32_t asid)
{
	struct wl_range *r = &t->pend[t->npend++];
	memset(&r->a, 0, sizeof(r->a));
	r->a.addr = addr;
	r->a.op = op;
	r->a.asid = asid;
	r->n = n;
	r->step = step;
}

/* Page range [addr, addr+size) -> first address and number of pages. */
static int page_span(struct wl_trace *t, uint64_t addr, uint64_t size, uint64_t *first,
		     uint64_t *npages)
{
	if (size == 0)
		size = 1;
	if (addr + (size - 1) < addr)
		return terr(t, "address range 0x%llx+%llu overflows 64 bits",
			    (unsigned long long)addr, (unsigned long long)size);
	uint64_t p0 = addr >> t->shift, p1 = (addr + size - 1) >> t->shift;
	*first = addr;
	*npages = p1 - p0 + 1;
	return 0;
}

/* ---- lackey ---- */
static int parse_lackey(struct wl_trace *t, const char *p, const char **endp)
{
	uint8_t op;
	int m = 0;
	const char *l = p;
	if (*p == '=' || *p == '-') { /* ==pid== / --pid-- banner */
		t->skipped++;
		*endp = rawmemchr(p, '\n') + 1;
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
		*endp = rawmemchr(p, '\n') + 1;
		return 0;
	} else {
		char *nl = rawmemchr(l, '\n');
		int len = (int)(nl - l) > 40 ? 40 : (int)(nl - l);
		return terr(t, "not a lackey record: '%.*s'", len, l);
	}
	p = skip_ws(p);
	uint64_t addr, size;
	int ok;
	p = scan_hex(p, &addr, &ok);
	if (ok < 0)
		return terr(t, "address overflows 64 bits");
	if (!ok || *p != ',')
		return terr(t, "lackey record: expected HEXADDR,SIZE");
	p = scan_dec(p + 1, &size, &ok);
	if (ok < 0)
		return terr(t, "size overflows 64 bits");
	if (!ok)
		return terr(t, "lackey record: missing size after ','");
	p = skip_ws(p);
	if (*p != '\n')
		return terr(t, "lackey record: junk after the size");
	*endp = p + 1;
	if (op == PB_OP_FETCH && t->no_ifetch)
		return 0;
	uint64_t first = 0, np = 0;
	int rc = page_span(t, addr, size, &first, &np);
	if (rc)
		return rc;
	push(t, op, first, np, 1ULL << t->shift, 0);
	if (m)
		push(t, PB_OP_WRITE, first, np, 1ULL << t->shift, 0);
	return 0;
}

/* ---- text: one page number per line ---- */
static int parse_text(struct wl_trace *t, const char *p, const char **endp)
{
	char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = skip_ws(p);
	uint64_t v;
	int ok;
	const char *q;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		q = scan_hex(p + 2, &v, &ok);
	else
		q = scan_dec(p, &v, &ok);
	if (ok < 0)
		return terr(t, "page number overflows 64 bits");
	q = skip_ws(q);
	if (!ok || q != nl) {
		if (p != nl)
			t->skipped++; /* non-numeric line (LIRS '*' breakpoints etc.) */
		return 0;
	}
	if (v > (UINT64_MAX >> t->shift))
		return terr(t, "page number %llu overflows a 64-bit address at page size %llu",
			    (unsigned long long)v, 1ULL << t->shift);
	push(t, PB_OP_READ, v << t->shift, 1, 0, 0);
	return 0;
}

/* ---- ARC .lis: start nblocks ignore reqno ---- */
static int parse_lis(struct wl_trace *t, const char *p, const char **endp)
{
	uint64_t f[4];
	int ok;
	p = skip_ws(p);
	if (*p == '\n') {
		*endp = p + 1;
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		p = scan_dec(p, &f[i], &ok);
		if (ok < 0)
			return terr(t, "field %d overflows 64 bits", i + 1);
		if (!ok)
			return terr(t, "lis record: expected 4 integers 'start nblocks ignore reqno'");
		p = skip_ws(p);
	}
	if (*p != '\n')
		return terr(t, "lis record: junk after the 4th field");
	*endp = p + 1;
	if (f[1] == 0)
		return 0;
	if (f[0] + f[1] < f[0] || f[0] + f[1] - 1 > (UINT64_MAX >> t->shift))
		return terr(t, "block range %llu+%llu overflows a 64-bit address",
			    (unsigned long long)f[0], (unsigned long long)f[1]);
	push(t, PB_OP_READ, f[0] << t->shift, f[1], 1ULL << t->shift, 0);
	return 0;
}

/* ---- block I/O CSV with a column map ---- */
static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static int parse_csv(struct wl_trace *t, const char *p, const char **endp)
{
	const char *fs[32];
	size_t fl[32];
	unsigned nf = 0;
	char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	int first_line = t->csv_first;
	t->csv_first = 0;
	if (skip_ws(p) == nl)
		return 0;
	const char *s = p;
	for (;;) {
		const char *c = s;
		while (c < nl && *c != ',')
			c++;
		if (nf == 32)
			return terr(t, "csv: more than 32 fields");
		const char *e = c;
		while (e > s && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		s = skip_ws(s);
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
		return terr(t, "csv: %u fields, the column map needs %u", nf, need);
	uint64_t off, size = 0;
	int ok;
	const char *q = scan_dec(fs[m->off_col - 1], &off, &ok);
	if (ok > 0 && q != fs[m->off_col - 1] + fl[m->off_col - 1])
		ok = 0;
	if (!ok && first_line && m->header) {
		t->skipped++; /* header line */
		return 0;
	}
	if (ok < 0)
		return terr(t, "csv: offset (column %u) overflows 64 bits", m->off_col);
	if (!ok)
		return terr(t, "csv: offset (column %u) '%.*s' is not a number", m->off_col,
			    (int)(fl[m->off_col - 1] > 40 ? 40 : fl[m->off_col - 1]),
			    fs[m->off_col - 1]);
	if (m->size_col) {
		q = scan_dec(fs[m->size_col - 1], &size, &ok);
		if (ok > 0 && q != fs[m->size_col - 1] + fl[m->size_col - 1])
			ok = 0;
		if (ok < 0)
			return terr(t, "csv: size (column %u) overflows 64 bits", m->size_col);
		if (!ok)
			return terr(t, "csv: size (column %u) is not a number", m->size_col);
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
			return terr(t, "csv: operation (column %u) '%.*s' is not read/write",
				    m->op_col, (int)(ol > 20 ? 20 : ol), o);
	}
	uint32_t asid = 0;
	if (m->ns1_col || m->ns2_col) {
		uint64_t h = 0xcbf29ce484222325ULL;
		if (m->ns1_col && m->ns1_col <= nf)
			h = fnv1a(h, fs[m->ns1_col - 1], fl[m->ns1_col - 1]);
		h = fnv1a(h, "/", 1);
		if (m->ns2_col && m->ns2_col <= nf)
			h = fnv1a(h, fs[m->ns2_col - 1], fl[m->ns2_col - 1]);
		int isnew;
		uint64_t *v = wl_map_get(&t->ns, h, &isnew);
		if (!v)
			return -ENOMEM;
		if (isnew)
			*v = ++t->nns;
		asid = (uint32_t)(*v - 1);
	}
	if (off > UINT64_MAX / m->unit || (size && size > UINT64_MAX / m->size_unit))
		return terr(t, "csv: offset or size overflows 64 bits in bytes");
	uint64_t first = 0, np = 0;
	int rc = page_span(t, off * m->unit, size * m->size_unit, &first, &np);
	if (rc)
		return rc;
	push(t, op, first & ~((1ULL << t->shift) - 1), np, 1ULL << t->shift, asid);
	return 0;
}

/* ---- Dinero din: "LABEL ADDR [SIZE] ..." ----
 * Traditional labels 0 read, 1 write, 2 fetch, 3 misc read, 4 copy-back
 * (a write), 5 invalidate / 6 flush (skipped); extended letters r w i m c v
 * with a hex size; the UCSD CSE240A traces' l (load) and s (store), whose
 * third field is an instruction gap, not a size. */
static int parse_din(struct wl_trace *t, const char *p, const char **endp)
{
	char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = skip_ws(p);
	if (p == nl || *p == '#')
		return 0;
	char lab = *p;
	if (p[1] != ' ' && p[1] != '\t')
		return terr(t, "din record: expected a one-character label and an address");
	int op, sized = 0;
	switch (lab | 0x20) {
	case '0': case '3': case 'r': case 'm': case 'l':
		op = PB_OP_READ;
		break;
	case '1': case '4': case 'w': case 'c': case 's':
		op = PB_OP_WRITE;
		break;
	case '2': case 'i':
		op = PB_OP_FETCH;
		break;
	case '5': case '6': case 'v':
		t->skipped++;
		return 0;
	default:
		return terr(t, "din record: unknown label '%c'", lab);
	}
	sized = (lab | 0x20) >= 'a' && (lab | 0x20) != 'l' && (lab | 0x20) != 's';
	p = skip_ws(p + 1);
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	uint64_t addr, size = 1;
	int ok;
	p = scan_hex(p, &addr, &ok);
	if (ok < 0)
		return terr(t, "address overflows 64 bits");
	if (!ok)
		return terr(t, "din record: missing hex address");
	if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		return terr(t, "din record: junk after the address");
	if (sized) {
		const char *q = skip_ws(p);
		if (q[0] == '0' && (q[1] | 0x20) == 'x')
			q += 2;
		uint64_t sz;
		q = scan_hex(q, &sz, &ok);
		if (ok < 0)
			return terr(t, "size overflows 64 bits");
		if (ok > 0)
			size = sz;
	}
	uint64_t first = 0, np = 0;
	int rc = page_span(t, addr, size, &first, &np);
	if (rc)
		return rc;
	push(t, (uint8_t)op, first, np, 1ULL << t->shift, 0);
	return 0;
}

/* ---- Intel Pin pinatrace: "0xIP: R|W 0xADDR", "#eof" ---- */
static int parse_pin(struct wl_trace *t, const char *p, const char **endp)
{
	char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = skip_ws(p);
	if (p == nl || *p == '#')
		return 0;
	uint64_t ip, addr;
	int ok;
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	p = scan_hex(p, &ip, &ok);
	if (ok <= 0 || *p != ':')
		return terr(t, "pin record: expected '0xIP: R|W 0xADDR'");
	p = skip_ws(p + 1);
	if (*p != 'R' && *p != 'W')
		return terr(t, "pin record: operation must be R or W");
	uint8_t op = *p == 'W' ? PB_OP_WRITE : PB_OP_READ;
	p = skip_ws(p + 1);
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	p = scan_hex(p, &addr, &ok);
	if (ok < 0)
		return terr(t, "address overflows 64 bits");
	if (!ok)
		return terr(t, "pin record: missing address");
	push(t, op, addr, 1, 0, 0);
	return 0;
}

/* ---- perf script: `perf record -e page-faults -d` then `perf script -F
 * comm,tid,time,event,addr,...` (the address follows the "EVENT:" token
 * that follows the "TIME:" token), or `perf script -F addr` (one hex
 * address a line).  The op is unknown: reads. */
static int parse_perf(struct wl_trace *t, const char *p, const char **endp)
{
	char *nl = rawmemchr(p, '\n');
	*endp = nl + 1;
	p = skip_ws(p);
	if (p == nl || *p == '#')
		return 0;
	uint64_t addr;
	int ok;
	const char *q = p;
	if (q[0] == '0' && (q[1] | 0x20) == 'x')
		q += 2;
	const char *e = scan_hex(q, &addr, &ok);
	if (ok > 0 && skip_ws(e) == nl) { /* -F addr */
		push(t, PB_OP_READ, addr, 1, 0, 0);
		return 0;
	}
	/* find "DIGITS.DIGITS:" (the time), then the event token ending in ':' */
	const char *c = p;
	for (;;) {
		c = memchr(c, ':', (size_t)(nl - c));
		if (!c)
			return terr(t, "perf script line: no 'TIME: EVENT: ADDR' fields");
		if (c > p && c[-1] >= '0' && c[-1] <= '9')
			break;
		c++;
	}
	c = skip_ws(c + 1);
	while (c < nl && *c != ' ' && *c != '\t')
		c++;
	if (c == nl || c[-1] != ':')
		return terr(t, "perf script line: expected an 'EVENT:' token after the time");
	c = skip_ws(c);
	if (c[0] == '0' && (c[1] | 0x20) == 'x')
		c += 2;
	e = scan_hex(c, &addr, &ok);
	if (ok < 0)
		return terr(t, "address overflows 64 bits");
	if (!ok || (*e != ' ' && *e != '\t' && *e != '\n' && *e != '\r'))
		return terr(t, "perf script line: no hex address after the event");
	push(t, PB_OP_READ, addr, 1, 0, 0);
	return 0;
}

typedef int (*line_fn)(struct wl_trace *t, const char *p, const char **endp);

static inline size_t drain(struct wl_trace *t, struct pb_access *out, size_t k, size_t n)
{
	while (t->ipend < t->npend && k < n) {
		struct wl_range *r = &t->pend[t->ipend];
		while (r->n && k < n) {
			out[k++] = r->a;
			r->a.addr += r->step;
			r->n--;
		}
		if (!r->n)
			t->ipend++;
	}
	if (t->ipend == t->npend)
		t->ipend = t->npend = 0;
	return k;
}

/*
 * Lackey fast path: the common records (I, L, S inside one page, plain
 * digits, '\n' ends) straight into the output.  It stops at the first line
 * it does not handle (banner, M, a page crossing, CR, anything odd), which
 * parse_lackey then takes, with its full checks and messages.
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
		while ((d = hexval((unsigned char)*q)) >= 0) {
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

static ssize_t text_next(struct wl_trace *t, struct pb_access *out, size_t n, line_fn fn)
{
	size_t k = drain(t, out, 0, n);
	while (k < n) {
		if (t->pos >= t->safe) {
			int rc = refill(t, 1);
			if (rc < 0)
				return rc;
			if (rc == 0)
				break;
		}
		if (fn == parse_lackey) {
			k += lackey_fast(t, out + k, n - k);
			if (k == n || t->pos >= t->safe)
				continue;
		}
		const char *p = t->buf + t->pos, *e = p;
		int rc = fn(t, p, &e);
		if (rc)
			return rc;
		t->records += t->npend > 0;
		if ((size_t)(e - p) > WL_MAXLINE + 1)
			return terr(t, "line longer than %u bytes", WL_MAXLINE);
		t->pos = (size_t)(e - t->buf);
		t->line++;
		k = drain(t, out, k, n);
	}
	return (ssize_t)k;
}

/* ---- binary records ---- */
static ssize_t bin_next(struct wl_trace *t, struct pb_access *out, size_t n)
{
	size_t k = 0;
	size_t rs = t->recsz;
	if (t->fmt == WL_FMT_ORACLE && t->onext_cap < n) {
		free(t->onext);
		t->onext = malloc(n * sizeof(*t->onext));
		if (!t->onext)
			return -ENOMEM;
		t->onext_cap = n;
	}
	while (k < n) {
		if (t->len - t->pos < rs) {
			if (t->eof) {
				if (t->len > t->pos)
					return terr(t, "truncated record: %zu bytes left, a %s record is %zu",
						    t->len - t->pos, wl_fmt_name(t->fmt), rs);
				break;
			}
			int rc = refill(t, 0);
			if (rc < 0)
				return rc;
			continue;
		}
		size_t avail = (t->len - t->pos) / rs;
		if (avail > n - k)
			avail = n - k;
		const char *p = t->buf + t->pos;
		struct pb_access *o = out + k;
		memset(o, 0, avail * sizeof(*o));
		switch (t->fmt) {
		case WL_FMT_U32:
			for (size_t i = 0; i < avail; i++) {
				uint32_t v;
				memcpy(&v, p + 4 * i, 4);
				o[i].addr = (uint64_t)v << t->shift;
			}
			break;
		case WL_FMT_U64:
			for (size_t i = 0; i < avail; i++) {
				uint64_t v;
				memcpy(&v, p + 8 * i, 8);
				if (v > (UINT64_MAX >> t->shift)) {
					t->pos += i * rs;
					return terr(t, "page number %llu overflows a 64-bit address",
						    (unsigned long long)v);
				}
				o[i].addr = v << t->shift;
			}
			break;
		case WL_FMT_VSCSI: /* v1 {u32 sn,len,nSG; u16 cmd,ver; u64 lbn,ts}, v2 {u16 cmd,ver; u32 sn,len,nSG; u64 lbn,ts,rt} */
			for (size_t i = 0; i < avail; i++) {
				const char *rp = p + rs * i;
				uint16_t cmd, ver;
				uint64_t lbn;
				memcpy(&cmd, rp + (rs == 32 ? 12 : 0), 2);
				memcpy(&ver, rp + (rs == 32 ? 14 : 2), 2);
				memcpy(&lbn, rp + (rs == 32 ? 16 : 16), 8);
				if ((ver >> 8) != (rs == 32 ? 1 : 2)) {
					t->pos += i * rs;
					return terr(t, "vscsi record with version %u in a v%d trace", ver >> 8,
						    rs == 32 ? 1 : 2);
				}
				if (lbn > (UINT64_MAX >> t->shift)) {
					t->pos += i * rs;
					return terr(t, "block number %llu overflows a 64-bit address",
						    (unsigned long long)lbn);
				}
				o[i].addr = lbn << t->shift;
				/* SCSI WRITE(6/10/12/16) */
				o[i].op = cmd == 0x0a || cmd == 0x2a || cmd == 0xaa || cmd == 0x8a ? PB_OP_WRITE
												  : PB_OP_READ;
			}
			break;
		default: /* oracle: u32 time, u64 id, u32 size, i64 next */
			for (size_t i = 0; i < avail; i++) {
				uint64_t id;
				int64_t nx;
				memcpy(&id, p + 24 * i + 4, 8);
				memcpy(&nx, p + 24 * i + 16, 8);
				if (id > (UINT64_MAX >> t->shift)) {
					t->pos += i * rs;
					return terr(t, "object id %llu overflows a 64-bit address at page size %llu",
						    (unsigned long long)id, 1ULL << t->shift);
				}
				o[i].addr = id << t->shift;
				t->onext[k + i] = nx == INT64_MAX ? -1 : nx;
			}
			break;
		}
		t->pos += avail * rs;
		t->records += avail;
		k += avail;
	}
	return (ssize_t)k;
}

/* ---- detection ---- */
static int is_textual(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			return 0;
		if (c >= 0x7f)
			return 0;
	}
	return 1;
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

static int csv_preset(struct wl_csv_map *m, int preset)
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
	return 0;
}

static int detect_csv(struct wl_trace *t, const char *l, const char *nl)
{
	/* look at this line (and the next one if this looks like a header) */
	for (int tries = 0; tries < 2 && l < t->buf + t->len; tries++) {
		const char *f;
		int nf = count_fields(l, nl, ',');
		size_t n3 = csv_field(l, nl, 3, &f);
		if (nf == 7 && ((n3 == 4 && !strncmp(f, "Read", 4)) ||
				(n3 == 5 && !strncmp(f, "Write", 5))))
			return csv_preset(&t->csv, 1);
		if (nf >= 5 && n3 == 1 && f[0] && strchr("rRwW", f[0]))
			return csv_preset(&t->csv, 2);
		l = nl + 1;
		if (l >= t->buf + t->len)
			break;
		nl = memchr(l, '\n', t->len - (size_t)(l - t->buf));
		if (!nl)
			break;
	}
	snprintf(t->err, WL_ERRLEN,
		 "%s:1: csv layout not recognised (neither MSR nor SPC); give csv=msr|spc or "
		 "offcol=,sizecol=,opcol=,unit=",
		 t->name);
	return -EINVAL;
}

static int detect(struct wl_trace *t, const char *hint)
{
	size_t n = t->len < 4096 ? t->len : 4096;
	const char *p = t->buf;
	if (t->len >= 7 && !memcmp(p, WL_PBT_MAGIC, 7)) {
		t->fmt = WL_FMT_PBT;
		return 0;
	}
	if (!is_textual(p, n)) {
		if (hint && strstr(hint, ".oracleGeneral"))
			t->fmt = WL_FMT_ORACLE;
		else if (hint && strstr(hint, ".u32"))
			t->fmt = WL_FMT_U32;
		else if (hint && strstr(hint, ".u64"))
			t->fmt = WL_FMT_U64;
		else if (hint && strstr(hint, ".vscsi"))
			t->fmt = WL_FMT_VSCSI;
		else {
			snprintf(t->err, WL_ERRLEN,
				 "%s: byte 0: binary data of unknown format (give format=oracle|u32|u64|pbt)",
				 t->name);
			return -EINVAL;
		}
		return 0;
	}
	/* first line that is not a banner or blank */
	const char *end = p + t->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (p[0] == '=' || p[0] == '-' || skip_ws(p) >= nl) {
			p = nl + 1;
			continue;
		}
		if ((p[0] == 'I' && p[1] == ' ' && p[2] == ' ') ||
		    (p[0] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M') && p[2] == ' ')) {
			t->fmt = WL_FMT_LACKEY;
			return 0;
		}
		if (memmem(p, (size_t)(nl - p), ": page-faults:", 14) ||
		    memmem(p, (size_t)(nl - p), ": major-faults:", 15) ||
		    memmem(p, (size_t)(nl - p), ": minor-faults:", 15) ||
		    memmem(p, (size_t)(nl - p), ": mem-loads", 11) ||
		    memmem(p, (size_t)(nl - p), ": mem-stores", 12)) {
			t->fmt = WL_FMT_PERF;
			return 0;
		}
		if (p[0] == '0' && p[1] == 'x' && memchr(p, ':', (size_t)(nl - p))) {
			t->fmt = WL_FMT_PIN;
			return 0;
		}
		if (p[0] != ' ' && (p[1] == ' ' || p[1] == '\t') && strchr("0123456rwimcvlsRWIMCVLS", p[0])) {
			const char *q = skip_ws(p + 1);
			if (q[0] == '0' && q[1] == 'x')
				q += 2;
			if (hexval((unsigned char)*q) >= 0 &&
			    !(p[0] >= '0' && p[0] <= '9' && !memchr(p, 'x', (size_t)(nl - p)) &&
			      !memchr(p, ',', (size_t)(nl - p)) && count_fields(p, nl, ' ') >= 4)) {
				t->fmt = WL_FMT_DIN;
				return 0;
			}
		}
		if (memchr(p, ',', (size_t)(nl - p))) {
			t->fmt = WL_FMT_CSV;
			if (t->csv.off_col)
				return 0;
			return detect_csv(t, p, nl);
		}
		int nf = 0, num = 1;
		for (const char *q = skip_ws(p); q < nl;) {
			const char *s = q;
			while (q < nl && *q >= '0' && *q <= '9')
				q++;
			if (q == s)
				num = 0;
			while (q < nl && *q != ' ' && *q != '\t' && *q != '\r')
				q++, num = 0;
			nf++;
			q = skip_ws(q);
		}
		t->fmt = num && nf == 4 ? WL_FMT_LIS : WL_FMT_TEXT;
		return 0;
	}
	if (t->len == 0) {
		snprintf(t->err, WL_ERRLEN, "%s: byte 0: empty file (no format to detect)", t->name);
		return -EINVAL;
	}
	t->fmt = WL_FMT_TEXT;
	return 0;
}

static ssize_t pbt_src_read(void *ctx, void *buf, size_t n)
{
	struct wl_trace *t = ctx;
	size_t got = 0;
	if (t->pos < t->len) {
		got = t->len - t->pos < n ? t->len - t->pos : n;
		memcpy(buf, t->buf + t->pos, got);
		t->pos += got;
	}
	if (got < n) {
		ssize_t r = wl_in_read(&t->in, (char *)buf + got, n - got);
		if (r < 0)
			return r;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int wl_trace_open(const struct wl_trace_opts *o, struct wl_trace **out, char *err, size_t errlen)
{
	struct wl_trace *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->err = calloc(1, WL_ERRLEN);
	t->buf = malloc(WL_WIN + WL_MAXLINE + 2);
	if (!t->err || !t->buf) {
		free(t->err);
		free(t->buf);
		free(t);
		return -ENOMEM;
	}
	t->name = o->path ? o->path : "<pipe>";
	t->shift = o->page_shift;
	t->fmt = o->fmt;
	t->no_ifetch = o->no_ifetch;
	t->csv = o->csv;
	t->csv_first = 1;
	int rc = wl_in_open(&t->in, o->path, o->fd, t->err, WL_ERRLEN);
	if (!rc)
		rc = refill(t, 0) < 0 ? -EIO : 0;
	if (!rc && t->fmt == WL_FMT_AUTO)
		rc = detect(t, o->path);
	if (!rc && t->fmt == WL_FMT_CSV && !t->csv.off_col)
		rc = detect_csv(t, t->buf, memchr(t->buf, '\n', t->len) ?: t->buf + t->len);
	if (!rc && t->fmt == WL_FMT_CSV && !t->csv.unit)
		t->csv.unit = 1;
	if (!rc && t->fmt == WL_FMT_CSV && !t->csv.size_unit)
		t->csv.size_unit = 1;
	if (!rc && t->fmt == WL_FMT_CSV && wl_map_init(&t->ns, 64))
		rc = -ENOMEM;
	if (!rc) {
		switch (t->fmt) {
		case WL_FMT_ORACLE:
			t->recsz = 24;
			break;
		case WL_FMT_U32:
			t->recsz = 4;
			break;
		case WL_FMT_U64:
			t->recsz = 8;
			break;
		case WL_FMT_VSCSI: {
			uint16_t v1 = 0, v2 = 0;
			if (t->len >= 16)
				memcpy(&v1, t->buf + 14, 2);
			if (t->len >= 4)
				memcpy(&v2, t->buf + 2, 2);
			if ((v1 >> 8) == 1)
				t->recsz = 32;
			else if ((v2 >> 8) == 2)
				t->recsz = 40;
			else if (t->len) {
				snprintf(t->err, WL_ERRLEN, "%s: byte 0: not a vscsi v1/v2 trace (version field)",
					 t->name);
				rc = -EINVAL;
			} else {
				t->recsz = 32;
			}
			break;
		}
		case WL_FMT_PBT: {
			unsigned sh = 0;
			rc = wl_pbt_open(pbt_src_read, t, t->name, &t->pbt, &sh, t->err, WL_ERRLEN);
			if (!rc)
				t->shift = sh;
			break;
		}
		default:
			break;
		}
	}
	if (!rc && !t->recsz && t->fmt != WL_FMT_PBT)
		t->safe = 0; /* text: the first refill cuts at a line end */
	if (!rc && t->len == 0 && t->fmt != WL_FMT_PBT) {
		snprintf(t->err, WL_ERRLEN, "%s: byte 0: empty file", t->name);
		rc = -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "%s", t->err[0] ? t->err : strerror(-rc));
		wl_trace_close(t);
		return rc;
	}
	*out = t;
	return 0;
}

ssize_t wl_trace_next(struct wl_trace *t, struct pb_access *buf, size_t n)
{
	if (t->failed)
		return -EINVAL;
	ssize_t r;
	switch (t->fmt) {
	case WL_FMT_LACKEY:
		r = text_next(t, buf, n, parse_lackey);
		break;
	case WL_FMT_TEXT:
		r = text_next(t, buf, n, parse_text);
		break;
	case WL_FMT_LIS:
		r = text_next(t, buf, n, parse_lis);
		break;
	case WL_FMT_CSV:
		r = text_next(t, buf, n, parse_csv);
		break;
	case WL_FMT_DIN:
		r = text_next(t, buf, n, parse_din);
		break;
	case WL_FMT_PIN:
		r = text_next(t, buf, n, parse_pin);
		break;
	case WL_FMT_PERF:
		r = text_next(t, buf, n, parse_perf);
		break;
	case WL_FMT_PBT:
		r = wl_pbt_next(t->pbt, buf, n);
		if (r > 0)
			t->records += (uint64_t)r;
		if (r < 0)
			snprintf(t->err, WL_ERRLEN, "%s", wl_pbt_error(t->pbt));
		break;
	default:
		r = bin_next(t, buf, n);
		break;
	}
	if (r < 0) {
		t->failed = 1;
		if (!t->err[0])
			snprintf(t->err, WL_ERRLEN, "%s: %s", t->name, strerror((int)-r));
	}
	return r;
}

const int64_t *wl_trace_oracle_next(const struct wl_trace *t)
{
	return t->fmt == WL_FMT_ORACLE ? t->onext : NULL;
}

const char *wl_trace_error(const struct wl_trace *t)
{
	return t->err;
}

enum wl_fmt wl_trace_format(const struct wl_trace *t)
{
	return t->fmt;
}

unsigned wl_trace_shift(const struct wl_trace *t)
{
	return t->shift;
}

uint64_t wl_trace_records(const struct wl_trace *t)
{
	return t->records;
}

uint64_t wl_trace_skipped(const struct wl_trace *t)
{
	return t->skipped;
}

void wl_trace_close(struct wl_trace *t)
{
	if (!t)
		return;
	if (t->pbt)
		wl_pbt_close(t->pbt);
	wl_in_close(&t->in);
	if (t->ns.keys)
		wl_map_free(&t->ns);
	free(t->onext);
	free(t->buf);
	free(t->err);
	free(t);
}
