/* polyak.c -- the Polyak step-size family of the literature (besides clr.c, the plain
 * Polyak/corridor step). Each uses the loss and gradient of what the objective currently
 * evaluates (the full loss, or the batch selected by the caller), g2 = |g|^2.
 *
 * sps (SPS_max, Loizou, Vaswani, Laradji & Lacoste-Julien 2021):
 *     eta_k = min( (L(x_k) - L*) / (c g2), gamma_b ).
 *   Parameters "c" (default 1), "gamma_b" (default inf: no cap), "lstar" (the batch optimum
 *   or a lower bound, default 0).
 * decsps (DecSPS, Orvieto, Lacoste-Julien & Loizou 2022):
 *     eta_k = (1/c_k) min( (L(x_k) - lstar) / g2, c_{k-1} eta_{k-1} ),  c_k = c0 sqrt(k+1),
 *   with c_{-1} eta_{-1} = c0 gamma_b. Parameters "c0" (default 1), "gamma_b" (default inf),
 *   "lstar" (a lower bound, default 0).
 * polyak_lb (after Hazan & Kakade 2019, "Revisiting the Polyak step size"): the Polyak step
 *   with a running lower bound ell of L* in place of L*, eta_k = (L(x_k) - ell)/g2; every
 *   "period" steps (0, the default: never) the estimate is raised to ell = (ell + L_best)/2,
 *   L_best the least loss seen in the period, which is their halving update of the estimate.
 *   Parameters "lstar" (the initial lower bound ell, default 0), "period". This is our reading
 *   of the scheme (not checked against the paper's text); reset restores ell = lstar.
 * At a zero gradient no step is taken (COR_STOPPED). Uses: value_grad, nrm2, dot, axpby,
 * scalar arithmetic and cmp. */
#include "config.h"

#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

enum
{
    KIND_SPS,
    KIND_DEC,
    KIND_LB
};

typedef struct
{
    int kind;
    cor_scalar *c, *gamma_b, *lstar, *g2, *prev, *ck, *ell, *best;
    uint64_t k, period, in_period;
} pk_state;

static int
pk_alloc_kind(cor_step *s, int kind)
{
    pk_state *st = cor_calloc(1, sizeof *st);
    cor_scalar *sc[8];

    if (!st)
        return COR_ERROR(COR_ENOMEM, "polyak: out of memory");
    s->state = st;
    st->kind = kind;
    if (cor_step_alloc_scalars_internal(s, sc, 8) != COR_OK)
        return COR_ENOMEM;
    st->c = sc[0];
    st->gamma_b = sc[1];
    st->lstar = sc[2];
    st->g2 = sc[3];
    st->prev = sc[4];
    st->ck = sc[5];
    st->ell = sc[6];
    st->best = sc[7];
    COR_STEP_TRY(cor_scalar_set_si(st->c, 1));
    if (cor_scalar_set_str(st->gamma_b, "inf") != COR_NONFINITE)
        return COR_ERROR(COR_ESANITY, "polyak: cannot set infinity");
    return COR_OK;
}

static int sps_alloc(cor_step *s) { return pk_alloc_kind(s, KIND_SPS); }
static int dec_alloc(cor_step *s) { return pk_alloc_kind(s, KIND_DEC); }
static int lb_alloc(cor_step *s) { return pk_alloc_kind(s, KIND_LB); }

static void
pk_free(cor_step *s)
{
    pk_state *st = s->state;

    if (!st)
        return;
    cor_scalar_free(st->c);
    cor_scalar_free(st->gamma_b);
    cor_scalar_free(st->lstar);
    cor_scalar_free(st->g2);
    cor_scalar_free(st->prev);
    cor_scalar_free(st->ck);
    cor_scalar_free(st->ell);
    cor_scalar_free(st->best);
    cor_free(st);
}

static int
pk_reset(cor_step *s)
{
    pk_state *st = s->state;

    st->k = 0;
    st->in_period = 0;
    COR_STEP_TRY(cor_scalar_set(st->ell, st->lstar));
    return COR_OK;
}

static int
pk_set_param(cor_step *s, const char *name, const char *value)
{
    pk_state *st = s->state;

    if (strcmp(name, "lstar") == 0)
    {
        COR_STEP_TRY(cor_step_parse_scalar_internal(st->lstar, name, value));
        return cor_scalar_set(st->ell, st->lstar);
    }
    if ((st->kind == KIND_SPS && strcmp(name, "c") == 0)
        || (st->kind == KIND_DEC && strcmp(name, "c0") == 0))
        return cor_step_parse_scalar_internal(st->c, name, value);
    if (st->kind != KIND_LB && strcmp(name, "gamma_b") == 0)
        return cor_step_parse_scalar_internal(st->gamma_b, name, value);
    if (st->kind == KIND_LB && strcmp(name, "period") == 0)
        return cor_step_parse_u64_internal(&st->period, name, value);
    return COR_STEP_UNKNOWN;
}

/* The history: the step counter, the period position, DecSPS's c_{k-1} eta_{k-1}, the lower
 * bound estimate and the period's best loss. */
static int
pk_state_io(cor_step *s, struct cor_step_state_io *io)
{
    pk_state *st = s->state;

    COR_STEP_TRY(cor_step_state_u64_internal(io, &st->k));
    COR_STEP_TRY(cor_step_state_u64_internal(io, &st->in_period));
    COR_STEP_TRY(cor_step_state_scalar_internal(io, st->prev));
    COR_STEP_TRY(cor_step_state_scalar_internal(io, st->ell));
    return cor_step_state_scalar_internal(io, st->best);
}

/* lr = min(lr, cap) when cap is finite (an infinite cap is no cap). */
static int
cap(cor_scalar *lr, const cor_scalar *capv)
{
    if (cor_scalar_is_finite(capv) && cor_scalar_cmp(lr, capv) > 0)
        return cor_scalar_set(lr, capv);
    return COR_OK;
}

static int
pk_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    pk_state *st = s->state;
    const cor_vspace *V = s->V;

    (void)h;
    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 1));
    COR_STEP_TRY(cor_vec_dot(st->g2, s->g, s->g, V));
    if (cor_scalar_sgn(st->g2) == 0)
    {
        COR_STEP_TRY(cor_scalar_set_si(s->lr, 0));
        s->have_lr = 1;
        return COR_STOPPED;
    }
    switch (st->kind)
    {
    case KIND_SPS:
        COR_STEP_TRY(cor_scalar_sub(s->lr, s->loss, st->lstar, V));
        COR_STEP_TRY(cor_scalar_mul(s->tmp, st->c, st->g2, V));
        COR_STEP_TRY(cor_scalar_div(s->lr, s->lr, s->tmp, V));
        COR_STEP_TRY(cap(s->lr, st->gamma_b));
        break;
    case KIND_DEC:
        /* prev = c_{k-1} eta_{k-1}, or c0 gamma_b at k = 0 (infinite: no bound) */
        if (st->k == 0)
        {
            if (cor_scalar_is_finite(st->gamma_b))
                COR_STEP_TRY(cor_scalar_mul(st->prev, st->c, st->gamma_b, V));
            else if (cor_status_is_error(cor_scalar_set(st->prev, st->gamma_b)))
                return cor_last_error()->code;
        }
        COR_STEP_TRY(cor_scalar_set_si(st->ck, (long)(st->k + 1)));
        COR_STEP_TRY(cor_scalar_sqrt(st->ck, st->ck, V));
        COR_STEP_TRY(cor_scalar_mul(st->ck, st->ck, st->c, V));
        COR_STEP_TRY(cor_scalar_sub(s->lr, s->loss, st->lstar, V));
        COR_STEP_TRY(cor_scalar_div(s->lr, s->lr, st->g2, V));
        COR_STEP_TRY(cap(s->lr, st->prev));
        COR_STEP_TRY(cor_scalar_div(s->lr, s->lr, st->ck, V));
        COR_STEP_TRY(cor_scalar_mul(st->prev, st->ck, s->lr, V));
        break;
    default:
        if (st->in_period == 0 || cor_scalar_cmp(s->loss, st->best) < 0)
            COR_STEP_TRY(cor_scalar_set(st->best, s->loss));
        COR_STEP_TRY(cor_scalar_sub(s->lr, s->loss, st->ell, V));
        COR_STEP_TRY(cor_scalar_div(s->lr, s->lr, st->g2, V));
        if (st->period && ++st->in_period == st->period)
        {
            /* ell = (ell + L_best) / 2, for the next period */
            COR_STEP_TRY(cor_scalar_add(st->ell, st->ell, st->best, V));
            COR_STEP_TRY(cor_scalar_set_q(s->tmp, 1, 2));
            COR_STEP_TRY(cor_scalar_mul(st->ell, st->ell, s->tmp, V));
            st->in_period = 0;
        }
        break;
    }
    st->k++;
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, s->lr, V));
    COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->neg, s->g, V));
    return cor_step_check_x_internal(s, x);
}

#define PK_NEEDS (COR_NEED_VALUE | COR_NEED_GRAD | COR_NEED_LSTAR | COR_NEED_NO_LR)
const cor_step_type cor_step_sps = {
    "sps", PK_NEEDS, 0, NULL, sps_alloc, NULL, pk_reset, pk_apply, pk_set_param, NULL, pk_free,
    pk_state_io,
};
const cor_step_type cor_step_decsps = {
    "decsps", PK_NEEDS, 0, NULL, dec_alloc, NULL, pk_reset, pk_apply, pk_set_param, NULL,
    pk_free, pk_state_io,
};
const cor_step_type cor_step_polyak_lb = {
    "polyak_lb", PK_NEEDS, 0, NULL, lb_alloc, NULL, pk_reset, pk_apply, pk_set_param, NULL,
    pk_free, pk_state_io,
};
