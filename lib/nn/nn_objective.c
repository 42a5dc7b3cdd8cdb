/* nn_objective.c -- a model as a cor_objective on a float32 vector space.
 *
 * Loss(theta) = mean cross-entropy of the current batch (train-mode batch norm)
 *             + (wd/2) |theta|^2.
 * The gradient is the model's backward pass plus wd*theta. The Hessian-vector product is a
 * central difference of gradients,
 *     H v ~ (g(theta + e v) - g(theta - e v)) / (2 e),  e = cbrt(eps32) max(1, |theta|) / |v|,
 * with eps32 = 2^-23. Its error is O(e^2 |v|^3 |D^3 L|) (truncation) plus
 * O(eps32 |g| / e) (float32 rounding of the two gradients), balanced by the cube root; the
 * weight-decay part wd*v is added exactly. Batch-norm running statistics are saved before
 * the two extra passes and restored after, so hvp and hg leave the model's state as they
 * found it (value and grad update it, as a training step does). doc/nn.md has the details.
 * Every evaluation that returns the loss also records the argmax hits of its forward pass
 * (the batch's training accuracy, free: cor_nn_objective_last_ncorrect).
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "cor_sys.h"
#include "nn_impl.h"

typedef struct
{
    cor_nn_model *m;
    double wd;
    cor_vspace *V;
    const float *x;
    const int32_t *y;
    int n;
    float *save_p;   /* theta during hvp */
    float *save_s;   /* BN state during hvp */
    float *gtmp;     /* g(theta + e v) */
    float *gcur;     /* g(theta) for hg */
    int ncorrect;    /* argmax hits of the last evaluation that returned the loss, or -1 */
} nn_obj;

static int
load(nn_obj *o, const cor_vec *x)
{
    const float *d = cor_vec_const_data_f32(x);

    if (!o->x || o->n < 1)
        return COR_ERROR(COR_EINVAL, "no batch set (cor_nn_objective_set_batch)");
    if (!d)
        return COR_ERROR(COR_EINVAL, "not an f32 vector");
    if (d != o->m->params)
        memcpy(o->m->params, d, o->m->nparams * sizeof(float));
    return COR_OK;
}

/* L and/or g (as floats) at the loaded parameters; record != 0 (an evaluation that returns
 * the loss to its caller) also records the argmax hits (cor_nn_objective_last_ncorrect). */
static int
eval(nn_obj *o, double *L, float *g, int record)
{
    cor_nn_model *m = o->m;
    double loss = 0;
    int nc = 0;
    int st = cor_nn_model_run_internal(m, &loss, &nc, o->x, o->y, o->n, 1, g != NULL);

    if (cor_status_is_error(st))
        return st;
    if (record)
        o->ncorrect = nc;
    if (o->wd != 0)
    {
        double s = 0;

        for (size_t i = 0; i < m->nparams; i++)
            s += (double)m->params[i] * m->params[i];
        loss += 0.5 * o->wd * s;
        if (g)
            for (size_t i = 0; i < m->nparams; i++)
                g[i] = m->grads[i] + (float)(o->wd * m->params[i]);
    }
    else if (g && g != m->grads)
        memcpy(g, m->grads, m->nparams * sizeof(float));
    if (L)
        *L = loss;
    return isfinite(loss) ? COR_OK : COR_NONFINITE;
}

static int
finish(int st, cor_scalar *L, double loss, cor_vec *g)
{
    if (cor_status_is_error(st))
        return st;
    if (L)
    {
        int s2 = cor_scalar_set_d(L, loss);

        if (s2 != COR_OK)
            st = s2;
    }
    if (g && st == COR_OK && !cor_vec_all_finite(g, cor_vec_space(g)))
        st = COR_NONFINITE;
    return st;
}

static int
obj_value(cor_scalar *L, const cor_vec *x, void *params)
{
    nn_obj *o = params;
    double loss = 0;
    int st = load(o, x);

    if (st != COR_OK)
        return st;
    st = eval(o, &loss, NULL, L != NULL);
    return finish(st, L, loss, NULL);
}

static int
obj_value_grad(cor_scalar *L, cor_vec *g, const cor_vec *x, void *params)
{
    nn_obj *o = params;
    double loss = 0;
    int st = load(o, x);

    if (st != COR_OK)
        return st;
    st = eval(o, &loss, cor_vec_data_f32(g), L != NULL);
    return finish(st, L, loss, g);
}

static int
obj_grad(cor_vec *g, const cor_vec *x, void *params)
{
    return obj_value_grad(NULL, g, x, params);
}

/* out = H v by the central difference above; theta already loaded and saved in save_p. */
static int
hvp_loaded(nn_obj *o, float *out, const float *v)
{
    cor_nn_model *m = o->m;
    const size_t N = m->nparams;
    double nt = 0, nv = 0, e;
    int st;

    for (size_t i = 0; i < N; i++)
    {
        nt += (double)o->save_p[i] * o->save_p[i];
        nv += (double)v[i] * v[i];
    }
    if (nv == 0)
    {
        memset(out, 0, N * sizeof(float));
        return COR_OK;
    }
    e = cbrt(0x1.0p-23) * fmax(1.0, sqrt(nt)) / sqrt(nv);
    memcpy(o->save_s, m->state, m->nstate * sizeof(float));
    for (size_t i = 0; i < N; i++)
        m->params[i] = (float)(o->save_p[i] + e * v[i]);
    st = cor_nn_model_run_internal(m, NULL, NULL, o->x, o->y, o->n, 1, 1);
    if (!cor_status_is_error(st))
    {
        memcpy(o->gtmp, m->grads, N * sizeof(float));
        for (size_t i = 0; i < N; i++)
            m->params[i] = (float)(o->save_p[i] - e * v[i]);
        st = cor_nn_model_run_internal(m, NULL, NULL, o->x, o->y, o->n, 1, 1);
    }
    memcpy(m->params, o->save_p, N * sizeof(float));
    memcpy(m->state, o->save_s, m->nstate * sizeof(float));
    if (cor_status_is_error(st))
        return st;
    for (size_t i = 0; i < N; i++)
        out[i] = (float)(((double)o->gtmp[i] - m->grads[i]) / (2 * e) + o->wd * v[i]);
    return COR_OK;
}

static int
obj_hvp(cor_vec *hv, const cor_vec *x, const cor_vec *v, void *params)
{
    nn_obj *o = params;
    int st = load(o, x);

    if (st != COR_OK)
        return st;
    memcpy(o->save_p, o->m->params, o->m->nparams * sizeof(float));
    st = hvp_loaded(o, cor_vec_data_f32(hv), cor_vec_const_data_f32(v));
    return finish(st, NULL, 0, hv);
}

static int
obj_hg(cor_vec *out, const cor_vec *x, void *params)
{
    nn_obj *o = params;
    cor_nn_model *m = o->m;
    int st = load(o, x);

    if (st != COR_OK)
        return st;
    memcpy(o->save_p, m->params, m->nparams * sizeof(float));
    memcpy(o->save_s, m->state, m->nstate * sizeof(float));
    st = eval(o, NULL, o->gcur, 0);
    memcpy(m->state, o->save_s, m->nstate * sizeof(float));
    if (cor_status_is_error(st))
        return st;
    st = hvp_loaded(o, cor_vec_data_f32(out), o->gcur);
    return finish(st, NULL, 0, out);
}

static void
obj_free(void *params)
{
    nn_obj *o = params;

    if (!o)
        return;
    cor_free(o->save_p);
    cor_free(o->save_s);
    cor_free(o->gtmp);
    cor_free(o->gcur);
    cor_vspace_free(o->V);
    cor_free(o);
}

cor_objective *
cor_nn_objective_alloc(cor_nn_model *m, double weight_decay)
{
    cor_objective *obj = NULL;
    nn_obj *o = NULL;

    if (!m || !(weight_decay >= 0) || !isfinite(weight_decay))
    {
        COR_ERROR(COR_EINVAL, "bad model or weight decay");
        return NULL;
    }
    obj = cor_calloc(1, sizeof *obj);
    o = cor_calloc(1, sizeof *o);
    if (!obj || !o)
        goto nomem;
    o->m = m;
    o->wd = weight_decay;
    o->ncorrect = -1;
    if (!(o->V = cor_vspace_alloc_f32(m->nparams)))
        goto fail;
    if (!(o->save_p = cor_malloc(m->nparams * sizeof(float))) ||
        !(o->save_s = cor_malloc((m->nstate ? m->nstate : 1) * sizeof(float))) ||
        !(o->gtmp = cor_malloc(m->nparams * sizeof(float))) ||
        !(o->gcur = cor_malloc(m->nparams * sizeof(float))))
        goto nomem;
    obj->V = o->V;
    obj->n = m->nparams;
    obj->flags = COR_OBJ_VALUE | COR_OBJ_GRAD | COR_OBJ_VALUE_GRAD | COR_OBJ_HVP | COR_OBJ_HG;
    obj->value = obj_value;
    obj->grad = obj_grad;
    obj->value_grad = obj_value_grad;
    obj->hvp = obj_hvp;
    obj->hg = obj_hg;
    obj->free_params = obj_free;
    obj->params = o;
    return obj;
nomem:
    COR_ERROR(COR_ENOMEM, "out of memory for the nn objective");
fail:
    obj_free(o);
    cor_free(obj);
    return NULL;
}

int
cor_nn_objective_set_batch(cor_objective *obj, const float *x, const int32_t *y, int n)
{
    if (!obj || obj->value != obj_value || !x || !y)
        return COR_ERROR(COR_EINVAL, "not an nn objective or NULL batch");
    nn_obj *o = obj->params;

    if (n < 1 || n > o->m->batch_max)
        return COR_ERROR(COR_EINVAL, "batch of %d images (batch_max %d)", n, o->m->batch_max);
    for (int i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= o->m->nclass)
            return COR_ERROR(COR_EINVAL, "label %d outside [0, %d)", (int)y[i], o->m->nclass);
    o->x = x;
    o->y = y;
    o->n = n;
    o->ncorrect = -1;
    return COR_OK;
}

int
cor_nn_objective_last_ncorrect(int *ncorrect, int *n, const cor_objective *obj)
{
    const nn_obj *o;

    if (!obj || obj->value != obj_value || !ncorrect)
        return COR_ERROR(COR_EINVAL, "not an nn objective or NULL output");
    o = obj->params;
    if (o->ncorrect < 0)
        return COR_ERROR(COR_EINVAL, "no loss evaluated on the current batch yet");
    *ncorrect = o->ncorrect;
    if (n)
        *n = o->n;
    return COR_OK;
}

const cor_vspace *
cor_nn_objective_space(const cor_objective *obj)
{
    return (obj && obj->value == obj_value) ? obj->V : NULL;
}
