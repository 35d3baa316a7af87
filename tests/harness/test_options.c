/* SPDX-License-Identifier: MIT */
/*
 * Options come from one table per command (pagebench/param.h), so what
 * --help names, what the parser takes and what meta.json records cannot
 * drift.  Checked on the real binary:
 *  - every `--name` in `pagebench CMD --help` is accepted by CMD's parser
 *    (no "unknown option" error for it), for run, topo, list, trace
 *    info|convert|record, plot, compare and merge;
 *  - an unknown option is refused: exit 2, one line naming it;
 *  - `run`'s meta.json records the options as a JSON object (jansson) with
 *    every non-output option of --help, the values given, and the kernel's
 *    effective parameters (defaults filled in);
 *  - `list kernels -v` prints every key of each table-driven kernel;
 *  - a bad --param of each table-driven kernel is refused with one line,
 *    exit 2, before any run folder exists;
 *  - the help texts name the options and specs of issue 12: sim --help
 *    --caches, --thp and --swap; `list workloads` exec (and thp=);
 *    `pagebench --help` csim; csim's own options as the others'.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagebench/kernel.h"
#include "pagebench/param.h"
#include "pbtest.h"
#include "spawn.h"

static const char *bin;
static char root[4096]; /* pbt_tmpdir: under $TMPDIR */
static struct spawn_out o;

/* Run bin with the NULL-terminated words of cmd, then extra (may be NULL). */
static int pb(const char *const *cmd, const char *const *extra)
{
	char *argv[64] = {(char *)bin};
	int n = 1;
	for (; cmd && *cmd && n < 60; cmd++)
		argv[n++] = (char *)*cmd;
	for (; extra && *extra && n < 62; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
	static char env_results[4200];
	snprintf(env_results, sizeof(env_results), "PAGEBENCH_RESULTS=%s/default-results", root);
	char *env[] = {env_results, NULL};
	return spawn_run(argv, env, &o);
}

/* The `--name` tokens of a help text (each once, "--help" left out). */
static size_t help_options(const char *text, char names[][64], size_t cap)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, "--")); p += 2) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
			continue;
		const char *q = p + 2;
		if (!islower((unsigned char)*q))
			continue;
		while (isalnum((unsigned char)*q) || *q == '-')
			q++;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
		if (!strcmp(name, "--help"))
			continue;
		int seen = 0;
		for (size_t i = 0; i < n; i++)
			seen |= !strcmp(names[i], name);
		if (!seen && n < cap)
			snprintf(names[n++], 64, "%s", name);
	}
	return n;
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void check_command(const char *const *cmd, const char *label)
{
	PB_CHECK_MSG(pb(cmd, (const char *[]){"--help", NULL}) == 0, "%s --help: exit %d", label,
		     o.code);
	static char help[1 << 16];
	snprintf(help, sizeof(help), "%s", o.out);
	static char names[64][64];
	size_t n = help_options(help, names, 64);
	PB_CHECK_MSG(n >= 1, "%s --help names no option", label);
	for (size_t i = 0; i < n; i++) {
		/* "--name=1": a flag parses it as a boolean, a valued option as
		 * its value; either way the option must be known.  No positional
		 * arguments, so nothing runs past the parser. */
		char arg[96];
		snprintf(arg, sizeof(arg), "%s=1", names[i]);
		pb(cmd, (const char *[]){arg, NULL});
		PB_CHECK_MSG(!strstr(o.err, "unknown option"), "%s: %s (from --help) refused: %s",
			     label, names[i], o.err);
		PB_CHECK_MSG(o.code == 0 || count_lines(o.err) == 1,
			     "%s %s: exit %d with %d lines: %s", label, arg, o.code,
			     count_lines(o.err), o.err);
	}
	PB_CHECK_EQ_U64(pb(cmd, (const char *[]){"--no-such-option", NULL}), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "--no-such-option") &&
			 strstr(o.err, "unknown option"),
		     "%s: %s", label, o.err);
}

static void check_meta(void)
{
	char res[4200];
	snprintf(res, sizeof(res), "%s/meta", root);
	int rc = pb((const char *[]){"run", "pt-lookup", "--threads", "1", "--reps", "2", "--ops",
				     "2000", "--param", "pt=hashed,update=20", "--no-baseline",
				     "--label", "optlab", "--results", res, NULL},
		    NULL);
	PB_CHECK_MSG(rc == 0, "run: exit %d: %s", rc, o.err);
	char dir[4400];
	PB_CHECK(pbt_run_dirs(res, dir, sizeof(dir)) == 1);
	json_t *m = pbt_meta(dir);
	if (!m)
		return;
	json_t *cfg = json_object_get(m, "config");
	json_t *opt = json_object_get(cfg, "options");
	PB_CHECK_MSG(json_is_object(opt), "meta.json has no config.options object");
	json_t *kp = json_object_get(cfg, "kernel_params");
	PB_CHECK_MSG(json_is_object(kp), "meta.json has no config.kernel_params object");
	if (json_is_object(opt)) {
		PB_CHECK_EQ_U64(json_integer_value(json_object_get(opt, "reps")), 2);
		PB_CHECK_EQ_U64(json_integer_value(json_object_get(opt, "ops")), 2000);
		PB_CHECK(json_is_true(json_object_get(opt, "no-baseline")));
		PB_CHECK(!strcmp(json_string_value(json_object_get(opt, "label")), "optlab"));
		PB_CHECK(!strcmp(json_string_value(json_object_get(opt, "pin")), "compact"));
		PB_CHECK(json_object_get(opt, "seed") != NULL);	   /* a default, filled in */
		PB_CHECK(json_object_get(opt, "results") == NULL); /* output paths: not config */
		/* every option of --help but the output ones is recorded */
		PB_CHECK(pb((const char *[]){"run", "--help", NULL}, NULL) == 0);
		static char names[64][64];
		size_t n = help_options(o.out, names, 64);
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], "--results") && strcmp(names[i], "--csv"))
				PB_CHECK_MSG(json_object_get(opt, names[i] + 2) != NULL,
					     "%s not in meta.json options", names[i]);
	}
	if (json_is_object(kp)) {
		PB_CHECK(!strcmp(json_string_value(json_object_get(kp, "pt")), "hashed"));
		PB_CHECK_EQ_U64(json_integer_value(json_object_get(kp, "update")), 20);
		PB_CHECK_EQ_U64(json_integer_value(json_object_get(kp, "guard")), 256);
	}
	json_decref(m);
}

static void check_kernels(void)
{
	PB_CHECK(pb((const char *[]){"list", "kernels", "-v", NULL}, NULL) == 0);
	static char list[1 << 16];
	snprintf(list, sizeof(list), "%s", o.out);
	const struct pb_kernel_desc *d;
	unsigned tabled = 0;
	for (size_t i = 0; (d = pb_kernel_at(i)); i++) {
		if (!d->params)
			continue;
		tabled++;
		char head[128];
		snprintf(head, sizeof(head), "  %s ", d->name);
		const char *at = strstr(list, head);
		PB_CHECK_MSG(at != NULL, "list kernels -v lacks %s", d->name);
		if (!at)
			continue;
		const char *next = strstr(at + 1, "\n  ");
		while (next && next[3] == ' ')
			next = strstr(next + 1, "\n  ");
		for (const struct pb_param *p = d->params; p->type != PB_PT_END; p++) {
			char key[96];
			snprintf(key, sizeof(key), "  %s=", p->key);
			const char *k = strstr(at, key);
			PB_CHECK_MSG(k != NULL, "list kernels -v: %s lacks %s", d->name, p->key);
		}
		/* a bad --param: one line, exit 2, no folder */
		char res[4200];
		snprintf(res, sizeof(res), "%s/bad-%s", root, d->name);
		pb((const char *[]){"run", d->name, "--threads", "1", "--param", "no_such_key=1",
				    "--results", res, NULL},
		   NULL);
		PB_CHECK_MSG(o.code == 2 && count_lines(o.err) == 1 &&
				 strstr(o.err, "no_such_key") && strstr(o.err, d->name),
			     "%s: exit %d: %s", d->name, o.code, o.err);
		PB_CHECK_MSG(dir_entries(res) == 0, "%s: a folder was made for a bad --param",
			     d->name);
		for (const struct pb_param *p = d->params; p->type != PB_PT_END; p++) {
			if (p->type == PB_PT_STR)
				continue;
			char kv[128];
			snprintf(kv, sizeof(kv), "%s=@bad", p->key);
			pb((const char *[]){"run", d->name, "--threads", "1", "--param", kv,
					    "--results", res, NULL},
			   NULL);
			PB_CHECK_MSG(o.code == 2 && count_lines(o.err) == 1 &&
					 strstr(o.err, p->key),
				     "%s %s: exit %d: %s", d->name, kv, o.code, o.err);
			PB_CHECK_MSG(dir_entries(res) == 0, "%s %s: a folder was made", d->name,
				     kv);
			break;
		}
	}
	/* every kernel: parameters come from a table, nothing else */
	size_t nk = 0;
	while (pb_kernel_at(nk))
		nk++;
	PB_CHECK_MSG(tabled == nk && nk >= 9, "%u of %zu kernels have a parameter table", tabled,
		     nk);
}

/* The help texts name what the tables hold (issue 12's options and specs). */
static void check_help_texts(void)
{
	static const struct {
		const char *cmd[4];
		const char *needle;
	} want[] = {
	    {{"sim", "--help", NULL}, "--caches"},  {{"sim", "--help", NULL}, "--thp"},
	    {{"sim", "--help", NULL}, "--swap"},    {{"list", "workloads", NULL}, "\n  exec "},
	    {{"list", "workloads", NULL}, "thp=0"}, {{"--help", NULL}, "\n  csim "},
	    {{"csim", "--help", NULL}, "--trace"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int rc = pb(want[i].cmd, NULL);
		PB_CHECK_MSG(rc == 0 && strstr(o.out, want[i].needle),
			     "pagebench %s %s: exit %d, output lacks '%s'", want[i].cmd[0],
			     want[i].cmd[1] ? want[i].cmd[1] : "", rc, want[i].needle);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_options PATH_TO_PAGEBENCH");
	bin = argv[1];
	PB_CHECK(pbt_tmpdir(root, sizeof(root), "options") != NULL);

	check_command((const char *[]){"run", NULL}, "run");
	check_command((const char *[]){"topo", NULL}, "topo");
	check_command((const char *[]){"list", NULL}, "list");
	check_command((const char *[]){"trace", "info", NULL}, "trace info");
	check_command((const char *[]){"trace", "convert", NULL}, "trace convert");
	check_command((const char *[]){"trace", "record", NULL}, "trace record");
	check_command((const char *[]){"plot", NULL}, "plot");
	check_command((const char *[]){"compare", NULL}, "compare");
	check_command((const char *[]){"merge", NULL}, "merge");
	check_command((const char *[]){"csim", NULL}, "csim");
	check_help_texts();
	/* an option of another trace subcommand is refused naming it */
	PB_CHECK_EQ_U64(pb((const char *[]){"trace", "info", "--level", "3", "x", NULL}, NULL), 2);
	PB_CHECK_MSG(count_lines(o.err) == 1 && strstr(o.err, "--level"), "%s", o.err);
	/* `pagebench help CMD` is CMD --help */
	PB_CHECK(pb((const char *[]){"help", "compare", NULL}, NULL) == 0 &&
		 strstr(o.out, "--threshold"));
	check_meta();
	check_kernels();
	PB_CHECK(dir_entries(root) >= 1);
	PB_CHECK(pbt_rmtree(root) == 0);
	return pb_test_done();
}
