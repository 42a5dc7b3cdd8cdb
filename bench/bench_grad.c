/* bench_grad.c -- gradient through a compiled tape against hand-written gradient code.
 *
 * For each loss, the gradient is built symbolically (cor_diff_grad), compiled into one tape
 * whose outputs are the n partial derivatives, and evaluated in double through the native
 * entry (cor_eval_d_native: a pure native function, called directly as fn(out, in), when
 * libgccjit is there and the program fits one function) and through cor_eval_d_run, and in
 * MPFR (256 bits) through cor_eval_mpfr_run. The same gradient is written by hand, as a
 * competent engineer would: straight-line double code; MPFR code with every temporary
 * allocated once, mpfr_fma for the dot products and the accumulation. Losses:
 *   rosenbrock   f(x, y) = 0.5 (a - x)^2 + b (y - x^2)^2, a = 1, b = 5 (2 variables: this
 *                row measures the per-call overhead of the tape more than its arithmetic);
 *   rosen100     the chained form sum_{i<99} 0.5 (a - x_i)^2 + b (x_{i+1} - x_i^2)^2;
 *   logistic     L(w) = (1/m) sum_i log(1 + exp(-y_i <w, a_i>)), m = 1000, d = 10, with a_i
 *                standard normal and y_i = sign(<w*, a_i> + noise) from a fixed-seed
 *                generator, written into the expression as 6-significant-digit decimals;
 *                the hand-written code reads the same decimal strings (mpfr_set_str, strtod),
 *                so both compute the same function.
 * Timing: clock_gettime(CLOCK_MONOTONIC); the number of calls per sample is doubled until a
 * sample takes at least 0.2 s, then the median of 5 samples is reported per call.
 * Output: a TSV table (preamble lines start with '#') with columns loss, backend, entry
 * (native_fn: the native entry; cor_eval_d_run or cor_eval_mpfr_run: the workspace call;
 * both double rows of a loss share one hand_us), n,
 * tape_instr (instructions of the tape), lowered_instr (of its lowered program, eval_impl.h),
 * engine (double: "native(T s)" when the code was compiled with libgccjit, in T seconds,
 * before timing; else "interpreter"), tape_us, hand_us, ratio (tape/hand), target (the bound on the ratio:
 * 2 in double, 1.5 in MPFR), meets (yes/no) and max_rel_diff = max_j |g_tape_j - g_hand_j| /
 * max_j |g_hand_j| (a correctness check: it must be of the order of the unit roundoff). The
 * program exits 1 if a max_rel_diff exceeds 1e-12 (double) or 2^-200 (MPFR), 0 otherwise;
 * missing the speed targets is reported, not an error.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
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
#include "jit.h"

#define PREC 256
#define LOG_M 1000
#define LOG_D 10
#define ROSEN_N 100
#define MIN_SAMPLE_S 0.2
#define NSAMPLES 5
#define DATA_SEED 20240213u

static const char *rosen_a = "1";
static const char *rosen_b = "5";

/* ---- timing ---------------------------------------------------------------------------- */

typedef void (*bench_fn)(void *ctx);

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* --reps N: every function runs once untimed (first calls resolve symbols and touch memory),
 * then exactly N times in measured_loop (measured_loop_native for a native entry), one
 * sample. For instruction counts:
 *   valgrind --tool=callgrind --toggle-collect=measured_loop
 *            --toggle-collect=measured_loop_native bench_grad --reps N
 * collects only the measured loops, so the inclusive count of tape_run_d, rosen_hand_d, ...
 * (and of measured_loop_native, loop included) divided by N is the cost of one call. 0:
 * timed as described above. */
static unsigned long fixed_reps;
/* --only NAME: run only that loss (rosenbrock, rosen100 or logistic). */
static const char *only;

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void
measured_loop(bench_fn volatile fn, void *ctx, unsigned long reps)
{
    for (unsigned long r = 0; r < reps; r++)
        fn(ctx);
}

/* The same loop for a native entry of a tape (cor_eval_d_native), called directly as a user
 * calls it: fn(out, in), its status collected (checked after the loop). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
measured_loop_native(cor_eval_d_fn volatile fn, double *out, const double *in,
                     unsigned long reps)
{
    int st = COR_OK;
    for (unsigned long r = 0; r < reps; r++)
        st |= fn(out, in);
    return st;
}

/* What is timed: fn(ctx), or native(out, in) when native is not NULL. */
typedef struct
{
    bench_fn fn;
    void *ctx;
    cor_eval_d_fn native;
    double *out;
    const double *in;
} timed;

static void
timed_reps(const timed *T, unsigned long reps)
{
    if (T->native)
    {
        if (measured_loop_native(T->native, T->out, T->in, reps) != COR_OK)
        {
            fprintf(stderr, "bench_grad: native entry: non-finite gradient\n");
            exit(2);
        }
    }
    else
        measured_loop(T->fn, T->ctx, reps);
}

/* Median over NSAMPLES of the time per call, in microseconds. */
static double
time_timed_us(const timed *T)
{
    double sample[NSAMPLES], t0, t;
    unsigned long reps = 1;
    int k;

    if (fixed_reps)
    {
        /* once, outside the measured loops (first calls resolve symbols and touch memory) */
        if (T->native)
            (void)T->native(T->out, T->in);
        else
            T->fn(T->ctx);
        t0 = now_s();
        timed_reps(T, fixed_reps);
        return (now_s() - t0) / (double)fixed_reps * 1e6;
    }
    for (;;)
    {
        t0 = now_s();
        timed_reps(T, reps);
        t = now_s() - t0;
        if (t >= MIN_SAMPLE_S)
            break;
        reps *= 2;
    }
    for (k = 0; k < NSAMPLES; k++)
    {
        t0 = now_s();
        timed_reps(T, reps);
        sample[k] = (now_s() - t0) / (double)reps * 1e6;
    }
    qsort(sample, NSAMPLES, sizeof sample[0], cmp_double);
    return sample[NSAMPLES / 2];
}

/* fn(ctx), called through a volatile pointer in a loop of its own (measured_loop), so that
 * the compiler cannot inline the body into the timing loop and hoist its loop-invariant
 * work out of it. */
static double
time_us(bench_fn fn, void *ctx)
{
    timed T = {fn, ctx, NULL, NULL, NULL};
    return time_timed_us(&T);
}

static double
time_native_us(cor_eval_d_fn fn, double *out, const double *in)
{
    timed T = {NULL, NULL, fn, out, in};
    return time_timed_us(&T);
}

/* ---- data ------------------------------------------------------------------------------ */

static uint64_t rng_state;

static double
rng_uniform(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

static double
rng_normal(void)
{
    return sqrt(-2.0 * log(rng_uniform())) * cos(2.0 * M_PI * rng_uniform());
}

/* Logistic-regression data: a[i][j] as decimal text with 6 significant digits, y[i] = +-1. */
typedef struct
{
    char a[LOG_M][LOG_D][16];
    int y[LOG_M];
} logdata;

static void
logdata_fill(logdata *D)
{
    double wstar[LOG_D];
    size_t i, j;

    rng_state = DATA_SEED;
    for (j = 0; j < LOG_D; j++)
        wstar[j] = rng_normal();
    for (i = 0; i < LOG_M; i++)
    {
        double z = 0.5 * rng_normal();
        for (j = 0; j < LOG_D; j++)
        {
            snprintf(D->a[i][j], sizeof D->a[i][j], "%.5e", rng_normal());
            z += wstar[j] * strtod(D->a[i][j], NULL);
        }
        D->y[i] = z >= 0 ? 1 : -1;
    }
}

/* ---- growable text --------------------------------------------------------------------- */

typedef struct
{
    char *s;
    size_t len, cap;
} text;

static void text_put(text *t, const char *fmt, ...) COR_PRINTF(2, 3);

static void
text_put(text *t, const char *fmt, ...)
{
    va_list ap;
    int k;

    for (;;)
    {
        va_start(ap, fmt);
        k = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (k < 0)
            abort();
        if ((size_t)k < t->cap - t->len)
            break;
        t->cap = 2 * t->cap + (size_t)k + 1024;
        t->s = realloc(t->s, t->cap);
        if (t->s == NULL)
            abort();
    }
    t->len += (size_t)k;
}

/* ---- expression side ------------------------------------------------------------------- */

typedef struct
{
    const char *name;
    double jit_s; /* compilation time of the double tape to native code, -1: none */
    cor_eval_d_fn native; /* the native entry (cor_eval_d_native), NULL: none */
    double native_s;      /* its compilation time */
    cor_expr_pool *pool;
    size_t n;
    cor_node *vars, *grad;
    cor_tape *tape;
    cor_eval_d *wd;
    cor_eval_mpfr *wm;
    double *in_d, *out_d;
    mpfr_t *in_m, *out_m;
} tape_bench;

static void
die(const char *what)
{
    fprintf(stderr, "bench_grad: %s: %s\n", what, cor_last_error()->msg);
    exit(2);
}

/* Parses text over the variables names[0..n) (created in this order), differentiates and
 * compiles the gradient. */
static void
tape_bench_init(tape_bench *B, const char *name, const char *src, size_t n, char names[][8])
{
    cor_node f;
    size_t i, col = 0;

    memset(B, 0, sizeof *B);
    B->name = name;
    B->n = n;
    B->pool = cor_expr_pool_alloc();
    B->vars = calloc(n, sizeof *B->vars);
    B->grad = calloc(n, sizeof *B->grad);
    B->in_d = calloc(n, sizeof *B->in_d);
    B->out_d = calloc(n, sizeof *B->out_d);
    B->in_m = calloc(n, sizeof *B->in_m);
    B->out_m = calloc(n, sizeof *B->out_m);
    if (!B->pool || !B->vars || !B->grad || !B->in_d || !B->out_d || !B->in_m || !B->out_m)
        die("out of memory");
    for (i = 0; i < n; i++)
    {
        B->vars[i] = cor_expr_var(B->pool, names[i]);
        if (B->vars[i] == COR_NODE_NONE)
            die("cor_expr_var");
        mpfr_init2(B->in_m[i], PREC);
        mpfr_init2(B->out_m[i], PREC);
    }
    if (cor_expr_parse(&f, &col, src, COR_PARSE_KNOWN_VARS, B->pool) != COR_OK)
        die("cor_expr_parse");
    if (cor_diff_grad(B->grad, B->pool, f, n, B->vars) != COR_OK)
        die("cor_diff_grad");
    B->tape = cor_tape_alloc(B->pool, n, B->vars, n, B->grad);
    if (B->tape == NULL)
        die("cor_tape_alloc");
    B->wd = cor_eval_d_alloc(B->tape);
    B->wm = cor_eval_mpfr_alloc(B->tape, PREC);
    if (B->wd == NULL || B->wm == NULL)
        die("workspace");
    /* native code for the double tape now (the library would otherwise compile it after
     * COR_JIT_WORK interpreted instructions); without libgccjit the interpreter runs */
    {
        double t0 = now_s();
        B->jit_s = cor_eval_d_set_jit(B->wd, COR_JIT_NOW) == COR_OK ? now_s() - t0 : -1.0;
        /* the pure native entry: COR_EUNSUP without libgccjit, and for programs compiled in
         * pieces (longer than COR_JIT_CHUNK statements), where the call costs nothing
         * against the arithmetic and cor_eval_d_run is the entry */
        t0 = now_s();
        if (cor_eval_d_native(&B->native, B->wd) == COR_OK)
            B->native_s = now_s() - t0;
        else
            B->native = NULL;
    }
}

static void
tape_bench_clear(tape_bench *B)
{
    size_t i;

    for (i = 0; i < B->n; i++)
    {
        mpfr_clear(B->in_m[i]);
        mpfr_clear(B->out_m[i]);
    }
    cor_eval_mpfr_free(B->wm);
    cor_eval_d_free(B->wd);
    cor_tape_free(B->tape);
    cor_expr_pool_free(B->pool);
    free(B->vars);
    free(B->grad);
    free(B->in_d);
    free(B->out_d);
    free(B->in_m);
    free(B->out_m);
}

static void
tape_run_d(void *ctx)
{
    tape_bench *B = ctx;

    if (cor_eval_d_run(B->wd, B->out_d, B->in_d) != COR_OK)
        die("cor_eval_d_run");
}

static void
tape_run_mpfr(void *ctx)
{
    tape_bench *B = ctx;

    if (cor_eval_mpfr_run(B->wm, B->out_m, (const mpfr_t *)B->in_m) != COR_OK)
        die("cor_eval_mpfr_run");
}

/* ---- hand-written: Rosenbrock (2 variables and chained) ----------------------------------
 * f = sum_{i<n-1} 0.5 (a - x_i)^2 + b (x_{i+1} - x_i^2)^2:
 *   d/dx_i     += (x_i - a) - 4 b x_i r_i,  r_i = x_{i+1} - x_i^2,
 *   d/dx_{i+1} += 2 b r_i.
 */

typedef struct
{
    size_t n;
    double a, b2, b4, *x, *g;
    mpfr_t ma, mb2, mb4, r, t, *mx, *mg;
} rosen_hand;

static void
rosen_hand_init(rosen_hand *H, size_t n)
{
    size_t i;

    H->n = n;
    H->a = strtod(rosen_a, NULL);
    H->b2 = 2.0 * strtod(rosen_b, NULL);
    H->b4 = 4.0 * strtod(rosen_b, NULL);
    H->x = calloc(n, sizeof *H->x);
    H->g = calloc(n, sizeof *H->g);
    H->mx = calloc(n, sizeof *H->mx);
    H->mg = calloc(n, sizeof *H->mg);
    if (!H->x || !H->g || !H->mx || !H->mg)
        die("out of memory");
    mpfr_inits2(PREC, H->ma, H->mb2, H->mb4, H->r, H->t, (mpfr_ptr)0);
    mpfr_set_str(H->ma, rosen_a, 10, MPFR_RNDN);
    mpfr_set_str(H->mb2, rosen_b, 10, MPFR_RNDN);
    mpfr_mul_2ui(H->mb4, H->mb2, 2, MPFR_RNDN);
    mpfr_mul_2ui(H->mb2, H->mb2, 1, MPFR_RNDN);
    for (i = 0; i < n; i++)
    {
        mpfr_init2(H->mx[i], PREC);
        mpfr_init2(H->mg[i], PREC);
    }
}

static void
rosen_hand_clear(rosen_hand *H)
{
    size_t i;

    for (i = 0; i < H->n; i++)
    {
        mpfr_clear(H->mx[i]);
        mpfr_clear(H->mg[i]);
    }
    mpfr_clears(H->ma, H->mb2, H->mb4, H->r, H->t, (mpfr_ptr)0);
    free(H->x);
    free(H->g);
    free(H->mx);
    free(H->mg);
}

static void
rosen2_hand_d(void *ctx)
{
    rosen_hand *H = ctx;
    double x = H->x[0], y = H->x[1];
    double r = y - x * x;

    H->g[0] = (x - H->a) - H->b4 * x * r;
    H->g[1] = H->b2 * r;
}

static void
rosen_hand_d(void *ctx)
{
    rosen_hand *H = ctx;
    const double *x = H->x;
    double *g = H->g;
    size_t i, n = H->n;

    g[0] = 0.0;
    for (i = 0; i + 1 < n; i++)
    {
        double r = x[i + 1] - x[i] * x[i];
        g[i] += (x[i] - H->a) - H->b4 * x[i] * r;
        g[i + 1] = H->b2 * r;
    }
}

static void
rosen_hand_mpfr(void *ctx)
{
    rosen_hand *H = ctx;
    size_t i, n = H->n;

    mpfr_set_zero(H->mg[0], 1);
    for (i = 0; i + 1 < n; i++)
    {
        mpfr_sqr(H->t, H->mx[i], MPFR_RNDN);
        mpfr_sub(H->r, H->mx[i + 1], H->t, MPFR_RNDN);       /* r = x_{i+1} - x_i^2 */
        mpfr_mul(H->t, H->mx[i], H->r, MPFR_RNDN);           /* t = x_i r */
        mpfr_fms(H->t, H->mb4, H->t, H->mx[i], MPFR_RNDN);   /* t = 4b x_i r - x_i */
        mpfr_add(H->t, H->t, H->ma, MPFR_RNDN);              /* t = 4b x_i r - x_i + a */
        mpfr_sub(H->mg[i], H->mg[i], H->t, MPFR_RNDN);
        mpfr_mul(H->mg[i + 1], H->mb2, H->r, MPFR_RNDN);
    }
}

/* ---- hand-written: logistic regression ----------------------------------------------------
 * z_i = <w, a_i>, s_i = sigmoid(-y_i z_i) = 1 / (1 + exp(y_i z_i)),
 * grad = sum_i (-y_i s_i / m) a_i.
 */

typedef struct
{
    double a[LOG_M][LOG_D];
    double y[LOG_M];
    double w[LOG_D], g[LOG_D];
    mpfr_t ma[LOG_M][LOG_D];
    mpfr_t mw[LOG_D], mg[LOG_D], z, s;
    const logdata *D;
} log_hand;

static void
log_hand_init(log_hand *H, const logdata *D)
{
    size_t i, j;

    H->D = D;
    for (i = 0; i < LOG_M; i++)
    {
        H->y[i] = D->y[i];
        for (j = 0; j < LOG_D; j++)
        {
            H->a[i][j] = strtod(D->a[i][j], NULL);
            mpfr_init2(H->ma[i][j], PREC);
            mpfr_set_str(H->ma[i][j], D->a[i][j], 10, MPFR_RNDN);
        }
    }
    for (j = 0; j < LOG_D; j++)
    {
        mpfr_init2(H->mw[j], PREC);
        mpfr_init2(H->mg[j], PREC);
    }
    mpfr_inits2(PREC, H->z, H->s, (mpfr_ptr)0);
}

static void
log_hand_clear(log_hand *H)
{
    size_t i, j;

    for (i = 0; i < LOG_M; i++)
        for (j = 0; j < LOG_D; j++)
            mpfr_clear(H->ma[i][j]);
    for (j = 0; j < LOG_D; j++)
    {
        mpfr_clear(H->mw[j]);
        mpfr_clear(H->mg[j]);
    }
    mpfr_clears(H->z, H->s, (mpfr_ptr)0);
}

static void
log_hand_d(void *ctx)
{
    log_hand *H = ctx;
    size_t i, j;

    for (j = 0; j < LOG_D; j++)
        H->g[j] = 0.0;
    for (i = 0; i < LOG_M; i++)
    {
        double z = 0.0, c;
        for (j = 0; j < LOG_D; j++)
            z += H->a[i][j] * H->w[j];
        c = -H->y[i] / (1.0 + exp(H->y[i] * z)) / LOG_M;
        for (j = 0; j < LOG_D; j++)
            H->g[j] += c * H->a[i][j];
    }
}

static void
log_hand_mpfr(void *ctx)
{
    log_hand *H = ctx;
    size_t i, j;

    for (j = 0; j < LOG_D; j++)
        mpfr_set_zero(H->mg[j], 1);
    for (i = 0; i < LOG_M; i++)
    {
        mpfr_mul(H->z, H->ma[i][0], H->mw[0], MPFR_RNDN);
        for (j = 1; j < LOG_D; j++)
            mpfr_fma(H->z, H->ma[i][j], H->mw[j], H->z, MPFR_RNDN);
        if (H->D->y[i] < 0)
            mpfr_neg(H->z, H->z, MPFR_RNDN);              /* y z */
        mpfr_exp(H->z, H->z, MPFR_RNDN);
        mpfr_add_ui(H->z, H->z, 1, MPFR_RNDN);
        mpfr_ui_div(H->s, 1, H->z, MPFR_RNDN);            /* s = sigmoid(-y z) */
        mpfr_div_ui(H->s, H->s, LOG_M, MPFR_RNDN);
        if (H->D->y[i] > 0)
            mpfr_neg(H->s, H->s, MPFR_RNDN);              /* c = -y s / m */
        for (j = 0; j < LOG_D; j++)
            mpfr_fma(H->mg[j], H->s, H->ma[i][j], H->mg[j], MPFR_RNDN);
    }
}

/* ---- comparison and report ----------------------------------------------------------------- */

static int nbad;

static double
max_rel_diff_d(const double *a, const double *b, size_t n)
{
    double num = 0.0, den = 0.0;
    size_t i;

    for (i = 0; i < n; i++)
    {
        num = fmax(num, fabs(a[i] - b[i]));
        den = fmax(den, fabs(b[i]));
    }
    return den > 0 ? num / den : num;
}

static double
max_rel_diff_mpfr(const mpfr_t *a, const mpfr_t *b, size_t n)
{
    mpfr_t t, num, den;
    double r;
    size_t i;

    mpfr_inits2(PREC, t, num, den, (mpfr_ptr)0);
    mpfr_set_zero(num, 1);
    mpfr_set_zero(den, 1);
    for (i = 0; i < n; i++)
    {
        mpfr_sub(t, a[i], b[i], MPFR_RNDN);
        mpfr_abs(t, t, MPFR_RNDN);
        mpfr_max(num, num, t, MPFR_RNDN);
        mpfr_abs(t, b[i], MPFR_RNDN);
        mpfr_max(den, den, t, MPFR_RNDN);
    }
    if (!mpfr_zero_p(den))
        mpfr_div(num, num, den, MPFR_RNDN);
    r = mpfr_get_d(num, MPFR_RNDN);
    mpfr_clears(t, num, den, (mpfr_ptr)0);
    return r;
}

static void
row(const char *loss, const char *backend, const char *entry, size_t n, const tape_bench *B,
    double tape_us, double hand_us, double diff)
{
    int dbl = strcmp(backend, "double") == 0;
    double target = dbl ? 2.0 : 1.5;
    double lim = dbl ? 1e-12 : 0x1p-200;
    double ratio = tape_us / hand_us;
    char engine[32];

    if (!dbl)
        snprintf(engine, sizeof engine, "interpreter");
    else if (strcmp(entry, "native_fn") == 0)
        snprintf(engine, sizeof engine, "native(%.3fs)", B->native_s);
    else if (B->jit_s >= 0)
        snprintf(engine, sizeof engine, "native(%.3fs)", B->jit_s);
    else
        snprintf(engine, sizeof engine, "interpreter");
    printf("%s\t%s\t%s\t%zu\t%zu\t%zu\t%s\t%.4g\t%.4g\t%.3f\t%.1f\t%s\t%.3e\n", loss,
           backend, entry, n, cor_tape_ninstr(B->tape), B->tape->lp->nins, engine, tape_us,
           hand_us, ratio, target, ratio <= target ? "yes" : "no", diff);
    fflush(stdout);
    if (!(diff <= lim))
    {
        fprintf(stderr, "bench_grad: %s/%s/%s: tape and hand-written gradients differ (%.3e)\n",
                loss, backend, entry, diff);
        nbad++;
    }
}

/* ---- the three losses ------------------------------------------------------------------ */

static void
bench_rosen(size_t n)
{
    char(*names)[8] = calloc(n, sizeof *names);
    text src = {NULL, 0, 0};
    const char *loss = n == 2 ? "rosenbrock" : "rosen100";
    tape_bench B;
    rosen_hand H;
    size_t i;

    if (names == NULL)
        die("out of memory");
    for (i = 0; i < n; i++)
    {
        if (n == 2)
            snprintf(names[i], sizeof names[i], "%s", i ? "y" : "x");
        else
            snprintf(names[i], sizeof names[i], "x%zu", i + 1);
    }
    for (i = 0; i + 1 < n; i++)
        text_put(&src, "%s0.5*(%s - %s)^2 + %s*(%s - %s^2)^2", i ? " + " : "", rosen_a, names[i],
                 rosen_b, names[i + 1], names[i]);
    tape_bench_init(&B, loss, src.s, n, names);
    rosen_hand_init(&H, n);
    for (i = 0; i < n; i++)
    {
        /* a point away from the minimum, with exact binary coordinates */
        double x = -1.25 + 0.0625 * (double)(i % 37);
        B.in_d[i] = H.x[i] = x;
        mpfr_set_d(B.in_m[i], x, MPFR_RNDN);
        mpfr_set_d(H.mx[i], x, MPFR_RNDN);
    }

    {
        double tn = B.native ? time_native_us(B.native, B.out_d, B.in_d) : 0;
        double th = time_us(n == 2 ? rosen2_hand_d : rosen_hand_d, &H);
        if (B.native)
            row(loss, "double", "native_fn", n, &B, tn, th, max_rel_diff_d(B.out_d, H.g, n));
        double tt = time_us(tape_run_d, &B);
        row(loss, "double", "cor_eval_d_run", n, &B, tt, th, max_rel_diff_d(B.out_d, H.g, n));
    }
    {
        double tt = time_us(tape_run_mpfr, &B);
        double th = time_us(rosen_hand_mpfr, &H);
        row(loss, "mpfr256", "cor_eval_mpfr_run", n, &B, tt, th,
            max_rel_diff_mpfr((const mpfr_t *)B.out_m, (const mpfr_t *)H.mg, n));
    }
    rosen_hand_clear(&H);
    tape_bench_clear(&B);
    free(src.s);
    free(names);
}

static void
bench_logistic(void)
{
    logdata *D = malloc(sizeof *D);
    log_hand *H = malloc(sizeof *H);
    char names[LOG_D][8];
    text src = {NULL, 0, 0};
    tape_bench B;
    size_t i, j;

    if (D == NULL || H == NULL)
        die("out of memory");
    logdata_fill(D);
    for (j = 0; j < LOG_D; j++)
        snprintf(names[j], sizeof names[j], "w%zu", j + 1);
    text_put(&src, "(");
    for (i = 0; i < LOG_M; i++)
    {
        text_put(&src, "%slog(1 + exp(%s(", i ? " + " : "", D->y[i] > 0 ? "-" : "");
        for (j = 0; j < LOG_D; j++)
            text_put(&src, "%s%s*%s", j ? " + " : "", D->a[i][j], names[j]);
        text_put(&src, ")))");
    }
    text_put(&src, ")/%d", LOG_M);
    tape_bench_init(&B, "logistic", src.s, LOG_D, names);
    log_hand_init(H, D);
    rng_state = DATA_SEED + 1;
    for (j = 0; j < LOG_D; j++)
    {
        double w = rng_uniform() - 0.5;
        B.in_d[j] = H->w[j] = w;
        mpfr_set_d(B.in_m[j], w, MPFR_RNDN);
        mpfr_set_d(H->mw[j], w, MPFR_RNDN);
    }

    {
        double tn = B.native ? time_native_us(B.native, B.out_d, B.in_d) : 0;
        double th = time_us(log_hand_d, H);
        if (B.native)
            row("logistic", "double", "native_fn", LOG_D, &B, tn, th,
                max_rel_diff_d(B.out_d, H->g, LOG_D));
        double tt = time_us(tape_run_d, &B);
        row("logistic", "double", "cor_eval_d_run", LOG_D, &B, tt, th,
            max_rel_diff_d(B.out_d, H->g, LOG_D));
    }
    {
        double tt = time_us(tape_run_mpfr, &B);
        double th = time_us(log_hand_mpfr, H);
        row("logistic", "mpfr256", "cor_eval_mpfr_run", LOG_D, &B, tt, th,
            max_rel_diff_mpfr((const mpfr_t *)B.out_m, (const mpfr_t *)H->mg, LOG_D));
    }
    log_hand_clear(H);
    tape_bench_clear(&B);
    free(src.s);
    free(H);
    free(D);
}

int
main(int argc, char **argv)
{
    time_t t = time(NULL);
    char date[32];

    if (argc == 2 && strcmp(argv[1], "--help") == 0)
    {
        printf("usage: bench_grad [--reps N] [--only rosenbrock|rosen100|logistic]\n"
               "Times gradients through the tape against hand-written code; writes a TSV table.\n"
               "--reps N runs every function exactly N times (one sample), for callgrind.\n");
        return 0;
    }
    for (int a = 1; a < argc; a += 2)
    {
        if (a + 1 < argc && strcmp(argv[a], "--reps") == 0)
        {
            char *end;
            fixed_reps = strtoul(argv[a + 1], &end, 10);
            if (*end || fixed_reps == 0)
            {
                fprintf(stderr, "bench_grad: --reps wants a positive integer, not '%s'\n",
                        argv[a + 1]);
                return 2;
            }
        }
        else if (a + 1 < argc && strcmp(argv[a], "--only") == 0
                 && (!strcmp(argv[a + 1], "rosenbrock") || !strcmp(argv[a + 1], "rosen100")
                     || !strcmp(argv[a + 1], "logistic")))
            only = argv[a + 1];
        else
        {
            fprintf(stderr, "bench_grad: unknown or incomplete argument '%s' (try --help)\n",
                    argv[a]);
            return 2;
        }
    }

    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    printf("# program=bench_grad\n# build=%s\n# date=%s\n", cor_build_info(), date);
    printf("# timing=median of %d samples of >= %.1f s, CLOCK_MONOTONIC, per gradient call\n",
           NSAMPLES, MIN_SAMPLE_S);
    printf("# logistic: m=%d d=%d data_seed=%u; rosenbrock: a=%s b=%s; mpfr precision=%d\n",
           LOG_M, LOG_D, DATA_SEED, rosen_a, rosen_b, PREC);
    printf("loss\tbackend\tentry\tn\ttape_instr\tlowered_instr\tengine\ttape_us\thand_us\tratio\t"
           "target\tmeets\tmax_rel_diff\n");
    if (!only || !strcmp(only, "rosenbrock"))
        bench_rosen(2);
    if (!only || !strcmp(only, "rosen100"))
        bench_rosen(ROSEN_N);
    if (!only || !strcmp(only, "logistic"))
        bench_logistic();
    return nbad ? 1 : 0;
}
