/* pclib.h -- shared helpers of the theorem checks (proofs-checks/pc_*.c).
 *
 * A theorem check is a small program that states one claim of the paper, evaluates a grid of
 * cases, writes one TSV row per case and exits with the automake test status. This module
 * does the parts every check shares:
 *
 *  - options: --quick (default), --full (also when the environment has COR_PC_FULL=1, as
 *    `make check` does under --enable-long-tests), -o FILE, --prec BITS, --seed N,
 *    -v/--verbose, --help;
 *  - the table: a `# key=value` preamble (program, claim, source, label, tolerance, mode,
 *    precision, seed, version, build, UTC date, command line, plus the check's own keys),
 *    one header row `case prediction measured margin verdict`, one row per case, and a final
 *    line `# summary<TAB>claim<TAB>prediction<TAB>measured<TAB>verdict` that
 *    experiments/summary.sh collects from the results/ tables;
 *  - atomic output: with -o FILE the table is written to FILE.tmp and renamed to FILE only
 *    when the check has finished (a hard error removes the temporary file and leaves FILE
 *    untouched); without -o it goes to stdout;
 *  - exit statuses: COR_PC_HOLDS 0 (every case holds), COR_PC_FAILS 1 (some case fails),
 *    COR_PC_SKIP 77 (nothing to check in this mode), COR_PC_HARD 99 (the check itself could
 *    not run: bad usage, out of memory, a library error);
 *  - the stderr error handler: cor_pc_begin installs cor_error_print_handler, so every
 *    library error is printed as "PROGRAM: message" when it is raised;
 *  - a deterministic generator (splitmix64) for reproducible random test points, and exact
 *    dyadic decimals for them (k/2^e printed in full, so reading the text back at any
 *    precision >= 64 bits is exact).
 *
 * Conventions for a row: `prediction` is what the claim says (a value or a bound, as text),
 * `measured` what the check computed, `margin` how far inside the criterion the case is in
 * the unit the check documents (bits or decimal digits to spare; > 0 when it holds, `inf`
 * for an exact zero, `nan` when not applicable), `verdict` is `holds` or `fails`.
 *
 * Typical main:
 *
 *     cor_pc *pc; int rc;
 *     static const cor_pc_info info = { "Thm 2.11", "arXiv 2402.08818 Thm 2.11",
 *                                       "NUMERICAL", "|Hg|_i <= 2^(16-prec) scale_i",
 *                                       NULL, 256 };
 *     if (cor_pc_begin(&pc, &info, argc, argv, &rc) != COR_OK)
 *         return rc;
 *     ... cor_pc_meta(pc, "grid", "%d points", n); ...
 *     ... cor_pc_row(pc, "cone n=2", "0", "1.2e-70", "40.5", 1); ...
 *     return cor_pc_finish(pc, "Hg = 0 on corridors", "max 2^-240 scale");
 */
#ifndef COR_PCLIB_H
#define COR_PCLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mpfr.h>

#include "cor_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses (automake's parallel test harness). */
enum
{
    COR_PC_HOLDS = 0,
    COR_PC_FAILS = 1,
    COR_PC_SKIP = 77,
    COR_PC_HARD = 99
};

/* The static description of a check; every string must outlive the cor_pc. */
typedef struct
{
    const char *claim;        /* short claim id for the summary, e.g. "Thm 2.11" */
    const char *source;       /* paper reference, e.g. "Dherin & Rosca 2024, arXiv ..." */
    const char *label;        /* "RIGOROUS" or "NUMERICAL" */
    const char *tolerance;    /* the tolerance in words, e.g. "|Hg|_i <= 2^(16-prec) scale_i" */
    const char *help;         /* extra text for --help (what is checked), or NULL */
    mpfr_prec_t default_prec; /* precision when --prec is not given (0: 256) */
} cor_pc_info;

/* The state of one running check (options, output stream, counters). */
typedef struct cor_pc cor_pc;

/* Parses argv, installs the stderr error handler, opens the output and writes the standard
 * preamble. On COR_OK *pc is the new state and *exit_code is untouched. Otherwise *pc is
 * NULL and the caller returns *exit_code from main: 0 after --help, COR_PC_HARD after bad
 * usage (one line on stderr) or a failure to open the output. Allocates. */
int cor_pc_begin(cor_pc **pc, const cor_pc_info *info, int argc, char **argv,
                 int *exit_code) COR_WARN_UNUSED;

/* Accessors for the parsed options. */
int cor_pc_full(const cor_pc *pc);             /* nonzero in --full mode */
mpfr_prec_t cor_pc_prec(const cor_pc *pc);     /* --prec or the default */
uint64_t cor_pc_seed(const cor_pc *pc);        /* --seed or 20240213 */
int cor_pc_verbose(const cor_pc *pc);          /* -v given */
FILE *cor_pc_stream(cor_pc *pc);               /* the output (for extra comment lines) */

/* Adds the preamble line "# key=value" (value formatted as by printf). Intended before the
 * first row; later calls still write a comment line where they are. Tabs and newlines in
 * the value are replaced by spaces. */
void cor_pc_meta(cor_pc *pc, const char *key, const char *fmt, ...) COR_PRINTF(3, 4);

/* Writes one case row (the header row first, once). NULL fields print as "nan". holds is
 * nonzero when the case satisfies the claim; the counters for the verdict are updated. In
 * verbose mode the row is echoed to stderr as well. */
void cor_pc_row(cor_pc *pc, const char *case_name, const char *prediction,
                const char *measured, const char *margin, int holds);

/* Number of rows written so far, and how many of them failed. */
size_t cor_pc_nrows(const cor_pc *pc);
size_t cor_pc_nfails(const cor_pc *pc);

/* Writes the summary line, closes the output (renaming FILE.tmp to FILE) and frees pc.
 * Returns the exit status: COR_PC_HOLDS when every row holds (and at least one was written),
 * COR_PC_FAILS when one fails, COR_PC_HARD when no row was written or the output could not
 * be completed. */
int cor_pc_finish(cor_pc *pc, const char *prediction, const char *measured);

/* Ends a check that has nothing to do in this mode: a summary line with verdict "skipped",
 * the output is completed, pc freed; returns COR_PC_SKIP. */
int cor_pc_skip(cor_pc *pc, const char *reason);

/* Ends a check that could not run: message on stderr, the temporary output removed, pc freed
 * (NULL allowed); returns COR_PC_HARD. */
int cor_pc_abort(cor_pc *pc, const char *fmt, ...) COR_PRINTF(2, 3);

/* ---- formatting ---------------------------------------------------------------------- */

/* x printed with `digits` significant digits ("%.*Re"), or "inf"/"nan"; returns buf. */
char *cor_pc_fmt_mpfr(char *buf, size_t size, const mpfr_t x, int digits);
/* A double printed with %.17g (round-trips), or "inf"/"nan"; returns buf. */
char *cor_pc_fmt_d(char *buf, size_t size, double x);

/* Number of correct decimal digits of a computed value against a reference:
 * -log10(|computed - ref| / |ref|) (absolute error when ref = 0), computed at the precision
 * of ref; +inf when they are equal. */
double cor_pc_digits_agree(const mpfr_t computed, const mpfr_t ref);

/* The least-squares slope of y against x over n points (means accumulated as sum x_j / n). */
double cor_pc_fit_slope(const double *x, const double *y, size_t n);

/* ---- deterministic random points ----------------------------------------------------- */

/* splitmix64 (Steele, Lea & Flood 2014): state advanced by a fixed odd constant, output
 * mixed; the whole sequence is fixed by the seed on every platform. */
typedef struct
{
    uint64_t s;
} cor_pc_rng;

void cor_pc_rng_seed(cor_pc_rng *r, uint64_t seed);
uint64_t cor_pc_rng_next(cor_pc_rng *r);
/* Uniform integer in [lo, hi] (lo <= hi, span < 2^63), by rejection, no modulo bias. */
int64_t cor_pc_rng_int(cor_pc_rng *r, int64_t lo, int64_t hi);

/* Writes the exact decimal expansion of k / 2^e (0 <= e <= 60) into buf, e.g. k = -3, e = 3
 * gives "-0.375". Needs at most 84 bytes. Returns buf, or NULL if size is too small. */
char *cor_pc_dyadic_str(char *buf, size_t size, int64_t k, unsigned e);

/* The precisions of a check's grid into precs (room for 5): the --prec precision and 1024
 * bits; with --full also 53, 113 and 4096. Returns how many. */
size_t cor_pc_prec_grid(cor_pc *pc, mpfr_prec_t *precs);

#ifdef __cplusplus
}
#endif

#endif
