/* SPDX-License-Identifier: MIT */
/*
 * harness/workload/formats.c - the trace format registry: the table built
 * from formats.def, and lookups by name, alias and index.  Everything that
 * lists formats (the `format=` choices of the trace spec, help texts,
 * `pagebench list workloads`, detection, the fuzz targets) walks this
 * table.
 */
#include <stddef.h>
#include <string.h>

#include "pagebench/trace.h"
#include "wl_reader.h"

#define WL_FORMAT(n, b) extern const struct wl_format wl_format_##n;
#include "formats.def"
#undef WL_FORMAT

const struct wl_format *const wl_formats[] = {
#define WL_FORMAT(n, b) &wl_format_##n,
#include "formats.def"
#undef WL_FORMAT
};
const unsigned wl_nformats = PB_ARRAY_SIZE(wl_formats);

/* The BACKING column of formats.def, in the same order. */
static const enum wl_backing wl_format_backings[] = {
#define WL_FORMAT(n, b) WL_BACKING_##b,
#include "formats.def"
#undef WL_FORMAT
};
_Static_assert(PB_ARRAY_SIZE(wl_format_backings) == PB_ARRAY_SIZE(wl_formats),
	       "one backing per format");

const struct wl_format *wl_format_find(const char *name)
{
	for (unsigned i = 0; i < wl_nformats; i++) {
		const struct wl_format *f = wl_formats[i];
		if (!strcmp(f->name, name))
			return f;
		for (const char *const *a = f->aliases; a && *a; a++)
			if (!strcmp(*a, name))
				return f;
	}
	return NULL;
}

const struct wl_format *wl_format_at(unsigned i)
{
	return i < wl_nformats ? wl_formats[i] : NULL;
}

const char *wl_format_name(const struct wl_format *f)
{
	return f ? f->name : "auto";
}

const char *wl_format_summary(const struct wl_format *f)
{
	return f->summary;
}

const char *const *wl_format_aliases(const struct wl_format *f)
{
	return f->aliases;
}

const char *pb_trace_format_name(unsigned i)
{
	return i < wl_nformats ? wl_formats[i]->name : NULL;
}

enum wl_backing wl_format_backing(const struct wl_format *f)
{
	for (unsigned i = 0; f && i < wl_nformats; i++)
		if (wl_formats[i] == f)
			return wl_format_backings[i];
	return WL_BACKING_anon;
}
