/* Placeholder until the vm module lands: an empty kernel table. */
#include "pagebench/kernel.h"
const struct pb_kernel_desc *const pb_kernels_vm[] = {NULL};
#include "pagebench/cli.h"
#include "pagebench/commands.h"
int pb_cmd_sim(int argc, char **argv) { pb_usage_error("sim", "not built yet"); }
int pb_cmd_mrc(int argc, char **argv) { pb_usage_error("mrc", "not built yet"); }
