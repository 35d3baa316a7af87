/* SPDX-License-Identifier: MIT */
/*
 * pagebench/cli.h - the command line's error lines and exit codes (harness
 * layer).  Every subcommand reports bad usage the same way: one line on
 * stderr, "pagebench <cmd>: <what was wrong>", and exit code 2.  Only the
 * command layer calls pb_usage_error (it exits); libraries return -errno
 * with a message.
 */
#ifndef PAGEBENCH_CLI_H
#define PAGEBENCH_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pagebench/common.h"
#include "pagebench/parse.h" /* the strict parsers and progress (base layer) */

#define PB_EXIT_OK    0
#define PB_EXIT_FAIL  1 /* the run itself failed */
#define PB_EXIT_USAGE 2 /* bad usage or bad input */

/* Print "pagebench <cmd>: msg" on stderr and exit(2). */
_Noreturn void pb_usage_error(const char *cmd, const char *fmt, ...) PB_PRINTF(2, 3);
/*
 * Repeated --param options (`run`, a suite's run line): pb_kv_append joins
 * v to the "k=v,..." list *kv with ',' (*kv malloc'ed, NULL at first;
 * 0 or -ENOMEM); pb_kv_twice finds a key the list gives twice: 1 with
 * "'k' given twice ('k=1', then 'k=2')" in msg, else 0.
 */
int pb_kv_append(char **kv, const char *v);
int pb_kv_twice(const char *kv, char *msg, size_t len);
/* Whether a -errno from opening or reading an input (a trace, a spec) is
 * the user's to fix: a bad spec or format, a missing, unreadable or
 * not-a-file path (exit 2).  Anything else failed on the way (exit 1):
 * -EIO (a read error, a mapped file that shrank), -ENOMEM, -EINTR.  One
 * list, so one trace fails the same way in `trace`, `sim` and `mrc`. */
int pb_input_rc_is_usage(int rc);
/* Print "pagebench <cmd>: msg" on stderr (no exit). */
void pb_error(const char *cmd, const char *fmt, ...) PB_PRINTF(2, 3);
/* A signal that came before any configuration finished (no run folder is
 * left): "pagebench <cmd>: interrupted by SIG before any configuration
 * finished: nothing written", then die of it, as run, sim and mrc do;
 * else return. */
void pb_exit_interrupted(const char *cmd);
/* --label's one rule for every command that takes it (it becomes a CSV
 * cell and a machine's name in compare --machines): 1..128 characters, no
 * comma, quote or newline; else a usage error.  NULL (no --label) passes. */
void pb_cli_check_label(const char *cmd, const char *label);

#endif /* PAGEBENCH_CLI_H */
