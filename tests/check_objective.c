/* check_objective.c -- the objective interface and the expression / batch objectives:
 * values and exact derivatives on the three backends, H v and H grad L against known values,
 * batch selection, capability and argument errors. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <mpfr.h>

#include "cor_expr.h"
#include "cor_objective.h"
#include "cor_vspace.h"
#include "testlib.h"

static cor_expr_pool *P;
static cor_node X[2];

static void
setup(void)
{
    P = cor_test_expr_setup("x,y", X);
}

static void
teardown(void)
{
    cor_test_expr_teardown();
}

#define parse cor_test_parse

static cor_vspace *
space(cor_kind k, size_t n)
{
    return k == COR_MPFR ? cor_vspace_alloc_mpfr(n, 200)
           : k == COR_F32 ? cor_vspace_alloc_f32(n)
                          : cor_vspace_alloc_f64(n);
}

START_TEST(test_rosenbrock_all_backends)
{
    /* case (ii) at (-1.2, 1): L = 6.1 + 0.5*4.84 ..., grad and H grad L known exactly:
     * Hg = (-120703/125, -8756/25) (P1) */
    static const cor_kind kinds[] = {COR_F64, COR_F32, COR_MPFR};
    static const double tol[] = {1e-12, 1e-4, 1e-12};
    cor_node f = parse("0.5*(1-x)^2 + 5*(y-x^2)^2");

    for (int k = 0; k < 3; k++)
    {
        cor_vspace *V = space(kinds[k], 2);
        cor_objective *o = cor_expr_objective_alloc(P, f, 2, X, V, COR_OBJ_WANT_HG | COR_OBJ_WANT_HVP);
        cor_vec *x = cor_vec_alloc(V), *g = cor_vec_alloc(V), *hg = cor_vec_alloc(V);
        cor_vec *hv = cor_vec_alloc(V);
        cor_scalar *L = cor_scalar_alloc(V);
        double d;

        ck_assert_ptr_nonnull(o);
        ck_assert(cor_objective_has(o, COR_OBJ_VALUE | COR_OBJ_GRAD | COR_OBJ_HG | COR_OBJ_HVP));
        ck_assert_int_eq(cor_vec_set_str(x, 0, "-1.2", V), COR_OK);
        ck_assert_int_eq(cor_vec_set_str(x, 1, "1", V), COR_OK);
        ck_assert_int_eq(cor_objective_value_grad(o, L, g, x), COR_OK);
        /* L = 0.5*2.2^2 + 5*(1-1.44)^2 = 2.42 + 0.968 = 3.388 */
        ck_assert_double_eq_tol(cor_scalar_get_d(L), 3.388, tol[k] * 4);
        /* g = (-(1-x) - 20 x (y - x^2), 10 (y - x^2)) = (-2.2 - 10.56, -4.4) */
        ck_assert_int_eq(cor_vec_get_d(&d, g, 0, V), COR_OK);
        ck_assert_double_eq_tol(d, -12.76, tol[k] * 20);
        ck_assert_int_eq(cor_vec_get_d(&d, g, 1, V), COR_OK);
        ck_assert_double_eq_tol(d, -4.4, tol[k] * 10);
        ck_assert_int_eq(cor_objective_hg(o, hg, x), COR_OK);
        ck_assert_int_eq(cor_vec_get_d(&d, hg, 0, V), COR_OK);
        ck_assert_double_eq_tol(d, -120703.0 / 125, tol[k] * 2000);
        ck_assert_int_eq(cor_vec_get_d(&d, hg, 1, V), COR_OK);
        ck_assert_double_eq_tol(d, -8756.0 / 25, tol[k] * 1000);
        /* H v with v = g equals H grad L */
        ck_assert_int_eq(cor_objective_hvp(o, hv, x, g), COR_OK);
        ck_assert_int_eq(cor_vec_get_d(&d, hv, 0, V), COR_OK);
        ck_assert_double_eq_tol(d, -120703.0 / 125, tol[k] * 2000);
        /* value alone and grad alone agree */
        ck_assert_int_eq(cor_objective_value(o, L, x), COR_OK);
        ck_assert_double_eq_tol(cor_scalar_get_d(L), 3.388, tol[k] * 4);
        ck_assert_int_eq(cor_objective_grad(o, hv, x), COR_OK);
        ck_assert_int_eq(cor_vec_get_d(&d, hv, 1, V), COR_OK);
        ck_assert_double_eq_tol(d, -4.4, tol[k] * 10);
        /* aliasing is refused, not silently wrong */
        ck_assert_int_eq(cor_objective_grad(o, x, x), COR_EINVAL);
        cor_vec_free(x);
        cor_vec_free(g);
        cor_vec_free(hg);
        cor_vec_free(hv);
        cor_scalar_free(L);
        cor_objective_free(o);
        cor_vspace_free(V);
    }
}
END_TEST

START_TEST(test_mpfr_exact_cone)
{
    /* at 1000 bits the cone's gradient at (3,-1,2)... here in 2-D: |(3,4)| = 5, g = (3/5, 4/5) */
    cor_node f = parse("sqrt(x^2 + y^2)");
    cor_vspace *V = cor_vspace_alloc_mpfr(2, 1000);
    cor_objective *o = cor_expr_objective_alloc(P, f, 2, X, V, 0);
    cor_vec *x = cor_vec_alloc(V), *g = cor_vec_alloc(V);
    cor_scalar *L = cor_scalar_alloc(V);

    ck_assert_int_eq(cor_vec_set_str(x, 0, "3", V), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(x, 1, "4", V), COR_OK);
    ck_assert_int_eq(cor_objective_value_grad(o, L, g, x), COR_OK);
    ck_assert(mpfr_cmp_ui(cor_vec_mpfr_srcptr(x, 0), 3) == 0);
    ck_assert_int_eq(cor_scalar_get_d(L) == 5.0, 1);
    mpfr_t q;
    mpfr_init2(q, 1000);
    mpfr_set_ui(q, 3, MPFR_RNDN);
    mpfr_div_ui(q, q, 5, MPFR_RNDN);
    ck_assert(mpfr_equal_p(q, cor_vec_mpfr_srcptr(g, 0)));
    mpfr_clear(q);
    /* no HG tape was asked for */
    ck_assert_int_eq(cor_objective_hg(o, g, x), COR_EUNSUP);
    ck_assert_int_eq(cor_objective_select_batch(o, 0), COR_EUNSUP);
    ck_assert_int_eq(cor_objective_select_batch(o, COR_BATCH_FULL), COR_OK);
    cor_vec_free(x);
    cor_vec_free(g);
    cor_scalar_free(L);
    cor_objective_free(o);
    cor_vspace_free(V);
}
END_TEST

START_TEST(test_batches)
{
    cor_node b[3] = {parse("x^2"), parse("y^2"), parse("x*y")};
    cor_vspace *V = cor_vspace_alloc_mpfr(2, 128);
    cor_objective *o = cor_expr_objective_alloc_batches(P, COR_NODE_NONE, 3, b, 2, X, V, 0);
    cor_vec *x = cor_vec_alloc(V);
    cor_scalar *L = cor_scalar_alloc(V);

    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->nbatches, 3);
    ck_assert_int_eq(cor_vec_set_str(x, 0, "2", V), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(x, 1, "3", V), COR_OK);
    ck_assert_int_eq(cor_objective_value(o, L, x), COR_OK); /* (4 + 9 + 6)/3 */
    ck_assert_double_eq_tol(cor_scalar_get_d(L), 19.0 / 3, 1e-15);
    ck_assert_int_eq(cor_objective_select_batch(o, 1), COR_OK);
    ck_assert_int_eq(cor_objective_value(o, L, x), COR_OK);
    ck_assert_double_eq_tol(cor_scalar_get_d(L), 9, 1e-15);
    ck_assert_int_eq(cor_objective_select_batch(o, 3), COR_EINVAL);
    ck_assert_int_eq(cor_objective_select_batch(o, COR_BATCH_FULL), COR_OK);
    ck_assert_int_eq(cor_objective_value(o, L, x), COR_OK);
    ck_assert_double_eq_tol(cor_scalar_get_d(L), 19.0 / 3, 1e-15);
    cor_vec_free(x);
    cor_scalar_free(L);
    cor_objective_free(o);
    cor_vspace_free(V);
}
END_TEST

START_TEST(test_errors)
{
    cor_node f = parse("x + y");
    cor_vspace *V3 = cor_vspace_alloc_f64(3);
    cor_vspace *V = cor_vspace_alloc_f64(2);
    cor_node z = cor_expr_var(P, "z");
    cor_node fz = parse("x + y");

    ck_assert_ptr_null(cor_expr_objective_alloc(P, f, 2, X, V3, 0)); /* dimension */
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
    ck_assert_ptr_null(cor_expr_objective_alloc(NULL, f, 2, X, V, 0));
    (void)z;
    (void)fz;
    /* a variable of f not among vars */
    cor_node g;
    ck_assert_int_eq(cor_expr_parse(&g, NULL, "x + z", 0, P), COR_OK);
    ck_assert_ptr_null(cor_expr_objective_alloc(P, g, 2, X, V, 0));
    /* dispatch on a caller-filled struct without capabilities */
    cor_objective empty = {V, 2, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    cor_vec *x = cor_vec_alloc(V);
    cor_scalar *L = cor_scalar_alloc(V);
    ck_assert_int_eq(cor_objective_value(&empty, L, x), COR_EUNSUP);
    ck_assert_int_eq(cor_objective_grad(&empty, x, x), COR_EUNSUP);
    ck_assert_int_eq(cor_objective_value(NULL, L, x), COR_EINVAL);
    cor_objective_free(NULL);
    cor_vec_free(x);
    cor_scalar_free(L);
    cor_vspace_free(V);
    cor_vspace_free(V3);
}
END_TEST

START_TEST(test_nonfinite)
{
    cor_node f = parse("log(x) + y");
    cor_vspace *V = cor_vspace_alloc_f64(2);
    cor_objective *o = cor_expr_objective_alloc(P, f, 2, X, V, 0);
    cor_vec *x = cor_vec_alloc(V), *g = cor_vec_alloc(V);
    cor_scalar *L = cor_scalar_alloc(V);

    ck_assert_int_eq(cor_vec_set_d(x, 0, -1.0, V), COR_OK);
    ck_assert_int_eq(cor_objective_value_grad(o, L, g, x), COR_NONFINITE);
    cor_vec_free(x);
    cor_vec_free(g);
    cor_scalar_free(L);
    cor_objective_free(o);
    cor_vspace_free(V);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("objective");
    const struct
    {
        const char *name;
        const TTest *test;
    } tests[] = {
        {"rosenbrock", test_rosenbrock_all_backends},
        {"mpfr_cone", test_mpfr_exact_cone},
        {"batches", test_batches},
        {"errors", test_errors},
        {"nonfinite", test_nonfinite},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, tests[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
