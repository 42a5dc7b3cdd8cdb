/* tape.c -- compiling expression DAGs into straight-line tapes.
 *
 * The nodes reachable from the outputs are visited in topological order (children first),
 * so when an instruction runs, its argument registers already hold their values. Inputs get
 * registers 0..nin-1, constants the next ones (filled once when a workspace is made), and
 * every other node one register of its own: registers are never reused, so an output is
 * simply read from its node's register and no instruction can clobber another's input.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "eval_impl.h"
#include "expr_impl.h"

#define NOREG UINT32_MAX

static uint32_t
add_coef(cor_tape *t, const mpq_t q)
{
    /* coefficients are few and repetitive (1, -1, 1/2): share equal ones */
    for (size_t i = t->ncoef; i-- > 0 && i + 8 >= t->ncoef;)
        if (mpq_equal(t->coef[i], q))
            return (uint32_t)i;
    uint32_t id = (uint32_t)t->ncoef++;
    mpq_init(t->coef[id]);
    mpq_set(t->coef[id], q);
    if (mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_fits_slong_p(mpq_numref(q)))
    {
        long v = mpz_get_si(mpq_numref(q));
        t->coef_si[id] = v;
        t->coef_kind[id] = v == 1 ? COR_COEF_ONE : v == -1 ? COR_COEF_MINUS_ONE : COR_COEF_SI;
    }
    else
        t->coef_kind[id] = COR_COEF_Q;
    return id;
}


/* ---- lowering (see eval_impl.h) --------------------------------------------------------- */

typedef struct
{
    uint32_t reg;
    mpq_t c;
} lterm;

typedef struct
{
    cor_lprog *lp;
    size_t cap_ins, cap_terms, cap_coef;
} lbuild;

static int
lb_grow(void **p, size_t *cap, size_t need, size_t elt)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *q = cor_realloc(*p, nc * elt);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static cor_linstr *
lb_ins(lbuild *B, uint8_t op, uint32_t dst, uint32_t a)
{
    cor_lprog *lp = B->lp;
    if (lb_grow((void **)&lp->ins, &B->cap_ins, lp->nins + 1, sizeof *lp->ins))
        return NULL;
    cor_linstr *L = &lp->ins[lp->nins++];
    L->op = op;
    L->dst = dst;
    L->a = a;
    L->b = L->c = NOREG;
    L->n = L->t0 = 0;
    L->q = NOREG;
    L->k = 0;
    return L;
}

static int
lb_coef(lbuild *B, mpq_srcptr q, uint32_t *id)
{
    cor_lprog *lp = B->lp;
    for (size_t i = lp->ncoef; i-- > 0 && i + 16 >= lp->ncoef;)
        if (mpq_equal(lp->coef[i], q))
        {
            *id = (uint32_t)i;
            return 0;
        }
    size_t need = lp->ncoef + 1, cap = B->cap_coef;
    if (lb_grow((void **)&lp->coef, &cap, need, sizeof *lp->coef))
        return -1;
    size_t cap2 = B->cap_coef;
    if (lb_grow((void **)&lp->coef_si, &cap2, need, sizeof *lp->coef_si))
        return -1;
    size_t cap3 = B->cap_coef;
    if (lb_grow((void **)&lp->coef_si_ok, &cap3, need, sizeof *lp->coef_si_ok))
        return -1;
    B->cap_coef = cap;
    *id = (uint32_t)lp->ncoef++;
    mpq_init(lp->coef[*id]);
    mpq_set(lp->coef[*id], q);
    lp->coef_si_ok[*id] = mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_fits_slong_p(mpq_numref(q));
    lp->coef_si[*id] = lp->coef_si_ok[*id] ? mpz_get_si(mpq_numref(q)) : 0;
    return 0;
}

static int
q_is_si(mpq_srcptr q, long *v)
{
    if (mpz_cmp_ui(mpq_denref(q), 1) != 0 || !mpz_fits_slong_p(mpq_numref(q)))
        return 0;
    *v = mpz_get_si(mpq_numref(q));
    return 1;
}

/* Appends one lowered term c*x to the term arrays. */
static int
lb_term(lbuild *B, uint32_t reg, mpq_srcptr c)
{
    cor_lprog *lp = B->lp;
    size_t need = lp->nterms + 1;
    size_t c1 = B->cap_terms, c2 = B->cap_terms, c3 = B->cap_terms, c4 = B->cap_terms;
    if (lb_grow((void **)&lp->term_reg, &c1, need, sizeof *lp->term_reg)
        || lb_grow((void **)&lp->term_kind, &c2, need, sizeof *lp->term_kind)
        || lb_grow((void **)&lp->term_si, &c3, need, sizeof *lp->term_si)
        || lb_grow((void **)&lp->term_q, &c4, need, sizeof *lp->term_q))
        return -1;
    B->cap_terms = c1;
    size_t i = lp->nterms++;
    long v;
    lp->term_reg[i] = reg;
    lp->term_q[i] = NOREG;
    lp->term_si[i] = 0;
    if (q_is_si(c, &v))
    {
        lp->term_si[i] = v;
        lp->term_kind[i] = v == 1 ? COR_LT_PLUS : v == -1 ? COR_LT_MINUS : COR_LT_SI;
    }
    else
    {
        lp->term_kind[i] = COR_LT_Q;
        if (lb_coef(B, c, &lp->term_q[i]))
            return -1;
    }
    return 0;
}

/* dst = scalar c times register x (c != 0). */
static int
lb_scale(lbuild *B, uint32_t dst, uint32_t x, mpq_srcptr c)
{
    long v;
    cor_linstr *L;
    if (q_is_si(c, &v))
    {
        if (v == 1)
        {
            /* a plain copy: a one-term SUM */
            L = lb_ins(B, COR_LOP_SUM, dst, NOREG);
            if (!L)
                return -1;
            L->t0 = (uint32_t)B->lp->nterms;
            L->n = 1;
            return lb_term(B, x, c);
        }
        L = lb_ins(B, v == -1 ? COR_LOP_NEG : COR_LOP_MULSI, dst, x);
        if (!L)
            return -1;
        L->k = v;
        return 0;
    }
    L = lb_ins(B, COR_LOP_MULQ, dst, x);
    return L ? lb_coef(B, c, &L->q) : -1;
}

/* dst = a + c0 (c0 != 0); a may be dst (in place). */
static int
lb_addc(lbuild *B, uint32_t dst, uint32_t a, mpq_srcptr c0)
{
    long v;
    cor_linstr *L;
    if (q_is_si(c0, &v))
    {
        L = lb_ins(B, COR_LOP_ADDSI, dst, a);
        if (!L)
            return -1;
        L->k = v;
        return 0;
    }
    L = lb_ins(B, COR_LOP_ADDQ, dst, a);
    return L ? lb_coef(B, c0, &L->q) : -1;
}

static size_t
count_nonunit(const lterm *ts, size_t n, const mpz_t g)
{
    size_t cnt = 0;
    mpz_t t;
    mpz_init(t);
    for (size_t i = 0; i < n; i++)
    {
        mpz_divexact(t, mpq_numref(ts[i].c), g);
        if (mpz_cmpabs_ui(t, 1) != 0)
            cnt++;
    }
    mpz_clear(t);
    return cnt;
}

/* Lowers dst = c0 + sum ts[0..n) (n >= 1). May reorder ts. */
static int
lb_sum(lbuild *B, uint32_t dst, lterm *ts, size_t n, mpq_srcptr c0, uint32_t *next_reg)
{
    /* common integer factor g > 1 when it saves multiplications */
    int all_int = 1;
    for (size_t i = 0; i < n && all_int; i++)
        all_int = mpz_cmp_ui(mpq_denref(ts[i].c), 1) == 0;
    all_int = all_int && mpz_cmp_ui(mpq_denref(c0), 1) == 0;
    if (all_int && n >= 2)
    {
        mpz_t g, one;
        mpz_inits(g, one, (mpz_ptr)0);
        mpz_set_ui(one, 1);
        for (size_t i = 0; i < n; i++)
            mpz_gcd(g, g, mpq_numref(ts[i].c));
        mpz_gcd(g, g, mpq_numref(c0));
        int take = mpz_cmp_ui(g, 1) > 0 && mpz_fits_slong_p(g)
                   && count_nonunit(ts, n, g) + 1 < count_nonunit(ts, n, one);
        if (take)
        {
            mpq_t gq, c0g;
            mpq_inits(gq, c0g, (mpq_ptr)0);
            mpq_set_z(gq, g);
            for (size_t i = 0; i < n; i++)
                mpq_div(ts[i].c, ts[i].c, gq);
            mpq_div(c0g, c0, gq);
            uint32_t tmp = (*next_reg)++;
            int e = lb_sum(B, tmp, ts, n, c0g, next_reg) || lb_scale(B, dst, tmp, gq);
            mpq_clears(gq, c0g, (mpq_ptr)0);
            mpz_clears(g, one, (mpz_ptr)0);
            return e ? -1 : 0;
        }
        mpz_clears(g, one, (mpz_ptr)0);
    }
    /* a coefficient +1 first, so that two unit terms make one add or sub */
    for (size_t i = 0; i < n; i++)
        if (mpz_cmp_ui(mpq_denref(ts[i].c), 1) == 0 && mpz_cmp_ui(mpq_numref(ts[i].c), 1) == 0)
        {
            if (i)
            {
                lterm t = ts[0];
                ts[0] = ts[i];
                ts[i] = t;
            }
            break;
        }
    int unit0 = mpq_cmp_si(ts[0].c, 1, 1) == 0;
    int sgn1 = 0;
    if (n == 2)
        sgn1 = mpq_cmp_si(ts[1].c, 1, 1) == 0 ? 1 : mpq_cmp_si(ts[1].c, -1, 1) == 0 ? -1 : 0;
    int has_c0 = mpq_sgn(c0) != 0;
    if (n == 1 && unit0 && has_c0)
        return lb_addc(B, dst, ts[0].reg, c0);
    if (n == 1)
    {
        if (lb_scale(B, dst, ts[0].reg, ts[0].c))
            return -1;
    }
    else if (n == 2 && unit0 && sgn1)
    {
        cor_linstr *L = lb_ins(B, sgn1 > 0 ? COR_LOP_ADD : COR_LOP_SUB, dst, ts[0].reg);
        if (!L)
            return -1;
        L->b = ts[1].reg;
    }
    else
    {
        cor_linstr *L = lb_ins(B, COR_LOP_SUM, dst, NOREG);
        if (!L)
            return -1;
        L->t0 = (uint32_t)B->lp->nterms;
        L->n = (uint32_t)n;
        for (size_t i = 0; i < n; i++)
            if (lb_term(B, ts[i].reg, ts[i].c))
                return -1;
    }
    return has_c0 ? lb_addc(B, dst, dst, c0) : 0;
}

static int
lterm_cmp(const void *a, const void *b)
{
    uint32_t x = ((const lterm *)a)->reg, y = ((const lterm *)b)->reg;
    return (x > y) - (x < y);
}

static lterm *
find_term(lterm *ts, size_t n, uint32_t reg)
{
    size_t lo = 0, hi = n;
    while (lo < hi)
    {
        size_t mid = (lo + hi) / 2;
        if (ts[mid].reg < reg)
            lo = mid + 1;
        else if (ts[mid].reg > reg)
            hi = mid;
        else
            return &ts[mid];
    }
    return NULL;
}


/* Cost of a term c*x in an MPFR sum, in tenths of an add: +-1 is one add, a power of two an
 * exact scaling and an add, an integer a mul_si and an add, a rational a mul and an add. */
static long
term_cost(mpq_srcptr c)
{
    if (mpq_sgn(c) == 0)
        return 0;
    if (mpz_cmp_ui(mpq_denref(c), 1) != 0 || !mpz_fits_slong_p(mpq_numref(c)))
        return 25;
    if (mpz_cmpabs_ui(mpq_numref(c), 1) == 0)
        return 10;
    /* |c| a power of two: its lowest set bit is its highest */
    mpz_srcptr z = mpq_numref(c);
    return mpz_scan1(z, 0) + 1 == mpz_sizeinbase(z, 2) ? 13 : 18;
}

/* Gain (cost before - cost after) of rewriting the terms ts[0..n) of I as lam * J + rest;
 * every term of J is among ts. tmp: scratch. */
static long
cse_gain(const cor_tape *t, const cor_instr *J, const lterm *ts, size_t n, mpq_srcptr lam,
         mpq_ptr tmp)
{
    long before = 0, after = 0;
    for (uint32_t k = 0; k < J->n; k++)
    {
        const lterm *m = find_term((lterm *)ts, n, t->term_reg[J->t0 + k]);
        before += term_cost(m->c);
        mpq_mul(tmp, lam, t->coef[t->term_coef[J->t0 + k]]);
        mpq_sub(tmp, m->c, tmp);
        after += term_cost(tmp);
    }
    const lterm *ex = find_term((lterm *)ts, n, J->dst);
    if (ex)
    {
        before += term_cost(ex->c);
        mpq_add(tmp, ex->c, lam);
        after += term_cost(tmp);
    }
    else
        after += term_cost(lam);
    return before - after;
}

/* Rewrites ts[0..n) (sorted by register, room for one more) as lam * J + rest and c0 as
 * c0 - lam c0_J; returns the new number of terms. */
static size_t
cse_apply(const cor_tape *t, const cor_instr *J, lterm *ts, size_t n, mpq_srcptr lam, mpq_ptr c0,
          mpq_ptr tmp)
{
    for (uint32_t k = 0; k < J->n; k++)
    {
        lterm *m = find_term(ts, n, t->term_reg[J->t0 + k]);
        mpq_mul(tmp, lam, t->coef[t->term_coef[J->t0 + k]]);
        mpq_sub(m->c, m->c, tmp);
    }
    lterm *ex = find_term(ts, n, J->dst);
    if (ex)
        mpq_add(ex->c, ex->c, lam);
    else
    {
        /* J's register is below ours: insert it in order */
        size_t pos = n;
        while (pos > 0 && ts[pos - 1].reg > J->dst)
        {
            ts[pos].reg = ts[pos - 1].reg;
            mpq_set(ts[pos].c, ts[pos - 1].c);
            pos--;
        }
        ts[pos].reg = J->dst;
        mpq_set(ts[pos].c, lam);
        n++;
    }
    if (J->c0 != NOREG)
    {
        mpq_mul(tmp, lam, t->coef[J->c0]);
        mpq_sub(c0, c0, tmp);
    }
    size_t m2 = 0;
    for (size_t k = 0; k < n; k++)
        if (mpq_sgn(ts[k].c) != 0)
        {
            if (m2 != k)
            {
                ts[m2].reg = ts[k].reg;
                mpq_set(ts[m2].c, ts[k].c);
            }
            m2++;
        }
    return m2;
}

static int
lterm_reserve(lterm **ts, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t nc = need > 2 * *cap ? need : 2 * *cap;
    lterm *nt = cor_realloc(*ts, nc * sizeof *nt);
    if (!nt)
        return -1;
    for (size_t j = *cap; j < nc; j++)
        mpq_init(nt[j].c);
    *ts = nt;
    *cap = nc;
    return 0;
}

#define CSE_SCAN_MAX 64

static void
lprog_free(cor_lprog *lp)
{
    if (!lp)
        return;
    for (size_t i = 0; i < lp->ncoef; i++)
        mpq_clear(lp->coef[i]);
    cor_free(lp->ins);
    cor_free(lp->term_reg);
    cor_free(lp->term_kind);
    cor_free(lp->term_si);
    cor_free(lp->term_q);
    cor_free(lp->coef);
    cor_free(lp->coef_si_ok);
    cor_free(lp->coef_si);
    cor_free(lp);
}

/* Builds t->lp. Returns 0 or -1 (out of memory). */
static int
lower(cor_tape *t)
{
    int rc = -1;
    lbuild B = {NULL, 0, 0, 0};
    uint32_t *head = NULL, *nextj = NULL;
    lterm *ts = NULL;
    size_t tcap = 0;
    mpq_t lam, tmpq, tmpq2, c0;
    mpq_inits(lam, tmpq, tmpq2, c0, (mpq_ptr)0);

    B.lp = cor_calloc(1, sizeof *B.lp);
    head = cor_mallocarray(t->nregs ? t->nregs : 1, sizeof *head);
    nextj = cor_mallocarray(t->ninstr ? t->ninstr : 1, sizeof *nextj);
    if (!B.lp || !head || !nextj)
        goto done;
    memset(head, 0xff, (t->nregs ? t->nregs : 1) * sizeof *head);
    uint32_t next_reg = (uint32_t)t->nregs;

    for (size_t i = 0; i < t->ninstr; i++)
    {
        const cor_instr *I = &t->ins[i];
        if (I->op != COR_OP_SUM)
        {
            cor_linstr *L;
            if (I->op == COR_OP_POWI && (I->k == 2 || I->k == -1))
                L = lb_ins(&B, I->k == 2 ? COR_LOP_SQR : COR_LOP_RECIP, I->dst, I->a);
            else
            {
                L = lb_ins(&B, I->op, I->dst, I->a);
                if (L)
                {
                    L->b = I->b;
                    L->c = I->c;
                    L->k = I->k;
                }
            }
            if (!L)
                goto done;
            continue;
        }
        /* the terms of this sum, sorted by register */
        size_t n = I->n;
        if (lterm_reserve(&ts, &tcap, n + 1))
            goto done;
        for (size_t j = 0; j < n; j++)
        {
            ts[j].reg = t->term_reg[I->t0 + j];
            mpq_set(ts[j].c, t->coef[t->term_coef[I->t0 + j]]);
        }
        qsort(ts, n, sizeof *ts, lterm_cmp);
        if (I->c0 != NOREG)
            mpq_set(c0, t->coef[I->c0]);
        else
            mpq_set_ui(c0, 0, 1);
        /* linear common subexpressions: I = lambda J + (I - lambda J) for an earlier sum J
         * whose terms all occur in I, when that makes I cheaper (cse_gain) */
        for (;;)
        {
            long best = 0;
            uint32_t bestJ = NOREG;
            for (size_t j = 0; j < n; j++)
            {
                size_t scanned = 0;
                for (uint32_t J = head[ts[j].reg]; J != NOREG && scanned < CSE_SCAN_MAX;
                     J = nextj[J], scanned++)
                {
                    const cor_instr *IJ = &t->ins[J];
                    int ok = IJ->n <= n;
                    for (uint32_t k = 0; k < IJ->n && ok; k++)
                        ok = find_term(ts, n, t->term_reg[IJ->t0 + k]) != NULL;
                    if (!ok)
                        continue;
                    for (uint32_t k = 0; k < IJ->n; k++)
                    {
                        const lterm *m = find_term(ts, n, t->term_reg[IJ->t0 + k]);
                        mpq_div(tmpq, m->c, t->coef[t->term_coef[IJ->t0 + k]]);
                        long g = cse_gain(t, IJ, ts, n, tmpq, tmpq2);
                        if (g > best)
                        {
                            best = g;
                            bestJ = J;
                            mpq_set(lam, tmpq);
                        }
                    }
                }
            }
            if (bestJ == NOREG)
                break;
            if (lterm_reserve(&ts, &tcap, n + 1))
                goto done;
            n = cse_apply(t, &t->ins[bestJ], ts, n, lam, c0, tmpq);
        }
        COR_ASSERT(n >= 1); /* lambda * J keeps one term */
        if (lb_sum(&B, I->dst, ts, n, c0, &next_reg))
            goto done;
        /* index this sum by its smallest register, for later sums (original terms) */
        if (I->n >= 2)
        {
            uint32_t key = NOREG;
            for (uint32_t k = 0; k < I->n; k++)
                if (t->term_reg[I->t0 + k] < key)
                    key = t->term_reg[I->t0 + k];
            nextj[i] = head[key];
            head[key] = (uint32_t)i;
        }
    }
    B.lp->nregs = next_reg;
    t->lp = B.lp;
    B.lp = NULL;
    rc = 0;
done:
    for (size_t j = 0; j < tcap; j++)
        mpq_clear(ts[j].c);
    cor_free(ts);
    cor_free(head);
    cor_free(nextj);
    lprog_free(B.lp);
    mpq_clears(lam, tmpq, tmpq2, c0, (mpq_ptr)0);
    return rc;
}

cor_tape *
cor_tape_alloc(const cor_expr_pool *pool, size_t nin, const cor_node *inputs, size_t nout,
               const cor_node *outputs)
{
    size_t nn = pool->nnodes;
    cor_tape *t = cor_calloc(1, sizeof *t);
    uint32_t *reg = cor_mallocarray(nn ? nn : 1, sizeof *reg);
    unsigned char *state = cor_calloc(nn ? nn : 1, 1);
    cor_node *order = cor_mallocarray(nn ? nn : 1, sizeof *order);
    cor_node *stack = cor_mallocarray(nn ? nn : 1, sizeof *stack);
    uint32_t *child = cor_mallocarray(nn ? nn : 1, sizeof *child);
    size_t cnt = 0, nterms = 0, nconst = 0, ninstr = 0, ncoef = 0;

    if (!t || !reg || !state || !order || !stack || !child)
        goto fail;
    memset(reg, 0xff, nn * sizeof *reg);
    for (size_t j = 0; j < nin; j++)
    {
        if (inputs[j] >= nn || pool->nodes[inputs[j]].op != COR_OP_VAR)
        {
            COR_ERROR(COR_EINVAL, "tape input %zu is not a variable", j);
            goto fail;
        }
        if (reg[inputs[j]] != NOREG)
        {
            COR_ERROR(COR_EINVAL, "variable '%s' is given twice as a tape input",
                      pool->var_names[pool->nodes[inputs[j]].k]);
            goto fail;
        }
        reg[inputs[j]] = (uint32_t)j;
        state[inputs[j]] = 2;
    }
    /* topological order of everything reachable from the outputs */
    for (size_t i = 0; i < nout; i++)
    {
        if (outputs[i] >= nn)
        {
            COR_ERROR(COR_EINVAL, "tape output %zu is not a node of the pool", i);
            goto fail;
        }
        if (state[outputs[i]])
            continue;
        size_t top = 0;
        stack[top] = outputs[i];
        child[top++] = 0;
        state[outputs[i]] = 1;
        while (top)
        {
            cor_node v = stack[top - 1];
            const cor_expr_node *nd = &pool->nodes[v];
            if (child[top - 1] < nd->n)
            {
                cor_node w = pool->kids[nd->first + child[top - 1]++];
                if (!state[w])
                {
                    state[w] = 1;
                    stack[top] = w;
                    child[top++] = 0;
                }
                continue;
            }
            state[v] = 2;
            order[cnt++] = v;
            top--;
        }
    }
    for (size_t i = 0; i < cnt; i++)
    {
        const cor_expr_node *nd = &pool->nodes[order[i]];
        if (nd->op == COR_OP_VAR)
        {
            COR_ERROR(COR_EINVAL, "variable '%s' is used but is not a tape input",
                      pool->var_names[nd->k]);
            goto fail;
        }
        if (nd->op == COR_OP_CONST || nd->op == COR_OP_PI)
            nconst++;
        else
        {
            ninstr++;
            if (nd->op == COR_OP_SUM)
            {
                nterms += nd->n;
                ncoef += nd->n + 1;
            }
        }
    }
    if (nin + nconst + ninstr >= (size_t)UINT32_MAX)
    {
        COR_ERROR(COR_ENOMEM, "tape too large");
        goto fail;
    }

    t->nin = nin;
    t->nout = nout;
    t->out_reg = cor_mallocarray(nout ? nout : 1, sizeof *t->out_reg);
    t->ins = cor_mallocarray(ninstr ? ninstr : 1, sizeof *t->ins);
    t->const_reg = cor_mallocarray(nconst ? nconst : 1, sizeof *t->const_reg);
    t->const_q = cor_mallocarray(nconst ? nconst : 1, sizeof *t->const_q);
    t->const_is_pi = cor_calloc(nconst ? nconst : 1, 1);
    t->term_reg = cor_mallocarray(nterms ? nterms : 1, sizeof *t->term_reg);
    t->term_coef = cor_mallocarray(nterms ? nterms : 1, sizeof *t->term_coef);
    t->coef = cor_mallocarray(ncoef ? ncoef : 1, sizeof *t->coef);
    t->coef_kind = cor_calloc(ncoef ? ncoef : 1, 1);
    t->coef_si = cor_calloc(ncoef ? ncoef : 1, sizeof *t->coef_si);
    if (!t->out_reg || !t->ins || !t->const_reg || !t->const_q || !t->const_is_pi
        || !t->term_reg || !t->term_coef || !t->coef || !t->coef_kind || !t->coef_si)
        goto fail;

    uint32_t next = (uint32_t)nin;
    for (size_t i = 0; i < cnt; i++)
    {
        const cor_expr_node *nd = &pool->nodes[order[i]];
        if (nd->op == COR_OP_CONST || nd->op == COR_OP_PI)
        {
            size_t c = t->nconst++;
            t->const_reg[c] = next;
            mpq_init(t->const_q[c]);
            if (nd->op == COR_OP_CONST)
                mpq_set(t->const_q[c], pool->q[nd->qi]);
            else
                t->const_is_pi[c] = 1;
            reg[order[i]] = next++;
        }
    }
    for (size_t i = 0; i < cnt; i++)
    {
        const cor_expr_node *nd = &pool->nodes[order[i]];
        if (nd->op == COR_OP_CONST || nd->op == COR_OP_PI)
            continue;
        cor_instr *in = &t->ins[t->ninstr++];
        const cor_node *k = nd->n ? &pool->kids[nd->first] : NULL;
        in->op = nd->op;
        in->dst = next;
        in->a = nd->n > 0 ? reg[k[0]] : NOREG;
        in->b = nd->n > 1 ? reg[k[1]] : NOREG;
        in->c = nd->n > 2 ? reg[k[2]] : NOREG;
        in->k = nd->k;
        in->n = 0;
        in->t0 = 0;
        in->c0 = NOREG;
        if (nd->op == COR_OP_SUM)
        {
            in->n = nd->n;
            in->t0 = (uint32_t)t->nterms;
            if (mpq_sgn(pool->q[nd->qi]) != 0)
                in->c0 = add_coef(t, pool->q[nd->qi]);
            for (uint32_t j = 0; j < nd->n; j++)
            {
                t->term_reg[t->nterms] = reg[k[j]];
                t->term_coef[t->nterms] = add_coef(t, pool->q[nd->qi + 1 + j]);
                t->nterms++;
            }
        }
        reg[order[i]] = next++;
    }
    t->nregs = next;
    for (size_t i = 0; i < nout; i++)
        t->out_reg[i] = reg[outputs[i]];
    if (lower(t))
        goto fail;

    cor_free(reg);
    cor_free(state);
    cor_free(order);
    cor_free(stack);
    cor_free(child);
    return t;
fail:
    cor_free(reg);
    cor_free(state);
    cor_free(order);
    cor_free(stack);
    cor_free(child);
    cor_tape_free(t);
    return NULL;
}

void
cor_tape_free(cor_tape *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nconst; i++)
        mpq_clear(t->const_q[i]);
    for (size_t i = 0; i < t->ncoef; i++)
        mpq_clear(t->coef[i]);
    cor_free(t->out_reg);
    cor_free(t->ins);
    cor_free(t->const_reg);
    cor_free(t->const_q);
    cor_free(t->const_is_pi);
    cor_free(t->term_reg);
    cor_free(t->term_coef);
    cor_free(t->coef);
    cor_free(t->coef_kind);
    cor_free(t->coef_si);
    lprog_free(t->lp);
    cor_free(t);
}

size_t
cor_tape_ninputs(const cor_tape *t)
{
    return t->nin;
}

size_t
cor_tape_noutputs(const cor_tape *t)
{
    return t->nout;
}

size_t
cor_tape_ninstr(const cor_tape *t)
{
    return t->ninstr;
}

size_t
cor_tape_nregs(const cor_tape *t)
{
    return t->nregs;
}
