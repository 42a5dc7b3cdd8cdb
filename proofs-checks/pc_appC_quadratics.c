/* pc_appC_quadratics.c -- Appendix C: quadratic losses have no corridors (unless linear), and
 * the lower-dimensional exception.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, App. C and Ex. 2.7; PREDICTIONS.md P10): for L = 1/2 theta^T A theta +
 * b^T theta + c (A symmetric), H grad L = A (A theta + b). It vanishes on an open set iff
 * A^2 = 0, i.e. A = 0 (L linear), so by Thm 2.11 a quadratic has a corridor (an open domain
 * where Hg = 0) only when it is linear. The exception (P10): write b = b_R + b_K with
 * b_R in range(A), b_K in ker(A). If b_K != 0, Hg = 0 exactly on the affine subspace
 * S = {theta : A theta = -b_R} (dimension dim ker A < n); on S the gradient is the constant
 * b_K, which points along S, so GF and GD move on straight lines at constant speed, GD = GF
 * exactly for every h, and one CLR step (h = L/|g|^2) reaches L = 0. Off S, Hg != 0 and
 * GD != GF.
 * FINDING (reported in the table): App. C says "quadratic functions which display corridors
 * are linear". With Def. 2.1's "domain" read as an open set that holds; read as any subset,
 * S is a corridor of a non-linear quadratic and contradicts it. The check verifies the
 * mathematics of both readings and records the conflict of wording.
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest; the exact values are dyadic or
 * integer, so the references are exact):
 *  1. Hg formula: three random symmetric 3x3 integer matrices A (entries in [-3,3], seeded) and
 *     integer b, ten random dyadic points each: |Hg_lib - A(A theta + b)|_inf / max(1, |ref|)
 *     <= 2^(20-prec) (Hg_lib from cor_objective_hg on the parsed expression); and Hg != 0 at
 *     every such point (min |Hg| > 2^(20-prec)): the zero set is a proper affine subspace.
 *     A = 0 (linear): Hg = 0 exactly at every point.
 *  2. The degenerate case A = [[1,1,0],[1,1,0],[0,0,2]] (ker A = span (1,-1,0)),
 *     b = (2,0,3) = b_R + b_K with b_R = (1,1,3), b_K = (1,-1,0), c = 5:
 *     L = 0.5(x+y)^2 + z^2 + 2x + 3z + 5, S = {x + y = -1, z = -3/2}. At three points of S:
 *     |Hg| <= 2^(20-prec); GD with h = 0.1, 0.5, 1, 2.5 for 10 steps equals theta0 - k h b_K
 *     to 2^(20-prec); the flow (lib/flow, exact method) at t = 10 h equals theta0 - t b_K to
 *     max(2^(20-prec), its tolerance); one CLR step gives |L| <= 2^(20-prec) max(1, L0).
 *  3. Off S, at (0.5,-1,-1.5) and (0,-1,0): Hg != 0 (A theta + b = (1.5,-0.5,0) and (1,-1,3),
 *     Hg = (1,1,0) and (0,0,6): |Hg| = sqrt 2 and 6, to 1e-12); one GD
 *     step against the flow at h = 0.1, 0.01, 0.001: |GD - GF(h)| / ((h^2/2)|Hg|) = 1 within
 *     h lambda_max / 2 (lambda_max = 2; the next term of the expansion is (h^3/6) A^2 g);
 *     one CLR step leaves L1 >= 0.1 (it does not reach 0).
 *
 * Grid: quick: prec (default 256) and 1024 bits; full: also 53, 113 and 4096 bits.
 *
 * Tolerance: 2^(20-prec) relative to max(1, |ref|) (margin = bits to spare); the flow rows
 * max(2^(20-prec), tol) with tol = max(2^-(prec+8), 1e-300) (lib/flow takes a double
 * tolerance); the off-S rows as stated (margin = distance to the bound).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_vspace.h"
#include "pclib.h"
#include "pcprob.h"

#define N 3
#define NPTS 10
#define NMAT 3

/* The expression 0.5 theta^T A theta + b^T theta + c in x, y, z. */
static void
quad_expr(char *buf, size_t size, const long A[N][N], const long b[N], long c)
{
    static const char *const v[N] = {"x", "y", "z"};
    size_t len = 0;
    int i, j;

    len += (size_t)snprintf(buf + len, size - len, "%ld", c);
    for (i = 0; i < N; i++)
    {
        len += (size_t)snprintf(buf + len, size - len, "+0.5*(%ld)*%s^2+(%ld)*%s", A[i][i], v[i],
                                b[i], v[i]);
        for (j = i + 1; j < N; j++)
            len += (size_t)snprintf(buf + len, size - len, "+(%ld)*%s*%s", A[i][j], v[i], v[j]);
    }
}

/* log2 of |a - b|_inf / max(1, |b|_inf) over n components (b exact, at a's precision + 8). */
static double
log2_vec(mpfr_t *a, mpfr_t *b, size_t n)
{
    mpfr_t d, m, s;
    size_t i;
    double r;

    mpfr_inits2(mpfr_get_prec(a[0]) + 64, d, m, s, (mpfr_ptr)0);
    mpfr_set_ui(m, 0, MPFR_RNDN);
    mpfr_set_ui(s, 1, MPFR_RNDN);
    for (i = 0; i < n; i++)
    {
        mpfr_sub(d, a[i], b[i], MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        mpfr_max(m, m, d, MPFR_RNDN);
        mpfr_abs(d, b[i], MPFR_RNDN);
        mpfr_max(s, s, d, MPFR_RNDN);
    }
    if (mpfr_zero_p(m))
        r = -INFINITY;
    else
    {
        mpfr_div(m, m, s, MPFR_RNDN);
        mpfr_log2(m, m, MPFR_RNDN);
        r = mpfr_get_d(m, MPFR_RNDN);
    }
    mpfr_clears(d, m, s, (mpfr_ptr)0);
    return r;
}

/* x = the vector, v[i] as mpfr */
static void
vec_get(mpfr_t *v, const cor_vec *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        mpfr_set(v[i], cor_vec_mpfr_srcptr(x, i), MPFR_RNDN);
}

/* ---- 1. the Hg formula on random quadratics ------------------------------------------- */

static int
run_formula(cor_pc *pc, mpfr_prec_t prec, cor_pc_rng *rng, double *worst)
{
    char expr[1024], name[200], meas[96], marg[32], pred[96];
    int m;
    int st = COR_OK;

    for (m = 0; m <= NMAT; m++) /* m = NMAT: A = 0 */
    {
        long A[N][N], b[N];
        cor_pc_prob p;
        cor_vec *x = NULL, *hg = NULL;
        mpfr_t th[N], r1[N], r2[N], got[N], nrm, minhg;
        double wl = -INFINITY;
        int i, j, k;

        for (i = 0; i < N; i++)
        {
            b[i] = cor_pc_rng_int(rng, -3, 3);
            for (j = i; j < N; j++)
                A[i][j] = A[j][i] = m < NMAT ? cor_pc_rng_int(rng, -3, 3) : 0;
        }
        if (m < NMAT && A[0][0] == 0 && A[0][1] == 0 && A[0][2] == 0 && A[1][1] == 0
            && A[1][2] == 0 && A[2][2] == 0)
            A[0][0] = 1; /* keep A != 0 */
        quad_expr(expr, sizeof expr, (const long(*)[N])A, b, 1);
        for (i = 0; i < N; i++)
            mpfr_inits2(prec + 64, th[i], r1[i], r2[i], got[i], (mpfr_ptr)0);
        mpfr_inits2(prec + 64, nrm, minhg, (mpfr_ptr)0);
        mpfr_set_inf(minhg, 1);
        st = cor_pc_prob_init_want(&p, expr, N, prec, COR_OBJ_WANT_HG);
        if (st == COR_OK && ((x = cor_vec_alloc(p.V)) == NULL || (hg = cor_vec_alloc(p.V)) == NULL))
            st = cor_last_error()->code;
        for (k = 0; st == COR_OK && k < NPTS; k++)
        {
            char txt[N][96];
            const char *tp[N];
            double l;

            for (i = 0; i < N; i++)
            {
                cor_pc_dyadic_str(txt[i], sizeof txt[i], cor_pc_rng_int(rng, -2048, 2048), 8);
                tp[i] = txt[i];
                mpfr_set_str(th[i], txt[i], 10, MPFR_RNDN);
            }
            cor_pc_vec_set_str(x, tp, N);
            if ((st = cor_objective_hg(p.obj, hg, x)) != COR_OK)
                break;
            /* r1 = A theta + b, r2 = A r1 (exact at prec + 64 for these sizes) */
            for (i = 0; i < N; i++)
            {
                mpfr_set_si(r1[i], b[i], MPFR_RNDN);
                for (j = 0; j < N; j++)
                {
                    mpfr_mul_si(nrm, th[j], A[i][j], MPFR_RNDN);
                    mpfr_add(r1[i], r1[i], nrm, MPFR_RNDN);
                }
            }
            mpfr_set_ui(nrm, 0, MPFR_RNDN);
            for (i = 0; i < N; i++)
            {
                mpfr_set_ui(r2[i], 0, MPFR_RNDN);
                for (j = 0; j < N; j++)
                {
                    mpfr_t q;

                    mpfr_init2(q, prec + 64);
                    mpfr_mul_si(q, r1[j], A[i][j], MPFR_RNDN);
                    mpfr_add(r2[i], r2[i], q, MPFR_RNDN);
                    mpfr_clear(q);
                }
                mpfr_fma(nrm, r2[i], r2[i], nrm, MPFR_RNDN);
            }
            mpfr_sqrt(nrm, nrm, MPFR_RNDN);
            mpfr_min(minhg, minhg, nrm, MPFR_RNDN);
            vec_get(got, hg, N);
            l = log2_vec(got, r2, N);
            if (l > wl)
                wl = l;
        }
        if (st == COR_OK)
        {
            snprintf(name, sizeof name,
                     "Hg = A(A theta + b), A=[[%ld,%ld,%ld],[%ld,%ld,%ld],[%ld,%ld,%ld]] b=(%ld,%ld,%ld), "
                     "%d random points @%ld", A[0][0], A[0][1], A[0][2], A[1][0], A[1][1],
                     A[1][2], A[2][0], A[2][1], A[2][2], b[0], b[1], b[2], NPTS, (long)prec);
            cor_pc_row_bits(pc, name, wl, COR_PC_SLACK_BITS - (double)prec, worst);
            if (m < NMAT)
            {
                double lm = mpfr_get_d(minhg, MPFR_RNDN);

                snprintf(name, sizeof name, "A != 0 (matrix %d): Hg != 0 at every random point "
                         "@%ld", m + 1, (long)prec);
                snprintf(pred, sizeof pred, "min |Hg| > 2^%ld", (long)COR_PC_SLACK_BITS - (long)prec);
                snprintf(meas, sizeof meas, "min |Hg| = %.6g", lm);
                snprintf(marg, sizeof marg, "%.1f", log2(lm) - (COR_PC_SLACK_BITS - (double)prec));
                cor_pc_row(pc, name, pred, meas, marg,
                           lm > ldexp(1.0, (int)(COR_PC_SLACK_BITS - prec)));
            }
            else
            {
                snprintf(name, sizeof name, "A = 0 (linear): Hg = 0 at every random point @%ld",
                         (long)prec);
                mpfr_snprintf(meas, sizeof meas, "max |Hg_lib| rel 2^%.1f", wl);
                cor_pc_row(pc, name, "0", meas, wl == -INFINITY ? "inf" : "nan",
                           wl == -INFINITY);
            }
        }
        cor_vec_free(x);
        cor_vec_free(hg);
        cor_pc_prob_clear(&p);
        for (i = 0; i < N; i++)
            mpfr_clears(th[i], r1[i], r2[i], got[i], (mpfr_ptr)0);
        mpfr_clears(nrm, minhg, (mpfr_ptr)0);
        if (st != COR_OK)
            return st;
    }
    return COR_OK;
}

/* ---- 2./3. the degenerate quadratic ----------------------------------------------------- */

#define DEG "0.5*(x+y)^2+z^2+2*x+3*z+5"
static const char *const on_s[3][N] = {{"0", "-1", "-1.5"}, {"3", "-4", "-1.5"},
                                        {"-2.5", "1.5", "-1.5"}};
static const char *const off_s[2][N] = {{"0.5", "-1", "-1.5"}, {"0", "-1", "0"}};
static const char *const hs[4] = {"0.1", "0.5", "1", "2.5"};
static const char *const hs_off[3] = {"0.1", "0.01", "0.001"};

static int
run_degenerate(cor_pc *pc, mpfr_prec_t prec, double *worst, double *ratio_dev)
{
    cor_pc_prob p;
    cor_pc_flow fl;
    cor_step *gd = NULL, *clr = NULL;
    cor_scalar *h = NULL;
    cor_vec *x = NULL, *hg = NULL;
    mpfr_t ref[N], got[N], t, L, L0, hm, out[N], th0[N], nrm;
    const double bk[N] = {1, -1, 0};
    const double tolb = COR_PC_SLACK_BITS - (double)prec;
    char name[200], pred[160], meas[200], marg[32];
    size_t pi, hi, i;
    int k;
    int st;

    memset(&fl, 0, sizeof fl);
    for (i = 0; i < N; i++)
        mpfr_inits2(prec + 64, ref[i], got[i], out[i], th0[i], (mpfr_ptr)0);
    mpfr_inits2(prec + 64, t, L, L0, hm, nrm, (mpfr_ptr)0);
    st = cor_pc_prob_init_want(&p, DEG, N, prec, COR_OBJ_WANT_HG);
    if (st == COR_OK)
        st = cor_pc_flow_init(&fl, DEG, N, COR_FLOW_EXACT, cor_pc_flow_tol(prec), prec);
    if (st != COR_OK)
        goto cleanup;
    gd = cor_step_alloc(cor_step_type_lookup("gd"), p.V);
    clr = cor_step_alloc(cor_step_type_lookup("clr"), p.V);
    h = cor_scalar_alloc(p.V);
    x = cor_vec_alloc(p.V);
    hg = cor_vec_alloc(p.V);
    if (gd == NULL || clr == NULL || h == NULL || x == NULL || hg == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    for (pi = 0; pi < 3; pi++)
    {
        const char *const *th = on_s[pi];
        double wgd = -INFINITY, wfl = -INFINITY, l;

        /* Hg = 0 on S */
        cor_pc_vec_set_str(x, th, N);
        if ((st = cor_objective_hg(p.obj, hg, x)) != COR_OK)
            goto cleanup;
        for (i = 0; i < N; i++)
            mpfr_set_ui(ref[i], 0, MPFR_RNDN);
        vec_get(got, hg, N);
        snprintf(name, sizeof name, "on S: Hg = 0 at (%s,%s,%s) @%ld", th[0], th[1], th[2],
                 (long)prec);
        cor_pc_row_bits(pc, name, log2_vec(got, ref, N), tolb, worst);
        /* GD = theta0 - k h b_K for every h; the flow at t = 10 h */
        for (hi = 0; hi < 4; hi++)
        {
            mpfr_t tt[1];

            if ((st = cor_scalar_set_str(h, hs[hi])) != COR_OK)
                goto cleanup;
            mpfr_set_str(hm, hs[hi], 10, MPFR_RNDN);
            cor_pc_vec_set_str(x, th, N);
            for (k = 1; k <= 10; k++)
            {
                if ((st = cor_step_apply(gd, p.obj, x, h, NULL)) != COR_OK)
                {
                    st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "GD on S: %s",
                                   cor_status_name(st));
                    goto cleanup;
                }
                mpfr_mul_ui(t, hm, (unsigned long)k, MPFR_RNDN);
                for (i = 0; i < N; i++)
                {
                    mpfr_set_str(ref[i], th[i], 10, MPFR_RNDN);
                    mpfr_mul_d(nrm, t, bk[i], MPFR_RNDN);
                    mpfr_sub(ref[i], ref[i], nrm, MPFR_RNDN);
                }
                vec_get(got, x, N);
                l = log2_vec(got, ref, N);
                if (l > wgd)
                    wgd = l;
            }
            /* the flow at t = 10 h against the same line */
            for (i = 0; i < N; i++)
                mpfr_set_str(th0[i], th[i], 10, MPFR_RNDN);
            mpfr_init2(tt[0], prec);
            mpfr_set(tt[0], t, MPFR_RNDN);
            st = cor_flow_solve(fl.flow, out, 1, (const mpfr_t *)tt, (const mpfr_t *)th0);
            mpfr_clear(tt[0]);
            if (st != COR_OK)
            {
                st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "flow on S: %s",
                               cor_status_name(st));
                goto cleanup;
            }
            l = log2_vec(out, ref, N);
            if (l > wfl)
                wfl = l;
        }
        snprintf(name, sizeof name, "on S from (%s,%s,%s): GD_k = theta0 - kh b_K, h in "
                 "{0.1,0.5,1,2.5}, k<=10 @%ld", th[0], th[1], th[2], (long)prec);
        cor_pc_row_bits(pc, name, wgd, tolb, worst);
        snprintf(name, sizeof name, "on S from (%s,%s,%s): GF(10h) (lib/flow exact) = theta0 - "
                 "10h b_K @%ld", th[0], th[1], th[2], (long)prec);
        cor_pc_row_bits(pc, name, wfl, fmax(tolb, log2(cor_pc_flow_tol(prec))), worst);
        /* one CLR step reaches L = 0 */
        cor_pc_vec_set_str(x, th, N);
        if ((st = cor_pc_loss_at(L0, &p, x)) != COR_OK ||
            (st = cor_step_reset(clr)) != COR_OK ||
            (st = cor_step_apply(clr, p.obj, x, NULL, NULL)) != COR_OK ||
            (st = cor_pc_loss_at(L, &p, x)) != COR_OK)
            goto cleanup;
        mpfr_abs(t, L0, MPFR_RNDN);
        if (mpfr_cmp_ui(t, 1) < 0)
            mpfr_set_ui(t, 1, MPFR_RNDN);
        mpfr_div(t, L, t, MPFR_RNDN);
        mpfr_abs(t, t, MPFR_RNDN);
        l = mpfr_zero_p(t) ? -INFINITY : log2(mpfr_get_d(t, MPFR_RNDN));
        mpfr_snprintf(name, sizeof name, "on S from (%s,%s,%s): one CLR step, L0=%.6Rg -> L1 = 0 "
                      "@%ld", th[0], th[1], th[2], L0, (long)prec);
        cor_pc_row_bits(pc, name, l, tolb, worst);
    }

    /* off S */
    for (pi = 0; pi < 2; pi++)
    {
        const char *const *th = off_s[pi];
        double hgn;

        cor_pc_vec_set_str(x, th, N);
        if ((st = cor_objective_hg(p.obj, hg, x)) != COR_OK)
            goto cleanup;
        mpfr_set_ui(nrm, 0, MPFR_RNDN);
        for (i = 0; i < N; i++)
            mpfr_fma(nrm, cor_vec_mpfr_srcptr(hg, i), cor_vec_mpfr_srcptr(hg, i), nrm, MPFR_RNDN);
        mpfr_sqrt(nrm, nrm, MPFR_RNDN);
        hgn = mpfr_get_d(nrm, MPFR_RNDN);
        snprintf(name, sizeof name, "off S at (%s,%s,%s): Hg != 0 @%ld", th[0], th[1], th[2],
                 (long)prec);
        snprintf(meas, sizeof meas, "|Hg| = %.17g", hgn);
        snprintf(marg, sizeof marg, "%.1f", log2(hgn) - tolb);
        cor_pc_row(pc, name, pi == 0 ? "sqrt 2 = 1.4142135623730951" : "6",
                   meas, marg, fabs(hgn - (pi == 0 ? sqrt(2.0) : 6.0)) < 1e-12);
        for (hi = 0; hi < 3; hi++)
        {
            mpfr_t tt[1];
            double ratio, bound;

            if ((st = cor_scalar_set_str(h, hs_off[hi])) != COR_OK)
                goto cleanup;
            mpfr_set_str(hm, hs_off[hi], 10, MPFR_RNDN);
            cor_pc_vec_set_str(x, th, N);
            if ((st = cor_step_apply(gd, p.obj, x, h, NULL)) != COR_OK)
                goto cleanup;
            for (i = 0; i < N; i++)
                mpfr_set_str(th0[i], th[i], 10, MPFR_RNDN);
            mpfr_init2(tt[0], prec);
            mpfr_set(tt[0], hm, MPFR_RNDN);
            st = cor_flow_solve(fl.flow, out, 1, (const mpfr_t *)tt, (const mpfr_t *)th0);
            mpfr_clear(tt[0]);
            if (st != COR_OK)
                goto cleanup;
            mpfr_set_ui(t, 0, MPFR_RNDN);
            for (i = 0; i < N; i++)
            {
                mpfr_sub(L, cor_vec_mpfr_srcptr(x, i), out[i], MPFR_RNDN);
                mpfr_fma(t, L, L, t, MPFR_RNDN);
            }
            mpfr_sqrt(t, t, MPFR_RNDN);
            mpfr_sqr(L, hm, MPFR_RNDN);
            mpfr_mul(L, L, nrm, MPFR_RNDN);
            mpfr_div_ui(L, L, 2, MPFR_RNDN);
            mpfr_div(t, t, L, MPFR_RNDN);
            ratio = mpfr_get_d(t, MPFR_RNDN);
            bound = mpfr_get_d(hm, MPFR_RNDN) * 2.0 / 2.0;
            if (fabs(ratio - 1) > *ratio_dev)
                *ratio_dev = fabs(ratio - 1);
            snprintf(name, sizeof name, "off S at (%s,%s,%s): GD != GF, |GD-GF(h)|/((h^2/2)|Hg|), "
                     "h=%s @%ld", th[0], th[1], th[2], hs_off[hi], (long)prec);
            snprintf(pred, sizeof pred, "1 +- h lambda_max/2 = %.4g", bound);
            snprintf(meas, sizeof meas, "%.10g", ratio);
            snprintf(marg, sizeof marg, "%.4g", bound - fabs(ratio - 1));
            cor_pc_row(pc, name, pred, meas, marg, fabs(ratio - 1) <= bound);
        }
        cor_pc_vec_set_str(x, th, N);
        if ((st = cor_step_reset(clr)) != COR_OK ||
            (st = cor_step_apply(clr, p.obj, x, NULL, NULL)) != COR_OK ||
            (st = cor_pc_loss_at(L, &p, x)) != COR_OK)
            goto cleanup;
        snprintf(name, sizeof name, "off S at (%s,%s,%s): one CLR step does not reach L = 0 @%ld",
                 th[0], th[1], th[2], (long)prec);
        mpfr_snprintf(meas, sizeof meas, "L1 = %.10Rg", L);
        mpfr_snprintf(marg, sizeof marg, "%.4Rg", L);
        cor_pc_row(pc, name, "L1 >= 0.1", meas, marg, mpfr_cmp_d(L, 0.1) >= 0);
    }
    st = COR_OK;

cleanup:
    cor_vec_free(x);
    cor_vec_free(hg);
    cor_scalar_free(h);
    cor_step_free(gd);
    cor_step_free(clr);
    cor_pc_flow_clear(&fl);
    cor_pc_prob_clear(&p);
    for (i = 0; i < N; i++)
        mpfr_clears(ref[i], got[i], out[i], th0[i], (mpfr_ptr)0);
    mpfr_clears(t, L, L0, hm, nrm, (mpfr_ptr)0);
    return st;
}

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "App. C",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, App. C and Ex. 2.7 (PREDICTIONS.md P10)",
        "NUMERICAL",
        "|Hg - A(A theta + b)| <= 2^(20-prec) max(1,|ref|); on S: Hg, GD - GF, CLR L1 to "
        "2^(20-prec); off S: |GD-GF(h)|/((h^2/2)|Hg|) = 1 +- h lambda_max/2, CLR L1 >= 0.1",
        "Checks Hg = A(A theta + b) for quadratics, Hg != 0 at random points unless A = 0, and\n"
        "the lower-dimensional exception S = {A theta = -b_R} (b_K != 0): GD = GF for every h\n"
        "and one CLR step to L = 0 on S, GD != GF off S. Records the conflict with App. C's\n"
        "wording as a finding.",
        256
    };
    mpfr_prec_t precs[6];
    size_t nprec, j;
    cor_pc *pc;
    cor_pc_rng rng;
    int rc;
    double worst = -INFINITY, dev = 0;
    char meas[200];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;
    nprec = cor_pc_prec_grid(pc, precs);
    cor_pc_meta(pc, "degenerate", "L = %s, A = [[1,1,0],[1,1,0],[0,0,2]], b_R = (1,1,3), "
                "b_K = (1,-1,0), S = {x+y = -1, z = -3/2}", DEG);
    cor_pc_meta(pc, "finding", "App. C says quadratics with corridors are linear; S is a "
                "1-dimensional set where Hg = 0, GD = GF for every h and one CLR step reaches "
                "L = 0, for a non-linear quadratic. No conflict if corridors are open domains "
                "(Def. 2.1 says 'domain'); a conflict if any subset may be a corridor (P10)");
    for (j = 0; j < nprec; j++)
    {
        int st;

        cor_pc_rng_seed(&rng, cor_pc_seed(pc));
        st = run_formula(pc, precs[j], &rng, &worst);
        if (st == COR_OK)
            st = run_degenerate(pc, precs[j], &worst, &dev);
        if (st != COR_OK)
            return cor_pc_abort(pc, "%ld bits: %s", (long)precs[j], cor_strerror(st));
    }
    snprintf(meas, sizeof meas, "worst %.1f bits vs tolerance; off S max |ratio-1| = %.4g; "
             "FINDING: S is a lower-dimensional corridor (conflicts with App. C only if "
             "corridors need not be open)", worst, dev);
    return cor_pc_finish(pc, "Hg = A(A theta+b) != 0 unless A = 0; on S = {A theta = -b_R}, "
                         "b_K != 0: Hg = 0, GD = GF for all h, CLR reaches L = 0", meas);
}
