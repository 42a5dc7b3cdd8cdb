/* eval_impl.h -- private layout of compiled tapes (not installed). */
#ifndef COR_EVAL_IMPL_H
#define COR_EVAL_IMPL_H

#include <stdint.h>

#include <gmp.h>

#include "cor_eval.h"

/* Coefficient classes of SUM terms, so interpreters can skip multiplications. */
enum
{
    COR_COEF_ONE = 0,
    COR_COEF_MINUS_ONE,
    COR_COEF_SI,       /* an integer that fits a long: mul_si in MPFR */
    COR_COEF_Q         /* any other rational: a rounded value */
};

typedef struct
{
    uint8_t op;      /* cor_op */
    uint32_t dst;    /* result register */
    uint32_t a, b, c;/* argument registers (UINT32_MAX when absent) */
    uint32_t n;      /* SUM: number of terms */
    uint32_t t0;     /* SUM: first term in term_reg/term_coef */
    uint32_t c0;     /* SUM: coefficient index of the constant, UINT32_MAX if 0 */
    long k;          /* POWI exponent */
} cor_instr;

struct cor_tape
{
    size_t nin, nout, nregs, ninstr;
    uint32_t *out_reg;      /* output i lives in register out_reg[i]; inputs are 0..nin-1 */
    cor_instr *ins;
    size_t nconst;          /* constant registers: const_reg[i] holds const_q[i] or pi */
    uint32_t *const_reg;
    mpq_t *const_q;
    uint8_t *const_is_pi;
    size_t nterms;
    uint32_t *term_reg;
    uint32_t *term_coef;
    size_t ncoef;           /* SUM coefficients and constants */
    mpq_t *coef;
    uint8_t *coef_kind;
    long *coef_si;
    /* Added for the interpreters of eval_d.c / eval_mpfr.c (and the double JIT) only: the
     * same program lowered to cheaper operations (see below). The Taylor code never reads
     * it; ins above keeps its meaning. */
    struct cor_lprog *lp;
};

/* ---- lowered programs (private to eval_d.c, eval_mpfr.c, jit.c) --------------------------
 *
 * cor_tape_alloc rewrites the instructions into a lowered program that computes every
 * register of the tape (so r[I->dst] of each original instruction holds its value after a
 * run, as the scale code needs) with cheaper operations:
 *  - linear sums: two-term sums as one add/sub, scalings as one mul_si / mul / neg, the
 *    constant as one add, no accumulator initialised to zero, terms c*x with an integer c
 *    through mul_si (MPFR) instead of a multiplication by a rounded value;
 *  - common factors: an integer sum whose coefficients share a factor g > 1 is computed as
 *    g * (the reduced sum), one mul_si in place of one per term;
 *  - linear common subexpressions: a sum whose terms contain lambda times all the terms of
 *    an earlier sum J (lambda rational) uses lambda * J in their place (the expression
 *    builders flatten small sums into their parents, so y - x^2 reappears inside
 *    10*y - 10*x^2 + ...);
 *  - x^2 as a square, x^-1 as a reciprocal.
 * Extra temporaries get registers nregs_tape .. nregs-1. Sums are evaluated left to right in
 * the order of their terms, then the constant; each MPFR operation rounds once to nearest.
 * The result can differ from the tape's literal order of operations by rounding only. */
enum
{
    COR_LOP_NEG = 64,  /* dst = -a */
    COR_LOP_ADD,       /* dst = a + b */
    COR_LOP_SUB,       /* dst = a - b */
    COR_LOP_MULSI,     /* dst = k * a, k a long other than 0, 1, -1 */
    COR_LOP_MULQ,      /* dst = coef[q] * a (a rational rounded once at the precision) */
    COR_LOP_ADDSI,     /* dst = a + k */
    COR_LOP_ADDQ,      /* dst = a + coef[q] */
    COR_LOP_SUM,       /* dst = t_0 + t_1 + ... (+ c0): terms t0 .. t0+n-1, c0 = q or NONE */
    COR_LOP_SQR,       /* dst = a * a */
    COR_LOP_RECIP      /* dst = 1 / a */
};
/* Lowered operations below 64 are the cor_op of the tape with the same arguments. */

/* Kinds of lowered sum terms: value = x, -x, k x (long k), coef[q] x. */
enum
{
    COR_LT_PLUS = 0,
    COR_LT_MINUS,
    COR_LT_SI,
    COR_LT_Q
};

typedef struct
{
    uint8_t op;
    uint32_t dst, a, b, c; /* registers (UINT32_MAX when absent) */
    uint32_t n, t0, q;     /* SUM: number of terms, first term; q: coefficient or UINT32_MAX */
    long k;                /* MULSI/ADDSI integer, POWI exponent */
} cor_linstr;

typedef struct cor_lprog
{
    size_t nregs;   /* >= the tape's nregs (temporaries after) */
    size_t nins;
    cor_linstr *ins;
    size_t nterms;
    uint32_t *term_reg;
    uint8_t *term_kind;
    long *term_si;
    uint32_t *term_q;
    size_t ncoef;   /* rational coefficients (COR_LT_Q, MULQ, ADDQ, SUM constants) */
    mpq_t *coef;
    uint8_t *coef_si_ok; /* coef[i] is an integer that fits a long (value coef_si[i]) */
    long *coef_si;
} cor_lprog;

/* In double, a lowered sum of at least this many terms is accumulated in four partial sums
 * (term k into partial k mod 4, each started with its first term), combined as
 * (p0 + p1) + (p2 + p3): four independent dependency chains instead of one. */
#define COR_LSUM_LANES_MIN 16

/* Factor of lowered sum term i in double (lcv: the rounded coefficients). Sums run
 * acc = f_0 x_0, then acc += f_k x_k; with f = +-1 this is exactly x_0 + x_1 etc. */
double cor_lterm_factor_d(const cor_lprog *lp, size_t i, const double *lcv);
/* The double semantics of the operations that are not plain arithmetic, shared by the
 * interpreter and the JIT (so both give identical bits). */
double cor_eval_d_sigmoid(double x);
double cor_eval_d_softplus(double x);
double cor_eval_d_sign(double a);
double cor_eval_d_minmax(double a, double b, int is_min);
double cor_eval_d_select(double a, double b, double c);
double cor_eval_d_powi(double a, long k);

#endif
