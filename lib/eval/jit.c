/* jit.c -- compiling a tape's lowered program to native code with libgccjit (double).
 *
 * The lowered program (eval_impl.h) becomes one C-like function
 *     int f(double *out, const double *in, double *r)
 * with one local variable per register, the constants as literals, and the operations in
 * the program's order, built through libgccjit's API (no C text is generated or parsed).
 * The pure variant (cor_eval_d_native) is the same code generator with the register file
 * left out: int f(double *out, const double *in), reading in, writing out, nothing else.
 * It computes exactly what the interpreter of eval_d.c computes, bit for bit:
 *  - the same operations in the same order on the same operands (a sum is f_0 x_0, then
 *    += f_k x_k, with the same four partial sums from COR_LSUM_LANES_MIN terms on; a factor
 *    +-1 is written as x or -x, which IEEE arithmetic makes identical to the product);
 *  - no contraction (-ffp-contract=off), no fast-math, so GCC may not reassociate;
 *  - every function other than + - * / (exp, log, sqrt, sigmoid, sign, min, ...) is called
 *    through a pointer to the very function the interpreter calls.
 * tests/check_eval.c checks the bitwise agreement on every operation.
 *
 * Cost: compiling takes GCC's time: about 0.05 s for a tiny tape plus about 0.6 ms of CPU per
 * statement (4 s for the 5700-instruction logistic gradient of bench_grad), so a workspace
 * compiles only once the time it has spent interpreting is about what the compilation will
 * cost (COR_JIT_WORK_*, jit.h). Without libgccjit (configure
 * --without-jit, or not installed) every entry point here reports "not available" and the
 * interpreter runs.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"
#include "jit.h"

/* Number of chunks of lp (see COR_JIT_CHUNK); chunk_of[i] = chunk of instruction i when
 * chunk_of is not NULL. */
static size_t
chunk_count(const cor_lprog *lp, uint32_t *chunk_of)
{
    size_t nchunks = 0, w = 0;
    for (size_t i = 0; i < lp->nins; i++)
    {
        size_t wi = 1 + (lp->ins[i].op == COR_LOP_SUM ? lp->ins[i].n : 0);
        if (i == 0 || (w > 0 && w + wi > COR_JIT_CHUNK))
        {
            nchunks++;
            w = 0;
        }
        w += wi;
        if (chunk_of)
            chunk_of[i] = (uint32_t)(nchunks - 1);
    }
    return nchunks;
}

int
cor_jit_d_one_piece(const cor_tape *t)
{
    return chunk_count(t->lp, NULL) <= 1;
}

#ifdef HAVE_LIBGCCJIT
#include <libgccjit.h>

struct cor_jit
{
    gcc_jit_result *res;
    cor_jit_fn_d fn;    /* the workspace variant (pure = 0) */
    cor_eval_d_fn pfn;  /* the pure variant (pure = 1) */
};

typedef struct
{
    gcc_jit_context *cx;
    gcc_jit_type *td, *tl, *ti;
    gcc_jit_type *f1, *f2, *f3, *fdl, *fddi; /* function pointer types */
    gcc_jit_lvalue **loc;                   /* per register: its local in this function */
    uint32_t *touched;                      /* registers with a local (to reset) */
    size_t ntouched;
    const double *regs;
    const unsigned char *isconst;           /* per register: a constant (a literal) */
    const uint32_t *lastuse;                /* chunked: last chunk that reads the register */
    uint32_t chunk;                         /* chunked: the chunk being generated */
    int chunked;
    gcc_jit_rvalue *rp;                     /* the register file parameter */
    gcc_jit_function *fn;
    gcc_jit_block *blk;
} gen;

static gcc_jit_rvalue *
num(gen *G, double x);

/* r[i] of the register file */
static gcc_jit_lvalue *
rmem(gen *G, uint32_t r)
{
    return gcc_jit_context_new_array_access(
        G->cx, NULL, G->rp, gcc_jit_context_new_rvalue_from_long(G->cx, G->tl, (long)r));
}

static gcc_jit_rvalue *
reg(gen *G, uint32_t r)
{
    if (G->loc[r])
        return gcc_jit_lvalue_as_rvalue(G->loc[r]);
    if (G->isconst[r])
        return num(G, G->regs[r]);
    return gcc_jit_lvalue_as_rvalue(rmem(G, r)); /* chunked: computed by an earlier chunk */
}

static gcc_jit_rvalue *
num(gen *G, double x)
{
    return gcc_jit_context_new_rvalue_from_double(G->cx, G->td, x);
}

static gcc_jit_rvalue *
bin(gen *G, enum gcc_jit_binary_op op, gcc_jit_rvalue *a, gcc_jit_rvalue *b)
{
    return gcc_jit_context_new_binary_op(G->cx, NULL, op, G->td, a, b);
}

static gcc_jit_rvalue *
neg(gen *G, gcc_jit_rvalue *a)
{
    return gcc_jit_context_new_unary_op(G->cx, NULL, GCC_JIT_UNARY_OP_MINUS, G->td, a);
}

/* A pointer to a C function as a libgccjit rvalue of type ty. */
static gcc_jit_rvalue *
fnptr(gen *G, gcc_jit_type *ty, void (*f)(void))
{
    void *p;
    memcpy(&p, &f, sizeof p);
    return gcc_jit_context_new_rvalue_from_ptr(G->cx, ty, p);
}

static gcc_jit_rvalue *
call(gen *G, gcc_jit_type *ty, void (*f)(void), int n, gcc_jit_rvalue **args)
{
    return gcc_jit_context_new_call_through_ptr(G->cx, NULL, fnptr(G, ty, f), n, args);
}

static gcc_jit_rvalue *
call1(gen *G, double (*f)(double), gcc_jit_rvalue *a)
{
    void (*g)(void);
    memcpy(&g, &f, sizeof g);
    return call(G, G->f1, g, 1, &a);
}

static gcc_jit_lvalue *
new_local(gen *G, uint32_t r)
{
    char name[24];
    snprintf(name, sizeof name, "r%u", (unsigned)r);
    return gcc_jit_function_new_local(G->fn, NULL, G->td, name);
}

/* dst's local = v (an intermediate value: not stored) */
static void
set_local(gen *G, uint32_t dst, gcc_jit_rvalue *v)
{
    if (!G->loc[dst])
    {
        G->loc[dst] = new_local(G, dst);
        G->touched[G->ntouched++] = dst;
    }
    gcc_jit_block_add_assignment(G->blk, NULL, G->loc[dst], v);
}

/* dst = v; chunked, also r[dst] = v when a later chunk reads it */
static void
assign(gen *G, uint32_t dst, gcc_jit_rvalue *v)
{
    set_local(G, dst, v);
    if (G->chunked && G->lastuse[dst] > G->chunk)
        gcc_jit_block_add_assignment(G->blk, NULL, rmem(G, dst),
                                     gcc_jit_lvalue_as_rvalue(G->loc[dst]));
}

/* term k of a lowered sum: f_k x_k */
static gcc_jit_rvalue *
term(gen *G, const cor_lprog *lp, const double *tf, size_t k)
{
    gcc_jit_rvalue *x = reg(G, lp->term_reg[k]);
    if (lp->term_kind[k] == COR_LT_PLUS)
        return x;
    if (lp->term_kind[k] == COR_LT_MINUS)
        return neg(G, x);
    return bin(G, GCC_JIT_BINARY_OP_MULT, num(G, tf[k]), x);
}

/* acc = acc + f_k x_k, written as acc - x_k for a factor -1 */
static gcc_jit_rvalue *
acc_term(gen *G, const cor_lprog *lp, const double *tf, size_t k, gcc_jit_rvalue *acc)
{
    if (lp->term_kind[k] == COR_LT_MINUS)
        return bin(G, GCC_JIT_BINARY_OP_MINUS, acc, reg(G, lp->term_reg[k]));
    return bin(G, GCC_JIT_BINARY_OP_PLUS, acc, term(G, lp, tf, k));
}

static void
gen_sum(gen *G, const cor_lprog *lp, const double *tf, const cor_linstr *I)
{
    size_t t0 = I->t0, n = I->n;
    if (n < COR_LSUM_LANES_MIN)
    {
        gcc_jit_rvalue *acc = term(G, lp, tf, t0);
        for (size_t k = 1; k < n; k++)
        {
            /* one statement per term keeps GCC's trees shallow */
            set_local(G, I->dst, acc);
            acc = acc_term(G, lp, tf, t0 + k, gcc_jit_lvalue_as_rvalue(G->loc[I->dst]));
        }
        assign(G, I->dst, acc);
        return;
    }
    gcc_jit_lvalue *lane[4];
    for (int l = 0; l < 4; l++)
    {
        char name[32];
        snprintf(name, sizeof name, "s%u_%d", (unsigned)I->dst, l);
        lane[l] = gcc_jit_function_new_local(G->fn, NULL, G->td, name);
        gcc_jit_block_add_assignment(G->blk, NULL, lane[l], term(G, lp, tf, t0 + (size_t)l));
    }
    for (size_t k = 4; k < n; k++)
    {
        gcc_jit_lvalue *a = lane[k % 4];
        gcc_jit_block_add_assignment(G->blk, NULL, a,
                                     acc_term(G, lp, tf, t0 + k, gcc_jit_lvalue_as_rvalue(a)));
    }
    assign(G, I->dst,
           bin(G, GCC_JIT_BINARY_OP_PLUS,
               bin(G, GCC_JIT_BINARY_OP_PLUS, gcc_jit_lvalue_as_rvalue(lane[0]),
                   gcc_jit_lvalue_as_rvalue(lane[1])),
               bin(G, GCC_JIT_BINARY_OP_PLUS, gcc_jit_lvalue_as_rvalue(lane[2]),
                   gcc_jit_lvalue_as_rvalue(lane[3]))));
}

static void
gen_ins(gen *G, const cor_lprog *lp, const double *lcv, const double *tf, const cor_linstr *I)
{
    gcc_jit_rvalue *a = I->a != UINT32_MAX ? reg(G, I->a) : NULL;
    gcc_jit_rvalue *b = I->b != UINT32_MAX ? reg(G, I->b) : NULL;
    gcc_jit_rvalue *c = I->c != UINT32_MAX ? reg(G, I->c) : NULL;
    gcc_jit_rvalue *v = NULL, *args[3];
    double (*f1)(double) = NULL;

    switch (I->op)
    {
    case COR_LOP_NEG: v = neg(G, a); break;
    case COR_LOP_ADD: v = bin(G, GCC_JIT_BINARY_OP_PLUS, a, b); break;
    case COR_LOP_SUB: v = bin(G, GCC_JIT_BINARY_OP_MINUS, a, b); break;
    case COR_LOP_MULSI: v = bin(G, GCC_JIT_BINARY_OP_MULT, num(G, (double)I->k), a); break;
    case COR_LOP_MULQ: v = bin(G, GCC_JIT_BINARY_OP_MULT, num(G, lcv[I->q]), a); break;
    case COR_LOP_ADDSI: v = bin(G, GCC_JIT_BINARY_OP_PLUS, a, num(G, (double)I->k)); break;
    case COR_LOP_ADDQ: v = bin(G, GCC_JIT_BINARY_OP_PLUS, a, num(G, lcv[I->q])); break;
    case COR_LOP_SUM: gen_sum(G, lp, tf, I); return;
    case COR_LOP_SQR: v = bin(G, GCC_JIT_BINARY_OP_MULT, a, a); break;
    case COR_LOP_RECIP: v = bin(G, GCC_JIT_BINARY_OP_DIVIDE, num(G, 1.0), a); break;
    case COR_OP_MUL: v = bin(G, GCC_JIT_BINARY_OP_MULT, a, b); break;
    case COR_OP_DIV: v = bin(G, GCC_JIT_BINARY_OP_DIVIDE, a, b); break;
    case COR_OP_POW:
        args[0] = a;
        args[1] = b;
        v = call(G, G->f2, (void (*)(void))pow, 2, args);
        break;
    case COR_OP_POWI:
        args[0] = a;
        args[1] = gcc_jit_context_new_rvalue_from_long(G->cx, G->tl, I->k);
        v = call(G, G->fdl, (void (*)(void))cor_eval_d_powi, 2, args);
        break;
    case COR_OP_EXP: f1 = exp; break;
    case COR_OP_LOG: f1 = log; break;
    case COR_OP_LOG1P: f1 = log1p; break;
    case COR_OP_EXPM1: f1 = expm1; break;
    case COR_OP_SQRT: f1 = sqrt; break;
    case COR_OP_SIN: f1 = sin; break;
    case COR_OP_COS: f1 = cos; break;
    case COR_OP_TAN: f1 = tan; break;
    case COR_OP_TANH: f1 = tanh; break;
    case COR_OP_SIGMOID: f1 = cor_eval_d_sigmoid; break;
    case COR_OP_SOFTPLUS: f1 = cor_eval_d_softplus; break;
    case COR_OP_ABS: f1 = fabs; break;
    case COR_OP_SIGN: f1 = cor_eval_d_sign; break;
    case COR_OP_MIN:
    case COR_OP_MAX:
        args[0] = a;
        args[1] = b;
        args[2] = gcc_jit_context_new_rvalue_from_int(G->cx, G->ti, I->op == COR_OP_MIN);
        v = call(G, G->fddi, (void (*)(void))cor_eval_d_minmax, 3, args);
        break;
    case COR_OP_SELECT:
        args[0] = a;
        args[1] = b;
        args[2] = c;
        v = call(G, G->f3, (void (*)(void))cor_eval_d_select, 3, args);
        break;
    default: v = num(G, NAN); break;
    }
    if (f1)
        v = call1(G, f1, a);
    assign(G, I->dst, v);
}

cor_jit *
cor_jit_d_compile(const cor_tape *t, const double *regs, const double *lcv, const double *tf,
                  int pure)
{
    const cor_lprog *lp = t->lp;
    cor_jit *j = NULL;
    gen G;

    memset(&G, 0, sizeof G);
    G.regs = regs;
    size_t nr = lp->nregs ? lp->nregs : 1;
    if (pure && chunk_count(lp, NULL) > 1)
        return NULL; /* one function only: the pure code has no register file to pass on */
    /* chunk of each instruction: cut when the statements (a sum counts its terms) of the
     * current chunk reach COR_JIT_CHUNK */
    uint32_t *chunk_of = cor_mallocarray(lp->nins ? lp->nins : 1, sizeof *chunk_of);
    size_t nchunks = chunk_of ? chunk_count(lp, chunk_of) : 0;
    unsigned char *isconst = cor_calloc(nr, 1);
    uint32_t *lastuse = cor_calloc(nr, sizeof *lastuse);
    G.loc = cor_calloc(nr, sizeof *G.loc);
    G.touched = cor_mallocarray(nr, sizeof *G.touched);
    G.isconst = isconst;
    G.lastuse = lastuse;
    G.chunked = nchunks > 1;
    G.cx = gcc_jit_context_acquire();
    if (!chunk_of || !G.loc || !G.touched || !isconst || !lastuse || !G.cx)
        goto done;
    for (size_t i = 0; i < t->nconst; i++)
        isconst[t->const_reg[i]] = 1;
    /* chunked: the last chunk reading each register (outputs: read after every chunk) */
    for (size_t i = 0; i < lp->nins; i++)
    {
        const cor_linstr *I = &lp->ins[i];
        uint32_t c = chunk_of[i];
        uint32_t rd[3] = {I->a, I->b, I->c};
        for (int k = 0; k < 3; k++)
            if (rd[k] != UINT32_MAX && lastuse[rd[k]] < c)
                lastuse[rd[k]] = c;
        if (I->op == COR_LOP_SUM)
            for (uint32_t k = 0; k < I->n; k++)
                if (lastuse[lp->term_reg[I->t0 + k]] < c)
                    lastuse[lp->term_reg[I->t0 + k]] = c;
    }
    for (size_t i = 0; i < t->nout; i++)
        lastuse[t->out_reg[i]] = UINT32_MAX;
#ifdef LIBGCCJIT_HAVE_gcc_jit_context_set_bool_print_errors_to_stderr
    gcc_jit_context_set_bool_print_errors_to_stderr(G.cx, 0);
#endif
    gcc_jit_context_set_int_option(G.cx, GCC_JIT_INT_OPTION_OPTIMIZATION_LEVEL, 2);
    gcc_jit_context_add_command_line_option(G.cx, "-ffp-contract=off");
    gcc_jit_context_add_command_line_option(G.cx, "-fno-fast-math");
    gcc_jit_context_add_command_line_option(G.cx, "-fno-inline");

    G.td = gcc_jit_context_get_type(G.cx, GCC_JIT_TYPE_DOUBLE);
    G.tl = gcc_jit_context_get_type(G.cx, GCC_JIT_TYPE_LONG);
    G.ti = gcc_jit_context_get_type(G.cx, GCC_JIT_TYPE_INT);
    gcc_jit_type *tv = gcc_jit_context_get_type(G.cx, GCC_JIT_TYPE_VOID);
    gcc_jit_type *pd = gcc_jit_type_get_pointer(G.td);
    gcc_jit_type *pcd = gcc_jit_type_get_pointer(gcc_jit_type_get_const(G.td));
    gcc_jit_type *p3[3] = {G.td, G.td, G.td};
    G.f1 = gcc_jit_context_new_function_ptr_type(G.cx, NULL, G.td, 1, p3, 0);
    G.f2 = gcc_jit_context_new_function_ptr_type(G.cx, NULL, G.td, 2, p3, 0);
    G.f3 = gcc_jit_context_new_function_ptr_type(G.cx, NULL, G.td, 3, p3, 0);
    gcc_jit_type *pdl[2] = {G.td, G.tl};
    G.fdl = gcc_jit_context_new_function_ptr_type(G.cx, NULL, G.td, 2, pdl, 0);
    gcc_jit_type *pddi[3] = {G.td, G.td, G.ti};
    G.fddi = gcc_jit_context_new_function_ptr_type(G.cx, NULL, G.td, 3, pddi, 0);

    /* chunked: one function per COR_JIT_CHUNK instructions, void cor_jit_cK(double *r),
     * reading what earlier chunks computed from r and storing what later ones read */
    gcc_jit_function **chunk_fn = NULL;
    if (G.chunked)
    {
        chunk_fn = cor_calloc(nchunks, sizeof *chunk_fn);
        if (!chunk_fn)
            goto done;
        for (size_t c = 0; c < nchunks; c++)
        {
            char name[32];
            snprintf(name, sizeof name, "cor_jit_c%zu", c);
            gcc_jit_param *rprm = gcc_jit_context_new_param(G.cx, NULL, pd, "r");
            G.fn = chunk_fn[c] = gcc_jit_context_new_function(
                G.cx, NULL, GCC_JIT_FUNCTION_EXPORTED, tv, name, 1, &rprm, 0);
            G.blk = gcc_jit_function_new_block(G.fn, "entry");
            G.rp = gcc_jit_param_as_rvalue(rprm);
            G.chunk = (uint32_t)c;
            for (size_t i = 0; i < lp->nins; i++)
                if (chunk_of[i] == c)
                    gen_ins(&G, lp, lcv, tf, &lp->ins[i]);
            gcc_jit_block_end_with_void_return(G.blk, NULL);
            for (size_t k = 0; k < G.ntouched; k++)
                G.loc[G.touched[k]] = NULL;
            G.ntouched = 0;
        }
    }

    /* pure: int cor_jit_fn(double *out, const double *in), no register file (G.rp stays
     * NULL: only chunked code, never pure, reads or writes r) */
    gcc_jit_param *prm[3] = {gcc_jit_context_new_param(G.cx, NULL, pd, "out"),
                             gcc_jit_context_new_param(G.cx, NULL, pcd, "in"),
                             pure ? NULL : gcc_jit_context_new_param(G.cx, NULL, pd, "r")};
    G.fn = gcc_jit_context_new_function(G.cx, NULL, GCC_JIT_FUNCTION_EXPORTED, G.ti, "cor_jit_fn",
                                        pure ? 2 : 3, prm, 0);
    G.blk = gcc_jit_function_new_block(G.fn, "entry");
    G.rp = pure ? NULL : gcc_jit_param_as_rvalue(prm[2]);
    gcc_jit_rvalue *in = gcc_jit_param_as_rvalue(prm[1]);
    gcc_jit_rvalue *out = gcc_jit_param_as_rvalue(prm[0]);
    for (size_t i = 0; i < t->nin; i++)
    {
        gcc_jit_rvalue *idx = gcc_jit_context_new_rvalue_from_long(G.cx, G.tl, (long)i);
        gcc_jit_rvalue *x =
            gcc_jit_lvalue_as_rvalue(gcc_jit_context_new_array_access(G.cx, NULL, in, idx));
        if (G.chunked)
            gcc_jit_block_add_assignment(G.blk, NULL, rmem(&G, (uint32_t)i), x);
        else
        {
            set_local(&G, (uint32_t)i, x);
            if (!pure)
                gcc_jit_block_add_assignment(G.blk, NULL, rmem(&G, (uint32_t)i),
                                             gcc_jit_lvalue_as_rvalue(G.loc[i]));
        }
    }
    if (G.chunked)
    {
        gcc_jit_rvalue *rarg = G.rp;
        for (size_t c = 0; c < nchunks; c++)
            gcc_jit_block_add_eval(G.blk, NULL,
                                   gcc_jit_context_new_call(G.cx, NULL, chunk_fn[c], 1, &rarg));
        cor_free(chunk_fn);
    }
    else
        for (size_t i = 0; i < lp->nins; i++)
            gen_ins(&G, lp, lcv, tf, &lp->ins[i]);
    /* outputs, and COR_NONFINITE when chk = sum of (o - o), which is 0 or NaN, is NaN, which
     * happens exactly when some o is not finite (-fno-fast-math: GCC keeps o - o) */
    gcc_jit_lvalue *chk = gcc_jit_function_new_local(G.fn, NULL, G.td, "chk");
    for (size_t i = 0; i < t->nout; i++)
    {
        gcc_jit_rvalue *idx = gcc_jit_context_new_rvalue_from_long(G.cx, G.tl, (long)i);
        gcc_jit_rvalue *o = reg(&G, t->out_reg[i]);
        gcc_jit_block_add_assignment(G.blk, NULL,
                                     gcc_jit_context_new_array_access(G.cx, NULL, out, idx), o);
        if (i == 0)
            gcc_jit_block_add_assignment(G.blk, NULL, chk, bin(&G, GCC_JIT_BINARY_OP_MINUS, o, o));
        else
            gcc_jit_block_add_assignment_op(G.blk, NULL, chk, GCC_JIT_BINARY_OP_PLUS,
                                            bin(&G, GCC_JIT_BINARY_OP_MINUS, o, o));
    }
    if (t->nout == 0)
        gcc_jit_block_add_assignment(G.blk, NULL, chk, num(&G, 0.0));
    gcc_jit_block *bad = gcc_jit_function_new_block(G.fn, "bad");
    gcc_jit_block *ok = gcc_jit_function_new_block(G.fn, "ok");
    /* chk is 0 or NaN: chk != chk is one unordered comparison */
    gcc_jit_block_end_with_conditional(
        G.blk, NULL,
        gcc_jit_context_new_comparison(G.cx, NULL, GCC_JIT_COMPARISON_NE,
                                       gcc_jit_lvalue_as_rvalue(chk),
                                       gcc_jit_lvalue_as_rvalue(chk)),
        bad, ok);
    gcc_jit_block_end_with_return(bad, NULL,
                                  gcc_jit_context_new_rvalue_from_int(G.cx, G.ti, COR_NONFINITE));
    gcc_jit_block_end_with_return(ok, NULL, gcc_jit_context_new_rvalue_from_int(G.cx, G.ti, COR_OK));

    gcc_jit_result *res = gcc_jit_context_compile(G.cx);
    if (!res)
        goto done;
    void *code = gcc_jit_result_get_code(res, "cor_jit_fn");
    j = code ? cor_calloc(1, sizeof *j) : NULL;
    if (!j)
    {
        gcc_jit_result_release(res);
        goto done;
    }
    j->res = res;
    if (pure)
        memcpy(&j->pfn, &code, sizeof code);
    else
        memcpy(&j->fn, &code, sizeof code);
done:
    if (G.cx)
        gcc_jit_context_release(G.cx);
    cor_free(G.loc);
    cor_free(G.touched);
    cor_free(isconst);
    cor_free(lastuse);
    cor_free(chunk_of);
    return j;
}

cor_jit_fn_d
cor_jit_d_fn(const cor_jit *j)
{
    return j->fn;
}

cor_eval_d_fn
cor_jit_d_pure_fn(const cor_jit *j)
{
    return j->pfn;
}

void
cor_jit_free(cor_jit *j)
{
    if (!j)
        return;
    gcc_jit_result_release(j->res);
    cor_free(j);
}

int
cor_jit_available(void)
{
    return 1;
}

#else /* !HAVE_LIBGCCJIT */

cor_jit *
cor_jit_d_compile(const cor_tape *t, const double *regs, const double *lcv, const double *tf,
                  int pure)
{
    (void)t;
    (void)regs;
    (void)lcv;
    (void)tf;
    (void)pure;
    return NULL;
}

cor_jit_fn_d
cor_jit_d_fn(const cor_jit *j)
{
    (void)j;
    return NULL;
}

cor_eval_d_fn
cor_jit_d_pure_fn(const cor_jit *j)
{
    (void)j;
    return NULL;
}

void
cor_jit_free(cor_jit *j)
{
    (void)j;
}

int
cor_jit_available(void)
{
    return 0;
}

#endif
