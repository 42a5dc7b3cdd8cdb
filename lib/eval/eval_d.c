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

struct cor_eval_d
{
    const cor_tape *t;
    double *r;     /* registers */
    double *s;     /* scales (cor_eval_d_scale) */
    double *cv;    /* coefficient values */
    int ran;
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
    w->r = cor_calloc(t->nregs ? t->nregs : 1, sizeof *w->r);
    w->s = cor_calloc(t->nregs ? t->nregs : 1, sizeof *w->s);
    w->cv = cor_calloc(t->ncoef ? t->ncoef : 1, sizeof *w->cv);
    if (!w->r || !w->s || !w->cv)
    {
        cor_eval_d_free(w);
        return NULL;
    }
    for (size_t i = 0; i < t->nconst; i++)
        w->r[t->const_reg[i]] = t->const_is_pi[i] ? M_PI : q_to_d(t->const_q[i]);
    for (size_t i = 0; i < t->ncoef; i++)
        w->cv[i] = q_to_d(t->coef[i]);
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

int
cor_eval_d_run(cor_eval_d *w, double *out, const double *in)
{
    const cor_tape *t = w->t;
    double *r = w->r;
    const double *cv = w->cv;

    for (size_t j = 0; j < t->nin; j++)
        r[j] = in[j];
    for (size_t i = 0; i < t->ninstr; i++)
    {
        const cor_instr *I = &t->ins[i];
        double a = I->a != UINT32_MAX ? r[I->a] : 0, v;
        switch ((cor_op)I->op)
        {
        case COR_OP_SUM:
        {
            const uint32_t *tr = t->term_reg + I->t0, *tc = t->term_coef + I->t0;
            double acc = I->c0 != UINT32_MAX ? cv[I->c0] : 0.0;
            for (uint32_t k = 0; k < I->n; k++)
            {
                uint8_t kind = t->coef_kind[tc[k]];
                if (kind == COR_COEF_ONE)
                    acc += r[tr[k]];
                else if (kind == COR_COEF_MINUS_ONE)
                    acc -= r[tr[k]];
                else
                    acc += cv[tc[k]] * r[tr[k]];
            }
            v = acc;
            break;
        }
        case COR_OP_MUL: v = a * r[I->b]; break;
        case COR_OP_DIV: v = a / r[I->b]; break;
        case COR_OP_POW: v = pow(a, r[I->b]); break;
        case COR_OP_POWI:
            v = I->k == 2 ? a * a : I->k == -1 ? 1.0 / a : pow(a, (double)I->k);
            break;
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
        case COR_OP_SIGN: v = a > 0 ? 1.0 : a < 0 ? -1.0 : a == 0 ? 0.0 : NAN; break;
        case COR_OP_MIN:
        case COR_OP_MAX:
        {
            double b = r[I->b];
            if (isnan(a) || isnan(b))
                v = NAN;
            else
                v = ((cor_op)I->op == COR_OP_MIN) == (a <= b) ? a : b;
            break;
        }
        case COR_OP_SELECT: v = isnan(a) ? NAN : a >= 0 ? r[I->b] : r[I->c]; break;
        default: v = NAN; break;
        }
        r[I->dst] = v;
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
cor_eval_d_scale(cor_eval_d *w, double *scale)
{
    const cor_tape *t = w->t;
    const double *r = w->r;
    double *s = w->s;

    if (!w->ran)
        return COR_ERROR(COR_EINVAL, "cor_eval_d_scale: the workspace has not been run");
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
