/* SPDX-License-Identifier: MIT */
/*
 * harness/counters_perf.c - the second rung: Linux software events through
 * perf_event_open (page faults, task clock, context switches) on the
 * calling thread.  Kernel-side counting is asked for first (exclude_kernel
 * = 0; faults are kernel events); where perf_event_paranoid refuses it the
 * event is reopened user-only and its domain recorded as "user".
 *
 * The events are inherited (attr.inherit): a process or thread the
 * measured thread starts while they count is counted with it, and a child
 * process's counts are added to the thread's when it exits, as `perf stat`
 * counts a command and its children.  So a kernel that runs a team
 * member's work in a forked process (procs=1, kernels/real/faults.c) and
 * reaps it inside run() is counted whole, not as the thread that waits.
 * A child's counts go into the event's child total, which
 * PERF_EVENT_IOC_RESET leaves as it is: a repetition's value is the
 * difference of two reads, never the read after a reset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counters_backend.h"

static int user_only[PB_CTR__COUNT];

static int perf_open(const struct ctr_desc *d, int exclude_kernel)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = d->perf_type;
	a.config = d->perf_config;
	a.disabled = 1;
	a.exclude_hv = 1;
	a.exclude_kernel = exclude_kernel ? 1 : 0;
	a.inherit = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0 /* this thread */, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static void perf_probe(struct pb_ctr_state *st)
{
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (strcmp(pb_ctr_desc[c].source, "perf"))
			continue;
		int fd = perf_open(&pb_ctr_desc[c], 0);
		if (fd < 0 && (errno == EACCES || errno == EPERM)) {
			fd = perf_open(&pb_ctr_desc[c], 1);
			user_only[c] = fd >= 0;
		}
		if (fd < 0) {
			snprintf(st->reason[c], sizeof(st->reason[c]), "perf_event_open: %s%s",
				 strerror(errno),
				 errno == EACCES || errno == EPERM
				     ? " (see /proc/sys/kernel/perf_event_paranoid)"
				     : "");
			continue;
		}
		st->avail[c] = 1;
		st->domain[c] = user_only[c] ? "user" : "user+kernel";
		close(fd);
	}
}

struct perf_set {
	int fd[PB_CTR__COUNT];
	uint64_t v0[PB_CTR__COUNT]; /* the read at start */
	int ok0[PB_CTR__COUNT];
};

static int perf_read(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v);
}

static void *perf_open_set(void)
{
	struct perf_set *s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		s->fd[c] = -1;
		if (!strcmp(pb_ctr_desc[c].source, "perf") && pb_ctr_st.avail[c])
			s->fd[c] = perf_open(&pb_ctr_desc[c], user_only[c]);
	}
	return s;
}

static void perf_start(void *p, unsigned pass)
{
	(void)pass;
	struct perf_set *s = p;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (s->fd[c] >= 0) {
			ioctl(s->fd[c], PERF_EVENT_IOC_RESET, 0);
			s->ok0[c] = perf_read(s->fd[c], &s->v0[c]);
			/* an event that was not enabled counted nothing: NA, not
			 * a 0 from two equal reads */
			if (ioctl(s->fd[c], PERF_EVENT_IOC_ENABLE, 0))
				s->ok0[c] = 0;
		}
	}
}

static void perf_stop(void *p, unsigned pass, uint64_t v[PB_CTR__COUNT], int ok[PB_CTR__COUNT])
{
	(void)pass;
	struct perf_set *s = p;
	for (int c = 0; c < PB_CTR__COUNT; c++) {
		if (s->fd[c] < 0)
			continue;
		ioctl(s->fd[c], PERF_EVENT_IOC_DISABLE, 0);
		uint64_t x;
		if (s->ok0[c] && perf_read(s->fd[c], &x) && x >= s->v0[c]) {
			v[c] = x - s->v0[c];
			ok[c] = 1;
		}
	}
}

static void perf_close(void *p)
{
	struct perf_set *s = p;
	for (int c = 0; c < PB_CTR__COUNT; c++)
		if (s->fd[c] >= 0)
			close(s->fd[c]);
	free(s);
}

const struct pb_ctr_backend pb_ctr_backend_perf = {
    .name = "perf",
    .probe = perf_probe,
    .open = perf_open_set,
    .start = perf_start,
    .stop = perf_stop,
    .close = perf_close,
};
