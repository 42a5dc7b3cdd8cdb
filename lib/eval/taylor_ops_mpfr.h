/* taylor_ops_mpfr.h -- the scalar operations of the Taylor templates (taylor_source.c,
 * flow/flow_taylor_source.c) on MPFR numbers (private, not installed).
 *
 * Every TS_* macro takes pointers (TP: mpfr_ptr) to initialised numbers, the output first,
 * and rounds to nearest at the destination's precision. Nothing here allocates except
 * TS_INIT (used only in _alloc functions) and MPFR's transcendental functions, which
 * allocate and free their own working temporaries.
 */
#ifndef COR_TAYLOR_OPS_MPFR_H
#define COR_TAYLOR_OPS_MPFR_H

#include <mpfr.h>

typedef __mpfr_struct TS;      /* one stored number (an array of TS is an array of mpfr_t) */
typedef mpfr_ptr TP;
typedef mpfr_srcptr TCP;

#define TS_MPFR 1
#define TS_INIT(x, prec) mpfr_init2((x), (prec))
#define TS_CLEAR(x) mpfr_clear(x)
#define TS_SET(d, a) mpfr_set((d), (a), MPFR_RNDN)
#define TS_SET_ZERO(d) mpfr_set_zero((d), 1)
#define TS_SET_SI(d, i) mpfr_set_si((d), (i), MPFR_RNDN)
#define TS_SET_D(d, x) mpfr_set_d((d), (x), MPFR_RNDN)
#define TS_SET_Q(d, q) mpfr_set_q((d), (q), MPFR_RNDN)
#define TS_SET_PI(d) mpfr_const_pi((d), MPFR_RNDN)
#define TS_SET_NAN(d) mpfr_set_nan(d)
#define TS_GET_D(a) mpfr_get_d((a), MPFR_RNDN)
#define TS_ADD(d, a, b) mpfr_add((d), (a), (b), MPFR_RNDN)
#define TS_SUB(d, a, b) mpfr_sub((d), (a), (b), MPFR_RNDN)
#define TS_MUL(d, a, b) mpfr_mul((d), (a), (b), MPFR_RNDN)
#define TS_DIV(d, a, b) mpfr_div((d), (a), (b), MPFR_RNDN)
#define TS_SQR(d, a) mpfr_sqr((d), (a), MPFR_RNDN)
#define TS_NEG(d, a) mpfr_neg((d), (a), MPFR_RNDN)
#define TS_ABS(d, a) mpfr_abs((d), (a), MPFR_RNDN)
#define TS_MUL_SI(d, a, i) mpfr_mul_si((d), (a), (i), MPFR_RNDN)
#define TS_DIV_SI(d, a, i) mpfr_div_si((d), (a), (i), MPFR_RNDN)
#define TS_ADD_SI(d, a, i) mpfr_add_si((d), (a), (i), MPFR_RNDN)
#define TS_SI_SUB(d, i, a) mpfr_si_sub((d), (i), (a), MPFR_RNDN)
#define TS_SI_DIV(d, i, a) mpfr_si_div((d), (i), (a), MPFR_RNDN)
#define TS_SQRT(d, a) mpfr_sqrt((d), (a), MPFR_RNDN)
#define TS_EXP(d, a) mpfr_exp((d), (a), MPFR_RNDN)
#define TS_LOG(d, a) mpfr_log((d), (a), MPFR_RNDN)
#define TS_LOG1P(d, a) mpfr_log1p((d), (a), MPFR_RNDN)
#define TS_EXPM1(d, a) mpfr_expm1((d), (a), MPFR_RNDN)
#define TS_SIN_COS(s, c, a) mpfr_sin_cos((s), (c), (a), MPFR_RNDN)
#define TS_TAN(d, a) mpfr_tan((d), (a), MPFR_RNDN)
#define TS_TANH(d, a) mpfr_tanh((d), (a), MPFR_RNDN)
#define TS_POW(d, a, b) mpfr_pow((d), (a), (b), MPFR_RNDN)
#define TS_SGN(a) mpfr_sgn(a)
#define TS_CMP(a, b) mpfr_cmp((a), (b))
#define TS_CMPABS(a, b) mpfr_cmpabs((a), (b))
#define TS_IS_ZERO(a) mpfr_zero_p(a)
#define TS_IS_NAN(a) mpfr_nan_p(a)
#define TS_IS_NUMBER(a) mpfr_number_p(a)
/* acc += a * b, through tmp */
#define TS_ADDMUL(acc, a, b, tmp)                                                              \
    do                                                                                         \
    {                                                                                          \
        mpfr_mul((tmp), (a), (b), MPFR_RNDN);                                                  \
        mpfr_add((acc), (acc), (tmp), MPFR_RNDN);                                              \
    } while (0)
/* log|a| as a double, for any finite nonzero a (no overflow: mantissa and exponent apart);
 * -inf for 0 */
static inline double
ts_log_abs(mpfr_srcptr a)
{
    long e;
    double m;

    if (mpfr_zero_p(a))
        return -1.0 / 0.0;
    m = mpfr_get_d_2exp(&e, a, MPFR_RNDN);
    return __builtin_log(__builtin_fabs(m)) + (double)e * 0.69314718055994530942;
}
#define TS_LOG_ABS(a) ts_log_abs(a)

#endif

#include "cor_sys.h"

/* A block of m numbers at precision prec in ONE allocation (MPFR's custom interface: the
 * significands follow the structs), for the dense-output store. Free with ts_block_free;
 * its numbers must not be passed to mpfr_clear. NULL on COR_ENOMEM. */
static inline TS *
ts_block_alloc(size_t m, mpfr_prec_t prec)
{
    size_t sz = mpfr_custom_get_size(prec);
    size_t al = (sz + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t) * sizeof(mp_limb_t);
    TS *b = cor_malloc(m * (sizeof(TS) + al));
    char *limbs;

    if (!b)
        return NULL;
    limbs = (char *)(b + m);
    for (size_t i = 0; i < m; i++)
    {
        void *sig = limbs + i * al;
        mpfr_custom_init(sig, prec);
        mpfr_custom_init_set(&b[i], MPFR_ZERO_KIND, 0, prec, sig);
    }
    return b;
}
static inline void
ts_block_free(TS *b, size_t m)
{
    (void)m;
    cor_free(b);
}
#define TS_FROM_MPFR(d, x) mpfr_set((d), (x), MPFR_RNDN)
#define TS_TO_MPFR(x, a) mpfr_set((x), (a), MPFR_RNDN)
