/* SPDX-License-Identifier: MIT */
/*
 * pagebench/commands.h - subcommands implemented by the modules.
 *
 * harness/main.c dispatches through a const table of these.  Each takes the
 * arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit code (0 ok, 1 run failed, 2 bad usage/input).
 */
#ifndef PAGEBENCH_COMMANDS_H
#define PAGEBENCH_COMMANDS_H

#include <stdio.h>

int pb_cmd_run(int argc, char **argv);	   /* harness/cmd_run.c */
int pb_cmd_list(int argc, char **argv);	   /* harness/cmd_list.c */
int pb_cmd_topo(int argc, char **argv);	   /* harness/cmd_topo.c */
int pb_cmd_suite(int argc, char **argv);   /* harness/cmd_suite.c */
int pb_cmd_merge(int argc, char **argv);   /* harness/cmd_suite.c */
int pb_cmd_compare(int argc, char **argv); /* harness/cmd_compare.c */
int pb_cmd_plot(int argc, char **argv);	   /* harness/cmd_plot.c */
int pb_cmd_trace(int argc, char **argv);   /* harness/cmd_trace.c */
int pb_cmd_sim(int argc, char **argv);	   /* harness/cmd_sim.c */
int pb_cmd_mrc(int argc, char **argv);	   /* harness/cmd_mrc.c */
int pb_cmd_csim(int argc, char **argv);	   /* harness/cmd_csim.c */

#endif
