/* gd.c -- gradient descent: x_{k+1} = x_k - h grad L(x_k).
 *
 * The update is one axpby, x = 1*x + (-h)*g: on MPFR one correctly rounded mpfr_fmma per
 * element, so inside a corridor (g constant along the line) the iterates differ from the
 * gradient-flow points x0 - kh g0 only by rounding (PREDICTIONS.md P3). Explicit Euler on the
 * gradient flow, order 1. Uses: value_grad, nrm2, axpby, scalar neg/set. */
#include "config.h"

#include "step_impl.h"

static int
gd_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 0));
    COR_STEP_TRY(cor_scalar_set(s->lr, h));
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, h, s->V));
    COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->neg, s->g, s->V));
    return cor_step_check_x_internal(s, x);
}

const cor_step_type cor_step_gd = {
    "gd", COR_NEED_GRAD, 1, NULL, NULL, NULL, NULL, gd_apply, NULL, NULL, NULL, NULL,
};
