/* capture.h — record a real program's memory accesses under Valgrind lackey
 * into a native trace (private to traces/; the CLI's `mmusim trace record`).
 *
 * Runs `valgrind --tool=lackey --trace-mem=yes --log-fd=N CMD ARGS...`,
 * reads lackey's text from a pipe (it never touches the disk), parses it
 * incrementally (import/lackey.h) and writes records with mtr_writer_*.
 * The traced program's stdout/stderr are ours.
 *
 * Addresses are those of the guest as laid out by valgrind, not of a native
 * run: valgrind loads the program itself, so stack, heap, mmap and library
 * addresses differ from `CMD` run directly (e.g. the stack sits near
 * 0x1fff000000 and the tool itself is mapped at 0x58000000). The recorded
 * memory map (metadata `maps`) is the union of the snapshots of
 * /proc/<valgrind pid>/maps polled every maps_poll_ms while the program runs
 * (maps_merge.h: every range seen, the newest line's text, the union of its
 * permissions), once valgrind's tool runs (not its launcher); since the
 * guest lives inside valgrind's process it includes valgrind's own mappings
 * (the tool binary, its heap and translation cache) beside the guest's.
 *
 * A non-zero exit status of the traced program is not a capture error (the
 * trace is still written); it is reported in stats and in the params JSON. */
#ifndef MTR_CAPTURE_H
#define MTR_CAPTURE_H

#include <stdint.h>
#include <stdio.h>

#include "mmu/trace.h"

typedef struct mtr_capture_opts {
    const char *valgrind;          /* valgrind executable; NULL = search $PATH */
    unsigned maps_poll_ms;         /* /proc/PID/maps polling period; 0 = 100 ms */
    const mtr_writer_opts *writer; /* native writer options; NULL = defaults */
} mtr_capture_opts;

typedef struct mtr_capture_stats {
    uint64_t records;
    uint64_t by_kind[MTR_KIND_COUNT];
    uint64_t instrs;       /* sum of record instrs (= lackey "I" lines) */
    int64_t lackey_instrs; /* lackey's own "guest instrs" count; -1 if not seen */
    double wall_s;         /* from spawning valgrind to the trace being closed */
    double records_per_s;
    int exit_status;         /* traced program's exit code; -1 if killed by a signal */
    int term_signal;         /* signal that ended it, 0 if it exited */
    uint32_t pid;            /* valgrind's (= the guest's) pid */
    unsigned maps_snapshots; /* /proc/PID/maps reads merged (the tool's image) */
    uint64_t maps_bytes;     /* size of the recorded map (their union) */
    char valgrind_version[64];
} mtr_capture_stats;

/* argv: NULL-terminated, argv[0] the program (looked up on $PATH by
 * valgrind). opts and stats may be NULL. On error no output file is left. */
mmu_status mtr_capture(const char *out_path, char *const argv[], const mtr_capture_opts *opts,
                       mtr_capture_stats *stats, mmu_error *err);

/* A short human-readable summary (records by kind, speed, exit status). */
void mtr_capture_print_stats(FILE *f, const char *out_path, const mtr_capture_stats *s);

/* The argv as one shell-quoted string (malloc'ed; NULL on OOM): what the
 * trace's `command` metadata holds. */
char *mtr_shell_quote_argv(char *const argv[]);

#endif
