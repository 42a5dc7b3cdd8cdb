/* pool.c -- expression pools: hash-consed nodes and the canonicalising builders.
 *
 * Why hash-consing gives a DAG with maximal sharing: every builder funnels into intern(),
 * which looks the (op, children, rational data) triple up in an open-addressing table
 * before appending a node. Children are themselves interned, so structurally equal
 * expressions get equal handles by induction on their height, and equality is O(1).
 *
 * The builders keep a few canonical forms (see cor_expr.h) so that derivatives, which are
 * produced by the same builders, stay small: constants are folded exactly in GMP rationals,
 * linear combinations are n-ary SUM nodes with sorted children and merged like terms, and
 * constant factors are pulled out of products into SUM coefficients.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "expr_impl.h"

#define EMPTY UINT32_MAX
/* Constant powers are folded only while the result stays this small (bits). */
#define FOLD_MAX_BITS 65536

/* ---- pool lifetime -------------------------------------------------------------------- */

cor_expr_pool *
cor_expr_pool_alloc(void)
{
    cor_expr_pool *p = cor_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->table_cap = 1024;
    p->table = cor_mallocarray(p->table_cap, sizeof *p->table);
    if (!p->table)
    {
        cor_free(p);
        return NULL;
    }
    memset(p->table, 0xff, p->table_cap * sizeof *p->table);
    return p;
}

void
cor_expr_pool_free(cor_expr_pool *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; i < pool->nq; i++)
        mpq_clear(pool->q[i]);
    for (size_t i = 0; i < pool->nvars; i++)
        cor_free(pool->var_names[i]);
    cor_free(pool->var_names);
    cor_free(pool->var_nodes);
    cor_free(pool->q);
    cor_free(pool->kids);
    cor_free(pool->nodes);
    cor_free(pool->table);
    cor_free(pool);
}

size_t
cor_expr_pool_size(const cor_expr_pool *pool)
{
    return pool->nnodes;
}

/* ---- hashing -------------------------------------------------------------------------- */

static uint64_t
mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static uint64_t
hash_z(uint64_t h, const mpz_t z)
{
    size_t n = mpz_size(z);
    h = mix(h, (uint64_t)mpz_sgn(z) + 7);
    for (size_t i = 0; i < n; i++)
        h = mix(h, (uint64_t)mpz_getlimbn(z, (mp_size_t)i));
    return h;
}

static uint64_t
hash_q(uint64_t h, const mpq_t q)
{
    return hash_z(hash_z(h, mpq_numref(q)), mpq_denref(q));
}

/* Candidate node description used for lookup before insertion. */
typedef struct
{
    cor_op op;
    size_t n;
    const cor_node *kids;
    const mpq_t *q;   /* CONST: 1 value; SUM: c0 then n coefficients (contiguous) */
    size_t nq;
    long k;
} cand;

static uint64_t
cand_hash(const cand *c)
{
    uint64_t h = mix(0x1234567ull, (uint64_t)c->op);
    h = mix(h, (uint64_t)c->n);
    h = mix(h, (uint64_t)c->k);
    for (size_t i = 0; i < c->n; i++)
        h = mix(h, c->kids[i]);
    for (size_t i = 0; i < c->nq; i++)
        h = hash_q(h, c->q[i]);
    return h;
}

static int
cand_equal(const cor_expr_pool *p, const cor_expr_node *nd, const cand *c, uint64_t h)
{
    if (nd->hash != h || nd->op != c->op || nd->n != c->n || nd->k != c->k)
        return 0;
    for (size_t i = 0; i < c->n; i++)
        if (p->kids[nd->first + i] != c->kids[i])
            return 0;
    for (size_t i = 0; i < c->nq; i++)
        if (!mpq_equal(p->q[nd->qi + i], c->q[i]))
            return 0;
    return 1;
}

static int
grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *nb = cor_realloc(*buf, nc * elem);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = nc;
    return 0;
}

static int
rehash(cor_expr_pool *p)
{
    size_t nc = p->table_cap * 2;
    uint32_t *t = cor_mallocarray(nc, sizeof *t);
    if (!t)
        return -1;
    memset(t, 0xff, nc * sizeof *t);
    for (size_t i = 0; i < p->nnodes; i++)
    {
        size_t j = p->nodes[i].hash & (nc - 1);
        while (t[j] != EMPTY)
            j = (j + 1) & (nc - 1);
        t[j] = (uint32_t)i;
    }
    cor_free(p->table);
    p->table = t;
    p->table_cap = nc;
    return 0;
}

static cor_node
intern(cor_expr_pool *p, const cand *c)
{
    uint64_t h = cand_hash(c);
    size_t mask = p->table_cap - 1;
    size_t j = h & mask;

    while (p->table[j] != EMPTY)
    {
        if (cand_equal(p, &p->nodes[p->table[j]], c, h))
            return p->table[j];
        j = (j + 1) & mask;
    }
    if (p->nnodes >= (size_t)UINT32_MAX - 1)
    {
        COR_ERROR(COR_ENOMEM, "expression pool is full (%zu nodes)", p->nnodes);
        return COR_NODE_NONE;
    }
    if (grow((void **)&p->nodes, &p->cap_nodes, p->nnodes + 1, sizeof *p->nodes)
        || grow((void **)&p->kids, &p->cap_kids, p->nkids + c->n, sizeof *p->kids)
        || grow((void **)&p->q, &p->cap_q, p->nq + c->nq, sizeof *p->q))
        return COR_NODE_NONE;

    cor_expr_node *nd = &p->nodes[p->nnodes];
    nd->op = (uint8_t)c->op;
    nd->n = (uint32_t)c->n;
    nd->first = (uint32_t)p->nkids;
    nd->qi = (uint32_t)p->nq;
    nd->k = c->k;
    nd->hash = h;
    for (size_t i = 0; i < c->n; i++)
        p->kids[p->nkids++] = c->kids[i];
    for (size_t i = 0; i < c->nq; i++)
    {
        mpq_init(p->q[p->nq]);
        mpq_set(p->q[p->nq], c->q[i]);
        p->nq++;
    }
    cor_node id = (cor_node)p->nnodes++;
    p->table[j] = id;
    if (2 * p->nnodes > p->table_cap && rehash(p))
        return COR_NODE_NONE;
    return id;
}

static cor_node
node1(cor_expr_pool *p, cor_op op, cor_node a)
{
    cand c = {op, 1, &a, NULL, 0, 0};
    return intern(p, &c);
}

static cor_node
node2(cor_expr_pool *p, cor_op op, cor_node a, cor_node b)
{
    cor_node k[2] = {a, b};
    cand c = {op, 2, k, NULL, 0, 0};
    return intern(p, &c);
}

/* ---- variables -------------------------------------------------------------------------- */

static const char *const reserved[] = {
    "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid",
    "softplus", "abs", "sign", "pow", "min", "max", "select", "pi", "e", NULL};

int
cor_expr_is_reserved_internal(const char *name)
{
    for (size_t i = 0; reserved[i]; i++)
        if (!strcmp(reserved[i], name))
            return 1;
    return 0;
}

static int
valid_identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

cor_node
cor_expr_var_lookup(const cor_expr_pool *pool, const char *name)
{
    for (size_t i = 0; i < pool->nvars; i++)
        if (!strcmp(pool->var_names[i], name))
            return pool->var_nodes[i];
    return COR_NODE_NONE;
}

cor_node
cor_expr_var(cor_expr_pool *pool, const char *name)
{
    cor_node v = cor_expr_var_lookup(pool, name);
    if (v != COR_NODE_NONE)
        return v;
    if (!valid_identifier(name))
    {
        COR_ERROR(COR_EINVAL, "'%s' is not a valid variable name", name ? name : "(null)");
        return COR_NODE_NONE;
    }
    if (cor_expr_is_reserved_internal(name))
    {
        COR_ERROR(COR_EINVAL, "'%s' is a reserved word, not a variable name", name);
        return COR_NODE_NONE;
    }
    if (grow((void **)&pool->var_names, &pool->cap_vars, pool->nvars + 1,
             sizeof *pool->var_names))
        return COR_NODE_NONE;
    /* var_nodes has the capacity of var_names */
    cor_node *vn = cor_realloc(pool->var_nodes, pool->cap_vars * sizeof *vn);
    if (!vn)
        return COR_NODE_NONE;
    pool->var_nodes = vn;
    char *copy = cor_strdup(name);
    if (!copy)
        return COR_NODE_NONE;
    cand c = {COR_OP_VAR, 0, NULL, NULL, 0, (long)pool->nvars};
    v = intern(pool, &c);
    if (v == COR_NODE_NONE)
    {
        cor_free(copy);
        return v;
    }
    pool->var_names[pool->nvars] = copy;
    pool->var_nodes[pool->nvars] = v;
    pool->nvars++;
    return v;
}

size_t
cor_expr_nvars(const cor_expr_pool *pool)
{
    return pool->nvars;
}

cor_node
cor_expr_var_node(const cor_expr_pool *pool, size_t k)
{
    return k < pool->nvars ? pool->var_nodes[k] : COR_NODE_NONE;
}

const char *
cor_expr_var_name(const cor_expr_pool *pool, size_t k)
{
    return k < pool->nvars ? pool->var_names[k] : NULL;
}

size_t
cor_expr_var_index(const cor_expr_pool *pool, cor_node var)
{
    return (size_t)pool->nodes[var].k;
}

/* ---- constants ---------------------------------------------------------------------------- */

cor_node
cor_expr_const_q(cor_expr_pool *pool, const mpq_t q)
{
    cand c = {COR_OP_CONST, 0, NULL, (const mpq_t *)q, 1, 0};
    return intern(pool, &c);
}

cor_node
cor_expr_const_si(cor_expr_pool *pool, long n)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, n, 1);
    cor_node r = cor_expr_const_q(pool, q);
    mpq_clear(q);
    return r;
}

cor_node
cor_expr_const_frac(cor_expr_pool *pool, long num, long den)
{
    if (den == 0)
    {
        COR_ERROR(COR_EINVAL, "fraction %ld/0 has a zero denominator", num);
        return COR_NODE_NONE;
    }
    mpq_t q;
    mpq_init(q);
    mpz_set_si(mpq_numref(q), num);
    mpz_set_si(mpq_denref(q), den);
    mpq_canonicalize(q);
    cor_node r = cor_expr_const_q(pool, q);
    mpq_clear(q);
    return r;
}

/* Exact value of a decimal literal: [+-]? digits [. digits] [(e|E) [+-]? digits]. */
int
cor_expr_decimal_to_q_internal(mpq_t q, const char *s, size_t len)
{
    size_t i = 0;
    int neg = 0, any = 0;
    long frac = 0, ex = 0;
    mpz_t m;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    mpz_init(m);
    for (; i < len && isdigit((unsigned char)s[i]); i++, any = 1)
    {
        mpz_mul_ui(m, m, 10);
        mpz_add_ui(m, m, (unsigned long)(s[i] - '0'));
    }
    if (i < len && s[i] == '.')
    {
        for (i++; i < len && isdigit((unsigned char)s[i]); i++, any = 1, frac++)
        {
            mpz_mul_ui(m, m, 10);
            mpz_add_ui(m, m, (unsigned long)(s[i] - '0'));
        }
    }
    if (!any)
        goto bad;
    if (i < len && (s[i] == 'e' || s[i] == 'E'))
    {
        int eneg = 0, edig = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < len && isdigit((unsigned char)s[i]); i++, edig = 1)
        {
            if (ex > 100000)
                goto bad;
            ex = ex * 10 + (s[i] - '0');
        }
        if (!edig)
            goto bad;
        if (eneg)
            ex = -ex;
    }
    if (i != len || ex > 100000 || ex < -100000)
        goto bad;
    ex -= frac;
    mpz_set(mpq_numref(q), m);
    mpz_set_ui(mpq_denref(q), 1);
    if (ex > 0)
    {
        mpz_t t;
        mpz_init(t);
        mpz_ui_pow_ui(t, 10, (unsigned long)ex);
        mpz_mul(mpq_numref(q), mpq_numref(q), t);
        mpz_clear(t);
    }
    else if (ex < 0)
        mpz_ui_pow_ui(mpq_denref(q), 10, (unsigned long)-ex);
    mpq_canonicalize(q);
    if (neg)
        mpq_neg(q, q);
    mpz_clear(m);
    return 0;
bad:
    mpz_clear(m);
    return -1;
}

cor_node
cor_expr_const_str(cor_expr_pool *pool, const char *text)
{
    mpq_t q;
    mpq_init(q);
    if (cor_expr_decimal_to_q_internal(q, text, strlen(text)))
    {
        mpq_clear(q);
        COR_ERROR(COR_EPARSE, "'%s' is not a decimal number", text);
        return COR_NODE_NONE;
    }
    cor_node r = cor_expr_const_q(pool, q);
    mpq_clear(q);
    return r;
}

cor_node
cor_expr_pi(cor_expr_pool *pool)
{
    cand c = {COR_OP_PI, 0, NULL, NULL, 0, 0};
    return intern(pool, &c);
}

int
cor_expr_is_const(const cor_expr_pool *pool, cor_node n)
{
    return n != COR_NODE_NONE && pool->nodes[n].op == COR_OP_CONST;
}

void
cor_expr_const_get(mpq_t out, const cor_expr_pool *pool, cor_node n)
{
    mpq_set(out, pool->q[pool->nodes[n].qi]);
}

static int
is_const_value(const cor_expr_pool *p, cor_node n, long v)
{
    if (!cor_expr_is_const(p, n))
        return 0;
    const mpq_t *q = &p->q[p->nodes[n].qi];
    return mpz_cmp_ui(mpq_denref(*q), 1) == 0 && mpz_cmp_si(mpq_numref(*q), v) == 0;
}

/* ---- sums ----------------------------------------------------------------------------------- */

typedef struct
{
    cor_node x;
    mpq_t c;
} term;

static int
term_cmp(const void *a, const void *b)
{
    cor_node x = ((const term *)a)->x, y = ((const term *)b)->x;
    return (x > y) - (x < y);
}

/* Terms are flattened into a SUM child only when the child is this small, so that shared
 * large sums are not copied into every parent. */
#define FLATTEN_MAX 2

/* Appends c * x to the term list (expanding constants and small SUMs). */
static int
add_term(cor_expr_pool *p, term **ts, size_t *nt, size_t *cap, mpq_t c0, const mpq_t c,
         cor_node x)
{
    const cor_expr_node *nd = &p->nodes[x];
    if (nd->op == COR_OP_CONST)
    {
        mpq_t t;
        mpq_init(t);
        mpq_mul(t, c, p->q[nd->qi]);
        mpq_add(c0, c0, t);
        mpq_clear(t);
        return 0;
    }
    if (nd->op == COR_OP_SUM && nd->n <= FLATTEN_MAX)
    {
        /* copy out: the pool may move while we recurse */
        size_t n = nd->n;
        uint32_t first = nd->first, qi = nd->qi;
        mpq_t t;
        mpq_init(t);
        mpq_mul(t, c, p->q[qi]);
        mpq_add(c0, c0, t);
        for (size_t i = 0; i < n; i++)
        {
            mpq_mul(t, c, p->q[qi + 1 + i]);
            if (add_term(p, ts, nt, cap, c0, t, p->kids[first + i]))
            {
                mpq_clear(t);
                return -1;
            }
        }
        mpq_clear(t);
        return 0;
    }
    if (*nt == *cap)
    {
        size_t nc = *cap ? 2 * *cap : 8;
        term *nts = cor_realloc(*ts, nc * sizeof *nts);
        if (!nts)
            return -1;
        *ts = nts;
        *cap = nc;
    }
    (*ts)[*nt].x = x;
    mpq_init((*ts)[*nt].c);
    mpq_set((*ts)[*nt].c, c);
    (*nt)++;
    return 0;
}

/* Builds the canonical node for c0 + sum ts (consumes and clears ts' rationals). */
static cor_node
finish_sum(cor_expr_pool *p, term *ts, size_t nt, mpq_t c0)
{
    cor_node r = COR_NODE_NONE;
    size_t m = 0;

    if (nt > 1)
        qsort(ts, nt, sizeof *ts, term_cmp);
    for (size_t i = 0; i < nt; i++)
    {
        if (m > 0 && ts[m - 1].x == ts[i].x)
        {
            mpq_add(ts[m - 1].c, ts[m - 1].c, ts[i].c);
            continue;
        }
        if (m > 0 && mpq_sgn(ts[m - 1].c) == 0)
            m--;
        if (m != i)
        {
            ts[m].x = ts[i].x;
            mpq_set(ts[m].c, ts[i].c);
        }
        m++;
    }
    if (m > 0 && mpq_sgn(ts[m - 1].c) == 0)
        m--;

    if (m == 0)
        r = cor_expr_const_q(p, c0);
    else if (m == 1 && mpq_sgn(c0) == 0 && mpz_cmp_ui(mpq_numref(ts[0].c), 1) == 0
             && mpz_cmp_ui(mpq_denref(ts[0].c), 1) == 0)
        r = ts[0].x;
    else
    {
        cor_node *kids = cor_mallocarray(m, sizeof *kids);
        mpq_t *qs = cor_mallocarray(m + 1, sizeof *qs);
        if (kids && qs)
        {
            qs[0][0] = c0[0]; /* shallow copies: intern() copies the values */
            for (size_t i = 0; i < m; i++)
            {
                kids[i] = ts[i].x;
                qs[i + 1][0] = ts[i].c[0];
            }
            cand c = {COR_OP_SUM, m, kids, (const mpq_t *)qs, m + 1, 0};
            r = intern(p, &c);
        }
        cor_free(kids);
        cor_free(qs);
    }
    for (size_t i = 0; i < nt; i++)
        mpq_clear(ts[i].c);
    return r;
}

cor_node
cor_expr_sum(cor_expr_pool *pool, size_t n, const cor_node *x, const mpq_t *c,
             const mpq_t c0)
{
    term *ts = NULL;
    size_t nt = 0, cap = 0;
    mpq_t acc, one;
    cor_node r = COR_NODE_NONE;

    for (size_t i = 0; i < n; i++)
        if (x[i] == COR_NODE_NONE)
            return COR_NODE_NONE;
    mpq_init(acc);
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    if (c0)
        mpq_set(acc, c0);
    for (size_t i = 0; i < n; i++)
    {
        if (c && mpq_sgn(c[i]) == 0)
            continue;
        if (add_term(pool, &ts, &nt, &cap, acc, c ? c[i] : one, x[i]))
        {
            for (size_t j = 0; j < nt; j++)
                mpq_clear(ts[j].c);
            goto done;
        }
    }
    r = finish_sum(pool, ts, nt, acc);
done:
    cor_free(ts);
    mpq_clear(acc);
    mpq_clear(one);
    return r;
}

static cor_node
lin2(cor_expr_pool *p, long ca, cor_node a, long cb, cor_node b)
{
    mpq_t c[2];
    cor_node x[2] = {a, b};
    mpq_init(c[0]);
    mpq_init(c[1]);
    mpq_set_si(c[0], ca, 1);
    mpq_set_si(c[1], cb, 1);
    cor_node r = cor_expr_sum(p, 2, x, (const mpq_t *)c, NULL);
    mpq_clear(c[0]);
    mpq_clear(c[1]);
    return r;
}

cor_node
cor_expr_add(cor_expr_pool *pool, cor_node a, cor_node b)
{
    return lin2(pool, 1, a, 1, b);
}

cor_node
cor_expr_sub(cor_expr_pool *pool, cor_node a, cor_node b)
{
    return lin2(pool, 1, a, -1, b);
}

cor_node
cor_expr_neg(cor_expr_pool *pool, cor_node a)
{
    if (a == COR_NODE_NONE)
        return a;
    mpq_t c;
    mpq_init(c);
    mpq_set_si(c, -1, 1);
    cor_node r = cor_expr_sum(pool, 1, &a, (const mpq_t *)&c, NULL);
    mpq_clear(c);
    return r;
}

cor_node
cor_expr_scale(cor_expr_pool *pool, const mpq_t q, cor_node a)
{
    if (a == COR_NODE_NONE)
        return a;
    return cor_expr_sum(pool, 1, &a, (const mpq_t *)q, NULL);
}

/* If n is a SUM with one term and no constant, c * x: set c and return x. */
static cor_node
split_scaled(const cor_expr_pool *p, cor_node n, mpq_t c)
{
    const cor_expr_node *nd = &p->nodes[n];
    if (nd->op == COR_OP_SUM && nd->n == 1 && mpq_sgn(p->q[nd->qi]) == 0)
    {
        mpq_set(c, p->q[nd->qi + 1]);
        return p->kids[nd->first];
    }
    return COR_NODE_NONE;
}

/* ---- products and powers ------------------------------------------------------------------- */

cor_node
cor_expr_mul(cor_expr_pool *pool, cor_node a, cor_node b)
{
    cor_node r;
    mpq_t c;

    if (a == COR_NODE_NONE || b == COR_NODE_NONE)
        return COR_NODE_NONE;
    mpq_init(c);
    if (cor_expr_is_const(pool, a) || cor_expr_is_const(pool, b))
    {
        if (cor_expr_is_const(pool, b))
        {
            cor_node t = a;
            a = b;
            b = t;
        }
        cor_expr_const_get(c, pool, a);
        r = cor_expr_scale(pool, c, b);
        goto done;
    }
    cor_node xa = split_scaled(pool, a, c);
    if (xa != COR_NODE_NONE)
    {
        r = cor_expr_scale(pool, c, cor_expr_mul(pool, xa, b));
        goto done;
    }
    cor_node xb = split_scaled(pool, b, c);
    if (xb != COR_NODE_NONE)
    {
        r = cor_expr_scale(pool, c, cor_expr_mul(pool, a, xb));
        goto done;
    }
    if (a == b)
    {
        r = cor_expr_powi(pool, a, 2);
        goto done;
    }
    /* a * (1/b) -> a/b and (1/a) * b -> b/a: one division instead of two operations */
    if (pool->nodes[b].op == COR_OP_DIV && is_const_value(pool, pool->kids[pool->nodes[b].first], 1))
    {
        r = cor_expr_div(pool, a, pool->kids[pool->nodes[b].first + 1]);
        goto done;
    }
    if (pool->nodes[a].op == COR_OP_DIV && is_const_value(pool, pool->kids[pool->nodes[a].first], 1))
    {
        r = cor_expr_div(pool, b, pool->kids[pool->nodes[a].first + 1]);
        goto done;
    }
    {
        const cor_expr_node *na = &pool->nodes[a], *nb = &pool->nodes[b];
        cor_node ba = na->op == COR_OP_POWI ? pool->kids[na->first] : a;
        cor_node bb = nb->op == COR_OP_POWI ? pool->kids[nb->first] : b;
        long ka = na->op == COR_OP_POWI ? na->k : 1;
        long kb = nb->op == COR_OP_POWI ? nb->k : 1;
        if (ba == bb && ka > 0 && kb > 0 && ka < LONG_MAX / 2 && kb < LONG_MAX / 2)
        {
            r = cor_expr_powi(pool, ba, ka + kb);
            goto done;
        }
    }
    r = a < b ? node2(pool, COR_OP_MUL, a, b) : node2(pool, COR_OP_MUL, b, a);
done:
    mpq_clear(c);
    return r;
}

cor_node
cor_expr_div(cor_expr_pool *pool, cor_node a, cor_node b)
{
    cor_node r;
    mpq_t c;

    if (a == COR_NODE_NONE || b == COR_NODE_NONE)
        return COR_NODE_NONE;
    mpq_init(c);
    if (cor_expr_is_const(pool, b))
    {
        cor_expr_const_get(c, pool, b);
        if (mpq_sgn(c) == 0)
        {
            mpq_clear(c);
            COR_ERROR(COR_EDOM, "division by the constant zero");
            return COR_NODE_NONE;
        }
        mpq_inv(c, c);
        r = cor_expr_scale(pool, c, a);
        goto done;
    }
    if (is_const_value(pool, a, 0))
    {
        r = a;
        goto done;
    }
    cor_node xb = split_scaled(pool, b, c);
    if (xb != COR_NODE_NONE)
    {
        mpq_inv(c, c);
        r = cor_expr_scale(pool, c, cor_expr_div(pool, a, xb));
        goto done;
    }
    cor_node xa = split_scaled(pool, a, c);
    if (xa != COR_NODE_NONE)
    {
        r = cor_expr_scale(pool, c, cor_expr_div(pool, xa, b));
        goto done;
    }
    r = node2(pool, COR_OP_DIV, a, b);
done:
    mpq_clear(c);
    return r;
}

cor_node
cor_expr_powi(cor_expr_pool *pool, cor_node a, long k)
{
    if (a == COR_NODE_NONE)
        return a;
    if (k == 0)
        return cor_expr_const_si(pool, 1);
    if (k == 1)
        return a;

    const cor_expr_node *nd = &pool->nodes[a];
    if (nd->op == COR_OP_CONST)
    {
        mpq_t q;
        mpq_init(q);
        cor_expr_const_get(q, pool, a);
        unsigned long ak = k < 0 ? -(unsigned long)k : (unsigned long)k;
        size_t bits = mpz_sizeinbase(mpq_numref(q), 2) + mpz_sizeinbase(mpq_denref(q), 2);
        if (mpq_sgn(q) == 0 && k < 0)
        {
            mpq_clear(q);
            COR_ERROR(COR_EDOM, "zero raised to the negative power %ld", k);
            return COR_NODE_NONE;
        }
        if (ak <= FOLD_MAX_BITS && bits * ak <= FOLD_MAX_BITS)
        {
            mpz_pow_ui(mpq_numref(q), mpq_numref(q), ak);
            mpz_pow_ui(mpq_denref(q), mpq_denref(q), ak);
            if (k < 0)
                mpq_inv(q, q);
            cor_node r = cor_expr_const_q(pool, q);
            mpq_clear(q);
            return r;
        }
        mpq_clear(q);
    }
    else if (nd->op == COR_OP_POWI)
    {
        long j = nd->k;
        cor_node base = pool->kids[nd->first];
        if (j != 0 && (k > LONG_MAX / labs(j) || k < -(LONG_MAX / labs(j))))
        {
            COR_ERROR(COR_ERANGE, "exponent overflow in power of a power");
            return COR_NODE_NONE;
        }
        return cor_expr_powi(pool, base, j * k);
    }
    else
    {
        mpq_t c;
        mpq_init(c);
        cor_node x = split_scaled(pool, a, c);
        if (x != COR_NODE_NONE)
        {
            cor_node cc = cor_expr_powi(pool, cor_expr_const_q(pool, c), k);
            mpq_clear(c);
            return cor_expr_mul(pool, cc, cor_expr_powi(pool, x, k));
        }
        mpq_clear(c);
    }
    cand c = {COR_OP_POWI, 1, &a, NULL, 0, k};
    return intern(pool, &c);
}

cor_node
cor_expr_pow(cor_expr_pool *pool, cor_node a, cor_node b)
{
    if (a == COR_NODE_NONE || b == COR_NODE_NONE)
        return COR_NODE_NONE;
    if (cor_expr_is_const(pool, b))
    {
        mpq_t q;
        mpq_init(q);
        cor_expr_const_get(q, pool, b);
        if (mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_fits_slong_p(mpq_numref(q)))
        {
            long k = mpz_get_si(mpq_numref(q));
            mpq_clear(q);
            return cor_expr_powi(pool, a, k);
        }
        int half = mpz_cmp_ui(mpq_numref(q), 1) == 0 && mpz_cmp_ui(mpq_denref(q), 2) == 0;
        mpq_clear(q);
        if (half)
            return cor_expr_unary(pool, COR_OP_SQRT, a);
    }
    if (pool->nodes[a].op == COR_OP_EXP)
        return cor_expr_unary(pool, COR_OP_EXP,
                              cor_expr_mul(pool, pool->kids[pool->nodes[a].first], b));
    return node2(pool, COR_OP_POW, a, b);
}

/* ---- functions -------------------------------------------------------------------------------- */

cor_node
cor_expr_unary(cor_expr_pool *pool, cor_op op, cor_node a)
{
    if (a == COR_NODE_NONE)
        return a;
    if (op < COR_OP_EXP || op > COR_OP_SIGN)
    {
        COR_ERROR(COR_EINVAL, "operation %d is not a one-argument function", (int)op);
        return COR_NODE_NONE;
    }
    if (cor_expr_is_const(pool, a))
    {
        /* exact folds only */
        mpq_t q;
        mpq_init(q);
        cor_expr_const_get(q, pool, a);
        int s = mpq_sgn(q);
        cor_node r = COR_NODE_NONE;
        if (op == COR_OP_ABS)
        {
            mpq_abs(q, q);
            r = cor_expr_const_q(pool, q);
        }
        else if (op == COR_OP_SIGN)
            r = cor_expr_const_si(pool, s);
        else if (s == 0 && (op == COR_OP_SIN || op == COR_OP_TAN || op == COR_OP_TANH
                            || op == COR_OP_LOG1P || op == COR_OP_EXPM1 || op == COR_OP_SQRT))
            r = cor_expr_const_si(pool, 0);
        else if (s == 0 && (op == COR_OP_EXP || op == COR_OP_COS))
            r = cor_expr_const_si(pool, 1);
        else if (s == 0 && op == COR_OP_SIGMOID)
            r = cor_expr_const_frac(pool, 1, 2);
        else if (op == COR_OP_LOG && mpq_cmp_ui(q, 1, 1) == 0)
            r = cor_expr_const_si(pool, 0);
        else if (op == COR_OP_SQRT && s > 0 && mpz_perfect_square_p(mpq_numref(q))
                 && mpz_perfect_square_p(mpq_denref(q)))
        {
            mpz_sqrt(mpq_numref(q), mpq_numref(q));
            mpz_sqrt(mpq_denref(q), mpq_denref(q));
            r = cor_expr_const_q(pool, q);
        }
        mpq_clear(q);
        if (r != COR_NODE_NONE)
            return r;
        return node1(pool, op, a);
    }

    const cor_expr_node *nd = &pool->nodes[a];
    mpq_t c;
    mpq_init(c);
    cor_node x = split_scaled(pool, a, c);
    cor_node r = COR_NODE_NONE;
    if (op == COR_OP_ABS && (nd->op == COR_OP_ABS || nd->op == COR_OP_SQRT
                             || nd->op == COR_OP_EXP || nd->op == COR_OP_SIGMOID
                             || nd->op == COR_OP_SOFTPLUS))
        r = a; /* already non-negative */
    else if (op == COR_OP_ABS && x != COR_NODE_NONE)
    {
        mpq_abs(c, c);
        r = cor_expr_scale(pool, c, cor_expr_unary(pool, COR_OP_ABS, x));
    }
    else if (op == COR_OP_SIGN && x != COR_NODE_NONE)
        r = mpq_sgn(c) < 0 ? cor_expr_neg(pool, cor_expr_unary(pool, COR_OP_SIGN, x))
                           : cor_expr_unary(pool, COR_OP_SIGN, x);
    else if (op == COR_OP_SIGN && nd->op == COR_OP_SIGN)
        r = a;
    else if (op == COR_OP_SQRT && nd->op == COR_OP_POWI && nd->k == 2)
        r = cor_expr_unary(pool, COR_OP_ABS, pool->kids[nd->first]);
    else
        r = node1(pool, op, a);
    mpq_clear(c);
    return r;
}

cor_node
cor_expr_binary(cor_expr_pool *pool, cor_op op, cor_node a, cor_node b)
{
    if (a == COR_NODE_NONE || b == COR_NODE_NONE)
        return COR_NODE_NONE;
    if (op != COR_OP_MIN && op != COR_OP_MAX)
    {
        COR_ERROR(COR_EINVAL, "operation %d is not min or max", (int)op);
        return COR_NODE_NONE;
    }
    if (a == b)
        return a;
    if (cor_expr_is_const(pool, a) && cor_expr_is_const(pool, b))
    {
        int c = mpq_cmp(pool->q[pool->nodes[a].qi], pool->q[pool->nodes[b].qi]);
        return (op == COR_OP_MIN) == (c <= 0) ? a : b;
    }
    return a < b ? node2(pool, op, a, b) : node2(pool, op, b, a);
}

cor_node
cor_expr_select(cor_expr_pool *pool, cor_node cond, cor_node a, cor_node b)
{
    if (cond == COR_NODE_NONE || a == COR_NODE_NONE || b == COR_NODE_NONE)
        return COR_NODE_NONE;
    if (a == b)
        return a;
    if (cor_expr_is_const(pool, cond))
        return mpq_sgn(pool->q[pool->nodes[cond].qi]) >= 0 ? a : b;
    cor_node k[3] = {cond, a, b};
    cand c = {COR_OP_SELECT, 3, k, NULL, 0, 0};
    return intern(pool, &c);
}

/* ---- introspection ------------------------------------------------------------------------ */

cor_op
cor_expr_op(const cor_expr_pool *pool, cor_node n)
{
    return (cor_op)pool->nodes[n].op;
}

size_t
cor_expr_nchildren(const cor_expr_pool *pool, cor_node n)
{
    return pool->nodes[n].n;
}

cor_node
cor_expr_child(const cor_expr_pool *pool, cor_node n, size_t i)
{
    return i < pool->nodes[n].n ? pool->kids[pool->nodes[n].first + i] : COR_NODE_NONE;
}

void
cor_expr_sum_coef(mpq_t out, const cor_expr_pool *pool, cor_node n, size_t i)
{
    mpq_set(out, pool->q[pool->nodes[n].qi + 1 + i]);
}

void
cor_expr_sum_c0(mpq_t out, const cor_expr_pool *pool, cor_node n)
{
    mpq_set(out, pool->q[pool->nodes[n].qi]);
}

long
cor_expr_powi_exponent(const cor_expr_pool *pool, cor_node n)
{
    return pool->nodes[n].k;
}

const char *
cor_op_name(cor_op op)
{
    static const char *const names[COR_OP_COUNT_] = {
        "const", "var", "pi", "+", "*", "/", "^", "^", "exp", "log", "log1p", "expm1",
        "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "softplus", "abs", "sign", "min",
        "max", "select"};
    return (unsigned)op < COR_OP_COUNT_ ? names[op] : "?";
}

/* Marks the nodes reachable from the roots (iterative DFS); returns the count. */
static size_t
mark_reachable(const cor_expr_pool *p, size_t n, const cor_node *roots, unsigned char *seen)
{
    size_t count = 0, top = 0, cap = 64;
    cor_node *stack = cor_mallocarray(cap, sizeof *stack);
    if (!stack)
        return 0;
    for (size_t i = 0; i < n; i++)
    {
        if (roots[i] == COR_NODE_NONE || seen[roots[i]])
            continue;
        seen[roots[i]] = 1;
        count++;
        stack[top++] = roots[i];
        while (top)
        {
            cor_node v = stack[--top];
            const cor_expr_node *nd = &p->nodes[v];
            for (uint32_t j = 0; j < nd->n; j++)
            {
                cor_node w = p->kids[nd->first + j];
                if (seen[w])
                    continue;
                seen[w] = 1;
                count++;
                if (top == cap)
                {
                    cor_node *ns = cor_realloc(stack, 2 * cap * sizeof *ns);
                    if (!ns)
                    {
                        cor_free(stack);
                        return 0;
                    }
                    stack = ns;
                    cap *= 2;
                }
                stack[top++] = w;
            }
        }
    }
    cor_free(stack);
    return count;
}

size_t
cor_expr_dag_size(const cor_expr_pool *pool, size_t n, const cor_node *roots)
{
    unsigned char *seen = cor_calloc(pool->nnodes, 1);
    if (!seen)
        return 0;
    size_t c = mark_reachable(pool, n, roots, seen);
    cor_free(seen);
    return c;
}

int
cor_expr_depends_on(const cor_expr_pool *pool, cor_node n, cor_node var)
{
    unsigned char *seen = cor_calloc(pool->nnodes, 1);
    if (!seen)
        return 0;
    mark_reachable(pool, 1, &n, seen);
    int r = seen[var];
    cor_free(seen);
    return r;
}
