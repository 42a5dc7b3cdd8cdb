/* corridor_run.c -- `corridor run`: iterates of a stepper (lib/step) on a loss expression, in
 * MPFR at --prec bits or in double, one row per reported step (DESIGN.md, the command-line
 * contract), optionally with the distance to the exact gradient flow at the same time.
 *
 * Row k describes the iterate theta_k: its loss, |grad L|, |H grad L| (of the full loss),
 * t_k = the sum of the step sizes used before it (k h for fixed steps), and lr = the step size
 * used to leave it (nan on the last row of the adaptive methods, whose next step is not
 * taken). The loss and |grad L| come from the stepper's info when it evaluated the full loss
 * at theta_k (no recomputation); otherwise (sgd, the last row) the driver evaluates them.
 * |H grad L| is one more evaluation per reported row.
 *
 * --compare K1,K2,...: after the run, each named flow is solved once for all reported times
 * t_k and dist_<name> = |theta_k - theta_<name>(t_k)| is added (doc/cli.md, doc/drift.md):
 *   flow          the gradient flow of the full loss from theta0;
 *   igr           the IGR flow of L + (h/4)|grad L|^2 (GD's modified flow to O(h^2));
 *   mod3          GD's modified field to O(h^3) (not a gradient; lib/drift's integrator);
 *   sgd-modified  the flow of L + (h/(4m)) sum_k |grad L_k|^2 over the --batch losses (m = 1
 *                 without batches, which is igr);
 *   hb-modified   heavy ball's flow -(1/(1-beta)) grad(L + h(1+beta)/(4(1-beta)^2)|grad L|^2)
 *                 from the shifted start theta0 + h beta/(1-beta)^2 grad L(theta0).
 * Every comparison uses the same time t_k = the sum of the step sizes before iterate k (k h
 * for fixed steps): the modified flows carry their own time scaling (hb-modified's
 * 1/(1-beta)). All but flow need a fixed step --lr (h); hb-modified uses --beta (default
 * 0.9, the heavy-ball default). The gradient kinds are integrated by lib/flow (Taylor series
 * in MPFR by default at tolerance 2^-(prec+8), or --flow-method
 * exact|taylor-double|rk8pd|msbdf), mod3 always by the MPFR Taylor integrator of lib/drift.
 * Times must not decrease (clr with a negative step makes the comparison unavailable: the
 * columns are then nan).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cor_drift.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_vspace.h"

extern const cli_command cli_cmd_run;
int cor_cmd_run(int argc, char **argv);

static const char usage[] =
    "Usage: corridor run --loss EXPR [--vars x,y,...] --theta0 POINT --method NAME\n"
    "                    [--lr H] --steps N [options]\n"
    "\n"
    "Runs an optimizer on the loss from theta0 and prints one row per reported step, computed\n"
    "in MPFR at --prec bits (or in double with --double). Every number given (theta0, --lr,\n"
    "--beta, --lstar, ...) is read exactly from its decimal text at the working precision.\n"
    "\n"
    "Options:\n"
    "  -l, --loss EXPR      the loss (with --batch: the full loss; default the batch mean)\n"
    "      --vars x,y,...   coordinate order; required when the loss has more than one variable\n"
    "      --theta0 POINT   start point, comma-separated constant expressions\n"
    "      --method NAME    gd heavyball nesterov rk4 rk38 rk3 heun midpoint euler clr sps\n"
    "                       decsps polyak_lb sgd adam\n"
    "      --lr H           step size (not for clr and the Polyak family)\n"
    "      --steps N        number of updates (an SGD epoch over m batches is m steps)\n"
    "      --every K        report every K-th step (default 1; the last step always)\n"
    "      --beta B         momentum (heavyball, nesterov; adam: beta1), default 0.9\n"
    "      --lstar V        L* of clr / the Polyak family (default 0)\n"
    "      --lr-max C       cap of the clr step; --clip: clip negative clr steps to 0\n"
    "      --param NAME=VAL any stepper parameter (e.g. gamma_b=1, c=0.5, beta2=0.99)\n"
    "      --bound B        divergence bound on |theta| (default 1e100)\n"
    "      --batch EXPR     a batch loss (repeat; numbered from 1); needed by sgd\n"
    "      --order i,j,...  sgd: fixed batch order (default 1..m)\n"
    "      --shuffle        sgd: a new random order every epoch, from --seed S (default 0)\n"
    "      --all-orders     sgd: the exact expectation over all m! orders (m <= 8)\n"
    "      --compare LIST   add dist_NAME = |theta_k - theta_NAME(t_k)|, t_k = sum of steps, for\n"
    "                       NAME in flow (gradient flow), igr (L + h/4 |grad L|^2), mod3 (GD's\n"
    "                       modified field to h^2), sgd-modified (L + h/(4m) sum |grad L_k|^2),\n"
    "                       hb-modified (heavy ball's modified flow from the shifted start);\n"
    "                       all but flow need --lr; see doc/drift.md\n"
    "      --flow-method M  taylor (default), exact, taylor-double, rk8pd, msbdf\n"
    "      --prec BITS, --double, --digits D, --format FMT, -o FILE, -h, -V  (as everywhere)\n"
    "\n"
    "Columns: k t loss grad_norm hg_norm lr theta_1 .. theta_n [dist_flow dist_igr ...].\n"
    "Exit status: 0 done; 2 bad input; 1 I/O error; 3 the run diverged (rows up to it are\n"
    "printed, the last one being the first bad iterate).\n"
    "\n"
    "Example: corridor run --loss 'sqrt(x^2+y^2+z^2)' --vars x,y,z --theta0 3,-1,2 \\\n"
    "             --method gd --lr 0.1 --steps 20 --compare flow\n"
    "         corridor run --loss '0.5*(1-x)^2+5*(y-x^2)^2' --vars x,y --theta0 -1.2,1 \\\n"
    "             --method gd --lr 0.01 --steps 100 --every 100 --compare flow,igr,mod3\n";

enum
{
    OPT_THETA0 = CLI_OPT_LOCAL,
    OPT_METHOD,
    OPT_LR,
    OPT_STEPS,
    OPT_EVERY,
    OPT_BETA,
    OPT_LSTAR,
    OPT_LRMAX,
    OPT_CLIP,
    OPT_PARAM,
    OPT_BOUND,
    OPT_BATCH,
    OPT_ORDER,
    OPT_SHUFFLE,
    OPT_SEED,
    OPT_ALLORDERS,
    OPT_COMPARE,
    OPT_FLOWMETHOD
};

#define MAX_BATCHES 64
#define MAX_PARAMS 16

/* One reported row, in MPFR at the working precision (exact copies of double values). */
typedef struct
{
    uint64_t k;
    mpfr_t t, loss, gnorm, hgnorm, lr;
    int have_lr;
    mpfr_t *theta;
} row;

typedef struct
{
    cli_common c;
    const char *theta0, *method, *lr, *beta, *lstar, *lrmax, *bound, *order, *seed, *compare;
    const char *flow_method;
    const char *batches[MAX_BATCHES];
    size_t nbatches;
    const char *params[MAX_PARAMS];
    size_t nparams;
    long steps, every;
    int clip, shuffle, all_orders;
    cor_drift_kind kinds[COR_DRIFT_KIND_COUNT_];
    size_t nkinds;
} run_opts;

static void
set_param(cor_step *s, const char *name, const char *value, const char *opt)
{
    if (cor_step_set_param(s, name, value) != COR_OK)
        cli_die(CLI_EXIT_USAGE, "%s: %s", opt, cor_last_error()->msg);
}

/* --compare: a comma-separated list of distinct flow names */
static void
parse_compare(run_opts *o)
{
    const char *p = o->compare;

    while (1)
    {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char name[64];
        cor_drift_kind k;

        if (len == 0 || len >= sizeof name)
            cli_die(CLI_EXIT_USAGE, "--compare: empty or overlong name in '%s'", o->compare);
        memcpy(name, p, len);
        name[len] = '\0';
        if (cor_drift_kind_parse(&k, name) != COR_OK)
            cli_die(CLI_EXIT_USAGE, "--compare: %s", cor_last_error()->msg);
        for (size_t i = 0; i < o->nkinds; i++)
            if (o->kinds[i] == k)
                cli_die(CLI_EXIT_USAGE, "--compare: '%s' given twice", name);
        o->kinds[o->nkinds++] = k;
        if (!e)
            break;
        p = e + 1;
    }
}

/* ---- the rows -------------------------------------------------------------------------- */

static row *
rows_alloc(size_t count, size_t n, mpfr_prec_t prec)
{
    row *r = cor_calloc(count, sizeof *r);

    if (!r)
        cli_die_lib(CLI_EXIT_IO, NULL);
    for (size_t i = 0; i < count; i++)
    {
        mpfr_inits2(prec, r[i].t, r[i].loss, r[i].gnorm, r[i].hgnorm, r[i].lr, (mpfr_ptr)0);
        r[i].theta = cor_mallocarray(n, sizeof *r[i].theta);
        if (!r[i].theta)
            cli_die_lib(CLI_EXIT_IO, NULL);
        for (size_t j = 0; j < n; j++)
            mpfr_init2(r[i].theta[j], prec);
    }
    return r;
}

static void
rows_free(row *r, size_t count, size_t n)
{
    for (size_t i = 0; i < count; i++)
    {
        mpfr_clears(r[i].t, r[i].loss, r[i].gnorm, r[i].hgnorm, r[i].lr, (mpfr_ptr)0);
        for (size_t j = 0; j < n; j++)
            mpfr_clear(r[i].theta[j]);
        cor_free(r[i].theta);
    }
    cor_free(r);
}

static void
scalar_to_mpfr(mpfr_ptr out, const cor_scalar *s)
{
    if (!s || cor_status_is_error(cor_scalar_get_mpfr(out, s)))
        mpfr_set_nan(out);
}

static void
vec_to_mpfr(mpfr_t *out, const cor_vec *x, const cor_vspace *V)
{
    for (size_t i = 0; i < cor_vspace_dim(V); i++)
    {
        if (cor_vspace_kind(V) == COR_MPFR)
            mpfr_set(out[i], cor_vec_mpfr_srcptr(x, i), MPFR_RNDN);
        else
        {
            double d;
            if (cor_status_is_error(cor_vec_get_d(&d, x, i, V)))
                d = NAN;
            mpfr_set_d(out[i], d, MPFR_RNDN);
        }
    }
}

/* ---- the run ------------------------------------------------------------------------------ */

typedef struct
{
    const cor_vspace *V;
    cor_objective *obj;
    cor_vec *g, *hg;
    cor_scalar *L, *gn, *hn;
} observer;

/* Full-loss quantities at x into the row (those not given by the stepper's info). */
static void
observe(observer *o, row *r, const cor_vec *x, int need_loss_grad)
{
    if (cor_status_is_error(cor_objective_select_batch(o->obj, COR_BATCH_FULL)))
        cli_die_lib(CLI_EXIT_IO, "select the full loss");
    if (need_loss_grad)
    {
        int st = cor_objective_value_grad(o->obj, o->L, o->g, x);
        if (cor_status_is_error(st))
            cli_die_lib(CLI_EXIT_IO, "loss evaluation");
        scalar_to_mpfr(r->loss, o->L);
        if (cor_status_is_error(cor_vec_nrm2(o->gn, o->g, o->V)))
            cli_die_lib(CLI_EXIT_IO, "gradient norm");
        scalar_to_mpfr(r->gnorm, o->gn);
    }
    if (cor_status_is_error(cor_objective_hg(o->obj, o->hg, x))
        || cor_status_is_error(cor_vec_nrm2(o->hn, o->hg, o->V)))
        cli_die_lib(CLI_EXIT_IO, "H grad L evaluation");
    scalar_to_mpfr(r->hgnorm, o->hn);
}

static void
parse_options(run_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"theta0", required_argument, NULL, OPT_THETA0},
        {"method", required_argument, NULL, OPT_METHOD},
        {"lr", required_argument, NULL, OPT_LR},
        {"steps", required_argument, NULL, OPT_STEPS},
        {"every", required_argument, NULL, OPT_EVERY},
        {"beta", required_argument, NULL, OPT_BETA},
        {"lstar", required_argument, NULL, OPT_LSTAR},
        {"lr-max", required_argument, NULL, OPT_LRMAX},
        {"clip", no_argument, NULL, OPT_CLIP},
        {"param", required_argument, NULL, OPT_PARAM},
        {"bound", required_argument, NULL, OPT_BOUND},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"order", required_argument, NULL, OPT_ORDER},
        {"shuffle", no_argument, NULL, OPT_SHUFFLE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"all-orders", no_argument, NULL, OPT_ALLORDERS},
        {"compare", required_argument, NULL, OPT_COMPARE},
        {"flow-method", required_argument, NULL, OPT_FLOWMETHOD},
        {NULL, 0, NULL, 0},
    };
    int opt;

    memset(o, 0, sizeof *o);
    o->every = 1;
    cli_common_init(&o->c, "run", usage);
    while ((opt = cli_getopt(argc, argv, CLI_COMMON_SHORTOPTS, longopts, "run")) != -1)
    {
        if (cli_common_option(&o->c, opt, optarg))
            continue;
        switch (opt)
        {
        case OPT_THETA0: o->theta0 = optarg; break;
        case OPT_METHOD: o->method = optarg; break;
        case OPT_LR: o->lr = optarg; break;
        case OPT_STEPS: o->steps = cli_parse_positive("--steps", optarg, 1L << 40); break;
        case OPT_EVERY: o->every = cli_parse_positive("--every", optarg, 1L << 40); break;
        case OPT_BETA: o->beta = optarg; break;
        case OPT_LSTAR: o->lstar = optarg; break;
        case OPT_LRMAX: o->lrmax = optarg; break;
        case OPT_CLIP: o->clip = 1; break;
        case OPT_BOUND: o->bound = optarg; break;
        case OPT_ORDER: o->order = optarg; break;
        case OPT_SHUFFLE: o->shuffle = 1; break;
        case OPT_SEED: o->seed = optarg; break;
        case OPT_ALLORDERS: o->all_orders = 1; break;
        case OPT_COMPARE: o->compare = optarg; break;
        case OPT_FLOWMETHOD: o->flow_method = optarg; break;
        case OPT_PARAM:
            if (o->nparams == MAX_PARAMS)
                cli_die(CLI_EXIT_USAGE, "--param: at most %d parameters", MAX_PARAMS);
            if (!strchr(optarg, '='))
                cli_die(CLI_EXIT_USAGE, "--param: expected NAME=VALUE, got '%s'", optarg);
            o->params[o->nparams++] = optarg;
            break;
        case OPT_BATCH:
            if (o->nbatches == MAX_BATCHES)
                cli_die(CLI_EXIT_USAGE, "--batch: at most %d batches", MAX_BATCHES);
            o->batches[o->nbatches++] = optarg;
            break;
        default: break;
        }
    }
    cli_common_finish(&o->c);
    if (!o->theta0)
        cli_die(CLI_EXIT_USAGE, "missing --theta0 POINT (see 'corridor run --help')");
    if (!o->method)
        cli_die(CLI_EXIT_USAGE, "missing --method NAME (see 'corridor run --help')");
    if (!o->steps)
        cli_die(CLI_EXIT_USAGE, "missing --steps N (see 'corridor run --help')");
    if (o->compare)
        parse_compare(o);
    if (o->shuffle + o->all_orders + (o->order != NULL) > 1)
        cli_die(CLI_EXIT_USAGE, "--order, --shuffle and --all-orders exclude each other");
}

/* The loss text: --loss, or the mean of the batches. Returned string is malloc'd or NULL. */
static char *
mean_of_batches(const run_opts *o)
{
    size_t len = 32;
    char *s;

    for (size_t k = 0; k < o->nbatches; k++)
        len += strlen(o->batches[k]) + 8;
    s = cor_malloc(len);
    if (!s)
        cli_die_lib(CLI_EXIT_IO, NULL);
    strcpy(s, "(");
    for (size_t k = 0; k < o->nbatches; k++)
    {
        strcat(s, k ? " + (" : "(");
        strcat(s, o->batches[k]);
        strcat(s, ")");
    }
    snprintf(s + strlen(s), len - strlen(s), ")/%zu", o->nbatches);
    return s;
}

static int
run_main(int argc, char **argv)
{
    run_opts o;
    cli_problem p;
    char *loss_text = NULL;
    const cor_step_type *T;
    cor_vspace *V;
    cor_objective *obj;
    cor_step *s;
    cor_vec *x, *xprev;
    cor_scalar *h;
    cor_node bnodes[MAX_BATCHES];
    mpfr_t *th0;
    mpfr_prec_t prec;
    observer ob;
    row *rows;
    size_t nrows = 0, maxrows, n;
    int outcome = COR_OK;
    uint64_t k;

    parse_options(&o, argc, argv);
    T = cor_step_type_lookup(o.method);
    if (!T)
        cli_die(CLI_EXIT_USAGE, "--method: unknown method '%s' (see 'corridor run --help')",
                o.method);
    if ((T->needs & COR_NEED_BATCHES) && o.nbatches == 0)
        cli_die(CLI_EXIT_USAGE, "--method %s needs --batch EXPR (repeated)", o.method);
    if (!(T->needs & COR_NEED_NO_LR) && !o.lr)
        cli_die(CLI_EXIT_USAGE, "--method %s needs --lr H", o.method);
    if (o.nbatches && !o.c.loss)
        o.c.loss = loss_text = mean_of_batches(&o);
    cli_problem_load(&p, &o.c);
    n = p.n;
    for (size_t b = 0; b < o.nbatches; b++)
    {
        size_t col = 0;
        if (cor_expr_parse(&bnodes[b], &col, o.batches[b], COR_PARSE_KNOWN_VARS, p.pool)
            != COR_OK)
            cli_die(CLI_EXIT_USAGE, "--batch %zu: %s", b + 1, cor_last_error()->msg);
    }
    prec = o.c.use_double ? 53 : o.c.prec;

    /* space, objective, stepper, start point, step size */
    V = o.c.use_double ? cor_vspace_alloc_f64(n) : cor_vspace_alloc_mpfr(n, prec);
    if (!V)
        cli_die_lib(CLI_EXIT_IO, "vector space");
    if (o.nbatches)
        obj = cor_expr_objective_alloc_batches(p.pool, p.loss, o.nbatches, bnodes, n, p.vars, V,
                                               COR_OBJ_WANT_HG);
    else
        obj = cor_expr_objective_alloc(p.pool, p.loss, n, p.vars, V, COR_OBJ_WANT_HG);
    if (!obj)
        cli_die_lib(CLI_EXIT_IO, "compiling the loss");
    s = cor_step_alloc(T, V);
    if (!s)
        cli_die_lib(CLI_EXIT_IO, "stepper");
    if (o.beta)
        set_param(s, strcmp(T->name, "adam") == 0 ? "beta1" : "beta", o.beta, "--beta");
    if (o.lstar)
        set_param(s, "lstar", o.lstar, "--lstar");
    if (o.lrmax)
        set_param(s, "lr_max", o.lrmax, "--lr-max");
    if (o.clip)
        set_param(s, "clip", "1", "--clip");
    if (o.bound)
        set_param(s, "bound", o.bound, "--bound");
    if (o.shuffle)
        set_param(s, "mode", "shuffle", "--shuffle");
    if (o.all_orders)
        set_param(s, "mode", "all", "--all-orders");
    if (o.order)
        set_param(s, "order", o.order, "--order");
    if (o.seed)
        set_param(s, "seed", o.seed, "--seed");
    for (size_t i = 0; i < o.nparams; i++)
    {
        char name[64];
        const char *eq = strchr(o.params[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - o.params[i]), o.params[i]);
        set_param(s, name, eq + 1, "--param");
    }
    if ((o.shuffle || o.all_orders || o.order || o.seed) && strcmp(T->name, "sgd") != 0)
        cli_die(CLI_EXIT_USAGE, "--order, --shuffle, --seed and --all-orders are for sgd");

    th0 = cor_mallocarray(n, sizeof *th0);
    x = cor_vec_alloc(V);
    xprev = cor_vec_alloc(V);
    h = cor_scalar_alloc(V);
    if (!th0 || !x || !xprev || !h)
        cli_die_lib(CLI_EXIT_IO, NULL);
    cli_point_parse(th0, "--theta0", o.theta0, n,
                    o.c.use_double ? CLI_PREC_DOUBLE_READ : prec);
    for (size_t i = 0; i < n; i++)
    {
        if (o.c.use_double)
        {
            double d = mpfr_get_d(th0[i], MPFR_RNDN);
            if (cor_vec_set_d(x, i, d, V) != COR_OK)
                cli_die(CLI_EXIT_USAGE, "--theta0: coordinate %zu overflows a double", i + 1);
            mpfr_set_prec(th0[i], 53);
            mpfr_set_d(th0[i], d, MPFR_RNDN);
        }
        else
            mpfr_set(cor_vec_mpfr_ptr(x, i), th0[i], MPFR_RNDN);
    }
    if (o.lr)
    {
        int st = cor_scalar_set_str(h, o.lr);
        if (st != COR_OK)
            cli_die(CLI_EXIT_USAGE, "--lr: '%s' is not a finite number", o.lr);
    }

    ob.V = V;
    ob.obj = obj;
    ob.g = cor_vec_alloc(V);
    ob.hg = cor_vec_alloc(V);
    ob.L = cor_scalar_alloc(V);
    ob.gn = cor_scalar_alloc(V);
    ob.hn = cor_scalar_alloc(V);
    if (!ob.g || !ob.hg || !ob.L || !ob.gn || !ob.hn)
        cli_die_lib(CLI_EXIT_IO, NULL);

    /* the run: row k is filled from theta_k (copied before the update) and the info */
    maxrows = (size_t)((o.steps + o.every - 1) / o.every) + 2;
    rows = rows_alloc(maxrows, n, prec);
    {
        mpfr_t t;
        cor_step_info info;

        mpfr_init2(t, prec);
        mpfr_set_zero(t, 1);
        for (k = 0; k < (uint64_t)o.steps; k++)
        {
            int report = k % (uint64_t)o.every == 0;
            int st;

            if (report && cor_vec_copy(xprev, x, V) != COR_OK)
                cli_die_lib(CLI_EXIT_IO, NULL);
            st = cor_step_apply(s, obj, x, o.lr ? h : NULL, &info);
            if (cor_status_is_error(st))
                cli_die_lib(CLI_EXIT_IO, "step");
            if (report)
            {
                row *r = &rows[nrows++];
                int have = info.loss && info.grad_norm && info.batch == COR_BATCH_FULL;
                r->k = k;
                mpfr_set(r->t, t, MPFR_RNDN);
                if (have)
                {
                    scalar_to_mpfr(r->loss, info.loss);
                    scalar_to_mpfr(r->gnorm, info.grad_norm);
                }
                observe(&ob, r, xprev, !have);
                r->have_lr = info.lr != NULL;
                scalar_to_mpfr(r->lr, info.lr);
                vec_to_mpfr(r->theta, xprev, V);
            }
            if (info.lr)
            {
                mpfr_t l;
                mpfr_init2(l, prec);
                scalar_to_mpfr(l, info.lr);
                mpfr_add(t, t, l, MPFR_RNDN);
                mpfr_clear(l);
            }
            if (st != COR_OK)
            {
                outcome = st;
                k++;
                break;
            }
        }
        /* the last row: theta_N, or the first bad iterate; a stopped run (x unchanged) adds
         * its iterate only if it was not reported already */
        if (outcome == COR_STOPPED)
            k--;
        if (!(outcome == COR_STOPPED && nrows && rows[nrows - 1].k == k))
        {
            row *r = &rows[nrows++];
            r->k = k;
            mpfr_set(r->t, t, MPFR_RNDN);
            observe(&ob, r, x, 1);
            r->have_lr = !(T->needs & COR_NEED_NO_LR) && outcome == COR_OK;
            if (r->have_lr)
                scalar_to_mpfr(r->lr, h);
            vec_to_mpfr(r->theta, x, V);
        }
        mpfr_clear(t);
    }

    /* the flows at the reported times, one per --compare name */
    mpfr_t *flow[COR_DRIFT_KIND_COUNT_] = {NULL};
    int flow_ok[COR_DRIFT_KIND_COUNT_] = {0};
    const char *flow_note[COR_DRIFT_KIND_COUNT_] = {NULL};
    char note_buf[COR_DRIFT_KIND_COUNT_][600];
    if (o.nkinds)
    {
        cor_flow_method fm = o.c.use_double ? COR_FLOW_TAYLOR_D : COR_FLOW_TAYLOR;
        mpfr_t *times = cor_mallocarray(nrows, sizeof *times);
        cor_node hnode = COR_NODE_NONE, bnode = COR_NODE_NONE;
        int monotone = 1;

        if (o.flow_method && cor_flow_method_parse(&fm, o.flow_method) != COR_OK)
            cli_die(CLI_EXIT_USAGE, "--flow-method: %s", cor_last_error()->msg);
        if (!times)
            cli_die_lib(CLI_EXIT_IO, NULL);
        for (size_t j = 0; j < o.nkinds; j++)
        {
            if (o.kinds[j] == COR_DRIFT_GF)
                continue;
            if (!o.lr)
                cli_die(CLI_EXIT_USAGE, "--compare %s needs a fixed step size --lr H",
                        cor_drift_kind_name(o.kinds[j]));
            if (hnode == COR_NODE_NONE)
            {
                size_t col = 0;
                if (cor_expr_parse(&hnode, &col, o.lr, COR_PARSE_KNOWN_VARS, p.pool) != COR_OK
                    || !cor_expr_is_const(p.pool, hnode))
                    cli_die(CLI_EXIT_USAGE, "--lr: '%s' is not a rational constant", o.lr);
            }
            if (o.kinds[j] == COR_DRIFT_HB && bnode == COR_NODE_NONE)
            {
                size_t col = 0;
                const char *bt = o.beta ? o.beta : "0.9";
                if (cor_expr_parse(&bnode, &col, bt, COR_PARSE_KNOWN_VARS, p.pool) != COR_OK
                    || !cor_expr_is_const(p.pool, bnode))
                    cli_die(CLI_EXIT_USAGE, "--beta: '%s' is not a rational constant", bt);
            }
        }
        for (size_t i = 0; i < nrows; i++)
        {
            mpfr_init2(times[i], prec);
            mpfr_set(times[i], rows[i].t, MPFR_RNDN);
            if (i && mpfr_less_p(times[i], times[i - 1]))
                monotone = 0;
            if (mpfr_sgn(times[i]) < 0 || !mpfr_number_p(times[i]))
                monotone = 0;
        }
        for (size_t j = 0; j < o.nkinds; j++)
        {
            cor_drift_kind kd = o.kinds[j];
            cor_drift_opts dopt;
            cor_drift_flow *f;
            int st;

            flow[kd] = cor_mallocarray(nrows * n, sizeof *flow[kd]);
            if (!flow[kd])
                cli_die_lib(CLI_EXIT_IO, NULL);
            for (size_t i = 0; i < nrows * n; i++)
                mpfr_init2(flow[kd][i], prec);
            if (!monotone)
            {
                flow_note[kd] = "times decrease or are negative: no flow comparison";
                continue;
            }
            cor_drift_opts_init(&dopt);
            dopt.h = hnode;
            dopt.beta = bnode;
            dopt.m = o.nbatches;
            dopt.batches = o.nbatches ? bnodes : NULL;
            dopt.method = fm;
            dopt.tol = o.c.use_double ? 1e-15 : fmax(ldexp(1.0, -(int)prec - 8), 1e-300);
            f = cor_drift_flow_alloc(kd, p.pool, p.loss, n, p.vars, prec, &dopt);
            if (!f)
                cli_die_lib(kd == COR_DRIFT_HB && cor_last_error()->code == COR_EINVAL
                                ? CLI_EXIT_USAGE
                                : CLI_EXIT_IO,
                            cor_drift_kind_name(kd));
            st = cor_drift_flow_solve(f, flow[kd], nrows, (const mpfr_t *)times,
                                      (const mpfr_t *)th0);
            if (cor_status_is_error(st))
            {
                snprintf(note_buf[kd], sizeof note_buf[kd], "%s", cor_last_error()->msg);
                flow_note[kd] = note_buf[kd];
            }
            else
                flow_ok[kd] = 1;
            if (st == COR_STOPPED)
                flow_note[kd] = "the flow stopped early (kink or domain); later rows are nan";
            cor_drift_flow_free(f);
        }
        for (size_t i = 0; i < nrows; i++)
            mpfr_clear(times[i]);
        cor_free(times);
    }

    /* the table */
    {
        size_t ncols = 6 + n + o.nkinds;
        const char **cols = cor_mallocarray(ncols, sizeof *cols);
        char (*names)[32] = cor_mallocarray(n + o.nkinds, sizeof *names);
        cor_table *t = cli_table_open(&o.c);
        mpfr_t d, e;

        if (!cols || !names)
            cli_die_lib(CLI_EXIT_IO, NULL);
        cli_table_check(t, cor_table_meta(t, "loss", o.c.loss));
        for (size_t b = 0; b < o.nbatches; b++)
            cli_table_check(t, cor_table_meta_printf(t, "batch", "%zu: %s", b + 1, o.batches[b]));
        cli_table_check(t, cor_table_meta(t, "vars", cli_problem_var_list(&p)));
        cli_table_check(t, cor_table_meta(t, "theta0", o.theta0));
        cli_table_check(t, cor_table_meta(t, "method", o.method));
        cli_table_check(t, cor_table_meta(t, "lr", o.lr ? o.lr : "adaptive"));
        cli_table_check(t, cor_table_meta_printf(t, "steps", "%ld", o.steps));
        cli_table_check(t, cor_table_meta(t, "backend", o.c.use_double ? "double" : "mpfr"));
        cli_table_check(t, cor_table_meta_printf(t, "prec", "%ld", (long)prec));
        if (o.beta)
            cli_table_check(t, cor_table_meta(t, "beta", o.beta));
        if (o.lstar)
            cli_table_check(t, cor_table_meta(t, "lstar", o.lstar));
        if (o.lrmax)
            cli_table_check(t, cor_table_meta(t, "lr_max", o.lrmax));
        if (o.nbatches)
            cli_table_check(t, cor_table_meta(t, "batch_order",
                                              o.all_orders ? "all orders (expectation)"
                                              : o.shuffle  ? "shuffle"
                                              : o.order    ? o.order
                                                           : "1..m"));
        if (o.seed || o.shuffle)
            cli_table_check(t, cor_table_meta(t, "seed", o.seed ? o.seed : "0"));
        for (size_t j = 0; j < o.nkinds; j++)
        {
            cor_drift_kind kd = o.kinds[j];
            char key[48];
            snprintf(key, sizeof key, "%s%s", kd == COR_DRIFT_GF ? "" : "flow_",
                     cor_drift_kind_column(kd));
            cli_table_check(t, cor_table_meta(t, key, flow_note[kd] ? flow_note[kd] : "ok"));
        }
        if (o.nkinds)
            cli_table_check(t, cor_table_meta(t, "compare_time",
                                              "dist_NAME at iterate k uses flow time t_k = sum "
                                              "of the step sizes before k (k h)"));
        cli_table_check(t, cor_table_meta(t, "rows", "row k: theta_k; lr = step taken from "
                                                     "theta_k; t = sum of earlier steps"));
        cols[0] = "k", cols[1] = "t", cols[2] = "loss", cols[3] = "grad_norm";
        cols[4] = "hg_norm", cols[5] = "lr";
        for (size_t i = 0; i < n; i++)
        {
            snprintf(names[i], sizeof names[i], "theta_%zu", i + 1);
            cols[6 + i] = names[i];
        }
        for (size_t j = 0; j < o.nkinds; j++)
        {
            snprintf(names[n + j], sizeof names[n + j], "dist_%s",
                     cor_drift_kind_column(o.kinds[j]));
            cols[6 + n + j] = names[n + j];
        }
        cli_table_check(t, cor_table_header(t, ncols, cols));
        mpfr_inits2(prec, d, e, (mpfr_ptr)0);
        for (size_t i = 0; i < nrows; i++)
        {
            row *r = &rows[i];
            cli_table_check(t, cor_table_cell_u64(t, r->k));
            cli_table_check(t, cor_table_cell_mpfr(t, r->t));
            cli_table_check(t, cor_table_cell_mpfr(t, r->loss));
            cli_table_check(t, cor_table_cell_mpfr(t, r->gnorm));
            cli_table_check(t, cor_table_cell_mpfr(t, r->hgnorm));
            cli_table_check(t, r->have_lr ? cor_table_cell_mpfr(t, r->lr)
                                          : cor_table_cell_missing(t));
            for (size_t j = 0; j < n; j++)
                cli_table_check(t, cor_table_cell_mpfr(t, r->theta[j]));
            for (size_t jj = 0; jj < o.nkinds; jj++)
            {
                cor_drift_kind kd = o.kinds[jj];
                if (!flow_ok[kd])
                    cli_table_check(t, cor_table_cell_missing(t));
                else
                {
                    mpfr_set_zero(d, 1);
                    for (size_t j = 0; j < n; j++)
                    {
                        mpfr_sub(e, r->theta[j], flow[kd][i * n + j], MPFR_RNDN);
                        mpfr_sqr(e, e, MPFR_RNDN);
                        mpfr_add(d, d, e, MPFR_RNDN);
                    }
                    mpfr_sqrt(d, d, MPFR_RNDN);
                    cli_table_check(t, cor_table_cell_mpfr(t, d));
                }
            }
            cli_table_check(t, cor_table_row_end(t));
        }
        mpfr_clears(d, e, (mpfr_ptr)0);
        cli_table_close(t);
        cor_free(cols);
        cor_free(names);
    }
    if (outcome == COR_DIVERGED || outcome == COR_NONFINITE)
        cli_warn("run: diverged at step %llu (%s); rows up to it were written",
                 (unsigned long long)k,
                 outcome == COR_DIVERGED ? "|theta| exceeded the bound" : "a non-finite value");
    else if (outcome == COR_STOPPED)
        cli_warn("run: stopped at step %llu (zero gradient: the step is undefined)",
                 (unsigned long long)k);
    for (int kd = 0; kd < COR_DRIFT_KIND_COUNT_; kd++)
        if (flow[kd])
        {
            for (size_t i = 0; i < nrows * n; i++)
                mpfr_clear(flow[kd][i]);
            cor_free(flow[kd]);
        }
    rows_free(rows, maxrows, n);
    for (size_t i = 0; i < n; i++)
        mpfr_clear(th0[i]);
    cor_free(th0);
    cor_vec_free(ob.g);
    cor_vec_free(ob.hg);
    cor_scalar_free(ob.L);
    cor_scalar_free(ob.gn);
    cor_scalar_free(ob.hn);
    cor_vec_free(x);
    cor_vec_free(xprev);
    cor_scalar_free(h);
    cor_step_free(s);
    cor_objective_free(obj);
    cor_vspace_free(V);
    cli_problem_free(&p);
    cor_free(loss_text);
    return cli_finish(outcome == COR_DIVERGED || outcome == COR_NONFINITE ? CLI_EXIT_DIVERGED
                                                                          : CLI_EXIT_OK);
}

int
cor_cmd_run(int argc, char **argv)
{
    return run_main(argc, argv);
}

const cli_command cli_cmd_run = {
    "run",
    "iterates of an optimizer (gd, heavyball, rk4, clr, sgd, ...) and their distance to GF",
    cor_cmd_run,
};
