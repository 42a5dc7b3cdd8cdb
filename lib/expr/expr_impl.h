/* expr_impl.h -- private layout of expression pools (not installed). */
#ifndef COR_EXPR_IMPL_H
#define COR_EXPR_IMPL_H

#include <stdint.h>

#include <gmp.h>

#include "cor_expr.h"

/* One node. Children live in pool->kids[first .. first+n). Rationals live in pool->q:
 * a CONST has its value at q[qi]; a SUM has c0 at q[qi] and c_k at q[qi+1+k]. */
typedef struct
{
    uint8_t op;
    uint32_t n;
    uint32_t first;
    uint32_t qi;
    long k;         /* POWI exponent; VAR index */
    uint64_t hash;
} cor_expr_node;

struct cor_expr_pool
{
    cor_expr_node *nodes;
    size_t nnodes, cap_nodes;
    cor_node *kids;
    size_t nkids, cap_kids;
    mpq_t *q;
    size_t nq, cap_q;
    uint32_t *table;    /* open addressing, UINT32_MAX = empty */
    size_t table_cap;   /* power of two */
    char **var_names;
    cor_node *var_nodes;
    size_t nvars, cap_vars;
};

static inline const cor_expr_node *
cor_expr_node_get_internal(const cor_expr_pool *pool, cor_node n)
{
    return &pool->nodes[n];
}

/* Nonzero when name is a reserved word of the grammar (function or constant name). */
int cor_expr_is_reserved_internal(const char *name);
/* Parse an exact decimal literal of length len into q; 0 on success. */
int cor_expr_decimal_to_q_internal(mpq_t q, const char *s, size_t len);

#endif
