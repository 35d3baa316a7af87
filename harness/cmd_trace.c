/* SPDX-License-Identifier: MIT */
/*
 * harness/cmd_trace.c - `pagebench trace record|convert|info`: options,
 * output and messages; the work is in the workload module
 * (pb_trace_convert_named, pb_trace_info, pb_trace_fd_to_pbt in
 * pagebench/trace.h).
 *
 * record:  runs CMD under valgrind lackey (--trace-mem=yes) with its log
 *          sent to a pipe (--log-fd), parses the log as it streams and
 *          writes pbt, so a multi-GB text log never touches the disk.
 *          Meanwhile a thread samples the valgrind process's
 *          /proc/PID/maps (the client's mappings, with file names) and
 *          OUT.maps gets them (pb_trace_maps_*, docs/workloads.md).
 * convert: any readable trace to pbt.
 * info:    references, read/write/fetch mix, distinct pages, footprint and
 *          LRU stack-distance (reuse) summary.
 * Outputs (convert's OUT, record's -o) go through pagebench/outfile.h: OUT
 * is checked before any work (an existing file needs --force; a device,
 * FIFO, symlink or directory is never replaced), written beside itself,
 * fsync'ed and renamed; a fatal signal removes the temporary.
 * Errors are one line "pagebench trace: FILE:LINE: what"; exit 2 for usage
 * and bad input (a missing, unreadable or malformed file, a directory), 1
 * for a failure of the system (a read or write error, memory, a bound).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/kernel.h"
#include "pagebench/outfile.h"
#include "pagebench/param.h"
#include "pagebench/trace.h"

#define ERRLEN PB_KERNEL_ERRLEN /* a whole path and its reason */

/* Exit status for a library error: input that cannot be used (missing, a
 * directory, unreadable, malformed) or an output that is refused or cannot
 * be created where it was named is the user's to fix (2, as sim and mrc
 * exit on a trace they cannot open); anything else failed on the way (1: a
 * read or write error such as EIO or ENOSPC, memory, a bound). */
static int exit_for(int rc)
{
	return rc == -EEXIST || pb_input_rc_is_usage(rc) ? PB_EXIT_USAGE : PB_EXIT_FAIL;
}

/* Build a spec from a path or pass a spec through.  A generator spec's
 * seed is --seed (default 1, sim's and mrc's), handed to the library as
 * sim hands its own (pb_workload_opts.seed), unless the spec has seed=. */
static int make_spec(const char *in, const char *fmt, const char *page, uint64_t maxpages_n,
		     int no_ifetch, char *spec, size_t len, char *err, size_t errlen)
{
	char mp[32];
	const char *maxpages = NULL;
	if (maxpages_n) {
		snprintf(mp, sizeof(mp), "%llu", (unsigned long long)maxpages_n);
		maxpages = mp;
	}
	struct stat st;
	if (strchr(in, ':') && stat(in, &st)) { /* a full workload spec */
		if (fmt || page || maxpages || no_ifetch) {
			snprintf(
			    err, errlen,
			    "%s: --format, --page, --maxpages and --no-ifetch apply to a FILE; "
			    "give a spec its own format=, page=, maxpages=, ifetch=0",
			    in);
			return -EINVAL;
		}
		int n = snprintf(spec, len, "%s", in);
		if (n < 0 || (size_t)n >= len) {
			snprintf(err, errlen, "%.64s...: spec too long", in);
			return -EINVAL;
		}
		return 0;
	}
	/* A FIFO, socket or device is not a trace file: reading one blocks on
	 * a missing writer or never ends (/dev/zero). */
	if (!stat(in, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: not a regular file (a %s); save the trace to a file first", in,
			 S_ISFIFO(st.st_mode)	? "FIFO"
			 : S_ISSOCK(st.st_mode) ? "socket"
						: "device");
		return -EINVAL;
	}
	if (strchr(in, ',')) {
		snprintf(err, errlen, "%s: path contains ',' (rename the file)", in);
		return -EINVAL;
	}
	int n = snprintf(spec, len, "trace:path=%s%s%s%s%s%s%s%s", in, fmt ? ",format=" : "",
			 fmt ? fmt : "", page ? ",page=" : "", page ? page : "",
			 maxpages ? ",maxpages=" : "", maxpages ? maxpages : "",
			 no_ifetch ? ",ifetch=0" : "");
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%.64s...: path too long", in);
		return -EINVAL;
	}
	return 0;
}

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: pagebench trace info FILE|SPEC [--format F] [--page BYTES] [--no-ifetch]\n"
		"                  [--maxpages N] [--max-distinct N] [--seed S]\n"
		"       pagebench trace convert IN OUT [--format F] [--page BYTES] [--no-ifetch]\n"
		"                  [--maxpages N] [--level L [--huffman] | --fast N] [--seed S]\n"
		"                  [--force]\n"
		"       pagebench trace record [-o FILE] [--level L [--huffman] | --fast N]\n"
		"                  [--no-ifetch] [--force] -- CMD [ARGS...]\n"
		"(pagebench trace SUBCOMMAND --help lists its options)\n"
		"formats:");
	for (unsigned i = 0; pb_trace_format_name(i); i++)
		fprintf(f, " %s", pb_trace_format_name(i));
	fprintf(
	    f,
	    " (detected when omitted);\n"
	    "zstd, gzip and xz inputs are read directly.  OUT is pagebench's pbt format; an\n"
	    "existing OUT is replaced only with --force (never a device, FIFO or symlink).\n"
	    "--maxpages: most pages one trace record may expand to (default 65536).\n"
	    "A generator SPEC (zipf:pages=1000) is the stream sim and mrc replay: seeded with\n"
	    "--seed S (default 1, as theirs) unless it has its own seed=.\n"
	    "record traces CMD itself, not its children (lackey logs carry no pid to tell\n"
	    "processes apart); exec the program directly rather than through a shell.\n"
	    "record also writes FILE.maps, the process's mappings, which readers of FILE use\n"
	    "to tell its file-backed text and data from anonymous memory (docs/workloads.md).\n");
}

struct topts {
	char *fmt, *page, *out;
	uint64_t maxpages, max_distinct, level, fast, seed;
	int no_ifetch, force, huffman;
	char *pos[2];
	int npos;
	int cmd_at; /* index after "--" */
};

/* The zstd level of the pbt output: --fast N is zstd's level -N and
 * overrides --level (convert and record alike). */
static int out_level(const struct topts *o)
{
	return o->fast ? -(int)o->fast : (int)o->level;
}

/* The pbt writer's flags: --force, --huffman. */
static unsigned pbt_flags(const struct topts *o)
{
	return (o->force ? PB_OUT_FORCE : 0) | (o->huffman ? PB_PBT_HUFFMAN : 0);
}

/* One entry per option; each subcommand's table lists the ones it honours,
 * so an option of another subcommand is refused naming it. */
#define O(f) offsetof(struct topts, f)
#define T_FORMAT                                                                                   \
	{                                                                                          \
		"format", PB_PT_STR, O(fmt), NULL, "input format (default: detected)", NULL, 0, 0, \
		    0, 0, "F"                                                                      \
	}
#define T_PAGE                                                                                     \
	{                                                                                          \
		"page", PB_PT_STR, O(page), NULL, "page size in bytes (default 4096)", NULL, 0, 0, \
		    0, 0, "BYTES"                                                                  \
	}
#define T_NOIFETCH                                                                                 \
	{                                                                                          \
		"no-ifetch", PB_PT_FLAG, O(no_ifetch), NULL, "drop instruction fetches", NULL, 0,  \
		    0, 0, 0, NULL                                                                  \
	}
#define T_MAXPAGES                                                                                 \
	{                                                                                          \
		"maxpages", PB_PT_SIZE, O(maxpages), NULL,                                         \
		    "most pages one trace record may expand to (default 65536)", NULL, 1, 1e15, 0, \
		    0, "N"                                                                         \
	}
#define T_LEVEL                                                                                    \
	{                                                                                          \
		"level", PB_PT_U64, O(level), "3", "zstd level of the pbt output", NULL, 0, 22, 0, \
		    0, "L"                                                                         \
	}
#define T_FAST                                                                                     \
	{                                                                                          \
		"fast", PB_PT_U64, O(fast), "0",                                                   \
		    "zstd fast level N (zstd --fast=N; overrides --level): matches only, files "   \
		    "larger than level 3's",                                                       \
		    NULL, 0, 7, 0, 0, "N"                                                          \
	}
#define T_HUFFMAN                                                                                  \
	{                                                                                          \
		"huffman", PB_PT_FLAG, O(huffman), NULL,                                           \
		    "Huffman-code zstd's literals: files 6-12% smaller, random-looking traces "    \
		    "replay up to 1.7x slower (default: literals stored raw)",                     \
		    NULL, 0, 0, 0, 0, NULL                                                         \
	}
#define T_FORCE                                                                                    \
	{                                                                                          \
		"force", PB_PT_FLAG, O(force), NULL,                                               \
		    "replace an existing regular OUT (never a device, FIFO or symlink)", NULL, 0,  \
		    0, 0, 0, NULL                                                                  \
	}
#define T_SEED                                                                                     \
	{                                                                                          \
		"seed", PB_PT_U64, O(seed), "1",                                                   \
		    "seed of a generator SPEC without its own seed= (as sim's and mrc's --seed); " \
		    "a trace has none",                                                            \
		    NULL, 0, 0, 0, 0, "S"                                                          \
	}
/* the help line below names the default */
_Static_assert(PB_TRACE_MAX_DISTINCT == 16777216, "--max-distinct's help names 16777216");
static const struct pb_param info_params[] = {
    T_FORMAT,
    T_PAGE,
    T_NOIFETCH,
    T_MAXPAGES,
    {"max-distinct", PB_PT_SIZE, O(max_distinct), NULL,
     "stop the reuse summary's distinct-page set at N (default: 16777216, 2^24)", NULL, 1, 1e15, 0,
     0, "N"},
    T_SEED,
    {0},
};
static const struct pb_param convert_params[] = {
    T_FORMAT, T_PAGE, T_NOIFETCH, T_MAXPAGES, T_LEVEL, T_FAST, T_HUFFMAN, T_SEED, T_FORCE, {0},
};
static const struct pb_param record_params[] = {
    {"out", PB_PT_STR, O(out), "trace.pbt", "the pbt file to write (and FILE.maps)", NULL, 0, 0,
     'o', 0, "FILE"},
    T_LEVEL,
    T_FAST,
    T_HUFFMAN,
    T_NOIFETCH,
    T_FORCE,
    {0},
};
#undef O

static void parse_opts(int argc, char **argv, struct topts *o, const char *sub)
{
	const struct pb_param *t = !strcmp(sub, "record")    ? record_params
				   : !strcmp(sub, "convert") ? convert_params
							     : info_params;
	char err[ERRLEN];
	memset(o, 0, sizeof(*o));
	if (pb_param_defaults(t, o, err, sizeof(err)))
		pb_usage_error("trace", "%s", err);
	/* record: what follows "--" is the command, not ours */
	int end = argc;
	if (t == record_params)
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "--")) {
				end = i;
				o->cmd_at = i + 1;
				break;
			}
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos = 0;
	if (!pos)
		pb_usage_error("trace", "out of memory");
	int rc = pb_param_getopt(t, o, end, argv, pos, &npos, NULL, err, sizeof(err));
	if (rc == 1) {
		printf("usage: pagebench trace %s\n",
		       t == record_params    ? "record [options] -- CMD [ARGS...]"
		       : t == convert_params ? "convert IN OUT [options]"
					     : "info FILE|SPEC [options]");
		printf("options:\n");
		pb_param_help(t, stdout, 1);
		printf("(see pagebench trace --help for all subcommands)\n");
		exit(0);
	}
	if (rc)
		pb_usage_error("trace", "%s %s (see pagebench trace %s --help)", sub, err, sub);
	if (o->out && !o->out[0])
		pb_usage_error("trace", "-o: empty file name");
	if (o->huffman && (o->fast || !o->level))
		pb_usage_error("trace", "--huffman needs a zstd level of 1-22 (--fast N and "
					"--level 0 write no Huffman-coded literals)");
	if (npos > 2)
		pb_usage_error("trace", "unexpected argument '%s'", pos[2]);
	for (int i = 0; i < npos; i++)
		o->pos[i] = pos[i];
	o->npos = npos;
	free(pos);
}

static void trace_free(struct topts *o, const char *sub)
{
	pb_param_free(!strcmp(sub, "record")	? record_params
		      : !strcmp(sub, "convert") ? convert_params
						: info_params,
		      o);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static int cmd_info(int argc, char **argv)
{
	struct topts o;
	parse_opts(argc, argv, &o, "info");
	if (o.npos != 1)
		pb_usage_error("trace", "info takes one FILE or SPEC");
	char spec[4200], err[ERRLEN];
	if (make_spec(o.pos[0], o.fmt, o.page, o.maxpages, o.no_ifetch, spec, sizeof(spec), err,
		      sizeof(err)))
		pb_usage_error("trace", "%s", err);
	static struct pb_trace_stats st; /* its canonical spec: 5 KiB */
	struct pb_trace_info_opts io = {.max_distinct = o.max_distinct, .seed = o.seed};
	int rc = pb_trace_info(spec, &io, &st, err, sizeof(err));
	if (rc) {
		pb_error("trace", "%s", err);
		trace_free(&o, "info");
		return exit_for(rc);
	}
	uint64_t page = 1ULL << st.page_shift;
	/* the stream as sim names it (its `workload` column, meta.json
	 * config.workload): canonical, every default filled in, a
	 * generator's seed included, so two different streams never print
	 * alike */
	printf("trace:          %s\n", st.canonical);
	printf("format:         %s\n", st.format);
	/* a pbt file is not compressed as a whole: its blocks are, each on
	 * its own (zstd or stored), as the next line counts */
	if (st.pbt_blocks[0] + st.pbt_blocks[1] && !strcmp(st.compression, "none"))
		printf("compression:    per pbt block (below)\n");
	else if (st.pbt_blocks[0] + st.pbt_blocks[1])
		printf("compression:    %s, and per pbt block (below)\n", st.compression);
	else
		printf("compression:    %s\n", st.compression);
	if (st.pbt_blocks[0] + st.pbt_blocks[1])
		printf("pbt blocks:     %llu (zstd %llu, stored %llu)\n",
		       (unsigned long long)(st.pbt_blocks[0] + st.pbt_blocks[1]),
		       (unsigned long long)st.pbt_blocks[1], (unsigned long long)st.pbt_blocks[0]);
	printf("page size:      %llu\n", (unsigned long long)page);
	printf("records:        %llu\n", (unsigned long long)st.records);
	printf("references:     %llu (page references after splitting)\n",
	       (unsigned long long)st.refs);
	printf("  reads:        %llu (%.1f%%)\n", (unsigned long long)st.reads,
	       pct(st.reads, st.refs));
	printf("  writes:       %llu (%.1f%%)\n", (unsigned long long)st.writes,
	       pct(st.writes, st.refs));
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
	trace_free(&o, "info");
	return 0;
}

/* OUT must be writable before any work: one line, exit 2. */
static void check_out(const char *out, unsigned flags)
{
	char err[ERRLEN];
	if (pb_out_check(out, flags, err, sizeof(err)))
		pb_usage_error("trace", "%s", err);
}

static int cmd_convert(int argc, char **argv)
{
	struct topts o;
	parse_opts(argc, argv, &o, "convert");
	if (o.npos != 2)
		pb_usage_error("trace", "convert takes IN OUT");
	unsigned flags = o.force ? PB_OUT_FORCE : 0;
	char spec[4200], err[ERRLEN];
	if (make_spec(o.pos[0], o.fmt, o.page, o.maxpages, o.no_ifetch, spec, sizeof(spec), err,
		      sizeof(err)))
		pb_usage_error("trace", "%s", err);
	check_out(o.pos[1], flags);
	pb_signals_install(0); /* a fatal signal removes OUT's temporary */
	uint64_t n = 0;
	/* named as info names it, when IN is opened: before OUT may replace
	 * IN (convert X X --force) */
	static char canon[PB_WORKLOAD_CANONLEN];
	int rc = pb_trace_convert_named(spec, o.seed, o.pos[1], out_level(&o), pbt_flags(&o), &n,
					canon, sizeof(canon), err, sizeof(err));
	if (rc) {
		pb_error("trace", "%s", err);
	} else {
		fprintf(stderr, "pagebench trace: converted %s\n", canon);
		printf("%s: %llu references written\n", o.pos[1], (unsigned long long)n);
	}
	trace_free(&o, "convert");
	return rc ? exit_for(rc) : 0;
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

/* The mappings sampler of record: every 10 ms, once the child runs
 * valgrind's lackey tool (before that it is a copy of pagebench, then
 * valgrind's launcher, whose mappings are not the client's). */
struct maps_sampler {
	pid_t pid;
	int stop;
	struct pb_trace_maps *m;
};

static int runs_lackey(pid_t pid)
{
	char p[64], exe[4096];
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(p, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = 0;
	const char *b = strrchr(exe, '/');
	return !strncmp(b ? b + 1 : exe, "lackey-", 7);
}

static void *sample_maps(void *arg)
{
	struct maps_sampler *s = arg;
	const struct timespec tick = {0, 10 * 1000 * 1000};
	while (!pb_atomic_load(&s->stop, PB_ACQUIRE)) {
		if (runs_lackey(s->pid))
			(void)pb_trace_maps_sample(s->m, s->pid); /* gone: the next wait ends */
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static int record_run(int argc, char **argv, struct topts o);

static int cmd_record(int argc, char **argv)
{
	struct topts o;
	parse_opts(argc, argv, &o, "record");
	int rc = record_run(argc, argv, o);
	trace_free(&o, "record");
	return rc;
}

static int record_run(int argc, char **argv, struct topts o)
{
	if (!o.cmd_at || o.cmd_at >= argc)
		pb_usage_error("trace", "record needs -- CMD [ARGS...]");
	if (o.npos)
		pb_usage_error("trace", "unexpected argument '%s' (the command goes after --)",
			       o.pos[0]);
	const char *out = o.out;
	unsigned flags = o.force ? PB_OUT_FORCE : 0;
	char err[ERRLEN], maps_out[4200];
	check_out(out, flags);
	snprintf(maps_out, sizeof(maps_out), "%s.maps", out);
	check_out(maps_out, flags);
	if (!find_program(argv[o.cmd_at]))
		pb_usage_error("trace", "cannot run '%s': no such program (or not executable)",
			       argv[o.cmd_at]);
	if (!find_program("valgrind"))
		pb_usage_error("trace", "record needs valgrind (apt-get install valgrind)");
	pb_signals_install(0);
	int pfd[2];
	if (pipe(pfd)) {
		pb_error("trace", "pipe: %s", strerror(errno));
		return PB_EXIT_FAIL;
	}
	struct pb_pbt_writer *pw;
	int rc =
	    pb_pbt_create(out, PB_PAGE_SHIFT, out_level(&o), pbt_flags(&o), &pw, err, sizeof(err));
	if (rc) {
		pb_error("trace", "%s", err);
		return exit_for(rc);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		pb_error("trace", "fork: %s", strerror(errno));
		pb_pbt_abort(pw);
		return PB_EXIT_FAIL;
	}
	if (pid == 0) {
		/* the parent's handlers would remove its temporary: not ours */
		const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			struct sigaction sa;
			if (!sigaction(sigs[i], NULL, &sa) && sa.sa_handler != SIG_IGN)
				signal(sigs[i], SIG_DFL);
		}
		close(pfd[0]);
		int nargs = argc - o.cmd_at;
		char **av = calloc((size_t)nargs + 6, sizeof(*av));
		char logfd[32];
		if (!av)
			_exit(127);
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
	struct maps_sampler ms = {pid, 0, pb_trace_maps_new()};
	pthread_t sampler;
	int sampling = ms.m && !pthread_create(&sampler, NULL, sample_maps, &ms);
	/* references recorded so far, on a terminal only (a long program was silent) */
	pb_progress_begin("trace record: references", 0);
	rc = pb_trace_fd_to_pbt(pfd[0], "<valgrind log>", "lackey", o.no_ifetch, pw, err,
				sizeof(err));
	pb_progress_end();
	if (rc)
		kill(pid, SIGKILL);
	close(pfd[0]);
	if (sampling) {
		pb_atomic_store(&ms.stop, 1, PB_RELEASE);
		pthread_join(sampler, NULL);
		if (runs_lackey(pid)) /* the log ended: a last look before the exit */
			(void)pb_trace_maps_sample(ms.m, pid);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (code == 127) {
		snprintf(err, sizeof(err), "valgrind could not be run (is it installed?)");
		rc = -ECHILD; /* not the user's input: exit 1 */
	} else if (rc && pb_pbt_written(pw) == 0 && code) {
		snprintf(
		    err, sizeof(err),
		    "valgrind exited with status %d before writing a trace (see its message above)",
		    code);
	}
	if (rc) {
		pb_trace_maps_free(ms.m);
		pb_pbt_abort(pw);
		pb_error("trace", "%s", err);
		return exit_for(rc);
	}
	uint64_t n = pb_pbt_written(pw);
	rc = pb_pbt_finish(pw, err, sizeof(err));
	size_t nmaps = ms.m ? pb_trace_maps_count(ms.m) : 0;
	if (!rc && nmaps)
		rc = pb_trace_maps_write(ms.m, maps_out, flags, err, sizeof(err));
	/* an earlier OUT's sidecar (--force, or check_out refused it) would
	 * be applied to the new trace by its readers */
	if (!rc && !nmaps && unlink(maps_out) && errno != ENOENT) {
		rc = -errno;
		snprintf(err, sizeof(err), "%s: written, but the old %s could not be removed: %s",
			 out, maps_out, strerror(-rc));
	}
	pb_trace_maps_free(ms.m);
	if (rc) {
		pb_error("trace", "%s", err);
		return exit_for(rc);
	}
	/* stderr: stdout belongs to the recorded program */
	fprintf(stderr, "pagebench trace: %s: %llu references recorded", out,
		(unsigned long long)n);
	if (nmaps)
		fprintf(stderr, ", %zu mappings in %s", nmaps, maps_out);
	else
		fprintf(stderr, " (the process's mappings could not be read: no %s)", maps_out);
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
