/* gen/detmath.h — log/exp family built only from IEEE-754 basic operations
 * (+ - * /, exact exponent-field manipulation), so samplers give bit-identical results
 * on every conforming machine. libm's exp/log are allowed to differ in the
 * last place between implementations and versions; these are not.
 *
 * Accuracy: a few ulp over the ranges the samplers use (checked against libm
 * in tests/unit/92_gen_zipf.c). Requires no FP contraction (FMA fusion would
 * change roundings): GCC disables it in ISO C mode (-std=c17, our build);
 * detmath.c also says so to clang with the STDC pragma. */
#ifndef MTR_GEN_DETMATH_H
#define MTR_GEN_DETMATH_H

double det_log(double x);   /* x > 0 finite */
double det_log1p(double x); /* x > -1 */
double det_exp(double x);
double det_expm1(double x);

#endif
