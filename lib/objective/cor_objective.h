/* cor_objective.h -- the objective interface: value, gradient, Hessian-vector product, H grad L.
 *
 * An objective is what a stepper (lib/step) or a flow integrator sees of a loss: a struct of
 * function pointers plus an opaque params pointer, in the style of GSL's multimin
 * gsl_multimin_function_fdf, extended with hvp, hg (H grad L) and batch selection. It works on
 * the vectors and scalars of one vector space V (lib/vspace): every argument of the function
 * pointers is a cor_vec of dimension n or a cor_scalar of V. The same stepper code therefore
 * drives an expression evaluated in MPFR, the same expression in double or float, and a
 * float32 network whose parameters are one flat buffer.
 *
 * Two implementations live here:
 *  - the expression objective (cor_expr_objective_alloc): a loss expression of a pool,
 *    differentiated exactly (lib/diff) and compiled into tapes (lib/eval) evaluated in double
 *    (f64 and f32 spaces, converting at the boundary) or in MPFR at the space precision;
 *  - the batch objective (cor_expr_objective_alloc_batches): m batch losses L_1..L_m whose
 *    mean (or a given full loss) is the loss, with cor_objective_select_batch choosing what
 *    the evaluation functions compute: one batch loss, or the full loss.
 * Users may fill a cor_objective themselves (a struct on the stack, as with GSL); the
 * dispatch functions below check the capability flags and the arguments, then call through.
 *
 * Conventions (STYLE.md 6-8): outputs first, then inputs, the objective first of all.
 * Statuses: COR_OK; COR_NONFINITE (an outcome) when a computed value is NaN or infinite (the
 * outputs are still written); errors COR_EINVAL (NULL, wrong dimension or space),
 * COR_EUNSUP (capability missing), COR_ENOMEM, recorded with COR_ERROR. Outputs must not alias
 * the inputs (g != x, hv != x, hv != v). Evaluation never allocates (the expression objective
 * preallocates every buffer and MPFR number at construction).
 */
#ifndef COR_OBJECTIVE_H
#define COR_OBJECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cor_err.h"
#include "cor_expr.h"
#include "cor_vspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Capability flags of an objective (cor_objective.flags). */
enum
{
    COR_OBJ_VALUE = 1u << 0,      /* value(L, x) */
    COR_OBJ_GRAD = 1u << 1,       /* grad(g, x) */
    COR_OBJ_VALUE_GRAD = 1u << 2, /* value_grad(L, g, x), one pass */
    COR_OBJ_HVP = 1u << 3,        /* hvp(hv, x, v) = H(x) v */
    COR_OBJ_HG = 1u << 4,         /* hg(hg, x) = H(x) grad L(x) */
    COR_OBJ_BATCHES = 1u << 5     /* nbatches >= 1 batch losses and select_batch */
};

/* Requests for cor_expr_objective_alloc: which extra tapes to compile (the value and
 * gradient tapes are always compiled). */
enum
{
    COR_OBJ_WANT_HVP = 1u << 0,
    COR_OBJ_WANT_HG = 1u << 1
};

/* The batch index that selects the full loss. */
#define COR_BATCH_FULL SIZE_MAX

/* An objective on the space V. The function pointers receive params last (as GSL); a NULL
 * pointer means the capability is absent (flags must agree). */
typedef struct cor_objective
{
    const cor_vspace *V; /* the space of every vector and scalar passed */
    size_t n;            /* dimension */
    unsigned flags;      /* COR_OBJ_* capabilities */
    size_t nbatches;     /* number of batch losses (0 without batches) */
    int (*value)(cor_scalar *L, const cor_vec *x, void *params);
    int (*grad)(cor_vec *g, const cor_vec *x, void *params);
    int (*value_grad)(cor_scalar *L, cor_vec *g, const cor_vec *x, void *params);
    int (*hvp)(cor_vec *hv, const cor_vec *x, const cor_vec *v, void *params);
    int (*hg)(cor_vec *hg, const cor_vec *x, void *params);
    /* k < nbatches selects batch loss k, COR_BATCH_FULL the full loss. */
    int (*select_batch)(size_t k, void *params);
    /* Frees params (called by cor_objective_free); may be NULL. */
    void (*free_params)(void *params);
    void *params;
} cor_objective;

/* ---- dispatch -------------------------------------------------------------------------- */

/* L = loss at x. Returns COR_OK, COR_NONFINITE, COR_EINVAL (NULL or dimension), COR_EUNSUP
 * (no value function). Does not allocate. */
COR_WARN_UNUSED int cor_objective_value(const cor_objective *obj, cor_scalar *L,
                                        const cor_vec *x);
/* g = grad L(x) (g must not alias x). COR_EUNSUP without a grad function. Does not
 * allocate. */
COR_WARN_UNUSED int cor_objective_grad(const cor_objective *obj, cor_vec *g, const cor_vec *x);
/* L = loss and g = gradient at x in one pass (value_grad), or by value then grad when the
 * objective has no value_grad. Either output may be NULL (then it is not computed, except
 * that value_grad computes both). Does not allocate. */
COR_WARN_UNUSED int cor_objective_value_grad(const cor_objective *obj, cor_scalar *L, cor_vec *g,
                                             const cor_vec *x);
/* hv = H(x) v. COR_EUNSUP without COR_OBJ_HVP. hv must not alias x or v. */
COR_WARN_UNUSED int cor_objective_hvp(const cor_objective *obj, cor_vec *hv, const cor_vec *x,
                                      const cor_vec *v);
/* out = H(x) grad L(x), the corridor field. COR_EUNSUP without COR_OBJ_HG. */
COR_WARN_UNUSED int cor_objective_hg(const cor_objective *obj, cor_vec *out, const cor_vec *x);
/* Selects batch k (0 <= k < nbatches) or the full loss (COR_BATCH_FULL) for the following
 * evaluations. COR_EINVAL for k out of range, COR_EUNSUP for an objective without batches
 * (except COR_BATCH_FULL, which is then a no-op returning COR_OK). */
COR_WARN_UNUSED int cor_objective_select_batch(const cor_objective *obj, size_t k);
/* Nonzero when obj has every capability in flags. */
int cor_objective_has(const cor_objective *obj, unsigned flags);
/* Frees an objective returned by one of the _alloc functions of this module: calls
 * free_params, then frees the struct. NULL is a no-op. Never call it on a caller-owned
 * struct (free its params yourself). */
void cor_objective_free(cor_objective *obj);

/* ---- expression objectives -------------------------------------------------------------- */

/* The loss f (a node of pool) as a function of the n variables vars[0..n) (VAR nodes, in
 * coordinate order), on the space V (dimension n). Builds the exact gradient in the pool and
 * compiles tapes for (L) and (L, grad L); with COR_OBJ_WANT_HG also (L, grad L, H grad L),
 * with COR_OBJ_WANT_HVP a tape for H v with n fresh direction variables (named __cor_dir1 ..
 * __cor_dirN, created in the pool: the pool gains n variables and the nodes of the
 * derivatives). Evaluation: f64 and f32 spaces run the double tapes (f32 inputs are widened
 * exactly, outputs rounded once to float); MPFR spaces run MPFR tapes at the space precision
 * (constants rounded once from their exact rationals), the inputs copied exactly. The tapes
 * own their constants, so the pool is needed only during this call. V must outlive the
 * objective.
 * Returns NULL on error (COR_EINVAL: bad arguments, a variable of f not among vars, dimension
 * mismatch with V; COR_ENOMEM). Allocates every buffer now; evaluation allocates nothing
 * except inside MPFR's own transcendental functions (exp, log, ...), which use and free
 * temporary memory of their own. */
cor_objective *cor_expr_objective_alloc(cor_expr_pool *pool, cor_node f, size_t n,
                                        const cor_node *vars, const cor_vspace *V,
                                        unsigned want);

/* A batch objective: m >= 1 batch losses batches[0..m), nodes of pool in the variables
 * vars[0..n). The full loss is full, or, when full == COR_NODE_NONE, the plain mean
 * (1/m) sum_k batches[k] (built exactly in the pool). Batch k is selected with
 * cor_objective_select_batch (the full loss is selected initially). want as for
 * cor_expr_objective_alloc; HG and HVP tapes are compiled for the full loss and for every
 * batch. Returns NULL on error. Allocates now, never during evaluation. */
cor_objective *cor_expr_objective_alloc_batches(cor_expr_pool *pool, cor_node full, size_t m,
                                                const cor_node *batches, size_t n,
                                                const cor_node *vars, const cor_vspace *V,
                                                unsigned want);

#ifdef __cplusplus
}
#endif
#endif
