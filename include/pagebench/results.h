/* SPDX-License-Identifier: MIT */
/*
 * pagebench/results.h - run folders, tidy CSV and meta.json.
 *
 * Every run writes a new folder results/<UTC timestamp>-<host>-<run id>/
 * (created with mkdir, never reused, so a run never overwrites another).
 * Each CSV streams into a temporary file beside its final name (pb_out,
 * outfile.h: registered with the signal registry) and is flushed, checked,
 * fsync'ed and renamed by pb_run_finish(); meta.json is written last, so a
 * folder without meta.json is never a result.  meta.json's "status" says
 * what the folder holds:
 *   "complete"  every configuration asked for was measured;
 *   "partial"   a fatal signal stopped the run: the experiments listed in
 *               "experiments" are complete, the one in progress was
 *               discarded ("interrupted_by" names the signal);
 *   "failed"    something failed ("errors"): rows that were written are
 *               kept, but nothing here is a complete result.
 * A run in which no row was written at all and that did not complete
 * leaves no folder (pb_run_finish removes it).
 *
 * Every CSV starts with the columns schema_version, host, label, run_id
 * (added here, so every CSV of a run folder has them: rows from several
 * machines and runs can be concatenated).  Cells are strings; NA is
 * written for a value that could not be measured (the reason goes in
 * meta.json's "not_available", never a 0).
 *
 * Contract.  Caller: one thread per struct pb_run (the command's main
 * thread); nothing here may be called from a team thread or a signal
 * handler.  Order: pb_run_create, then any of config/label/csv/rows, then
 * exactly one of pb_run_finish or pb_run_abort.  Signals: pb_run_create
 * installs the registry's immediate mode if the program installed nothing
 * (an interrupted run then dies with its temporary files and empty folder
 * removed); a program that keeps finished work installs deferred mode
 * first (pb_signals_install(1)), checks pb_signal_pending() between units
 * of work, calls pb_run_set_status(run, PB_RUN_PARTIAL, ...) and
 * pb_run_finish(), then pb_signal_exit().  After a signal is pending every
 * function here is still safe to call (nothing runs in the handler but
 * unlink/rmdir of registered temporaries).
 * Errors: a write error on any CSV (disk full, EFBIG) is remembered; the
 * row functions do not fail, pb_run_error() reports it, and
 * pb_run_finish() then returns it and marks the folder failed.
 */
#ifndef PAGEBENCH_RESULTS_H
#define PAGEBENCH_RESULTS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#define PB_SCHEMA_VERSION 2

struct pb_run;
struct pb_csv;

enum pb_run_status { PB_RUN_COMPLETE, PB_RUN_PARTIAL, PB_RUN_FAILED };

/*
 * Take the run's start now: the wall clock (started_utc and the folder's
 * name), the monotonic clock (meta.json wall_s), the load average
 * (loadavg_before) and the cache-line round trip between CPUs
 * (cpu_round_trip.start), for the next pb_run_create of this process.  A
 * command that creates its run after its work (sim and mrc on a stream:
 * a refused stream leaves no folder) calls it before the work, so that
 * these describe the run and not the moment after it.
 */
void pb_run_mark_start(void);
/*
 * Create the run folder under `root` (NULL: $PAGEBENCH_RESULTS, else
 * "results").  argv is recorded in meta.json (argv must outlive the run).
 * The start is the one pb_run_mark_start took, else now.  Returns NULL
 * with a message in err.
 */
struct pb_run *pb_run_create(const char *root, int argc, char **argv, char *err, size_t errlen);
const char *pb_run_dir(const struct pb_run *run);
/* The run id (the folder's last hex part), also the run_id column. */
const char *pb_run_id(const struct pb_run *run);
/* The cache-line round trip between the machine's CPUs measured at the
 * run's start (meta.json cpu_round_trip.start.median_ns), in ns; NAN
 * when it was not (one CPU). */
double pb_run_round_trip_ns(const struct pb_run *run);

/* The label column and meta.json "label" (--label); NULL: none (NA).
 * Rows take the label current when they are written: set it first. */
void pb_run_set_label(struct pb_run *run, const char *label);

/*
 * Extra configuration for meta.json's "config" object.  _str stores a
 * string; _json parses `json` (a number, an object; invalid JSON is stored
 * as a string, never written verbatim); _set stores a jansson value and
 * steals the reference (NULL is ignored).  Later calls with the same key
 * replace earlier ones.
 */
void pb_run_config_str(struct pb_run *run, const char *key, const char *val);
void pb_run_config_json(struct pb_run *run, const char *key, const char *json);
void pb_run_config_set(struct pb_run *run, const char *key, json_t *val);
/* A counter or measurement that is NA on this machine, with why (meta.json
 * not_available.what): each distinct reason kept once, in the order noted,
 * joined by "; " (a reason that is only part of one noted, "no PMU" after
 * "no PMU here", is a reason of its own); past 2 KiB the text ends in
 * "; ..." instead.  Noting a reason again is harmless and cheap (no
 * allocation): callers note from every row. */
void pb_run_note_na(struct pb_run *run, const char *what, const char *reason);
/*
 * An input file whose identity was taken already (a trace: its size and a
 * hash of part or all of it, read while the replay ran): meta.json
 * "inputs" gets {role, path, size_bytes, hash, hash_covers}, size -1 and
 * hash NULL (null) where the file had none to take (a pipe, a file gone).
 */
void pb_run_add_input_id(struct pb_run *run, const char *role, const char *path, int64_t size,
			 const char *hash, const char *covers);

/* An experiment (configuration) whose rows are all written: listed in
 * meta.json "experiments" (what a partial folder still holds). */
void pb_run_experiment_done(struct pb_run *run, const char *name);
/* An experiment that ran more threads than the PUs the process may use
 * (the "[oversubscribed]" of its line): listed in meta.json
 * "oversubscribed" ([] when none) with its threads and the PUs. */
void pb_run_note_oversubscribed(struct pb_run *run, const char *name, unsigned threads,
				unsigned pus);
/* Status for pb_run_finish (default complete); why goes to "errors" (failed)
 * or "interrupted_by" (partial; e.g. "SIGINT").  The worst status wins. */
void pb_run_set_status(struct pb_run *run, enum pb_run_status st, const char *why);
/*
 * Whether the run has rows of several threads, which a change of the
 * cache-line round trip between CPUs makes hard to compare with each
 * other: where it does (the default: a suite's tasks, whatever they run),
 * pb_run_finish prints a note when the round trip moved 2x or more during
 * the run; meta.json records cpu_round_trip either way.  Each command says
 * its own: run from its thread counts (one above 1), sim from its engine
 * threads (above 1), mrc none.
 */
void pb_run_set_thread_rows(struct pb_run *run, int on);
/* First write error on any CSV of the run (-errno), or 0. */
int pb_run_error(const struct pb_run *run);

/*
 * Open a CSV in the run folder.  cols is NULL-terminated and must not
 * include schema_version, host, label or run_id (they are prepended).  If
 * echo is non-NULL every row is also printed there (the --csv flag prints
 * to stdout; an error there is a write error of the run).
 */
struct pb_csv *pb_run_csv(struct pb_run *run, const char *name, const char *const *cols,
			  FILE *echo);
/* Whether name is one of the columns every CSV starts with: 1 a number
 * (schema_version), 0 a string (host, label, run_id: strings however
 * they look), -1 not one of them.  A reader types its cells from this. */
int pb_run_lead_numeric(const char *name);

/* Row builder: begin, one call per column in order, end. */
void pb_csv_begin(struct pb_csv *c);
void pb_csv_str(struct pb_csv *c, const char *s); /* NULL -> NA */
void pb_csv_u64(struct pb_csv *c, uint64_t v);
void pb_csv_i64(struct pb_csv *c, int64_t v);
void pb_csv_dbl(struct pb_csv *c, double v); /* NaN -> NA; %.6g */
void pb_csv_na(struct pb_csv *c);
void pb_csv_end(struct pb_csv *c); /* aborts with a message if the column count is wrong */

/*
 * Commit the CSVs and write meta.json (last).  Returns 0; -ENODATA if the
 * run did not complete and no row was written (the folder was removed: do
 * not print it as a result); or another -errno for a write error (the
 * folder is marked failed, or removed if not even meta.json could be
 * written).  Frees run either way; prints nothing.
 */
int pb_run_finish(struct pb_run *run);
/* The same, with the reason of a failure as one line in err ("PATH: ..."). */
int pb_run_finish_msg(struct pb_run *run, char *err, size_t errlen);
/* Free without finishing: removes temporary files and the folder if empty. */
void pb_run_abort(struct pb_run *run);

/* Atomically replace path with `len` bytes (pb_out with PB_OUT_FORCE). */
int pb_write_file_atomic(const char *path, const void *buf, size_t len);

/*
 * A string as a JSON value that is always valid UTF-8: valid UTF-8 is kept
 * as is; each byte that is not part of a valid UTF-8 sequence becomes the
 * four characters \xHH (so a non-UTF-8 path reads e.g. "/tmp/a\xff.trc").
 * NULL -> JSON null.
 */
json_t *pb_json_string_bytes(const char *s);

#endif /* PAGEBENCH_RESULTS_H */
