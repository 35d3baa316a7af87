/* SPDX-License-Identifier: MIT */
/*
 * tests/cache/fuzz_csim.c - the line parser of `pagebench csim`
 * (pb_csim_parse_line, kernels/cache/csim.c) on arbitrary bytes.
 *
 * Input: any bytes, cut into lines at '\n' (a NUL ends a line early, as
 * the command refuses NUL bytes before parsing).  Each line must parse to
 * 1 (a record), 0 (a line csim ignores) or -EINVAL with one printable line
 * in err, also when err is small; a record must print back (" %c %llx,%llu")
 * to a line that parses to the same record; the records go through a
 * small LRU cache (2^2 sets x 2 lines x 16-byte blocks) whose counts must
 * add up (hits + misses = accesses, M twice; evictions <= misses).
 * Anything else aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err, size_t cap, const char *what)
{
	size_t n = strnlen(err, cap);
	if (n == cap || (cap > 1 && n == 0)) {
		fprintf(stderr, "%s: error message empty or not terminated\n", what);
		abort();
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] == 0x7f) {
			fprintf(stderr, "%s: control byte %#x in the error message\n", what,
				(unsigned)(unsigned char)err[i]);
			abort();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	struct pb_cache c;
	if (pb_cache_init(&c, 2, 2, 4))
		abort();
	uint64_t accesses = 0;
	for (char *line = buf; line && line <= buf + size;) {
		char *nl = memchr(line, '\n', (size_t)(buf + size - line));
		if (nl)
			*nl = 0;
		struct pb_csim_rec r;
		char err[256];
		memset(err, 0x55, sizeof(err));
		int k = pb_csim_parse_line(line, &r, err, sizeof(err));
		if (k < 0) {
			if (k != -EINVAL)
				abort();
			check_err(err, sizeof(err), "err[256]");
			char small[9];
			memset(small, 0x55, sizeof(small));
			struct pb_csim_rec r2;
			if (pb_csim_parse_line(line, &r2, small, sizeof(small)) != k)
				abort();
			check_err(small, sizeof(small), "err[9]");
		} else if (k == 1) {
			if (r.op != 'L' && r.op != 'S' && r.op != 'M')
				abort();
			char again[64];
			snprintf(again, sizeof(again), " %c %llx,%llu", r.op,
				 (unsigned long long)r.addr, (unsigned long long)r.size);
			struct pb_csim_rec r2;
			if (pb_csim_parse_line(again, &r2, err, sizeof(err)) != 1 ||
			    r2.op != r.op || r2.addr != r.addr || r2.size != r.size) {
				fprintf(stderr, "'%s' does not parse back\n", again);
				abort();
			}
			(void)pb_cache_access(&c, r.addr);
			accesses++;
			if (r.op == 'M') {
				if (pb_cache_access(&c, r.addr) != PB_CACHE_HIT)
					abort(); /* the store after the load always hits */
				accesses++;
			}
		} else if (k != 0) {
			abort();
		}
		line = nl ? nl + 1 : NULL;
	}
	if (c.hits + c.misses != accesses || c.evictions > c.misses)
		abort();
	pb_cache_fini(&c);
	free(buf);
	return 0;
}
