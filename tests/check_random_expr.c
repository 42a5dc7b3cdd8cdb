/* check_random_expr.c -- randomized tests of expr, diff and eval ("compute it two ways").
 *
 * A seeded generator draws random expressions over x1..xn (n in 1..5, depth 1..4) that use
 * every operator and function of the grammar of cor_expr_parse, with exact decimal and
 * fractional constants, and writes them as text with only the parentheses the grammar needs
 * (plus a few redundant ones, '**' for '^' and random blanks), so that the parser's
 * precedence rules are exercised. Functions are kept inside their domains by construction:
 * log, log1p, sqrt, real powers and divisors take "positive" subexpressions (c + u^2, exp(s),
 * c + sigmoid(u), ...), exp/expm1 and real exponents take "small" ones (|s| <= 2), tan takes
 * sin/cos/tanh/sigmoid of something. So values stay finite; the few cases that still give a
 * NaN or an infinity are counted and skipped, and a TCase fails if more than 5% are.
 *
 * Each case is checked at random points x in [-2,2]^n, directions v in [-1,1]^n:
 *  fd         (a) gradient and HVP in double against centred finite differences;
 *  mpfr       (b) double against MPFR at 512 bits, relative to the MPFR scale, and
 *             (c) MPFR at 256 against 512 bits;
 *  scale      cor_eval_d_scale and cor_eval_mpfr_scale agree;
 *  roundtrip  (d) print -> parse gives the identical node (hash-consing); a fresh pool reads
 *             the text back to the same function, evaluating identically up to rounding;
 *             the value agrees with an independent double evaluation of the generated tree;
 *  roundtrip_derivs  the same identity for the gradient, HVP and H grad L expressions;
 *  hg         (e) H grad L from cor_diff_hg equals the HVP with v = grad L;
 *  hessian    the Hessian is symmetric and H v equals the HVP.
 * Cases with abs, sign, min or max can land within a finite-difference step (or a rounding
 * error) of a kink; a failing check on such a case is retried at up to 3 fresh points, and
 * only a failure at every point fails the test (a wrong derivative fails everywhere).
 *
 * Reproduction: case k of seed S is generated from cor_test_rng stream k of S alone, so a
 * failure message (seed, case, text, point) is enough; COR_TEST_SEED=S reruns it, and
 * COR_RANDOM_EXPR_CASE=k runs only that case in every TCase. COR_TEST_MULTIPLIER=m checks
 * 1000 m cases per TCase, in slices of 125 (one forked Check test each).
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_sys.h"
#include "testlib.h"

#define NVAR_MAX 5
#define DEPTH_MAX 4
#define BASE_CASES 1000
#define SLICE 125
#define ARENA 2048
#define KINK_RETRIES 3

/* ---- generated syntax trees ----------------------------------------------------------- */

typedef enum
{
    G_VAR,
    G_CONST, /* positive literal: integer, decimal, exponent form or "(p/q)" */
    G_PI,
    G_E,
    G_ADD,
    G_SUB,
    G_MUL,
    G_DIV,
    G_NEG,
    G_POS,
    G_POW,   /* a ^ b, b any expression (an integer literal makes it a POWI) */
    G_FUN1,  /* name(a) */
    G_POWF,  /* pow(a, b) */
    G_MIN,
    G_MAX
} gkind;

typedef struct gnode
{
    gkind kind;
    int var;
    int fun;       /* index into fun1_table */
    double val;    /* G_CONST */
    char text[40]; /* G_CONST literal */
    const struct gnode *a;
    const struct gnode *b;
} gnode;

enum
{
    F_EXP,
    F_EXPM1,
    F_LOG,
    F_LOG1P,
    F_SQRT,
    F_SIN,
    F_COS,
    F_TAN,
    F_TANH,
    F_SIGMOID,
    F_SOFTPLUS,
    F_ABS,
    F_SIGN
};

static const char *const fun1_name[] = {"exp",  "expm1",   "log",      "log1p", "sqrt",
                                        "sin",  "cos",     "tan",      "tanh",  "sigmoid",
                                        "softplus", "abs", "sign"};

typedef struct
{
    cor_test_rng *r;
    gnode arena[ARENA];
    size_t used;
    const gnode *shared[64]; /* earlier "any" subtrees, reused to make DAGs */
    size_t nshared;
    int nvars;
    int nonsmooth;
} gen;

static gnode *
g_new(gen *g, gkind kind, const gnode *a, const gnode *b)
{
    gnode *p;

    if (g->used == ARENA)
    {
        p = &g->arena[ARENA - 1]; /* cannot happen with DEPTH_MAX 4; degrade to x1 */
        p->kind = G_VAR;
        p->var = 0;
        return p;
    }
    p = &g->arena[g->used++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->a = a;
    p->b = b;
    return p;
}

static int
rbelow(gen *g, unsigned long n)
{
    return (int)cor_test_rng_below(g->r, n);
}

/* A positive literal in [lo, hi], written in one of several forms, with its exact value
 * approximated by val (only used by the independent double evaluation). */
static gnode *
g_const(gen *g, double lo, double hi)
{
    gnode *p = g_new(g, G_CONST, NULL, NULL);

    for (;;)
    {
        int form = rbelow(g, 5);
        long m = 1 + rbelow(g, 999);
        int k = 1 + rbelow(g, 3);
        long num = 1 + rbelow(g, 9), den = 2 + rbelow(g, 8);

        switch (form)
        {
        case 0:
            m = 1 + rbelow(g, 12);
            snprintf(p->text, sizeof p->text, "%ld", m);
            break;
        case 1: /* m / 10^k with k digits after the point, e.g. 0.05, 12.5 */
            if (k == 1)
                snprintf(p->text, sizeof p->text, "%ld.%01ld", m / 10, m % 10);
            else if (k == 2)
                snprintf(p->text, sizeof p->text, "%ld.%02ld", m / 100, m % 100);
            else
                snprintf(p->text, sizeof p->text, "%ld.%03ld", m / 1000, m % 1000);
            break;
        case 2:
            snprintf(p->text, sizeof p->text, "%lde-%d", m, k);
            break;
        case 3:
            snprintf(p->text, sizeof p->text, "%ld.%ldE%+d", m % 10, m / 10, k - 2);
            break;
        default:
            snprintf(p->text, sizeof p->text, "(%ld/%ld)", num, den);
            break;
        }
        if (form == 4)
            p->val = (double)num / (double)den;
        else
            p->val = strtod(p->text, NULL);
        if (p->val >= lo && p->val <= hi)
            return p;
    }
}

static gnode *g_any(gen *g, int d);
static gnode *g_pos(gen *g, int d);
static gnode *g_small(gen *g, int d);

static gnode *
g_fun(gen *g, int fun, const gnode *a)
{
    gnode *p = g_new(g, G_FUN1, a, NULL);

    p->fun = fun;
    if (fun == F_ABS || fun == F_SIGN)
        g->nonsmooth = 1;
    return p;
}

static gnode *
g_var(gen *g)
{
    gnode *p = g_new(g, G_VAR, NULL, NULL);

    p->var = rbelow(g, (unsigned long)g->nvars);
    return p;
}

static gnode *
g_leaf(gen *g)
{
    int u = rbelow(g, 20);

    if (u < 13)
        return g_var(g);
    if (u < 18)
        return g_const(g, 0.001, 12.0);
    return g_new(g, u == 18 ? G_PI : G_E, NULL, NULL);
}

/* A bounded squashing function of anything: values in [-1, 1]. */
static gnode *
g_squash(gen *g, int d)
{
    static const int f[] = {F_SIN, F_COS, F_TANH, F_SIGMOID};

    return g_fun(g, f[rbelow(g, 4)], g_any(g, d));
}

/* |value| <= 2 at points of [-2, 2]^n. */
static gnode *
g_small(gen *g, int d)
{
    int u = rbelow(g, 10);

    if (d <= 0 || u < 3)
        return u % 3 == 0 ? g_const(g, 0.001, 2.0)
                          : g_new(g, G_MUL, g_const(g, 0.001, 1.0), g_var(g));
    if (u < 7)
        return g_squash(g, d - 1);
    if (u < 8)
        return g_new(g, G_NEG, g_small(g, d - 1), NULL);
    return g_new(g, G_MUL, g_const(g, 0.001, 2.0), g_squash(g, d - 1));
}

/* value >= about 0.1, of moderate size. */
static gnode *
g_pos(gen *g, int d)
{
    int u = rbelow(g, 11);

    if (d <= 0)
    {
        if (u < 5)
            return g_const(g, 0.25, 12.0);
        return g_new(g, G_ADD, g_const(g, 0.25, 4.0),
                     g_new(g, G_POW, g_var(g), g_const(g, 2, 2)));
    }
    switch (u)
    {
    case 0:
    case 1:
        return g_new(g, G_ADD, g_const(g, 0.25, 4.0),
                     g_new(g, G_POW, g_any(g, d - 1), g_const(g, 2, 2)));
    case 2:
        return g_fun(g, F_EXP, g_small(g, d - 1));
    case 3:
        return g_fun(g, F_SQRT, g_pos(g, d - 1));
    case 4:
        return g_new(g, G_ADD, g_const(g, 0.25, 4.0), g_fun(g, F_ABS, g_any(g, d - 1)));
    case 5:
        return g_new(g, G_ADD, g_const(g, 0.25, 4.0), g_fun(g, F_SIGMOID, g_any(g, d - 1)));
    case 6:
        return g_new(g, G_ADD, g_fun(g, F_SOFTPLUS, g_any(g, d - 1)), g_const(g, 0.25, 4.0));
    case 7:
        return g_new(g, G_MUL, g_pos(g, d - 1), g_pos(g, d - 1));
    case 8:
        return g_new(g, G_DIV, g_pos(g, d - 1), g_pos(g, d - 1));
    case 9:
        return g_new(g, G_ADD, g_pos(g, d - 1), g_pos(g, d - 1));
    default:
        return g_new(g, G_POW, g_pos(g, d - 1), g_small(g, d - 1));
    }
}

static gnode *
g_int(gen *g, long k)
{
    gnode *p = g_new(g, G_CONST, NULL, NULL);

    snprintf(p->text, sizeof p->text, "%ld", k);
    p->val = (double)k;
    return p;
}

/* Anything of moderate size. */
static gnode *
g_any(gen *g, int d)
{
    gnode *p;
    int u;

    if (d <= 0 || cor_test_rng_bernoulli(g->r, 0.1))
        return g_leaf(g);
    if (g->nshared > 0 && cor_test_rng_bernoulli(g->r, 0.08))
        return (gnode *)g->shared[rbelow(g, (unsigned long)g->nshared)];
    u = rbelow(g, 24);
    switch (u)
    {
    case 0:
    case 1:
        p = g_new(g, G_ADD, g_any(g, d - 1), g_any(g, d - 1));
        break;
    case 2:
    case 3:
        p = g_new(g, G_SUB, g_any(g, d - 1), g_any(g, d - 1));
        break;
    case 4:
    case 5:
        p = g_new(g, G_MUL, g_any(g, d - 1), g_any(g, d - 1));
        break;
    case 6:
        p = g_new(g, G_DIV, g_any(g, d - 1), g_pos(g, d - 1));
        break;
    case 7:
        p = g_new(g, cor_test_rng_bernoulli(g->r, 0.8) ? G_NEG : G_POS, g_any(g, d - 1), NULL);
        break;
    case 8:
        p = g_new(g, G_POW, g_any(g, d - 1), g_int(g, 2 + rbelow(g, 2)));
        break;
    case 9:
        p = g_new(g, G_POW, g_pos(g, d - 1), g_int(g, -1 - rbelow(g, 3)));
        break;
    case 10: /* real constant exponent, e.g. ^0.5, ^(1/3), ^-1.5 */
    {
        gnode *c = g_const(g, 0.1, 2.5);
        if (c->val == nearbyint(c->val))
        {
            strcpy(c->text, "0.5");
            c->val = 0.5;
        }
        p = g_new(g, G_POW, g_pos(g, d - 1),
                  cor_test_rng_bernoulli(g->r, 0.3) ? g_new(g, G_NEG, c, NULL) : c);
        break;
    }
    case 11:
        p = g_new(g, G_POW, g_pos(g, d - 1), g_small(g, d - 1));
        break;
    case 12:
        p = g_new(g, G_POWF, g_pos(g, d - 1), g_small(g, d - 1));
        break;
    case 13:
        p = g_fun(g, rbelow(g, 2) ? F_EXP : F_EXPM1, g_small(g, d - 1));
        break;
    case 14:
    case 15:
    {
        static const int f[] = {F_LOG, F_LOG1P, F_SQRT};
        p = g_fun(g, f[rbelow(g, 3)], g_pos(g, d - 1));
        break;
    }
    case 16:
    case 17:
    {
        static const int f[] = {F_SIN, F_COS, F_TANH, F_SIGMOID, F_SOFTPLUS};
        p = g_fun(g, f[rbelow(g, 5)], g_any(g, d - 1));
        break;
    }
    case 18:
        p = g_fun(g, F_TAN, g_squash(g, d - 1));
        break;
    case 19:
        p = g_fun(g, F_ABS, g_any(g, d - 1));
        break;
    case 20:
        /* sign jumps at 0: its argument must not be a constant that is 0 mathematically but
         * not after rounding (sign(max(x - x, sin(pi))) is 1 in double, 0 or -1 in MPFR),
         * so a random offset is added; a variable argument crosses 0 only on a null set. */
        p = g_fun(g, F_SIGN, g_new(g, rbelow(g, 2) ? G_ADD : G_SUB, g_any(g, d - 1),
                                   g_const(g, 0.001, 12.0)));
        break;
    case 21:
    case 22:
        p = g_new(g, rbelow(g, 2) ? G_MIN : G_MAX, g_any(g, d - 1), g_any(g, d - 1));
        g->nonsmooth = 1;
        break;
    default:
        p = g_new(g, G_MUL, g_const(g, 0.001, 12.0), g_any(g, d - 1));
        break;
    }
    if (g->nshared < 64)
        g->shared[g->nshared++] = p;
    return p;
}

/* ---- text ------------------------------------------------------------------------------ */

enum
{
    P_SUM = 1,
    P_PROD,
    P_UNARY,
    P_POW,
    P_ATOM
};

typedef struct
{
    char *s;
    size_t len, cap;
} sbuf;

static void
sb_put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;

    for (;;)
    {
        va_start(ap, fmt);
        k = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(k, 0);
        if ((size_t)k < b->cap - b->len)
            break;
        b->cap = 2 * b->cap + (size_t)k + 64;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    b->len += (size_t)k;
}

static int
g_prec(const gnode *p)
{
    switch (p->kind)
    {
    case G_ADD:
    case G_SUB:
        return P_SUM;
    case G_MUL:
    case G_DIV:
        return P_PROD;
    case G_NEG:
    case G_POS:
        return P_UNARY;
    case G_POW:
        return P_POW;
    default:
        return P_ATOM;
    }
}

static void
sb_blank(sbuf *b, cor_test_rng *r)
{
    if (cor_test_rng_bernoulli(r, 0.25))
        sb_put(b, " ");
}

/* Writes p so that it parses back as p when it appears where the grammar wants precedence
 * at least minprec. */
static void
g_emit(sbuf *b, const gnode *p, int minprec, cor_test_rng *r, const char *const *names)
{
    int paren = g_prec(p) < minprec || cor_test_rng_bernoulli(r, 0.05);

    if (paren)
        sb_put(b, "(");
    switch (p->kind)
    {
    case G_VAR:
        sb_put(b, "%s", names[p->var]);
        break;
    case G_CONST:
        sb_put(b, "%s", p->text);
        break;
    case G_PI:
        sb_put(b, "pi");
        break;
    case G_E:
        sb_put(b, "e");
        break;
    case G_ADD:
    case G_SUB:
    case G_MUL:
    case G_DIV:
    {
        static const char ops[] = "+-*/";
        int sum = p->kind == G_ADD || p->kind == G_SUB;
        g_emit(b, p->a, sum ? P_SUM : P_PROD, r, names);
        sb_blank(b, r);
        sb_put(b, "%c", ops[p->kind - G_ADD]);
        sb_blank(b, r);
        g_emit(b, p->b, sum ? P_PROD : P_UNARY, r, names);
        break;
    }
    case G_NEG:
    case G_POS:
        sb_put(b, p->kind == G_NEG ? "-" : "+");
        sb_blank(b, r);
        g_emit(b, p->a, P_UNARY, r, names);
        break;
    case G_POW:
        g_emit(b, p->a, P_ATOM, r, names);
        sb_put(b, cor_test_rng_bernoulli(r, 0.2) ? "**" : "^");
        /* A negative integer exponent is written -k (a unary) or (-k). */
        if (p->b->kind == G_CONST && p->b->val < 0)
            sb_put(b, cor_test_rng_bernoulli(r, 0.5) ? "-%s" : "(-%s)", p->b->text + 1);
        else
            g_emit(b, p->b, P_UNARY, r, names);
        break;
    case G_FUN1:
        sb_put(b, "%s(", fun1_name[p->fun]);
        g_emit(b, p->a, 0, r, names);
        sb_put(b, ")");
        break;
    case G_POWF:
    case G_MIN:
    case G_MAX:
        sb_put(b, "%s(", p->kind == G_POWF ? "pow" : p->kind == G_MIN ? "min" : "max");
        g_emit(b, p->a, 0, r, names);
        sb_put(b, ",");
        sb_blank(b, r);
        g_emit(b, p->b, 0, r, names);
        sb_put(b, ")");
        break;
    }
    if (paren)
        sb_put(b, ")");
}

/* The independent evaluation of the generated tree (plain libm, no tape). */
static double
g_eval(const gnode *p, const double *x)
{
    double a = p->a ? g_eval(p->a, x) : 0.0;
    double b = p->b ? g_eval(p->b, x) : 0.0;

    switch (p->kind)
    {
    case G_VAR:
        return x[p->var];
    case G_CONST:
        return p->val;
    case G_PI:
        return M_PI;
    case G_E:
        return M_E;
    case G_ADD:
        return a + b;
    case G_SUB:
        return a - b;
    case G_MUL:
        return a * b;
    case G_DIV:
        return a / b;
    case G_NEG:
        return -a;
    case G_POS:
        return a;
    case G_POW:
    case G_POWF:
        return pow(a, b);
    case G_MIN:
        return fmin(a, b);
    case G_MAX:
        return fmax(a, b);
    case G_FUN1:
        switch (p->fun)
        {
        case F_EXP:
            return exp(a);
        case F_EXPM1:
            return expm1(a);
        case F_LOG:
            return log(a);
        case F_LOG1P:
            return log1p(a);
        case F_SQRT:
            return sqrt(a);
        case F_SIN:
            return sin(a);
        case F_COS:
            return cos(a);
        case F_TAN:
            return tan(a);
        case F_TANH:
            return tanh(a);
        case F_SIGMOID:
            return 1.0 / (1.0 + exp(-a));
        case F_SOFTPLUS:
            return log1p(exp(a));
        case F_ABS:
            return fabs(a);
        default:
            return (double)((a > 0) - (a < 0));
        }
    }
    return NAN;
}

/* ---- one case -------------------------------------------------------------------------- */

static const char *const xname[NVAR_MAX] = {"x1", "x2", "x3", "x4", "x5"};
static const char *const vname[NVAR_MAX] = {"v1", "v2", "v3", "v4", "v5"};

typedef struct
{
    uint64_t seed, index;
    cor_test_rng rng; /* draws the points after the expression */
    size_t n, nout;   /* outputs: f, grad (n), hv (n), hg (n) */
    int nonsmooth;
    gen *g;
    const gnode *root;
    char *text;
    cor_expr_pool *pool;
    cor_node x[NVAR_MAX], v[NVAR_MAX], in[2 * NVAR_MAX];
    cor_node out[1 + 3 * NVAR_MAX]; /* f, grad, hv, hg */
    cor_tape *tape;
    cor_eval_d *wd;
    cor_eval_mpfr *w256, *w512;
    /* last point, for messages */
    double px[NVAR_MAX], pv[NVAR_MAX];
} rcase;

#define F_OUT 0
#define G_OUT(c, i) (1 + (i))
#define HV_OUT(c, i) (1 + (c)->n + (i))
#define HG_OUT(c, i) (1 + 2 * (c)->n + (i))

static void
case_fail(const rcase *c, const char *fmt, ...)
{
    char what[1024];
    char pt[512];
    size_t k = 0, i;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    for (i = 0; i < c->n && k < sizeof pt; i++)
        k += (size_t)snprintf(pt + k, sizeof pt - k, "%s%.17g", i ? "," : "", c->px[i]);
    for (i = 0; i < c->n && k < sizeof pt; i++)
        k += (size_t)snprintf(pt + k, sizeof pt - k, "%s%.17g", i ? "," : " v=", c->pv[i]);
    ck_abort_msg("COR_TEST_SEED=%llu case %llu: %s\n  f = %s\n  x=%s\n  (last error: %s)",
                 (unsigned long long)c->seed, (unsigned long long)c->index, what, c->text, pt,
                 cor_last_error()->msg);
}

static void
case_init(rcase *c, uint64_t seed, uint64_t index)
{
    sbuf b = {NULL, 0, 0};
    size_t i;
    size_t col = 0;
    int rc;

    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->index = index;
    cor_test_rng_init(&c->rng, seed, index);
    c->n = 1 + cor_test_rng_below(&c->rng, NVAR_MAX);
    c->nout = 1 + 3 * c->n;
    c->g = calloc(1, sizeof *c->g);
    ck_assert_ptr_nonnull(c->g);
    c->g->r = &c->rng;
    c->g->nvars = (int)c->n;
    c->root = g_any(c->g, 1 + (int)cor_test_rng_below(&c->rng, DEPTH_MAX));
    c->nonsmooth = c->g->nonsmooth;
    g_emit(&b, c->root, 0, &c->rng, xname);
    c->text = b.s;

    c->pool = cor_expr_pool_alloc();
    ck_assert_ptr_nonnull(c->pool);
    for (i = 0; i < c->n; i++)
        c->in[i] = c->x[i] = cor_expr_var(c->pool, xname[i]);
    for (i = 0; i < c->n; i++)
        c->in[c->n + i] = c->v[i] = cor_expr_var(c->pool, vname[i]);
    for (i = 0; i < 2 * c->n; i++)
        ck_assert_uint_ne(c->in[i], COR_NODE_NONE);

    rc = cor_expr_parse(&c->out[F_OUT], &col, c->text, COR_PARSE_KNOWN_VARS, c->pool);
    if (rc != COR_OK)
        case_fail(c, "parse failed: %s at column %zu", cor_status_name(rc), col);
    rc = cor_diff_grad(&c->out[G_OUT(c, 0)], c->pool, c->out[F_OUT], c->n, c->x);
    if (rc != COR_OK)
        case_fail(c, "cor_diff_grad: %s", cor_status_name(rc));
    rc = cor_diff_hvp(&c->out[HV_OUT(c, 0)], c->pool, c->out[F_OUT], &c->out[G_OUT(c, 0)], c->n,
                      c->x, c->v);
    if (rc != COR_OK)
        case_fail(c, "cor_diff_hvp: %s", cor_status_name(rc));
    rc = cor_diff_hg(&c->out[HG_OUT(c, 0)], c->pool, c->out[F_OUT], &c->out[G_OUT(c, 0)], c->n,
                     c->x);
    if (rc != COR_OK)
        case_fail(c, "cor_diff_hg: %s", cor_status_name(rc));
    c->tape = cor_tape_alloc(c->pool, 2 * c->n, c->in, c->nout, c->out);
    if (c->tape == NULL)
        case_fail(c, "cor_tape_alloc failed");
}

static void
case_clear(rcase *c)
{
    cor_eval_d_free(c->wd);
    cor_eval_mpfr_free(c->w256);
    cor_eval_mpfr_free(c->w512);
    cor_tape_free(c->tape);
    cor_expr_pool_free(c->pool);
    free(c->text);
    free(c->g);
}

static void
case_point(rcase *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        c->px[i] = cor_test_rng_uniform(&c->rng, -2.0, 2.0);
    for (i = 0; i < c->n; i++)
        c->pv[i] = cor_test_rng_uniform(&c->rng, -1.0, 1.0);
}

/* Double run at (x, v); returns the status. out and scale have nout entries (scale may be
 * NULL). */
static int
run_d(rcase *c, const double *x, const double *v, double *out, double *scale)
{
    double in[2 * NVAR_MAX];
    int rc;

    if (c->wd == NULL)
    {
        c->wd = cor_eval_d_alloc(c->tape);
        ck_assert_ptr_nonnull(c->wd);
    }
    memcpy(in, x, c->n * sizeof *x);
    memcpy(in + c->n, v, c->n * sizeof *v);
    rc = cor_eval_d_run(c->wd, out, in);
    if (rc != COR_OK && rc != COR_NONFINITE)
        case_fail(c, "cor_eval_d_run: %s", cor_status_name(rc));
    if (rc == COR_OK && scale != NULL && cor_eval_d_scale(c->wd, scale) != COR_OK)
        case_fail(c, "cor_eval_d_scale failed");
    return rc;
}

static cor_eval_mpfr *
work_mpfr(rcase *c, mpfr_prec_t prec)
{
    cor_eval_mpfr **w = prec == 256 ? &c->w256 : &c->w512;

    if (*w == NULL)
    {
        *w = cor_eval_mpfr_alloc(c->tape, prec);
        ck_assert_ptr_nonnull(*w);
        ck_assert_int_eq(cor_eval_mpfr_prec(*w), prec);
    }
    return *w;
}

static mpfr_t *
mpvec_alloc(size_t n, mpfr_prec_t prec)
{
    mpfr_t *p = malloc((n ? n : 1) * sizeof *p);
    size_t i;

    ck_assert_ptr_nonnull(p);
    for (i = 0; i < n; i++)
        mpfr_init2(p[i], prec);
    return p;
}

static void
mpvec_free(mpfr_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        mpfr_clear(p[i]);
    free(p);
}

static int
run_mpfr(rcase *c, mpfr_prec_t prec, mpfr_t *out, const mpfr_t *in, mpfr_t *scale)
{
    cor_eval_mpfr *w = work_mpfr(c, prec);
    int rc = cor_eval_mpfr_run(w, out, in);

    if (rc != COR_OK && rc != COR_NONFINITE)
        case_fail(c, "cor_eval_mpfr_run(%ld bits): %s", (long)prec, cor_status_name(rc));
    if (rc == COR_OK && scale != NULL && cor_eval_mpfr_scale(w, scale) != COR_OK)
        case_fail(c, "cor_eval_mpfr_scale failed");
    return rc;
}

enum
{
    PASS,
    FAIL,
    SKIP /* non-finite */
};

/* A property checks one case at fresh points drawn from c->rng; on FAIL it writes why. */
typedef int (*property)(rcase *c, char *why, size_t len);

static const char *
output_name(const rcase *c, size_t j, char *buf, size_t len)
{
    if (j == 0)
        snprintf(buf, len, "f");
    else if (j <= c->n)
        snprintf(buf, len, "grad[%zu]", j - 1);
    else if (j <= 2 * c->n)
        snprintf(buf, len, "hv[%zu]", j - 1 - c->n);
    else
        snprintf(buf, len, "hg[%zu]", j - 1 - 2 * c->n);
    return buf;
}

/* ---- (a) finite differences ------------------------------------------------------------
 *
 * Centred difference D(h) = (f(x + h e) - f(x - h e)) / (x_+ - x_-) with x_+- = x +- h e
 * rounded (so the divisor is the step actually taken). Its error is
 *     |D(h) - f'| <= h^2/6 max|f'''| + (err(f(x+)) + err(f(x-))) / 2h,
 * and the rounding error of a double evaluation is err <= C u S_f, with u = 2^-53, S_f the
 * scale of f (cor_eval_d_scale) and C a modest multiple of the tape length, taken as 2^8
 * (expressions here have at most a few hundred instructions, and the bound is a worst case
 * that is rarely approached). With h = 1e-5 max(1, |x_i|) the truncation term is about
 * 2e-11 |f'''|, so we accept
 *     |D(h) - g| <= 1e-6 (|g| + S_g) + 2^8 u S_f / h,
 * which leaves room for |f'''| up to about 5e4 (|g| + S_g); a wrong derivative is typically
 * off by O(|g|) and fails by orders of magnitude. Expressions that oscillate fast can exceed
 * that; before declaring a failure we therefore also try Richardson's extrapolation
 * (4 D(h'/2) - D(h')) / 3 with h' = 1e-3 max(1, |x_i|), whose truncation error is
 * O(h'^4 f^(5)) ~ 1e-12 f^(5) and rounding error about 3 * 2^8 u S_f / h', and accept if
 * either estimate is within its bound. The HVP is checked the same way, differencing the
 * tape's gradient along v: D = (g(x + h v) - g(x - h v)) / 2h, with S_g in place of S_f.
 */

static int fd_fallbacks; /* number of Richardson rescues, reported per slice */

static int
fd_component(rcase *c, const double *x0, const double *v0, size_t j, int along_v, double h,
             double *d)
{
    double xp[NVAR_MAX], xm[NVAR_MAX], op[1 + 3 * NVAR_MAX], om[1 + 3 * NVAR_MAX];
    double step = 0.0;
    size_t i;

    memcpy(xp, x0, c->n * sizeof *x0);
    memcpy(xm, x0, c->n * sizeof *x0);
    if (along_v)
    {
        for (i = 0; i < c->n; i++)
        {
            xp[i] = x0[i] + h * v0[i];
            xm[i] = x0[i] - h * v0[i];
        }
        step = 2.0 * h;
    }
    else
    {
        xp[j] = x0[j] + h;
        xm[j] = x0[j] - h;
        step = xp[j] - xm[j];
    }
    if (run_d(c, xp, v0, op, NULL) != COR_OK || run_d(c, xm, v0, om, NULL) != COR_OK)
        return SKIP;
    /* Gradient check: difference f. HVP check: difference grad[j]. */
    *d = along_v ? (op[G_OUT(c, j)] - om[G_OUT(c, j)]) / step
                 : (op[F_OUT] - om[F_OUT]) / step;
    return PASS;
}

static int
prop_fd(rcase *c, char *why, size_t len)
{
    double out[1 + 3 * NVAR_MAX], sc[1 + 3 * NVAR_MAX];
    double xmax = 0.0, vmax = 0.0;
    size_t i;
    int pass;

    case_point(c);
    if (run_d(c, c->px, c->pv, out, sc) != COR_OK)
        return SKIP;
    for (i = 0; i < c->n; i++)
    {
        xmax = fmax(xmax, fabs(c->px[i]));
        vmax = fmax(vmax, fabs(c->pv[i]));
    }
    for (pass = 0; pass < 2; pass++)
    {
        int along_v = pass == 1;

        for (i = 0; i < c->n; i++)
        {
            size_t j = along_v ? HV_OUT(c, i) : G_OUT(c, i);
            double exact = out[j], s_exact = sc[j];
            double s_f = along_v ? sc[G_OUT(c, i)] : sc[F_OUT];
            double base = along_v ? fmax(1.0, xmax) / fmax(vmax, 1e-3) : fmax(1.0, fabs(c->px[i]));
            double h = 1e-5 * base, h2 = 1e-3 * base;
            double d, d1, d2, rich, tol, tol_r;

            if (fd_component(c, c->px, c->pv, i, along_v, h, &d) != PASS)
                return SKIP;
            tol = 1e-6 * (fabs(exact) + s_exact) + 0x1p8 * DBL_EPSILON / 2 * s_f / h;
            if (fabs(d - exact) <= tol)
                continue;
            if (fd_component(c, c->px, c->pv, i, along_v, h2, &d1) != PASS
                || fd_component(c, c->px, c->pv, i, along_v, h2 / 2, &d2) != PASS)
                return SKIP;
            rich = (4.0 * d2 - d1) / 3.0;
            tol_r = 1e-6 * (fabs(exact) + s_exact) + 3 * 0x1p8 * DBL_EPSILON / 2 * s_f / h2;
            if (fabs(rich - exact) <= tol_r)
            {
                fd_fallbacks++;
                continue;
            }
            snprintf(why, len,
                     "%s[%zu] = %.17g (scale %.3g) but finite differences give %.17g (h=%g, "
                     "tol %.3g) and %.17g (Richardson, tol %.3g)",
                     along_v ? "hv" : "grad", i, exact, s_exact, d, h, tol, rich, tol_r);
            return FAIL;
        }
    }
    return PASS;
}

/* ---- (b), (c): double vs MPFR 512, MPFR 256 vs 512 --------------------------------------
 *
 * (b) A double evaluation of an expression of N operations has a first-order error bound
 * of about N u S, S the scale (cor_eval.h) of the output; libm's functions add at most an
 * ulp or so per call, covered by the same bound. The 512-bit value is exact for this purpose
 * (error 2^-512 S). We accept |out_d - out_512| <= 1e-13 S_512 (about 900 u S): our
 * expressions have at most a few hundred instructions, and the bound is attained only by
 * adversarial rounding. Relative to |out| instead of S the test would fail whenever an output
 * is a difference of nearly equal terms (cancellation), which is legitimate and frequent in
 * derivatives (e.g. d/dx of x*y - x*y^2 at y ~ 1). We also check S_512 >= |out_512|.
 * (c) The same argument at 256 bits gives an error of N 2^-256 S, so we accept 2^-240 S_512
 * (N up to 2^16). The inputs here are decimal strings (cor_eval_mpfr_run_str) with 17
 * significant digits, rounded once at each precision: the input rounding is covered too, as
 * the scale of a variable is its magnitude.
 */

static int
prop_mpfr(rcase *c, char *why, size_t len)
{
    double out[1 + 3 * NVAR_MAX], sc[1 + 3 * NVAR_MAX];
    mpfr_t *in = mpvec_alloc(2 * c->n, 53);
    mpfr_t *o512 = mpvec_alloc(c->nout, 512), *s512 = mpvec_alloc(c->nout, 512);
    mpfr_t *o256 = mpvec_alloc(c->nout, 512), *t = mpvec_alloc(2, 512);
    char numtxt[2 * NVAR_MAX][40];
    const char *sin_[2 * NVAR_MAX];
    char name[32];
    int res = PASS;
    size_t i, j;

    case_point(c);
    for (i = 0; i < c->n; i++)
    {
        mpfr_set_d(in[i], c->px[i], MPFR_RNDN);
        mpfr_set_d(in[c->n + i], c->pv[i], MPFR_RNDN);
    }
    if (run_d(c, c->px, c->pv, out, sc) != COR_OK
        || run_mpfr(c, 512, o512, (const mpfr_t *)in, s512) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    for (j = 0; j < c->nout; j++)
    {
        double ref = mpfr_get_d(o512[j], MPFR_RNDN), s = mpfr_get_d(s512[j], MPFR_RNDN);

        mpfr_abs(t[0], o512[j], MPFR_RNDN);
        mpfr_mul_2si(t[1], s512[j], -500, MPFR_RNDU);
        mpfr_add(t[1], t[1], s512[j], MPFR_RNDU);
        if (mpfr_cmp(t[0], t[1]) > 0)
        {
            snprintf(why, len, "%s: scale %.17g < |value| %.17g", output_name(c, j, name, 32), s,
                     ref);
            res = FAIL;
            goto cleanup;
        }
        if (!(fabs(out[j] - ref) <= 1e-13 * s + DBL_MIN))
        {
            snprintf(why, len, "%s: double %.17g, 512 bits %.17g, scale %.3g: error %.3g > 1e-13 "
                     "scale", output_name(c, j, name, 32), out[j], ref, s, fabs(out[j] - ref));
            res = FAIL;
            goto cleanup;
        }
    }

    /* (c) from decimal strings */
    for (i = 0; i < 2 * c->n; i++)
    {
        snprintf(numtxt[i], sizeof numtxt[i], "%.17g", i < c->n ? c->px[i] : c->pv[i - c->n]);
        sin_[i] = numtxt[i];
    }
    if (cor_eval_mpfr_run_str(work_mpfr(c, 512), o512, sin_) != COR_OK
        || cor_eval_mpfr_scale(work_mpfr(c, 512), s512) != COR_OK
        || cor_eval_mpfr_run_str(work_mpfr(c, 256), o256, sin_) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    for (j = 0; j < c->nout; j++)
    {
        mpfr_sub(t[0], o256[j], o512[j], MPFR_RNDN);
        mpfr_abs(t[0], t[0], MPFR_RNDN);
        mpfr_mul_2si(t[1], s512[j], -240, MPFR_RNDN);
        if (mpfr_cmp(t[0], t[1]) > 0)
        {
            mpfr_snprintf(why, len, "%s: 256 bits %.40Rg, 512 bits %.40Rg, scale %.3Rg, "
                          "error %.3Rg > 2^-240 scale", output_name(c, j, name, 32), o256[j],
                          o512[j], s512[j], t[0]);
            res = FAIL;
            goto cleanup;
        }
    }

cleanup:
    mpvec_free(in, 2 * c->n);
    mpvec_free(o512, c->nout);
    mpvec_free(s512, c->nout);
    mpvec_free(o256, c->nout);
    mpvec_free(t, 2);
    return res;
}

/* ---- scale: double and MPFR agree ------------------------------------------------------
 *
 * cor_eval.h defines the scale as one expression (every term replaced by its magnitude), so
 * cor_eval_d_scale and cor_eval_mpfr_scale must compute the same number. It is a sum of
 * magnitudes (no cancellation), so double computes it to a relative 1e-10 easily.
 * This caught, in the first implementation, a different rule for COR_OP_DIV in the two
 * backends: eval_d.c took max(|v|, (S_a + |v| S_b)/|b|), eval_mpfr.c |v| + (S_a + |v| S_b)/|b|
 * (f = 1/x at x = 0.5: double scale 4, MPFR scale 6).
 */

static int
prop_scale(rcase *c, char *why, size_t len)
{
    double out[1 + 3 * NVAR_MAX], sc[1 + 3 * NVAR_MAX];
    mpfr_t *in = mpvec_alloc(2 * c->n, 53);
    mpfr_t *o512 = mpvec_alloc(c->nout, 512), *s512 = mpvec_alloc(c->nout, 512);
    char name[32];
    int res = PASS;
    size_t i, j;

    case_point(c);
    for (i = 0; i < c->n; i++)
    {
        mpfr_set_d(in[i], c->px[i], MPFR_RNDN);
        mpfr_set_d(in[c->n + i], c->pv[i], MPFR_RNDN);
    }
    if (run_d(c, c->px, c->pv, out, sc) != COR_OK
        || run_mpfr(c, 512, o512, (const mpfr_t *)in, s512) != COR_OK)
        res = SKIP;
    for (j = 0; res == PASS && j < c->nout; j++)
    {
        double s = mpfr_get_d(s512[j], MPFR_RNDN);
        if (!(fabs(sc[j] - s) <= 1e-10 * s + DBL_MIN))
        {
            snprintf(why, len, "%s: double scale %.17g, 512-bit scale %.17g",
                     output_name(c, j, name, 32), sc[j], s);
            res = FAIL;
        }
    }
    mpvec_free(in, 2 * c->n);
    mpvec_free(o512, c->nout);
    mpvec_free(s512, c->nout);
    return res;
}

/* ---- (d) print -> parse ----------------------------------------------------------------- */

/* Prints node n of c's pool, parses it back in the same pool and checks the handle. */
static int
roundtrip_same_pool(rcase *c, cor_node n, const char *what, char *why, size_t len)
{
    char *s = cor_expr_to_string(c->pool, n);
    cor_node back = COR_NODE_NONE;
    size_t col = 0;
    int rc;

    if (s == NULL)
    {
        snprintf(why, len, "cor_expr_to_string(%s) returned NULL", what);
        return FAIL;
    }
    rc = cor_expr_parse(&back, &col, s, COR_PARSE_KNOWN_VARS, c->pool);
    if (rc != COR_OK || back != n)
    {
        char *s2 = rc == COR_OK ? cor_expr_to_string(c->pool, back) : NULL;
        snprintf(why, len, "%s printed as \"%.600s\" %s (%s, column %zu); reprinted \"%.600s\"",
                 what, s, rc == COR_OK ? "parses to a different node" : "does not parse",
                 cor_status_name(rc), col, s2 ? s2 : "-");
        cor_free(s2);
        cor_free(s);
        return FAIL;
    }
    cor_free(s);
    return PASS;
}

static int
prop_roundtrip(rcase *c, char *why, size_t len)
{
    cor_expr_pool *p2 = NULL;
    cor_tape *t2 = NULL;
    cor_eval_d *wd2 = NULL;
    cor_eval_mpfr *wm2 = NULL;
    mpfr_t *in = NULL, *o512 = NULL, *s512 = NULL, *o2 = NULL, *t = NULL;
    cor_node xs[NVAR_MAX], g1 = COR_NODE_NONE, g2 = COR_NODE_NONE;
    char *s = NULL, *s1 = NULL;
    double d2, ref, sc, mine;
    size_t i, col = 0;
    int res = PASS, rc;

    /* same pool */
    if ((res = roundtrip_same_pool(c, c->out[F_OUT], "f", why, len)) != PASS)
        return res;

    /* fresh pool: same variables in the same order; text -> node -> text -> same node */
    s = cor_expr_to_string(c->pool, c->out[F_OUT]);
    ck_assert_ptr_nonnull(s);
    p2 = cor_expr_pool_alloc();
    ck_assert_ptr_nonnull(p2);
    for (i = 0; i < c->n; i++)
        xs[i] = cor_expr_var(p2, xname[i]);
    rc = cor_expr_parse(&g1, &col, s, 0, p2);
    if (rc == COR_OK)
        s1 = cor_expr_to_string(p2, g1);
    if (rc != COR_OK || s1 == NULL || cor_expr_parse(&g2, &col, s1, 0, p2) != COR_OK
        || g2 != g1)
    {
        snprintf(why, len, "fresh pool: \"%.600s\" -> \"%.600s\" is not a fixed point", s,
                 s1 ? s1 : "-");
        res = FAIL;
        goto cleanup;
    }
    if (cor_expr_nvars(p2) != c->n)
    {
        snprintf(why, len, "fresh pool has %zu variables, expected %zu", cor_expr_nvars(p2),
                 c->n);
        res = FAIL;
        goto cleanup;
    }

    /* the two pools evaluate to the same function, and to the generated tree's value */
    case_point(c);
    t2 = cor_tape_alloc(p2, c->n, xs, 1, &g1);
    ck_assert_ptr_nonnull(t2);
    wd2 = cor_eval_d_alloc(t2);
    wm2 = cor_eval_mpfr_alloc(t2, 512);
    ck_assert_ptr_nonnull(wd2);
    ck_assert_ptr_nonnull(wm2);
    in = mpvec_alloc(2 * c->n, 53);
    o512 = mpvec_alloc(c->nout, 512);
    s512 = mpvec_alloc(c->nout, 512);
    o2 = mpvec_alloc(1, 512);
    t = mpvec_alloc(2, 512);
    for (i = 0; i < c->n; i++)
    {
        mpfr_set_d(in[i], c->px[i], MPFR_RNDN);
        mpfr_set_d(in[c->n + i], c->pv[i], MPFR_RNDN);
    }
    if (run_mpfr(c, 512, o512, (const mpfr_t *)in, s512) != COR_OK
        || cor_eval_d_run(wd2, &d2, c->px) != COR_OK
        || cor_eval_mpfr_run(wm2, o2, (const mpfr_t *)in) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    ref = mpfr_get_d(o512[F_OUT], MPFR_RNDN);
    sc = mpfr_get_d(s512[F_OUT], MPFR_RNDN);
    mpfr_sub(t[0], o2[0], o512[F_OUT], MPFR_RNDN);
    mpfr_abs(t[0], t[0], MPFR_RNDN);
    mpfr_mul_2si(t[1], s512[F_OUT], -490, MPFR_RNDN);
    if (mpfr_cmp(t[0], t[1]) > 0 || !(fabs(d2 - ref) <= 1e-13 * sc + DBL_MIN))
    {
        mpfr_snprintf(why, len, "fresh pool value %.40Rg (double %.17g) differs from %.40Rg "
                      "(scale %.3g)", o2[0], d2, o512[F_OUT], sc);
        res = FAIL;
        goto cleanup;
    }
    mine = g_eval(c->root, c->px);
    if (!(fabs(mine - ref) <= 1e-12 * sc + DBL_MIN))
    {
        snprintf(why, len, "independent evaluation of the generated tree gives %.17g, the tape "
                 "%.17g (scale %.3g): the text was parsed differently", mine, ref, sc);
        res = FAIL;
        goto cleanup;
    }

cleanup:
    cor_free(s);
    cor_free(s1);
    cor_eval_d_free(wd2);
    cor_eval_mpfr_free(wm2);
    cor_tape_free(t2);
    cor_expr_pool_free(p2);
    if (in)
    {
        mpvec_free(in, 2 * c->n);
        mpvec_free(o512, c->nout);
        mpvec_free(s512, c->nout);
        mpvec_free(o2, 1);
        mpvec_free(t, 2);
    }
    return res;
}

/* The derivatives (gradient, HVP, H grad L) print and read back to the identical node too:
 * cor_expr_to_string promises this for every node.
 * This caught, in the first implementation, a SUM term c*X with X a product or quotient
 * printed as "c*X" without parentheses, which parses as a different (equal-valued) node:
 * "3*(1/x)" printed as "3*1/x", read back as 3/x, a DIV node; "-(1/300)*(a + b)*c" read back
 * with the coefficient distributed over a + b. */
static int
prop_roundtrip_derivs(rcase *c, char *why, size_t len)
{
    char name[32];
    size_t j;
    int res;

    for (j = 1; j < c->nout; j++)
        if ((res = roundtrip_same_pool(c, c->out[j], output_name(c, j, name, 32), why, len))
            != PASS)
            return res;
    return PASS;
}

/* ---- (e) H grad L = HVP(v = grad L) -----------------------------------------------------
 *
 * At 512 bits the two are different expressions of the same quantity, each with error
 * N 2^-512 times its scale; v = grad is itself rounded (2^-512 S_g), which moves the HVP by
 * at most |H| 2^-512 S_g, bounded by the HVP's scale (which contains |H_ij||v_j|) up to the
 * same factor. Accept 2^-480 (S_hv + S_hg). In double the same with 1e-12 (about 9000 u).
 */

static int
prop_hg(rcase *c, char *why, size_t len)
{
    double out[1 + 3 * NVAR_MAX], sc[1 + 3 * NVAR_MAX], g[NVAR_MAX];
    mpfr_t *in = mpvec_alloc(2 * c->n, 512);
    mpfr_t *o = mpvec_alloc(c->nout, 512), *s = mpvec_alloc(c->nout, 512);
    mpfr_t *t = mpvec_alloc(2, 512);
    int res = PASS;
    size_t i;

    case_point(c);
    for (i = 0; i < c->n; i++)
    {
        mpfr_set_d(in[i], c->px[i], MPFR_RNDN);
        mpfr_set_d(in[c->n + i], c->pv[i], MPFR_RNDN);
    }
    if (run_mpfr(c, 512, o, (const mpfr_t *)in, NULL) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    for (i = 0; i < c->n; i++)
        mpfr_set(in[c->n + i], o[G_OUT(c, i)], MPFR_RNDN);
    if (run_mpfr(c, 512, o, (const mpfr_t *)in, s) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    for (i = 0; i < c->n; i++)
    {
        mpfr_sub(t[0], o[HV_OUT(c, i)], o[HG_OUT(c, i)], MPFR_RNDN);
        mpfr_abs(t[0], t[0], MPFR_RNDN);
        mpfr_add(t[1], s[HV_OUT(c, i)], s[HG_OUT(c, i)], MPFR_RNDN);
        mpfr_mul_2si(t[1], t[1], -480, MPFR_RNDN);
        if (mpfr_cmp(t[0], t[1]) > 0)
        {
            mpfr_snprintf(why, len, "512 bits: hg[%zu] = %.40Rg but hv(v = grad)[%zu] = %.40Rg",
                          i, o[HG_OUT(c, i)], i, o[HV_OUT(c, i)]);
            res = FAIL;
            goto cleanup;
        }
    }

    /* double */
    if (run_d(c, c->px, c->pv, out, NULL) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    memcpy(g, &out[G_OUT(c, 0)], c->n * sizeof *g);
    if (run_d(c, c->px, g, out, sc) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    for (i = 0; i < c->n; i++)
    {
        double a = out[HV_OUT(c, i)], b = out[HG_OUT(c, i)];
        if (!(fabs(a - b) <= 1e-12 * (sc[HV_OUT(c, i)] + sc[HG_OUT(c, i)]) + DBL_MIN))
        {
            snprintf(why, len, "double: hg[%zu] = %.17g but hv(v = grad)[%zu] = %.17g", i, b, i,
                     a);
            res = FAIL;
            goto cleanup;
        }
    }

cleanup:
    mpvec_free(in, 2 * c->n);
    mpvec_free(o, c->nout);
    mpvec_free(s, c->nout);
    mpvec_free(t, 2);
    return res;
}

/* ---- Hessian: symmetric, and H v = HVP --------------------------------------------------
 *
 * Same error argument as for (e) at 512 bits: entries H_ij and H_ji are different
 * expressions of one number; sum_j H_ij v_j (summed here in 512-bit arithmetic) and the HVP
 * differ by rounding only. Tolerance 2^-480 times the sum of the scales involved.
 */

static int
prop_hessian(rcase *c, char *why, size_t len)
{
    size_t n = c->n, nn = n * n, i, j;
    cor_node *hess = malloc(nn * sizeof *hess);
    cor_tape *th = NULL;
    cor_eval_mpfr *wh = NULL;
    mpfr_t *in = mpvec_alloc(2 * n, 53), *o = mpvec_alloc(c->nout, 512);
    mpfr_t *so = mpvec_alloc(c->nout, 512);
    mpfr_t *h = mpvec_alloc(nn, 512), *sh = mpvec_alloc(nn, 512), *t = mpvec_alloc(4, 512);
    int res = PASS, rc;

    ck_assert_ptr_nonnull(hess);
    rc = cor_diff_hessian(hess, c->pool, c->out[F_OUT], &c->out[G_OUT(c, 0)], n, c->x);
    if (rc != COR_OK)
        case_fail(c, "cor_diff_hessian: %s", cor_status_name(rc));
    th = cor_tape_alloc(c->pool, n, c->x, nn, hess);
    if (th == NULL)
        case_fail(c, "cor_tape_alloc(hessian) failed");
    wh = cor_eval_mpfr_alloc(th, 512);
    ck_assert_ptr_nonnull(wh);

    case_point(c);
    for (i = 0; i < n; i++)
    {
        mpfr_set_d(in[i], c->px[i], MPFR_RNDN);
        mpfr_set_d(in[n + i], c->pv[i], MPFR_RNDN);
    }
    if (run_mpfr(c, 512, o, (const mpfr_t *)in, so) != COR_OK
        || cor_eval_mpfr_run(wh, h, (const mpfr_t *)in) != COR_OK)
    {
        res = SKIP;
        goto cleanup;
    }
    ck_assert_int_eq(cor_eval_mpfr_scale(wh, sh), COR_OK);
    for (i = 0; i < n && res == PASS; i++)
    {
        mpfr_set_zero(t[1], 1); /* sum_j H_ij v_j */
        mpfr_set(t[2], so[HV_OUT(c, i)], MPFR_RNDN);
        for (j = 0; j < n; j++)
        {
            mpfr_sub(t[0], h[i * n + j], h[j * n + i], MPFR_RNDN);
            mpfr_abs(t[0], t[0], MPFR_RNDN);
            mpfr_add(t[3], sh[i * n + j], sh[j * n + i], MPFR_RNDN);
            mpfr_mul_2si(t[3], t[3], -480, MPFR_RNDN);
            if (mpfr_cmp(t[0], t[3]) > 0)
            {
                mpfr_snprintf(why, len, "H[%zu][%zu] = %.40Rg but H[%zu][%zu] = %.40Rg", i, j,
                              h[i * n + j], j, i, h[j * n + i]);
                res = FAIL;
                break;
            }
            mpfr_fma(t[1], h[i * n + j], in[n + j], t[1], MPFR_RNDN);
            mpfr_mul_d(t[0], sh[i * n + j], fabs(c->pv[j]), MPFR_RNDN);
            mpfr_add(t[2], t[2], t[0], MPFR_RNDN);
        }
        if (res != PASS)
            break;
        mpfr_sub(t[0], t[1], o[HV_OUT(c, i)], MPFR_RNDN);
        mpfr_abs(t[0], t[0], MPFR_RNDN);
        mpfr_mul_2si(t[2], t[2], -480, MPFR_RNDN);
        if (mpfr_cmp(t[0], t[2]) > 0)
        {
            mpfr_snprintf(why, len, "(H v)[%zu] = %.40Rg but hv[%zu] = %.40Rg", i, t[1], i,
                          o[HV_OUT(c, i)]);
            res = FAIL;
        }
    }

cleanup:
    cor_eval_mpfr_free(wh);
    cor_tape_free(th);
    free(hess);
    mpvec_free(in, 2 * n);
    mpvec_free(o, c->nout);
    mpvec_free(so, c->nout);
    mpvec_free(h, nn);
    mpvec_free(sh, nn);
    mpvec_free(t, 4);
    return res;
}

/* ---- the slice runner ------------------------------------------------------------------ */

static void
run_slice(const char *pname, property prop, int slice)
{
    uint64_t seed = cor_test_seed();
    unsigned long ncases = (unsigned long)BASE_CASES * cor_test_multiplier();
    unsigned long lo = (unsigned long)slice * SLICE, hi = lo + SLICE, k;
    unsigned long done = 0, skipped = 0, retried = 0;
    const char *only = getenv("COR_RANDOM_EXPR_CASE");
    char why[4096];

    if (hi > ncases)
        hi = ncases;
    if (only != NULL)
    {
        unsigned long one = strtoul(only, NULL, 10);
        if (one < lo || one >= hi)
            return;
        lo = one;
        hi = one + 1;
    }
    fd_fallbacks = 0;
    for (k = lo; k < hi; k++)
    {
        rcase c;
        int attempt, res = PASS;

        case_init(&c, seed, k);
        for (attempt = 0; attempt <= KINK_RETRIES; attempt++)
        {
            why[0] = '\0';
            res = prop(&c, why, sizeof why);
            if (res != FAIL || !c.nonsmooth || attempt == KINK_RETRIES)
                break;
            retried++;
        }
        if (res == FAIL)
            case_fail(&c, "%s: %s%s", pname, why,
                      c.nonsmooth ? " (failed at every retried point)" : "");
        done++;
        if (res == SKIP)
            skipped++;
        case_clear(&c);
    }
    if (done == 0)
        return;
    fprintf(stderr, "check_random_expr %s cases %lu..%lu: checked %lu, skipped non-finite %lu, "
            "kink retries %lu, Richardson rescues %d\n", pname, lo, hi - 1, done - skipped,
            skipped, retried, fd_fallbacks);
    ck_assert_msg(skipped * 20 <= done, "%s: %lu of %lu cases non-finite (more than 5%%)", pname,
                  skipped, done);
}

START_TEST(test_fd)
{
    run_slice("fd", prop_fd, _i);
}
END_TEST

START_TEST(test_mpfr)
{
    run_slice("mpfr", prop_mpfr, _i);
}
END_TEST

START_TEST(test_roundtrip)
{
    run_slice("roundtrip", prop_roundtrip, _i);
}
END_TEST

START_TEST(test_scale)
{
    run_slice("scale", prop_scale, _i);
}
END_TEST

START_TEST(test_roundtrip_derivs)
{
    run_slice("roundtrip_derivs", prop_roundtrip_derivs, _i);
}
END_TEST

START_TEST(test_hg)
{
    run_slice("hg", prop_hg, _i);
}
END_TEST

START_TEST(test_hessian)
{
    run_slice("hessian", prop_hessian, _i);
}
END_TEST

/* The generator itself: deterministic, and the text parses (a broken generator would make
 * every other test vacuous). */
START_TEST(test_generator)
{
    uint64_t seed = cor_test_seed();
    unsigned long k;
    size_t total = 0;

    for (k = 0; k < 100; k++)
    {
        rcase a, b;
        case_init(&a, seed, k);
        case_init(&b, seed, k);
        ck_assert_str_eq(a.text, b.text);
        ck_assert_uint_eq(cor_expr_dag_size(a.pool, a.nout, a.out),
                          cor_expr_dag_size(b.pool, b.nout, b.out));
        total += strlen(a.text);
        case_clear(&a);
        case_clear(&b);
    }
    ck_assert_uint_gt(total, 100 * 5);
}
END_TEST

static Suite *
random_expr_suite(void)
{
    Suite *s = suite_create("random_expr");
    int slices = (int)((BASE_CASES * cor_test_multiplier() + SLICE - 1) / SLICE);
    struct
    {
        const char *name;
        const TTest *fn;
    } tc[] = {{"generator", NULL},
              {"fd", test_fd},
              {"mpfr", test_mpfr},
              {"scale", test_scale},
              {"roundtrip", test_roundtrip},
              {"roundtrip_derivs", test_roundtrip_derivs},
              {"hg", test_hg},
              {"hessian", test_hessian}};
    size_t i;

    for (i = 0; i < sizeof tc / sizeof tc[0]; i++)
    {
        TCase *t = tcase_create(tc[i].name);
        if (tc[i].fn == NULL)
            tcase_add_test(t, test_generator);
        else
            tcase_add_loop_test(t, tc[i].fn, 0, slices);
        suite_add_tcase(s, t);
    }
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(random_expr_suite());
    int nfail;

    (void)cor_test_seed();
    srunner_run_all(sr, CK_NORMAL);
    nfail = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
