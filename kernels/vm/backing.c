/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/backing.c - the backing store: a swap area and mapped files.
 *
 * Simulated by default: a swap slot is a number handed out once per page
 * that is ever written out (a page keeps its slot while it lives, as a swap
 * cache entry keeps it in Linux, so a clean page whose swap copy is still
 * valid is dropped, not rewritten), and file pages are always on "disk".
 * All-zero pages never reach the swap area: a clean demand-zero page is
 * dropped and refilled with zeros on the next touch.
 *
 * With --backing file:PATH every I/O the engine counts is done for real with
 * pread/pwrite of page-sized blocks on PATH: swap
 * slot s at byte s * 4096, file page v at FILE_BASE + (v mod FILE_SPAN) *
 * 4096.  Each written block carries (key, version) in its first 16 bytes and
 * every swap-in checks them: a swap-in that reads back another page's data
 * is an engine bug and fails the run (-EIO) instead of being counted.
 *
 * The file is ours alone.  It is created with O_EXCL (never following a
 * symlink), so an existing file - the input trace, another run's backing
 * file - is refused; with `force` an existing regular file is reused and
 * truncated, never a device, FIFO, socket or symlink.  An exclusive
 * flock is held while the engine lives, taken before any truncation, so
 * two runs on one path cannot corrupt each other (the second one fails
 * with -EBUSY).  A file we created is removed when the engine closes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_internal.h"

#define FILE_BASE (1ULL << 40)
#define FILE_SPAN (1ULL << 20)

/*
 * Open path into b->fd (created with O_EXCL: b->created; with force an
 * existing regular file) and lock it: what the engine and a check before a
 * run (pb_vm_backing_check) refuse alike.  0 or -errno with err; b->fd may
 * be open either way (the caller closes it).
 */
static int backing_lock(struct vm_backing *b, const char *path, int force, char *err, size_t errlen)
{
	b->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (b->fd >= 0) {
		b->created = 1;
	} else if (errno == EEXIST && force) {
		/* O_NONBLOCK: opening a FIFO must not wait for a writer */
		b->fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	}
	if (b->fd < 0) {
		int rc = -errno;
		if (rc == -EEXIST)
			snprintf(err, errlen,
				 "backing file '%s' exists (refused: pass --force to reuse a "
				 "regular file)",
				 path);
		else if (rc == -ELOOP)
			snprintf(err, errlen, "backing file '%s' is a symbolic link (refused)",
				 path);
		else
			snprintf(err, errlen, "backing file '%s': %s", path, strerror(-rc));
		return rc;
	}
	struct stat st;
	if (fstat(b->fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "backing file '%s' is not a regular file (refused)", path);
		return -EINVAL;
	}
	if (flock(b->fd, LOCK_EX | LOCK_NB)) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(err, errlen, "backing file '%s' is in use by another run", path);
		return rc;
	}
	return 0;
}

int vm_backing_open(struct vm_backing *b, const char *path, int force, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	if (!path)
		return 0;
	int rc = backing_lock(b, path, force, err, errlen);
	if (rc)
		goto fail;
	if (!b->created && ftruncate(b->fd, 0)) { /* --force: under our lock */
		rc = -errno;
		snprintf(err, errlen, "backing file '%s': %s", path, strerror(-rc));
		goto fail;
	}
	b->path = strdup(path);
	b->buf = pb_map(PB_PAGE_SIZE, 1);
	if (!b->buf || !b->path) {
		rc = -ENOMEM;
		snprintf(err, errlen, "backing file: out of memory");
		goto fail;
	}
	return 0;
fail:
	if (b->created)
		(void)unlink(path);
	vm_backing_close(b);
	return rc;
}

int pb_vm_backing_check(const char *path, int force, char *err, size_t errlen)
{
	struct vm_backing b = {.fd = -1};
	int rc = backing_lock(&b, path, force, err, errlen);
	if (b.created)
		(void)unlink(path); /* still locked; each engine creates it again */
	if (b.fd >= 0)
		close(b.fd);
	return rc;
}

void vm_backing_close(struct vm_backing *b)
{
	if (b->created && b->path)
		(void)unlink(b->path); /* still locked: nobody else has it */
	if (b->fd >= 0)
		close(b->fd);
	if (b->buf)
		pb_unmap(b->buf, PB_PAGE_SIZE);
	if (b->slot_key)
		pb_unmap(b->slot_key, b->slot_cap * sizeof(uint64_t));
	free(b->path);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

int vm_backing_slot(struct vm_backing *b, uint64_t key, uint64_t *slot)
{
	if (b->next_slot == b->slot_cap) {
		uint64_t cap = b->slot_cap ? b->slot_cap * 2 : 4096;
		/* moved, not copied: a copy faulted in every page again */
		uint64_t *n =
		    pb_remap(b->slot_key, b->slot_cap * sizeof(uint64_t), cap * sizeof(uint64_t));
		if (!n)
			return -ENOMEM;
		b->slot_key = n;
		b->slot_cap = cap;
	}
	b->slot_key[b->next_slot] = key;
	*slot = b->next_slot++;
	return 0;
}

uint64_t vm_backing_slot_key(const struct vm_backing *b, uint64_t slot)
{
	return slot < b->next_slot ? b->slot_key[slot] : UINT64_MAX;
}

static int block_write(struct vm_backing *b, uint64_t off, uint64_t key, uint64_t version)
{
	memcpy(b->buf, &key, 8);
	memcpy(b->buf + 8, &version, 8);
	ssize_t w = pwrite(b->fd, b->buf, PB_PAGE_SIZE, (off_t)off);
	if (w != (ssize_t)PB_PAGE_SIZE) {
		snprintf(b->err, sizeof(b->err), "backing write at %llu: %s",
			 (unsigned long long)off, w < 0 ? strerror(errno) : "short write");
		return -EIO;
	}
	return 0;
}

static int block_read(struct vm_backing *b, uint64_t off)
{
	ssize_t r = pread(b->fd, b->buf, PB_PAGE_SIZE, (off_t)off);
	if (r < 0) {
		snprintf(b->err, sizeof(b->err), "backing read at %llu: %s",
			 (unsigned long long)off, strerror(errno));
		return -EIO;
	}
	if (r < (ssize_t)PB_PAGE_SIZE) /* past the end of a sparse file: zeros */
		memset(b->buf + r, 0, PB_PAGE_SIZE - (size_t)r);
	return 0;
}

int vm_backing_swap_write_io(struct vm_backing *b, uint64_t slot, uint64_t key, uint64_t version)
{
	return block_write(b, slot * PB_PAGE_SIZE, key, version);
}

int vm_backing_swap_read_io(struct vm_backing *b, uint64_t slot, uint64_t key, uint64_t version)
{
	int rc = block_read(b, slot * PB_PAGE_SIZE);
	if (rc)
		return rc;
	uint64_t k, v;
	memcpy(&k, b->buf, 8);
	memcpy(&v, b->buf + 8, 8);
	if (k != key || v != version) {
		snprintf(b->err, sizeof(b->err),
			 "swap slot %llu holds page %#llx v%llu, expected %#llx v%llu",
			 (unsigned long long)slot, (unsigned long long)k, (unsigned long long)v,
			 (unsigned long long)key, (unsigned long long)version);
		return -EIO;
	}
	return 0;
}

int vm_backing_file_write_io(struct vm_backing *b, uint64_t vpn, uint64_t key, uint64_t version)
{
	return block_write(b, FILE_BASE + (vpn % FILE_SPAN) * PB_PAGE_SIZE, key, version);
}

int vm_backing_file_read_io(struct vm_backing *b, uint64_t vpn)
{
	return block_read(b, FILE_BASE + (vpn % FILE_SPAN) * PB_PAGE_SIZE);
}
