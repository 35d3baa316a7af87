/* SPDX-License-Identifier: MIT */
/*
 * pagebench/cli.h - shared command-line helpers.
 *
 * Every subcommand reports bad usage the same way: one line on stderr,
 * "pagebench <cmd>: <what was wrong>", and exit code 2.  Values are parsed
 * strictly: a number that overflows, has trailing junk or is negative where
 * it must not be is an error, never silently clamped.
 */
#ifndef PAGEBENCH_CLI_H
#define PAGEBENCH_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pagebench/common.h"

#define PB_EXIT_OK    0
#define PB_EXIT_FAIL  1 /* the run itself failed */
#define PB_EXIT_USAGE 2 /* bad usage or bad input */

/* Print "pagebench <cmd>: msg" on stderr and exit(2). */
_Noreturn void pb_usage_error(const char *cmd, const char *fmt, ...) PB_PRINTF(2, 3);
/* Print "pagebench <cmd>: msg" on stderr (no exit). */
void pb_error(const char *cmd, const char *fmt, ...) PB_PRINTF(2, 3);

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
 * (quiet in CI and pipes).  Thread-safe for pb_progress_add.
 */
void pb_progress_begin(const char *label, uint64_t total);
void pb_progress_add(uint64_t done);
void pb_progress_end(void);
/* Erase the progress line (if shown) before printing a line of output. */
void pb_progress_clear(void);

#endif /* PAGEBENCH_CLI_H */
