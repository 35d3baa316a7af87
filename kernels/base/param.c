/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/param.c - the typed parameter table (see pagebench/param.h).
 *
 * Everything is driven by walking the caller's table: no per-command
 * lists.  Values are parsed with the strict parsers (an overflow, trailing
 * junk or a negative number where none is allowed is an error, never
 * clamped) and checked against the entry's bounds and choices; the error
 * line names the key, the value and what was expected, and for an unknown
 * key lists the known ones.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pagebench/param.h"
#include "pagebench/parse.h"

#define FIELD(cfg, p, T)  ((T *)((char *)(cfg) + (p)->off))
#define CFIELD(cfg, p, T) ((const T *)((const char *)(cfg) + (p)->off))

size_t pb_param_count(const struct pb_param *t)
{
	size_t n = 0;
	while (t && t[n].type != PB_PT_END)
		n++;
	return n;
}

const struct pb_param *pb_param_find(const struct pb_param *t, const char *key)
{
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++)
		if (!strcmp(t[i].key, key))
			return &t[i];
	return NULL;
}

static int bounded(const struct pb_param *p)
{
	return p->lo != 0 || p->hi != 0;
}

static void put_choices(char *buf, size_t len, const char *const *c)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; c && c[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "|" : "", c[i]);
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};
	for (size_t i = 0; i < PB_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_one(const struct pb_param *p, void *cfg, const char *val, char *err, size_t errlen)
{
	uint64_t u;
	double d;
	int rc;
	if (!val) {
		snprintf(err, errlen, "%s: needs a value", p->key);
		return -EINVAL;
	}
	switch (p->type) {
	case PB_PT_U64:
	case PB_PT_SIZE:
		rc = p->type == PB_PT_SIZE ? pb_parse_size(val, &u) : pb_parse_u64(val, &u);
		if (rc || (bounded(p) && ((double)u < p->lo || (double)u > p->hi))) {
			if (bounded(p))
				snprintf(err, errlen, "%s=%s: not %s in [%.15g, %.15g]", p->key,
					 val, p->type == PB_PT_SIZE ? "a size" : "an integer",
					 p->lo, p->hi);
			else
				snprintf(err, errlen, "%s=%s: not %s", p->key, val,
					 p->type == PB_PT_SIZE ? "a size (K/M/G/T suffixes)"
							       : "a non-negative integer");
			return -EINVAL;
		}
		*FIELD(cfg, p, uint64_t) = u;
		return 0;
	case PB_PT_DBL:
		rc = pb_parse_double(val, &d);
		if (rc || !isfinite(d) ||
		    (bounded(p) &&
		     (d < p->lo || d > p->hi || ((p->flags & PB_PF_LO_OPEN) && d == p->lo)))) {
			if (bounded(p))
				snprintf(err, errlen, "%s=%s: not a number in %c%g, %g]", p->key,
					 val, (p->flags & PB_PF_LO_OPEN) ? '(' : '[', p->lo, p->hi);
			else
				snprintf(err, errlen, "%s=%s: not a finite number", p->key, val);
			return -EINVAL;
		}
		*FIELD(cfg, p, double) = d;
		return 0;
	case PB_PT_ENUM:
		for (unsigned i = 0; p->choices && p->choices[i]; i++)
			if (!strcmp(p->choices[i], val)) {
				*FIELD(cfg, p, unsigned) = i;
				return 0;
			}
		{
			char c[512];
			put_choices(c, sizeof(c), p->choices);
			snprintf(err, errlen, "%s=%s: not one of %s", p->key, val, c);
		}
		return -EINVAL;
	case PB_PT_BOOL:
	case PB_PT_FLAG: {
		int b;
		if (parse_bool(val, &b)) {
			snprintf(err, errlen, "%s=%s: not a boolean (0|1|true|false|yes|no|on|off)",
				 p->key, val);
			return -EINVAL;
		}
		*FIELD(cfg, p, int) = b;
		return 0;
	}
	case PB_PT_STR: {
		char *s = strdup(val);
		if (!s) {
			snprintf(err, errlen, "%s: out of memory", p->key);
			return -ENOMEM;
		}
		free(*FIELD(cfg, p, char *));
		*FIELD(cfg, p, char *) = s;
		return 0;
	}
	case PB_PT_END:
		break;
	}
	snprintf(err, errlen, "%s: bad table entry", p->key);
	return -EINVAL;
}

int pb_param_defaults(const struct pb_param *t, void *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++) {
		const struct pb_param *p = &t[i];
		if (p->def) {
			int rc = set_one(p, cfg, p->def, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		switch (p->type) {
		case PB_PT_U64:
		case PB_PT_SIZE:
			*FIELD(cfg, p, uint64_t) = 0;
			break;
		case PB_PT_DBL:
			*FIELD(cfg, p, double) = 0;
			break;
		case PB_PT_ENUM:
			*FIELD(cfg, p, unsigned) = 0;
			break;
		case PB_PT_BOOL:
		case PB_PT_FLAG:
			*FIELD(cfg, p, int) = 0;
			break;
		case PB_PT_STR:
			*FIELD(cfg, p, char *) = NULL;
			break;
		case PB_PT_END:
			break;
		}
	}
	return 0;
}

static void unknown_key(const struct pb_param *t, const char *key, const char *what, char *err,
			size_t errlen)
{
	size_t o = (size_t)snprintf(err, errlen, "unknown %s '%s' (known:", what, key);
	for (size_t i = 0; t && t[i].type != PB_PT_END && o < errlen; i++)
		if (!(t[i].flags & PB_PF_HIDDEN))
			o += (size_t)snprintf(err + o, errlen - o, " %s", t[i].key);
	if (o < errlen)
		snprintf(err + o, errlen - o, ")");
	if (!t || t[0].type == PB_PT_END)
		snprintf(err, errlen, "unknown %s '%s' (this takes none)", what, key);
}

int pb_param_set(const struct pb_param *t, void *cfg, const char *key, const char *val, char *err,
		 size_t errlen)
{
	const struct pb_param *p = pb_param_find(t, key);
	if (!p) {
		unknown_key(t, key, "parameter", err, errlen);
		return -EINVAL;
	}
	return set_one(p, cfg, val, err, errlen);
}

int pb_param_parse_kv(const struct pb_param *t, void *cfg, const char *spec, uint64_t *given,
		      char *err, size_t errlen)
{
	if (!spec || !*spec)
		return 0;
	char *copy = strdup(spec), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = 0;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq || eq == kv) {
			snprintf(err, errlen, "'%s': expected key=value", kv);
			rc = -EINVAL;
			break;
		}
		*eq = 0;
		const struct pb_param *p = pb_param_find(t, kv);
		if (!p) {
			unknown_key(t, kv, "parameter", err, errlen);
			rc = -EINVAL;
			break;
		}
		rc = set_one(p, cfg, eq + 1, err, errlen);
		if (rc)
			break;
		if (given && (size_t)(p - t) < 64)
			*given |= 1ULL << (p - t);
	}
	free(copy);
	return rc;
}

char *pb_param_identity(const struct pb_param *t, const char *spec)
{
	if (!spec)
		spec = "";
	size_t n = strlen(spec), o = 0;
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	/* every entry, the empty last one of "a=1," included, so that the
	 * kept ones are joined with the commas they had */
	int first = 1;
	for (const char *s = spec;;) {
		size_t len = strcspn(s, ","), klen = strcspn(s, "=,");
		const struct pb_param *p = NULL;
		for (size_t i = 0; t && klen < len && t[i].type != PB_PT_END; i++)
			if (strlen(t[i].key) == klen && !strncmp(t[i].key, s, klen))
				p = &t[i];
		if (!p || !(p->flags & PB_PF_NOIDENT)) {
			if (!first)
				out[o++] = ',';
			memcpy(out + o, s, len);
			o += len;
			first = 0;
		}
		if (!s[len])
			break;
		s += len + 1;
	}
	out[o] = 0;
	return out;
}

static const struct pb_param *find_long(const struct pb_param *t, const char *name, size_t n)
{
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++)
		if (strlen(t[i].key) == n && !strncmp(t[i].key, name, n))
			return &t[i];
	return NULL;
}

static const struct pb_param *find_short(const struct pb_param *t, char c)
{
	const struct pb_param *p = NULL;
	for (size_t k = 0; t && t[k].type != PB_PT_END; k++)
		if (t[k].shortopt && t[k].shortopt == c)
			p = &t[k];
	return p;
}

/* whether the option word a (as pb_param_getopt reads it) takes the next
 * word as its value: a known option that is not a flag, given without
 * "=VALUE" (long) or an attached value (short) */
static int takes_next_word(const struct pb_param *t, const char *a)
{
	const struct pb_param *p = NULL;
	if (a[0] == '-' && a[1] == '-') {
		if (strchr(a + 2, '='))
			return 0;
		p = find_long(t, a + 2, strlen(a + 2));
	} else if (a[0] == '-' && a[1] && a[1] != '-' && !(a[1] >= '0' && a[1] <= '9')) {
		if (a[2])
			return 0;
		p = find_short(t, a[1]);
	}
	return p && p->type != PB_PT_FLAG;
}

int pb_param_argv_find(char *const *argv, int argc, int from, const char *name, char sopt,
		       const char **val)
{
	const size_t ln = strlen(name);
	int found = 0;
	for (int k = from; k < argc && strcmp(argv[k], "--"); k++) {
		const char *a = argv[k], *v;
		if (!strncmp(a, name, ln) && (!a[ln] || a[ln] == '='))
			v = a[ln] ? a + ln + 1 : NULL;
		else if (sopt && a[0] == '-' && a[1] == sopt)
			v = a[2] ? a + 2 : NULL;
		else
			continue;
		found++;
		if (!v && k + 1 < argc)
			v = argv[++k];
		if (v && val)
			*val = v;
	}
	return found;
}

int pb_param_getopt(const struct pb_param *t, void *cfg, int argc, char **argv, char **pos,
		    int *npos, uint64_t *given, char *err, size_t errlen)
{
	uint64_t got = 0;
	int np = 0, rc;
	/* --help anywhere among the options, whatever else is wrong; after
	 * "--" the words are operands (a file named --help), never options,
	 * and the value of an option that takes one (`-t -h`) is its value */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return 1;
		if (takes_next_word(t, a))
			i++;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct pb_param *p = NULL;
		const char *val = NULL;
		if (!strcmp(a, "--")) {
			while (++i < argc)
				pos[np++] = argv[i];
			break;
		}
		if (a[0] == '-' && a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			p = find_long(t, name, n);
			if (!p) {
				snprintf(err, errlen, "unknown option '--%.*s'", (int)n, name);
				return -EINVAL;
			}
			if (eq)
				val = eq + 1;
		} else if (a[0] == '-' && a[1] && a[1] != '-' && !(a[1] >= '0' && a[1] <= '9')) {
			p = find_short(t, a[1]);
			if (!p) {
				snprintf(err, errlen, "unknown option '-%c'", a[1]);
				return -EINVAL;
			}
			if (a[2])
				val = a + 2;
		} else {
			pos[np++] = argv[i];
			continue;
		}
		if (p->type == PB_PT_FLAG) {
			if (val) {
				rc = set_one(p, cfg, val, err, errlen);
				if (rc)
					return rc;
			} else {
				*FIELD(cfg, p, int) = 1;
			}
		} else {
			if (!val) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "option '--%s' needs a value",
						 p->key);
					return -EINVAL;
				}
				val = argv[++i];
			}
			rc = set_one(p, cfg, val, err, errlen);
			if (rc) {
				/* "--frames=x: ..." reads better than the bare key here */
				char tmp[1024];
				snprintf(tmp, sizeof(tmp), "--%s", err);
				snprintf(err, errlen, "%s", tmp);
				return rc;
			}
		}
		if ((size_t)(p - t) < 64)
			got |= 1ULL << (p - t);
	}
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++)
		if ((t[i].flags & PB_PF_REQUIRED) && i < 64 && !(got & (1ULL << i))) {
			snprintf(err, errlen, "missing required option '--%s'", t[i].key);
			return -EINVAL;
		}
	if (npos)
		*npos = np;
	if (given)
		*given = got;
	return 0;
}

void pb_param_free(const struct pb_param *t, void *cfg)
{
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++)
		if (t[i].type == PB_PT_STR) {
			free(*FIELD(cfg, &t[i], char *));
			*FIELD(cfg, &t[i], char *) = NULL;
		}
}

int pb_param_format(const struct pb_param *p, const void *cfg, char *buf, size_t len)
{
	switch (p->type) {
	case PB_PT_U64:
	case PB_PT_SIZE:
		return snprintf(buf, len, "%" PRIu64, *CFIELD(cfg, p, uint64_t));
	case PB_PT_DBL:
		return snprintf(buf, len, "%.17g", *CFIELD(cfg, p, double));
	case PB_PT_ENUM: {
		unsigned v = *CFIELD(cfg, p, unsigned);
		return snprintf(buf, len, "%s", p->choices ? p->choices[v] : "?");
	}
	case PB_PT_BOOL:
	case PB_PT_FLAG:
		return snprintf(buf, len, "%d", *CFIELD(cfg, p, int) ? 1 : 0);
	case PB_PT_STR: {
		const char *s = *CFIELD(cfg, p, char *);
		return snprintf(buf, len, "%s", s ? s : "");
	}
	case PB_PT_END:
		break;
	}
	if (len)
		buf[0] = 0;
	return 0;
}

char *pb_param_canonical(const struct pb_param *t, const void *cfg)
{
	size_t cap = 256, o = 0;
	char *out = malloc(cap), val[4096];
	if (!out)
		return NULL;
	out[0] = 0;
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++) {
		const struct pb_param *p = &t[i];
		if (p->flags & PB_PF_NOMETA)
			continue;
		if (p->type == PB_PT_STR && !*CFIELD(cfg, p, char *))
			continue;
		pb_param_format(p, cfg, val, sizeof(val));
		size_t need = o + strlen(p->key) + strlen(val) + 3;
		if (need > cap) {
			while (need > cap)
				cap *= 2;
			char *n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s%s=%s", o ? "," : "", p->key, val);
	}
	return out;
}

/* A number without a default that holds 0 was not given (param.h: "NULL:
 * none (zero, and unset)"); a required one always was. */
static int unset_number(const struct pb_param *p, int is_zero)
{
	return !p->def && !(p->flags & PB_PF_REQUIRED) && is_zero;
}

struct json_t *pb_param_json(const struct pb_param *t, const void *cfg)
{
	json_t *o = json_object();
	for (size_t i = 0; o && t && t[i].type != PB_PT_END; i++) {
		const struct pb_param *p = &t[i];
		json_t *v = NULL;
		if (p->flags & PB_PF_NOMETA)
			continue;
		switch (p->type) {
		case PB_PT_U64:
		case PB_PT_SIZE: {
			/* JSON integers are int64 here (jansson): a value above
			 * 2^63-1 (a --seed of 2^64-1) as its decimal string, not
			 * wrapped negative (as compare's report writes its seed) */
			uint64_t u = *CFIELD(cfg, p, uint64_t);
			char d[24];
			snprintf(d, sizeof(d), "%llu", (unsigned long long)u);
			v = unset_number(p, u == 0) ? json_null()
			    : u <= INT64_MAX	    ? json_integer((json_int_t)u)
						    : json_string(d);
			break;
		}
		case PB_PT_DBL:
			v = unset_number(p, *CFIELD(cfg, p, double) == 0)
				? json_null()
				: json_real(*CFIELD(cfg, p, double));
			break;
		case PB_PT_ENUM:
			v = json_string(p->choices[*CFIELD(cfg, p, unsigned)]);
			break;
		case PB_PT_BOOL:
		case PB_PT_FLAG:
			v = json_boolean(*CFIELD(cfg, p, int));
			break;
		case PB_PT_STR: {
			const char *s = *CFIELD(cfg, p, char *);
			/* Not UTF-8 (a path with odd bytes): keep it, escaped. */
			v = s ? json_stringn(s, strlen(s)) : json_null();
			if (s && !v) {
				char *esc = malloc(strlen(s) * 4 + 1), *w = esc;
				for (const unsigned char *c = (const unsigned char *)s; esc && *c;
				     c++)
					w += *c < 0x80 ? sprintf(w, "%c", *c)
						       : sprintf(w, "\\x%02x", *c);
				v = esc ? json_string(esc) : NULL;
				free(esc);
			}
			break;
		}
		case PB_PT_END:
			break;
		}
		if (v)
			json_object_set_new(o, p->key, v);
	}
	return o;
}

void pb_param_help(const struct pb_param *t, FILE *f, int as_options)
{
	char c[512], lhs[128];
	for (size_t i = 0; t && t[i].type != PB_PT_END; i++) {
		const struct pb_param *p = &t[i];
		if (p->flags & PB_PF_HIDDEN)
			continue;
		const char *mv = p->metavar		 ? p->metavar
				 : p->type == PB_PT_DBL	 ? "X"
				 : p->type == PB_PT_STR	 ? "S"
				 : p->type == PB_PT_ENUM ? "NAME"
							 : "N";
		if (as_options) {
			if (p->shortopt)
				snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", p->shortopt, p->key,
					 p->type == PB_PT_FLAG ? "" : " ",
					 p->type == PB_PT_FLAG ? "" : mv);
			else
				snprintf(lhs, sizeof(lhs), "    --%s%s%s", p->key,
					 p->type == PB_PT_FLAG ? "" : " ",
					 p->type == PB_PT_FLAG ? "" : mv);
		} else {
			snprintf(lhs, sizeof(lhs), "%s=%s", p->key, p->def ? p->def : mv);
		}
		/* k=v rows sit under their owner's heading (`list kernels -v`:
		 * below the kernel's "--param" line), options under "options:" */
		fprintf(f, "%s%-24s %s", as_options ? "  " : "        ", lhs,
			p->help ? p->help : "");
		int open = 0;
#define SEP (open++ ? "; " : " (")
		if (as_options && p->def && p->type != PB_PT_FLAG)
			fprintf(f, "%sdefault %s", SEP, p->def);
		if (p->type == PB_PT_ENUM) {
			put_choices(c, sizeof(c), p->choices);
			fprintf(f, "%sone of %s", SEP, c);
		}
		if (bounded(p))
			fprintf(f, "%s%.15g..%.15g", SEP, p->lo, p->hi);
		if (p->flags & PB_PF_REQUIRED)
			fprintf(f, "%srequired", SEP);
#undef SEP
		fprintf(f, "%s\n", open ? ")" : "");
	}
}
