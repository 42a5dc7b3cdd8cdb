/* pc_prop2_10_linear_decrease.c -- Proposition 2.10: on a corridor the loss decreases
 * linearly under the gradient flow.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, Prop. 2.10 with Lemma 2.9; PREDICTIONS.md P2): on the line of steepest
 * descent of a corridor through theta0, theta(t) = theta0 - t g0 with g0 = grad L(theta0), and
 *   L(theta(t)) = L(theta0) - t |g0|^2
 * for as long as the segment stays in the corridor. By Thm 3.1 the GD iterates are the samples
 * theta_k = theta(kh), so L(theta_k) = L0 - k h |g0|^2 too. Off a corridor only
 * dL/dt = -|grad L|^2 remains: L(theta(1)) = L0 - int_0^1 |g|^2 dt.
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest at the working precision;
 * references g0, L0 at prec + 64 bits):
 *  1. Four corridor families: the cone |theta| from (3,-1,2) (Ex. 2.3; apex at t = sqrt 14),
 *     the concave cone -|theta| from (3,-1,2) (Ex. 2.4; moving away from the apex), the
 *     linear loss 2x - y + 1 from (1,1) (Ex. 2.2), the ruled surface
 *     |0.6x - 0.8y| + 0.5(0.8x + 0.6y) from (5,0) (Ex. 2.5; g0 = (1, -1/2), the crease
 *     0.6x = 0.8y is reached at t = 3).
 *     a. Against the flow integrator (lib/flow, Taylor series in MPFR, tolerance
 *        max(2^-(prec+8), 1e-300)) at five times inside the corridor:
 *        max_t max(|L(theta_GF(t)) - (L0 - t|g0|^2)|, |theta_GF(t) - (theta0 - t g0)|_inf)
 *        / max(1, |ref|) <= max(2^(20-prec), tol). The flow's tolerance is a C double
 *        (lib/flow), so it cannot go below 1e-300 = 2^-996.6: at 1024 bits and more the flow
 *        rows are checked to that tolerance, not to 2^(20-prec) (the GD rows still are).
 *     b. Against GD (cor_step "gd", h = 0.1) for every k up to the last time:
 *        max_k |L(GD_k) - (L0 - k h |g0|^2)| / max(1, |ref|) <= 2^(20-prec).
 *  2. P2's value: on the cone L(theta_GF(t)) = sqrt(14) - t, at t = 3.5 (flow).
 *  3. Off a corridor, loss (ii) 0.5(1-x)^2 + 5(y-x^2)^2 from (-1.2,1) (prec >= 256 only):
 *     L(theta_GF(1)) = 1.1014388580181593264876179519772912 (P2, quadrature of |g|^2; 33
 *     digits required) and = 1.10143885801815932648761795197729122390285827055610203954275842
 *     33328307 (case (ii), 70 digits; 65 required), while the linear law would give
 *     L0 - |g0|^2 = 3.388 - 182.18... < 0: the law must fail there by more than 1.
 *
 * Grid: quick: prec (default 256) and 1024 bits; full: also 53, 113 and 4096 bits.
 *
 * Tolerance: 2^(20-prec) relative to max(1, |ref|) (flow rows: max(2^(20-prec), tol), see 1a;
 * margin = bits to spare); the off-corridor
 * rows in decimal digits (margin = digits to spare).
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

#define MAXN COR_PC_MAXN
#define NT 5

typedef struct
{
    const char *name;
    const char *expr;
    size_t n;
    const char *theta0[MAXN];
    const char *times[NT]; /* increasing; the last one is a multiple of 0.1 */
    int gd_steps;          /* the last time / 0.1 */
} lin_case;

static const lin_case cases[] = {
    {"cone |theta| from (3,-1,2)", "sqrt(x^2+y^2+z^2)", 3, {"3", "-1", "2"},
     {"0.5", "1", "2", "3", "3.5"}, 35},
    {"concave cone -|theta| from (3,-1,2)", "-sqrt(x^2+y^2+z^2)", 3, {"3", "-1", "2"},
     {"1", "2", "5", "7.5", "10"}, 100},
    {"linear 2x-y+1 from (1,1)", "2*x-y+1", 2, {"1", "1"}, {"1", "2", "5", "7.5", "10"}, 100},
    {"ruled |0.6x-0.8y|+0.5(0.8x+0.6y) from (5,0)", "abs(0.6*x-0.8*y)+0.5*(0.8*x+0.6*y)", 2,
     {"5", "0"}, {"0.5", "1", "1.5", "2", "2.5"}, 25},
};

/* log2 of |a - b| / max(1, |b|); -inf when equal. */
static double
log2_rel(mpfr_srcptr a, mpfr_srcptr b)
{
    mpfr_t d, s;
    double r;

    mpfr_inits2(mpfr_get_prec(b) + 8, d, s, (mpfr_ptr)0);
    mpfr_sub(d, a, b, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_abs(s, b, MPFR_RNDN);
    if (mpfr_cmp_ui(s, 1) < 0)
        mpfr_set_ui(s, 1, MPFR_RNDN);
    if (mpfr_zero_p(d))
        r = -INFINITY;
    else
    {
        mpfr_div(d, d, s, MPFR_RNDN);
        mpfr_log2(d, d, MPFR_RNDN);
        r = mpfr_get_d(d, MPFR_RNDN);
    }
    mpfr_clears(d, s, (mpfr_ptr)0);
    return r;
}

/* One row against the bound 2^(20-prec), or the flow tolerance when that is larger (flow). */
static void
row_bits(cor_pc *pc, const char *name, double l, mpfr_prec_t prec, int flow, double *worst_all)
{
    char pred[48];
    double bound = COR_PC_SLACK_BITS - (double)prec;

    if (flow && log2(cor_pc_flow_tol(prec)) > bound)
        bound = log2(cor_pc_flow_tol(prec));
    snprintf(pred, sizeof pred, "<= 2^%.1f%s", bound,
             bound > COR_PC_SLACK_BITS - (double)prec ? " (flow tol)" : "");
    cor_pc_row_log2(pc, name, pred, l, bound, worst_all);
}

static int
run_case(cor_pc *pc, const lin_case *c, mpfr_prec_t prec, double *worst_all)
{
    cor_pc_prob p;
    cor_pc_flow fl;
    cor_step *s = NULL;
    cor_scalar *h = NULL;
    cor_vec *x = NULL;
    mpfr_t g0[MAXN], th0[MAXN], gg, L0, t, Lref, Lm, ref[MAXN];
    mpfr_t times[NT], out[NT * MAXN];
    mpfr_prec_t rp = prec + 64;
    double wf = -INFINITY, wg = -INFINITY;
    char name[200];
    size_t i, j;
    int k;
    int st;

    memset(&fl, 0, sizeof fl);
    for (i = 0; i < MAXN; i++)
        mpfr_inits2(rp, g0[i], th0[i], ref[i], (mpfr_ptr)0);
    mpfr_inits2(rp, gg, L0, t, Lref, (mpfr_ptr)0);
    mpfr_init2(Lm, prec);
    for (j = 0; j < NT; j++)
    {
        mpfr_init2(times[j], prec);
        for (i = 0; i < MAXN; i++)
            mpfr_init2(out[j * MAXN + i], prec);
    }
    /* references at prec + 64: g0 and L0 */
    {
        cor_pc_prob q;
        cor_vec *xq = NULL;

        st = cor_pc_prob_init(&q, c->expr, c->n, rp);
        if (st == COR_OK && (xq = cor_vec_alloc(q.V)) == NULL)
            st = cor_last_error()->code;
        if (st == COR_OK)
        {
            cor_pc_vec_set_str(xq, c->theta0, c->n);
            st = cor_pc_loss_at(L0, &q, xq);
        }
        cor_vec_free(xq);
        cor_pc_prob_clear(&q);
    }
    if (st == COR_OK)
        st = cor_pc_grad_at(g0, c->expr, c->n, c->theta0, rp);
    if (st == COR_OK)
        st = cor_pc_prob_init(&p, c->expr, c->n, prec);
    else
        memset(&p, 0, sizeof p);
    if (st == COR_OK)
        st = cor_pc_flow_init(&fl, c->expr, c->n, COR_FLOW_TAYLOR, cor_pc_flow_tol(prec), prec);
    if (st != COR_OK)
        goto cleanup;
    mpfr_set_ui(gg, 0, MPFR_RNDN);
    for (i = 0; i < c->n; i++)
    {
        mpfr_set_str(th0[i], c->theta0[i], 10, MPFR_RNDN);
        mpfr_fma(gg, g0[i], g0[i], gg, MPFR_RNDN);
    }

    /* 1a. the flow at NT times */
    {
        mpfr_t th0p[MAXN];

        for (i = 0; i < c->n; i++)
        {
            mpfr_init2(th0p[i], prec);
            mpfr_set_str(th0p[i], c->theta0[i], 10, MPFR_RNDN);
        }
        for (j = 0; j < NT; j++)
            mpfr_set_str(times[j], c->times[j], 10, MPFR_RNDN);
        /* the solver writes out[j*n + i] (n = c->n <= MAXN, so it fits) */
        st = cor_flow_solve(fl.flow, out, NT, (const mpfr_t *)times, (const mpfr_t *)th0p);
        for (i = 0; i < c->n; i++)
            mpfr_clear(th0p[i]);
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "%s: flow: %s", c->name,
                           cor_status_name(st));
            goto cleanup;
        }
    }
    x = cor_vec_alloc(p.V);
    if (x == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    for (j = 0; j < NT; j++)
    {
        double l;

        mpfr_set_str(t, c->times[j], 10, MPFR_RNDN);
        for (i = 0; i < c->n; i++)
        {
            mpfr_set(cor_vec_mpfr_ptr(x, i), out[j * c->n + i], MPFR_RNDN);
            mpfr_mul(ref[i], t, g0[i], MPFR_RNDN);
            mpfr_sub(ref[i], th0[i], ref[i], MPFR_RNDN);
            l = log2_rel(out[j * c->n + i], ref[i]);
            if (l > wf)
                wf = l;
        }
        if ((st = cor_pc_loss_at(Lm, &p, x)) != COR_OK)
            goto cleanup;
        mpfr_mul(Lref, t, gg, MPFR_RNDN);
        mpfr_sub(Lref, L0, Lref, MPFR_RNDN);
        l = log2_rel(Lm, Lref);
        if (l > wf)
            wf = l;
        if (j == NT - 1 && strcmp(c->expr, "sqrt(x^2+y^2+z^2)") == 0)
        {
            /* P2: L(theta(t)) = sqrt(14) - t */
            mpfr_sqrt_ui(Lref, 14, MPFR_RNDN);
            mpfr_sub(Lref, Lref, t, MPFR_RNDN);
            snprintf(name, sizeof name, "P2 cone: L(theta_GF(%s)) = sqrt(14) - %s @%ld",
                     c->times[j], c->times[j], (long)prec);
            row_bits(pc, name, log2_rel(Lm, Lref), prec, 1, worst_all);
        }
    }
    snprintf(name, sizeof name,
             "%s: flow, max over t in {%s..%s} of |L - (L0 - t|g0|^2)|, |theta - (theta0 - t g0)| "
             "@%ld", c->name, c->times[0], c->times[NT - 1], (long)prec);
    row_bits(pc, name, wf, prec, 1, worst_all);

    /* 1b. GD iterates */
    s = cor_step_alloc(cor_step_type_lookup("gd"), p.V);
    h = cor_scalar_alloc(p.V);
    if (s == NULL || h == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    if ((st = cor_scalar_set_str(h, "0.1")) != COR_OK)
        goto cleanup;
    cor_pc_vec_set_str(x, c->theta0, c->n);
    for (k = 1; k <= c->gd_steps; k++)
    {
        double l;

        st = cor_step_apply(s, p.obj, x, h, NULL);
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "%s: GD step %d: %s",
                           c->name, k, cor_status_name(st));
            goto cleanup;
        }
        if ((st = cor_pc_loss_at(Lm, &p, x)) != COR_OK)
            goto cleanup;
        mpfr_set_str(t, "0.1", 10, MPFR_RNDN);
        mpfr_mul_ui(t, t, (unsigned long)k, MPFR_RNDN);
        mpfr_mul(Lref, t, gg, MPFR_RNDN);
        mpfr_sub(Lref, L0, Lref, MPFR_RNDN);
        l = log2_rel(Lm, Lref);
        if (l > wg)
            wg = l;
    }
    snprintf(name, sizeof name,
             "%s: GD h=0.1, max_{k<=%d} |L(GD_k) - (L0 - kh|g0|^2)| @%ld", c->name,
             c->gd_steps, (long)prec);
    row_bits(pc, name, wg, prec, 0, worst_all);
    st = COR_OK;

cleanup:
    cor_vec_free(x);
    cor_scalar_free(h);
    cor_step_free(s);
    cor_pc_flow_clear(&fl);
    cor_pc_prob_clear(&p);
    for (i = 0; i < MAXN; i++)
        mpfr_clears(g0[i], th0[i], ref[i], (mpfr_ptr)0);
    mpfr_clears(gg, L0, t, Lref, Lm, (mpfr_ptr)0);
    for (j = 0; j < NT; j++)
    {
        mpfr_clear(times[j]);
        for (i = 0; i < MAXN; i++)
            mpfr_clear(out[j * MAXN + i]);
    }
    return st;
}

/* Off a corridor: loss (ii), the flow to t = 1. */
#define OFF_EXPR "0.5*(1-x)^2+5*(y-x^2)^2"

static int
run_off(cor_pc *pc, mpfr_prec_t prec, double *dig_out)
{
    static const char *const th0txt[2] = {"-1.2", "1"};
    static const struct
    {
        const char *what, *ref;
        double need;
    } refs[2] = {
        {"P2 quadrature", "1.1014388580181593264876179519772912", 33},
        {"case (ii)",
         "1.101438858018159326487617951977291223902858270556102039542758423328307", 65},
    };
    cor_pc_prob p;
    cor_pc_flow fl;
    cor_vec *x = NULL;
    mpfr_t th0[2], out[2], T, L1, ref, lin, g[2];
    char name[160], pred[160], meas[96], marg[32];
    size_t i;
    int st;

    memset(&fl, 0, sizeof fl);
    mpfr_inits2(prec, th0[0], th0[1], out[0], out[1], T, L1, ref, lin, g[0], g[1], (mpfr_ptr)0);
    st = cor_pc_prob_init(&p, OFF_EXPR, 2, prec);
    if (st == COR_OK)
        st = cor_pc_flow_init(&fl, OFF_EXPR, 2, COR_FLOW_TAYLOR, cor_pc_flow_tol(prec), prec);
    if (st != COR_OK)
        goto cleanup;
    for (i = 0; i < 2; i++)
        mpfr_set_str(th0[i], th0txt[i], 10, MPFR_RNDN);
    mpfr_set_ui(T, 1, MPFR_RNDN);
    st = cor_flow_solve(fl.flow, out, 1, (const mpfr_t *)&T, (const mpfr_t *)th0);
    if (st != COR_OK)
    {
        st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "(ii): flow: %s",
                       cor_status_name(st));
        goto cleanup;
    }
    if ((x = cor_vec_alloc(p.V)) == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    for (i = 0; i < 2; i++)
        mpfr_set(cor_vec_mpfr_ptr(x, i), out[i], MPFR_RNDN);
    if ((st = cor_pc_loss_at(L1, &p, x)) != COR_OK)
        goto cleanup;
    *dig_out = INFINITY;
    for (i = 0; i < 2; i++)
    {
        double dig;

        mpfr_set_str(ref, refs[i].ref, 10, MPFR_RNDN);
        dig = cor_pc_digits_agree(L1, ref);
        if (dig < *dig_out)
            *dig_out = dig;
        snprintf(name, sizeof name, "(ii) off corridor: L(theta_GF(1)) vs %s @%ld",
                 refs[i].what, (long)prec);
        snprintf(pred, sizeof pred, "%s (>= %.0f digits)", refs[i].ref, refs[i].need);
        mpfr_snprintf(meas, sizeof meas, "%.40Rg (%.1f digits)", L1, dig);
        snprintf(marg, sizeof marg, "%.1f", dig - refs[i].need);
        cor_pc_row(pc, name, pred, meas, marg, dig >= refs[i].need);
    }
    /* the linear law L0 - t|g0|^2 at t = 1 would be far off */
    st = cor_pc_grad_at(g, OFF_EXPR, 2, th0txt, prec);
    if (st != COR_OK)
        goto cleanup;
    cor_pc_vec_set_str(x, th0txt, 2);
    if ((st = cor_pc_loss_at(lin, &p, x)) != COR_OK)
        goto cleanup;
    for (i = 0; i < 2; i++)
    {
        mpfr_sqr(ref, g[i], MPFR_RNDN);
        mpfr_sub(lin, lin, ref, MPFR_RNDN);
    }
    mpfr_sub(ref, L1, lin, MPFR_RNDN);
    mpfr_abs(ref, ref, MPFR_RNDN);
    snprintf(name, sizeof name, "(ii) off corridor: linear law L0 - |g0|^2 fails at t=1 @%ld",
             (long)prec);
    mpfr_snprintf(meas, sizeof meas, "L0-|g0|^2 = %.10Rg, L(theta(1)) - it = %.6Rg", lin, ref);
    mpfr_snprintf(marg, sizeof marg, "%.3Rg", ref);
    cor_pc_row(pc, name, "|L(theta(1)) - (L0 - |g0|^2)| > 1", meas, marg,
               mpfr_cmp_ui(ref, 1) > 0);
    st = COR_OK;

cleanup:
    cor_vec_free(x);
    cor_pc_flow_clear(&fl);
    cor_pc_prob_clear(&p);
    mpfr_clears(th0[0], th0[1], out[0], out[1], T, L1, ref, lin, g[0], g[1], (mpfr_ptr)0);
    return st;
}

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "Prop 2.10",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, Prop. 2.10 and Lemma 2.9 (PREDICTIONS.md P2)",
        "NUMERICAL",
        "corridors: |L - (L0 - t|g0|^2)| and |theta - (theta0 - t g0)| <= 2^(20-prec) "
        "max(1,|ref|) (GD; flow: or its tolerance if larger); off corridor: L(theta(1)) to 33 (P2) / 65 (case (ii)) digits",
        "Checks the linear decrease of the loss along the gradient flow on four corridor\n"
        "families (cone, concave cone, linear, ruled), against lib/flow and GD iterates, and\n"
        "dL/dt = -|g|^2 (not the linear law) off a corridor on loss (ii).",
        256
    };
    mpfr_prec_t precs[6];
    size_t nprec, i, j;
    cor_pc *pc;
    int rc;
    double worst = -INFINITY, dig = NAN;
    char meas[160];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;
    nprec = cor_pc_prec_grid(pc, precs);
    cor_pc_meta(pc, "flow", "cor_flow taylor (MPFR), tol max(2^-(prec+8), 1e-300)");
    cor_pc_meta(pc, "gd", "h=0.1 up to the last time of each family");
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (j = 0; j < nprec; j++)
        {
            int st = run_case(pc, &cases[i], precs[j], &worst);

            if (st != COR_OK)
                return cor_pc_abort(pc, "%s: %s", cases[i].name, cor_strerror(st));
        }
    for (j = 0; j < nprec; j++)
        if (precs[j] >= 256)
        {
            double d = NAN;
            int st = run_off(pc, precs[j], &d);

            if (st != COR_OK)
                return cor_pc_abort(pc, "(ii): %s", cor_strerror(st));
            if (isnan(dig) || d < dig)
                dig = d;
        }
    snprintf(meas, sizeof meas, "corridors: worst %.1f bits vs tolerance; (ii) L(theta(1)) "
             "to %.1f digits", worst, dig);
    return cor_pc_finish(pc, "L(theta(t)) = L0 - t|g0|^2 on corridors (flow and GD); off "
                         "corridors only dL/dt = -|g|^2", meas);
}
