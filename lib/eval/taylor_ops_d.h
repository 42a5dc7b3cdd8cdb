/* taylor_ops_d.h -- the scalar operations of the Taylor templates (taylor_source.c,
 * flow/flow_taylor_source.c) on doubles (private, not installed). Same contract as
 * taylor_ops_mpfr.h: pointer arguments, output first; nothing allocates. */
#ifndef COR_TAYLOR_OPS_D_H
#define COR_TAYLOR_OPS_D_H

#include <math.h>

#include <gmp.h>
#include <mpfr.h>

typedef double TS;
typedef double *TP;
typedef const double *TCP;

#define TS_MPFR 0
#define TS_INIT(x, prec) (*(x) = 0.0, (void)(prec))
#define TS_CLEAR(x) ((void)(x))
#define TS_SET(d, a) (*(d) = *(a))
#define TS_SET_ZERO(d) (*(d) = 0.0)
#define TS_SET_SI(d, i) (*(d) = (double)(i))
#define TS_SET_D(d, x) (*(d) = (x))
#define TS_SET_Q(d, q) (*(d) = ts_q_to_d(q))
#define TS_SET_PI(d) (*(d) = M_PI)
#define TS_SET_NAN(d) (*(d) = NAN)
#define TS_GET_D(a) (*(a))
#define TS_ADD(d, a, b) (*(d) = *(a) + *(b))
#define TS_SUB(d, a, b) (*(d) = *(a) - *(b))
#define TS_MUL(d, a, b) (*(d) = *(a) * *(b))
#define TS_DIV(d, a, b) (*(d) = *(a) / *(b))
#define TS_SQR(d, a) (*(d) = *(a) * *(a))
#define TS_NEG(d, a) (*(d) = -*(a))
#define TS_ABS(d, a) (*(d) = fabs(*(a)))
#define TS_MUL_SI(d, a, i) (*(d) = *(a) * (double)(i))
#define TS_DIV_SI(d, a, i) (*(d) = *(a) / (double)(i))
#define TS_ADD_SI(d, a, i) (*(d) = *(a) + (double)(i))
#define TS_SI_SUB(d, i, a) (*(d) = (double)(i) - *(a))
#define TS_SI_DIV(d, i, a) (*(d) = (double)(i) / *(a))
#define TS_SQRT(d, a) (*(d) = sqrt(*(a)))
#define TS_EXP(d, a) (*(d) = exp(*(a)))
#define TS_LOG(d, a) (*(d) = log(*(a)))
#define TS_LOG1P(d, a) (*(d) = log1p(*(a)))
#define TS_EXPM1(d, a) (*(d) = expm1(*(a)))
#define TS_SIN_COS(s, c, a) (*(s) = sin(*(a)), *(c) = cos(*(a)))
#define TS_TAN(d, a) (*(d) = tan(*(a)))
#define TS_TANH(d, a) (*(d) = tanh(*(a)))
#define TS_POW(d, a, b) (*(d) = pow(*(a), *(b)))
#define TS_SGN(a) ((*(a) > 0) - (*(a) < 0))
#define TS_CMP(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define TS_CMPABS(a, b) ((fabs(*(a)) > fabs(*(b))) - (fabs(*(a)) < fabs(*(b))))
#define TS_IS_ZERO(a) (*(a) == 0.0)
#define TS_IS_NAN(a) isnan(*(a))
#define TS_IS_NUMBER(a) isfinite(*(a))
#define TS_SET_PREC(x, p) ((void)(p), *(x) = 0.0)
#define TS_ADDMUL(acc, a, b, tmp) ((void)(tmp), *(acc) += *(a) * *(b))
#define TS_LOG_ABS(a) (*(a) == 0.0 ? -INFINITY : log(fabs(*(a))))

/* a rational rounded once to the nearest double (mpq_get_d truncates) */
static inline double
ts_q_to_d(const mpq_t q)
{
    mpfr_t x;
    double d;

    mpfr_init2(x, 53);
    mpfr_set_q(x, q, MPFR_RNDN);
    d = mpfr_get_d(x, MPFR_RNDN);
    mpfr_clear(x);
    return d;
}

#endif

#include "cor_sys.h"

/* A block of m doubles (dense-output store). NULL on COR_ENOMEM. */
static inline TS *
ts_block_alloc(size_t m, long prec)
{
    (void)prec;
    return cor_calloc(m ? m : 1, sizeof(TS));
}
static inline void
ts_block_free(TS *b, size_t m)
{
    (void)m;
    cor_free(b);
}

/* res = sum_{j=lo}^{hi} c_j x_j y_{m-j} (mode 0: c_j = 1, 1: c_j = j, 2: the Cauchy square
 * of x = y by symmetry); the MPFR version's contract (taylor_ops_mpfr.h) */
typedef struct
{
    int unused;
} ts_dot_ws;
static inline void
ts_dot_d(double *res, const double *x, const double *y, unsigned lo, unsigned hi, unsigned m,
         int mode)
{
    double s = 0;
    for (unsigned j = lo; j <= hi; j++)
    {
        if (mode == 2 && 2 * j > m)
            break;
        double t = x[j] * y[m - j];
        if (mode == 1)
            t *= (double)j;
        if (mode == 2 && 2 * j != m)
            t *= 2;
        s += t;
    }
    *res = s;
}
#define TS_DOT_WS ts_dot_ws
#define TS_DOT_INIT(d, prec) ((void)(d), (void)(prec), 0)
#define TS_DOT_CLEAR(d) ((void)(d))
#define TS_DOT(d, res, x, y, lo, hi, m, mode, tmp)                                             \
    ((void)(d), (void)(tmp), ts_dot_d((res), (x), (y), (lo), (hi), (m), (mode)))

#define TS_FROM_MPFR(d, x) (*(d) = mpfr_get_d((x), MPFR_RNDN))
#define TS_TO_MPFR(x, a) mpfr_set_d((x), *(a), MPFR_RNDN)
