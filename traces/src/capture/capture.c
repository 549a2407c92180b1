/* capture.c — valgrind lackey -> native trace, through a pipe (capture.h).
 *
 * Flow: find valgrind, ask its version, spawn it with --log-fd on the write
 * end of a pipe, then poll the read end: text is parsed as it arrives and the
 * records go to a native writer; every maps_poll_ms /proc/<pid>/maps is read
 * and folded into the union of all snapshots so far (maps_merge.h): a region
 * unmapped before exit, or write-protected later (ld.so's RELRO), stays in
 * the recorded map with every permission it had. Once the process exits its
 * maps are gone, so the last snapshot is at most one period old, and a region
 * that lived between two polls is missed.
 *
 * The native header (with the metadata) is written when the writer opens, but
 * the memory map and the exit status are only known at the end. So records
 * first go to OUT.partial.<pid>, which is then copied record for record into
 * OUT with the final metadata. The copy runs at native speed, negligible next
 * to valgrind's slowdown; a writer call that sets metadata at close would
 * remove it. */
#include "capture/capture.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture/maps_merge.h"
#include "import/lackey.h"

#define PIPE_BUF_BYTES (1u << 20)
#define COPY_BATCH 65536u

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- helpers --------------------------------------------------------------- */

/* An executable named `name` on $PATH (or `name` itself if it has a '/'). */
static char *find_in_path(const char *name) {
    if (strchr(name, '/')) return access(name, X_OK) == 0 ? strdup(name) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    const size_t nl = strlen(name);
    for (const char *p = path;;) {
        const char *e = strchr(p, ':');
        const size_t dl = e ? (size_t)(e - p) : strlen(p);
        char *cand = malloc(dl + nl + 3);
        if (!cand) return NULL;
        if (dl == 0)
            snprintf(cand, nl + 3, "./%s", name); /* empty entry = cwd */
        else {
            memcpy(cand, p, dl);
            cand[dl] = '/';
            memcpy(cand + dl + 1, name, nl + 1);
        }
        struct stat sb;
        if (access(cand, X_OK) == 0 && stat(cand, &sb) == 0 && S_ISREG(sb.st_mode)) return cand;
        free(cand);
        if (!e) return NULL;
        p = e + 1;
    }
}

char *mtr_shell_quote_argv(char *const argv[]) {
    size_t cap = 1;
    for (size_t i = 0; argv[i]; i++) cap += 4 * strlen(argv[i]) + 3;
    char *out = malloc(cap), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; argv[i]; i++) {
        const char *a = argv[i];
        if (i) *o++ = ' ';
        bool safe = *a != '\0';
        for (const char *c = a; *c && safe; c++)
            safe =
                strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%",
                       *c) != NULL;
        if (safe) {
            memcpy(o, a, strlen(a));
            o += strlen(a);
            continue;
        }
        /* POSIX sh: inside '...' nothing is special; a ' becomes '\'' */
        *o++ = '\'';
        for (const char *c = a; *c; c++) {
            if (*c == '\'') {
                memcpy(o, "'\\''", 4);
                o += 4;
            } else {
                *o++ = *c;
            }
        }
        *o++ = '\'';
    }
    *o = '\0';
    assert((size_t)(o - out) < cap);
    return out;
}

/* First line of `valgrind --version` ("valgrind-3.19.0"), or "unknown". */
static void valgrind_version(const char *vg, char *out, size_t cap) {
    snprintf(out, cap, "unknown");
    int fds[2];
    if (pipe(fds) != 0) return;
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(vg, vg, "--version", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (pid > 0) {
        size_t n = 0;
        ssize_t r;
        while (n + 1 < cap &&
               ((r = read(fds[0], out + n, cap - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
            if (r > 0) n += (size_t)r;
        out[n] = '\0';
        out[strcspn(out, "\r\n")] = '\0';
        if (n == 0) snprintf(out, cap, "unknown");
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    close(fds[0]);
}

/* Read /proc/<pid>/maps; NULL if unreadable or empty. */
static char *read_maps(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    size_t cap = 16384, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) break;
        if (n + 4096 > cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        const ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (buf && n == 0) {
        free(buf);
        return NULL;
    }
    if (buf) buf[n] = '\0';
    return buf;
}

/* ---- capture state ------------------------------------------------------------- */

typedef struct capture {
    const char *out_path;
    char *tmp_path, *valgrind, *command;
    pid_t pid;
    int rfd;
    mtr_writer *w;
    mtr_lackey_parser parser;
    mtr_recbuf recs;
    char *maps; /* union of the snapshots so far; NULL before the first */
    mtr_capture_stats st;
} capture;

/* Lackey's summary line "==PID==   guest instrs:  131,004". */
static void on_message(void *ctx, const char *line, size_t len) {
    capture *c = ctx;
    static const char key[] = "guest instrs:";
    const size_t kl = sizeof key - 1;
    for (size_t i = 0; i + kl <= len; i++) {
        if (memcmp(line + i, key, kl) != 0) continue;
        int64_t v = 0;
        bool any = false;
        for (size_t j = i + kl; j < len; j++) {
            if (line[j] >= '0' && line[j] <= '9') {
                v = v * 10 + (line[j] - '0');
                any = true;
            } else if (line[j] != ',' && line[j] != ' ') {
                break;
            }
        }
        if (any) c->st.lackey_instrs = v;
        return;
    }
}

/* Hand parsed records to the writer and count them. */
static mmu_status flush_records(capture *c, mmu_error *err) {
    if (c->recs.n == 0) return MMU_OK;
    for (size_t i = 0; i < c->recs.n; i++) {
        const mtr_record *r = &c->recs.v[i];
        assert(r->kind < MTR_KIND_COUNT);
        c->st.by_kind[r->kind]++;
        c->st.instrs += r->instrs;
    }
    c->st.records += c->recs.n;
    const mmu_status s = mtr_writer_put(c->w, c->recs.v, c->recs.n, err);
    c->recs.n = 0;
    return s;
}

/* Is this the maps of valgrind's lackey tool (the image the guest runs in)?
 * The pid runs other images first: Debian's /usr/bin/valgrind is a sh script
 * that execs valgrind.bin, the launcher, which execs the tool; and a guest
 * execve leaves the tool for a native, untraced program. Last-snapshot-only
 * never saw the early ones; a union would keep their mappings. */
static bool tool_maps(const char *m) { return strstr(m, "/lackey-") != NULL; }

/* Fold the current /proc/<pid>/maps into c->maps. An unreadable or empty
 * read (the process is gone), one of another image (tool_maps) and an
 * out-of-memory merge leave it as it was. */
static void snapshot_maps(capture *c) {
    char *m = read_maps(c->pid);
    if (!m) return;
    if (!tool_maps(m)) {
        free(m);
        return;
    }
    char *u = maps_merge(c->maps, m);
    free(m);
    if (!u) return;
    free(c->maps);
    c->maps = u;
    if (!*u) { /* no valid line yet */
        free(u);
        c->maps = NULL;
    }
    c->st.maps_snapshots++;
}

/* Spawn valgrind with its log on a pipe; c->pid, c->rfd. The exec status
 * pipe (close-on-exec) tells us whether exec succeeded before any maps poll,
 * so a snapshot never shows our own forked image. */
static mmu_status spawn(capture *c, char *const argv[], mmu_error *err) {
    int logp[2], execp[2];
    if (pipe(logp) != 0)
        return mmu_error_set(err, MMU_ERR_IO, "capture: pipe failed: %s", strerror(errno));
    if (pipe(execp) != 0) {
        close(logp[0]);
        close(logp[1]);
        return mmu_error_set(err, MMU_ERR_IO, "capture: pipe failed: %s", strerror(errno));
    }
    fcntl(logp[0], F_SETFD, FD_CLOEXEC);
    fcntl(execp[0], F_SETFD, FD_CLOEXEC);
    fcntl(execp[1], F_SETFD, FD_CLOEXEC);

    size_t argc = 0;
    while (argv[argc]) argc++;
    char logopt[32];
    snprintf(logopt, sizeof logopt, "--log-fd=%d", logp[1]);
    char **vargv = calloc(argc + 5, sizeof *vargv);
    if (!vargv) {
        close(logp[0]);
        close(logp[1]);
        close(execp[0]);
        close(execp[1]);
        return mmu_error_set(err, MMU_ERR_NOMEM, "capture: out of memory");
    }
    vargv[0] = c->valgrind;
    vargv[1] = "--tool=lackey";
    vargv[2] = "--trace-mem=yes";
    vargv[3] = logopt;
    for (size_t i = 0; i < argc; i++) vargv[4 + i] = argv[i];

    const pid_t pid = fork();
    if (pid == 0) {
        /* Child: only async-signal-safe calls from here. */
        close(logp[0]);
        close(execp[0]);
        execv(c->valgrind, vargv);
        const int e = errno;
        ssize_t wr = write(execp[1], &e, sizeof e);
        (void)wr;
        _exit(127);
    }
    const int fork_errno = errno;
    free(vargv);
    close(logp[1]);
    close(execp[1]);
    if (pid < 0) {
        close(logp[0]);
        close(execp[0]);
        return mmu_error_set(err, MMU_ERR_IO, "capture: fork failed: %s", strerror(fork_errno));
    }
    int child_errno = 0;
    ssize_t r;
    while ((r = read(execp[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
    }
    close(execp[0]);
    if (r > 0) {
        int ws;
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
        close(logp[0]);
        return mmu_error_set(err, MMU_ERR_IO, "capture: cannot run %s: %s", c->valgrind,
                             strerror(child_errno));
    }
    c->pid = pid;
    c->rfd = logp[0];
    return MMU_OK;
}

/* Pump the pipe until EOF, polling maps on the way. */
static mmu_status pump(capture *c, unsigned poll_ms, mmu_error *err) {
    char *buf = malloc(PIPE_BUF_BYTES);
    if (!buf) return mmu_error_set(err, MMU_ERR_NOMEM, "capture: out of memory");
    mmu_status s = MMU_OK;
    snapshot_maps(c);
    double next_poll = now_s() + poll_ms * 1e-3;
    for (;;) {
        const double t = now_s();
        if (t >= next_poll) {
            snapshot_maps(c);
            next_poll = t + poll_ms * 1e-3;
        }
        struct pollfd pfd = {.fd = c->rfd, .events = POLLIN};
        const int timeout = (int)((next_poll - t) * 1e3) + 1;
        const int pr = poll(&pfd, 1, timeout);
        if (pr < 0) {
            if (errno == EINTR) continue;
            s = mmu_error_set(err, MMU_ERR_IO, "capture: poll failed: %s", strerror(errno));
            break;
        }
        if (pr == 0) continue;
        const ssize_t r = read(c->rfd, buf, PIPE_BUF_BYTES);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            s = mmu_error_set(err, MMU_ERR_IO, "capture: reading valgrind's output failed: %s",
                              strerror(errno));
            break;
        }
        if (r == 0) {
            s = mtr_lackey_finish(&c->parser, &c->recs, err);
            if (s == MMU_OK) s = flush_records(c, err);
            break;
        }
        s = mtr_lackey_feed(&c->parser, buf, (size_t)r, &c->recs, err);
        if (s == MMU_OK) s = flush_records(c, err);
        if (s != MMU_OK) break;
    }
    free(buf);
    return s;
}

static char *params_json(const capture *c, unsigned poll_ms) {
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "tool", json_string("lackey"));
    json_object_set_new(o, "valgrind", json_string(c->st.valgrind_version));
    json_object_set_new(o, "valgrind_path", json_string(c->valgrind));
    json_object_set_new(o, "exit_status",
                        c->st.term_signal ? json_null() : json_integer(c->st.exit_status));
    json_object_set_new(o, "signal",
                        c->st.term_signal ? json_integer(c->st.term_signal) : json_null());
    json_object_set_new(o, "pid", json_integer(c->st.pid));
    json_object_set_new(o, "instrs", json_integer((json_int_t)c->st.instrs));
    json_object_set_new(o, "lackey_guest_instrs",
                        c->st.lackey_instrs >= 0 ? json_integer(c->st.lackey_instrs) : json_null());
    json_object_set_new(o, "maps_poll_ms", json_integer(poll_ms));
    json_object_set_new(o, "maps_snapshots", json_integer(c->st.maps_snapshots));
    json_object_set_new(o, "addresses",
                        json_string("valgrind guest layout, not a native run; maps are the "
                                    "union of all snapshots and include valgrind's own "
                                    "mappings"));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

/* Copy the temporary trace into out_path with the final metadata. */
static mmu_status finalize(capture *c, const mtr_writer_opts *wo, unsigned poll_ms,
                           mmu_error *err) {
    char *params = params_json(c, poll_ms);
    if (!params) return mmu_error_set(err, MMU_ERR_NOMEM, "capture: out of memory");
    const mtr_meta meta = {
        .source = "valgrind-lackey", .command = c->command, .maps = c->maps, .params = params};
    mmu_status s = MMU_OK;
    mtr_record *buf = malloc(COPY_BATCH * sizeof *buf);
    mtr_reader *r = buf ? mtr_reader_open(c->tmp_path, NULL, err) : NULL;
    mtr_writer *w = r ? mtr_writer_open(c->out_path, &meta, wo, err) : NULL;
    if (!buf)
        s = mmu_error_set(err, MMU_ERR_NOMEM, "capture: out of memory");
    else if (!r || !w)
        s = err ? err->status : MMU_ERR_IO;
    uint64_t copied = 0;
    while (s == MMU_OK) {
        size_t n;
        s = mtr_reader_read(r, buf, COPY_BATCH, &n, err);
        if (s != MMU_OK || n == 0) break;
        s = mtr_writer_put(w, buf, n, err);
        copied += n;
    }
    if (s == MMU_OK && copied != c->st.records)
        s = mmu_error_set(err, MMU_ERR_INTERNAL, "capture: copied %llu of %llu records",
                          (unsigned long long)copied, (unsigned long long)c->st.records);
    if (w) {
        if (s == MMU_OK)
            s = mtr_writer_close(w, err);
        else
            mtr_writer_abort(w);
    }
    mtr_reader_close(r);
    free(buf);
    free(params);
    if (s == MMU_OK) c->st.maps_bytes = c->maps ? strlen(c->maps) : 0;
    return s;
}

static void wait_child(capture *c) {
    int ws = 0;
    while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(ws)) {
        c->st.exit_status = WEXITSTATUS(ws);
        c->st.term_signal = 0;
    } else if (WIFSIGNALED(ws)) {
        c->st.exit_status = -1;
        c->st.term_signal = WTERMSIG(ws);
    }
    c->pid = 0;
}

mmu_status mtr_capture(const char *out_path, char *const argv[], const mtr_capture_opts *opts,
                       mtr_capture_stats *stats, mmu_error *err) {
    assert(out_path && argv);
    if (!argv[0]) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "capture: no command given");
    const mtr_capture_opts o = opts ? *opts : (mtr_capture_opts){0};
    const unsigned poll_ms = o.maps_poll_ms ? o.maps_poll_ms : 100;
    const double t0 = now_s();

    capture c = {.out_path = out_path, .rfd = -1};
    c.st.lackey_instrs = -1;
    mmu_status s = MMU_OK;
    c.valgrind = find_in_path(o.valgrind ? o.valgrind : "valgrind");
    if (!c.valgrind) {
        s = o.valgrind ? mmu_error_set(err, MMU_ERR_IO, "valgrind not found at %s", o.valgrind)
                       : mmu_error_set(err, MMU_ERR_IO,
                                       "valgrind not found on PATH: apt-get install valgrind");
        goto out;
    }
    valgrind_version(c.valgrind, c.st.valgrind_version, sizeof c.st.valgrind_version);
    c.command = mtr_shell_quote_argv(argv);
    const size_t tl = strlen(out_path) + 32;
    c.tmp_path = malloc(tl);
    if (!c.command || !c.tmp_path) {
        s = mmu_error_set(err, MMU_ERR_NOMEM, "capture: out of memory");
        goto out;
    }
    snprintf(c.tmp_path, tl, "%s.partial.%d", out_path, (int)getpid());
    const mtr_meta tmp_meta = {.source = "valgrind-lackey", .command = c.command};
    c.w = mtr_writer_open(c.tmp_path, &tmp_meta, o.writer, err);
    if (!c.w) {
        s = err ? err->status : MMU_ERR_IO;
        goto out;
    }
    mtr_lackey_init(&c.parser, "valgrind lackey output");
    c.parser.on_message = on_message;
    c.parser.msg_ctx = &c;

    if ((s = spawn(&c, argv, err)) != MMU_OK) goto out;
    c.st.pid = (uint32_t)c.pid;
    s = pump(&c, poll_ms, err);
    if (s != MMU_OK) {
        kill(c.pid, SIGKILL); /* our parse/write failed: stop the run */
        wait_child(&c);
        goto out;
    }
    wait_child(&c);
    close(c.rfd);
    c.rfd = -1;
    s = mtr_writer_close(c.w, err);
    c.w = NULL;
    if (s != MMU_OK) goto out;
    if (c.st.records == 0) {
        s = mmu_error_set(err, MMU_ERR_IO,
                          "capture: valgrind produced no trace for '%s' (exit status %d); see "
                          "its messages above",
                          c.command, c.st.exit_status);
        goto out;
    }
    s = finalize(&c, o.writer, poll_ms, err);

out:
    if (c.pid > 0) {
        kill(c.pid, SIGKILL);
        wait_child(&c);
    }
    if (c.rfd >= 0) close(c.rfd);
    mtr_writer_abort(c.w);
    if (c.tmp_path) unlink(c.tmp_path);
    c.st.wall_s = now_s() - t0;
    c.st.records_per_s = c.st.wall_s > 0 ? (double)c.st.records / c.st.wall_s : 0;
    if (stats) *stats = c.st;
    mtr_recbuf_free(&c.recs);
    free(c.maps);
    free(c.command);
    free(c.tmp_path);
    free(c.valgrind);
    return s;
}

void mtr_capture_print_stats(FILE *f, const char *out_path, const mtr_capture_stats *s) {
    fprintf(f,
            "captured %llu records (ifetch %llu, load %llu, store %llu, modify %llu), %llu "
            "instructions in %.2f s (%.3g records/s) -> %s\n",
            (unsigned long long)s->records, (unsigned long long)s->by_kind[MTR_IFETCH],
            (unsigned long long)s->by_kind[MTR_LOAD], (unsigned long long)s->by_kind[MTR_STORE],
            (unsigned long long)s->by_kind[MTR_MODIFY], (unsigned long long)s->instrs, s->wall_s,
            s->records_per_s, out_path);
    if (s->lackey_instrs >= 0 && (uint64_t)s->lackey_instrs != s->instrs)
        fprintf(f, "warning: lackey counted %lld guest instructions, the trace has %llu\n",
                (long long)s->lackey_instrs, (unsigned long long)s->instrs);
    fprintf(f, "memory map: %llu bytes (union of %u snapshots of /proc/%u/maps, %s)\n",
            (unsigned long long)s->maps_bytes, s->maps_snapshots, s->pid,
            "valgrind's guest layout incl. valgrind's own mappings");
    if (s->term_signal)
        fprintf(f, "traced program was killed by signal %d (trace kept up to that point)\n",
                s->term_signal);
    else if (s->exit_status != 0)
        fprintf(f, "traced program exited with status %d (not a capture error; trace kept)\n",
                s->exit_status);
}
