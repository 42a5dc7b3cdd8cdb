/* eval_d.c -- running a tape in double precision.
 *
 * Constants are rounded to nearest once, from their exact rational value (through MPFR:
 * mpq_get_d truncates). The interpreter allocates nothing; the workspace holds every
 * register and the coefficient values.
 */
#include <math.h>
#include <stdlib.h>

#include <mpfr.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "eval_impl.h"
#include "expr_impl.h"
#include "jit.h"

struct cor_eval_d
{
    const cor_tape *t;
    double *r;     /* registers */
    double *s;     /* scales (cor_eval_d_scale) */
    double *cv;    /* coefficient values */
    double *lcv;   /* coefficient values of the lowered program */
    double *tf;    /* lowered sum terms: factor (+1, -1, k or the rounded rational) */
    int ran;           /* 0: never run; 1: interpreted (r holds every register); 2: native */
    int policy;        /* COR_JIT_OFF, _NOW, _AUTO */
    int jit_failed;    /* a compilation was tried and failed: interpret from now on */
    unsigned long work;/* instructions interpreted so far (COR_JIT_AUTO) */
    cor_jit *jit;
    cor_jit_fn_d fn;
    cor_jit *pjit;     /* the pure native entry (cor_eval_d_native), compiled when asked */
    int pjit_failed;   /* its compilation was tried and failed */
};

static double
q_to_d(const mpq_t q)
{
    mpfr_t x;
    mpfr_init2(x, 53);
    mpfr_set_q(x, q, MPFR_RNDN);
    double d = mpfr_get_d(x, MPFR_RNDN);
    mpfr_clear(x);
    return d;
}

cor_eval_d *
cor_eval_d_alloc(const cor_tape *t)
{
    cor_eval_d *w = cor_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->t = t;
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer builds interpret unless asked: native code is not instrumented, and
     * LeakSanitizer would report libgccjit's own allocations in every program */
    w->policy = COR_JIT_OFF;
#else
    w->policy = COR_JIT_AUTO;
#endif
    const cor_lprog *lp = t->lp;
    w->r = cor_calloc(lp->nregs ? lp->nregs : 1, sizeof *w->r);
    w->s = cor_calloc(t->nregs ? t->nregs : 1, sizeof *w->s);
    w->cv = cor_calloc(t->ncoef ? t->ncoef : 1, sizeof *w->cv);
    w->lcv = cor_calloc(lp->ncoef ? lp->ncoef : 1, sizeof *w->lcv);
    w->tf = cor_calloc(lp->nterms ? lp->nterms : 1, sizeof *w->tf);
    if (!w->r || !w->s || !w->cv || !w->lcv || !w->tf)
    {
        cor_eval_d_free(w);
        return NULL;
    }
    for (size_t i = 0; i < t->nconst; i++)
        w->r[t->const_reg[i]] = t->const_is_pi[i] ? M_PI : q_to_d(t->const_q[i]);
    for (size_t i = 0; i < t->ncoef; i++)
        w->cv[i] = q_to_d(t->coef[i]);
    for (size_t i = 0; i < lp->ncoef; i++)
        w->lcv[i] = q_to_d(lp->coef[i]);
    for (size_t i = 0; i < lp->nterms; i++)
        w->tf[i] = cor_lterm_factor_d(lp, i, w->lcv);
    return w;
}

void
cor_eval_d_free(cor_eval_d *w)
{
    if (!w)
        return;
    cor_free(w->r);
    cor_free(w->s);
    cor_free(w->cv);
    cor_free(w->lcv);
    cor_free(w->tf);
    cor_jit_free(w->jit);
    cor_jit_free(w->pjit);
    cor_free(w);
}

static double
sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double
softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

double
cor_lterm_factor_d(const cor_lprog *lp, size_t i, const double *lcv)
{
    switch (lp->term_kind[i])
    {
    case COR_LT_PLUS: return 1.0;
    case COR_LT_MINUS: return -1.0;
    case COR_LT_SI: return (double)lp->term_si[i];
    default: return lcv[lp->term_q[i]];
    }
}

double
cor_eval_d_sigmoid(double x)
{
    return sigmoid(x);
}

double
cor_eval_d_softplus(double x)
{
    return softplus(x);
}

double
cor_eval_d_sign(double a)
{
    return a > 0 ? 1.0 : a < 0 ? -1.0 : a == 0 ? 0.0 : NAN;
}

double
cor_eval_d_minmax(double a, double b, int is_min)
{
    if (isnan(a) || isnan(b))
        return NAN;
    return is_min == (a <= b) ? a : b;
}

double
cor_eval_d_select(double a, double b, double c)
{
    return isnan(a) ? NAN : a >= 0 ? b : c;
}

double
cor_eval_d_powi(double a, long k)
{
    return pow(a, (double)k);
}

/* The lowered program on r (inputs already in r[0..nin)). */
static void
interp(const cor_eval_d *w)
{
    const cor_lprog *lp = w->t->lp;
    double *r = w->r;
    const double *lcv = w->lcv, *tf = w->tf;

    for (size_t i = 0; i < lp->nins; i++)
    {
        const cor_linstr *I = &lp->ins[i];
        double a = I->a != UINT32_MAX ? r[I->a] : 0, v;
        switch (I->op)
        {
        case COR_LOP_NEG: v = -a; break;
        case COR_LOP_ADD: v = a + r[I->b]; break;
        case COR_LOP_SUB: v = a - r[I->b]; break;
        case COR_LOP_MULSI: v = (double)I->k * a; break;
        case COR_LOP_MULQ: v = lcv[I->q] * a; break;
        case COR_LOP_ADDSI: v = a + (double)I->k; break;
        case COR_LOP_ADDQ: v = a + lcv[I->q]; break;
        case COR_LOP_SUM:
        {
            const uint32_t *tr = lp->term_reg + I->t0;
            const double *f = tf + I->t0;
            if (I->n < COR_LSUM_LANES_MIN)
            {
                double acc = f[0] * r[tr[0]];
                for (uint32_t k = 1; k < I->n; k++)
                    acc += f[k] * r[tr[k]];
                v = acc;
            }
            else
            {
                double p[4];
                for (int l = 0; l < 4; l++)
                    p[l] = f[l] * r[tr[l]];
                for (uint32_t k = 4; k < I->n; k++)
                    p[k % 4] += f[k] * r[tr[k]];
                v = (p[0] + p[1]) + (p[2] + p[3]);
            }
            break;
        }
        case COR_LOP_SQR: v = a * a; break;
        case COR_LOP_RECIP: v = 1.0 / a; break;
        case COR_OP_MUL: v = a * r[I->b]; break;
        case COR_OP_DIV: v = a / r[I->b]; break;
        case COR_OP_POW: v = pow(a, r[I->b]); break;
        case COR_OP_POWI: v = cor_eval_d_powi(a, I->k); break;
        case COR_OP_EXP: v = exp(a); break;
        case COR_OP_LOG: v = log(a); break;
        case COR_OP_LOG1P: v = log1p(a); break;
        case COR_OP_EXPM1: v = expm1(a); break;
        case COR_OP_SQRT: v = sqrt(a); break;
        case COR_OP_SIN: v = sin(a); break;
        case COR_OP_COS: v = cos(a); break;
        case COR_OP_TAN: v = tan(a); break;
        case COR_OP_TANH: v = tanh(a); break;
        case COR_OP_SIGMOID: v = sigmoid(a); break;
        case COR_OP_SOFTPLUS: v = softplus(a); break;
        case COR_OP_ABS: v = fabs(a); break;
        case COR_OP_SIGN: v = cor_eval_d_sign(a); break;
        case COR_OP_MIN:
        case COR_OP_MAX: v = cor_eval_d_minmax(a, r[I->b], I->op == COR_OP_MIN); break;
        case COR_OP_SELECT: v = cor_eval_d_select(a, r[I->b], r[I->c]); break;
        default: v = NAN; break;
        }
        r[I->dst] = v;
    }
}

static int
compile(cor_eval_d *w)
{
    if (!w->jit && !w->jit_failed)
    {
        w->jit = cor_jit_d_compile(w->t, w->r, w->lcv, w->tf, 0);
        if (w->jit)
            w->fn = w->policy != COR_JIT_OFF ? cor_jit_d_fn(w->jit) : NULL;
        else
            w->jit_failed = 1;
    }
    return w->jit ? COR_OK : COR_EUNSUP;
}

int
cor_eval_d_set_jit(cor_eval_d *w, int policy)
{
    w->policy = policy;
    if (policy == COR_JIT_NOW)
    {
        if (compile(w) != COR_OK)
            return COR_ERROR(COR_EUNSUP, "no native code for this tape (%s)",
                             cor_jit_available() ? "compilation failed" : "built without libgccjit");
    }
    w->fn = policy != COR_JIT_OFF && w->jit ? cor_jit_d_fn(w->jit) : NULL;
    return COR_OK;
}

int
cor_eval_d_native(cor_eval_d_fn *fn, cor_eval_d *w)
{
    *fn = NULL;
    if (!w->pjit)
    {
        if (!cor_jit_available())
            return COR_ERROR(COR_EUNSUP, "no native entry: the library was built without "
                                         "libgccjit (use cor_eval_d_run)");
        if (!cor_jit_d_one_piece(w->t))
            return COR_ERROR(COR_EUNSUP, "no native entry: the program (%zu lowered "
                                         "instructions) does not fit one native function "
                                         "(use cor_eval_d_run)", w->t->lp->nins);
        if (!w->pjit_failed)
        {
            /* w->r holds the constants in their registers, whatever ran before */
            w->pjit = cor_jit_d_compile(w->t, w->r, w->lcv, w->tf, 1);
            w->pjit_failed = w->pjit == NULL;
        }
        if (!w->pjit)
            return COR_ERROR(COR_EUNSUP, "no native entry: the compilation failed");
    }
    *fn = cor_jit_d_pure_fn(w->pjit);
    return COR_OK;
}

int
cor_eval_d_is_jit(const cor_eval_d *w)
{
    return w->fn != NULL;
}

/* The interpreted run (kept out of line, so that the native path of cor_eval_d_run is a
 * few instructions and a tail call). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
run_interp(cor_eval_d *w, double *out, const double *in)
{
    const cor_tape *t = w->t;
    double *r = w->r;

    for (size_t j = 0; j < t->nin; j++)
        r[j] = in[j];
    interp(w);
    if (w->policy == COR_JIT_AUTO && !w->jit_failed)
    {
        size_t nins = w->t->lp->nins;
        w->work += nins + 1;
        if (w->work >= COR_JIT_WORK_FIXED && (w->work - COR_JIT_WORK_FIXED) / COR_JIT_WORK_PER_INSTR >= nins)
            (void)compile(w);
    }
    int st = COR_OK;
    for (size_t i = 0; i < t->nout; i++)
    {
        out[i] = r[t->out_reg[i]];
        if (!isfinite(out[i]))
            st = COR_NONFINITE;
    }
    w->ran = 1;
    return st;
}

int
cor_eval_d_run(cor_eval_d *w, double *out, const double *in)
{
    if (w->fn)
    {
        /* native: the inputs are kept in r, so cor_eval_d_scale can interpret when asked */
        w->ran = 2; /* ran, natively: r holds the inputs only */
        return w->fn(out, in, w->r);
    }
    return run_interp(w, out, in);
}

int
cor_eval_d_scale(cor_eval_d *w, double *scale)
{
    const cor_tape *t = w->t;
    const double *r = w->r;
    double *s = w->s;

    if (!w->ran)
        return COR_ERROR(COR_EINVAL, "cor_eval_d_scale: the workspace has not been run");
    if (w->ran == 2)
    {
        interp(w); /* the same values as the native code, bit for bit */
        w->ran = 1;
    }
    for (size_t j = 0; j < t->nin; j++)
        s[j] = fabs(r[j]);
    for (size_t i = 0; i < t->nconst; i++)
        s[t->const_reg[i]] = fabs(r[t->const_reg[i]]);
    for (size_t i = 0; i < t->ninstr; i++)
    {
        const cor_instr *I = &t->ins[i];
        double a = I->a != UINT32_MAX ? r[I->a] : 0, sa = I->a != UINT32_MAX ? s[I->a] : 0;
        double v = r[I->dst], av = fabs(v), x;
        switch ((cor_op)I->op)
        {
        case COR_OP_SUM:
            x = I->c0 != UINT32_MAX ? fabs(w->cv[I->c0]) : 0.0;
            for (uint32_t k = 0; k < I->n; k++)
                x += fabs(w->cv[t->term_coef[I->t0 + k]]) * s[t->term_reg[I->t0 + k]];
            break;
        case COR_OP_MUL: x = sa * s[I->b]; break;
        case COR_OP_DIV: x = av + (sa + av * s[I->b]) / fabs(r[I->b]); break;
        case COR_OP_POW:
            x = av + fabs(r[I->b] * v / a) * sa + fabs(v * log(a)) * s[I->b];
            break;
        case COR_OP_POWI:
            x = av + fabs((double)I->k * pow(a, (double)(I->k - 1))) * sa;
            break;
        case COR_OP_EXP: x = av + av * sa; break;
        case COR_OP_LOG: x = av + sa / fabs(a); break;
        case COR_OP_LOG1P: x = av + sa / fabs(1 + a); break;
        case COR_OP_EXPM1: x = av + fabs(v + 1) * sa; break;
        case COR_OP_SQRT: x = av + sa / (2 * av); break;
        case COR_OP_SIN: x = av + fabs(cos(a)) * sa; break;
        case COR_OP_COS: x = av + fabs(sin(a)) * sa; break;
        case COR_OP_TAN: x = av + (1 + v * v) * sa; break;
        case COR_OP_TANH: x = av + (1 - v * v) * sa; break;
        case COR_OP_SIGMOID: x = av + v * (1 - v) * sa; break;
        case COR_OP_SOFTPLUS: x = av + sigmoid(a) * sa; break;
        case COR_OP_ABS: x = sa; break;
        case COR_OP_SIGN: x = av; break;
        case COR_OP_MIN:
        case COR_OP_MAX: x = v == a ? sa : s[I->b]; break;
        case COR_OP_SELECT: x = a >= 0 ? s[I->b] : s[I->c]; break;
        default: x = NAN; break;
        }
        s[I->dst] = x > av ? x : av;
    }
    for (size_t i = 0; i < t->nout; i++)
        scale[i] = s[t->out_reg[i]];
    return COR_OK;
}
