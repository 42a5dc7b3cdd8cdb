/* spectral_util.h -- helpers shared by exp_largestep, exp_natgrad and exp_corridorness: a
 * results table (lib/table, TSV) written atomically to DIR/NAME.tsv with the standard
 * preamble, followed by `# summary<TAB>claim<TAB>prediction<TAB>measured<TAB>verdict` lines
 * (experiments/summary.sh collects them), and verdict bookkeeping. */
#ifndef COR_SPECTRAL_UTIL_H
#define COR_SPECTRAL_UTIL_H

#include <stdint.h>
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

/* ---- errors and options of the three programs ------------------------------------------ */

/* Prints "program: file:line: what failed: <the library's last error message>" on stderr and
 * exits 1 (a library call that cannot fail in these experiments did). */
void xt_fail(const char *program, const char *file, int line, const char *what)
    __attribute__((noreturn));
/* Prints "program: file:line: <status text>" on stderr and exits 1 when st is an error
 * status; returns otherwise (COR_OK and the library's outcomes, e.g. divergence). */
void xt_try(const char *program, const char *file, int line, int st);

/* CHK(x): x must hold; T_(e): e must return COR_OK; TRY(e): e must not return an error
 * status. Each exits 1 with a line naming the call otherwise. PROG is the program's name
 * (a string macro of the file that uses them). */
#define CHK(x)                                                                              \
    do                                                                                      \
    {                                                                                       \
        if (!(x))                                                                           \
            xt_fail(PROG, __FILE__, __LINE__, #x);                                          \
    } while (0)
#define T_(e) CHK((e) == COR_OK)
#define TRY(e) xt_try(PROG, __FILE__, __LINE__, (e))

/* The end of a getopt_long switch (optstring starting with ':', opterr = 0): the message for
 * c == ':' ("option '...' needs a value") or an unknown option, on stderr after "program: ".
 * Returns 2, the exit status of bad usage. */
int xt_bad_option(const char *program, int c, char **argv);
/* After the options: 0 when no operand is left, else 2 after "unexpected argument". */
int xt_no_operands(const char *program, int argc, char **argv);
/* --only PART: 0 when part is one of parts[0..n), else 2 after "unknown part". */
int xt_check_part(const char *program, const char *part, const char *const *parts, size_t n);
/* The exit status after the tables: 0, or 1 after "program: N verdict(s) fail". */
int xt_exit_status(const char *program, int fails);

/* splitmix64 (Steele, Lea & Flood 2014): the next output of the generator with state *s. */
uint64_t xt_splitmix64(uint64_t *s);

#endif
