/* exp_hbmod.c -- heavy ball's modified flow and its shifted start (PREDICTIONS P7; cf. Ghosh,
 * Lyu, Zhang & Wang 2023).
 *
 * Heavy ball theta_{k+1} = theta_k + beta(theta_k - theta_{k-1}) - h g(theta_k), theta_{-1} =
 * theta0 (the library's heavyball stepper with v0 = 0), N = T/h steps, is compared at t = T
 * with four flows (lib/drift, MPFR):
 *   shift     theta' = -(1/(1-beta)) grad(L + h(1+beta)/(4(1-beta)^2)|g|^2) from the shifted
 *             start theta0 + h beta/(1-beta)^2 g(theta0)       predicted error O(h^2)
 *   noshift   the same flow from theta0                        predicted O(h)
 *   nohg      the scaled GF theta' = -g/(1-beta) from the shifted start   predicted O(h)
 *   scaled    the scaled GF from theta0                        predicted O(h)
 * (the O(h beta^k) transient is far below these at k = T/h >= 1000). The expansion needs
 * real characteristic roots, h lambda < (1 - sqrt(beta))^2, so h is small: with beta = 1/2
 * and lambda_max about 75 on case (ii), h < 1.1e-3.
 *
 * Table hbmod.tsv: h steps err_shift err_noshift err_nohg err_scaled err_shift_over_h2
 * err_noshift_over_h err_nohg_over_h err_scaled_over_h slope_shift slope_noshift
 * (local slopes log2(err(h)/err(h/2))), then `# summary` lines: orders 2 and 1, and P7's
 * limits |err|/h^2 -> about 121 and unshifted err/h -> 2.146 on case (ii), beta = 1/2,
 * T = 1/2, judged on the Richardson extrapolation (first order in h) of the finest pair. Exit status 0 when every verdict holds, 4 when one fails.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_drift.h"
#include "cor_objective.h"
#include "cor_sys.h"
#include "drift_util.h"

#define PAPER "PREDICTIONS P7; Ghosh et al. 2023 (heavy ball's implicit regulariser); Dherin & Rosca 2024"
#define MAXH 16

static const char usage[] =
    "Usage: exp_hbmod [--quick|--full] [-o DIR] [--prec BITS] [--beta B] [--T T]\n"
    "                 [--loss EXPR --vars x,y --theta0 POINT]\n"
    "\n"
    "Heavy ball (zero initial velocity) against its modified flow\n"
    "  theta' = -(1/(1-beta)) grad(L + h(1+beta)/(4(1-beta)^2)|grad L|^2)\n"
    "from the shifted start theta0 + h beta/(1-beta)^2 grad L(theta0) (error O(h^2)), from\n"
    "theta0 (O(h)), and against the scaled gradient flow (O(h)), at t = T over a sweep of h.\n"
    "Default: case (ii) 0.5(1-x)^2+5(y-x^2)^2 from (-1.2,1), beta = 1/2, T = 1/2 (P7).\n"
    "\n"
    "  --quick       h = 1/2000 .. 1/16000 (make check; default)\n"
    "  --full        h = 1/2000 .. 1/64000\n"
    "  -o DIR        directory of hbmod.tsv (default results)\n"
    "  --prec BITS   MPFR precision (default 160)\n"
    "  -h, --help    this text\n"
    "Exit status 0 when every verdict holds, 4 when one fails, 2 bad input, 1 I/O, 3 divergence.\n";

enum
{
    E_SHIFT,
    E_NOSHIFT,
    E_NOHG,
    E_SCALED,
    NE
};

int
main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quick", no_argument, NULL, 'q'}, {"full", no_argument, NULL, 'f'},
        {"prec", required_argument, NULL, 'p'}, {"beta", required_argument, NULL, 'b'},
        {"T", required_argument, NULL, 'T'}, {"loss", required_argument, NULL, 'l'},
        {"vars", required_argument, NULL, 'v'}, {"theta0", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *outdir = "results", *btext = "1/2", *Ttext = "1/2";
    const char *ltext = "0.5*(1-x)^2+5*(y-x^2)^2", *vtext = "x,y", *t0text = "-1.2,1";
    int full = 0, opt, defaults = 1;
    mpfr_prec_t prec = 160;
    long Ns[MAXH];
    size_t nh = 0;
    double err[MAXH][NE], hs[MAXH];
    char path[4096];
    dx_problem P;
    dx_table *tab;
    cor_vspace *V;
    cor_objective *obj;
    cor_node beta, Tn, scaled;
    mpfr_t T, d, *x, *fl;

    dx_init("exp_hbmod", argc, argv);
    while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1)
    {
        switch (opt)
        {
        case 'q': full = 0; break;
        case 'f': full = 1; break;
        case 'p': prec = dx_parse_prec(optarg, 64); break;
        case 'b': btext = optarg, defaults = 0; break;
        case 'T': Ttext = optarg, defaults = 0; break;
        case 'l': ltext = optarg, defaults = 0; break;
        case 'v': vtext = optarg; break;
        case 't': t0text = optarg, defaults = 0; break;
        case 'o': outdir = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: dx_die(2, "unknown option (see --help)");
        }
    }
    dx_no_operands(argc, argv);
    for (long N = 1000; N <= (full ? 32000 : 8000); N *= 2)
        Ns[nh++] = N;
    dx_problem_load(&P, "hb", ltext, vtext, t0text, prec);
    beta = dx_const(&P, btext, "--beta");
    Tn = dx_const(&P, Ttext, "--T");
    mpfr_inits2(prec, T, d, (mpfr_ptr)0);
    {
        mpq_t q;
        mpq_init(q);
        cor_expr_const_get(q, P.pool, Tn);
        if (mpq_sgn(q) <= 0)
            dx_die(2, "--T: must be positive");
        mpfr_set_q(T, q, MPFR_RNDN);
        cor_expr_const_get(q, P.pool, beta);
        if (mpq_sgn(q) < 0 || mpq_cmp_ui(q, 1, 1) >= 0)
            dx_die(2, "--beta: must be in [0, 1)");
        mpq_clear(q);
    }
    scaled = cor_expr_div(P.pool, P.loss, cor_expr_sub(P.pool, cor_expr_const_si(P.pool, 1), beta));
    x = cor_mallocarray(P.n, sizeof *x);
    fl = cor_mallocarray(P.n, sizeof *fl);
    if (!x || !fl)
        dx_die(1, "out of memory");
    for (size_t i = 0; i < P.n; i++)
        mpfr_init2(x[i], prec), mpfr_init2(fl[i], prec);
    V = cor_vspace_alloc_mpfr(P.n, prec);
    obj = V ? cor_expr_objective_alloc(P.pool, P.loss, P.n, P.vars, V, 0) : NULL;
    if (!obj)
        dx_die(1, "objective: %s", cor_last_error()->msg);

    snprintf(path, sizeof path, "%s/hbmod.tsv", outdir);
    tab = dx_table_open(path, "exp_hbmod", PAPER);
    {
        static const char *cols[] = {"h", "steps", "err_shift", "err_noshift", "err_nohg",
                                     "err_scaled", "err_shift_over_h2", "err_noshift_over_h",
                                     "err_nohg_over_h", "err_scaled_over_h", "slope_shift",
                                     "slope_noshift"};
        cor_table *t = dx_table_t(tab);
        dx_check(cor_table_meta(t, "loss", ltext));
        dx_check(cor_table_meta(t, "vars", vtext));
        dx_check(cor_table_meta(t, "theta0", t0text));
        dx_check(cor_table_meta(t, "beta", btext));
        dx_check(cor_table_meta(t, "t_final", Ttext));
        dx_check(cor_table_meta_printf(t, "prec", "%ld", (long)prec));
        dx_check(cor_table_meta(t, "mode", full ? "full" : "quick"));
        dx_check(cor_table_meta(t, "flows",
                                "shift: modified flow from theta0 + h beta/(1-beta)^2 g0; "
                                "noshift: from theta0; nohg: -g/(1-beta) from the shifted start; "
                                "scaled: -g/(1-beta) from theta0"));
        dx_check(cor_table_header(t, 12, cols));
    }
    for (size_t j = 0; j < nh; j++)
    {
        cor_node hnode = cor_expr_div(P.pool, Tn, cor_expr_const_si(P.pool, Ns[j]));
        const char *bp[1];
        char bparam[128];
        mpfr_t hm;
        mpq_t hq;
        cor_table *t = dx_table_t(tab);

        mpq_init(hq);
        cor_expr_const_get(hq, P.pool, hnode);
        mpfr_init2(hm, prec);
        mpfr_set_q(hm, hq, MPFR_RNDN);
        mpq_clear(hq);
        hs[j] = mpfr_get_d(hm, MPFR_RNDN);
        {
            /* beta as decimal text for the stepper: exact when beta is a decimal fraction */
            mpq_t bq;
            mpfr_t bm;
            mpq_init(bq);
            cor_expr_const_get(bq, P.pool, beta);
            mpfr_init2(bm, prec + 64);
            mpfr_set_q(bm, bq, MPFR_RNDN);
            mpfr_snprintf(bparam, sizeof bparam, "beta=%.60Rg", bm);
            mpfr_clear(bm);
            mpq_clear(bq);
        }
        bp[0] = bparam;
        dx_run_stepper(x, "heavyball", obj, V, (const mpfr_t *)P.theta0, hm, Ns[j], bp, 1);
        for (int e = 0; e < NE; e++)
        {
            cor_drift_opts o;
            cor_drift_flow *f;
            cor_drift_opts_init(&o);
            o.h = hnode;
            o.beta = beta;
            if (e == E_SHIFT || e == E_NOSHIFT)
            {
                o.no_shift = e == E_NOSHIFT;
                f = cor_drift_flow_alloc(COR_DRIFT_HB, P.pool, P.loss, P.n, P.vars, prec, &o);
            }
            else
                f = cor_drift_flow_alloc(COR_DRIFT_GF, P.pool, scaled, P.n, P.vars, prec, &o);
            if (!f)
                dx_die(1, "flow: %s", cor_last_error()->msg);
            if (e == E_NOHG)
            {
                /* the shifted start, from the HB flow's shift: theta0 + h beta/(1-beta)^2 g0 */
                cor_drift_flow *hbf;
                mpfr_t z[16];
                cor_drift_opts_init(&o);
                o.h = hnode, o.beta = beta;
                hbf = cor_drift_flow_alloc(COR_DRIFT_HB, P.pool, P.loss, P.n, P.vars, prec, &o);
                for (size_t i = 0; i < P.n; i++)
                    mpfr_init2(z[i], prec);
                /* solving the HB flow to time 0 returns its start point */
                {
                    mpfr_t zero;
                    mpfr_init2(zero, prec);
                    mpfr_set_zero(zero, 1);
                    if (!hbf || cor_drift_flow_solve(hbf, z, 1, (const mpfr_t *)&zero,
                                                     (const mpfr_t *)P.theta0) != COR_OK)
                        dx_die(1, "shift: %s", cor_last_error()->msg);
                    mpfr_clear(zero);
                }
                if (cor_drift_flow_solve(f, fl, 1, (const mpfr_t *)&T, (const mpfr_t *)z) != COR_OK)
                    dx_die(1, "flow: %s", cor_last_error()->msg);
                for (size_t i = 0; i < P.n; i++)
                    mpfr_clear(z[i]);
                cor_drift_flow_free(hbf);
            }
            else if (cor_drift_flow_solve(f, fl, 1, (const mpfr_t *)&T,
                                          (const mpfr_t *)(e == E_SCALED ? P.theta0 : P.theta0))
                     != COR_OK)
                dx_die(1, "flow: %s", cor_last_error()->msg);
            dx_dist(d, (const mpfr_t *)x, (const mpfr_t *)fl, P.n);
            err[j][e] = mpfr_get_d(d, MPFR_RNDN);
            cor_drift_flow_free(f);
        }
        dx_check(cor_table_cell_mpfr(t, hm));
        dx_check(cor_table_cell_si(t, Ns[j]));
        for (int e = 0; e < NE; e++)
            dx_check(cor_table_cell_d(t, err[j][e]));
        dx_check(cor_table_cell_d(t, err[j][E_SHIFT] / (hs[j] * hs[j])));
        for (int e = 1; e < NE; e++)
            dx_check(cor_table_cell_d(t, err[j][e] / hs[j]));
        for (int e = 0; e < 2; e++)
            dx_check(cor_table_cell_d(t, j ? log2(err[j - 1][e] / err[j][e]) / log2(hs[j - 1] / hs[j])
                                           : NAN));
        dx_check(cor_table_row_end(t));
        mpfr_clear(hm);
    }
    {
        size_t a = nh - 2, b = nh - 1;
        double s[NE], hbar = hs[b];
        char meas[256];
        for (int e = 0; e < NE; e++)
            s[e] = log2(err[a][e] / err[b][e]) / log2(hs[a] / hs[b]);
        snprintf(meas, sizeof meas, "%.3f (h=%.3g)", s[E_SHIFT], hbar);
        dx_summary(tab, "P7 heavy ball vs modified flow from the shifted start: order", "2",
                   meas, fabs(s[E_SHIFT] - 2) < 0.05);
        snprintf(meas, sizeof meas, "%.3f without shift, %.3f scaled GF from shifted start, "
                                    "%.3f scaled GF (h=%.3g)",
                 s[E_NOSHIFT], s[E_NOHG], s[E_SCALED], hbar);
        dx_summary(tab, "P7 without the shift, without the Hg term, or plain scaled GF: order",
                   "1, 1, 1", meas,
                   fabs(s[E_NOSHIFT] - 1) < 0.05 && fabs(s[E_NOHG] - 1) < 0.05
                       && fabs(s[E_SCALED] - 1) < 0.05);
        if (defaults && nh >= 3)
        {
            /* the ratios tend to their limits with an O(h) bias: Richardson's extrapolation of
             * the finest pair, r0 = (h_a r_b - h_b r_a)/(h_a - h_b), with the change from the
             * previous pair's extrapolation as its error estimate */
            double r[2][3], lim[2], est[2];
            for (int q = 0; q < 2; q++)
            {
                for (int j = 0; j < 3; j++)
                {
                    size_t jj = nh - 3 + (size_t)j;
                    r[q][j] = q == 0 ? err[jj][E_SHIFT] / (hs[jj] * hs[jj])
                                     : err[jj][E_NOSHIFT] / hs[jj];
                }
                lim[q] = (hs[a] * r[q][2] - hs[b] * r[q][1]) / (hs[a] - hs[b]);
                est[q] = fabs(lim[q] - (hs[a - 1] * r[q][1] - hs[a] * r[q][0]) / (hs[a - 1] - hs[a]));
            }
            snprintf(meas, sizeof meas, "%.5g at h=%.3g; extrapolated to h=0: %.5g +- %.2g",
                     r[0][2], hbar, lim[0], est[0]);
            dx_summary(tab, "P7 (ii) beta=1/2 T=1/2: |err_shift|/h^2 as h->0", "about 121",
                       meas, fabs(lim[0] - 121) < 0.01 * 121);
            snprintf(meas, sizeof meas, "%.5g at h=%.3g; extrapolated to h=0: %.5g +- %.2g",
                     r[1][2], hbar, lim[1], est[1]);
            dx_summary(tab, "P7 (ii) beta=1/2 T=1/2: |err_noshift|/h as h->0", "2.146", meas,
                       fabs(lim[1] - 2.146) <= 0.0005 + est[1]);
        }
    }
    for (size_t i = 0; i < P.n; i++)
        mpfr_clear(x[i]), mpfr_clear(fl[i]);
    cor_free(x);
    cor_free(fl);
    mpfr_clears(T, d, (mpfr_ptr)0);
    cor_objective_free(obj);
    cor_vspace_free(V);
    dx_problem_free(&P);
    return dx_table_close(tab) ? 4 : 0;
}
