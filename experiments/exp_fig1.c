/* exp_fig1.c -- the tables of Figure 1 (Dherin & Rosca 2024, arXiv 2402.08818, Sec. 2.1).
 *
 * (a) Individual corridors: the convex cone L = |theta| = sqrt(x^2 + y^2) on a grid over
 *     [-2, 2]^2, and straight lines of steepest descent theta(t) = theta0 - t grad L(theta0)
 *     from eight points of the circle of radius 2 (rational points such as (1.6, 1.2)),
 *     which are the exact gradient-flow solutions in a corridor (Lemma 2.9, Thm 2.11). At
 *     every sample the program evaluates grad L(theta(t)) with an MPFR tape at --prec bits
 *     and records |grad L(theta(t)) - grad L(theta0)| (zero in a corridor: the line is a
 *     flow line) and |L(theta(t)) - (L(theta0) - t |grad L(theta0)|^2)| (Prop. 2.10); the
 *     maxima per line go to trailing `# line_k=...` comment lines (the deviations are printed
 *     by MPFR, %.6Re, since at high precision they lie below the double range).
 * (b) A loss surface glued from corridors (Example 2.6):
 *        L = min(min(cone, ring), max(max(plane, ruled), hill)) with
 *        cone  = 0.9 sqrt((x+1.5)^2 + (y+1.5)^2)             convex cone, L = 0 at (-1.5,-1.5)
 *        ring  = 1.1 |sqrt((x-2)^2 + (y+1.8)^2) - 1| + 0.7     distance to a circle: a ring
 *                                                             trough, a concave cone inside
 *        ruled = 0.5 |0.8x - 0.6y + 2| + 0.18x + 0.24y + 0.5   |P theta| + <a,theta>, Pa = 0
 *        plane = 0.15x + 0.1y + 2
 *        hill  = 4 - 1.2 sqrt((x-1.5)^2 + (y-2.2)^2)           concave cone
 *     Each piece has |grad L| constant (an eikonal function), hence H grad L = 0 on it; the
 *     gluing lines (and the pieces' apexes, circle and crease) are the only places where L
 *     is not differentiable. The program writes the surface on a grid over [-4, 4]^2 and one
 *     steepest-descent path computed by explicit Euler steps in double precision with the
 *     gradient from the compiled tape: piecewise straight, with kinks where the path crosses
 *     a gluing line (the column `kink` marks them; `hg_norm` is |H grad L| from the tape,
 *     zero up to rounding on every piece).
 *
 * Output (TSV with a `# key=value` preamble, written to DIR/NAME.tmp and renamed):
 *   fig1a_surface.tsv  x y loss                    (blank line between scan rows of the grid)
 *   fig1a_lines.tsv    line t x y loss grad_dev loss_dev   (two blank lines between lines)
 *   fig1b_surface.tsv  x y loss piece
 *   fig1b_path.tsv     k t x y loss grad_norm hg_norm piece kink
 * Rendered by experiments/figures/fig_fig1a.gp and fig_fig1b.gp.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_sys.h"

#define PAPER_REF "Dherin & Rosca 2024, arXiv 2402.08818, Sec. 2.1, Figure 1 (Ex. 2.3-2.6)"

/* Figure 1b pieces (see the top comment); the check pc_thm2_11_corridor_criterion uses the
 * same surface. */
#define B_CONE "0.9*sqrt((x+1.5)^2+(y+1.5)^2)"
#define B_RING "1.1*abs(sqrt((x-2)^2+(y+1.8)^2)-1)+0.7"
#define B_RULED "0.5*abs(0.8*x-0.6*y+2)+0.18*x+0.24*y+0.5"
#define B_PLANE "0.15*x+0.1*y+2"
#define B_HILL "4-1.2*sqrt((x-1.5)^2+(y-2.2)^2)"
#define B_EXPR \
    "min(min(" B_CONE "," B_RING "),max(max(" B_PLANE "," B_RULED ")," B_HILL "))"
#define B_LIN "0.8*x-0.6*y+2"         /* the crease of the ruled piece */
#define B_RHO "sqrt((x-2)^2+(y+1.8)^2)" /* radius around the ring's centre */

/* piece numbers in fig1b tables */
enum
{
    PIECE_CONE = 1,
    PIECE_RING_OUT = 2,
    PIECE_RING_IN = 3,
    PIECE_RULED_POS = 4,
    PIECE_RULED_NEG = 5,
    PIECE_PLANE = 6,
    PIECE_HILL = 7
};
static const char *const piece_names =
    "1 cone, 2 ring outside (convex), 3 ring inside (concave cone), 4 ruled (crease > 0), "
    "5 ruled (crease < 0), 6 plane, 7 hill (concave cone)";

typedef struct
{
    const char *outdir;
    const char *only;
    mpfr_prec_t prec;
    int n;
    double lr;
    long steps;
    double start[2];
    int argc;
    char **argv;
} options;

/* ---- TSV output --------------------------------------------------------------------------- */

typedef struct
{
    FILE *f;
    char path[4096];
    char tmp[4100];
} tsv;

static void
clean_puts(FILE *f, const char *s)
{
    for (; *s != '\0'; s++)
        fputc((*s == '\t' || *s == '\n') ? ' ' : *s, f);
}

/* Opens DIR/NAME.tmp and writes the common preamble. */
static int
tsv_open(tsv *t, const options *o, const char *name, const char *what)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    int i;

    snprintf(t->path, sizeof t->path, "%s/%s.tsv", o->outdir, name);
    snprintf(t->tmp, sizeof t->tmp, "%s.tmp", t->path);
    t->f = fopen(t->tmp, "w");
    if (t->f == NULL)
        return COR_ERROR(COR_EIO, "cannot write %s: %s", t->tmp, strerror(errno));
    if (gmtime_r(&now, &tm) == NULL
        || strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(date, "nan");
    fprintf(t->f, "# experiment=exp_fig1\n# table=%s\n# what=", name);
    clean_puts(t->f, what);
    fprintf(t->f, "\n# paper=%s\n# version=%s\n# build=", PAPER_REF, cor_version());
    clean_puts(t->f, cor_build_info());
    fprintf(t->f, "\n# mpfr=%s\n# date=%s\n# command=", mpfr_get_version(), date);
    for (i = 0; i < o->argc; i++)
    {
        if (i > 0)
            fputc(' ', t->f);
        clean_puts(t->f, o->argv[i]);
    }
    fputc('\n', t->f);
    return COR_OK;
}

static void
tsv_meta(tsv *t, const char *key, const char *fmt, ...) COR_PRINTF(3, 4);

static void
tsv_meta(tsv *t, const char *key, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(t->f, "# %s=", key);
    clean_puts(t->f, buf);
    fputc('\n', t->f);
}

/* Closes; renames the temporary file into place when ok, removes it otherwise. */
static int
tsv_close(tsv *t, int ok)
{
    int bad = 0;

    if (t->f == NULL)
        return COR_OK;
    if (fflush(t->f) != 0 || ferror(t->f))
        bad = 1;
    if (fclose(t->f) != 0)
        bad = 1;
    t->f = NULL;
    if (ok && !bad && rename(t->tmp, t->path) != 0)
        bad = 1;
    if (!ok || bad)
        remove(t->tmp);
    if (ok && bad)
        return COR_ERROR(COR_EIO, "cannot complete %s: %s", t->path, strerror(errno));
    return COR_OK;
}

/* The end of a table writer whose status is st: closes t if open (renaming it into place
 * when st is COR_OK); returns st, or the close's error. */
static int
tsv_finish(tsv *t, int st)
{
    if (t->f != NULL)
    {
        int st2 = tsv_close(t, st == COR_OK);

        if (st == COR_OK)
            st = st2;
    }
    return st;
}

/* %.17g, or nan/inf */
static void
put_d(FILE *f, double x)
{
    if (isnan(x))
        fputs("nan", f);
    else if (isinf(x))
        fputs(x < 0 ? "-inf" : "inf", f);
    else
        fprintf(f, "%.17g", x);
}

/* ---- compiled losses ------------------------------------------------------------------------ */

typedef struct
{
    cor_expr_pool *pool;
    cor_tape *tape;
    size_t nout;
} loss;

static void
loss_clear(loss *l)
{
    cor_tape_free(l->tape);
    cor_expr_pool_free(l->pool);
    memset(l, 0, sizeof *l);
}

/* Compiles outputs (L, grad (2), Hg (2), extra[0..nextra)) in the variables x, y. */
static int
loss_compile(loss *l, const char *expr, size_t nextra, const char *const *extra)
{
    cor_node vars[2];
    cor_node out[16];
    cor_node f;
    size_t col = 0;
    size_t i;
    int st;

    memset(l, 0, sizeof *l);
    if (nextra > 11)
        return COR_ERROR(COR_EINVAL, "too many extra outputs");
    l->pool = cor_expr_pool_alloc();
    if (l->pool == NULL)
        return cor_last_error()->code;
    vars[0] = cor_expr_var(l->pool, "x");
    vars[1] = cor_expr_var(l->pool, "y");
    if (vars[0] == COR_NODE_NONE || vars[1] == COR_NODE_NONE)
        return cor_last_error()->code;
    st = cor_expr_parse(&f, &col, expr, COR_PARSE_KNOWN_VARS, l->pool);
    if (st != COR_OK)
        return st;
    out[0] = f;
    st = cor_diff_grad(out + 1, l->pool, f, 2, vars);
    if (st != COR_OK)
        return st;
    st = cor_diff_hg(out + 3, l->pool, f, out + 1, 2, vars);
    if (st != COR_OK)
        return st;
    for (i = 0; i < nextra; i++)
    {
        st = cor_expr_parse(&out[5 + i], &col, extra[i], COR_PARSE_KNOWN_VARS, l->pool);
        if (st != COR_OK)
            return st;
    }
    l->nout = 5 + nextra;
    l->tape = cor_tape_alloc(l->pool, 2, vars, l->nout, out);
    if (l->tape == NULL)
        return cor_last_error()->code;
    return COR_OK;
}

/* ---- (a) the cone and its straight lines of steepest descent ------------------------------- */

static int
write_grid(const options *o, const char *name, const char *what, const char *expr, double lo,
           double hi, int with_piece)
{
    static const char *const extra[7] = {B_CONE, B_RING, B_RULED, B_PLANE, B_HILL, B_LIN, B_RHO};
    loss l;
    cor_eval_d *w = NULL;
    tsv t = {0};
    double out[16];
    int i;
    int j;
    int st;

    st = loss_compile(&l, expr, with_piece ? 7 : 0, extra);
    if (st != COR_OK)
        goto cleanup;
    w = cor_eval_d_alloc(l.tape);
    if (w == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    st = tsv_open(&t, o, name, what);
    if (st != COR_OK)
        goto cleanup;
    tsv_meta(&t, "loss", "%s", expr);
    tsv_meta(&t, "grid", "%d x %d points, x and y from %g to %g, evaluated in double", o->n,
             o->n, lo, hi);
    tsv_meta(&t, "layout", "scan rows of constant x separated by one blank line (gnuplot grid)");
    if (with_piece)
        tsv_meta(&t, "pieces", "%s", piece_names);
    fputs(with_piece ? "x\ty\tloss\tpiece\n" : "x\ty\tloss\n", t.f);
    for (i = 0; i < o->n; i++)
    {
        double x = lo + (hi - lo) * i / (o->n - 1);

        if (i > 0)
            fputc('\n', t.f);
        for (j = 0; j < o->n; j++)
        {
            double in[2];

            in[0] = x;
            in[1] = lo + (hi - lo) * j / (o->n - 1);
            /* non-finite derivatives at an apex are an outcome here: the value is still
             * written (the grid includes the apex of the cone) */
            (void)cor_eval_d_run(w, out, in);
            put_d(t.f, in[0]);
            fputc('\t', t.f);
            put_d(t.f, in[1]);
            fputc('\t', t.f);
            put_d(t.f, out[0]);
            if (with_piece)
            {
                int piece;
                double cone = out[5], ring = out[6], ruled = out[7], plane = out[8];
                double hill = out[9], lin = out[10], rho = out[11];
                double a = cone <= ring ? cone : ring;
                double pr = plane >= ruled ? plane : ruled;
                double b = pr >= hill ? pr : hill;

                if (a <= b)
                    piece = cone <= ring ? PIECE_CONE
                                         : (rho >= 1 ? PIECE_RING_OUT : PIECE_RING_IN);
                else if (pr >= hill)
                    piece = plane >= ruled ? PIECE_PLANE
                                           : (lin >= 0 ? PIECE_RULED_POS : PIECE_RULED_NEG);
                else
                    piece = PIECE_HILL;
                fprintf(t.f, "\t%d", piece);
            }
            fputc('\n', t.f);
        }
    }
    st = COR_OK;

cleanup:
    st = tsv_finish(&t, st);
    cor_eval_d_free(w);
    loss_clear(&l);
    return st;
}

/* Eight rational points of the circle of radius 2. */
static const char *const line_start[8][2] = {
    {"2", "0"},   {"1.6", "1.2"},  {"0", "2"},   {"-1.2", "1.6"},
    {"-2", "0"},  {"-1.6", "-1.2"}, {"0", "-2"}, {"1.2", "-1.6"}
};

static int
write_lines(const options *o)
{
    const int nsamp = 41;
    loss l;
    cor_eval_mpfr *w = NULL;
    tsv t = {0};
    mpfr_t out[5];
    mpfr_t th[2];
    mpfr_t th0[2];
    mpfr_t g0[2];
    mpfr_t l0;
    mpfr_t g0n2;
    mpfr_t tt;
    mpfr_t tmax;
    mpfr_t d;
    mpfr_t e;
    mpfr_t maxdev[8];
    mpfr_t maxldev[8];
    mpfr_t alldev;
    int li;
    int s;
    int st;
    size_t i;

    mpfr_inits2(o->prec, l0, g0n2, tt, tmax, d, e, (mpfr_ptr)0);
    mpfr_init2(alldev, 64);
    mpfr_set_zero(alldev, 1);
    for (li = 0; li < 8; li++)
    {
        mpfr_init2(maxdev[li], 64);
        mpfr_init2(maxldev[li], 64);
    }
    for (i = 0; i < 5; i++)
        mpfr_init2(out[i], o->prec);
    for (i = 0; i < 2; i++)
    {
        mpfr_init2(th[i], o->prec);
        mpfr_init2(th0[i], o->prec);
        mpfr_init2(g0[i], o->prec);
    }
    st = loss_compile(&l, "sqrt(x^2+y^2)", 0, NULL);
    if (st != COR_OK)
        goto cleanup;
    w = cor_eval_mpfr_alloc(l.tape, o->prec);
    if (w == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    st = tsv_open(&t, o, "fig1a_lines",
                  "straight lines of steepest descent theta(t) = theta0 - t grad L(theta0) on "
                  "the cone L = |theta| (Fig. 1a)");
    if (st != COR_OK)
        goto cleanup;
    tsv_meta(&t, "loss", "sqrt(x^2+y^2)");
    tsv_meta(&t, "prec", "%ld", (long)o->prec);
    tsv_meta(&t, "samples", "%d per line, t = j |theta0| / %d, j = 0..%d (the apex t = "
             "|theta0| excluded)", nsamp, nsamp, nsamp - 1);
    tsv_meta(&t, "grad_dev", "|grad L(theta(t)) - grad L(theta0)| at prec bits (0 on a flow "
             "line in a corridor, Lemma 2.9)");
    tsv_meta(&t, "loss_dev", "|L(theta(t)) - L(theta0) + t |grad L(theta0)|^2| (Prop. 2.10)");
    tsv_meta(&t, "layout", "lines separated by two blank lines (gnuplot data sets)");

    /* rows go straight out; the per-line maxima follow as trailing comment lines */
    fputs("line\tt\tx\ty\tloss\tgrad_dev\tloss_dev\n", t.f);
    for (li = 0; li < 8; li++)
    {
        st = cor_eval_mpfr_run_str(w, out, line_start[li]);
        if (st != COR_OK)
            goto cleanup;
        mpfr_set_str(th0[0], line_start[li][0], 10, MPFR_RNDN);
        mpfr_set_str(th0[1], line_start[li][1], 10, MPFR_RNDN);
        mpfr_set(l0, out[0], MPFR_RNDN);
        mpfr_set(g0[0], out[1], MPFR_RNDN);
        mpfr_set(g0[1], out[2], MPFR_RNDN);
        mpfr_sqr(g0n2, g0[0], MPFR_RNDN);
        mpfr_fma(g0n2, g0[1], g0[1], g0n2, MPFR_RNDN);
        mpfr_div(tmax, l0, g0n2, MPFR_RNDN); /* time to the apex, L0 / |g0|^2 = |theta0| */
        mpfr_set_zero(maxdev[li], 1);
        mpfr_set_zero(maxldev[li], 1);
        if (li > 0)
            fputs("\n\n", t.f);
        for (s = 0; s < nsamp; s++)
        {
            mpfr_mul_si(tt, tmax, s, MPFR_RNDN);
            mpfr_div_si(tt, tt, nsamp, MPFR_RNDN);
            for (i = 0; i < 2; i++)
            {
                mpfr_mul(th[i], tt, g0[i], MPFR_RNDN);
                mpfr_sub(th[i], th0[i], th[i], MPFR_RNDN);
            }
            st = cor_eval_mpfr_run(w, out, (const mpfr_t *)th);
            if (st != COR_OK)
                goto cleanup;
            mpfr_sub(d, out[1], g0[0], MPFR_RNDN);
            mpfr_sub(e, out[2], g0[1], MPFR_RNDN);
            mpfr_hypot(d, d, e, MPFR_RNDN);              /* grad_dev */
            mpfr_mul(e, tt, g0n2, MPFR_RNDN);
            mpfr_sub(e, l0, e, MPFR_RNDN);
            mpfr_sub(e, out[0], e, MPFR_RNDN);
            mpfr_abs(e, e, MPFR_RNDN);                   /* loss_dev */
            mpfr_max(maxdev[li], maxdev[li], d, MPFR_RNDU);
            mpfr_max(maxldev[li], maxldev[li], e, MPFR_RNDU);
            fprintf(t.f, "%d\t", li + 1);
            put_d(t.f, mpfr_get_d(tt, MPFR_RNDN));
            fputc('\t', t.f);
            put_d(t.f, mpfr_get_d(th[0], MPFR_RNDN));
            fputc('\t', t.f);
            put_d(t.f, mpfr_get_d(th[1], MPFR_RNDN));
            fputc('\t', t.f);
            put_d(t.f, mpfr_get_d(out[0], MPFR_RNDN));
            fputc('\t', t.f);
            /* deviations can be far below the double range: printed by MPFR */
            mpfr_fprintf(t.f, "%.6Re\t%.6Re\n", d, e);
        }
        mpfr_max(alldev, alldev, maxdev[li], MPFR_RNDU);
    }
    /* the maxima are known only now: trailing comment lines (still `# key=value`) */
    for (li = 0; li < 8; li++)
    {
        char key[64];
        char buf[256];

        snprintf(key, sizeof key, "line_%d", li + 1);
        mpfr_snprintf(buf, sizeof buf, "theta0=(%s,%s) max_grad_dev=%.3Rg max_loss_dev=%.3Rg",
                      line_start[li][0], line_start[li][1], maxdev[li], maxldev[li]);
        tsv_meta(&t, key, "%s", buf);
    }
    mpfr_set_ui_2exp(d, 1, -(mpfr_exp_t)o->prec, MPFR_RNDN);
    {
        char buf[256];

        mpfr_snprintf(buf, sizeof buf, "%.3Rg (2^-prec = %.3Rg)", alldev, d);
        tsv_meta(&t, "max_grad_dev", "%s", buf);
    }
    mpfr_fprintf(stderr, "exp_fig1: fig1a lines: max |grad L(theta(t)) - grad L(theta0)| = "
                 "%.3Rg at %ld bits\n", alldev, (long)o->prec);
    st = COR_OK;

cleanup:
    st = tsv_finish(&t, st);
    cor_eval_mpfr_free(w);
    loss_clear(&l);
    mpfr_clears(l0, g0n2, tt, tmax, d, e, alldev, (mpfr_ptr)0);
    for (li = 0; li < 8; li++)
    {
        mpfr_clear(maxdev[li]);
        mpfr_clear(maxldev[li]);
    }
    for (i = 0; i < 5; i++)
        mpfr_clear(out[i]);
    for (i = 0; i < 2; i++)
    {
        mpfr_clear(th[i]);
        mpfr_clear(th0[i]);
        mpfr_clear(g0[i]);
    }
    return st;
}

/* ---- (b) one steepest-descent path on the glued surface ------------------------------------ */

static int
active_piece(const double *out)
{
    double cone = out[5], ring = out[6], ruled = out[7], plane = out[8];
    double hill = out[9], lin = out[10], rho = out[11];
    double a = cone <= ring ? cone : ring;
    double pr = plane >= ruled ? plane : ruled;
    double b = pr >= hill ? pr : hill;

    if (a <= b)
        return cone <= ring ? PIECE_CONE : (rho >= 1 ? PIECE_RING_OUT : PIECE_RING_IN);
    if (pr >= hill)
        return plane >= ruled ? PIECE_PLANE : (lin >= 0 ? PIECE_RULED_POS : PIECE_RULED_NEG);
    return PIECE_HILL;
}

static int
write_path(const options *o)
{
    static const char *const extra[7] = {B_CONE, B_RING, B_RULED, B_PLANE, B_HILL, B_LIN, B_RHO};
    loss l;
    cor_eval_d *w = NULL;
    tsv t = {0};
    double out[16];
    double nxt[16];
    double th[2];
    double gprev[2] = {0, 0};
    double max_turn = 0;  /* max |g_k - g_{k-1}| between consecutive steps on one piece */
    double max_hg = 0;
    long k;
    long nkinks = 0;
    int prev_piece = 0;
    int st;
    const char *why = "step limit reached";

    st = loss_compile(&l, B_EXPR, 7, extra);
    if (st != COR_OK)
        goto cleanup;
    w = cor_eval_d_alloc(l.tape);
    if (w == NULL)
    {
        st = cor_last_error()->code;
        goto cleanup;
    }
    st = tsv_open(&t, o, "fig1b_path",
                  "steepest-descent path (explicit Euler, double) on the glued surface of "
                  "Fig. 1b");
    if (st != COR_OK)
        goto cleanup;
    tsv_meta(&t, "loss", "%s", B_EXPR);
    tsv_meta(&t, "pieces", "%s", piece_names);
    tsv_meta(&t, "theta0", "%.17g,%.17g", o->start[0], o->start[1]);
    tsv_meta(&t, "lr", "%.17g", o->lr);
    tsv_meta(&t, "max_steps", "%ld", o->steps);
    tsv_meta(&t, "method", "theta_{k+1} = theta_k - lr grad L(theta_k), gradient from the "
             "compiled tape in double; stops when L does not decrease, the box [-4,4]^2 is "
             "left, or the step limit is reached");
    tsv_meta(&t, "kink", "1 where the active piece differs from the previous sample's (a "
             "gluing line, crease or circle was crossed)");
    fputs("k\tt\tx\ty\tloss\tgrad_norm\thg_norm\tpiece\tkink\n", t.f);

    th[0] = o->start[0];
    th[1] = o->start[1];
    st = cor_eval_d_run(w, out, th);
    if (st != COR_OK)
    {
        st = COR_ERROR(COR_EDOM, "the start point is not a regular point of the loss");
        goto cleanup;
    }
    for (k = 0;; k++)
    {
        int piece = active_piece(out);
        int kink = k > 0 && piece != prev_piece;
        double gn = hypot(out[1], out[2]);
        double hn = hypot(out[3], out[4]);
        double cand[2];

        if (kink)
            nkinks++;
        else if (k > 0)
        {
            double turn = hypot(out[1] - gprev[0], out[2] - gprev[1]);

            if (turn > max_turn)
                max_turn = turn;
        }
        if (hn > max_hg)
            max_hg = hn;
        fprintf(t.f, "%ld\t", k);
        put_d(t.f, (double)k * o->lr);
        fputc('\t', t.f);
        put_d(t.f, th[0]);
        fputc('\t', t.f);
        put_d(t.f, th[1]);
        fputc('\t', t.f);
        put_d(t.f, out[0]);
        fputc('\t', t.f);
        put_d(t.f, gn);
        fputc('\t', t.f);
        put_d(t.f, hn);
        fprintf(t.f, "\t%d\t%d\n", piece, kink);
        prev_piece = piece;
        gprev[0] = out[1];
        gprev[1] = out[2];

        if (k >= o->steps)
            break;
        cand[0] = th[0] - o->lr * out[1];
        cand[1] = th[1] - o->lr * out[2];
        if (fabs(cand[0]) > 4 || fabs(cand[1]) > 4)
        {
            why = "left the box [-4,4]^2";
            break;
        }
        if (cor_eval_d_run(w, nxt, cand) != COR_OK || !(nxt[0] < out[0]))
        {
            why = "the loss stopped decreasing (a minimum or a valley crease reached)";
            break;
        }
        th[0] = cand[0];
        th[1] = cand[1];
        memcpy(out, nxt, sizeof out);
    }
    tsv_meta(&t, "steps", "%ld", k);
    tsv_meta(&t, "stop", "%s", why);
    tsv_meta(&t, "kinks", "%ld", nkinks);
    tsv_meta(&t, "max_grad_change_on_a_piece", "%.3g (0 up to rounding: straight segments)",
             max_turn);
    tsv_meta(&t, "max_hg_norm", "%.3g", max_hg);
    fprintf(stderr, "exp_fig1: fig1b path: %ld steps, %ld kinks, max |g_k - g_k-1| on a piece "
            "%.3g, max |Hg| %.3g (%s)\n", k, nkinks, max_turn, max_hg, why);
    st = COR_OK;

cleanup:
    st = tsv_finish(&t, st);
    cor_eval_d_free(w);
    loss_clear(&l);
    return st;
}

/* ---- main ------------------------------------------------------------------------------------ */

static void
usage(FILE *f)
{
    fprintf(f,
            "Usage: exp_fig1 [-o DIR] [--prec BITS] [--n N] [--lr H] [--steps N]\n"
            "                [--start X,Y] [--only TABLE]\n"
            "Writes the tables of Figure 1 (%s):\n"
            "  fig1a_surface.tsv, fig1a_lines.tsv  the cone |theta| and straight lines of\n"
            "                                      steepest descent (checked at --prec bits)\n"
            "  fig1b_surface.tsv, fig1b_path.tsv   a surface glued from corridors and one\n"
            "                                      explicit-Euler steepest-descent path\n"
            "\n"
            "  -o, --outdir DIR  directory of the tables (default results)\n"
            "  --prec BITS       MPFR precision of the line checks (default 256)\n"
            "  --n N             grid points per axis of the surfaces (default 121)\n"
            "  --lr H            Euler step of the fig1b path (default 0.002)\n"
            "  --steps N         maximal number of Euler steps (default 20000)\n"
            "  --start X,Y       start of the fig1b path (default 1.31,1.97, on the hill)\n"
            "  --only TABLE      write only TABLE (fig1a_surface, fig1a_lines, fig1b_surface,\n"
            "                    fig1b_path)\n"
            "  -h, --help        this text\n"
            "Exit status: 0 success, 1 failure (I/O or library error), 2 bad usage.\n",
            PAPER_REF);
}

static int
bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "exp_fig1: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"outdir", required_argument, NULL, 'o'},
        {"prec", required_argument, NULL, 'p'},
        {"n", required_argument, NULL, 'n'},
        {"lr", required_argument, NULL, 'l'},
        {"steps", required_argument, NULL, 's'},
        {"start", required_argument, NULL, 'S'},
        {"only", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}
    };
    options o;
    int c;
    int st = COR_OK;
    char *end;

    memset(&o, 0, sizeof o);
    o.outdir = "results";
    o.prec = 256;
    o.n = 121;
    o.lr = 0.002;
    o.steps = 20000;
    o.start[0] = 1.31;
    o.start[1] = 1.97;
    o.argc = argc;
    o.argv = argv;
    cor_error_set_progname("exp_fig1");
    cor_set_error_handler(cor_error_print_handler);

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        long v;
        double dv;

        switch (c)
        {
        case 'o':
            o.outdir = optarg;
            break;
        case 'p':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || v < 16 || v > 1000000)
                return bad("--prec needs an integer in [16, 1000000], got '%s'", optarg);
            o.prec = (mpfr_prec_t)v;
            break;
        case 'n':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || v < 2 || v > 10000)
                return bad("--n needs an integer in [2, 10000], got '%s'", optarg);
            o.n = (int)v;
            break;
        case 'l':
            errno = 0;
            dv = strtod(optarg, &end);
            if (errno != 0 || *end != '\0' || !(dv > 0) || !isfinite(dv))
                return bad("--lr needs a positive number, got '%s'", optarg);
            o.lr = dv;
            break;
        case 's':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || v < 0)
                return bad("--steps needs a non-negative integer, got '%s'", optarg);
            o.steps = v;
            break;
        case 'S':
            errno = 0;
            o.start[0] = strtod(optarg, &end);
            if (errno != 0 || *end != ',')
                return bad("--start needs X,Y, got '%s'", optarg);
            o.start[1] = strtod(end + 1, &end);
            if (errno != 0 || *end != '\0' || !isfinite(o.start[0]) || !isfinite(o.start[1]))
                return bad("--start needs X,Y, got '%s'", optarg);
            break;
        case 'O':
            if (strcmp(optarg, "fig1a_surface") != 0 && strcmp(optarg, "fig1a_lines") != 0
                && strcmp(optarg, "fig1b_surface") != 0 && strcmp(optarg, "fig1b_path") != 0)
                return bad("--only: unknown table '%s'", optarg);
            o.only = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return bad("option '%s' needs a value", argv[optind - 1]);
        default:
            return bad("unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad("unexpected argument '%s' (try --help)", argv[optind]);

#define WANT(name) (o.only == NULL || strcmp(o.only, name) == 0)
    if (st == COR_OK && WANT("fig1a_surface"))
        st = write_grid(&o, "fig1a_surface", "the convex cone L = |theta| (Fig. 1a)",
                        "sqrt(x^2+y^2)", -2, 2, 0);
    if (st == COR_OK && WANT("fig1a_lines"))
        st = write_lines(&o);
    if (st == COR_OK && WANT("fig1b_surface"))
        st = write_grid(&o, "fig1b_surface", "a loss surface glued from corridors (Fig. 1b)",
                        B_EXPR, -4, 4, 1);
    if (st == COR_OK && WANT("fig1b_path"))
        st = write_path(&o);
#undef WANT
    if (st != COR_OK)
    {
        fprintf(stderr, "exp_fig1: failed: %s\n", cor_strerror(st));
        return 1;
    }
    return 0;
}
