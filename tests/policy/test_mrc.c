/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/test_mrc.c - pb_mrc_lru (one-pass Mattson stack distances)
 * must equal a per-size LRU replay at every size, on seeded traces;
 * pb_mrc_opt (Mattson's priority stack) must equal a per-size OPT replay
 * (opt.c, Belady's MIN) at every size, by both its stacks (slots and
 * labels, mrc_opt_label.c), on seeded traces and on the
 * LIRS-paper traces of the shared traces (skipped when absent); the
 * SHARDS sampler keeps about R of the keys, every reference of a kept key.
 * A pending deferred signal (mrc's Ctrl-C) stops both over a whole stream
 * with -EINTR, misses untouched: they ran to the end before looking.  One
 * arriving during OPT's next-use pass stops that pass within 2^16
 * references: it read the whole stream before looking.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kernels/policy/polint.h" /* pb_opt_label_from */
#include "pagebench/mrc.h"
#include "pagebench/outfile.h"
#include "pagebench/policy.h"
#include "pagebench/workload.h"
#include "pbtest.h"
#include "polgen.h"

#define N 30000

/* OPT one pass against one OPT replay per size. */
static void check_opt(const char *what, const uint64_t *k, size_t n, const uint64_t *sizes,
		      size_t ns)
{
	const struct pb_policy_desc *opt = pb_policy_find("opt");
	uint64_t mrc[64], lab[64];
	PB_CHECK(ns <= 64 && pb_mrc_opt(k, n, NULL, sizes, ns, mrc) == 0);
	/* the labelled stack (mrc_opt_label.c) on every size too */
	pb_opt_label_from = 1;
	PB_CHECK(pb_mrc_opt(k, n, NULL, sizes, ns, lab) == 0);
	pb_opt_label_from = PB_MRC_OPT_LABELS;
	for (size_t i = 0; i < ns; i++) {
		PB_CHECK_MSG(lab[i] == mrc[i], "%s: opt %llu frames: labelled %llu, slots %llu",
			     what, (unsigned long long)sizes[i], (unsigned long long)lab[i],
			     (unsigned long long)mrc[i]);
		uint64_t m = n;
		char err[128];
		if (sizes[i]) {
			struct pb_policy_cfg cfg = {.frames = sizes[i]};
			PB_CHECK(pb_policy_replay(opt, &cfg, k, NULL, NULL, n, &m, err,
						  sizeof(err)) == 0);
		}
		PB_CHECK_MSG(mrc[i] == m, "%s: opt %llu frames: one pass %llu, replay %llu", what,
			     (unsigned long long)sizes[i], (unsigned long long)mrc[i],
			     (unsigned long long)m);
	}
}

static void check_opt_traces(const uint64_t *sizes, size_t ns)
{
	static const char *const names[] = {"cpp",    "cs",	"gli",	  "ps",
					    "sprite", "multi1", "2_pools"};
	const char *dir = pbt_traces_dir();
	if (!dir) {
		printf("LIRS traces: skipped (no shared traces)\n");
		return;
	}
	for (size_t t = 0; t < sizeof(names) / sizeof(names[0]); t++) {
		char spec[2600], err[256];
		snprintf(spec, sizeof(spec), "trace:path=%s/data/lirs/%s.trc,format=text", dir,
			 names[t]);
		uint64_t *k = NULL;
		size_t n = 0;
		struct pb_workload_opts wo = {.nthreads = 1, .seed = 1};
		if (pb_workload_load_keys(spec, &wo, &k, NULL, &n, err, sizeof(err))) {
			printf("%s: skipped (%s)\n", names[t], err);
			continue;
		}
		check_opt(names[t], k, n, sizes, ns);
		free(k);
	}
}

/* A stream and the sizes asked for, for the signal cases below. */
struct sig_case {
	const uint64_t *k, *sizes;
	size_t n, ns;
};

/* Misses left as they were (0xab bytes) by a stopped stack. */
static void check_untouched(const struct sig_case *c, const uint64_t *m)
{
	for (size_t i = 0; i < c->ns; i++)
		PB_CHECK_MSG(m[i] == 0xababababababababULL, "size %llu: misses written",
			     (unsigned long long)c->sizes[i]);
}

/* SIGINT recorded as mrc's handler records it before the stacks start:
 * both stop with -EINTR and write no misses. */
static void pending_before(const struct sig_case *c)
{
	uint64_t m[64];
	memset(m, 0xab, sizeof(m));
	pb_signals_install(1);
	raise(SIGINT);
	PB_CHECK(pb_signal_pending() == SIGINT);
	PB_CHECK(pb_mrc_lru(c->k, c->n, c->sizes, c->ns, m) == -EINTR);
	PB_CHECK(pb_mrc_opt(c->k, c->n, NULL, c->sizes, c->ns, m) == -EINTR);
	check_untouched(c, m);
}

/*
 * The keys' first and last pages unreadable: the first read of the last
 * one (the next-use pass goes backwards: keys[n-1] is the first key
 * pb_mrc_opt reads) raises SIGINT, a read of the first one (keys[0..511],
 * 2^16 and more references further) is recorded; both pages are then made
 * readable and the read goes on.
 */
static char *guard[2];
static size_t guard_len;
static volatile sig_atomic_t head_read;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char *a = si->si_addr;
	for (int g = 0; g < 2; g++)
		if (guard[g] && a >= guard[g] && a < guard[g] + guard_len) {
			mprotect(guard[g], guard_len, PROT_READ);
			if (g)
				raise(SIGINT); /* a signal during the pass */
			else
				head_read = 1;
			return;
		}
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(sig, &dfl, NULL); /* not ours: the fault again, fatal */
}

/* SIGINT arriving while pb_mrc_opt computes the next uses: it stops
 * within 2^16 references (-EINTR, no misses), never reaching keys[0]; it
 * looked only after the pass, which read all n keys. */
static void during_next_uses(const struct sig_case *c)
{
	uint64_t m[64];
	memset(m, 0xab, sizeof(m));
	guard_len = (size_t)sysconf(_SC_PAGESIZE);
	size_t bytes = c->n * sizeof(uint64_t),
	       len = (bytes + guard_len - 1) / guard_len * guard_len;
	uint64_t *k = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	PB_CHECK(k != MAP_FAILED && len >= 3 * guard_len);
	if (k == MAP_FAILED)
		return;
	memcpy(k, c->k, bytes);
	guard[0] = (char *)k;
	guard[1] = (char *)k + len - guard_len; /* holds keys[n-1] */
	pb_signals_install(1);
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	PB_CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	PB_CHECK(mprotect(guard[0], guard_len, PROT_NONE) == 0 &&
		 mprotect(guard[1], guard_len, PROT_NONE) == 0);
	PB_CHECK(pb_signal_pending() == 0);
	PB_CHECK(pb_mrc_opt(k, c->n, NULL, c->sizes, c->ns, m) == -EINTR);
	PB_CHECK_MSG(pb_signal_pending() == SIGINT, "no signal during the pass: %d",
		     pb_signal_pending());
	PB_CHECK_MSG(!head_read, "the next-use pass read keys[0], %zu references after the signal",
		     c->n - 1);
	check_untouched(c, m);
}

/* body in a child (a deferred signal stays pending for the rest of the
 * process); the child's checks are its exit status. */
static void in_child(void (*body)(const struct sig_case *), const struct sig_case *c)
{
	fflush(stdout);
	pid_t pid = fork();
	PB_CHECK(pid >= 0);
	if (pid == 0) {
		body(c);
		fflush(stdout);
		_exit(pb_test_done());
	}
	int st = 0;
	PB_CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	PB_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: status %#x", st);
}

/* The stacks over k[0..n), n above one 2^16-reference chunk, stop at a
 * signal with -EINTR: one pending before them, and one arriving during
 * OPT's next-use pass. */
static void stop_on_signal(const uint64_t *k, size_t n, const uint64_t *sizes, size_t ns)
{
	const struct sig_case c = {.k = k, .sizes = sizes, .n = n, .ns = ns};
	in_child(pending_before, &c);
	in_child(during_next_uses, &c);
}

int main(void)
{
	static uint64_t k[N];
	uint64_t sizes[64], mrc[64];
	size_t ns = 0;
	for (uint64_t s = 0; s <= 40; s++)
		sizes[ns++] = s;
	for (uint64_t s = 50; s <= 3000 && ns < 64; s = s * 5 / 4)
		sizes[ns++] = s;
	const struct pb_policy_desc *lru = pb_policy_find("lru");
	for (int t = 0; t < 3; t++) {
		if (t == 0)
			polgen_zipf(k, N, 2500, 0.8, 31);
		else if (t == 1)
			polgen_loop(k, N, 300, 2000, 0.2, 32);
		else
			polgen_mixed(k, NULL, N, 33);
		PB_CHECK(pb_mrc_lru(k, N, sizes, ns, mrc) == 0);
		for (size_t i = 0; i < ns; i++) {
			uint64_t m = 0;
			char err[128];
			if (sizes[i] == 0) {
				PB_CHECK_EQ_U64(mrc[i], N);
				continue;
			}
			struct pb_policy_cfg cfg = {.frames = sizes[i]};
			PB_CHECK(pb_policy_replay(lru, &cfg, k, NULL, NULL, N, &m, err,
						  sizeof(err)) == 0);
			PB_CHECK_EQ_U64(mrc[i], m);
		}
		check_opt(t == 0 ? "zipf" : t == 1 ? "loop" : "mixed", k, N, sizes, ns);
	}
	/* Random keys over a small set: many ties among keys never used again. */
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct pb_rng r;
		pb_rng_seed(&r, seed);
		size_t n = 200 + seed * 37;
		for (size_t i = 0; i < n; i++)
			k[i] = pb_rng_next(&r) % (5 + seed * 3);
		uint64_t small[12] = {0, 1, 2, 3, 4, 5, 7, 9, 13, 20, 40, 1000};
		check_opt("random", k, n, small, 12);
	}
	/* A largest size that is a power of two, the stack full at it:
	 * records run down to its last slot, and the next search starts
	 * one past the last leaf (read past the tree's end before). */
	{
		size_t n2 = 300000;
		uint64_t *k2 = malloc(n2 * sizeof(*k2));
		PB_CHECK(k2 != NULL);
		polgen_zipf(k2, n2, 20000, 0.9, 34);
		uint64_t pow2[] = {512, 1024, 2048, 4096};
		check_opt("zipf, 4096 frames", k2, n2, pow2, 4);
		free(k2);
	}
	check_opt_traces(sizes, ns);
	/* The sampler: about R of the keys, all references of a kept key. */
	struct pb_mrc_sampler sa, sb;
	PB_CHECK(pb_mrc_sampler_init(&sa, 0.05, 1) == 0 && pb_mrc_sampler_init(&sb, 0.05, 2) == 0);
	PB_CHECK(pb_mrc_sampler_init(&sa, 0, 1) == -EINVAL);
	PB_CHECK(pb_mrc_sampler_init(&sa, 1.5, 1) == -EINVAL);
	PB_CHECK(pb_mrc_sampler_init(&sa, 0.05, 1) == 0 && fabs(sa.rate - 0.05) < 1e-6);
	PB_CHECK_EQ_U64(pb_mrc_scaled(&sa, 1000), 50);
	uint64_t keep_a = 0, keep_b = 0, both = 0, nk = 200000;
	for (uint64_t x = 0; x < nk; x++) {
		keep_a += (uint64_t)pb_mrc_keep(&sa, x);
		keep_b += (uint64_t)pb_mrc_keep(&sb, x);
		both += (uint64_t)(pb_mrc_keep(&sa, x) && pb_mrc_keep(&sb, x));
	}
	/* binomial(200000, 0.05): sd 97; independent seeds share 0.25% */
	PB_CHECK_MSG(keep_a > 9500 && keep_a < 10500, "kept %llu of 200000",
		     (unsigned long long)keep_a);
	PB_CHECK_MSG(keep_b > 9500 && keep_b < 10500, "kept %llu of 200000",
		     (unsigned long long)keep_b);
	PB_CHECK_MSG(both > 350 && both < 650, "both seeds kept %llu", (unsigned long long)both);
	polgen_zipf(k, N, 2500, 0.8, 31);
	uint64_t *sk = NULL;
	size_t sn = 0;
	PB_CHECK(pb_mrc_sample(&sa, k, NULL, N, &sk, NULL, &sn) == 0);
	size_t want = 0;
	for (size_t i = 0; i < N; i++)
		want += (size_t)pb_mrc_keep(&sa, k[i]);
	PB_CHECK_EQ_U64(sn, want);
	for (size_t i = 0, j = 0; i < N && j <= sn; i++)
		if (pb_mrc_keep(&sa, k[i]))
			PB_CHECK(j < sn && sk[j++] == k[i]);
	pb_mrc_sample_free(sk, NULL, sn);
	/* Edge cases. */
	uint64_t one = 5, m1;
	PB_CHECK(pb_mrc_lru(NULL, 0, &one, 1, &m1) == 0 && m1 == 0);
	PB_CHECK(pb_mrc_lru(NULL, 3, &one, 1, &m1) == -EINVAL);
	/* a signal: 3 x 2^16 + 5 references of a zipf stream */
	size_t nbig = 3 * ((size_t)1 << 16) + 5;
	uint64_t *big = malloc(nbig * sizeof(*big));
	PB_CHECK(big != NULL);
	if (big) {
		polgen_zipf(big, nbig, 2500, 0.8, 34);
		stop_on_signal(big, nbig, sizes, ns);
	}
	free(big);
	return pb_test_done();
}
