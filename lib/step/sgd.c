/* sgd.c -- stochastic gradient descent over the batch losses of a batch objective:
 *     x_{k+1} = x_k - h grad L_{b(k)}(x_k),
 * b(k) the batch of step k. An epoch is one pass through an order of the batches; one apply
 * is one update (so an epoch over m batches is m applies). Modes (parameter "mode"):
 *   "fixed"   (default) the order of parameter "order": batch numbers from 1, comma
 *             separated, any length (default 1,2,...,m), repeated epoch after epoch;
 *   "shuffle" a new uniformly random permutation of 1..m at every epoch start, from the
 *             splitmix64 stream of parameter "seed" (default 0): reproducible bit for bit;
 *   "all"     the exact expectation over all m! orders (m <= 8): at an epoch start the m!
 *             trajectories start from x; each apply advances every trajectory by the batch
 *             its order puts at this position and sets x to their mean, so after j applies x is
 *             E[x_j] over a uniformly random order. The next epoch starts again from that
 *             mean (a deterministic epoch map, not the expectation over several independent
 *             epochs, which would need (m!)^E trajectories).
 * The info loss and grad_norm are those of the batch used ("fixed", "shuffle"); "all" reports
 * none. After each apply the full loss is selected again. Uses: value_grad, grad, nrm2,
 * axpby, copy, lincomb. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cor_sys.h"
#include "step_impl.h"

#define SGD_ALL_MAX 8

enum
{
    MODE_FIXED,
    MODE_SHUFFLE,
    MODE_ALL
};

typedef struct
{
    int mode;
    char *order_text;    /* "order" as given, parsed by prepare */
    uint64_t seed, rng;
    size_t m;            /* batches of the prepared objective */
    size_t *order;       /* current epoch order (0-based), len entries */
    size_t len, pos;
    size_t nperm;        /* all: m! */
    size_t *perms;       /* all: nperm x m */
    cor_vec **traj;
    const cor_scalar **cptr;
    const cor_vec **vptr;
    cor_scalar *inv;     /* 1/m! */
} sgd_state;

static uint64_t
splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int
sgd_alloc(cor_step *s)
{
    sgd_state *st = cor_calloc(1, sizeof *st);

    if (!st)
        return COR_ERROR(COR_ENOMEM, "sgd: out of memory");
    s->state = st;
    if (!(st->inv = cor_scalar_alloc(s->V)))
        return COR_ENOMEM;
    return COR_OK;
}

static void
release_shape(sgd_state *st)
{
    if (st->traj)
        cor_step_free_vecs_internal(st->traj, st->nperm);
    cor_free(st->traj);
    cor_free(st->perms);
    cor_free(st->order);
    cor_free(st->cptr);
    cor_free(st->vptr);
    st->traj = NULL;
    st->perms = NULL;
    st->order = NULL;
    st->cptr = NULL;
    st->vptr = NULL;
    st->nperm = st->len = st->m = 0;
}

static void
sgd_free(cor_step *s)
{
    sgd_state *st = s->state;

    if (!st)
        return;
    release_shape(st);
    cor_free(st->order_text);
    cor_scalar_free(st->inv);
    cor_free(st);
}

static int
sgd_reset(cor_step *s)
{
    sgd_state *st = s->state;

    st->pos = 0;
    st->rng = st->seed;
    return COR_OK;
}

static int
sgd_set_param(cor_step *s, const char *name, const char *value)
{
    sgd_state *st = s->state;

    if (strcmp(name, "mode") == 0)
    {
        if (strcmp(value, "fixed") == 0)
            st->mode = MODE_FIXED;
        else if (strcmp(value, "shuffle") == 0)
            st->mode = MODE_SHUFFLE;
        else if (strcmp(value, "all") == 0)
            st->mode = MODE_ALL;
        else
            return COR_ERROR(COR_EPARSE, "sgd mode '%s': expected fixed, shuffle or all", value);
        s->prepared = NULL;
        return sgd_reset(s);
    }
    if (strcmp(name, "order") == 0)
    {
        char *copy = cor_strdup(value);
        if (!copy)
            return COR_ERROR(COR_ENOMEM, "sgd: out of memory");
        cor_free(st->order_text);
        st->order_text = copy;
        s->prepared = NULL;
        return sgd_reset(s);
    }
    if (strcmp(name, "seed") == 0)
    {
        COR_STEP_TRY(cor_step_parse_u64_internal(&st->seed, name, value));
        return sgd_reset(s);
    }
    return COR_STEP_UNKNOWN;
}

/* Parses the order text into st->order (1-based numbers in the text). */
static int
parse_order(sgd_state *st)
{
    const char *p = st->order_text;
    size_t count = 1;

    for (const char *q = p; *q; q++)
        count += *q == ',';
    st->order = cor_mallocarray(count, sizeof *st->order);
    if (!st->order)
        return COR_ERROR(COR_ENOMEM, "sgd: out of memory");
    for (size_t i = 0; i < count; i++)
    {
        char *end;
        long v = strtol(p, &end, 10);

        if (end == p || v < 1 || (size_t)v > st->m || (*end != ',' && *end != '\0'))
            return COR_ERROR(COR_EPARSE, "sgd order: entry %zu is not a batch number in 1..%zu",
                             i + 1, st->m);
        st->order[i] = (size_t)v - 1;
        p = end + (*end == ',');
    }
    st->len = count;
    return COR_OK;
}

/* All permutations of 0..m-1 in lexicographic order into st->perms. */
static void
fill_perms(sgd_state *st)
{
    size_t m = st->m;
    size_t *a = st->perms;

    for (size_t i = 0; i < m; i++)
        a[i] = i;
    for (size_t p = 1; p < st->nperm; p++)
    {
        size_t *b = a + m, i, j, t;

        memcpy(b, a, m * sizeof *b);
        i = m - 1;
        while (i > 0 && b[i - 1] >= b[i])
            i--;
        j = m - 1;
        while (b[j] <= b[i - 1])
            j--;
        t = b[i - 1], b[i - 1] = b[j], b[j] = t;
        for (size_t l = i, r = m - 1; l < r; l++, r--)
            t = b[l], b[l] = b[r], b[r] = t;
        a = b;
    }
}

static int
sgd_prepare(cor_step *s, const cor_objective *obj)
{
    sgd_state *st = s->state;
    int r;

    release_shape(st);
    st->m = obj->nbatches;
    if (st->m == 0)
        return COR_ERROR(COR_EINVAL, "sgd: the objective has no batches");
    if (st->mode == MODE_ALL)
    {
        if (st->m > SGD_ALL_MAX)
            return COR_ERROR(COR_EINVAL, "sgd: all orders of %zu batches (at most %d)", st->m,
                             SGD_ALL_MAX);
        st->nperm = 1;
        for (size_t i = 2; i <= st->m; i++)
            st->nperm *= i;
        st->perms = cor_mallocarray(st->nperm * st->m, sizeof *st->perms);
        st->traj = cor_calloc(st->nperm, sizeof *st->traj);
        st->cptr = cor_mallocarray(st->nperm, sizeof *st->cptr);
        st->vptr = cor_mallocarray(st->nperm, sizeof *st->vptr);
        if (!st->perms || !st->traj || !st->cptr || !st->vptr)
            return COR_ERROR(COR_ENOMEM, "sgd: out of memory");
        if ((r = cor_step_alloc_vecs_internal(s, st->traj, st->nperm)) != COR_OK)
            return r;
        fill_perms(st);
        if ((r = cor_scalar_set_q(st->inv, 1, (long)st->nperm)) != COR_OK)
            return r;
        for (size_t p = 0; p < st->nperm; p++)
        {
            st->cptr[p] = st->inv;
            st->vptr[p] = st->traj[p];
        }
        st->len = st->m;
    }
    else if (st->mode == MODE_FIXED && st->order_text)
    {
        if ((r = parse_order(st)) != COR_OK)
            return r;
    }
    else
    {
        st->order = cor_mallocarray(st->m, sizeof *st->order);
        if (!st->order)
            return COR_ERROR(COR_ENOMEM, "sgd: out of memory");
        for (size_t i = 0; i < st->m; i++)
            st->order[i] = i;
        st->len = st->m;
    }
    st->pos = 0;
    st->rng = st->seed;
    return COR_OK;
}

/* A uniformly random permutation of 0..m-1 (Fisher-Yates, Lemire's multiply-shift range
 * reduction, whose bias is below 2^-56 for m <= 256). */
static void
shuffle(sgd_state *st)
{
    for (size_t i = 0; i < st->m; i++)
        st->order[i] = i;
    for (size_t i = st->m; i > 1; i--)
    {
        uint64_t r = splitmix64(&st->rng);
        size_t j = (size_t)(((unsigned __int128)r * i) >> 64);
        size_t t = st->order[i - 1];

        st->order[i - 1] = st->order[j];
        st->order[j] = t;
    }
}

/* The history: position in the epoch, generator state, the current order (its length must
 * match the prepared one) and, for "all", the trajectories. */
static int
sgd_state_io(cor_step *s, struct cor_step_state_io *io)
{
    sgd_state *st = s->state;
    uint64_t v, len = st->len;

    v = st->pos;
    COR_STEP_TRY(cor_step_state_u64_internal(io, &v));
    if (v >= (st->len ? st->len : 1))
        return COR_ERROR(COR_EPARSE, "sgd state: position %llu out of range",
                         (unsigned long long)v);
    st->pos = (size_t)v;
    COR_STEP_TRY(cor_step_state_u64_internal(io, &st->rng));
    COR_STEP_TRY(cor_step_state_u64_internal(io, &len));
    if (len != st->len)
        return COR_ERROR(COR_EINVAL, "sgd state: order of %llu batches, the prepared one has %zu",
                         (unsigned long long)len, st->len);
    for (size_t i = 0; i < st->len && st->mode != MODE_ALL; i++)
    {
        v = st->order[i];
        COR_STEP_TRY(cor_step_state_u64_internal(io, &v));
        if (v >= st->m)
            return COR_ERROR(COR_EPARSE, "sgd state: batch %llu out of range",
                             (unsigned long long)v);
        st->order[i] = (size_t)v;
    }
    for (size_t p = 0; p < st->nperm; p++)
        COR_STEP_TRY(cor_step_state_vec_internal(io, st->traj[p]));
    return COR_OK;
}

static int
sgd_apply(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h)
{
    sgd_state *st = s->state;
    int r, r2;

    COR_STEP_TRY(cor_scalar_set(s->lr, h));
    s->have_lr = 1;
    COR_STEP_TRY(cor_scalar_neg(s->neg, h, s->V));
    if (st->mode == MODE_ALL)
    {
        if (st->pos == 0)
            for (size_t p = 0; p < st->nperm; p++)
                COR_STEP_TRY(cor_vec_copy(st->traj[p], x, s->V));
        for (size_t p = 0; p < st->nperm; p++)
        {
            COR_STEP_TRY(cor_objective_select_batch(obj, st->perms[p * st->m + st->pos]));
            r = cor_objective_grad(obj, s->g, st->traj[p]);
            if (r != COR_OK)
            {
                r2 = cor_objective_select_batch(obj, COR_BATCH_FULL);
                return cor_status_is_error(r2) ? r2 : r;
            }
            COR_STEP_TRY(cor_vec_axpby(st->traj[p], s->one, st->traj[p], s->neg, s->g, s->V));
        }
        COR_STEP_TRY(cor_objective_select_batch(obj, COR_BATCH_FULL));
        COR_STEP_TRY(cor_vec_lincomb(x, st->nperm, st->cptr, st->vptr, s->V));
    }
    else
    {
        size_t b;

        if (st->pos == 0 && st->mode == MODE_SHUFFLE)
            shuffle(st);
        b = st->order[st->pos];
        COR_STEP_TRY(cor_objective_select_batch(obj, b));
        r = cor_step_eval_internal(s, obj, x, 0);
        r2 = cor_objective_select_batch(obj, COR_BATCH_FULL);
        s->batch = b;
        if (r != COR_OK)
            return r;
        if (r2 != COR_OK)
            return r2;
        COR_STEP_TRY(cor_vec_axpby(x, s->one, x, s->neg, s->g, s->V));
    }
    st->pos = (st->pos + 1) % st->len;
    return cor_step_check_x_internal(s, x);
}

const cor_step_type cor_step_sgd = {
    "sgd", COR_NEED_GRAD | COR_NEED_BATCHES, 1, NULL, sgd_alloc, sgd_prepare, sgd_reset,
    sgd_apply, sgd_set_param, NULL, sgd_free, sgd_state_io,
};
