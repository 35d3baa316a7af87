/* SPDX-License-Identifier: MIT */
/*
 * kernels/policy/params.c - policy parameters from each policy's typed
 * table (struct pb_param), and policy specs "NAME[:k=v,...]".
 *
 * One parser for everything a user can write about a policy: create()
 * (pb_pol_params_apply), the CLI's --policy list (pb_policy_spec_split,
 * pb_policy_spec_parse), the effective list for meta.json and `pagebench
 * list policies`.  Errors are one line naming the policy and the key.
 *
 * The tables are the project's one parameter table (struct pb_param,
 * pagebench/param.h) and values are parsed by it (pb_param_set: strict
 * numbers, bounds, PB_PF_LO_OPEN shares).  What is the policy layer's own:
 * the "k=v" walk with its policy-naming errors (a key given twice is an
 * error here), and PB_PF_FRAMES values "frames" / "frames/N", resolved
 * against the frame count and clamped to the bounds at create().
 */
#include <math.h>

#include "polint.h"

static const struct pb_param *param_find(const struct pb_policy_desc *d, const char *key,
					 size_t klen)
{
	for (const struct pb_param *t = d->params; t && t->key; t++)
		if (strlen(t->key) == klen && !strncmp(t->key, key, klen))
			return t;
	return NULL;
}

static void param_keys(const struct pb_policy_desc *d, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (const struct pb_param *t = d->params; t && t->key && o < len; t++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", t->key);
}

/*
 * Parse `val` (not NUL-terminated: vlen bytes) for t.  *u / *f receive the
 * value; *frames_div != 0 when the value is "frames" (1) or "frames/N" (N),
 * to be resolved against the frame count.  0 or -EINVAL (err).
 */
static int param_value(const struct pb_policy_desc *d, const struct pb_param *t, const char *val,
		       size_t vlen, double *f, uint64_t *u, uint64_t *frames_div, char *err,
		       size_t errlen)
{
	char v[64], *end, perr[200];
	*frames_div = 0;
	if (vlen == 0 || vlen >= sizeof(v))
		goto bad;
	memcpy(v, val, vlen);
	v[vlen] = 0;
	if ((t->flags & PB_PF_FRAMES) && !strncmp(v, "frames", 6)) {
		if (!v[6]) {
			*frames_div = 1;
			return 0;
		}
		if (v[6] != '/' || v[7] < '1' || v[7] > '9')
			goto bad;
		errno = 0;
		unsigned long long dv = strtoull(v + 7, &end, 10);
		if (errno || *end || !dv)
			goto bad;
		*frames_div = dv;
		return 0;
	}
	/* the one parser: this entry alone, over a scratch value */
	struct pb_param one[2] = {*t, {0}};
	union {
		double f;
		uint64_t u;
	} x = {0};
	one[0].off = 0;
	if (pb_param_set(one, &x, t->key, v, perr, sizeof(perr))) {
		snprintf(err, errlen, "policy %s: %s", d->name, perr);
		return -EINVAL;
	}
	if (t->type == PB_PT_DBL)
		*f = x.f;
	else
		*u = x.u;
	return 0;
bad:
	snprintf(err, errlen, "policy %s: %s=%.*s: expected %s", d->name, t->key, (int)vlen, val,
		 (t->flags & PB_PF_FRAMES) ? "a non-negative integer, frames or frames/N"
					   : "a number");
	return -EINVAL;
}

/*
 * Walk "k=v,k=v": for each item call back with its table entry and value
 * text.  Checks syntax, unknown and repeated keys.  0 or -EINVAL (err).
 */
typedef int (*param_cb)(void *ctx, const struct pb_param *t, const char *val, size_t vlen,
			char *err, size_t errlen);

static int param_walk(const struct pb_policy_desc *d, const char *params, param_cb cb, void *ctx,
		      char *err, size_t errlen)
{
	uint64_t seen = 0;
	if (!params || !*params)
		return 0;
	if (!d->params || !d->params[0].key) {
		snprintf(err, errlen, "policy %s: takes no parameters (got '%s')", d->name, params);
		return -EINVAL;
	}
	for (const char *p = params;;) {
		const char *c = strchr(p, ','), *e = c ? c : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(e - p));
		if (!eq || eq == p) {
			snprintf(err, errlen,
				 "policy %s: malformed parameter '%.*s' (expected key=value)",
				 d->name, (int)(e - p), p);
			return -EINVAL;
		}
		const struct pb_param *t = param_find(d, p, (size_t)(eq - p));
		if (!t) {
			char keys[256];
			param_keys(d, keys, sizeof(keys));
			snprintf(err, errlen, "policy %s: unknown parameter '%.*s' (knows: %s)",
				 d->name, (int)(eq - p), p, keys);
			return -EINVAL;
		}
		unsigned bit = (unsigned)(t - d->params);
		if (bit < 64 && (seen >> bit & 1)) {
			snprintf(err, errlen, "policy %s: parameter '%s' given twice", d->name,
				 t->key);
			return -EINVAL;
		}
		if (bit < 64)
			seen |= 1ULL << bit;
		int rc = cb(ctx, t, eq + 1, (size_t)(e - eq - 1), err, errlen);
		if (rc)
			return rc;
		if (!c)
			return 0;
		p = c + 1;
	}
}

struct apply_ctx {
	const struct pb_policy_desc *d;
	uint64_t frames;
	void *obj;
};

static void put_value(const struct pb_param *t, void *obj, double f, uint64_t u, uint64_t fdiv,
		      uint64_t frames)
{
	if (t->type == PB_PT_DBL) {
		memcpy((char *)obj + t->off, &f, sizeof(f));
		return;
	}
	if (fdiv) {
		u = frames / fdiv;
		if ((double)u < t->lo)
			u = (uint64_t)t->lo;
		if ((double)u > t->hi)
			u = (uint64_t)t->hi;
	}
	memcpy((char *)obj + t->off, &u, sizeof(u));
}

static int apply_cb(void *ctx, const struct pb_param *t, const char *val, size_t vlen, char *err,
		    size_t errlen)
{
	struct apply_ctx *a = ctx;
	double f = 0;
	uint64_t u = 0, fdiv;
	int rc = param_value(a->d, t, val, vlen, &f, &u, &fdiv, err, errlen);
	if (!rc)
		put_value(t, a->obj, f, u, fdiv, a->frames);
	return rc;
}

static int check_cb(void *ctx, const struct pb_param *t, const char *val, size_t vlen, char *err,
		    size_t errlen)
{
	double f;
	uint64_t u, fdiv;
	return param_value(ctx, t, val, vlen, &f, &u, &fdiv, err, errlen);
}

int pb_pol_params_apply(const struct pb_policy_desc *d, const struct pb_policy_cfg *cfg, void *obj,
			char *err, size_t errlen)
{
	struct apply_ctx a = {.d = d, .frames = cfg->frames, .obj = obj};
	for (const struct pb_param *t = d->params; t && t->key; t++) {
		/* A default that does not parse is a bug in the table. */
		if (apply_cb(&a, t, t->def, strlen(t->def), err, errlen))
			return -EINVAL;
	}
	return param_walk(d, cfg->params, apply_cb, &a, err, errlen);
}

int pb_policy_params_check(const struct pb_policy_desc *d, const char *params, char *err,
			   size_t errlen)
{
	return param_walk(d, params, check_cb, (void *)d, err, errlen);
}

/* ---- effective and canonical lists ---- */
struct pb_param_given {
	const char *val; /* as written (not NUL-terminated), or NULL: not given */
	size_t vlen;
};

struct text_ctx {
	struct pb_param_given *slot; /* per table entry */
	const struct pb_policy_desc *d;
};

static int given_cb(void *ctx, const struct pb_param *t, const char *val, size_t vlen, char *err,
		    size_t errlen)
{
	struct text_ctx *c = ctx;
	double f;
	uint64_t u, fdiv;
	int rc = param_value(c->d, t, val, vlen, &f, &u, &fdiv, err, errlen);
	if (rc)
		return rc;
	c->slot[t - c->d->params] = (struct pb_param_given){val, vlen};
	return 0;
}

#define PB_POL_MAX_PARAMS 16

/* Fill given[] (one per table entry; val NULL when not given). */
static int params_given(const struct pb_policy_desc *d, const char *params,
			struct pb_param_given *given, char *err, size_t errlen)
{
	size_t n = 0;
	for (const struct pb_param *t = d->params; t && t->key; t++)
		n++;
	if (n > PB_POL_MAX_PARAMS) {
		snprintf(err, errlen, "policy %s: more than %d parameters", d->name,
			 PB_POL_MAX_PARAMS);
		return -EINVAL;
	}
	memset(given, 0, PB_POL_MAX_PARAMS * sizeof(*given));
	struct text_ctx c = {.slot = given, .d = d};
	return param_walk(d, params, given_cb, &c, err, errlen);
}

/* Append "key=value" items to buf; `all`: defaults too. */
static void params_text(const struct pb_policy_desc *d, const struct pb_param_given *given, int all,
			char *buf, size_t len)
{
	size_t o = 0;
	if (len)
		buf[0] = 0;
	for (const struct pb_param *t = d->params; t && t->key; t++) {
		const struct pb_param_given *g = &given[t - d->params];
		if (!g->val && !all)
			continue;
		const char *v = g->val ? g->val : t->def;
		int vl = (int)(g->val ? g->vlen : strlen(t->def));
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%.*s", o ? "," : "", t->key,
					      vl, v);
	}
}

void pb_policy_params_effective(const struct pb_policy_desc *d, const char *params, char *buf,
				size_t buflen)
{
	struct pb_param_given given[PB_POL_MAX_PARAMS];
	char err[256];
	if (params_given(d, params, given, err, sizeof(err))) {
		snprintf(buf, buflen, "%s", params ? params : "");
		return;
	}
	params_text(d, given, 1, buf, buflen);
}

void pb_policy_params_nondefault(const struct pb_policy_desc *d, const char *params, char *buf,
				 size_t buflen)
{
	size_t o = 0;
	if (buflen)
		buf[0] = 0;
	for (const char *p = params ? params : ""; *p;) {
		const char *c = strchr(p, ','), *e = c ? c : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(e - p));
		const struct pb_param *t = eq ? param_find(d, p, (size_t)(eq - p)) : NULL;
		double f, fd;
		uint64_t u, ud, div, divd;
		char err[200];
		int dflt =
		    t &&
		    !param_value(d, t, eq + 1, (size_t)(e - eq - 1), &f, &u, &div, err,
				 sizeof(err)) &&
		    !param_value(d, t, t->def, strlen(t->def), &fd, &ud, &divd, err, sizeof(err)) &&
		    div == divd && (div || (t->type == PB_PT_DBL ? f == fd : u == ud));
		if (!dflt && o < buflen)
			o += (size_t)snprintf(buf + o, buflen - o, "%s%.*s", o ? "," : "",
					      (int)(e - p), p);
		if (!c)
			break;
		p = c + 1;
	}
}

/* ---- specs ---- */
int pb_policy_spec_parse(const char *spec, const struct pb_policy_desc **d, char **params,
			 char *err, size_t errlen)
{
	*params = NULL;
	*d = NULL;
	if (!spec || !*spec) {
		snprintf(err, errlen, "empty policy spec");
		return -EINVAL;
	}
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	char name[32];
	if (nlen == 0 || nlen >= sizeof(name)) {
		snprintf(err, errlen, "bad policy spec '%s' (expected NAME[:key=value,...])", spec);
		return -EINVAL;
	}
	memcpy(name, spec, nlen);
	name[nlen] = 0;
	const struct pb_policy_desc *pd = pb_policy_find(name);
	if (!pd) {
		/* no hint here: the command that took the spec adds its own
		 * (sim and mrc: see `pagebench list policies -v`) */
		snprintf(err, errlen, "unknown policy '%s'", name);
		return -EINVAL;
	}
	const char *ps = colon ? colon + 1 : "";
	struct pb_param_given given[PB_POL_MAX_PARAMS];
	int rc = params_given(pd, ps, given, err, errlen);
	if (rc)
		return rc;
	if (*ps) {
		size_t len = strlen(ps) + 1;
		*params = malloc(len);
		if (!*params) {
			snprintf(err, errlen, "policy %s: out of memory", pd->name);
			return -ENOMEM;
		}
		params_text(pd, given, 0, *params, len);
	}
	*d = pd;
	return 0;
}

void pb_policy_specs_free(char **specs, size_t n)
{
	for (size_t i = 0; specs && i < n; i++)
		free(specs[i]);
	free(specs);
}

int pb_policy_spec_split(const char *list, char ***specs, size_t *n, char *err, size_t errlen)
{
	size_t cap = 1, k = 0;
	*specs = NULL;
	*n = 0;
	if (!list || !*list) {
		snprintf(err, errlen, "empty policy list");
		return -EINVAL;
	}
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	char **v = calloc(cap, sizeof(*v));
	if (!v)
		goto oom;
	for (const char *p = list;;) {
		const char *c = strchr(p, ','), *e = c ? c : p + strlen(p);
		size_t len = (size_t)(e - p);
		int has_eq = memchr(p, '=', len) != NULL, has_colon = memchr(p, ':', len) != NULL;
		if (len == 0) {
			snprintf(err, errlen, "empty item in policy list '%s'", list);
			pb_policy_specs_free(v, k);
			return -EINVAL;
		}
		if (has_eq && !has_colon) { /* a further parameter of the preceding spec */
			if (!k) {
				snprintf(
				    err, errlen,
				    "policy list '%s': parameter '%.*s' before any policy name",
				    list, (int)len, p);
				pb_policy_specs_free(v, k);
				return -EINVAL;
			}
			size_t ol = strlen(v[k - 1]);
			int sep = v[k - 1][ol - 1] != ':'; /* "lru:" then "k=v" */
			char *s = realloc(v[k - 1], ol + (size_t)sep + len + 1);
			if (!s)
				goto oom;
			if (sep) {
				char sepc = memchr(s, ':', ol) ? ',' : ':';
				s[ol++] = sepc;
			}
			memcpy(s + ol, p, len);
			s[ol + len] = 0;
			v[k - 1] = s;
		} else {
			v[k] = strndup(p, len);
			if (!v[k])
				goto oom;
			k++;
		}
		if (!c)
			break;
		p = c + 1;
	}
	*specs = v;
	*n = k;
	return 0;
oom:
	pb_policy_specs_free(v, k);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}
