/* SPDX-License-Identifier: MIT */
/*
 * tests/base/test_fnv1a.c - pb_fnv1a64 (pagebench/common.h), the one
 * FNV-1a 64 where results.c, vm_drive.c and fmt_csv.c had a copy each:
 *  - the published vectors ("" and "a"), "foobar" and bytes above 0x7f
 *    (a char taken as signed would change them), and going on from a
 *    hash is hashing the bytes joined;
 *  - what its callers record, computed apart (Python's int arithmetic):
 *    pb_vm_trace_hash (config.trace.hash: the first and last MiB and the
 *    size as 8 bytes LE) of a 3-byte, a 1.5 MiB (all of it) and a 3 MiB
 *    file (the middle not read), and that identity of a 200000-byte file
 *    in meta.json's inputs[].hash as sim records it where no pass read the
 *    whole file (pb_run_add_input_id, vm_drive.c), read back with jansson.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/common.h"
#include "pagebench/results.h"
#include "pagebench/vm_drive.h"
#include "pbtest.h"

static char root[4096];

static uint64_t str_hash(const char *s, size_t n)
{
	return pb_fnv1a64(PB_FNV1A64_INIT, s, n);
}

/* Byte i of the test files. */
static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 131 + (i >> 9));
}

static void write_pat(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	for (size_t i = 0; f && i < n; i++)
		fputc(pat(i), f);
	PB_CHECK(f && fclose(f) == 0);
}

static void vectors(void)
{
	PB_CHECK_EQ_U64(str_hash("", 0), 0xcbf29ce484222325ULL);
	PB_CHECK_EQ_U64(str_hash("a", 1), 0xaf63dc4c8601ec8cULL);
	PB_CHECK_EQ_U64(str_hash("foobar", 6), 0x85944171f73967e8ULL);
	PB_CHECK_EQ_U64(str_hash("\xff\x00\x80", 3), 0xf920891be415651eULL);
	PB_CHECK_EQ_U64(pb_fnv1a64(str_hash("foo", 3), "bar", 3), str_hash("foobar", 6));
	PB_CHECK_EQ_U64(pb_fnv1a64(0x1234, "", 0), 0x1234);
}

static void trace_hash(const char *name, size_t n, const char *want)
{
	char path[4200], got[64] = "";
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (n == 3) {
		FILE *f = fopen(path, "w");
		PB_CHECK(f && fputs("abc", f) >= 0 && fclose(f) == 0);
	} else {
		write_pat(path, n);
	}
	uint64_t size = 0;
	int rc = pb_vm_trace_hash(path, &size, got, sizeof(got));
	PB_CHECK_MSG(rc == 0 && size == n && !strcmp(got, want),
		     "%s: rc %d size %llu %s, wanted %s", name, rc, (unsigned long long)size, got,
		     want);
}

static void input_hash(void)
{
	char path[4200], err[256];
	snprintf(path, sizeof(path), "%s/in.bin", root);
	write_pat(path, 200000);
	char *argv[] = {"pagebench", "test", NULL};
	static const char *const cols[] = {"x", NULL};
	struct pb_run *r = pb_run_create(root, 2, argv, err, sizeof(err));
	PB_CHECK_MSG(r != NULL, "%s", err);
	if (!r)
		return;
	char dir[4096], meta[4200];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(r));
	struct pb_csv *c = pb_run_csv(r, "x.csv", cols, NULL);
	PB_CHECK(c != NULL);
	pb_csv_begin(c);
	pb_csv_u64(c, 1);
	pb_csv_end(c);
	uint64_t size = 0;
	char id[64] = "";
	PB_CHECK(pb_vm_trace_hash(path, &size, id, sizeof(id)) == 0);
	pb_run_add_input_id(r, "trace", path, (int64_t)size, id,
			    "FNV-1a 64 of the first MiB, the last MiB and the size (8 bytes LE)");
	PB_CHECK(pb_run_finish(r) == 0);
	snprintf(meta, sizeof(meta), "%s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(meta, 0, &je);
	PB_CHECK_MSG(m != NULL, "%s: %s", meta, je.text);
	json_t *in = json_array_get(json_object_get(m, "inputs"), 0);
	const char *h = json_string_value(json_object_get(in, "hash"));
	PB_CHECK_MSG(h && !strcmp(h, "fnv1a64:4e8fc1a02931006d"), "inputs[0].hash %s",
		     h ? h : "(none)");
	PB_CHECK(json_integer_value(json_object_get(in, "size_bytes")) == 200000);
	json_decref(m);
}

int main(void)
{
	if (!pbt_tmpdir(root, sizeof(root), "fnv"))
		return 1;
	vectors();
	trace_hash("abc.trc", 3, "fnv1a64:e5f49fafdcdf1048");
	trace_hash("mid.trc", 3 * 1048576 / 2, "fnv1a64:d77fdacff8ce2b8d");
	trace_hash("big.trc", 3 * 1048576 + 5, "fnv1a64:3ae6d47d1132e390");
	input_hash();
	pbt_rmtree(root);
	return pb_test_done();
}
