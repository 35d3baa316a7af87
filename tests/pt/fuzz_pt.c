/* SPDX-License-Identifier: MIT */
/*
 * tests/pt/fuzz_pt.c - fuzz target: the input's first byte picks the table
 * kind, every following byte feeds one draw of the reference-model stepper
 * (pt_model.h), so the fuzzer steers which calls run on which pages with
 * which words.  Any disagreement with the model, a failed pb_pt_check or a
 * sanitizer report is a finding (abort).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "model mismatch: ");                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#include "pt_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_len, in_pos;

/* One input byte per draw, spread over 64 bits (position-salted, so equal
 * bytes at different places differ); 0 once the input is used up. */
static uint64_t from_input(void)
{
	if (in_pos >= in_len)
		return 0;
	uint64_t st = (uint64_t)in[in_pos] | (uint64_t)in_pos << 8;
	in_pos++;
	return pb_splitmix64(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct pb_pt *pt;
	struct pb_pt_cfg cfg = {.nframes = 1 << 12, .max_nodes = 64, .hash_slots = 512, .lazy = 1};
	if (pb_pt_create(pb_pt_kinds[data[0] & 1], &cfg, &pt))
		abort();
	model_reset(pt);
	model_src = from_input;
	in = data + 1;
	in_len = size - 1;
	in_pos = 0;
	for (unsigned s = 0; in_pos < in_len; s++)
		model_step(pt, s);
	char err[200];
	uint64_t leaves = 0;
	EXPECT(pb_pt_check(pt, &leaves, err, sizeof(err)) == 0, "check: %s", err);
	EXPECT(leaves == m_leaves(), "%llu leaves, model %llu", (unsigned long long)leaves,
	       (unsigned long long)m_leaves());
	pb_pt_destroy(pt);
	return 0;
}
