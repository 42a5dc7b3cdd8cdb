/* exp_sgd.c -- one epoch of SGD against its modified flow (PREDICTIONS P9, App. A.3; Smith,
 * Dherin, Barrett & De 2021).
 *
 * m batch losses L_k with mean L; one epoch = m updates theta <- theta - h grad L_{b(s)}.
 * The modified loss L_SGD = L + (h/(4m)) sum_k |grad L_k|^2 = L + (h/4)|grad L|^2 +
 * (h/(4m)) sum_k |grad L_k - grad L|^2; its flow at T = m h (lib/drift, MPFR) is compared with:
 *   - E[theta_m], the exact mean over all m! batch orders (the library's sgd stepper in mode
 *     "all"): predicted O(h^3);
 *   - theta_m for the single order 1..m: only O(h^2);
 *   - and, for contrast, E[theta_m] against plain GF(m h): O(h^2).
 * Exact coefficients: E[theta_m] and theta_m(order) are analytic in h; their h-series come from
 * Taylor-mode AD in h (cor_drift_sgd_hseries), the flow's from its Lie series with a symbolic
 * h (cor_drift_flow_hseries); the differences' coefficients are recognised as rationals
 * (continued fractions, accepted only when they agree to prec - 40 bits).
 *
 * Tables (under -o DIR, default results/):
 *   sgd_coeffs.tsv      case (vi): coefficient j = 1..3 of E[theta_4] - flow and of
 *                       theta_4(1,2,3,4) - flow, per coordinate, as decimal and rational, with
 *                       P9's values; the iterates at h = 1/20 recognised as rationals and the
 *                       L_SGD flow there to 45 digits (case (vi)'s table)
 *   sgd_epoch.tsv       case (vi): h, the three distances, scaled by h^3 / h^2, local slopes;
 *                       then corridor rows: batches sharing one corridor (positive multiples of
 *                       one cone, linear pieces): max over all m! orders of |theta_m - GF(mh)|
 *                       (exact), and cones with different apexes (order-dependent spread)
 *   sgd_regulariser.tsv the two parts of the regulariser and their forces |grad r_full| =
 *                       (h/2)|H g| and |grad r_batch| along SGD trajectories in three settings:
 *                       batches sharing a corridor (both forces vanish), a full loss that is a
 *                       corridor with batches that are not (the full-batch force vanishes, the
 *                       per-batch one remains: App. A.3), and case (vi) (neither vanishes)
 * Each ends with `# summary` lines; exit 0 when all hold, 4 when one fails.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_diff.h"
#include "cor_drift.h"
#include "cor_eval.h"
#include "cor_objective.h"
#include "cor_sys.h"
#include "drift_util.h"

#define PAPER "PREDICTIONS P9; Smith, Dherin, Barrett & De 2021; Dherin & Rosca 2024 App. A.3"
#define K 3
#define MAXB 8

static const char usage[] =
    "Usage: exp_sgd [--quick|--full] [-o DIR] [--prec BITS]\n"
    "\n"
    "One SGD epoch against the SGD modified flow L + (h/(4m)) sum_k |grad L_k|^2 at T = m h:\n"
    "the mean over all batch orders agrees to O(h^3), one fixed order to O(h^2), batches in one\n"
    "shared corridor exactly; case (vi)'s h^2 and h^3 coefficients extracted as exact rationals;\n"
    "the full-batch and per-batch regularisers along trajectories inside and outside corridors.\n"
    "\n"
    "  --quick       h = 1/20 .. 1/5120 (make check; default)\n"
    "  --full        h = 1/20 .. 1/40960\n"
    "  -o DIR        directory of the tables (default results)\n"
    "  --prec BITS   MPFR precision (default 256)\n"
    "  -h, --help    this text\n"
    "Writes DIR/sgd_coeffs.tsv, DIR/sgd_epoch.tsv, DIR/sgd_regulariser.tsv. Exit status 0 when\n"
    "every verdict holds, 4 when one fails, 2 bad input, 1 I/O error, 3 divergence.\n";

/* case (vi) */
static const char *const vi_batches[4] = {"0.5*(x+2*y-1)^2", "0.5*(2*x-y)^2", "0.5*(x+y-2)^2",
                                          "0.5*(-x+3*y+1)^2"};

typedef struct
{
    dx_problem P;
    size_t m;
    cor_node b[MAXB];
    cor_vspace *V;
    cor_objective *obj;
} batched;

static void
batched_load(batched *B, const char *name, size_t m, const char *const *bt, const char *vars,
             const char *theta0, mpfr_prec_t prec)
{
    char mean[2048] = "(";

    for (size_t k = 0; k < m; k++)
    {
        strcat(mean, k ? "+(" : "(");
        strcat(mean, bt[k]);
        strcat(mean, ")");
    }
    snprintf(mean + strlen(mean), sizeof mean - strlen(mean), ")/%zu", m);
    dx_problem_load(&B->P, name, mean, vars, theta0, prec);
    B->m = m;
    for (size_t k = 0; k < m; k++)
    {
        size_t col = 0;
        if (cor_expr_parse(&B->b[k], &col, bt[k], COR_PARSE_KNOWN_VARS, B->P.pool) != COR_OK)
            dx_die(2, "batch %zu: %s", k + 1, cor_last_error()->msg);
    }
    B->V = cor_vspace_alloc_mpfr(B->P.n, prec);
    B->obj = B->V ? cor_expr_objective_alloc_batches(B->P.pool, COR_NODE_NONE, m, B->b, B->P.n,
                                                    B->P.vars, B->V, 0)
                  : NULL;
    if (!B->obj)
        dx_die(1, "%s: objective: %s", name, cor_last_error()->msg);
}

static void
batched_free(batched *B)
{
    cor_objective_free(B->obj);
    cor_vspace_free(B->V);
    dx_problem_free(&B->P);
}

/* one epoch (m steps) of SGD from theta0 with the given "mode=..."/"order=..." parameter */
static void
epoch(mpfr_t *out, batched *B, mpfr_srcptr h, const char *param)
{
    const char *pp[1] = {param};
    dx_run_stepper(out, "sgd", B->obj, B->V, (const mpfr_t *)B->P.theta0, h, (long)B->m, pp, 1);
}

/* the flow of kind k (GF or SGD) at t = m h from theta0 */
static void
flow_at(mpfr_t *out, batched *B, cor_drift_kind k, cor_node hnode, mpfr_srcptr h)
{
    cor_drift_opts o;
    cor_drift_flow *f;
    mpfr_t t;

    cor_drift_opts_init(&o);
    o.h = hnode;
    o.m = B->m;
    o.batches = B->b;
    f = cor_drift_flow_alloc(k, B->P.pool, B->P.loss, B->P.n, B->P.vars, B->P.prec, &o);
    mpfr_init2(t, B->P.prec);
    mpfr_mul_ui(t, h, (unsigned long)B->m, MPFR_RNDN);
    if (!f || cor_drift_flow_solve(f, out, 1, (const mpfr_t *)&t, (const mpfr_t *)B->P.theta0)
                  != COR_OK)
        dx_die(1, "%s: flow: %s", B->P.name, cor_last_error()->msg);
    mpfr_clear(t);
    cor_drift_flow_free(f);
}

static void
hval(mpfr_t hm, cor_node *hnode, batched *B, long den)
{
    mpq_t q;

    *hnode = cor_expr_const_frac(B->P.pool, 1, den);
    mpq_init(q);
    mpq_set_si(q, 1, (unsigned long)den);
    mpfr_set_q(hm, q, MPFR_RNDN);
    mpq_clear(q);
}

static mpfr_t *
vec_alloc(size_t n, mpfr_prec_t prec)
{
    mpfr_t *v = cor_mallocarray(n, sizeof *v);
    if (!v)
        dx_die(1, "out of memory");
    for (size_t i = 0; i < n; i++)
        mpfr_init2(v[i], prec);
    return v;
}

static void
vec_free(mpfr_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mpfr_clear(v[i]);
    cor_free(v);
}

/* ---- case (vi): exact coefficients and the h = 1/20 values -------------------------------- */

static void
coefficients(const char *outdir, mpfr_prec_t prec)
{
    batched B;
    dx_table *tab;
    char path[4096];
    cor_node hv, ls, f[2], mconst;
    mpfr_t *all, *fix, *fl, d;
    size_t ord[4] = {0, 1, 2, 3};
    /* P9's coefficients of the differences: [which][j][i], which 0 = mean, 1 = fixed */
    static const char *pred[2][K + 1][2] = {
        {{"0", "0"}, {"0", "0"}, {"0", "0"}, {"-215/4", "2179/12"}},
        {{"0", "0"}, {"0", "0"}, {"23/2", "-33/2"}, {NULL, NULL}},
    };
    int ok_all = 1, ok_fix = 1;
    char meas_all[512] = "", meas_fix[512] = "";

    batched_load(&B, "vi", 4, vi_batches, "x,y", "1/2,-1/2", prec);
    snprintf(path, sizeof path, "%s/sgd_coeffs.tsv", outdir);
    tab = dx_table_open(path, "exp_sgd: case (vi) coefficients", PAPER);
    {
        static const char *cols[] = {"quantity", "power", "coord", "value", "rational",
                                     "predicted", "verdict"};
        cor_table *t = dx_table_t(tab);
        for (int k = 0; k < 4; k++)
            dx_check(cor_table_meta_printf(t, "batch", "%d: %s", k + 1, vi_batches[k]));
        dx_check(cor_table_meta(t, "theta0", "1/2,-1/2"));
        dx_check(cor_table_meta_printf(t, "prec", "%ld", (long)prec));
        dx_check(cor_table_meta(t, "rational", "continued-fraction convergent with denominator "
                                               "<= 1e9 agreeing to prec-40 bits, else nan"));
        dx_check(cor_table_header(t, 7, cols));
    }
    all = vec_alloc(2 * (K + 1), prec);
    fix = vec_alloc(2 * (K + 1), prec);
    fl = vec_alloc(2 * (K + 1), prec);
    mpfr_init2(d, prec);
    hv = cor_expr_var(B.P.pool, "__drift_h");
    mconst = cor_expr_const_si(B.P.pool, 4);
    if (cor_drift_sgd_hseries(all, B.P.pool, 4, B.b, 2, B.P.vars, NULL, 0, K,
                              (const mpfr_t *)B.P.theta0, prec) != COR_OK
        || cor_drift_sgd_hseries(fix, B.P.pool, 4, B.b, 2, B.P.vars, ord, 4, K,
                                 (const mpfr_t *)B.P.theta0, prec) != COR_OK
        || cor_drift_sgd_loss(&ls, NULL, NULL, NULL, B.P.pool, 4, B.b, hv, 2, B.P.vars) != COR_OK
        || cor_diff_grad(f, B.P.pool, ls, 2, B.P.vars) != COR_OK)
        dx_die(1, "series: %s", cor_last_error()->msg);
    f[0] = cor_expr_neg(B.P.pool, f[0]);
    f[1] = cor_expr_neg(B.P.pool, f[1]);
    if (cor_drift_flow_hseries(fl, B.P.pool, 2, f, B.P.vars, hv, mconst, K,
                               (const mpfr_t *)B.P.theta0, prec) != COR_OK)
        dx_die(1, "flow series: %s", cor_last_error()->msg);
    for (int which = 0; which < 2; which++)
        for (int j = 1; j <= K; j++)
            for (int i = 0; i < 2; i++)
            {
                cor_table *t = dx_table_t(tab);
                mpq_t q, e;
                int rec, ok = 1;
                const char *p = pred[which][j][i];
                char rtext[256] = "nan";
                mpfr_sub(d, (which ? fix : all)[j * 2 + i], fl[j * 2 + i], MPFR_RNDN);
                mpq_inits(q, e, NULL);
                rec = cor_drift_recognize_q(q, d, 1000000000UL, prec - 40);
                if (rec)
                    gmp_snprintf(rtext, sizeof rtext, "%Qd", q);
                if (p)
                {
                    mpq_set_str(e, p, 10);
                    mpq_canonicalize(e);
                    ok = rec && mpq_equal(q, e);
                    if (which == 0)
                        ok_all &= ok;
                    else
                        ok_fix &= ok;
                    if ((which == 0 && j >= 2) || (which == 1 && j == 2))
                    {
                        char *m = which ? meas_fix : meas_all;
                        if (i == 0)
                            snprintf(m + strlen(m), 512 - strlen(m), "%sh^%d: (%s",
                                     strlen(m) ? "; " : "", j, rtext);
                        else
                            snprintf(m + strlen(m), 512 - strlen(m), ", %s)", rtext);
                    }
                }
                dx_check(cor_table_cell_str(t, which ? "theta4_order1234_minus_flow"
                                                     : "mean_theta4_minus_flow"));
                dx_check(cor_table_cell_si(t, j));
                dx_check(cor_table_cell_si(t, i + 1));
                dx_check(cor_table_cell_mpfr(t, d));
                dx_check(cor_table_cell_str(t, rtext));
                dx_check(cor_table_cell_str(t, p ? p : "nan"));
                dx_check(cor_table_cell_str(t, p ? (ok ? "holds" : "fails") : "nan"));
                dx_check(cor_table_row_end(t));
                mpq_clears(q, e, NULL);
            }
    dx_summary(tab, "P9 case (vi): E[theta_4] - L_SGD flow, h^2 and h^3 coefficients (exact)",
               "h^2: (0, 0); h^3: (-215/4, 2179/12)", meas_all, ok_all);
    dx_summary(tab, "P9 case (vi): fixed order (1,2,3,4) - L_SGD flow, h^2 coefficient (exact)",
               "(23/2, -33/2)", meas_fix, ok_fix);
    /* the h = 1/20 values of case (vi) */
    {
        mpfr_t hm, *x = vec_alloc(2, prec);
        cor_node hnode;
        static const char *exp_fix[2] = {"2057/4000", "-691/4000"};
        static const char *exp_all[2] = {"14921/30720", "-19627/153600"};
        static const char *exp_fl[2] = {"0.48971594488758848124198526480021067386264181046342",
                                        "-0.14055449763442908205712149635099014158838148062265"};
        char meas[1024] = "";
        int ok = 1;
        mpfr_init2(hm, prec);
        hval(hm, &hnode, &B, 20);
        for (int w = 0; w < 3; w++)
        {
            if (w == 0)
                epoch(x, &B, hm, "order=1,2,3,4");
            else if (w == 1)
                epoch(x, &B, hm, "mode=all");
            else
                flow_at(x, &B, COR_DRIFT_SGD, hnode, hm);
            for (int i = 0; i < 2; i++)
            {
                mpq_t q, e;
                char txt[256];
                mpq_inits(q, e, NULL);
                if (w < 2)
                {
                    mpq_set_str(e, w ? exp_all[i] : exp_fix[i], 10);
                    mpq_canonicalize(e);
                    ok &= cor_drift_recognize_q(q, x[i], 1000000000UL, prec - 40)
                          && mpq_equal(q, e);
                    gmp_snprintf(txt, sizeof txt, "%Qd", q);
                }
                else
                {
                    mpfr_t r;
                    mpfr_init2(r, prec);
                    mpfr_set_str(r, exp_fl[i], 10, MPFR_RNDN);
                    mpfr_sub(r, r, x[i], MPFR_RNDN);
                    ok &= mpfr_cmpabs(r, x[i]) < 0 && mpfr_get_exp(r) - mpfr_get_exp(x[i]) < -150;
                    snprintf(txt, sizeof txt, "%s", dx_fmt(x[i], 50));
                    mpfr_clear(r);
                }
                snprintf(meas + strlen(meas), sizeof meas - strlen(meas), "%s%s",
                         i == 0 ? (w == 0 ? "fixed (" : w == 1 ? "; mean (" : "; flow (") : ", ",
                         txt);
                if (i == 1)
                    strcat(meas, ")");
                mpq_clears(q, e, NULL);
            }
        }
        dx_summary(tab, "case (vi) h=1/20: fixed order, mean of 24 orders (exact), L_SGD flow (45 digits)",
                   "fixed (2057/4000, -691/4000); mean (14921/30720, -19627/153600); flow "
                   "(0.489715944887588481241985264800210673862641810, "
                   "-0.140554497634429082057121496350991581588381480)",
                   meas, ok);
        vec_free(x, 2);
        mpfr_clear(hm);
    }
    vec_free(all, 2 * (K + 1));
    vec_free(fix, 2 * (K + 1));
    vec_free(fl, 2 * (K + 1));
    mpfr_clear(d);
    batched_free(&B);
    if (dx_table_close(tab))
        exit(4);
}

/* ---- the epoch sweep and the corridor rows --------------------------------------------------- */

static int
epochs(const char *outdir, mpfr_prec_t prec, int full)
{
    batched B;
    dx_table *tab;
    char path[4096];
    long dens[16];
    size_t nh = 0;
    double err[16][3], hs[16];
    mpfr_t *mean, *fixd, *fsgd, *fgf, d;
    int fails;

    for (long den = 20; den <= (full ? 40960 : 5120); den *= 2)
        dens[nh++] = den;
    batched_load(&B, "vi", 4, vi_batches, "x,y", "1/2,-1/2", prec);
    snprintf(path, sizeof path, "%s/sgd_epoch.tsv", outdir);
    tab = dx_table_open(path, "exp_sgd: one epoch vs flows", PAPER);
    {
        static const char *cols[] = {"setting", "h", "dist_mean_sgdmod", "dist_fixed_sgdmod",
                                     "dist_mean_gf", "mean_sgdmod_over_h3",
                                     "fixed_sgdmod_over_h2", "mean_gf_over_h2",
                                     "slope_mean_sgdmod", "slope_fixed_sgdmod", "slope_mean_gf"};
        cor_table *t = dx_table_t(tab);
        dx_check(cor_table_meta(t, "setting_vi", "case (vi): 4 least-squares batches, theta0 = "
                                                 "(1/2,-1/2); fixed order 1,2,3,4"));
        dx_check(cor_table_meta(t, "setting_cone",
                                "shared corridor: w_k |theta| with w = 1, 2, 3, 1/2 from (3,4); "
                                "dist_mean_sgdmod = max over the 24 orders of |theta_4 - "
                                "L_SGD flow(4h)|, dist_mean_gf = the same against GF(4h)"));
        dx_check(cor_table_meta(t, "setting_linear",
                                "shared corridor: linear batches, as setting_cone"));
        dx_check(cor_table_meta(t, "setting_apexes",
                                "cones |theta - c_k| with different apexes: dist_fixed_sgdmod = "
                                "spread max-min over orders of theta_4 (order dependence)"));
        dx_check(cor_table_meta_printf(t, "prec", "%ld", (long)prec));
        dx_check(cor_table_meta(t, "mode", full ? "full" : "quick"));
        dx_check(cor_table_header(t, 11, cols));
    }
    mean = vec_alloc(2, prec), fixd = vec_alloc(2, prec), fsgd = vec_alloc(2, prec);
    fgf = vec_alloc(2, prec);
    mpfr_init2(d, prec);
    for (size_t j = 0; j < nh; j++)
    {
        cor_table *t = dx_table_t(tab);
        cor_node hnode;
        mpfr_t hm;
        mpfr_init2(hm, prec);
        hval(hm, &hnode, &B, dens[j]);
        hs[j] = 1.0 / (double)dens[j];
        epoch(mean, &B, hm, "mode=all");
        epoch(fixd, &B, hm, "order=1,2,3,4");
        flow_at(fsgd, &B, COR_DRIFT_SGD, hnode, hm);
        flow_at(fgf, &B, COR_DRIFT_GF, hnode, hm);
        dx_dist(d, (const mpfr_t *)mean, (const mpfr_t *)fsgd, 2);
        err[j][0] = mpfr_get_d(d, MPFR_RNDN);
        dx_dist(d, (const mpfr_t *)fixd, (const mpfr_t *)fsgd, 2);
        err[j][1] = mpfr_get_d(d, MPFR_RNDN);
        dx_dist(d, (const mpfr_t *)mean, (const mpfr_t *)fgf, 2);
        err[j][2] = mpfr_get_d(d, MPFR_RNDN);
        dx_check(cor_table_cell_str(t, "vi"));
        dx_check(cor_table_cell_mpfr(t, hm));
        for (int k = 0; k < 3; k++)
            dx_check(cor_table_cell_d(t, err[j][k]));
        dx_check(cor_table_cell_d(t, err[j][0] / pow(hs[j], 3)));
        dx_check(cor_table_cell_d(t, err[j][1] / pow(hs[j], 2)));
        dx_check(cor_table_cell_d(t, err[j][2] / pow(hs[j], 2)));
        for (int k = 0; k < 3; k++)
            dx_check(cor_table_cell_d(t, j ? log2(err[j - 1][k] / err[j][k]) : NAN));
        dx_check(cor_table_row_end(t));
        mpfr_clear(hm);
    }
    {
        double s[3];
        char meas[256];
        for (int k = 0; k < 3; k++)
            s[k] = log2(err[nh - 2][k] / err[nh - 1][k]);
        snprintf(meas, sizeof meas, "%.3f (h=%.3g)", s[0], hs[nh - 1]);
        dx_summary(tab, "P9 case (vi): order of |E[theta_m] - L_SGD flow(mh)|", "3", meas,
                   fabs(s[0] - 3) < 0.05);
        snprintf(meas, sizeof meas, "%.3f fixed order vs L_SGD flow, %.3f mean vs GF (h=%.3g)",
                 s[1], s[2], hs[nh - 1]);
        dx_summary(tab, "P9 case (vi): order of a fixed order vs L_SGD flow, and of the mean vs GF",
                   "2, 2", meas, fabs(s[1] - 2) < 0.05 && fabs(s[2] - 2) < 0.05);
    }
    vec_free(mean, 2), vec_free(fixd, 2), vec_free(fsgd, 2), vec_free(fgf, 2);
    mpfr_clear(d);
    batched_free(&B);

    /* corridors: every order exact (shared corridor), order-dependent (different apexes) */
    {
        static const char *cone[4] = {"sqrt(x^2+y^2)", "2*sqrt(x^2+y^2)", "3*sqrt(x^2+y^2)",
                                      "0.5*sqrt(x^2+y^2)"};
        static const char *lin[4] = {"2*x-y+1", "x+3*y", "-x+0.5*y-2", "4*x"};
        static const char *apex[4] = {"sqrt((x-1)^2+y^2)", "sqrt(x^2+(y-1)^2)",
                                      "sqrt((x+1)^2+y^2)", "sqrt(x^2+(y+1)^2)"};
        const char *const *sets[3] = {cone, lin, apex};
        static const char *names[3] = {"cone", "linear", "apexes"};
        double worst[3] = {0, 0, 0}, spread = 0;
        for (int s = 0; s < 3; s++)
        {
            cor_table *t = dx_table_t(tab);
            cor_node hnode;
            mpfr_t hm, *x, *fs, *fg, *lo, *hi, dm;
            double dsg = 0, dgf = 0;
            size_t perm[4] = {0, 1, 2, 3};
            batched C;
            batched_load(&C, names[s], 4, sets[s], "x,y", "3,4", prec);
            x = vec_alloc(2, prec), fs = vec_alloc(2, prec), fg = vec_alloc(2, prec);
            lo = vec_alloc(2, prec), hi = vec_alloc(2, prec);
            mpfr_inits2(prec, hm, dm, (mpfr_ptr)0);
            hval(hm, &hnode, &C, 10);
            if (s < 2)
            {
                flow_at(fs, &C, COR_DRIFT_SGD, hnode, hm);
                flow_at(fg, &C, COR_DRIFT_GF, hnode, hm);
            }
            for (int first = 1;; first = 0)
            {
                char param[64];
                snprintf(param, sizeof param, "order=%zu,%zu,%zu,%zu", perm[0] + 1, perm[1] + 1,
                         perm[2] + 1, perm[3] + 1);
                epoch(x, &C, hm, param);
                if (s < 2)
                {
                    dx_dist(dm, (const mpfr_t *)x, (const mpfr_t *)fs, 2);
                    dsg = fmax(dsg, mpfr_get_d(dm, MPFR_RNDN));
                    dx_dist(dm, (const mpfr_t *)x, (const mpfr_t *)fg, 2);
                    dgf = fmax(dgf, mpfr_get_d(dm, MPFR_RNDN));
                }
                for (int i = 0; i < 2; i++)
                {
                    if (first || mpfr_less_p(x[i], lo[i]))
                        mpfr_set(lo[i], x[i], MPFR_RNDN);
                    if (first || mpfr_greater_p(x[i], hi[i]))
                        mpfr_set(hi[i], x[i], MPFR_RNDN);
                }
                /* next permutation */
                {
                    int i = 2, k;
                    size_t tmp;
                    while (i >= 0 && perm[i] >= perm[i + 1])
                        i--;
                    if (i < 0)
                        break;
                    k = 3;
                    while (perm[k] <= perm[i])
                        k--;
                    tmp = perm[i], perm[i] = perm[k], perm[k] = tmp;
                    for (int l = i + 1, r = 3; l < r; l++, r--)
                        tmp = perm[l], perm[l] = perm[r], perm[r] = tmp;
                }
            }
            dx_dist(dm, (const mpfr_t *)hi, (const mpfr_t *)lo, 2);
            if (s == 2)
                spread = mpfr_get_d(dm, MPFR_RNDN);
            else
                worst[s] = fmax(dsg, dgf);
            dx_check(cor_table_cell_str(t, names[s]));
            dx_check(cor_table_cell_mpfr(t, hm));
            dx_check(cor_table_cell_d(t, s < 2 ? dsg : NAN));
            dx_check(cor_table_cell_d(t, s < 2 ? NAN : spread));
            dx_check(cor_table_cell_d(t, s < 2 ? dgf : NAN));
            for (int k = 0; k < 6; k++)
                dx_check(cor_table_cell_missing(t));
            dx_check(cor_table_row_end(t));
            vec_free(x, 2), vec_free(fs, 2), vec_free(fg, 2), vec_free(lo, 2), vec_free(hi, 2);
            mpfr_clears(hm, dm, (mpfr_ptr)0);
            batched_free(&C);
        }
        {
            char meas[256];
            double tol = ldexp(1.0, 20 - (int)prec);
            snprintf(meas, sizeof meas, "max over 24 orders: %.2g (cone), %.2g (linear)",
                     worst[0], worst[1]);
            dx_summary(tab, "P9 shared corridor (cone multiples, linear pieces): every order = GF = "
                            "L_SGD flow at T=mh",
                       "0 (rounding)", meas, worst[0] < tol && worst[1] < tol);
            snprintf(meas, sizeof meas, "spread of theta_4 over orders %.3g", spread);
            dx_summary(tab, "P9 cones with different apexes: order-dependent", "spread > 0", meas,
                       spread > 1e-6);
        }
    }
    fails = dx_table_close(tab);
    return fails;
}

/* ---- the regulariser along trajectories ------------------------------------------------------ */

static int
regulariser(const char *outdir, mpfr_prec_t prec)
{
    static const char *shared[2] = {"sqrt(x^2+y^2)", "3*sqrt(x^2+y^2)"};
    static const char *fullonly[2] = {"sqrt(x^2+y^2)+0.5*(x^2+3*y^2)",
                                      "sqrt(x^2+y^2)-0.5*(x^2+3*y^2)"};
    const char *const *sets[3] = {shared, fullonly, vi_batches};
    static const size_t ms[3] = {2, 2, 4};
    static const char *names[3] = {"shared_corridor", "full_loss_corridor", "vi"};
    static const char *starts[3] = {"3,4", "3,4", "1/2,-1/2"};
    dx_table *tab;
    char path[4096];
    double fmaxv[3][2], fminv[3][2];
    int fails;

    snprintf(path, sizeof path, "%s/sgd_regulariser.tsv", outdir);
    tab = dx_table_open(path, "exp_sgd: regulariser along SGD trajectories", PAPER);
    {
        static const char *cols[] = {"setting", "k", "loss", "r_full", "r_batch", "force_full",
                                     "force_batch"};
        cor_table *t = dx_table_t(tab);
        dx_check(cor_table_meta(t, "shared_corridor", "batches |theta|, 3|theta| from (3,4)"));
        dx_check(cor_table_meta(t, "full_loss_corridor",
                                "batches |theta| +- 0.5(x^2+3y^2) from (3,4): L = |theta| is a "
                                "corridor, the batches are not"));
        dx_check(cor_table_meta(t, "vi", "case (vi)"));
        dx_check(cor_table_meta(t, "columns",
                                "r_full = (h/4)|grad L|^2, r_batch = (h/(4m)) sum_k |grad L_k - "
                                "grad L|^2, force_* = |grad r_*| (force_full = (h/2)|H grad L|); "
                                "iterates of SGD, order 1..m repeated, h = 1/20, 3 epochs"));
        dx_check(cor_table_meta_printf(t, "prec", "%ld", (long)prec));
        dx_check(cor_table_header(t, 7, cols));
    }
    for (int s = 0; s < 3; s++)
    {
        batched B;
        cor_node hnode, ls, full, per, outs[7];
        cor_tape *tape;
        cor_eval_mpfr *ev;
        mpfr_t hm, o[7], *x, fsq[2];
        size_t n;

        batched_load(&B, names[s], ms[s], sets[s], "x,y", starts[s], prec);
        n = B.P.n;
        mpfr_init2(hm, prec);
        hval(hm, &hnode, &B, 20);
        if (cor_drift_sgd_loss(&ls, NULL, &full, &per, B.P.pool, B.m, B.b, hnode, n, B.P.vars)
                != COR_OK
            || cor_diff_grad(outs + 3, B.P.pool, full, n, B.P.vars) != COR_OK
            || cor_diff_grad(outs + 5, B.P.pool, per, n, B.P.vars) != COR_OK)
            dx_die(1, "regulariser: %s", cor_last_error()->msg);
        outs[0] = B.P.loss, outs[1] = full, outs[2] = per;
        tape = cor_tape_alloc(B.P.pool, n, B.P.vars, 7, outs);
        ev = tape ? cor_eval_mpfr_alloc(tape, prec) : NULL;
        if (!ev)
            dx_die(1, "regulariser tape: %s", cor_last_error()->msg);
        for (int i = 0; i < 7; i++)
            mpfr_init2(o[i], prec);
        mpfr_inits2(prec, fsq[0], fsq[1], (mpfr_ptr)0);
        x = vec_alloc(n, prec);
        for (size_t i = 0; i < n; i++)
            mpfr_set(x[i], B.P.theta0[i], MPFR_RNDN);
        fmaxv[s][0] = fmaxv[s][1] = 0;
        fminv[s][0] = fminv[s][1] = INFINITY;
        for (long k = 0; k <= 3 * (long)B.m; k++)
        {
            cor_table *t = dx_table_t(tab);
            double fv[2];
            if (k > 0)
            {
                /* one SGD step with batch (k-1) mod m, by the library's stepper */
                char param[32];
                const char *pp[1] = {param};
                snprintf(param, sizeof param, "order=%ld", (k - 1) % (long)B.m + 1);
                dx_run_stepper(x, "sgd", B.obj, B.V, (const mpfr_t *)x, hm, 1, pp, 1);
            }
            if (cor_eval_mpfr_run(ev, o, (const mpfr_t *)x) != COR_OK)
                dx_die(1, "regulariser: not finite");
            for (int q = 0; q < 2; q++)
            {
                mpfr_hypot(fsq[q], o[3 + 2 * q], o[4 + 2 * q], MPFR_RNDN);
                fv[q] = mpfr_get_d(fsq[q], MPFR_RNDN);
                fmaxv[s][q] = fmax(fmaxv[s][q], fv[q]);
                fminv[s][q] = fmin(fminv[s][q], fv[q]);
            }
            dx_check(cor_table_cell_str(t, names[s]));
            dx_check(cor_table_cell_si(t, k));
            for (int i = 0; i < 3; i++)
                dx_check(cor_table_cell_mpfr(t, o[i]));
            dx_check(cor_table_cell_mpfr(t, fsq[0]));
            dx_check(cor_table_cell_mpfr(t, fsq[1]));
            dx_check(cor_table_row_end(t));
        }
        vec_free(x, n);
        for (int i = 0; i < 7; i++)
            mpfr_clear(o[i]);
        mpfr_clears(hm, fsq[0], fsq[1], (mpfr_ptr)0);
        cor_eval_mpfr_free(ev);
        cor_tape_free(tape);
        batched_free(&B);
    }
    {
        double tol = ldexp(1.0, 20 - (int)prec);
        char meas[256];
        snprintf(meas, sizeof meas, "max force_full %.2g, max force_batch %.2g", fmaxv[0][0],
                 fmaxv[0][1]);
        dx_summary(tab, "App. A.3 shared corridor: both regulariser forces vanish", "0, 0", meas,
                   fmaxv[0][0] < tol && fmaxv[0][1] < tol);
        snprintf(meas, sizeof meas, "max force_full %.2g, min force_batch %.3g", fmaxv[1][0],
                 fminv[1][1]);
        dx_summary(tab, "App. A.3 full loss a corridor, batches not: full-batch force vanishes, "
                        "per-batch force remains",
                   "0, > 0", meas, fmaxv[1][0] < tol && fminv[1][1] > 1e-6);
        snprintf(meas, sizeof meas, "min force_full %.3g, min force_batch %.3g", fminv[2][0],
                 fminv[2][1]);
        dx_summary(tab, "App. A.3 case (vi), no corridor: both forces present", "> 0, > 0", meas,
                   fminv[2][0] > 1e-6 && fminv[2][1] > 1e-6);
    }
    fails = dx_table_close(tab);
    return fails;
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quick", no_argument, NULL, 'q'}, {"full", no_argument, NULL, 'f'},
        {"prec", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *outdir = "results";
    mpfr_prec_t prec = 256;
    int full = 0, opt, fails = 0;

    dx_init("exp_sgd", argc, argv);
    while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1)
    {
        switch (opt)
        {
        case 'q': full = 0; break;
        case 'f': full = 1; break;
        case 'p': prec = dx_parse_prec(optarg, 128); break;
        case 'o': outdir = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: dx_die(2, "unknown option (see --help)");
        }
    }
    dx_no_operands(argc, argv);
    coefficients(outdir, prec);
    fails += epochs(outdir, prec, full);
    fails += regulariser(outdir, prec);
    return fails ? 4 : 0;
}
