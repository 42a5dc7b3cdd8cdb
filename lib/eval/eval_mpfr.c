/* eval_mpfr.c -- running a tape in MPFR at a fixed precision.
 *
 * Every register, coefficient value and temporary is initialised once, in
 * cor_eval_mpfr_alloc, at the workspace precision ("no init in loops"); a run allocates
 * nothing of its own. (MPFR's transcendental functions -- exp, log, sin, pow ... -- allocate
 * their working-precision temporaries internally and free them before returning; that is
 * MPFR's business and cannot be preallocated from outside. Arithmetic, sqrt and integer
 * powers up to 64 in magnitude allocate nothing at all.) Each operation rounds to nearest. Constants are rounded once from their exact
 * rational value, so a literal 0.1 is 0.1 correctly rounded at any precision.
 *
 * sigmoid(x) = 1/(1 + exp(-x)) and softplus(x) = max(x,0) + log1p(exp(-|x|)) are evaluated
 * in forms that neither overflow nor cancel; each costs three roundings, so their error is
 * a few ulps, which the scale-based thresholds absorb.
 */
#include <stdlib.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "eval_impl.h"
#include "expr_impl.h"

#define SCALE_PREC 64

struct cor_eval_mpfr
{
    const cor_tape *t;
    mpfr_prec_t prec;
    mpfr_t *r;     /* registers */
    mpfr_t *s;     /* scales, at SCALE_PREC bits */
    mpfr_t *cv;    /* coefficient values (COR_COEF_Q ones) */
    mpfr_t *lcv;   /* coefficient values of the lowered program */
    mpfr_t tmp, tmp2, st, st2;
    int ran;
};

cor_eval_mpfr *
cor_eval_mpfr_alloc(const cor_tape *t, mpfr_prec_t prec)
{
    if (prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX)
    {
        COR_ERROR(COR_EINVAL, "precision %ld is outside [%ld, %ld]", (long)prec,
                  (long)MPFR_PREC_MIN, (long)MPFR_PREC_MAX);
        return NULL;
    }
    cor_eval_mpfr *w = cor_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->t = t;
    w->prec = prec;
    const cor_lprog *lp = t->lp;
    w->r = cor_mallocarray(lp->nregs ? lp->nregs : 1, sizeof *w->r);
    w->lcv = cor_mallocarray(lp->ncoef ? lp->ncoef : 1, sizeof *w->lcv);
    w->s = cor_mallocarray(t->nregs ? t->nregs : 1, sizeof *w->s);
    w->cv = cor_mallocarray(t->ncoef ? t->ncoef : 1, sizeof *w->cv);
    if (!w->r || !w->s || !w->cv || !w->lcv)
    {
        cor_free(w->lcv);
        cor_free(w->r);
        cor_free(w->s);
        cor_free(w->cv);
        cor_free(w);
        return NULL;
    }
    for (size_t i = 0; i < lp->nregs; i++)
    {
        mpfr_init2(w->r[i], prec);
        mpfr_set_zero(w->r[i], 1);
    }
    for (size_t i = 0; i < t->nregs; i++)
        mpfr_init2(w->s[i], SCALE_PREC);
    for (size_t i = 0; i < lp->ncoef; i++)
    {
        mpfr_init2(w->lcv[i], prec);
        mpfr_set_q(w->lcv[i], lp->coef[i], MPFR_RNDN);
    }
    for (size_t i = 0; i < t->ncoef; i++)
    {
        mpfr_init2(w->cv[i], prec);
        mpfr_set_q(w->cv[i], t->coef[i], MPFR_RNDN);
    }
    mpfr_inits2(prec, w->tmp, w->tmp2, (mpfr_ptr)0);
    mpfr_inits2(SCALE_PREC, w->st, w->st2, (mpfr_ptr)0);
    for (size_t i = 0; i < t->nconst; i++)
    {
        if (t->const_is_pi[i])
            mpfr_const_pi(w->r[t->const_reg[i]], MPFR_RNDN);
        else
            mpfr_set_q(w->r[t->const_reg[i]], t->const_q[i], MPFR_RNDN);
    }
    return w;
}

void
cor_eval_mpfr_free(cor_eval_mpfr *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->t->lp->nregs; i++)
        mpfr_clear(w->r[i]);
    for (size_t i = 0; i < w->t->nregs; i++)
        mpfr_clear(w->s[i]);
    for (size_t i = 0; i < w->t->lp->ncoef; i++)
        mpfr_clear(w->lcv[i]);
    cor_free(w->lcv);
    for (size_t i = 0; i < w->t->ncoef; i++)
        mpfr_clear(w->cv[i]);
    mpfr_clears(w->tmp, w->tmp2, w->st, w->st2, (mpfr_ptr)0);
    cor_free(w->r);
    cor_free(w->s);
    cor_free(w->cv);
    cor_free(w);
}

mpfr_prec_t
cor_eval_mpfr_prec(const cor_eval_mpfr *w)
{
    return w->prec;
}

static void
sigmoid(mpfr_ptr v, mpfr_srcptr a, mpfr_ptr tmp)
{
    mpfr_neg(tmp, a, MPFR_RNDN);
    mpfr_exp(tmp, tmp, MPFR_RNDN);
    mpfr_add_ui(tmp, tmp, 1, MPFR_RNDN);
    mpfr_ui_div(v, 1, tmp, MPFR_RNDN);
}

static void
softplus(mpfr_ptr v, mpfr_srcptr a, mpfr_ptr tmp)
{
    mpfr_abs(tmp, a, MPFR_RNDN);
    mpfr_neg(tmp, tmp, MPFR_RNDN);
    mpfr_exp(tmp, tmp, MPFR_RNDN);
    mpfr_log1p(tmp, tmp, MPFR_RNDN);
    if (mpfr_sgn(a) > 0)
        mpfr_add(v, tmp, a, MPFR_RNDN);
    else
        mpfr_set(v, tmp, MPFR_RNDN);
}

/* v = a^k for 2 <= |k| <= 64 by binary powering in preallocated temporaries (mpfr_pow_si
 * allocates internally). At most 2 log2|k| + 1 roundings: relative error below
 * (2 log2|k| + 1) 2^-prec to first order, i.e. at most 13 ulps, against pow_si's 1/2. */
static void
powi_small(mpfr_ptr v, mpfr_srcptr a, long k, mpfr_ptr acc, mpfr_ptr base)
{
    unsigned long e = k < 0 ? (unsigned long)-k : (unsigned long)k;
    int first = 1;
    mpfr_set(base, a, MPFR_RNDN);
    for (;;)
    {
        if (e & 1)
        {
            if (first)
                mpfr_set(acc, base, MPFR_RNDN);
            else
                mpfr_mul(acc, acc, base, MPFR_RNDN);
            first = 0;
        }
        e >>= 1;
        if (!e)
            break;
        mpfr_sqr(base, base, MPFR_RNDN);
    }
    if (k < 0)
        mpfr_ui_div(v, 1, acc, MPFR_RNDN);
    else
        mpfr_set(v, acc, MPFR_RNDN);
}

/* v = k x for a long k (mul_2si when |k| is a power of two: exact, no multiplication). */
static void
mul_long(mpfr_ptr v, mpfr_srcptr x, long k)
{
    unsigned long u = k < 0 ? -(unsigned long)k : (unsigned long)k;
    if ((u & (u - 1)) == 0)
    {
        long e = 0;
        while (u > 1)
        {
            u >>= 1;
            e++;
        }
        mpfr_mul_2si(v, x, e, MPFR_RNDN);
        if (k < 0)
            mpfr_neg(v, v, MPFR_RNDN);
    }
    else
        mpfr_mul_si(v, x, k, MPFR_RNDN);
}

/* v = sum of the lowered terms t0 .. t0+n-1, left to right (v is none of their registers). */
static void
lsum(cor_eval_mpfr *w, const cor_lprog *lp, mpfr_ptr v, uint32_t t0, uint32_t n)
{
    mpfr_t *r = w->r;
    const uint32_t *tr = lp->term_reg + t0;
    const uint8_t *tk = lp->term_kind + t0;
    const long *ts = lp->term_si + t0;
    const uint32_t *tq = lp->term_q + t0;
    uint32_t k = 1;

    if (n >= 2 && tk[0] == COR_LT_PLUS && (tk[1] == COR_LT_PLUS || tk[1] == COR_LT_MINUS))
    {
        if (tk[1] == COR_LT_PLUS)
            mpfr_add(v, r[tr[0]], r[tr[1]], MPFR_RNDN);
        else
            mpfr_sub(v, r[tr[0]], r[tr[1]], MPFR_RNDN);
        k = 2;
    }
    else
        switch (tk[0])
        {
        case COR_LT_PLUS: mpfr_set(v, r[tr[0]], MPFR_RNDN); break;
        case COR_LT_MINUS: mpfr_neg(v, r[tr[0]], MPFR_RNDN); break;
        case COR_LT_SI: mul_long(v, r[tr[0]], ts[0]); break;
        default: mpfr_mul(v, r[tr[0]], w->lcv[tq[0]], MPFR_RNDN); break;
        }
    for (; k < n; k++)
    {
        switch (tk[k])
        {
        case COR_LT_PLUS: mpfr_add(v, v, r[tr[k]], MPFR_RNDN); break;
        case COR_LT_MINUS: mpfr_sub(v, v, r[tr[k]], MPFR_RNDN); break;
        case COR_LT_SI:
            mul_long(w->tmp, r[tr[k]], ts[k]);
            mpfr_add(v, v, w->tmp, MPFR_RNDN);
            break;
        default:
            mpfr_mul(w->tmp, r[tr[k]], w->lcv[tq[k]], MPFR_RNDN);
            mpfr_add(v, v, w->tmp, MPFR_RNDN);
            break;
        }
    }
}

static int
run(cor_eval_mpfr *w, mpfr_t *out)
{
    const cor_tape *t = w->t;
    const cor_lprog *lp = t->lp;
    mpfr_t *r = w->r;

    for (size_t i = 0; i < lp->nins; i++)
    {
        const cor_linstr *I = &lp->ins[i];
        mpfr_ptr v = r[I->dst];
        mpfr_srcptr a = I->a != UINT32_MAX ? r[I->a] : NULL;
        switch (I->op)
        {
        case COR_LOP_NEG: mpfr_neg(v, a, MPFR_RNDN); break;
        case COR_LOP_ADD: mpfr_add(v, a, r[I->b], MPFR_RNDN); break;
        case COR_LOP_SUB: mpfr_sub(v, a, r[I->b], MPFR_RNDN); break;
        case COR_LOP_MULSI: mul_long(v, a, I->k); break;
        case COR_LOP_MULQ: mpfr_mul(v, a, w->lcv[I->q], MPFR_RNDN); break;
        case COR_LOP_ADDSI: mpfr_add_si(v, a, I->k, MPFR_RNDN); break;
        case COR_LOP_ADDQ: mpfr_add(v, a, w->lcv[I->q], MPFR_RNDN); break;
        case COR_LOP_SUM: lsum(w, lp, v, I->t0, I->n); break;
        case COR_LOP_SQR: mpfr_sqr(v, a, MPFR_RNDN); break;
        case COR_LOP_RECIP: mpfr_ui_div(v, 1, a, MPFR_RNDN); break;
        case COR_OP_MUL: mpfr_mul(v, a, r[I->b], MPFR_RNDN); break;
        case COR_OP_DIV: mpfr_div(v, a, r[I->b], MPFR_RNDN); break;
        case COR_OP_POW: mpfr_pow(v, a, r[I->b], MPFR_RNDN); break;
        case COR_OP_POWI:
            if (I->k >= -64 && I->k <= 64)
                powi_small(v, a, I->k, w->tmp, w->tmp2);
            else
                mpfr_pow_si(v, a, I->k, MPFR_RNDN);
            break;
        case COR_OP_EXP: mpfr_exp(v, a, MPFR_RNDN); break;
        case COR_OP_LOG: mpfr_log(v, a, MPFR_RNDN); break;
        case COR_OP_LOG1P: mpfr_log1p(v, a, MPFR_RNDN); break;
        case COR_OP_EXPM1: mpfr_expm1(v, a, MPFR_RNDN); break;
        case COR_OP_SQRT: mpfr_sqrt(v, a, MPFR_RNDN); break;
        case COR_OP_SIN: mpfr_sin(v, a, MPFR_RNDN); break;
        case COR_OP_COS: mpfr_cos(v, a, MPFR_RNDN); break;
        case COR_OP_TAN: mpfr_tan(v, a, MPFR_RNDN); break;
        case COR_OP_TANH: mpfr_tanh(v, a, MPFR_RNDN); break;
        case COR_OP_SIGMOID: sigmoid(v, a, w->tmp); break;
        case COR_OP_SOFTPLUS: softplus(v, a, w->tmp); break;
        case COR_OP_ABS: mpfr_abs(v, a, MPFR_RNDN); break;
        case COR_OP_SIGN:
            if (mpfr_nan_p(a))
                mpfr_set_nan(v);
            else
                mpfr_set_si(v, mpfr_sgn(a), MPFR_RNDN);
            break;
        case COR_OP_MIN:
        case COR_OP_MAX:
        {
            mpfr_srcptr b = r[I->b];
            if (mpfr_nan_p(a) || mpfr_nan_p(b))
                mpfr_set_nan(v);
            else
                mpfr_set(v, (I->op == COR_OP_MIN) == (mpfr_cmp(a, b) <= 0) ? a : b,
                         MPFR_RNDN);
            break;
        }
        case COR_OP_SELECT:
            if (mpfr_nan_p(a))
                mpfr_set_nan(v);
            else
                mpfr_set(v, mpfr_sgn(a) >= 0 ? r[I->b] : r[I->c], MPFR_RNDN);
            break;
        default:
            mpfr_set_nan(v);
            break;
        }
    }
    int st = COR_OK;
    for (size_t i = 0; i < t->nout; i++)
    {
        mpfr_set(out[i], r[t->out_reg[i]], MPFR_RNDN);
        if (!mpfr_number_p(out[i]))
            st = COR_NONFINITE;
    }
    w->ran = 1;
    return st;
}

int
cor_eval_mpfr_run(cor_eval_mpfr *w, mpfr_t *out, const mpfr_t *in)
{
    for (size_t j = 0; j < w->t->nin; j++)
        mpfr_set(w->r[j], in[j], MPFR_RNDN);
    return run(w, out);
}

int
cor_eval_mpfr_run_str(cor_eval_mpfr *w, mpfr_t *out, const char *const *in)
{
    for (size_t j = 0; j < w->t->nin; j++)
    {
        char *end;
        mpfr_strtofr(w->r[j], in[j], &end, 10, MPFR_RNDN);
        if (end == in[j] || *end != 0)
            return COR_ERROR(COR_EPARSE, "input %zu ('%s') is not a decimal number", j, in[j]);
    }
    return run(w, out);
}

/* s = |x| at the scale precision */
static void
sabs(mpfr_ptr s, mpfr_srcptr x)
{
    mpfr_abs(s, x, MPFR_RNDU);
}

int
cor_eval_mpfr_scale(cor_eval_mpfr *w, mpfr_t *scale)
{
    const cor_tape *t = w->t;
    mpfr_t *r = w->r, *s = w->s;
    mpfr_ptr x = w->st, y = w->st2;

    if (!w->ran)
        return COR_ERROR(COR_EINVAL, "cor_eval_mpfr_scale: the workspace has not been run");
    for (size_t j = 0; j < t->nin; j++)
        sabs(s[j], r[j]);
    for (size_t i = 0; i < t->nconst; i++)
        sabs(s[t->const_reg[i]], r[t->const_reg[i]]);
    for (size_t i = 0; i < t->ninstr; i++)
    {
        const cor_instr *I = &t->ins[i];
        mpfr_srcptr a = I->a != UINT32_MAX ? r[I->a] : NULL;
        mpfr_srcptr sa = I->a != UINT32_MAX ? s[I->a] : NULL;
        mpfr_srcptr v = r[I->dst];
        mpfr_ptr out = s[I->dst];
        /* out = |v| + (first-order propagation), computed in x */
        switch ((cor_op)I->op)
        {
        case COR_OP_SUM:
            if (I->c0 != UINT32_MAX)
                mpfr_abs(x, w->cv[I->c0], MPFR_RNDU);
            else
                mpfr_set_zero(x, 1);
            for (uint32_t k = 0; k < I->n; k++)
            {
                mpfr_abs(y, w->cv[t->term_coef[I->t0 + k]], MPFR_RNDU);
                mpfr_mul(y, y, s[t->term_reg[I->t0 + k]], MPFR_RNDU);
                mpfr_add(x, x, y, MPFR_RNDU);
            }
            break;
        case COR_OP_MUL: mpfr_mul(x, sa, s[I->b], MPFR_RNDU); break;
        case COR_OP_DIV:
            mpfr_abs(y, v, MPFR_RNDU);
            mpfr_mul(y, y, s[I->b], MPFR_RNDU);
            mpfr_add(x, y, sa, MPFR_RNDU);
            mpfr_abs(y, r[I->b], MPFR_RNDD);
            mpfr_div(x, x, y, MPFR_RNDU);
            break;
        case COR_OP_POW:
            mpfr_div(x, v, a, MPFR_RNDN);
            mpfr_mul(x, x, r[I->b], MPFR_RNDN);
            mpfr_abs(x, x, MPFR_RNDU);
            mpfr_mul(x, x, sa, MPFR_RNDU);
            mpfr_log(y, a, MPFR_RNDN);
            mpfr_mul(y, y, v, MPFR_RNDN);
            mpfr_abs(y, y, MPFR_RNDU);
            mpfr_mul(y, y, s[I->b], MPFR_RNDU);
            mpfr_add(x, x, y, MPFR_RNDU);
            break;
        case COR_OP_POWI:
            mpfr_pow_si(x, a, I->k - 1, MPFR_RNDN);
            mpfr_mul_si(x, x, I->k, MPFR_RNDN);
            mpfr_abs(x, x, MPFR_RNDU);
            mpfr_mul(x, x, sa, MPFR_RNDU);
            break;
        case COR_OP_EXP: mpfr_abs(x, v, MPFR_RNDU); mpfr_mul(x, x, sa, MPFR_RNDU); break;
        case COR_OP_LOG:
            mpfr_abs(y, a, MPFR_RNDD);
            mpfr_div(x, sa, y, MPFR_RNDU);
            break;
        case COR_OP_LOG1P:
            mpfr_add_ui(y, a, 1, MPFR_RNDN);
            mpfr_abs(y, y, MPFR_RNDD);
            mpfr_div(x, sa, y, MPFR_RNDU);
            break;
        case COR_OP_EXPM1:
            mpfr_add_ui(x, v, 1, MPFR_RNDU);
            mpfr_abs(x, x, MPFR_RNDU);
            mpfr_mul(x, x, sa, MPFR_RNDU);
            break;
        case COR_OP_SQRT:
            mpfr_mul_2ui(y, v, 1, MPFR_RNDD);
            mpfr_div(x, sa, y, MPFR_RNDU);
            break;
        case COR_OP_SIN: mpfr_cos(x, a, MPFR_RNDN); goto times_sa;
        case COR_OP_COS: mpfr_sin(x, a, MPFR_RNDN); goto times_sa;
        case COR_OP_TAN:
            mpfr_sqr(x, v, MPFR_RNDU);
            mpfr_add_ui(x, x, 1, MPFR_RNDU);
            goto times_sa;
        case COR_OP_TANH:
            mpfr_sqr(x, v, MPFR_RNDN);
            mpfr_ui_sub(x, 1, x, MPFR_RNDU);
            goto times_sa;
        case COR_OP_SIGMOID:
            mpfr_ui_sub(x, 1, v, MPFR_RNDN);
            mpfr_mul(x, x, v, MPFR_RNDU);
            goto times_sa;
        case COR_OP_SOFTPLUS:
            sigmoid(x, a, y);
            goto times_sa;
        times_sa:
            mpfr_abs(x, x, MPFR_RNDU);
            mpfr_mul(x, x, sa, MPFR_RNDU);
            break;
        case COR_OP_ABS: mpfr_set(x, sa, MPFR_RNDU); break;
        case COR_OP_SIGN: mpfr_set_zero(x, 1); break;
        case COR_OP_MIN:
        case COR_OP_MAX: mpfr_set(x, mpfr_equal_p(v, a) ? sa : s[I->b], MPFR_RNDU); break;
        case COR_OP_SELECT:
            mpfr_set(x, mpfr_sgn(a) >= 0 ? s[I->b] : s[I->c], MPFR_RNDU);
            break;
        default: mpfr_set_nan(x); break;
        }
        mpfr_abs(y, v, MPFR_RNDU);
        if (I->op == COR_OP_SUM || I->op == COR_OP_MUL || I->op == COR_OP_ABS
            || I->op == COR_OP_MIN || I->op == COR_OP_MAX || I->op == COR_OP_SELECT)
            mpfr_max(out, x, y, MPFR_RNDU);
        else
            mpfr_add(out, x, y, MPFR_RNDU);
        if (mpfr_nan_p(out))
            mpfr_set(out, y, MPFR_RNDU);
    }
    for (size_t i = 0; i < t->nout; i++)
        mpfr_set(scale[i], s[t->out_reg[i]], MPFR_RNDU);
    return COR_OK;
}
