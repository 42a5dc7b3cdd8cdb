/* exp_train_summary.c -- the tables of the analogues of Figures 2-9 of Dherin & Rosca (2024),
 * Sec. 4.2 and App. B, computed from the logs of the `corridor train` runs that
 * experiments/paper_train.sh made, with the paper's qualitative claims checked on them.
 *
 * Input: RUNS/EXP/NAME.tsv, the per-step logs of corridor train (doc/train.md), for the
 * experiments EXP = resnet, capped, vgg, third (see paper_train.sh). Each log's preamble gives
 * the run's model, method, lr, lr_max (the cap), batch and seed; its rows give, per step, the
 * batch loss, the step size the stepper used (for CLR: L/|grad L|^2, capped), |grad L| and,
 * with --log-hg, |H grad L|; per epoch, the test accuracy.
 *
 * Per run:
 *   epoch loss      the mean of the batch losses of an epoch (every training image once);
 *   steps to target the first step k >= nb (nb = steps per epoch) at which the mean of the
 *                   last nb batch losses is <= the target (--target, default 0.01), or never;
 *   final accuracy  the test accuracy after the last epoch (nan when the run diverged).
 * Over the 3 seeds of a curve: mean, min and max of each quantity per epoch (per step for the
 * CLR value and |H grad L|); only while every seed has a finite value, so the curve of a
 * learning rate at which a seed diverged ends at the divergence. Steps to target of a curve:
 * the median over its seeds (a seed that never reaches it counts as infinitely many steps).
 *
 * Claims (one `# summary<TAB>claim<TAB>prediction<TAB>measured<TAB>verdict` line each, verdict
 * "holds" or "does not hold" as measured; experiments/summary.sh gathers them):
 *   Fig. 2, 6, 5   CLR reaches the target in fewer steps than every SGD rate of the sweep;
 *   Fig. 2, 6, 5   the best SGD rate (highest mean final test accuracy among the rates at which
 *                  no seed diverged) has a better test accuracy than CLR;
 *   Fig. 8         the same speed claim for CLR capped at 10 against the SGD sweep;
 *   Fig. 3, 9      (capped) CLR reaches the target at every batch size;
 *   Fig. 4         the CLR value rises, then decays (uncapped: at every batch size; capped:
 *                  at the main one): the run cut into 20 blocks of equal
 *                  length, the block means (seed-averaged) peak in a block after the first
 *                  at >= 1.5 times the first block, and the last block is <= 1/1.5 of the peak;
 *   Fig. 7         |H grad L| decreases along the CLR trajectory: median over the last tenth
 *                  of the logged steps < median over the first tenth.
 *
 * Output (OUT/PREFIXNAME.tsv, each written to a temporary file and renamed):
 *   runs        one row per run: its settings and the per-run quantities above;
 *   fig2, fig5, fig6, fig8     curve epoch step train_loss_{mean,min,max}
 *                              test_acc_{mean,min,max} nseeds
 *                              (curves: clr or clr_cap10, sgd_lr<H>), at the main batch size;
 *   fig3, fig9  the same per batch size (curves b<B>), x = epochs;
 *   fig4        curve step epoch lr_{mean,min,max} (CLR value per step; curves
 *               resnet_b<B>, capped_b<B>; epoch = step / steps per epoch);
 *   fig7        step epoch loss_{mean,min,max} hg_norm_{mean,min,max} grad_norm_{mean,min,max}
 *               at the steps where |H grad L| was logged (resnet, CLR, main batch size).
 * Each figure's preamble lists its curves (`# curves=...`, in plotting order).
 *
 * Usage: exp_train_summary --runs DIR [-o OUTDIR] [--prefix P] [--target T] [--scale NAME]
 *                          [--label TEXT]
 * Exit status 0 (whatever the verdicts), 2 bad options or no runs, 1 I/O errors.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "cor_table.h"

#define PAPER_REF "Dherin & Rosca 2024, arXiv 2402.08818, Sec. 4.2 and App. B, Figures 2-9"
#define MAXRUNS 4096
#define NBLOCK 20
#define RISE 1.5

static const char usage[] =
    "Usage: exp_train_summary --runs DIR [-o OUTDIR] [--prefix P] [--target T] [--scale NAME]\n"
    "                         [--label TEXT]\n"
    "Reads the corridor train logs DIR/{resnet,capped,vgg,third}/*.tsv written by\n"
    "paper_train.sh and writes the tables of the Figure 2-9 analogues to OUTDIR (default\n"
    "results) as PREFIX<name>.tsv (default prefix paper_), with one `# summary` line per\n"
    "claim. --target: the training loss the speed claims are about (default 0.01).\n"
    "--label: the name of IDX data in titles (e.g. \"Fashion-MNIST, 256 images\").\n";

static const char *progname = "exp_train_summary";

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);

    if (!p)
        die(1, "out of memory");
    return p;
}

static void *
xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (!q)
        die(1, "out of memory");
    return q;
}

static char *
xstrdup(const char *s)
{
    char *d = xcalloc(strlen(s) + 1, 1);

    memcpy(d, s, strlen(s) + 1);
    return d;
}

/* ---- runs ---------------------------------------------------------------------------------- */

typedef struct
{
    char *exp, *file, *model, *method, *lr, *cap, *data;
    long batch, seed;
    /* training rows, by step (index k = step - 1) */
    size_t nsteps, cap_steps;
    double *loss, *lr_used, *gnorm, *hg;
    long *epoch;
    /* test rows, by epoch */
    size_t ntest;
    double *test_acc;
    long *test_epoch;
    int diverged;
    size_t nb;      /* steps per epoch */
    size_t nepochs; /* complete epochs */
    double *eloss, *elr, *eacc; /* per complete epoch */
    double steps_to_target;     /* INFINITY: never */
    double final_acc;
} run;

typedef struct
{
    run *r;
    size_t n;
} runset;

static double
parse_num(const char *s)
{
    char *end;
    double v;

    if (!s || !*s)
        return NAN;
    v = strtod(s, &end);
    return end == s ? NAN : v;
}

/* Splits line at tabs in place; returns the number of fields (at most max). */
static int
split_tabs(char *line, char **f, int max)
{
    int n = 0;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < max)
    {
        f[n++] = line;
        line = strchr(line, '\t');
        if (!line)
            break;
        *line++ = '\0';
    }
    return n;
}

static void
push_step(run *r, long step, long epoch, double loss, double lr, double gn, double hg)
{
    size_t k;

    if (step < 1)
        return;
    k = (size_t)step - 1;
    if (k >= r->cap_steps)
    {
        size_t c = r->cap_steps ? r->cap_steps : 256;

        while (c <= k)
            c *= 2;
        r->loss = xrealloc(r->loss, c * sizeof(double));
        r->lr_used = xrealloc(r->lr_used, c * sizeof(double));
        r->gnorm = xrealloc(r->gnorm, c * sizeof(double));
        r->hg = xrealloc(r->hg, c * sizeof(double));
        r->epoch = xrealloc(r->epoch, c * sizeof(long));
        for (size_t i = r->cap_steps; i < c; i++)
        {
            r->loss[i] = r->lr_used[i] = r->gnorm[i] = r->hg[i] = NAN;
            r->epoch[i] = -1;
        }
        r->cap_steps = c;
    }
    r->loss[k] = loss;
    r->lr_used[k] = lr;
    r->gnorm[k] = gn;
    r->hg[k] = hg;
    r->epoch[k] = epoch;
    if (k + 1 > r->nsteps)
        r->nsteps = k + 1;
}

/* Reads one log; returns 0 when it is not a corridor train log (skipped with a note). */
static int
read_log(run *r, const char *exp, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[8192], *fld[16];
    int have_header = 0;

    if (!f)
        die(1, "%s: cannot read: %s", path, strerror(errno));
    memset(r, 0, sizeof *r);
    r->exp = xstrdup(exp);
    r->file = xstrdup(path);
    r->batch = -1;
    r->seed = -1;
    while (fgets(line, sizeof line, f))
    {
        if (line[0] == '#')
        {
            char *eq = strchr(line, '=');
            const char *key = line + 2;

            if (line[1] != ' ' || !eq)
                continue;
            *eq = '\0';
            eq[1 + strcspn(eq + 1, "\r\n")] = '\0';
            if (strcmp(key, "model") == 0)
                r->model = xstrdup(eq + 1);
            else if (strcmp(key, "method") == 0)
                r->method = xstrdup(eq + 1);
            else if (strcmp(key, "lr") == 0)
                r->lr = xstrdup(eq + 1);
            else if (strcmp(key, "lr_max") == 0)
                r->cap = xstrdup(eq + 1);
            else if (strcmp(key, "data") == 0)
                r->data = xstrdup(eq + 1);
            else if (strcmp(key, "batch") == 0)
                r->batch = strtol(eq + 1, NULL, 10);
            else if (strcmp(key, "seed") == 0)
                r->seed = strtol(eq + 1, NULL, 10);
            continue;
        }
        if (!have_header)
        {
            if (strncmp(line, "kind\tstep\tepoch\tloss\taccuracy\tlr\tgrad_norm\thg_norm", 48) != 0)
                break;
            have_header = 1;
            continue;
        }
        if (split_tabs(line, fld, 16) < 8)
            die(1, "%s: a row with fewer than 8 fields", path);
        if (strcmp(fld[0], "train") == 0)
            push_step(r, strtol(fld[1], NULL, 10), strtol(fld[2], NULL, 10), parse_num(fld[3]),
                      parse_num(fld[5]), parse_num(fld[6]), parse_num(fld[7]));
        else if (strcmp(fld[0], "test") == 0)
        {
            r->test_acc = xrealloc(r->test_acc, (r->ntest + 1) * sizeof(double));
            r->test_epoch = xrealloc(r->test_epoch, (r->ntest + 1) * sizeof(long));
            r->test_acc[r->ntest] = parse_num(fld[4]);
            r->test_epoch[r->ntest] = strtol(fld[2], NULL, 10);
            r->ntest++;
        }
    }
    fclose(f);
    if (!have_header || !r->model || !r->method || r->batch < 1 || r->seed < 0)
    {
        fprintf(stderr, "%s: %s: not a corridor train log, skipped\n", progname, path);
        return 0;
    }
    if (!r->lr)
        r->lr = xstrdup("-");
    return 1;
}

/* Per-run quantities (see the top comment). */
static void
analyse_run(run *r, double target)
{
    size_t nb = 0, k;

    for (k = 0; k < r->nsteps; k++)
        if (!isfinite(r->loss[k]))
            r->diverged = 1;
    for (k = 0; k < r->nsteps && r->epoch[k] == 0; k++)
        nb++;
    r->nb = nb ? nb : 1;
    r->nepochs = r->nsteps / r->nb;
    r->eloss = xcalloc(r->nepochs, sizeof(double));
    r->elr = xcalloc(r->nepochs, sizeof(double));
    r->eacc = xcalloc(r->nepochs, sizeof(double));
    for (size_t e = 0; e < r->nepochs; e++)
    {
        double sl = 0, sh = 0;

        for (k = e * r->nb; k < (e + 1) * r->nb; k++)
        {
            sl += r->loss[k];
            sh += r->lr_used[k];
        }
        r->eloss[e] = sl / (double)r->nb;
        r->elr[e] = sh / (double)r->nb;
        r->eacc[e] = NAN;
    }
    for (size_t i = 0; i < r->ntest; i++)
        if (r->test_epoch[i] >= 0 && (size_t)r->test_epoch[i] < r->nepochs)
            r->eacc[r->test_epoch[i]] = r->test_acc[i];
    r->final_acc = (!r->diverged && r->ntest) ? r->test_acc[r->ntest - 1] : NAN;
    /* steps to target: trailing mean over one epoch's worth of steps */
    r->steps_to_target = INFINITY;
    {
        double s = 0;

        for (k = 0; k < r->nsteps; k++)
        {
            s += r->loss[k];
            if (k >= r->nb)
                s -= r->loss[k - r->nb];
            if (k + 1 >= r->nb && !isfinite(s))
                break;
            if (k + 1 >= r->nb && s / (double)r->nb <= target)
            {
                r->steps_to_target = (double)(k + 1);
                break;
            }
        }
    }
}

/* Frees what a run holds. */
static void
run_clear(run *r)
{
    {
        free(r->exp);
        free(r->file);
        free(r->model);
        free(r->method);
        free(r->lr);
        free(r->cap);
        free(r->data);
        free(r->loss);
        free(r->lr_used);
        free(r->gnorm);
        free(r->hg);
        free(r->epoch);
        free(r->test_acc);
        free(r->test_epoch);
        free(r->eloss);
        free(r->elr);
        free(r->eacc);
    }
    memset(r, 0, sizeof *r);
}

static void
runs_free(runset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        run_clear(&rs->r[i]);
    free(rs->r);
    rs->r = NULL;
    rs->n = 0;
}

static void
load_runs(runset *rs, const char *root, double target)
{
    static const char *const exps[] = {"resnet", "capped", "vgg", "third"};

    rs->r = xcalloc(MAXRUNS, sizeof(run));
    rs->n = 0;
    for (size_t i = 0; i < sizeof exps / sizeof exps[0]; i++)
    {
        char dir[4096];
        DIR *d;
        struct dirent *de;
        char **names = NULL;
        size_t nn = 0;

        snprintf(dir, sizeof dir, "%s/%s", root, exps[i]);
        if (!(d = opendir(dir)))
            continue;
        while ((de = readdir(d)))
        {
            size_t len = strlen(de->d_name);

            if (len > 4 && strcmp(de->d_name + len - 4, ".tsv") == 0)
            {
                names = xrealloc(names, (nn + 1) * sizeof *names);
                names[nn++] = xstrdup(de->d_name);
            }
        }
        closedir(d);
        /* a stable order: sort the names */
        for (size_t a = 1; a < nn; a++)
            for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--)
            {
                char *t = names[b];
                names[b] = names[b - 1];
                names[b - 1] = t;
            }
        for (size_t j = 0; j < nn; j++)
        {
            char path[8200];

            snprintf(path, sizeof path, "%s/%s", dir, names[j]);
            if (rs->n == MAXRUNS)
                die(2, "more than %d runs", MAXRUNS);
            if (read_log(&rs->r[rs->n], exps[i], path))
            {
                analyse_run(&rs->r[rs->n], target);
                rs->n++;
            }
            else
                run_clear(&rs->r[rs->n]);
            free(names[j]);
        }
        free(names);
    }
}

/* ---- curves: groups of seeds -------------------------------------------------------------- */

typedef struct
{
    char name[64];
    run *seed[16];
    size_t n;
    double lr_num; /* SGD: the rate; CLR: NAN */
    long batch;
    int is_clr;
} curve;

typedef struct
{
    curve c[64];
    size_t n;
} curveset;

static int
is_clr(const run *r)
{
    return strcmp(r->method, "clr") == 0;
}

/* Adds r to the curve called name (created on first use). */
static void
curve_add(curveset *cs, const char *name, run *r)
{
    size_t i;

    for (i = 0; i < cs->n; i++)
        if (strcmp(cs->c[i].name, name) == 0)
            break;
    if (i == cs->n)
    {
        if (cs->n == 64)
            die(2, "too many curves");
        memset(&cs->c[i], 0, sizeof cs->c[i]);
        snprintf(cs->c[i].name, sizeof cs->c[i].name, "%s", name);
        cs->c[i].lr_num = is_clr(r) ? NAN : parse_num(r->lr);
        cs->c[i].batch = r->batch;
        cs->c[i].is_clr = is_clr(r);
        cs->n++;
    }
    if (cs->c[i].n < 16)
        cs->c[i].seed[cs->c[i].n++] = r;
}

/* Orders curves: CLR first, then SGD by increasing rate, then by batch size. */
static int
curve_cmp(const void *pa, const void *pb)
{
    const curve *a = pa, *b = pb;

    if (a->is_clr != b->is_clr)
        return a->is_clr ? -1 : 1;
    if (!a->is_clr && a->lr_num != b->lr_num)
        return a->lr_num < b->lr_num ? -1 : 1;
    if (a->batch != b->batch)
        return a->batch < b->batch ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void
curves_sort(curveset *cs)
{
    qsort(cs->c, cs->n, sizeof cs->c[0], curve_cmp);
}

/* The main batch size of an experiment: that of its SGD runs, else that of its CLR runs with
 * |H grad L| logged, else the main batch size of the resnet experiment if exp has runs there
 * (the capped experiment of the small scale), else its smallest batch size; -1 without runs. */
static long
main_batch(const runset *rs, const char *exp)
{
    long smallest = -1;

    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].exp, exp) == 0 && !is_clr(&rs->r[i]))
            return rs->r[i].batch;
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].exp, exp) == 0)
            for (size_t k = 0; k < rs->r[i].nsteps; k++)
                if (isfinite(rs->r[i].hg[k]))
                    return rs->r[i].batch;
    if (strcmp(exp, "resnet") != 0)
    {
        long b = main_batch(rs, "resnet");

        for (size_t i = 0; i < rs->n; i++)
            if (strcmp(rs->r[i].exp, exp) == 0 && rs->r[i].batch == b)
                return b;
    }
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].exp, exp) == 0 && (smallest < 0 || rs->r[i].batch < smallest))
            smallest = rs->r[i].batch;
    return smallest;
}

static double
median3(double *v, size_t n)
{
    /* median of n values (n small), infinities allowed */
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && v[b - 1] > v[b]; b--)
        {
            double t = v[b];
            v[b] = v[b - 1];
            v[b - 1] = t;
        }
    if (n == 0)
        return NAN;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double
curve_steps_to_target(const curve *c)
{
    double v[16];

    for (size_t i = 0; i < c->n; i++)
        v[i] = c->seed[i]->steps_to_target;
    return median3(v, c->n);
}

static int
curve_diverged(const curve *c)
{
    int n = 0;

    for (size_t i = 0; i < c->n; i++)
        n += c->seed[i]->diverged;
    return n;
}

static double
curve_final_acc(const curve *c)
{
    double s = 0;

    for (size_t i = 0; i < c->n; i++)
        s += c->seed[i]->final_acc;
    return c->n ? s / (double)c->n : NAN;
}

/* ---- output -------------------------------------------------------------------------------- */

static int curve_diverged(const curve *c);

typedef struct
{
    cor_table *t;
    FILE *f;
    char path[4096], tmp[4200];
    char *summary; /* accumulated summary lines */
    size_t slen;
} out_table;

typedef struct
{
    const char *outdir, *prefix, *scale, *runs, *label;
    double target;
    int argc;
    char **argv;
} options;

static void
tcheck(out_table *o, int st)
{
    if (st != COR_OK)
        die(1, "%s: %s", o->path, cor_last_error()->msg);
}

static void
table_open(out_table *o, const options *op, const char *name, const char *what,
           const curveset *cs, size_t ncols, const char *const *cols)
{
    int fd;

    memset(o, 0, sizeof *o);
    snprintf(o->path, sizeof o->path, "%s/%s%s.tsv", op->outdir, op->prefix, name);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", o->path);
    if ((fd = mkstemp(o->tmp)) < 0 || !(o->f = fdopen(fd, "w")))
        die(1, "%s: cannot write: %s", o->tmp, strerror(errno));
    if (!(o->t = cor_table_alloc_stream(o->f, COR_TABLE_TSV)))
        die(1, "%s: %s", o->path, cor_last_error()->msg);
    tcheck(o, cor_table_meta_std(o->t, progname, op->argc, op->argv, COR_TABLE_NOW));
    tcheck(o, cor_table_meta(o->t, "paper", PAPER_REF));
    tcheck(o, cor_table_meta(o->t, "table", what));
    tcheck(o, cor_table_meta(o->t, "scale", op->scale));
    tcheck(o, cor_table_meta(o->t, "runs", op->runs));
    tcheck(o, cor_table_meta_printf(o->t, "target_loss", "%g", op->target));
    if (cs)
    {
        char buf[4096] = "";

        for (size_t i = 0; i < cs->n; i++)
        {
            if (i)
                strncat(buf, " ", sizeof buf - strlen(buf) - 1);
            strncat(buf, cs->c[i].name, sizeof buf - strlen(buf) - 1);
        }
        tcheck(o, cor_table_meta(o->t, "curves", buf));
        buf[0] = '\0';
        for (size_t i = 0; i < cs->n; i++)
            if (curve_diverged(&cs->c[i]))
            {
                if (buf[0])
                    strncat(buf, " ", sizeof buf - strlen(buf) - 1);
                strncat(buf, cs->c[i].name, sizeof buf - strlen(buf) - 1);
            }
        tcheck(o, cor_table_meta(o->t, "diverged_curves", buf));
        for (size_t i = 0; i < cs->n; i++)
        {
            char key[80], val[512];

            snprintf(key, sizeof key, "curve_%zu", i);
            snprintf(val, sizeof val, "%s: %s %s%s%s%s%s batch %ld, %zu seeds, %d diverged",
                     cs->c[i].name, cs->c[i].seed[0]->model, cs->c[i].seed[0]->method,
                     cs->c[i].is_clr ? "" : " lr ", cs->c[i].is_clr ? "" : cs->c[i].seed[0]->lr,
                     cs->c[i].seed[0]->cap ? " cap " : "",
                     cs->c[i].seed[0]->cap ? cs->c[i].seed[0]->cap : "", cs->c[i].batch,
                     cs->c[i].n, curve_diverged(&cs->c[i]));
            tcheck(o, cor_table_meta(o->t, key, val));
        }
    }
    tcheck(o, cor_table_header(o->t, ncols, cols));
}

/* Adds a summary line; tabs and newlines in the texts become spaces. */
static void
table_summary(out_table *o, const char *claim, const char *prediction, const char *measured,
              int holds)
{
    const char *parts[3] = {claim, prediction, measured};
    size_t need = 32 + strlen(claim) + strlen(prediction) + strlen(measured);
    char *p;

    o->summary = xrealloc(o->summary, o->slen + need);
    p = o->summary + o->slen;
    p += sprintf(p, "# summary");
    for (int i = 0; i < 3; i++)
    {
        *p++ = '\t';
        for (const char *s = parts[i]; *s; s++)
            *p++ = (*s == '\t' || *s == '\n') ? ' ' : *s;
    }
    p += sprintf(p, "\t%s\n", holds ? "holds" : "does not hold");
    o->slen = (size_t)(p - o->summary);
    printf("%s: %s -- %s\n", holds ? "held    " : "NOT held", claim, measured);
}

static void
table_close(out_table *o)
{
    tcheck(o, cor_table_close(o->t));
    if (o->summary)
        fwrite(o->summary, 1, o->slen, o->f);
    if (ferror(o->f) | (fclose(o->f) != 0) || rename(o->tmp, o->path) != 0)
    {
        remove(o->tmp);
        die(1, "%s: write error: %s", o->path, strerror(errno));
    }
    free(o->summary);
}

static void
cell_d(out_table *o, double v)
{
    tcheck(o, cor_table_cell_d(o->t, v));
}

static void
cell_s(out_table *o, const char *s)
{
    tcheck(o, cor_table_cell_str(o->t, s));
}

static void
cell_u(out_table *o, uint64_t v)
{
    tcheck(o, cor_table_cell_u64(o->t, v));
}

static void
row_end(out_table *o)
{
    tcheck(o, cor_table_row_end(o->t));
}

/* mean, min, max of v[0..n) (all finite) */
static void
stats3(const double *v, size_t n, double *mean, double *mn, double *mx)
{
    double s = 0;

    *mn = INFINITY;
    *mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
    {
        s += v[i];
        if (v[i] < *mn)
            *mn = v[i];
        if (v[i] > *mx)
            *mx = v[i];
    }
    *mean = s / (double)n;
}

/* The per-epoch curve table (figures 2, 3, 5, 6, 8, 9). */
static void
write_epoch_curves(out_table *o, const curveset *cs)
{
    for (size_t i = 0; i < cs->n; i++)
    {
        const curve *c = &cs->c[i];
        size_t ne = SIZE_MAX;

        for (size_t s = 0; s < c->n; s++)
            if (c->seed[s]->nepochs < ne)
                ne = c->seed[s]->nepochs;
        for (size_t e = 0; e < ne; e++)
        {
            double l[16], a[16], m, lo, hi;
            size_t na = 0, finite = 1;

            for (size_t s = 0; s < c->n; s++)
            {
                l[s] = c->seed[s]->eloss[e];
                finite &= isfinite(l[s]) != 0;
                if (isfinite(c->seed[s]->eacc[e]))
                    a[na++] = c->seed[s]->eacc[e];
            }
            if (!finite)
                break;
            cell_s(o, c->name);
            cell_u(o, e + 1);
            cell_u(o, (e + 1) * c->seed[0]->nb);
            stats3(l, c->n, &m, &lo, &hi);
            cell_d(o, m);
            cell_d(o, lo);
            cell_d(o, hi);
            if (na == c->n)
            {
                stats3(a, na, &m, &lo, &hi);
                cell_d(o, m);
                cell_d(o, lo);
                cell_d(o, hi);
            }
            else
            {
                cell_d(o, NAN);
                cell_d(o, NAN);
                cell_d(o, NAN);
            }
            cell_u(o, c->n);
            row_end(o);
        }
    }
}

static const char *const epoch_cols[] = {
    "curve",          "epoch",         "step",          "train_loss_mean", "train_loss_min",
    "train_loss_max", "test_acc_mean", "test_acc_min",  "test_acc_max",    "nseeds"};

static void
fmt_steps(char *buf, size_t len, double s)
{
    if (isfinite(s))
        snprintf(buf, len, "%.0f", s);
    else
        snprintf(buf, len, "never");
}

static double capped_percent(const curve *c);

/* Appends " [S seeds]" or " [S1-S2 seeds per curve]" to buf. */
static void
append_seeds(char *buf, size_t len, const curveset *cs)
{
    size_t lo = SIZE_MAX, hi = 0;

    for (size_t i = 0; i < cs->n; i++)
    {
        if (cs->c[i].n < lo)
            lo = cs->c[i].n;
        if (cs->c[i].n > hi)
            hi = cs->c[i].n;
    }
    if (lo == hi)
        snprintf(buf + strlen(buf), len - strlen(buf), " [%zu seeds]", hi);
    else
        snprintf(buf + strlen(buf), len - strlen(buf), " [%zu-%zu seeds per curve]", lo, hi);
}

/* The CLR-vs-SGD claims of one figure: speed and test accuracy. */
static void
claims_vs_sgd(out_table *o, const curveset *cs, const char *fig, const char *what,
              const options *op, int with_acc)
{
    const curve *clr = NULL;
    char measured[4096], buf[64], claim[1200], pred[512];
    double sclr, best_acc = -1, clr_acc;
    const curve *best = NULL;
    int faster = 1, nsgd = 0;

    for (size_t i = 0; i < cs->n; i++)
        if (cs->c[i].is_clr)
            clr = &cs->c[i];
    if (!clr)
        return;
    sclr = curve_steps_to_target(clr);
    fmt_steps(buf, sizeof buf, sclr);
    snprintf(measured, sizeof measured, "median steps to loss %g: %s %s", op->target,
             clr->name, buf);
    if (clr->seed[0]->cap)
        snprintf(measured + strlen(measured), sizeof measured - strlen(measured),
                 " (at the cap %.1f%% of steps)", capped_percent(clr));
    for (size_t i = 0; i < cs->n; i++)
    {
        const curve *c = &cs->c[i];
        double s;

        if (c->is_clr)
            continue;
        nsgd++;
        s = curve_steps_to_target(c);
        fmt_steps(buf, sizeof buf, s);
        snprintf(measured + strlen(measured), sizeof measured - strlen(measured),
                 "; sgd %s %s%s", c->seed[0]->lr, buf,
                 curve_diverged(c) ? " (diverged)" : "");
        if (!(sclr < s))
            faster = 0;
    }
    if (nsgd == 0)
        return;
    append_seeds(measured, sizeof measured, cs);
    snprintf(claim, sizeof claim, "%s: %s: CLR reaches training loss %g in fewer steps than "
             "every SGD rate of the sweep", fig, what, op->target);
    snprintf(pred, sizeof pred, "steps(CLR) < min over %d SGD rates of steps(SGD)", nsgd);
    table_summary(o, claim, pred, measured, faster);
    if (!with_acc)
        return;
    clr_acc = curve_final_acc(clr);
    for (size_t i = 0; i < cs->n; i++)
    {
        const curve *c = &cs->c[i];
        double a;

        if (c->is_clr || curve_diverged(c))
            continue;
        a = curve_final_acc(c);
        if (isfinite(a) && a > best_acc)
            best_acc = a, best = c;
    }
    snprintf(claim, sizeof claim, "%s: %s: the best SGD rate reaches a better test accuracy "
             "than CLR", fig, what);
    snprintf(pred, sizeof pred, "final test accuracy (mean of seeds): best SGD > CLR");
    if (best)
        snprintf(measured, sizeof measured, "best SGD (lr %s) %.4f; CLR %.4f", best->seed[0]->lr,
                 best_acc, clr_acc);
    else
        snprintf(measured, sizeof measured, "no SGD rate finished without divergence; CLR %.4f",
                 clr_acc);
    append_seeds(measured, sizeof measured, cs);
    table_summary(o, claim, pred, measured, best && isfinite(clr_acc) && best_acc > clr_acc);
}

/* Curves of one experiment at its main batch: CLR and the SGD rates (from sgd_exp). */
static void
collect_vs_sgd(curveset *cs, runset *rs, const char *exp, const char *sgd_exp, long batch,
               const char *clr_name)
{
    char name[64];
    const char *model = NULL;

    cs->n = 0;
    for (size_t i = 0; i < rs->n; i++)
    {
        run *r = &rs->r[i];

        if (strcmp(r->exp, exp) == 0 && r->batch == batch && is_clr(r))
        {
            curve_add(cs, clr_name, r);
            model = r->model;
        }
    }
    for (size_t i = 0; i < rs->n; i++)
    {
        run *r = &rs->r[i];

        if (strcmp(r->exp, sgd_exp) == 0 && r->batch == batch && !is_clr(r)
            && (!model || strcmp(model, r->model) == 0))
        {
            snprintf(name, sizeof name, "sgd_lr%s", r->lr);
            curve_add(cs, name, r);
        }
    }
    curves_sort(cs);
}

static void
collect_batches(curveset *cs, runset *rs, const char *exp)
{
    char name[64];

    cs->n = 0;
    for (size_t i = 0; i < rs->n; i++)
    {
        run *r = &rs->r[i];

        if (strcmp(r->exp, exp) == 0 && is_clr(r))
        {
            snprintf(name, sizeof name, "b%ld", r->batch);
            curve_add(cs, name, r);
        }
    }
    curves_sort(cs);
}

static int
has_sgd(const runset *rs, const char *exp)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].exp, exp) == 0 && !is_clr(&rs->r[i]))
            return 1;
    return 0;
}

/* A readable name of a run's data set: CIFAR-10, ImageNet, or --label for IDX data. */
static const char *
data_label(const run *r, const options *op)
{
    if (r->data && strncmp(r->data, "cifar10", 7) == 0)
        return "CIFAR-10";
    if (r->data && strncmp(r->data, "imagenet", 8) == 0)
        return "ImageNet";
    if (op->label)
        return op->label;
    return r->data ? r->data : "?";
}

/* "CLR" or "CLR capped at C" for a CLR run. */
static void
clr_label(char *buf, size_t len, const run *r)
{
    if (r->cap)
        snprintf(buf, len, "CLR capped at %s", r->cap);
    else
        snprintf(buf, len, "CLR");
}

/* Percentage of the steps of the CLR runs of c at which the cap was the step size. */
static double
capped_percent(const curve *c)
{
    size_t n = 0, at = 0;

    for (size_t s = 0; s < c->n; s++)
    {
        const run *r = c->seed[s];
        double cap = r->cap ? parse_num(r->cap) : NAN;

        for (size_t k = 0; k < r->nsteps; k++)
            if (isfinite(r->lr_used[k]))
            {
                n++;
                at += isfinite(cap) && r->lr_used[k] >= cap * (1 - 1e-6);
            }
    }
    return n ? 100.0 * (double)at / (double)n : NAN;
}

static void
fig_vs_sgd(runset *rs, const options *op, const char *name, const char *fig, const char *exp,
           int with_acc)
{
    curveset *cs = xcalloc(1, sizeof *cs);
    out_table o;
    long b = main_batch(rs, exp);
    const char *sgd_exp = has_sgd(rs, exp) ? exp : "resnet";
    char what2[1024], cl[128];

    if (b < 0)
    {
        fprintf(stderr, "%s: no runs for %s (%s): %s not written\n", progname, fig, exp, name);
        free(cs);
        return;
    }
    collect_vs_sgd(cs, rs, exp, sgd_exp, b, strcmp(exp, "capped") == 0 ? "clr_cap" : "clr");
    if (strcmp(exp, "capped") == 0 && cs->n && cs->c[0].is_clr && cs->c[0].seed[0]->cap)
        snprintf(cs->c[0].name, sizeof cs->c[0].name, "clr_cap%s", cs->c[0].seed[0]->cap);
    if (cs->n == 0)
    {
        fprintf(stderr, "%s: no runs for %s (%s): %s not written\n", progname, fig, exp, name);
        free(cs);
        return;
    }
    clr_label(cl, sizeof cl, cs->c[0].seed[0]);
    snprintf(what2, sizeof what2, "%s: %s vs SGD with constant rates, %s on %s, batch %ld", fig,
             cl, cs->c[0].seed[0]->model, data_label(cs->c[0].seed[0], op), b);
    table_open(&o, op, name, what2, cs, 10, epoch_cols);
    write_epoch_curves(&o, cs);
    {
        char w[512];

        snprintf(w, sizeof w, "%s%s%s, batch %ld", cs->c[0].seed[0]->model,
                 cs->c[0].seed[0]->cap ? ", CLR cap " : "",
                 cs->c[0].seed[0]->cap ? cs->c[0].seed[0]->cap : "", b);
        claims_vs_sgd(&o, cs, fig, w, op, with_acc);
    }
    table_close(&o);
    free(cs);
}

static void
fig_batches(runset *rs, const options *op, const char *name, const char *fig, const char *exp)
{
    curveset *cs = xcalloc(1, sizeof *cs);
    out_table o;
    char what2[1024], measured[4096], buf[64], claim[1024], what[128];
    int all = 1;

    collect_batches(cs, rs, exp);
    if (cs->n == 0)
    {
        fprintf(stderr, "%s: no CLR runs for %s (%s): %s not written\n", progname, fig, exp, name);
        free(cs);
        return;
    }
    clr_label(what, sizeof what, cs->c[0].seed[0]);
    snprintf(what2, sizeof what2, "%s: %s across batch sizes, %s on %s", fig, what,
             cs->c[0].seed[0]->model, data_label(cs->c[0].seed[0], op));
    table_open(&o, op, name, what2, cs, 10, epoch_cols);
    write_epoch_curves(&o, cs);
    snprintf(measured, sizeof measured, "median steps to loss %g:", op->target);
    for (size_t i = 0; i < cs->n; i++)
    {
        double s = curve_steps_to_target(&cs->c[i]);

        fmt_steps(buf, sizeof buf, s);
        snprintf(measured + strlen(measured), sizeof measured - strlen(measured),
                 "%s batch %ld %s (of %zu)%s", i ? ";" : "", cs->c[i].batch, buf,
                 cs->c[i].seed[0]->nsteps, curve_diverged(&cs->c[i]) ? " diverged" : "");
        if (cs->c[i].seed[0]->cap)
            snprintf(measured + strlen(measured), sizeof measured - strlen(measured),
                     " (at the cap %.1f%% of steps)", capped_percent(&cs->c[i]));
        if (!isfinite(s))
            all = 0;
    }
    append_seeds(measured, sizeof measured, cs);
    snprintf(claim, sizeof claim, "%s: %s (%s) reaches training loss %g at every batch size",
             fig, what, cs->c[0].seed[0]->model, op->target);
    table_summary(&o, claim, "steps to target finite for all batch sizes (median of seeds)",
                  measured, all);
    table_close(&o);
    free(cs);
}

/* Orders curves by experiment (resnet before capped), then batch size. */
static int
curve_cmp_exp(const void *pa, const void *pb)
{
    const curve *a = pa, *b = pb;
    int c = strcmp(b->seed[0]->exp, a->seed[0]->exp); /* "resnet" > "capped" */

    if (c != 0)
        return c;
    return a->batch < b->batch ? -1 : a->batch > b->batch;
}

/* Figure 4: the CLR value per step. */
static int
rise_decay(const curve *c, char *measured, size_t len)
{
    size_t n = SIZE_MAX, nblk;
    double blk[NBLOCK], peak = -INFINITY;
    size_t ipeak = 0;

    for (size_t s = 0; s < c->n; s++)
        if (c->seed[s]->nsteps < n)
            n = c->seed[s]->nsteps;
    nblk = n < NBLOCK ? n : NBLOCK;
    if (nblk < 3)
    {
        snprintf(measured + strlen(measured), len - strlen(measured), "%s: too few steps",
                 c->name);
        return 0;
    }
    for (size_t b = 0; b < nblk; b++)
    {
        size_t k0 = b * n / nblk, k1 = (b + 1) * n / nblk;
        double s = 0;
        size_t cnt = 0;

        for (size_t sd = 0; sd < c->n; sd++)
            for (size_t k = k0; k < k1; k++)
                if (isfinite(c->seed[sd]->lr_used[k]))
                    s += c->seed[sd]->lr_used[k], cnt++;
        blk[b] = cnt ? s / (double)cnt : NAN;
        if (blk[b] > peak)
            peak = blk[b], ipeak = b;
    }
    snprintf(measured + strlen(measured), len - strlen(measured),
             "%s: first block %.4g, peak %.4g in block %zu of %zu, last %.4g", c->name, blk[0],
             peak, ipeak + 1, nblk, blk[nblk - 1]);
    return ipeak > 0 && peak >= RISE * blk[0] && blk[nblk - 1] * RISE <= peak;
}

static void
fig4(runset *rs, const options *op)
{
    static const char *const cols[] = {"curve", "step", "epoch", "lr_mean", "lr_min", "lr_max",
                                       "nseeds"};
    static const char *const exps[] = {"resnet", "capped"};
    curveset *cs = xcalloc(1, sizeof *cs);
    out_table o;
    char name[64];
    long mb[2];

    for (int x = 0; x < 2; x++)
    {
        mb[x] = main_batch(rs, exps[x]);
        for (size_t i = 0; i < rs->n; i++)
        {
            run *r = &rs->r[i];

            if (strcmp(r->exp, exps[x]) == 0 && is_clr(r))
            {
                snprintf(name, sizeof name, "%s_b%ld", exps[x], r->batch);
                curve_add(cs, name, r);
            }
        }
    }
    if (cs->n == 0)
    {
        fprintf(stderr, "%s: no CLR runs: fig4 not written\n", progname);
        free(cs);
        return;
    }
    /* order: by experiment (resnet, then capped), then batch size */
    qsort(cs->c, cs->n, sizeof cs->c[0], curve_cmp_exp);
    table_open(&o, op, "fig4",
               "Fig. 4: the CLR value L/|grad L|^2 used at each step, uncapped and capped",
               cs, 7, cols);
    for (size_t i = 0; i < cs->n; i++)
    {
        const curve *c = &cs->c[i];
        size_t n = SIZE_MAX;

        for (size_t s = 0; s < c->n; s++)
            if (c->seed[s]->nsteps < n)
                n = c->seed[s]->nsteps;
        for (size_t k = 0; k < n; k++)
        {
            double v[16], m, lo, hi;
            int finite = 1;

            for (size_t s = 0; s < c->n; s++)
            {
                v[s] = c->seed[s]->lr_used[k];
                finite &= isfinite(v[s]) != 0;
            }
            if (!finite)
                break;
            stats3(v, c->n, &m, &lo, &hi);
            cell_s(&o, c->name);
            cell_u(&o, k + 1);
            cell_d(&o, (double)(k + 1) / (double)c->seed[0]->nb);
            cell_d(&o, m);
            cell_d(&o, lo);
            cell_d(&o, hi);
            cell_u(&o, c->n);
            row_end(&o);
        }
    }
    for (int x = 0; x < 2; x++)
        for (size_t i = 0; i < cs->n; i++)
        {
            const curve *c = &cs->c[i];
            char measured[1024] = "", claim[512], pred[256];

            /* uncapped: every batch size; capped: the main one */
            if (strcmp(c->seed[0]->exp, exps[x]) != 0 || (x == 1 && c->batch != mb[x]))
                continue;
            snprintf(claim, sizeof claim, "Fig. 4: the CLR value%s rises (automatic warm-up), "
                     "then decays (%s, batch %ld)", c->seed[0]->cap ? " (capped)" : "",
                     c->seed[0]->model, c->batch);
            snprintf(pred, sizeof pred, "%d blocks of steps, seed-mean: peak after block 1, "
                     "peak >= %.1f x first, last <= peak / %.1f", NBLOCK, RISE, RISE);
            {
                int ok = rise_decay(c, measured, sizeof measured);

                snprintf(measured + strlen(measured), sizeof measured - strlen(measured),
                         " [%zu seeds]", c->n);
                table_summary(&o, claim, pred, measured, ok);
            }
        }
    table_close(&o);
    free(cs);
}

/* Figure 7: loss and |H grad L| along the CLR trajectory (resnet, main batch). */
static void
fig7(runset *rs, const options *op)
{
    static const char *const cols[] = {
        "step",          "epoch",         "loss_mean",      "loss_min",     "loss_max",
        "hg_norm_mean",  "hg_norm_min",   "hg_norm_max",    "grad_norm_mean", "grad_norm_min",
        "grad_norm_max", "nseeds"};
    curveset *cs = xcalloc(1, sizeof *cs);
    out_table o;
    long b = main_batch(rs, "resnet");
    double *first = NULL, *last = NULL;
    size_t nlog = 0, *ks = NULL;
    char measured[1024], claim[512];

    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->r[i].exp, "resnet") == 0 && is_clr(&rs->r[i]) && rs->r[i].batch == b)
            curve_add(cs, "clr", &rs->r[i]);
    if (cs->n == 0)
    {
        fprintf(stderr, "%s: no resnet CLR runs: fig7 not written\n", progname);
        free(cs);
        return;
    }
    table_open(&o, op, "fig7",
               "Fig. 7: loss and |H grad L| (finite-difference HVP, on the batch) along the CLR "
               "trajectory",
               cs, 12, cols);
    {
        const curve *c = &cs->c[0];
        size_t n = SIZE_MAX;

        for (size_t s = 0; s < c->n; s++)
            if (c->seed[s]->nsteps < n)
                n = c->seed[s]->nsteps;
        ks = xcalloc(n + 1, sizeof *ks);
        for (size_t k = 0; k < n; k++)
        {
            double l[16], h[16], g[16], m, lo, hi;
            int ok = 1;

            for (size_t s = 0; s < c->n; s++)
            {
                l[s] = c->seed[s]->loss[k];
                h[s] = c->seed[s]->hg[k];
                g[s] = c->seed[s]->gnorm[k];
                ok &= isfinite(l[s]) && isfinite(h[s]) && isfinite(g[s]);
            }
            if (!ok)
                continue;
            ks[nlog++] = k;
            cell_u(&o, k + 1);
            cell_d(&o, (double)(k + 1) / (double)c->seed[0]->nb);
            stats3(l, c->n, &m, &lo, &hi);
            cell_d(&o, m);
            cell_d(&o, lo);
            cell_d(&o, hi);
            stats3(h, c->n, &m, &lo, &hi);
            cell_d(&o, m);
            cell_d(&o, lo);
            cell_d(&o, hi);
            stats3(g, c->n, &m, &lo, &hi);
            cell_d(&o, m);
            cell_d(&o, lo);
            cell_d(&o, hi);
            cell_u(&o, c->n);
            row_end(&o);
        }
        snprintf(claim, sizeof claim, "Fig. 7: |H grad L| decreases along the CLR trajectory "
                 "(%s, batch %ld)", c->seed[0]->model, b);
        if (nlog >= 10)
        {
            size_t w = nlog / 10, nf = 0, nl = 0;
            double mf, ml, lf, ll;

            first = xcalloc(w * c->n, sizeof(double));
            last = xcalloc(w * c->n, sizeof(double));
            for (size_t i = 0; i < w; i++)
                for (size_t s = 0; s < c->n; s++)
                {
                    first[nf++] = c->seed[s]->hg[ks[i]];
                    last[nl++] = c->seed[s]->hg[ks[nlog - w + i]];
                }
            mf = median3(first, nf);
            ml = median3(last, nl);
            nf = nl = 0;
            for (size_t i = 0; i < w; i++)
                for (size_t s = 0; s < c->n; s++)
                {
                    first[nf++] = c->seed[s]->loss[ks[i]];
                    last[nl++] = c->seed[s]->loss[ks[nlog - w + i]];
                }
            lf = median3(first, nf);
            ll = median3(last, nl);
            snprintf(measured, sizeof measured, "median |H grad L| over the first / last tenth "
                     "of %zu logged steps: %.4g / %.4g (ratio %.3g); loss %.4g / %.4g [%zu seeds]",
                     nlog, mf, ml, ml / mf, lf, ll, c->n);
            table_summary(&o, claim, "median |H grad L|: last tenth < first tenth", measured,
                          ml < mf);
        }
        else
        {
            snprintf(measured, sizeof measured, "%zu logged steps (need 10)", nlog);
            table_summary(&o, claim, "median |H grad L|: last tenth < first tenth", measured, 0);
        }
    }
    table_close(&o);
    free(first);
    free(last);
    free(ks);
    free(cs);
}

/* One row per run. */
static void
runs_table(runset *rs, const options *op)
{
    static const char *const cols[] = {
        "exp",   "model",        "method", "lr",       "cap",           "batch",
        "seed",  "steps",        "steps_per_epoch",    "diverged",      "final_train_loss",
        "steps_to_target",       "final_test_acc",     "lr_first_epoch", "lr_max_epoch",
        "lr_last_epoch", "at_cap_percent"};
    out_table o;

    table_open(&o, op, "runs", "one row per corridor train run", NULL, 17, cols);
    for (size_t i = 0; i < rs->n; i++)
    {
        const run *r = &rs->r[i];
        double mx = -INFINITY;

        for (size_t e = 0; e < r->nepochs; e++)
            if (r->elr[e] > mx)
                mx = r->elr[e];
        cell_s(&o, r->exp);
        cell_s(&o, r->model);
        cell_s(&o, r->method);
        cell_s(&o, r->lr);
        cell_s(&o, r->cap ? r->cap : "-");
        cell_u(&o, (uint64_t)r->batch);
        cell_u(&o, (uint64_t)r->seed);
        cell_u(&o, r->nsteps);
        cell_u(&o, r->nb);
        cell_s(&o, r->diverged ? "yes" : "no");
        cell_d(&o, r->nepochs ? r->eloss[r->nepochs - 1] : NAN);
        cell_d(&o, r->steps_to_target);
        cell_d(&o, r->final_acc);
        cell_d(&o, r->nepochs ? r->elr[0] : NAN);
        cell_d(&o, r->nepochs ? mx : NAN);
        cell_d(&o, r->nepochs ? r->elr[r->nepochs - 1] : NAN);
        {
            curve one;

            memset(&one, 0, sizeof one);
            one.seed[0] = (run *)r;
            one.n = 1;
            cell_d(&o, r->cap ? capped_percent(&one) : NAN);
        }
        row_end(&o);
    }
    table_close(&o);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"runs", required_argument, NULL, 'r'},   {"output", required_argument, NULL, 'o'},
        {"prefix", required_argument, NULL, 'p'}, {"target", required_argument, NULL, 't'},
        {"scale", required_argument, NULL, 's'},  {"label", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    options op = {"results", "paper_", "small", NULL, NULL, 0.01, argc, argv};
    runset rs;
    int opt;

    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1)
    {
        switch (opt)
        {
        case 'r': op.runs = optarg; break;
        case 'o': op.outdir = optarg; break;
        case 'p': op.prefix = optarg; break;
        case 's': op.scale = optarg; break;
        case 'l': op.label = optarg; break;
        case 't':
            op.target = parse_num(optarg);
            if (!(op.target > 0) || !isfinite(op.target))
                die(2, "--target: expected a positive number, got '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        die(2, "unexpected argument '%s'", argv[optind]);
    if (!op.runs)
        die(2, "need --runs DIR (see --help)");
    load_runs(&rs, op.runs, op.target);
    if (rs.n == 0)
        die(2, "no corridor train logs under %s/{resnet,capped,vgg,third}", op.runs);
    runs_table(&rs, &op);
    fig_vs_sgd(&rs, &op, "fig2", "Fig. 2", "resnet", 1);
    fig_batches(&rs, &op, "fig3", "Fig. 3", "capped");
    fig4(&rs, &op);
    fig_vs_sgd(&rs, &op, "fig5", "Fig. 5", "third", 1);
    fig_vs_sgd(&rs, &op, "fig6", "Fig. 6", "vgg", 1);
    fig7(&rs, &op);
    fig_vs_sgd(&rs, &op, "fig8", "Fig. 8", "capped", 0);
    fig_batches(&rs, &op, "fig9", "Fig. 9", "resnet");
    runs_free(&rs);
    return 0;
}
