/* rk.c -- explicit Runge-Kutta methods for the gradient flow x' = -grad L(x), from a Butcher
 * tableau with exact rational coefficients.
 *
 * Stage i evaluates g_i = grad L(y_i) at y_i = x - h sum_{j<i} a_ij g_j, and the update is
 * x_{k+1} = x - h sum_i b_i g_i. The a_ij and b_i are made once, in alloc, as scalars of the
 * space by cor_scalar_set_q (1/6 for RK4 is rounded once at the space precision, never
 * through a double). Each apply forms the coefficients -h a_ij, -h b_i (one rounding each)
 * and the combinations with cor_vec_lincomb (a fused sum per element).
 *
 * Why RK is exact inside a corridor (PREDICTIONS.md P8, App. A.2): there grad L = g0 is
 * constant along the flow line, so every stage gradient is g0 as long as every stage point
 * stays in the corridor, and x_{k+1} = x - h (sum_i b_i) g0 = x - h g0 when sum_i b_i = 1,
 * which is the flow at time h. Uses: value_grad, grad, nrm2, lincomb, scalar mul/neg. */
#include "config.h"

#include "cor_sys.h"
#include "step_impl.h"

typedef struct
{
    size_t ns;
    cor_vec **k;           /* stage gradients g_0 .. g_{s-1} */
    cor_vec *y;            /* stage point */
    cor_scalar **a;        /* a[i*ns + j], j < i */
    cor_scalar **b;
    cor_scalar **coef;     /* 1 + ns combination coefficients */
    const cor_scalar **cptr;
    const cor_vec **vptr;
} rk_state;

static int
rk_alloc(cor_step *s)
{
    const cor_butcher *tab = s->tab;
    size_t ns = tab->stages;
    rk_state *st = cor_calloc(1, sizeof *st);

    if (!st)
        return COR_ERROR(COR_ENOMEM, "rk: out of memory");
    s->state = st;
    st->ns = ns;
    st->k = cor_calloc(ns, sizeof *st->k);
    st->a = cor_calloc(ns * ns, sizeof *st->a);
    st->b = cor_calloc(ns, sizeof *st->b);
    st->coef = cor_calloc(ns + 1, sizeof *st->coef);
    st->cptr = cor_calloc(ns + 1, sizeof *st->cptr);
    st->vptr = cor_calloc(ns + 1, sizeof *st->vptr);
    if (!st->k || !st->a || !st->b || !st->coef || !st->cptr || !st->vptr)
        return COR_ERROR(COR_ENOMEM, "rk: out of memory");
    if (cor_step_alloc_vecs_internal(s, st->k, ns) != COR_OK
        || !(st->y = cor_vec_alloc(s->V))
        || cor_step_alloc_scalars_internal(s, st->a, ns * ns) != COR_OK
        || cor_step_alloc_scalars_internal(s, st->b, ns) != COR_OK
        || cor_step_alloc_scalars_internal(s, st->coef, ns + 1) != COR_OK)
        return COR_ENOMEM;
    for (size_t i = 0; i < ns; i++)
    {
        int r;

        for (size_t j = 0; j < i; j++)
        {
            const cor_q *q = &tab->a[i * ns + j];
            if (q->den <= 0)
                return COR_ERROR(COR_EINVAL, "rk %s: a[%zu][%zu] has denominator %ld",
                                 tab->name, i, j, q->den);
            if ((r = cor_scalar_set_q(st->a[i * ns + j], q->num, q->den)) != COR_OK)
                return r;
        }
        if (tab->b[i].den <= 0)
            return COR_ERROR(COR_EINVAL, "rk %s: b[%zu] has denominator %ld", tab->name, i,
                             tab->b[i].den);
        if ((r = cor_scalar_set_q(st->b[i], tab->b[i].num, tab->b[i].den)) != COR_OK)
            return r;
    }
    for (size_t i = 0; i <= ns; i++)
        st->cptr[i] = st->coef[i];
    return COR_OK;
}

static void
rk_free(cor_step *s)
{
    rk_state *st = s->state;

    if (!st)
        return;
    if (st->k)
        cor_step_free_vecs_internal(st->k, st->ns);
    cor_vec_free(st->y);
    if (st->a)
        cor_step_free_scalars_internal(st->a, st->ns * st->ns);
    if (st->b)
        cor_step_free_scalars_internal(st->b, st->ns);
    if (st->coef)
        cor_step_free_scalars_internal(st->coef, st->ns + 1);
    cor_free(st->k);
    cor_free(st->a);
    cor_free(st->b);
    cor_free(st->coef);
    cor_free(st->cptr);
    cor_free(st->vptr);
    cor_free(st);
}

static int
rk_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    rk_state *st = s->state;
    size_t ns = st->ns;

    COR_STEP_TRY(cor_scalar_set(s->lr, h));
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, h, s->V));
    /* stage 0 at x itself: loss and gradient for the info */
    COR_STEP_TRY(cor_step_eval_internal(s, obj, x, 0));
    COR_STEP_TRY(cor_vec_copy(st->k[0], s->g, s->V));
    COR_STEP_TRY(cor_scalar_set(st->coef[0], s->one));
    st->vptr[0] = x;
    for (size_t i = 1; i < ns; i++)
    {
        for (size_t j = 0; j < i; j++)
        {
            COR_STEP_TRY(cor_scalar_mul(st->coef[1 + j], s->neg, st->a[i * ns + j], s->V));
            st->vptr[1 + j] = st->k[j];
        }
        COR_STEP_TRY(cor_vec_lincomb(st->y, i + 1, st->cptr, st->vptr, s->V));
        COR_STEP_TRY(cor_objective_grad(obj, st->k[i], st->y));
    }
    for (size_t i = 0; i < ns; i++)
    {
        COR_STEP_TRY(cor_scalar_mul(st->coef[1 + i], s->neg, st->b[i], s->V));
        st->vptr[1 + i] = st->k[i];
    }
    COR_STEP_TRY(cor_vec_lincomb(x, ns + 1, st->cptr, st->vptr, s->V));
    return cor_step_check_x_internal(s, x);
}

/* ---- tableaux ---------------------------------------------------------------------------- */

#define Z {0, 1}
static const cor_q euler_a[] = {Z};
static const cor_q euler_b[] = {{1, 1}};
static const cor_q euler_c[] = {Z};
const cor_butcher cor_butcher_euler = {"euler", 1, 1, euler_a, euler_b, euler_c};

static const cor_q mid_a[] = {Z, Z, {1, 2}, Z};
static const cor_q mid_b[] = {Z, {1, 1}};
static const cor_q mid_c[] = {Z, {1, 2}};
const cor_butcher cor_butcher_midpoint = {"midpoint", 2, 2, mid_a, mid_b, mid_c};

static const cor_q heun_a[] = {Z, Z, {1, 1}, Z};
static const cor_q heun_b[] = {{1, 2}, {1, 2}};
static const cor_q heun_c[] = {Z, {1, 1}};
const cor_butcher cor_butcher_heun = {"heun", 2, 2, heun_a, heun_b, heun_c};

static const cor_q rk3_a[] = {Z, Z, Z, {1, 2}, Z, Z, {-1, 1}, {2, 1}, Z};
static const cor_q rk3_b[] = {{1, 6}, {2, 3}, {1, 6}};
static const cor_q rk3_c[] = {Z, {1, 2}, {1, 1}};
const cor_butcher cor_butcher_rk3 = {"rk3", 3, 3, rk3_a, rk3_b, rk3_c};

static const cor_q rk4_a[] = {Z, Z, Z, Z, {1, 2}, Z, Z, Z, Z, {1, 2}, Z, Z, Z, Z, {1, 1}, Z};
static const cor_q rk4_b[] = {{1, 6}, {1, 3}, {1, 3}, {1, 6}};
static const cor_q rk4_c[] = {Z, {1, 2}, {1, 2}, {1, 1}};
const cor_butcher cor_butcher_rk4 = {"rk4", 4, 4, rk4_a, rk4_b, rk4_c};

static const cor_q rk38_a[] = {Z, Z, Z, Z, {1, 3}, Z, Z, Z, {-1, 3}, {1, 1}, Z, Z,
                               {1, 1}, {-1, 1}, {1, 1}, Z};
static const cor_q rk38_b[] = {{1, 8}, {3, 8}, {3, 8}, {1, 8}};
static const cor_q rk38_c[] = {Z, {1, 3}, {2, 3}, {1, 1}};
const cor_butcher cor_butcher_rk38 = {"rk38", 4, 4, rk38_a, rk38_b, rk38_c};
#undef Z

#define RK_TYPE(var, nm, ord, tab)                                                           \
    const cor_step_type var = {nm,      COR_NEED_GRAD, ord,  tab,  rk_alloc, NULL,           \
                               NULL,    rk_apply,      NULL, NULL, rk_free, NULL}

RK_TYPE(cor_step_rk, "rk", 0, NULL);
RK_TYPE(cor_step_euler, "euler", 1, &cor_butcher_euler);
RK_TYPE(cor_step_midpoint, "midpoint", 2, &cor_butcher_midpoint);
RK_TYPE(cor_step_heun, "heun", 2, &cor_butcher_heun);
RK_TYPE(cor_step_rk3, "rk3", 3, &cor_butcher_rk3);
RK_TYPE(cor_step_rk4, "rk4", 4, &cor_butcher_rk4);
RK_TYPE(cor_step_rk38, "rk38", 4, &cor_butcher_rk38);
