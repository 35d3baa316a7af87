/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_write_limit.c - a file size limit as a user's shell
 * sets it (bash's `ulimit -f`: RLIMIT_FSIZE, SIGXFSZ at its default) is a
 * write error like a full disk, not a kill (exit 153, temporaries left,
 * no meta.json):
 *  - `trace convert` exits 1 with one line naming the output and "File
 *    too large", and leaves neither the output nor its temporary file;
 *  - `sim` exits 1 saying so; its folder keeps meta.json (failed, the
 *    error) that lists no file and no configuration it did not write (it
 *    listed sim.csv and sim_summary.csv, which were not there), and no
 *    temporary file.
 */
#include <jansson.h>

#include "wltest.h"

static const char *pb;

/* pagebench with args (NULL-terminated, at most 12) under `ulimit -f kib`
 * in bash, as a user's shell runs it: SIGXFSZ at its default. */
static int run_limited(unsigned long kib, char *const *args, struct spawn_out *o)
{
	char sh[64];
	char *a[20] = {"/bin/bash", "-c", sh, "bash", (char *)pb};
	snprintf(sh, sizeof(sh), "ulimit -f %lu && exec \"$@\"", kib);
	for (size_t i = 0; args[i] && i < 12; i++)
		a[5 + i] = args[i];
	return spawn_run(a, NULL, o);
}

static void convert(struct spawn_out *o)
{
	char *a[] = {"trace", "convert", "zipf:pages=100000,refs=200000,seed=1",
		     (char *)wl_path("z.pbt"), NULL};
	int code = run_limited(16, a, o);
	PB_CHECK_MSG(code == 1 && count_lines(o->err) == 1 && strstr(o->err, "z.pbt") &&
			 strstr(o->err, "File too large"),
		     "trace convert: exit %d: %s", code, o->err);
	PB_CHECK_EQ_U64(wl_entries("z.pbt", 0, 0), 0); /* neither it nor .z.pbt.XXXXXX */
}

static void sim(struct spawn_out *o)
{
	char res[PATH_MAX], dir[PATH_MAX + 300], path[sizeof(dir) + 300];
	snprintf(res, sizeof(res), "%s", wl_path("res"));
	char *a[] = {"sim",
		     "--workload",
		     "zipf:pages=1000,refs=20000,seed=1",
		     "--policy",
		     "lru,fifo,clock",
		     "--frames",
		     "100,200,300,400,500,600,700,800,900,1000",
		     "--results",
		     res,
		     NULL};
	/* meta.json (some 16 KiB) fits, sim.csv (some 66 KiB) does not */
	int code = run_limited(32, a, o);
	PB_CHECK_MSG(code == 1 && strstr(o->err, "File too large"), "sim: exit %d: %s", code,
		     o->err);
	if (pbt_run_dirs(res, dir, sizeof(dir)) != 1) {
		PB_CHECK_MSG(0, "no run folder under %s", res);
		return;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	int tmp = 0;
	while (d && (e = readdir(d)))
		tmp += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	PB_CHECK_EQ_U64(tmp, 0);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", path, je.text);
	const char *st = json_string_value(json_object_get(m, "status"));
	PB_CHECK_MSG(st && !strcmp(st, "failed"), "status %s", st ? st : "-");
	PB_CHECK(json_array_size(json_object_get(m, "errors")) >= 1);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(m, "files"), i, v)
	{
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(v));
		PB_CHECK_MSG(stat(path, &sb) == 0, "meta.json lists %s, which is not there", path);
	}
	snprintf(path, sizeof(path), "%s/sim.csv", dir);
	PB_CHECK(access(path, F_OK) != 0); /* never a short file under its name */
	PB_CHECK(json_array_size(json_object_get(m, "experiments")) == 0);
	json_decref(m);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_write_limit PAGEBENCH\n");
		return 2;
	}
	pb = argv[1];
	if (access("/bin/bash", X_OK))
		PB_SKIP("no /bin/bash for `ulimit -f`");
	wl_mkdir();
	struct spawn_out *o = calloc(1, sizeof(*o));
	convert(o);
	sim(o);
	free(o);
	wl_rmdir();
	return pb_test_done();
}
