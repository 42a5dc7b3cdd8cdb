/* check_drift.c -- modified losses and flows (lib/drift): PREDICTIONS.md public cases (i)
 * and (iii) (distances of GD to GF and to the IGR flow, 30 digits where the reference has
 * them), the local-error coefficients of P3/P4 as exact rationals, MOD3 = GD to O(h^4), the
 * coefficients E1(1), E2(1) of P4 to 20 digits, case (vi)'s SGD coefficients (P9) exactly,
 * the SGD regulariser split, heavy-ball's modified loss and shift, the general-field
 * integrator against lib/flow, T(g,g) on a cubic, f3 not being a gradient, the order fit and
 * rational recognition. Reference values come from PREDICTIONS.md (computed independently
 * with mpmath) or from closed forms stated in each test. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_drift.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_flow.h"
#include "testlib.h"

#define PREC 256

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

static void
set2(mpfr_t *x, const char *a, const char *b)
{
    mpfr_init2(x[0], PREC);
    mpfr_init2(x[1], PREC);
    mpfr_set_str(x[0], a, 10, MPFR_RNDN);
    mpfr_set_str(x[1], b, 10, MPFR_RNDN);
}

static void
clear2(mpfr_t *x)
{
    mpfr_clear(x[0]);
    mpfr_clear(x[1]);
}

/* N GD steps of size h (decimal text, read exactly) from x, in place */
static void
gd(mpfr_t *x, cor_node L, const char *h, long N)
{
    cor_node g[2];
    cor_tape *t;
    cor_eval_mpfr *w;
    mpfr_t out[2], hh;

    ck_assert_int_eq(cor_diff_grad(g, P, L, 2, V), COR_OK);
    t = cor_tape_alloc(P, 2, V, 2, g);
    w = cor_eval_mpfr_alloc(t, PREC);
    ck_assert_ptr_nonnull(w);
    mpfr_init2(hh, PREC);
    mpfr_set_str(hh, h, 10, MPFR_RNDN);
    set2(out, "0", "0");
    for (long k = 0; k < N; k++)
    {
        ck_assert_int_eq(cor_eval_mpfr_run(w, out, (const mpfr_t *)x), COR_OK);
        for (int i = 0; i < 2; i++)
        {
            mpfr_mul(out[i], out[i], hh, MPFR_RNDN);
            mpfr_sub(x[i], x[i], out[i], MPFR_RNDN);
        }
    }
    clear2(out);
    mpfr_clear(hh);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}

static double
dist_rel(const mpfr_t *a, const mpfr_t *b, const char *ref)
{
    mpfr_t d, e, r;
    double rel;

    mpfr_inits2(PREC, d, e, r, (mpfr_ptr)0);
    mpfr_set_zero(d, 1);
    for (int i = 0; i < 2; i++)
    {
        mpfr_sub(e, a[i], b[i], MPFR_RNDN);
        mpfr_sqr(e, e, MPFR_RNDN);
        mpfr_add(d, d, e, MPFR_RNDN);
    }
    mpfr_sqrt(d, d, MPFR_RNDN);
    mpfr_set_str(r, ref, 10, MPFR_RNDN);
    mpfr_sub(e, d, r, MPFR_RNDN);
    mpfr_div(e, e, r, MPFR_RNDN);
    rel = fabs(mpfr_get_d(e, MPFR_RNDN));
    mpfr_clears(d, e, r, (mpfr_ptr)0);
    return rel;
}

static double
rel_err(mpfr_srcptr x, const char *ref)
{
    mpfr_t r;
    double e;

    mpfr_init2(r, PREC);
    mpfr_set_str(r, ref, 10, MPFR_RNDN);
    mpfr_sub(r, x, r, MPFR_RNDN);
    e = fabs(mpfr_get_d(r, MPFR_RNDN));
    mpfr_set_str(r, ref, 10, MPFR_RNDN);
    e /= fabs(mpfr_get_d(r, MPFR_RNDN));
    mpfr_clear(r);
    return e;
}

/* the flow of kind k with step h from theta0 to T */
static void
drift_flow(mpfr_t *out, cor_drift_kind k, cor_node L, const char *h, const mpfr_t *th0,
           const char *T)
{
    cor_drift_opts o;
    cor_drift_flow *f;
    mpfr_t t;

    cor_drift_opts_init(&o);
    if (h)
        o.h = parse(h);
    f = cor_drift_flow_alloc(k, P, L, 2, V, PREC, &o);
    ck_assert_msg(f != NULL, "%s", cor_last_error()->msg);
    mpfr_init2(t, PREC);
    mpfr_set_str(t, T, 10, MPFR_RNDN);
    ck_assert_int_eq(cor_drift_flow_solve(f, out, 1, (const mpfr_t *)&t, th0), COR_OK);
    mpfr_clear(t);
    cor_drift_flow_free(f);
}

#define CASE_II "0.5*(1-x)^2 + 5*(y-x^2)^2"

/* (iii): GD h = 0.01, 100 steps vs GF(1) and IGR_h(1), 30 digits */
START_TEST(test_case_iii)
{
    cor_node L = parse(CASE_II);
    mpfr_t th0[2], x[2], gf[2], igr[2];

    set2(th0, "-1.2", "1");
    set2(x, "-1.2", "1");
    set2(gf, "0", "0");
    set2(igr, "0", "0");
    gd(x, L, "0.01", 100);
    ck_assert(rel_err(x[0], "-0.4631400527283432165547204235679866891381468265226739331803275850663363") < 1e-60);
    ck_assert(rel_err(x[1], "0.2891066935082739996779869994140541587002814467635003819963804372583551") < 1e-60);
    drift_flow(gf, COR_DRIFT_GF, L, NULL, (const mpfr_t *)th0, "1");
    drift_flow(igr, COR_DRIFT_IGR, L, "0.01", (const mpfr_t *)th0, "1");
    ck_assert(rel_err(igr[0], "-0.4645123791880156162730914256421089417769504069153708492680186416984389") < 1e-30);
    ck_assert(rel_err(igr[1], "0.290464124946534773424851953567873479492394019330043568656592348770752") < 1e-30);
    ck_assert(dist_rel((const mpfr_t *)x, (const mpfr_t *)gf,
                       "0.00300307110424637262510615686053557513358110927714835849624676") < 1e-30);
    ck_assert(dist_rel((const mpfr_t *)x, (const mpfr_t *)igr,
                       "0.00193025905554039438600549207185635970214605615537339350911136") < 1e-30);
    clear2(th0), clear2(x), clear2(gf), clear2(igr);
}
END_TEST

/* (i): quadratic, h = 0.01, 200 steps, T = 2; the reference carries 17 digits */
START_TEST(test_case_i)
{
    cor_node L = parse("0.5*(x^2+10*y^2)");
    mpfr_t th0[2], x[2], gf[2], igr[2];

    set2(th0, "1", "1");
    set2(x, "1", "1");
    set2(gf, "0", "0");
    set2(igr, "0", "0");
    gd(x, L, "0.01", 200);
    drift_flow(gf, COR_DRIFT_GF, L, NULL, (const mpfr_t *)th0, "2");
    drift_flow(igr, COR_DRIFT_IGR, L, "0.01", (const mpfr_t *)th0, "2");
    ck_assert(rel_err(gf[0], "0.13533528323661269189399949497248440340763154590957588146815887265407") < 1e-60);
    ck_assert(dist_rel((const mpfr_t *)x, (const mpfr_t *)gf, "1.3556083786514180e-3") < 1e-16);
    ck_assert(dist_rel((const mpfr_t *)x, (const mpfr_t *)igr, "8.9998108431686820e-6") < 1e-16);
    clear2(th0), clear2(x), clear2(gf), clear2(igr);
}
END_TEST

/* recognises coefficient j of a series (coef[j n + i]) as the rational text */
static void
assert_q(mpfr_srcptr x, const char *q)
{
    mpq_t r, e;

    mpq_inits(r, e, NULL);
    ck_assert_int_eq(mpq_set_str(e, q, 10), 0);
    mpq_canonicalize(e);
    ck_assert_msg(cor_drift_recognize_q(r, x, 1000000000UL, PREC - 40), "not rational: %s",
                  q);
    ck_assert_msg(mpq_equal(r, e), "expected %s", q);
    mpq_clears(r, e, NULL);
}

#define K 4

/* P3/P4 local errors at (-1.2, 1) on (ii), from series in h: GD - GF(h) = c2 h^2 + c3 h^3,
 * IGR(h) - GD = h^3 (...), MOD3(h) - GD = O(h^4) */
START_TEST(test_local_errors)
{
    cor_node L = parse(CASE_II), hv = cor_expr_var(P, "hh"), one = cor_expr_const_si(P, 1);
    cor_node fgf[2], figr[2], fm3[2], igr;
    mpfr_t th0[2], sgd[(K + 1) * 2], cgf[(K + 1) * 2], cigr[(K + 1) * 2], cm3[(K + 1) * 2], d;

    set2(th0, "-1.2", "1");
    for (int i = 0; i < (K + 1) * 2; i++)
        mpfr_inits2(PREC, sgd[i], cgf[i], cigr[i], cm3[i], (mpfr_ptr)0);
    mpfr_init2(d, PREC);
    {
        size_t ord = 0;
        ck_assert_int_eq(cor_drift_sgd_hseries(sgd, P, 1, &L, 2, V, &ord, 1, K,
                                               (const mpfr_t *)th0, PREC), COR_OK);
    }
    ck_assert_int_eq(cor_diff_grad(fgf, P, L, 2, V), COR_OK);
    fgf[0] = cor_expr_neg(P, fgf[0]), fgf[1] = cor_expr_neg(P, fgf[1]);
    ck_assert_int_eq(cor_drift_igr_loss(&igr, P, L, hv, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad(figr, P, igr, 2, V), COR_OK);
    figr[0] = cor_expr_neg(P, figr[0]), figr[1] = cor_expr_neg(P, figr[1]);
    ck_assert_int_eq(cor_drift_mod3_field(fm3, P, L, hv, 2, V), COR_OK);
    ck_assert_int_eq(cor_drift_flow_hseries(cgf, P, 2, fgf, V, hv, one, K, (const mpfr_t *)th0,
                                            PREC), COR_OK);
    ck_assert_int_eq(cor_drift_flow_hseries(cigr, P, 2, figr, V, hv, one, K,
                                            (const mpfr_t *)th0, PREC), COR_OK);
    ck_assert_int_eq(cor_drift_flow_hseries(cm3, P, 2, fm3, V, hv, one, K, (const mpfr_t *)th0,
                                            PREC), COR_OK);
    /* GD - GF(h): h^2 and h^3 */
    for (int i = 0; i < 2; i++)
    {
        mpfr_sub(d, sgd[2 * 2 + i], cgf[2 * 2 + i], MPFR_RNDN);
        assert_q(d, i == 0 ? "120703/250" : "4378/25");
        mpfr_sub(d, sgd[3 * 2 + i], cgf[3 * 2 + i], MPFR_RNDN);
        assert_q(d, i == 0 ? "-4132513/250" : "-1870858/375");
        /* IGR - GD: zero h^2, then the P4 value */
        mpfr_sub(d, cigr[2 * 2 + i], sgd[2 * 2 + i], MPFR_RNDN);
        assert_q(d, "0");
        mpfr_sub(d, cigr[3 * 2 + i], sgd[3 * 2 + i], MPFR_RNDN);
        assert_q(d, i == 0 ? "-16648269/625" : "-3436433/375");
        /* MOD3 - GD: zero through h^3, not at h^4 */
        for (int j = 0; j <= 3; j++)
        {
            mpfr_sub(d, cm3[j * 2 + i], sgd[j * 2 + i], MPFR_RNDN);
            ck_assert_msg(mpfr_zero_p(d) || mpfr_get_exp(d) < -(PREC - 40), "mod3 h^%d", j);
        }
        mpfr_sub(d, cm3[4 * 2 + i], sgd[4 * 2 + i], MPFR_RNDN);
        ck_assert(mpfr_cmpabs_ui(d, 1) > 0);
    }
    clear2(th0);
    for (int i = 0; i < (K + 1) * 2; i++)
        mpfr_clears(sgd[i], cgf[i], cigr[i], cm3[i], (mpfr_ptr)0);
    mpfr_clear(d);
}
END_TEST

/* P4: E1(1), E2(1) on (ii) to 20 digits */
START_TEST(test_global_coeffs)
{
    cor_node L = parse(CASE_II);
    mpfr_t th0[2], E1[2], E2[2], T;

    set2(th0, "-1.2", "1");
    set2(E1, "0", "0");
    set2(E2, "0", "0");
    mpfr_init2(T, PREC);
    mpfr_set_ui(T, 1, MPFR_RNDN);
    ck_assert_int_eq(cor_drift_global_coeffs(E1, E2, P, L, 2, V, (const mpfr_t *)th0, T, PREC,
                                             1e-40), COR_OK);
    ck_assert(rel_err(E1[0], "0.11378675970657706776858702671") < 1e-20);
    ck_assert(rel_err(E1[1], "-0.13486741790111101198788156103") < 1e-20);
    ck_assert(rel_err(E2[0], "12.017544013077899385819036959") < 1e-20);
    ck_assert(rel_err(E2[1], "-11.948903102087321288384047590") < 1e-20);
    clear2(th0), clear2(E1), clear2(E2);
    mpfr_clear(T);
}
END_TEST

/* P9, case (vi): E[theta_4] - L_SGD flow(4h) = 0 h^2 + (-215/4, 2179/12) h^3; the fixed order
 * (1,2,3,4) has the h^2 coefficient (23/2, -33/2) */
START_TEST(test_sgd_case_vi)
{
    const char *bt[4] = {"0.5*(x+2*y-1)^2", "0.5*(2*x-y)^2", "0.5*(x+y-2)^2",
                         "0.5*(-x+3*y+1)^2"};
    cor_node b[4], hv = cor_expr_var(P, "hh"), four = cor_expr_const_si(P, 4), ls, f[2];
    mpfr_t th0[2], all[(K + 1) * 2], fix[(K + 1) * 2], fl[(K + 1) * 2], d;
    size_t ord[4] = {0, 1, 2, 3};

    for (int k = 0; k < 4; k++)
        b[k] = parse(bt[k]);
    set2(th0, "0.5", "-0.5");
    for (int i = 0; i < (K + 1) * 2; i++)
        mpfr_inits2(PREC, all[i], fix[i], fl[i], (mpfr_ptr)0);
    mpfr_init2(d, PREC);
    ck_assert_int_eq(cor_drift_sgd_hseries(all, P, 4, b, 2, V, NULL, 0, K, (const mpfr_t *)th0,
                                           PREC), COR_OK);
    ck_assert_int_eq(cor_drift_sgd_hseries(fix, P, 4, b, 2, V, ord, 4, K, (const mpfr_t *)th0,
                                           PREC), COR_OK);
    ck_assert_int_eq(cor_drift_sgd_loss(&ls, NULL, NULL, NULL, P, 4, b, hv, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad(f, P, ls, 2, V), COR_OK);
    f[0] = cor_expr_neg(P, f[0]), f[1] = cor_expr_neg(P, f[1]);
    ck_assert_int_eq(cor_drift_flow_hseries(fl, P, 2, f, V, hv, four, K, (const mpfr_t *)th0,
                                            PREC), COR_OK);
    for (int i = 0; i < 2; i++)
    {
        mpfr_sub(d, all[1 * 2 + i], fl[1 * 2 + i], MPFR_RNDN);
        assert_q(d, "0");
        mpfr_sub(d, all[2 * 2 + i], fl[2 * 2 + i], MPFR_RNDN);
        assert_q(d, "0");
        mpfr_sub(d, all[3 * 2 + i], fl[3 * 2 + i], MPFR_RNDN);
        assert_q(d, i == 0 ? "-215/4" : "2179/12");
        mpfr_sub(d, fix[2 * 2 + i], fl[2 * 2 + i], MPFR_RNDN);
        assert_q(d, i == 0 ? "23/2" : "-33/2");
    }
    clear2(th0);
    for (int i = 0; i < (K + 1) * 2; i++)
        mpfr_clears(all[i], fix[i], fl[i], (mpfr_ptr)0);
    mpfr_clear(d);
}
END_TEST

/* run a tape of nout outputs at (x, y) given as text */
static void
eval_at(mpfr_t *out, size_t nout, const cor_node *f, const char *x, const char *y)
{
    cor_tape *t = cor_tape_alloc(P, 2, V, nout, f);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, PREC);
    const char *in[2] = {x, y};

    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(cor_eval_mpfr_run_str(w, out, in), COR_OK);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}

/* T(g,g) on L = x^3 + x y^2: T_xxx = 6, T_xyy = 2 (and permutations), so at (1,2), g = (7,4):
 * T(g,g) = (6*49 + 2*16, 4*7*4) = (326, 112). f3 is not a gradient: its Jacobian at
 * (-1.2, 1) on (ii) is not symmetric; f2 = -grad(|g|^2/4) is. */
START_TEST(test_tgg_and_curl)
{
    cor_node L = parse("x^3 + x*y^2"), t[2], f2[2], f3[2], J[8];
    mpfr_t o[8];

    for (int i = 0; i < 8; i++)
        mpfr_init2(o[i], PREC);
    ck_assert_int_eq(cor_drift_tgg(t, P, L, 2, V), COR_OK);
    eval_at(o, 2, t, "1", "2");
    ck_assert(mpfr_cmp_ui(o[0], 326) == 0 && mpfr_cmp_ui(o[1], 112) == 0);
    L = parse(CASE_II);
    ck_assert_int_eq(cor_drift_f2_f3(f2, f3, P, L, 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad(J, P, f2[0], 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad(J + 2, P, f2[1], 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad(J + 4, P, f3[0], 2, V), COR_OK);
    ck_assert_int_eq(cor_diff_grad(J + 6, P, f3[1], 2, V), COR_OK);
    eval_at(o, 8, J, "-1.2", "1");
    mpfr_sub(o[0], o[1], o[2], MPFR_RNDN); /* d f2_x/dy - d f2_y/dx */
    ck_assert(mpfr_zero_p(o[0]) || mpfr_get_exp(o[0]) < -(PREC - 30));
    mpfr_sub(o[0], o[5], o[6], MPFR_RNDN); /* curl of f3 */
    ck_assert(mpfr_cmpabs_ui(o[0], 1) > 0);
    for (int i = 0; i < 8; i++)
        mpfr_clear(o[i]);
}
END_TEST

/* the SGD split (h/4)|g|^2 + (h/(4m)) sum |g_k - g|^2 = (h/(4m)) sum |g_k|^2 at a point */
START_TEST(test_sgd_split)
{
    cor_node b[3] = {parse("exp(x) + y^2"), parse("x*y - sin(y)"), parse("(x-y)^4")};
    cor_node h = parse("0.3"), ls, mean, full, per, out[2];
    mpfr_t o[2];

    ck_assert_int_eq(cor_drift_sgd_loss(&ls, &mean, &full, &per, P, 3, b, h, 2, V), COR_OK);
    out[0] = cor_expr_sub(P, ls, mean);
    out[1] = cor_expr_add(P, full, per);
    mpfr_inits2(PREC, o[0], o[1], (mpfr_ptr)0);
    eval_at(o, 2, out, "0.7", "-1.3");
    ck_assert(mpfr_cmp_ui(o[0], 0) > 0);
    mpfr_sub(o[1], o[1], o[0], MPFR_RNDN);
    ck_assert(mpfr_zero_p(o[1]) || mpfr_get_exp(o[1]) < -(PREC - 20));
    mpfr_clears(o[0], o[1], (mpfr_ptr)0);
}
END_TEST

/* heavy ball: the modified loss equals (1/(1-b))(L + h(1+b)/(4(1-b)^2)|g|^2) evaluated by
 * hand on 0.5(x^2+10y^2) at (1,1), h = 0.01, b = 0.5: L = 5.5, |g|^2 = 101, so
 * 2 (5.5 + 0.01*1.5/(4*0.25)*101) = 2 (5.5 + 1.515) = 14.03; shift = 0.01*0.5/0.25 g = 0.02 g
 * = (0.02, 0.2). beta = 1 is rejected. */
START_TEST(test_hb)
{
    cor_node L = parse("0.5*(x^2+10*y^2)"), out[3], sh[2];
    mpfr_t o[3];

    ck_assert_int_eq(cor_drift_hb_loss(&out[0], sh, P, L, parse("0.01"), parse("0.5"), 2, V),
                     COR_OK);
    out[1] = sh[0], out[2] = sh[1];
    for (int i = 0; i < 3; i++)
        mpfr_init2(o[i], PREC);
    eval_at(o, 3, out, "1", "1");
    ck_assert(rel_err(o[0], "14.03") < 1e-70);
    ck_assert(rel_err(o[1], "0.02") < 1e-70);
    ck_assert(rel_err(o[2], "0.2") < 1e-70);
    ck_assert_int_eq(cor_drift_hb_loss(&out[0], NULL, P, L, parse("0.01"), parse("1"), 2, V),
                     COR_EINVAL);
    ck_assert_int_eq(cor_drift_igr_loss(&out[0], P, L, parse("x"), 2, V), COR_EINVAL);
    for (int i = 0; i < 3; i++)
        mpfr_clear(o[i]);
}
END_TEST

/* the general-field integrator agrees with lib/flow on a gradient field (ii), 60 digits, at
 * several times in one solve */
START_TEST(test_ode_vs_flow)
{
    cor_node L = parse(CASE_II), F[2];
    cor_drift_ode *o;
    cor_flow *f;
    cor_flow_opts fo;
    mpfr_t th0[2], t[3], a[6], b[6];

    ck_assert_int_eq(cor_diff_grad(F, P, L, 2, V), COR_OK);
    F[0] = cor_expr_neg(P, F[0]), F[1] = cor_expr_neg(P, F[1]);
    o = cor_drift_ode_alloc(P, 2, F, V, PREC, 1e-70);
    cor_flow_opts_init(&fo);
    fo.tol = 1e-70;
    f = cor_flow_alloc(COR_FLOW_TAYLOR, P, L, 2, V, PREC, &fo);
    ck_assert(o && f);
    set2(th0, "-1.2", "1");
    for (int i = 0; i < 3; i++)
        mpfr_init2(t[i], PREC), mpfr_set_d(t[i], 0.25 + 0.375 * i, MPFR_RNDN);
    for (int i = 0; i < 6; i++)
        mpfr_inits2(PREC, a[i], b[i], (mpfr_ptr)0);
    ck_assert_int_eq(cor_drift_ode_solve(o, a, 3, (const mpfr_t *)t, (const mpfr_t *)th0), COR_OK);
    ck_assert_int_eq(cor_flow_solve(f, b, 3, (const mpfr_t *)t, (const mpfr_t *)th0), COR_OK);
    for (int i = 0; i < 6; i++)
    {
        mpfr_sub(a[i], a[i], b[i], MPFR_RNDN);
        ck_assert(mpfr_zero_p(a[i]) || mpfr_get_exp(a[i]) < -200);
    }
    /* GF(1), case (ii) */
    ck_assert(rel_err(b[4], "-0.4651673652646307281025703894967782787237757890772373134665548614709669") < 1e-60);
    clear2(th0);
    for (int i = 0; i < 3; i++)
        mpfr_clear(t[i]);
    for (int i = 0; i < 6; i++)
        mpfr_clears(a[i], b[i], (mpfr_ptr)0);
    cor_drift_ode_free(o);
    cor_flow_free(f);
}
END_TEST

START_TEST(test_fit_and_q)
{
    double h[3] = {0.1, 0.05, 0.025}, e[3], p, lc;
    mpfr_t x;
    mpq_t q;

    for (int i = 0; i < 3; i++)
        e[i] = 3.0 * h[i] * h[i] * h[i];
    ck_assert_int_eq(cor_drift_fit_order(&p, &lc, 3, h, e), COR_OK);
    ck_assert_double_eq_tol(p, 3.0, 1e-12);
    ck_assert_double_eq_tol(lc, log(3.0), 1e-12);
    ck_assert_int_eq(cor_drift_fit_order(&p, NULL, 1, h, e), COR_EINVAL);
    mpfr_init2(x, PREC);
    mpq_init(q);
    mpfr_set_si(x, 2179, MPFR_RNDN);
    mpfr_div_ui(x, x, 12, MPFR_RNDN);
    ck_assert(cor_drift_recognize_q(q, x, 1000000, PREC - 10));
    ck_assert(mpz_cmp_ui(mpq_numref(q), 2179) == 0 && mpz_cmp_ui(mpq_denref(q), 12) == 0);
    mpfr_const_pi(x, MPFR_RNDN);
    ck_assert(!cor_drift_recognize_q(q, x, 1000000000UL, PREC - 10));
    mpfr_clear(x);
    mpq_clear(q);
}
END_TEST

START_TEST(test_kind_names)
{
    cor_drift_kind k;

    ck_assert_int_eq(cor_drift_kind_parse(&k, "sgd-modified"), COR_OK);
    ck_assert_int_eq(k, COR_DRIFT_SGD);
    ck_assert_int_eq(cor_drift_kind_parse(&k, "hb_modified"), COR_OK);
    ck_assert_str_eq(cor_drift_kind_name(k), "hb-modified");
    ck_assert_int_eq(cor_drift_kind_parse(&k, "igr2"), COR_EINVAL);
    cor_drift_flow_free(NULL);
    cor_drift_ode_free(NULL);
}
END_TEST

int
main(void)
{
    const cor_test_case cases[] = {
        {"case_iii", test_case_iii},
        {"case_i", test_case_i},
        {"local_errors", test_local_errors},
        {"global_coeffs", test_global_coeffs},
        {"sgd_case_vi", test_sgd_case_vi},
        {"tgg_curl", test_tgg_and_curl},
        {"sgd_split", test_sgd_split},
        {"hb", test_hb},
        {"ode_vs_flow", test_ode_vs_flow},
        {"fit_q", test_fit_and_q},
        {"kind_names", test_kind_names},
    };
    return cor_test_run_cases("drift", cases, sizeof cases / sizeof cases[0], setup, teardown);
}
