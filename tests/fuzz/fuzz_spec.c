/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_spec.c - fuzz target for the value parsers of the command
 * line: the parameter table (pb_param_parse_kv with every value type, and
 * pb_param_getopt on the input split into words), generator workload
 * specs (pb_workload_open, trace specs excluded: those are the trace
 * targets' job) and policy specs (pb_policy_spec_split / _parse).  Any
 * input is fine except a crash, a sanitizer report, a leak, a hang or an
 * error without a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/param.h"
#include "pagebench/policy.h"
#include "pagebench/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cfg {
	uint64_t u, sz;
	double d;
	unsigned e;
	int b, f;
	char *s;
};
static const char *const choices[] = {"a", "bb", "ccc", NULL};
#define O(x) offsetof(struct cfg, x)
static const struct pb_param tab[] = {
    {"u", PB_PT_U64, O(u), "1", "u", NULL, 0, 1000, 'u', 0, NULL},
    {"sz", PB_PT_SIZE, O(sz), "4K", "size", NULL, 0, 0, 0, 0, NULL},
    {"d", PB_PT_DBL, O(d), "0.5", "d", NULL, 0, 1, 0, 0, NULL},
    {"e", PB_PT_ENUM, O(e), "a", "e", choices, 0, 0, 0, 0, NULL},
    {"b", PB_PT_BOOL, O(b), "0", "b", NULL, 0, 0, 0, 0, NULL},
    {"f", PB_PT_FLAG, O(f), NULL, "f", NULL, 0, 0, 'f', 0, NULL},
    {"s", PB_PT_STR, O(s), NULL, "s", NULL, 0, 0, 0, 0, NULL},
    {0},
};

static void need_msg(int rc, const char *err)
{
	if (rc < 0 && !err[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	char err[1024];
	struct cfg c;

	/* k=v strings into a table of every type */
	err[0] = 0;
	if (pb_param_defaults(tab, &c, err, sizeof(err)))
		abort();
	need_msg(pb_param_parse_kv(tab, &c, text, NULL, err, sizeof(err)), err);
	char *canon = pb_param_canonical(tab, &c);
	free(canon);
	pb_param_free(tab, &c);

	/* the same text as command-line words */
	char *words[66];
	int n = 1;
	words[0] = "cmd";
	char *copy = strdup(text), *save = NULL;
	for (char *w = strtok_r(copy, " \n\t", &save); w && n < 65;
	     w = strtok_r(NULL, " \n\t", &save))
		words[n++] = w;
	words[n] = NULL;
	char *pos[66];
	int npos = 0;
	err[0] = 0;
	if (pb_param_defaults(tab, &c, err, sizeof(err)))
		abort();
	need_msg(pb_param_getopt(tab, &c, n, words, pos, &npos, NULL, err, sizeof(err)), err);
	pb_param_free(tab, &c);
	free(copy);

	/* a generator workload spec (never a trace: no files opened) */
	if (strncmp(text, "trace", 5) && !strstr(text, "path")) {
		struct pb_workload *w = NULL;
		err[0] = 0;
		int rc = pb_workload_open(text, NULL, &w, err, sizeof(err));
		need_msg(rc, err);
		if (!rc) {
			struct pb_access buf[64];
			(void)pb_workload_next(w, buf, 64);
			pb_workload_close(w);
		}
	}

	/* a policy list and each policy spec in it */
	char **specs = NULL;
	size_t ns = 0;
	err[0] = 0;
	int rc = pb_policy_spec_split(text, &specs, &ns, err, sizeof(err));
	need_msg(rc, err);
	for (size_t i = 0; !rc && i < ns; i++) {
		const struct pb_policy_desc *d;
		char *params = NULL;
		err[0] = 0;
		need_msg(pb_policy_spec_parse(specs[i], &d, &params, err, sizeof(err)), err);
		free(params);
	}
	if (!rc)
		pb_policy_specs_free(specs, ns);
	free(text);
	return 0;
}
