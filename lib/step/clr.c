/* clr.c -- the corridor learning rate (Dherin & Rosca 2024, Sec. 4), a Polyak step:
 *     eta_k = (L(x_k) - L*) / |g_k|^2,   x_{k+1} = x_k - eta_k g_k.
 *
 * Why one step reaches L* inside a corridor: there L decreases linearly along the flow line,
 * L(x - t g) = L(x) - t |g|^2 (PREDICTIONS.md P2), so t = (L - L*)/|g|^2 lands on the level
 * L* when the segment stays in the corridor. The formula is followed even when eta < 0 (a
 * concave cone -|x| gives eta = -|x0|, a step uphill to the apex), unless "clip" is set.
 * Parameters: "lstar" (default 0), "lr_max" (cap, default none; as the paper's ImageNet runs),
 * "clip" ("1": eta = max(eta, 0); default "0"). At a zero gradient the step is not taken
 * (COR_STOPPED). |g|^2 is one dot product (one rounding per fma on MPFR). Uses: value_grad,
 * nrm2, dot, axpby, scalar sub/div/neg/cmp. */
#include "config.h"

#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

typedef struct
{
    cor_scalar *lstar, *lr_max, *g2;
    int have_max, clip;
} clr_state;

static int
clr_alloc(cor_step *s)
{
    clr_state *st = cor_calloc(1, sizeof *st);
    cor_scalar *sc[3];

    if (!st)
        return COR_ERROR(COR_ENOMEM, "clr: out of memory");
    s->state = st;
    if (cor_step_alloc_scalars_internal(s, sc, 3) != COR_OK)
        return COR_ENOMEM;
    st->lstar = sc[0];
    st->lr_max = sc[1];
    st->g2 = sc[2];
    return COR_OK;
}

static void
clr_free(cor_step *s)
{
    clr_state *st = s->state;

    if (!st)
        return;
    cor_scalar_free(st->lstar);
    cor_scalar_free(st->lr_max);
    cor_scalar_free(st->g2);
    cor_free(st);
}

static int
clr_set_param(cor_step *s, const char *name, const char *value)
{
    clr_state *st = s->state;
    int r;

    if (strcmp(name, "lstar") == 0)
        return cor_step_parse_scalar_internal(st->lstar, name, value);
    if (strcmp(name, "lr_max") == 0)
    {
        if ((r = cor_step_parse_scalar_internal(st->lr_max, name, value)) != COR_OK)
            return r;
        st->have_max = cor_scalar_is_finite(st->lr_max);
        return COR_OK;
    }
    if (strcmp(name, "clip") == 0)
    {
        if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
            return COR_ERROR(COR_EPARSE, "clr parameter clip: expected 0 or 1");
        st->clip = value[0] == '1';
        return COR_OK;
    }
    return COR_STEP_UNKNOWN;
}

static int
clr_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    clr_state *st = s->state;

    (void)h;
    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 1));
    COR_STEP_TRY(cor_vec_dot(st->g2, s->g, s->g, s->V));
    if (cor_scalar_sgn(st->g2) == 0)
    {
        COR_STEP_TRY(cor_scalar_set_si(s->lr, 0));
        s->have_lr = 1;
        return COR_STOPPED;
    }
    COR_STEP_TRY(cor_scalar_sub(s->lr, s->loss, st->lstar, s->V));
    COR_STEP_TRY(cor_scalar_div(s->lr, s->lr, st->g2, s->V));
    if (st->have_max && cor_scalar_cmp(s->lr, st->lr_max) > 0)
        COR_STEP_TRY(cor_scalar_set(s->lr, st->lr_max));
    if (st->clip && cor_scalar_sgn(s->lr) < 0)
        COR_STEP_TRY(cor_scalar_set_si(s->lr, 0));
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, s->lr, s->V));
    COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->neg, s->g, s->V));
    return cor_step_check_x_internal(s, x);
}

const cor_step_type cor_step_clr = {
    "clr", COR_NEED_VALUE | COR_NEED_GRAD | COR_NEED_LSTAR | COR_NEED_NO_LR, 0, NULL, clr_alloc,
    NULL, NULL, clr_apply, clr_set_param, NULL, clr_free, NULL,
};
