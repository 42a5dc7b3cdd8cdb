/* pc_remA_2_heavyball_aligned.c -- Remark A.2: heavy-ball momentum in a corridor started with
 * an initial velocity aligned with the initial gradient stays on the gradient-flow line.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, Remark A.2 with Lemma A.1 and Lemma 2.9; PREDICTIONS.md P6): in a
 * corridor, heavy-ball v_{k+1} = beta v_k - h g(theta_k), theta_{k+1} = theta_k + v_{k+1}
 * (form S) started from v0 = c g0 (c real; g0 = grad L(theta0)) keeps theta_k on the GF line
 * theta_GF(tau) = theta0 - tau g0, at the reparametrised times (derived here; the paper gives
 * no formula for c != 0)
 *   tau_k = k h/(1-beta) - (h/(1-beta) + c) beta (1 - beta^k)/(1-beta).
 * Derivation: while the iterates stay on the line, g(theta_j) = g0 (Lemma 2.9), so
 * v_k = [c beta^k - h (1 - beta^k)/(1-beta)] g0 (a geometric sum), and theta_k = theta0 +
 * sum_{j=1..k} v_j = theta0 - tau_k g0 with sum_{j=1..k} beta^j = beta (1-beta^k)/(1-beta).
 * c = 0 gives Lemma A.1's tau_k (P6); the steady-state start c = -h/(1-beta) gives
 * tau_k = k h/(1-beta) exactly: theta_k = theta_GF(k h/(1-beta)), the 1/(1-beta)-scaled flow
 * (P6's remark). A velocity that is NOT aligned leaves the line: on a linear loss with
 * v0 = w, w orthogonal to g0, theta_k = theta0 - tau_k(c=0) g0 + beta (1-beta^k)/(1-beta) w.
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest; tau_k exact rationals (GMP mpq),
 * g0 at prec + 64 bits): cor_step "heavyball" with the parameter "v0" = c g0 (rounded at the
 * working precision) for (beta, h) = (0.9, 0.05) and (0.5, 0.1) and c in {0, -h/(1-beta)
 * (steady state), -2h/(1-beta), -h, +0.2}, on three corridors: the linear loss 2x - y + 1 from
 * (1,1) (k <= 100), the cone |theta| from (3,-1,2) and the ruled surface |0.6x - 0.8y| +
 * 0.5(0.8x + 0.6y) from (5,0) (k up to the first iterate with tau_k >= T, T = sqrt 14 (apex)
 * and 3 (crease); the gradient is only ever taken inside, tau < T):
 *   max_k |theta_k - (theta0 - tau_k g0)| / max(1, |ref|) <= 2^(20-prec).
 * Also: the steady-state start against the flow integrator (lib/flow, Taylor, tolerance
 * max(2^-(prec+8), 1e-300)) on the cone: theta_k = theta_GF(k h/(1-beta)) to
 * max(2^(20-prec), tol); and the non-aligned start on the linear loss (beta = 0.9, h = 0.05,
 * w = (1,2)/10): the iterates leave the GF line by exactly beta(1-beta^k)/(1-beta) |w|.
 *
 * Grid: quick: prec (default 256) and 1024 bits; full: also 53, 113 and 4096 bits.
 *
 * Tolerance: 2^(20-prec) relative to max(1, |ref|) (flow rows: or the flow tolerance if
 * larger); margin = bits to spare.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_vspace.h"
#include "pclib.h"
#include "pcprob.h"

#define MAXN COR_PC_MAXN
#define KMAX 100

typedef struct
{
    const char *name;
    const char *expr;
    size_t n;
    const char *theta0[MAXN];
    int corridor_end; /* 0: none; 1: sqrt(14); 2: 3 */
} hb_loss;

static const hb_loss losses[] = {
    {"linear 2x-y+1 from (1,1)", "2*x-y+1", 2, {"1", "1"}, 0},
    {"cone |theta| from (3,-1,2)", "sqrt(x^2+y^2+z^2)", 3, {"3", "-1", "2"}, 1},
    {"ruled |0.6x-0.8y|+0.5(0.8x+0.6y) from (5,0)", "abs(0.6*x-0.8*y)+0.5*(0.8*x+0.6*y)", 2,
     {"5", "0"}, 2},
};

typedef struct
{
    const char *beta_txt, *h_txt;
    long bn, bd, hn, hd;
} hb_par;

static const hb_par pars[] = {{"0.9", "0.05", 9, 10, 1, 20}, {"0.5", "0.1", 1, 2, 1, 10}};

/* c in units of h/(1-beta) (kind 0..2) or absolute (kind 3: -h, kind 4: +1/5) */
#define NC 5
static const char *const cnames[NC] = {"0", "-h/(1-b) (steady)", "-2h/(1-b)", "-h", "+0.2"};

static void
c_value(mpq_t c, const hb_par *p, int kind)
{
    mpq_t q;

    mpq_init(q);
    switch (kind)
    {
    case 0:
        mpq_set_ui(c, 0, 1);
        break;
    case 1:
    case 2:
        /* -m h/(1-beta) = -m (hn/hd) / ((bd - bn)/bd) */
        mpq_set_si(c, -(long)kind * p->hn * p->bd, (unsigned long)(p->hd * (p->bd - p->bn)));
        mpq_canonicalize(c);
        break;
    case 3:
        mpq_set_si(c, -p->hn, (unsigned long)p->hd);
        mpq_canonicalize(c);
        break;
    default:
        mpq_set_si(c, 1, 5);
        break;
    }
    mpq_clear(q);
}

/* tau_k = k h/(1-b) - (h/(1-b) + c) b (1 - b^k)/(1-b), exactly */
static void
tau_exact(mpq_t tau, const hb_par *p, const mpq_t c, int k)
{
    mpq_t b, h, omb, bk, t, u;
    int j;

    mpq_inits(b, h, omb, bk, t, u, (mpq_ptr)0);
    mpq_set_si(b, p->bn, (unsigned long)p->bd);
    mpq_canonicalize(b);
    mpq_set_si(h, p->hn, (unsigned long)p->hd);
    mpq_canonicalize(h);
    mpq_set_ui(omb, 1, 1);
    mpq_sub(omb, omb, b);
    mpq_set_ui(bk, 1, 1);
    for (j = 0; j < k; j++)
        mpq_mul(bk, bk, b);
    mpq_div(u, h, omb);          /* h/(1-b) */
    mpq_set_si(tau, k, 1);
    mpq_mul(tau, tau, u);        /* k h/(1-b) */
    mpq_add(u, u, c);            /* h/(1-b) + c */
    mpq_set_ui(t, 1, 1);
    mpq_sub(t, t, bk);
    mpq_mul(t, t, b);
    mpq_div(t, t, omb);          /* b (1 - b^k)/(1-b) */
    mpq_mul(t, t, u);
    mpq_sub(tau, tau, t);
    mpq_clears(b, h, omb, bk, t, u, (mpq_ptr)0);
}

/* One (loss, beta/h, c) run: heavy-ball from v0 = c g0 against theta0 - tau_k g0. With
 * flow_rows (steady state on the cone) also against the flow integrator at k h/(1-b). */
static int
run_one(cor_pc *pc, const hb_loss *L, const hb_par *par, int ckind, mpfr_prec_t prec,
        double *worst)
{
    cor_pc_run r;
    cor_pc_flow fl;
    cor_vec *v0 = NULL;
    mpfr_t t, tend, cm;
    mpfr_t ftimes[KMAX], fout[KMAX * MAXN], th0p[MAXN];
    mpq_t c, tau;
    mpfr_prec_t rp = prec + 64;
    double w = -INFINITY, wf = -INFINITY;
    int do_flow = L->corridor_end == 1 && ckind == 1;
    int nflow = 0;
    char name[240];
    size_t i;
    int k, kmax = KMAX;
    int st;

    memset(&fl, 0, sizeof fl);
    mpq_inits(c, tau, (mpq_ptr)0);
    mpfr_inits2(rp, t, tend, cm, (mpfr_ptr)0);
    c_value(c, par, ckind);
    mpfr_set_q(cm, c, MPFR_RNDN);
    if (L->corridor_end == 1)
        mpfr_sqrt_ui(tend, 14, MPFR_RNDN);
    else if (L->corridor_end == 2)
        mpfr_set_ui(tend, 3, MPFR_RNDN);
    else
        mpfr_set_inf(tend, 1);
    st = cor_pc_run_init(&r, L->expr, L->n, L->theta0, "heavyball", prec);
    if (st != COR_OK)
        goto cleanup;
    v0 = cor_vec_alloc(r.p.V);
    if (v0 == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    for (i = 0; i < L->n; i++)
        mpfr_mul(cor_vec_mpfr_ptr(v0, i), cm, r.g0[i], MPFR_RNDN);
    if ((st = cor_step_set_param(r.s, "beta", par->beta_txt)) != COR_OK ||
        (st = cor_scalar_set_str(r.h, par->h_txt)) != COR_OK ||
        (st = cor_step_set_vec(r.s, "v0", v0)) != COR_OK || (st = cor_step_reset(r.s)) != COR_OK)
        goto cleanup;
    for (k = 1; k <= KMAX; k++)
    {
        double le;

        /* the gradient at theta_{k-1} must be taken inside the corridor: tau_{k-1} < T (a
         * negative tau, c > 0 moving uphill first, is away from the apex or crease) */
        tau_exact(tau, par, c, k - 1);
        mpfr_set_q(t, tau, MPFR_RNDN);
        if (mpfr_cmp(t, tend) >= 0)
        {
            kmax = k - 1;
            break;
        }
        st = cor_step_apply(r.s, r.p.obj, r.x, r.h, NULL);
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY,
                           "%s: heavy-ball step %d: %s", L->name, k, cor_status_name(st));
            goto cleanup;
        }
        tau_exact(tau, par, c, k);
        mpfr_set_q(t, tau, MPFR_RNDN);
        le = cor_pc_run_line_err(&r, t);
        if (le > w)
            w = le;
        if (do_flow && mpfr_cmp(t, tend) < 0)
        {
            /* keep theta_k for the flow comparison at t = k h/(1-b) */
            mpfr_init2(ftimes[nflow], prec);
            for (i = 0; i < L->n; i++)
            {
                mpfr_init2(fout[nflow * L->n + i], prec);
                mpfr_set(fout[nflow * L->n + i], cor_vec_mpfr_srcptr(r.x, i), MPFR_RNDN);
            }
            mpfr_set_q(ftimes[nflow], tau, MPFR_RNDN);
            nflow++;
        }
    }
    snprintf(name, sizeof name, "%s: b=%s h=%s v0=c g0, c=%s: max_{k<=%d} |HB_k - (theta0 - "
             "tau_k g0)| @%ld", L->name, par->beta_txt, par->h_txt, cnames[ckind], kmax,
             (long)prec);
    cor_pc_row_bits(pc, name, w, COR_PC_SLACK_BITS - (double)prec, worst);

    if (do_flow && nflow > 0)
    {
        /* the flow at the same times; compare with the stored iterates */
        mpfr_t *out = malloc(sizeof(mpfr_t) * (size_t)nflow * L->n);
        int q;

        if (out == NULL)
        {
            st = COR_ERROR(COR_ENOMEM, "out of memory");
            goto flow_done;
        }
        for (q = 0; q < nflow * (int)L->n; q++)
            mpfr_init2(out[q], prec);
        for (i = 0; i < L->n; i++)
        {
            mpfr_init2(th0p[i], prec);
            mpfr_set_str(th0p[i], L->theta0[i], 10, MPFR_RNDN);
        }
        st = cor_pc_flow_init(&fl, L->expr, L->n, COR_FLOW_TAYLOR, cor_pc_flow_tol(prec), prec);
        if (st == COR_OK)
            st = cor_flow_solve(fl.flow, out, (size_t)nflow, (const mpfr_t *)ftimes,
                                (const mpfr_t *)th0p);
        if (st == COR_OK)
        {
            for (q = 0; q < nflow; q++)
            {
                double le;

                for (i = 0; i < L->n; i++)
                    mpfr_set(r.ref[i], out[q * L->n + i], MPFR_RNDN);
                for (i = 0; i < L->n; i++)
                    mpfr_set(cor_vec_mpfr_ptr(r.x, i), fout[q * L->n + i], MPFR_RNDN);
                le = cor_pc_log2_err(r.x, r.ref, L->n);
                if (le > wf)
                    wf = le;
            }
            snprintf(name, sizeof name, "%s: b=%s h=%s steady start: max_{k<=%d} |HB_k - "
                     "GF(kh/(1-b))| (lib/flow) @%ld", L->name, par->beta_txt, par->h_txt, nflow,
                     (long)prec);
            cor_pc_row_bits(pc, name, wf,
                            fmax(COR_PC_SLACK_BITS - (double)prec, log2(cor_pc_flow_tol(prec))),
                            worst);
        }
        else
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "flow: %s",
                           cor_status_name(st));
        for (q = 0; q < nflow * (int)L->n; q++)
            mpfr_clear(out[q]);
        for (i = 0; i < L->n; i++)
            mpfr_clear(th0p[i]);
        free(out);
    flow_done:;
    }
    if (st != COR_OK)
        goto cleanup;
    st = COR_OK;

cleanup:
    for (k = 0; k < nflow; k++)
    {
        mpfr_clear(ftimes[k]);
        for (i = 0; i < L->n; i++)
            mpfr_clear(fout[k * L->n + i]);
    }
    cor_pc_flow_clear(&fl);
    cor_vec_free(v0);
    cor_pc_run_clear(&r);
    mpfr_clears(t, tend, cm, (mpfr_ptr)0);
    mpq_clears(c, tau, (mpq_ptr)0);
    return st;
}

/* Non-aligned start on the linear loss: v0 = w = (1,2)/10 (orthogonal to g0 = (2,-1)).
 * Predicted distance from the GF line at step k: beta (1 - beta^k)/(1-beta) |w|. */
static int
run_nonaligned(cor_pc *pc, mpfr_prec_t prec, double *worst)
{
    static const char *const th0[2] = {"1", "1"};
    cor_pc_prob p;
    cor_step *s = NULL;
    cor_scalar *h = NULL;
    cor_vec *x = NULL, *w = NULL;
    mpfr_t d, pr, b;
    double wl = -INFINITY;
    char name[200], meas[96], pred[96], marg[32];
    int k;
    int st;

    mpfr_inits2(prec + 64, d, pr, b, (mpfr_ptr)0);
    st = cor_pc_prob_init(&p, "2*x-y+1", 2, prec);
    if (st != COR_OK)
        goto cleanup;
    s = cor_step_alloc(cor_step_type_lookup("heavyball"), p.V);
    h = cor_scalar_alloc(p.V);
    x = cor_vec_alloc(p.V);
    w = cor_vec_alloc(p.V);
    if (s == NULL || h == NULL || x == NULL || w == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    mpfr_set_str(cor_vec_mpfr_ptr(w, 0), "0.1", 10, MPFR_RNDN);
    mpfr_set_str(cor_vec_mpfr_ptr(w, 1), "0.2", 10, MPFR_RNDN);
    if ((st = cor_step_set_param(s, "beta", "0.9")) != COR_OK ||
        (st = cor_scalar_set_str(h, "0.05")) != COR_OK ||
        (st = cor_step_set_vec(s, "v0", w)) != COR_OK || (st = cor_step_reset(s)) != COR_OK)
        goto cleanup;
    cor_pc_vec_set_str(x, th0, 2);
    mpfr_set_str(b, "0.9", 10, MPFR_RNDN);
    for (k = 1; k <= KMAX; k++)
    {
        double le;

        if ((st = cor_step_apply(s, p.obj, x, h, NULL)) != COR_OK)
            goto cleanup;
        /* distance from the line theta0 - t (2,-1): |(theta - theta0).(1,2)|/sqrt 5 */
        mpfr_sub_ui(d, cor_vec_mpfr_srcptr(x, 0), 1, MPFR_RNDN);
        mpfr_sub_ui(pr, cor_vec_mpfr_srcptr(x, 1), 1, MPFR_RNDN);
        mpfr_mul_ui(pr, pr, 2, MPFR_RNDN);
        mpfr_add(d, d, pr, MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        mpfr_sqrt_ui(pr, 5, MPFR_RNDN);
        mpfr_div(d, d, pr, MPFR_RNDN);
        /* predicted: b (1 - b^k)/(1-b) |w|, |w| = sqrt(5)/10 */
        mpfr_pow_ui(pr, b, (unsigned long)k, MPFR_RNDN);
        mpfr_ui_sub(pr, 1, pr, MPFR_RNDN);
        mpfr_mul_ui(pr, pr, 9, MPFR_RNDN); /* b/(1-b) = 9 */
        {
            mpfr_t q;

            mpfr_init2(q, prec + 64);
            mpfr_sqrt_ui(q, 5, MPFR_RNDN);
            mpfr_div_ui(q, q, 10, MPFR_RNDN);
            mpfr_mul(pr, pr, q, MPFR_RNDN);
            mpfr_clear(q);
        }
        if (k == 10 || k == KMAX)
        {
            snprintf(name, sizeof name, "non-aligned v0=(0.1,0.2) on 2x-y+1, b=0.9 h=0.05: "
                     "distance from the GF line at k=%d @%ld", k, (long)prec);
            mpfr_snprintf(pred, sizeof pred, "b(1-b^k)/(1-b)|w| = %.15Rg > 0", pr);
            mpfr_snprintf(meas, sizeof meas, "%.15Rg", d);
            mpfr_sub(d, d, pr, MPFR_RNDN);
            mpfr_div(d, d, pr, MPFR_RNDN);
            mpfr_abs(d, d, MPFR_RNDN);
            le = mpfr_zero_p(d) ? -INFINITY : log2(mpfr_get_d(d, MPFR_RNDN));
            cor_pc_row(pc, name, pred, meas, cor_pc_fmt_margin(marg, sizeof marg, le, prec),
                       le <= COR_PC_SLACK_BITS - (double)prec);
            if (le - (COR_PC_SLACK_BITS - (double)prec) > wl)
                wl = le - (COR_PC_SLACK_BITS - (double)prec);
        }
    }
    if (wl > *worst)
        *worst = wl;
    st = COR_OK;

cleanup:
    cor_vec_free(x);
    cor_vec_free(w);
    cor_scalar_free(h);
    cor_step_free(s);
    cor_pc_prob_clear(&p);
    mpfr_clears(d, pr, b, (mpfr_ptr)0);
    return st;
}

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "Rem A.2",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, Remark A.2 with Lemma A.1 (PREDICTIONS.md P6)",
        "NUMERICAL",
        "|HB_k - (theta0 - tau_k g0)| <= 2^(20-prec) max(1,|theta|), tau_k = kh/(1-b) - "
        "(h/(1-b) + c) b(1-b^k)/(1-b) for v0 = c g0; flow rows: or the flow tolerance",
        "Checks that heavy-ball from an aligned initial velocity v0 = c g0 stays on the GF\n"
        "line at the closed-form times tau_k (c = 0: Lemma A.1; c = -h/(1-b): the scaled flow\n"
        "exactly), on linear, cone and ruled corridors, and that a non-aligned v0 leaves it.",
        256
    };
    mpfr_prec_t precs[6];
    size_t nprec, i, j, q;
    int ck;
    cor_pc *pc;
    int rc;
    double worst = -INFINITY;
    char meas[120];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;
    nprec = cor_pc_prec_grid(pc, precs);
    cor_pc_meta(pc, "heavyball", "form S, v0 = c g0 via the stepper's v0 parameter");
    cor_pc_meta(pc, "tau", "tau_k = k h/(1-b) - (h/(1-b) + c) b (1-b^k)/(1-b) (derived: "
                "geometric sums with g = g0 constant on the line)");
    for (j = 0; j < nprec; j++)
    {
        for (i = 0; i < sizeof losses / sizeof losses[0]; i++)
            for (q = 0; q < sizeof pars / sizeof pars[0]; q++)
                for (ck = 0; ck < NC; ck++)
                {
                    int st = run_one(pc, &losses[i], &pars[q], ck, precs[j], &worst);

                    if (st != COR_OK)
                        return cor_pc_abort(pc, "%s: %s", losses[i].name, cor_strerror(st));
                }
        {
            int st = run_nonaligned(pc, precs[j], &worst);

            if (st != COR_OK)
                return cor_pc_abort(pc, "non-aligned: %s", cor_strerror(st));
        }
    }
    snprintf(meas, sizeof meas, "worst %.1f bits vs tolerance", worst);
    return cor_pc_finish(pc, "HB from v0 = c g0 stays on the GF line at tau_k = kh/(1-b) - "
                         "(h/(1-b)+c) b(1-b^k)/(1-b); steady start = scaled flow exactly; "
                         "non-aligned v0 leaves the line", meas);
}
