/* summary.h — the human-readable end-of-run summary. */
#ifndef MMU_CLI_SUMMARY_H
#define MMU_CLI_SUMMARY_H

#include <stdio.h>

#include "mmu/sim.h"

void summary_print(FILE *out, const mmu_sim *sim, const char *trace, const char *config_path,
                   double elapsed_s);

#endif
