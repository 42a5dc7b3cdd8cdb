/* pcprob.h -- a loss on an MPFR space, and error formatting, shared by the theorem checks of
 * the optimizer core (Thm 3.1, Lemma A.1, App. A.2, Sec. 4). */
#ifndef COR_PCPROB_H
#define COR_PCPROB_H

#include <stddef.h>

#include <mpfr.h>

#include "cor_expr.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_vspace.h"

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

#endif
