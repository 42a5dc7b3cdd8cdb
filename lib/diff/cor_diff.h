/* cor_diff.h -- exact derivatives as new expressions (symbolic reverse mode on the DAG).
 *
 * Derivatives are built in the pool of the function, so they are expressions like any other:
 * they can be printed, evaluated at any precision, combined (a modified loss such as
 * L + (h/4)|grad L|^2) and differentiated again. The gradient is built by one reverse sweep
 * over the DAG (adjoints accumulated as n-ary sums), so its size is O(size of f), and the
 * Hessian-vector product is the gradient of grad(f).v, O(size of f) again.
 *
 * Conventions at non-smooth points: d|u| = sign(u) du with sign(0) = 0; d min(a,b) takes the
 * branch of a when a <= b; d max(a,b) the branch of a when a >= b; sign and the condition of
 * select have derivative 0. pow(a,b) = exp(b log a) is differentiated for a > 0.
 *
 * All functions return COR_OK, COR_EINVAL (a var that is not a VAR node, or n == 0) or
 * COR_ENOMEM; on error the output array is left unspecified.
 */
#ifndef COR_DIFF_H
#define COR_DIFF_H

#include "cor_expr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* grad[i] = d f / d vars[i], i < n. vars are VAR nodes (any subset, any order). */
int cor_diff_grad(cor_node *grad, cor_expr_pool *pool, cor_node f, size_t n,
                  const cor_node *vars) COR_WARN_UNUSED;

/* Directional derivative sum_i d f/d vars[i] * dir[i] (forward mode). */
int cor_diff_dir(cor_node *out, cor_expr_pool *pool, cor_node f, size_t n,
                 const cor_node *vars, const cor_node *dir) COR_WARN_UNUSED;

/* Hessian-vector product: hv[i] = sum_j d^2 f / d vars[i] d vars[j] * v[j], built as the
 * gradient of sum_j grad[j] v[j] where grad = cor_diff_grad(f). The v[j] must not depend on
 * vars (constants, or other variables such as a fresh direction vector). grad may be NULL,
 * then it is computed. */
int cor_diff_hvp(cor_node *hv, cor_expr_pool *pool, cor_node f, const cor_node *grad,
                 size_t n, const cor_node *vars, const cor_node *v) COR_WARN_UNUSED;

/* H grad f, the corridor field: hg = grad(|grad f|^2 / 2) (H is symmetric). grad may be
 * NULL, then it is computed. */
int cor_diff_hg(cor_node *hg, cor_expr_pool *pool, cor_node f, const cor_node *grad,
                size_t n, const cor_node *vars) COR_WARN_UNUSED;

/* Full Hessian, row-major n x n: hess[i*n+j] = d^2 f / d vars[i] d vars[j]. grad may be
 * NULL. Entries are hash-consed, so symmetric entries share nodes when they coincide. */
int cor_diff_hessian(cor_node *hess, cor_expr_pool *pool, cor_node f, const cor_node *grad,
                     size_t n, const cor_node *vars) COR_WARN_UNUSED;

/* |grad f|^2 = sum_i grad[i]^2 as an expression (grad may be NULL). */
int cor_diff_grad_norm2(cor_node *out, cor_expr_pool *pool, cor_node f, const cor_node *grad,
                        size_t n, const cor_node *vars) COR_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
