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
