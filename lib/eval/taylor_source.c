/* taylor_source.c -- Taylor-mode AD on tapes, written once for MPFR and double.
 *
 * Included by taylor_mpfr.c and taylor_d.c after taylor_ops_mpfr.h or taylor_ops_d.h (the
 * scalar operations TS_*), with TW defined as the workspace struct name. Every function here
 * is static; the including file defines the public wrappers.
 *
 * Notation: u = sum_k u_k t^k is the series of an argument register, v that of the result;
 * u_k is "coefficient k". Order m of every instruction is computed from orders 0..m of its
 * arguments and orders 0..m-1 of its own series (and of its auxiliary series), so running the
 * instructions in tape order for m = 0, 1, 2, ... fills every register order by order. That is
 * what makes the ODE mode possible: theta_[m+1] = F_[m]/(m+1) is known before order m+1 of
 * any register is needed.
 *
 * Why each recurrence is correct (compare the coefficients of t^(m-1) on both sides of an
 * identity between series; ' is d/dt, and (u')_{j-1} = j u_j):
 *  - sum: linear; the constant c0 belongs to order 0 only.
 *  - product v = a b: the Cauchy product v_m = sum_{j=0}^m a_j b_{m-j}.
 *  - quotient v = a / b: a = v b gives a_m = sum_{j=0}^m b_j v_{m-j}, solved for v_m:
 *    v_m = (a_m - sum_{j=1}^m b_j v_{m-j}) / b_0.
 *  - exp: v' = v u' gives m v_m = sum_{j=1}^m j u_j v_{m-j}.
 *  - expm1: v' = (v + 1) u': the same with w = v + 1 (w_0 = v_0 + 1, w_k = v_k for k >= 1).
 *  - log: u v' = u' gives m u_0 v_m + sum_{j=1}^{m-1} j v_j u_{m-j} = m u_m, so
 *    v_m = (u_m - (1/m) sum_{j=1}^{m-1} j v_j u_{m-j}) / u_0.
 *  - log1p: log(w) with w = 1 + u (w_0 = 1 + u_0, w_k = u_k for k >= 1).
 *  - sqrt: v^2 = u gives 2 v_0 v_m + sum_{j=1}^{m-1} v_j v_{m-j} = u_m.
 *  - sin and cos together: s' = c u', c' = -s u', so m s_m = sum_{j=1}^m j u_j c_{m-j} and
 *    m c_m = -sum_{j=1}^m j u_j s_{m-j}; the instruction's partner is an auxiliary series.
 *  - tan: v' = (1 + v^2) u' with the auxiliary w = 1 + v^2 (a Cauchy square);
 *    tanh: v' = (1 - v^2) u'; sigmoid: v' = (v - v^2) u'; each: m v_m = sum j u_j w_{m-j},
 *    then w_m from v_0..v_m.
 *  - softplus: v' = sigmoid(u) u', with sigmoid(u) and its own w as two auxiliary series.
 *  - pow a^b (a > 0): exp(b log a) by the log, product and exp recurrences (two auxiliary
 *    series: log a and b log a).
 *  - powi a^k: k = 2 is a Cauchy square; any other k by binary powering of |k| with one
 *    auxiliary series per product (exact at a_0 = 0, where the recurrence of
 *    a v' = k v a' would divide by 0), then for k < 0 the reciprocal by the quotient
 *    recurrence with a = 1.
 *  - abs, sign, min, max, select: the branch is chosen once from the order-0 values and kept;
 *    on an open set where the branch does not change the function is that branch (u, -u,
 *    a, b, 0), so its series is that branch's series. An order-0 tie is a kink: reported.
 */

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "eval_impl.h"

#define AT(base, k) (&(base)[k])
#define NOREG UINT32_MAX

/* a step of a binary-powering chain: dst = x * y (x == y: a square); on series */
typedef struct
{
    TS *dst, *x, *y;
} tw_micro;

/* per instruction: its series, its arguments' series, auxiliary series, branch */
typedef struct
{
    TS *v, *a, *b, *c;
    TS *aux0, *aux1;
    uint32_t m0, nm;  /* POWI: micro steps [m0, m0 + nm) */
    int branch;       /* abs: sign of a_0; min/max/select: 0 = first, 1 = second choice */
} tw_info;

struct TW
{
    const cor_tape *t;
    unsigned K;       /* max order */
    size_t nstore;    /* number of TS in store */
    TS *store;        /* registers (nregs series), then auxiliary series, K+1 each */
    TS **reg;         /* reg[r]: series of register r */
    tw_info *info;
    tw_micro *micro;
    TS *cv;           /* SUM coefficient values */
    TS *acck, *tmpk;  /* per-order temporaries (K+1 each), at coefficient k's precision */
    TS tmp, tmp2, acc, ev, ev2, lo, hi, mid;
    TS_DOT_WS dw;     /* buffers of the convolution kernel (TS_DOT) */
    int kink;
    unsigned order_used; /* the last ODE order (event reads degree order_used - 1) */
};

static void
tw_free(struct TW *w)
{
    if (!w)
        return;
    if (w->store)
        for (size_t i = 0; i < w->nstore; i++)
            TS_CLEAR(AT(w->store, i));
    if (w->cv)
        for (size_t i = 0; i < w->t->ncoef; i++)
            TS_CLEAR(AT(w->cv, i));
    TS_CLEAR(&w->tmp);
    TS_CLEAR(&w->tmp2);
    TS_CLEAR(&w->acc);
    TS_CLEAR(&w->ev);
    TS_CLEAR(&w->ev2);
    TS_CLEAR(&w->lo);
    TS_CLEAR(&w->hi);
    TS_CLEAR(&w->mid);
    TS_DOT_CLEAR(&w->dw);
    if (w->acck)
        for (size_t k = 0; k <= w->K; k++)
        {
            TS_CLEAR(AT(w->acck, k));
            TS_CLEAR(AT(w->tmpk, k));
        }
    cor_free(w->acck);
    cor_free(w->tmpk);
    cor_free(w->store);
    cor_free(w->reg);
    cor_free(w->info);
    cor_free(w->micro);
    cor_free(w->cv);
    cor_free(w);
}

/* number of auxiliary series of an instruction, and of micro steps (POWI) */
static size_t
naux_of(const cor_instr *I, size_t *nmicro)
{
    *nmicro = 0;
    switch ((cor_op)I->op)
    {
    case COR_OP_SIN:
    case COR_OP_COS:
    case COR_OP_TAN:
    case COR_OP_TANH:
    case COR_OP_SIGMOID: return 1;
    case COR_OP_SOFTPLUS:
    case COR_OP_POW: return 2;
    case COR_OP_POWI:
    {
        if (I->k == 2 || I->k == -1)
            return 0;
        unsigned long e = I->k < 0 ? (unsigned long)-I->k : (unsigned long)I->k;
        size_t n = 0;
        int have = 0;
        while (e)
        {
            if (e & 1)
            {
                if (have)
                    n++;
                have = 1;
            }
            e >>= 1;
            if (e)
                n++;
        }
        *nmicro = n;
        return n;
    }
    default: return 0;
    }
}

static struct TW *
tw_alloc(const cor_tape *t, unsigned K, long prec)
{
    struct TW *w;
    size_t naux = 0, nmicro = 0, L = (size_t)K + 1;

    if (K < 1 || K > 100000)
    {
        COR_ERROR(COR_EINVAL, "Taylor order %u is outside [1, 100000]", K);
        return NULL;
    }
    w = cor_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->t = t;
    w->K = K;
    TS_INIT(&w->tmp, prec);
    TS_INIT(&w->tmp2, prec);
    TS_INIT(&w->acc, prec);
    TS_INIT(&w->ev, prec);
    TS_INIT(&w->ev2, prec);
    TS_INIT(&w->lo, prec);
    TS_INIT(&w->hi, prec);
    TS_INIT(&w->mid, prec);
    if (TS_DOT_INIT(&w->dw, prec) != 0)
        goto fail;
    w->acck = cor_mallocarray(L, sizeof *w->acck);
    w->tmpk = cor_mallocarray(L, sizeof *w->tmpk);
    if (!w->acck || !w->tmpk)
    {
        cor_free(w->acck);
        w->acck = NULL;
        goto fail;
    }
    for (size_t k = 0; k < L; k++)
    {
        TS_INIT(AT(w->acck, k), prec);
        TS_INIT(AT(w->tmpk, k), prec);
    }
    for (size_t i = 0; i < t->ninstr; i++)
    {
        size_t nm;
        naux += naux_of(&t->ins[i], &nm);
        nmicro += nm;
    }
    if (t->nregs + naux > SIZE_MAX / L / sizeof(TS))
    {
        COR_ERROR(COR_ENOMEM, "Taylor workspace too large");
        goto fail;
    }
    w->store = cor_mallocarray((t->nregs + naux) * L, sizeof *w->store);
    w->reg = cor_mallocarray(t->nregs ? t->nregs : 1, sizeof *w->reg);
    w->info = cor_calloc(t->ninstr ? t->ninstr : 1, sizeof *w->info);
    w->micro = cor_mallocarray(nmicro ? nmicro : 1, sizeof *w->micro);
    w->cv = cor_mallocarray(t->ncoef ? t->ncoef : 1, sizeof *w->cv);
    if (!w->store || !w->reg || !w->info || !w->micro || !w->cv)
    {
        cor_free(w->store);
        w->store = NULL;
        cor_free(w->cv);
        w->cv = NULL;
        goto fail;
    }
    for (size_t i = 0; i < (t->nregs + naux) * L; i++)
    {
        TS_INIT(AT(w->store, i), prec);
        TS_SET_ZERO(AT(w->store, i));
    }
    w->nstore = (t->nregs + naux) * L;
    for (size_t i = 0; i < t->ncoef; i++)
    {
        TS_INIT(AT(w->cv, i), prec);
        TS_SET_Q(AT(w->cv, i), t->coef[i]);
    }
    for (size_t r = 0; r < t->nregs; r++)
        w->reg[r] = AT(w->store, r * L);
    /* constants: order 0 is the value, the rest stays 0 */
    for (size_t i = 0; i < t->nconst; i++)
    {
        if (t->const_is_pi[i])
            TS_SET_PI(w->reg[t->const_reg[i]]);
        else
            TS_SET_Q(w->reg[t->const_reg[i]], t->const_q[i]);
    }
    size_t nextaux = t->nregs, nextmicro = 0;
    for (size_t i = 0; i < t->ninstr; i++)
    {
        const cor_instr *I = &t->ins[i];
        tw_info *f = &w->info[i];
        size_t nm, na = naux_of(I, &nm);

        f->v = w->reg[I->dst];
        f->a = I->a != NOREG ? w->reg[I->a] : NULL;
        f->b = I->b != NOREG ? w->reg[I->b] : NULL;
        f->c = I->c != NOREG ? w->reg[I->c] : NULL;
        if ((cor_op)I->op == COR_OP_POWI && nm > 0)
        {
            /* binary powering of e = |k|: base runs through a^(2^i), acc collects */
            unsigned long e = I->k < 0 ? (unsigned long)-I->k : (unsigned long)I->k;
            TS *base = f->a, *acc = NULL;
            f->m0 = (uint32_t)nextmicro;
            while (e)
            {
                if (e & 1)
                {
                    if (acc)
                    {
                        tw_micro *mu = &w->micro[nextmicro++];
                        mu->dst = AT(w->store, nextaux++ * L);
                        mu->x = acc;
                        mu->y = base;
                        acc = mu->dst;
                    }
                    else
                        acc = base;
                }
                e >>= 1;
                if (e)
                {
                    tw_micro *mu = &w->micro[nextmicro++];
                    mu->dst = AT(w->store, nextaux++ * L);
                    mu->x = base;
                    mu->y = base;
                    base = mu->dst;
                }
            }
            f->nm = (uint32_t)(nextmicro - f->m0);
            f->aux0 = acc; /* the series of a^|k| */
        }
        else
        {
            if (na >= 1)
                f->aux0 = AT(w->store, nextaux++ * L);
            if (na >= 2)
                f->aux1 = AT(w->store, nextaux++ * L);
        }
    }
    return w;
fail:
    tw_free(w);
    return NULL;
}

#if TS_MPFR
/* coefficient k (1 <= k <= order) of every series and per-order temporary at precision
 * pk[k], clamped to [2, the workspace precision]; the coefficients are set to 0 */
static void
tw_set_profile(struct TW *w, const mpfr_prec_t *pk, unsigned order, long wprec)
{
    size_t L = (size_t)w->K + 1, ns = w->nstore / L;

    if (order > w->K)
        order = w->K;
    for (unsigned k = 1; k <= order; k++)
    {
        long p = (long)pk[k] < 2 ? 2 : (long)pk[k] > wprec ? wprec : (long)pk[k];
        for (size_t i = 0; i < ns; i++)
            TS_SET_PREC(AT(w->store, i * L + k), p);
        TS_SET_PREC(AT(w->acck, k), p);
        TS_SET_PREC(AT(w->tmpk, k), p);
    }
}
#endif

#if TS_MPFR
/* l[k] (1 <= k <= min(order, K)) = the largest, over every stored series s (registers and
 * auxiliary series), of log|s_[k] e^(k lh)| - log max_{j<k} |s_[j] e^(j lh)|: the size of
 * order k's term relative to the largest lower-order term of the same series. +inf where a
 * series has s_[k] != 0 and all its lower terms 0 (or a NaN), -inf where no series has
 * s_[k] != 0. Reads the series as the last ODE or series call left them. */
static void
tw_term_envelope(const struct TW *w, double *l, unsigned order, double lh)
{
    size_t L = (size_t)w->K + 1, ns = w->nstore / L;

    if (order > w->K)
        order = w->K;
    for (unsigned k = 0; k <= order; k++)
        l[k] = -INFINITY;
    for (size_t i = 0; i < ns; i++)
    {
        double big = -INFINITY;
        for (unsigned k = 0; k <= order; k++)
        {
            double a = TS_LOG_ABS(AT(w->store, i * L + k));
            if (isnan(a))
                a = INFINITY;
            if (a == -INFINITY)
                continue;
            a += k * lh;
            if (k >= 1 && a - big > l[k])
                l[k] = a - big;
            if (a > big)
                big = a;
        }
    }
}
#endif

/* acc = sum_{j=lo}^{hi} x_j y_{m-j} */
static void
conv(struct TW *w, TP acc, TS *x, TS *y, unsigned lo, unsigned hi, unsigned m)
{
    TS_DOT(&w->dw, acc, x, y, lo, hi, m, 0, &w->tmp);
}

/* acc = sum_{j=0}^{m} x_j x_{m-j}, by symmetry (half the products) */
static void
csqr(struct TW *w, TP acc, TS *x, unsigned m)
{
    TS_DOT(&w->dw, acc, x, x, 0, m, m, 2, &w->tmp);
}

/* acc = (1/m) sum_{j=1}^{m} j u_j y_{m-j} (the derivative recurrences), m >= 1 */
static void
dconv(struct TW *w, TP acc, TS *u, TS *y, unsigned m)
{
    TS_DOT(&w->dw, acc, u, y, 1, m, m, 1, &w->tmp);
    if (m != 1)
        TS_DIV_SI(acc, acc, (long)m);
}

/* order m of the quotient v = a / b (a == NULL: the constant 1) */
static void
quot(struct TW *w, TS *v, TS *a, TS *b, unsigned m)
{
    if (m == 0)
    {
        if (a)
            TS_DIV(AT(v, 0), AT(a, 0), AT(b, 0));
        else
            TS_SI_DIV(AT(v, 0), 1, AT(b, 0));
        return;
    }
    conv(w, AT(w->acck, m), b, v, 1, m, m);
    if (a)
        TS_SUB(AT(w->acck, m), AT(a, m), AT(w->acck, m));
    else
        TS_NEG(AT(w->acck, m), AT(w->acck, m));
    TS_DIV(AT(v, m), AT(w->acck, m), AT(b, 0));
}

/* order m >= 1 of v = log(u) where u_0 is replaced by u0 (log1p: 1 + u_0) */
static void
logrec(struct TW *w, TS *v, TS *u, TCP u0, unsigned m)
{
    if (m >= 2)
        TS_DOT(&w->dw, AT(w->acck, m), v, u, 1, m - 1, m, 1, &w->tmp);
    else
        TS_SET_ZERO(AT(w->acck, m));
    TS_DIV_SI(AT(w->acck, m), AT(w->acck, m), (long)m);
    TS_SUB(AT(w->acck, m), AT(u, m), AT(w->acck, m));
    TS_DIV(AT(v, m), AT(w->acck, m), u0);
}

/* order m of v = exp(u) */
static void
exprec(struct TW *w, TS *v, TS *u, unsigned m)
{
    if (m == 0)
        TS_EXP(AT(v, 0), AT(u, 0));
    else
        dconv(w, AT(v, m), u, v, m);
}

static void
sigmoid0(struct TW *w, TP v, TCP a)
{
    TS_NEG(&w->tmp, a);
    TS_EXP(&w->tmp, &w->tmp);
    TS_ADD_SI(&w->tmp, &w->tmp, 1);
    TS_SI_DIV(v, 1, &w->tmp);
}

static void
softplus0(struct TW *w, TP v, TCP a)
{
    TS_ABS(&w->tmp, a);
    TS_NEG(&w->tmp, &w->tmp);
    TS_EXP(&w->tmp, &w->tmp);
    TS_LOG1P(&w->tmp, &w->tmp);
    if (TS_SGN(a) > 0)
        TS_ADD(v, &w->tmp, a);
    else
        TS_SET(v, &w->tmp);
}

/* w_m of the auxiliary w = s*(1 + sgn v^2) style series: sq = sum v_j v_{m-j};
 * kind 0: w = 1 + v^2, 1: w = 1 - v^2, 2: w = v - v^2 */
static void
wrec(struct TW *w, TS *ws, TS *v, unsigned m, int kind)
{
    csqr(w, AT(w->acck, m), v, m);
    switch (kind)
    {
    case 0:
        if (m == 0)
            TS_ADD_SI(AT(ws, 0), AT(w->acck, m), 1);
        else
            TS_SET(AT(ws, m), AT(w->acck, m));
        break;
    case 1:
        if (m == 0)
            TS_SI_SUB(AT(ws, 0), 1, AT(w->acck, m));
        else
            TS_NEG(AT(ws, m), AT(w->acck, m));
        break;
    default: TS_SUB(AT(ws, m), AT(v, m), AT(w->acck, m)); break;
    }
}

/* coefficient m of every instruction (inputs and constants already hold order m) */
static void
tw_order(struct TW *w, unsigned m)
{
    const cor_tape *t = w->t;

    for (size_t i = 0; i < t->ninstr; i++)
    {
        const cor_instr *I = &t->ins[i];
        tw_info *f = &w->info[i];
        TS *v = f->v, *a = f->a;
        TP vm = AT(v, m);

        switch ((cor_op)I->op)
        {
        case COR_OP_SUM:
        {
            const uint32_t *tr = t->term_reg + I->t0, *tc = t->term_coef + I->t0;
            if (m == 0 && I->c0 != NOREG)
                TS_SET(vm, AT(w->cv, I->c0));
            else
                TS_SET_ZERO(vm);
            for (uint32_t k = 0; k < I->n; k++)
            {
                uint32_t c = tc[k];
                TP x = AT(w->reg[tr[k]], m);
                switch (t->coef_kind[c])
                {
                case COR_COEF_ONE: TS_ADD(vm, vm, x); break;
                case COR_COEF_MINUS_ONE: TS_SUB(vm, vm, x); break;
                case COR_COEF_SI:
                    TS_MUL_SI(AT(w->tmpk, m), x, t->coef_si[c]);
                    TS_ADD(vm, vm, AT(w->tmpk, m));
                    break;
                default:
                    TS_MUL(AT(w->tmpk, m), x, AT(w->cv, c));
                    TS_ADD(vm, vm, AT(w->tmpk, m));
                    break;
                }
            }
            break;
        }
        case COR_OP_MUL: conv(w, vm, a, f->b, 0, m, m); break;
        case COR_OP_DIV: quot(w, v, a, f->b, m); break;
        case COR_OP_POW:
            if (m == 0)
                TS_LOG(AT(f->aux0, 0), AT(a, 0));
            else
                logrec(w, f->aux0, a, AT(a, 0), m);
            conv(w, AT(f->aux1, m), f->b, f->aux0, 0, m, m);
            if (m == 0)
                TS_POW(vm, AT(a, 0), AT(f->b, 0)); /* correctly rounded at order 0 */
            else
                exprec(w, v, f->aux1, m);
            break;
        case COR_OP_POWI:
            if (I->k == 2)
                csqr(w, vm, a, m);
            else if (I->k == -1)
                quot(w, v, NULL, a, m);
            else
            {
                for (uint32_t s = 0; s < f->nm; s++)
                {
                    const tw_micro *mu = &w->micro[f->m0 + s];
                    if (mu->x == mu->y)
                        csqr(w, AT(mu->dst, m), mu->x, m);
                    else
                        conv(w, AT(mu->dst, m), mu->x, mu->y, 0, m, m);
                }
                if (I->k > 0)
                    TS_SET(vm, AT(f->aux0, m));
                else
                    quot(w, v, NULL, f->aux0, m);
            }
            break;
        case COR_OP_EXP: exprec(w, v, a, m); break;
        case COR_OP_EXPM1:
            if (m == 0)
                TS_EXPM1(vm, AT(a, 0));
            else
            {
                /* w = v + 1: the j = m term uses w_0 = v_0 + 1 */
                TS_SET_ZERO(AT(w->acck, m));
                for (unsigned j = 1; j < m; j++)
                {
                    TS_MUL(AT(w->tmpk, m), AT(a, j), AT(v, m - j));
                    TS_MUL_SI(AT(w->tmpk, m), AT(w->tmpk, m), (long)j);
                    TS_ADD(AT(w->acck, m), AT(w->acck, m), AT(w->tmpk, m));
                }
                TS_ADD_SI(&w->tmp2, AT(v, 0), 1);
                TS_MUL(AT(w->tmpk, m), AT(a, m), &w->tmp2);
                TS_MUL_SI(AT(w->tmpk, m), AT(w->tmpk, m), (long)m);
                TS_ADD(AT(w->acck, m), AT(w->acck, m), AT(w->tmpk, m));
                TS_DIV_SI(vm, AT(w->acck, m), (long)m);
            }
            break;
        case COR_OP_LOG:
            if (m == 0)
                TS_LOG(vm, AT(a, 0));
            else
                logrec(w, v, a, AT(a, 0), m);
            break;
        case COR_OP_LOG1P:
            if (m == 0)
                TS_LOG1P(vm, AT(a, 0));
            else
            {
                TS_ADD_SI(&w->tmp2, AT(a, 0), 1);
                logrec(w, v, a, &w->tmp2, m);
            }
            break;
        case COR_OP_SQRT:
            if (m == 0)
                TS_SQRT(vm, AT(a, 0));
            else
            {
                if (m >= 2)
                    conv(w, AT(w->acck, m), v, v, 1, m - 1, m);
                else
                    TS_SET_ZERO(AT(w->acck, m));
                TS_SUB(AT(w->acck, m), AT(a, m), AT(w->acck, m));
                TS_MUL_SI(&w->tmp2, AT(v, 0), 2);
                TS_DIV(vm, AT(w->acck, m), &w->tmp2);
            }
            break;
        case COR_OP_SIN:
        case COR_OP_COS:
        {
            /* s, c: the sine and cosine series, one of them the auxiliary */
            TS *s = (cor_op)I->op == COR_OP_SIN ? v : f->aux0;
            TS *c = (cor_op)I->op == COR_OP_SIN ? f->aux0 : v;
            if (m == 0)
                TS_SIN_COS(AT(s, 0), AT(c, 0), AT(a, 0));
            else
            {
                dconv(w, AT(s, m), a, c, m);
                dconv(w, AT(c, m), a, s, m);
                TS_NEG(AT(c, m), AT(c, m));
            }
            break;
        }
        case COR_OP_TAN:
        case COR_OP_TANH:
        case COR_OP_SIGMOID:
        {
            int kind = (cor_op)I->op == COR_OP_TAN ? 0 : (cor_op)I->op == COR_OP_TANH ? 1 : 2;
            if (m == 0)
            {
                if (kind == 0)
                    TS_TAN(vm, AT(a, 0));
                else if (kind == 1)
                    TS_TANH(vm, AT(a, 0));
                else
                    sigmoid0(w, vm, AT(a, 0));
            }
            else
                dconv(w, vm, a, f->aux0, m);
            wrec(w, f->aux0, v, m, kind);
            break;
        }
        case COR_OP_SOFTPLUS:
            if (m == 0)
            {
                softplus0(w, vm, AT(a, 0));
                sigmoid0(w, AT(f->aux0, 0), AT(a, 0));
            }
            else
            {
                dconv(w, vm, a, f->aux0, m);
                dconv(w, AT(f->aux0, m), a, f->aux1, m);
            }
            wrec(w, f->aux1, f->aux0, m, 2);
            break;
        case COR_OP_ABS:
            if (m == 0)
            {
                f->branch = TS_SGN(AT(a, 0));
                if (f->branch == 0 && !TS_IS_NAN(AT(a, 0)))
                    w->kink = 1;
                TS_ABS(vm, AT(a, 0));
            }
            else if (f->branch < 0)
                TS_NEG(vm, AT(a, m));
            else
                TS_SET(vm, AT(a, m));
            break;
        case COR_OP_SIGN:
            if (m == 0)
            {
                if (TS_IS_NAN(AT(a, 0)))
                    TS_SET_NAN(vm);
                else
                {
                    if (TS_IS_ZERO(AT(a, 0)))
                        w->kink = 1;
                    TS_SET_SI(vm, TS_SGN(AT(a, 0)));
                }
            }
            else
                TS_SET_ZERO(vm);
            break;
        case COR_OP_MIN:
        case COR_OP_MAX:
            if (m == 0)
            {
                if (TS_IS_NAN(AT(a, 0)) || TS_IS_NAN(AT(f->b, 0)))
                {
                    TS_SET_NAN(vm);
                    f->branch = 0;
                    break;
                }
                int cmp = TS_CMP(AT(a, 0), AT(f->b, 0));
                if (cmp == 0)
                    w->kink = 1;
                /* min takes a when a <= b, max when a >= b (cor_diff's convention) */
                if ((cor_op)I->op == COR_OP_MIN)
                    f->branch = cmp <= 0 ? 0 : 1;
                else
                    f->branch = cmp >= 0 ? 0 : 1;
            }
            TS_SET(vm, AT(f->branch ? f->b : a, m));
            break;
        case COR_OP_SELECT:
            if (m == 0)
            {
                if (TS_IS_NAN(AT(a, 0)))
                {
                    TS_SET_NAN(vm);
                    f->branch = 0;
                    break;
                }
                if (TS_IS_ZERO(AT(a, 0)))
                    w->kink = 1;
                f->branch = TS_SGN(AT(a, 0)) >= 0 ? 0 : 1;
            }
            TS_SET(vm, AT(f->branch ? f->c : f->b, m));
            break;
        default: TS_SET_NAN(vm); break;
        }
    }
}

/* status of a finished computation: kink, non-finite output coefficient */
static int
tw_status(struct TW *w, int finite)
{
    if (!finite)
        return COR_NONFINITE;
    return w->kink ? COR_STOPPED : COR_OK;
}

static int
tw_series(struct TW *w, TS *out, const TS *in, unsigned order)
{
    const cor_tape *t = w->t;
    size_t L = (size_t)order + 1;
    int finite = 1;

    if (order > w->K)
        return COR_ERROR(COR_EINVAL, "order %u exceeds the workspace's maximum %u", order, w->K);
    w->kink = 0;
    for (unsigned m = 0; m <= order; m++)
    {
        for (size_t j = 0; j < t->nin; j++)
            TS_SET(AT(w->reg[j], m), AT((TS *)in, j * L + m));
        tw_order(w, m);
    }
    for (size_t i = 0; i < t->nout; i++)
        for (unsigned m = 0; m <= order; m++)
        {
            TP o = AT(out, i * L + m);
            TS_SET(o, AT(w->reg[t->out_reg[i]], m));
            if (!TS_IS_NUMBER(o))
                finite = 0;
        }
    return tw_status(w, finite);
}

static int
tw_ode(struct TW *w, TS *x, const TS *x0, unsigned order)
{
    const cor_tape *t = w->t;
    size_t n = t->nin, L = (size_t)order + 1;
    int finite = 1;

    if (t->nout != n)
        return COR_ERROR(COR_EBADLEN, "ODE mode needs as many outputs (%zu) as inputs (%zu)",
                         t->nout, n);
    if (order > w->K || order < 1)
        return COR_ERROR(COR_EINVAL, "order %u is outside [1, %u]", order, w->K);
    w->kink = 0;
    for (size_t j = 0; j < n; j++)
    {
        TS_SET(AT(w->reg[j], 0), AT((TS *)x0, j));
        TS_SET(AT(x, j * L), AT(w->reg[j], 0));
        if (!TS_IS_NUMBER(AT(x, j * L)))
            finite = 0;
    }
    for (unsigned m = 0; m < order; m++)
    {
        tw_order(w, m);
        for (size_t i = 0; i < n; i++)
        {
            TP o = AT(x, i * L + m + 1);
            TS_DIV_SI(o, AT(w->reg[t->out_reg[i]], m), (long)(m + 1));
            if (!TS_IS_NUMBER(o))
                finite = 0;
        }
        if (m + 1 < order)
            for (size_t j = 0; j < n; j++)
                TS_SET(AT(w->reg[j], m + 1), AT(x, j * L + m + 1));
    }
    w->order_used = order;
    return tw_status(w, finite);
}

/* res = p(s) for the series p truncated at degree d (Horner) */
static void
horner(TP res, TS *p, unsigned d, TCP s)
{
    TS_SET(res, AT(p, d));
    for (unsigned k = d; k-- > 0;)
    {
        TS_MUL(res, res, s);
        TS_ADD(res, res, AT(p, k));
    }
}

/* the event quantity q of instruction i, which (0..2), at s; returns 0 if there is none */
static int
event_value(struct TW *w, size_t i, int which, TP res, TCP s, unsigned d)
{
    const cor_instr *I = &w->t->ins[i];
    tw_info *f = &w->info[i];

    switch ((cor_op)I->op)
    {
    case COR_OP_ABS:
    case COR_OP_SIGN:
    case COR_OP_SELECT:
    case COR_OP_LOG:
    case COR_OP_POW:
        if (which)
            return 0;
        horner(res, f->a, d, s);
        return 1;
    case COR_OP_LOG1P:
        if (which)
            return 0;
        horner(res, f->a, d, s);
        TS_ADD_SI(res, res, 1);
        return 1;
    case COR_OP_SQRT:
        if (which > 1)
            return 0;
        horner(res, which ? f->v : f->a, d, s);
        return 1;
    case COR_OP_MIN:
    case COR_OP_MAX:
        if (which)
            return 0;
        horner(res, f->a, d, s);
        horner(&w->ev2, f->b, d, s);
        TS_SUB(res, res, &w->ev2);
        return 1;
    default: return 0;
    }
}

static int
tw_event(struct TW *w, TP s, TCP h)
{
    unsigned d = w->order_used ? w->order_used - 1 : 0;
    int found = 0;

    /* s holds the best (earliest) crossing so far once found */
    for (size_t i = 0; i < w->t->ninstr; i++)
        for (int which = 0; which < 2; which++)
        {
            int s0, s1;

            /* the value at 0: coefficient 0 (plus 1 for log1p, a - b for min/max) */
            TS_SET_ZERO(&w->lo);
            if (!event_value(w, i, which, &w->ev, &w->lo, d))
                break;
            s0 = TS_SGN(&w->ev);
            if (s0 == 0 || TS_IS_NAN(&w->ev))
                continue; /* a kink at order 0 is reported by the series itself */
            TS_SET(&w->hi, found ? (TCP)s : h);
            event_value(w, i, which, &w->ev, &w->hi, d);
            s1 = TS_SGN(&w->ev);
            if (s1 == s0 && !TS_IS_NAN(&w->ev))
                continue;
            /* bisection: sign s0 at lo, not s0 at hi */
            for (int it = 0; it < 4000; it++)
            {
                TS_ADD(&w->mid, &w->lo, &w->hi);
                TS_DIV_SI(&w->mid, &w->mid, 2);
                if (TS_CMP(&w->mid, &w->lo) <= 0 || TS_CMP(&w->mid, &w->hi) >= 0)
                    break;
                event_value(w, i, which, &w->ev, &w->mid, d);
                if (TS_SGN(&w->ev) == s0 && !TS_IS_NAN(&w->ev))
                    TS_SET(&w->lo, &w->mid);
                else
                    TS_SET(&w->hi, &w->mid);
            }
            TS_SET(s, &w->hi);
            found = 1;
        }
    return found;
}
