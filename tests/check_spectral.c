/* check_spectral.c -- lib/spectral: Lanczos and power iteration against GSL's symmetric
 * eigensolver (gsl_eigen_symm) on random symmetric matrices and on quadratic objectives, in
 * double, in float and in MPFR (where matrices with an exactly known rational spectrum,
 * Q D Q^T with a rational Householder Q, show that the precision is carried); the stopping
 * rule's residual bound against the recomputed residual; the natural-gradient direction
 * against GSL's SVD pseudo-inverse and J d = r; error statuses; no GMP allocation. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gmp.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <mpfr.h>

#include "cor_expr.h"
#include "cor_objective.h"
#include "cor_spectral.h"
#include "cor_vspace.h"
#include "testlib.h"

/* ---- a dense symmetric operator given by its rows (a vector of V each) ------------------ */

typedef struct
{
    const cor_vspace *V;
    size_t n;
    cor_vec **rows;
    cor_scalar *s;
} dense_op;

static int
dense_apply(cor_vec *out, const cor_vec *in, void *ctx)
{
    dense_op *d = ctx;

    for (size_t i = 0; i < d->n; i++)
    {
        int st = cor_vec_dot(d->s, d->rows[i], in, d->V);
        if (st != COR_OK)
            return st;
        st = cor_vec_set_scalar(out, i, d->s, d->V);
        if (st != COR_OK)
            return st;
    }
    return COR_OK;
}

static void
dense_init(dense_op *d, const cor_vspace *V, const double *A)
{
    d->V = V;
    d->n = cor_vspace_dim(V);
    d->rows = calloc(d->n, sizeof *d->rows);
    d->s = cor_scalar_alloc(V);
    for (size_t i = 0; i < d->n; i++)
    {
        d->rows[i] = cor_vec_alloc(V);
        for (size_t j = 0; j < d->n; j++)
            ck_assert_int_eq(cor_vec_set_d(d->rows[i], j, A[i * d->n + j], V), COR_OK);
    }
}

static void
dense_clear(dense_op *d)
{
    for (size_t i = 0; i < d->n; i++)
        cor_vec_free(d->rows[i]);
    free(d->rows);
    cor_scalar_free(d->s);
}

/* random symmetric n x n matrix, entries uniform in [-1, 1) */
static void
random_sym(double *A, size_t n, cor_test_rng *r)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            A[i * n + j] = A[j * n + i] = cor_test_rng_uniform(r, -1, 1);
}

/* eigenvalues of A by GSL, ascending */
static void
gsl_eigs(double *ev, const double *A, size_t n)
{
    gsl_matrix *M = gsl_matrix_alloc(n, n);
    gsl_vector *e = gsl_vector_alloc(n);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(n);

    for (size_t i = 0; i < n * n; i++)
        M->data[i] = A[i];
    ck_assert_int_eq(gsl_eigen_symm(M, e, w), 0);
    for (size_t i = 0; i < n; i++)
        ev[i] = gsl_vector_get(e, i);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ev[j - 1] > ev[j]; j--)
        {
            double t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    gsl_eigen_symm_free(w);
    gsl_vector_free(e);
    gsl_matrix_free(M);
}

static double
fro(const double *A, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n * n; i++)
        s += A[i] * A[i];
    return sqrt(s);
}

/* Lanczos (largest and smallest) and power iteration on random symmetric matrices against
 * GSL, on f64, f32 and MPFR spaces. */
static void
run_random(cor_kind kind, mpfr_prec_t prec, double reltol)
{
    cor_test_rng r;
    unsigned cases = 12 * cor_test_multiplier();

    cor_test_rng_init(&r, cor_test_seed(), 1000 + (uint64_t)kind);
    for (unsigned c = 0; c < cases; c++)
    {
        size_t n = 2 + cor_test_rng_below(&r, 29);
        double *A = malloc(n * n * sizeof *A), *ev = malloc(n * sizeof *ev);
        cor_vspace *V = kind == COR_MPFR ? cor_vspace_alloc_mpfr(n, prec)
                        : kind == COR_F32 ? cor_vspace_alloc_f32(n)
                                          : cor_vspace_alloc_f64(n);
        cor_spectral *w = cor_spectral_alloc(V, 0);
        cor_scalar *lam = cor_scalar_alloc(V);
        cor_vec *u = cor_vec_alloc(V);
        cor_spectral_info info;
        dense_op op;
        double nrm;

        random_sym(A, n, &r);
        nrm = fro(A, n);
        gsl_eigs(ev, A, n);
        dense_init(&op, V, A);
        ck_assert_ptr_nonnull(w);
        cor_spectral_set_seed(w, 7 + c);

        ck_assert_int_eq(cor_spectral_lanczos(w, lam, u, dense_apply, &op, NULL,
                                              COR_EIG_LARGEST, &info), COR_OK);
        ck_assert_msg(fabs(cor_scalar_get_d(lam) - ev[n - 1]) <= reltol * nrm,
                      "case %u n=%zu %s: largest %.17g vs GSL %.17g", c, n,
                      cor_vspace_name(V), cor_scalar_get_d(lam), ev[n - 1]);
        ck_assert(info.converged);
        ck_assert_uint_le(info.iters, n);
        /* the opposite Ritz value need not have converged, but Ritz values interlace */
        ck_assert_msg(cor_scalar_get_d(info.other) >= ev[0] - reltol * nrm,
                      "smallest (other) %.17g below %.17g", cor_scalar_get_d(info.other),
                      ev[0]);
        /* the recomputed residual is small, and the eigenvalue error is within it */
        ck_assert_msg(cor_scalar_get_d(info.resid) <= sqrt(reltol) * nrm,
                      "residual %.3g", cor_scalar_get_d(info.resid));

        ck_assert_int_eq(cor_spectral_lanczos(w, lam, NULL, dense_apply, &op, NULL,
                                              COR_EIG_SMALLEST, &info), COR_OK);
        ck_assert_msg(fabs(cor_scalar_get_d(lam) - ev[0]) <= reltol * nrm,
                      "smallest %.17g vs GSL %.17g", cor_scalar_get_d(lam), ev[0]);

        dense_clear(&op);
        cor_vec_free(u);
        cor_scalar_free(lam);
        cor_spectral_free(w);
        cor_vspace_free(V);
        free(A);
        free(ev);
    }
}

START_TEST(test_random_f64)
{
    run_random(COR_F64, 53, 1e-12);
}
END_TEST

START_TEST(test_random_f32)
{
    run_random(COR_F32, 24, 2e-5);
}
END_TEST

START_TEST(test_random_mpfr)
{
    /* the matrix is the same double matrix: GSL's double eigenvalues are the reference */
    run_random(COR_MPFR, 256, 1e-12);
}
END_TEST

/* A = Q D Q^T with Q = I - 2 v v^T / (v^T v), v integer: rational, orthogonal, so the
 * eigenvalues are exactly D. Built exactly with mpq, rounded once to the space. */
static void
exact_matrix(mpq_t *A, size_t n, const long *v, const long *D)
{
    long vv = 0;
    mpq_t t, q_ik, q_jk;

    mpq_init(t);
    mpq_init(q_ik);
    mpq_init(q_jk);
    for (size_t i = 0; i < n; i++)
        vv += v[i] * v[i];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
        {
            mpq_set_ui(A[i * n + j], 0, 1);
            for (size_t k = 0; k < n; k++)
            {
                mpq_set_si(q_ik, (i == k ? vv : 0) - 2 * v[i] * v[k], (unsigned long)vv);
                mpq_set_si(q_jk, (j == k ? vv : 0) - 2 * v[j] * v[k], (unsigned long)vv);
                mpq_mul(t, q_ik, q_jk);
                mpq_set_si(q_ik, D[k], 1);
                mpq_mul(t, t, q_ik);
                mpq_add(A[i * n + j], A[i * n + j], t);
            }
        }
    mpq_clear(t);
    mpq_clear(q_ik);
    mpq_clear(q_jk);
}

START_TEST(test_exact_spectrum_mpfr)
{
    static const long v[6] = {1, -2, 3, 1, 2, -1};
    static const long D[6] = {7, -3, 2, 5, -11, 1}; /* largest 7, smallest -11 */
    const size_t n = 6;
    mpfr_prec_t precs[2] = {256, 1024};
    mpq_t A[36];

    for (size_t i = 0; i < n * n; i++)
        mpq_init(A[i]);
    exact_matrix(A, n, v, D);
    for (int pi = 0; pi < 2; pi++)
    {
        cor_vspace *V = cor_vspace_alloc_mpfr(n, precs[pi]);
        cor_spectral *w = cor_spectral_alloc(V, 0);
        cor_scalar *lam = cor_scalar_alloc(V);
        cor_spectral_info info;
        dense_op op;
        mpfr_t e;

        op.V = V;
        op.n = n;
        op.rows = calloc(n, sizeof *op.rows);
        op.s = cor_scalar_alloc(V);
        for (size_t i = 0; i < n; i++)
        {
            op.rows[i] = cor_vec_alloc(V);
            for (size_t j = 0; j < n; j++)
                mpfr_set_q(cor_vec_mpfr_ptr(op.rows[i], j), A[i * n + j], MPFR_RNDN);
        }
        mpfr_init2(e, precs[pi]);
        ck_assert_int_eq(cor_spectral_lanczos(w, lam, NULL, dense_apply, &op, NULL,
                                              COR_EIG_LARGEST, &info), COR_OK);
        ck_assert_int_eq(cor_scalar_get_mpfr(e, lam), COR_OK);
        mpfr_sub_si(e, e, 7, MPFR_RNDN);
        ck_assert_msg(mpfr_cmpabs_ui(e, 0) == 0
                      || mpfr_get_exp(e) <= 16 - (mpfr_exp_t)precs[pi],
                      "prec %ld: largest - 7 = %.3e", (long)precs[pi],
                      mpfr_get_d(e, MPFR_RNDN));
        ck_assert_int_eq(cor_scalar_get_mpfr(e, info.other), COR_OK);
        mpfr_add_si(e, e, 11, MPFR_RNDN);
        ck_assert_msg(mpfr_cmpabs_ui(e, 0) == 0
                      || mpfr_get_exp(e) <= 16 - (mpfr_exp_t)precs[pi],
                      "prec %ld: smallest + 11 = %.3e", (long)precs[pi],
                      mpfr_get_d(e, MPFR_RNDN));
        /* power iteration: dominant |lambda| = 11, so lambda = -11; ratio 7/11 per step */
        ck_assert_int_eq(cor_spectral_set_power_maxiter(w, 100000), COR_OK);
        ck_assert_int_eq(cor_spectral_power(w, lam, NULL, dense_apply, &op, NULL, &info),
                         COR_OK);
        ck_assert_int_eq(cor_scalar_get_mpfr(e, lam), COR_OK);
        mpfr_add_si(e, e, 11, MPFR_RNDN);
        /* Rayleigh quotient error ~ residual^2 / gap with residual <= 2^-p/2 |theta| */
        ck_assert_msg(mpfr_cmpabs_ui(e, 0) == 0
                      || mpfr_get_exp(e) <= 16 - (mpfr_exp_t)precs[pi],
                      "power: lambda + 11 = %.3e", mpfr_get_d(e, MPFR_RNDN));

        /* zero GMP allocations in a Lanczos call */
        {
            size_t allocs, resizes;
            int st;
            cor_test_gmp_count_start();
            st = cor_spectral_lanczos(w, lam, NULL, dense_apply, &op, NULL, COR_EIG_LARGEST,
                                      &info);
            cor_test_gmp_count_stop(&allocs, &resizes, NULL);
            ck_assert_int_eq(st, COR_OK);
            ck_assert_uint_eq(allocs + resizes, 0);
        }
        mpfr_clear(e);
        for (size_t i = 0; i < n; i++)
            cor_vec_free(op.rows[i]);
        free(op.rows);
        cor_scalar_free(op.s);
        cor_scalar_free(lam);
        cor_spectral_free(w);
        cor_vspace_free(V);
    }
    for (size_t i = 0; i < n * n; i++)
        mpq_clear(A[i]);
}
END_TEST

/* The stopping rule: with a loose tolerance Lanczos stops early; the eigenvalue error is
 * within the residual bound (Kato), and the recomputed residual agrees with the bound. */
START_TEST(test_stopping_rule)
{
    cor_test_rng r;
    const size_t n = 60;
    double *A = malloc(n * n * sizeof *A), ev[60];
    cor_vspace *V = cor_vspace_alloc_f64(n);
    cor_spectral *w = cor_spectral_alloc(V, 0);
    cor_scalar *lam = cor_scalar_alloc(V);
    cor_spectral_info info;
    dense_op op;
    int st;

    cor_test_rng_init(&r, cor_test_seed(), 77);
    /* spectrum 1..n with a gap at the top: diag plus a random orthogonal-ish perturbation */
    random_sym(A, n, &r);
    for (size_t i = 0; i < n; i++)
        A[i * n + i] += (i == n - 1) ? 3.0 * (double)n : (double)i;
    gsl_eigs(ev, A, n);
    dense_init(&op, V, A);
    ck_assert_int_eq(cor_spectral_set_tol(w, 1e-4), COR_OK);
    st = cor_spectral_lanczos(w, lam, NULL, dense_apply, &op, NULL, COR_EIG_LARGEST, &info);
    ck_assert_int_eq(st, COR_OK);
    ck_assert_msg(info.iters < n, "stopped after %zu steps", info.iters);
    ck_assert(fabs(cor_scalar_get_d(lam) - ev[n - 1]) <= cor_scalar_get_d(info.resid_est)
              + 1e-12 * ev[n - 1]);
    ck_assert_msg(fabs(cor_scalar_get_d(info.resid) - cor_scalar_get_d(info.resid_est))
                      <= 1e-3 * cor_scalar_get_d(info.resid_est) + 1e-10 * ev[n - 1],
                  "recomputed residual %.6g vs bound %.6g", cor_scalar_get_d(info.resid),
                  cor_scalar_get_d(info.resid_est));
    /* a too small limit gives COR_MAXITER with an estimate still written */
    {
        cor_spectral *w2 = cor_spectral_alloc(V, 2);
        ck_assert_int_eq(cor_spectral_set_tol(w2, 1e-14), COR_OK);
        st = cor_spectral_lanczos(w2, lam, NULL, dense_apply, &op, NULL, COR_EIG_LARGEST,
                                  &info);
        ck_assert_int_eq(st, COR_MAXITER);
        ck_assert(!info.converged);
        ck_assert(cor_scalar_get_d(lam) <= ev[n - 1] + 1e-9); /* Ritz values interlace */
        cor_spectral_free(w2);
    }
    dense_clear(&op);
    cor_scalar_free(lam);
    cor_spectral_free(w);
    cor_vspace_free(V);
    free(A);
}
END_TEST

/* Sharpness of quadratics 1/2 x^T A x (expression objectives with HVP tapes) against GSL,
 * on f64, f32 and MPFR; Lanczos and power iteration agree on an SPD A. */
START_TEST(test_quadratic_sharpness)
{
    cor_test_rng r;
    const size_t n = 5;
    double A[25], ev[5];
    char text[4096], name[8];
    size_t len = 0;
    cor_kind kinds[3] = {COR_F64, COR_F32, COR_MPFR};
    double tols[3] = {1e-12, 1e-5, 1e-12};

    cor_test_rng_init(&r, cor_test_seed(), 5);
    random_sym(A, n, &r);
    for (size_t i = 0; i < n; i++)
        A[i * n + i] += 3; /* SPD: Gershgorin */
    /* exact decimal text of the double entries (%.17g round-trips) */
    len += (size_t)snprintf(text + len, sizeof text - len, "0.5*(0");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            len += (size_t)snprintf(text + len, sizeof text - len, "+(%.17g)*x%zu*x%zu",
                                    A[i * n + j], i + 1, j + 1);
    snprintf(text + len, sizeof text - len, ")");
    gsl_eigs(ev, A, n);
    for (int ki = 0; ki < 3; ki++)
    {
        cor_expr_pool *P = cor_expr_pool_alloc();
        cor_node vars[5], f;
        cor_vspace *V = kinds[ki] == COR_MPFR ? cor_vspace_alloc_mpfr(n, 200)
                        : kinds[ki] == COR_F32 ? cor_vspace_alloc_f32(n)
                                               : cor_vspace_alloc_f64(n);
        cor_objective *obj;
        cor_spectral *w = cor_spectral_alloc(V, 0);
        cor_scalar *lam = cor_scalar_alloc(V), *lam2 = cor_scalar_alloc(V);
        cor_vec *x = cor_vec_alloc(V);
        cor_spectral_info info;

        for (size_t i = 0; i < n; i++)
        {
            snprintf(name, sizeof name, "x%zu", i + 1);
            vars[i] = cor_expr_var(P, name);
            ck_assert_int_eq(cor_vec_set_d(x, i, 0.25 * (double)i - 0.3, V), COR_OK);
        }
        ck_assert_int_eq(cor_expr_parse(&f, NULL, text, COR_PARSE_KNOWN_VARS, P), COR_OK);
        obj = cor_expr_objective_alloc(P, f, n, vars, V, COR_OBJ_WANT_HVP);
        ck_assert_ptr_nonnull(obj);
        ck_assert_int_eq(cor_spectral_sharpness(w, lam, NULL, obj, x, NULL, &info), COR_OK);
        ck_assert_msg(fabs(cor_scalar_get_d(lam) - ev[n - 1]) <= tols[ki] * ev[n - 1],
                      "%s: sharpness %.17g vs GSL %.17g", cor_vspace_name(V),
                      cor_scalar_get_d(lam), ev[n - 1]);
        ck_assert_int_eq(cor_spectral_set_power_maxiter(w, 100000), COR_OK);
        ck_assert_int_eq(cor_spectral_sharpness_power(w, lam2, NULL, obj, x, NULL, &info),
                         COR_OK);
        ck_assert_msg(fabs(cor_scalar_get_d(lam2) - ev[n - 1]) <= 10 * tols[ki] * ev[n - 1],
                      "%s: power %.17g vs GSL %.17g", cor_vspace_name(V),
                      cor_scalar_get_d(lam2), ev[n - 1]);
        cor_vec_free(x);
        cor_scalar_free(lam);
        cor_scalar_free(lam2);
        cor_spectral_free(w);
        cor_objective_free(obj);
        cor_vspace_free(V);
        cor_expr_pool_free(P);
    }
}
END_TEST

START_TEST(test_errors)
{
    cor_vspace *V = cor_vspace_alloc_f64(3);
    cor_spectral *w = cor_spectral_alloc(V, 0);
    cor_scalar *lam = cor_scalar_alloc(V);
    cor_vec *z = cor_vec_alloc(V);
    double A[9] = {1, 0, 0, 0, 2, 0, 0, 0, 3};
    dense_op op;

    dense_init(&op, V, A);
    ck_assert_ptr_null(cor_spectral_alloc(NULL, 3));
    ck_assert_int_eq(cor_spectral_set_tol(w, -1), COR_EINVAL);
    ck_assert_int_eq(cor_spectral_lanczos(NULL, lam, NULL, dense_apply, &op, NULL,
                                          COR_EIG_LARGEST, NULL), COR_EINVAL);
    ck_assert_int_eq(cor_spectral_lanczos(w, lam, NULL, NULL, &op, NULL, COR_EIG_LARGEST,
                                          NULL), COR_EINVAL);
    /* a zero start vector */
    ck_assert_int_eq(cor_spectral_lanczos(w, lam, NULL, dense_apply, &op, z, COR_EIG_LARGEST,
                                          NULL), COR_EINVAL);
    /* a start vector that is an eigenvector: invariant subspace after one step, exact */
    ck_assert_int_eq(cor_vec_set_d(z, 1, 1, V), COR_OK);
    ck_assert_int_eq(cor_spectral_lanczos(w, lam, NULL, dense_apply, &op, z, COR_EIG_LARGEST,
                                          NULL), COR_OK);
    ck_assert_double_eq_tol(cor_scalar_get_d(lam), 2, 1e-15);
    /* the zero operator */
    {
        double Z[9] = {0};
        dense_op zop;
        dense_init(&zop, V, Z);
        ck_assert_int_eq(cor_spectral_lanczos(w, lam, NULL, dense_apply, &zop, NULL,
                                              COR_EIG_LARGEST, NULL), COR_OK);
        ck_assert(cor_scalar_get_d(lam) == 0);
        dense_clear(&zop);
    }
    /* an objective without HVP */
    {
        cor_expr_pool *P = cor_expr_pool_alloc();
        cor_node v[3] = {cor_expr_var(P, "a"), cor_expr_var(P, "b"), cor_expr_var(P, "c")}, f;
        cor_objective *obj;
        ck_assert_int_eq(cor_expr_parse(&f, NULL, "a*b*c", COR_PARSE_KNOWN_VARS, P), COR_OK);
        obj = cor_expr_objective_alloc(P, f, 3, v, V, 0);
        ck_assert_int_eq(cor_spectral_sharpness(w, lam, NULL, obj, z, NULL, NULL), COR_EINVAL);
        cor_objective_free(obj);
        cor_expr_pool_free(P);
    }
    dense_clear(&op);
    cor_vec_free(z);
    cor_scalar_free(lam);
    cor_spectral_free(w);
    cor_vspace_free(V);
}
END_TEST

/* ---- natural gradient ------------------------------------------------------------------ */

typedef struct
{
    const cor_vspace *V;
    size_t k, n;
    const double *J, *r;
} jac_ctx;

/* constant Jacobian and residual (a linear model) */
static int
const_jac(cor_vec *const *rows, cor_scalar *const *res, const cor_vec *x, void *ctx)
{
    jac_ctx *c = ctx;
    (void)x;
    for (size_t i = 0; i < c->k; i++)
    {
        for (size_t j = 0; j < c->n; j++)
            if (cor_vec_set_d(rows[i], j, c->J[i * c->n + j], c->V) != COR_OK)
                return COR_EINVAL;
        if (cor_scalar_set_d(res[i], c->r[i]) != COR_OK)
            return COR_EINVAL;
    }
    return COR_OK;
}

START_TEST(test_natgrad)
{
    cor_test_rng r;
    const size_t k = 4, n = 9;
    double J[36], rr[4], dp[9];
    size_t rank;
    cor_kind kinds[2] = {COR_F64, COR_MPFR};

    cor_test_rng_init(&r, cor_test_seed(), 11);
    for (size_t i = 0; i < k * n; i++)
        J[i] = cor_test_rng_uniform(&r, -1, 1);
    for (size_t i = 0; i < k; i++)
        rr[i] = cor_test_rng_uniform(&r, -1, 1);
    ck_assert_int_eq(cor_natgrad_pinv_d(dp, J, rr, k, n, 0, &rank), COR_OK);
    ck_assert_uint_eq(rank, k);
    for (int ki = 0; ki < 2; ki++)
    {
        cor_vspace *V = kinds[ki] == COR_MPFR ? cor_vspace_alloc_mpfr(n, 256)
                                               : cor_vspace_alloc_f64(n);
        jac_ctx c = {V, k, n, J, rr};
        cor_natgrad *w = cor_natgrad_alloc(V, k, const_jac, &c);
        cor_vec *d = cor_vec_alloc(V), *x = cor_vec_alloc(V), *row = cor_vec_alloc(V);
        cor_scalar *s = cor_scalar_alloc(V);
        mpfr_t e, t;

        mpfr_inits2(300, e, t, (mpfr_ptr)0);
        ck_assert_int_eq(cor_natgrad_direction(w, d, x), COR_OK);
        ck_assert(cor_natgrad_last_pivot_ratio(w) > 0);
        for (size_t j = 0; j < n; j++)
        {
            double dj;
            ck_assert_int_eq(cor_vec_get_d(&dj, d, j, V), COR_OK);
            ck_assert_msg(fabs(dj - dp[j]) <= 1e-12, "d_%zu %.17g vs SVD %.17g", j, dj, dp[j]);
        }
        /* J d = r: exact up to rounding at the space precision */
        for (size_t i = 0; i < k; i++)
        {
            for (size_t j = 0; j < n; j++)
                ck_assert_int_eq(cor_vec_set_d(row, j, J[i * n + j], V), COR_OK);
            ck_assert_int_eq(cor_vec_dot(s, row, d, V), COR_OK);
            ck_assert_int_eq(cor_scalar_get_mpfr(e, s), COR_OK);
            mpfr_sub_d(e, e, rr[i], MPFR_RNDN);
            ck_assert_msg(mpfr_cmpabs_ui(e, 0) == 0
                          || mpfr_get_exp(e) <= 8 - (mpfr_exp_t)cor_vspace_prec(V),
                          "(J d - r)_%zu = %.3e", i, mpfr_get_d(e, MPFR_RNDN));
        }
        /* damping shrinks the direction */
        {
            cor_scalar *n0 = cor_scalar_alloc(V), *n1 = cor_scalar_alloc(V);
            ck_assert_int_eq(cor_vec_nrm2(n0, d, V), COR_OK);
            ck_assert_int_eq(cor_natgrad_set_damping(w, "0.5"), COR_OK);
            ck_assert_int_eq(cor_natgrad_direction(w, d, x), COR_OK);
            ck_assert_int_eq(cor_vec_nrm2(n1, d, V), COR_OK);
            ck_assert(cor_scalar_cmp(n1, n0) < 0);
            ck_assert_int_eq(cor_natgrad_set_damping(w, "-1"), COR_EINVAL);
            cor_scalar_free(n0);
            cor_scalar_free(n1);
        }
        mpfr_clears(e, t, (mpfr_ptr)0);
        cor_scalar_free(s);
        cor_vec_free(d);
        cor_vec_free(x);
        cor_vec_free(row);
        cor_natgrad_free(w);
        cor_vspace_free(V);
    }
    /* rank deficient: row 4 = row 1 + row 2 -> Cholesky says EDOM, SVD keeps rank 3 and
     * gives the least-squares minimum-norm d (J^T J d = J^T r) */
    for (size_t j = 0; j < n; j++)
        J[3 * n + j] = J[0 * n + j] + J[1 * n + j];
    {
        cor_vspace *V = cor_vspace_alloc_f64(n);
        jac_ctx c = {V, k, n, J, rr};
        cor_natgrad *w = cor_natgrad_alloc(V, k, const_jac, &c);
        cor_vec *d = cor_vec_alloc(V), *x = cor_vec_alloc(V);
        double JtJd[9] = {0}, Jtr[9] = {0}, Jd[4] = {0};

        ck_assert_int_eq(cor_natgrad_direction(w, d, x), COR_EDOM);
        ck_assert_int_eq(cor_natgrad_pinv_d(dp, J, rr, k, n, 0, &rank), COR_OK);
        ck_assert_uint_eq(rank, 3);
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < n; j++)
                Jd[i] += J[i * n + j] * dp[j];
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < k; i++)
            {
                JtJd[j] += J[i * n + j] * Jd[i];
                Jtr[j] += J[i * n + j] * rr[i];
            }
        for (size_t j = 0; j < n; j++)
            ck_assert_double_eq_tol(JtJd[j], Jtr[j], 1e-12);
        /* with damping the Cholesky path works and approaches the SVD answer */
        ck_assert_int_eq(cor_natgrad_set_damping(w, "1e-9"), COR_OK);
        ck_assert_int_eq(cor_natgrad_direction(w, d, x), COR_OK);
        for (size_t j = 0; j < n; j++)
        {
            double dj;
            ck_assert_int_eq(cor_vec_get_d(&dj, d, j, V), COR_OK);
            ck_assert_double_eq_tol(dj, dp[j], 1e-6);
        }
        cor_vec_free(d);
        cor_vec_free(x);
        cor_natgrad_free(w);
        cor_vspace_free(V);
    }
}
END_TEST

int
main(void)
{
    const cor_test_case tests[] = {
        {"random_f64", test_random_f64},
        {"random_f32", test_random_f32},
        {"random_mpfr", test_random_mpfr},
        {"exact_spectrum_mpfr", test_exact_spectrum_mpfr},
        {"stopping_rule", test_stopping_rule},
        {"quadratic_sharpness", test_quadratic_sharpness},
        {"errors", test_errors},
        {"natgrad", test_natgrad},
    };
    return cor_test_run_cases("spectral", tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
