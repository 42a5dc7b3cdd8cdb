/* exp_natgrad.c -- natural-gradient flow and descent against gradient flow and descent on
 * matrix completion and deep linear networks (PREDICTIONS.md P14, P15; Kerekes, Meszaros &
 * Huszar 2021, seed 004).
 *
 * Metric convention (doc/natural_gradient.md): Gauss-Newton = Fisher of a unit Gaussian on
 * the model outputs, G = J^T J with J the Jacobian of the outputs named by the metric, and
 * the minimum-norm natural gradient d = G^+ grad L = J^+ r (lib/spectral,
 * cor_natgrad_direction: Cholesky of J J^T; cross-checked against GSL's SVD pseudo-inverse).
 *   "all": the outputs are every entry of W = U V^T (or of W = W_N..W_1), r = P_Omega(W - M);
 *   "obs": the outputs are the observed entries only, r = (W - M)_Omega.
 * The flows are integrated with the library's rk4 stepper on an objective whose gradient is d
 * (cor_natgrad_objective_alloc), descent is its gd stepper; plain GF/GD use the loss's own
 * gradient. Double precision (f64 space); the exact identity of P14 runs in MPFR.
 *
 * Tables (under --outdir), each with `# summary` lines:
 *  natgrad_mc.tsv   3x3 completion, W = U V^T with square factors, M = a b^T (rank 1), two
 *                   entries unobserved: W(t) for ngf_all, ngf_obs, gf, and ngd_all, gd
 *                   (step 0.1); law_err = max over observed |W - (M + e^-t (W0 - M))|,
 *                   unobs_drift = max over unobserved |W(t) - W(0)|, unobs_err = max over
 *                   unobserved |W - M| (completion error). Summaries: the P15 laws, the
 *                   RK4 order of the residuals, and the implicit bias (GF from a small start
 *                   completes M, NGF does not).
 *  natgrad_dln.tsv  deep linear networks 1/2|W_N..W_1 - T|^2, 2x2 layers, N = 1, 2, 3:
 *                   law_err = max |W(t) - (T + e^-t (W0 - T))| for NGF and GF.
 *  natgrad_conservation.tsv  P14: U^T U - V^T V along GF (rk4, two step sizes) and GD; the
 *                   exact one-step GD identity checked in MPFR.
 * Rendered by experiments/figures/fig_natgrad_mc.gp and fig_natgrad_dln.gp.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_loss.h"
#include "cor_objective.h"
#include "cor_spectral.h"
#include "cor_step.h"
#include "cor_sys.h"
#include "cor_vspace.h"
#include "spectral_util.h"

#define PROG "exp_natgrad"
#define PAPER "PREDICTIONS.md P14, P15; Kerekes, Meszaros & Huszar 2021 (Depth without the " \
              "magic: inductive bias of natural gradient descent)"

typedef struct
{
    const char *outdir;
    int quick;
    int argc;
    char **argv;
    int fails;
} opts;

static void
summary(opts *o, xt *t, const char *claim, const char *pred, const char *meas, int ok)
{
    if (!xt_summary(t, PROG, claim, pred, meas, ok))
        o->fails++;
}

static double
unif(uint64_t *s)
{
    return (double)(xt_splitmix64(s) >> 11) * 0x1.0p-53 * 2 - 1;
}

/* ---- matrix completion ------------------------------------------------------------------- */

#define MC 3 /* m = n = r = 3 */
static const double MCM[MC * MC] = {1, -1, 2, 2, -2, 4, 3, -3, 6}; /* (1,2,3)^T (1,-1,2) */
static const unsigned char MCMASK[MC * MC] = {1, 1, 0, 1, 1, 1, 1, 0, 1};

typedef struct
{
    const cor_vspace *V;
    int observed_only; /* metric over the observed outputs only */
} mc_ctx;

/* W = U V^T from x = (U row-major, V row-major) */
static void
mc_w(double *W, const double *x)
{
    const double *U = x, *Vm = x + MC * MC;
    for (int i = 0; i < MC; i++)
        for (int j = 0; j < MC; j++)
        {
            double s = 0;
            for (int k = 0; k < MC; k++)
                s += U[i * MC + k] * Vm[j * MC + k];
            W[i * MC + j] = s;
        }
}

static int
mc_jac(cor_vec *const *rows, cor_scalar *const *res, const cor_vec *x, void *ctx)
{
    mc_ctx *c = ctx;
    const double *xv = cor_vec_const_data_f64(x);
    const double *U = xv, *Vm = xv + MC * MC;
    double W[MC * MC];
    int row = 0;

    mc_w(W, xv);
    for (int i = 0; i < MC; i++)
        for (int j = 0; j < MC; j++)
        {
            double *g;
            if (c->observed_only && !MCMASK[i * MC + j])
                continue;
            g = cor_vec_data_f64(rows[row]);
            memset(g, 0, 2 * MC * MC * sizeof *g);
            for (int k = 0; k < MC; k++)
            {
                g[i * MC + k] = Vm[j * MC + k];           /* dW_ij / dU_ik */
                g[MC * MC + j * MC + k] = U[i * MC + k]; /* dW_ij / dV_jk */
            }
            if (cor_scalar_set_d(res[row], MCMASK[i * MC + j] ? W[i * MC + j] - MCM[i * MC + j]
                                                             : 0) != COR_OK)
                return COR_NONFINITE;
            row++;
        }
    return COR_OK;
}

typedef struct
{
    double law, drift, err;
} mc_meas;

static mc_meas
mc_measure(const double *x, const double *W0, double t)
{
    double W[MC * MC];
    mc_meas m = {0, 0, 0};

    mc_w(W, x);
    for (int i = 0; i < MC * MC; i++)
    {
        if (MCMASK[i])
        {
            double law = MCM[i] + exp(-t) * (W0[i] - MCM[i]);
            m.law = fmax(m.law, fabs(W[i] - law));
        }
        else
        {
            m.drift = fmax(m.drift, fabs(W[i] - W0[i]));
            m.err = fmax(m.err, fabs(W[i] - MCM[i]));
        }
    }
    return m;
}

/* Runs method (stepper T on obj) from x0 for time tend with step h, writing rows every
 * `every` steps; returns the measurements at tend. */
static mc_meas
mc_run(xt *tab, const char *method, const cor_step_type *T, const cor_objective *obj,
       const cor_vspace *V, const double *x0, double h, double tend, int every, int write)
{
    cor_step *s = cor_step_alloc(T, V);
    cor_vec *x = cor_vec_alloc(V);
    cor_scalar *hs = cor_scalar_alloc(V), *L = cor_scalar_alloc(V);
    double W0[MC * MC], W[MC * MC];
    long nsteps = lround(tend / h);
    mc_meas m = {0, 0, 0};

    CHK(s && x && hs && L);
    T_(cor_scalar_set_d(hs, h));
    memcpy(cor_vec_data_f64(x), x0, 2 * MC * MC * sizeof(double));
    mc_w(W0, x0);
    for (long k = 0; k <= nsteps; k++)
    {
        double t = (double)k * h;
        if (write && (k % every == 0 || k == nsteps))
        {
            m = mc_measure(cor_vec_const_data_f64(x), W0, t);
            mc_w(W, cor_vec_const_data_f64(x));
            T_(cor_objective_value(obj, L, x));
            T_(cor_table_cell_str(tab->t, method));
            T_(cor_table_cell_d(tab->t, h));
            T_(cor_table_cell_d(tab->t, t));
            T_(cor_table_cell_d(tab->t, cor_scalar_get_d(L)));
            for (int i = 0; i < MC * MC; i++)
                T_(cor_table_cell_d(tab->t, W[i]));
            T_(cor_table_cell_d(tab->t, m.law));
            T_(cor_table_cell_d(tab->t, m.drift));
            T_(cor_table_cell_d(tab->t, m.err));
            T_(cor_table_row_end(tab->t));
        }
        if (k == nsteps)
            break;
        T_(cor_step_apply(s, obj, x, hs, NULL));
    }
    m = mc_measure(cor_vec_const_data_f64(x), W0, (double)nsteps * h);
    cor_step_free(s);
    cor_vec_free(x);
    cor_scalar_free(hs);
    cor_scalar_free(L);
    return m;
}

static void
run_mc(opts *o)
{
    mpq_t Mq[MC * MC];
    cor_loss *L;
    cor_vspace *V = cor_vspace_alloc_f64(2 * MC * MC);
    cor_objective *obj, *ng_all, *ng_obs;
    mc_ctx ca = {V, 0}, co = {V, 1};
    cor_natgrad *wa, *wo;
    double x0[2 * MC * MC], xs[2 * MC * MC], hflow = 0.01, tend = o->quick ? 2 : 4;
    double tlong = o->quick ? 15 : 30;
    uint64_t seed = 2021;
    int nobs = 0;
    mc_meas a1, a2, ob, gf, gfl, ngl;
    char s[512];
    xt tab;
    static const char *const cols[] = {"method", "step", "t", "loss", "w11", "w12", "w13",
                                       "w21", "w22", "w23", "w31", "w32", "w33", "law_err",
                                       "unobs_drift", "unobs_err"};

    for (int i = 0; i < MC * MC; i++)
    {
        mpq_init(Mq[i]);
        mpq_set_si(Mq[i], (long)MCM[i], 1);
        nobs += MCMASK[i];
    }
    L = cor_loss_new_matfact(MC, MC, MC, (const mpq_t *)Mq, MCMASK);
    CHK(L && V);
    obj = cor_expr_objective_alloc(cor_loss_pool(L), cor_loss_root(L), cor_loss_dim(L),
                                   cor_loss_vars(L), V, 0);
    wa = cor_natgrad_alloc(V, MC * MC, mc_jac, &ca);
    wo = cor_natgrad_alloc(V, (size_t)nobs, mc_jac, &co);
    CHK(obj && wa && wo);
    ng_all = cor_natgrad_objective_alloc(wa, obj);
    ng_obs = cor_natgrad_objective_alloc(wo, obj);
    CHK(ng_all && ng_obs);
    /* U, V = I + noise: well-conditioned factors, so that J is onto along the whole run */
    for (int i = 0; i < 2 * MC * MC; i++)
    {
        x0[i] = ((i % (MC * MC)) % (MC + 1) == 0) + 0.3 * unif(&seed);
        xs[i] = 0.05 * unif(&seed);
    }
    if (xt_open(&tab, o->outdir, PROG, "natgrad_mc", PAPER,
                "3x3 matrix completion W = U V^T (square factors), M = (1,2,3)^T(1,-1,2), "
                "entries (1,3) and (3,2) unobserved: natural-gradient flow/descent vs GF/GD",
                o->argc, o->argv))
        exit(1);
    T_(cor_table_meta(tab.t, "metric", "all: G = J^T J over all 9 outputs W_ij, r = P_Omega(W "
                      "- M); obs: over the 7 observed outputs, r = (W - M)_Omega; direction "
                      "d = G^+ grad L = J^T (J J^T)^-1 r (minimum norm, Cholesky)"));
    T_(cor_table_meta(tab.t, "start", "U, V = I + entries uniform in [-0.3,0.3) (splitmix64 seed 2021); "
                      "the long runs (suffix _small) from entries uniform in [-0.05,0.05)"));
    T_(cor_table_meta(tab.t, "methods", "ngf_all, ngf_obs, gf: rk4 (step column) on the "
                      "natural gradient / gradient; ngd_all, gd: gd with step 0.1"));
    /* the Cholesky direction against GSL's SVD pseudo-inverse at the start */
    {
        cor_vec *x = cor_vec_alloc(V), *d = cor_vec_alloc(V);
        cor_vec *rows[MC * MC];
        cor_scalar *res[MC * MC];
        double J[MC * MC * 2 * MC * MC], r[MC * MC], dp[2 * MC * MC], dmax = 0;
        size_t rank;
        for (int i = 0; i < MC * MC; i++)
        {
            rows[i] = cor_vec_alloc(V);
            res[i] = cor_scalar_alloc(V);
        }
        memcpy(cor_vec_data_f64(x), x0, sizeof x0);
        T_(cor_natgrad_direction(wa, d, x));
        T_(mc_jac(rows, res, x, &ca));
        for (int i = 0; i < MC * MC; i++)
        {
            memcpy(J + i * 2 * MC * MC, cor_vec_const_data_f64(rows[i]), sizeof x0);
            r[i] = cor_scalar_get_d(res[i]);
        }
        T_(cor_natgrad_pinv_d(dp, J, r, MC * MC, 2 * MC * MC, 0, &rank));
        for (int i = 0; i < 2 * MC * MC; i++)
            dmax = fmax(dmax, fabs(dp[i] - cor_vec_const_data_f64(d)[i]));
        T_(cor_table_meta_printf(tab.t, "pinv_check", "max |d_cholesky - d_svd| = %.3g at the "
                                 "start (rank %zu, Gram pivot ratio %.3g)", dmax, rank,
                                 cor_natgrad_last_pivot_ratio(wa)));
        {
            cor_scalar *e = cor_scalar_alloc(V);
            T_(cor_natgrad_consistency(wa, e, obj, x));
            T_(cor_table_meta_printf(tab.t, "jacobian_check", "|J^T r - grad L| / |grad L| = "
                                     "%.3g (metric all), ", cor_scalar_get_d(e)));
            snprintf(s, sizeof s, "max |d_cholesky - d_svd| = %.3g (rank %zu); |J^T r - grad "
                     "L|/|grad L| = %.3g", dmax, rank, cor_scalar_get_d(e));
            summary(o, &tab, "natural gradient: Cholesky of J J^T = GSL SVD pseudo-inverse, "
                    "J^T r = grad L", "agree to 1e-10", s,
                    dmax < 1e-10 && rank == MC * MC && cor_scalar_get_d(e) < 1e-12);
            cor_scalar_free(e);
        }
        for (int i = 0; i < MC * MC; i++)
        {
            cor_vec_free(rows[i]);
            cor_scalar_free(res[i]);
        }
        cor_vec_free(x);
        cor_vec_free(d);
    }
    T_(cor_table_header(tab.t, 16, cols));
    a1 = mc_run(&tab, "ngf_all", &cor_step_rk4, ng_all, V, x0, hflow, tend, 10, 1);
    a2 = mc_run(&tab, "ngf_all", &cor_step_rk4, ng_all, V, x0, 2 * hflow, tend, 5, 1);
    ob = mc_run(&tab, "ngf_obs", &cor_step_rk4, ng_obs, V, x0, hflow, tend, 10, 1);
    gf = mc_run(&tab, "gf", &cor_step_rk4, obj, V, x0, hflow, tend, 10, 1);
    (void)mc_run(&tab, "ngd_all", &cor_step_gd, ng_all, V, x0, 0.1, tend, 1, 1);
    (void)mc_run(&tab, "gd", &cor_step_gd, obj, V, x0, 0.1, tend, 1, 1);
    gfl = mc_run(&tab, "gf_small", &cor_step_rk4, obj, V, xs, 0.02, tlong, 10, 1);
    ngl = mc_run(&tab, "ngf_all_small", &cor_step_rk4, ng_all, V, xs, 0.02, tlong, 10, 1);
    (void)mc_run(&tab, "ngf_obs_small", &cor_step_rk4, ng_obs, V, xs, 0.02, tlong, 10, 1);

    snprintf(s, sizeof s, "t = %g: max observed |W - law| = %.3g, unobserved drift %.3g (rk4 "
             "h = %g; with 2h: %.3g, %.3g: rk4 error, shrinking like h^%.1f)", tend, a1.law,
             a1.drift, hflow, a2.law, a2.drift, log2(a2.law / a1.law));
    summary(o, &tab, "P15 NGF, all-output metric: W' = -P_Omega(W - M)",
            "observed: M + e^-t (W0 - M); unobserved frozen", s,
            a1.law < 1e-7 && a1.drift < 1e-7 && a2.law / a1.law > 8 && a2.drift / a1.drift > 8);
    snprintf(s, sizeof s, "max observed |W - law| = %.3g, unobserved drift %.3g", ob.law,
             ob.drift);
    summary(o, &tab, "P15 NGF, observed-only metric (min-norm pseudo-inverse)",
            "observed: same law; unobserved drift", s, ob.law < 1e-7 && ob.drift > 1e-2);
    snprintf(s, sizeof s, "max observed |W - law| = %.3g, unobserved drift %.3g", gf.law,
             gf.drift);
    summary(o, &tab, "P15 plain GF differs in both respects", "law violated; unobserved drift",
            s, gf.law > 1e-2 && gf.drift > 1e-2);
    snprintf(s, sizeof s, "t = %g from a start of scale 0.05: completion error on the "
             "unobserved entries GF %.3g, NGF (all) %.3g", tlong, gfl.err, ngl.err);
    summary(o, &tab, "seed 004: GF from a small start completes the low-rank M, NGF does not",
            "GF error << NGF error ~ |M_unobserved|", s, gfl.err < 0.1 && ngl.err > 1);
    if (xt_close(&tab))
        exit(1);
    cor_objective_free(ng_all);
    cor_objective_free(ng_obs);
    cor_natgrad_free(wa);
    cor_natgrad_free(wo);
    cor_objective_free(obj);
    cor_vspace_free(V);
    cor_loss_free(L);
    for (int i = 0; i < MC * MC; i++)
        mpq_clear(Mq[i]);
}

/* ---- deep linear networks ------------------------------------------------------------------ */

#define DD 2 /* layer width */
static const double DLT[DD * DD] = {2, 0, 0, 1};

typedef struct
{
    int depth;
} dl_ctx;

/* C = A B (DD x DD) */
static void
mm(double *C, const double *A, const double *B)
{
    double t[DD * DD];
    for (int i = 0; i < DD; i++)
        for (int j = 0; j < DD; j++)
        {
            double s = 0;
            for (int k = 0; k < DD; k++)
                s += A[i * DD + k] * B[k * DD + j];
            t[i * DD + j] = s;
        }
    memcpy(C, t, sizeof t);
}

static void
eye(double *A)
{
    for (int i = 0; i < DD * DD; i++)
        A[i] = i % (DD + 1) == 0;
}

/* end-to-end W = W_N .. W_1, layers W_k at x + (k-1) DD^2 */
static void
dl_w(double *W, const double *x, int N)
{
    eye(W);
    for (int k = 0; k < N; k++)
        mm(W, x + k * DD * DD, W);
}

static int
dl_jac(cor_vec *const *rows, cor_scalar *const *res, const cor_vec *x, void *ctx)
{
    dl_ctx *c = ctx;
    const double *xv = cor_vec_const_data_f64(x);
    double W[DD * DD], A[DD * DD], B[DD * DD];
    int N = c->depth;

    dl_w(W, xv, N);
    for (int i = 0; i < DD; i++)
        for (int j = 0; j < DD; j++)
        {
            double *g = cor_vec_data_f64(rows[i * DD + j]);
            for (int k = 0; k < N; k++)
            {
                /* A = W_N..W_{k+2}, B = W_k..W_1 (0-based layer k): dW/dW_k[a][b] = A_ia B_bj */
                eye(A);
                for (int l = N - 1; l > k; l--)
                    mm(A, A, xv + l * DD * DD);
                eye(B);
                for (int l = 0; l < k; l++)
                    mm(B, xv + l * DD * DD, B);
                for (int a = 0; a < DD; a++)
                    for (int b = 0; b < DD; b++)
                        g[k * DD * DD + a * DD + b] = A[i * DD + a] * B[b * DD + j];
            }
            if (cor_scalar_set_d(res[i * DD + j], W[i * DD + j] - DLT[i * DD + j]) != COR_OK)
                return COR_NONFINITE;
        }
    return COR_OK;
}

static void
run_dln(opts *o)
{
    static const char *const cols[] = {"depth", "method", "t", "loss", "law_err"};
    double h = 0.01, tend = o->quick ? 2 : 4;
    double ng_worst = 0, gf1 = 0, gfdeep = INFINITY;
    char s[512];
    xt tab;

    if (xt_open(&tab, o->outdir, PROG, "natgrad_dln", PAPER,
                "deep linear networks 1/2|W_N..W_1 - diag(2,1)|^2, 2x2 layers: end-to-end W(t) "
                "against T + e^-t (W0 - T)",
                o->argc, o->argv))
        exit(1);
    T_(cor_table_meta(tab.t, "metric", "all 4 outputs of W = W_N..W_1 (the Jacobian is onto "
                      "when all layers but one are invertible)"));
    T_(cor_table_meta(tab.t, "start", "layers identity + entries uniform in [-0.3,0.3) "
                      "(splitmix64 seed 4), so that W0 is the same up to depth"));
    T_(cor_table_meta_printf(tab.t, "integrator", "rk4 with step %g", h));
    T_(cor_table_header(tab.t, 5, cols));
    for (int N = 1; N <= 3; N++)
    {
        size_t dims[4] = {DD, DD, DD, DD};
        cor_loss *L;
        cor_vspace *V = cor_vspace_alloc_f64((size_t)N * DD * DD);
        mpq_t Tq[DD * DD];
        dl_ctx c = {N};
        cor_objective *obj, *ng;
        cor_natgrad *w;
        double x0[3 * DD * DD], W0[DD * DD];
        uint64_t seed = 4;

        for (int i = 0; i < DD * DD; i++)
        {
            mpq_init(Tq[i]);
            mpq_set_si(Tq[i], (long)DLT[i], 1);
        }
        L = cor_loss_new_deeplinear((size_t)N, dims, (const mpq_t *)Tq);
        CHK(L && V);
        obj = cor_expr_objective_alloc(cor_loss_pool(L), cor_loss_root(L), cor_loss_dim(L),
                                       cor_loss_vars(L), V, 0);
        w = cor_natgrad_alloc(V, DD * DD, dl_jac, &c);
        CHK(obj && w);
        ng = cor_natgrad_objective_alloc(w, obj);
        CHK(ng);
        /* the first layer carries the perturbation, the others are near identity */
        for (int k = 0; k < N; k++)
            for (int i = 0; i < DD * DD; i++)
                x0[k * DD * DD + i] = (i % (DD + 1) == 0) + (k == 0 ? 0.3 : 0.1) * unif(&seed);
        dl_w(W0, x0, N);
        for (int m = 0; m < 2; m++)
        {
            const cor_objective *ob = m == 0 ? ng : obj;
            cor_step *st = cor_step_alloc(&cor_step_rk4, V);
            cor_vec *x = cor_vec_alloc(V);
            cor_scalar *hs = cor_scalar_alloc(V), *Lv = cor_scalar_alloc(V);
            long nsteps = lround(tend / h);
            double worst = 0;

            T_(cor_scalar_set_d(hs, h));
            memcpy(cor_vec_data_f64(x), x0, (size_t)N * DD * DD * sizeof(double));
            for (long k = 0; k <= nsteps; k++)
            {
                double t = (double)k * h, W[DD * DD], e = 0;
                dl_w(W, cor_vec_const_data_f64(x), N);
                for (int i = 0; i < DD * DD; i++)
                    e = fmax(e, fabs(W[i] - (DLT[i] + exp(-t) * (W0[i] - DLT[i]))));
                worst = fmax(worst, e);
                if (k % 10 == 0)
                {
                    T_(cor_objective_value(obj, Lv, x));
                    T_(cor_table_cell_si(tab.t, N));
                    T_(cor_table_cell_str(tab.t, m == 0 ? "ngf" : "gf"));
                    T_(cor_table_cell_d(tab.t, t));
                    T_(cor_table_cell_d(tab.t, cor_scalar_get_d(Lv)));
                    T_(cor_table_cell_d(tab.t, e));
                    T_(cor_table_row_end(tab.t));
                }
                if (k < nsteps)
                    T_(cor_step_apply(st, ob, x, hs, NULL));
            }
            if (m == 0)
                ng_worst = fmax(ng_worst, worst);
            else if (N == 1)
                gf1 = worst;
            else
                gfdeep = fmin(gfdeep, worst);
            cor_step_free(st);
            cor_vec_free(x);
            cor_scalar_free(hs);
            cor_scalar_free(Lv);
        }
        cor_objective_free(ng);
        cor_natgrad_free(w);
        cor_objective_free(obj);
        cor_vspace_free(V);
        cor_loss_free(L);
        for (int i = 0; i < DD * DD; i++)
            mpq_clear(Tq[i]);
    }
    snprintf(s, sizeof s, "max over t <= %g and depths 1-3 of |W - law| = %.3g (rk4 h = %g)",
             tend, ng_worst, h);
    summary(o, &tab, "seed 004: NGF of a deep linear net moves W = W_N..W_1 as W' = -(W - T) "
            "at every depth", "W(t) = T + e^-t (W0 - T)", s, ng_worst < 1e-7);
    snprintf(s, sizeof s, "GF: depth 1 |W - law| = %.3g; depths 2, 3: >= %.3g", gf1, gfdeep);
    summary(o, &tab, "GF follows that law only at depth 1 (depth changes GF's path)",
            "depth 1 exact, depth >= 2 not", s, gf1 < 1e-7 && gfdeep > 1e-2);
    if (xt_close(&tab))
        exit(1);
}

/* ---- P14: conservation of U^T U - V^T V --------------------------------------------------- */

/* Q = U^T U - V^T V for x = (U, V), m x r and n x r row-major, in MPFR (x an MPFR vector);
 * out[r*r]. */
static void
cons_q(mpfr_t *out, const cor_vec *x, int m, int n, int r, mpfr_t t)
{
    for (int a = 0; a < r; a++)
        for (int b = 0; b < r; b++)
        {
            mpfr_set_ui(out[a * r + b], 0, MPFR_RNDN);
            for (int i = 0; i < m; i++)
            {
                mpfr_mul(t, cor_vec_mpfr_srcptr(x, (size_t)(i * r + a)),
                         cor_vec_mpfr_srcptr(x, (size_t)(i * r + b)), MPFR_RNDN);
                mpfr_add(out[a * r + b], out[a * r + b], t, MPFR_RNDN);
            }
            for (int j = 0; j < n; j++)
            {
                mpfr_mul(t, cor_vec_mpfr_srcptr(x, (size_t)(m * r + j * r + a)),
                         cor_vec_mpfr_srcptr(x, (size_t)(m * r + j * r + b)), MPFR_RNDN);
                mpfr_sub(out[a * r + b], out[a * r + b], t, MPFR_RNDN);
            }
        }
}

static void
run_conservation(opts *o)
{
    enum { M_ = 3, N_ = 3, R_ = 2 };
    static const char *const cols[] = {"mask", "method", "step", "t", "drift"};
    const mpfr_prec_t prec = 256;
    double worst_id = 0;
    char s[512];
    xt tab;

    if (xt_open(&tab, o->outdir, PROG, "natgrad_conservation", PAPER,
                "P14: U^T U - V^T V along GF (rk4) and GD on 1/2|P_Omega(U V^T - M)|^2, "
                "3x3, rank 2, MPFR 256 bits",
                o->argc, o->argv))
        exit(1);
    T_(cor_table_meta(tab.t, "identity", "one GD step: Q' = Q + h^2 (V^T R^T R V - U^T R R^T U),"
                      " Q = U^T U - V^T V, R = P_Omega(U V^T - M) (P14 for Omega = all)"));
    T_(cor_table_meta(tab.t, "drift", "max_ab |Q_ab(t) - Q_ab(0)|"));
    T_(cor_table_header(tab.t, 5, cols));
    for (int mk = 0; mk < 2; mk++)
    {
        static const unsigned char mask2[9] = {1, 1, 0, 1, 1, 1, 1, 0, 1};
        cor_loss *L = cor_loss_new_matfact(M_, N_, R_, NULL, mk ? mask2 : NULL);
        cor_vspace *V = cor_vspace_alloc_mpfr((M_ + N_) * R_, prec);
        cor_objective *obj;
        cor_vec *x0 = cor_vec_alloc(V), *x = cor_vec_alloc(V), *g = cor_vec_alloc(V);
        cor_scalar *hs = cor_scalar_alloc(V);
        mpfr_t q0[R_ * R_], q1[R_ * R_], pred[R_ * R_], t, d, hh;
        uint64_t seed = 14;
        double gfd[2] = {0, 0}, gdd = 0;
        const char *mname = mk ? "omega" : "all";

        CHK(L && V && x0 && x && g && hs);
        obj = cor_expr_objective_alloc(cor_loss_pool(L), cor_loss_root(L), cor_loss_dim(L),
                                       cor_loss_vars(L), V, 0);
        CHK(obj);
        mpfr_inits2(prec, t, d, hh, (mpfr_ptr)0);
        for (int i = 0; i < R_ * R_; i++)
        {
            mpfr_init2(q0[i], prec);
            mpfr_init2(q1[i], prec);
            mpfr_init2(pred[i], prec);
        }
        for (int i = 0; i < (M_ + N_) * R_; i++)
            T_(cor_vec_set_d(x0, (size_t)i, unif(&seed), V));
        cons_q(q0, x0, M_, N_, R_, t);
        /* GF by rk4 at two steps; GD at h = 0.01 */
        for (int run = 0; run < 3; run++)
        {
            double hv = run == 0 ? 0.02 : run == 1 ? 0.01 : 0.01, tend = 1;
            const cor_step_type *T = run < 2 ? &cor_step_rk4 : &cor_step_gd;
            cor_step *st = cor_step_alloc(T, V);
            long n = lround(tend / hv);
            double worst = 0;
            T_(cor_scalar_set_d(hs, hv));
            T_(cor_vec_copy(x, x0, V));
            for (long k = 1; k <= n; k++)
            {
                T_(cor_step_apply(st, obj, x, hs, NULL));
                cons_q(q1, x, M_, N_, R_, t);
                double e = 0;
                for (int i = 0; i < R_ * R_; i++)
                {
                    mpfr_sub(d, q1[i], q0[i], MPFR_RNDN);
                    e = fmax(e, fabs(mpfr_get_d(d, MPFR_RNDN)));
                }
                worst = fmax(worst, e);
                if (k % 5 == 0)
                {
                    T_(cor_table_cell_str(tab.t, mname));
                    T_(cor_table_cell_str(tab.t, run < 2 ? "gf_rk4" : "gd"));
                    T_(cor_table_cell_d(tab.t, hv));
                    T_(cor_table_cell_d(tab.t, (double)k * hv));
                    T_(cor_table_cell_d(tab.t, e));
                    T_(cor_table_row_end(tab.t));
                }
            }
            if (run < 2)
                gfd[run] = worst;
            else
                gdd = worst;
            cor_step_free(st);
        }
        /* the exact one-step identity, at several points along a GD run (h = 1/10) */
        T_(cor_scalar_set_str(hs, "0.1"));
        T_(cor_scalar_get_mpfr(hh, hs));
        T_(cor_vec_copy(x, x0, V));
        {
            cor_step *st = cor_step_alloc(&cor_step_gd, V);
            for (int k = 0; k < 20; k++)
            {
                /* R = P_Omega(U V^T - M) from the gradient: grad_U = R V, grad_V = R^T U, so
                 * V^T R^T R V = (grad_U)^T grad_U and U^T R R^T U = (grad_V)^T grad_V */
                T_(cor_objective_grad(obj, g, x));
                cons_q(q0, x, M_, N_, R_, t);
                cons_q(pred, g, M_, N_, R_, t); /* grad_U^T grad_U - grad_V^T grad_V */
                for (int i = 0; i < R_ * R_; i++)
                {
                    mpfr_sqr(t, hh, MPFR_RNDN);
                    mpfr_mul(pred[i], pred[i], t, MPFR_RNDN);
                    mpfr_add(pred[i], pred[i], q0[i], MPFR_RNDN);
                }
                T_(cor_step_apply(st, obj, x, hs, NULL));
                cons_q(q1, x, M_, N_, R_, t);
                for (int i = 0; i < R_ * R_; i++)
                {
                    mpfr_sub(d, q1[i], pred[i], MPFR_RNDN);
                    worst_id = fmax(worst_id, fabs(mpfr_get_d(d, MPFR_RNDN)));
                }
            }
            cor_step_free(st);
        }
        snprintf(s, sizeof s, "mask %s, t <= 1: GF (rk4 h=0.02) drift %.3g, (h=0.01) %.3g, "
                 "order %.2f; GD (h=0.01) drift %.3g", mname, gfd[0], gfd[1], log2(gfd[0] / gfd[1]),
                 gdd);
        summary(o, &tab, "P14 GF conserves U^T U - V^T V, GD does not",
                "GF drift = integrator error (rk4: order 4); GD drift h^2 per step", s,
                fabs(log2(gfd[0] / gfd[1]) - 4) < 0.5 && gdd > 1e3 * gfd[1]);
        mpfr_clears(t, d, hh, (mpfr_ptr)0);
        for (int i = 0; i < R_ * R_; i++)
        {
            mpfr_clear(q0[i]);
            mpfr_clear(q1[i]);
            mpfr_clear(pred[i]);
        }
        cor_vec_free(x0);
        cor_vec_free(x);
        cor_vec_free(g);
        cor_scalar_free(hs);
        cor_objective_free(obj);
        cor_vspace_free(V);
        cor_loss_free(L);
    }
    snprintf(s, sizeof s, "max |Q' - Q - h^2(V^T R^T R V - U^T R R^T U)| = %.3g over 2 x 20 "
             "GD steps at 256 bits", worst_id);
    summary(o, &tab, "P14 exact GD identity for U^T U - V^T V (to 40 digits)",
            "exact (rounding only)", s, worst_id < 1e-40);
    if (xt_close(&tab))
        exit(1);
}

/* ---- main -------------------------------------------------------------------------------- */

static void
usage(FILE *f)
{
    fprintf(f,
            "Usage: " PROG " [-o DIR] [--quick] [--only PART]\n"
            "Natural-gradient flow/descent vs GF/GD (%s).\n"
            "Writes natgrad_mc.tsv (matrix completion), natgrad_dln.tsv (deep linear nets),\n"
            "natgrad_conservation.tsv (P14) under DIR, each with `# summary` lines.\n"
            "\n"
            "  -o, --outdir DIR  output directory (default results)\n"
            "  --quick           shorter runs (seconds; used by make check)\n"
            "  --only PART       mc, dln or conservation\n"
            "  -h, --help        this text\n"
            "Exit status: 0 every verdict holds, 1 a verdict fails or I/O error, 2 bad usage.\n",
            PAPER);
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {{"outdir", required_argument, NULL, 'o'},
                                       {"quick", no_argument, NULL, 'q'},
                                       {"only", required_argument, NULL, 'O'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    static const char *const parts[] = {"mc", "dln", "conservation"};
    opts o;
    const char *only = NULL;
    int c;

    memset(&o, 0, sizeof o);
    o.outdir = "results";
    o.argc = argc;
    o.argv = argv;
    cor_error_set_progname(PROG);
    cor_set_error_handler(cor_error_print_handler);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1)
    {
        switch (c)
        {
        case 'o':
            o.outdir = optarg;
            break;
        case 'q':
            o.quick = 1;
            break;
        case 'O':
            if (xt_check_part(PROG, optarg, parts, sizeof parts / sizeof parts[0]))
                return 2;
            only = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return xt_bad_option(PROG, c, argv);
        }
    }
    if (xt_no_operands(PROG, argc, argv))
        return 2;
#define WANT(p) (only == NULL || strcmp(only, p) == 0)
    if (WANT("mc"))
        run_mc(&o);
    if (WANT("dln"))
        run_dln(&o);
    if (WANT("conservation"))
        run_conservation(&o);
#undef WANT
    return xt_exit_status(PROG, o.fails);
}
