/* SPDX-License-Identifier: MIT */
/*
 * tests/workload/test_perf_fields.c - which perf script dumps the perf
 * reader takes (lines as perf 6.1 prints them for `perf record -e
 * page-faults -d`):
 *  - perf's default fields have no addr field: the address after the event
 *    is the instruction pointer, followed by its symbol+offset and dso.
 *    Such a dump is refused, exit 2, one line naming the file and line and
 *    `-F +addr` (it was read without a word, the code addresses replayed
 *    as the faulting ones: a kernel address as a user page);
 *  - `-F +addr` (the data address, its symbol and dso, then the
 *    instruction pointer and its own) is read as the data addresses, as
 *    are `-F comm,tid,time,event,addr` and `-F ...,addr,sym,dso` (a symbol
 *    without its offset after a lone address: read as before).
 */
#include "wltest.h"

static const char *pb;

/* The same four faults, as perf script prints them with each -F. */
static const char perf_default[] =
    "            true   838 57720.351866:          1 page-faults:  ffffffff8177d51a "
    "elf_load+0x28a ([kernel.kallsyms])\n"
    "            true   838 57720.351918:          1 page-faults:  ffffffff8223c3bd "
    "__put_user_8+0xd ([kernel.kallsyms])\n"
    "            true   838 57720.351936:          1 page-faults:      7f676f6d4b70 "
    "_start+0x0 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)\n";
static const char perf_plus_addr[] =
    "            true   838 57720.351866:          1 page-faults:     55caa4b5d1e0 "
    "__progname+0x0 (/usr/bin/true) ffffffff8177d51a elf_load+0x28a ([kernel.kallsyms])\n"
    "            true   838 57720.351918:          1 page-faults:     7fff7bc2cfa0 [unknown] "
    "([stack]) ffffffff8223c3bd __put_user_8+0xd ([kernel.kallsyms])\n"
    "            true   838 57720.351936:          1 page-faults:     7f676f6d4b70 "
    "_start+0x0 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)     7f676f6d4b70 "
    "_start+0x0 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)\n";
static const char perf_addr[] =
    "            true   838 57720.351866: page-faults:     55caa4b5d1e0\n"
    "            true   838 57720.351918: page-faults:     7fff7bc2cfa0\n"
    "            true   838 57720.351936: page-faults:     7f676f6d4b70\n";
static const char perf_addr_sym[] =
    "            true   838 57720.351866: page-faults:     55caa4b5d1e0 __progname "
    "(/usr/bin/true)\n"
    "            true   838 57720.351918: page-faults:     7fff7bc2cfa0 [unknown] ([stack])\n"
    "            true   838 57720.351936: page-faults:     7f676f6d4b70 _start "
    "(/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)\n";
/* default fields, a demangled C++ name: blanks inside the symbol */
static const char perf_default_cxx[] =
    "            prog  900 10.000001:          1 page-faults:      55d0c0de1234 "
    "std::vector<int, std::allocator<int> >::push_back+0x1c (/usr/bin/prog)\n";

static const unsigned long long data_pages[] = {0x55caa4b5d, 0x7fff7bc2c, 0x7f676f6d4};

static void check_data(const char *name, const char *text)
{
	char spec[PATH_MAX + 64], err[512] = "";
	struct pb_access *v = NULL;
	wl_write(wl_path(name), text, strlen(text));
	snprintf(spec, sizeof(spec), "trace:path=%s", wl_path(name));
	long n = wl_readall(spec, NULL, &v, err, sizeof(err));
	PB_CHECK_MSG(n == 3, "%s: %ld refs (%s)", name, n, err);
	for (long i = 0; n == 3 && i < n; i++)
		PB_CHECK_MSG(v[i].addr >> 12 == data_pages[i], "%s: ref %ld at page %llx, not %llx",
			     name, i, (unsigned long long)(v[i].addr >> 12), data_pages[i]);
	free(v);
}

static void check_refused(const char *name, const char *text)
{
	char spec[PATH_MAX + 64], err[512] = "", want[PATH_MAX + 8];
	wl_write(wl_path(name), text, strlen(text));
	snprintf(spec, sizeof(spec), "trace:path=%s", wl_path(name));
	long n = wl_readall(spec, NULL, NULL, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:1:", name);
	PB_CHECK_MSG(n < 0 && strstr(err, want) && strstr(err, "without the addr field") &&
			 strstr(err, "-F +addr"),
		     "%s: %ld refs, message '%s'", name, n, err);
	/* the command line: one line, exit 2 (a bad input) */
	struct spawn_out *o = calloc(1, sizeof(*o));
	char *a[] = {(char *)pb, "trace", "info", (char *)wl_path(name), NULL};
	PB_CHECK_MSG(spawn_run(a, NULL, o) == 2 && count_lines(o->err) == 1 &&
			 strstr(o->err, "-F +addr"),
		     "trace info %s: exit %d: %s", name, o->code, o->err);
	free(o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_perf_fields PAGEBENCH\n");
		return 2;
	}
	pb = argv[1];
	wl_mkdir();
	check_refused("default.perf", perf_default);
	check_refused("cxx.perf", perf_default_cxx);
	check_data("plus_addr.perf", perf_plus_addr);
	check_data("addr.perf", perf_addr);
	check_data("addr_sym.perf", perf_addr_sym);
	wl_rmdir();
	return pb_test_done();
}
