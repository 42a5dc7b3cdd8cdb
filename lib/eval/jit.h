/* jit.h -- native code for double tapes (private; see jit.c). */
#ifndef COR_JIT_H
#define COR_JIT_H

#include "eval_impl.h"

/* A compiled lowered program: fn(out, in, r) copies the inputs in[0..nin) to r[0..nin) (so
 * that the interpreter can recompute every register later, for cor_eval_d_scale), writes the
 * tape's outputs at those inputs to out, and returns COR_NONFINITE when one of them is NaN
 * or infinite, COR_OK otherwise. */
typedef int (*cor_jit_fn_d)(double *out, const double *in, double *r);
typedef struct cor_jit cor_jit;

/* Compiles the lowered program of t. regs: a register file whose constant registers hold
 * the double constants; lcv, tf: the workspace's coefficient and term factors (cor_eval_d
 * semantics, so that the code computes exactly what the interpreter computes). pure = 0:
 * a cor_jit_fn_d (cor_jit_d_fn); pure = 1: a cor_eval_d_fn (cor_jit_d_pure_fn) that is the
 * same code without the register file, only for programs that fit one function
 * (cor_jit_d_one_piece; NULL otherwise). NULL when the library was built without libgccjit
 * or the compilation failed (nothing is printed; the caller keeps interpreting). */
cor_jit *cor_jit_d_compile(const cor_tape *t, const double *regs, const double *lcv,
                           const double *tf, int pure);
cor_jit_fn_d cor_jit_d_fn(const cor_jit *j);
cor_eval_d_fn cor_jit_d_pure_fn(const cor_jit *j);
/* Nonzero when the lowered program of t is compiled as one function (not in chunks of
 * COR_JIT_CHUNK statements). */
int cor_jit_d_one_piece(const cor_tape *t);
void cor_jit_free(cor_jit *j);
/* Nonzero when the library was built with libgccjit. */
int cor_jit_available(void);

/* Policy of a double workspace (default COR_JIT_AUTO: compile once the workspace has
 * interpreted COR_JIT_WORK_FIXED + COR_JIT_WORK_PER_INSTR * (lowered instructions)
 * instructions in all, i.e. once the time spent interpreting (a few ns per instruction) is
 * about the time GCC will take (about 0.05 s plus 0.6 ms per instruction): a workspace never
 * spends more than about twice what the better choice in hindsight would have cost, and
 * short-lived workspaces never pay for a compilation). */
enum
{
    COR_JIT_OFF = 0, /* always interpret */
    COR_JIT_NOW = 1, /* compile now */
    COR_JIT_AUTO = 2
};
#define COR_JIT_WORK_FIXED (1ul << 24)
#define COR_JIT_WORK_PER_INSTR (1ul << 18)
/* Programs longer than this are compiled as functions of about COR_JIT_CHUNK statements
 * each (a sum of n terms counts n + 1): GCC's register allocator takes time growing faster
 * than linearly with the size of one function. */
#define COR_JIT_CHUNK 512

/* Sets the policy of w. COR_JIT_NOW compiles at once and returns COR_OK, or COR_EUNSUP when
 * no native code can be made (no libgccjit, or a compilation failure); the workspace then
 * interprets. Other policies return COR_OK. */
int cor_eval_d_set_jit(cor_eval_d *w, int policy);
/* Nonzero when w currently runs native code. */
int cor_eval_d_is_jit(const cor_eval_d *w);

#endif
