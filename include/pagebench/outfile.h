/* SPDX-License-Identifier: MIT */
/*
 * pagebench/outfile.h - files pagebench writes, written safely; and what
 * happens to them when a signal arrives.
 *
 * Every output (a trace, a figure, a suite plan, a CSV of a run folder) is
 * written to a temporary file in the target's own directory and renamed
 * over the target only once it is complete: data flushed, every write and
 * the close checked, fsync'ed.  The target is never a device, FIFO, socket,
 * directory or symlink (refused, whatever the flags), and an existing
 * regular file is replaced only with PB_OUT_FORCE; without it the final
 * rename is renameat2(RENAME_NOREPLACE), so a file that appeared meanwhile
 * is not clobbered either.  So `pagebench trace convert x /dev/null`, run
 * as root, leaves /dev/null alone.
 *
 * Temporary files are registered with the process-wide signal registry
 * below and removed if SIGINT, SIGTERM, SIGHUP, SIGQUIT or SIGPIPE ends
 * the process.
 *
 * Caller: any thread, but one pb_out is used by one thread at a time.
 * Errors: 0 or -errno, with one line in err ("PATH: what went wrong").
 */
#ifndef PAGEBENCH_OUTFILE_H
#define PAGEBENCH_OUTFILE_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "pagebench/common.h"

#define PB_OUT_FORCE 0x1u /* replace an existing regular file */

struct pb_out;

/*
 * Check that `path` may be written with `flags` (the same checks
 * pb_out_open makes, without creating anything), so a command can refuse
 * a bad output path before doing any work.  0, -EEXIST (exists, no
 * PB_OUT_FORCE), -EINVAL (not a regular file), or another -errno.
 */
int pb_out_check(const char *path, unsigned flags, char *err, size_t errlen) PB_MUST_CHECK;

/* Create the temporary file for `path`.  *out is NULL on failure. */
int pb_out_open(const char *path, unsigned flags, struct pb_out **out, char *err,
		size_t errlen) PB_MUST_CHECK;
/* The temporary file as a stdio stream (buffered) and as a descriptor;
 * use one or the other, not both. */
FILE *pb_out_stream(struct pb_out *o);
int pb_out_fd(const struct pb_out *o);
/* The temporary file's path (for tools that write by name, e.g. gnuplot). */
const char *pb_out_tmp_path(const struct pb_out *o);
/*
 * Finish: flush, check for any write error, fsync, close, rename to the
 * target, fsync the directory.  Frees o whatever the result; on failure the
 * temporary file is removed and the target is untouched.
 */
int pb_out_commit(struct pb_out *o, char *err, size_t errlen) PB_MUST_CHECK;
/* Give up: remove the temporary file, free o.  NULL is a no-op. */
void pb_out_abort(struct pb_out *o);

/*
 * Write `len` bytes to `path` in one go through pb_out (for small files:
 * meta.json, sidecars, scripts).
 */
int pb_out_write_all(const char *path, unsigned flags, const void *buf, size_t len, char *err,
		     size_t errlen) PB_MUST_CHECK;

/*
 * The signal registry.  pb_signals_install() handles SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT and SIGPIPE; a signal that was ignored when the process
 * started (nohup's SIGHUP, a shell's SIGPIPE) stays ignored.
 *
 * Immediate mode (deferred = 0): the handler removes every registered
 * path, then dies of the same signal (default action re-raised), so the
 * exit status says which signal ended the process.
 *
 * Deferred mode (deferred = 1), for runs that keep finished work: the
 * first signal only records itself (pb_signal_pending() returns it); the
 * program checks between units of work, saves what is complete, marks the
 * rest partial and calls pb_signal_exit().  A second signal acts
 * immediately.  The handler does only async-signal-safe work (unlink,
 * sigaction, raise, kill).
 *
 * Both modes also ignore SIGXFSZ (unless the process started with a
 * handler for it): a file size limit (ulimit -f) then fails the write
 * with EFBIG, which the writer reports, as a full disk, instead of
 * killing the process with its temporary files in place.
 */
void pb_signals_install(int deferred);
/*
 * Pass the fatal signals (not SIGPIPE) that are sent to this process
 * alone - `kill PID`, not a terminal's Ctrl-C, which reaches its whole
 * foreground group - on to child `pid` while this process waits for it
 * (0: to none): the first once, a second one too (it stops the child at
 * once, as it does this process).  A signal already pending is passed on
 * now.  Block the fatal signals from before the child starts until this
 * call, so that one sent to the group in between is not passed on twice.
 */
void pb_signal_forward(pid_t pid);
/* The fatal signals pb_signals_install handles, added to *set. */
void pb_signals_fill(sigset_t *set);
/* 0, or the first signal received in deferred mode. */
int pb_signal_pending(void);
/* Die of the pending signal, if one is (pb_signal_exit); else return. */
void pb_signal_exit_pending(void);
/* "SIGINT" for SIGINT (meta.json's interrupted_by), in buf; returns buf. */
const char *pb_signal_name(int sig, char *buf, size_t len);
/* Remove registered paths and die of `sig` (never returns). */
_Noreturn void pb_signal_exit(int sig);

/* Register a path to remove on a fatal signal; returns a slot (>= 0) or
 * -ENOSPC.  The path is copied. */
int pb_cleanup_add(const char *path);
/* Forget slot (after the path was renamed away or removed); -1 is a no-op. */
void pb_cleanup_remove(int slot);

#endif /* PAGEBENCH_OUTFILE_H */
