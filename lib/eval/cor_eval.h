/* cor_eval.h -- compiled evaluation tapes for expressions, in double and in MPFR.
 *
 * A tape (cor_tape) is a straight-line program compiled once from a set of output nodes of a
 * pool: the nodes reachable from the outputs, in topological order, one instruction each,
 * with its constants copied (exact rationals), so the tape no longer needs the pool. A
 * workspace (cor_eval_d, cor_eval_mpfr) holds every register of the tape, allocated once;
 * running it allocates nothing. One tape can have any number of workspaces, at different
 * precisions, in different threads.
 *
 * Typical use: outputs = (L, dL/dx1 .. dL/dxn, (H grad L)_1 .. (H grad L)_n), inputs = the
 * variables, one tape, one MPFR workspace per precision.
 *
 * MPFR: every operation rounds to nearest at the workspace precision; constants are rounded
 * once from their exact rational value (mpfr_set_q), pi by mpfr_const_pi.
 *
 * Scale: after a run, cor_eval_*_scale computes, for each output, the value of the same
 * expression evaluated with every term replaced by its magnitude (|a|+|b| for a sum,
 * |a||b| for a product, |f(u)| + |f'(u)| scale(u) for a function): the usual first-order
 * bound of the rounding error of the output is then (a modest multiple of) 2^-prec times
 * this scale. Used to decide whether a computed H grad L is zero up to rounding.
 */
#ifndef COR_EVAL_H
#define COR_EVAL_H

#include <stddef.h>

#include <mpfr.h>

#include "cor_expr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_tape cor_tape;
typedef struct cor_eval_d cor_eval_d;
typedef struct cor_eval_mpfr cor_eval_mpfr;

/* Compiles the outputs as functions of the inputs (VAR nodes). Every variable reachable from
 * the outputs must be among the inputs (COR_EINVAL otherwise, naming it). NULL on error. */
cor_tape *cor_tape_alloc(const cor_expr_pool *pool, size_t nin, const cor_node *inputs,
                         size_t nout, const cor_node *outputs);
void cor_tape_free(cor_tape *tape);
size_t cor_tape_ninputs(const cor_tape *tape);
size_t cor_tape_noutputs(const cor_tape *tape);
/* Number of instructions (nodes other than inputs and constants) and of registers. */
size_t cor_tape_ninstr(const cor_tape *tape);
size_t cor_tape_nregs(const cor_tape *tape);

/* ---- double ---------------------------------------------------------------------------- */

/* A double workspace for tape (the tape must outlive it). NULL on COR_ENOMEM. */
cor_eval_d *cor_eval_d_alloc(const cor_tape *tape);
void cor_eval_d_free(cor_eval_d *w);
/* out[0..nout) = outputs at in[0..nin). out must not overlap in. Returns COR_OK, or
 * COR_NONFINITE when an output is NaN or infinite (all outputs are still written). */
int cor_eval_d_run(cor_eval_d *w, double *out, const double *in);
/* Magnitudes of the outputs of the last run (see above); requires a previous run. */
int cor_eval_d_scale(cor_eval_d *w, double *scale);

/* A native function of a tape: out[0..nout) = the outputs at in[0..nin) (out must not
 * overlap in); returns COR_OK, or COR_NONFINITE when an output is NaN or infinite (all
 * outputs are still written). */
typedef int (*cor_eval_d_fn)(double *out, const double *in);
/* The native entry of w: *fn = a function computing exactly what cor_eval_d_run(w, out, in)
 * computes, the same bits and the same status, compiled with libgccjit on the first call
 * (about 0.05 s plus 0.6 ms per instruction; later calls return the same function at once).
 * The function is pure: it reads in, writes out, and touches no workspace memory, so any
 * number of threads may call it at once; it saves the per-call cost of cor_eval_d_run (which
 * also keeps the inputs for cor_eval_d_scale), which matters for tapes of a few tens of
 * instructions. It stays valid until w is freed. cor_eval_d_scale keeps referring to the
 * last cor_eval_d_run of w: calls of *fn do not count as runs. The first call of
 * cor_eval_d_native on w must not overlap any other use of w (it changes w).
 * COR_EUNSUP (and *fn = NULL) when the library was built without libgccjit, when the
 * program is too long for one native function (more than about 512 statements: then the
 * arithmetic dominates and cor_eval_d_run, which compiles such tapes in pieces, is the way),
 * or when the compilation failed; COR_OK otherwise. */
int cor_eval_d_native(cor_eval_d_fn *fn, cor_eval_d *w);

/* ---- MPFR ------------------------------------------------------------------------------ */

/* An MPFR workspace at precision prec (MPFR_PREC_MIN..MPFR_PREC_MAX, COR_EINVAL otherwise). */
cor_eval_mpfr *cor_eval_mpfr_alloc(const cor_tape *tape, mpfr_prec_t prec);
void cor_eval_mpfr_free(cor_eval_mpfr *w);
mpfr_prec_t cor_eval_mpfr_prec(const cor_eval_mpfr *w);
/* out[i] = output i, rounded to the precision of out[i] (out may have any precision); in[j]
 * is read exactly (if its precision exceeds the workspace's, it is rounded on entry).
 * Returns COR_OK or COR_NONFINITE as for double. */
int cor_eval_mpfr_run(cor_eval_mpfr *w, mpfr_t *out, const mpfr_t *in);
/* As cor_eval_mpfr_run, reading the inputs from the decimal strings in[j] (exact decimal
 * text, rounded once at the workspace precision). COR_EPARSE if one is not a number. */
int cor_eval_mpfr_run_str(cor_eval_mpfr *w, mpfr_t *out, const char *const *in);
/* Magnitudes of the outputs of the last run, at the workspace precision. */
int cor_eval_mpfr_scale(cor_eval_mpfr *w, mpfr_t *scale);

#ifdef __cplusplus
}
#endif
#endif
