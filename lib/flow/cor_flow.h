/* cor_flow.h -- gradient-flow integrators: theta' = -grad L(theta), theta(0) = theta0.
 *
 * One object (cor_flow) behind one interface, several methods:
 *  - COR_FLOW_TAYLOR: an adaptive Taylor-series integrator in MPFR at a chosen precision,
 *    driven by Taylor-mode AD of -grad L on a compiled tape (cor_taylor.h). The order comes
 *    from the tolerance, p = ceil(-ln(tol)/2 + 1) (Jorba & Zou 2005), and the step from the
 *    last two Taylor coefficients: rho_j = (M / |x_[j]|_inf)^(1/j) for j = p-1, p, with
 *    M = max(1, |theta|_inf) (absolute control for |theta| <= 1, relative above), and
 *    h = min(rho_{p-1}, rho_p) e^-2 e^(-0.7/(p-1)) (Jorba-Zou's law with heyoka's safety
 *    factor): with rho the series' radius of convergence the terms decay like (h/rho)^k =
 *    e^(-2k), so the truncated tail after p terms is about M e^(-2p) <= M tol e^-2. The last
 *    step lands exactly on the final time. Dense output: the Taylor polynomial of every step
 *    can be kept, so theta(t) anywhere is one Horner evaluation.
 *  - COR_FLOW_TAYLOR_D: the same algorithm (the same source) in IEEE double.
 *  - COR_FLOW_RK8PD, COR_FLOW_MSBDF: GSL odeiv2 in double (msbdf with the exact Jacobian
 *    -Hessian from its own tape), relative and absolute tolerance tol (at least 1e-14).
 *  - COR_FLOW_EXACT: closed forms. A quadratic loss (constant Hessian A) flows as
 *    theta(t) = theta0 - phi(A, t) g0, phi(lambda, t) = (1 - e^(-lambda t))/lambda (t for
 *    lambda = 0), g0 = grad L(theta0): this is theta* + e^(-At)(theta0 - theta*) and also holds
 *    for singular A. A diagonal A is done exactly in MPFR (expm1 per coordinate); a
 *    non-diagonal A by gsl_eigen_symmv in double when prec <= 53, and at higher precision by
 *    the Taylor integrator (a quadratic's flow is entire, so the series method is accurate to
 *    tol; stats.exact_kind says "quadratic-taylor"). Any other loss is treated as a corridor:
 *    theta(t) = theta0 - t g0, which is the flow exactly as long as grad L stays equal to g0
 *    along the line (P2); the integrator checks grad L at the final time and, if it differs,
 *    finds the time where the line leaves the corridor by bisection and stops there
 *    (COR_STOPPED).
 *
 * Hard cases are reported, not hidden: a non-finite value, a kink reached (abs, sign,
 * min/max, select at a tie; sqrt reaching 0, as at the apex of a cone), an argument of
 * log/log1p/pow leaving its domain, or steps collapsing below the working precision (a
 * finite-time singularity) stop the integration with COR_STOPPED and the time reached.
 *
 * Memory: a flow allocates its tapes and workspaces in cor_flow_alloc; with dense output off
 * the step loop of the Taylor methods allocates nothing (MPFR's exp/log/... allocate and free
 * their own temporaries at order 0); with dense output on, each step adds one block to the
 * store (one allocation per step, amortised doubling of the index).
 */
#ifndef COR_FLOW_H
#define COR_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_expr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
    COR_FLOW_TAYLOR = 0, /* Taylor series in MPFR */
    COR_FLOW_TAYLOR_D,   /* Taylor series in double */
    COR_FLOW_RK8PD,      /* GSL odeiv2 rk8pd, double */
    COR_FLOW_MSBDF,      /* GSL odeiv2 msbdf with the exact Jacobian, double */
    COR_FLOW_EXACT,      /* closed forms: quadratic, corridor line */
    COR_FLOW_METHOD_COUNT_
} cor_flow_method;

/* Options; zero-initialise and set what is needed (cor_flow_opts_init gives the defaults). */
typedef struct
{
    double tol;          /* tolerance (default 1e-30; double methods: at least 1e-14) */
    unsigned order;      /* Taylor order, 0: from tol */
    int dense;           /* keep every step's polynomial for cor_flow_eval (Taylor methods) */
    uint64_t max_steps;  /* 0: 10^7 */
} cor_flow_opts;

/* What the last solve did. */
typedef struct
{
    int status;            /* status of the last solve */
    uint64_t steps;        /* accepted steps (Taylor), or GSL's steps */
    unsigned order;        /* Taylor order used */
    double t_reached;      /* final time reached (also cor_flow_t_reached, in MPFR) */
    double err_est;        /* a-priori error estimate of theta at t_reached (absolute, inf-norm):
                            * Taylor: sum over steps of |x_[p]|_inf h^p (the last term kept,
                            * about e^2 times the first term dropped) plus
                            * steps * p * 2^-prec * max(1, |theta|); GSL: tol * max(1,|theta|)
                            * * steps^(1/2); exact: 2^(8-prec) max(1, |theta|) */
    double h_min, h_max;   /* smallest and largest step (Taylor) */
    const char *exact_kind; /* COR_FLOW_EXACT: "quadratic", "quadratic-taylor", "line" */
    const char *stop_reason; /* NULL, or why the integration stopped early */
} cor_flow_stats;

typedef struct cor_flow cor_flow;

/* The default options: tol 1e-30, order from tol, no dense output, 10^7 steps at most. */
void cor_flow_opts_init(cor_flow_opts *o);

/* The method's name ("taylor", "taylor-double", "rk8pd", "msbdf", "exact"). */
const char *cor_flow_method_name(cor_flow_method m);
/* Reads a method name into *m (also "taylor-d"); COR_EINVAL naming the text otherwise. */
int cor_flow_method_parse(cor_flow_method *m, const char *name) COR_WARN_UNUSED;

/* A flow of the loss L (a node of pool) in the variables vars[0..n) with method m, computing
 * at precision prec (MPFR methods; the double methods ignore it, their results are exact
 * in any mpfr_t). Builds -grad L (and the Hessian for msbdf and exact) in pool, which must
 * outlive the flow and is modified (new nodes only). opts may be NULL (defaults). NULL on
 * error: COR_EINVAL (n == 0, bad tol, bad precision), COR_EUNSUP (GSL methods on a loss
 * whose gradient cannot be evaluated in double is not detected here), COR_ENOMEM. Allocates
 * all workspaces. */
cor_flow *cor_flow_alloc(cor_flow_method m, cor_expr_pool *pool, cor_node loss, size_t n,
                         const cor_node *vars, mpfr_prec_t prec, const cor_flow_opts *opts);
/* Frees the flow; NULL is a no-op. */
void cor_flow_free(cor_flow *f);

/* Integrates from theta0 (n values, read exactly then rounded to the working precision) and
 * writes theta at the times[0..nt) into out[k*n + i] (rounded to out's precisions). times
 * must be finite, >= 0 and nondecreasing (COR_EINVAL otherwise); the integration ends at
 * times[nt-1]. Times after the point where the flow stopped get NaN. out must not overlap
 * theta0 or times. Returns COR_OK, COR_STOPPED (kink, domain left, singularity: see
 * stats.stop_reason and cor_flow_t_reached), COR_MAXITER, or an error. The Taylor methods
 * evaluate the requested times on each step's polynomial, so many times cost one Horner
 * evaluation each. Allocates only for dense output (one block per step). */
int cor_flow_solve(cor_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times,
                   const mpfr_t *theta0) COR_WARN_UNUSED;

/* theta(t) from the last solve, for 0 <= t <= t_reached: a Horner evaluation of the stored
 * step polynomial (Taylor methods with opts.dense), or the closed form (exact method).
 * COR_EUNSUP for the GSL methods or without dense output, COR_EINVAL before a solve or for t
 * outside [0, t_reached]. theta must not overlap anything of f. Allocates nothing. */
int cor_flow_eval(cor_flow *f, mpfr_t *theta, mpfr_srcptr t) COR_WARN_UNUSED;

/* The time the last solve reached (its last time, or where it stopped). */
mpfr_srcptr cor_flow_t_reached(const cor_flow *f);
/* Statistics of the last solve. */
void cor_flow_get_stats(const cor_flow *f, cor_flow_stats *st);
/* The -grad L nodes (n of them) the flow integrates, in its pool. */
const cor_node *cor_flow_field(const cor_flow *f);

/* Checks the last solve's result at time T: integrates again from theta0 to T with the same
 * method at tolerance tol * 1e-10 (double methods: tol / 100, at least 1e-14) and precision
 * prec + 64, and writes max_i |theta_i - theta'_i| / max(1, |theta'_i|) into *agreement.
 * Allocates a second flow (not in any step loop). Returns the status of the second run, or
 * an error. */
int cor_flow_verify(cor_flow *f, double *agreement, const mpfr_t *theta0,
                    mpfr_srcptr T) COR_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
