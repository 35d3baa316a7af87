/* Placeholder until the policy module lands. */
#include "pagebench/commands.h"
void pb_list_policies(FILE *f) { fprintf(f, "(no policies built yet)\n"); }
