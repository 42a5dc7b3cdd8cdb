/* pcprob.c -- a loss on an MPFR space, and error formatting, shared by the theorem checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cor_err.h"
#include "pcprob.h"



static const char *const vnames[COR_PC_MAXN] = {"x", "y", "z"};

void
cor_pc_prob_clear(cor_pc_prob *p)
{
    cor_objective_free(p->obj);
    cor_vspace_free(p->V);
    cor_expr_pool_free(p->pool);
    memset(p, 0, sizeof *p);
}

/* Parses expr in the variables x, y, z (the first n) and builds its objective on the MPFR
 * space of dimension n at precision prec. */
int
cor_pc_prob_init(cor_pc_prob *p, const char *expr, size_t n, mpfr_prec_t prec)
{
    return cor_pc_prob_init_want(p, expr, n, prec, 0);
}

/* As cor_pc_prob_init, with the objective's optional tapes (COR_OBJ_WANT_HG, _HVP). */
int
cor_pc_prob_init_want(cor_pc_prob *p, const char *expr, size_t n, mpfr_prec_t prec,
                      unsigned want)
{
    size_t col = 0;
    size_t i;
    int st;

    memset(p, 0, sizeof *p);
    p->n = n;
    p->pool = cor_expr_pool_alloc();
    if (p->pool == NULL)
        return cor_last_error()->code;
    for (i = 0; i < n; i++)
    {
        p->vars[i] = cor_expr_var(p->pool, vnames[i]);
        if (p->vars[i] == COR_NODE_NONE)
            return cor_last_error()->code;
    }
    st = cor_expr_parse(&p->f, &col, expr, COR_PARSE_KNOWN_VARS, p->pool);
    if (st != COR_OK)
        return st;
    p->V = cor_vspace_alloc_mpfr(n, prec);
    if (p->V == NULL)
        return cor_last_error()->code;
    p->obj = cor_expr_objective_alloc(p->pool, p->f, n, p->vars, p->V, want);
    if (p->obj == NULL)
        return cor_last_error()->code;
    return COR_OK;
}

/* v = the decimal texts txt[0..n), read at v's precision. */
void
cor_pc_vec_set_str(cor_vec *v, const char *const *txt, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        mpfr_set_str(cor_vec_mpfr_ptr(v, i), txt[i], 10, MPFR_RNDN);
}

/* log2 of max_i |x_i - ref_i| / max(1, max_i |ref_i|), computed at the precision of ref;
 * -inf when equal. */
double
cor_pc_log2_err(const cor_vec *x, mpfr_t *ref, size_t n)
{
    mpfr_t d, m, s;
    size_t i;
    double r;

    mpfr_inits2(mpfr_get_prec(ref[0]), d, m, s, (mpfr_ptr)0);
    mpfr_set_ui(m, 0, MPFR_RNDN);
    mpfr_set_ui(s, 1, MPFR_RNDN);
    for (i = 0; i < n; i++)
    {
        mpfr_sub(d, cor_vec_mpfr_srcptr(x, i), ref[i], MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        if (mpfr_cmp(d, m) > 0)
            mpfr_set(m, d, MPFR_RNDN);
        mpfr_abs(d, ref[i], MPFR_RNDN);
        if (mpfr_cmp(d, s) > 0)
            mpfr_set(s, d, MPFR_RNDN);
    }
    if (mpfr_zero_p(m))
        r = -INFINITY;
    else
    {
        mpfr_div(m, m, s, MPFR_RNDN);
        mpfr_log2(m, m, MPFR_RNDN);
        r = mpfr_get_d(m, MPFR_RNDN);
    }
    mpfr_clears(d, m, s, (mpfr_ptr)0);
    return r;
}

/* "2^-240.3" or "0". */
char *
cor_pc_fmt_log2(char *buf, size_t size, double l)
{
    if (l == -INFINITY)
        snprintf(buf, size, "0");
    else
        snprintf(buf, size, "2^%.1f", l);
    return buf;
}

/* margin in bits against the tolerance 2^(COR_PC_SLACK_BITS - prec) */
char *
cor_pc_fmt_margin(char *buf, size_t size, double l, mpfr_prec_t prec)
{
    if (l == -INFINITY)
        snprintf(buf, size, "inf");
    else
        snprintf(buf, size, "%.1f", (double)(COR_PC_SLACK_BITS - (long)prec) - l);
    return buf;
}

/* The gradient g0 of expr at the point txt, at precision prec (into g[0..n), initialised by
 * the caller at any precision). */
int
cor_pc_grad_at(mpfr_t *g, const char *expr, size_t n, const char *const *txt, mpfr_prec_t prec)
{
    cor_pc_prob p;
    cor_vec *x = NULL;
    cor_vec *gv = NULL;
    size_t i;
    int st = cor_pc_prob_init(&p, expr, n, prec);

    if (st == COR_OK)
    {
        x = cor_vec_alloc(p.V);
        gv = cor_vec_alloc(p.V);
        if (x == NULL || gv == NULL)
            st = cor_last_error()->code;
    }
    if (st == COR_OK)
    {
        cor_pc_vec_set_str(x, txt, n);
        st = cor_objective_grad(p.obj, gv, x);
        for (i = 0; st == COR_OK && i < n; i++)
            mpfr_set(g[i], cor_vec_mpfr_srcptr(gv, i), MPFR_RNDN);
    }
    cor_vec_free(x);
    cor_vec_free(gv);
    cor_pc_prob_clear(&p);
    return st;
}


/* L = loss of p at x. */
int
cor_pc_loss_at(mpfr_t L, const cor_pc_prob *p, const cor_vec *x)
{
    cor_scalar *s = cor_scalar_alloc(p->V);
    int st;

    if (s == NULL)
        return cor_last_error()->code;
    st = cor_objective_value(p->obj, s, x);
    if (st == COR_OK)
        st = cor_scalar_get_mpfr(L, s);
    cor_scalar_free(s);
    return st;
}

int
cor_pc_flow_init(cor_pc_flow *f, const char *expr, size_t n, cor_flow_method m, double tol,
                 mpfr_prec_t prec)
{
    cor_node vars[COR_PC_MAXN], loss;
    cor_flow_opts opts;
    size_t col = 0;
    size_t i;
    int st;

    memset(f, 0, sizeof *f);
    f->pool = cor_expr_pool_alloc();
    if (f->pool == NULL)
        return cor_last_error()->code;
    for (i = 0; i < n; i++)
    {
        vars[i] = cor_expr_var(f->pool, vnames[i]);
        if (vars[i] == COR_NODE_NONE)
            return cor_last_error()->code;
    }
    st = cor_expr_parse(&loss, &col, expr, COR_PARSE_KNOWN_VARS, f->pool);
    if (st != COR_OK)
        return st;
    cor_flow_opts_init(&opts);
    opts.tol = tol;
    f->flow = cor_flow_alloc(m, f->pool, loss, n, vars, prec, &opts);
    if (f->flow == NULL)
        return cor_last_error()->code;
    return COR_OK;
}

void
cor_pc_flow_clear(cor_pc_flow *f)
{
    cor_flow_free(f->flow);
    cor_expr_pool_free(f->pool);
    memset(f, 0, sizeof *f);
}

double
cor_pc_flow_tol(mpfr_prec_t prec)
{
    double t = ldexp(1.0, -(int)prec - 8);

    return t < 1e-300 ? 1e-300 : t;
}

int
cor_pc_run_init(cor_pc_run *r, const char *expr, size_t n, const char *const *theta0,
                const char *method, mpfr_prec_t prec)
{
    mpfr_prec_t rp = prec + 64;
    size_t i;
    int st;

    r->s = NULL;
    r->h = NULL;
    r->x = NULL;
    r->n = n;
    for (i = 0; i < COR_PC_MAXN; i++)
        mpfr_inits2(rp, r->g0[i], r->th0[i], r->ref[i], (mpfr_ptr)0);
    st = cor_pc_prob_init(&r->p, expr, n, prec);
    if (st == COR_OK)
        st = cor_pc_grad_at(r->g0, expr, n, theta0, rp);
    if (st != COR_OK)
        return st;
    r->s = cor_step_alloc(cor_step_type_lookup(method), r->p.V);
    r->h = cor_scalar_alloc(r->p.V);
    r->x = cor_vec_alloc(r->p.V);
    if (r->s == NULL || r->h == NULL || r->x == NULL)
        return cor_last_error()->code;
    cor_pc_vec_set_str(r->x, theta0, n);
    for (i = 0; i < n; i++)
        mpfr_set_str(r->th0[i], theta0[i], 10, MPFR_RNDN);
    return COR_OK;
}

void
cor_pc_run_clear(cor_pc_run *r)
{
    size_t i;

    cor_vec_free(r->x);
    cor_scalar_free(r->h);
    cor_step_free(r->s);
    cor_pc_prob_clear(&r->p);
    for (i = 0; i < COR_PC_MAXN; i++)
        mpfr_clears(r->g0[i], r->th0[i], r->ref[i], (mpfr_ptr)0);
    r->s = NULL;
    r->h = NULL;
    r->x = NULL;
}

double
cor_pc_run_line_err(cor_pc_run *r, mpfr_srcptr t)
{
    size_t i;

    for (i = 0; i < r->n; i++)
    {
        mpfr_mul(r->ref[i], t, r->g0[i], MPFR_RNDN);
        mpfr_sub(r->ref[i], r->th0[i], r->ref[i], MPFR_RNDN);
    }
    return cor_pc_log2_err(r->x, r->ref, r->n);
}

double
cor_pc_run_cone_iv_err(cor_pc_run *r)
{
    mpfr_t t;
    size_t i;
    double le;

    mpfr_init2(t, mpfr_get_prec(r->th0[0]));
    mpfr_sqrt_ui(t, 14, MPFR_RNDN);
    mpfr_ui_div(t, 2, t, MPFR_RNDN);
    mpfr_ui_sub(t, 1, t, MPFR_RNDN);
    for (i = 0; i < r->n; i++)
        mpfr_mul(r->ref[i], r->th0[i], t, MPFR_RNDN);
    le = cor_pc_log2_err(r->x, r->ref, r->n);
    mpfr_clear(t);
    return le;
}

void
cor_pc_row_log2(cor_pc *pc, const char *name, const char *pred, double l, double bound,
                double *worst)
{
    char meas[48], marg[32];

    if (l == -INFINITY)
        snprintf(marg, sizeof marg, "inf");
    else
        snprintf(marg, sizeof marg, "%.1f", bound - l);
    cor_pc_row(pc, name, pred, cor_pc_fmt_log2(meas, sizeof meas, l), marg, l <= bound);
    if (l - bound > *worst)
        *worst = l - bound;
}

void
cor_pc_row_bits(cor_pc *pc, const char *name, double l, double bound, double *worst)
{
    char pred[48];

    snprintf(pred, sizeof pred, "<= 2^%.1f", bound);
    cor_pc_row_log2(pc, name, pred, l, bound, worst);
}

void
cor_pc_row_slack(cor_pc *pc, const char *name, double l, mpfr_prec_t prec, double *worst)
{
    char pred[48];

    snprintf(pred, sizeof pred, "<= 2^%ld", (long)COR_PC_SLACK_BITS - (long)prec);
    cor_pc_row_log2(pc, name, pred, l, COR_PC_SLACK_BITS - (double)prec, worst);
}
