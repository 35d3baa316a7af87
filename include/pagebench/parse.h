/* SPDX-License-Identifier: MIT */
/*
 * pagebench/parse.h - strict parsing and progress, for every layer
 * (kernels/base/util.c).
 *
 * Values are parsed strictly: a number that overflows, has trailing junk
 * or is negative where it must not be is an error, never silently
 * clamped.  Progress lines go to stderr only when it is a terminal.
 */
#ifndef PAGEBENCH_PARSE_H
#define PAGEBENCH_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "pagebench/common.h"

/* Strict parsers: return 0 or -EINVAL / -ERANGE. */
int pb_parse_u64(const char *s, uint64_t *out);
int pb_parse_double(const char *s, double *out);
/* Size with optional K/M/G/T suffix (powers of 1024), e.g. "64M". */
int pb_parse_size(const char *s, uint64_t *out);
/* Comma list of unsigned ("1,2,4" or ranges "1-4"); *out is malloc'ed. */
int pb_parse_u64_list(const char *s, uint64_t **out, size_t *n);
/* Split "a,b,c" into a malloc'ed array of malloc'ed strings. */
int pb_split_list(const char *s, char ***out, size_t *n);
void pb_free_list(char **v, size_t n);

/*
 * Progress on long runs: shown on stderr only when stderr is a terminal
 * (quiet in CI and pipes), at most 5 lines a second.  Thread-safe for
 * pb_progress_add and pb_progress_frac.  With a total (or, without one, a
 * fraction from pb_progress_frac: how much of the input has been read)
 * the line says how far and about how long is left; without either, the
 * rate.
 */
void pb_progress_begin(const char *label, uint64_t total);
void pb_progress_add(uint64_t done);
/* The share of the work done, 0..1, when the total is not a count
 * (pb_workload_fraction: the bytes of a trace read); < 0: not known. */
void pb_progress_frac(double frac);
void pb_progress_end(void);
/* The progress line (without the leading \r): label, done, total (0: none),
 * frac (< 0: none; used without a total), elapsed nanoseconds. */
void pb_progress_format(char *buf, size_t len, const char *label, uint64_t done, uint64_t total,
			double frac, uint64_t elapsed_ns);
/* Erase the progress line (if shown) before printing a line of output. */
void pb_progress_clear(void);

#endif /* PAGEBENCH_PARSE_H */
