/* placeholder */
#include "pagebench/kernel.h"
const struct pb_kernel_desc *const pb_kernels_pt[] = {NULL};
