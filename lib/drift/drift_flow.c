/* drift_flow.c -- the modified flows by name: the gradient kinds (GF, IGR, SGD, HB) become a
 * lib/flow integrator of their modified loss; MOD3 is integrated by cor_drift_ode; HB starts
 * from the shifted point theta0 + h beta/(1-beta)^2 g(theta0), evaluated on a tape. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cor_diff.h"
#include "cor_drift.h"
#include "cor_eval.h"
#include "cor_sys.h"

struct cor_drift_flow
{
    cor_drift_kind kind;
    size_t n;
    mpfr_prec_t prec;
    cor_node loss;
    cor_node *field;
    cor_flow *flow;
    cor_drift_ode *ode;
    cor_tape *shift_tape;
    cor_eval_mpfr *shift_eval;
    mpfr_t *start; /* n */
};

static const char *const kind_names[] = {"flow", "igr", "mod3", "sgd-modified", "hb-modified"};
static const char *const kind_cols[] = {"flow", "igr", "mod3", "sgd_modified", "hb_modified"};

const char *
cor_drift_kind_name(cor_drift_kind k)
{
    return (unsigned)k < COR_DRIFT_KIND_COUNT_ ? kind_names[k] : "unknown";
}

const char *
cor_drift_kind_column(cor_drift_kind k)
{
    return (unsigned)k < COR_DRIFT_KIND_COUNT_ ? kind_cols[k] : "unknown";
}

int
cor_drift_kind_parse(cor_drift_kind *k, const char *name)
{
    if (!k || !name)
        return COR_ERROR(COR_EINVAL, "drift: NULL kind name");
    for (int i = 0; i < COR_DRIFT_KIND_COUNT_; i++)
        if (strcmp(name, kind_names[i]) == 0 || strcmp(name, kind_cols[i]) == 0)
        {
            *k = (cor_drift_kind)i;
            return COR_OK;
        }
    return COR_ERROR(COR_EINVAL,
                     "unknown comparison '%s' (flow, igr, mod3, sgd-modified, hb-modified)", name);
}

void
cor_drift_opts_init(cor_drift_opts *o)
{
    memset(o, 0, sizeof *o);
    o->h = COR_NODE_NONE;
    o->beta = COR_NODE_NONE;
    o->method = COR_FLOW_TAYLOR;
    o->tol = 0;
}

void
cor_drift_flow_free(cor_drift_flow *f)
{
    if (!f)
        return;
    cor_flow_free(f->flow);
    cor_drift_ode_free(f->ode);
    cor_eval_mpfr_free(f->shift_eval);
    cor_tape_free(f->shift_tape);
    if (f->start)
        for (size_t i = 0; i < f->n; i++)
            mpfr_clear(f->start[i]);
    cor_free(f->start);
    cor_free(f->field);
    cor_free(f);
}

cor_drift_flow *
cor_drift_flow_alloc(cor_drift_kind k, cor_expr_pool *pool, cor_node loss, size_t n,
                     const cor_node *vars, mpfr_prec_t prec, const cor_drift_opts *opts)
{
    cor_drift_opts d;
    cor_drift_flow *f;
    cor_flow_opts fo;
    cor_node *shift = NULL;
    int st = COR_OK;

    if (!opts)
    {
        cor_drift_opts_init(&d);
        opts = &d;
    }
    if ((unsigned)k >= COR_DRIFT_KIND_COUNT_ || !pool || loss == COR_NODE_NONE || n == 0
        || !vars)
    {
        COR_ERROR(COR_EINVAL, "drift flow: bad arguments");
        return NULL;
    }
    f = cor_calloc(1, sizeof *f);
    if (!f || !(f->field = cor_mallocarray(n, sizeof *f->field))
        || !(f->start = cor_mallocarray(n, sizeof *f->start)))
    {
        if (f)
            cor_free(f->field);
        cor_free(f);
        COR_ERROR(COR_ENOMEM, "drift flow: out of memory");
        return NULL;
    }
    f->kind = k;
    f->n = n;
    f->prec = prec;
    for (size_t i = 0; i < n; i++)
        mpfr_init2(f->start[i], prec);
    f->loss = COR_NODE_NONE;
    cor_flow_opts_init(&fo);
    fo.tol = opts->tol > 0 ? opts->tol : fmax(ldexp(1.0, -(int)prec - 8), 1e-300);
    if (opts->method != COR_FLOW_TAYLOR && opts->method != COR_FLOW_EXACT && fo.tol < 1e-14)
        fo.tol = 1e-14;
    switch (k)
    {
    case COR_DRIFT_GF:
        f->loss = loss;
        break;
    case COR_DRIFT_IGR:
        st = cor_drift_igr_loss(&f->loss, pool, loss, opts->h, n, vars);
        break;
    case COR_DRIFT_MOD3:
        st = cor_drift_mod3_field(f->field, pool, loss, opts->h, n, vars);
        break;
    case COR_DRIFT_SGD:
        if (opts->m == 0 || !opts->batches)
            st = cor_drift_sgd_loss(&f->loss, NULL, NULL, NULL, pool, 1, &loss, opts->h, n, vars);
        else
            st = cor_drift_sgd_loss(&f->loss, NULL, NULL, NULL, pool, opts->m, opts->batches,
                                    opts->h, n, vars);
        break;
    case COR_DRIFT_HB:
        shift = cor_mallocarray(n, sizeof *shift);
        if (!shift)
        {
            st = COR_ERROR(COR_ENOMEM, "drift flow: out of memory");
            break;
        }
        st = cor_drift_hb_loss(&f->loss, shift, pool, loss, opts->h, opts->beta, n, vars);
        if (st == COR_OK && !opts->no_shift)
        {
            f->shift_tape = cor_tape_alloc(pool, n, vars, n, shift);
            if (!f->shift_tape || !(f->shift_eval = cor_eval_mpfr_alloc(f->shift_tape, prec)))
                st = cor_last_error()->code ? cor_last_error()->code : COR_ENOMEM;
        }
        break;
    default:
        break;
    }
    cor_free(shift);
    if (st != COR_OK)
        goto fail;
    if (k == COR_DRIFT_MOD3)
    {
        f->ode = cor_drift_ode_alloc(pool, n, f->field, vars, prec, fo.tol);
        if (!f->ode)
            goto fail;
    }
    else
    {
        f->flow = cor_flow_alloc(opts->method, pool, f->loss, n, vars, prec, &fo);
        if (!f->flow)
            goto fail;
        memcpy(f->field, cor_flow_field(f->flow), n * sizeof *f->field);
    }
    return f;
fail:
    cor_drift_flow_free(f);
    return NULL;
}

int
cor_drift_flow_solve(cor_drift_flow *f, mpfr_t *out, size_t nt, const mpfr_t *times,
                     const mpfr_t *theta0)
{
    if (!f || !theta0)
        return COR_ERROR(COR_EINVAL, "drift flow: NULL argument");
    for (size_t i = 0; i < f->n; i++)
        mpfr_set(f->start[i], theta0[i], MPFR_RNDN);
    if (f->shift_eval)
    {
        int st = cor_eval_mpfr_run(f->shift_eval, f->start, theta0);
        if (st != COR_OK)
            return cor_status_is_error(st) ? st : COR_STOPPED;
        for (size_t i = 0; i < f->n; i++)
            mpfr_add(f->start[i], f->start[i], theta0[i], MPFR_RNDN);
    }
    if (f->ode)
        return cor_drift_ode_solve(f->ode, out, nt, times, (const mpfr_t *)f->start);
    return cor_flow_solve(f->flow, out, nt, times, (const mpfr_t *)f->start);
}

cor_node
cor_drift_flow_loss(const cor_drift_flow *f)
{
    return f ? f->loss : COR_NODE_NONE;
}

const cor_node *
cor_drift_flow_field(const cor_drift_flow *f)
{
    return f ? f->field : NULL;
}
