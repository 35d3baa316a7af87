/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/wl_reader.h - private to the trace readers: the format
 * descriptor every reader file (fmt_*.c) fills in, the reader state they
 * share, and the small parsing helpers (number scanners, page ranges,
 * errors naming FILE:LINE or FILE: byte N).
 *
 * A format is one const struct wl_format (fmt_NAME.c) plus one line
 * WL_FORMAT(NAME, BACKING) in formats.def; reader.c runs the window, the detection
 * and the dispatch, and knows no format by name.
 *
 * Three kinds of reader:
 *   text    ->line() parses one complete '\n'-terminated line at a time
 *           from the window (the framework guarantees the newline) and
 *           pushes page ranges; optional ->fast() takes common lines
 *           straight into the output.
 *   binary  ->recsz-byte records decoded by ->records() in bulk.
 *   stream  ->next() owns the decoding (pbt: blocks of its own).
 */
#ifndef PAGEBENCH_WL_READER_H
#define PAGEBENCH_WL_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pagebench/common.h"
#include "wl_internal.h"

#define WL_WIN	   (1u << 20)
#define WL_MAXLINE 4096

enum wl_kind { WL_KIND_TEXT, WL_KIND_BINARY, WL_KIND_STREAM };

/* Detection scores: the highest wins; 0 = not this format. */
#define WL_DETECT_NO 0

struct wl_trace;

struct wl_format {
	const char *name;
	const char *const *aliases; /* NULL-terminated, or NULL */
	const char *summary;	    /* one line for help and `list workloads` */
	enum wl_kind kind;
	/* Detection (format=auto), tried in this order:
	 * magic(): the first bytes (any file), a score;
	 * suffix: a binary file whose name contains it;
	 * line(): the first line of a text file that is not blank nor a
	 *   valgrind banner (p .. nl, *nl == '\n' or the end), a score;
	 * text(): the text sample from that line to its end (the last line
	 *   may be cut), a score, for a format told by its lines together,
	 *   not by the first one.  Optional. */
	int (*detect_magic)(const char *p, size_t n);
	const char *suffix;
	int (*detect_line)(const char *p, const char *nl);
	int (*detect_text)(const char *p, const char *end);
	/* After detection (or format=NAME): set up (csv columns, vscsi record
	 * size, pbt header).  Optional. */
	int (*open)(struct wl_trace *t);
	/* text */
	int (*line)(struct wl_trace *t, const char *p, const char **endp);
	size_t (*fast)(struct wl_trace *t, struct pb_access *out, size_t n);
	/* At a clean end of a text stream: a last check (text: nothing parsed).
	 * Optional. */
	int (*finish)(struct wl_trace *t);
	/* binary: fixed records; records() decodes avail records at p into
	 * o[0..avail), each written whole: t->rec (asid 0, the backing's
	 * flags) with its own addr (and op), and returns 0, or an error with
	 * t->pos at the bad one */
	size_t recsz; /* 0: set by open() */
	int (*records)(struct wl_trace *t, const char *p, size_t avail, struct pb_access *o,
		       size_t k);
	/* stream */
	ssize_t (*next)(struct wl_trace *t, struct pb_access *buf, size_t n);
	/* Frees what open() allocated.  Optional. */
	void (*close)(struct wl_trace *t);
	/* The reader drops instruction fetches itself when asked (ifetch=0);
	 * for the others the framework filters PB_OP_FETCH out. */
	unsigned own_ifetch : 1;
	/* Binary records carry a next-access index (t->onext[k], one per
	 * access, sized by the framework): pb_workload_oracle_next. */
	unsigned has_next : 1;
};

/* formats.c: the registration table (formats.def), in detection order of
 * formats.def; wl_formats[i] for i < wl_nformats. */
extern const struct wl_format *const wl_formats[];
extern const unsigned wl_nformats;

/* A page range a record expands to. */
struct wl_range {
	struct pb_access a; /* template; a.addr is the first address */
	uint64_t n;	    /* accesses left */
	uint64_t step;	    /* address increment */
};

struct wl_trace {
	struct wl_in in;
	const struct wl_format *fmt;
	unsigned shift;
	int page_given; /* shift is the spec's page= (wl_trace_opts.page_given) */
	const char *name;
	char *err; /* WL_ERRLEN */
	/* window */
	char *buf;
	size_t pos, len, safe; /* safe: end of the last complete line */
	int eof;
	uint64_t boff; /* stream offset of buf[0] */
	/* binary formats on a plain regular file: records decoded straight
	 * from a read-only mapping of it (reader.c, bin_map) */
	const char *map; /* NULL: from the window */
	size_t map_len, map_dropped;
	int map_tried;
	uint64_t line; /* lines consumed so far */
	uint64_t skipped;
	uint64_t records; /* trace records that produced references */
	uint64_t refs;	  /* references delivered */
	uint64_t maxpages;
	int failed;
	const char *det_line; /* detection: the line it decided on */
	/* pending expansion (at most two ranges: M = load + store) */
	struct wl_range pend[2];
	unsigned npend, ipend;
	int no_ifetch;
	/* format-private state */
	struct wl_csv_map csv;
	int csv_first;
	struct pb_hmap ns; /* csv namespace hash -> asid + 1 */
	uint32_t nns;
	uint64_t first_skip; /* text: line of the first skipped line (1-based) */
	/* text: the skipped lines it did not recognise (not a part of the
	 * format, as a banner, a header or LIRS's '*' breakpoints are), which
	 * sim, mrc and trace convert warn of (pb_workload_skipped); no other
	 * format counts any */
	uint64_t unknown;
	uint64_t first_unknown; /* ... the line of the first (1-based) */
	char first_skip_s[48];	/* ... and its start */
	size_t recsz;
	struct pb_access rec; /* binary: what a record is but its addr and op */
	int64_t *onext;
	size_t onext_cap;
	struct wl_pbt_reader *pbt;
	/* backing (wl_trace_opts.backing, resolved) and the sidecar's maps */
	enum wl_backing backing;
	int backing_done; /* pbt converted with backing=file: its records have it */
	struct wl_maps *maps;
};

/* Sets the message ("FILE:LINE: what" for text, "FILE: byte N: what" for
 * binary) and fails the stream; returns -EINVAL. */
PB_PRINTF(2, 3) int wl_terr(struct wl_trace *t, const char *fmt, ...);
/* Reads up to n bytes of the stream past the window (pbt's byte source). */
ssize_t wl_trace_read_raw(void *ctx, void *buf, size_t n);

static inline int wl_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digits at p; *ok = 1 read some, 0 none, -1 overflow. */
static inline const char *wl_scan_hex(const char *p, uint64_t *v, int *ok)
{
	uint64_t x = 0;
	const char *s = p;
	int d;
	while ((d = wl_hexval((unsigned char)*p)) >= 0) {
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

static inline const char *wl_scan_dec(const char *p, uint64_t *v, int *ok)
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

static inline const char *wl_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/*
 * Queue n accesses addr, addr+step, ... (one record's expansion).  n above
 * the stream's maxpages is an error naming the line: a crafted size or
 * count field must not turn one line into minutes of work or gigabytes of
 * pages.  Returns 0 or -EINVAL.
 */
int wl_push(struct wl_trace *t, uint8_t op, uint64_t addr, uint64_t n, uint64_t step,
	    uint32_t asid);
/* Page range [addr, addr+size) -> first address and number of pages. */
int wl_page_span(struct wl_trace *t, uint64_t addr, uint64_t size, uint64_t *first,
		 uint64_t *npages);

#endif /* PAGEBENCH_WL_READER_H */
