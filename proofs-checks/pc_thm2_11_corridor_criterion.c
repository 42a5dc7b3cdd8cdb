/* pc_thm2_11_corridor_criterion.c -- Theorem 2.11 (corridor criterion) on Examples 2.2-2.7.
 *
 * Statement (Dherin & Rosca 2024, "Corridor Geometry in Gradient-Based Optimization",
 * arXiv 2402.08818, Theorem 2.11; PREDICTIONS.md P1): let L be twice differentiable and Omega
 * a domain without critical points. Omega is a corridor (the gradient-flow lines in Omega are
 * straight lines travelled at constant speed) iff H(theta) grad L(theta) = 0 on Omega.
 *
 * Since H grad L = grad(|grad L|^2 / 2), a region is a corridor iff |grad L| is locally
 * constant there (an eikonal equation): distance functions (to a point, a line, a circle)
 * and their gluings by min/max (away from the gluing lines) are corridors.
 *
 * What is checked (label NUMERICAL: MPFR round-to-nearest, first-order error bound):
 *  1. Corridor examples: Hg = H grad L, built symbolically (cor_diff_hg) and evaluated by an
 *     MPFR tape at random points, satisfies |Hg_i| <= 2^(16-prec) scale_i for every
 *     component i, where scale_i is the magnitude of the same expression (cor_eval_mpfr_scale)
 *     and 2^-prec scale_i is the first-order rounding-error bound of the computed value
 *     (doc/proofs/thm2_11.md). Examples: linear <a,theta> + c (Ex. 2.2, n = 2, 5); convex
 *     cones |theta| and |theta - c| (Ex. 2.3, n = 2, 3, 5); concave cones -|theta| (Ex. 2.4,
 *     n = 2, 3, 5); ruled surfaces |P theta| + <a,theta> with P an orthogonal projector and
 *     Pa = 0 (Ex. 2.5, n = 2, 3, 4); the distance to a circle outside (convex) and inside
 *     (concave: a wavy cone); the glued surface of Figure 1b (Ex. 2.6) away from its gluing
 *     lines; and the lower-dimensional cases of P1/P10 (an anisotropic cone on the rays along
 *     the eigenvectors of S, 0.5 x^2 + y on the line x = 0).
 *  2. Controls (the converse direction): on non-corridors (Ex. 2.7: 0.5(x^2 + 10 y^2); the
 *     Rosenbrock-like 0.5(1-x)^2 + 5(y-x^2)^2; the anisotropic cone sqrt(x^2 + 9 y^2) off
 *     its eigen-rays) the same test must reject every point: max_i |Hg_i| / (2^-prec
 *     scale_i) > 2^16. This shows the threshold discriminates.
 *  3. Reference values (P1): |Hg| at the listed points agrees with exact references to at
 *     least floor(prec log10 2) - 17 digits (60 digits at 256 bits):
 *       0.5*(x^2+10*y^2) at (1,1):            Hg = (1, 100),            |Hg| = sqrt(10001)
 *       0.5*(1-x)^2+5*(y-x^2)^2 at (-1.2,1):  Hg = (-120703/125, -8756/25)
 *       sqrt(x^2+9*y^2) at (1,1):             Hg = (-18/25, 18/25),     |Hg| = 18 sqrt(2)/25
 *     References are computed from the exact rationals in MPFR at prec + 64 bits.
 *  The line check of Definition 2.1 (the flow lines are straight) belongs to the flow checks.
 *
 * Grid: random points with coordinates k/1024, k uniform in [-4096, 4096] (exact dyadic
 * decimals, so every precision reads the same point), from splitmix64 with --seed; points
 * closer than 1/8 to a singular set (apex, circle, centre, crease, gluing line) are redrawn.
 * Quick (make check, < 5 s): 6 points per case at prec (default 256) and 1024 bits. Full
 * (--full or COR_PC_FULL=1): 512 points per case at 53, 113, prec, 1024 and 4096 bits.
 *
 * Tolerance: corridor iff |Hg_i| <= 2^(16-prec) scale_i for all i; margin column = bits to
 * spare (16 - log2 of the worst |Hg_i| / (2^-prec scale_i)); reference rows: margin =
 * digits to spare.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_sys.h"
#include "pclib.h"

#define MAXN 5
#define MARGIN_BITS 16
#define COORD_EXP 10     /* coordinates k / 2^10 */
#define COORD_KMAX 4096  /* |k| <= 4096: the box [-4, 4]^n */
#define DELTA 0.125      /* minimal distance to a singular set */
#define MAX_TRIES 100000

/* The glued surface of Figure 1b; the same formula as experiments/exp_fig1.c (there in x, y).
 * Every piece is a corridor: a convex cone, a distance to a circle (a ring trough with a
 * concave cone inside), a ruled piece |P theta| + <a, theta> (Pa = 0), a plane and a concave
 * cone (hill); min and max glue them. */
#define FIG1B_CONE "0.9*sqrt((x1+1.5)^2+(x2+1.5)^2)"
#define FIG1B_RING "1.1*abs(sqrt((x1-2)^2+(x2+1.8)^2)-1)+0.7"
#define FIG1B_RULED "0.5*abs(0.8*x1-0.6*x2+2)+0.18*x1+0.24*x2+0.5"
#define FIG1B_PLANE "0.15*x1+0.1*x2+2"
#define FIG1B_HILL "4-1.2*sqrt((x1-1.5)^2+(x2-2.2)^2)"
#define FIG1B_EXPR                                                                      \
    "min(min(" FIG1B_CONE "," FIG1B_RING "),max(max(" FIG1B_PLANE "," FIG1B_RULED "),"  \
    FIG1B_HILL "))"

typedef enum
{
    DOM_ALL,        /* no singular set */
    DOM_POINT,      /* |theta - c| >= DELTA */
    DOM_CIRCLE_OUT, /* rho = |theta - c| >= R + DELTA */
    DOM_CIRCLE_IN,  /* DELTA <= rho <= R - DELTA */
    DOM_RULED2,     /* |0.6 x1 - 0.8 x2| >= DELTA */
    DOM_RULED3,     /* |P theta| >= DELTA, P = I - u u^T, u = (1,2,2)/3 */
    DOM_RULED4,     /* |P theta| >= DELTA, P onto span{(1,1,1,1)/2, (1,-1,1,-1)/2} */
    DOM_FIG1B,      /* away from the gluing lines and the pieces' singular sets */
    DOM_EIGENRAY,   /* points on the axes: (t, 0) or (0, t), |t| >= DELTA */
    DOM_LINE_X0,    /* points on x1 = 0 */
    DOM_OFF_AXES    /* |x1|, |x2| >= DELTA (controls) */
} domain_kind;

typedef struct
{
    char name[48];
    char expr[1024];
    size_t n;
    domain_kind dom;
    double c[MAXN];  /* centre, where the domain has one */
    double radius;
    int control;     /* 1: not a corridor, the test must reject every point */
} pc_case;

/* ---- the cases ------------------------------------------------------------------------- */

static const char *const centre_txt[MAXN] = {"0.3", "-1.7", "0.25", "2.5", "-0.6"};

/* "sqrt((x1-c1)^2+...)" with c the given decimal texts (NULL: centred at 0). */
static void
norm_expr(char *buf, size_t size, size_t n, const char *const *c)
{
    size_t i;
    size_t pos = (size_t)snprintf(buf, size, "sqrt(");

    for (i = 0; i < n; i++)
    {
        if (c == NULL)
            pos += (size_t)snprintf(buf + pos, size - pos, "%sx%zu^2", i ? "+" : "", i + 1);
        else
            pos += (size_t)snprintf(buf + pos, size - pos, "%s(x%zu-(%s))^2", i ? "+" : "",
                                    i + 1, c[i]);
    }
    snprintf(buf + pos, size - pos, ")");
}

static size_t
build_cases(pc_case *cs)
{
    size_t k = 0;
    size_t i;
    static const size_t dims[3] = {2, 3, 5};
    char tmp[48];

#define ADD(NAME, N, DOM) \
    (memset(&cs[k], 0, sizeof cs[k]), snprintf(cs[k].name, sizeof cs[k].name, "%.47s", NAME), \
     cs[k].n = (N), cs[k].dom = (DOM), &cs[k++])

    /* Ex. 2.2: linear pieces */
    snprintf(ADD("linear n=2", 2, DOM_ALL)->expr, sizeof cs[0].expr, "3*x1-2*x2+5");
    snprintf(ADD("linear n=5", 5, DOM_ALL)->expr, sizeof cs[0].expr,
             "0.5*x1-1.25*x2+2*x3+x4-3*x5+7");
    /* Ex. 2.3: convex cones, centred and shifted */
    for (i = 0; i < 3; i++)
    {
        pc_case *c;

        snprintf(tmp, sizeof tmp, "cone |theta| n=%zu", dims[i]);
        c = ADD(tmp, dims[i], DOM_POINT);
        norm_expr(c->expr, sizeof c->expr, dims[i], NULL);
    }
    for (i = 0; i < 3; i++)
    {
        pc_case *c;
        size_t j;

        snprintf(tmp, sizeof tmp, "cone |theta-c| n=%zu", dims[i]);
        c = ADD(tmp, dims[i], DOM_POINT);
        norm_expr(c->expr, sizeof c->expr, dims[i], centre_txt);
        for (j = 0; j < dims[i]; j++)
            c->c[j] = strtod(centre_txt[j], NULL);
    }
    /* Ex. 2.4: concave cones */
    for (i = 0; i < 3; i++)
    {
        pc_case *c;

        snprintf(tmp, sizeof tmp, "concave cone -|theta| n=%zu", dims[i]);
        c = ADD(tmp, dims[i], DOM_POINT);
        c->expr[0] = '-';
        norm_expr(c->expr + 1, sizeof c->expr - 1, dims[i], NULL);
    }
    /* Ex. 2.5: ruled surfaces |P theta| + <a, theta>, Pa = 0 */
    snprintf(ADD("ruled |Ptheta|+<a,theta> n=2", 2, DOM_RULED2)->expr, sizeof cs[0].expr,
             "abs(0.6*x1-0.8*x2)+0.8*x1+0.6*x2");
    snprintf(ADD("ruled |Ptheta|+<a,theta> n=3", 3, DOM_RULED3)->expr, sizeof cs[0].expr,
             "sqrt(x1^2+x2^2+x3^2-((x1+2*x2+2*x3)/3)^2)+(2*x1+4*x2+4*x3)/3");
    snprintf(ADD("ruled |Ptheta|+<a,theta> n=4", 4, DOM_RULED4)->expr, sizeof cs[0].expr,
             "0.5*sqrt((x1+x2+x3+x4)^2+(x1-x2+x3-x4)^2)+x1-x3+0.5*x2-0.5*x4");
    /* distance to a circle: convex outside, concave inside (a wavy cone) */
    {
        pc_case *c = ADD("circle distance outside", 2, DOM_CIRCLE_OUT);

        snprintf(c->expr, sizeof c->expr, "abs(sqrt((x1-0.5)^2+(x2+0.25)^2)-1.5)");
        c->c[0] = 0.5;
        c->c[1] = -0.25;
        c->radius = 1.5;
        cs[k] = *c;
        snprintf(cs[k].name, sizeof cs[k].name, "circle distance inside");
        cs[k].dom = DOM_CIRCLE_IN;
        k++;
    }
    /* Ex. 2.6: the glued surface of Figure 1b */
    snprintf(ADD("glued surface (Fig. 1b)", 2, DOM_FIG1B)->expr, sizeof cs[0].expr, "%s",
             FIG1B_EXPR);
    /* P1: the anisotropic cone is a corridor on the eigen-rays of S only */
    snprintf(ADD("anisotropic cone on eigen-rays", 2, DOM_EIGENRAY)->expr, sizeof cs[0].expr,
             "sqrt(x1^2+9*x2^2)");
    /* P10: singular quadratic, lower-dimensional corridor x1 = 0 */
    snprintf(ADD("0.5*x1^2+x2 on x1=0 (P10)", 2, DOM_LINE_X0)->expr, sizeof cs[0].expr,
             "0.5*x1^2+x2");

    /* controls: not corridors */
    snprintf(ADD("control: 0.5*(x^2+10*y^2)", 2, DOM_POINT)->expr, sizeof cs[0].expr,
             "0.5*(x1^2+10*x2^2)");
    cs[k - 1].control = 1;
    snprintf(ADD("control: 0.5*(1-x)^2+5*(y-x^2)^2", 2, DOM_ALL)->expr, sizeof cs[0].expr,
             "0.5*(1-x1)^2+5*(x2-x1^2)^2");
    cs[k - 1].control = 1;
    snprintf(ADD("control: sqrt(x^2+9*y^2) off axes", 2, DOM_OFF_AXES)->expr, sizeof cs[0].expr,
             "sqrt(x1^2+9*x2^2)");
    cs[k - 1].control = 1;
#undef ADD
    return k;
}

/* ---- domains ---------------------------------------------------------------------------- */

static double
dist_point(const double *t, const double *c, size_t n)
{
    double s = 0;
    size_t i;

    for (i = 0; i < n; i++)
        s += (t[i] - c[i]) * (t[i] - c[i]);
    return sqrt(s);
}

static double
dmin(double a, double b)
{
    return a < b ? a : b;
}

/* Figure 1b: every min/max along the active chain must be decided by a margin >= DELTA
 * (in loss units: a distance >= DELTA / (sum of the two slopes) from the gluing line), and the
 * point must be DELTA away from the active piece's own singular set. */
static int
fig1b_ok(const double *t)
{
    double x = t[0];
    double y = t[1];
    double rc = sqrt((x + 1.5) * (x + 1.5) + (y + 1.5) * (y + 1.5));
    double rr = sqrt((x - 2) * (x - 2) + (y + 1.8) * (y + 1.8));
    double rh = sqrt((x - 1.5) * (x - 1.5) + (y - 2.2) * (y - 2.2));
    double lin = 0.8 * x - 0.6 * y + 2;
    double cone = 0.9 * rc;
    double ring = 1.1 * fabs(rr - 1) + 0.7;
    double ruled = 0.5 * fabs(lin) + 0.18 * x + 0.24 * y + 0.5;
    double plane = 0.15 * x + 0.1 * y + 2;
    double hill = 4 - 1.2 * rh;
    double a = dmin(cone, ring);
    double pr = plane > ruled ? plane : ruled;
    double b = pr > hill ? pr : hill;

    if (fabs(a - b) < DELTA)
        return 0;
    if (a < b)
    {
        if (fabs(cone - ring) < DELTA)
            return 0;
        if (cone < ring)
            return rc >= DELTA;
        return rr >= DELTA && fabs(rr - 1) >= DELTA;
    }
    if (fabs(pr - hill) < DELTA)
        return 0;
    if (hill > pr)
        return rh >= DELTA;
    if (fabs(plane - ruled) < DELTA)
        return 0;
    return plane > ruled || fabs(lin) >= DELTA;
}

static int
in_domain(const pc_case *c, const double *t)
{
    double r;
    double s;

    switch (c->dom)
    {
    case DOM_ALL:
        return 1;
    case DOM_POINT:
        return dist_point(t, c->c, c->n) >= DELTA;
    case DOM_CIRCLE_OUT:
        return dist_point(t, c->c, c->n) >= c->radius + DELTA;
    case DOM_CIRCLE_IN:
        r = dist_point(t, c->c, c->n);
        return r >= DELTA && r <= c->radius - DELTA;
    case DOM_RULED2:
        return fabs(0.6 * t[0] - 0.8 * t[1]) >= DELTA;
    case DOM_RULED3:
        s = (t[0] + 2 * t[1] + 2 * t[2]) / 3;
        r = t[0] * t[0] + t[1] * t[1] + t[2] * t[2] - s * s;
        return r >= DELTA * DELTA;
    case DOM_RULED4:
        s = t[0] + t[1] + t[2] + t[3];
        r = t[0] - t[1] + t[2] - t[3];
        return 0.5 * sqrt(s * s + r * r) >= DELTA;
    case DOM_FIG1B:
        return fig1b_ok(t);
    case DOM_EIGENRAY:
        return (t[0] == 0 || t[1] == 0) && fabs(t[0] + t[1]) >= DELTA;
    case DOM_LINE_X0:
        return t[0] == 0;
    case DOM_OFF_AXES:
        return fabs(t[0]) >= DELTA && fabs(t[1]) >= DELTA;
    }
    return 0;
}

/* A random point of the case's domain: k / 2^10 coordinates; for the lower-dimensional
 * domains (eigen-rays, x1 = 0) the other coordinates are set to zero. */
static int
draw_point(int64_t *k, double *t, const pc_case *c, cor_pc_rng *rng)
{
    int tries;
    size_t i;

    for (tries = 0; tries < MAX_TRIES; tries++)
    {
        for (i = 0; i < c->n; i++)
            k[i] = cor_pc_rng_int(rng, -COORD_KMAX, COORD_KMAX);
        if (c->dom == DOM_EIGENRAY)
            k[cor_pc_rng_next(rng) & 1] = 0;
        else if (c->dom == DOM_LINE_X0)
            k[0] = 0;
        for (i = 0; i < c->n; i++)
            t[i] = ldexp((double)k[i], -COORD_EXP);
        if (in_domain(c, t))
            return 1;
    }
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------------ */

/* A compiled case: outputs L, grad (n), Hg (n). */
typedef struct
{
    cor_expr_pool *pool;
    cor_tape *tape;
    size_t n;
} compiled;

static void
compiled_clear(compiled *cc)
{
    cor_tape_free(cc->tape);
    cor_expr_pool_free(cc->pool);
    cc->tape = NULL;
    cc->pool = NULL;
}

/* Parses expr in the variables names[0..n) and compiles (L, grad, Hg). */
static int
compile_case(compiled *cc, const char *expr, size_t n, const char *const *names)
{
    cor_node vars[MAXN];
    cor_node out[1 + 2 * MAXN];
    cor_node f;
    size_t col = 0;
    size_t i;
    int st;

    memset(cc, 0, sizeof *cc);
    cc->n = n;
    cc->pool = cor_expr_pool_alloc();
    if (cc->pool == NULL)
        return cor_last_error()->code;
    for (i = 0; i < n; i++)
    {
        vars[i] = cor_expr_var(cc->pool, names[i]);
        if (vars[i] == COR_NODE_NONE)
            return cor_last_error()->code;
    }
    st = cor_expr_parse(&f, &col, expr, COR_PARSE_KNOWN_VARS, cc->pool);
    if (st != COR_OK)
    {
        fprintf(stderr, "cannot parse '%s' (column %zu)\n", expr, col);
        return st;
    }
    out[0] = f;
    st = cor_diff_grad(out + 1, cc->pool, f, n, vars);
    if (st != COR_OK)
        return st;
    st = cor_diff_hg(out + 1 + n, cc->pool, f, out + 1, n, vars);
    if (st != COR_OK)
        return st;
    cc->tape = cor_tape_alloc(cc->pool, n, vars, 1 + 2 * n, out);
    if (cc->tape == NULL)
        return cor_last_error()->code;
    return COR_OK;
}

/* log2 |x| for a nonzero finite x (no overflow at any exponent). */
static double
log2_abs(const mpfr_t x)
{
    long e;
    double m = mpfr_get_d_2exp(&e, x, MPFR_RNDN);

    return (double)e + log2(fabs(m));
}

/* Worst log2(|Hg_i| / (2^-prec scale_i)) over the components of the last run: -inf when
 * every Hg_i is exactly 0, +inf when some Hg_i != 0 has scale 0. For controls (want_max = 0)
 * the best component (largest ratio) is what matters, and it is also what is returned: the
 * point is rejected as a corridor iff some component exceeds the threshold, so the maximum
 * over components is the right statistic in both directions. */
static double
worst_ratio_log2(mpfr_t *out, mpfr_t *scale, size_t n, mpfr_prec_t prec)
{
    double worst = -INFINITY;
    size_t i;

    for (i = 0; i < n; i++)
    {
        mpfr_t *hg = &out[1 + n + i];
        mpfr_t *sc = &scale[1 + n + i];
        double r;

        if (mpfr_zero_p(*hg))
            continue;
        if (mpfr_zero_p(*sc))
            return INFINITY;
        r = log2_abs(*hg) + (double)prec - log2_abs(*sc);
        if (r > worst)
            worst = r;
    }
    return worst;
}

static void
fmt_ratio(char *buf, size_t size, double lr)
{
    if (lr == -INFINITY)
        snprintf(buf, size, "0");
    else if (lr > 1000 || lr < -1000)
        snprintf(buf, size, "2^%.1f", lr);
    else
        snprintf(buf, size, "%.3g", exp2(lr));
}

/* Runs one case at one precision over npts points; writes one row. Returns COR_OK or an
 * error status (hard error). *worst_corr collects the worst corridor ratio (log2). */
static int
run_case(cor_pc *pc, const pc_case *c, const compiled *cc, mpfr_prec_t prec, int npts,
         double *worst_corr, double *best_ctrl)
{
    cor_eval_mpfr *w = NULL;
    mpfr_t out[1 + 2 * MAXN];
    mpfr_t scale[1 + 2 * MAXN];
    char txt[MAXN][96];
    const char *in[MAXN];
    char name[96];
    char pred[32];
    char meas[48];
    char marg[32];
    cor_pc_rng rng;
    size_t nout = 1 + 2 * c->n;
    size_t i;
    int p;
    int st = COR_OK;
    double stat;
    int holds;

    /* the same points at every precision: seed from the run seed and the case */
    cor_pc_rng_seed(&rng, cor_pc_seed(pc));
    for (i = 0; c->name[i] != '\0'; i++)
        rng.s = rng.s * 1099511628211u + (unsigned char)c->name[i];

    for (i = 0; i < nout; i++)
    {
        mpfr_init2(out[i], prec);
        mpfr_init2(scale[i], prec);
    }
    w = cor_eval_mpfr_alloc(cc->tape, prec);
    if (w == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    /* controls: the smallest (over points) of the largest component ratio; corridors: the
     * largest over points and components */
    stat = c->control ? INFINITY : -INFINITY;
    for (p = 0; p < npts; p++)
    {
        int64_t k[MAXN];
        double t[MAXN];
        double lr;

        if (!draw_point(k, t, c, &rng))
        {
            st = COR_ERROR(COR_ESANITY, "%s: no point found in the domain", c->name);
            goto cleanup;
        }
        for (i = 0; i < c->n; i++)
        {
            in[i] = cor_pc_dyadic_str(txt[i], sizeof txt[i], k[i], COORD_EXP);
        }
        st = cor_eval_mpfr_run_str(w, out, in);
        if (st != COR_OK)
        {
            st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY,
                           "%s: evaluation at point %d gave %s", c->name, p,
                           cor_status_name(st));
            goto cleanup;
        }
        st = cor_eval_mpfr_scale(w, scale);
        if (st != COR_OK)
            goto cleanup;
        lr = worst_ratio_log2(out, scale, c->n, prec);
        if (cor_pc_verbose(pc))
        {
            size_t j;

            fprintf(stderr, "  %s @%ld (", c->name, (long)prec);
            for (j = 0; j < c->n; j++)
                fprintf(stderr, "%s%s", j ? "," : "", in[j]);
            mpfr_fprintf(stderr, "): L=%.10Rg |Hg|/(u scale) = 2^%.2f\n", out[0], lr);
        }
        if (c->control ? lr < stat : lr > stat)
            stat = lr;
    }

    snprintf(name, sizeof name, "%.47s @%ld", c->name, (long)prec);
    fmt_ratio(meas, sizeof meas, stat);
    if (c->control)
    {
        snprintf(pred, sizeof pred, "> 2^%d", MARGIN_BITS);
        holds = stat > MARGIN_BITS;
        snprintf(marg, sizeof marg, "%.1f", stat - MARGIN_BITS);
        if (stat < *best_ctrl)
            *best_ctrl = stat;
    }
    else
    {
        snprintf(pred, sizeof pred, "<= 2^%d", MARGIN_BITS);
        holds = stat <= MARGIN_BITS;
        if (stat == -INFINITY)
            snprintf(marg, sizeof marg, "inf");
        else
            snprintf(marg, sizeof marg, "%.1f", MARGIN_BITS - stat);
        if (stat > *worst_corr)
            *worst_corr = stat;
    }
    cor_pc_row(pc, name, pred, meas, marg, holds);
    st = COR_OK;

cleanup:
    cor_eval_mpfr_free(w);
    for (i = 0; i < nout; i++)
    {
        mpfr_clear(out[i]);
        mpfr_clear(scale[i]);
    }
    return st;
}

/* ---- reference values (P1) --------------------------------------------------------------- */

typedef struct
{
    const char *name;
    const char *expr;
    const char *at[2];
    long num[2]; /* Hg = (num[0]/den[0], num[1]/den[1]) exactly */
    long den[2];
} ref_case;

static const ref_case ref_cases[] = {
    {"P1 |Hg| 0.5*(x^2+10*y^2) at (1,1)", "0.5*(x^2+10*y^2)", {"1", "1"},
     {1, 100}, {1, 1}},
    {"P1 |Hg| 0.5*(1-x)^2+5*(y-x^2)^2 at (-1.2,1)", "0.5*(1-x)^2+5*(y-x^2)^2", {"-1.2", "1"},
     {-120703, -8756}, {125, 25}},
    {"P1 |Hg| sqrt(x^2+9*y^2) at (1,1)", "sqrt(x^2+9*y^2)", {"1", "1"},
     {-18, 18}, {25, 25}},
};

/* Computes |Hg| at prec and compares Hg_1, Hg_2 and |Hg| with the exact values (references
 * rounded from the exact rationals at prec + 64 bits). */
static int
run_ref(cor_pc *pc, const ref_case *r, mpfr_prec_t prec, double *min_digits)
{
    static const char *const names[2] = {"x", "y"};
    compiled cc;
    cor_eval_mpfr *w = NULL;
    mpfr_t out[5];
    mpfr_t ref[3];
    mpfr_t norm;
    mpq_t q;
    char pred[80];
    char meas[80];
    char marg[32];
    double need = floor((double)prec * log10(2.0)) - 17;
    double dig = INFINITY;
    size_t i;
    int st;

    for (i = 0; i < 5; i++)
        mpfr_init2(out[i], prec);
    for (i = 0; i < 3; i++)
        mpfr_init2(ref[i], prec + 64);
    mpfr_init2(norm, prec);
    mpq_init(q);

    st = compile_case(&cc, r->expr, 2, names);
    if (st != COR_OK)
        goto cleanup;
    w = cor_eval_mpfr_alloc(cc.tape, prec);
    if (w == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    st = cor_eval_mpfr_run_str(w, out, r->at);
    if (st != COR_OK)
    {
        st = COR_ERROR(cor_status_is_error(st) ? st : COR_ESANITY, "%s: evaluation gave %s",
                       r->name, cor_status_name(st));
        goto cleanup;
    }
    /* exact references: Hg_i = num_i / den_i, |Hg| = sqrt(Hg_1^2 + Hg_2^2) */
    for (i = 0; i < 2; i++)
    {
        mpq_set_si(q, r->num[i], (unsigned long)r->den[i]);
        mpq_canonicalize(q);
        mpfr_set_q(ref[i], q, MPFR_RNDN);
    }
    {
        mpq_t a;
        mpq_t b;

        mpq_init(a);
        mpq_init(b);
        mpq_set_si(a, r->num[0], (unsigned long)r->den[0]);
        mpq_canonicalize(a);
        mpq_mul(a, a, a);
        mpq_set_si(b, r->num[1], (unsigned long)r->den[1]);
        mpq_canonicalize(b);
        mpq_mul(b, b, b);
        mpq_add(a, a, b);            /* |Hg|^2 exactly */
        mpfr_set_q(ref[2], a, MPFR_RNDN);
        mpfr_sqrt(ref[2], ref[2], MPFR_RNDN);
        mpq_clear(a);
        mpq_clear(b);
    }
    mpfr_hypot(norm, out[3], out[4], MPFR_RNDN);
    for (i = 0; i < 2; i++)
        dig = fmin(dig, cor_pc_digits_agree(out[3 + i], ref[i]));
    dig = fmin(dig, cor_pc_digits_agree(norm, ref[2]));
    if (dig < *min_digits)
        *min_digits = dig;

    cor_pc_fmt_mpfr(pred, sizeof pred, ref[2], 40);
    cor_pc_fmt_mpfr(meas, sizeof meas, norm, 40);
    if (isinf(dig))
        snprintf(marg, sizeof marg, "inf");
    else
        snprintf(marg, sizeof marg, "%.1f", dig - need);
    {
        char name[96];

        snprintf(name, sizeof name, "%s @%ld", r->name, (long)prec);
        cor_pc_row(pc, name, pred, meas, marg, dig >= need);
    }
    st = COR_OK;

cleanup:
    cor_eval_mpfr_free(w);
    compiled_clear(&cc);
    for (i = 0; i < 5; i++)
        mpfr_clear(out[i]);
    for (i = 0; i < 3; i++)
        mpfr_clear(ref[i]);
    mpfr_clear(norm);
    mpq_clear(q);
    return st;
}

/* ---- main ---------------------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    static const cor_pc_info info = {
        "Thm 2.11",
        "Dherin & Rosca 2024, Corridor Geometry in Gradient-Based Optimization, "
        "arXiv 2402.08818, Thm 2.11 with Ex. 2.2-2.7 (PREDICTIONS.md P1, P10)",
        "NUMERICAL",
        "corridor iff |Hg_i| <= 2^(16-prec) scale_i (scale from cor_eval_mpfr_scale); "
        "reference |Hg| to floor(prec log10 2) - 17 digits",
        "Checks H grad L = 0 (up to the first-order rounding bound) on the corridor examples\n"
        "2.2-2.6 at random points, that the same test rejects the non-corridors of Ex. 2.7\n"
        "and P1, and the P1 reference values of |H grad L|. See doc/proofs/thm2_11.md.",
        256
    };
    static const char *const xnames[MAXN] = {"x1", "x2", "x3", "x4", "x5"};
    pc_case cases[40];
    mpfr_prec_t precs[6];
    size_t nprec = 0;
    size_t ncases;
    size_t i;
    size_t j;
    cor_pc *pc;
    int rc;
    int npts;
    double worst_corr = -INFINITY;
    double best_ctrl = INFINITY;
    double min_digits = INFINITY;
    char pred[160];
    char meas[160];
    char wbuf[48];
    char cbuf[48];

    if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
        return rc;

    npts = cor_pc_full(pc) ? 512 : 6;
    nprec = cor_pc_prec_grid(pc, precs);

    ncases = build_cases(cases);
    cor_pc_meta(pc, "points_per_case", "%d", npts);
    cor_pc_meta(pc, "coordinates", "k/2^%d, k uniform in [-%d, %d] (splitmix64), exact",
                COORD_EXP, COORD_KMAX, COORD_KMAX);
    cor_pc_meta(pc, "singular_distance", "%g (points closer to an apex, circle, crease or "
                "gluing line are redrawn)", DELTA);
    {
        char plist[96];
        size_t pos = 0;

        for (i = 0; i < nprec; i++)
            pos += (size_t)snprintf(plist + pos, sizeof plist - pos, "%s%ld", i ? "," : "",
                                    (long)precs[i]);
        cor_pc_meta(pc, "precisions", "%s", plist);
    }
    cor_pc_meta(pc, "fig1b_surface", "%s", FIG1B_EXPR);
    cor_pc_meta(pc, "columns", "corridor rows: measured = max over points and i of "
                "|Hg_i|/(2^-prec scale_i), margin = bits to spare; control rows: measured = "
                "min over points of max_i |Hg_i|/(2^-prec scale_i), margin = log2 of it - 16; "
                "reference rows: |Hg| to 40 digits, margin = digits beyond the requirement");

    for (i = 0; i < ncases; i++)
    {
        compiled cc;
        int st = compile_case(&cc, cases[i].expr, cases[i].n, xnames);

        if (st != COR_OK)
        {
            compiled_clear(&cc);
            return cor_pc_abort(pc, "%s: cannot build '%s': %s", cases[i].name, cases[i].expr,
                                cor_strerror(st));
        }
        for (j = 0; j < nprec; j++)
        {
            st = run_case(pc, &cases[i], &cc, precs[j], npts, &worst_corr, &best_ctrl);
            if (st != COR_OK)
            {
                compiled_clear(&cc);
                return cor_pc_abort(pc, "%s: %s", cases[i].name, cor_strerror(st));
            }
        }
        compiled_clear(&cc);
    }
    for (i = 0; i < sizeof ref_cases / sizeof ref_cases[0]; i++)
    {
        int st = run_ref(pc, &ref_cases[i], cor_pc_prec(pc), &min_digits);

        if (st != COR_OK)
            return cor_pc_abort(pc, "%s: %s", ref_cases[i].name, cor_strerror(st));
    }

    fmt_ratio(wbuf, sizeof wbuf, worst_corr);
    fmt_ratio(cbuf, sizeof cbuf, best_ctrl);
    snprintf(pred, sizeof pred,
             "Hg=0 on corridors (|Hg_i|<=2^16 u scale_i); controls rejected; "
             "P1 |Hg| to %.0f digits", floor((double)cor_pc_prec(pc) * log10(2.0)) - 17);
    snprintf(meas, sizeof meas,
             "corridors max %s u scale; controls min %s u scale; P1 digits %.1f", wbuf, cbuf,
             min_digits);
    return cor_pc_finish(pc, pred, meas);
}
