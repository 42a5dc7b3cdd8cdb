/* cor_taylor.h -- Taylor-mode automatic differentiation on compiled tapes (MPFR and double).
 *
 * A Taylor workspace runs a tape (cor_eval.h) on truncated power series instead of numbers:
 * every register holds the coefficients u_[0..K] of u(t) = sum_k u_[k] t^k. Sums are
 * linear, products are Cauchy products (convolutions), and every elementary function is
 * propagated by the recurrence that follows from a first-order ODE it satisfies (exp:
 * v' = v u'; log: u v' = u'; sqrt: v^2 = u; sin/cos together; tan: v' = (1 + v^2) u'; ...;
 * the derivations are in taylor_source.c). Coefficient k of a register costs O(k) operations,
 * so a whole series costs O(K^2) per instruction.
 *
 * Two uses:
 *  - series mode (cor_taylor_*_series): the inputs are given series, the outputs are
 *    returned as series -- f(x0 + x1 t + ...) to order K;
 *  - ODE mode (cor_taylor_*_ode): for a tape whose outputs F(theta) are a vector field of the
 *    inputs theta (nout == nin), the Taylor coefficients of the solution of theta' = F(theta),
 *    theta(0) = x0, by theta_[k+1] = F_[k] / (k + 1). For the gradient flow the tape is that of
 *    F = -grad L.
 *
 * Non-smooth operations (abs, sign, min, max, select) take their branch from the order-0
 * values and propagate that branch (a constant sign); a value exactly at a kink (abs or sign
 * of an exact 0, min/max of equal values, select on an exact 0) is reported as COR_STOPPED
 * (the series is still computed with the branch "a >= b" / "a >= 0"). Inside a step, where a
 * kink or a domain boundary may be crossed, cor_taylor_*_event finds the first crossing.
 *
 * Memory: every coefficient of every register (at the workspace precision) and every
 * temporary is allocated in _alloc for a maximum order; the other functions allocate
 * nothing (MPFR's exp, log, sin ... allocate and free their own working temporaries, only at
 * order 0: the higher orders use arithmetic only).
 *
 * A workspace is not thread safe; distinct workspaces of one tape are independent.
 */
#ifndef COR_TAYLOR_H
#define COR_TAYLOR_H

#include <stddef.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_eval.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_taylor_mpfr cor_taylor_mpfr;
typedef struct cor_taylor_d cor_taylor_d;

/* ---- MPFR ------------------------------------------------------------------------------ */

/* A Taylor workspace for tape, for series up to order max_order (>= 1), every coefficient
 * at precision prec. The tape must outlive the workspace. NULL on error (COR_EINVAL for a bad
 * precision or order, COR_ENOMEM). Allocates everything the other functions need. */
cor_taylor_mpfr *cor_taylor_mpfr_alloc(const cor_tape *tape, unsigned max_order,
                                       mpfr_prec_t prec);
/* Frees the workspace; NULL is a no-op. */
void cor_taylor_mpfr_free(cor_taylor_mpfr *w);
/* The maximum order and the precision the workspace was allocated for. */
unsigned cor_taylor_mpfr_max_order(const cor_taylor_mpfr *w);
mpfr_prec_t cor_taylor_mpfr_prec(const cor_taylor_mpfr *w);

/* Series mode. in[j*(order+1) + k] is coefficient k of input j (k = 0..order), out[i*(order+1)
 * + k] receives coefficient k of output i (rounded to out's precision). order <= max_order.
 * out must not overlap in. Returns COR_OK, COR_STOPPED (a kink at order 0, see above),
 * COR_NONFINITE (a coefficient of an output is NaN or infinite; all are still written), or
 * COR_EINVAL (order too large). Allocates nothing. */
int cor_taylor_mpfr_series(cor_taylor_mpfr *w, mpfr_t *out, const mpfr_t *in,
                           unsigned order) COR_WARN_UNUSED;

/* ODE mode (nin == nout, COR_EBADLEN otherwise). x[i*(order+1) + k] receives theta_i,[k],
 * k = 0..order, of the solution of theta' = F(theta), theta(0) = x0 (x0[i] read exactly,
 * rounded to the workspace precision). x must not overlap x0. The registers then hold their
 * series to order - 1 (what cor_taylor_mpfr_event reads). Returns COR_OK, COR_STOPPED (kink
 * at order 0), COR_NONFINITE (a coefficient is not finite), COR_EINVAL, COR_EBADLEN.
 * Allocates nothing. */
int cor_taylor_mpfr_ode(cor_taylor_mpfr *w, mpfr_t *x, const mpfr_t *x0,
                        unsigned order) COR_WARN_UNUSED;

/* After cor_taylor_mpfr_ode (with order p), looks for the first s in (0, h] at which one of
 * the tape's non-smooth or domain-limited quantities changes sign, evaluated on its series
 * truncated at degree p - 1: the argument of abs, sign and select, a - b for min and max, the
 * argument and the value of sqrt, the argument of log and pow, 1 + the argument of log1p.
 * If there is one, writes it (located by bisection to the working precision: the
 * returned s is the right end of the final bracket, so the quantity has changed sign or is 0
 * at s) into s and returns 1; otherwise returns 0 and leaves s alone. h > 0. A sign change
 * inside (0, h] with no sign difference between 0 and h (an even number of crossings) is
 * not seen; steps are short compared with the series' radius, so this needs two crossings
 * in a step. Allocates nothing. */
int cor_taylor_mpfr_event(cor_taylor_mpfr *w, mpfr_ptr s, mpfr_srcptr h);

/* Precision profile: coefficient k (1 <= k <= min(order, max_order)) of every register,
 * auxiliary series and per-order temporary gets precision prec[k] (prec[0] is not read),
 * clamped to [2, the workspace precision]; order 0 keeps the workspace precision. The
 * profile stays until changed (pass the workspace precision to restore it). In a Taylor
 * step whose terms x_[k] h^k decay, coefficient k contributes x_[k] h^k to the result and
 * needs only as many bits as make its rounding error small next to the result's: a
 * profile falling with k (the well-known precision-decay trick) makes the high orders
 * cheaper at no loss of accuracy; cor_flow chooses it from the previous step. Allocates
 * nothing (the significands were allocated at the workspace precision); the changed
 * coefficients are set to 0. */
void cor_taylor_mpfr_set_prec_profile(cor_taylor_mpfr *w, const mpfr_prec_t *prec,
                                      unsigned order);

/* The intermediate quantities' side of a precision profile. After an ODE or series call,
 * l[k] (1 <= k <= min(order, max_order); l[0] is set to -inf) receives the largest, over
 * every register and auxiliary series s of the tape, of log|s_[k] h^k| minus the log of the
 * largest lower-order term |s_[j] h^j|, j < k, of the same series, with lh = log h: how
 * small order k's term is next to what that series already carries. A profile built from
 * the solution's coefficients alone misses cancellation (inside a corridor the solution is
 * a straight line, x_[k] = 0 for k >= 2, while |theta|^2 under the square root of a cone
 * has a term in t^2 of size 1); coefficient k needs about prec + l[k]/ln 2 bits in the
 * registers too, so a profile must not fall faster than l. +inf where a series has a
 * nonzero order-k term and no nonzero lower one (full precision). Allocates nothing. */
void cor_taylor_mpfr_term_envelope(const cor_taylor_mpfr *w, double *l, unsigned order,
                                   double lh);

/* ---- double ---------------------------------------------------------------------------- */

/* The same in IEEE double (the constants rounded once to nearest). */
cor_taylor_d *cor_taylor_d_alloc(const cor_tape *tape, unsigned max_order);
/* Frees the workspace; NULL is a no-op. */
void cor_taylor_d_free(cor_taylor_d *w);
/* The maximum order the workspace was allocated for. */
unsigned cor_taylor_d_max_order(const cor_taylor_d *w);
/* As cor_taylor_mpfr_series, on doubles. */
int cor_taylor_d_series(cor_taylor_d *w, double *out, const double *in,
                        unsigned order) COR_WARN_UNUSED;
/* As cor_taylor_mpfr_ode, on doubles. */
int cor_taylor_d_ode(cor_taylor_d *w, double *x, const double *x0,
                     unsigned order) COR_WARN_UNUSED;
/* As cor_taylor_mpfr_event, on doubles (bisection to one ulp). */
int cor_taylor_d_event(cor_taylor_d *w, double *s, double h);

#ifdef __cplusplus
}
#endif
#endif
