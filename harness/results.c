/*
 * harness/results.c - run folders, tidy CSV, meta.json, atomic writes.
 *
 * A run folder is created with mkdir(2), which fails if the name exists, so
 * two runs never share a folder (the short id is random; on a collision a
 * new one is drawn).  CSVs stream into "<name>.tmp" and are renamed to
 * "<name>" by pb_run_finish(); meta.json is written last, also via a
 * temporary name.  SIGINT/SIGTERM remove the temporary files of every open
 * run before the process dies, so an interrupted run leaves no half file
 * under a final name.
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
#include "pagebench/results.h"

#define PB_MAX_CSV 8
#define PB_MAX_CFG 128

struct pb_csv {
	struct pb_run *run;
	char name[128];
	char tmp_path[4096 + 16];
	char path[4096 + 16];
	FILE *f;
	FILE *echo;
	unsigned ncols, cell;
	struct pb_sb row;
};

struct pb_run {
	char dir[4096];
	char **argv;
	int argc;
	char started[32];
	struct pb_csv csv[PB_MAX_CSV];
	unsigned ncsv;
	char *cfg_key[PB_MAX_CFG], *cfg_val[PB_MAX_CFG];
	unsigned ncfg;
	struct pb_sb na; /* "what": "reason" pairs */
	char meta_tmp[4096 + 16];
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

void pb_sb_json_str(struct pb_sb *b, const char *s)
{
	if (!s) {
		pb_sb_put(b, "null");
		return;
	}
	pb_sb_put(b, "\"");
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"': pb_sb_put(b, "\\\""); break;
		case '\\': pb_sb_put(b, "\\\\"); break;
		case '\n': pb_sb_put(b, "\\n"); break;
		case '\t': pb_sb_put(b, "\\t"); break;
		case '\r': pb_sb_put(b, "\\r"); break;
		default:
			if (*c < 0x20)
				pb_sb_printf(b, "\\u%04x", *c);
			else
				pb_sb_putn(b, (const char *)c, 1);
		}
	}
	pb_sb_put(b, "\"");
}

void pb_sb_free(struct pb_sb *b)
{
	free(b->s);
	*b = (struct pb_sb){0};
}

/* ---- signal cleanup of temporary files ---- */
#define PB_MAX_OPEN_RUNS 4
static struct pb_run *volatile open_runs[PB_MAX_OPEN_RUNS];

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < PB_MAX_OPEN_RUNS; i++) {
		struct pb_run *r = open_runs[i];
		if (!r)
			continue;
		for (unsigned c = 0; c < r->ncsv; c++)
			unlink(r->csv[c].tmp_path);
		unlink(r->meta_tmp);
		rmdir(r->dir); /* only if nothing else is in it */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track(struct pb_run *r, int add)
{
	static int installed;
	if (add && !installed) {
		struct sigaction sa = {0};
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		installed = 1;
	}
	for (int i = 0; i < PB_MAX_OPEN_RUNS; i++) {
		if (add && !open_runs[i]) {
			open_runs[i] = r;
			return;
		}
		if (!add && open_runs[i] == r)
			open_runs[i] = NULL;
	}
}

/* ---- run ---- */
static int mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0777) && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

static void utc_stamp(char *buf, size_t len, const char *fmt)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

struct pb_run *pb_run_create(const char *root, int argc, char **argv, char *err, size_t errlen)
{
	if (!root)
		root = getenv("PAGEBENCH_RESULTS");
	if (!root || !*root)
		root = "results";
	int rc = mkdir_p(root);
	if (rc) {
		snprintf(err, errlen, "cannot create results folder '%s': %s", root, strerror(-rc));
		return NULL;
	}
	struct pb_run *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char stamp[32], host[64];
	utc_stamp(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ");
	utc_stamp(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ");
	pb_meta_host(host, sizeof(host));
	for (int attempt = 0;; attempt++) {
		uint32_t id;
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint32_t)(pb_now_ns() ^ (uint64_t)getpid() * 2654435761u);
		snprintf(r->dir, sizeof(r->dir), "%s/%s-%s-%06x", root, stamp, host, id & 0xffffff);
		if (mkdir(r->dir, 0777) == 0)
			break;
		if (errno != EEXIST || attempt > 16) {
			snprintf(err, errlen, "cannot create run folder '%s': %s", r->dir,
				 strerror(errno));
			free(r);
			return NULL;
		}
	}
	r->argc = argc;
	r->argv = argv;
	snprintf(r->meta_tmp, sizeof(r->meta_tmp), "%s/meta.json.tmp", r->dir);
	track(r, 1);
	return r;
}

const char *pb_run_dir(const struct pb_run *run)
{
	return run->dir;
}

static void cfg_set(struct pb_run *r, const char *key, char *json)
{
	for (unsigned i = 0; i < r->ncfg; i++) {
		if (!strcmp(r->cfg_key[i], key)) {
			free(r->cfg_val[i]);
			r->cfg_val[i] = json;
			return;
		}
	}
	if (r->ncfg == PB_MAX_CFG) {
		free(json);
		return;
	}
	r->cfg_key[r->ncfg] = strdup(key);
	r->cfg_val[r->ncfg++] = json;
}

void pb_run_config_str(struct pb_run *r, const char *key, const char *val)
{
	struct pb_sb b = {0};
	pb_sb_json_str(&b, val);
	cfg_set(r, key, b.s);
}

void pb_run_config_json(struct pb_run *r, const char *key, const char *json)
{
	cfg_set(r, key, strdup(json));
}

void pb_run_note_na(struct pb_run *r, const char *what, const char *reason)
{
	/* Keep the first reason recorded for each item. */
	if (r->na.s) {
		struct pb_sb k = {0};
		pb_sb_json_str(&k, what);
		pb_sb_put(&k, ":");
		int dup = strstr(r->na.s, k.s) != NULL;
		pb_sb_free(&k);
		if (dup)
			return;
	}
	pb_sb_put(&r->na, r->na.len ? ",\n    " : "\n    ");
	pb_sb_json_str(&r->na, what);
	pb_sb_put(&r->na, ": ");
	pb_sb_json_str(&r->na, reason);
}

static void csv_cell_raw(struct pb_csv *c, const char *s, int quote_if_needed)
{
	if (c->cell++)
		pb_sb_put(&c->row, ",");
	if (quote_if_needed && strpbrk(s, ",\"\n\r")) {
		pb_sb_put(&c->row, "\"");
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				pb_sb_put(&c->row, "\"");
			pb_sb_putn(&c->row, p, 1);
		}
		pb_sb_put(&c->row, "\"");
	} else {
		pb_sb_put(&c->row, s);
	}
}

struct pb_csv *pb_run_csv(struct pb_run *r, const char *name, const char *const *cols, FILE *echo)
{
	if (r->ncsv == PB_MAX_CSV)
		return NULL;
	struct pb_csv *c = &r->csv[r->ncsv];
	memset(c, 0, sizeof(*c));
	c->run = r;
	snprintf(c->name, sizeof(c->name), "%s", name);
	char dir[sizeof(r->dir)];
	memcpy(dir, r->dir, sizeof(dir));
	snprintf(c->path, sizeof(c->path), "%s/%s", dir, name);
	snprintf(c->tmp_path, sizeof(c->tmp_path), "%s/%s.tmp", dir, name);
	c->f = fopen(c->tmp_path, "w");
	if (!c->f)
		return NULL;
	r->ncsv++;
	c->echo = echo;
	c->ncols = 1;
	csv_cell_raw(c, "schema_version", 1);
	for (const char *const *p = cols; *p; p++) {
		csv_cell_raw(c, *p, 1);
		c->ncols++;
	}
	pb_sb_put(&c->row, "\n");
	fputs(c->row.s, c->f);
	if (c->echo) {
		fputs(c->row.s, c->echo);
		fflush(c->echo);
	}
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
	fputs(c->row.s, c->f);
	if (c->echo) {
		fputs(c->row.s, c->echo);
		fflush(c->echo);
	}
}

int pb_write_file_atomic(const char *path, const void *buf, size_t len)
{
	char tmp[4096 + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	const char *p = buf;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			close(fd);
			unlink(tmp);
			return e;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) || close(fd)) {
		int e = -errno;
		unlink(tmp);
		return e;
	}
	if (rename(tmp, path)) {
		int e = -errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

static char *meta_json(struct pb_run *r)
{
	struct pb_sb b = {0};
	char ended[32];
	utc_stamp(ended, sizeof(ended), "%Y-%m-%dT%H:%M:%SZ");
	pb_sb_printf(&b, "{\n  \"schema_version\": %d,\n", PB_SCHEMA_VERSION);
	pb_sb_put(&b, "  \"run_dir\": ");
	pb_sb_json_str(&b, r->dir);
	pb_sb_put(&b, ",\n  \"command_line\": [");
	for (int i = 0; i < r->argc; i++) {
		if (i)
			pb_sb_put(&b, ", ");
		pb_sb_json_str(&b, r->argv[i]);
	}
	pb_sb_printf(&b, "],\n  \"started_utc\": \"%s\",\n  \"finished_utc\": \"%s\",\n",
		     r->started, ended);
	pb_sb_put(&b, "  \"files\": [");
	for (unsigned i = 0; i < r->ncsv; i++) {
		if (i)
			pb_sb_put(&b, ", ");
		pb_sb_json_str(&b, r->csv[i].name);
	}
	pb_sb_put(&b, "],\n  \"config\": {");
	for (unsigned i = 0; i < r->ncfg; i++) {
		pb_sb_put(&b, i ? ",\n    " : "\n    ");
		pb_sb_json_str(&b, r->cfg_key[i]);
		pb_sb_printf(&b, ": %s", r->cfg_val[i]);
	}
	pb_sb_put(&b, r->ncfg ? "\n  },\n" : "},\n");
	pb_sb_printf(&b, "  \"not_available\": {%s%s},\n", r->na.len ? r->na.s : "",
		     r->na.len ? "\n  " : "");
	pb_meta_machine(&b);
	char *ctr = pb_counters_json();
	pb_sb_put(&b, "  \"counters\": ");
	pb_sb_put(&b, ctr ? ctr : "null");
	free(ctr);
	pb_sb_put(&b, "\n}\n");
	return b.s;
}

static void run_free(struct pb_run *r)
{
	track(r, 0);
	for (unsigned i = 0; i < r->ncsv; i++)
		pb_sb_free(&r->csv[i].row);
	for (unsigned i = 0; i < r->ncfg; i++) {
		free(r->cfg_key[i]);
		free(r->cfg_val[i]);
	}
	pb_sb_free(&r->na);
	free(r);
}

int pb_run_finish(struct pb_run *r)
{
	int rc = 0;
	for (unsigned i = 0; i < r->ncsv; i++) {
		struct pb_csv *c = &r->csv[i];
		if (fflush(c->f) || fsync(fileno(c->f)))
			rc = rc ? rc : -errno;
		fclose(c->f);
		c->f = NULL;
		if (!rc && rename(c->tmp_path, c->path))
			rc = -errno;
	}
	if (!rc) {
		char *m = meta_json(r);
		char path[4096 + 16];
		snprintf(path, sizeof(path), "%s/meta.json", r->dir);
		rc = pb_write_file_atomic(path, m, strlen(m));
		free(m);
	}
	if (rc)
		for (unsigned i = 0; i < r->ncsv; i++)
			unlink(r->csv[i].tmp_path);
	run_free(r);
	return rc;
}

void pb_run_abort(struct pb_run *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->ncsv; i++) {
		if (r->csv[i].f)
			fclose(r->csv[i].f);
		unlink(r->csv[i].tmp_path);
	}
	unlink(r->meta_tmp);
	rmdir(r->dir); /* only succeeds if empty */
	run_free(r);
}
