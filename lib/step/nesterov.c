/* nesterov.c -- Nesterov's accelerated gradient with constant momentum, in the form that
 * evaluates the gradient at the iterate itself (as PyTorch's nesterov=True):
 *     b_{k+1} = beta b_k + g(x_k),   x_{k+1} = x_k - h (g(x_k) + beta b_{k+1}).
 * This is Sutskever's form v' = beta v - h g(x + beta v), x' = x + v rewritten in the variable
 * x + beta v, so the losses reported are those of the points where gradients are taken.
 * Parameters: "beta" (default 0.9). b_0 = 0. Uses: value_grad, nrm2, axpby, zero. */
#include "config.h"

#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

typedef struct
{
    cor_vec *b, *d;
    cor_scalar *beta;
} nag_state;

static int
nag_alloc(cor_step *s)
{
    nag_state *st = cor_calloc(1, sizeof *st);
    cor_vec *vv[2];

    if (!st)
        return COR_ERROR(COR_ENOMEM, "nesterov: out of memory");
    s->state = st;
    if (cor_step_alloc_vecs_internal(s, vv, 2) != COR_OK)
        return COR_ENOMEM;
    st->b = vv[0];
    st->d = vv[1];
    if (cor_step_alloc_scalars_internal(s, &st->beta, 1) != COR_OK)
        return COR_ENOMEM;
    return cor_scalar_set_q(st->beta, 9, 10);
}

static void
nag_free(cor_step *s)
{
    nag_state *st = s->state;

    if (!st)
        return;
    cor_vec_free(st->b);
    cor_vec_free(st->d);
    cor_scalar_free(st->beta);
    cor_free(st);
}

static int
nag_reset(cor_step *s)
{
    nag_state *st = s->state;

    return cor_vec_zero(st->b, s->V);
}

static int
nag_set_param(cor_step *s, const char *name, const char *value)
{
    nag_state *st = s->state;

    if (strcmp(name, "beta") == 0)
        return cor_step_parse_scalar_internal(st->beta, name, value);
    return COR_STEP_UNKNOWN;
}

static int
nag_state_io(cor_step *s, struct cor_step_state_io *io)
{
    nag_state *st = s->state;

    return cor_step_state_vec_internal(io, st->b);
}

static int
nag_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    nag_state *st = s->state;

    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 0));
    COR_STEP_TRY(cor_scalar_set(s->lr, h));
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, h, s->V));
    COR_STEP_TRY(cor_vec_axpby(st->b, st->beta, st->b, s->one, s->g, s->V));
    COR_STEP_TRY(cor_vec_axpby(st->d, s->one, s->g, st->beta, st->b, s->V));
    COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->neg, st->d, s->V));
    return cor_step_check_x_internal(s, x);
}

const cor_step_type cor_step_nesterov = {
    "nesterov", COR_NEED_GRAD, 1, NULL, nag_alloc, NULL, nag_reset, nag_apply, nag_set_param,
    NULL, nag_free, nag_state_io,
};
