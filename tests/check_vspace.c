/* check_vspace.c -- unit and conformance tests of the vspace module.
 *
 * The heart is cor_test_vspace(V, wrap): one battery run identically on every backend
 * (FLINT's gr_test_ring, SUNDIALS' test_nvector) -- f64 and f32 with owned vectors and with
 * vectors wrapping caller buffers, and MPFR at 53, 113, 256 and 1024 bits -- and, within each
 * run, once with the fused kernels and once with the generic fallbacks of vspace.c.
 *
 * Oracle. Every result is compared with a reference computed in MPFR at REF_PREC = 2048 bits
 * from the values actually stored in the operands (read back exactly), so f32 data rounded
 * on input is no source of error. Random data have full-precision random mantissas at 2048
 * bits rounded to the space, exponents in [-6, 6] and random signs. With u = 2^-p, p the
 * space precision (24, 53 or the MPFR precision), and n the dimension, the bounds checked
 * are (each a proven bound for the algorithm documented in cor_vspace.h, with slack):
 *   scale, mul, div, sqrt, addc,
 *   scalar add/sub/mul/div/sqrt   |z - ref| <= u |ref|              (correct rounding)
 *   axpby                         |z - ref| <= 3u (|a x| + |b y|)
 *   dot                           |d - ref| <= (n+2) ua S + 2u |ref|,  S = sum |x_i y_i|
 *   nrm2                          |r - ref| <= ((n+2) ua + 2u) ref
 *   lincomb (m terms)             |z - ref| <= (m+2) u sum_k |c_k x_k|
 *   amax, neg, abs, copy, get/set_scalar, fprint + set_str round trip: exact.
 * ua is the unit roundoff of the accumulator: 2^-53 for f32 and f64 (double), u for MPFR.
 * So the f32 dot and nrm2 bounds are only met because they accumulate in double.
 * Aliased calls (z == x, z == y, z == x == y, out == a) must give bit-identical results to
 * the same call on distinct copies.
 *
 * No-allocation test: see test_no_alloc below.
 */
#include "config.h"

#include <check.h>
#include <float.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_vspace.h"
#include "testlib.h"

#define REF_PREC 2048
#define DIM 33
#define MAXV 24

typedef struct
{
    const char *name;
    cor_kind kind;
    mpfr_prec_t prec;
    int wrap;
} cfg_t;

static const cfg_t cfgs[] = {
    {"f64", COR_F64, 53, 0},       {"f64-wrap", COR_F64, 53, 1},    {"f32", COR_F32, 24, 0},
    {"f32-wrap", COR_F32, 24, 1},  {"mpfr53", COR_MPFR, 53, 0},     {"mpfr113", COR_MPFR, 113, 0},
    {"mpfr256", COR_MPFR, 256, 0}, {"mpfr1024", COR_MPFR, 1024, 0},
};
#define NCFG ((int)(sizeof cfgs / sizeof cfgs[0]))

static cor_vspace *
space_for(const cfg_t *c, size_t n)
{
    switch (c->kind)
    {
    case COR_F64:
        return cor_vspace_alloc_f64(n);
    case COR_F32:
        return cor_vspace_alloc_f32(n);
    default:
        return cor_vspace_alloc_mpfr(n, c->prec);
    }
}

/* ---- test context --------------------------------------------------------------------- */

typedef struct
{
    cor_vspace *V;
    int wrap;
    const char *label; /* backend name and fused/fallback, for messages */
    char labelbuf[64];
    size_t n;
    mpfr_prec_t p;  /* space precision: u = 2^-p */
    mpfr_prec_t pa; /* accumulator precision: ua = 2^-pa */
    int nvec;
    cor_vec *vec[MAXV];
    void *buf[MAXV];
    cor_scalar *s, *s2; /* scratch scalars of the space */
    gmp_randstate_t rs;
    mpfr_t r0, r1, r2, r3, err, bnd;
} tctx;

static void
ctx_init(tctx *t, cor_vspace *V, int wrap, unsigned salt)
{
    memset(t, 0, sizeof *t);
    t->V = V;
    t->wrap = wrap;
    t->n = cor_vspace_dim(V);
    t->p = cor_vspace_prec(V);
    t->pa = cor_vspace_kind(V) == COR_MPFR ? t->p : 53;
    t->s = cor_scalar_alloc(V);
    t->s2 = cor_scalar_alloc(V);
    ck_assert_ptr_nonnull(t->s);
    ck_assert_ptr_nonnull(t->s2);
    gmp_randinit_default(t->rs);
    gmp_randseed_ui(t->rs, (unsigned long)(cor_test_seed() * 1000003u + salt));
    mpfr_inits2(REF_PREC, t->r0, t->r1, t->r2, t->r3, t->err, t->bnd, (mpfr_ptr)0);
    snprintf(t->labelbuf, sizeof t->labelbuf, "%s(%ld)%s", cor_vspace_name(V), (long)t->p,
             wrap ? "-wrap" : "");
    t->label = t->labelbuf;
}

static void
ctx_clear(tctx *t)
{
    int k;

    for (k = 0; k < t->nvec; k++)
    {
        cor_vec_free(t->vec[k]);
        free(t->buf[k]);
    }
    cor_scalar_free(t->s);
    cor_scalar_free(t->s2);
    gmp_randclear(t->rs);
    mpfr_clears(t->r0, t->r1, t->r2, t->r3, t->err, t->bnd, (mpfr_ptr)0);
}

/* A vector of the space: owned, or wrapping a test buffer (filled with garbage first, to
 * show that nothing relies on zeroed memory). */
static cor_vec *
new_vec(tctx *t)
{
    cor_vec *v;
    void *buf = NULL;
    size_t k;

    ck_assert_int_lt(t->nvec, MAXV);
    if (t->wrap && cor_vspace_kind(t->V) == COR_F32)
    {
        float *b = malloc(t->n * sizeof *b);
        ck_assert_ptr_nonnull(b);
        for (k = 0; k < t->n; k++)
            b[k] = 1234.5f;
        v = cor_vec_wrap_f32(t->V, b);
        ck_assert_ptr_eq(cor_vec_data_f32(v), b);
        buf = b;
    }
    else if (t->wrap && cor_vspace_kind(t->V) == COR_F64)
    {
        double *b = malloc(t->n * sizeof *b);
        ck_assert_ptr_nonnull(b);
        for (k = 0; k < t->n; k++)
            b[k] = -777.25;
        v = cor_vec_wrap_f64(t->V, b);
        ck_assert_ptr_eq(cor_vec_data_f64(v), b);
        buf = b;
    }
    else
        v = cor_vec_alloc(t->V);
    ck_assert_ptr_nonnull(v);
    t->vec[t->nvec] = v;
    t->buf[t->nvec] = buf;
    t->nvec++;
    return v;
}

/* A random number at REF_PREC: mantissa in [0.5, 1.5), exponent in [-6, 6], random sign. */
static void
rand_ref(tctx *t, mpfr_ptr r, int positive)
{
    mpfr_urandomb(r, t->rs);
    mpfr_add_d(r, r, 0.5, MPFR_RNDN);
    mpfr_mul_2si(r, r, (long)gmp_urandomm_ui(t->rs, 13) - 6, MPFR_RNDN);
    if (!positive && gmp_urandomm_ui(t->rs, 2))
        mpfr_neg(r, r, MPFR_RNDN);
}

static void
rand_scalar(tctx *t, cor_scalar *s, int positive)
{
    rand_ref(t, t->r0, positive);
    ck_assert_int_eq(cor_scalar_set_mpfr(s, t->r0), COR_OK);
}

static void
rand_vec(tctx *t, cor_vec *v, int positive)
{
    size_t i;

    for (i = 0; i < t->n; i++)
    {
        rand_scalar(t, t->s, positive);
        ck_assert_int_eq(cor_vec_set_scalar(v, i, t->s, t->V), COR_OK);
    }
}

/* out = x_i exactly, at REF_PREC. */
static void
ref_elem(tctx *t, mpfr_ptr out, const cor_vec *x, size_t i)
{
    int st = cor_vec_get_scalar(t->s2, x, i, t->V);

    ck_assert(st == COR_OK || st == COR_NONFINITE);
    ck_assert(cor_scalar_get_mpfr(out, t->s2) != COR_EINVAL);
}

static void
ref_scalar(mpfr_ptr out, const cor_scalar *s)
{
    ck_assert(cor_scalar_get_mpfr(out, s) != COR_EINVAL);
}

/* Asserts |got - ref| <= factor * 2^-e * scale (t->err, t->bnd are used). */
static void
check_bound(tctx *t, const char *what, size_t i, mpfr_srcptr got, mpfr_srcptr ref,
            mpfr_srcptr scale, double factor, mpfr_prec_t e)
{
    mpfr_sub(t->err, got, ref, MPFR_RNDN);
    mpfr_abs(t->err, t->err, MPFR_RNDN);
    mpfr_abs(t->bnd, scale, MPFR_RNDN);
    mpfr_mul_d(t->bnd, t->bnd, factor, MPFR_RNDU);
    mpfr_mul_2si(t->bnd, t->bnd, -(long)e, MPFR_RNDU);
    if (mpfr_cmp(t->err, t->bnd) > 0)
    {
        mpfr_div(t->err, t->err, t->bnd, MPFR_RNDN);
        ck_abort_msg("%s %s element %zu: error is %.3g times the bound (got %.17g, ref %.17g)",
                     t->label, what, i, mpfr_get_d(t->err, MPFR_RNDN), mpfr_get_d(got, MPFR_RNDN),
                     mpfr_get_d(ref, MPFR_RNDN));
    }
}

/* Asserts x == y element by element, exactly. */
static void
check_equal(tctx *t, const char *what, const cor_vec *x, const cor_vec *y)
{
    size_t i;

    for (i = 0; i < t->n; i++)
    {
        ref_elem(t, t->r2, x, i);
        ref_elem(t, t->r3, y, i);
        ck_assert_msg(mpfr_equal_p(t->r2, t->r3), "%s %s: element %zu differs (%.17g, %.17g)",
                      t->label, what, i, mpfr_get_d(t->r2, MPFR_RNDN),
                      mpfr_get_d(t->r3, MPFR_RNDN));
    }
}

/* ---- the battery ---------------------------------------------------------------------- */

static void
bat_zero_copy(tctx *t)
{
    cor_vec *x = new_vec(t), *z = new_vec(t);
    size_t i;

    rand_vec(t, x, 0);
    ck_assert_int_eq(cor_vec_copy(z, x, t->V), COR_OK);
    check_equal(t, "copy", z, x);
    ck_assert_int_eq(cor_vec_copy(z, z, t->V), COR_OK);
    check_equal(t, "copy z=z", z, x);
    ck_assert_int_eq(cor_vec_zero(z, t->V), COR_OK);
    for (i = 0; i < t->n; i++)
    {
        ref_elem(t, t->r0, z, i);
        ck_assert_msg(mpfr_zero_p(t->r0), "%s zero: element %zu", t->label, i);
    }
    ck_assert_int_eq(cor_vec_dim(z), t->n);
    ck_assert_ptr_eq(cor_vec_space(z), t->V);
}

static void
bat_axpby(tctx *t)
{
    cor_vec *x = new_vec(t), *y = new_vec(t), *z = new_vec(t), *w = new_vec(t);
    cor_scalar *a = cor_scalar_alloc(t->V), *b = cor_scalar_alloc(t->V);
    mpfr_t ra, rb, sc;
    size_t i;

    mpfr_inits2(REF_PREC, ra, rb, sc, (mpfr_ptr)0);
    rand_vec(t, x, 0);
    rand_vec(t, y, 0);
    rand_scalar(t, a, 0);
    rand_scalar(t, b, 0);
    ref_scalar(ra, a);
    ref_scalar(rb, b);
    ck_assert_int_eq(cor_vec_axpby(z, a, x, b, y, t->V), COR_OK);
    for (i = 0; i < t->n; i++)
    {
        ref_elem(t, t->r0, x, i);
        ref_elem(t, t->r1, y, i);
        mpfr_mul(t->r0, t->r0, ra, MPFR_RNDN);
        mpfr_mul(t->r1, t->r1, rb, MPFR_RNDN);
        mpfr_abs(sc, t->r0, MPFR_RNDN);
        mpfr_abs(t->r2, t->r1, MPFR_RNDN);
        mpfr_add(sc, sc, t->r2, MPFR_RNDN);
        mpfr_add(t->r0, t->r0, t->r1, MPFR_RNDN);
        ref_elem(t, t->r1, z, i);
        check_bound(t, "axpby", i, t->r1, t->r0, sc, 3, t->p);
    }
    /* aliasing: z == x, z == y, z == x == y */
    ck_assert_int_eq(cor_vec_copy(w, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_axpby(w, a, w, b, y, t->V), COR_OK);
    check_equal(t, "axpby z=x", w, z);
    ck_assert_int_eq(cor_vec_copy(w, y, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_axpby(w, a, x, b, w, t->V), COR_OK);
    check_equal(t, "axpby z=y", w, z);
    ck_assert_int_eq(cor_vec_axpby(z, a, x, b, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_copy(w, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_axpby(w, a, w, b, w, t->V), COR_OK);
    check_equal(t, "axpby z=x=y", w, z);

    mpfr_clears(ra, rb, sc, (mpfr_ptr)0);
    cor_scalar_free(a);
    cor_scalar_free(b);
}

static void
bat_scale(tctx *t)
{
    cor_vec *x = new_vec(t), *z = new_vec(t);
    cor_scalar *a = cor_scalar_alloc(t->V);
    size_t i;

    rand_vec(t, x, 0);
    rand_scalar(t, a, 0);
    ref_scalar(t->r3, a);
    ck_assert_int_eq(cor_vec_scale(z, a, x, t->V), COR_OK);
    for (i = 0; i < t->n; i++)
    {
        ref_elem(t, t->r0, x, i);
        mpfr_mul(t->r0, t->r0, t->r3, MPFR_RNDN);
        ref_elem(t, t->r1, z, i);
        check_bound(t, "scale", i, t->r1, t->r0, t->r0, 1, t->p);
    }
    ck_assert_int_eq(cor_vec_scale(x, a, x, t->V), COR_OK);
    check_equal(t, "scale z=x", x, z);
    cor_scalar_free(a);
}

static void
bat_dot_nrm2_amax(tctx *t)
{
    cor_vec *x = new_vec(t), *y = new_vec(t), *w = new_vec(t);
    cor_scalar *d = cor_scalar_alloc(t->V), *d2 = cor_scalar_alloc(t->V);
    mpfr_t ref, S, am;
    size_t i;

    mpfr_inits2(REF_PREC, ref, S, am, (mpfr_ptr)0);
    rand_vec(t, x, 0);
    rand_vec(t, y, 0);

    /* dot */
    mpfr_set_zero(ref, 1);
    mpfr_set_zero(S, 1);
    for (i = 0; i < t->n; i++)
    {
        ref_elem(t, t->r0, x, i);
        ref_elem(t, t->r1, y, i);
        mpfr_mul(t->r0, t->r0, t->r1, MPFR_RNDN);
        mpfr_add(ref, ref, t->r0, MPFR_RNDN);
        mpfr_abs(t->r0, t->r0, MPFR_RNDN);
        mpfr_add(S, S, t->r0, MPFR_RNDN);
    }
    ck_assert_int_eq(cor_vec_dot(d, x, y, t->V), COR_OK);
    ref_scalar(t->r1, d);
    /* bound (n+2) ua S + 2u |ref|, as one check: scale = S + 2^(pa-p+1) |ref| / (n+2) */
    mpfr_abs(t->r2, ref, MPFR_RNDN);
    mpfr_mul_2si(t->r2, t->r2, (long)(t->pa - t->p + 1), MPFR_RNDN);
    mpfr_div_ui(t->r2, t->r2, (unsigned long)(t->n + 2), MPFR_RNDN);
    mpfr_add(t->r2, t->r2, S, MPFR_RNDN);
    check_bound(t, "dot", 0, t->r1, ref, t->r2, (double)(t->n + 2), t->pa);

    /* dot(x, x) equals dot(x, copy of x) */
    ck_assert_int_eq(cor_vec_copy(w, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_dot(d, x, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_dot(d2, x, w, t->V), COR_OK);
    ck_assert_msg(cor_scalar_cmp(d, d2) == 0, "%s dot(x,x)", t->label);

    /* nrm2 and amax */
    mpfr_set_zero(ref, 1);
    mpfr_set_zero(am, 1);
    for (i = 0; i < t->n; i++)
    {
        ref_elem(t, t->r0, x, i);
        if (mpfr_cmpabs(t->r0, am) > 0)
            mpfr_abs(am, t->r0, MPFR_RNDN);
        mpfr_sqr(t->r0, t->r0, MPFR_RNDN);
        mpfr_add(ref, ref, t->r0, MPFR_RNDN);
    }
    mpfr_sqrt(ref, ref, MPFR_RNDN);
    ck_assert_int_eq(cor_vec_nrm2(d, x, t->V), COR_OK);
    ref_scalar(t->r1, d);
    mpfr_mul_2si(t->r2, ref, (long)(t->pa - t->p + 1), MPFR_RNDN);
    mpfr_div_ui(t->r2, t->r2, (unsigned long)(t->n + 2), MPFR_RNDN);
    mpfr_add(t->r2, t->r2, ref, MPFR_RNDN);
    check_bound(t, "nrm2", 0, t->r1, ref, t->r2, (double)(t->n + 2), t->pa);

    ck_assert_int_eq(cor_vec_amax(d, x, t->V), COR_OK);
    ref_scalar(t->r1, d);
    ck_assert_msg(mpfr_equal_p(t->r1, am), "%s amax", t->label);

    mpfr_clears(ref, S, am, (mpfr_ptr)0);
    cor_scalar_free(d);
    cor_scalar_free(d2);
}

#define LC_M 5

static void
bat_lincomb(tctx *t)
{
    cor_vec *x[LC_M], *z = new_vec(t), *w = new_vec(t);
    cor_scalar *c[LC_M];
    mpfr_t ref, S;
    size_t i, k;

    mpfr_inits2(REF_PREC, ref, S, (mpfr_ptr)0);
    for (k = 0; k < LC_M; k++)
    {
        x[k] = new_vec(t);
        rand_vec(t, x[k], 0);
        c[k] = cor_scalar_alloc(t->V);
        rand_scalar(t, c[k], 0);
    }
    ck_assert_int_eq(
        cor_vec_lincomb(z, LC_M, (const cor_scalar *const *)c, (const cor_vec *const *)x, t->V),
        COR_OK);
    for (i = 0; i < t->n; i++)
    {
        mpfr_set_zero(ref, 1);
        mpfr_set_zero(S, 1);
        for (k = 0; k < LC_M; k++)
        {
            ref_elem(t, t->r0, x[k], i);
            ref_scalar(t->r1, c[k]);
            mpfr_mul(t->r0, t->r0, t->r1, MPFR_RNDN);
            mpfr_add(ref, ref, t->r0, MPFR_RNDN);
            mpfr_abs(t->r0, t->r0, MPFR_RNDN);
            mpfr_add(S, S, t->r0, MPFR_RNDN);
        }
        ref_elem(t, t->r1, z, i);
        check_bound(t, "lincomb", i, t->r1, ref, S, LC_M + 2, t->p);
    }
    /* aliasing: z is x[0], then z is x[2] */
    for (k = 0; k < LC_M; k += 2)
    {
        cor_vec *save = x[k];
        ck_assert_int_eq(cor_vec_copy(w, save, t->V), COR_OK);
        x[k] = w;
        ck_assert_int_eq(
            cor_vec_lincomb(w, LC_M, (const cor_scalar *const *)c, (const cor_vec *const *)x, t->V),
            COR_OK);
        x[k] = save;
        check_equal(t, "lincomb z=x[k]", w, z);
    }
    /* m = 1 is scale; m = 0 is zero */
    ck_assert_int_eq(
        cor_vec_lincomb(w, 1, (const cor_scalar *const *)c, (const cor_vec *const *)x, t->V),
        COR_OK);
    ck_assert_int_eq(cor_vec_scale(z, c[0], x[0], t->V), COR_OK);
    check_equal(t, "lincomb m=1", w, z);
    ck_assert_int_eq(cor_vec_lincomb(w, 0, NULL, NULL, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_zero(z, t->V), COR_OK);
    check_equal(t, "lincomb m=0", w, z);

    for (k = 0; k < LC_M; k++)
        cor_scalar_free(c[k]);
    mpfr_clears(ref, S, (mpfr_ptr)0);
}

static void
bat_elementwise(tctx *t)
{
    cor_vec *x = new_vec(t), *y = new_vec(t), *z = new_vec(t), *w = new_vec(t);
    cor_vec *px = new_vec(t);
    cor_scalar *c = cor_scalar_alloc(t->V);
    mpfr_t rc;
    size_t i;
    int op;

    mpfr_init2(rc, REF_PREC);
    rand_vec(t, x, 0);
    rand_vec(t, y, 0);
    rand_vec(t, px, 1);
    rand_scalar(t, c, 0);
    ref_scalar(rc, c);
    for (op = 0; op < 4; op++)
    {
        const char *name = op == 0 ? "mul" : op == 1 ? "div" : op == 2 ? "sqrt" : "addc";
        int st = op == 0   ? cor_vec_mul(z, x, y, t->V)
                 : op == 1 ? cor_vec_div(z, x, y, t->V)
                 : op == 2 ? cor_vec_sqrt(z, px, t->V)
                           : cor_vec_addc(z, x, c, t->V);
        ck_assert_int_eq(st, COR_OK);
        for (i = 0; i < t->n; i++)
        {
            ref_elem(t, t->r0, op == 2 ? px : x, i);
            ref_elem(t, t->r1, y, i);
            if (op == 0)
                mpfr_mul(t->r0, t->r0, t->r1, MPFR_RNDN);
            else if (op == 1)
                mpfr_div(t->r0, t->r0, t->r1, MPFR_RNDN);
            else if (op == 2)
                mpfr_sqrt(t->r0, t->r0, MPFR_RNDN);
            else
                mpfr_add(t->r0, t->r0, rc, MPFR_RNDN);
            ref_elem(t, t->r1, z, i);
            check_bound(t, name, i, t->r1, t->r0, t->r0, 1, t->p);
        }
        /* aliasing z == first input, and z == second input for mul and div */
        ck_assert_int_eq(cor_vec_copy(w, op == 2 ? px : x, t->V), COR_OK);
        st = op == 0   ? cor_vec_mul(w, w, y, t->V)
             : op == 1 ? cor_vec_div(w, w, y, t->V)
             : op == 2 ? cor_vec_sqrt(w, w, t->V)
                       : cor_vec_addc(w, w, c, t->V);
        ck_assert_int_eq(st, COR_OK);
        check_equal(t, name, w, z);
        if (op < 2)
        {
            ck_assert_int_eq(cor_vec_copy(w, y, t->V), COR_OK);
            st = op == 0 ? cor_vec_mul(w, x, w, t->V) : cor_vec_div(w, x, w, t->V);
            ck_assert_int_eq(st, COR_OK);
            check_equal(t, name, w, z);
        }
    }
    /* mul z == x == y is the elementwise square */
    ck_assert_int_eq(cor_vec_mul(z, x, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_copy(w, x, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_mul(w, w, w, t->V), COR_OK);
    check_equal(t, "mul z=x=y", w, z);
    mpfr_clear(rc);
    cor_scalar_free(c);
}

static void
bat_scalars(tctx *t)
{
    cor_scalar *a = cor_scalar_alloc(t->V), *b = cor_scalar_alloc(t->V);
    cor_scalar *o = cor_scalar_alloc(t->V), *o2 = cor_scalar_alloc(t->V);
    mpfr_t ra, rb;
    int op, rep;

    mpfr_inits2(REF_PREC, ra, rb, (mpfr_ptr)0);
    for (rep = 0; rep < 20; rep++)
    {
        rand_scalar(t, a, 0);
        rand_scalar(t, b, 0);
        ref_scalar(ra, a);
        ref_scalar(rb, b);
        for (op = 0; op < 7; op++)
        {
            static const char *const names[] = {"add", "sub", "mul", "div", "sqrt", "neg", "abs"};
            int st;

            switch (op)
            {
            case 0:
                st = cor_scalar_add(o, a, b, t->V);
                mpfr_add(t->r0, ra, rb, MPFR_RNDN);
                break;
            case 1:
                st = cor_scalar_sub(o, a, b, t->V);
                mpfr_sub(t->r0, ra, rb, MPFR_RNDN);
                break;
            case 2:
                st = cor_scalar_mul(o, a, b, t->V);
                mpfr_mul(t->r0, ra, rb, MPFR_RNDN);
                break;
            case 3:
                st = cor_scalar_div(o, a, b, t->V);
                mpfr_div(t->r0, ra, rb, MPFR_RNDN);
                break;
            case 4:
                st = cor_scalar_abs(o2, a, t->V);
                ck_assert_int_eq(st, COR_OK);
                st = cor_scalar_sqrt(o, o2, t->V);
                mpfr_abs(t->r0, ra, MPFR_RNDN);
                mpfr_sqrt(t->r0, t->r0, MPFR_RNDN);
                break;
            case 5:
                st = cor_scalar_neg(o, a, t->V);
                mpfr_neg(t->r0, ra, MPFR_RNDN);
                break;
            default:
                st = cor_scalar_abs(o, a, t->V);
                mpfr_abs(t->r0, ra, MPFR_RNDN);
                break;
            }
            ck_assert_int_eq(st, COR_OK);
            ref_scalar(t->r1, o);
            check_bound(t, names[op], (size_t)rep, t->r1, t->r0, t->r0, op >= 5 ? 0 : 1, t->p);
        }
        /* aliasing: out == a, out == b, out == a == b */
        ck_assert_int_eq(cor_scalar_sub(o, a, b, t->V), COR_OK);
        ck_assert_int_eq(cor_scalar_set(o2, a), COR_OK);
        ck_assert_int_eq(cor_scalar_sub(o2, o2, b, t->V), COR_OK);
        ck_assert_msg(cor_scalar_cmp(o, o2) == 0, "%s sub out=a", t->label);
        ck_assert_int_eq(cor_scalar_set(o2, b), COR_OK);
        ck_assert_int_eq(cor_scalar_sub(o2, a, o2, t->V), COR_OK);
        ck_assert_msg(cor_scalar_cmp(o, o2) == 0, "%s sub out=b", t->label);
        ck_assert_int_eq(cor_scalar_mul(o, a, a, t->V), COR_OK);
        ck_assert_int_eq(cor_scalar_set(o2, a), COR_OK);
        ck_assert_int_eq(cor_scalar_mul(o2, o2, o2, t->V), COR_OK);
        ck_assert_msg(cor_scalar_cmp(o, o2) == 0, "%s mul out=a=b", t->label);
        /* cmp and sgn agree with the reference */
        ck_assert_int_eq(cor_scalar_cmp(a, b) > 0, mpfr_cmp(ra, rb) > 0);
        ck_assert_int_eq(cor_scalar_cmp(a, b) < 0, mpfr_cmp(ra, rb) < 0);
        ck_assert_int_eq(cor_scalar_cmp(a, a), 0);
        ck_assert_int_eq(cor_scalar_sgn(a), mpfr_sgn(ra) > 0 ? 1 : -1);
        ck_assert_int_eq(cor_scalar_is_finite(a), 1);
        /* get_d is the nearest double */
        ck_assert(cor_scalar_get_d(a) == mpfr_get_d(ra, MPFR_RNDN));
    }
    /* small integers and doubles are exact everywhere */
    ck_assert_int_eq(cor_scalar_set_si(a, -12345), COR_OK);
    ck_assert(cor_scalar_get_d(a) == -12345.0);
    ck_assert_int_eq(cor_scalar_set_d(a, 0.375), COR_OK);
    ck_assert(cor_scalar_get_d(a) == 0.375);
    ck_assert_int_eq(cor_scalar_sgn(a), 1);
    ck_assert_int_eq(cor_scalar_set_si(a, 0), COR_OK);
    ck_assert_int_eq(cor_scalar_sgn(a), 0);
    ck_assert_ptr_eq(cor_scalar_space(a), t->V);

    mpfr_clears(ra, rb, (mpfr_ptr)0);
    cor_scalar_free(a);
    cor_scalar_free(b);
    cor_scalar_free(o);
    cor_scalar_free(o2);
}

/* Element I/O: set_d/get_d, set_scalar/get_scalar, the raw pointers, and the index check. */
static void
bat_element_io(tctx *t)
{
    cor_vec *x = new_vec(t);
    double d;
    size_t i;

    for (i = 0; i < t->n; i++)
        ck_assert_int_eq(cor_vec_set_d(x, i, (double)i - 0.5, t->V), COR_OK);
    for (i = 0; i < t->n; i++)
    {
        ck_assert_int_eq(cor_vec_get_d(&d, x, i, t->V), COR_OK);
        ck_assert(d == (double)i - 0.5);
    }
    if (t->n < 5)
        return;
    switch (cor_vspace_kind(t->V))
    {
    case COR_F64:
        ck_assert(cor_vec_data_f64(x)[3] == 2.5);
        cor_vec_data_f64(x)[3] = 7.0;
        ck_assert_ptr_null(cor_vec_data_f32(x));
        ck_assert_ptr_null(cor_vec_mpfr_ptr(x, 0));
        ck_assert(cor_vec_const_data_f64(x)[3] == 7.0);
        break;
    case COR_F32:
        ck_assert(cor_vec_data_f32(x)[3] == 2.5f);
        cor_vec_data_f32(x)[3] = 7.0f;
        ck_assert_ptr_null(cor_vec_data_f64(x));
        ck_assert(cor_vec_const_data_f32(x)[3] == 7.0f);
        break;
    case COR_MPFR:
        ck_assert(mpfr_cmp_d(cor_vec_mpfr_srcptr(x, 3), 2.5) == 0);
        ck_assert_int_eq(mpfr_get_prec(cor_vec_mpfr_ptr(x, 3)), t->p);
        mpfr_set_d(cor_vec_mpfr_ptr(x, 3), 7.0, MPFR_RNDN);
        ck_assert_ptr_null(cor_vec_mpfr_ptr(x, t->n));
        ck_assert_ptr_null(cor_vec_data_f64(x));
        break;
    }
    ck_assert_int_eq(cor_vec_get_d(&d, x, 3, t->V), COR_OK);
    ck_assert(d == 7.0);
    ck_assert_int_eq(cor_vec_get_scalar(t->s, x, 4, t->V), COR_OK);
    ck_assert(cor_scalar_get_d(t->s) == 3.5);
    ck_assert_int_eq(cor_vec_set_scalar(x, 0, t->s, t->V), COR_OK);
    ck_assert_int_eq(cor_vec_get_d(&d, x, 0, t->V), COR_OK);
    ck_assert(d == 3.5);
    ck_assert_int_eq(cor_vec_set_str(x, 1, " 1.25e2 ", t->V), COR_OK);
    ck_assert_int_eq(cor_vec_get_d(&d, x, 1, t->V), COR_OK);
    ck_assert(d == 125.0);

    cor_error_clear();
    ck_assert_int_eq(cor_vec_get_d(&d, x, t->n, t->V), COR_EINVAL);
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_int_eq(cor_vec_set_d(x, t->n, 1.0, t->V), COR_EINVAL);
    ck_assert_int_eq(cor_vec_set_str(x, t->n, "1", t->V), COR_EINVAL);
    ck_assert_int_eq(cor_vec_get_scalar(t->s, x, t->n, t->V), COR_EINVAL);
    ck_assert_int_eq(cor_vec_set_scalar(x, t->n, t->s, t->V), COR_EINVAL);
    ck_assert_int_eq(cor_vec_get_d(NULL, x, 0, t->V), COR_EINVAL);
}

/* fprint then set_str of each line reproduces the vector exactly. */
static void
bat_fprint(tctx *t)
{
    cor_vec *x = new_vec(t), *y = new_vec(t);
    char *text = NULL, *line, *save = NULL;
    size_t len = 0, i = 0;
    FILE *f;

    rand_vec(t, x, 0);
    f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(cor_vec_fprint(f, x, t->V), COR_OK);
    fclose(f);
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    {
        ck_assert_uint_lt(i, t->n);
        ck_assert_int_eq(cor_vec_set_str(y, i, line, t->V), COR_OK);
        i++;
    }
    ck_assert_uint_eq(i, t->n);
    check_equal(t, "fprint/set_str round trip", x, y);
    free(text);

    f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(cor_vec_get_scalar(t->s, x, 0, t->V), COR_OK);
    ck_assert_int_eq(cor_scalar_fprint(f, t->s), COR_OK);
    fclose(f);
    ck_assert_int_eq(cor_scalar_set_str(t->s2, text), COR_OK);
    ck_assert_int_eq(cor_scalar_cmp(t->s, t->s2), 0);
    free(text);
}

typedef void (*battery_fn)(tctx *t);

static const struct
{
    const char *name;
    battery_fn fn;
} battery[] = {
    {"zero/copy", bat_zero_copy}, {"axpby", bat_axpby},
    {"scale", bat_scale},         {"dot/nrm2/amax", bat_dot_nrm2_amax},
    {"lincomb", bat_lincomb},     {"mul/div/sqrt/addc", bat_elementwise},
    {"scalars", bat_scalars},     {"element I/O", bat_element_io},
    {"fprint", bat_fprint},
};

/* The conformance battery: every required and optional operation on random data against
 * the 2048-bit reference, with aliasing, first with the fused kernels and then with the
 * generic fallbacks. wrap: make the vectors wrap test buffers (f32 and f64 only). */
static void
cor_test_vspace(cor_vspace *V, int wrap)
{
    size_t b;
    int fused;

    for (fused = 1; fused >= 0; fused--)
    {
        cor_vspace_set_fused(V, fused);
        for (b = 0; b < sizeof battery / sizeof battery[0]; b++)
        {
            tctx t;
            ctx_init(&t, V, wrap, (unsigned)(b * 2 + (unsigned)fused));
            strncat(t.labelbuf, fused ? " fused " : " fallback ",
                    sizeof t.labelbuf - strlen(t.labelbuf) - 1);
            strncat(t.labelbuf, battery[b].name, sizeof t.labelbuf - strlen(t.labelbuf) - 1);
            battery[b].fn(&t);
            ctx_clear(&t);
        }
    }
    cor_vspace_set_fused(V, 1);
}

START_TEST(test_conformance)
{
    const cfg_t *c = &cfgs[_i];
    cor_vspace *V = space_for(c, DIM);

    ck_assert_ptr_nonnull(V);
    ck_assert_int_eq(cor_vspace_kind(V), c->kind);
    ck_assert_int_eq(cor_vspace_dim(V), DIM);
    ck_assert_int_eq(cor_vspace_prec(V), c->prec);
    cor_test_vspace(V, c->wrap);
    cor_vspace_free(V);

    /* dimension 1 as well */
    V = space_for(c, 1);
    ck_assert_ptr_nonnull(V);
    cor_test_vspace(V, c->wrap);
    cor_vspace_free(V);
}
END_TEST

/* ---- special values ------------------------------------------------------------------- */

START_TEST(test_special_values)
{
    const cfg_t *c = &cfgs[_i];
    /* 2^big: far beyond sqrt(max) of the type, so a plain sum of squares would overflow;
     * 2^tiny: a single element whose square underflows (subnormal for f64 and f32). */
    const long big = c->kind == COR_F64 ? 1000 : c->kind == COR_F32 ? 100 : 100000;
    const long tiny = c->kind == COR_F64 ? -1070 : c->kind == COR_F32 ? -145 : -100000;
    cor_vspace *V = space_for(c, DIM);
    tctx t;
    cor_vec *x;
    cor_scalar *r;
    size_t i;

    ck_assert_ptr_nonnull(V);
    ctx_init(&t, V, c->wrap, 77);
    x = new_vec(&t);
    r = cor_scalar_alloc(V);

    rand_vec(&t, x, 0);
    ck_assert_int_eq(cor_vec_all_finite(x, V), 1);
    ck_assert_int_eq(cor_vec_set_d(x, 5, NAN, V), COR_NONFINITE);
    ck_assert_int_eq(cor_vec_all_finite(x, V), 0);
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_NONFINITE);
    ck_assert(isnan(cor_scalar_get_d(r)));
    ck_assert_int_eq(cor_vec_dot(r, x, x, V), COR_NONFINITE);
    ck_assert_int_eq(cor_vec_amax(r, x, V), COR_NONFINITE);
    ck_assert(isnan(cor_scalar_get_d(r)));
    ck_assert_int_eq(cor_scalar_is_finite(r), 0);
    ck_assert_int_eq(cor_scalar_sgn(r), 0);
    ck_assert_int_eq(cor_scalar_cmp(r, t.s), 0);
    ck_assert_int_eq(cor_vec_set_d(x, 5, 1.0, V), COR_OK);
    ck_assert_int_eq(cor_vec_all_finite(x, V), 1);
    ck_assert_int_eq(cor_vec_set_d(x, DIM - 1, -INFINITY, V), COR_NONFINITE);
    ck_assert_int_eq(cor_vec_all_finite(x, V), 0);
    ck_assert_int_eq(cor_vec_amax(r, x, V), COR_NONFINITE);
    ck_assert(cor_scalar_get_d(r) == INFINITY);
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_NONFINITE);
    ck_assert(cor_scalar_get_d(r) == INFINITY);
    ck_assert_int_eq(cor_vec_set_d(x, DIM - 1, INFINITY, V), COR_NONFINITE);
    ck_assert_int_eq(cor_vec_all_finite(x, V), 0);

    /* nrm2 of huge and tiny vectors: no overflow, no underflow (f64 by rescaling, f32 by
     * its double accumulator, MPFR by its exponent range) */
    for (i = 0; i < DIM; i++)
    {
        mpfr_set_ui_2exp(t.r0, 1 + (i % 3), big, MPFR_RNDN);
        ck_assert_int_eq(cor_scalar_set_mpfr(t.s, t.r0), COR_OK);
        ck_assert_int_eq(cor_vec_set_scalar(x, i, t.s, V), COR_OK);
    }
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_OK);
    mpfr_set_ui(t.r1, 0, MPFR_RNDN);
    for (i = 0; i < DIM; i++)
        mpfr_add_ui(t.r1, t.r1, (1 + (i % 3)) * (1 + (i % 3)), MPFR_RNDN);
    mpfr_sqrt(t.r1, t.r1, MPFR_RNDN);
    mpfr_mul_2si(t.r1, t.r1, big, MPFR_RNDN);
    ref_scalar(t.r2, r);
    check_bound(&t, "nrm2 huge", 0, t.r2, t.r1, t.r1, 2 * (DIM + 2), t.p);
    mpfr_mul_2si(t.r1, t.r1, -2 * big, MPFR_RNDN);
    for (i = 0; i < DIM; i++)
    {
        mpfr_set_ui_2exp(t.r0, 1 + (i % 3), -big, MPFR_RNDN);
        ck_assert_int_eq(cor_scalar_set_mpfr(t.s, t.r0), COR_OK);
        ck_assert_int_eq(cor_vec_set_scalar(x, i, t.s, V), COR_OK);
    }
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_OK);
    ref_scalar(t.r2, r);
    check_bound(&t, "nrm2 small", 0, t.r2, t.r1, t.r1, 2 * (DIM + 2), t.p);
    ck_assert_int_eq(cor_vec_zero(x, V), COR_OK);
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_OK);
    ck_assert_int_eq(cor_scalar_sgn(r), 0);
    mpfr_set_ui_2exp(t.r0, 1, tiny, MPFR_RNDN);
    ck_assert_int_eq(cor_scalar_set_mpfr(t.s, t.r0), COR_OK);
    ck_assert_int_eq(cor_vec_set_scalar(x, 7, t.s, V), COR_OK);
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_OK);
    ref_scalar(t.r2, r);
    ck_assert_msg(mpfr_equal_p(t.r2, t.r0), "%s nrm2 of one tiny element", t.label);

    /* scalar special values: 1/0, sqrt(-1), overflow on input */
    ck_assert_int_eq(cor_scalar_set_si(t.s, 1), COR_OK);
    ck_assert_int_eq(cor_scalar_set_si(t.s2, 0), COR_OK);
    ck_assert_int_eq(cor_scalar_div(r, t.s, t.s2, V), COR_NONFINITE);
    ck_assert(cor_scalar_get_d(r) == INFINITY);
    ck_assert_int_eq(cor_scalar_set_si(t.s, -1), COR_OK);
    ck_assert_int_eq(cor_scalar_sqrt(r, t.s, V), COR_NONFINITE);
    ck_assert(isnan(cor_scalar_get_d(r)));
    ck_assert_int_eq(cor_scalar_set_d(r, NAN), COR_NONFINITE);
    ck_assert_int_eq(cor_scalar_set_d(r, 1e300), c->kind == COR_F32 ? COR_NONFINITE : COR_OK);
    ck_assert_int_eq(cor_scalar_is_finite(r), c->kind != COR_F32);

    cor_scalar_free(r);
    ctx_clear(&t);
    cor_vspace_free(V);
}
END_TEST

/* ---- accumulation precision ---------------------------------------------------------- */

/* Sums that a float accumulator gets wrong: 1 + 32 * 2^-25 is 1 in float arithmetic (each
 * 2^-25 is half an ulp of 1 and ties to even), but 1 + 2^-20 exactly with the double (or
 * MPFR) accumulator, and 1 + 2^-20 is a float. Likewise nrm2 of (1, 2^-13 x 32) is
 * sqrt(1 + 2^-21), about 1 + 2^-22, not 1. */
START_TEST(test_accumulation)
{
    const cfg_t *c = &cfgs[_i];
    cor_vspace *V = space_for(c, DIM);
    tctx t;
    cor_vec *x, *ones;
    cor_scalar *r;
    size_t i;

    ck_assert_ptr_nonnull(V);
    ctx_init(&t, V, c->wrap, 55);
    x = new_vec(&t);
    ones = new_vec(&t);
    r = cor_scalar_alloc(V);
    for (i = 0; i < DIM; i++)
    {
        ck_assert_int_eq(cor_vec_set_d(x, i, i == 0 ? 1.0 : ldexp(1.0, -25), V), COR_OK);
        ck_assert_int_eq(cor_vec_set_d(ones, i, 1.0, V), COR_OK);
    }
    ck_assert_int_eq(cor_vec_dot(r, x, ones, V), COR_OK);
    ck_assert_msg(cor_scalar_get_d(r) == 1.0 + ldexp(1.0, -20), "%s dot = 1 + %g", c->name,
                  cor_scalar_get_d(r) - 1.0);
    for (i = 1; i < DIM; i++)
        ck_assert_int_eq(cor_vec_set_d(x, i, ldexp(1.0, -13), V), COR_OK);
    ck_assert_int_eq(cor_vec_nrm2(r, x, V), COR_OK);
    ref_scalar(t.r1, r);
    mpfr_set_ui_2exp(t.r0, 1, -21, MPFR_RNDN);
    mpfr_add_ui(t.r0, t.r0, 1, MPFR_RNDN);
    mpfr_sqrt(t.r0, t.r0, MPFR_RNDN);
    check_bound(&t, "nrm2 accumulation", 0, t.r1, t.r0, t.r0, 1, t.p);

    cor_scalar_free(r);
    ctx_clear(&t);
    cor_vspace_free(V);
}
END_TEST

/* ---- exact rationals ------------------------------------------------------------------ */

START_TEST(test_set_q)
{
    static const long q[][2] = {{1, 3},  {1, 6},        {-7, 3}, {2, -6},       {0, 5},
                                {22, 7}, {LONG_MAX, 3}, {1, 10}, {LONG_MIN, 7}, {5, 1}};
    const cfg_t *c = &cfgs[_i];
    cor_vspace *V = space_for(c, 2);
    cor_scalar *s = cor_scalar_alloc(V), *three = cor_scalar_alloc(V), *r = cor_scalar_alloc(V);
    mpq_t qq;
    mpfr_t want, got;
    size_t k;

    mpq_init(qq);
    mpfr_init2(want, c->prec);
    mpfr_init2(got, REF_PREC);
    for (k = 0; k < sizeof q / sizeof q[0]; k++)
    {
        /* reference: the exact rational (GMP) rounded once to the space precision */
        mpz_set_si(mpq_numref(qq), q[k][0]);
        mpz_set_si(mpq_denref(qq), q[k][1]);
        mpq_canonicalize(qq);
        mpfr_set_q(want, qq, MPFR_RNDN);
        ck_assert_int_eq(cor_scalar_set_q(s, q[k][0], q[k][1]), COR_OK);
        ref_scalar(got, s);
        ck_assert_msg(mpfr_equal_p(got, want), "%s set_q(%ld, %ld)", c->name, q[k][0], q[k][1]);
    }
    /* (1/3) * 3 == 1 within one ulp */
    ck_assert_int_eq(cor_scalar_set_q(s, 1, 3), COR_OK);
    ck_assert_int_eq(cor_scalar_set_si(three, 3), COR_OK);
    ck_assert_int_eq(cor_scalar_mul(r, s, three, V), COR_OK);
    ref_scalar(got, r);
    mpfr_sub_ui(got, got, 1, MPFR_RNDN);
    mpfr_abs(got, got, MPFR_RNDN);
    ck_assert_msg(mpfr_cmp_si_2exp(got, 1, 1 - (long)c->prec) <= 0, "%s (1/3)*3", c->name);
    /* a zero denominator is a domain error and leaves s alone */
    cor_error_clear();
    ck_assert_int_eq(cor_scalar_set_q(s, 1, 0), COR_EDOM);
    ck_assert_int_eq(cor_last_error()->code, COR_EDOM);
    ck_assert_int_eq(cor_scalar_set_q(r, 1, 3), COR_OK);
    ck_assert_int_eq(cor_scalar_cmp(s, r), 0);

    mpq_clear(qq);
    mpfr_clears(want, got, (mpfr_ptr)0);
    cor_scalar_free(s);
    cor_scalar_free(three);
    cor_scalar_free(r);
    cor_vspace_free(V);
}
END_TEST

/* ---- decimal text --------------------------------------------------------------------- */

START_TEST(test_set_str)
{
    const cfg_t *c = &cfgs[_i];
    cor_vspace *V = space_for(c, 3);
    cor_scalar *s = cor_scalar_alloc(V);
    cor_vec *x = cor_vec_alloc(V);
    mpfr_t want, got;
    double d;

    mpfr_init2(want, c->prec);
    mpfr_init2(got, REF_PREC);
    /* "0.1" is the correctly rounded 0.1 at the space precision (not a double's 0.1) */
    ck_assert_int_eq(cor_scalar_set_str(s, "0.1"), COR_OK);
    mpfr_set_str(want, "0.1", 10, MPFR_RNDN);
    ref_scalar(got, s);
    ck_assert_msg(mpfr_equal_p(got, want), "%s set_str 0.1", c->name);
    ck_assert_int_eq(cor_vec_set_str(x, 2, "-0.1", V), COR_OK);
    ck_assert_int_eq(cor_vec_get_scalar(s, x, 2, V), COR_OK);
    mpfr_neg(want, want, MPFR_RNDN);
    ref_scalar(got, s);
    ck_assert(mpfr_equal_p(got, want));
    ck_assert_int_eq(cor_scalar_set_str(s, "\t-2.5e-3 \n"), COR_OK);
    ck_assert(cor_scalar_get_d(s) == (c->kind == COR_F32 ? (double)-2.5e-3f : -2.5e-3));

    /* errors leave the value alone */
    ck_assert_int_eq(cor_scalar_set_si(s, 42), COR_OK);
    ck_assert_int_eq(cor_scalar_set_str(s, "1.5x"), COR_EPARSE);
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    ck_assert_int_eq(cor_scalar_set_str(s, ""), COR_EPARSE);
    ck_assert_int_eq(cor_scalar_set_str(s, "   "), COR_EPARSE);
    ck_assert_int_eq(cor_scalar_set_str(s, "0x10"), COR_EPARSE);
    ck_assert_int_eq(cor_scalar_set_str(s, "1,5"), COR_EPARSE);
    ck_assert_int_eq(cor_scalar_set_str(s, NULL), COR_EINVAL);
    ck_assert(cor_scalar_get_d(s) == 42.0);
    ck_assert_int_eq(cor_vec_set_d(x, 0, 3.0, V), COR_OK);
    ck_assert_int_eq(cor_vec_set_str(x, 0, "abc", V), COR_EPARSE);
    ck_assert_int_eq(cor_vec_get_d(&d, x, 0, V), COR_OK);
    ck_assert(d == 3.0);
    /* non-finite text is stored and reported as an outcome */
    ck_assert_int_eq(cor_scalar_set_str(s, "inf"), COR_NONFINITE);
    ck_assert(cor_scalar_get_d(s) == INFINITY);
    ck_assert_int_eq(cor_scalar_set_str(s, "-nan"), COR_NONFINITE);
    ck_assert_int_eq(cor_scalar_set_str(s, "1e400"), c->kind == COR_MPFR ? COR_OK : COR_NONFINITE);

    mpfr_clears(want, got, (mpfr_ptr)0);
    cor_vec_free(x);
    cor_scalar_free(s);
    cor_vspace_free(V);
}
END_TEST

/* At 1024 bits, "0.1" agrees with 0.1 to about 308 digits, and prints so. */
START_TEST(test_set_str_1024)
{
    cor_vspace *V = cor_vspace_alloc_mpfr(2, 1024);
    cor_scalar *s = cor_scalar_alloc(V);
    mpfr_t tenth, got;
    char *text = NULL;
    size_t len = 0, k;
    FILE *f;

    mpfr_inits2(REF_PREC, tenth, got, (mpfr_ptr)0);
    ck_assert_int_eq(cor_scalar_set_str(s, "0.1"), COR_OK);
    mpfr_set_str(tenth, "0.1", 10, MPFR_RNDN);
    ref_scalar(got, s);
    mpfr_sub(got, got, tenth, MPFR_RNDN);
    mpfr_abs(got, got, MPFR_RNDN);
    /* |s - 0.1| <= ulp(0.1)/2 = 2^-1028 < 1e-309 */
    ck_assert(mpfr_cmp_si_2exp(got, 1, -1028) <= 0);
    ck_assert(mpfr_cmp_d(got, 1e-300) < 0);

    f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(cor_scalar_fprint(f, s), COR_OK);
    fclose(f);
    ck_assert_msg(strncmp(text, "0.1", 3) == 0, "printed %s", text);
    /* %g drops trailing zeros, so the text may end early, but never before digit 300 */
    ck_assert_uint_ge(strlen(text), 300);
    for (k = 3; k < 303 && text[k] != '\n'; k++)
        ck_assert_msg(text[k] == '0', "digit %zu of %s", k, text);
    free(text);

    mpfr_clears(tenth, got, (mpfr_ptr)0);
    cor_scalar_free(s);
    cor_vspace_free(V);
}
END_TEST

/* ---- mismatches and bad arguments ----------------------------------------------------- */

START_TEST(test_mismatch)
{
    cor_vspace *A = cor_vspace_alloc_f64(4), *A2 = cor_vspace_alloc_f64(4);
    cor_vspace *B = cor_vspace_alloc_f64(5), *F = cor_vspace_alloc_f32(4);
    cor_vspace *M = cor_vspace_alloc_mpfr(4, 64), *M2 = cor_vspace_alloc_mpfr(4, 128);
    cor_vec *a = cor_vec_alloc(A), *a2 = cor_vec_alloc(A2), *b = cor_vec_alloc(B);
    cor_vec *f = cor_vec_alloc(F), *m = cor_vec_alloc(M), *m2 = cor_vec_alloc(M2);
    cor_scalar *sa = cor_scalar_alloc(A), *sb = cor_scalar_alloc(B), *sf = cor_scalar_alloc(F);
    cor_scalar *sm = cor_scalar_alloc(M), *sm2 = cor_scalar_alloc(M2);
    const cor_scalar *cs[2];
    const cor_vec *xs[2];
    float fbuf[4];

    ck_assert_ptr_nonnull(A);
    ck_assert_ptr_nonnull(M2);
    ck_assert_ptr_nonnull(sm2);

    /* vectors of another dimension, kind or precision */
    cor_error_clear();
    ck_assert_int_eq(cor_vec_axpby(a, sa, a, sa, b, A), COR_EBADLEN);
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "cor_vec_axpby"));
    ck_assert_int_eq(cor_vec_copy(a, f, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_copy(a, b, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_copy(m, m2, M), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_dot(sa, a, b, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_nrm2(sm, m2, M), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_zero(b, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_mul(a, a, b, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_div(a, b, a, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_sqrt(a, f, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_addc(a, a, sf, A), COR_EBADLEN);
    cor_error_clear();
    ck_assert_int_eq(cor_vec_all_finite(b, A), 0);
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
    /* scalars of another kind or precision; a scalar of another dimension is fine */
    ck_assert_int_eq(cor_vec_scale(a, sf, a, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_scale(m, sm2, m, M), COR_EBADLEN);
    ck_assert_int_eq(cor_scalar_add(sm, sm, sm2, M), COR_EBADLEN);
    ck_assert_int_eq(cor_scalar_sqrt(sa, sf, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_scale(a, sb, a, A), COR_OK);
    /* a compatible space (same kind, dimension, precision) is accepted */
    ck_assert_int_eq(cor_vec_axpby(a, sa, a2, sa, a, A), COR_OK);
    ck_assert_int_eq(cor_vec_copy(a2, a, A), COR_OK);
    /* lincomb checks every term */
    cs[0] = sa;
    cs[1] = sa;
    xs[0] = a;
    xs[1] = b;
    ck_assert_int_eq(cor_vec_lincomb(a, 2, cs, xs, A), COR_EBADLEN);
    cs[1] = sf;
    xs[1] = a;
    ck_assert_int_eq(cor_vec_lincomb(a, 2, cs, xs, A), COR_EBADLEN);
    ck_assert_int_eq(cor_vec_lincomb(a, 2, NULL, xs, A), COR_EINVAL);
    /* NULL arguments */
    ck_assert_int_eq(cor_vec_copy(a, NULL, A), COR_EINVAL);
    ck_assert_int_eq(cor_vec_copy(a, a, NULL), COR_EINVAL);
    ck_assert_int_eq(cor_vec_dot(NULL, a, a, A), COR_EINVAL);
    ck_assert_int_eq(cor_scalar_set_d(NULL, 1.0), COR_EINVAL);
    ck_assert_int_eq(cor_scalar_get_mpfr(NULL, sa), COR_EINVAL);
    ck_assert_int_eq(cor_vec_fprint(NULL, a, A), COR_EINVAL);
    ck_assert(isnan(cor_scalar_get_d(NULL)));
    ck_assert_int_eq(cor_scalar_cmp(NULL, sa), 0);
    /* constructors */
    cor_error_clear();
    ck_assert_ptr_null(cor_vec_wrap_f32(A, fbuf));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_vec_wrap_f64(F, (double *)NULL));
    ck_assert_ptr_null(cor_vec_wrap_f32(F, NULL));
    ck_assert_ptr_null(cor_vec_wrap_f64(M, (double *)fbuf));
    ck_assert_ptr_null(cor_vspace_alloc_f64(0));
    ck_assert_ptr_null(cor_vspace_alloc_f32(0));
    ck_assert_ptr_null(cor_vspace_alloc_mpfr(0, 64));
    cor_error_clear();
    ck_assert_ptr_null(cor_vspace_alloc_mpfr(4, 0));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_vec_alloc(NULL));
    ck_assert_ptr_null(cor_scalar_alloc(NULL));
    ck_assert_str_eq(cor_vspace_name(A), "f64");
    ck_assert_str_eq(cor_vspace_name(F), "f32");
    ck_assert_str_eq(cor_vspace_name(M), "mpfr");

    /* scalars across spaces: exact comparison, rounding conversion */
    ck_assert_int_eq(cor_scalar_set_q(sm2, 1, 3), COR_OK);
    ck_assert_int_eq(cor_scalar_set_q(sf, 1, 3), COR_OK);
    ck_assert_int_eq(cor_scalar_set_q(sa, 1, 3), COR_OK);
    ck_assert_int_eq(cor_scalar_cmp(sf, sm2), (float)(1.0 / 3) > 1.0 / 3 ? 1 : -1);
    ck_assert_int_eq(cor_scalar_cmp(sm2, sa), -cor_scalar_cmp(sa, sm2));
    ck_assert_int_ne(cor_scalar_cmp(sa, sm2), 0);
    ck_assert_int_eq(cor_scalar_set(sb, sm2), COR_OK);
    ck_assert_int_eq(cor_scalar_cmp(sb, sa), 0);
    ck_assert_int_eq(cor_scalar_set(sm, sf), COR_OK);
    ck_assert_int_eq(cor_scalar_cmp(sm, sf), 0);
    ck_assert_int_eq(cor_scalar_set(sf, sm2), COR_OK);
    ck_assert(cor_scalar_get_d(sf) == (double)(1.0f / 3.0f));

    cor_vec_free(a);
    cor_vec_free(a2);
    cor_vec_free(b);
    cor_vec_free(f);
    cor_vec_free(m);
    cor_vec_free(m2);
    cor_scalar_free(sa);
    cor_scalar_free(sb);
    cor_scalar_free(sf);
    cor_scalar_free(sm);
    cor_scalar_free(sm2);
    cor_vspace_free(A);
    cor_vspace_free(A2);
    cor_vspace_free(B);
    cor_vspace_free(F);
    cor_vspace_free(M);
    cor_vspace_free(M2);
}
END_TEST

START_TEST(test_free_null)
{
    cor_vspace_free(NULL);
    cor_vec_free(NULL);
    cor_scalar_free(NULL);
    ck_assert_ptr_null(cor_vec_data_f64(NULL));
    ck_assert_ptr_null(cor_vec_mpfr_ptr(NULL, 0));
    ck_assert_int_eq(cor_vspace_dim(NULL), 0);
}
END_TEST

/* A wrapped vector does not own its buffer: freeing it leaves the data usable. */
START_TEST(test_wrap_ownership)
{
    cor_vspace *V = cor_vspace_alloc_f32(3);
    float *buf = malloc(3 * sizeof *buf);
    cor_vec *v = cor_vec_wrap_f32(V, buf);
    double d;

    ck_assert_int_eq(cor_vec_set_d(v, 1, 0.1, V), COR_OK);
    ck_assert(buf[1] == 0.1f);
    buf[2] = 4.5f;
    ck_assert_int_eq(cor_vec_get_d(&d, v, 2, V), COR_OK);
    ck_assert(d == 4.5);
    cor_vec_free(v);
    ck_assert(buf[1] == 0.1f);
    buf[0] = 1.0f;
    free(buf);
    cor_vspace_free(V);
}
END_TEST

/* ---- no allocation in the operations -------------------------------------------------- */

/* How we know that an operation does not allocate. Around 1000 calls of every operation
 * (after one warm-up call each, on fused kernels and on the fallbacks) we count:
 *  1. GMP's memory functions (mp_set_memory_functions) are replaced by counting ones.
 *     MPFR allocates all its heap memory through them, including temporaries it frees
 *     before returning, so every heap allocation inside MPFR is counted. Must be 0.
 *  2. Every malloc/calloc/realloc of the process, transient or not (ours, libc's, MPFR's):
 *     under AddressSanitizer through __sanitizer_install_malloc_and_free_hooks; otherwise,
 *     on glibc, by defining malloc, calloc, realloc and free in this program (glibc's
 *     documented way of replacing malloc) as counting wrappers around __libc_malloc and
 *     friends. Must be 0.
 *  3. On glibc without ASan, mallinfo2()'s arena usage (uordblks) must also be unchanged
 *     (memory an operation keeps). Under ASan glibc's arena is not used, so this is moot.
 * test_no_alloc_detects checks that the counters do see allocations. set_str and fprint
 * are documented as allocating (MPFR's parser, stdio) and are left out. */

#if defined(__SANITIZE_ADDRESS__)
#define COR_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COR_TEST_ASAN 1
#endif
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#define COR_TEST_MALLINFO2 1
#else
#define COR_TEST_MALLINFO2 0
#endif

static volatile int counting;
static volatile size_t gmp_allocs, heap_allocs;

static void *
count_alloc(size_t n)
{
    if (counting)
        gmp_allocs++;
    return malloc(n);
}

static void *
count_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    if (counting)
        gmp_allocs++;
    return realloc(p, n);
}

static void
count_free(void *p, size_t n)
{
    (void)n;
    free(p);
}

#if !defined(COR_TEST_ASAN) && defined(__GLIBC__)
#define COR_TEST_INTERPOSE 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t k, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *
malloc(size_t n)
{
    if (counting)
        heap_allocs++;
    return __libc_malloc(n);
}

void *
calloc(size_t k, size_t n)
{
    if (counting)
        heap_allocs++;
    return __libc_calloc(k, n);
}

void *
realloc(void *p, size_t n)
{
    if (counting)
        heap_allocs++;
    return __libc_realloc(p, n);
}

void
free(void *p)
{
    __libc_free(p);
}
#endif

#ifdef COR_TEST_ASAN
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));

static void
san_malloc_hook(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (counting)
        heap_allocs++;
}

static void
san_free_hook(const volatile void *p)
{
    (void)p;
}
#endif

#define NOALLOC_OPS 33

/* Runs operation k once; returns nonzero if it reported an error. */
static int
run_op(int k, tctx *t, cor_vec *x, cor_vec *y, cor_vec *z, cor_scalar *a, cor_scalar *b,
       cor_scalar *o, mpfr_ptr mp, const cor_scalar *const *c, const cor_vec *const *xs)
{
    const cor_vspace *V = t->V;
    double d;

    switch (k)
    {
    case 0:
        return cor_vec_zero(z, V);
    case 1:
        return cor_vec_copy(z, x, V);
    case 2:
        return cor_vec_axpby(z, a, x, b, y, V);
    case 3:
        return cor_vec_axpby(z, a, z, b, z, V);
    case 4:
        return cor_vec_scale(z, a, x, V);
    case 5:
        return cor_vec_dot(o, x, y, V);
    case 6:
        return cor_vec_nrm2(o, x, V);
    case 7:
        return cor_vec_amax(o, x, V);
    case 8:
        return !cor_vec_all_finite(x, V);
    case 9:
        return cor_vec_get_d(&d, x, 3, V);
    case 10:
        return cor_vec_set_d(z, 3, 0.5, V);
    case 11:
        return cor_vec_get_scalar(o, x, 2, V);
    case 12:
        return cor_vec_set_scalar(z, 2, a, V);
    case 13:
        return cor_vec_lincomb(z, 3, c, xs, V);
    case 14:
        return cor_vec_mul(z, x, y, V);
    case 15:
        return cor_vec_div(z, x, y, V);
    case 16:
        return cor_vec_sqrt(z, y, V);
    case 17:
        return cor_vec_addc(z, x, a, V);
    case 18:
        return cor_scalar_set_d(o, 0.1);
    case 19:
        return cor_scalar_set_si(o, -3);
    case 20:
        return cor_scalar_set_q(o, 1, 6);
    case 21:
        return cor_scalar_set_mpfr(o, mp);
    case 22:
        return cor_scalar_get_mpfr(mp, a);
    case 23:
        return cor_scalar_set(o, a);
    case 24:
        return cor_scalar_add(o, a, b, V);
    case 25:
        return cor_scalar_sub(o, a, b, V);
    case 26:
        return cor_scalar_mul(o, a, b, V);
    case 27:
        return cor_scalar_div(o, a, b, V);
    case 28:
        return cor_scalar_sqrt(o, b, V);
    case 29:
        return cor_scalar_neg(o, a, V);
    case 30:
        return cor_scalar_abs(o, a, V);
    case 31:
        return cor_scalar_cmp(a, b) == 2 || cor_scalar_sgn(a) == 2;
    default:
        return !cor_scalar_is_finite(a) || isnan(cor_scalar_get_d(a));
    }
}

START_TEST(test_no_alloc)
{
    const cfg_t *c = &cfgs[_i];
    cor_vspace *V = space_for(c, 16);
    tctx t;
    cor_vec *x, *y, *z;
    cor_scalar *a, *b, *o, *cc[3];
    const cor_vec *xs[3];
    mpfr_t mp;
    int k, fused, rep, bad = 0, badk = -1;
    size_t before = 0, after = 0;

    ck_assert_ptr_nonnull(V);
    ctx_init(&t, V, c->wrap, 99);
    x = new_vec(&t);
    y = new_vec(&t);
    z = new_vec(&t);
    rand_vec(&t, x, 0);
    rand_vec(&t, y, 1);
    a = cor_scalar_alloc(V);
    b = cor_scalar_alloc(V);
    o = cor_scalar_alloc(V);
    rand_scalar(&t, a, 0);
    rand_scalar(&t, b, 1);
    for (k = 0; k < 3; k++)
    {
        cc[k] = cor_scalar_alloc(V);
        rand_scalar(&t, cc[k], 0);
    }
    xs[0] = x;
    xs[1] = y;
    xs[2] = z;
    mpfr_init2(mp, 300);
    mpfr_set_d(mp, 0.3, MPFR_RNDN);

    mp_set_memory_functions(count_alloc, count_realloc, count_free);
#ifdef COR_TEST_ASAN
    __sanitizer_install_malloc_and_free_hooks(san_malloc_hook, san_free_hook);
#endif
    for (fused = 1; fused >= 0; fused--)
    {
        cor_vspace_set_fused(V, fused);
        for (k = 0; k <= NOALLOC_OPS; k++)
        {
            int st = run_op(k, &t, x, y, z, a, b, o, mp, (const cor_scalar *const *)cc, xs);
            ck_assert_msg(st == COR_OK, "%s: op %d returned %d in warm-up", c->name, k, st);
        }
#if !defined(COR_TEST_ASAN) && COR_TEST_MALLINFO2
        before = mallinfo2().uordblks;
#endif
        counting = 1;
        for (k = 0; k <= NOALLOC_OPS; k++)
        {
            size_t g0 = gmp_allocs, h0 = heap_allocs;
            for (rep = 0; rep < 1000; rep++)
                (void)run_op(k, &t, x, y, z, a, b, o, mp, (const cor_scalar *const *)cc, xs);
            if ((gmp_allocs != g0 || heap_allocs != h0) && badk < 0)
                badk = k;
        }
        counting = 0;
#if !defined(COR_TEST_ASAN) && COR_TEST_MALLINFO2
        after = mallinfo2().uordblks;
#endif
        if (before != after)
            bad = 1;
        ck_assert_msg(badk < 0, "%s (fused %d): op %d allocated (gmp %zu, heap %zu)", c->name,
                      fused, badk, (size_t)gmp_allocs, (size_t)heap_allocs);
        ck_assert_msg(!bad, "%s (fused %d): arena usage changed from %zu to %zu bytes", c->name,
                      fused, before, after);
    }
    mp_set_memory_functions(NULL, NULL, NULL);

    mpfr_clear(mp);
    for (k = 0; k < 3; k++)
        cor_scalar_free(cc[k]);
    cor_scalar_free(a);
    cor_scalar_free(b);
    cor_scalar_free(o);
    ctx_clear(&t);
    cor_vspace_free(V);
}
END_TEST

/* The counters must see an allocation when there is one (so a 0 above means something). */
START_TEST(test_no_alloc_detects)
{
    mpfr_t big;
    char *s;

    mp_set_memory_functions(count_alloc, count_realloc, count_free);
#ifdef COR_TEST_ASAN
    __sanitizer_install_malloc_and_free_hooks(san_malloc_hook, san_free_hook);
#endif
    counting = 1;
    mpfr_init2(big, 4096);
    s = malloc(100);
    counting = 0;
    ck_assert_uint_gt(gmp_allocs, 0);
#if defined(COR_TEST_ASAN) || defined(COR_TEST_INTERPOSE)
    ck_assert_uint_gt(heap_allocs, 0);
#endif
    free(s);
    mpfr_clear(big);
    mp_set_memory_functions(NULL, NULL, NULL);
}
END_TEST

/* ---- suite ---------------------------------------------------------------------------- */

static Suite *
vspace_suite(void)
{
    Suite *s = suite_create("vspace");
    TCase *tc;

    tc = tcase_create("conformance");
    tcase_add_loop_test(tc, test_conformance, 0, NCFG);
    suite_add_tcase(s, tc);

    tc = tcase_create("special_values");
    tcase_add_loop_test(tc, test_special_values, 0, NCFG);
    suite_add_tcase(s, tc);

    tc = tcase_create("accumulation");
    tcase_add_loop_test(tc, test_accumulation, 0, NCFG);
    suite_add_tcase(s, tc);

    tc = tcase_create("set_q");
    tcase_add_loop_test(tc, test_set_q, 0, NCFG);
    suite_add_tcase(s, tc);

    tc = tcase_create("set_str");
    tcase_add_loop_test(tc, test_set_str, 0, NCFG);
    tcase_add_test(tc, test_set_str_1024);
    suite_add_tcase(s, tc);

    tc = tcase_create("mismatch");
    tcase_add_test(tc, test_mismatch);
    suite_add_tcase(s, tc);

    tc = tcase_create("free_null");
    tcase_add_test(tc, test_free_null);
    tcase_add_test(tc, test_wrap_ownership);
    suite_add_tcase(s, tc);

    tc = tcase_create("no_alloc");
    tcase_add_loop_test(tc, test_no_alloc, 0, NCFG);
    tcase_add_test(tc, test_no_alloc_detects);
    suite_add_tcase(s, tc);

    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(vspace_suite());
    int failed;

    (void)cor_test_seed();
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
