/* adam.c -- Adam (Kingma & Ba 2015), for comparison:
 *     m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g.g,
 *     x = x - h sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps sqrt(1-b2^t)),
 * which equals the textbook x - h mhat/(sqrt(vhat) + eps) with mhat = m/(1-b1^t),
 * vhat = v/(1-b2^t) (multiply numerator and denominator by sqrt(1-b2^t)). b1^t and b2^t are
 * running products. Parameters "beta1" (0.9), "beta2" (0.999), "eps" (1e-8). Uses:
 * value_grad, nrm2, axpby, mul, sqrt, addc, div, scalar arithmetic. */
#include "config.h"

#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

typedef struct
{
    cor_vec *m, *v, *t;
    cor_scalar *b1, *b2, *eps, *b1t, *b2t, *c1, *c2, *a;
} adam_state;

static int
adam_alloc(cor_step *s)
{
    adam_state *st = cor_calloc(1, sizeof *st);
    cor_vec *vv[3];
    cor_scalar *sc[8];

    if (!st)
        return COR_ERROR(COR_ENOMEM, "adam: out of memory");
    s->state = st;
    if (cor_step_alloc_vecs_internal(s, vv, 3) != COR_OK)
        return COR_ENOMEM;
    st->m = vv[0], st->v = vv[1], st->t = vv[2];
    if (cor_step_alloc_scalars_internal(s, sc, 8) != COR_OK)
        return COR_ENOMEM;
    st->b1 = sc[0], st->b2 = sc[1], st->eps = sc[2], st->b1t = sc[3];
    st->b2t = sc[4], st->c1 = sc[5], st->c2 = sc[6], st->a = sc[7];
    COR_STEP_TRY(cor_scalar_set_q(st->b1, 9, 10));
    COR_STEP_TRY(cor_scalar_set_q(st->b2, 999, 1000));
    return cor_scalar_set_str(st->eps, "1e-8");
}

static void
adam_free(cor_step *s)
{
    adam_state *st = s->state;

    if (!st)
        return;
    cor_vec_free(st->m);
    cor_vec_free(st->v);
    cor_vec_free(st->t);
    cor_scalar_free(st->b1);
    cor_scalar_free(st->b2);
    cor_scalar_free(st->eps);
    cor_scalar_free(st->b1t);
    cor_scalar_free(st->b2t);
    cor_scalar_free(st->c1);
    cor_scalar_free(st->c2);
    cor_scalar_free(st->a);
    cor_free(st);
}

static int
adam_reset(cor_step *s)
{
    adam_state *st = s->state;

    COR_STEP_TRY(cor_vec_zero(st->m, s->V));
    COR_STEP_TRY(cor_vec_zero(st->v, s->V));
    COR_STEP_TRY(cor_scalar_set_si(st->b1t, 1));
    return cor_scalar_set_si(st->b2t, 1);
}

static int
adam_set_param(cor_step *s, const char *name, const char *value)
{
    adam_state *st = s->state;

    if (strcmp(name, "beta1") == 0)
        return cor_step_parse_scalar_internal(st->b1, name, value);
    if (strcmp(name, "beta2") == 0)
        return cor_step_parse_scalar_internal(st->b2, name, value);
    if (strcmp(name, "eps") == 0)
        return cor_step_parse_scalar_internal(st->eps, name, value);
    return COR_STEP_UNKNOWN;
}

static int
adam_state_io(cor_step *s, struct cor_step_state_io *io)
{
    adam_state *st = s->state;

    COR_STEP_TRY(cor_step_state_vec_internal(io, st->m));
    COR_STEP_TRY(cor_step_state_vec_internal(io, st->v));
    COR_STEP_TRY(cor_step_state_scalar_internal(io, st->b1t));
    return cor_step_state_scalar_internal(io, st->b2t);
}

static int
adam_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    adam_state *st = s->state;
    const cor_vspace *V = s->V;

    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 0));
    COR_STEP_TRY(cor_scalar_set(s->lr, h));
    s->have_lr = 1;
    /* c1 = 1 - b1, c2 = 1 - b2; running powers */
    COR_STEP_TRY(cor_scalar_sub(st->c1, s->one, st->b1, V));
    COR_STEP_TRY(cor_scalar_sub(st->c2, s->one, st->b2, V));
    COR_STEP_TRY(cor_scalar_mul(st->b1t, st->b1t, st->b1, V));
    COR_STEP_TRY(cor_scalar_mul(st->b2t, st->b2t, st->b2, V));
    COR_STEP_TRY(cor_vec_axpby(st->m, st->b1, st->m, st->c1, s->g, V));
    COR_STEP_TRY(cor_vec_mul(st->t, s->g, s->g, V));
    COR_STEP_TRY(cor_vec_axpby(st->v, st->b2, st->v, st->c2, st->t, V));
    /* a = sqrt(1 - b2^t), eps' = eps a, step = h a / (1 - b1^t) */
    COR_STEP_TRY(cor_scalar_sub(st->a, s->one, st->b2t, V));
    COR_STEP_TRY(cor_scalar_sqrt(st->a, st->a, V));
    COR_STEP_TRY(cor_scalar_mul(s->tmp, st->eps, st->a, V));
    COR_STEP_TRY(cor_vec_sqrt(st->t, st->v, V));
    COR_STEP_TRY(cor_vec_addc(st->t, st->t, s->tmp, V));
    COR_STEP_TRY(cor_vec_div(st->t, st->m, st->t, V));
    COR_STEP_TRY(cor_scalar_sub(s->tmp, s->one, st->b1t, V));
    COR_STEP_TRY(cor_scalar_div(s->tmp, st->a, s->tmp, V));
    COR_STEP_TRY(cor_scalar_mul(s->tmp, s->tmp, h, V));
    COR_STEP_TRY(cor_scalar_neg(s->neg, s->tmp, V));
    COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->neg, st->t, V));
    return cor_step_check_x_internal(s, x);
}

const cor_step_type cor_step_adam = {
    "adam", COR_NEED_GRAD, 0, NULL, adam_alloc, NULL, adam_reset, adam_apply, adam_set_param,
    NULL, adam_free, adam_state_io,
};
