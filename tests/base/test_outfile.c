/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_outfile.c - safe output files and the signal registry:
 * an existing file is kept without PB_OUT_FORCE, a FIFO, symlink or device
 * is never replaced, a committed file has exactly what was written, and a
 * fatal signal leaves no temporary file; an ignored SIGHUP stays ignored;
 * a file size limit is a write error (EFBIG), not SIGXFSZ; a signal sent
 * to the process alone is passed on to the child it registered.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagebench/outfile.h"
#include "pbtest.h"

static char dir[4096];

static int count_entries(void)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static int slurp_eq(const char *path, const char *want)
{
	char buf[256] = {0};
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n);
}

int main(void)
{
	if (!pbt_tmpdir(dir, sizeof(dir), "outfile"))
		PB_SKIP("cannot create a temporary folder");
	char path[4200], err[4600];

	/* New file: written exactly, nothing else left in the folder. */
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	PB_CHECK(pb_out_write_all(path, 0, "hello\n", 6, err, sizeof(err)) == 0);
	PB_CHECK(slurp_eq(path, "hello\n"));
	PB_CHECK(count_entries() == 1);

	/* Existing file: refused without force, untouched; replaced with it. */
	PB_CHECK(pb_out_write_all(path, 0, "other\n", 6, err, sizeof(err)) == -EEXIST);
	PB_CHECK_MSG(strstr(err, "--force") != NULL, "%s", err);
	PB_CHECK(slurp_eq(path, "hello\n"));
	PB_CHECK(pb_out_write_all(path, PB_OUT_FORCE, "other\n", 6, err, sizeof(err)) == 0);
	PB_CHECK(slurp_eq(path, "other\n"));

	/* A file that appears between open and commit is not clobbered. */
	struct pb_out *o;
	snprintf(path, sizeof(path), "%s/race.txt", dir);
	PB_CHECK(pb_out_open(path, 0, &o, err, sizeof(err)) == 0);
	if (o) {
		fputs("mine\n", pb_out_stream(o));
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		PB_CHECK(fd >= 0 && write(fd, "theirs\n", 7) == 7);
		close(fd);
		PB_CHECK(pb_out_commit(o, err, sizeof(err)) == -EEXIST);
		PB_CHECK(slurp_eq(path, "theirs\n"));
	}
	PB_CHECK(count_entries() == 2);

	/* FIFO, symlink, folder and device: refused even with force. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	PB_CHECK(mkfifo(path, 0600) == 0);
	PB_CHECK(pb_out_write_all(path, PB_OUT_FORCE, "x", 1, err, sizeof(err)) == -EINVAL);
	struct stat st;
	PB_CHECK(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
	char link[4300];
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	PB_CHECK(symlink(path, link) == 0);
	PB_CHECK(pb_out_write_all(link, PB_OUT_FORCE, "x", 1, err, sizeof(err)) == -EINVAL);
	PB_CHECK(slurp_eq(path, "other\n"));
	PB_CHECK(pb_out_write_all(dir, PB_OUT_FORCE, "x", 1, err, sizeof(err)) == -EINVAL);
	PB_CHECK(pb_out_check("/dev/null", PB_OUT_FORCE, err, sizeof(err)) == -EINVAL);
	PB_CHECK(lstat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	PB_CHECK(count_entries() == 4);

	/* SIGTERM while a file is open: the temporary file goes, the process
	 * dies of SIGTERM. */
	pid_t pid = fork();
	if (pid == 0) {
		pb_signals_install(0);
		snprintf(path, sizeof(path), "%s/killed.txt", dir);
		if (pb_out_open(path, 0, &o, err, sizeof(err)))
			_exit(3);
		fputs("partial", pb_out_stream(o));
		fflush(pb_out_stream(o));
		raise(SIGTERM);
		_exit(4);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	PB_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	PB_CHECK_MSG(count_entries() == 4, "%d entries", count_entries());

	/* Deferred mode: the first signal is only recorded. */
	pid = fork();
	if (pid == 0) {
		pb_signals_install(1);
		raise(SIGINT);
		_exit(pb_signal_pending() == SIGINT ? 0 : 5);
	}
	waitpid(pid, &status, 0);
	PB_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* nohup: an ignored SIGHUP stays ignored. */
	pid = fork();
	if (pid == 0) {
		signal(SIGHUP, SIG_IGN);
		pb_signals_install(0);
		raise(SIGHUP);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	PB_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* A file size limit (ulimit -f) fails the write with EFBIG, the
	 * temporary file removed: SIGXFSZ, which killed the process and left
	 * it, is ignored once the registry is installed. */
	pid = fork();
	if (pid == 0) {
		pb_signals_install(0);
		struct rlimit rl = {4096, 4096};
		setrlimit(RLIMIT_FSIZE, &rl);
		static char big[8192];
		snprintf(path, sizeof(path), "%s/big.txt", dir);
		int rc = pb_out_write_all(path, 0, big, sizeof(big), err, sizeof(err));
		_exit(rc == -EFBIG && strstr(err, "File too large") ? 0 : 6);
	}
	waitpid(pid, &status, 0);
	PB_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "file size limit: status %d",
		     status);
	PB_CHECK_MSG(count_entries() == 4, "%d entries", count_entries());

	/* pb_signal_forward: a signal sent to this process alone (kill(): not
	 * a terminal's, which reaches the whole group) is passed on to the
	 * registered child; so is one that came before the child existed.
	 * The child is started as the suite starts its task: the fatal
	 * signals blocked until it is registered, its own at their defaults. */
	for (int early = 0; early < 2; early++) {
		pid = fork();
		if (pid == 0) {
			pb_signals_install(1);
			if (early)
				kill(getpid(), SIGINT);
			sigset_t block, old;
			sigemptyset(&block);
			pb_signals_fill(&block);
			sigprocmask(SIG_BLOCK, &block, &old);
			pid_t c = fork();
			if (c == 0) {
				signal(SIGINT, SIG_DFL);
				signal(SIGTERM, SIG_DFL);
				sigprocmask(SIG_SETMASK, &old, NULL);
				pause();
				_exit(7);
			}
			pb_signal_forward(c);
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (!early)
				kill(getpid(), SIGTERM);
			int cs;
			waitpid(c, &cs, 0);
			pb_signal_forward(0);
			int want = early ? SIGINT : SIGTERM;
			_exit(WIFSIGNALED(cs) && WTERMSIG(cs) == want && pb_signal_pending() == want
				  ? 0
				  : 8);
		}
		waitpid(pid, &status, 0);
		PB_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "forward (signal %s the child): status %d", early ? "before" : "after",
			     status);
	}

	/* Clean up. */
	const char *names[] = {"a.txt", "race.txt", "fifo", "link"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return pb_test_done();
}
