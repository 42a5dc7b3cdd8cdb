/* flow_taylor_source.c -- the adaptive Taylor-series integrator of the gradient flow, written
 * once for MPFR and double. Included by flow_taylor_mpfr.c and flow_taylor_d.c after the
 * scalar operations (taylor_ops_*.h) and the macros TWT (the Taylor workspace type),
 * TW_ALLOC, TW_FREE, TW_ODE, TW_EVENT and BACKEND (the name of the backend table).
 *
 * One step from (t, theta):
 *  1. x = the Taylor coefficients theta_[0..p] of the solution through theta (cor_taylor, ODE
 *     mode; the registers keep their series for step 4).
 *  2. The step size by Jorba & Zou's law (see cor_flow.h): with M = max(1, |theta|_inf),
 *     rho = min_{j = p-1, p} (M / |x_[j]|_inf)^(1/j), h = rho e^-2 e^(-0.7/(p-1)). Computed
 *     on logarithms in double (mantissa and exponent apart), so coefficients far outside
 *     double's range are fine; h itself needs no more than double accuracy, since the last
 *     step is cut to land exactly on T and the polynomial is evaluated exactly at h.
 *  3. If the step reaches T, h = T - t (computed in the working arithmetic: the step lands on
 *     T up to one rounding of t + h, and t is then set to T exactly).
 *  4. Events: if a kink or domain quantity changes sign within (0, h] (cor_taylor_*_event),
 *     h is cut to the crossing and the integration stops there (COR_STOPPED).
 *  5. The requested output times in (t, t + h] are evaluated on the polynomial (Horner), the
 *     new theta is the polynomial at h, and (dense output) the polynomial is stored.
 * Error estimate: every step adds |x_[p]|_inf h^p, the size of the last term kept; the first
 * term dropped is about e^-2 times that (terms decay like (h/rho)^k = e^-2k), so the sum over
 * steps bounds the accumulated truncation error for a flow that does not amplify errors
 * (gradient flows contract near minima); rounding adds steps * p * 2^-prec * M.
 * A collapsing step (h below |t| 2^(4-prec): the flow runs into a singularity, e.g. log(x)
 * with x -> 0, where the radius of convergence shrinks to 0) stops with COR_STOPPED.
 */
#include <math.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "cor_taylor.h"
#include "flow_impl.h"

typedef struct
{
    TWT *tw;
    size_t n;
    unsigned p;
    long prec;
    TS *x;       /* n (p+1): the current step's coefficients, x[i (p+1) + k] */
    TS *th;      /* n: theta at the current time */
    TS t, h, T, s, tau, tmp;
    mpfr_prec_t *pk; /* p+1: the precision profile for the next step (MPFR) */
    double *lk;      /* p+1: log of the terms |x_[k]|_inf h^k / M of the last step */
    double *lr;      /* p+1: the registers' relative terms (cor_taylor_mpfr_term_envelope) */
    int pk_set;      /* the profile in pk differs from the workspace's current one */
    TS **blk;    /* dense store: blk[j] = {t0, h, x[0 .. n(p+1))} */
    size_t nblk, capblk;
} ft_state;

static void
ft_dense_clear(ft_state *S)
{
    size_t m = 2 + S->n * (S->p + 1);
    for (size_t j = 0; j < S->nblk; j++)
        ts_block_free(S->blk[j], m);
    S->nblk = 0;
}

static void
ft_free(void *state)
{
    ft_state *S = state;
    size_t L;

    if (!S)
        return;
    L = S->p + 1;
    TW_FREE(S->tw);
    if (S->x)
        for (size_t i = 0; i < S->n * L; i++)
            TS_CLEAR(&S->x[i]);
    if (S->th)
        for (size_t i = 0; i < S->n; i++)
            TS_CLEAR(&S->th[i]);
    TS_CLEAR(&S->t);
    TS_CLEAR(&S->h);
    TS_CLEAR(&S->T);
    TS_CLEAR(&S->s);
    TS_CLEAR(&S->tau);
    TS_CLEAR(&S->tmp);
    ft_dense_clear(S);
    cor_free(S->blk);
    cor_free(S->pk);
    cor_free(S->lk);
    cor_free(S->lr);
    cor_free(S->x);
    cor_free(S->th);
    cor_free(S);
}

static void *
ft_alloc(cor_flow *f)
{
    ft_state *S = cor_calloc(1, sizeof *S);
    size_t L;

    if (!S)
        return NULL;
    S->n = f->n;
    S->prec = TS_MPFR ? (long)f->prec : 53;
    S->p = f->opts.order ? f->opts.order : cor_flow_order_for_tol_internal(f->opts.tol);
    L = S->p + 1;
    TS_INIT(&S->t, S->prec);
    TS_INIT(&S->h, S->prec);
    TS_INIT(&S->T, S->prec);
    TS_INIT(&S->s, S->prec);
    TS_INIT(&S->tau, S->prec);
    TS_INIT(&S->tmp, S->prec);
    S->tw = TW_ALLOC(f->tape, S->p, S->prec);
    S->x = cor_mallocarray(S->n * L, sizeof *S->x);
    S->th = cor_mallocarray(S->n, sizeof *S->th);
    S->pk = cor_mallocarray(L, sizeof *S->pk);
    S->lk = cor_mallocarray(L, sizeof *S->lk);
    S->lr = cor_mallocarray(L, sizeof *S->lr);
    if (!S->tw || !S->x || !S->th || !S->pk || !S->lk || !S->lr)
    {
        cor_free(S->x);
        S->x = NULL;
        cor_free(S->th);
        S->th = NULL;
        ft_free(S);
        return NULL;
    }
    for (size_t i = 0; i < S->n * L; i++)
        TS_INIT(&S->x[i], S->prec);
    for (size_t i = 0; i < S->n; i++)
        TS_INIT(&S->th[i], S->prec);
    return S;
}

/* max_i log|x_i,[j]| (-inf when all are 0, nan when one is nan) */
static double
ft_lognorm(const ft_state *S, unsigned j)
{
    double m = -INFINITY;
    for (size_t i = 0; i < S->n; i++)
    {
        double l = TS_LOG_ABS(&S->x[i * (S->p + 1) + j]);
        if (isnan(l))
            return NAN;
        if (l > m)
            m = l;
    }
    return m;
}

/* Precision profile (MPFR; cor_taylor_mpfr_set_prec_profile): in a step of size h the
 * term x_[k] h^k of the solution's series is about M e^(l_k) (l_k < 0, near -2k at the
 * orders the step law fits), so an error of relative size 2^-q in coefficient k of any
 * series adds about 2^-q M e^(l_k) to the result: coefficient k needs
 * prec + FT_GUARD + l_k / ln 2 bits for the error to stay near 2^-prec M. l_k is taken from
 * the previous step (an upper envelope over j >= k, so the profile never rises with k);
 * the first step of every solve runs at the full precision. */
#define FT_GUARD 16
#define FT_PREC_MIN 32

static void
ft_profile_next(ft_state *S, double lM, double lh)
{
#if TS_MPFR
    unsigned p = S->p;
    double env = -INFINITY;

    /* the registers carry their series to order p - 1; inside a corridor the solution's
     * terms vanish while the registers' do not (cancellation), so they count too */
    cor_taylor_mpfr_term_envelope(S->tw, S->lr, p - 1, lh);
    S->lr[p] = -INFINITY;
    for (unsigned k = p; k >= 1; k--)
    {
        double l = ft_lognorm(S, k) + k * lh - lM;
        if (isnan(l))
            l = 0; /* full precision */
        else if (isinf(l))
            l = -2.0 * k; /* order k was 0: assume the decay the step law aims at */
        if (S->lr[k] > l)
            l = S->lr[k] > 0 ? 0 : S->lr[k];
        if (l > env)
            env = l;
        S->lk[k] = env;
    }
    for (unsigned k = 1; k <= p; k++)
    {
        double q = (double)S->prec + FT_GUARD + ceil(S->lk[k] / M_LN2);
        mpfr_prec_t pr = q >= (double)S->prec ? (mpfr_prec_t)S->prec
                         : q <= FT_PREC_MIN   ? (mpfr_prec_t)FT_PREC_MIN
                                              : (mpfr_prec_t)q;
        if (pr != S->pk[k])
            S->pk_set = 1;
        S->pk[k] = pr;
    }
#else
    (void)S;
    (void)lM;
    (void)lh;
#endif
}

/* res = sum_{k<=p} c[k] s^k */
static void
ft_horner(TP res, const TS *c, unsigned p, TCP s)
{
    TS_SET(res, &c[p]);
    for (unsigned k = p; k-- > 0;)
    {
        TS_MUL(res, res, s);
        TS_ADD(res, res, &c[k]);
    }
}

static int
ft_store(ft_state *S)
{
    size_t L = S->p + 1, m = 2 + S->n * L;
    TS *b;

    if (S->nblk == S->capblk)
    {
        size_t cap = S->capblk ? 2 * S->capblk : 64;
        TS **nb = cor_realloc(S->blk, cap * sizeof *nb);
        if (!nb)
            return COR_ENOMEM;
        S->blk = nb;
        S->capblk = cap;
    }
    b = ts_block_alloc(m, S->prec);
    if (!b)
        return COR_ENOMEM;
    TS_SET(&b[0], &S->t);
    TS_SET(&b[1], &S->h);
    for (size_t i = 0; i < S->n * L; i++)
        TS_SET(&b[2 + i], &S->x[i]);
    S->blk[S->nblk++] = b;
    return COR_OK;
}

static int
ft_solve(cor_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times, const mpfr_t *theta0)
{
    ft_state *S = f->state;
    size_t n = S->n, L = S->p + 1, k = 0;
    unsigned p = S->p;
    int status = COR_OK;
    double err = 0, lM = 0, hmin = INFINITY, hmax = 0;
    uint64_t steps = 0, maxsteps = f->opts.max_steps ? f->opts.max_steps : 10000000u;
    const char *reason = NULL;

    ft_dense_clear(S);
    for (unsigned j = 0; j <= p; j++)
        S->pk[j] = (mpfr_prec_t)S->prec;
    S->pk_set = 1;
    for (size_t i = 0; i < n; i++)
        TS_FROM_MPFR(&S->th[i], theta0[i]);
    TS_FROM_MPFR(&S->T, times[nt - 1]);
    TS_SET_ZERO(&S->t);
    /* times equal to 0 */
    while (k < nt && mpfr_sgn(times[k]) <= 0)
    {
        for (size_t i = 0; i < n; i++)
            TS_TO_MPFR(out[k * n + i], &S->th[i]);
        k++;
    }
    while (TS_CMP(&S->t, &S->T) < 0)
    {
        int st, last = 0, event = 0;
        double lr, lh, lp;

        if (S->pk_set)
        {
            TW_PROFILE(S->tw, S->pk, p);
            S->pk_set = 0;
        }
        st = TW_ODE(S->tw, S->x, S->th, p);

        if (st == COR_STOPPED || st == COR_NONFINITE)
        {
            status = COR_STOPPED;
            reason = st == COR_STOPPED ? "a kink (non-smooth point) was reached"
                                       : "a non-finite value (domain of a function left)";
            break;
        }
        if (st != COR_OK)
            return st;
        /* 2. the step size, on logarithms */
        lM = ft_lognorm(S, 0);
        if (!(lM > 0))
            lM = 0;
        lp = ft_lognorm(S, p);
        lr = fmin((lM - ft_lognorm(S, p - 1)) / (p - 1), (lM - lp) / p);
        lh = lr - 2.0 - 0.7 / (p - 1);
        TS_SUB(&S->tmp, &S->T, &S->t);
        if (isnan(lh))
        {
            status = COR_STOPPED;
            reason = "a non-finite value (domain of a function left)";
            break;
        }
        ft_profile_next(S, lM, fmin(lh, 700));
        if (lh > 700)
            TS_SET(&S->h, &S->tmp);
        else
            TS_SET_D(&S->h, exp(lh));
        /* 3. landing on T */
        if (TS_CMP(&S->h, &S->tmp) >= 0)
        {
            TS_SET(&S->h, &S->tmp);
            last = 1;
        }
        /* 4. events */
        if (TW_EVENT(S->tw, &S->s, &S->h))
        {
            TS_SET(&S->h, &S->s);
            last = event = 1;
        }
        {
            double hd = TS_GET_D(&S->h);
            if (hd < hmin)
                hmin = hd;
            if (hd > hmax)
                hmax = hd;
            if (hd > 0)
                err += exp(lp + p * log(hd));
        }
        /* 5. outputs inside the step, new theta, dense store */
        if (last && !event)
            TS_SET(&S->s, &S->T);
        else
            TS_ADD(&S->s, &S->t, &S->h);
        while (k < nt)
        {
            TS_FROM_MPFR(&S->tau, times[k]);
            if (TS_CMP(&S->tau, &S->s) > 0)
                break;
            TS_SUB(&S->tau, &S->tau, &S->t);
            for (size_t i = 0; i < n; i++)
            {
                ft_horner(&S->tmp, &S->x[i * L], p, &S->tau);
                TS_TO_MPFR(out[k * n + i], &S->tmp);
            }
            k++;
        }
        if (f->opts.dense)
        {
            int sst = ft_store(S);
            if (sst != COR_OK)
                return COR_ERROR(sst, "dense output: out of memory at step %llu",
                                 (unsigned long long)steps);
        }
        for (size_t i = 0; i < n; i++)
            ft_horner(&S->th[i], &S->x[i * L], p, &S->h);
        TS_SET(&S->t, &S->s);
        steps++;
        for (size_t i = 0; i < n; i++)
            if (!TS_IS_NUMBER(&S->th[i]))
            {
                status = COR_STOPPED;
                reason = "a non-finite value";
            }
        if (status != COR_OK)
            break;
        if (event)
        {
            status = COR_STOPPED;
            reason = "a kink or the boundary of a function's domain was reached";
            break;
        }
        if (!last && !(TS_GET_D(&S->h) > fabs(TS_GET_D(&S->t)) * ldexp(1.0, (int)(4 - S->prec))))
        {
            status = COR_STOPPED;
            reason = "the steps collapsed (a singularity of the flow)";
            break;
        }
        if (steps >= maxsteps && TS_CMP(&S->t, &S->T) < 0)
        {
            status = COR_MAXITER;
            reason = "the step limit was reached";
            break;
        }
    }
    for (; k < nt; k++)
        for (size_t i = 0; i < n; i++)
            mpfr_set_nan(out[k * n + i]);
    TS_TO_MPFR(f->t_reached, &S->t);
    f->st.status = status;
    f->st.steps = steps;
    f->st.order = p;
    f->st.t_reached = TS_GET_D(&S->t);
    f->st.err_est = err + (double)steps * p * exp(lM) * ldexp(1.0, (int)-S->prec);
    f->st.h_min = steps ? hmin : 0;
    f->st.h_max = hmax;
    f->st.stop_reason = reason;
    return status;
}

static int
ft_eval(cor_flow *f, mpfr_t *theta, mpfr_srcptr t)
{
    ft_state *S = f->state;
    size_t lo = 0, hi, L = S->p + 1;

    if (!f->opts.dense)
        return COR_ERROR(COR_EUNSUP, "cor_flow_eval: the flow keeps no dense output");
    if (!f->solved || mpfr_sgn(t) < 0 || mpfr_cmp(t, f->t_reached) > 0 || mpfr_nan_p(t))
        return COR_ERROR(COR_EINVAL, "cor_flow_eval: t outside [0, t_reached] or no solve");
    if (S->nblk == 0)
        return COR_ERROR(COR_EINVAL, "cor_flow_eval: no step was taken");
    /* the last block with t0 <= t */
    hi = S->nblk;
    TS_FROM_MPFR(&S->tau, t);
    while (hi - lo > 1)
    {
        size_t mid = lo + (hi - lo) / 2;
        if (TS_CMP(&S->blk[mid][0], &S->tau) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    TS_SUB(&S->tau, &S->tau, &S->blk[lo][0]);
    for (size_t i = 0; i < S->n; i++)
    {
        ft_horner(&S->tmp, &S->blk[lo][2 + i * L], S->p, &S->tau);
        TS_TO_MPFR(theta[i], &S->tmp);
    }
    return COR_OK;
}

const cor_flow_backend BACKEND = {ft_alloc, ft_free, ft_solve, ft_eval};
