/* lanczos.c -- extreme eigenvalues of a symmetric operator: Lanczos with full
 * reorthogonalisation, and power iteration; the sharpness of an objective from its HVPs.
 *
 * Why it is correct (the stopping rule is derived in cor_spectral.h):
 *  - Lanczos: with q_0 a unit start vector, r_j = A q_j - alpha_j q_j - beta_{j-1} q_{j-1}
 *    (alpha_j = q_j^T A q_j) and q_{j+1} = r_j / beta_j, beta_j = |r_j|, the vectors
 *    Q_j = [q_0 .. q_{j-1}] are orthonormal and A Q_j = Q_j T_j + beta_{j-1} q_j e_j^T,
 *    T_j tridiagonal with alpha on the diagonal and beta off it. In floating point the q's
 *    lose orthogonality once a Ritz value converges (Paige); reorthogonalising r_j against
 *    every previous q, twice ("twice is enough", Kahan/Parlett), keeps them orthonormal to
 *    working precision, so no spurious copies of converged eigenvalues appear. Cost: j dots
 *    and axpys per step, negligible next to an HVP for the dimensions used here.
 *  - Extreme eigenvalue of T_j: Sturm count. For a symmetric tridiagonal T the number of
 *    negative pivots d_i of the LDL^T factorisation of T - x I, d_0 = alpha_0 - x,
 *    d_i = alpha_i - x - beta_{i-1}^2 / d_{i-1}, equals the number of eigenvalues below x
 *    (Sylvester's law of inertia); a zero pivot is replaced by -pivmin (LAPACK dstebz).
 *    Bisection on the Gershgorin interval [lo, hi] keeps count(lo) <= j-1 < count(hi)
 *    (largest) or count(lo) = 0 < count(hi) (smallest) and halves it until its width is
 *    below 2 eps max(|lo|, |hi|) + pivmin, eps = 2^-p: theta is then accurate to a few ulps
 *    of |T| (bisection with Sturm counts is backward stable, Kahan 1966).
 *  - Eigenvector of T_j: two steps of inverse iteration (T - theta I) y <- y from the
 *    all-ones vector, by Gaussian elimination with partial pivoting (LAPACK dgtsv). Since
 *    theta is an eigenvalue to working precision, one step already gives the eigenvector to
 *    working precision unless eigenvalues are clustered (Wilkinson); the second step
 *    removes the start vector's bias. A zero pivot is replaced by pivmin.
 *  - Power iteration: v_{k+1} = A v_k / |A v_k|; the Rayleigh quotient v^T A v converges
 *    to the dominant eigenvalue and |A v - theta v| bounds its error.
 * Everything is done with the space's scalars and vectors (cor_vspace.h), so the same code
 * runs in f64, f32 and MPFR, and in MPFR carries the space's precision throughout.
 */
#include "config.h"

#include <string.h>

#include "cor_sys.h"
#include "spectral_impl.h"

enum
{
    S_LO,
    S_HI,
    S_MID,
    S_A,
    S_B,
    S_C,
    S_EPS,
    S_PIVMIN,
    S_NORMT,
    S_TOL,
    S_THETA,
    S_RESID_EST,
    S_RESID,
    S_OTHER,
    S_ONE,
    S_HALF,
    S_BIG,
    S_GLO,
    S_GHI,
    NSCAL
};

/* per-step arrays of scalars, kmax each */
enum
{
    A_ALPHA,
    A_BETA,
    A_B2,
    A_D,
    A_DL,
    A_DU,
    A_DU2,
    A_Y,
    NARR
};

struct cor_spectral
{
    const cor_vspace *V;
    size_t n, kmax;
    cor_vec **Q;        /* kmax Lanczos vectors */
    cor_vec *w, *t;     /* work vectors */
    cor_scalar *s[NSCAL];
    cor_scalar **arr[NARR];
    int tol_default;
    uint64_t seed;
    size_t power_maxiter;
};

int
cor_spectral_pow2m_internal(cor_scalar *s, unsigned long e, cor_scalar *tmp,
                            const cor_vspace *V)
{
    COR_SPEC_TRY(cor_scalar_set_si(s, 1));
    COR_SPEC_TRY(cor_scalar_set_q(tmp, 1, 2));
    /* square-and-multiply: s = (1/2)^e */
    while (e > 0)
    {
        if (e & 1ul)
            COR_SPEC_TRY(cor_scalar_mul(s, s, tmp, V));
        e >>= 1;
        if (e > 0)
            COR_SPEC_TRY(cor_scalar_mul(tmp, tmp, tmp, V));
    }
    return COR_OK;
}

static int
set_default_tol(cor_spectral *w)
{
    unsigned long p = (unsigned long)cor_vspace_prec(w->V);

    return cor_spectral_pow2m_internal(w->s[S_TOL], (p + 1) / 2, w->s[S_A], w->V);
}

void
cor_spectral_free(cor_spectral *w)
{
    size_t i, a;

    if (w == NULL)
        return;
    if (w->Q != NULL)
        for (i = 0; i < w->kmax; i++)
            cor_vec_free(w->Q[i]);
    cor_free(w->Q);
    cor_vec_free(w->w);
    cor_vec_free(w->t);
    for (i = 0; i < NSCAL; i++)
        cor_scalar_free(w->s[i]);
    for (a = 0; a < NARR; a++)
    {
        if (w->arr[a] == NULL)
            continue;
        for (i = 0; i < w->kmax; i++)
            cor_scalar_free(w->arr[a][i]);
        cor_free(w->arr[a]);
    }
    cor_free(w);
}

cor_spectral *
cor_spectral_alloc(const cor_vspace *V, size_t max_iter)
{
    cor_spectral *w;
    size_t i, a;

    if (V == NULL)
    {
        COR_ERROR(COR_EINVAL, "cor_spectral_alloc: NULL space");
        return NULL;
    }
    w = cor_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->V = V;
    w->n = cor_vspace_dim(V);
    w->kmax = max_iter == 0 ? (w->n < 64 ? w->n : 64) : max_iter;
    if (w->kmax > w->n)
        w->kmax = w->n;
    w->seed = 1;
    w->power_maxiter = 10000;
    w->Q = cor_calloc(w->kmax, sizeof *w->Q);
    if (w->Q == NULL)
        goto fail;
    for (i = 0; i < w->kmax; i++)
        if ((w->Q[i] = cor_vec_alloc(V)) == NULL)
            goto fail;
    if ((w->w = cor_vec_alloc(V)) == NULL || (w->t = cor_vec_alloc(V)) == NULL)
        goto fail;
    for (i = 0; i < NSCAL; i++)
        if ((w->s[i] = cor_scalar_alloc(V)) == NULL)
            goto fail;
    for (a = 0; a < NARR; a++)
    {
        w->arr[a] = cor_calloc(w->kmax, sizeof *w->arr[a]);
        if (w->arr[a] == NULL)
            goto fail;
        for (i = 0; i < w->kmax; i++)
            if ((w->arr[a][i] = cor_scalar_alloc(V)) == NULL)
                goto fail;
    }
    if (cor_spectral_pow2m_internal(w->s[S_EPS], (unsigned long)cor_vspace_prec(V),
                                    w->s[S_A], V) != COR_OK
        || cor_scalar_set_si(w->s[S_ONE], 1) != COR_OK
        || cor_scalar_set_q(w->s[S_HALF], 1, 2) != COR_OK
        || cor_spectral_pow2m_internal(w->s[S_BIG], 40, w->s[S_A], V) != COR_OK
        || cor_scalar_div(w->s[S_BIG], w->s[S_ONE], w->s[S_BIG], V) != COR_OK
        || set_default_tol(w) != COR_OK)
    {
        COR_ERROR(COR_ESANITY, "cor_spectral_alloc: constants");
        goto fail;
    }
    w->tol_default = 1;
    return w;

fail:
    cor_spectral_free(w);
    return NULL;
}

int
cor_spectral_set_tol(cor_spectral *w, double tol)
{
    if (w == NULL || !(tol >= 0))
        return COR_ERROR(COR_EINVAL, "cor_spectral_set_tol: need a workspace and tol >= 0");
    if (tol == 0)
    {
        w->tol_default = 1;
        return set_default_tol(w);
    }
    w->tol_default = 0;
    return cor_scalar_set_d(w->s[S_TOL], tol);
}

void
cor_spectral_set_seed(cor_spectral *w, uint64_t seed)
{
    if (w != NULL)
        w->seed = seed;
}

int
cor_spectral_set_power_maxiter(cor_spectral *w, size_t maxiter)
{
    if (w == NULL || maxiter == 0)
        return COR_ERROR(COR_EINVAL, "cor_spectral_set_power_maxiter: need maxiter >= 1");
    w->power_maxiter = maxiter;
    return COR_OK;
}

size_t
cor_spectral_max_iter(const cor_spectral *w)
{
    return w ? w->kmax : 0;
}

/* ---- helpers --------------------------------------------------------------------------- */

static uint64_t
splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* v = start / |start|, or the pseudo-random unit vector of the seed. */
static int
start_vector(cor_spectral *w, cor_vec *v, const cor_vec *start)
{
    const cor_vspace *V = w->V;
    cor_scalar *nrm = w->s[S_A];

    if (start != NULL)
        COR_SPEC_TRY(cor_vec_copy(v, start, V));
    else
    {
        uint64_t st = w->seed;
        size_t i;

        for (i = 0; i < w->n; i++)
        {
            double u = (double)(splitmix64(&st) >> 11) * 0x1.0p-53; /* [0, 1) */

            COR_SPEC_TRY(cor_vec_set_d(v, i, 2 * u - 1, V));
        }
    }
    COR_SPEC_TRY(cor_vec_nrm2(nrm, v, V));
    if (cor_scalar_sgn(nrm) == 0)
        return COR_ERROR(COR_EINVAL, "spectral: the start vector is zero");
    COR_SPEC_TRY(cor_scalar_div(nrm, w->s[S_ONE], nrm, V));
    return cor_vec_scale(v, nrm, v, V);
}

/* out = |a| for comparisons */
static int
sabs(cor_scalar *out, const cor_scalar *a, const cor_vspace *V)
{
    return cor_scalar_abs(out, a, V);
}

/* lo, hi = Gershgorin bounds of T_k (alpha, beta[0..k-2]); normT = max(|lo|, |hi|);
 * pivmin = eps normT (at least the smallest positive value is not needed: normT == 0 is
 * handled by the caller). */
static int
gershgorin(cor_spectral *w, size_t k)
{
    const cor_vspace *V = w->V;
    cor_scalar **al = w->arr[A_ALPHA], **be = w->arr[A_BETA];
    cor_scalar *lo = w->s[S_GLO], *hi = w->s[S_GHI], *r = w->s[S_A], *t = w->s[S_B];
    size_t i;

    for (i = 0; i < k; i++)
    {
        COR_SPEC_TRY(cor_scalar_set_si(r, 0));
        if (i > 0)
        {
            COR_SPEC_TRY(sabs(t, be[i - 1], V));
            COR_SPEC_TRY(cor_scalar_add(r, r, t, V));
        }
        if (i + 1 < k)
        {
            COR_SPEC_TRY(sabs(t, be[i], V));
            COR_SPEC_TRY(cor_scalar_add(r, r, t, V));
        }
        COR_SPEC_TRY(cor_scalar_sub(t, al[i], r, V));
        if (i == 0 || cor_scalar_cmp(t, lo) < 0)
            COR_SPEC_TRY(cor_scalar_set(lo, t));
        COR_SPEC_TRY(cor_scalar_add(t, al[i], r, V));
        if (i == 0 || cor_scalar_cmp(t, hi) > 0)
            COR_SPEC_TRY(cor_scalar_set(hi, t));
    }
    COR_SPEC_TRY(sabs(r, lo, V));
    COR_SPEC_TRY(sabs(t, hi, V));
    COR_SPEC_TRY(cor_scalar_set(w->s[S_NORMT], cor_scalar_cmp(r, t) > 0 ? r : t));
    COR_SPEC_TRY(cor_scalar_mul(w->s[S_PIVMIN], w->s[S_EPS], w->s[S_NORMT], V));
    /* widen by pivmin so that the ends are strict bounds */
    COR_SPEC_TRY(cor_scalar_sub(lo, lo, w->s[S_PIVMIN], V));
    COR_SPEC_TRY(cor_scalar_add(hi, hi, w->s[S_PIVMIN], V));
    return COR_OK;
}

/* *count = number of eigenvalues of T_k below x (b2[i] = beta_i^2 precomputed). */
static int
sturm_count(cor_spectral *w, size_t k, const cor_scalar *x, size_t *count)
{
    const cor_vspace *V = w->V;
    cor_scalar **al = w->arr[A_ALPHA], **b2 = w->arr[A_B2];
    cor_scalar *d = w->s[S_C], *t = w->s[S_B];
    size_t i, c = 0;

    for (i = 0; i < k; i++)
    {
        COR_SPEC_TRY(cor_scalar_sub(t, al[i], x, V));
        if (i > 0)
        {
            COR_SPEC_TRY(cor_scalar_div(d, b2[i - 1], d, V));
            COR_SPEC_TRY(cor_scalar_sub(d, t, d, V));
        }
        else
            COR_SPEC_TRY(cor_scalar_set(d, t));
        COR_SPEC_TRY(sabs(t, d, V));
        if (cor_scalar_cmp(t, w->s[S_PIVMIN]) <= 0)
            COR_SPEC_TRY(cor_scalar_neg(d, w->s[S_PIVMIN], V));
        if (cor_scalar_sgn(d) < 0)
            c++;
    }
    *count = c;
    return COR_OK;
}

/* out = the extreme eigenvalue of T_k by bisection on Sturm counts (gershgorin must have
 * run for this k; b2 filled). */
static int
bisect(cor_spectral *w, size_t k, int largest, cor_scalar *out)
{
    const cor_vspace *V = w->V;
    cor_scalar *lo = w->s[S_LO], *hi = w->s[S_HI], *mid = w->s[S_MID];
    cor_scalar *wid = w->s[S_A], *lim = w->s[S_B];
    size_t it, maxit = 4 * (size_t)cor_vspace_prec(V) + 200, cnt;

    COR_SPEC_TRY(cor_scalar_set(lo, w->s[S_GLO]));
    COR_SPEC_TRY(cor_scalar_set(hi, w->s[S_GHI]));
    for (it = 0; it < maxit; it++)
    {
        /* stop when hi - lo <= 2 eps max(|lo|, |hi|) + pivmin */
        COR_SPEC_TRY(cor_scalar_sub(wid, hi, lo, V));
        COR_SPEC_TRY(sabs(lim, lo, V));
        COR_SPEC_TRY(sabs(mid, hi, V));
        if (cor_scalar_cmp(mid, lim) > 0)
            COR_SPEC_TRY(cor_scalar_set(lim, mid));
        COR_SPEC_TRY(cor_scalar_mul(lim, lim, w->s[S_EPS], V));
        COR_SPEC_TRY(cor_scalar_add(lim, lim, lim, V));
        COR_SPEC_TRY(cor_scalar_add(lim, lim, w->s[S_PIVMIN], V));
        if (cor_scalar_cmp(wid, lim) <= 0)
            break;
        COR_SPEC_TRY(cor_scalar_mul(wid, wid, w->s[S_HALF], V));
        COR_SPEC_TRY(cor_scalar_add(mid, lo, wid, V));
        if (cor_scalar_cmp(mid, lo) == 0 || cor_scalar_cmp(mid, hi) == 0)
            break; /* no representable point left between them */
        COR_SPEC_TRY(sturm_count(w, k, mid, &cnt));
        if (largest ? cnt == k : cnt >= 1)
            COR_SPEC_TRY(cor_scalar_set(hi, mid));
        else
            COR_SPEC_TRY(cor_scalar_set(lo, mid));
    }
    COR_SPEC_TRY(cor_scalar_sub(wid, hi, lo, V));
    COR_SPEC_TRY(cor_scalar_mul(wid, wid, w->s[S_HALF], V));
    return cor_scalar_add(out, lo, wid, V);
}

/* y[0..k) = unit eigenvector of T_k for the eigenvalue theta: two steps of inverse
 * iteration, Gaussian elimination with partial pivoting on the tridiagonal T - theta I
 * (LAPACK dgtsv's scheme: dl, d, du and the fill-in du2). */
static int
tri_eigvec(cor_spectral *w, size_t k, const cor_scalar *theta)
{
    const cor_vspace *V = w->V;
    cor_scalar **al = w->arr[A_ALPHA], **be = w->arr[A_BETA];
    cor_scalar **d = w->arr[A_D], **dl = w->arr[A_DL], **du = w->arr[A_DU];
    cor_scalar **du2 = w->arr[A_DU2], **y = w->arr[A_Y];
    cor_scalar *f = w->s[S_A], *t = w->s[S_B], *u = w->s[S_C], *v = w->s[S_MID];
    size_t i, it;

    for (i = 0; i < k; i++)
        COR_SPEC_TRY(cor_scalar_set_si(y[i], 1));
    if (k == 1)
        return COR_OK;
    for (it = 0; it < 2; it++)
    {
        for (i = 0; i < k; i++)
        {
            COR_SPEC_TRY(cor_scalar_sub(d[i], al[i], theta, V));
            if (i + 1 < k)
            {
                COR_SPEC_TRY(cor_scalar_set(dl[i], be[i]));
                COR_SPEC_TRY(cor_scalar_set(du[i], be[i]));
            }
            COR_SPEC_TRY(cor_scalar_set_si(du2[i], 0));
        }
        for (i = 0; i + 1 < k; i++)
        {
            COR_SPEC_TRY(sabs(u, d[i], V));
            COR_SPEC_TRY(sabs(v, dl[i], V));
            if (cor_scalar_cmp(u, v) >= 0)
            {
                /* no interchange */
                if (cor_scalar_cmp(u, w->s[S_PIVMIN]) < 0)
                    COR_SPEC_TRY(cor_scalar_set(d[i], w->s[S_PIVMIN]));
                COR_SPEC_TRY(cor_scalar_div(f, dl[i], d[i], V));
                COR_SPEC_TRY(cor_scalar_mul(t, f, du[i], V));
                COR_SPEC_TRY(cor_scalar_sub(d[i + 1], d[i + 1], t, V));
                COR_SPEC_TRY(cor_scalar_mul(t, f, y[i], V));
                COR_SPEC_TRY(cor_scalar_sub(y[i + 1], y[i + 1], t, V));
            }
            else
            {
                /* interchange rows i and i+1 */
                COR_SPEC_TRY(cor_scalar_div(f, d[i], dl[i], V));
                COR_SPEC_TRY(cor_scalar_set(d[i], dl[i]));
                COR_SPEC_TRY(cor_scalar_set(u, d[i + 1]));
                COR_SPEC_TRY(cor_scalar_mul(t, f, u, V));
                COR_SPEC_TRY(cor_scalar_sub(d[i + 1], du[i], t, V));
                if (i + 2 < k)
                {
                    COR_SPEC_TRY(cor_scalar_set(du2[i], du[i + 1]));
                    COR_SPEC_TRY(cor_scalar_mul(t, f, du2[i], V));
                    COR_SPEC_TRY(cor_scalar_neg(du[i + 1], t, V));
                }
                COR_SPEC_TRY(cor_scalar_set(du[i], u));
                COR_SPEC_TRY(cor_scalar_set(u, y[i]));
                COR_SPEC_TRY(cor_scalar_set(y[i], y[i + 1]));
                COR_SPEC_TRY(cor_scalar_mul(t, f, y[i + 1], V));
                COR_SPEC_TRY(cor_scalar_sub(y[i + 1], u, t, V));
            }
        }
        COR_SPEC_TRY(sabs(u, d[k - 1], V));
        if (cor_scalar_cmp(u, w->s[S_PIVMIN]) < 0)
            COR_SPEC_TRY(cor_scalar_set(d[k - 1], w->s[S_PIVMIN]));
        /* back substitution */
        for (i = k; i-- > 0;)
        {
            if (i + 1 < k)
            {
                COR_SPEC_TRY(cor_scalar_mul(t, du[i], y[i + 1], V));
                COR_SPEC_TRY(cor_scalar_sub(y[i], y[i], t, V));
            }
            if (i + 2 < k)
            {
                COR_SPEC_TRY(cor_scalar_mul(t, du2[i], y[i + 2], V));
                COR_SPEC_TRY(cor_scalar_sub(y[i], y[i], t, V));
            }
            COR_SPEC_TRY(cor_scalar_div(y[i], y[i], d[i], V));
        }
        /* normalise: first by max |y_i| (no overflow in the squares), then by the norm */
        COR_SPEC_TRY(cor_scalar_set_si(v, 0));
        for (i = 0; i < k; i++)
        {
            COR_SPEC_TRY(sabs(u, y[i], V));
            if (cor_scalar_cmp(u, v) > 0)
                COR_SPEC_TRY(cor_scalar_set(v, u));
        }
        if (cor_scalar_sgn(v) == 0 || !cor_scalar_is_finite(v))
            return COR_NONFINITE;
        for (i = 0; i < k; i++)
            COR_SPEC_TRY(cor_scalar_div(y[i], y[i], v, V));
        COR_SPEC_TRY(cor_scalar_set_si(v, 0));
        for (i = 0; i < k; i++)
        {
            COR_SPEC_TRY(cor_scalar_mul(u, y[i], y[i], V));
            COR_SPEC_TRY(cor_scalar_add(v, v, u, V));
        }
        COR_SPEC_TRY(cor_scalar_sqrt(v, v, V));
        for (i = 0; i < k; i++)
            COR_SPEC_TRY(cor_scalar_div(y[i], y[i], v, V));
    }
    return COR_OK;
}

static int
check_args(const cor_spectral *w, const cor_scalar *lambda, const cor_vec *u,
           cor_linop_fn A, const cor_vec *start)
{
    if (w == NULL || lambda == NULL || A == NULL)
        return COR_ERROR(COR_EINVAL, "spectral: NULL workspace, lambda or operator");
    if (cor_vspace_kind(cor_scalar_space(lambda)) != cor_vspace_kind(w->V)
        || cor_vspace_prec(cor_scalar_space(lambda)) != cor_vspace_prec(w->V))
        return COR_ERROR(COR_EINVAL, "spectral: lambda belongs to another kind of space");
    if ((u != NULL && cor_vec_dim(u) != w->n) || (start != NULL && cor_vec_dim(start) != w->n))
        return COR_ERROR(COR_EINVAL, "spectral: vector of the wrong dimension");
    if (u != NULL && u == start)
        return COR_ERROR(COR_EINVAL, "spectral: u must not alias start");
    return COR_OK;
}

static void
info_fill(cor_spectral_info *info, const cor_spectral *w, size_t iters, size_t nops,
          int conv, int lanczos)
{
    if (info == NULL)
        return;
    info->iters = iters;
    info->nops = nops;
    info->converged = conv;
    info->resid_est = w->s[S_RESID_EST];
    info->resid = w->s[S_RESID];
    info->other = lanczos ? w->s[S_OTHER] : NULL;
}

/* resid = |A u - theta u| (one operator application into t). */
static int
final_residual(cor_spectral *w, const cor_vec *u, const cor_scalar *theta, cor_linop_fn A,
               void *ctx)
{
    const cor_vspace *V = w->V;
    int st = A(w->t, u, ctx);

    if (st != COR_OK)
        return st;
    COR_SPEC_TRY(cor_scalar_neg(w->s[S_A], theta, V));
    COR_SPEC_TRY(cor_vec_axpby(w->t, w->s[S_ONE], w->t, w->s[S_A], u, V));
    st = cor_vec_nrm2(w->s[S_RESID], w->t, V);
    return st;
}

int
cor_spectral_lanczos(cor_spectral *w, cor_scalar *lambda, cor_vec *u, cor_linop_fn A,
                     void *ctx, const cor_vec *start, cor_eig_which which,
                     cor_spectral_info *info)
{
    const cor_vspace *V;
    cor_scalar **al, **be, **b2, **y;
    cor_scalar *c = NULL, *nc;
    cor_vec *r, *uu;
    size_t j, i, k = 0, nops = 0;
    int st, conv = 0, largest = which != COR_EIG_SMALLEST, pass;

    COR_SPEC_TRY(check_args(w, lambda, u, A, start));
    V = w->V;
    al = w->arr[A_ALPHA];
    be = w->arr[A_BETA];
    b2 = w->arr[A_B2];
    y = w->arr[A_Y];
    r = w->w;
    c = w->s[S_A];
    nc = w->s[S_B];
    info_fill(info, w, 0, 0, 0, 1);
    COR_SPEC_TRY(start_vector(w, w->Q[0], start));
    for (j = 0; j < w->kmax; j++)
    {
        st = A(r, w->Q[j], ctx);
        nops++;
        if (st != COR_OK)
            goto out;
        if (!cor_vec_all_finite(r, V))
        {
            st = COR_NONFINITE;
            goto out;
        }
        COR_SPEC_TRY(cor_vec_dot(al[j], w->Q[j], r, V));
        COR_SPEC_TRY(cor_scalar_neg(nc, al[j], V));
        COR_SPEC_TRY(cor_vec_axpby(r, w->s[S_ONE], r, nc, w->Q[j], V));
        if (j > 0)
        {
            COR_SPEC_TRY(cor_scalar_neg(nc, be[j - 1], V));
            COR_SPEC_TRY(cor_vec_axpby(r, w->s[S_ONE], r, nc, w->Q[j - 1], V));
        }
        /* full reorthogonalisation, twice */
        for (pass = 0; pass < 2; pass++)
            for (i = 0; i <= j; i++)
            {
                COR_SPEC_TRY(cor_vec_dot(c, w->Q[i], r, V));
                COR_SPEC_TRY(cor_scalar_neg(nc, c, V));
                COR_SPEC_TRY(cor_vec_axpby(r, w->s[S_ONE], r, nc, w->Q[i], V));
            }
        COR_SPEC_TRY(cor_vec_nrm2(be[j], r, V));
        COR_SPEC_TRY(cor_scalar_mul(b2[j], be[j], be[j], V));
        k = j + 1;

        /* Ritz value and vector of T_k */
        COR_SPEC_TRY(gershgorin(w, k));
        if (cor_scalar_sgn(w->s[S_NORMT]) == 0)
        {
            /* T_k = 0 and beta = 0: A q_0 = 0, the operator is zero on the Krylov space */
            COR_SPEC_TRY(cor_scalar_set_si(w->s[S_THETA], 0));
            for (i = 0; i < k; i++)
                COR_SPEC_TRY(cor_scalar_set_si(y[i], i == 0));
            COR_SPEC_TRY(cor_scalar_set_si(w->s[S_RESID_EST], 0));
            conv = 1;
            break;
        }
        COR_SPEC_TRY(bisect(w, k, largest, w->s[S_THETA]));
        st = tri_eigvec(w, k, w->s[S_THETA]);
        if (st != COR_OK)
            goto out;
        COR_SPEC_TRY(sabs(c, y[k - 1], V));
        COR_SPEC_TRY(cor_scalar_mul(w->s[S_RESID_EST], be[j], c, V));
        /* converged: residual bound <= tol |T|, or invariant subspace, or space exhausted */
        COR_SPEC_TRY(cor_scalar_mul(c, w->s[S_TOL], w->s[S_NORMT], V));
        if (cor_scalar_cmp(w->s[S_RESID_EST], c) <= 0)
        {
            conv = 1;
            break;
        }
        COR_SPEC_TRY(cor_scalar_mul(c, w->s[S_EPS], w->s[S_NORMT], V));
        if (k == w->n || cor_scalar_cmp(be[j], c) <= 0)
        {
            conv = 1;
            break;
        }
        if (j + 1 < w->kmax)
        {
            COR_SPEC_TRY(cor_scalar_div(c, w->s[S_ONE], be[j], V));
            COR_SPEC_TRY(cor_vec_scale(w->Q[j + 1], c, r, V));
        }
    }
    /* the opposite extreme, for information */
    COR_SPEC_TRY(bisect(w, k, !largest, w->s[S_OTHER]));
    /* Ritz vector u = Q_k y (into u, or into r when u is not wanted) */
    uu = u != NULL ? u : r;
    COR_SPEC_TRY(cor_vec_lincomb(uu, k, (const cor_scalar *const *)y,
                                 (const cor_vec *const *)w->Q, V));
    COR_SPEC_TRY(cor_scalar_set(lambda, w->s[S_THETA]));
    st = final_residual(w, uu, w->s[S_THETA], A, ctx);
    nops++;
    if (st != COR_OK)
        goto out;
    st = conv ? COR_OK : COR_MAXITER;

out:
    info_fill(info, w, k, nops, conv, 1);
    return st;
}

int
cor_spectral_power(cor_spectral *w, cor_scalar *lambda, cor_vec *u, cor_linop_fn A,
                   void *ctx, const cor_vec *start, cor_spectral_info *info)
{
    const cor_vspace *V;
    cor_vec *v, *t, *r;
    cor_scalar *theta, *c, *nrm;
    size_t it, nops = 0;
    int st = COR_OK, conv = 0;

    COR_SPEC_TRY(check_args(w, lambda, u, A, start));
    V = w->V;
    v = u != NULL ? u : w->Q[0];
    t = w->t;
    r = w->w;
    theta = w->s[S_THETA];
    c = w->s[S_A];
    nrm = w->s[S_B];
    info_fill(info, w, 0, 0, 0, 0);
    COR_SPEC_TRY(start_vector(w, v, start));
    for (it = 1; it <= w->power_maxiter; it++)
    {
        st = A(t, v, ctx);
        nops++;
        if (st != COR_OK)
            break;
        if (!cor_vec_all_finite(t, V))
        {
            st = COR_NONFINITE;
            break;
        }
        COR_SPEC_TRY(cor_vec_dot(theta, v, t, V));
        COR_SPEC_TRY(cor_scalar_neg(c, theta, V));
        COR_SPEC_TRY(cor_vec_axpby(r, w->s[S_ONE], t, c, v, V));
        COR_SPEC_TRY(cor_vec_nrm2(w->s[S_RESID], r, V));
        COR_SPEC_TRY(cor_scalar_set(w->s[S_RESID_EST], w->s[S_RESID]));
        COR_SPEC_TRY(cor_scalar_abs(c, theta, V));
        COR_SPEC_TRY(cor_scalar_mul(c, c, w->s[S_TOL], V));
        if (cor_scalar_cmp(w->s[S_RESID], c) <= 0)
        {
            conv = 1;
            break;
        }
        COR_SPEC_TRY(cor_vec_nrm2(nrm, t, V));
        if (cor_scalar_sgn(nrm) == 0)
        {
            conv = 1; /* v is in the kernel: theta = 0 exactly */
            break;
        }
        COR_SPEC_TRY(cor_scalar_div(nrm, w->s[S_ONE], nrm, V));
        COR_SPEC_TRY(cor_vec_scale(v, nrm, t, V));
    }
    if (it > w->power_maxiter)
        it = w->power_maxiter;
    COR_SPEC_TRY(cor_scalar_set(lambda, theta));
    if (st == COR_OK)
        st = conv ? COR_OK : COR_MAXITER;
    info_fill(info, w, it, nops, conv, 0);
    return st;
}

/* ---- objectives ------------------------------------------------------------------------- */

typedef struct
{
    const cor_objective *obj;
    const cor_vec *x;
} hvp_ctx;

static int
hvp_op(cor_vec *out, const cor_vec *in, void *ctx)
{
    hvp_ctx *h = ctx;

    return cor_objective_hvp(h->obj, out, h->x, in);
}

static int
check_obj(const cor_spectral *w, const cor_objective *obj, const cor_vec *x)
{
    if (w == NULL || obj == NULL || x == NULL)
        return COR_ERROR(COR_EINVAL, "sharpness: NULL argument");
    if (!cor_objective_has(obj, COR_OBJ_HVP))
        return COR_ERROR(COR_EINVAL, "sharpness: the objective has no Hessian-vector product");
    if (obj->n != w->n || cor_vec_dim(x) != w->n)
        return COR_ERROR(COR_EINVAL, "sharpness: dimension mismatch");
    return COR_OK;
}

int
cor_spectral_sharpness(cor_spectral *w, cor_scalar *lambda, cor_vec *u,
                       const cor_objective *obj, const cor_vec *x, const cor_vec *start,
                       cor_spectral_info *info)
{
    hvp_ctx h;

    COR_SPEC_TRY(check_obj(w, obj, x));
    h.obj = obj;
    h.x = x;
    return cor_spectral_lanczos(w, lambda, u, hvp_op, &h, start, COR_EIG_LARGEST, info);
}

int
cor_spectral_sharpness_power(cor_spectral *w, cor_scalar *lambda, cor_vec *u,
                             const cor_objective *obj, const cor_vec *x, const cor_vec *start,
                             cor_spectral_info *info)
{
    hvp_ctx h;

    COR_SPEC_TRY(check_obj(w, obj, x));
    h.obj = obj;
    h.x = x;
    return cor_spectral_power(w, lambda, u, hvp_op, &h, start, info);
}
