/* parse.c -- recursive-descent parser for loss expressions.
 *
 * The grammar is in cor_expr.h. Every error names the 1-based column of the character that
 * made the text invalid. Numbers are converted to exact rationals from their text. Nesting
 * is bounded (MAX_DEPTH) so that hostile input cannot exhaust the C stack.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "expr_impl.h"

#define MAX_DEPTH 400

typedef struct
{
    const char *s;
    size_t pos;
    size_t len;
    unsigned flags;
    int depth;
    cor_expr_pool *pool;
    int status;       /* first error */
    size_t err_col;
} parser;

static const struct
{
    const char *name;
    int op;     /* cor_op, or -1 for pow */
    int nargs;
} functions[] = {
    {"exp", COR_OP_EXP, 1},         {"log", COR_OP_LOG, 1},
    {"log1p", COR_OP_LOG1P, 1},     {"expm1", COR_OP_EXPM1, 1},
    {"sqrt", COR_OP_SQRT, 1},       {"sin", COR_OP_SIN, 1},
    {"cos", COR_OP_COS, 1},         {"tan", COR_OP_TAN, 1},
    {"tanh", COR_OP_TANH, 1},       {"sigmoid", COR_OP_SIGMOID, 1},
    {"softplus", COR_OP_SOFTPLUS, 1}, {"abs", COR_OP_ABS, 1},
    {"sign", COR_OP_SIGN, 1},       {"pow", -1, 2},
    {"min", COR_OP_MIN, 2},         {"max", COR_OP_MAX, 2},
    {"select", COR_OP_SELECT, 3},
};

static cor_node
fail(parser *P, size_t pos, int code, const char *fmt, const char *arg)
{
    if (P->status == COR_OK)
    {
        char what[640];
        snprintf(what, sizeof what, fmt, arg);
        P->status = code;
        P->err_col = pos + 1;
        COR_ERROR(code, "column %zu: %s", pos + 1, what);
    }
    return COR_NODE_NONE;
}

/* A builder returned NONE: turn its recorded error into a parse error at pos. */
static cor_node
fail_build(parser *P, size_t pos)
{
    const cor_error_record *e = cor_last_error();
    if (e->code == COR_ENOMEM)
        return fail(P, pos, COR_ENOMEM, "%s", "out of memory");
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->code ? e->msg : "invalid operation");
    return fail(P, pos, COR_EPARSE, "%s", msg);
}

static void
skip_ws(parser *P)
{
    while (P->pos < P->len && (P->s[P->pos] == ' ' || P->s[P->pos] == '\t'
                               || P->s[P->pos] == '\n' || P->s[P->pos] == '\r'))
        P->pos++;
}

static int
peek(parser *P)
{
    skip_ws(P);
    return P->pos < P->len ? (unsigned char)P->s[P->pos] : 0;
}

/* Describe the character at pos for an error message. */
static const char *
describe(parser *P, size_t pos, char *buf, size_t n)
{
    if (pos >= P->len)
        return "end of input";
    unsigned char c = (unsigned char)P->s[pos];
    if (c == 0)
        snprintf(buf, n, "a NUL byte");
    else if (isprint(c))
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "byte 0x%02x", c);
    return buf;
}

static cor_node unexpected(parser *P, const char *context)
{
    char buf[32], msg[128];
    snprintf(msg, sizeof msg, "unexpected %s%s", describe(P, P->pos, buf, sizeof buf),
             context);
    return fail(P, P->pos, COR_EPARSE, "%s", msg);
}

static cor_node parse_sum(parser *P);
static cor_node parse_unary(parser *P);

static cor_node
parse_number(parser *P)
{
    size_t start = P->pos, i = P->pos;
    const char *s = P->s;
    while (i < P->len && isdigit((unsigned char)s[i]))
        i++;
    if (i < P->len && s[i] == '.')
    {
        i++;
        while (i < P->len && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i < P->len && (s[i] == 'e' || s[i] == 'E'))
    {
        size_t j = i + 1;
        if (j < P->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < P->len && isdigit((unsigned char)s[j]))
        {
            while (j < P->len && isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    if (i == start + 1 && s[start] == '.')
        return fail(P, start, COR_EPARSE, "%s", "'.' is not a number");
    mpq_t q;
    mpq_init(q);
    if (cor_expr_decimal_to_q_internal(q, s + start, i - start))
    {
        mpq_clear(q);
        return fail(P, start, COR_EPARSE, "%s",
                    "invalid number (exponents are limited to 100000 in magnitude)");
    }
    P->pos = i;
    cor_node r = cor_expr_const_q(P->pool, q);
    mpq_clear(q);
    return r == COR_NODE_NONE ? fail_build(P, start) : r;
}

static cor_node
parse_call(parser *P, size_t fi, size_t name_pos)
{
    cor_node args[3];
    int n = 0;
    P->pos++; /* '(' */
    if (peek(P) == ')')
    {
        char msg[96];
        snprintf(msg, sizeof msg, "function '%s' takes %d argument%s, got none",
                 functions[fi].name, functions[fi].nargs, functions[fi].nargs > 1 ? "s" : "");
        return fail(P, P->pos, COR_EPARSE, "%s", msg);
    }
    for (;;)
    {
        size_t arg_pos;
        peek(P);
        arg_pos = P->pos;
        cor_node a = parse_sum(P);
        if (a == COR_NODE_NONE)
            return a;
        if (n == functions[fi].nargs)
        {
            char msg[96];
            snprintf(msg, sizeof msg, "function '%s' takes %d argument%s, got more",
                     functions[fi].name, functions[fi].nargs,
                     functions[fi].nargs > 1 ? "s" : "");
            return fail(P, arg_pos, COR_EPARSE, "%s", msg);
        }
        args[n++] = a;
        int c = peek(P);
        if (c == ',')
        {
            P->pos++;
            continue;
        }
        if (c == ')')
        {
            P->pos++;
            break;
        }
        return unexpected(P, ", expected ',' or ')'");
    }
    if (n != functions[fi].nargs)
    {
        char msg[96];
        snprintf(msg, sizeof msg, "function '%s' takes %d argument%s, got %d",
                 functions[fi].name, functions[fi].nargs, functions[fi].nargs > 1 ? "s" : "",
                 n);
        return fail(P, P->pos - 1, COR_EPARSE, "%s", msg);
    }
    cor_node r;
    int op = functions[fi].op;
    if (op == -1)
        r = cor_expr_pow(P->pool, args[0], args[1]);
    else if (op == COR_OP_MIN || op == COR_OP_MAX)
        r = cor_expr_binary(P->pool, (cor_op)op, args[0], args[1]);
    else if (op == COR_OP_SELECT)
        r = cor_expr_select(P->pool, args[0], args[1], args[2]);
    else
        r = cor_expr_unary(P->pool, (cor_op)op, args[0]);
    return r == COR_NODE_NONE ? fail_build(P, name_pos) : r;
}

static cor_node
parse_atom(parser *P)
{
    int c = peek(P);
    size_t start = P->pos;

    if (c == 0)
        return fail(P, start, COR_EPARSE, "%s", "unexpected end of input, expected a value");
    if (isdigit(c) || c == '.')
        return parse_number(P);
    if (c == '(')
    {
        P->pos++;
        if (++P->depth > MAX_DEPTH)
            return fail(P, start, COR_EPARSE, "%s", "expression nested too deeply");
        if (peek(P) == ')')
            return fail(P, P->pos, COR_EPARSE, "%s", "empty parentheses");
        cor_node r = parse_sum(P);
        P->depth--;
        if (r == COR_NODE_NONE)
            return r;
        if (peek(P) != ')')
        {
            if (P->pos >= P->len)
                return fail(P, start, COR_EPARSE, "%s", "'(' is never closed");
            return unexpected(P, ", expected ')'");
        }
        P->pos++;
        return r;
    }
    if (isalpha(c) || c == '_')
    {
        char name[64];
        size_t i = start;
        while (i < P->len && (isalnum((unsigned char)P->s[i]) || P->s[i] == '_'))
            i++;
        if (i - start >= sizeof name)
            return fail(P, start, COR_EPARSE, "%s", "name longer than 63 characters");
        memcpy(name, P->s + start, i - start);
        name[i - start] = 0;
        P->pos = i;
        for (size_t f = 0; f < sizeof functions / sizeof functions[0]; f++)
            if (!strcmp(name, functions[f].name))
            {
                if (peek(P) != '(')
                    return fail(P, start, COR_EPARSE, "function '%s' needs '(' after it",
                                name);
                if (++P->depth > MAX_DEPTH)
                    return fail(P, start, COR_EPARSE, "%s", "expression nested too deeply");
                cor_node r = parse_call(P, f, start);
                P->depth--;
                return r;
            }
        if (peek(P) == '(')
            return fail(P, start, COR_EPARSE, "unknown function '%s'", name);
        if (!strcmp(name, "pi"))
            return cor_expr_pi(P->pool);
        if (!strcmp(name, "e"))
            return cor_expr_unary(P->pool, COR_OP_EXP, cor_expr_const_si(P->pool, 1));
        cor_node v = cor_expr_var_lookup(P->pool, name);
        if (v != COR_NODE_NONE)
            return v;
        if (P->flags & COR_PARSE_KNOWN_VARS)
            return fail(P, start, COR_EPARSE, "unknown variable '%s'", name);
        v = cor_expr_var(P->pool, name);
        return v == COR_NODE_NONE ? fail_build(P, start) : v;
    }
    if (c == ')')
        return unexpected(P, ", expected a value");
    return unexpected(P, "");
}

/* power := atom (('^' | '**') unary)? */
static cor_node
parse_power(parser *P)
{
    cor_node a = parse_atom(P);
    if (a == COR_NODE_NONE)
        return a;
    int c = peek(P);
    size_t op_pos = P->pos;
    if (c == '^' || (c == '*' && P->pos + 1 < P->len && P->s[P->pos + 1] == '*'))
    {
        P->pos += c == '^' ? 1 : 2;
        if (++P->depth > MAX_DEPTH)
            return fail(P, op_pos, COR_EPARSE, "%s", "expression nested too deeply");
        cor_node b = parse_unary(P);
        P->depth--;
        if (b == COR_NODE_NONE)
            return b;
        cor_node r = cor_expr_pow(P->pool, a, b);
        return r == COR_NODE_NONE ? fail_build(P, op_pos) : r;
    }
    return a;
}

static cor_node
parse_unary(parser *P)
{
    int c = peek(P);
    if (c == '-' || c == '+')
    {
        size_t op_pos = P->pos;
        P->pos++;
        if (++P->depth > MAX_DEPTH)
            return fail(P, op_pos, COR_EPARSE, "%s", "expression nested too deeply");
        cor_node a = parse_unary(P);
        P->depth--;
        if (a == COR_NODE_NONE || c == '+')
            return a;
        cor_node r = cor_expr_neg(P->pool, a);
        return r == COR_NODE_NONE ? fail_build(P, op_pos) : r;
    }
    return parse_power(P);
}

static cor_node
parse_product(parser *P)
{
    cor_node a = parse_unary(P);
    while (a != COR_NODE_NONE)
    {
        int c = peek(P);
        size_t op_pos = P->pos;
        if (c == '*' && !(P->pos + 1 < P->len && P->s[P->pos + 1] == '*'))
        {
            P->pos++;
            cor_node b = parse_unary(P);
            if (b == COR_NODE_NONE)
                return b;
            a = cor_expr_mul(P->pool, a, b);
        }
        else if (c == '/')
        {
            P->pos++;
            cor_node b = parse_unary(P);
            if (b == COR_NODE_NONE)
                return b;
            a = cor_expr_div(P->pool, a, b);
        }
        else
            return a;
        if (a == COR_NODE_NONE)
            return fail_build(P, op_pos);
    }
    return a;
}

/* sum := product (('+'|'-') product)*, built as one n-ary SUM. */
static cor_node
parse_sum(parser *P)
{
    cor_node *terms = NULL;
    mpq_t *cs = NULL;
    size_t n = 0, cap = 0;
    cor_node r = COR_NODE_NONE;
    int sign = 1;
    size_t start;

    peek(P);
    start = P->pos;
    for (;;)
    {
        cor_node t = parse_product(P);
        if (t == COR_NODE_NONE)
            goto done;
        if (n == cap)
        {
            size_t nc = cap ? 2 * cap : 8;
            cor_node *nt = cor_realloc(terms, nc * sizeof *nt);
            if (!nt)
                goto nomem;
            terms = nt;
            mpq_t *ncs = cor_realloc(cs, nc * sizeof *ncs);
            if (!ncs)
                goto nomem;
            cs = ncs;
            cap = nc;
        }
        terms[n] = t;
        mpq_init(cs[n]);
        mpq_set_si(cs[n], sign, 1);
        n++;
        int c = peek(P);
        if (c != '+' && c != '-')
            break;
        sign = c == '-' ? -1 : 1;
        P->pos++;
    }
    r = n == 1 ? terms[0] : cor_expr_sum(P->pool, n, terms, (const mpq_t *)cs, NULL);
    if (r == COR_NODE_NONE)
        fail_build(P, start);
    goto done;
nomem:
    fail(P, P->pos, COR_ENOMEM, "%s", "out of memory");
done:
    for (size_t i = 0; i < n; i++)
        mpq_clear(cs[i]);
    cor_free(terms);
    cor_free(cs);
    return r;
}

int
cor_expr_parse(cor_node *out, size_t *err_col, const char *text, unsigned flags,
               cor_expr_pool *pool)
{
    parser P = {text, 0, 0, flags, 0, pool, COR_OK, 0};

    if (!text || !pool)
        return COR_ERROR(COR_EINVAL, "cor_expr_parse: NULL argument");
    P.len = strlen(text);
    if (peek(&P) == 0)
    {
        if (err_col)
            *err_col = P.pos + 1;
        return COR_ERROR(COR_EPARSE, "column %zu: empty expression", P.pos + 1);
    }
    cor_node r = parse_sum(&P);
    if (r != COR_NODE_NONE && peek(&P) != 0)
    {
        char buf[32], msg[128];
        snprintf(msg, sizeof msg, "unexpected %s after the end of the expression",
                 describe(&P, P.pos, buf, sizeof buf));
        fail(&P, P.pos, COR_EPARSE, "%s", msg);
        r = COR_NODE_NONE;
    }
    if (r == COR_NODE_NONE)
    {
        if (P.status == COR_OK) /* a builder failed without a position */
            fail_build(&P, 0);
        if (err_col)
            *err_col = P.err_col;
        return P.status;
    }
    *out = r;
    return COR_OK;
}
