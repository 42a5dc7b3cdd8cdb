/* check_eval.c -- tapes: exact constants at any precision, double vs MPFR, non-finite
 * outcomes, compile errors, scales, and no allocation while running. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "testlib.h"

static cor_expr_pool *P;
static cor_node V[2];

static void
setup(void)
{
    P = cor_expr_pool_alloc();
    V[0] = cor_expr_var(P, "x");
    V[1] = cor_expr_var(P, "y");
}

static void
teardown(void)
{
    cor_expr_pool_free(P);
}

static cor_node
parse(const char *s)
{
    cor_node n = COR_NODE_NONE;
    ck_assert_msg(cor_expr_parse(&n, NULL, s, COR_PARSE_KNOWN_VARS, P) == COR_OK, "%s: %s", s,
                  cor_last_error()->msg);
    return n;
}

START_TEST(test_constants_any_precision)
{
    /* 1/3 and pi rounded once at each precision, equal to MPFR's own correctly rounded values */
    cor_node outs[3] = {parse("1/3"), parse("pi"), parse("0.1 + x")};
    cor_tape *t = cor_tape_alloc(P, 2, V, 3, outs);
    ck_assert_ptr_nonnull(t);
    static const mpfr_prec_t precs[] = {2, 53, 113, 256, 1024, 4000};
    for (size_t i = 0; i < sizeof precs / sizeof precs[0]; i++)
    {
        mpfr_prec_t p = precs[i];
        cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, p);
        ck_assert_ptr_nonnull(w);
        ck_assert_int_eq(cor_eval_mpfr_prec(w), p);
        mpfr_t o[3], ref, in[2];
        for (int k = 0; k < 3; k++)
            mpfr_init2(o[k], p);
        mpfr_inits2(p, ref, in[0], in[1], (mpfr_ptr)0);
        mpfr_set_zero(in[0], 1);
        mpfr_set_zero(in[1], 1);
        ck_assert_int_eq(cor_eval_mpfr_run(w, o, (const mpfr_t *)in), COR_OK);
        mpfr_set_ui(ref, 1, MPFR_RNDN);
        mpfr_div_ui(ref, ref, 3, MPFR_RNDN);
        ck_assert(mpfr_equal_p(o[0], ref));
        mpfr_const_pi(ref, MPFR_RNDN);
        ck_assert(mpfr_equal_p(o[1], ref));
        mpfr_set_str(ref, "0.1", 10, MPFR_RNDN);
        ck_assert(mpfr_equal_p(o[2], ref));
        for (int k = 0; k < 3; k++)
            mpfr_clear(o[k]);
        mpfr_clears(ref, in[0], in[1], (mpfr_ptr)0);
        cor_eval_mpfr_free(w);
    }
    ck_assert_ptr_null(cor_eval_mpfr_alloc(t, 0));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    cor_tape_free(t);
}
END_TEST

START_TEST(test_double_vs_mpfr)
{
    static const char *exprs[] = {
        "exp(x)*sin(y) - log1p(x^2)/(1 + y^2)", "sigmoid(3*x - y) + softplus(-2*y)",
        "tanh(x*y) + sqrt(1 + x^2) + cos(x)^2", "pow(1 + x^2, y) + expm1(y/3) - tan(x/2)",
        "abs(x - y) + min(x, y)^3 - max(x, 2*y)", "x^-2 + y^5 + 2^x"};
    static const double pts[][2] = {{0.3, -0.7}, {-1.1, 0.2}, {2.5, 1.75}};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
    {
        cor_node f = parse(exprs[i]);
        cor_tape *t = cor_tape_alloc(P, 2, V, 1, &f);
        cor_eval_d *wd = cor_eval_d_alloc(t);
        cor_eval_mpfr *wm = cor_eval_mpfr_alloc(t, 200);
        for (size_t k = 0; k < 3; k++)
        {
            double vd, sd;
            mpfr_t in[2], vm;
            mpfr_inits2(200, in[0], in[1], vm, (mpfr_ptr)0);
            mpfr_set_d(in[0], pts[k][0], MPFR_RNDN);
            mpfr_set_d(in[1], pts[k][1], MPFR_RNDN);
            ck_assert_int_eq(cor_eval_d_run(wd, &vd, pts[k]), COR_OK);
            ck_assert_int_eq(cor_eval_d_scale(wd, &sd), COR_OK);
            ck_assert_int_eq(cor_eval_mpfr_run(wm, &vm, (const mpfr_t *)in), COR_OK);
            double ref = mpfr_get_d(vm, MPFR_RNDN);
            ck_assert_msg(fabs(vd - ref) <= 1e-14 * sd, "%s at point %zu: %.17g vs %.17g",
                          exprs[i], k, vd, ref);
            ck_assert(sd >= fabs(vd));
            mpfr_clears(in[0], in[1], vm, (mpfr_ptr)0);
        }
        cor_eval_d_free(wd);
        cor_eval_mpfr_free(wm);
        cor_tape_free(t);
    }
}
END_TEST

START_TEST(test_nonfinite)
{
    static const char *exprs[] = {"log(x)", "sqrt(x)", "1/(x + 1)", "y^-1 + x", "pow(x, 0.5)",
                                  "log(-1 - y^2)"};
    double pt[2] = {-1, 0};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
    {
        cor_node f = parse(exprs[i]);
        cor_tape *t = cor_tape_alloc(P, 2, V, 1, &f);
        cor_eval_d *wd = cor_eval_d_alloc(t);
        cor_eval_mpfr *wm = cor_eval_mpfr_alloc(t, 128);
        double v;
        mpfr_t vm;
        mpfr_init2(vm, 128);
        static const char *spt[] = {"-1", "0"};
        ck_assert_int_eq(cor_eval_d_run(wd, &v, pt), COR_NONFINITE);
        ck_assert_int_eq(cor_eval_mpfr_run_str(wm, &vm, spt), COR_NONFINITE);
        mpfr_clear(vm);
        cor_eval_d_free(wd);
        cor_eval_mpfr_free(wm);
        cor_tape_free(t);
    }
}
END_TEST

START_TEST(test_compile_errors)
{
    cor_node f = parse("x + y"), in1[1] = {V[0]}, dup[2] = {V[0], V[0]};
    ck_assert_ptr_null(cor_tape_alloc(P, 1, in1, 1, &f));
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "'y'"));
    ck_assert_ptr_null(cor_tape_alloc(P, 2, dup, 1, &f));
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "twice"));
    cor_node bad[1] = {f};
    ck_assert_ptr_null(cor_tape_alloc(P, 1, bad, 1, &f));
    /* outputs can be inputs or constants themselves */
    cor_node outs[3] = {V[1], parse("7"), f};
    cor_tape *t = cor_tape_alloc(P, 2, V, 3, outs);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(cor_tape_ninputs(t), 2);
    ck_assert_uint_eq(cor_tape_noutputs(t), 3);
    ck_assert_uint_eq(cor_tape_ninstr(t), 1);
    cor_eval_d *w = cor_eval_d_alloc(t);
    double o[3], in[2] = {2, 3}, s[3];
    ck_assert_int_eq(cor_eval_d_scale(w, s), COR_EINVAL); /* not run yet */
    ck_assert_int_eq(cor_eval_d_run(w, o, in), COR_OK);
    ck_assert_double_eq(o[0], 3);
    ck_assert_double_eq(o[1], 7);
    ck_assert_double_eq(o[2], 5);
    cor_eval_d_free(w);
    cor_eval_mpfr *wm = cor_eval_mpfr_alloc(t, 64);
    mpfr_t om[3];
    for (int i = 0; i < 3; i++)
        mpfr_init2(om[i], 64);
    static const char *badpt[] = {"2", "3x"};
    ck_assert_int_eq(cor_eval_mpfr_run_str(wm, om, badpt), COR_EPARSE);
    for (int i = 0; i < 3; i++)
        mpfr_clear(om[i]);
    cor_eval_mpfr_free(wm);
    cor_tape_free(t);
}
END_TEST


/* Runs the tape of value, gradient and H grad L of text `runs` times under GMP's counting
 * memory functions (every GMP and MPFR allocation goes through them). */
static void
count_run_allocations(const char *text, int runs, size_t *allocs, size_t *resizes,
                      size_t *frees)
{
    cor_node f = parse(text), outs[5], g[2], hg[2];
    ck_assert_int_eq(cor_diff_grad(g, P, f, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_hg(hg, P, f, g, 2, V), COR_OK);
    outs[0] = f;
    outs[1] = g[0];
    outs[2] = g[1];
    outs[3] = hg[0];
    outs[4] = hg[1];
    cor_tape *t = cor_tape_alloc(P, 2, V, 5, outs);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, 256);
    mpfr_t o[5], in[2];
    for (int i = 0; i < 5; i++)
        mpfr_init2(o[i], 256);
    mpfr_inits2(256, in[0], in[1], (mpfr_ptr)0);
    mpfr_set_str(in[0], "-1.2", 10, MPFR_RNDN);
    mpfr_set_str(in[1], "0.8", 10, MPFR_RNDN);
    ck_assert_int_eq(cor_eval_mpfr_run(w, o, (const mpfr_t *)in), COR_OK); /* warm caches */
    cor_test_gmp_count_start();
    for (int k = 0; k < runs; k++)
    {
        mpfr_set_d(in[0], k % 7 - 3.5, MPFR_RNDN);
        ck_assert_int_eq(cor_eval_mpfr_run(w, o, (const mpfr_t *)in), COR_OK);
    }
    cor_test_gmp_count_stop(allocs, resizes, frees);
    for (int i = 0; i < 5; i++)
        mpfr_clear(o[i]);
    mpfr_clears(in[0], in[1], (mpfr_ptr)0);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}

START_TEST(test_run_allocates_nothing)
{
    size_t a, r, f;
    /* arithmetic, sqrt, small integer powers, min/max/abs/select: nothing at all */
    count_run_allocations("0.5*(1-x)^2 + 5*(y-x^2)^2 + (x^3 - y^4)/(1 + y^2) + sqrt(1 + y^2) "
                          "+ min(x, y) + abs(x) + max(x^-2, y) + (2/3)*x*y", 200, &a, &r, &f);
    ck_assert_msg(a + r == 0, "%zu allocations and %zu resizes in 200 runs", a, r);
}
END_TEST

START_TEST(test_run_transcendental_no_leak)
{
    /* MPFR's exp/log/... allocate their own temporaries: all are freed within the run, and
     * the count per run does not grow (nothing accumulates per run) */
    size_t a1, r1, f1, a2, r2, f2;
    const char *text = "log(1 + exp(-x*y)) + sigmoid(x)/3 + softplus(y) + 2^y + tanh(x)";
    count_run_allocations(text, 50, &a1, &r1, &f1);
    ck_assert_uint_gt(a1, 0); /* the counter is live: MPFR's exp/log allocate */
    ck_assert_uint_eq(a1, f1);
    count_run_allocations(text, 100, &a2, &r2, &f2);
    ck_assert_uint_eq(a2, f2);
    ck_assert_uint_le(a2, 2 * a1 + 50);
}
END_TEST

START_TEST(test_scale_bounds_cancellation)
{
    /* (x+1)^2 - x^2 - 2x - 1 is 0; its computed value is rounding noise, within the scale */
    cor_node f = parse("(x + y)^2 - x^2 - 2*x*y - y^2");
    cor_tape *t = cor_tape_alloc(P, 2, V, 1, &f);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, 100);
    mpfr_t v, s;
    mpfr_init2(v, 100);
    mpfr_init2(s, 64);
    static const char *pt[] = {"1234.5678", "0.0001234"};
    ck_assert_int_eq(cor_eval_mpfr_run_str(w, &v, pt), COR_OK);
    ck_assert_int_eq(cor_eval_mpfr_scale(w, &s), COR_OK);
    mpfr_mul_2si(s, s, -(100 - 4), MPFR_RNDN);
    ck_assert(mpfr_cmpabs(v, s) <= 0);
    ck_assert(mpfr_cmp_d(s, 0) > 0);
    mpfr_clears(v, s, (mpfr_ptr)0);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}
END_TEST

int
main(void)
{
    const cor_test_case tests[] = {
        {"constants", test_constants_any_precision}, {"double_vs_mpfr", test_double_vs_mpfr},
        {"nonfinite", test_nonfinite},               {"compile_errors", test_compile_errors},
        {"no_alloc", test_run_allocates_nothing},    {"scale", test_scale_bounds_cancellation},
        {"no_leak", test_run_transcendental_no_leak},
    };
    return cor_test_run_cases("eval", tests, sizeof tests / sizeof tests[0], setup, teardown);
}
