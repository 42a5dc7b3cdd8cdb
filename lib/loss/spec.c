/* spec.c -- exact rationals from text, key=value lists, and cor_loss_from_spec. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_sys.h"
#include "loss_impl.h"

#define MAX_EXPONENT 1000000L

/* ---- exact rationals ------------------------------------------------------------------ */

/* One unsigned decimal literal digits[.digits][(e|E)[+-]digits] (or .digits) starting at s[0]
 * within len; sets *used to its length. Exact: the value is M * 10^(E - F) for the digit
 * string M with F digits after the point. */
static int
decimal(mpq_t out, const char *s, size_t len, size_t *used)
{
    size_t i = 0, nd = 0, frac = 0;
    long ex = 0;
    char *digits;
    int st = COR_OK;

    digits = cor_malloc(len + 1);
    if (!digits)
        return COR_ENOMEM;
    for (; i < len && isdigit((unsigned char)s[i]); i++)
        digits[nd++] = s[i];
    if (i < len && s[i] == '.')
    {
        for (i++; i < len && isdigit((unsigned char)s[i]); i++, frac++)
            digits[nd++] = s[i];
    }
    if (nd == 0)
    {
        st = COR_EPARSE;
        goto done;
    }
    digits[nd] = '\0';
    if (i < len && (s[i] == 'e' || s[i] == 'E'))
    {
        int neg = 0, any = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            neg = s[i++] == '-';
        for (; i < len && isdigit((unsigned char)s[i]); i++, any = 1)
        {
            if (ex <= MAX_EXPONENT)
                ex = 10 * ex + (s[i] - '0');
        }
        if (!any)
        {
            st = COR_EPARSE;
            goto done;
        }
        if (ex > MAX_EXPONENT)
        {
            st = COR_ERANGE;
            goto done;
        }
        if (neg)
            ex = -ex;
    }
    ex -= (long)frac;
    mpz_set_str(mpq_numref(out), digits, 10);
    mpz_set_ui(mpq_denref(out), 1);
    if (ex > 0)
    {
        mpz_t t;
        mpz_init(t);
        mpz_ui_pow_ui(t, 10, (unsigned long)ex);
        mpz_mul(mpq_numref(out), mpq_numref(out), t);
        mpz_clear(t);
    }
    else if (ex < 0)
        mpz_ui_pow_ui(mpq_denref(out), 10, (unsigned long)-ex);
    mpq_canonicalize(out);
    *used = i;

done:
    cor_free(digits);
    return st;
}

int
cor_loss_q_from_text_internal(mpq_t out, const char *text, size_t len)
{
    size_t i = 0, used;
    int neg = 0, st;
    mpq_t num;

    if (!text)
        return COR_EPARSE;
    if (len == (size_t)-1)
        len = strlen(text);
    mpq_init(num);
    if (i < len && (text[i] == '+' || text[i] == '-'))
        neg = text[i++] == '-';
    st = decimal(num, text + i, len - i, &used);
    if (st)
        goto done;
    i += used;
    if (i < len && text[i] == '/')
    {
        mpq_t den;
        i++;
        mpq_init(den);
        st = decimal(den, text + i, len - i, &used);
        if (!st && mpq_sgn(den) == 0)
            st = COR_EPARSE;
        if (!st)
        {
            mpq_div(num, num, den);
            i += used;
        }
        mpq_clear(den);
        if (st)
            goto done;
    }
    if (i != len)
    {
        st = COR_EPARSE;
        goto done;
    }
    if (neg)
        mpq_neg(num, num);
    mpq_set(out, num);

done:
    mpq_clear(num);
    return st;
}

int
cor_loss_parse_q(mpq_t out, const char *text, size_t len)
{
    int st = cor_loss_q_from_text_internal(out, text, len);
    int w;

    if (!st || st == COR_ENOMEM)
        return st;
    if (!text)
        return COR_ERROR(COR_EPARSE, "no number given");
    if (len == (size_t)-1)
        len = strlen(text);
    w = (int)(len > 60 ? 60 : len);
    if (st == COR_ERANGE)
        return COR_ERROR(COR_ERANGE, "'%.*s': decimal exponent out of range", w, text);
    return COR_ERROR(COR_EPARSE, "'%.*s' is not a number (decimal or p/q)", w, text);
}

/* ---- key=value lists ------------------------------------------------------------------ */

void
cor_loss_items_clear_internal(cor_loss_items *it)
{
    size_t i, k;

    if (!it || !it->items)
        return;
    for (i = 0; i < it->n; i++)
    {
        cor_free(it->items[i].key);
        for (k = 0; k < it->items[i].nvals; k++)
            cor_free(it->items[i].vals[k]);
        cor_free(it->items[i].vals);
        cor_free(it->items[i].valcol);
    }
    cor_free(it->items);
    it->items = NULL;
    it->n = 0;
}

static char *
dup_range(const char *b, const char *e)
{
    char *s = cor_malloc((size_t)(e - b) + 1);

    if (!s)
        return NULL;
    memcpy(s, b, (size_t)(e - b));
    s[e - b] = '\0';
    return s;
}

static int
push_value(cor_loss_item *item, const char *b, const char *e, size_t col)
{
    char **nv = cor_realloc(item->vals, (item->nvals + 1) * sizeof *nv);
    size_t *nc;

    if (!nv)
        return COR_ENOMEM;
    item->vals = nv;
    nc = cor_realloc(item->valcol, (item->nvals + 1) * sizeof *nc);
    if (!nc)
        return COR_ENOMEM;
    item->valcol = nc;
    item->vals[item->nvals] = dup_range(b, e);
    if (!item->vals[item->nvals])
        return COR_ENOMEM;
    item->valcol[item->nvals++] = col;
    return COR_OK;
}

int
cor_loss_items_parse_internal(cor_loss_items *out, const char *text, size_t col0)
{
    const char *p = text;
    int st = COR_OK;

    out->n = 0;
    out->items = NULL;
    if (!text || !*text)
        return COR_OK;
    for (;;)
    {
        const char *b, *e, *eq;
        size_t col;

        while (*p == ' ' || *p == '\t')
            p++;
        b = p;
        while (*p && *p != ',')
            p++;
        e = p;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        col = col0 + (size_t)(b - text);
        if (e == b)
        {
            st = COR_ERROR(COR_EPARSE, "column %zu: empty item", col);
            goto fail;
        }
        eq = memchr(b, '=', (size_t)(e - b));
        if (eq)
        {
            cor_loss_item *ni = cor_realloc(out->items, (out->n + 1) * sizeof *ni);
            const char *k, *ke = eq, *vb = eq + 1;
            if (!ni)
            {
                st = COR_ENOMEM;
                goto fail;
            }
            out->items = ni;
            memset(&ni[out->n], 0, sizeof *ni);
            while (ke > b && (ke[-1] == ' ' || ke[-1] == '\t'))
                ke--;
            while (vb < e && (*vb == ' ' || *vb == '\t'))
                vb++;
            for (k = b; k < ke; k++)
                if (!(isalnum((unsigned char)*k) || *k == '_'))
                    break;
            if (ke == b || k != ke || isdigit((unsigned char)*b))
            {
                st = COR_ERROR(COR_EPARSE, "column %zu: '%.*s' is not a parameter name", col,
                               (int)(ke - b), b);
                goto fail;
            }
            ni[out->n].key = dup_range(b, ke);
            ni[out->n].col = col;
            out->n++;
            if (!ni[out->n - 1].key)
            {
                st = COR_ENOMEM;
                goto fail;
            }
            if (vb == e)
            {
                st = COR_ERROR(COR_EPARSE, "column %zu: no value after '='", col);
                goto fail;
            }
            st = push_value(&ni[out->n - 1], vb, e, col0 + (size_t)(vb - text));
        }
        else if (out->n == 0)
            st = COR_ERROR(COR_EPARSE, "column %zu: a value without a 'key=' before it", col);
        else
            st = push_value(&out->items[out->n - 1], b, e, col);
        if (st)
            goto fail;
        if (!*p)
            break;
        p++;
    }
    return COR_OK;

fail:
    cor_loss_items_clear_internal(out);
    return st;
}

int
cor_loss_item_q_internal(mpq_t out, const cor_loss_item *item, size_t k)
{
    int st = cor_loss_q_from_text_internal(out, item->vals[k], (size_t)-1);

    if (st == COR_ERANGE)
        return COR_ERROR(COR_ERANGE, "column %zu: '%s': exponent out of range",
                         item->valcol[k], item->vals[k]);
    if (st)
        return COR_ERROR(st, "column %zu: '%s' is not a number (decimal or p/q)",
                         item->valcol[k], item->vals[k]);
    return COR_OK;
}

/* ---- typed access to items ------------------------------------------------------------ */

/* The item called key (marked used), NULL if absent; a key given twice is an error. */
static int
find(cor_loss_item **out, cor_loss_items *it, const char *key)
{
    size_t i;

    *out = NULL;
    for (i = 0; i < it->n; i++)
    {
        if (strcmp(it->items[i].key, key))
            continue;
        if (*out)
            return COR_ERROR(COR_EINVAL, "column %zu: '%s' given twice", it->items[i].col,
                             key);
        *out = &it->items[i];
        it->items[i].used = 1;
    }
    return COR_OK;
}

static int
one_value(const cor_loss_item *item)
{
    if (item->nvals != 1)
        return COR_ERROR(COR_EBADLEN, "column %zu: '%s' takes one value, got %zu", item->col,
                         item->key, item->nvals);
    return COR_OK;
}

static int
parse_u64(uint64_t *out, const cor_loss_item *item, size_t k)
{
    const char *s = item->vals[k];
    uint64_t v = 0;

    if (!*s)
        return COR_ERROR(COR_EPARSE, "column %zu: empty integer", item->valcol[k]);
    for (; *s; s++)
    {
        if (!isdigit((unsigned char)*s))
            return COR_ERROR(COR_EPARSE, "column %zu: '%s' is not a nonnegative integer",
                             item->valcol[k], item->vals[k]);
        if (v > (UINT64_MAX - 9) / 10)
            return COR_ERROR(COR_ERANGE, "column %zu: '%s' is too large", item->valcol[k],
                             item->vals[k]);
        v = 10 * v + (uint64_t)(*s - '0');
    }
    *out = v;
    return COR_OK;
}

/* An integer parameter; *out keeps its default when the key is absent. */
static int
get_size(size_t *out, int *given, cor_loss_items *it, const char *key)
{
    cor_loss_item *item;
    uint64_t v;
    int st = find(&item, it, key);

    if (given)
        *given = 0;
    if (st || !item)
        return st;
    st = one_value(item);
    if (!st)
        st = parse_u64(&v, item, 0);
    if (st)
        return st;
    if (v > 1000000000u)
        return COR_ERROR(COR_ERANGE, "column %zu: %s = %s is too large", item->col, key,
                         item->vals[0]);
    *out = (size_t)v;
    if (given)
        *given = 1;
    return COR_OK;
}

/* A list of sizes (deeplinear dims). */
static int
get_sizes(size_t **out, size_t *len, cor_loss_items *it, const char *key)
{
    cor_loss_item *item;
    size_t k;
    int st = find(&item, it, key);

    *out = NULL;
    *len = 0;
    if (st || !item)
        return st;
    *out = cor_mallocarray(item->nvals, sizeof **out);
    if (!*out)
        return COR_ENOMEM;
    for (k = 0; k < item->nvals; k++)
    {
        uint64_t v;
        st = parse_u64(&v, item, k);
        if (!st && v > 1000000u)
            st = COR_ERROR(COR_ERANGE, "column %zu: %s is too large", item->valcol[k],
                           item->vals[k]);
        if (st)
        {
            cor_free(*out);
            *out = NULL;
            return st;
        }
        (*out)[k] = (size_t)v;
    }
    *len = item->nvals;
    return COR_OK;
}

/* A rational parameter; *given tells whether it was present. */
static int
get_q(mpq_t out, int *given, cor_loss_items *it, const char *key)
{
    cor_loss_item *item;
    int st = find(&item, it, key);

    *given = 0;
    if (st || !item)
        return st;
    st = one_value(item);
    if (!st)
        st = cor_loss_item_q_internal(out, item, 0);
    *given = !st;
    return st;
}

/* A vector of rationals (NULL if absent), with its length. */
static int
get_qvec(mpq_t **out, size_t *len, cor_loss_items *it, const char *key)
{
    cor_loss_item *item;
    size_t k;
    int st = find(&item, it, key);

    *out = NULL;
    *len = 0;
    if (st || !item)
        return st;
    *out = cor_qvec_alloc_internal(item->nvals);
    if (!*out)
        return COR_ENOMEM;
    for (k = 0; k < item->nvals; k++)
    {
        st = cor_loss_item_q_internal((*out)[k], item, k);
        if (st)
        {
            cor_qvec_free_internal(*out, item->nvals);
            *out = NULL;
            return st;
        }
    }
    *len = item->nvals;
    return COR_OK;
}

static int
get_word(const char **out, cor_loss_items *it, const char *key)
{
    cor_loss_item *item;
    int st = find(&item, it, key);

    if (st || !item)
        return st;
    st = one_value(item);
    if (!st)
        *out = item->vals[0];
    return st;
}

static int
want_len(const char *key, size_t got, size_t want)
{
    if (got != want)
        return COR_ERROR(COR_EBADLEN, "'%s' needs %zu numbers, got %zu", key, want, got);
    return COR_OK;
}

static int
unused(cor_loss_items *it, const char *family)
{
    size_t i;

    for (i = 0; i < it->n; i++)
        if (!it->items[i].used)
            return COR_ERROR(COR_EINVAL, "column %zu: unknown parameter '%s' for %s",
                             it->items[i].col, it->items[i].key, family);
    return COR_OK;
}

/* ---- the families --------------------------------------------------------------------- */

static const char *const families[] = {
    "linear", "cone", "ccone", "ring", "ruled", "acone", "glued", "quad", "rosenbrock",
    "scalarnet", "deeplinear", "matfact", "matcomp", "logistic", "lsq", NULL};

const char *const *
cor_loss_families(void)
{
    return families;
}

int
cor_loss_is_spec(const char *spec)
{
    size_t len, i;
    const char *colon;

    if (!spec)
        return 0;
    colon = strchr(spec, ':');
    len = colon ? (size_t)(colon - spec) : strlen(spec);
    for (i = 0; families[i]; i++)
        if (strlen(families[i]) == len && !strncmp(families[i], spec, len))
            return 1;
    return 0;
}

/* Everything a family builder may need; vectors are NULL when absent. */
typedef struct
{
    size_t n;
    int n_given;
    mpq_t *v[4];
    size_t len[4];
    mpq_t q[4];
    int qg[4];
} args;

static void
args_init(args *a)
{
    int i;

    memset(a, 0, sizeof *a);
    for (i = 0; i < 4; i++)
        mpq_init(a->q[i]);
}

static void
args_clear(args *a)
{
    int i;

    for (i = 0; i < 4; i++)
    {
        cor_qvec_free_internal(a->v[i], a->len[i]);
        mpq_clear(a->q[i]);
    }
}

#define QARG(a, i) ((a)->qg[i] ? (mpq_srcptr)(a)->q[i] : NULL)
#define VARG(a, i) ((const mpq_t *)(a)->v[i])

/* n from the key n, else from the length of vector 0 (divided as told), else dflt. */
static void
infer_n(args *a, size_t dflt)
{
    if (!a->n_given)
        a->n = a->v[0] ? a->len[0] : dflt;
}

static cor_loss *
spec_geometric(const char *fam, cor_loss_items *it, args *a)
{
    int st = get_size(&a->n, &a->n_given, it, "n");

    if (!strcmp(fam, "linear"))
    {
        if (!st)
            st = get_qvec(&a->v[0], &a->len[0], it, "a");
        if (!st)
            st = get_q(a->q[0], &a->qg[0], it, "c");
        if (!st)
            st = unused(it, fam);
        infer_n(a, 2);
        if (!st && a->v[0])
            st = want_len("a", a->len[0], a->n);
        return st ? NULL : cor_loss_new_linear(a->n, VARG(a, 0), QARG(a, 0));
    }
    if (!strcmp(fam, "cone") || !strcmp(fam, "ccone") || !strcmp(fam, "ring"))
    {
        int ring = fam[0] == 'r';
        if (!st)
            st = get_qvec(&a->v[0], &a->len[0], it, "c");
        if (!st)
            st = get_q(a->q[0], &a->qg[0], it, "s");
        if (!st && ring)
            st = get_q(a->q[1], &a->qg[1], it, "R");
        if (!st)
            st = unused(it, fam);
        infer_n(a, 2);
        if (!st && a->v[0])
            st = want_len("c", a->len[0], a->n);
        if (st)
            return NULL;
        if (fam[1] == 'c')
        {
            if (!a->qg[0])
                mpq_set_ui(a->q[0], 1, 1);
            mpq_neg(a->q[0], a->q[0]);
            a->qg[0] = 1;
        }
        return ring ? cor_loss_new_ring(a->n, VARG(a, 0), QARG(a, 1), QARG(a, 0))
                    : cor_loss_new_cone(a->n, VARG(a, 0), QARG(a, 0));
    }
    if (!strcmp(fam, "ruled"))
    {
        size_t k = 2;
        int kg;
        if (!st)
            st = get_size(&k, &kg, it, "k");
        if (!st)
            st = get_qvec(&a->v[0], &a->len[0], it, "a");
        if (!st)
            st = unused(it, fam);
        if (st)
            return NULL;
        if (!a->n_given)
            a->n = k + (a->v[0] ? a->len[0] : 1);
        if (!kg && a->n_given && a->n < 2)
            k = a->n;
        if (k > a->n)
        {
            COR_ERROR(COR_EINVAL, "ruled: k = %zu exceeds n = %zu", k, a->n);
            return NULL;
        }
        if (a->v[0] && want_len("a", a->len[0], a->n - k))
            return NULL;
        return cor_loss_new_ruled(a->n, k, VARG(a, 0));
    }
    /* acone */
    if (!st)
        st = get_qvec(&a->v[0], &a->len[0], it, "diag");
    if (!st)
        st = get_qvec(&a->v[1], &a->len[1], it, "S");
    if (!st)
        st = unused(it, fam);
    if (st)
        return NULL;
    if (a->v[0] && a->v[1])
    {
        COR_ERROR(COR_EINVAL, "acone: give diag or S, not both");
        return NULL;
    }
    if (!a->n_given)
    {
        a->n = a->v[0] ? a->len[0] : 2;
        if (a->v[1])
            for (a->n = 1; a->n * a->n < a->len[1]; a->n++)
                ;
    }
    if (a->v[0])
    {
        size_t i;
        if (want_len("diag", a->len[0], a->n))
            return NULL;
        a->v[2] = cor_qvec_alloc_internal(a->n * a->n);
        if (!a->v[2])
            return NULL;
        a->len[2] = a->n * a->n;
        for (i = 0; i < a->n; i++)
            mpq_set(a->v[2][i * a->n + i], a->v[0][i]);
        return cor_loss_new_acone(a->n, VARG(a, 2));
    }
    if (a->v[1] && want_len("S", a->len[1], a->n * a->n))
        return NULL;
    return cor_loss_new_acone(a->n, VARG(a, 1));
}

static cor_loss *
spec_quad(cor_loss_items *it, args *a)
{
    int st = get_size(&a->n, &a->n_given, it, "n");
    size_t i;

    if (!st)
        st = get_qvec(&a->v[0], &a->len[0], it, "A");
    if (!st)
        st = get_qvec(&a->v[1], &a->len[1], it, "diag");
    if (!st)
        st = get_qvec(&a->v[2], &a->len[2], it, "b");
    if (!st)
        st = get_q(a->q[0], &a->qg[0], it, "c");
    if (!st)
        st = unused(it, "quad");
    if (st)
        return NULL;
    if (a->v[0] && a->v[1])
    {
        COR_ERROR(COR_EINVAL, "quad: give A or diag, not both");
        return NULL;
    }
    if (!a->n_given)
    {
        if (a->v[1])
            a->n = a->len[1];
        else if (a->v[0])
            for (a->n = 1; a->n * a->n < a->len[0]; a->n++)
                ;
        else
            a->n = a->v[2] ? a->len[2] : 2;
    }
    if ((a->v[0] && want_len("A", a->len[0], a->n * a->n)) ||
        (a->v[1] && want_len("diag", a->len[1], a->n)) ||
        (a->v[2] && want_len("b", a->len[2], a->n)))
        return NULL;
    if (a->v[1])
    {
        a->v[3] = cor_qvec_alloc_internal(a->n * a->n);
        if (!a->v[3])
            return NULL;
        a->len[3] = a->n * a->n;
        for (i = 0; i < a->n; i++)
            mpq_set(a->v[3][i * a->n + i], a->v[1][i]);
        return cor_loss_new_quadratic(a->n, VARG(a, 3), VARG(a, 2), QARG(a, 0));
    }
    return cor_loss_new_quadratic(a->n, VARG(a, 0), VARG(a, 2), QARG(a, 0));
}

static cor_loss *
spec_nets(const char *fam, cor_loss_items *it, args *a)
{
    int st = COR_OK;

    if (!strcmp(fam, "rosenbrock"))
    {
        a->n = 2;
        st = get_size(&a->n, NULL, it, "n");
        if (!st)
            st = get_q(a->q[0], &a->qg[0], it, "a");
        if (!st)
            st = get_q(a->q[1], &a->qg[1], it, "b");
        if (!st)
            st = get_q(a->q[2], &a->qg[2], it, "s");
        if (!st)
            st = unused(it, fam);
        return st ? NULL
                  : cor_loss_new_rosenbrock(a->n, QARG(a, 0), QARG(a, 1), QARG(a, 2));
    }
    if (!strcmp(fam, "scalarnet"))
    {
        a->n = 2;
        st = get_size(&a->n, NULL, it, "depth");
        if (!st)
            st = get_q(a->q[0], &a->qg[0], it, "y");
        if (!st)
            st = unused(it, fam);
        return st ? NULL : cor_loss_new_scalarnet(a->n, QARG(a, 0));
    }
    if (!strcmp(fam, "deeplinear"))
    {
        size_t *dims = NULL, nd = 0, dflt[3] = {2, 2, 2};
        cor_loss *L = NULL;
        st = get_sizes(&dims, &nd, it, "dims");
        if (!st)
            st = get_qvec(&a->v[0], &a->len[0], it, "T");
        if (!st)
            st = unused(it, fam);
        if (!st && dims && nd < 2)
            st = COR_ERROR(COR_EBADLEN, "deeplinear: dims needs at least two widths d0,d1");
        if (!st)
        {
            const size_t *d = dims ? dims : dflt;
            size_t N = dims ? nd - 1 : 2;
            if (!a->v[0] || !want_len("T", a->len[0], d[0] * d[N]))
                L = cor_loss_new_deeplinear(N, d, VARG(a, 0));
        }
        cor_free(dims);
        return L;
    }
    /* matfact, matcomp */
    {
        size_t m = 2, n = 2, r = 1, i;
        int comp = !strcmp(fam, "matcomp");
        unsigned char *mask = NULL;
        cor_loss *L = NULL;
        st = get_size(&m, NULL, it, "m");
        if (!st)
            st = get_size(&n, NULL, it, "n");
        if (!st)
            st = get_size(&r, NULL, it, "r");
        if (!st)
            st = get_qvec(&a->v[0], &a->len[0], it, "M");
        if (!st)
            st = get_qvec(&a->v[1], &a->len[1], it, "mask");
        if (!st)
            st = unused(it, fam);
        if (st)
            return NULL;
        if (m > 1000 || n > 1000)
        {
            COR_ERROR(COR_EINVAL, "%s: sizes m = %zu, n = %zu out of range", fam, m, n);
            return NULL;
        }
        if ((a->v[0] && want_len("M", a->len[0], m * n)) ||
            (a->v[1] && want_len("mask", a->len[1], m * n)))
            return NULL;
        if (a->v[1] || comp)
        {
            mask = cor_malloc(m * n);
            if (!mask)
                return NULL;
            for (i = 0; i < m * n; i++)
            {
                if (a->v[1] && mpq_cmp_ui(a->v[1][i], 0, 1) && mpq_cmp_ui(a->v[1][i], 1, 1))
                {
                    COR_ERROR(COR_EINVAL, "%s: mask entries must be 0 or 1", fam);
                    cor_free(mask);
                    return NULL;
                }
                mask[i] = a->v[1] ? mpq_sgn(a->v[1][i]) != 0 : i + 1 < m * n;
            }
        }
        L = cor_loss_new_matfact(m, n, r, VARG(a, 0), mask);
        cor_free(mask);
        return L;
    }
}

static cor_loss *
spec_data(const char *fam, cor_loss_items *it, args *a)
{
    const char *file = NULL, *fmt = "auto";
    size_t batches = 1, shuffle = 0, intercept = 0;
    uint64_t seed = 0;
    cor_loss_item *sitem;
    cor_data_format format;
    cor_batching bt;
    cor_dataset *D;
    cor_loss *L;
    int st = get_word(&file, it, "file");

    if (!st)
        st = get_word(&fmt, it, "format");
    if (!st)
        st = get_size(&batches, NULL, it, "batches");
    if (!st)
        st = get_size(&shuffle, NULL, it, "shuffle");
    if (!st)
        st = get_size(&intercept, NULL, it, "intercept");
    if (!st)
        st = find(&sitem, it, "seed");
    if (!st && sitem)
    {
        st = one_value(sitem);
        if (!st)
            st = parse_u64(&seed, sitem, 0);
    }
    if (!st)
        st = get_q(a->q[0], &a->qg[0], it, "l2");
    if (!st)
        st = unused(it, fam);
    if (st)
        return NULL;
    if (!file)
    {
        COR_ERROR(COR_EINVAL, "%s: the data file is missing (file=PATH)", fam);
        return NULL;
    }
    if (!strcmp(fmt, "auto"))
        format = COR_DATA_AUTO;
    else if (!strcmp(fmt, "csv"))
        format = COR_DATA_CSV;
    else if (!strcmp(fmt, "libsvm"))
        format = COR_DATA_LIBSVM;
    else
    {
        COR_ERROR(COR_EINVAL, "%s: unknown format '%s' (auto, csv, libsvm)", fam, fmt);
        return NULL;
    }
    if (shuffle > 1 || intercept > 1 || batches == 0)
    {
        COR_ERROR(COR_EINVAL, "%s: shuffle and intercept are 0 or 1, batches >= 1", fam);
        return NULL;
    }
    D = cor_dataset_read(file, format);
    if (!D)
        return NULL;
    bt.nbatches = batches;
    bt.shuffle = (int)shuffle;
    bt.seed = seed;
    L = fam[0] == 'l' && fam[1] == 'o'
            ? cor_loss_new_logistic(D, &bt, (int)intercept, QARG(a, 0))
            : cor_loss_new_lsq(D, &bt, (int)intercept, QARG(a, 0));
    cor_dataset_free(D);
    return L;
}

cor_loss *
cor_loss_from_spec(const char *spec)
{
    const char *colon;
    char *fam;
    cor_loss_items it;
    cor_loss *L = NULL;
    args a;

    if (!spec)
    {
        COR_ERROR(COR_EINVAL, "no loss spec given");
        return NULL;
    }
    colon = strchr(spec, ':');
    fam = dup_range(spec, colon ? colon : spec + strlen(spec));
    if (!fam)
        return NULL;
    if (!cor_loss_is_spec(spec))
    {
        COR_ERROR(COR_EINVAL, "unknown loss family '%s'", fam);
        cor_free(fam);
        return NULL;
    }
    if (cor_loss_items_parse_internal(&it, colon ? colon + 1 : "",
                                      colon ? (size_t)(colon - spec) + 2 : 1))
    {
        cor_free(fam);
        return NULL;
    }
    args_init(&a);
    if (!strcmp(fam, "glued"))
    {
        if (it.n == 0)
            L = cor_loss_new_glued(NULL);
        else
            L = cor_loss_glued_items_internal(&it);
    }
    else if (!strcmp(fam, "quad"))
        L = spec_quad(&it, &a);
    else if (!strcmp(fam, "logistic") || !strcmp(fam, "lsq"))
        L = spec_data(fam, &it, &a);
    else if (!strcmp(fam, "rosenbrock") || !strcmp(fam, "scalarnet") ||
             !strcmp(fam, "deeplinear") || !strcmp(fam, "matfact") || !strcmp(fam, "matcomp"))
        L = spec_nets(fam, &it, &a);
    else
        L = spec_geometric(fam, &it, &a);
    args_clear(&a);
    cor_loss_items_clear_internal(&it);
    if (L)
    {
        L->name = cor_strdup(spec);
        if (!L->name)
        {
            cor_loss_free(L);
            L = NULL;
        }
    }
    cor_free(fam);
    return L;
}
