/* flow_impl.h -- private layout of flows (not installed). */
#ifndef COR_FLOW_IMPL_H
#define COR_FLOW_IMPL_H

#include "cor_eval.h"
#include "cor_flow.h"

/* A method's implementation: its state is made by alloc from the common part of f. */
typedef struct
{
    void *(*alloc)(cor_flow *f);
    void (*free)(void *state);
    int (*solve)(cor_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times,
                 const mpfr_t *theta0);
    int (*eval)(cor_flow *f, mpfr_t *theta, mpfr_srcptr t); /* NULL: unsupported */
} cor_flow_backend;

struct cor_flow
{
    cor_flow_method method;
    size_t n;
    mpfr_prec_t prec;
    cor_flow_opts opts;
    cor_expr_pool *pool;
    cor_node loss;
    cor_node *vars;
    cor_node *field;     /* -grad L */
    cor_tape *tape;      /* inputs vars, outputs field */
    cor_tape *ltape;     /* the loss (checked at theta0) */
    cor_eval_mpfr *lw;
    mpfr_t lval;
    int lval_init;
    const cor_flow_backend *be;
    void *state;
    cor_flow_stats st;
    mpfr_t t_reached;
    int t_init;          /* t_reached initialised */
    mpfr_t *theta_end;   /* n: theta at the last time of the last solve */
    int solved;
};

extern const cor_flow_backend cor_flow_taylor_mpfr_backend_internal;
extern const cor_flow_backend cor_flow_taylor_d_backend_internal;
extern const cor_flow_backend cor_flow_gsl_backend_internal;
extern const cor_flow_backend cor_flow_exact_backend_internal;

/* The Taylor order for a tolerance: ceil(-ln(tol)/2 + 1), at least 2. */
unsigned cor_flow_order_for_tol_internal(double tol);

#endif
