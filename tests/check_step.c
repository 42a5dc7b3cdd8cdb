/* check_step.c -- the stepper battery (STYLE.md section 10): every cor_step_type on f64, f32
 * and MPFR; exact recurrences and corridor exactness at 256 and 1024 bits (PREDICTIONS.md
 * P3, P6, P8, P11, cases (iv), (v), (vi), (viii)); the same gd/heavyball/clr code training a
 * small float32 MLP in a flat buffer; no GMP allocation in the MPFR stepping loop. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gmp.h>
#include <mpfr.h>

#include "cor_diff.h"
#include "cor_expr.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_vspace.h"
#include "testlib.h"

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct
{
    cor_expr_pool *pool;
    cor_vspace *V;
    cor_objective *obj;
    cor_vec *x;
    cor_scalar *h;
    size_t n;
} prob;

/* A problem: loss text (or m batch texts), variable names, space kind/precision, start point,
 * step size text. */
static void
prob_init(prob *p, size_t m, const char *const *texts, const char *const *vars, size_t n,
          cor_kind kind, mpfr_prec_t prec, const char *const *x0, const char *h)
{
    cor_node v[8], b[8];

    memset(p, 0, sizeof *p);
    p->n = n;
    p->pool = cor_expr_pool_alloc();
    for (size_t i = 0; i < n; i++)
        v[i] = cor_expr_var(p->pool, vars[i]);
    for (size_t k = 0; k < (m ? m : 1); k++)
        ck_assert_int_eq(cor_expr_parse(&b[k], NULL, texts[k], COR_PARSE_KNOWN_VARS, p->pool),
                         COR_OK);
    p->V = kind == COR_MPFR ? cor_vspace_alloc_mpfr(n, prec)
           : kind == COR_F32 ? cor_vspace_alloc_f32(n)
                             : cor_vspace_alloc_f64(n);
    ck_assert_ptr_nonnull(p->V);
    if (m)
        p->obj = cor_expr_objective_alloc_batches(p->pool, COR_NODE_NONE, m, b, n, v, p->V,
                                                  COR_OBJ_WANT_HG);
    else
        p->obj = cor_expr_objective_alloc(p->pool, b[0], n, v, p->V, COR_OBJ_WANT_HG);
    ck_assert_ptr_nonnull(p->obj);
    p->x = cor_vec_alloc(p->V);
    p->h = cor_scalar_alloc(p->V);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(cor_vec_set_str(p->x, i, x0[i], p->V), COR_OK);
    if (h)
        ck_assert_int_eq(cor_scalar_set_str(p->h, h), COR_OK);
}

static void
prob_clear(prob *p)
{
    cor_vec_free(p->x);
    cor_scalar_free(p->h);
    cor_objective_free(p->obj);
    cor_vspace_free(p->V);
    cor_expr_pool_free(p->pool);
}

static cor_step *
mkstep(const cor_step_type *T, const prob *p)
{
    cor_step *s = cor_step_alloc(T, p->V);
    ck_assert_msg(s != NULL, "alloc %s: %s", T->name, cor_last_error()->msg);
    return s;
}

static void
run_steps(cor_step *s, prob *p, int steps)
{
    for (int k = 0; k < steps; k++)
    {
        int st = cor_step_apply(s, p->obj, p->x, p->h, NULL);
        ck_assert_msg(st == COR_OK, "%s step %d: status %d (%s)", cor_step_name(s), k, st,
                      cor_last_error()->msg);
    }
}

/* |x_i - val| <= tol, val an MPFR number. */
static void
assert_coord(const prob *p, size_t i, mpfr_srcptr val, mpfr_exp_t log2tol)
{
    mpfr_t d;

    mpfr_init2(d, mpfr_get_prec(val) + 64);
    mpfr_sub(d, cor_vec_mpfr_srcptr(p->x, i), val, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    ck_assert_msg(mpfr_cmp_ui_2exp(d, 1, log2tol) <= 0,
                  "coordinate %zu: error %.3e exceeds 2^%ld", i + 1, mpfr_get_d(d, MPFR_RNDN),
                  (long)log2tol);
    mpfr_clear(d);
}

/* x_i = num/den up to 2^log2tol. */
static void
assert_coord_q(const prob *p, size_t i, long num, long den, mpfr_exp_t log2tol)
{
    mpfr_t q;

    mpfr_init2(q, cor_vspace_prec(p->V) + 64);
    mpfr_set_si(q, num, MPFR_RNDN);
    mpfr_div_si(q, q, den, MPFR_RNDN);
    assert_coord(p, i, q, log2tol);
    mpfr_clear(q);
}

static const char *const XY[] = {"x", "y"};
static const char *const XYZ[] = {"x", "y", "z"};
static const char *const QUAD[] = {"0.5*(x^2 + 10*y^2)"};
static const char *const CONE[] = {"sqrt(x^2 + y^2 + z^2)"};
static const char *const LIN[] = {"2*x - y + 1"};
static const char *const P11[] = {"1", "1"};
static const char *const P312[] = {"3", "-1", "2"};

/* ---- the battery: every type, every backend ------------------------------------------------ */

static void
set_defaults(cor_step *s)
{
    const char *name = cor_step_get_type(s)->name;

    if (strcmp(name, "sps") == 0 || strcmp(name, "decsps") == 0)
        ck_assert_int_eq(cor_step_set_param(s, "gamma_b", "0.05"), COR_OK);
    if (strcmp(name, "clr") == 0)
        ck_assert_int_eq(cor_step_set_param(s, "lr_max", "0.05"), COR_OK);
}

START_TEST(test_battery)
{
    /* each type on 0.5(x^2+10y^2) split in two batches: the loss falls in 5 steps, h = 0.01;
     * every backend */
    static const char *const batches[] = {"x^2", "10*y^2"};
    static const cor_kind kinds[] = {COR_F64, COR_F32, COR_MPFR};

    for (size_t t = 0; cor_step_types[t]; t++)
        for (size_t kk = 0; kk < 3; kk++)
        {
            prob p;
            cor_step *s;
            cor_scalar *L0, *L1;
            const char *h = strcmp(cor_step_types[t]->name, "adam") == 0 ? "0.05" : "0.01";

            prob_init(&p, 2, batches, XY, 2, kinds[kk], 128, P11, h);
            s = mkstep(cor_step_types[t], &p);
            set_defaults(s);
            L0 = cor_scalar_alloc(p.V);
            L1 = cor_scalar_alloc(p.V);
            ck_assert_int_eq(cor_objective_value(p.obj, L0, p.x), COR_OK);
            run_steps(s, &p, 5);
            ck_assert_int_eq(cor_objective_value(p.obj, L1, p.x), COR_OK);
            ck_assert_msg(cor_scalar_cmp(L1, L0) < 0, "%s on %s: loss %g -> %g",
                          cor_step_types[t]->name, cor_vspace_name(p.V), cor_scalar_get_d(L0),
                          cor_scalar_get_d(L1));
            ck_assert_ptr_eq(cor_step_type_lookup(cor_step_types[t]->name), cor_step_types[t]);
            cor_scalar_free(L0);
            cor_scalar_free(L1);
            cor_step_free(s);
            prob_clear(&p);
        }
}
END_TEST

START_TEST(test_info_and_errors)
{
    prob p;
    cor_step *s;
    cor_step_info info;
    cor_vec *w;
    cor_vspace *W = cor_vspace_alloc_mpfr(3, 64);

    prob_init(&p, 0, QUAD, XY, 2, COR_MPFR, 64, P11, "0.01");
    s = mkstep(&cor_step_gd, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, p.h, &info), COR_OK);
    /* info refers to x_0 = (1,1): L = 5.5, |g| = sqrt(101) */
    ck_assert_ptr_nonnull(info.loss);
    ck_assert_double_eq_tol(cor_scalar_get_d(info.loss), 5.5, 1e-15);
    ck_assert_double_eq_tol(cor_scalar_get_d(info.grad_norm), sqrt(101.0), 1e-14);
    ck_assert_double_eq_tol(cor_scalar_get_d(info.lr), 0.01, 1e-17);
    ck_assert_uint_eq(info.count, 1);
    /* errors: missing h, unknown parameter, wrong dimension, a bad number */
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, NULL), COR_EINVAL);
    ck_assert_int_eq(cor_step_set_param(s, "beta", "0.5"), COR_EINVAL);
    w = cor_vec_alloc(W);
    ck_assert_int_eq(cor_step_apply(s, p.obj, w, p.h, NULL), COR_EBADLEN);
    cor_step_free(s);
    s = mkstep(&cor_step_heavyball, &p);
    ck_assert_int_eq(cor_step_set_param(s, "beta", "zero"), COR_EPARSE);
    cor_step_free(s);
    /* sgd needs batches */
    s = mkstep(&cor_step_sgd, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, p.h, NULL), COR_EINVAL);
    cor_step_free(s);
    /* divergence: h = 0.21 > 2/10 on the quadratic with a bound of 100 */
    s = mkstep(&cor_step_gd, &p);
    ck_assert_int_eq(cor_step_set_param(s, "bound", "100"), COR_OK);
    ck_assert_int_eq(cor_scalar_set_str(p.h, "0.21"), COR_OK);
    int st = COR_OK, k = 0;
    while (st == COR_OK && k < 1000)
        st = cor_step_apply(s, p.obj, p.x, p.h, NULL), k++;
    ck_assert_int_eq(st, COR_DIVERGED);
    /* from (0.99, 0.9) after the first step: |y| = 0.9 * 1.1^k > 100 first at k = 50 */
    ck_assert_int_eq(k, 50);
    cor_step_free(s);
    cor_vec_free(w);
    cor_vspace_free(W);
    prob_clear(&p);
    cor_step_free(NULL);
}
END_TEST

START_TEST(test_nonfinite)
{
    /* the cone at its apex: the gradient 0/0 is NaN -> COR_NONFINITE, not a crash */
    static const char *const zero[] = {"0", "0", "0"};
    prob p;
    cor_step *s;

    prob_init(&p, 0, CONE, XYZ, 3, COR_F64, 53, zero, "0.1");
    s = mkstep(&cor_step_gd, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, p.h, NULL), COR_NONFINITE);
    cor_step_free(s);
    prob_clear(&p);
}
END_TEST

/* ---- exact recurrences and corridors ------------------------------------------------------- */

START_TEST(test_gd_linear_recurrence)
{
    /* GD on 0.5(x^2+10y^2), h = 1/100: x_k = 0.99^k, y_k = 0.9^k exactly (up to rounding) */
    prob p;
    cor_step *s;
    mpfr_t e;

    prob_init(&p, 0, QUAD, XY, 2, COR_MPFR, 256, P11, "0.01");
    s = mkstep(&cor_step_gd, &p);
    run_steps(s, &p, 200);
    mpfr_init2(e, 320);
    mpfr_set_ui(e, 99, MPFR_RNDN);
    mpfr_div_ui(e, e, 100, MPFR_RNDN);
    mpfr_pow_ui(e, e, 200, MPFR_RNDN);
    assert_coord(&p, 0, e, -245);
    mpfr_set_ui(e, 9, MPFR_RNDN);
    mpfr_div_ui(e, e, 10, MPFR_RNDN);
    mpfr_pow_ui(e, e, 200, MPFR_RNDN);
    assert_coord(&p, 1, e, -245);
    mpfr_clear(e);
    cor_step_free(s);
    prob_clear(&p);
}
END_TEST

START_TEST(test_rk4_local_order)
{
    /* one RK4 step from (1,1): (RK4 - e^{-h lambda})/h^5 -> lambda^5/120 - h lambda^6/720 */
    static const char *const hs[] = {"0.001", "0.0005"};
    static const double hv[] = {1e-3, 5e-4};
    const double lam[] = {1, 10};

    for (int j = 0; j < 2; j++)
    {
        prob p;
        cor_step *s;
        mpfr_t e, d;

        prob_init(&p, 0, QUAD, XY, 2, COR_MPFR, 256, P11, hs[j]);
        s = mkstep(&cor_step_rk4, &p);
        run_steps(s, &p, 1);
        mpfr_inits2(256, e, d, (mpfr_ptr)0);
        for (size_t i = 0; i < 2; i++)
        {
            double pred = pow(lam[i], 5) / 120 - hv[j] * pow(lam[i], 6) / 720
                          + hv[j] * hv[j] * pow(lam[i], 7) / 5040;
            mpfr_set_str(e, hs[j], 10, MPFR_RNDN);
            mpfr_mul_ui(e, e, (unsigned long)lam[i], MPFR_RNDN);
            mpfr_neg(e, e, MPFR_RNDN);
            mpfr_exp(e, e, MPFR_RNDN);
            mpfr_sub(d, cor_vec_mpfr_srcptr(p.x, i), e, MPFR_RNDN);
            mpfr_set_str(e, hs[j], 10, MPFR_RNDN);
            mpfr_pow_ui(e, e, 5, MPFR_RNDN);
            mpfr_div(d, d, e, MPFR_RNDN);
            ck_assert_double_eq_tol(mpfr_get_d(d, MPFR_RNDN), pred, 1e-6 * pred);
        }
        mpfr_clears(e, d, (mpfr_ptr)0);
        cor_step_free(s);
        prob_clear(&p);
    }
}
END_TEST

/* GD and RK4 inside the cone from (3,-1,2), h = 0.1, 20 steps: theta0 (1 - 2/sqrt 14). */
static void
corridor_exact(const cor_step_type *T, mpfr_prec_t prec)
{
    prob p;
    cor_step *s;
    mpfr_t r, v;
    static const long th0[] = {3, -1, 2};

    prob_init(&p, 0, CONE, XYZ, 3, COR_MPFR, prec, P312, "0.1");
    s = mkstep(T, &p);
    run_steps(s, &p, 20);
    mpfr_inits2(prec + 64, r, v, (mpfr_ptr)0);
    mpfr_sqrt_ui(r, 14, MPFR_RNDN);
    mpfr_ui_div(r, 2, r, MPFR_RNDN);
    mpfr_ui_sub(r, 1, r, MPFR_RNDN);
    for (size_t i = 0; i < 3; i++)
    {
        mpfr_mul_si(v, r, th0[i], MPFR_RNDN);
        assert_coord(&p, i, v, -(mpfr_exp_t)prec + 20);
    }
    mpfr_clears(r, v, (mpfr_ptr)0);
    cor_step_free(s);
    prob_clear(&p);
}

START_TEST(test_corridor_gd_rk4)
{
    corridor_exact(&cor_step_gd, 256);
    corridor_exact(&cor_step_gd, 1024);
    corridor_exact(&cor_step_rk4, 256);
    corridor_exact(&cor_step_rk4, 1024);
    corridor_exact(&cor_step_rk38, 256);
    corridor_exact(&cor_step_heun, 256);
}
END_TEST

START_TEST(test_heavyball_tau)
{
    /* P6 on 2x - y + 1 from (1,1), beta = 0.9, h = 0.05: theta_k = (1 - 2 tau_k, 1 + tau_k),
     * tau_1 = 1/20, tau_2 = 29/200, tau_3 = 561/2000, tau_5 = 131441/200000 */
    static const long num[] = {1, 29, 561, 0, 131441}, den[] = {20, 200, 2000, 1, 200000};
    prob p;
    cor_step *s;

    prob_init(&p, 0, LIN, XY, 2, COR_MPFR, 256, P11, "0.05");
    s = mkstep(&cor_step_heavyball, &p);
    ck_assert_int_eq(cor_step_set_param(s, "beta", "0.9"), COR_OK);
    for (int k = 0; k < 5; k++)
    {
        run_steps(s, &p, 1);
        if (num[k] == 0)
            continue;
        assert_coord_q(&p, 0, den[k] - 2 * num[k], den[k], -250);
        assert_coord_q(&p, 1, den[k] + num[k], den[k], -250);
    }
    /* reset restores v0 = 0: from (1,1) again, three steps give tau_3 = 561/2000 */
    ck_assert_int_eq(cor_step_reset(s), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(p.x, 0, "1", p.V), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(p.x, 1, "1", p.V), COR_OK);
    run_steps(s, &p, 3);
    assert_coord_q(&p, 0, 2000 - 2 * 561, 2000, -250);
    assert_coord_q(&p, 1, 2000 + 561, 2000, -250);
    cor_step_free(s);
    prob_clear(&p);
}
END_TEST

START_TEST(test_heavyball_steady_start)
{
    /* v0 = -h g0/(1-beta) = -0.5 (2,-1) = (-1, 0.5): theta_k = theta_GF(k h/(1-beta)) =
     * (1 - k, 1 + k/2) exactly on the linear piece */
    prob p;
    cor_step *s;
    cor_vec *v0;

    prob_init(&p, 0, LIN, XY, 2, COR_MPFR, 256, P11, "0.05");
    s = mkstep(&cor_step_heavyball, &p);
    v0 = cor_vec_alloc(p.V);
    ck_assert_int_eq(cor_vec_set_str(v0, 0, "-1", p.V), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(v0, 1, "0.5", p.V), COR_OK);
    ck_assert_int_eq(cor_step_set_vec(s, "v0", v0), COR_OK);
    run_steps(s, &p, 10);
    assert_coord_q(&p, 0, -9, 1, -245);
    assert_coord_q(&p, 1, 6, 1, -245);
    cor_vec_free(v0);
    cor_step_free(s);
    prob_clear(&p);
}
END_TEST

START_TEST(test_clr_one_step)
{
    prob p;
    cor_step *s;
    cor_step_info info;
    static const char *const CCONE[] = {"-sqrt(x^2 + y^2 + z^2)"};
    static const char *const CONE5[] = {"sqrt(x^2 + y^2 + z^2) + 5"};

    /* cone from (3,-1,2): eta = sqrt 14, theta_1 = 0 */
    prob_init(&p, 0, CONE, XYZ, 3, COR_MPFR, 256, P312, NULL);
    s = mkstep(&cor_step_clr, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, &info), COR_OK);
    for (size_t i = 0; i < 3; i++)
        assert_coord_q(&p, i, 0, 1, -250);
    ck_assert_double_eq_tol(cor_scalar_get_d(info.lr), sqrt(14.0), 1e-14);
    cor_step_free(s);
    prob_clear(&p);

    /* concave cone: eta = -sqrt 14 < 0 is followed (default), theta_1 = 0 */
    prob_init(&p, 0, CCONE, XYZ, 3, COR_MPFR, 256, P312, NULL);
    s = mkstep(&cor_step_clr, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, &info), COR_OK);
    ck_assert_double_eq_tol(cor_scalar_get_d(info.lr), -sqrt(14.0), 1e-14);
    for (size_t i = 0; i < 3; i++)
        assert_coord_q(&p, i, 0, 1, -250);
    /* with clipping the step is 0 */
    ck_assert_int_eq(cor_step_set_param(s, "clip", "1"), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(p.x, 0, "3", p.V), COR_OK);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, &info), COR_OK);
    ck_assert_int_eq(cor_scalar_sgn(info.lr), 0);
    cor_step_free(s);
    prob_clear(&p);

    /* |theta| + 5 with L* = 5: lands at the apex */
    prob_init(&p, 0, CONE5, XYZ, 3, COR_MPFR, 256, P312, NULL);
    s = mkstep(&cor_step_clr, &p);
    ck_assert_int_eq(cor_step_set_param(s, "lstar", "5"), COR_OK);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, NULL), COR_OK);
    for (size_t i = 0; i < 3; i++)
        assert_coord_q(&p, i, 0, 1, -248);
    cor_step_free(s);
    prob_clear(&p);

    /* 2x - y + 1 from (1,1): eta = 2/5, theta_1 = (0.2, 1.4); lr_max = 0.1 caps it */
    prob_init(&p, 0, LIN, XY, 2, COR_MPFR, 256, P11, NULL);
    s = mkstep(&cor_step_clr, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, NULL), COR_OK);
    assert_coord_q(&p, 0, 1, 5, -250);
    assert_coord_q(&p, 1, 7, 5, -250);
    ck_assert_int_eq(cor_step_set_param(s, "lr_max", "0.1"), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(p.x, 0, "1", p.V), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(p.x, 1, "1", p.V), COR_OK);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, &info), COR_OK);
    assert_coord_q(&p, 0, 8, 10, -250);
    assert_coord_q(&p, 1, 11, 10, -250);
    cor_step_free(s);
    prob_clear(&p);

    /* 0.5(x^2+10y^2) from (1,1): theta_1 = (191/202, 46/101) (P11) */
    prob_init(&p, 0, QUAD, XY, 2, COR_MPFR, 256, P11, NULL);
    s = mkstep(&cor_step_clr, &p);
    ck_assert_int_eq(cor_step_apply(s, p.obj, p.x, NULL, NULL), COR_OK);
    assert_coord_q(&p, 0, 191, 202, -250);
    assert_coord_q(&p, 1, 46, 101, -250);
    cor_step_free(s);
    prob_clear(&p);
}
END_TEST

static const char *const CASE6[] = {"0.5*(x + 2*y - 1)^2", "0.5*(2*x - y)^2",
                                    "0.5*(x + y - 2)^2", "0.5*(-x + 3*y + 1)^2"};
static const char *const CASE6_X0[] = {"0.5", "-0.5"};

START_TEST(test_sgd_case6)
{
    prob p;
    cor_step *s;

    /* fixed order 1,2,3,4: (2057/4000, -691/4000) */
    prob_init(&p, 4, CASE6, XY, 2, COR_MPFR, 256, CASE6_X0, "0.05");
    s = mkstep(&cor_step_sgd, &p);
    ck_assert_int_eq(cor_step_set_param(s, "order", "1,2,3,4"), COR_OK);
    run_steps(s, &p, 4);
    assert_coord_q(&p, 0, 2057, 4000, -250);
    assert_coord_q(&p, 1, -691, 4000, -250);
    cor_step_free(s);
    prob_clear(&p);

    /* all 24 orders: (14921/30720, -19627/153600) */
    prob_init(&p, 4, CASE6, XY, 2, COR_MPFR, 256, CASE6_X0, "0.05");
    s = mkstep(&cor_step_sgd, &p);
    ck_assert_int_eq(cor_step_set_param(s, "mode", "all"), COR_OK);
    run_steps(s, &p, 4);
    assert_coord_q(&p, 0, 14921, 30720, -248);
    assert_coord_q(&p, 1, -19627, 153600, -248);
    cor_step_free(s);
    prob_clear(&p);

    /* seeded shuffles are reproducible, and an epoch visits every batch once: the mean of
     * the per-batch gradients is the full gradient, so with h -> 0 ... here just determinism */
    double a[2][2];
    for (int r = 0; r < 2; r++)
    {
        prob_init(&p, 4, CASE6, XY, 2, COR_F64, 53, CASE6_X0, "0.05");
        s = mkstep(&cor_step_sgd, &p);
        ck_assert_int_eq(cor_step_set_param(s, "mode", "shuffle"), COR_OK);
        ck_assert_int_eq(cor_step_set_param(s, "seed", "42"), COR_OK);
        run_steps(s, &p, 12);
        for (size_t i = 0; i < 2; i++)
            ck_assert_int_eq(cor_vec_get_d(&a[r][i], p.x, i, p.V), COR_OK);
        cor_step_free(s);
        prob_clear(&p);
    }
    ck_assert(a[0][0] == a[1][0] && a[0][1] == a[1][1]);
}
END_TEST

/* ---- float32: a small MLP in one flat buffer, trained by the same gd/heavyball/clr ------- */

/* 2-H-1 tanh MLP, squared loss on N points; params = [W1 (H x 2), b1 (H), w2 (H), b2]. */
enum
{
    MLP_H = 8,
    MLP_N = 16,
    MLP_P = MLP_H * 2 + MLP_H + MLP_H + 1
};

typedef struct
{
    float X[MLP_N][2], Y[MLP_N];
} mlp_data;

static int
mlp_value_grad(cor_scalar *L, cor_vec *g, const cor_vec *x, void *params)
{
    const mlp_data *D = params;
    const float *w = cor_vec_const_data_f32(x);
    const float *W1 = w, *b1 = w + 2 * MLP_H, *w2 = b1 + MLP_H, *b2 = w2 + MLP_H;
    float *gw = g ? cor_vec_data_f32(g) : NULL;
    double loss = 0;

    if (gw)
        memset(gw, 0, MLP_P * sizeof *gw);
    for (int i = 0; i < MLP_N; i++)
    {
        float a[MLP_H], out = b2[0];
        for (int j = 0; j < MLP_H; j++)
        {
            a[j] = tanhf(W1[2 * j] * D->X[i][0] + W1[2 * j + 1] * D->X[i][1] + b1[j]);
            out += w2[j] * a[j];
        }
        float r = out - D->Y[i];
        loss += 0.5 * r * r / MLP_N;
        if (!gw)
            continue;
        float dr = r / MLP_N;
        for (int j = 0; j < MLP_H; j++)
        {
            float da = dr * w2[j] * (1 - a[j] * a[j]);
            gw[2 * MLP_H + MLP_H + j] += dr * a[j];
            gw[2 * j] += da * D->X[i][0];
            gw[2 * j + 1] += da * D->X[i][1];
            gw[2 * MLP_H + j] += da;
        }
        gw[MLP_P - 1] += dr;
    }
    if (L)
        return cor_scalar_set_d(L, loss);
    return COR_OK;
}

static int
mlp_value(cor_scalar *L, const cor_vec *x, void *params)
{
    return mlp_value_grad(L, NULL, x, params);
}

static int
mlp_grad(cor_vec *g, const cor_vec *x, void *params)
{
    return mlp_value_grad(NULL, g, x, params);
}

static double
train_mlp(const cor_step_type *T, const char *lr, const char *param, const char *val,
          double *loss0)
{
    static mlp_data D;
    float buf[MLP_P];
    cor_vspace *V = cor_vspace_alloc_f32(MLP_P);
    cor_vec *x = cor_vec_wrap_f32(V, buf);
    cor_scalar *h = cor_scalar_alloc(V), *L = cor_scalar_alloc(V);
    cor_objective obj = {V, MLP_P, COR_OBJ_VALUE | COR_OBJ_GRAD | COR_OBJ_VALUE_GRAD, 0,
                         mlp_value, mlp_grad, mlp_value_grad, NULL, NULL, NULL, NULL, &D};
    cor_step *s = cor_step_alloc(T, V);
    double out;

    for (int i = 0; i < MLP_N; i++)
    {
        D.X[i][0] = (float)cos(0.4 * i);
        D.X[i][1] = (float)sin(0.7 * i);
        D.Y[i] = (float)(sin(1.5 * D.X[i][0]) * D.X[i][1]);
    }
    for (int j = 0; j < MLP_P; j++)
        buf[j] = (float)(0.5 * sin(1.0 + 3.7 * j));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(cor_scalar_set_str(h, lr), COR_OK);
    if (param)
        ck_assert_int_eq(cor_step_set_param(s, param, val), COR_OK);
    ck_assert_int_eq(cor_objective_value(&obj, L, x), COR_OK);
    *loss0 = cor_scalar_get_d(L);
    for (int k = 0; k < 300; k++)
        ck_assert_int_eq(cor_step_apply(s, &obj, x, h, NULL), COR_OK);
    ck_assert_int_eq(cor_objective_value(&obj, L, x), COR_OK);
    out = cor_scalar_get_d(L);
    cor_step_free(s);
    cor_scalar_free(h);
    cor_scalar_free(L);
    cor_vec_free(x);
    cor_vspace_free(V);
    return out;
}

START_TEST(test_f32_mlp)
{
    double l0, l;

    l = train_mlp(&cor_step_gd, "0.5", NULL, NULL, &l0);
    ck_assert_msg(l < 0.5 * l0, "gd: %g -> %g", l0, l);
    l = train_mlp(&cor_step_heavyball, "0.1", "beta", "0.9", &l0);
    ck_assert_msg(l < 0.5 * l0, "heavyball: %g -> %g", l0, l);
    l = train_mlp(&cor_step_clr, "0", "lr_max", "1", &l0);
    ck_assert_msg(l < 0.5 * l0, "clr: %g -> %g", l0, l);
}
END_TEST

/* ---- no GMP allocation in the MPFR stepping loop ----------------------------------------- */


START_TEST(test_no_alloc)
{
    static const char *const batches[] = {"0.5*(1-x)^2 + 5*(y-x^2)^2", "x^2*y^2/(1 + y^2)"};

    for (size_t t = 0; cor_step_types[t]; t++)
    {
        prob p;
        cor_step *s;
        size_t allocs, resizes;
        static const char *const x0[] = {"0.3", "0.2"};

        prob_init(&p, 2, batches, XY, 2, COR_MPFR, 256, x0, "0.001");
        s = mkstep(cor_step_types[t], &p);
        set_defaults(s);
        run_steps(s, &p, 1); /* prepare (sgd allocates its order here) */
        cor_test_gmp_count_start();
        for (int k = 0; k < 50; k++)
            if (cor_step_apply(s, p.obj, p.x, p.h, NULL) != COR_OK)
                break;
        cor_test_gmp_count_stop(&allocs, &resizes, NULL);
        ck_assert_msg(allocs + resizes == 0, "%s: %zu GMP allocations, %zu resizes in 50 steps",
                      cor_step_types[t]->name, allocs, resizes);
        cor_step_free(s);
        prob_clear(&p);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("step");
    const struct
    {
        const char *name;
        const TTest *test;
    } tests[] = {
        {"battery", test_battery},
        {"info_errors", test_info_and_errors},
        {"nonfinite", test_nonfinite},
        {"gd_linear", test_gd_linear_recurrence},
        {"rk4_order", test_rk4_local_order},
        {"corridor", test_corridor_gd_rk4},
        {"heavyball_tau", test_heavyball_tau},
        {"heavyball_steady", test_heavyball_steady_start},
        {"clr", test_clr_one_step},
        {"sgd_case6", test_sgd_case6},
        {"f32_mlp", test_f32_mlp},
        {"no_alloc", test_no_alloc},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_test(tc, tests[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
