/* ode.c -- adaptive Taylor-series integration of theta' = F(theta) for a general field F,
 * in MPFR, written against the public Taylor-mode AD of cor_taylor.h.
 *
 * lib/flow integrates only gradient fields (it builds -grad L itself); the MOD3 field and
 * the variational equations of P4 are not gradients, so they get this small driver. It uses
 * the same laws as lib/flow (cor_flow.h documents them):
 *  - order p = ceil(-ln(tol)/2 + 1) (Jorba & Zou 2005);
 *  - step h = min_{j = p-1, p} (M / |x_[j]|_inf)^(1/j) e^-2 e^(-0.7/(p-1)),
 *    M = max(1, |theta|_inf): with rho the radius of convergence the terms decay like
 *    (h/rho)^k = e^-2k, so the truncated tail is about M e^-2p <= M tol e^-2;
 *  - the last step is cut to land on the final time; outputs inside a step are the step's
 *    Taylor polynomial evaluated by Horner (exact dense output of the series);
 *  - a kink or domain boundary crossed inside a step (cor_taylor_mpfr_event) stops there.
 * Why the coefficients are right: cor_taylor_mpfr_ode computes theta_[k+1] = F_[k]/(k+1),
 * the Taylor recurrence of the ODE, on the field's tape.
 */
#include "config.h"

#include <math.h>

#include "cor_drift.h"
#include "cor_eval.h"
#include "cor_sys.h"
#include "cor_taylor.h"

struct cor_drift_ode
{
    size_t n;
    unsigned p;
    mpfr_prec_t prec;
    cor_tape *tape;
    cor_taylor_mpfr *tw;
    mpfr_t *x;  /* n (p+1) */
    mpfr_t *th; /* n */
    mpfr_t t, h, T, s, tau, tmp;
    uint64_t steps;
    double err;
};

void
cor_drift_ode_free(cor_drift_ode *o)
{
    if (!o)
        return;
    if (o->x)
        for (size_t i = 0; i < o->n * (o->p + 1); i++)
            mpfr_clear(o->x[i]);
    if (o->th)
        for (size_t i = 0; i < o->n; i++)
            mpfr_clear(o->th[i]);
    cor_free(o->x);
    cor_free(o->th);
    mpfr_clears(o->t, o->h, o->T, o->s, o->tau, o->tmp, (mpfr_ptr)0);
    cor_taylor_mpfr_free(o->tw);
    cor_tape_free(o->tape);
    cor_free(o);
}

cor_drift_ode *
cor_drift_ode_alloc(cor_expr_pool *pool, size_t n, const cor_node *field, const cor_node *vars,
                    mpfr_prec_t prec, double tol)
{
    cor_drift_ode *o;
    double p;

    if (!pool || n == 0 || !field || !vars || prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX
        || !(tol > 0 && tol < 1))
    {
        COR_ERROR(COR_EINVAL, "drift ode: bad arguments (n = %zu, prec = %ld, tol = %g)", n,
                  (long)prec, tol);
        return NULL;
    }
    o = cor_calloc(1, sizeof *o);
    if (!o)
    {
        COR_ERROR(COR_ENOMEM, "drift ode: out of memory");
        return NULL;
    }
    o->n = n;
    o->prec = prec;
    p = ceil(-log(tol) / 2 + 1);
    o->p = p < 4 ? 4 : (unsigned)p;
    mpfr_inits2(prec, o->t, o->h, o->T, o->s, o->tau, o->tmp, (mpfr_ptr)0);
    o->tape = cor_tape_alloc(pool, n, vars, n, field);
    if (!o->tape)
        goto fail;
    o->tw = cor_taylor_mpfr_alloc(o->tape, o->p, prec);
    o->x = cor_mallocarray(n * (o->p + 1), sizeof *o->x);
    o->th = cor_mallocarray(n, sizeof *o->th);
    if (!o->tw || !o->x || !o->th)
    {
        cor_free(o->x);
        cor_free(o->th);
        o->x = o->th = NULL;
        if (o->tw)
            COR_ERROR(COR_ENOMEM, "drift ode: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n * (o->p + 1); i++)
        mpfr_init2(o->x[i], prec);
    for (size_t i = 0; i < n; i++)
        mpfr_init2(o->th[i], prec);
    return o;
fail:
    cor_drift_ode_free(o);
    return NULL;
}

/* log|v| in double (-inf for 0, nan for nan), without overflow for huge exponents */
static double
log_abs(mpfr_srcptr v)
{
    long e;
    double m;

    if (mpfr_nan_p(v))
        return NAN;
    if (mpfr_zero_p(v))
        return -INFINITY;
    if (mpfr_inf_p(v))
        return INFINITY;
    m = mpfr_get_d_2exp(&e, v, MPFR_RNDN);
    return log(fabs(m)) + (double)e * M_LN2;
}

static double
lognorm(const cor_drift_ode *o, unsigned j)
{
    double m = -INFINITY;

    for (size_t i = 0; i < o->n; i++)
    {
        double l = log_abs(o->x[i * (o->p + 1) + j]);
        if (isnan(l))
            return NAN;
        if (l > m)
            m = l;
    }
    return m;
}

static void
horner(mpfr_ptr res, const mpfr_t *c, unsigned p, mpfr_srcptr s)
{
    mpfr_set(res, c[p], MPFR_RNDN);
    for (unsigned k = p; k-- > 0;)
    {
        mpfr_mul(res, res, s, MPFR_RNDN);
        mpfr_add(res, res, c[k], MPFR_RNDN);
    }
}

int
cor_drift_ode_solve(cor_drift_ode *o, mpfr_t *out, size_t nt, const mpfr_t *times,
                    const mpfr_t *x0)
{
    size_t n, k = 0, L;
    unsigned p;
    int status = COR_OK;
    const uint64_t maxsteps = 10000000u;

    if (!o || !out || !times || !x0 || nt == 0)
        return COR_ERROR(COR_EINVAL, "drift ode: NULL argument or no times");
    for (size_t j = 0; j < nt; j++)
        if (!mpfr_number_p(times[j]) || mpfr_sgn(times[j]) < 0
            || (j && mpfr_less_p(times[j], times[j - 1])))
            return COR_ERROR(COR_EINVAL, "drift ode: times must be finite, >= 0, nondecreasing");
    n = o->n;
    p = o->p;
    L = p + 1;
    o->steps = 0;
    o->err = 0;
    for (size_t i = 0; i < n; i++)
        mpfr_set(o->th[i], x0[i], MPFR_RNDN);
    mpfr_set(o->T, times[nt - 1], MPFR_RNDN);
    mpfr_set_zero(o->t, 1);
    while (k < nt && mpfr_sgn(times[k]) <= 0)
    {
        for (size_t i = 0; i < n; i++)
            mpfr_set(out[k * n + i], o->th[i], MPFR_RNDN);
        k++;
    }
    while (mpfr_less_p(o->t, o->T))
    {
        int st = cor_taylor_mpfr_ode(o->tw, o->x, (const mpfr_t *)o->th, p), last = 0, event = 0;
        double lM, lp, lr, lh;

        if (st == COR_STOPPED || st == COR_NONFINITE)
        {
            status = COR_STOPPED;
            break;
        }
        if (st != COR_OK)
            return st;
        lM = lognorm(o, 0);
        if (!(lM > 0))
            lM = 0;
        lp = lognorm(o, p);
        lr = fmin((lM - lognorm(o, p - 1)) / (p - 1), (lM - lp) / p);
        lh = lr - 2.0 - 0.7 / (p - 1);
        if (isnan(lh))
        {
            status = COR_STOPPED;
            break;
        }
        mpfr_sub(o->tmp, o->T, o->t, MPFR_RNDN);
        if (lh > 700)
            mpfr_set(o->h, o->tmp, MPFR_RNDN);
        else
            mpfr_set_d(o->h, exp(lh), MPFR_RNDN);
        if (mpfr_cmp(o->h, o->tmp) >= 0)
        {
            mpfr_set(o->h, o->tmp, MPFR_RNDN);
            last = 1;
        }
        if (cor_taylor_mpfr_event(o->tw, o->s, o->h))
        {
            mpfr_set(o->h, o->s, MPFR_RNDN);
            last = event = 1;
        }
        {
            double hd = mpfr_get_d(o->h, MPFR_RNDN);
            if (hd > 0)
                o->err += exp(lp + p * log(hd));
            if (!last && !(hd > fabs(mpfr_get_d(o->t, MPFR_RNDN)) * ldexp(1.0, (int)(4 - o->prec))))
            {
                status = COR_STOPPED;
                break;
            }
        }
        if (last && !event)
            mpfr_set(o->s, o->T, MPFR_RNDN);
        else
            mpfr_add(o->s, o->t, o->h, MPFR_RNDN);
        while (k < nt && !mpfr_greater_p(times[k], o->s))
        {
            mpfr_sub(o->tau, times[k], o->t, MPFR_RNDN);
            for (size_t i = 0; i < n; i++)
                horner(out[k * n + i], &o->x[i * L], p, o->tau);
            k++;
        }
        for (size_t i = 0; i < n; i++)
            horner(o->th[i], &o->x[i * L], p, o->h);
        mpfr_set(o->t, o->s, MPFR_RNDN);
        o->steps++;
        for (size_t i = 0; i < n; i++)
            if (!mpfr_number_p(o->th[i]))
                status = COR_STOPPED;
        if (status != COR_OK || event)
        {
            status = COR_STOPPED;
            break;
        }
        if (o->steps >= maxsteps)
        {
            status = COR_MAXITER;
            break;
        }
    }
    for (; k < nt; k++)
        for (size_t i = 0; i < n; i++)
            mpfr_set_nan(out[k * n + i]);
    return status;
}

void
cor_drift_ode_stats(const cor_drift_ode *o, uint64_t *steps, double *err_est)
{
    if (steps)
        *steps = o ? o->steps : 0;
    if (err_est)
        *err_est = o ? o->err : NAN;
}
