/* corridor_flow.c -- `corridor flow`: the gradient flow theta' = -grad L(theta) at requested
 * times, from the Taylor integrator in MPFR (default), in double, GSL's rk8pd/msbdf, or a
 * closed form (DESIGN.md, "The command-line contract").
 *
 * The rows are evaluated on each step's Taylor polynomial (cor_flow_solve), so thousands of
 * --at times cost one Horner evaluation each. The preamble carries the integrator's a-priori
 * error estimate (err_est) and, with --verify, the agreement with a re-run at tolerance
 * tol*1e-10 and 64 more bits (verify_agreement), and whether the estimate was within 10x of
 * it (verify_estimate_ok).
 *
 * Precision: without --prec, the working precision is raised from the default 256 bits to
 * ceil(-log2(tol)) + 32 when the tolerance asks for more digits than 256 bits carry.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cor_flow.h"

/* registered in corridor.c's table (declared here until cli.h declares it) */
extern const cli_command cli_cmd_flow;
int cor_cmd_flow(int argc, char **argv);

static const char usage[] =
    "Usage: corridor flow --loss EXPR [--vars x,y,...] --theta0 POINT --t T [--at t1,t2,...]\n"
    "                     [--tol EPS] [--method taylor|rk8pd|msbdf|exact] [--verify] [options]\n"
    "\n"
    "Integrates the gradient flow theta' = -grad L(theta) from theta0 and prints theta and the\n"
    "loss at the requested times (T alone by default).\n"
    "\n"
    "Options:\n"
    "  -l, --loss EXPR      the loss, e.g. '0.5*(1-x)^2 + 5*(y-x^2)^2'\n"
    "      --vars x,y,...   coordinate order; required when the loss has more than one variable\n"
    "      --theta0 POINT   the start, comma-separated constant expressions (read exactly)\n"
    "      --t T            the final time (optional when --at is given)\n"
    "      --at t1,t2,...   output times, nondecreasing, in [0, T]; cheap (one polynomial\n"
    "                       evaluation each for the Taylor methods)\n"
    "      --tol EPS        tolerance (default 1e-30; double methods at least 1e-14/1e-15)\n"
    "      --method NAME    taylor (default; MPFR, or double with --double), taylor-double,\n"
    "                       rk8pd, msbdf (GSL, double), exact (quadratic or corridor line)\n"
    "      --verify         re-integrate at tol*1e-10 and prec+64 bits; report the agreement\n"
    "      --max-steps N    step limit (default 10^7)\n"
    "      --prec BITS      MPFR precision (default 256, raised to -log2(tol)+32 if needed)\n"
    "      --double         compute in IEEE double (taylor becomes taylor-double)\n"
    "      --digits D, --format tsv|csv|md|json, -o FILE, -h, -V: as for every subcommand\n"
    "\n"
    "Output: columns t, theta_1..theta_n, loss; preamble keys method, tol, order, steps,\n"
    "t_reached, status, err_est (the a-priori error estimate of theta, absolute), and with\n"
    "--verify verify_agreement and verify_estimate_ok.\n"
    "\n"
    "Exit status: 0 done; 2 bad input; 1 I/O error; 3 the flow stopped early (a kink such as\n"
    "the apex of a cone, a function's domain left, a singularity, the step limit): the rows up\n"
    "to that time are printed, later ones are nan.\n"
    "\n"
    "Example: corridor flow --loss '0.5*(x^2+10*y^2)' --vars x,y --theta0 1,1 --t 2 --tol 1e-60\n";

/* number of comma-separated items at parenthesis depth 0 */
static size_t
count_items(const char *text)
{
    size_t n = 1;
    int depth = 0;
    for (const char *s = text; *s; s++)
    {
        if (*s == '(')
            depth++;
        else if (*s == ')')
            depth--;
        else if (*s == ',' && depth == 0)
            n++;
    }
    return n;
}

static void
cell(cor_table *t, mpfr_srcptr v, int as_double)
{
    if (as_double)
        cli_table_check(t, cor_table_cell_d(t, mpfr_get_d(v, MPFR_RNDN)));
    else
        cli_table_check(t, cor_table_cell_mpfr(t, v));
}

int
cor_cmd_flow(int argc, char **argv)
{
    enum
    {
        OPT_THETA0 = CLI_OPT_LOCAL,
        OPT_T,
        OPT_AT,
        OPT_TOL,
        OPT_METHOD,
        OPT_VERIFY,
        OPT_MAXSTEPS
    };
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"theta0", required_argument, NULL, OPT_THETA0},
        {"t", required_argument, NULL, OPT_T},
        {"at", required_argument, NULL, OPT_AT},
        {"tol", required_argument, NULL, OPT_TOL},
        {"method", required_argument, NULL, OPT_METHOD},
        {"verify", no_argument, NULL, OPT_VERIFY},
        {"max-steps", required_argument, NULL, OPT_MAXSTEPS},
        {NULL, 0, NULL, 0},
    };
    cli_common c;
    cli_problem p;
    const char *theta0_text = NULL, *t_text = NULL, *at_text = NULL, *tol_text = NULL;
    const char *method_text = "taylor";
    int verify = 0, opt, st, as_double, exit_status = CLI_EXIT_OK;
    long max_steps = 0;
    cor_flow_method method;
    cor_flow_opts o;
    cor_flow *f;
    cor_flow_stats fs;
    mpfr_t *theta0, *times, *out, T, lval;
    size_t nt = 0, n;
    double agreement = NAN;
    int vst = COR_OK;
    cor_tape *ltape;
    cor_eval_mpfr *lw;
    cor_table *tab;
    char name[64];
    const char **cols;

    cli_common_init(&c, "flow", usage);
    cor_flow_opts_init(&o);
    while ((opt = cli_getopt(argc, argv, CLI_COMMON_SHORTOPTS, longopts, "flow")) != -1)
    {
        if (cli_common_option(&c, opt, optarg))
            continue;
        switch (opt)
        {
        case OPT_THETA0: theta0_text = optarg; break;
        case OPT_T: t_text = optarg; break;
        case OPT_AT: at_text = optarg; break;
        case OPT_TOL: tol_text = optarg; break;
        case OPT_METHOD: method_text = optarg; break;
        case OPT_VERIFY: verify = 1; break;
        case OPT_MAXSTEPS: max_steps = cli_parse_positive("--max-steps", optarg, 1L << 40); break;
        default: break;
        }
    }
    cli_common_finish(&c);
    if (!c.loss)
        cli_die(CLI_EXIT_USAGE, "missing --loss EXPR (see 'corridor flow --help')");
    if (tol_text)
    {
        char *end;
        o.tol = strtod(tol_text, &end);
        if (end == tol_text || *end || !(o.tol > 0 && o.tol < 1))
            cli_die(CLI_EXIT_USAGE, "--tol: '%s' is not a number in (0, 1)", tol_text);
    }
    if (cor_flow_method_parse(&method, method_text) != COR_OK)
        cli_die_lib(CLI_EXIT_USAGE, "--method");
    if (c.use_double && method == COR_FLOW_TAYLOR)
        method = COR_FLOW_TAYLOR_D;
    as_double = c.use_double || method == COR_FLOW_TAYLOR_D || method == COR_FLOW_RK8PD
                || method == COR_FLOW_MSBDF;
    if (!as_double && !c.prec_given)
    {
        long need = (long)ceil(-log2(o.tol)) + 32;
        if (need > c.prec)
            c.prec = need;
    }
    o.max_steps = (uint64_t)max_steps;
    cli_problem_load(&p, &c);
    n = p.n;
    if (!theta0_text)
        cli_die(CLI_EXIT_USAGE, "missing --theta0 POINT (see 'corridor flow --help')");
    if (!t_text && !at_text)
        cli_die(CLI_EXIT_USAGE, "missing --t T (see 'corridor flow --help')");

    theta0 = cor_mallocarray(n, sizeof *theta0);
    if (!theta0)
        cli_die_lib(CLI_EXIT_IO, NULL);
    cli_point_parse(theta0, "--theta0", theta0_text, n, c.prec);
    if (!t_text)
        mpfr_init2(T, c.prec);
    else
    {
        /* cli_point_parse initialises T itself (at c.prec): no mpfr_init2 before it */
        cli_point_parse((mpfr_t *)&T, "--t", t_text, 1, c.prec);
        if (mpfr_sgn(T) < 0)
            cli_die(CLI_EXIT_USAGE, "--t: the final time must not be negative");
    }
    if (at_text)
    {
        size_t m = count_items(at_text);
        mpfr_t *at = cor_mallocarray(m, sizeof *at);
        if (!at)
            cli_die_lib(CLI_EXIT_IO, NULL);
        cli_point_parse(at, "--at", at_text, m, c.prec);
        for (size_t k = 0; k < m; k++)
        {
            if (mpfr_sgn(at[k]) < 0)
                cli_die(CLI_EXIT_USAGE, "--at: time %zu is negative", k + 1);
            if (k && mpfr_less_p(at[k], at[k - 1]))
                cli_die(CLI_EXIT_USAGE, "--at: the times must be nondecreasing (time %zu)",
                        k + 1);
            if (t_text && mpfr_greater_p(at[k], T))
                cli_die(CLI_EXIT_USAGE, "--at: time %zu is after --t", k + 1);
        }
        nt = m + (t_text && !mpfr_equal_p(at[m - 1], T));
        times = cor_mallocarray(nt, sizeof *times);
        if (!times)
            cli_die_lib(CLI_EXIT_IO, NULL);
        for (size_t k = 0; k < m; k++)
            memcpy(&times[k], &at[k], sizeof at[k]); /* moves the values */
        if (nt > m)
        {
            mpfr_init2(times[m], c.prec);
            mpfr_set(times[m], T, MPFR_RNDN);
        }
        cor_free(at);
        if (!t_text)
            mpfr_set(T, times[nt - 1], MPFR_RNDN);
    }
    else
    {
        nt = 1;
        times = cor_mallocarray(1, sizeof *times);
        if (!times)
            cli_die_lib(CLI_EXIT_IO, NULL);
        mpfr_init2(times[0], c.prec);
        mpfr_set(times[0], T, MPFR_RNDN);
    }
    out = cor_mallocarray(nt * n, sizeof *out);
    if (!out)
        cli_die_lib(CLI_EXIT_IO, NULL);
    for (size_t k = 0; k < nt * n; k++)
        mpfr_init2(out[k], c.prec);

    f = cor_flow_alloc(method, p.pool, p.loss, n, p.vars, c.prec, &o);
    if (!f)
        cli_die_lib(cor_last_error()->code == COR_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_IO,
                    "flow");
    st = cor_flow_solve(f, out, nt, (const mpfr_t *)times, (const mpfr_t *)theta0);
    if (cor_status_is_error(st))
        cli_die_lib(CLI_EXIT_IO, "flow");
    cor_flow_get_stats(f, &fs);
    if (verify && st == COR_OK)
    {
        vst = cor_flow_verify(f, &agreement, (const mpfr_t *)theta0, times[nt - 1]);
        if (cor_status_is_error(vst))
            cli_die_lib(CLI_EXIT_IO, "verify");
    }

    /* the loss column, at the working precision */
    ltape = cor_tape_alloc(p.pool, n, p.vars, 1, &p.loss);
    lw = ltape ? cor_eval_mpfr_alloc(ltape, c.prec) : NULL;
    if (!lw)
        cli_die_lib(CLI_EXIT_IO, "loss");
    mpfr_init2(lval, c.prec);

    tab = cli_table_open(&c);
    cli_table_check(tab, cor_table_meta(tab, "loss", c.loss));
    cli_table_check(tab, cor_table_meta(tab, "vars", cli_problem_var_list(&p)));
    cli_table_check(tab, cor_table_meta(tab, "theta0", theta0_text));
    cli_table_check(tab, cor_table_meta(tab, "method", cor_flow_method_name(method)));
    if (fs.exact_kind)
        cli_table_check(tab, cor_table_meta(tab, "exact_kind", fs.exact_kind));
    cli_table_check(tab, cor_table_meta(tab, "backend", as_double ? "double" : "mpfr"));
    cli_table_check(tab, cor_table_meta_printf(tab, "prec", "%ld", as_double ? 53L
                                                                         : (long)c.prec));
    cli_table_check(tab, cor_table_meta_printf(tab, "tol", "%g", o.tol));
    if (method == COR_FLOW_TAYLOR || method == COR_FLOW_TAYLOR_D)
        cli_table_check(tab, cor_table_meta_printf(tab, "order", "%u", fs.order));
    cli_table_check(tab, cor_table_meta_printf(tab, "steps", "%llu",
                                               (unsigned long long)fs.steps));
    if (fs.steps && (method == COR_FLOW_TAYLOR || method == COR_FLOW_TAYLOR_D))
        cli_table_check(tab, cor_table_meta_printf(tab, "step_range", "%.6g..%.6g", fs.h_min,
                                                   fs.h_max));
    cli_table_check(tab, cor_table_meta_printf(tab, "t_reached", "%.17g", fs.t_reached));
    cli_table_check(tab, cor_table_meta(tab, "status", cor_status_name(st)));
    if (fs.stop_reason)
        cli_table_check(tab, cor_table_meta(tab, "stop_reason", fs.stop_reason));
    cli_table_check(tab, cor_table_meta_printf(tab, "err_est", "%.3g", fs.err_est));
    cli_table_check(tab, cor_table_meta(tab, "err_est_meaning",
                                        "a-priori bound of the error of theta at t_reached "
                                        "(absolute, max norm)"));
    if (verify)
    {
        cli_table_check(tab, cor_table_meta_printf(tab, "verify_agreement", "%.3g", agreement));
        cli_table_check(tab, cor_table_meta(tab, "verify_estimate_ok",
                                            agreement <= 10 * fs.err_est ? "yes" : "no"));
        cli_table_check(tab, cor_table_meta(tab, "verify_status", cor_status_name(vst)));
    }
    cols = cor_mallocarray(n + 2, sizeof *cols);
    char **names = cor_mallocarray(n, sizeof *names);
    if (!cols || !names)
        cli_die_lib(CLI_EXIT_IO, NULL);
    cols[0] = "t";
    for (size_t i = 0; i < n; i++)
    {
        snprintf(name, sizeof name, "theta_%zu", i + 1);
        names[i] = cor_strdup(name);
        if (!names[i])
            cli_die_lib(CLI_EXIT_IO, NULL);
        cols[1 + i] = names[i];
    }
    cols[n + 1] = "loss";
    cli_table_check(tab, cor_table_header(tab, n + 2, cols));
    for (size_t k = 0; k < nt; k++)
    {
        cli_table_check(tab, cor_table_cell_mpfr(tab, times[k]));
        for (size_t i = 0; i < n; i++)
            cell(tab, out[k * n + i], as_double);
        if (cor_eval_mpfr_run(lw, &lval, (const mpfr_t *)&out[k * n]) == COR_EINVAL)
            mpfr_set_nan(lval);
        cell(tab, lval, as_double);
        cli_table_check(tab, cor_table_row_end(tab));
    }
    cli_table_close(tab);
    if (st != COR_OK)
    {
        cli_warn("flow: %s at t = %.17g (%s)", cor_status_name(st), fs.t_reached,
                 fs.stop_reason ? fs.stop_reason : cor_strerror(st));
        exit_status = CLI_EXIT_DIVERGED;
    }

    for (size_t i = 0; i < n; i++)
    {
        cor_free(names[i]);
        mpfr_clear(theta0[i]);
    }
    for (size_t k = 0; k < nt * n; k++)
        mpfr_clear(out[k]);
    for (size_t k = 0; k < nt; k++)
        mpfr_clear(times[k]);
    mpfr_clears(T, lval, (mpfr_ptr)0);
    cor_free(names);
    cor_free(cols);
    cor_free(out);
    cor_free(times);
    cor_free(theta0);
    cor_eval_mpfr_free(lw);
    cor_tape_free(ltape);
    cor_flow_free(f);
    cli_problem_free(&p);
    return cli_finish(exit_status);
}

const cli_command cli_cmd_flow = {
    "flow",
    "the gradient flow theta(t) at requested times (Taylor/MPFR, GSL, closed forms)",
    cor_cmd_flow,
};
