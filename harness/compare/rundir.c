/* SPDX-License-Identifier: MIT */
/*
 * harness/compare/rundir.c - a run folder read back for compare: its
 * meta.json (jansson) and its CSVs; and which differences between two
 * runs' configurations make them incomparable.
 *
 * A folder without meta.json is not a complete run (meta.json is written
 * last), so it is refused.  Configuration differences (meta.json's
 * "config" object and "build.build_type") are fatal unless the caller
 * allows them: a different --size, --ops, --param, seed, workload or a
 * sanitizer build against a Release build measure different things.
 * Differences that only change which rows exist (threads, pin, reps,
 * kernel or suite, policies, frames) or the toolchain (compiler, flags,
 * features) are shown as notes; the git commits are always shown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../internal.h"
#include "compare.h"
#include "pagebench/kernel.h"
#include "pagebench/param.h"
#include "pagebench/parse.h"

char *cmp_path(const char *dir, const char *name)
{
	return cmp_asprintf("%s%s%s", dir, pb_path_sep(dir), name);
}

static int load_csv(const char *dir, const char *name, struct cmp_table *t, int *has, char *err,
		    size_t errlen)
{
	char *path = cmp_path(dir, name);
	int rc = cmp_table_load(path, t, err, errlen);
	free(path);
	if (rc == -ENOENT) {
		*has = 0;
		return 0;
	}
	*has = rc == 0;
	return rc;
}

static json_t *meta_get(json_t *root, const char *path)
{
	json_t *v = root;
	const char *p = path;
	while (v && *p) {
		size_t l = strcspn(p, ".");
		char *k = strndup(p, l);
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
		free(k);
		p += l;
		if (*p == '.')
			p++;
	}
	return v;
}

const char *cmp_meta_str(const struct cmp_run *r, const char *path, char *buf, size_t len)
{
	json_t *v = meta_get(r->meta, path);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return "";
}

static const char *meta_s(json_t *root, const char *path)
{
	json_t *v = meta_get(root, path);
	return json_is_string(v) ? json_string_value(v) : "";
}

const char *cmp_run_name(const struct cmp_run *r)
{
	if (r->name)
		return r->name;
	if (r->label[0])
		return r->label;
	if (r->host[0])
		return r->host;
	return r->dir;
}

/* The rows of t whose run_id is run_id (every row where t has no run_id
 * column or run_id is NULL) */
static size_t rows_of(const struct cmp_table *t, const char *run_id)
{
	int c = run_id ? cmp_table_col(t, "run_id") : -1;
	if (c < 0)
		return t->nrows;
	size_t n = 0;
	for (size_t i = 0; i < t->nrows; i++)
		n += !strcmp(cmp_cell(t, i, c), run_id);
	return n;
}

/* The rows one process (a run, or a suite's task: meta, its meta.json;
 * where, its name in messages) must have written, against those there: a
 * CSV cut at a row boundary parses, and where runs.csv and summary.csv
 * are cut alike (or sim.csv alone) its experiments would read as
 * vanished, MISSING on one side, exit 1, instead of the bad input they
 * are.  summary.csv: a total row for every entry of meta.json's
 * experiments ("NAME[:PARAMS] threads=T", listed once its rows are
 * written: failed, skipped and --no-baseline experiments are not there;
 * an INVALID one is, with its rows).  sim.csv: a row per policy
 * (config.policies), frame count (config.options.frames) and repetition
 * (config.options.reps), every job of a complete run writing one, a
 * failed job included (valid=0); a partial or failed run is not checked.  Rows
 * of a suite's task (task 1) are those of its run_id where the merged
 * file has that column; a run's are all of them.  Runs before these keys
 * were recorded lack them: not checked. */
static int check_process(const struct cmp_run *r, json_t *meta, const char *where, int task,
			 int do_sum, int do_sim, char *err, size_t errlen)
{
	/* a run's files are all its own (whatever their run_id cells say) */
	const char *run_id = task ? json_string_value(json_object_get(meta, "run_id")) : NULL;
	json_t *exps = json_object_get(meta, "experiments");
	const struct cmp_table *t = &r->summary;
	int ck = cmp_table_col(t, "kernel"), cp = cmp_table_col(t, "params"),
	    cn = cmp_table_col(t, "threads"), ct = cmp_table_col(t, "thread"),
	    cr = run_id ? cmp_table_col(t, "run_id") : -1;
	for (size_t i = 0; do_sum && r->has_summary && ck >= 0 && cp >= 0 && cn >= 0 && ct >= 0 &&
			   i < json_array_size(exps);
	     i++) {
		const char *e = json_string_value(json_array_get(exps, i));
		struct pb_experiment_id id;
		/* measure.c's pb_experiment_label read back by its inverse; an
		 * entry that is no label is passed over (as one without
		 * " threads=" was): it names no row to look for */
		if (!e || pb_experiment_parse(e, &id))
			continue;
		char *kernel = cmp_asprintf("%.*s", (int)id.klen, id.kernel);
		char *params = cmp_asprintf("%.*s", (int)id.plen, id.params);
		char threads[16];
		snprintf(threads, sizeof(threads), "%u", id.threads);
		int found = 0;
		for (size_t q = 0; q < t->nrows && !found; q++)
			found = !strcmp(cmp_cell(t, q, ct), "total") &&
				!strcmp(cmp_cell(t, q, ck), kernel) &&
				!strcmp(cmp_cell(t, q, cp), params) &&
				!strcmp(cmp_cell(t, q, cn), threads) &&
				(cr < 0 || !strcmp(cmp_cell(t, q, cr), run_id));
		free(kernel);
		free(params);
		if (!found) {
			snprintf(err, errlen,
				 "%s: no total row for '%.200s', which %s lists among its "
				 "experiments (summary.csv and runs.csv cut short or edited?)",
				 t->path, e, where);
			return -EINVAL;
		}
	}
	json_t *pol = meta_get(meta, "config.policies");
	json_t *fr = meta_get(meta, "config.options.frames");
	json_t *reps = meta_get(meta, "config.options.reps");
	const char *status = json_string_value(json_object_get(meta, "status"));
	uint64_t *frames = NULL;
	size_t nframes = 0;
	if (do_sim && r->has_sim && json_is_array(pol) && json_is_string(fr) &&
	    json_is_integer(reps) && json_integer_value(reps) > 0 &&
	    !(status && strcmp(status, "complete")) && /* partial, failed: rows may lack */
	    !pb_parse_u64_list(json_string_value(fr), &frames, &nframes)) {
		nframes = pb_u64_unique_stable(frames, nframes);
		size_t want = json_array_size(pol) * nframes * (size_t)json_integer_value(reps);
		size_t have = rows_of(&r->sim, run_id);
		free(frames);
		if (have < want) {
			snprintf(err, errlen,
				 "%s: %zu row(s)%s%s, but %s says %zu policies x %zu frame counts "
				 "(--frames %.100s) x %lld repetitions = %zu (sim.csv cut short or "
				 "edited?)",
				 r->sim.path, have, run_id ? " of run " : "", run_id ? run_id : "",
				 where, json_array_size(pol), nframes, json_string_value(fr),
				 (long long)json_integer_value(reps), want);
			return -EINVAL;
		}
	}
	return 0;
}

/* 1 if the suite's merge did not merge file name of task n (1-based): its
 * columns differ from the ones most tasks share (config.merge_notes; the
 * first task's in merges before 2026-12-07) */
static int not_merged(const struct cmp_run *r, const char *name, size_t n)
{
	char *note = cmp_asprintf("%s of task %zu has ", name, n);
	json_t *notes = meta_get(r->meta, "config.merge_notes"), *v;
	size_t i;
	int hit = 0;
	json_array_foreach(notes, i, v)
	{
		const char *s = json_string_value(v);
		hit |= s && !strncmp(s, note, strlen(note)) && strstr(s, "not merged");
	}
	free(note);
	return hit;
}

static char *task_dir(const struct cmp_run *r, json_t *task);

/* check_process for a run, or for each task of a suite whose rows were
 * merged (status ok, its meta.json readable) */
static int check_rows(const struct cmp_run *r, char *err, size_t errlen)
{
	json_t *tasks = meta_get(r->meta, "config.tasks");
	if (!json_is_array(tasks)) {
		/* a run's rows all carry its run_id: a meta.json none of them
		 * carries is another run's (copied over), whatever else would
		 * then be blamed on the CSVs */
		const char *id = json_string_value(json_object_get(r->meta, "run_id"));
		const struct cmp_table *own[] = {&r->summary, &r->runs, &r->sim, &r->mrc};
		const int has[] = {r->has_summary, r->has_runs, r->has_sim, r->has_mrc};
		for (size_t k = 0; id && k < PB_ARRAY_SIZE(own); k++) {
			const struct cmp_table *t = own[k];
			int c = has[k] ? cmp_table_col(t, "run_id") : -1;
			if (c < 0 || !t->nrows || rows_of(t, id))
				continue;
			snprintf(
			    err, errlen,
			    "%s: meta.json is run %.40s's, but the rows of %s are run %.40s's: "
			    "a meta.json from another run?",
			    r->dir, id, t->path, cmp_cell(t, 0, c));
			return -EINVAL;
		}
		return check_process(r, r->meta, "meta.json", 0, 1, 1, err, errlen);
	}
	for (size_t i = 0; i < json_array_size(tasks); i++) {
		json_t *tk = json_array_get(tasks, i);
		const char *st = json_string_value(json_object_get(tk, "status"));
		char *d = st && !strcmp(st, "ok") ? task_dir(r, tk) : NULL;
		if (!d)
			continue;
		char *p = cmp_path(d, "meta.json");
		json_t *m = json_load_file(p, JSON_REJECT_DUPLICATES, NULL);
		char *where = cmp_asprintf("task %zu's %s", i + 1, p);
		int rc = m ? check_process(r, m, where, 1, !not_merged(r, "summary.csv", i + 1),
					   !not_merged(r, "sim.csv", i + 1), err, errlen)
			   : 0;
		json_decref(m);
		free(where);
		free(p);
		free(d);
		if (rc)
			return rc;
	}
	return 0;
}

int cmp_run_load(const char *dir, struct cmp_run *r, char *err, size_t errlen)
{
	*r = (struct cmp_run){0};
	r->dir = cmp_strdup(dir);
	struct stat st;
	if (stat(dir, &st)) {
		int e = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		cmp_run_free(r);
		return e;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a run folder", dir);
		cmp_run_free(r);
		return -ENOTDIR;
	}
	char *mpath = cmp_path(dir, "meta.json");
	json_error_t je;
	r->meta = json_load_file(mpath, JSON_REJECT_DUPLICATES, &je);
	if (!r->meta) {
		struct stat ms;
		if (stat(mpath, &ms))
			snprintf(err, errlen,
				 "%s: no meta.json (not a complete pagebench run folder)", dir);
		else
			snprintf(err, errlen, "%s:%d:%d: %s", mpath, je.line, je.column, je.text);
		free(mpath);
		cmp_run_free(r);
		return -EINVAL;
	}
	if (!json_is_object(r->meta)) {
		snprintf(err, errlen, "%s: not a JSON object", mpath);
		free(mpath);
		cmp_run_free(r);
		return -EINVAL;
	}
	free(mpath);
	int rc = load_csv(dir, "summary.csv", &r->summary, &r->has_summary, err, errlen);
	if (!rc)
		rc = load_csv(dir, "runs.csv", &r->runs, &r->has_runs, err, errlen);
	if (!rc)
		rc = load_csv(dir, "sim.csv", &r->sim, &r->has_sim, err, errlen);
	if (!rc)
		rc = load_csv(dir, "mrc.csv", &r->mrc, &r->has_mrc, err, errlen);
	if (!rc && r->has_summary && !r->has_runs) {
		snprintf(err, errlen, "%s: summary.csv without runs.csv (the repetitions)", dir);
		rc = -EINVAL;
	}
	if (!rc && !r->has_summary && !r->has_sim && !r->has_mrc) {
		snprintf(err, errlen, "%s: no summary.csv, sim.csv or mrc.csv", dir);
		rc = -EINVAL;
	}
	if (rc) {
		cmp_run_free(r);
		return rc;
	}
	if (check_rows(r, err, errlen)) {
		cmp_run_free(r);
		return -EINVAL;
	}
	r->label = meta_s(r->meta, "label");
	if (!r->label[0])
		r->label = meta_s(r->meta, "config.label");
	r->host = meta_s(r->meta, "host");
	r->commit = meta_s(r->meta, "build.git_commit");
	r->build_type = meta_s(r->meta, "build.build_type");
	r->status = meta_s(r->meta, "status");
	return 0;
}

unsigned cmp_run_kinds(const struct cmp_run *r)
{
	return (r->has_summary ? CMP_KIND_RUN : 0) | (r->has_sim ? CMP_KIND_SIM : 0) |
	       (r->has_mrc ? CMP_KIND_MRC : 0);
}

const char *cmp_run_kind_text(const struct cmp_run *r, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name, *file;
	} kinds[] = {
	    {CMP_KIND_RUN, "run", "summary.csv"},
	    {CMP_KIND_SIM, "sim", "sim.csv"},
	    {CMP_KIND_MRC, "mrc", "mrc.csv"},
	};
	unsigned k = cmp_run_kinds(r);
	char names[64] = "", files[64] = "";
	for (size_t i = 0; i < PB_ARRAY_SIZE(kinds); i++) {
		if (!(k & kinds[i].bit))
			continue;
		size_t n = strlen(names), f = strlen(files);
		snprintf(names + n, sizeof(names) - n, "%s%s", n ? " and " : "", kinds[i].name);
		snprintf(files + f, sizeof(files) - f, "%s%s", f ? ", " : "", kinds[i].file);
	}
	snprintf(buf, len, "%s %s folder (%s)", names[0] == 'm' ? "an" : "a", names, files);
	return buf;
}

void cmp_run_free(struct cmp_run *r)
{
	cmp_table_free(&r->summary);
	cmp_table_free(&r->runs);
	cmp_table_free(&r->sim);
	cmp_table_free(&r->mrc);
	if (r->meta)
		json_decref(r->meta);
	free(r->dir);
	free(r->name);
	free(r->suite_task);
	*r = (struct cmp_run){0};
}

int cmp_run_is_suite(const struct cmp_run *r)
{
	return json_is_array(meta_get(r->meta, "config.tasks"));
}

/* What a single run measured: a timed run's kernel, a sim or mrc run's
 * workload (its canonical spec); NULL where meta.json has neither. */
static json_t *run_subject(const struct cmp_run *r, const char **what)
{
	json_t *k = meta_get(r->meta, "config.kernel");
	*what = "kernel";
	if (json_is_string(k))
		return k;
	*what = "workload";
	k = meta_get(r->meta, "config.workload");
	return json_is_string(k) ? k : NULL;
}

/* config.tasks[i].run_dir as a path under the suite's folder, or NULL
 * (none, or one that leaves the folder) */
static char *task_dir(const struct cmp_run *r, json_t *task)
{
	const char *rd = json_string_value(json_object_get(task, "run_dir"));
	if (!rd || !rd[0] || rd[0] == '/' || strstr(rd, ".."))
		return NULL;
	return cmp_path(r->dir, rd);
}

int cmp_suite_task(struct cmp_run *suite, const struct cmp_run *ref, char *err, size_t errlen)
{
	json_t *tasks = meta_get(suite->meta, "config.tasks");
	const char *what, *twhat;
	json_t *want = run_subject(ref, &what);
	char kb[128];
	cmp_run_kind_text(ref, kb, sizeof(kb));
	if (!want) {
		snprintf(err, errlen,
			 "%s names no kernel or workload in its meta.json, so no task "
			 "can be matched to it",
			 ref->dir);
		return -ENOENT;
	}
	struct cmp_run found = {0};
	size_t nmatch = 0, which = 0;
	char nums[256] = "";
	for (size_t i = 0; i < json_array_size(tasks); i++) {
		json_t *tk = json_array_get(tasks, i);
		char *dir = task_dir(suite, tk), e[CMP_ERRLEN];
		struct cmp_run t;
		if (!dir)
			continue;
		int rc = cmp_run_load(dir, &t, e, sizeof(e));
		free(dir);
		if (rc)
			continue; /* a task without a result cannot be the one */
		json_t *got = run_subject(&t, &twhat);
		if ((cmp_run_kinds(&t) & cmp_run_kinds(ref)) && got && !strcmp(what, twhat) &&
		    json_equal(got, want)) {
			size_t l = strlen(nums);
			snprintf(nums + l, sizeof(nums) - l, "%s%zu", l ? ", " : "", i + 1);
			if (!nmatch++) {
				found = t;
				which = i;
				continue;
			}
		}
		cmp_run_free(&t);
	}
	if (nmatch == 1) {
		const char *cmd =
		    json_string_value(json_object_get(json_array_get(tasks, which), "command"));
		found.suite_task = cmp_asprintf("suite %s, task %zu of %zu%s%s%s", suite->dir,
						which + 1, json_array_size(tasks), cmd ? " (" : "",
						cmd ? cmd : "", cmd ? ")" : "");
		cmp_run_free(suite);
		*suite = found;
		return 0;
	}
	cmp_run_free(&found);
	if (!nmatch) {
		snprintf(err, errlen,
			 "none of its tasks is %s of %s %s: nothing to compare (a suite is "
			 "compared with a suite, task by task)",
			 kb, what, json_string_value(want));
		return -ENOENT;
	}
	snprintf(err, errlen,
		 "its tasks %s are each %s of %s %s: compare one task's own folder "
		 "(tasks/NNN/RUN), or a suite with a suite",
		 nums, kb, what, json_string_value(want));
	return -E2BIG;
}

char *cmp_ident_params(const char *kernel, const char *params)
{
	const struct pb_kernel_desc *d = pb_kernel_find(kernel);
	char *s = pb_param_identity(d ? d->params : NULL, params);
	if (!s)
		abort();
	return s;
}

/* 1 if e is "KERNEL[:p]", the name a row of kernel with params p has
 * (a suite's, an old run's): its params then name it as well. */
static int names_kernel(const char *e, const char *kernel, const char *p)
{
	size_t kl = strlen(kernel);
	return !strncmp(e, kernel, kl) && (*p ? e[kl] == ':' && !strcmp(e + kl + 1, p) : !e[kl]);
}

char *cmp_ident_experiment(const char *e, const char *kernel, const char *p)
{
	if (!names_kernel(e, kernel, p))
		return cmp_strdup(e);
	char *ip = cmp_ident_params(kernel, p);
	char *s = cmp_asprintf("%s%s%s", kernel, *ip ? ":" : "", ip);
	free(ip);
	return s;
}

char *cmp_row_key(const char *e, const char *k, const char *p, const char *t, const char *pin)
{
	/* one string of params made, used twice: the experiment as
	 * cmp_ident_experiment names it is written into the key, not made */
	char *ip = cmp_ident_params(k, p);
	int nk = names_kernel(e, k, p);
	/* \x1f never appears in a CSV cell pagebench writes; lengths unbounded */
	char *key = cmp_asprintf("%s%s%s\x1f%s\x1f%s\x1f%s%s%s", nk ? k : e, nk && *ip ? ":" : "",
				 nk ? ip : "", k, ip, t, pin ? "\x1f" : "", pin ? pin : "");
	free(ip);
	return key;
}

/* Config object c (a run's, or a suite task's; new reference) as it names
 * what was measured: its kernel's (config.kernel) params, options.param and
 * kernel_params less the entries that only say where output goes
 * (cmp_ident_params), so two runs that wrote their latencies to two files
 * are not two configurations; meta.json keeps them. */
static json_t *config_ident(json_t *c)
{
	const char *k = json_string_value(json_object_get(c, "kernel"));
	const struct pb_kernel_desc *d = k ? pb_kernel_find(k) : NULL;
	if (!d || !d->params)
		return json_incref(c);
	json_t *x = json_deep_copy(c);
	if (!x)
		abort(); /* as cmp_strdup */
	json_t *opts = json_object_get(x, "options");
	json_t *kp = json_object_get(x, "kernel_params");
	struct {
		json_t *obj;
		const char *key;
	} str[] = {{x, "params"}, {opts, "param"}};
	for (size_t i = 0; i < PB_ARRAY_SIZE(str); i++) {
		const char *v = json_string_value(json_object_get(str[i].obj, str[i].key));
		if (!v)
			continue;
		char *ip = cmp_ident_params(k, v);
		json_object_set_new(str[i].obj, str[i].key, json_string(ip));
		free(ip);
	}
	for (size_t i = 0; json_is_object(kp) && d->params[i].type != PB_PT_END; i++)
		if (d->params[i].flags & PB_PF_NOIDENT)
			json_object_del(kp, d->params[i].key);
	return x;
}

/* config keys, in config or an object within it (config.options: the
 * command line's), whose difference only changes which rows exist, or
 * nothing measured (--force, --workers) */
static const char *const info_keys[] = {
    "threads",	   "engine_threads", "reps",	     "warmup_reps",  "pin",	     "label",
    "kernel",	   "suite",	     "suite_origin", "suite_status", "variables",    "tasks",
    "merge_notes", "policies",	     "policy",	     "frames",	     "frames_range", "baseline",
    "no-baseline", "run_id",	     "results",	     "force",	     "workers",	     "cwd",
};

/* The keys that belong to the run's one kernel (config.kernel): its
 * parameters, config.params, config.kernel_params and config.options.param
 * (in a suite task's config likewise).  Between runs of different kernels
 * they only change which rows exist (params is part of each row's
 * configuration), so they are notes, as the kernel itself is; there and
 * nowhere else (a key of the same name deeper down, in a kernel_resolved
 * entry both runs have, is compared as any other).  kdiff, where the
 * objects diff_object compares stand: */
enum kdiff {
	KDIFF_NONE,    /* not runs of different kernels, or not at those paths */
	KDIFF_CONFIG,  /* a config object of runs of different kernels */
	KDIFF_OPTIONS, /* its options */
};
static const char *const kernel_keys[] = {"params", "kernel_params"};
static const char *const kernel_option_keys[] = {"param"};

/* config objects keyed by a kernel's or an experiment's name: what each
 * kernel's setup chose (kernel_resolved) and which params each
 * experiment's baseline ran with (baseline_params).  An entry whose name
 * the other run does not have exists only because of a kernel that run
 * lacks: a note (its rows are MISSING on that side); so is one that exists
 * only because one run ran its baselines and the other did not
 * (--no-baseline: every baseline_params entry, and the kernel_resolved
 * entry of a baseline kernel); an entry both could have is compared as any
 * other key. */
static const char *const per_kernel_keys[] = {"kernel_resolved", "baseline_params"};

/* config keys, in config or an object within it, that say how the run went rather than what
 * it ran, so they are not compared at all: the sweep's wall and task
 * seconds (differ between any two runs), and a trace's skipped lines
 * (config.trace.skipped_lines: follows from the trace, whose size and
 * hash are compared, and runs made before it was recorded lack it) */
static const char *const measured_keys[] = {"sweep_feed", "skipped_lines", "deterministic",
					    "deterministic_why"};

/* a suite's config keys (harness/cmd_suite.c) that say how its tasks were
 * launched, not what they ran: config.mode (local or slurm) and a Slurm
 * run's job id.  The same suite run here and on a cluster measures the
 * same things, each task's own config being compared (diff_tasks); so
 * they are not compared, at the top of config only (a key of the same
 * name within it is compared as any other) */
static const char *const launch_keys[] = {"mode", "slurm_job_id"};

/* config keys recorded since a given day (config.trace.file_hash: the whole
 * trace's hash, 2026-12-06; config.cost: sim's device constants,
 * 2026-12-07): absent or null on one side is a note (a run made before, or
 * one whose replay did not read the whole file); two values that differ are
 * a mismatch */
static const char *const since_keys[] = {"file_hash", "file_hash_covers", "cost"};

int cmp_in_list(const char *k, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(k, list[i]))
			return 1;
	return 0;
}

static int is_since_key(const char *k)
{
	return cmp_in_list(k, since_keys, PB_ARRAY_SIZE(since_keys));
}

static int is_measured_key(const char *k)
{
	return cmp_in_list(k, measured_keys, PB_ARRAY_SIZE(measured_keys));
}

/* k in object prefix is a launch key (launch_keys: at config's top only) */
static int is_launch_key(const char *prefix, const char *k)
{
	return !strcmp(prefix, "config") && cmp_in_list(k, launch_keys, PB_ARRAY_SIZE(launch_keys));
}

static int is_info_key(const char *k)
{
	return cmp_in_list(k, info_keys, PB_ARRAY_SIZE(info_keys));
}

/* config.tlb.geometry where both runs name the same TLB profile: the
 * code's profile table, written out (with l1_2m since 2026-12-07), not a
 * choice of the user's.  The profile is compared by name; a table that
 * changed is a change in the code, which the counts show.  A --tlb
 * geometry of the user's (profile "custom") is compared. */
static int is_profile_geometry(const char *prefix, const char *k, json_t *a, json_t *b)
{
	if (strcmp(prefix, "config.tlb") || strcmp(k, "geometry"))
		return 0;
	const char *pa = json_string_value(json_object_get(a, "profile"));
	const char *pb = json_string_value(json_object_get(b, "profile"));
	return pa && pb && !strcmp(pa, pb) && strcmp(pa, "custom");
}

static int is_kernel_key(enum kdiff kdiff, const char *k)
{
	return kdiff == KDIFF_CONFIG ? cmp_in_list(k, kernel_keys, PB_ARRAY_SIZE(kernel_keys))
	       : kdiff == KDIFF_OPTIONS
		   ? cmp_in_list(k, kernel_option_keys, PB_ARRAY_SIZE(kernel_option_keys))
		   : 0;
}

static int is_per_kernel_key(const char *k)
{
	return cmp_in_list(k, per_kernel_keys, PB_ARRAY_SIZE(per_kernel_keys));
}

/* 1 if name is r's kernel (config.kernel) or a kernel or experiment of
 * one of its summary.csv rows (a suite's tasks, a baseline kernel). */
static int run_has_name(const struct cmp_run *r, const char *name)
{
	json_t *k = meta_get(r->meta, "config.kernel");
	if (json_is_string(k) && !strcmp(json_string_value(k), name))
		return 1;
	if (!r->has_summary)
		return 0;
	int cols[] = {cmp_table_col(&r->summary, "kernel"),
		      cmp_table_col(&r->summary, "experiment")};
	for (size_t i = 0; i < r->summary.nrows; i++)
		for (size_t c = 0; c < PB_ARRAY_SIZE(cols); c++)
			if (cols[c] >= 0 && !strcmp(cmp_cell(&r->summary, i, cols[c]), name))
				return 1;
	return 0;
}

/* 1 if name is a baseline kernel of one of r's summary.csv rows (its
 * baseline column: "NAME" or "NAME:PARAMS"). */
static int run_has_baseline(const struct cmp_run *r, const char *name)
{
	int col = r->has_summary ? cmp_table_col(&r->summary, "baseline") : -1;
	size_t n = strlen(name);
	for (size_t i = 0; col >= 0 && i < r->summary.nrows; i++) {
		const char *b = cmp_cell(&r->summary, i, col);
		if (!strncmp(b, name, n) && (!b[n] || b[n] == ':'))
			return 1;
	}
	return 0;
}

/* 0 when config object c (config, or a suite task's) says its run did not
 * run its baselines: config.baseline false, or, where a run lacks it,
 * config.options' --no-baseline; else 1. */
static int ran_baselines(json_t *c)
{
	json_t *b = json_object_get(c, "baseline");
	if (json_is_boolean(b))
		return json_is_true(b);
	json_t *nb = json_object_get(json_object_get(c, "options"), "no-baseline");
	return !json_is_true(nb);
}

/* KDIFF_CONFIG when config objects a and b (a run's, or a suite task's)
 * both name a kernel and not the same one: their kernel_keys are then
 * notes.  Where one alone names one (a run made before config.kernel was
 * recorded, a folder of another command) its parameters are compared as
 * any other key: they may be the same kernel's. */
static enum kdiff other_kernel(json_t *a, json_t *b)
{
	json_t *ka = json_object_get(a, "kernel"), *kb = json_object_get(b, "kernel");
	return ka && kb && !json_equal(ka, kb) ? KDIFF_CONFIG : KDIFF_NONE;
}

/* json_equal, but the measured keys of objects, at any depth, left out,
 * and null the same as 0 (a number not given that has no default: runs
 * before 2026-12-06 wrote 0, later ones null) */
static int equal_unmeasured(json_t *a, json_t *b)
{
	if ((json_is_null(a) && json_is_integer(b) && !json_integer_value(b)) ||
	    (json_is_null(b) && json_is_integer(a) && !json_integer_value(a)))
		return 1;
	if (!json_is_object(a) || !json_is_object(b))
		return json_equal(a, b);
	const char *k;
	json_t *va;
	json_object_foreach(a, k, va)
	{
		json_t *vb = json_object_get(b, k);
		if (!is_measured_key(k) && !(vb && equal_unmeasured(va, vb)))
			return 0;
	}
	json_object_foreach(b, k, va)
	{
		if (!is_measured_key(k) && !json_object_get(a, k))
			return 0;
	}
	return 1;
}

static char *json_text(json_t *v)
{
	if (!v)
		return cmp_strdup("(absent)");
	if (json_is_string(v) && !json_string_length(v))
		return cmp_strdup("\"\""); /* shown, not a blank */
	if (json_is_string(v))
		return cmp_strdup(json_string_value(v));
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	char *d = cmp_strdup(s ? s : "?");
	free(s);
	return d;
}

static void add(struct cmp_mismatches *out, const char *what, json_t *a, json_t *b,
		const struct cmp_run *ra, const struct cmp_run *rb, int fatal)
{
	out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
	if (!out->v)
		abort();
	out->v[out->n++] = (struct cmp_mismatch){cmp_strdup(what),
						 json_text(a),
						 json_text(b),
						 a ? json_deep_copy(a) : NULL,
						 b ? json_deep_copy(b) : NULL,
						 ra->dir,
						 rb->dir,
						 fatal};
}

static void diff_object(const char *prefix, json_t *a, json_t *b, const struct cmp_run *ra,
			const struct cmp_run *rb, int notes, enum kdiff kdiff,
			struct cmp_mismatches *out);

/* 1 when entry name of per_kernel_keys object key, which run r has and
 * the other run lacks, exists only because r ran its baselines (r_base)
 * and the other did not (other_base 0): every baseline_params entry, and
 * kernel_resolved's entry of a baseline kernel of r. */
static int baseline_only(const char *key, const char *name, const struct cmp_run *r, int r_base,
			 int other_base)
{
	if (!r_base || other_base)
		return 0;
	return !strcmp(key, "baseline_params") || run_has_baseline(r, name);
}

/* A per_kernel_keys object key (either side may be NULL: absent), entry
 * by entry: an entry on one side only is a note when the other run lacks
 * its name (its kernel did not run there) or did not run its baselines
 * where this run did (baseline_only; base_a, base_b: ran_baselines of
 * each side's config), else a mismatch (a run made before the key was
 * recorded). */
static void diff_per_kernel(const char *prefix, const char *key, json_t *a, json_t *b,
			    const struct cmp_run *ra, const struct cmp_run *rb, int base_a,
			    int base_b, struct cmp_mismatches *out)
{
	json_t *empty = json_object();
	const char *k;
	json_t *va;
	json_object_foreach(a ? a : empty, k, va)
	{
		json_t *vb = b ? json_object_get(b, k) : NULL;
		if (vb && equal_unmeasured(va, vb))
			continue;
		char *what = cmp_asprintf("%s.%s", prefix, k);
		if (json_is_object(va) && json_is_object(vb))
			diff_object(what, va, vb, ra, rb, 0, KDIFF_NONE, out);
		else
			add(out, what, va, vb, ra, rb,
			    vb || (run_has_name(rb, k) &&
				   !baseline_only(key, k, ra, base_a, base_b)));
		free(what);
	}
	json_object_foreach(b ? b : empty, k, va)
	{
		if (a && json_object_get(a, k))
			continue;
		char *what = cmp_asprintf("%s.%s", prefix, k);
		add(out, what, NULL, va, ra, rb,
		    run_has_name(ra, k) && !baseline_only(key, k, rb, base_b, base_a));
		free(what);
	}
	json_decref(empty);
}

/* Differences of objects a and b, key by key; an object within both
 * (config.options, config.kernel_params) is compared key by key too, so a
 * --label or --threads in config.options is the note it is at the top.
 * kdiff: a and b are, or are the options of, config objects of runs of
 * different kernels (other_kernel), whose kernel_keys are notes. */
static void diff_object(const char *prefix, json_t *a, json_t *b, const struct cmp_run *ra,
			const struct cmp_run *rb, int notes, enum kdiff kdiff,
			struct cmp_mismatches *out)
{
	const char *k;
	json_t *va;
	json_object_foreach(a, k, va)
	{
		json_t *vb = json_object_get(b, k);
		if ((vb && equal_unmeasured(va, vb)) || is_measured_key(k) ||
		    is_launch_key(prefix, k))
			continue;
		char *what = cmp_asprintf("%s.%s", prefix, k);
		/* pin is a note with --match-pin too: it is then part of each
		 * row's configuration, so rows pinned differently are MISSING on
		 * either side (exit 1, as docs/compare.md says), not bad input */
		int fatal = !notes && !is_info_key(k) && !is_kernel_key(kdiff, k) &&
			    !(is_since_key(k) && (!vb || json_is_null(va) || json_is_null(vb))) &&
			    !is_profile_geometry(prefix, k, a, b);
		if (fatal && is_per_kernel_key(k) && json_is_object(va) &&
		    (!vb || json_is_object(vb)))
			diff_per_kernel(what, k, va, vb, ra, rb, ran_baselines(a), ran_baselines(b),
					out);
		else if (fatal && json_is_object(va) && json_is_object(vb))
			diff_object(what, va, vb, ra, rb, notes,
				    kdiff == KDIFF_CONFIG && !strcmp(k, "options") ? KDIFF_OPTIONS
										   : KDIFF_NONE,
				    out);
		else
			add(out, what, va, vb, ra, rb, fatal);
		free(what);
	}
	json_object_foreach(b, k, va)
	{
		if (json_object_get(a, k) || is_measured_key(k) || is_launch_key(prefix, k))
			continue;
		char *what = cmp_asprintf("%s.%s", prefix, k);
		int fatal =
		    !notes && !is_info_key(k) && !is_since_key(k) && !is_kernel_key(kdiff, k);
		if (fatal && is_per_kernel_key(k) && json_is_object(va))
			diff_per_kernel(what, k, NULL, va, ra, rb, ran_baselines(a),
					ran_baselines(b), out);
		else
			add(out, what, NULL, va, ra, rb, fatal);
		free(what);
	}
}

/* A suite task's own config: tasks/NNN/RUN/meta.json (config.tasks[i].run_dir,
 * relative to the suite's folder), or NULL (a task without a result). */
static json_t *task_config(const struct cmp_run *r, json_t *task)
{
	char *d = task_dir(r, task);
	if (!d)
		return NULL;
	char *p = cmp_path(d, "meta.json");
	free(d);
	json_t *m = json_load_file(p, JSON_REJECT_DUPLICATES, NULL);
	free(p);
	json_t *c = json_object_get(m, "config");
	c = json_is_object(c) ? config_ident(c) : NULL;
	json_decref(m);
	return c;
}

/* Two suites' tasks, the i-th with the i-th: each task's configuration is
 * checked as a run's is (a --size in one task's command measures another
 * thing); the tasks list itself differs in times and folders only. */
static void diff_tasks(json_t *ta, json_t *tb, const struct cmp_run *a, const struct cmp_run *b,
		       struct cmp_mismatches *out)
{
	size_t na = json_array_size(ta), nb = json_array_size(tb);
	if (na != nb) {
		json_t *x = json_integer((json_int_t)na), *y = json_integer((json_int_t)nb);
		add(out, "config.tasks (how many)", x, y, a, b, 0);
		json_decref(x);
		json_decref(y);
	}
	for (size_t i = 0; i < na && i < nb; i++) {
		json_t *xa = json_array_get(ta, i), *xb = json_array_get(tb, i);
		json_t *cmd_a = json_object_get(xa, "command"),
		       *cmd_b = json_object_get(xb, "command");
		char *what = cmp_asprintf("config.tasks[%zu].command", i + 1);
		if (!(cmd_a && cmd_b && json_equal(cmd_a, cmd_b)))
			add(out, what, cmd_a, cmd_b, a, b, 0);
		free(what);
		json_t *ca = task_config(a, xa), *cb = task_config(b, xb);
		if (ca && cb) {
			what = cmp_asprintf("config.tasks[%zu].config", i + 1);
			diff_object(what, ca, cb, a, b, 0, other_kernel(ca, cb), out);
			free(what);
		}
		json_decref(ca);
		json_decref(cb);
	}
}

void cmp_config_diff(const struct cmp_run *a, const struct cmp_run *b, struct cmp_mismatches *out)
{
	json_t *ca = meta_get(a->meta, "config"), *cb = meta_get(b->meta, "config");
	json_t *empty = json_object();
	json_t *ta = json_is_object(ca) ? json_object_get(ca, "tasks") : NULL;
	json_t *tb = json_is_object(cb) ? json_object_get(cb, "tasks") : NULL;
	if (json_is_array(ta) && json_is_array(tb)) {
		/* compared task by task below, not as one list of times */
		ca = ca ? json_deep_copy(ca) : NULL;
		cb = cb ? json_deep_copy(cb) : NULL;
		json_object_del(ca, "tasks");
		json_object_del(cb, "tasks");
	} else {
		ca = json_is_object(ca) ? config_ident(ca) : json_incref(ca);
		cb = json_is_object(cb) ? config_ident(cb) : json_incref(cb);
	}
	json_t *oa = json_is_object(ca) ? ca : empty, *ob = json_is_object(cb) ? cb : empty;
	diff_object("config", oa, ob, a, b, 0, other_kernel(oa, ob), out);
	/* the environment variables that change a measurement (meta.c; runs
	 * made before they were recorded lack them): notes, so a run slowed by
	 * PAGEBENCH_TEST_SLOWDOWN or on another TMPDIR says so */
	json_t *ea = meta_get(a->meta, "environment"), *eb = meta_get(b->meta, "environment");
	if (json_is_object(ea) && json_is_object(eb))
		diff_object("environment", ea, eb, a, b, 1, KDIFF_NONE, out);
	json_decref(ca);
	json_decref(cb);
	json_decref(empty);
	if (json_is_array(ta) && json_is_array(tb))
		diff_tasks(ta, tb, a, b, out);
	static const struct {
		const char *path;
		int fatal;
	} build[] = {
	    {"build.build_type", 1},
	    {"build.compiler", 0},
	    {"build.c_flags", 0},
	    {"build.features", 0},
	};
	for (size_t i = 0; i < sizeof(build) / sizeof(build[0]); i++) {
		json_t *va = meta_get(a->meta, build[i].path),
		       *vb = meta_get(b->meta, build[i].path);
		if ((va || vb) && !(va && vb && json_equal(va, vb)))
			add(out, build[i].path, va, vb, a, b, build[i].fatal);
	}
	/* The machine's cache-line round trip between CPUs (harness/c2c.c):
	 * what a second thread's shared data costs.  A note, not a refusal
	 * (the same machine differs from hour to hour on a VM), when the two
	 * medians differ by more than 1.5x: each run's start figure, else its
	 * end one (cmp_round_trip), named */
	const char *wa, *wb;
	double x = cmp_round_trip(a, &wa, NULL), y = cmp_round_trip(b, &wb, NULL);
	if (x > 1.5 * y || y > 1.5 * x) { /* false when either is NAN */
		char *what =
		    strcmp(wa, wb)
			? cmp_asprintf(
			      "cpu_round_trip.%s.median_ns in %s, "
			      "cpu_round_trip.%s.median_ns in %s (the end's where the "
			      "start's was not measured; ns; more than 1.5x apart: rows of several "
			      "threads compare the machines' CPU-to-CPU latency too)",
			      wa, a->dir, wb, b->dir)
			: cmp_asprintf("cpu_round_trip.%s.median_ns (ns; more than 1.5x apart: "
				       "rows of several threads compare the machines' CPU-to-CPU "
				       "latency too)",
				       wa);
		json_t *ja = json_real(x), *jb = json_real(y);
		add(out, what, ja, jb, a, b, 0);
		/* as meta.json holds them (c2c.c rounds to 0.1 ns), not 105.59999999999999 */
		struct cmp_mismatch *m = &out->v[out->n - 1];
		free(m->a);
		free(m->b);
		m->a = cmp_asprintf("%.1f", x);
		m->b = cmp_asprintf("%.1f", y);
		json_decref(ja);
		json_decref(jb);
		free(what);
	}
}

double cmp_round_trip(const struct cmp_run *r, const char **which, const char **why)
{
	return pb_meta_round_trip(r->meta, which, why);
}

void cmp_mismatches_free(struct cmp_mismatches *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].what);
		free(m->v[i].a);
		free(m->v[i].b);
		json_decref(m->v[i].ja);
		json_decref(m->v[i].jb);
	}
	free(m->v);
	*m = (struct cmp_mismatches){0};
}
