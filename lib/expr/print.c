/* print.c -- expressions back to text that cor_expr_parse reads to the same node.
 *
 * Precedence levels: 1 sum, 2 product/quotient, 3 unary minus, 4 power, 5 atom. A
 * subexpression is parenthesised when its level is below what its position requires; the
 * requirements mirror the grammar (left-associative * and /, right-associative ^ whose
 * exponent is a unary), so reading the text back rebuilds the same canonical nodes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "expr_impl.h"

static int
q_is_int(const mpq_t q)
{
    return mpz_cmp_ui(mpq_denref(q), 1) == 0;
}

static int
q_is_pm1(const mpq_t q, int s)
{
    return q_is_int(q) && mpz_cmpabs_ui(mpq_numref(q), 1) == 0 && mpq_sgn(q) == s;
}

/* Level of a rational printed on its own: integers >= 0 are atoms, negatives unary, and
 * fractions are written "(p/q)", an atom. */
static int
q_level(const mpq_t q)
{
    if (!q_is_int(q))
        return 5;
    return mpq_sgn(q) < 0 ? 3 : 5;
}

static void
print_q(FILE *f, const mpq_t q)
{
    if (q_is_int(q))
        gmp_fprintf(f, "%Zd", mpq_numref(q));
    else
        gmp_fprintf(f, "(%Qd)", q);
}

static int
level(const cor_expr_pool *p, cor_node n)
{
    const cor_expr_node *nd = &p->nodes[n];
    switch (nd->op)
    {
    case COR_OP_CONST:
        return q_level(p->q[nd->qi]);
    case COR_OP_SUM:
        if (nd->n == 1 && mpq_sgn(p->q[nd->qi]) == 0)
        {
            const mpq_t *c = &p->q[nd->qi + 1];
            if (q_is_pm1(*c, -1))
                return 3;
            return 2;
        }
        return 1;
    case COR_OP_MUL:
    case COR_OP_DIV:
        return 2;
    case COR_OP_POW:
    case COR_OP_POWI:
        return 4;
    default:
        return 5;
    }
}

static void print_node(FILE *f, const cor_expr_pool *p, cor_node n);

static void
print_at(FILE *f, const cor_expr_pool *p, cor_node n, int need)
{
    if (level(p, n) < need)
    {
        fputc('(', f);
        print_node(f, p, n);
        fputc(')', f);
    }
    else
        print_node(f, p, n);
}

/* One term c*x of a sum; first says whether it starts the sum. */
static void
print_term(FILE *f, const cor_expr_pool *p, const mpq_t c, cor_node x, int first)
{
    mpq_t a;
    int neg = mpq_sgn(c) < 0;

    if (!first)
        fputs(neg ? " - " : " + ", f);
    else if (neg)
        fputc('-', f);
    mpq_init(a);
    mpq_abs(a, c);
    if (q_is_pm1(a, 1))
        print_at(f, p, x, first && neg ? 3 : 2);
    else
    {
        /* c*(a/b), not c*a/b: the latter reads back as (c*a)/b, which distributes c into
         * a when a is a sum, a different canonical node */
        print_q(f, a);
        fputc('*', f);
        print_at(f, p, x, 3);
    }
    mpq_clear(a);
}

static void
print_node(FILE *f, const cor_expr_pool *p, cor_node n)
{
    const cor_expr_node *nd = &p->nodes[n];
    const cor_node *k = nd->n ? &p->kids[nd->first] : NULL;

    switch ((cor_op)nd->op)
    {
    case COR_OP_CONST:
        print_q(f, p->q[nd->qi]);
        break;
    case COR_OP_VAR:
        fputs(p->var_names[nd->k], f);
        break;
    case COR_OP_PI:
        fputs("pi", f);
        break;
    case COR_OP_SUM:
        for (uint32_t i = 0; i < nd->n; i++)
            print_term(f, p, p->q[nd->qi + 1 + i], k[i], i == 0);
        if (mpq_sgn(p->q[nd->qi]) != 0)
        {
            mpq_t a;
            mpq_init(a);
            mpq_abs(a, p->q[nd->qi]);
            fputs(mpq_sgn(p->q[nd->qi]) < 0 ? " - " : " + ", f);
            print_q(f, a);
            mpq_clear(a);
        }
        break;
    case COR_OP_MUL:
        print_at(f, p, k[0], 2);
        fputc('*', f);
        print_at(f, p, k[1], 3);
        break;
    case COR_OP_DIV:
        print_at(f, p, k[0], 2);
        fputc('/', f);
        print_at(f, p, k[1], 3);
        break;
    case COR_OP_POW:
        print_at(f, p, k[0], 5);
        fputc('^', f);
        print_at(f, p, k[1], 3);
        break;
    case COR_OP_POWI:
        print_at(f, p, k[0], 5);
        fprintf(f, "^%ld", nd->k);
        break;
    case COR_OP_MIN:
    case COR_OP_MAX:
    case COR_OP_SELECT:
        fprintf(f, "%s(", cor_op_name((cor_op)nd->op));
        for (uint32_t i = 0; i < nd->n; i++)
        {
            if (i)
                fputs(", ", f);
            print_node(f, p, k[i]);
        }
        fputc(')', f);
        break;
    default:
        fprintf(f, "%s(", cor_op_name((cor_op)nd->op));
        print_node(f, p, k[0]);
        fputc(')', f);
        break;
    }
}

int
cor_expr_fprint(FILE *stream, const cor_expr_pool *pool, cor_node n)
{
    if (n == COR_NODE_NONE || n >= pool->nnodes)
        return COR_ERROR(COR_EINVAL, "cor_expr_fprint: invalid node");
    print_node(stream, pool, n);
    if (ferror(stream))
        return COR_ERROR(COR_EIO, "cannot write an expression");
    return COR_OK;
}

char *
cor_expr_to_string(const cor_expr_pool *pool, cor_node n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
    {
        COR_ERROR(COR_ENOMEM, "cannot open a memory stream");
        return NULL;
    }
    int st = cor_expr_fprint(f, pool, n);
    if (fclose(f) != 0 || st != COR_OK)
    {
        free(buf);
        if (st == COR_OK)
            COR_ERROR(COR_ENOMEM, "cannot print an expression");
        return NULL;
    }
    return buf;
}
