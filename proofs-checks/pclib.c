/* pclib.c -- shared helpers of the theorem checks (see pclib.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmp.h>

#include "cor_sys.h"
#include "pclib.h"

#define COR_PC_DEFAULT_SEED 20240213u

struct cor_pc
{
    const cor_pc_info *info;
    const char *progname;
    int full;
    int verbose;
    mpfr_prec_t prec;
    uint64_t seed;
    char *out_path;  /* final path (-o), or NULL for stdout */
    char *tmp_path;  /* out_path + ".tmp" */
    FILE *out;
    int header_done;
    int io_error;
    size_t nrows;
    size_t nfails;
};

static const char *
base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s != NULL ? s + 1 : path;
}

static void
usage(FILE *f, const char *prog, const cor_pc_info *info)
{
    fprintf(f,
            "Usage: %s [--quick | --full] [-o FILE] [--prec BITS] [--seed N] [-v]\n"
            "Theorem check: %s (%s), label %s.\n"
            "Tolerance: %s\n",
            prog, info->claim, info->source, info->label, info->tolerance);
    if (info->help != NULL)
        fprintf(f, "%s\n", info->help);
    fprintf(f,
            "\n"
            "  --quick        quick grid (default; what `make check` runs)\n"
            "  --full         full grid (also when COR_PC_FULL=1 in the environment)\n"
            "  -o, --output FILE\n"
            "                 write the TSV table to FILE (through FILE.tmp, renamed at the end)\n"
            "                 instead of stdout\n"
            "  --prec BITS    MPFR working precision (default %ld)\n"
            "  --seed N       seed of the random test points (default %u)\n"
            "  -v, --verbose  echo every row to stderr\n"
            "  -h, --help     this text\n"
            "\n"
            "Exit status: 0 the claim holds on every case, 1 a case fails, 77 skipped,\n"
            "99 hard error (bad usage, I/O, library error).\n",
            (long)(info->default_prec > 0 ? info->default_prec : 256),
            (unsigned)COR_PC_DEFAULT_SEED);
}

/* Copies s into the stream with tabs and newlines made spaces (one preamble line). */
static void
put_clean(FILE *f, const char *s)
{
    for (; *s != '\0'; s++)
        fputc((*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s, f);
}

static void
pc_free(cor_pc *pc)
{
    if (pc == NULL)
        return;
    cor_free(pc->out_path);
    cor_free(pc->tmp_path);
    cor_free(pc);
}

static int
parse_ulong(const char *s, unsigned long long max, unsigned long long *v)
{
    char *end;
    unsigned long long x;

    if (s == NULL || *s == '\0' || *s == '-')
        return 0;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || x > max)
        return 0;
    *v = x;
    return 1;
}

static void
write_preamble(cor_pc *pc, int argc, char **argv)
{
    FILE *f = pc->out;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    int i;

    if (gmtime_r(&now, &tm) == NULL
        || strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(date, "nan");
    fprintf(f, "# program=%s\n", pc->progname);
    fprintf(f, "# claim=");
    put_clean(f, pc->info->claim);
    fprintf(f, "\n# source=");
    put_clean(f, pc->info->source);
    fprintf(f, "\n# label=%s\n# tolerance=", pc->info->label);
    put_clean(f, pc->info->tolerance);
    fprintf(f, "\n# mode=%s\n", pc->full ? "full" : "quick");
    fprintf(f, "# prec=%ld\n", (long)pc->prec);
    fprintf(f, "# seed=%llu\n", (unsigned long long)pc->seed);
    fprintf(f, "# version=%s\n# build=", cor_version());
    put_clean(f, cor_build_info());
    fprintf(f, "\n# mpfr=%s\n# date=%s\n# command=", mpfr_get_version(), date);
    for (i = 0; i < argc; i++)
    {
        if (i > 0)
            fputc(' ', f);
        put_clean(f, argv[i]);
    }
    fputc('\n', f);
}

int
cor_pc_begin(cor_pc **pcp, const cor_pc_info *info, int argc, char **argv, int *exit_code)
{
    static const struct option longopts[] = {
        {"quick", no_argument, NULL, 'q'},
        {"full", no_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"prec", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}
    };
    cor_pc *pc;
    const char *env;
    const char *prog;
    const char *out = NULL;
    unsigned long long v;
    int c;
    int explicit_mode = 0;

    *pcp = NULL;
    prog = base_name(argc > 0 && argv[0] != NULL ? argv[0] : "pc");
    /* libtool wrappers run the real binary as lt-NAME */
    if (strncmp(prog, "lt-", 3) == 0)
        prog += 3;
    cor_error_set_progname(prog);
    cor_set_error_handler(cor_error_print_handler);

    pc = cor_calloc(1, sizeof *pc);
    if (pc == NULL)
    {
        *exit_code = COR_PC_HARD;
        return COR_ENOMEM;
    }
    pc->info = info;
    pc->progname = prog;
    pc->prec = info->default_prec > 0 ? info->default_prec : 256;
    pc->seed = COR_PC_DEFAULT_SEED;
    env = getenv("COR_PC_FULL");
    pc->full = env != NULL && strcmp(env, "0") != 0 && *env != '\0';

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:vh", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case 'q':
            pc->full = 0;
            explicit_mode = 1;
            break;
        case 'F':
            pc->full = 1;
            explicit_mode = 1;
            break;
        case 'o':
            out = optarg;
            break;
        case 'p':
            if (!parse_ulong(optarg, (unsigned long long)MPFR_PREC_MAX, &v)
                || v < (unsigned long long)MPFR_PREC_MIN || v < 16)
            {
                fprintf(stderr, "%s: --prec needs an integer >= 16, got '%s'\n", prog, optarg);
                goto bad_usage;
            }
            pc->prec = (mpfr_prec_t)v;
            break;
        case 's':
            if (!parse_ulong(optarg, UINT64_MAX, &v))
            {
                fprintf(stderr, "%s: --seed needs a non-negative integer, got '%s'\n", prog,
                        optarg);
                goto bad_usage;
            }
            pc->seed = (uint64_t)v;
            break;
        case 'v':
            pc->verbose = 1;
            break;
        case 'h':
            usage(stdout, prog, info);
            pc_free(pc);
            *exit_code = 0;
            return COR_STOPPED;
        case ':':
            fprintf(stderr, "%s: option '%s' needs a value\n", prog, argv[optind - 1]);
            goto bad_usage;
        default:
            fprintf(stderr, "%s: unknown option '%s' (try --help)\n", prog, argv[optind - 1]);
            goto bad_usage;
        }
    }
    (void)explicit_mode;
    if (optind < argc)
    {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", prog, argv[optind]);
        goto bad_usage;
    }

    if (out != NULL && strcmp(out, "-") != 0)
    {
        size_t n = strlen(out);

        pc->out_path = cor_strdup(out);
        pc->tmp_path = cor_malloc(n + 5);
        if (pc->out_path == NULL || pc->tmp_path == NULL)
            goto hard;
        memcpy(pc->tmp_path, out, n);
        memcpy(pc->tmp_path + n, ".tmp", 5);
        pc->out = fopen(pc->tmp_path, "w");
        if (pc->out == NULL)
        {
            fprintf(stderr, "%s: cannot write %s: %s\n", prog, pc->tmp_path, strerror(errno));
            goto hard;
        }
    }
    else
    {
        pc->out = stdout;
    }
    write_preamble(pc, argc, argv);
    *pcp = pc;
    return COR_OK;

bad_usage:
    pc_free(pc);
    *exit_code = COR_PC_HARD;
    return COR_EINVAL;
hard:
    pc_free(pc);
    *exit_code = COR_PC_HARD;
    return COR_EIO;
}

int
cor_pc_full(const cor_pc *pc)
{
    return pc->full;
}

mpfr_prec_t
cor_pc_prec(const cor_pc *pc)
{
    return pc->prec;
}

uint64_t
cor_pc_seed(const cor_pc *pc)
{
    return pc->seed;
}

int
cor_pc_verbose(const cor_pc *pc)
{
    return pc->verbose;
}

FILE *
cor_pc_stream(cor_pc *pc)
{
    return pc->out;
}

void
cor_pc_meta(cor_pc *pc, const char *key, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputs("# ", pc->out);
    put_clean(pc->out, key);
    fputc('=', pc->out);
    put_clean(pc->out, buf);
    fputc('\n', pc->out);
}

static void
put_field(FILE *f, const char *s)
{
    put_clean(f, s != NULL && *s != '\0' ? s : "nan");
}

void
cor_pc_row(cor_pc *pc, const char *case_name, const char *prediction, const char *measured,
           const char *margin, int holds)
{
    FILE *f = pc->out;
    const char *verdict = holds ? "holds" : "fails";

    if (!pc->header_done)
    {
        fputs("case\tprediction\tmeasured\tmargin\tverdict\n", f);
        pc->header_done = 1;
    }
    put_field(f, case_name);
    fputc('\t', f);
    put_field(f, prediction);
    fputc('\t', f);
    put_field(f, measured);
    fputc('\t', f);
    put_field(f, margin);
    fprintf(f, "\t%s\n", verdict);
    pc->nrows++;
    if (!holds)
        pc->nfails++;
    if (pc->verbose || !holds)
    {
        fprintf(stderr, "%s: %s: %s (prediction %s, measured %s, margin %s)\n", pc->progname,
                case_name != NULL ? case_name : "?", verdict,
                prediction != NULL ? prediction : "nan", measured != NULL ? measured : "nan",
                margin != NULL ? margin : "nan");
    }
}

size_t
cor_pc_nrows(const cor_pc *pc)
{
    return pc->nrows;
}

size_t
cor_pc_nfails(const cor_pc *pc)
{
    return pc->nfails;
}

/* Closes the output; on success renames FILE.tmp to FILE. Returns 0 or -1. */
static int
close_output(cor_pc *pc, int keep)
{
    int bad = 0;

    if (pc->out == NULL)
        return 0;
    if (fflush(pc->out) != 0 || ferror(pc->out))
        bad = 1;
    if (pc->out != stdout)
    {
        if (fclose(pc->out) != 0)
            bad = 1;
        pc->out = NULL;
        if (keep && !bad)
        {
            if (rename(pc->tmp_path, pc->out_path) != 0)
            {
                fprintf(stderr, "%s: cannot rename %s to %s: %s\n", pc->progname, pc->tmp_path,
                        pc->out_path, strerror(errno));
                bad = 1;
            }
        }
        if (!keep || bad)
            remove(pc->tmp_path);
    }
    if (bad && keep)
        fprintf(stderr, "%s: error writing the table\n", pc->progname);
    return bad ? -1 : 0;
}

static void
write_summary(cor_pc *pc, const char *prediction, const char *measured, const char *verdict)
{
    FILE *f = pc->out;

    fputs("# summary\t", f);
    put_field(f, pc->info->claim);
    fputc('\t', f);
    put_field(f, prediction);
    fputc('\t', f);
    put_field(f, measured);
    fprintf(f, "\t%s\n", verdict);
}

int
cor_pc_finish(cor_pc *pc, const char *prediction, const char *measured)
{
    int rc;
    const char *verdict;

    if (pc->nrows == 0)
    {
        fprintf(stderr, "%s: no case was checked\n", pc->progname);
        rc = COR_PC_HARD;
        verdict = "error";
    }
    else if (pc->nfails > 0)
    {
        rc = COR_PC_FAILS;
        verdict = "fails";
    }
    else
    {
        rc = COR_PC_HOLDS;
        verdict = "holds";
    }
    cor_pc_meta(pc, "cases", "%zu", pc->nrows);
    cor_pc_meta(pc, "failed", "%zu", pc->nfails);
    write_summary(pc, prediction, measured, verdict);
    if (close_output(pc, rc != COR_PC_HARD) != 0)
        rc = COR_PC_HARD;
    if (rc == COR_PC_FAILS)
        fprintf(stderr, "%s: %zu of %zu cases fail\n", pc->progname, pc->nfails, pc->nrows);
    pc_free(pc);
    return rc;
}

int
cor_pc_skip(cor_pc *pc, const char *reason)
{
    int rc = COR_PC_SKIP;

    cor_pc_meta(pc, "skipped", "%s", reason != NULL ? reason : "");
    write_summary(pc, "nan", "nan", "skipped");
    if (close_output(pc, 1) != 0)
        rc = COR_PC_HARD;
    pc_free(pc);
    return rc;
}

int
cor_pc_abort(cor_pc *pc, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", pc != NULL ? pc->progname : "pc");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (pc != NULL)
    {
        close_output(pc, 0);
        pc_free(pc);
    }
    return COR_PC_HARD;
}

/* ---- formatting ---------------------------------------------------------------------- */

char *
cor_pc_fmt_mpfr(char *buf, size_t size, const mpfr_t x, int digits)
{
    if (mpfr_nan_p(x))
        snprintf(buf, size, "nan");
    else if (mpfr_inf_p(x))
        snprintf(buf, size, "%sinf", mpfr_sgn(x) < 0 ? "-" : "");
    else
        mpfr_snprintf(buf, size, "%.*Re", digits > 1 ? digits - 1 : 0, x);
    return buf;
}

char *
cor_pc_fmt_d(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "nan");
    else if (isinf(x))
        snprintf(buf, size, "%sinf", x < 0 ? "-" : "");
    else
        snprintf(buf, size, "%.17g", x);
    return buf;
}

double
cor_pc_digits_agree(const mpfr_t computed, const mpfr_t ref)
{
    mpfr_t d;
    double r;

    if (mpfr_nan_p(computed) || mpfr_nan_p(ref))
        return NAN;
    mpfr_init2(d, mpfr_get_prec(ref) + 8);
    mpfr_sub(d, computed, ref, MPFR_RNDN);
    if (mpfr_zero_p(d))
    {
        mpfr_clear(d);
        return INFINITY;
    }
    mpfr_abs(d, d, MPFR_RNDN);
    if (!mpfr_zero_p(ref))
        mpfr_div(d, d, ref, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_log10(d, d, MPFR_RNDN);
    r = -mpfr_get_d(d, MPFR_RNDN);
    mpfr_clear(d);
    return r;
}

/* ---- deterministic random points ----------------------------------------------------- */

void
cor_pc_rng_seed(cor_pc_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t
cor_pc_rng_next(cor_pc_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int64_t
cor_pc_rng_int(cor_pc_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t x;

    do
        x = cor_pc_rng_next(r);
    while (x >= limit);
    return lo + (int64_t)(x % span);
}

/* k / 2^e = k 5^e / 10^e: the integer k 5^e written with the decimal point e places from
 * the right. */
char *
cor_pc_dyadic_str(char *buf, size_t size, int64_t k, unsigned e)
{
    mpz_t z;
    char digits[96];
    size_t len;
    size_t pos = 0;
    int neg = k < 0;

    if (e > 60 || size < 84)
        return NULL;
    mpz_init(z);
    mpz_ui_pow_ui(z, 5, e);
    if (neg)
    {
        mpz_mul_ui(z, z, (unsigned long)(-(k + 1)) + 1u);
    }
    else
    {
        mpz_mul_ui(z, z, (unsigned long)k);
    }
    mpz_get_str(digits, 10, z);
    mpz_clear(z);
    len = strlen(digits);
    if (neg)
        buf[pos++] = '-';
    if (len <= e)
    {
        size_t i;

        buf[pos++] = '0';
        if (e > 0)
            buf[pos++] = '.';
        for (i = len; i < e; i++)
            buf[pos++] = '0';
        memcpy(buf + pos, digits, len);
        pos += len;
    }
    else
    {
        memcpy(buf + pos, digits, len - e);
        pos += len - e;
        if (e > 0)
        {
            buf[pos++] = '.';
            memcpy(buf + pos, digits + len - e, e);
            pos += e;
        }
    }
    buf[pos] = '\0';
    /* strip trailing zeros of the fraction (and a bare '.') */
    if (e > 0)
    {
        while (pos > 0 && buf[pos - 1] == '0')
            buf[--pos] = '\0';
        if (pos > 0 && buf[pos - 1] == '.')
            buf[--pos] = '\0';
    }
    if (strcmp(buf, "-0") == 0 || pos == 0)
        strcpy(buf, "0");
    return buf;
}

size_t
cor_pc_prec_grid(cor_pc *pc, mpfr_prec_t *precs)
{
    size_t n = 0;

    if (cor_pc_full(pc))
    {
        precs[n++] = 53;
        precs[n++] = 113;
    }
    precs[n++] = cor_pc_prec(pc);
    if (cor_pc_prec(pc) != 1024)
        precs[n++] = 1024;
    if (cor_pc_full(pc) && cor_pc_prec(pc) != 4096)
        precs[n++] = 4096;
    return n;
}

double
cor_pc_fit_slope(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    size_t j;

    for (j = 0; j < n; j++)
    {
        mx += x[j] / (double)n;
        my += y[j] / (double)n;
    }
    for (j = 0; j < n; j++)
    {
        sxx += (x[j] - mx) * (x[j] - mx);
        sxy += (x[j] - mx) * (y[j] - my);
    }
    return sxy / sxx;
}
