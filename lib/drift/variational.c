/* variational.c -- the leading global-error coefficients E1, E2 of P4.
 *
 * Why these equations: GD makes the local error -(h^2/2) H g per step against GF (P3), i.e.
 * -(h/2) H g per unit time; an error delta carried along GF obeys the linearised flow
 * delta' = -H delta. Summing the local errors transported to T (a Riemann sum of step h)
 * gives GD - GF(T) = h E1(T) + O(h^2) with E1' = -H E1 - (1/2) H g, E1(0) = 0. Against the
 * IGR flow the local error is GD - IGR(h) = h^3 f3 + O(h^4) (P4, f3 = -(1/12)T(g,g) -
 * (1/3)H^2 g), h^2 f3 per unit time, carried by the IGR flow's linearisation, which is GF's
 * up to O(h): E2' = -H E2 + f3. The three blocks (theta, E1, E2) are one autonomous system,
 * integrated by cor_drift_ode; H E is the directional derivative of g along E.
 */
#include "config.h"

#include <stdio.h>

#include "cor_diff.h"
#include "cor_drift.h"
#include "cor_sys.h"

int
cor_drift_global_coeffs(mpfr_t *E1, mpfr_t *E2, cor_expr_pool *pool, cor_node L, size_t n,
                        const cor_node *vars, const mpfr_t *theta0, mpfr_srcptr T,
                        mpfr_prec_t prec, double tol)
{
    cor_node *v = NULL, *F = NULL, *g = NULL, *hg = NULL, *f3 = NULL;
    cor_drift_ode *ode = NULL;
    mpfr_t *x0 = NULL, *out = NULL, t;
    int st = COR_OK;

    if (!pool || L == COR_NODE_NONE || n == 0 || !vars || !theta0 || !T)
        return COR_ERROR(COR_EINVAL, "drift global coeffs: bad arguments");
    v = cor_mallocarray(3 * n, sizeof *v);
    F = cor_mallocarray(3 * n, sizeof *F);
    g = cor_mallocarray(n, sizeof *g);
    hg = cor_mallocarray(n, sizeof *hg);
    f3 = cor_mallocarray(n, sizeof *f3);
    x0 = cor_mallocarray(3 * n, sizeof *x0);
    out = cor_mallocarray(3 * n, sizeof *out);
    if (!v || !F || !g || !hg || !f3 || !x0 || !out)
    {
        cor_free(x0);
        cor_free(out);
        x0 = out = NULL;
        st = COR_ERROR(COR_ENOMEM, "drift global coeffs: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < 3 * n; i++)
    {
        mpfr_init2(x0[i], prec);
        mpfr_init2(out[i], prec);
    }
    for (size_t i = 0; i < n; i++)
    {
        char name[64];
        v[i] = vars[i];
        snprintf(name, sizeof name, "__drift_e1_%zu", i + 1);
        v[n + i] = cor_expr_var(pool, name);
        snprintf(name, sizeof name, "__drift_e2_%zu", i + 1);
        v[2 * n + i] = cor_expr_var(pool, name);
        if (v[n + i] == COR_NODE_NONE || v[2 * n + i] == COR_NODE_NONE)
        {
            st = cor_last_error()->code;
            goto cleanup;
        }
    }
    if ((st = cor_diff_grad(g, pool, L, n, vars)) != COR_OK
        || (st = cor_diff_hg(hg, pool, L, g, n, vars)) != COR_OK
        || (st = cor_drift_f2_f3(NULL, f3, pool, L, n, vars)) != COR_OK)
        goto cleanup;
    for (size_t i = 0; i < n; i++)
    {
        cor_node he1, he2;
        mpq_t half;
        if ((st = cor_diff_dir(&he1, pool, g[i], n, vars, v + n)) != COR_OK
            || (st = cor_diff_dir(&he2, pool, g[i], n, vars, v + 2 * n)) != COR_OK)
            goto cleanup;
        mpq_init(half);
        mpq_set_si(half, -1, 2);
        F[i] = cor_expr_neg(pool, g[i]);
        F[n + i] = cor_expr_sub(pool, cor_expr_scale(pool, half, hg[i]), he1);
        F[2 * n + i] = cor_expr_sub(pool, f3[i], he2);
        mpq_clear(half);
        if (F[i] == COR_NODE_NONE || F[n + i] == COR_NODE_NONE || F[2 * n + i] == COR_NODE_NONE)
        {
            st = COR_ERROR(COR_ENOMEM, "drift global coeffs: out of memory");
            goto cleanup;
        }
    }
    ode = cor_drift_ode_alloc(pool, 3 * n, F, v, prec, tol);
    if (!ode)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    for (size_t i = 0; i < 3 * n; i++)
    {
        if (i < n)
            mpfr_set(x0[i], theta0[i], MPFR_RNDN);
        else
            mpfr_set_zero(x0[i], 1);
    }
    mpfr_init2(t, mpfr_get_prec(T));
    mpfr_set(t, T, MPFR_RNDN);
    st = cor_drift_ode_solve(ode, out, 1, (const mpfr_t *)&t, (const mpfr_t *)x0);
    mpfr_clear(t);
    for (size_t i = 0; i < n; i++)
    {
        if (E1)
            mpfr_set(E1[i], out[n + i], MPFR_RNDN);
        if (E2)
            mpfr_set(E2[i], out[2 * n + i], MPFR_RNDN);
    }
cleanup:
    if (x0)
        for (size_t i = 0; i < 3 * n; i++)
        {
            mpfr_clear(x0[i]);
            mpfr_clear(out[i]);
        }
    cor_drift_ode_free(ode);
    cor_free(v);
    cor_free(F);
    cor_free(g);
    cor_free(hg);
    cor_free(f3);
    cor_free(x0);
    cor_free(out);
    return st;
}
