/* SPDX-License-Identifier: MIT */
/*
 * tests/pbtest.h - a minimal test framework: checks that can fail, a
 * summary line, and exit codes CTest understands (0 pass, 1 fail, 77 skip).
 *
 *   PB_CHECK(cond)            record a failure (with file:line) and go on
 *   PB_CHECK_EQ_U64(a, b)     compare and print both values on failure
 *   PB_SKIP("reason")         exit 77: skipped, with the reason printed
 *   return pb_test_done();    prints "N passed, N failed" and the exit code
 */
#ifndef PAGEBENCH_TESTS_PBTEST_H
#define PAGEBENCH_TESTS_PBTEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned pb_test_pass_, pb_test_fail_;

#define PB_CHECK(cond)                                                                             \
	do {                                                                                       \
		if (cond) {                                                                        \
			pb_test_pass_++;                                                           \
		} else {                                                                           \
			pb_test_fail_++;                                                           \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
		}                                                                                  \
	} while (0)

#define PB_CHECK_MSG(cond, ...)                                                                    \
	do {                                                                                       \
		if (cond) {                                                                        \
			pb_test_pass_++;                                                           \
		} else {                                                                           \
			pb_test_fail_++;                                                           \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

#define PB_CHECK_EQ_U64(a, b)                                                                      \
	do {                                                                                       \
		uint64_t pb_a_ = (uint64_t)(a), pb_b_ = (uint64_t)(b);                             \
		if (pb_a_ == pb_b_) {                                                              \
			pb_test_pass_++;                                                           \
		} else {                                                                           \
			pb_test_fail_++;                                                           \
			fprintf(stderr, "FAIL %s:%d: %s == %s: %" PRIu64 " != %" PRIu64 "\n",      \
				__FILE__, __LINE__, #a, #b, pb_a_, pb_b_);                         \
		}                                                                                  \
	} while (0)

#define PB_SKIP(reason)                                                                            \
	do {                                                                                       \
		printf("SKIP: %s\n", (reason));                                                    \
		exit(77);                                                                          \
	} while (0)

static inline int pb_test_done(void)
{
	printf("%u passed, %u failed\n", pb_test_pass_, pb_test_fail_);
	return pb_test_fail_ ? 1 : 0;
}

/*
 * Shared helpers of the tests (one copy each):
 *   pbt_traces_dir()   the shared traces: $PAGEBENCH_TRACES, else ../shared/traces beside
 *                      the source tree (PB_SOURCE_DIR, set by pb_add_test); NULL if absent
 *   pbt_tmpdir(buf)    a fresh temporary folder under $TMPDIR (else /tmp)
 *   pbt_rmtree(path)   remove a folder and all in it (no shell: any path, any length)
 *   pbt_glob_one(pat)  the one path a glob pattern matches (a run's file)
 *   pbt_run_dirs(root) how many entries a results root holds, the last one's path
 *   pbt_blocked_path(buf, top, want)  a long path (folders of 100 characters, then a
 *                      regular file in the way) that nothing can be made at: ENOTDIR
 *   pbt_event_sum(root, kernel, event, skip_warmup)  an event's total over the run's
 *                      events.csv (where pagebench/csvread.h is included before this)
 *   pbt_as_old_pager_run(dir, path)  run folder dir's uffd-pager rows as a run made
 *                      before 2026-12-07 wrote them, latency_csv=path in their params
 *                      and experiment (where pagebench/csvread.h is included before this)
 *   pbt_run(bin, root, o, dir, len, WORDS..., NULL)  `bin WORDS... --results root`, a
 *                      command that makes one run folder under root (`pagebench run ...`),
 *                      run to its end (tests/spawn.h): its exit code, the folder in dir
 *                      ("" for none or several)
 *   pbt_meta(dir)      a run folder's meta.json, read with jansson (a key given twice
 *                      refused): a new reference, or NULL and a failed check saying why
 *   pbt_run_meta(bin, root, o, dir, len, WORDS..., NULL)  pbt_run that must exit 0 with
 *                      one run folder (else a failed check with the command line and its
 *                      stderr), then pbt_meta; dir may be NULL
 *   pbt_run_meta_env(bin, env, root, o, dir, len, WORDS..., NULL)  pbt_run_meta with env
 *                      ("K=V" entries, NULL-terminated) set for the command (NULL: as
 *                      the test's own, what pbt_run_meta does)
 *   pbt_start(argv, errfd)  a command started in the background, its stdout to /dev/null
 *                      and its stderr to errfd (-1: /dev/null): its pid, to signal and reap
 * A whole file: pb_slurp (pagebench/common.h).
 * CSV files are read with the project's own reader (pagebench/csvread.h) and JSON with
 * jansson: no test carries a splitter of its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"

#ifndef PB_SOURCE_DIR
#define PB_SOURCE_DIR "."
#endif

static inline const char *pbt_traces_dir(void)
{
	static char root[2048];
	struct stat sb;
	const char *env = getenv("PAGEBENCH_TRACES");
	if (env && *env)
		snprintf(root, sizeof(root), "%s", env);
	else
		snprintf(root, sizeof(root), "%s/../shared/traces", PB_SOURCE_DIR);
	return stat(root, &sb) == 0 && S_ISDIR(sb.st_mode) ? root : NULL;
}

/* The one path that glob pattern matches, in buf: 0, or -1 for none or
 * several (a file of the one run under a results root: the root, a
 * wildcard folder, the file name). */
static inline int pbt_glob_one(const char *pattern, char *buf, size_t len)
{
	glob_t g;
	int rc = -1;
	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1 &&
	    (size_t)snprintf(buf, len, "%s", g.gl_pathv[0]) < len)
		rc = 0;
	globfree(&g);
	return rc;
}

/* How many entries root holds (0 if it does not exist); the last one's
 * path into out: the run folder, where root holds one run. */
static inline int pbt_run_dirs(const char *root, char *out, size_t len)
{
	DIR *d = opendir(root);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(out, len, "%.3800s/%.255s", root, e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

/* Write text as the whole file path (a suite, a small trace), checked. */
static inline void pbt_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	PB_CHECK_MSG(f != NULL, "cannot write %s", path);
	if (f) {
		fputs(text, f);
		PB_CHECK(fclose(f) == 0);
	}
}

static inline char *pbt_tmpdir(char *buf, size_t len, const char *tag)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, len, "%s/pb_%s_XXXXXX", t && *t ? t : "/tmp", tag);
	return mkdtemp(buf);
}

/* Remove name (under the folder dfd) and, if it is a folder, all in it,
 * links not followed: 0, or -1 when something stayed. */
static inline int pbt_rmtree_at_(int dfd, const char *name)
{
	int rc = 0, fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return unlinkat(dfd, name, 0);
	DIR *d = fdopendir(fd);
	struct dirent *e;
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc |= pbt_rmtree_at_(fd, e->d_name);
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR) | rc;
}

/* rm -rf path, without a shell: 0, or -1 when something stayed. */
static inline int pbt_rmtree(const char *path)
{
	return pbt_rmtree_at_(AT_FDCWD, path);
}

/*
 * A path of `want` characters under top that cannot be made: folders named
 * with 100 characters nested as deep as want allows, then a regular file
 * "file" where a folder should be, then a name that pads the path to want
 * ("TOP/0000.../1000.../file/xxx"): opening, creating or making a folder
 * at it (or below it) fails with ENOTDIR ("Not a directory").  The folders
 * and the file are made (they may exist); buf (len > want), or NULL when
 * they cannot be or top leaves no room for one folder within want.
 */
static inline char *pbt_blocked_path(char *buf, size_t len, const char *top, size_t want)
{
	size_t n = (size_t)snprintf(buf, len, "%s", top);
	int dirs = 0;
	if (want >= len || n + 101 + 7 > want)
		return NULL;
	for (; n + 101 + 7 <= want; dirs++) {
		n += (size_t)snprintf(buf + n, len - n, "/%d%0*d", dirs % 10, 99, 0);
		if (mkdir(buf, 0700) && errno != EEXIST)
			return NULL;
	}
	n += (size_t)snprintf(buf + n, len - n, "/file");
	FILE *f = fopen(buf, "a");
	if (!f || fclose(f))
		return NULL;
	buf[n++] = '/';
	while (n < want)
		buf[n++] = 'x';
	buf[n] = 0;
	return buf;
}

/* The words of argv joined by spaces, for a message (cut at 1 KiB). */
static inline const char *pbt_argv_text_(char *const argv[])
{
	static char s[1024];
	size_t n = 0;
	s[0] = 0;
	for (int i = 0; argv[i] && n < sizeof(s); i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%s", i ? " " : "", argv[i]);
	return s;
}

/* bin with the words of ap (at most 34), then --results root, run to its
 * end into *o with env's "K=V" entries added to its environment (NULL:
 * the test's own, inherited), the command line into argv (40 entries);
 * the one entry it left under root, its run folder, into dir (len bytes;
 * "" when there are none or several).  Returns the exit code (128+N:
 * signal N). */
static inline int pbt_runv_(char *argv[40], const char *bin, char *const env[], const char *root,
			    struct spawn_out *o, char *dir, size_t len, va_list ap)
{
	int n = 0;
	argv[n++] = (char *)bin;
	for (const char *w; n < 35 && (w = va_arg(ap, const char *));)
		argv[n++] = (char *)w;
	argv[n++] = "--results";
	argv[n++] = (char *)root;
	argv[n] = NULL;
	spawn_run(argv, env, o);
	if (pbt_run_dirs(root, dir, len) != 1)
		dir[0] = 0;
	return o->code;
}

/* `bin WORDS... --results root` (the words NULL-terminated: a command that
 * makes one run folder under root, `pagebench run ...`) run to its end
 * into *o: its exit code, the run folder in dir ("" for none or several). */
__attribute__((sentinel)) static inline int pbt_run(const char *bin, const char *root,
						    struct spawn_out *o, char *dir, size_t len, ...)
{
	char *argv[40];
	va_list ap;
	va_start(ap, len);
	int code = pbt_runv_(argv, bin, NULL, root, o, dir, len, ap);
	va_end(ap);
	return code;
}

/* dir's meta.json read with jansson, a key given twice refused (pagebench
 * writes none): a new reference, or NULL and a failed check naming the
 * file and what is wrong with it. */
static inline json_t *pbt_meta(const char *dir)
{
	char path[4600];
	snprintf(path, sizeof(path), "%.4500s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	PB_CHECK_MSG(m != NULL, "%s:%d: %s", path, je.line, je.text);
	return m;
}

/* pbt_run_meta and pbt_run_meta_env: the run of ap with env (pbt_runv_). */
static inline json_t *pbt_run_metav_(const char *bin, char *const env[], const char *root,
				     struct spawn_out *o, char *dir, size_t len, va_list ap)
{
	char own[4400], *argv[40];
	if (!dir) {
		dir = own;
		len = sizeof(own);
	}
	int code = pbt_runv_(argv, bin, env, root, o, dir, len, ap);
	PB_CHECK_MSG(code == 0 && dir[0], "%s: exit %d, %s: %s", pbt_argv_text_(argv), code,
		     dir[0] ? "one run folder" : "no run folder (or several)", o->err);
	return code == 0 && dir[0] ? pbt_meta(dir) : NULL;
}

/* pbt_run of a run that must succeed: exit 0 and one run folder (else a
 * failed check with the command line and its stderr, and NULL), then that
 * folder's meta.json (pbt_meta).  dir (len bytes) gets the folder; NULL
 * where the caller needs only meta.json. */
__attribute__((sentinel)) static inline json_t *
pbt_run_meta(const char *bin, const char *root, struct spawn_out *o, char *dir, size_t len, ...)
{
	va_list ap;
	va_start(ap, len);
	json_t *m = pbt_run_metav_(bin, NULL, root, o, dir, len, ap);
	va_end(ap);
	return m;
}

/* pbt_run_meta with env's "K=V" entries (NULL-terminated) added to the
 * command's environment (NULL: the test's own), for a setting the command
 * must see and the test itself must not keep (PAGEBENCH_COUNTERS=sw). */
__attribute__((sentinel)) static inline json_t *pbt_run_meta_env(const char *bin, char *const env[],
								 const char *root,
								 struct spawn_out *o, char *dir,
								 size_t len, ...)
{
	va_list ap;
	va_start(ap, len);
	json_t *m = pbt_run_metav_(bin, env, root, o, dir, len, ap);
	va_end(ap);
	return m;
}

/* argv (NULL-terminated; argv[0] a path) started in the background with
 * its stdout on /dev/null and its stderr on errfd (-1: /dev/null, too):
 * its pid (-1 if fork failed), for the caller to signal and waitpid. */
static inline pid_t pbt_start(char *const argv[], int errfd)
{
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(errfd >= 0 ? errfd : devnull, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

#ifdef PAGEBENCH_CSVREAD_H
/* KERNEL's EVENT summed over the total rows of events.csv in the one run
 * folder under root, repetition 0 (the warm-up) left out when skip_warmup;
 * -1 if it cannot be read. */
static inline long long pbt_event_sum(const char *root, const char *kernel, const char *event,
				      int skip_warmup)
{
	char pat[4300], path[4300], err[256];
	snprintf(pat, sizeof(pat), "%s/*/events.csv", root);
	struct pb_csv t;
	if (pbt_glob_one(pat, path, sizeof(path)) || pb_csv_read_file(path, &t, err, sizeof(err)))
		return -1;
	long long sum = 0;
	for (size_t r = 0; r < t.nrows; r++)
		if (!strcmp(pb_csv_get(&t, r, "kernel"), kernel) &&
		    (!skip_warmup || strcmp(pb_csv_get(&t, r, "rep"), "0")) &&
		    !strcmp(pb_csv_get(&t, r, "thread"), "total") &&
		    !strcmp(pb_csv_get(&t, r, "event"), event))
			sum += atoll(pb_csv_get(&t, r, "value"));
	pb_csv_free(&t);
	return sum;
}

/* One CSV cell of the parts joined, quoted as RFC 4180 wants, then a
 * comma (more) or the line's end. */
static inline void pbt_csv_cell_(FILE *w, const char *const *parts, size_t n, int more)
{
	fputc('"', w);
	for (size_t i = 0; i < n; i++)
		for (const char *v = parts[i]; *v; v++) {
			if (*v == '"')
				fputc('"', w);
			fputc(*v, w);
		}
	fputs(more ? "\"," : "\"\n", w);
}

/* path's CSV, read with the project's reader and written back whole,
 * every cell quoted as RFC 4180 wants: cell (row, set_col) = val where
 * set_col is not NULL, and without the rows whose drop_col is drop_val
 * where drop_col is not NULL.  How many rows it dropped, or -1 with a
 * failed check (unreadable, no such column or row, not writable). */
static inline long pbt_csv_rewrite(const char *path, const char *set_col, size_t row,
				   const char *val, const char *drop_col, const char *drop_val)
{
	struct pb_csv t;
	char err[512];
	if (pb_csv_read_file(path, &t, err, sizeof(err))) {
		PB_CHECK_MSG(0, "%s", err);
		return -1;
	}
	int cs = set_col ? pb_csv_col(&t, set_col) : -1,
	    cd = drop_col ? pb_csv_col(&t, drop_col) : -1;
	long dropped = 0;
	FILE *w = (!set_col || (cs >= 0 && row < t.nrows)) && (!drop_col || cd >= 0)
		      ? fopen(path, "w")
		      : NULL;
	PB_CHECK_MSG(w != NULL, "%s: no column %s or row %zu, or not writable", path,
		     set_col && cs < 0 ? set_col
		     : drop_col	       ? drop_col
				       : "",
		     row);
	for (size_t r = 0; w && r <= t.nrows; r++) {
		if (r && cd >= 0 && !strcmp(pb_csv_cell(&t, r - 1, cd), drop_val)) {
			dropped++;
			continue;
		}
		for (size_t c = 0; c < t.ncols; c++) {
			const char *v = r ? pb_csv_cell(&t, r - 1, (int)c) : t.header[c];
			if (r && r - 1 == row && (int)c == cs)
				v = val;
			pbt_csv_cell_(w, &v, 1, c + 1 < t.ncols);
		}
	}
	int ok = w && fclose(w) == 0;
	PB_CHECK_MSG(!w || ok, "%s: cannot write it back", path);
	pb_csv_free(&t);
	return ok ? dropped : -1;
}

/* path's CSV without the rows whose col is val (pbt_csv_rewrite): how
 * many it dropped, or -1 */
static inline long pbt_csv_drop(const char *path, const char *col, const char *val)
{
	return pbt_csv_rewrite(path, NULL, 0, NULL, col, val);
}

/* path's CSV with cell (row, col) = val (pbt_csv_rewrite): 0 or -1 */
static inline int pbt_csv_set(const char *path, size_t row, const char *col, const char *val)
{
	return pbt_csv_rewrite(path, col, row, val, NULL, NULL) < 0 ? -1 : 0;
}

/* Run folder dir as a run made before 2026-12-07 (PB_PF_NOIDENT) wrote
 * it: each uffd-pager row of its runs.csv and summary.csv (those it has: a
 * hand-made stand-in may have summary.csv alone) gets ",latency_csv=PATH"
 * after its params, in params and in experiment ("uffd-pager:PARAMS"),
 * read with the project's CSV reader and written back whole.  meta.json
 * is left as it is (its experiments are the caller's).  How many files it
 * rewrote. */
static inline int pbt_as_old_pager_run(const char *dir, const char *path)
{
	static const char *const files[] = {"runs.csv", "summary.csv"};
	int done = 0;
	for (size_t f = 0; f < 2; f++) {
		char p[4600], err[512];
		snprintf(p, sizeof(p), "%.4500s/%s", dir, files[f]);
		struct pb_csv t;
		if (access(p, F_OK))
			continue;
		if (pb_csv_read_file(p, &t, err, sizeof(err))) {
			PB_CHECK_MSG(0, "%s", err);
			continue;
		}
		int ce = pb_csv_col(&t, "experiment"), cp = pb_csv_col(&t, "params"),
		    ck = pb_csv_col(&t, "kernel");
		FILE *w = ce >= 0 && cp >= 0 && ck >= 0 ? fopen(p, "w") : NULL;
		PB_CHECK_MSG(w != NULL,
			     "%s: no experiment, params or kernel column, or not writable", p);
		for (size_t r = 0; w && r <= t.nrows; r++)
			for (size_t c = 0; c < t.ncols; c++) {
				const char *v = r ? pb_csv_cell(&t, r - 1, (int)c) : t.header[c];
				const char *pp = r ? pb_csv_cell(&t, r - 1, cp) : "";
				const char *const old[] = {(int)c == ce ? "uffd-pager:" : "", pp,
							   *pp ? "," : "", "latency_csv=", path};
				int pager = r &&
					    !strcmp(pb_csv_cell(&t, r - 1, ck), "uffd-pager") &&
					    ((int)c == ce || (int)c == cp);
				pbt_csv_cell_(w, pager ? old : &v, pager ? 5 : 1, c + 1 < t.ncols);
			}
		if (w) {
			PB_CHECK(fclose(w) == 0);
			done++;
		}
		pb_csv_free(&t);
	}
	return done;
}
#endif

#endif
