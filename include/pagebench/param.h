/* SPDX-License-Identifier: MIT */
/*
 * pagebench/param.h - one typed parameter table for every knob.
 *
 * A table of struct pb_param (key, type, offset into the caller's config
 * struct, default, help, choices, bounds) drives, from one place:
 *   - parsing: command options (`--frames 100`, `--frames=100`, `-t 2`),
 *     "k=v,k=v" strings (kernel --param, policy parameters, workload
 *     specs, --tlb), with one error line naming the key and what is wrong;
 *   - help: `--help` and `pagebench list -v` print the same table;
 *   - metadata: the effective value of every entry, defaults filled in, as
 *     canonical text or as a JSON object for meta.json.
 * So an option cannot be parsed but missing from --help, documented but
 * ignored, or recorded differently from how it was parsed.
 *
 * Storage per type (the field at `off` in the config struct):
 *   PB_PT_U64, PB_PT_SIZE  uint64_t (SIZE takes K/M/G/T suffixes, 1024-based)
 *   PB_PT_DBL              double
 *   PB_PT_ENUM             unsigned: index into choices[]
 *   PB_PT_BOOL             int: 0/1 (accepts 0,1,false,true,no,yes,off,on)
 *   PB_PT_FLAG             int: set to 1 by a value-less option (CLI only;
 *                          in k=v strings it parses like BOOL)
 *   PB_PT_STR              char *: malloc'ed copy (pb_param_free frees it)
 * Bounds lo..hi are inclusive and apply to U64, SIZE and DBL; lo == hi == 0
 * means unbounded; PB_PF_LO_OPEN makes a DBL's lower bound exclusive.
 *
 * Errors: 0 or -EINVAL with one line in err, "KEY: what is wrong" (the
 * caller prefixes the command).  Only `main` exits.
 * Caller: any thread; a table is const and shared, a config is the
 * caller's.
 */
#ifndef PAGEBENCH_PARAM_H
#define PAGEBENCH_PARAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pagebench/common.h"

enum pb_param_type {
	PB_PT_END = 0, /* terminates a table */
	PB_PT_U64,
	PB_PT_SIZE,
	PB_PT_DBL,
	PB_PT_ENUM,
	PB_PT_BOOL,
	PB_PT_FLAG,
	PB_PT_STR,
};

#define PB_PF_REQUIRED 0x1u /* must be given (no default) */
#define PB_PF_HIDDEN   0x2u /* parsed, left out of --help (test knobs) */
#define PB_PF_NOMETA   0x4u /* left out of canonical text and JSON (output paths, --csv) */
#define PB_PF_LO_OPEN  0x8u /* PB_PT_DBL: the lower bound is exclusive, (lo, hi] (a share) */
/* PB_PT_U64: the caller also accepts "frames" and "frames/N" for this entry
 * and resolves them itself (policy parameters, kernels/policy/params.c);
 * pb_param_set refuses such a value like any other non-number. */
#define PB_PF_FRAMES 0x10u
/* Where output goes, not what is measured (uffd-pager's latency_csv=FILE):
 * recorded like any entry (canonical text, JSON: meta.json keeps it), but
 * not part of what names an experiment (pb_param_identity: its label, its
 * rows' experiment and params, compare's key), so two runs that wrote to
 * different files are the same experiment. */
#define PB_PF_NOIDENT 0x20u

struct pb_param {
	const char *key; /* "frames", "move_threshold" */
	enum pb_param_type type;
	size_t off;		    /* offsetof(config struct, field) */
	const char *def;	    /* default as text; NULL: none (zero / NULL, and "unset") */
	const char *help;	    /* one line */
	const char *const *choices; /* PB_PT_ENUM: NULL-terminated */
	double lo, hi;		    /* numeric bounds, inclusive; 0,0: none */
	char shortopt;		    /* CLI short option letter, or 0 */
	unsigned flags;		    /* PB_PF_* */
	const char *metavar;	    /* CLI value name in --help ("N", "SPEC"), or NULL */
};

/* Number of entries before the PB_PT_END terminator. */
size_t pb_param_count(const struct pb_param *t);
const struct pb_param *pb_param_find(const struct pb_param *t, const char *key);

/* Set every entry of cfg to its default (NULL default: 0 / NULL).  A
 * PB_PT_STR field is freed before it is replaced, so cfg must start zeroed
 * (`struct x cfg = {0};`), never uninitialised. */
int pb_param_defaults(const struct pb_param *t, void *cfg, char *err, size_t errlen) PB_MUST_CHECK;
/* Parse val for key into cfg. */
int pb_param_set(const struct pb_param *t, void *cfg, const char *key, const char *val, char *err,
		 size_t errlen) PB_MUST_CHECK;
/*
 * Parse "k=v,k=v" (NULL or "" is nothing) into cfg; *given (optional)
 * gets bit i set for each entry i that was given.  A key given twice: the
 * later value wins.
 */
int pb_param_parse_kv(const struct pb_param *t, void *cfg, const char *spec, uint64_t *given,
		      char *err, size_t errlen) PB_MUST_CHECK;
/*
 * Command-line options from the table: --key VALUE, --key=VALUE, -s VALUE,
 * and value-less --key for PB_PT_FLAG; "--" ends the options.  Arguments
 * that are not options are collected in order into pos[] (the caller
 * passes an array of argc entries) and their number into *npos.  Returns
 * 1 if --help / -h was given before any "--" (nothing else is checked;
 * after "--" it is an operand like any word, and as the value of an
 * option that takes one, `--name -h`, it is that value), 0 when parsed,
 * -EINVAL with "unknown option '--x'" / "option '--x' needs a value" / the
 * value's error.  A PB_PF_REQUIRED entry not given is an error.
 * *given gets one bit per table entry given.
 */
int pb_param_getopt(const struct pb_param *t, void *cfg, int argc, char **argv, char **pos,
		    int *npos, uint64_t *given, char *err, size_t errlen) PB_MUST_CHECK;
/*
 * One option among argv[from..argc) as pb_param_getopt reads it, without
 * its command's table (a suite line's words, a task's argv): long `name`
 * ("--threads") as NAME VALUE or NAME=VALUE, and with sopt (0: none) its
 * short form as -S VALUE or -SVALUE; nothing after "--" is an option.
 * Returns how many times it is given; *val (val may be NULL) gets the value
 * of the last one given with a value, and is left as it is where none is.
 * Which other options take a value is not known here: a word NAME that is
 * another option's value is read as NAME.
 */
int pb_param_argv_find(char *const *argv, int argc, int from, const char *name, char sopt,
		       const char **val);
/*
 * spec ("k=v,k=v" as given; NULL is "") less its entries whose key t
 * marks PB_PF_NOIDENT: what names an experiment.  The other entries stay
 * as given, in order (an unknown key, an entry without '=', an empty one
 * included; a spec without such an entry comes back the same, byte for
 * byte).  A key given twice is left out both times.  malloc'ed; NULL
 * without memory.  t NULL: spec as it is.
 */
char *pb_param_identity(const struct pb_param *t, const char *spec);
/* Free the PB_PT_STR fields of cfg (set them to NULL). */
void pb_param_free(const struct pb_param *t, void *cfg);

/* The value of entry p in cfg as text (canonical: "4096", "0.25", "lru"). */
int pb_param_format(const struct pb_param *p, const void *cfg, char *buf, size_t len);
/*
 * All entries (except PB_PF_NOMETA) as "k=v,k=v", defaults filled in;
 * malloc'ed.  Unset PB_PT_STR entries are left out.
 */
char *pb_param_canonical(const struct pb_param *t, const void *cfg);
/*
 * The same as a JSON object (jansson json_t *, new reference): numbers as
 * numbers, booleans as booleans, enums and strings as strings; unset
 * strings as null, and so is a number without a default (def NULL, not
 * PB_PF_REQUIRED) that holds 0: it was not given, and 0 is not the value
 * used (the command or kernel picks one; a kernel records it in
 * cfg->resolved).  An entry whose 0 can be given needs a default ("0").
 */
struct json_t;
struct json_t *pb_param_json(const struct pb_param *t, const void *cfg);

/*
 * Help: one line per entry (not PB_PF_HIDDEN).  as_options: "  -s, --key N
 * help (default D; one of a|b; lo..hi)"; otherwise "        key=D  help ..."
 * (indented under a heading line of six spaces' depth, `list kernels -v`).
 */
void pb_param_help(const struct pb_param *t, FILE *f, int as_options);

#endif /* PAGEBENCH_PARAM_H */
