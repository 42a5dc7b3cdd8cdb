/* modified.c -- modified losses and fields of backward error analysis, built symbolically.
 *
 * Why T(g,g) = J(Hg) g - H(Hg): (Hg)_i = sum_j H_ij g_j, so
 *     d(Hg)_i/dth_k = sum_j T_ijk g_j + sum_j H_ij H_jk,
 * and contracting with g_k gives J(Hg) g = T(g,g) + H^2 g. Both J(Hg) g and H(Hg) are
 * directional derivatives (of Hg along g, of g along Hg), which cor_diff_dir builds as
 * expressions of size O(|L|), so no third-derivative tensor is ever formed. Hence
 *     f3 = -(1/12) T(g,g) - (1/3) H^2 g = -(1/12) J(Hg) g - (1/4) H^2 g.
 * The other builders are sums of squares of gradients (doc/drift.md).
 */
#include "config.h"

#include "cor_diff.h"
#include "cor_drift.h"
#include "cor_sys.h"

static int
check_args(const cor_expr_pool *pool, cor_node L, size_t n, const cor_node *vars)
{
    if (!pool || L == COR_NODE_NONE || n == 0 || !vars)
        return COR_ERROR(COR_EINVAL, "drift: NULL pool, loss or variables, or n = 0");
    return COR_OK;
}

/* COR_EINVAL unless c is a valid node depending on none of vars */
static int
check_param(const cor_expr_pool *pool, cor_node c, size_t n, const cor_node *vars,
            const char *what)
{
    if (c == COR_NODE_NONE)
        return COR_ERROR(COR_EINVAL, "drift: the %s is missing", what);
    for (size_t i = 0; i < n; i++)
        if (cor_expr_depends_on(pool, c, vars[i]))
            return COR_ERROR(COR_EINVAL, "drift: the %s depends on a coordinate", what);
    return COR_OK;
}

static int
built(cor_node x)
{
    if (x != COR_NODE_NONE)
        return COR_OK;
    return cor_last_error()->code >= 100 ? cor_last_error()->code
                                         : COR_ERROR(COR_ENOMEM, "drift: out of memory");
}

/* q * a for q = num/den */
static cor_node
scale_q(cor_expr_pool *pool, long num, long den, cor_node a)
{
    mpq_t q;
    cor_node r;

    mpq_init(q);
    mpq_set_si(q, num, (unsigned long)den);
    mpq_canonicalize(q);
    r = cor_expr_scale(pool, q, a);
    mpq_clear(q);
    return r;
}

static cor_node
norm2(cor_expr_pool *pool, size_t n, const cor_node *v)
{
    cor_node s = cor_expr_const_si(pool, 0);

    for (size_t i = 0; i < n; i++)
        s = cor_expr_add(pool, s, cor_expr_powi(pool, v[i], 2));
    return s;
}

int
cor_drift_igr_loss(cor_node *out, cor_expr_pool *pool, cor_node L, cor_node h, size_t n,
                   const cor_node *vars)
{
    cor_node n2, r;
    int st;

    if ((st = check_args(pool, L, n, vars)) != COR_OK
        || (st = check_param(pool, h, n, vars, "step size h")) != COR_OK)
        return st;
    if ((st = cor_diff_grad_norm2(&n2, pool, L, NULL, n, vars)) != COR_OK)
        return st;
    r = cor_expr_add(pool, L, scale_q(pool, 1, 4, cor_expr_mul(pool, h, n2)));
    if ((st = built(r)) != COR_OK)
        return st;
    *out = r;
    return COR_OK;
}

/* g, Hg, J(Hg) g and H(Hg) into four arrays of n */
static int
third_order_terms(cor_node *g, cor_node *hg, cor_node *jhg, cor_node *hhg, cor_expr_pool *pool,
                  cor_node L, size_t n, const cor_node *vars)
{
    int st;

    if ((st = cor_diff_grad(g, pool, L, n, vars)) != COR_OK
        || (st = cor_diff_hg(hg, pool, L, g, n, vars)) != COR_OK)
        return st;
    for (size_t i = 0; i < n; i++)
    {
        if ((st = cor_diff_dir(&jhg[i], pool, hg[i], n, vars, g)) != COR_OK
            || (st = cor_diff_dir(&hhg[i], pool, g[i], n, vars, hg)) != COR_OK)
            return st;
    }
    return COR_OK;
}

int
cor_drift_tgg(cor_node *tgg, cor_expr_pool *pool, cor_node L, size_t n, const cor_node *vars)
{
    cor_node *w;
    int st;

    if ((st = check_args(pool, L, n, vars)) != COR_OK)
        return st;
    w = cor_mallocarray(4 * n, sizeof *w);
    if (!w)
        return COR_ERROR(COR_ENOMEM, "drift: out of memory");
    st = third_order_terms(w, w + n, w + 2 * n, w + 3 * n, pool, L, n, vars);
    for (size_t i = 0; st == COR_OK && i < n; i++)
    {
        tgg[i] = cor_expr_sub(pool, w[2 * n + i], w[3 * n + i]);
        st = built(tgg[i]);
    }
    cor_free(w);
    return st;
}

int
cor_drift_f2_f3(cor_node *f2, cor_node *f3, cor_expr_pool *pool, cor_node L, size_t n,
                const cor_node *vars)
{
    cor_node *w;
    int st;

    if ((st = check_args(pool, L, n, vars)) != COR_OK)
        return st;
    w = cor_mallocarray(4 * n, sizeof *w);
    if (!w)
        return COR_ERROR(COR_ENOMEM, "drift: out of memory");
    if (f3)
        st = third_order_terms(w, w + n, w + 2 * n, w + 3 * n, pool, L, n, vars);
    else if ((st = cor_diff_grad(w, pool, L, n, vars)) == COR_OK)
        st = cor_diff_hg(w + n, pool, L, w, n, vars);
    for (size_t i = 0; st == COR_OK && i < n; i++)
    {
        if (f2)
        {
            f2[i] = scale_q(pool, -1, 2, w[n + i]);
            if ((st = built(f2[i])) != COR_OK)
                break;
        }
        if (f3)
        {
            /* -(1/12) J(Hg) g - (1/4) H^2 g */
            f3[i] = cor_expr_add(pool, scale_q(pool, -1, 12, w[2 * n + i]),
                                 scale_q(pool, -1, 4, w[3 * n + i]));
            st = built(f3[i]);
        }
    }
    cor_free(w);
    return st;
}

int
cor_drift_mod3_field(cor_node *field, cor_expr_pool *pool, cor_node L, cor_node h, size_t n,
                     const cor_node *vars)
{
    cor_node *w;
    int st;

    if ((st = check_args(pool, L, n, vars)) != COR_OK
        || (st = check_param(pool, h, n, vars, "step size h")) != COR_OK)
        return st;
    w = cor_mallocarray(3 * n, sizeof *w);
    if (!w)
        return COR_ERROR(COR_ENOMEM, "drift: out of memory");
    if ((st = cor_diff_grad(w, pool, L, n, vars)) == COR_OK)
        st = cor_drift_f2_f3(w + n, w + 2 * n, pool, L, n, vars);
    for (size_t i = 0; st == COR_OK && i < n; i++)
    {
        cor_node t = cor_expr_add(pool, cor_expr_mul(pool, h, w[n + i]),
                                  cor_expr_mul(pool, cor_expr_powi(pool, h, 2), w[2 * n + i]));
        field[i] = cor_expr_sub(pool, t, w[i]);
        st = built(field[i]);
    }
    cor_free(w);
    return st;
}

int
cor_drift_sgd_loss(cor_node *out, cor_node *mean, cor_node *full_term, cor_node *batch_term,
                   cor_expr_pool *pool, size_t m, const cor_node *batches, cor_node h, size_t n,
                   const cor_node *vars)
{
    cor_node *gk = NULL, *gl = NULL, L, reg, full, per;
    mpq_t w;
    int st;

    if (m == 0 || !batches)
        return COR_ERROR(COR_EINVAL, "drift: SGD needs at least one batch loss");
    if ((st = check_args(pool, batches[0], n, vars)) != COR_OK
        || (st = check_param(pool, h, n, vars, "step size h")) != COR_OK)
        return st;
    gk = cor_mallocarray(m * n, sizeof *gk);
    gl = cor_mallocarray(n, sizeof *gl);
    if (!gk || !gl)
    {
        st = COR_ERROR(COR_ENOMEM, "drift: out of memory");
        goto cleanup;
    }
    mpq_init(w);
    mpq_set_ui(w, 1, (unsigned long)m);
    {
        mpq_t *c = cor_mallocarray(m, sizeof *c);
        if (!c)
        {
            mpq_clear(w);
            st = COR_ERROR(COR_ENOMEM, "drift: out of memory");
            goto cleanup;
        }
        for (size_t k = 0; k < m; k++)
        {
            mpq_init(c[k]);
            mpq_set(c[k], w);
        }
        L = cor_expr_sum(pool, m, batches, (const mpq_t *)c, NULL);
        for (size_t k = 0; k < m; k++)
            mpq_clear(c[k]);
        cor_free(c);
    }
    mpq_clear(w);
    if ((st = built(L)) != COR_OK || (st = cor_diff_grad(gl, pool, L, n, vars)) != COR_OK)
        goto cleanup;
    reg = cor_expr_const_si(pool, 0);
    per = cor_expr_const_si(pool, 0);
    for (size_t k = 0; k < m; k++)
    {
        if ((st = cor_diff_grad(gk + k * n, pool, batches[k], n, vars)) != COR_OK)
            goto cleanup;
        reg = cor_expr_add(pool, reg, norm2(pool, n, gk + k * n));
        for (size_t i = 0; i < n; i++)
            per = cor_expr_add(pool, per,
                               cor_expr_powi(pool, cor_expr_sub(pool, gk[k * n + i], gl[i]), 2));
    }
    reg = scale_q(pool, 1, 4 * (long)m, cor_expr_mul(pool, h, reg));
    per = scale_q(pool, 1, 4 * (long)m, cor_expr_mul(pool, h, per));
    full = scale_q(pool, 1, 4, cor_expr_mul(pool, h, norm2(pool, n, gl)));
    if ((st = built(reg)) != COR_OK || (st = built(per)) != COR_OK
        || (st = built(full)) != COR_OK)
        goto cleanup;
    *out = cor_expr_add(pool, L, reg);
    if ((st = built(*out)) != COR_OK)
        goto cleanup;
    if (mean)
        *mean = L;
    if (full_term)
        *full_term = full;
    if (batch_term)
        *batch_term = per;
cleanup:
    cor_free(gk);
    cor_free(gl);
    return st;
}

int
cor_drift_hb_loss(cor_node *out, cor_node *shift, cor_expr_pool *pool, cor_node L, cor_node h,
                  cor_node beta, size_t n, const cor_node *vars)
{
    cor_node *g, omb, omb2, n2, r, c;
    int st;

    if ((st = check_args(pool, L, n, vars)) != COR_OK
        || (st = check_param(pool, h, n, vars, "step size h")) != COR_OK
        || (st = check_param(pool, beta, n, vars, "momentum beta")) != COR_OK)
        return st;
    omb = cor_expr_sub(pool, cor_expr_const_si(pool, 1), beta);
    if (cor_expr_is_const(pool, omb))
    {
        mpq_t q;
        int zero;
        mpq_init(q);
        cor_expr_const_get(q, pool, omb);
        zero = mpq_sgn(q) == 0;
        mpq_clear(q);
        if (zero)
            return COR_ERROR(COR_EINVAL, "drift: heavy ball with beta = 1 has no modified flow");
    }
    g = cor_mallocarray(n, sizeof *g);
    if (!g)
        return COR_ERROR(COR_ENOMEM, "drift: out of memory");
    if ((st = cor_diff_grad(g, pool, L, n, vars)) != COR_OK
        || (st = cor_diff_grad_norm2(&n2, pool, L, g, n, vars)) != COR_OK)
        goto cleanup;
    omb2 = cor_expr_powi(pool, omb, 2);
    /* c = h (1 + beta) / (4 (1 - beta)^2) */
    c = scale_q(pool, 1, 4,
                cor_expr_div(pool,
                             cor_expr_mul(pool, h, cor_expr_add(pool, cor_expr_const_si(pool, 1),
                                                                beta)),
                             omb2));
    r = cor_expr_div(pool, cor_expr_add(pool, L, cor_expr_mul(pool, c, n2)), omb);
    if ((st = built(r)) != COR_OK)
        goto cleanup;
    if (shift)
    {
        cor_node s = cor_expr_div(pool, cor_expr_mul(pool, h, beta), omb2);
        for (size_t i = 0; i < n; i++)
        {
            shift[i] = cor_expr_mul(pool, s, g[i]);
            if ((st = built(shift[i])) != COR_OK)
                goto cleanup;
        }
    }
    *out = r;
cleanup:
    cor_free(g);
    return st;
}
