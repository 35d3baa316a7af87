/*
 * kernels/vm/cmd_sim.c - `pagebench sim` and `pagebench mrc`.
 *
 * sim: loads the workload stream once into mapped memory, then replays it
 * through a fresh engine for every (policy, frames, repetition).  With one
 * engine thread the configurations run in parallel across the machine's
 * PUs (each one a deterministic single-thread replay); with --threads T
 * each configuration runs on T pinned engine threads, one after another.
 * Rows go to sim.csv in a new run folder (and stdout with --csv).
 *
 * mrc: miss ratio against frames for several policies; LRU in one pass by
 * stack distances (Mattson et al. 1970) when the policy module provides
 * pb_mrc_lru, every other point by an independent policy replay, in
 * parallel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagebench/atomic.h"
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/results.h"
#include "pagebench/team.h"
#include "pagebench/vm.h"
#include "vm_internal.h"

#include "pagebench/mrc.h"

struct sim_opts {
	const char *workload;
	char **policies;
	size_t npolicies;
	uint64_t *frames;
	size_t nframes;
	uint64_t flo, fhi, fstep; /* mrc range */
	enum pb_prepage prepage;
	enum pb_vm_pt pt;
	enum pb_vm_order order;
	enum pb_vm_hints hints;
	unsigned threads;
	unsigned reps;
	int csv;
	uint64_t seed;
	struct pb_tlb_geom tlb;
	const char *tlb_spec;
	const struct pb_cost_device *device;
	const char *backing; /* NULL: simulated */
	const char *backing_spec;
	const char *policy_params;
	const char *results;
};

static void sim_usage(FILE *f, const char *cmd)
{
	char devs[256];
	pb_cost_device_names(devs, sizeof(devs));
	if (!strcmp(cmd, "mrc"))
		fprintf(f, "usage: pagebench mrc --workload SPEC --policy P1[,P2...] --frames LO:HI:STEP [options]\n"
			   "Miss ratio against frames, one row per (policy, frames).\n");
	else
		fprintf(f, "usage: pagebench sim --workload SPEC --policy P1[,P2...] --frames N1[,N2...] [options]\n"
			   "Demand-paging simulation: TLB, page walk, faults, eviction, prepaging, cost.\n");
	fprintf(f,
		"options:\n"
		"  --workload SPEC     generator or trace (see `pagebench list workloads`)\n"
		"  --policy LIST       eviction policies, or all (see `pagebench list policies`)\n"
		"  --policy-params KV  parameters passed to every policy (e.g. kin=0.25)\n"
		"  --frames LIST       physical frames (sim: 64,128 or 64-66; mrc: LO:HI:STEP)\n"
		"  --prepage S         demand|readahead|faultaround|swapcluster (default demand)\n"
		"  --pt KIND           radix|hashed page tables (default radix)\n"
		"  --threads T         engine threads per configuration (default 1)\n"
		"  --order O           strict (deterministic chunks in stream order) | free (default strict)\n"
		"  --hints H           exact (every hit reaches the policy, = replay) | abit (once per\n"
		"                      policy miss per TLB entry, as accessed bits; HW policies only)\n"
		"  --reps R            repetitions (default 1)\n"
		"  --seed S            seed (default 1)\n"
		"  --tlb P             skylake|icelake|zen3|zen4|textbook or l1=E:W,l1i=E:W,l2=E:W (default skylake)\n"
		"  --device D          %s (default nvme)\n"
		"  --backing B         sim (default) or file:PATH (real pread/pwrite; PATH is overwritten)\n"
		"  --results DIR       results root (default $PAGEBENCH_RESULTS or ./results)\n"
		"  --csv               print the rows on stdout\n",
		devs);
}

static void parse_opts(const char *cmd, int argc, char **argv, struct sim_opts *o)
{
	static const struct option lo[] = {
		{"workload", required_argument, 0, 'w'}, {"policy", required_argument, 0, 'p'},
		{"frames", required_argument, 0, 'f'},   {"prepage", required_argument, 0, 'P'},
		{"pt", required_argument, 0, 'T'},       {"threads", required_argument, 0, 't'},
		{"reps", required_argument, 0, 'r'},     {"csv", no_argument, 0, 'c'},
		{"seed", required_argument, 0, 's'},     {"tlb", required_argument, 0, 'L'},
		{"device", required_argument, 0, 'd'},   {"backing", required_argument, 0, 'b'},
		{"order", required_argument, 0, 'o'},    {"results", required_argument, 0, 'R'},
		{"policy-params", required_argument, 0, 'q'}, {"hints", required_argument, 0, 'H'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	memset(o, 0, sizeof(*o));
	o->prepage = PB_PREPAGE_DEMAND;
	o->threads = 1;
	o->reps = 1;
	o->seed = 1;
	o->tlb_spec = "skylake";
	o->device = pb_cost_device_find("nvme");
	o->backing_spec = "sim";
	const char *frames = NULL;
	char err[256];
	uint64_t v;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'w': o->workload = optarg; break;
		case 'p':
			if (o->policies)
				pb_free_list(o->policies, o->npolicies);
			if (!strcmp(optarg, "all")) { /* every registered policy, table order */
				size_t n = 0;
				while (pb_policies[n])
					n++;
				o->policies = calloc(n, sizeof(char *));
				for (size_t i = 0; i < n; i++)
					o->policies[i] = strdup(pb_policies[i]->name);
				o->npolicies = n;
				break;
			}
			if (pb_split_list(optarg, &o->policies, &o->npolicies) || !o->npolicies)
				pb_usage_error(cmd, "bad --policy '%s' (expected a list of names or all)", optarg);
			break;
		case 'q': o->policy_params = optarg; break;
		case 'f': frames = optarg; break;
		case 'P':
			if (pb_prepage_parse(optarg, &o->prepage))
				pb_usage_error(cmd, "bad --prepage '%s' (expected demand|readahead|faultaround|swapcluster)", optarg);
			break;
		case 'T':
			if (!strcmp(optarg, "radix"))
				o->pt = PB_VM_PT_RADIX;
			else if (!strcmp(optarg, "hashed"))
				o->pt = PB_VM_PT_HASHED;
			else
				pb_usage_error(cmd, "bad --pt '%s' (expected radix|hashed)", optarg);
			break;
		case 't':
			if (pb_parse_u64(optarg, &v) || v < 1 || v > 1024)
				pb_usage_error(cmd, "bad --threads '%s' (expected 1..1024)", optarg);
			o->threads = (unsigned)v;
			break;
		case 'o':
			if (!strcmp(optarg, "strict"))
				o->order = PB_VM_ORDER_STRICT;
			else if (!strcmp(optarg, "free"))
				o->order = PB_VM_ORDER_FREE;
			else
				pb_usage_error(cmd, "bad --order '%s' (expected strict|free)", optarg);
			break;
		case 'H':
			if (!strcmp(optarg, "exact"))
				o->hints = PB_VM_HINTS_EXACT;
			else if (!strcmp(optarg, "abit"))
				o->hints = PB_VM_HINTS_ABIT;
			else
				pb_usage_error(cmd, "bad --hints '%s' (expected exact|abit)", optarg);
			break;
		case 'r':
			if (pb_parse_u64(optarg, &v) || v < 1 || v > 10000)
				pb_usage_error(cmd, "bad --reps '%s' (expected 1..10000)", optarg);
			o->reps = (unsigned)v;
			break;
		case 'c': o->csv = 1; break;
		case 's':
			if (pb_parse_u64(optarg, &o->seed))
				pb_usage_error(cmd, "bad --seed '%s' (expected an unsigned integer)", optarg);
			break;
		case 'L': o->tlb_spec = optarg; break;
		case 'd':
			o->device = pb_cost_device_find(optarg);
			if (!o->device) {
				char devs[256];
				pb_cost_device_names(devs, sizeof(devs));
				pb_usage_error(cmd, "bad --device '%s' (expected %s)", optarg, devs);
			}
			break;
		case 'b':
			o->backing_spec = optarg;
			if (!strcmp(optarg, "sim"))
				o->backing = NULL;
			else if (!strncmp(optarg, "file:", 5) && optarg[5])
				o->backing = optarg + 5;
			else
				pb_usage_error(cmd, "bad --backing '%s' (expected sim or file:PATH)", optarg);
			break;
		case 'R':
			if (!optarg[0])
				pb_usage_error(cmd, "bad --results '' (expected a folder)");
			o->results = optarg;
			break;
		case 'h': sim_usage(stdout, cmd); exit(0);
		default:
			if (ch == ':' || (optopt && strchr("wpfPTtrsLdboRqH", optopt)))
				pb_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			pb_usage_error(cmd, "unknown or incomplete option '%s' (see pagebench %s --help)",
				       argv[optind - 1], cmd);
		}
	}
	if (optind < argc)
		pb_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!o->workload)
		pb_usage_error(cmd, "missing --workload SPEC (see `pagebench list workloads`)");
	if (!o->policies)
		pb_usage_error(cmd, "missing --policy P1[,P2...] (see `pagebench list policies`)");
	for (size_t i = 0; i < o->npolicies; i++)
		if (!pb_policy_find(o->policies[i]))
			pb_usage_error(cmd, "unknown policy '%s' (see `pagebench list policies`)",
				       o->policies[i]);
	if (!frames)
		pb_usage_error(cmd, "missing --frames");
	if (!strcmp(cmd, "mrc")) {
		char *end;
		const char *s = frames;
		errno = 0; /* an overflowing bound or step is ERANGE, not ULLONG_MAX */
		unsigned long long a = strtoull(s, &end, 10), b = 0, c = 0;
		int ok = end != s && *end == ':' && *s != '-';
		if (ok) {
			s = end + 1;
			b = strtoull(s, &end, 10);
			ok = end != s && *end == ':' && *s != '-';
		}
		if (ok) {
			s = end + 1;
			c = strtoull(s, &end, 10);
			ok = end != s && !*end && *s != '-';
		}
		if (!ok || errno == ERANGE || a < 1 || b < a || c < 1 || (b - a) / c > 100000)
			pb_usage_error(cmd, "bad --frames '%s' (expected LO:HI:STEP, 1 <= LO <= HI, STEP >= 1, at most 100000 points)", frames);
		o->flo = a;
		o->fhi = b;
		o->fstep = c;
	} else {
		if (pb_parse_u64_list(frames, &o->frames, &o->nframes) || !o->nframes)
			pb_usage_error(cmd, "bad --frames '%s' (expected e.g. 64,128 or 64-70)", frames);
		for (size_t i = 0; i < o->nframes; i++)
			if (o->frames[i] < 1 || o->frames[i] > (1ULL << 32))
				pb_usage_error(cmd, "bad --frames '%s' (each count 1..2^32)", frames);
	}
	if (pb_tlb_parse(o->tlb_spec, &o->tlb, err, sizeof(err)))
		pb_usage_error(cmd, "bad --tlb: %s", err);
}

/* The whole stream in mapped memory. */
struct stream {
	struct pb_access *a;
	size_t n, cap;
	uint64_t *next_use;
	uint64_t distinct;
	char canonical[1024];
};

static uint64_t distinct_pages(const struct stream *s);

static int load_stream(const char *cmd, const struct sim_opts *o, struct stream *s)
{
	char err[512];
	struct pb_workload *w;
	struct pb_workload_opts wo = {.thread = 0, .nthreads = 1, .seed = o->seed};
	memset(s, 0, sizeof(*s));
	int rc = pb_workload_open(o->workload, &wo, &w, err, sizeof(err));
	if (rc)
		pb_usage_error(cmd, "%s", err);
	if (pb_workload_page_shift(w) != PB_PAGE_SHIFT) {
		pb_workload_close(w);
		pb_usage_error(cmd, "workload page size 2^%u: the engine simulates 4 KiB pages",
			       pb_workload_page_shift(w));
	}
	snprintf(s->canonical, sizeof(s->canonical), "%s", pb_workload_canonical(w));
	for (;;) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 1 << 16;
			struct pb_access *na = pb_map(cap * sizeof(*na), 0);
			if (!na) {
				pb_workload_close(w);
				pb_error(cmd, "out of memory loading the workload");
				return -ENOMEM;
			}
			if (s->a) {
				memcpy(na, s->a, s->n * sizeof(*na));
				pb_unmap(s->a, s->cap * sizeof(*na));
			}
			s->a = na;
			s->cap = cap;
		}
		ssize_t got = pb_workload_next(w, s->a + s->n, s->cap - s->n);
		if (got < 0) {
			snprintf(err, sizeof(err), "%s", pb_workload_error(w));
			pb_workload_close(w);
			pb_usage_error(cmd, "%s", err);
		}
		if (got == 0)
			break;
		s->n += (size_t)got;
	}
	pb_workload_close(w);
	for (size_t i = 0; i < s->n; i++)
		if (s->a[i].asid > VM_ASID_MAX)
			pb_usage_error(cmd, "workload asid %u above the engine's limit %u", s->a[i].asid,
				       VM_ASID_MAX);
		else if (s->a[i].addr >> 48)
			pb_usage_error(cmd, "workload address %#llx beyond 48 bits (reference %zu)",
				       (unsigned long long)s->a[i].addr, i);
	if (!s->n)
		pb_usage_error(cmd, "workload '%s' has no accesses", o->workload);
	s->distinct = distinct_pages(s);
	return 0;
}

/* Distinct (asid, page) translations of the stream: sizes page tables. */
static uint64_t distinct_pages(const struct stream *s)
{
	uint64_t cap = 1024;
	while (cap < 2 * (uint64_t)s->n)
		cap <<= 1;
	uint64_t *set = pb_map(cap * sizeof(uint64_t), 0);
	if (!set)
		return s->n;
	uint64_t d = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t k = (((uint64_t)s->a[i].asid << 48) | (s->a[i].addr >> PB_PAGE_SHIFT)) + 1;
		uint64_t h = k * 0x9e3779b97f4a7c15ULL;
		for (uint64_t j = (h ^ (h >> 29)) & (cap - 1);; j = (j + 1) & (cap - 1)) {
			if (set[j] == k)
				break;
			if (!set[j]) {
				set[j] = k;
				d++;
				break;
			}
		}
	}
	pb_unmap(set, cap * sizeof(uint64_t));
	return d;
}

static void free_stream(struct stream *s)
{
	if (s->a)
		pb_unmap(s->a, s->cap * sizeof(*s->a));
	if (s->next_use)
		pb_unmap(s->next_use, s->n * sizeof(uint64_t));
}

static int need_next_use(const struct sim_opts *o)
{
	for (size_t i = 0; i < o->npolicies; i++)
		if (pb_policy_find(o->policies[i])->flags & PB_POL_OFFLINE)
			return 1;
	return 0;
}

/* Bad --policy-params are usage errors: try each policy once. */
static void check_policy_params(const char *cmd, const struct sim_opts *o)
{
	for (size_t i = 0; i < o->npolicies; i++) {
		const struct pb_policy_desc *d = pb_policy_find(o->policies[i]);
		struct pb_policy_cfg pc = {.frames = 4, .seed = o->seed, .params = o->policy_params};
		struct pb_policy *p;
		char err[256] = "";
		if (d->create(&pc, &p, err, sizeof(err)))
			pb_usage_error(cmd, "%s", err);
		d->destroy(p);
	}
}

/* ---- sim ---- */
struct job {
	const struct pb_policy_desc *pol;
	uint64_t frames;
	unsigned rep;
	int rc;
	char err[384];
	struct pb_vm_stats st;
	double eat_ns, seconds;
	uint64_t distinct;
	const char *pt_impl;
};

struct jobs {
	const struct sim_opts *o;
	const struct stream *s;
	struct job *j;
	size_t n;
	size_t next; /* atomic */
};

static void run_job(const struct sim_opts *o, const struct stream *s, struct job *j)
{
	struct pb_vm_cfg c;
	pb_vm_cfg_default(&c);
	c.policy = j->pol;
	c.policy_params = o->policy_params;
	c.frames = j->frames;
	c.prepage = o->prepage;
	c.pt = o->pt;
	c.nthreads = o->threads;
	c.order = o->order;
	c.hints = o->hints;
	c.seed = o->seed + j->rep;
	c.tlb = o->tlb;
	c.device = o->device;
	c.backing_path = o->backing;
	c.expected_keys = s->distinct;
	struct pb_vm *vm;
	j->rc = pb_vm_create(&c, &vm, j->err, sizeof(j->err));
	if (j->rc)
		return;
	uint64_t t0 = pb_now_ns();
	j->rc = pb_vm_replay(vm, s->a, s->n, s->next_use, 0);
	j->seconds = (double)(pb_now_ns() - t0) * 1e-9;
	if (j->rc) {
		snprintf(j->err, sizeof(j->err), "%s", pb_vm_error(vm));
	} else {
		char err[256];
		if (pb_vm_check(vm, err, sizeof(err))) {
			j->rc = -EPROTO;
			snprintf(j->err, sizeof(j->err), "self-check failed: %s", err);
		}
	}
	pb_vm_stats(vm, &j->st);
	j->eat_ns = pb_vm_eat_ns(vm, &j->st);
	j->pt_impl = o->pt == PB_VM_PT_HASHED ? "hashed" : "radix";
	pb_vm_destroy(vm);
}

static void jobs_worker(void *arg, unsigned tid)
{
	struct jobs *js = arg;
	(void)tid;
	for (;;) {
		size_t i = pb_atomic_fetch_add(&js->next, 1, PB_RELAXED);
		if (i >= js->n)
			return;
		run_job(js->o, js->s, &js->j[i]);
		pb_progress_add(1);
	}
}

static const char *const sim_cols[] = {
	"workload",	  "policy",	    "frames",	    "prepage",	      "pt",
	"threads",	  "order", "hints",	    "tlb",	    "device",	      "backing",
	"rep",		  "refs",	    "hits",	    "faults",	      "minor_faults",
	"major_faults",	  "zero_fills",	    "swap_ins",	    "file_reads",     "pagecache_hits",
	"cow_copies",	  "evictions",	    "writebacks",   "swap_outs",      "file_writebacks",
	"tlb_l1_hits",	  "tlb_l2_hits",    "tlb_misses",   "shootdowns",     "prepaged",
	"prepage_used",	  "prepage_unused", "prepage_mapped", "read_ios",     "write_ios",
	"fault_rate",	  "eat_ns",	    "seconds",	    "accesses_per_s", "valid",
	NULL};

static void config_common(struct pb_run *run, const struct sim_opts *o, const struct stream *s)
{
	char buf[256];
	pb_run_config_str(run, "workload", s->canonical);
	snprintf(buf, sizeof(buf), "%" PRIu64, o->seed);
	pb_run_config_json(run, "seed", buf);
	snprintf(buf, sizeof(buf), "%zu", s->n);
	pb_run_config_json(run, "refs", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, s->distinct);
	pb_run_config_json(run, "distinct_pages", buf);
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < o->npolicies; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", o->policies[i]);
	pb_run_config_str(run, "policies", buf);
	if (o->policy_params)
		pb_run_config_str(run, "policy_params", o->policy_params);
}

int pb_cmd_sim(int argc, char **argv)
{
	const char *cmd = "sim";
	struct sim_opts o;
	parse_opts(cmd, argc, argv, &o);
	for (size_t i = 0; i < o.npolicies; i++) {
		const struct pb_policy_desc *d = pb_policy_find(o.policies[i]);
		if ((d->flags & PB_POL_OFFLINE) && o.prepage != PB_PREPAGE_DEMAND)
			pb_usage_error(cmd, "policy %s needs the future of every page: use --prepage demand", d->name);
		if ((d->flags & PB_POL_OFFLINE) && o.threads > 1 && o.order == PB_VM_ORDER_FREE)
			pb_usage_error(cmd, "policy %s needs stream order: use --order strict", d->name);
	}
	check_policy_params(cmd, &o);
	struct stream s;
	if (load_stream(cmd, &o, &s))
		return PB_EXIT_FAIL;
	if (need_next_use(&o)) {
		s.next_use = pb_map(s.n * sizeof(uint64_t), 0);
		if (!s.next_use || pb_vm_next_use(s.a, s.n, s.next_use)) {
			pb_error(cmd, "out of memory computing next uses");
			return PB_EXIT_FAIL;
		}
	}
	char err[512];
	struct pb_run *run = pb_run_create(o.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	config_common(run, &o, &s);
	char buf[256];
	pb_run_config_str(run, "prepage", pb_prepage_name(o.prepage));
	pb_run_config_str(run, "pt", o.pt == PB_VM_PT_HASHED ? "hashed" : "radix");
	snprintf(buf, sizeof(buf), "%u", o.threads);
	pb_run_config_json(run, "engine_threads", buf);
	pb_run_config_str(run, "order", o.order == PB_VM_ORDER_FREE ? "free" : "strict");
	pb_run_config_str(run, "hints", o.hints == PB_VM_HINTS_ABIT ? "abit" : "exact");
	snprintf(buf, sizeof(buf), "%u", o.reps);
	pb_run_config_json(run, "reps", buf);
	char geo[128];
	pb_tlb_geom_str(&o.tlb, geo, sizeof(geo));
	snprintf(buf, sizeof(buf), "{\"profile\": \"%s\", \"geometry\": \"%s\"}", o.tlb.name, geo);
	pb_run_config_json(run, "tlb", buf);
	pb_run_config_str(run, "tlb_source", o.tlb.source);
	pb_run_config_str(run, "device", o.device->name);
	pb_run_config_str(run, "device_source", o.device->source);
	pb_run_config_str(run, "backing", o.backing_spec);
	char fr[1024] = "[";
	for (size_t i = 0, n = 1; i < o.nframes && n + 32 < sizeof(fr); i++)
		n += (size_t)snprintf(fr + n, sizeof(fr) - n, "%s%" PRIu64, i ? ", " : "", o.frames[i]);
	snprintf(fr + strlen(fr), sizeof(fr) - strlen(fr), "]");
	pb_run_config_json(run, "frames", fr);

	struct pb_csv *csv = pb_run_csv(run, "sim.csv", sim_cols, o.csv ? stdout : NULL);
	if (!csv) {
		pb_error(cmd, "cannot open sim.csv in %s", pb_run_dir(run));
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	struct jobs js = {.o = &o, .s = &s, .n = o.npolicies * o.nframes * o.reps};
	js.j = calloc(js.n, sizeof(*js.j));
	if (!js.j) {
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	size_t k = 0;
	for (size_t p = 0; p < o.npolicies; p++)
		for (size_t f = 0; f < o.nframes; f++)
			for (unsigned r = 0; r < o.reps; r++) {
				js.j[k].pol = pb_policy_find(o.policies[p]);
				js.j[k].frames = o.frames[f];
				js.j[k].rep = r;
				k++;
			}
	pb_progress_begin("sim", js.n);
	/* a real backing file is one file: its runs cannot share it */
	unsigned workers = o.threads == 1 && !o.backing ? pb_topo_npus() : 1;
	if (workers > js.n)
		workers = (unsigned)js.n;
	if (workers <= 1) {
		jobs_worker(&js, 0);
	} else {
		struct pb_plan plan;
		if (pb_plan_make(workers, PB_PIN_COMPACT, &plan)) {
			jobs_worker(&js, 0);
		} else {
			pb_team_run(&plan, jobs_worker, &js, NULL);
			pb_plan_free(&plan);
		}
	}
	pb_progress_end();
	int failed = 0, usage = 0;
	size_t nok = 0;
	struct pb_vm_stats total = {0};
	for (size_t i = 0; i < js.n; i++) {
		struct job *j = &js.j[i];
		if (j->rc == -EINVAL && !j->st.refs) {
			pb_error(cmd, "policy %s: %s", j->pol->name, j->err);
			usage = 1;
			continue;
		}
		if (j->rc) {
			pb_error(cmd, "policy %s, %" PRIu64 " frames: %s", j->pol->name, j->frames, j->err);
			failed = 1;
		} else {
			nok++;
		}
		struct pb_vm_stats *st = &j->st;
		pb_csv_begin(csv);
		pb_csv_str(csv, s.canonical);
		pb_csv_str(csv, j->pol->name);
		pb_csv_u64(csv, j->frames);
		pb_csv_str(csv, pb_prepage_name(o.prepage));
		pb_csv_str(csv, j->pt_impl);
		pb_csv_u64(csv, o.threads);
		pb_csv_str(csv, o.order == PB_VM_ORDER_FREE ? "free" : "strict");
		pb_csv_str(csv, o.hints == PB_VM_HINTS_ABIT ? "abit" : "exact");
		pb_csv_str(csv, o.tlb.name);
		pb_csv_str(csv, o.device->name);
		pb_csv_str(csv, o.backing ? "file" : "sim");
		pb_csv_u64(csv, j->rep);
		pb_csv_u64(csv, st->refs);
		pb_csv_u64(csv, st->hits);
		pb_csv_u64(csv, st->faults);
		pb_csv_u64(csv, st->minor_faults);
		pb_csv_u64(csv, st->major_faults);
		pb_csv_u64(csv, st->zero_fills);
		pb_csv_u64(csv, st->swap_ins);
		pb_csv_u64(csv, st->file_reads);
		pb_csv_u64(csv, st->pagecache_hits);
		pb_csv_u64(csv, st->cow_copies);
		pb_csv_u64(csv, st->evictions);
		pb_csv_u64(csv, st->writebacks);
		pb_csv_u64(csv, st->swap_outs);
		pb_csv_u64(csv, st->file_writebacks);
		pb_csv_u64(csv, st->tlb_l1_hits);
		pb_csv_u64(csv, st->tlb_l2_hits);
		pb_csv_u64(csv, st->tlb_misses);
		pb_csv_u64(csv, st->shootdowns);
		pb_csv_u64(csv, st->prepaged);
		pb_csv_u64(csv, st->prepage_used);
		pb_csv_u64(csv, st->prepage_unused);
		pb_csv_u64(csv, st->prepage_mapped);
		pb_csv_u64(csv, st->read_ios);
		pb_csv_u64(csv, st->write_ios);
		pb_csv_dbl(csv, st->refs ? (double)st->faults / (double)st->refs : NAN);
		pb_csv_dbl(csv, j->eat_ns);
		pb_csv_dbl(csv, j->seconds);
		pb_csv_dbl(csv, j->seconds > 0 ? (double)st->refs / j->seconds : NAN);
		pb_csv_u64(csv, j->rc == 0);
		pb_csv_end(csv);
		uint64_t *dst = (uint64_t *)&total;
		const uint64_t *src = (const uint64_t *)st;
		for (size_t q = 0; q < sizeof(total) / sizeof(uint64_t); q++)
			dst[q] += src[q];
	}
	pb_vm_publish_sde(&total);
	free(js.j);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = 0;
	if (usage || nok == 0) /* nothing valid to keep: leave no run folder */
		pb_run_abort(run);
	else
		frc = pb_run_finish(run);
	if (frc)
		pb_error(cmd, "cannot write results in %s: %s", dir, strerror(-frc));
	else if (!o.csv && !usage && nok)
		fprintf(stderr, "pagebench sim: %zu rows in %s/sim.csv\n", js.n, dir);
	free_stream(&s);
	pb_free_list(o.policies, o.npolicies);
	free(o.frames);
	if (usage)
		return PB_EXIT_USAGE;
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}

/* ---- mrc ---- */
struct mpoint {
	const struct pb_policy_desc *pol;
	uint64_t frames;
	uint64_t misses;
	int rc, onepass;
	char err[256];
};

struct mjobs {
	const struct sim_opts *o;
	const uint64_t *keys;
	const uint8_t *writes;
	const uint64_t *next_use;
	size_t nrefs;
	struct mpoint *p;
	size_t n;
	size_t next;
};

static void mrc_worker(void *arg, unsigned tid)
{
	struct mjobs *m = arg;
	(void)tid;
	for (;;) {
		size_t i = pb_atomic_fetch_add(&m->next, 1, PB_RELAXED);
		if (i >= m->n)
			return;
		struct mpoint *p = &m->p[i];
		if (p->onepass)
			continue;
		struct pb_policy_cfg pc = {.frames = p->frames,
					   .seed = m->o->seed,
					   .expected_keys = 0,
					   .params = m->o->policy_params};
		p->rc = pb_policy_replay(p->pol, &pc, m->keys, m->writes, m->next_use, m->nrefs,
					 &p->misses, p->err, sizeof(p->err));
		pb_progress_add(1);
	}
}

static const char *const mrc_cols[] = {"workload", "policy",	 "frames", "refs",
				       "misses",   "miss_ratio", "method", NULL};

int pb_cmd_mrc(int argc, char **argv)
{
	const char *cmd = "mrc";
	struct sim_opts o;
	parse_opts(cmd, argc, argv, &o);
	check_policy_params(cmd, &o);
	struct stream s;
	if (load_stream(cmd, &o, &s))
		return PB_EXIT_FAIL;
	/* the engine's page identities (shared/file pages are one page) */
	uint64_t *keys = pb_map(s.n * sizeof(uint64_t), 0);
	uint8_t *writes = pb_map(s.n, 0);
	if (!keys || !writes) {
		pb_error(cmd, "out of memory");
		return PB_EXIT_FAIL;
	}
	for (size_t i = 0; i < s.n; i++) {
		keys[i] = pb_vm_key(&s.a[i]);
		writes[i] = s.a[i].op == PB_OP_WRITE;
	}
	if (need_next_use(&o)) {
		s.next_use = pb_map(s.n * sizeof(uint64_t), 0);
		if (!s.next_use || pb_vm_next_use(s.a, s.n, s.next_use)) {
			pb_error(cmd, "out of memory computing next uses");
			return PB_EXIT_FAIL;
		}
	}
	size_t npts = (size_t)((o.fhi - o.flo) / o.fstep + 1);
	struct mjobs m = {.o = &o, .keys = keys, .writes = writes, .next_use = s.next_use,
			  .nrefs = s.n, .n = o.npolicies * npts};
	m.p = calloc(m.n, sizeof(*m.p));
	if (!m.p)
		return PB_EXIT_FAIL;
	for (size_t p = 0, k = 0; p < o.npolicies; p++) {
		const struct pb_policy_desc *d = pb_policy_find(o.policies[p]);
		uint64_t *curve = NULL;
		if (!strcmp(d->name, "lru")) {
			curve = calloc(npts, sizeof(uint64_t));
			uint64_t *fr = calloc(npts, sizeof(uint64_t));
			for (size_t i = 0; i < npts; i++)
				fr[i] = o.flo + i * o.fstep;
			if (!curve || !fr || pb_mrc_lru(keys, s.n, fr, npts, curve)) {
				free(curve); /* fall back to replays */
				curve = NULL;
			}
			free(fr);
		}
		for (size_t i = 0; i < npts; i++, k++) {
			m.p[k].pol = d;
			m.p[k].frames = o.flo + i * o.fstep;
			if (curve) {
				m.p[k].misses = curve[i];
				m.p[k].onepass = 1;
			}
		}
		free(curve);
	}
	char err[512];
	struct pb_run *run = pb_run_create(o.results, argc, argv, err, sizeof(err));
	if (!run) {
		pb_error(cmd, "%s", err);
		return PB_EXIT_FAIL;
	}
	config_common(run, &o, &s);
	char buf[128];
	snprintf(buf, sizeof(buf), "{\"lo\": %" PRIu64 ", \"hi\": %" PRIu64 ", \"step\": %" PRIu64 "}",
		 o.flo, o.fhi, o.fstep);
	pb_run_config_json(run, "frames", buf);
	struct pb_csv *csv = pb_run_csv(run, "mrc.csv", mrc_cols, o.csv ? stdout : NULL);
	if (!csv) {
		pb_run_abort(run);
		return PB_EXIT_FAIL;
	}
	pb_progress_begin("mrc", m.n);
	unsigned workers = pb_topo_npus();
	if (workers > m.n)
		workers = (unsigned)m.n;
	struct pb_plan plan;
	if (workers > 1 && !pb_plan_make(workers, PB_PIN_COMPACT, &plan)) {
		pb_team_run(&plan, mrc_worker, &m, NULL);
		pb_plan_free(&plan);
	} else {
		mrc_worker(&m, 0);
	}
	pb_progress_end();
	int failed = 0;
	for (size_t i = 0; i < m.n; i++) {
		struct mpoint *p = &m.p[i];
		if (p->rc) {
			pb_error(cmd, "policy %s, %" PRIu64 " frames: %s", p->pol->name, p->frames, p->err);
			failed = 1;
			continue;
		}
		pb_csv_begin(csv);
		pb_csv_str(csv, s.canonical);
		pb_csv_str(csv, p->pol->name);
		pb_csv_u64(csv, p->frames);
		pb_csv_u64(csv, s.n);
		pb_csv_u64(csv, p->misses);
		pb_csv_dbl(csv, (double)p->misses / (double)s.n);
		pb_csv_str(csv, p->onepass ? "stack-distance" : "replay");
		pb_csv_end(csv);
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", pb_run_dir(run));
	int frc = pb_run_finish(run);
	if (!o.csv && !frc)
		fprintf(stderr, "pagebench mrc: %zu rows in %s/mrc.csv\n", m.n, dir);
	free(m.p);
	pb_free_list(o.policies, o.npolicies);
	pb_unmap(keys, s.n * sizeof(uint64_t));
	pb_unmap(writes, s.n);
	free_stream(&s);
	return failed || frc ? PB_EXIT_FAIL : PB_EXIT_OK;
}
