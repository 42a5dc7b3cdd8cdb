/* cli.c -- option parsing, problem loading and error exits shared by the corridor subcommands
 * (see cli.h). */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static int cli_argc;
static char **cli_argv;

/* ---- errors ------------------------------------------------------------------------------- */

void
cli_init(int argc, char **argv)
{
    cli_argc = argc;
    cli_argv = argv;
    /* The library records errors; the driver prints them, one line each, where it exits. */
    cor_set_error_handler(NULL);
    cor_error_set_progname("corridor");
}

static void
vwarn(const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof msg, fmt, ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fflush(stdout);
    fprintf(stderr, "corridor: %s\n", msg);
}

void
cli_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void
cli_die(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    exit(status);
}

void
cli_die_lib(int status, const char *context)
{
    const cor_error_record *e = cor_last_error();
    const char *msg = e->code != COR_OK && e->msg[0] ? e->msg : cor_strerror(e->code);

    if (context)
        cli_die(status, "%s: %s", context, msg);
    cli_die(status, "%s", msg);
}

int
cli_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        cli_die(CLI_EXIT_IO, "cannot write to standard output: %s", strerror(errno));
    return status;
}

/* ---- getopt ------------------------------------------------------------------------------- */

/* The long option whose val is opt, or NULL. */
static const struct option *
find_by_val(const struct option *longopts, int opt)
{
    for (; longopts->name; longopts++)
        if (longopts->val == opt)
            return longopts;
    return NULL;
}

/* Number of long options whose name starts with the n characters of name; *exact is set
 * to the one named exactly, if any, and *first to the first match. */
static int
match_long(const struct option *longopts, const char *name, size_t n,
           const struct option **exact, const struct option **first)
{
    int count = 0;

    *exact = *first = NULL;
    for (; longopts->name; longopts++)
    {
        if (strncmp(longopts->name, name, n) != 0)
            continue;
        if (!*first)
            *first = longopts;
        if (strlen(longopts->name) == n)
            *exact = longopts;
        count++;
    }
    return count;
}

/* Nonzero when a value looks like one of this subcommand's options, as in `--loss --vars x`
 * where the user forgot the value: "--name" (or a unique prefix, or "--name=...") or exactly
 * "-c" for a short option letter c. Negative numbers such as -1,2 never match. */
static int
looks_like_option(const char *value, const char *shortopts, const struct option *longopts)
{
    const struct option *exact;
    const struct option *first;

    if (value[0] == '-' && value[1] == '-' && isalpha((unsigned char)value[2]))
    {
        size_t n = strcspn(value + 2, "=");
        return match_long(longopts, value + 2, n, &exact, &first) > 0;
    }
    if (value[0] == '-' && isalpha((unsigned char)value[1]) && value[2] == '\0')
        return strchr(shortopts, value[1]) != NULL;
    return 0;
}

static void
die_bad_option(char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd)
{
    const char *word = optind > 0 ? argv[optind - 1] : "";

    if (word[0] == '-' && word[1] == '-')
    {
        const char *name = word + 2;
        size_t n = strcspn(name, "=");
        const struct option *exact;
        const struct option *first;
        int count = match_long(longopts, name, n, &exact, &first);

        if (exact && name[n] == '=' && exact->has_arg == no_argument)
            cli_die(CLI_EXIT_USAGE, "option '--%s' takes no value", exact->name);
        if (count > 1 && !exact)
        {
            char list[512] = "";
            const struct option *o;
            for (o = longopts; o->name; o++)
            {
                if (strncmp(o->name, name, n) == 0 && strlen(list) + strlen(o->name) + 8
                                                          < sizeof list)
                {
                    strcat(list, list[0] ? ", --" : "--");
                    strcat(list, o->name);
                }
            }
            cli_die(CLI_EXIT_USAGE, "ambiguous option '--%.*s' (%s)", (int)n, name, list);
        }
        if (count == 0 || !first)
            cli_die(CLI_EXIT_USAGE, "unknown option '--%.*s' (see 'corridor %s --help')", (int)n,
                    name, cmd);
    }
    if (optopt > 0 && optopt < 256 && isprint(optopt) && !strchr(shortopts, optopt))
        cli_die(CLI_EXIT_USAGE, "unknown option '-%c' (see 'corridor %s --help')", optopt, cmd);
    cli_die(CLI_EXIT_USAGE, "bad option '%s' (see 'corridor %s --help')", word, cmd);
}

int
cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
           const char *cmd)
{
    static char **current;
    char optstring[128];
    int longindex = -1;
    const struct option *o;
    int opt;

    if (argv != current)
    {
        current = argv;
        optind = 0; /* glibc: full re-initialisation */
    }
    snprintf(optstring, sizeof optstring, ":%s", shortopts);
    opterr = 0;
    opt = getopt_long(argc, argv, optstring, longopts, &longindex);
    if (opt == -1)
    {
        if (optind < argc)
            cli_die(CLI_EXIT_USAGE, "unexpected argument '%s' (see 'corridor %s --help')",
                    argv[optind], cmd);
        return -1;
    }
    if (opt == ':')
    {
        o = find_by_val(longopts, optopt);
        if (o && optind > 0 && argv[optind - 1][0] == '-' && argv[optind - 1][1] == '-')
            cli_die(CLI_EXIT_USAGE, "option '--%s' requires a value", o->name);
        if (optopt > 0 && optopt < 256)
            cli_die(CLI_EXIT_USAGE, "option '-%c' requires a value", optopt);
        cli_die(CLI_EXIT_USAGE, "option '%s' requires a value", argv[optind - 1]);
    }
    if (opt == '?')
        die_bad_option(argv, shortopts, longopts, cmd);
    o = longindex >= 0 ? &longopts[longindex] : find_by_val(longopts, opt);
    if (o && o->has_arg == required_argument && optarg
        && looks_like_option(optarg, shortopts, longopts))
        cli_die(CLI_EXIT_USAGE, "option '--%s' requires a value (got the option '%s')", o->name,
                optarg);
    return opt;
}

long
cli_parse_positive(const char *opt, const char *text, long max)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)text[0]))
        cli_die(CLI_EXIT_USAGE, "%s: expected a positive integer, got '%s'", opt, text);
    errno = 0;
    v = strtol(text, &end, 10);
    if (*end != '\0')
        cli_die(CLI_EXIT_USAGE, "%s: expected a positive integer, got '%s'", opt, text);
    if (v < 1)
        cli_die(CLI_EXIT_USAGE, "%s: must be a positive integer, got '%s'", opt, text);
    if (errno == ERANGE || v > max)
        cli_die(CLI_EXIT_USAGE, "%s: %s is too large (at most %ld)", opt, text, max);
    return v;
}

/* ---- common options ----------------------------------------------------------------------- */

void
cli_common_init(cli_common *c, const char *cmd, const char *usage)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->usage = usage;
    c->prec = CLI_PREC_DEFAULT;
    c->format = COR_TABLE_TSV;
}

int
cli_common_option(cli_common *c, int opt, const char *arg)
{
    switch (opt)
    {
    case CLI_OPT_HELP:
        fputs(c->usage, stdout);
        exit(cli_finish(CLI_EXIT_OK));
    case CLI_OPT_VERSION:
        printf("corridor %s\n", cor_version());
        exit(cli_finish(CLI_EXIT_OK));
    case CLI_OPT_LOSS:
        c->loss = arg;
        return 1;
    case CLI_OPT_VARS:
        c->vars = arg;
        return 1;
    case CLI_OPT_PREC:
        c->prec = (mpfr_prec_t)cli_parse_positive("--prec", arg, CLI_PREC_MAX);
        if (c->prec < MPFR_PREC_MIN)
            cli_die(CLI_EXIT_USAGE, "--prec: at least %ld bits", (long)MPFR_PREC_MIN);
        c->prec_given = 1;
        return 1;
    case CLI_OPT_DOUBLE:
        c->use_double = 1;
        return 1;
    case CLI_OPT_DIGITS:
        c->digits = (int)cli_parse_positive("--digits", arg, 1000000);
        return 1;
    case CLI_OPT_FORMAT:
        if (cor_table_format_parse(&c->format, arg) != COR_OK)
            cli_die_lib(CLI_EXIT_USAGE, "--format");
        return 1;
    case CLI_OPT_OUTPUT:
        if (!arg[0])
            cli_die(CLI_EXIT_USAGE, "--output: empty file name");
        c->output = arg;
        return 1;
    default:
        return 0;
    }
}

void
cli_common_finish(cli_common *c)
{
    if (c->use_double)
    {
        if (c->prec_given && c->prec != 53)
            cli_die(CLI_EXIT_USAGE, "--double computes in IEEE double (53 bits); "
                                    "it cannot be combined with --prec %ld",
                    (long)c->prec);
        c->prec = 53;
    }
}

/* ---- the problem -------------------------------------------------------------------------- */

/* The parser's message "column C: what" with the column replaced by col + shift (for a
 * coordinate parsed out of a longer option value), written to out. */
static void
parse_message(char *out, size_t len, const char *msg, size_t col, size_t shift)
{
    const char *rest = msg;

    if (strncmp(msg, "column ", 7) == 0)
    {
        const char *colon = strstr(msg, ": ");
        if (colon)
            rest = colon + 2;
    }
    snprintf(out, len, "column %zu: %s", col + shift, rest);
}

static void
load_vars(cli_problem *p, const char *text)
{
    const char *s = text;
    size_t cap = 1;
    size_t pos = 0;

    for (const char *q = text; *q; q++)
        cap += *q == ',';
    p->vars = cor_mallocarray(cap, sizeof *p->vars);
    if (!p->vars)
        cli_die_lib(CLI_EXIT_IO, NULL);
    for (;;)
    {
        size_t n = strcspn(s, ",");
        char name[256];
        size_t a = 0;
        size_t b = n;
        cor_node v;

        pos++;
        while (a < b && isspace((unsigned char)s[a]))
            a++;
        while (b > a && isspace((unsigned char)s[b - 1]))
            b--;
        if (a == b)
            cli_die(CLI_EXIT_USAGE, "--vars: empty variable name at position %zu", pos);
        if (b - a >= sizeof name)
            cli_die(CLI_EXIT_USAGE, "--vars: variable name at position %zu is too long", pos);
        memcpy(name, s + a, b - a);
        name[b - a] = '\0';
        if (cor_expr_var_lookup(p->pool, name) != COR_NODE_NONE)
            cli_die(CLI_EXIT_USAGE, "--vars: variable '%s' is listed twice", name);
        v = cor_expr_var(p->pool, name);
        if (v == COR_NODE_NONE)
        {
            int code = cor_last_error()->code;
            if (code == COR_ENOMEM)
                cli_die_lib(CLI_EXIT_IO, NULL);
            if (strstr(cor_last_error()->msg, name))
                cli_die_lib(CLI_EXIT_USAGE, "--vars");
            cli_die(CLI_EXIT_USAGE, "--vars: '%s' is not a valid variable name", name);
        }
        p->vars[p->n++] = v;
        if (!s[n])
            break;
        s += n + 1;
    }
}

void
cli_problem_load(cli_problem *p, const cli_common *c)
{
    size_t col = 0;
    unsigned flags = 0;
    int st;

    memset(p, 0, sizeof *p);
    if (!c->loss)
        cli_die(CLI_EXIT_USAGE, "missing --loss EXPR (see 'corridor %s --help')", c->cmd);
    p->pool = cor_expr_pool_alloc();
    if (!p->pool)
        cli_die_lib(CLI_EXIT_IO, NULL);
    if (c->vars)
    {
        load_vars(p, c->vars);
        flags = COR_PARSE_KNOWN_VARS;
    }
    st = cor_expr_parse(&p->loss, &col, c->loss, flags, p->pool);
    if (st != COR_OK)
    {
        char msg[600];
        if (st == COR_ENOMEM)
            cli_die_lib(CLI_EXIT_IO, "--loss");
        parse_message(msg, sizeof msg, cor_last_error()->msg, col, 0);
        cli_die(CLI_EXIT_USAGE, "--loss: %s", msg);
    }
    if (!c->vars)
    {
        size_t nv = cor_expr_nvars(p->pool);
        if (nv == 0)
            cli_die(CLI_EXIT_USAGE,
                    "--loss: the loss has no variable; name the coordinates with --vars");
        if (nv > 1)
        {
            char list[256] = "";
            for (size_t k = 0; k < nv && strlen(list) < 200; k++)
            {
                if (k)
                    strcat(list, ",");
                strncat(list, cor_expr_var_name(p->pool, k), 40);
            }
            cli_die(CLI_EXIT_USAGE,
                    "--vars is required: the loss has %zu variables (%s); give their order",
                    nv, list);
        }
        p->vars = cor_mallocarray(1, sizeof *p->vars);
        if (!p->vars)
            cli_die_lib(CLI_EXIT_IO, NULL);
        p->vars[0] = cor_expr_var_node(p->pool, 0);
        p->n = 1;
    }
}

void
cli_problem_free(cli_problem *p)
{
    cor_free(p->vars);
    cor_expr_pool_free(p->pool);
    memset(p, 0, sizeof *p);
}

const char *
cli_problem_var_list(const cli_problem *p)
{
    static char *list;
    size_t len = 1;
    char *q;

    for (size_t k = 0; k < p->n; k++)
        len += strlen(cor_expr_var_name(p->pool, cor_expr_var_index(p->pool, p->vars[k]))) + 1;
    cor_free(list);
    list = cor_malloc(len);
    if (!list)
        cli_die_lib(CLI_EXIT_IO, NULL);
    q = list;
    *q = '\0';
    for (size_t k = 0; k < p->n; k++)
    {
        const char *name = cor_expr_var_name(p->pool, cor_expr_var_index(p->pool, p->vars[k]));
        if (k)
            *q++ = ',';
        strcpy(q, name);
        q += strlen(name);
    }
    return list;
}

/* ---- points ------------------------------------------------------------------------------- */

/* Evaluates the constant expression node of pool into x (initialised) at x's precision:
 * a rational exactly rounded once, anything else (pi, sqrt(2), ...) through a tape. */
static int
eval_constant(mpfr_t x, cor_expr_pool *pool, cor_node node)
{
    cor_tape *tape;
    cor_eval_mpfr *w;
    int st;

    if (cor_expr_is_const(pool, node))
    {
        mpq_t q;
        mpq_init(q);
        cor_expr_const_get(q, pool, node);
        mpfr_set_q(x, q, MPFR_RNDN);
        mpq_clear(q);
        return COR_OK;
    }
    tape = cor_tape_alloc(pool, 0, NULL, 1, &node);
    if (!tape)
        return cor_last_error()->code;
    w = cor_eval_mpfr_alloc(tape, mpfr_get_prec(x));
    if (!w)
    {
        cor_tape_free(tape);
        return cor_last_error()->code;
    }
    st = cor_eval_mpfr_run(w, (mpfr_t *)x, NULL);
    cor_eval_mpfr_free(w);
    cor_tape_free(tape);
    return st;
}

void
cli_point_parse(mpfr_t *x, const char *opt, const char *text, size_t n, mpfr_prec_t prec)
{
    size_t len = strlen(text);
    size_t count = 1;
    size_t start = 0;
    size_t k = 0;
    int depth = 0;
    cor_expr_pool *pool;
    char *buf;

    for (size_t i = 0; i < len; i++)
    {
        depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
        if (text[i] == ',' && depth <= 0)
            count++;
    }
    if (strspn(text, " \t") == len)
        cli_die(CLI_EXIT_USAGE, "%s: empty point (expected %zu coordinate%s)", opt, n,
                n == 1 ? "" : "s");
    if (count != n)
        cli_die(CLI_EXIT_USAGE, "%s: %zu coordinate%s given, the loss has %zu variable%s", opt,
                count, count == 1 ? "" : "s", n, n == 1 ? "" : "s");
    pool = cor_expr_pool_alloc();
    buf = cor_malloc(len + 1);
    if (!pool || !buf)
        cli_die_lib(CLI_EXIT_IO, NULL);
    depth = 0;
    for (size_t i = 0; i <= len; i++)
    {
        cor_node node;
        size_t col = 0;
        int st;

        if (i < len)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (text[i] != ',' || depth > 0)
                continue;
        }
        memcpy(buf, text + start, i - start);
        buf[i - start] = '\0';
        if (strspn(buf, " \t") == i - start)
            cli_die(CLI_EXIT_USAGE, "%s: coordinate %zu is empty (column %zu)", opt, k + 1,
                    start + 1);
        st = cor_expr_parse(&node, &col, buf, COR_PARSE_KNOWN_VARS, pool);
        if (st != COR_OK)
        {
            char msg[600];
            if (st == COR_ENOMEM)
                cli_die_lib(CLI_EXIT_IO, opt);
            parse_message(msg, sizeof msg, cor_last_error()->msg, col, start);
            if (strstr(msg, "variable"))
                cli_die(CLI_EXIT_USAGE, "%s: %s (coordinate %zu: a point is made of constants "
                                        "such as 3, -1/3 or sqrt(2))",
                        opt, msg, k + 1);
            cli_die(CLI_EXIT_USAGE, "%s: %s (coordinate %zu)", opt, msg, k + 1);
        }
        mpfr_init2(x[k], prec);
        st = eval_constant(x[k], pool, node);
        if (cor_status_is_error(st))
            cli_die_lib(st == COR_ENOMEM ? CLI_EXIT_IO : CLI_EXIT_USAGE, opt);
        if (!mpfr_number_p(x[k]))
            cli_die(CLI_EXIT_USAGE, "%s: coordinate %zu (%s) is not a finite number", opt, k + 1,
                    buf);
        k++;
        start = i + 1;
    }
    cor_free(buf);
    cor_expr_pool_free(pool);
}

/* ---- output ------------------------------------------------------------------------------- */

/* SOURCE_DATE_EPOCH (reproducible-builds convention) if set to a number, else now. */
static time_t
table_time(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long v;

    if (!s || !isdigit((unsigned char)s[0]))
        return COR_TABLE_NOW;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return COR_TABLE_NOW;
    return (time_t)v;
}

cor_table *
cli_table_open(const cli_common *c)
{
    cor_table *t = cor_table_alloc(c->output, c->format);
    char **argv;
    int st;

    if (!t)
        cli_die_lib(cor_last_error()->code == COR_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_IO, NULL);
    /* The recorded command starts with "corridor", whatever path (or libtool wrapper) ran. */
    argv = cor_mallocarray((size_t)cli_argc + 1, sizeof *argv);
    if (!argv)
        cli_die_lib(CLI_EXIT_IO, NULL);
    for (int i = 0; i < cli_argc; i++)
        argv[i] = cli_argv[i];
    if (cli_argc > 0)
        argv[0] = "corridor";
    st = cor_table_meta_std(t, "corridor", cli_argc, argv, table_time());
    cor_free(argv);
    cli_table_check(t, st);
    cli_table_check(t, cor_table_meta(t, "subcommand", c->cmd));
    cli_table_check(t, cor_table_set_digits(t, c->digits));
    return t;
}

void
cli_table_check(cor_table *t, int st)
{
    if (st != COR_OK)
    {
        char msg[sizeof cor_last_error()->msg];
        snprintf(msg, sizeof msg, "%s", cor_last_error()->msg);
        cor_table_abort(t);
        cli_die(CLI_EXIT_IO, "%s", msg[0] ? msg : cor_strerror(st));
    }
}

void
cli_table_close(cor_table *t)
{
    if (cor_table_close(t) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, NULL);
}
