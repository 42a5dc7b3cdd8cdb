/* cor_expr.h -- loss expressions as hash-consed DAGs with exact rational constants.
 *
 * An expression lives in a pool (cor_expr_pool). A node is a small integer handle
 * (cor_node) valid only with its pool. Nodes are immutable and hash-consed: building the
 * same operation on the same children twice returns the same handle, so shared
 * subexpressions are stored once and node equality is handle equality.
 *
 * Constants are exact rationals (GMP mpq). A decimal literal such as 0.1 or 1.25e-3 is read
 * as the exact fraction its text denotes, so that an evaluation at p bits rounds it once,
 * correctly, at p bits (0.1 at 1024 bits is 0.1 to about 300 digits). Arithmetic between
 * constants is folded exactly. pi is a symbol, rounded at evaluation time.
 *
 * Canonical forms kept by the builders (so that derivatives stay small):
 *  - Linear combinations are one n-ary node, COR_OP_SUM: c0 + sum_k c_k * x_k with rational
 *    c_k != 0, children sorted by handle and like terms merged. a - b, -a and 3*a are SUMs.
 *  - A product with a constant factor pulls the constant into a SUM coefficient.
 *  - Integer powers are COR_OP_POWI (x^2, x^-1); x^y with non-integer y is COR_OP_POW.
 *  - Identities x+0, 1*x, 0*x (-> 0), x^1, x^0 (-> 1) are applied.
 *
 * Errors: a builder returns COR_NODE_NONE and records an error (cor_last_error) on failure
 * (out of memory, a constant division by zero, an invalid argument). Every builder accepts
 * COR_NODE_NONE as an input and returns COR_NODE_NONE without recording anything new, so a
 * chain of builders can be checked once at its end.
 *
 * Threads: a pool is not thread safe; distinct pools are independent.
 */
#ifndef COR_EXPR_H
#define COR_EXPR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gmp.h>

#include "cor_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_expr_pool cor_expr_pool;
typedef uint32_t cor_node;
#define COR_NODE_NONE ((cor_node)UINT32_MAX)

/* Operations. The comment gives the children (a, b, c) and the meaning. */
typedef enum
{
    COR_OP_CONST = 0, /* exact rational constant */
    COR_OP_VAR,       /* variable number k (cor_expr_var_index) */
    COR_OP_PI,        /* the constant pi */
    COR_OP_SUM,       /* c0 + sum_k c_k * x_k, n >= 1 children */
    COR_OP_MUL,       /* a * b (neither a constant) */
    COR_OP_DIV,       /* a / b */
    COR_OP_POW,       /* a ^ b, real power: exp(b log a), a > 0 (b constant non-integer allowed) */
    COR_OP_POWI,      /* a ^ k for an integer k != 0, 1 (cor_expr_powi_exponent) */
    COR_OP_EXP,
    COR_OP_LOG,
    COR_OP_LOG1P,
    COR_OP_EXPM1,
    COR_OP_SQRT,
    COR_OP_SIN,
    COR_OP_COS,
    COR_OP_TAN,
    COR_OP_TANH,
    COR_OP_SIGMOID,   /* 1 / (1 + exp(-a)) */
    COR_OP_SOFTPLUS,  /* log(1 + exp(a)) */
    COR_OP_ABS,
    COR_OP_SIGN,      /* -1, 0, +1 (derivative of abs; its own derivative is taken as 0) */
    COR_OP_MIN,       /* min(a, b) */
    COR_OP_MAX,       /* max(a, b) */
    COR_OP_SELECT,    /* a >= 0 ? b : c (derivatives of min/max; derivative 0 in a) */
    COR_OP_COUNT_
} cor_op;

/* ---- pools ---------------------------------------------------------------------------- */

/* A new empty pool, or NULL (COR_ENOMEM). */
cor_expr_pool *cor_expr_pool_alloc(void);
/* Frees the pool and every node in it. NULL is a no-op. */
void cor_expr_pool_free(cor_expr_pool *pool);
/* Number of nodes stored in the pool (all expressions together). */
size_t cor_expr_pool_size(const cor_expr_pool *pool);

/* ---- variables ------------------------------------------------------------------------ */

/* The variable called name, created if the pool has none of that name. Names are
 * identifiers ([A-Za-z_][A-Za-z0-9_]*) other than the reserved words (function names, pi,
 * e); COR_EINVAL otherwise. Variables are numbered 0, 1, ... in order of creation. */
cor_node cor_expr_var(cor_expr_pool *pool, const char *name);
/* The variable called name if it exists, else COR_NODE_NONE (nothing recorded). */
cor_node cor_expr_var_lookup(const cor_expr_pool *pool, const char *name);
size_t cor_expr_nvars(const cor_expr_pool *pool);
/* Node of variable k (0 <= k < nvars), name of variable k, and index of a VAR node. */
cor_node cor_expr_var_node(const cor_expr_pool *pool, size_t k);
const char *cor_expr_var_name(const cor_expr_pool *pool, size_t k);
size_t cor_expr_var_index(const cor_expr_pool *pool, cor_node var);

/* ---- constants ------------------------------------------------------------------------ */

cor_node cor_expr_const_q(cor_expr_pool *pool, const mpq_t q);
cor_node cor_expr_const_si(cor_expr_pool *pool, long n);
/* num/den, den != 0 (COR_EINVAL otherwise). */
cor_node cor_expr_const_frac(cor_expr_pool *pool, long num, long den);
/* The exact value of a decimal literal: digits, optional '.', optional exponent
 * ([eE][+-]?digits), optional leading sign, e.g. "-1.25e-3" = -1/800. COR_EPARSE if the
 * whole string is not such a literal. */
cor_node cor_expr_const_str(cor_expr_pool *pool, const char *text);
cor_node cor_expr_pi(cor_expr_pool *pool);
/* Nonzero when n is a COR_OP_CONST node; cor_expr_const_get writes its value. */
int cor_expr_is_const(const cor_expr_pool *pool, cor_node n);
void cor_expr_const_get(mpq_t out, const cor_expr_pool *pool, cor_node n);

/* ---- builders ------------------------------------------------------------------------- */

cor_node cor_expr_add(cor_expr_pool *pool, cor_node a, cor_node b);
cor_node cor_expr_sub(cor_expr_pool *pool, cor_node a, cor_node b);
cor_node cor_expr_mul(cor_expr_pool *pool, cor_node a, cor_node b);
cor_node cor_expr_div(cor_expr_pool *pool, cor_node a, cor_node b);
cor_node cor_expr_neg(cor_expr_pool *pool, cor_node a);
/* q * a for a rational q. */
cor_node cor_expr_scale(cor_expr_pool *pool, const mpq_t q, cor_node a);
/* c0 + sum_{k<n} c[k] * x[k]; c == NULL means all coefficients 1, c0 == NULL means 0. */
cor_node cor_expr_sum(cor_expr_pool *pool, size_t n, const cor_node *x, const mpq_t *c,
                      const mpq_t c0);
/* a ^ b. With b an integer constant this is cor_expr_powi; with both constant and the
 * result rational (integer exponent) it is folded. */
cor_node cor_expr_pow(cor_expr_pool *pool, cor_node a, cor_node b);
cor_node cor_expr_powi(cor_expr_pool *pool, cor_node a, long k);
/* A one-argument function: op is one of COR_OP_EXP ... COR_OP_SIGN. */
cor_node cor_expr_unary(cor_expr_pool *pool, cor_op op, cor_node a);
/* op is COR_OP_MIN or COR_OP_MAX. */
cor_node cor_expr_binary(cor_expr_pool *pool, cor_op op, cor_node a, cor_node b);
/* cond >= 0 ? a : b */
cor_node cor_expr_select(cor_expr_pool *pool, cor_node cond, cor_node a, cor_node b);

/* ---- introspection -------------------------------------------------------------------- */

cor_op cor_expr_op(const cor_expr_pool *pool, cor_node n);
size_t cor_expr_nchildren(const cor_expr_pool *pool, cor_node n);
cor_node cor_expr_child(const cor_expr_pool *pool, cor_node n, size_t i);
/* For a SUM: coefficient of child i, and the constant term c0. */
void cor_expr_sum_coef(mpq_t out, const cor_expr_pool *pool, cor_node n, size_t i);
void cor_expr_sum_c0(mpq_t out, const cor_expr_pool *pool, cor_node n);
/* For a POWI: the integer exponent. */
long cor_expr_powi_exponent(const cor_expr_pool *pool, cor_node n);
/* Name of an operation as written in expressions ("exp", "sigmoid", "+", ...). */
const char *cor_op_name(cor_op op);
/* Number of distinct nodes reachable from the n roots (the DAG size). */
size_t cor_expr_dag_size(const cor_expr_pool *pool, size_t n, const cor_node *roots);
/* Nonzero when the expression depends on variable node var. */
int cor_expr_depends_on(const cor_expr_pool *pool, cor_node n, cor_node var);

/* ---- parsing and printing ------------------------------------------------------------- */

/* Flags for cor_expr_parse. */
enum
{
    COR_PARSE_KNOWN_VARS = 1u << 0 /* an identifier that is not yet a variable is an error */
};

/* Parses text into *out. Grammar (usual precedence; ^ is right associative and binds
 * tighter than unary minus, so -x^2 = -(x^2)):
 *   expr   := term (('+'|'-') term)*
 *   term   := unary (('*'|'/') unary)*
 *   unary  := ('-'|'+') unary | power
 *   power  := atom ('^' unary)?
 *   atom   := number | 'pi' | 'e' | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 * Functions: exp log log1p expm1 sqrt sin cos tan tanh sigmoid softplus abs sign (one
 * argument), pow min max (two). '**' is accepted for '^'. Whitespace is ignored.
 * On error returns COR_EPARSE (or COR_ENOMEM), leaves *out unchanged, sets *err_col (if not
 * NULL) to the 1-based column of the offending character and records a message of the form
 * "column C: what was wrong". */
int cor_expr_parse(cor_node *out, size_t *err_col, const char *text, unsigned flags,
                   cor_expr_pool *pool) COR_WARN_UNUSED;

/* The expression as text that cor_expr_parse reads back to the same node. Rationals print
 * as integers or "(p/q)". Returns a new string (free with cor_free) or NULL (COR_ENOMEM). */
char *cor_expr_to_string(const cor_expr_pool *pool, cor_node n);
/* Writes the same text to a stream; returns COR_OK or COR_EIO. */
int cor_expr_fprint(FILE *stream, const cor_expr_pool *pool, cor_node n);

#ifdef __cplusplus
}
#endif
#endif
