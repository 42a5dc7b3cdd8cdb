/* check_loss.c -- the loss zoo: every family builds, has the right value at known points,
 * the corridor families have H grad L = 0 up to rounding (|Hg_i| <= 2^(16-prec) scale_i at
 * 256 and 1024 bits, at random points away from kinks), the others have Hg clearly nonzero
 * (exact reference values from PREDICTIONS P1 where there are some), data files are read
 * exactly and malformed ones rejected with the right status and position, batches average to
 * the full loss, and spec strings build the families or fail with the right status. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_loss.h"
#include "testlib.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t
rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A uniform number in [lo, hi) on the grid 2^-20 (exact in binary). */
static double
rng_uniform(double lo, double hi)
{
    double u = (double)(rng_next() >> 44) / 1048576.0;
    return ldexp(floor(ldexp(lo + (hi - lo) * u, 20)), -20);
}

static void
seed_rng(void)
{
    rng_state = cor_test_seed();
}

static cor_loss *
spec_ok(const char *spec)
{
    cor_loss *L = cor_loss_from_spec(spec);
    ck_assert_msg(L != NULL, "%s: %s", spec, cor_last_error()->msg);
    return L;
}

/* Value of node (a function of L's variables) at the point given as exact rationals (decimal
 * or p/q text, read with cor_loss_parse_q and rounded once at prec). */
static void
value_at(mpfr_t out, const cor_loss *L, cor_node node, const char *const *pt, mpfr_prec_t prec)
{
    size_t n = cor_loss_dim(L), i;
    cor_tape *t = cor_tape_alloc(cor_loss_pool(L), n, cor_loss_vars(L), 1, &node);
    cor_eval_mpfr *w;
    mpfr_t o[1], *in = malloc(n * sizeof *in);
    mpq_t q;
    int st;

    ck_assert_msg(t != NULL, "%s", cor_last_error()->msg);
    w = cor_eval_mpfr_alloc(t, prec);
    ck_assert_ptr_nonnull(w);
    mpq_init(q);
    for (i = 0; i < n; i++)
    {
        mpfr_init2(in[i], prec);
        ck_assert_int_eq(cor_loss_parse_q(q, pt[i], (size_t)-1), COR_OK);
        mpfr_set_q(in[i], q, MPFR_RNDN);
    }
    mpfr_init2(o[0], prec);
    st = cor_eval_mpfr_run(w, o, (const mpfr_t *)in);
    ck_assert_msg(st == COR_OK, "eval: %s", cor_strerror(st));
    mpfr_set(out, o[0], MPFR_RNDN);
    mpfr_clear(o[0]);
    for (i = 0; i < n; i++)
        mpfr_clear(in[i]);
    free(in);
    mpq_clear(q);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}

/* |value - ref| <= 2^(12 - prec) max(1, |ref|), ref a decimal string or NULL for refm. */
static void
check_close(const mpfr_t v, const mpfr_t ref, mpfr_prec_t prec, const char *what)
{
    mpfr_t d, tol;

    mpfr_inits2(prec, d, tol, (mpfr_ptr)0);
    mpfr_sub(d, v, ref, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_abs(tol, ref, MPFR_RNDN);
    if (mpfr_cmp_ui(tol, 1) < 0)
        mpfr_set_ui(tol, 1, MPFR_RNDN);
    mpfr_mul_2si(tol, tol, 12 - (long)prec, MPFR_RNDN);
    ck_assert_msg(mpfr_cmp(d, tol) <= 0, "%s: got %.20g, want %.20g", what, mpfr_get_d(v,
                  MPFR_RNDN), mpfr_get_d(ref, MPFR_RNDN));
    mpfr_clears(d, tol, (mpfr_ptr)0);
}

static void
check_value(const cor_loss *L, const char *const *pt, const char *want, mpfr_prec_t prec)
{
    mpfr_t v, ref;

    mpfr_inits2(prec, v, ref, (mpfr_ptr)0);
    value_at(v, L, cor_loss_root(L), pt, prec);
    {
        mpq_t q;
        mpq_init(q);
        ck_assert_int_eq(cor_loss_parse_q(q, want, (size_t)-1), COR_OK);
        mpfr_set_q(ref, q, MPFR_RNDN);
        mpq_clear(q);
    }
    check_close(v, ref, prec, cor_loss_name(L));
    mpfr_clears(v, ref, (mpfr_ptr)0);
}

/* H grad L of a loss compiled once, evaluated at many points. */
typedef struct
{
    size_t n;
    cor_tape *tape;
    cor_eval_mpfr *w;
    mpfr_prec_t prec;
    mpfr_t *in, *out, *sc;
} hg_eval;

static void
hg_init(hg_eval *h, const cor_loss *L, mpfr_prec_t prec)
{
    size_t i, n = cor_loss_dim(L);
    cor_node *hg = malloc(n * sizeof *hg);

    ck_assert_ptr_nonnull(hg);
    ck_assert_int_eq(cor_diff_hg(hg, cor_loss_pool(L), cor_loss_root(L), NULL, n,
                                 cor_loss_vars(L)), COR_OK);
    h->n = n;
    h->prec = prec;
    h->tape = cor_tape_alloc(cor_loss_pool(L), n, cor_loss_vars(L), n, hg);
    ck_assert_msg(h->tape != NULL, "%s", cor_last_error()->msg);
    h->w = cor_eval_mpfr_alloc(h->tape, prec);
    ck_assert_ptr_nonnull(h->w);
    h->in = malloc(n * sizeof *h->in);
    h->out = malloc(n * sizeof *h->out);
    h->sc = malloc(n * sizeof *h->sc);
    for (i = 0; i < n; i++)
    {
        mpfr_init2(h->in[i], prec);
        mpfr_init2(h->out[i], prec);
        mpfr_init2(h->sc[i], prec);
    }
    free(hg);
}

static void
hg_clear(hg_eval *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
    {
        mpfr_clear(h->in[i]);
        mpfr_clear(h->out[i]);
        mpfr_clear(h->sc[i]);
    }
    free(h->in);
    free(h->out);
    free(h->sc);
    cor_eval_mpfr_free(h->w);
    cor_tape_free(h->tape);
}

/* Runs at pt; returns max_i |Hg_i| / (2^(16-prec) scale_i) (0 when both are 0) and the
 * Euclidean norm of Hg in *norm. */
static double
hg_ratio(hg_eval *h, const double *pt, double *norm)
{
    double worst = 0, nn = 0;
    mpfr_t r;
    size_t i;
    int st;

    for (i = 0; i < h->n; i++)
        mpfr_set_d(h->in[i], pt[i], MPFR_RNDN);
    st = cor_eval_mpfr_run(h->w, h->out, (const mpfr_t *)h->in);
    ck_assert_msg(st == COR_OK, "Hg run: %s", cor_strerror(st));
    ck_assert_int_eq(cor_eval_mpfr_scale(h->w, h->sc), COR_OK);
    mpfr_init2(r, 64);
    for (i = 0; i < h->n; i++)
    {
        double q, o = mpfr_get_d(h->out[i], MPFR_RNDN);
        nn += o * o;
        if (mpfr_zero_p(h->out[i]))
            continue;
        mpfr_mul_2si(r, h->sc[i], 16 - (long)h->prec, MPFR_RNDN);
        mpfr_div(r, h->out[i], r, MPFR_RNDN);
        mpfr_abs(r, r, MPFR_RNDN);
        q = mpfr_get_d(r, MPFR_RNDN);
        if (!(q <= worst))
            worst = q;
    }
    mpfr_clear(r);
    if (norm)
        *norm = sqrt(nn);
    return worst;
}

/* A point for a corridor test: accept(pt) says whether it is away from the kinks. */
typedef int (*accept_fn)(const double *pt, size_t n);

static void
check_corridor(const cor_loss *L, accept_fn accept, double box, int npts)
{
    static const mpfr_prec_t precs[] = {256, 1024};
    size_t n = cor_loss_dim(L), p;
    double *pt = malloc(n * sizeof *pt);

    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_EVERYWHERE);
    for (p = 0; p < 2; p++)
    {
        hg_eval h;
        int k, done = 0;
        hg_init(&h, L, precs[p]);
        for (k = 0; done < npts && k < 100 * npts; k++)
        {
            size_t i;
            double ratio;
            for (i = 0; i < n; i++)
                pt[i] = rng_uniform(-box, box);
            if (accept && !accept(pt, n))
                continue;
            ratio = hg_ratio(&h, pt, NULL);
            ck_assert_msg(ratio <= 1.0, "%s at %ld bits: |Hg| / (2^(16-prec) scale) = %g at "
                          "(%g, %g, ...)", cor_loss_name(L), (long)precs[p], ratio, pt[0],
                          n > 1 ? pt[1] : 0.0);
            done++;
        }
        ck_assert_int_eq(done, npts);
        hg_clear(&h);
    }
    free(pt);
}

/* |Hg| at pt is at least min_norm and far above rounding. */
static void
check_not_corridor(const cor_loss *L, const double *pt, double min_norm)
{
    hg_eval h;
    double norm, ratio;

    hg_init(&h, L, 256);
    ratio = hg_ratio(&h, pt, &norm);
    ck_assert_msg(norm >= min_norm && ratio > 1e30, "%s: |Hg| = %g, ratio %g",
                  cor_loss_name(L), norm, ratio);
    hg_clear(&h);
}

/* Hg at pt equals the exact rationals want[] (p/q text) to 2^-200 relative. */
static void
check_hg_exact(const cor_loss *L, const double *pt, const char *const *want)
{
    hg_eval h;
    mpfr_t ref;
    size_t i;

    hg_init(&h, L, 256);
    hg_ratio(&h, pt, NULL);
    mpfr_init2(ref, 256);
    for (i = 0; i < h.n; i++)
    {
        mpq_t q;
        mpq_init(q);
        ck_assert_int_eq(cor_loss_parse_q(q, want[i], (size_t)-1), COR_OK);
        mpfr_set_q(ref, q, MPFR_RNDN);
        check_close(h.out[i], ref, 200, want[i]);
        mpq_clear(q);
    }
    mpfr_clear(ref);
    hg_clear(&h);
}

static int
q_is(const mpq_t q, long num, unsigned long den)
{
    mpq_t r;
    int eq;

    mpq_init(r);
    mpq_set_si(r, num, den);
    mpq_canonicalize(r);
    eq = mpq_equal(q, r);
    mpq_clear(r);
    return eq;
}

/* Writes text to a fresh temporary file; returns its path (free with free + unlink). */
static char *
temp_file(const char *text, const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(512);
    int fd;
    size_t len = strlen(text);

    snprintf(path, 512, "%s/corlossXXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
    fd = mkstemps(path, (int)strlen(suffix));
    ck_assert_msg(fd >= 0, "mkstemps %s", path);
    ck_assert_int_eq((long)write(fd, text, len), (long)len);
    close(fd);
    return path;
}

static void
remove_file(char *path)
{
    unlink(path);
    free(path);
}

/* ---- exact numbers ------------------------------------------------------------------- */

START_TEST(test_parse_q)
{
    mpq_t q;

    mpq_init(q);
    ck_assert_int_eq(cor_loss_parse_q(q, "1/3", (size_t)-1), COR_OK);
    ck_assert(q_is(q, 1, 3));
    ck_assert_int_eq(cor_loss_parse_q(q, "-1.25e-3", (size_t)-1), COR_OK);
    ck_assert(q_is(q, -1, 800));
    ck_assert_int_eq(cor_loss_parse_q(q, "0.1", (size_t)-1), COR_OK);
    ck_assert(q_is(q, 1, 10));
    ck_assert_int_eq(cor_loss_parse_q(q, ".5", (size_t)-1), COR_OK);
    ck_assert(q_is(q, 1, 2));
    ck_assert_int_eq(cor_loss_parse_q(q, "+2.5/7", (size_t)-1), COR_OK);
    ck_assert(q_is(q, 5, 14));
    ck_assert_int_eq(cor_loss_parse_q(q, "12E2", (size_t)-1), COR_OK);
    ck_assert(q_is(q, 1200, 1));
    ck_assert_int_eq(cor_loss_parse_q(q, "3/4junk", 3), COR_OK);
    ck_assert(q_is(q, 3, 4));
    ck_assert_int_eq(cor_loss_parse_q(q, "", (size_t)-1), COR_EPARSE);
    ck_assert_int_eq(cor_loss_parse_q(q, "1/0", (size_t)-1), COR_EPARSE);
    ck_assert_int_eq(cor_loss_parse_q(q, "1/-2", (size_t)-1), COR_EPARSE);
    ck_assert_int_eq(cor_loss_parse_q(q, "abc", (size_t)-1), COR_EPARSE);
    ck_assert_int_eq(cor_loss_parse_q(q, "1e", (size_t)-1), COR_EPARSE);
    ck_assert_int_eq(cor_loss_parse_q(q, "1.2.3", (size_t)-1), COR_EPARSE);
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    ck_assert_int_eq(cor_loss_parse_q(q, "1e99999999", (size_t)-1), COR_ERANGE);
    mpq_clear(q);
}
END_TEST

/* ---- expression losses --------------------------------------------------------------- */

START_TEST(test_expr)
{
    static const char *pt[] = {"2", "1/3"};
    cor_loss *L = cor_loss_alloc_expr("x^2 + 3*y", "x, y");

    ck_assert_msg(L != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_loss_dim(L), 2);
    ck_assert_str_eq(cor_loss_var_name(L, 0), "x");
    ck_assert_str_eq(cor_loss_var_name(L, 1), "y");
    ck_assert_ptr_null(cor_loss_var_name(L, 2));
    ck_assert_str_eq(cor_loss_family(L), "expr");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_UNKNOWN);
    ck_assert_uint_eq(cor_loss_nbatches(L), 1);
    ck_assert_uint_eq(cor_loss_batch(L, 0), cor_loss_root(L));
    ck_assert_uint_eq(cor_loss_batch(L, 1), COR_NODE_NONE);
    ck_assert_ptr_null(cor_loss_batch_points(L, 0));
    check_value(L, pt, "5", 256);
    cor_loss_free(L);

    /* order of first appearance */
    L = cor_loss_alloc_expr("y*exp(x) + z", NULL);
    ck_assert_ptr_nonnull(L);
    ck_assert_uint_eq(cor_loss_dim(L), 3);
    ck_assert_str_eq(cor_loss_var_name(L, 0), "y");
    ck_assert_str_eq(cor_loss_var_name(L, 2), "z");
    cor_loss_free(L);

    /* a listed variable may be absent */
    L = cor_loss_alloc_expr("x", "x,y");
    ck_assert_ptr_nonnull(L);
    ck_assert_uint_eq(cor_loss_dim(L), 2);
    cor_loss_free(L);

    ck_assert_ptr_null(cor_loss_alloc_expr("x + z", "x,y"));
    ck_assert(cor_status_is_error(cor_last_error()->code));
    ck_assert_ptr_null(cor_loss_alloc_expr("x + * y", NULL));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "column"));
    ck_assert_ptr_null(cor_loss_alloc_expr("x", "x,x"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_alloc_expr("x", "x,,y"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_alloc_expr("x", "x,2y"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_alloc_expr("3 + 4", NULL));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    cor_loss_free(NULL);
}
END_TEST

/* PREDICTIONS case (vi): four batches 0.5(x_a . theta - y_a)^2, the loss their mean. */
START_TEST(test_expr_batches)
{
    static const char *b[] = {"0.5*(x + 2*y - 1)^2", "0.5*(2*x - y)^2", "0.5*(x + y - 2)^2",
                              "0.5*(-x + 3*y + 1)^2"};
    static const char *pt[] = {"1/2", "-1/2"};
    cor_loss *L = cor_loss_alloc_batches(4, b, "x,y");
    mpfr_t v, s, bk;
    size_t k;

    ck_assert_msg(L != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_loss_nbatches(L), 4);
    ck_assert_uint_eq(cor_loss_npoints(L), 4);
    mpfr_inits2(256, v, s, bk, (mpfr_ptr)0);
    mpfr_set_zero(s, 1);
    for (k = 0; k < 4; k++)
    {
        ck_assert_uint_eq(cor_loss_batch_size(L, k), 1);
        value_at(bk, L, cor_loss_batch(L, k), pt, 256);
        mpfr_add(s, s, bk, MPFR_RNDN);
    }
    mpfr_div_ui(s, s, 4, MPFR_RNDN);
    value_at(v, L, cor_loss_root(L), pt, 256);
    check_close(v, s, 256, "mean of batches");
    /* L(1/2,-1/2) = (1/4)(9/8 + 9/8 + 2 + 1/2) = 19/16 */
    check_value(L, pt, "19/16", 256);
    mpfr_clears(v, s, bk, (mpfr_ptr)0);
    cor_loss_free(L);

    ck_assert_ptr_null(cor_loss_alloc_batches(0, b, NULL));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    {
        static const char *bad[] = {"x", "x +"};
        ck_assert_ptr_null(cor_loss_alloc_batches(2, bad, NULL));
        ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
        ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "batch 2"));
    }
}
END_TEST

START_TEST(test_alloc_node)
{
    cor_expr_pool *P = cor_expr_pool_alloc();
    cor_node x = cor_expr_var(P, "x"), y = cor_expr_var(P, "y"), z = cor_expr_var(P, "z");
    cor_node vars[2] = {x, y}, bad[2] = {x, x};
    cor_node f = cor_expr_add(P, cor_expr_mul(P, x, y), x);
    cor_node g = cor_expr_add(P, f, z);
    cor_node batches[2];
    size_t sizes[2] = {1, 3};
    cor_loss *L = cor_loss_alloc_node(P, f, 2, vars, "mine");

    ck_assert_ptr_nonnull(L);
    ck_assert_str_eq(cor_loss_family(L), "mine");
    ck_assert_ptr_eq(cor_loss_pool(L), P);
    batches[0] = f;
    batches[1] = x;
    ck_assert_int_eq(cor_loss_set_batches(L, 2, batches, sizes), COR_OK);
    ck_assert_uint_eq(cor_loss_npoints(L), 4);
    ck_assert_uint_eq(cor_loss_batch_size(L, 1), 3);
    batches[1] = g;
    ck_assert_int_eq(cor_loss_set_batches(L, 2, batches, NULL), COR_EINVAL);
    ck_assert_uint_eq(cor_loss_nbatches(L), 2); /* unchanged */
    cor_loss_free(L);
    /* the pool is borrowed: still usable */
    ck_assert_uint_eq(cor_expr_nvars(P), 3);
    ck_assert_ptr_null(cor_loss_alloc_node(P, g, 2, vars, NULL));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_alloc_node(P, f, 2, bad, NULL));
    ck_assert_ptr_null(cor_loss_alloc_node(P, f, 0, vars, NULL));
    cor_expr_pool_free(P);
}
END_TEST

/* ---- corridors ---------------------------------------------------------------------------- */

static int
away_from_origin(const double *pt, size_t n)
{
    double r = 0;
    size_t i;

    for (i = 0; i < n; i++)
        r += pt[i] * pt[i];
    return sqrt(r) > 1e-2;
}

START_TEST(test_linear)
{
    static const char *pt[] = {"1", "1"};
    cor_loss *L = spec_ok("linear:a=2,-1,c=1");

    ck_assert_uint_eq(cor_loss_dim(L), 2);
    ck_assert_str_eq(cor_loss_var_name(L, 1), "x2");
    check_value(L, pt, "2", 256);
    seed_rng();
    check_corridor(L, NULL, 5, 8);
    cor_loss_free(L);
    L = spec_ok("linear:n=3,a=0,0,0");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_NONE);
    cor_loss_free(L);
}
END_TEST

START_TEST(test_cone)
{
    static const char *pt[] = {"3", "-1", "2"};
    static const char *pt2[] = {"3.5", "-1", "2"};
    cor_loss *L = spec_ok("cone:n=3");
    cor_loss *C;
    mpfr_t v, ref;

    mpfr_inits2(1024, v, ref, (mpfr_ptr)0);
    value_at(v, L, cor_loss_root(L), pt, 1024);
    mpfr_sqrt_ui(ref, 14, MPFR_RNDN);
    check_close(v, ref, 1024, "|(3,-1,2)| = sqrt 14");
    seed_rng();
    check_corridor(L, away_from_origin, 4, 8);
    cor_loss_free(L);

    /* centred at (1/2, 0, 0), concave: -|(3, -1, 2)| */
    C = spec_ok("ccone:c=1/2,0,0");
    ck_assert_str_eq(cor_loss_family(C), "ccone");
    ck_assert_str_eq(cor_loss_name(C), "ccone:c=1/2,0,0");
    value_at(v, C, cor_loss_root(C), pt2, 1024);
    mpfr_neg(ref, ref, MPFR_RNDN);
    check_close(v, ref, 1024, "-|(3,-1,2)|");
    check_corridor(C, away_from_origin, 4, 8);
    cor_loss_free(C);

    /* one dimension: s |x - c| */
    L = spec_ok("cone:n=1,c=1/3,s=3");
    {
        static const char *p1[] = {"0"};
        check_value(L, p1, "1", 256);
    }
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("cone:s=0"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    mpfr_clears(v, ref, (mpfr_ptr)0);
}
END_TEST

/* Away from the ring's circle |theta - (1,1)| = 2 and its centre. */
static int
away_from_ring(const double *pt, size_t n)
{
    double r = hypot(pt[0] - 1, pt[1] - 1);
    (void)n;
    return fabs(r - 2) > 1e-2 && r > 1e-2;
}

START_TEST(test_ring)
{
    static const char *inside[] = {"1", "1"};
    static const char *outside[] = {"4", "5"};
    cor_loss *L = spec_ok("ring:c=1,1,R=2,s=1/2");

    check_value(L, inside, "1", 256);  /* centre: s R */
    check_value(L, outside, "1.5", 256); /* |(3,4)| = 5: (5 - 2)/2 */
    seed_rng();
    check_corridor(L, away_from_ring, 5, 8);
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("ring:R=0"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_from_spec("ring:n=1"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

static int
away_from_axis12(const double *pt, size_t n)
{
    (void)n;
    return hypot(pt[0], pt[1]) > 1e-2;
}

static int
away_from_axis1(const double *pt, size_t n)
{
    (void)n;
    return fabs(pt[0]) > 1e-2;
}

START_TEST(test_ruled)
{
    static const char *pt[] = {"3", "4", "2", "-1"};
    cor_loss *L = spec_ok("ruled:n=4,k=2,a=1/2,3");

    /* |(3,4)| + 2/2 - 3 = 3 */
    check_value(L, pt, "3", 256);
    seed_rng();
    check_corridor(L, away_from_axis12, 5, 8);
    cor_loss_free(L);
    L = spec_ok("ruled:n=2,k=1,a=2");
    ck_assert_uint_eq(cor_loss_dim(L), 2);
    check_corridor(L, away_from_axis1, 5, 8);
    cor_loss_free(L);
    L = spec_ok("ruled");
    ck_assert_uint_eq(cor_loss_dim(L), 3);
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("ruled:n=3,k=2,a=1,2"));
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
    ck_assert_ptr_null(cor_loss_from_spec("ruled:n=2,k=3"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

/* The default glued surface (COR_LOSS_GLUED_DEFAULT) replicated in double: returns the value
 * and, in *margin, the distance (in value) between the active piece and the runner-up, and
 * the distance to the active piece's own kink. */
static double
glued_double(double x, double y, double *margin)
{
    double ringr = hypot(x + 3, y);
    double p[4] = {fabs(ringr - 2), hypot(x - 4, y - 2) + 0.5, fabs(y + 5) + 1.5 + x / 4,
                   (x - y) / 2 + 7};
    double kink[4] = {fmin(fabs(ringr - 2), ringr), hypot(x - 4, y - 2), fabs(y + 5), 1e9};
    double fl = -x / 8 - 1, best = p[0], second = 1e300, m;
    int i, arg = 0;

    for (i = 1; i < 4; i++)
    {
        if (p[i] < best)
        {
            second = best;
            best = p[i];
            arg = i;
        }
        else if (p[i] < second)
            second = p[i];
    }
    m = fmin(second - best, kink[arg]);
    m = fmin(m, fabs(fl - best));
    if (fl > best)
        m = fabs(fl - best);
    *margin = m;
    return fmax(best, fl);
}

static int
away_from_glue(const double *pt, size_t n)
{
    double m;
    (void)n;
    glued_double(pt[0], pt[1], &m);
    return m > 1e-3;
}

START_TEST(test_glued)
{
    cor_loss *L = cor_loss_new_glued(NULL);
    cor_tape *t;
    cor_eval_d *w;
    cor_node root;
    int k;

    ck_assert_msg(L != NULL, "%s", cor_last_error()->msg);
    ck_assert_str_eq(cor_loss_var_name(L, 0), "x");
    ck_assert_str_eq(cor_loss_var_name(L, 1), "y");
    root = cor_loss_root(L);
    t = cor_tape_alloc(cor_loss_pool(L), 2, cor_loss_vars(L), 1, &root);
    ck_assert_ptr_nonnull(t);
    w = cor_eval_d_alloc(t);
    ck_assert_ptr_nonnull(w);
    seed_rng();
    for (k = 0; k < 200; k++)
    {
        double in[2] = {rng_uniform(-9, 9), rng_uniform(-9, 9)}, out, m;
        double want = glued_double(in[0], in[1], &m);
        ck_assert_int_eq(cor_eval_d_run(w, &out, in), COR_OK);
        ck_assert_double_eq_tol(out, want, 1e-12 * (1 + fabs(want)));
    }
    cor_eval_d_free(w);
    cor_tape_free(t);
    check_corridor(L, away_from_glue, 9, 12);
    cor_loss_free(L);

    /* the same from a spec, and a custom surface */
    L = spec_ok("glued");
    cor_loss_free(L);
    L = spec_ok("glued:cone=0,0,ring=3,0,1,2,1/2,ruled=1,1,0,1,0,-1/2,floor=0,0,-1");
    {
        static const char *pt[] = {"0", "0"};
        /* min(0, 2*2 + 1/2, |0| + 0) = 0; max(-1, 0) = 0 */
        check_value(L, pt, "0", 256);
    }
    check_corridor(L, NULL, 4, 0); /* status only */
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_new_glued("floor=1,1"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_new_glued("blob=1,1"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_new_glued("cone=1"));
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
    ck_assert_ptr_null(cor_loss_new_glued("cone=1,x"));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    ck_assert_ptr_null(cor_loss_new_glued("ruled=0,0,1"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

/* ---- counter-examples and smooth families ------------------------------------------------ */

START_TEST(test_acone)
{
    static const double pt[] = {1, 1};
    static const char *hg[] = {"-18/25", "18/25"};
    static const char *pts[] = {"1", "1"};
    cor_loss *L = spec_ok("acone");
    mpq_t S[4];
    int i;

    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_NONE);
    /* sqrt(x^2 + 9y^2) at (1,1) = sqrt 10; P1: Hg = (-18/25, 18/25) */
    {
        mpfr_t v, ref;
        mpfr_inits2(256, v, ref, (mpfr_ptr)0);
        value_at(v, L, cor_loss_root(L), pts, 256);
        mpfr_sqrt_ui(ref, 10, MPFR_RNDN);
        check_close(v, ref, 256, "sqrt 10");
        mpfr_clears(v, ref, (mpfr_ptr)0);
    }
    check_hg_exact(L, pt, hg);
    check_not_corridor(L, pt, 1.0);
    cor_loss_free(L);

    L = spec_ok("acone:S=2,0,0,2");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_EVERYWHERE);
    seed_rng();
    check_corridor(L, away_from_origin, 3, 6);
    cor_loss_free(L);

    for (i = 0; i < 4; i++)
        mpq_init(S[i]);
    mpq_set_si(S[0], 2, 1);
    mpq_set_si(S[1], 1, 1);
    mpq_set_si(S[2], 0, 1);
    mpq_set_si(S[3], 2, 1);
    ck_assert_ptr_null(cor_loss_new_acone(2, (const mpq_t *)S));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    mpq_set_si(S[2], 1, 1);
    mpq_set_si(S[3], 1, 2); /* det = 2*(1/2) - 1 = 0: not definite */
    ck_assert_ptr_null(cor_loss_new_acone(2, (const mpq_t *)S));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    mpq_set_si(S[3], 1, 1); /* [[2,1],[1,1]] is positive definite */
    L = cor_loss_new_acone(2, (const mpq_t *)S);
    ck_assert_ptr_nonnull(L);
    cor_loss_free(L);
    for (i = 0; i < 4; i++)
        mpq_clear(S[i]);
}
END_TEST

START_TEST(test_quadratic)
{
    static const double one[] = {1, 1};
    static const char *hg[] = {"1", "100"};
    static const char *pts[] = {"1", "1"};
    cor_loss *L = spec_ok("quad");
    hg_eval h;
    double norm, ratio;

    /* 0.5(x^2 + 10y^2): L(1,1) = 5.5, Hg = A^2 theta = (1, 100) (P1) */
    check_value(L, pts, "5.5", 256);
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_NONE);
    check_hg_exact(L, one, hg);
    hg_init(&h, L, 256);
    hg_ratio(&h, one, &norm);
    ck_assert_double_eq_tol(norm, 100.004999875006249609402341699, 1e-12);
    hg_clear(&h);
    cor_loss_free(L);

    /* P10: A = diag(1, 0), b = (0, 1): Hg = (x, 0) vanishes exactly on x = 0, where g = (0,1) */
    L = spec_ok("quad:diag=1,0,b=0,1,c=2");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_PARTIAL);
    ck_assert_ptr_nonnull(strstr(cor_loss_corridor_note(L), "dimension 1"));
    hg_init(&h, L, 256);
    {
        double on[2] = {0, 3.25}, off[2] = {0.5, 3.25};
        ck_assert(hg_ratio(&h, on, &norm) <= 1.0);
        ck_assert(norm == 0.0);
        hg_ratio(&h, off, &norm);
        ck_assert_double_eq_tol(norm, 0.5, 1e-15);
    }
    hg_clear(&h);
    cor_loss_free(L);

    /* singular A, b in range(A): only critical points */
    L = spec_ok("quad:A=1,1,1,1,b=2,2");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_NONE);
    cor_loss_free(L);
    /* A = 0: linear, a corridor */
    L = spec_ok("quad:A=0,0,0,0,b=1,2");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_EVERYWHERE);
    seed_rng();
    check_corridor(L, NULL, 3, 4);
    cor_loss_free(L);
    /* indefinite */
    L = spec_ok("quad:diag=1,-1");
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_NONE);
    {
        double p[2] = {0.75, -0.5};
        check_not_corridor(L, p, 0.5);
    }
    (void)ratio;
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("quad:A=1,2,3,4"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_from_spec("quad:A=1,2,3"));
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
}
END_TEST

START_TEST(test_rosenbrock)
{
    static const double pt[] = {-1.2, 1};
    static const char *hg[] = {"-120703/125", "-8756/25"};
    static const char *pts[] = {"-1.2", "1"};
    cor_loss *L = spec_ok("rosenbrock:a=1,b=10,s=1/2");

    ck_assert_str_eq(cor_loss_var_name(L, 0), "x");
    /* 0.5 (2.2)^2 + 5 (1 - 1.44)^2 = 2.42 + 0.968 */
    check_value(L, pts, "3.388", 256);
    ck_assert_int_eq(cor_loss_corridor_status(L), COR_CORRIDOR_NONE);
    /* -1.2 is not a binary number: check Hg at the exact point through strings instead */
    {
        hg_eval h;
        size_t i;
        mpfr_t ref;
        hg_init(&h, L, 256);
        mpfr_init2(ref, 256);
        for (i = 0; i < 2; i++)
            mpfr_set_str(h.in[i], pts[i], 10, MPFR_RNDN);
        ck_assert_int_eq(cor_eval_mpfr_run(h.w, h.out, (const mpfr_t *)h.in), COR_OK);
        for (i = 0; i < 2; i++)
        {
            mpq_t q;
            mpq_init(q);
            ck_assert_int_eq(cor_loss_parse_q(q, hg[i], (size_t)-1), COR_OK);
            mpfr_set_q(ref, q, MPFR_RNDN);
            check_close(h.out[i], ref, 240, hg[i]);
            mpq_clear(q);
        }
        mpfr_clear(ref);
        hg_clear(&h);
    }
    check_not_corridor(L, pt, 1000);
    cor_loss_free(L);

    L = spec_ok("rosenbrock:n=4");
    ck_assert_uint_eq(cor_loss_dim(L), 4);
    ck_assert_str_eq(cor_loss_var_name(L, 3), "x4");
    {
        static const char *p4[] = {"1", "1", "1", "1"};
        static const char *q4[] = {"0", "0", "0", "0"};
        check_value(L, p4, "0", 256);
        check_value(L, q4, "3", 256);
    }
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("rosenbrock:n=1"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

/* ---- networks ---------------------------------------------------------------------------- */

START_TEST(test_scalarnet)
{
    static const char *pt[] = {"2", "3"};
    static const char *pt3[] = {"2", "3", "1/2"};
    static const double p[] = {0.5, 0.25};
    cor_loss *L = spec_ok("scalarnet");

    ck_assert_str_eq(cor_loss_var_name(L, 1), "w2");
    check_value(L, pt, "12.5", 256); /* (1/2)(6 - 1)^2 */
    check_not_corridor(L, p, 0.1);
    cor_loss_free(L);
    L = spec_ok("scalarnet:depth=3,y=2");
    check_value(L, pt3, "0.5", 256); /* (1/2)(3 - 2)^2 */
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("scalarnet:depth=0"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

START_TEST(test_deeplinear)
{
    /* dims 2,3,2: W1 is 3x2 (6 entries), W2 is 2x3 (6 entries), T = I_2 */
    cor_loss *L = spec_ok("deeplinear:dims=2,3,2");
    cor_node root = cor_loss_root(L);
    cor_tape *t;
    cor_eval_d *w;
    double th[12], out, P[2][2], want = 0;
    size_t i, j, l;

    ck_assert_uint_eq(cor_loss_dim(L), 12);
    ck_assert_str_eq(cor_loss_var_name(L, 0), "w1_1_1");
    ck_assert_str_eq(cor_loss_var_name(L, 5), "w1_3_2");
    ck_assert_str_eq(cor_loss_var_name(L, 6), "w2_1_1");
    ck_assert_str_eq(cor_loss_var_name(L, 11), "w2_2_3");
    seed_rng();
    for (i = 0; i < 12; i++)
        th[i] = rng_uniform(-1, 1);
    for (i = 0; i < 2; i++)
        for (j = 0; j < 2; j++)
        {
            P[i][j] = 0;
            for (l = 0; l < 3; l++)
                P[i][j] += th[6 + i * 3 + l] * th[l * 2 + j];
            want += 0.5 * (P[i][j] - (i == j)) * (P[i][j] - (i == j));
        }
    t = cor_tape_alloc(cor_loss_pool(L), 12, cor_loss_vars(L), 1, &root);
    w = cor_eval_d_alloc(t);
    ck_assert_int_eq(cor_eval_d_run(w, &out, th), COR_OK);
    ck_assert_double_eq_tol(out, want, 1e-13);
    cor_eval_d_free(w);
    cor_tape_free(t);
    check_not_corridor(L, th, 1e-6);
    cor_loss_free(L);

    L = spec_ok("deeplinear:dims=1,1,1,1,T=2");
    {
        static const char *pt[] = {"1", "2", "3"};
        check_value(L, pt, "8", 256); /* (1/2)(6 - 2)^2 */
    }
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("deeplinear:dims=2"));
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
    ck_assert_ptr_null(cor_loss_from_spec("deeplinear:dims=2,2,T=1,2,3"));
    ck_assert_int_eq(cor_last_error()->code, COR_EBADLEN);
}
END_TEST

/* P14: along the gradient flow d/dt (U'U - V'V) = -(U'G_U + G_U'U) + (V'G_V + G_V'V) = 0. */
START_TEST(test_matfact)
{
    cor_loss *L = spec_ok("matfact:m=3,n=2,r=2");
    size_t m = 3, n = 2, r = 2, nv, i, j, k, l;
    cor_node *g;
    cor_tape *t;
    cor_eval_d *w;
    double th[10], G[10], want = 0;

    nv = cor_loss_dim(L);
    ck_assert_uint_eq(nv, 10);
    ck_assert_str_eq(cor_loss_family(L), "matfact");
    ck_assert_str_eq(cor_loss_var_name(L, 0), "u1_1");
    ck_assert_str_eq(cor_loss_var_name(L, 6), "v1_1");
    ck_assert_str_eq(cor_loss_var_name(L, 9), "v2_2");
    g = malloc((nv + 1) * sizeof *g);
    ck_assert_int_eq(cor_diff_grad(g, cor_loss_pool(L), cor_loss_root(L), nv, cor_loss_vars(L)),
                     COR_OK);
    g[nv] = cor_loss_root(L);
    t = cor_tape_alloc(cor_loss_pool(L), nv, cor_loss_vars(L), nv + 1, g);
    w = cor_eval_d_alloc(t);
    seed_rng();
    for (i = 0; i < nv; i++)
        th[i] = rng_uniform(-1, 1);
    {
        double out[11];
        ck_assert_int_eq(cor_eval_d_run(w, out, th), COR_OK);
        memcpy(G, out, sizeof G);
        /* value: M_ij = i + j (1-based) */
        for (i = 0; i < m; i++)
            for (j = 0; j < n; j++)
            {
                double e = -(double)(i + j + 2);
                for (k = 0; k < r; k++)
                    e += th[i * r + k] * th[m * r + j * r + k];
                want += 0.5 * e * e;
            }
        ck_assert_double_eq_tol(out[nv], want, 1e-12 * want);
    }
    for (k = 0; k < r; k++)
        for (l = 0; l < r; l++)
        {
            double d = 0;
            for (i = 0; i < m; i++)
                d -= th[i * r + k] * G[i * r + l] + G[i * r + k] * th[i * r + l];
            for (j = 0; j < n; j++)
                d += th[m * r + j * r + k] * G[m * r + j * r + l] +
                     G[m * r + j * r + k] * th[m * r + j * r + l];
            ck_assert_double_eq_tol(d, 0, 1e-12);
        }
    cor_eval_d_free(w);
    cor_tape_free(t);
    free(g);
    check_not_corridor(L, th, 1e-6);
    cor_loss_free(L);

    /* completion: the unobserved entry does not count */
    L = spec_ok("matcomp:M=1,2,3,100");
    ck_assert_str_eq(cor_loss_family(L), "matcomp");
    {
        static const char *pt[] = {"1", "2", "1", "2"}; /* U = (1,2), V = (1,2): UV' = 1 2; 2 4 */
        check_value(L, pt, "0.5", 256);                 /* (1/2)(3 - 2)^2 */
    }
    cor_loss_free(L);
    L = spec_ok("matcomp:M=1,2,3,100,mask=1,1,1,1");
    ck_assert_str_eq(cor_loss_family(L), "matfact");
    cor_loss_free(L);
    ck_assert_ptr_null(cor_loss_from_spec("matcomp:mask=0,0,0,0"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_ptr_null(cor_loss_from_spec("matcomp:mask=0,2,0,0"));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

/* ---- data -------------------------------------------------------------------------------- */

static const char csv_text[] =
    "# a comment\r\n"
    "f1, f2 ,label\r\n"
    "0.1, 2, 1\r\n"
    "\r\n"
    "-1/3,0,0\n"
    "  1e-2 ,-4,1\n"
    "2,2,0\n";

START_TEST(test_csv)
{
    char *path = temp_file(csv_text, ".csv");
    cor_dataset *D = cor_dataset_read(path, COR_DATA_AUTO);
    mpq_t q;

    ck_assert_msg(D != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_dataset_npoints(D), 4);
    ck_assert_uint_eq(cor_dataset_nfeatures(D), 2);
    mpq_init(q);
    ck_assert_int_eq(cor_dataset_get(q, D, 0, 0), COR_OK);
    ck_assert(q_is(q, 1, 10)); /* exact, not the double nearest 0.1 */
    ck_assert_int_eq(cor_dataset_get(q, D, 1, 0), COR_OK);
    ck_assert(q_is(q, -1, 3));
    ck_assert_int_eq(cor_dataset_get(q, D, 2, 0), COR_OK);
    ck_assert(q_is(q, 1, 100));
    ck_assert_int_eq(cor_dataset_get(q, D, 2, 1), COR_OK);
    ck_assert(q_is(q, -4, 1));
    ck_assert_int_eq(cor_dataset_get(q, D, 3, 2), COR_OK); /* label */
    ck_assert(q_is(q, 0, 1));
    ck_assert_int_eq(cor_dataset_get(q, D, 4, 0), COR_EINVAL);
    ck_assert_int_eq(cor_dataset_get(q, D, 0, 3), COR_EINVAL);
    mpq_set_si(q, 7, 1);
    ck_assert_int_eq(cor_dataset_set(D, 3, 1, q), COR_OK);
    ck_assert_int_eq(cor_dataset_get(q, D, 3, 1), COR_OK);
    ck_assert(q_is(q, 7, 1));
    mpq_clear(q);
    cor_dataset_free(D);
    cor_dataset_free(NULL);
    remove_file(path);
}
END_TEST

START_TEST(test_libsvm)
{
    static const char text[] = "# sparse\n"
                               "+1 1:0.5 3:-2\n"
                               "-1 2:1/4   # trailing comment\n"
                               "1\n";
    char *path = temp_file(text, ".svm");
    cor_dataset *D = cor_dataset_read(path, COR_DATA_AUTO);
    mpq_t q;

    ck_assert_msg(D != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_dataset_npoints(D), 3);
    ck_assert_uint_eq(cor_dataset_nfeatures(D), 3);
    mpq_init(q);
    ck_assert_int_eq(cor_dataset_get(q, D, 0, 2), COR_OK);
    ck_assert(q_is(q, -2, 1));
    ck_assert_int_eq(cor_dataset_get(q, D, 0, 1), COR_OK);
    ck_assert(q_is(q, 0, 1));
    ck_assert_int_eq(cor_dataset_get(q, D, 1, 1), COR_OK);
    ck_assert(q_is(q, 1, 4));
    ck_assert_int_eq(cor_dataset_get(q, D, 1, 3), COR_OK);
    ck_assert(q_is(q, -1, 1));
    ck_assert_int_eq(cor_dataset_get(q, D, 2, 3), COR_OK);
    ck_assert(q_is(q, 1, 1));
    mpq_clear(q);
    cor_dataset_free(D);
    /* read as CSV, the same file is malformed */
    ck_assert_ptr_null(cor_dataset_read(path, COR_DATA_CSV));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    remove_file(path);
}
END_TEST

/* A malformed file fails with status st and "path:line:col" in the message. */
static void
check_bad_file(const char *text, cor_data_format fmt, int st, const char *where)
{
    char *path = temp_file(text, ".dat");
    char want[600];

    ck_assert_ptr_null(cor_dataset_read(path, fmt));
    ck_assert_msg(cor_last_error()->code == st, "%s: status %s (%s)", text,
                  cor_status_name(cor_last_error()->code), cor_last_error()->msg);
    if (where)
    {
        snprintf(want, sizeof want, "%s:%s:", path, where);
        ck_assert_msg(strstr(cor_last_error()->msg, want) != NULL, "'%s' lacks '%s'",
                      cor_last_error()->msg, want);
    }
    remove_file(path);
}

START_TEST(test_data_errors)
{
    check_bad_file("1,2,3\n4,x5,6\n", COR_DATA_CSV, COR_EPARSE, "2:3");
    check_bad_file("1,2,3\n4,5\n", COR_DATA_CSV, COR_EPARSE, "2");
    check_bad_file("1,2,3\n4,,6\n", COR_DATA_CSV, COR_EPARSE, "2:3");
    check_bad_file("1\n2\n", COR_DATA_CSV, COR_EPARSE, "1:1");
    check_bad_file("# nothing\n\n", COR_DATA_AUTO, COR_EINVAL, NULL);
    check_bad_file("", COR_DATA_CSV, COR_EINVAL, NULL);
    check_bad_file("a,b,c\n", COR_DATA_CSV, COR_EINVAL, NULL); /* header only */
    check_bad_file("1 2:1 1:3\n", COR_DATA_LIBSVM, COR_EPARSE, "1:7");
    check_bad_file("1 1:1\n-1 0:3\n", COR_DATA_LIBSVM, COR_EPARSE, "2:4");
    check_bad_file("1 1:1\n-1 2:y\n", COR_DATA_LIBSVM, COR_EPARSE, "2:6");
    check_bad_file("1 1:1\n-1 7\n", COR_DATA_LIBSVM, COR_EPARSE, "2:4");
    check_bad_file("one 1:1\n", COR_DATA_LIBSVM, COR_EPARSE, "1:1");
    ck_assert_ptr_null(cor_dataset_read("/nonexistent/dir/data.csv", COR_DATA_AUTO));
    ck_assert_int_eq(cor_last_error()->code, COR_EIO);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "/nonexistent/dir/data.csv"));
    ck_assert_ptr_null(cor_dataset_read(NULL, COR_DATA_AUTO));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
}
END_TEST

START_TEST(test_logistic)
{
    char *path = temp_file(csv_text, ".csv");
    cor_dataset *D = cor_dataset_read(path, COR_DATA_CSV);
    cor_loss *L;
    mpfr_t v, ref, t;
    mpq_t l2;

    ck_assert_ptr_nonnull(D);
    L = cor_loss_new_logistic(D, NULL, 1, NULL);
    ck_assert_msg(L != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_loss_dim(L), 3);
    ck_assert_str_eq(cor_loss_var_name(L, 0), "w1");
    ck_assert_str_eq(cor_loss_var_name(L, 2), "b");
    ck_assert_uint_eq(cor_loss_nbatches(L), 1);
    ck_assert_uint_eq(cor_loss_npoints(L), 4);
    mpfr_inits2(512, v, ref, t, (mpfr_ptr)0);
    {
        /* at w = 0, b = 0 every point costs log 2 */
        static const char *zero[] = {"0", "0", "0"};
        value_at(v, L, cor_loss_root(L), zero, 512);
        mpfr_const_log2(ref, MPFR_RNDN);
        check_close(v, ref, 512, "logistic at 0");
    }
    {
        /* at w = (1, 1/2), b = -1: z_i = x_i1 + x_i2/2 - 1, cost log(1 + exp(-y_i z_i)) with
         * y = (+1, -1, +1, -1): z = (0.1, -4/3, -2.99, 2) */
        static const char *pt[] = {"1", "1/2", "-1"};
        static const char *mz[] = {"-0.1", "-4/3", "2.99", "2"};
        int i;
        mpfr_set_zero(ref, 1);
        for (i = 0; i < 4; i++)
        {
            mpq_t q;
            mpq_init(q);
            ck_assert_int_eq(cor_loss_parse_q(q, mz[i], (size_t)-1), COR_OK);
            mpfr_set_q(t, q, MPFR_RNDN);
            mpfr_exp(t, t, MPFR_RNDN);
            mpfr_log1p(t, t, MPFR_RNDN);
            mpfr_add(ref, ref, t, MPFR_RNDN);
            mpq_clear(q);
        }
        mpfr_div_ui(ref, ref, 4, MPFR_RNDN);
        value_at(v, L, cor_loss_root(L), pt, 512);
        check_close(v, ref, 512, "logistic value");
    }
    {
        static const double p[] = {0.25, -0.5, 0.125};
        check_not_corridor(L, p, 1e-4);
    }
    cor_loss_free(L);

    /* l2 term */
    mpq_init(l2);
    mpq_set_ui(l2, 1, 2);
    L = cor_loss_new_logistic(D, NULL, 0, l2);
    ck_assert_uint_eq(cor_loss_dim(L), 2);
    {
        static const char *pt[] = {"2", "0"};
        mpfr_t u;
        mpfr_init2(u, 512);
        value_at(v, L, cor_loss_root(L), pt, 512);
        /* (1/4) sum log(1+exp(-y_i 2 x_i1)) + (1/4)*4 */
        mpfr_set_zero(ref, 1);
        {
            static const char *arg[] = {"-0.2", "-2/3", "-0.02", "4"};
            int i;
            for (i = 0; i < 4; i++)
            {
                mpq_t q;
                mpq_init(q);
                ck_assert_int_eq(cor_loss_parse_q(q, arg[i], (size_t)-1), COR_OK);
                mpfr_set_q(u, q, MPFR_RNDN);
                mpfr_exp(u, u, MPFR_RNDN);
                mpfr_log1p(u, u, MPFR_RNDN);
                mpfr_add(ref, ref, u, MPFR_RNDN);
                mpq_clear(q);
            }
        }
        mpfr_div_ui(ref, ref, 4, MPFR_RNDN);
        mpfr_add_ui(ref, ref, 1, MPFR_RNDN);
        check_close(v, ref, 512, "logistic + l2");
        mpfr_clear(u);
    }
    cor_loss_free(L);
    mpq_set_si(l2, -1, 1);
    ck_assert_ptr_null(cor_loss_new_logistic(D, NULL, 0, l2));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    mpq_clear(l2);

    /* labels outside {-1,0,1}, or mixing -1 and 0 */
    {
        mpq_t y;
        mpq_init(y);
        mpq_set_si(y, 2, 1);
        ck_assert_int_eq(cor_dataset_set(D, 0, 2, y), COR_OK);
        ck_assert_ptr_null(cor_loss_new_logistic(D, NULL, 0, NULL));
        ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
        mpq_set_si(y, -1, 1);
        ck_assert_int_eq(cor_dataset_set(D, 0, 2, y), COR_OK);
        ck_assert_ptr_null(cor_loss_new_logistic(D, NULL, 0, NULL));
        ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
        /* least squares takes any label */
        L = cor_loss_new_lsq(D, NULL, 0, NULL);
        ck_assert_ptr_nonnull(L);
        cor_loss_free(L);
        mpq_clear(y);
    }
    mpfr_clears(v, ref, t, (mpfr_ptr)0);
    cor_dataset_free(D);
    remove_file(path);
}
END_TEST

START_TEST(test_lsq)
{
    /* PREDICTIONS case (vi) as data: x = (1,2),(2,-1),(1,1),(-1,3), y = 1,0,2,-1 */
    char *path = temp_file("1,2,1\n2,-1,0\n1,1,2\n-1,3,-1\n", ".csv");
    cor_dataset *D = cor_dataset_read(path, COR_DATA_AUTO);
    cor_batching bt = {4, 0, 0};
    cor_loss *L;
    static const char *pt[] = {"1/2", "-1/2"};
    static const double p[] = {0.5, -0.5};

    ck_assert_ptr_nonnull(D);
    L = cor_loss_new_lsq(D, &bt, 0, NULL);
    ck_assert_msg(L != NULL, "%s", cor_last_error()->msg);
    ck_assert_str_eq(cor_loss_family(L), "lsq");
    check_value(L, pt, "19/16", 256); /* as in test_expr_batches */
    {
        /* batch 2 (0-based 1) is 0.5(2x - y)^2 = 0.5 (3/2)^2 = 9/8 */
        mpfr_t v, ref;
        mpfr_inits2(256, v, ref, (mpfr_ptr)0);
        value_at(v, L, cor_loss_batch(L, 1), pt, 256);
        mpfr_set_str(ref, "1.125", 10, MPFR_RNDN);
        check_close(v, ref, 256, "batch 2");
        mpfr_clears(v, ref, (mpfr_ptr)0);
        ck_assert_uint_eq(cor_loss_batch_points(L, 1)[0], 1);
    }
    check_not_corridor(L, p, 0.1);
    cor_loss_free(L);
    cor_dataset_free(D);
    remove_file(path);
}
END_TEST

/* sum_k (n_k / N) L_k = L at random points, for contiguous and shuffled partitions. */
static void
check_batch_mean(const cor_loss *L)
{
    size_t m = cor_loss_nbatches(L), n = cor_loss_dim(L), k, i, N = cor_loss_npoints(L), tot = 0;
    cor_node *outs = malloc((m + 1) * sizeof *outs);
    cor_tape *t;
    cor_eval_mpfr *w;
    mpfr_t *in = malloc(n * sizeof *in), *out = malloc((m + 1) * sizeof *out), s, tmp;
    int rep;

    for (k = 0; k < m; k++)
    {
        outs[k] = cor_loss_batch(L, k);
        tot += cor_loss_batch_size(L, k);
    }
    ck_assert_uint_eq(tot, N);
    outs[m] = cor_loss_root(L);
    t = cor_tape_alloc(cor_loss_pool(L), n, cor_loss_vars(L), m + 1, outs);
    ck_assert_ptr_nonnull(t);
    w = cor_eval_mpfr_alloc(t, 256);
    for (i = 0; i < n; i++)
        mpfr_init2(in[i], 256);
    for (k = 0; k <= m; k++)
        mpfr_init2(out[k], 256);
    mpfr_inits2(256, s, tmp, (mpfr_ptr)0);
    for (rep = 0; rep < 3; rep++)
    {
        for (i = 0; i < n; i++)
            mpfr_set_d(in[i], rng_uniform(-2, 2), MPFR_RNDN);
        ck_assert_int_eq(cor_eval_mpfr_run(w, out, (const mpfr_t *)in), COR_OK);
        mpfr_set_zero(s, 1);
        for (k = 0; k < m; k++)
        {
            mpfr_mul_ui(tmp, out[k], (unsigned long)cor_loss_batch_size(L, k), MPFR_RNDN);
            mpfr_add(s, s, tmp, MPFR_RNDN);
        }
        mpfr_div_ui(s, s, (unsigned long)N, MPFR_RNDN);
        check_close(out[m], s, 256, "weighted mean of batches");
    }
    for (i = 0; i < n; i++)
        mpfr_clear(in[i]);
    for (k = 0; k <= m; k++)
        mpfr_clear(out[k]);
    mpfr_clears(s, tmp, (mpfr_ptr)0);
    free(in);
    free(out);
    free(outs);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}

START_TEST(test_batches)
{
    char *path = temp_file("1,0,1\n0,1,-1\n1,1,1\n2,-1,-1\n-1,2,1\n1/2,1/3,-1\n3,1,1\n",
                           ".csv");
    cor_dataset *D = cor_dataset_read(path, COR_DATA_CSV);
    cor_batching contig = {3, 0, 0}, shuf = {3, 1, 42}, shuf2 = {3, 1, 43}, six = {7, 1, 5};
    cor_loss *L, *L2;
    size_t k, i, seen[7] = {0};
    mpq_t l2;

    ck_assert_ptr_nonnull(D);
    seed_rng();
    mpq_init(l2);
    mpq_set_ui(l2, 1, 10);
    /* N = 7, m = 3: sizes 2, 2, 3 (floor(kN/m) boundaries 0, 2, 4, 7) */
    L = cor_loss_new_logistic(D, &contig, 1, l2);
    ck_assert_msg(L != NULL, "%s", cor_last_error()->msg);
    ck_assert_uint_eq(cor_loss_nbatches(L), 3);
    ck_assert_uint_eq(cor_loss_batch_size(L, 0), 2);
    ck_assert_uint_eq(cor_loss_batch_size(L, 1), 2);
    ck_assert_uint_eq(cor_loss_batch_size(L, 2), 3);
    ck_assert_uint_eq(cor_loss_batch_points(L, 2)[0], 4);
    ck_assert_uint_eq(cor_loss_batch_points(L, 2)[2], 6);
    ck_assert_ptr_null(cor_loss_batch_points(L, 3));
    check_batch_mean(L);
    cor_loss_free(L);

    /* a seeded permutation: every point once, reproducible, seed-dependent */
    L = cor_loss_new_lsq(D, &shuf, 0, NULL);
    L2 = cor_loss_new_lsq(D, &shuf, 0, NULL);
    ck_assert_ptr_nonnull(L);
    for (k = 0; k < 3; k++)
    {
        for (i = 0; i < cor_loss_batch_size(L, k); i++)
        {
            size_t p = cor_loss_batch_points(L, k)[i];
            ck_assert_uint_lt(p, 7);
            seen[p]++;
            ck_assert_uint_eq(p, cor_loss_batch_points(L2, k)[i]);
        }
    }
    for (i = 0; i < 7; i++)
        ck_assert_uint_eq(seen[i], 1);
    check_batch_mean(L);
    cor_loss_free(L2);
    {
        int differs = 0;
        L2 = cor_loss_new_lsq(D, &shuf2, 0, NULL);
        for (k = 0; k < 3; k++)
            for (i = 0; i < cor_loss_batch_size(L, k); i++)
                differs |= cor_loss_batch_points(L, k)[i] != cor_loss_batch_points(L2, k)[i];
        ck_assert(differs);
        cor_loss_free(L2);
    }
    cor_loss_free(L);

    /* one point per batch, equal weights */
    L = cor_loss_new_logistic(D, &six, 0, NULL);
    ck_assert_uint_eq(cor_loss_nbatches(L), 7);
    check_batch_mean(L);
    cor_loss_free(L);
    six.nbatches = 8;
    ck_assert_ptr_null(cor_loss_new_logistic(D, &six, 0, NULL));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    mpq_clear(l2);
    cor_dataset_free(D);
    remove_file(path);
}
END_TEST

/* ---- spec strings ------------------------------------------------------------------------ */

START_TEST(test_spec)
{
    static const struct
    {
        const char *spec, *family;
        size_t dim;
        int status;
    } ok[] = {
        {"linear", "linear", 2, COR_CORRIDOR_EVERYWHERE},
        {"cone:n=3,c=1/2,0,0", "cone", 3, COR_CORRIDOR_EVERYWHERE},
        {"cone: n = 2 , s = 2", "cone", 2, COR_CORRIDOR_EVERYWHERE},
        {"ccone:n=5", "ccone", 5, COR_CORRIDOR_EVERYWHERE},
        {"ring:n=3", "ring", 3, COR_CORRIDOR_EVERYWHERE},
        {"ruled:k=1,a=1,2", "ruled", 3, COR_CORRIDOR_EVERYWHERE},
        {"acone:diag=1,4,9", "acone", 3, COR_CORRIDOR_NONE},
        {"glued", "glued", 2, COR_CORRIDOR_EVERYWHERE},
        {"quad:n=3", "quad", 3, COR_CORRIDOR_NONE},
        {"quad:b=1,1,1", "quad", 3, COR_CORRIDOR_NONE},
        {"rosenbrock", "rosenbrock", 2, COR_CORRIDOR_NONE},
        {"scalarnet:depth=4", "scalarnet", 4, COR_CORRIDOR_NONE},
        {"deeplinear", "deeplinear", 8, COR_CORRIDOR_NONE},
        {"matfact", "matfact", 4, COR_CORRIDOR_NONE},
        {"matcomp:m=3,n=3,r=2", "matcomp", 12, COR_CORRIDOR_NONE},
    };
    static const struct
    {
        const char *spec;
        int status;
        const char *msg;
    } bad[] = {
        {"blob", COR_EINVAL, "blob"},
        {"cone:n=2,q=1", COR_EINVAL, "column 10"},
        {"cone:c=1,x", COR_EPARSE, "column 10"},
        {"cone:n=3,c=1,2", COR_EBADLEN, NULL},
        {"cone:n=2,n=3", COR_EINVAL, "twice"},
        {"cone:1,2", COR_EPARSE, "column 6"},
        {"cone:n=2,,s=1", COR_EPARSE, "column 10"},
        {"cone:n=-1", COR_EPARSE, NULL},
        {"cone:n=", COR_EPARSE, NULL},
        {"quad:diag=1,A=1", COR_EINVAL, NULL},
        {"logistic", COR_EINVAL, "file"},
        {"logistic:file=/nonexistent/x.csv", COR_EIO, NULL},
        {"lsq:file=x.csv,format=xml", COR_EINVAL, "xml"},
        {"cone:s=1e9999999", COR_ERANGE, NULL},
    };
    size_t i;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
        cor_loss *L = spec_ok(ok[i].spec);
        ck_assert_str_eq(cor_loss_family(L), ok[i].family);
        ck_assert_str_eq(cor_loss_name(L), ok[i].spec);
        ck_assert_msg(cor_loss_dim(L) == ok[i].dim, "%s: dim %zu", ok[i].spec, cor_loss_dim(L));
        ck_assert_msg(cor_loss_corridor_status(L) == ok[i].status, "%s", ok[i].spec);
        ck_assert(strlen(cor_loss_corridor_note(L)) > 10);
        ck_assert(cor_loss_is_spec(ok[i].spec));
        cor_loss_free(L);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
        ck_assert_ptr_null(cor_loss_from_spec(bad[i].spec));
        ck_assert_msg(cor_last_error()->code == bad[i].status, "%s: %s (%s)", bad[i].spec,
                      cor_status_name(cor_last_error()->code), cor_last_error()->msg);
        if (bad[i].msg)
            ck_assert_msg(strstr(cor_last_error()->msg, bad[i].msg) != NULL, "%s: '%s'",
                          bad[i].spec, cor_last_error()->msg);
    }
    ck_assert_ptr_null(cor_loss_from_spec(NULL));
    ck_assert(!cor_loss_is_spec("x^2 + cone"));
    ck_assert(!cor_loss_is_spec("con"));
    ck_assert(!cor_loss_is_spec(NULL));
    for (i = 0; cor_loss_families()[i]; i++)
        ck_assert(cor_loss_is_spec(cor_loss_families()[i]));
    ck_assert_uint_eq(i, 15);
    ck_assert_str_eq(cor_corridor_status_name(COR_CORRIDOR_PARTIAL), "partial");
    ck_assert_str_eq(cor_corridor_status_name(COR_CORRIDOR_UNKNOWN), "unknown");
}
END_TEST

START_TEST(test_spec_data)
{
    char *path = temp_file("1 1:1 2:2\n-1 1:-1\n1 2:1/2\n-1 1:3 2:1\n", ".svm");
    char spec[700];
    cor_loss *L;

    snprintf(spec, sizeof spec, "logistic:file=%s,batches=2,shuffle=1,seed=7,intercept=1,"
             "l2=1/100", path);
    L = spec_ok(spec);
    ck_assert_uint_eq(cor_loss_dim(L), 3);
    ck_assert_uint_eq(cor_loss_nbatches(L), 2);
    seed_rng();
    check_batch_mean(L);
    cor_loss_free(L);
    snprintf(spec, sizeof spec, "lsq:file=%s,format=libsvm", path);
    L = spec_ok(spec);
    ck_assert_uint_eq(cor_loss_dim(L), 2);
    cor_loss_free(L);
    snprintf(spec, sizeof spec, "lsq:file=%s,format=csv", path);
    ck_assert_ptr_null(cor_loss_from_spec(spec));
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
    snprintf(spec, sizeof spec, "lsq:file=%s,batches=0", path);
    ck_assert_ptr_null(cor_loss_from_spec(spec));
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    remove_file(path);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("loss");
    SRunner *sr;
    int nf;

#define ADD(name)                                                                          \
    do                                                                                     \
    {                                                                                      \
        TCase *tc = tcase_create(#name);                                                   \
        tcase_add_test(tc, test_##name);                                                   \
        suite_add_tcase(s, tc);                                                            \
    } while (0)
    ADD(parse_q);
    ADD(expr);
    ADD(expr_batches);
    ADD(alloc_node);
    ADD(linear);
    ADD(cone);
    ADD(ring);
    ADD(ruled);
    ADD(glued);
    ADD(acone);
    ADD(quadratic);
    ADD(rosenbrock);
    ADD(scalarnet);
    ADD(deeplinear);
    ADD(matfact);
    ADD(csv);
    ADD(libsvm);
    ADD(data_errors);
    ADD(logistic);
    ADD(lsq);
    ADD(batches);
    ADD(spec);
    ADD(spec_data);
#undef ADD
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
