/* SPDX-License-Identifier: MIT */
/*
 * harness/meta.c - the machine description in every meta.json: host, CPU
 * model, kernel, THP mode, compiler and flags, git commit, library versions,
 * the hwloc topology as XML and the environment variables that change a
 * measurement.  Every number pagebench prints can be
 * traced to the machine and build that produced it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"
#include "pagebench/config.h"
#include "pagebench/counters.h"
#include "pagebench/git_commit.h"
#include "pagebench/results.h"
#include "pagebench/team.h"

#if PB_HAVE_HWLOC
#include <hwloc.h>
#endif
#if PB_HAVE_ZSTD
#include <zstd.h>
#endif
#if PB_HAVE_ZLIB
#include <zlib.h>
#endif
#if PB_HAVE_LZMA
#include <lzma.h>
#endif

void pb_meta_host(char *buf, size_t len)
{
	char h[256] = "unknown";
	gethostname(h, sizeof(h) - 1);
	h[sizeof(h) - 1] = 0;
	size_t j = 0;
	for (size_t i = 0; h[i] && j + 1 < len && j < 32; i++) {
		char c = h[i];
		if (c == '.')
			break;
		buf[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				   (c >= '0' && c <= '9') || c == '-'
			       ? c
			       : '_';
	}
	buf[j] = 0;
	if (!j)
		snprintf(buf, len, "host");
}

static void read_line(const char *path, char *buf, size_t len)
{
	buf[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			if (c) {
				c++;
				while (*c == ' ')
					c++;
				c[strcspn(c, "\n")] = 0;
				snprintf(buf, len, "%s", c);
			}
			break;
		}
	}
	fclose(f);
}

static void kv(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, pb_json_string_bytes(v));
}

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The environment variables that change what a run measures or how it is
 * placed: pagebench's own knobs (PAGEBENCH_TEST_SLOWDOWN makes a kernel
 * slower, PAGEBENCH_COUNTERS, PAGEBENCH_UFFD, PAGEBENCH_MEM_LIMIT, ...),
 * hwloc's (HWLOC_SYNTHETIC), OpenMP's, PAPI's, the allocator's, and
 * TMPDIR (where the file-fault kernels put their file).  Sorted by name. */
static json_t *environment_json(void)
{
	static const char *const prefixes[] = {"PAGEBENCH_", "HWLOC_", "OMP_", "GOMP_", "PAPI_"};
	static const char *const names[] = {"MALLOC_CONF=", "TMPDIR="};
	size_t n = 0;
	for (char **p = environ; p && *p; p++)
		n++;
	const char **keep = calloc(n + 1, sizeof(*keep));
	size_t nk = 0;
	for (char **p = environ; keep && p && *p; p++) {
		int k = 0;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !k; i++)
			k = !strncmp(*p, prefixes[i], strlen(prefixes[i]));
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !k; i++)
			k = !strncmp(*p, names[i], strlen(names[i]));
		if (k && strchr(*p, '='))
			keep[nk++] = *p;
	}
	if (nk)
		qsort(keep, nk, sizeof(*keep), cmp_str);
	json_t *e = json_object();
	for (size_t i = 0; i < nk; i++) {
		const char *eq = strchr(keep[i], '=');
		char *k = strndup(keep[i], (size_t)(eq - keep[i]));
		if (k)
			json_object_set_new(e, k, pb_json_string_bytes(eq + 1));
		free(k);
	}
	free(keep);
	return e;
}

json_t *pb_meta_machine_json(void)
{
	json_t *m = json_object();
	char buf[512], host[256] = "";
	struct utsname u;
	gethostname(host, sizeof(host) - 1);
	kv(m, "host", host);
	cpu_model(buf, sizeof(buf));
	kv(m, "cpu_model", buf);
	json_object_set_new(m, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(
	    m, "memory_bytes",
	    json_integer((json_int_t)sysconf(_SC_PHYS_PAGES) * (json_int_t)sysconf(_SC_PAGESIZE)));
	if (uname(&u) == 0) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release, u.machine);
		kv(m, "kernel", buf);
		kv(m, "kernel_version", u.version);
	}
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	kv(m, "thp_enabled", buf[0] ? buf : "unavailable");
	read_line("/sys/kernel/mm/transparent_hugepage/defrag", buf, sizeof(buf));
	kv(m, "thp_defrag", buf[0] ? buf : "unavailable");
	read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf));
	kv(m, "perf_event_paranoid", buf[0] ? buf : "unavailable");
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
	kv(m, "cpufreq_governor", buf[0] ? buf : "unavailable");
	json_t *b = json_object();
	kv(b, "version", PB_VERSION);
	kv(b, "git_commit", PB_GIT_COMMIT);
	kv(b, "build_type", PB_BUILD_TYPE);
	kv(b, "compiler", PB_C_COMPILER);
	kv(b, "c_flags", PB_C_FLAGS);
	kv(b, "features", PB_FEATURES);
	json_object_set_new(m, "build", b);
	json_t *l = json_object();
#if PB_HAVE_HWLOC
	unsigned hv = hwloc_get_api_version();
	snprintf(buf, sizeof(buf), "%u.%u.%u", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
	kv(l, "hwloc", buf);
#else
	json_object_set_new(l, "hwloc", json_null());
#endif
	kv(l, "papi", pb_counters_papi_version());
	kv(l, "jemalloc", pb_heap_version());
#if PB_HAVE_ZSTD
	kv(l, "zstd", ZSTD_versionString());
#endif
#if PB_HAVE_ZLIB
	kv(l, "zlib", zlibVersion());
#endif
#if PB_HAVE_LZMA
	kv(l, "liblzma", lzma_version_string());
#endif
	kv(l, "jansson", JANSSON_VERSION);
#if PB_HAVE_OPENMP
	json_object_set_new(l, "openmp", json_integer(_OPENMP));
#else
	json_object_set_new(l, "openmp", json_null());
#endif
	json_object_set_new(m, "libraries", l);
	json_t *t = json_object();
	json_object_set_new(t, "synthetic", json_boolean(pb_topo_is_synthetic()));
	json_object_set_new(t, "numa_nodes", json_integer(pb_topo_nnodes()));
	json_object_set_new(t, "cores", json_integer(pb_topo_ncores()));
	json_object_set_new(t, "pus", json_integer(pb_topo_npus()));
	char *xml = pb_topo_xml();
	json_object_set_new(t, "hwloc_xml", pb_json_string_bytes(xml));
	free(xml);
	json_object_set_new(m, "topology", t);
	int64_t md = pb_heap_metadata_bytes();
	json_object_set_new(m, "heap_metadata_bytes_at_end",
			    md >= 0 ? json_integer(md) : json_null());
	json_object_set_new(m, "environment", environment_json());
	return m;
}
