/* cor_drift.h -- iterates versus flows: modified losses and flows from backward error
 * analysis, a Taylor integrator for general vector fields, series in the step size, order
 * fits (doc/drift.md has the derivations).
 *
 * Conventions (PREDICTIONS.md): g = grad L, H = Hessian, T(u,v)_i = sum_jk d^3L/dth_i dth_j
 * dth_k u_j v_k. Every builder below adds nodes to the caller's pool and returns expressions
 * (hash-consed, exact rational constants), so a modified loss can be printed, evaluated at any
 * precision, differentiated again, and its step size h (and momentum beta) may be a rational
 * constant node or a free variable of the pool that is not among vars (a symbolic h: then the
 * expressions are functions of h too, see cor_drift_flow_hseries).
 *
 * The modified equations (doc/drift.md derives each):
 *  - GF:    theta' = -g;
 *  - IGR:   theta' = -grad(L + (h/4)|g|^2) = -g - (h/2) H g      (Barrett & Dherin 2021);
 *  - MOD3:  theta' = -g + h f2 + h^2 f3, f2 = -(1/2) H g, f3 = -(1/12) T(g,g) - (1/3) H^2 g
 *           (Hairer-Lubich-Wanner's modified field of explicit Euler to h^2). f3 is not a
 *           gradient in general: f3 = -(1/12) grad(g.Hg) - (1/6) H^2 g, and the Jacobian of
 *           H^2 g has the antisymmetric part (H T_g - T_g H)/2 with (T_g)_jk = T(g)_jk; so
 *           MOD3 is integrated as a general field (cor_drift_ode);
 *  - SGD:   theta' = -grad L_SGD, L_SGD = L + (h/(4m)) sum_k |grad L_k|^2 with L the mean of
 *           the m batch losses L_k (Smith, Dherin, Barrett & De 2021), split as
 *           (h/4)|grad L|^2 + (h/(4m)) sum_k |grad L_k - grad L|^2;
 *  - HB:    theta' = -(1/(1-beta)) grad(L + h(1+beta)/(4(1-beta)^2) |g|^2), i.e. the gradient
 *           flow of the scaled loss (1/(1-beta))(...), started from the shifted point
 *           theta0 + h beta/(1-beta)^2 g(theta0) (heavy ball with zero initial velocity).
 * All are compared with iterate k at flow time t = k h (the sum of the step sizes).
 *
 * Errors: functions return COR_OK or an error (COR_EINVAL for bad arguments, COR_ENOMEM,
 * COR_EBADLEN), recorded with COR_ERROR; solvers also return the outcomes COR_STOPPED (the
 * field's series hit a kink or left a function's domain) and COR_MAXITER. Nothing prints.
 */
#ifndef COR_DRIFT_H
#define COR_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_expr.h"
#include "cor_flow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- symbolic builders ----------------------------------------------------------------- */

/* out = L + (h/4)|grad L|^2 (the IGR modified loss). h: a node not depending on vars. */
int cor_drift_igr_loss(cor_node *out, cor_expr_pool *pool, cor_node L, cor_node h, size_t n,
                       const cor_node *vars) COR_WARN_UNUSED;

/* tgg[i] = T(g,g)_i, built as J(Hg) g - H(Hg), where J(Hg) g = T(g,g) + H^2 g is the
 * directional derivative of Hg along g (n nodes). */
int cor_drift_tgg(cor_node *tgg, cor_expr_pool *pool, cor_node L, size_t n,
                  const cor_node *vars) COR_WARN_UNUSED;

/* f2[i] = -(1/2)(H g)_i and f3[i] = -(1/12) T(g,g)_i - (1/3)(H^2 g)_i; either output may be
 * NULL. */
int cor_drift_f2_f3(cor_node *f2, cor_node *f3, cor_expr_pool *pool, cor_node L, size_t n,
                    const cor_node *vars) COR_WARN_UNUSED;

/* field[i] = -g_i + h f2_i + h^2 f3_i, the MOD3 field (not a gradient, see above). */
int cor_drift_mod3_field(cor_node *field, cor_expr_pool *pool, cor_node L, cor_node h, size_t n,
                         const cor_node *vars) COR_WARN_UNUSED;

/* The SGD modified loss of m >= 1 batch losses batches[0..m): *out = L + (h/(4m)) sum_k
 * |grad L_k|^2 with L = (1/m) sum_k L_k; *full_term = (h/4)|grad L|^2 and *batch_term =
 * (h/(4m)) sum_k |grad L_k - grad L|^2 (the two add up to the regulariser; either may be
 * NULL). *mean (may be NULL) receives L. */
int cor_drift_sgd_loss(cor_node *out, cor_node *mean, cor_node *full_term, cor_node *batch_term,
                       cor_expr_pool *pool, size_t m, const cor_node *batches, cor_node h,
                       size_t n, const cor_node *vars) COR_WARN_UNUSED;

/* The heavy-ball modified flow as a gradient flow: *out = (1/(1-beta)) (L + h(1+beta)/
 * (4(1-beta)^2) |grad L|^2), and shift[i] = h beta/(1-beta)^2 g_i (the start point is
 * theta0 + shift(theta0)); shift may be NULL. beta must not be the constant 1 (COR_EINVAL). */
int cor_drift_hb_loss(cor_node *out, cor_node *shift, cor_expr_pool *pool, cor_node L,
                      cor_node h, cor_node beta, size_t n,
                      const cor_node *vars) COR_WARN_UNUSED;

/* ---- a Taylor integrator for a general field theta' = F(theta) ------------------------- */

/* The adaptive Taylor-series method of lib/flow (Jorba-Zou order and step laws, last step
 * landing on the final time, outputs by Horner on each step's polynomial), written against
 * the public cor_taylor.h ODE mode, for a field that need not be a gradient. MPFR only. */
typedef struct cor_drift_ode cor_drift_ode;

/* A solver for theta' = field(theta) with field[0..n) nodes of pool in the variables
 * vars[0..n) (the field may depend on no other variable), at precision prec with tolerance
 * tol (order ceil(-ln(tol)/2 + 1)). The tape is compiled now; the pool may be freed after.
 * NULL on error (COR_EINVAL, COR_ENOMEM). Allocates everything. */
cor_drift_ode *cor_drift_ode_alloc(cor_expr_pool *pool, size_t n, const cor_node *field,
                                   const cor_node *vars, mpfr_prec_t prec, double tol);
void cor_drift_ode_free(cor_drift_ode *o);

/* theta at times[0..nt) (finite, >= 0, nondecreasing) into out[k n + i], from x0. Returns
 * COR_OK, COR_STOPPED (a kink, a domain left, a non-finite value, collapsing steps; later
 * outputs are NaN), COR_MAXITER (10^7 steps), COR_EINVAL. out must not overlap x0. Allocates
 * nothing. */
int cor_drift_ode_solve(cor_drift_ode *o, mpfr_t *out, size_t nt, const mpfr_t *times,
                        const mpfr_t *x0) COR_WARN_UNUSED;

/* Steps and a-priori error estimate (sum of |last kept term|) of the last solve. */
void cor_drift_ode_stats(const cor_drift_ode *o, uint64_t *steps, double *err_est);

/* ---- modified flows by name ------------------------------------------------------------ */

typedef enum
{
    COR_DRIFT_GF = 0, /* "flow" */
    COR_DRIFT_IGR,    /* "igr" */
    COR_DRIFT_MOD3,   /* "mod3" */
    COR_DRIFT_SGD,    /* "sgd-modified" */
    COR_DRIFT_HB,     /* "hb-modified" */
    COR_DRIFT_KIND_COUNT_
} cor_drift_kind;

/* "flow", "igr", "mod3", "sgd-modified", "hb-modified"; column-safe variants of the names
 * ("flow", "igr", "mod3", "sgd_modified", "hb_modified") from cor_drift_kind_column. */
const char *cor_drift_kind_name(cor_drift_kind k);
const char *cor_drift_kind_column(cor_drift_kind k);
/* Reads a name (either spelling) into *k; COR_EINVAL naming the text otherwise. */
int cor_drift_kind_parse(cor_drift_kind *k, const char *name) COR_WARN_UNUSED;

/* Options of a modified flow; cor_drift_opts_init sets the defaults. */
typedef struct
{
    cor_node h;              /* step size (constant node; needed by all but GF) */
    cor_node beta;           /* HB momentum (constant node) */
    size_t m;                /* SGD: number of batches (0: the loss is the single batch) */
    const cor_node *batches; /* SGD: the m batch losses (their mean is the loss) */
    cor_flow_method method;  /* gradient kinds: lib/flow method (default COR_FLOW_TAYLOR);
                              * MOD3 always uses cor_drift_ode */
    double tol;              /* tolerance (default 2^-(prec+8), at least 1e-300) */
    int no_shift;            /* HB: start at theta0 instead of the shifted point */
} cor_drift_opts;

void cor_drift_opts_init(cor_drift_opts *o);

typedef struct cor_drift_flow cor_drift_flow;

/* The modified flow of kind k for the loss (nodes of pool, variables vars[0..n)). Builds
 * the modified loss or field in pool (which must outlive the flow for the gradient kinds,
 * as for cor_flow_alloc). NULL on error: COR_EINVAL (missing h or beta, h or beta depending
 * on vars, beta = 1, SGD batches missing), COR_ENOMEM. Allocates. */
cor_drift_flow *cor_drift_flow_alloc(cor_drift_kind k, cor_expr_pool *pool, cor_node loss,
                                     size_t n, const cor_node *vars, mpfr_prec_t prec,
                                     const cor_drift_opts *o);
void cor_drift_flow_free(cor_drift_flow *f);

/* The flow at times[0..nt) (flow time t = k h for iterate k) from theta0, into out[k n + i]
 * (HB: from the shifted start unless no_shift). Statuses as cor_flow_solve. */
int cor_drift_flow_solve(cor_drift_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times,
                         const mpfr_t *theta0) COR_WARN_UNUSED;

/* The modified loss whose gradient flow is integrated (COR_NODE_NONE for MOD3), and the
 * field (-grad of it, or the MOD3 field; n nodes). */
cor_node cor_drift_flow_loss(const cor_drift_flow *f);
const cor_node *cor_drift_flow_field(const cor_drift_flow *f);

/* ---- series in the step size ----------------------------------------------------------- */

/* Coefficients of the flow of a field depending on a symbolic step size, at a time
 * proportional to it: phi(h) = Flow_{F(.;h)}(c h)(theta0) = sum_j coef_j h^j + O(h^{K+1}),
 * j = 0..K. field[0..n) are nodes in vars and the variable hvar (a VAR node not among vars);
 * c is a constant node. Built by the Lie series phi = sum_{k<=K} (c h)^k/k! (L_F^k id)(theta0)
 * (L_F u = u' F), then coef_j = (1/j!) d^j phi/dh^j at h = 0, symbolically, and evaluated in
 * MPFR at prec. coef[j n + i] must be initialised by the caller. Allocates (expressions, one
 * tape). */
int cor_drift_flow_hseries(mpfr_t *coef, cor_expr_pool *pool, size_t n, const cor_node *field,
                           const cor_node *vars, cor_node hvar, cor_node c, unsigned K,
                           const mpfr_t *theta0, mpfr_prec_t prec) COR_WARN_UNUSED;

/* Coefficients of the SGD epoch map theta_len(h) = sum_j coef_j h^j (exact: the iterate is
 * analytic in h), j = 0..K, for one order of the m batch losses (order[0..len), batch
 * numbers from 0), or, with order NULL, the mean over all m! orders of 0..m-1 (m <= 8).
 * Computed by Taylor-mode AD in h (cor_taylor series mode): theta_{s+1} = theta_s -
 * h grad L_{b_s}(theta_s) on truncated series. With m = 1 and len = N this is N GD steps.
 * coef initialised by the caller. Allocates. */
int cor_drift_sgd_hseries(mpfr_t *coef, cor_expr_pool *pool, size_t m, const cor_node *batches,
                          size_t n, const cor_node *vars, const size_t *order, size_t len,
                          unsigned K, const mpfr_t *theta0, mpfr_prec_t prec) COR_WARN_UNUSED;

/* ---- global error coefficients (P4) ------------------------------------------------------ */

/* The leading coefficients of the global errors at time T (PREDICTIONS P4):
 *     GD - GF(T) = h E1(T) + O(h^2),   GD - IGR_h(T) = h^2 E2(T) + O(h^3),
 * by integrating the variational equations along GF (cor_drift_ode, 3n unknowns):
 *     theta' = -g,  E1' = -H E1 - (1/2) H g,  E2' = -H E2 + f3,  E1(0) = E2(0) = 0,
 * f3 = -(1/12) T(g,g) - (1/3) H^2 g. Writes E1[0..n), E2[0..n) (initialised by the caller;
 * either may be NULL). Adds 2n variables __drift_e1_i, __drift_e2_i to the pool. tol as for
 * cor_drift_ode_alloc. Returns COR_OK, COR_STOPPED, or an error. Allocates. */
int cor_drift_global_coeffs(mpfr_t *E1, mpfr_t *E2, cor_expr_pool *pool, cor_node L, size_t n,
                            const cor_node *vars, const mpfr_t *theta0, mpfr_srcptr T,
                            mpfr_prec_t prec, double tol) COR_WARN_UNUSED;

/* ---- fits and rationals ---------------------------------------------------------------- */

/* Least-squares fit log err = p log h + log C over k >= 2 points (h, err > 0): *order = p,
 * *logc = log C (either may be NULL). COR_EINVAL for fewer than 2 points or a non-positive
 * or non-finite value. */
int cor_drift_fit_order(double *order, double *logc, size_t k, const double *h,
                        const double *err) COR_WARN_UNUSED;

/* Recognises x as a rational with denominator <= maxden: the continued-fraction convergent
 * p/q of x with the smallest q such that |x - p/q| <= 2^-bits max(1, |x|). Returns 1 and sets
 * q when one exists, 0 otherwise (q untouched). */
int cor_drift_recognize_q(mpq_t q, mpfr_srcptr x, unsigned long maxden, mpfr_prec_t bits);

#ifdef __cplusplus
}
#endif
#endif
