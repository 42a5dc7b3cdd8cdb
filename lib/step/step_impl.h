/* step_impl.h -- private structures and helpers of the step module (never installed).
 *
 * The generic layer (step.c) owns what every algorithm shares: the gradient vector g of the
 * iterate x_k, the info scalars (loss, grad_norm, lr), a few scratch scalars, the divergence
 * bound, and the argument checks. Each algorithm file keeps its own state behind s->state and
 * reaches the generic parts only through the helpers below and cor_vspace.h.
 */
#ifndef COR_STEP_IMPL_H
#define COR_STEP_IMPL_H

#include "cor_step.h"

/* Returned by a type's set_param / set_vec for a name it does not know (nothing recorded;
 * the generic layer then reports COR_EINVAL). */
#define COR_STEP_UNKNOWN (-1)

struct cor_step
{
    const cor_step_type *type;
    const cor_vspace *V;
    size_t n;
    const cor_butcher *tab;     /* RK types: the tableau */
    void *state;                /* the algorithm's own state */
    cor_vec *g;                 /* gradient at x_k */
    cor_scalar *loss;           /* info: L(x_k) */
    cor_scalar *gnorm;          /* info: |g| */
    cor_scalar *lr;             /* info: step size used */
    cor_scalar *one;            /* 1 */
    cor_scalar *neg;            /* scratch (e.g. -h) */
    cor_scalar *tmp;            /* scratch */
    cor_scalar *bound;          /* divergence bound on |x| (inf: none) */
    int have_loss, have_gnorm, have_lr;
    size_t batch;               /* batch of the info values */
    uint64_t count;
    const cor_objective *prepared; /* objective prepare() last ran for */
};

/* dst = the decimal text (exactly); COR_EPARSE naming the parameter. May allocate. */
int cor_step_parse_scalar_internal(cor_scalar *dst, const char *name, const char *text);
/* Parses a nonnegative integer (e.g. a seed or a period) into *out; COR_EPARSE otherwise. */
int cor_step_parse_u64_internal(uint64_t *out, const char *name, const char *text);
/* Loss (when obj has a value) and gradient g at x, and |g|; sets the info flags. Returns COR_OK,
 * COR_NONFINITE (a non-finite loss or gradient) or an error. No allocation. */
int cor_step_eval_internal(cor_step *s, const cor_objective *obj, const cor_vec *x, int need_loss);
/* After an update: COR_NONFINITE if x has a non-finite element, COR_DIVERGED if |x| exceeds the
 * bound, else COR_OK. Uses s->tmp. No allocation. */
int cor_step_check_x_internal(cor_step *s, const cor_vec *x);
/* Allocates n_scalars scalars / n_vecs vectors of s's space into the arrays (all or none). */
int cor_step_alloc_scalars_internal(cor_step *s, cor_scalar **out, size_t count);
int cor_step_alloc_vecs_internal(cor_step *s, cor_vec **out, size_t count);
void cor_step_free_scalars_internal(cor_scalar **arr, size_t count);
void cor_step_free_vecs_internal(cor_vec **arr, size_t count);

/* The serialiser behind cor_step_state_save / _load. A type's state slot calls these in a
 * fixed order; each writes (save) or reads and checks (load) one item. They return COR_OK or
 * an error (COR_EPARSE with the byte offset on a malformed record). */
struct cor_step_state_io
{
    int load;                  /* 0: save (or size), 1: load */
    unsigned char *out;        /* save: destination, NULL to count only */
    const unsigned char *in;   /* load: source */
    size_t cap, pos;           /* bytes available; bytes written or read so far */
    cor_kind kind;
    size_t n;
};
int cor_step_state_u64_internal(struct cor_step_state_io *io, uint64_t *v);
int cor_step_state_scalar_internal(struct cor_step_state_io *io, cor_scalar *x);
int cor_step_state_vec_internal(struct cor_step_state_io *io, cor_vec *v);

/* Propagate an error or a non-OK outcome of a vspace / objective call. */
#define COR_STEP_TRY(expr)                                                                   \
    do                                                                                       \
    {                                                                                        \
        int try_st_ = (expr);                                                                \
        if (try_st_ != COR_OK)                                                               \
            return try_st_;                                                                  \
    } while (0)

#endif
