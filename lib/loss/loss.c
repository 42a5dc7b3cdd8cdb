/* loss.c -- the cor_loss object: construction from expressions, batches, accessors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cor_sys.h"
#include "loss_impl.h"

/* ---- internal construction helpers ----------------------------------------------------- */

cor_loss *
cor_loss_new_internal(const char *family)
{
    cor_loss *L = cor_calloc(1, sizeof *L);

    if (!L)
        return NULL;
    L->root = COR_NODE_NONE;
    L->corridor = COR_CORRIDOR_UNKNOWN;
    L->pool = cor_expr_pool_alloc();
    L->own_pool = 1;
    L->family = cor_strdup(family);
    L->note = cor_strdup("not decided: a user expression");
    if (!L->pool || !L->family || !L->note)
    {
        cor_loss_free(L);
        return NULL;
    }
    return L;
}

cor_loss *
cor_loss_fail_internal(cor_loss *L)
{
    cor_loss_free(L);
    return NULL;
}

int
cor_loss_add_var_internal(cor_loss *L, const char *name)
{
    cor_node v = cor_expr_var(L->pool, name);
    cor_node *nv;

    if (v == COR_NODE_NONE)
        return cor_last_error()->code ? cor_last_error()->code
                                      : COR_ERROR(COR_EINVAL, "bad variable name '%s'", name);
    nv = cor_realloc(L->vars, (L->n + 1) * sizeof *nv);
    if (!nv)
        return COR_ENOMEM;
    L->vars = nv;
    L->vars[L->n++] = v;
    return COR_OK;
}

int
cor_loss_make_vars_internal(cor_loss *L, size_t n, const char *prefix)
{
    char buf[64];
    size_t i;
    int st;

    for (i = 0; i < n; i++)
    {
        snprintf(buf, sizeof buf, "%s%zu", prefix, i + 1);
        st = cor_loss_add_var_internal(L, buf);
        if (st)
            return st;
    }
    return COR_OK;
}

static void
clear_batches(cor_loss *L)
{
    size_t k;

    if (L->bpoints)
    {
        for (k = 0; k < L->m; k++)
            cor_free(L->bpoints[k]);
        cor_free(L->bpoints);
    }
    cor_free(L->batches);
    cor_free(L->bsize);
    L->bpoints = NULL;
    L->batches = NULL;
    L->bsize = NULL;
    L->m = 0;
    L->npoints = 0;
}

int
cor_loss_set_root_internal(cor_loss *L, cor_node root)
{
    if (root == COR_NODE_NONE)
    {
        int code = cor_last_error()->code;
        return cor_status_is_error(code) ? code
                                         : COR_ERROR(COR_EINVAL, "building the %s loss failed",
                                                     L->family);
    }
    clear_batches(L);
    L->batches = cor_malloc(sizeof *L->batches);
    L->bsize = cor_malloc(sizeof *L->bsize);
    if (!L->batches || !L->bsize)
        return COR_ENOMEM;
    L->root = root;
    L->m = 1;
    L->batches[0] = root;
    L->bsize[0] = 1;
    L->npoints = 1;
    return COR_OK;
}

int
cor_loss_set_corridor_internal(cor_loss *L, int status, const char *fmt, ...)
{
    char buf[512];
    char *s;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s = cor_strdup(buf);
    if (!s)
        return COR_ENOMEM;
    cor_free(L->note);
    L->note = s;
    L->corridor = status;
    return COR_OK;
}

mpq_t *
cor_qvec_alloc_internal(size_t n)
{
    mpq_t *v = cor_mallocarray(n ? n : 1, sizeof *v);
    size_t i;

    if (!v)
        return NULL;
    for (i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

void
cor_qvec_free_internal(mpq_t *v, size_t n)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; i < n; i++)
        mpq_clear(v[i]);
    cor_free(v);
}

/* |theta - c|^2 = sum_i (x_i - c_i)^2, built as one n-ary sum of squares of the shifted
 * coordinates (a shifted coordinate x_i - c_i is itself a SUM node with constant term). */
cor_node
cor_loss_dist2_internal(cor_expr_pool *pool, size_t n, const cor_node *vars, const mpq_t *c)
{
    cor_node *sq = cor_mallocarray(n, sizeof *sq);
    cor_node out = COR_NODE_NONE;
    mpq_t negc;
    size_t i;

    if (!sq)
        return COR_NODE_NONE;
    mpq_init(negc);
    for (i = 0; i < n; i++)
    {
        cor_node d = vars[i];
        if (c && mpq_sgn(c[i]) != 0)
        {
            mpq_neg(negc, c[i]);
            d = cor_expr_sum(pool, 1, &vars[i], NULL, negc);
        }
        sq[i] = cor_expr_powi(pool, d, 2);
        if (sq[i] == COR_NODE_NONE)
            goto cleanup;
    }
    out = cor_expr_sum(pool, n, sq, NULL, NULL);

cleanup:
    mpq_clear(negc);
    cor_free(sq);
    return out;
}

/* ---- variable lists ------------------------------------------------------------------- */

/* Creates the variables named in csv, in order; duplicates and empty names are errors. */
static int
vars_from_csv(cor_loss *L, const char *csv)
{
    const char *p = csv;
    char *name;
    int st;

    for (;;)
    {
        const char *b, *e;
        size_t i;

        while (*p == ' ' || *p == '\t')
            p++;
        b = p;
        while (*p && *p != ',')
            p++;
        e = p;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == b)
            return COR_ERROR(COR_EINVAL, "empty variable name at column %zu of the variable "
                             "list", (size_t)(b - csv) + 1);
        name = cor_malloc((size_t)(e - b) + 1);
        if (!name)
            return COR_ENOMEM;
        memcpy(name, b, (size_t)(e - b));
        name[e - b] = '\0';
        for (i = 0; i < L->n; i++)
        {
            if (!strcmp(cor_loss_var_name(L, i), name))
            {
                st = COR_ERROR(COR_EINVAL, "variable '%s' listed twice", name);
                cor_free(name);
                return st;
            }
        }
        st = cor_loss_add_var_internal(L, name);
        cor_free(name);
        if (st)
            return st;
        if (!*p)
            break;
        p++;
    }
    return COR_OK;
}

/* Parses text into *out. With known, unknown identifiers are errors; the parser's message
 * is kept (prefixed when prefix is not NULL). */
static int
parse_text(cor_node *out, cor_loss *L, const char *text, int known, const char *prefix)
{
    size_t col = 0;
    int st;

    if (!text)
        return COR_ERROR(COR_EINVAL, "no expression given");
    st = cor_expr_parse(out, &col, text, known ? COR_PARSE_KNOWN_VARS : 0u, L->pool);
    if (st && prefix)
    {
        char msg[sizeof cor_last_error()->msg];
        snprintf(msg, sizeof msg, "%s", cor_last_error()->msg);
        return COR_ERROR(st, "%s%s", prefix, msg);
    }
    return st;
}

/* All pool variables in creation order become the loss's variables. */
static int
vars_from_pool(cor_loss *L)
{
    size_t i, nv = cor_expr_nvars(L->pool);

    cor_free(L->vars);
    L->n = 0;
    L->vars = cor_mallocarray(nv ? nv : 1, sizeof *L->vars);
    if (!L->vars)
        return COR_ENOMEM;
    for (i = 0; i < nv; i++)
        L->vars[L->n++] = cor_expr_var_node(L->pool, i);
    if (!nv)
        return COR_ERROR(COR_EINVAL, "the loss has no variables");
    return COR_OK;
}

cor_loss *
cor_loss_alloc_expr(const char *text, const char *vars_csv)
{
    cor_loss *L = cor_loss_new_internal("expr");
    cor_node root;

    if (!L)
        return NULL;
    if (vars_csv && vars_from_csv(L, vars_csv))
        return cor_loss_fail_internal(L);
    if (parse_text(&root, L, text, vars_csv != NULL, NULL))
        return cor_loss_fail_internal(L);
    if (!vars_csv && vars_from_pool(L))
        return cor_loss_fail_internal(L);
    if (cor_loss_set_root_internal(L, root))
        return cor_loss_fail_internal(L);
    return L;
}

cor_loss *
cor_loss_alloc_batches(size_t m, const char *const *texts, const char *vars_csv)
{
    cor_loss *L;
    cor_node *b = NULL;
    cor_node root;
    mpq_t *w = NULL;
    size_t k;
    char prefix[48];

    if (m == 0 || !texts)
    {
        COR_ERROR(COR_EINVAL, "at least one batch is needed");
        return NULL;
    }
    L = cor_loss_new_internal("expr");
    if (!L)
        return NULL;
    b = cor_mallocarray(m, sizeof *b);
    w = cor_qvec_alloc_internal(m);
    if (!b || !w)
        goto fail;
    if (vars_csv && vars_from_csv(L, vars_csv))
        goto fail;
    for (k = 0; k < m; k++)
    {
        snprintf(prefix, sizeof prefix, "batch %zu: ", k + 1);
        if (parse_text(&b[k], L, texts[k], vars_csv != NULL, prefix))
            goto fail;
        mpq_set_ui(w[k], 1, (unsigned long)m);
    }
    if (!vars_csv && vars_from_pool(L))
        goto fail;
    root = cor_expr_sum(L->pool, m, b, (const mpq_t *)w, NULL);
    if (cor_loss_set_root_internal(L, root))
        goto fail;
    if (cor_loss_set_batches(L, m, b, NULL))
        goto fail;
    cor_free(b);
    cor_qvec_free_internal(w, m);
    return L;

fail:
    cor_free(b);
    cor_qvec_free_internal(w, m);
    return cor_loss_fail_internal(L);
}

/* Nonzero when node depends on a pool variable outside vars[0..n). */
static int
depends_outside(const cor_expr_pool *pool, cor_node node, size_t n, const cor_node *vars,
                const char **which)
{
    size_t i, j, nv = cor_expr_nvars(pool);

    for (i = 0; i < nv; i++)
    {
        cor_node v = cor_expr_var_node(pool, i);
        int listed = 0;
        for (j = 0; j < n && !listed; j++)
            listed = vars[j] == v;
        if (!listed && cor_expr_depends_on(pool, node, v))
        {
            *which = cor_expr_var_name(pool, i);
            return 1;
        }
    }
    return 0;
}

cor_loss *
cor_loss_alloc_node(cor_expr_pool *pool, cor_node root, size_t n, const cor_node *vars,
                    const char *name)
{
    cor_loss *L;
    const char *which = NULL;
    size_t i, j;

    if (!pool || root == COR_NODE_NONE || n == 0 || !vars)
    {
        COR_ERROR(COR_EINVAL, "a loss needs a pool, a root and at least one variable");
        return NULL;
    }
    for (i = 0; i < n; i++)
    {
        if (vars[i] == COR_NODE_NONE || cor_expr_op(pool, vars[i]) != COR_OP_VAR)
        {
            COR_ERROR(COR_EINVAL, "variable %zu of the loss is not a variable node", i + 1);
            return NULL;
        }
        for (j = 0; j < i; j++)
        {
            if (vars[j] == vars[i])
            {
                COR_ERROR(COR_EINVAL, "variable %zu of the loss is listed twice", i + 1);
                return NULL;
            }
        }
    }
    if (depends_outside(pool, root, n, vars, &which))
    {
        COR_ERROR(COR_EINVAL, "the loss depends on '%s', which is not among its variables",
                  which);
        return NULL;
    }
    L = cor_calloc(1, sizeof *L);
    if (!L)
        return NULL;
    L->pool = pool;
    L->own_pool = 0;
    L->corridor = COR_CORRIDOR_UNKNOWN;
    L->family = cor_strdup(name ? name : "expr");
    L->note = cor_strdup("not decided: a user expression");
    L->vars = cor_mallocarray(n, sizeof *L->vars);
    if (!L->family || !L->note || !L->vars)
        return cor_loss_fail_internal(L);
    memcpy(L->vars, vars, n * sizeof *vars);
    L->n = n;
    if (cor_loss_set_root_internal(L, root))
        return cor_loss_fail_internal(L);
    return L;
}

int
cor_loss_set_batches(cor_loss *L, size_t m, const cor_node *batches, const size_t *sizes)
{
    cor_node *nb;
    size_t *ns;
    size_t k, total = 0;
    const char *which = NULL;

    if (!L || m == 0 || !batches)
        return COR_ERROR(COR_EINVAL, "at least one batch is needed");
    for (k = 0; k < m; k++)
    {
        if (batches[k] == COR_NODE_NONE)
            return COR_ERROR(COR_EINVAL, "batch %zu is not an expression", k + 1);
        if (sizes && sizes[k] == 0)
            return COR_ERROR(COR_EINVAL, "batch %zu has size 0", k + 1);
        if (depends_outside(L->pool, batches[k], L->n, L->vars, &which))
            return COR_ERROR(COR_EINVAL, "batch %zu depends on '%s', which is not a variable "
                             "of the loss", k + 1, which);
        total += sizes ? sizes[k] : 1;
    }
    nb = cor_mallocarray(m, sizeof *nb);
    ns = cor_mallocarray(m, sizeof *ns);
    if (!nb || !ns)
    {
        cor_free(nb);
        cor_free(ns);
        return COR_ENOMEM;
    }
    for (k = 0; k < m; k++)
    {
        nb[k] = batches[k];
        ns[k] = sizes ? sizes[k] : 1;
    }
    clear_batches(L);
    L->batches = nb;
    L->bsize = ns;
    L->m = m;
    L->npoints = total;
    return COR_OK;
}

void
cor_loss_free(cor_loss *L)
{
    if (!L)
        return;
    clear_batches(L);
    if (L->own_pool)
        cor_expr_pool_free(L->pool);
    cor_free(L->vars);
    cor_free(L->family);
    cor_free(L->name);
    cor_free(L->note);
    cor_free(L);
}

/* ---- accessors ------------------------------------------------------------------------ */

cor_expr_pool *
cor_loss_pool(const cor_loss *L)
{
    return L->pool;
}

cor_node
cor_loss_root(const cor_loss *L)
{
    return L->root;
}

size_t
cor_loss_dim(const cor_loss *L)
{
    return L->n;
}

const cor_node *
cor_loss_vars(const cor_loss *L)
{
    return L->vars;
}

const char *
cor_loss_var_name(const cor_loss *L, size_t i)
{
    if (i >= L->n)
        return NULL;
    return cor_expr_var_name(L->pool, cor_expr_var_index(L->pool, L->vars[i]));
}

size_t
cor_loss_nbatches(const cor_loss *L)
{
    return L->m;
}

cor_node
cor_loss_batch(const cor_loss *L, size_t k)
{
    return k < L->m ? L->batches[k] : COR_NODE_NONE;
}

size_t
cor_loss_batch_size(const cor_loss *L, size_t k)
{
    return k < L->m ? L->bsize[k] : 0;
}

size_t
cor_loss_npoints(const cor_loss *L)
{
    return L->npoints;
}

const size_t *
cor_loss_batch_points(const cor_loss *L, size_t k)
{
    return (L->bpoints && k < L->m) ? L->bpoints[k] : NULL;
}

const char *
cor_loss_family(const cor_loss *L)
{
    return L->family;
}

const char *
cor_loss_name(const cor_loss *L)
{
    return L->name ? L->name : L->family;
}

int
cor_loss_corridor_status(const cor_loss *L)
{
    return L->corridor;
}

const char *
cor_loss_corridor_note(const cor_loss *L)
{
    return L->note;
}

const char *
cor_corridor_status_name(int status)
{
    switch (status)
    {
    case COR_CORRIDOR_EVERYWHERE:
        return "everywhere";
    case COR_CORRIDOR_PARTIAL:
        return "partial";
    case COR_CORRIDOR_NONE:
        return "none";
    default:
        return "unknown";
    }
}

/* ---- splitmix64 ----------------------------------------------------------------------- */

/* Steele, Lea & Flood's splitmix64 (the seeding generator of xoshiro): a fixed, portable
 * sequence for a given seed, so a seeded batch partition is identical everywhere. */
uint64_t
cor_loss_splitmix64_internal(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
