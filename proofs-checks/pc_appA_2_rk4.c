/* pc_appA_2_rk4.c -- Appendix A.2: RK4 as an optimizer is exact in a corridor, and stalls
 * when its stages straddle the apex of a cone.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, App. A.2; PREDICTIONS.md P8, reference case (viii)): in a corridor every
 * explicit Runge-Kutta method with sum b_i = 1, in particular classical RK4, reproduces the
 * gradient flow exactly, theta_k = theta0 - k h g0, provided every stage point stays in the
 * corridor. The proviso matters: on the cone |theta| along a ray with 0 < r = |theta| < h/2
 * the stage gradients are +u, -u, +u, -u (u the ray's direction), the RK4 combination
 * (1 - 2 + 2 - 1)/6 is 0 and the iterate does not move, although GF reaches the apex at t = r.
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest; references at prec + 64 bits):
 *  1. cor_step "rk4" on the cone from (3,-1,2), h = 0.1, 20 steps:
 *     max_k |RK4_k - (theta0 - k h g0)| / max(1, |ref|) <= 2^(20-prec), and
 *     RK4_20 = theta0 (1 - 2/sqrt(14)); the same on the linear loss 2x - y + 1 from (1,1) and
 *     the ruled surface |0.6x - 0.8y| + 0.5(0.8x + 0.6y) from (5,0) (the crease is not reached
 *     by any stage before t = 3).
 *  2. Stall: from theta0 = s (3,-1,2), s = 0.001, 0.005, 0.013 (r = s sqrt(14) = 0.0037,
 *     0.0187, 0.0486 < h/2 = 0.05), 50 RK4 steps with h = 0.1:
 *     max_k |RK4_k - theta0| / max(1, |theta0|) <= 2^(20-prec) (rounding only).
 *
 * Grid: quick: prec (default 256) and 1024 bits; full: also 53, 113 and 4096 bits.
 *
 * Tolerance: 2^(20-prec) relative to max(1, |theta|); margin = bits to spare.
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


#define CONE "sqrt(x^2+y^2+z^2)"

/* RK4 on the cone from theta0 with h, nsteps steps; ref(k) = theta0 - k h g0 (line) or theta0
 * (stall). Returns the worst log2 relative error; with iv also compares the last iterate with
 * theta0 (1 - 2/sqrt(14)) into *l_iv. */
static int
run_rk4(const char *expr, size_t n, const char *const *theta0, const char *htxt, int nsteps, int stall, mpfr_prec_t prec,
        double *worst, double *l_iv)
{
    cor_pc_run r;
    mpfr_t hr, t;
    int k;
    int st;

    *worst = -INFINITY;
    mpfr_inits2(prec + 64, hr, t, (mpfr_ptr)0);
    st = cor_pc_run_init(&r, expr, n, theta0, "rk4", prec);
    if (st != COR_OK)
        goto cleanup;
    if ((st = cor_scalar_set_str(r.h, htxt)) != COR_OK)
        goto cleanup;
    mpfr_set_str(hr, htxt, 10, MPFR_RNDN);
    for (k = 1; k <= nsteps; k++)
    {
        double le;

        st = cor_step_apply(r.s, r.p.obj, r.x, r.h, NULL);
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "RK4 step %d: %s", k,
                           cor_status_name(st));
            goto cleanup;
        }
        /* the line at t = k h, or the start itself (t = 0) when RK4 stalls */
        if (stall)
            mpfr_set_ui(t, 0, MPFR_RNDN);
        else
            mpfr_mul_ui(t, hr, (unsigned long)k, MPFR_RNDN);
        le = cor_pc_run_line_err(&r, t);
        if (le > *worst)
            *worst = le;
    }
    if (l_iv != NULL)
        *l_iv = cor_pc_run_cone_iv_err(&r);
    st = COR_OK;

cleanup:
    cor_pc_run_clear(&r);
    mpfr_clears(hr, t, (mpfr_ptr)0);
    return st;
}

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "App. A.2",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, App. A.2 (PREDICTIONS.md P8, case (viii))",
        "NUMERICAL",
        "|RK4_k - ref| <= 2^(20-prec) max(1,|ref|); ref = theta0 - k h g0 (corridor) or "
        "theta0 (stall)",
        "Checks RK4 = GF exactly on the cone (h = 0.1, 20 steps) and the stall of RK4 when\n"
        "its stages straddle the apex (0 < r < h/2: the iterate does not move).",
        256
    };
    static const char *const cone0[3] = {"3", "-1", "2"};
    static const char *const svals[3] = {"0.001", "0.005", "0.013"};
    /* two more corridor families (as in pc_thm3_1): linear (Ex. 2.2) and ruled (Ex. 2.5) */
    static const struct
    {
        const char *name, *expr;
        const char *theta0[2];
    } other[] = {
        {"linear 2x-y+1 from (1,1)", "2*x-y+1", {"1", "1"}},
        {"ruled |0.6x-0.8y|+0.5(0.8x+0.6y) from (5,0)", "abs(0.6*x-0.8*y)+0.5*(0.8*x+0.6*y)",
         {"5", "0"}},
    };
    mpfr_prec_t precs[6];
    size_t nprec = 0;
    size_t i, j;
    cor_pc *pc;
    int rc;
    double worst_all = -INFINITY;
    char name[256], pred[48], meas[48], marg[32], sm[200];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;
    nprec = cor_pc_prec_grid(pc, precs);
    cor_pc_meta(pc, "stepper", "rk4 (classical), h=0.1");

    for (j = 0; j < nprec; j++)
    {
        mpfr_prec_t prec = precs[j];
        double w, liv;
        int st = run_rk4(CONE, 3, cone0, "0.1", 20, 0, prec, &w, &liv);

        if (st != COR_OK)
            return cor_pc_abort(pc, "cone: %s", cor_strerror(st));
        snprintf(pred, sizeof pred, "<= 2^%ld", (long)COR_PC_SLACK_BITS - (long)prec);
        snprintf(name, sizeof name,
                 "cone from (3,-1,2): max_k |RK4_k - GF(kh)|, h=0.1, k<=20 @%ld", (long)prec);
        cor_pc_row(pc, name, pred, cor_pc_fmt_log2(meas, sizeof meas, w),
                   cor_pc_fmt_margin(marg, sizeof marg, w, prec), w <= COR_PC_SLACK_BITS - (double)prec);
        snprintf(name, sizeof name, "case (viii) RK4_20 = theta0(1-2/sqrt14) @%ld", (long)prec);
        cor_pc_row(pc, name, pred, cor_pc_fmt_log2(meas, sizeof meas, liv),
                   cor_pc_fmt_margin(marg, sizeof marg, liv, prec), liv <= COR_PC_SLACK_BITS - (double)prec);
        if (fmax(w, liv) - (COR_PC_SLACK_BITS - (double)prec) > worst_all)
            worst_all = fmax(w, liv) - (COR_PC_SLACK_BITS - (double)prec);
        for (i = 0; i < sizeof other / sizeof other[0]; i++)
        {
            st = run_rk4(other[i].expr, 2, other[i].theta0, "0.1", 20, 0, prec, &w, NULL);
            if (st != COR_OK)
                return cor_pc_abort(pc, "%s: %s", other[i].name, cor_strerror(st));
            snprintf(name, sizeof name, "%s: max_k |RK4_k - GF(kh)|, h=0.1, k<=20 @%ld",
                     other[i].name, (long)prec);
            cor_pc_row(pc, name, pred, cor_pc_fmt_log2(meas, sizeof meas, w),
                       cor_pc_fmt_margin(marg, sizeof marg, w, prec),
                       w <= COR_PC_SLACK_BITS - (double)prec);
            if (w - (COR_PC_SLACK_BITS - (double)prec) > worst_all)
                worst_all = w - (COR_PC_SLACK_BITS - (double)prec);
        }
        for (i = 0; i < 3; i++)
        {
            static char buf[3][32];
            const char *th[3];
            double s = atof(svals[i]);

            /* theta0 = s (3,-1,2) as decimal texts (s has 3 decimals, so these are exact) */
            snprintf(buf[0], sizeof buf[0], "%.3f", 3 * s);
            snprintf(buf[1], sizeof buf[1], "%.3f", -1 * s);
            snprintf(buf[2], sizeof buf[2], "%.3f", 2 * s);
            th[0] = buf[0];
            th[1] = buf[1];
            th[2] = buf[2];
            st = run_rk4(CONE, 3, th, "0.1", 50, 1, prec, &w, NULL);
            if (st != COR_OK)
                return cor_pc_abort(pc, "stall: %s", cor_strerror(st));
            snprintf(name, sizeof name,
                     "stall: theta0=(%s,%s,%s), r=%.4f < h/2, 50 RK4 steps: max_k |RK4_k - "
                     "theta0| @%ld", th[0], th[1], th[2], s * sqrt(14.0), (long)prec);
            cor_pc_row(pc, name, pred, cor_pc_fmt_log2(meas, sizeof meas, w),
                       cor_pc_fmt_margin(marg, sizeof marg, w, prec), w <= COR_PC_SLACK_BITS - (double)prec);
            if (w - (COR_PC_SLACK_BITS - (double)prec) > worst_all)
                worst_all = w - (COR_PC_SLACK_BITS - (double)prec);
        }
    }
    snprintf(sm, sizeof sm, "worst %.1f bits vs tolerance", worst_all);
    return cor_pc_finish(pc, "RK4 = GF on the cone, linear and ruled corridors; RK4 stalls (update 0) for 0 < r < h/2", sm);
}
