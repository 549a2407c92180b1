/* 10_mem_physmem.c — sparse simulated physical memory. */
#include "mmu/mem.h"
#include "test.h"

#define GiB (1ull << 30)
#define TiB (1ull << 40)

static void test_create_rejects_bad_sizes(void) {
    mmu_error err = {0};
    CHECK(mmu_physmem_create(0, &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_INVALID_ARG);
    CHECK(mmu_physmem_create(4096 + 8, &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "4096");
    mmu_physmem_destroy(NULL); /* accepted */
}

static void test_untouched_reads_zero(void) {
    mmu_physmem *m = mmu_physmem_create(16 * GiB, NULL);
    REQUIRE(m);
    CHECK_EQ_U64(mmu_physmem_size(m), 16 * GiB);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0), 0);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x12345678ull & ~7ull), 0);
    CHECK_EQ_U64(mmu_physmem_read64(m, 16 * GiB - 8), 0);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 0); /* reads never materialise */
    /* Writing zero to an untouched frame is a no-op: it already reads zero. */
    mmu_physmem_write64(m, 0x5000, 0);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 0);
    mmu_physmem_destroy(m);
}

static void test_write_read_and_frames_touched(void) {
    mmu_physmem *m = mmu_physmem_create(16 * GiB, NULL);
    REQUIRE(m);
    mmu_physmem_write64(m, 0x1000, 0x1111);
    mmu_physmem_write64(m, 0x1ff8, 0x2222); /* same frame, last word */
    mmu_physmem_write64(m, 0x3000, 0x3333);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 2);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x1000), 0x1111);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x1ff8), 0x2222);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x1008), 0); /* rest of a touched frame is zero */
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x3000), 0x3333);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x2000), 0);
    mmu_physmem_write64(m, 0x1000, 0xdead);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x1000), 0xdead);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 2);
    /* Writing zero to a touched frame stores zero and keeps the frame. */
    mmu_physmem_write64(m, 0x3000, 0);
    CHECK_EQ_U64(mmu_physmem_read64(m, 0x3000), 0);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 2);
    mmu_physmem_destroy(m);
}

static void test_zero_frame(void) {
    mmu_physmem *m = mmu_physmem_create(1 * GiB, NULL);
    REQUIRE(m);
    for (uint64_t i = 0; i < 512; i++) mmu_physmem_write64(m, 7 * 4096 + 8 * i, i + 1);
    mmu_physmem_write64(m, 8 * 4096, 42);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 2);
    mmu_physmem_zero_frame(m, 7);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 1);
    for (uint64_t i = 0; i < 512; i++) CHECK_EQ_U64(mmu_physmem_read64(m, 7 * 4096 + 8 * i), 0);
    CHECK_EQ_U64(mmu_physmem_read64(m, 8 * 4096), 42);
    mmu_physmem_zero_frame(m, 7); /* already untouched: no-op */
    mmu_physmem_zero_frame(m, 100);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 1);
    mmu_physmem_destroy(m);
}

static void test_4tib_top_frame(void) {
    const uint64_t size = 4 * TiB; /* 2^30 frames */
    mmu_physmem *m = mmu_physmem_create(size, NULL);
    REQUIRE(m);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 0);
    const uint64_t top = size - 8;
    mmu_physmem_write64(m, top, 0xfeedfacecafebeefull);
    mmu_physmem_write64(m, size - 4096, 1);
    CHECK_EQ_U64(mmu_physmem_read64(m, top), 0xfeedfacecafebeefull);
    CHECK_EQ_U64(mmu_physmem_read64(m, size - 4096), 1);
    CHECK_EQ_U64(mmu_physmem_read64(m, size - 8192), 0);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 1);
    mmu_physmem_zero_frame(m, (size >> 12) - 1);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), 0);
    CHECK_EQ_U64(mmu_physmem_read64(m, top), 0);
    mmu_physmem_destroy(m);
}

/* Many frames scattered over 4 TiB: exercises hash growth and deletion. */
static void test_many_frames(void) {
    const uint64_t size = 4 * TiB, n_frames = size >> 12;
    enum { N = 20000 };
    static uint64_t pfns[N];
    mmu_physmem *m = mmu_physmem_create(size, NULL);
    REQUIRE(m);
    uint64_t seed = 1;
    for (unsigned i = 0; i < N; i++) {
        /* distinct pfns: i-th in its own stride of n_frames / N */
        pfns[i] = (uint64_t)i * (n_frames / N) + test_rand(&seed) % (n_frames / N);
        mmu_physmem_write64(m, (pfns[i] << 12) + 8 * (i % 512), pfns[i] ^ 0xabcdull);
    }
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), N);
    int bad = 0;
    for (unsigned i = 0; i < N; i++)
        bad += mmu_physmem_read64(m, (pfns[i] << 12) + 8 * (i % 512)) != (pfns[i] ^ 0xabcdull);
    CHECK_EQ_U64(bad, 0);
    for (unsigned i = 0; i < N; i += 2) mmu_physmem_zero_frame(m, pfns[i]);
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), N / 2);
    bad = 0;
    for (unsigned i = 0; i < N; i++) {
        uint64_t want = (i % 2) ? (pfns[i] ^ 0xabcdull) : 0;
        bad += mmu_physmem_read64(m, (pfns[i] << 12) + 8 * (i % 512)) != want;
    }
    CHECK_EQ_U64(bad, 0);
    mmu_physmem_destroy(m);
}

int main(void) {
    RUN(test_create_rejects_bad_sizes);
    RUN(test_untouched_reads_zero);
    RUN(test_write_read_and_frames_touched);
    RUN(test_zero_frame);
    RUN(test_4tib_top_frame);
    RUN(test_many_frames);
    return test_summary();
}
