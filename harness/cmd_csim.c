/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_csim.c - `pagebench csim -s S -E E -b B -t TRACE [-v] [-h]`:
 * the CS:APP cache lab's cache simulator, a drop-in for its reference
 * csim-ref (Bryant & O'Hallaron, Cache Lab, Part A).
 *
 * One cache level of 2^s sets, E lines per set, 2^b-byte blocks, LRU
 * (pb_cache, kernels/cache/cache.c) replays the L/S/M records of a valgrind
 * lackey trace: L and S are one access, M is a load then a store (two
 * accesses, the second always a hit), I records are ignored and sizes play
 * no part.  The output is csim-ref's: with -v one line per record, "%c
 * %llx,%u " then "hit ", "miss " and "eviction " in the order they happen;
 * at the end printSummary's "hits:H misses:M evictions:V\n".
 * Differences from csim-ref: a malformed line is refused with FILE:LINE
 * (csim-ref sscanf's what it can); -s 0 and -b 0 are accepted (a fully
 * associative cache, one-byte blocks) where csim-ref calls them missing;
 * usage errors exit 2 as every pagebench command; no .csim_results file
 * is written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagebench/cache.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/param.h"

struct csim_cfg {
	uint64_t s, E, b;
	char *trace;
	int verbose;
};

#define O(f) offsetof(struct csim_cfg, f)
static const struct pb_param csim_params[] = {
    {"set-bits", PB_PT_U64, O(s), NULL, "number of set index bits (S = 2^s sets)", NULL, 0, 28, 's',
     PB_PF_REQUIRED, "<num>"},
    {"lines", PB_PT_U64, O(E), NULL, "number of lines per set (associativity E)", NULL, 1, 65536,
     'E', PB_PF_REQUIRED, "<num>"},
    {"block-bits", PB_PT_U64, O(b), NULL, "number of block offset bits (B = 2^b bytes)", NULL, 0,
     62, 'b', PB_PF_REQUIRED, "<num>"},
    {"trace", PB_PT_STR, O(trace), NULL, "valgrind lackey trace to replay", NULL, 0, 0, 't',
     PB_PF_REQUIRED, "<file>"},
    {"verbose", PB_PT_FLAG, O(verbose), NULL, "print hit/miss/eviction of every record", NULL, 0, 0,
     'v', 0, NULL},
    {0},
};
#undef O

static void csim_usage(FILE *f)
{
	fprintf(f, "Usage: pagebench csim [-hv] -s <num> -E <num> -b <num> -t <file>\n"
		   "CS:APP cache lab simulator: one LRU cache level over a valgrind lackey "
		   "trace.\nOptions:\n"
		   "  -h, --help               print this help message\n");
	pb_param_help(csim_params, f, 1);
	fprintf(f, "\nExamples:\n"
		   "  linux>  pagebench csim -s 4 -E 1 -b 4 -t traces/yi.trace\n"
		   "  linux>  pagebench csim -v -s 8 -E 2 -b 4 -t traces/yi.trace\n");
}

/* 1 when option word w (one option, unbundled) takes the next word as its
 * value, as pb_param_getopt reads it: "-t", "--trace"; not "-tFILE". */
static int takes_next(const char *w)
{
	for (size_t k = 0; w[0] == '-' && csim_params[k].type != PB_PT_END; k++) {
		const struct pb_param *p = &csim_params[k];
		if (p->type != PB_PT_FLAG && w[1] &&
		    (w[1] == '-' ? !strcmp(w + 2, p->key) : w[1] == p->shortopt && !w[2]))
			return 1;
	}
	return 0;
}

/*
 * getopt bundles value-less letters ("-vh", "-vs 4"): split them so the
 * table's parser sees one option per word.  An option's value ("-t -vh":
 * the trace "-vh") and every word after "--" (operands) are kept as they
 * are, as pb_param_getopt reads them.  Returns a new argv (malloc'ed array;
 * the words point into argv or into the static letters).
 */
static char **unbundle(int argc, char **argv, int *nargc)
{
	static char flag_words[2][3] = {"-v", "-h"};
	char **out = calloc((size_t)argc * 24 + 1, sizeof(char *));
	int n = 0, operands = 0, value = 0; /* value: argv[i] is an option's value */
	if (!out)
		return NULL;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		int option = i > 0 && !operands && !value && a[0] == '-';
		/* leading flag letters become words of their own */
		while (option && (a[1] == 'v' || a[1] == 'h') && a[2] && n < argc * 24 - 1) {
			out[n++] = flag_words[a[1] == 'h'];
			/* the rest "-X..." as the next word: reuse the buffer */
			a[1] = '-';
			a++;
		}
		out[n++] = a;
		operands |= option && !strcmp(a, "--");
		value = option && takes_next(a);
	}
	*nargc = n;
	return out;
}

int pb_cmd_csim(int argc, char **argv)
{
	const char *cmd = "csim";
	char err[512];
	struct csim_cfg c = {0};
	int nargc = 0;
	char **av = unbundle(argc, argv, &nargc);
	char **pos = calloc((size_t)nargc + 1, sizeof(char *));
	int npos = 0;
	if (!av || !pos)
		pb_usage_error(cmd, "out of memory");
	if (pb_param_defaults(csim_params, &c, err, sizeof(err)))
		pb_usage_error(cmd, "%s", err);
	int rc = pb_param_getopt(csim_params, &c, nargc, av, pos, &npos, NULL, err, sizeof(err));
	if (rc == 1) {
		csim_usage(stdout);
		free(av);
		free(pos);
		pb_param_free(csim_params, &c);
		return PB_EXIT_OK;
	}
	if (rc)
		pb_usage_error(cmd, "%s (see pagebench csim -h)", err);
	if (npos)
		pb_usage_error(cmd, "unexpected argument '%s' (see pagebench csim -h)", pos[0]);
	free(pos);
	free(av);
	if (c.s + c.b > 63)
		pb_usage_error(cmd, "-s %llu and -b %llu: s + b must be at most 63",
			       (unsigned long long)c.s, (unsigned long long)c.b);
	/* O_NONBLOCK: a FIFO without a writer must not hang the open; a FIFO,
	 * socket or device is not a trace (one blocks, /dev/zero never ends) */
	int fd = open(c.trace, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		pb_usage_error(cmd, "%s: %s", c.trace, strerror(errno));
	struct stat st = {0};
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int dir = !fstat(fd, &st) && S_ISDIR(st.st_mode);
		close(fd);
		pb_usage_error(cmd, "%s: not a regular file (%s); save the trace to a file first",
			       c.trace,
			       dir		      ? "a directory"
			       : S_ISFIFO(st.st_mode) ? "a FIFO"
			       : S_ISSOCK(st.st_mode) ? "a socket"
						      : "a device");
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		pb_usage_error(cmd, "%s: %s", c.trace, strerror(errno));
	}
	struct pb_cache cache;
	rc = pb_cache_init(&cache, (unsigned)c.s, (uint32_t)c.E, (unsigned)c.b);
	if (rc) {
		fclose(f);
		if (rc == -ENOMEM) {
			pb_error(cmd, "out of memory for 2^%llu sets x %llu lines",
				 (unsigned long long)c.s, (unsigned long long)c.E);
			return PB_EXIT_FAIL;
		}
		pb_usage_error(cmd, "-s %llu -E %llu: at most 2^28 lines in all",
			       (unsigned long long)c.s, (unsigned long long)c.E);
	}
	static const char *const res_word[] = {"hit ", "miss ", "miss eviction "};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t lineno = 0;
	int bad = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		size_t n = (size_t)len;
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (strlen(line) != n) {
			pb_error(cmd, "%s:%llu: NUL byte in a text trace", c.trace,
				 (unsigned long long)lineno);
			bad = 1;
			break;
		}
		struct pb_csim_rec r;
		int k = pb_csim_parse_line(line, &r, err, sizeof(err));
		if (k < 0) {
			pb_error(cmd, "%s:%llu: %s", c.trace, (unsigned long long)lineno, err);
			bad = 1;
			break;
		}
		if (!k)
			continue;
		enum pb_cache_res a = pb_cache_access(&cache, r.addr);
		enum pb_cache_res b2 = PB_CACHE_HIT;
		if (r.op == 'M')
			b2 = pb_cache_access(&cache, r.addr);
		if (c.verbose)
			printf("%c %llx,%u %s%s\n", r.op, (unsigned long long)r.addr,
			       (unsigned)r.size, res_word[a], r.op == 'M' ? res_word[b2] : "");
	}
	int rerr = ferror(f);
	free(line);
	fclose(f);
	if (!bad && rerr) {
		pb_error(cmd, "%s: read error", c.trace);
		bad = 1;
	}
	if (!bad)
		printf("hits:%llu misses:%llu evictions:%llu\n", (unsigned long long)cache.hits,
		       (unsigned long long)cache.misses, (unsigned long long)cache.evictions);
	pb_cache_fini(&cache);
	pb_param_free(csim_params, &c);
	if (fflush(stdout) || ferror(stdout)) {
		pb_error(cmd, "cannot write the output");
		return PB_EXIT_FAIL;
	}
	return bad ? PB_EXIT_USAGE : PB_EXIT_OK;
}
