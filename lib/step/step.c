/* step.c -- the generic layer of the steppers: instances, parameters, argument checks, the
 * evaluation and divergence helpers shared by the algorithm files, and the type table. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

const cor_step_type *const cor_step_types[] = {
    &cor_step_gd,     &cor_step_heavyball, &cor_step_nesterov, &cor_step_rk4,
    &cor_step_euler,  &cor_step_midpoint,  &cor_step_heun,     &cor_step_rk3,
    &cor_step_rk38,   &cor_step_clr,       &cor_step_sps,      &cor_step_decsps,
    &cor_step_polyak_lb, &cor_step_sgd,    &cor_step_adam,     NULL,
};

const cor_step_type *
cor_step_type_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; cor_step_types[i]; i++)
        if (strcmp(cor_step_types[i]->name, name) == 0)
            return cor_step_types[i];
    return NULL;
}

/* ---- helpers for the algorithm files ---------------------------------------------------- */

int
cor_step_parse_scalar_internal(cor_scalar *dst, const char *name, const char *text)
{
    int st;

    if (!text)
        return COR_ERROR(COR_EINVAL, "step parameter %s: no value", name);
    st = cor_scalar_set_str(dst, text);
    if (st == COR_EPARSE)
        return COR_ERROR(COR_EPARSE, "step parameter %s: '%s' is not a number", name, text);
    if (cor_status_is_error(st))
        return st;
    return COR_OK; /* "inf" is a legitimate value (no cap, no bound) */
}

int
cor_step_parse_u64_internal(uint64_t *out, const char *name, const char *text)
{
    char *end;
    unsigned long long v;

    if (!text || !*text || *text == '-')
        return COR_ERROR(COR_EPARSE, "step parameter %s: expected a nonnegative integer", name);
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || *end)
        return COR_ERROR(COR_EPARSE, "step parameter %s: '%s' is not a nonnegative integer",
                         name, text);
    *out = (uint64_t)v;
    return COR_OK;
}

int
cor_step_eval_internal(cor_step *s, const cor_objective *obj, const cor_vec *x, int need_loss)
{
    int want_loss = need_loss || cor_objective_has(obj, COR_OBJ_VALUE_GRAD)
                    || cor_objective_has(obj, COR_OBJ_VALUE);
    int st;

    st = cor_objective_value_grad(obj, want_loss ? s->loss : NULL, s->g, x);
    if (cor_status_is_error(st))
        return st;
    s->have_loss = want_loss;
    if (st != COR_OK)
        return st;
    st = cor_vec_nrm2(s->gnorm, s->g, s->V);
    if (cor_status_is_error(st))
        return st;
    s->have_gnorm = 1;
    return st;
}

int
cor_step_check_x_internal(cor_step *s, const cor_vec *x)
{
    int st = cor_vec_nrm2(s->tmp, x, s->V);

    if (st != COR_OK)
        return st; /* COR_NONFINITE, or an error */
    if (cor_scalar_is_finite(s->bound) && cor_scalar_cmp(s->tmp, s->bound) > 0)
        return COR_DIVERGED;
    return COR_OK;
}

int
cor_step_alloc_scalars_internal(cor_step *s, cor_scalar **out, size_t count)
{
    for (size_t i = 0; i < count; i++)
    {
        out[i] = cor_scalar_alloc(s->V);
        if (!out[i])
        {
            cor_step_free_scalars_internal(out, i);
            return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
        }
    }
    return COR_OK;
}

int
cor_step_alloc_vecs_internal(cor_step *s, cor_vec **out, size_t count)
{
    for (size_t i = 0; i < count; i++)
    {
        out[i] = cor_vec_alloc(s->V);
        if (!out[i])
        {
            cor_step_free_vecs_internal(out, i);
            return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
        }
    }
    return COR_OK;
}

void
cor_step_free_scalars_internal(cor_scalar **arr, size_t count)
{
    for (size_t i = 0; i < count; i++)
    {
        cor_scalar_free(arr[i]);
        arr[i] = NULL;
    }
}

void
cor_step_free_vecs_internal(cor_vec **arr, size_t count)
{
    for (size_t i = 0; i < count; i++)
    {
        cor_vec_free(arr[i]);
        arr[i] = NULL;
    }
}

/* ---- instances -------------------------------------------------------------------------- */

static cor_step *
alloc_common(const cor_step_type *T, const cor_butcher *tab, const cor_vspace *V)
{
    cor_step *s;
    cor_scalar *sc[7];
    int st;

    if (!T || !V)
    {
        COR_ERROR(COR_EINVAL, "cor_step_alloc: NULL type or space");
        return NULL;
    }
    s = cor_calloc(1, sizeof *s);
    if (!s)
    {
        COR_ERROR(COR_ENOMEM, "cor_step_alloc: out of memory");
        return NULL;
    }
    s->type = T;
    s->V = V;
    s->n = cor_vspace_dim(V);
    s->tab = tab;
    s->batch = COR_BATCH_FULL;
    if (cor_step_alloc_scalars_internal(s, sc, 7) != COR_OK)
        goto fail;
    s->loss = sc[0];
    s->gnorm = sc[1];
    s->lr = sc[2];
    s->one = sc[3];
    s->neg = sc[4];
    s->tmp = sc[5];
    s->bound = sc[6];
    if (!(s->g = cor_vec_alloc(V)))
        goto fail;
    /* 1e100 overflows float: an f32 space gets an infinite bound (no bound; an overflow there
     * is caught as a non-finite iterate) */
    if (cor_scalar_set_si(s->one, 1) != COR_OK
        || cor_status_is_error(cor_scalar_set_str(s->bound, "1e100")))
        goto fail;
    st = T->alloc ? T->alloc(s) : COR_OK;
    if (st != COR_OK)
        goto fail;
    if (T->reset && T->reset(s) != COR_OK)
        goto fail;
    return s;

fail:
    cor_step_free(s);
    return NULL;
}

cor_step *
cor_step_alloc(const cor_step_type *T, const cor_vspace *V)
{
    if (T && T->data == NULL && T == &cor_step_rk)
    {
        COR_ERROR(COR_EINVAL, "cor_step_alloc: the generic rk type needs cor_step_alloc_rk");
        return NULL;
    }
    return alloc_common(T, T ? (const cor_butcher *)T->data : NULL, V);
}

cor_step *
cor_step_alloc_rk(const cor_butcher *tab, const cor_vspace *V)
{
    if (!tab || tab->stages == 0 || !tab->a || !tab->b)
    {
        COR_ERROR(COR_EINVAL, "cor_step_alloc_rk: bad tableau");
        return NULL;
    }
    return alloc_common(&cor_step_rk, tab, V);
}

void
cor_step_free(cor_step *s)
{
    if (!s)
        return;
    if (s->type && s->type->free)
        s->type->free(s);
    cor_vec_free(s->g);
    cor_scalar_free(s->loss);
    cor_scalar_free(s->gnorm);
    cor_scalar_free(s->lr);
    cor_scalar_free(s->one);
    cor_scalar_free(s->neg);
    cor_scalar_free(s->tmp);
    cor_scalar_free(s->bound);
    cor_free(s);
}

const cor_step_type *
cor_step_get_type(const cor_step *s)
{
    return s ? s->type : NULL;
}

const char *
cor_step_name(const cor_step *s)
{
    if (!s)
        return NULL;
    if (s->tab && s->type == &cor_step_rk)
        return s->tab->name;
    return s->type->name;
}

const cor_vspace *
cor_step_space(const cor_step *s)
{
    return s ? s->V : NULL;
}

int
cor_step_reset(cor_step *s)
{
    if (!s)
        return COR_ERROR(COR_EINVAL, "cor_step_reset: NULL stepper");
    s->count = 0;
    s->have_loss = s->have_gnorm = s->have_lr = 0;
    s->batch = COR_BATCH_FULL;
    return s->type->reset ? s->type->reset(s) : COR_OK;
}

int
cor_step_set_param(cor_step *s, const char *name, const char *value)
{
    int st;

    if (!s || !name || !value)
        return COR_ERROR(COR_EINVAL, "cor_step_set_param: NULL argument");
    if (strcmp(name, "bound") == 0)
        return cor_step_parse_scalar_internal(s->bound, name, value);
    st = s->type->set_param ? s->type->set_param(s, name, value) : COR_STEP_UNKNOWN;
    if (st == COR_STEP_UNKNOWN)
        return COR_ERROR(COR_EINVAL, "stepper %s has no parameter '%s'", cor_step_name(s), name);
    return st;
}

int
cor_step_set_vec(cor_step *s, const char *name, const cor_vec *v)
{
    int st;

    if (!s || !name || !v)
        return COR_ERROR(COR_EINVAL, "cor_step_set_vec: NULL argument");
    if (cor_vec_dim(v) != s->n)
        return COR_ERROR(COR_EBADLEN, "cor_step_set_vec: %s has dimension %zu, expected %zu",
                         name, cor_vec_dim(v), s->n);
    st = s->type->set_vec ? s->type->set_vec(s, name, v) : COR_STEP_UNKNOWN;
    if (st == COR_STEP_UNKNOWN)
        return COR_ERROR(COR_EINVAL, "stepper %s has no vector parameter '%s'",
                         cor_step_name(s), name);
    return st;
}

static const struct
{
    unsigned need, flag;
    const char *what;
} need_map[] = {
    {COR_NEED_VALUE, COR_OBJ_VALUE, "the loss value"},
    {COR_NEED_GRAD, COR_OBJ_GRAD, "the gradient"},
    {COR_NEED_HVP, COR_OBJ_HVP, "Hessian-vector products"},
    {COR_NEED_BATCHES, COR_OBJ_BATCHES, "batch losses"},
};

int
cor_step_prepare(cor_step *s, const cor_objective *obj)
{
    int st;

    if (!s || !obj)
        return COR_ERROR(COR_EINVAL, "cor_step_prepare: NULL argument");
    if (obj->n != s->n)
        return COR_ERROR(COR_EBADLEN, "stepper %s: objective of dimension %zu, space %zu",
                         cor_step_name(s), obj->n, s->n);
    for (size_t i = 0; i < sizeof need_map / sizeof need_map[0]; i++)
        if ((s->type->needs & need_map[i].need) && !(obj->flags & need_map[i].flag))
            return COR_ERROR(COR_EINVAL, "stepper %s needs %s, which the objective lacks",
                             cor_step_name(s), need_map[i].what);
    if (s->type->prepare && (st = s->type->prepare(s, obj)) != COR_OK)
        return st;
    s->prepared = obj;
    return COR_OK;
}

int
cor_step_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h,
               cor_step_info *info)
{
    int st;

    if (!s || !obj || !x)
        return COR_ERROR(COR_EINVAL, "cor_step_apply: NULL argument");
    if (!(s->type->needs & COR_NEED_NO_LR) && !h)
        return COR_ERROR(COR_EINVAL, "stepper %s needs a step size", cor_step_name(s));
    if (cor_vec_dim(x) != s->n)
        return COR_ERROR(COR_EBADLEN, "stepper %s: x has dimension %zu, expected %zu",
                         cor_step_name(s), cor_vec_dim(x), s->n);
    if (h == s->lr || h == s->neg || h == s->tmp)
        return COR_ERROR(COR_EINVAL, "stepper %s: h is a scalar owned by the stepper",
                         cor_step_name(s));
    if (s->prepared != obj && (st = cor_step_prepare(s, obj)) != COR_OK)
        return st;
    s->have_loss = s->have_gnorm = s->have_lr = 0;
    s->batch = COR_BATCH_FULL;
    st = s->type->apply(s, obj, x, h);
    if (st == COR_OK)
        s->count++;
    if (info)
    {
        info->loss = s->have_loss ? s->loss : NULL;
        info->grad_norm = s->have_gnorm ? s->gnorm : NULL;
        info->lr = s->have_lr ? s->lr : NULL;
        info->batch = s->batch;
        info->count = s->count;
    }
    return st;
}

/* ---- saving and restoring the history ---------------------------------------------------- */

/* Byte I/O: little-endian, whatever the host order. */
static void
put_bytes(struct cor_step_state_io *io, const unsigned char *b, size_t k)
{
    if (io->out && io->pos + k <= io->cap)
        memcpy(io->out + io->pos, b, k);
    io->pos += k;
}

static void
put_u64(struct cor_step_state_io *io, uint64_t v)
{
    unsigned char b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(io, b, 8);
}

static int
get_bytes(struct cor_step_state_io *io, unsigned char *b, size_t k, const char *what)
{
    if (io->cap - io->pos < k)
        return COR_ERROR(COR_EPARSE, "step state: truncated at byte offset %zu (%s needs %zu "
                         "bytes)", io->cap, what, k);
    memcpy(b, io->in + io->pos, k);
    io->pos += k;
    return COR_OK;
}

static int
get_u64(struct cor_step_state_io *io, uint64_t *v, const char *what)
{
    unsigned char b[8];
    int st = get_bytes(io, b, 8, what);

    if (st != COR_OK)
        return st;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)b[i] << (8 * i);
    return COR_OK;
}

static uint64_t
bits_d(double d)
{
    uint64_t u;

    memcpy(&u, &d, 8);
    return u;
}

static double
d_bits(uint64_t u)
{
    double d;

    memcpy(&d, &u, 8);
    return d;
}

/* The tag of the next item: written, or read and compared. */
static int
state_tag(struct cor_step_state_io *io, unsigned char tag, const char *what)
{
    unsigned char t;
    size_t at = io->pos;
    int st;

    if (!io->load)
    {
        put_bytes(io, &tag, 1);
        return COR_OK;
    }
    if ((st = get_bytes(io, &t, 1, what)) != COR_OK)
        return st;
    if (t != tag)
        return COR_ERROR(COR_EPARSE, "step state: byte offset %zu: item tag '%c' where %s ('%c') "
                         "was expected", at, t >= 32 && t < 127 ? t : '?', what, tag);
    return COR_OK;
}

int
cor_step_state_u64_internal(struct cor_step_state_io *io, uint64_t *v)
{
    COR_STEP_TRY(state_tag(io, 'u', "an integer"));
    if (!io->load)
    {
        put_u64(io, *v);
        return COR_OK;
    }
    return get_u64(io, v, "an integer");
}

int
cor_step_state_scalar_internal(struct cor_step_state_io *io, cor_scalar *x)
{
    uint64_t u;
    int st;

    COR_STEP_TRY(state_tag(io, 's', "a scalar"));
    if (!io->load)
    {
        put_u64(io, bits_d(cor_scalar_get_d(x)));
        return COR_OK;
    }
    COR_STEP_TRY(get_u64(io, &u, "a scalar"));
    st = cor_scalar_set_d(x, d_bits(u)); /* exact: the value came from this kind of space */
    return st == COR_NONFINITE ? COR_OK : st;
}

int
cor_step_state_vec_internal(struct cor_step_state_io *io, cor_vec *v)
{
    uint64_t n;
    size_t at;

    COR_STEP_TRY(state_tag(io, 'v', "a vector"));
    if (!io->load)
    {
        put_u64(io, io->n);
        if (io->kind == COR_F32)
        {
            const float *p = cor_vec_const_data_f32(v);

            for (size_t i = 0; i < io->n; i++)
            {
                uint32_t w;
                unsigned char b[4];

                memcpy(&w, &p[i], 4);
                for (int k = 0; k < 4; k++)
                    b[k] = (unsigned char)(w >> (8 * k));
                put_bytes(io, b, 4);
            }
        }
        else
        {
            const double *p = cor_vec_const_data_f64(v);

            for (size_t i = 0; i < io->n; i++)
                put_u64(io, bits_d(p[i]));
        }
        return COR_OK;
    }
    at = io->pos;
    COR_STEP_TRY(get_u64(io, &n, "a vector length"));
    if (n != io->n)
        return COR_ERROR(COR_EPARSE, "step state: byte offset %zu: vector of length %llu, "
                         "expected %zu", at, (unsigned long long)n, io->n);
    if (io->kind == COR_F32)
    {
        float *p = cor_vec_data_f32(v);

        if ((io->cap - io->pos) / 4 < io->n)
            return COR_ERROR(COR_EPARSE, "step state: truncated at byte offset %zu (a vector "
                             "needs %zu bytes from offset %zu)", io->cap, 4 * io->n, io->pos);
        for (size_t i = 0; i < io->n; i++)
        {
            const unsigned char *b = io->in + io->pos + 4 * i;
            uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16
                         | (uint32_t)b[3] << 24;

            memcpy(&p[i], &w, 4);
        }
        io->pos += 4 * io->n;
    }
    else
    {
        double *p = cor_vec_data_f64(v);

        for (size_t i = 0; i < io->n; i++)
        {
            uint64_t u;

            COR_STEP_TRY(get_u64(io, &u, "a vector element"));
            p[i] = d_bits(u);
        }
    }
    return COR_OK;
}

static const unsigned char state_magic[8] = {'C', 'O', 'R', 'S', 'T', 'E', 'P', 1};

/* Header and items, in either direction. */
static int
state_run(cor_step *s, struct cor_step_state_io *io)
{
    const char *name = cor_step_name(s);
    size_t nlen = strlen(name);
    uint64_t u;

    if (!io->load)
    {
        put_bytes(io, state_magic, 8);
        put_u64(io, (uint64_t)io->kind);
        put_u64(io, io->n);
        put_u64(io, nlen);
        put_bytes(io, (const unsigned char *)name, nlen);
        put_u64(io, s->count);
    }
    else
    {
        unsigned char m[8];
        char buf[64];

        COR_STEP_TRY(get_bytes(io, m, 8, "the header"));
        if (memcmp(m, state_magic, 7) != 0)
            return COR_ERROR(COR_EPARSE, "step state: byte offset 0: not a stepper state "
                             "(bad magic)");
        if (m[7] != state_magic[7])
            return COR_ERROR(COR_EPARSE, "step state: byte offset 7: version %d, this library "
                             "reads version %d", m[7], state_magic[7]);
        COR_STEP_TRY(get_u64(io, &u, "the space kind"));
        if (u != (uint64_t)io->kind)
            return COR_ERROR(COR_EINVAL, "step state: saved on a space of kind %llu, loading "
                             "into %s", (unsigned long long)u, cor_vspace_name(s->V));
        COR_STEP_TRY(get_u64(io, &u, "the dimension"));
        if (u != io->n)
            return COR_ERROR(COR_EINVAL, "step state: dimension %llu, the stepper has %zu",
                             (unsigned long long)u, io->n);
        COR_STEP_TRY(get_u64(io, &u, "the name length"));
        if (u >= sizeof buf)
            return COR_ERROR(COR_EPARSE, "step state: byte offset %zu: name of %llu bytes",
                             io->pos - 8, (unsigned long long)u);
        COR_STEP_TRY(get_bytes(io, (unsigned char *)buf, (size_t)u, "the stepper name"));
        buf[u] = '\0';
        if (strcmp(buf, name) != 0)
            return COR_ERROR(COR_EINVAL, "step state of stepper '%s' cannot be loaded into "
                             "'%s'", buf, name);
        COR_STEP_TRY(get_u64(io, &u, "the step count"));
        s->count = u;
    }
    if (s->type->state)
        COR_STEP_TRY(s->type->state(s, io));
    if (io->load && io->pos != io->cap)
        return COR_ERROR(COR_EPARSE, "step state: %zu unexpected bytes from byte offset %zu",
                         io->cap - io->pos, io->pos);
    return COR_OK;
}

static int
state_io_init(struct cor_step_state_io *io, const cor_step *s)
{
    memset(io, 0, sizeof *io);
    io->kind = cor_vspace_kind(s->V);
    io->n = s->n;
    if (io->kind != COR_F32 && io->kind != COR_F64)
        return COR_ERROR(COR_EUNSUP, "stepper %s: saving the state needs an f32 or f64 space",
                         cor_step_name(s));
    return COR_OK;
}

int
cor_step_state_save(const cor_step *s, void *buf, size_t cap, size_t *len)
{
    struct cor_step_state_io io;

    if (!s || !len)
        return COR_ERROR(COR_EINVAL, "cor_step_state_save: NULL argument");
    COR_STEP_TRY(state_io_init(&io, s));
    io.out = buf;
    io.cap = buf ? cap : 0;
    /* the visitors only read on save; the cast lets one slot serve both directions */
    COR_STEP_TRY(state_run((cor_step *)s, &io));
    *len = io.pos;
    if (buf && io.pos > cap)
        return COR_ERROR(COR_EBADLEN, "cor_step_state_save: %zu bytes needed, %zu given",
                         io.pos, cap);
    return COR_OK;
}

int
cor_step_state_load(cor_step *s, const void *buf, size_t len)
{
    struct cor_step_state_io io;

    if (!s || !buf)
        return COR_ERROR(COR_EINVAL, "cor_step_state_load: NULL argument");
    COR_STEP_TRY(state_io_init(&io, s));
    if (s->type->prepare && !s->prepared)
        return COR_ERROR(COR_EINVAL, "stepper %s: call cor_step_prepare before loading its "
                         "state", cor_step_name(s));
    io.load = 1;
    io.in = buf;
    io.cap = len;
    return state_run(s, &io);
}
