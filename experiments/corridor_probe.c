/* corridor_probe.c -- `corridor probe`: loss, gradient and H grad L at one point, and whether
 * the point lies in a corridor (H grad L = 0).
 *
 * Why the verdict is sound. H grad L is computed from its exact symbolic expression (cor_diff_hg)
 * evaluated with rounding to nearest at p bits. The first-order bound of the rounding error of
 * an output is a modest multiple of 2^-p times its scale (cor_eval: the same expression with
 * every term replaced by its magnitude). So where H grad L = 0 exactly, the computed |hg_i| is
 * at most c * 2^-p * scale_i with c the number of roundings along the worst path; the rule
 * |hg_i| <= 2^(16-p) * scale_i allows c up to 65536. Where H grad L != 0 its components are of
 * the order of their scale (hg_rel near 1) unless there is massive cancellation, which higher
 * --prec exposes: hg_rel of a true zero shrinks like 2^-p, a true nonzero does not.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: corridor probe --loss EXPR [--vars x,y,...] --at POINT [options]\n"
    "\n"
    "Evaluates the loss L, its gradient and H grad L (H the Hessian) at one point, from their\n"
    "exact symbolic derivatives, in MPFR at --prec bits (or in double with --double), and says\n"
    "whether the point is in a corridor: H grad L = 0 up to rounding.\n"
    "\n"
    "Options:\n"
    "  -l, --loss EXPR      the loss, e.g. 'sqrt(x^2+y^2+z^2)' or '0.5*(x^2+10*y^2)'\n"
    "      --vars x,y,...   coordinate order; required when the loss has more than one variable\n"
    "      --at POINT       comma-separated constant expressions: 3,-1,2 or -1/3,sqrt(2)\n"
    "                       (read exactly, evaluated at the working precision)\n"
    "      --prec BITS      MPFR precision in bits (default 256)\n"
    "      --double         compute in IEEE double (precision 53) instead of MPFR\n"
    "      --digits D       significant digits printed (default: all the precision carries,\n"
    "                       floor((prec-1)*log10(2)); %.17g for --double)\n"
    "      --format FMT     tsv (default), csv, md or json\n"
    "  -o, --output FILE    write the table to FILE (atomically) instead of standard output\n"
    "  -h, --help           show this help\n"
    "  -V, --version        show the version\n"
    "\n"
    "Output: a table with columns `name value` and the rows\n"
    "  loss, grad_1..grad_n, hg_1..hg_n (H grad L), hg_norm, grad_norm,\n"
    "  clr_step   L/|grad L|^2 (inf or -inf where grad L = 0 and L != 0, nan where both are 0),\n"
    "  hg_rel     max_i |hg_i|/scale_i, scale_i bounding the rounding error of hg_i,\n"
    "  corridor   yes when |hg_i| <= 2^(-prec+16)*scale_i for every i, else no.\n"
    "\n"
    "Exit status: 0 done; 2 bad input; 1 I/O error; 3 a value is not finite at the point (the\n"
    "table is still written, the verdict is no).\n"
    "\n"
    "Example: corridor probe --loss 'sqrt(x^2+y^2+z^2)' --vars x,y,z --at 3,-1,2\n";

/* The computed values, in MPFR (the double backend converts its results exactly). */
typedef struct
{
    size_t n;
    mpfr_t *out;   /* loss, grad_1..n, hg_1..n */
    mpfr_t *scale; /* their scales */
    mpfr_t hg_norm, grad_norm, clr_step, hg_rel;
    int corridor;
    int finite;
} probe_result;

static void
result_init(probe_result *r, size_t n, mpfr_prec_t prec)
{
    size_t nout = 1 + 2 * n;

    r->n = n;
    r->out = cor_mallocarray(nout, sizeof *r->out);
    r->scale = cor_mallocarray(nout, sizeof *r->scale);
    if (!r->out || !r->scale)
        cli_die_lib(CLI_EXIT_IO, NULL);
    for (size_t i = 0; i < nout; i++)
    {
        mpfr_init2(r->out[i], prec);
        mpfr_init2(r->scale[i], prec);
    }
    mpfr_inits2(prec, r->hg_norm, r->grad_norm, r->clr_step, r->hg_rel, (mpfr_ptr)0);
}

static void
result_clear(probe_result *r)
{
    for (size_t i = 0; i < 1 + 2 * r->n; i++)
    {
        mpfr_clear(r->out[i]);
        mpfr_clear(r->scale[i]);
    }
    cor_free(r->out);
    cor_free(r->scale);
    mpfr_clears(r->hg_norm, r->grad_norm, r->clr_step, r->hg_rel, (mpfr_ptr)0);
}

/* The summary rows from the outputs, in MPFR at the result precision (for the MPFR backend:
 * the working precision, every operation rounded to nearest). */
static void
summarize_mpfr(probe_result *r, mpfr_prec_t prec)
{
    size_t n = r->n;
    mpfr_t g2, t;

    mpfr_inits2(prec, g2, t, (mpfr_ptr)0);
    mpfr_set_zero(g2, 1);
    mpfr_set_zero(r->hg_norm, 1);
    mpfr_set_zero(r->hg_rel, 1);
    r->corridor = r->finite;
    for (size_t i = 0; i < n; i++)
    {
        mpfr_srcptr g = r->out[1 + i];
        mpfr_srcptr hg = r->out[1 + n + i];
        mpfr_srcptr sc = r->scale[1 + n + i];

        mpfr_sqr(t, g, MPFR_RNDN);
        mpfr_add(g2, g2, t, MPFR_RNDN);
        mpfr_sqr(t, hg, MPFR_RNDN);
        mpfr_add(r->hg_norm, r->hg_norm, t, MPFR_RNDN);
        /* |hg_i| / scale_i; 0/0 counts as 0 (an exact zero with no rounding at all) */
        if (mpfr_zero_p(hg))
            mpfr_set_zero(t, 1);
        else
            mpfr_div(t, hg, sc, MPFR_RNDN);
        mpfr_abs(t, t, MPFR_RNDN);
        if (mpfr_nan_p(t) || mpfr_greater_p(t, r->hg_rel))
            mpfr_set(r->hg_rel, t, MPFR_RNDN);
        /* the verdict: |hg_i| <= 2^(16-prec) scale_i (the product by a power of 2 is exact) */
        mpfr_mul_2si(t, sc, 16 - (long)prec, MPFR_RNDN);
        if (mpfr_nan_p(hg) || mpfr_nan_p(t) || mpfr_cmpabs(hg, t) > 0)
            r->corridor = 0;
    }
    mpfr_sqrt(r->hg_norm, r->hg_norm, MPFR_RNDN);
    mpfr_sqrt(r->grad_norm, g2, MPFR_RNDN);
    /* clr_step = L / |grad L|^2: +-inf for L != 0 and grad L = 0, nan for 0/0 (IEEE rules) */
    mpfr_div(r->clr_step, r->out[0], g2, MPFR_RNDN);
    mpfr_clears(g2, t, (mpfr_ptr)0);
}

/* The summary in double arithmetic, for the double backend: d holds loss, grad, hg and sc
 * their scales; the results are stored exactly in r (53-bit MPFR). */
static void
summarize_double(probe_result *r, const double *d, const double *sc)
{
    size_t n = r->n;
    double g2 = 0, h2 = 0, rel = 0;
    int corridor = r->finite;

    for (size_t i = 0; i < n; i++)
    {
        double g = d[1 + i];
        double hg = d[1 + n + i];
        double s = sc[1 + n + i];
        double q = hg == 0 ? 0 : fabs(hg / s);

        g2 += g * g;
        h2 += hg * hg;
        if (isnan(q) || q > rel)
            rel = q;
        if (isnan(hg) || isnan(s) || fabs(hg) > ldexp(s, 16 - 53))
            corridor = 0;
    }
    for (size_t i = 0; i < 1 + 2 * n; i++)
    {
        mpfr_set_d(r->out[i], d[i], MPFR_RNDN);
        mpfr_set_d(r->scale[i], sc[i], MPFR_RNDN);
    }
    mpfr_set_d(r->hg_norm, sqrt(h2), MPFR_RNDN);
    mpfr_set_d(r->grad_norm, sqrt(g2), MPFR_RNDN);
    mpfr_set_d(r->clr_step, d[0] / g2, MPFR_RNDN);
    mpfr_set_d(r->hg_rel, rel, MPFR_RNDN);
    r->corridor = corridor;
}

/* Evaluates the tape at the point in MPFR at the working precision. */
static void
probe_mpfr(probe_result *r, const cor_tape *tape, size_t n, const char *at_text,
           mpfr_prec_t prec)
{
    mpfr_t *at = cor_mallocarray(n, sizeof *at);
    cor_eval_mpfr *w;
    int st;

    if (!at)
        cli_die_lib(CLI_EXIT_IO, NULL);
    cli_point_parse(at, "--at", at_text, n, prec);
    w = cor_eval_mpfr_alloc(tape, prec);
    if (!w)
        cli_die_lib(CLI_EXIT_IO, "evaluation");
    st = cor_eval_mpfr_run(w, r->out, (const mpfr_t *)at);
    if (cor_status_is_error(st))
        cli_die_lib(CLI_EXIT_IO, "evaluation");
    r->finite = st == COR_OK;
    st = cor_eval_mpfr_scale(w, r->scale);
    if (cor_status_is_error(st))
        cli_die_lib(CLI_EXIT_IO, "evaluation (scale)");
    summarize_mpfr(r, prec);
    cor_eval_mpfr_free(w);
    for (size_t i = 0; i < n; i++)
        mpfr_clear(at[i]);
    cor_free(at);
}

/* Evaluates the tape at the point in double; the point is read at CLI_PREC_DOUBLE_READ bits
 * and rounded once to double. */
static void
probe_double(probe_result *r, const cor_tape *tape, size_t n, const char *at_text)
{
    size_t nout = 1 + 2 * n;
    mpfr_t *at = cor_mallocarray(n, sizeof *at);
    double *in = cor_mallocarray(n, sizeof *in);
    double *out = cor_mallocarray(nout, sizeof *out);
    double *sc = cor_mallocarray(nout, sizeof *sc);
    cor_eval_d *w;
    int st;

    if (!at || !in || !out || !sc)
        cli_die_lib(CLI_EXIT_IO, NULL);
    cli_point_parse(at, "--at", at_text, n, CLI_PREC_DOUBLE_READ);
    for (size_t i = 0; i < n; i++)
    {
        in[i] = mpfr_get_d(at[i], MPFR_RNDN);
        if (!isfinite(in[i]))
            cli_die(CLI_EXIT_USAGE, "--at: coordinate %zu overflows a double", i + 1);
        mpfr_clear(at[i]);
    }
    w = cor_eval_d_alloc(tape);
    if (!w)
        cli_die_lib(CLI_EXIT_IO, "evaluation");
    st = cor_eval_d_run(w, out, in);
    if (cor_status_is_error(st))
        cli_die_lib(CLI_EXIT_IO, "evaluation");
    r->finite = st == COR_OK;
    st = cor_eval_d_scale(w, sc);
    if (cor_status_is_error(st))
        cli_die_lib(CLI_EXIT_IO, "evaluation (scale)");
    summarize_double(r, out, sc);
    cor_eval_d_free(w);
    cor_free(at);
    cor_free(in);
    cor_free(out);
    cor_free(sc);
}

static void
row_value(cor_table *t, const char *name, mpfr_srcptr v, int use_double)
{
    cli_table_check(t, cor_table_cell_str(t, name));
    if (use_double)
        cli_table_check(t, cor_table_cell_d(t, mpfr_get_d(v, MPFR_RNDN)));
    else
        cli_table_check(t, cor_table_cell_mpfr(t, v));
    cli_table_check(t, cor_table_row_end(t));
}

static void
write_table(const probe_result *r, const cli_problem *p, const cli_common *c,
            const char *at_text)
{
    static const char *const cols[] = {"name", "value"};
    cor_table *t = cli_table_open(c);
    char *parsed = cor_expr_to_string(p->pool, p->loss);
    char name[64];
    size_t n = p->n;

    cli_table_check(t, cor_table_meta(t, "loss", c->loss));
    if (parsed)
        cli_table_check(t, cor_table_meta(t, "loss_parsed", parsed));
    cor_free(parsed);
    cli_table_check(t, cor_table_meta(t, "vars", cli_problem_var_list(p)));
    cli_table_check(t, cor_table_meta(t, "at", at_text));
    cli_table_check(t, cor_table_meta(t, "backend", c->use_double ? "double" : "mpfr"));
    cli_table_check(t, cor_table_meta_printf(t, "prec", "%ld", (long)c->prec));
    if (c->digits)
        cli_table_check(t, cor_table_meta_printf(t, "digits", "%d", c->digits));
    else if (c->use_double)
        cli_table_check(t, cor_table_meta(t, "digits", "17"));
    else
        cli_table_check(t, cor_table_meta_printf(t, "digits", "%d",
                                                 cor_table_default_digits(c->prec)));
    cli_table_check(t, cor_table_meta(t, "corridor_threshold", "2^(-prec+16)*scale"));
    cli_table_check(t, cor_table_meta(t, "corridor_rule",
                                      "yes iff |hg_i| <= 2^(-prec+16)*scale_i for every i; "
                                      "scale_i bounds the rounding error of hg_i in units of "
                                      "2^-prec"));
    cli_table_check(t, cor_table_meta(t, "clr_step", "L/|grad L|^2; inf or -inf where "
                                                     "grad L = 0 and L != 0, nan where L = 0 too"));
    cli_table_check(t, cor_table_header(t, 2, cols));

    row_value(t, "loss", r->out[0], c->use_double);
    for (size_t i = 0; i < n; i++)
    {
        snprintf(name, sizeof name, "grad_%zu", i + 1);
        row_value(t, name, r->out[1 + i], c->use_double);
    }
    for (size_t i = 0; i < n; i++)
    {
        snprintf(name, sizeof name, "hg_%zu", i + 1);
        row_value(t, name, r->out[1 + n + i], c->use_double);
    }
    row_value(t, "hg_norm", r->hg_norm, c->use_double);
    row_value(t, "grad_norm", r->grad_norm, c->use_double);
    row_value(t, "clr_step", r->clr_step, c->use_double);
    row_value(t, "hg_rel", r->hg_rel, c->use_double);
    /* Thm 2.11 is stated on domains without critical points: where grad L = 0 the flow
     * does not move, so H grad L = 0 there says nothing and the verdict is no */
    int critical = mpfr_zero_p(r->grad_norm);
    cli_table_check(t, cor_table_cell_str(t, "corridor"));
    cli_table_check(t, cor_table_cell_str(t, r->corridor && !critical ? "yes" : "no"));
    cli_table_check(t, cor_table_row_end(t));
    cli_table_check(t, cor_table_cell_str(t, "critical"));
    cli_table_check(t, cor_table_cell_str(t, critical ? "yes" : "no"));
    cli_table_check(t, cor_table_row_end(t));
    cli_table_close(t);
}

static int
probe_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"at", required_argument, NULL, CLI_OPT_LOCAL},
        {NULL, 0, NULL, 0},
    };
    cli_common c;
    cli_problem p;
    probe_result r;
    const char *at_text = NULL;
    cor_node *outs;
    cor_tape *tape;
    int opt;

    cli_common_init(&c, "probe", usage);
    while ((opt = cli_getopt(argc, argv, CLI_COMMON_SHORTOPTS, longopts, "probe")) != -1)
    {
        if (cli_common_option(&c, opt, optarg))
            continue;
        if (opt == CLI_OPT_LOCAL)
            at_text = optarg;
    }
    cli_common_finish(&c);
    if (!c.loss)
        cli_die(CLI_EXIT_USAGE, "missing --loss EXPR (see 'corridor probe --help')");
    cli_problem_load(&p, &c);
    if (!at_text)
        cli_die(CLI_EXIT_USAGE, "missing --at POINT (see 'corridor probe --help')");

    /* outputs: L, grad L, H grad L, all from one DAG and one tape */
    outs = cor_mallocarray(1 + 2 * p.n, sizeof *outs);
    if (!outs)
        cli_die_lib(CLI_EXIT_IO, NULL);
    outs[0] = p.loss;
    if (cor_diff_grad(outs + 1, p.pool, p.loss, p.n, p.vars) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, "gradient");
    if (cor_diff_hg(outs + 1 + p.n, p.pool, p.loss, outs + 1, p.n, p.vars) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, "H grad L");
    tape = cor_tape_alloc(p.pool, p.n, p.vars, 1 + 2 * p.n, outs);
    if (!tape)
        cli_die_lib(CLI_EXIT_IO, "compiling the loss");

    result_init(&r, p.n, c.prec);
    if (c.use_double)
        probe_double(&r, tape, p.n, at_text);
    else
        probe_mpfr(&r, tape, p.n, at_text, c.prec);
    write_table(&r, &p, &c, at_text);

    if (!r.finite)
    {
        char text[64];
        cor_table_format_mpfr(text, sizeof text, r.out[0], 6);
        cli_warn("probe: a value is not finite at this point (loss = %s); verdict no", text);
    }
    result_clear(&r);
    cor_tape_free(tape);
    cor_free(outs);
    cli_problem_free(&p);
    return cli_finish(r.finite ? CLI_EXIT_OK : CLI_EXIT_DIVERGED);
}

const cli_command cli_cmd_probe = {
    "probe",
    "loss, gradient and H grad L at a point; is it in a corridor?",
    probe_main,
};
