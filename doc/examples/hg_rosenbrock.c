/* hg_rosenbrock.c -- worked example: H grad L of PREDICTIONS.md case (ii) at 256 bits.
 *
 * L = 0.5(1-x)^2 + 5(y-x^2)^2 at (-1.2, 1): H grad L = (-120703/125, -8756/25) exactly.
 * Builds the loss, its gradient and H grad L as expressions, compiles one tape, evaluates it
 * in MPFR, and checks the result against the exact rationals. Exits 0 when they agree to
 * 250 bits. */
#include <stdio.h>

#include "corridor.h"

int
main(void)
{
    int status = 1;
    cor_expr_pool *P = cor_expr_pool_alloc();
    cor_node v[2] = {cor_expr_var(P, "x"), cor_expr_var(P, "y")}, f, g[2], hg[2];

    cor_set_error_handler(cor_error_print_handler);
    if (cor_expr_parse(&f, NULL, "0.5*(1-x)^2 + 5*(y-x^2)^2", COR_PARSE_KNOWN_VARS, P)
        || cor_diff_grad(g, P, f, 2, v) || cor_diff_hg(hg, P, f, g, 2, v))
        goto done;

    cor_node out[3] = {f, hg[0], hg[1]};
    cor_tape *t = cor_tape_alloc(P, 2, v, 3, out);
    cor_eval_mpfr *w = cor_eval_mpfr_alloc(t, 256);
    mpfr_t val[3], exact;
    for (int i = 0; i < 3; i++)
        mpfr_init2(val[i], 256);
    mpfr_init2(exact, 256);
    const char *at[2] = {"-1.2", "1"};
    if (cor_eval_mpfr_run_str(w, val, at) == COR_OK)
    {
        mpfr_printf("L       = %.40Rg\nHg      = (%.40Rg, %.40Rg)\n", val[0], val[1], val[2]);
        mpfr_set_si(exact, -120703, MPFR_RNDN);
        mpfr_div_ui(exact, exact, 125, MPFR_RNDN);
        mpfr_sub(val[1], val[1], exact, MPFR_RNDN);
        mpfr_set_si(exact, -8756, MPFR_RNDN);
        mpfr_div_ui(exact, exact, 25, MPFR_RNDN);
        mpfr_sub(val[2], val[2], exact, MPFR_RNDN);
        mpfr_printf("error   = (%.3Rg, %.3Rg)\n", val[1], val[2]);
        status = !(mpfr_zero_p(val[1]) || mpfr_get_exp(val[1]) < -240)
                 || !(mpfr_zero_p(val[2]) || mpfr_get_exp(val[2]) < -240);
    }
    for (int i = 0; i < 3; i++)
        mpfr_clear(val[i]);
    mpfr_clear(exact);
    cor_eval_mpfr_free(w);
    cor_tape_free(t);
done:
    cor_expr_pool_free(P);
    return status;
}
