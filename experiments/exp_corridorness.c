/* exp_corridorness.c -- how far from a corridor an optimizer's path runs: |H grad L| and
 * |H grad L| / |grad L|^2 along GD, heavy-ball, CLR and SGD paths (the small-scale analogue
 * of Figure 7 of Dherin & Rosca 2024, which tracks this along CLR training of a ResNet-18).
 *
 * Three losses in (x, y), each the mean of 4 batch losses (for SGD), start (3, -1):
 *   corridor       L_k = w_k sqrt(x^2 + y^2), w = (1/2, 1, 3/2, 1): cones with one apex, so
 *                  every batch and the full loss |theta| are corridors (H g = 0 off the
 *                  apex, P1, P9);
 *   near_corridor  L_k = w_k sqrt(x^2 + y^2 + 1/100): a cone smoothed at scale 0.1 (H g = 0
 *                  only asymptotically, |H g| = eps^2 r/(r^2 + eps^2)^2 for w = 1);
 *   non_corridor   case (vi)'s least squares L_a = 1/2 (x_a . theta - y_a)^2 (a quadratic).
 * Methods (library steppers, MPFR at --prec bits): gd (h = 0.05), heavyball (beta = 0.9,
 * h = 0.01), clr (L* = 0, 1/10 and the least-squares minimum respectively), sgd (h = 0.05,
 * batches in the fixed order 1,2,3,4). At every iterate the full loss, |g|, |H g| (exact,
 * from the H grad L tape), ratio = |Hg|/|g|^2 and clr_ratio = L |Hg| / |g|^3 (the relative
 * change of the gradient over one CLR step L/|g|^2) are recorded. A run stops early when the
 * stepper reports an outcome (CLR lands exactly on the cone's apex, where L is not
 * differentiable).
 *
 * Table corridorness.tsv under --outdir, with `# summary` lines; figure
 * experiments/figures/fig_corridorness.gp.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_expr.h"
#include "cor_objective.h"
#include "cor_spectral.h"
#include "cor_step.h"
#include "cor_sys.h"
#include "cor_vspace.h"
#include "spectral_util.h"

#define PROG "exp_corridorness"
#define PAPER "Dherin & Rosca 2024 (arXiv 2402.08818), Thm 2.11 and Figure 7; PREDICTIONS.md P1"

typedef struct
{
    const char *name;
    const char *batches[4];
    const char *lstar;
} loss_def;

static const loss_def LOSSES[3] = {
    {"corridor",
     {"0.5*sqrt(x^2+y^2)", "sqrt(x^2+y^2)", "1.5*sqrt(x^2+y^2)", "sqrt(x^2+y^2)"},
     "0"},
    {"near_corridor",
     {"0.5*sqrt(x^2+y^2+0.01)", "sqrt(x^2+y^2+0.01)", "1.5*sqrt(x^2+y^2+0.01)",
      "sqrt(x^2+y^2+0.01)"},
     "0.1"},
    {"non_corridor",
     {"0.5*(x+2*y-1)^2", "0.5*(2*x-y)^2", "0.5*(x+y-2)^2", "0.5*(-x+3*y+1)^2"},
     NULL /* the least-squares minimum, computed below */},
};

typedef struct
{
    const char *name, *lr;
    const char *p1, *v1, *p2, *v2;
} method_def;

static const method_def METHODS[4] = {
    {"gd", "0.05", NULL, NULL, NULL, NULL},
    {"heavyball", "0.01", "beta", "0.9", NULL, NULL},
    {"clr", NULL, "lstar", NULL, NULL, NULL},
    {"sgd", "0.05", "order", "1,2,3,4", NULL, NULL},
};

/* minimum of the case (vi) least squares: normal equations, as exact decimal text of the
 * double (an L* within 1e-16 of the true one). */
static void
lsq_min(char *buf, size_t len)
{
    static const double X[4][2] = {{1, 2}, {2, -1}, {1, 1}, {-1, 3}}, Y[4] = {1, 0, 2, -1};
    double A[2][2] = {{0, 0}, {0, 0}}, b[2] = {0, 0}, th[2], det, L = 0;

    for (int a = 0; a < 4; a++)
        for (int i = 0; i < 2; i++)
        {
            b[i] += X[a][i] * Y[a];
            for (int j = 0; j < 2; j++)
                A[i][j] += X[a][i] * X[a][j];
        }
    det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
    th[0] = (A[1][1] * b[0] - A[0][1] * b[1]) / det;
    th[1] = (A[0][0] * b[1] - A[1][0] * b[0]) / det;
    for (int a = 0; a < 4; a++)
    {
        double r = X[a][0] * th[0] + X[a][1] * th[1] - Y[a];
        L += 0.125 * r * r; /* mean over 4 batches of r^2/2 */
    }
    snprintf(buf, len, "%.17g", L);
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {{"outdir", required_argument, NULL, 'o'},
                                       {"prec", required_argument, NULL, 'p'},
                                       {"steps", required_argument, NULL, 's'},
                                       {"quick", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    static const char *const cols[] = {"loss", "method", "k", "loss_value", "grad_norm",
                                       "hg_norm", "ratio", "clr_ratio", "h_norm", "kappa",
                                       "kappa_predicted", "x", "y"};
    const char *outdir = "results";
    mpfr_prec_t prec = 128;
    long steps = 100;
    int quick = 0, c, fails = 0;
    char lsq_star[64], s[768];
    double corr_max = 0, near_dev = 0, non_min = INFINITY, non_bound = NAN;
    long corr_n = 0, near_n = 0, non_n = 0;
    xt tab;

    cor_error_set_progname(PROG);
    cor_set_error_handler(cor_error_print_handler);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1)
    {
        char *end;
        long v;
        switch (c)
        {
        case 'o':
            outdir = optarg;
            break;
        case 'p':
        case 's':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || *end || v < (c == 'p' ? 64 : 1) || v > 100000)
            {
                fprintf(stderr, PROG ": --%s needs an integer in [%d, 100000], got '%s'\n",
                        c == 'p' ? "prec" : "steps", c == 'p' ? 64 : 1, optarg);
                return 2;
            }
            if (c == 'p')
                prec = v;
            else
                steps = v;
            break;
        case 'q':
            quick = 1;
            break;
        case 'h':
            printf("Usage: " PROG " [-o DIR] [--prec BITS] [--steps N] [--quick]\n"
                   "|H grad L| and |H grad L|/|grad L|^2 along gd, heavyball, clr and sgd paths on a\n"
                   "corridor, a near-corridor and a non-corridor loss (%s).\n"
                   "Writes DIR/corridorness.tsv (default DIR results) with `# summary` lines.\n"
                   "\n"
                   "  -o, --outdir DIR  output directory\n"
                   "  --prec BITS       MPFR precision (default 128)\n"
                   "  --steps N         steps per run (default 100)\n"
                   "  --quick           30 steps (used by make check)\n"
                   "  -h, --help        this text\n"
                   "Exit status: 0 every verdict holds, 1 a verdict fails or I/O error, 2 bad "
                   "usage.\n",
                   PAPER);
            return 0;
        default:
            return xt_bad_option(PROG, c, argv);
        }
    }
    if (xt_no_operands(PROG, argc, argv))
        return 2;
    if (quick)
        steps = 30;
    lsq_min(lsq_star, sizeof lsq_star);
    if (xt_open(&tab, outdir, PROG, "corridorness", PAPER,
                "|Hg| and |Hg|/|g|^2 along optimizer paths on corridor, near-corridor and "
                "non-corridor losses (start (3,-1))",
                argc, argv))
        return 1;
    T_(cor_table_meta_printf(tab.t, "prec", "%ld", (long)prec));
    T_(cor_table_meta_printf(tab.t, "steps", "%ld", steps));
    T_(cor_table_meta(tab.t, "methods", "gd h=0.05; heavyball beta=0.9 h=0.01; clr with L* = "
                      "0 (corridor), 0.1 (near), the least-squares minimum (non); sgd h=0.05 "
                      "order 1,2,3,4"));
    T_(cor_table_meta_printf(tab.t, "lstar_non_corridor", "%s", lsq_star));
    for (int l = 0; l < 3; l++)
        T_(cor_table_meta_printf(tab.t, LOSSES[l].name, "batches %s | %s | %s | %s (full "
                                 "loss = their mean)", LOSSES[l].batches[0],
                                 LOSSES[l].batches[1], LOSSES[l].batches[2],
                                 LOSSES[l].batches[3]));
    T_(cor_table_meta(tab.t, "kappa", "|Hg| / (|H| |g|), |H| = max |eigenvalue| of the Hessian (Lanczos): 0 in a corridor, 1 when g is a top eigenvector"));
    T_(cor_table_meta(tab.t, "stop", "a run stops early when L - L* <= 2^(-prec/2) (L0 - L*) (converged to rounding) or the loss is not differentiable"));
    T_(cor_table_header(tab.t, 13, cols));

    for (int l = 0; l < 3; l++)
    {
        cor_expr_pool *P = cor_expr_pool_alloc();
        cor_node vars[2], b[4];
        cor_vspace *V = cor_vspace_alloc_mpfr(2, prec);
        cor_objective *obj;
        cor_vec *x = cor_vec_alloc(V), *g = cor_vec_alloc(V), *hg = cor_vec_alloc(V);
        cor_scalar *h = cor_scalar_alloc(V), *L = cor_scalar_alloc(V);
        cor_scalar *gn = cor_scalar_alloc(V), *hn = cor_scalar_alloc(V);
        cor_scalar *lam = cor_scalar_alloc(V), *L0 = cor_scalar_alloc(V);
        cor_scalar *Ls = cor_scalar_alloc(V), *tol = cor_scalar_alloc(V);
        cor_spectral *sp = cor_spectral_alloc(V, 0);
        mpfr_t t, kap;

        CHK(P && V && x && g && hg && h && L && gn && hn && lam && L0 && Ls && tol && sp);
        mpfr_inits2(prec, t, kap, (mpfr_ptr)0);
        vars[0] = cor_expr_var(P, "x");
        vars[1] = cor_expr_var(P, "y");
        for (int k = 0; k < 4; k++)
            T_(cor_expr_parse(&b[k], NULL, LOSSES[l].batches[k], COR_PARSE_KNOWN_VARS, P));
        obj = cor_expr_objective_alloc_batches(P, COR_NODE_NONE, 4, b, 2, vars, V,
                                               COR_OBJ_WANT_HG | COR_OBJ_WANT_HVP);
        CHK(obj);
        for (int m = 0; m < 4; m++)
        {
            const method_def *md = &METHODS[m];
            const cor_step_type *T = cor_step_type_lookup(md->name);
            cor_step *st;

            CHK(T);
            st = cor_step_alloc(T, V);
            CHK(st);
            if (md->p1 != NULL)
                T_(cor_step_set_param(st, md->p1,
                                      md->v1 ? md->v1
                                             : (LOSSES[l].lstar ? LOSSES[l].lstar : lsq_star)));
            if (md->lr != NULL)
                T_(cor_scalar_set_str(h, md->lr));
            T_(cor_vec_set_str(x, 0, "3", V));
            T_(cor_vec_set_str(x, 1, "-1", V));
            T_(cor_scalar_set_str(Ls, LOSSES[l].lstar ? LOSSES[l].lstar : lsq_star));
            for (long k = 0; k <= steps; k++)
            {
                int sta;
                double gd, hd, ratio, cr, hnorm, kappa, kpred = NAN;
                cor_spectral_info si;

                T_(cor_objective_select_batch(obj, COR_BATCH_FULL));
                sta = cor_objective_value_grad(obj, L, g, x);
                if (sta != COR_OK)
                    break; /* the apex: not differentiable */
                /* converged to rounding: L - L* <= 2^(-prec/2) (L0 - L*) */
                T_(cor_scalar_sub(tol, L, Ls, V));
                if (k == 0)
                    T_(cor_scalar_set(L0, tol));
                else
                {
                    T_(cor_scalar_get_mpfr(t, L0));
                    mpfr_mul_2si(t, t, -(long)prec / 2, MPFR_RNDN);
                    T_(cor_scalar_get_mpfr(kap, tol));
                    if (mpfr_cmp(kap, t) <= 0)
                        break;
                }
                T_(cor_objective_hg(obj, hg, x));
                T_(cor_vec_nrm2(gn, g, V));
                T_(cor_vec_nrm2(hn, hg, V));
                if (cor_scalar_sgn(gn) == 0)
                    break;
                gd = cor_scalar_get_d(gn);
                hd = cor_scalar_get_d(hn);
                /* |H| = max(|lambda_max|, |lambda_min|) by Lanczos; kappa = |Hg|/(|H||g|) */
                T_(cor_spectral_sharpness(sp, lam, NULL, obj, x, NULL, &si));
                T_(cor_scalar_abs(lam, lam, V));
                T_(cor_scalar_abs(tol, si.other, V));
                if (cor_scalar_cmp(tol, lam) > 0)
                    T_(cor_scalar_set(lam, tol));
                hnorm = cor_scalar_get_d(lam);
                T_(cor_scalar_div(tol, hn, gn, V));
                T_(cor_scalar_div(tol, tol, lam, V));
                T_(cor_scalar_get_mpfr(kap, tol));
                kappa = mpfr_get_d(kap, MPFR_RNDN);
                if (l == 1)
                {
                    /* smoothed cone: kappa = eps^2 / (|theta|^2 + eps^2), eps^2 = 1/100 */
                    mpfr_sqr(t, cor_vec_mpfr_srcptr(x, 0), MPFR_RNDN);
                    mpfr_fma(t, cor_vec_mpfr_srcptr(x, 1), cor_vec_mpfr_srcptr(x, 1), t,
                             MPFR_RNDN);
                    mpfr_mul_ui(t, t, 100, MPFR_RNDN);
                    mpfr_add_ui(t, t, 1, MPFR_RNDN);
                    mpfr_ui_div(t, 1, t, MPFR_RNDN);
                    kpred = mpfr_get_d(t, MPFR_RNDN);
                    near_dev = fmax(near_dev, xt_digits(kap, t) < 999
                                                  ? pow(10, -xt_digits(kap, t)) : 0);
                    near_n++;
                }
                if (l == 2)
                {
                    non_min = fmin(non_min, kappa);
                    non_n++;
                }
                /* ratio and clr_ratio in MPFR: |Hg| can lie below the double range */
                T_(cor_scalar_div(hn, hn, gn, V));
                T_(cor_scalar_div(hn, hn, gn, V));
                T_(cor_scalar_get_mpfr(t, hn));
                ratio = mpfr_get_d(t, MPFR_RNDN);
                T_(cor_scalar_mul(hn, hn, L, V));
                T_(cor_scalar_div(hn, hn, gn, V));
                T_(cor_scalar_get_mpfr(t, hn));
                cr = mpfr_get_d(t, MPFR_RNDN);
                if (l == 0)
                {
                    corr_max = fmax(corr_max, kappa);
                    corr_n++;
                }
                T_(cor_table_cell_str(tab.t, LOSSES[l].name));
                T_(cor_table_cell_str(tab.t, md->name));
                T_(cor_table_cell_si(tab.t, k));
                T_(cor_table_cell_d(tab.t, cor_scalar_get_d(L)));
                T_(cor_table_cell_d(tab.t, gd));
                T_(cor_table_cell_d(tab.t, hd));
                T_(cor_table_cell_d(tab.t, ratio));
                T_(cor_table_cell_d(tab.t, cr));
                T_(cor_table_cell_d(tab.t, hnorm));
                T_(cor_table_cell_d(tab.t, kappa));
                T_(cor_table_cell_d(tab.t, kpred));
                T_(cor_table_cell_d(tab.t, mpfr_get_d(cor_vec_mpfr_srcptr(x, 0), MPFR_RNDN)));
                T_(cor_table_cell_d(tab.t, mpfr_get_d(cor_vec_mpfr_srcptr(x, 1), MPFR_RNDN)));
                T_(cor_table_row_end(tab.t));
                if (k == steps)
                    break;
                sta = cor_step_apply(st, obj, x, md->lr ? h : NULL, NULL);
                if (sta != COR_OK)
                {
                    CHK(!cor_status_is_error(sta));
                    break;
                }
            }
            cor_step_free(st);
        }
        if (l == 2)
        {
            /* the quadratic's Hessian is constant: |A g| >= lambda_min |g| */
            cor_spectral_info si;
            T_(cor_spectral_sharpness(sp, lam, NULL, obj, x, NULL, &si));
            non_bound = cor_scalar_get_d(si.other) / cor_scalar_get_d(lam);
        }
        mpfr_clears(t, kap, (mpfr_ptr)0);
        cor_spectral_free(sp);
        cor_scalar_free(lam);
        cor_scalar_free(L0);
        cor_scalar_free(Ls);
        cor_scalar_free(tol);
        cor_scalar_free(h);
        cor_scalar_free(L);
        cor_scalar_free(gn);
        cor_scalar_free(hn);
        cor_vec_free(x);
        cor_vec_free(g);
        cor_vec_free(hg);
        cor_objective_free(obj);
        cor_vspace_free(V);
        cor_expr_pool_free(P);
    }
    {
        double lim = ldexp(1.0, 24 - (int)prec);
        snprintf(s, sizeof s, "max kappa = |Hg|/(|H||g|) = %.3g over %ld iterates of gd, "
                 "heavyball, clr, sgd (%ld bits)", corr_max, corr_n, (long)prec);
        if (!xt_summary(&tab, PROG, "Thm 2.11: H g = 0 along every optimizer's path in a "
                        "corridor", "kappa = 0 (rounding: <= 2^(24-prec))", s, corr_max <= lim))
            fails++;
        snprintf(s, sizeof s, "max relative deviation %.3g over %ld iterates", near_dev, near_n);
        if (!xt_summary(&tab, PROG, "near-corridor (cone smoothed at eps = 0.1): kappa = "
                        "eps^2/(|theta|^2 + eps^2), -> 0 away from the apex",
                        "exact formula at every iterate", s, near_dev <= lim && near_n > 0))
            fails++;
        snprintf(s, sizeof s, "min kappa %.6g over %ld iterates; lambda_min/lambda_max = %.6g",
                 non_min, non_n, non_bound);
        if (!xt_summary(&tab, PROG, "non-corridor (quadratic): kappa >= lambda_min/lambda_max "
                        "> 0 on every path", "bounded away from 0", s,
                        non_min >= non_bound * (1 - 1e-12) && non_bound > 0 && non_n > 0))
            fails++;
    }
    if (xt_close(&tab))
        return 1;
    return xt_exit_status(PROG, fails);
}
