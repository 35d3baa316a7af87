/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz_driver.c - runs a libFuzzer target without libFuzzer.
 *
 * Usage: fuzz_x ITERATIONS [CORPUS_DIR...]
 * Replays every file of the corpus, then ITERATIONS inputs made by seeded
 * mutations (bit flips, byte sets, truncation, splices, random bytes) of the
 * corpus entries.  Deterministic: the seed is fixed and printed.  The target
 * crashing or tripping a sanitizer is the failure signal, as with libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct blob {
	uint8_t *p;
	size_t n;
};

static uint64_t rng_state = 0x5eed5eed12345678ULL;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int load_dir(const char *dir, struct blob **v, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > (1 << 22))
			continue;
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t *p = malloc((size_t)st.st_size + 1);
		size_t got = fread(p, 1, (size_t)st.st_size, f);
		fclose(f);
		*v = realloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = (struct blob){p, got};
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 10000;
	struct blob *corpus = NULL;
	size_t ncorpus = 0;
	for (int i = 2; i < argc; i++)
		load_dir(argv[i], &corpus, &ncorpus);
	for (size_t i = 0; i < ncorpus; i++)
		LLVMFuzzerTestOneInput(corpus[i].p, corpus[i].n);
	uint8_t *buf = malloc(1 << 16);
	for (long it = 0; it < iters; it++) {
		size_t n;
		if (ncorpus && rnd() % 8) {
			struct blob *b = &corpus[rnd() % ncorpus];
			n = b->n < (1 << 16) ? b->n : (1 << 16);
			memcpy(buf, b->p, n);
			int muts = 1 + (int)(rnd() % 8);
			for (int m = 0; m < muts && n; m++) {
				switch (rnd() % 5) {
				case 0:
					buf[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
					break;
				case 1:
					buf[rnd() % n] = (uint8_t)rnd();
					break;
				case 2:
					n = rnd() % (n + 1);
					break;
				case 3: {
					size_t a = rnd() % n, l = rnd() % (n - a + 1);
					memset(buf + a, (int)(rnd() & 0xff), l);
				} break;
				default: {
					size_t a = rnd() % n;
					buf[a] = "0123456789,\n -xXfF"[rnd() % 18];
				} break;
				}
			}
		} else {
			n = rnd() % 512;
			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t)rnd();
		}
		/* Give the target its own exact-size copy so ASan sees overreads. */
		uint8_t *in = malloc(n ? n : 1);
		memcpy(in, buf, n);
		LLVMFuzzerTestOneInput(in, n);
		free(in);
	}
	printf("fuzz driver: %zu corpus files, %ld mutated inputs, seed 0x5eed5eed12345678: no "
	       "crash\n",
	       ncorpus, iters);
	free(buf);
	for (size_t i = 0; i < ncorpus; i++)
		free(corpus[i].p);
	free(corpus);
	return 0;
}
