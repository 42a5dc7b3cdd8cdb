/* expr_objective.c -- objectives from loss expressions: exact derivatives (lib/diff) compiled
 * into tapes (lib/eval), evaluated in double for f64/f32 spaces and in MPFR for MPFR spaces.
 *
 * Why this is exact to the working precision. The gradient, H grad L and H v are the exact
 * symbolic derivatives of the expression; each tape evaluates them with one rounding per
 * operation at the workspace precision (53 bits for double, the space precision for MPFR).
 * The boundary conversions are exact except where the space is narrower than the tape:
 * f32 inputs widen exactly to double and each output is rounded once to float; MPFR inputs
 * and outputs are copied between numbers of the same precision (exact).
 *
 * Memory: every tape, workspace, conversion buffer and MPFR number is made in the _alloc
 * functions; evaluation only copies and runs tapes (cor_eval_*_run allocates nothing for
 * arithmetic tapes).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gmp.h>

#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_objective.h"
#include "cor_sys.h"

/* The tapes of one loss (the full loss or one batch). */
typedef struct
{
    cor_tape *tv;   /* L */
    cor_tape *tvg;  /* L, grad L */
    cor_tape *thg;  /* L, grad L, H grad L (optional) */
    cor_tape *thv;  /* H v, inputs vars then directions (optional) */
    cor_eval_d *dv, *dvg, *dhg, *dhv;
    cor_eval_mpfr *mv, *mvg, *mhg, *mhv;
} component;

typedef struct
{
    const cor_vspace *V;
    cor_kind kind;
    size_t n;
    mpfr_prec_t prec;
    size_t ncomp;     /* 1 + number of batches */
    component *comp;  /* comp[0] full loss, comp[1 + k] batch k */
    size_t cur;       /* selected component */
    double *din;      /* 2n inputs (x, then direction) */
    double *dout;     /* 1 + 2n outputs */
    mpfr_t *min;      /* MPFR inputs and outputs, at the space precision */
    mpfr_t *mout;
} expr_params;

static void
component_clear(component *c)
{
    cor_eval_d_free(c->dv);
    cor_eval_d_free(c->dvg);
    cor_eval_d_free(c->dhg);
    cor_eval_d_free(c->dhv);
    cor_eval_mpfr_free(c->mv);
    cor_eval_mpfr_free(c->mvg);
    cor_eval_mpfr_free(c->mhg);
    cor_eval_mpfr_free(c->mhv);
    cor_tape_free(c->tv);
    cor_tape_free(c->tvg);
    cor_tape_free(c->thg);
    cor_tape_free(c->thv);
}

static void
params_free(void *vp)
{
    expr_params *p = vp;

    if (!p)
        return;
    if (p->comp)
        for (size_t i = 0; i < p->ncomp; i++)
            component_clear(&p->comp[i]);
    cor_free(p->comp);
    if (p->min)
        for (size_t i = 0; i < 2 * p->n; i++)
            mpfr_clear(p->min[i]);
    if (p->mout)
        for (size_t i = 0; i < 1 + 2 * p->n; i++)
            mpfr_clear(p->mout[i]);
    cor_free(p->min);
    cor_free(p->mout);
    cor_free(p->din);
    cor_free(p->dout);
    cor_free(p);
}

/* A workspace for tape t of the space's kind. */
static int
make_work(const expr_params *p, const cor_tape *t, cor_eval_d **d, cor_eval_mpfr **m)
{
    if (!t)
        return COR_OK;
    if (p->kind == COR_MPFR)
        *m = cor_eval_mpfr_alloc(t, p->prec);
    else
        *d = cor_eval_d_alloc(t);
    if (!*m && !*d)
        return COR_ERROR(COR_ENOMEM, "objective: cannot allocate an evaluation workspace");
    return COR_OK;
}

/* Compiles the tapes of loss f into c. out is scratch for 1 + 2n nodes. */
static int
component_init(component *c, expr_params *p, cor_expr_pool *pool, cor_node f,
               const cor_node *vars, const cor_node *dirs, cor_node *out, unsigned want)
{
    size_t n = p->n;
    cor_node *in2 = NULL;
    int st = COR_OK;

    out[0] = f;
    if ((st = cor_diff_grad(out + 1, pool, f, n, vars)) != COR_OK)
        return st;
    c->tv = cor_tape_alloc(pool, n, vars, 1, out);
    c->tvg = c->tv ? cor_tape_alloc(pool, n, vars, 1 + n, out) : NULL;
    if (!c->tv || !c->tvg)
        return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
    if (want & COR_OBJ_WANT_HG)
    {
        if ((st = cor_diff_hg(out + 1 + n, pool, f, out + 1, n, vars)) != COR_OK)
            return st;
        if (!(c->thg = cor_tape_alloc(pool, n, vars, 1 + 2 * n, out)))
            return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
    }
    if (want & COR_OBJ_WANT_HVP)
    {
        if ((st = cor_diff_hvp(out + 1 + n, pool, f, out + 1, n, vars, dirs)) != COR_OK)
            return st;
        in2 = cor_mallocarray(2 * n, sizeof *in2);
        if (!in2)
            return COR_ERROR(COR_ENOMEM, "objective: out of memory");
        memcpy(in2, vars, n * sizeof *in2);
        memcpy(in2 + n, dirs, n * sizeof *in2);
        c->thv = cor_tape_alloc(pool, 2 * n, in2, n, out + 1 + n);
        cor_free(in2);
        if (!c->thv)
            return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
    }
    if ((st = make_work(p, c->tv, &c->dv, &c->mv)) || (st = make_work(p, c->tvg, &c->dvg, &c->mvg))
        || (st = make_work(p, c->thg, &c->dhg, &c->mhg))
        || (st = make_work(p, c->thv, &c->dhv, &c->mhv)))
        return st;
    return COR_OK;
}

/* ---- boundary conversions (no allocation) ---------------------------------------------- */

static void
load_input(expr_params *p, const cor_vec *x, size_t off)
{
    size_t n = p->n;

    switch (p->kind)
    {
    case COR_F64:
        memcpy(p->din + off, cor_vec_const_data_f64(x), n * sizeof(double));
        break;
    case COR_F32:
    {
        const float *d = cor_vec_const_data_f32(x);
        for (size_t i = 0; i < n; i++)
            p->din[off + i] = d[i];
        break;
    }
    default:
        for (size_t i = 0; i < n; i++)
            mpfr_set(p->min[off + i], cor_vec_mpfr_srcptr(x, i), MPFR_RNDN);
        break;
    }
}

/* v = outputs [off, off + n). Returns COR_NONFINITE if an element is not finite. */
static int
store_vec(expr_params *p, cor_vec *v, size_t off)
{
    size_t n = p->n;
    int st = COR_OK;

    switch (p->kind)
    {
    case COR_F64:
    {
        double *d = cor_vec_data_f64(v);
        for (size_t i = 0; i < n; i++)
        {
            d[i] = p->dout[off + i];
            if (!isfinite(d[i]))
                st = COR_NONFINITE;
        }
        break;
    }
    case COR_F32:
    {
        float *d = cor_vec_data_f32(v);
        for (size_t i = 0; i < n; i++)
        {
            d[i] = (float)p->dout[off + i];
            if (!isfinite(d[i]))
                st = COR_NONFINITE;
        }
        break;
    }
    default:
        for (size_t i = 0; i < n; i++)
        {
            mpfr_ptr e = cor_vec_mpfr_ptr(v, i);
            mpfr_set(e, p->mout[off + i], MPFR_RNDN);
            if (!mpfr_number_p(e))
                st = COR_NONFINITE;
        }
        break;
    }
    return st;
}

static int
store_scalar(expr_params *p, cor_scalar *L)
{
    if (p->kind == COR_MPFR)
        return cor_scalar_set_mpfr(L, p->mout[0]);
    return cor_scalar_set_d(L, p->dout[0]);
}

/* Runs the double or MPFR workspace; keeps COR_NONFINITE, passes errors. */
static int
run(expr_params *p, cor_eval_d *d, cor_eval_mpfr *m)
{
    if (p->kind == COR_MPFR)
        return cor_eval_mpfr_run(m, p->mout, (const mpfr_t *)p->min);
    return cor_eval_d_run(d, p->dout, p->din);
}

static int
worst(int a, int b)
{
    if (cor_status_is_error(a))
        return a;
    if (cor_status_is_error(b))
        return b;
    return a ? a : b;
}

/* ---- the objective functions ------------------------------------------------------------ */

static int
obj_value(cor_scalar *L, const cor_vec *x, void *vp)
{
    expr_params *p = vp;
    component *c = &p->comp[p->cur];
    int st;

    load_input(p, x, 0);
    st = run(p, c->dv, c->mv);
    if (cor_status_is_error(st))
        return st;
    return worst(st, store_scalar(p, L));
}

static int
obj_value_grad(cor_scalar *L, cor_vec *g, const cor_vec *x, void *vp)
{
    expr_params *p = vp;
    component *c = &p->comp[p->cur];
    int st;

    load_input(p, x, 0);
    st = run(p, c->dvg, c->mvg);
    if (cor_status_is_error(st))
        return st;
    st = worst(st, store_vec(p, g, 1));
    if (L)
        st = worst(st, store_scalar(p, L));
    return st;
}

static int
obj_grad(cor_vec *g, const cor_vec *x, void *vp)
{
    return obj_value_grad(NULL, g, x, vp);
}

static int
obj_hg(cor_vec *hg, const cor_vec *x, void *vp)
{
    expr_params *p = vp;
    component *c = &p->comp[p->cur];
    int st;

    if (!c->thg)
        return COR_ERROR(COR_EUNSUP, "objective: H grad L was not compiled (COR_OBJ_WANT_HG)");
    load_input(p, x, 0);
    st = run(p, c->dhg, c->mhg);
    if (cor_status_is_error(st))
        return st;
    return worst(st, store_vec(p, hg, 1 + p->n));
}

static int
obj_hvp(cor_vec *hv, const cor_vec *x, const cor_vec *v, void *vp)
{
    expr_params *p = vp;
    component *c = &p->comp[p->cur];
    int st;

    if (!c->thv)
        return COR_ERROR(COR_EUNSUP, "objective: H v was not compiled (COR_OBJ_WANT_HVP)");
    load_input(p, x, 0);
    load_input(p, v, p->n);
    st = run(p, c->dhv, c->mhv);
    if (cor_status_is_error(st))
        return st;
    return worst(st, store_vec(p, hv, 0));
}

static int
obj_select(size_t k, void *vp)
{
    expr_params *p = vp;

    p->cur = k == COR_BATCH_FULL ? 0 : 1 + k;
    return COR_OK;
}

/* ---- construction ----------------------------------------------------------------------- */

static cor_objective *
alloc_common(cor_expr_pool *pool, cor_node full, size_t m, const cor_node *batches, size_t n,
             const cor_node *vars, const cor_vspace *V, unsigned want)
{
    cor_objective *obj = NULL;
    expr_params *p = NULL;
    cor_node *out = NULL, *dirs = NULL;
    mpq_t q;
    int st = COR_OK;

    if (!pool || !vars || !V || n == 0 || (m > 0 && !batches))
    {
        COR_ERROR(COR_EINVAL, "expression objective: NULL argument or zero dimension");
        return NULL;
    }
    if (cor_vspace_dim(V) != n)
    {
        COR_ERROR(COR_EBADLEN, "expression objective: %zu variables but a space of dimension %zu",
                  n, cor_vspace_dim(V));
        return NULL;
    }
    if (m > 0 && full == COR_NODE_NONE)
    {
        mpq_init(q);
        mpq_set_ui(q, 1, (unsigned long)m);
        full = cor_expr_scale(pool, q, cor_expr_sum(pool, m, batches, NULL, NULL));
        mpq_clear(q);
    }
    if (full == COR_NODE_NONE)
    {
        COR_ERROR(cor_last_error()->code ? cor_last_error()->code : COR_EINVAL,
                  "expression objective: no loss");
        return NULL;
    }

    obj = cor_calloc(1, sizeof *obj);
    p = cor_calloc(1, sizeof *p);
    out = cor_mallocarray(1 + 2 * n, sizeof *out);
    if (!obj || !p || !out)
        goto nomem;
    p->V = V;
    p->kind = cor_vspace_kind(V);
    p->n = n;
    p->prec = cor_vspace_prec(V);
    p->ncomp = 1 + m;
    p->comp = cor_calloc(p->ncomp, sizeof *p->comp);
    if (!p->comp)
        goto nomem;
    if (p->kind == COR_MPFR)
    {
        p->min = cor_mallocarray(2 * n, sizeof *p->min);
        p->mout = cor_mallocarray(1 + 2 * n, sizeof *p->mout);
        if (!p->min || !p->mout)
        {
            cor_free(p->min);
            cor_free(p->mout);
            p->min = p->mout = NULL;
            goto nomem;
        }
        for (size_t i = 0; i < 2 * n; i++)
            mpfr_init2(p->min[i], p->prec);
        for (size_t i = 0; i < 1 + 2 * n; i++)
            mpfr_init2(p->mout[i], p->prec);
    }
    else
    {
        p->din = cor_calloc(2 * n, sizeof *p->din);
        p->dout = cor_calloc(1 + 2 * n, sizeof *p->dout);
        if (!p->din || !p->dout)
            goto nomem;
    }
    if (want & COR_OBJ_WANT_HVP)
    {
        char name[40];

        dirs = cor_mallocarray(n, sizeof *dirs);
        if (!dirs)
            goto nomem;
        for (size_t i = 0; i < n; i++)
        {
            snprintf(name, sizeof name, "__cor_dir%zu", i + 1);
            dirs[i] = cor_expr_var(pool, name);
            if (dirs[i] == COR_NODE_NONE)
            {
                st = cor_last_error()->code;
                goto fail;
            }
        }
    }
    if ((st = component_init(&p->comp[0], p, pool, full, vars, dirs, out, want)))
        goto fail;
    for (size_t k = 0; k < m; k++)
        if ((st = component_init(&p->comp[1 + k], p, pool, batches[k], vars, dirs, out, want)))
            goto fail;

    obj->V = V;
    obj->n = n;
    obj->flags = COR_OBJ_VALUE | COR_OBJ_GRAD | COR_OBJ_VALUE_GRAD;
    if (want & COR_OBJ_WANT_HVP)
        obj->flags |= COR_OBJ_HVP;
    if (want & COR_OBJ_WANT_HG)
        obj->flags |= COR_OBJ_HG;
    if (m > 0)
        obj->flags |= COR_OBJ_BATCHES;
    obj->nbatches = m;
    obj->value = obj_value;
    obj->grad = obj_grad;
    obj->value_grad = obj_value_grad;
    obj->hvp = (want & COR_OBJ_WANT_HVP) ? obj_hvp : NULL;
    obj->hg = (want & COR_OBJ_WANT_HG) ? obj_hg : NULL;
    obj->select_batch = m > 0 ? obj_select : NULL;
    obj->free_params = params_free;
    obj->params = p;
    cor_free(out);
    cor_free(dirs);
    return obj;

nomem:
    st = COR_ERROR(COR_ENOMEM, "expression objective: out of memory");
fail:
    (void)st;
    params_free(p);
    cor_free(obj);
    cor_free(out);
    cor_free(dirs);
    return NULL;
}

cor_objective *
cor_expr_objective_alloc(cor_expr_pool *pool, cor_node f, size_t n, const cor_node *vars,
                         const cor_vspace *V, unsigned want)
{
    if (f == COR_NODE_NONE)
    {
        COR_ERROR(COR_EINVAL, "expression objective: no loss");
        return NULL;
    }
    return alloc_common(pool, f, 0, NULL, n, vars, V, want);
}

cor_objective *
cor_expr_objective_alloc_batches(cor_expr_pool *pool, cor_node full, size_t m,
                                 const cor_node *batches, size_t n, const cor_node *vars,
                                 const cor_vspace *V, unsigned want)
{
    if (m == 0)
    {
        COR_ERROR(COR_EINVAL, "batch objective: no batches");
        return NULL;
    }
    for (size_t k = 0; k < m; k++)
        if (!batches || batches[k] == COR_NODE_NONE)
        {
            COR_ERROR(COR_EINVAL, "batch objective: batch %zu is missing", k + 1);
            return NULL;
        }
    return alloc_common(pool, full, m, batches, n, vars, V, want);
}
