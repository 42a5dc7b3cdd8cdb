/* data.c -- data sets read exactly from CSV or LIBSVM text, and the data-driven losses
 * (logistic regression, least squares) with their batch partitions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cor_sys.h"
#include "loss_impl.h"

#define MAX_FEATURES ((size_t)1 << 20)
#define MAX_ENTRIES ((size_t)1 << 24) /* dense storage: npoints * nfeatures rationals */

/* ---- data sets ------------------------------------------------------------------------ */

static void
dataset_clear(cor_dataset *D)
{
    cor_qvec_free_internal(D->x, D->npoints * D->nfeatures);
    cor_qvec_free_internal(D->y, D->npoints);
    D->x = D->y = NULL;
}

cor_dataset *
cor_dataset_alloc(size_t npoints, size_t nfeatures)
{
    cor_dataset *D;

    if (npoints < 1 || nfeatures < 1)
    {
        COR_ERROR(COR_EINVAL, "data set of %zu points with %zu features: bad size", npoints,
                  nfeatures);
        return NULL;
    }
    if (nfeatures > MAX_FEATURES || npoints > MAX_ENTRIES / nfeatures)
    {
        COR_ERROR(COR_ERANGE, "data set of %zu points with %zu features: more than %zu "
                  "values", npoints, nfeatures, MAX_ENTRIES);
        return NULL;
    }
    D = cor_calloc(1, sizeof *D);
    if (!D)
        return NULL;
    D->x = cor_qvec_alloc_internal(npoints * nfeatures);
    D->y = cor_qvec_alloc_internal(npoints);
    if (!D->x || !D->y)
    {
        cor_qvec_free_internal(D->x, D->x ? npoints * nfeatures : 0);
        cor_qvec_free_internal(D->y, D->y ? npoints : 0);
        cor_free(D);
        return NULL;
    }
    D->npoints = npoints;
    D->nfeatures = nfeatures;
    return D;
}

void
cor_dataset_free(cor_dataset *D)
{
    if (!D)
        return;
    dataset_clear(D);
    cor_free(D);
}

size_t
cor_dataset_npoints(const cor_dataset *D)
{
    return D->npoints;
}

size_t
cor_dataset_nfeatures(const cor_dataset *D)
{
    return D->nfeatures;
}

int
cor_dataset_get(mpq_t out, const cor_dataset *D, size_t i, size_t j)
{
    if (i >= D->npoints || j > D->nfeatures)
        return COR_ERROR(COR_EINVAL, "data entry (%zu, %zu) out of range", i, j);
    mpq_set(out, j == D->nfeatures ? D->y[i] : D->x[i * D->nfeatures + j]);
    return COR_OK;
}

int
cor_dataset_set(cor_dataset *D, size_t i, size_t j, const mpq_t v)
{
    if (i >= D->npoints || j > D->nfeatures)
        return COR_ERROR(COR_EINVAL, "data entry (%zu, %zu) out of range", i, j);
    mpq_set(j == D->nfeatures ? D->y[i] : D->x[i * D->nfeatures + j], v);
    return COR_OK;
}

/* ---- reading -------------------------------------------------------------------------- */

/* A growing list of rationals (the values as they are read) and of row lengths. */
typedef struct
{
    mpq_t *v;
    size_t n, cap;
} qlist;

static int
qlist_push(qlist *l, const mpq_t q)
{
    if (l->n == l->cap)
    {
        size_t cap = l->cap ? 2 * l->cap : 256, i;
        mpq_t *v = cor_realloc(l->v, cap * sizeof *v);
        if (!v)
            return COR_ENOMEM;
        for (i = l->cap; i < cap; i++)
            mpq_init(v[i]);
        l->v = v;
        l->cap = cap;
    }
    mpq_set(l->v[l->n++], q);
    return COR_OK;
}

static void
qlist_free(qlist *l)
{
    cor_qvec_free_internal(l->v, l->cap);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* Reads the whole file into a NUL-terminated buffer. */
static int
slurp(char **out, size_t *len, const char *path)
{
    FILE *f;
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!path)
        return COR_ERROR(COR_EINVAL, "no data file given");
    f = fopen(path, "rb");
    if (!f)
        return COR_ERROR(COR_EIO, "%s: cannot open: %s", path, strerror(errno));
    for (;;)
    {
        size_t got;
        if (cap - n < 4096)
        {
            char *nb;
            cap = cap ? 2 * cap : 65536;
            nb = cor_realloc(buf, cap + 1);
            if (!nb)
            {
                cor_free(buf);
                fclose(f);
                return COR_ENOMEM;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
    {
        int e = errno;
        cor_free(buf);
        fclose(f);
        return COR_ERROR(COR_EIO, "%s: read error: %s", path, strerror(e));
    }
    fclose(f);
    if (!buf)
    {
        buf = cor_malloc(1);
        if (!buf)
            return COR_ENOMEM;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return COR_OK;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next line [*b, *e) starting at p (without the '\n'; a final '\r' is dropped);
 * returns the start of the following line. */
static const char *
next_line(const char *p, const char **b, const char **e)
{
    const char *q = p;

    while (*q && *q != '\n')
        q++;
    *b = p;
    *e = q;
    if (*e > *b && (*e)[-1] == '\r')
        (*e)--;
    return *q ? q + 1 : q;
}

/* Nonzero when the line is blank or a comment. */
static int
skip_line(const char *b, const char *e)
{
    while (b < e && is_blank(*b))
        b++;
    return b == e || *b == '#';
}

/* Parses [b, e) as a rational without recording an error. */
static int
try_q(mpq_t out, const char *b, const char *e)
{
    return cor_loss_q_from_text_internal(out, b, (size_t)(e - b));
}

static int
bad_number(const char *path, size_t line, size_t col, const char *b, const char *e)
{
    int w = (int)(e - b > 40 ? 40 : e - b);
    return COR_ERROR(COR_EPARSE, "%s:%zu:%zu: '%.*s' is not a number", path, line, col, w, b);
}

static int
read_csv(qlist *vals, size_t *npts, size_t *nfields, const char *path, const char *text)
{
    const char *p = text, *b, *e;
    size_t line = 0, first = 1;
    mpq_t q;
    int st = COR_OK;

    mpq_init(q);
    *npts = 0;
    *nfields = 0;
    while (*p)
    {
        const char *f;
        size_t nf = 0, nnum = 0;
        int header;

        p = next_line(p, &b, &e);
        line++;
        if (skip_line(b, e))
            continue;
        /* First pass on the first line: is it a header (no field is a number)? */
        header = 0;
        if (first)
        {
            size_t fields = 0;
            for (f = b;;)
            {
                const char *fb = f, *fe;
                while (f < e && *f != ',')
                    f++;
                fe = f;
                while (fb < fe && is_blank(*fb))
                    fb++;
                while (fe > fb && is_blank(fe[-1]))
                    fe--;
                fields++;
                if (fe > fb && try_q(q, fb, fe) == COR_OK)
                    nnum++;
                if (f == e)
                    break;
                f++;
            }
            header = nnum == 0;
            first = 0;
            if (header)
            {
                if (fields < 2)
                {
                    st = COR_ERROR(COR_EPARSE, "%s:%zu:1: a CSV line needs at least one "
                                   "feature and a label", path, line);
                    goto done;
                }
                *nfields = fields;
                continue;
            }
        }
        for (f = b;;)
        {
            const char *fb = f, *fe;
            while (f < e && *f != ',')
                f++;
            fe = f;
            while (fb < fe && is_blank(*fb))
                fb++;
            while (fe > fb && is_blank(fe[-1]))
                fe--;
            nf++;
            if (fe == fb)
            {
                st = COR_ERROR(COR_EPARSE, "%s:%zu:%zu: empty field", path, line,
                               (size_t)(fb - b) + 1);
                goto done;
            }
            if (try_q(q, fb, fe))
            {
                st = bad_number(path, line, (size_t)(fb - b) + 1, fb, fe);
                goto done;
            }
            st = qlist_push(vals, q);
            if (st)
                goto done;
            if (f == e)
                break;
            f++;
        }
        if (*nfields == 0)
        {
            if (nf < 2)
            {
                st = COR_ERROR(COR_EPARSE, "%s:%zu:1: a CSV line needs at least one feature "
                               "and a label", path, line);
                goto done;
            }
            *nfields = nf;
        }
        else if (nf != *nfields)
        {
            st = COR_ERROR(COR_EPARSE, "%s:%zu:%zu: expected %zu fields, found %zu", path,
                           line, (size_t)(e - b) + 1, *nfields, nf);
            goto done;
        }
        (*npts)++;
    }

done:
    mpq_clear(q);
    return st;
}

/* LIBSVM: values are pushed as (label, then (index, value) pairs), with the counts of pairs
 * per point in cnt. */
static int
read_libsvm(qlist *vals, size_t **cnt, size_t *npts, size_t *maxidx, const char *path,
            const char *text)
{
    const char *p = text, *b, *e;
    size_t line = 0, cap = 0;
    mpq_t q, qi;
    int st = COR_OK;

    mpq_init(q);
    mpq_init(qi);
    *npts = 0;
    *maxidx = 0;
    *cnt = NULL;
    while (*p)
    {
        const char *t;
        size_t pairs = 0, last = 0;
        int have_label = 0;

        p = next_line(p, &b, &e);
        line++;
        if (skip_line(b, e))
            continue;
        for (t = b; t < e;)
        {
            const char *tb, *te, *colon;
            while (t < e && is_blank(*t))
                t++;
            if (t == e || *t == '#')
                break;
            tb = t;
            while (t < e && !is_blank(*t))
                t++;
            te = t;
            if (!have_label)
            {
                if (try_q(q, tb, te))
                {
                    st = bad_number(path, line, (size_t)(tb - b) + 1, tb, te);
                    goto done;
                }
                st = qlist_push(vals, q);
                if (st)
                    goto done;
                have_label = 1;
                continue;
            }
            colon = memchr(tb, ':', (size_t)(te - tb));
            if (!colon)
            {
                st = COR_ERROR(COR_EPARSE, "%s:%zu:%zu: expected index:value, found '%.*s'",
                               path, line, (size_t)(tb - b) + 1,
                               (int)(te - tb > 40 ? 40 : te - tb), tb);
                goto done;
            }
            {
                size_t idx = 0;
                const char *d;
                for (d = tb; d < colon; d++)
                {
                    if (*d < '0' || *d > '9' || idx > MAX_FEATURES)
                        break;
                    idx = 10 * idx + (size_t)(*d - '0');
                }
                if (d != colon || colon == tb || idx == 0 || idx > MAX_FEATURES)
                {
                    st = COR_ERROR(COR_EPARSE, "%s:%zu:%zu: '%.*s' is not a feature index "
                                   "(1..%zu)", path, line, (size_t)(tb - b) + 1,
                                   (int)(colon - tb > 40 ? 40 : colon - tb), tb, MAX_FEATURES);
                    goto done;
                }
                if (idx <= last)
                {
                    st = COR_ERROR(COR_EPARSE, "%s:%zu:%zu: feature indices must increase "
                                   "(%zu after %zu)", path, line, (size_t)(tb - b) + 1, idx,
                                   last);
                    goto done;
                }
                last = idx;
                if (idx > *maxidx)
                    *maxidx = idx;
                if (try_q(q, colon + 1, te))
                {
                    st = bad_number(path, line, (size_t)(colon + 1 - b) + 1, colon + 1, te);
                    goto done;
                }
                mpq_set_ui(qi, (unsigned long)idx, 1);
                st = qlist_push(vals, qi);
                if (!st)
                    st = qlist_push(vals, q);
                if (st)
                    goto done;
                pairs++;
            }
        }
        if (!have_label)
            continue; /* only a trailing comment */
        if (*npts == cap)
        {
            size_t *nc;
            cap = cap ? 2 * cap : 256;
            nc = cor_realloc(*cnt, cap * sizeof *nc);
            if (!nc)
            {
                st = COR_ENOMEM;
                goto done;
            }
            *cnt = nc;
        }
        (*cnt)[(*npts)++] = pairs;
    }

done:
    mpq_clear(q);
    mpq_clear(qi);
    return st;
}

/* LIBSVM when the first data line has a ':' before any '#'. */
static cor_data_format
detect_format(const char *text)
{
    const char *p = text, *b, *e;

    while (*p)
    {
        p = next_line(p, &b, &e);
        if (skip_line(b, e))
            continue;
        for (; b < e && *b != '#'; b++)
            if (*b == ':')
                return COR_DATA_LIBSVM;
        return COR_DATA_CSV;
    }
    return COR_DATA_CSV;
}

cor_dataset *
cor_dataset_read(const char *path, cor_data_format format)
{
    char *text = NULL;
    size_t len = 0, npts = 0, i, j, k;
    qlist vals = {NULL, 0, 0};
    size_t *cnt = NULL;
    cor_dataset *D = NULL;

    if (format != COR_DATA_AUTO && format != COR_DATA_CSV && format != COR_DATA_LIBSVM)
    {
        COR_ERROR(COR_EINVAL, "unknown data format %d", (int)format);
        return NULL;
    }
    if (slurp(&text, &len, path))
        return NULL;
    if (strlen(text) != len)
    {
        COR_ERROR(COR_EPARSE, "%s: the file contains a NUL byte (not a text file)", path);
        goto done;
    }
    if (format == COR_DATA_AUTO)
        format = detect_format(text);
    if (format == COR_DATA_CSV)
    {
        size_t nf;
        if (read_csv(&vals, &npts, &nf, path, text))
            goto done;
        if (npts == 0)
        {
            COR_ERROR(COR_EINVAL, "%s: no data points", path);
            goto done;
        }
        D = cor_dataset_alloc(npts, nf - 1);
        if (!D)
            goto done;
        for (i = 0; i < npts; i++)
        {
            for (j = 0; j + 1 < nf; j++)
                mpq_set(D->x[i * (nf - 1) + j], vals.v[i * nf + j]);
            mpq_set(D->y[i], vals.v[i * nf + nf - 1]);
        }
    }
    else
    {
        size_t maxidx;
        if (read_libsvm(&vals, &cnt, &npts, &maxidx, path, text))
            goto done;
        if (npts == 0)
        {
            COR_ERROR(COR_EINVAL, "%s: no data points", path);
            goto done;
        }
        D = cor_dataset_alloc(npts, maxidx ? maxidx : 1);
        if (!D)
            goto done;
        for (i = 0, k = 0; i < npts; i++)
        {
            mpq_set(D->y[i], vals.v[k++]);
            for (j = 0; j < cnt[i]; j++, k += 2)
            {
                size_t idx = mpz_get_ui(mpq_numref(vals.v[k]));
                mpq_set(D->x[i * D->nfeatures + idx - 1], vals.v[k + 1]);
            }
        }
    }

done:
    qlist_free(&vals);
    cor_free(cnt);
    cor_free(text);
    return D;
}

/* ---- partitions ----------------------------------------------------------------------- */

/* order[0..N): the identity or, with shuffle, the Fisher-Yates permutation driven by
 * splitmix64(seed): for i = N-1 down to 1, j is drawn uniformly in 0..i by rejection from
 * 64-bit outputs (r accepted when r < 2^64 - (2^64 mod (i+1)), j = r mod (i+1)), then
 * order[i] and order[j] are swapped. Batch k is order[floor(kN/m) .. floor((k+1)N/m)). */
static int
make_partition(cor_loss *L, size_t N, const cor_batching *bt)
{
    size_t m = bt && bt->nbatches ? bt->nbatches : 1, i, k;
    size_t *order = cor_mallocarray(N, sizeof *order);

    if (!order)
        return COR_ENOMEM;
    if (m > N)
    {
        cor_free(order);
        return COR_ERROR(COR_EINVAL, "%zu batches for %zu points: each batch needs a point", m,
                         N);
    }
    for (i = 0; i < N; i++)
        order[i] = i;
    if (bt && bt->shuffle)
    {
        uint64_t st = bt->seed;
        for (i = N - 1; i > 0; i--)
        {
            uint64_t bound = (uint64_t)i + 1, lim, r;
            size_t j, t;
            /* lim = 2^64 - (2^64 mod bound), computed mod 2^64 (2^64 mod bound equals
             * (2^64 - bound) mod bound); accept r < lim, and every r when lim wraps to 0. */
            lim = (uint64_t)0 - ((uint64_t)0 - bound) % bound;
            do
                r = cor_loss_splitmix64_internal(&st);
            while (lim != 0 && r >= lim);
            j = (size_t)(r % bound);
            t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
    L->bpoints = cor_calloc(m, sizeof *L->bpoints);
    if (!L->bpoints)
    {
        cor_free(order);
        return COR_ENOMEM;
    }
    for (k = 0; k < m; k++)
    {
        size_t lo = (size_t)((unsigned long long)k * N / m);
        size_t hi = (size_t)((unsigned long long)(k + 1) * N / m);
        L->bpoints[k] = cor_mallocarray(hi - lo, sizeof **L->bpoints);
        if (!L->bpoints[k])
        {
            cor_free(order);
            return COR_ENOMEM;
        }
        memcpy(L->bpoints[k], order + lo, (hi - lo) * sizeof *order);
        L->bsize[k] = hi - lo;
    }
    cor_free(order);
    return COR_OK;
}

/* Mean over the points idx[0..cnt) of terms[i], plus (l2/2)|w|^2. */
static cor_node
mean_plus_l2(cor_expr_pool *pool, const cor_node *terms, const size_t *idx, size_t cnt,
             const cor_node *w, size_t d, const mpq_t l2)
{
    cor_node *x = cor_mallocarray(cnt + d, sizeof *x);
    mpq_t *c = cor_qvec_alloc_internal(cnt + d);
    cor_node r = COR_NODE_NONE;
    size_t i, nt = 0;

    if (!x || !c)
        goto cleanup;
    for (i = 0; i < cnt; i++, nt++)
    {
        x[nt] = terms[idx ? idx[i] : i];
        mpq_set_ui(c[nt], 1, (unsigned long)cnt);
        mpq_canonicalize(c[nt]);
    }
    if (l2 && mpq_sgn(l2) != 0)
    {
        for (i = 0; i < d; i++, nt++)
        {
            x[nt] = cor_expr_powi(pool, w[i], 2);
            mpq_div_2exp(c[nt], l2, 1);
        }
    }
    r = cor_expr_sum(pool, nt, x, (const mpq_t *)c, NULL);

cleanup:
    cor_free(x);
    cor_qvec_free_internal(c, cnt + d);
    return r;
}

/* Shared builder: kind 0 logistic, 1 least squares. */
static cor_loss *
data_loss(int kind, const cor_dataset *D, const cor_batching *bt, int intercept,
          const mpq_t l2)
{
    const char *family = kind ? "lsq" : "logistic";
    cor_loss *L = NULL;
    cor_node *terms = NULL, *lin = NULL;
    mpq_t *c = NULL, negy, half;
    size_t N, d, i, j, k, m, nlin = 0;
    int sign01 = 0, signpm = 0;

    if (!D)
    {
        COR_ERROR(COR_EINVAL, "%s: no data set", family);
        return NULL;
    }
    N = D->npoints;
    d = D->nfeatures;
    if (l2 && mpq_sgn(l2) < 0)
    {
        COR_ERROR(COR_EINVAL, "%s: the l2 weight must be >= 0", family);
        return NULL;
    }
    if (kind == 0)
    {
        for (i = 0; i < N; i++)
        {
            if (mpq_cmp_si(D->y[i], 0, 1) == 0)
                sign01 = 1;
            else if (mpq_cmp_si(D->y[i], -1, 1) == 0)
                signpm = 1;
            else if (mpq_cmp_si(D->y[i], 1, 1) != 0)
            {
                COR_ERROR(COR_EINVAL, "logistic: label of point %zu is not -1, 0 or 1", i + 1);
                return NULL;
            }
        }
        if (sign01 && signpm)
        {
            COR_ERROR(COR_EINVAL, "logistic: labels mix -1 and 0; use {-1, +1} or {0, 1}");
            return NULL;
        }
    }
    L = cor_loss_new_internal(family);
    if (!L)
        return NULL;
    mpq_init(negy);
    mpq_init(half);
    mpq_set_ui(half, 1, 2);
    if (cor_loss_make_vars_internal(L, d, "w"))
        goto fail;
    if (intercept && cor_loss_add_var_internal(L, "b"))
        goto fail;
    nlin = d + (intercept != 0);
    terms = cor_mallocarray(N, sizeof *terms);
    lin = cor_mallocarray(nlin, sizeof *lin);
    c = cor_qvec_alloc_internal(nlin);
    if (!terms || !lin || !c)
        goto fail;
    /* Per point: z = <w, x_i> + b; logistic softplus(-y z) = log(1 + exp(-y z)) (labels
     * 0 read as -1); least squares (1/2)(z - y)^2. */
    for (i = 0; i < N; i++)
    {
        size_t nt = 0;
        const mpq_t *xi = (const mpq_t *)&D->x[i * d];
        int ysign = kind == 0 ? (mpq_sgn(D->y[i]) > 0 ? 1 : -1) : 1;
        for (j = 0; j < d; j++)
        {
            if (mpq_sgn(xi[j]) == 0)
                continue;
            lin[nt] = L->vars[j];
            mpq_set(c[nt], xi[j]);
            if (ysign < 0)
                mpq_neg(c[nt], c[nt]);
            nt++;
        }
        if (intercept)
        {
            lin[nt] = L->vars[d];
            mpq_set_si(c[nt], ysign, 1);
            nt++;
        }
        if (kind == 0)
        {
            /* -y z, with y = ysign */
            for (k = 0; k < nt; k++)
                mpq_neg(c[k], c[k]);
            terms[i] = cor_expr_unary(L->pool, COR_OP_SOFTPLUS,
                                      nt ? cor_expr_sum(L->pool, nt, lin, (const mpq_t *)c, NULL)
                                         : cor_expr_const_si(L->pool, 0));
        }
        else
        {
            mpq_neg(negy, D->y[i]);
            terms[i] = cor_expr_sum(L->pool, nt, lin, (const mpq_t *)c, negy);
            terms[i] = cor_expr_scale(L->pool, half, cor_expr_powi(L->pool, terms[i], 2));
        }
        if (terms[i] == COR_NODE_NONE)
            goto fail;
    }
    if (cor_loss_set_root_internal(L, mean_plus_l2(L->pool, terms, NULL, N, L->vars, d, l2)))
        goto fail;
    m = bt && bt->nbatches ? bt->nbatches : 1;
    {
        cor_node *b = cor_mallocarray(m, sizeof *b);
        size_t *sz = cor_mallocarray(m, sizeof *sz);
        int st = (!b || !sz) ? COR_ENOMEM : COR_OK;
        if (!st)
        {
            for (k = 0; k < m; k++)
            {
                b[k] = L->root;
                sz[k] = 1;
            }
            st = cor_loss_set_batches(L, m, b, sz);
        }
        if (!st)
            st = make_partition(L, N, bt);
        for (k = 0; !st && k < m; k++)
        {
            L->batches[k] = mean_plus_l2(L->pool, terms, L->bpoints[k], L->bsize[k], L->vars,
                                         d, l2);
            if (L->batches[k] == COR_NODE_NONE)
                st = COR_ENOMEM;
        }
        L->npoints = N;
        cor_free(b);
        cor_free(sz);
        if (st)
            goto fail;
    }
    if (cor_loss_set_corridor_internal(L, COR_CORRIDOR_NONE, "%s",
                                       kind ? "not a corridor: a quadratic whose linear term "
                                              "lies in the range of its Hessian, so Hg = 0 "
                                              "only at minimisers (P10)"
                                            : "not a corridor: Hg vanishes only on a null set "
                                              "for data in general position"))
        goto fail;
    cor_free(terms);
    cor_free(lin);
    cor_qvec_free_internal(c, nlin);
    mpq_clear(negy);
    mpq_clear(half);
    return L;

fail:
    cor_free(terms);
    cor_free(lin);
    cor_qvec_free_internal(c, nlin);
    mpq_clear(negy);
    mpq_clear(half);
    return cor_loss_fail_internal(L);
}

cor_loss *
cor_loss_new_logistic(const cor_dataset *D, const cor_batching *batching, int intercept,
                      const mpq_t l2)
{
    return data_loss(0, D, batching, intercept, l2);
}

cor_loss *
cor_loss_new_lsq(const cor_dataset *D, const cor_batching *batching, int intercept,
                 const mpq_t l2)
{
    return data_loss(1, D, batching, intercept, l2);
}
