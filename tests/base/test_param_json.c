/* SPDX-License-Identifier: MIT */
/*
 * pb_param_json records what was given or defaulted, and null for a number
 * that was neither: an entry without a default (def NULL) that holds 0 was
 * not given (meta.json wrote 0 for frames-alloc-free's held, a value its
 * bounds refuse).  A required entry, and one with a default, keep their 0.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pagebench/param.h"
#include "pbtest.h"

struct cfg {
	uint64_t held, size, bits, zero;
	double share;
	unsigned mode;
	int flag;
};

static const char *const modes[] = {"a", "b", NULL};
#define O(f) offsetof(struct cfg, f)
static const struct pb_param tab[] = {
    {"held", PB_PT_U64, O(held), NULL, "unset: the kernel's", NULL, 1, 1 << 24, 0, 0, NULL},
    {"size", PB_PT_SIZE, O(size), NULL, "unset: the kernel's", NULL, 0, 0, 0, 0, NULL},
    {"bits", PB_PT_U64, O(bits), NULL, "required", NULL, 0, 28, 0, PB_PF_REQUIRED, NULL},
    {"zero", PB_PT_U64, O(zero), "0", "0 by default", NULL, 0, 0, 0, 0, NULL},
    {"share", PB_PT_DBL, O(share), NULL, "unset: picked", NULL, 0, 0, 0, 0, NULL},
    {"mode", PB_PT_ENUM, O(mode), NULL, "first by default", modes, 0, 0, 0, 0, NULL},
    {"flag", PB_PT_FLAG, O(flag), NULL, "off by default", NULL, 0, 0, 0, 0, NULL},
    {0},
};

/* the table's JSON for spec, dumped and parsed back */
static json_t *json_of(const char *spec)
{
	struct cfg c = {0};
	char err[256];
	PB_CHECK(pb_param_defaults(tab, &c, err, sizeof(err)) == 0);
	PB_CHECK(pb_param_parse_kv(tab, &c, spec, NULL, err, sizeof(err)) == 0);
	json_t *j = pb_param_json(tab, &c);
	char *txt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	json_t *back = txt ? json_loads(txt, 0, NULL) : NULL;
	free(txt);
	PB_CHECK(back != NULL);
	return back;
}

int main(void)
{
	json_t *j = json_of("");
	PB_CHECK(json_is_null(json_object_get(j, "held")));
	PB_CHECK(json_is_null(json_object_get(j, "size")));
	PB_CHECK(json_is_null(json_object_get(j, "share")));
	PB_CHECK(json_is_integer(json_object_get(j, "bits")) &&
		 json_integer_value(json_object_get(j, "bits")) == 0);
	PB_CHECK(json_is_integer(json_object_get(j, "zero")) &&
		 json_integer_value(json_object_get(j, "zero")) == 0);
	PB_CHECK(!strcmp(json_string_value(json_object_get(j, "mode")) ?: "", "a"));
	PB_CHECK(json_is_false(json_object_get(j, "flag")));
	json_decref(j);

	j = json_of("held=7,size=4K,share=0.5,bits=3,zero=9");
	PB_CHECK(json_integer_value(json_object_get(j, "held")) == 7);
	PB_CHECK(json_integer_value(json_object_get(j, "size")) == 4096);
	PB_CHECK(json_real_value(json_object_get(j, "share")) == 0.5);
	PB_CHECK(json_integer_value(json_object_get(j, "bits")) == 3);
	PB_CHECK(json_integer_value(json_object_get(j, "zero")) == 9);
	json_decref(j);
	return pb_test_done();
}
