/* SPDX-License-Identifier: MIT */
/*
 * The "k=v,k=v" lists of --param (harness/util.c): one iterator,
 * pb_kv_next, splits them for pb_kv_twice and the baseline's
 * params_known / params_without (harness/measure.c), which each split the
 * list by hand before.  The rules they shared, pinned here: an entry is
 * the text up to the next ',' (no quoting: a value holds no comma), an
 * empty entry is one, the list's end is none, the key runs to the first
 * '='; pb_kv_twice skips entries without a key or an '=' and names the
 * first key given twice with both entries whole; pb_kv_append joins with
 * ','.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/cli.h"
#include "pbtest.h"

/* The entries of list as "entry/klen|..." ("" for none). */
static const char *entries(const char *list)
{
	static char out[256];
	size_t n = 0;
	out[0] = 0;
	for (struct pb_kv e = {0}; pb_kv_next(list, &e) && n < sizeof(out);)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%.*s/%zu|", (int)e.len, e.s,
				      e.klen);
	return out;
}

static void test_next(void)
{
	static const struct {
		const char *list, *want;
	} cases[] = {
	    {"", ""},
	    {"a=1", "a=1/1|"},
	    {"pages=64,frames=16", "pages=64/5|frames=16/6|"},
	    {"a=1,", "a=1/1|"},			 /* the end is no entry */
	    {",a=1", "/0|a=1/1|"},		 /* a leading ',': an empty entry */
	    {"a=1,,b", "a=1/1|/0|b/1|"},	 /* ",,": one; "b": no '=' (klen == len) */
	    {"k=v=w,=x", "k=v=w/1|=x/0|"},	 /* the key ends at the first '=' */
	    {"swap=/a b,c", "swap=/a b/4|c/1|"}, /* no quoting: ',' ends the value */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = entries(cases[i].list);
		PB_CHECK_MSG(!strcmp(got, cases[i].want), "'%s': '%s', want '%s'", cases[i].list,
			     got, cases[i].want);
	}
	PB_CHECK(!strcmp(entries(NULL), ""));
}

static void test_twice(void)
{
	static const struct {
		const char *list, *msg; /* msg NULL: no key twice */
	} cases[] = {
	    {"a=1,b=2", NULL},
	    {"a=1,b=2,a=3", "'a' given twice ('a=1', then 'a=3')"},
	    {"b=1,a=1,a=2,b=2", "'b' given twice ('b=1', then 'b=2')"},
	    {"a=1,,a=2", "'a' given twice ('a=1', then 'a=2')"},
	    {"ab=1,a=2", NULL}, /* a key is matched whole, not as a prefix */
	    {"a=1,ab=2", NULL},
	    {"a,a=1", NULL}, /* an entry without '=' is no key */
	    {"a=1,a", NULL},
	    {"=1,=2", NULL},
	    {"a=1,", NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[256] = "";
		int r = pb_kv_twice(cases[i].list, msg, sizeof(msg));
		PB_CHECK_MSG(cases[i].msg ? r == 1 && !strcmp(msg, cases[i].msg) : r == 0,
			     "'%s': %d '%s'", cases[i].list, r, msg);
	}
}

static void test_append(void)
{
	char *kv = NULL;
	PB_CHECK(pb_kv_append(&kv, "a=1") == 0 && !strcmp(kv, "a=1"));
	PB_CHECK(pb_kv_append(&kv, "b=2") == 0 && !strcmp(kv, "a=1,b=2"));
	PB_CHECK(pb_kv_appendn(&kv, "c=3,d=4", 3) == 0 && !strcmp(kv, "a=1,b=2,c=3"));
	free(kv);
	kv = strdup(""); /* an empty list takes no ',' */
	PB_CHECK(kv && pb_kv_appendn(&kv, "x=1", 3) == 0 && !strcmp(kv, "x=1"));
	free(kv);
}

int main(void)
{
	test_next();
	test_twice();
	test_append();
	return pb_test_done();
}
