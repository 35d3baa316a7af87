/*
 * kernels/real/uffd_pager.c - a user-space demand pager on userfaultfd,
 * applying pagebench's eviction strategies to real memory.
 *
 * Each team thread owns a region of `pages` pages registered with a
 * userfaultfd in MISSING mode, and a pager thread that serves its faults.
 * Only `frames` pages may be resident at once.  The worker touches pages
 * in the chosen pattern; a touch of a non-resident page blocks in the
 * kernel and the pager thread receives the fault:
 *
 *   1. tell the policy (pb_policy: the same strategies as the simulator)
 *      about the faulting page; if it names a victim, copy the victim's
 *      4 KiB out to the backing store ("swap", an mmap'ed array) and zap
 *      it with MADV_DONTNEED, so its next touch faults again;
 *   2. resolve the fault with UFFDIO_COPY of the page's content: zeroes on
 *      first touch (demand-zero), or the saved content (swap-in).
 *
 * A user-space pager sees faults only, not hits (no accessed bits), so by
 * default the policy is told about faulting pages only: that is the honest
 * information such a pager has, and recency policies (LRU, CLOCK, ARC...)
 * then choose like FIFO.  hints=1 makes the worker report every access to
 * the policy (an instrumented pager, the upper bound of what hit
 * information buys); the fault itself is still real.  The worker writes a per-page stamp on each touch and
 * checks the stamp it reads, so a page lost or mixed up by eviction fails
 * verify().  Events: faults, swap_ins, zero_fills, evictions, and
 * pager_work_ns: the pager's time from reading a fault to issuing its
 * UFFDIO_COPY (policy decision, eviction copy-out and zap), summed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/common.h"
#include "pagebench/kernel.h"
#include "pagebench/policy.h"

struct pager {
	int uffd;
	char *region;   /* pages * 4 KiB, registered with uffd */
	char *backing;  /* pages * 4 KiB: content of evicted pages */
	uint8_t *saved; /* page has content in backing */
	char *zero;     /* one zero page for demand-zero fill */
	struct pb_policy *pol;
	pthread_t th;
	int stop_pipe[2];
	uint64_t faults, swap_ins, zero_fills, evictions, service_ns; /* pager thread only */
	uint64_t bad;    /* worker only */
	/* hints=1: the worker decided the fault in advance (see up_run); the
	 * pager reads it after the fault, ordered by the fault round trip. */
	int pending_evict;
	uint64_t pending_victim;
	uint64_t cursor; /* worker only */
	struct pb_rng rng;
	int started;
};

struct upstate {
	uint64_t pages, frames, ops, seed;
	int pattern; /* 0 uniform, 1 sequential loop, 2 hot/cold 80/20 */
	int hints;   /* 1: the worker reports every access to the policy */
	const struct pb_policy_desc *pol;
	unsigned n;
	struct pager *p;
	char err[256];
};

struct upargs {
	uint64_t pages, frames;
	int pattern, hints;
	char policy[64]; /* a copy: the parameter strings are freed after parsing */
};

static int up_param(void *ctx, const char *k, const char *v, char *err, size_t n)
{
	struct upargs *a = ctx;
	uint64_t x;
	if (!strcmp(k, "pages") || !strcmp(k, "frames")) {
		if (pb_parse_size(v, &x) || x < 1 || x > (1ULL << 24)) {
			snprintf(err, n, "uffd-pager: bad %s '%s' (1..16M)", k, v);
			return -EINVAL;
		}
		*(!strcmp(k, "pages") ? &a->pages : &a->frames) = x;
		return 0;
	}
	if (!strcmp(k, "policy")) {
		if (strlen(v) >= sizeof(a->policy)) {
			snprintf(err, n, "uffd-pager: policy name '%s' is too long", v);
			return -EINVAL;
		}
		snprintf(a->policy, sizeof(a->policy), "%s", v);
		return 0;
	}
	if (!strcmp(k, "hints")) {
		if (strcmp(v, "0") && strcmp(v, "1")) {
			snprintf(err, n, "uffd-pager: bad hints '%s' (0: faults only, 1: every access)", v);
			return -EINVAL;
		}
		a->hints = v[0] == '1';
		return 0;
	}
	if (!strcmp(k, "pattern")) {
		if (!strcmp(v, "uniform"))
			a->pattern = 0;
		else if (!strcmp(v, "loop"))
			a->pattern = 1;
		else if (!strcmp(v, "hotcold"))
			a->pattern = 2;
		else {
			snprintf(err, n, "uffd-pager: bad pattern '%s' (uniform|loop|hotcold)", v);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, n, "uffd-pager: unknown parameter '%s' (pages, frames, policy, pattern)", k);
	return -EINVAL;
}

static int open_uffd(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) { /* unprivileged userfaultfd off: try the device (root, or its group) */
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
		if (dev >= 0) {
			fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
			close(dev);
		}
	}
	if (fd < 0)
		return -errno;
	struct uffdio_api api = {.api = UFFD_API, .features = 0};
	if (ioctl(fd, UFFDIO_API, &api)) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int up_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	struct upargs a = {.pages = 16384, .frames = 4096, .pattern = 2, .policy = "clock"};
	int rc = pb_params_each(cfg->params, up_param, &a, cfg->err, cfg->errlen);
	if (rc)
		return rc;
	if (a.frames > a.pages) {
		snprintf(cfg->err, cfg->errlen, "uffd-pager: frames (%llu) > pages (%llu)",
			 (unsigned long long)a.frames, (unsigned long long)a.pages);
		return -EINVAL;
	}
	const struct pb_policy_desc *d = pb_policy_find(a.policy);
	if (!d || (d->flags & PB_POL_OFFLINE)) {
		snprintf(cfg->err, cfg->errlen,
			 "uffd-pager: policy '%s' %s", a.policy,
			 d ? "needs the future (offline), a pager cannot run it" : "is not registered");
		return -EINVAL;
	}
	int probe = open_uffd();
	if (probe < 0) {
		snprintf(cfg->err, cfg->errlen, "uffd-pager: userfaultfd unavailable: %s",
			 strerror(-probe));
		return -ENOTSUP;
	}
	close(probe);
	struct upstate *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pages = a.pages;
	s->frames = a.frames;
	s->pattern = a.pattern;
	s->hints = a.hints;
	s->pol = d;
	s->ops = cfg->ops ? cfg->ops : 200000;
	s->seed = cfg->seed;
	s->n = cfg->nthreads;
	s->p = calloc(s->n, sizeof(*s->p));
	*state = s;
	return 0;
}

/* Serve faults until the stop pipe is written. */
static void *pager_main(void *arg)
{
	struct upstate *s = ((void **)arg)[0];
	struct pager *p = ((void **)arg)[1];
	free(arg);
	struct pollfd pfd[2] = {{.fd = p->uffd, .events = POLLIN}, {.fd = p->stop_pipe[0], .events = POLLIN}};
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		struct uffd_msg msg;
		ssize_t r = read(p->uffd, &msg, sizeof(msg)); /* non-blocking: EAGAIN if none */
		if (r != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		uint64_t t0 = pb_now_ns();
		uint64_t addr = msg.arg.pagefault.address & ~(PB_PAGE_SIZE - 1);
		uint64_t page = (addr - (uint64_t)(uintptr_t)p->region) >> PB_PAGE_SHIFT;
		struct pb_ref ref = {.key = page, .pos = pb_atomic_load(&p->faults, PB_RELAXED), .next_use = PB_NEXT_NONE,
				     .write = !!(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE)};
		uint64_t victim;
		enum pb_pol_result res;
		if (s->hints) { /* the worker already told the policy */
			res = p->pending_evict ? PB_POL_MISS_EVICT : PB_POL_MISS;
			victim = p->pending_victim;
		} else {
			res = s->pol->access(p->pol, &ref, &victim);
		}
		if (res == PB_POL_HIT) {
			/* A second message for a page already resolved: just wake. */
			struct uffdio_range wr = {.start = addr, .len = PB_PAGE_SIZE};
			ioctl(p->uffd, UFFDIO_WAKE, &wr);
			continue;
		}
		if (res == PB_POL_MISS_EVICT) {
			char *v = p->region + victim * PB_PAGE_SIZE;
			memcpy(p->backing + victim * PB_PAGE_SIZE, v, PB_PAGE_SIZE);
			p->saved[victim] = 1;
			madvise(v, PB_PAGE_SIZE, MADV_DONTNEED);
			pb_atomic_fetch_add(&p->evictions, 1, PB_RELAXED);
		}
		struct uffdio_copy cp = {
			.dst = addr,
			.src = (uint64_t)(uintptr_t)(p->saved[page] ? p->backing + page * PB_PAGE_SIZE
								    : p->zero),
			.len = PB_PAGE_SIZE,
			.mode = 0,
		};
		if (p->saved[page])
			pb_atomic_fetch_add(&p->swap_ins, 1, PB_RELAXED);
		else
			pb_atomic_fetch_add(&p->zero_fills, 1, PB_RELAXED);
		/* Count before the copy wakes the worker, so the worker's read of
		 * the counters after its last fault sees that fault. */
		pb_atomic_fetch_add(&p->faults, 1, PB_RELAXED);
		pb_atomic_fetch_add(&p->service_ns, pb_now_ns() - t0, PB_RELAXED);
		if (ioctl(p->uffd, UFFDIO_COPY, &cp) && errno != EEXIST)
			break;
	}
	return NULL;
}

static int up_thread_init(void *state, struct pb_kthread *t)
{
	struct upstate *s = state;
	struct pager *p = &s->p[t->tid];
	size_t bytes = s->pages * PB_PAGE_SIZE;
	p->uffd = open_uffd();
	if (p->uffd < 0)
		return p->uffd;
	p->region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p->backing = pb_map(bytes, 0);
	p->saved = pb_map(s->pages, 0);
	p->zero = pb_map(PB_PAGE_SIZE, 1);
	if (p->region == MAP_FAILED || !p->backing || !p->saved || !p->zero)
		return -ENOMEM;
	/* No THP here: the pager works in 4 KiB pages. */
	madvise(p->region, bytes, MADV_NOHUGEPAGE);
	struct uffdio_register reg = {.range = {.start = (uint64_t)(uintptr_t)p->region, .len = bytes},
				      .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (ioctl(p->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	struct pb_policy_cfg pc = {.frames = s->frames, .seed = s->seed + t->tid,
				   .expected_keys = s->pages};
	char err[256];
	if (s->pol->create(&pc, &p->pol, err, sizeof(err)))
		return -EINVAL;
	pb_rng_seed(&p->rng, s->seed * 7919 + t->tid);
	if (pipe2(p->stop_pipe, O_CLOEXEC))
		return -errno;
	void **arg = malloc(2 * sizeof(void *));
	arg[0] = s;
	arg[1] = p;
	if (pthread_create(&p->th, NULL, pager_main, arg)) {
		free(arg);
		return -EAGAIN;
	}
	p->started = 1;
	return 0;
}

static uint64_t up_run(void *state, struct pb_kthread *t)
{
	struct upstate *s = state;
	struct pager *p = &s->p[t->tid];
	if (!p->started)
		return 0;
	uint64_t f0 = pb_atomic_load(&p->faults, PB_RELAXED),
		 si0 = pb_atomic_load(&p->swap_ins, PB_RELAXED),
		 z0 = pb_atomic_load(&p->zero_fills, PB_RELAXED),
		 e0 = pb_atomic_load(&p->evictions, PB_RELAXED),
		 ns0 = pb_atomic_load(&p->service_ns, PB_RELAXED);
	uint64_t hot = s->pages / 5 ? s->pages / 5 : 1;
	for (uint64_t i = 0; i < s->ops; i++) {
		uint64_t page;
		switch (s->pattern) {
		case 1: page = p->cursor++ % s->pages; break;
		case 2:
			page = pb_rng_below(&p->rng, 10) < 8 ? pb_rng_below(&p->rng, hot)
							     : hot + pb_rng_below(&p->rng, s->pages - hot > 0 ? s->pages - hot : 1);
			if (page >= s->pages)
				page = s->pages - 1;
			break;
		default: page = pb_rng_below(&p->rng, s->pages); break;
		}
		if (s->hints) {
			/* Instrumented pager: every access reaches the policy, as
			 * if the hardware reported hits.  A miss's decision (and
			 * victim) is left for the pager, which serves the fault the
			 * touch below takes; the policy's resident set is exactly
			 * the mapped set, so a hit never faults. */
			struct pb_ref ref = {.key = page, .pos = i, .next_use = PB_NEXT_NONE, .write = 1};
			uint64_t victim = 0;
			enum pb_pol_result res = s->pol->access(p->pol, &ref, &victim);
			p->pending_evict = res == PB_POL_MISS_EVICT;
			p->pending_victim = victim;
		}
		volatile uint64_t *w = (volatile uint64_t *)(p->region + page * PB_PAGE_SIZE);
		uint64_t v = *w; /* may fault: zero or the last stamp written */
		if (v != 0 && v != page + 1)
			p->bad++;
		*w = page + 1;
	}
	/* The pager thread's counters are read after a fault round trip
	 * (happens-before via the kernel's fault wake-up); read them with
	 * relaxed atomics for the sanitizer's sake. */
	t->extra[0] = pb_atomic_load(&p->faults, PB_RELAXED) - f0;
	t->extra[1] = pb_atomic_load(&p->zero_fills, PB_RELAXED) - z0;
	t->extra[2] = pb_atomic_load(&p->swap_ins, PB_RELAXED) - si0;
	t->extra[3] = pb_atomic_load(&p->evictions, PB_RELAXED) - e0;
	t->extra[4] = pb_atomic_load(&p->service_ns, PB_RELAXED) - ns0;
	return s->ops;
}

static void up_thread_fini(void *state, struct pb_kthread *t)
{
	struct upstate *s = state;
	struct pager *p = &s->p[t->tid];
	if (p->started) {
		if (write(p->stop_pipe[1], "x", 1) != 1)
			pthread_cancel(p->th);
		pthread_join(p->th, NULL);
		close(p->stop_pipe[0]);
		close(p->stop_pipe[1]);
	}
	if (p->pol)
		s->pol->destroy(p->pol);
	if (p->uffd >= 0)
		close(p->uffd);
	size_t bytes = s->pages * PB_PAGE_SIZE;
	if (p->region && p->region != MAP_FAILED)
		munmap(p->region, bytes);
	pb_unmap(p->backing, bytes);
	pb_unmap(p->saved, s->pages);
	pb_unmap(p->zero, PB_PAGE_SIZE);
}

static int up_verify(void *state, char *err, size_t n)
{
	struct upstate *s = state;
	for (unsigned t = 0; t < s->n; t++) {
		if (s->p[t].bad) {
			snprintf(err, n, "thread %u read %llu page(s) with the wrong content after paging",
				 t, (unsigned long long)s->p[t].bad);
			return -1;
		}
		if (s->p[t].started && pb_atomic_load(&s->p[t].faults, PB_RELAXED) < (s->frames < s->pages ? s->frames : s->pages) &&
		    s->ops >= s->pages * 8) {
			snprintf(err, n, "thread %u: fewer faults than distinct pages", t);
			return -1;
		}
	}
	return 0;
}

static void up_teardown(void *state)
{
	struct upstate *s = state;
	free(s->p);
	free(s);
}

static const char *const up_extra[] = {"faults", "zero_fills", "swap_ins", "evictions",
				       "pager_work_ns", NULL};

const struct pb_kernel_desc pb_kernel_uffd_pager = {
	.name = "uffd-pager",
	.module = "real",
	.summary = "user-space demand pager on userfaultfd: real faults, eviction by a pagebench policy",
	.params_help = "pages=16384 (region per thread), frames=4096 (resident budget), policy=clock "
		       "(any online policy), pattern=hotcold|uniform|loop, hints=0 (1: report every access)",
	.op_unit = "access",
	.extra_cols = up_extra,
	.setup = up_setup,
	.thread_init = up_thread_init,
	.run = up_run,
	.verify = up_verify,
	.thread_fini = up_thread_fini,
	.teardown = up_teardown,
};
