/* check_diff.c -- symbolic derivatives: known gradients, HVP, Hessian, H grad L, modified
 * losses, non-smooth conventions. Values are compared in MPFR at 256 bits against exact or
 * independently derived references. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "testlib.h"

#define PREC 256
static cor_expr_pool *P;
static cor_node V[4];

static void
setup(void)
{
    P = cor_test_expr_setup("x,y,z", V);
}

static void
teardown(void)
{
    cor_test_expr_teardown();
}

#define parse cor_test_parse

/* Evaluates the nodes outs[0..n) at the point (decimal strings) and compares each with the
 * reference expression refs[i] (parsed constant expressions), to 2^-(PREC-8) relative. */
static void
check_values(size_t n, const cor_node *outs, const char *const *pt, const char *const *refs)
{
    cor_node *all = malloc(2 * n * sizeof *all);
    for (size_t i = 0; i < n; i++)
    {
        all[i] = outs[i];
        all[n + i] = parse(refs[i]);
    }
    cor_tape *t = cor_tape_alloc(P, 3, V, 2 * n, all);
    ck_assert_ptr_nonnull(t);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, PREC);
    mpfr_t *o = malloc(2 * n * sizeof *o), d;
    for (size_t i = 0; i < 2 * n; i++)
        mpfr_init2(o[i], PREC);
    mpfr_init2(d, PREC);
    ck_assert_int_eq(cor_eval_mpfr_run_str(w, o, pt), COR_OK);
    for (size_t i = 0; i < n; i++)
    {
        mpfr_sub(d, o[i], o[n + i], MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        mpfr_div_2si(d, d, -(PREC - 8), MPFR_RNDN);
        int ok = mpfr_cmpabs(d, o[n + i]) <= 0 || (mpfr_zero_p(o[n + i]) && mpfr_zero_p(o[i]));
        if (!ok)
            mpfr_printf("output %zu = %.30Rg, expected %s = %.30Rg\n", i, o[i], refs[i],
                        o[n + i]);
        ck_assert(ok);
    }
    for (size_t i = 0; i < 2 * n; i++)
        mpfr_clear(o[i]);
    mpfr_clear(d);
    free(o);
    free(all);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}

START_TEST(test_grad_known)
{
    static const char *pt[] = {"0.7", "-1.3", "0.25"};
    cor_node g[3];
    struct
    {
        const char *f, *g[3];
    } cases[] = {
        {"sin(x)*exp(y)", {"cos(0.7)*exp(-1.3)", "sin(0.7)*exp(-1.3)", "0"}},
        {"x^3*y - z/x", {"3*0.7^2*(-1.3) + 0.25/0.7^2", "0.7^3", "-1/0.7"}},
        {"log(1 + exp(-x*y))", {"1.3/(1 + exp(-0.91))", "-0.7/(1 + exp(-0.91))", "0"}},
        {"softplus(x) + sigmoid(y) + tanh(z)",
         {"sigmoid(0.7)", "sigmoid(-1.3)*sigmoid(1.3)", "1 - tanh(0.25)^2"}},
        {"sqrt(x^2 + y^2 + z^2)",
         {"0.7/sqrt(2.2425)", "-1.3/sqrt(2.2425)", "0.25/sqrt(2.2425)"}},
        {"pow(x, z) + tan(y) + log1p(z) + expm1(x) + cos(z)",
         {"0.25*0.7^(0.25 - 1) + exp(0.7)", "1 + tan(-1.3)^2",
          "log(0.7)*0.7^0.25 + 1/1.25 - sin(0.25)"}},
        {"abs(y) + min(x, z) + max(x, z)", {"1", "-1", "1"}},
        {"2^x", {"log(2)*2^0.7", "0", "0"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        cor_node f = parse(cases[i].f);
        ck_assert_int_eq(cor_diff_grad(g, P, f, 3, V), COR_OK);
        check_values(3, g, pt, cases[i].g);
    }
}
END_TEST

START_TEST(test_rosenbrock_hg)
{
    /* PREDICTIONS.md P1 (ii): grad = (-12.76, -4.4), Hg = (-120703/125, -8756/25) */
    static const char *pt[] = {"-1.2", "1", "0"};
    static const char *gref[] = {"-12.76", "-4.4"};
    static const char *hgref[] = {"-120703/125", "-8756/25"};
    cor_node f = parse("0.5*(1-x)^2 + 5*(y-x^2)^2"), g[2], hg[2];
    ck_assert_int_eq(cor_diff_grad(g, P, f, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_hg(hg, P, f, g, 2, V), COR_OK);
    check_values(2, g, pt, gref);
    check_values(2, hg, pt, hgref);
    /* without a precomputed gradient, same nodes (hash-consing) */
    cor_node hg2[2];
    ck_assert_int_eq(cor_diff_hg(hg2, P, f, NULL, 2, V), COR_OK);
    ck_assert_uint_eq(hg2[0], hg[0]);
    ck_assert_uint_eq(hg2[1], hg[1]);
}
END_TEST

START_TEST(test_quadratic_exact)
{
    /* For a quadratic, grad, Hessian and Hg are exact rational expressions */
    cor_node f = parse("0.5*(x^2 + 10*y^2) + x*y/4 - z"), g[3], H[9], hg[3];
    ck_assert_int_eq(cor_diff_grad(g, P, f, 3, V), COR_OK);
    ck_assert_int_eq(cor_diff_hessian(H, P, f, g, 3, V), COR_OK);
    ck_assert_int_eq(cor_diff_hg(hg, P, f, g, 3, V), COR_OK);
    ck_assert_uint_eq(g[0], parse("x + y/4"));
    ck_assert_uint_eq(g[2], parse("-1"));
    ck_assert_uint_eq(H[0], parse("1"));
    ck_assert_uint_eq(H[1], parse("1/4"));
    ck_assert_uint_eq(H[3], H[1]);
    ck_assert_uint_eq(H[4], parse("10"));
    ck_assert_uint_eq(H[8], parse("0"));
    ck_assert_uint_eq(hg[0], parse("x + y/4 + (10*y + x/4)/4"));
}
END_TEST

START_TEST(test_hvp)
{
    static const char *pt[] = {"0.3", "0.6", "-0.9"};
    cor_node f = parse("exp(x*y) + sin(z)*x^2 + y/z"), g[3], H[9], hv[3], v[3], ref[3];
    v[0] = parse("1/3");
    v[1] = parse("-2");
    v[2] = parse("0.5");
    ck_assert_int_eq(cor_diff_grad(g, P, f, 3, V), COR_OK);
    ck_assert_int_eq(cor_diff_hessian(H, P, f, g, 3, V), COR_OK);
    ck_assert_int_eq(cor_diff_hvp(hv, P, f, g, 3, V, v), COR_OK);
    for (int i = 0; i < 3; i++)
    {
        cor_node t[3];
        for (int j = 0; j < 3; j++)
            t[j] = cor_expr_mul(P, H[3 * i + j], v[j]);
        ref[i] = cor_expr_sum(P, 3, t, NULL, NULL);
    }
    /* compare hv with H v numerically */
    cor_node all[6] = {hv[0], hv[1], hv[2], ref[0], ref[1], ref[2]};
    cor_tape *tp = cor_tape_alloc(P, 3, V, 6, all);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(tp, PREC);
    mpfr_t o[6];
    for (int i = 0; i < 6; i++)
        mpfr_init2(o[i], PREC);
    ck_assert_int_eq(cor_eval_mpfr_run_str(w, o, pt), COR_OK);
    for (int i = 0; i < 3; i++)
    {
        mpfr_sub(o[i], o[i], o[3 + i], MPFR_RNDN);
        ck_assert(mpfr_cmpabs_ui(o[i], 0) == 0 || mpfr_get_exp(o[i]) < -(PREC - 10));
    }
    for (int i = 0; i < 6; i++)
        mpfr_clear(o[i]);
    cor_eval_mpfr_free(w);
    cor_tape_free(tp);
}
END_TEST

START_TEST(test_modified_loss)
{
    /* IGR: grad(L + (h/4)|g|^2) = g + (h/2) H g, built from derivative expressions */
    static const char *pt[] = {"-1.2", "1", "0"};
    cor_node f = parse("0.5*(1-x)^2 + 5*(y-x^2)^2"), g[2], hg[2], n2, gm[2], ref[2];
    ck_assert_int_eq(cor_diff_grad(g, P, f, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_hg(hg, P, f, g, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad_norm2(&n2, P, f, g, 2, V), COR_OK);
    cor_node h = parse("1/100");
    cor_node lm = cor_expr_add(P, f, cor_expr_mul(P, cor_expr_div(P, h, parse("4")), n2));
    ck_assert_int_eq(cor_diff_grad(gm, P, lm, 2, V), COR_OK);
    for (int i = 0; i < 2; i++)
        ref[i] = cor_expr_add(P, g[i], cor_expr_mul(P, parse("1/200"), hg[i]));
    char *r0 = cor_expr_to_string(P, ref[0]), *r1 = cor_expr_to_string(P, ref[1]);
    const char *refs[2] = {r0, r1};
    check_values(2, gm, pt, refs);
    free(r0);
    free(r1);
}
END_TEST

START_TEST(test_nonsmooth_conventions)
{
    static const char *pt0[] = {"0", "2", "2"};
    static const char *r0[] = {"0", "1", "0"};
    cor_node g[3];
    /* d|x| at 0 is 0; min(y, z) at a tie takes the first argument (y) */
    cor_node f = parse("abs(x) + min(y, z)");
    ck_assert_int_eq(cor_diff_grad(g, P, f, 3, V), COR_OK);
    check_values(3, g, pt0, r0);
    /* derivative with respect to a subset of the variables */
    cor_node gy;
    ck_assert_int_eq(cor_diff_grad(&gy, P, parse("x*y^2 + z"), 1, &V[1]), COR_OK);
    ck_assert_uint_eq(gy, parse("2*x*y"));
    /* a variable the function does not contain has derivative 0 */
    ck_assert_int_eq(cor_diff_grad(&gy, P, parse("x^2"), 1, &V[2]), COR_OK);
    ck_assert_uint_eq(gy, parse("0"));
    /* invalid arguments */
    cor_node notvar = parse("x + 1");
    ck_assert_int_eq(cor_diff_grad(g, P, f, 1, &notvar), COR_EINVAL);
}
END_TEST

START_TEST(test_dir_and_size)
{
    cor_node f = parse("exp(x*y*z) + (x + y + z)^3"), d, dirs[3];
    dirs[0] = parse("1");
    dirs[1] = parse("0");
    dirs[2] = parse("0");
    ck_assert_int_eq(cor_diff_dir(&d, P, f, 3, V, dirs), COR_OK);
    cor_node g[3];
    ck_assert_int_eq(cor_diff_grad(g, P, f, 3, V), COR_OK);
    ck_assert_uint_eq(d, g[0]);
    /* reverse mode: the whole gradient costs a constant multiple of f */
    size_t sf = cor_expr_dag_size(P, 1, &f), sg = cor_expr_dag_size(P, 3, g);
    ck_assert_msg(sg <= 5 * sf, "gradient DAG %zu nodes for f of %zu", sg, sf);
}
END_TEST

int
main(void)
{
    const cor_test_case tests[] = {
        {"grad_known", test_grad_known},   {"rosenbrock_hg", test_rosenbrock_hg},
        {"quadratic_exact", test_quadratic_exact}, {"hvp", test_hvp},
        {"modified_loss", test_modified_loss}, {"nonsmooth", test_nonsmooth_conventions},
        {"dir_and_size", test_dir_and_size},
    };
    return cor_test_run_cases("diff", tests, sizeof tests / sizeof tests[0], setup, teardown);
}
