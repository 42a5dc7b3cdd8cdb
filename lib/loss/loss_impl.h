/* loss_impl.h -- private structures and helpers of the loss module (never installed). */
#ifndef COR_LOSS_IMPL_H
#define COR_LOSS_IMPL_H

#include <stddef.h>

#include <gmp.h>

#include "cor_loss.h"

struct cor_loss
{
    cor_expr_pool *pool;
    int own_pool;
    cor_node root;
    size_t n;
    cor_node *vars;
    size_t m;          /* number of batches, >= 1 */
    cor_node *batches; /* m nodes (batches[0] = root without a partition) */
    size_t *bsize;     /* n_k */
    size_t **bpoints;  /* data losses: point indices per batch, else NULL */
    size_t npoints;    /* N = sum n_k */
    char *family;
    char *name;
    int corridor;
    char *note;
};

struct cor_dataset
{
    size_t npoints;
    size_t nfeatures;
    mpq_t *x; /* npoints * nfeatures, row-major */
    mpq_t *y; /* npoints labels */
};

/* A new loss with its own pool and no variables, root COR_NODE_NONE, one batch, status
 * COR_CORRIDOR_UNKNOWN. NULL on COR_ENOMEM. */
cor_loss *cor_loss_new_internal(const char *family);

/* Creates variables prefix1 .. prefixN in L's pool (or the names of names[0..n) if names is
 * not NULL) and stores them as L's variables. */
int cor_loss_make_vars_internal(cor_loss *L, size_t n, const char *prefix);
int cor_loss_add_var_internal(cor_loss *L, const char *name);

/* Sets L's root (checks it is not COR_NODE_NONE: then returns the builders' recorded error)
 * and makes it the single batch. */
int cor_loss_set_root_internal(cor_loss *L, cor_node root);

/* Sets the corridor status and note (printf-style). */
int cor_loss_set_corridor_internal(cor_loss *L, int status, const char *fmt, ...)
    COR_PRINTF(3, 4);

/* Frees L after a failed construction and returns NULL (convenience for constructors). */
cor_loss *cor_loss_fail_internal(cor_loss *L);

/* cor_loss_parse_q without recording an error: COR_OK, COR_EPARSE or COR_ERANGE. */
int cor_loss_q_from_text_internal(mpq_t out, const char *text, size_t len);

/* Arrays of n rationals. */
mpq_t *cor_qvec_alloc_internal(size_t n);
void cor_qvec_free_internal(mpq_t *v, size_t n);

/* |theta - c|^2 over the variables vars[0..n) (c NULL: 0). */
cor_node cor_loss_dist2_internal(cor_expr_pool *pool, size_t n, const cor_node *vars,
                                 const mpq_t *c);

/* Exact checks and builders for symmetric matrices (row-major n x n). */
int cor_loss_is_symmetric_internal(size_t n, const mpq_t *S);
/* theta^T S theta (half: (1/2) theta^T S theta) as one n-ary sum. */
cor_node cor_loss_quadratic_form_internal(cor_expr_pool *pool, size_t n, const cor_node *vars,
                                          const mpq_t *S, int half);

/* ---- key=value lists (spec strings and glued pieces) ---------------------------------- */

typedef struct
{
    char *key;
    size_t col;     /* 1-based column of the key in the whole text */
    size_t nvals;
    char **vals;
    size_t *valcol; /* 1-based column of each value */
    int used;
} cor_loss_item;

typedef struct
{
    size_t n;
    cor_loss_item *items;
} cor_loss_items;

/* Splits text (see cor_loss_from_spec) into items; col0 is the column of text[0] in the
 * string the user gave (for messages). Keys that are not identifiers: COR_EPARSE. */
int cor_loss_items_parse_internal(cor_loss_items *out, const char *text, size_t col0);
void cor_loss_items_clear_internal(cor_loss_items *it);
/* Reads a value as a rational; message "column C: ..." on COR_EPARSE. */
int cor_loss_item_q_internal(mpq_t out, const cor_loss_item *item, size_t k);

/* The glued surface from its pieces, already split into items (marks them used). */
cor_loss *cor_loss_glued_items_internal(cor_loss_items *items);

/* The 64-bit splitmix64 generator used for seeded permutations. */
uint64_t cor_loss_splitmix64_internal(uint64_t *state);

#endif
