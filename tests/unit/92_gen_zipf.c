/* 92_gen_zipf.c — the Zipf sampler matches the analytic pmf
 * P(k) = k^-alpha / H(n, alpha), the deterministic log/exp match libm, and
 * scatter is a relabelling of the same rank stream. The seeds are fixed, so
 * the statistical bounds (5 sigma per rank, chi-square 6 sigma) cannot flake. */
#include <math.h>
#include <stdint.h>

#include "gen/detmath.h"
#include "gen/gen.h"
#include "gen/rng.h"
#include "gen/zipf.h"
#include "mmu/trace.h"
#include "source.h"
#include "test.h"

#define BASE 0x100000000000ull

static void test_detmath_accuracy(void) {
    double worst = 0;
    for (double x = 1e-300; x < 1e300; x *= 1.37) worst = fmax(worst, fabs(det_log(x) - log(x)) / fabs(log(x)));
    for (double x = 0.5; x < 2.0; x += 1e-4)
        if (x != 1.0) worst = fmax(worst, fabs(det_log(x) - log(x)) / fabs(log(x)));
    CHECK(worst < 1e-15); /* a few ulp */
    worst = 0;
    for (double x = -700; x < 700; x += 0.0137) worst = fmax(worst, fabs(det_exp(x) - exp(x)) / exp(x));
    CHECK(worst < 1e-15); /* a few ulp */
    worst = 0;
    for (double x = -0.999; x < 50; x += 0.000731)
        if (x != 0) worst = fmax(worst, fabs(det_log1p(x) - log1p(x)) / fabs(log1p(x)));
    for (double x = 1e-300; x < 1e-3; x *= 1.9) worst = fmax(worst, fabs(det_log1p(x) - log1p(x)) / log1p(x));
    CHECK(worst < 1e-15);
    worst = 0;
    for (double x = -30; x < 30; x += 0.000731)
        if (x != 0) worst = fmax(worst, fabs(det_expm1(x) - expm1(x)) / fabs(expm1(x)));
    CHECK(worst < 1e-15);
    CHECK(det_exp(0.0) == 1.0 && det_log(1.0) == 0.0 && det_expm1(0.0) == 0.0);
}

static double harmonic(uint64_t n, double a) {
    double h = 0;
    for (uint64_t k = n; k >= 1; k--) h += pow((double)k, -a); /* small terms first */
    return h;
}

/* Sampler alone: ranks vs pmf. */
static void check_sampler(uint64_t n, double alpha, uint64_t samples, uint64_t seed) {
    gen_zipf z;
    gen_zipf_init(&z, n, alpha);
    uint64_t *cnt = calloc(n + 1, sizeof *cnt);
    uint64_t rng = seed;
    for (uint64_t i = 0; i < samples; i++) {
        const uint64_t k = gen_zipf_sample(&z, &rng);
        if (k < 1 || k > n) {
            CHECK(!"rank out of range");
            break;
        }
        cnt[k]++;
    }
    const double H = harmonic(n, alpha);
    double chi2 = 0;
    bool ok = true;
    for (uint64_t k = 1; k <= n; k++) {
        const double p = pow((double)k, -alpha) / H, e = p * (double)samples;
        const double f = (double)cnt[k] / (double)samples, sigma = sqrt(p * (1 - p) / (double)samples);
        if (k <= 20 && fabs(f - p) > 5 * sigma) {
            fprintf(stderr, "  n=%llu alpha=%g rank %llu: %g vs %g\n", (unsigned long long)n, alpha,
                    (unsigned long long)k, f, p);
            ok = false;
        }
        chi2 += ((double)cnt[k] - e) * ((double)cnt[k] - e) / e;
    }
    CHECK(ok);
    const double dof = (double)n - 1;
    if (chi2 > dof + 6 * sqrt(2 * dof)) fprintf(stderr, "  n=%llu alpha=%g chi2 %g dof %g\n",
                                                (unsigned long long)n, alpha, chi2, dof);
    CHECK(chi2 <= dof + 6 * sqrt(2 * dof));
    free(cnt);
}

static void test_sampler_pmf(void) {
    check_sampler(1000, 0.99, 2000000, 1);
    check_sampler(1000, 1.0, 2000000, 2);
    check_sampler(1000, 0.5, 2000000, 3);
    check_sampler(1000, 1.5, 2000000, 4);
    check_sampler(1000, 0.0, 2000000, 5);
    check_sampler(10, 2.5, 500000, 6);
    check_sampler(1, 0.99, 1000, 7);
}

/* Through the generator with scatter=0: item k-1 <=> rank k. */
static void test_generator_pmf(void) {
    mmu_error err = {0};
    mtr_source *s = mtr_open_gen("gen:zipf,footprint=4000K,item=4K,accesses=2M,scatter=0,seed=11", &err);
    REQUIRE(s);
    mtr_record *buf = malloc(65536 * sizeof *buf);
    uint64_t cnt[1000] = {0}, total = 0;
    size_t n;
    bool ok = true;
    while (mtr_source_read(s, buf, 65536, &n, &err) == MMU_OK && n) {
        for (size_t i = 0; i < n; i++) {
            const uint64_t off = buf[i].va - BASE;
            ok &= off < 1000 * 4096 && off % 8 == 0 && buf[i].kind == MTR_LOAD;
            if (off < 1000 * 4096) cnt[off / 4096]++;
        }
        total += n;
    }
    mtr_source_close(s);
    free(buf);
    CHECK(ok);
    CHECK_EQ_U64(total, 2000000);
    const double H = harmonic(1000, 0.99);
    for (int k = 1; k <= 10; k++) {
        const double p = pow(k, -0.99) / H, f = (double)cnt[k - 1] / 2e6;
        CHECK(fabs(f - p) < 5 * sqrt(p * (1 - p) / 2e6));
    }
    /* page popularity is monotone in expectation: the hottest page is page 0 */
    uint64_t best = 0;
    for (int i = 1; i < 1000; i++)
        if (cnt[i] > cnt[best]) best = (uint64_t)i;
    CHECK_EQ_U64(best, 0);
}

/* scatter=1 draws the same ranks and maps them through a bijection. */
static void test_scatter_is_relabelling(void) {
    mmu_error err = {0};
    mtr_source *a = mtr_open_gen("gen:zipf,footprint=1M,item=1K,size=16,accesses=100000,scatter=0", &err);
    mtr_source *b = mtr_open_gen("gen:zipf,footprint=1M,item=1K,size=16,accesses=100000,scatter=1", &err);
    REQUIRE(a && b);
    mtr_record ra[1000], rb[1000];
    int64_t map[1024], inv[1024];
    for (int i = 0; i < 1024; i++) map[i] = inv[i] = -1;
    bool ok = true;
    uint64_t moved = 0;
    size_t na, nb;
    while (mtr_source_read(a, ra, 1000, &na, &err) == MMU_OK && na &&
           mtr_source_read(b, rb, 1000, &nb, &err) == MMU_OK) {
        ok &= na == nb;
        for (size_t i = 0; i < na && i < nb; i++) {
            const uint64_t ia = (ra[i].va - BASE) / 1024, ib = (rb[i].va - BASE) / 1024;
            ok &= ia < 1024 && ib < 1024;
            ok &= (ra[i].va - BASE) % 1024 == (rb[i].va - BASE) % 1024; /* same in-item offset */
            ok &= ra[i].va % 16 == 0 && ra[i].size == 16;
            if (ia >= 1024 || ib >= 1024) continue;
            if (map[ia] < 0 && inv[ib] < 0) map[ia] = (int64_t)ib, inv[ib] = (int64_t)ia, moved += ia != ib;
            ok &= map[ia] == (int64_t)ib && inv[ib] == (int64_t)ia;
        }
    }
    CHECK(ok);
    CHECK(moved > 100);
    mtr_source_close(a);
    mtr_source_close(b);
}

/* 2^28 items: the sampler needs no table; the top rank has P(1) = 1/H. */
static void test_large_footprint(void) {
    mmu_error err = {0};
    mtr_source *s = mtr_open_gen("gen:zipf,footprint=1T,item=4K,accesses=1M,scatter=0,seed=3", &err);
    REQUIRE(s);
    mtr_record *buf = malloc(65536 * sizeof *buf);
    uint64_t top = 0, total = 0;
    size_t n;
    bool ok = true;
    while (mtr_source_read(s, buf, 65536, &n, &err) == MMU_OK && n) {
        for (size_t i = 0; i < n; i++) {
            ok &= buf[i].va >= BASE && buf[i].va < BASE + (1ull << 40);
            top += buf[i].va - BASE < 4096;
        }
        total += n;
    }
    mtr_source_close(s);
    free(buf);
    CHECK(ok);
    CHECK_EQ_U64(total, 1000000);
    /* H(2^28, 0.99): exact sum of the first 2^20 terms plus the midpoint-rule
     * integral of the rest (error << 1e-6 relative) */
    const uint64_t N = 1ull << 28, K = 1ull << 20;
    double H = harmonic(K, 0.99);
    H += (pow((double)N + 0.5, 0.01) - pow((double)K + 0.5, 0.01)) / 0.01;
    const double p1 = 1 / H;
    CHECK(fabs((double)top / 1e6 - p1) < 5 * sqrt(p1 * (1 - p1) / 1e6));
}

int main(void) {
    RUN(test_detmath_accuracy);
    RUN(test_sampler_pmf);
    RUN(test_generator_pmf);
    RUN(test_scatter_is_relabelling);
    RUN(test_large_footprint);
    return test_summary();
}
