/* check_expr.c -- expression pools: parsing, exact constants, hash-consing, printing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "cor_eval.h"
#include "cor_expr.h"
#include "testlib.h"
#include "cor_sys.h"

static cor_expr_pool *P;

static void
setup(void)
{
    P = cor_expr_pool_alloc();
    ck_assert_ptr_nonnull(P);
}

static void
teardown(void)
{
    cor_expr_pool_free(P);
}

static cor_node
parse(const char *s)
{
    cor_node n = COR_NODE_NONE;
    size_t col = 0;
    int st = cor_expr_parse(&n, &col, s, 0, P);
    ck_assert_msg(st == COR_OK, "parse '%s': %s", s, cor_last_error()->msg);
    return n;
}

/* value of a parsed constant expression in variables x, y at (x, y), in double */
static double
eval2(const char *s, double x, double y)
{
    cor_node vx = cor_expr_var(P, "x"), vy = cor_expr_var(P, "y");
    cor_node in[2] = {vx, vy}, f = parse(s);
    cor_tape *t = cor_tape_alloc(P, 2, in, 1, &f);
    ck_assert_ptr_nonnull(t);
    cor_eval_d *w = cor_eval_d_alloc(t);
    double v, xy[2] = {x, y};
    cor_eval_d_run(w, &v, xy);
    cor_eval_d_free(w);
    cor_tape_free(t);
    return v;
}

static int
const_equals(cor_node n, long num, long den)
{
    mpq_t q, r;
    if (!cor_expr_is_const(P, n))
        return 0;
    mpq_inits(q, r, NULL);
    cor_expr_const_get(q, P, n);
    mpq_set_si(r, num, (unsigned long)den);
    mpq_canonicalize(r);
    int eq = mpq_equal(q, r);
    mpq_clears(q, r, NULL);
    return eq;
}

START_TEST(test_precedence)
{
    ck_assert_double_eq_tol(eval2("-x^2", 3, 0), -9, 1e-15);
    ck_assert_double_eq_tol(eval2("2^3^2", 0, 0), 512, 1e-12);
    ck_assert_double_eq_tol(eval2("x-y-1", 5, 2), 2, 1e-15);
    ck_assert_double_eq_tol(eval2("x/y/2", 8, 2), 2, 1e-15);
    ck_assert_double_eq_tol(eval2("x**2 * y", 3, 2), 18, 1e-15);
    ck_assert_double_eq_tol(eval2("2*-x", 3, 0), -6, 1e-15);
    ck_assert_double_eq_tol(eval2("x^-1", 4, 0), 0.25, 1e-15);
    ck_assert_double_eq_tol(eval2(" ( x + y ) * ( x - y ) ", 3, 2), 5, 1e-15);
    ck_assert_double_eq_tol(eval2("+x - -y", 3, 2), 5, 1e-15);
    ck_assert_double_eq_tol(eval2("e", 0, 0), 2.718281828459045, 1e-15);
    ck_assert_double_eq_tol(eval2("pi/4", 0, 0), 0.7853981633974483, 1e-15);
    ck_assert_double_eq_tol(eval2("min(x,y) + max(x,y) + select(x-y, 10, 20)", 3, 2), 15,
                            1e-15);
    ck_assert_double_eq_tol(eval2("pow(x, 0.5) + sigmoid(0) + softplus(0)", 4, 0),
                            2.5 + 0.6931471805599453, 1e-15);
}
END_TEST

START_TEST(test_exact_constants)
{
    ck_assert(const_equals(parse("0.1"), 1, 10));
    ck_assert(const_equals(parse("1.25e-3"), 1, 800));
    ck_assert(const_equals(parse("1/3"), 1, 3));
    ck_assert(const_equals(parse("2^10"), 1024, 1));
    ck_assert(const_equals(parse("2^-2"), 1, 4));
    ck_assert(const_equals(parse("(1/3 + 1/6)*4"), 2, 1));
    ck_assert(const_equals(parse("sqrt(9/4)"), 3, 2));
    ck_assert(const_equals(parse("abs(-3/7)"), 3, 7));
    ck_assert(const_equals(parse("1E+2"), 100, 1));
    ck_assert(const_equals(parse(".5"), 1, 2));
    ck_assert(const_equals(parse("x - x"), 0, 1));
    ck_assert(const_equals(parse("0*exp(x)"), 0, 1));

    /* 0.1 at 1024 bits is 0.1 correctly rounded, not the double 0.1 */
    cor_node f = parse("0.1");
    cor_tape *t = cor_tape_alloc(P, 0, NULL, 1, &f);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, 1024);
    mpfr_t v, ref;
    mpfr_inits2(1024, v, ref, (mpfr_ptr)0);
    cor_eval_mpfr_run(w, &v, NULL);
    mpfr_set_str(ref, "0.1", 10, MPFR_RNDN);
    ck_assert(mpfr_equal_p(v, ref));
    mpfr_set_d(ref, 0.1, MPFR_RNDN);
    ck_assert(!mpfr_equal_p(v, ref));
    mpfr_clears(v, ref, (mpfr_ptr)0);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
}
END_TEST

START_TEST(test_hash_consing)
{
    cor_node a = parse("x*y + sin(x*y)");
    cor_node b = parse("sin(y*x) + y*x");
    ck_assert_uint_eq(a, b);
    ck_assert_uint_eq(parse("x+y"), parse("y+x"));
    ck_assert_uint_eq(parse("2*x + 3*x"), parse("5*x"));
    ck_assert_uint_eq(parse("x*x"), parse("x^2"));
    ck_assert_uint_eq(parse("x^2*x^3"), parse("x^5"));
    ck_assert_uint_eq(parse("(x^2)^3"), parse("x^6"));
    ck_assert_uint_eq(parse("sqrt(x^2)"), parse("abs(x)"));
    ck_assert_uint_eq(parse("x^(1/2)"), parse("sqrt(x)"));
    ck_assert_uint_eq(parse("e^x"), parse("exp(x)"));
    ck_assert_uint_eq(parse("-(-x)"), parse("x"));
    /* x*y is stored once and shared by both uses */
    cor_node xy = parse("x*y");
    ck_assert_uint_eq(cor_expr_dag_size(P, 1, &a), 5); /* x, y, x*y, sin, sum */
    ck_assert(cor_expr_depends_on(P, a, cor_expr_var(P, "x")));
    ck_assert_uint_eq(cor_expr_child(P, cor_expr_child(P, a, 1), 0), xy);
}
END_TEST

START_TEST(test_round_trip)
{
    static const char *cases[] = {
        "x", "-x", "x - y", "-x^2 + y", "(x + y)^2", "x^-3", "x^(1/3)", "2^x", "(-2)^x",
        "(1/2)*x*y", "x/(y*x + 1)", "x/y/(x + y)", "exp(-x)*log1p(y^2)", "x^y^2",
        "min(x, y) - max(x^2, 3)", "select(x, y, -y)", "-(3/4)*x + 7", "sigmoid(-x)/3",
        "softplus(x) - tanh(y) + tan(x) + cos(y) + sin(x) + expm1(x) + sign(y)", "pi*x - e",
        "1/(1 + exp(-x))", "-(x*y)", "x - (y - x^2)/(1 - y)", "abs(x - 1) + 2^-1*y",
        "0.5*(1-x)^2 + 5*(y-x^2)^2", "sqrt(x^2 + y^2)", "-1", "(-1/3)", "1e-5*x"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        cor_node a = parse(cases[i]);
        char *s = cor_expr_to_string(P, a);
        ck_assert_ptr_nonnull(s);
        cor_node b = parse(s);
        ck_assert_msg(a == b, "'%s' printed as '%s' reads back differently", cases[i], s);
        cor_free(s);
    }
}
END_TEST

START_TEST(test_errors)
{
    static const struct
    {
        const char *text;
        size_t col;
        const char *fragment;
    } cases[] = {
        {"(x+", 4, "end of input"},
        {"x+*y", 3, "unexpected '*'"},
        {"foo(x)", 1, "unknown function 'foo'"},
        {"exp x", 1, "needs '('"},
        {"min(x)", 6, "takes 2 arguments"},
        {"max(x,y,z)", 9, "got more"},
        {")", 1, "unexpected ')'"},
        {"1/0", 2, "division by the constant zero"},
        {"", 1, "empty expression"},
        {"   ", 4, "empty expression"},
        {"x $ y", 3, "unexpected '$'"},
        {"1e999999", 1, "invalid number"},
        {"x y", 3, "after the end"},
        {"sin()", 5, "got none"},
        {"(x", 1, "never closed"},
        {"x^", 3, "end of input"},
        {"0^-1", 2, "negative power"},
        {"2.3.4", 4, "unexpected '.'"},
        {".", 1, "not a number"},
        {"x,y", 2, "unexpected ','"},
        {"\xff", 1, "byte 0xff"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        cor_node n = 12345;
        size_t col = 0;
        int st = cor_expr_parse(&n, &col, cases[i].text, 0, P);
        ck_assert_msg(st == COR_EPARSE, "'%s' gave status %d", cases[i].text, st);
        ck_assert_uint_eq(n, 12345);
        ck_assert_msg(col == cases[i].col, "'%s': column %zu, expected %zu (%s)",
                      cases[i].text, col, cases[i].col, cor_last_error()->msg);
        ck_assert_msg(strstr(cor_last_error()->msg, cases[i].fragment),
                      "'%s': message '%s' lacks '%s'", cases[i].text, cor_last_error()->msg,
                      cases[i].fragment);
    }
}
END_TEST

START_TEST(test_deep_nesting)
{
    size_t n = 5000;
    char *s = malloc(2 * n + 2);
    memset(s, '(', n);
    s[n] = 'x';
    memset(s + n + 1, ')', n);
    s[2 * n + 1] = 0;
    cor_node r;
    size_t col;
    ck_assert_int_eq(cor_expr_parse(&r, &col, s, 0, P), COR_EPARSE);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "nested too deeply"));
    memset(s, '-', n); /* unary minus chains are bounded too */
    ck_assert_int_eq(cor_expr_parse(&r, &col, s, 0, P), COR_EPARSE);
    free(s);
    ck_assert_int_eq(cor_expr_parse(&r, &col, "((((((((((x))))))))))", 0, P), COR_OK);
}
END_TEST

START_TEST(test_variables)
{
    cor_node x = cor_expr_var(P, "x");
    ck_assert_uint_eq(cor_expr_var(P, "x"), x);
    ck_assert_uint_eq(cor_expr_nvars(P), 1);
    ck_assert_str_eq(cor_expr_var_name(P, 0), "x");
    ck_assert_uint_eq(cor_expr_var_node(P, 0), x);
    ck_assert_uint_eq(cor_expr_var_index(P, x), 0);
    ck_assert_uint_eq(cor_expr_var(P, "exp"), COR_NODE_NONE);
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_uint_eq(cor_expr_var(P, "2x"), COR_NODE_NONE);
    ck_assert_uint_eq(cor_expr_var(P, "pi"), COR_NODE_NONE);

    cor_node r;
    size_t col;
    ck_assert_int_eq(cor_expr_parse(&r, &col, "x + w1", COR_PARSE_KNOWN_VARS, P), COR_EPARSE);
    ck_assert_uint_eq(col, 5);
    ck_assert_ptr_nonnull(strstr(cor_last_error()->msg, "unknown variable 'w1'"));
    ck_assert_int_eq(cor_expr_parse(&r, &col, "x + w1", 0, P), COR_OK);
    ck_assert_uint_eq(cor_expr_nvars(P), 2);
}
END_TEST

START_TEST(test_none_propagates)
{
    cor_node x = cor_expr_var(P, "x");
    cor_error_clear();
    ck_assert_uint_eq(cor_expr_add(P, COR_NODE_NONE, x), COR_NODE_NONE);
    ck_assert_uint_eq(cor_expr_mul(P, x, COR_NODE_NONE), COR_NODE_NONE);
    ck_assert_uint_eq(cor_expr_unary(P, COR_OP_EXP, COR_NODE_NONE), COR_NODE_NONE);
    ck_assert_uint_eq(cor_expr_powi(P, COR_NODE_NONE, 3), COR_NODE_NONE);
    ck_assert_int_eq(cor_last_error()->code, COR_OK);
    ck_assert_uint_eq(cor_expr_unary(P, COR_OP_MUL, x), COR_NODE_NONE);
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_uint_eq(cor_expr_const_frac(P, 1, 0), COR_NODE_NONE);
    ck_assert_uint_eq(cor_expr_const_str(P, "1.2.3"), COR_NODE_NONE);
    ck_assert_int_eq(cor_last_error()->code, COR_EPARSE);
}
END_TEST

START_TEST(test_introspection)
{
    cor_node f = parse("3*x - 2*y + 5");
    ck_assert_int_eq(cor_expr_op(P, f), COR_OP_SUM);
    ck_assert_uint_eq(cor_expr_nchildren(P, f), 2);
    mpq_t q;
    mpq_init(q);
    cor_expr_sum_c0(q, P, f);
    ck_assert_int_eq(mpq_cmp_si(q, 5, 1), 0);
    cor_expr_sum_coef(q, P, f, 0);
    ck_assert_int_eq(mpq_cmp_si(q, 3, 1), 0);
    mpq_clear(q);
    cor_node g = parse("x^7");
    ck_assert_int_eq(cor_expr_op(P, g), COR_OP_POWI);
    ck_assert_int_eq(cor_expr_powi_exponent(P, g), 7);
    ck_assert_str_eq(cor_op_name(COR_OP_SIGMOID), "sigmoid");
}
END_TEST

int
main(void)
{
    const cor_test_case tests[] = {
        {"precedence", test_precedence},   {"exact_constants", test_exact_constants},
        {"hash_consing", test_hash_consing}, {"round_trip", test_round_trip},
        {"errors", test_errors},           {"deep_nesting", test_deep_nesting},
        {"variables", test_variables},     {"none_propagates", test_none_propagates},
        {"introspection", test_introspection},
    };
    return cor_test_run_cases("expr", tests, sizeof tests / sizeof tests[0], setup, teardown);
}
