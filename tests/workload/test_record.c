/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_record.c - `pagebench trace record` on a tiny
 * program under valgrind lackey (skipped, with the reason, when valgrind
 * is not installed), then `trace info` and a read-back of the pbt.
 * Usage: test_record PAGEBENCH_BINARY
 */
#include "wltest.h"

#include "pagebench/trace.h"
#include "pbtest.h"
#include "spawn.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		PB_SKIP("usage: test_record PAGEBENCH_BINARY");
	if (system("valgrind --version >/dev/null 2>&1") != 0)
		PB_SKIP("valgrind is not installed (needed by pagebench trace record)");
	wl_mkdir();
	char out[PATH_MAX], bin[PATH_MAX];
	snprintf(out, sizeof(out), "%s", wl_path("true.pbt"));
	snprintf(bin, sizeof(bin), "%s", argv[1]);
	struct spawn_out *o = malloc(sizeof(*o));
	char *av[] = {bin, "trace", "record", "-o", out, "--", "/bin/true", NULL};
	spawn_run(av, NULL, o);
	PB_CHECK_MSG(o->code == 0, "record exit %d: %s", o->code, o->err);
	PB_CHECK_MSG(strstr(o->err, "references recorded") != NULL, "stderr: %s", o->err);
	char spec[PATH_MAX + 64], err[512];
	snprintf(spec, sizeof(spec), "trace:path=%s", out);
	struct pb_trace_stats st;
	int rc = pb_trace_info(spec, NULL, &st, err, sizeof(err));
	PB_CHECK_MSG(rc == 0, "%s", err);
	/* even `true` runs the dynamic loader: >10^4 references over a few
	 * dozen pages, with fetches, reads and writes all present */
	PB_CHECK_MSG(st.refs > 10000 && st.fetches > 0 && st.reads > 0 && st.writes > 0 &&
			 st.distinct_pages > 10 && st.distinct_pages < st.refs,
		     "refs %llu fetches %llu reads %llu writes %llu pages %llu",
		     (unsigned long long)st.refs, (unsigned long long)st.fetches,
		     (unsigned long long)st.reads, (unsigned long long)st.writes,
		     (unsigned long long)st.distinct_pages);
	PB_CHECK(!strcmp(st.format, "pbt"));
	/* the mappings sidecar: /bin/true's own file among them, and read back
	 * by the trace reader: fetches from its text and the loader's are file
	 * reads, its stack and heap are not */
	char maps[PATH_MAX + 64];
	snprintf(maps, sizeof(maps), "%s.maps", out);
	size_t ml = 0;
	char *mt = pb_slurp(maps, &ml);
	PB_CHECK_MSG(mt && strstr(o->err, "mappings in") && strstr(mt, "r-xp") &&
			 strstr(mt, "true\n") && strstr(mt, "ld-linux"),
		     "stderr: %s sidecar: %.400s", o->err, mt ? mt : "(none)");
	free(mt);
	struct pb_workload *w;
	uint64_t file = 0, anon = 0, file_fetch = 0;
	if (pb_workload_open(spec, NULL, &w, err, sizeof(err)) == 0) {
		PB_CHECK(strstr(pb_workload_canonical(w), ",backing=anon") != NULL);
		struct pb_access b[4096];
		ssize_t r;
		while ((r = pb_workload_next(w, b, 4096)) > 0)
			for (ssize_t i = 0; i < r; i++) {
				file += (b[i].flags & PB_ACC_FILE) != 0;
				anon += b[i].flags == 0;
				file_fetch += (b[i].flags & PB_ACC_FILE) && b[i].op == PB_OP_FETCH;
			}
		pb_workload_close(w);
	}
	/* every instruction of true and ld.so comes from a file mapping; the
	 * stack pushes do not */
	PB_CHECK_MSG(file_fetch == st.fetches && file > file_fetch && anon > 0,
		     "file %llu (fetches %llu of %llu) anon %llu", (unsigned long long)file,
		     (unsigned long long)file_fetch, (unsigned long long)st.fetches,
		     (unsigned long long)anon);
	/* a command that cannot run: one line naming it, no trace file is left */
	snprintf(out, sizeof(out), "%s", wl_path("none.pbt"));
	char *av2[] = {bin, "trace", "record", "-o", out, "--", "/nonexistent/prog", NULL};
	spawn_run(av2, NULL, o);
	PB_CHECK_EQ_U64(o->code, 2);
	PB_CHECK_MSG(strstr(o->err, "pagebench trace: ") && strstr(o->err, "/nonexistent/prog") &&
			 !strchr(o->err, '\n')[1],
		     "stderr: %s", o->err);
	PB_CHECK(access(out, F_OK) != 0);
	/* valgrind missing from PATH: a clear message, exit 2 */
	char *env[] = {"PATH=/nonexistent", NULL};
	char *av4[] = {bin, "trace", "record", "-o", out, "--", "/bin/true", NULL};
	spawn_run(av4, env, o);
	PB_CHECK_EQ_U64(o->code, 2);
	PB_CHECK_MSG(strstr(o->err, "needs valgrind") != NULL, "stderr: %s", o->err);
	PB_CHECK(access(out, F_OK) != 0);
	char *av3[] = {bin, "trace", "record", "-o", out, NULL};
	spawn_run(av3, NULL, o);
	PB_CHECK_EQ_U64(o->code, 2);
	free(o);
	wl_rmdir();
	return pb_test_done();
}
