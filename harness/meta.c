/* SPDX-License-Identifier: MIT */
/*
 * harness/meta.c - the machine description in every meta.json: host, CPU
 * model, kernel, THP mode, compiler and flags, git commit, library versions,
 * the hwloc topology as XML and the environment variables that change a
 * measurement.  Every number pagebench prints can be
 * traced to the machine and build that produced it.
 *
 * A field that cannot be read is null, never a placeholder: its reason goes
 * under MACHINE_NA ("machine_not_available", field -> reason), which the
 * run folds into meta.json's not_available.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "internal.h"
#include "pagebench/config.h"
#include "pagebench/counters.h"
#include "pagebench/git_commit.h"
#include "pagebench/parse.h"
#include "pagebench/results.h"
#include "pagebench/team.h"

#define MACHINE_NA "machine_not_available"

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

/* The first line of path, without its newline: 0, or -errno (-ENODATA:
 * the file is empty). */
static int read_line(const char *path, char *buf, size_t len)
{
	buf[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int rc = fgets(buf, (int)len, f) ? 0 : ferror(f) ? -EIO : -ENODATA;
	if (rc)
		buf[0] = 0; /* fgets leaves buf undefined after an error */
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return rc || buf[0] ? rc : -ENODATA;
}

static void kv(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, pb_json_string_bytes(v));
}

/* Field key of o (m, or an object in it) could not be read: null, and why
 * under m's MACHINE_NA as name. */
static void na_at(json_t *m, json_t *o, const char *key, const char *name, const char *why)
{
	json_object_set_new(o, key, json_null());
	json_t *n = json_object_get(m, MACHINE_NA);
	if (!n) {
		n = json_object();
		json_object_set_new(m, MACHINE_NA, n);
	}
	json_object_set_new(n, name, pb_json_string_bytes(why));
}

static void na(json_t *m, const char *key, const char *why)
{
	na_at(m, m, key, key, why);
}

/* Why the first line of path could not be read (rc from read_line):
 * absent names what a missing file means. */
static void file_na(json_t *m, const char *key, const char *path, int rc, const char *absent)
{
	char why[512];
	if (rc == -ENOENT)
		snprintf(why, sizeof(why), "%s (%s does not exist)", absent, path);
	else if (rc == -ENODATA)
		snprintf(why, sizeof(why), "%s is empty", path);
	else
		snprintf(why, sizeof(why), "%s: %s", path, strerror(-rc));
	na(m, key, why);
}

/* The first line of path as the string key, or null with the reason. */
static void kv_file(json_t *m, const char *key, const char *path, const char *absent)
{
	char buf[512];
	int rc = read_line(path, buf, sizeof(buf));
	if (rc)
		file_na(m, key, path, rc, absent);
	else
		kv(m, key, buf);
}

/* The first line of path as the integer key, or null with the reason. */
static void int_file(json_t *m, const char *key, const char *path, const char *absent)
{
	char buf[128], why[256];
	uint64_t v;
	int rc = read_line(path, buf, sizeof(buf));
	if (rc) {
		file_na(m, key, path, rc, absent);
	} else if (pb_parse_u64(buf, &v) || v > INT64_MAX) {
		snprintf(why, sizeof(why), "%s reads '%.64s', not a number", path, buf);
		na(m, key, why);
	} else {
		json_object_set_new(m, key, json_integer((json_int_t)v));
	}
}

/* The first processor's fields of /proc/cpuinfo: "model name" as
 * cpu_model, and x86's "cpu family", "model" and "stepping" as the
 * integers cpu_family, cpu_model_number and cpu_stepping. */
static void cpuinfo_json(json_t *m)
{
	static const char *const names[] = {"model name", "cpu family", "model", "stepping"};
	static const char *const keys[] = {"cpu_model", "cpu_family", "cpu_model_number",
					   "cpu_stepping"};
	char val[PB_ARRAY_SIZE(names)][256] = {{0}}, line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int err = f ? 0 : errno;
	while (f && fgets(line, sizeof(line), f) && line[0] != '\n') {
		char *c = strchr(line, ':');
		if (!c)
			continue;
		char *e = c;
		while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		for (c++; *c == ' ' || *c == '\t'; c++)
			;
		c[strcspn(c, "\n")] = 0;
		for (size_t i = 0; i < PB_ARRAY_SIZE(names); i++)
			if (!strcmp(line, names[i]) && !val[i][0])
				snprintf(val[i], sizeof(val[i]), "%s", c);
	}
	if (f)
		fclose(f);
	for (size_t i = 0; i < PB_ARRAY_SIZE(names); i++) {
		char why[256];
		uint64_t v;
		if (err)
			snprintf(why, sizeof(why), "/proc/cpuinfo: %s", strerror(err));
		else if (!val[i][0])
			snprintf(why, sizeof(why),
				 "/proc/cpuinfo has no '%s' line (x86 names its CPUs so; other "
				 "architectures do not)",
				 names[i]);
		else if (i && (pb_parse_u64(val[i], &v) || v > INT64_MAX))
			snprintf(why, sizeof(why), "/proc/cpuinfo's '%s' is '%.64s', not a number",
				 names[i], val[i]);
		else
			why[0] = 0;
		if (why[0])
			na(m, keys[i], why);
		else if (i)
			json_object_set_new(m, keys[i], json_integer((json_int_t)v));
		else
			kv(m, keys[i], val[i]);
	}
}

/*
 * Whether the machine is virtual (the one answer: meta.json's virtualized
 * and the counters' "VM without a PMU" both ask here): x86's CPUID
 * hypervisor bit (leaf 1, ECX bit 31; leaf 0x40000000 names the
 * hypervisor), /sys/hypervisor/type (Xen), or the firmware's DMI vendor or
 * product naming a hypervisor (the names systemd-detect-virt knows; an EC2
 * *.metal instance is not virtual).  1, 0 (x86 only: the CPUID bit is
 * clear and nothing else names a hypervisor) or -1 (not known); why gets
 * what decided it.  Reads the files each call (a few small reads; callers
 * ask once per meta.json or listing).
 */
int pb_machine_virtual(char *why, size_t len)
{
	static const char *const dmi_names[] = {"KVM",
						"QEMU",
						"VMware",
						"VMW",
						"innotek GmbH",
						"VirtualBox",
						"Xen",
						"Bochs",
						"Parallels",
						"BHYVE",
						"Hyper-V",
						"OpenStack",
						"KubeVirt",
						"Amazon EC2",
						"Google Compute Engine",
						"Apple Virtualization",
						"Virtual Machine"};
	static const char *const dmi_files[] = {"/sys/class/dmi/id/product_name",
						"/sys/class/dmi/id/sys_vendor",
						"/sys/class/dmi/id/board_vendor"};
	char buf[256], product[256] = "";
	int virt = -1, bit_clear = 0;
	if (len)
		why[0] = 0;
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (__get_cpuid(1, &a, &b, &c, &d)) {
		if (c & (1u << 31)) {
			char vendor[13] = "";
			__cpuid(0x40000000, a, b, c, d);
			memcpy(vendor, &b, 4);
			memcpy(vendor + 4, &c, 4);
			memcpy(vendor + 8, &d, 4);
			for (int i = 0; i < 12; i++)
				if (vendor[i] && (vendor[i] < ' ' || vendor[i] > '~'))
					vendor[i] = '?';
			snprintf(why, len, "CPUID: the hypervisor bit is set (vendor '%s')",
				 vendor);
			virt = 1;
		} else {
			bit_clear = 1;
		}
	}
#endif
	if (virt < 0 && !read_line("/sys/hypervisor/type", buf, sizeof(buf))) {
		snprintf(why, len, "/sys/hypervisor/type is '%.64s'", buf);
		virt = 1;
	}
	(void)read_line(dmi_files[0], product, sizeof(product));
	size_t pl = strlen(product);
	int metal = pl >= 6 && !strcmp(product + pl - 6, ".metal");
	for (size_t f = 0; virt < 0 && !metal && f < PB_ARRAY_SIZE(dmi_files); f++) {
		if (read_line(dmi_files[f], buf, sizeof(buf)))
			continue;
		for (size_t i = 0; virt < 0 && i < PB_ARRAY_SIZE(dmi_names); i++)
			if (!strncmp(buf, dmi_names[i], strlen(dmi_names[i]))) {
				snprintf(why, len, "%s is '%.64s'", dmi_files[f], buf);
				virt = 1;
			}
	}
	if (virt < 0 && bit_clear) {
		snprintf(why, len,
			 "CPUID: the hypervisor bit is clear, and neither /sys/hypervisor/type "
			 "nor the DMI vendor names a hypervisor");
		virt = 0;
	}
	if (virt < 0)
		snprintf(why, len,
			 "not known: no CPUID hypervisor bit on this architecture, and neither "
			 "/sys/hypervisor/type nor the DMI vendor names a hypervisor");
	return virt;
}

/* virtualized: true, false or null (not known, the reason in
 * not_available); virtualized_evidence: what decided it. */
static void virtualization_json(json_t *m)
{
	char ev[512];
	int virt = pb_machine_virtual(ev, sizeof(ev));
	if (virt < 0)
		na(m, "virtualized", ev);
	else
		json_object_set_new(m, "virtualized", json_boolean(virt));
	kv(m, "virtualized_evidence", ev);
}

/* hwloc's own version (a one-PU synthetic topology's root info
 * "hwlocVersion": the library that runs, which the topology XML records
 * too) and its API version (hwloc_get_api_version(), which may be older). */
static void hwloc_json(json_t *m, json_t *l)
{
#if PB_HAVE_HWLOC
	char buf[32];
	const char *v = NULL;
	hwloc_topology_t t;
	int ok = !hwloc_topology_init(&t);
	if (ok && !hwloc_topology_set_synthetic(t, "pu:1") && !hwloc_topology_load(t))
		v = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t), "hwlocVersion");
	if (v)
		kv(l, "hwloc", v);
	else
		na_at(m, l, "hwloc", "libraries.hwloc",
		      "hwloc's topology has no hwlocVersion info (hwloc before 2.0)");
	if (ok)
		hwloc_topology_destroy(t);
	unsigned hv = hwloc_get_api_version();
	snprintf(buf, sizeof(buf), "%u.%u.%u", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
	kv(l, "hwloc_api", buf);
#else
	na_at(m, l, "hwloc", "libraries.hwloc", "built without hwloc");
	na_at(m, l, "hwloc_api", "libraries.hwloc_api", "built without hwloc");
#endif
}

/*
 * This machine's PUs, cores and NUMA nodes as the OS reports them, into t
 * (null with the reason where one cannot be read): the CPUs this process
 * may run on (sched_getaffinity; hwloc restricts its own tree to them),
 * the cores they sit on (distinct first CPUs of their core_cpus_list,
 * thread_siblings_list on older kernels) and the NUMA nodes online
 * (/sys/devices/system/node/online, every node as hwloc counts them; a
 * kernel without NUMA has no such folder: one node).  For a run whose
 * hwloc tree is another machine's (topology_json).
 */
static void os_topology_json(json_t *m, json_t *t)
{
	char why[512] = "", buf[512];
	cpu_set_t *set = NULL;
	size_t n = 1024, sz = 0;
	int err = 0;
	/* the kernel refuses (EINVAL) a mask smaller than its CPU count */
	for (;; n *= 2) {
		set = CPU_ALLOC(n);
		if (!set) {
			err = ENOMEM;
			break;
		}
		sz = CPU_ALLOC_SIZE(n);
		if (!sched_getaffinity(0, sz, set))
			break;
		err = errno;
		CPU_FREE(set);
		set = NULL;
		if (err != EINVAL || n >= (1u << 20))
			break;
	}
	unsigned char *seen = set ? calloc(n, 1) : NULL;
	json_int_t pus = 0, cores = 0;
	if (!set)
		snprintf(why, sizeof(why), "sched_getaffinity: %s", strerror(err));
	else if (!seen)
		snprintf(why, sizeof(why), "out of memory");
	for (size_t c = 0; seen && c < n && !why[0]; c++) {
		if (!CPU_ISSET_S(c, sz, set))
			continue;
		pus++;
		char path[128], alt[128];
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%zu/topology/core_cpus_list", c);
		snprintf(alt, sizeof(alt),
			 "/sys/devices/system/cpu/cpu%zu/topology/thread_siblings_list", c);
		const char *at = path;
		int rc = read_line(path, buf, sizeof(buf));
		if (rc == -ENOENT)
			rc = read_line(at = alt, buf, sizeof(buf));
		uint64_t first = strtoull(buf, NULL, 10);
		if (rc)
			snprintf(why, sizeof(why), "%s: %s", at, strerror(-rc));
		else if (first < n && !seen[first]++)
			cores++;
	}
	if (seen)
		json_object_set_new(t, "pus", json_integer(pus));
	else
		na_at(m, t, "pus", "topology.pus", why);
	if (why[0])
		na_at(m, t, "cores", "topology.cores", why);
	else
		json_object_set_new(t, "cores", json_integer(cores));
	free(seen);
	if (set)
		CPU_FREE(set);
	uint64_t *nodes = NULL;
	size_t nn = 0;
	static const char online[] = "/sys/devices/system/node/online";
	int rc = read_line(online, buf, sizeof(buf));
	why[0] = 0;
	if (rc == -ENOENT)
		nn = 1;
	else if (rc)
		snprintf(why, sizeof(why), "%s: %s", online, strerror(-rc));
	else if (pb_parse_u64_list(buf, &nodes, &nn) || !nn)
		snprintf(why, sizeof(why), "%s reads '%.64s', not a list of nodes", online, buf);
	if (why[0])
		na_at(m, t, "numa_nodes", "topology.numa_nodes", why);
	else
		json_object_set_new(t, "numa_nodes", json_integer((json_int_t)nn));
	free(nodes);
}

/*
 * topology: this machine's NUMA nodes, cores and PUs (those this process
 * may run on) and hwloc's XML of it, as the plans and the binding use it.
 * Under HWLOC_SYNTHETIC or HWLOC_XMLFILE hwloc's tree is another
 * machine's: threads are not bound and the numbers measure this one, so
 * topology holds what the OS reports (os_topology_json; the XML null),
 * topology_is_thissystem is false, and the tree the plans were made for
 * goes under planned_topology, where no reader takes its cores for the
 * machine that ran.  topology_source names where hwloc's tree came from:
 * "hwloc" (this system), "synthetic:SPEC", "xml:FILE" (the file's name
 * without its folder), or "sysconf" (built without hwloc).
 */
static void topology_json(json_t *m)
{
	char src[512];
	int this = !pb_topo_is_synthetic();
#if PB_HAVE_HWLOC
	const char *val;
	enum pb_topo_env env = pb_topo_env_source(&val); /* what pb_topo_init loaded */
	const char *base = env == PB_TOPO_ENV_XML ? strrchr(val, '/') : NULL;
	if (env == PB_TOPO_ENV_SYNTHETIC)
		snprintf(src, sizeof(src), "synthetic:%s", val);
	else if (env == PB_TOPO_ENV_XML)
		snprintf(src, sizeof(src), "xml:%s", base ? base + 1 : val);
	else
		snprintf(src, sizeof(src), "%s", this ? "hwloc" : "hwloc (not this system)");
#else
	snprintf(src, sizeof(src), "sysconf");
#endif
	json_object_set_new(m, "topology_is_thissystem", json_boolean(this));
	kv(m, "topology_source", src);
	json_t *t = json_object(), *h = this ? t : json_object();
	json_object_set_new(h, "numa_nodes", json_integer(pb_topo_nnodes()));
	json_object_set_new(h, "cores", json_integer(pb_topo_ncores()));
	json_object_set_new(h, "pus", json_integer(pb_topo_npus()));
	char *xml = pb_topo_xml();
	json_object_set_new(h, "hwloc_xml", pb_json_string_bytes(xml));
	free(xml);
	if (!this) {
		os_topology_json(m, t);
		na_at(m, t, "hwloc_xml", "topology.hwloc_xml",
		      "the hwloc topology loaded was not this machine's (topology_source): its "
		      "XML is planned_topology.hwloc_xml");
	}
	json_object_set_new(m, "topology", t);
	if (!this)
		json_object_set_new(m, "planned_topology", h);
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
	cpuinfo_json(m);
	virtualization_json(m);
	json_object_set_new(m, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(
	    m, "memory_bytes",
	    json_integer((json_int_t)sysconf(_SC_PHYS_PAGES) * (json_int_t)sysconf(_SC_PAGESIZE)));
	if (uname(&u) == 0) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release, u.machine);
		kv(m, "kernel", buf);
		kv(m, "kernel_version", u.version);
	}
	static const char no_thp[] = "the kernel has no transparent huge pages";
	kv_file(m, "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled", no_thp);
	kv_file(m, "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", no_thp);
	kv_file(m, "perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid",
		"the kernel has no perf events");
	kv_file(m, "cpufreq_governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		"no cpufreq driver, so the kernel does not set the CPU's frequency; common "
		"on a virtual machine");
	kv_file(m, "clocksource",
		"/sys/devices/system/clocksource/clocksource0/current_clocksource",
		"the kernel lists no clocksource");
	int_file(m, "numa_balancing", "/proc/sys/kernel/numa_balancing",
		 "the kernel was built without automatic NUMA balancing");
	json_t *b = json_object();
	kv(b, "version", PB_VERSION);
	kv(b, "git_commit", PB_GIT_COMMIT);
	kv(b, "build_type", PB_BUILD_TYPE);
	kv(b, "compiler", PB_C_COMPILER);
	kv(b, "c_flags", PB_C_FLAGS);
	kv(b, "features", PB_FEATURES);
	json_object_set_new(m, "build", b);
	json_t *l = json_object();
	hwloc_json(m, l);
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
	topology_json(m);
	int64_t md = pb_heap_metadata_bytes();
	json_object_set_new(m, "heap_metadata_bytes_at_end",
			    md >= 0 ? json_integer(md) : json_null());
	json_object_set_new(m, "environment", environment_json());
	return m;
}
