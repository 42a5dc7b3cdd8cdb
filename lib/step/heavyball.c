/* heavyball.c -- Polyak's heavy-ball momentum.
 *
 * Form (S), the one implemented:  v_{k+1} = beta v_k - h g(x_k),  x_{k+1} = x_k + v_{k+1}.
 * Form (V), the other usual one:  u_{k+1} = beta u_k + g(x_k),    x_{k+1} = x_k - h u_{k+1}.
 * With v_0 = -h u_0 (in particular v_0 = u_0 = 0) induction gives v_k = -h u_k for all k, so
 * both forms produce the same iterates x_k (in exact arithmetic; doc/steppers.md). Parameters:
 * "beta" (default 0.9); vector "v0" (initial velocity in form S units, default 0), restored by
 * reset. Uses: value_grad, nrm2, axpby, copy, zero. */
#include "config.h"

#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

typedef struct
{
    cor_vec *v, *v0;
    cor_scalar *beta;
    int have_v0;
} hb_state;

static int
hb_alloc(cor_step *s)
{
    hb_state *st = cor_calloc(1, sizeof *st);
    cor_vec *vv[2];

    if (!st)
        return COR_ERROR(COR_ENOMEM, "heavyball: out of memory");
    s->state = st;
    if (cor_step_alloc_vecs_internal(s, vv, 2) != COR_OK)
        return COR_ENOMEM;
    st->v = vv[0];
    st->v0 = vv[1];
    if (cor_step_alloc_scalars_internal(s, &st->beta, 1) != COR_OK)
        return COR_ENOMEM;
    return cor_scalar_set_q(st->beta, 9, 10);
}

static void
hb_free(cor_step *s)
{
    hb_state *st = s->state;

    if (!st)
        return;
    cor_vec_free(st->v);
    cor_vec_free(st->v0);
    cor_scalar_free(st->beta);
    cor_free(st);
}

static int
hb_reset(cor_step *s)
{
    hb_state *st = s->state;

    if (st->have_v0)
        return cor_vec_copy(st->v, st->v0, s->V);
    return cor_vec_zero(st->v, s->V);
}

static int
hb_set_param(cor_step *s, const char *name, const char *value)
{
    hb_state *st = s->state;

    if (strcmp(name, "beta") == 0)
        return cor_step_parse_scalar_internal(st->beta, name, value);
    return COR_STEP_UNKNOWN;
}

static int
hb_set_vec(cor_step *s, const char *name, const cor_vec *v)
{
    hb_state *st = s->state;

    if (strcmp(name, "v0") != 0)
        return COR_STEP_UNKNOWN;
    COR_STEP_TRY(cor_vec_copy(st->v0, v, s->V));
    st->have_v0 = 1;
    return cor_vec_copy(st->v, st->v0, s->V);
}

static int
hb_state_io(cor_step *s, struct cor_step_state_io *io)
{
    hb_state *st = s->state;

    return cor_step_state_vec_internal(io, st->v);
}

static int
hb_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    hb_state *st = s->state;

    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 0));
    COR_STEP_TRY(cor_scalar_set(s->lr, h));
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, h, s->V));
    COR_STEP_TRY(cor_vec_axpby(st->v, st->beta, st->v, s->neg, s->g, s->V));
    COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->one, st->v, s->V));
    return cor_step_check_x_internal(s, x);
}

const cor_step_type cor_step_heavyball = {
    "heavyball", COR_NEED_GRAD, 1, NULL, hb_alloc, NULL, hb_reset, hb_apply, hb_set_param,
    hb_set_vec, hb_free, hb_state_io,
};
