/* geometric.c -- linear pieces, cones, rings, ruled corridors, the anisotropic cone and the
 * glued surface.
 *
 * Why these are corridors: H grad L = grad(|grad L|^2 / 2), so Hg = 0 on an open set without
 * critical points iff |grad L| is locally constant there (an eikonal condition). A scaled
 * distance function s dist(theta, K) has |grad L| = |s| wherever it is differentiable, so the
 * distance to a point (cone), to a sphere (ring) or to a hyperplane or a linear subspace
 * (ruled pieces) gives a corridor; adding <a, theta> with a orthogonal to every gradient of
 * the distance keeps |grad L|^2 = s^2 + |a|^2 constant (the ruled corridor of P1). Minima
 * and maxima of finitely many corridors are corridors off the sets where two pieces tie,
 * since the active piece is unique and locally fixed there (glued surface, Example 2.6).
 */
#include <string.h>

#include "cor_sys.h"
#include "loss_impl.h"

static int
check_dim(size_t n, size_t min)
{
    if (n < min || n > 100000)
        return COR_ERROR(COR_EINVAL, "dimension %zu out of range (at least %zu)", n, min);
    return COR_OK;
}

cor_loss *
cor_loss_new_linear(size_t n, const mpq_t *a, const mpq_t c)
{
    cor_loss *L;
    mpq_t *ones = NULL;
    cor_node root;
    size_t i;
    int allzero = 1;

    if (check_dim(n, 1))
        return NULL;
    L = cor_loss_new_internal("linear");
    if (!L)
        return NULL;
    if (cor_loss_make_vars_internal(L, n, "x"))
        return cor_loss_fail_internal(L);
    if (!a)
    {
        ones = cor_qvec_alloc_internal(n);
        if (!ones)
            return cor_loss_fail_internal(L);
        for (i = 0; i < n; i++)
            mpq_set_ui(ones[i], 1, 1);
        a = (const mpq_t *)ones;
    }
    for (i = 0; i < n; i++)
        allzero &= mpq_sgn(a[i]) == 0;
    root = cor_expr_sum(L->pool, n, L->vars, a, c);
    cor_qvec_free_internal(ones, n);
    if (cor_loss_set_root_internal(L, root))
        return cor_loss_fail_internal(L);
    if (allzero)
    {
        if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE,
                                           "a = 0: the loss is constant, every point is "
                                           "critical"))
            return cor_loss_fail_internal(L);
    }
    else if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                            "H = 0 everywhere (a linear piece)"))
        return cor_loss_fail_internal(L);
    return L;
}

/* s * sqrt(|theta - c|^2), or s * abs(x1 - c1) in one dimension. */
static cor_node
scaled_norm(cor_expr_pool *pool, size_t n, const cor_node *vars, const mpq_t *c,
            const mpq_t s)
{
    cor_node r;

    if (n == 1)
    {
        mpq_t negc;
        mpq_init(negc);
        if (c)
            mpq_neg(negc, c[0]);
        r = cor_expr_unary(pool, COR_OP_ABS, cor_expr_sum(pool, 1, vars, NULL, negc));
        mpq_clear(negc);
    }
    else
        r = cor_expr_unary(pool, COR_OP_SQRT, cor_loss_dist2_internal(pool, n, vars, c));
    return s ? cor_expr_scale(pool, s, r) : r;
}

cor_loss *
cor_loss_new_cone(size_t n, const mpq_t *c, const mpq_t s)
{
    cor_loss *L;

    if (check_dim(n, 1))
        return NULL;
    if (s && mpq_sgn(s) == 0)
    {
        COR_ERROR(COR_EINVAL, "the scale of a cone must be nonzero");
        return NULL;
    }
    L = cor_loss_new_internal(s && mpq_sgn(s) < 0 ? "ccone" : "cone");
    if (!L)
        return NULL;
    if (cor_loss_make_vars_internal(L, n, "x"))
        return cor_loss_fail_internal(L);
    if (cor_loss_set_root_internal(L, scaled_norm(L->pool, n, L->vars, c, s)))
        return cor_loss_fail_internal(L);
    if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                       "Hg = 0 everywhere except at the apex theta = c, since "
                                       "|grad L| = |s| is constant (Examples 2.3, 2.4)"))
        return cor_loss_fail_internal(L);
    return L;
}

cor_loss *
cor_loss_new_ring(size_t n, const mpq_t *c, const mpq_t R, const mpq_t s)
{
    cor_loss *L;
    cor_node r;
    mpq_t negR;

    if (check_dim(n, 2))
        return NULL;
    if ((s && mpq_sgn(s) == 0) || (R && mpq_sgn(R) <= 0))
    {
        COR_ERROR(COR_EINVAL, "a ring needs a radius R > 0 and a nonzero scale");
        return NULL;
    }
    L = cor_loss_new_internal("ring");
    if (!L)
        return NULL;
    if (cor_loss_make_vars_internal(L, n, "x"))
        return cor_loss_fail_internal(L);
    mpq_init(negR);
    if (R)
        mpq_neg(negR, R);
    else
        mpq_set_si(negR, -1, 1);
    r = scaled_norm(L->pool, n, L->vars, c, NULL);
    r = cor_expr_unary(L->pool, COR_OP_ABS, cor_expr_sum(L->pool, 1, &r, NULL, negR));
    if (s)
        r = cor_expr_scale(L->pool, s, r);
    mpq_clear(negR);
    if (cor_loss_set_root_internal(L, r))
        return cor_loss_fail_internal(L);
    if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                       "Hg = 0 everywhere except on the sphere |theta - c| = R "
                                       "and at the centre: |grad L| = |s| (a distance to a "
                                       "sphere)"))
        return cor_loss_fail_internal(L);
    return L;
}

cor_loss *
cor_loss_new_ruled(size_t n, size_t k, const mpq_t *a_tail)
{
    cor_loss *L;
    cor_node cone, lin;
    mpq_t *a = NULL;
    size_t i;

    if (check_dim(n, 1))
        return NULL;
    if (k < 1 || k > n)
    {
        COR_ERROR(COR_EINVAL, "ruled corridor: need 1 <= k <= n, got k = %zu, n = %zu", k, n);
        return NULL;
    }
    L = cor_loss_new_internal("ruled");
    if (!L)
        return NULL;
    if (cor_loss_make_vars_internal(L, n, "x"))
        return cor_loss_fail_internal(L);
    cone = scaled_norm(L->pool, k, L->vars, NULL, NULL);
    if (k < n)
    {
        a = cor_qvec_alloc_internal(n - k);
        if (!a)
            return cor_loss_fail_internal(L);
        for (i = 0; i < n - k; i++)
        {
            if (a_tail)
                mpq_set(a[i], a_tail[i]);
            else
                mpq_set_ui(a[i], 1, 1);
        }
        lin = cor_expr_sum(L->pool, n - k, L->vars + k, (const mpq_t *)a, NULL);
        cone = cor_expr_add(L->pool, cone, lin);
        cor_qvec_free_internal(a, n - k);
    }
    if (cor_loss_set_root_internal(L, cone))
        return cor_loss_fail_internal(L);
    if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                       "Hg = 0 everywhere except on the subspace x1 = .. = "
                                       "x%zu = 0: |grad L|^2 = 1 + |a|^2 is constant (P1)", k))
        return cor_loss_fail_internal(L);
    return L;
}

/* ---- exact symmetric-matrix helpers ---------------------------------------------------- */

int
cor_loss_is_symmetric_internal(size_t n, const mpq_t *S)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (!mpq_equal(S[i * n + j], S[j * n + i]))
                return 0;
    return 1;
}

/* Nonzero when the symmetric matrix S is positive definite: Gaussian elimination without
 * pivoting succeeds with positive pivots iff all leading principal minors are positive
 * (Sylvester's criterion), done exactly in rationals. */
static int
is_posdef(size_t n, const mpq_t *S)
{
    mpq_t *W = cor_qvec_alloc_internal(n * n);
    mpq_t f, t;
    size_t i, j, k;
    int ok = 1;

    if (!W)
        return -1;
    mpq_init(f);
    mpq_init(t);
    for (i = 0; i < n * n; i++)
        mpq_set(W[i], S[i]);
    for (k = 0; k < n && ok; k++)
    {
        if (mpq_sgn(W[k * n + k]) <= 0)
        {
            ok = 0;
            break;
        }
        for (i = k + 1; i < n; i++)
        {
            mpq_div(f, W[i * n + k], W[k * n + k]);
            for (j = k; j < n; j++)
            {
                mpq_mul(t, f, W[k * n + j]);
                mpq_sub(W[i * n + j], W[i * n + j], t);
            }
        }
    }
    mpq_clear(f);
    mpq_clear(t);
    cor_qvec_free_internal(W, n * n);
    return ok;
}

/* theta^T S theta as one sum: S_ii x_i^2 + 2 S_ij x_i x_j (i < j), optionally times 1/2. */
cor_node
cor_loss_quadratic_form_internal(cor_expr_pool *pool, size_t n, const cor_node *vars,
                                 const mpq_t *S, int half)
{
    size_t nt = 0, i, j, cap = n * (n + 1) / 2;
    cor_node *x = cor_mallocarray(cap ? cap : 1, sizeof *x);
    mpq_t *c = cor_qvec_alloc_internal(cap);
    cor_node r = COR_NODE_NONE;

    if (!x || !c)
        goto cleanup;
    for (i = 0; i < n; i++)
    {
        for (j = i; j < n; j++)
        {
            const mpq_t *e = &S[i * n + j];
            if (mpq_sgn(*e) == 0)
                continue;
            if (i == j)
            {
                x[nt] = cor_expr_powi(pool, vars[i], 2);
                mpq_set(c[nt], *e);
                if (half)
                    mpq_div_2exp(c[nt], c[nt], 1);
            }
            else
            {
                x[nt] = cor_expr_mul(pool, vars[i], vars[j]);
                mpq_set(c[nt], *e);
                if (!half)
                    mpq_mul_2exp(c[nt], c[nt], 1);
            }
            if (x[nt] == COR_NODE_NONE)
                goto cleanup;
            nt++;
        }
    }
    r = cor_expr_sum(pool, nt, x, (const mpq_t *)c, NULL);

cleanup:
    cor_free(x);
    cor_qvec_free_internal(c, cap);
    return r;
}

cor_loss *
cor_loss_new_acone(size_t n, const mpq_t *S)
{
    cor_loss *L = NULL;
    mpq_t *D = NULL;
    cor_node root;
    size_t i, j;
    int pd, scalar = 1;

    if (check_dim(n, 1) || n > 4096)
    {
        if (n > 4096)
            COR_ERROR(COR_EINVAL, "dimension %zu too large for a dense matrix", n);
        return NULL;
    }
    if (!S)
    {
        D = cor_qvec_alloc_internal(n * n);
        if (!D)
            return NULL;
        for (i = 0; i < n; i++)
            mpq_set_ui(D[i * n + i], i % 2 ? 9 : 1, 1);
        S = (const mpq_t *)D;
    }
    if (!cor_loss_is_symmetric_internal(n, S))
    {
        COR_ERROR(COR_EINVAL, "anisotropic cone: S is not symmetric");
        goto fail;
    }
    pd = is_posdef(n, S);
    if (pd < 0)
        goto fail;
    if (!pd)
    {
        COR_ERROR(COR_EINVAL, "anisotropic cone: S is not positive definite");
        goto fail;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            scalar &= i == j ? mpq_equal(S[i * n + j], S[0]) : mpq_sgn(S[i * n + j]) == 0;
    L = cor_loss_new_internal("acone");
    if (!L)
        goto fail;
    if (cor_loss_make_vars_internal(L, n, "x"))
        goto fail;
    root = cor_loss_quadratic_form_internal(L->pool, n, L->vars, S, 0);
    if (cor_loss_set_root_internal(L, cor_expr_unary(L->pool, COR_OP_SQRT, root)))
        goto fail;
    if (scalar && cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                                 "S is a multiple of I, so this is a scaled "
                                                 "cone: Hg = 0 except at the apex"))
        goto fail;
    if (!scalar && cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE,
                                                  "Hg vanishes only on the rays along the "
                                                  "eigenvectors of S (P1): not a corridor"))
        goto fail;
    cor_qvec_free_internal(D, n * n);
    return L;

fail:
    cor_qvec_free_internal(D, n * n);
    cor_loss_free(L);
    return NULL;
}

/* ---- glued surface ---------------------------------------------------------------------- */

/* Reads item values k0..k0+cnt-1 into q (missing optional ones keep their preset value). */
static int
item_values(mpq_t *q, const cor_loss_item *it, size_t need, size_t max)
{
    size_t k;

    if (it->nvals < need || it->nvals > max)
        return COR_ERROR(COR_EBADLEN, "column %zu: '%s' takes %zu to %zu numbers, got %zu",
                         it->col, it->key, need, max, it->nvals);
    for (k = 0; k < it->nvals; k++)
    {
        int st = cor_loss_item_q_internal(q[k], it, k);
        if (st)
            return st;
    }
    return COR_OK;
}

/* One glued piece in x, y from its item; *is_floor tells floors from min-pieces. */
static int
glued_piece(cor_node *out, int *is_floor, cor_expr_pool *pool, const cor_node *xy,
            const cor_loss_item *it)
{
    mpq_t q[6];
    cor_node r = COR_NODE_NONE;
    size_t i;
    int st;

    for (i = 0; i < 6; i++)
        mpq_init(q[i]);
    *is_floor = 0;
    if (!strcmp(it->key, "cone") || !strcmp(it->key, "ring"))
    {
        int ring = it->key[0] == 'r';
        size_t base = ring ? 3 : 2;
        mpq_set_ui(q[base], 1, 1); /* s */
        st = item_values(q, it, base, base + 2);
        if (st)
            goto done;
        if (ring && mpq_sgn(q[2]) <= 0)
        {
            st = COR_ERROR(COR_EINVAL, "column %zu: a ring needs a radius > 0", it->col);
            goto done;
        }
        r = scaled_norm(pool, 2, xy, (const mpq_t *)q, NULL);
        if (ring)
        {
            mpq_t negR;
            mpq_init(negR);
            mpq_neg(negR, q[2]);
            r = cor_expr_unary(pool, COR_OP_ABS, cor_expr_sum(pool, 1, &r, NULL, negR));
            mpq_clear(negR);
        }
        /* s r + b */
        r = cor_expr_sum(pool, 1, &r, (const mpq_t *)&q[base], q[base + 1]);
    }
    else if (!strcmp(it->key, "ruled"))
    {
        /* s |nx x + ny y - d| + b + t (ny x - nx y) */
        mpq_t c2[2], negd;
        cor_node lin;
        mpq_set_ui(q[3], 1, 1);
        st = item_values(q, it, 3, 6);
        if (st)
            goto done;
        if (mpq_sgn(q[0]) == 0 && mpq_sgn(q[1]) == 0)
        {
            st = COR_ERROR(COR_EINVAL, "column %zu: a ruled piece needs a normal n != 0",
                           it->col);
            goto done;
        }
        mpq_init(c2[0]);
        mpq_init(c2[1]);
        mpq_init(negd);
        mpq_neg(negd, q[2]);
        lin = cor_expr_sum(pool, 2, xy, (const mpq_t *)q, negd);
        r = cor_expr_unary(pool, COR_OP_ABS, lin);
        mpq_mul(c2[0], q[5], q[1]);
        mpq_mul(c2[1], q[5], q[0]);
        mpq_neg(c2[1], c2[1]);
        {
            cor_node xs[3] = {r, xy[0], xy[1]};
            mpq_t cs[3];
            mpq_init(cs[0]);
            mpq_init(cs[1]);
            mpq_init(cs[2]);
            mpq_set(cs[0], q[3]);
            mpq_set(cs[1], c2[0]);
            mpq_set(cs[2], c2[1]);
            r = cor_expr_sum(pool, 3, xs, (const mpq_t *)cs, q[4]);
            mpq_clear(cs[0]);
            mpq_clear(cs[1]);
            mpq_clear(cs[2]);
        }
        mpq_clear(c2[0]);
        mpq_clear(c2[1]);
        mpq_clear(negd);
    }
    else if (!strcmp(it->key, "plane") || !strcmp(it->key, "floor"))
    {
        *is_floor = it->key[0] == 'f';
        st = item_values(q, it, 2, 3);
        if (st)
            goto done;
        r = cor_expr_sum(pool, 2, xy, (const mpq_t *)q, q[2]);
    }
    else
    {
        st = COR_ERROR(COR_EINVAL, "column %zu: unknown glued piece '%s' (cone, ring, ruled, "
                       "plane, floor)", it->col, it->key);
        goto done;
    }
    st = r == COR_NODE_NONE ? cor_last_error()->code : COR_OK;
    *out = r;

done:
    for (i = 0; i < 6; i++)
        mpq_clear(q[i]);
    return st;
}

cor_loss *
cor_loss_glued_items_internal(cor_loss_items *items)
{
    cor_loss *L = cor_loss_new_internal("glued");
    cor_node acc = COR_NODE_NONE, fl = COR_NODE_NONE;
    size_t i;

    if (!L)
        return NULL;
    if (cor_loss_add_var_internal(L, "x") || cor_loss_add_var_internal(L, "y"))
        return cor_loss_fail_internal(L);
    for (i = 0; i < items->n; i++)
    {
        cor_node p;
        int is_floor;
        if (glued_piece(&p, &is_floor, L->pool, L->vars, &items->items[i]))
            return cor_loss_fail_internal(L);
        items->items[i].used = 1;
        if (is_floor)
            fl = fl == COR_NODE_NONE ? p : cor_expr_binary(L->pool, COR_OP_MAX, fl, p);
        else
            acc = acc == COR_NODE_NONE ? p : cor_expr_binary(L->pool, COR_OP_MIN, acc, p);
    }
    if (acc == COR_NODE_NONE)
    {
        COR_ERROR(COR_EINVAL, "a glued surface needs at least one cone, ring, ruled or plane "
                  "piece");
        return cor_loss_fail_internal(L);
    }
    if (fl != COR_NODE_NONE)
        acc = cor_expr_binary(L->pool, COR_OP_MAX, fl, acc);
    if (cor_loss_set_root_internal(L, acc))
        return cor_loss_fail_internal(L);
    if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                       "Hg = 0 off the gluing lines (where two pieces tie) and "
                                       "the pieces' own kinks (apexes, ring circles, valley "
                                       "lines): each piece has |grad L| constant"))
        return cor_loss_fail_internal(L);
    return L;
}

cor_loss *
cor_loss_new_glued(const char *pieces)
{
    cor_loss_items items;
    cor_loss *L;

    if (!pieces || !*pieces)
        pieces = COR_LOSS_GLUED_DEFAULT;
    if (cor_loss_items_parse_internal(&items, pieces, 1))
        return NULL;
    L = cor_loss_glued_items_internal(&items);
    cor_loss_items_clear_internal(&items);
    return L;
}
