/* 01_os_vma.c — the VMA set: insert errors, lookups at the edges, removal
 * (split, trims, whole, ranges over several VMAs), total, and a randomized
 * differential test against a per-page model. */
#include "os/os.h"
#include "os/vma.h"
#include "test.h"

#define K4 0x1000ull

static os_vma mk(uint64_t start, uint64_t end, uint32_t flags, const char *name) {
    os_vma v = {.start = start, .end = end, .flags = flags};
    snprintf(v.name, sizeof v.name, "%s", name);
    return v;
}

/* The invariant the set promises: sorted, disjoint, aligned, non-empty. */
static bool well_formed(const os_vma_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const os_vma *v = &s->v[i];
        if ((v->start | v->end) & (K4 - 1) || v->start >= v->end) return false;
        if (i > 0 && s->v[i - 1].end > v->start) return false;
    }
    return s->n <= s->cap;
}

static void test_insert_errors(void) {
    os_vma_set s;
    os_vma_set_init(&s);
    mmu_error err = {0};
    os_vma v = mk(0x10000, 0x20000, OS_VMA_READ, "[heap]");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_OK);

    v = mk(0x30001, 0x40000, 0, "");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "aligned");
    v = mk(0x30000, 0x40800, 0, "");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_ERR_INVALID_ARG);
    v = mk(0x30000, 0x30000, 0, "");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "empty");
    v = mk(0x40000, 0x30000, 0, "");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_ERR_INVALID_ARG);

    /* Overlap in every way: same, lower edge, upper edge, inside, around. */
    const uint64_t bad[][2] = {{0x10000, 0x20000}, {0x8000, 0x11000}, {0x1f000, 0x21000},
                               {0x12000, 0x13000}, {0x0, 0x100000}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = mk(bad[i][0], bad[i][1], 0, "x");
        err.status = MMU_OK;
        CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_ERR_EXISTS);
        CHECK_EQ_U64(err.status, MMU_ERR_EXISTS);
        CHECK_STR_CONTAINS(err.msg, "[heap]");
    }
    CHECK_EQ_U64(s.n, 1);

    /* Touching neighbours are fine. */
    v = mk(0x20000, 0x21000, 0, "above");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_OK);
    v = mk(0xf000, 0x10000, 0, "below");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_OK);
    CHECK_EQ_U64(s.n, 3);
    CHECK(well_formed(&s));
    CHECK(strcmp(s.v[0].name, "below") == 0 && strcmp(s.v[2].name, "above") == 0);

    /* The top of the address space (end wraps to 0 is not expressible; the
     * last representable page ends at 2^64 - 4K). */
    v = mk(0xffffffffffffe000ull, 0xfffffffffffff000ull, 0, "top");
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_OK);

    /* A name that fills the buffer without a terminator is cut, not overrun. */
    v = mk(0x100000, 0x101000, 0, "");
    memset(v.name, 'n', sizeof v.name);
    CHECK_EQ_U64(os_vma_insert(&s, &v, &err), MMU_OK);
    CHECK_EQ_U64(strlen(os_vma_find(&s, 0x100000)->name), OS_VMA_NAME_MAX - 1);
    os_vma_set_free(&s);
    CHECK(s.v == NULL && s.n == 0);
    os_vma_set_free(&s); /* twice is harmless */
}

static void test_find_edges(void) {
    os_vma_set s;
    os_vma_set_init(&s);
    CHECK(os_vma_find(&s, 0) == NULL);
    os_vma a = mk(0x1000, 0x3000, OS_VMA_READ, "a");
    os_vma b = mk(0x5000, 0x8000, OS_VMA_WRITE, "b");
    os_vma c = mk(0x8000, 0x9000, OS_VMA_EXEC, "c");
    /* Inserted out of order: the set sorts. */
    REQUIRE(os_vma_insert(&s, &c, NULL) == MMU_OK);
    REQUIRE(os_vma_insert(&s, &a, NULL) == MMU_OK);
    REQUIRE(os_vma_insert(&s, &b, NULL) == MMU_OK);
    CHECK(well_formed(&s));

    CHECK(os_vma_find(&s, 0x0) == NULL);
    CHECK(os_vma_find(&s, 0xfff) == NULL);
    CHECK(os_vma_find(&s, 0x1000)->flags == OS_VMA_READ); /* start */
    CHECK(os_vma_find(&s, 0x2fff)->flags == OS_VMA_READ); /* end - 1 */
    CHECK(os_vma_find(&s, 0x3000) == NULL);               /* end: a gap */
    CHECK(os_vma_find(&s, 0x4fff) == NULL);
    CHECK(os_vma_find(&s, 0x5000)->flags == OS_VMA_WRITE);
    CHECK(os_vma_find(&s, 0x7fff)->flags == OS_VMA_WRITE);
    CHECK(os_vma_find(&s, 0x8000)->flags == OS_VMA_EXEC); /* end of b = start of c */
    CHECK(os_vma_find(&s, 0x8fff)->flags == OS_VMA_EXEC);
    CHECK(os_vma_find(&s, 0x9000) == NULL);
    CHECK(os_vma_find(&s, UINT64_MAX) == NULL);
    /* The hint must not answer for a va outside the cached VMA. */
    CHECK(os_vma_find(&s, 0x7fff)->flags == OS_VMA_WRITE);
    CHECK(os_vma_find(&s, 0x8000)->flags == OS_VMA_EXEC);
    CHECK(os_vma_find(&s, 0x4000) == NULL);
    CHECK(os_vma_find(&s, 0x1000)->flags == OS_VMA_READ);

    os_vma *m = os_vma_find_mut(&s, 0x6000);
    REQUIRE(m);
    m->thp_madvise = true;
    CHECK(os_vma_find(&s, 0x5000)->thp_madvise);
    CHECK_EQ_U64(os_vma_total(&s), 0x2000 + 0x3000 + 0x1000);
    os_vma_set_free(&s);
}

/* Set up [0x10000,0x20000) "lib" rw file + [0x30000,0x40000) hugetlb with
 * a reservation + [0x40000,0x50000) anon. */
static void three(os_vma_set *s) {
    os_vma_set_init(s);
    os_vma v = mk(0x10000, 0x20000, OS_VMA_READ | OS_VMA_WRITE | OS_VMA_FILE, "/lib/x.so");
    REQUIRE(os_vma_insert(s, &v, NULL) == MMU_OK);
    v = mk(0x30000, 0x40000, OS_VMA_READ | OS_VMA_WRITE, "huge");
    v.hugetlb_level = 1;
    v.hugetlb_resv = 7;
    v.thp_madvise = true;
    REQUIRE(os_vma_insert(s, &v, NULL) == MMU_OK);
    v = mk(0x40000, 0x50000, OS_VMA_READ, "");
    REQUIRE(os_vma_insert(s, &v, NULL) == MMU_OK);
}

static void test_remove_split(void) {
    os_vma_set s;
    three(&s);
    mmu_error err = {0};
    CHECK_EQ_U64(os_vma_remove(&s, 0x34000, 0x36000, &err), MMU_OK);
    REQUIRE(s.n == 4);
    CHECK(well_formed(&s));
    const os_vma *lo = &s.v[1], *hi = &s.v[2];
    CHECK_EQ_U64(lo->start, 0x30000);
    CHECK_EQ_U64(lo->end, 0x34000);
    CHECK_EQ_U64(hi->start, 0x36000);
    CHECK_EQ_U64(hi->end, 0x40000);
    /* Both halves keep flags, name and hugetlb/THP attributes; the
     * reservation count stays with the lower half. */
    CHECK(lo->flags == (OS_VMA_READ | OS_VMA_WRITE) && hi->flags == lo->flags);
    CHECK(strcmp(lo->name, "huge") == 0 && strcmp(hi->name, "huge") == 0);
    CHECK(lo->hugetlb_level == 1 && hi->hugetlb_level == 1);
    CHECK(lo->thp_madvise && hi->thp_madvise);
    CHECK_EQ_U64(lo->hugetlb_resv, 7);
    CHECK_EQ_U64(hi->hugetlb_resv, 0);
    CHECK(os_vma_find(&s, 0x34000) == NULL && os_vma_find(&s, 0x35fff) == NULL);
    CHECK(os_vma_find(&s, 0x33fff) == lo && os_vma_find(&s, 0x36000) == hi);
    CHECK_EQ_U64(os_vma_total(&s), 0x10000 + 0x10000 - 0x2000 + 0x10000);
    os_vma_set_free(&s);
}

static void test_remove_trims(void) {
    os_vma_set s;
    three(&s);
    /* Lower edge of the file VMA (range starts in a gap below it). */
    CHECK_EQ_U64(os_vma_remove(&s, 0x8000, 0x12000, NULL), MMU_OK);
    /* Upper edge of the anon VMA (range ends in the gap above it). */
    CHECK_EQ_U64(os_vma_remove(&s, 0x4e000, 0x60000, NULL), MMU_OK);
    /* Exactly the first page / last page of the hugetlb VMA. */
    CHECK_EQ_U64(os_vma_remove(&s, 0x30000, 0x31000, NULL), MMU_OK);
    CHECK_EQ_U64(os_vma_remove(&s, 0x3f000, 0x40000, NULL), MMU_OK);
    REQUIRE(s.n == 3);
    CHECK(well_formed(&s));
    CHECK_EQ_U64(s.v[0].start, 0x12000);
    CHECK_EQ_U64(s.v[0].end, 0x20000);
    CHECK_EQ_U64(s.v[1].start, 0x31000);
    CHECK_EQ_U64(s.v[1].end, 0x3f000);
    CHECK_EQ_U64(s.v[1].hugetlb_resv, 7); /* a trim keeps the reservation field */
    CHECK_EQ_U64(s.v[2].start, 0x40000);
    CHECK_EQ_U64(s.v[2].end, 0x4e000);
    CHECK(strcmp(s.v[0].name, "/lib/x.so") == 0);
    CHECK(os_vma_find(&s, 0x11fff) == NULL && os_vma_find(&s, 0x12000) == &s.v[0]);
    CHECK_EQ_U64(os_vma_total(&s), 0xe000 + 0xe000 + 0xe000);
    os_vma_set_free(&s);
}

static void test_remove_whole_and_ranges(void) {
    os_vma_set s;
    three(&s);
    mmu_error err = {0};
    /* Nothing there: fine, nothing changes. Empty range: a no-op. */
    CHECK_EQ_U64(os_vma_remove(&s, 0x20000, 0x30000, &err), MMU_OK);
    CHECK_EQ_U64(os_vma_remove(&s, 0x0, 0x10000, &err), MMU_OK);
    CHECK_EQ_U64(os_vma_remove(&s, 0x15000, 0x15000, &err), MMU_OK);
    CHECK_EQ_U64(os_vma_remove(&s, 0x50000, UINT64_MAX & ~(K4 - 1), &err), MMU_OK);
    CHECK_EQ_U64(s.n, 3);
    /* Errors leave the set unchanged. */
    CHECK_EQ_U64(os_vma_remove(&s, 0x15800, 0x16000, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(os_vma_remove(&s, 0x15000, 0x16001, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(os_vma_remove(&s, 0x16000, 0x15000, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(s.n, 3);
    CHECK_EQ_U64(os_vma_total(&s), 0x30000);

    /* Exactly one whole VMA. */
    CHECK_EQ_U64(os_vma_remove(&s, 0x30000, 0x40000, &err), MMU_OK);
    REQUIRE(s.n == 2);
    CHECK_EQ_U64(s.v[0].start, 0x10000);
    CHECK_EQ_U64(s.v[1].start, 0x40000);
    CHECK(os_vma_find(&s, 0x3ffff) == NULL);

    /* Put it back, then one range over all three: trims the outer two,
     * drops the middle. */
    os_vma v = mk(0x30000, 0x40000, 0, "mid");
    REQUIRE(os_vma_insert(&s, &v, NULL) == MMU_OK);
    CHECK_EQ_U64(os_vma_remove(&s, 0x1c000, 0x44000, &err), MMU_OK);
    REQUIRE(s.n == 2);
    CHECK(well_formed(&s));
    CHECK_EQ_U64(s.v[0].start, 0x10000);
    CHECK_EQ_U64(s.v[0].end, 0x1c000);
    CHECK_EQ_U64(s.v[1].start, 0x44000);
    CHECK_EQ_U64(s.v[1].end, 0x50000);
    CHECK(os_vma_find(&s, 0x30000) == NULL);

    /* A range covering several VMAs exactly at their edges empties the set. */
    CHECK_EQ_U64(os_vma_remove(&s, 0x10000, 0x50000, &err), MMU_OK);
    CHECK_EQ_U64(s.n, 0);
    CHECK_EQ_U64(os_vma_total(&s), 0);
    CHECK(os_vma_find(&s, 0x10000) == NULL);
    os_vma_set_free(&s);
}

/* Many VMAs (growth past the initial capacity), total, binary search. */
static void test_many(void) {
    os_vma_set s;
    os_vma_set_init(&s);
    const uint64_t n = 5000;
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t k = (i * 2654435761u) % n; /* a permutation of 0..n-1 (n and the multiplier are coprime) */
        os_vma v = mk(k * 3 * K4, k * 3 * K4 + (1 + k % 2) * K4, (uint32_t)k, "");
        REQUIRE(os_vma_insert(&s, &v, NULL) == MMU_OK);
    }
    CHECK_EQ_U64(s.n, n);
    CHECK(well_formed(&s));
    CHECK_EQ_U64(os_vma_total(&s), (n / 2) * K4 + (n / 2) * 2 * K4);
    for (uint64_t k = 0; k < n; k++) {
        const os_vma *v = os_vma_find(&s, k * 3 * K4 + K4 - 1);
        CHECK(v && v->flags == k);
        /* Second page: inside the two-page VMAs (odd k), a gap after the one-page ones. */
        CHECK(os_vma_find(&s, k * 3 * K4 + K4) == ((k % 2) ? os_vma_find(&s, k * 3 * K4) : NULL));
        CHECK(os_vma_find(&s, k * 3 * K4 + 2 * K4) == NULL);
    }
    os_vma_set_free(&s);
}

/* ---- randomized differential test ------------------------------------------ */

#define PAGES 256u
/* Per page: id of the VMA covering it (0 = none). A split leaves two VMAs
 * with the same id, but never adjacent ones (the hole between them can only
 * be refilled by a new id), so each maximal run of one id is one VMA. */
static uint32_t model[PAGES];

static void check_against_model(os_vma_set *s, uint64_t *rng) {
    REQUIRE(well_formed(s));
    /* Runs of the model = VMAs of the set, in order. */
    size_t vi = 0;
    uint64_t pages = 0;
    for (unsigned p = 0; p < PAGES;) {
        if (!model[p]) {
            p++;
            continue;
        }
        unsigned q = p;
        while (q < PAGES && model[q] == model[p]) q++;
        REQUIRE(vi < s->n);
        CHECK_EQ_U64(s->v[vi].start, p * K4);
        CHECK_EQ_U64(s->v[vi].end, q * K4);
        CHECK_EQ_U64(s->v[vi].flags, model[p]);
        pages += q - p;
        vi++;
        p = q;
    }
    CHECK_EQ_U64(vi, s->n);
    CHECK_EQ_U64(os_vma_total(s), pages * K4);
    /* Lookups at random addresses (the hint gets exercised in between). */
    for (unsigned i = 0; i < 64; i++) {
        const uint64_t va = test_rand(rng) % ((PAGES + 4) * K4);
        const unsigned p = (unsigned)(va / K4);
        const os_vma *v = os_vma_find(s, va);
        if (p >= PAGES || !model[p]) {
            CHECK(v == NULL);
        } else {
            CHECK(v && v->flags == model[p] && v->start <= va && va < v->end);
        }
    }
}

static void test_random_differential(void) {
    os_vma_set s;
    os_vma_set_init(&s);
    memset(model, 0, sizeof model);
    uint64_t rng = 0x05eed0f0a5ull;
    uint32_t next_id = 1;
    unsigned inserted = 0, rejected = 0, splits = 0;
    for (unsigned step = 0; step < 20000; step++) {
        const unsigned a = (unsigned)(test_rand(&rng) % PAGES);
        const unsigned len = 1 + (unsigned)(test_rand(&rng) % (test_rand(&rng) % 4 ? 8 : 64));
        const unsigned b = a + len > PAGES ? PAGES : a + len;
        if (test_rand(&rng) % 5 < 3) {
            bool free_range = true;
            for (unsigned p = a; p < b; p++) free_range &= model[p] == 0;
            os_vma v = mk(a * K4, b * K4, next_id, "r");
            mmu_error err = {0};
            const mmu_status st = os_vma_insert(&s, &v, &err);
            CHECK_EQ_U64(st, free_range ? MMU_OK : MMU_ERR_EXISTS);
            if (st == MMU_OK) {
                for (unsigned p = a; p < b; p++) model[p] = next_id;
                next_id++;
                inserted++;
            } else {
                rejected++;
            }
        } else {
            const size_t n0 = s.n;
            CHECK_EQ_U64(os_vma_remove(&s, a * K4, b * K4, NULL), MMU_OK);
            if (s.n > n0) splits++;
            for (unsigned p = a; p < b; p++) model[p] = 0;
        }
        check_against_model(&s, &rng);
        if (test_cur_failed_) break; /* one failure is enough to debug */
    }
    /* The walk really exercised every path. */
    CHECK(inserted > 1000 && rejected > 1000 && splits > 100);
    os_vma_set_free(&s);
}

int main(void) {
    RUN(test_insert_errors);
    RUN(test_find_edges);
    RUN(test_remove_split);
    RUN(test_remove_trims);
    RUN(test_remove_whole_and_ranges);
    RUN(test_many);
    RUN(test_random_differential);
    return test_summary();
}
