/* diff.c -- symbolic reverse-mode differentiation on the expression DAG.
 *
 * Why one reverse sweep gives every partial derivative: order the nodes reachable from f
 * topologically (children before parents). The adjoint of a node u is
 *     adj(u) = sum over parents w of adj(w) * d w / d u,
 * which only involves parents, all later in the order; so visiting nodes from f down to the
 * leaves, the adjoint of each node is complete when it is visited, and adj(x_i) = df/dx_i.
 * Contributions are collected per node as (rational coefficient, expression) pairs and
 * combined into one n-ary SUM when the node is visited, so the result stays O(|f|) nodes
 * and its linear parts stay one node each.
 *
 * Only nodes that depend on the differentiation variables receive adjoints (the rest have
 * zero derivative), which keeps derivatives with respect to a subset of variables small.
 */
#include <stdlib.h>
#include <string.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_sys.h"
#include "expr_impl.h"

typedef struct
{
    cor_node x;
    mpq_t c;
    uint32_t next; /* next contribution of the same node, UINT32_MAX ends the list */
} contrib;

typedef struct
{
    contrib *c;
    size_t n, cap;
    uint32_t *head; /* per node */
} adjoints;

static int
push(adjoints *A, cor_node target, long num, long den, cor_node x)
{
    if (x == COR_NODE_NONE)
        return -1;
    if (A->n == A->cap)
    {
        size_t nc = A->cap ? 2 * A->cap : 256;
        contrib *nb = cor_realloc(A->c, nc * sizeof *nb);
        if (!nb)
            return -1;
        A->c = nb;
        A->cap = nc;
    }
    contrib *e = &A->c[A->n];
    e->x = x;
    mpq_init(e->c);
    mpq_set_si(e->c, num, (unsigned long)den);
    e->next = A->head[target];
    A->head[target] = (uint32_t)A->n++;
    return 0;
}

static int
push_q(adjoints *A, cor_node target, const mpq_t q, cor_node x)
{
    if (push(A, target, 1, 1, x))
        return -1;
    mpq_set(A->c[A->n - 1].c, q);
    return 0;
}

/* Topological order (children first) of the nodes reachable from root. */
static cor_node *
topo_order(const cor_expr_pool *p, cor_node root, size_t *count)
{
    size_t nn = p->nnodes, top = 0, cnt = 0;
    unsigned char *state = cor_calloc(nn, 1); /* 0 new, 1 on stack, 2 done */
    cor_node *order = cor_mallocarray(nn, sizeof *order);
    cor_node *stack = cor_mallocarray(nn, sizeof *stack);
    uint32_t *child = cor_mallocarray(nn, sizeof *child);

    if (!state || !order || !stack || !child)
        goto fail;
    stack[top] = root;
    child[top++] = 0;
    state[root] = 1;
    while (top)
    {
        cor_node v = stack[top - 1];
        const cor_expr_node *nd = &p->nodes[v];
        if (child[top - 1] < nd->n)
        {
            cor_node w = p->kids[nd->first + child[top - 1]++];
            if (state[w] == 0)
            {
                state[w] = 1;
                stack[top] = w;
                child[top++] = 0;
            }
            continue;
        }
        state[v] = 2;
        order[cnt++] = v;
        top--;
    }
    cor_free(state);
    cor_free(stack);
    cor_free(child);
    *count = cnt;
    return order;
fail:
    cor_free(state);
    cor_free(order);
    cor_free(stack);
    cor_free(child);
    return NULL;
}

/* Builds the sum of the contributions collected for node v. */
static cor_node
collect(cor_expr_pool *p, adjoints *A, cor_node v)
{
    size_t m = 0;
    for (uint32_t i = A->head[v]; i != UINT32_MAX; i = A->c[i].next)
        m++;
    if (m == 0)
        return COR_NODE_NONE;
    cor_node *xs = cor_mallocarray(m, sizeof *xs);
    mpq_t *cs = cor_mallocarray(m, sizeof *cs);
    cor_node r = COR_NODE_NONE;
    if (xs && cs)
    {
        size_t j = 0;
        for (uint32_t i = A->head[v]; i != UINT32_MAX; i = A->c[i].next, j++)
        {
            xs[j] = A->c[i].x;
            cs[j][0] = A->c[i].c[0]; /* shallow: cor_expr_sum copies */
        }
        r = cor_expr_sum(p, m, xs, (const mpq_t *)cs, NULL);
    }
    cor_free(xs);
    cor_free(cs);
    return r;
}

int
cor_diff_grad(cor_node *grad, cor_expr_pool *pool, cor_node f, size_t n, const cor_node *vars)
{
    int status = COR_OK;
    size_t cnt = 0;
    cor_node *order = NULL;
    unsigned char *dep = NULL;
    adjoints A = {NULL, 0, 0, NULL};

    if (f == COR_NODE_NONE || f >= pool->nnodes)
        return COR_ERROR(COR_EINVAL, "cor_diff_grad: invalid function node");
    for (size_t i = 0; i < n; i++)
        if (vars[i] >= pool->nnodes || pool->nodes[vars[i]].op != COR_OP_VAR)
            return COR_ERROR(COR_EINVAL, "cor_diff_grad: argument %zu is not a variable", i);

    order = topo_order(pool, f, &cnt);
    size_t nn0 = pool->nnodes; /* nodes created below are not in the order */
    dep = cor_calloc(nn0, 1);
    A.head = cor_mallocarray(nn0, sizeof *A.head);
    if (!order || !dep || !A.head)
    {
        status = COR_ENOMEM;
        goto done;
    }
    memset(A.head, 0xff, nn0 * sizeof *A.head);
    for (size_t i = 0; i < n; i++)
        dep[vars[i]] = 1;
    for (size_t i = 0; i < cnt; i++)
    {
        cor_node v = order[i];
        const cor_expr_node *nd = &pool->nodes[v];
        for (uint32_t j = 0; j < nd->n && !dep[v]; j++)
            if (dep[pool->kids[nd->first + j]])
                dep[v] = 1;
    }

    if (dep[f] && push(&A, f, 1, 1, cor_expr_const_si(pool, 1)))
    {
        status = COR_ENOMEM;
        goto done;
    }
    for (size_t i = cnt; i-- > 0;)
    {
        cor_node v = order[i];
        if (!dep[v] || pool->nodes[v].op == COR_OP_VAR)
            continue;
        cor_node a = collect(pool, &A, v);
        if (a == COR_NODE_NONE)
        {
            if (A.head[v] != UINT32_MAX)
            {
                status = cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
                goto done;
            }
            continue; /* not on a path to f */
        }
        /* copy the node: builders below may move the pool's arrays */
        cor_expr_node nd = pool->nodes[v];
        cor_node k0 = nd.n > 0 ? pool->kids[nd.first] : COR_NODE_NONE;
        cor_node k1 = nd.n > 1 ? pool->kids[nd.first + 1] : COR_NODE_NONE;
        cor_node k2 = nd.n > 2 ? pool->kids[nd.first + 2] : COR_NODE_NONE;
        cor_node zero = cor_expr_const_si(pool, 0);
        cor_node one = cor_expr_const_si(pool, 1);
        int e = 0;
        switch ((cor_op)nd.op)
        {
        case COR_OP_SUM:
            for (uint32_t j = 0; j < nd.n && !e; j++)
            {
                cor_node kj = pool->kids[nd.first + j];
                if (dep[kj])
                {
                    mpq_t q;
                    mpq_init(q);
                    mpq_set(q, pool->q[nd.qi + 1 + j]);
                    e = push_q(&A, kj, q, a);
                    mpq_clear(q);
                }
            }
            break;
        case COR_OP_MUL:
            if (dep[k0])
                e |= push(&A, k0, 1, 1, cor_expr_mul(pool, a, k1));
            if (dep[k1])
                e |= push(&A, k1, 1, 1, cor_expr_mul(pool, a, k0));
            break;
        case COR_OP_DIV:
            if (dep[k0])
                e |= push(&A, k0, 1, 1, cor_expr_div(pool, a, k1));
            if (dep[k1])
                e |= push(&A, k1, -1, 1, cor_expr_div(pool, cor_expr_mul(pool, a, v), k1));
            break;
        case COR_OP_POWI:
            if (nd.k > (long)INT32_MAX || nd.k < -(long)INT32_MAX)
            {
                mpq_t q;
                mpq_init(q);
                mpq_set_si(q, nd.k, 1);
                e |= push_q(&A, k0, q, cor_expr_mul(pool, a, cor_expr_powi(pool, k0, nd.k - 1)));
                mpq_clear(q);
            }
            else
                e |= push(&A, k0, nd.k, 1,
                          cor_expr_mul(pool, a, cor_expr_powi(pool, k0, nd.k - 1)));
            break;
        case COR_OP_POW:
            if (dep[k0])
            {
                if (cor_expr_is_const(pool, k1))
                {
                    mpq_t q;
                    mpq_init(q);
                    cor_expr_const_get(q, pool, k1);
                    mpq_t q1;
                    mpq_init(q1);
                    mpq_set_si(q1, 1, 1);
                    mpq_sub(q1, q, q1);
                    cor_node pw = cor_expr_pow(pool, k0, cor_expr_const_q(pool, q1));
                    e |= push_q(&A, k0, q, cor_expr_mul(pool, a, pw));
                    mpq_clear(q);
                    mpq_clear(q1);
                }
                else
                    e |= push(&A, k0, 1, 1,
                              cor_expr_mul(pool, a,
                                           cor_expr_div(pool, cor_expr_mul(pool, k1, v), k0)));
            }
            if (dep[k1])
                e |= push(&A, k1, 1, 1,
                          cor_expr_mul(pool, a,
                                       cor_expr_mul(pool, v,
                                                    cor_expr_unary(pool, COR_OP_LOG, k0))));
            break;
        case COR_OP_EXP:
            e |= push(&A, k0, 1, 1, cor_expr_mul(pool, a, v));
            break;
        case COR_OP_LOG:
            e |= push(&A, k0, 1, 1, cor_expr_div(pool, a, k0));
            break;
        case COR_OP_LOG1P:
            e |= push(&A, k0, 1, 1, cor_expr_div(pool, a, cor_expr_add(pool, one, k0)));
            break;
        case COR_OP_EXPM1:
            e |= push(&A, k0, 1, 1, cor_expr_mul(pool, a, cor_expr_unary(pool, COR_OP_EXP, k0)));
            break;
        case COR_OP_SQRT:
            e |= push(&A, k0, 1, 2, cor_expr_div(pool, a, v));
            break;
        case COR_OP_SIN:
            e |= push(&A, k0, 1, 1, cor_expr_mul(pool, a, cor_expr_unary(pool, COR_OP_COS, k0)));
            break;
        case COR_OP_COS:
            e |= push(&A, k0, -1, 1,
                      cor_expr_mul(pool, a, cor_expr_unary(pool, COR_OP_SIN, k0)));
            break;
        case COR_OP_TAN:
            e |= push(&A, k0, 1, 1,
                      cor_expr_mul(pool, a, cor_expr_add(pool, one, cor_expr_powi(pool, v, 2))));
            break;
        case COR_OP_TANH:
            e |= push(&A, k0, 1, 1,
                      cor_expr_mul(pool, a, cor_expr_sub(pool, one, cor_expr_powi(pool, v, 2))));
            break;
        case COR_OP_SIGMOID:
            /* s'(u) = s(u) s(-u): no cancellation, unlike s (1 - s) */
            e |= push(&A, k0, 1, 1,
                      cor_expr_mul(pool, a,
                                   cor_expr_mul(pool, v,
                                                cor_expr_unary(pool, COR_OP_SIGMOID,
                                                               cor_expr_neg(pool, k0)))));
            break;
        case COR_OP_SOFTPLUS:
            e |= push(&A, k0, 1, 1,
                      cor_expr_mul(pool, a, cor_expr_unary(pool, COR_OP_SIGMOID, k0)));
            break;
        case COR_OP_ABS:
            e |= push(&A, k0, 1, 1, cor_expr_mul(pool, a, cor_expr_unary(pool, COR_OP_SIGN, k0)));
            break;
        case COR_OP_MIN:
        case COR_OP_MAX:
        {
            /* min takes a when b - a >= 0; max takes a when a - b >= 0 */
            cor_node cond = nd.op == COR_OP_MIN ? cor_expr_sub(pool, k1, k0)
                                                : cor_expr_sub(pool, k0, k1);
            if (dep[k0])
                e |= push(&A, k0, 1, 1, cor_expr_select(pool, cond, a, zero));
            if (dep[k1])
                e |= push(&A, k1, 1, 1, cor_expr_select(pool, cond, zero, a));
            break;
        }
        case COR_OP_SELECT:
            if (dep[k1])
                e |= push(&A, k1, 1, 1, cor_expr_select(pool, k0, a, zero));
            if (dep[k2])
                e |= push(&A, k2, 1, 1, cor_expr_select(pool, k0, zero, a));
            break;
        default: /* SIGN, constants: derivative 0 */
            break;
        }
        if (e)
        {
            status = cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++)
    {
        cor_node g = COR_NODE_NONE;
        if (vars[i] < nn0 && A.head[vars[i]] != UINT32_MAX)
            g = collect(pool, &A, vars[i]);
        else
            g = cor_expr_const_si(pool, 0);
        if (g == COR_NODE_NONE)
        {
            status = COR_ENOMEM;
            goto done;
        }
        grad[i] = g;
    }
done:
    for (size_t i = 0; i < A.n; i++)
        mpq_clear(A.c[i].c);
    cor_free(A.c);
    cor_free(A.head);
    cor_free(dep);
    cor_free(order);
    return status;
}

int
cor_diff_dir(cor_node *out, cor_expr_pool *pool, cor_node f, size_t n, const cor_node *vars,
             const cor_node *dir)
{
    cor_node *g = cor_mallocarray(n ? n : 1, sizeof *g);
    cor_node *t = cor_mallocarray(n ? n : 1, sizeof *t);
    int st = COR_ENOMEM;
    if (g && t)
    {
        st = cor_diff_grad(g, pool, f, n, vars);
        if (st == COR_OK)
        {
            for (size_t i = 0; i < n; i++)
                t[i] = cor_expr_mul(pool, g[i], dir[i]);
            cor_node s = cor_expr_sum(pool, n, t, NULL, NULL);
            if (s == COR_NODE_NONE)
                st = COR_ENOMEM;
            else
                *out = s;
        }
    }
    cor_free(g);
    cor_free(t);
    return st;
}

/* grad of sum_j w[j] * v[j] (v NULL: v = w, with weight 1/2). */
static int
grad_of_dot(cor_node *out, cor_expr_pool *pool, const cor_node *w, const cor_node *v,
            size_t n, const cor_node *vars)
{
    cor_node *t = cor_mallocarray(n ? n : 1, sizeof *t);
    if (!t)
        return COR_ENOMEM;
    for (size_t i = 0; i < n; i++)
        t[i] = v ? cor_expr_mul(pool, w[i], v[i]) : cor_expr_powi(pool, w[i], 2);
    cor_node s = cor_expr_sum(pool, n, t, NULL, NULL);
    cor_free(t);
    if (s == COR_NODE_NONE)
        return cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
    if (!v)
    {
        mpq_t h;
        mpq_init(h);
        mpq_set_si(h, 1, 2);
        s = cor_expr_scale(pool, h, s);
        mpq_clear(h);
        if (s == COR_NODE_NONE)
            return COR_ENOMEM;
    }
    return cor_diff_grad(out, pool, s, n, vars);
}

/* Uses grad if given, else computes it into a temporary. */
static int
with_grad(cor_node **g, cor_node **own, cor_expr_pool *pool, cor_node f, const cor_node *grad,
          size_t n, const cor_node *vars)
{
    *own = NULL;
    if (grad)
    {
        *g = (cor_node *)grad;
        return COR_OK;
    }
    *own = cor_mallocarray(n ? n : 1, sizeof **own);
    if (!*own)
        return COR_ENOMEM;
    *g = *own;
    return cor_diff_grad(*own, pool, f, n, vars);
}

int
cor_diff_hvp(cor_node *hv, cor_expr_pool *pool, cor_node f, const cor_node *grad, size_t n,
             const cor_node *vars, const cor_node *v)
{
    cor_node *g, *own;
    int st = with_grad(&g, &own, pool, f, grad, n, vars);
    if (st == COR_OK)
        st = grad_of_dot(hv, pool, g, v, n, vars);
    cor_free(own);
    return st;
}

int
cor_diff_hg(cor_node *hg, cor_expr_pool *pool, cor_node f, const cor_node *grad, size_t n,
            const cor_node *vars)
{
    cor_node *g, *own;
    int st = with_grad(&g, &own, pool, f, grad, n, vars);
    if (st == COR_OK)
        st = grad_of_dot(hg, pool, g, NULL, n, vars);
    cor_free(own);
    return st;
}

int
cor_diff_hessian(cor_node *hess, cor_expr_pool *pool, cor_node f, const cor_node *grad,
                 size_t n, const cor_node *vars)
{
    cor_node *g, *own;
    int st = with_grad(&g, &own, pool, f, grad, n, vars);
    for (size_t i = 0; i < n && st == COR_OK; i++)
        st = cor_diff_grad(hess + i * n, pool, g[i], n, vars);
    cor_free(own);
    return st;
}

int
cor_diff_grad_norm2(cor_node *out, cor_expr_pool *pool, cor_node f, const cor_node *grad,
                    size_t n, const cor_node *vars)
{
    cor_node *g, *own;
    int st = with_grad(&g, &own, pool, f, grad, n, vars);
    if (st == COR_OK)
    {
        cor_node *t = cor_mallocarray(n ? n : 1, sizeof *t);
        if (!t)
            st = COR_ENOMEM;
        else
        {
            for (size_t i = 0; i < n; i++)
                t[i] = cor_expr_powi(pool, g[i], 2);
            cor_node s = cor_expr_sum(pool, n, t, NULL, NULL);
            if (s == COR_NODE_NONE)
                st = COR_ENOMEM;
            else
                *out = s;
            cor_free(t);
        }
    }
    cor_free(own);
    return st;
}
