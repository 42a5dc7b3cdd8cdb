/* flow_gsl.c -- GSL odeiv2 (rk8pd, msbdf) on the gradient flow, in double.
 *
 * The right-hand side runs the double tape of -grad L; msbdf also gets the exact Jacobian
 * d(-grad L)/dtheta = -H from a tape of the Hessian. The driver is made once (alloc) with
 * absolute and relative tolerance tol; a solve resets it and steps to each requested time in
 * turn (gsl_odeiv2_driver_apply), so output times cost no interpolation. GSL's default error
 * handler aborts; it is switched off around every GSL call and restored after (the library
 * never aborts). A failed step (non-finite field: GSL_EBADFUNC, or a step size underflow)
 * is reported as COR_STOPPED at the last time reached, the step limit as COR_MAXITER.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_sys.h"
#include "flow_impl.h"

typedef struct
{
    size_t n;
    cor_eval_d *wf;      /* -grad L */
    cor_tape *htape;     /* Hessian, msbdf only */
    cor_eval_d *wh;
    gsl_odeiv2_system sys;
    gsl_odeiv2_driver *drv;
    double *y, *tmp;
} gsl_state;

static int
rhs(double t, const double *y, double *dydt, void *params)
{
    gsl_state *S = params;
    (void)t;
    return cor_eval_d_run(S->wf, dydt, y) == COR_OK ? GSL_SUCCESS : GSL_EBADFUNC;
}

static int
jac(double t, const double *y, double *dfdy, double *dfdt, void *params)
{
    gsl_state *S = params;
    size_t n = S->n;
    (void)t;
    if (cor_eval_d_run(S->wh, dfdy, y) != COR_OK)
        return GSL_EBADFUNC;
    for (size_t i = 0; i < n * n; i++)
        dfdy[i] = -dfdy[i];
    for (size_t i = 0; i < n; i++)
        dfdt[i] = 0;
    return GSL_SUCCESS;
}

static void
gs_free(void *state)
{
    gsl_state *S = state;
    if (!S)
        return;
    if (S->drv)
        gsl_odeiv2_driver_free(S->drv);
    cor_eval_d_free(S->wf);
    cor_eval_d_free(S->wh);
    cor_tape_free(S->htape);
    cor_free(S->y);
    cor_free(S->tmp);
    cor_free(S);
}

static void *
gs_alloc(cor_flow *f)
{
    gsl_state *S = cor_calloc(1, sizeof *S);
    size_t n = f->n;
    cor_node *hess = NULL;
    gsl_error_handler_t *old;

    if (!S)
        return NULL;
    S->n = n;
    S->wf = cor_eval_d_alloc(f->tape);
    S->y = cor_calloc(n, sizeof *S->y);
    S->tmp = cor_calloc(n, sizeof *S->tmp);
    if (!S->wf || !S->y || !S->tmp)
        goto fail;
    S->sys.function = rhs;
    S->sys.jacobian = NULL;
    S->sys.dimension = n;
    S->sys.params = S;
    if (f->method == COR_FLOW_MSBDF)
    {
        hess = cor_mallocarray(n * n, sizeof *hess);
        if (!hess || cor_diff_hessian(hess, f->pool, f->loss, NULL, n, f->vars) != COR_OK)
            goto fail;
        S->htape = cor_tape_alloc(f->pool, n, f->vars, n * n, hess);
        if (!S->htape || !(S->wh = cor_eval_d_alloc(S->htape)))
            goto fail;
        S->sys.jacobian = jac;
    }
    old = gsl_set_error_handler_off();
    S->drv = gsl_odeiv2_driver_alloc_y_new(
        &S->sys, f->method == COR_FLOW_MSBDF ? gsl_odeiv2_step_msbdf : gsl_odeiv2_step_rk8pd,
        1e-6, f->opts.tol, f->opts.tol);
    gsl_set_error_handler(old);
    if (!S->drv)
    {
        COR_ERROR(COR_ENOMEM, "GSL odeiv2 driver allocation failed");
        goto fail;
    }
    gsl_odeiv2_driver_set_nmax(S->drv, f->opts.max_steps ? f->opts.max_steps : 10000000u);
    cor_free(hess);
    return S;
fail:
    cor_free(hess);
    gs_free(S);
    return NULL;
}

static int
gs_solve(cor_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times, const mpfr_t *theta0)
{
    gsl_state *S = f->state;
    size_t n = S->n, k = 0;
    double t = 0, ymax = 1;
    int status = COR_OK;
    uint64_t steps = 0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();

    for (size_t i = 0; i < n; i++)
        S->y[i] = mpfr_get_d(theta0[i], MPFR_RNDN);
    gsl_odeiv2_driver_reset(S->drv);
    gsl_odeiv2_driver_reset_hstart(S->drv, 1e-6);
    for (; k < nt; k++)
    {
        double ti = mpfr_get_d(times[k], MPFR_RNDN);
        if (ti > t)
        {
            int gs = gsl_odeiv2_driver_apply(S->drv, &t, ti, S->y);
            steps = S->drv->n; /* cumulative since the reset */
            if (gs != GSL_SUCCESS)
            {
                status = gs == GSL_EMAXITER ? COR_MAXITER : COR_STOPPED;
                f->st.stop_reason = gs == GSL_EMAXITER ? "the step limit was reached"
                                                       : "GSL could not continue (non-finite "
                                                         "field or step size underflow)";
                break;
            }
        }
        for (size_t i = 0; i < n; i++)
        {
            mpfr_set_d(out[k * n + i], S->y[i], MPFR_RNDN);
            if (fabs(S->y[i]) > ymax)
                ymax = fabs(S->y[i]);
        }
    }
    gsl_set_error_handler(old);
    for (; k < nt; k++)
        for (size_t i = 0; i < n; i++)
            mpfr_set_nan(out[k * n + i]);
    mpfr_set_d(f->t_reached, t, MPFR_RNDN);
    f->st.status = status;
    f->st.steps = steps;
    f->st.t_reached = t;
    f->st.err_est = f->opts.tol * ymax * sqrt((double)(steps ? steps : 1));
    return status;
}

const cor_flow_backend cor_flow_gsl_backend_internal = {gs_alloc, gs_free, gs_solve, NULL};
