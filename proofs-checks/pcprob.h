/* pcprob.h -- a loss on an MPFR space, a stepper-run fixture, and error rows, shared by the theorem checks of
 * the optimizer core (Thm 3.1, Lemma A.1, App. A.2, Sec. 4). */
#ifndef COR_PCPROB_H
#define COR_PCPROB_H

#include <stddef.h>

#include <mpfr.h>

#include "cor_expr.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_vspace.h"
#include "pclib.h"

#define COR_PC_MAXN 3
#define COR_PC_SLACK_BITS 20 /* tolerance 2^(COR_PC_SLACK_BITS - prec) */

/* A loss in the variables x, y, z (the first n) with its objective on an MPFR space. */
typedef struct
{
    cor_expr_pool *pool;
    cor_node vars[COR_PC_MAXN];
    cor_node f;
    size_t n;
    cor_vspace *V;
    cor_objective *obj;
} cor_pc_prob;

/* Parses expr and builds its objective on the MPFR space of dimension n at precision prec. */
int cor_pc_prob_init(cor_pc_prob *p, const char *expr, size_t n, mpfr_prec_t prec);
/* The same with the objective's optional tapes (want: COR_OBJ_WANT_HG, COR_OBJ_WANT_HVP). */
int cor_pc_prob_init_want(cor_pc_prob *p, const char *expr, size_t n, mpfr_prec_t prec,
                          unsigned want);
void cor_pc_prob_clear(cor_pc_prob *p);
/* v = the decimal texts txt[0..n), read at v's precision. */
void cor_pc_vec_set_str(cor_vec *v, const char *const *txt, size_t n);
/* log2 of max_i |x_i - ref_i| / max(1, max_i |ref_i|); -inf when equal. */
double cor_pc_log2_err(const cor_vec *x, mpfr_t *ref, size_t n);
/* "2^-240.3" or "0". */
char *cor_pc_fmt_log2(char *buf, size_t size, double l);
/* Margin in bits against the tolerance 2^(COR_PC_SLACK_BITS - prec). */
char *cor_pc_fmt_margin(char *buf, size_t size, double l, mpfr_prec_t prec);
/* The gradient of expr at the point txt, at precision prec, into g[0..n). */
int cor_pc_grad_at(mpfr_t *g, const char *expr, size_t n, const char *const *txt,
                   mpfr_prec_t prec);


/* L = loss of p at x (a vector of p->V), rounded into L. */
int cor_pc_loss_at(mpfr_t L, const cor_pc_prob *p, const cor_vec *x);

/* A gradient flow of a loss in x, y, z (the first n), with its own expression pool. */
typedef struct
{
    cor_expr_pool *pool;
    cor_flow *flow;
} cor_pc_flow;

/* Parses expr and allocates the flow (method m, tolerance tol, precision prec). */
int cor_pc_flow_init(cor_pc_flow *f, const char *expr, size_t n, cor_flow_method m, double tol,
                     mpfr_prec_t prec);
void cor_pc_flow_clear(cor_pc_flow *f);

/* The Taylor flow tolerance of a check at precision prec: 2^(-prec-8), at least 1e-300. */
double cor_pc_flow_tol(mpfr_prec_t prec);

/* ---- the fixture of a stepper run on a corridor ----------------------------------------- */

/* A stepper run from theta0 on a loss in x, y, z (the first n): the loss on an MPFR space at
 * prec (p), a stepper of the named type on it (s), a step-size scalar (h, unset), the iterate
 * (x, set to theta0), and at prec + 64 bits the start th0, its gradient g0 and a reference
 * point ref, for comparing the iterates with the gradient-flow line theta0 - t g0 of a
 * corridor (P2). */
typedef struct
{
    cor_pc_prob p;
    cor_step *s;
    cor_scalar *h;
    cor_vec *x;
    size_t n;
    mpfr_t th0[COR_PC_MAXN], g0[COR_PC_MAXN], ref[COR_PC_MAXN];
} cor_pc_run;

/* Sets up r (above) for expr, the start theta0[0..n) (decimal texts) and the stepper type
 * `method`. Returns COR_OK or the library's error; cor_pc_run_clear is due either way. */
int cor_pc_run_init(cor_pc_run *r, const char *expr, size_t n, const char *const *theta0,
                    const char *method, mpfr_prec_t prec);
void cor_pc_run_clear(cor_pc_run *r);
/* ref = th0 - t g0 (the flow line at time t); returns cor_pc_log2_err(x, ref). */
double cor_pc_run_line_err(cor_pc_run *r, mpfr_srcptr t);
/* ref = th0 (1 - 2/sqrt(14)) (reference case (iv): GD_20 on the cone from (3,-1,2) with
 * h = 0.1); returns cor_pc_log2_err(x, ref). */
double cor_pc_run_cone_iv_err(cor_pc_run *r);

/* ---- rows against a bound in bits --------------------------------------------------- */

/* One row: measured 2^l (cor_pc_fmt_log2), margin bound - l in bits ("inf" for l = -inf),
 * holds when l <= bound; *worst = max(*worst, l - bound). */
void cor_pc_row_log2(cor_pc *pc, const char *name, const char *pred, double l, double bound,
                     double *worst);
/* The same, predicted "<= 2^bound" (bound with one decimal). */
void cor_pc_row_bits(cor_pc *pc, const char *name, double l, double bound, double *worst);
/* The same against the tolerance 2^(COR_PC_SLACK_BITS - prec), predicted "<= 2^(20-prec)"
 * (the exponent as an integer). */
void cor_pc_row_slack(cor_pc *pc, const char *name, double l, mpfr_prec_t prec, double *worst);

#endif
