/* vspace_real_source.c -- f64 and f32 kernels of the vspace module (a template).
 *
 * Not compiled on its own: vspace_f64.c and vspace_f32.c include it between
 * templates_on.h and templates_off.h, with BASE_DOUBLE or BASE_FLOAT defined (GSL style).
 * BASE is the element type, ACC (double) the accumulator of reductions and lincomb.
 *
 * Arguments were checked by vspace.c (vspace_impl.h). Every kernel is a plain loop from
 * i = 0 to n-1, so results do not depend on threads or on the machine's vector width
 * (build without -ffast-math, and without FP contraction on FMA targets, to keep that).
 * Outputs may alias inputs: each element z_i is computed from x_i, y_i only and written
 * after they are read.
 *
 * Rounding. Scalar operations and elementwise vector operations are BASE operations, so
 * for f32 each is rounded to float (what a float32 trainer does). dot, nrm2 and lincomb
 * accumulate in ACC = double: for f32 each product x_i*y_i of two floats is exact in double
 * (24 + 24 <= 53 bits), the sum is then rounded once per term at 53 bits and once to float at
 * the end, which is far more accurate than a float sum and costs nothing on current CPUs.
 */

#define VDATA(v) ((v)->d.SHORT)
#define SVAL(s) ((s)->u.SHORT)

static int
FUNCTION(fin)(BASE x)
{
    return isfinite(x) ? COR_OK : COR_NONFINITE;
}

/* ---- scalars -------------------------------------------------------------------------- */

static int
FUNCTION(s_set_d)(cor_scalar *s, double d, const cor_vspace *V)
{
    (void)V;
    SVAL(s) = (BASE)d;
    return FUNCTION(fin)(SVAL(s));
}

static int
FUNCTION(s_set_si)(cor_scalar *s, long k, const cor_vspace *V)
{
    (void)V;
    SVAL(s) = (BASE)k;
    return FUNCTION(fin)(SVAL(s));
}

/* num/den rounded once: qnum holds the long num exactly (it has sizeof(long) * CHAR_BIT
 * bits), mpfr_div_si rounds the exact quotient once to qres, which has the precision of
 * BASE. The quotient lies in [2^-63, 2^63] (or is 0), inside the normal range of float and
 * double, so converting qres to BASE is exact and there is no second rounding. */
static int
FUNCTION(s_set_q)(cor_scalar *s, long num, long den, const cor_vspace *V)
{
    cor_vspace_work *w = V->work;

    mpfr_set_si(w->qnum, num, MPFR_RNDN);
    mpfr_div_si(w->qres, w->qnum, den, MPFR_RNDN);
    SVAL(s) = BASE_MPFR_GET(w->qres, MPFR_RNDN);
    return COR_OK;
}

static int
FUNCTION(s_set_str)(cor_scalar *s, const char *text, const cor_vspace *V)
{
    BASE v;
    int st;

    (void)V;
    st = BASE_PARSE(&v, text);
    if (st != COR_EPARSE)
        SVAL(s) = v;
    return st;
}

static int
FUNCTION(s_set_mpfr)(cor_scalar *s, mpfr_srcptr x, const cor_vspace *V)
{
    (void)V;
    SVAL(s) = BASE_MPFR_GET(x, MPFR_RNDN);
    return FUNCTION(fin)(SVAL(s));
}

static int
FUNCTION(s_get_mpfr)(mpfr_ptr out, const cor_scalar *s)
{
    BASE_MPFR_SET(out, SVAL(s), MPFR_RNDN);
    return FUNCTION(fin)(SVAL(s));
}

static double
FUNCTION(s_get_d)(const cor_scalar *s)
{
    return (double)SVAL(s);
}

static int
FUNCTION(s_set)(cor_scalar *dst, const cor_scalar *src)
{
    SVAL(dst) = SVAL(src);
    return FUNCTION(fin)(SVAL(dst));
}

static int
FUNCTION(s_add)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    SVAL(out) = SVAL(a) + SVAL(b);
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_sub)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    SVAL(out) = SVAL(a) - SVAL(b);
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_mul)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    SVAL(out) = SVAL(a) * SVAL(b);
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_div)(cor_scalar *out, const cor_scalar *a, const cor_scalar *b)
{
    SVAL(out) = SVAL(a) / SVAL(b);
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_sqrt)(cor_scalar *out, const cor_scalar *a)
{
    SVAL(out) = BASE_SQRT(SVAL(a));
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_neg)(cor_scalar *out, const cor_scalar *a)
{
    SVAL(out) = -SVAL(a);
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_abs)(cor_scalar *out, const cor_scalar *a)
{
    SVAL(out) = BASE_FABS(SVAL(a));
    return FUNCTION(fin)(SVAL(out));
}

static int
FUNCTION(s_is_finite)(const cor_scalar *s)
{
    return isfinite(SVAL(s)) ? 1 : 0;
}

static int
FUNCTION(s_sgn)(const cor_scalar *s)
{
    return (SVAL(s) > 0) - (SVAL(s) < 0);
}

static int
FUNCTION(s_fprint)(FILE *f, const cor_scalar *s)
{
    return fprintf(f, BASE_FMT, (double)SVAL(s)) < 0 ? COR_EIO : COR_OK;
}

/* ---- required vector operations ------------------------------------------------------ */

static void
FUNCTION(zero)(cor_vec *z)
{
    BASE *zd = VDATA(z);
    size_t i;

    for (i = 0; i < z->n; i++)
        zd[i] = 0;
}

static void
FUNCTION(copy)(cor_vec *z, const cor_vec *x)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x);

    if (zd != xd)
        memmove(zd, xd, z->n * sizeof(BASE));
}

static void
FUNCTION(axpby)(cor_vec *z, const cor_scalar *a, const cor_vec *x, const cor_scalar *b,
                const cor_vec *y)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x), *yd = VDATA(y);
    const BASE av = SVAL(a), bv = SVAL(b);
    size_t i;

    for (i = 0; i < z->n; i++)
    {
        BASE ax = av * xd[i];
        BASE by = bv * yd[i];
        zd[i] = ax + by;
    }
}

static void
FUNCTION(scale)(cor_vec *z, const cor_scalar *a, const cor_vec *x)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x);
    const BASE av = SVAL(a);
    size_t i;

    for (i = 0; i < z->n; i++)
        zd[i] = av * xd[i];
}

static int
FUNCTION(dot)(cor_scalar *d, const cor_vec *x, const cor_vec *y, const cor_vspace *V)
{
    const BASE *xd = VDATA(x), *yd = VDATA(y);
    ACC acc = 0;
    size_t i;

    (void)V;
    for (i = 0; i < x->n; i++)
        acc += (ACC)xd[i] * (ACC)yd[i];
    SVAL(d) = (BASE)acc;
    return FUNCTION(fin)(SVAL(d));
}

static int
FUNCTION(amax)(cor_scalar *r, const cor_vec *x)
{
    const BASE *xd = VDATA(x);
    BASE m = 0;
    size_t i;

    for (i = 0; i < x->n; i++)
    {
        BASE a = BASE_FABS(xd[i]);
        if (isnan(a))
        {
            m = a;
            break;
        }
        if (a > m)
            m = a;
    }
    SVAL(r) = m;
    return FUNCTION(fin)(m);
}

/* The Euclidean norm. The plain sum of squares in double is exact enough and fast, and is
 * what we return whenever it is safely inside the normal range. It can only go wrong by
 * overflow (f64 elements above ~1e154) or by underflow of the squares (f64 elements below
 * ~1e-154); f32 squares always fit in double. In those cases (sum infinite, or below 2^-900,
 * including 0) we scale every element by 2^-e, where 2^e <= amax < 2^(e+1). 2^-e itself
 * may overflow (amax subnormal, e down to -1074), so the scaling is done as two exact
 * multiplications by 2^e1 and 2^e2, e1 + e2 = -e, |e1|, |e2| <= 538. Multiplying by a power
 * of two is exact unless the product underflows; a product can underflow only for an
 * element below 2^-500 * amax, whose square changes the sum by less than 2^-1000 relative.
 * The scaled sum lies in [1, 4n), and the result is sqrt(sum) * 2^e, rounded once by
 * ldexp. NaN and Inf elements give NaN and Inf. */
static int
FUNCTION(nrm2)(cor_scalar *r, const cor_vec *x, const cor_vspace *V)
{
    const BASE *xd = VDATA(x);
    ACC acc = 0, m = 0, s1, s2;
    size_t i;
    int e;

    (void)V;
    for (i = 0; i < x->n; i++)
        acc += (ACC)xd[i] * (ACC)xd[i];
    if (isnan(acc) || (isfinite(acc) && acc >= 0x1p-900))
    {
        SVAL(r) = (BASE)sqrt(acc);
        return FUNCTION(fin)(SVAL(r));
    }

    for (i = 0; i < x->n; i++)
    {
        ACC a = fabs((ACC)xd[i]);
        if (isnan(a) || isinf(a))
        {
            SVAL(r) = (BASE)a;
            return COR_NONFINITE;
        }
        if (a > m)
            m = a;
    }
    if (m == 0)
    {
        SVAL(r) = 0;
        return COR_OK;
    }
    e = ilogb(m);
    s1 = ldexp(1.0, -e / 2);
    s2 = ldexp(1.0, -e - (-e / 2));
    acc = 0;
    for (i = 0; i < x->n; i++)
    {
        ACC t = (ACC)xd[i] * s1 * s2;
        acc += t * t;
    }
    SVAL(r) = (BASE)ldexp(sqrt(acc), e);
    return FUNCTION(fin)(SVAL(r));
}

static int
FUNCTION(all_finite)(const cor_vec *x)
{
    const BASE *xd = VDATA(x);
    size_t i;

    for (i = 0; i < x->n; i++)
        if (!isfinite(xd[i]))
            return 0;
    return 1;
}

static double
FUNCTION(get_d)(const cor_vec *x, size_t i)
{
    return (double)VDATA(x)[i];
}

static int
FUNCTION(set_d)(cor_vec *z, size_t i, double val)
{
    VDATA(z)[i] = (BASE)val;
    return FUNCTION(fin)(VDATA(z)[i]);
}

static int
FUNCTION(set_str)(cor_vec *z, size_t i, const char *text, const cor_vspace *V)
{
    BASE v;
    int st = BASE_PARSE(&v, text);

    (void)V;
    if (st != COR_EPARSE)
        VDATA(z)[i] = v;
    return st;
}

static void
FUNCTION(get_scalar)(cor_scalar *s, const cor_vec *x, size_t i)
{
    SVAL(s) = VDATA(x)[i];
}

static void
FUNCTION(set_scalar)(cor_vec *z, size_t i, const cor_scalar *s)
{
    VDATA(z)[i] = SVAL(s);
}

static int
FUNCTION(fprint)(FILE *f, const cor_vec *x)
{
    const BASE *xd = VDATA(x);
    size_t i;

    for (i = 0; i < x->n; i++)
        if (fprintf(f, BASE_FMT, (double)xd[i]) < 0)
            return COR_EIO;
    return COR_OK;
}

/* ---- optional (fused) operations ----------------------------------------------------- */

/* Per element, sum_k c_k x_k[i] accumulated in double from k = 0, then rounded once to
 * BASE. All x_k[i] are read before z[i] is written, so z may be any of the x_k. */
static void
FUNCTION(lincomb)(cor_vec *z, size_t m, const cor_scalar *const *c, const cor_vec *const *x,
                  const cor_vspace *V)
{
    BASE *zd = VDATA(z);
    size_t i, k;

    (void)V;
    for (i = 0; i < z->n; i++)
    {
        ACC acc = 0;
        for (k = 0; k < m; k++)
            acc += (ACC)SVAL(c[k]) * (ACC)VDATA(x[k])[i];
        zd[i] = (BASE)acc;
    }
}

static void
FUNCTION(mul)(cor_vec *z, const cor_vec *x, const cor_vec *y)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x), *yd = VDATA(y);
    size_t i;

    for (i = 0; i < z->n; i++)
        zd[i] = xd[i] * yd[i];
}

static void
FUNCTION(div)(cor_vec *z, const cor_vec *x, const cor_vec *y)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x), *yd = VDATA(y);
    size_t i;

    for (i = 0; i < z->n; i++)
        zd[i] = xd[i] / yd[i];
}

static void
FUNCTION(sqrt)(cor_vec *z, const cor_vec *x)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x);
    size_t i;

    for (i = 0; i < z->n; i++)
        zd[i] = BASE_SQRT(xd[i]);
}

static void
FUNCTION(addc)(cor_vec *z, const cor_vec *x, const cor_scalar *c)
{
    BASE *zd = VDATA(z);
    const BASE *xd = VDATA(x);
    const BASE cv = SVAL(c);
    size_t i;

    for (i = 0; i < z->n; i++)
        zd[i] = xd[i] + cv;
}

/* ---- the table ------------------------------------------------------------------------ */

const cor_vspace_ops OPS_TABLE = {
    .kind = BASE_KIND,
    .name = BASE_NAME,
    .s_set_d = FUNCTION(s_set_d),
    .s_set_si = FUNCTION(s_set_si),
    .s_set_q = FUNCTION(s_set_q),
    .s_set_str = FUNCTION(s_set_str),
    .s_set_mpfr = FUNCTION(s_set_mpfr),
    .s_get_mpfr = FUNCTION(s_get_mpfr),
    .s_get_d = FUNCTION(s_get_d),
    .s_set = FUNCTION(s_set),
    .s_add = FUNCTION(s_add),
    .s_sub = FUNCTION(s_sub),
    .s_mul = FUNCTION(s_mul),
    .s_div = FUNCTION(s_div),
    .s_sqrt = FUNCTION(s_sqrt),
    .s_neg = FUNCTION(s_neg),
    .s_abs = FUNCTION(s_abs),
    .s_is_finite = FUNCTION(s_is_finite),
    .s_sgn = FUNCTION(s_sgn),
    .s_fprint = FUNCTION(s_fprint),
    .zero = FUNCTION(zero),
    .copy = FUNCTION(copy),
    .axpby = FUNCTION(axpby),
    .scale = FUNCTION(scale),
    .dot = FUNCTION(dot),
    .nrm2 = FUNCTION(nrm2),
    .amax = FUNCTION(amax),
    .all_finite = FUNCTION(all_finite),
    .get_d = FUNCTION(get_d),
    .set_d = FUNCTION(set_d),
    .set_str = FUNCTION(set_str),
    .get_scalar = FUNCTION(get_scalar),
    .set_scalar = FUNCTION(set_scalar),
    .fprint = FUNCTION(fprint),
    .lincomb = FUNCTION(lincomb),
    .mul = FUNCTION(mul),
    .div = FUNCTION(div),
    .sqrt = FUNCTION(sqrt),
    .addc = FUNCTION(addc),
};

#undef VDATA
#undef SVAL
