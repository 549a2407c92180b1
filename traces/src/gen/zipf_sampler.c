/* zipf_sampler.c — rejection-inversion Zipf sampler (see zipf.h).
 *
 * With h(x) = x^-alpha and H its antiderivative shifted so the formulas stay
 * accurate near alpha = 1, a uniform u on (H(1.5) - 1, H(n + 0.5)] is
 * inverted to x = H^-1(u) and rounded to k; k is accepted when x falls in
 * the part of [k - 1/2, k + 1/2] whose area under h equals h(k) exactly
 * (the cheap test k - x <= s covers most draws). Acceptance rate is high
 * (> 0.9 for alpha near 1), so the expected draws per sample are ~1. */
#include "gen/zipf.h"

#include <assert.h>
#include <math.h>

#include "gen/detmath.h"
#include "gen/rng.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* log1p(x) / x, continuous at 0. */
static double helper1(double x) {
    if (fabs(x) > 1e-8) return det_log1p(x) / x;
    return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

/* expm1(x) / x, continuous at 0. */
static double helper2(double x) {
    if (fabs(x) > 1e-8) return det_expm1(x) / x;
    return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

/* H(x) = ((x^(1-alpha)) - 1) / (1 - alpha), or log x when alpha = 1. */
static double h_integral(const gen_zipf *z, double x) {
    const double lx = det_log(x);
    return helper2((1.0 - z->alpha) * lx) * lx;
}

static double h(const gen_zipf *z, double x) { return det_exp(-z->alpha * det_log(x)); }

static double h_integral_inverse(const gen_zipf *z, double x) {
    double t = x * (1.0 - z->alpha);
    /* Numerical guard: inside H's range t > -1; at t = -1 the limit of
     * exp(log1p(t) / t * x) is 0 (Commons clamps t to -1 and gets that). */
    if (t <= -1.0) return 0.0;
    /* helper1(t) * x = log1p(t) / (1 - alpha) away from t = 0: saves a division */
    if (fabs(t) > 1e-8) return det_exp(det_log1p(t) * z->inv_1ma);
    return det_exp(helper1(t) * x);
}

void gen_zipf_init(gen_zipf *z, uint64_t n, double alpha) {
    assert(n >= 1 && n <= ((uint64_t)1 << 53) && alpha >= 0.0);
    z->n = n;
    z->alpha = alpha;
    z->inv_1ma = alpha != 1.0 ? 1.0 / (1.0 - alpha) : 0.0; /* unused at alpha = 1 (t = 0) */
    z->h_x1 = h_integral(z, 1.5) - 1.0;
    z->h_n = h_integral(z, (double)n + 0.5);
    z->s = 2.0 - h_integral_inverse(z, h_integral(z, 2.5) - h(z, 2.0));
}

uint64_t gen_zipf_sample(const gen_zipf *z, uint64_t *rng) {
    for (;;) {
        const double u = z->h_n + gen_rand_unit(rng) * (z->h_x1 - z->h_n);
        const double x = h_integral_inverse(z, u);
        const double xr = x + 0.5;
        uint64_t k;
        if (!(xr >= 1.0)) k = 1;
        else if (!(xr < (double)z->n)) k = z->n; /* also catches +inf; n itself reached below */
        else k = (uint64_t)xr;
        if (k > z->n) k = z->n;
        if ((double)k - x <= z->s || u >= h_integral(z, (double)k + 0.5) - h(z, (double)k)) return k;
    }
}
