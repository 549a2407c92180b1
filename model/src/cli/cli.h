/* cli.h — subcommands of the mmusim front end. Each returns the process exit
 * status: 0 success, 1 runtime/config error, 2 usage error. */
#ifndef MMU_CLI_H
#define MMU_CLI_H

int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_cosim(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_misscurve(int argc, char **argv);

/* "mmusim: error: ..." on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
