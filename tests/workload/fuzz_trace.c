/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/fuzz_trace.c - fuzz target for one trace reader, chosen
 * at build time by FUZZ_FMT: tests/workload/CMakeLists.txt makes one
 * target per format of the registry (harness/workload/formats.def).  The
 * input is written to a memfd and read through the public stream API; any
 * result is fine except a crash, a sanitizer
 * report, a hang or an error without a message.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pagebench/workload.h"

#ifndef FUZZ_FMT
#define FUZZ_FMT "auto"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0)
		fd = memfd_create("fuzz", 0);
	if (fd < 0)
		abort();
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	char spec[128], err[512];
	snprintf(spec, sizeof(spec), "trace:path=/proc/self/fd/%d,format=%s", fd, FUZZ_FMT);
	struct pb_workload *w;
	if (pb_workload_open(spec, NULL, &w, err, sizeof(err))) {
		if (!err[0])
			abort();
		return 0;
	}
	struct pb_access buf[256];
	ssize_t r;
	uint64_t total = 0;
	while ((r = pb_workload_next(w, buf, 256)) > 0) {
		total += (uint64_t)r;
		if (total > (1ULL << 20))
			break; /* a tiny .lis line may expand to many pages: bound it */
	}
	if (r < 0 && !pb_workload_error(w)[0])
		abort();
	pb_workload_close(w);
	return 0;
}
