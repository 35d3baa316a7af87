/* SPDX-License-Identifier: MIT */
/*
 * harness/results.c - run folders, tidy CSV, meta.json (see the contract
 * in pagebench/results.h).
 *
 * A run folder is created with mkdir(2), which fails if the name exists, so
 * two runs never share a folder (the run id is random; on a collision a new
 * one is drawn).  The folder is registered with the signal registry (so an
 * interrupted run's empty folder goes), each CSV streams through a pb_out
 * temporary file (registered too) and is committed by pb_run_finish();
 * meta.json is built with jansson and written last through pb_out.
 *
 * Write errors.  Every row is flushed and the stream's error flag checked,
 * so a full disk is seen at the row it hits, not at the end; the first
 * error is kept (run->err) and ends as status "failed" and a non-zero
 * return of pb_run_finish(), never as a silent short file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/counters.h"
#include "pagebench/outfile.h"
#include "pagebench/results.h"

#define PB_MAX_CSV 8

struct pb_csv {
	struct pb_run *run;
	char name[128];
	struct pb_out *out;
	FILE *f;
	FILE *echo;
	unsigned ncols, cell;
	uint64_t rows;
	struct pb_sb row;
	int kept; /* committed: under its final name (meta.json's files) */
};

/* What a run records of its start: when (wall clock and monotonic), the
 * load average, the cache-line round trip between CPUs.  Taken by
 * pb_run_mark_start before the command's work, or else by pb_run_create;
 * one command's main thread uses it (see results.h). */
struct run_start {
	time_t t;
	uint64_t ns;
	double load[3];
	int have_load;
	/* the round trip over the CPUs the process could run on then (the
	 * end measures them again, whatever the threads pinned meanwhile) */
	struct pb_c2c_set c2c_set;
	struct pb_c2c c2c;
};

struct pb_run {
	char dir[4096];
	char id[16];
	char host[64];
	char *label;
	uint64_t label_rows; /* CSV rows written when the label was last set */
	char **argv;
	int argc;
	int dir_slot;
	struct run_start start;
	struct pb_csv csv[PB_MAX_CSV];
	unsigned ncsv;
	json_t *config, *na, *inputs, *experiments, *errors, *oversub;
	enum pb_run_status status;
	char *interrupted_by;
	/* rows of several threads (pb_run_set_thread_rows; 1 unless said) */
	int thread_rows;
	int err; /* first write error, -errno */
	char err_what[4400];
};

/* ---- string buffer ---- */
static void sb_grow(struct pb_sb *b, size_t add)
{
	if (b->len + add + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + add + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		fprintf(stderr, "pagebench: out of memory\n");
		abort();
	}
	b->s = s;
	b->cap = cap;
}

void pb_sb_putn(struct pb_sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void pb_sb_put(struct pb_sb *b, const char *s)
{
	pb_sb_putn(b, s, strlen(s));
}

void pb_sb_printf(struct pb_sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pb_sb_free(struct pb_sb *b)
{
	free(b->s);
	*b = (struct pb_sb){0};
}

void pb_name_unique(char *out, size_t len, const char *base, char *const *taken, size_t n)
{
	snprintf(out, len, "%s", base);
	for (int k = 2;; k++) {
		size_t i = 0;
		while (i < n && strcmp(taken[i], out))
			i++;
		if (i == n)
			return;
		/* room for the suffix: a base as long as out would otherwise
		 * truncate every candidate to the same string, for ever */
		snprintf(out, len, "%.*s (%d)", len > 16 ? (int)(len - 16) : 0, base, k);
	}
}

/* ---- JSON helpers ---- */

size_t pb_utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	unsigned cp = c & (0xff >> (n + 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* s into b, a byte that is not UTF-8 as the four characters \xHH. */
static void sb_put_utf8(struct pb_sb *b, const char *s)
{
	pb_sb_put(b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = pb_utf8_len(p);
		if (n) {
			pb_sb_putn(b, (const char *)p, n);
			p += n;
		} else {
			pb_sb_printf(b, "\\x%02X", *p);
			p++;
		}
	}
}

json_t *pb_json_string_bytes(const char *s)
{
	if (!s)
		return json_null();
	struct pb_sb b = {0};
	sb_put_utf8(&b, s);
	json_t *j = json_string(b.s);
	pb_sb_free(&b);
	return j ? j : json_null();
}

/* ---- run ---- */
static void utc_stamp(char *buf, size_t len, const char *fmt, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

/* Install the registry's immediate mode unless the program chose a mode. */
static void default_signals(void)
{
	struct sigaction old;
	if (sigaction(SIGTERM, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
		pb_signals_install(0);
}

static struct run_start marked;
static int have_marked;

static void start_take(struct run_start *s)
{
	s->t = time(NULL);
	s->ns = pb_now_ns();
	s->have_load = getloadavg(s->load, 3) == 3;
	pb_c2c_set_read(&s->c2c_set);
	pb_c2c_measure(&s->c2c_set, &s->c2c);
}

void pb_run_mark_start(void)
{
	start_take(&marked);
	have_marked = 1;
}

struct pb_run *pb_run_create(const char *root, int argc, char **argv, char *err, size_t errlen)
{
	root = pb_results_root(root);
	int rc = pb_mkdir_p(root);
	if (rc) {
		snprintf(err, errlen, "cannot create results folder '%s': %s", root, strerror(-rc));
		return NULL;
	}
	struct pb_run *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	default_signals();
	if (have_marked) { /* taken before the command's work */
		r->start = marked;
		have_marked = 0;
	} else {
		start_take(&r->start);
	}
	char stamp[32];
	utc_stamp(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", r->start.t);
	pb_meta_host(r->host, sizeof(r->host));
	for (int attempt = 0;; attempt++) {
		uint32_t id;
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint32_t)(pb_now_ns() ^ (uint64_t)getpid() * 2654435761u);
		snprintf(r->id, sizeof(r->id), "%06x", id & 0xffffff);
		char name[sizeof(stamp) + sizeof(r->host) + sizeof(r->id) + 2];
		snprintf(name, sizeof(name), "%s-%s-%s", stamp, r->host, r->id);
		pb_path_join(r->dir, sizeof(r->dir), root, name); /* root may end in '/' */
		if (mkdir(r->dir, 0777) == 0)
			break;
		if (errno != EEXIST || attempt > 16) {
			snprintf(err, errlen, "cannot create run folder '%s': %s", r->dir,
				 strerror(errno));
			free(r);
			return NULL;
		}
	}
	r->dir_slot = pb_cleanup_add(r->dir);
	r->argc = argc;
	r->argv = argv;
	r->config = json_object();
	r->na = json_object();
	r->inputs = json_array();
	r->experiments = json_array();
	r->oversub = json_array();
	r->errors = json_array();
	r->thread_rows = 1;
	return r;
}

const char *pb_run_dir(const struct pb_run *run)
{
	return run->dir;
}

const char *pb_run_id(const struct pb_run *run)
{
	return run->id;
}

/* CSV rows written so far, over every CSV of the run. */
static uint64_t run_rows(const struct pb_run *r)
{
	uint64_t rows = 0;
	for (unsigned i = 0; i < r->ncsv; i++)
		rows += r->csv[i].rows;
	return rows;
}

/* The label column's NA (every CSV has one) says why once for the run:
 * when rows were written while it had no label, before a label is set
 * and at the finish, not at every row. */
static void note_label_na(struct pb_run *r, uint64_t rows)
{
	if (!r->label && rows > r->label_rows)
		pb_run_note_na(r, "label", "not set (the run had no --label)");
	r->label_rows = rows;
}

void pb_run_set_label(struct pb_run *r, const char *label)
{
	note_label_na(r, run_rows(r));
	free(r->label);
	r->label = label ? strdup(label) : NULL;
}

void pb_run_config_set(struct pb_run *r, const char *key, json_t *val)
{
	if (val)
		json_object_set_new(r->config, key, val);
}

void pb_run_config_str(struct pb_run *r, const char *key, const char *val)
{
	pb_run_config_set(r, key, pb_json_string_bytes(val));
}

void pb_run_config_json(struct pb_run *r, const char *key, const char *json)
{
	json_error_t e;
	json_t *v = json ? json_loads(json, JSON_DECODE_ANY, &e) : json_null();
	pb_run_config_set(r, key, v ? v : pb_json_string_bytes(json));
}

/* A column NA for several reasons (a total row's and a thread row's, a
 * counter the machine lacks and one a pass skipped) keeps each distinct
 * reason once, in the order noted, joined by "; " (the first alone hid
 * the others: speedup_vs_1_thread said why its thread rows were NA, not
 * that --threads had no 1), by pb_reasons_add's rules: a whole part, not
 * a substring, is noted already, and past NA_REASONS_MAX the text ends in
 * "; ...".  Callers note from every row they write: a repeat is a lookup
 * and a scan of the column's text, no allocation. */
#define NA_REASONS_MAX 2048
void pb_run_note_na(struct pb_run *r, const char *what, const char *reason)
{
	const char *had = json_string_value(json_object_get(r->na, what));
	char both[NA_REASONS_MAX];
	if (!had) {
		json_object_set_new(r->na, what, pb_json_string_bytes(reason));
		return;
	}
	if (!pb_reasons_add(both, sizeof(both), had, reason))
		return;
	/* kept as meta.json writes it (a byte that is not UTF-8 as \xHH):
	 * such a reason never matched above (a whole part of had is UTF-8),
	 * so it is tried again in that form */
	json_t *add = pb_json_string_bytes(reason);
	const char *s = json_string_value(add);
	if (s && (!strcmp(s, reason) || pb_reasons_add(both, sizeof(both), had, s)))
		json_object_set_new(r->na, what, json_string(both));
	json_decref(add);
}

void pb_run_add_input_id(struct pb_run *r, const char *role, const char *path, int64_t size,
			 const char *hash, const char *covers)
{
	json_t *o = json_object();
	json_object_set_new(o, "role", pb_json_string_bytes(role));
	json_object_set_new(o, "path", pb_json_string_bytes(path));
	json_object_set_new(o, "size_bytes", size >= 0 ? json_integer(size) : json_null());
	json_object_set_new(o, "hash", hash ? json_string(hash) : json_null());
	json_object_set_new(o, "hash_covers", json_string(covers));
	json_array_append_new(r->inputs, o);
}

void pb_run_experiment_done(struct pb_run *r, const char *name)
{
	json_array_append_new(r->experiments, pb_json_string_bytes(name));
}

void pb_run_note_oversubscribed(struct pb_run *r, const char *name, unsigned threads, unsigned pus)
{
	json_array_append_new(r->oversub,
			      json_pack("{s:o, s:I, s:I}", "experiment", pb_json_string_bytes(name),
					"threads", (json_int_t)threads, "pus", (json_int_t)pus));
}

void pb_run_set_status(struct pb_run *r, enum pb_run_status st, const char *why)
{
	if (st > r->status)
		r->status = st;
	if (st == PB_RUN_FAILED && why)
		json_array_append_new(r->errors, pb_json_string_bytes(why));
	if (st == PB_RUN_PARTIAL && why && !r->interrupted_by)
		r->interrupted_by = strdup(why);
}

void pb_run_set_thread_rows(struct pb_run *r, int on)
{
	r->thread_rows = on != 0;
}

int pb_run_error(const struct pb_run *r)
{
	return r->err;
}

static void run_write_error(struct pb_run *r, const char *what, int e)
{
	if (r->err)
		return;
	r->err = -(e ? e : EIO);
	snprintf(r->err_what, sizeof(r->err_what), "%s: write failed: %s", what,
		 strerror(e ? e : EIO));
}

/* ---- CSV ---- */
void pb_sb_csv(struct pb_sb *b, const char *s)
{
	/* a byte that is not UTF-8 as \xHH, as meta.json has it (a CSV
	 * reader that decodes UTF-8, Python's, refused the whole file) */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80) {
			struct pb_sb u = {0};
			sb_put_utf8(&u, s);
			if (strcmp(u.s, s)) {
				pb_sb_csv(b, u.s);
				pb_sb_free(&u);
				return;
			}
			pb_sb_free(&u);
			break;
		}
	if (!strpbrk(s, ",\"\n\r")) {
		pb_sb_put(b, s);
		return;
	}
	pb_sb_put(b, "\"");
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		pb_sb_putn(b, s, (size_t)(q - s) + 1); /* up to and with the quote */
		pb_sb_put(b, "\"");		       /* doubled */
	}
	pb_sb_put(b, s);
	pb_sb_put(b, "\"");
}

void pb_csv_fput(FILE *f, const char *s, int last)
{
	struct pb_sb b = {0};
	pb_sb_csv(&b, s ? s : "");
	fputs(b.s ? b.s : "", f);
	pb_sb_free(&b);
	fputc(last ? '\n' : ',', f);
}

static void csv_cell_raw(struct pb_csv *c, const char *s, int quote_if_needed)
{
	if (c->cell++)
		pb_sb_put(&c->row, ",");
	if (quote_if_needed)
		pb_sb_csv(&c->row, s);
	else
		pb_sb_put(&c->row, s);
}

/* Write the assembled row to the file (and echo), flush, check. */
static void csv_put_row(struct pb_csv *c)
{
	struct pb_run *r = c->run;
	if (r->err)
		return; /* the run failed already: nothing more is written */
	errno = 0;
	if (fputs(c->row.s, c->f) == EOF || fflush(c->f) || ferror(c->f)) {
		char what[4300];
		snprintf(what, sizeof(what), "%s/%s", r->dir, c->name);
		run_write_error(r, what, errno);
		return;
	}
	if (c->echo) {
		errno = 0;
		if (fputs(c->row.s, c->echo) == EOF || fflush(c->echo) || ferror(c->echo)) {
			/* The reader went away (`--csv | head -1`): stop echoing;
			 * the files are intact and SIGPIPE, if not ignored, ends
			 * the run as partial.  Any other error fails the run. */
			if (errno == EPIPE)
				for (unsigned i = 0; i < r->ncsv; i++)
					r->csv[i].echo = NULL;
			else
				run_write_error(r, "standard output", errno);
		}
	}
}

/* numeric: schema_version is a number; the others are strings however
 * they look (a run id "434e17", a host "1234") */
static const struct {
	const char *name;
	int numeric;
} lead_cols[] = {{"schema_version", 1}, {"host", 0}, {"label", 0}, {"run_id", 0}};

int pb_run_lead_numeric(const char *name)
{
	for (size_t i = 0; i < PB_ARRAY_SIZE(lead_cols); i++)
		if (!strcmp(lead_cols[i].name, name))
			return lead_cols[i].numeric;
	return -1;
}

struct pb_csv *pb_run_csv(struct pb_run *r, const char *name, const char *const *cols, FILE *echo)
{
	if (r->ncsv == PB_MAX_CSV)
		return NULL;
	struct pb_csv *c = &r->csv[r->ncsv];
	memset(c, 0, sizeof(*c));
	c->run = r;
	snprintf(c->name, sizeof(c->name), "%s", name);
	char path[4096 + 160], err[512];
	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	int rc = pb_out_open(path, 0, &c->out, err, sizeof(err));
	c->f = rc ? NULL : pb_out_stream(c->out);
	if (!c->f) {
		/* a full disk: the run's write error, as for a row (the run
		 * stops, meta.json says failed) */
		run_write_error(r, path, rc ? -rc : ENOMEM);
		pb_out_abort(c->out);
		return NULL;
	}
	r->ncsv++;
	c->echo = echo;
	for (size_t i = 0; i < PB_ARRAY_SIZE(lead_cols); i++) {
		csv_cell_raw(c, lead_cols[i].name, 1);
		c->ncols++;
	}
	for (const char *const *p = cols; *p; p++) {
		csv_cell_raw(c, *p, 1);
		c->ncols++;
	}
	pb_sb_put(&c->row, "\n");
	csv_put_row(c);
	c->row.len = 0;
	c->cell = 0;
	return c;
}

void pb_csv_begin(struct pb_csv *c)
{
	c->row.len = 0;
	if (c->row.s)
		c->row.s[0] = 0;
	c->cell = 0;
	char v[16];
	snprintf(v, sizeof(v), "%d", PB_SCHEMA_VERSION);
	csv_cell_raw(c, v, 0);
	csv_cell_raw(c, c->run->host, 1);
	csv_cell_raw(c, c->run->label ? c->run->label : "NA", 1); /* NA: note_label_na */
	csv_cell_raw(c, c->run->id, 1);
}

void pb_csv_str(struct pb_csv *c, const char *s)
{
	csv_cell_raw(c, s ? s : "NA", 1);
}

void pb_csv_u64(struct pb_csv *c, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	csv_cell_raw(c, buf, 0);
}

void pb_csv_i64(struct pb_csv *c, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	csv_cell_raw(c, buf, 0);
}

void pb_csv_dbl(struct pb_csv *c, double v)
{
	if (isnan(v) || isinf(v)) {
		csv_cell_raw(c, "NA", 0);
		return;
	}
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6g", v);
	csv_cell_raw(c, buf, 0);
}

void pb_csv_na(struct pb_csv *c)
{
	csv_cell_raw(c, "NA", 0);
}

void pb_csv_end(struct pb_csv *c)
{
	if (c->cell != c->ncols) {
		fprintf(stderr, "pagebench: internal error: %s row has %u cells, header has %u\n",
			c->name, c->cell, c->ncols);
		abort();
	}
	pb_sb_put(&c->row, "\n");
	csv_put_row(c);
	c->rows++;
}

int pb_write_file_atomic(const char *path, const void *buf, size_t len)
{
	char err[512];
	return pb_out_write_all(path, PB_OUT_FORCE, buf, len, err, sizeof(err));
}

/* ---- meta.json ---- */
static const char *const status_names[] = {"complete", "partial", "failed"};

static json_t *loadavg_json(const double *v)
{
	return json_pack("[f,f,f]", v[0], v[1], v[2]);
}

static json_t *meta_json(struct pb_run *r)
{
	char started[32], ended[32];
	utc_stamp(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", r->start.t);
	utc_stamp(ended, sizeof(ended), "%Y-%m-%dT%H:%M:%SZ", time(NULL));
	double wall_s = (double)(pb_now_ns() - r->start.ns) / 1e9;
	json_t *m = json_object();
	json_object_set_new(m, "schema_version", json_integer(PB_SCHEMA_VERSION));
	json_object_set_new(m, "status", json_string(status_names[r->status]));
	if (r->interrupted_by)
		json_object_set_new(m, "interrupted_by", pb_json_string_bytes(r->interrupted_by));
	json_object_set(m, "errors", r->errors);
	json_object_set_new(m, "run_id", json_string(r->id));
	json_object_set_new(m, "label", pb_json_string_bytes(r->label));
	json_object_set_new(m, "run_dir", pb_json_string_bytes(r->dir));
	json_t *argv = json_array();
	for (int i = 0; i < r->argc; i++)
		json_array_append_new(argv, pb_json_string_bytes(r->argv[i]));
	json_object_set_new(m, "command_line", argv);
	json_object_set_new(m, "started_utc", json_string(started));
	json_object_set_new(m, "finished_utc", json_string(ended));
	/* from the start (pb_run_mark_start: before the command's work) */
	json_object_set_new(m, "wall_s", json_real(wall_s));
	json_t *files = json_array(); /* the files that are there, not the ones set up */
	for (unsigned i = 0; i < r->ncsv; i++)
		if (r->csv[i].kept)
			json_array_append_new(files, pb_json_string_bytes(r->csv[i].name));
	json_object_set_new(m, "files", files);
	json_object_set(m, "experiments", r->experiments);
	json_object_set(m, "oversubscribed", r->oversub);
	json_object_set(m, "config", r->config);
	json_object_set(m, "inputs", r->inputs);
	json_object_set(m, "not_available", r->na);
	double after[3];
	json_object_set_new(m, "loadavg_before",
			    r->start.have_load ? loadavg_json(r->start.load) : json_null());
	json_object_set_new(m, "loadavg_after",
			    getloadavg(after, 3) == 3 ? loadavg_json(after) : json_null());
	json_object_set_new(m, "counters_setting",
			    pb_json_string_bytes(getenv("PAGEBENCH_COUNTERS")));
	json_t *machine = pb_meta_machine_json();
	/* the machine's fields that could not be read: their reasons join the
	 * run's not_available (m holds r->na itself) */
	const char *mk;
	json_t *mwhy;
	json_object_foreach(json_object_get(machine, "machine_not_available"), mk, mwhy)
	    pb_run_note_na(r, mk, json_string_value(mwhy));
	json_object_del(machine, "machine_not_available");
	json_object_update(m, machine);
	json_decref(machine);
	struct pb_c2c end;
	pb_c2c_measure(&r->start.c2c_set, &end);
	json_object_set_new(m, "cpu_round_trip", pb_c2c_run_json(&r->start.c2c, &end));
	if (pb_c2c_moved(&r->start.c2c, &end, 2.0) && r->thread_rows)
		fprintf(stderr,
			"pagebench: note: the cache-line round trip between CPUs went from %.0f ns "
			"to %.0f ns during this run (on a virtual machine: the host moved its "
			"vCPUs); its thread-scaling rows may not be comparable with each other "
			"(meta.json cpu_round_trip)\n",
			r->start.c2c.median_ns, end.median_ns);
	json_object_set_new(m, "counters", pb_counters_json_obj());
	return m;
}

static int write_meta(struct pb_run *r, char *err, size_t errlen)
{
	json_t *m = meta_json(r);
	char path[4096 + 16];
	snprintf(path, sizeof(path), "%s/meta.json", r->dir);
	int rc = pb_json_write(path, m, JSON_INDENT(2) | JSON_PRESERVE_ORDER, 0, err, errlen);
	json_decref(m);
	return rc;
}

static void run_free(struct pb_run *r)
{
	for (unsigned i = 0; i < r->ncsv; i++) {
		pb_out_abort(r->csv[i].out);
		pb_sb_free(&r->csv[i].row);
	}
	json_decref(r->config);
	json_decref(r->na);
	json_decref(r->inputs);
	json_decref(r->experiments);
	json_decref(r->oversub);
	json_decref(r->errors);
	pb_cleanup_remove(r->dir_slot);
	free(r->label);
	free(r->interrupted_by);
	free(r);
}

/* Remove what this run created: temporaries, final CSVs, meta, folder. */
static void run_remove(struct pb_run *r)
{
	char p[4096 + 160];
	for (unsigned i = 0; i < r->ncsv; i++) {
		if (r->csv[i].out) {
			pb_out_abort(r->csv[i].out);
			r->csv[i].out = NULL;
		} else {
			snprintf(p, sizeof(p), "%s/%s", r->dir, r->csv[i].name);
			unlink(p);
		}
	}
	snprintf(p, sizeof(p), "%s/meta.json", r->dir);
	unlink(p);
	rmdir(r->dir);
}

double pb_run_round_trip_ns(const struct pb_run *r)
{
	return r->start.c2c.median_ns;
}

int pb_run_finish(struct pb_run *r)
{
	char err[600];
	return pb_run_finish_msg(r, err, sizeof(err));
}

int pb_run_finish_msg(struct pb_run *r, char *errout, size_t errlen)
{
	char err[4500] = "";
	if (errlen)
		errout[0] = 0;
	uint64_t rows = run_rows(r);
	if (rows == 0 && r->status != PB_RUN_COMPLETE && !r->err) {
		/* Nothing was measured: leave nothing that looks like a result. */
		run_remove(r);
		run_free(r);
		return -ENODATA;
	}
	note_label_na(r, rows);
	int rc = r->err;
	if (rc)
		snprintf(err, sizeof(err), "%s", r->err_what);
	for (unsigned i = 0; i < r->ncsv && !rc; i++) {
		struct pb_csv *c = &r->csv[i];
		c->f = NULL;
		rc = pb_out_commit(c->out, err, sizeof(err));
		c->kept = !rc;
		c->out = NULL;
	}
	if (rc) {
		/* Keep no CSV: not the one that could not be written whole, nor
		 * the others (an experiment's rows are in several files; with one
		 * missing, none of its rows is all written), and say so in
		 * meta.json if the disk lets us: failed, the error, no file and
		 * no experiment listed that is not there. */
		r->status = PB_RUN_FAILED;
		json_array_append_new(r->errors, pb_json_string_bytes(err));
		char p[4096 + 160];
		for (unsigned i = 0; i < r->ncsv; i++) {
			pb_out_abort(r->csv[i].out);
			r->csv[i].out = NULL;
			snprintf(p, sizeof(p), "%s/%s", r->dir, r->csv[i].name);
			if (r->csv[i].kept)
				unlink(p);
			r->csv[i].kept = 0;
		}
		json_array_clear(r->experiments);
		json_array_clear(r->oversub); /* of the experiments, as listed there */
		char e2[512];
		if (write_meta(r, e2, sizeof(e2)))
			run_remove(r); /* not even meta.json fits: remove the folder */
		snprintf(errout, errlen, "%s", err);
		run_free(r);
		return rc;
	}
	rc = write_meta(r, err, sizeof(err));
	if (rc) {
		snprintf(errout, errlen, "%s", err);
		run_remove(r);
	}
	run_free(r);
	return rc;
}

void pb_run_abort(struct pb_run *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->ncsv; i++) {
		pb_out_abort(r->csv[i].out);
		r->csv[i].out = NULL;
	}
	rmdir(r->dir); /* only succeeds if empty */
	run_free(r);
}
