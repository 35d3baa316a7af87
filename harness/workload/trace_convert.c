/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/trace_convert.c - `trace convert` as a library
 * function: any readable stream to pbt, through the one stream drain and
 * the safe pbt writer (temporary beside the target, fsync, rename; no
 * clobbering without PB_OUT_FORCE, never a device, FIFO or symlink).
 *
 * OUT.maps: the readers apply a mappings sidecar beside any trace they
 * read from a path (trace_maps.c), so one an earlier OUT left (`trace
 * record -o OUT`) would silently make the new trace's pages file-backed.
 * The new pbt needs none (the flags of the input's own sidecar are in its
 * records), so an existing OUT.maps is treated as OUT is: refused without
 * PB_OUT_FORCE (and always when it is not a regular file), and with it
 * removed once OUT is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/outfile.h"
#include "pagebench/parse.h"
#include "pagebench/trace.h"
#include "wl_internal.h"

struct conv {
	struct pb_pbt_writer *pw;
	const char *out;
	char *err;
	size_t errlen;
};

static int conv_sink(void *ctx, const struct pb_access *a, size_t n)
{
	struct conv *c = ctx;
	int rc = pb_pbt_write(c->pw, a, n);
	if (rc)
		snprintf(c->err, c->errlen, "%s: write failed: %s", c->out, strerror(-rc));
	else
		pb_progress_add(n);
	return rc;
}

/* OUT's sidecar path into mp; 1 if one exists and may go (PB_OUT_FORCE),
 * 0 if there is none, -errno (err) if it is in the way. */
static int stale_maps(const char *out, unsigned flags, char *mp, size_t mplen, char *err,
		      size_t errlen)
{
	if ((size_t)snprintf(mp, mplen, "%s.maps", out) >= mplen) {
		snprintf(err, errlen, "%.64s...: path too long", out);
		return -ENAMETOOLONG;
	}
	struct stat st;
	int found = !lstat(mp, &st);
	if (!found && errno == ENOENT)
		return 0;
	if (found && S_ISREG(st.st_mode) && !(flags & PB_OUT_FORCE)) {
		snprintf(err, errlen,
			 "%s: exists: the mappings of an earlier trace, which readers of %s would "
			 "apply to the new one; refusing to keep it (--force removes it)",
			 mp, out);
		return -EEXIST;
	}
	int rc = pb_out_check(mp, flags, err, errlen); /* a symlink, a directory... */
	return rc ? rc : 1;
}

int pb_trace_convert(const char *in_spec, uint64_t seed, const char *out, int level, unsigned flags,
		     uint64_t *nrefs, char *err, size_t errlen)
{
	return pb_trace_convert_named(in_spec, seed, out, level, flags, nrefs, NULL, 0, err,
				      errlen);
}

int pb_trace_convert_named(const char *in_spec, uint64_t seed, const char *out, int level,
			   unsigned flags, uint64_t *nrefs, char *canon, size_t canonlen, char *err,
			   size_t errlen)
{
	if (canon && canonlen)
		canon[0] = 0;
	/* the input first: input that cannot be used is the error to report
	 * before a stale OUT.maps, as `trace convert` always reported it */
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = seed};
	int rc = pb_workload_open(in_spec, &wo, &w, err, errlen);
	if (rc)
		return rc;
	if (canon && canonlen)
		snprintf(canon, canonlen, "%s", pb_workload_canonical(w));
	char mp[4200];
	int stale = stale_maps(out, flags, mp, sizeof(mp), err, errlen);
	if (stale < 0) {
		pb_workload_close(w);
		return stale;
	}
	struct conv c = {NULL, out, err, errlen};
	rc = pb_pbt_create(out, pb_workload_page_shift(w), level, flags, &c.pw, err, errlen);
	if (rc) {
		pb_workload_close(w);
		return rc;
	}
	/* what the source's pages were (the records carry its flags): a pbt of
	 * a lis trace reads back as backing=file, as the lis does */
	wl_pbt_set_backing(c.pw, wl_workload_backing(w));
	pb_progress_begin("trace convert: references", 0); /* shown on a terminal only */
	rc = pb_workload_drain(w, NULL, 4096, conv_sink, &c, err, errlen);
	pb_progress_end();
	/* lines the format did not recognise are left out of the pbt, which
	 * cannot say so later: told now, as sim and mrc tell of them */
	uint64_t unknown = 0, first = 0;
	(void)pb_workload_skipped(w, &unknown, &first);
	char fate[4200];
	snprintf(fate, sizeof(fate), "left out of %s", out);
	if (!rc)
		pb_workload_skipped_warn("trace", unknown,
					 pb_workload_path(w) ? pb_workload_path(w) : in_spec, first,
					 fate);
	pb_workload_close(w);
	if (rc) {
		pb_pbt_abort(c.pw);
		return rc;
	}
	if (nrefs)
		*nrefs = pb_pbt_written(c.pw);
	rc = pb_pbt_finish(c.pw, err, errlen);
	/* after the rename: a failed convert leaves the old OUT and its
	 * sidecar together */
	if (!rc && stale && unlink(mp) && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "%s: written, but the old %s could not be removed: %s", out,
			 mp, strerror(-rc));
	}
	return rc;
}

int pb_trace_fd_to_pbt(int fd, const char *name, const char *format, int no_ifetch,
		       struct pb_pbt_writer *pw, char *err, size_t errlen)
{
	struct wl_trace_opts to = {0};
	to.path = name;
	to.fd = fd;
	to.fmt = wl_format_find(format);
	to.page_shift = PB_PAGE_SHIFT;
	to.no_ifetch = no_ifetch;
	if (!to.fmt) {
		snprintf(err, errlen, "%s: unknown trace format '%s'", name, format);
		return -EINVAL;
	}
	struct wl_trace *t = NULL;
	int rc = wl_trace_open(&to, &t, err, errlen);
	if (rc)
		return rc;
	struct pb_access *buf = malloc(4096 * sizeof(*buf));
	if (!buf)
		rc = -ENOMEM;
	while (!rc) {
		ssize_t r = wl_trace_next(t, buf, 4096);
		if (r < 0) {
			snprintf(err, errlen, "%s", wl_trace_error(t));
			rc = (int)r;
		} else if (r == 0) {
			break;
		} else if ((rc = pb_pbt_write(pw, buf, (size_t)r))) {
			snprintf(err, errlen, "write failed: %s", strerror(-rc));
		} else {
			pb_progress_add((uint64_t)r); /* the caller's progress line */
		}
	}
	free(buf);
	wl_trace_close(t); /* the fd stays the caller's */
	return rc;
}
