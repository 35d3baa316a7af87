/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_suite.c - fuzz target for the suite-file parser
 * (pb_suite_parse): any input either parses into tasks whose argv are
 * NUL-terminated words, or fails with a "FILE:LINE: what" / "FILE: what"
 * message; never a crash, a sanitizer report, a leak or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0; /* a NUL inside is the end of the text, as for a file */
	struct pb_suite *s = NULL;
	char err[1024] = "";
	char *sets[] = {"X=1", "W=zipf:pages=10"};
	int rc = pb_suite_parse("fuzz.suite", text, sets, 2, &s, err, sizeof(err));
	if (rc) {
		if (strncmp(err, "fuzz.suite", 10))
			abort(); /* every error names the file */
	} else {
		if (!s->ntasks)
			abort(); /* an empty suite is an error */
		for (size_t i = 0; i < s->ntasks; i++)
			if (s->tasks[i].argc < 1 || !s->tasks[i].argv[0] ||
			    s->tasks[i].argv[s->tasks[i].argc] || !s->tasks[i].text)
				abort();
	}
	pb_suite_free(s);
	free(text);
	return 0;
}
