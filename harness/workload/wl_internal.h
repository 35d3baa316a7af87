/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/wl_internal.h - private to the workload module: the
 * byte source (plain or compressed file / pipe), the trace readers, the
 * generators and the page set used by `trace info`.
 */
#ifndef PAGEBENCH_WORKLOAD_INTERNAL_H
#define PAGEBENCH_WORKLOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XXH_STATIC_LINKING_ONLY /* XXH64_state_t in struct wl_in */
#include <xxhash.h>

#include "pagebench/hmap.h"
#include "pagebench/kernel.h"
#include "pagebench/pagekey.h"
#include "pagebench/workload.h"

#define WL_ERRLEN PB_KERNEL_ERRLEN /* a whole path and its reason */

/* ---- byte source: a file or fd, decompressed on the fly (input.c) ---- */
struct wl_in;

/*
 * A compression codec (codec_*.c), recognised by its magic number.  Each
 * codec file is the only place that tests its PB_HAVE_*: without the
 * library, init is NULL and the magic is still recognised and reported
 * ("built without zstd").  The table is in input.c.
 */
struct wl_codec {
	const char *name;
	const char *magic;
	size_t magic_len;
	int (*init)(struct wl_in *in); /* NULL: not in this build */
	ssize_t (*read)(struct wl_in *in, void *buf, size_t n);
	void (*fini)(struct wl_in *in);
};
extern const struct wl_codec wl_codec_none, wl_codec_zstd, wl_codec_gzip, wl_codec_xz;

#define WL_IN_MARKS 16

struct wl_in {
	int fd;
	int own_fd;
	const char *name; /* for messages (file path or "<pipe>") */
	const struct wl_codec *codec;
	void *dec;     /* decompressor state */
	uint8_t *cbuf; /* compressed input */
	size_t ccap, cpos, clen;
	int ceof;	  /* no more compressed bytes */
	int frame_open;	  /* a compressed frame/stream started but not ended */
	uint64_t out_off; /* decompressed bytes delivered so far */
	uint64_t raw_off; /* bytes read from fd so far */
	/* after each of the last WL_IN_MARKS codec reads: decompressed bytes
	 * delivered and compressed bytes the decoder had taken by then
	 * (wl_in_source_offset) */
	struct {
		uint64_t out, in;
	} marks[WL_IN_MARKS];
	unsigned nmarks;    /* marks made (the newest at (nmarks - 1) % WL_IN_MARKS) */
	uint64_t size;	    /* the file's size if a regular file, else 0 */
	XXH64_state_t hash; /* libxxhash: of the file's first `hashed` bytes */
	uint64_t hashed;    /* bytes read so far (raw reads, a mapping's records) */
	char *err;	    /* caller's buffer */
	size_t errlen;
};

/* Opens path (or uses fd >= 0 with name), detects compression by magic.
 * Errors: -errno of open/read (ENOENT, EACCES, EIO, ...), -EISDIR (a
 * directory), -EINVAL (bad data, a FIFO), -ENOTSUP (codec not in this
 * build); message in err. */
int wl_in_open(struct wl_in *in, const char *path, int fd, char *err, size_t errlen);
/* Reads up to n decompressed bytes; 0 at a clean end, -errno on error:
 * an I/O failure keeps read(2)'s errno, a corrupt or cut short compressed
 * stream is -EINVAL. */
ssize_t wl_in_read(struct wl_in *in, void *buf, size_t n);
/* Of a compressed stream, about how many of the file's bytes the decoder
 * took to deliver the first `out` decompressed bytes (between two reads:
 * in proportion); of a plain one, out.  For progress (wl_trace_fraction):
 * the compressed bytes behind the records parsed, not those read ahead. */
uint64_t wl_in_source_offset(const struct wl_in *in, uint64_t out);
/* "byte" for a plain stream, "decompressed byte" for a compressed one: the
 * word before an offset in a message, which counts decompressed bytes. */
const char *wl_in_byte_word(const struct wl_in *in);
void wl_in_close(struct wl_in *in);
/* For codecs: refill the compressed buffer when it is empty; the two
 * error messages ("decompressed byte N: ... cut short at compressed byte
 * M", "corrupt ... stream"), done: the bytes the failing read had
 * decompressed (N counts them: it said 0 for a cut in the first MiB). */
int wl_in_cfill(struct wl_in *in);
int wl_in_truncated(struct wl_in *in, size_t done);
int wl_in_corrupt(struct wl_in *in, const char *what, size_t done);
/* Feed the file's bytes [from, to) at `bytes` into in->hash, those not fed
 * yet (the file is read in order: raw reads, then a mapping's records). */
void wl_in_hash(struct wl_in *in, const void *bytes, uint64_t from, uint64_t to);

/* ---- trace formats: the registry (formats.c, formats.def) ---- */
struct wl_format;
/* By name or alias; NULL if none. */
const struct wl_format *wl_format_find(const char *name);
/* The i-th registered format (0-based), NULL past the end. */
const struct wl_format *wl_format_at(unsigned i);
const char *wl_format_name(const struct wl_format *f); /* NULL: "auto" */
const char *wl_format_summary(const struct wl_format *f);
const char *const *wl_format_aliases(const struct wl_format *f); /* NULL-terminated or NULL */
/* What a trace's pages are (the backing= spec parameter; the names are
 * those of formats.def's BACKING column): anonymous memory, or a shared
 * file mapping (every access PB_ACC_FILE | PB_ACC_SHARED). */
enum wl_backing { WL_BACKING_anon = 1, WL_BACKING_file = 2 };
/* The format's default (formats.def): file for block-I/O traces. */
enum wl_backing wl_format_backing(const struct wl_format *f);

/* CSV column map (1-based columns; 0 = absent). */
struct wl_csv_map {
	unsigned off_col, size_col, op_col, ns1_col, ns2_col;
	unsigned unit;	    /* bytes per offset unit: 1 (bytes) or 512 (sectors) */
	unsigned size_unit; /* bytes per size unit */
	int header;	    /* 1: skip the first line; -1: auto */
	int preset;	    /* 0 custom, 1 msr, 2 spc */
};

/* Default bound on the pages one trace record may expand to (256 MiB of
 * 4 KiB pages); the `maxpages=` spec parameter. */
#define WL_MAXPAGES_DEFAULT 65536

struct wl_trace_opts {
	const char *path;
	int fd;			     /* >= 0: read this fd instead of opening path */
	const struct wl_format *fmt; /* NULL: detect */
	unsigned page_shift;
	/* page= was named: a format whose file records its page size (pbt)
	 * refuses another, rather than replacing it silently */
	int page_given;
	int no_ifetch;	   /* drop instruction fetches */
	uint64_t maxpages; /* 0: WL_MAXPAGES_DEFAULT */
	struct wl_csv_map csv;
	int csv_given;
	/* enum wl_backing, 0: the format's default (formats.def).  file: every
	 * access is PB_ACC_FILE | PB_ACC_SHARED, and address space N > 0 (a
	 * csv namespace: another volume) reads its own file, placed at N << 40
	 * (wl_trace_backing_fold).  anon: the trace's own flags, plus those of
	 * a PATH.maps sidecar when one lies beside a trace read from path. */
	int backing;
};

struct wl_trace;
int wl_trace_open(const struct wl_trace_opts *o, struct wl_trace **out, char *err, size_t errlen);
ssize_t wl_trace_next(struct wl_trace *t, struct pb_access *buf, size_t n);
/* For oracle traces: next_access field of the records last returned, one
 * per access (NULL for other formats). */
const int64_t *wl_trace_oracle_next(const struct wl_trace *t);
const char *wl_trace_error(const struct wl_trace *t);
/* How much of the file the stream has read, 0..1; < 0 when not known (a
 * pipe, an empty file).  Compressed: of the compressed bytes. */
double wl_trace_fraction(const struct wl_trace *t);
const struct wl_format *wl_trace_format(const struct wl_trace *t);
const char *wl_trace_codec(const struct wl_trace *t);
/* A pbt trace's blocks read so far, by codec (wl_pbt_blocks); both 0 for
 * other formats. */
void wl_trace_pbt_blocks(const struct wl_trace *t, uint64_t blocks[2]);
/* 1 with *hash the XXH64 of the whole file and *size its bytes when the
 * stream has read (and hashed) every byte of its file; 0 otherwise (not
 * yet, a pipe, a file that grew or shrank meanwhile). */
int wl_trace_file_hash(const struct wl_trace *t, uint64_t *hash, uint64_t *size);
/* Lines / records skipped (non-numeric lines in text, banners in lackey). */
uint64_t wl_trace_skipped(const struct wl_trace *t);
/* Of those, the lines the format did not recognise (text's other than
 * '*'), the first at line *first (1-based; 0 when none). */
uint64_t wl_trace_skipped_unknown(const struct wl_trace *t, uint64_t *first);
unsigned wl_trace_shift(const struct wl_trace *t);
/* Records parsed that produced references (lines, binary records). */
uint64_t wl_trace_records(const struct wl_trace *t);
/* The effective backing (the option or the format's default). */
enum wl_backing wl_trace_backing(const struct wl_trace *t);

/* ---- the mappings sidecar TRACE.maps (trace_maps.c, docs/workloads.md) ---- */
struct wl_maps;
/* Loads path (lines of /proc/PID/maps; '#' comments).  0 and *out, 1 when
 * there is no such file (*out NULL), or -errno with "FILE:LINE: what". */
int wl_maps_load(const char *path, struct wl_maps **out, char *err, size_t errlen);
/* PB_ACC_* flags of the file-backed mapping holding addr, 0 if none:
 * PB_ACC_FILE for a private file mapping (text, data), PB_ACC_FILE |
 * PB_ACC_SHARED for a shared one. */
uint16_t wl_maps_flags(const struct wl_maps *m, uint64_t addr);
void wl_maps_free(struct wl_maps *m);
/* 1 when the line at s (ended by '\n' or NUL) is a maps line, START-END
 * PERMS OFFSET DEV INODE [PATH]: a sidecar given where a trace belongs. */
int wl_maps_is_line(const char *s);
void wl_trace_close(struct wl_trace *t);

/* The stream's trace reader, for the trace library (workload.c). */
const char *wl_workload_format(const struct pb_workload *w); /* "generator" for those */
const char *wl_workload_codec(const struct pb_workload *w);
void wl_workload_pbt_blocks(const struct pb_workload *w, uint64_t blocks[2]);
uint64_t wl_workload_records(const struct pb_workload *w);
uint64_t wl_workload_skipped(const struct pb_workload *w);
/* A trace's effective backing (wl_trace_backing); 0 for a generator. */
enum wl_backing wl_workload_backing(const struct pb_workload *w);

/* pbt (pbt.c) */
struct wl_pbt_reader;
typedef ssize_t (*wl_read_fn)(void *ctx, void *buf, size_t n);
/* Reads a pbt stream through rd (the magic not yet consumed); *backing: the
 * header's enum wl_backing of the source, 0 when not recorded.  byte_word
 * names the offsets of its errors ("byte", or "decompressed byte" where
 * rd decompresses a whole-file .zst/.gz/.xz: wl_in_byte_word). */
int wl_pbt_open(wl_read_fn rd, void *ctx, const char *name, const char *byte_word,
		struct wl_pbt_reader **out, unsigned *page_shift, unsigned *backing, char *err,
		size_t errlen);
const char *wl_pbt_error(const struct wl_pbt_reader *r);
ssize_t wl_pbt_next(struct wl_pbt_reader *r, struct pb_access *buf, size_t n);
/* The blocks read so far, by codec: [0] stored as is, [1] zstd. */
void wl_pbt_blocks(const struct wl_pbt_reader *r, uint64_t blocks[2]);
void wl_pbt_close(struct wl_pbt_reader *r);
/* Records in the header the backing= the source was read with (its flags
 * and volume placement are in the records already); 0: not recorded. */
struct pb_pbt_writer;
void wl_pbt_set_backing(struct pb_pbt_writer *w, enum wl_backing backing);
#define WL_PBT_MAGIC "PBTRACE"

/*
 * Page key as in pb_workload_load_keys: pb_page_key with no region flags,
 * (asid << 48) | page number.  A trace's pages are named per address
 * space; the engine's sharing of file and shared pages across asids
 * (pb_vm_key, the flags) is not applied here, so `trace info` and the
 * loaded keys count what the trace names (docs/workloads.md, "Page keys").
 */
static inline uint64_t wl_key(const struct pb_access *a, unsigned shift)
{
	return pb_page_key(a->asid, a->addr >> shift, 0);
}

/* ---- generators with their own stream and regions (gen_exec.c) ---- */
/* exec's parameters (its pb_param table p_exec is in workload.c, with the
 * other generators'); the common ones are copied in at open. */
struct wl_exec_cfg {
	uint64_t text, data, bss, heap, stack, libs, libtext, kernel;
	double fetch, sys, bad;
	uint64_t thp; /* 1: the heap is madvise(MADV_HUGEPAGE)d (PB_ACC_THP) */
	/* filled at open */
	uint64_t refs, seed, procs, quantum;
	double write;
	unsigned shift, tid, nthreads;
};
/* A generator that writes whole accesses itself and may describe the
 * regions of its address spaces (gens[].ops in workload.c). */
struct wl_gen_ops {
	int (*open)(const struct wl_exec_cfg *c, void **state, char *err, size_t errlen);
	ssize_t (*next)(void *state, struct pb_access *buf, size_t n);
	void (*regions)(const void *state, const struct pb_vma **v, size_t *n);
	void (*close)(void *state);
};
extern const struct wl_gen_ops wl_gen_exec;

#endif
