/* spectral_util.h -- helpers shared by exp_largestep, exp_natgrad and exp_corridorness: a
 * results table (lib/table, TSV) written atomically to DIR/NAME.tsv with the standard
 * preamble, followed by `# summary<TAB>claim<TAB>prediction<TAB>measured<TAB>verdict` lines
 * (experiments/summary.sh collects them), and verdict bookkeeping. */
#ifndef COR_SPECTRAL_UTIL_H
#define COR_SPECTRAL_UTIL_H

#include <stdio.h>

#include <mpfr.h>

#include "cor_table.h"

typedef struct
{
    cor_table *t;
    FILE *f;
    char path[4096];
    char tmp[4200];
    char *summ;      /* summary lines, appended after the table */
    size_t summ_len;
} xt;

/* Opens DIR/NAME.tsv (through NAME.tsv.tmp), writes program, version, command, date and the
 * keys experiment, table, paper, what. Returns 0 or 1 (message on stderr). */
int xt_open(xt *x, const char *dir, const char *program, const char *name, const char *paper,
            const char *what, int argc, char **argv);
/* Records a summary line; verdict is "holds" when ok, else "fails". Also echoes it to
 * stdout as "program: claim: measured (verdict)". Returns ok. */
int xt_summary(xt *x, const char *program, const char *claim, const char *prediction,
               const char *measured, int ok);
/* Closes the table, appends the summary lines, renames. Returns 0 or 1. */
int xt_close(xt *x);
/* Abandons the table (removes the temporary file). */
void xt_abort(xt *x);

/* Writes v to buf with `digits` significant digits (%.*Rg). */
const char *xt_fmt(char *buf, size_t len, mpfr_srcptr v, int digits);

/* -log10(|a - b| / |b|) (-log10 |a| when b = 0) clamped to [0, 999], as a double (decimal
 * digits of agreement). */
double xt_digits(mpfr_srcptr a, mpfr_srcptr b);

#endif
