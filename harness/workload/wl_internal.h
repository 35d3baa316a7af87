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

#include "pagebench/workload.h"

#define WL_ERRLEN 512

/* ---- byte source: a file or fd, decompressed on the fly (input.c) ---- */
enum wl_comp { WL_COMP_NONE, WL_COMP_ZSTD, WL_COMP_GZIP, WL_COMP_XZ };

struct wl_in {
	int fd;
	int own_fd;
	const char *name; /* for messages (file path or "<pipe>") */
	enum wl_comp comp;
	void *dec;         /* decompressor state */
	uint8_t *cbuf;     /* compressed input */
	size_t ccap, cpos, clen;
	int ceof;          /* no more compressed bytes */
	int frame_open;    /* a compressed frame/stream started but not ended */
	uint64_t out_off;  /* decompressed bytes delivered so far */
	char *err;         /* caller's buffer */
	size_t errlen;
};

/* Opens path (or uses fd >= 0 with name), detects compression by magic. */
int wl_in_open(struct wl_in *in, const char *path, int fd, char *err, size_t errlen);
/* Reads up to n decompressed bytes; 0 at a clean end, -errno on error. */
ssize_t wl_in_read(struct wl_in *in, void *buf, size_t n);
void wl_in_close(struct wl_in *in);
const char *wl_comp_name(enum wl_comp c);

/* ---- trace formats (readers.c) ---- */
enum wl_fmt {
	WL_FMT_AUTO = 0,
	WL_FMT_LACKEY,
	WL_FMT_TEXT,
	WL_FMT_LIS,
	WL_FMT_CSV,
	WL_FMT_ORACLE,
	WL_FMT_U32,
	WL_FMT_U64,
	WL_FMT_PBT,
	WL_FMT_DIN,   /* Dinero din (traditional and extended) and UCSD l/s traces */
	WL_FMT_PIN,   /* Intel Pin pinatrace.out */
	WL_FMT_VSCSI, /* CloudPhysics/VMware vscsi v1 (32 B) and v2 (40 B) */
	WL_FMT_PERF,  /* perf script: "... TIME: EVENT: ADDR ..." or one hex address a line */
	WL_FMT_COUNT,
};
const char *wl_fmt_name(enum wl_fmt f);
int wl_fmt_parse(const char *s, enum wl_fmt *f);

/* CSV column map (1-based columns; 0 = absent). */
struct wl_csv_map {
	unsigned off_col, size_col, op_col, ns1_col, ns2_col;
	unsigned unit; /* bytes per offset unit: 1 (bytes) or 512 (sectors) */
	unsigned size_unit; /* bytes per size unit */
	int header;    /* 1: skip the first line; -1: auto */
	int preset;    /* 0 custom, 1 msr, 2 spc */
};

struct wl_trace_opts {
	const char *path;
	int fd; /* >= 0: read this fd instead of opening path */
	enum wl_fmt fmt;
	unsigned page_shift;
	int no_ifetch; /* lackey: drop I records */
	struct wl_csv_map csv;
	int csv_given;
};

struct wl_trace;
int wl_trace_open(const struct wl_trace_opts *o, struct wl_trace **out, char *err, size_t errlen);
ssize_t wl_trace_next(struct wl_trace *t, struct pb_access *buf, size_t n);
/* For oracle traces: next_access field of the records last returned, one
 * per access (NULL for other formats). */
const int64_t *wl_trace_oracle_next(const struct wl_trace *t);
const char *wl_trace_error(const struct wl_trace *t);
enum wl_fmt wl_trace_format(const struct wl_trace *t);
/* Lines / records skipped (non-numeric lines in text, banners in lackey). */
uint64_t wl_trace_skipped(const struct wl_trace *t);
unsigned wl_trace_shift(const struct wl_trace *t);
/* Records parsed that produced references (lines, binary records). */
uint64_t wl_trace_records(const struct wl_trace *t);
void wl_trace_close(struct wl_trace *t);

/* pbt (pbt.c) */
struct wl_pbt_reader;
typedef ssize_t (*wl_read_fn)(void *ctx, void *buf, size_t n);
/* Reads a pbt stream through rd (the magic not yet consumed). */
int wl_pbt_open(wl_read_fn rd, void *ctx, const char *name, struct wl_pbt_reader **out,
		unsigned *page_shift, char *err, size_t errlen);
const char *wl_pbt_error(const struct wl_pbt_reader *r);
ssize_t wl_pbt_next(struct wl_pbt_reader *r, struct pb_access *buf, size_t n);
void wl_pbt_close(struct wl_pbt_reader *r);
#define WL_PBT_MAGIC "PBTRACE"

/* ---- a u64 -> u64 open-addressing hash map (pageset.c) ---- */
struct wl_map {
	uint64_t *keys; /* key + 1; 0 = empty */
	uint64_t *vals;
	size_t cap, n;
};
int wl_map_init(struct wl_map *m, size_t cap);
/* Returns a pointer to the value of key (inserted as 0 if new, *isnew set). */
uint64_t *wl_map_get(struct wl_map *m, uint64_t key, int *isnew);
void wl_map_free(struct wl_map *m);

/* Page key as in pb_workload_load_keys. */
static inline uint64_t wl_key(const struct pb_access *a, unsigned shift)
{
	return ((uint64_t)a->asid << 48) | ((a->addr >> shift) & ((1ULL << 48) - 1));
}

#endif
