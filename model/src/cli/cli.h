/* cli.h — subcommands of the mmusim front end. Each returns the process exit
 * status: 0 success, 1 runtime/config error, 2 usage error. */
#ifndef MMU_CLI_H
#define MMU_CLI_H

#include <stdbool.h>
#include <stdint.h>

int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_cosim(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_misscurve(int argc, char **argv);

/* A non-negative integer option value: decimal, or hex with 0x. Prints
 * "OPT: expected a non-negative integer, got 'V'" and returns false otherwise. */
bool cli_parse_u64(const char *opt, const char *v, uint64_t *out);

/* "mmusim: error: ..." on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
