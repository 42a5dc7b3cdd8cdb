/* pc_thm3_1_gd_equals_gf.c -- Theorem 3.1: gradient descent equals the gradient flow exactly
 * in a corridor, and only there.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, Theorem 3.1; PREDICTIONS.md P3, P2, reference case (iv)): the GD
 * iterates theta_{k+1} = theta_k - h grad L(theta_k) lie on the gradient-flow line,
 * theta_k = theta(kh), for every step size small enough that the iterates stay in the region,
 * iff the region is a corridor. In a corridor theta(t) = theta0 - t grad L(theta0) (P2), so
 * theta_k = theta0 - k h g0. Off a corridor the one-step (local) error is
 *   GD - GF(h) = -(h^2/2) H g + (h^3/6)(T(g,g) + H^2 g) + O(h^4).
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest at the working precision against
 * references at prec + 64 bits):
 *  1. Corridors, h = 0.1, 20 steps (GD by cor_step "gd" on an MPFR space): the cone |theta|
 *     from (3,-1,2) (Ex. 2.3), the linear loss 2x - y + 1 from (1,1) (Ex. 2.2), and the ruled
 *     surface |0.6x - 0.8y| + 0.5(0.8x + 0.6y) from (5,0) (Ex. 2.5, Pa = 0; the crease is not
 *     reached before t = 3): max_{k<=20} |GD_k - (theta0 - k h g0)| / max(1, |ref|) <=
 *     2^(20-prec). For the cone also GD_20 = theta0 (1 - 2/sqrt(14)) (reference case (iv)).
 *  2. Off a corridor: loss (ii) 0.5(1-x)^2 + 5(y-x^2)^2 at (-1.2,1), one GD step against
 *     GF(h) from cor_flow (Taylor, MPFR, tol 1e-60, far below h^3 >= 1e-18) for
 *     h = 1e-2 .. 1e-7: the ratio (GD - GF(h))/h^2 tends to c2 = -Hg/2 = (120703/250, 4378/25),
 *     with |ratio - c2|_inf <= 2 |c3|_inf h (c3 = (-4132513/250, -1870858/375), the h^3
 *     coefficient); the fitted log-log slope of |ratio - c2| against h is 1 +- 0.05 (O(h)).
 *     The rate P3 predicts, one order further: ((GD - GF(h))/h^2 - c2)/h -> c3 with an O(h)
 *     error: |. - c3|_inf < |c3|_inf/2 for h = 1e-2, 1e-3, and for h = 1e-4 .. 1e-7 the error
 *     shrinks by 10^(1 +- 0.1) per decade of h; fitted slope 1 +- 0.05.
 *
 * Grid: quick: corridor rows at prec (default 256) and 1024 bits, off-corridor rows at
 * max(prec, 256) bits; full (--full or COR_PC_FULL=1): corridor rows also at 53, 113 and
 * 4096 bits.
 *
 * Tolerance: corridor rows |err| <= 2^(20-prec) relative to max(1, |theta|), margin = bits to
 * spare; off-corridor rows |ratio - c2|_inf <= 2 |c3|_inf h, margin = bits to spare; slope
 * row |slope - 1| <= 0.05, margin = 0.05 - |slope - 1|.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_expr.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_vspace.h"
#include "pclib.h"
#include "pcprob.h"

#define MAXN 3


#define NSTEPS 20

typedef struct
{
    const char *name;
    const char *expr;
    size_t n;
    const char *theta0[MAXN];
    int cone_iv; /* also check GD_20 = theta0 (1 - 2/sqrt(14)) */
} corr_case;

static const corr_case corr_cases[] = {
    {"cone |theta| from (3,-1,2)", "sqrt(x^2+y^2+z^2)", 3, {"3", "-1", "2"}, 1},
    {"linear 2x-y+1 from (1,1)", "2*x-y+1", 2, {"1", "1"}, 0},
    {"ruled |0.6x-0.8y|+0.5(0.8x+0.6y) from (5,0)", "abs(0.6*x-0.8*y)+0.5*(0.8*x+0.6*y)", 2,
     {"5", "0"}, 0},
};

static int
run_corridor(cor_pc *pc, const corr_case *c, mpfr_prec_t prec, double *worst_all)
{
    cor_pc_run r;
    mpfr_t hr, t;
    double worst = -INFINITY;
    char name[128];
    int k;
    int st;

    mpfr_inits2(prec + 64, hr, t, (mpfr_ptr)0);
    st = cor_pc_run_init(&r, c->expr, c->n, c->theta0, "gd", prec);
    if (st != COR_OK)
        goto cleanup;
    if ((st = cor_scalar_set_str(r.h, "0.1")) != COR_OK)
        goto cleanup;
    mpfr_set_str(hr, "0.1", 10, MPFR_RNDN);
    for (k = 1; k <= NSTEPS; k++)
    {
        double le;

        st = cor_step_apply(r.s, r.p.obj, r.x, r.h, NULL);
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "%s: GD step %d: %s",
                           c->name, k, cor_status_name(st));
            goto cleanup;
        }
        mpfr_mul_ui(t, hr, (unsigned long)k, MPFR_RNDN);
        le = cor_pc_run_line_err(&r, t);
        if (le > worst)
            worst = le;
    }
    snprintf(name, sizeof name, "%s: max_k |GD_k - GF(kh)|, h=0.1, k<=%d @%ld", c->name,
             NSTEPS, (long)prec);
    cor_pc_row_slack(pc, name, worst, prec, worst_all);
    if (c->cone_iv)
    {
        double le = cor_pc_run_cone_iv_err(&r);

        snprintf(name, sizeof name, "case (iv) GD_20 = theta0(1-2/sqrt14) @%ld", (long)prec);
        if (cor_pc_verbose(pc))
            mpfr_fprintf(stderr, "  GD_20 = (%.40Rg, %.40Rg, %.40Rg)\n",
                         cor_vec_mpfr_srcptr(r.x, 0), cor_vec_mpfr_srcptr(r.x, 1),
                         cor_vec_mpfr_srcptr(r.x, 2));
        cor_pc_row_slack(pc, name, le, prec, worst_all);
    }
    st = COR_OK;

cleanup:
    cor_pc_run_clear(&r);
    mpfr_clears(hr, t, (mpfr_ptr)0);
    return st;
}

/* ---- off a corridor: (GD - GF(h))/h^2 -> -Hg/2 ------------------------------------------- */

#define OFF_EXPR "0.5*(1-x)^2+5*(y-x^2)^2"
#define NH 6
#define NH_PRE 2 /* h = 1e-2, 1e-3: before the asymptotic regime of the c3 rate */
static const char *const off_h[NH] = {"1e-2", "1e-3", "1e-4", "1e-5", "1e-6", "1e-7"};

static int
run_off(cor_pc *pc, mpfr_prec_t prec, double *slope_out, double *err_last)
{
    static const char *const th0txt[2] = {"-1.2", "1"};
    cor_pc_prob p;
    cor_pc_flow fl = {NULL, NULL};
    cor_step *s = NULL;
    cor_scalar *h = NULL;
    cor_vec *x = NULL;
    mpfr_t th0[2], out[2], c2[2], r[2], hm, e, c3max;
    double lh[NH], le[NH];
    double d3[NH][2], e3[NH];
    /* c3 = (h^3/6)(T(g,g) + H^2 g) coefficient of P3: (-4132513/250, -1870858/375) */
    const double c3[2] = {-4132513.0 / 250.0, -1870858.0 / 375.0};
    char name[128], pred[96], meas[128], marg[32];
    size_t i, j;
    int st;

    mpfr_inits2(prec, th0[0], th0[1], out[0], out[1], c2[0], c2[1], r[0], r[1], hm, e, c3max,
                (mpfr_ptr)0);
    st = cor_pc_prob_init(&p, OFF_EXPR, 2, prec);
    if (st != COR_OK)
        goto cleanup;
    s = cor_step_alloc(cor_step_type_lookup("gd"), p.V);
    h = cor_scalar_alloc(p.V);
    x = cor_vec_alloc(p.V);
    if (s == NULL || h == NULL || x == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    /* the flow: its own pool, the same loss */
    st = cor_pc_flow_init(&fl, OFF_EXPR, 2, COR_FLOW_TAYLOR, 1e-60, prec);
    if (st != COR_OK)
        goto cleanup;
    for (i = 0; i < 2; i++)
        mpfr_set_str(th0[i], th0txt[i], 10, MPFR_RNDN);
    mpfr_set_ui(c2[0], 120703, MPFR_RNDN);
    mpfr_div_ui(c2[0], c2[0], 250, MPFR_RNDN);
    mpfr_set_ui(c2[1], 4378, MPFR_RNDN);
    mpfr_div_ui(c2[1], c2[1], 25, MPFR_RNDN);
    mpfr_set_ui(c3max, 4132513, MPFR_RNDN); /* |c3|_inf = 4132513/250 */
    mpfr_div_ui(c3max, c3max, 250, MPFR_RNDN);

    for (j = 0; j < NH; j++)
    {
        double lerr, lbound;

        if ((st = cor_scalar_set_str(h, off_h[j])) != COR_OK)
            goto cleanup;
        mpfr_set_str(hm, off_h[j], 10, MPFR_RNDN);
        cor_pc_vec_set_str(x, th0txt, 2);
        st = cor_step_apply(s, p.obj, x, h, NULL);
        if (st != COR_OK)
            goto cleanup;
        {
            mpfr_t times[1];

            mpfr_init2(times[0], prec);
            mpfr_set(times[0], hm, MPFR_RNDN);
            st = cor_flow_solve(fl.flow, out, 1, (const mpfr_t *)times, (const mpfr_t *)th0);
            mpfr_clear(times[0]);
        }
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "flow to h=%s: %s",
                           off_h[j], cor_status_name(st));
            goto cleanup;
        }
        mpfr_set_ui(e, 0, MPFR_RNDN);
        for (i = 0; i < 2; i++)
        {
            mpfr_t d;

            mpfr_init2(d, prec);
            mpfr_sub(r[i], cor_vec_mpfr_srcptr(x, i), out[i], MPFR_RNDN);
            mpfr_div(r[i], r[i], hm, MPFR_RNDN);
            mpfr_div(r[i], r[i], hm, MPFR_RNDN);
            mpfr_sub(d, r[i], c2[i], MPFR_RNDN);
            /* the next coefficient: ((GD - GF)/h^2 - c2)/h -> c3 */
            mpfr_div(out[i], d, hm, MPFR_RNDN);
            d3[j][i] = mpfr_get_d(out[i], MPFR_RNDN);
            mpfr_abs(d, d, MPFR_RNDN);
            mpfr_max(e, e, d, MPFR_RNDN);
            mpfr_clear(d);
        }
        e3[j] = fmax(fabs(d3[j][0] - c3[0]), fabs(d3[j][1] - c3[1]));
        lh[j] = log10(mpfr_get_d(hm, MPFR_RNDN));
        le[j] = log10(mpfr_get_d(e, MPFR_RNDN));
        lerr = log2(mpfr_get_d(e, MPFR_RNDN));
        lbound = log2(2.0 * mpfr_get_d(c3max, MPFR_RNDN) * mpfr_get_d(hm, MPFR_RNDN));
        *err_last = mpfr_get_d(e, MPFR_RNDN);
        snprintf(name, sizeof name, "(ii) (GD-GF(h))/h^2 h=%s @%ld", off_h[j], (long)prec);
        snprintf(pred, sizeof pred, "(482.812, 175.12) +- 2|c3|h = %.4g",
                 2.0 * mpfr_get_d(c3max, MPFR_RNDN) * mpfr_get_d(hm, MPFR_RNDN));
        mpfr_snprintf(meas, sizeof meas, "(%.10Rg, %.10Rg) err %.4Rg", r[0], r[1], e);
        snprintf(marg, sizeof marg, "%.1f", lbound - lerr);
        cor_pc_row(pc, name, pred, meas, marg, lerr <= lbound);
    }
    /* least-squares slope of log err against log h */
    {
        double slope = cor_pc_fit_slope(lh, le, NH);

        *slope_out = slope;
        snprintf(name, sizeof name, "(ii) fitted slope of |ratio - c2| vs h, h=1e-2..1e-7 @%ld",
                 (long)prec);
        snprintf(meas, sizeof meas, "%.6f", slope);
        snprintf(marg, sizeof marg, "%.4f", 0.05 - fabs(slope - 1.0));
        cor_pc_row(pc, name, "1 +- 0.05 (O(h))", meas, marg, fabs(slope - 1.0) <= 0.05);
    }
    /* The rate: (ratio - c2)/h must tend to c3 with an O(h) error. For h <= 1e-4 (the
     * asymptotic regime: h |c4/c3| small) the error falls by 10, within a factor 10^0.1, from
     * each h to h/10; for h = 1e-2, 1e-3 only |(ratio - c2)/h - c3|_inf < |c3|_inf / 2 (the
     * O(h^2) terms are still visible: the ratio is 0.13 from 1e-2 to 1e-3). The fitted slope
     * over the whole range is 1. */
    for (j = 0; j < NH; j++)
    {
        double q = j > 0 ? e3[j] / e3[j - 1] : NAN;
        int pre = j < NH_PRE;
        int ok = pre ? e3[j] < 0.5 * fabs(c3[0]) : fabs(log10(q) + 1.0) <= 0.1;

        snprintf(name, sizeof name, "(ii) ((GD-GF(h))/h^2 - c2)/h h=%s @%ld", off_h[j],
                 (long)prec);
        if (pre)
            snprintf(pred, sizeof pred, "c3 = (%.8g, %.8g); err < |c3|_inf/2", c3[0], c3[1]);
        else
            snprintf(pred, sizeof pred, "c3 = (%.8g, %.8g); err/err(10h) = 0.1 * 10^+-0.1",
                     c3[0], c3[1]);
        if (j == 0)
            snprintf(meas, sizeof meas, "(%.10g, %.10g) err %.4g", d3[j][0], d3[j][1], e3[j]);
        else
            snprintf(meas, sizeof meas, "(%.10g, %.10g) err %.4g ratio %.4f", d3[j][0],
                     d3[j][1], e3[j], q);
        if (pre)
            snprintf(marg, sizeof marg, "%.3f", 0.5 * fabs(c3[0]) - e3[j]);
        else
            snprintf(marg, sizeof marg, "%.3f", 0.1 - fabs(log10(q) + 1.0));
        cor_pc_row(pc, name, pred, meas, marg, ok);
        le[j] = log10(e3[j]);
    }
    {
        double slope = cor_pc_fit_slope(lh, le, NH);

        snprintf(name, sizeof name, "(ii) fitted slope of |(ratio - c2)/h - c3| vs h @%ld",
                 (long)prec);
        snprintf(meas, sizeof meas, "%.6f", slope);
        snprintf(marg, sizeof marg, "%.4f", 0.05 - fabs(slope - 1.0));
        cor_pc_row(pc, name, "1 +- 0.05 (O(h))", meas, marg, fabs(slope - 1.0) <= 0.05);
    }
    st = COR_OK;

cleanup:
    cor_pc_flow_clear(&fl);
    cor_vec_free(x);
    cor_scalar_free(h);
    cor_step_free(s);
    cor_pc_prob_clear(&p);
    mpfr_clears(th0[0], th0[1], out[0], out[1], c2[0], c2[1], r[0], r[1], hm, e, c3max,
                (mpfr_ptr)0);
    return st;
}

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "Thm 3.1",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, Thm 3.1 (PREDICTIONS.md P3, P2, case (iv))",
        "NUMERICAL",
        "corridors: |GD_k - GF(kh)| <= 2^(20-prec) max(1,|theta|); off corridors: "
        "|(GD-GF(h))/h^2 - c2|_inf <= 2|c3|_inf h and log-log slope 1 +- 0.05",
        "Checks GD = GF exactly on corridors (cone, linear, ruled; h = 0.1, 20 steps) and the\n"
        "off-corridor local error (GD-GF(h))/h^2 -> -Hg/2 with an O(h) remainder on (ii).",
        256
    };
    mpfr_prec_t precs[6];
    size_t nprec = 0;
    size_t i, j;
    cor_pc *pc;
    int rc;
    double worst = -INFINITY;
    double slope = NAN, err_last = NAN;
    mpfr_prec_t offp;
    char pred[200], meas[200];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;
    nprec = cor_pc_prec_grid(pc, precs);
    offp = cor_pc_prec(pc) < 256 ? 256 : cor_pc_prec(pc);
    cor_pc_meta(pc, "corridor_steps", "h=0.1, %d steps", NSTEPS);
    cor_pc_meta(pc, "off_corridor", "loss %s at (-1.2,1), h=1e-2..1e-7, GF by cor_flow taylor "
                "tol 1e-60 at %ld bits", OFF_EXPR, (long)offp);
    cor_pc_meta(pc, "columns", "corridor rows: measured = max_k relative error (2^x), margin = "
                "bits to spare; off rows: ratio and |ratio-c2|_inf, margin = log2(bound/err)");

    for (i = 0; i < sizeof corr_cases / sizeof corr_cases[0]; i++)
        for (j = 0; j < nprec; j++)
        {
            int st = run_corridor(pc, &corr_cases[i], precs[j], &worst);

            if (st != COR_OK)
                return cor_pc_abort(pc, "%s: %s", corr_cases[i].name, cor_strerror(st));
        }
    {
        int st = run_off(pc, offp, &slope, &err_last);

        if (st != COR_OK)
            return cor_pc_abort(pc, "off-corridor case (ii): %s", cor_strerror(st));
    }
    snprintf(pred, sizeof pred, "GD_k = GF(kh) on corridors to 2^(20-prec); off: "
             "(GD-GF)/h^2 -> (120703/250, 4378/25), then ((GD-GF)/h^2-c2)/h -> c3, O(h) errors");
    snprintf(meas, sizeof meas, "corridor worst %.1f bits vs tolerance; off slope %.4f, "
             "err %.3g at h=1e-7", worst, slope, err_last);
    return cor_pc_finish(pc, pred, meas);
}
