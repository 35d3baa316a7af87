/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_param.c - the parameter table: defaults, strict values,
 * bounds and choices, k=v strings, command-line options, canonical text,
 * JSON (parsed back with jansson) and help.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/param.h"
#include "pbtest.h"

struct cfg {
	uint64_t frames, size, knob;
	double ratio;
	unsigned mode;
	int verbose, fast;
	char *name;
};

static const char *const modes[] = {"strict", "free", NULL};
#define O(f) offsetof(struct cfg, f)
static const struct pb_param tab[] = {
    {"frames", PB_PT_U64, O(frames), "64", "physical frames", NULL, 1, 1e9, 'f', 0, "N"},
    {"size", PB_PT_SIZE, O(size), "4K", "page size", NULL, 0, 0, 0, 0, NULL},
    {"ratio", PB_PT_DBL, O(ratio), "0.25", "a fraction", NULL, 0, 1, 0, 0, NULL},
    {"mode", PB_PT_ENUM, O(mode), "strict", "order", modes, 0, 0, 0, 0, NULL},
    {"verbose", PB_PT_FLAG, O(verbose), NULL, "say more", NULL, 0, 0, 'v', PB_PF_NOMETA, NULL},
    {"fast", PB_PT_BOOL, O(fast), "no", "be quick", NULL, 0, 0, 0, 0, NULL},
    {"name", PB_PT_STR, O(name), NULL, "a label", NULL, 0, 0, 0, 0, NULL},
    {"knob", PB_PT_U64, O(knob), NULL, "test knob", NULL, 0, 0, 0, PB_PF_HIDDEN, NULL},
    {0},
};

int main(void)
{
	struct cfg c;
	char err[512];
	uint64_t given = 0;
	PB_CHECK(pb_param_count(tab) == 8);
	PB_CHECK(pb_param_defaults(tab, &c, err, sizeof(err)) == 0);
	PB_CHECK(c.frames == 64 && c.size == 4096 && c.ratio == 0.25 && c.mode == 0 && !c.fast &&
		 !c.name && !c.verbose);

	/* Strict values: overflow, junk, bounds, choices each fail with the key. */
	PB_CHECK(pb_param_set(tab, &c, "frames", "0", err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "frames=0") != NULL, "%s", err);
	PB_CHECK(pb_param_set(tab, &c, "frames", "12x", err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_param_set(tab, &c, "frames", "99999999999999999999999", err, sizeof(err)) ==
		 -EINVAL);
	PB_CHECK(pb_param_set(tab, &c, "frames", "-1", err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_param_set(tab, &c, "ratio", "1.5", err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_param_set(tab, &c, "ratio", "nan", err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_param_set(tab, &c, "mode", "lazy", err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "strict|free") != NULL, "%s", err);
	PB_CHECK(pb_param_set(tab, &c, "nope", "1", err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "'nope'") && strstr(err, "frames") && !strstr(err, "knob"), "%s",
		     err);
	PB_CHECK(c.frames == 64 && c.ratio == 0.25 && c.mode == 0); /* untouched by failures */

	/* k=v strings */
	PB_CHECK(pb_param_parse_kv(tab, &c, "frames=100,size=2M,mode=free,fast=yes,name=x y",
				   &given, err, sizeof(err)) == 0);
	PB_CHECK(c.frames == 100 && c.size == 2u << 20 && c.mode == 1 && c.fast == 1);
	PB_CHECK(c.name && !strcmp(c.name, "x y"));
	PB_CHECK(given == (1u << 0 | 1u << 1 | 1u << 3 | 1u << 5 | 1u << 6));
	PB_CHECK(pb_param_parse_kv(tab, &c, "frames", NULL, err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_param_parse_kv(tab, &c, "=3", NULL, err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_param_parse_kv(tab, &c, "", NULL, err, sizeof(err)) == 0);

	/* Canonical text and JSON (read back with jansson). */
	char *canon = pb_param_canonical(tab, &c);
	PB_CHECK_MSG(canon && !strcmp(canon, "frames=100,size=2097152,ratio=0.25,mode=free,fast=1,"
					     "name=x y,knob=0"),
		     "%s", canon ? canon : "(null)");
	free(canon);
	json_t *j = pb_param_json(tab, &c);
	char *txt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	json_error_t je;
	json_t *back = json_loads(txt, 0, &je);
	PB_CHECK(back != NULL);
	PB_CHECK(json_integer_value(json_object_get(back, "frames")) == 100);
	PB_CHECK(json_real_value(json_object_get(back, "ratio")) == 0.25);
	PB_CHECK(!strcmp(json_string_value(json_object_get(back, "mode")), "free"));
	PB_CHECK(json_is_true(json_object_get(back, "fast")));
	PB_CHECK(json_object_get(back, "verbose") == NULL); /* NOMETA */
	json_decref(back);
	free(txt);
	/* a u64 above 2^63-1 exactly, as a decimal string (not wrapped negative) */
	c.knob = UINT64_MAX;
	j = pb_param_json(tab, &c);
	PB_CHECK(
	    !strcmp(json_string_value(json_object_get(j, "knob")) ?: "", "18446744073709551615"));
	json_decref(j);
	c.knob = (uint64_t)INT64_MAX;
	j = pb_param_json(tab, &c);
	PB_CHECK(json_integer_value(json_object_get(j, "knob")) == INT64_MAX);
	json_decref(j);
	pb_param_free(tab, &c);
	PB_CHECK(c.name == NULL);

	/* Command-line options. */
	char *argv1[] = {"cmd",	 "-f", "7",  "a",  "--ratio=0.5", "--mode",
			 "free", "-v", "--", "-x", NULL};
	char *pos[16];
	int npos = -1;
	PB_CHECK(pb_param_defaults(tab, &c, err, sizeof(err)) == 0);
	PB_CHECK(pb_param_getopt(tab, &c, 10, argv1, pos, &npos, &given, err, sizeof(err)) == 0);
	PB_CHECK(c.frames == 7 && c.ratio == 0.5 && c.mode == 1 && c.verbose == 1);
	PB_CHECK(npos == 2 && !strcmp(pos[0], "a") && !strcmp(pos[1], "-x"));
	char *argv2[] = {"cmd", "--frames", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 2, argv2, pos, &npos, NULL, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "needs a value") != NULL, "%s", err);
	char *argv3[] = {"cmd", "--framez", "3", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 3, argv3, pos, &npos, NULL, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "unknown option '--framez'") != NULL, "%s", err);
	char *argv4[] = {"cmd", "--frames", "0", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 3, argv4, pos, &npos, NULL, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(!strncmp(err, "--frames=0", 10), "%s", err);
	char *argv5[] = {"cmd", "--frames", "3", "--help", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 4, argv5, pos, &npos, NULL, err, sizeof(err)) == 1);
	/* after "--" every word is an operand: --help and -h too (they were
	 * read as a help request) */
	char *argv6[] = {"cmd", "--frames", "3", "--", "--help", "-h", NULL};
	npos = -1;
	PB_CHECK(pb_param_getopt(tab, &c, 6, argv6, pos, &npos, NULL, err, sizeof(err)) == 0);
	PB_CHECK_MSG(npos == 2 && !strcmp(pos[0], "--help") && !strcmp(pos[1], "-h") &&
			 c.frames == 3,
		     "npos %d", npos);
	char *argv7[] = {"cmd", "-h", "--", "x", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 4, argv7, pos, &npos, NULL, err, sizeof(err)) == 1);
	/* the value of an option that takes one is its value, not a help
	 * request (`-f -h` printed help and exited 0): "--name -h" is the name
	 * "-h", "-f -h" a bad --frames; a flag takes none, so "-v -h" is help */
	char *argv8[] = {"cmd", "--name", "-h", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 3, argv8, pos, &npos, NULL, err, sizeof(err)) == 0);
	PB_CHECK_MSG(c.name && !strcmp(c.name, "-h"), "%s", c.name ? c.name : "NULL");
	pb_param_free(tab, &c);
	char *argv8b[] = {"cmd", "-f", "-h", NULL};
	PB_CHECK_MSG(pb_param_getopt(tab, &c, 3, argv8b, pos, &npos, NULL, err, sizeof(err)) ==
			 -EINVAL,
		     "%s", err);
	PB_CHECK_MSG(!strncmp(err, "--frames=-h", 11), "%s", err);
	char *argv9[] = {"cmd", "-v", "-h", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 3, argv9, pos, &npos, NULL, err, sizeof(err)) == 1);
	char *argv10[] = {"cmd", "--frames=2", "-h", NULL};
	PB_CHECK(pb_param_getopt(tab, &c, 3, argv10, pos, &npos, NULL, err, sizeof(err)) == 1);

	/* Help: every visible key once, the hidden one not. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pb_param_help(tab, f, 1);
	fclose(f);
	PB_CHECK(buf && strstr(buf, "-f, --frames N") && strstr(buf, "--verbose") &&
		 strstr(buf, "one of strict|free") && !strstr(buf, "knob"));
	free(buf);
	pb_param_free(tab, &c);
	/* PB_PF_LO_OPEN: a share in (lo, hi] refuses lo itself, with the
	 * open interval in its error (policy parameters use it) */
	{
		struct share {
			double f;
		} sh;
		static const struct pb_param open_tab[] = {
		    {"share", PB_PT_DBL, offsetof(struct share, f), "0.5", "a share", NULL, 0, 1, 0,
		     PB_PF_LO_OPEN, NULL},
		    {"closed", PB_PT_DBL, offsetof(struct share, f), "0.5", "a share", NULL, 0, 1,
		     0, 0, NULL},
		    {0},
		};
		PB_CHECK(pb_param_set(open_tab, &sh, "share", "0", err, sizeof(err)) == -EINVAL);
		PB_CHECK_MSG(strstr(err, "share=0") && strstr(err, "(0, 1]"), "%s", err);
		PB_CHECK(pb_param_set(open_tab, &sh, "share", "1e-9", err, sizeof(err)) == 0 &&
			 sh.f == 1e-9);
		PB_CHECK(pb_param_set(open_tab, &sh, "share", "1", err, sizeof(err)) == 0 &&
			 sh.f == 1);
		PB_CHECK(pb_param_set(open_tab, &sh, "closed", "0", err, sizeof(err)) == 0 &&
			 sh.f == 0);
	}
	return pb_test_done();
}
