/* check_flow.c -- Taylor-mode AD (cor_taylor.h) and the gradient-flow integrators
 * (cor_flow.h): exact Taylor coefficients of known functions, PREDICTIONS.md cases (i) and
 * (ii) and the closed forms of P16 at several tolerances, dense output, hard cases (the apex
 * of a cone, log leaving its domain), GSL and closed-form methods, and no GMP allocation in
 * the step loop. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_lambert.h>
#include <mpfr.h>

#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_flow.h"
#include "cor_taylor.h"
#include "testlib.h"

static cor_expr_pool *P;
static cor_node V[3];

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

/* ---- Taylor coefficients of known functions ------------------------------------------- */

#define KMAX 9

/* the series of f(x) at x = x0 + t, coefficients 0..KMAX, MPFR at prec, and in double */
static void
series_of(const char *text, const char *x0, mpfr_t *out, double *outd, mpfr_prec_t prec)
{
    cor_node f = parse(text);
    cor_tape *t = cor_tape_alloc(P, 1, V, 1, &f);
    cor_taylor_mpfr *w = cor_taylor_mpfr_alloc(t, KMAX, prec);
    cor_taylor_d *wd = cor_taylor_d_alloc(t, KMAX);
    mpfr_t in[KMAX + 1];
    double ind[KMAX + 1];

    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(wd);
    for (int k = 0; k <= KMAX; k++)
    {
        mpfr_init2(in[k], prec);
        mpfr_set_ui(in[k], k == 1, MPFR_RNDN);
        ind[k] = k == 1;
    }
    mpfr_set_str(in[0], x0, 10, MPFR_RNDN);
    ind[0] = mpfr_get_d(in[0], MPFR_RNDN);
    ck_assert_int_eq(cor_taylor_mpfr_series(w, out, (const mpfr_t *)in, KMAX), COR_OK);
    ck_assert_int_eq(cor_taylor_d_series(wd, outd, ind, KMAX), COR_OK);
    for (int k = 0; k <= KMAX; k++)
        mpfr_clear(in[k]);
    cor_taylor_mpfr_free(w);
    cor_taylor_d_free(wd);
    cor_tape_free(t);
}

/* coefficients given as exact rationals num/den (den 0: use the double value `special`) */
typedef struct
{
    const char *f, *x0;
    long num[KMAX + 1], den[KMAX + 1];
} known_series;

static const known_series known[] = {
    /* exp(t) = sum t^k/k! */
    {"exp(x)", "0",
         {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
         {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880}},
    {"expm1(x)", "0",
         {0, 1, 1, 1, 1, 1, 1, 1, 1, 1},
         {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880}},
    /* log(1 + t) */
    {"log(x)", "1", {0, 1, -1, 1, -1, 1, -1, 1, -1, 1}, {1, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
    {"log1p(x)", "0", {0, 1, -1, 1, -1, 1, -1, 1, -1, 1}, {1, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
    {"sin(x)", "0", {0, 1, 0, -1, 0, 1, 0, -1, 0, 1}, {1, 1, 1, 6, 1, 120, 1, 5040, 1, 362880}},
    {"cos(x)", "0", {1, 0, -1, 0, 1, 0, -1, 0, 1, 0}, {1, 1, 2, 1, 24, 1, 720, 1, 40320, 1}},
    {"tan(x)", "0", {0, 1, 0, 1, 0, 2, 0, 17, 0, 62}, {1, 1, 1, 3, 1, 15, 1, 315, 1, 2835}},
    {"tanh(x)", "0", {0, 1, 0, -1, 0, 2, 0, -17, 0, 62}, {1, 1, 1, 3, 1, 15, 1, 315, 1, 2835}},
    {"sigmoid(x)", "0",
         {1, 1, 0, -1, 0, 1, 0, -17, 0, 31},
         {2, 4, 1, 48, 1, 480, 1, 80640, 1, 1451520}},
    /* sqrt(1 + t) = sum binom(1/2, k) t^k */
    {"sqrt(x)", "1",
         {1, 1, -1, 1, -5, 7, -21, 33, -429, 715},
         {1, 2, 8, 16, 128, 256, 1024, 2048, 32768, 65536}},
    {"x^0.5", "1",
         {1, 1, -1, 1, -5, 7, -21, 33, -429, 715},
         {1, 2, 8, 16, 128, 256, 1024, 2048, 32768, 65536}},
    /* 1/(1+t), (1+t)^-3 = sum (-1)^k (k+1)(k+2)/2 t^k, t^5 at 0, t^2 at 0 */
    {"1/x", "1", {1, -1, 1, -1, 1, -1, 1, -1, 1, -1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"x^-3", "1", {1, -3, 6, -10, 15, -21, 28, -36, 45, -55}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"x^5", "0", {0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"x^7*3", "1", {3, 21, 63, 105, 105, 63, 21, 3, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"abs(x)", "-2", {2, -1, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"max(x, 1 - x)", "2", {2, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
};

START_TEST(test_taylor_known_series)
{
    mpfr_prec_t prec = 256;
    mpfr_t out[KMAX + 1], ref, e;
    double outd[KMAX + 1];
    const known_series *ks = &known[_i];

    for (int k = 0; k <= KMAX; k++)
        mpfr_init2(out[k], prec);
    mpfr_inits2(prec, ref, e, (mpfr_ptr)0);
    series_of(ks->f, ks->x0, out, outd, prec);
    for (int k = 0; k <= KMAX; k++)
    {
        mpfr_set_si(ref, ks->num[k], MPFR_RNDN);
        mpfr_div_si(ref, ref, ks->den[k], MPFR_RNDN);
        mpfr_sub(e, out[k], ref, MPFR_RNDN);
        ck_assert_msg(mpfr_cmp_d(e, 0) == 0 || fabs(mpfr_get_d(e, MPFR_RNDN)) < 1e-70,
                      "%s: coefficient %d: %.20g vs %ld/%ld", ks->f, k,
                      mpfr_get_d(out[k], MPFR_RNDN), ks->num[k], ks->den[k]);
        ck_assert_msg(fabs(outd[k] - mpfr_get_d(ref, MPFR_RNDN)) < 1e-13,
                      "%s (double): coefficient %d: %.17g", ks->f, k, outd[k]);
    }
    for (int k = 0; k <= KMAX; k++)
        mpfr_clear(out[k]);
    mpfr_clears(ref, e, (mpfr_ptr)0);
}
END_TEST

START_TEST(test_taylor_softplus_pow)
{
    /* softplus(t) = log 2 + t/2 + t^2/8 - t^4/192 + t^6/2880 - ...; pow(1+t, 1+t) =
     * 1 + t + t^2 + t^3/2 + t^4/3 + t^5/12 (exp((1+t) log(1+t))) */
    mpfr_t out[KMAX + 1], ref;
    double outd[KMAX + 1];
    static const long pn[] = {1, 1, 1, 1, 1, 1}, pd[] = {1, 1, 1, 2, 3, 12};
    for (int k = 0; k <= KMAX; k++)
        mpfr_init2(out[k], 200);
    mpfr_init2(ref, 200);
    series_of("softplus(x)", "0", out, outd, 200);
    mpfr_const_log2(ref, MPFR_RNDN);
    mpfr_sub(ref, ref, out[0], MPFR_RNDN);
    ck_assert(mpfr_zero_p(ref) || fabs(mpfr_get_d(ref, MPFR_RNDN)) < 1e-55);
    ck_assert(fabs(mpfr_get_d(out[1], MPFR_RNDN) - 0.5) < 1e-55);
    ck_assert(fabs(mpfr_get_d(out[2], MPFR_RNDN) - 0.125) < 1e-55);
    ck_assert(fabs(mpfr_get_d(out[3], MPFR_RNDN)) < 1e-55);
    ck_assert(fabs(mpfr_get_d(out[4], MPFR_RNDN) + 1.0 / 192) < 1e-55);
    ck_assert(fabs(mpfr_get_d(out[6], MPFR_RNDN) - 1.0 / 2880) < 1e-55);
    series_of("x^x", "1", out, outd, 200);
    for (int k = 0; k < 6; k++)
        ck_assert_msg(fabs(mpfr_get_d(out[k], MPFR_RNDN) - (double)pn[k] / pd[k]) < 1e-55,
                      "x^x coefficient %d: %.17g", k, mpfr_get_d(out[k], MPFR_RNDN));
    for (int k = 0; k <= KMAX; k++)
        mpfr_clear(out[k]);
    mpfr_clear(ref);
}
END_TEST

START_TEST(test_taylor_ode_exp_decay)
{
    /* theta' = -theta (L = x^2/2): theta_[k] = theta0 (-1)^k / k! */
    cor_node L = parse("x^2/2"), g, F;
    ck_assert_int_eq(cor_diff_grad(&g, P, L, 1, V), COR_OK);
    F = cor_expr_neg(P, g);
    cor_tape *t = cor_tape_alloc(P, 1, V, 1, &F);
    unsigned K = 30;
    cor_taylor_mpfr *w = cor_taylor_mpfr_alloc(t, K, 300);
    cor_taylor_d *wd = cor_taylor_d_alloc(t, K);
    mpfr_t x[31], x0, ref;
    double xd[31], x0d = 3;

    for (unsigned k = 0; k <= K; k++)
        mpfr_init2(x[k], 300);
    mpfr_inits2(300, x0, ref, (mpfr_ptr)0);
    mpfr_set_ui(x0, 3, MPFR_RNDN);
    ck_assert_int_eq(cor_taylor_mpfr_ode(w, x, (const mpfr_t *)&x0, K), COR_OK);
    ck_assert_int_eq(cor_taylor_d_ode(wd, xd, &x0d, K), COR_OK);
    mpfr_set_ui(ref, 3, MPFR_RNDN);
    for (unsigned k = 0; k <= K; k++)
    {
        if (k)
            mpfr_div_si(ref, ref, -(long)k, MPFR_RNDN);
        ck_assert_msg(mpfr_equal_p(ref, x[k]), "coefficient %u", k);
        ck_assert(fabs(xd[k] - mpfr_get_d(ref, MPFR_RNDN)) <= 1e-15 * fabs(xd[k]));
    }
    for (unsigned k = 0; k <= K; k++)
        mpfr_clear(x[k]);
    mpfr_clears(x0, ref, (mpfr_ptr)0);
    cor_taylor_mpfr_free(w);
    cor_taylor_d_free(wd);
    cor_tape_free(t);
}
END_TEST

START_TEST(test_taylor_kink_and_errors)
{
    cor_node f = parse("abs(x)");
    cor_tape *t = cor_tape_alloc(P, 1, V, 1, &f);
    cor_taylor_mpfr *w = cor_taylor_mpfr_alloc(t, 4, 64);
    mpfr_t in[5], out[5];
    for (int k = 0; k < 5; k++)
    {
        mpfr_init2(in[k], 64);
        mpfr_init2(out[k], 64);
        mpfr_set_ui(in[k], k == 1, MPFR_RNDN);
    }
    ck_assert_int_eq(cor_taylor_mpfr_series(w, out, (const mpfr_t *)in, 4), COR_STOPPED);
    ck_assert_int_eq(cor_taylor_mpfr_series(w, out, (const mpfr_t *)in, 5), COR_EINVAL);
    ck_assert_ptr_null(cor_taylor_mpfr_alloc(t, 0, 64));
    ck_assert_ptr_null(cor_taylor_mpfr_alloc(t, 4, 0));
    for (int k = 0; k < 5; k++)
    {
        mpfr_clear(in[k]);
        mpfr_clear(out[k]);
    }
    cor_taylor_mpfr_free(w);
    cor_taylor_mpfr_free(NULL);
    cor_taylor_d_free(NULL);
    cor_tape_free(t);
}
END_TEST

/* ---- flows ------------------------------------------------------------------------------ */

/* solves the flow of text in n variables from theta0 (strings) to the times; out n*nt */
static int
flow_run(cor_flow **fp, cor_flow_method m, const char *text, size_t n, const char *const *th0,
         size_t nt, const char *const *times, mpfr_t *out, mpfr_prec_t prec, double tol,
         int dense)
{
    cor_flow_opts o;
    cor_node L = parse(text);
    mpfr_t x0[3], tt[8];
    int st;

    cor_flow_opts_init(&o);
    o.tol = tol;
    o.dense = dense;
    *fp = cor_flow_alloc(m, P, L, n, V, prec, &o);
    ck_assert_msg(*fp != NULL, "%s", cor_last_error()->msg);
    for (size_t i = 0; i < n; i++)
    {
        mpfr_init2(x0[i], prec);
        mpfr_set_str(x0[i], th0[i], 10, MPFR_RNDN);
    }
    for (size_t k = 0; k < nt; k++)
    {
        mpfr_init2(tt[k], prec);
        mpfr_set_str(tt[k], times[k], 10, MPFR_RNDN);
    }
    for (size_t k = 0; k < n * nt; k++)
        mpfr_init2(out[k], prec);
    st = cor_flow_solve(*fp, out, nt, (const mpfr_t *)tt, (const mpfr_t *)x0);
    for (size_t i = 0; i < n; i++)
        mpfr_clear(x0[i]);
    for (size_t k = 0; k < nt; k++)
        mpfr_clear(tt[k]);
    return st;
}

static void
clear_vec(mpfr_t *v, size_t m)
{
    for (size_t i = 0; i < m; i++)
        mpfr_clear(v[i]);
}

/* |a - b| as a double (b given as a decimal string or as an mpfr) */
static double
err_str(mpfr_srcptr a, const char *b)
{
    mpfr_t r;
    double e;
    mpfr_init2(r, mpfr_get_prec(a) + 64);
    mpfr_set_str(r, b, 10, MPFR_RNDN);
    mpfr_sub(r, a, r, MPFR_RNDN);
    e = fabs(mpfr_get_d(r, MPFR_RNDN));
    mpfr_clear(r);
    return e;
}

static double
err_mpfr(mpfr_srcptr a, mpfr_srcptr b)
{
    mpfr_t r;
    double e;
    mpfr_init2(r, mpfr_get_prec(a) + 64);
    mpfr_sub(r, a, b, MPFR_RNDN);
    e = fabs(mpfr_get_d(r, MPFR_RNDN));
    mpfr_clear(r);
    return e;
}

/* the tolerance grid of the flow checks, with a working precision of about -log2(tol) + 32
 * bits or more (the 1e-300 runs take a fraction of a second each) */
static const double tols[] = {1e-30, 1e-60, 1e-100, 1e-300};
static const mpfr_prec_t precs[] = {256, 256, 512, 1100};
#define NTOLS ((int)(sizeof tols / sizeof tols[0]))

START_TEST(test_case_i)
{
    /* GF(2) = (e^-2, e^-20) for L = 0.5(x^2 + 10 y^2) from (1, 1) */
    static const char *th0[] = {"1", "1"}, *T[] = {"2"};
    double tol = tols[_i];
    mpfr_prec_t prec = precs[_i];
    mpfr_t out[2], ref;
    cor_flow *f;
    cor_flow_stats st;
    double e0, e1;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, "0.5*(x^2 + 10*y^2)", 2, th0, 1, T, out, prec,
                              tol, 0),
                     COR_OK);
    mpfr_init2(ref, prec + 64);
    mpfr_set_si(ref, -2, MPFR_RNDN);
    mpfr_exp(ref, ref, MPFR_RNDN);
    e0 = err_mpfr(out[0], ref);
    mpfr_set_si(ref, -20, MPFR_RNDN);
    mpfr_exp(ref, ref, MPFR_RNDN);
    e1 = err_mpfr(out[1], ref);
    cor_flow_get_stats(f, &st);
    ck_assert_msg(e0 < tol && e1 < tol, "tol %g: errors %g %g", tol, e0, e1);
    ck_assert_msg(st.err_est * 10 >= fmax(e0, e1), "estimate %g vs error %g", st.err_est,
                  fmax(e0, e1));
    ck_assert_uint_gt(st.steps, 0);
    clear_vec(out, 2);
    mpfr_clear(ref);
    cor_flow_free(f);
}
END_TEST

static const char *case_ii_ref[] = {
    "-0.4651673652646307281025703894967782787237757890772373134665548614709669",
    "0.2913221934377190504642928057071697159850302040561608866593066934691623"};

START_TEST(test_case_ii)
{
    /* L = 0.5(1-x)^2 + 5(y-x^2)^2 from (-1.2, 1), T = 1; the reference carries 70 digits, so
     * below 1e-65 the result is compared with a run at tol * 1e-30 (1e-307 at most: the
     * tolerance is a double) and 128 more bits, which is itself checked against the 70
     * digits */
    static const char *th0[] = {"-1.2", "1"}, *T[] = {"1"};
    const char *loss = "0.5*(1-x)^2 + 5*(y-x^2)^2";
    double tol = tols[_i];
    mpfr_prec_t prec = precs[_i];
    mpfr_t out[2], out2[2];
    cor_flow *f, *g;
    cor_flow_stats st;
    double e0, e1;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, loss, 2, th0, 1, T, out, prec, tol, 0),
                     COR_OK);
    cor_flow_get_stats(f, &st);
    if (tol >= 1e-65)
    {
        e0 = err_str(out[0], case_ii_ref[0]);
        e1 = err_str(out[1], case_ii_ref[1]);
    }
    else
    {
        ck_assert_int_eq(flow_run(&g, COR_FLOW_TAYLOR, loss, 2, th0, 1, T, out2, prec + 128,
                                  fmax(tol * 1e-30, 1e-307), 0),
                         COR_OK);
        ck_assert(err_str(out2[0], case_ii_ref[0]) < 1e-68);
        ck_assert(err_str(out2[1], case_ii_ref[1]) < 1e-68);
        e0 = err_mpfr(out[0], out2[0]);
        e1 = err_mpfr(out[1], out2[1]);
        clear_vec(out2, 2);
        cor_flow_free(g);
    }
    ck_assert_msg(e0 < tol && e1 < tol, "tol %g: errors %g %g", tol, e0, e1);
    ck_assert_msg(st.err_est * 10 >= fmax(e0, e1), "estimate %g vs error %g", st.err_est,
                  fmax(e0, e1));
    clear_vec(out, 2);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_verify)
{
    static const char *th0[] = {"-1.2", "1"}, *T[] = {"1"};
    mpfr_t out[2], tt;
    cor_flow *f;
    cor_flow_stats st;
    double agree;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, "0.5*(1-x)^2 + 5*(y-x^2)^2", 2, th0, 1, T,
                              out, 256, 1e-40, 0),
                     COR_OK);
    mpfr_t x0[2];
    mpfr_inits2(256, x0[0], x0[1], tt, (mpfr_ptr)0);
    mpfr_set_str(x0[0], "-1.2", 10, MPFR_RNDN);
    mpfr_set_ui(x0[1], 1, MPFR_RNDN);
    mpfr_set_ui(tt, 1, MPFR_RNDN);
    ck_assert_int_eq(cor_flow_verify(f, &agree, (const mpfr_t *)x0, tt), COR_OK);
    cor_flow_get_stats(f, &st);
    ck_assert_msg(agree < 1e-40 && st.err_est * 10 >= agree, "agreement %g, estimate %g", agree,
                  st.err_est);
    mpfr_clears(x0[0], x0[1], tt, (mpfr_ptr)0);
    clear_vec(out, 2);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_p16_softplus_lambert)
{
    /* log(1 + e^-w) from w0 = 0: w + e^w = t + 1, so w = 1 at t = e and w = 2 at t = 1 + e^2
     * (exact); at t = 1/2 the residual of w + e^w = t + 1 bounds the error (the left side
     * has slope 1 + e^w >= 1), and GSL's Lambert W (w = s - W0(e^s), s = t + 1) agrees in
     * double */
    mpfr_t tt[3], out[3], x0, ref;
    cor_flow *f;
    cor_flow_opts o;
    cor_flow_stats st;
    cor_node L = parse("log(1 + exp(-x))");
    double tol = tols[_i], e;
    mpfr_prec_t prec = precs[_i];

    cor_flow_opts_init(&o);
    o.tol = tol;
    f = cor_flow_alloc(COR_FLOW_TAYLOR, P, L, 1, V, prec, &o);
    ck_assert_ptr_nonnull(f);
    for (int k = 0; k < 3; k++)
    {
        mpfr_init2(tt[k], prec + 64);
        mpfr_init2(out[k], prec);
    }
    mpfr_inits2(prec + 64, x0, ref, (mpfr_ptr)0);
    mpfr_set_ui(x0, 0, MPFR_RNDN);
    mpfr_set_str(tt[0], "0.5", 10, MPFR_RNDN);
    mpfr_set_ui(tt[1], 1, MPFR_RNDN);
    mpfr_exp(tt[1], tt[1], MPFR_RNDN); /* e */
    mpfr_set_ui(tt[2], 2, MPFR_RNDN);
    mpfr_exp(tt[2], tt[2], MPFR_RNDN);
    mpfr_add_ui(tt[2], tt[2], 1, MPFR_RNDN); /* 1 + e^2 */
    ck_assert_int_eq(cor_flow_solve(f, out, 3, (const mpfr_t *)tt, (const mpfr_t *)&x0),
                     COR_OK);
    cor_flow_get_stats(f, &st);
    mpfr_sub_ui(ref, out[1], 1, MPFR_RNDN);
    e = fabs(mpfr_get_d(ref, MPFR_RNDN));
    ck_assert_msg(e < tol, "tol %g: w(e) - 1 = %g", tol, e);
    mpfr_sub_ui(ref, out[2], 2, MPFR_RNDN);
    ck_assert_msg(fabs(mpfr_get_d(ref, MPFR_RNDN)) < tol, "tol %g: w(1+e^2) - 2 = %g", tol,
                  mpfr_get_d(ref, MPFR_RNDN));
    e = fmax(e, fabs(mpfr_get_d(ref, MPFR_RNDN)));
    mpfr_exp(ref, out[0], MPFR_RNDN);
    mpfr_add(ref, ref, out[0], MPFR_RNDN);
    mpfr_sub_d(ref, ref, 1.5, MPFR_RNDN);
    ck_assert_msg(fabs(mpfr_get_d(ref, MPFR_RNDN)) < tol, "tol %g: residual at 1/2: %g", tol,
                  mpfr_get_d(ref, MPFR_RNDN));
    e = fmax(e, fabs(mpfr_get_d(ref, MPFR_RNDN)));
    {
        double s = 1.5, w = s - gsl_sf_lambert_W0(exp(s));
        ck_assert(fabs(mpfr_get_d(out[0], MPFR_RNDN) - w) < 1e-14);
    }
    /* the preamble's estimate is not optimistic by more than 10x */
    ck_assert_msg(st.err_est * 10 >= e, "estimate %g vs error %g", st.err_est, e);
    for (int k = 0; k < 3; k++)
    {
        mpfr_clear(tt[k]);
        mpfr_clear(out[k]);
    }
    mpfr_clears(x0, ref, (mpfr_ptr)0);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_p16_balanced_product)
{
    /* 0.5 (a b - 1)^2 from the balanced start (s, s), s = 1/sqrt(2): a = b = sqrt(p(t)) with
     * p(t) = 1/(1 + e^-2t); at t = (1/2) log 3, a = b = sqrt(3)/2 exactly; at t = 0.3 the
     * formula */
    mpfr_t tt[2], out[4], x0[2], ref;
    cor_flow *f;
    cor_flow_opts o;
    cor_flow_stats st;
    cor_node L = parse("0.5*(x*y - 1)^2");
    double tol = tols[_i], e = 0;
    mpfr_prec_t prec = precs[_i];

    cor_flow_opts_init(&o);
    o.tol = tol;
    f = cor_flow_alloc(COR_FLOW_TAYLOR, P, L, 2, V, prec, &o);
    ck_assert_ptr_nonnull(f);
    for (int k = 0; k < 2; k++)
    {
        mpfr_inits2(prec + 64, tt[k], x0[k], (mpfr_ptr)0);
        mpfr_inits2(prec, out[2 * k], out[2 * k + 1], (mpfr_ptr)0);
        mpfr_set_ui(x0[k], 1, MPFR_RNDN);
        mpfr_div_ui(x0[k], x0[k], 2, MPFR_RNDN);
        mpfr_sqrt(x0[k], x0[k], MPFR_RNDN);
    }
    mpfr_init2(ref, prec + 64);
    mpfr_set_str(tt[0], "0.3", 10, MPFR_RNDN);
    mpfr_set_ui(tt[1], 3, MPFR_RNDN);
    mpfr_log(tt[1], tt[1], MPFR_RNDN);
    mpfr_div_ui(tt[1], tt[1], 2, MPFR_RNDN);
    ck_assert_int_eq(cor_flow_solve(f, out, 2, (const mpfr_t *)tt, (const mpfr_t *)x0),
                     COR_OK);
    cor_flow_get_stats(f, &st);
    /* t = 0.3: sqrt(1 / (1 + e^-0.6)) */
    mpfr_set_str(ref, "-0.6", 10, MPFR_RNDN);
    mpfr_exp(ref, ref, MPFR_RNDN);
    mpfr_add_ui(ref, ref, 1, MPFR_RNDN);
    mpfr_rec_sqrt(ref, ref, MPFR_RNDN);
    e = fmax(err_mpfr(out[0], ref), err_mpfr(out[1], ref));
    /* t = log(3)/2: sqrt(3)/2 */
    mpfr_sqrt_ui(ref, 3, MPFR_RNDN);
    mpfr_div_ui(ref, ref, 2, MPFR_RNDN);
    e = fmax(e, fmax(err_mpfr(out[2], ref), err_mpfr(out[3], ref)));
    ck_assert_msg(e < tol, "tol %g: error %g", tol, e);
    ck_assert_msg(st.err_est * 10 >= e, "estimate %g vs error %g", st.err_est, e);
    for (int k = 0; k < 2; k++)
        mpfr_clears(tt[k], x0[k], out[2 * k], out[2 * k + 1], (mpfr_ptr)0);
    mpfr_clear(ref);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_p16_exp_term)
{
    /* L = e^(2x) from x0 = 1/2: x(t) = -(1/2) log(e^-1 + 4t), exactly; at t = 0.3 */
    static const char *th0[] = {"0.5"}, *T[] = {"0.3"};
    mpfr_t out[1], ref;
    cor_flow *f;
    double tol = tols[_i];
    mpfr_prec_t prec = precs[_i];

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, "exp(2*x)", 1, th0, 1, T, out, prec, tol, 0),
                     COR_OK);
    mpfr_init2(ref, prec + 64);
    mpfr_set_str(ref, "1.2", 10, MPFR_RNDN); /* 4t */
    {
        mpfr_t e1;
        mpfr_init2(e1, prec + 64);
        mpfr_set_si(e1, -1, MPFR_RNDN);
        mpfr_exp(e1, e1, MPFR_RNDN);
        mpfr_add(ref, ref, e1, MPFR_RNDN);
        mpfr_clear(e1);
    }
    mpfr_log(ref, ref, MPFR_RNDN);
    mpfr_div_si(ref, ref, -2, MPFR_RNDN);
    ck_assert_msg(err_mpfr(out[0], ref) < tol, "tol %g: error %g", tol, err_mpfr(out[0], ref));
    {
        cor_flow_stats st;
        cor_flow_get_stats(f, &st);
        ck_assert_msg(st.err_est * 10 >= err_mpfr(out[0], ref), "estimate %g vs error %g",
                      st.err_est, err_mpfr(out[0], ref));
    }
    mpfr_clear(ref);
    clear_vec(out, 1);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_dense_equals_stepping)
{
    static const char *th0[] = {"-1.2", "1"}, *T[] = {"1"}, *T2[] = {"0.3721"};
    mpfr_t out[2], out2[2], th[2], t;
    cor_flow *f, *g;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, "0.5*(1-x)^2 + 5*(y-x^2)^2", 2, th0, 1, T,
                              out, 256, 1e-50, 1),
                     COR_OK);
    ck_assert_int_eq(flow_run(&g, COR_FLOW_TAYLOR, "0.5*(1-x)^2 + 5*(y-x^2)^2", 2, th0, 1, T2,
                              out2, 256, 1e-50, 0),
                     COR_OK);
    mpfr_inits2(256, th[0], th[1], t, (mpfr_ptr)0);
    mpfr_set_str(t, "0.3721", 10, MPFR_RNDN);
    ck_assert_int_eq(cor_flow_eval(f, th, t), COR_OK);
    ck_assert(err_mpfr(th[0], out2[0]) < 1e-50 && err_mpfr(th[1], out2[1]) < 1e-50);
    /* the end point from the dense output is the solve's result */
    mpfr_set_ui(t, 1, MPFR_RNDN);
    ck_assert_int_eq(cor_flow_eval(f, th, t), COR_OK);
    ck_assert(err_mpfr(th[0], out[0]) < 1e-60);
    mpfr_set_ui(t, 2, MPFR_RNDN);
    ck_assert_int_eq(cor_flow_eval(f, th, t), COR_EINVAL);
    ck_assert_int_eq(cor_flow_eval(g, th, t), COR_EUNSUP);
    mpfr_clears(th[0], th[1], t, (mpfr_ptr)0);
    clear_vec(out, 2);
    clear_vec(out2, 2);
    cor_flow_free(f);
    cor_flow_free(g);
}
END_TEST

START_TEST(test_many_times)
{
    /* 2000 output times on one solve: each is a Horner evaluation; rows agree with case (i) */
    cor_flow_opts o;
    cor_node L = parse("0.5*(x^2 + 10*y^2)");
    cor_flow *f;
    size_t nt = 2000;
    mpfr_t *tt = malloc(nt * sizeof *tt), *out = malloc(2 * nt * sizeof *out), x0[2], ref;

    cor_flow_opts_init(&o);
    o.tol = 1e-40;
    f = cor_flow_alloc(COR_FLOW_TAYLOR, P, L, 2, V, 200, &o);
    for (size_t k = 0; k < nt; k++)
    {
        mpfr_init2(tt[k], 200);
        mpfr_set_ui(tt[k], k + 1, MPFR_RNDN);
        mpfr_div_ui(tt[k], tt[k], 1000, MPFR_RNDN);
        mpfr_init2(out[2 * k], 200);
        mpfr_init2(out[2 * k + 1], 200);
    }
    mpfr_inits2(200, x0[0], x0[1], ref, (mpfr_ptr)0);
    mpfr_set_ui(x0[0], 1, MPFR_RNDN);
    mpfr_set_ui(x0[1], 1, MPFR_RNDN);
    ck_assert_int_eq(cor_flow_solve(f, out, nt, (const mpfr_t *)tt, (const mpfr_t *)x0), COR_OK);
    for (size_t k = 0; k < nt; k += 97)
    {
        mpfr_mul_si(ref, tt[k], -10, MPFR_RNDN);
        mpfr_exp(ref, ref, MPFR_RNDN);
        ck_assert_msg(err_mpfr(out[2 * k + 1], ref) < 1e-40, "row %zu", k);
    }
    for (size_t k = 0; k < nt; k++)
    {
        mpfr_clear(tt[k]);
        mpfr_clear(out[2 * k]);
        mpfr_clear(out[2 * k + 1]);
    }
    mpfr_clears(x0[0], x0[1], ref, (mpfr_ptr)0);
    free(tt);
    free(out);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_cone_apex_stops)
{
    /* |theta| from (3,-1,2): the flow reaches the apex at t = sqrt(14) and stops there */
    static const char *th0[] = {"3", "-1", "2"}, *T[] = {"1", "5"};
    mpfr_t out[6], s14;
    cor_flow *f;
    cor_flow_stats st;
    cor_flow_method ms[] = {COR_FLOW_TAYLOR, COR_FLOW_EXACT};

    for (int m = 0; m < 2; m++)
    {
        ck_assert_int_eq(flow_run(&f, ms[m], "sqrt(x^2 + y^2 + z^2)", 3, th0, 2, T, out, 256,
                                  1e-40, 0),
                         COR_STOPPED);
        cor_flow_get_stats(f, &st);
        mpfr_init2(s14, 256);
        mpfr_set_ui(s14, 14, MPFR_RNDN);
        mpfr_sqrt(s14, s14, MPFR_RNDN);
        /* Taylor: the event is located to the working precision; the exact line's corridor
         * test is good to about half of it near the apex (flow_exact.c) */
        ck_assert_msg(err_mpfr(cor_flow_t_reached(f), s14) < (m ? 1e-35 : 1e-60),
                      "method %d: t = %.20g", m,
                      mpfr_get_d(cor_flow_t_reached(f), MPFR_RNDN));
        ck_assert(st.stop_reason != NULL);
        /* the row at t = 1 is on the line theta0 (1 - 1/sqrt 14); the row at 5 is missing */
        mpfr_ui_div(s14, 1, s14, MPFR_RNDN);
        mpfr_ui_sub(s14, 1, s14, MPFR_RNDN);
        mpfr_mul_ui(s14, s14, 3, MPFR_RNDN);
        ck_assert(err_mpfr(out[0], s14) < 1e-60);
        ck_assert(mpfr_nan_p(out[3]));
        mpfr_clear(s14);
        clear_vec(out, 6);
        cor_flow_free(f);
    }
}
END_TEST

START_TEST(test_log_leaves_domain)
{
    /* L = log(x) from 1: x' = -1/x, x = sqrt(1 - 2t), singular at t = 1/2 */
    static const char *th0[] = {"1"}, *T[] = {"1"}, *th1[] = {"-1"};
    mpfr_t out[1];
    cor_flow *f;
    cor_flow_stats st;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, "log(x)", 1, th0, 1, T, out, 128, 1e-20, 0),
                     COR_STOPPED);
    cor_flow_get_stats(f, &st);
    ck_assert_msg(fabs(st.t_reached - 0.5) < 1e-12, "t = %.17g", st.t_reached);
    ck_assert(mpfr_nan_p(out[0]));
    clear_vec(out, 1);
    cor_flow_free(f);
    /* from a negative start: log is not finite at once, t reached 0 */
    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, "log(x) + x^2", 1, th1, 1, T, out, 128,
                              1e-20, 0),
                     COR_STOPPED);
    cor_flow_get_stats(f, &st);
    ck_assert(st.t_reached == 0);
    clear_vec(out, 1);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_double_methods)
{
    /* case (ii) in double: Taylor-double, rk8pd, msbdf; case (i): exact in double (eigen) */
    static const char *th0[] = {"-1.2", "1"}, *T[] = {"1"};
    cor_flow_method ms[] = {COR_FLOW_TAYLOR_D, COR_FLOW_RK8PD, COR_FLOW_MSBDF};
    double lim[] = {1e-13, 1e-11, 1e-8};
    mpfr_t out[2];
    cor_flow *f;

    for (int m = 0; m < 3; m++)
    {
        ck_assert_int_eq(flow_run(&f, ms[m], "0.5*(1-x)^2 + 5*(y-x^2)^2", 2, th0, 1, T, out, 53,
                                  1e-14, 0),
                         COR_OK);
        ck_assert_msg(err_str(out[0], case_ii_ref[0]) < lim[m]
                          && err_str(out[1], case_ii_ref[1]) < lim[m],
                      "%s: %g %g", cor_flow_method_name(ms[m]), err_str(out[0], case_ii_ref[0]),
                      err_str(out[1], case_ii_ref[1]));
        clear_vec(out, 2);
        cor_flow_free(f);
    }
}
END_TEST

START_TEST(test_exact_quadratics)
{
    /* diagonal: MPFR exact; non-diagonal: eigen in double and Taylor at high precision agree */
    static const char *th0[] = {"1", "1"}, *T[] = {"2"};
    const char *nd = "0.5*(2*x^2 + 2*x*y + 3*y^2) + x - y";
    mpfr_t out[2], out2[2], ref;
    cor_flow *f, *g;
    cor_flow_stats st;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_EXACT, "0.5*(x^2 + 10*y^2)", 2, th0, 1, T, out, 300,
                              1e-30, 0),
                     COR_OK);
    mpfr_init2(ref, 364);
    mpfr_set_si(ref, -20, MPFR_RNDN);
    mpfr_exp(ref, ref, MPFR_RNDN);
    ck_assert(err_mpfr(out[1], ref) < 1e-85);
    cor_flow_get_stats(f, &st);
    ck_assert_str_eq(st.exact_kind, "quadratic");
    clear_vec(out, 2);
    cor_flow_free(f);
    ck_assert_int_eq(flow_run(&f, COR_FLOW_EXACT, nd, 2, th0, 1, T, out, 53, 1e-14, 0), COR_OK);
    ck_assert_int_eq(flow_run(&g, COR_FLOW_EXACT, nd, 2, th0, 1, T, out2, 256, 1e-50, 0),
                     COR_OK);
    cor_flow_get_stats(g, &st);
    ck_assert_str_eq(st.exact_kind, "quadratic-taylor");
    ck_assert(err_mpfr(out[0], out2[0]) < 1e-14 && err_mpfr(out[1], out2[1]) < 1e-14);
    clear_vec(out, 2);
    clear_vec(out2, 2);
    mpfr_clear(ref);
    cor_flow_free(f);
    cor_flow_free(g);
}
END_TEST


START_TEST(test_step_loop_allocates_nothing)
{
    /* a whole solve, after a warm-up solve, makes no GMP/MPFR allocation: case (ii) (an
     * arithmetic field) at 1e-60 and 1e-300, and a logistic loss (softplus: MPFR's exp and
     * log1p at order 0) at 1e-100; precision profile and convolution kernel included */
    static const struct
    {
        const char *loss, *th0[2], *T;
        double tol;
        mpfr_prec_t prec;
    } c[] = {
        {"0.5*(1-x)^2 + 5*(y-x^2)^2", {"-1.2", "1"}, "1", 1e-60, 256},
        {"0.5*(1-x)^2 + 5*(y-x^2)^2", {"-1.2", "1"}, "1", 1e-300, 1100},
        {"(softplus(-(x + 0.5*y)) + softplus(-0.75*x + 1.25*y))/2", {"0", "0"}, "5", 1e-100,
         400},
    };
    const char *T[] = {c[_i].T};
    mpfr_t out[2], x0[2], tt;
    cor_flow *f;
    cor_flow_stats st;
    size_t allocs, resizes;
    mpfr_prec_t prec = c[_i].prec;

    ck_assert_int_eq(flow_run(&f, COR_FLOW_TAYLOR, c[_i].loss, 2, c[_i].th0, 1, T, out, prec,
                              c[_i].tol, 0),
                     COR_OK);
    mpfr_inits2(prec, x0[0], x0[1], tt, (mpfr_ptr)0);
    mpfr_set_str(x0[0], c[_i].th0[0], 10, MPFR_RNDN);
    mpfr_set_str(x0[1], c[_i].th0[1], 10, MPFR_RNDN);
    mpfr_set_str(tt, c[_i].T, 10, MPFR_RNDN);
    cor_test_gmp_count_start();
    int s = cor_flow_solve(f, out, 1, (const mpfr_t *)&tt, (const mpfr_t *)x0);
    cor_test_gmp_count_stop(&allocs, &resizes, NULL);
    ck_assert_int_eq(s, COR_OK);
    cor_flow_get_stats(f, &st);
    ck_assert_uint_gt(st.steps, 1);
    if (_i < 2)
        ck_assert_msg(allocs + resizes == 0, "%s: %zu allocations, %zu resizes in %llu steps",
                      c[_i].loss, allocs, resizes, (unsigned long long)st.steps);
    else
    {
        /* MPFR's exp and log1p allocate their own working numbers. The budget: what the
         * same MPFR calls make by themselves -- per step the order-0 values of the two
         * sigmoids of -grad L (one exp each), and the loss at theta0 (exp and log1p per
         * softplus); the integrator must add nothing to it */
        size_t ba, br;
        mpfr_t a, r;
        mpfr_inits2(prec, a, r, (mpfr_ptr)0);
        mpfr_set_str(a, "-0.37", 10, MPFR_RNDN);
        cor_test_gmp_count_start();
        for (uint64_t k = 0; k < 2 * st.steps + 2; k++)
            mpfr_exp(r, a, MPFR_RNDN);
        for (int k = 0; k < 2; k++)
            mpfr_log1p(r, a, MPFR_RNDN);
        cor_test_gmp_count_stop(&ba, &br, NULL);
        mpfr_clears(a, r, (mpfr_ptr)0);
        ck_assert_msg(allocs + resizes <= ba + br,
                      "%s: %zu allocations, %zu resizes in %llu steps; MPFR's own calls: %zu, "
                      "%zu",
                      c[_i].loss, allocs, resizes, (unsigned long long)st.steps, ba, br);
    }
    mpfr_clears(x0[0], x0[1], tt, (mpfr_ptr)0);
    clear_vec(out, 2);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_flow_errors)
{
    cor_flow_opts o;
    cor_node L = parse("x^2");
    cor_flow_method m;

    cor_flow_opts_init(&o);
    o.tol = 2;
    ck_assert_ptr_null(cor_flow_alloc(COR_FLOW_TAYLOR, P, L, 1, V, 64, &o));
    ck_assert_ptr_null(cor_flow_alloc(COR_FLOW_TAYLOR, P, L, 0, V, 64, NULL));
    ck_assert_int_eq(cor_flow_method_parse(&m, "rk8pd"), COR_OK);
    ck_assert_int_eq(m, COR_FLOW_RK8PD);
    ck_assert_int_eq(cor_flow_method_parse(&m, "rk4"), COR_EINVAL);
    ck_assert_str_eq(cor_flow_method_name(COR_FLOW_EXACT), "exact");
    cor_flow_free(NULL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("flow");
    struct
    {
        const char *name;
        const TTest *test;
        int n;
    } tests[] = {
        {"taylor_known", test_taylor_known_series, sizeof known / sizeof known[0]},
        {"taylor_softplus_pow", test_taylor_softplus_pow, 1},
        {"taylor_ode", test_taylor_ode_exp_decay, 1},
        {"taylor_kink", test_taylor_kink_and_errors, 1},
        {"case_i", test_case_i, NTOLS},
        {"case_ii", test_case_ii, NTOLS},
        {"verify", test_verify, 1},
        {"p16_lambert", test_p16_softplus_lambert, NTOLS},
        {"p16_balanced", test_p16_balanced_product, NTOLS},
        {"p16_exp", test_p16_exp_term, NTOLS},
        {"dense", test_dense_equals_stepping, 1},
        {"many_times", test_many_times, 1},
        {"cone_apex", test_cone_apex_stops, 1},
        {"log_domain", test_log_leaves_domain, 1},
        {"double_methods", test_double_methods, 1},
        {"exact_quadratic", test_exact_quadratics, 1},
        {"no_alloc", test_step_loop_allocates_nothing, 3},
        {"errors", test_flow_errors, 1},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_loop_test(tc, tests[i].test, 0, tests[i].n);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
