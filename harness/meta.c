/*
 * harness/meta.c - the machine description in every meta.json: host, CPU
 * model, kernel, THP mode, compiler and flags, git commit, library versions
 * and the hwloc topology as XML.  Every number pagebench prints can be
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
#include "pagebench/team.h"

#if PB_HAVE_HWLOC
#include <hwloc.h>
#endif
#if PB_HAVE_PAPI
#include <papi.h>
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

static void kv(struct pb_sb *b, const char *k, const char *v)
{
	pb_sb_put(b, "  ");
	pb_sb_json_str(b, k);
	pb_sb_put(b, ": ");
	pb_sb_json_str(b, v);
	pb_sb_put(b, ",\n");
}

void pb_meta_machine(struct pb_sb *b)
{
	char buf[512], host[256] = "";
	struct utsname u;
	gethostname(host, sizeof(host) - 1);
	kv(b, "host", host);
	cpu_model(buf, sizeof(buf));
	kv(b, "cpu_model", buf);
	pb_sb_printf(b, "  \"online_cpus\": %ld,\n", sysconf(_SC_NPROCESSORS_ONLN));
	pb_sb_printf(b, "  \"memory_bytes\": %lld,\n",
		     (long long)sysconf(_SC_PHYS_PAGES) * (long long)sysconf(_SC_PAGESIZE));
	if (uname(&u) == 0) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release, u.machine);
		kv(b, "kernel", buf);
		kv(b, "kernel_version", u.version);
	}
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	kv(b, "thp_enabled", buf[0] ? buf : "unavailable");
	read_line("/sys/kernel/mm/transparent_hugepage/defrag", buf, sizeof(buf));
	kv(b, "thp_defrag", buf[0] ? buf : "unavailable");
	read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf));
	kv(b, "perf_event_paranoid", buf[0] ? buf : "unavailable");
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
	kv(b, "cpufreq_governor", buf[0] ? buf : "unavailable");
	pb_sb_put(b, "  \"build\": {\n");
	pb_sb_put(b, "    \"version\": ");
	pb_sb_json_str(b, PB_VERSION);
	pb_sb_put(b, ",\n    \"git_commit\": ");
	pb_sb_json_str(b, PB_GIT_COMMIT);
	pb_sb_put(b, ",\n    \"build_type\": ");
	pb_sb_json_str(b, PB_BUILD_TYPE);
	pb_sb_put(b, ",\n    \"compiler\": ");
	pb_sb_json_str(b, PB_C_COMPILER);
	pb_sb_put(b, ",\n    \"c_flags\": ");
	pb_sb_json_str(b, PB_C_FLAGS);
	pb_sb_put(b, ",\n    \"features\": ");
	pb_sb_json_str(b, PB_FEATURES);
	pb_sb_put(b, "\n  },\n  \"libraries\": {\n");
#if PB_HAVE_HWLOC
	unsigned hv = hwloc_get_api_version();
	pb_sb_printf(b, "    \"hwloc\": \"%u.%u.%u\",\n", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
#else
	pb_sb_put(b, "    \"hwloc\": null,\n");
#endif
#if PB_HAVE_PAPI
	pb_sb_printf(b, "    \"papi\": \"%d.%d.%d.%d\",\n", PAPI_VERSION_MAJOR(PAPI_VERSION),
		     PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION),
		     PAPI_VERSION_INCREMENT(PAPI_VERSION));
#else
	pb_sb_put(b, "    \"papi\": null,\n");
#endif
	pb_sb_put(b, "    \"jemalloc\": ");
	pb_sb_json_str(b, pb_heap_version());
	pb_sb_put(b, ",\n");
#if PB_HAVE_ZSTD
	pb_sb_printf(b, "    \"zstd\": \"%s\",\n", ZSTD_versionString());
#endif
#if PB_HAVE_ZLIB
	pb_sb_printf(b, "    \"zlib\": \"%s\",\n", zlibVersion());
#endif
#if PB_HAVE_LZMA
	pb_sb_printf(b, "    \"liblzma\": \"%s\",\n", lzma_version_string());
#endif
#if PB_HAVE_OPENMP
	pb_sb_printf(b, "    \"openmp\": %d\n", _OPENMP);
#else
	pb_sb_put(b, "    \"openmp\": null\n");
#endif
	pb_sb_put(b, "  },\n");
	pb_sb_printf(b, "  \"topology\": {\"synthetic\": %s, \"numa_nodes\": %u, "
			"\"cores\": %u, \"pus\": %u, \"hwloc_xml\": ",
		     pb_topo_is_synthetic() ? "true" : "false", pb_topo_nnodes(), pb_topo_ncores(),
		     pb_topo_npus());
	char *xml = pb_topo_xml();
	pb_sb_json_str(b, xml);
	free(xml);
	pb_sb_put(b, "},\n");
	int64_t md = pb_heap_metadata_bytes();
	if (md >= 0)
		pb_sb_printf(b, "  \"heap_metadata_bytes_at_end\": %lld,\n", (long long)md);
	else
		pb_sb_put(b, "  \"heap_metadata_bytes_at_end\": null,\n");
}
