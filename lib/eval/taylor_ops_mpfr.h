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
/* a new precision (at most the one given at TS_INIT: no allocation) and the value 0 */
#define TS_SET_PREC(x, p) (mpfr_set_prec_raw((x), (p)), mpfr_set_zero((x), 1))
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

/* ---- convolutions ----------------------------------------------------------------------
 * The Taylor recurrences spend their time in sums of products of series coefficients,
 * sum_j c_j x_j y_{m-j}. Done as mpfr_mul + mpfr_add per term, every term is rounded twice
 * and pays MPFR's per-call costs (about 1000 instructions a term at 365 bits). ts_dot
 * computes the whole sum in one fixed-point accumulator instead: every exact product of
 * significands (mpn_mul) is shifted to a common scale whose unit is 2^(emax - W), where
 * 2^emax bounds the largest term and W = prec(res) + 64, added or subtracted in two's
 * complement, and the sum is rounded once (mpfr_set_z_2exp). Bits below the unit are
 * truncated: the error is at most (number of terms) 2^(emax - W) + half an ulp of the
 * result, i.e. below 2^-64 of what rounding every partial sum to prec(res) (the loop it
 * replaces) could lose. Terms with a NaN or an infinity fall back to that loop. The buffers
 * (ts_dot_ws) are sized in _alloc for the workspace precision; nothing here allocates
 * (mpz_roinit_n wraps the accumulator, mpfr_set_z_2exp rounds from it). */
#include <gmp.h>

typedef struct
{
    mp_limb_t *prod; /* 2 L + 2 limbs: one exact product (times a weight) */
    mp_limb_t *sh;   /* 2 L + 3 limbs: the product shifted to the accumulator's scale */
    mp_limb_t *acc;  /* na limbs, two's complement */
    size_t L, na;    /* limbs of the workspace precision; of the accumulator */
} ts_dot_ws;

#define TS_DOT_GUARD 64

static inline int
ts_dot_init(ts_dot_ws *d, mpfr_prec_t prec)
{
    d->L = (size_t)((prec + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS);
    d->na = (size_t)((prec + TS_DOT_GUARD + 40) / GMP_NUMB_BITS) + 2;
    d->prod = cor_mallocarray(2 * d->L + 2, sizeof(mp_limb_t));
    d->sh = cor_mallocarray(2 * d->L + 3, sizeof(mp_limb_t));
    d->acc = cor_mallocarray(d->na, sizeof(mp_limb_t));
    return d->prod && d->sh && d->acc ? 0 : -1;
}

static inline void
ts_dot_clear(ts_dot_ws *d)
{
    cor_free(d->prod);
    cor_free(d->sh);
    cor_free(d->acc);
    d->prod = d->sh = d->acc = NULL;
}

static inline int
ts_bitlen(unsigned long j)
{
    return j ? 64 - __builtin_clzl(j) : 0;
}

/* the reference loop: res = sum of the terms (mode as in ts_dot), through tmp */
static inline void
ts_dot_loop(mpfr_ptr res, const __mpfr_struct *x, const __mpfr_struct *y, unsigned lo,
            unsigned hi, unsigned m, int mode, mpfr_ptr tmp)
{
    mpfr_set_zero(res, 1);
    for (unsigned j = lo; j <= hi; j++)
    {
        if (mode == 2 && 2 * j > m)
            break;
        mpfr_mul(tmp, &x[j], &y[m - j], MPFR_RNDN);
        if (mode == 1 && j != 1)
            mpfr_mul_ui(tmp, tmp, j, MPFR_RNDN);
        if (mode == 2 && 2 * j != m)
            mpfr_mul_2ui(tmp, tmp, 1, MPFR_RNDN);
        mpfr_add(res, res, tmp, MPFR_RNDN);
    }
}

/* res = sum_{j=lo}^{hi} c_j x_j y_{m-j}: mode 0: c_j = 1; mode 1: c_j = j; mode 2 (y == x,
 * lo = 0, hi = m): the Cauchy square by symmetry, 2 x_j x_{m-j} for 2j < m and x_{m/2}^2.
 * res must not be one of the terms' numbers. tmp: a number at res's precision or more. */
static inline void
ts_dot(ts_dot_ws *d, mpfr_ptr res, const __mpfr_struct *x, const __mpfr_struct *y,
       unsigned lo, unsigned hi, unsigned m, int mode, mpfr_ptr tmp)
{
    mpfr_exp_t emax = 0, base;
    mpfr_prec_t W = mpfr_get_prec(res) + TS_DOT_GUARD;
    size_t na;
    int any = 0;
    mpz_t z;

    if (mode == 2 && hi > m / 2)
        hi = m / 2;
    for (unsigned j = lo; j <= hi; j++)
    {
        mpfr_srcptr a = &x[j], b = &y[m - j];
        mpfr_exp_t e;
        if (!mpfr_regular_p(a) || !mpfr_regular_p(b))
        {
            if (!mpfr_number_p(a) || !mpfr_number_p(b))
            {
                ts_dot_loop(res, x, y, lo, hi, m, mode, tmp);
                return;
            }
            continue;
        }
        e = mpfr_get_exp(a) + mpfr_get_exp(b) + (mode == 1 ? ts_bitlen(j) : mode == 2);
        if (!any || e > emax)
            emax = e;
        any = 1;
    }
    if (!any)
    {
        mpfr_set_zero(res, 1);
        return;
    }
    na = (size_t)((W + 40) / GMP_NUMB_BITS) + 2;
    if (na > d->na || mpfr_get_prec(res) > (mpfr_prec_t)(d->L * GMP_NUMB_BITS))
    {
        ts_dot_loop(res, x, y, lo, hi, m, mode, tmp);
        return;
    }
    base = emax - W; /* the accumulator's unit is 2^base */
    for (size_t i = 0; i < na; i++)
        d->acc[i] = 0;
    for (unsigned j = lo; j <= hi; j++)
    {
        mpfr_srcptr a = &x[j], b = &y[m - j];
        mp_size_t an, bn, pn;
        const mp_limb_t *ap, *bp;
        mpfr_exp_t s;
        const mp_limb_t *src;
        mp_size_t n;
        int neg;

        if (!mpfr_regular_p(a) || !mpfr_regular_p(b))
            continue;
        an = (mp_size_t)((mpfr_get_prec(a) + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS);
        bn = (mp_size_t)((mpfr_get_prec(b) + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS);
        ap = (const mp_limb_t *)mpfr_custom_get_significand(a);
        bp = (const mp_limb_t *)mpfr_custom_get_significand(b);
        /* the term is below 2^top units; dropping the low limbs of a significand (keeping
         * k of them) changes the term by less than 2^(top - 64 (k - 1)) units: keep
         * ceil(top / 64) + 2 limbs, an error below 2^-64 units */
        {
            mpfr_exp_t top = mpfr_get_exp(a) + mpfr_get_exp(b) - base + 1;
            mp_size_t keep;
            if (top <= -(mpfr_exp_t)GMP_NUMB_BITS)
                continue; /* entirely below the unit */
            keep = top <= 0 ? 2 : (mp_size_t)((top + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS) + 2;
            if (an > keep)
            {
                ap += an - keep;
                an = keep;
            }
            if (bn > keep)
            {
                bp += bn - keep;
                bn = keep;
            }
        }
        /* the product's least significant limb has the unit 2^(ea + eb - 64 (an + bn)) */
        s = mpfr_get_exp(a) + mpfr_get_exp(b) - (mpfr_exp_t)GMP_NUMB_BITS * (an + bn) - base;
        if (mode == 2 && 2 * j != m)
            s += 1;
        if (an >= bn)
            mpn_mul(d->prod, ap, an, bp, bn);
        else
            mpn_mul(d->prod, bp, bn, ap, an);
        pn = an + bn;
        if (mode == 1 && j > 1)
        {
            d->prod[pn] = mpn_mul_1(d->prod, d->prod, pn, (mp_limb_t)j);
            pn++;
        }
        neg = (mpfr_signbit(a) != 0) != (mpfr_signbit(b) != 0);
        if (s >= 0)
        {
            size_t off = (size_t)(s / GMP_NUMB_BITS);
            unsigned r = (unsigned)(s % GMP_NUMB_BITS);
            if (r)
            {
                d->sh[pn] = mpn_lshift(d->sh, d->prod, pn, r);
                n = pn + 1;
            }
            else
            {
                for (mp_size_t i = 0; i < pn; i++)
                    d->sh[i] = d->prod[i];
                n = pn;
            }
            /* the term is below 2^W units: limbs past the accumulator are zero */
            while (n > 0 && off + (size_t)n > na && d->sh[n - 1] == 0)
                n--;
            if (n == 0 || off + (size_t)n > na)
                continue;
            if (neg)
                mpn_sub(d->acc + off, d->acc + off, (mp_size_t)(na - off), d->sh, n);
            else
                mpn_add(d->acc + off, d->acc + off, (mp_size_t)(na - off), d->sh, n);
            continue;
        }
        {
            mpfr_exp_t t = -s;
            mp_size_t dl = (mp_size_t)(t / GMP_NUMB_BITS);
            unsigned r = (unsigned)(t % GMP_NUMB_BITS);
            if (dl >= pn)
                continue;
            src = d->prod + dl;
            n = pn - dl;
            if (r)
            {
                mpn_rshift(d->sh, src, n, r);
                src = d->sh;
            }
            while (n > 0 && src[n - 1] == 0)
                n--;
            if (n == 0)
                continue;
            if ((size_t)n > na)
                n = (mp_size_t)na; /* cannot happen: the term is below 2^W units */
            if (neg)
                mpn_sub(d->acc, d->acc, (mp_size_t)na, src, n);
            else
                mpn_add(d->acc, d->acc, (mp_size_t)na, src, n);
        }
    }
    if (d->acc[na - 1] >> (GMP_NUMB_BITS - 1))
    {
        mpn_neg(d->acc, d->acc, (mp_size_t)na);
        mpz_roinit_n(z, d->acc, -(mp_size_t)na);
    }
    else
        mpz_roinit_n(z, d->acc, (mp_size_t)na);
    mpfr_set_z_2exp(res, z, base, MPFR_RNDN);
}
#define TS_DOT_WS ts_dot_ws
#define TS_DOT_INIT(d, prec) ts_dot_init((d), (prec))
#define TS_DOT_CLEAR(d) ts_dot_clear(d)
#define TS_DOT(d, res, x, y, lo, hi, m, mode, tmp)                                             \
    ts_dot((d), (res), (x), (y), (lo), (hi), (m), (mode), (tmp))

#define TS_FROM_MPFR(d, x) mpfr_set((d), (x), MPFR_RNDN)
#define TS_TO_MPFR(x, a) mpfr_set((x), (a), MPFR_RNDN)
