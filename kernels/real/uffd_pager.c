/* SPDX-License-Identifier: MIT */
/*
 * kernels/real/uffd_pager.c - a user-space demand pager on userfaultfd,
 * applying pagebench's eviction strategies to real memory.
 *
 * Each team thread (a "worker") owns a region of `pages` pages registered
 * with a userfaultfd in MISSING mode (and WP mode for dirty tracking), a
 * policy with a budget of `frames` resident pages, and a swap store.  A
 * touch of a page that is not mapped blocks in the kernel and a handler
 * thread receives the fault message and serves it, under the region's lock:
 *
 *   1. a message for a page the pager has mapped already is spurious (the
 *      kernel may report a fault twice: a fault interrupted by a signal is
 *      retried and can queue a second message while the first is being
 *      served): it is woken (UFFDIO_WAKE) and nothing else happens;
 *   2. otherwise the policy (pb_policy, the simulator's strategies) names
 *      the victim, if any; a dirty victim is written to swap, a clean one
 *      is dropped, and the victim is zapped (MADV_DONTNEED), one call over
 *      a batch of victims when evict_batch > 1;
 *   3. the page is filled with UFFDIO_COPY: zeroes on first touch, the
 *      swap copy otherwise; a read fault maps it write-protected when dirt
 *      is tracked, so its first write is seen (a WP fault, or with
 *      UFFD_FEATURE_WP_ASYNC the kernel's own bit, read from pagemap).
 *
 * io=move (Linux 6.8+): a victim whose content is kept is moved into its
 * slot of the memory swap area with UFFDIO_MOVE (no copy, and the move is
 * the zap), and a swap-in moves it back to the faulting address; the swap
 * area is registered with the same userfaultfd (the move's destination must
 * be) and is never touched by the pager.  io=mixed moves victims out the
 * same way and copies pages back from their slot (UFFDIO_COPY reads it; the
 * slot keeps its copy, so a clean victim is dropped, and a slot is zapped
 * before a dirty page moves into it again).
 *
 * uffd-floor, the pager's baseline kernel, runs the same threads, handlers
 * and io with nothing of the pager (floor_missing in place of
 * serve_missing): the kernel's round trip.
 *
 * Invariant: the pager reads only pages it has mapped (state RES), so the
 * handler can never fault on its own registered memory.  Any fault the
 * pager cannot resolve (swap full, an I/O error, a COPY that fails, a
 * policy that disagrees with the mapping) is fatal for the run: the region
 * is unregistered (which wakes the faulting worker, whose retried fault the
 * kernel resolves), the worker sees `fatal` after its access and stops, and
 * verify() fails the run with the reason.  A watchdog declares the same if
 * a fault stays unserved for watchdog_ms: no configuration hangs.
 *
 * Ordering between a worker and the handler serving its region: a worker
 * has at most one fault outstanding, and the handler touches the region's
 * state only while that fault is outstanding, so the two alternate; the
 * kernel's fault round trip orders them.  That ordering is invisible to
 * ThreadSanitizer, so it is also stated in the code: the worker
 * release-stores `wseq` before each touch and the handler acquire-loads it
 * after reading a message; the handler release-stores `hseq` before it
 * wakes the worker and the worker acquire-loads it after each touch.  Both
 * are plain moves on x86.
 *
 * Handler designs (param handlers): 0 = one handler thread per worker on
 * the worker's CPU, with its own userfaultfd, read blocking (its worker
 * stops it with a fault on a stop page); N >= 1 = one userfaultfd for all
 * regions and N shared handler threads reading it (blocking poll, or busy
 * polling with poll=1; batch=K messages per read()).  Regions have one
 * lock each, so shared handlers contend only when they serve one region.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pagebench/atomic.h"
#include "pagebench/common.h"
#include "pagebench/kernel.h"
#include "pagebench/parse.h"
#include "pagebench/policy.h"
#include "pagebench/workload.h"
#include "pager.h"

/* Newer than some installed headers (Linux 6.7+ / 6.1+). */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#define PM_UFFD_WP (1ULL << 57) /* /proc/self/pagemap: PTE is uffd-wp protected */
/* UFFDIO_MOVE (Linux 6.8+), from the kernel's ABI where the header is older. */
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
#endif
#ifndef _UFFDIO_MOVE
#define _UFFDIO_MOVE			 (0x05)
#define UFFDIO_MOVE_MODE_DONTWAKE	 ((__u64)1 << 0)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES ((__u64)1 << 1)
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move; /* out: bytes moved, or -errno */
};
#define UFFDIO_MOVE _IOWR(UFFDIO, _UFFDIO_MOVE, struct uffdio_move)
#endif

/* Page state, one byte per page (region lock, or the alternation above). */
#define ST_RES	   0x01 /* mapped by the pager */
#define ST_DIRTY   0x02 /* written since mapped (tracked dirt) */
#define ST_SAVED   0x04 /* has a valid copy in swap (slot[page]) */
#define ST_PENDING 0x08 /* chosen as victim, zap deferred to the batch */
#define ST_WP	   0x10 /* mapped write-protected (sync WP tracking) */

enum dirty_mode { DIRTY_OFF, DIRTY_WP, DIRTY_ASYNC, DIRTY_AUTO };
enum prepage_mode { PRE_NONE, PRE_READAHEAD, PRE_AROUND, PRE_CLUSTER };
enum inject { INJ_NONE, INJ_EIO, INJ_UNREGISTER, INJ_DUPMSG, INJ_WEDGE, INJ_EEXIST, INJ_OCCUPIED };
enum lat_mode { LAT_SERVICE, LAT_ROUNDTRIP };
/* io=: how pages go to swap and come back (io_names order) */
enum io_mode { IO_COPY, IO_MOVE, IO_MIXED };

/* Per-region event counters (one writer at a time: the lock holder). */
enum {
	EV_FAULTS,
	EV_ZERO,
	EV_SWAPIN,
	EV_EVICT,
	EV_WB,
	EV_WP,
	EV_SPURIOUS,
	EV_PREPAGED,
	EV_ZAPS,
	EV_ZAP_NS,
	EV_WORK_NS,
	EV_COPY_NS,
	EV_SYS_NS,	/* kernel calls and data movement in the pager's work (not the fill) */
	EV_WB_NS,	/* of it, the write-backs' data movement (copy to memory, pwrite) */
	EV_MOVE_EEXIST, /* UFFDIO_MOVE's -EEXIST for pages that call had moved (move_range) */
	EV__N
};

struct region {
	pthread_mutex_t lock;
	char *base; /* pages * 4 KiB, registered */
	uint64_t pages;
	int uffd;	     /* this region's fd (shared in handlers>=1 mode) */
	int own_uffd;	     /* 1: close it at fini */
	uint8_t *st;	     /* page state */
	uint32_t *slot;	     /* page -> swap slot, UINT32_MAX: none */
	uint32_t *slot_page; /* slot -> page */
	struct pb_swap swap;
	struct pb_policy *pol;
	uint64_t *pending; /* victims whose zap is deferred */
	uint64_t npending;
	char *bounce;		       /* (1 + prepage_n) pages, page-aligned */
	char *zero;		       /* one zero page */
	uint64_t moves;		       /* UFFDIO_MOVE calls (inject=eexist|occupied) */
	uint64_t ev[EV__N];	       /* under lock; read by the worker after its touches */
	struct pb_hist hist, hist_all; /* this repetition / measured repetitions */
	struct pb_hist whist;	       /* latency=roundtrip: the worker's own, merged per run */
	uint64_t fault_pos;	       /* policy position counter (hints=0) */
	/* hints=1 mailbox: the worker decided the next fault in advance. */
	uint64_t hint_page, hint_victim;
	int hint_res, hint_valid;
	/* Ordering marks for the alternation (see top comment). */
	uint64_t wseq, hseq;
	uint64_t busy_since; /* atomic: busy_mark() of the fault being served, 0 = idle */
	uint64_t mark_seq;   /* atomic: busy_mark()'s sequence */
	uint64_t tfill;	     /* when the last fill or wake call returned (pb_now_ns) */
	int fatal;	     /* atomic: -errno once the region failed */
	char why[200];	     /* written once, before fatal is released */
	int registered;
	/* worker only */
	uint64_t bad, *version, nreps, accesses;
	struct pb_rng rng;
	uint64_t cursor;
	struct pb_workload *wl;
	uint32_t *wl_map; /* open-addressed vpn -> page, for workload=SPEC */
	uint64_t *wl_keys;
	uint64_t wl_cap, wl_used;
	struct pb_access buf[256];
	size_t buf_n, buf_i;
	int started;
	int hstop; /* atomic: the per-worker handler stops (poll=1) */
	pthread_t th;
	char *guard; /* per-worker blocking handler: a fault here stops it */
};

struct upstate {
	uint64_t pages, frames, ops, seed, watchdog_ms;
	int pattern; /* 0 uniform, 1 loop, 2 hotcold */
	double write_frac;
	int hints, full_check;
	enum dirty_mode dirty;
	enum prepage_mode prepage;
	unsigned prepage_n;
	unsigned evict_batch;
	unsigned handlers; /* 0: one per worker */
	int poll_mode;
	unsigned msg_batch;
	enum inject inject;
	uint64_t inject_at;
	enum lat_mode lat;
	enum io_mode io;
	int floor; /* uffd-floor: the kernel's round trip alone (no policy, no write-back) */
	uint64_t swap_pages;
	int direct;
	char swap_dir[1024];
	/* workload=SPEC (NULL: pattern=) and the --param as it names the
	 * experiment (the latency CSV's), malloc'ed: a trace's path= is as long as a path
	 * gets, which 512-byte fields refused ("too long") and cut */
	char *workload;
	char latency_csv[1024];
	char *params;
	const struct pb_policy_desc *pol;
	unsigned n;
	uint64_t features; /* userfaultfd features granted */
	int pagemap_fd;
	int pidfd;    /* ours, for process_madvise, or -1 */
	int pidfd_ok; /* atomic: 0 once the kernel refused it */
	struct region *r;
	char *area; /* all regions, one mapping */
	size_t area_bytes;
	int shared_uffd;
	pthread_t *hth; /* shared handlers */
	unsigned nhth;
	int stop;	  /* atomic */
	int stop_pipe[2]; /* shared handlers */
	char *guard_area; /* one stop page per region (per-worker blocking handlers) */
	pthread_t wdog;
	int wdog_started;
	int wdog_pipe[2];
};

/* ---- parameters ---- */

struct upargs {
	struct upstate *s;
	char policy[64];
};

static int bad(char *err, size_t n, const char *k, const char *v, const char *what)
{
	snprintf(err, n, "bad %s '%s' (%s)", k, v, what);
	return -EINVAL;
}

/*
 * --param: the table below parses and bounds every key; the values with a
 * syntax of their own (policy name, inject=KIND:N, paths and a workload
 * spec) are then checked and stored here.
 */
struct up_params {
	uint64_t pages, frames, swap_pages, watchdog_ms;
	uint64_t prepage_n, evict_batch, handlers, batch;
	double write;
	int hints, direct, poll;
	unsigned pattern, dirty, check, prepage, latency, io;
	char *policy, *inject, *swap, *workload, *latency_csv;
};

static const char *const pattern_names[] = {"uniform", "loop", "hotcold", NULL};
static const char *const dirty_names[] = {"off", "wp", "async", "auto", NULL}; /* dirty_mode */
static const char *const check_names[] = {"stamp", "full", NULL};
/* prepage_mode order, then the simulator's names (sim --prepage) */
static const char *const prepage_names[] = {"none",   "readahead",   "around",	    "cluster",
					    "demand", "faultaround", "swapcluster", NULL};
static const enum prepage_mode prepage_of[] = {PRE_NONE, PRE_READAHEAD, PRE_AROUND, PRE_CLUSTER,
					       PRE_NONE, PRE_AROUND,	PRE_CLUSTER};
static const char *const latency_names[] = {"service", "roundtrip", NULL}; /* lat_mode */
static const char *const io_names[] = {"copy", "move", "mixed", NULL};	   /* io_mode */

#define P(f)	  offsetof(struct up_params, f)
#define INJ_KINDS "none|dupmsg|eio:N|unregister:N|wedge:N|eexist:N|occupied:N"
static const struct pb_param up_params[] = {
    {"pages", PB_PT_SIZE, P(pages), "16384", "region per thread, in pages", NULL, 1, 1 << 24, 0, 0,
     NULL},
    {"frames", PB_PT_SIZE, P(frames), "4096", "resident budget, in pages (<= pages)", NULL, 1,
     1 << 24, 0, 0, NULL},
    {"policy", PB_PT_STR, P(policy), "clock", "eviction policy (any online policy)", NULL, 0, 0, 0,
     0, "NAME"},
    {"pattern", PB_PT_ENUM, P(pattern), "hotcold", "access pattern", pattern_names, 0, 0, 0, 0,
     NULL},
    {"write", PB_PT_DBL, P(write), "1", "fraction of accesses that write", NULL, 0, 1, 0, 0, NULL},
    {"workload", PB_PT_STR, P(workload), NULL,
     "a workload generator instead of pattern (its own k=v pairs joined with ';')", NULL, 0, 0, 0,
     0, "SPEC"},
    {"hints", PB_PT_BOOL, P(hints), "0", "1: report every access", NULL, 0, 0, 0, 0, NULL},
    {"dirty", PB_PT_ENUM, P(dirty), "auto", "dirty tracking", dirty_names, 0, 0, 0, 0, NULL},
    {"evict_batch", PB_PT_U64, P(evict_batch), "1", "victims per zap", NULL, 1, 512, 0, 0, NULL},
    {"swap", PB_PT_STR, P(swap), "mem", "mem, or a folder DIR for a swap file", NULL, 0, 0, 0, 0,
     "mem|DIR"},
    {"io", PB_PT_ENUM, P(io), "copy",
     "copy: write-back and UFFDIO_COPY; move: UFFDIO_MOVE out to and back from memory swap; "
     "mixed: UFFDIO_MOVE out, UFFDIO_COPY back",
     io_names, 0, 0, 0, 0, NULL},
    {"swap_pages", PB_PT_SIZE, P(swap_pages), NULL, "swap slots (unset: pages)", NULL, 1, 1 << 24,
     0, 0, NULL},
    {"direct", PB_PT_BOOL, P(direct), "0", "1: O_DIRECT swap file", NULL, 0, 0, 0, 0, NULL},
    {"handlers", PB_PT_U64, P(handlers), "0",
     "0: one handler per worker; N: N shared handlers on one uffd", NULL, 0, 256, 0, 0, NULL},
    {"poll", PB_PT_BOOL, P(poll), "0", "1: handlers poll", NULL, 0, 0, 0, 0, NULL},
    {"batch", PB_PT_U64, P(batch), "1", "fault messages per read", NULL, 1, 512, 0, 0, NULL},
    {"prepage", PB_PT_ENUM, P(prepage), "none", "prepaging", prepage_names, 0, 0, 0, 0, NULL},
    {"prepage_n", PB_PT_U64, P(prepage_n), "7", "pages prepaged per fault", NULL, 1, 512, 0, 0,
     NULL},
    {"latency", PB_PT_ENUM, P(latency), "service", "what a fault latency measures", latency_names,
     0, 0, 0, 0, NULL},
    /* where the latencies go, not what is measured: not part of the
     * experiment's name (docs/compare.md), recorded in meta.json */
    {"latency_csv", PB_PT_STR, P(latency_csv), NULL, "write every fault latency to FILE", NULL, 0,
     0, 0, PB_PF_NOIDENT, "FILE"},
    {"check", PB_PT_ENUM, P(check), "stamp", "verification", check_names, 0, 0, 0, 0, NULL},
    {"watchdog_ms", PB_PT_U64, P(watchdog_ms), "10000", "a handler silent this long ends the run",
     NULL, 10, 3600000, 0, 0, NULL},
    {"inject", PB_PT_STR, P(inject), "none", "test faults: " INJ_KINDS, NULL, 0, 0, 0, 0, "KIND"},
    {0},
};
#undef P

static int up_custom(struct upargs *a, const char *k, const char *v, char *err, size_t n)
{
	struct upstate *s = a->s;
	uint64_t x;
	if (!strcmp(k, "policy")) {
		if (strlen(v) >= sizeof(a->policy))
			return bad(err, n, k, v, "too long");
		snprintf(a->policy, sizeof(a->policy), "%s", v);
		return 0;
	}
	if (!strcmp(k, "inject")) {
		/* Test hooks: eio:N (Nth swap write fails), unregister:N (region
		 * unregistered under the Nth fault), dupmsg (every fault message
		 * served twice, as after a signal-interrupted fault), wedge:N
		 * (the handler stops serving at the Nth fault: the watchdog ends it),
		 * eexist:N (the Nth UFFDIO_MOVE moves, then reports -EEXIST, as
		 * Linux 6.18 sometimes does), occupied:N (the Nth move's
		 * destination is mapped first: a real -EEXIST). */
		const char *c = strchr(v, ':');
		size_t len = c ? (size_t)(c - v) : strlen(v);
		int none = len == 4 && !strncmp(v, "none", 4),
		    dupmsg = len == 6 && !strncmp(v, "dupmsg", 6);
		/* none and dupmsg take no count: none:5 was read as none */
		if ((none || dupmsg) && c)
			return bad(err, n, k, v,
				   none ? "none takes no count: " INJ_KINDS
					: "dupmsg takes no count: " INJ_KINDS);
		if (none || dupmsg) {
			s->inject = none ? INJ_NONE : INJ_DUPMSG;
			return 0;
		}
		if (!c || pb_parse_u64(c + 1, &x) || x < 1)
			return bad(err, n, k, v, INJ_KINDS);
		s->inject_at = x;
		if (len == 3 && !strncmp(v, "eio", 3))
			s->inject = INJ_EIO;
		else if (len == 10 && !strncmp(v, "unregister", 10))
			s->inject = INJ_UNREGISTER;
		else if (len == 5 && !strncmp(v, "wedge", 5))
			s->inject = INJ_WEDGE;
		else if (len == 6 && !strncmp(v, "eexist", 6))
			s->inject = INJ_EEXIST;
		else if (len == 8 && !strncmp(v, "occupied", 8))
			s->inject = INJ_OCCUPIED;
		else
			return bad(err, n, k, v, INJ_KINDS);
		return 0;
	}
	if (!strcmp(k, "workload")) {
		char *w = *v ? strdup(v) : NULL; /* workload= (empty): pattern= */
		if (*v && !w)
			return -ENOMEM;
		free(s->workload);
		s->workload = w;
		/* --param splits at commas: a workload spec writes its own
		 * key=value pairs with ';' (workload=zipf:pages=2000;seed=1). */
		for (char *c = w; c && *c; c++)
			if (*c == ';')
				*c = ',';
		return 0;
	}
	if (!strcmp(k, "swap") || !strcmp(k, "latency_csv")) {
		int swap = !strcmp(k, "swap");
		char *dst = swap ? s->swap_dir : s->latency_csv;
		size_t cap = swap ? sizeof(s->swap_dir) : sizeof(s->latency_csv);
		if (strlen(v) >= cap)
			return bad(err, n, k, v, "too long");
		if (swap && !strcmp(v, "mem"))
			v = "";
		snprintf(dst, cap, "%s", v);
		return 0;
	}
	snprintf(err, n, "%s: no custom value", k);
	return -EINVAL;
}

/*
 * latency_csv=FILE is appended to by verify(), after the run, where a
 * failure is only a line on stderr: it is checked here, before any run.  A
 * regular file (not a link: the append opens it O_NOFOLLOW) writable by
 * us, or a new name in a folder we may write.  0 or -EINVAL with the reason.
 */
static int latency_csv_check(const char *path, char *err, size_t n)
{
	struct stat sb;
	if (!lstat(path, &sb)) {
		if (!S_ISREG(sb.st_mode))
			return bad(err, n, "latency_csv", path, "not a regular file");
		return access(path, W_OK) ? bad(err, n, "latency_csv", path, strerror(errno)) : 0;
	}
	if (errno != ENOENT)
		return bad(err, n, "latency_csv", path, strerror(errno));
	char dir[1024];
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	if (access(dir, W_OK | X_OK)) {
		char why[300];
		snprintf(why, sizeof(why), "its folder: %s", strerror(errno));
		return bad(err, n, "latency_csv", path, why);
	}
	return 0;
}

/* The table's values into the state; 0 or -EINVAL with one line in err. */
static int up_apply(struct upargs *a, const struct up_params *p, char *err, size_t n)
{
	struct upstate *s = a->s;
	s->pages = p->pages;
	s->frames = p->frames;
	s->swap_pages = p->swap_pages;
	s->watchdog_ms = p->watchdog_ms;
	s->pattern = (int)p->pattern;
	s->write_frac = p->write;
	s->hints = p->hints;
	s->direct = p->direct;
	s->poll_mode = p->poll;
	s->dirty = (enum dirty_mode)p->dirty;
	s->full_check = p->check == 1;
	s->prepage = prepage_of[p->prepage];
	s->prepage_n = (unsigned)p->prepage_n;
	s->evict_batch = (unsigned)p->evict_batch;
	s->handlers = (unsigned)p->handlers;
	s->msg_batch = (unsigned)p->batch;
	s->lat = (enum lat_mode)p->latency;
	s->io = (enum io_mode)p->io;
	const struct {
		const char *k, *v;
	} custom[] = {{"policy", p->policy},
		      {"inject", p->inject},
		      {"swap", p->swap},
		      {"workload", p->workload},
		      {"latency_csv", p->latency_csv}};
	for (size_t i = 0; i < sizeof(custom) / sizeof(custom[0]); i++) {
		if (!custom[i].v)
			continue;
		int rc = up_custom(a, custom[i].k, custom[i].v, err, n);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- userfaultfd ---- */

/* The features PAGEBENCH_UFFD hides (tests): nomove, a kernel before 6.8
 * (no UFFDIO_MOVE); noasync, one before 6.7 (no WP_ASYNC). */
static uint64_t sim_hidden(void)
{
	const char *sim = getenv("PAGEBENCH_UFFD");
	return !sim			 ? 0
	       : !strcmp(sim, "nomove")	 ? UFFD_FEATURE_MOVE
	       : !strcmp(sim, "noasync") ? UFFD_FEATURE_WP_ASYNC
					 : 0;
}

/*
 * A userfaultfd, or -errno.  PAGEBENCH_UFFD=eperm|enosys|off simulates a
 * machine without it (tests; off = the sysctl case), nomove|noasync one
 * without a feature (sim_hidden).
 */
static int open_uffd(uint64_t want, uint64_t *got, char *why, size_t whylen)
{
	const char *sim = getenv("PAGEBENCH_UFFD");
	if (sim && (!strcmp(sim, "eperm") || !strcmp(sim, "off"))) {
		snprintf(
		    why, whylen,
		    "userfaultfd unavailable: %s (vm.unprivileged_userfaultfd=0 and no access to "
		    "/dev/userfaultfd; simulated by PAGEBENCH_UFFD)",
		    strerror(EPERM));
		return -EPERM;
	}
	if (sim && !strcmp(sim, "enosys")) {
		snprintf(why, whylen,
			 "userfaultfd unavailable: %s (kernel built without CONFIG_USERFAULTFD; "
			 "simulated by PAGEBENCH_UFFD)",
			 strerror(ENOSYS));
		return -ENOSYS;
	}
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	int e = fd < 0 ? errno : 0;
	if (fd < 0 && e != ENOSYS) { /* unprivileged userfaultfd off: try the device */
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
		if (dev >= 0) {
			fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
			close(dev);
		}
	}
	if (fd < 0) {
		snprintf(why, whylen, "userfaultfd unavailable: %s%s", strerror(e),
			 e == ENOSYS ? " (kernel built without CONFIG_USERFAULTFD)"
			 : e == EPERM
			     ? " (vm.unprivileged_userfaultfd=0 and no access to /dev/userfaultfd)"
			     : "");
		return -e;
	}
	/* Ask for what we want; fall back to what the kernel offers. */
	struct uffdio_api api = {.api = UFFD_API, .features = 0};
	if (want) {
		struct uffdio_api probe = {.api = UFFD_API, .features = 0};
		int pfd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (pfd >= 0) {
			if (!ioctl(pfd, UFFDIO_API, &probe))
				api.features = want & probe.features & ~sim_hidden();
			close(pfd);
		} else {
			api.features = want; /* device path: try it */
		}
	}
	if (ioctl(fd, UFFDIO_API, &api)) {
		api.features = 0;
		close(fd);
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || ioctl(fd, UFFDIO_API, &api)) {
			e = errno;
			if (fd >= 0)
				close(fd);
			snprintf(why, whylen, "userfaultfd API handshake failed: %s", strerror(e));
			return -e;
		}
	}
	*got = api.features & ~sim_hidden(); /* what the kernel offers (it reports all it has) */
	return fd;
}

/* The features to ask for: WP_ASYNC where dirt is tracked, MOVE for io=move|mixed. */
static uint64_t want_features(const struct upstate *s)
{
	uint64_t w = s->dirty == DIRTY_OFF ? 0
		     : s->dirty == DIRTY_WP
			 ? UFFD_FEATURE_PAGEFAULT_FLAG_WP
			 : UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_WP_ASYNC;
	return w | (s->io != IO_COPY ? UFFD_FEATURE_MOVE : 0);
}

/* ---- fatal errors ---- */

static void region_fail(struct upstate *s, struct region *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void region_fail(struct upstate *s, struct region *r, int err, const char *fmt, ...)
{
	(void)s;
	int zero = 0;
	/* The first failure wins; its text is published by the release. */
	static pthread_mutex_t why_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&why_lock);
	if (!pb_atomic_load(&r->fatal, PB_ACQUIRE)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->why, sizeof(r->why), fmt, ap);
		va_end(ap);
		pb_atomic_cas(&r->fatal, &zero, err < 0 ? err : -EIO, PB_RELEASE, PB_RELAXED);
	}
	pthread_mutex_unlock(&why_lock);
	/* Unregistering wakes the faulting worker; the kernel then resolves
	 * its retried fault itself (demand zero) and the worker sees fatal. */
	struct uffdio_range rg = {.start = (uint64_t)(uintptr_t)r->base,
				  .len = r->pages * PB_PAGE_SIZE};
	ioctl(r->uffd, UFFDIO_UNREGISTER, &rg);
	ioctl(r->uffd, UFFDIO_WAKE, &rg);
}

/* ---- eviction ---- */

/* Dirty under WP_ASYNC: the PTE lost its uffd-wp bit (one pagemap read). */
/* The /proc/self/pagemap entry of the page at addr into *ent; 0, or -1
 * when it cannot be read (no pagemap_fd, a short read). */
static int pagemap_entry(const struct upstate *s, uint64_t addr, uint64_t *ent)
{
	off_t off = (off_t)((addr >> PB_PAGE_SHIFT) * sizeof(*ent));
	if (s->pagemap_fd < 0 || pread(s->pagemap_fd, ent, sizeof(*ent), off) != sizeof(*ent))
		return -1;
	return 0;
}

static int async_dirty(struct upstate *s, struct region *r, uint64_t page)
{
	uint64_t ent, t0 = pb_now_ns();
	int rc = pagemap_entry(s, (uint64_t)(uintptr_t)(r->base + page * PB_PAGE_SIZE), &ent);
	r->ev[EV_SYS_NS] += pb_now_ns() - t0;
	if (rc)
		return 1; /* cannot tell: treat as dirty (never lose data) */
	return !(ent & PM_UFFD_WP);
}

/* Must victim v's content be saved: written since it came in (or untracked)? */
static int victim_dirty(struct upstate *s, struct region *r, uint64_t v)
{
	return s->dirty == DIRTY_OFF || (r->st[v] & ST_DIRTY) ||
	       (s->dirty == DIRTY_ASYNC && async_dirty(s, r, v));
}

/* Victim v's swap slot (a page keeps its slot), allocated on first need. */
static int victim_slot(struct region *r, uint64_t v)
{
	if (r->slot[v] == UINT32_MAX) {
		int64_t sl = pb_swap_alloc(&r->swap);
		if (sl < 0)
			return (int)sl;
		r->slot[v] = (uint32_t)sl;
		r->slot_page[sl] = (uint32_t)v;
	}
	return 0;
}

/* Save the victim if it must be, leaving it mapped (the zap follows). */
static int save_victim(struct upstate *s, struct region *r, uint64_t v)
{
	uint8_t st = r->st[v];
	int dirty = victim_dirty(s, r, v);
	if (!dirty && (st & ST_SAVED))
		return 0; /* clean: the swap copy is current */
	if (!dirty) {
		/* Clean and never saved: it is still all zeroes; drop it and
		 * demand-zero it again on the next fault. */
		return 0;
	}
	int rc = victim_slot(r, v);
	if (rc)
		return rc;
	if (s->inject == INJ_EIO && r->swap.fail_write_at == 0)
		r->swap.fail_write_at = s->inject_at;
	/* The store times its own writes: no more clock reads here. */
	uint64_t w0 = r->swap.write_ns;
	rc = pb_swap_write(&r->swap, r->slot[v], r->base + v * PB_PAGE_SIZE, 1);
	r->ev[EV_WB_NS] += r->swap.write_ns - w0;
	r->ev[EV_SYS_NS] += r->swap.write_ns - w0;
	if (rc)
		return rc;
	r->st[v] |= ST_SAVED;
	r->ev[EV_WB]++;
	return 0;
}

/* Is the page at addr mapped (pagemap's present bit, which needs no
 * privilege)?  1 or 0; -1 when it cannot tell. */
static int page_present(const struct upstate *s, uint64_t addr)
{
	uint64_t ent;
	return pagemap_entry(s, addr, &ent) ? -1 : (int)(ent >> 63);
}

/*
 * UFFDIO_MOVE of len bytes from src to dst (io=move|mixed).  The kernel moves
 * the pages' PTEs without copying and clears the source; it reports a
 * partial move as -EAGAIN with the bytes moved, and -EAGAIN alone when the
 * pages were busy a moment (a migration, a split): the rest is retried, a
 * bounded number of times.  Other errors: -EEXIST (dst populated), -ENOENT
 * (src not present), -EBUSY (a page shared, pinned or KSM), -EINVAL (the
 * areas do not match, or dst is not registered with this userfaultfd).
 *
 * -EEXIST is not always what it says.  Linux 6.18 (seen on 6.18.44, about
 * one call in a few million here, in uffd-floor as in the pager) can move a
 * page and then report -EEXIST with nothing moved: after the failure the
 * page was mapped at its destination with its own stamp, its source was
 * empty, and nothing else had touched either (docs/real.md).  The pager only ever
 * moves into a destination it knows to be empty, so a destination page
 * that is now mapped while its source is not is the page this call moved:
 * those pages count as moved (move_eexist counts the calls), the rest is
 * moved again, and the wake the call would have done is done here.  A
 * destination and source both mapped (or pagemap unreadable) is a real
 * -EEXIST and fails the run as before; the worker's stamp check reads every
 * page it touches, so a wrong page cannot pass unseen.
 */
static int move_range(const struct upstate *s, struct region *r, uint64_t dst, uint64_t src,
		      uint64_t len, uint64_t mode)
{
	struct uffdio_range all = {.start = dst, .len = len};
	int resolved = 0;
	for (int tries = 0;; tries++) {
		struct uffdio_move m = {.dst = dst, .src = src, .len = len, .mode = mode};
		int inj = (s->inject == INJ_EEXIST || s->inject == INJ_OCCUPIED) &&
			  ++r->moves == s->inject_at;
		if (inj && s->inject == INJ_OCCUPIED) {
			struct uffdio_zeropage z = {.range = {.start = dst, .len = PB_PAGE_SIZE},
						    .mode = UFFDIO_ZEROPAGE_MODE_DONTWAKE};
			(void)ioctl(r->uffd, UFFDIO_ZEROPAGE, &z);
		}
		int ok = !ioctl(r->uffd, UFFDIO_MOVE, &m);
		if (ok && inj && s->inject == INJ_EEXIST) {
			ok = 0; /* moved, but said otherwise */
			errno = EEXIST;
			m.move = -EEXIST;
		}
		if (ok)
			break;
		int e = errno;
		uint64_t done = m.move > 0 ? (uint64_t)m.move : 0;
		if (e == EEXIST && !done) {
			while (done < len && page_present(s, dst + done) == 1 &&
			       page_present(s, src + done) == 0)
				done += PB_PAGE_SIZE;
			resolved |= done > 0;
		}
		if (done >= len)
			break;
		if ((!done && e != EAGAIN) || tries >= 1000)
			return -e;
		dst += done;
		src += done;
		len -= done;
	}
	if (resolved) {
		r->ev[EV_MOVE_EEXIST]++;
		/* the failed call woke nobody */
		if (!(mode & UFFDIO_MOVE_MODE_DONTWAKE) && ioctl(r->uffd, UFFDIO_WAKE, &all))
			return -errno;
	}
	return 0;
}

/*
 * io=move|mixed: does victim v go out by a move (1) or is it dropped (0)?
 * io=move: its content must be kept when it is dirty or when it came from
 * swap (the move that brought it in emptied its slot: no copy is left
 * anywhere else); a clean page never saved is zeroes and is dropped like a
 * clean victim of io=copy.  io=mixed: a swap-in copies the page back and
 * leaves the slot's copy in place, so a clean victim is dropped as with
 * io=copy (its slot is current, or it is zeroes) and a dirty one moves into
 * its slot, which is emptied first when it held an older copy (*zap_slot).
 * A write-back is counted as io=copy counts it (the dirty victims), so the
 * simulator's counts still hold; a clean page that moves out is an
 * eviction without a write-back (nothing is copied).
 * uffd-floor: every victim of io=move|mixed moves out (to slot v, emptied
 * first with io=mixed), every victim of io=copy is dropped: no dirt, no
 * write-back, no slot to find.
 */
static int move_victim_prep(struct upstate *s, struct region *r, uint64_t v, int *zap_slot)
{
	*zap_slot = 0;
	if (s->floor) {
		*zap_slot = s->io == IO_MIXED;
		return s->io != IO_COPY;
	}
	uint8_t st = r->st[v];
	int dirty = victim_dirty(s, r, v);
	if (!dirty && (s->io == IO_MIXED || !(st & ST_SAVED)))
		return 0;
	*zap_slot = s->io == IO_MIXED && r->slot[v] != UINT32_MAX;
	int rc = victim_slot(r, v);
	if (rc)
		return rc;
	r->swap.writes++; /* pages put into the swap area */
	if (s->inject == INJ_EIO && r->swap.writes == s->inject_at)
		return -EIO;
	if (dirty)
		r->ev[EV_WB]++;
	r->st[v] |= ST_SAVED;
	return 1;
}

/* io=move|mixed: n victims from page v out into their consecutive slots, one call. */
static int move_out(const struct upstate *s, struct region *r, uint64_t v, uint64_t n)
{
	r->ev[EV_ZAPS]++;
	return move_range(s, r, (uint64_t)(uintptr_t)(r->swap.mem + r->slot[v] * PB_PAGE_SIZE),
			  (uint64_t)(uintptr_t)(r->base + v * PB_PAGE_SIZE), n * PB_PAGE_SIZE,
			  UFFDIO_MOVE_MODE_DONTWAKE);
}

/* One page more to zap: it extends the last run when it follows it. */
static void zap_add(struct iovec *iov, size_t *niov, char *a)
{
	if (*niov && (char *)iov[*niov - 1].iov_base + iov[*niov - 1].iov_len == a)
		iov[*niov - 1].iov_len += PB_PAGE_SIZE;
	else
		iov[(*niov)++] = (struct iovec){.iov_base = a, .iov_len = PB_PAGE_SIZE};
}

/* Zap runs of pages: one call for all where the kernel takes process_madvise
 * on ourselves (one TLB shootdown), else one madvise per run. */
static int zap_runs(struct upstate *s, struct region *r, struct iovec *iov, size_t niov)
{
	size_t i = 0;
	if (niov > 1 && s->pidfd >= 0 && pb_atomic_load(&s->pidfd_ok, PB_RELAXED)) {
		size_t total = 0;
		for (size_t k = 0; k < niov; k++)
			total += iov[k].iov_len;
		long done = syscall(SYS_process_madvise, s->pidfd, iov, niov, MADV_DONTNEED, 0);
		if (done == (long)total) {
			i = niov;
			r->ev[EV_ZAPS]++;
		} else if (done < 0 && (errno == EINVAL || errno == ENOSYS || errno == EPERM)) {
			pb_atomic_store(&s->pidfd_ok, 0, PB_RELAXED); /* older kernel: per run */
		}
		/* else partial or another error: redo per run; DONTNEED is idempotent */
	}
	for (; i < niov; i++) {
		if (madvise(iov[i].iov_base, iov[i].iov_len, MADV_DONTNEED))
			return -errno;
		r->ev[EV_ZAPS]++;
	}
	return 0;
}

/*
 * Flush the pending victims: save or move each (saved now, not when chosen:
 * a write in between must not be lost), then zap in one call the victims
 * that are dropped and (io=mixed) the slots that held an older copy of a
 * victim about to move in, then move the rest out into their slots, one
 * UFFDIO_MOVE per run of consecutive pages with consecutive slots (the
 * move clears the source PTE: no copy, no separate zap).  The slots are
 * zapped before the moves because a move's destination must be empty.
 */
static int flush_victims(struct upstate *s, struct region *r)
{
	if (!r->npending)
		return 0;
	uint64_t t0 = pb_now_ns(), tcall = 0;
	struct iovec iov[512]; /* one entry per victim at most (evict_batch <= 512) */
	size_t niov = 0;
	struct {
		uint64_t lo, n;
	} mv[512];
	size_t nmv = 0;
	int rc = 0;
	for (uint64_t i = 0; i < r->npending; i++) {
		uint64_t v = r->pending[i];
		if (!(r->st[v] & ST_PENDING))
			continue; /* rescued */
		int zap_slot = 0;
		/* The floor's victims all take move_victim_prep: it drops every
		 * one of io=copy (save_victim would write it back: dirty=off). */
		rc = s->io != IO_COPY || s->floor ? move_victim_prep(s, r, v, &zap_slot)
						  : save_victim(s, r, v);
		if (rc < 0)
			goto out;
		r->st[v] &= (uint8_t) ~(ST_PENDING | ST_RES | ST_DIRTY | ST_WP);
		if (!rc) {
			zap_add(iov, &niov, r->base + v * PB_PAGE_SIZE);
			continue;
		}
		if (zap_slot)
			zap_add(iov, &niov, r->swap.mem + (size_t)r->slot[v] * PB_PAGE_SIZE);
		if (nmv && v == mv[nmv - 1].lo + mv[nmv - 1].n &&
		    r->slot[v] == r->slot[mv[nmv - 1].lo] + mv[nmv - 1].n) {
			mv[nmv - 1].n++;
		} else {
			mv[nmv].lo = v;
			mv[nmv++].n = 1;
		}
	}
	tcall = pb_now_ns(); /* the calls: the zap, then the moves out */
	rc = zap_runs(s, r, iov, niov);
	for (size_t k = 0; !rc && k < nmv; k++)
		rc = move_out(s, r, mv[k].lo, mv[k].n);
out:;
	uint64_t t1 = pb_now_ns();
	r->npending = 0;
	r->ev[EV_ZAP_NS] += t1 - t0;
	if (tcall)
		r->ev[EV_SYS_NS] += t1 - tcall;
	return rc;
}

static int evict(struct upstate *s, struct region *r, uint64_t v)
{
	if (!(r->st[v] & ST_RES) || (r->st[v] & ST_PENDING))
		return -EFAULT; /* never read a page we have not mapped */
	r->ev[EV_EVICT]++;
	r->st[v] |= ST_PENDING;
	r->pending[r->npending++] = v;
	if (r->npending >= s->evict_batch)
		return flush_victims(s, r);
	return 0;
}

/* ---- filling ---- */

/* Content of page p into dst (swap copy or zeroes).  faulted: p is the
 * faulting page, counted in swap_ins or zero_fills (one of them per fault,
 * so faults = zero_fills + swap_ins); a prepaged page counts in prepaged
 * only, as in every prepage mode. */
static int fetch(struct region *r, uint64_t p, char *dst, int faulted)
{
	uint64_t t0 = pb_now_ns();
	int rc = 0;
	if (r->st[p] & ST_SAVED) {
		r->ev[EV_SWAPIN] += (uint64_t)faulted;
		rc = pb_swap_read(&r->swap, r->slot[p], dst, 1);
	} else {
		r->ev[EV_ZERO] += (uint64_t)faulted;
		memset(dst, 0, PB_PAGE_SIZE);
	}
	r->ev[EV_SYS_NS] += pb_now_ns() - t0;
	return rc;
}

/* A fill or wake call that began at t0 has returned: its time is copy_ns,
 * and its end is the end of the message's service when it was the last
 * call (serve() reads the clock once less). */
static void fill_done(struct region *r, uint64_t t0)
{
	r->tfill = pb_now_ns();
	r->ev[EV_COPY_NS] += r->tfill - t0;
}

/* An ioctl that wakes the worker, timed into copy_ns: on the worker's CPU
 * the wake-up runs the worker before the call returns. */
static int wake_ioctl(struct region *r, unsigned long req, void *arg)
{
	uint64_t t0 = pb_now_ns();
	int rc = ioctl(r->uffd, req, arg) ? -errno : 0;
	fill_done(r, t0);
	return rc;
}

static int copy_in(struct upstate *s, struct region *r, uint64_t first, uint64_t n, const char *src,
		   int wp, int dontwake)
{
	struct uffdio_copy cp = {
	    .dst = (uint64_t)(uintptr_t)(r->base + first * PB_PAGE_SIZE),
	    .src = (uint64_t)(uintptr_t)src,
	    .len = n * PB_PAGE_SIZE,
	    .mode = (wp ? UFFDIO_COPY_MODE_WP : 0) | (dontwake ? UFFDIO_COPY_MODE_DONTWAKE : 0),
	};
	(void)s;
	uint64_t t0 = pb_now_ns();
	int rc = ioctl(r->uffd, UFFDIO_COPY, &cp) ? -errno : 0;
	fill_done(r, t0);
	return rc == -EEXIST ? 0 : rc;
}

/* A page the policy admitted: mark it mapped. */
static void mark_res(struct upstate *s, struct region *r, uint64_t p, int write)
{
	uint8_t st = (uint8_t)((r->st[p] & ST_SAVED) | ST_RES);
	if (write)
		st |= ST_DIRTY;
	else if (s->dirty == DIRTY_WP)
		st |= ST_WP;
	r->st[p] = st;
}

/*
 * Prepaging.  Readahead (the next prepage_n pages) and fault-around (the
 * aligned block of prepage_n+1 pages holding the fault) map a run of
 * unmapped pages with ONE UFFDIO_COPY; the run's other pages are admitted
 * to the policy first and the faulting page last, so it is never its own
 * run's victim.  A run member that a later admission evicts cuts the run
 * there, and the members cut off are removed from the policy again: the
 * policy's resident set stays exactly the mapped set.  Swap clustering
 * reads the faulting page's swap slot together with the next prepage_n
 * slots (pages evicted after it) in one read.
 */
struct run {
	uint64_t lo, hi, lo0;
	uint8_t adm[520]; /* admitted to the policy, by q - lo0 */
};

static void run_cut(struct upstate *s, struct region *r, struct run *u, uint64_t p, uint64_t v)
{
	uint64_t nlo = u->lo, nhi = u->hi;
	if (v < p)
		nlo = v + 1;
	else
		nhi = v;
	for (uint64_t q = u->lo; q < u->hi; q++)
		if ((q < nlo || q >= nhi) && u->adm[q - u->lo0]) {
			u->adm[q - u->lo0] = 0;
			if (q != v)
				s->pol->remove(r->pol, q);
		}
	u->lo = nlo;
	u->hi = nhi;
}

/* Admit q (a run member) to the policy; evict its victim or cut the run. */
static int run_admit(struct upstate *s, struct region *r, struct run *u, uint64_t p, uint64_t q,
		     int write)
{
	uint64_t victim = 0;
	struct pb_ref ref = {.key = q,
			     .pos = r->fault_pos++,
			     .next_use = PB_NEXT_NONE,
			     .write = (unsigned)(q == p && write)};
	enum pb_pol_result res = s->pol->access(r->pol, &ref, &victim);
	if (res == PB_POL_HIT)
		return -EPROTO;
	u->adm[q - u->lo0] = 1;
	if (res != PB_POL_MISS_EVICT)
		return 0;
	if (victim >= u->lo && victim < u->hi && !(r->st[victim] & ST_RES)) {
		if (victim == p)
			return -EPROTO; /* cannot happen: p is admitted last */
		run_cut(s, r, u, p, victim);
		return 0;
	}
	return evict(s, r, victim);
}

static int serve_run(struct upstate *s, struct region *r, uint64_t p, int write)
{
	struct run u;
	u.lo = u.hi = p;
	u.hi++;
	if (s->prepage == PRE_READAHEAD) {
		while (u.hi < r->pages && u.hi - p <= s->prepage_n && !(r->st[u.hi] & ST_RES))
			u.hi++;
	} else {
		uint64_t w = (uint64_t)s->prepage_n + 1, a = p / w * w;
		while (u.lo > a && !(r->st[u.lo - 1] & ST_RES))
			u.lo--;
		while (u.hi < a + w && u.hi < r->pages && !(r->st[u.hi] & ST_RES))
			u.hi++;
	}
	u.lo0 = u.lo;
	memset(u.adm, 0, sizeof(u.adm));
	for (uint64_t q = u.lo0; q < u.hi; q++) {
		if (q == p || q < u.lo)
			continue;
		int rc = run_admit(s, r, &u, p, q, write);
		if (rc)
			return rc;
	}
	int rc = run_admit(s, r, &u, p, p, write);
	if (rc)
		return rc;
	r->ev[EV_FAULTS]++;
	for (uint64_t q = u.lo; q < u.hi; q++) {
		rc = fetch(r, q, r->bounce + (q - u.lo) * PB_PAGE_SIZE, q == p);
		if (rc)
			return rc;
		mark_res(s, r, q, q == p && write);
		if (q != p)
			r->ev[EV_PREPAGED]++;
	}
	pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
	if (!write || s->dirty == DIRTY_OFF)
		return copy_in(s, r, u.lo, u.hi - u.lo, r->bounce, s->dirty != DIRTY_OFF, 0);
	/* A write fault wants p writable: map the run protected, then lift
	 * the protection of p (which wakes the worker). */
	rc = copy_in(s, r, u.lo, u.hi - u.lo, r->bounce, 1, 1);
	if (rc)
		return rc;
	struct uffdio_writeprotect wpr = {
	    .range = {.start = (uint64_t)(uintptr_t)(r->base + p * PB_PAGE_SIZE),
		      .len = PB_PAGE_SIZE},
	    .mode = 0};
	return wake_ioctl(r, UFFDIO_WRITEPROTECT, &wpr);
}

static int serve_cluster(struct upstate *s, struct region *r, uint64_t p, int write);

/*
 * io=move swap-in: the page moves from its slot to the faulting address
 * (no copy; the slot is empty afterwards, so the page keeps ST_SAVED: its
 * only copy is the frame, and it moves out again even when clean).  The
 * kernel maps a moved page writable and without the uffd-wp bit, so a read
 * fault with tracked dirt is moved without waking, write-protected, then
 * woken: three ioctls where UFFDIO_COPY_MODE_WP does it in one.
 */
static int move_in(struct upstate *s, struct region *r, uint64_t p, int write)
{
	r->ev[EV_SWAPIN]++;
	r->swap.reads++;
	mark_res(s, r, p, write);
	pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
	int wp = !write && s->dirty != DIRTY_OFF;
	uint64_t dst = (uint64_t)(uintptr_t)(r->base + p * PB_PAGE_SIZE);
	uint64_t t0 = pb_now_ns();
	int rc = move_range(s, r, dst,
			    (uint64_t)(uintptr_t)(r->swap.mem + (size_t)r->slot[p] * PB_PAGE_SIZE),
			    PB_PAGE_SIZE, wp ? UFFDIO_MOVE_MODE_DONTWAKE : 0);
	if (!rc && wp) {
		struct uffdio_writeprotect wpr = {.range = {.start = dst, .len = PB_PAGE_SIZE},
						  .mode = UFFDIO_WRITEPROTECT_MODE_WP};
		struct uffdio_range one = {.start = dst, .len = PB_PAGE_SIZE};
		if (ioctl(r->uffd, UFFDIO_WRITEPROTECT, &wpr) || ioctl(r->uffd, UFFDIO_WAKE, &one))
			rc = -errno;
	}
	fill_done(r, t0);
	return rc;
}

/* Serve a missing fault on page p (region lock held). */
static int serve_missing(struct upstate *s, struct region *r, uint64_t p, int write)
{
	if (s->prepage == PRE_READAHEAD || s->prepage == PRE_AROUND)
		return serve_run(s, r, p, write);
	if (s->prepage == PRE_CLUSTER && (r->st[p] & ST_SAVED))
		return serve_cluster(s, r, p, write);
	uint64_t victim = 0;
	enum pb_pol_result res;
	if (s->hints) {
		if (!r->hint_valid || r->hint_page != p)
			return -EPROTO; /* mailbox out of step: caught, never guessed */
		res = (enum pb_pol_result)r->hint_res;
		victim = r->hint_victim;
		r->hint_valid = 0;
	} else {
		struct pb_ref ref = {.key = p,
				     .pos = r->fault_pos++,
				     .next_use = PB_NEXT_NONE,
				     .write = (unsigned)write};
		res = s->pol->access(r->pol, &ref, &victim);
	}
	if (res == PB_POL_HIT)
		return -EPROTO; /* the policy holds a page we have not mapped */
	if (res == PB_POL_MISS_EVICT) {
		int rc = evict(s, r, victim);
		if (rc)
			return rc;
	}
	r->ev[EV_FAULTS]++;
	if (s->io == IO_MOVE && (r->st[p] & ST_SAVED))
		return move_in(s, r, p, write);
	/* The fill's source without a copy where there is one: the zero
	 * page, or the slot of a memory swap store. */
	const char *src = r->bounce;
	int rc = 0;
	if (!(r->st[p] & ST_SAVED)) {
		r->ev[EV_ZERO]++;
		src = r->zero;
	} else if (r->swap.fd < 0) {
		r->ev[EV_SWAPIN]++;
		r->swap.reads++;
		src = r->swap.mem + (size_t)r->slot[p] * PB_PAGE_SIZE;
	} else {
		rc = fetch(r, p, r->bounce, 1);
	}
	if (rc)
		return rc;
	mark_res(s, r, p, write);
	pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
	return copy_in(s, r, p, 1, src, !write && s->dirty != DIRTY_OFF, 0);
}

/*
 * Swap clustering: p's slot and the next prepage_n slots (pages evicted
 * after p) come back in one read.  As for a run, every admission and
 * eviction happens before the first page is mapped (a victim is saved and
 * zapped while the worker is certainly blocked), the members are admitted
 * before p, and a member evicted by a later admission is simply not mapped.
 */
static int serve_cluster(struct upstate *s, struct region *r, uint64_t p, int write)
{
	uint64_t sl = r->slot[p], hi = sl + 1;
	while (hi < r->swap.used && hi - sl <= s->prepage_n && !(r->st[r->slot_page[hi]] & ST_RES))
		hi++;
	uint64_t t0 = pb_now_ns();
	int rc = pb_swap_read(&r->swap, sl, r->bounce, hi - sl);
	r->ev[EV_SYS_NS] += pb_now_ns() - t0;
	if (rc)
		return rc;
	uint8_t adm[520] = {0};
	/* Members first (slots sl+1..hi-1), then p (slot sl). */
	for (uint64_t i = 1; i <= hi - sl; i++) {
		uint64_t k = i < hi - sl ? sl + i : sl, q = r->slot_page[k], v = 0;
		struct pb_ref ref = {.key = q,
				     .pos = r->fault_pos++,
				     .next_use = PB_NEXT_NONE,
				     .write = (unsigned)(q == p && write)};
		enum pb_pol_result res = s->pol->access(r->pol, &ref, &v);
		if (res == PB_POL_HIT)
			return -EPROTO;
		adm[k - sl] = 1;
		if (res != PB_POL_MISS_EVICT)
			continue;
		if (!(r->st[v] & ST_RES) && r->slot[v] != UINT32_MAX && r->slot[v] >= sl &&
		    r->slot[v] < hi) {
			if (v == p)
				return -EPROTO;	  /* cannot happen: p is admitted last */
			adm[r->slot[v] - sl] = 0; /* a member: the policy dropped it */
			continue;
		}
		if ((rc = evict(s, r, v)))
			return rc;
	}
	r->ev[EV_FAULTS]++;
	r->ev[EV_SWAPIN]++;
	for (uint64_t k = sl + 1; k < hi; k++) {
		if (!adm[k - sl])
			continue;
		uint64_t q = r->slot_page[k];
		rc = copy_in(s, r, q, 1, r->bounce + (k - sl) * PB_PAGE_SIZE, s->dirty != DIRTY_OFF,
			     1);
		if (rc)
			return rc;
		mark_res(s, r, q, 0);
		r->ev[EV_PREPAGED]++;
	}
	mark_res(s, r, p, write);
	pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
	return copy_in(s, r, p, 1, r->bounce, !write && s->dirty != DIRTY_OFF, 0);
}

/*
 * uffd-floor's missing fault on page p: the kernel's own round trip with the
 * pager's handler placement and io, without the pager: no policy (the
 * worker runs a loop, so the victim is the page faulted `frames` faults
 * ago: FIFO), no dirt, no write-back, no slot bookkeeping (page p's slot is
 * slot p, filled once at thread_init).  A fault is the fill alone:
 * UFFDIO_COPY from the slot (io=copy|mixed) or UFFDIO_MOVE from it
 * (io=move); a victim is dropped with MADV_DONTNEED (io=copy), or moved out
 * into its slot (io=move; io=mixed zaps the slot first), one call per batch
 * of evict_batch victims through the pager's own flush.  serve() does the
 * rest as for the pager, so both are timed into the same columns.
 */
static int floor_missing(struct upstate *s, struct region *r, uint64_t p)
{
	uint64_t v = (p + s->pages - s->frames) % s->pages;
	if (s->frames < s->pages && (r->st[v] & ST_RES) && !(r->st[v] & ST_PENDING)) {
		int rc = evict(s, r, v);
		if (rc)
			return rc;
	}
	r->ev[EV_FAULTS]++;
	r->ev[EV_SWAPIN]++;
	r->st[p] = ST_RES | ST_SAVED;
	char *slot = r->swap.mem + p * PB_PAGE_SIZE;
	pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
	if (s->io != IO_MOVE)
		return copy_in(s, r, p, 1, slot, 0, 0);
	uint64_t t0 = pb_now_ns();
	int rc = move_range(s, r, (uint64_t)(uintptr_t)(r->base + p * PB_PAGE_SIZE),
			    (uint64_t)(uintptr_t)slot, PB_PAGE_SIZE, 0);
	fill_done(r, t0);
	return rc;
}

/*
 * Serve one fault message (region lock held): a failed region's message is
 * only woken, a write-protect fault unprotects, a repeated message wakes;
 * a missing fault is the pager's (serve_missing) or, for uffd-floor, the
 * kernel's round trip alone (floor_missing, which never sees a WP fault:
 * the floor registers MISSING only).
 */
static void serve(struct upstate *s, struct region *r, const struct uffd_msg *m)
{
	uint64_t t0 = pb_now_ns(), copy0 = r->ev[EV_COPY_NS];
	r->tfill = 0;
	pb_atomic_load(&r->wseq, PB_ACQUIRE);
	uint64_t addr = m->arg.pagefault.address & ~(PB_PAGE_SIZE - 1);
	uint64_t p = (addr - (uint64_t)(uintptr_t)r->base) >> PB_PAGE_SHIFT;
	struct uffdio_range one = {.start = addr, .len = PB_PAGE_SIZE};
	int rc = 0;
	if (pb_atomic_load(&r->fatal, PB_RELAXED)) {
		ioctl(r->uffd, UFFDIO_WAKE, &one);
		return;
	}
	if (addr < (uint64_t)(uintptr_t)r->base || p >= r->pages) {
		/* io=move registers the swap area too; nothing may touch it. */
		region_fail(s, r, -EFAULT, "fault at %#llx outside the region (the swap area?)",
			    (unsigned long long)addr);
		return;
	}
	if (m->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
		/* First write to a page mapped write-protected: it is dirty now. */
		if (r->st[p] & ST_RES) {
			r->st[p] = (uint8_t)((r->st[p] | ST_DIRTY) & ~ST_WP);
			r->ev[EV_WP]++;
		}
		pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
		struct uffdio_writeprotect wpr = {.range = one, .mode = 0};
		rc = wake_ioctl(r, UFFDIO_WRITEPROTECT, &wpr);
		if (rc && rc != -ENOENT)
			region_fail(s, r, rc, "cannot unprotect page %llu: %s",
				    (unsigned long long)p, strerror(-rc));
		goto done;
	}
	if (r->st[p] & ST_RES) {
		/* Spurious: the page is mapped (a repeated message).  Wake. */
		r->ev[EV_SPURIOUS]++;
		pb_atomic_store(&r->hseq, r->hseq + 1, PB_RELEASE);
		wake_ioctl(r, UFFDIO_WAKE, &one);
		goto done;
	}
	if (s->inject == INJ_UNREGISTER && r->ev[EV_FAULTS] + 1 == s->inject_at) {
		struct uffdio_range rg = {.start = (uint64_t)(uintptr_t)r->base,
					  .len = r->pages * PB_PAGE_SIZE};
		ioctl(r->uffd, UFFDIO_UNREGISTER, &rg);
	}
	rc = s->floor
		 ? floor_missing(s, r, p)
		 : serve_missing(s, r, p, !!(m->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE));
	if (rc) {
		const char *what =
		    rc == -ENOSPC   ? "swap is full"
		    : rc == -EPROTO ? "the policy and the pager's mapping disagree"
		    : rc == -EFAULT ? "victim is not mapped by the pager"
		    : rc == -EBUSY  ? "UFFDIO_MOVE refused a shared, pinned or KSM page"
		    : rc == -EEXIST ? "UFFDIO_MOVE found its destination populated"
		    : (rc == -ENOENT || rc == -EINVAL) && s->io != IO_COPY
			? "the region is no longer registered, or UFFDIO_MOVE found no page at its "
			  "source"
		    : rc == -ENOENT || rc == -EINVAL ? "the region is no longer registered"
						     : "I/O or ioctl error";
		region_fail(s, r, rc, "unresolvable fault on page %llu: %s (%s)",
			    (unsigned long long)p, what, strerror(-rc));
		return;
	}
done:;
	/* Every path that fills or wakes does so last: its end is ours. */
	uint64_t copy = r->ev[EV_COPY_NS] - copy0;
	uint64_t dt = (r->tfill ? r->tfill : pb_now_ns()) - t0;
	r->ev[EV_WORK_NS] += dt; /* the COPY's own time is subtracted when reported */
	/* Service latency: the pager's own work for this message, without
	 * the fill: on the worker's CPU the COPY's wake-up runs the worker
	 * before the ioctl returns, so its time is not the pager's. */
	if (s->lat == LAT_SERVICE)
		pb_hist_add(&r->hist, dt > copy ? dt - copy : 0);
}

/* ---- handler threads ---- */

/*
 * The watchdog's clock: CLOCK_MONOTONIC_COARSE, read from the vDSO without
 * the TSC (7-8 ns of CPU against 36-42 ns for pb_now_ns on the 2-vCPU KVM
 * guest; once per fault).  Its tick resolution (1-4 ms) is nothing against
 * watchdog_ms.
 */
static uint64_t coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * A fault's busy mark: the coarse clock with a per-region sequence in its
 * low 20 bits (under 1.05 ms; bit 0 set, so never 0).  Marks must differ: a
 * handler clears the mark only while it is still its own (CAS), and two
 * faults read in one coarse tick (1-4 ms) would otherwise carry equal marks:
 * the handler of the first could then clear the mark of a later fault that
 * another handler is stuck on, and the watchdog would never see it (the
 * run hung in test_pager_safety's wedge:50,handlers=2 about once in 6).
 */
static uint64_t busy_mark(struct region *r)
{
	uint64_t seq = pb_atomic_fetch_add(&r->mark_seq, 1, PB_RELAXED);
	return (coarse_ns() & ~(uint64_t)0xfffff) | (seq << 1 & 0xffffe) | 1;
}

static struct region *region_of(struct upstate *s, uint64_t addr)
{
	uint64_t off = addr - (uint64_t)(uintptr_t)s->area;
	uint64_t t = off / (s->pages * PB_PAGE_SIZE);
	return t < s->n ? &s->r[t] : NULL;
}

/* Serve the messages read; 1 when one of them was the stop page's fault
 * (a per-worker blocking handler: it maps the page, which wakes the worker,
 * and stops). */
static int handle_msgs(struct upstate *s, struct region *only, const struct uffd_msg *m,
		       ssize_t nread)
{
	int stop = 0;
	for (ssize_t i = 0; i + (ssize_t)sizeof(*m) <= nread; i += (ssize_t)sizeof(*m), m++) {
		if (m->event != UFFD_EVENT_PAGEFAULT)
			continue;
		uint64_t addr = m->arg.pagefault.address & ~(PB_PAGE_SIZE - 1);
		if (only && only->guard && addr == (uint64_t)(uintptr_t)only->guard) {
			struct uffdio_zeropage z = {.range = {.start = addr, .len = PB_PAGE_SIZE}};
			if (ioctl(only->uffd, UFFDIO_ZEROPAGE, &z) && errno == EEXIST)
				ioctl(only->uffd, UFFDIO_WAKE, &z.range);
			stop = 1;
			continue;
		}
		struct region *r = only ? only : region_of(s, m->arg.pagefault.address);
		if (!r)
			continue;
		/* Busy since now; cleared only if no other handler has
		 * marked a later fault of this region meanwhile.  The floor
		 * has no watchdog; it takes the lock, as the worker reads and
		 * resets the counters under it between repetitions. */
		uint64_t mark = s->floor ? 0 : busy_mark(r);
		if (mark)
			pb_atomic_store(&r->busy_since, mark, PB_RELEASE);
		pthread_mutex_lock(&r->lock);
		if (s->inject == INJ_WEDGE && r->ev[EV_FAULTS] + 1 >= s->inject_at) {
			pthread_mutex_unlock(&r->lock);
			continue; /* stop serving: only the watchdog can end this */
		} else {
			serve(s, r, m);
			if (s->inject == INJ_DUPMSG)
				serve(s, r, m); /* a repeated message must be harmless */
		}
		pthread_mutex_unlock(&r->lock);
		if (mark)
			pb_atomic_cas(&r->busy_since, &mark, 0, PB_RELAXED, PB_RELAXED);
	}
	return stop;
}

struct hargs {
	struct upstate *s;
	struct region *only; /* per-worker handler: its region */
	int uffd, stopfd;
};

/*
 * A handler's loop.  A per-worker handler that does not poll blocks in
 * read() (its userfaultfd is blocking): one system call per fault where
 * poll() and a non-blocking read() take two; its worker stops it with a
 * fault on its stop page.  Shared handlers block in poll() on the
 * userfaultfd and a stop pipe, then read without blocking (another handler
 * may have taken the message); poll=1 spins on non-blocking reads.
 */
static void *handler_main(void *arg)
{
	struct hargs a = *(struct hargs *)arg;
	free(arg);
	struct upstate *s = a.s;
	unsigned batch = s->msg_batch ? s->msg_batch : 1;
	struct uffd_msg msgs[64];
	if (batch > PB_ARRAY_SIZE(msgs))
		batch = PB_ARRAY_SIZE(msgs);
	int blocking = a.only && !s->poll_mode;
	struct pollfd pfd[2] = {{.fd = a.uffd, .events = POLLIN},
				{.fd = a.stopfd, .events = POLLIN}};
	for (;;) {
		if (s->poll_mode) {
			if (pb_atomic_load(&s->stop, PB_ACQUIRE) ||
			    (a.only && pb_atomic_load(&a.only->hstop, PB_ACQUIRE)))
				break;
		} else if (!blocking) {
			if (poll(pfd, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (pfd[1].revents)
				break;
		}
		/* The system call itself: glibc's read() is a cancellation
		 * point and brackets every call with two cancel-state switches
		 * (about 1% of a fault's CPU); nothing cancels a handler in a
		 * read (teardown's fallback cancels shared handlers in poll()). */
		ssize_t nr = syscall(SYS_read, a.uffd, msgs, batch * sizeof(msgs[0]));
		if (nr < (ssize_t)sizeof(msgs[0])) {
			if (blocking && nr < 0 && errno != EINTR && errno != EAGAIN)
				break;	  /* cannot happen on a live userfaultfd */
			if (s->poll_mode) /* share the CPU with a worker pinned there */
				a.only ? (void)sched_yield() : pb_cpu_relax();
			continue;
		}
		if (handle_msgs(s, a.only, msgs, nr))
			break;
	}
	return NULL;
}

static int start_handler(struct upstate *s, struct region *only, int uffd, int stopfd,
			 pthread_t *th)
{
	struct hargs *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = (struct hargs){.s = s, .only = only, .uffd = uffd, .stopfd = stopfd};
	/* Signals go to the main thread, never to a handler. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* A per-worker handler shares its worker's CPU (it inherits the
	 * pinning); shared handlers may run on any CPU, not on worker 0's. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (!only) {
		cpu_set_t any;
		CPU_ZERO(&any);
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		for (long c = 0; c < ncpu && c < CPU_SETSIZE; c++)
			CPU_SET((int)c, &any);
		pthread_attr_setaffinity_np(&attr, sizeof(any), &any);
	}
	int rc = pthread_create(th, &attr, handler_main, a);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		free(a);
		return -rc;
	}
	return 0;
}

/* Watchdog: a fault unserved for watchdog_ms fails its region. */
static void *watchdog_main(void *arg)
{
	struct upstate *s = arg;
	struct pollfd pfd = {.fd = s->wdog_pipe[0], .events = POLLIN};
	for (;;) {
		int pr = poll(&pfd, 1, 50);
		if (pr > 0 || (pr < 0 && errno != EINTR))
			break;
		uint64_t now = coarse_ns();
		for (unsigned t = 0; t < s->n; t++) {
			struct region *r = &s->r[t];
			uint64_t b = pb_atomic_load(&r->busy_since, PB_ACQUIRE);
			if (b && now > b && now - b > s->watchdog_ms * 1000000ULL &&
			    !pb_atomic_load(&r->fatal, PB_RELAXED) && r->uffd >= 0)
				region_fail(s, r, -ETIMEDOUT,
					    "a fault stayed unserved for %llu ms (handler stuck)",
					    (unsigned long long)s->watchdog_ms);
		}
	}
	return NULL;
}

/* ---- setup ---- */

/* A choice setup made, and why, into cfg->resolved (meta.json
 * config.kernel_resolved); value: a new reference, taken. */
static void resolved_put(const struct pb_kernel_cfg *cfg, const char *key, json_t *value,
			 const char *why)
{
	if (cfg->resolved)
		json_object_set_new(cfg->resolved, key,
				    json_pack("{s:o, s:s}", "value", value, "why", why));
	else
		json_decref(value);
}

static int up_setup_mode(const struct pb_kernel_cfg *cfg, void **state, int floor)
{
	struct upstate *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct upstate){.pages = 16384,
			      .frames = 4096,
			      .pattern = 2,
			      .write_frac = 1.0,
			      .dirty = DIRTY_AUTO,
			      .prepage_n = 7,
			      .evict_batch = 1,
			      .msg_batch = 1,
			      .watchdog_ms = 10000,
			      /* every descriptor -1 before the first goto fail,
			       * which closes those >= 0 (0 would be stdin, or a
			       * file the harness opened in its place) */
			      .pagemap_fd = -1,
			      .pidfd = -1,
			      .shared_uffd = -1,
			      .stop_pipe = {-1, -1},
			      .wdog_pipe = {-1, -1}};
	struct upargs a = {.s = s, .policy = "clock"};
	struct up_params pp = {0}; /* zeroed: defaults free the PB_PT_STR fields they replace */
	int rc = pb_param_defaults(up_params, &pp, cfg->err, cfg->errlen);
	if (!rc)
		rc = pb_param_parse_kv(up_params, &pp, cfg->params, NULL, cfg->err, cfg->errlen);
	if (!rc)
		rc = up_apply(&a, &pp, cfg->err, cfg->errlen);
	pb_param_free(up_params, &pp);
	if (rc)
		goto fail;
	if (floor) {
		/* The pager's parameters, of which the floor keeps the region,
		 * the frames, the batch, the io, the handlers and the latency
		 * mode: a loop (every access a fault), no dirt, memory swap. */
		s->floor = 1;
		s->pattern = 1;
		free(s->workload);
		s->workload = NULL;
		s->swap_dir[0] = 0;
		s->swap_pages = 0;
		s->hints = 0;
		s->prepage = PRE_NONE;
		s->dirty = DIRTY_OFF;
		s->inject = INJ_NONE;
		s->full_check = 0;
	}
	rc = -EINVAL;
	if (cfg->size) { /* the region is counted in pages, never sized in bytes */
		snprintf(cfg->err, cfg->errlen, "--size does not apply; give --param pages=N");
		goto fail;
	}
	if (s->frames > s->pages) {
		snprintf(cfg->err, cfg->errlen, "frames (%llu) > pages (%llu)",
			 (unsigned long long)s->frames, (unsigned long long)s->pages);
		goto fail;
	}
	s->pol = pb_policy_find(a.policy);
	if (!s->pol || (s->pol->flags & PB_POL_OFFLINE)) {
		snprintf(cfg->err, cfg->errlen, "policy '%s' %s", a.policy,
			 s->pol ? "needs the future (offline), a pager cannot run it"
				: "is not registered");
		goto fail;
	}
	if (s->hints && s->handlers) {
		snprintf(cfg->err, cfg->errlen,
			 "hints=1 needs handlers=0 (one handler per worker)");
		goto fail;
	}
	if (s->hints && s->prepage != PRE_NONE) {
		snprintf(cfg->err, cfg->errlen, "hints=1 takes prepage=none");
		goto fail;
	}
	if (s->io != IO_COPY && (s->swap_dir[0] || s->prepage != PRE_NONE)) {
		snprintf(cfg->err, cfg->errlen,
			 "io=%s needs swap=mem and prepage=none (it moves single pages between "
			 "the region and a memory swap area)",
			 io_names[s->io]);
		goto fail;
	}
	if (s->latency_csv[0] && latency_csv_check(s->latency_csv, cfg->err, cfg->errlen))
		goto fail;
	/* kernel_params says 0 for swap_pages unset: the slots made are recorded */
	resolved_put(cfg, "swap_pages",
		     json_integer((json_int_t)(s->swap_pages ? s->swap_pages : s->pages)),
		     s->floor	     ? "uffd-floor keeps every page in its own slot: pages"
		     : s->swap_pages ? "asked for"
				     : "unset: pages");
	if (!s->swap_pages)
		s->swap_pages = s->pages;
	/* the latency CSV's experiment as runs.csv names it: without where
	 * output goes (latency_csv=FILE itself, PB_PF_NOIDENT), so that plot's
	 * latency key and two runs' files agree with the rows */
	s->params = pb_param_identity(up_params, cfg->params);
	if (!s->params) {
		rc = -ENOMEM;
		goto fail;
	}
	if (s->workload) {
		struct pb_workload *w;
		struct pb_workload_opts o = {
		    .thread = 0, .nthreads = cfg->nthreads, .seed = cfg->seed};
		rc = pb_workload_open(s->workload, &o, &w, cfg->err, cfg->errlen);
		if (rc)
			goto fail;
		pb_workload_close(w);
	}
	/* Features: WP_ASYNC where the kernel has it, for dirt without faults. */
	uint64_t want = want_features(s);
	int probe = open_uffd(want, &s->features, cfg->err, cfg->errlen);
	if (probe < 0) {
		rc = -ENOTSUP;
		goto fail;
	}
	close(probe);
	/* dirty=auto: WP_ASYNC where the kernel offers it.  The choice and its
	 * reason go to meta.json (cfg->resolved), as does the floor's none. */
	const char *dirty_why =
	    s->floor ? "uffd-floor tracks no dirt, whatever dirty= says" : "asked for";
	if (s->dirty == DIRTY_AUTO) {
		int async = !!(s->features & UFFD_FEATURE_WP_ASYNC);
		s->dirty = async ? DIRTY_ASYNC : DIRTY_WP;
		dirty_why =
		    async ? "auto: this kernel offers UFFD_FEATURE_WP_ASYNC (Linux 6.7+): "
			    "dirt read from the PTE's uffd-wp bit at eviction, no fault"
		    : sim_hidden() & UFFD_FEATURE_WP_ASYNC
			? "auto: this kernel does not offer UFFD_FEATURE_WP_ASYNC (Linux 6.7+; "
			  "simulated by PAGEBENCH_UFFD): a write-protect fault per first write"
			: "auto: this kernel does not offer UFFD_FEATURE_WP_ASYNC (Linux 6.7+): a "
			  "write-protect fault per first write";
	}
	resolved_put(cfg, "dirty", json_string(dirty_names[s->dirty]), dirty_why);
	if (s->io != IO_COPY && !(s->features & UFFD_FEATURE_MOVE)) {
		snprintf(
		    cfg->err, cfg->errlen,
		    "io=%s needs UFFDIO_MOVE (UFFD_FEATURE_MOVE, Linux 6.8+), which this kernel "
		    "does not offer; use io=copy",
		    io_names[s->io]);
		rc = -ENOTSUP;
		goto fail;
	}
	if (s->dirty == DIRTY_ASYNC && !(s->features & UFFD_FEATURE_WP_ASYNC)) {
		snprintf(cfg->err, cfg->errlen,
			 "dirty=async needs UFFD_FEATURE_WP_ASYNC (Linux 6.7+); use dirty=wp");
		rc = -ENOTSUP;
		goto fail;
	}
	if (s->dirty == DIRTY_ASYNC || s->io != IO_COPY) {
		/* dirty=async reads the uffd-wp bit; io=move|mixed reads the
		 * present bit when a move reports -EEXIST (move_range) */
		s->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (s->pagemap_fd < 0 && s->dirty == DIRTY_ASYNC) {
			snprintf(cfg->err, cfg->errlen, "dirty=async: /proc/self/pagemap: %s",
				 strerror(errno));
			rc = -errno;
			goto fail;
		}
	}
	if (s->evict_batch > 1)
		s->pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	s->pidfd_ok = s->pidfd >= 0;
	s->ops = cfg->ops ? cfg->ops : 200000;
	s->seed = cfg->seed;
	s->n = cfg->nthreads;
	s->r = calloc(s->n, sizeof(*s->r));
	s->area_bytes = s->n * s->pages * PB_PAGE_SIZE;
	s->area =
	    mmap(NULL, s->area_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!s->r || s->area == MAP_FAILED) {
		s->area = NULL;
		rc = -ENOMEM;
		snprintf(cfg->err, cfg->errlen, "cannot map %zu bytes", s->area_bytes);
		goto fail;
	}
	madvise(s->area, s->area_bytes, MADV_NOHUGEPAGE); /* the pager works in 4 KiB pages */
	for (unsigned t = 0; t < s->n; t++) {
		/* Before any thread exists: handlers may lock any region. */
		pthread_mutex_init(&s->r[t].lock, NULL);
		s->r[t].base = s->area + (size_t)t * s->pages * PB_PAGE_SIZE;
		s->r[t].pages = s->pages;
		s->r[t].uffd = -1;
	}
	if (!s->handlers && !s->poll_mode) {
		/* One stop page per region, registered with its userfaultfd
		 * apart from the region (which a failure unregisters). */
		s->guard_area = mmap(NULL, s->n * PB_PAGE_SIZE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->guard_area == MAP_FAILED) {
			s->guard_area = NULL;
			rc = -ENOMEM;
			snprintf(cfg->err, cfg->errlen, "cannot map the stop pages");
			goto fail;
		}
		for (unsigned t = 0; t < s->n; t++)
			s->r[t].guard = s->guard_area + (size_t)t * PB_PAGE_SIZE;
	}
	if (s->handlers) {
		/* the probe above had one: a failure now is this process's
		 * (descriptors), not the machine's (-ENOTSUP) */
		s->shared_uffd = open_uffd(want, &s->features, cfg->err, cfg->errlen);
		if (s->shared_uffd < 0) {
			rc = s->shared_uffd;
			goto fail;
		}
		if (pipe2(s->stop_pipe, O_CLOEXEC)) {
			rc = -errno;
			snprintf(cfg->err, cfg->errlen, "cannot make the handlers' stop pipe: %s",
				 strerror(-rc));
			goto fail;
		}
	}
	if (pipe2(s->wdog_pipe, O_CLOEXEC) || pthread_create(&s->wdog, NULL, watchdog_main, s)) {
		rc = -EAGAIN;
		snprintf(cfg->err, cfg->errlen, "cannot start the watchdog");
		goto fail;
	}
	s->wdog_started = 1;
	*state = s;
	return 0;
fail:
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	if (s->shared_uffd >= 0)
		close(s->shared_uffd);
	if (s->pidfd >= 0)
		close(s->pidfd);
	for (int i = 0; i < 2; i++) {
		if (s->stop_pipe[i] >= 0)
			close(s->stop_pipe[i]);
		if (s->wdog_pipe[i] >= 0)
			close(s->wdog_pipe[i]);
	}
	if (s->area)
		munmap(s->area, s->area_bytes);
	if (s->guard_area)
		munmap(s->guard_area, s->n * PB_PAGE_SIZE);
	free(s->r);
	free(s->workload);
	free(s->params);
	free(s);
	return rc;
}

static int up_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	return up_setup_mode(cfg, state, 0);
}

static int floor_setup(const struct pb_kernel_cfg *cfg, void **state)
{
	return up_setup_mode(cfg, state, 1);
}

/* ---- worker ---- */

static int up_thread_init(void *state, struct pb_kthread *t)
{
	struct upstate *s = state;
	struct region *r = &s->r[t->tid];
	r->st = pb_map(s->pages, 0);
	r->slot = pb_map(s->pages * sizeof(uint32_t), 0);
	r->slot_page = pb_map(s->swap_pages * sizeof(uint32_t), 0);
	r->pending = pb_map(s->evict_batch * sizeof(uint64_t), 0);
	r->bounce = pb_map((size_t)(s->prepage_n + 2) * PB_PAGE_SIZE, 0);
	r->zero = pb_map(PB_PAGE_SIZE, 1);
	r->version = pb_map(s->pages * sizeof(uint64_t), 0);
	if (!r->st || !r->slot || !r->slot_page || !r->pending || !r->bounce || !r->zero ||
	    !r->version)
		return -ENOMEM;
	memset(r->slot, 0xff, s->pages * sizeof(uint32_t));
	/* every message straight into t->err (PB_KERNEL_ERRLEN): the swap
	 * file's or the workload's whole path and the reason (a 256-byte copy
	 * cut a long one's) */
	int rc = pb_swap_open(&r->swap, s->swap_dir, s->swap_pages, s->direct, t->err, t->errlen);
	if (rc)
		return rc;
	if (s->floor) {
		/* Every page's content waits in its slot (slot p), written once. */
		for (uint64_t p = 0; p < s->pages; p++) {
			memset(r->swap.mem + p * PB_PAGE_SIZE, (int)(p & 0xff) | 1, PB_PAGE_SIZE);
			r->slot[p] = r->slot_page[p] = (uint32_t)p;
		}
		r->swap.used = s->pages;
	}
	struct pb_policy_cfg pc = {
	    .frames = s->frames, .seed = s->seed + t->tid, .expected_keys = s->pages};
	if (s->pol->create(&pc, &r->pol, t->err, t->errlen))
		return -EINVAL;
	pb_rng_seed(&r->rng, s->seed * 7919 + t->tid);
	if (s->workload) {
		struct pb_workload_opts o = {.thread = t->tid, .nthreads = s->n, .seed = s->seed};
		rc = pb_workload_open(s->workload, &o, &r->wl, t->err, t->errlen);
		if (rc)
			return rc;
		r->wl_cap = 1;
		while (r->wl_cap < 2 * s->pages)
			r->wl_cap <<= 1;
		r->wl_keys = pb_map(r->wl_cap * sizeof(uint64_t), 0);
		r->wl_map = pb_map(r->wl_cap * sizeof(uint32_t), 0);
		if (!r->wl_keys || !r->wl_map)
			return -ENOMEM;
	}
	/* Register: MISSING, and WP for dirty tracking. */
	if (s->handlers) {
		r->uffd = s->shared_uffd;
	} else {
		uint64_t got;
		r->uffd = open_uffd(want_features(s), &got, t->err, t->errlen);
		if (r->uffd < 0)
			return r->uffd;
		r->own_uffd = 1;
	}
	struct uffdio_register reg = {
	    .range = {.start = (uint64_t)(uintptr_t)r->base, .len = s->pages * PB_PAGE_SIZE},
	    .mode = UFFDIO_REGISTER_MODE_MISSING |
		    (s->dirty != DIRTY_OFF ? UFFDIO_REGISTER_MODE_WP : 0)};
	if (ioctl(r->uffd, UFFDIO_REGISTER, &reg)) {
		rc = -errno;
		snprintf(t->err, t->errlen, "UFFDIO_REGISTER: %s", strerror(-rc));
		return rc;
	}
	r->registered = 1;
	if (s->io != IO_COPY) {
		/* UFFDIO_MOVE's destination must be registered with the same
		 * userfaultfd, and both areas must have the same protection (the
		 * WP mode changes it): the swap area is registered like the
		 * region.  The pager never touches it, so it never faults. */
		reg.range.start = (uint64_t)(uintptr_t)r->swap.mem;
		reg.range.len = s->swap_pages * PB_PAGE_SIZE;
		madvise(r->swap.mem, reg.range.len, MADV_NOHUGEPAGE);
		if (ioctl(r->uffd, UFFDIO_REGISTER, &reg)) {
			rc = -errno;
			snprintf(t->err, t->errlen, "io=%s: UFFDIO_REGISTER of the swap area: %s",
				 io_names[s->io], strerror(-rc));
			return rc;
		}
	}
	if (r->guard) {
		/* A blocking handler: its reads wait in the kernel (one system
		 * call per fault), and its worker stops it with a fault on the
		 * stop page, registered for missing faults alone. */
		struct uffdio_register g = {
		    .range = {.start = (uint64_t)(uintptr_t)r->guard, .len = PB_PAGE_SIZE},
		    .mode = UFFDIO_REGISTER_MODE_MISSING};
		int fl = fcntl(r->uffd, F_GETFL);
		if (fl < 0 || fcntl(r->uffd, F_SETFL, fl & ~O_NONBLOCK) ||
		    ioctl(r->uffd, UFFDIO_REGISTER, &g)) {
			rc = -errno;
			snprintf(t->err, t->errlen, "UFFDIO_REGISTER of the stop page: %s",
				 strerror(-rc));
			return rc;
		}
	}
	if (!s->handlers) {
		rc = start_handler(s, r, r->uffd, -1, &r->th);
		if (rc)
			return rc;
		r->started = 1;
	} else if (t->tid == 0) {
		/* Shared handlers start with the first worker; they serve all
		 * regions (a fault before a region registers cannot happen). */
		s->hth = calloc(s->handlers, sizeof(pthread_t));
		for (unsigned h = 0; s->hth && h < s->handlers; h++)
			if (!start_handler(s, NULL, s->shared_uffd, s->stop_pipe[0], &s->hth[h]))
				s->nhth++;
		if (s->nhth != s->handlers)
			return -EAGAIN;
		r->started = 1;
	} else {
		r->started = 1;
	}
	return 0;
}

/* Dense page index of a workload address (first seen, first numbered). */
static int64_t wl_page(struct upstate *s, struct region *r, const struct pb_access *a)
{
	uint64_t key = ((uint64_t)a->asid << 48) | (a->addr >> pb_workload_page_shift(r->wl));
	uint64_t h = (key * 0x9E3779B97F4A7C15ULL) >> 17, m = r->wl_cap - 1;
	for (uint64_t i = h & m;; i = (i + 1) & m) {
		if (!r->wl_map[i]) {
			if (r->wl_used >= s->pages)
				return -1;
			r->wl_keys[i] = key;
			r->wl_map[i] = (uint32_t)++r->wl_used;
			return (int64_t)r->wl_used - 1;
		}
		if (r->wl_keys[i] == key)
			return (int64_t)r->wl_map[i] - 1;
	}
}

/* Next access: page and whether it writes.  0, or 1 at the stream's end. */
static int next_access(struct upstate *s, struct region *r, uint64_t *page, int *write)
{
	if (r->wl) {
		if (r->buf_i == r->buf_n) {
			ssize_t k = pb_workload_next(r->wl, r->buf, PB_ARRAY_SIZE(r->buf));
			if (k <= 0)
				return 1;
			r->buf_n = (size_t)k;
			r->buf_i = 0;
		}
		const struct pb_access *a = &r->buf[r->buf_i++];
		int64_t p = wl_page(s, r, a);
		if (p < 0) {
			region_fail(s, r, -E2BIG,
				    "the workload touches more than pages=%llu distinct pages",
				    (unsigned long long)s->pages);
			return 1;
		}
		*page = (uint64_t)p;
		*write = a->op == PB_OP_WRITE;
		return 0;
	}
	uint64_t hot = s->pages / 5 ? s->pages / 5 : 1;
	switch (s->pattern) {
	case 1:
		*page = r->cursor++ % s->pages;
		break;
	case 2:
		*page = pb_rng_below(&r->rng, 10) < 8
			    ? pb_rng_below(&r->rng, hot)
			    : hot + pb_rng_below(&r->rng, s->pages > hot ? s->pages - hot : 1);
		if (*page >= s->pages)
			*page = s->pages - 1;
		break;
	default:
		*page = pb_rng_below(&r->rng, s->pages);
		break;
	}
	*write = s->write_frac >= 1.0 || pb_rng_double(&r->rng) < s->write_frac;
	return 0;
}

/*
 * Touch page p: check what is there against the version this worker last
 * wrote, then write the next version if this is a write.  The stamp is two
 * words (page+1, version); check=full fills and checks every byte.
 */
static void touch(struct upstate *s, struct region *r, uint64_t p, int write)
{
	volatile uint64_t *w = (volatile uint64_t *)(r->base + p * PB_PAGE_SIZE);
	uint64_t ver = r->version[p];
	uint64_t tag = w[0], got = w[1];
	if (ver ? (tag != p + 1 || got != ver) : (tag != 0 || got != 0))
		r->bad++;
	if (s->full_check) {
		uint64_t fill = ver ? (p + 1) * 0x100000001B3ULL ^ ver : 0;
		for (size_t i = 2; i < PB_PAGE_SIZE / 8; i++)
			if (w[i] != fill) {
				r->bad++;
				break;
			}
	}
	if (!write)
		return;
	ver++;
	r->version[p] = ver;
	if (s->full_check) {
		uint64_t fill = (p + 1) * 0x100000001B3ULL ^ ver;
		for (size_t i = 2; i < PB_PAGE_SIZE / 8; i++)
			w[i] = fill;
	}
	w[1] = ver;
	w[0] = p + 1;
}

/* hints=1: decide the access in advance, as an instrumented pager would. */
static void hint(struct upstate *s, struct region *r, uint64_t p, uint64_t pos, int write)
{
	pthread_mutex_lock(&r->lock);
	struct pb_ref ref = {
	    .key = p, .pos = pos, .next_use = PB_NEXT_NONE, .write = (unsigned)write};
	uint64_t victim = 0;
	enum pb_pol_result res = s->pol->access(r->pol, &ref, &victim);
	if (res != PB_POL_HIT) {
		if ((r->st[p] & ST_RES) && !(r->st[p] & ST_PENDING)) {
			region_fail(s, r, -EPROTO,
				    "the policy missed on page %llu, which is mapped",
				    (unsigned long long)p);
		} else if (r->st[p] & ST_RES) {
			/* Mapped but evicted by the policy earlier and waiting for
			 * its batch zap: rescue it; the decision applies now. */
			r->st[p] &= (uint8_t)~ST_PENDING;
			if (res == PB_POL_MISS_EVICT && evict(s, r, victim))
				region_fail(s, r, -EIO, "eviction of page %llu failed",
					    (unsigned long long)victim);
		} else {
			r->hint_page = p;
			r->hint_res = (int)res;
			r->hint_victim = victim;
			r->hint_valid = 1;
		}
	}
	pthread_mutex_unlock(&r->lock);
}

static uint64_t up_run(void *state, struct pb_kthread *t)
{
	struct upstate *s = state;
	struct region *r = &s->r[t->tid];
	if (!r->started || pb_atomic_load(&r->fatal, PB_ACQUIRE))
		return 0;
	pthread_mutex_lock(&r->lock);
	uint64_t e0[EV__N];
	memcpy(e0, r->ev, sizeof(e0));
	memset(&r->hist, 0, sizeof(r->hist));
	pthread_mutex_unlock(&r->lock);
	memset(&r->whist, 0, sizeof(r->whist));
	uint64_t i;
	for (i = 0; i < s->ops; i++) {
		uint64_t p;
		int write;
		if (next_access(s, r, &p, &write))
			break;
		if (s->hints)
			hint(s, r, p, r->accesses, write);
		r->accesses++;
		pb_atomic_store(&r->wseq, i, PB_RELEASE);
		if (s->lat == LAT_ROUNDTRIP) {
			uint64_t f0 = pb_atomic_load(&r->hseq, PB_RELAXED), t0 = pb_now_ns();
			touch(s, r, p, write);
			uint64_t t1 = pb_now_ns();
			/* The worker's own histogram, without the region lock: the
			 * handler that woke it may still hold the lock (on this
			 * CPU, preempted inside the waking ioctl), and waiting for
			 * it cost two more switches and futex calls per fault. */
			if (pb_atomic_load(&r->hseq, PB_ACQUIRE) != f0)
				pb_hist_add(&r->whist, t1 - t0);
		} else {
			touch(s, r, p, write);
			pb_atomic_load(&r->hseq, PB_ACQUIRE);
		}
		if (pb_unlikely(pb_atomic_load(&r->fatal, PB_ACQUIRE)))
			break;
	}
	pthread_mutex_lock(&r->lock);
	pb_hist_merge(&r->hist, &r->whist);
	static const int col[] = {EV_FAULTS,   EV_ZERO,	    EV_SWAPIN, EV_EVICT,  EV_WB,     EV_WP,
				  EV_SPURIOUS, EV_PREPAGED, EV_ZAPS,   EV_ZAP_NS, EV_WORK_NS};
	for (size_t k = 0; k < PB_ARRAY_SIZE(col); k++)
		t->extra[k] = r->ev[col[k]] - e0[col[k]];
	/* pager_work_ns: reading a message to issuing the fill (policy,
	 * bookkeeping, eviction with its write-back and zap); copy_ns: the
	 * ioctls that fill and wake (UFFDIO_COPY, WRITEPROTECT, WAKE). */
	uint64_t copy = r->ev[EV_COPY_NS] - e0[EV_COPY_NS];
	uint64_t sys = r->ev[EV_SYS_NS] - e0[EV_SYS_NS];
	t->extra[10] = t->extra[10] > copy ? t->extra[10] - copy : 0;
	t->extra[15] = copy;
	/* wb_ns: the write-backs' data movement (part of zap_ns); book_ns:
	 * pager_work_ns less every kernel call and data movement in it (the
	 * write-backs, zaps, moves out, pagemap and swap-file reads): the
	 * policy and the pager's own bookkeeping (and its clock reads). */
	t->extra[16] = r->ev[EV_WB_NS] - e0[EV_WB_NS];
	t->extra[17] = t->extra[10] > sys ? t->extra[10] - sys : 0;
	t->extra[18] = r->ev[EV_MOVE_EEXIST] - e0[EV_MOVE_EEXIST];
	/* no fault timed (every access a hit): no latency to report */
	t->extra[11] = r->hist.n ? pb_hist_quantile(&r->hist, 0.5) : PB_EXTRA_NA;
	t->extra[12] = r->hist.n ? pb_hist_quantile(&r->hist, 0.9) : PB_EXTRA_NA;
	t->extra[13] = r->hist.n ? pb_hist_quantile(&r->hist, 0.99) : PB_EXTRA_NA;
	t->extra[14] = r->hist.n ? r->hist.max : PB_EXTRA_NA;
	if (r->nreps++ > 0) /* the first run is the warm-up */
		pb_hist_merge(&r->hist_all, &r->hist);
	pthread_mutex_unlock(&r->lock);
	return i;
}

static void up_thread_fini(void *state, struct pb_kthread *t)
{
	struct upstate *s = state;
	struct region *r = &s->r[t->tid];
	/* check=full: read every page back through the pager once more. */
	if (s->full_check && r->started && !pb_atomic_load(&r->fatal, PB_ACQUIRE))
		for (uint64_t p = 0; p < s->pages; p++) {
			if (s->hints)
				hint(s, r, p, r->accesses++, 0);
			pb_atomic_store(&r->wseq, p, PB_RELEASE);
			touch(s, r, p, 0);
			pb_atomic_load(&r->hseq, PB_ACQUIRE);
			if (pb_atomic_load(&r->fatal, PB_ACQUIRE))
				break;
		}
	if (r->started && !s->handlers) {
		/* poll=1: the flag; blocking: a fault on the stop page, which
		 * the handler maps (waking us) before it returns. */
		pb_atomic_store(&r->hstop, 1, PB_RELEASE);
		if (r->guard)
			(void)*(volatile char *)r->guard;
		pthread_join(r->th, NULL);
	}
}

static void write_latency_csv(struct upstate *s)
{
	int fd = open(s->latency_csv, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "uffd-pager: latency_csv %s: %s\n", s->latency_csv,
			fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return;
	}
	FILE *f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return;
	}
	if (sb.st_size == 0)
		fprintf(f, "experiment,kernel,threads,bucket_ns_lo,bucket_ns_hi,count\n");
	struct pb_hist all = {0};
	for (unsigned t = 0; t < s->n; t++)
		pb_hist_merge(&all, &s->r[t].hist_all);
	/* The experiment is the harness's "kernel:params", quoted (it has commas). */
	const char *kname = s->floor ? "uffd-floor" : "uffd-pager";
	for (unsigned b = 0; b < PB_HIST_BUCKETS; b++) {
		if (!all.count[b])
			continue;
		uint64_t lo, hi;
		pb_hist_bounds(b, &lo, &hi);
		fprintf(f, "\"%s%s", kname, s->params[0] ? ":" : "");
		for (const char *c = s->params; *c; c++)
			fputs(*c == '"' ? "\"\"" : (char[]){*c, 0}, f);
		fprintf(f, "\",%s,%u,%llu,%llu,%llu\n", kname, s->n, (unsigned long long)lo,
			(unsigned long long)hi, (unsigned long long)all.count[b]);
	}
	if (fflush(f) || fsync(fd) || ferror(f))
		fprintf(stderr, "uffd-pager: latency_csv %s: write failed\n", s->latency_csv);
	fclose(f);
}

static int up_verify(void *state, char *err, size_t n)
{
	struct upstate *s = state;
	for (unsigned t = 0; t < s->n; t++) {
		struct region *r = &s->r[t];
		int f = pb_atomic_load(&r->fatal, PB_ACQUIRE);
		if (f) {
			snprintf(err, n, "thread %u: %s", t, r->why);
			return -1;
		}
		if (r->bad && !s->floor) { /* the floor keeps no contents */
			snprintf(err, n,
				 "thread %u read %llu page(s) with the wrong content after paging",
				 t, (unsigned long long)r->bad);
			return -1;
		}
	}
	if (s->latency_csv[0])
		write_latency_csv(s);
	return 0;
}

static void up_teardown(void *state)
{
	struct upstate *s = state;
	if (s->nhth) {
		pb_atomic_store(&s->stop, 1, PB_RELEASE);
		if (write(s->stop_pipe[1], "x", 1) != 1)
			for (unsigned h = 0; h < s->nhth; h++)
				pthread_cancel(s->hth[h]);
		for (unsigned h = 0; h < s->nhth; h++)
			pthread_join(s->hth[h], NULL);
	}
	free(s->hth);
	if (s->wdog_started) {
		if (write(s->wdog_pipe[1], "x", 1) == 1)
			pthread_join(s->wdog, NULL);
		else
			pthread_detach(s->wdog);
	}
	for (unsigned t = 0; t < s->n; t++) {
		struct region *r = &s->r[t];
		if (r->pol)
			s->pol->destroy(r->pol);
		if (r->own_uffd && r->uffd >= 0)
			close(r->uffd);
		pb_swap_close(&r->swap);
		if (r->wl)
			pb_workload_close(r->wl);
		pb_unmap(r->st, s->pages);
		pb_unmap(r->slot, s->pages * sizeof(uint32_t));
		pb_unmap(r->slot_page, s->swap_pages * sizeof(uint32_t));
		pb_unmap(r->pending, s->evict_batch * sizeof(uint64_t));
		pb_unmap(r->bounce, (size_t)(s->prepage_n + 2) * PB_PAGE_SIZE);
		pb_unmap(r->zero, PB_PAGE_SIZE);
		pb_unmap(r->version, s->pages * sizeof(uint64_t));
		if (r->wl_keys) {
			pb_unmap(r->wl_keys, r->wl_cap * sizeof(uint64_t));
			pb_unmap(r->wl_map, r->wl_cap * sizeof(uint32_t));
		}
		if (r->base)
			pthread_mutex_destroy(&r->lock);
	}
	if (s->shared_uffd >= 0)
		close(s->shared_uffd);
	for (int i = 0; i < 2; i++) {
		if (s->stop_pipe[i] >= 0)
			close(s->stop_pipe[i]);
		if (s->wdog_pipe[i] >= 0)
			close(s->wdog_pipe[i]);
	}
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->area)
		munmap(s->area, s->area_bytes);
	if (s->guard_area)
		munmap(s->guard_area, s->n * PB_PAGE_SIZE);
	free(s->r);
	free(s->workload);
	free(s->params);
	free(s);
}

static const char *const up_extra[] = {"faults",     "zero_fills", "swap_ins",	    "evictions",
				       "writebacks", "wp_faults",  "spurious",	    "prepaged",
				       "zap_calls",  "zap_ns",	   "pager_work_ns", "lat_p50_ns",
				       "lat_p90_ns", "lat_p99_ns", "lat_max_ns",    "copy_ns",
				       "wb_ns",	     "book_ns",	   "move_eexist",   NULL};
/* up_extra's lat_* (11..14) are one thread's latency quantiles (extra_na). */
#define LAT_NA                                                                                     \
	"one thread's fault latency quantile: NA in total rows (quantiles do not add up over "     \
	"threads) and in a repetition that timed no fault"
static const char *const up_extra_na[PB_KERNEL_MAX_EXTRA] = {
    [11] = LAT_NA, [12] = LAT_NA, [13] = LAT_NA, [14] = LAT_NA};

const struct pb_kernel_desc pb_kernel_uffd_pager = {
    .name = "uffd-pager",
    .baseline = "uffd-floor",
    .module = "real",
    .summary =
	"user-space demand pager on userfaultfd: real faults, eviction by a pagebench policy",
    .params = up_params,
    .params_size = sizeof(struct up_params),
    .op_unit = "access",
    .extra_cols = up_extra,
    .extra_na = up_extra_na,
    .setup = up_setup,
    .thread_init = up_thread_init,
    .run = up_run,
    .verify = up_verify,
    .thread_fini = up_thread_fini,
    .teardown = up_teardown,
};

/* The pager's floor: the same round trip with nothing of the pager in it
 * (floor_missing), run by the harness in the same process (ratio_vs_baseline). */
const struct pb_kernel_desc pb_kernel_uffd_floor = {
    .name = "uffd-floor",
    .module = "real",
    .summary = "floor for uffd-pager: the kernel's userfaultfd round trip alone (a loop; one "
	       "UFFDIO_COPY or MOVE in per fault, victims dropped or moved out per batch)",
    .params = up_params,
    .params_size = sizeof(struct up_params),
    .op_unit = "access",
    .extra_cols = up_extra,
    .extra_na = up_extra_na,
    .bench_only = 1,
    .setup = floor_setup,
    .thread_init = up_thread_init,
    .run = up_run,
    .verify = up_verify,
    .thread_fini = up_thread_fini,
    .teardown = up_teardown,
};
