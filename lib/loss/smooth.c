/* smooth.c -- quadratics (with their exact corridor classification) and Rosenbrock. */
#include "cor_sys.h"
#include "loss_impl.h"

/* Rank of the r x c rational matrix M (row-major), by exact Gaussian elimination with
 * row pivoting on the first nonzero entry. -1 on COR_ENOMEM. */
static long
rank_q(size_t r, size_t c, const mpq_t *M)
{
    mpq_t *W = cor_qvec_alloc_internal(r * c);
    mpq_t f, t;
    size_t row = 0, col, i, j;

    if (!W)
        return -1;
    mpq_init(f);
    mpq_init(t);
    for (i = 0; i < r * c; i++)
        mpq_set(W[i], M[i]);
    for (col = 0; col < c && row < r; col++)
    {
        size_t piv = row;
        while (piv < r && mpq_sgn(W[piv * c + col]) == 0)
            piv++;
        if (piv == r)
            continue;
        if (piv != row)
            for (j = 0; j < c; j++)
                mpq_swap(W[piv * c + j], W[row * c + j]);
        for (i = row + 1; i < r; i++)
        {
            if (mpq_sgn(W[i * c + col]) == 0)
                continue;
            mpq_div(f, W[i * c + col], W[row * c + col]);
            for (j = col; j < c; j++)
            {
                mpq_mul(t, f, W[row * c + j]);
                mpq_sub(W[i * c + j], W[i * c + j], t);
            }
        }
        row++;
    }
    mpq_clear(f);
    mpq_clear(t);
    cor_qvec_free_internal(W, r * c);
    return (long)row;
}

/* Corridor status of (1/2) t'At + b't + c (P10): Hg = A(At + b).
 *  A = 0: the loss is linear, H = 0 (everywhere, unless b = 0 too: constant, none).
 *  A invertible: Hg = 0 iff g = 0, only at the critical point (none).
 *  A singular, A != 0: Hg = 0 on {A^2 t = -Ab} = {At = -b_R} (A symmetric), an affine
 *  subspace of dimension dim ker A on which g = b_K. If b is in range(A) (rank [A|b] =
 *  rank A), b_K = 0 and that set is made of critical points (none); otherwise g = b_K != 0
 *  there: a lower-dimensional corridor (partial). */
static int
classify_quadratic(cor_loss *L, size_t n, const mpq_t *A, const mpq_t *b)
{
    mpq_t *Ab = cor_qvec_alloc_internal(n * (n + 1));
    long rA, rAb;
    size_t i, j;
    int bzero = 1, st;

    if (!Ab)
        return COR_ENOMEM;
    for (i = 0; i < n; i++)
    {
        for (j = 0; j < n; j++)
            mpq_set(Ab[i * (n + 1) + j], A[i * n + j]);
        if (b)
            mpq_set(Ab[i * (n + 1) + n], b[i]);
        bzero &= !b || mpq_sgn(b[i]) == 0;
    }
    rA = rank_q(n, n, A);
    rAb = rank_q(n, n + 1, (const mpq_t *)Ab);
    cor_qvec_free_internal(Ab, n * (n + 1));
    if (rA < 0 || rAb < 0)
        return COR_ENOMEM;
    if (rA == 0)
        st = bzero ? cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE,
                                                    "A = 0 and b = 0: the loss is constant")
                   : cor_loss_set_corridor_internal(L, COR_CORRIDOR_EVERYWHERE,
                                                    "A = 0: the loss is linear, H = 0");
    else if ((size_t)rA == n)
        st = cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE,
                                            "A is invertible: Hg = A(A theta + b) vanishes only "
                                            "at the critical point (App. C)");
    else if (rAb == rA)
        st = cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE,
                                            "A is singular with b in range(A): Hg = 0 only on "
                                            "the critical set {A theta = -b}");
    else
        st = cor_loss_set_corridor_internal(L, COR_CORRIDOR_PARTIAL,
                                            "A singular, b not in range(A): Hg = 0 exactly on "
                                            "the affine subspace {A theta = -b_R} of dimension "
                                            "%zu, where g = b_K != 0 (P10)", n - (size_t)rA);
    return st;
}

cor_loss *
cor_loss_new_quadratic(size_t n, const mpq_t *A, const mpq_t *b, const mpq_t c)
{
    cor_loss *L = NULL;
    mpq_t *D = NULL;
    cor_node terms[2], root;
    size_t i;

    if (n < 1 || n > 4096)
    {
        COR_ERROR(COR_EINVAL, "quadratic: dimension %zu out of range 1..4096", n);
        return NULL;
    }
    if (!A)
    {
        D = cor_qvec_alloc_internal(n * n);
        if (!D)
            return NULL;
        for (i = 0; i < n; i++)
            mpq_set_ui(D[i * n + i], i % 2 ? 10 : 1, 1);
        A = (const mpq_t *)D;
    }
    if (!cor_loss_is_symmetric_internal(n, A))
    {
        COR_ERROR(COR_EINVAL, "quadratic: A is not symmetric");
        goto fail;
    }
    L = cor_loss_new_internal("quad");
    if (!L || cor_loss_make_vars_internal(L, n, "x"))
        goto fail;
    terms[0] = cor_loss_quadratic_form_internal(L->pool, n, L->vars, A, 1);
    terms[1] = b ? cor_expr_sum(L->pool, n, L->vars, b, NULL) : cor_expr_const_si(L->pool, 0);
    root = cor_expr_sum(L->pool, 2, terms, NULL, c);
    if (cor_loss_set_root_internal(L, root) || classify_quadratic(L, n, A, b))
        goto fail;
    cor_qvec_free_internal(D, n * n);
    return L;

fail:
    cor_qvec_free_internal(D, n * n);
    cor_loss_free(L);
    return NULL;
}

cor_loss *
cor_loss_new_rosenbrock(size_t n, const mpq_t a, const mpq_t b, const mpq_t s)
{
    cor_loss *L;
    cor_node *t = NULL, root;
    mpq_t *c = NULL, nega;
    size_t i;

    if (n < 2 || n > 100000)
    {
        COR_ERROR(COR_EINVAL, "Rosenbrock: dimension %zu out of range (at least 2)", n);
        return NULL;
    }
    L = cor_loss_new_internal("rosenbrock");
    if (!L)
        return NULL;
    if (n == 2 ? (cor_loss_add_var_internal(L, "x") || cor_loss_add_var_internal(L, "y"))
               : cor_loss_make_vars_internal(L, n, "x"))
        return cor_loss_fail_internal(L);
    t = cor_mallocarray(2 * (n - 1), sizeof *t);
    c = cor_qvec_alloc_internal(2 * (n - 1));
    mpq_init(nega);
    if (!t || !c)
        goto fail;
    if (a)
        mpq_neg(nega, a);
    else
        mpq_set_si(nega, -1, 1);
    for (i = 0; i + 1 < n; i++)
    {
        /* (a - x_i)^2 = (x_i - a)^2 and (x_{i+1} - x_i^2)^2 */
        cor_node sq = cor_expr_powi(L->pool, L->vars[i], 2);
        t[2 * i] = cor_expr_powi(L->pool, cor_expr_sum(L->pool, 1, &L->vars[i], NULL, nega), 2);
        t[2 * i + 1] = cor_expr_powi(L->pool, cor_expr_sub(L->pool, L->vars[i + 1], sq), 2);
        if (s)
            mpq_set(c[2 * i], s);
        else
            mpq_set_ui(c[2 * i], 1, 1);
        if (b)
            mpq_mul(c[2 * i + 1], c[2 * i], b);
        else
        {
            mpq_set_ui(c[2 * i + 1], 100, 1);
            mpq_mul(c[2 * i + 1], c[2 * i + 1], c[2 * i]);
        }
    }
    root = cor_expr_sum(L->pool, 2 * (n - 1), t, (const mpq_t *)c, NULL);
    if (cor_loss_set_root_internal(L, root))
        goto fail;
    if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE,
                                       "not a corridor: Hg vanishes only on a null set (e.g. "
                                       "|Hg| = 1027.18 at (-1.2, 1) for a = 1, b = 10, "
                                       "s = 1/2)"))
        goto fail;
    cor_free(t);
    cor_qvec_free_internal(c, 2 * (n - 1));
    mpq_clear(nega);
    return L;

fail:
    cor_free(t);
    cor_qvec_free_internal(c, 2 * (n - 1));
    mpq_clear(nega);
    return cor_loss_fail_internal(L);
}
