/* SPDX-License-Identifier: MIT */
/*
 * Placement planning on synthetic multi-node topologies (HWLOC_SYNTHETIC),
 * so the many-node logic is tested on a one-node machine; and on the real
 * machine under a one-CPU affinity mask (the plan stays inside it).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>

#include "pagebench/config.h"
#include "pagebench/team.h"
#include "pbtest.h"

static struct pb_plan plan(unsigned n, enum pb_pin pin)
{
	struct pb_plan p;
	int rc = pb_plan_make(n, pin, &p);
	PB_CHECK(rc == 0);
	return p;
}

static void load(const char *synthetic)
{
	pb_topo_fini();
	setenv("HWLOC_SYNTHETIC", synthetic, 1);
	PB_CHECK(pb_topo_init() == 0);
	PB_CHECK(pb_topo_is_synthetic());
}

int main(void)
{
#if !PB_HAVE_HWLOC
	PB_SKIP("built without hwloc: synthetic topologies need it");
#endif
	/* 2 packages x 1 node x 4 cores: 2 nodes. */
	load("pack:2 numa:1 core:4 pu:1");
	PB_CHECK_EQ_U64(pb_topo_nnodes(), 2);
	PB_CHECK_EQ_U64(pb_topo_npus(), 8);
	struct pb_plan p = plan(4, PB_PIN_COMPACT);
	for (unsigned t = 0; t < 4; t++)
		PB_CHECK_EQ_U64(p.place[t].node, 0); /* compact fills node 0 first */
	pb_plan_free(&p);
	p = plan(4, PB_PIN_SCATTER);
	for (unsigned t = 0; t < 4; t++)
		PB_CHECK_EQ_U64(p.place[t].pkg, t % 2); /* alternate packages */
	pb_plan_free(&p);
	p = plan(4, PB_PIN_NUMA);
	for (unsigned t = 0; t < 4; t++)
		PB_CHECK_EQ_U64(p.place[t].node, t % 2);
	pb_plan_free(&p);

	/* 2 packages x 2 nodes x 4 cores: 4 nodes, 16 PUs. */
	load("pack:2 numa:2 core:4 pu:1");
	PB_CHECK_EQ_U64(pb_topo_nnodes(), 4);
	PB_CHECK_EQ_U64(pb_topo_npus(), 16);
	p = plan(8, PB_PIN_NUMA);
	for (unsigned t = 0; t < 8; t++)
		PB_CHECK_EQ_U64(p.place[t].node, t % 4);
	pb_plan_free(&p);
	p = plan(4, PB_PIN_SCATTER);
	/* packages alternate, and the two threads of a package land on its two nodes */
	PB_CHECK(p.place[0].pkg != p.place[1].pkg);
	PB_CHECK(p.place[0].node != p.place[2].node && p.place[0].pkg == p.place[2].pkg);
	unsigned seen = 0;
	for (unsigned t = 0; t < 4; t++)
		seen |= 1u << p.place[t].node;
	PB_CHECK_EQ_U64(seen, 0xf); /* all four nodes used */
	pb_plan_free(&p);
	p = plan(16, PB_PIN_COMPACT);
	unsigned pus = 0;
	for (unsigned t = 0; t < 16; t++) {
		PB_CHECK_EQ_U64(p.place[t].node, t / 4); /* 4 cores per node, in order */
		pus |= 1u << p.place[t].pu;
	}
	PB_CHECK_EQ_U64(pus, 0xffff); /* every PU exactly once */
	PB_CHECK(!p.oversubscribed);
	pb_plan_free(&p);
	p = plan(20, PB_PIN_COMPACT);
	PB_CHECK(p.oversubscribed);
	pb_plan_free(&p);
	p = plan(3, PB_PIN_NONE);
	for (unsigned t = 0; t < 3; t++)
		PB_CHECK(p.place[t].pu == -1 && p.place[t].node == -1);
	pb_plan_free(&p);

	/* SMT: compact puts one thread per core before using siblings. */
	load("pack:1 numa:1 core:4 pu:2");
	p = plan(5, PB_PIN_COMPACT);
	for (unsigned t = 0; t < 4; t++)
		PB_CHECK_EQ_U64(p.place[t].core, t);
	PB_CHECK_EQ_U64(p.place[4].core, 0);
	PB_CHECK(p.place[4].pu != p.place[0].pu);
	pb_plan_free(&p);

	/* Bad input. */
	PB_CHECK(pb_plan_make(0, PB_PIN_COMPACT, &p) != 0);
	enum pb_pin pin;
	PB_CHECK(pb_pin_parse("numa", &pin) == 0 && pin == PB_PIN_NUMA);
	PB_CHECK(pb_pin_parse("diagonal", &pin) != 0);

	/* The real machine under an affinity mask of one CPU (taskset -c N):
	 * the plan stays inside it, and two threads there are oversubscribed,
	 * not bound to a CPU the process was not given. */
	pb_topo_fini();
	unsetenv("HWLOC_SYNTHETIC");
	cpu_set_t all, one;
	PB_CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	int last = -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all))
			last = c;
	if (CPU_COUNT(&all) >= 2 && last >= 0) {
		CPU_ZERO(&one);
		CPU_SET(last, &one);
		PB_CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
		PB_CHECK(pb_topo_init() == 0);
		PB_CHECK_EQ_U64(pb_topo_npus(), 1);
		p = plan(2, PB_PIN_COMPACT);
		PB_CHECK(p.oversubscribed);
		for (unsigned t = 0; t < 2; t++)
			PB_CHECK_MSG(p.place[t].pu == last, "thread %u on PU %d, mask CPU %d", t,
				     p.place[t].pu, last);
		pb_plan_free(&p);
		PB_CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
	}
	pb_topo_fini();
	return pb_test_done();
}
