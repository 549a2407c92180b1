/* 79_driver_os.c — the trace driver feeding the OS model: the trace's maps
 * become every process's VMAs (pid labels the report), mmap/munmap markers
 * change them, and fast-forward (--skip) keeps VMA changes. A native trace
 * with markers is written here with the writer API and read back. */
#include <stdlib.h>
#include <unistd.h>

#include "cli/driver.h"
#include "mmu/trace.h"
#include "sim_test.h"

static const char *maps_text =
    "00400000-00410000 r-xp 00000000 08:01 1234 /usr/bin/prog\n"
    "00600000-00800000 rw-p 00000000 00:00 0 [heap]\n";

static mtr_record acc(uint32_t pid, uint8_t kind, uint64_t va) {
    return (mtr_record){.va = va, .asid = pid, .size = 8, .kind = kind, .instrs = 1};
}

static mtr_record marker(uint32_t pid, uint8_t m, uint64_t va, uint64_t len, uint16_t prot) {
    return (mtr_record){.va = va, .aux = len, .asid = pid, .size = prot, .kind = MTR_MARKER, .marker = m};
}

static char path_[64];

static void write_trace(const mtr_record *r, size_t n) {
    snprintf(path_, sizeof path_, "/tmp/mmusim_79_%d.mtr", (int)getpid());
    mmu_error err = {0};
    const mtr_meta meta = {.source = "test", .maps = maps_text};
    mtr_writer *w = mtr_writer_open(path_, &meta, NULL, &err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK(mtr_writer_put(w, r, n, &err) == MMU_OK);
    CHECK(mtr_writer_close(w, &err) == MMU_OK);
}

static mmu_sim *run(const char *extra, uint64_t skip) {
    mmu_config cfg = mmu_config_default();
    mmu_error err = {0};
    CHECK(mmu_config_set(&cfg, "os.enabled=true", &err) == MMU_OK);
    CHECK(mmu_config_set(&cfg, "os.thp.mode=never", &err) == MMU_OK);
    if (extra) CHECK(mmu_config_set(&cfg, extra, &err) == MMU_OK);
    mmu_sim *sim = mmu_sim_create(&cfg, &err);
    CHECK(sim != NULL);
    mtr_source *src = mtr_source_open(path_, NULL, &err);
    CHECK(src != NULL);
    if (!sim || !src) {
        mtr_source_close(src);
        mmu_sim_destroy(sim);
        return NULL;
    }
    const driver_opts opts = {.skip = skip};
    driver_stats ds;
    const mmu_status s = driver_run(sim, src, &opts, &ds, &err);
    if (s != MMU_OK) fprintf(stderr, "driver_run: %s\n", err.msg);
    CHECK(s == MMU_OK);
    mtr_source_close(src);
    return sim;
}

static void test_maps_and_markers(void) {
    const uint64_t m = 0x7f0000000000;
    const mtr_record recs[] = {
        acc(500, MTR_IFETCH, 0x400000),          /* text: ok */
        acc(500, MTR_STORE, 0x600000),           /* heap: ok */
        acc(500, MTR_LOAD, m),                   /* no VMA yet: segfault 1 */
        marker(500, MTR_MK_MMAP, m, 8192, 3),    /* rw- */
        acc(500, MTR_STORE, m),                  /* ok */
        acc(500, MTR_LOAD, m + 4096),            /* ok */
        marker(500, MTR_MK_MUNMAP, m, 4096, 0),  /* first page gone */
        acc(500, MTR_LOAD, m),                   /* segfault 2 */
        acc(500, MTR_LOAD, m + 4096),            /* still mapped */
        acc(500, MTR_STORE, 0x400010),           /* write to r-x: segfault 3 */
        acc(77, MTR_LOAD, 0x600000),             /* second process, same maps: ok */
        acc(77, MTR_LOAD, m + 4096),             /* its own address space: segfault 4 */
    };
    write_trace(recs, sizeof recs / sizeof recs[0]);
    mmu_sim *sim = run(NULL, 0);
    if (!sim) return;
    CHECK_EQ_U64(st(sim, "os.segfaults"), 4);
    CHECK_EQ_U64(st(sim, "process.500.segfaults"), 3);
    CHECK_EQ_U64(st(sim, "process.77.segfaults"), 1);
    CHECK_EQ_U64(st(sim, "process.500.min_flt"), 4); /* text, heap, m, m + 4096 */
    CHECK_EQ_U64(st(sim, "process.77.min_flt"), 1);
    /* VSZ = the two maps VMAs (64 KiB + 2 MiB) + the 4 KiB left of the mmap. */
    CHECK_EQ_U64(st(sim, "process.500.vsz_bytes"), 0x10000 + 0x200000 + 4096);
    CHECK_EQ_U64(st(sim, "process.77.vsz_bytes"), 0x10000 + 0x200000);
    mmu_sim_destroy(sim);

    /* Fast-forward past the mmap: the VMA still exists, the access at record 4
     * is then the first one simulated and is a plain minor fault. */
    sim = run(NULL, 4);
    if (!sim) return;
    CHECK_EQ_U64(st(sim, "process.500.segfaults"), 2);
    CHECK_EQ_U64(st(sim, "process.500.min_flt"), 2);
    mmu_sim_destroy(sim);

    /* os.layout = flat ignores the trace's maps: nothing is a segfault. */
    sim = run("os.layout=flat", 0);
    if (!sim) return;
    CHECK_EQ_U64(st(sim, "os.segfaults"), 1); /* only the access after munmap */
    mmu_sim_destroy(sim);
    unlink(path_);
}

int main(void) {
    RUN(test_maps_and_markers);
    return test_summary();
}
