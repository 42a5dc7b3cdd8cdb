/* flow_exact.c -- closed-form gradient flows: quadratics and corridor lines.
 *
 * Quadratic (constant Hessian A, detected symbolically: every Hessian entry is a constant).
 * With g = A theta + b, g' = -A g, so g(t) = e^(-At) g0 and theta(t) = theta0 - phi(A, t) g0
 * with phi(A, t) = int_0^t e^(-As) ds; per eigenpair (lambda, v) phi = (1 - e^(-lambda t)) /
 * lambda = -expm1(-lambda t)/lambda (no cancellation for small lambda t), and t for
 * lambda = 0. For invertible A this is theta* + e^(-At)(theta0 - theta*); the phi form also
 * holds for singular A (P10). A diagonal A is done per coordinate in MPFR (its eigenvalues are
 * the exact rationals on the diagonal; one expm1 and a few roundings per value). A
 * non-diagonal A is diagonalised by gsl_eigen_symmv in double when the flow's precision is at
 * most 53 bits; at higher precision there is no MPFR symmetric eigensolver here, so the flow
 * is computed by the Taylor integrator at the flow's tolerance (a quadratic's flow is an
 * entire function of t, so the series method converges everywhere) and exact_kind says
 * "quadratic-taylor".
 *
 * Corridor line (any other loss): theta(t) = theta0 - t g0 solves theta' = -grad L exactly iff
 * grad L stays equal to g0 along the segment (then theta' = -g0 = -grad L(theta(t))). This is
 * checked at the final time: grad L(theta(T)) = g0 up to rounding, |difference_i| <=
 * 2^(-prec/2) (scale_i + |g0_i|) with the tape's rounding scale (as in `corridor probe`).
 * The threshold is the square root of the working precision, not a few ulps, because near a
 * kink the rounding of theta(t) (absolute, about ulp(theta0)) is magnified by 1/|distance to
 * the kink| (at the cone's apex the direction of theta(t) is ill-conditioned); beyond a kink
 * grad L differs by O(1) (the cone: -g0), so the exit time is still found to the working
 * precision, and off a corridor the line is cut where its gradient has drifted by
 * 2^(-prec/2), so the line is never reported far beyond where it stops being the flow.
 * The price: within about 2^(-prec/2) of a kink the test cannot tell, so a kink time (the
 * apex of the cone) comes out to about half the working digits; the Taylor integrator's
 * event location gets all of them.
 * if not, the exit time is located by bisection on that predicate (to the working precision)
 * and the flow stops there with COR_STOPPED. For the cone |theta| from (3,-1,2) the gradient
 * flips at the apex, so the exit time is sqrt(14). (The predicate is assumed to hold on an
 * interval [0, t_exit): a line that leaves and re-enters a corridor is cut at the first exit
 * the bisection brackets.)
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_sys.h"
#include "flow_impl.h"

enum
{
    EX_LINE,
    EX_QDIAG,
    EX_QEIG,
    EX_QTAYLOR
};

typedef struct
{
    int kind;
    size_t n;
    mpfr_prec_t prec;
    cor_eval_mpfr *w;   /* -grad L at the flow's precision */
    mpfr_t *lam;        /* EX_QDIAG: diagonal of A */
    double *evec, *eval;/* EX_QEIG: eigenvectors (columns, row-major n x n) and values */
    cor_flow *inner;    /* EX_QTAYLOR */
    mpfr_t *th0, *F0, *Fx, *sc, *x;
    mpfr_t t, u, v, texit, mid;
} ex_state;

static void
ex_free(void *state)
{
    ex_state *S = state;
    if (!S)
        return;
    cor_eval_mpfr_free(S->w);
    cor_flow_free(S->inner);
    mpfr_t **arrs[] = {&S->lam, &S->th0, &S->F0, &S->Fx, &S->sc, &S->x};
    for (size_t a = 0; a < sizeof arrs / sizeof arrs[0]; a++)
        if (*arrs[a])
        {
            for (size_t i = 0; i < S->n; i++)
                mpfr_clear((*arrs[a])[i]);
            cor_free(*arrs[a]);
        }
    mpfr_clears(S->t, S->u, S->v, S->texit, S->mid, (mpfr_ptr)0);
    cor_free(S->evec);
    cor_free(S->eval);
    cor_free(S);
}

static mpfr_t *
vec_alloc(size_t n, mpfr_prec_t prec)
{
    mpfr_t *v = cor_mallocarray(n, sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++)
        {
            mpfr_init2(v[i], prec);
            mpfr_set_zero(v[i], 1);
        }
    return v;
}

static void *
ex_alloc(cor_flow *f)
{
    ex_state *S = cor_calloc(1, sizeof *S);
    size_t n = f->n;
    cor_node *hess = NULL;
    int quad = 1, diag = 1;
    mpq_t q;

    if (!S)
        return NULL;
    S->n = n;
    S->prec = f->prec;
    mpfr_inits2(f->prec, S->t, S->u, S->v, S->texit, S->mid, (mpfr_ptr)0);
    mpq_init(q);
    hess = cor_mallocarray(n * n, sizeof *hess);
    S->th0 = vec_alloc(n, f->prec);
    S->F0 = vec_alloc(n, f->prec);
    S->Fx = vec_alloc(n, f->prec);
    S->sc = vec_alloc(n, f->prec);
    S->x = vec_alloc(n, f->prec);
    S->w = cor_eval_mpfr_alloc(f->tape, f->prec);
    if (!hess || !S->th0 || !S->F0 || !S->Fx || !S->sc || !S->x || !S->w)
        goto fail;
    if (cor_diff_hessian(hess, f->pool, f->loss, NULL, n, f->vars) != COR_OK)
        goto fail;
    for (size_t i = 0; i < n * n; i++)
    {
        if (!cor_expr_is_const(f->pool, hess[i]))
            quad = 0;
        else if (i / n != i % n)
        {
            cor_expr_const_get(q, f->pool, hess[i]);
            if (mpq_sgn(q) != 0)
                diag = 0;
        }
    }
    if (!quad)
        S->kind = EX_LINE;
    else if (diag)
    {
        S->kind = EX_QDIAG;
        if (!(S->lam = vec_alloc(n, f->prec)))
            goto fail;
        for (size_t i = 0; i < n; i++)
        {
            cor_expr_const_get(q, f->pool, hess[i * n + i]);
            mpfr_set_q(S->lam[i], q, MPFR_RNDN);
        }
    }
    else if (f->prec <= 53)
    {
        gsl_matrix *A = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
        gsl_vector *ev = gsl_vector_alloc(n);
        gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
        int ok = A && V && ev && ws;
        S->kind = EX_QEIG;
        S->evec = cor_mallocarray(n * n, sizeof *S->evec);
        S->eval = cor_mallocarray(n, sizeof *S->eval);
        if (ok && S->evec && S->eval)
        {
            gsl_error_handler_t *old = gsl_set_error_handler_off();
            for (size_t i = 0; i < n * n; i++)
            {
                cor_expr_const_get(q, f->pool, hess[i]);
                mpfr_set_q(S->t, q, MPFR_RNDN);
                gsl_matrix_set(A, i / n, i % n, mpfr_get_d(S->t, MPFR_RNDN));
            }
            ok = gsl_eigen_symmv(A, ev, V, ws) == GSL_SUCCESS;
            gsl_set_error_handler(old);
            for (size_t i = 0; ok && i < n; i++)
            {
                S->eval[i] = gsl_vector_get(ev, i);
                for (size_t j = 0; j < n; j++)
                    S->evec[i * n + j] = gsl_matrix_get(V, i, j);
            }
        }
        else
            ok = 0;
        if (A)
            gsl_matrix_free(A);
        if (V)
            gsl_matrix_free(V);
        if (ev)
            gsl_vector_free(ev);
        if (ws)
            gsl_eigen_symmv_free(ws);
        if (!ok || !S->evec || !S->eval)
        {
            COR_ERROR(COR_ENOMEM, "eigen-decomposition of the Hessian failed");
            goto fail;
        }
    }
    else
    {
        S->kind = EX_QTAYLOR;
        S->inner = cor_flow_alloc(COR_FLOW_TAYLOR, f->pool, f->loss, n, f->vars, f->prec,
                                  &f->opts);
        if (!S->inner)
            goto fail;
    }
    mpq_clear(q);
    cor_free(hess);
    return S;
fail:
    mpq_clear(q);
    cor_free(hess);
    ex_free(S);
    return NULL;
}

/* theta(t) into out[0..n) for the quadratic kinds and the line (t <= t_exit) */
static void
ex_at(ex_state *S, mpfr_t *out, mpfr_srcptr t)
{
    size_t n = S->n;

    switch (S->kind)
    {
    case EX_QDIAG:
        for (size_t i = 0; i < n; i++)
        {
            /* phi = -expm1(-lambda t)/lambda, or t */
            if (mpfr_zero_p(S->lam[i]))
                mpfr_set(S->u, t, MPFR_RNDN);
            else
            {
                mpfr_mul(S->u, S->lam[i], t, MPFR_RNDN);
                mpfr_neg(S->u, S->u, MPFR_RNDN);
                mpfr_expm1(S->u, S->u, MPFR_RNDN);
                mpfr_div(S->u, S->u, S->lam[i], MPFR_RNDN);
                mpfr_neg(S->u, S->u, MPFR_RNDN);
            }
            mpfr_mul(S->u, S->u, S->F0[i], MPFR_RNDN);
            mpfr_add(out[i], S->th0[i], S->u, MPFR_RNDN);
        }
        break;
    case EX_QEIG:
    {
        double td = mpfr_get_d(t, MPFR_RNDN);
        for (size_t i = 0; i < n; i++)
            mpfr_set(S->x[i], S->th0[i], MPFR_RNDN);
        for (size_t k = 0; k < n; k++)
        {
            double c = 0, lam = S->eval[k], phi;
            for (size_t j = 0; j < n; j++)
                c += S->evec[j * n + k] * mpfr_get_d(S->F0[j], MPFR_RNDN);
            phi = lam == 0 ? td : -expm1(-lam * td) / lam;
            for (size_t i = 0; i < n; i++)
            {
                mpfr_set_d(S->u, S->evec[i * n + k] * phi * c, MPFR_RNDN);
                mpfr_add(S->x[i], S->x[i], S->u, MPFR_RNDN);
            }
        }
        for (size_t i = 0; i < n; i++)
            mpfr_set(out[i], S->x[i], MPFR_RNDN);
        break;
    }
    default: /* line */
        for (size_t i = 0; i < n; i++)
        {
            mpfr_mul(S->u, S->F0[i], t, MPFR_RNDN);
            mpfr_add(out[i], S->th0[i], S->u, MPFR_RNDN);
        }
        break;
    }
}

/* nonzero when -grad L on the line at time t equals F0 up to rounding */
static int
line_ok(ex_state *S, mpfr_srcptr t)
{
    ex_at(S, S->x, t);
    if (cor_eval_mpfr_run(S->w, S->Fx, (const mpfr_t *)S->x) != COR_OK)
        return 0;
    if (cor_eval_mpfr_scale(S->w, S->sc) != COR_OK)
        return 0;
    for (size_t i = 0; i < S->n; i++)
    {
        mpfr_sub(S->u, S->Fx[i], S->F0[i], MPFR_RNDN);
        mpfr_abs(S->v, S->F0[i], MPFR_RNDN);
        mpfr_add(S->v, S->v, S->sc[i], MPFR_RNDN);
        mpfr_mul_2si(S->v, S->v, -(long)S->prec / 2, MPFR_RNDN);
        if (!(mpfr_cmpabs(S->u, S->v) <= 0))
            return 0;
    }
    return 1;
}

static int
ex_solve(cor_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times, const mpfr_t *theta0)
{
    ex_state *S = f->state;
    size_t n = S->n;
    int status = COR_OK;
    double m = 1;

    if (S->kind == EX_QTAYLOR)
    {
        int st = cor_flow_solve(S->inner, out, nt, times, theta0);
        if (cor_status_is_error(st))
            return st;
        cor_flow_get_stats(S->inner, &f->st);
        mpfr_set(f->t_reached, cor_flow_t_reached(S->inner), MPFR_RNDN);
        f->st.exact_kind = "quadratic-taylor";
        return st;
    }
    for (size_t i = 0; i < n; i++)
        mpfr_set(S->th0[i], theta0[i], MPFR_RNDN);
    if (cor_eval_mpfr_run(S->w, S->F0, (const mpfr_t *)S->th0) != COR_OK)
    {
        mpfr_set_zero(f->t_reached, 1);
        for (size_t k = 0; k < nt * n; k++)
            mpfr_set_nan(out[k]);
        f->st.stop_reason = "the gradient is not finite at theta0";
        f->st.exact_kind = S->kind == EX_LINE ? "line" : "quadratic";
        return COR_STOPPED;
    }
    mpfr_set(S->texit, times[nt - 1], MPFR_RNDN);
    if (S->kind == EX_LINE && !line_ok(S, S->texit))
    {
        /* bisection: ok at lo, not at hi */
        mpfr_set_zero(S->t, 1);
        for (int it = 0; it < 4 * (int)S->prec + 64; it++)
        {
            mpfr_add(S->mid, S->t, S->texit, MPFR_RNDN);
            mpfr_div_2ui(S->mid, S->mid, 1, MPFR_RNDN);
            if (mpfr_lessequal_p(S->mid, S->t) || mpfr_greaterequal_p(S->mid, S->texit))
                break;
            if (line_ok(S, S->mid))
                mpfr_set(S->t, S->mid, MPFR_RNDN);
            else
                mpfr_set(S->texit, S->mid, MPFR_RNDN);
        }
        mpfr_set(S->texit, S->t, MPFR_RNDN);
        status = COR_STOPPED;
        f->st.stop_reason = "the line left the corridor (grad L changed)";
    }
    for (size_t k = 0; k < nt; k++)
    {
        if (mpfr_greater_p(times[k], S->texit))
        {
            for (size_t i = 0; i < n; i++)
                mpfr_set_nan(out[k * n + i]);
            continue;
        }
        ex_at(S, S->x, times[k]);
        for (size_t i = 0; i < n; i++)
        {
            mpfr_set(out[k * n + i], S->x[i], MPFR_RNDN);
            if (fabs(mpfr_get_d(S->x[i], MPFR_RNDN)) > m)
                m = fabs(mpfr_get_d(S->x[i], MPFR_RNDN));
        }
    }
    mpfr_set(f->t_reached, S->texit, MPFR_RNDN);
    f->st.status = status;
    f->st.t_reached = mpfr_get_d(S->texit, MPFR_RNDN);
    f->st.err_est = S->kind == EX_QEIG ? 1e-15 * m * (1 + f->st.t_reached)
                                        : ldexp(m, 8 - (int)S->prec);
    f->st.exact_kind = S->kind == EX_LINE ? "line" : "quadratic";
    return status;
}

static int
ex_eval(cor_flow *f, mpfr_t *theta, mpfr_srcptr t)
{
    ex_state *S = f->state;

    if (S->kind == EX_QTAYLOR)
        return COR_ERROR(COR_EUNSUP, "the quadratic-taylor exact flow keeps no dense output");
    if (mpfr_sgn(t) < 0 || mpfr_greater_p(t, f->t_reached) || mpfr_nan_p(t))
        return COR_ERROR(COR_EINVAL, "cor_flow_eval: t outside [0, t_reached]");
    ex_at(S, S->x, t);
    for (size_t i = 0; i < S->n; i++)
        mpfr_set(theta[i], S->x[i], MPFR_RNDN);
    return COR_OK;
}

const cor_flow_backend cor_flow_exact_backend_internal = {ex_alloc, ex_free, ex_solve, ex_eval};
