/* exp_orders.c -- convergence orders of GD towards GF, the IGR flow and MOD3 (PREDICTIONS P4,
 * P5; Barrett & Dherin 2021; Hairer-Lubich-Wanner's modified equations of explicit Euler).
 *
 * For each loss and a sweep of step sizes h = T/N at fixed T, the program runs N steps of the
 * library's GD stepper in MPFR and measures |GD - GF(T)|, |GD - IGR_h(T)| and |GD - MOD3_h(T)|
 * (lib/drift flows at tolerance 2^-(prec+8)). The predicted global errors are h E1(T),
 * h^2 E2(T) and O(h^3); E1, E2 come from the variational equations of P4 integrated along GF
 * (cor_drift_global_coeffs). The fitted order is the local slope log2(err(h)/err(h/2)) of the
 * finest pair of the sweep (it tends to the order as h -> 0, with an O(h) bias that the sweep
 * is made fine enough to push below 0.005); a least-squares slope over the finest three
 * points is reported too.
 *
 * Tables (under -o DIR, default results/):
 *   orders_sweep.tsv  loss h steps err_gf err_igr err_mod3 err_gf_over_h err_igr_over_h2
 *                     err_mod3_over_h3 slope_gf slope_igr slope_mod3 e1_dev e2_dev
 *                     (e1_dev = |(GD-GF)/h - E1|/|E1|, e2_dev = |(GD-IGR)/h^2 - E2|/|E2|:
 *                     both must shrink like h)
 *   orders_fit.tsv    one row per loss: fitted orders, |E1(T)|, |E2(T)|, verdicts
 *   orders_p4.tsv     P4's table on case (ii): the three ratios at h = 0.02 ... 0.0025 against
 *                     the published values, and E1(1), E2(1) against P4 to 20 digits.
 * Each ends with `# summary` lines (claim, prediction, measured, verdict); the exit status is
 * 0 when every verdict holds, 4 when one fails (2 bad input, 1 I/O, 3 divergence).
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

#define PAPER "PREDICTIONS P4/P5; Barrett & Dherin 2021 (IGR); Dherin & Rosca 2024 (arXiv 2402.08818)"
#define MAXLOSS 8
#define MAXH 16

static const char usage[] =
    "Usage: exp_orders [--quick|--full] [-o DIR] [--prec BITS] [--T T]\n"
    "                  [--loss EXPR --vars x,y,.. --theta0 POINT [--name NAME]]...\n"
    "\n"
    "Sweeps the step size h = T/N at fixed T and fits the orders of |GD - GF(T)|,\n"
    "|GD - IGR_h(T)| and |GD - MOD3_h(T)| (predicted 1, 2, 3), computes the leading\n"
    "coefficients E1(T), E2(T) of P4 from the variational equations, and reproduces P4's table\n"
    "on case (ii). Built-in losses: case (ii) 0.5(1-x)^2+5(y-x^2)^2 from (-1.2,1), case (i)\n"
    "0.5(x^2+10y^2) from (1,1), and a 3-D logistic-type loss; every --loss adds one more\n"
    "(each --loss takes the --vars, --theta0 and --name that follow it).\n"
    "\n"
    "  --quick        short sweep (make check): N = 50..400 and 6400, 12800 (default)\n"
    "  --full         N = 50 * 2^j up to 25600 (make reproduce)\n"
    "  -o DIR         directory of the tables (default results)\n"
    "  --prec BITS    MPFR precision (default 192)\n"
    "  --T T          final time (default 1; P4's table needs 1)\n"
    "  --only-user    skip the built-in losses\n"
    "  -h, --help     this text\n"
    "\n"
    "Writes DIR/orders_sweep.tsv, DIR/orders_fit.tsv, DIR/orders_p4.tsv. Exit status 0 when\n"
    "every verdict holds, 4 when one fails, 2 bad input, 1 I/O error, 3 divergence.\n";

typedef struct
{
    const char *name, *text, *vars, *theta0;
} loss_spec;

static const loss_spec builtin[] = {
    {"ii", "0.5*(1-x)^2+5*(y-x^2)^2", "x,y", "-1.2,1"},
    {"i", "0.5*(x^2+10*y^2)", "x,y", "1,1"},
    {"logistic3", "log(1+exp(-x-2*y))+log(1+exp(x-y+z))+0.5*(x^2+y^2+z^2)", "x,y,z",
     "1,-1,0.5"},
};

/* P4's table on (ii), T = 1 */
static const struct
{
    const char *h;
    long N;
    const char *r[3];
} p4[] = {
    {"0.02", 50, {"0.6490", "29.16", "1200.8"}},
    {"0.01", 100, {"0.3003", "19.30", "1010.8"}},
    {"0.005", 200, {"0.2241", "17.43", "984.4"}},
    {"0.0025", 400, {"0.1978", "17.04", "982.5"}},
};
static const char *const E1ref[2] = {"0.11378675970657706776858702671",
                                     "-0.13486741790111101198788156103"};
static const char *const E2ref[2] = {"12.017544013077899385819036959",
                                     "-11.948903102087321288384047590"};

typedef struct
{
    long N;
    double h, err[3];
    mpfr_t gd[16], fl[3][16];
} point;

/* does x round to the decimal text ref at its number of decimals? */
static int
matches_decimals(double x, const char *ref)
{
    const char *dot = strchr(ref, '.');
    int dec = dot ? (int)strlen(dot + 1) : 0;
    double r = strtod(ref, NULL);
    return fabs(x - r) <= 0.5 * pow(10.0, -dec) * (1 + 1e-12);
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quick", no_argument, NULL, 'q'}, {"full", no_argument, NULL, 'f'},
        {"prec", required_argument, NULL, 'p'}, {"T", required_argument, NULL, 'T'},
        {"loss", required_argument, NULL, 'l'}, {"vars", required_argument, NULL, 'v'},
        {"theta0", required_argument, NULL, 't'}, {"name", required_argument, NULL, 'n'},
        {"only-user", no_argument, NULL, 'u'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    loss_spec losses[MAXLOSS];
    size_t nloss = 0, nuser = 0;
    loss_spec user[MAXLOSS];
    const char *outdir = "results", *Ttext = "1";
    mpfr_prec_t prec = 192;
    int full = 0, only_user = 0, opt, fails = 0;
    long Ns[MAXH];
    size_t nh = 0;
    char path[4096];
    dx_table *sweep, *fit, *tp4;

    dx_init("exp_orders", argc, argv);
    while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1)
    {
        switch (opt)
        {
        case 'q': full = 0; break;
        case 'f': full = 1; break;
        case 'p': prec = dx_parse_prec(optarg, 64); break;
        case 'T': Ttext = optarg; break;
        case 'l':
            if (nuser == MAXLOSS - 3)
                dx_die(2, "--loss: at most %d user losses", MAXLOSS - 3);
            user[nuser].text = optarg;
            user[nuser].vars = NULL;
            user[nuser].theta0 = NULL;
            user[nuser].name = NULL;
            nuser++;
            break;
        case 'v':
        case 't':
        case 'n':
            if (nuser == 0)
                dx_die(2, "--%s must follow a --loss", opt == 'v' ? "vars" : opt == 't' ? "theta0" : "name");
            if (opt == 'v')
                user[nuser - 1].vars = optarg;
            else if (opt == 't')
                user[nuser - 1].theta0 = optarg;
            else
                user[nuser - 1].name = optarg;
            break;
        case 'u': only_user = 1; break;
        case 'o': outdir = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: dx_die(2, "unknown option (see --help)");
        }
    }
    dx_no_operands(argc, argv);
    if (!only_user)
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
            losses[nloss++] = builtin[i];
    for (size_t i = 0; i < nuser; i++)
    {
        static char names[MAXLOSS][16];
        if (!user[i].vars || !user[i].theta0)
            dx_die(2, "--loss '%s' needs --vars and --theta0", user[i].text);
        if (!user[i].name)
        {
            snprintf(names[i], sizeof names[i], "user%zu", i + 1);
            user[i].name = names[i];
        }
        losses[nloss++] = user[i];
    }
    if (nloss == 0)
        dx_die(2, "no loss (--only-user without --loss)");
    for (long N = 50; N <= 400; N *= 2)
        Ns[nh++] = N;
    if (full)
        for (long N = 800; N <= 25600; N *= 2)
            Ns[nh++] = N;
    else
        Ns[nh++] = 6400, Ns[nh++] = 12800;

    snprintf(path, sizeof path, "%s/orders_sweep.tsv", outdir);
    sweep = dx_table_open(path, "exp_orders: sweep", PAPER);
    snprintf(path, sizeof path, "%s/orders_fit.tsv", outdir);
    fit = dx_table_open(path, "exp_orders: fitted orders", PAPER);
    snprintf(path, sizeof path, "%s/orders_p4.tsv", outdir);
    tp4 = dx_table_open(path, "exp_orders: P4 table on case (ii)", PAPER);
    {
        static const char *cs[] = {"loss", "h", "steps", "err_gf", "err_igr", "err_mod3",
                                   "err_gf_over_h", "err_igr_over_h2", "err_mod3_over_h3",
                                   "slope_gf", "slope_igr", "slope_mod3", "e1_dev", "e2_dev"};
        static const char *cf[] = {"loss", "expr", "t_final", "h_finest", "order_gf",
                                   "order_igr", "order_mod3", "lsq_gf", "lsq_igr", "lsq_mod3",
                                   "e1_norm", "e2_norm"};
        static const char *cp[] = {"h", "gf_over_h", "igr_over_h2", "mod3_over_h3",
                                   "pred_gf_over_h", "pred_igr_over_h2", "pred_mod3_over_h3",
                                   "verdict"};
        for (size_t i = 0; i < nloss; i++)
            dx_check(cor_table_meta_printf(dx_table_t(sweep), "loss", "%s: %s, vars %s, theta0 %s",
                                           losses[i].name, losses[i].text, losses[i].vars,
                                           losses[i].theta0));
        dx_check(cor_table_meta_printf(dx_table_t(sweep), "prec", "%ld", (long)prec));
        dx_check(cor_table_meta(dx_table_t(sweep), "t_final", Ttext));
        dx_check(cor_table_meta(dx_table_t(sweep), "mode", full ? "full" : "quick"));
        dx_check(cor_table_header(dx_table_t(sweep), 14, cs));
        dx_check(cor_table_meta_printf(dx_table_t(fit), "prec", "%ld", (long)prec));
        dx_check(cor_table_meta(dx_table_t(fit), "order_fit", "local slope log2(err(h)/err(h/2)) "
                                                              "of the finest pair; lsq_*: "
                                                              "least squares, finest 3"));
        dx_check(cor_table_header(dx_table_t(fit), 12, cf));
        dx_check(cor_table_meta_printf(dx_table_t(tp4), "prec", "%ld", (long)prec));
        dx_check(cor_table_header(dx_table_t(tp4), 8, cp));
    }

    for (size_t li = 0; li < nloss; li++)
    {
        dx_problem P;
        cor_vspace *V;
        cor_objective *obj;
        point pt[MAXH];
        mpfr_t T, E1[16], E2[16], e1n, e2n, d, gfT[16];
        double ord[3], lsq[3];
        size_t n;
        int is_ii = strcmp(losses[li].name, "ii") == 0 && strcmp(Ttext, "1") == 0;

        dx_problem_load(&P, losses[li].name, losses[li].text, losses[li].vars,
                        losses[li].theta0, prec);
        n = P.n;
        mpfr_inits2(prec, T, e1n, e2n, d, (mpfr_ptr)0);
        {
            mpq_t q;
            mpq_init(q);
            cor_expr_const_get(q, P.pool, dx_const(&P, Ttext, "--T"));
            mpfr_set_q(T, q, MPFR_RNDN);
            mpq_clear(q);
        }
        if (mpfr_sgn(T) <= 0)
            dx_die(2, "--T: must be positive");
        for (size_t i = 0; i < n; i++)
            mpfr_inits2(prec, E1[i], E2[i], gfT[i], (mpfr_ptr)0);
        if (cor_drift_global_coeffs(E1, E2, P.pool, P.loss, n, P.vars,
                                    (const mpfr_t *)P.theta0, T, prec,
                                    fmax(ldexp(1.0, -(int)prec - 8), 1e-300)) != COR_OK)
            dx_die(1, "%s: E1/E2: %s", P.name, cor_last_error()->msg);
        {
            mpfr_t z[16];
            for (size_t i = 0; i < n; i++)
                mpfr_init2(z[i], prec), mpfr_set_zero(z[i], 1);
            dx_dist(e1n, (const mpfr_t *)E1, (const mpfr_t *)z, n);
            dx_dist(e2n, (const mpfr_t *)E2, (const mpfr_t *)z, n);
            for (size_t i = 0; i < n; i++)
                mpfr_clear(z[i]);
        }
        V = cor_vspace_alloc_mpfr(n, prec);
        obj = V ? cor_expr_objective_alloc(P.pool, P.loss, n, P.vars, V, 0) : NULL;
        if (!obj)
            dx_die(1, "%s: objective: %s", P.name, cor_last_error()->msg);
        /* GF(T) once */
        {
            cor_drift_flow *f = cor_drift_flow_alloc(COR_DRIFT_GF, P.pool, P.loss, n, P.vars,
                                                     prec, NULL);
            if (!f || cor_drift_flow_solve(f, gfT, 1, (const mpfr_t *)&T,
                                           (const mpfr_t *)P.theta0) != COR_OK)
                dx_die(1, "%s: GF: %s", P.name, cor_last_error()->msg);
            cor_drift_flow_free(f);
        }
        for (size_t j = 0; j < nh; j++)
        {
            point *q = &pt[j];
            cor_node hnode;
            mpfr_t hm;

            q->N = Ns[j];
            hnode = cor_expr_div(P.pool, dx_const(&P, Ttext, "--T"),
                                 cor_expr_const_si(P.pool, q->N));
            {
                mpq_t hq;
                mpq_init(hq);
                cor_expr_const_get(hq, P.pool, hnode);
                mpfr_init2(hm, prec);
                mpfr_set_q(hm, hq, MPFR_RNDN);
                mpq_clear(hq);
            }
            q->h = mpfr_get_d(hm, MPFR_RNDN);
            for (size_t i = 0; i < n; i++)
            {
                mpfr_init2(q->gd[i], prec);
                for (int k = 0; k < 3; k++)
                    mpfr_init2(q->fl[k][i], prec);
            }
            dx_run_stepper(q->gd, "gd", obj, V, (const mpfr_t *)P.theta0, hm, q->N, NULL, 0);
            for (size_t i = 0; i < n; i++)
                mpfr_set(q->fl[0][i], gfT[i], MPFR_RNDN);
            for (int k = 1; k < 3; k++)
            {
                cor_drift_opts o;
                cor_drift_flow *f;
                cor_drift_opts_init(&o);
                o.h = hnode;
                f = cor_drift_flow_alloc(k == 1 ? COR_DRIFT_IGR : COR_DRIFT_MOD3, P.pool,
                                         P.loss, n, P.vars, prec, &o);
                if (!f || cor_drift_flow_solve(f, q->fl[k], 1, (const mpfr_t *)&T,
                                               (const mpfr_t *)P.theta0) != COR_OK)
                    dx_die(1, "%s: %s flow: %s", P.name, k == 1 ? "IGR" : "MOD3",
                           cor_last_error()->msg);
                cor_drift_flow_free(f);
            }
            for (int k = 0; k < 3; k++)
            {
                dx_dist(d, (const mpfr_t *)q->gd, (const mpfr_t *)q->fl[k], n);
                q->err[k] = mpfr_get_d(d, MPFR_RNDN);
            }
            /* the sweep row */
            {
                cor_table *t = dx_table_t(sweep);
                double sl[3];
                mpfr_t dev, e, hp;
                mpfr_inits2(prec, dev, e, hp, (mpfr_ptr)0);
                for (int k = 0; k < 3; k++)
                    sl[k] = j ? log2(pt[j - 1].err[k] / q->err[k]) / log2((double)q->N / pt[j - 1].N) : NAN;
                dx_check(cor_table_cell_str(t, P.name));
                dx_check(cor_table_cell_mpfr(t, hm));
                dx_check(cor_table_cell_si(t, q->N));
                for (int k = 0; k < 3; k++)
                    dx_check(cor_table_cell_d(t, q->err[k]));
                for (int k = 0; k < 3; k++)
                    dx_check(cor_table_cell_d(t, q->err[k] / pow(q->h, k + 1)));
                for (int k = 0; k < 3; k++)
                    dx_check(cor_table_cell_d(t, sl[k]));
                /* deviations from the leading coefficients */
                for (int k = 0; k < 2; k++)
                {
                    mpfr_pow_ui(hp, hm, (unsigned long)k + 1, MPFR_RNDN);
                    mpfr_set_zero(dev, 1);
                    for (size_t i = 0; i < n; i++)
                    {
                        mpfr_sub(e, q->gd[i], q->fl[k][i], MPFR_RNDN);
                        mpfr_div(e, e, hp, MPFR_RNDN);
                        mpfr_sub(e, e, k == 0 ? E1[i] : E2[i], MPFR_RNDN);
                        mpfr_sqr(e, e, MPFR_RNDN);
                        mpfr_add(dev, dev, e, MPFR_RNDN);
                    }
                    mpfr_sqrt(dev, dev, MPFR_RNDN);
                    mpfr_div(dev, dev, k == 0 ? e1n : e2n, MPFR_RNDN);
                    dx_check(cor_table_cell_d(t, mpfr_get_d(dev, MPFR_RNDN)));
                }
                dx_check(cor_table_row_end(t));
                mpfr_clears(dev, e, hp, (mpfr_ptr)0);
            }
            /* P4's table */
            for (size_t r = 0; is_ii && r < sizeof p4 / sizeof p4[0]; r++)
                if (p4[r].N == q->N)
                {
                    cor_table *t = dx_table_t(tp4);
                    int ok = 1;
                    char meas[128], pred[128];
                    for (int k = 0; k < 3; k++)
                        ok &= matches_decimals(q->err[k] / pow(q->h, k + 1), p4[r].r[k]);
                    dx_check(cor_table_cell_str(t, p4[r].h));
                    for (int k = 0; k < 3; k++)
                        dx_check(cor_table_cell_d(t, q->err[k] / pow(q->h, k + 1)));
                    for (int k = 0; k < 3; k++)
                        dx_check(cor_table_cell_str(t, p4[r].r[k]));
                    dx_check(cor_table_cell_str(t, ok ? "holds" : "fails"));
                    dx_check(cor_table_row_end(t));
                    snprintf(pred, sizeof pred, "%s, %s, %s", p4[r].r[0], p4[r].r[1], p4[r].r[2]);
                    snprintf(meas, sizeof meas, "%.6g, %.6g, %.6g", q->err[0] / q->h,
                             q->err[1] / (q->h * q->h), q->err[2] / pow(q->h, 3));
                    {
                        char claim[128];
                        snprintf(claim, sizeof claim,
                                 "P4 table (ii) h=%s: |GD-GF|/h, |GD-IGR|/h^2, |GD-MOD3|/h^3",
                                 p4[r].h);
                        dx_summary(tp4, claim, pred, meas, ok);
                    }
                }
            mpfr_clear(hm);
        }
        /* fitted orders */
        for (int k = 0; k < 3; k++)
        {
            double hh[3], ee[3];
            ord[k] = log2(pt[nh - 2].err[k] / pt[nh - 1].err[k])
                     / log2((double)pt[nh - 1].N / pt[nh - 2].N);
            for (int j = 0; j < 3; j++)
                hh[j] = pt[nh - 3 + j].h, ee[j] = pt[nh - 3 + j].err[k];
            if (cor_drift_fit_order(&lsq[k], NULL, 3, hh, ee) != COR_OK)
                lsq[k] = NAN;
        }
        {
            cor_table *t = dx_table_t(fit);
            char claim[256], meas[128];
            int ok;
            dx_check(cor_table_cell_str(t, P.name));
            dx_check(cor_table_cell_str(t, P.text));
            dx_check(cor_table_cell_mpfr(t, T));
            dx_check(cor_table_cell_d(t, pt[nh - 1].h));
            for (int k = 0; k < 3; k++)
                dx_check(cor_table_cell_d(t, ord[k]));
            for (int k = 0; k < 3; k++)
                dx_check(cor_table_cell_d(t, lsq[k]));
            dx_check(cor_table_cell_mpfr(t, e1n));
            dx_check(cor_table_cell_mpfr(t, e2n));
            dx_check(cor_table_row_end(t));
            ok = fabs(ord[0] - 1) < 0.005 && fabs(ord[1] - 2) < 0.005 && fabs(ord[2] - 3) < 0.005;
            snprintf(claim, sizeof claim,
                     "P4 orders of |GD-GF|, |GD-IGR|, |GD-MOD3| at T=%s on %s (%s)", Ttext,
                     P.name, P.text);
            snprintf(meas, sizeof meas, "%.2f, %.2f, %.2f (h=%.3g)", ord[0], ord[1], ord[2],
                     pt[nh - 1].h);
            dx_summary(fit, claim, "1.00, 2.00, 3.00", meas, ok);
        }
        if (is_ii)
        {
            /* E1(1), E2(1) to 20 digits */
            mpfr_t r, e;
            double worst = 0;
            char meas[512], claim[128];
            mpfr_inits2(prec, r, e, (mpfr_ptr)0);
            for (int i = 0; i < 2; i++)
                for (int k = 0; k < 2; k++)
                {
                    mpfr_set_str(r, k ? E2ref[i] : E1ref[i], 10, MPFR_RNDN);
                    mpfr_sub(e, k ? E2[i] : E1[i], r, MPFR_RNDN);
                    mpfr_div(e, e, r, MPFR_RNDN);
                    if (fabs(mpfr_get_d(e, MPFR_RNDN)) > worst)
                        worst = fabs(mpfr_get_d(e, MPFR_RNDN));
                }
            snprintf(meas, sizeof meas, "E1=(%s, %s) E2=(%s, %s), worst rel. dev. %.2g",
                     dx_fmt(E1[0], 29), dx_fmt(E1[1], 29), dx_fmt(E2[0], 29), dx_fmt(E2[1], 29),
                     worst);
            snprintf(claim, sizeof claim, "P4 E1(1), E2(1) on case (ii) to 20 digits");
            dx_summary(tp4, claim, "E1=(0.11378675970657706776858702671, -0.13486741790111101198788156103) E2=(12.017544013077899385819036959, -11.948903102087321288384047590)", meas, worst < 1e-20);
            mpfr_clears(r, e, (mpfr_ptr)0);
        }
        for (size_t j = 0; j < nh; j++)
            for (size_t i = 0; i < n; i++)
            {
                mpfr_clear(pt[j].gd[i]);
                for (int k = 0; k < 3; k++)
                    mpfr_clear(pt[j].fl[k][i]);
            }
        for (size_t i = 0; i < n; i++)
            mpfr_clears(E1[i], E2[i], gfT[i], (mpfr_ptr)0);
        mpfr_clears(T, e1n, e2n, d, (mpfr_ptr)0);
        cor_objective_free(obj);
        cor_vspace_free(V);
        dx_problem_free(&P);
    }
    fails += dx_table_close(sweep);
    fails += dx_table_close(fit);
    fails += dx_table_close(tp4);
    return fails ? 4 : 0;
}
