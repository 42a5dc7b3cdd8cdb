/* run_cases_cmp.c -- compares one number printed by `corridor run` with a reference value, in
 * MPFR, for tests/test_run_cases.sh.
 *
 * Usage: run_cases_cmp MODE ARG PREC VALUE REF
 *   MODE digits: ARG = D; holds when VALUE agrees with REF to at least D significant digits,
 *                -log10(|VALUE - REF| / |REF|) >= D (absolute error when REF = 0);
 *   MODE prec:   ARG = S (slack bits); holds when |VALUE - REF| <= 2^(S - PREC) max(1, |REF|),
 *                i.e. agreement to the working precision PREC of the run;
 *   MODE abs:    ARG = E (a decimal); holds when |VALUE - REF| <= E.
 * Both numbers are read from their decimal text at 4 bits per character plus 2 PREC + 64 bits,
 * so the reading itself adds no error that matters. Prints one line with the measured agreement
 * (digits and log2 of the scaled error) and exits 0 when the criterion holds, 1 when it fails, 2
 * on bad usage or a number that does not parse.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

static int
read_num(mpfr_t x, const char *s)
{
    char *end;

    if (strcmp(s, "nan") == 0 || *s == '\0')
        return -1;
    if (mpfr_strtofr(x, s, &end, 10, MPFR_RNDN), *end != '\0')
        return -1;
    return 0;
}

int
main(int argc, char **argv)
{
    mpfr_t v, r, d, s, bound;
    mpfr_prec_t wp;
    long prec;
    double digits, l2;
    int holds = 0;
    int rc = 2;

    if (argc != 6)
    {
        fprintf(stderr, "usage: run_cases_cmp digits|prec|abs ARG PREC VALUE REF\n");
        return 2;
    }
    prec = strtol(argv[3], NULL, 10);
    if (prec < 2 || prec > 100000)
    {
        fprintf(stderr, "run_cases_cmp: bad precision '%s'\n", argv[3]);
        return 2;
    }
    wp = (mpfr_prec_t)(4 * (strlen(argv[4]) + strlen(argv[5])) + 2 * (size_t)prec + 64);
    mpfr_inits2(wp, v, r, d, s, bound, (mpfr_ptr)0);
    if (read_num(v, argv[4]) != 0 || read_num(r, argv[5]) != 0)
    {
        fprintf(stderr, "run_cases_cmp: not a finite number: '%s' or '%s'\n", argv[4], argv[5]);
        goto done;
    }
    mpfr_sub(d, v, r, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    /* digits of agreement (relative; absolute when the reference is 0) */
    if (mpfr_zero_p(d))
        digits = INFINITY;
    else
    {
        mpfr_set(s, d, MPFR_RNDN);
        if (!mpfr_zero_p(r))
            mpfr_div(s, s, r, MPFR_RNDN);
        mpfr_abs(s, s, MPFR_RNDN);
        mpfr_log10(s, s, MPFR_RNDN);
        digits = -mpfr_get_d(s, MPFR_RNDN);
    }
    /* log2 of the error relative to max(1, |REF|) */
    mpfr_abs(s, r, MPFR_RNDN);
    if (mpfr_cmp_ui(s, 1) < 0)
        mpfr_set_ui(s, 1, MPFR_RNDN);
    if (mpfr_zero_p(d))
        l2 = -INFINITY;
    else
    {
        mpfr_div(s, d, s, MPFR_RNDN);
        mpfr_log2(s, s, MPFR_RNDN);
        l2 = mpfr_get_d(s, MPFR_RNDN);
    }

    if (strcmp(argv[1], "digits") == 0)
    {
        double want = strtod(argv[2], NULL);

        holds = digits >= want;
        printf("agree %.1f digits (need %g); scaled error 2^%.1f\n", digits, want, l2);
    }
    else if (strcmp(argv[1], "prec") == 0)
    {
        long slack = strtol(argv[2], NULL, 10);

        holds = l2 <= (double)(slack - prec);
        printf("scaled error 2^%.1f (need <= 2^%ld); agree %.1f digits\n", l2, slack - prec,
               digits);
    }
    else if (strcmp(argv[1], "abs") == 0)
    {
        if (read_num(bound, argv[2]) != 0)
        {
            fprintf(stderr, "run_cases_cmp: bad bound '%s'\n", argv[2]);
            goto done;
        }
        holds = mpfr_cmp(d, bound) <= 0;
        mpfr_printf("|error| %.3Rg (need <= %s)\n", d, argv[2]);
    }
    else
    {
        fprintf(stderr, "run_cases_cmp: unknown mode '%s'\n", argv[1]);
        goto done;
    }
    rc = holds ? 0 : 1;

done:
    mpfr_clears(v, r, d, s, bound, (mpfr_ptr)0);
    mpfr_free_cache();
    return rc;
}
