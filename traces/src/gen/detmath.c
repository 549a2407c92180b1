/* detmath.c — deterministic log/exp (see detmath.h).
 *
 * log: x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(z),
 * z = (m-1)/(m+1), |z| <= 0.1716, by its odd series to z^25 (next term
 * < 1e-19 relative). exp: x = k ln2 + r, |r| <= ln2/2, Taylor to r^14
 * (remainder < 2e-19), scaled by 2^k. ln2 is split (fdlibm's ln2_hi has 32
 * trailing zero bits, so k * ln2_hi is exact). */
#include "gen/detmath.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static const double ln2_hi = 6.93147180369123816490e-01;
static const double ln2_lo = 1.90821492927058770002e-10;
static const double inv_ln2 = 1.44269504088896338700e+00;

/* Exact bit-level helpers (frexp/ldexp/floor are library calls on baseline
 * x86-64; these inline and are exact for the normal numbers we handle). */
static inline uint64_t bits_of(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double double_of(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* 2^k for -1022 <= k <= 1023. */
static inline double pow2i(int k) { return double_of((uint64_t)(k + 1023) << 52); }

/* Polynomials are evaluated by Estrin's scheme (pairs, then pairs of pairs)
 * rather than Horner's: the same operations in a fixed order, so still
 * deterministic, with a third of the dependency chain. */

/* 2 * atanh(z) = log((1+z)/(1-z)) for |z| <= 0.1716: 2z sum_{k=0}^{12} w^k/(2k+1), w = z^2. */
static double two_atanh(double z) {
    const double w = z * z, w2 = w * w, w4 = w2 * w2, w8 = w4 * w4;
    const double p01 = 1.0 + w * (1.0 / 3), p23 = 1.0 / 5 + w * (1.0 / 7);
    const double p45 = 1.0 / 9 + w * (1.0 / 11), p67 = 1.0 / 13 + w * (1.0 / 15);
    const double p89 = 1.0 / 17 + w * (1.0 / 19), pab = 1.0 / 21 + w * (1.0 / 23);
    const double p03 = p01 + w2 * p23, p47 = p45 + w2 * p67, p8b = p89 + w2 * pab;
    const double p07 = p03 + w4 * p47, p8c = p8b + w4 * (1.0 / 25);
    return 2.0 * z * (p07 + w8 * p8c);
}

double det_log(double x) {
    assert(x > 0 && x < INFINITY);
    int e;
    double m;
    const uint64_t u = bits_of(x);
    if (u >> 52 == 0) { /* subnormal: frexp does the normalising */
        m = frexp(x, &e);
    } else { /* m in [0.5, 1): exponent field of 0.5 */
        e = (int)(u >> 52) - 1022;
        m = double_of((u & 0x000FFFFFFFFFFFFFull) | 0x3FE0000000000000ull);
    }
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    const double lm = two_atanh((m - 1.0) / (m + 1.0)); /* m - 1 exact (Sterbenz) */
    return (double)e * ln2_hi + ((double)e * ln2_lo + lm);
}

double det_log1p(double x) {
    assert(x > -1.0);
    /* Near 0, 1 + x would drop x's low bits: use log1p(x) = 2 atanh(x / (2 + x)). */
    if (fabs(x) < 0.25) return two_atanh(x / (2.0 + x));
    return det_log(1.0 + x);
}

/* exp(r) - 1 for |r| <= 0.35, without cancellation: sum_{i=1}^{14} r^i / i!. */
static double expm1_small(double r) {
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    /* q(r) = sum_{j=0}^{13} r^j / (j+1)!, result r * q(r) */
    const double q01 = 1.0 + r * (1.0 / 2), q23 = 1.0 / 6 + r * (1.0 / 24);
    const double q45 = 1.0 / 120 + r * (1.0 / 720), q67 = 1.0 / 5040 + r * (1.0 / 40320);
    const double q89 = 1.0 / 362880 + r * (1.0 / 3628800);
    const double qab = 1.0 / 39916800 + r * (1.0 / 479001600);
    const double qcd = 1.0 / 6227020800.0 + r * (1.0 / 87178291200.0);
    const double q03 = q01 + r2 * q23, q47 = q45 + r2 * q67, q8b = q89 + r2 * qab;
    const double q07 = q03 + r4 * q47, q8d = q8b + r4 * qcd;
    return r * (q07 + r8 * q8d);
}

double det_exp(double x) {
    if (x != x) return x;
    if (x > 709.78) return INFINITY;
    if (x < -745.2) return 0.0;
    const double t = x * inv_ln2;
    const int ki = (int)(t >= 0 ? t + 0.5 : t - 0.5); /* round half away: |r| <= ln2/2 + tiny */
    const double k = (double)ki;
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    const double p = 1.0 + expm1_small(r);
    if (ki >= -1021 && ki <= 1023) return p * pow2i(ki); /* exact scaling */
    return ldexp(p, ki);
}

double det_expm1(double x) {
    if (fabs(x) <= 0.34) return expm1_small(x);
    return det_exp(x) - 1.0;
}
