/* hseries.c -- expansions in the step size h of a flow at time c h and of an SGD epoch.
 *
 * Flow. For theta' = F(theta; h) (h a parameter, h' = 0) the solution at time t is the Lie
 * series theta(t) = sum_k t^k/k! (L_F^k id)(theta0), L_F u = u'(theta) F(theta) (each
 * application is a directional derivative along F, cor_diff_dir). At t = c h the k-th term is
 * O(h^k), so truncating at k = K changes only the coefficients of h^(K+1) and higher; the
 * truncated sum is an expression in theta0 and h whose j-th h-derivative at h = 0, divided
 * by j!, is coefficient j exactly (symbolic differentiation in h, then one evaluation).
 *
 * SGD. One update theta_{s+1} = theta_s - h grad L_b(theta_s) is analytic in h; with theta_s
 * a truncated power series in h, grad L_b(theta_s(h)) is the series that Taylor-mode AD
 * (cor_taylor series mode) computes on the gradient's tape, and multiplying by h shifts it
 * by one degree: theta_{s+1,[k]} = theta_{s,[k]} - (grad L_b)_[k-1]. Coefficients up to K
 * are exact (no truncation error: coefficient k depends only on coefficients < k).
 */
#include "config.h"

#include "cor_diff.h"
#include "cor_drift.h"
#include "cor_eval.h"
#include "cor_sys.h"
#include "cor_taylor.h"

int
cor_drift_flow_hseries(mpfr_t *coef, cor_expr_pool *pool, size_t n, const cor_node *field,
                       const cor_node *vars, cor_node hvar, cor_node c, unsigned K,
                       const mpfr_t *theta0, mpfr_prec_t prec)
{
    cor_node *u = NULL, *phi = NULL, *d = NULL, *in = NULL, ch;
    cor_tape *tape = NULL;
    cor_eval_mpfr *ev = NULL;
    mpfr_t *x = NULL, *out = NULL;
    size_t nout = (size_t)(K + 1) * n;
    mpz_t fact;
    int st = COR_OK;

    if (!coef || !pool || n == 0 || !field || !vars || hvar == COR_NODE_NONE
        || cor_expr_op(pool, hvar) != COR_OP_VAR || c == COR_NODE_NONE || !theta0)
        return COR_ERROR(COR_EINVAL, "drift hseries: bad arguments");
    u = cor_mallocarray(n, sizeof *u);
    phi = cor_mallocarray(n, sizeof *phi);
    d = cor_mallocarray(nout, sizeof *d);
    in = cor_mallocarray(n + 1, sizeof *in);
    x = cor_mallocarray(n + 1, sizeof *x);
    out = cor_mallocarray(nout, sizeof *out);
    if (!u || !phi || !d || !in || !x || !out)
    {
        cor_free(x);
        cor_free(out);
        x = out = NULL;
        st = COR_ERROR(COR_ENOMEM, "drift hseries: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n + 1; i++)
        mpfr_init2(x[i], prec);
    for (size_t i = 0; i < nout; i++)
        mpfr_init2(out[i], prec);
    /* phi = sum_{k <= K} (c h)^k / k! L_F^k id */
    ch = cor_expr_mul(pool, c, hvar);
    mpz_init_set_ui(fact, 1);
    for (size_t i = 0; i < n; i++)
        u[i] = phi[i] = vars[i];
    for (unsigned k = 1; k <= K && st == COR_OK; k++)
    {
        mpq_t q;
        mpz_mul_ui(fact, fact, k);
        for (size_t i = 0; i < n && st == COR_OK; i++)
            st = cor_diff_dir(&u[i], pool, u[i], n, vars, field);
        if (st != COR_OK)
            break;
        mpq_init(q);
        mpq_set_z(q, fact);
        mpq_inv(q, q);
        for (size_t i = 0; i < n; i++)
            phi[i] = cor_expr_add(pool, phi[i],
                                  cor_expr_scale(pool, q, cor_expr_mul(pool, cor_expr_powi(
                                                                                 pool, ch, (long)k),
                                                                       u[i])));
        mpq_clear(q);
    }
    mpz_clear(fact);
    if (st != COR_OK)
        goto cleanup;
    /* d_j = d^j phi / dh^j */
    for (size_t i = 0; i < n; i++)
        d[i] = phi[i];
    for (unsigned j = 1; j <= K && st == COR_OK; j++)
        for (size_t i = 0; i < n && st == COR_OK; i++)
            st = cor_diff_grad(&d[j * n + i], pool, d[(j - 1) * n + i], 1, &hvar);
    if (st != COR_OK)
        goto cleanup;
    for (size_t i = 0; i < nout; i++)
        if (d[i] == COR_NODE_NONE)
        {
            st = COR_ERROR(COR_ENOMEM, "drift hseries: out of memory");
            goto cleanup;
        }
    for (size_t i = 0; i < n; i++)
        in[i] = vars[i];
    in[n] = hvar;
    tape = cor_tape_alloc(pool, n + 1, in, nout, d);
    if (!tape || !(ev = cor_eval_mpfr_alloc(tape, prec)))
    {
        st = cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        mpfr_set(x[i], theta0[i], MPFR_RNDN);
    mpfr_set_zero(x[n], 1);
    st = cor_eval_mpfr_run(ev, out, (const mpfr_t *)x);
    if (st != COR_OK)
    {
        st = cor_status_is_error(st) ? st : COR_ERROR(COR_EDOM, "drift hseries: not finite");
        goto cleanup;
    }
    {
        unsigned long f = 1;
        for (unsigned j = 0; j <= K; j++)
        {
            if (j > 1)
                f *= j;
            for (size_t i = 0; i < n; i++)
                mpfr_div_ui(coef[j * n + i], out[j * n + i], f, MPFR_RNDN);
        }
    }
cleanup:
    if (x)
        for (size_t i = 0; i < n + 1; i++)
            mpfr_clear(x[i]);
    if (out)
        for (size_t i = 0; i < nout; i++)
            mpfr_clear(out[i]);
    cor_eval_mpfr_free(ev);
    cor_tape_free(tape);
    cor_free(u);
    cor_free(phi);
    cor_free(d);
    cor_free(in);
    cor_free(x);
    cor_free(out);
    return st;
}

/* next permutation in lexicographic order; 0 after the last */
static int
next_perm(size_t *a, size_t m)
{
    size_t i, j, t;

    if (m < 2)
        return 0;
    i = m - 1;
    while (i > 0 && a[i - 1] >= a[i])
        i--;
    if (i == 0)
        return 0;
    j = m - 1;
    while (a[j] <= a[i - 1])
        j--;
    t = a[i - 1], a[i - 1] = a[j], a[j] = t;
    for (size_t l = i, r = m - 1; l < r; l++, r--)
        t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}

int
cor_drift_sgd_hseries(mpfr_t *coef, cor_expr_pool *pool, size_t m, const cor_node *batches,
                      size_t n, const cor_node *vars, const size_t *order, size_t len,
                      unsigned K, const mpfr_t *theta0, mpfr_prec_t prec)
{
    cor_tape **tapes = NULL;
    cor_taylor_mpfr **tw = NULL;
    cor_node *g = NULL;
    mpfr_t *th = NULL, *gs = NULL;
    size_t *perm = NULL, L = K + 1, count = 0;
    int st = COR_OK;

    if (!coef || !pool || m == 0 || !batches || n == 0 || !vars || !theta0 || K == 0
        || (order && len == 0) || (!order && m > 8))
        return COR_ERROR(COR_EINVAL, "drift sgd hseries: bad arguments");
    if (order)
        for (size_t s = 0; s < len; s++)
            if (order[s] >= m)
                return COR_ERROR(COR_EINVAL, "drift sgd hseries: batch %zu out of range",
                                 order[s] + 1);
    tapes = cor_calloc(m, sizeof *tapes);
    tw = cor_calloc(m, sizeof *tw);
    g = cor_mallocarray(n, sizeof *g);
    th = cor_mallocarray(n * L, sizeof *th);
    gs = cor_mallocarray(n * L, sizeof *gs);
    perm = cor_mallocarray(m, sizeof *perm);
    if (!tapes || !tw || !g || !th || !gs || !perm)
    {
        cor_free(th);
        cor_free(gs);
        th = gs = NULL;
        st = COR_ERROR(COR_ENOMEM, "drift sgd hseries: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n * L; i++)
    {
        mpfr_init2(th[i], prec);
        mpfr_init2(gs[i], prec);
    }
    for (size_t b = 0; b < m; b++)
    {
        if ((st = cor_diff_grad(g, pool, batches[b], n, vars)) != COR_OK)
            goto cleanup;
        tapes[b] = cor_tape_alloc(pool, n, vars, n, g);
        if (!tapes[b] || !(tw[b] = cor_taylor_mpfr_alloc(tapes[b], K, prec)))
        {
            st = cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
            goto cleanup;
        }
    }
    for (size_t i = 0; i < n * L; i++)
        mpfr_set_zero(coef[i], 1);
    if (!order)
    {
        for (size_t b = 0; b < m; b++)
            perm[b] = b;
        len = m;
    }
    do
    {
        const size_t *ord = order ? order : perm;
        for (size_t i = 0; i < n; i++)
        {
            mpfr_set(th[i * L], theta0[i], MPFR_RNDN);
            for (size_t k = 1; k < L; k++)
                mpfr_set_zero(th[i * L + k], 1);
        }
        for (size_t s = 0; s < len; s++)
        {
            int r = cor_taylor_mpfr_series(tw[ord[s]], gs, (const mpfr_t *)th, K);
            if (r != COR_OK)
            {
                st = cor_status_is_error(r) ? r
                                            : COR_ERROR(COR_EDOM, "drift sgd hseries: the "
                                                                  "gradient series is not smooth "
                                                                  "or not finite");
                goto cleanup;
            }
            for (size_t i = 0; i < n; i++)
                for (size_t k = K; k >= 1; k--)
                    mpfr_sub(th[i * L + k], th[i * L + k], gs[i * L + k - 1], MPFR_RNDN);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < L; k++)
                mpfr_add(coef[k * n + i], coef[k * n + i], th[i * L + k], MPFR_RNDN);
        count++;
    } while (!order && next_perm(perm, m));
    for (size_t i = 0; i < n * L; i++)
        mpfr_div_ui(coef[i], coef[i], (unsigned long)count, MPFR_RNDN);
cleanup:
    if (th)
        for (size_t i = 0; i < n * L; i++)
        {
            mpfr_clear(th[i]);
            mpfr_clear(gs[i]);
        }
    for (size_t b = 0; tw && b < m; b++)
        cor_taylor_mpfr_free(tw[b]);
    for (size_t b = 0; tapes && b < m; b++)
        cor_tape_free(tapes[b]);
    cor_free(tapes);
    cor_free(tw);
    cor_free(g);
    cor_free(th);
    cor_free(gs);
    cor_free(perm);
    return st;
}
