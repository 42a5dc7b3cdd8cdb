/* cor_vspace.h -- vector spaces, vectors and scalars over f64, f32 and MPFR.
 *
 * Every optimizer, flow integrator and driver of corridor is written once against this
 * header and runs unchanged on three backends (STYLE.md section 3):
 *
 *   COR_F64   IEEE binary64 vectors and scalars (precision 53);
 *   COR_F32   IEEE binary32 vectors and scalars (precision 24), for the float32 trainer;
 *   COR_MPFR  MPFR numbers at a precision fixed when the space is made (MPFR_RNDN).
 *
 * A space (cor_vspace) holds the kind, the dimension n, the precision, a const table of
 * operations and a workspace of preallocated temporaries. Vectors (cor_vec) and scalars
 * (cor_scalar) are made from a space and remember it. Scalars belong to the space: step
 * sizes, dot products and norms are cor_scalar values, never C doubles, so that an MPFR run
 * keeps its full precision end to end.
 *
 * Conventions (STYLE.md sections 6-8):
 *  - Value operations take outputs first, then inputs, then the space V last. V must be the
 *    space the operands were made from, or a space of the same kind, dimension and precision
 *    ("compatible"); otherwise the operation returns COR_EBADLEN. Scalars only need the same
 *    kind and precision (a scalar has no dimension). NULL operands give COR_EINVAL.
 *  - Outputs may alias inputs (z == x, z == y, out == a), for every operation.
 *  - Statuses: COR_OK; COR_NONFINITE (an outcome, not an error) when the scalar or element
 *    an operation wrote is NaN or infinite (the value is still written); errors COR_EINVAL,
 *    COR_EBADLEN, COR_EDOM, COR_EPARSE, COR_EIO, COR_ENOMEM, recorded with COR_ERROR.
 *    Elementwise vector operations (axpby, scale, lincomb, mul, ...) do not scan their
 *    result, which would cost a pass over memory: use cor_vec_all_finite.
 *  - Only _alloc, _wrap and the text I/O functions (set_str, fprint) may allocate. No other
 *    function allocates, on any backend: MPFR temporaries live in the space's workspace.
 *    Because of that workspace, two threads must not use one space (or its vectors and
 *    scalars) at the same time; distinct spaces are independent.
 *  - Free vectors and scalars before their space. Every _free accepts NULL.
 *
 * Rounding (details and the error bounds used by the tests in doc/vspace.md):
 *  - f64: every operation is an IEEE double operation, round to nearest. Reductions (dot,
 *    nrm2) and lincomb accumulate sequentially in double, left to right, so results are
 *    bit-reproducible. nrm2 rescales by a power of two when the plain sum of squares would
 *    overflow or underflow, so it is finite for all finite input.
 *  - f32: scalars are held in float and every scalar operation and elementwise vector
 *    operation is rounded to float, as a float32 trainer does. Reductions (dot, nrm2) and
 *    lincomb accumulate in double (products of floats are exact in double) and round to
 *    float once at the end; they are sequential and bit-reproducible.
 *  - MPFR: every operation rounds once per MPFR call with MPFR_RNDN at the space precision:
 *    axpby is one correctly rounded mpfr_fmma per element, dot, nrm2 and lincomb are
 *    sequential mpfr_fma chains. Exponents are MPFR's, so nothing overflows in practice.
 */
#ifndef COR_VSPACE_H
#define COR_VSPACE_H

#include <stddef.h>
#include <stdio.h>

#include <mpfr.h>

#include "cor_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The backend of a space. */
typedef enum
{
    COR_F64 = 1,
    COR_F32 = 2,
    COR_MPFR = 3
} cor_kind;

typedef struct cor_vspace cor_vspace;
typedef struct cor_vec cor_vec;
typedef struct cor_scalar cor_scalar;

/* ---- spaces --------------------------------------------------------------------------- */

/* A space of f64 vectors of dimension n >= 1, or NULL (COR_EINVAL for n == 0,
 * COR_ENOMEM). Allocates the space and its workspace. */
cor_vspace *cor_vspace_alloc_f64(size_t n);
/* A space of f32 vectors of dimension n >= 1, or NULL (as cor_vspace_alloc_f64). */
cor_vspace *cor_vspace_alloc_f32(size_t n);
/* A space of MPFR vectors of dimension n >= 1 at precision prec (MPFR_PREC_MIN..
 * MPFR_PREC_MAX bits), or NULL (COR_EINVAL for a bad n or prec, COR_ENOMEM). The workspace
 * temporaries are initialised here at prec bits; a different precision needs a new space. */
cor_vspace *cor_vspace_alloc_mpfr(size_t n, mpfr_prec_t prec);
/* Frees the space and its workspace. Vectors and scalars of the space must be freed first.
 * NULL is a no-op. */
void cor_vspace_free(cor_vspace *V);

/* The kind of V. */
cor_kind cor_vspace_kind(const cor_vspace *V);
/* The dimension of V. */
size_t cor_vspace_dim(const cor_vspace *V);
/* The precision of V in bits: 53 for f64, 24 for f32, the MPFR precision otherwise. */
mpfr_prec_t cor_vspace_prec(const cor_vspace *V);
/* A short static name: "f64", "f32" or "mpfr". */
const char *cor_vspace_name(const cor_vspace *V);
/* Fused operations on or off (on by default). With enable == 0 the optional operations
 * (lincomb, mul, div, sqrt, addc) use the generic element-by-element fallbacks of the
 * dispatch layer even where the backend has a fused kernel (SUNDIALS' N_VEnableFusedOps);
 * results then differ only by rounding. Returns the previous setting. Does not allocate. */
int cor_vspace_set_fused(cor_vspace *V, int enable);

/* ---- vectors -------------------------------------------------------------------------- */

/* A new vector of V, owning its storage, set to zero; or NULL (COR_EINVAL, COR_ENOMEM). */
cor_vec *cor_vec_alloc(const cor_vspace *V);
/* A vector of the f32 space V over the caller's array data[0..n-1]. The vector does not own
 * data (cor_vec_free leaves it alone) and data must outlive it. NULL, with COR_EINVAL, if V
 * is not an f32 space or data is NULL; NULL with COR_ENOMEM. Allocates the handle only. */
cor_vec *cor_vec_wrap_f32(const cor_vspace *V, float *data);
/* As cor_vec_wrap_f32, for f64 spaces and double arrays. */
cor_vec *cor_vec_wrap_f64(const cor_vspace *V, double *data);
/* Frees v and, if it owns it, its storage. NULL is a no-op. */
void cor_vec_free(cor_vec *v);

/* The space v was made from. */
const cor_vspace *cor_vec_space(const cor_vec *v);
/* The dimension of v. */
size_t cor_vec_dim(const cor_vec *v);
/* Raw storage for backends and the trainer: the n floats (doubles) of an f32 (f64) vector,
 * or NULL for a vector of another kind. Writing through the pointer is allowed. */
float *cor_vec_data_f32(cor_vec *v);
double *cor_vec_data_f64(cor_vec *v);
/* Read-only variants of cor_vec_data_f32 / _f64. */
const float *cor_vec_const_data_f32(const cor_vec *v);
const double *cor_vec_const_data_f64(const cor_vec *v);
/* Element i of an MPFR vector, or NULL if v is not MPFR or i >= n. Its precision is the
 * space's and must not be changed (no mpfr_set_prec, no mpfr_clear). */
mpfr_ptr cor_vec_mpfr_ptr(cor_vec *v, size_t i);
/* Read-only variant of cor_vec_mpfr_ptr. */
mpfr_srcptr cor_vec_mpfr_srcptr(const cor_vec *v, size_t i);

/* ---- scalars -------------------------------------------------------------------------- */

/* A new scalar of V, set to zero; or NULL (COR_EINVAL, COR_ENOMEM). */
cor_scalar *cor_scalar_alloc(const cor_vspace *V);
/* Frees s. NULL is a no-op. */
void cor_scalar_free(cor_scalar *s);
/* The space s was made from. */
const cor_vspace *cor_scalar_space(const cor_scalar *s);

/* Setters. Each rounds its exact argument once to the space (round to nearest) and returns
 * COR_OK, COR_NONFINITE if the stored value is NaN or infinite (d = NaN; overflow when a
 * double is rounded to f32), or an error. None allocates except cor_scalar_set_str. */
/* s = d. */
COR_WARN_UNUSED int cor_scalar_set_d(cor_scalar *s, double d);
/* s = k. */
COR_WARN_UNUSED int cor_scalar_set_si(cor_scalar *s, long k);
/* s = num / den, the exact rational rounded once (1/6 for RK4). COR_EDOM if den == 0. */
COR_WARN_UNUSED int cor_scalar_set_q(cor_scalar *s, long num, long den);
/* s = the decimal number in text, read at the space precision and never through a double
 * (strtod/strtof for f64/f32, which are correctly rounded; mpfr_strtofr for MPFR). Leading
 * and trailing white space is allowed; "inf" and "nan" are accepted (COR_NONFINITE).
 * COR_EPARSE if text is not one number; s is then unchanged. May allocate (inside MPFR). */
COR_WARN_UNUSED int cor_scalar_set_str(cor_scalar *s, const char *text);
/* s = x, an MPFR number of any precision, rounded to the space. */
COR_WARN_UNUSED int cor_scalar_set_mpfr(cor_scalar *s, mpfr_srcptr x);
/* dst = src; src may belong to any space (rounded to dst's space if it is wider). */
COR_WARN_UNUSED int cor_scalar_set(cor_scalar *dst, const cor_scalar *src);

/* out = s rounded to out's own precision (exact when it has at least the space precision).
 * Returns COR_OK, COR_NONFINITE or COR_EINVAL (NULL). */
COR_WARN_UNUSED int cor_scalar_get_mpfr(mpfr_ptr out, const cor_scalar *s);
/* s rounded to the nearest double (NaN for a NULL s). */
double cor_scalar_get_d(const cor_scalar *s);

/* Arithmetic: out = a + b, a - b, a * b, a / b, sqrt(a), -a, |a|. Outputs first, space
 * last; out may alias a or b. One rounding (round to nearest) in the space: IEEE for
 * f64/f32 (f32 in float), MPFR_RNDN at the space precision. IEEE special values follow
 * (1/0 = inf, sqrt(-1) = NaN) and give COR_NONFINITE. COR_EBADLEN if an operand does not
 * belong to V (kind or precision differ). No allocation. */
COR_WARN_UNUSED int cor_scalar_add(cor_scalar *out, const cor_scalar *a, const cor_scalar *b,
                                   const cor_vspace *V);
COR_WARN_UNUSED int cor_scalar_sub(cor_scalar *out, const cor_scalar *a, const cor_scalar *b,
                                   const cor_vspace *V);
COR_WARN_UNUSED int cor_scalar_mul(cor_scalar *out, const cor_scalar *a, const cor_scalar *b,
                                   const cor_vspace *V);
COR_WARN_UNUSED int cor_scalar_div(cor_scalar *out, const cor_scalar *a, const cor_scalar *b,
                                   const cor_vspace *V);
COR_WARN_UNUSED int cor_scalar_sqrt(cor_scalar *out, const cor_scalar *a, const cor_vspace *V);
COR_WARN_UNUSED int cor_scalar_neg(cor_scalar *out, const cor_scalar *a, const cor_vspace *V);
COR_WARN_UNUSED int cor_scalar_abs(cor_scalar *out, const cor_scalar *a, const cor_vspace *V);

/* Sign of a - b: -1, 0 or +1. Works across spaces and precisions (the values
 * are compared exactly). A NaN operand compares equal (returns 0), as mpfr_cmp does: test
 * cor_scalar_is_finite first where that matters. NULL operands return 0. No allocation. */
int cor_scalar_cmp(const cor_scalar *a, const cor_scalar *b);
/* 1 if s is finite (not NaN, not infinite), else 0 (also for NULL). */
int cor_scalar_is_finite(const cor_scalar *s);
/* -1, 0 or +1 by the sign of s; 0 for NaN and NULL. */
int cor_scalar_sgn(const cor_scalar *s);
/* Writes s and a newline to f with as many digits as round-trip: %.17g (f64), %.9g (f32),
 * mpfr_get_str_ndigits(10, prec) significant digits (MPFR). COR_EIO on a write error. */
COR_WARN_UNUSED int cor_scalar_fprint(FILE *f, const cor_scalar *s);

/* ---- required vector operations ------------------------------------------------------ */

/* z = 0. */
COR_WARN_UNUSED int cor_vec_zero(cor_vec *z, const cor_vspace *V);
/* z = x. */
COR_WARN_UNUSED int cor_vec_copy(cor_vec *z, const cor_vec *x, const cor_vspace *V);
/* z = a*x + b*y elementwise. f64/f32: two products and a sum, each rounded (f32 in float);
 * MPFR: one correctly rounded mpfr_fmma per element. y is read even when b == 0 (so a NaN
 * in y propagates, as IEEE says). z may alias x and/or y. */
COR_WARN_UNUSED int cor_vec_axpby(cor_vec *z, const cor_scalar *a, const cor_vec *x,
                                  const cor_scalar *b, const cor_vec *y, const cor_vspace *V);
/* z = a*x (one rounding per element). z may alias x. */
COR_WARN_UNUSED int cor_vec_scale(cor_vec *z, const cor_scalar *a, const cor_vec *x,
                                  const cor_vspace *V);
/* d = sum_i x_i*y_i, sequential from i = 0 (f32: accumulated in double, rounded once;
 * MPFR: an mpfr_fma chain in a workspace temporary). COR_NONFINITE if d is not finite. */
COR_WARN_UNUSED int cor_vec_dot(cor_scalar *d, const cor_vec *x, const cor_vec *y,
                                const cor_vspace *V);
/* r = sqrt(sum_i x_i^2), sequential. f64 rescales by a power of two (exactly) when the
 * plain sum overflows or underflows, so r is finite for finite x. f32 accumulates in
 * double (cannot overflow). COR_NONFINITE if r is not finite (x has NaN or Inf). */
COR_WARN_UNUSED int cor_vec_nrm2(cor_scalar *r, const cor_vec *x, const cor_vspace *V);
/* r = max_i |x_i| (exact); NaN if some x_i is NaN (COR_NONFINITE then, or for Inf). */
COR_WARN_UNUSED int cor_vec_amax(cor_scalar *r, const cor_vec *x, const cor_vspace *V);
/* 1 if every element of x is finite, 0 if one is NaN or infinite. A NULL or incompatible
 * argument records COR_EINVAL / COR_EBADLEN and returns 0. */
int cor_vec_all_finite(const cor_vec *x, const cor_vspace *V);

/* *out = x_i rounded to the nearest double. COR_EINVAL for i >= n; COR_NONFINITE if *out
 * is not finite (also for an MPFR element beyond the range of double). */
COR_WARN_UNUSED int cor_vec_get_d(double *out, const cor_vec *x, size_t i,
                                  const cor_vspace *V);
/* z_i = val, rounded once to the space. COR_EINVAL for i >= n; COR_NONFINITE if the stored
 * value is not finite. */
COR_WARN_UNUSED int cor_vec_set_d(cor_vec *z, size_t i, double val, const cor_vspace *V);
/* z_i = the decimal number in text, as cor_scalar_set_str (never through a double).
 * COR_EPARSE leaves z_i unchanged. May allocate (inside MPFR). */
COR_WARN_UNUSED int cor_vec_set_str(cor_vec *z, size_t i, const char *text,
                                    const cor_vspace *V);
/* s = x_i (exact). */
COR_WARN_UNUSED int cor_vec_get_scalar(cor_scalar *s, const cor_vec *x, size_t i,
                                       const cor_vspace *V);
/* z_i = s (exact). */
COR_WARN_UNUSED int cor_vec_set_scalar(cor_vec *z, size_t i, const cor_scalar *s,
                                       const cor_vspace *V);
/* Writes x to f, one element per line, as cor_scalar_fprint does. COR_EIO on a write
 * error. May allocate (inside stdio and MPFR). */
COR_WARN_UNUSED int cor_vec_fprint(FILE *f, const cor_vec *x, const cor_vspace *V);

/* ---- optional (fused) vector operations ---------------------------------------------- */
/* Backends may leave these out; the dispatch layer then runs a generic fallback element by
 * element through the scalar operations and two workspace scalars (no allocation either). */

/* z = sum_{k<m} c[k]*x[k] elementwise. f64/f32 accumulate in double per element, MPFR in
 * an mpfr_fma chain; the fallback rounds each product and sum in the space. z may alias
 * any x[k] (each element is read in full before it is written). m == 0 sets z = 0.
 * COR_EINVAL if c or x is NULL while m > 0 or any entry is NULL. */
COR_WARN_UNUSED int cor_vec_lincomb(cor_vec *z, size_t m, const cor_scalar *const *c,
                                    const cor_vec *const *x, const cor_vspace *V);
/* z_i = x_i * y_i (one rounding). z may alias x and/or y. */
COR_WARN_UNUSED int cor_vec_mul(cor_vec *z, const cor_vec *x, const cor_vec *y,
                                const cor_vspace *V);
/* z_i = x_i / y_i (one rounding; IEEE for y_i == 0). z may alias x and/or y. */
COR_WARN_UNUSED int cor_vec_div(cor_vec *z, const cor_vec *x, const cor_vec *y,
                                const cor_vspace *V);
/* z_i = sqrt(x_i) (one rounding; NaN for x_i < 0). z may alias x. */
COR_WARN_UNUSED int cor_vec_sqrt(cor_vec *z, const cor_vec *x, const cor_vspace *V);
/* z_i = x_i + c (one rounding), e.g. sqrt(v) + eps in Adam. z may alias x. */
COR_WARN_UNUSED int cor_vec_addc(cor_vec *z, const cor_vec *x, const cor_scalar *c,
                                 const cor_vspace *V);

#ifdef __cplusplus
}
#endif
#endif
