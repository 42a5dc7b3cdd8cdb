/* drift_util.c -- shared helpers of exp_orders, exp_sgd and exp_hbmod (drift_util.h). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "drift_util.h"

static const char *prog = "exp";
static int g_argc;
static char **g_argv;

void
dx_init(const char *program, int argc, char **argv)
{
    prog = program;
    g_argc = argc;
    g_argv = argv;
    cor_set_error_handler(NULL);
}

void
dx_die(int status, const char *fmt, ...)
{
    va_list ap;
    char msg[1024];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *q = msg; *q; q++)
        if (*q == '\n')
            *q = ' ';
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", prog, msg);
    exit(status);
}

mpfr_prec_t
dx_parse_prec(const char *arg, long min)
{
    long prec = strtol(arg, NULL, 10);

    if (prec < min || prec > 100000)
        dx_die(2, "--prec: expected %ld..100000 bits, got '%s'", min, arg);
    return prec;
}

void
dx_no_operands(int argc, char **argv)
{
    if (optind < argc)
        dx_die(2, "unexpected argument '%s' (see --help)", argv[optind]);
}

static void
die_lib(const char *context)
{
    dx_die(1, "%s: %s", context, cor_last_error()->msg);
}

cor_node
dx_const(dx_problem *p, const char *text, const char *what)
{
    cor_node c = COR_NODE_NONE;
    size_t col = 0;

    if (cor_expr_parse(&c, &col, text, COR_PARSE_KNOWN_VARS, p->pool) != COR_OK
        || !cor_expr_is_const(p->pool, c))
        dx_die(2, "%s: '%s' is not a rational constant (e.g. 0.01, 1/2, -1.2e-3)", what, text);
    return c;
}

void
dx_problem_load(dx_problem *p, const char *name, const char *text, const char *vars,
                const char *theta0, mpfr_prec_t prec)
{
    char buf[1024];
    size_t col = 0, k = 0;
    char *save = NULL, *tok;

    memset(p, 0, sizeof *p);
    p->name = name;
    p->text = text;
    p->prec = prec;
    p->pool = cor_expr_pool_alloc();
    if (!p->pool)
        die_lib("pool");
    if (strlen(vars) >= sizeof buf || strlen(theta0) >= sizeof buf)
        dx_die(2, "%s: variable list or start point too long", name);
    strcpy(buf, vars);
    for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
    {
        if (k == 16)
            dx_die(2, "%s: at most 16 variables", name);
        p->vars[k] = cor_expr_var(p->pool, tok);
        if (p->vars[k] == COR_NODE_NONE)
            dx_die(2, "%s: --vars: %s", name, cor_last_error()->msg);
        k++;
    }
    if (k == 0)
        dx_die(2, "%s: no variables", name);
    p->n = k;
    if (cor_expr_parse(&p->loss, &col, text, COR_PARSE_KNOWN_VARS, p->pool) != COR_OK)
        dx_die(2, "%s: --loss: %s", name, cor_last_error()->msg);
    strcpy(buf, theta0);
    k = 0;
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    {
        mpq_t q;
        cor_node c;
        if (k == p->n)
            dx_die(2, "%s: --theta0 has more than %zu coordinates", name, p->n);
        c = dx_const(p, tok, "--theta0");
        mpq_init(q);
        cor_expr_const_get(q, p->pool, c);
        mpfr_init2(p->theta0[k], prec);
        mpfr_set_q(p->theta0[k], q, MPFR_RNDN);
        mpq_clear(q);
        k++;
    }
    if (k != p->n)
    {
        for (size_t i = 0; i < k; i++)
            mpfr_clear(p->theta0[i]);
        dx_die(2, "%s: --theta0 has %zu coordinates, the loss %zu variables", name, k, p->n);
    }
}

void
dx_problem_free(dx_problem *p)
{
    for (size_t i = 0; i < p->n; i++)
        mpfr_clear(p->theta0[i]);
    cor_expr_pool_free(p->pool);
    p->pool = NULL;
}

void
dx_run_stepper(mpfr_t *out, const char *method, cor_objective *obj, const cor_vspace *V,
               const mpfr_t *theta0, mpfr_srcptr h, long N, const char *const *params,
               size_t np)
{
    const cor_step_type *T = cor_step_type_lookup(method);
    cor_step *s;
    cor_vec *x;
    cor_scalar *hs;
    size_t n = cor_vspace_dim(V);

    if (!T)
        dx_die(1, "no stepper '%s'", method);
    s = cor_step_alloc(T, V);
    x = cor_vec_alloc(V);
    hs = cor_scalar_alloc(V);
    if (!s || !x || !hs)
        die_lib("stepper");
    for (size_t i = 0; i < np; i++)
    {
        char name[64];
        const char *eq = strchr(params[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - params[i]), params[i]);
        if (cor_step_set_param(s, name, eq + 1) != COR_OK)
            die_lib(params[i]);
    }
    if (cor_scalar_set_mpfr(hs, h) != COR_OK)
        die_lib("step size");
    for (size_t i = 0; i < n; i++)
        mpfr_set(cor_vec_mpfr_ptr(x, i), theta0[i], MPFR_RNDN);
    for (long k = 0; k < N; k++)
    {
        int st = cor_step_apply(s, obj, x, hs, NULL);
        if (cor_status_is_error(st))
            die_lib(method);
        if (st != COR_OK)
            dx_die(3, "%s diverged at step %ld (h = %s)", method, k, dx_fmt(h, 10));
    }
    for (size_t i = 0; i < n; i++)
        mpfr_set(out[i], cor_vec_mpfr_srcptr(x, i), MPFR_RNDN);
    cor_scalar_free(hs);
    cor_vec_free(x);
    cor_step_free(s);
}

void
dx_dist(mpfr_ptr d, const mpfr_t *a, const mpfr_t *b, size_t n)
{
    mpfr_t e;

    mpfr_init2(e, mpfr_get_prec(d));
    mpfr_set_zero(d, 1);
    for (size_t i = 0; i < n; i++)
    {
        mpfr_sub(e, a[i], b[i], MPFR_RNDN);
        mpfr_sqr(e, e, MPFR_RNDN);
        mpfr_add(d, d, e, MPFR_RNDN);
    }
    mpfr_sqrt(d, d, MPFR_RNDN);
    mpfr_clear(e);
}

/* ---- tables -------------------------------------------------------------------------------- */

struct dx_table
{
    cor_table *t;
    FILE *f;
    char path[4096], tmp[4200];
    char *summ;
    size_t len;
    int fails;
};

void
dx_check(int st)
{
    if (st != COR_OK)
        die_lib("table");
}

dx_table *
dx_table_open(const char *path, const char *experiment, const char *paper)
{
    dx_table *t = cor_calloc(1, sizeof *t);
    time_t when = COR_TABLE_NOW;
    const char *sde = getenv("SOURCE_DATE_EPOCH");

    if (!t)
        die_lib("table");
    snprintf(t->path, sizeof t->path, "%s", path);
    snprintf(t->tmp, sizeof t->tmp, "%s.tmp.%ld", path, (long)getpid());
    t->f = fopen(t->tmp, "w");
    if (!t->f)
        dx_die(1, "cannot write %s: %s", t->tmp, strerror(errno));
    t->t = cor_table_alloc_stream(t->f, COR_TABLE_TSV);
    if (!t->t)
        die_lib("table");
    if (sde)
        when = (time_t)strtoll(sde, NULL, 10);
    dx_check(cor_table_meta_std(t->t, prog, g_argc, g_argv, when));
    dx_check(cor_table_meta(t->t, "experiment", experiment));
    dx_check(cor_table_meta(t->t, "paper", paper));
    dx_check(cor_table_meta(t->t, "build", cor_build_info()));
    dx_check(cor_table_meta(t->t, "mpfr", mpfr_get_version()));
    return t;
}

cor_table *
dx_table_t(dx_table *t)
{
    return t->t;
}

void
dx_summary(dx_table *t, const char *claim, const char *prediction, const char *measured,
           int holds)
{
    size_t add = strlen(claim) + strlen(prediction) + strlen(measured) + 32;
    char *s = cor_realloc(t->summ, t->len + add);

    if (!s)
        dx_die(1, "out of memory");
    t->summ = s;
    t->len += (size_t)snprintf(s + t->len, add, "# summary\t%s\t%s\t%s\t%s\n", claim, prediction,
                               measured, holds ? "holds" : "fails");
    if (!holds)
        t->fails++;
    fprintf(stderr, "%s: %s: %s (predicted %s, measured %s)\n", prog, holds ? "holds" : "FAILS",
            claim, prediction, measured);
}

int
dx_table_close(dx_table *t)
{
    int fails = t->fails;

    if (cor_table_close(t->t) != COR_OK)
    {
        fclose(t->f);
        remove(t->tmp);
        die_lib("table");
    }
    if (t->summ && fputs(t->summ, t->f) < 0)
        dx_die(1, "cannot write %s", t->tmp);
    if (fclose(t->f) != 0 || rename(t->tmp, t->path) != 0)
    {
        remove(t->tmp);
        dx_die(1, "cannot complete %s: %s", t->path, strerror(errno));
    }
    cor_free(t->summ);
    cor_free(t);
    return fails;
}

const char *
dx_fmt(mpfr_srcptr x, int digits)
{
    static char buf[8][256];
    static int k;

    k = (k + 1) % 8;
    cor_table_format_mpfr(buf[k], sizeof buf[k], x, digits);
    return buf[k];
}
