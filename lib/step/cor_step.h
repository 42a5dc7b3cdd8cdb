/* cor_step.h -- discrete optimizers ("steppers"), each written once against cor_vspace.h.
 *
 * Layering after GSL's odeiv2 and multimin (STYLE.md section 4):
 *   - a cor_step_type is a const descriptor (name, needs flags, order, and the alloc / reset /
 *     apply / set_param / free slots of the algorithm), exported as cor_step_gd, ...;
 *   - a cor_step is an instance for one vector space, holding every stage vector and scalar
 *     the algorithm needs (made in cor_step_alloc; cor_step_prepare adds what depends on the
 *     objective's batch count);
 *   - cor_step_apply(s, obj, x, h, &info) advances x in place by one update.
 * Each algorithm is one source file (gd.c, heavyball.c, nesterov.c, rk.c, clr.c, polyak.c,
 * sgd.c, adam.c) that uses only cor_vspace.h and cor_objective.h, so the same code runs on
 * f64, f32 (a flat float buffer wrapped by cor_vec_wrap_f32) and MPFR at any precision.
 *
 * Parameters are set by name from decimal text, read exactly at the space precision
 * (cor_scalar_set_str, never through a C double): cor_step_set_param(s, "beta", "0.9").
 * Common to all types: "bound" (divergence bound on |x|, default 1e100; "inf" disables).
 *
 * Outcomes of apply (STYLE.md section 7): COR_OK; COR_NONFINITE when the loss, the gradient or
 * the new iterate is NaN or infinite; COR_DIVERGED when |x| exceeds the bound after the
 * update; COR_STOPPED when the step cannot be taken (clr/polyak at a zero gradient, x is
 * then unchanged). Errors: COR_EINVAL (NULL, space or dimension mismatch, a needed capability
 * missing from the objective), COR_EUNSUP. apply never allocates (cor_step_prepare, called by
 * the first apply if the caller did not, allocates once for sgd).
 *
 * Aliasing: x is read and written; h must not be a scalar owned by the stepper.
 */
#ifndef COR_STEP_H
#define COR_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "cor_err.h"
#include "cor_objective.h"
#include "cor_vspace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_step cor_step;
struct cor_step_state_io; /* private: the serialiser of cor_step_state_save / _load */

/* What a stepper needs from the objective (cor_step_type.needs). */
enum
{
    COR_NEED_VALUE = 1u << 0,     /* the loss value (clr, polyak) */
    COR_NEED_GRAD = 1u << 1,      /* the gradient (all) */
    COR_NEED_HVP = 1u << 2,       /* Hessian-vector products */
    COR_NEED_BATCHES = 1u << 3,   /* batch losses (sgd) */
    COR_NEED_LSTAR = 1u << 4,     /* uses a target/lower bound L* (default 0) */
    COR_NEED_NO_LR = 1u << 5      /* computes its own step size; h may be NULL */
};

/* Information about the last apply. The scalars are owned by the stepper and valid until
 * its next apply or free; a NULL field was not computed. They refer to the iterate *before*
 * the update (x_k): loss L(x_k), grad_norm |grad L(x_k)|, of the batch `batch`
 * (COR_BATCH_FULL for the full loss), and lr the step size used for x_k -> x_{k+1}. */
typedef struct
{
    const cor_scalar *loss;
    const cor_scalar *grad_norm;
    const cor_scalar *lr;
    size_t batch;
    uint64_t count; /* number of successful applies so far, this one included */
} cor_step_info;

/* The descriptor of an algorithm. The slots receive the instance; they are called only by
 * the functions below, which check the arguments first. */
typedef struct cor_step_type
{
    const char *name;   /* "gd", "heavyball", ... */
    unsigned needs;     /* COR_NEED_* */
    int order;          /* order as a method for the gradient flow, 0 if none */
    const void *data;   /* type-specific constant data (a Butcher tableau for RK types) */
    int (*alloc)(cor_step *s);
    int (*prepare)(cor_step *s, const cor_objective *obj); /* may be NULL */
    int (*reset)(cor_step *s);
    int (*apply)(cor_step *s, const cor_objective *obj, cor_vec *x, const cor_scalar *h);
    /* returns COR_EINVAL (unknown name, to let the generic layer report it) or a status */
    int (*set_param)(cor_step *s, const char *name, const char *value);
    int (*set_vec)(cor_step *s, const char *name, const cor_vec *v); /* may be NULL */
    void (*free)(cor_step *s);
    /* visits the history (what reset forgets) for cor_step_state_save / _load, through the
     * cor_step_state_*_internal helpers of step_impl.h; NULL for a type without history */
    int (*state)(cor_step *s, struct cor_step_state_io *io);
} cor_step_type;

/* The algorithms. */
extern const cor_step_type cor_step_gd;        /* x -= h g */
extern const cor_step_type cor_step_heavyball; /* v = beta v - h g; x += v (v0 = 0) */
extern const cor_step_type cor_step_nesterov;  /* b = beta b + g; x -= h (g + beta b) */
extern const cor_step_type cor_step_rk;        /* explicit RK, tableau by cor_step_alloc_rk */
extern const cor_step_type cor_step_euler;     /* RK, Euler tableau (= gd up to rounding) */
extern const cor_step_type cor_step_midpoint;  /* RK2, explicit midpoint */
extern const cor_step_type cor_step_heun;      /* RK2, Heun */
extern const cor_step_type cor_step_rk3;       /* Kutta's third order method */
extern const cor_step_type cor_step_rk4;       /* the classical RK4 */
extern const cor_step_type cor_step_rk38;      /* Kutta's 3/8 rule */
extern const cor_step_type cor_step_clr;       /* eta = (L - L*)/|g|^2 */
extern const cor_step_type cor_step_sps;       /* SPS_max, Loizou et al. 2021 */
extern const cor_step_type cor_step_decsps;    /* DecSPS, Orvieto et al. 2022 */
extern const cor_step_type cor_step_polyak_lb; /* Polyak with a lower bound, Hazan-Kakade */
extern const cor_step_type cor_step_sgd;       /* SGD over batch losses */
extern const cor_step_type cor_step_adam;      /* Adam, Kingma & Ba 2015 */

/* Every type above, NULL-terminated (for batteries and the command line). */
extern const cor_step_type *const cor_step_types[];

/* The type called name, or NULL (nothing recorded). */
const cor_step_type *cor_step_type_lookup(const char *name);

/* ---- Butcher tableaux ------------------------------------------------------------------ */

/* An exact rational coefficient num/den (den > 0). */
typedef struct
{
    long num, den;
} cor_q;

/* An explicit Runge-Kutta method: stages s >= 1, a[i*s + j] for j < i (the rest ignored),
 * weights b[0..s), nodes c[0..s) (informational: the gradient flow is autonomous). */
typedef struct
{
    const char *name;
    size_t stages;
    int order;
    const cor_q *a;
    const cor_q *b;
    const cor_q *c;
} cor_butcher;

extern const cor_butcher cor_butcher_euler, cor_butcher_midpoint, cor_butcher_heun,
    cor_butcher_rk3, cor_butcher_rk4, cor_butcher_rk38;

/* ---- instances -------------------------------------------------------------------------- */

/* An instance of T for the space V, with all its vectors and scalars; NULL on error
 * (COR_EINVAL, COR_ENOMEM, COR_EUNSUP if the backend lacks an op T needs). Allocates. */
cor_step *cor_step_alloc(const cor_step_type *T, const cor_vspace *V);
/* An explicit RK stepper for tableau tab (copied: coefficients become exact scalars of V).
 * NULL on error (COR_EINVAL for a bad tableau). Allocates. */
cor_step *cor_step_alloc_rk(const cor_butcher *tab, const cor_vspace *V);
/* Frees s and everything it owns. NULL is a no-op. */
void cor_step_free(cor_step *s);
/* The type of s, its name, and its space. */
const cor_step_type *cor_step_get_type(const cor_step *s);
const char *cor_step_name(const cor_step *s);
const cor_vspace *cor_step_space(const cor_step *s);

/* Forgets the history (velocities, moments, step counters, batch position, adaptive
 * quantities) but keeps the parameters. Returns COR_OK or COR_EINVAL. Does not allocate. */
COR_WARN_UNUSED int cor_step_reset(cor_step *s);

/* Sets parameter name from decimal text (exactly, at the space precision); see each type.
 * COR_EINVAL for an unknown name (message lists the names), COR_EPARSE for bad text. May
 * allocate (parsing; sgd's order list). Call between steps, not inside a run's hot loop. */
COR_WARN_UNUSED int cor_step_set_param(cor_step *s, const char *name, const char *value);
/* Sets a vector parameter (heavy-ball's initial velocity "v0", in form S units). The value is
 * copied. COR_EINVAL for an unknown name or a vector of another space. */
COR_WARN_UNUSED int cor_step_set_vec(cor_step *s, const char *name, const cor_vec *v);

/* Binds the objective's shape: checks obj against T->needs (COR_EINVAL naming the missing
 * capability) and allocates what depends on it (sgd: the batch order, the all-orders
 * trajectories). apply calls it on first use. May allocate. */
COR_WARN_UNUSED int cor_step_prepare(cor_step *s, const cor_objective *obj);

/* Advances x (a vector of s's space) by one update of the algorithm on obj, with step size
 * h (a scalar of the space; ignored, and may be NULL, for types with COR_NEED_NO_LR).
 * info, if not NULL, receives the quantities computed on the way (see cor_step_info).
 * Returns COR_OK or an outcome (COR_NONFINITE, COR_DIVERGED, COR_STOPPED) or an error. On an
 * outcome x holds the value the update produced (or is unchanged for COR_STOPPED). Does not
 * allocate. */
COR_WARN_UNUSED int cor_step_apply(cor_step *s, const cor_objective *obj, cor_vec *x,
                                   const cor_scalar *h, cor_step_info *info);

/* ---- saving and restoring the history (checkpoints) ------------------------------------ */

/* Serialises the history of s: what cor_step_reset forgets (heavy-ball's velocity, Nesterov's
 * b, Adam's moments and running powers, the Polyak family's counters and estimates, sgd's
 * position, generator and current order, and the apply count), not the parameters (set them
 * again with cor_step_set_param on the instance that loads). The bytes are a self-describing
 * little-endian record: "CORSTEP" and version 1, the space kind, the dimension, the stepper
 * name and the count, then the type's items, each a tag ('u' 64-bit integer, 's' scalar as a
 * binary64, 'v' vector: length then binary32 or binary64 elements) and its value; doubles
 * hold f32 and f64 values exactly, so save then load restores the state bit for bit. f32
 * and f64 spaces only (COR_EUNSUP for MPFR). buf == NULL: only *len (the size needed) is set;
 * otherwise cap must be at least that size (COR_EBADLEN) and *len receives the bytes
 * written. Does not allocate. */
COR_WARN_UNUSED int cor_step_state_save(const cor_step *s, void *buf, size_t cap, size_t *len);
/* Restores a history saved by cor_step_state_save into s, which must be of the same type,
 * space kind and dimension. For sgd call cor_step_prepare(s, obj) with the objective first
 * (the saved order must have the prepared length). Returns COR_OK, COR_EINVAL (another
 * stepper, kind or dimension; sgd not prepared), COR_EPARSE (a malformed or truncated record:
 * the message names the byte offset), COR_EUNSUP (MPFR). On an error s may hold part of the
 * saved state: reset it before use. Does not allocate. */
COR_WARN_UNUSED int cor_step_state_load(cor_step *s, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
