/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/reader.c - the trace reader framework: one bounded
 * window over the byte source, format detection over the registry, and
 * the dispatch to the format's descriptor (wl_reader.h).
 *
 * How it works: bytes come from wl_in (plain, zstd, gzip or xz) into one
 * bounded window (1 MiB + the longest allowed line).  Text formats are
 * parsed in place with hand-rolled hex/decimal loops (no sscanf, no
 * per-line allocation): after each refill the window is cut after its last
 * newline, so every line parsed in the hot loop is complete and the loop
 * needs no bounds check but the newline.  Each record becomes one or more
 * page "ranges" (a lackey access that crosses a page, an ARC .lis request of
 * n blocks, a block-I/O request of several pages), which are drained into
 * the caller's batch; so memory stays bounded whatever the trace size, and
 * a range longer than the stream's maxpages (a crafted size or count) is
 * an error naming the line, so time per line is bounded too.  Binary
 * formats are fixed-size records decoded in bulk.
 *
 * Errors never crash or resynchronise silently: an overlong line, a number
 * that overflows, an unrecognised record, a truncated binary record or a
 * compressed stream cut short stops the stream with one message
 * "FILE:LINE: what" (text) or "FILE: byte N: what" (binary).  Lines that a
 * format defines as ignorable (valgrind's ==pid== banners, LIRS `*`
 * breakpoints) are counted and reported by `trace info`.
 *
 * Formats: the field specs are in the traces' FORMATS.md (PAGEBENCH_TRACES).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pagebench/atomic.h"
#include "wl_reader.h"

int wl_terr(struct wl_trace *t, const char *fmt, ...)
{
	char raw[256], what[4 * sizeof(raw)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* a message may quote the input (a line that is no record of the
	 * format): its control and non-ASCII bytes as \xHH, so a binary file
	 * read as text does not write raw bytes to the terminal */
	size_t k = 0;
	for (const unsigned char *c = (const unsigned char *)raw; *c; c++)
		if (*c >= 0x20 && *c < 0x7f)
			what[k++] = (char)*c;
		else
			k += (size_t)snprintf(what + k, sizeof(what) - k, "\\x%02X", *c);
	what[k] = 0;
	if (t->fmt && t->fmt->kind != WL_KIND_TEXT)
		snprintf(t->err, WL_ERRLEN, "%s: %s %llu: %s", t->name, wl_in_byte_word(&t->in),
			 (unsigned long long)(t->boff + t->pos), what);
	else
		snprintf(t->err, WL_ERRLEN, "%s:%llu: %s", t->name, (unsigned long long)t->line + 1,
			 what);
	t->failed = 1;
	return -EINVAL;
}

int wl_push(struct wl_trace *t, uint8_t op, uint64_t addr, uint64_t n, uint64_t step, uint32_t asid)
{
	if (n > t->maxpages)
		return wl_terr(t,
			       "one record of %llu pages, more than maxpages=%llu (raise maxpages= "
			       "if the trace is right)",
			       (unsigned long long)n, (unsigned long long)t->maxpages);
	struct wl_range *r = &t->pend[t->npend++];
	memset(&r->a, 0, sizeof(r->a));
	r->a.addr = addr;
	r->a.op = op;
	r->a.asid = asid;
	r->n = n;
	r->step = step;
	return 0;
}

int wl_page_span(struct wl_trace *t, uint64_t addr, uint64_t size, uint64_t *first,
		 uint64_t *npages)
{
	if (size == 0)
		size = 1;
	if (addr + (size - 1) < addr)
		return wl_terr(t, "address range 0x%llx+%llu overflows 64 bits",
			       (unsigned long long)addr, (unsigned long long)size);
	uint64_t p0 = addr >> t->shift, p1 = (addr + size - 1) >> t->shift;
	*first = addr;
	*npages = p1 - p0 + 1;
	return 0;
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
		return wl_terr(t, "line longer than %u bytes (not a %s trace?)", WL_MAXLINE,
			       t->fmt->name);
	return 1;
}

/* Move pending ranges into out[k..n). */
static inline size_t drain_ranges(struct wl_trace *t, struct pb_access *out, size_t k, size_t n)
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

static ssize_t text_next(struct wl_trace *t, struct pb_access *out, size_t n)
{
	const struct wl_format *f = t->fmt;
	size_t k = drain_ranges(t, out, 0, n);
	while (k < n) {
		if (t->pos >= t->safe) {
			int rc = refill(t, 1);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				if (f->finish && t->npend == 0 && (rc = f->finish(t)))
					return rc;
				break;
			}
		}
		if (f->fast) {
			k += f->fast(t, out + k, n - k);
			if (k == n || t->pos >= t->safe)
				continue;
		}
		const char *p = t->buf + t->pos, *e = p;
		int rc = f->line(t, p, &e);
		if (rc)
			return rc;
		t->records += t->npend > 0;
		if ((size_t)(e - p) > WL_MAXLINE + 1)
			return wl_terr(t, "line longer than %u bytes", WL_MAXLINE);
		t->pos = (size_t)(e - t->buf);
		t->line++;
		k = drain_ranges(t, out, k, n);
	}
	return (ssize_t)k;
}

/*
 * backing=file: every page is a shared file mapping's; address space N > 0
 * (a csv namespace: another volume or host disk) is another file, whose
 * pages the engine must not take for those of volume 0 (its page cache is
 * keyed by page number alone, pagebench/pagekey.h): volume N is placed at
 * N << 40, so up to 256 volumes of 1 TiB fit the engine's 48-bit
 * addresses.  backing=anon: the sidecar's file-backed mappings.
 */
#define WL_VOL_SHIFT 40
static int apply_backing(struct wl_trace *t, struct pb_access *buf, size_t n)
{
	if (t->backing_done)
		return 0;
	if (t->backing == WL_BACKING_file) {
		for (size_t i = 0; i < n; i++) {
			struct pb_access *a = &buf[i];
			a->flags =
			    (uint16_t)((a->flags & ~PB_ACC_COW) | PB_ACC_FILE | PB_ACC_SHARED);
			if (!a->asid)
				continue;
			if (a->asid >= 256 || a->addr >> WL_VOL_SHIFT)
				return wl_terr(t,
					       "backing=file: address space %u at byte %#llx does "
					       "not fit (256 files of 1 TiB); use backing=anon",
					       a->asid, (unsigned long long)a->addr);
			a->addr |= (uint64_t)a->asid << WL_VOL_SHIFT;
		}
	} else if (t->maps) {
		for (size_t i = 0; i < n; i++)
			buf[i].flags |= wl_maps_flags(t->maps, buf[i].addr);
	}
	return 0;
}

/*
 * Binary records of a plain (uncompressed) regular file are decoded straight
 * from a read-only mapping of the file instead of read(2) into the window:
 * no copy of every byte through the kernel and the window.  The mapping
 * takes over at the first unconsumed byte (the window's bytes are the same
 * file's), so positions and messages ("FILE: byte N") are unchanged.  Pages
 * consumed are dropped from the mapping every WL_MAP_DROP bytes
 * (MADV_DONTNEED: they stay in the page cache), so the resident set stays
 * bounded whatever the trace size.  Anything unusual (a pipe, a
 * compressed stream, a file that fits the window, a failed mmap, a SIGBUS
 * handler not ours) keeps the window.
 *
 * A file that another process truncates while it is replayed: touching a
 * mapped page wholly past the new end raises SIGBUS, which would end the
 * process.  So the decoding of mapped records is guarded: one SIGBUS
 * handler for the process (installed once, SA_SIGINFO, chaining to the
 * handler it replaced) and, per thread, a pointer to the guard of the
 * mapping that thread is decoding (bounds and a sigjmp_buf), set only
 * around ->records() over the mapping, once per bin_next call.  A SIGBUS
 * the kernel raises for an address inside that range jumps back to
 * bin_next, which fstat()s the file and fails the stream with "FILE: byte
 * N: the file shrank while it was read (now M bytes)" (-EIO: the input
 * changed under the run, exit code 1).  Any other SIGBUS (another thread's,
 * an address elsewhere, one sent by kill) goes to the previous handler
 * (ASan's, libFuzzer's) or, where that was the default, crashes as before.
 * Why this is sound:
 *  - only ->records() and the file's hash (wl_in_hash, after each chunk:
 *    loads, and stores to the hash state, which a failed stream never
 *    uses) read the mapping; ->records() only loads and stores to the
 *    output (no lock, no allocation, no libc call that could be left
 *    half done); a format error's wl_terr (snprintf) runs after its last
 *    load.  Positions (t->pos, t->records) are committed after each chunk
 *    and ordered before the next chunk's loads by a signal fence, so after
 *    the jump they name the chunk that faulted; the accesses of that chunk
 *    are not delivered.
 *  - the jump target is armed per thread (_Thread_local) and disarmed
 *    before bin_next returns, and the handler disarms it before it jumps,
 *    so no jump lands in a dead frame.  pbt (the one reader that decodes
 *    on several threads) reads through read(2), never the mapping.
 *  - sigsetjmp(.., 0) saves no signal mask (no syscall per call); the
 *    handler is installed with SA_NODEFER and an empty sa_mask, so the
 *    mask is the same inside it as where the fault happened, and the jump
 *    leaves it as it was.  The arming and the decoding loop sit in
 *    separate functions so that the loop is compiled without sigsetjmp's
 *    constraints (returns_twice).
 *  - a truncation to a size inside a page makes the rest of that page read
 *    as zeros, not SIGBUS: so at the end of the mapping and at every
 *    WL_MAP_DROP step the file's size is checked again (fstat), and a file
 *    that shrank fails the stream there.  Zeros of that last page may have
 *    been delivered before the error, but the stream fails, never ends
 *    cleanly short.  A file rewritten in place (same size or longer) is
 *    not detected; no reader of a file that changes under it can be.
 */
#define WL_MAP_DROP (2u << 20)
/* Records decoded a chunk at a time, so a second pass over the accesses (a
 * sidecar's flags) stays in the first-level cache. */
#define WL_BIN_CHUNK 2048u

struct wl_map_guard {
	const char *lo, *hi; /* the mapping being decoded */
	const char *volatile fault;
	sigjmp_buf env;
};
/* This thread's armed guard (NULL: not decoding a mapping). */
static _Thread_local struct wl_map_guard *wl_guard;
static struct sigaction wl_bus_prev;
static int wl_bus_ok;
static pthread_once_t wl_bus_once = PTHREAD_ONCE_INIT;

static void wl_bus_handler(int sig, siginfo_t *si, void *uc)
{
	struct wl_map_guard *g = wl_guard;
	const char *a = si->si_addr;
	/* si_code > 0: raised by the kernel for a fault (kill()'s carries a
	 * pid where si_addr would be) */
	if (g && si->si_code > 0 && a >= g->lo && a < g->hi) {
		wl_guard = NULL;
		g->fault = a;
		siglongjmp(g->env, 1);
	}
	if (wl_bus_prev.sa_flags & SA_SIGINFO) {
		wl_bus_prev.sa_sigaction(sig, si, uc);
	} else if (wl_bus_prev.sa_handler != SIG_DFL && wl_bus_prev.sa_handler != SIG_IGN) {
		wl_bus_prev.sa_handler(sig);
	} else if (si->si_code <= 0 && wl_bus_prev.sa_handler == SIG_IGN) {
		return; /* a sent SIGBUS that was ignored before */
	} else {
		/* the default: die by SIGBUS.  A fault repeats when this returns;
		 * a sent signal is raised again. */
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
		if (si->si_code <= 0)
			raise(sig);
	}
}

static void wl_bus_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = wl_bus_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	/* the previous action is stored before ours can run */
	if (sigaction(SIGBUS, NULL, &wl_bus_prev) || sigaction(SIGBUS, &sa, NULL))
		return;
	wl_bus_ok = 1;
}

/* Is the SIGBUS handler installed and still ours (nobody replaced it)? */
static int wl_bus_guarded(void)
{
	struct sigaction cur;
	if (pthread_once(&wl_bus_once, wl_bus_install) || !wl_bus_ok ||
	    sigaction(SIGBUS, NULL, &cur))
		return 0;
	return (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == wl_bus_handler;
}

static void bin_map(struct wl_trace *t)
{
	t->map_tried = 1;
	struct stat st;
	if (t->in.codec != &wl_codec_none || !t->in.own_fd || t->eof || fstat(t->in.fd, &st) ||
	    !S_ISREG(st.st_mode))
		return;
	uint64_t at = t->boff + t->pos, size = (uint64_t)st.st_size;
	if (size > SIZE_MAX || size <= t->boff + t->len)
		return; /* all in the window (or it shrank: keep reading) */
	if (!wl_bus_guarded())
		return;
	void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, t->in.fd, 0);
	if (p == MAP_FAILED)
		return;
	(void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
	t->map = p;
	t->map_len = (size_t)size;
	t->map_dropped = 0;
	t->boff = 0;
	t->pos = (size_t)at;
	t->len = (size_t)size;
	t->eof = 1;
}

/* The mapped file is shorter than the mapping: fail the stream at pos. */
static int bin_map_shrank(struct wl_trace *t)
{
	struct stat st;
	if (fstat(t->in.fd, &st)) {
		int e = errno;
		wl_terr(t, "the file could not be read while mapped (fstat: %s)", strerror(e));
		return -e;
	}
	if ((uint64_t)st.st_size < t->map_len)
		wl_terr(t, "the file shrank while it was read (now %llu bytes)",
			(unsigned long long)st.st_size);
	else
		wl_terr(t, "the mapped file could not be read (SIGBUS: an I/O error?)");
	return -EIO;
}

/* Check the size (see above) and drop the mapping's pages before pos
 * (whole WL_MAP_DROP steps). */
static int bin_map_step(struct wl_trace *t)
{
	size_t upto = t->pos / WL_MAP_DROP * WL_MAP_DROP;
	if (upto <= t->map_dropped && t->pos < t->len)
		return 0;
	struct stat st;
	if (fstat(t->in.fd, &st) || (uint64_t)st.st_size < t->map_len)
		return bin_map_shrank(t);
	if (upto > t->map_dropped) {
		(void)madvise((char *)t->map + t->map_dropped, upto - t->map_dropped,
			      MADV_DONTNEED);
		t->map_dropped = upto;
	}
	return 0;
}

/* Decode up to n records from buf (the window or the mapping) into out. */
static ssize_t bin_decode(struct wl_trace *t, const char *buf, struct pb_access *out, size_t n)
{
	size_t k = 0;
	size_t rs = t->recsz;
	while (k < n) {
		if (t->len - t->pos < rs) {
			if (t->eof) {
				if (t->len > t->pos)
					return wl_terr(t,
						       "truncated record: %zu bytes left, one %s "
						       "record is %zu bytes",
						       t->len - t->pos, t->fmt->name, rs);
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
		if (avail > WL_BIN_CHUNK)
			avail = WL_BIN_CHUNK;
		/* each record written whole from t->rec, backing=file's flags
		 * included (asid 0: no volume to place): no zeroing pass, and a
		 * second pass only for a sidecar's maps */
		int rc = t->fmt->records(t, buf + t->pos, avail, out + k, k);
		if (!rc && t->maps)
			rc = apply_backing(t, out + k, avail);
		if (rc)
			return rc;
		if (buf == t->map) /* the window's bytes were hashed as read */
			wl_in_hash(&t->in, t->map, 0, t->pos + avail * rs);
		t->pos += avail * rs;
		t->records += avail;
		k += avail;
		/* committed before the next chunk's loads may fault */
		__atomic_signal_fence(PB_SEQ_CST);
	}
	return (ssize_t)k;
}

/* bin_decode over the mapping, with this thread's guard armed. */
static __attribute__((noinline)) ssize_t bin_decode_map(struct wl_trace *t, struct pb_access *out,
							size_t n)
{
	struct wl_map_guard g;
	g.lo = t->map;
	g.hi = t->map + t->map_len;
	g.fault = NULL;
	if (sigsetjmp(g.env, 0)) {
		/* the handler disarmed the guard; the chunk at t->pos faulted */
		size_t off = (size_t)(g.fault - t->map);
		if (off > t->pos)
			t->pos += (off - t->pos) / t->recsz * t->recsz;
		return bin_map_shrank(t);
	}
	wl_guard = &g;
	__atomic_signal_fence(PB_SEQ_CST);
	ssize_t r = bin_decode(t, t->map, out, n);
	__atomic_signal_fence(PB_SEQ_CST);
	wl_guard = NULL;
	return r;
}

static ssize_t bin_next(struct wl_trace *t, struct pb_access *out, size_t n)
{
	if (!t->map_tried)
		bin_map(t);
	if (t->fmt->has_next && t->onext_cap < n) {
		free(t->onext);
		t->onext = malloc(n * sizeof(*t->onext));
		t->onext_cap = t->onext ? n : 0;
		if (!t->onext)
			return -ENOMEM;
	}
	if (!t->map)
		return bin_decode(t, t->buf, out, n);
	ssize_t r = bin_decode_map(t, out, n);
	if (r >= 0) {
		int rc = bin_map_step(t);
		if (rc)
			return rc;
	}
	return r;
}

ssize_t wl_trace_read_raw(void *ctx, void *buf, size_t n)
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

/* ---- detection over the registry ---- */
/* How many of the bytes p[0..n) are text: well-formed UTF-8 (ASCII
 * included: a comment with a dash or an accent is still a text trace)
 * without NUL, DEL or a control byte other than tab, CR, LF and FF.
 * Returns n when all are, else the offset of the first byte that is not
 * (the lead byte of a bad sequence).  A sequence cut by the end of the
 * sample counts as text when the file goes on (the rest of it is beyond
 * what was looked at), not when the sample is the whole file (eof): a file
 * that ends inside a sequence is not well-formed UTF-8. */
static size_t text_prefix(const char *p, size_t n, int eof)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ||
			    c == 0x7f)
				return i;
			i++;
			continue;
		}
		/* the continuation bytes, and the range of the first of them that
		 * rules out overlong forms, surrogates and code points past
		 * U+10FFFF (RFC 3629's table) */
		if (c < 0xc2 || c > 0xf4)
			return i; /* a stray continuation, an overlong lead, past U+10FFFF */
		size_t more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		for (size_t k = 1; k <= more; k++) {
			if (i + k >= n)
				return eof ? i : n; /* cut by the file's, the sample's end */
			unsigned char d = (unsigned char)p[i + k];
			if (k == 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf)
				return i;
		}
		i += more + 1;
	}
	return n;
}

/* "a|b|c" of the binary formats, for the message */
static void binary_names(char *b, size_t bl)
{
	b[0] = 0;
	for (unsigned i = 0; i < wl_nformats; i++) {
		if (wl_formats[i]->kind == WL_KIND_TEXT)
			continue;
		size_t l = strlen(b);
		snprintf(b + l, bl - l, "%s%s", l ? "|" : "", wl_formats[i]->name);
	}
}

/*
 * A UTF-8 byte-order mark (EF BB BF) at the very start of a text trace (an
 * editor's, a Windows tool's) is no part of its first line, which would
 * else be mis-parsed or skipped (and mislead detection): drop it from the
 * window; boff keeps byte offsets the file's.  Only at the file's offset
 * 0: the window has not moved (boff 0, nothing consumed).
 */
static void skip_bom(struct wl_trace *t)
{
	if (t->boff || t->pos || t->len < 3 || memcmp(t->buf, "\xef\xbb\xbf", 3))
		return;
	memmove(t->buf, t->buf + 3, t->len - 3);
	t->len -= 3;
	t->boff = 3;
	t->buf[t->len] = 0;
}

/*
 * A recorded trace's mappings sidecar (TRACE.maps, trace_maps.c) given as
 * the trace: its first line that is not a '#' comment or blank is a line
 * of /proc/PID/maps, which no trace format has.  Said so, with the trace
 * to give instead (it read as a csv whose layout was not recognised).
 * 1 with the message in t->err, else 0.
 */
static int maps_sidecar(struct wl_trace *t, const char *p, const char *end)
{
	uint64_t line = 1;
	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		const char *w = wl_skip_ws(p);
		if (w < nl && *w != '#')
			break;
		p = nl + 1;
	}
	if (p >= end || !wl_maps_is_line(p))
		return 0;
	size_t n = strlen(t->name);
	int suffix = n > 5 && !strcmp(t->name + n - 5, ".maps");
	snprintf(t->err, WL_ERRLEN,
		 "%s:%llu: a recorded trace's mappings sidecar (lines of /proc/PID/maps, written "
		 "by trace record beside its trace), not a trace: give the trace %s%.*s%s",
		 t->name, (unsigned long long)line, suffix ? "'" : "it belongs to",
		 suffix ? (int)(n - 5) : 0, t->name, suffix ? "'" : "");
	return 1;
}

/* The bytes detection looks at: the first 4 KiB */
#define WL_DETECT_WIN 4096u

static int detect(struct wl_trace *t, const char *hint)
{
	/* One read may stop short of the sample (a pipe, a codec): read on
	 * until the window holds more than the sample or the file ends, so
	 * that the sample is the same however the bytes came, and a file
	 * shorter than it is known to end there. */
	while (!t->eof && t->len <= WL_DETECT_WIN) {
		int r = refill(t, 0);
		if (r < 0)
			return r;
	}
	size_t n = t->len < WL_DETECT_WIN ? t->len : WL_DETECT_WIN;
	const char *p = t->buf;
	const struct wl_format *best = NULL;
	int score = 0;
	for (unsigned i = 0; i < wl_nformats; i++) {
		int s = wl_formats[i]->detect_magic ? wl_formats[i]->detect_magic(p, t->len) : 0;
		if (s > score) {
			score = s;
			best = wl_formats[i];
		}
	}
	if (best) {
		t->fmt = best;
		return 0;
	}
	size_t text = text_prefix(p, n, t->len <= WL_DETECT_WIN);
	if (text < n) {
		for (unsigned i = 0; hint && i < wl_nformats; i++)
			if (wl_formats[i]->suffix && strstr(hint, wl_formats[i]->suffix)) {
				t->fmt = wl_formats[i];
				return 0;
			}
		char names[128];
		binary_names(names, sizeof(names));
		snprintf(t->err, WL_ERRLEN,
			 "%s: %s %zu: binary data of unknown format (give format=%s)", t->name,
			 wl_in_byte_word(&t->in), text, names);
		return -EINVAL;
	}
	skip_bom(t); /* text: the first line starts after it */
	const char *end = p + t->len;
	if (maps_sidecar(t, p, end))
		return -EINVAL;
	/* the first line that is not a banner or blank decides */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (p[0] == '=' || p[0] == '-' || wl_skip_ws(p) >= nl) {
			p = nl + 1;
			continue;
		}
		for (unsigned i = 0; i < wl_nformats; i++) {
			int s = wl_formats[i]->detect_line ? wl_formats[i]->detect_line(p, nl) : 0;
			if (s > score) {
				score = s;
				best = wl_formats[i];
			}
		}
		for (unsigned i = 0; i < wl_nformats; i++) {
			int s = wl_formats[i]->detect_text ? wl_formats[i]->detect_text(p, end) : 0;
			if (s > score) {
				score = s;
				best = wl_formats[i];
			}
		}
		break;
	}
	if (!best && t->len == 0) {
		snprintf(t->err, WL_ERRLEN, "%s: %s 0: empty file (no format to detect)", t->name,
			 wl_in_byte_word(&t->in));
		return -EINVAL;
	}
	t->fmt = best ? best : wl_format_find("text");
	t->det_line = p < end ? p : NULL;
	return 0;
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
	t->page_given = o->page_given;
	t->fmt = o->fmt;
	t->no_ifetch = o->no_ifetch;
	t->maxpages = o->maxpages ? o->maxpages : WL_MAXPAGES_DEFAULT;
	t->csv = o->csv;
	t->csv_first = 1;
	t->backing = (enum wl_backing)o->backing;
	int rc = wl_in_open(&t->in, o->path, o->fd, t->err, WL_ERRLEN);
	if (!rc) {
		int r = refill(t, 0);
		rc = r < 0 ? r : 0;
	}
	if (!rc && !t->fmt)
		rc = detect(t, o->path);
	if (!rc && t->fmt->kind == WL_KIND_TEXT)
		skip_bom(t); /* format= given (detect has done it) */
	if (!rc && t->fmt->open)
		rc = t->fmt->open(t);
	if (!rc && !t->recsz)
		t->recsz = t->fmt->recsz;
	if (!rc && t->fmt->kind == WL_KIND_TEXT)
		t->safe = 0; /* text: the first refill cuts at a line end */
	if (!rc && t->len == 0 && t->fmt->kind != WL_KIND_STREAM) {
		snprintf(t->err, WL_ERRLEN, "%s: %s 0: empty file", t->name,
			 wl_in_byte_word(&t->in));
		rc = -EINVAL;
	}
	if (!rc && !t->backing)
		t->backing = wl_format_backing(t->fmt);
	if (!rc && t->backing == WL_BACKING_file)
		t->rec.flags = PB_ACC_FILE | PB_ACC_SHARED; /* apply_backing's, for binary */
	if (!rc && t->backing == WL_BACKING_anon && o->path && o->fd < 0) {
		/* a recorded trace's mappings, beside it (trace record) */
		char mp[4200];
		snprintf(mp, sizeof(mp), "%s.maps", o->path);
		int r = wl_maps_load(mp, &t->maps, t->err, WL_ERRLEN);
		rc = r < 0 ? r : 0;
	}
	if (rc) {
		snprintf(err, errlen, "%s", t->err[0] ? t->err : strerror(-rc));
		wl_trace_close(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ifetch=0 for formats that do not drop fetches themselves. */
static size_t drop_fetches(struct wl_trace *t, struct pb_access *buf, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i].op == PB_OP_FETCH)
			continue;
		if (t->fmt->has_next)
			t->onext[k] = t->onext[i];
		buf[k++] = buf[i];
	}
	return k;
}

ssize_t wl_trace_next(struct wl_trace *t, struct pb_access *buf, size_t n)
{
	if (t->failed)
		return -EINVAL;
	ssize_t r;
	const struct wl_format *f = t->fmt;
	for (;;) {
		if (f->kind == WL_KIND_TEXT)
			r = text_next(t, buf, n);
		else if (f->kind == WL_KIND_BINARY)
			r = bin_next(t, buf, n);
		else
			r = f->next(t, buf, n);
		if (r <= 0 || !t->no_ifetch || f->own_ifetch)
			break;
		r = (ssize_t)drop_fetches(t, buf, (size_t)r);
		if (r > 0)
			break;
	}
	if (r > 0 && f->kind != WL_KIND_BINARY) { /* binary: bin_next applied it */
		int rc = apply_backing(t, buf, (size_t)r);
		if (rc)
			r = rc;
	}
	if (r < 0) {
		t->failed = 1;
		if (!t->err[0])
			snprintf(t->err, WL_ERRLEN, "%s: %s", t->name, strerror((int)-r));
	} else {
		t->refs += (uint64_t)r;
	}
	return r;
}

const int64_t *wl_trace_oracle_next(const struct wl_trace *t)
{
	return t->fmt->has_next ? t->onext : NULL;
}

const char *wl_trace_error(const struct wl_trace *t)
{
	return t->err;
}

double wl_trace_fraction(const struct wl_trace *t)
{
	const struct wl_in *in = &t->in;
	if (!in->size)
		return -1;
	/* The file's bytes behind the records parsed, not those read ahead
	 * into the window (1 MiB: of a compressed trace, the compressed bytes
	 * of 1 MiB decompressed said 13% at the first progress line).  The
	 * parse position: the mapping's, or the window's (boff + pos, in the
	 * decompressed stream; a stream format reads past the window, so
	 * what it was handed); of a compressed trace, the compressed bytes
	 * the decoder took for it (wl_in_source_offset). */
	uint64_t at;
	if (t->map)
		at = t->pos;
	else if (t->fmt && t->fmt->kind == WL_KIND_STREAM)
		at = wl_in_source_offset(in, in->out_off - (t->len - t->pos));
	else
		at = wl_in_source_offset(in, t->boff + t->pos);
	return at >= in->size ? 1.0 : (double)at / (double)in->size;
}

const struct wl_format *wl_trace_format(const struct wl_trace *t)
{
	return t->fmt;
}

const char *wl_trace_codec(const struct wl_trace *t)
{
	return t->in.codec ? t->in.codec->name : "none";
}

void wl_trace_pbt_blocks(const struct wl_trace *t, uint64_t blocks[2])
{
	blocks[0] = blocks[1] = 0;
	if (t->pbt)
		wl_pbt_blocks(t->pbt, blocks);
}

unsigned wl_trace_shift(const struct wl_trace *t)
{
	return t->shift;
}

uint64_t wl_trace_records(const struct wl_trace *t)
{
	return t->records;
}

enum wl_backing wl_trace_backing(const struct wl_trace *t)
{
	return t->backing;
}

int wl_trace_file_hash(const struct wl_trace *t, uint64_t *hash, uint64_t *size)
{
	struct stat st;
	/* every byte the file holds now was read and hashed (a file rewritten
	 * in place while it was read cannot be told, as for any reader) */
	if (!t->in.own_fd || fstat(t->in.fd, &st) || !S_ISREG(st.st_mode) ||
	    t->in.hashed != (uint64_t)st.st_size)
		return 0;
	*hash = XXH64_digest(&t->in.hash);
	*size = t->in.hashed;
	return 1;
}

uint64_t wl_trace_skipped(const struct wl_trace *t)
{
	return t->skipped;
}

uint64_t wl_trace_skipped_unknown(const struct wl_trace *t, uint64_t *first)
{
	*first = t->first_unknown; /* 0 while none */
	return t->unknown;
}

void wl_trace_close(struct wl_trace *t)
{
	if (!t)
		return;
	if (t->fmt && t->fmt->close)
		t->fmt->close(t);
	if (t->map)
		munmap((void *)t->map, t->map_len);
	wl_in_close(&t->in);
	wl_maps_free(t->maps);
	free(t->onext);
	free(t->buf);
	free(t->err);
	free(t);
}
