/* SPDX-License-Identifier: MIT */
/*
 * kernels/base/outfile.c - safe output files and the signal registry (see
 * pagebench/outfile.h).
 *
 * How it works.  pb_out_open() lstat()s the target (a non-regular target
 * is refused, an existing one needs PB_OUT_FORCE), then mkstemp()s
 * "DIR/.NAME.XXXXXX" beside it, so the final rename never crosses a file
 * system.  The temporary name is registered in a fixed table of slots that
 * the signal handler walks; a slot is claimed with a CAS and published
 * with a release store, and the handler reads it with acquire loads, so it
 * never sees a half-written path.  The table is static (no allocation in
 * or for the handler).  Slots are removed newest first, so a file goes
 * before the folder it sits in (a registered folder is rmdir'ed: only if
 * empty).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/outfile.h"

/* ---- the signal registry ---- */

#define CLEANUP_SLOTS 64
enum { SLOT_FREE = 0, SLOT_CLAIMED = 1, SLOT_LIVE = 2 };

static struct {
	unsigned state; /* SLOT_* (atomic) */
	char path[PATH_MAX];
} slots[CLEANUP_SLOTS];

static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
/* Written by the handler, read by any thread: lock-free atomics, which are
 * async-signal-safe (volatile sig_atomic_t orders nothing across threads). */
static int pending_sig;
static int deferred_mode;
/* The child a signal sent to this process alone is passed on to
 * (pb_signal_forward), 0 for none; forwarded: 1 once the first signal
 * went to it. */
static int forward_pid;
static int forwarded;

int pb_cleanup_add(const char *path)
{
	if (!path || strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		unsigned expect = SLOT_FREE;
		/* acq_rel: the claim orders against an earlier remove's release. */
		if (pb_atomic_cas(&slots[i].state, &expect, SLOT_CLAIMED, PB_ACQ_REL, PB_RELAXED)) {
			memcpy(slots[i].path, path, strlen(path) + 1);
			/* release: the handler's acquire load sees the whole path. */
			pb_atomic_store(&slots[i].state, SLOT_LIVE, PB_RELEASE);
			return i;
		}
	}
	return -ENOSPC;
}

void pb_cleanup_remove(int slot)
{
	if (slot < 0 || slot >= CLEANUP_SLOTS)
		return;
	/* release: the path is no longer read once the slot is free. */
	pb_atomic_store(&slots[slot].state, SLOT_FREE, PB_RELEASE);
}

static void cleanup_all(void)
{
	for (int i = CLEANUP_SLOTS; i-- > 0;) {
		/* acquire: pairs with pb_cleanup_add's release. */
		if (pb_atomic_load(&slots[i].state, PB_ACQUIRE) != SLOT_LIVE)
			continue;
		/* A folder: Linux says EISDIR, POSIX allows EPERM. */
		if (unlink(slots[i].path) && (errno == EISDIR || errno == EPERM))
			rmdir(slots[i].path);
	}
}

_Noreturn void pb_signal_exit(int sig)
{
	cleanup_all();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig); /* a signal whose default is to be ignored */
}

/* Pass sig on to the registered child (once: `once`), keeping errno. */
static void forward_to_child(int sig, int once)
{
	int none = 0, e = errno;
	/* acquire: pairs with pb_signal_forward's release */
	pid_t pid = pb_atomic_load(&forward_pid, PB_ACQUIRE);
	/* acq_rel: one forward of the first signal, by the handler or by
	 * pb_signal_forward, not both */
	if (pid > 0 && (!once || pb_atomic_cas(&forwarded, &none, 1, PB_ACQ_REL, PB_RELAXED)))
		kill(pid, sig);
	errno = e;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int none = 0;
	/* A signal sent to this process alone (kill PID) is passed on to the
	 * child it waits for; one the kernel sent (a terminal's Ctrl-C or
	 * hangup: the whole foreground group) reached the child already, and
	 * SIGPIPE is this process's own pipe. */
	int pass = sig != SIGPIPE && (!si || si->si_code != SI_KERNEL);
	/* acq_rel: the first signal wins; a reader's acquire sees it. */
	if (pb_atomic_load(&deferred_mode, PB_RELAXED) &&
	    pb_atomic_cas(&pending_sig, &none, sig, PB_ACQ_REL, PB_RELAXED)) {
		if (pass)
			forward_to_child(sig, 1);
		return;
	}
	if (pass) /* a second signal: the child stops at once too */
		forward_to_child(sig, 0);
	pb_signal_exit(sig);
}

void pb_signals_install(int deferred)
{
	/* relaxed: sigaction below orders it before any handler runs */
	pb_atomic_store(&deferred_mode, deferred ? 1 : 0, PB_RELAXED);
	for (size_t i = 0; i < PB_ARRAY_SIZE(fatal_signals); i++) {
		struct sigaction old, sa;
		if (sigaction(fatal_signals[i], NULL, &old))
			continue;
		/* nohup's SIGHUP, an ignored SIGPIPE: stay ignored. */
		if (old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < PB_ARRAY_SIZE(fatal_signals); j++)
			sigaddset(&sa.sa_mask, fatal_signals[j]);
		sigaction(fatal_signals[i], &sa, NULL);
	}
	/* A file size limit (ulimit -f) kills with SIGXFSZ by default, leaving
	 * temporaries and a folder without meta.json; ignored, the write fails
	 * with EFBIG and takes the write-error path like a full disk. */
	struct sigaction old;
	if (sigaction(SIGXFSZ, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
	    !(old.sa_flags & SA_SIGINFO))
		signal(SIGXFSZ, SIG_IGN);
}

void pb_signals_fill(sigset_t *set)
{
	for (size_t i = 0; i < PB_ARRAY_SIZE(fatal_signals); i++)
		sigaddset(set, fatal_signals[i]);
}

void pb_signal_forward(pid_t pid)
{
	/* relaxed: the store below publishes it with the pid */
	pb_atomic_store(&forwarded, 0, PB_RELAXED);
	/* release: the handler's acquire load sees a whole registration */
	pb_atomic_store(&forward_pid, pid, PB_RELEASE);
	int sig = pb_signal_pending();
	/* A signal that came before the child was registered found no child
	 * to pass it on to.  The caller blocked the fatal signals before the
	 * child started, so this one came before the child existed: even one
	 * sent to the whole group did not reach it. */
	if (pid > 0 && sig && sig != SIGPIPE)
		forward_to_child(sig, 1);
}

int pb_signal_pending(void)
{
	/* acquire: pairs with the handler's CAS */
	return pb_atomic_load(&pending_sig, PB_ACQUIRE);
}

void pb_signal_exit_pending(void)
{
	int sig = pb_signal_pending();
	if (sig)
		pb_signal_exit(sig);
}

const char *pb_signal_name(int sig, char *buf, size_t len)
{
	const char *a = sigabbrev_np(sig);
	snprintf(buf, len, "SIG%s", a ? a : "?");
	return buf;
}

/* ---- safe output files ---- */

struct pb_out {
	char *path, *tmp;
	unsigned flags;
	int fd, slot;
	FILE *f;
};

int pb_out_check(const char *path, unsigned flags, char *err, size_t errlen)
{
	struct stat st;
	if (!path || !*path) {
		snprintf(err, errlen, "empty output path");
		return -EINVAL;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s: is a symbolic link; refusing to write through it", path);
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s); refusing to replace it", path,
			 S_ISDIR(st.st_mode)	? "a directory"
			 : S_ISFIFO(st.st_mode) ? "a FIFO"
			 : S_ISCHR(st.st_mode)	? "a character device"
			 : S_ISBLK(st.st_mode)	? "a block device"
						: "a socket");
		return -EINVAL;
	}
	if (!(flags & PB_OUT_FORCE)) {
		snprintf(err, errlen, "%s: exists; refusing to overwrite it (use --force)", path);
		return -EEXIST;
	}
	return 0;
}

int pb_out_open(const char *path, unsigned flags, struct pb_out **out, char *err, size_t errlen)
{
	*out = NULL;
	int rc = pb_out_check(path, flags, err, errlen);
	if (rc)
		return rc;
	struct pb_out *o = calloc(1, sizeof(*o));
	size_t n = strlen(path);
	if (!o || !(o->path = strdup(path)) || !(o->tmp = malloc(n + 16))) {
		if (o)
			free(o->path);
		free(o);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	o->flags = flags;
	o->fd = -1;
	/* "dir/.name.XXXXXX" beside the target. */
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	memcpy(o->tmp, path, dlen);
	snprintf(o->tmp + dlen, n + 16 - dlen, ".%s.XXXXXX", path + dlen);
	/* No fatal signal between creating the file and registering it. */
	sigset_t block, old;
	sigemptyset(&block);
	pb_signals_fill(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	o->slot = o->fd >= 0 ? pb_cleanup_add(o->tmp) : -1;
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (o->fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path,
			 strerror(e));
		free(o->tmp);
		free(o->path);
		free(o);
		return -e;
	}
	fchmod(o->fd, 0644);
	*out = o;
	return 0;
}

FILE *pb_out_stream(struct pb_out *o)
{
	if (!o->f)
		o->f = fdopen(o->fd, "w");
	return o->f;
}

int pb_out_fd(const struct pb_out *o)
{
	return o->fd;
}

const char *pb_out_tmp_path(const struct pb_out *o)
{
	return o->tmp;
}

static void out_free(struct pb_out *o)
{
	pb_cleanup_remove(o->slot);
	free(o->tmp);
	free(o->path);
	free(o);
}

void pb_out_abort(struct pb_out *o)
{
	if (!o)
		return;
	if (o->f)
		fclose(o->f);
	else if (o->fd >= 0)
		close(o->fd);
	unlink(o->tmp);
	out_free(o);
}

static void fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* best effort: some file systems refuse directory fsync */
		close(fd);
	}
}

int pb_out_commit(struct pb_out *o, char *err, size_t errlen)
{
	int e = 0;
	const char *what = "write";
	if (o->f) {
		if (fflush(o->f) || ferror(o->f))
			e = errno ? errno : EIO;
		else if (fsync(fileno(o->f)))
			e = errno, what = "fsync";
		if (fclose(o->f) && !e)
			e = errno, what = "close";
		o->f = NULL;
	} else {
		if (fsync(o->fd))
			e = errno, what = "fsync";
		if (close(o->fd) && !e)
			e = errno, what = "close";
	}
	o->fd = -1;
	if (!e) {
		/* The target may have changed since open: check it again. */
		int rc = pb_out_check(o->path, o->flags, err, errlen);
		if (rc) {
			unlink(o->tmp);
			out_free(o);
			return rc;
		}
		if (o->flags & PB_OUT_FORCE) {
			if (rename(o->tmp, o->path))
				e = errno, what = "rename";
		} else if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE)) {
			e = errno, what = "rename";
			if (e == EINVAL || e == ENOSYS) { /* file system without NOREPLACE */
				e = 0;
				if (link(o->tmp, o->path))
					e = errno, what = "link";
				else
					unlink(o->tmp);
			}
		}
	}
	if (e) {
		snprintf(err, errlen, "%s: %s failed: %s", o->path, what, strerror(e));
		unlink(o->tmp);
		out_free(o);
		return -e;
	}
	fsync_dir_of(o->path);
	out_free(o);
	return 0;
}

int pb_out_write_all(const char *path, unsigned flags, const void *buf, size_t len, char *err,
		     size_t errlen)
{
	struct pb_out *o;
	int rc = pb_out_open(path, flags, &o, err, errlen);
	if (rc)
		return rc;
	const char *p = buf;
	while (len) {
		ssize_t w = write(o->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			snprintf(err, errlen, "%s: write failed: %s", path, strerror(e));
			pb_out_abort(o);
			return -e;
		}
		p += w;
		len -= (size_t)w;
	}
	return pb_out_commit(o, err, errlen);
}
