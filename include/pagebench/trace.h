/* SPDX-License-Identifier: MIT */
/*
 * pagebench/trace.h - pagebench's own binary trace format (pbt): writer,
 * conversion and trace statistics.
 *
 * pbt layout (all little-endian), version 1:
 *   header, 64 B: "PBTRACE\0", u32 version, u32 header_size (64),
 *                 u32 page_shift, u32 codec (0 raw, 1 zstd), u64 nrefs
 *                 (0 while unknown), u32 max_block_refs, u32 backing (the
 *                 backing= the source was converted with, its flags already
 *                 in the records: 0 not recorded, 1 anon, 2 file; older
 *                 files have 0, older readers ignore it), 20 B reserved
 *                 (0), u32 header checksum (of bytes 0-59, never 0;
 *                 files written before 2026-12-06 have 0: not checked)
 *   blocks, each: u32 "PBTB", u32 nrefs, u32 raw_len, u32 stored_len,
 *                 u32 delta_len, u32 codec, u32 checksum (of an uncompressed
 *                 payload; zstd frames carry their own), u32 0, then
 *                 stored_len payload bytes
 *   end, 32 B:    u32 "PBTE", u32 0, u64 total refs, 16 B of 0
 * A block's raw payload is three streams: nrefs control bytes (bits 0-1
 * op, bits 2-5 byte length of the zig-zag page delta, bit 6: a 7-byte
 * change record (u32 asid, u8 thread, u16 flags) follows in the third
 * stream), the page deltas (little-endian, that many bytes each), and the
 * change records.  Each block starts from page 0, asid 0, thread 0, flags
 * 0, so blocks decode independently.  Pages only: the offset inside a page
 * is not kept (the reference sequence is a sequence of page references).
 */
#ifndef PAGEBENCH_TRACE_H
#define PAGEBENCH_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pagebench/outfile.h"
#include "pagebench/workload.h"

#define PB_PBT_VERSION	  1
#define PB_PBT_BLOCK_REFS 65536

struct pb_pbt_writer;

/*
 * Create a pbt file at path through pagebench/outfile.h: the data goes to
 * a temporary file in the same directory (removed on a fatal signal once
 * pb_signals_install ran), fsync'ed and renamed over path by pb_pbt_finish
 * (so no half file is ever seen under path).  path must not be a device,
 * FIFO, symlink or directory; an existing file is replaced only with
 * flags & PB_OUT_FORCE (else -EEXIST).  level: zstd level (0 = store
 * blocks uncompressed; negative: zstd's fast levels, --fast=-level).
 * zstd's literals are stored raw (random-looking traces decode up to 1.7x
 * faster for files 6-12% larger, docs/workloads.md) unless flags has
 * PB_PBT_HUFFMAN, which Huffman-codes them at a positive level.
 */
#define PB_PBT_HUFFMAN 0x100u /* beside PB_OUT_FORCE in flags */
int pb_pbt_create(const char *path, unsigned page_shift, int level, unsigned flags,
		  struct pb_pbt_writer **out, char *err, size_t errlen);
int pb_pbt_write(struct pb_pbt_writer *w, const struct pb_access *a, size_t n);
/* Flush, write the end block and the header count, fsync, rename.
 * Frees w. */
int pb_pbt_finish(struct pb_pbt_writer *w, char *err, size_t errlen);
/* Remove the temporary file.  Frees w. */
void pb_pbt_abort(struct pb_pbt_writer *w);
uint64_t pb_pbt_written(const struct pb_pbt_writer *w);

/*
 * Convert any readable trace spec (or plain FILE path) to pbt at out,
 * written as pb_pbt_create does (flags: PB_OUT_FORCE, PB_PBT_HUFFMAN).  A
 * generator spec without seed= draws from seed (as pb_workload_opts.seed;
 * `pagebench trace convert --seed`, sim's default 1).  *nrefs gets
 * the references written.  Returns 0 or -errno (message in err): -EINVAL
 * bad input (FILE:LINE: what), -EEXIST/-EINVAL for an output that may not
 * be written, another -errno for an I/O failure.  The input is opened
 * first, so input that cannot be used is reported before an output that
 * may not be written.
 */
int pb_trace_convert(const char *in_spec, uint64_t seed, const char *out, int level, unsigned flags,
		     uint64_t *nrefs, char *err, size_t errlen);
/* pb_trace_convert, and the input's canonical spec (pb_workload_canonical
 * of the stream it read, taken when it was opened: before out may replace
 * it) into canon (canonlen bytes; PB_WORKLOAD_CANONLEN holds it whole),
 * once the input is open; "" where it could not be. */
int pb_trace_convert_named(const char *in_spec, uint64_t seed, const char *out, int level,
			   unsigned flags, uint64_t *nrefs, char *canon, size_t canonlen, char *err,
			   size_t errlen);

/*
 * Read a trace of the named format (e.g. "lackey") from fd, a pipe (as
 * `trace record` does with valgrind's log), into pw; name is for
 * messages.  The fd is not closed.  pb_progress_add(references) per batch
 * written (the caller begins and ends the progress line).  Returns 0 at
 * the end of the stream or -errno (message in err).
 */
int pb_trace_fd_to_pbt(int fd, const char *name, const char *format, int no_ifetch,
		       struct pb_pbt_writer *pw, char *err, size_t errlen);

/* What `pagebench trace info` prints. */
struct pb_trace_stats {
	/* the stream's canonical spec (pb_workload_canonical: every default
	 * and a generator's seed filled in, as sim names it); "" where it
	 * could not be opened */
	char canonical[PB_WORKLOAD_CANONLEN];
	uint64_t records;		       /* trace records (lines, binary records) parsed */
	uint64_t refs, reads, writes, fetches; /* page references delivered */
	uint64_t distinct_pages;	       /* distinct (asid, page) */
	uint64_t asids;			       /* distinct address spaces */
	uint64_t skipped_lines;		       /* ignorable lines skipped by the reader */
	unsigned page_shift;
	const char *format;	 /* detected format name (static storage) */
	const char *compression; /* codec name: none, zstd, gzip, xz (static storage) */
	/* pbt only: its blocks by codec, [0] stored as is, [1] zstd (the
	 * level is not recorded); both 0 for other formats */
	uint64_t pbt_blocks[2];
	/* LRU stack (reuse) distances in pages: cold = first references;
	 * hist[i] counts distances d with 2^i <= d+1 < 2^(i+1). */
	uint64_t cold;
	uint64_t hist[48];
};

/* Memory bound of pb_trace_info: distinct pages tracked (at most about 80
 * bytes each), 2^24 by default (64 GiB of 4 KiB pages, ~1.3 GiB of memory). */
#define PB_TRACE_MAX_DISTINCT (1ULL << 24)
struct pb_trace_info_opts {
	uint64_t max_distinct; /* 0: PB_TRACE_MAX_DISTINCT */
	uint64_t seed;	       /* a generator spec without seed= (NULL opts: 0) */
};
/*
 * Read a whole stream (trace spec, FILE path spec, or generator spec) and
 * fill st.  o may be NULL.  Returns 0, -EINVAL (bad input, message
 * FILE:LINE: what), -E2BIG (more distinct pages than o->max_distinct),
 * -ENOMEM, or another -errno of an I/O failure; message in err.
 */
int pb_trace_info(const char *spec, const struct pb_trace_info_opts *o, struct pb_trace_stats *st,
		  char *err, size_t errlen);
/* An LRU size (pages) reaching a hit ratio of frac of the non-cold
 * references, from the histogram: 2^k - 1, the largest need in the first
 * bucket that reaches frac (an upper bound, exact to a power of two). */
uint64_t pb_trace_lru_pages_for(const struct pb_trace_stats *st, double frac);

/*
 * The mappings of a traced process, for the TRACE.maps sidecar that
 * `trace record` writes beside its trace (format and meaning in
 * docs/workloads.md; the trace readers flag accesses in its file-backed
 * mappings).  pb_trace_maps_sample reads /proc/PID/maps once and merges it
 * (a later mapping replaces the earlier ones it overlaps): 0, or -errno
 * (-ENOENT: the process is gone).  pb_trace_maps_write writes the union
 * through pb_out (flags: PB_OUT_FORCE or 0); 0 or -errno with err.  One
 * thread at a time.
 */
struct pb_trace_maps;
struct pb_trace_maps *pb_trace_maps_new(void);
int pb_trace_maps_sample(struct pb_trace_maps *m, pid_t pid);
size_t pb_trace_maps_count(const struct pb_trace_maps *m);
int pb_trace_maps_write(struct pb_trace_maps *m, const char *path, unsigned flags, char *err,
			size_t errlen);
void pb_trace_maps_free(struct pb_trace_maps *m);

/*
 * The formats a trace spec's format= accepts, for help texts: i-th name
 * (0-based, registry order of harness/workload/formats.def), NULL past the
 * end.
 */
const char *pb_trace_format_name(unsigned i);

#endif /* PAGEBENCH_TRACE_H */
