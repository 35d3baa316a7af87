/* SPDX-License-Identifier: MIT */
/*
 * harness/internal.h - helpers private to the harness: a growable string
 * buffer with JSON escaping, the entries of a "k=v,k=v" list, the machine
 * description, heap statistics and robust statistics.
 */
#ifndef PAGEBENCH_HARNESS_INTERNAL_H
#define PAGEBENCH_HARNESS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pagebench/common.h"

struct pb_sb {
	char *s;
	size_t len, cap;
};
void pb_sb_put(struct pb_sb *b, const char *s);
void pb_sb_putn(struct pb_sb *b, const char *s, size_t n);
void pb_sb_printf(struct pb_sb *b, const char *fmt, ...) PB_PRINTF(2, 3);
void pb_sb_free(struct pb_sb *b);
/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 (an
 * overlong form, a surrogate, above U+10FFFF, a stray byte). */
size_t pb_utf8_len(const unsigned char *s);
/* s as one CSV field (RFC 4180): quoted, its quotes doubled, when it holds
 * a comma, a quote or a line break; else as it is.  A byte that is not
 * UTF-8 is written as the four characters \xHH, as meta.json writes it. */
void pb_sb_csv(struct pb_sb *b, const char *s);
/* The same to f (NULL: empty), then ',' or, last, '\n' (the comparison's
 * CSVs, written whole by stdio). */
void pb_csv_fput(FILE *f, const char *s, int last);
/* w as one word of a POSIX shell line: as it is when it is not empty and
 * every character is a letter, a digit or one of -_.,:=/+@%; else in
 * single quotes, each ' in it written '\'' (a suite task's text, the
 * command line a figure's sidecar records). */
void pb_sb_shell(struct pb_sb *b, const char *w);

/* j as JSON text (json_dumps with dump_flags) and a newline, written to
 * path whole through pb_out_write_all (out_flags: PB_OUT_FORCE replaces an
 * existing file); 0 or -errno with a message naming path in err. */
int pb_json_write(const char *path, json_t *j, size_t dump_flags, unsigned out_flags, char *err,
		  size_t errlen);

/*
 * The entries of a "k=v,k=v" list (--param), in order: each is the text up
 * to the next ',' (nothing is quoted or escaped: a value holds no comma).
 * An empty entry (",,", a leading ',') is one; the list's end is none ("",
 * and "a=1," has one).  Start with e zeroed:
 *   for (struct pb_kv e = {0}; pb_kv_next(list, &e);)  e.s[0..e.len)
 * The key is e.s[0..e.klen), up to the first '=' (e.klen == e.len: none).
 */
struct pb_kv {
	const char *s;
	size_t len, klen;
};
int pb_kv_next(const char *list, struct pb_kv *e);
/* 1 if list, a comma list, is "" or has an empty entry (a leading, a
 * doubled or a trailing ','; pb_kv_next gives the first two as entries of
 * length 0 and ends the walk at the last): for an option whose entries
 * must all be named. */
int pb_list_has_empty(const char *list);
/* pb_kv_append (pagebench/cli.h) of v's first n bytes. */
int pb_kv_appendn(char **kv, const char *v, size_t n);

/*
 * A list of reasons joined by "; " (a column's NA reasons in meta.json
 * not_available, a counter's in its counters.columns entry): why added
 * to had, the list so far ("" or NULL: none), into out (cap bytes; out
 * may be had itself, appended in place).  Unless why already stands in
 * had as a whole "; "-separated part: a shorter reason inside a longer one
 * ("no PMU" in "no PMU here") is one of its own.  A reason is added only
 * with room left for the mark "; ..." after it; one that does not fit
 * ends the list in that mark instead, once ("..." where the list was
 * empty), so a reason is never dropped unsaid.  1 when out holds the new
 * list; 0 when had stands as it is (why noted already, empty, or left out
 * after the mark), out not written: a repeated note is a scan of had, with
 * no copy and no allocation.
 */
int pb_reasons_add(char *out, size_t cap, const char *had, const char *why);

/* mkdir -p: path and its parents (mode 0777 less the umask); 0, or -errno of
 * the first that could not be made (an existing one is fine, whatever it is:
 * callers that need a folder check). */
int pb_mkdir_p(const char *path);
/* v[0..n) with each value once, the first of each kept in the order given
 * (n log n: a --frames of many ranges); the new count. */
size_t pb_u64_unique_stable(uint64_t *v, size_t n);
/* The results root a run folder goes in: root (--results), else
 * $PAGEBENCH_RESULTS, else ./results (pb_run_create's, the checks' and
 * suite --slurm's preview). */
const char *pb_results_root(const char *root);
/* Whether path can hold files this process makes, nothing made: 0 when it
 * is a folder it may write in, or is missing and the nearest folder above
 * it that exists is one (pb_mkdir_p makes the rest); else -errno (-ENOTDIR
 * for a regular file on the way or a dangling symbolic link). */
int pb_dir_creatable(const char *path);
/* The results root (pb_results_root) checked before a command's work, nothing
 * made: a folder this process may create its run folder in, or one that
 * pb_run_create can make (the nearest folder above it that exists is one
 * it may write in).  0, or -errno with one line naming the root in err (a
 * root of up to 4095 bytes fits in 4300). */
int pb_results_root_check(const char *root, char *err, size_t errlen);

/* The separator between folder dir and a name in it: "/", or "" where
 * dir ends in one already ("out/" + "run": "out/run", not "out//run", a
 * user's --results out/) or is "" (the name alone).  The one rule every
 * join of a user's folder and a name follows (pb_path_join, compare's
 * cmp_path). */
const char *pb_path_sep(const char *dir);
/* dir, pb_path_sep(dir) and name into buf (len bytes).  snprintf's
 * return: the length it needed (>= len: cut). */
int pb_path_join(char *buf, size_t len, const char *dir, const char *name);

/*
 * An experiment's label, "KERNEL[:PARAMS] threads=T" (meta.json's
 * experiments; with why not NULL, ": WHY" after it: its errors), PARAMS
 * as its rows' params column has them (pb_param_identity: the --param
 * less what only says where output goes); no ':' where PARAMS is "".
 * malloc'ed, NULL without memory.  harness/measure.c writes it, compare
 * reads it back with pb_experiment_parse: one pair, so the two stay in
 * step.
 */
char *pb_experiment_label(const char *kernel, const char *params, unsigned threads,
			  const char *why);
/* A label of pb_experiment_label without a why, split: the kernel is the
 * text up to the first ':' (kernel names have none), PARAMS the rest up to
 * the last " threads=" (a value may hold ' ', ':', '=' and " threads="
 * itself: the label's own is always last), T its decimal digits to the
 * end.  Spans into label.  0, or -EINVAL (no " threads=", T not a number
 * that fits, an empty kernel). */
struct pb_experiment_id {
	const char *kernel, *params;
	size_t klen, plen;
	unsigned threads;
};
int pb_experiment_parse(const char *label, struct pb_experiment_id *out);

/* v by fmt (one double conversion) into buf, or "NA" where v is NaN or
 * infinite (a median no repetition gave, a ratio of one): what a table on
 * stderr prints, as the CSVs write NA. */
void pb_fmt_num_na(char *buf, size_t len, double v, const char *fmt);

/* A series or machine name: base, or "base (2)", "base (3)", ... the first
 * that none of taken[0..n) is (two guests both called "vm" stay two). */
void pb_name_unique(char *out, size_t len, const char *base, char *const *taken, size_t n);

/* Machine description for meta.json: a new object of top-level fields
 * (host, cpu_model, kernel, build, libraries, topology ...). */
json_t *pb_meta_machine_json(void);
/* Short host name (sanitised for a folder name). */
void pb_meta_host(char *buf, size_t len);

/* Where hwloc's tree comes from, as pb_topo_init reads the environment
 * (topo.c): a non-empty HWLOC_SYNTHETIC wins over HWLOC_XMLFILE, and an
 * empty variable counts as unset.  SYNTHETIC or XML with the variable's
 * value in *val, or NONE (this system's; *val NULL). */
enum pb_topo_env { PB_TOPO_ENV_NONE, PB_TOPO_ENV_SYNTHETIC, PB_TOPO_ENV_XML };
enum pb_topo_env pb_topo_env_source(const char **val);

/* The cache-line round trip between CPUs (c2c.c): the home CPU (the first
 * the process may run on) with up to PB_C2C_MAX_PAIRS partners. */
#define PB_C2C_MAX_PAIRS 8
struct pb_c2c {
	int ncpus, home;		  /* CPUs the process may run on; the home CPU */
	unsigned npairs;		  /* partners tried */
	int cpu[PB_C2C_MAX_PAIRS];	  /* partner CPU (OS index) */
	double ns[PB_C2C_MAX_PAIRS];	  /* its round trip in ns; NAN: not measured */
	double min_ns, median_ns, max_ns; /* over the measured pairs; NAN: none */
	char na[128];			  /* why nothing was measured ("" if measured) */
};
/* The CPUs to measure: the home CPU (the first of the process's affinity
 * mask) and up to PB_C2C_MAX_PAIRS partners sampled evenly over the rest
 * (the next and the last always among them). */
struct pb_c2c_set {
	int ncpus;  /* CPUs in the mask (0: unreadable) */
	unsigned n; /* cpu[] entries: home + partners */
	int cpu[PB_C2C_MAX_PAIRS + 1];
};
void pb_c2c_set_read(struct pb_c2c_set *s);
/* Measure s's home against each partner (about a millisecond a pair);
 * the calling thread's affinity is restored. */
void pb_c2c_measure(const struct pb_c2c_set *s, struct pb_c2c *out);
/* The machine's cache-line round trip between CPUs, in ns, from meta.json's
 * cpu_round_trip: the start's median when it was measured, else the end's
 * (a start probe that failed while the end's worked); *which (may be NULL)
 * "start", "end", or "" with NAN when neither was (one CPU, a run before it
 * was recorded); *why (may be NULL) then the reason meta.json gives (the
 * start's, else the end's), else why there is none; with the end's figure,
 * why the start's is missing; NULL with the start's.  The one reader:
 * compare --machines and plot's machines-scaling key. */
double pb_meta_round_trip(json_t *meta, const char **which, const char **why);
/* One measurement as JSON ({pairs, min_ns, median_ns, max_ns, na}). */
json_t *pb_c2c_json(const struct pb_c2c *c);
/* meta.json's cpu_round_trip: home, method, start and end. */
json_t *pb_c2c_run_json(const struct pb_c2c *start, const struct pb_c2c *end);
/* 1 if both medians were measured and one exceeds factor times the other. */
int pb_c2c_moved(const struct pb_c2c *start, const struct pb_c2c *end, double factor);

/* Heap (jemalloc): set up per-thread arenas; peak/current metadata bytes. */
void pb_heap_init(void);
/* Bind the calling thread to the arena of NUMA node `node` (-1: its own). */
void pb_heap_thread_arena(int node);
/* Current allocator metadata bytes (stats.metadata) or -1 if unavailable. */
int64_t pb_heap_metadata_bytes(void);
/* Allocated bytes (stats.allocated) or -1. */
int64_t pb_heap_allocated_bytes(void);
const char *pb_heap_version(void);
const char *pb_heap_na_reason(void);

/* Median and a distribution-free 95% CI of the median (order statistics). */
struct pb_median_ci {
	double median, lo, hi;
	int ci_valid; /* 0 if too few samples for a 95% CI (n < 6) */
};
struct pb_median_ci pb_median_ci(const double *x, size_t n);

#endif
