/* spectral_util.c -- see spectral_util.h. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "spectral_util.h"

int
xt_open(xt *x, const char *dir, const char *program, const char *name, const char *paper,
        const char *what, int argc, char **argv)
{
    memset(x, 0, sizeof *x);
    snprintf(x->path, sizeof x->path, "%s/%s.tsv", dir, name);
    snprintf(x->tmp, sizeof x->tmp, "%s.tmp", x->path);
    x->f = fopen(x->tmp, "w");
    if (x->f == NULL)
    {
        fprintf(stderr, "%s: cannot write %s: %s\n", program, x->tmp, strerror(errno));
        return 1;
    }
    x->t = cor_table_alloc_stream(x->f, COR_TABLE_TSV);
    if (x->t == NULL || cor_table_meta_std(x->t, program, argc, argv, COR_TABLE_NOW) != COR_OK
        || cor_table_meta(x->t, "experiment", program) != COR_OK
        || cor_table_meta(x->t, "table", name) != COR_OK
        || cor_table_meta(x->t, "paper", paper) != COR_OK
        || cor_table_meta(x->t, "what", what) != COR_OK
        || cor_table_meta(x->t, "build", cor_build_info()) != COR_OK)
    {
        xt_abort(x);
        fprintf(stderr, "%s: cannot start the table %s\n", program, x->path);
        return 1;
    }
    return 0;
}

int
xt_summary(xt *x, const char *program, const char *claim, const char *prediction,
           const char *measured, int ok)
{
    size_t add = strlen(claim) + strlen(prediction) + strlen(measured) + 32;
    char *s = realloc(x->summ, x->summ_len + add);

    if (s != NULL)
    {
        x->summ = s;
        x->summ_len += (size_t)snprintf(s + x->summ_len, add, "# summary\t%s\t%s\t%s\t%s\n",
                                        claim, prediction, measured, ok ? "holds" : "fails");
    }
    printf("%s: %s: predicted %s, measured %s (%s)\n", program, claim, prediction, measured,
           ok ? "holds" : "FAILS");
    return ok;
}

int
xt_close(xt *x)
{
    int st = cor_table_close(x->t);
    int bad = st != COR_OK;

    x->t = NULL;
    if (!bad && x->summ != NULL && fputs(x->summ, x->f) == EOF)
        bad = 1;
    if (fclose(x->f) != 0)
        bad = 1;
    x->f = NULL;
    free(x->summ);
    x->summ = NULL;
    if (!bad && rename(x->tmp, x->path) != 0)
        bad = 1;
    if (bad)
    {
        remove(x->tmp);
        fprintf(stderr, "cannot write %s\n", x->path);
        return 1;
    }
    return 0;
}

void
xt_abort(xt *x)
{
    if (x->t != NULL)
        cor_table_abort(x->t);
    x->t = NULL;
    if (x->f != NULL)
        fclose(x->f);
    x->f = NULL;
    remove(x->tmp);
    free(x->summ);
    x->summ = NULL;
}

const char *
xt_fmt(char *buf, size_t len, mpfr_srcptr v, int digits)
{
    mpfr_snprintf(buf, len, "%.*Rg", digits, v);
    return buf;
}

double
xt_digits(mpfr_srcptr a, mpfr_srcptr b)
{
    mpfr_t d;
    double r;

    mpfr_init2(d, mpfr_get_prec(a) > mpfr_get_prec(b) ? mpfr_get_prec(a) : mpfr_get_prec(b));
    mpfr_sub(d, a, b, MPFR_RNDN);
    if (mpfr_zero_p(d))
    {
        mpfr_clear(d);
        return 999;
    }
    if (!mpfr_zero_p(b))
        mpfr_div(d, d, b, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_log10(d, d, MPFR_RNDN);
    r = -mpfr_get_d(d, MPFR_RNDN);
    mpfr_clear(d);
    return r < 0 ? 0 : r > 999 ? 999 : r;
}

void
xt_fail(const char *program, const char *file, int line, const char *what)
{
    fprintf(stderr, "%s: %s:%d: %s failed: %s\n", program, file, line, what,
            cor_last_error()->msg);
    exit(1);
}

void
xt_try(const char *program, const char *file, int line, int st)
{
    if (cor_status_is_error(st))
    {
        fprintf(stderr, "%s: %s:%d: %s\n", program, file, line, cor_strerror(st));
        exit(1);
    }
}

int
xt_bad_option(const char *program, int c, char **argv)
{
    if (c == ':')
        fprintf(stderr, "%s: option '%s' needs a value\n", program, argv[optind - 1]);
    else
        fprintf(stderr, "%s: unknown option '%s' (try --help)\n", program, argv[optind - 1]);
    return 2;
}

int
xt_no_operands(const char *program, int argc, char **argv)
{
    if (optind < argc)
    {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", program, argv[optind]);
        return 2;
    }
    return 0;
}

int
xt_check_part(const char *program, const char *part, const char *const *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(part, parts[i]) == 0)
            return 0;
    fprintf(stderr, "%s: --only: unknown part '%s'\n", program, part);
    return 2;
}

int
xt_exit_status(const char *program, int fails)
{
    if (fails)
        fprintf(stderr, "%s: %d verdict(s) fail\n", program, fails);
    return fails ? 1 : 0;
}

uint64_t
xt_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
