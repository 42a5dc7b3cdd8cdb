/* vspace_mpfr.c -- the MPFR backend: vectors and scalars of MPFR numbers at the space
 * precision p, every operation rounded with MPFR_RNDN to p bits.
 *
 * Storage. Vectors, scalars and the workspace use MPFR's custom interface: the limbs of all
 * n elements of a vector are one block, and a scalar's limbs follow its struct. So an
 * MPFR vector costs two allocations, numbers never reallocate (MPFR never changes the size
 * of a result), and nothing is allocated after alloc. Do not mpfr_clear these numbers.
 *
 * Rounding of each kernel (u = 2^-p; the test bounds in tests/check_vspace.c follow):
 *  - axpby: mpfr_fmma computes a*x_i + b*y_i exactly and rounds once: |error| <= u|z_i|.
 *  - scale, mul, div, sqrt, addc: one correctly rounded MPFR call per element.
 *  - dot, nrm2: acc <- fma(x_i, y_i, acc) for i = 0..n-1 in the workspace temporary
 *    (one rounding per term, sequential, so bit-reproducible), then a copy (dot) or a
 *    correctly rounded sqrt (nrm2): |error| <= n u sum|x_i y_i| + O(u^2).
 *  - lincomb: per element, acc <- c_0 x_0[i], acc <- fma(c_k, x_k[i], acc), then z_i = acc.
 * None of these MPFR functions allocates on the heap at the precisions we use: their
 * temporaries are on the stack (MPFR_TMP_ALLOC uses alloca below MPFR_ALLOCA_MAX); the
 * no-allocation test in tests/check_vspace.c checks it through GMP's memory functions.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <mpfr.h>

#include "cor_err.h"
#include "vspace_impl.h"

#define EL(v, i) (&(v)->d.mpfr[(i)])
#define SV(s) ((s)->u.mpfr)

size_t
cor_vspace_mpfr_bytes_internal(mpfr_prec_t prec)
{
    return mpfr_custom_get_size(prec);
}

void
cor_vspace_mpfr_init_internal(mpfr_ptr x, mpfr_prec_t prec, void *limbs)
{
    mpfr_custom_init(limbs, prec);
    mpfr_custom_init_set(x, MPFR_ZERO_KIND, 0, prec, limbs);
}

static int
fin(mpfr_srcptr x)
{
    return mpfr_number_p(x) ? COR_OK : COR_NONFINITE;
}

/* ---- scalars -------------------------------------------------------------------------- */

static int
m_s_set_d(cor_scalar *s, double d, const cor_vspace *V)
{
    (void)V;
    mpfr_set_d(SV(s), d, MPFR_RNDN);
    return fin(SV(s));
}

static int
m_s_set_si(cor_scalar *s, long k, const cor_vspace *V)
{
    (void)V;
    mpfr_set_si(SV(s), k, MPFR_RNDN);
    return fin(SV(s));
}

/* qnum has sizeof(long) * CHAR_BIT bits, so it holds num exactly; mpfr_div_si then rounds
 * the exact quotient num/den once, at the precision of s. */
static int
m_s_set_q(cor_scalar *s, long num, long den, const cor_vspace *V)
{
    mpfr_set_si(V->work->qnum, num, MPFR_RNDN);
    mpfr_div_si(SV(s), V->work->qnum, den, MPFR_RNDN);
    return COR_OK;
}

/* Base 10 only; the whole text (up to trailing white space) must be one number. */
static int
parse_mpfr(mpfr_ptr out, const char *text)
{
    char *end;
    const char *p;

    mpfr_strtofr(out, text, &end, 10, MPFR_RNDN);
    if (end == text)
        return COR_EPARSE;
    for (p = end; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
        ;
    if (*p != '\0')
        return COR_EPARSE;
    return fin(out);
}

/* Parse into acc first so that a parse error leaves s unchanged; acc has the space
 * precision, so the copy is exact. */
static int
m_s_set_str(cor_scalar *s, const char *text, const cor_vspace *V)
{
    int st = parse_mpfr(V->work->acc, text);

    if (st != COR_EPARSE)
        mpfr_set(SV(s), V->work->acc, MPFR_RNDN);
    return st;
}

static int
m_s_set_mpfr(cor_scalar *s, mpfr_srcptr x, const cor_vspace *V)
{
    (void)V;
    mpfr_set(SV(s), x, MPFR_RNDN);
    return fin(SV(s));
}

static int
m_s_get_mpfr(mpfr_ptr out, const cor_scalar *s)
{
    mpfr_set(out, SV(s), MPFR_RNDN);
    return fin(SV(s));
}

static double
m_s_get_d(const cor_scalar *s)
{
    return mpfr_get_d(SV(s), MPFR_RNDN);
}

static int
m_s_set(cor_scalar *dst, const cor_scalar *src)
{
    mpfr_set(SV(dst), SV(src), MPFR_RNDN);
    return fin(SV(dst));
}

static int
m_s_add(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    mpfr_add(SV(out), SV(a), SV(b), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_sub(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    mpfr_sub(SV(out), SV(a), SV(b), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_mul(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    mpfr_mul(SV(out), SV(a), SV(b), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_div(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    mpfr_div(SV(out), SV(a), SV(b), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_sqrt(cor_scalar *out, const cor_scalar *a)
{
    mpfr_sqrt(SV(out), SV(a), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_neg(cor_scalar *out, const cor_scalar *a)
{
    mpfr_neg(SV(out), SV(a), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_abs(cor_scalar *out, const cor_scalar *a)
{
    mpfr_abs(SV(out), SV(a), MPFR_RNDN);
    return fin(SV(out));
}

static int
m_s_is_finite(const cor_scalar *s)
{
    return mpfr_number_p(SV(s)) ? 1 : 0;
}

static int
m_s_sgn(const cor_scalar *s)
{
    if (mpfr_nan_p(SV(s)))
        return 0;
    return mpfr_sgn(SV(s)) > 0 ? 1 : (mpfr_sgn(SV(s)) < 0 ? -1 : 0);
}

/* Enough significant digits to read the number back exactly at its precision. */
static int
print_mpfr(FILE *f, mpfr_srcptr x)
{
    size_t digits = mpfr_get_str_ndigits(10, mpfr_get_prec(x));

    return mpfr_fprintf(f, "%.*Rg\n", (int)digits, x) < 0 ? COR_EIO : COR_OK;
}

static int
m_s_fprint(FILE *f, const cor_scalar *s)
{
    return print_mpfr(f, SV(s));
}

/* ---- required vector operations ------------------------------------------------------ */

static void
m_zero(cor_vec *z)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_set_zero(EL(z, i), 1);
}

static void
m_copy(cor_vec *z, const cor_vec *x)
{
    size_t i;

    if (z == x)
        return;
    for (i = 0; i < z->n; i++)
        mpfr_set(EL(z, i), EL(x, i), MPFR_RNDN);
}

static void
m_axpby(cor_vec *z, const cor_scalar *a, const cor_vec *x, const cor_scalar *b, const cor_vec *y)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_fmma(EL(z, i), SV(a), EL(x, i), SV(b), EL(y, i), MPFR_RNDN);
}

static void
m_scale(cor_vec *z, const cor_scalar *a, const cor_vec *x)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_mul(EL(z, i), SV(a), EL(x, i), MPFR_RNDN);
}

static int
m_dot(cor_scalar *d, const cor_vec *x, const cor_vec *y, const cor_vspace *V)
{
    mpfr_ptr acc = V->work->acc;
    size_t i;

    mpfr_set_zero(acc, 1);
    for (i = 0; i < x->n; i++)
        mpfr_fma(acc, EL(x, i), EL(y, i), acc, MPFR_RNDN);
    mpfr_set(SV(d), acc, MPFR_RNDN);
    return fin(SV(d));
}

static int
m_nrm2(cor_scalar *r, const cor_vec *x, const cor_vspace *V)
{
    mpfr_ptr acc = V->work->acc;
    size_t i;

    mpfr_set_zero(acc, 1);
    for (i = 0; i < x->n; i++)
        mpfr_fma(acc, EL(x, i), EL(x, i), acc, MPFR_RNDN);
    mpfr_sqrt(SV(r), acc, MPFR_RNDN);
    return fin(SV(r));
}

static int
m_amax(cor_scalar *r, const cor_vec *x)
{
    size_t i;

    mpfr_set_zero(SV(r), 1);
    for (i = 0; i < x->n; i++)
    {
        if (mpfr_nan_p(EL(x, i)))
        {
            mpfr_set_nan(SV(r));
            break;
        }
        if (mpfr_cmpabs(EL(x, i), SV(r)) > 0)
            mpfr_abs(SV(r), EL(x, i), MPFR_RNDN);
    }
    return fin(SV(r));
}

static int
m_all_finite(const cor_vec *x)
{
    size_t i;

    for (i = 0; i < x->n; i++)
        if (!mpfr_number_p(EL(x, i)))
            return 0;
    return 1;
}

static double
m_get_d(const cor_vec *x, size_t i)
{
    return mpfr_get_d(EL(x, i), MPFR_RNDN);
}

static int
m_set_d(cor_vec *z, size_t i, double val)
{
    mpfr_set_d(EL(z, i), val, MPFR_RNDN);
    return fin(EL(z, i));
}

/* Parse into the space's acc so that a parse error leaves z_i unchanged. */
static int
m_set_str(cor_vec *z, size_t i, const char *text, const cor_vspace *V)
{
    mpfr_ptr acc = V->work->acc;
    int st = parse_mpfr(acc, text);

    if (st != COR_EPARSE)
        mpfr_set(EL(z, i), acc, MPFR_RNDN);
    return st;
}

static void
m_get_scalar(cor_scalar *s, const cor_vec *x, size_t i)
{
    mpfr_set(SV(s), EL(x, i), MPFR_RNDN);
}

static void
m_set_scalar(cor_vec *z, size_t i, const cor_scalar *s)
{
    mpfr_set(EL(z, i), SV(s), MPFR_RNDN);
}

static int
m_fprint(FILE *f, const cor_vec *x)
{
    size_t i;

    for (i = 0; i < x->n; i++)
        if (print_mpfr(f, EL(x, i)) != COR_OK)
            return COR_EIO;
    return COR_OK;
}

/* ---- optional (fused) operations ----------------------------------------------------- */

/* All x_k[i] are read into acc before z_i is written, so z may alias any x_k. */
static void
m_lincomb(cor_vec *z, size_t m, const cor_scalar *const *c, const cor_vec *const *x,
          const cor_vspace *V)
{
    mpfr_ptr acc = V->work->acc;
    size_t i, k;

    for (i = 0; i < z->n; i++)
    {
        mpfr_mul(acc, SV(c[0]), EL(x[0], i), MPFR_RNDN);
        for (k = 1; k < m; k++)
            mpfr_fma(acc, SV(c[k]), EL(x[k], i), acc, MPFR_RNDN);
        mpfr_set(EL(z, i), acc, MPFR_RNDN);
    }
}

static void
m_mul(cor_vec *z, const cor_vec *x, const cor_vec *y)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_mul(EL(z, i), EL(x, i), EL(y, i), MPFR_RNDN);
}

static void
m_div(cor_vec *z, const cor_vec *x, const cor_vec *y)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_div(EL(z, i), EL(x, i), EL(y, i), MPFR_RNDN);
}

static void
m_sqrt(cor_vec *z, const cor_vec *x)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_sqrt(EL(z, i), EL(x, i), MPFR_RNDN);
}

static void
m_addc(cor_vec *z, const cor_vec *x, const cor_scalar *c)
{
    size_t i;

    for (i = 0; i < z->n; i++)
        mpfr_add(EL(z, i), EL(x, i), SV(c), MPFR_RNDN);
}

/* ---- the table ------------------------------------------------------------------------ */

const cor_vspace_ops cor_vspace_ops_mpfr_internal = {
    .kind = COR_MPFR,
    .name = "mpfr",
    .s_set_d = m_s_set_d,
    .s_set_si = m_s_set_si,
    .s_set_q = m_s_set_q,
    .s_set_str = m_s_set_str,
    .s_set_mpfr = m_s_set_mpfr,
    .s_get_mpfr = m_s_get_mpfr,
    .s_get_d = m_s_get_d,
    .s_set = m_s_set,
    .s_add = m_s_add,
    .s_sub = m_s_sub,
    .s_mul = m_s_mul,
    .s_div = m_s_div,
    .s_sqrt = m_s_sqrt,
    .s_neg = m_s_neg,
    .s_abs = m_s_abs,
    .s_is_finite = m_s_is_finite,
    .s_sgn = m_s_sgn,
    .s_fprint = m_s_fprint,
    .zero = m_zero,
    .copy = m_copy,
    .axpby = m_axpby,
    .scale = m_scale,
    .dot = m_dot,
    .nrm2 = m_nrm2,
    .amax = m_amax,
    .all_finite = m_all_finite,
    .get_d = m_get_d,
    .set_d = m_set_d,
    .set_str = m_set_str,
    .get_scalar = m_get_scalar,
    .set_scalar = m_set_scalar,
    .fprint = m_fprint,
    .lincomb = m_lincomb,
    .mul = m_mul,
    .div = m_div,
    .sqrt = m_sqrt,
    .addc = m_addc,
};
