/* flow.c -- the common part of the gradient-flow integrators: building -grad L and its tape,
 * dispatching to the method's backend, statistics and the verify re-run. */
#include <math.h>
#include <string.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_sys.h"
#include "flow_impl.h"

static const char *const method_names[COR_FLOW_METHOD_COUNT_] = {
    "taylor", "taylor-double", "rk8pd", "msbdf", "exact"};

static const cor_flow_backend *const backends[COR_FLOW_METHOD_COUNT_] = {
    &cor_flow_taylor_mpfr_backend_internal, &cor_flow_taylor_d_backend_internal,
    &cor_flow_gsl_backend_internal, &cor_flow_gsl_backend_internal,
    &cor_flow_exact_backend_internal};

void
cor_flow_opts_init(cor_flow_opts *o)
{
    memset(o, 0, sizeof *o);
    o->tol = 1e-30;
}

const char *
cor_flow_method_name(cor_flow_method m)
{
    return (unsigned)m < COR_FLOW_METHOD_COUNT_ ? method_names[m] : "unknown";
}

int
cor_flow_method_parse(cor_flow_method *m, const char *name)
{
    if (!name)
        return COR_ERROR(COR_EINVAL, "no flow method given");
    for (unsigned i = 0; i < COR_FLOW_METHOD_COUNT_; i++)
        if (strcmp(name, method_names[i]) == 0)
        {
            *m = (cor_flow_method)i;
            return COR_OK;
        }
    if (strcmp(name, "taylor-d") == 0)
    {
        *m = COR_FLOW_TAYLOR_D;
        return COR_OK;
    }
    return COR_ERROR(COR_EINVAL,
                     "unknown flow method '%s' (taylor, taylor-double, rk8pd, msbdf, exact)",
                     name);
}

unsigned
cor_flow_order_for_tol_internal(double tol)
{
    /* Jorba & Zou: p = -ln(tol)/2 + 1, rounded up */
    double p = ceil(-log(tol) / 2.0 + 1.0);
    return p < 2 ? 2 : p > 100000 ? 100000 : (unsigned)p;
}

static int
is_double_method(cor_flow_method m)
{
    return m == COR_FLOW_TAYLOR_D || m == COR_FLOW_RK8PD || m == COR_FLOW_MSBDF;
}

void
cor_flow_free(cor_flow *f)
{
    if (!f)
        return;
    if (f->be && f->state)
        f->be->free(f->state);
    cor_tape_free(f->tape);
    cor_eval_mpfr_free(f->lw);
    cor_tape_free(f->ltape);
    if (f->lval_init)
        mpfr_clear(f->lval);
    if (f->theta_end)
    {
        for (size_t i = 0; i < f->n; i++)
            mpfr_clear(f->theta_end[i]);
        cor_free(f->theta_end);
    }
    if (f->t_init)
        mpfr_clear(f->t_reached);
    cor_free(f->vars);
    cor_free(f->field);
    cor_free(f);
}

cor_flow *
cor_flow_alloc(cor_flow_method m, cor_expr_pool *pool, cor_node loss, size_t n,
               const cor_node *vars, mpfr_prec_t prec, const cor_flow_opts *opts)
{
    cor_flow *f;
    cor_node *grad = NULL;

    if ((unsigned)m >= COR_FLOW_METHOD_COUNT_)
    {
        COR_ERROR(COR_EINVAL, "unknown flow method %d", (int)m);
        return NULL;
    }
    if (!pool || n == 0 || !vars || loss == COR_NODE_NONE)
    {
        COR_ERROR(COR_EINVAL, "cor_flow_alloc: no loss, no variables or no pool");
        return NULL;
    }
    if (is_double_method(m))
        prec = 53;
    if (prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX)
    {
        COR_ERROR(COR_EINVAL, "precision %ld is outside [%ld, %ld]", (long)prec,
                  (long)MPFR_PREC_MIN, (long)MPFR_PREC_MAX);
        return NULL;
    }
    f = cor_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->method = m;
    f->n = n;
    f->prec = prec;
    f->pool = pool;
    f->loss = loss;
    if (opts)
        f->opts = *opts;
    else
        cor_flow_opts_init(&f->opts);
    if (!(f->opts.tol > 0 && f->opts.tol < 1))
    {
        COR_ERROR(COR_EINVAL, "tolerance %g is not in (0, 1)", f->opts.tol);
        goto fail;
    }
    if (m == COR_FLOW_TAYLOR_D && f->opts.tol < 1e-15)
        f->opts.tol = 1e-15;
    if ((m == COR_FLOW_RK8PD || m == COR_FLOW_MSBDF) && f->opts.tol < 1e-14)
        f->opts.tol = 1e-14;
    mpfr_init2(f->t_reached, prec);
    mpfr_set_zero(f->t_reached, 1);
    f->t_init = 1;
    f->vars = cor_mallocarray(n, sizeof *f->vars);
    f->field = cor_mallocarray(n, sizeof *f->field);
    grad = cor_mallocarray(n, sizeof *grad);
    f->theta_end = cor_mallocarray(n, sizeof *f->theta_end);
    if (!f->vars || !f->field || !grad || !f->theta_end)
    {
        cor_free(f->theta_end);
        f->theta_end = NULL;
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        mpfr_init2(f->theta_end[i], prec);
    memcpy(f->vars, vars, n * sizeof *vars);
    if (cor_diff_grad(grad, pool, loss, n, vars) != COR_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
    {
        f->field[i] = cor_expr_neg(pool, grad[i]);
        if (f->field[i] == COR_NODE_NONE)
            goto fail;
    }
    f->tape = cor_tape_alloc(pool, n, vars, n, f->field);
    if (!f->tape)
        goto fail;
    f->ltape = cor_tape_alloc(pool, n, vars, 1, &f->loss);
    if (!f->ltape || !(f->lw = cor_eval_mpfr_alloc(f->ltape, prec)))
        goto fail;
    mpfr_init2(f->lval, prec);
    f->lval_init = 1;
    f->be = backends[m];
    f->state = f->be->alloc(f);
    if (!f->state)
        goto fail;
    cor_free(grad);
    return f;
fail:
    cor_free(grad);
    cor_flow_free(f);
    return NULL;
}

int
cor_flow_solve(cor_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times, const mpfr_t *theta0)
{
    int st;

    if (nt == 0 || !out || !times || !theta0)
        return COR_ERROR(COR_EINVAL, "cor_flow_solve: no times or no arrays");
    for (size_t k = 0; k < nt; k++)
    {
        if (!mpfr_number_p(times[k]) || mpfr_sgn(times[k]) < 0)
            return COR_ERROR(COR_EINVAL, "time %zu is negative or not finite", k);
        if (k && mpfr_less_p(times[k], times[k - 1]))
            return COR_ERROR(COR_EINVAL, "times are not nondecreasing (time %zu)", k);
    }
    for (size_t i = 0; i < f->n; i++)
        if (!mpfr_number_p(theta0[i]))
            return COR_ERROR(COR_EINVAL, "theta0[%zu] is not finite", i);
    memset(&f->st, 0, sizeof f->st);
    f->solved = 0;
    /* the loss must be defined at theta0 (its gradient may be, where it is not: log(x) at
     * x < 0 has the finite gradient 1/x); past theta0 the field's own singularities stop
     * the integrators */
    if (cor_eval_mpfr_run(f->lw, &f->lval, theta0) != COR_OK)
    {
        for (size_t k = 0; k < nt * f->n; k++)
            mpfr_set_nan(out[k]);
        mpfr_set_zero(f->t_reached, 1);
        f->st.status = COR_STOPPED;
        f->st.stop_reason = "the loss is not finite at theta0 (outside its domain)";
        f->solved = 1;
        for (size_t i = 0; i < f->n; i++)
            mpfr_set_nan(f->theta_end[i]);
        return COR_STOPPED;
    }
    st = f->be->solve(f, out, nt, times, theta0);
    if (cor_status_is_error(st))
        return st;
    f->st.status = st;
    f->solved = 1;
    for (size_t i = 0; i < f->n; i++)
        mpfr_set(f->theta_end[i], out[(nt - 1) * f->n + i], MPFR_RNDN);
    return st;
}

int
cor_flow_eval(cor_flow *f, mpfr_t *theta, mpfr_srcptr t)
{
    if (!f->be->eval)
        return COR_ERROR(COR_EUNSUP, "method %s has no dense output",
                         cor_flow_method_name(f->method));
    if (!f->solved)
        return COR_ERROR(COR_EINVAL, "cor_flow_eval before a solve");
    return f->be->eval(f, theta, t);
}

mpfr_srcptr
cor_flow_t_reached(const cor_flow *f)
{
    return f->t_reached;
}

void
cor_flow_get_stats(const cor_flow *f, cor_flow_stats *st)
{
    *st = f->st;
}

const cor_node *
cor_flow_field(const cor_flow *f)
{
    return f->field;
}

int
cor_flow_verify(cor_flow *f, double *agreement, const mpfr_t *theta0, mpfr_srcptr T)
{
    cor_flow_opts o = f->opts;
    cor_flow *g;
    mpfr_t *out = NULL, d, e;
    int st;
    mpfr_prec_t p2 = is_double_method(f->method) ? 53 : f->prec + 64;

    if (!f->solved || !mpfr_equal_p(f->t_reached, T))
        return COR_ERROR(COR_EINVAL, "cor_flow_verify: the last solve did not reach T");
    o.tol = is_double_method(f->method) ? fmax(f->opts.tol / 100, 1e-14) : f->opts.tol * 1e-10;
    o.order = 0;
    o.dense = 0;
    g = cor_flow_alloc(f->method, f->pool, f->loss, f->n, f->vars, p2, &o);
    if (!g)
        return cor_last_error()->code;
    out = cor_mallocarray(f->n, sizeof *out);
    if (!out)
    {
        cor_flow_free(g);
        return COR_ENOMEM;
    }
    for (size_t i = 0; i < f->n; i++)
        mpfr_init2(out[i], p2);
    mpfr_inits2(p2, d, e, (mpfr_ptr)0);
    mpfr_set(d, T, MPFR_RNDN);
    st = cor_flow_solve(g, out, 1, (const mpfr_t *)&d, theta0);
    *agreement = 0;
    for (size_t i = 0; i < f->n; i++)
    {
        double r;
        mpfr_sub(d, f->theta_end[i], out[i], MPFR_RNDN);
        mpfr_abs(e, out[i], MPFR_RNDN);
        if (mpfr_cmp_ui(e, 1) < 0)
            mpfr_set_ui(e, 1, MPFR_RNDN);
        mpfr_div(d, d, e, MPFR_RNDN);
        r = fabs(mpfr_get_d(d, MPFR_RNDN));
        if (isnan(r) || r > *agreement)
            *agreement = isnan(r) ? NAN : r;
        if (isnan(r))
            break;
    }
    for (size_t i = 0; i < f->n; i++)
        mpfr_clear(out[i]);
    cor_free(out);
    mpfr_clears(d, e, (mpfr_ptr)0);
    cor_flow_free(g);
    return st;
}
