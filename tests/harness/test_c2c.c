/* SPDX-License-Identifier: MIT */
/*
 * The CPU-to-CPU round trip of meta.json (harness/c2c.c):
 *  - on the CPUs this process may run on: with two or more, every pair
 *    tried has a positive round trip or none (NAN) and the summary lies
 *    between its pairs; the partners are CPUs of the mask, ascending; the
 *    caller's affinity is the same afterwards;
 *  - a home alone, and a process pinned to one CPU: nothing measured, the
 *    reason given, no pair; a partner CPU that does not exist: NA;
 *  - the JSON of both (jansson, read back): numbers, or null with "na";
 *  - pb_c2c_moved: 2x apart and more, in either direction, and never
 *    when a side was not measured.
 * No timing thresholds: the numbers are whatever the machine gives.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "internal.h"
#include "pbtest.h"

static void check_json(const struct pb_c2c *c)
{
	json_t *j = pb_c2c_json(c);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	json_error_t e;
	json_t *r = s ? json_loads(s, 0, &e) : NULL;
	PB_CHECK_MSG(r != NULL, "c2c json: %s", s ? e.text : "no text");
	free(s);
	if (!r)
		return;
	json_t *med = json_object_get(r, "median_ns");
	if (isnan(c->median_ns)) {
		PB_CHECK(json_is_null(med));
		PB_CHECK(!strcmp(json_string_value(json_object_get(r, "na")), c->na));
	} else {
		PB_CHECK(json_is_number(med) && fabs(json_number_value(med) - c->median_ns) < 0.06);
		PB_CHECK(json_is_null(json_object_get(r, "na")));
	}
	json_t *pairs = json_object_get(r, "pairs");
	PB_CHECK_EQ_U64(json_array_size(pairs), c->npairs);
	for (unsigned k = 0; k < c->npairs && k < json_array_size(pairs); k++) {
		json_t *p = json_array_get(pairs, k);
		PB_CHECK(json_integer_value(json_object_get(p, "cpu")) == c->cpu[k]);
		PB_CHECK(isnan(c->ns[k]) ? json_is_null(json_object_get(p, "ns"))
					 : json_is_number(json_object_get(p, "ns")));
	}
	json_decref(r);
}

int main(void)
{
	struct pb_c2c_set cs;
	pb_c2c_set_read(&cs);
	PB_CHECK(cs.ncpus >= 1 && cs.n >= 1);
	PB_CHECK_EQ_U64(cs.n, cs.ncpus - 1 < PB_C2C_MAX_PAIRS ? cs.ncpus : PB_C2C_MAX_PAIRS + 1);
	for (unsigned i = 1; i < cs.n; i++)
		PB_CHECK(cs.cpu[i] > cs.cpu[i - 1]);
	cpu_set_t before, after;
	PB_CHECK(pthread_getaffinity_np(pthread_self(), sizeof(before), &before) == 0);
	PB_CHECK(CPU_ISSET(cs.cpu[0], &before));
	struct pb_c2c c;
	pb_c2c_measure(&cs, &c);
	/* the caller's affinity is what it was */
	PB_CHECK(pthread_getaffinity_np(pthread_self(), sizeof(after), &after) == 0);
	PB_CHECK(CPU_EQUAL(&before, &after));
	PB_CHECK_EQ_U64(c.ncpus, cs.ncpus);
	PB_CHECK(c.home == cs.cpu[0]);
	if (cs.n >= 2) {
		PB_CHECK_EQ_U64(c.npairs, cs.n - 1);
		unsigned measured = 0;
		for (unsigned k = 0; k < c.npairs; k++) {
			PB_CHECK(c.cpu[k] == cs.cpu[k + 1] && CPU_ISSET(c.cpu[k], &before));
			if (!isnan(c.ns[k])) {
				measured++;
				PB_CHECK(c.ns[k] > 0 && isfinite(c.ns[k]));
				PB_CHECK(c.min_ns <= c.ns[k] && c.ns[k] <= c.max_ns);
			}
		}
		if (measured) {
			PB_CHECK(c.min_ns <= c.median_ns && c.median_ns <= c.max_ns && !c.na[0]);
		} else {
			PB_CHECK(isnan(c.median_ns) && c.na[0]);
		}
		printf("round trip CPU %d with %d: %.1f ns (median over %u pair(s) %.1f)\n", c.home,
		       c.cpu[0], c.ns[0], c.npairs, c.median_ns);
	}
	check_json(&c);

	/* a home without partners: nothing to measure, said so */
	struct pb_c2c_set one = {.ncpus = 1, .n = 1, .cpu = {cs.cpu[0]}};
	pb_c2c_measure(&one, &c);
	PB_CHECK(c.npairs == 0 && isnan(c.median_ns) && strstr(c.na, "one CPU"));
	check_json(&c);
	/* pinned to one CPU: the set is that CPU alone */
	cpu_set_t m1;
	CPU_ZERO(&m1);
	CPU_SET(cs.cpu[cs.n - 1], &m1);
	PB_CHECK(sched_setaffinity(0, sizeof(m1), &m1) == 0);
	pb_c2c_set_read(&one);
	PB_CHECK(one.ncpus == 1 && one.n == 1 && one.cpu[0] == cs.cpu[cs.n - 1]);
	/* a partner CPU that does not exist: that pair is NA, the reason given */
	struct pb_c2c_set bad = {.ncpus = 2, .n = 2, .cpu = {cs.cpu[cs.n - 1], CPU_SETSIZE - 1}};
	pb_c2c_measure(&bad, &c);
	PB_CHECK(c.npairs == 1 && isnan(c.ns[0]) && isnan(c.median_ns) && c.na[0]);
	check_json(&c);

	/* moved: 2x apart in either direction, not when one side is NA */
	struct pb_c2c a = {.median_ns = 60}, b = {.median_ns = 350}, na = {.median_ns = NAN};
	PB_CHECK(pb_c2c_moved(&a, &b, 2.0) && pb_c2c_moved(&b, &a, 2.0));
	b.median_ns = 100;
	PB_CHECK(!pb_c2c_moved(&a, &b, 2.0) && pb_c2c_moved(&a, &b, 1.5));
	PB_CHECK(!pb_c2c_moved(&a, &na, 2.0) && !pb_c2c_moved(&na, &a, 2.0));
	return pb_test_done();
}
