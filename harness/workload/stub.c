/* Placeholder until the workload module lands. */
#include "pagebench/cli.h"
#include "pagebench/commands.h"
#include "pagebench/kernel.h"
const struct pb_kernel_desc *const pb_kernels_workload[] = {NULL};
void pb_list_workloads(FILE *f) { fprintf(f, "(no workloads built yet)\n"); }
int pb_cmd_trace(int argc, char **argv) { pb_usage_error("trace", "not built yet"); }
