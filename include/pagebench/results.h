/*
 * pagebench/results.h - run folders, tidy CSV and meta.json.
 *
 * Every run writes a new folder results/<UTC timestamp>-<host>-<short id>/
 * (created with mkdir, never reused, so a run never overwrites another).
 * Each CSV is written to "<name>.tmp" and renamed when the run finishes;
 * meta.json likewise.  An interrupted run (SIGINT/SIGTERM) removes its
 * temporary files, so no half file is ever left under a final name.
 *
 * Every CSV starts with the column schema_version (PB_SCHEMA_VERSION).
 * Cells are strings; NA is written for a value that could not be measured
 * (the reason goes in meta.json, never a 0).
 */
#ifndef PAGEBENCH_RESULTS_H
#define PAGEBENCH_RESULTS_H

#include <stdint.h>
#include <stdio.h>

#define PB_SCHEMA_VERSION 1

struct pb_run;
struct pb_csv;

/*
 * Create the run folder under `root` (NULL: $PAGEBENCH_RESULTS, else
 * "results").  argv is recorded verbatim in meta.json.  Returns NULL with a
 * message in err on failure.
 */
struct pb_run *pb_run_create(const char *root, int argc, char **argv, char *err, size_t errlen);
const char *pb_run_dir(const struct pb_run *run);

/*
 * Extra configuration for meta.json's "config" object.  _str quotes and
 * escapes the value; _json inserts a JSON value verbatim (a number, an
 * object).  Later calls with the same key replace earlier ones.
 */
void pb_run_config_str(struct pb_run *run, const char *key, const char *val);
void pb_run_config_json(struct pb_run *run, const char *key, const char *json);
/* A counter or measurement that is NA on this machine, with why. */
void pb_run_note_na(struct pb_run *run, const char *what, const char *reason);

/*
 * Open a CSV in the run folder.  cols is NULL-terminated and must not
 * include schema_version (it is prepended).  If echo is non-NULL every row is
 * also printed there (the --csv flag prints to stdout).
 */
struct pb_csv *pb_run_csv(struct pb_run *run, const char *name, const char *const *cols, FILE *echo);

/* Row builder: begin, one call per column in order, end. */
void pb_csv_begin(struct pb_csv *c);
void pb_csv_str(struct pb_csv *c, const char *s); /* NULL -> NA */
void pb_csv_u64(struct pb_csv *c, uint64_t v);
void pb_csv_i64(struct pb_csv *c, int64_t v);
void pb_csv_dbl(struct pb_csv *c, double v); /* NaN -> NA; %.6g */
void pb_csv_na(struct pb_csv *c);
void pb_csv_end(struct pb_csv *c); /* aborts with a message if the column count is wrong */

/* Rename the CSVs and write meta.json.  Returns 0 or -errno. */
int pb_run_finish(struct pb_run *run);
/* Free without finishing: removes temporary files (for error paths). */
void pb_run_abort(struct pb_run *run);

/* Atomically write `len` bytes to path (via path.tmp + fsync + rename). */
int pb_write_file_atomic(const char *path, const void *buf, size_t len);

#endif /* PAGEBENCH_RESULTS_H */
