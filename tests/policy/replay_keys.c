/* SPDX-License-Identifier: MIT */
/*
 * tests/policy/replay_keys.c - tiny development tool: replay a file of
 * decimal keys (one per line) through one strategy at several sizes and
 * print the miss counts on one line.  Used by ref_policies.py to compare the
 * C strategies with independent Python implementations.
 *
 *   policy_replay FILE POLICY FRAMES...
 */
#include <stdio.h>
#include <stdlib.h>

#include "pagebench/policy.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: policy_replay FILE POLICY FRAMES...\n");
		return 2;
	}
	const struct pb_policy_desc *d = pb_policy_find(argv[2]);
	FILE *f = fopen(argv[1], "r");
	if (!d || !f) {
		fprintf(stderr, "policy_replay: no policy '%s' or cannot open '%s'\n", argv[2],
			argv[1]);
		return 2;
	}
	size_t n = 0, cap = 1 << 16;
	uint64_t *k = malloc(cap * sizeof(*k));
	unsigned long long x;
	while (k && fscanf(f, "%llu", &x) == 1) {
		if (n == cap) {
			uint64_t *nk = realloc(k, (cap *= 2) * sizeof(*k));
			if (!nk)
				break;
			k = nk;
		}
		k[n++] = x;
	}
	fclose(f);
	if (!k)
		return 1;
	for (int a = 3; a < argc; a++) {
		struct pb_policy_cfg cfg = {.frames = strtoull(argv[a], NULL, 10), .seed = 1};
		uint64_t m;
		char err[256];
		if (pb_policy_replay(d, &cfg, k, NULL, NULL, n, &m, err, sizeof(err))) {
			fprintf(stderr, "policy_replay: %s\n", err);
			free(k);
			return 1;
		}
		printf("%s%llu", a > 3 ? " " : "", (unsigned long long)m);
	}
	printf("\n");
	free(k);
	return 0;
}
