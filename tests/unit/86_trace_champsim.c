/* 86_trace_champsim.c — the ChampSim importer: input_instr (64 B) and
 * cloudsuite_instr (96 B) records built byte by byte here (from the layout
 * in ChampSim's inc/trace_instruction.h, independently of the importer's
 * decoder) give the expected record sequence, raw and compressed; a size that
 * is not a whole number of records is an error naming the byte offset. */
#include "import/champsim.h"
#include "source.h"
#include "test.h"
#include "trace_import_util.h"

static void st64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* input_instr: ip@0, is_branch@8, branch_taken@9, dst_regs@10[2], src_regs@12[4],
 * dst_mem@16[2], src_mem@32[4]. */
static void put64(uint8_t *rec, uint64_t ip, uint8_t br, uint8_t taken, const uint64_t dst[2],
                  const uint64_t src[4]) {
    memset(rec, 0, 64);
    st64(rec, ip);
    rec[8] = br;
    rec[9] = taken;
    rec[10] = 6; /* registers: arbitrary, ignored */
    rec[12] = 25;
    for (int i = 0; i < 2; i++) st64(rec + 16 + 8 * i, dst[i]);
    for (int i = 0; i < 4; i++) st64(rec + 32 + 8 * i, src[i]);
}

/* cloudsuite_instr: ip@0, is_branch@8, branch_taken@9, dst_regs@10[4],
 * src_regs@14[4], pad 18..23, dst_mem@24[4], src_mem@56[4], asid@88[2], pad 90..95. */
static void put96(uint8_t *rec, uint64_t ip, const uint64_t dst[4], const uint64_t src[4],
                  uint8_t asid0, uint8_t asid1) {
    memset(rec, 0, 96);
    st64(rec, ip);
    rec[10] = 3;
    rec[14] = 4;
    memset(rec + 18, 0xAA, 6); /* padding content must not matter */
    for (int i = 0; i < 4; i++) st64(rec + 24 + 8 * i, dst[i]);
    for (int i = 0; i < 4; i++) st64(rec + 56 + 8 * i, src[i]);
    rec[88] = asid0;
    rec[89] = asid1;
    memset(rec + 90, 0x55, 6);
}

/* Three input_instr records and the records they must give:
 *  0: ip 0x401000, no memory           -> IFETCH
 *  1: ip 0x401004, loads a, b (slots 0, 2), store c (slot 1)
 *                                      -> IFETCH, LOAD a, LOAD b, STORE c
 *  2: ip 0x401008, branch taken, load d and store d
 *                                      -> IFETCH, LOAD d, STORE d */
static size_t build64(uint8_t *buf, mtr_record *want) {
    const uint64_t a = 0x7ffd0000, b = 0x601020, c = 0x7ffd0008, d = 0x602000;
    const uint64_t none[4] = {0};
    put64(buf, 0x401000, 0, 0, none, none);
    put64(buf + 64, 0x401004, 0, 0, (const uint64_t[2]){0, c}, (const uint64_t[4]){a, 0, b, 0});
    put64(buf + 128, 0x401008, 1, 1, (const uint64_t[2]){d, 0}, (const uint64_t[4]){0, 0, 0, d});
    size_t n = 0;
    want[n++] = trec(MTR_IFETCH, 0x401000, 4, 1, 0);
    want[n++] = trec(MTR_IFETCH, 0x401004, 4, 1, 0);
    want[n++] = trec(MTR_LOAD, a, 8, 0, 0);
    want[n++] = trec(MTR_LOAD, b, 8, 0, 0);
    want[n++] = trec(MTR_STORE, c, 8, 0, 0);
    want[n++] = trec(MTR_IFETCH, 0x401008, 4, 1, 0);
    want[n++] = trec(MTR_LOAD, d, 8, 0, 0);
    want[n++] = trec(MTR_STORE, d, 8, 0, 0);
    return n;
}

/* Two cloudsuite records (asid from asid[0]; asid[1] ignored):
 *  0: ip 0x10000, asid 7/9, 4 stores, 1 load -> IFETCH, LOAD, STORE x4
 *  1: ip 0x10004, asid 3/3, nothing         -> IFETCH */
static size_t build96(uint8_t *buf, mtr_record *want) {
    put96(buf, 0x10000, (const uint64_t[4]){0x20000, 0x20008, 0x20010, 0x20018},
          (const uint64_t[4]){0, 0, 0, 0x30000}, 7, 9);
    put96(buf + 96, 0x10004, (const uint64_t[4]){0}, (const uint64_t[4]){0}, 3, 3);
    size_t n = 0;
    want[n++] = trec(MTR_IFETCH, 0x10000, 4, 1, 7);
    want[n++] = trec(MTR_LOAD, 0x30000, 8, 0, 7);
    for (uint64_t i = 0; i < 4; i++) want[n++] = trec(MTR_STORE, 0x20000 + 8 * i, 8, 0, 7);
    want[n++] = trec(MTR_IFETCH, 0x10004, 4, 1, 3);
    return n;
}

static void check_file(const uint8_t *bytes, size_t len, mtr_format fmt, const mtr_record *want,
                       size_t nwant) {
    for (int c = 0; c < TC_COUNT; c++) {
        char path[256];
        write_tmp(path, sizeof path, "cs", bytes, len, (tcodec)c);
        mmu_error err = {0};
        mtr_source *s = mtr_open_champsim(path, fmt, &err);
        if (!s) fprintf(stderr, "  %s: %s\n", tcodec_name[c], err.msg);
        REQUIRE(s);
        CHECK_EQ_U64(mtr_source_format(s), fmt);
        mtr_record *got;
        size_t n;
        const mmu_status st = drain(s, &got, &n, &err);
        if (st != MMU_OK) fprintf(stderr, "  %s: %s\n", tcodec_name[c], err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        CHECK_EQ_U64(n, nwant);
        for (size_t i = 0; i < n && i < nwant; i++) CHECK(rec_eq(&got[i], &want[i]));
        free(got);
        mtr_source_close(s);
        unlink(path);
    }
}

static void test_input_instr(void) {
    uint8_t buf[192];
    mtr_record want[16];
    const size_t n = build64(buf, want);
    check_file(buf, sizeof buf, MTR_FMT_CHAMPSIM, want, n);
}

static void test_cloudsuite(void) {
    uint8_t buf[192];
    mtr_record want[16];
    const size_t n = build96(buf, want);
    check_file(buf, sizeof buf, MTR_FMT_CLOUDSUITE, want, n);
}

/* Many records: crosses the importer's block boundary (4096 instructions). */
static void test_many_records(void) {
    const size_t ninstr = 10000;
    uint8_t *buf = malloc(ninstr * 64);
    mtr_record *want = malloc(ninstr * 3 * sizeof *want);
    size_t n = 0;
    for (size_t i = 0; i < ninstr; i++) {
        const uint64_t ld = (i % 3) ? 0x7f0000000000ull + 64 * i : 0;
        put64(buf + 64 * i, 0x400000 + 4 * i, 0, 0, (const uint64_t[2]){0, 0},
              (const uint64_t[4]){0, ld, 0, 0});
        want[n++] = trec(MTR_IFETCH, 0x400000 + 4 * i, 4, 1, 0);
        if (ld) want[n++] = trec(MTR_LOAD, ld, 8, 0, 0);
    }
    check_file(buf, ninstr * 64, MTR_FMT_CHAMPSIM, want, n);
    free(buf);
    free(want);
}

static void test_partial_record(void) {
    uint8_t buf[96 * 3 + 64];
    mtr_record want[32];
    build64(buf, want);
    memset(buf + 192, 0x11, 17);
    for (int c = 0; c < TC_COUNT; c++) {
        /* input_instr: 3 records + 17 bytes */
        char path[256];
        write_tmp(path, sizeof path, "cspart", buf, 192 + 17, (tcodec)c);
        mmu_error err = {0};
        mtr_source *s = mtr_open_champsim(path, MTR_FMT_CHAMPSIM, &err);
        REQUIRE(s);
        mtr_record *got;
        size_t n;
        CHECK_EQ_U64(drain(s, &got, &n, &err), MMU_ERR_PARSE);
        CHECK_STR_CONTAINS(err.msg, "trailing 17 bytes at offset 192");
        CHECK_STR_CONTAINS(err.msg, "not a whole 64-byte input_instr record");
        CHECK_STR_CONTAINS(err.msg, path);
        if (c != TC_RAW) CHECK_STR_CONTAINS(err.msg, "decompressed");
        free(got);
        mtr_source_close(s);
        unlink(path);
    }
    uint8_t cs[96 * 2 + 5];
    build96(cs, want);
    memset(cs + 192, 0, 5);
    for (int c = 0; c < TC_COUNT; c++) {
        char path[256];
        write_tmp(path, sizeof path, "cspart96", cs, sizeof cs, (tcodec)c);
        mmu_error err = {0};
        mtr_source *s = mtr_open_champsim(path, MTR_FMT_CLOUDSUITE, &err);
        REQUIRE(s);
        mtr_record *got;
        size_t n;
        CHECK_EQ_U64(drain(s, &got, &n, &err), MMU_ERR_PARSE);
        CHECK_STR_CONTAINS(err.msg,
                           "trailing 5 bytes at offset 192: not a whole 96-byte cloudsuite_instr");
        free(got);
        mtr_source_close(s);
        unlink(path);
    }
}

/* Plausibility used by detection. */
static void test_plausible(void) {
    uint8_t rec[64];
    mtr_champsim_instr ins;
    const uint64_t none[4] = {0};
    put64(rec, 0x401000, 1, 1, none, none);
    mtr_champsim_decode(rec, MTR_FMT_CHAMPSIM, &ins);
    CHECK(mtr_champsim_plausible(&ins));
    put64(rec, 0x401000, 0, 1, none, none); /* taken but not a branch */
    mtr_champsim_decode(rec, MTR_FMT_CHAMPSIM, &ins);
    CHECK(!mtr_champsim_plausible(&ins));
    put64(rec, 0x401000, 2, 0, none, none);
    mtr_champsim_decode(rec, MTR_FMT_CHAMPSIM, &ins);
    CHECK(!mtr_champsim_plausible(&ins));
    put64(rec, 0, 0, 0, none, none); /* ip 0 */
    mtr_champsim_decode(rec, MTR_FMT_CHAMPSIM, &ins);
    CHECK(!mtr_champsim_plausible(&ins));
    put64(rec, 0x401000, 0, 0, none, (const uint64_t[4]){0x0001000000000000ull, 0, 0, 0});
    mtr_champsim_decode(rec, MTR_FMT_CHAMPSIM, &ins);
    CHECK(!mtr_champsim_plausible(&ins));                /* non-canonical load address */
    put64(rec, 0xffffffff81000000ull, 0, 0, none, none); /* kernel half is canonical */
    mtr_champsim_decode(rec, MTR_FMT_CHAMPSIM, &ins);
    CHECK(mtr_champsim_plausible(&ins));
}

int main(void) {
    RUN(test_input_instr);
    RUN(test_cloudsuite);
    RUN(test_many_records);
    RUN(test_partial_record);
    RUN(test_plausible);
    return test_summary();
}
