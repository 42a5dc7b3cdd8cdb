/* fit.c -- order fits on log-log data, and recognising rationals from high-precision values.
 *
 * Rationals: the convergents p_k/q_k of the continued fraction of x are the best rational
 * approximations (no fraction with a smaller denominator is closer), so if x agrees with a
 * rational p/q to far more bits than 2 log2 q, p/q is one of them (Legendre: |x - p/q| <
 * 1/(2q^2) implies p/q is a convergent). The first convergent within 2^-bits max(1,|x|) is
 * returned; with bits much larger than 2 log2(maxden) a spurious match is excluded.
 */
#include "config.h"

#include <math.h>

#include "cor_drift.h"

int
cor_drift_fit_order(double *order, double *logc, size_t k, const double *h, const double *err)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, den;

    if (k < 2 || !h || !err)
        return COR_ERROR(COR_EINVAL, "fit: need at least 2 points");
    for (size_t i = 0; i < k; i++)
    {
        double x, y;
        if (!(h[i] > 0) || !(err[i] > 0) || !isfinite(h[i]) || !isfinite(err[i]))
            return COR_ERROR(COR_EINVAL, "fit: point %zu is not positive and finite", i);
        x = log(h[i]);
        y = log(err[i]);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    den = (double)k * sxx - sx * sx;
    if (!(fabs(den) > 0))
        return COR_ERROR(COR_EINVAL, "fit: the step sizes are all equal");
    if (order)
        *order = ((double)k * sxy - sx * sy) / den;
    if (logc)
        *logc = (sy - ((double)k * sxy - sx * sy) / den * sx) / (double)k;
    return COR_OK;
}

int
cor_drift_recognize_q(mpq_t q, mpfr_srcptr x, unsigned long maxden, mpfr_prec_t bits)
{
    mpfr_prec_t wp = mpfr_get_prec(x) + 64;
    mpfr_t y, fl, d, tol;
    mpz_t a, p0, p1, q0, q1, t;
    int found = 0;

    if (!mpfr_number_p(x))
        return 0;
    mpfr_inits2(wp, y, fl, d, tol, (mpfr_ptr)0);
    mpz_inits(a, p0, p1, q0, q1, t, NULL);
    mpfr_set(y, x, MPFR_RNDN);
    /* tolerance 2^-bits max(1, |x|) */
    mpfr_abs(tol, x, MPFR_RNDN);
    if (mpfr_cmp_ui(tol, 1) < 0)
        mpfr_set_ui(tol, 1, MPFR_RNDN);
    mpfr_mul_2si(tol, tol, -(long)bits, MPFR_RNDN);
    /* p_{-1}/q_{-1} = 1/0, p_{-2}/q_{-2} = 0/1 */
    mpz_set_ui(p0, 0), mpz_set_ui(q0, 1), mpz_set_ui(p1, 1), mpz_set_ui(q1, 0);
    for (int it = 0; it < 4 * (int)wp; it++)
    {
        mpfr_floor(fl, y);
        mpfr_get_z(a, fl, MPFR_RNDN);
        /* p = a p1 + p0 */
        mpz_mul(t, a, p1), mpz_add(t, t, p0), mpz_set(p0, p1), mpz_set(p1, t);
        mpz_mul(t, a, q1), mpz_add(t, t, q0), mpz_set(q0, q1), mpz_set(q1, t);
        if (mpz_cmp_ui(q1, maxden) > 0)
            break;
        /* |x - p/q| */
        mpfr_set_z(d, p1, MPFR_RNDN);
        mpfr_div_z(d, d, q1, MPFR_RNDN);
        mpfr_sub(d, d, x, MPFR_RNDN);
        if (mpfr_cmpabs(d, tol) <= 0)
        {
            mpq_set_num(q, p1);
            mpq_set_den(q, q1);
            mpq_canonicalize(q);
            found = 1;
            break;
        }
        mpfr_sub(y, y, fl, MPFR_RNDN);
        if (mpfr_zero_p(y))
            break;
        mpfr_ui_div(y, 1, y, MPFR_RNDN);
    }
    mpz_clears(a, p0, p1, q0, q1, t, NULL);
    mpfr_clears(y, fl, d, tol, (mpfr_ptr)0);
    return found;
}
