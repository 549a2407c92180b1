/* gen/zipf.h — Zipf(n, alpha) sampler: P(k) = k^-alpha / H(n, alpha),
 * k = 1..n, by rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * ACM TOMACS 6(3), 1996), in the formulation of Apache Commons RNG's
 * RejectionInversionZipfSampler. O(1) memory and expected O(1) time for any
 * n up to 2^53 and any alpha >= 0 (alpha = 1 included), which a CDF table
 * cannot offer for footprints of 2^30+ items. Uses gen/detmath.h, so samples
 * are identical on every IEEE-754 machine. */
#ifndef MTR_GEN_ZIPF_H
#define MTR_GEN_ZIPF_H

#include <stdint.h>

typedef struct gen_zipf {
    uint64_t n;
    double alpha, inv_1ma, h_x1, h_n, s;
} gen_zipf;

void gen_zipf_init(gen_zipf *z, uint64_t n, double alpha);
/* A rank in 1..n; draws one or more numbers from *rng. */
uint64_t gen_zipf_sample(const gen_zipf *z, uint64_t *rng);

#endif
