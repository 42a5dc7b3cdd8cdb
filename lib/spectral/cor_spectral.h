/* cor_spectral.h -- extreme Hessian eigenvalues (sharpness) and natural-gradient directions.
 *
 * Two tools used by the large-step and natural-gradient experiments, both written once
 * against cor_vspace.h and cor_objective.h, so that they run unchanged on f64, MPFR (at any
 * precision) and f32 spaces (a float32 network's flat parameter buffer):
 *
 *  1. Sharpness. The top eigenvalue of the Hessian H(x) of an objective (the "sharpness" of
 *     the edge-of-stability literature, PREDICTIONS.md P12/P13) by the Lanczos method on
 *     Hessian-vector products (cor_objective_hvp), or by power iteration as a fallback. Both
 *     also work on any symmetric linear operator given as a callback (cor_linop_fn).
 *
 *     Lanczos (with full reorthogonalisation, twice per step) builds the tridiagonal matrix
 *     T_j of the operator in the Krylov space of a start vector. After every step the
 *     extreme eigenvalue theta of T_j is computed by bisection on Sturm counts and its
 *     eigenvector y by two steps of inverse iteration (tridiagonal Gaussian elimination with
 *     partial pivoting), all in the space's scalars (so an MPFR run keeps its precision).
 *
 *     Stopping rule: with q_{j+1} the next Lanczos vector and beta_j = |r_j| the norm of the
 *     new residual before normalisation, the Ritz pair (theta, u = Q_j y) satisfies exactly
 *     (in exact arithmetic) A u - theta u = beta_j y_j q_{j+1}, so its residual norm is
 *     beta_j |y_j| (y_j the last component of the unit vector y). The iteration stops, as
 *     converged, at the first j with
 *         beta_j |y_j| <= tol * max(|theta|, |T|)      (|T| = Gershgorin bound of T_j),
 *     or when the Krylov space is exhausted (j = n, or beta_j <= eps |T|: an invariant
 *     subspace). Then |theta - lambda| <= beta_j |y_j| (Weyl/Kato: the Ritz value is within
 *     the residual of an eigenvalue) and, with a gap delta to the rest of the spectrum,
 *     |theta - lambda| <= (beta_j |y_j|)^2 / delta: the eigenvalue is accurate to about tol^2
 *     relative, the eigenvector to about tol. The default tol is 2^-ceil(p/2) at precision
 *     p, so the eigenvalue comes out to about full precision when the gap is not tiny. The
 *     Ritz value is the extreme eigenvalue of A on the Krylov space, and equals the extreme
 *     eigenvalue of A unless the start vector is (numerically) orthogonal to its
 *     eigenvector: the default start is pseudo-random (splitmix64 of the seed), for which
 *     that has probability zero. After stopping, the residual |A u - theta u| is recomputed
 *     from one more operator application (info.resid), so the estimate is checked.
 *
 *     Power iteration v <- A v / |A v| converges to the eigenvalue of largest *magnitude*
 *     (which is the sharpness when the Hessian has no larger negative eigenvalue), at the
 *     rate |lambda_2 / lambda_1| per step; it stops when |A v - theta v| <= tol * |theta|
 *     (theta = v^T A v, the Rayleigh quotient). It needs two vectors where Lanczos needs
 *     max_iter + 3, and is the fallback when memory is short.
 *
 *  2. Natural gradient. For a loss L(x) = l(f(x)) of model outputs f(x) in R^k with the
 *     Gauss-Newton/Fisher metric G = J^T J (J = df/dx, k x n), the natural gradient of the
 *     gradient grad L = J^T r (r = dl/df, the output residual) is the minimum-norm
 *     solution d = G^+ grad L = J^+ r. When J has full row rank (the outputs can be moved
 *     in every direction: "J onto"), J^+ = J^T (J J^T)^{-1}, so
 *         d = J^T z,  (J J^T + mu I) z = r          (mu = damping, default 0),
 *     solved here by Cholesky of the k x k Gram matrix in the space's scalars; then
 *     J d = r exactly: the outputs move as f' = -r under the natural-gradient flow. Which
 *     outputs enter the metric is the caller's choice, expressed by the rows its Jacobian
 *     callback returns (all outputs, or the observed ones only: doc/natural_gradient.md).
 *     A rank-deficient Gram matrix (a pivot <= k 2^-p max_i G_ii) is COR_EDOM: use damping,
 *     or the double-precision pseudo-inverse cor_natgrad_pinv_d (GSL SVD, any rank).
 *     cor_natgrad_objective_alloc wraps the direction as the "gradient" of an objective, so
 *     every stepper of lib/step runs on it: gd is natural-gradient descent, rk4 integrates
 *     the natural-gradient flow.
 *
 * Conventions: outputs first, the workspace first of all for its methods; statuses COR_OK,
 * outcomes COR_MAXITER (not converged: the best estimate is still written) and
 * COR_NONFINITE, errors COR_EINVAL, COR_EDOM, COR_ENOMEM recorded with COR_ERROR. Only the
 * _alloc functions allocate.
 */
#ifndef COR_SPECTRAL_H
#define COR_SPECTRAL_H

#include <stddef.h>
#include <stdint.h>

#include "cor_err.h"
#include "cor_objective.h"
#include "cor_vspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A symmetric linear operator: out = A in (out must not alias in). Returns a status;
 * COR_NONFINITE stops the eigensolvers with that outcome. */
typedef int (*cor_linop_fn)(cor_vec *out, const cor_vec *in, void *ctx);

/* Which extreme eigenvalue Lanczos looks for. */
typedef enum
{
    COR_EIG_LARGEST = 0, /* the algebraically largest (sharpness) */
    COR_EIG_SMALLEST = 1 /* the algebraically smallest */
} cor_eig_which;

/* What the last eigensolver call did. The scalars are owned by the workspace and valid until
 * its next call or free. */
typedef struct
{
    size_t iters;              /* Lanczos steps (Krylov dimension) or power iterations */
    size_t nops;               /* operator applications (HVPs), the final check included */
    int converged;             /* 1 if the stopping rule was met */
    const cor_scalar *resid_est; /* the residual bound used by the stopping rule */
    const cor_scalar *resid;   /* |A u - theta u|, recomputed at the end */
    const cor_scalar *other;   /* Lanczos: the opposite extreme Ritz value (smallest when
                                * LARGEST was asked); power: NULL */
} cor_spectral_info;

typedef struct cor_spectral cor_spectral;

/* A workspace for eigenvalue computations on the space V with at most max_iter Lanczos
 * steps (max_iter >= 1; 0 means min(n, 64)); capped at n. Allocates max_iter + 3 vectors
 * and O(max_iter) scalars. Default tol 2^-ceil(p/2) (p the space precision), seed 1,
 * power-iteration limit 10000. NULL on error (COR_EINVAL, COR_ENOMEM). */
cor_spectral *cor_spectral_alloc(const cor_vspace *V, size_t max_iter);
/* Frees w. NULL is a no-op. */
void cor_spectral_free(cor_spectral *w);
/* Sets the relative residual tolerance of the stopping rules (tol > 0; tol == 0 restores
 * the default). COR_EINVAL for tol < 0 or NaN. */
COR_WARN_UNUSED int cor_spectral_set_tol(cor_spectral *w, double tol);
/* Seed of the pseudo-random start vector (splitmix64; entries uniform in [-1, 1), read
 * through doubles so every backend starts from the same vector up to its rounding). */
void cor_spectral_set_seed(cor_spectral *w, uint64_t seed);
/* Iteration limit of power iteration (>= 1). */
COR_WARN_UNUSED int cor_spectral_set_power_maxiter(cor_spectral *w, size_t maxiter);
/* The maximal Lanczos dimension of w (after the cap at n). */
size_t cor_spectral_max_iter(const cor_spectral *w);

/* Lanczos on the operator A: lambda = the extreme eigenvalue `which`, u (if not NULL) its
 * unit eigenvector estimate. start: the start vector (any nonzero vector of V, not modified;
 * NULL: the pseudo-random one). info may be NULL. Returns COR_OK (converged), COR_MAXITER
 * (max_iter steps without meeting the rule: lambda and u are the best estimates),
 * COR_NONFINITE (the operator produced NaN/Inf), or an error (COR_EINVAL: NULL arguments,
 * vectors of another space, a zero start vector). u must not alias start. No allocation. */
COR_WARN_UNUSED int cor_spectral_lanczos(cor_spectral *w, cor_scalar *lambda, cor_vec *u,
                                         cor_linop_fn A, void *ctx, const cor_vec *start,
                                         cor_eig_which which, cor_spectral_info *info);
/* Power iteration on A: lambda = the Rayleigh quotient of the dominant (largest |lambda|)
 * eigenvector, u its estimate. Statuses as cor_spectral_lanczos. No allocation. */
COR_WARN_UNUSED int cor_spectral_power(cor_spectral *w, cor_scalar *lambda, cor_vec *u,
                                       cor_linop_fn A, void *ctx, const cor_vec *start,
                                       cor_spectral_info *info);
/* The sharpness of obj at x: the largest eigenvalue of the Hessian H(x), by Lanczos on
 * cor_objective_hvp (obj needs COR_OBJ_HVP: COR_EINVAL otherwise). start and info as for
 * cor_spectral_lanczos (pass the previous u as start to track the sharpness along a
 * trajectory). No allocation. */
COR_WARN_UNUSED int cor_spectral_sharpness(cor_spectral *w, cor_scalar *lambda, cor_vec *u,
                                           const cor_objective *obj, const cor_vec *x,
                                           const cor_vec *start, cor_spectral_info *info);
/* As cor_spectral_sharpness by power iteration on H(x) (the dominant eigenvalue). */
COR_WARN_UNUSED int cor_spectral_sharpness_power(cor_spectral *w, cor_scalar *lambda,
                                                 cor_vec *u, const cor_objective *obj,
                                                 const cor_vec *x, const cor_vec *start,
                                                 cor_spectral_info *info);

/* ---- natural gradient ------------------------------------------------------------------ */

/* A Jacobian callback: at x (a vector of V), rows[i] = grad f_i(x) (i < k, vectors of V)
 * and res[i] = r_i = dl/df_i (scalars of V) for the k outputs of the metric. The caller
 * guarantees grad L(x) = sum_i r_i grad f_i(x) for the loss the direction is used with;
 * cor_natgrad_consistency measures it. */
typedef int (*cor_jac_fn)(cor_vec *const *rows, cor_scalar *const *res, const cor_vec *x,
                          void *ctx);

typedef struct cor_natgrad cor_natgrad;

/* A natural-gradient workspace on V for k >= 1 metric outputs given by jac (ctx is passed
 * through; both must outlive the workspace). Allocates k + 1 vectors and O(k^2) scalars.
 * Damping mu = 0. NULL on error. */
cor_natgrad *cor_natgrad_alloc(const cor_vspace *V, size_t k, cor_jac_fn jac, void *ctx);
/* Frees w. NULL is a no-op. */
void cor_natgrad_free(cor_natgrad *w);
/* Sets the damping mu >= 0 from decimal text (read at the space precision). COR_EPARSE,
 * COR_EINVAL (negative). */
COR_WARN_UNUSED int cor_natgrad_set_damping(cor_natgrad *w, const char *text);
/* d = J^T (J J^T + mu I)^{-1} r at x (= J^+ r, the minimum-norm natural gradient, when
 * mu = 0 and J has full row rank). d must not alias x. Returns COR_OK, COR_NONFINITE,
 * COR_EDOM (the Gram matrix is numerically singular: J not onto; d is then zero),
 * COR_EINVAL. No allocation. */
COR_WARN_UNUSED int cor_natgrad_direction(cor_natgrad *w, cor_vec *d, const cor_vec *x);
/* The Gram matrix's smallest Cholesky pivot ratio min_i l_ii^2 / max_i G_ii of the last
 * cor_natgrad_direction call (a conditioning indicator), as a double. */
double cor_natgrad_last_pivot_ratio(const cor_natgrad *w);
/* err = |J^T r - grad L(x)| / max(|grad L(x)|, tiny) for obj (a check that the callback
 * matches the loss). Uses the workspace's vectors; no allocation. */
COR_WARN_UNUSED int cor_natgrad_consistency(cor_natgrad *w, cor_scalar *err,
                                            const cor_objective *obj, const cor_vec *x);
/* An objective on obj's space whose value is obj's and whose gradient is the natural
 * gradient d of w (value_grad: both). Lets every stepper run natural-gradient descent (gd)
 * or integrate the natural-gradient flow (rk4). w and obj must outlive it; free it with
 * cor_objective_free (it does not free w or obj). NULL on error (COR_EINVAL if w and obj
 * have different spaces or obj has no value). */
cor_objective *cor_natgrad_objective_alloc(cor_natgrad *w, const cor_objective *obj);

/* Double precision pseudo-inverse natural gradient for any rank: d[0..n) = J^+ r, J the
 * k x n row-major matrix (k, n >= 1), r[0..k), computed from the SVD of J^T (GSL,
 * one-sided Jacobi) with singular values below rcond * s_max dropped (rcond <= 0: 1e-12).
 * *rank (if not NULL) receives the number kept. Returns COR_OK, COR_EINVAL, COR_ENOMEM,
 * COR_NONFINITE. Allocates and frees its own workspace. */
COR_WARN_UNUSED int cor_natgrad_pinv_d(double *d, const double *J, const double *r, size_t k,
                                       size_t n, double rcond, size_t *rank);

#ifdef __cplusplus
}
#endif
#endif
