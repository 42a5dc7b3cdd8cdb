/* check_zoo.c -- every loss-zoo family: gradients and Hessian-vector products in double
 * against 512-bit MPFR and against centred finite differences.
 *
 * Claim (issue 2, "must hold"): for every zoo family, at points away from kinks, the double
 * gradient and HVP agree with the 512-bit MPFR values to 1e-13 relative, and with centred
 * finite differences in double.
 *
 * Families: every name of cor_loss_families() (so a new family cannot be forgotten), built
 * from its defaults (a data family, which has no default data, gets file=CSV with a small
 * seeded data set written here), plus the non-default specs of `extra_specs`. For each loss L
 * with variables theta (n of them), one tape computes L, g = grad L and hv = H v (built by
 * cor_diff_hvp with a fresh direction vector v of variables), at NPOINTS seeded points theta
 * uniform in [-1.5, 1.5]^n and directions v uniform in [-1, 1]^n.
 *
 * (1) double vs 512 bits, normwise: ||g_d - g_512||_inf <= 1e-13 max(||g_512||_inf, TINY) and
 *     the same for hv, where TINY = 1e-300 is the stated scale below which a vector counts as
 *     zero (only the zero HVP of the linear family gets there, and it is exactly 0 in both).
 *     The inputs are the same doubles (converted exactly), so this measures the rounding error
 *     of the double evaluation alone. Componentwise, |g_d,j - g_512,j| <= 1e-13 S_j with S_j
 *     the 512-bit evaluation scale of component j (cor_eval_mpfr_scale), which bounds the
 *     error of near-zero components that come from cancellation.
 * (2) centred differences in double, step h_j = eps^(1/3) max(1, |theta_j|) (eps = 2^-52,
 *     eps^(1/3) = 6.06e-6; the step actually taken is (theta_j + h) - (theta_j - h)):
 *       D_j = (L(theta + h e_j) - L(theta - h e_j)) / (2h)  against g_j,
 *       D_v = (g(theta + h v) - g(theta - h v)) / (2h)      against hv (h = eps^(1/3)).
 *     Error of a centred difference: truncation h^2/6 |f'''| (f''' at an intermediate point)
 *     plus rounding: each value has absolute error at most about eps S (S its double
 *     evaluation scale, cor_eval_d_scale), so the quotient errs by at most eps S / h. The
 *     tolerance is twice that bound:
 *       tol = 2 (h^2/6 |T3| + 4 eps S / h),
 *     with T3 the third derivative along the stencil, d^3 L/d theta_j^3 = d/dt hv_j(theta + t
 *     e_j; v = e_j) for the gradient and d^2/dt^2 hv(theta + t v) for the HVP, estimated by
 *     centred differences of the exact HVP at 512 bits with step 1e-3 (its own error,
 *     O(1e-6) relative for these analytic functions, is covered by the factor 2), and the
 *     larger of its values at theta and at theta +- h.
 * Kinks: a point is used only if every switch of the expressions (the argument of abs and
 * sign, a - b of min(a, b) and max(a, b), the condition of select) has the same nonzero sign
 * at theta and at every point of both stencils; otherwise a fresh point is drawn (at most
 * MAX_TRIES times per point; a loss without such a point fails the test).
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_loss.h"
#include "testlib.h"

#define NPOINTS 3
#define MAX_TRIES 40
#define PREC 512
#define REL_MPFR 1e-13
#define TINY 1e-300
#define T3_STEP 1e-3
#define NMAX 64

/* Non-default specs, beyond each family's defaults ("FILE" is replaced by the data file). */
static const char *const extra_specs[] = {
    "linear:n=3,a=1,-2,1/2,c=3",
    "cone:n=3,c=1/2,0,-1,s=2",
    "ccone:n=2,c=1,1",
    "ring:n=3,R=1/2",
    "ruled:n=3,k=2,a=2",
    "acone:diag=1,4,9",
    "glued:cone=0,0,1,ruled=1,1,0,2,1/2,plane=1/2,1,3,floor=0,1/4,-2",
    "quad:n=3,A=2,1,0,1,3,1,0,1,4,b=1,-1,0,c=2",
    "quad:A=1,0,0,0,b=0,1",
    "rosenbrock:n=4",
    "rosenbrock:a=1,b=10,s=1/2",
    "scalarnet:depth=3,y=2",
    "deeplinear:dims=2,3,2",
    "matfact:m=3,n=2,r=2",
    "matcomp:m=3,n=3,r=1,mask=1,1,0,1,0,1,1,1,1",
    "logistic:file=FILE,intercept=1,l2=1/10,batches=3",
    "lsq:file=FILE,intercept=1,l2=1/4",
};

static char *data_path;

static void
write_data(void)
{
    const char *dir = getenv("TMPDIR");
    cor_test_rng rng;
    char line[128];
    data_path = malloc(512);
    snprintf(data_path, 512, "%s/corzooXXXXXX.csv", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(data_path, 4);
    ck_assert_msg(fd >= 0, "mkstemps %s", data_path);
    cor_test_rng_init(&rng, cor_test_seed(), 999);
    for (int i = 0; i < 12; i++)
    {
        double a = cor_test_rng_uniform(&rng, -2, 2), b = cor_test_rng_uniform(&rng, -2, 2),
               c = cor_test_rng_uniform(&rng, -2, 2);
        int y = a - 0.5 * b + 0.3 * c + cor_test_rng_uniform(&rng, -1, 1) >= 0 ? 1 : -1;
        int len = snprintf(line, sizeof line, "%.3f,%.3f,%.3f,%d\n", a, b, c, y);
        ck_assert_int_eq((int)write(fd, line, (size_t)len), len);
    }
    close(fd);
}

static void
setup(void)
{
    write_data();
}

static void
teardown(void)
{
    unlink(data_path);
    free(data_path);
}

/* spec with FILE replaced by the data path */
static char *
expand(const char *spec)
{
    char *out = malloc(strlen(spec) + 600);
    const char *p = strstr(spec, "FILE");
    if (!p)
        strcpy(out, spec);
    else
        sprintf(out, "%.*s%s%s", (int)(p - spec), spec, data_path, p + 4);
    return out;
}

/* ---- one loss ------------------------------------------------------------------------- */

typedef struct
{
    const char *spec;
    cor_loss *L;
    size_t n;
    cor_tape *tape;      /* inputs theta, v; outputs L, g (n), hv (n) */
    cor_tape *sw;        /* inputs theta; outputs the switches */
    size_t nsw;
    cor_eval_d *wd, *wsw;
    cor_eval_mpfr *wm;
    mpfr_t in[2 * NMAX], out[1 + 2 * NMAX], sc[1 + 2 * NMAX];
} zoo_case;

/* The switches (kink arguments) of the DAG below roots. */
static size_t
collect_switches(cor_expr_pool *P, size_t nroots, const cor_node *roots, cor_node **out)
{
    size_t nn = cor_expr_pool_size(P), top = 0, cnt = 0, cap = 16;
    unsigned char *seen = calloc(nn, 1);
    cor_node *stack = malloc(nn * sizeof *stack);
    cor_node *sw = malloc(cap * sizeof *sw);
    for (size_t i = 0; i < nroots; i++)
        if (!seen[roots[i]])
        {
            seen[roots[i]] = 1;
            stack[top++] = roots[i];
        }
    while (top)
    {
        cor_node v = stack[--top];
        cor_op op = cor_expr_op(P, v);
        cor_node s = COR_NODE_NONE;
        if (op == COR_OP_ABS || op == COR_OP_SIGN || op == COR_OP_SELECT)
            s = cor_expr_child(P, v, 0);
        else if (op == COR_OP_MIN || op == COR_OP_MAX)
            s = cor_expr_sub(P, cor_expr_child(P, v, 0), cor_expr_child(P, v, 1));
        if (s != COR_NODE_NONE)
        {
            if (cnt == cap)
                sw = realloc(sw, (cap *= 2) * sizeof *sw);
            sw[cnt++] = s;
        }
        for (size_t k = 0; k < cor_expr_nchildren(P, v); k++)
        {
            cor_node c = cor_expr_child(P, v, k);
            if (c < nn && !seen[c])
            {
                seen[c] = 1;
                stack[top++] = c;
            }
        }
    }
    free(seen);
    free(stack);
    *out = sw;
    return cnt;
}

static void
case_init(zoo_case *C, const char *spec)
{
    memset(C, 0, sizeof *C);
    C->spec = spec;
    C->L = cor_loss_from_spec(spec);
    ck_assert_msg(C->L != NULL, "%s: %s", spec, cor_last_error()->msg);
    cor_expr_pool *P = cor_loss_pool(C->L);
    size_t n = C->n = cor_loss_dim(C->L);
    ck_assert_msg(n >= 1 && n <= NMAX, "%s: dimension %zu", spec, n);
    const cor_node *vars = cor_loss_vars(C->L);
    cor_node in[2 * NMAX], outs[1 + 2 * NMAX];
    char name[32];
    for (size_t i = 0; i < n; i++)
    {
        in[i] = vars[i];
        snprintf(name, sizeof name, "zoo_dir_%zu", i + 1);
        in[n + i] = cor_expr_var(P, name);
        ck_assert(in[n + i] != COR_NODE_NONE);
    }
    outs[0] = cor_loss_root(C->L);
    ck_assert_int_eq(cor_diff_grad(outs + 1, P, outs[0], n, vars), COR_OK);
    ck_assert_int_eq(cor_diff_hvp(outs + 1 + n, P, outs[0], outs + 1, n, vars, in + n), COR_OK);
    C->tape = cor_tape_alloc(P, 2 * n, in, 1 + 2 * n, outs);
    ck_assert_msg(C->tape != NULL, "%s: %s", spec, cor_last_error()->msg);
    cor_node *sw;
    C->nsw = collect_switches(P, 1 + 2 * n, outs, &sw);
    if (C->nsw)
    {
        C->sw = cor_tape_alloc(P, 2 * n, in, C->nsw, sw);
        ck_assert_ptr_nonnull(C->sw);
        C->wsw = cor_eval_d_alloc(C->sw);
    }
    free(sw);
    C->wd = cor_eval_d_alloc(C->tape);
    C->wm = cor_eval_mpfr_alloc(C->tape, PREC);
    ck_assert(C->wd && C->wm);
    for (size_t i = 0; i < 2 * n; i++)
        mpfr_init2(C->in[i], PREC);
    for (size_t i = 0; i < 1 + 2 * n; i++)
    {
        mpfr_init2(C->out[i], PREC);
        mpfr_init2(C->sc[i], 64);
    }
}

static void
case_clear(zoo_case *C)
{
    for (size_t i = 0; i < 2 * C->n; i++)
        mpfr_clear(C->in[i]);
    for (size_t i = 0; i < 1 + 2 * C->n; i++)
    {
        mpfr_clear(C->out[i]);
        mpfr_clear(C->sc[i]);
    }
    cor_eval_d_free(C->wd);
    cor_eval_d_free(C->wsw);
    cor_eval_mpfr_free(C->wm);
    cor_tape_free(C->tape);
    cor_tape_free(C->sw);
    cor_loss_free(C->L);
}

/* double run at (theta, v): o[0] = L, o[1..n] = g, o[n+1..2n] = hv; s: scales */
static void
run_d(zoo_case *C, const double *x, double *o, double *s)
{
    int rc = cor_eval_d_run(C->wd, o, x);
    ck_assert_msg(rc == COR_OK, "%s: double evaluation: %s", C->spec, cor_strerror(rc));
    if (s)
        ck_assert_int_eq(cor_eval_d_scale(C->wd, s), COR_OK);
}

/* 512-bit run at (theta, v) (doubles, exact); o as doubles (rounded) and scales */
static void
run_m(zoo_case *C, const double *x, double *o, double *s)
{
    for (size_t i = 0; i < 2 * C->n; i++)
        mpfr_set_d(C->in[i], x[i], MPFR_RNDN);
    int rc = cor_eval_mpfr_run(C->wm, C->out, (const mpfr_t *)C->in);
    ck_assert_msg(rc == COR_OK, "%s: MPFR evaluation: %s", C->spec, cor_strerror(rc));
    for (size_t i = 0; i < 1 + 2 * C->n; i++)
        o[i] = mpfr_get_d(C->out[i], MPFR_RNDN);
    if (s)
    {
        ck_assert_int_eq(cor_eval_mpfr_scale(C->wm, C->sc), COR_OK);
        for (size_t i = 0; i < 1 + 2 * C->n; i++)
            s[i] = mpfr_get_d(C->sc[i], MPFR_RNDU);
    }
}

/* signs of the switches at x; 0 if some switch is 0 or not finite */
static int
switch_signs(zoo_case *C, const double *x, signed char *sg)
{
    double v[4096];
    ck_assert_uint_le(C->nsw, 4096);
    (void)cor_eval_d_run(C->wsw, v, x);
    for (size_t k = 0; k < C->nsw; k++)
    {
        if (!(v[k] > 0 || v[k] < 0))
            return 0;
        sg[k] = v[k] > 0 ? 1 : -1;
    }
    return 1;
}

/* Nonzero when every switch keeps its sign at the stencil points around x. */
static int
smooth_here(zoo_case *C, const double *x, const double *h)
{
    if (!C->nsw)
        return 1;
    size_t n = C->n;
    signed char s0[4096], s1[4096];
    double y[2 * NMAX];
    if (!switch_signs(C, x, s0))
        return 0;
    static const double mult[] = {1, -1};
    for (size_t j = 0; j <= n; j++)         /* e_1 .. e_n, then v */
        for (int m = 0; m < 2; m++)
            for (int big = 0; big < 2; big++) /* the FD step, and the T3 step */
            {
                memcpy(y, x, 2 * n * sizeof *y);
                for (size_t i = 0; i < n; i++)
                {
                    double step = big ? T3_STEP * 2 : h[i] * 2;
                    if (j < n && i == j)
                        y[i] += mult[m] * step;
                    else if (j == n)
                        y[i] += mult[m] * step * x[n + i];
                }
                if (!switch_signs(C, y, s1) || memcmp(s0, s1, C->nsw) != 0)
                    return 0;
            }
    return 1;
}

static double
max_abs(const double *a, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

/* Third-derivative estimate for the FD tolerance: at 512 bits, centred differences of the
 * exact hv. grad: d/dt hv_j(x + t e_j; v = e_j); hvp: d^2/dt^2 hv(x + t v) (per component).
 * Returns the largest magnitude over base points x and x +- h (along the stencil). */
static void
third_derivs(zoo_case *C, const double *x, const double *h, double *t3g, double *t3v)
{
    size_t n = C->n;
    double y[2 * NMAX], op[1 + 2 * NMAX], om[1 + 2 * NMAX], o0[1 + 2 * NMAX];
    for (size_t j = 0; j < n; j++)
    {
        t3g[j] = 0;
        for (int b = -1; b <= 1; b++)
        {
            memcpy(y, x, n * sizeof *y);
            memset(y + n, 0, n * sizeof *y);
            y[n + j] = 1;
            double base = x[j] + b * h[j];
            y[j] = base + T3_STEP;
            run_m(C, y, op, NULL);
            y[j] = base - T3_STEP;
            run_m(C, y, om, NULL);
            t3g[j] = fmax(t3g[j], fabs((op[1 + n + j] - om[1 + n + j]) / (2 * T3_STEP)));
        }
    }
    for (size_t i = 0; i < n; i++)
        t3v[i] = 0;
    for (int b = -1; b <= 1; b++)
    {
        memcpy(y, x, 2 * n * sizeof *y);
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] + b * h[i] * x[n + i];
        double c[NMAX];
        memcpy(c, y, n * sizeof *c);
        run_m(C, y, o0, NULL);
        for (size_t i = 0; i < n; i++)
            y[i] = c[i] + T3_STEP * x[n + i];
        run_m(C, y, op, NULL);
        for (size_t i = 0; i < n; i++)
            y[i] = c[i] - T3_STEP * x[n + i];
        run_m(C, y, om, NULL);
        for (size_t i = 0; i < n; i++)
            t3v[i] = fmax(t3v[i], fabs((op[1 + n + i] - 2 * o0[1 + n + i] + om[1 + n + i])
                                      / (T3_STEP * T3_STEP)));
    }
}

typedef struct
{
    double mpfr_g, mpfr_hv;   /* worst normwise relative error vs 512 bits */
    double fd_g, fd_hv;       /* worst |FD - exact| / tol */
    int points;
} zoo_stats;

static void
check_point(zoo_case *C, const double *x, zoo_stats *st)
{
    size_t n = C->n, no = 1 + 2 * n;
    const double eps = DBL_EPSILON, h0 = cbrt(DBL_EPSILON);
    double od[1 + 2 * NMAX], sd[1 + 2 * NMAX], om[1 + 2 * NMAX], sm[1 + 2 * NMAX];
    double diff[NMAX], h[NMAX], t3g[NMAX], t3v[NMAX];

    run_d(C, x, od, sd);
    run_m(C, x, om, sm);
    /* (1) double against 512 bits */
    for (int part = 0; part < 2; part++)
    {
        const double *d = od + 1 + part * n, *m = om + 1 + part * n, *s = sm + 1 + part * n;
        for (size_t i = 0; i < n; i++)
            diff[i] = d[i] - m[i];
        double err = max_abs(diff, n), ref = fmax(max_abs(m, n), TINY);
        ck_assert_msg(err <= REL_MPFR * ref,
                      "%s: %s in double vs 512 bits: normwise error %.3g, norm %.3g (> 1e-13)",
                      C->spec, part ? "HVP" : "gradient", err, ref);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs(diff[i]) <= REL_MPFR * s[i] + DBL_MIN,
                          "%s: %s component %zu: double %.17g, 512 bits %.17g, scale %.3g",
                          C->spec, part ? "HVP" : "gradient", i, d[i], m[i], s[i]);
        double rel = err / ref;
        if (part)
            st->mpfr_hv = fmax(st->mpfr_hv, rel);
        else
            st->mpfr_g = fmax(st->mpfr_g, rel);
    }
    /* (2) centred differences */
    for (size_t j = 0; j < n; j++)
        h[j] = h0 * fmax(1.0, fabs(x[j]));
    third_derivs(C, x, h, t3g, t3v);
    double y[2 * NMAX], op[1 + 2 * NMAX], omn[1 + 2 * NMAX], sp[1 + 2 * NMAX], smn[1 + 2 * NMAX];
    for (size_t j = 0; j < n; j++)
    {
        memcpy(y, x, 2 * n * sizeof *y);
        y[j] = x[j] + h[j];
        double xp = y[j];
        run_d(C, y, op, sp);
        y[j] = x[j] - h[j];
        double xm = y[j];
        run_d(C, y, omn, smn);
        double hh = (xp - xm) / 2;
        double fd = (op[0] - omn[0]) / (xp - xm);
        double S = fmax(fmax(sp[0], smn[0]), sd[0]);
        double tol = 2 * (hh * hh / 6 * t3g[j] + 4 * eps * S / hh);
        double e = fabs(fd - od[1 + j]);
        ck_assert_msg(e <= tol, "%s: d/dx_%zu: centred difference %.17g, gradient %.17g, error "
                      "%.3g > tol %.3g (h %.3g, |T3| %.3g, S %.3g)", C->spec, j + 1, fd,
                      od[1 + j], e, tol, hh, t3g[j], S);
        st->fd_g = fmax(st->fd_g, e / tol);
    }
    {
        double hv = h0;
        memcpy(y, x, 2 * n * sizeof *y);
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] + hv * x[n + i];
        run_d(C, y, op, sp);
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] - hv * x[n + i];
        run_d(C, y, omn, smn);
        for (size_t i = 0; i < n; i++)
        {
            double fd = (op[1 + i] - omn[1 + i]) / (2 * hv);
            double S = fmax(fmax(sp[1 + i], smn[1 + i]), sd[1 + i]);
            double tol = 2 * (hv * hv / 6 * t3v[i] + 4 * eps * S / hv);
            double e = fabs(fd - od[1 + n + i]);
            ck_assert_msg(e <= tol, "%s: (Hv)_%zu: centred difference %.17g, HVP %.17g, error "
                          "%.3g > tol %.3g (|T3| %.3g, S %.3g)", C->spec, i + 1, fd,
                          od[1 + n + i], e, tol, t3v[i], S);
            st->fd_hv = fmax(st->fd_hv, e / tol);
        }
    }
    (void)no;
    st->points++;
}

static void
check_spec(const char *spec_in, zoo_stats *st)
{
    char *spec = expand(spec_in);
    zoo_case C;
    case_init(&C, spec);
    size_t n = C.n;
    double x[2 * NMAX], h[NMAX];
    cor_test_rng rng;
    /* stream from the spec text, so each spec has its own reproducible points */
    uint64_t stream = 1469598103934665603u;
    for (const char *p = spec_in; *p; p++)
        stream = (stream ^ (unsigned char)*p) * 1099511628211u;
    cor_test_rng_init(&rng, cor_test_seed(), stream);
    for (int pt = 0; pt < NPOINTS; pt++)
    {
        int tries = 0;
        for (;;)
        {
            ck_assert_msg(tries++ < MAX_TRIES, "%s: no point away from the kinks in %d tries",
                          spec, MAX_TRIES);
            for (size_t i = 0; i < n; i++)
            {
                x[i] = cor_test_rng_uniform(&rng, -1.5, 1.5);
                x[n + i] = cor_test_rng_uniform(&rng, -1, 1);
                h[i] = cbrt(DBL_EPSILON) * fmax(1.0, fabs(x[i]));
            }
            if (smooth_here(&C, x, h))
                break;
        }
        check_point(&C, x, st);
    }
    case_clear(&C);
    free(spec);
}

static void
report(const char *what, const zoo_stats *st)
{
    printf("%-40s points %d  mpfr: grad %.2e hvp %.2e  fd/tol: grad %.2f hvp %.2f\n", what,
           st->points, st->mpfr_g, st->mpfr_hv, st->fd_g, st->fd_hv);
}

START_TEST(test_every_family)
{
    const char *const *fam = cor_loss_families();
    size_t nfam = 0;
    for (; fam[nfam]; nfam++)
    {
        zoo_stats st = {0, 0, 0, 0, 0};
        char spec[64];
        /* defaults; a family that wants data gets the data file */
        cor_loss *L = cor_loss_from_spec(fam[nfam]);
        if (L)
            snprintf(spec, sizeof spec, "%s", fam[nfam]);
        else
            snprintf(spec, sizeof spec, "%s:file=FILE", fam[nfam]);
        cor_loss_free(L);
        check_spec(spec, &st);
        ck_assert_int_eq(st.points, NPOINTS);
        report(spec, &st);
    }
    ck_assert_uint_ge(nfam, 15);
}
END_TEST

START_TEST(test_extra_specs)
{
    /* every family of the list appears among the extra specs too */
    const char *const *fam = cor_loss_families();
    for (size_t f = 0; fam[f]; f++)
    {
        int found = 0;
        size_t len = strlen(fam[f]);
        for (size_t i = 0; i < sizeof extra_specs / sizeof extra_specs[0] && !found; i++)
            found = strncmp(extra_specs[i], fam[f], len) == 0 && extra_specs[i][len] == ':';
        ck_assert_msg(found, "family %s has no non-default spec in check_zoo.c", fam[f]);
    }
    for (size_t i = 0; i < sizeof extra_specs / sizeof extra_specs[0]; i++)
    {
        zoo_stats st = {0, 0, 0, 0, 0};
        check_spec(extra_specs[i], &st);
        ck_assert_int_eq(st.points, NPOINTS);
        report(extra_specs[i], &st);
    }
}
END_TEST

int
main(void)
{
    const cor_test_case tests[] = {
        {"every_family", test_every_family},
        {"extra_specs", test_extra_specs},
    };
    return cor_test_run_cases("zoo", tests, sizeof tests / sizeof tests[0], setup, teardown);
}
