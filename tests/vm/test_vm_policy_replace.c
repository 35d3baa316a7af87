/* SPDX-License-Identifier: MIT */
/*
 * tests/vm/test_vm_policy_replace.c - where the engine gives the policy one
 * page for another (vm_policy_replace, kernels/vm/hints.c: copy-on-write
 * reuse, a 2 MiB page's subpages, a prepaged page that would evict the
 * faulting one, the OOM killer's victim that stays):
 *  - the policy calls each counts, worked by hand: a reuse is one call, a
 *    2 MiB fault 512, a kept faulting page two (the access that named it
 *    and the put-back); the OOM put-back is not driven here
 *    (test_vm_swap drives the OOM killer);
 *  - a policy that disagrees with the engine (a wrapper of LRU that
 *    forgets no page it is told to, or that evicts on every miss) fails
 *    the run with one line naming the place and what went wrong,
 *    "... (engine/policy out of sync)"; a 2 MiB fault that fails at its
 *    first subpage has counted that one call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_run.h"

/* How the wrapper lies: not at all, a remove that keeps the page, or
 * every miss reported as an eviction (of the page inserted). */
enum lie { LIE_NONE, LIE_REMOVE, LIE_EVICT };
static enum lie lie;
static struct pb_policy_desc liar;

static enum pb_pol_result liar_access(struct pb_policy *p, const struct pb_ref *r, uint64_t *victim)
{
	enum pb_pol_result res = pb_policy_find("lru")->access(p, r, victim);
	if (lie == LIE_EVICT && res == PB_POL_MISS) {
		*victim = r->key;
		return PB_POL_MISS_EVICT;
	}
	return res;
}

static int liar_remove(struct pb_policy *p, uint64_t key)
{
	if (lie == LIE_REMOVE)
		return -ENOENT;
	return pb_policy_find("lru")->remove(p, key);
}

/* Replay t on a fresh engine of c: the replay's rc, its stats and the
 * engine's message (pb_vm_error) into msg. */
static int replay(const struct pb_vm_cfg *c, const struct vtrace *t, struct pb_vm_stats *st,
		  char *msg, size_t len)
{
	struct pb_vm *vm;
	char err[256];
	if (pb_vm_create(c, &vm, err, sizeof(err))) {
		PB_CHECK_MSG(0, "create: %s", err);
		return -1;
	}
	int rc = pb_vm_replay_team(vm, t->a, t->n, NULL, 0);
	snprintf(msg, len, "%s", rc ? pb_vm_error(vm) : "");
	pb_vm_stats(vm, st);
	pb_vm_destroy(vm);
	return rc;
}

/* One process reads an anonymous copy-on-write page, then writes it: the
 * only mapper takes it over (cow_reuse), then reads it again. */
static void cow(void)
{
	struct vtrace t = {0};
	vt_add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);
	vt_add(&t, 1, 50, PB_OP_WRITE, PB_ACC_COW);
	vt_add(&t, 1, 50, PB_OP_READ, PB_ACC_COW);
	struct pb_vm_cfg c = vt_cfg("lru", 8);
	c.policy = &liar;
	struct pb_vm_stats st;
	char msg[256];
	lie = LIE_NONE;
	PB_CHECK(replay(&c, &t, &st, msg, sizeof(msg)) == 0);
	/* the read's fault (1), the reuse (1: the original out, the private
	 * page in), the last read's hit (1) */
	PB_CHECK_EQ_U64(st.pagecache_hits, 1);
	PB_CHECK_EQ_U64(st.policy_calls, 3);
	lie = LIE_REMOVE;
	PB_CHECK(replay(&c, &t, &st, msg, sizeof(msg)) != 0);
	PB_CHECK_MSG(!strcmp(msg, "copy-on-write reuse: the policy did not hold the page given up "
				  "(engine/policy out of sync)"),
		     "%s", msg);
	free(t.a);
}

/* One 2 MiB page's fault, then a read of each of its other subpages: the
 * 512 insertions, then hits. */
static void huge(void)
{
	struct vtrace t = {0};
	for (uint64_t i = 0; i < 512; i++)
		vt_add(&t, 1, 512 + i, PB_OP_READ, 0);
	struct pb_vm_cfg c = vt_cfg("lru", 2048);
	c.policy = &liar;
	c.thp = PB_VM_THP_ALWAYS;
	struct pb_vm_stats st;
	char msg[256];
	lie = LIE_NONE;
	PB_CHECK(replay(&c, &t, &st, msg, sizeof(msg)) == 0);
	PB_CHECK_EQ_U64(st.thp_faults, 1);
	/* 512 insertions, 511 hits (every reference after the fault) */
	PB_CHECK_EQ_U64(st.policy_calls, 512 + 511);
	lie = LIE_EVICT;
	PB_CHECK(replay(&c, &t, &st, msg, sizeof(msg)) != 0);
	PB_CHECK_MSG(!strcmp(msg, "a 2 MiB page's subpage: the policy evicted a page to take the "
				  "one given to it (engine/policy out of sync)"),
		     "%s", msg);
	PB_CHECK_EQ_U64(st.policy_calls, 1); /* the first insertion failed */
	free(t.a);
}

/* One file page read under readahead on 3 frames: the fault brings
 * 1000 in, pinned, and its window 1001..1003; the third prepaged page
 * finds the policy's LRU victim to be 1000, which stays (pin_keep) and
 * 1003 does not come in.  The counts of a run that keeps the pinned page,
 * by hand, and the message of a policy that forgets no page it is told
 * to. */
static void pinned(void)
{
	struct vtrace t = {0};
	vt_add(&t, 1, 1000, PB_OP_READ, PB_ACC_FILE | PB_ACC_SHARED);
	vt_add(&t, 1, 1000, PB_OP_READ, PB_ACC_FILE | PB_ACC_SHARED);
	struct pb_vm_cfg c = vt_cfg("lru", 3);
	c.policy = &liar;
	c.prepage = &pb_prepage_readahead;
	struct pb_vm_stats st;
	char msg[256];
	lie = LIE_NONE;
	PB_CHECK(replay(&c, &t, &st, msg, sizeof(msg)) == 0);
	PB_CHECK_EQ_U64(st.faults, 1);
	PB_CHECK_EQ_U64(st.prepaged, 2); /* 1001, 1002; not 1003 */
	PB_CHECK_EQ_U64(st.hits, 1);
	/* the fault's access (1), the two prepaged pages (2), the access for
	 * 1003 that named 1000 and the put-back (2), the hit (1) */
	PB_CHECK_EQ_U64(st.policy_calls, 6);
	lie = LIE_REMOVE;
	PB_CHECK(replay(&c, &t, &st, msg, sizeof(msg)) != 0);
	PB_CHECK_MSG(!strcmp(msg, "keeping the faulting page: the policy did not hold the page "
				  "given up (engine/policy out of sync)"),
		     "%s", msg);
	free(t.a);
}

int main(void)
{
	liar = *pb_policy_find("lru");
	liar.name = "liar";
	liar.access = liar_access;
	liar.remove = liar_remove;
	liar.victim_node = NULL; /* the engine's prefetches: not the point here */
	liar.victim_guess = NULL;
	cow();
	huge();
	pinned();
	return pb_test_done();
}
