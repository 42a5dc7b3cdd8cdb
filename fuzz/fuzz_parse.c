/* fuzz_parse.c -- libFuzzer target for cor_expr_parse and everything downstream of it.
 *
 * The input bytes are the text of an expression (cut at the first NUL). It is parsed
 *  1. in a fresh pool without flags (unknown identifiers become variables), and
 *  2. in a fresh pool holding the variables x, y, z with COR_PARSE_KNOWN_VARS.
 * On failure the status must be COR_EPARSE or COR_ENOMEM, the error column must lie in
 * 1..len+1, the last-error record must carry the same code and its message must start with
 * "column C:" for that column, and *out must be unchanged. On success the result is printed,
 * the text re-parsed (it must give the identical node, by hash-consing), then the gradient,
 * the HVP along (1, ..., 1), H grad L and the Hessian (for at most 4 variables) are built,
 * one tape is compiled from all of them and run in double and in MPFR at 64 bits at a fixed
 * point; the runs must return COR_OK or COR_NONFINITE. Any violation calls abort(), which
 * libFuzzer reports as a crash with the input; sanitizers report memory errors and leaks.
 *
 * Expressions with more than FUZZ_MAX_VARS variables or a DAG larger than FUZZ_MAX_NODES
 * are only parsed and printed (derivatives of huge inputs would measure the fuzzer's
 * patience, not the library).
 *
 * Known-issue switches (environment), so that a long run can get past a reported bug:
 * FUZZ_ALLOW_ROUNDTRIP_MISMATCH=1 accepts a printed text that parses to a different node
 * (it must still parse).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_diff.h"
#include "cor_err.h"
#include "cor_eval.h"
#include "cor_expr.h"
#include "cor_sys.h"

#define FUZZ_MAX_LEN 4096
#define FUZZ_MAX_VARS 8
#define FUZZ_MAX_NODES 4000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fail(const char *what, const char *text) __attribute__((noreturn));

static int
allow_mismatch(void)
{
    static int v = -1;

    if (v < 0)
    {
        const char *e = getenv("FUZZ_ALLOW_ROUNDTRIP_MISMATCH");
        v = e != NULL && e[0] == '1';
    }
    return v;
}

/* Prints n, parses the text back (the variables exist); returns 1 if the node is the same,
 * 0 if it is a different node (lenient mode only); any other outcome aborts. */
static int
roundtrip(cor_expr_pool *pool, cor_node n, const char *what, const char *text)
{
    char *s = cor_expr_to_string(pool, n);
    cor_node back = COR_NODE_NONE;

    if (s == NULL)
    {
        if (cor_last_error()->code == COR_ENOMEM)
            return 1;
        fail("cor_expr_to_string returned NULL", text);
    }
    if (cor_expr_parse(&back, NULL, s, COR_PARSE_KNOWN_VARS, pool) != COR_OK)
    {
        fprintf(stderr, "%s printed as \"%s\"\n", what, s);
        fail("the printed text does not parse", text);
    }
    if (back == n)
    {
        cor_free(s);
        return 1;
    }
    if (!allow_mismatch())
    {
        fprintf(stderr, "%s printed as \"%s\"\n", what, s);
        fail("print/parse gives another node", text);
    }
    cor_free(s);
    return 0;
}

static void
fail(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_parse: %s\n  input: \"%s\"\n  last error: %s (%s)\n", what, text,
            cor_last_error()->msg, cor_status_name(cor_last_error()->code));
    abort();
}

static void
check_failure(int rc, size_t col, cor_node out, const char *text)
{
    const cor_error_record *e = cor_last_error();
    size_t len = strlen(text);
    char prefix[64];

    if (rc != COR_EPARSE && rc != COR_ENOMEM)
        fail("cor_expr_parse returned a status other than OK, EPARSE, ENOMEM", text);
    if (out != (cor_node)12345)
        fail("cor_expr_parse changed *out on error", text);
    if (rc == COR_ENOMEM)
        return;
    if (col < 1 || col > len + 1)
        fail("error column outside 1..len+1", text);
    if (e->code != rc)
        fail("last error code differs from the returned status", text);
    snprintf(prefix, sizeof prefix, "column %zu:", col);
    if (strncmp(e->msg, prefix, strlen(prefix)) != 0)
        fail("error message does not start with \"column C:\"", text);
}

/* Derivatives, one tape, two runs. */
static void
exercise(cor_expr_pool *pool, cor_node f, const char *text)
{
    size_t n = cor_expr_nvars(pool), nout, k, i;
    cor_node vars[FUZZ_MAX_VARS], one[FUZZ_MAX_VARS];
    cor_node outs[1 + 3 * FUZZ_MAX_VARS + 4 * 4];
    double xin[FUZZ_MAX_VARS], dout[1 + 3 * FUZZ_MAX_VARS + 4 * 4];
    mpfr_t min[FUZZ_MAX_VARS], mout[1 + 3 * FUZZ_MAX_VARS + 4 * 4];
    cor_tape *tape = NULL;
    cor_eval_d *wd = NULL;
    cor_eval_mpfr *wm = NULL;
    int rc;

    if (n > FUZZ_MAX_VARS || cor_expr_dag_size(pool, 1, &f) > FUZZ_MAX_NODES)
        return;
    for (i = 0; i < n; i++)
    {
        vars[i] = cor_expr_var_node(pool, i);
        one[i] = cor_expr_const_si(pool, 1);
    }
    outs[0] = f;
    nout = 1;
    if (n > 0)
    {
        rc = cor_diff_grad(outs + 1, pool, f, n, vars);
        if (rc == COR_ENOMEM)
            return;
        if (rc != COR_OK)
            fail("cor_diff_grad failed", text);
        rc = cor_diff_hvp(outs + 1 + n, pool, f, outs + 1, n, vars, one);
        if (rc == COR_ENOMEM)
            return;
        if (rc != COR_OK)
            fail("cor_diff_hvp failed", text);
        rc = cor_diff_hg(outs + 1 + 2 * n, pool, f, outs + 1, n, vars);
        if (rc == COR_ENOMEM)
            return;
        if (rc != COR_OK)
            fail("cor_diff_hg failed", text);
        nout = 1 + 3 * n;
        if (n <= 4)
        {
            rc = cor_diff_hessian(outs + nout, pool, f, outs + 1, n, vars);
            if (rc == COR_ENOMEM)
                return;
            if (rc != COR_OK)
                fail("cor_diff_hessian failed", text);
            nout += n * n;
        }
        /* the derivatives print and read back too */
        for (k = 1; k < nout; k++)
            (void)roundtrip(pool, outs[k], "a derivative", text);
    }

    tape = cor_tape_alloc(pool, n, vars, nout, outs);
    if (tape == NULL)
    {
        if (cor_last_error()->code == COR_ENOMEM)
            return;
        fail("cor_tape_alloc failed", text);
    }
    wd = cor_eval_d_alloc(tape);
    wm = cor_eval_mpfr_alloc(tape, 64);
    if (wd == NULL || wm == NULL)
        fail("workspace alloc failed", text);
    for (i = 0; i < n; i++)
    {
        xin[i] = 0.5 + 0.25 * (double)i;
        mpfr_init2(min[i], 64);
        mpfr_set_d(min[i], xin[i], MPFR_RNDN);
    }
    for (k = 0; k < nout; k++)
        mpfr_init2(mout[k], 64);
    rc = cor_eval_d_run(wd, dout, xin);
    if (rc != COR_OK && rc != COR_NONFINITE)
        fail("cor_eval_d_run failed", text);
    if (rc == COR_OK && cor_eval_d_scale(wd, dout) != COR_OK)
        fail("cor_eval_d_scale failed", text);
    rc = cor_eval_mpfr_run(wm, mout, (const mpfr_t *)min);
    if (rc != COR_OK && rc != COR_NONFINITE)
        fail("cor_eval_mpfr_run failed", text);
    if (rc == COR_OK && cor_eval_mpfr_scale(wm, mout) != COR_OK)
        fail("cor_eval_mpfr_scale failed", text);
    for (i = 0; i < n; i++)
        mpfr_clear(min[i]);
    for (k = 0; k < nout; k++)
        mpfr_clear(mout[k]);
    cor_eval_mpfr_free(wm);
    cor_eval_d_free(wd);
    cor_tape_free(tape);
}

static void
one_parse(const char *text, unsigned flags)
{
    cor_expr_pool *pool = cor_expr_pool_alloc();
    cor_node f = (cor_node)12345;
    size_t col = 0;
    int rc;

    if (pool == NULL)
        return;
    if (flags & COR_PARSE_KNOWN_VARS)
    {
        if (cor_expr_var(pool, "x") == COR_NODE_NONE || cor_expr_var(pool, "y") == COR_NODE_NONE
            || cor_expr_var(pool, "z") == COR_NODE_NONE)
            fail("cor_expr_var failed", text);
    }
    cor_error_clear();
    rc = cor_expr_parse(&f, &col, text, flags, pool);
    if (rc != COR_OK)
    {
        check_failure(rc, col, f, text);
        cor_expr_pool_free(pool);
        return;
    }
    if (f == COR_NODE_NONE)
        fail("cor_expr_parse returned OK and COR_NODE_NONE", text);
    (void)roundtrip(pool, f, "the expression", text);
    exercise(pool, f, text);
    cor_expr_pool_free(pool);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;

    if (size > FUZZ_MAX_LEN)
        return 0;
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    one_parse(text, 0);
    one_parse(text, COR_PARSE_KNOWN_VARS);
    free(text);
    mpfr_free_cache();
    return 0;
}
