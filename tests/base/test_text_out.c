/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_text_out.c - the harness helpers that replaced copies:
 *  - pb_sb_shell, one shell quoting for a suite task's text (suite.c had
 *    its own) and the command line of a figure's sidecar (cmd_plot.c had
 *    another): each word read back by /bin/sh is the word, and the text of
 *    a suite line with an empty word, a single quote, a backslash, '$', a
 *    tab and UTF-8 is what it was (`suite --dry-run`, so the same check
 *    runs against an older binary);
 *  - pb_list_has_empty, and `plot --kind` / `--format` refusing an empty
 *    entry by name (a trailing ',' was "unknown kind ''" before, a list
 *    walked with pb_kv_next would skip it);
 *  - pb_json_write, the one JSON file writer of meta.json and the suite's
 *    plan.json, task.json and meta.json: the text and a newline, read back
 *    by jansson; an existing file kept without PB_OUT_FORCE.
 * argv[1]: the pagebench binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pagebench/outfile.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096];
static struct spawn_out o;
static char *envv[] = {"PAGEBENCH_COUNTERS=none", NULL};

/* What /bin/sh makes of text: each word as "[word]". */
static const char *sh_words(const char *text)
{
	char *cmd;
	if (asprintf(&cmd, "printf '[%%s]' %s", text) < 0)
		return "";
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	int rc = spawn_run(argv, NULL, &o);
	free(cmd);
	return rc ? "(sh failed)" : o.out;
}

static void shell_words(void)
{
	static const struct {
		const char *w, *want;
	} t[] = {
	    {"plain-_.,:=/+@%09AZaz", "plain-_.,:=/+@%09AZaz"},
	    {"", "''"},
	    {"a b", "'a b'"},
	    {"it's", "'it'\\''s'"},
	    {"'", "''\\'''"},
	    {"''", "''\\'''\\'''"},
	    {"a\\b", "'a\\b'"},
	    {"$HOME", "'$HOME'"},
	    {"x\"y", "'x\"y'"},
	    {"tab\tx", "'tab\tx'"},
	    {"\xc3\xbc", "'\xc3\xbc'"},
	    {"a~b", "'a~b'"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pb_sb b = {0};
		pb_sb_shell(&b, t[i].w);
		PB_CHECK_MSG(b.s && !strcmp(b.s, t[i].want), "pb_sb_shell(%s): %s, wanted %s",
			     t[i].w, b.s ? b.s : "(null)", t[i].want);
		char want[256];
		snprintf(want, sizeof(want), "[%s]", t[i].w);
		const char *got = sh_words(b.s ? b.s : "");
		PB_CHECK_MSG(!strcmp(got, want), "sh read %s as %s, wanted %s", b.s, got, want);
		pb_sb_free(&b);
	}
}

/* A suite line's text: the words as the suite read them, quoted where
 * they need it (plan.json's command, `suite --dry-run`). */
static void suite_text(void)
{
	char file[4200];
	snprintf(file, sizeof(file), "%s/odd.suite", root);
	FILE *f = fopen(file, "w");
	PB_CHECK(f != NULL);
	if (!f)
		return;
	fputs("set E=\n"
	      "set Q=\"it's\"\n"
	      "sim --workload 'zipf:pages=1K' --policy \"lru\" --frames 8 \"\" '' $Q "
	      "\"x\\\"y\" 'q'\"'\"'uote' \"a\\\\b\" \"\\$d\" '\xc3\xbc' \"tab\tx\" 'k=$N' ${Q}s "
	      "plain-_.,:=/+@% 'x~y' \"$E\" $E\n",
	      f);
	PB_CHECK(fclose(f) == 0);
	int rc = spawn_runl(bin, envv, &o, "suite", file, "--dry-run", NULL);
	const char *want = "pagebench sim --workload zipf:pages=1K --policy lru --frames 8 '' '' "
			   "'it'\\''s' 'x\"y' 'q'\\''uote' 'a\\b' '$d' '\xc3\xbc' 'tab\tx' 'k=$N' "
			   "'it'\\''ss' plain-_.,:=/+@% 'x~y' '' ''\n";
	PB_CHECK_MSG(rc == 0 && !strcmp(o.out, want), "suite --dry-run: rc %d\n%s%s\nwanted\n%s",
		     rc, o.out, o.err, want);
	/* and the shell reads back the words the suite read */
	const char *words = "[pagebench][sim][--workload][zipf:pages=1K][--policy][lru][--frames]"
			    "[8][][][it's][x\"y][q'uote][a\\b][$d][\xc3\xbc][tab\tx][k=$N][it'ss]"
			    "[plain-_.,:=/+@%][x~y][][]";
	char *line = strndup(o.out, strcspn(o.out, "\n"));
	const char *got = sh_words(line ? line : "");
	PB_CHECK_MSG(!strcmp(got, words), "sh read the task as %s", got);
	free(line);
}

static void lists(void)
{
	PB_CHECK(pb_list_has_empty(""));
	PB_CHECK(pb_list_has_empty(","));
	PB_CHECK(pb_list_has_empty("a,"));
	PB_CHECK(pb_list_has_empty(",a"));
	PB_CHECK(pb_list_has_empty("a,,b"));
	PB_CHECK(!pb_list_has_empty("a"));
	PB_CHECK(!pb_list_has_empty("a,b"));
	PB_CHECK(!pb_list_has_empty("a=1,b=,c"));

	static const struct {
		const char *opt, *val, *want;
	} t[] = {
	    {"--kind", "mrc,", "--kind: an empty kind in 'mrc,'"},
	    {"--kind", ",mrc", "--kind: an empty kind in ',mrc'"},
	    {"--kind", "mrc,,cost", "--kind: an empty kind in 'mrc,,cost'"},
	    {"--kind", "", "--kind: an empty kind in ''"},
	    {"--kind", "mrc,bogus", "--kind: unknown kind 'bogus'"},
	    {"--format", "pdf,", "--format: an empty format in 'pdf,'"},
	    {"--format", "png,,svg", "--format: an empty format in 'png,,svg'"},
	    {"--format", "pdf,gif", "--format: 'gif' is not pdf, png or svg"},
	    /* well-formed lists pass to the run folder, which is missing */
	    {"--kind", "mrc,cost,machines", "not a run folder"},
	    {"--format", "svg,pdf,png", "not a run folder"},
	};
	char nodir[4200];
	snprintf(nodir, sizeof(nodir), "%s/none", root);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = spawn_runl(bin, envv, &o, "plot", nodir, t[i].opt, t[i].val, NULL);
		PB_CHECK_MSG(rc == 2 && strstr(o.err, t[i].want) && count_lines(o.err) == 1,
			     "plot %s '%s': rc %d: %s (wanted '%s')", t[i].opt, t[i].val, rc, o.err,
			     t[i].want);
	}
}

static void json_file(void)
{
	char path[4200], err[4400];
	snprintf(path, sizeof(path), "%s/x.json", root);
	json_t *j = json_pack("{s:s, s:i}", "name", "\xc3\xbc", "n", 3);
	/* the suite's files: ASCII */
	PB_CHECK(pb_json_write(path, j, JSON_INDENT(2) | JSON_ENSURE_ASCII, 0, err, sizeof(err)) ==
		 0);
	size_t len = 0;
	char *txt = pb_slurp(path, &len);
	PB_CHECK_MSG(txt && !strcmp(txt, "{\n  \"name\": \"\\u00FC\",\n  \"n\": 3\n}\n"), "%s",
		     txt ? txt : "(unreadable)");
	free(txt);
	json_error_t je;
	json_t *back = json_load_file(path, 0, &je);
	PB_CHECK_MSG(back && json_equal(back, j), "%s: %s", path, je.text);
	json_decref(back);
	/* there already: kept, and the message names it */
	json_t *k = json_pack("{s:i}", "other", 1);
	int rc = pb_json_write(path, k, JSON_INDENT(2), 0, err, sizeof(err));
	PB_CHECK_MSG(rc == -EEXIST && strstr(err, path), "rc %d: %s", rc, err);
	back = json_load_file(path, 0, &je);
	PB_CHECK(back && json_equal(back, j));
	json_decref(back);
	/* PB_OUT_FORCE replaces it; meta.json's flags: UTF-8 as it is */
	PB_CHECK(pb_json_write(path, j, JSON_INDENT(2) | JSON_PRESERVE_ORDER, PB_OUT_FORCE, err,
			       sizeof(err)) == 0);
	txt = pb_slurp(path, &len);
	PB_CHECK_MSG(txt && !strcmp(txt, "{\n  \"name\": \"\xc3\xbc\",\n  \"n\": 3\n}\n"), "%s",
		     txt ? txt : "(unreadable)");
	free(txt);
	back = json_load_file(path, 0, &je);
	PB_CHECK(back && json_equal(back, j));
	json_decref(back);
	json_decref(j);
	json_decref(k);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PAGEBENCH\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	if (!pbt_tmpdir(root, sizeof(root), "textout"))
		return 1;
	shell_words();
	suite_text();
	lists();
	json_file();
	pbt_rmtree(root);
	return pb_test_done();
}
