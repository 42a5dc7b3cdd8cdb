/* objective.c -- dispatch functions of the objective interface (argument and capability
 * checks, then a call through the function pointers). */
#include "config.h"

#include "cor_objective.h"
#include "cor_sys.h"

static int
check_vec(const cor_objective *obj, const cor_vec *v, const char *what)
{
    if (!v)
        return COR_ERROR(COR_EINVAL, "objective: %s is NULL", what);
    if (cor_vec_dim(v) != obj->n)
        return COR_ERROR(COR_EBADLEN, "objective: %s has dimension %zu, expected %zu", what,
                         cor_vec_dim(v), obj->n);
    return COR_OK;
}

static int
check_obj(const cor_objective *obj, unsigned flag, int present, const char *what)
{
    if (!obj)
        return COR_ERROR(COR_EINVAL, "objective is NULL");
    if (!(obj->flags & flag) || !present)
        return COR_ERROR(COR_EUNSUP, "objective has no %s", what);
    return COR_OK;
}

int
cor_objective_has(const cor_objective *obj, unsigned flags)
{
    return obj && (obj->flags & flags) == flags;
}

int
cor_objective_value(const cor_objective *obj, cor_scalar *L, const cor_vec *x)
{
    int st = check_obj(obj, COR_OBJ_VALUE, obj && obj->value, "value");

    if (st)
        return st;
    if (!L)
        return COR_ERROR(COR_EINVAL, "objective: L is NULL");
    if ((st = check_vec(obj, x, "x")))
        return st;
    return obj->value(L, x, obj->params);
}

int
cor_objective_grad(const cor_objective *obj, cor_vec *g, const cor_vec *x)
{
    int st = check_obj(obj, COR_OBJ_GRAD, obj && obj->grad, "gradient");

    if (st)
        return st;
    if ((st = check_vec(obj, x, "x")) || (st = check_vec(obj, g, "g")))
        return st;
    if (g == x)
        return COR_ERROR(COR_EINVAL, "objective: gradient output aliases x");
    return obj->grad(g, x, obj->params);
}

int
cor_objective_value_grad(const cor_objective *obj, cor_scalar *L, cor_vec *g, const cor_vec *x)
{
    int st, st2;

    if (!obj)
        return COR_ERROR(COR_EINVAL, "objective is NULL");
    if ((st = check_vec(obj, x, "x")))
        return st;
    if (g && (st = check_vec(obj, g, "g")))
        return st;
    if (g == x)
        return COR_ERROR(COR_EINVAL, "objective: gradient output aliases x");
    if ((obj->flags & COR_OBJ_VALUE_GRAD) && obj->value_grad && L && g)
        return obj->value_grad(L, g, x, obj->params);
    st = COR_OK;
    if (L)
    {
        if ((st = check_obj(obj, COR_OBJ_VALUE, obj->value != NULL, "value")))
            return st;
        st = obj->value(L, x, obj->params);
        if (cor_status_is_error(st))
            return st;
    }
    if (g)
    {
        if ((st2 = check_obj(obj, COR_OBJ_GRAD, obj->grad != NULL, "gradient")))
            return st2;
        st2 = obj->grad(g, x, obj->params);
        if (st2 != COR_OK)
            return st2;
    }
    return st;
}

int
cor_objective_hvp(const cor_objective *obj, cor_vec *hv, const cor_vec *x, const cor_vec *v)
{
    int st = check_obj(obj, COR_OBJ_HVP, obj && obj->hvp, "Hessian-vector product");

    if (st)
        return st;
    if ((st = check_vec(obj, x, "x")) || (st = check_vec(obj, v, "v"))
        || (st = check_vec(obj, hv, "hv")))
        return st;
    if (hv == x || hv == v)
        return COR_ERROR(COR_EINVAL, "objective: hvp output aliases an input");
    return obj->hvp(hv, x, v, obj->params);
}

int
cor_objective_hg(const cor_objective *obj, cor_vec *out, const cor_vec *x)
{
    int st = check_obj(obj, COR_OBJ_HG, obj && obj->hg, "H grad L");

    if (st)
        return st;
    if ((st = check_vec(obj, x, "x")) || (st = check_vec(obj, out, "hg")))
        return st;
    if (out == x)
        return COR_ERROR(COR_EINVAL, "objective: hg output aliases x");
    return obj->hg(out, x, obj->params);
}

int
cor_objective_select_batch(const cor_objective *obj, size_t k)
{
    if (!obj)
        return COR_ERROR(COR_EINVAL, "objective is NULL");
    if (!(obj->flags & COR_OBJ_BATCHES) || !obj->select_batch)
    {
        if (k == COR_BATCH_FULL)
            return COR_OK;
        return COR_ERROR(COR_EUNSUP, "objective has no batches");
    }
    if (k != COR_BATCH_FULL && k >= obj->nbatches)
        return COR_ERROR(COR_EINVAL, "batch %zu out of range (%zu batches)", k + 1,
                         obj->nbatches);
    return obj->select_batch(k, obj->params);
}

void
cor_objective_free(cor_objective *obj)
{
    if (!obj)
        return;
    if (obj->free_params)
        obj->free_params(obj->params);
    cor_free(obj);
}
