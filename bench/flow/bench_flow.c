/* bench_flow.c -- corridor's Taylor integrator of the gradient flow against peer tools,
 * in one invocation (`make -C bench bench-flow`).
 *
 * Problems (theta' = -grad L(theta), theta(0) = theta0, up to T):
 *   a  L = 0.5 (x^2 + 10 y^2), theta0 = (1, 1), T = 2 (exact: e^-t, e^-10t)
 *   b  L = 0.5 (1 - x)^2 + 5 (y - x^2)^2, theta0 = (-1.2, 1), T = 1
 *   c  L = (1/8) sum_i log(1 + exp(-y_i <w, a_i>)), 8 points in 3 dimensions, w0 = 0, T = 5
 *   d  the same with 1000 points in 10 dimensions (dyadic data from a fixed generator), T = 5
 * at the tolerances 1e-30, 1e-60, 1e-100 (d: 1e-60 only; --long adds 1e-300 for corridor).
 *
 * Tools: corridor (cor_flow, COR_FLOW_TAYLOR, in this process), Boost.Odeint's
 * bulirsch_stoer and runge_kutta_fehlberg78 (controlled, integrate_adaptive) on
 * boost::multiprecision::mpfr_float (the program flow_odeint, when Boost was found), and
 * mpmath.odefun (flow_mpmath.py under Debian's /usr/bin/python3, when mpmath imports).
 * Every tool computes at the same precision, ceil(-log2(tol)) + 32 bits, with absolute and
 * relative tolerance tol. Peers get hand-written gradients; corridor differentiates the loss
 * symbolically (flow allocation, not timed: it happens once per loss).
 *
 * The error of every result is measured against a reference computed by corridor at
 * tolerance tol * 1e-25 and 64 more bits (1e-307 at the least: tolerances are doubles); the
 * reference is itself checked, to tol * 1e-20 (1e-305 at the least): on a against the closed
 * form (e^-2, e^-20), on b against PREDICTIONS.md case (ii) (70 digits), and on every problem
 * against a second reference at tol * 1e-30 and 96 more bits. A failed check stops the
 * benchmark (exit 1).
 *
 * Timing: wall clock (CLOCK_MONOTONIC) of the solve only, median of --reps runs (default 5;
 * corridor repeats up to 64 times while its runs took less than 0.5 s together);
 * a peer stops repeating once its runs took 20 s together, and is killed after --timeout
 * seconds (default 60; reported as status "timeout"); a peer that timed out is not run at
 * the tighter tolerances of the same problem ("skipped"). ratio = time / corridor's time.
 *
 * Output: a TSV table on stdout (problem, tol, tool, bits, steps, error, time_s, runs,
 * ratio, status), progress on stderr. Exit 0; 1 if a reference check failed or corridor's
 * error exceeds its tolerance.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gmp.h>
#include <mpfr.h>

#include "cor_err.h"
#include "cor_expr.h"
#include "cor_flow.h"

#define MAXDIM 16

typedef struct
{
    const char *name;     /* a, b, c, d */
    const char *kind;     /* quad, rosen, logistic (the peers' problem names) */
    const char *T;
    size_t n;
    const char *theta0[MAXDIM];
    const char *text;     /* loss as text (a, b) */
    size_t npts;          /* logistic: points (data generated into a file) */
} problem;

/* case (c)'s data: a_i (3 numbers) and y_i */
static const char *const c_data[8][4] = {
    {"1", "0.5", "-0.25", "1"},    {"-0.75", "1.25", "0.5", "-1"},
    {"0.25", "-1", "0.75", "1"},   {"1.5", "0.25", "0.5", "1"},
    {"-1.25", "-0.5", "0.125", "-1"}, {"0.5", "0.75", "-1.25", "-1"},
    {"-0.25", "0.375", "1.5", "1"}, {"0.875", "-0.75", "-0.5", "-1"}};

static const char *const case_ii_ref[2] = {
    "-0.4651673652646307281025703894967782787237757890772373134665548614709669",
    "0.2913221934377190504642928057071697159850302040561608866593066934691623"};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static mpfr_prec_t
bits_for(double tol)
{
    return (mpfr_prec_t)ceil(-log2(tol)) + 32;
}

/* ---- the logistic data ------------------------------------------------------------------ */

/* d's generator: a 64-bit LCG; a_ij = (r mod 513 - 256) / 128 (dyadic, |a| <= 2), y_i from
 * the sign of <a_i, (1, -1, 1, ...)> flipped with probability 1/8 (not separable) */
static uint64_t lcg_state = 0x2545F4914F6CDD1DULL;
static unsigned
lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(lcg_state >> 33);
}

/* writes the data of problem p (npts rows "y a_1 .. a_n", decimal, exact) to path */
static int
write_data(const problem *p, const char *path)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp, "%zu %zu\n", p->npts, p->n);
    for (size_t i = 0; i < p->npts; i++)
    {
        if (p->npts == 8)
        {
            fprintf(fp, "%s", c_data[i][3]);
            for (size_t j = 0; j < 3; j++)
                fprintf(fp, " %s", c_data[i][j]);
        }
        else
        {
            int a[MAXDIM], dot = 0, y;
            for (size_t j = 0; j < p->n; j++)
            {
                a[j] = (int)(lcg() % 513) - 256;
                dot += (j % 2 ? -1 : 1) * a[j];
            }
            y = dot >= 0 ? 1 : -1;
            if (lcg() % 8 == 0)
                y = -y;
            fprintf(fp, "%d", y);
            for (size_t j = 0; j < p->n; j++)
                fprintf(fp, " %.10g", a[j] / 128.0);
        }
        fprintf(fp, "\n");
    }
    return fclose(fp) == 0 ? 0 : -1;
}

/* the logistic loss (1/N) sum_i softplus(sum_j (-y_i a_ij) w_j) from the data file */
static cor_node
logistic_loss(cor_expr_pool *P, const cor_node *w, const char *path)
{
    FILE *fp = fopen(path, "r");
    size_t N, n;
    cor_node *terms, res = COR_NODE_NONE;
    mpq_t c[MAXDIM], inv;
    char buf[64];

    if (!fp || fscanf(fp, "%zu %zu", &N, &n) != 2 || n > MAXDIM)
    {
        if (fp)
            fclose(fp);
        return COR_NODE_NONE;
    }
    terms = malloc(N * sizeof *terms);
    for (size_t j = 0; j < n; j++)
        mpq_init(c[j]);
    mpq_init(inv);
    for (size_t i = 0; i < N; i++)
    {
        int y;
        if (fscanf(fp, "%d", &y) != 1)
            goto done;
        for (size_t j = 0; j < n; j++)
        {
            cor_node k;
            if (fscanf(fp, "%63s", buf) != 1 || (k = cor_expr_const_str(P, buf)) == COR_NODE_NONE)
                goto done;
            cor_expr_const_get(c[j], P, k);
            if (y > 0)
                mpq_neg(c[j], c[j]);
        }
        terms[i] = cor_expr_unary(P, COR_OP_SOFTPLUS,
                                  cor_expr_sum(P, n, w, (const mpq_t *)c, NULL));
    }
    {
        mpq_t *cs = malloc(N * sizeof *cs);
        mpq_set_ui(inv, 1, (unsigned long)N);
        for (size_t i = 0; i < N; i++)
        {
            mpq_init(cs[i]);
            mpq_set(cs[i], inv);
        }
        res = cor_expr_sum(P, N, terms, (const mpq_t *)cs, NULL);
        for (size_t i = 0; i < N; i++)
            mpq_clear(cs[i]);
        free(cs);
    }
done:
    fclose(fp);
    free(terms);
    for (size_t j = 0; j < n; j++)
        mpq_clear(c[j]);
    mpq_clear(inv);
    return res;
}

/* ---- corridor ---------------------------------------------------------------------------- */

typedef struct
{
    cor_expr_pool *P;
    cor_node w[MAXDIM];
    cor_node L;
} loss_t;

static int
loss_make(loss_t *l, const problem *p, const char *datapath)
{
    static const char *const names[MAXDIM] = {"x", "y", "z", "w4", "w5", "w6", "w7", "w8",
                                              "w9", "w10", "w11", "w12", "w13", "w14", "w15",
                                              "w16"};
    l->P = cor_expr_pool_alloc();
    for (size_t j = 0; j < p->n; j++)
        l->w[j] = cor_expr_var(l->P, names[j]);
    if (p->text)
    {
        if (cor_expr_parse(&l->L, NULL, p->text, COR_PARSE_KNOWN_VARS, l->P) != COR_OK)
            return -1;
    }
    else
        l->L = logistic_loss(l->P, l->w, datapath);
    return l->L == COR_NODE_NONE ? -1 : 0;
}

/* solves p with corridor at (tol, prec); theta(T) into out (initialised by the caller at
 * any precision); reps > 0: times the solve reps times (median into *time); status */
static int corridor_runs; /* the number of timed runs of the last corridor_run */

static int
corridor_run(const loss_t *l, const problem *p, double tol, mpfr_prec_t prec, mpfr_t *out,
             int reps, double *time, cor_flow_stats *st)
{
    cor_flow_opts o;
    cor_flow *f;
    mpfr_t x0[MAXDIM], T, res[MAXDIM];
    double ts[64];
    int s = COR_OK;

    cor_flow_opts_init(&o);
    o.tol = tol;
    f = cor_flow_alloc(COR_FLOW_TAYLOR, l->P, l->L, p->n, l->w, prec, &o);
    if (!f)
        return -1;
    mpfr_init2(T, prec);
    mpfr_set_str(T, p->T, 10, MPFR_RNDN);
    for (size_t i = 0; i < p->n; i++)
    {
        mpfr_inits2(prec, x0[i], res[i], (mpfr_ptr)0);
        mpfr_set_str(x0[i], p->theta0[i], 10, MPFR_RNDN);
    }
    if (reps < 1)
        reps = 1;
    /* at least reps runs; more (up to 64) while they took less than 0.5 s together, so that
     * millisecond solves get a median that a busy machine does not decide */
    {
        double total = 0;
        int r;
        for (r = 0; r < 64 && (r < reps || (time && total < 0.5)); r++)
        {
            double t0 = now();
            s = cor_flow_solve(f, res, 1, (const mpfr_t *)&T, (const mpfr_t *)x0);
            ts[r] = now() - t0;
            total += ts[r];
            if (s != COR_OK)
                break;
        }
        if (time)
            *time = median(ts, r);
        corridor_runs = r;
    }
    cor_flow_get_stats(f, st);
    for (size_t i = 0; i < p->n; i++)
    {
        mpfr_set(out[i], res[i], MPFR_RNDN);
        mpfr_clears(x0[i], res[i], (mpfr_ptr)0);
    }
    mpfr_clear(T);
    cor_flow_free(f);
    return s;
}

/* max_i |a_i - b_i| */
static double
maxerr(const mpfr_t *a, const mpfr_t *b, size_t n)
{
    mpfr_t d;
    double e = 0;
    mpfr_init2(d, 64);
    for (size_t i = 0; i < n; i++)
    {
        double x;
        mpfr_sub(d, a[i], b[i], MPFR_RNDN);
        x = fabs(mpfr_get_d(d, MPFR_RNDN));
        if (isnan(x))
            e = NAN;
        else if (x > e)
            e = x;
    }
    mpfr_clear(d);
    return e;
}

/* ---- peers ------------------------------------------------------------------------------- */

typedef struct
{
    const char *tool;   /* name in the table */
    const char *cmd;    /* command prefix, NULL when the tool is missing */
    const char *arg;    /* the method argument */
    int dead;           /* timed out at a looser tolerance of the current problem */
} peer;

/* runs a peer; its stdout: "time_s runs steps" then n lines of decimal theta_i.
 * Returns 0 ok, 1 timeout, -1 failure */
static int
peer_run(const peer *pe, const problem *p, double tol, mpfr_prec_t bits, const char *data,
         int reps, int timeout, mpfr_t *out, double *time, int *runs, long *steps)
{
    char cmd[4096];
    FILE *pp;
    int rc;
    char line[8192];

    snprintf(cmd, sizeof cmd, "timeout -k 5 %d %s %s %s %.17g %ld %s %d %s 2>/dev/null", timeout,
             pe->cmd, pe->arg, p->kind, tol, (long)bits, p->T, reps, data ? data : "-");
    pp = popen(cmd, "r");
    if (!pp)
        return -1;
    rc = 0;
    if (!fgets(line, sizeof line, pp) || sscanf(line, "%lf %d %ld", time, runs, steps) != 3)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < p->n; i++)
    {
        if (!fgets(line, sizeof line, pp))
            rc = -1;
        else
        {
            line[strcspn(line, "\r\n")] = 0;
            if (mpfr_set_str(out[i], line, 10, MPFR_RNDN) != 0)
                rc = -1;
        }
    }
    {
        int status = pclose(pp);
        if (WIFEXITED(status) && (WEXITSTATUS(status) == 124 || WEXITSTATUS(status) == 137))
            return 1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -1;
    }
    return rc;
}

/* ---- main -------------------------------------------------------------------------------- */

static void
row(const char *prob, double tol, const char *tool, long bits, long steps, unsigned order,
    double err, double time, int runs, double ratio, const char *status)
{
    printf("%s\t%.0e\t%s\t%ld\t%ld\t%u\t%.3e\t%.6f\t%d\t%.1f\t%s\n", prob, tol, tool, bits,
           steps, order, err, time, runs, ratio, status);
    fflush(stdout);
}

static void
usage(FILE *fp)
{
    fputs("Usage: bench_flow [--odeint PROG] [--mpmath SCRIPT] [--python PY] [--reps N]\n"
          "                  [--timeout S] [--problems abcd] [--tols 1e-30,1e-60,1e-100]\n"
          "                  [--long] [--cost] [--workdir DIR]\n"
          "Runs corridor's Taylor flow integrator and the peers named (missing ones are\n"
          "reported as such) on the problems a-d; prints a TSV table. --long adds 1e-300 for\n"
          "corridor; --cost prints corridor's cost table instead (problems a-c at 1e-30, 1e-60,\n"
          "1e-100, 1e-200, 1e-300: steps, order, time, error, and the growth exponent\n"
          "log(time ratio) / log(digits ratio) against the previous row).\n",
          fp);
}

int
main(int argc, char **argv)
{
    const char *odeint = NULL, *mpm = NULL, *python = "/usr/bin/python3", *probs = "abcd";
    const char *workdir = ".";
    char tolsbuf[256] = "1e-30,1e-60,1e-100";
    int reps = 5, timeout = 60, lng = 0, bad = 0, cost = 0;
    problem P[4] = {
        {"a", "quad", "2", 2, {"1", "1"}, "0.5*(x^2 + 10*y^2)", 0},
        {"b", "rosen", "1", 2, {"-1.2", "1"}, "0.5*(1-x)^2 + 5*(y-x^2)^2", 0},
        {"c", "logistic", "5", 3, {"0", "0", "0"}, NULL, 8},
        {"d", "logistic", "5", 10, {"0", "0", "0", "0", "0", "0", "0", "0", "0", "0"}, NULL,
         1000},
    };
    peer peers[3] = {{"odeint-bulirsch_stoer", NULL, "bs", 0},
                     {"odeint-rkf78", NULL, "rkf78", 0},
                     {"mpmath-odefun", NULL, "taylor", 0}};
    char mpcmd[1024];

    for (int i = 1; i < argc; i++)
    {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
        {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--long"))
        {
            lng = 1;
            continue;
        }
        if (!strcmp(a, "--cost"))
        {
            cost = 1;
            continue;
        }
        if (!v)
        {
            usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--odeint"))
            odeint = *v ? v : NULL;
        else if (!strcmp(a, "--mpmath"))
            mpm = *v ? v : NULL;
        else if (!strcmp(a, "--python"))
            python = v;
        else if (!strcmp(a, "--reps"))
            reps = atoi(v);
        else if (!strcmp(a, "--timeout"))
            timeout = atoi(v);
        else if (!strcmp(a, "--problems"))
            probs = v;
        else if (!strcmp(a, "--tols"))
            snprintf(tolsbuf, sizeof tolsbuf, "%s", v);
        else if (!strcmp(a, "--workdir"))
            workdir = v;
        else
        {
            fprintf(stderr, "bench_flow: unknown option '%s'\n", a);
            return 2;
        }
    }
    if (reps < 1 || reps > 64 || timeout < 1)
    {
        fprintf(stderr, "bench_flow: --reps must be in [1, 64] and --timeout positive\n");
        return 2;
    }
    if (odeint && access(odeint, X_OK) == 0)
        peers[0].cmd = peers[1].cmd = odeint;
    if (mpm && access(python, X_OK) == 0)
    {
        char chk[1200];
        snprintf(chk, sizeof chk, "%s -c 'import mpmath' >/dev/null 2>&1", python);
        if (system(chk) == 0)
        {
            snprintf(mpcmd, sizeof mpcmd, "%s %s", python, mpm);
            peers[2].cmd = mpcmd;
        }
    }
    if (cost)
    {
        snprintf(tolsbuf, sizeof tolsbuf, "1e-30,1e-60,1e-100,1e-200,1e-300");
        lng = 0;
        if (!strcmp(probs, "abcd"))
            probs = "abc";
        printf("problem\ttol\tdigits\tbits\tsteps\torder\ttime_s\terror\tgrowth\n");
    }
    else
        printf("problem\ttol\ttool\tbits\tsteps\torder\terror\ttime_s\truns\tratio\tstatus"
               "\n");
    for (int pi = 0; pi < 4; pi++)
    {
        const problem *p = &P[pi];
        char data[1024];
        loss_t l;
        double tols[8];
        int ntol = 0;

        double tprev = NAN, dprev = NAN;

        if (!strchr(probs, p->name[0]) || (cost && p->name[0] == 'd'))
            continue;
        data[0] = 0;
        if (p->npts)
        {
            snprintf(data, sizeof data, "%s/bench_flow_%s.dat", workdir, p->name);
            if (write_data(p, data) != 0)
            {
                fprintf(stderr, "bench_flow: cannot write %s: %s\n", data, strerror(errno));
                return 1;
            }
        }
        if (loss_make(&l, p, data[0] ? data : NULL) != 0)
        {
            fprintf(stderr, "bench_flow: problem %s: %s\n", p->name, cor_last_error()->msg);
            return 1;
        }
        if (p->name[0] == 'd')
            tols[ntol++] = 1e-60;
        else
        {
            char *s = tolsbuf;
            while (*s && ntol < 7)
            {
                tols[ntol++] = strtod(s, &s);
                if (*s == ',')
                    s++;
            }
            if (lng)
                tols[ntol++] = 1e-300;
        }
        for (int k = 0; k < 3; k++)
            peers[k].dead = 0;
        for (int ti = 0; ti < ntol; ti++)
        {
            /* reference tolerances: at most 1e-307 (a double); the agreement required */
            double tol = tols[ti], tcor, e, rtol = fmax(tol * 1e-25, 1e-307);
            double rtol2 = fmax(tol * 1e-30, 1e-307), thr = fmax(tol * 1e-20, 1e-305);
            mpfr_prec_t bits = bits_for(tol), rbits = bits_for(rtol) + 64;
            mpfr_t ref[MAXDIM], ref2[MAXDIM], res[MAXDIM];
            cor_flow_stats st, st2;
            double tref = now();

            for (size_t i = 0; i < p->n; i++)
                mpfr_inits2(rbits + 64, ref[i], ref2[i], res[i], (mpfr_ptr)0);
            /* the reference, and its checks */
            if (corridor_run(&l, p, rtol, rbits, ref, 1, NULL, &st) != COR_OK ||
                corridor_run(&l, p, rtol2, rbits + 32, ref2, 1, NULL, &st2) != COR_OK)
            {
                fprintf(stderr, "bench_flow: %s: reference failed: %s\n", p->name,
                        cor_last_error()->msg);
                return 1;
            }
            e = maxerr(ref, ref2, p->n);
            if (!(e < thr))
            {
                fprintf(stderr, "bench_flow: %s tol %g: the two references differ by %g\n",
                        p->name, tol, e);
                return 1;
            }
            if (p->name[0] == 'a')
            {
                mpfr_set_si(ref2[0], -2, MPFR_RNDN);
                mpfr_exp(ref2[0], ref2[0], MPFR_RNDN);
                mpfr_set_si(ref2[1], -20, MPFR_RNDN);
                mpfr_exp(ref2[1], ref2[1], MPFR_RNDN);
                e = maxerr(ref, ref2, 2);
                if (!(e < thr))
                {
                    fprintf(stderr, "bench_flow: a: reference vs closed form: %g\n", e);
                    return 1;
                }
            }
            if (p->name[0] == 'b')
            {
                mpfr_set_str(ref2[0], case_ii_ref[0], 10, MPFR_RNDN);
                mpfr_set_str(ref2[1], case_ii_ref[1], 10, MPFR_RNDN);
                e = maxerr(ref, ref2, 2);
                if (!(e < fmax(thr, 1e-68)))
                {
                    fprintf(stderr, "bench_flow: b: reference vs case (ii): %g\n", e);
                    return 1;
                }
            }
            fprintf(stderr, "bench_flow: %s tol %g: reference checked (%.1f s)\n", p->name, tol,
                    now() - tref);
            /* corridor */
            if (corridor_run(&l, p, tol, bits, res, reps, &tcor, &st) != COR_OK)
            {
                fprintf(stderr, "bench_flow: %s: corridor failed: %s\n", p->name,
                        st.stop_reason ? st.stop_reason : cor_last_error()->msg);
                return 1;
            }
            e = maxerr(res, ref, p->n);
            if (!(e < tol))
                bad = 1;
            if (cost)
            {
                double dig = -log10(tol);
                printf("%s\t%.0e\t%.0f\t%ld\t%llu\t%u\t%.6f\t%.3e\t%.2f\n", p->name, tol, dig,
                       (long)bits, (unsigned long long)st.steps, st.order, tcor, e,
                       isnan(tprev) ? NAN : log(tcor / tprev) / log(dig / dprev));
                fflush(stdout);
                tprev = tcor;
                dprev = dig;
                for (size_t i = 0; i < p->n; i++)
                    mpfr_clears(ref[i], ref2[i], res[i], (mpfr_ptr)0);
                continue;
            }
            row(p->name, tol, "corridor", bits, (long)st.steps, st.order, e, tcor,
                corridor_runs, 1.0, e < tol ? "ok" : "error>tol");
            /* peers (not at 1e-300) */
            for (int k = 0; k < 3; k++)
            {
                peer *pe = &peers[k];
                double tp = NAN;
                int runs = 0, r;
                long steps = 0;

                if (tol < 1e-200)
                    continue;
                if (!pe->cmd)
                {
                    row(p->name, tol, pe->tool, bits, 0, 0, NAN, NAN, 0, NAN, "missing");
                    continue;
                }
                if (pe->dead)
                {
                    row(p->name, tol, pe->tool, bits, 0, 0, NAN, NAN, 0, NAN,
                        "skipped(timeout at looser tol)");
                    continue;
                }
                fprintf(stderr, "bench_flow: %s tol %g: %s ...\n", p->name, tol, pe->tool);
                r = peer_run(pe, p, tol, bits, data[0] ? data : NULL, reps, timeout, res, &tp,
                             &runs, &steps);
                if (r == 1)
                {
                    pe->dead = 1;
                    row(p->name, tol, pe->tool, bits, 0, 0, NAN, (double)timeout, 0, NAN,
                        "timeout");
                }
                else if (r < 0)
                    row(p->name, tol, pe->tool, bits, 0, 0, NAN, NAN, 0, NAN, "failed");
                else
                {
                    e = maxerr(res, ref, p->n);
                    row(p->name, tol, pe->tool, bits, steps, 0, e, tp, runs, tp / tcor,
                        e < tol ? "ok" : "error>tol");
                }
            }
            for (size_t i = 0; i < p->n; i++)
                mpfr_clears(ref[i], ref2[i], res[i], (mpfr_ptr)0);
        }
        cor_expr_pool_free(l.P);
    }
    mpfr_free_cache();
    return bad;
}
