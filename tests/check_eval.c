/* check_eval.c -- tapes: exact constants at any precision, double vs MPFR, non-finite
 * outcomes, compile errors, scales, and no allocation while running; the lowered program
 * (eval_impl.h) against exact rational values; native code (jit.c) against the interpreter,
 * bit for bit, through cor_eval_d_run and through the native entry (cor_eval_d_native). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "jit.h"
#include "testlib.h"

static cor_expr_pool *P;
static cor_node V[2];

static void
setup(void)
{
    P = cor_test_expr_setup("x,y", V);
}

static void
teardown(void)
{
    cor_test_expr_teardown();
}

#define parse cor_test_parse

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


/* ---- lowered programs: exact values -------------------------------------------------------
 * A polynomial at dyadic points has a dyadic value; at 2000 bits every operation of the tape
 * on these small numbers is exact, so the MPFR tape must give exactly the value of the
 * expression computed with rationals by a plain recursive walk of the DAG (which knows
 * nothing of the lowering: common factors, linear common subexpressions, two-term sums). */

static void
exact_value(mpq_t out, cor_node n, const mpq_t *xv)
{
    cor_op op = cor_expr_op(P, n);
    size_t k = cor_expr_nchildren(P, n);
    mpq_t a, b, c;
    mpq_inits(a, b, c, (mpq_ptr)0);
    switch (op)
    {
    case COR_OP_CONST: cor_expr_const_get(out, P, n); break;
    case COR_OP_VAR: mpq_set(out, xv[cor_expr_var_index(P, n)]); break;
    case COR_OP_SUM:
        cor_expr_sum_c0(out, P, n);
        for (size_t i = 0; i < k; i++)
        {
            exact_value(a, cor_expr_child(P, n, i), xv);
            cor_expr_sum_coef(c, P, n, i);
            mpq_mul(a, a, c);
            mpq_add(out, out, a);
        }
        break;
    case COR_OP_MUL:
    case COR_OP_DIV:
        exact_value(a, cor_expr_child(P, n, 0), xv);
        exact_value(b, cor_expr_child(P, n, 1), xv);
        if (op == COR_OP_MUL)
            mpq_mul(out, a, b);
        else
            mpq_div(out, a, b);
        break;
    case COR_OP_POWI:
    {
        long e = cor_expr_powi_exponent(P, n);
        exact_value(a, cor_expr_child(P, n, 0), xv);
        mpq_set_ui(b, 1, 1);
        for (long i = 0; i < labs(e); i++)
            mpq_mul(b, b, a);
        if (e < 0)
            mpq_inv(b, b);
        mpq_set(out, b);
        break;
    }
    default: ck_abort_msg("exact_value: operation %s is not rational", cor_op_name(op));
    }
    mpq_clears(a, b, c, (mpq_ptr)0);
}

START_TEST(test_lowered_exact)
{
    /* chained Rosenbrock (the sums 10 y - 10 x^2 reappear inside the next gradient entry:
     * linear common subexpressions), sums with common factors, a long sum (four partial sums
     * in double), rational coefficients, constants and negations */
    cor_test_expr_teardown(); /* a fresh pool, without x and y */
    P = cor_test_expr_setup("", V);
    cor_node X[20];
    char name[8];
    for (int i = 0; i < 20; i++)
    {
        snprintf(name, sizeof name, "x%d", i + 1);
        X[i] = cor_expr_var(P, name);
    }
    static const char *exprs[] = {
        "0.5*(1-x1)^2 + 5*(x2-x1^2)^2 + 0.5*(1-x2)^2 + 5*(x3-x2^2)^2 + 0.5*(1-x3)^2 "
        "+ 5*(x4-x3^2)^2 + (3/8)*(x4 - 2*x1)^3",
        "(6*x1 - 9*x2 + 12)^2 + (x1 - (3/2)*x2 + 2)*(4*x3 - 8*x4) - (x3 - 2*x4)^2/4",
        "(x1 + 2*x2 + 3*x3 + 4*x4 + 5*x5 + 6*x6 + 7*x7 + 8*x8 + 9*x9 + 10*x10 + 11*x11 "
        "+ 12*x12 + 13*x13 + 14*x14 + 15*x15 + 16*x16 + 17*x17 + 18*x18 - 19*x19 - x20)^2 "
        "+ (x1 - x2)*(x2 - x1 + 1) - 3*(x1 - x2)^3 + (2*x5 - 4*x6)^2*(x5 - 2*x6) + x1*(1 + x2^2)",
    };
    for (size_t e = 0; e < sizeof exprs / sizeof exprs[0]; e++)
    {
        cor_node f = parse(exprs[e]);
        cor_node outs[41];
        outs[0] = f;
        ck_assert_int_eq(cor_diff_grad(outs + 1, P, f, 20, X), COR_OK);
        ck_assert_int_eq(cor_diff_hvp(outs + 21, P, f, outs + 1, 20, X, X), COR_OK);
        cor_tape *t = cor_tape_alloc(P, 20, X, 41, outs);
        ck_assert_ptr_nonnull(t);
        cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, 2000);
        mpfr_t in[20], out[41];
        mpq_t xv[20], ref;
        mpq_init(ref);
        cor_test_rng rng;
        cor_test_rng_init(&rng, cor_test_seed(), e);
        for (int i = 0; i < 20; i++)
        {
            mpfr_init2(in[i], 2000);
            mpq_init(xv[i]);
            /* dyadic: k / 64 with |k| <= 128 */
            long k = (long)cor_test_rng_below(&rng, 257) - 128;
            mpq_set_si(xv[i], k, 64);
            mpq_canonicalize(xv[i]);
            mpfr_set_q(in[i], xv[i], MPFR_RNDN);
        }
        for (int o = 0; o < 41; o++)
            mpfr_init2(out[o], 2000);
        ck_assert_int_eq(cor_eval_mpfr_run(w, out, (const mpfr_t *)in), COR_OK);
        for (int o = 0; o < 41; o++)
        {
            exact_value(ref, outs[o], (const mpq_t *)xv);
            ck_assert_msg(mpfr_cmp_q(out[o], ref) == 0, "%s: output %d differs from the exact value",
                          exprs[e], o);
        }
        /* the lowering did its work: fewer lowered instructions than the naive count would
         * need multiplications by coefficients (each SI/Q term of the tape costs one) */
        size_t naive = 0, lowered = 0;
        for (size_t i = 0; i < t->ninstr; i++)
            if (t->ins[i].op == COR_OP_SUM)
                for (uint32_t k = 0; k < t->ins[i].n; k++)
                    naive += t->coef_kind[t->term_coef[t->ins[i].t0 + k]] >= COR_COEF_SI;
        for (size_t i = 0; i < t->lp->nins; i++)
        {
            const cor_linstr *L = &t->lp->ins[i];
            if (L->op == COR_LOP_MULSI || L->op == COR_LOP_MULQ)
                lowered++;
            else if (L->op == COR_LOP_SUM)
                for (uint32_t k = 0; k < L->n; k++)
                    lowered += t->lp->term_kind[L->t0 + k] >= COR_LT_SI;
        }
        ck_assert_msg(lowered < naive, "%s: %zu coefficient products lowered, %zu in the tape",
                      exprs[e], lowered, naive);
        for (int i = 0; i < 20; i++)
        {
            mpfr_clear(in[i]);
            mpq_clear(xv[i]);
        }
        for (int o = 0; o < 41; o++)
            mpfr_clear(out[o]);
        mpq_clear(ref);
        cor_eval_mpfr_free(w);
        cor_tape_free(t);
    }
}
END_TEST

/* ---- native code against the interpreter ---------------------------------------------- */

/* LeakSanitizer (configure --enable-asan): libgccjit keeps some of GCC's own allocations until
 * the process exits; those are GCC's, not ours (every block of jit.c is released, and a leak
 * with any other origin is still reported). */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
    return "leak:libgccjit.so\n";
}

static int
same_bits(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

START_TEST(test_jit_matches_interpreter)
{
    if (!cor_jit_available())
        return; /* built without libgccjit: nothing to compare (the interpreter runs) */
    /* every operation, sums of every length and coefficient kind, outputs that are inputs
     * or constants, non-finite values */
    static const char *exprs[] = {
        "exp(x)*sin(y) - log1p(x^2)/(1 + y^2) + log(2 + y^2) + expm1(x/4)",
        "sigmoid(3*x - y) + softplus(-2*y) + tanh(x*y) + sqrt(1 + x^2) + cos(x)^2",
        "pow(1 + x^2, y) + tan(x/2) + 2^x + x^-3 + y^7 + x^-1 + (x*y)^2",
        "abs(x - y) + min(x, y)^3 - max(x, 2*y) + sign(x*y)*x + (1/3)*x - (5/7)*y + 0.1",
        "0.5*(1-x)^2 + 5*(y-x^2)^2 + 6*x - 9*y + 12*x*y",
        "log(x) + sqrt(y)",
    };
    double pts[12][2];
    cor_test_rng rng;
    cor_test_rng_init(&rng, cor_test_seed(), 77);
    for (int k = 0; k < 12; k++)
    {
        pts[k][0] = cor_test_rng_uniform(&rng, -2.5, 2.5);
        pts[k][1] = cor_test_rng_uniform(&rng, -2.5, 2.5);
    }
    pts[0][0] = 0;
    pts[1][1] = -0.0;
    for (size_t e = 0; e < sizeof exprs / sizeof exprs[0]; e++)
    {
        cor_node outs[10];
        outs[0] = parse(exprs[e]);
        ck_assert_int_eq(cor_diff_grad(outs + 1, P, outs[0], 2, V), COR_OK);
        ck_assert_int_eq(cor_diff_hvp(outs + 3, P, outs[0], outs + 1, 2, V, V), COR_OK);
        ck_assert_int_eq(cor_diff_hg(outs + 5, P, outs[0], outs + 1, 2, V), COR_OK);
        outs[7] = V[1];
        outs[8] = parse("1/3");
        outs[9] = parse("pi");
        cor_tape *t = cor_tape_alloc(P, 2, V, 10, outs);
        cor_eval_d *wi = cor_eval_d_alloc(t), *wj = cor_eval_d_alloc(t);
        ck_assert_int_eq(cor_eval_d_set_jit(wi, COR_JIT_OFF), COR_OK);
        ck_assert_int_eq(cor_eval_d_set_jit(wj, COR_JIT_NOW), COR_OK);
        ck_assert(cor_eval_d_is_jit(wj) && !cor_eval_d_is_jit(wi));
        for (int k = 0; k < 12; k++)
        {
            double oi[10], oj[10], si[10], sj[10];
            int ri = cor_eval_d_run(wi, oi, pts[k]), rj = cor_eval_d_run(wj, oj, pts[k]);
            ck_assert_int_eq(ri, rj);
            for (int o = 0; o < 10; o++)
                ck_assert_msg(same_bits(oi[o], oj[o]), "%s, output %d at (%.17g, %.17g): "
                              "interpreter %.17g, native %.17g", exprs[e], o, pts[k][0],
                              pts[k][1], oi[o], oj[o]);
            ck_assert_int_eq(cor_eval_d_scale(wi, si), COR_OK);
            ck_assert_int_eq(cor_eval_d_scale(wj, sj), COR_OK);
            for (int o = 0; o < 10; o++)
                ck_assert(same_bits(si[o], sj[o]));
        }
        /* switching back to the interpreter on the same workspace */
        ck_assert_int_eq(cor_eval_d_set_jit(wj, COR_JIT_OFF), COR_OK);
        ck_assert(!cor_eval_d_is_jit(wj));
        cor_eval_d_free(wi);
        cor_eval_d_free(wj);
        cor_tape_free(t);
    }
}
END_TEST

START_TEST(test_jit_long_sum_and_auto)
{
    /* a gradient with sums of 40 terms (four partial sums): native code identical to the
     * interpreter; and a small tape compiled automatically after enough interpreted work */
    cor_test_expr_teardown(); /* a fresh pool, without x and y */
    P = cor_test_expr_setup("", V);
    cor_node W[3];
    W[0] = cor_expr_var(P, "a");
    W[1] = cor_expr_var(P, "b");
    W[2] = cor_expr_var(P, "c");
    char *src = malloc(40 * 80);
    size_t len = 0;
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(src + len, 40 * 80 - len, "%slog(1 + exp(%d.%03d*a - %d*b + c/%d))",
                                i ? " + " : "", i % 7 - 3, (i * 37) % 1000, i % 5 + 1, i + 2);
    cor_node f = parse(src), g[3];
    free(src);
    ck_assert_int_eq(cor_diff_grad(g, P, f, 3, W), COR_OK);
    cor_tape *t = cor_tape_alloc(P, 3, W, 3, g);
    cor_eval_d *wi = cor_eval_d_alloc(t), *wj = cor_eval_d_alloc(t);
    ck_assert_int_eq(cor_eval_d_set_jit(wi, COR_JIT_OFF), COR_OK);
    size_t long_sums = 0;
    for (size_t i = 0; i < t->lp->nins; i++)
        long_sums += t->lp->ins[i].op == COR_LOP_SUM && t->lp->ins[i].n >= COR_LSUM_LANES_MIN;
    ck_assert_uint_ge(long_sums, 3);
    int avail = cor_jit_available();
    ck_assert_int_eq(cor_eval_d_set_jit(wj, COR_JIT_NOW), avail ? COR_OK : COR_EUNSUP);
    double x[3], oi[3], oj[3];
    for (int k = 0; k < 20; k++)
    {
        x[0] = 0.1 * k - 1;
        x[1] = 0.05 * k;
        x[2] = 2 - 0.15 * k;
        ck_assert_int_eq(cor_eval_d_run(wi, oi, x), COR_OK);
        ck_assert_int_eq(cor_eval_d_run(wj, oj, x), COR_OK);
        for (int o = 0; o < 3; o++)
            ck_assert(same_bits(oi[o], oj[o]));
    }
    cor_eval_d_free(wi);
    cor_eval_d_free(wj);
    cor_tape_free(t);

    /* automatic: x*y + y has 2 lowered instructions */
    cor_node h = parse("a*b + b");
    t = cor_tape_alloc(P, 2, W, 1, &h);
    cor_eval_d *wa = cor_eval_d_alloc(t);
    ck_assert_int_eq(cor_eval_d_set_jit(wa, COR_JIT_AUTO), COR_OK); /* (ASan builds: OFF) */
    unsigned long runs = 0, limit = (COR_JIT_WORK_FIXED + COR_JIT_WORK_PER_INSTR * 2) / 3 + 2;
    double y[2] = {1.5, -0.25}, o;
    int bad = 0;
    while (!cor_eval_d_is_jit(wa) && runs < limit)
    {
        bad |= cor_eval_d_run(wa, &o, y) != COR_OK; /* (ck_assert in a hot loop is slow) */
        runs++;
    }
    ck_assert(!bad);
    ck_assert_msg(cor_eval_d_is_jit(wa) == avail, "native code %d after %lu runs", cor_eval_d_is_jit(wa), runs);
    ck_assert_int_eq(cor_eval_d_run(wa, &o, y), COR_OK);
    ck_assert(o == 1.5 * -0.25 + -0.25);
    cor_eval_d_free(wa);
    cor_tape_free(t);
}
END_TEST

/* ---- the native entry (cor_eval_d_native) ------------------------------------------------ */

START_TEST(test_native_entry)
{
    /* the pure native function gives the same bits and status as cor_eval_d_run, finite or
     * not; it leaves the workspace alone (scale still refers to the last run); long programs
     * and builds without libgccjit get COR_EUNSUP */
    static const char *exprs[] = {
        "0.5*(1-x)^2 + 5*(y-x^2)^2",
        "exp(x)*sin(y) - log1p(x^2)/(1 + y^2) + log(2 + y^2) + expm1(x/4)",
        "sigmoid(3*x - y) + softplus(-2*y) + tanh(x*y) + sqrt(1 + x^2) + cos(x)^2",
        "abs(x - y) + min(x, y)^3 - max(x, 2*y) + sign(x*y)*x + (1/3)*x - (5/7)*y + 0.1",
        "log(x) + sqrt(y) + 1/x", /* NaN for x < 0 or y < 0, infinite at x = 0 */
    };
    /* points with finite, NaN and infinite outputs (the last ones for exprs[4]) */
    static const double pts[][2] = {{0.75, -1.5}, {-1.25, 2.0}, {1.5, 0.25}, {2.0, 3.0},
                                    {-0.5, -0.5}, {0.0, 1.0}, {-0.0, 4.0}, {3.5, 0.0}};
    const int npts = (int)(sizeof pts / sizeof pts[0]);
    int avail = cor_jit_available(), saw_nonfinite = 0;
    for (size_t e = 0; e < sizeof exprs / sizeof exprs[0]; e++)
    {
        cor_node outs[5];
        outs[0] = parse(exprs[e]);
        ck_assert_int_eq(cor_diff_grad(outs + 1, P, outs[0], 2, V), COR_OK);
        ck_assert_int_eq(cor_diff_hvp(outs + 3, P, outs[0], outs + 1, 2, V, V), COR_OK);
        cor_tape *t = cor_tape_alloc(P, 2, V, 5, outs);
        /* wi interprets; wj runs native code through cor_eval_d_run (when available) and
         * provides the native entry */
        cor_eval_d *wi = cor_eval_d_alloc(t), *wj = cor_eval_d_alloc(t);
        ck_assert_int_eq(cor_eval_d_set_jit(wi, COR_JIT_OFF), COR_OK);
        ck_assert_int_eq(cor_eval_d_set_jit(wj, COR_JIT_NOW), avail ? COR_OK : COR_EUNSUP);
        cor_eval_d_fn fn = (cor_eval_d_fn)1, fn2 = NULL;
        int st = cor_eval_d_native(&fn, wj);
        if (!avail)
        {
            ck_assert_int_eq(st, COR_EUNSUP);
            ck_assert_int_eq(cor_last_error()->code, COR_EUNSUP);
            ck_assert_ptr_null((void *)fn);
            cor_eval_d_free(wi);
            cor_eval_d_free(wj);
            cor_tape_free(t);
            continue;
        }
        ck_assert_int_eq(st, COR_OK);
        ck_assert_ptr_nonnull((void *)fn);
        ck_assert_int_eq(cor_eval_d_native(&fn2, wj), COR_OK);
        ck_assert(fn2 == fn); /* compiled once */
        for (int k = 0; k < npts; k++)
        {
            double oi[5], oj[5], on[5];
            int ri = cor_eval_d_run(wi, oi, pts[k]), rj = cor_eval_d_run(wj, oj, pts[k]);
            int rn = fn(on, pts[k]);
            ck_assert_int_eq(ri, rj);
            ck_assert_int_eq(ri, rn);
            saw_nonfinite |= ri == COR_NONFINITE;
            for (int o = 0; o < 5; o++)
                ck_assert_msg(same_bits(oi[o], on[o]) && same_bits(oj[o], on[o]),
                              "%s, output %d at (%.17g, %.17g): interpreter %.17g, "
                              "native entry %.17g", exprs[e], o, pts[k][0], pts[k][1], oi[o],
                              on[o]);
        }
        /* scale after native calls refers to the last cor_eval_d_run (point 2), on both an
         * interpreting and a native workspace (whose r holds only the saved inputs) */
        cor_eval_d_fn fi;
        ck_assert_int_eq(cor_eval_d_native(&fi, wi), COR_OK);
        double o[5], si[5], sj[5], ref[5];
        ck_assert_int_eq(cor_eval_d_run(wi, o, pts[2]), COR_OK);
        ck_assert_int_eq(cor_eval_d_run(wj, o, pts[2]), COR_OK);
        ck_assert_int_eq(cor_eval_d_scale(wi, ref), COR_OK);
        for (int k = 0; k < npts; k++)
            if (k != 2)
            {
                (void)fi(o, pts[k]);
                (void)fn(o, pts[k]);
            }
        ck_assert_int_eq(cor_eval_d_scale(wi, si), COR_OK);
        ck_assert_int_eq(cor_eval_d_scale(wj, sj), COR_OK);
        for (int i = 0; i < 5; i++)
            ck_assert_msg(same_bits(si[i], ref[i]) && same_bits(sj[i], ref[i]),
                          "%s: scale %d after native calls %.17g / %.17g, expected %.17g",
                          exprs[e], i, si[i], sj[i], ref[i]);
        /* valid until the workspace is freed: wj's entry outlives wi */
        cor_eval_d_free(wi);
        ck_assert_int_eq(fn(o, pts[2]), COR_OK);
        cor_eval_d_free(wj);
        cor_tape_free(t);
    }
    ck_assert(saw_nonfinite || !avail);

    /* a program that does not fit one native function: COR_EUNSUP, cor_eval_d_run works */
    char *src = malloc(300 * 32);
    size_t len = 0;
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(src + len, 300 * 32 - len, "%ssin(x + %d*y)", i ? " + " : "",
                                i + 2);
    cor_node f = parse(src);
    free(src);
    cor_tape *t = cor_tape_alloc(P, 2, V, 1, &f);
    ck_assert(!cor_jit_d_one_piece(t));
    cor_eval_d *w = cor_eval_d_alloc(t);
    cor_eval_d_fn fn = (cor_eval_d_fn)1;
    ck_assert_int_eq(cor_eval_d_native(&fn, w), COR_EUNSUP);
    ck_assert_int_eq(cor_last_error()->code, COR_EUNSUP);
    ck_assert_ptr_null((void *)fn);
    double o, x[2] = {0.5, -0.25};
    ck_assert_int_eq(cor_eval_d_run(w, &o, x), COR_OK);
    cor_eval_d_free(w);
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
        {"lowered_exact", test_lowered_exact},       {"jit_bits", test_jit_matches_interpreter},
        {"jit_auto", test_jit_long_sum_and_auto},   {"native_entry", test_native_entry},
    };
    return cor_test_run_cases("eval", tests, sizeof tests / sizeof tests[0], setup, teardown);
}
