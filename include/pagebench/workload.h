/* SPDX-License-Identifier: MIT */
/*
 * pagebench/workload.h - the workload stream: synthetic generators and
 * recorded-trace readers behind one interface.
 *
 * A stream fills a caller's buffer with a batch of accesses.  Generators are
 * seeded and reproducible; trace readers stream from disk with bounded
 * memory (whatever the trace size) and fail with a clear message naming the
 * file, the line or byte offset and what was wrong.
 *
 * Spec syntax (the --workload option):
 *   NAME[:key=value,...]            e.g. zipf:pages=100000,alpha=0.9,refs=2000000,seed=1
 *   trace:path=FILE[,format=F][,page=4096][,backing=anon|file]
 * `pagebench list workloads` prints every generator with its parameters and
 * defaults, from the module's const descriptor table.
 *
 * Threading: a stream is used by one thread at a time.  For a multi-threaded
 * run each thread opens its own stream with pb_workload_opts.thread set;
 * how the threads' streams relate (disjoint, shared, interleaved) is the
 * generator's `share` parameter.
 */
#ifndef PAGEBENCH_WORKLOAD_H
#define PAGEBENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "pagebench/common.h"
#include "pagebench/vma.h"

enum pb_op {
	PB_OP_READ = 0,
	PB_OP_WRITE = 1,
	PB_OP_FETCH = 2, /* instruction fetch */
};

/* One memory reference (16 bytes). */
struct pb_access {
	uint64_t addr;	/* virtual byte address (page = addr >> page_shift) */
	uint32_t asid;	/* address space (simulated process) */
	uint8_t op;	/* enum pb_op */
	uint8_t thread; /* recording thread, when the source has one */
	uint16_t flags; /* PB_ACC_* */
};
/* The address lies in a region mapped from a file (shared library, mapped
 * file): faults on it are file-backed, not anonymous. */
#define PB_ACC_FILE 0x1
/* The region is shared between address spaces (one page, several mappers). */
#define PB_ACC_SHARED 0x2
/* The region is private copy-on-write after a fork. */
#define PB_ACC_COW 0x4
/* The access runs in supervisor mode (a system call, the kernel's own
 * memory): may touch supervisor-only regions (pagebench/vma.h). */
#define PB_ACC_KERNEL 0x8
/* The region is marked for transparent huge pages (madvise(MADV_HUGEPAGE)):
 * under the engine's thp=madvise its anonymous faults may map 2 MiB. */
#define PB_ACC_THP 0x10

struct pb_workload_opts {
	unsigned thread;   /* which thread's stream (0-based) */
	unsigned nthreads; /* threads in the run (>= 1) */
	uint64_t seed;	   /* default seed when the spec gives none */
};

struct pb_workload;

/*
 * Open a stream from a spec.  Returns 0 or -errno; on error a one-line
 * message (naming the file, offset and problem for traces) is in err.
 */
int pb_workload_open(const char *spec, const struct pb_workload_opts *opts,
		     struct pb_workload **out, char *err, size_t errlen);
/*
 * Fill buf with up to n accesses.  Returns the number filled (0 at the end
 * of the stream) or -errno on bad input (message via pb_workload_error).
 */
ssize_t pb_workload_next(struct pb_workload *w, struct pb_access *buf, size_t n);
const char *pb_workload_error(const struct pb_workload *w);
/* Page size the stream's addresses are meant with (log2), default 12. */
unsigned pb_workload_page_shift(const struct pb_workload *w);
/* Canonical spec with every default filled in (for meta.json / CSV); whole,
 * however long a trace's path= is (valid until the close). */
const char *pb_workload_canonical(const struct pb_workload *w);
/* Room for a trace's canonical spec: a whole path (PATH_MAX, 4096 with its
 * NUL: a longer one does not open) and the trace's other parameters. */
#define PB_WORKLOAD_CANONLEN (4096 + 1024)
/* The file of a trace workload (valid until the close), NULL for a
 * generator. */
const char *pb_workload_path(const struct pb_workload *w);
/*
 * Lines of a trace that were not references and were skipped, as far as
 * it was read (0 for a generator).  Returns all of them (`trace info`'s
 * "skipped lines": a csv header, lackey banners, din flush records, text
 * lines that are not page numbers).  *unknown gets those the user must be
 * told of, lines the format did not recognise (text: not a page number),
 * and *first the line of the first of them (1-based; 0 when none).
 */
uint64_t pb_workload_skipped(const struct pb_workload *w, uint64_t *unknown, uint64_t *first);
/* The one warning line on stderr for `unknown` such lines of path, the
 * first at line `first`: "pagebench CMD: warning: N line(s) of PATH
 * was/were not a reference(s), FATE (first at line L)"; nothing for 0. */
void pb_workload_skipped_warn(const char *cmd, uint64_t unknown, const char *path, uint64_t first,
			      const char *fate);
void pb_workload_close(struct pb_workload *w);

/*
 * The one stream drain: read w to its end, handing each batch (n > 0
 * accesses) to sink.  buf/cap: the caller's batch buffer, or NULL and
 * cap = batch size wanted (0: 4096) for one allocated here.  Returns 0 at
 * the end of the stream, the sink's nonzero result as soon as it gives
 * one, -ENOMEM, or the stream's -errno with its message (FILE:LINE: what)
 * in err.  The sink may call pb_workload_oracle_next(w) for the batch.
 */
typedef int (*pb_workload_sink_fn)(void *ctx, const struct pb_access *a, size_t n);
int pb_workload_drain(struct pb_workload *w, struct pb_access *buf, size_t cap,
		      pb_workload_sink_fn sink, void *ctx, char *err, size_t errlen);

/*
 * Load a whole stream into memory as page keys for policy replay:
 * key = ((uint64_t)asid << 48) | (addr >> page_shift).  *keys and (if
 * writes != NULL) *writes (one byte per ref, 1 = write) are malloc'ed.
 * Used by `pagebench sim/mrc` and OPT, which needs the future.
 */
int pb_workload_load_keys(const char *spec, const struct pb_workload_opts *opts, uint64_t **keys,
			  uint8_t **writes, size_t *n, char *err, size_t errlen);

/*
 * Additions (workload module):
 *
 * For oracleGeneral traces: the next_access field (1-based index of the
 * next request to the same object, -1 if none) of each access that the
 * last pb_workload_next call returned, in the same order; NULL for every
 * other source.  Lets OPT use the file's own future without a pass.
 */
const int64_t *pb_workload_oracle_next(const struct pb_workload *w);
/*
 * Next use for a loaded key sequence: (*next)[i] = index of the next
 * reference to keys[i] after i, or UINT64_MAX if none (malloc'ed).  O(n)
 * time, O(distinct) extra memory.  Returns 0 or -ENOMEM.
 */
int pb_workload_next_use(const uint64_t *keys, size_t n, uint64_t **next);
/* References produced so far by the stream. */
uint64_t pb_workload_count(const struct pb_workload *w);
/* How far the stream has come, 0..1: a generator's references of its
 * refs=, a trace's bytes read of the file's (compressed: of the compressed
 * file); < 0 when not known (a pipe).  For progress lines: the caller's
 * own thread (the one reading the stream). */
double pb_workload_fraction(const struct pb_workload *w);

/*
 * The regions (VMAs) of the stream's address spaces, sorted by (asid,
 * start) as pagebench/vma.h says, valid until the close: *v = NULL, *n = 0
 * for a stream that describes none (every generator but exec, traces).
 */
void pb_workload_regions(const struct pb_workload *w, const struct pb_vma **v, size_t *n);

/*
 * 1 if spec (a canonical spec: pb_workload_canonical) replays a block-I/O
 * trace (a format whose default backing is file, formats.def) with
 * backing=anon, with a one-line explanation in msg; else 0.  No I/O.
 */
int pb_workload_block_as_anon(const char *spec, char *msg, size_t len);

/* `pagebench list workloads [-v]`: the generators, their parameters and the trace formats. */
void pb_list_workloads(FILE *f);

/*
 * 1 when w is a trace that has read every byte of its file (the reader
 * hashes each byte it reads, in order): *hash = XXH64 (seed 0) of the
 * whole file, what `xxhsum -H64 FILE` prints, *size = its bytes.  0 for a
 * generator, a trace not read to its end, a pipe, a file that grew or
 * shrank while it was read.  (harness/vm_drive.c records it in meta.json.)
 */
int pb_workload_file_hash(const struct pb_workload *w, uint64_t *hash, uint64_t *size);

#endif /* PAGEBENCH_WORKLOAD_H */
