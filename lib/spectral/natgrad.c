/* natgrad.c -- natural-gradient directions d = J^T (J J^T + mu I)^{-1} r, written once against
 * cor_vspace.h; an objective wrapper that lets every stepper use them; and a double-precision
 * pseudo-inverse with GSL for rank-deficient Jacobians.
 *
 * Why d is the natural gradient: with G = J^T J (Gauss-Newton = Fisher of a unit-variance
 * Gaussian likelihood on the k outputs of the metric) and grad L = J^T r, the minimum-norm
 * solution of G d = grad L is d = G^+ J^T r = J^+ r. If J (k x n) has rank k, then
 * J^+ = J^T (J J^T)^{-1}, and J d = r. The Gram matrix A = J J^T (+ mu I) is symmetric
 * positive definite then, and Cholesky A = L L^T without pivoting is backward stable
 * (Wilkinson); a pivot l_ii^2 <= k 2^-p max_j A_jj means A is singular to working precision
 * (J not onto), reported as COR_EDOM rather than returning a meaningless direction.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "cor_sys.h"
#include "spectral_impl.h"

enum
{
    N_T,
    N_U,
    N_MAXD,
    N_EPS,
    N_MU,
    N_ONE,
    N_MINPIV,
    NS
};

struct cor_natgrad
{
    const cor_vspace *V;
    size_t n, k;
    cor_jac_fn jac;
    void *ctx;
    cor_vec **rows; /* J's rows */
    cor_vec *g;     /* scratch: J^T r, grad L */
    cor_scalar **res; /* r, then z */
    cor_scalar **L;   /* k*k Gram matrix, overwritten by its Cholesky factor (lower) */
    cor_scalar *s[NS];
    double last_ratio;
};

void
cor_natgrad_free(cor_natgrad *w)
{
    size_t i;

    if (w == NULL)
        return;
    if (w->rows != NULL)
        for (i = 0; i < w->k; i++)
            cor_vec_free(w->rows[i]);
    cor_free(w->rows);
    if (w->res != NULL)
        for (i = 0; i < w->k; i++)
            cor_scalar_free(w->res[i]);
    cor_free(w->res);
    if (w->L != NULL)
        for (i = 0; i < w->k * w->k; i++)
            cor_scalar_free(w->L[i]);
    cor_free(w->L);
    cor_vec_free(w->g);
    for (i = 0; i < NS; i++)
        cor_scalar_free(w->s[i]);
    cor_free(w);
}

cor_natgrad *
cor_natgrad_alloc(const cor_vspace *V, size_t k, cor_jac_fn jac, void *ctx)
{
    cor_natgrad *w;
    size_t i;

    if (V == NULL || jac == NULL || k == 0 || k > 4096)
    {
        COR_ERROR(COR_EINVAL, "cor_natgrad_alloc: need a space, a Jacobian callback and "
                  "1 <= k <= 4096 outputs");
        return NULL;
    }
    w = cor_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->V = V;
    w->n = cor_vspace_dim(V);
    w->k = k;
    w->jac = jac;
    w->ctx = ctx;
    w->last_ratio = NAN;
    w->rows = cor_calloc(k, sizeof *w->rows);
    w->res = cor_calloc(k, sizeof *w->res);
    w->L = cor_calloc(k * k, sizeof *w->L);
    if (w->rows == NULL || w->res == NULL || w->L == NULL)
        goto fail;
    for (i = 0; i < k; i++)
        if ((w->rows[i] = cor_vec_alloc(V)) == NULL || (w->res[i] = cor_scalar_alloc(V)) == NULL)
            goto fail;
    for (i = 0; i < k * k; i++)
        if ((w->L[i] = cor_scalar_alloc(V)) == NULL)
            goto fail;
    if ((w->g = cor_vec_alloc(V)) == NULL)
        goto fail;
    for (i = 0; i < NS; i++)
        if ((w->s[i] = cor_scalar_alloc(V)) == NULL)
            goto fail;
    if (cor_spectral_pow2m_internal(w->s[N_EPS], (unsigned long)cor_vspace_prec(V), w->s[N_T],
                                    V) != COR_OK
        || cor_scalar_set_si(w->s[N_U], (long)k) != COR_OK
        || cor_scalar_mul(w->s[N_EPS], w->s[N_EPS], w->s[N_U], V) != COR_OK
        || cor_scalar_set_si(w->s[N_ONE], 1) != COR_OK)
    {
        COR_ERROR(COR_ESANITY, "cor_natgrad_alloc: constants");
        goto fail;
    }
    return w;

fail:
    cor_natgrad_free(w);
    return NULL;
}

int
cor_natgrad_set_damping(cor_natgrad *w, const char *text)
{
    int st;

    if (w == NULL || text == NULL)
        return COR_ERROR(COR_EINVAL, "cor_natgrad_set_damping: NULL argument");
    st = cor_scalar_set_str(w->s[N_T], text);
    if (st != COR_OK)
        return st == COR_NONFINITE ? COR_ERROR(COR_EINVAL, "damping '%s' is not finite", text)
                                   : st;
    if (cor_scalar_sgn(w->s[N_T]) < 0)
        return COR_ERROR(COR_EINVAL, "damping '%s' is negative", text);
    return cor_scalar_set(w->s[N_MU], w->s[N_T]);
}

double
cor_natgrad_last_pivot_ratio(const cor_natgrad *w)
{
    return w ? w->last_ratio : NAN;
}

/* Calls the Jacobian callback at x. */
static int
eval_jac(cor_natgrad *w, const cor_vec *x)
{
    int st = w->jac(w->rows, w->res, x, w->ctx);

    if (st != COR_OK)
        return st;
    return COR_OK;
}

int
cor_natgrad_direction(cor_natgrad *w, cor_vec *d, const cor_vec *x)
{
    const cor_vspace *V;
    cor_scalar *t, *u;
    size_t i, j, l, k;
    int st;

    if (w == NULL || d == NULL || x == NULL || d == x)
        return COR_ERROR(COR_EINVAL, "cor_natgrad_direction: NULL or aliased arguments");
    if (cor_vec_dim(d) != w->n || cor_vec_dim(x) != w->n)
        return COR_ERROR(COR_EINVAL, "cor_natgrad_direction: dimension mismatch");
    V = w->V;
    k = w->k;
    t = w->s[N_T];
    u = w->s[N_U];
    st = eval_jac(w, x);
    if (st != COR_OK)
        return st;
    /* Gram matrix (lower triangle) + mu I, and its largest diagonal */
    COR_SPEC_TRY(cor_scalar_set_si(w->s[N_MAXD], 0));
    for (i = 0; i < k; i++)
    {
        for (j = 0; j <= i; j++)
        {
            st = cor_vec_dot(w->L[i * k + j], w->rows[i], w->rows[j], V);
            if (st != COR_OK)
                return st;
        }
        COR_SPEC_TRY(cor_scalar_add(w->L[i * k + i], w->L[i * k + i], w->s[N_MU], V));
        if (cor_scalar_cmp(w->L[i * k + i], w->s[N_MAXD]) > 0)
            COR_SPEC_TRY(cor_scalar_set(w->s[N_MAXD], w->L[i * k + i]));
    }
    /* Cholesky, in place: L[i][j] for j <= i */
    COR_SPEC_TRY(cor_scalar_set(w->s[N_MINPIV], w->s[N_MAXD]));
    for (j = 0; j < k; j++)
    {
        COR_SPEC_TRY(cor_scalar_set(t, w->L[j * k + j]));
        for (l = 0; l < j; l++)
        {
            COR_SPEC_TRY(cor_scalar_mul(u, w->L[j * k + l], w->L[j * k + l], V));
            COR_SPEC_TRY(cor_scalar_sub(t, t, u, V));
        }
        if (cor_scalar_cmp(t, w->s[N_MINPIV]) < 0)
            COR_SPEC_TRY(cor_scalar_set(w->s[N_MINPIV], t));
        COR_SPEC_TRY(cor_scalar_mul(u, w->s[N_EPS], w->s[N_MAXD], V));
        if (cor_scalar_cmp(t, u) <= 0 || !cor_scalar_is_finite(t))
        {
            w->last_ratio = 0;
            COR_SPEC_TRY(cor_vec_zero(d, V));
            return COR_ERROR(COR_EDOM, "natural gradient: the Gram matrix J J^T is singular "
                             "to working precision (pivot %zu of %zu): the Jacobian is not "
                             "onto; use damping or the pseudo-inverse", j + 1, k);
        }
        COR_SPEC_TRY(cor_scalar_sqrt(w->L[j * k + j], t, V));
        for (i = j + 1; i < k; i++)
        {
            COR_SPEC_TRY(cor_scalar_set(t, w->L[i * k + j]));
            for (l = 0; l < j; l++)
            {
                COR_SPEC_TRY(cor_scalar_mul(u, w->L[i * k + l], w->L[j * k + l], V));
                COR_SPEC_TRY(cor_scalar_sub(t, t, u, V));
            }
            COR_SPEC_TRY(cor_scalar_div(w->L[i * k + j], t, w->L[j * k + j], V));
        }
    }
    COR_SPEC_TRY(cor_scalar_div(t, w->s[N_MINPIV], w->s[N_MAXD], V));
    w->last_ratio = cor_scalar_get_d(t);
    /* forward: L v = r; backward: L^T z = v (in res) */
    for (i = 0; i < k; i++)
    {
        for (l = 0; l < i; l++)
        {
            COR_SPEC_TRY(cor_scalar_mul(u, w->L[i * k + l], w->res[l], V));
            COR_SPEC_TRY(cor_scalar_sub(w->res[i], w->res[i], u, V));
        }
        COR_SPEC_TRY(cor_scalar_div(w->res[i], w->res[i], w->L[i * k + i], V));
    }
    for (i = k; i-- > 0;)
    {
        for (l = i + 1; l < k; l++)
        {
            COR_SPEC_TRY(cor_scalar_mul(u, w->L[l * k + i], w->res[l], V));
            COR_SPEC_TRY(cor_scalar_sub(w->res[i], w->res[i], u, V));
        }
        COR_SPEC_TRY(cor_scalar_div(w->res[i], w->res[i], w->L[i * k + i], V));
    }
    /* d = J^T z */
    COR_SPEC_TRY(cor_vec_lincomb(d, k, (const cor_scalar *const *)w->res,
                                 (const cor_vec *const *)w->rows, V));
    return cor_vec_all_finite(d, V) ? COR_OK : COR_NONFINITE;
}

int
cor_natgrad_consistency(cor_natgrad *w, cor_scalar *err, const cor_objective *obj,
                        const cor_vec *x)
{
    const cor_vspace *V;
    cor_vec *jr;
    int st;

    if (w == NULL || err == NULL || obj == NULL || x == NULL)
        return COR_ERROR(COR_EINVAL, "cor_natgrad_consistency: NULL argument");
    V = w->V;
    st = eval_jac(w, x);
    if (st != COR_OK)
        return st;
    jr = w->g;
    /* g = J^T r */
    COR_SPEC_TRY(cor_vec_lincomb(jr, w->k, (const cor_scalar *const *)w->res,
                                 (const cor_vec *const *)w->rows, V));
    /* rows[0] is free to reuse now: grad L into it */
    st = cor_objective_grad(obj, w->rows[0], x);
    if (st != COR_OK)
        return st;
    COR_SPEC_TRY(cor_vec_nrm2(w->s[N_U], w->rows[0], V));
    COR_SPEC_TRY(cor_scalar_neg(w->s[N_T], w->s[N_ONE], V));
    COR_SPEC_TRY(cor_vec_axpby(jr, w->s[N_ONE], jr, w->s[N_T], w->rows[0], V));
    COR_SPEC_TRY(cor_vec_nrm2(err, jr, V));
    if (cor_scalar_sgn(w->s[N_U]) > 0)
        COR_SPEC_TRY(cor_scalar_div(err, err, w->s[N_U], V));
    return COR_OK;
}

/* ---- objective wrapper ------------------------------------------------------------------ */

typedef struct
{
    cor_natgrad *w;
    const cor_objective *base;
} ng_obj;

static int
ng_value(cor_scalar *L, const cor_vec *x, void *params)
{
    ng_obj *p = params;

    return cor_objective_value(p->base, L, x);
}

static int
ng_grad(cor_vec *g, const cor_vec *x, void *params)
{
    ng_obj *p = params;

    return cor_natgrad_direction(p->w, g, x);
}

static int
ng_value_grad(cor_scalar *L, cor_vec *g, const cor_vec *x, void *params)
{
    ng_obj *p = params;
    int st = L != NULL ? cor_objective_value(p->base, L, x) : COR_OK;

    if (st != COR_OK && st != COR_NONFINITE)
        return st;
    if (g != NULL)
    {
        int st2 = cor_natgrad_direction(p->w, g, x);

        if (st2 != COR_OK)
            return st2;
    }
    return st;
}

static void
ng_free(void *params)
{
    cor_free(params);
}

cor_objective *
cor_natgrad_objective_alloc(cor_natgrad *w, const cor_objective *obj)
{
    cor_objective *o;
    ng_obj *p;

    if (w == NULL || obj == NULL || obj->n != w->n || !cor_objective_has(obj, COR_OBJ_VALUE)
        || cor_vspace_kind(obj->V) != cor_vspace_kind(w->V)
        || cor_vspace_prec(obj->V) != cor_vspace_prec(w->V))
    {
        COR_ERROR(COR_EINVAL, "cor_natgrad_objective_alloc: the workspace and the objective "
                  "must share a space, and the objective needs a value");
        return NULL;
    }
    o = cor_calloc(1, sizeof *o);
    p = cor_calloc(1, sizeof *p);
    if (o == NULL || p == NULL)
    {
        cor_free(o);
        cor_free(p);
        return NULL;
    }
    p->w = w;
    p->base = obj;
    o->V = obj->V;
    o->n = obj->n;
    o->flags = COR_OBJ_VALUE | COR_OBJ_GRAD | COR_OBJ_VALUE_GRAD;
    o->value = ng_value;
    o->grad = ng_grad;
    o->value_grad = ng_value_grad;
    o->free_params = ng_free;
    o->params = p;
    return o;
}

/* ---- double pseudo-inverse (GSL) -------------------------------------------------------- */

int
cor_natgrad_pinv_d(double *d, const double *J, const double *r, size_t k, size_t n,
                   double rcond, size_t *rank)
{
    gsl_matrix *A = NULL, *Vm = NULL;
    gsl_vector *S = NULL, *c = NULL;
    size_t i, j, m, q, kept = 0;
    int st = COR_OK;
    double smax;
    gsl_error_handler_t *old;

    if (d == NULL || J == NULL || r == NULL || k == 0 || n == 0)
        return COR_ERROR(COR_EINVAL, "cor_natgrad_pinv_d: NULL argument or empty matrix");
    if (!(rcond > 0))
        rcond = 1e-12;
    /* A = J^T (n x k) if n >= k, else J (k x n): GSL's SVD needs rows >= columns */
    m = n >= k ? n : k;
    q = n >= k ? k : n;
    A = gsl_matrix_alloc(m, q);
    Vm = gsl_matrix_alloc(q, q);
    S = gsl_vector_alloc(q);
    c = gsl_vector_alloc(q);
    if (!A || !Vm || !S || !c)
    {
        st = COR_ERROR(COR_ENOMEM, "cor_natgrad_pinv_d: out of memory");
        goto cleanup;
    }
    for (i = 0; i < k; i++)
        for (j = 0; j < n; j++)
        {
            if (!isfinite(J[i * n + j]))
            {
                st = COR_NONFINITE;
                goto cleanup;
            }
            if (n >= k)
                gsl_matrix_set(A, j, i, J[i * n + j]);
            else
                gsl_matrix_set(A, i, j, J[i * n + j]);
        }
    old = gsl_set_error_handler_off();
    i = (size_t)gsl_linalg_SV_decomp_jacobi(A, Vm, S);
    gsl_set_error_handler(old);
    if (i != 0)
    {
        st = COR_ERROR(COR_EDOM, "cor_natgrad_pinv_d: SVD failed");
        goto cleanup;
    }
    /* n >= k: J^T = U S V^T (U = A, n x k), J = V S U^T, J^+ r = U S^+ V^T r.
     * n <  k: J = U S V^T (U = A, k x n), J^+ r = V S^+ U^T r. */
    smax = 0;
    for (j = 0; j < q; j++)
        if (gsl_vector_get(S, j) > smax)
            smax = gsl_vector_get(S, j);
    for (j = 0; j < q; j++)
    {
        double sj = gsl_vector_get(S, j), acc = 0;

        if (!(sj > rcond * smax))
        {
            gsl_vector_set(c, j, 0);
            continue;
        }
        kept++;
        for (i = 0; i < k; i++)
            acc += (n >= k ? gsl_matrix_get(Vm, i, j) : gsl_matrix_get(A, i, j)) * r[i];
        gsl_vector_set(c, j, acc / sj);
    }
    for (i = 0; i < n; i++)
    {
        double acc = 0;

        for (j = 0; j < q; j++)
            acc += (n >= k ? gsl_matrix_get(A, i, j) : gsl_matrix_get(Vm, i, j))
                   * gsl_vector_get(c, j);
        d[i] = acc;
    }
    if (rank != NULL)
        *rank = kept;

cleanup:
    gsl_matrix_free(A);
    gsl_matrix_free(Vm);
    gsl_vector_free(S);
    gsl_vector_free(c);
    return st;
}
