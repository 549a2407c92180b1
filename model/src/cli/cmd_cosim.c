/* cmd_cosim.c — `mmusim cosim ...`: runs the RTL co-simulation, which is a
 * separate C++/SystemC program (build/rtl/cosim/mmu_cosim) so that the C
 * front end never links Verilated code. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cmd_cosim(int argc, char **argv) {
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        cli_error("cosim: cannot locate the mmusim binary: %s", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/rtl/cosim/mmu_cosim", self);
    if (access(path, X_OK) != 0) {
        cli_error("cosim: %s not found: the co-simulation is built when Verilator and SystemC are "
                  "installed (scripts/setup.sh) and MMU_WITH_RTL=ON", path);
        return 1;
    }
    argv[0] = path; /* argv[1..] are the co-simulation's own options */
    execv(path, argv);
    cli_error("cosim: cannot run %s: %s", path, strerror(errno));
    (void)argc;
    return 1;
}
