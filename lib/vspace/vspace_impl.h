/* vspace_impl.h -- private structures of the vspace module (never installed).
 *
 * The dispatch layer (vspace.c) checks every argument (NULL, kind, dimension, precision,
 * index) and then calls the backend through the space's const ops table. Backend functions
 * may therefore assume valid, compatible operands; they must support aliasing of outputs
 * and inputs and must not allocate. Optional slots (lincomb, mul, div, sqrt, addc) may be
 * NULL; vspace.c then runs a generic fallback.
 */
#ifndef COR_VSPACE_IMPL_H
#define COR_VSPACE_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include <mpfr.h>

#include "cor_vspace.h"

typedef struct cor_vspace_ops cor_vspace_ops;

/* Temporaries, allocated with the space. The mpfr_t members use MPFR's custom interface
 * over one limb block (block), so they never reallocate and are freed at once. */
typedef struct
{
    mpfr_t acc;       /* space precision (MPFR spaces): dot, nrm2, lincomb accumulators */
    mpfr_t qnum;      /* sizeof(long) bits: an exact long for cor_scalar_set_q */
    mpfr_t qres;      /* space precision: num/den rounded once */
    void *block;      /* limbs of the three numbers above */
    cor_scalar *sacc; /* scalars for the generic fallbacks of vspace.c */
    cor_scalar *stmp;
} cor_vspace_work;

struct cor_vspace
{
    cor_kind kind;
    size_t n;
    mpfr_prec_t prec;
    const cor_vspace_ops *ops;
    int fused;             /* use the backend's optional kernels when present */
    cor_vspace_work *work; /* behind a pointer: ops receive a const space */
};

struct cor_vec
{
    const cor_vspace *V;
    cor_kind kind; /* copies of V's fields: checks and free do not read V */
    size_t n;
    mpfr_prec_t prec;
    int owner; /* 1: data (and limbs) are ours */
    union
    {
        double *f64;
        float *f32;
        __mpfr_struct *mpfr; /* n numbers over the limb block limbs */
        void *any;
    } d;
    void *limbs;
};

struct cor_scalar
{
    const cor_vspace *V;
    cor_kind kind;
    mpfr_prec_t prec;
    union
    {
        double f64;
        float f32;
        mpfr_t mpfr; /* custom-initialised over limbs that follow the struct */
    } u;
};

/* The backend table. Scalar setters return COR_OK or COR_NONFINITE (never an error; the
 * dispatch layer has checked the arguments), except s_set_str (COR_EPARSE). */
struct cor_vspace_ops
{
    cor_kind kind;
    const char *name;

    /* scalars */
    int (*s_set_d)(cor_scalar *s, double d, const cor_vspace *V);
    int (*s_set_si)(cor_scalar *s, long k, const cor_vspace *V);
    int (*s_set_q)(cor_scalar *s, long num, long den, const cor_vspace *V);
    int (*s_set_str)(cor_scalar *s, const char *text, const cor_vspace *V);
    int (*s_set_mpfr)(cor_scalar *s, mpfr_srcptr x, const cor_vspace *V);
    int (*s_get_mpfr)(mpfr_ptr out, const cor_scalar *s);
    double (*s_get_d)(const cor_scalar *s);
    int (*s_set)(cor_scalar *dst, const cor_scalar *src);
    int (*s_add)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b);
    int (*s_sub)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b);
    int (*s_mul)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b);
    int (*s_div)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b);
    int (*s_sqrt)(cor_scalar *out, const cor_scalar *a);
    int (*s_neg)(cor_scalar *out, const cor_scalar *a);
    int (*s_abs)(cor_scalar *out, const cor_scalar *a);
    int (*s_is_finite)(const cor_scalar *s);
    int (*s_sgn)(const cor_scalar *s);
    int (*s_fprint)(FILE *f, const cor_scalar *s);

    /* required vector operations */
    void (*zero)(cor_vec *z);
    void (*copy)(cor_vec *z, const cor_vec *x);
    void (*axpby)(cor_vec *z, const cor_scalar *a, const cor_vec *x, const cor_scalar *b,
                  const cor_vec *y);
    void (*scale)(cor_vec *z, const cor_scalar *a, const cor_vec *x);
    int (*dot)(cor_scalar *d, const cor_vec *x, const cor_vec *y, const cor_vspace *V);
    int (*nrm2)(cor_scalar *r, const cor_vec *x, const cor_vspace *V);
    int (*amax)(cor_scalar *r, const cor_vec *x);
    int (*all_finite)(const cor_vec *x);
    double (*get_d)(const cor_vec *x, size_t i);
    int (*set_d)(cor_vec *z, size_t i, double val);
    int (*set_str)(cor_vec *z, size_t i, const char *text, const cor_vspace *V);
    void (*get_scalar)(cor_scalar *s, const cor_vec *x, size_t i);
    void (*set_scalar)(cor_vec *z, size_t i, const cor_scalar *s);
    int (*fprint)(FILE *f, const cor_vec *x);

    /* optional (fused) operations; NULL selects the generic fallback */
    void (*lincomb)(cor_vec *z, size_t m, const cor_scalar *const *c, const cor_vec *const *x,
                    const cor_vspace *V);
    void (*mul)(cor_vec *z, const cor_vec *x, const cor_vec *y);
    void (*div)(cor_vec *z, const cor_vec *x, const cor_vec *y);
    void (*sqrt)(cor_vec *z, const cor_vec *x);
    void (*addc)(cor_vec *z, const cor_vec *x, const cor_scalar *c);
};

extern const cor_vspace_ops cor_vspace_ops_f64_internal;
extern const cor_vspace_ops cor_vspace_ops_f32_internal;
extern const cor_vspace_ops cor_vspace_ops_mpfr_internal;

/* Bytes of limb storage for one MPFR number of precision prec (custom interface). */
size_t cor_vspace_mpfr_bytes_internal(mpfr_prec_t prec);
/* Initialises x as +0 of precision prec over limb storage limbs (custom interface). */
void cor_vspace_mpfr_init_internal(mpfr_ptr x, mpfr_prec_t prec, void *limbs);
/* Parses decimal text into a double (f64) or float (f32) with strtod/strtof: COR_OK,
 * COR_NONFINITE or COR_EPARSE (then *out is unchanged). */
int cor_vspace_parse_d_internal(double *out, const char *text);
int cor_vspace_parse_f_internal(float *out, const char *text);

#endif
