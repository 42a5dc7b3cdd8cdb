/* pc_sec4_clr.c -- Section 4: the corridor learning rate (CLR, a Polyak step) reaches the
 * minimum in one step on a corridor.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, Sec. 4; PREDICTIONS.md P11, case (iv)): in a corridor L decreases
 * linearly along GF, L(theta(t)) = L0 - t|g0|^2 (P2), so the step h = (L0 - L*)/|g0|^2 lands
 * exactly on the level L* in one step, if the segment stays in the corridor. Off a corridor
 * it does not.
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest; exact references): one apply of
 * cor_step "clr" (h computed by the stepper, reported in info.lr):
 *  1. cone |theta| from (3,-1,2): h = sqrt(14), theta1 = 0;
 *  2. 2x - y + 1 from (1,1): h = 2/5, theta1 = (0.2, 1.4), L1 = 0;
 *  3. |theta| + 5 from (3,-1,2) with lstar = 5: h = sqrt(14), theta1 = 0 (L = L* = 5);
 *     and with lstar = 0 (the overshoot): h = sqrt(14) + 5, theta1 = -5 theta0/sqrt(14);
 *  4. control, 0.5(x^2 + 10y^2) from (1,1) (not a corridor): h = 11/202,
 *     theta1 = (191/202, 46/101) != 0, L1 = 121121/81608.
 *  Each row compares theta1 and h with the reference: |err| <= 2^(20-prec) max(1, |ref|).
 *
 * Grid: quick: prec (default 256) and 1024 bits; full: also 53, 113 and 4096 bits.
 *
 * Tolerance: 2^(20-prec) relative to max(1, |ref|); margin = bits to spare.
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


typedef struct
{
    const char *name;
    const char *expr;
    size_t n;
    const char *theta0[MAXN];
    const char *lstar;
    int ref; /* which reference */
} clr_case;

enum { REF_CONE, REF_LIN, REF_CONE5_LSTAR, REF_CONE5_OVER, REF_QUAD };

static const clr_case clr_cases[] = {
    {"cone |theta| from (3,-1,2)", "sqrt(x^2+y^2+z^2)", 3, {"3", "-1", "2"}, "0", REF_CONE},
    {"linear 2x-y+1 from (1,1)", "2*x-y+1", 2, {"1", "1"}, "0", REF_LIN},
    {"|theta|+5 from (3,-1,2), L*=5", "sqrt(x^2+y^2+z^2)+5", 3, {"3", "-1", "2"}, "5",
     REF_CONE5_LSTAR},
    {"|theta|+5 from (3,-1,2), L*=0 (overshoot)", "sqrt(x^2+y^2+z^2)+5", 3, {"3", "-1", "2"},
     "0", REF_CONE5_OVER},
    {"control 0.5(x^2+10y^2) from (1,1)", "0.5*(x^2+10*y^2)", 2, {"1", "1"}, "0", REF_QUAD},
};

/* Reference theta1 (ref[0..n)) and h (href) at the precision of the arguments. */
static void
reference(const clr_case *c, mpfr_t *ref, mpfr_t href, char *txt, size_t size)
{
    mpfr_t r14;
    size_t i;
    static const int th0[3] = {3, -1, 2};

    mpfr_init2(r14, mpfr_get_prec(href));
    mpfr_sqrt_ui(r14, 14, MPFR_RNDN);
    switch (c->ref)
    {
    case REF_CONE:
    case REF_CONE5_LSTAR:
        for (i = 0; i < 3; i++)
            mpfr_set_ui(ref[i], 0, MPFR_RNDN);
        mpfr_set(href, r14, MPFR_RNDN);
        snprintf(txt, size, "h=sqrt14, theta1=0");
        break;
    case REF_CONE5_OVER:
        for (i = 0; i < 3; i++)
        {
            mpfr_set_si(ref[i], -5 * th0[i], MPFR_RNDN);
            mpfr_div(ref[i], ref[i], r14, MPFR_RNDN);
        }
        mpfr_add_ui(href, r14, 5, MPFR_RNDN);
        snprintf(txt, size, "h=sqrt14+5, theta1=-5theta0/sqrt14");
        break;
    case REF_LIN:
        mpfr_set_str(ref[0], "0.2", 10, MPFR_RNDN);
        mpfr_set_str(ref[1], "1.4", 10, MPFR_RNDN);
        mpfr_set_str(href, "0.4", 10, MPFR_RNDN);
        snprintf(txt, size, "h=2/5, theta1=(0.2,1.4)");
        break;
    default: /* REF_QUAD */
        mpfr_set_ui(ref[0], 191, MPFR_RNDN);
        mpfr_div_ui(ref[0], ref[0], 202, MPFR_RNDN);
        mpfr_set_ui(ref[1], 46, MPFR_RNDN);
        mpfr_div_ui(ref[1], ref[1], 101, MPFR_RNDN);
        mpfr_set_ui(href, 11, MPFR_RNDN);
        mpfr_div_ui(href, href, 202, MPFR_RNDN);
        snprintf(txt, size, "h=11/202, theta1=(191/202,46/101) (not 0)");
        break;
    }
    mpfr_clear(r14);
}

static int
run_clr(cor_pc *pc, const clr_case *c, mpfr_prec_t prec, double *worst_all, char *quad_meas,
        size_t qsize)
{
    cor_pc_prob p;
    cor_step *s = NULL;
    cor_vec *x = NULL;
    cor_scalar *L1 = NULL;
    cor_step_info inf;
    mpfr_t ref[MAXN], href, hm, d;
    mpfr_prec_t rp = prec + 64;
    char name[160], pred[96], meas[200], marg[32], lbuf[48];
    double le, lh, w;
    size_t i;
    int st;

    for (i = 0; i < MAXN; i++)
        mpfr_init2(ref[i], rp);
    mpfr_inits2(rp, href, hm, d, (mpfr_ptr)0);
    st = cor_pc_prob_init(&p, c->expr, c->n, prec);
    if (st != COR_OK)
        goto cleanup;
    s = cor_step_alloc(cor_step_type_lookup("clr"), p.V);
    x = cor_vec_alloc(p.V);
    L1 = cor_scalar_alloc(p.V);
    if (s == NULL || x == NULL || L1 == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    if ((st = cor_step_set_param(s, "lstar", c->lstar)) != COR_OK)
        goto cleanup;
    cor_pc_vec_set_str(x, c->theta0, c->n);
    memset(&inf, 0, sizeof inf);
    st = cor_step_apply(s, p.obj, x, NULL, &inf);
    if (st != COR_OK)
    {
        st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "%s: CLR step: %s", c->name,
                       cor_status_name(st));
        goto cleanup;
    }
    if ((st = cor_scalar_get_mpfr(hm, inf.lr)) != COR_OK)
        goto cleanup;
    if ((st = cor_objective_value(p.obj, L1, x)) != COR_OK)
        goto cleanup;
    reference(c, ref, href, pred, sizeof pred);
    le = cor_pc_log2_err(x, ref, c->n);
    /* |h - href| / max(1, href) */
    mpfr_sub(d, hm, href, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    if (mpfr_cmp_ui(href, 1) > 0)
        mpfr_div(d, d, href, MPFR_RNDN);
    lh = mpfr_zero_p(d) ? -INFINITY : log2(mpfr_get_d(d, MPFR_RNDN));
    w = fmax(le, lh);
    {
        char th[256];
        size_t len = 0;

        for (i = 0; i < c->n && len < sizeof th; i++)
            len += (size_t)mpfr_snprintf(th + len, sizeof th - len, "%s%.12Rg", i ? ", " : "",
                                         cor_vec_mpfr_srcptr(x, i));
        mpfr_snprintf(meas, sizeof meas, "h=%.12Rg theta1=(%s) L1=%.12g err %s", hm, th,
                      cor_scalar_get_d(L1), cor_pc_fmt_log2(lbuf, sizeof lbuf, w));
    }
    if (c->ref == REF_QUAD && quad_meas != NULL)
        snprintf(quad_meas, qsize, "%.17g", cor_scalar_get_d(L1));
    snprintf(name, sizeof name, "%s: one CLR step @%ld", c->name, (long)prec);
    cor_pc_row(pc, name, pred, meas, cor_pc_fmt_margin(marg, sizeof marg, w, prec),
               w <= COR_PC_SLACK_BITS - (double)prec);
    if (w - (COR_PC_SLACK_BITS - (double)prec) > *worst_all)
        *worst_all = w - (COR_PC_SLACK_BITS - (double)prec);
    st = COR_OK;

cleanup:
    cor_scalar_free(L1);
    cor_vec_free(x);
    cor_step_free(s);
    cor_pc_prob_clear(&p);
    for (i = 0; i < MAXN; i++)
        mpfr_clear(ref[i]);
    mpfr_clears(href, hm, d, (mpfr_ptr)0);
    return st;
}

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "Sec. 4 CLR",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, Sec. 4 (PREDICTIONS.md P11, case (iv))",
        "NUMERICAL",
        "|theta1 - ref|, |h - href| <= 2^(20-prec) max(1, |ref|)",
        "Checks that one CLR step h = (L - L*)/|g|^2 reaches L* on corridors (cone, linear,\n"
        "|theta|+5) and not on the quadratic 0.5(x^2+10y^2).",
        256
    };
    mpfr_prec_t precs[6];
    size_t nprec = 0;
    size_t i, j;
    cor_pc *pc;
    int rc;
    double worst = -INFINITY;
    char qm[48] = "nan";
    char sm[200];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;
    nprec = cor_pc_prec_grid(pc, precs);
    for (i = 0; i < sizeof clr_cases / sizeof clr_cases[0]; i++)
        for (j = 0; j < nprec; j++)
        {
            int st = run_clr(pc, &clr_cases[i], precs[j], &worst, qm, sizeof qm);

            if (st != COR_OK)
                return cor_pc_abort(pc, "%s: %s", clr_cases[i].name, cor_strerror(st));
        }
    snprintf(sm, sizeof sm, "worst %.1f bits vs tolerance; quadratic L1 = %s", worst, qm);
    return cor_pc_finish(pc, "one CLR step reaches L* on corridors; quadratic: theta1 = "
                         "(191/202, 46/101), L1 = 121121/81608", sm);
}
