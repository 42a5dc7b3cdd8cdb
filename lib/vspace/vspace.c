/* vspace.c -- spaces, vectors and scalars: allocation, argument checks, dispatch to the
 * backend tables, and generic fallbacks for the optional operations.
 *
 * Every public operation checks its arguments here (NULL, kind, dimension, precision,
 * index), records an error with COR_ERROR when one is wrong, and otherwise calls the
 * backend through V->ops. The backends (vspace_f64.c, vspace_f32.c, vspace_mpfr.c) never
 * check anything. A vector or scalar is accepted by a space V when it was made from V or
 * from a space of the same kind, dimension (vectors only) and precision.
 *
 * Generic fallbacks. When a backend leaves an optional slot NULL, or fused operations were
 * switched off with cor_vspace_set_fused, lincomb, mul, div, sqrt and addc run element by
 * element through get_scalar, the scalar arithmetic and set_scalar, with the two workspace
 * scalars of V as temporaries (like SUNDIALS' N_VLinearCombination over N_VLinearSum).
 * They allocate nothing. Every element is read in full before it is written, so the same
 * aliasing rules hold as for the fused kernels. mul, div, sqrt and addc are single correctly
 * rounded operations either way, so fallback and fused results are identical; lincomb's
 * fallback rounds each product and each sum in the space instead of accumulating in double
 * (f64, f32) or with fma (MPFR), so it may differ in the last bits.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "vspace_impl.h"

/* ---- argument checks ------------------------------------------------------------------ */

static const char *
kind_name(cor_kind k)
{
    switch (k)
    {
    case COR_F64:
        return "f64";
    case COR_F32:
        return "f32";
    case COR_MPFR:
        return "mpfr";
    default:
        return "?";
    }
}

static int
space_check(const cor_vspace *V, const char *fn, int line)
{
    if (!V)
        return cor_error_raise(COR_EINVAL, __FILE__, line, fn, "%s: the space is NULL", fn);
    return COR_OK;
}

static int
vec_check(const cor_vec *v, const cor_vspace *V, const char *name, const char *fn, int line)
{
    if (!v)
        return cor_error_raise(COR_EINVAL, __FILE__, line, fn, "%s: vector %s is NULL", fn, name);
    if (v->V == V)
        return COR_OK;
    if (v->kind != V->kind || v->n != V->n || v->prec != V->prec)
        return cor_error_raise(COR_EBADLEN, __FILE__, line, fn,
                               "%s: vector %s (%s, n=%zu, %ld bits) does not belong to the "
                               "space (%s, n=%zu, %ld bits)",
                               fn, name, kind_name(v->kind), v->n, (long)v->prec,
                               kind_name(V->kind), V->n, (long)V->prec);
    return COR_OK;
}

static int
scalar_check(const cor_scalar *s, const cor_vspace *V, const char *name, const char *fn, int line)
{
    if (!s)
        return cor_error_raise(COR_EINVAL, __FILE__, line, fn, "%s: scalar %s is NULL", fn, name);
    if (s->V == V)
        return COR_OK;
    if (s->kind != V->kind || s->prec != V->prec)
        return cor_error_raise(COR_EBADLEN, __FILE__, line, fn,
                               "%s: scalar %s (%s, %ld bits) does not belong to the space "
                               "(%s, %ld bits)",
                               fn, name, kind_name(s->kind), (long)s->prec, kind_name(V->kind),
                               (long)V->prec);
    return COR_OK;
}

static int
index_check(size_t i, const cor_vspace *V, const char *fn, int line)
{
    if (i >= V->n)
        return cor_error_raise(COR_EINVAL, __FILE__, line, fn,
                               "%s: index %zu out of range (dimension %zu)", fn, i, V->n);
    return COR_OK;
}

#define SPACE_CHK(V) space_check((V), __func__, __LINE__)
#define VEC_CHK(v, V) vec_check((v), (V), #v, __func__, __LINE__)
#define SCALAR_CHK(s, V) scalar_check((s), (V), #s, __func__, __LINE__)
#define INDEX_CHK(i, V) index_check((i), (V), __func__, __LINE__)
#define NULL_CHK(p)                                                                                \
    ((p) ? COR_OK                                                                                  \
         : cor_error_raise(COR_EINVAL, __FILE__, __LINE__, __func__, "%s: %s is NULL", __func__,   \
                           #p))

/* ---- spaces --------------------------------------------------------------------------- */

static cor_vspace *
space_alloc(cor_kind kind, size_t n, mpfr_prec_t prec, const cor_vspace_ops *ops)
{
    cor_vspace *V = NULL;
    cor_vspace_work *w = NULL;
    size_t bq, bp;
    char *block;

    if (n == 0)
    {
        COR_ERROR(COR_EINVAL, "a vector space needs dimension >= 1");
        return NULL;
    }
    V = cor_calloc(1, sizeof *V);
    w = cor_calloc(1, sizeof *w);
    if (!V || !w)
        goto fail;
    V->kind = kind;
    V->n = n;
    V->prec = prec;
    V->ops = ops;
    V->fused = 1;
    V->work = w;

    bq = cor_vspace_mpfr_bytes_internal((mpfr_prec_t)(sizeof(long) * CHAR_BIT));
    bp = cor_vspace_mpfr_bytes_internal(prec);
    w->block = cor_malloc(bq + 2 * bp);
    if (!w->block)
        goto fail;
    block = w->block;
    cor_vspace_mpfr_init_internal(w->qnum, (mpfr_prec_t)(sizeof(long) * CHAR_BIT), block);
    cor_vspace_mpfr_init_internal(w->acc, prec, block + bq);
    cor_vspace_mpfr_init_internal(w->qres, prec, block + bq + bp);

    w->sacc = cor_scalar_alloc(V);
    w->stmp = cor_scalar_alloc(V);
    if (!w->sacc || !w->stmp)
        goto fail;
    return V;

fail:
    cor_vspace_free(V);
    if (!V)
        cor_free(w);
    return NULL;
}

cor_vspace *
cor_vspace_alloc_f64(size_t n)
{
    return space_alloc(COR_F64, n, 53, &cor_vspace_ops_f64_internal);
}

cor_vspace *
cor_vspace_alloc_f32(size_t n)
{
    return space_alloc(COR_F32, n, 24, &cor_vspace_ops_f32_internal);
}

cor_vspace *
cor_vspace_alloc_mpfr(size_t n, mpfr_prec_t prec)
{
    if (prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX)
    {
        COR_ERROR(COR_EINVAL, "MPFR precision %ld outside [%ld, %ld]", (long)prec,
                  (long)MPFR_PREC_MIN, (long)MPFR_PREC_MAX);
        return NULL;
    }
    return space_alloc(COR_MPFR, n, prec, &cor_vspace_ops_mpfr_internal);
}

void
cor_vspace_free(cor_vspace *V)
{
    if (!V)
        return;
    if (V->work)
    {
        cor_scalar_free(V->work->sacc);
        cor_scalar_free(V->work->stmp);
        cor_free(V->work->block);
        cor_free(V->work);
    }
    cor_free(V);
}

cor_kind
cor_vspace_kind(const cor_vspace *V)
{
    return V ? V->kind : (cor_kind)0;
}

size_t
cor_vspace_dim(const cor_vspace *V)
{
    return V ? V->n : 0;
}

mpfr_prec_t
cor_vspace_prec(const cor_vspace *V)
{
    return V ? V->prec : 0;
}

const char *
cor_vspace_name(const cor_vspace *V)
{
    return V ? V->ops->name : "none";
}

int
cor_vspace_set_fused(cor_vspace *V, int enable)
{
    int old;

    if (!V)
        return 0;
    old = V->fused;
    V->fused = enable ? 1 : 0;
    return old;
}

/* ---- vectors -------------------------------------------------------------------------- */

static cor_vec *
vec_new(const cor_vspace *V)
{
    cor_vec *v = cor_calloc(1, sizeof *v);

    if (!v)
        return NULL;
    v->V = V;
    v->kind = V->kind;
    v->n = V->n;
    v->prec = V->prec;
    return v;
}

cor_vec *
cor_vec_alloc(const cor_vspace *V)
{
    cor_vec *v;
    size_t i, bytes;

    if (SPACE_CHK(V))
        return NULL;
    v = vec_new(V);
    if (!v)
        return NULL;
    v->owner = 1;
    switch (V->kind)
    {
    case COR_F64:
        v->d.f64 = cor_calloc(V->n, sizeof(double));
        if (!v->d.f64)
            goto fail;
        break;
    case COR_F32:
        v->d.f32 = cor_calloc(V->n, sizeof(float));
        if (!v->d.f32)
            goto fail;
        break;
    case COR_MPFR:
        bytes = cor_vspace_mpfr_bytes_internal(V->prec);
        v->d.mpfr = cor_mallocarray(V->n, sizeof(__mpfr_struct));
        v->limbs = cor_mallocarray(V->n, bytes);
        if (!v->d.mpfr || !v->limbs)
            goto fail;
        for (i = 0; i < V->n; i++)
            cor_vspace_mpfr_init_internal(&v->d.mpfr[i], V->prec, (char *)v->limbs + i * bytes);
        break;
    }
    return v;

fail:
    cor_vec_free(v);
    return NULL;
}

cor_vec *
cor_vec_wrap_f32(const cor_vspace *V, float *data)
{
    cor_vec *v;

    if (SPACE_CHK(V) || NULL_CHK(data))
        return NULL;
    if (V->kind != COR_F32)
    {
        COR_ERROR(COR_EINVAL, "cor_vec_wrap_f32 on a %s space", kind_name(V->kind));
        return NULL;
    }
    v = vec_new(V);
    if (v)
        v->d.f32 = data;
    return v;
}

cor_vec *
cor_vec_wrap_f64(const cor_vspace *V, double *data)
{
    cor_vec *v;

    if (SPACE_CHK(V) || NULL_CHK(data))
        return NULL;
    if (V->kind != COR_F64)
    {
        COR_ERROR(COR_EINVAL, "cor_vec_wrap_f64 on a %s space", kind_name(V->kind));
        return NULL;
    }
    v = vec_new(V);
    if (v)
        v->d.f64 = data;
    return v;
}

void
cor_vec_free(cor_vec *v)
{
    if (!v)
        return;
    if (v->owner)
    {
        cor_free(v->d.any);
        cor_free(v->limbs);
    }
    cor_free(v);
}

const cor_vspace *
cor_vec_space(const cor_vec *v)
{
    return v ? v->V : NULL;
}

size_t
cor_vec_dim(const cor_vec *v)
{
    return v ? v->n : 0;
}

float *
cor_vec_data_f32(cor_vec *v)
{
    return v && v->kind == COR_F32 ? v->d.f32 : NULL;
}

double *
cor_vec_data_f64(cor_vec *v)
{
    return v && v->kind == COR_F64 ? v->d.f64 : NULL;
}

const float *
cor_vec_const_data_f32(const cor_vec *v)
{
    return v && v->kind == COR_F32 ? v->d.f32 : NULL;
}

const double *
cor_vec_const_data_f64(const cor_vec *v)
{
    return v && v->kind == COR_F64 ? v->d.f64 : NULL;
}

mpfr_ptr
cor_vec_mpfr_ptr(cor_vec *v, size_t i)
{
    return v && v->kind == COR_MPFR && i < v->n ? &v->d.mpfr[i] : NULL;
}

mpfr_srcptr
cor_vec_mpfr_srcptr(const cor_vec *v, size_t i)
{
    return v && v->kind == COR_MPFR && i < v->n ? &v->d.mpfr[i] : NULL;
}

/* ---- scalars -------------------------------------------------------------------------- */

/* The limbs of an MPFR scalar follow the struct in the same allocation; sizeof(cor_scalar)
 * is a multiple of its alignment, which is at least that of mp_limb_t. */
cor_scalar *
cor_scalar_alloc(const cor_vspace *V)
{
    cor_scalar *s;
    size_t extra = 0;

    if (SPACE_CHK(V))
        return NULL;
    if (V->kind == COR_MPFR)
        extra = cor_vspace_mpfr_bytes_internal(V->prec);
    s = cor_calloc(1, sizeof *s + extra);
    if (!s)
        return NULL;
    s->V = V;
    s->kind = V->kind;
    s->prec = V->prec;
    if (V->kind == COR_MPFR)
        cor_vspace_mpfr_init_internal(s->u.mpfr, V->prec, (char *)s + sizeof *s);
    return s;
}

void
cor_scalar_free(cor_scalar *s)
{
    cor_free(s);
}

const cor_vspace *
cor_scalar_space(const cor_scalar *s)
{
    return s ? s->V : NULL;
}

int
cor_scalar_set_d(cor_scalar *s, double d)
{
    int st;

    if ((st = NULL_CHK(s)))
        return st;
    return s->V->ops->s_set_d(s, d, s->V);
}

int
cor_scalar_set_si(cor_scalar *s, long k)
{
    int st;

    if ((st = NULL_CHK(s)))
        return st;
    return s->V->ops->s_set_si(s, k, s->V);
}

int
cor_scalar_set_q(cor_scalar *s, long num, long den)
{
    int st;

    if ((st = NULL_CHK(s)))
        return st;
    if (den == 0)
        return COR_ERROR(COR_EDOM, "cor_scalar_set_q: %ld/0", num);
    return s->V->ops->s_set_q(s, num, den, s->V);
}

int
cor_scalar_set_str(cor_scalar *s, const char *text)
{
    int st;

    if ((st = NULL_CHK(s)) || (st = NULL_CHK(text)))
        return st;
    st = s->V->ops->s_set_str(s, text, s->V);
    if (st == COR_EPARSE)
        return COR_ERROR(COR_EPARSE, "not a decimal number: \"%.64s\"", text);
    return st;
}

int
cor_scalar_set_mpfr(cor_scalar *s, mpfr_srcptr x)
{
    int st;

    if ((st = NULL_CHK(s)) || (st = NULL_CHK(x)))
        return st;
    return s->V->ops->s_set_mpfr(s, x, s->V);
}

int
cor_scalar_set(cor_scalar *dst, const cor_scalar *src)
{
    int st;

    if ((st = NULL_CHK(dst)) || (st = NULL_CHK(src)))
        return st;
    if (src->kind == dst->kind && src->prec == dst->prec)
        return dst->V->ops->s_set(dst, src);
    switch (src->kind)
    {
    case COR_MPFR:
        return dst->V->ops->s_set_mpfr(dst, src->u.mpfr, dst->V);
    case COR_F64:
        return dst->V->ops->s_set_d(dst, src->u.f64, dst->V);
    case COR_F32:
    default:
        return dst->V->ops->s_set_d(dst, (double)src->u.f32, dst->V);
    }
}

int
cor_scalar_get_mpfr(mpfr_ptr out, const cor_scalar *s)
{
    int st;

    if ((st = NULL_CHK(out)) || (st = NULL_CHK(s)))
        return st;
    return s->V->ops->s_get_mpfr(out, s);
}

double
cor_scalar_get_d(const cor_scalar *s)
{
    return s ? s->V->ops->s_get_d(s) : NAN;
}

#define SCALAR_BINARY(op)                                                                          \
    int cor_scalar_##op(cor_scalar *out, const cor_scalar *a, const cor_scalar *b,                 \
                        const cor_vspace *V)                                                       \
    {                                                                                              \
        int st;                                                                                    \
        if ((st = SPACE_CHK(V)) || (st = SCALAR_CHK(out, V)) || (st = SCALAR_CHK(a, V)) ||         \
            (st = SCALAR_CHK(b, V)))                                                               \
            return st;                                                                             \
        return V->ops->s_##op(out, a, b);                                                          \
    }

#define SCALAR_UNARY(op)                                                                           \
    int cor_scalar_##op(cor_scalar *out, const cor_scalar *a, const cor_vspace *V)                 \
    {                                                                                              \
        int st;                                                                                    \
        if ((st = SPACE_CHK(V)) || (st = SCALAR_CHK(out, V)) || (st = SCALAR_CHK(a, V)))           \
            return st;                                                                             \
        return V->ops->s_##op(out, a);                                                             \
    }

SCALAR_BINARY(add)
SCALAR_BINARY(sub)
SCALAR_BINARY(mul)
SCALAR_BINARY(div)
SCALAR_UNARY(sqrt)
SCALAR_UNARY(neg)
SCALAR_UNARY(abs)

static int
scalar_isnan(const cor_scalar *s)
{
    switch (s->kind)
    {
    case COR_F64:
        return isnan(s->u.f64);
    case COR_F32:
        return isnan(s->u.f32);
    case COR_MPFR:
    default:
        return mpfr_nan_p(s->u.mpfr) != 0;
    }
}

static double
scalar_real(const cor_scalar *s)
{
    return s->kind == COR_F64 ? s->u.f64 : (double)s->u.f32;
}

/* Exact comparison: f32 and f64 values are exact doubles, and mpfr_cmp / mpfr_cmp_d compare
 * exactly across precisions. NaN was excluded first, so MPFR's erange flag is never set. */
int
cor_scalar_cmp(const cor_scalar *a, const cor_scalar *b)
{
    double x, y;
    int r;

    if (!a || !b || scalar_isnan(a) || scalar_isnan(b))
        return 0;
    if (a->kind == COR_MPFR && b->kind == COR_MPFR)
        r = mpfr_cmp(a->u.mpfr, b->u.mpfr);
    else if (a->kind == COR_MPFR)
        r = mpfr_cmp_d(a->u.mpfr, scalar_real(b));
    else if (b->kind == COR_MPFR)
        r = -mpfr_cmp_d(b->u.mpfr, scalar_real(a));
    else
    {
        x = scalar_real(a);
        y = scalar_real(b);
        r = (x > y) - (x < y);
    }
    return (r > 0) - (r < 0);
}

int
cor_scalar_is_finite(const cor_scalar *s)
{
    return s ? s->V->ops->s_is_finite(s) : 0;
}

int
cor_scalar_sgn(const cor_scalar *s)
{
    return s ? s->V->ops->s_sgn(s) : 0;
}

int
cor_scalar_fprint(FILE *f, const cor_scalar *s)
{
    int st;

    if ((st = NULL_CHK(f)) || (st = NULL_CHK(s)))
        return st;
    if (s->V->ops->s_fprint(f, s) != COR_OK)
        return COR_ERROR(COR_EIO, "cannot write a scalar");
    return COR_OK;
}

/* ---- required vector operations ------------------------------------------------------ */

int
cor_vec_zero(cor_vec *z, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)))
        return st;
    V->ops->zero(z);
    return COR_OK;
}

int
cor_vec_copy(cor_vec *z, const cor_vec *x, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = VEC_CHK(x, V)))
        return st;
    V->ops->copy(z, x);
    return COR_OK;
}

int
cor_vec_axpby(cor_vec *z, const cor_scalar *a, const cor_vec *x, const cor_scalar *b,
              const cor_vec *y, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = SCALAR_CHK(a, V)) ||
        (st = VEC_CHK(x, V)) || (st = SCALAR_CHK(b, V)) || (st = VEC_CHK(y, V)))
        return st;
    V->ops->axpby(z, a, x, b, y);
    return COR_OK;
}

int
cor_vec_scale(cor_vec *z, const cor_scalar *a, const cor_vec *x, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = SCALAR_CHK(a, V)) ||
        (st = VEC_CHK(x, V)))
        return st;
    V->ops->scale(z, a, x);
    return COR_OK;
}

int
cor_vec_dot(cor_scalar *d, const cor_vec *x, const cor_vec *y, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = SCALAR_CHK(d, V)) || (st = VEC_CHK(x, V)) ||
        (st = VEC_CHK(y, V)))
        return st;
    return V->ops->dot(d, x, y, V);
}

int
cor_vec_nrm2(cor_scalar *r, const cor_vec *x, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = SCALAR_CHK(r, V)) || (st = VEC_CHK(x, V)))
        return st;
    return V->ops->nrm2(r, x, V);
}

int
cor_vec_amax(cor_scalar *r, const cor_vec *x, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = SCALAR_CHK(r, V)) || (st = VEC_CHK(x, V)))
        return st;
    return V->ops->amax(r, x);
}

int
cor_vec_all_finite(const cor_vec *x, const cor_vspace *V)
{
    if (SPACE_CHK(V) || VEC_CHK(x, V))
        return 0;
    return V->ops->all_finite(x);
}

int
cor_vec_get_d(double *out, const cor_vec *x, size_t i, const cor_vspace *V)
{
    int st;

    if ((st = NULL_CHK(out)) || (st = SPACE_CHK(V)) || (st = VEC_CHK(x, V)) ||
        (st = INDEX_CHK(i, V)))
        return st;
    *out = V->ops->get_d(x, i);
    return isfinite(*out) ? COR_OK : COR_NONFINITE;
}

int
cor_vec_set_d(cor_vec *z, size_t i, double val, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = INDEX_CHK(i, V)))
        return st;
    return V->ops->set_d(z, i, val);
}

int
cor_vec_set_str(cor_vec *z, size_t i, const char *text, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = INDEX_CHK(i, V)) ||
        (st = NULL_CHK(text)))
        return st;
    st = V->ops->set_str(z, i, text, V);
    if (st == COR_EPARSE)
        return COR_ERROR(COR_EPARSE, "element %zu: not a decimal number: \"%.64s\"", i, text);
    return st;
}

int
cor_vec_get_scalar(cor_scalar *s, const cor_vec *x, size_t i, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = SCALAR_CHK(s, V)) || (st = VEC_CHK(x, V)) ||
        (st = INDEX_CHK(i, V)))
        return st;
    V->ops->get_scalar(s, x, i);
    return V->ops->s_is_finite(s) ? COR_OK : COR_NONFINITE;
}

int
cor_vec_set_scalar(cor_vec *z, size_t i, const cor_scalar *s, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = INDEX_CHK(i, V)) ||
        (st = SCALAR_CHK(s, V)))
        return st;
    V->ops->set_scalar(z, i, s);
    return V->ops->s_is_finite(s) ? COR_OK : COR_NONFINITE;
}

int
cor_vec_fprint(FILE *f, const cor_vec *x, const cor_vspace *V)
{
    int st;

    if ((st = NULL_CHK(f)) || (st = SPACE_CHK(V)) || (st = VEC_CHK(x, V)))
        return st;
    if (V->ops->fprint(f, x) != COR_OK)
        return COR_ERROR(COR_EIO, "cannot write a vector");
    return COR_OK;
}

/* ---- optional operations and their generic fallbacks --------------------------------- */

/* z_i = sum_k c_k x_k[i]: the sum for element i is formed in the workspace scalar acc from
 * reads of x_k[i] only, and written to z_i last, so z may alias any x_k. */
static void
lincomb_generic(cor_vec *z, size_t m, const cor_scalar *const *c, const cor_vec *const *x,
                const cor_vspace *V)
{
    const cor_vspace_ops *o = V->ops;
    cor_scalar *acc = V->work->sacc, *t = V->work->stmp;
    size_t i, k;

    for (i = 0; i < V->n; i++)
    {
        o->get_scalar(t, x[0], i);
        (void)o->s_mul(acc, c[0], t);
        for (k = 1; k < m; k++)
        {
            o->get_scalar(t, x[k], i);
            (void)o->s_mul(t, c[k], t);
            (void)o->s_add(acc, acc, t);
        }
        o->set_scalar(z, i, acc);
    }
}

int
cor_vec_lincomb(cor_vec *z, size_t m, const cor_scalar *const *c, const cor_vec *const *x,
                const cor_vspace *V)
{
    size_t k;
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)))
        return st;
    if (m == 0)
    {
        V->ops->zero(z);
        return COR_OK;
    }
    if ((st = NULL_CHK(c)) || (st = NULL_CHK(x)))
        return st;
    for (k = 0; k < m; k++)
        if ((st = SCALAR_CHK(c[k], V)) || (st = VEC_CHK(x[k], V)))
            return st;
    if (V->fused && V->ops->lincomb)
        V->ops->lincomb(z, m, c, x, V);
    else
        lincomb_generic(z, m, c, x, V);
    return COR_OK;
}

/* The elementwise fallbacks: acc = x_i, t = y_i (both read first), acc = acc op t,
 * z_i = acc. */
#define ELEMENTWISE_BINARY(op)                                                                     \
    static void op##_generic(cor_vec *z, const cor_vec *x, const cor_vec *y, const cor_vspace *V)  \
    {                                                                                              \
        const cor_vspace_ops *o = V->ops;                                                          \
        cor_scalar *acc = V->work->sacc, *t = V->work->stmp;                                       \
        size_t i;                                                                                  \
        for (i = 0; i < V->n; i++)                                                                 \
        {                                                                                          \
            o->get_scalar(acc, x, i);                                                              \
            o->get_scalar(t, y, i);                                                                \
            (void)o->s_##op(acc, acc, t);                                                          \
            o->set_scalar(z, i, acc);                                                              \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    int cor_vec_##op(cor_vec *z, const cor_vec *x, const cor_vec *y, const cor_vspace *V)          \
    {                                                                                              \
        int st;                                                                                    \
        if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = VEC_CHK(x, V)) ||                 \
            (st = VEC_CHK(y, V)))                                                                  \
            return st;                                                                             \
        if (V->fused && V->ops->op)                                                                \
            V->ops->op(z, x, y);                                                                   \
        else                                                                                       \
            op##_generic(z, x, y, V);                                                              \
        return COR_OK;                                                                             \
    }

ELEMENTWISE_BINARY(mul)
ELEMENTWISE_BINARY(div)

static void
sqrt_generic(cor_vec *z, const cor_vec *x, const cor_vspace *V)
{
    const cor_vspace_ops *o = V->ops;
    cor_scalar *acc = V->work->sacc;
    size_t i;

    for (i = 0; i < V->n; i++)
    {
        o->get_scalar(acc, x, i);
        (void)o->s_sqrt(acc, acc);
        o->set_scalar(z, i, acc);
    }
}

int
cor_vec_sqrt(cor_vec *z, const cor_vec *x, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = VEC_CHK(x, V)))
        return st;
    if (V->fused && V->ops->sqrt)
        V->ops->sqrt(z, x);
    else
        sqrt_generic(z, x, V);
    return COR_OK;
}

static void
addc_generic(cor_vec *z, const cor_vec *x, const cor_scalar *c, const cor_vspace *V)
{
    const cor_vspace_ops *o = V->ops;
    cor_scalar *acc = V->work->sacc;
    size_t i;

    for (i = 0; i < V->n; i++)
    {
        o->get_scalar(acc, x, i);
        (void)o->s_add(acc, acc, c);
        o->set_scalar(z, i, acc);
    }
}

int
cor_vec_addc(cor_vec *z, const cor_vec *x, const cor_scalar *c, const cor_vspace *V)
{
    int st;

    if ((st = SPACE_CHK(V)) || (st = VEC_CHK(z, V)) || (st = VEC_CHK(x, V)) ||
        (st = SCALAR_CHK(c, V)))
        return st;
    if (V->fused && V->ops->addc)
        V->ops->addc(z, x, c);
    else
        addc_generic(z, x, c, V);
    return COR_OK;
}

/* ---- decimal parsing for f64 and f32 ------------------------------------------------- */

/* Only decimal text: strtod would also take hexadecimal ("0x1p-3"), which MPFR's base-10
 * reader does not, so it is refused here to keep the backends alike. */
static int
decimal_text(const char *text, const char **start)
{
    const char *p = text;

    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    *start = p;
    if (*p == '+' || *p == '-')
        p++;
    return !(p[0] == '0' && (p[1] == 'x' || p[1] == 'X'));
}

static int
rest_is_blank(const char *end)
{
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    return *end == '\0';
}

int
cor_vspace_parse_d_internal(double *out, const char *text)
{
    const char *start;
    char *end;
    double v;

    if (!decimal_text(text, &start))
        return COR_EPARSE;
    v = strtod(start, &end);
    if (end == start || !rest_is_blank(end))
        return COR_EPARSE;
    *out = v;
    return isfinite(v) ? COR_OK : COR_NONFINITE;
}

int
cor_vspace_parse_f_internal(float *out, const char *text)
{
    const char *start;
    char *end;
    float v;

    if (!decimal_text(text, &start))
        return COR_EPARSE;
    v = strtof(start, &end);
    if (end == start || !rest_is_blank(end))
        return COR_EPARSE;
    *out = v;
    return isfinite(v) ? COR_OK : COR_NONFINITE;
}
