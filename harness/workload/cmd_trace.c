/*
 * harness/workload/cmd_trace.c - `pagebench trace record|convert|info`.
 *
 * record:  runs CMD under valgrind lackey (--trace-mem=yes) with its log
 *          sent to a pipe (--log-fd), parses the log as it streams and
 *          writes pbt, so a multi-GB text log never touches the disk.
 * convert: any readable trace to pbt (temporary file + rename).
 * info:    references, read/write/fetch mix, distinct pages, footprint and
 *          LRU stack-distance (reuse) summary.  Stack distances are exact:
 *          a Fenwick tree over "last access time" slots counts the distinct
 *          pages touched since a page's previous reference (Bennett &
 *          Kruskal 1975, Almasi et al. 2002), and the slots are renumbered
 *          when they run out, so memory is O(distinct pages), not O(refs).
 * Errors are one line "pagebench trace: FILE:LINE: what" and exit code 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/trace.h"
#include "wl_internal.h"

const char *wl_workload_format(const struct pb_workload *w);
uint64_t wl_workload_skipped(const struct pb_workload *w);
uint64_t wl_workload_records(const struct pb_workload *w);

#define BATCH 4096

/* Build a spec from a path or pass a spec through. */
static int make_spec(const char *in, const char *fmt, const char *page, int no_ifetch, char *spec,
		     size_t len, char *err, size_t errlen)
{
	struct stat st;
	if (strchr(in, ':') && stat(in, &st) && !fmt && !page) {
		snprintf(spec, len, "%s", in); /* a full workload spec */
		return 0;
	}
	if (strchr(in, ',')) {
		snprintf(err, errlen, "%s: path contains ',' (rename the file)", in);
		return -EINVAL;
	}
	snprintf(spec, len, "trace:path=%s%s%s%s%s%s", in, fmt ? ",format=" : "", fmt ? fmt : "",
		 page ? ",page=" : "", page ? page : "", no_ifetch ? ",ifetch=0" : "");
	return 0;
}

/* ---- stack distance (Fenwick tree over time slots) ---- */
struct sd {
	struct wl_map last; /* key -> slot */
	uint32_t *bit;
	uint64_t cap, now;
};

static void bit_add(struct sd *s, uint64_t i, int v)
{
	for (; i <= s->cap; i += i & (0 - i))
		s->bit[i] += (uint32_t)v;
}

static uint64_t bit_sum(const struct sd *s, uint64_t i)
{
	uint64_t r = 0;
	for (; i; i -= i & (0 - i))
		r += s->bit[i];
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Renumber live slots 1..d and rebuild the tree (keeps relative order). */
static int sd_compact(struct sd *s)
{
	uint64_t d = s->last.n;
	uint64_t *sl = malloc((d ? d : 1) * sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	uint64_t j = 0;
	for (size_t i = 0; i < s->last.cap; i++)
		if (s->last.keys[i])
			sl[j++] = s->last.vals[i];
	qsort(sl, d, sizeof(*sl), cmp_u64);
	for (size_t i = 0; i < s->last.cap; i++) {
		if (!s->last.keys[i])
			continue;
		uint64_t v = s->last.vals[i], lo = 0, hi = d;
		while (lo < hi) {
			uint64_t mid = (lo + hi) / 2;
			if (sl[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		s->last.vals[i] = lo + 1;
	}
	free(sl);
	uint64_t ncap = d * 4 > (1u << 20) ? d * 4 : (1u << 20);
	if (ncap != s->cap) {
		free(s->bit);
		s->bit = malloc((ncap + 1) * sizeof(*s->bit));
		if (!s->bit)
			return -ENOMEM;
		s->cap = ncap;
	}
	memset(s->bit, 0, (s->cap + 1) * sizeof(*s->bit));
	for (uint64_t i = 1; i <= d; i++)
		s->bit[i] = 1;
	for (uint64_t i = 1; i <= s->cap; i++) { /* O(n) Fenwick build */
		uint64_t p = i + (i & (0 - i));
		if (p <= s->cap)
			s->bit[p] += s->bit[i];
	}
	s->now = d;
	return 0;
}

int pb_trace_stats(const char *spec, struct pb_trace_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	struct pb_workload *w;
	int rc = pb_workload_open(spec, NULL, &w, err, errlen);
	if (rc)
		return rc;
	struct sd s = {0};
	struct wl_map asids = {0};
	struct pb_access *buf = malloc(BATCH * sizeof(*buf));
	s.cap = 1u << 20;
	s.bit = calloc(s.cap + 1, sizeof(*s.bit));
	if (!buf || !s.bit || wl_map_init(&s.last, 1 << 16) || wl_map_init(&asids, 16)) {
		rc = -ENOMEM;
		goto out;
	}
	unsigned sh = pb_workload_page_shift(w);
	st->page_shift = sh;
	pb_progress_begin("trace info: references", 0); /* shown on a terminal only */
	for (;;) {
		ssize_t r = pb_workload_next(w, buf, BATCH);
		if (r > 0)
			pb_progress_add((uint64_t)r);
		if (r < 0) {
			snprintf(err, errlen, "%s", pb_workload_error(w));
			rc = (int)r;
			goto out;
		}
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			const struct pb_access *a = &buf[i];
			st->refs++;
			st->reads += a->op == PB_OP_READ;
			st->writes += a->op == PB_OP_WRITE;
			st->fetches += a->op == PB_OP_FETCH;
			int isnew;
			if (!wl_map_get(&asids, a->asid, &isnew)) {
				rc = -ENOMEM;
				goto out;
			}
			if (s.now == s.cap && (rc = sd_compact(&s)))
				goto out;
			uint64_t *slot = wl_map_get(&s.last, wl_key(a, sh), &isnew);
			if (!slot) {
				rc = -ENOMEM;
				goto out;
			}
			uint64_t now = ++s.now;
			if (isnew) {
				st->cold++;
			} else {
				uint64_t d = bit_sum(&s, now - 1) - bit_sum(&s, *slot);
				unsigned b = 63 - (unsigned)__builtin_clzll(d + 1);
				st->hist[b < 47 ? b : 47]++;
				bit_add(&s, *slot, -1);
			}
			bit_add(&s, now, 1);
			*slot = now;
		}
	}
	pb_progress_end();
	st->distinct_pages = s.last.n;
	st->asids = asids.n;
	st->skipped_lines = wl_workload_skipped(w);
	st->records = wl_workload_records(w);
	st->format = wl_workload_format(w);
out:
	pb_progress_end();
	if (rc == -ENOMEM)
		snprintf(err, errlen, "trace info: out of memory");
	free(buf);
	free(s.bit);
	if (s.last.keys)
		wl_map_free(&s.last);
	if (asids.keys)
		wl_map_free(&asids);
	pb_workload_close(w);
	return rc;
}

uint64_t pb_trace_lru_pages_for(const struct pb_trace_stats *st, double frac)
{
	uint64_t reuse = st->refs - st->cold, acc = 0;
	if (!reuse)
		return 0;
	for (unsigned i = 0; i < 48; i++) {
		acc += st->hist[i];
		if ((double)acc >= frac * (double)reuse)
			return 1ULL << (i + 1); /* d + 1 < 2^(i+1): that many pages hit */
	}
	return 1ULL << 48;
}

int pb_trace_convert(const char *in_spec, const char *out, int level, uint64_t *nrefs,
		     char *err, size_t errlen)
{
	struct pb_workload *w;
	int rc = pb_workload_open(in_spec, NULL, &w, err, errlen);
	if (rc)
		return rc;
	struct pb_pbt_writer *pw;
	rc = pb_pbt_create(out, pb_workload_page_shift(w), level, &pw, err, errlen);
	if (rc) {
		pb_workload_close(w);
		return rc;
	}
	struct pb_access *buf = malloc(BATCH * sizeof(*buf));
	if (!buf)
		rc = -ENOMEM;
	pb_progress_begin("trace convert: references", 0);
	while (!rc) {
		ssize_t r = pb_workload_next(w, buf, BATCH);
		if (r < 0) {
			snprintf(err, errlen, "%s", pb_workload_error(w));
			rc = (int)r;
		} else if (r == 0) {
			break;
		} else if ((rc = pb_pbt_write(pw, buf, (size_t)r))) {
			snprintf(err, errlen, "%s: write failed: %s", out, strerror(-rc));
		}
		if (r > 0)
			pb_progress_add((uint64_t)r);
	}
	pb_progress_end();
	free(buf);
	pb_workload_close(w);
	if (rc) {
		pb_pbt_abort(pw);
		return rc;
	}
	if (nrefs)
		*nrefs = pb_pbt_written(pw);
	return pb_pbt_finish(pw, err, errlen);
}

/* ---- CLI ---- */
static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: pagebench trace info FILE|SPEC [--format F] [--page BYTES] [--no-ifetch]\n"
		"       pagebench trace convert IN OUT [--format F] [--page BYTES] [--no-ifetch] [--level L]\n"
		"       pagebench trace record [-o FILE] [--level L] [--no-ifetch] -- CMD [ARGS...]\n"
		"formats: lackey text lis csv oracle u32 u64 pbt din pin vscsi perf (detected when\n"
		"omitted); zstd, gzip and xz inputs are read directly.  OUT is pagebench's pbt format.\n"
		"record traces CMD itself, not its children (lackey logs carry no pid to tell\n"
		"processes apart); exec the program directly rather than through a shell.\n");
}

struct topts {
	const char *fmt, *page, *out;
	int level, no_ifetch;
	char *pos[2];
	int npos;
	int cmd_at; /* index after "--" */
};

static void parse_opts(int argc, char **argv, struct topts *o, int allow_cmd)
{
	memset(o, 0, sizeof(*o));
	o->level = 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--") && allow_cmd) {
			o->cmd_at = i + 1;
			return;
		}
		if ((!strcmp(a, "--format") || !strcmp(a, "--page") || !strcmp(a, "--level") ||
		     !strcmp(a, "-o")) && i + 1 >= argc)
			pb_usage_error("trace", "%s needs a value", a);
		if (!strcmp(a, "--format")) {
			o->fmt = argv[++i];
		} else if (!strcmp(a, "--page")) {
			o->page = argv[++i];
		} else if (!strcmp(a, "-o")) {
			o->out = argv[++i];
			if (!o->out[0])
				pb_usage_error("trace", "-o: empty file name");
		} else if (!strcmp(a, "--level")) {
			uint64_t l;
			if (pb_parse_u64(argv[++i], &l) || l > 22)
				pb_usage_error("trace", "--level: '%s' is not 0..22", argv[i]);
			o->level = (int)l;
		} else if (!strcmp(a, "--no-ifetch")) {
			o->no_ifetch = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			trace_usage(stdout);
			exit(0);
		} else if (a[0] == '-' && a[1]) {
			pb_usage_error("trace", "unknown option '%s'", a);
		} else if (o->npos < 2) {
			o->pos[o->npos++] = argv[i];
		} else {
			pb_usage_error("trace", "unexpected argument '%s'", a);
		}
	}
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static int cmd_info(int argc, char **argv)
{
	struct topts o;
	parse_opts(argc, argv, &o, 0);
	if (o.npos != 1)
		pb_usage_error("trace", "info takes one FILE or SPEC");
	char spec[4200], err[WL_ERRLEN];
	if (make_spec(o.pos[0], o.fmt, o.page, o.no_ifetch, spec, sizeof(spec), err, sizeof(err)))
		pb_usage_error("trace", "%s", err);
	struct pb_trace_stats st;
	if (pb_trace_stats(spec, &st, err, sizeof(err))) {
		pb_error("trace", "%s", err);
		return PB_EXIT_USAGE;
	}
	uint64_t page = 1ULL << st.page_shift;
	printf("trace:          %s\n", o.pos[0]);
	printf("format:         %s\n", st.format);
	printf("page size:      %llu\n", (unsigned long long)page);
	printf("records:        %llu\n", (unsigned long long)st.records);
	printf("references:     %llu (page references after splitting)\n", (unsigned long long)st.refs);
	printf("  reads:        %llu (%.1f%%)\n", (unsigned long long)st.reads, pct(st.reads, st.refs));
	printf("  writes:       %llu (%.1f%%)\n", (unsigned long long)st.writes, pct(st.writes, st.refs));
	printf("  fetches:      %llu (%.1f%%)\n", (unsigned long long)st.fetches,
	       pct(st.fetches, st.refs));
	printf("skipped lines:  %llu\n", (unsigned long long)st.skipped_lines);
	printf("address spaces: %llu\n", (unsigned long long)st.asids);
	printf("distinct pages: %llu\n", (unsigned long long)st.distinct_pages);
	printf("footprint:      %.2f MiB\n", (double)st.distinct_pages * (double)page / 1048576.0);
	printf("reuse (LRU stack distance, pages):\n");
	printf("  cold (first) references: %llu (%.1f%%)\n", (unsigned long long)st.cold,
	       pct(st.cold, st.refs));
	const double fr[] = {0.5, 0.9, 0.99};
	for (int i = 0; i < 3; i++)
		printf("  LRU size for %2.0f%% of reuses to hit: <= %llu pages\n", fr[i] * 100,
		       (unsigned long long)pb_trace_lru_pages_for(&st, fr[i]));
	printf("  histogram (distance+1 in [2^i, 2^(i+1))):");
	unsigned last = 0;
	for (unsigned i = 0; i < 48; i++)
		if (st.hist[i])
			last = i;
	for (unsigned i = 0; i <= last && st.refs > st.cold; i++)
		printf(" %llu", (unsigned long long)st.hist[i]);
	printf("\n");
	return 0;
}

static int cmd_convert(int argc, char **argv)
{
	struct topts o;
	parse_opts(argc, argv, &o, 0);
	if (o.npos != 2)
		pb_usage_error("trace", "convert takes IN OUT");
	char spec[4200], err[WL_ERRLEN];
	if (make_spec(o.pos[0], o.fmt, o.page, o.no_ifetch, spec, sizeof(spec), err, sizeof(err)))
		pb_usage_error("trace", "%s", err);
	uint64_t n = 0;
	if (pb_trace_convert(spec, o.pos[1], o.level, &n, err, sizeof(err))) {
		pb_error("trace", "%s", err);
		return PB_EXIT_USAGE;
	}
	printf("%s: %llu references written\n", o.pos[1], (unsigned long long)n);
	return 0;
}

/* 1 if `prog` names an executable file, directly or through $PATH (as execvp
 * would find it), so a typo is reported by us in one line, not by valgrind. */
static int find_program(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");
		char buf[4096];
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, prog);
		if (len && access(buf, X_OK) == 0)
			return 1;
		p += len;
		if (*p == ':')
			p++;
	}
	return 0;
}

static int cmd_record(int argc, char **argv)
{
	struct topts o;
	parse_opts(argc, argv, &o, 1);
	if (!o.cmd_at || o.cmd_at >= argc)
		pb_usage_error("trace", "record needs -- CMD [ARGS...]");
	if (o.npos)
		pb_usage_error("trace", "unexpected argument '%s' (the command goes after --)",
			       o.pos[0]);
	const char *out = o.out ? o.out : "trace.pbt";
	char err[WL_ERRLEN];
	if (!find_program(argv[o.cmd_at]))
		pb_usage_error("trace", "cannot run '%s': no such program (or not executable)",
			       argv[o.cmd_at]);
	if (!find_program("valgrind"))
		pb_usage_error("trace", "record needs valgrind (apt-get install valgrind)");
	int pfd[2];
	if (pipe(pfd)) {
		pb_error("trace", "pipe: %s", strerror(errno));
		return PB_EXIT_FAIL;
	}
	struct pb_pbt_writer *pw;
	if (pb_pbt_create(out, PB_PAGE_SHIFT, o.level, &pw, err, sizeof(err))) {
		pb_error("trace", "%s", err);
		return PB_EXIT_FAIL;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		pb_error("trace", "fork: %s", strerror(errno));
		pb_pbt_abort(pw);
		return PB_EXIT_FAIL;
	}
	if (pid == 0) {
		close(pfd[0]);
		int nargs = argc - o.cmd_at;
		char **av = calloc((size_t)nargs + 6, sizeof(*av));
		char logfd[32];
		snprintf(logfd, sizeof(logfd), "--log-fd=%d", pfd[1]);
		int k = 0;
		av[k++] = "valgrind";
		av[k++] = "--tool=lackey";
		av[k++] = "--trace-mem=yes";
		av[k++] = logfd;
		for (int i = 0; i < nargs; i++)
			av[k++] = argv[o.cmd_at + i];
		av[k] = NULL;
		execvp("valgrind", av);
		fprintf(stderr, "pagebench trace: cannot run valgrind: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	struct wl_trace_opts to = {0};
	to.path = "<valgrind log>";
	to.fd = pfd[0];
	to.fmt = WL_FMT_LACKEY;
	to.page_shift = PB_PAGE_SHIFT;
	to.no_ifetch = o.no_ifetch;
	struct wl_trace *t = NULL;
	int rc = wl_trace_open(&to, &t, err, sizeof(err));
	struct pb_access *buf = malloc(BATCH * sizeof(*buf));
	if (!rc && !buf)
		rc = -ENOMEM;
	while (!rc) {
		ssize_t r = wl_trace_next(t, buf, BATCH);
		if (r < 0) {
			snprintf(err, sizeof(err), "%s", wl_trace_error(t));
			rc = (int)r;
		} else if (r == 0) {
			break;
		} else if ((rc = pb_pbt_write(pw, buf, (size_t)r))) {
			snprintf(err, sizeof(err), "%s: write failed: %s", out, strerror(-rc));
		}
	}
	free(buf);
	if (rc)
		kill(pid, SIGKILL);
	wl_trace_close(t); /* closes nothing we own; the fd is ours */
	close(pfd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (code == 127) {
		snprintf(err, sizeof(err), "valgrind could not be run (is it installed?)");
		rc = -ENOENT;
	} else if (rc && pb_pbt_written(pw) == 0 && code) {
		snprintf(err, sizeof(err),
			 "valgrind exited with status %d before writing a trace (see its message above)",
			 code);
	}
	if (rc) {
		pb_pbt_abort(pw);
		pb_error("trace", "%s", err);
		return PB_EXIT_USAGE;
	}
	uint64_t n = pb_pbt_written(pw);
	if (pb_pbt_finish(pw, err, sizeof(err))) {
		pb_error("trace", "%s", err);
		return PB_EXIT_FAIL;
	}
	/* stderr: stdout belongs to the recorded program */
	fprintf(stderr, "pagebench trace: %s: %llu references recorded", out, (unsigned long long)n);
	if (code)
		fprintf(stderr, " (the program exited with status %d)", code);
	fprintf(stderr, "\n");
	return 0;
}

int pb_cmd_trace(int argc, char **argv)
{
	if (argc < 2)
		pb_usage_error("trace", "missing subcommand (expected record|convert|info)");
	const char *sub = argv[1];
	if (!strcmp(sub, "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(sub, "convert"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(sub, "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		trace_usage(stdout);
		return 0;
	}
	pb_usage_error("trace", "unknown subcommand '%s' (expected record|convert|info)", sub);
}
