/* SPDX-License-Identifier: MIT */
/*
 * kernels/vm/prepage_demand.c - pure demand paging: nothing is brought in
 * before it is touched.  The default, and the only strategy OFFLINE
 * policies (OPT) accept: they need the future of every page they hold.
 */
#include "pagebench/vm.h"

const struct pb_prepage_desc pb_prepage_demand = {
    .name = "demand",
    .help = "pure demand paging (default)",
    .after_fault = NULL,
};
