/* SPDX-License-Identifier: MIT */
/*
 * The counter ladder: every counter is either readable or NA with a reason
 * (never a silent 0); PAGEBENCH_COUNTERS forces the ladder down a rung and
 * the lower rungs still work; a counter that works measures what it claims
 * (first-touch page faults on freshly mapped memory).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "pagebench/common.h"
#include "pagebench/counters.h"
#include "pbtest.h"

/* Run the checks for one PAGEBENCH_COUNTERS setting in a child (the probe is
 * once per process).  Returns the child's failure count. */
static int child(const char *mode)
{
	if (mode)
		setenv("PAGEBENCH_COUNTERS", mode, 1);
	else
		unsetenv("PAGEBENCH_COUNTERS");
	pb_counters_probe();
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		const char *why = NULL;
		int ok = pb_ctr_available((enum pb_ctr)c, &why);
		const char *src = pb_ctr_source((enum pb_ctr)c);
		PB_CHECK_MSG(ok || (why && *why), "%s NA without a reason",
			     pb_ctr_column((enum pb_ctr)c));
		if (mode && !strcmp(mode, "none"))
			PB_CHECK(!ok && strstr(why, "PAGEBENCH_COUNTERS"));
		if (mode && !strcmp(mode, "rusage") && strcmp(src, "rusage"))
			PB_CHECK(!ok && strstr(why, "PAGEBENCH_COUNTERS"));
		if (mode && !strcmp(mode, "sw") && !strcmp(src, "papi"))
			PB_CHECK(!ok);
		if (!strcmp(src, "rusage") && (!mode || strcmp(mode, "none")))
			PB_CHECK_MSG(ok, "getrusage rung must always work: %s", why);
	}
	/* Measure 256 first-touch faults. */
	struct pb_ctrset *s = pb_ctrset_open();
	PB_CHECK(s != NULL);
	size_t pages = 256;
	pb_ctrset_start(s);
	volatile char *m = pb_map(pages * PB_PAGE_SIZE, 0);
	for (size_t i = 0; i < pages; i++)
		m[i * PB_PAGE_SIZE] = 1;
	uint64_t v[PB_CTR__COUNT];
	int ok[PB_CTR__COUNT];
	pb_ctrset_stop(s, v, ok);
	pb_unmap((void *)m, pages * PB_PAGE_SIZE);
	if (ok[PB_CTR_RU_MINFLT])
		PB_CHECK_MSG(v[PB_CTR_RU_MINFLT] >= pages, "ru_minflt %llu < %zu",
			     (unsigned long long)v[PB_CTR_RU_MINFLT], pages);
	if (ok[PB_CTR_PF_MINOR])
		PB_CHECK_MSG(v[PB_CTR_PF_MINOR] >= pages, "perf minor faults %llu < %zu",
			     (unsigned long long)v[PB_CTR_PF_MINOR], pages);
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (ok[c])
			PB_CHECK(pb_ctr_available((enum pb_ctr)c, NULL));
	pb_ctrset_close(s);
	char *json = pb_counters_json();
	PB_CHECK(json && strstr(json, "\"papi_tot_cyc\"") && strstr(json, "\"reason\""));
	free(json);
	/* Per column: available with a domain, or NA with a reason, never both. */
	json_t *o = pb_counters_json_obj();
	json_t *cols = json_object_get(o, "columns");
	PB_CHECK(json_object_size(cols) == PB_CTR__COUNT);
	PB_CHECK(json_string_value(json_object_get(o, "method")) != NULL);
	PB_CHECK(json_integer_value(json_object_get(o, "passes")) >= 1);
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		json_t *e = json_object_get(cols, pb_ctr_column((enum pb_ctr)c));
		int a = json_is_true(json_object_get(e, "available"));
		PB_CHECK(a == pb_ctr_available((enum pb_ctr)c, NULL));
		PB_CHECK(a == json_is_string(json_object_get(e, "domain")));
		PB_CHECK(a == json_is_null(json_object_get(e, "reason")));
		if (a)
			PB_CHECK(!strcmp(json_string_value(json_object_get(e, "domain")),
					 pb_ctr_domain((enum pb_ctr)c)));
	}
	json_decref(o);
	return pb_test_done();
}

/* meta.json's counters.columns.X.reason in a run: each reason once, a
 * shorter reason inside a longer one kept (it was taken for noted), and
 * reasons past the room marked "; ..." rather than dropped unsaid. */
static const char *run_reason(json_t *j, const char *col)
{
	json_t *c = json_object_get(json_object_get(json_object_get(j, "columns"), col), "reason");
	return json_string_value(c) ? json_string_value(c) : "";
}

static void run_reasons(void)
{
	const char *why;
	if (!pb_ctr_available(PB_CTR_RU_MINFLT, &why)) {
		printf("SKIP run reasons: ru_minflt not available here: %s\n", why);
		return;
	}
	const char *col = pb_ctr_column(PB_CTR_RU_MINFLT);
	pb_counters_run_begin();
	pb_counters_run_note(PB_CTR_RU_MINFLT, 0, "procs=1: the work runs in child processes");
	pb_counters_run_note(PB_CTR_RU_MINFLT, 0, "the work runs in child processes");
	pb_counters_run_note(PB_CTR_RU_MINFLT, 0, "procs=1: the work runs in child processes");
	pb_counters_run_note(PB_CTR_RU_MINFLT, 0, "procs=1");
	json_t *j = pb_counters_json_obj();
	PB_CHECK_MSG(!strcmp(run_reason(j, col), "procs=1: the work runs in child processes; the "
						 "work runs in child processes; procs=1"),
		     "reason '%s'", run_reason(j, col));
	json_decref(j);
	pb_counters_run_begin();
	char r[64];
	for (int i = 0; i < 40; i++) {
		snprintf(r, sizeof(r), "reason number %02d of many distinct ones", i);
		pb_counters_run_note(PB_CTR_RU_MINFLT, 0, r);
	}
	j = pb_counters_json_obj();
	const char *w = run_reason(j, col);
	size_t n = strlen(w);
	PB_CHECK_MSG(n > 5 && !strcmp(w + n - 5, "; ...") && strstr(w, "reason number 00") &&
			 !strstr(w, "reason number 39"),
		     "long reason '%s'", w);
	json_decref(j);
	/* a run that counted it: available, no reason */
	pb_counters_run_begin();
	pb_counters_run_note(PB_CTR_RU_MINFLT, 1, NULL);
	j = pb_counters_json_obj();
	PB_CHECK(json_is_true(
	    json_object_get(json_object_get(json_object_get(j, "columns"), col), "available")));
	json_decref(j);
}

int main(void)
{
	/* The setting is checked: a typo is an error, not the full ladder. */
	char err[256];
	setenv("PAGEBENCH_COUNTERS", "bogus", 1);
	PB_CHECK(pb_counters_setting_check(err, sizeof(err)) < 0 && strstr(err, "bogus"));
	setenv("PAGEBENCH_COUNTERS", "sw", 1);
	PB_CHECK(pb_counters_setting_check(err, sizeof(err)) == 0);
	unsetenv("PAGEBENCH_COUNTERS");
	PB_CHECK(pb_counters_setting_check(err, sizeof(err)) == 0);
	const char *modes[] = {NULL, "sw", "rusage", "none", "all"};
	for (size_t i = 0; i < 5; i++) {
		pid_t pid = fork();
		if (pid == 0)
			exit(child(modes[i]));
		int st;
		waitpid(pid, &st, 0);
		int good = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		PB_CHECK_MSG(good, "mode %s failed", modes[i] ? modes[i] : "(default)");
	}
	run_reasons();
	return pb_test_done();
}
