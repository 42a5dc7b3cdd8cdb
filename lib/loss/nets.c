/* nets.c -- scalar and deep linear networks, matrix factorisation and completion.
 *
 * These are the settings of P13 (critical step size of linear networks) and P14
 * (conservation of U'U - V'V and of W_{k+1}'W_{k+1} - W_k W_k' under the gradient flow).
 * Products of matrices are expanded entry by entry with the builders; hash-consing shares
 * the partial products, so the DAG of W_N..W_1 has O(N d^3) nodes for widths d.
 */
#include <stdio.h>

#include "cor_sys.h"
#include "loss_impl.h"

#define MAX_ENTRIES 100000u

static const char *const not_corridor_net =
    "not a corridor: |grad L| varies along the flow (Hg = 0 only on a null set)";

cor_loss *
cor_loss_new_scalarnet(size_t depth, const mpq_t y)
{
    cor_loss *L;
    cor_node p;
    mpq_t negy, half;
    size_t i;

    if (depth < 1 || depth > 10000)
    {
        COR_ERROR(COR_EINVAL, "scalar network: depth %zu out of range 1..10000", depth);
        return NULL;
    }
    L = cor_loss_new_internal("scalarnet");
    if (!L)
        return NULL;
    if (cor_loss_make_vars_internal(L, depth, "w"))
        return cor_loss_fail_internal(L);
    p = L->vars[0];
    for (i = 1; i < depth; i++)
        p = cor_expr_mul(L->pool, p, L->vars[i]);
    mpq_init(negy);
    mpq_init(half);
    if (y)
        mpq_neg(negy, y);
    else
        mpq_set_si(negy, -1, 1);
    mpq_set_ui(half, 1, 2);
    p = cor_expr_powi(L->pool, cor_expr_sum(L->pool, 1, &p, NULL, negy), 2);
    p = cor_expr_scale(L->pool, half, p);
    mpq_clear(negy);
    mpq_clear(half);
    if (cor_loss_set_root_internal(L, p) ||
        cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE, "%s", not_corridor_net))
        return cor_loss_fail_internal(L);
    return L;
}

/* (1/2) sum_{i<cnt} (e[i] - t[i])^2 over entries with keep[i] (keep NULL: all). */
static cor_node
half_sq_residuals(cor_expr_pool *pool, size_t cnt, const cor_node *e, const mpq_t *t,
                  const unsigned char *keep)
{
    cor_node *sq = cor_mallocarray(cnt ? cnt : 1, sizeof *sq);
    cor_node r = COR_NODE_NONE;
    mpq_t neg, half;
    size_t i, k = 0;

    if (!sq)
        return COR_NODE_NONE;
    mpq_init(neg);
    mpq_init(half);
    mpq_set_ui(half, 1, 2);
    for (i = 0; i < cnt; i++)
    {
        if (keep && !keep[i])
            continue;
        mpq_neg(neg, t[i]);
        sq[k] = cor_expr_powi(pool, cor_expr_sum(pool, 1, &e[i], NULL, neg), 2);
        if (sq[k] == COR_NODE_NONE)
            goto cleanup;
        k++;
    }
    r = cor_expr_sum(pool, k, sq, NULL, NULL);
    r = cor_expr_scale(pool, half, r);

cleanup:
    mpq_clear(neg);
    mpq_clear(half);
    cor_free(sq);
    return r;
}

/* C (r x c) = A (r x k) B (k x c), entries as n-ary sums of products. */
static int
matmul(cor_node *C, cor_expr_pool *pool, const cor_node *A, const cor_node *B, size_t r,
       size_t k, size_t c)
{
    cor_node *t = cor_mallocarray(k, sizeof *t);
    size_t i, j, l;

    if (!t)
        return COR_ENOMEM;
    for (i = 0; i < r; i++)
    {
        for (j = 0; j < c; j++)
        {
            for (l = 0; l < k; l++)
                t[l] = cor_expr_mul(pool, A[i * k + l], B[l * c + j]);
            C[i * c + j] = k == 1 ? t[0] : cor_expr_sum(pool, k, t, NULL, NULL);
            if (C[i * c + j] == COR_NODE_NONE)
            {
                cor_free(t);
                return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
            }
        }
    }
    cor_free(t);
    return COR_OK;
}

cor_loss *
cor_loss_new_deeplinear(size_t nlayers, const size_t *dims, const mpq_t *T)
{
    cor_loss *L = NULL;
    cor_node *P = NULL, *Q = NULL;
    mpq_t *D = NULL;
    size_t k, i, j, total = 0, d0, dN;
    char name[64];

    if (nlayers < 1 || !dims)
    {
        COR_ERROR(COR_EINVAL, "deep linear network: at least one layer is needed");
        return NULL;
    }
    for (k = 0; k <= nlayers; k++)
    {
        if (dims[k] < 1 || dims[k] > 1000)
        {
            COR_ERROR(COR_EINVAL, "deep linear network: width d_%zu = %zu out of range "
                      "1..1000", k, dims[k]);
            return NULL;
        }
        if (k > 0)
            total += dims[k] * dims[k - 1];
    }
    if (total > MAX_ENTRIES)
    {
        COR_ERROR(COR_ERANGE, "deep linear network: %zu parameters is too many", total);
        return NULL;
    }
    d0 = dims[0];
    dN = dims[nlayers];
    L = cor_loss_new_internal("deeplinear");
    if (!L)
        return NULL;
    for (k = 1; k <= nlayers; k++)
    {
        for (i = 0; i < dims[k]; i++)
        {
            for (j = 0; j < dims[k - 1]; j++)
            {
                snprintf(name, sizeof name, "w%zu_%zu_%zu", k, i + 1, j + 1);
                if (cor_loss_add_var_internal(L, name))
                    goto fail;
            }
        }
    }
    if (!T)
    {
        D = cor_qvec_alloc_internal(dN * d0);
        if (!D)
            goto fail;
        for (i = 0; i < dN && i < d0; i++)
            mpq_set_ui(D[i * d0 + i], 1, 1);
        T = (const mpq_t *)D;
    }
    /* P = W_k .. W_1, a d_k x d_0 matrix, starting with W_1 (the first variables). */
    {
        size_t maxd = 0, off = dims[1] * d0;
        for (k = 0; k <= nlayers; k++)
            maxd = dims[k] > maxd ? dims[k] : maxd;
        P = cor_mallocarray(maxd * d0, sizeof *P);
        Q = cor_mallocarray(maxd * d0, sizeof *Q);
        if (!P || !Q)
            goto fail;
        for (i = 0; i < dims[1] * d0; i++)
            P[i] = L->vars[i];
        for (k = 2; k <= nlayers; k++)
        {
            cor_node *swap;
            if (matmul(Q, L->pool, L->vars + off, P, dims[k], dims[k - 1], d0))
                goto fail;
            off += dims[k] * dims[k - 1];
            swap = P;
            P = Q;
            Q = swap;
        }
    }
    if (cor_loss_set_root_internal(L, half_sq_residuals(L->pool, dN * d0, P, T, NULL)) ||
        cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE, "%s", not_corridor_net))
        goto fail;
    cor_free(P);
    cor_free(Q);
    cor_qvec_free_internal(D, dN * d0);
    return L;

fail:
    cor_free(P);
    cor_free(Q);
    cor_qvec_free_internal(D, dN * d0);
    return cor_loss_fail_internal(L);
}

cor_loss *
cor_loss_new_matfact(size_t m, size_t n, size_t r, const mpq_t *M, const unsigned char *mask)
{
    cor_loss *L = NULL;
    cor_node *W = NULL, *Vt = NULL;
    mpq_t *D = NULL;
    size_t i, j, k;
    int full = 1;
    char name[64];

    if (m < 1 || n < 1 || r < 1 || m > 1000 || n > 1000 || r > 1000 ||
        (m + n) * r > MAX_ENTRIES || m * n > MAX_ENTRIES)
    {
        COR_ERROR(COR_EINVAL, "matrix factorisation: sizes m = %zu, n = %zu, r = %zu out of "
                  "range", m, n, r);
        return NULL;
    }
    if (mask)
    {
        size_t seen = 0;
        for (i = 0; i < m * n; i++)
            seen += mask[i] != 0;
        full = seen == m * n;
        if (!seen)
        {
            COR_ERROR(COR_EINVAL, "matrix completion: the mask observes no entry");
            return NULL;
        }
    }
    L = cor_loss_new_internal(full ? "matfact" : "matcomp");
    if (!L)
        return NULL;
    for (i = 0; i < m; i++)
    {
        for (k = 0; k < r; k++)
        {
            snprintf(name, sizeof name, "u%zu_%zu", i + 1, k + 1);
            if (cor_loss_add_var_internal(L, name))
                goto fail;
        }
    }
    for (j = 0; j < n; j++)
    {
        for (k = 0; k < r; k++)
        {
            snprintf(name, sizeof name, "v%zu_%zu", j + 1, k + 1);
            if (cor_loss_add_var_internal(L, name))
                goto fail;
        }
    }
    if (!M)
    {
        D = cor_qvec_alloc_internal(m * n);
        if (!D)
            goto fail;
        for (i = 0; i < m; i++)
            for (j = 0; j < n; j++)
                mpq_set_ui(D[i * n + j], (unsigned long)(i + j + 2), 1);
        M = (const mpq_t *)D;
    }
    W = cor_mallocarray(m * n, sizeof *W);
    Vt = cor_mallocarray(r * n, sizeof *Vt);
    if (!W || !Vt)
        goto fail;
    for (k = 0; k < r; k++)
        for (j = 0; j < n; j++)
            Vt[k * n + j] = L->vars[m * r + j * r + k];
    if (matmul(W, L->pool, L->vars, Vt, m, r, n))
        goto fail;
    if (cor_loss_set_root_internal(L, half_sq_residuals(L->pool, m * n, W, M, full ? NULL : mask))
        || cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE, "%s", not_corridor_net))
        goto fail;
    cor_free(W);
    cor_free(Vt);
    cor_qvec_free_internal(D, m * n);
    return L;

fail:
    cor_free(W);
    cor_free(Vt);
    cor_qvec_free_internal(D, m * n);
    return cor_loss_fail_internal(L);
}
