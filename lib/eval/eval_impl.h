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
};

#endif
